"""tg.autograd.functional against torch.autograd.functional: jacobian, hessian, vjp, jvp,
hvp, vhp on scalar, vector and tuple inputs and outputs (the results' nesting and shapes),
create_graph (the result differentiated again), strict mode's errors and the others."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.autograd.functional as tgf

torch = pytest.importorskip("torch")
import torch.autograd.functional as tf  # noqa: E402


def _lib(L: Any) -> Any:
    return tgf if L is tg else tf


def _x(L: Any) -> Any:
    return L.tensor([0.5, -1.0, 2.0], dtype=L.float64)


def _m(L: Any) -> Any:
    return L.tensor([[0.3, -0.2], [1.0, 0.7]], dtype=L.float64)


def _s(L: Any) -> Any:
    return L.tensor(0.8, dtype=L.float64)


def scalar_fn(x: Any) -> Any:
    return (x.sin() * x.exp()).sum()


def vector_fn(x: Any) -> Any:
    return x.tanh() * x.sum()


def tuple_fn(x: Any, m: Any) -> Any:
    return (x.exp() * m.sum(), (m @ m).sin())


def two_input_scalar(x: Any, m: Any) -> Any:
    return (x.cos() * m.sum() ** 2).sum() + (m ** 3).sum()


CASES: dict[str, Callable[[Any], Any]] = {
    "jacobian scalar -> scalar": lambda L: _lib(L).jacobian(lambda s: s.sin() * s, _s(L)),
    "jacobian vector": lambda L: _lib(L).jacobian(vector_fn, _x(L)),
    "jacobian vector, tuple of one input": lambda L: _lib(L).jacobian(vector_fn, (_x(L),)),
    "jacobian of a scalar function": lambda L: _lib(L).jacobian(scalar_fn, _x(L)),
    "jacobian tuple in, tuple out": lambda L: _lib(L).jacobian(tuple_fn, (_x(L), _m(L))),
    "jacobian vectorize": lambda L: _lib(L).jacobian(tuple_fn, (_x(L), _m(L)), vectorize=True),
    "jacobian forward-mode vectorize": lambda L: _lib(L).jacobian(
        vector_fn, _x(L), vectorize=True, strategy="forward-mode"),
    "jacobian independent input": lambda L: _lib(L).jacobian(lambda a, b: a * 2,
                                                             (_x(L), _m(L))),
    "hessian single": lambda L: _lib(L).hessian(scalar_fn, _x(L)),
    "hessian tuple": lambda L: _lib(L).hessian(two_input_scalar, (_x(L), _m(L))),
    "hessian of a 0-d input": lambda L: _lib(L).hessian(lambda s: s ** 4, _s(L)),
    "vjp single": lambda L: _lib(L).vjp(vector_fn, _x(L), _x(L) * 2),
    "vjp scalar without v": lambda L: _lib(L).vjp(scalar_fn, _x(L)),
    "vjp tuple": lambda L: _lib(L).vjp(tuple_fn, (_x(L), _m(L)), (_x(L), _m(L))),
    "vjp independent input": lambda L: _lib(L).vjp(lambda a, b: a * 2, (_x(L), _m(L)),
                                                   _x(L)),
    "jvp single": lambda L: _lib(L).jvp(vector_fn, _x(L), _x(L) + 1),
    "jvp 0-d without v": lambda L: _lib(L).jvp(lambda s: s.exp() * 3, _s(L)),
    "jvp tuple": lambda L: _lib(L).jvp(tuple_fn, (_x(L), _m(L)), (_x(L), _m(L) * 2)),
    "hvp single": lambda L: _lib(L).hvp(scalar_fn, _x(L), _x(L)),
    "hvp tuple": lambda L: _lib(L).hvp(two_input_scalar, (_x(L), _m(L)), (_x(L), _m(L))),
    "vhp single": lambda L: _lib(L).vhp(scalar_fn, _x(L), _x(L)),
    "vhp tuple": lambda L: _lib(L).vhp(two_input_scalar, (_x(L), _m(L)), (_x(L), _m(L))),
    "vhp of a linear function": lambda L: _lib(L).vhp(lambda x: x.sum() * 3, _x(L), _x(L)),
}


def _assert_same(mine: Any, theirs: Any, where: str = "result") -> None:
    """The same nesting of tuples, and at each leaf the same tensor (shape, dtype,
    values, requires_grad)."""
    if isinstance(theirs, tuple):
        assert isinstance(mine, tuple) and len(mine) == len(theirs), \
            f"{where}: {type(mine).__name__} != torch's tuple of {len(theirs)}"
        for k, (m, t) in enumerate(zip(mine, theirs)):
            _assert_same(m, t, f"{where}[{k}]")
        return
    assert isinstance(mine, tg.Tensor), f"{where}: {type(mine).__name__}, torch has a Tensor"
    assert tuple(mine.shape) == tuple(theirs.shape), f"{where}: shape"
    assert str(mine.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1], f"{where}"
    assert mine.requires_grad == theirs.requires_grad, f"{where}: requires_grad"
    np.testing.assert_allclose(mine.detach().numpy(), theirs.detach().numpy(), rtol=1e-10,
                               atol=1e-12, err_msg=where)


@pytest.mark.parametrize("name", list(CASES))
def test_like_torch(name: str) -> None:
    """Values, shapes and the nesting of the results are PyTorch's."""
    _assert_same(CASES[name](tg), CASES[name](torch))


