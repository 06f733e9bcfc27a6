"""Differential fuzzing of argument validation against torch: dims and sizes of the shape
methods, the reductions and the creation functions. For any drawn arguments the result has
torch's shape (dtype, for creation), or the call raises torch's exception class.

Dims are drawn past the valid range on both sides, as tuples with repeats, on 0-d tensors
(which accept dim 0 and -1 almost everywhere) and n-d ones; sizes are drawn negative, zero,
too large, not summing up, and of the wrong type (floats, bools).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import shapes

import tinygrad_edu as tg

torch = pytest.importorskip("torch")

Args = Callable[[tuple[int, ...]], st.SearchStrategy[Any]]


def _dim(shape: tuple[int, ...]) -> st.SearchStrategy[int]:
    n = len(shape)
    return st.integers(-n - 2, n + 1)


def _dims(shape: tuple[int, ...]) -> st.SearchStrategy[Any]:
    """One dim, a tuple or list of dims (repeats and out-of-range ones included), or None."""
    return st.one_of(st.none(), _dim(shape), st.lists(_dim(shape), max_size=3).map(tuple),
                     st.lists(_dim(shape), max_size=3))


def _size(lo: int = -2, hi: int = 7) -> st.SearchStrategy[Any]:
    return st.integers(lo, hi)


def _sizes(max_size: int = 4) -> st.SearchStrategy[list[int]]:
    return st.lists(_size(-2, 7), max_size=max_size)


# name -> (call(lib, x, args), strategy of args for a shape)
METHODS: dict[str, tuple[Callable[..., Any], Args]] = {
    # reductions and dim-wise ops
    "sum": (lambda L, x, d: x.sum(d), _dims),
    "sum(tuple)": (lambda L, x, d: x.sum(d), lambda s: st.lists(_dim(s), max_size=3).map(tuple)),
    "sum keepdim": (lambda L, x, d: x.sum(d, keepdim=True), _dims),
    "mean": (lambda L, x, d: x.mean(d), _dims),
    "amax": (lambda L, x, d: x.amax(() if d is None else d), _dims),
    "amin": (lambda L, x, d: x.amin(() if d is None else d), _dims),
    "prod": (lambda L, x, d: x.prod(d), _dim),
    "all": (lambda L, x, d: x.all(d), _dim),
    "any": (lambda L, x, d: x.any(d), _dim),
    "var": (lambda L, x, d: x.var(d), _dims),
    "std": (lambda L, x, d: x.std(d), _dims),
    "logsumexp": (lambda L, x, d: x.logsumexp(d), _dim),
    "count_nonzero": (lambda L, x, d: x.count_nonzero(d), _dims),
    "argmax": (lambda L, x, d: x.argmax(d), _dim),
    "argmin": (lambda L, x, d: x.argmin(d, keepdim=True), _dim),
    "max(dim)": (lambda L, x, d: x.max(d), _dim),
    "min(dim)": (lambda L, x, d: x.min(d, keepdim=True), _dim),
    "softmax": (lambda L, x, d: x.softmax(d), _dim),
    "log_softmax": (lambda L, x, d: x.log_softmax(d), _dim),
    "cumsum": (lambda L, x, d: x.cumsum(d), _dim),
    "cumprod": (lambda L, x, d: x.cumprod(d), _dim),
    "sort": (lambda L, x, d: x.sort(d), _dim),
    "argsort": (lambda L, x, d: x.argsort(d), _dim),
    "topk": (lambda L, x, d: x.topk(1, d), _dim),
    "kthvalue": (lambda L, x, d: x.kthvalue(1, d), _dim),
    "median(dim)": (lambda L, x, d: x.median(d), _dim),
    "mode": (lambda L, x, d: x.mode(d), _dim),
    "diff": (lambda L, x, d: x.diff(dim=d), _dim),
    "gather": (lambda L, x, d: x.gather(d, L.zeros(x.shape, dtype=L.int64)), _dim),
    "index_select": (lambda L, x, d: x.index_select(d, L.tensor([0])), _dim),
    "flip": (lambda L, x, d: x.flip(d), _dims),
    "unbind": (lambda L, x, d: x.unbind(d), _dim),
    "cat": (lambda L, x, d: L.cat([x, x], d), _dim),
    "stack": (lambda L, x, d: L.stack([x, x], d), _dim),
    # shape ops
    "squeeze": (lambda L, x, d: x.squeeze(d), _dims),
    "unsqueeze": (lambda L, x, d: x.unsqueeze(d), _dim),
    "transpose": (lambda L, x, d: x.transpose(*d),
                  lambda s: st.tuples(_dim(s), _dim(s))),
    # (at least one dim: x.permute() of a 0-d tensor is allowed here, as the backward uses it)
    "permute": (lambda L, x, d: x.permute(*d),
                lambda s: st.lists(_dim(s), min_size=1, max_size=4)),
    "flatten": (lambda L, x, d: x.flatten(*d), lambda s: st.tuples(_dim(s), _dim(s))),
    "unflatten": (lambda L, x, d: x.unflatten(d[0], d[1]),
                  lambda s: st.tuples(_dim(s), st.lists(_size(-2, 4), max_size=3))),
    "view": (lambda L, x, d: x.view(*d), lambda s: _sizes()),
    "reshape": (lambda L, x, d: x.reshape(d), lambda s: _sizes().map(tuple)),
    # (no 0: torch itself takes expand(0, -1) of a 0-d tensor, giving shape (0, -1))
    "expand": (lambda L, x, d: x.expand(*d),
               lambda s: st.lists(st.sampled_from([-1, 1, 2, 3, 6]), max_size=4)),
    "repeat": (lambda L, x, d: x.repeat(*d), lambda s: _sizes()),
    "split(int)": (lambda L, x, d: x.split(d[0], d[1]),
                   lambda s: st.tuples(_size(-1, 4), _dim(s))),
    "split(sizes)": (lambda L, x, d: x.split(d[0], d[1]),
                     lambda s: st.tuples(st.lists(_size(-1, 4), max_size=3), _dim(s))),
    "chunk": (lambda L, x, d: x.chunk(d[0], d[1]), lambda s: st.tuples(_size(-1, 4), _dim(s))),
}


def outcome(fn: Callable[..., Any], *args: Any) -> tuple[Any, ...]:
    """("ok", the shapes of the results) or ("raised", the exception class)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = fn(*args)
    except Exception as e:  # noqa: BLE001 (the class is what is compared)
        return ("raised", type(e).__name__)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    return ("ok", tuple(tuple(o.shape) for o in outs))


