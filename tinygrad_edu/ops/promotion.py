"""The operands of an op: checked as PyTorch checks them (a Tensor or a number) and
promoted to PyTorch's result dtype, with its broadcasting errors; shared by the op
families."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import creation, dtypes
from ..core import function as _function
from ..core.function import _wrap
from ..core.grad_mode import _state
from ..dtypes import FLOATING, DType
from ..parity.errors import broadcast_error as _broadcast_error
from ..parity.promotion import check_int_range, checked_scalar, python_scalar, result_type, wrap_int
from ..tensor_base import TensorBase, _bool, _float, _int, _type

if TYPE_CHECKING:
    from ..tensor import Tensor


# -------------------------------------------------------------------- helpers
def _data_of(x: Any) -> Any:
    """The ndarray of a Tensor; other values as they are."""
    return x._data if isinstance(x, TensorBase) else x


def _as_tensor_like(value: Any, like: Tensor) -> Tensor:
    """``value`` as a Tensor; Python numbers take ``like``'s dtype category rules."""
    if isinstance(value, TensorBase):
        return value
    number = python_scalar(value)
    if number is not None:
        dtype = result_type(like, number)
        return _wrap(np.asanyarray(checked_scalar(number, dtype), dtype=dtype.np))
    return creation.tensor(value)


def _operand_error(name: str, other: Any, numbers: _bool = True) -> TypeError:
    """PyTorch's TypeError for a method's ``other`` that is neither a Tensor nor a number."""
    kind = _type(other)
    spelled = kind.__name__ if kind.__module__ == "builtins" else \
        f"{kind.__module__}.{kind.__name__}"
    hint = " Hint: convert it first with tg.tensor(...)." if isinstance(
        other, (np.ndarray, list, tuple)) else ""
    return TypeError(f"{name}(): argument 'other' (position 1) must be Tensor"
                     f"{' or Number' if numbers else ''}, not {spelled}.{hint}")


def _is_operand(other: Any) -> _bool:
    """True for a Tensor or a number (numpy scalars included)."""
    return isinstance(other, TensorBase) or python_scalar(other) is not None


def _operand(other: Any, name: str) -> Any:
    """A method's ``other``: a Tensor, or a number (numpy scalars as Python numbers)."""
    if isinstance(other, TensorBase):
        return other
    number = python_scalar(other)
    if number is None:
        raise _operand_error(name, other)
    return number


def _logic_operand(other: Any, name: str | None) -> Any:
    """As ``_operand``; for an operator (``name`` None) anything else is NotImplemented."""
    if isinstance(other, TensorBase):
        return other.detach()
    number = python_scalar(other)
    if number is None:
        if name is None:
            return NotImplemented
        raise _operand_error(name, other)
    return number


def _promote(a: Tensor, b: Any, true_div: _bool = False) -> tuple[Tensor, Any]:
    """Operands cast to the result dtype (PyTorch's rules); numbers stay Python numbers.

    ``b`` is a Tensor or a number; numpy scalars count as Python numbers (weak: a float32
    tensor times ``np.float64(0.5)`` stays float32). An int that the result dtype cannot
    hold wraps, as in PyTorch (``uint8_tensor + 300`` adds 44).
    """
    a_dtype = a._data.dtype
    if isinstance(b, TensorBase):
        if b._data.dtype is a_dtype and (a_dtype in FLOATING or not true_div):
            return a, b
    else:
        kind = _type(b)
        if kind is not _float and kind is not _int and kind is not _bool:
            number = python_scalar(b)
            if number is None:
                raise TypeError(f"unsupported operand type for a Tensor op: "
                                f"'{_type(b).__name__}'")
            b, kind = number, _type(number)
        if kind is _float:
            if a_dtype in FLOATING:
                return a, b
        elif kind is _int:
            if a_dtype in FLOATING:
                check_int_range(b)
                return a, b
            if a_dtype.kind in "iu" and not true_div:
                return a, wrap_int(b, a_dtype)
    dtype = result_type(a, b)
    if true_div and dtype.category != dtypes._FLOAT:
        dtype = dtypes.get_default_dtype()
    np_dtype = dtype.np
    a = _operand_as(a, dtype)
    if isinstance(b, TensorBase):
        b = _operand_as(b, dtype)
    elif np_dtype in FLOATING:
        if _type(b) is _int:
            check_int_range(b)
        b = float(b)
    elif np_dtype.kind != "b":
        b = wrap_int(int(b), np_dtype)
    _check_broadcast(a, b)
    return a, b
def _operand_as(t: Tensor, dtype: DType) -> Tensor:
    """``t``'s values in ``dtype``, for an op that computes in a promoted dtype, with no node
    of its own: PyTorch casts inside such ops (``f32 + f64`` is one ``AddBackward0`` whose
    inputs are the two leaves), and the engine casts each gradient back to its input's
    dtype. The copy stands for ``t`` in the graph: it sends its gradient where ``t`` would
    (``t``'s node, or ``t`` itself for a leaf) and shares ``t``'s version counter, so an
    in-place change of ``t`` after the op is caught if the op saved it."""
    if t._data.dtype == dtype.np:
        return t
    if t._base is not None and t._vc[0] != t._view_version and _state.enabled:
        t._refresh_view()  # (a view, written since its history was made: see ops/views.py)
    out = _wrap(t._data.astype(dtype.np))
    if t._requires_grad and _state.enabled:
        out._requires_grad = True
        out._grad_fn = t if t._grad_fn is None else t._grad_fn
        out._vc = _function.shared_version(t)
        out._stands_for = t  # (for the message of a failed version check)
    return out


def _check_broadcast(a: Tensor, b: Any) -> None:
    if isinstance(b, TensorBase):
        try:
            np.broadcast_shapes(a._data.shape, b._data.shape)
        except ValueError:
            raise _broadcast_error(a._data.shape, b._data.shape) from None


def _check_inplace_broadcast(out: Tensor, other: Any) -> None:
    """An in-place op needs ``other`` to broadcast to ``out``'s own shape."""
    if isinstance(other, TensorBase):
        _check_broadcast(out, other)
        shape = np.broadcast_shapes(out._data.shape, other._data.shape)
        if shape != out._data.shape:
            raise RuntimeError(
                f"output with shape {list(out._data.shape)} doesn't match the broadcast shape "
                f"{list(shape)}. Hint: an in-place op cannot change the shape of its tensor; "
                "use the out-of-place form (x = x + y)."
            ) from None  # (raised while numpy's ValueError is handled: hide it)


