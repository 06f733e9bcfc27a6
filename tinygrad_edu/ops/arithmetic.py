"""The Tensor's arithmetic, comparisons, bitwise and logical ops: the operators and
methods and their argument checks (operands are promoted in ``promotion.py``); the
Functions they apply (forward and backward) are in ``elementwise.py``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtypes
from ..core.function import _wrap
from ..core.function import apply_pair as _pair
from ..core.grad_mode import _state
from ..parity.names import scalar_type_name
from ..tensor_base import (
    _FLOAT_KIND,
    TensorBase,
    _bool,
    _check_result_cast,
    _float,
    _inplace_form,
    _int,
    _nd,
    _type,
)
from . import elementwise as E
from .promotion import (
    _as_tensor_like,
    _check_broadcast,
    _check_inplace_broadcast,
    _data_of,
    _logic_operand,
    _operand,
    _operand_as,
    _operand_error,
    _promote,
)

if TYPE_CHECKING:
    from ..tensor import Tensor


_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)
_scalar_types = (int, float, bool)


def _scaled_by_op(x: Tensor, other: Any, alpha: Any) -> _bool:
    """add/sub of a tensor with a number ``alpha`` other than 1, in floating point: one
    op (``AddScaled``), not a product node and a sum node."""
    return (isinstance(other, TensorBase) and _type(alpha) in (_int, _float) and alpha != 1
            and x._data.dtype.kind == _FLOAT_KIND and other._data.dtype.kind == _FLOAT_KIND)


def _scaled(x: Tensor, other: Any, alpha: Any, name: str) -> Any:
    """``alpha * other`` for add/sub(alpha=...), with PyTorch's check of alpha's type."""
    if _type(alpha) is _int and alpha == 1:
        return other
    other = _operand(other, name)
    number = dtypes.python_scalar(alpha)
    if number is None:
        raise TypeError(f"{name}(): argument 'alpha' must be Number, not {_type(alpha).__name__}")
    result = dtypes.result_type(x, other)
    if result.category != dtypes._FLOAT and isinstance(number, _float):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")
    if isinstance(number, _bool) and result is not dtypes.bool:
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if result is dtypes.bool:  # computed in bool: alpha * other is "alpha and other"
        return other if number else other & False
    if isinstance(other, TensorBase):  # alpha * other in the result dtype, as PyTorch computes
        return (other if other._data.dtype == result.np else other.to(result)) * number
    if result.category == dtypes._INT:
        return dtypes.wrap_int(_int(other) * _int(number), result.np, check=False)
    return _float(other) * number


_BOOL_KERNELS = {E.FloorDivide: "div_floor_cpu", E.Remainder: "remainder_cpu",
                 E.RemainderTensor: "remainder_cpu", E.RemainderOfNumber: "remainder_cpu",
                 E.DivRounding: "div_trunc_cpu"}
_BOOL_CHECKED = {E.Sub, E.RSub, *_BOOL_KERNELS}


def _check_bool_kernel(op: Any, x: Tensor, other: Any) -> None:
    """PyTorch's refusals for bools: no subtraction with a bool operand, and no floor
    division or remainder of two bools (no integer kernel for them)."""
    x_bool = x._data.dtype == np.bool_
    other_bool = isinstance(other, _bool) or (isinstance(other, TensorBase) and
                                              other._data.dtype == np.bool_)
    if op is E.Sub or op is E.RSub:
        if x_bool and other_bool:
            raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                               "supported. Use the `^` or `logical_xor()` operator instead.")
        if x_bool or other_bool:
            raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not "
                               "supported. If you are trying to invert a mask, use the `~` or "
                               "`logical_not()` operator instead.")
    elif op in _BOOL_KERNELS and x_bool and other_bool:
        raise NotImplementedError(f"\"{_BOOL_KERNELS[op]}\" not implemented for 'Bool'")


_INT_DIVISIONS = (E.FloorDivide, E.Remainder, E.RemainderTensor, E.RemainderOfNumber)
_ARRAY_UFUNCS = {E.Add: np.add, E.Sub: np.subtract, E.Mul: np.multiply, E.Div: np.true_divide,
                 E.FloorDivide: np.floor_divide, E.Remainder: np.remainder,
                 E.RemainderTensor: np.remainder}


def _check_int_division(divisor: Any, like: Tensor) -> None:
    """Integer division (``//``, ``%``, rounded ``div``) by zero raises, as in PyTorch
    (numpy would give 0 with a warning); float division gives inf or nan."""
    if like._data.dtype.kind in "iub" and not np.all(_data_of(divisor)):
        raise RuntimeError("ZeroDivisionError")


def where(condition: Tensor, input: Any, other: Any) -> Tensor:
    """``input`` where ``condition`` is True, else ``other`` (broadcasting)."""
    cond = _data_of(condition)
    if isinstance(cond, (np.bool_, bool)):  # a comparison of 0-d arrays gives a numpy bool
        cond = np.asarray(cond)
    if not isinstance(cond, np.ndarray) or cond.dtype != np.bool_:
        raise RuntimeError("where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {getattr(condition, 'dtype', type(condition).__name__)}")
    x, y = _operand(input, "where"), _operand(other, "where")
    dtype = dtypes.result_type(x, y)  # numbers (numpy scalars too) are weak, as in PyTorch
    x, y = (_operand_as(v, dtype) if isinstance(v, TensorBase) else
            _wrap(np.asarray(dtypes.checked_scalar(v, dtype), dtype=dtype.np)) for v in (x, y))
    for t in (x, y):
        _check_broadcast(_wrap(cond), t)
    _check_broadcast(x, y)
    return E.Where.apply(cond, x, y)


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise maximum (for the dual ops: one side may be a number)."""
    if not isinstance(a, TensorBase):
        a, b = b, a
    return a.maximum(_as_tensor_like(b, a))


def zeros_like(t: Tensor) -> Tensor:
    """Zeros with ``t``'s shape and dtype."""
    return _wrap(np.zeros_like(t._data))


class ArithmeticMethods(TensorBase):
    """The Tensor's arithmetic, comparison, bitwise and logical operators and methods:
    operands checked and promoted to PyTorch's result dtype, then one Function of
    ``elementwise.py``."""

    __slots__ = ()
    _where = staticmethod(where)  # (dual.where's Tensor path: dual.py imports no op family)

    # ------------------------------------------------------------------ arithmetic
    def _binary(self, op: Any, other: Any, reverse: _bool = False,
                name: str | None = None) -> Any:
        """``self <op> other`` (``other <op> self`` when ``reverse``) in PyTorch's result
        dtype. ``other`` is a Tensor or a number (numpy scalars count as Python numbers);
        anything else makes an operator return NotImplemented (so that Python, or numpy
        for an ndarray, takes over, as with PyTorch) and the method ``name`` raise."""
        kind = _type(other)
        if kind is not _float and kind is not _int and not isinstance(other, TensorBase):
            number = dtypes.python_scalar(other)
            if number is None:
                if name is None and not reverse and isinstance(other, _nd):
                    return self._with_array(_ARRAY_UFUNCS[op], op, other)
                if name is None:
                    return NotImplemented
                raise _operand_error(name, other)
            other = number
        elif kind is _int:
            dtypes.check_int_range(other)
        if op in _BOOL_CHECKED:
            _check_bool_kernel(op, self, other)
        a, b = _promote(self, other, op is E.Div)
        if op in _INT_DIVISIONS:
            _check_int_division(b if not reverse else a, a)
        if reverse and (op is E.Add or op is E.Mul) and not isinstance(b, TensorBase):
            return op.apply(a, b)  # 2 * x is x * 2, the tensor first (as PyTorch records it)
        return op.apply(b, a) if reverse else op.apply(a, b)

    # The four most common operators check the common case inline: a float tensor with a
    # Python float or a tensor of the very same dtype needs no promotion (anything else
    # takes ``_promote``); the generic path costs a few calls per op on small models.
    def __add__(self, other: Any) -> Tensor:
        dtype = self._data.dtype
        if dtype.kind == _FLOAT_KIND and (type(other) is float or isinstance(other, TensorBase)
                                          and other._data.dtype is dtype):
            return _pair(E.Add, self, other)
        return self._binary(E.Add, other)

    def __sub__(self, other: Any) -> Tensor:
        dtype = self._data.dtype
        if dtype.kind == _FLOAT_KIND and (type(other) is float or isinstance(other, TensorBase)
                                          and other._data.dtype is dtype):
            return _pair(E.Sub, self, other)
        return self._binary(E.Sub, other)

    def __mul__(self, other: Any) -> Tensor:
        dtype = self._data.dtype
        if dtype.kind == _FLOAT_KIND and (type(other) is float or isinstance(other, TensorBase)
                                          and other._data.dtype is dtype):
            return _pair(E.Mul, self, other)
        return self._binary(E.Mul, other)

    def __truediv__(self, other: Any) -> Tensor:
        dtype = self._data.dtype
        if dtype.kind == _FLOAT_KIND and (type(other) is float or isinstance(other, TensorBase)
                                          and other._data.dtype is dtype):
            return _pair(E.Div, self, other)
        return self._binary(E.Div, other)

    def _with_array(self, ufunc: Any, op: Any, array: np.ndarray) -> Any:
        """``self <op> ndarray`` as PyTorch does it: numpy computes it, with numpy's dtype
        rules, and the result is wrapped as a tensor (a bool one as uint8). Unlike
        PyTorch (which raises), a tensor that requires grad takes the same dtypes through
        our differentiable op, so gradients flow."""
        if array.dtype not in dtypes._FROM_NUMPY:
            return NotImplemented
        if not (_state.enabled and self._requires_grad):
            return self.__array_wrap__(np.asarray(ufunc(self._data, array)))
        dtype = ufunc(np.zeros(1, self._data.dtype), np.ones(1, array.dtype)).dtype
        x = self if self._data.dtype == dtype else self.to(dtypes.from_numpy(dtype))
        y = _wrap(array.astype(dtype, copy=False))
        _check_broadcast(x, y)
        return op.apply(x, y) if op is not None else _wrap(np.asarray(ufunc(x._data, y._data)))

    def add(self, other: Any, alpha: Any = 1) -> Tensor:
        """``self + alpha * other``."""
        if _scaled_by_op(self, other, alpha):  # one node, as PyTorch's AddBackward0
            _scaled(self, other, alpha, "add")  # (its checks)
            a, b = _promote(self, other)
            return E.AddScaled.apply(a, b, alpha)
        return self._binary(E.Add, _scaled(self, other, alpha, "add"), name="add")

    def sub(self, other: Any, alpha: Any = 1) -> Tensor:
        """``self - alpha * other``."""
        _check_bool_kernel(E.Sub, self, _operand(other, "sub"))
        if _scaled_by_op(self, other, alpha):
            _scaled(self, other, alpha, "sub")
            a, b = _promote(self, other)
            return E.SubScaled.apply(a, b, alpha)
        return self._binary(E.Sub, _scaled(self, other, alpha, "sub"), name="sub")

    def mul(self, other: Any) -> Tensor:
        """Elementwise product (broadcasting)."""
        return self._binary(E.Mul, other, name="mul")

    def div(self, other: Any, rounding_mode: str | None = None) -> Tensor:
        """Elementwise true division; ``rounding_mode="floor"`` or ``"trunc"`` rounds."""
        if rounding_mode is None:
            return self._binary(E.Div, other, name="div")
        if rounding_mode not in ("floor", "trunc"):
            raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or "
                             f"'floor' but found '{rounding_mode}'")
        other = _operand(other, "div")
        _check_bool_kernel(E.FloorDivide if rounding_mode == "floor" else E.DivRounding,
                           self, other)
        a, b = _promote(self, other)
        _check_int_division(b, a)
        return E.DivRounding.apply(a, b, rounding_mode)

    multiply = mul
    subtract = sub
    divide = div
    true_divide = div

    def __radd__(self, other: Any) -> Tensor:
        if type(other) is float and self._data.dtype.kind == _FLOAT_KIND:
            return _pair(E.Add, self, other)  # (x + c is c + x, to the last bit)
        return self._binary(E.Add, other, reverse=True)

    def __rsub__(self, other: Any) -> Tensor:
        if type(other) is float and self._data.dtype.kind == _FLOAT_KIND:
            return _pair(E.RSub, self, other)
        if isinstance(other, TensorBase):
            return self._binary(E.Sub, other, reverse=True)
        number = dtypes.python_scalar(other)
        if number is None:
            return NotImplemented
        _check_bool_kernel(E.Sub, self, number)
        a, c = _promote(self, number)
        return E.RSub.apply(a, c)

    def __rmul__(self, other: Any) -> Tensor:
        if type(other) is float and self._data.dtype.kind == _FLOAT_KIND:
            return _pair(E.Mul, self, other)  # (x * c is c * x, to the last bit)
        return self._binary(E.Mul, other, reverse=True)

    def __rtruediv__(self, other: Any) -> Tensor:
        if isinstance(other, TensorBase):
            return self._binary(E.Div, other, reverse=True)
        if isinstance(other, _nd) or dtypes.python_scalar(other) is not None:
            return self.reciprocal() * other  # PyTorch's __rdiv__: the same nodes and bits
        return NotImplemented

    def __floordiv__(self, other: Any) -> Tensor:
        return self._binary(E.FloorDivide, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        return self._binary(E.FloorDivide, other, reverse=True)

    def floor_divide(self, other: Any) -> Tensor:
        """``self // other``: the quotient rounded down (as Python's ``//``)."""
        return self._binary(E.FloorDivide, other, name="floor_divide")

    def __mod__(self, other: Any) -> Tensor:
        return self._binary(E.RemainderTensor if isinstance(other, TensorBase) else E.Remainder,
                            other)

    def __rmod__(self, other: Any) -> Tensor:
        return self._binary(E.RemainderOfNumber, other, reverse=True)

    def remainder(self, other: Any) -> Tensor:
        """``self % other`` with the sign of ``other`` (as Python's ``%``)."""
        return self._binary(E.RemainderTensor if isinstance(other, TensorBase) else E.Remainder,
                            other, name="remainder")

    def __neg__(self) -> Tensor:
        return E.Neg.apply(self)

    neg = negative = __neg__
    neg_ = _inplace_form(__neg__)

    def __pos__(self) -> Tensor:
        return self

    def pow(self, exponent: Any) -> Tensor:
        """``self ** exponent`` (a number or a tensor)."""
        if not isinstance(exponent, TensorBase):
            return self._pow_number(_operand(exponent, "pow"))
        if self._data.dtype == np.bool_ and exponent._data.dtype == np.bool_:
            raise NotImplementedError("\"pow\" not implemented for 'Bool'")
        a, b = _promote(self, exponent)
        return E.PowTensor.apply(a, b)

    def __pow__(self, exponent: Any) -> Tensor:
        dtype = self._data.dtype
        if (dtype is _F32 or dtype is _F64) and (_type(exponent) is _float or (
                _type(exponent) is _int and -2**31 < exponent < 2**31)):
            return _pair(E.Pow, self, exponent)  # (the usual x ** 2: nothing to check)
        if not isinstance(exponent, TensorBase) and dtypes.python_scalar(exponent) is None:
            if isinstance(exponent, _nd):
                return self._with_array(np.power, E.PowTensor, exponent)
            return NotImplemented
        return self.pow(exponent)

    def _pow_number(self, exponent: _bool | _int | _float) -> Tensor:
        """``self ** exponent`` for a number, computed in PyTorch's result dtype (an int
        tensor with a float exponent is float); the exponent must fit that dtype."""
        if isinstance(exponent, _int) and exponent >= 2**63 and (
                self._data.dtype.kind != _FLOAT_KIND or self._data.dtype == np.float16):
            name = "c10::Half" if self._data.dtype == np.float16 else "int64_t"
            raise RuntimeError(f"value cannot be converted to type {name} without overflow")
        dtype = dtypes.result_type(self, exponent)
        if dtype.category == dtypes._INT and isinstance(exponent, _int) and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        exponent = dtypes.checked_scalar(exponent, dtype)
        if dtype is dtypes.bool:  # x ** True is x, x ** False is all True
            return _wrap(self._data.copy() if exponent else np.ones_like(self._data))
        base = self if self._data.dtype == dtype.np else self.to(dtype)
        return _pair(E.Pow, base, exponent)

    def __rpow__(self, other: Any) -> Tensor:
        number = dtypes.python_scalar(other)
        if number is None:
            return NotImplemented
        if self._data.dtype == np.bool_ and isinstance(number, _bool):
            raise NotImplementedError("\"pow\" not implemented for 'Bool'")
        # PyTorch's promotion: 2 ** int_tensor stays int64, 2.0 ** int_tensor is float
        dtype = dtypes.result_type(self, number)
        if dtype.category == dtypes._INT:
            number = dtypes.wrap_int(_int(number), dtype.np)
        return E.RPow.apply(self.to(dtype), number)

    # ------------------------------------------------------------------ comparisons
    def _compare(self, ufunc: Any, other: Any, name: str | None = None) -> Any:
        """``ufunc(self, other)`` (a bool tensor) after PyTorch's promotion of both sides:
        ``uint8_tensor < 300`` compares with 300 wrapped into uint8, as PyTorch does."""
        if _type(other) is _float and self._data.dtype.kind == _FLOAT_KIND:
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
            return _wrap(np.asarray(ufunc(a._data, _data_of(b))))
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
    def _bitwise(self, ufunc: Any, other: Any, name: str, method: _bool = False) -> Any:
        """``self & other`` (``|``, ``^``): bitwise in PyTorch's promoted dtype, so
        ``bool_mask & tensor([2, 1])`` is ``tensor([0, 1])``; bools give bools (and, or,
        xor); a float anywhere raises, as PyTorch's integer-only kernels do."""
        if not method and isinstance(other, _nd):
            return self._with_array(ufunc, None, other)
        other = _logic_operand(other, name if method else None)
        if other is NotImplemented:
            return NotImplemented
        a, b = _promote(_wrap(self._data), other)
        if a._data.dtype.kind == _FLOAT_KIND:
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for "
                                      f"'{scalar_type_name(a._data.dtype)}'")
        try:
            return _wrap(np.asarray(ufunc(a._data, _data_of(b))))
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

    def _bitwise_(self, ufunc: Any, other: Any, name: str, method: _bool = True) -> Any:
        """In place ``self &= other`` (``|=``, ``^=``): the result dtype must cast to ours."""
        operand = _logic_operand(other, name + "_" if method else None)
        if operand is NotImplemented:
            return NotImplemented
        _check_inplace_broadcast(self, operand)
        _check_result_cast(dtypes.result_type(self, operand).np, self._data.dtype)
        return self._write_logic(self._bitwise(ufunc, operand, name, method=True))

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

    def __invert__(self) -> Tensor:
        if self._data.dtype.kind == _FLOAT_KIND:
            raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                            f"tensors, got {self.dtype}")
        return _wrap(np.invert(self._data))

    def bitwise_not(self) -> Tensor:
        """Elementwise ``~self``: each bit flipped (not, for bools)."""
        if self._data.dtype.kind == _FLOAT_KIND:
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
            return _wrap(np.asarray(ufunc(self._data, other._data)))
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
