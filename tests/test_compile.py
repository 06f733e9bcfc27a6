"""tg.compile (issue 16): a compiled step gives the eager step's bits, every step, whether
it replays its recording or runs eagerly; and when it runs eagerly it says why, once."""

from __future__ import annotations

import math
import operator
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
    # np.array(v) is a copy numpy does not report to the traced subclass; when recorded it
    # holds zeros, as w does, so "the newest value with the same bytes" could be w or v.
    # Later they differ. The recorder follows np.array itself (a call on v), never bytes.
    w, v = tg.zeros(3), tg.zeros(3)

    def step() -> None:
        with tg.no_grad():
            copy = tg.from_numpy(np.array(v._data))
            w.add_(copy)
            v.add_(1.0)

    compiled = tg.compile(step)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(8):
            compiled()
    assert w.tolist() == [28.0] * 3 and v.tolist() == [8.0] * 3  # 0 + 1 + ... + 7
    assert _replays(compiled) and "np.array(t" in compiled.explanation()


def test_an_array_from_outside_the_step_is_never_guessed() -> None:
    # a numpy array the step wraps with from_numpy is not a captured tensor: the recorder
    # cannot bind it at a replay, so the step runs eagerly and says where
    w, outside = tg.zeros(3), np.ones(3, dtype=np.float32)

    def step() -> None:
        with tg.no_grad():
            w.add_(tg.from_numpy(outside))

    compiled = tg.compile(step)
    with pytest.warns(UserWarning, match="an array made outside the recording"):
        for _ in range(8):
            compiled()
    assert w.tolist() == [8.0] * 3
    assert "runs eagerly" in compiled.explanation()


def _target_network_step(update: str) -> tuple[Any, Any]:
    """The blobs MLP, then a target copy of it pulled towards it after ``opt.step()``, as
    EMA models and RL target networks do: in place, or through ``.data``."""
    step, (model, opt) = _blobs_step()
    target = tg.nn.Sequential(*(type(m)(*m.weight.shape[::-1]) if hasattr(m, "weight")
                                else type(m)() for m in model))

    def train() -> Any:
        loss = step()
        pairs = zip(target.parameters(), model.parameters())
        if update == "in place":
            with tg.no_grad():
                for q, p in pairs:
                    q.mul_(0.9).add_(p, alpha=0.1)
        else:
            for q, p in pairs:
                q.data.copy_(0.9 * q.data + 0.1 * p.data)
        return loss

    return train, (model, opt, target)


@pytest.mark.parametrize("update", ["in place", "through .data"])
def test_target_network_update_after_the_step_replays(update: str) -> None:
    """Found by trying learners' loops: ``q.mul_(0.9).add_(p)`` after ``opt.step()`` checked
    that q and p do not overlap (a value read after a write: the step ran eagerly), and
    ``q.data.copy_(...)`` went through ``np.array(x, dtype)``, a copy numpy does not report.
    The overlap of two captured tensors is a guard checked before the replay writes."""
    eager, (m1, o1, t1) = _target_network_step(update)
    step, (m2, o2, t2) = _target_network_step(update)
    compiled = tg.compile(step)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(10):
            eager(), compiled()
            assert _state(m1, o1) + _state(t1, o1) == _state(m2, o2) + _state(t2, o2)
    assert _replays(compiled)
    if update == "in place":
        assert "share no memory" in compiled.explanation()
        # the two now share memory: the guard fails before any write, the call runs eagerly
        t1[0].bias.data, t2[0].bias.data = m1[0].bias.data, m2[0].bias.data
        eager(), compiled()
        assert compiled._stale == 1  # (the replay gave up before it wrote)
        assert _state(m1, o1) + _state(t1, o1) == _state(m2, o2) + _state(t2, o2)