@pytest.mark.parametrize("name", list(METHODS))
@given(data=st.data())
def test_dims_and_sizes_validated_like_torch(name: str, data: st.DataObject) -> None:
    """Same result shapes as torch, or the same exception class."""
    call, args = METHODS[name]
    shape = data.draw(shapes(min_dims=0, max_dims=3, min_side=1, max_side=3), label="shape")
    arg = data.draw(args(shape), label="args")
    values = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape) + 1
    mine = outcome(call, tg, tg.tensor(values), arg)
    theirs = outcome(call, torch, torch.tensor(values), arg)
    assert mine == theirs, f"{name}{shape} with {arg}: tinygrad_edu {mine}, torch {theirs}"


# ------------------------------------------------------------------ creation functions
FINITE = st.one_of(st.integers(-3, 5), st.floats(-3, 5, allow_nan=False).map(
    lambda v: round(v, 1)), st.just(True))
NUMBERS = st.one_of(FINITE, st.sampled_from([float("inf"), float("nan")]))
DTYPES = st.sampled_from([None, "bool", "int32", "int64", "float16", "float32"])
SIZES = st.one_of(st.integers(-2, 3), st.lists(st.integers(-2, 3), max_size=3).map(tuple),
                  st.sampled_from([2.5, (2, 2.0), True]))

CREATION: dict[str, tuple[Callable[..., Any], st.SearchStrategy[Any]]] = {
    # (float bounds with int dtypes other than int64 count differently in torch itself)
    "arange": (lambda L, a, d: L.arange(*a[:3], dtype=d if d in (None, L.float32) else None),
               st.tuples(NUMBERS, NUMBERS, FINITE)),
    "arange(end)": (lambda L, a, d: L.arange(a, dtype=d if d in (None, L.float32) else None),
                    NUMBERS),
    "linspace": (lambda L, a, d: L.linspace(a[0], a[1], a[2], dtype=d),
                 st.tuples(FINITE, FINITE, st.integers(-2, 4))),
    "logspace": (lambda L, a, d: L.logspace(a[0], a[1], a[2], dtype=d),
                 st.tuples(st.integers(-1, 2), st.integers(-1, 2), st.integers(-2, 4))),
    "zeros": (lambda L, a, d: L.zeros(a, dtype=d), SIZES),
    "ones": (lambda L, a, d: L.ones(a, dtype=d), SIZES),
    "empty": (lambda L, a, d: L.empty(a, dtype=d), SIZES),
    "full": (lambda L, a, d: L.full(a[0], a[1], dtype=d),
             st.tuples(SIZES.filter(lambda s: not isinstance(s, int)), NUMBERS)),
    "eye": (lambda L, a, d: L.eye(a[0], a[1], dtype=d),
            st.tuples(st.integers(-2, 3), st.integers(-2, 3))),
    "rand": (lambda L, a, d: L.rand(a), SIZES),
    "randn": (lambda L, a, d: L.randn(a), SIZES),
}


def created(call: Callable[..., Any], lib: Any, arg: Any, dtype: str | None) -> tuple[Any, ...]:
    def make() -> Any:
        out = call(lib, arg, None if dtype is None else getattr(lib, dtype))
        return out

    result = outcome(make)
    if result[0] == "ok":  # the dtype too
        out = call(lib, arg, None if dtype is None else getattr(lib, dtype))
        return (*result, str(out.dtype).rsplit(".", 1)[-1])
    return result


@pytest.mark.parametrize("name", list(CREATION))
@given(data=st.data())
def test_creation_arguments_validated_like_torch(name: str, data: st.DataObject) -> None:
    """Steps, sizes, bounds and dtypes: torch's shape and dtype, or its exception class."""
    call, args = CREATION[name]
    arg = data.draw(args, label="args")
    dtype = data.draw(DTYPES, label="dtype")
    mine, theirs = created(call, tg, arg, dtype), created(call, torch, arg, dtype)
    assert mine == theirs, f"{name}({arg}, dtype={dtype}): tinygrad_edu {mine}, torch {theirs}"