@pytest.mark.parametrize("api", ["jacobian", "hessian", "vjp", "jvp", "hvp", "vhp"])
def test_create_graph_then_differentiate_again(api: str) -> None:
    """With create_graph=True the result is differentiable with respect to the user's
    inputs (which require grad): its gradient is PyTorch's."""
    grads = []
    for L in (tg, torch):
        x = _x(L).requires_grad_(True)
        fn = getattr(_lib(L), api)
        if api in ("jacobian", "hessian"):
            result = fn(scalar_fn if api == "hessian" else vector_fn, x, create_graph=True)
        else:
            func = scalar_fn if api in ("hvp", "vhp") else vector_fn
            result = fn(func, x, x * 1.5, create_graph=True)[1]
        assert result.requires_grad
        (result ** 2).sum().backward()
        grads.append(x.grad)
    _assert_same(grads[0], grads[1], f"{api}: gradient of the result")


def test_results_are_detached_without_create_graph() -> None:
    x = _x(tg).requires_grad_(True)
    out, v = tgf.vjp(vector_fn, x, x)
    assert not out.requires_grad and not v.requires_grad
    assert not tgf.jacobian(vector_fn, x).requires_grad


ERRORS: dict[str, Callable[[Any], Any]] = {
    "input not a tensor": lambda L: _lib(L).jacobian(vector_fn, [1.0]),
    "tuple input not a tensor": lambda L: _lib(L).vjp(tuple_fn, (_x(L), 2.0)),
    "output not a tensor": lambda L: _lib(L).jacobian(lambda x: 1.0, _x(L)),
    "vjp v missing": lambda L: _lib(L).vjp(vector_fn, _x(L)),
    "jvp v missing": lambda L: _lib(L).jvp(vector_fn, _x(L)),
    "vjp v of a wrong size": lambda L: _lib(L).vjp(vector_fn, _x(L), _m(L)),
    "jvp v of a wrong size, tuple": lambda L: _lib(L).jvp(tuple_fn, (_x(L), _m(L)),
                                                          (_x(L), _x(L))),
    "vjp v of a wrong length": lambda L: _lib(L).vjp(tuple_fn, (_x(L), _m(L)), (_x(L),)),
    "vjp v of a wrong length, single": lambda L: _lib(L).vjp(vector_fn, _x(L),
                                                             (_x(L), _x(L))),
    "hessian of a vector function": lambda L: _lib(L).hessian(vector_fn, _x(L)),
    "hessian of a tuple function": lambda L: _lib(L).hessian(lambda x: (x.sum(),), _x(L)),
    "hvp of a vector function": lambda L: _lib(L).hvp(vector_fn, _x(L), _x(L)),
    "vhp of a tuple function": lambda L: _lib(L).vhp(lambda x: (x.sum(),), _x(L), _x(L)),
    "strategy unknown": lambda L: _lib(L).jacobian(vector_fn, _x(L), strategy="sideways"),
    "forward-mode without vectorize": lambda L: _lib(L).jacobian(
        vector_fn, _x(L), strategy="forward-mode"),
    "forward-mode with create_graph": lambda L: _lib(L).jacobian(
        vector_fn, _x(L), create_graph=True, strategy="forward-mode"),
    "forward-mode with strict": lambda L: _lib(L).jacobian(
        vector_fn, _x(L), strict=True, vectorize=True, strategy="forward-mode"),
    "strict with vectorize": lambda L: _lib(L).jacobian(vector_fn, _x(L), strict=True,
                                                        vectorize=True),
    "strict: output independent of the inputs": lambda L: _lib(L).jacobian(
        lambda x: L.ones(2, dtype=L.float64), _x(L), strict=True),
    "strict: jacobian, one input unused": lambda L: _lib(L).jacobian(
        lambda a, b: a * 2, (_x(L), _m(L)), strict=True),
    "strict: vjp, one input unused": lambda L: _lib(L).vjp(
        lambda a, b: a * 2, (_x(L), _m(L)), _x(L), strict=True),
    "strict: jvp, one input unused": lambda L: _lib(L).jvp(
        lambda a, b: a * 2, (_x(L), _m(L)), (_x(L), _m(L)), strict=True),
    "strict: hessian of a linear function": lambda L: _lib(L).hessian(
        lambda a: a.sum() * 2, _x(L), strict=True),
    "strict: vhp of a linear function": lambda L: _lib(L).vhp(
        lambda a: a.sum() * 2, _x(L), _x(L), strict=True),
    "strict: hvp of a quadratic with create_graph": lambda L: _lib(L).hvp(
        lambda a: (a * a).sum(), _x(L), _x(L), strict=True, create_graph=True),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_like_torch(name: str) -> None:
    """PyTorch's exception class and message."""
    with pytest.raises(Exception) as theirs:
        ERRORS[name](torch)
    with pytest.raises(Exception) as mine:
        ERRORS[name](tg)
    assert type(mine.value) is type(theirs.value), (mine.value, theirs.value)
    assert str(mine.value) == str(theirs.value).replace("torch.Size", "tinygrad_edu.Size")