@pytest.mark.parametrize("reads", [False, True])
def test_a_write_through_a_view_numpy_returned_is_a_write_to_its_array(reads: bool) -> None:
    """Found by review: ``np.diagonal(m)`` (what ``m.diagonal()`` runs) returns a view of
    m, which the recorder logged as a new array: ``m.diagonal().add_(1)`` wrote a buffer
    the passes thought the step had made, the check against eager caught the difference,
    and the step ran eagerly. It is a write to m now: the step replays. With a value of m
    read after it (``m.sum().item()``), the replay keeps a copy of m to undo the write
    when that value changes."""
    def build() -> tuple[Any, Any]:
        m = tg.ones(2, 2)

        def step() -> Any:
            m.diagonal().add_(1.0)
            return m * (2 if reads and m.sum().item() > 11 else 1)  # (flips at call 4)

        return step, m

    eager, m1 = build()
    step, m2 = build()
    compiled = tg.compile(step)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore" if reads else "error")
        for _ in range(8):
            assert eager().tolist() == compiled().tolist()
            assert m1.tolist() == m2.tolist()
    assert compiled._programs[0][1].rec.undo is reads
    assert ("keeps a copy of the state" in compiled.explanation()) is reads


def _batchnorm_step(keep_grads: bool) -> tuple[Any, Any]:
    """The blobs MLP with a BatchNorm1d in train mode (its running statistics are written
    in place by the forward), or with ``zero_grad(set_to_none=False)`` (``.grad`` written
    in place), before ``cross_entropy`` checks that the targets are in range."""
    nn = tg.nn
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.BatchNorm1d(8) if not keep_grads else
                          nn.Identity(), nn.ReLU(), nn.Linear(8, 4))
    x, y = (tg.from_numpy(a) for a in data.blobs())
    opt = tg.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

    def step() -> Any:
        opt.zero_grad(set_to_none=not keep_grads)
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step, (model, opt)


@pytest.mark.parametrize("keep_grads", [False, True], ids=["batchnorm", "zero_grad to zeros"])
def test_a_value_read_after_a_write_that_it_does_not_depend_on_replays(
        keep_grads: bool) -> None:
    """Found by trying learners' loops: ``cross_entropy`` checks its targets' range (a
    value Python reads) after a BatchNorm's running statistics (or ``.grad``, zeroed in
    place) were written, so the step ran eagerly. The check depends on the targets alone:
    it is moved before the first write, with what computes it."""
    eager, (m1, o1) = _batchnorm_step(keep_grads)
    step, (m2, o2) = _batchnorm_step(keep_grads)
    compiled = tg.compile(step)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(10):
            assert eager()._data.tobytes() == compiled()._data.tobytes()
            assert _state(m1, o1) == _state(m2, o2)
            assert [b._data.tobytes() for b in m1.buffers()] == [
                b._data.tobytes() for b in m2.buffers()]
    assert _replays(compiled)


def _gan_step() -> tuple[Any, Any]:
    """One GAN step: the discriminator's update, then the generator's through the
    discriminator it just updated (whose ReLUs read whether their gradient is finite)."""
    nn = tg.nn
    tg.manual_seed(0)
    gen = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
    disc = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
    opt_g = tg.optim.Adam(gen.parameters(), lr=1e-3)
    opt_d = tg.optim.SGD(disc.parameters(), lr=0.05, momentum=0.5)
    real, noise = tg.randn(16, 2) + 2.0, tg.randn(16, 2)
    ones, zeros = tg.ones(16, 1), tg.zeros(16, 1)
    bce = nn.BCEWithLogitsLoss()

    def step() -> Any:
        opt_d.zero_grad()
        d_loss = bce(disc(real), ones) + bce(disc(gen(noise).detach()), zeros)
        d_loss.backward()
        opt_d.step()
        opt_g.zero_grad()
        g_loss = bce(disc(gen(noise)), ones)
        g_loss.backward()
        opt_g.step()
        return g_loss.detach()

    return step, (nn.ModuleList([gen, disc]), opt_g, opt_d)


def test_a_gan_step_replays_keeping_a_copy_to_undo() -> None:
    """Found by trying learners' loops: the generator's backward reads values computed
    from the discriminator the step just updated, so the step ran eagerly. It replays now,
    with a copy of the state kept to undo the writes if such a value ever changes."""
    eager, (m1, g1, d1) = _gan_step()
    step, (m2, g2, d2) = _gan_step()
    compiled = tg.compile(step)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(10):
            assert eager()._data.tobytes() == compiled()._data.tobytes()
            assert _state(m1, g1) + _state(m1, d1) == _state(m2, g2) + _state(m2, d2)
    assert _replays(compiled) and "keeps a copy of the state" in compiled.explanation()


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


