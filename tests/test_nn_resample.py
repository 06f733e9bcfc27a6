"""``F.pad``, ``F.unfold``, ``F.fold`` and their modules against PyTorch: errors (class
and message), grad_fn names, dtypes, reprs. Values and gradients of every mode are rows
of the op table (tests/test_ops.py: pad_*, F_unfold, F_fold)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg


@pytest.fixture
def torch() -> Any:
    return pytest.importorskip("torch")


def _same(torch: Any, fn: Any, shape: tuple[int, ...], dtype: str = "float64") -> None:
    """fn(lib, x) in both libraries: the same error, or the same values, dtype and node."""
    a = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    results = []
    for lib in (tg, torch):
        try:
            results.append(fn(lib, lib.tensor(a, requires_grad=dtype.startswith("float"))))
        except Exception as e:  # noqa: BLE001  (the error is the result compared)
            results.append(e)
    mine, theirs = results
    if isinstance(theirs, Exception):
        assert type(mine) is type(theirs) and str(mine) == str(theirs), (mine, theirs)
        return
    assert not isinstance(mine, Exception), mine
    np.testing.assert_allclose(mine.detach().numpy(), theirs.detach().numpy(), rtol=1e-6)
    assert str(mine.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    assert (mine.grad_fn and mine.grad_fn.name()) == (theirs.grad_fn and theirs.grad_fn.name())


PAD_CASES = [  # (shape, pad) for every mode
    ((2, 3, 5), (1, 2)), ((3, 5), (2, 0)), ((2, 3, 5), (-1, 2)), ((2, 3, 4, 5), (1, 2, 3, 0)),
    ((3, 4, 5), (-1, 2, 1, -2)), ((1, 2, 3, 4, 5), (1, 2, 2, 1, 1, 0)),
    ((2, 3, 4, 5), (1, 1, 1, 1, 1, 1)), ((2, 3, 5), (5, 1)), ((2, 3, 5), (-3, -2)),
    ((2, 3, 5), (-3, -3)), ((2, 3, 5), (1, 1, 1, 1, 1, 1, 1, 1)), ((2, 3, 5), (1,)),
    ((5,), (1, 1)), ((0, 5), (1, 1)), ((2, 0, 5), (1, 1)), ((2, 3, 5), (6, 1)),
    ((3, 2, 5), (1, 1, 1, 1)), ((3, 4), (4, 2)), ((2, 3, 5), (1, 1, 4, 1)),
    ((2, 3, 4, 5), (-3, -2, 0, 0)), ((2, 3, 4, 5), (-3, -3, -3, -3)),
    ((1, 3, 4, 5, 6), (-3, -3, -3, -3, -2, -2)), ((2, 3, 5), (-6, 2)),
]


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("shape,pad", PAD_CASES)
def test_pad_errors_and_nodes_like_torch(torch: Any, mode: str, shape: Any, pad: Any) -> None:
    if mode == "circular" and pad == (-6, 2):
        pytest.skip("torch crops past the input's end without an error: undefined values")
    _same(torch, lambda L, x: L.nn.functional.pad(x, pad, mode=mode), shape)


@pytest.mark.parametrize("call", [
    lambda L, x: L.nn.functional.pad(x, (1, 2), value=2.5),
    lambda L, x: L.nn.functional.pad(x, (1, 2), mode="reflect", value=2.5),
    lambda L, x: L.nn.functional.pad(x, (1, 2), mode="reflect", value=0),
    lambda L, x: L.nn.functional.pad(x, (1, 2), mode="wrap"),
    lambda L, x: L.nn.functional.pad(x, (1.5, 2)),
    lambda L, x: L.nn.functional.pad(x, 1),
    lambda L, x: L.nn.functional.pad(x, [1, 1], mode="circular").float(),
])
def test_pad_arguments_like_torch(torch: Any, call: Any) -> None:
    _same(torch, call, (2, 3))


@pytest.mark.parametrize("dtype,value", [("int64", -2.7), ("int32", 2.7), ("bool", 0.5)])
def test_pad_value_cast_to_the_dtype_like_torch(torch: Any, dtype: str, value: float) -> None:
    _same(torch, lambda L, x: L.nn.functional.pad(x, (1, 1), value=value), (2, 3), dtype)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_pad_float32_and_ints_like_torch(torch: Any, mode: str) -> None:
    _same(torch, lambda L, x: L.nn.functional.pad(x, (1, 2, 2, 1), mode=mode), (2, 3, 4),
          "float32")
    _same(torch, lambda L, x: L.nn.functional.pad(x, (1, 2), mode=mode), (2, 3), "int64")


def test_pad_double_backward_like_torch(torch: Any) -> None:
    """Reflect's backward is recorded (a scatter, whose own backward is the gather)."""
    a = np.random.default_rng(1).standard_normal((2, 4))
    out = []
    for L in (tg, torch):
        x = L.tensor(a, requires_grad=True)
        y = L.nn.functional.pad(x, (2, 1), mode="reflect")
        (g,) = L.autograd.grad((y * y).sum(), x, create_graph=True)
        (gg,) = L.autograd.grad(g.sum(), x)
        out.append((g.detach().numpy(), gg.numpy()))
    np.testing.assert_allclose(out[0][0], out[1][0])
    np.testing.assert_allclose(out[0][1], out[1][1])


