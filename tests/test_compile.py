"""tg.compile (issue 16): a compiled step gives the eager step's bits, every step, whether
it replays its recording or runs eagerly; and when it runs eagerly it says why, once."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg
from benchmarks import data


def _blobs_step(seed: int = 0) -> tuple[Any, Any]:
    nn = tg.nn
    tg.manual_seed(seed)
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 4))
    x, y = (tg.from_numpy(a) for a in data.blobs())
    opt = tg.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()

    def step() -> Any:
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step, (model, opt)


def _linreg_step() -> tuple[Any, Any]:
    tg.manual_seed(0)
    model = tg.nn.Linear(1, 1)
    x, y = (tg.from_numpy(a) for a in data.linreg())
    opt = tg.optim.SGD(model.parameters(), lr=0.1)

    def step() -> Any:
        opt.zero_grad()
        loss = tg.nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step, (model, opt)


def _state(model: Any, opt: Any) -> list[bytes]:
    out = [p._data.tobytes() for p in model.parameters()]
    out += [p.grad._data.tobytes() for p in model.parameters() if p.grad is not None]
    out += [v._data.tobytes() for s in opt.state.values() for v in s.values()
            if isinstance(v, tg.Tensor)]
    return out


@pytest.mark.parametrize("build", [_linreg_step, _blobs_step])
def test_compiled_training_loop_matches_eager(build: Any) -> None:
    eager, (m1, o1) = build()
    step, (m2, o2) = build()
    compiled = tg.compile(step)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # it replays: no fallback warning
        for _ in range(12):
            a, b = eager(), compiled()
            assert a._data.tobytes() == b._data.tobytes()
            assert _state(m1, o1) == _state(m2, o2)
    assert "checked against eager" in compiled.explanation()


def test_verification_catches_an_escape() -> None:
    w = tg.ones(3)

    def leaky() -> None:
        # a write through a plain view of the traced memory: no numpy call the recorder sees
        plain = np.ndarray.view(w._data, np.ndarray)
        plain *= np.float32(1.5)

    expected = np.ones(3, np.float32)
    compiled = tg.compile(leaky)
    with pytest.warns(UserWarning, match="did not reproduce w bit for bit"):
        for _ in range(6):
            compiled()
            expected *= np.float32(1.5)
            assert w._data.tobytes() == expected.tobytes()
    assert "runs eagerly" in compiled.explanation()


def test_untraced_copy_of_zeros_is_never_guessed() -> None:
    # np.array(v) is a copy numpy does not report; when recorded it holds zeros, as w does,
    # so "the newest value with the same bytes" could be w or v. Later they differ.
    w, v = tg.zeros(3), tg.zeros(3)

    def step() -> None:
        with tg.no_grad():
            copy = tg.from_numpy(np.array(v._data))
            w.add_(copy)
            v.add_(1.0)

    compiled = tg.compile(step)
    with pytest.warns(UserWarning, match="an array made outside the recording"):
        for _ in range(8):
            compiled()
    assert w.tolist() == [28.0] * 3 and v.tolist() == [8.0] * 3  # 0 + 1 + ... + 7
    assert "runs eagerly" in compiled.explanation()


def test_data_dependent_branch_is_never_stale() -> None:
    w = tg.tensor([4.0], requires_grad=True)
    seen = []

    def step() -> None:
        loss = (w * w).sum()
        loss.backward()
        with tg.no_grad():
            if loss.item() > 4.0:  # the branch changes after a few steps
                w.sub_(w.grad)
            else:
                w.add_(1.0)
        seen.append(float(w.detach()))
        w.grad = None

    compiled = tg.compile(step)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(8):
            compiled()
    w2, expected = 4.0, []
    for _ in range(8):
        w2 = w2 - 2 * w2 if w2 * w2 > 4.0 else w2 + 1.0
        expected.append(w2)
    assert seen == expected


def test_fallback_warns_once_and_says_why() -> None:
    blobs, _ = _blobs_step()

    def step() -> Any:
        tg.rand(1)  # a random draw: a replay would repeat a stale one
        return blobs()

    compiled = tg.compile(step)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(6):
            compiled()
    messages = [str(w.message) for w in caught if "tg.compile" in str(w.message)]
    assert len(messages) == 1 and "runs eagerly: " in messages[0]


def test_random_steps_run_eagerly() -> None:
    w = tg.zeros(3)

    def noisy() -> None:
        with tg.no_grad():
            w.add_(tg.rand(3))

    tg.manual_seed(0)
    compiled = tg.compile(noisy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(5):
            compiled()
    tg.manual_seed(0)
    expected = tg.zeros(3)
    for _ in range(5):
        expected.add_(tg.rand(3))
    assert w._data.tobytes() == expected._data.tobytes()


def test_keywords_and_modules() -> None:
    model = tg.nn.Linear(2, 2)
    assert tg.compile(model) is model  # eager: a compiled forward is future work
    assert tg.compile(model, fullgraph=True, dynamic=False, backend="inductor",
                      mode="default", options={}, disable=False) is model

    def f(x: Any) -> Any:
        return x + 1

    assert tg.compile(f, disable=True) is f
    decorated = tg.compile(mode="reduce-overhead")(f)
    assert (decorated(tg.ones(2)) == tg.full((2,), 2.0)).all()
    assert "nothing recorded yet" in tg.compile(f).explanation()
