"""scatter_reduce, scatter(reduce=) and index_put(accumulate=) against PyTorch: values
(int means rounded down, NaN winning a max, bools), dtypes, grad_fn names, the deprecation
warning of scatter(reduce=) and its missing derivative, and errors. Their gradients are
checked by the OPS table (and its EDGES) of test_ops.py."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from test_indexed import I, _x, assert_same

import tinygrad_edu as tg
from tinygrad_edu.ops import scatter_reduce as SR

torch = pytest.importorskip("torch")


def _src(L: Any, dtype: str = "float32") -> Any:
    return (L.arange(8, dtype=getattr(L, dtype)).reshape(2, 4) - 3).clone()


_IDX = [[0, 1, 2, 0], [1, 1, 0, 2]]

CASES: dict[str, Callable[[Any], Any]] = {
    **{f"scatter_reduce {r}, include_self={inc}": (
        lambda L, r=r, inc=inc: _x(L, grad=True).scatter_reduce(
            0, I(L, _IDX), _src(L), r, include_self=inc))
       for r in ("sum", "prod", "mean", "amax", "amin", "max", "min") for inc in (True, False)},
    "scatter_reduce int mean rounds down": lambda L: L.tensor([-7, 3, 2]).scatter_reduce(
        0, I(L, [0, 1, 1]), L.tensor([0, -4, 2]), "mean"),
    "scatter_reduce int amin, not self": lambda L: L.tensor([1, 2], dtype=L.int32).scatter_reduce(
        0, I(L, [0, 0]), L.tensor([3, 9], dtype=L.int32), "amin", include_self=False),
    "scatter_reduce int32 index, dim 1": lambda L: L.scatter_reduce(
        _x(L), 1, I(L, [[0, 0], [3, 3]], "int32"), _src(L), "sum"),
    "scatter_reduce src larger": lambda L: _x(L).scatter_reduce(
        1, I(L, [[0, 1]]), _src(L), "prod"),
    "scatter_reduce NaN wins amax": lambda L: L.tensor([1.0, 2.0]).scatter_reduce(
        0, I(L, [0, 0]), L.tensor([float("nan"), 3.0]), "amax"),
    "scatter_reduce of bools": lambda L: L.tensor([True, False]).scatter_reduce(
        0, I(L, [1, 1]), L.tensor([True, False]), "sum"),
    "scatter_reduce float16 mean": lambda L: L.tensor([1.0, 2.0], dtype=L.float16).scatter_reduce(
        0, I(L, [0, 0]), L.tensor([3.0, 4.0], dtype=L.float16), "mean"),
    "scatter_reduce 0-d": lambda L: L.tensor(1.0).scatter_reduce(0, I(L, 0), L.tensor(3.0),
                                                                 "sum"),
    "scatter_reduce_": lambda L: _x(L).scatter_reduce_(0, I(L, _IDX), _src(L), "amax",
                                                       include_self=False),
    "scatter add, value": lambda L: _x(L, grad=True).scatter(0, I(L, _IDX), 2.0, reduce="add"),
    "scatter multiply, value": lambda L: _x(L).scatter(1, I(L, [[3, 3]]), 2, reduce="multiply"),
    "scatter add": lambda L: _x(L, grad=True).scatter(0, I(L, _IDX), _src(L), reduce="add"),
    "scatter multiply": lambda L: _x(L).scatter(0, I(L, _IDX), _src(L), reduce="multiply"),
    "scatter_ add": lambda L: _x(L).scatter_(0, I(L, _IDX), _src(L), reduce="add"),
    "index_put accumulate": lambda L: _x(L, grad=True).index_put(
        (I(L, [0, 0, 2]), I(L, [1, 1, -1])), L.tensor([1.0, 2.0, 3.0]), accumulate=True),
    "index_put accumulate, broadcast value": lambda L: L.index_put(
        _x(L), (I(L, [0, 0]),), L.tensor([[1.0], [2.0]]), True),
    "index_put accumulate, mask": lambda L: _x(L).index_put(
        (L.tensor([True, False, True]),), L.tensor(5.0), accumulate=True),
    "index_put accumulate ints": lambda L: L.zeros(3, dtype=L.int64).index_put(
        (I(L, [0, 0]),), L.tensor([1, 2]), accumulate=True),
    "index_put": lambda L: _x(L, grad=True).index_put((I(L, [0, 2]),), L.tensor(1.0)),
    "index_put_ accumulate": lambda L: _x(L).index_put_((I(L, [2, 2]),), L.ones(4), True),
}


@pytest.mark.parametrize("name", list(CASES))
def test_like_torch(name: str) -> None:
    """The values, dtypes, shapes and grad_fn names torch gives."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_same(CASES[name](tg), CASES[name](torch))


