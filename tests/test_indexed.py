"""take, take_along_dim, masked_select, masked_scatter, index_add, index_copy and
index_fill against PyTorch: values, dtypes, grad_fn names, gradients at repeated indices,
and errors. Their gradients are checked by the OPS table of test_ops.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg

torch = pytest.importorskip("torch")


def _np(x: Any) -> np.ndarray:
    return x.detach().numpy() if hasattr(x, "detach") else np.asarray(x)


def assert_same(mine: Any, theirs: Any) -> None:
    """Same shape, dtype, values and grad_fn name as torch's result."""
    assert tuple(mine.shape) == tuple(theirs.shape)
    assert str(mine.dtype).rsplit(".", 1)[-1] == str(theirs.dtype).rsplit(".", 1)[-1]
    np.testing.assert_array_equal(_np(mine), _np(theirs))
    theirs_name = None if theirs.grad_fn is None else theirs.grad_fn.name()
    assert (None if mine.grad_fn is None else mine.grad_fn.name()) == theirs_name


def _x(L: Any, *shape: int, grad: bool = False, dtype: str = "float32") -> Any:
    shape = shape or (3, 4)
    x = L.arange(int(np.prod(shape)), dtype=getattr(L, dtype)).reshape(shape).clone()
    return x.requires_grad_() if grad else x


def I(L: Any, values: Any, dtype: str = "int64") -> Any:  # noqa: E743, N802  (an index)
    return L.tensor(values, dtype=getattr(L, dtype))


CASES: dict[str, Callable[[Any], Any]] = {
    "take": lambda L: _x(L, grad=True).take(I(L, [[0, 5], [-1, 5]])),
    "take 0-d index": lambda L: L.take(_x(L), I(L, 3)),
    "take of a 0-d": lambda L: L.tensor(5.0).take(I(L, [0, 0, -1])),
    "take nothing from empty": lambda L: L.zeros(0).take(I(L, [])),
    "take_along_dim": lambda L: _x(L, grad=True).take_along_dim(I(L, [[0], [1], [2]]), 1),
    "take_along_dim broadcast": lambda L: L.take_along_dim(_x(L), I(L, [[0], [2]]), 0),
    "take_along_dim index past the end": lambda L: _x(L).take_along_dim(
        I(L, [[4], [-5], [9]]), 1),
    "take_along_dim flattened": lambda L: _x(L, grad=True).take_along_dim(I(L, [[0, 11]])),
    "take_along_dim flattened, int32": lambda L: _x(L).take_along_dim(I(L, [1], "int32")),
    "take_along_dim 0-d flattened": lambda L: L.tensor(2.0).take_along_dim(I(L, 0)),
    "masked_select": lambda L: _x(L, grad=True).masked_select(_x(L) > 4),
    "masked_select broadcast mask": lambda L: L.masked_select(
        _x(L), L.tensor([True, False, True, False])),
    "masked_select broadcast input": lambda L: _x(L, 4).masked_select(_x(L) > 4),
    "masked_select 0-d": lambda L: L.tensor(1.0).masked_select(L.tensor(True)),
    "masked_scatter": lambda L: _x(L, grad=True).masked_scatter(_x(L) > 4, L.arange(20.0)),
    "masked_scatter broadcast mask": lambda L: _x(L).masked_scatter(
        L.tensor([True, False, True, False]), L.arange(100.0).reshape(10, 10)),
    "masked_scatter broadcast input": lambda L: L.masked_scatter(L.zeros(4), _x(L) > 4,
                                                                 L.arange(20.0)),
    "masked_scatter_": lambda L: _x(L).masked_scatter_(L.tensor([True, False, True, False]),
                                                       L.arange(10.0)),
    "index_add": lambda L: _x(L, grad=True).index_add(0, I(L, [0, 0]), L.ones(2, 4)),
    "index_add alpha": lambda L: _x(L).index_add(0, I(L, [0, 2]), L.ones(2, 4), alpha=2),
    "index_add dim 1, int32 index": lambda L: L.index_add(
        _x(L), 1, I(L, [0, 0, 1], "int32"), L.ones(3, 3)),
    "index_add 0-d index": lambda L: _x(L).index_add(0, I(L, 1), L.ones(1, 4)),
    "index_add of a 0-d": lambda L: L.tensor(1.0).index_add(0, I(L, [0]), L.tensor(2.0)),
    "index_add of ints": lambda L: _x(L, dtype="int64").index_add(
        0, I(L, [1]), L.ones(1, 4, dtype=L.int64), alpha=3),
    "index_add_": lambda L: _x(L).index_add_(1, I(L, [3]), L.ones(3, 1)),
    "index_copy": lambda L: _x(L, grad=True).index_copy(0, I(L, [0, 2]), L.ones(2, 4)),
    "index_copy repeated index": lambda L: L.index_copy(_x(L), 0, I(L, [0, 0]),
                                                        L.arange(8.0).reshape(2, 4)),
    "index_copy_": lambda L: _x(L).index_copy_(1, I(L, [1]), L.zeros(3, 1)),
    "index_fill": lambda L: _x(L, grad=True).index_fill(1, I(L, [0, 2]), -1.0),
    "index_fill negative index": lambda L: L.index_fill(_x(L), 1, I(L, [0, -1]), -1.0),
    "index_fill 0-d tensor value": lambda L: _x(L, grad=True).index_fill(
        1, I(L, [0, 1]), L.tensor(2.0)),
    "index_fill int value": lambda L: _x(L).index_fill(1, I(L, [0, 1]), L.tensor(1)),
    "index_fill float into ints": lambda L: _x(L, dtype="int64").index_fill(0, I(L, [1]), 1.5),
    "index_fill bool value": lambda L: _x(L).index_fill(1, I(L, 1), True),
    "index_fill_": lambda L: _x(L).index_fill_(0, I(L, [2]), 7),
}


