"""PyTorch's type-promotion rules: the dtype of an op's result, and how it reads a Python
number (a "wrapped number", weak: it takes part in promotion only by its category).

numpy's rules differ from PyTorch's (``float32 + int64`` is ``float64`` in numpy and
``float32`` in PyTorch; a 0-d ``float64`` array wins in numpy and loses in PyTorch), so
every binary op asks :func:`result_type` first and computes in that dtype (the operand
checks and casts are ``ops/promotion.py``'s).

    >>> import tinygrad_edu as tg
    >>> result_type(tg.ones(2, dtype=tg.int64), 0.5)
    tinygrad_edu.float32
"""

from __future__ import annotations

import builtins

import numpy as np

from .. import dtypes as _dt
from ..dtypes import _BOOL, _FLOAT, _FROM_NUMPY, _INT, DType
from .names import C10_TYPE_NAMES

__all__ = ["check_int_range", "checked_scalar", "overflows", "promote_types", "python_scalar",
           "result_type", "scalar_dtype", "wrap_int"]

# the builtins (as in dtypes.py, whose names float/int/bool are PyTorch's dtypes)
_pyfloat, _pyint, _pybool = float, int, bool


def promote_types(a: DType, b: DType) -> DType:
    """The smallest dtype both ``a`` and ``b`` can be cast to (``torch.promote_types``)."""
    if a is b:
        return a
    if a.category != b.category:
        return a if a.category > b.category else b
    return _FROM_NUMPY[np.promote_types(a.np, b.np)]


def scalar_dtype(x: object) -> DType:
    """The dtype of a tensor made from the Python number ``x`` (``tg.full``'s, a 0-d
    tensor's): bool, int64, or the default float dtype."""
    if isinstance(x, _pybool):
        return _dt.bool
    if isinstance(x, _pyint):
        return _dt.int64
    return _dt._default_float


def _combine(higher: DType | None, lower: DType | None) -> DType | None:
    # PyTorch's combine_categories: a higher-priority group wins unless a lower group
    # brings a higher category (an int tensor plus a float scalar is a float tensor).
    if higher is None:
        return lower
    if lower is None or higher.category == _FLOAT:
        return higher
    if higher.category == _BOOL or lower.category > higher.category:
        return promote_types(higher, lower)
    return higher


def result_type(*operands: object) -> DType:
    """The dtype of a binary op's result under PyTorch's rules.

    Operands are Tensors (anything with ``_data``) or Python scalars. Tensors with
    dimensions outrank 0-d tensors, which outrank Python scalars; a lower group only
    matters when it brings a higher category (bool < int < float).
    """
    dim = zero = scalar = None
    for x in operands:
        data = getattr(x, "_data", None)
        if data is None:
            d = scalar_dtype(x)
            scalar = d if scalar is None else promote_types(scalar, d)
        else:
            d = _FROM_NUMPY[data.dtype]
            if data.ndim:
                dim = d if dim is None else promote_types(dim, d)
            else:
                zero = d if zero is None else promote_types(zero, d)
    out = _combine(dim, _combine(zero, scalar))
    assert out is not None
    int64 = _dt.int64
    if out is int64 and scalar is int64 and (dim or zero or _dt.bool).category != _INT and any(
            type(x) is _pyint and x >= 2**63 for x in operands):
        # PyTorch holds such an int as a uint64, which promotes with no signed type
        raise RuntimeError("Promotion for uint16, uint32, uint64 types is not supported, "
                           "attempted to promote Bool and UInt64")
    return out


# ---------------------------------------------------------------------------- Python numbers
# How PyTorch reads a number that is not a tensor (a "wrapped number": it takes part in
# promotion only by its category) and how it converts one into a tensor's dtype.

_INT64_MIN, _UINT64_END = -(2**63), 2**64

