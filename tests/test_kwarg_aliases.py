"""numpy's keyword spellings, as PyTorch's argument parser takes them: ``axis=`` for
``dim=``, ``keepdims=`` for ``keepdim=``, ``x=``/``a=``/``x1=`` for ``input=``, ``x2=`` for
``other=`` (``parity/numpy_names.py``).

The walk enumerates every public Tensor method and ``tg.`` function with a ``dim``
parameter: ``axis=`` must give what ``dim=`` gives, and PyTorch's answer where PyTorch
takes it, or PyTorch's TypeError where it does not (its functions written in Python).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg

torch = pytest.importorskip("torch")

DATA = np.random.default_rng(0).standard_normal((3, 3)).astype(np.float32)


def _x(lib: Any) -> Any:
    return lib.tensor(DATA)


def _index(lib: Any) -> Any:
    return lib.zeros(3, 1, dtype=lib.int64)


# name -> (positional arguments before dim, keyword arguments) for the walk's call
ARGS: dict[str, Callable[[Any], tuple[tuple[Any, ...], dict[str, Any]]]] = {
    "renorm": lambda lib: ((), {"p": 2, "maxnorm": 1.0}),
    "chunk": lambda lib: ((2,), {}),
    "tensor_split": lambda lib: ((2,), {}),
    "split_with_sizes": lambda lib: (([1, 2],), {}),
    "split": lambda lib: ((1,), {}),
    "kthvalue": lambda lib: ((1,), {}),
    "topk": lambda lib: ((2,), {}),
    "quantile": lambda lib: ((0.5,), {}),
    "nanquantile": lambda lib: ((0.5,), {}),
    "repeat_interleave": lambda lib: ((2,), {}),
    "cross": lambda lib: ((_x(lib),), {}),
    "take_along_dim": lambda lib: ((_index(lib),), {}),
    "gather": lambda lib: ((), {"index": _index(lib)}),
    "scatter": lambda lib: ((), {"index": _index(lib), "src": lib.ones(3, 1)}),
    "scatter_add": lambda lib: ((), {"index": _index(lib), "src": lib.ones(3, 1)}),
    "scatter_reduce": lambda lib: ((), {"index": _index(lib), "src": lib.ones(3, 1),
                                        "reduce": "sum"}),
    "index_add": lambda lib: ((), {"index": lib.tensor([0]), "source": lib.ones(3, 1)}),
    "index_copy": lambda lib: ((), {"index": lib.tensor([0]), "source": lib.ones(3, 1)}),
    "index_fill": lambda lib: ((), {"index": lib.tensor([0]), "value": 2.0}),
    "index_select": lambda lib: ((), {"index": lib.tensor([0, 2])}),
    "narrow": lambda lib: ((), {"start": 0, "length": 2}),
    "narrow_copy": lambda lib: ((), {"start": 0, "length": 2}),
    "unsafe_chunk": lambda lib: ((2,), {}),
    "unsafe_split": lambda lib: ((1,), {}),
    "unsafe_split_with_sizes": lambda lib: (([1, 2],), {}),
    "index_reduce": lambda lib: ((), {"index": lib.tensor([0]), "source": lib.ones(3, 1),
                                      "reduce": "prod"}),
    "select_scatter": lambda lib: ((lib.ones(3),), {"index": 1}),
    "slice_scatter": lambda lib: ((lib.ones(3, 3),), {}),
    "select": lambda lib: ((), {"index": 1}),
    "unflatten": lambda lib: ((), {"sizes": (3, 1)}),
    "trapezoid": lambda lib: ((), {}),
}
JOINS = {"cat", "concat", "concatenate", "stack"}  # take a list of tensors


def _has(fn: Any, param: str) -> bool:
    try:
        return param in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def _methods_with(param: str) -> list[str]:
    return sorted(n for n in dir(tg.Tensor) if not n.startswith("_")
                  and callable(getattr(tg.Tensor, n)) and _has(getattr(tg.Tensor, n), param))


def _functions_with(param: str) -> list[str]:
    methods = set(_methods_with(param))
    return sorted(n for n in tg.__all__ if callable(getattr(tg, n))
                  and not isinstance(getattr(tg, n), type)
                  and (_has(getattr(tg, n), param) or n in methods))


def _call(lib: Any, name: str, method: bool, **dim: Any) -> Any:
    base = name.rstrip("_")
    args, kwargs = ARGS.get(base, lambda lib: ((), {}))(lib)
    if method:
        return getattr(_x(lib), name)(*args, **kwargs, **dim)
    first = [_x(lib), _x(lib)] if name in JOINS else _x(lib)
    return getattr(lib, name)(first, *args, **kwargs, **dim)


def _arrays(out: Any) -> list[Any]:
    if isinstance(out, (tuple, list)):
        return [a for o in out for a in _arrays(o)]
    return [np.asarray(out.detach().numpy() if hasattr(out, "detach") else out)]


def _check(name: str, method: bool, dim: str, alias: str, value: Any) -> None:
    other = {} if dim == "dim" else {"dim": 1}  # keepdim goes with a dim in PyTorch
    expected = _arrays(_call(tg, name, method, **{dim: value}, **other))
    try:
        theirs = _arrays(_call(torch, name, method, **{alias: value}, **other))
    except TypeError as e:  # written in Python in PyTorch: no alias there, nor here
        with pytest.raises(TypeError, match=f"unexpected keyword argument '{alias}'"):
            _call(tg, name, method, **{alias: value}, **other)
        assert f"'{alias}'" in str(e)
        return
    ours = _arrays(_call(tg, name, method, **{alias: value}, **other))
    assert len(ours) == len(expected) == len(theirs)
    for a, b, c in zip(ours, expected, theirs):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_allclose(a, c, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", _methods_with("dim"))
def test_every_method_with_dim_takes_axis(name: str) -> None:
    _check(name, True, "dim", "axis", 1)


@pytest.mark.parametrize("name", _functions_with("dim"))
def test_every_function_with_dim_takes_axis(name: str) -> None:
    _check(name, False, "dim", "axis", 1)


@pytest.mark.parametrize("name", _methods_with("keepdim"))
def test_every_method_with_keepdim_takes_keepdims(name: str) -> None:
    _check(name, True, "keepdim", "keepdims", True)


@pytest.mark.parametrize("name", _functions_with("keepdim"))
def test_every_function_with_keepdim_takes_keepdims(name: str) -> None:
    _check(name, False, "keepdim", "keepdims", True)


def test_the_walk_sees_the_common_ones() -> None:
    assert {"sum", "mean", "argmax", "softmax", "cumsum", "max", "sort"} <= set(
        _methods_with("dim"))
    assert {"sum", "cat", "stack", "argmax", "softmax"} <= set(_functions_with("dim"))


@pytest.mark.parametrize("call", [
    lambda lib, x: lib.sum(x, axis=0),
    lambda lib, x: x.argmax(axis=1, keepdims=True),
    lambda lib, x: lib.cat([x, x], axis=0),
    lambda lib, x: x.mean(axis=0),
    lambda lib, x: x.softmax(axis=-1),
    lambda lib, x: x.sum(axis=(0, 1)),
    lambda lib, x: lib.argmax(x, keepdims=True, dim=0),
    lambda lib, x: lib.sum(a=x),
    lambda lib, x: lib.sum(x=x),
    lambda lib, x: lib.add(x1=x, x2=x),
    lambda lib, x: lib.add(x, x2=x),
    lambda lib, x: x.add(x2=x),
    lambda lib, x: lib.mul(input=x, other=x),
])
def test_aliases_of_learners_code_match_torch(call: Any) -> None:
    ours, theirs = call(tg, _x(tg)), call(torch, _x(torch))
    np.testing.assert_allclose(_arrays(ours)[0], _arrays(theirs)[0], rtol=1e-6)


@pytest.mark.parametrize("call", [
    lambda lib, x: x.sum(0, axis=0),
    lambda lib, x: x.sum(dim=0, axis=0),
    lambda lib, x: lib.argmax(x, 1, axis=1),
    lambda lib, x: lib.cat([x], 0, axis=0),
    lambda lib, x: x.sum(0, keepdim=False, keepdims=True),
    lambda lib, x: x.split(1, axis=0),
    lambda lib, x: x.norm(axis=0),
])
def test_both_spellings_or_no_alias_raise_torchs_type_error(call: Any) -> None:
    messages = []
    for lib in (tg, torch):
        with pytest.raises(TypeError) as info:
            call(lib, _x(lib))
        messages.append(str(info.value).split("got ")[-1])
    assert messages[0] == messages[1]


def test_signatures_stay_torchs() -> None:
    """The aliases are no parameters: the signatures show only PyTorch's names."""
    for fn in (tg.Tensor.sum, tg.Tensor.mean, tg.Tensor.argmax, tg.cat, tg.Tensor.nansum):
        params = inspect.signature(fn).parameters
        assert "dim" in params and not {"axis", "keepdims"} & set(params)
    assert tg.Tensor.sum.__doc__ and tg.cat.__name__ == "cat"
