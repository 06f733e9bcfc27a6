"""``nn.Conv2d``, ``nn.MaxPool2d``, ``nn.AvgPool2d``, ``nn.AdaptiveAvgPool2d`` (and their
``F.`` functions) against PyTorch: values and the gradients of input, weight and bias
across strides, paddings, dilations, groups, non-square kernels and unbatched input;
initial weights, state_dict keys, reprs and errors; first and second derivatives against
finite differences in float64; and a small CNN trained a few steps, loss for loss.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn

DTYPES = ["float32", "float64"]
TOL = {"float32": dict(rtol=1e-5, atol=1e-5), "float64": dict(rtol=1e-10, atol=1e-12)}


@pytest.fixture
def torch() -> Any:
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    return torch


def _randn(shape: tuple[int, ...], dtype: str = "float64", seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _np(t: Any) -> np.ndarray:
    return np.asarray(t.detach().numpy())


def _close(ours: Any, theirs: Any, dtype: str, what: str) -> None:
    assert ours is not None, f"{what}: missing"
    np.testing.assert_allclose(_np(ours), _np(theirs), err_msg=what, **TOL[dtype])


def _compare(torch: Any, fn: Callable[[Any, list[Any]], Any], arrays: list[np.ndarray | None],
             dtype: str, grad_fn: str, seed: int = 1) -> None:
    """``fn(lib, tensors)`` in both libraries: output, grad_fn name, then each gradient."""
    ours = [None if a is None else tg.tensor(a, requires_grad=True) for a in arrays]
    theirs = [None if a is None else torch.tensor(a, requires_grad=True) for a in arrays]
    out, expected = fn(tg, ours), fn(torch, theirs)
    assert tuple(out.shape) == tuple(expected.shape)
    _close(out, expected, dtype, "forward")
    assert out.grad_fn.name() == expected.grad_fn.name() == grad_fn
    g = _randn(tuple(expected.shape), dtype, seed)
    out.backward(tg.tensor(g))
    expected.backward(torch.tensor(g))
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if a is not None:
            _close(a.grad, b.grad, dtype, f"backward, input {i}")


# ---------------------------------------------------------------------------- conv2d

CONV_CASES = [  # (input shape, weight shape, bias, kwargs)
    ((2, 3, 7, 7), (4, 3, 3, 3), True, {}),
    ((2, 3, 8, 6), (5, 3, 3, 2), True, dict(stride=2, padding=1)),
    ((1, 2, 9, 8), (3, 2, 2, 3), False, dict(stride=(2, 3), padding=(2, 1), dilation=(2, 1))),
    ((2, 4, 6, 7), (6, 2, 3, 3), True, dict(groups=2, dilation=2, padding=2)),
    ((2, 3, 5, 6), (3, 1, 3, 3), True, dict(groups=3, padding="same")),
    ((1, 2, 5, 6), (3, 2, 2, 4), True, dict(padding="same", dilation=(1, 1))),
    ((2, 2, 5, 5), (3, 2, 3, 3), True, dict(padding="valid", stride=[1, 2])),
    ((6, 5, 7), (4, 3, 3, 3), True, dict(padding=1, groups=2)),  # unbatched
    ((2, 1, 4, 4), (2, 1, 1, 1), True, {}),
]


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CONV_CASES, ids=lambda c: f"{c[0]}-{c[1]}-{c[3]}")
def test_conv2d_matches_torch(torch: Any, dtype: str, case: Any) -> None:
    x_shape, w_shape, bias, kwargs = case
    arrays = [_randn(x_shape, dtype), _randn(w_shape, dtype, 2),
              _randn(w_shape[:1], dtype, 3) if bias else None]
    top = "SqueezeBackward1" if len(x_shape) == 3 else "ConvolutionBackward0"
    _compare(torch, lambda lib, t: lib.nn.functional.conv2d(*t, **kwargs), arrays, dtype, top)


def test_conv2d_same_even_kernel_warns() -> None:
    with pytest.warns(UserWarning, match="padding='same' with even kernel lengths"):
        F.conv2d(tg.zeros(1, 1, 4, 4), tg.zeros(1, 1, 2, 2), padding="same")


def test_conv2d_grads_only_where_needed(torch: Any) -> None:
    x = tg.tensor(_randn((1, 2, 5, 5)))
    w = tg.tensor(_randn((3, 2, 3, 3), seed=1), requires_grad=True)
    F.conv2d(x, w).sum().backward()
    expected = torch.nn.functional.conv2d(torch.tensor(_np(x)),
                                          torch.tensor(_np(w), requires_grad=True))
    assert x.grad is None and w.grad is not None
    assert tuple(expected.shape) == (1, 3, 3, 3)
    with tg.no_grad():
        assert F.conv2d(x, w).grad_fn is None


@given(n=st.integers(1, 2), c=st.integers(1, 3), o=st.integers(1, 3),
       h=st.integers(1, 7), w=st.integers(1, 7), kh=st.integers(1, 3), kw=st.integers(1, 3),
       stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
       padding=st.tuples(st.integers(0, 2), st.integers(0, 2)),
       dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)))
def test_conv2d_shapes_hypothesis(n: int, c: int, o: int, h: int, w: int, kh: int, kw: int,
                                  stride: Any, padding: Any, dilation: Any) -> None:
    torch = pytest.importorskip("torch")
    if h + 2 * padding[0] < dilation[0] * (kh - 1) + 1 or \
            w + 2 * padding[1] < dilation[1] * (kw - 1) + 1:
        return  # kernel larger than the padded input: the errors are tested below
    kwargs = dict(stride=stride, padding=padding, dilation=dilation)
    arrays = [_randn((n, c, h, w)), _randn((o, c, kh, kw), seed=2), _randn((o,), seed=3)]
    _compare(torch, lambda lib, t: lib.nn.functional.conv2d(*t, **kwargs), arrays, "float64",
             "ConvolutionBackward0")


def test_conv2d_gradcheck() -> None:
    x = tg.tensor(_randn((2, 4, 5, 4)), requires_grad=True)
    w = tg.tensor(_randn((4, 2, 2, 3), seed=1), requires_grad=True)
    b = tg.tensor(_randn((4,), seed=2), requires_grad=True)

    def fn(x: Any, w: Any, b: Any) -> Any:
        return F.conv2d(x, w, b, stride=(2, 1), padding=1, dilation=(1, 2), groups=2)

    assert tg.autograd.gradcheck(fn, (x, w, b))
    assert tg.autograd.gradgradcheck(fn, (x, w, b))


def test_conv2d_double_backward_matches_torch(torch: Any) -> None:
    xa, wa = _randn((2, 2, 5, 5)), _randn((3, 2, 3, 3), seed=1)
    results = []
    for lib in (tg, torch):
        x, w = lib.tensor(xa, requires_grad=True), lib.tensor(wa, requires_grad=True)
        y = lib.nn.functional.conv2d(x, w, stride=2, padding=1)
        (gx,) = lib.autograd.grad((y * y).sum(), x, create_graph=True)
        (gw2,) = lib.autograd.grad((gx * gx).sum(), w)
        results.append((gx, gw2))
    for a, b in zip(*results):
        _close(a, b, "float64", "double backward")


# --------------------------------------------------------------------------- pooling

MAX_CASES = [  # (input shape, kwargs)
    ((2, 3, 6, 6), dict(kernel_size=2)),
    ((2, 2, 7, 5), dict(kernel_size=3, stride=2, padding=1)),
    ((1, 2, 7, 8), dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 1), dilation=(1, 2))),
    ((2, 5, 5), dict(kernel_size=2, stride=1)),  # unbatched, overlapping windows
    ((1, 2, 7, 6), dict(kernel_size=2, ceil_mode=True)),
    ((1, 1, 8, 7), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ((1, 1, 5, 5), dict(kernel_size=2, stride=2, padding=1, ceil_mode=True)),  # last dropped
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", MAX_CASES, ids=str)
def test_max_pool2d_matches_torch(torch: Any, dtype: str, case: Any) -> None:
    shape, kwargs = case
    _compare(torch, lambda lib, t: lib.nn.functional.max_pool2d(t[0], **kwargs),
             [_randn(shape, dtype)], dtype, "MaxPool2DWithIndicesBackward0")


@pytest.mark.parametrize("case", MAX_CASES, ids=str)
def test_max_pool2d_indices_match_torch(torch: Any, case: Any) -> None:
    shape, kwargs = case
    a = _randn(shape)
    for grad in (True, False):
        out, idx = F.max_pool2d(tg.tensor(a, requires_grad=grad), return_indices=True, **kwargs)
        _, expected = torch.nn.functional.max_pool2d(torch.tensor(a), return_indices=True,
                                                     **kwargs)
        assert idx.dtype == tg.int64
        np.testing.assert_array_equal(idx.numpy(), expected.numpy())
    layer = nn.MaxPool2d(return_indices=True, **kwargs)
    assert len(layer(tg.tensor(a))) == 2


@pytest.mark.parametrize("values", ["ties", "nan"])
def test_max_pool2d_ties_go_to_first_max(torch: Any, values: str) -> None:
    a = np.ones((1, 1, 5, 5))
    a[0, 0, 1:4, 1:4] = 2.0  # plateaus inside overlapping windows
    if values == "nan":
        a[0, 0, 2, 2] = a[0, 0, 3, 1] = np.nan
    _compare(torch, lambda lib, t: lib.nn.functional.max_pool2d(t[0], 3, 1, 1),
             [a], "float64", "MaxPool2DWithIndicesBackward0")


AVG_CASES = [
    ((2, 3, 6, 6), dict(kernel_size=2)),
    ((2, 2, 7, 5), dict(kernel_size=3, stride=2, padding=1)),
    ((2, 2, 7, 5), dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)),
    ((1, 2, 7, 8), dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 1), divisor_override=4)),
    ((2, 5, 5), dict(kernel_size=2, stride=1)),
    ((1, 2, 7, 6), dict(kernel_size=2, ceil_mode=True)),
    ((1, 1, 8, 7), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ((1, 1, 8, 7), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True,
                        count_include_pad=False)),
    ((1, 1, 5, 5), dict(kernel_size=2, stride=2, padding=1, ceil_mode=True)),  # last dropped
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", AVG_CASES, ids=str)
def test_avg_pool2d_matches_torch(torch: Any, dtype: str, case: Any) -> None:
    shape, kwargs = case
    _compare(torch, lambda lib, t: lib.nn.functional.avg_pool2d(t[0], **kwargs),
             [_randn(shape, dtype)], dtype, "AvgPool2DBackward0")


@pytest.mark.parametrize("size", [(2, 3), 3, (None, 2), 1, (7, 6)], ids=str)
def test_adaptive_avg_pool2d_matches_torch(torch: Any, size: Any) -> None:
    name = "MeanBackward1" if size == 1 else "AdaptiveAvgPool2DBackward0"  # torch's mean
    _compare(torch, lambda lib, t: lib.nn.AdaptiveAvgPool2d(size)(t[0]),
             [_randn((2, 3, 7, 6))], "float64", name)


@pytest.mark.parametrize("pool", [
    lambda x: F.max_pool2d(x, 3, 2, 1, dilation=(1, 2), ceil_mode=True),
    lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
    lambda x: F.adaptive_avg_pool2d(x, (2, 3)),
], ids=["max", "avg", "adaptive"])
def test_pool_gradcheck(pool: Callable[[Any], Any]) -> None:
    # a permutation: distinct values, so max pool's argmax is stable under perturbation
    a = np.random.default_rng(0).permutation(2 * 7 * 8).reshape(1, 2, 7, 8) / 10.0
    x = tg.tensor(a, requires_grad=True)
    assert tg.autograd.gradcheck(pool, (x,))
    assert tg.autograd.gradgradcheck(pool, (x,))


# ------------------------------------------------------------------ modules and init


@pytest.mark.parametrize("kwargs", [
    dict(in_channels=3, out_channels=8, kernel_size=3),
    dict(in_channels=4, out_channels=6, kernel_size=(3, 5), groups=2, bias=False),
    dict(in_channels=1, out_channels=2, kernel_size=2, stride=2, padding=1),
    dict(in_channels=2, out_channels=2, kernel_size=(3, 4), padding="same", dilation=(1, 2)),
    dict(in_channels=2, out_channels=2, kernel_size=3, padding="valid"),
], ids=str)
def test_conv2d_init_and_state_dict_match_torch(torch: Any, kwargs: Any) -> None:
    tg.manual_seed(7)
    torch.manual_seed(7)
    ours, theirs = nn.Conv2d(**kwargs), torch.nn.Conv2d(**kwargs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for (name, a), b in zip(ours.state_dict().items(), theirs.state_dict().values()):
        assert tuple(a.shape) == tuple(b.shape), name
        np.testing.assert_array_equal(_np(a), _np(b), err_msg=name)  # bit for bit
    for attr in ("kernel_size", "stride", "padding", "dilation", "groups", "output_padding",
                 "transposed", "padding_mode", "_reversed_padding_repeated_twice"):
        assert getattr(ours, attr) == getattr(theirs, attr), attr


def test_conv2d_dtype_argument() -> None:
    layer = nn.Conv2d(1, 2, 3, dtype=tg.float64)
    assert layer.weight.dtype == layer.bias.dtype == tg.float64  # type: ignore[union-attr]


@pytest.mark.parametrize("make", [
    lambda nn: nn.Conv2d(3, 4, 3),
    lambda nn: nn.Conv2d(3, 4, (3, 5), stride=2, padding=1, dilation=2, bias=False),
    lambda nn: nn.Conv2d(4, 4, 3, padding="same", groups=2),
    lambda nn: nn.Conv2d(3, 4, 3, padding="valid"),
    lambda nn: nn.MaxPool2d(2),
    lambda nn: nn.MaxPool2d((2, 3), stride=1, padding=1, dilation=2, ceil_mode=True),
    lambda nn: nn.AvgPool2d(2),
    lambda nn: nn.AvgPool2d(3, 1, 1, True, False, 2),
    lambda nn: nn.AdaptiveAvgPool2d((2, 3)),
    lambda nn: nn.Sequential(nn.Conv2d(1, 2, 3), nn.MaxPool2d(2)),
])
def test_reprs_match_torch(torch: Any, make: Callable[[Any], Any]) -> None:
    assert repr(make(nn)) == repr(make(torch.nn))


# ---------------------------------------------------------------------------- errors


def _sets_sorted(message: str) -> str:
    """A message with each printed ``{...}`` set sorted: Python prints a set in an order
    that depends on the hash seed of the process that compiled it."""
    return re.sub(r"\{([^}]*)\}", lambda m: str(sorted(m.group(1).split(", "))), message)


def _raises_like(torch: Any, call: Callable[[Any], Any]) -> None:
    """``call(lib)`` raises the same exception class with the same message in both."""
    with pytest.raises(Exception) as expected:
        call(torch)
    with pytest.raises(expected.type) as got:
        call(tg)
    assert _sets_sorted(str(got.value)) == _sets_sorted(str(expected.value))


def _conv(x: tuple[int, ...], w: tuple[int, ...], b: Any = None, dtype: str = "float32",
          **kwargs: Any) -> Callable[[Any], Any]:
    def call(lib: Any) -> Any:
        bias = None if b is None else lib.zeros(b)
        weight = lib.zeros(w, dtype=getattr(lib, dtype))
        return lib.nn.functional.conv2d(lib.zeros(x), weight, bias, **kwargs)
    return call


ERRORS = {
    "channels": _conv((1, 2, 5, 5), (4, 3, 3, 3)),
    "groups channels": _conv((1, 4, 5, 5), (4, 3, 3, 3), groups=2),
    "unbatched channels": _conv((2, 5, 5), (4, 3, 3, 3)),
    "2d input": _conv((5, 5), (4, 3, 3, 3)),
    "kernel too large": _conv((1, 3, 2, 2), (4, 3, 3, 3)),
    "dilated kernel too large": _conv((1, 3, 4, 4), (4, 3, 3, 3), dilation=2),
    "weight 3d": _conv((1, 3, 5, 5), (4, 3, 3)),
    "bias size": _conv((1, 3, 5, 5), (4, 3, 3, 3), 3),
    "zero stride": _conv((1, 3, 5, 5), (4, 3, 3, 3), stride=0),
    "negative padding": _conv((1, 3, 5, 5), (4, 3, 3, 3), padding=-1),
    "same strided": _conv((1, 3, 5, 5), (4, 3, 3, 3), padding="same", stride=2),
    "bad padding string": _conv((1, 3, 5, 5), (4, 3, 3, 3), padding="foo"),
    "dtype": _conv((1, 3, 5, 5), (4, 3, 3, 3), dtype="float64"),
    "module padding_mode": lambda lib: lib.nn.Conv2d(3, 4, 3, padding_mode="foo"),
    "module in groups": lambda lib: lib.nn.Conv2d(3, 4, 3, groups=2),
    "module out groups": lambda lib: lib.nn.Conv2d(4, 3, 3, groups=2),
    "module groups 0": lambda lib: lib.nn.Conv2d(4, 4, 3, groups=0),
    "module same strided": lambda lib: lib.nn.Conv2d(4, 4, 3, padding="same", stride=2),
    "module padding string": lambda lib: lib.nn.Conv2d(4, 4, 3, padding="foo"),
    "module bad input": lambda lib: lib.nn.Conv2d(3, 4, 3)(lib.zeros(1, 2, 5, 5)),
    "max pad": lambda lib: lib.nn.functional.max_pool2d(lib.zeros(1, 1, 5, 5), 3, padding=2),
    "avg pad": lambda lib: lib.nn.functional.avg_pool2d(lib.zeros(1, 1, 5, 5), 3, padding=2),
    "max 2d": lambda lib: lib.nn.functional.max_pool2d(lib.zeros(5, 5), 3),
    "avg 2d": lambda lib: lib.nn.functional.avg_pool2d(lib.zeros(5, 5), 3),
    "max too small": lambda lib: lib.nn.MaxPool2d(3)(lib.zeros(1, 1, 2, 2)),
    "avg too small": lambda lib: lib.nn.AvgPool2d(3)(lib.zeros(1, 1, 2, 2)),
    "max stride 0": lambda lib: lib.nn.functional.max_pool2d(lib.zeros(1, 1, 5, 5), 2, 0),
    "max kernel 0": lambda lib: lib.nn.functional.max_pool2d(lib.zeros(1, 1, 5, 5), 0),
    "avg divisor 0": lambda lib: lib.nn.functional.avg_pool2d(lib.zeros(1, 1, 5, 5), 2,
                                                              divisor_override=0),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(torch: Any, name: str) -> None:
    _raises_like(torch, ERRORS[name])


PADDING_MODE_CASES = [  # (layer, input shape, kwargs)
    ("Conv1d", (2, 3, 7), dict(padding=2)),
    ("Conv1d", (3, 7), dict(padding="same", dilation=2)),  # unbatched
    ("Conv2d", (2, 3, 6, 5), dict(padding=(1, 2), stride=2)),
    ("Conv2d", (2, 4, 5, 6), dict(padding="same", groups=2, kernel_size=(2, 3))),
    ("Conv2d", (3, 5, 6), dict(padding=1, bias=False)),  # unbatched
    ("Conv3d", (1, 3, 4, 5, 4), dict(padding=(1, 0, 2))),
    ("Conv3d", (2, 3, 3, 4, 5), dict(padding="same")),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("case", PADDING_MODE_CASES, ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}")
def test_conv_padding_modes_match_torch(torch: Any, case: Any, mode: str, dtype: str) -> None:
    """padding_mode pads with F.pad, then convolves unpadded (as PyTorch's _ConvNd):
    the same weights give the same output and the same input, weight and bias grads."""
    name, shape, kwargs = case
    kwargs = dict(dict(kernel_size=3), **kwargs)
    tg.manual_seed(3)
    torch.manual_seed(3)
    in_channels = shape[-int(name[-2]) - 1]  # Conv{n}d: the dim before the n spatial ones
    ours = getattr(nn, name)(in_channels, 4, padding_mode=mode, **kwargs)
    theirs = getattr(torch.nn, name)(in_channels, 4, padding_mode=mode, **kwargs)
    ours.to(getattr(tg, dtype))
    theirs.to(getattr(torch, dtype))
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    assert repr(ours) == repr(theirs)
    assert ours._reversed_padding_repeated_twice == theirs._reversed_padding_repeated_twice
    x = _randn(shape, dtype)
    a, b = tg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours(a), theirs(b)
    _close(out, expected, dtype, "forward")
    assert out.grad_fn.name() == expected.grad_fn.name()
    g = _randn(tuple(expected.shape), dtype, seed=1)
    out.backward(tg.tensor(g))
    expected.backward(torch.tensor(g))
    _close(a.grad, b.grad, dtype, "input grad")
    for (k, p), q in zip(ours.named_parameters(), theirs.parameters()):
        _close(p.grad, q.grad, dtype, f"{k} grad")
    ours.load_state_dict({k: tg.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})


PADDING_MODE_ERRORS = {
    "bad padding_mode": lambda lib: lib.nn.Conv1d(2, 4, 3, padding_mode="reflection"),
    "transposed 2d padding_mode": lambda lib: lib.nn.ConvTranspose2d(2, 4, 3,
                                                                     padding_mode="circular"),
    "reflect pad too large": lambda lib: lib.nn.Conv1d(2, 4, 3, padding=3,
                                                       padding_mode="reflect")(lib.zeros(1, 2, 3)),
    "circular wraps twice": lambda lib: lib.nn.Conv2d(2, 4, 3, padding=3, padding_mode="circular")(
        lib.zeros(1, 2, 2, 2)),
}


@pytest.mark.parametrize("name", list(PADDING_MODE_ERRORS))
def test_conv_padding_mode_errors_match_torch(torch: Any, name: str) -> None:
    _raises_like(torch, PADDING_MODE_ERRORS[name])


# ----------------------------------------------------------------------- a small CNN


def test_cnn_trains_like_torch(torch: Any) -> None:
    def run(lib: Any) -> list[float]:
        lib.manual_seed(0)
        model = lib.nn.Sequential(
            lib.nn.Conv2d(1, 4, 3, padding=1), lib.nn.ReLU(), lib.nn.MaxPool2d(2),
            lib.nn.Conv2d(4, 6, 3, stride=1), lib.nn.ReLU(), lib.nn.AvgPool2d(2),
            lib.nn.Flatten(), lib.nn.Linear(6, 3),
        )
        optimizer = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        x = lib.tensor(_randn((16, 1, 8, 8), "float32"))
        y = lib.tensor(np.random.default_rng(1).integers(0, 3, 16))
        losses = []
        for _ in range(5):
            optimizer.zero_grad()
            loss = lib.nn.CrossEntropyLoss()(model(x), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        return losses

    ours, theirs = run(tg), run(torch)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    assert ours[-1] < ours[0]  # it learns


# ------------------------------------------- conv1d, conv3d, conv_transpose1d/2d

ND_CASES = [  # (function, input shape, weight shape, bias, kwargs)
    ("conv1d", (2, 3, 9), (4, 3, 3), True, {}),
    ("conv1d", (2, 4, 11), (6, 2, 2), False, dict(stride=2, padding=1, dilation=2, groups=2)),
    ("conv1d", (2, 3, 8), (4, 3, 4), True, dict(padding="same")),
    ("conv1d", (3, 9), (4, 3, 3), True, dict(padding="valid", stride=[3])),  # unbatched
    ("conv3d", (2, 2, 5, 6, 4), (3, 2, 3, 2, 2), True, {}),
    ("conv3d", (1, 4, 6, 5, 7), (4, 2, 2, 3, 2), True,
     dict(stride=(2, 1, 3), padding=(1, 0, 2), dilation=(1, 2, 1), groups=2)),
    ("conv3d", (2, 4, 4, 4), (3, 2, 3, 3, 3), True, dict(padding="same")),
    ("conv_transpose1d", (2, 3, 7), (3, 4, 3), True, {}),
    ("conv_transpose1d", (2, 4, 6), (4, 3, 3), True,
     dict(stride=3, padding=2, output_padding=1, groups=2, dilation=2)),
    ("conv_transpose1d", (3, 5), (3, 2, 2), False, dict(stride=2)),  # unbatched
    ("conv_transpose2d", (2, 3, 5, 4), (3, 4, 3, 3), True, {}),
    ("conv_transpose2d", (2, 4, 5, 6), (4, 3, 3, 2), True,
     dict(stride=(2, 3), padding=(1, 0), output_padding=(1, 2), groups=2, dilation=(1, 2))),
    ("conv_transpose2d", (1, 2, 3, 3), (2, 1, 4, 4), False,
     dict(stride=2, padding=1, dilation=2, output_padding=1)),
    ("conv_transpose3d", (2, 3, 3, 4, 2), (3, 2, 2, 3, 2), True, {}),
    ("conv_transpose3d", (1, 4, 3, 4, 2), (4, 2, 2, 3, 2), True,
     dict(stride=(2, 1, 2), padding=(1, 0, 1), output_padding=(1, 0, 1), groups=2,
          dilation=(1, 2, 1))),
    ("conv_transpose3d", (2, 3, 3, 3), (2, 1, 2, 2, 2), False, dict(stride=2)),  # unbatched
]


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", ND_CASES, ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}-{c[4]}")
def test_conv_nd_matches_torch(torch: Any, dtype: str, case: Any) -> None:
    name, x_shape, w_shape, bias, kwargs = case
    transposed = name.startswith("conv_transpose")
    out_channels = w_shape[1] * kwargs.get("groups", 1) if transposed else w_shape[0]
    arrays = [_randn(x_shape, dtype), _randn(w_shape, dtype, 2),
              _randn((out_channels,), dtype, 3) if bias else None]
    top = "SqueezeBackward1" if len(x_shape) == len(w_shape) - 1 else "ConvolutionBackward0"
    _compare(torch, lambda lib, t: getattr(lib.nn.functional, name)(*t, **kwargs), arrays,
             dtype, top)


@pytest.mark.parametrize("name, x_shape, w_shape, kwargs", [
    ("conv1d", (2, 4, 7), (4, 2, 3), dict(stride=2, padding=1, groups=2)),
    ("conv3d", (1, 2, 4, 3, 4), (2, 1, 2, 2, 2), dict(padding=(1, 0, 1), groups=2)),
    ("conv_transpose1d", (2, 4, 4), (4, 1, 3), dict(stride=2, output_padding=1, groups=2)),
    ("conv_transpose2d", (1, 2, 3, 3), (2, 2, 2, 3), dict(stride=(2, 1), padding=(0, 1))),
    ("conv_transpose3d", (1, 2, 2, 2, 3), (2, 1, 2, 1, 2), dict(stride=(1, 2, 1), groups=2)),
])
def test_conv_nd_gradcheck(name: str, x_shape: Any, w_shape: Any, kwargs: Any) -> None:
    groups = kwargs.get("groups", 1)
    out_channels = w_shape[1] * groups if name.startswith("conv_t") else w_shape[0]
    args = [tg.tensor(_randn(s, seed=i), requires_grad=True)
            for i, s in enumerate((x_shape, w_shape, (out_channels,)))]

    def fn(x: Any, w: Any, b: Any) -> Any:
        return getattr(F, name)(x, w, b, **kwargs)

    assert tg.autograd.gradcheck(fn, args)
    assert tg.autograd.gradgradcheck(fn, args)


@pytest.mark.parametrize("make", [
    lambda nn: nn.Conv1d(2, 4, 3),
    lambda nn: nn.Conv1d(2, 4, 3, padding="same", bias=False),
    lambda nn: nn.Conv3d(2, 4, (1, 2, 3), stride=2, padding=1, groups=2, dilation=2),
    lambda nn: nn.ConvTranspose1d(2, 4, 3),
    lambda nn: nn.ConvTranspose2d(2, 6, 3, stride=2, padding=1, output_padding=1, groups=2),
    lambda nn: nn.ConvTranspose2d(3, 2, (2, 3), dilation=(1, 2), bias=False),
    lambda nn: nn.ConvTranspose3d(2, 4, (2, 1, 2), stride=2, output_padding=(1, 0, 0)),
])
def test_conv_nd_modules_match_torch(torch: Any, make: Callable[[Any], Any]) -> None:
    """Same repr, same initial weights after the same seed, state dicts loading both ways,
    and the same output and gradients."""
    tg.manual_seed(5)
    torch.manual_seed(5)
    ours, theirs = make(nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    state = ours.state_dict()
    assert list(state) == list(theirs.state_dict())
    for key, value in theirs.state_dict().items():
        np.testing.assert_array_equal(state[key].numpy(), value.numpy(), err_msg=key)
    ours.load_state_dict({k: tg.tensor(v.numpy() * 2) for k, v in theirs.state_dict().items()})
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    shape = (2, ours.in_channels) + (7,) * len(ours.kernel_size)
    x = _randn(shape, "float32")
    a, b = tg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours(a), theirs(b)
    _close(out, expected, "float32", "forward")
    out.sum().backward()
    expected.sum().backward()
    _close(a.grad, b.grad, "float32", "input grad")
    _close(ours.weight.grad, theirs.weight.grad, "float32", "weight grad")


def test_conv_transpose_output_size_matches_torch(torch: Any) -> None:
    for lib in (tg, torch):
        lib.manual_seed(0)
    ours, theirs = nn.ConvTranspose2d(2, 3, 3, stride=2), torch.nn.ConvTranspose2d(2, 3, 3, 2)
    ours.load_state_dict({k: tg.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    x = _randn((1, 2, 5, 5), "float32")
    for size in ([12, 11], [1, 2, 11, 12]):
        _close(ours(tg.tensor(x), output_size=size), theirs(torch.tensor(x), output_size=size),
               "float32", f"output_size={size}")
    with pytest.raises(ValueError) as expected:
        theirs(torch.zeros(1, 2, 5, 5), output_size=(14, 12))
    with pytest.raises(ValueError) as got:
        ours(tg.zeros(1, 2, 5, 5), output_size=(14, 12))
    assert str(got.value) == str(expected.value).replace("torch.Size", "tinygrad_edu.Size")


def _fn(name: str, x: tuple[int, ...], w: tuple[int, ...], b: Any = None,
        dtype: str = "float32", **kwargs: Any) -> Callable[[Any], Any]:
    def call(lib: Any) -> Any:
        bias = None if b is None else lib.zeros(b)
        weight = lib.zeros(w, dtype=getattr(lib, dtype))
        return getattr(lib.nn.functional, name)(lib.zeros(x), weight, bias, **kwargs)
    return call


ND_ERRORS = {
    "conv1d 4d input": _fn("conv1d", (2, 3, 6, 7), (4, 3, 3)),
    "conv1d 4d weight": _fn("conv1d", (2, 3, 9), (4, 3, 3, 3)),
    "conv1d 2d weight": _fn("conv1d", (2, 3, 9), (4, 3)),
    "conv1d stride pair": _fn("conv1d", (2, 3, 9), (4, 3, 3), stride=(1, 2)),
    "conv1d too short": _fn("conv1d", (2, 3, 2), (4, 3, 3)),
    "conv3d channels": _fn("conv3d", (2, 2, 5, 5, 5), (4, 3, 3, 3, 3)),
    "conv3d too small": _fn("conv3d", (2, 3, 2, 5, 5), (4, 3, 3, 3, 3)),
    "conv3d 4d weight": _fn("conv3d", (2, 3, 9, 9, 9), (4, 3, 3, 3)),
    "transposed channels": _fn("conv_transpose2d", (2, 2, 5, 5), (3, 4, 3, 3)),
    "transposed bias": _fn("conv_transpose2d", (2, 3, 5, 5), (3, 4, 3, 3), 3),
    "transposed dtype": _fn("conv_transpose2d", (2, 3, 5, 5), (3, 4, 3, 3), dtype="float64"),
    "transposed stride 0": _fn("conv_transpose2d", (2, 3, 5, 5), (3, 4, 3, 3), stride=0),
    "transposed padding -1": _fn("conv_transpose2d", (2, 3, 5, 5), (3, 4, 3, 3), padding=-1),
    "transposed same": _fn("conv_transpose2d", (2, 3, 5, 5), (3, 4, 3, 3), padding="same"),
    "transposed 2d input": _fn("conv_transpose2d", (5, 5), (3, 4, 3, 3)),
    "output padding": _fn("conv_transpose2d", (2, 4, 5, 5), (4, 2, 3, 3), groups=2,
                          output_padding=1),
    "output padding 1d": _fn("conv_transpose1d", (2, 3, 9), (3, 4, 3), stride=2,
                             output_padding=2),
    "output padding pair 1d": _fn("conv_transpose1d", (2, 4, 5), (4, 2, 3), stride=2,
                                  output_padding=(1, 1)),
    "transposed 3d channels": _fn("conv_transpose3d", (2, 2, 3, 3, 3), (3, 4, 2, 2, 2)),
    "transposed 3d weight": _fn("conv_transpose3d", (2, 3, 3, 3, 3), (3, 4, 2, 2)),
    "transposed module padding_mode": lambda lib: lib.nn.ConvTranspose1d(2, 4, 3,
                                                                         padding_mode="reflect"),
}


@pytest.mark.parametrize("name", list(ND_ERRORS))
def test_conv_nd_errors_match_torch(torch: Any, name: str) -> None:
    _raises_like(torch, ND_ERRORS[name])


# ----------------------------------------------------- max_pool1d, avg_pool1d, BatchNorm3d

POOL1D_CASES = [  # (function, input shape, kwargs)
    ("max_pool1d", (2, 3, 9), dict(kernel_size=2)),
    ("max_pool1d", (2, 3, 10), dict(kernel_size=3, stride=2, padding=1, dilation=2,
                                    ceil_mode=True)),
    ("max_pool1d", (3, 9), dict(kernel_size=[3], stride=(1,))),
    ("avg_pool1d", (2, 3, 9), dict(kernel_size=3)),
    ("avg_pool1d", (2, 3, 10), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True,
                                    count_include_pad=False)),
    ("avg_pool1d", (3, 8), dict(kernel_size=(2,), padding=1)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", POOL1D_CASES, ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}")
def test_pool1d_matches_torch(torch: Any, dtype: str, case: Any) -> None:
    name, shape, kwargs = case
    _compare(torch, lambda lib, t: getattr(lib.nn.functional, name)(*t, **kwargs),
             [_randn(shape, dtype)], dtype, "SqueezeBackward1")


def test_max_pool1d_indices_match_torch(torch: Any) -> None:
    x = _randn((2, 3, 11))
    ours = F.max_pool1d(tg.tensor(x), 3, 2, 1, return_indices=True)
    theirs = torch.nn.functional.max_pool1d(torch.tensor(x), 3, 2, 1, return_indices=True)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("make", [
    lambda nn: nn.MaxPool1d(3),
    lambda nn: nn.MaxPool1d(3, 2, 1, 2, ceil_mode=True),
    lambda nn: nn.AvgPool1d(3, 2, 1),
    lambda nn: nn.AvgPool1d(2, count_include_pad=False),
    lambda nn: nn.BatchNorm3d(4),
    lambda nn: nn.BatchNorm3d(4, momentum=None, affine=False),
])
def test_pool1d_bn3d_reprs_match_torch(torch: Any, make: Callable[[Any], Any]) -> None:
    assert repr(make(nn)) == repr(make(torch.nn))


def test_batchnorm3d_matches_torch(torch: Any) -> None:
    ours, theirs = nn.BatchNorm3d(3), torch.nn.BatchNorm3d(3)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    x = _randn((2, 3, 4, 3, 5), "float32")
    for train in (True, False):
        ours.train(train)
        theirs.train(train)
        a, b = tg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        out, expected = ours(a), theirs(b)
        _close(out, expected, "float32", "forward")
        (out * out).sum().backward()
        (expected * expected).sum().backward()
        _close(a.grad, b.grad, "float32", "input grad")
        _close(ours.running_var, theirs.running_var, "float32", "running_var")
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})


POOL1D_ERRORS = {
    "max 1d input": lambda lib: lib.nn.functional.max_pool1d(lib.zeros(9), 2),
    "max 4d input": lambda lib: lib.nn.functional.max_pool1d(lib.zeros(1, 2, 3, 9), 2),
    "avg 1d input": lambda lib: lib.nn.functional.avg_pool1d(lib.zeros(9), 2),
    "avg 4d input": lambda lib: lib.nn.functional.avg_pool1d(lib.zeros(1, 2, 3, 9), 2),
    "max pad": lambda lib: lib.nn.functional.max_pool1d(lib.zeros(2, 3, 9), 5, padding=3),
    "max too small": lambda lib: lib.nn.functional.max_pool1d(lib.zeros(2, 3, 9), 15),
    "avg too small": lambda lib: lib.nn.functional.avg_pool1d(lib.zeros(2, 3, 9), 15),
    "max kernel pair": lambda lib: lib.nn.functional.max_pool1d(lib.zeros(2, 3, 9), (2, 2)),
    "bn3d 4d input": lambda lib: lib.nn.BatchNorm3d(3)(lib.zeros(2, 3, 4, 4)),
}


@pytest.mark.parametrize("name", list(POOL1D_ERRORS))
def test_pool1d_errors_match_torch(torch: Any, name: str) -> None:
    _raises_like(torch, POOL1D_ERRORS[name])


# ------------------------------------------------------------ max_pool3d, avg_pool3d

POOL3D_CASES = [  # (name, input shape, kwargs)
    ("max", (2, 3, 4, 6, 5), dict(kernel_size=2)),
    ("max", (1, 2, 5, 6, 7), dict(kernel_size=(2, 3, 2), stride=(1, 2, 1), padding=(1, 1, 0),
                                  dilation=(1, 1, 2))),
    ("max", (2, 5, 6, 7), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ("avg", (2, 3, 4, 6, 5), dict(kernel_size=2)),
    ("avg", (1, 2, 5, 6, 7), dict(kernel_size=(3, 2, 3), stride=2, padding=1, ceil_mode=True,
                                  count_include_pad=False)),
    ("avg", (2, 5, 6, 7), dict(kernel_size=3, stride=2, padding=1, divisor_override=5)),
    ("avg", (1, 1, 5, 6, 7), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
]
POOL3D_NAMES = {"max": "MaxPool3DWithIndicesBackward0", "avg": "AvgPool3DBackward0"}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", POOL3D_CASES, ids=str)
def test_pool3d_matches_torch(torch: Any, dtype: str, case: Any) -> None:
    kind, shape, kwargs = case
    _compare(torch, lambda lib, t: getattr(lib.nn.functional, f"{kind}_pool3d")(t[0], **kwargs),
             [_randn(shape, dtype)], dtype, POOL3D_NAMES[kind])
    module = getattr(nn, f"{kind.capitalize()}Pool3d")(**kwargs)
    theirs = getattr(torch.nn, f"{kind.capitalize()}Pool3d")(**kwargs)
    assert repr(module) == repr(theirs)


@pytest.mark.parametrize("case", [c for c in POOL3D_CASES if c[0] == "max"], ids=str)
def test_max_pool3d_indices_match_torch(torch: Any, case: Any) -> None:
    _, shape, kwargs = case
    a = _randn(shape)
    for grad in (True, False):
        _, idx = F.max_pool3d(tg.tensor(a, requires_grad=grad), return_indices=True, **kwargs)
        _, expected = torch.nn.functional.max_pool3d(torch.tensor(a), return_indices=True,
                                                     **kwargs)
        np.testing.assert_array_equal(idx.numpy(), expected.numpy())
    assert len(nn.MaxPool3d(return_indices=True, **kwargs)(tg.tensor(a))) == 2


@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pool3d_double_backward_matches_torch(torch: Any, kind: str) -> None:
    a, names = _randn((1, 2, 5, 4, 5)), []
    grads = []
    for lib in (tg, torch):
        x = lib.tensor(a, requires_grad=True)
        y = getattr(lib.nn.functional, f"{kind}_pool3d")(x, 3, 2, 1, ceil_mode=True)
        g = lib.tensor(_randn(tuple(y.shape), seed=2), requires_grad=True)
        (gx,) = lib.autograd.grad(y, x, g, create_graph=True)
        (gg,) = lib.autograd.grad((gx * lib.tensor(a)).sum(), g)
        grads.append((gx.detach().numpy(), gg.numpy()))
        names.append(gx.grad_fn.name())
    for mine, theirs in zip(*grads):
        np.testing.assert_allclose(mine, theirs, rtol=1e-10, atol=1e-12)
    assert names[0] == names[1]


@pytest.mark.parametrize("pool", [
    lambda x: F.max_pool3d(x, 3, 2, 1, dilation=(1, 1, 2), ceil_mode=True),
    lambda x: F.avg_pool3d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
], ids=["max", "avg"])
def test_pool3d_gradcheck(pool: Callable[[Any], Any]) -> None:
    # a permutation: distinct values, so max pool's argmax is stable under perturbation
    a = np.random.default_rng(0).permutation(2 * 4 * 5 * 6).reshape(1, 2, 4, 5, 6) / 10.0
    x = tg.tensor(a, requires_grad=True)
    assert tg.autograd.gradcheck(pool, (x,))
    assert tg.autograd.gradgradcheck(pool, (x,))


POOL3D_ERRORS = {
    f"{kind} {what}": (lambda lib, kind=kind, shape=shape, kw=kw:
                       getattr(lib.nn.functional, f"{kind}_pool3d")(lib.zeros(shape), **kw))
    for kind in ("max", "avg") for what, shape, kw in [
        ("3d input", (2, 3, 4), dict(kernel_size=2)),
        ("6d input", (1, 2, 2, 4, 4, 4), dict(kernel_size=2)),
        ("zero stride", (1, 4, 4, 4), dict(kernel_size=2, stride=0)),
        ("pad", (1, 4, 4, 4), dict(kernel_size=2, padding=2)),
        ("too small", (1, 2, 2, 2), dict(kernel_size=3)),
        ("empty", (1, 0, 4, 4), dict(kernel_size=2)),
    ]
} | {
    "avg divisor": lambda lib: lib.nn.functional.avg_pool3d(lib.zeros(1, 4, 4, 4), 2,
                                                            divisor_override=0),
    "max dilation": lambda lib: lib.nn.functional.max_pool3d(lib.zeros(1, 4, 4, 4), 2,
                                                             dilation=0),
}


@pytest.mark.parametrize("name", list(POOL3D_ERRORS))
def test_pool3d_errors_match_torch(torch: Any, name: str) -> None:
    _raises_like(torch, POOL3D_ERRORS[name])


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int32", "int64", "float16"])
@pytest.mark.parametrize("name", ["max_pool2d", "max_pool3d", "avg_pool2d", "avg_pool3d"])
def test_pools_in_other_dtypes_match_torch(torch: Any, dtype: str, name: str) -> None:
    shape = (1, 2, 3, 5, 4)[: 5 if name.endswith("3d") else 4]
    a = np.round(_randn(shape) * 4).astype(dtype)

    def call(lib: Any) -> Any:
        return getattr(lib.nn.functional, name)(lib.tensor(a), 2, padding=1, ceil_mode=True)
    try:
        expected = call(torch)
    except Exception:  # noqa: BLE001  (then we raise the same, below)
        _raises_like(torch, call)
        return
    out = call(tg)
    assert str(out.dtype).split(".")[-1] == str(expected.dtype).split(".")[-1]
    np.testing.assert_array_equal(out.numpy(), expected.numpy())


# ----------------------------------------- adaptive_max_pool1d/2d/3d, adaptive_avg_pool1d/3d

ADAPTIVE_CASES = [  # (function, input shape, output_size, torch's grad_fn)
    ("adaptive_max_pool2d", (2, 3, 7, 6), (3, 4), "AdaptiveMaxPool2DBackward0"),
    ("adaptive_max_pool2d", (3, 7, 6), (None, 2), "AdaptiveMaxPool2DBackward0"),
    ("adaptive_max_pool2d", (2, 3, 5, 5), 1, "AdaptiveMaxPool2DBackward0"),
    ("adaptive_max_pool3d", (2, 3, 5, 6, 7), (2, 3, 4), "AdaptiveMaxPool3DBackward0"),
    ("adaptive_max_pool3d", (3, 5, 6, 7), 3, "AdaptiveMaxPool3DBackward0"),
    ("adaptive_max_pool1d", (2, 3, 7), 3, "SqueezeBackward1"),
    ("adaptive_max_pool1d", (3, 7), (5,), "SqueezeBackward1"),
    ("adaptive_avg_pool1d", (2, 3, 7), 3, "SqueezeBackward1"),
    ("adaptive_avg_pool3d", (2, 3, 5, 6, 7), (2, 3, 4), "AdaptiveAvgPool3DBackward0"),
    ("adaptive_avg_pool3d", (3, 5, 6, 7), (None, 1, 2), "AdaptiveAvgPool3DBackward0"),
    ("adaptive_avg_pool3d", (3, 5, 6, 7), 1, "MeanBackward1"),
]


def _distinct(shape: tuple[int, ...], dtype: str = "float64") -> np.ndarray:
    """Distinct values (a permutation): each max is unique, stable under perturbation."""
    size = int(np.prod(shape))
    return (np.random.default_rng(0).permutation(size).reshape(shape) / 7.0).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", ADAPTIVE_CASES, ids=str)
def test_adaptive_pools_match_torch(torch: Any, dtype: str, case: Any) -> None:
    name, shape, size, grad_fn = case
    _compare(torch, lambda lib, t: getattr(lib.nn.functional, name)(t[0], size),
             [_distinct(shape, dtype)], dtype, grad_fn)
    module = "Adaptive" + name[9:12].capitalize() + "Pool" + name[-2:]
    assert repr(getattr(nn, module)(size)) == repr(getattr(torch.nn, module)(size))
    if "max" in name:
        a = _distinct(shape, dtype)
        for grad in (True, False):
            _, idx = getattr(F, name)(tg.tensor(a, requires_grad=grad), size, True)
            _, expected = getattr(torch.nn.functional, name)(torch.tensor(a), size, True)
            np.testing.assert_array_equal(idx.numpy(), expected.numpy())
        assert len(getattr(nn, module)(size, return_indices=True)(tg.tensor(a))) == 2


@pytest.mark.parametrize("pool", [
    lambda x: F.adaptive_max_pool2d(x[0], (3, 4)),
    lambda x: F.adaptive_max_pool3d(x, (3, 2, 4)),
    lambda x: F.adaptive_avg_pool3d(x, (3, 2, 4)),
    lambda x: F.adaptive_avg_pool1d(x[0, 0], 4),
], ids=["max2d", "max3d", "avg3d", "avg1d"])
def test_adaptive_pools_gradcheck(pool: Callable[[Any], Any]) -> None:
    x = tg.tensor(_distinct((1, 2, 5, 4, 7)), requires_grad=True)
    assert tg.autograd.gradcheck(pool, (x,))
    assert tg.autograd.gradgradcheck(pool, (x,))


@pytest.mark.parametrize("name", ["adaptive_max_pool3d", "adaptive_avg_pool3d",
                                  "adaptive_max_pool2d"])
def test_adaptive_pools_double_backward_matches_torch(torch: Any, name: str) -> None:
    a, results = _distinct((1, 2, 5, 6, 7)), []
    for lib in (tg, torch):
        x = lib.tensor(a if name.endswith("3d") else a[0], requires_grad=True)
        y = getattr(lib.nn.functional, name)(x, 3)
        g = lib.tensor(_randn(tuple(y.shape), seed=2), requires_grad=True)
        (gx,) = lib.autograd.grad(y, x, g, create_graph=True)
        (gg,) = lib.autograd.grad((gx * x.detach() ** 2).sum(), g)
        results.append((gx.detach().numpy(), gg.numpy(), gx.grad_fn.name()))
    for mine, theirs in zip(results[0][:2], results[1][:2]):
        np.testing.assert_allclose(mine, theirs, rtol=1e-10, atol=1e-12)
    assert results[0][2] == results[1][2]


ADAPTIVE_ERRORS = {
    "max2d 2d input": lambda lib: lib.nn.functional.adaptive_max_pool2d(lib.zeros(2, 4), 2),
    "max3d 3d input": lambda lib: lib.nn.functional.adaptive_max_pool3d(lib.zeros(2, 4, 4), 2),
    "avg3d 3d input": lambda lib: lib.nn.functional.adaptive_avg_pool3d(lib.zeros(2, 4, 4), 2),
    "max1d 1d input": lambda lib: lib.nn.functional.adaptive_max_pool1d(lib.zeros(5), 2),
    "avg1d 4d input": lambda lib: lib.nn.functional.adaptive_avg_pool1d(lib.zeros(1, 2, 3, 5), 2),
    "max2d 3 sizes": lambda lib: lib.nn.functional.adaptive_max_pool2d(lib.zeros(1, 2, 4, 4),
                                                                       (2, 2, 2)),
    "avg3d 2 sizes": lambda lib: lib.nn.functional.adaptive_avg_pool3d(lib.zeros(1, 2, 4, 4),
                                                                       (2, 2)),
    "max2d empty": lambda lib: lib.nn.functional.adaptive_max_pool2d(lib.zeros(1, 0, 4, 4), 2),
    "avg1d 2 sizes": lambda lib: lib.nn.functional.adaptive_avg_pool1d(lib.zeros(2, 5), (2, 2)),
    "max1d 2 sizes": lambda lib: lib.nn.functional.adaptive_max_pool1d(lib.zeros(2, 5), (2, 2)),
}


@pytest.mark.parametrize("name", list(ADAPTIVE_ERRORS))
def test_adaptive_pool_errors_match_torch(torch: Any, name: str) -> None:
    _raises_like(torch, ADAPTIVE_ERRORS[name])


# ------------------------------------------------------------ max_unpool1d/2d/3d

UNPOOL_CASES = [  # (dims, pooled input shape, pool kwargs, output_size)
    (2, (2, 3, 6, 5), dict(kernel_size=2), (6, 5)),
    (2, (3, 7, 6), dict(kernel_size=3, stride=2, padding=1), (7, 6)),
    (2, (1, 2, 4, 4), dict(kernel_size=2, stride=1), None),  # shared maxima
    (3, (2, 2, 4, 5, 6), dict(kernel_size=2), (4, 5, 6)),
    (3, (2, 5, 4, 6), dict(kernel_size=2, stride=1), None),
    (1, (2, 3, 9), dict(kernel_size=3, stride=2), (2, 3, 9)),
]


@pytest.mark.parametrize("case", UNPOOL_CASES, ids=str)
def test_max_unpool_matches_torch(torch: Any, case: Any) -> None:
    n, shape, kwargs, size = case
    pooled, idx = torch.nn.functional.__dict__[f"max_pool{n}d"](
        torch.tensor(_randn(shape)), return_indices=True, **kwargs)

    def unpool(lib: Any, t: list[Any]) -> Any:
        layer = getattr(lib.nn, f"MaxUnpool{n}d")(**kwargs)
        return layer(t[0], lib.tensor(idx.numpy()), size)
    _compare(torch, unpool, [pooled.numpy()], "float64",
             "SqueezeBackward1" if n == 1 else f"MaxUnpool{n}DBackward0")
    assert repr(getattr(nn, f"MaxUnpool{n}d")(**kwargs)) == \
        repr(getattr(torch.nn, f"MaxUnpool{n}d")(**kwargs))


def test_max_unpool_gradcheck_and_double_backward() -> None:
    pooled, idx = F.max_pool2d(tg.tensor(_distinct((1, 2, 5, 6))), 2, return_indices=True)
    x = tg.tensor(pooled.numpy(), requires_grad=True)
    assert tg.autograd.gradcheck(lambda t: F.max_unpool2d(t, idx, 2), (x,))
    assert tg.autograd.gradgradcheck(lambda t: F.max_unpool2d(t, idx, 2), (x,))


def _unpool_call(name: str, x: tuple[int, ...], index: Any, **kwargs: Any) -> Any:
    def call(lib: Any) -> Any:
        i = lib.tensor(index(np.arange(int(np.prod(x))).reshape(x) % 4))
        return getattr(lib.nn.functional, name)(lib.ones(x), i, 2, **kwargs)
    return call


UNPOOL_ERRORS = {
    "index too big": _unpool_call("max_unpool2d", (1, 2, 2, 2), lambda i: i * 10),
    "negative index": _unpool_call("max_unpool2d", (1, 2, 2, 2), lambda i: -i - 1),
    "3d index too big": _unpool_call("max_unpool3d", (1, 2, 2, 2, 2), lambda i: i * 40),
    "index shape": _unpool_call("max_unpool2d", (1, 2, 2, 2), lambda i: i[:, :1]),
    "float index": _unpool_call("max_unpool2d", (1, 2, 2, 2), lambda i: i.astype(float)),
    "2d input": _unpool_call("max_unpool2d", (2, 2), lambda i: i),
    "3d on 3d input": _unpool_call("max_unpool3d", (2, 2, 2), lambda i: i),
    "output_size range": _unpool_call("max_unpool2d", (1, 2, 2, 2), lambda i: i,
                                      output_size=(7, 5)),
    "output_size length": _unpool_call("max_unpool2d", (1, 2, 2, 2), lambda i: i,
                                       output_size=(4,)),
    "int input": lambda lib: lib.nn.functional.max_unpool2d(
        lib.ones(1, 1, 1, 1, dtype=lib.int64), lib.zeros(1, 1, 1, 1, dtype=lib.int64), 2),
}


@pytest.mark.parametrize("name", list(UNPOOL_ERRORS))
def test_max_unpool_errors_match_torch(torch: Any, name: str) -> None:
    _raises_like(torch, UNPOOL_ERRORS[name])