def python_scalar(x: object) -> builtins.bool | builtins.int | builtins.float | None:
    """``x`` as the Python number PyTorch reads it as, or None if it is not a number.

    numpy scalars count as Python numbers (weak: ``np.float64(0.5) * x`` stays float32):
    an ``np.integer`` as an int, an ``np.floating`` as a float, and an ``np.bool_`` as a
    float (as PyTorch reads it: ``bool_tensor + np.bool_(True)`` is float32).
    """
    kind = type(x)
    if kind is _pyint:
        check_int_range(x)  # type: ignore[arg-type]
        return x  # type: ignore[return-value]
    if kind is _pyfloat or kind is _pybool:
        return x  # type: ignore[return-value]
    if isinstance(x, np.generic):
        code = x.dtype.kind
        if code in "iu":
            return _pyint(x)  # type: ignore[call-overload]
        if code in "fb":
            return _pyfloat(x)  # type: ignore[arg-type]
        return None
    if isinstance(x, _pybool):  # subclasses: IntEnum, ...
        return _pybool(x)
    if isinstance(x, _pyint):
        return python_scalar(_pyint(x))
    if isinstance(x, _pyfloat):
        return _pyfloat(x)
    return None


def check_int_range(value: builtins.int) -> None:
    """PyTorch reads a Python int as a 64-bit integer (signed, or unsigned from 2**63 on):
    beyond that range it raises."""
    if value >= _UINT64_END:
        raise OverflowError("int too big to convert")
    if value < _INT64_MIN:
        raise OverflowError("can't convert negative int to unsigned")


def wrap_int(value: builtins.int, np_dtype: np.dtype,
             check: builtins.bool = True) -> builtins.int:
    """A Python int operand of an op computed in the int dtype ``np_dtype``, wrapped as
    PyTorch casts it (two's complement: ``uint8_tensor + 300`` adds 44)."""
    if check:
        check_int_range(value)
    low, high = _INT_BOUNDS[np_dtype]
    if low <= value <= high:
        return value
    bits = 8 * np_dtype.itemsize
    value %= 2**bits
    return value - 2**bits if low < 0 and value > high else value


_INT_BOUNDS = {d.np: (_pyint(np.iinfo(d.np).min),  # type: ignore[type-var]
                      _pyint(np.iinfo(d.np).max))  # type: ignore[type-var]
               for d in _dt._ALL if d.category == _INT}


def overflows(value: builtins.int | builtins.float, dtype: DType) -> builtins.bool:
    """True where PyTorch's checked conversion of a number into ``dtype`` fails (c10's
    ``overflows``): out of the type's range, or NaN/inf into an int type. Unsigned
    types also take negative values down to -max (they wrap: ``a - b`` as ``a + 255b``);
    a float becomes float16 when it fits a float32 (large ones round to inf)."""
    if dtype is _dt.bool:
        return False
    if isinstance(value, _pyint) and value >= 2**63 and dtype is not _dt.float16:
        value = _pyfloat(value)  # (PyTorch holds such an int as a double)
    if dtype.category == _FLOAT:
        if isinstance(value, _pyfloat):
            if value != value or value in (np.inf, -np.inf):
                return False
            limit = np.finfo(np.float32 if dtype is _dt.float16 else dtype.np).max
        else:
            limit = np.finfo(dtype.np).max
        return _pybool(abs(value) > limit)
    if isinstance(value, _pyfloat) and (value != value or value in (np.inf, -np.inf)):
        return True
    low, high = _INT_BOUNDS[dtype.np]
    if low == 0 and isinstance(value, _pyint):
        low = -high
    return _pybool(value < low or value > high)


def checked_scalar(value: builtins.bool | builtins.int | builtins.float, dtype: DType,
                   names: str = "c++") -> builtins.bool | builtins.int | builtins.float:
    """``value`` converted into ``dtype`` as PyTorch's ``fill_``, ``full``, ``clamp``,
    ``where``, ``masked_fill`` and ``pow`` do: a RuntimeError when it does not fit."""
    if isinstance(value, _pyint) and not isinstance(value, _pybool):
        check_int_range(value)
    if overflows(value, dtype):
        name = C10_TYPE_NAMES[dtype.name] if names == "c++" else dtype.name
        raise RuntimeError(f"value cannot be converted to type {name} without overflow")
    if dtype.category == _INT:
        return wrap_int(_pyint(value), dtype.np)  # (unsigned: -1 is 255)
    return value