@pytest.mark.parametrize("stream", ["random", "np.random", "a captured Generator"])
def test_python_and_numpy_random_numbers_in_a_step_run_eagerly(stream: str) -> None:
    """Found by trying learners' loops: a random flip drawn with Python's ``random`` (or
    numpy's) was not noticed, so the branch taken while recording was replayed at every
    call, with no warning. Every random stream the step can reach is watched now."""
    import random

    def build() -> tuple[Any, Any]:
        random.seed(0)
        np.random.seed(0)
        rng = np.random.default_rng(0)
        draw = {"random": random.random, "np.random": np.random.rand,
                "a captured Generator": rng.random}[stream]
        step, (model, opt) = _blobs_step()
        x = tg.arange(12.0).reshape(6, 2)

        def train() -> Any:
            xb = x.flip(1) if draw() < 0.5 else x  # a random horizontal flip
            opt.zero_grad()
            loss = (model(xb) ** 2).mean()
            loss.backward()
            opt.step()
            return loss

        return train, (model, opt)

    eager, (m1, o1) = build()
    step, (m2, o2) = build()
    compiled = tg.compile(step)
    with pytest.warns(UserWarning, match="draws random numbers from"):
        for i in range(10):
            results = []
            for f in (eager, compiled):  # (the global streams: each twin from one seed)
                random.seed(i)
                np.random.seed(i)
                results.append(f()._data.tobytes())
            assert results[0] == results[1]
            assert _state(m1, o1) == _state(m2, o2)
    assert "runs eagerly" in compiled.explanation()


def test_keywords_and_modules() -> None:
    model = tg.nn.Linear(2, 2)
    assert tg.compile(model)._orig_mod is model  # (tests/test_compile_module.py)
    assert tg.compile(model, fullgraph=True, dynamic=False, backend="inductor",
                      mode="default", options={}, disable=False)._orig_mod is model
    assert tg.compile(model, disable=True) is model

    def f(x: Any) -> Any:
        return x + 1

    assert tg.compile(f, disable=True) is f
    decorated = tg.compile(mode="reduce-overhead")(f)
    assert (decorated(tg.ones(2)) == tg.full((2,), 2.0)).all()
    assert "nothing recorded yet" in tg.compile(f).explanation()


def _replays(compiled: Any) -> bool:
    return "checked against eager" in compiled.explanation() and "runs eagerly" not in \
        compiled.explanation()


def test_quadratic_example_loop_replays() -> None:
    from examples import quadratic as q

    def setup() -> tuple[Any, Any]:
        tg.manual_seed(2021)
        time = tg.arange(0, 20).float()
        speed = tg.rand(20) * 5 + 0.8 * (time - 7.5) ** 2 + 1
        params = tg.randn(3).requires_grad_()

        def step() -> Any:  # apply_step, its print and .item() left to the caller
            preds = q.f(time, params)
            loss = q.mse(preds, speed)
            loss.backward()
            params.data -= q.LR * params.grad.data
            params.grad = None
            return preds, loss

        return step, params

    eager, p1 = setup()
    step, p2 = setup()
    compiled = tg.compile(step)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(12):
            (pa, la), (pb, lb) = eager(), compiled()
            assert la.item() ** 0.5 == lb.item() ** 0.5  # the example's RMSE
            assert pa._data.tobytes() == pb._data.tobytes()
            assert p1._data.tobytes() == p2._data.tobytes()
    assert _replays(compiled)


@pytest.mark.parametrize("dtype", [tg.float32, tg.float64])
def test_linear_regression_example_loop_replays(dtype: Any) -> None:
    from examples import linear_regression as lr

    x, y = lr.load_scaled_data()

    def setup() -> tuple[Any, Any]:
        X = tg.tensor(x, dtype=dtype).reshape(-1, 1)
        Y = tg.tensor(y, dtype=dtype).reshape(-1, 1)
        tg.manual_seed(42)
        model = tg.nn.Linear(1, 1).to(dtype)
        loss_fn = tg.nn.MSELoss()
        optimizer = tg.optim.SGD(model.parameters(), lr=lr.LR)

        def step() -> Any:
            optimizer.zero_grad()
            loss = loss_fn(model(X), Y)
            loss.backward()
            optimizer.step()
            return loss

        return step, model

    eager, m1 = setup()
    step, m2 = setup()
    compiled = tg.compile(step)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(12):
            assert eager().item() == compiled().item()
            assert (m1.bias.item(), m1.weight.item()) == (m2.bias.item(), m2.weight.item())
    assert _replays(compiled)