@pytest.mark.parametrize("name", list(CASES))
def test_like_torch(name: str) -> None:
    """The values, dtypes, shapes and grad_fn names torch gives."""
    assert_same(CASES[name](tg), CASES[name](torch))


GRADS: dict[str, Callable[..., Any]] = {
    "take repeated": lambda L, x, v: x.take(I(L, [1, 1, -11, 3])),
    "masked_scatter, source larger": lambda L, x, v: x.masked_scatter(x > 4, v),
    "index_add repeated, alpha": lambda L, x, v: x.index_add(1, I(L, [2, 2, 0, 2, 1, 1]),
                                                             v.reshape(3, 6), alpha=-1.5),
    "index_copy repeated": lambda L, x, v: x.index_copy(1, I(L, [1, 1]), v[:6].reshape(3, 2)),
    "index_fill repeated, tensor value": lambda L, x, v: x.index_fill(
        1, I(L, [1, 3, 1]), v[0]),  # (torch's backward refuses negative indices here)
    "take_along_dim broadcast": lambda L, x, v: x[:1].take_along_dim(I(L, [[0], [3]]), 1),
}


@pytest.mark.parametrize("name", list(GRADS))
def test_gradients_like_torch(name: str) -> None:
    """Gradients at repeated indices and broadcasts are torch's."""
    grads = []
    for L in (tg, torch):
        x = (_x(L, dtype="float64") * 0.5 - 2).requires_grad_()
        v = L.arange(18.0, dtype=L.float64).requires_grad_()
        out = GRADS[name](L, x, v)
        out.backward(L.arange(float(out.numel()), dtype=L.float64).reshape(out.shape) - 3)
        grads.append((out, x.grad, v.grad))
    (out, *mine), (theirs_out, *theirs) = grads
    assert_same(out, theirs_out)
    for m, t in zip(mine, theirs):
        assert (m is None) == (t is None)
        if t is not None:
            np.testing.assert_allclose(_np(m), _np(t))


