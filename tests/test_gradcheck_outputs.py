"""gradcheck and gradgradcheck for every kind of output, as torch.autograd's.

The same function is checked by both libraries: the result (True / False) or the class
of the exception must be the same. Regression tests name the cases of the issue: a
non-Tensor output was silently "checked" (True), NaN in both Jacobians passed, and an
all-NaN numerical Jacobian crashed the error message.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.autograd import GradcheckError, gradcheck, gradgradcheck

torch = pytest.importorskip("torch")


def _wrong(lib: Any) -> Any:
    """A Function whose backward is wrong (3 instead of 2)."""

    class Wrong(lib.autograd.Function):
        @staticmethod
        def forward(ctx: Any, t: Any) -> Any:
            return t * 2

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            return g * 3

    return Wrong


NAN = float("nan")
CASES: dict[str, Callable[[Any, Any], Any]] = {
    # fn(lib, x): the function checked at x = [1, 2] (float64, requires grad)
    "a tensor": lambda L, x: x * x,
    "a tuple of tensors": lambda L, x: (x * x, x.sum()),
    "a list of tensors": lambda L, x: [x.exp(), x.sum() ** 2],
    "an empty tuple": lambda L, x: (),
    "an int tensor beside a float one": lambda L, x: (x * x, x.long()),
    "only an int tensor": lambda L, x: x.long(),
    "a detached output": lambda L, x: x.detach() * 2,
    "a detached output beside a good one": lambda L, x: (x.detach() * 2, x * 2),
    "a constant output": lambda L, x: L.ones(2, dtype=L.float64),
    "item()": lambda L, x: (x * x).sum().item(),
    "a dict": lambda L, x: {"out": x * x},
    "None": lambda L, x: None,
    "a tuple with a number": lambda L, x: (x * x, 3),
    "a tuple with None": lambda L, x: (x * x, None),
    "NaN in both Jacobians": lambda L, x: x * NAN,
    "inf in the analytical Jacobian": lambda L, x: (x - 1).sqrt(),
    "a wrong backward": lambda L, x: _wrong(L).apply(x),
    "a NaN output": lambda L, x: x * 0 + NAN,
    "NaN in both second derivatives": lambda L, x: x * x * NAN,
}


def _run(lib: Any, check: Any, name: str, **kw: Any) -> Any:
    """True / False, or the exception's class."""
    x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return check(lambda t: CASES[name](lib, t), (x,), **kw)
    except Exception as e:  # noqa: BLE001  (the class is what is compared)
        return type(e)


def _same_kind(mine: Any, theirs: Any) -> bool:
    if isinstance(theirs, type):
        return isinstance(mine, type) and issubclass(mine, theirs if theirs.__name__ !=
                                                     "GradcheckError" else RuntimeError)
    return mine == theirs


@pytest.mark.parametrize("raise_exception", [True, False])
@pytest.mark.parametrize("name", list(CASES))
def test_gradcheck_like_torch(name: str, raise_exception: bool) -> None:
    """The same verdict as torch.autograd.gradcheck (True, False, or the error class)."""
    theirs = _run(torch, torch.autograd.gradcheck, name, raise_exception=raise_exception)
    mine = _run(tg, gradcheck, name, raise_exception=raise_exception)
    assert _same_kind(mine, theirs), f"{name}: {mine} != torch's {theirs}"


GG_CASES = ["a tensor", "a tuple of tensors", "a list of tensors",
            "an int tensor beside a float one", "item()", "a dict", "None",
            "a tuple with a number", "NaN in both second derivatives"]


@pytest.mark.parametrize("raise_exception", [True, False])
@pytest.mark.parametrize("name", GG_CASES)
def test_gradgradcheck_like_torch(name: str, raise_exception: bool) -> None:
    """The same verdict as torch.autograd.gradgradcheck."""
    theirs = _run(torch, torch.autograd.gradgradcheck, name, raise_exception=raise_exception)
    mine = _run(tg, gradgradcheck, name, raise_exception=raise_exception)
    assert _same_kind(mine, theirs), f"{name}: {mine} != torch's {theirs}"


def test_gradcheck_non_tensor_output_raises() -> None:
    """Regression: a function returning ``.item()``, a dict or None was reported as
    correct without any check; torch raises (AttributeError), and so do we, clearly."""
    x = tg.tensor([1.0, 2.0], dtype=tg.float64, requires_grad=True)
    for fn in (lambda t: (t * t).sum().item(), lambda t: {"y": t}, lambda t: None):
        with pytest.raises(AttributeError, match="must return a Tensor"):
            gradcheck(fn, (x,))
        with pytest.raises(TypeError):
            gradgradcheck(fn, (x,))


def test_gradcheck_nan_in_both_jacobians_fails() -> None:
    """Regression: NaN in both Jacobians counted as a match (equal_nan); torch fails."""
    x = tg.tensor([1.0, 2.0], dtype=tg.float64, requires_grad=True)
    with pytest.raises(GradcheckError, match="NaN or inf"):
        gradcheck(lambda t: t * NAN, (x,))
    assert gradcheck(lambda t: t * NAN, (x,), raise_exception=False) is False


def test_gradcheck_all_nan_numerical_jacobian_message() -> None:
    """Regression: an all-NaN numerical Jacobian crashed the error formatter (nanargmax of
    all NaN); the message now names the NaN."""
    x = tg.tensor([1.0, 2.0], dtype=tg.float64, requires_grad=True)

    class NanForward(tg.autograd.Function):
        @staticmethod
        def forward(ctx: Any, t: Any) -> Any:
            return t * NAN

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            return g

    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda t: NanForward.apply(t), (x,))
    assert "numerical nan" in str(info.value) and "NaN or inf" in str(info.value)


def test_gradcheck_needs_an_input_requiring_grad() -> None:
    """As torch: nothing to check is an error, not a silent True."""
    with pytest.raises(ValueError, match="at least one input"):
        gradcheck(lambda t: t * 2, (tg.tensor([1.0], dtype=tg.float64),))


def test_gradcheck_detached_output_must_be_constant() -> None:
    """With no output requiring grad, the function must not depend on the inputs."""
    x = tg.tensor([1.0, 2.0], dtype=tg.float64, requires_grad=True)
    with pytest.raises(GradcheckError, match="expected to be zero"):
        gradcheck(lambda t: t.detach() * 2, (x,))
    assert gradcheck(lambda t: tg.ones(2, dtype=tg.float64), (x,))
    assert np.isfinite(x.detach().numpy()).all()