def test_classifiers_example_loop_replays() -> None:
    """Adam reads its step count through _get_value: a symbolic float, so the loop replays."""
    from examples import classifiers as c

    X, y = c.make_datasets()["blobs"]
    data = c.to_tensors(X, y)

    def setup() -> tuple[Any, Any]:
        tg.manual_seed(0)
        model = c.MLPClassifier(2, 4)
        loss_fn = tg.nn.CrossEntropyLoss()
        optimizer = tg.optim.Adam(model.parameters(), lr=0.01)

        def step() -> Any:
            model.train()
            logits = model(data[0])
            loss = loss_fn(logits, data[2])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            return logits, loss

        return step, (model, optimizer)

    eager, (m1, o1) = setup()
    step, (m2, o2) = setup()
    compiled = tg.compile(step)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(12):
            (la, a), (lb, b) = eager(), compiled()
            assert a.item() == b.item() and c.accuracy(la, data[2]) == c.accuracy(lb, data[2])
            assert la._data.tobytes() == lb._data.tobytes()
            assert _state(m1, o1) == _state(m2, o2)
    assert _replays(compiled)


def test_w2_and_w4_benchmark_steps_replay() -> None:
    from benchmarks import workloads

    for build in (workloads.w2_quadratic, workloads.w4_blobs_ce):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            run = build(tg, quick=True, compiled=True)
            run()
        assert run.compile_ms is not None  # type: ignore[attr-defined]


def test_forward_result_that_needs_a_graph_runs_eagerly() -> None:
    w = tg.ones(3, requires_grad=True)

    def f(x: Any) -> Any:
        return (x * w + 1).exp()

    compiled = tg.compile(f)
    with pytest.warns(UserWarning, match="requires grad"):
        for i in range(5):
            x = tg.arange(3).float() + i
            out = compiled(x)
            assert out._data.tobytes() == f(x)._data.tobytes() and out.grad_fn is not None
    out.sum().backward()  # the graph is there, as eagerly
    with tg.no_grad():
        g = tg.compile(f)
        for i in range(5):
            x = tg.arange(3).float() + i
            assert g(x)._data.tobytes() == f(x)._data.tobytes()
        assert _replays(g)


def test_w5_batches_passed_as_arguments_replay() -> None:
    from tinygrad_edu.utils.data import DataLoader, TensorDataset

    def setup() -> tuple[Any, Any, Any]:
        x, y = (tg.from_numpy(a) for a in data.mnist_like(320))
        tg.manual_seed(0)
        loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)
        nn = tg.nn
        model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
        loss_fn = nn.CrossEntropyLoss()
        opt = tg.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

        def step(xb: Any, yb: Any) -> Any:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            return loss

        return loader, step, (model, opt)

    l1, eager, (m1, o1) = setup()
    l2, step, (m2, o2) = setup()
    compiled = tg.compile(step)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for epoch in range(2):
            tg.manual_seed(epoch)  # the same shuffle for both
            b1 = list(l1)
            tg.manual_seed(epoch)
            for (xa, ya), (xb, yb) in zip(b1, l2):
                assert eager(xa, ya)._data.tobytes() == compiled(xb, yb)._data.tobytes()
                assert _state(m1, o1) == _state(m2, o2)
    assert _replays(compiled)


def _optimizer_step(make: Any) -> tuple[Any, Any]:
    """The blobs MLP of ``_blobs_step``, trained by the optimizer ``make(params)``."""
    nn = tg.nn
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 4))
    x, y = (tg.from_numpy(a) for a in data.blobs())
    opt = make(model.parameters())
    loss_fn = nn.CrossEntropyLoss()

    def step() -> Any:
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step, (model, opt)