ERRORS: dict[str, Callable[[Any], Any]] = {
    "take out of range": lambda L: _x(L).take(I(L, [12])),
    "take negative out of range": lambda L: _x(L).take(I(L, [-13])),
    "take float index": lambda L: _x(L).take(I(L, [1.0], "float32")),
    "take int32 index": lambda L: _x(L).take(I(L, [1], "int32")),
    "take bool index": lambda L: _x(L).take(I(L, [True], "bool")),
    "take list": lambda L: _x(L).take([1]),
    "take from empty": lambda L: L.zeros(0).take(I(L, [0])),
    "take_along_dim ndim": lambda L: _x(L).take_along_dim(I(L, [0, 1]), 0),
    "take_along_dim broadcast": lambda L: _x(L).take_along_dim(I(L, [[0, 1]]), 0),
    "take_along_dim float": lambda L: _x(L).take_along_dim(I(L, [[1.0]], "float32"), 1),
    "take_along_dim float flattened": lambda L: _x(L).take_along_dim(I(L, [1], "float32")),
    "take_along_dim dim out of range": lambda L: _x(L).take_along_dim(I(L, [[1]]), 2),
    "take_along_dim 0-d along a dim": lambda L: L.tensor(2.0).take_along_dim(I(L, 0), 0),
    "take_along_dim flattened out of range": lambda L: _x(L).take_along_dim(I(L, [[12]])),
    "masked_select bad broadcast": lambda L: _x(L).masked_select(L.tensor([True, False])),
    "masked_select uint8 mask": lambda L: _x(L).masked_select((_x(L) > 4).to(L.uint8)),
    "masked_select float mask": lambda L: _x(L).masked_select((_x(L) > 4).float()),
    "masked_select list": lambda L: _x(L).masked_select([True]),
    "masked_scatter short source": lambda L: _x(L).masked_scatter(_x(L) > 4, L.arange(3.0)),
    "masked_scatter dtypes": lambda L: _x(L).masked_scatter(_x(L) > 4, L.arange(100)),
    "masked_scatter uint8 mask": lambda L: _x(L).masked_scatter((_x(L) > 4).to(L.uint8),
                                                                L.arange(100.0)),
    "index_add out of range": lambda L: _x(L).index_add(0, I(L, [0, 3]), L.ones(2, 4)),
    "index_add negative": lambda L: _x(L).index_add(0, I(L, [0, -1]), L.ones(2, 4)),
    "index_add float index": lambda L: _x(L).index_add(0, I(L, [0.0], "float32"), L.ones(1, 4)),
    "index_add 2-D index": lambda L: _x(L).index_add(0, I(L, [[0, 1]]), L.ones(2, 4)),
    "index_add source shape": lambda L: _x(L).index_add(0, I(L, [0, 1]), L.ones(2, 3)),
    "index_add source 1-D": lambda L: _x(L).index_add(0, I(L, [0, 1]), L.ones(8)),
    "index_add source count": lambda L: _x(L).index_add(0, I(L, [0, 1]), L.ones(3, 4)),
    "index_add dtypes": lambda L: _x(L).index_add(0, I(L, [0]), L.ones(1, 4, dtype=L.float64)),
    "index_add 0-d with 1-D source": lambda L: L.tensor(1.0).index_add(0, I(L, [0]),
                                                                       L.tensor([2.0])),
    "index_add dim out of range": lambda L: _x(L).index_add(2, I(L, [0]), L.ones(2, 4)),
    "index_copy out of range": lambda L: _x(L).index_copy(0, I(L, [0, 3]), L.ones(2, 4)),
    "index_copy negative": lambda L: _x(L).index_copy(0, I(L, [-1]), L.ones(1, 4)),
    "index_copy int32 index": lambda L: _x(L).index_copy(0, I(L, [0], "int32"), L.ones(1, 4)),
    "index_copy slice shapes": lambda L: _x(L).index_copy(0, I(L, [0, 1]), L.ones(2, 3)),
    "index_copy source count": lambda L: _x(L).index_copy(0, I(L, [0, 1]), L.ones(3, 4)),
    "index_copy dtypes": lambda L: _x(L).index_copy(0, I(L, [0]), L.ones(1, 4, dtype=L.float64)),
    "index_copy 2-D index": lambda L: _x(L).index_copy(0, I(L, [[0, 1]]), L.ones(2, 4)),
    "index_fill out of range": lambda L: _x(L).index_fill(1, I(L, [0, 4]), -1.0),
    "index_fill negative out of range": lambda L: _x(L).index_fill(1, I(L, [-5]), -1.0),
    "index_fill int32 index": lambda L: _x(L).index_fill(1, I(L, [0], "int32"), -1.0),
    "index_fill 1-D value": lambda L: _x(L).index_fill(1, I(L, [0]), L.tensor([1.0])),
    "index_fill 2-D index": lambda L: _x(L).index_fill(1, I(L, [[0, 1]]), 1.0),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_like_torch(name: str) -> None:
    """The same exception class and message as torch."""
    with pytest.raises(Exception) as theirs:
        ERRORS[name](torch)
    with pytest.raises(type(theirs.value)) as mine:
        ERRORS[name](tg)
    assert str(mine.value) == str(theirs.value)