def test_scatter_reduce_argument_warns_once() -> None:
    """scatter(reduce=) with a tensor src warns of its deprecation once per process, as
    PyTorch (TORCH_WARN_ONCE); with a number it does not warn."""
    SR._SCATTER_REDUCE_WARNED[0] = False
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _x(tg).scatter(0, I(tg, _IDX), 1.0, reduce="add")
        assert not caught
        _x(tg).scatter(0, I(tg, _IDX), _src(tg), reduce="add")
        _x(tg).scatter(0, I(tg, _IDX), _src(tg), reduce="multiply")
    assert len(caught) == 1 and caught[0].category is UserWarning
    assert str(caught[0].message).startswith(
        "The reduce argument of torch.scatter with Tensor src is deprecated")


def test_scatter_with_reduce_has_no_derivative() -> None:
    """Backward through scatter(reduce=) raises PyTorch's error (its node is NotImplemented)."""
    out = _x(tg, grad=True).scatter(0, I(tg, _IDX), 2.0, reduce="multiply")
    assert out.grad_fn.name() == "torch::autograd::NotImplemented"
    with pytest.raises(RuntimeError, match="^derivative for aten::scatter is not implemented"):
        out.sum().backward()


ERRORS: dict[str, Callable[[Any], Any]] = {
    "scatter_reduce bad reduce": lambda L: _x(L).scatter_reduce(0, I(L, _IDX), _src(L), "add"),
    "scatter_reduce dtypes": lambda L: _x(L).scatter_reduce(0, I(L, _IDX), _src(L, "float64"),
                                                            "sum"),
    "scatter_reduce float index": lambda L: _x(L).scatter_reduce(
        0, I(L, _IDX, "float32"), _src(L), "sum"),
    "scatter_reduce out of range": lambda L: _x(L).scatter_reduce(0, I(L, [[3]]), _src(L),
                                                                  "sum"),
    "scatter_reduce number src": lambda L: _x(L).scatter_reduce(0, I(L, _IDX), 1.0, "sum"),
    "scatter_reduce index ndim": lambda L: _x(L).scatter_reduce(0, I(L, [0]), _src(L), "sum"),
    "scatter_reduce mean of bools": lambda L: L.tensor([True]).scatter_reduce(
        0, I(L, [0]), L.tensor([True]), "mean"),
    "scatter_reduce max backward": lambda L: L.autograd.grad(
        _x(L, grad=True).scatter_reduce(0, I(L, _IDX), _src(L), "max").sum(),
        _x(L, grad=True)),
    "scatter bad reduce": lambda L: _x(L).scatter(0, I(L, _IDX), _src(L), reduce="sum"),
    "scatter bad reduce, value": lambda L: _x(L).scatter(0, I(L, _IDX), 1.0, reduce="mean"),
    "scatter reduce dtypes": lambda L: _x(L).scatter(0, I(L, _IDX), _src(L, "float64"),
                                                     reduce="add"),
    "index_put accumulate dtypes": lambda L: _x(L).index_put(
        (I(L, [0]),), L.tensor([1.0], dtype=L.float64), accumulate=True),
    "index_put accumulate shape": lambda L: _x(L).index_put(
        (I(L, [0, 1]),), L.ones(2, 1, 3), accumulate=True),
    "index_put out of range": lambda L: _x(L).index_put((I(L, [5]),), L.tensor(5.0), True),
    "index_put a tensor of indices": lambda L: _x(L).index_put(I(L, [0]), L.tensor(5.0)),
    "index_put_ a number": lambda L: _x(L).index_put_((I(L, [0]),), 5.0, accumulate=True),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_like_torch(name: str) -> None:
    """The same exception class and message as torch."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as theirs:
            ERRORS[name](torch)
        with pytest.raises(type(theirs.value)) as mine:
            ERRORS[name](tg)
    assert str(mine.value) == str(theirs.value)


def test_index_put_accumulate_gradients_like_torch() -> None:
    """accumulate=True: x gets the whole gradient, values the gradient of where each went
    (summed over repeats and broadcast copies)."""
    grads = []
    for L in (tg, torch):
        x = _x(L, dtype="float64").requires_grad_()
        v = L.tensor([[1.0], [2.0]], dtype=L.float64, requires_grad=True)
        out = x.index_put((I(L, [0, 0]),), v, accumulate=True)
        out.backward(L.arange(12.0, dtype=L.float64).reshape(3, 4))
        grads.append((x.grad.numpy(), v.grad.numpy()))
    for m, t in zip(*grads):
        np.testing.assert_array_equal(m, t)