_STEP_COUNTING = {
    "Adam": lambda p: tg.optim.Adam(p, lr=0.01),
    "Adam-weight_decay": lambda p: tg.optim.Adam(p, lr=0.01, weight_decay=0.1),
    "Adam-amsgrad": lambda p: tg.optim.Adam(p, lr=0.01, amsgrad=True),
    "AdamW": lambda p: tg.optim.AdamW(p, lr=0.01, weight_decay=0.1),
    "Adamax": lambda p: tg.optim.Adamax(p, lr=0.01),
    "NAdam": lambda p: tg.optim.NAdam(p, lr=0.01, weight_decay=0.01),
    "NAdam-decoupled": lambda p: tg.optim.NAdam(p, weight_decay=0.1, decoupled_weight_decay=True),
    "RAdam": lambda p: tg.optim.RAdam(p, lr=0.01),  # its rho_t > 5 branch flips at step 6
    "Adagrad": lambda p: tg.optim.Adagrad(p, lr=0.05, lr_decay=0.1),
    "ASGD": lambda p: tg.optim.ASGD(p, lr=0.05),
    "ASGD-t0": lambda p: tg.optim.ASGD(p, lr=0.05, t0=4),  # mu leaves 1 at step 6
}


@pytest.mark.parametrize("name", list(_STEP_COUNTING))
def test_optimizers_that_read_their_step_count_replay(name: str) -> None:
    """The step count read through _get_value is a symbolic float: the compiled step
    replays (no fallback) and gives eager's bits for losses, parameters, grads and state."""
    eager, (m1, o1) = _optimizer_step(_STEP_COUNTING[name])
    step, (m2, o2) = _optimizer_step(_STEP_COUNTING[name])
    compiled = tg.compile(step)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for i in range(14):
            a, b = eager(), compiled()
            assert a._data.tobytes() == b._data.tobytes(), i
            assert _state(m1, o1) == _state(m2, o2), i
    messages = [str(w.message) for w in caught]
    assert not any("runs eagerly" in m for m in messages), messages
    assert _replays(compiled)
    if name in ("RAdam", "ASGD-t0"):  # the branch flipped once (ASGD: twice): recorded again
        assert any("a branch on a Python float changed" in m for m in messages), messages
    else:
        assert messages == []
    if name.startswith("Adam"):
        assert "= operator.pow(0.9, t" in compiled.explanation()
        assert "# python float" in compiled.explanation()


def test_radam_branch_flip_is_guarded_and_undone() -> None:
    """RAdam's ``if rho_t > 5`` is a read of a symbolic float after the step count was
    written: when it flips, the replay's writes are undone and the step runs eagerly."""
    eager, (m1, o1) = _optimizer_step(_STEP_COUNTING["RAdam"])
    step, (m2, o2) = _optimizer_step(_STEP_COUNTING["RAdam"])
    compiled = tg.compile(step)
    with pytest.warns(UserWarning, match=r"branch of t\d+ gave False when recorded and True"):
        for _ in range(6):  # calls 4 and 5 replay; call 6 flips the branch
            assert eager()._data.tobytes() == compiled()._data.tobytes()
            assert _state(m1, o1) == _state(m2, o2)
    assert "tg.compile(step): 0 program(s)" in compiled.explanation()  # dropped: re-recorded
    assert [float(s["step"]) for s in o2.state.values()] == [6.0] * 6


def test_item_in_a_compiled_step_stays_a_guarded_read() -> None:
    """``losses.append(loss.item())`` inside the step: .item() is a read, never a symbolic
    float, so the step runs eagerly and every loss is appended -- none silently skipped."""
    eager, _ = _optimizer_step(_STEP_COUNTING["Adam"])
    step, _ = _optimizer_step(_STEP_COUNTING["Adam"])

    class Log:  # (a list captured directly would be guarded on its numbers: no recording)
        losses: list[float] = []

    def logged() -> None:
        Log.losses.append(step().item())

    expected = []
    compiled = tg.compile(logged)
    # (the loss it reads is computed before opt.step(): the program checks it first, and
    # a loss is new at every call)
    with pytest.warns(UserWarning, match=r"runs eagerly: a value Python reads changes from "
                                         r"call to call \(\.item\(\)"):
        for _ in range(8):
            expected.append(eager().item())
            compiled()
    assert Log.losses == expected and len(expected) == 8


