"""tg.compile of the layers learners reach for after an MLP: convolutions and pools, and
gradient clipping. Each ran eagerly with a warning before:

- a convolution's im2col windows are ``np.lib.stride_tricks.as_strided`` of the padded
  input (ops/conv.py ``_im2col``), a view numpy makes in Python, outside both array
  protocols: its columns reached ``np.matmul`` as an array no recorded call made. The
  recorder now logs ``as_strided`` as a view of its argument, and, since its strides are
  bytes worked out when recorded, guards the strides of the inputs they follow from;
- ``clip_grad_norm_`` converts each norm with ``np.asanyarray(norm, dtype)``: a copy numpy
  makes as the subclass, a traced array no recorded call made. Such a copy is a recorded
  call now.

Every step is compared with an eager twin built from the same seed, with ``==`` on the
bytes (losses, parameters, gradients, optimizer state), under ``simplefilter("error")``:
a fallback to eager warns, so it fails the test.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg

nn = tg.nn


def _cnn() -> Any:
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(4 * 4 * 4, 3))


def _strided_avg_pool() -> Any:  # (no padding: the windows view the input itself)
    return nn.Sequential(nn.Conv2d(1, 4, 3, stride=2), nn.ReLU(), nn.AvgPool2d(2), nn.Flatten(),
                         nn.Linear(4, 3))


def _transposed() -> Any:  # (its weight gradient takes the windows of the incoming gradient)
    return nn.Sequential(nn.ConvTranspose2d(1, 2, 3, stride=2), nn.Tanh(), nn.Flatten(),
                         nn.Linear(2 * 17 * 17, 3))


class _TextCNN(nn.Module):
    """Embedding, Conv1d over the sequence, max over time, Linear: a learner's text model."""

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(50, 8)
        self.conv = nn.Conv1d(8, 6, 3)
        self.out = nn.Linear(6, 2)

    def forward(self, tokens: Any) -> Any:
        h = self.conv(self.embed(tokens).transpose(1, 2)).relu()  # (N, 6, L - 2)
        return self.out(h.amax(-1))


def _state(model: Any, opt: Any) -> list[bytes]:
    out = [p._data.tobytes() for p in model.parameters()]
    out += [p.grad._data.tobytes() for p in model.parameters() if p.grad is not None]
    out += [v._data.tobytes() for s in opt.state.values() for v in s.values()
            if isinstance(v, tg.Tensor)]
    return out


def _images() -> tuple[Any, Any]:
    tg.manual_seed(1)
    return tg.randn(16, 1, 8, 8), tg.randint(0, 3, (16,))


def _tokens() -> tuple[Any, Any]:
    tg.manual_seed(1)
    return tg.randint(0, 50, (16, 12)), tg.randint(0, 2, (16,))


def _sgd(params: Any) -> Any:
    return tg.optim.SGD(params, lr=0.05, momentum=0.9)


def _adam(params: Any) -> Any:
    return tg.optim.Adam(params, lr=0.01)


def _training_step(make: Callable[[], Any], data: Callable[[], tuple[Any, Any]],
                   optimizer: Callable[[Any], Any] = _sgd,
                   clip: float | None = None) -> tuple[Any, Any, Any]:
    """(step, model, optimizer): zero_grad, CrossEntropyLoss, backward, maybe
    clip_grad_norm_, step. The step returns the loss (and the norm before clipping)."""
    tg.manual_seed(0)
    model = make()
    x, y = data()
    opt = optimizer(model.parameters())
    loss_fn = nn.CrossEntropyLoss()

    def step() -> Any:
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        if clip is None:
            opt.step()
            return loss
        norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=clip)
        opt.step()
        return loss, norm

    return step, model, opt


def _replays(compiled: Any) -> bool:
    text = compiled.explanation()
    return "checked against eager" in text and "runs eagerly" not in text


def _same_bits(a: Any, b: Any) -> bool:
    if isinstance(a, tuple):
        return all(_same_bits(u, v) for u, v in zip(a, b))
    return bool(a._data.tobytes() == b._data.tobytes() and a.dtype == b.dtype)


def _run_twins(build: Callable[[], tuple[Any, Any, Any]], calls: int = 10) -> Any:
    """Build the step twice, compile one, compare every call; the compiled function."""
    eager, m1, o1 = build()
    step, m2, o2 = build()
    compiled = tg.compile(step)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # it replays: no fallback warning
        for i in range(calls):
            assert _same_bits(eager(), compiled()), i
            assert _state(m1, o1) == _state(m2, o2), i
    assert _replays(compiled), compiled.explanation()
    return compiled


@pytest.mark.parametrize("make", [_cnn, _strided_avg_pool, _transposed],
                         ids=["conv2d-maxpool", "strided-conv2d-avgpool", "conv-transpose2d"])
def test_conv_step_replays_im2col_windows(make: Any) -> None:
    """The im2col columns (an ``as_strided`` view) used to reach np.matmul untraced."""
    compiled = _run_twins(lambda: _training_step(make, _images))
    assert "np.lib.stride_tricks.as_strided(" in compiled.explanation()


def test_conv1d_text_model_step_replays() -> None:
    _run_twins(lambda: _training_step(_TextCNN, _tokens))


