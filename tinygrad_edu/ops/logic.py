"""The Tensor's comparisons (``== < >=`` ...), bitwise (``& | ^ ~``) and logical ops and
their in-place forms: boolean results, no gradient, so no Functions (the arithmetic is in
``arithmetic.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtypes
from ..core.function import _wrap
from ..dtypes import FLOATING
from ..parity.names import scalar_type_name
from ..parity.promotion import result_type
from ..tensor_base import (
    TensorBase,
    _bool,
    _check_result_cast,
    _float,
    _nd,
    _type,
)
from .promotion import (
    _check_broadcast,
    _check_inplace_broadcast,
    _data_of,
    _logic_operand,
    _operand_error,
    _promote,
)

if TYPE_CHECKING:
    from ..tensor import Tensor


def _shift(x: np.ndarray, s: Any, left: _bool) -> np.ndarray:
    """``x << s`` (``x >> s``) as PyTorch's kernels shift: a shift that is negative or not
    below the bit width gives 0 (right: the sign bit, repeated, for signed types), where C
    (and numpy) leave it undefined. ``x`` and ``s`` share one integer dtype."""
    x = np.asanyarray(x)
    s = np.asanyarray(s)
    bits = x.dtype.itemsize * 8
    out_of_range = (s < 0) | (s >= bits)
    safe = np.where(out_of_range, 0, s).astype(x.dtype, copy=False)
    if left:
        return np.asanyarray(np.where(out_of_range, 0, np.left_shift(x, safe)))
    fill = np.right_shift(x, bits - 1) if x.dtype.kind == "i" else 0  # (0 or -1)
    return np.asanyarray(np.where(out_of_range, fill, np.right_shift(x, safe)))


def _lshift(x: np.ndarray, s: Any) -> np.ndarray:
    return _shift(x, s, True)


def _rshift(x: np.ndarray, s: Any) -> np.ndarray:
    return _shift(x, s, False)


def _rlshift(s: np.ndarray, x: Any) -> np.ndarray:  # (``number << tensor``)
    return _shift(np.asanyarray(x, np.asanyarray(s).dtype), s, True)


def _rrshift(s: np.ndarray, x: Any) -> np.ndarray:  # (``number >> tensor``)
    return _shift(np.asanyarray(x, np.asanyarray(s).dtype), s, False)


class LogicMethods(TensorBase):
    """The Tensor's comparison, bitwise and logical operators and methods: operands
    promoted as PyTorch does, then a numpy ufunc (a bool or integer result: no graph)."""

    __slots__ = ()

    # ------------------------------------------------------------------ comparisons
    def _compare(self, ufunc: Any, other: Any, name: str | None = None) -> Any:
        """``ufunc(self, other)`` (a bool tensor) after PyTorch's promotion of both sides:
        ``uint8_tensor < 300`` compares with 300 wrapped into uint8, as PyTorch does."""
        if _type(other) is _float and self._data.dtype in FLOATING:
            return _wrap(ufunc(self._data, other))  # (the common x < 0.5: no promotion)
        if name is None and ufunc in (np.equal, np.not_equal) and isinstance(other, _nd):
            if other.dtype not in dtypes._FROM_NUMPY:  # (== with an ndarray: as a tensor)
                return NotImplemented
            other = _wrap(other)
        other = _logic_operand(other, name)
        if other is NotImplemented:
            return NotImplemented
        a, b = _promote(_wrap(self._data), other)
        try:
            return _wrap(np.asanyarray(ufunc(a._data, _data_of(b))))
        except ValueError:  # numpy's broadcasting error -> PyTorch's
            _check_broadcast(self, other)
            raise

    __hash__ = object.__hash__  # (by identity: defining __eq__ would unset it)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(np.equal, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(np.not_equal, other)

    def __lt__(self, other: Any) -> Tensor:
        return self._compare(np.less, other)

    def __le__(self, other: Any) -> Tensor:
        return self._compare(np.less_equal, other)

    def __gt__(self, other: Any) -> Tensor:
        return self._compare(np.greater, other)

    def __ge__(self, other: Any) -> Tensor:
        return self._compare(np.greater_equal, other)

    def eq(self, other: Any) -> Tensor:
        """Elementwise ``self == other`` (a bool tensor)."""
        return self._compare(np.equal, other, "eq")

    def ne(self, other: Any) -> Tensor:
        """Elementwise ``self != other`` (a bool tensor)."""
        return self._compare(np.not_equal, other, "ne")

    def lt(self, other: Any) -> Tensor:
        """Elementwise ``self < other`` (a bool tensor)."""
        return self._compare(np.less, other, "lt")

    def le(self, other: Any) -> Tensor:
        """Elementwise ``self <= other`` (a bool tensor)."""
        return self._compare(np.less_equal, other, "le")

    def gt(self, other: Any) -> Tensor:
        """Elementwise ``self > other`` (a bool tensor)."""
        return self._compare(np.greater, other, "gt")

    def ge(self, other: Any) -> Tensor:
        """Elementwise ``self >= other`` (a bool tensor)."""
        return self._compare(np.greater_equal, other, "ge")

    greater, less, greater_equal, less_equal, not_equal = gt, lt, ge, le, ne

    # ------------------------------------------------------------------ bitwise, logical
    def _bitwise(self, ufunc: Any, other: Any, name: str, method: _bool = False,
                 kernel: str | None = None) -> Any:
        """``self & other`` (``|``, ``^``, ``<<``, ``>>``): bitwise in PyTorch's promoted
        dtype, so ``bool_mask & tensor([2, 1])`` is ``tensor([0, 1])``; bools give bools
        (and, or, xor; shifts have no bool kernel); a float anywhere raises, as PyTorch's
        integer-only kernels (``kernel``, by default ``name``) do."""
        if not method and isinstance(other, _nd):
            return self._with_array(ufunc, None, other)
        other = _logic_operand(other, name if method else None)
        if other is NotImplemented:
            return NotImplemented
        a, b = _promote(_wrap(self._data), other)
        dtype = a._data.dtype
        if dtype in FLOATING or (dtype == np.bool_ and kernel is not None):
            raise NotImplementedError(f"\"{kernel or name}_cpu\" not implemented for "
                                      f"'{scalar_type_name(a._data.dtype)}'")
        try:
            return _wrap(np.asanyarray(ufunc(a._data, _data_of(b))))
        except ValueError:
            _check_broadcast(self, other)
            raise

    def __and__(self, other: Any) -> Tensor:
        return self._bitwise(np.bitwise_and, other, "bitwise_and")

    def __or__(self, other: Any) -> Tensor:
        return self._bitwise(np.bitwise_or, other, "bitwise_or")

    def __xor__(self, other: Any) -> Tensor:
        return self._bitwise(np.bitwise_xor, other, "bitwise_xor")

    # (all three commute; an ndarray on the left is refused, as PyTorch does)
    def __rand__(self, other: Any) -> Tensor:
        return NotImplemented if isinstance(other, _nd) else self.__and__(other)

    def __ror__(self, other: Any) -> Tensor:
        return NotImplemented if isinstance(other, _nd) else self.__or__(other)

    def __rxor__(self, other: Any) -> Tensor:
        return NotImplemented if isinstance(other, _nd) else self.__xor__(other)

    def __iand__(self, other: Any) -> Tensor:  # type: ignore[misc]
        return self._bitwise_(np.bitwise_and, other, "bitwise_and", method=False)

    def __ior__(self, other: Any) -> Tensor:  # type: ignore[misc]
        return self._bitwise_(np.bitwise_or, other, "bitwise_or", method=False)

    def __ixor__(self, other: Any) -> Tensor:  # type: ignore[misc]
        return self._bitwise_(np.bitwise_xor, other, "bitwise_xor", method=False)

    def _bitwise_(self, ufunc: Any, other: Any, name: str, method: _bool = True,
                  kernel: str | None = None) -> Any:
        """In place ``self &= other`` (``|=``, ``^=``, ``<<=``, ``>>=``): the result dtype
        must cast to ours."""
        operand = _logic_operand(other, name + "_" if method else None)
        if operand is NotImplemented:
            return NotImplemented
        _check_inplace_broadcast(self, operand)
        _check_result_cast(result_type(self, operand).np, self._data.dtype)
        return self._write_logic(self._bitwise(ufunc, operand, name, method=True,
                                               kernel=kernel))

    def bitwise_and(self, other: Any) -> Tensor:
        """Elementwise bitwise and of integers (logical and of bools), promoted."""
        return self._bitwise(np.bitwise_and, other, "bitwise_and", method=True)

    def bitwise_or(self, other: Any) -> Tensor:
        """Elementwise bitwise or of integers (logical or of bools), promoted."""
        return self._bitwise(np.bitwise_or, other, "bitwise_or", method=True)

    def bitwise_xor(self, other: Any) -> Tensor:
        """Elementwise bitwise xor of integers (logical xor of bools), promoted."""
        return self._bitwise(np.bitwise_xor, other, "bitwise_xor", method=True)

    def bitwise_and_(self, other: Any) -> Tensor:
        """In place: ``self &= other``."""
        return self._bitwise_(np.bitwise_and, other, "bitwise_and")

    def bitwise_or_(self, other: Any) -> Tensor:
        """In place: ``self |= other``."""
        return self._bitwise_(np.bitwise_or, other, "bitwise_or")

    def bitwise_xor_(self, other: Any) -> Tensor:
        """In place: ``self ^= other``."""
        return self._bitwise_(np.bitwise_xor, other, "bitwise_xor")

    def __lshift__(self, other: Any) -> Tensor:
        return self._bitwise(_lshift, other, "bitwise_left_shift", kernel="lshift")

    def __rshift__(self, other: Any) -> Tensor:
        return self._bitwise(_rshift, other, "bitwise_right_shift", kernel="rshift")

    def __rlshift__(self, other: Any) -> Tensor:
        if isinstance(other, _nd):
            return NotImplemented
        return self._bitwise(_rlshift, other, "bitwise_left_shift", kernel="lshift")

    def __rrshift__(self, other: Any) -> Tensor:
        if isinstance(other, _nd):
            return NotImplemented
        return self._bitwise(_rrshift, other, "bitwise_right_shift", kernel="rshift")

    def __ilshift__(self, other: Any) -> Tensor:  # type: ignore[misc]
        return self._bitwise_(_lshift, other, "bitwise_left_shift", method=False,
                              kernel="lshift")

    def __irshift__(self, other: Any) -> Tensor:  # type: ignore[misc]
        return self._bitwise_(_rshift, other, "bitwise_right_shift", method=False,
                              kernel="rshift")

    def bitwise_left_shift(self, other: Any) -> Tensor:
        """``self << other``: each integer's bits moved left (``self * 2**other``, wrapping
        in the dtype); a shift that is negative or past the bit width gives 0.

        >>> tg.tensor([1, -3]).bitwise_left_shift(2)
        tensor([  4, -12])
        """
        return self._bitwise(_lshift, other, "bitwise_left_shift", method=True,
                             kernel="lshift")

    def bitwise_right_shift(self, other: Any) -> Tensor:
        """``self >> other``: each integer's bits moved right, the sign bit repeated
        (``floor(self / 2**other)``); past the bit width: 0, or -1 for negative values.

        >>> tg.tensor([8, -3]).bitwise_right_shift(1)
        tensor([ 4, -2])
        """
        return self._bitwise(_rshift, other, "bitwise_right_shift", method=True,
                             kernel="rshift")

    def bitwise_left_shift_(self, other: Any) -> Tensor:
        """In place: ``self <<= other``."""
        return self._bitwise_(_lshift, other, "bitwise_left_shift", kernel="lshift")

    def bitwise_right_shift_(self, other: Any) -> Tensor:
        """In place: ``self >>= other``."""
        return self._bitwise_(_rshift, other, "bitwise_right_shift", kernel="rshift")

    def __invert__(self) -> Tensor:
        if self._data.dtype in FLOATING:
            raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                            f"tensors, got {self.dtype}")
        return _wrap(np.invert(self._data))

    def bitwise_not(self) -> Tensor:
        """Elementwise ``~self``: each bit flipped (not, for bools)."""
        if self._data.dtype in FLOATING:
            raise NotImplementedError("\"bitwise_not_cpu\" not implemented for "
                                      f"'{scalar_type_name(self._data.dtype)}'")
        return _wrap(np.invert(self._data))

    def bitwise_not_(self) -> Tensor:
        """In place: ``self = ~self``."""
        return self._write_logic(self.bitwise_not())

    def _logical(self, ufunc: Any, other: Any, name: str) -> Tensor:
        """``ufunc(self != 0, other != 0)`` as a bool tensor; ``other`` must be a Tensor."""
        if not isinstance(other, TensorBase):
            raise _operand_error(name, other, numbers=False)
        try:
            return _wrap(np.asanyarray(ufunc(self._data, other._data)))
        except ValueError:
            _check_broadcast(self, other)
            raise

    def logical_not(self) -> Tensor:
        """Elementwise not, as bool."""
        return _wrap(np.logical_not(self._data))

    def logical_and(self, other: Tensor) -> Tensor:
        """Elementwise and of ``self != 0`` and ``other != 0``, as bool."""
        return self._logical(np.logical_and, other, "logical_and")

    def logical_or(self, other: Tensor) -> Tensor:
        """Elementwise or of ``self != 0`` and ``other != 0``, as bool."""
        return self._logical(np.logical_or, other, "logical_or")

    def logical_xor(self, other: Tensor) -> Tensor:
        """Elementwise xor of ``self != 0`` and ``other != 0``, as bool."""
        return self._logical(np.logical_xor, other, "logical_xor")

    def logical_not_(self) -> Tensor:
        """In place: ``self = logical_not(self)``, in ``self``'s dtype (1 or 0)."""
        return self._write_logic(self.logical_not())

    def logical_and_(self, other: Tensor) -> Tensor:
        """In place: ``self = logical_and(self, other)``, in ``self``'s dtype (1 or 0)."""
        return self._write_logic(self.logical_and(other))

    def logical_or_(self, other: Tensor) -> Tensor:
        """In place: ``self = logical_or(self, other)``, in ``self``'s dtype (1 or 0)."""
        return self._write_logic(self.logical_or(other))

    def logical_xor_(self, other: Tensor) -> Tensor:
        """In place: ``self = logical_xor(self, other)``, in ``self``'s dtype (1 or 0)."""
        return self._write_logic(self.logical_xor(other))

    def _write_logic(self, result: Any) -> Any:
        """Write a bitwise or logical ``result`` (no graph) into this tensor, as PyTorch's
        in-place forms: the result dtype must cast to ours (no int into a bool tensor)."""
        if result is NotImplemented:
            return NotImplemented
        _check_result_cast(result._data.dtype, self._data.dtype)
        if result._data.shape != self._data.shape:
            _check_inplace_broadcast(self, result)
        self._check_inplace()
        return self._become(result.expand(self.shape) if result._data.shape != self._data.shape
                            else result)

    def isnan(self) -> Tensor:
        """Elementwise: is NaN."""
        return _wrap(np.isnan(self._data))

    def isinf(self) -> Tensor:
        """Elementwise: is +-inf."""
        return _wrap(np.isinf(self._data))

    def isfinite(self) -> Tensor:
        """Elementwise: neither NaN nor inf."""
        return _wrap(np.isfinite(self._data))

    def isposinf(self) -> Tensor:
        """Elementwise: is +inf."""
        return _wrap(np.isposinf(self._data) if self._data.dtype in FLOATING
                     else np.zeros(self._data.shape, np.bool_))

    def isneginf(self) -> Tensor:
        """Elementwise: is -inf."""
        return _wrap(np.isneginf(self._data) if self._data.dtype in FLOATING
                     else np.zeros(self._data.shape, np.bool_))

    def isreal(self) -> Tensor:
        """Elementwise: has no imaginary part; always True (no complex dtypes here)."""
        return _wrap(np.ones(self._data.shape, np.bool_))

    def signbit(self) -> Tensor:
        """Elementwise: the sign bit is set (True for negative numbers, -0.0 and -inf)."""
        data = self._data
        return _wrap(np.signbit(data) if data.dtype.kind == "i" or data.dtype in FLOATING
                     else np.zeros(data.shape, np.bool_))

    def equal(self, other: Tensor) -> _bool:
        """True when shapes and all values are equal."""
        return self.shape == other.shape and bool(np.array_equal(self._data, other._data))

    def allclose(self, other: Any, rtol: _float = 1e-5, atol: _float = 1e-8,
                 equal_nan: _bool = False) -> _bool:
        """``|self - other| <= atol + rtol * |other|`` everywhere."""
        return bool(np.allclose(self._data, _data_of(other), rtol=rtol, atol=atol,
                                equal_nan=equal_nan))

    def isclose(self, other: Any, rtol: _float = 1e-5, atol: _float = 1e-8,
                equal_nan: _bool = False) -> Tensor:
        """Elementwise ``|self - other| <= atol + rtol * |other|``."""
        return _wrap(np.isclose(self._data, _data_of(other), rtol=rtol, atol=atol,
                                equal_nan=equal_nan))