def test_traced_float_records_python_arithmetic() -> None:
    from tinygrad_edu.compiler.recorder import Recorder, TracedFloat

    rec = Recorder()
    count = rec.input(np.array(3.0, np.float32), "step")
    m = rec.input(np.ones(2, np.float32), "m")
    with rec:
        t = count.symbolic_float()
        bias = 1 - 0.999**t  # (int - float: Python asks the reflected operator)
        scaled = m * (-0.01 / bias)
        assert isinstance(t, TracedFloat) and isinstance(bias, TracedFloat)
        assert scaled.dtype == np.float32  # numpy got a plain float: NEP 50 as eagerly
        steps_before = len(rec.steps)
        assert (t > 2) is True and int(t) == 3 and str(t) == "3.0"  # reads
        assert len(rec.reads) == 3 and len(rec.steps) == steps_before + 3
        assert float(t) == 3.0 and type(float(t)) is float
        assert math.floor(t) == 3 and round(t) == 3 and hash(t) == hash(3.0)
    assert bias == 1 - 0.999**3.0  # the same Python float as eagerly
    labels = [s.label for s in rec.steps[:4]]
    assert labels == ["float", "operator.pow", "operator.sub", "operator.truediv"]
    assert rec.steps[1].args[0] == 0.999 and rec.steps[3].args == (-0.01, rec.steps[3].args[1])
    n = len(rec.steps)
    assert type(t + 1) is float and t + 1 == 4.0 and len(rec.steps) == n  # recording over
    assert t * np.float32(2) == 6.0 and (t > 2) is True


def test_get_value_is_a_plain_float_when_eager() -> None:
    from tinygrad_edu.optim.optimizer import _get_value

    t = tg.tensor(3.0)
    assert _get_value(t) == 3.0 and type(_get_value(t)) is float
    assert _get_value(0.5) == 0.5


def test_a_scalar_numpy_gave_behaves_as_a_scalar_while_recorded() -> None:
    """numpy gives a 0-d result as a scalar, which the recorder keeps as a 0-d array (to
    trace it): ``s += 1`` must still make a new value (a scalar is immutable), and
    ``out=s`` or ``s[...] = 1`` raise numpy's TypeError, as in eager. (RAdam on a 0-d
    parameter raised in eager and not when compiled, until both were fixed.)"""
    from tinygrad_edu.compiler.recorder import Recorder

    def body(x: np.ndarray) -> list[Any]:
        s = x.sum()
        kept = s
        s += 1  # a new value: ``kept`` is still the sum
        errors = []
        for write in (lambda: np.sqrt(s, out=s), lambda: operator.setitem(s, ..., 1),
                      lambda: np.copyto(s, 2.0)):
            try:
                write()
            except TypeError as e:
                errors.append(str(e))
        s.fill(7)  # (nothing: a numpy scalar's fill changes nothing)
        a = np.asanyarray(s)  # a new 0-d array, which out= may write
        np.reciprocal(a, out=a)
        return [float(kept), float(s), float(a), errors]

    eager = body(np.arange(4.0))
    rec = Recorder()
    x = rec.input(np.arange(4.0), "x")
    with rec:
        recorded = body(x)
    assert recorded == eager == [6.0, 7.0, 1 / 7, [
        "return arrays must be of ArrayType",
        "'numpy.float64' object does not support item assignment",
        "copyto() argument 1 must be a numpy.ndarray, not numpy.float64"]]


@pytest.mark.parametrize("name", ["RAdam", "NAdam", "Rprop", "Adam", "SGD"])
def test_an_optimizer_on_a_0d_parameter_replays_eager_bits(name: str) -> None:
    """A learnable scalar: RAdam, NAdam and Rprop make an array of a numpy scalar
    (``np.asanyarray``) to write into it, which the recording must see as a new array."""
    def make() -> tuple[Any, Any]:
        t = tg.tensor(2.5, requires_grad=True)
        opt = getattr(tg.optim, name)([t], lr=0.01)

        def step() -> Any:
            opt.zero_grad()
            loss = (t * t * 3).sum()
            loss.backward()
            opt.step()
            return loss

        return t, step

    (a, eager), (b, step) = make(), make()
    compiled = tg.compile(step)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", "tg.compile: step is recorded again: a branch")
        for _ in range(10):  # (RAdam's rectified branch starts at step 6)
            assert eager()._data.tobytes() == compiled()._data.tobytes()
            assert a._data.tobytes() == b._data.tobytes()
    assert compiled._eager is None and compiled._programs