def test_clip_grad_norm_step_replays() -> None:
    """``np.asanyarray(norm, dtype)`` in clip_grad_norm_ made a traced array no recorded
    call made. The norm is above max_norm at every call: the gradients are scaled."""
    compiled = _run_twins(lambda: _training_step(_cnn, _images, _adam, clip=0.05))
    step, _, _ = _training_step(_cnn, _images, _adam, clip=0.05)
    assert all(step()[1].item() > 0.05 for _ in range(10))
    assert "np.asanyarray(" in compiled.explanation()


def test_compiled_cnn_module_training_loop_matches_eager() -> None:
    """``tg.compile(model)`` with the CNN: the forward program makes the im2col windows,
    the backward program uses the columns it saved."""
    tg.manual_seed(0)
    eager = _cnn()
    tg.manual_seed(0)
    model = tg.compile(_cnn())
    x, y = _images()
    loss_fn = nn.CrossEntropyLoss()
    o1, o2 = _sgd(eager.parameters()), _sgd(model.parameters())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for i in range(10):
            for net, opt in ((eager, o1), (model, o2)):
                opt.zero_grad()
                loss = loss_fn(net(x), y)
                loss.backward()
                opt.step()
                if net is eager:
                    first = loss
            assert first._data.tobytes() == loss._data.tobytes(), i
            assert _state(eager, o1) == _state(model, o2), i
    assert _replays(model.forward)


@pytest.mark.parametrize("make", [_cnn, _strided_avg_pool],
                         ids=["conv2d-maxpool", "strided-conv2d-avgpool"])
def test_conv_forward_in_eval_under_no_grad_replays(make: Any) -> None:
    """Even a forward alone (eval, no_grad) ran eagerly: the windows are made in forward.
    (A transposed convolution's forward is col2im, no windows: it replayed already.)"""
    tg.manual_seed(0)
    eager = make()
    tg.manual_seed(0)
    model = make()
    eager.eval()
    model.eval()

    def predict(x: Any) -> Any:
        with tg.no_grad():
            return model(x)

    compiled = tg.compile(predict)
    x, _ = _images()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for i in range(8):
            with tg.no_grad():
                expected = eager(x * (i + 1))
            assert compiled(x * (i + 1))._data.tobytes() == expected._data.tobytes(), i
    assert _replays(compiled)


def test_windows_of_an_argument_laid_out_otherwise_are_never_replayed() -> None:
    """``as_strided``'s strides are bytes, worked out from its argument's strides when
    recorded. An argument of the same shape laid out otherwise would make the replay read
    other elements (or other memory): its strides are a guard, checked before the program
    writes, and that call runs eagerly instead."""
    tg.manual_seed(0)
    m1, m2 = nn.Conv1d(3, 2, 2), nn.Conv1d(3, 2, 2)
    m2.load_state_dict(m1.state_dict())

    def forward(x: Any) -> Any:
        with tg.no_grad():
            return m2(x)

    compiled = tg.compile(forward)
    x = tg.randn(4, 3, 5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(4):
            with tg.no_grad():
                assert compiled(x)._data.tobytes() == m1(x)._data.tobytes()
    assert _replays(compiled)
    assert f".strides == {x._data.strides!r}" in compiled.explanation()
    other = x.transpose(0, 2).contiguous().transpose(0, 2)  # (its values, other strides)
    assert other._data.strides != x._data.strides and (other == x).all()
    with tg.no_grad():
        assert compiled(other)._data.tobytes() == m1(other)._data.tobytes()
        assert compiled(other * 2)._data.tobytes() == m1(other * 2)._data.tobytes()


def test_write_through_as_strided_view_is_a_write_to_its_array() -> None:
    """A view made by ``as_strided`` shares its argument's memory: a write through it is
    logged as a write to that buffer (``Recorder.root``), as for any other view."""
    from tinygrad_edu.compiler.recorder import Recorder

    rec = Recorder()
    x = rec.input(np.zeros(6, np.float32), "x")
    with rec:
        window = np.lib.stride_tricks.as_strided(x, (2, 3), (12, 4))
        window[1] = 1.0
    assert np.lib.stride_tricks.as_strided is rec.steps[0].func  # (numpy's own again)
    assert rec.steps[0].label == "np.lib.stride_tricks.as_strided"
    assert rec.root[rec.steps[0].result] == x._tid  # type: ignore[index]
    assert rec.steps[1].writes == rec.steps[0].result and rec.first_write == 1
    assert rec.layouts == {x._tid: (4,)} and rec.problem is None


def test_folded_windows_keep_their_strides() -> None:
    """The gradient of ``model(x).sum()`` is a constant, and so are the im2col windows a
    transposed convolution of stride 2 takes of it for its weight gradient: every other
    element, a column with gaps. Constant folding copied them packed, and np.matmul then
    took another loop (numpy picks BLAS or its own by the strides): other bits, and the
    step ran eagerly after the check against eager."""

    def build() -> tuple[Any, Any, Any]:
        tg.manual_seed(0)
        model = nn.ConvTranspose1d(1, 1, 1, stride=2)
        x = tg.randn(4, 1, 64)
        opt = _sgd(model.parameters())

        def step() -> Any:
            opt.zero_grad()
            loss = model(x).sum()
            loss.backward()
            opt.step()
            return loss

        return step, model, opt

    compiled = _run_twins(build)
    assert "folded into constants" in compiled.explanation()