WINDOW_CASES = [
    lambda L, x: L.nn.functional.unfold(x, 2),
    lambda L, x: L.nn.functional.unfold(x, (2, 3), stride=2, padding=1, dilation=(1, 2)),
    lambda L, x: L.nn.functional.unfold(x[0], 3),
    lambda L, x: L.nn.functional.unfold(x, 7),
    lambda L, x: L.nn.functional.unfold(x[:, :0], 2),
    lambda L, x: L.nn.functional.unfold(x, 0),
    lambda L, x: L.nn.functional.unfold(x, 2, stride=0),
    lambda L, x: L.nn.functional.unfold(x, 2, padding=-1),
    lambda L, x: L.nn.functional.unfold(x, 2, dilation=0),
    lambda L, x: L.nn.functional.unfold(x[0, 0], 2),
    lambda L, x: L.nn.functional.fold(x.reshape(2, 12, 15), (4, 7), 2),
    lambda L, x: L.nn.functional.fold(x.reshape(12, 30), (6, 6), 2),
    lambda L, x: L.nn.functional.fold(x.reshape(2, 12, 15), (4, 6), 2),
    lambda L, x: L.nn.functional.fold(x.reshape(2, 10, 18), (4, 7), 2),
    lambda L, x: L.nn.functional.fold(x.reshape(2, 12, 15), (0, 7), 2),
    lambda L, x: L.nn.functional.fold(x, (4, 7), 2),
]


@pytest.mark.parametrize("k", range(len(WINDOW_CASES)))
def test_unfold_fold_errors_and_nodes_like_torch(torch: Any, k: int) -> None:
    _same(torch, WINDOW_CASES[k], (2, 3, 6, 5))


def test_fold_of_unfold_counts_the_overlaps() -> None:
    x = tg.ones(1, 1, 3, 3)
    y = tg.nn.functional.fold(tg.nn.functional.unfold(x, 2), (3, 3), 2)
    assert y.tolist() == [[[[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]]]


MODULES = [
    ("ZeroPad1d", (2,)), ("ZeroPad2d", ((1, 2, 0, 1),)), ("ZeroPad3d", (1,)),
    ("ConstantPad1d", ((1, 2), 0.5)), ("ConstantPad2d", (1, -1.0)), ("ConstantPad3d", (1, 2.0)),
    ("ReflectionPad1d", (2,)), ("ReflectionPad2d", ((1, 2, 0, 1),)), ("ReflectionPad3d", (1,)),
    ("ReplicationPad1d", (2,)), ("ReplicationPad2d", (1,)), ("ReplicationPad3d", (1,)),
    ("CircularPad1d", (2,)), ("CircularPad2d", ((1, 2, 0, 1),)), ("CircularPad3d", (1,)),
    ("Unfold", (2,)), ("Unfold", ((2, 3), 1, 1, 2)), ("Fold", ((4, 5), 2)),
]


@pytest.mark.parametrize("name,args", MODULES)
@pytest.mark.parametrize("shape", [(2, 3, 4), (2, 2, 3, 4), (1, 2, 3, 3, 4), (4,)])
def test_modules_like_torch(torch: Any, name: str, args: Any, shape: Any) -> None:
    mine, theirs = getattr(tg.nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(mine) == repr(theirs)
    if name == "Fold":
        shape = (2, 12, 12) if len(shape) == 3 else (12, 12)
    _same(torch, lambda L, x: (mine if L is tg else theirs)(x), shape)
