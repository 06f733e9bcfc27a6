"""The Tensor's arithmetic: ``+ - * / // % **`` as operators and methods, their argument
checks (operands are promoted in ``promotion.py``) and their Functions, forward and backward
side by side (``mul`` and ``Mul.backward`` in this one file). Comparisons, bitwise and logical
ops (no gradient) are in ``logic.py``; the math of one tensor in ``unary.py``.

Gradients are returned in the broadcast shape; the engine sums them back to each input.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtypes
from ..core.function import _wrap
from ..core.grad_mode import _state
from ..dtypes import FLOATING
from ..parity.errors import not_implemented
from ..parity.grad_fn_names import labelled
from ..parity.promotion import check_int_range, checked_scalar, python_scalar, result_type, wrap_int
from ..tensor_base import (
    TensorBase,
    _bool,
    _float,
    _inplace_form,
    _int,
    _nd,
    _type,
)
from . import dual
from .dual import _arr, _masked_zero, _Op
from .promotion import (
    _as_tensor_like,
    _check_broadcast,
    _data_of,
    _operand,
    _operand_as,
    _operand_error,
    _promote,
)

if TYPE_CHECKING:
    from ..tensor import Tensor


# ----------------------------------------------------------------------------- Functions
_NEG_BOOL = ("Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
             "to invert a mask, use the `~` or `logical_not()` operator instead.")


def _int_power(base: Any, exp: Any) -> np.ndarray:
    """Integer ``base ** exp`` as PyTorch's ``powi``: a negative exponent gives 0, except
    for a base of 1 (1) and -1 (+-1 by parity); numpy raises there instead."""
    base, exp = np.asanyarray(base), np.asanyarray(exp)
    out = np.power(base, np.abs(exp))
    negative = exp < 0
    if negative.any():
        one = base == 1
        minus_one = base == -1
        odd = (np.abs(exp) % 2) == 1
        flipped = np.where(minus_one, np.where(odd, -1, 1), np.where(one, 1, 0))
        out = np.where(negative, flipped.astype(out.dtype), out)
    return out


class Add(_Op):
    """``x + y``, and ``x.add(y, alpha=a)``: ``x + a * y`` as one node, as PyTorch records it."""

    _grad_fn_name = "AddBackward0"
    _torch_inputs = (0, 1)  # (PyTorch makes a number operand a tensor)

    ctx_fields = ("alpha",)  # (with alpha only: the factor of y's gradient)

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any, alpha: Any = None) -> Any:
        if alpha is None:
            return x + y
        ctx.alpha = alpha
        return x + y * alpha

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        if len(ctx.needs_input_grad) == 2:  # x + y
            return grad, grad  # d(x+y)/dx = d(x+y)/dy = 1
        need_x, need_y = ctx.needs_input_grad[:2]  # x + a*y: d/dx = 1, d/dy = a
        return (grad if need_x else None), (grad * ctx.alpha if need_y else None), None


class Sub(_Op):
    """Fused ``x - y`` (one op instead of ``x + (-y)``: sub is too common to pay twice), and
    ``x.sub(y, alpha=a)``: ``x - a * y`` as one node."""

    _grad_fn_name = "SubBackward0"
    _torch_inputs = (0, 1)  # (PyTorch makes a number operand a tensor)

    ctx_fields = ("alpha",)  # (with alpha only: minus it, the factor of y's gradient)

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any, alpha: Any = None) -> Any:
        if alpha is None:
            return x - y
        ctx.alpha = -alpha
        return x - y * alpha

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        if len(ctx.needs_input_grad) == 2:  # x - y
            return grad, (-grad if ctx.needs_input_grad[1] else None)
        need_x, need_y = ctx.needs_input_grad[:2]  # x - a*y: d/dx = 1, d/dy = -a
        return (grad if need_x else None), (grad * ctx.alpha if need_y else None), None


class RSub(_Op):
    """``c - x`` for a number ``c``."""

    _grad_fn_name = "RsubBackward1"

    @staticmethod
    def forward(ctx: Any, x: Any, c: Any) -> Any:
        return c - x

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return -grad, None


class Mul(_Op):
    _grad_fn_name = "MulBackward0"
    _check_order = (1, 0)  # (PyTorch checks ``other`` before ``self``)
    _torch_inputs = (0, 1)  # (PyTorch makes a number operand a tensor)

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        need_x, need_y = ctx.needs_input_grad
        # save only what a needed gradient uses: x.mul_(2) then saves nothing of x
        ctx.save_for_backward(x if need_y else None, y if need_x else None)
        return x * y

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        # chain rule: d(xy)/dx = y, d(xy)/dy = x
        return (grad * y if need_x else None), (grad * x if need_y else None)


class Div(_Op):
    """Fused ``x / y`` (cheaper and more accurate than ``x * y**-1``)."""

    _grad_fn_name = "DivBackward0"
    _check_order = (1, 0)  # (PyTorch checks ``other`` before ``self``)
    _torch_inputs = (0, 1)  # (PyTorch makes a number operand a tensor)

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        ctx.save_for_backward(x if ctx.needs_input_grad[1] else None, y)
        return x / y

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        # d(x/y)/dx = 1/y, d(x/y)/dy = -x/y^2, written (x/y)/y as PyTorch (same rounding,
        # and y = 0 gives the same infinities and NaNs)
        return (grad / y if need_x else None), (-grad * ((x / y) / y) if need_y else None)


# ``x + c``, ``x * c`` and ``x / c`` with a number ``c`` as PyTorch's C++ composites record
# them (cross_entropy's label smoothing): its Scalar overloads, one input listed. (In
# Python, ``x * 2.0`` is MulBackward0: torch makes the number a tensor.)
AddScalar = labelled(Add, "AddBackward1", _torch_inputs=(0,))  # (one input listed, not two)


SubScalar = labelled(Sub, "SubBackward1", _torch_inputs=(0,))  # (one input listed, not two)


MulScalar = labelled(Mul, "MulBackward1", _torch_inputs=(0,))  # (one input listed, not two)


DivScalar = labelled(Div, "DivBackward1", _torch_inputs=(0,))  # (one input listed, not two)


class Neg(_Op):
    _grad_fn_name = "NegBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        if x.dtype == np.bool_:
            raise RuntimeError(_NEG_BOOL)
        return -x

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return -grad


def _power(x: Any, p: Any) -> Any:
    """``x ** p`` for a number ``p``, as PyTorch's CPU kernel: ``p = -0.5`` is
    ``1 / sqrt(x)`` there (so -inf gives NaN and -0.0 gives -inf, where C's pow differs)."""
    if p == -0.5 and dual._is_array(x):
        with np.errstate(divide="ignore", invalid="ignore"):
            return 1 / np.sqrt(x)
    return x**p


class Pow(_Op):
    """``x ** p`` for a number ``p``."""

    _grad_fn_name = "PowBackward0"
    ctx_fields = ("p",)

    @staticmethod
    def forward(ctx: Any, x: Any, p: Any) -> Any:
        if x.dtype.kind in "biu" and p < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        ctx.save_for_backward(x)
        ctx.p = p
        return _power(x, p)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        p = ctx.p
        if p == 0:  # x^0 = 1 everywhere, 0^0 included: zeros, even for an infinite grad
            return dual.zeros_like(grad), None
        if p == 2:  # the common square: grad * 2x, as PyTorch rounds it (x + x is exact)
            return grad * (x + x), None
        with np.errstate(divide="ignore", invalid="ignore"):  # 0^-1 = inf, (-1)^0.5 = nan
            return grad * (p * _power(x, p - 1)), None  # d(x^p)/dx = p x^(p-1)


class PowTensor(_Op):
    """``x ** y`` for two tensors."""

    _grad_fn_name = "PowBackward1"
    _check_order = (1, 2, 0)  # (PyTorch checks exponent, result, self)

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        if x.dtype == np.bool_:
            raise not_implemented("pow", x.dtype)
        if x.dtype.kind in "iu":
            return _int_power(x, y)
        out = np.asanyarray(np.power(x, y))
        if np.size(y) == 1 and y == 0.5 and out.dtype in FLOATING:
            # numpy takes sqrt for a lone exponent 0.5; PyTorch's tensor ** tensor is C's
            # pow, for which (-inf) ** 0.5 = inf and (-0.0) ** 0.5 = +0.0
            out = np.where(np.isneginf(x), np.inf, out) + out.dtype.type(0)
        ctx.save_for_backward(x, y, out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, y, out = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        gx = gy = None
        with np.errstate(divide="ignore", invalid="ignore"):  # 0^-1 = inf, log(-1) = nan
            if need_x:  # d(x^y)/dx = y x^(y-1), and 0 where y == 0 (0^0 included)
                gx = _masked_zero(_arr(y) == 0, grad * (y * x ** (y - 1)))
            if need_y:  # d(x^y)/dy = x^y log x; 0 at x == 0 for y >= 0 (-inf for y < 0)
                zero = (_arr(x) == 0) & (_arr(y) >= 0)
                gy = grad * _masked_zero(zero, out * dual.log(x))
        return gx, gy


class RPow(_Op):
    """``c ** x`` for a number ``c``."""

    _grad_fn_name = "PowBackward2"
    ctx_fields = ("c", "x_nonneg")  # x_nonneg: where x >= 0, when c is 0
    _check_order = (1, 0)  # (PyTorch checks the exponent, x, before the result)

    @staticmethod
    def forward(ctx: Any, x: Any, c: Any) -> Any:
        out = _int_power(c, x) if x.dtype.kind in "iu" else np.power(c, x, dtype=x.dtype)
        out = np.asanyarray(out, x.dtype)
        ctx.save_for_backward(out, x)  # (x too, as PyTorch: its version is checked)
        ctx.c, ctx.x_nonneg = c, (np.asanyarray(x >= 0) if c == 0 else None)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        out, _ = ctx.saved_tensors
        c, x_nonneg = ctx.c, ctx.x_nonneg
        with np.errstate(divide="ignore", invalid="ignore"):  # log 0 = -inf, log(-1) = nan
            log_c = float(np.log(np.float64(c)))
            if x_nonneg is not None:  # 0^x: d/dx taken as 0 for x >= 0 (as PyTorch)
                return grad * _masked_zero(x_nonneg, out * log_c), None
            return grad * (out * log_c), None  # d(c^x)/dx = c^x log c


class DivRounding(_Op):
    """``x.div(y, rounding_mode="floor" | "trunc")``: zero gradient for both inputs."""

    _grad_fn_name = "DivBackward2"
    _torch_inputs = (0, 1)  # (PyTorch makes a number operand a tensor)

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any, mode: str) -> Any:
        if x.dtype == np.bool_:
            raise not_implemented(f"div_{mode}_cpu", x.dtype)
        if mode == "floor":
            return np.floor_divide(x, y)
        out = np.trunc(np.true_divide(x, y))
        return out if out.dtype == x.dtype else out.astype(x.dtype)  # (ints stay ints)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        zero = dual.zeros_like(grad)
        return zero, zero, None


class NoDerivative(_Op):
    """PyTorch's one node for the ops it has no derivative for (``x // y``, ``2 % x``,
    ``x.bernoulli(0.5)``): the op is recorded, and backward through it raises PyTorch's
    error naming the op. Its first argument (a ``NotDifferentiable``) says which op, and
    computes it."""

    _grad_fn_name = "NotImplemented"
    _torch_name = "torch::autograd::NotImplemented"
    ctx_fields = ("op",)

    @staticmethod
    def forward(ctx: Any, op: Any, *args: Any) -> Any:
        ctx.op = op
        return op.kernel(*args)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        raise RuntimeError(f"derivative for aten::{ctx.op.aten} is not implemented"
                           f"{ctx.op.hint}")


class NotDifferentiable:
    """An op PyTorch has no derivative for: ``op.apply(*args)`` computes ``kernel(*args)``
    and records it as ``NoDerivative``, whose backward raises (``hint`` ends the error)."""

    def __init__(self, aten: str, kernel: Any, hint: str = "") -> None:
        self.aten = aten
        self.kernel = kernel
        self.hint = hint

    def apply(self, *args: Any) -> Any:
        """Run the op and record it (as an op with no derivative)."""
        return NoDerivative.apply(self, *args)

    def __repr__(self) -> str:
        return f"aten::{self.aten}"


# ``x // y``: use ``x.div(y, rounding_mode="floor")``, whose gradient is zero.
FloorDivide = NotDifferentiable(
    "floor_divide", np.floor_divide, ". Hint: x.div(y, rounding_mode='floor') rounds the "
    "same way and has a (zero) gradient.")


class Where(_Op):
    """``x`` where ``cond`` else ``y``; ``cond`` is a constant bool array."""

    _grad_fn_name = "WhereBackward0"
    ctx_fields = ("cond",)
    _torch_inputs = (1, 2)

    @staticmethod
    def forward(ctx: Any, cond: Any, x: Any, y: Any) -> Any:
        ctx.cond = cond
        return np.where(cond, x, y)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        cond = ctx.cond
        need_x, need_y = ctx.needs_input_grad[1:]
        # where(cond, grad, 0), as PyTorch: the branch not taken gets exactly 0, even where
        # the gradient is inf or NaN (grad * cond would give NaN there)
        return (None, dual.where(cond, grad, 0.0) if need_x else None,
                dual.where(cond, 0.0, grad) if need_y else None)


class Remainder(_Op):
    """``x % y`` with Python's (and PyTorch's) sign convention."""

    _grad_fn_name = "RemainderBackward0"
    _check_order = (1, 0)  # (PyTorch checks ``other`` before ``self``)

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        ctx.save_for_backward(x, y)
        return np.remainder(x, y)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, y = ctx.saved_tensors
        quotient = dual.constant(np.floor_divide(getattr(x, "_data", x), getattr(y, "_data", y)),
                                 grad) \
            if ctx.needs_input_grad[1] else None
        return grad, (-grad * quotient if quotient is not None else None)


# ``x % y`` of two tensors: PyTorch's ``remainder.Tensor``, whose node is numbered 1.
RemainderTensor = labelled(Remainder, "RemainderBackward1")


# ``number % x``: recorded, but its derivative is not implemented, as in PyTorch.
RemainderOfNumber = NotDifferentiable(
    "remainder", np.remainder, ". Hint: number % x has a gradient of -floor(number / x) for "
    "x; write it out as number - x * (number / x).floor().")


class Fmod(_Op):
    """``x.fmod(y)``: C's fmod, the remainder of the division rounded toward zero (the
    sign of ``x``, where ``%`` takes the sign of ``y``)."""

    _grad_fn_name = "FmodBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        ctx.save_for_backward(x, y)
        return np.fmod(x, y)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, y = ctx.saved_tensors
        if not ctx.needs_input_grad[1]:
            return grad, None
        # x - trunc(x / y) y: d/dx = 1, d/dy = -trunc(x / y) (a constant between the jumps)
        quotient = np.trunc(np.true_divide(_arr(x), _arr(y)))
        return grad, -grad * dual.constant(quotient, grad)


# ``x.fmod(y)`` of two tensors: PyTorch's ``fmod.Tensor``, whose node is numbered 1.
FmodTensor = labelled(Fmod, "FmodBackward1")


# ----------------------------------------------------------------------------- methods
_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)
_scalar_types = (int, float, bool)


def _scaled_by_op(x: Tensor, other: Any, alpha: Any) -> _bool:
    """add/sub of a tensor with a number ``alpha`` other than 1, in floating point: one
    op (``Add`` with ``alpha``), not a product node and a sum node."""
    return (isinstance(other, TensorBase) and _type(alpha) in (_int, _float) and alpha != 1
            and x._data.dtype in FLOATING and other._data.dtype in FLOATING)


def _scaled(x: Tensor, other: Any, alpha: Any, name: str) -> Any:
    """``alpha * other`` for add/sub(alpha=...), with PyTorch's check of alpha's type."""
    if _type(alpha) is _int and alpha == 1:
        return other
    other = _operand(other, name)
    number = python_scalar(alpha)
    if number is None:
        raise TypeError(f"{name}(): argument 'alpha' must be Number, not {_type(alpha).__name__}")
    result = result_type(x, other)
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
        return wrap_int(_int(other) * _int(number), result.np, check=False)
    return _float(other) * number


_BOOL_KERNELS = {FloorDivide: "div_floor_cpu", Remainder: "remainder_cpu",
                 RemainderTensor: "remainder_cpu", RemainderOfNumber: "remainder_cpu",
                 DivRounding: "div_trunc_cpu", Fmod: "fmod_cpu", FmodTensor: "fmod_cpu"}
_BOOL_CHECKED = {Sub, RSub, *_BOOL_KERNELS}


def _check_bool_kernel(op: Any, x: Tensor, other: Any) -> None:
    """PyTorch's refusals for bools: no subtraction with a bool operand, and no floor
    division or remainder of two bools (no integer kernel for them)."""
    x_bool = x._data.dtype == np.bool_
    other_bool = isinstance(other, _bool) or (isinstance(other, TensorBase) and
                                              other._data.dtype == np.bool_)
    if op is Sub or op is RSub:
        if x_bool and other_bool:
            raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                               "supported. Use the `^` or `logical_xor()` operator instead.")
        if x_bool or other_bool:
            raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not "
                               "supported. If you are trying to invert a mask, use the `~` or "
                               "`logical_not()` operator instead.")
    elif op in _BOOL_KERNELS and x_bool and other_bool:
        raise NotImplementedError(f"\"{_BOOL_KERNELS[op]}\" not implemented for 'Bool'")


_INT_DIVISIONS = (FloorDivide, Remainder, RemainderTensor, RemainderOfNumber, Fmod, FmodTensor)
_ARRAY_UFUNCS = {Add: np.add, Sub: np.subtract, Mul: np.multiply, Div: np.true_divide,
                 FloorDivide: np.floor_divide, Remainder: np.remainder,
                 RemainderTensor: np.remainder}


def _check_int_division(divisor: Any, like: Tensor) -> None:
    """Integer division (``//``, ``%``, rounded ``div``) by zero raises, as in PyTorch
    (numpy would give 0 with a warning); float division gives inf or nan."""
    if like._data.dtype.kind in "iub" and not np.all(_data_of(divisor)):
        raise RuntimeError("ZeroDivisionError")


def where(condition: Tensor, input: Any, other: Any) -> Tensor:
    """``input`` where ``condition`` is True, else ``other`` (broadcasting)."""
    cond = _data_of(condition)
    if isinstance(cond, (np.bool_, bool)):  # a comparison of 0-d arrays gives a numpy bool
        cond = np.asanyarray(cond)
    if not isinstance(cond, np.ndarray) or cond.dtype != np.bool_:
        raise RuntimeError("where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {getattr(condition, 'dtype', type(condition).__name__)}")
    x, y = _operand(input, "where"), _operand(other, "where")
    dtype = result_type(x, y)  # numbers (numpy scalars too) are weak, as in PyTorch
    x, y = (_operand_as(v, dtype) if isinstance(v, TensorBase) else
            _wrap(np.asanyarray(checked_scalar(v, dtype), dtype=dtype.np)) for v in (x, y))
    for t in (x, y):
        _check_broadcast(_wrap(cond), t)
    _check_broadcast(x, y)
    return Where.apply(cond, x, y)


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise maximum (for the dual ops: one side may be a number)."""
    if not isinstance(a, TensorBase):
        a, b = b, a
    return a.maximum(_as_tensor_like(b, a))


def zeros_like(t: Tensor) -> Tensor:
    """Zeros with ``t``'s shape and dtype."""
    return _wrap(np.zeros_like(t._data))


def _operator(op: Any, name: str) -> Any:
    """``x + y`` (``-``, ``*``, ``/``), the four most common operators: they check the common
    case inline, a float tensor with a Python float or a tensor of the very same dtype, which
    needs no promotion (anything else takes ``_binary`` and ``_promote``; the generic path
    costs a few calls per op on small models)."""

    def operator(self: Tensor, other: Any) -> Tensor:
        dtype = self._data.dtype
        if dtype in FLOATING and (type(other) is float or isinstance(other, TensorBase)
                                          and other._data.dtype is dtype):
            return op.apply(self, other)
        return self._binary(op, other)  # type: ignore[no-any-return]

    operator.__name__, operator.__qualname__ = name, f"ArithmeticMethods.{name}"
    return operator


class ArithmeticMethods(TensorBase):
    """The Tensor's arithmetic operators and methods: operands checked and promoted to
    PyTorch's result dtype, then one Function of this file."""

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
            number = python_scalar(other)
            if number is None:
                if name is None and not reverse and isinstance(other, _nd):
                    return self._with_array(_ARRAY_UFUNCS[op], op, other)
                if name is None:
                    return NotImplemented
                raise _operand_error(name, other)
            other = number
        elif kind is _int:
            check_int_range(other)
        if op in _BOOL_CHECKED:
            _check_bool_kernel(op, self, other)
        a, b = _promote(self, other, op is Div)
        if op in _INT_DIVISIONS:
            _check_int_division(b if not reverse else a, a)
        if reverse and (op is Add or op is Mul) and not isinstance(b, TensorBase):
            return op.apply(a, b)  # 2 * x is x * 2, the tensor first (as PyTorch records it)
        return op.apply(b, a) if reverse else op.apply(a, b)

    __add__ = _operator(Add, "__add__")
    __sub__ = _operator(Sub, "__sub__")
    __mul__ = _operator(Mul, "__mul__")
    __truediv__ = _operator(Div, "__truediv__")

    def _with_array(self, ufunc: Any, op: Any, array: np.ndarray) -> Any:
        """``self <op> ndarray`` as PyTorch does it: numpy computes it, with numpy's dtype
        rules, and the result is wrapped as a tensor (a bool one as uint8). Unlike
        PyTorch (which raises), a tensor that requires grad takes the same dtypes through
        our differentiable op, so gradients flow."""
        if array.dtype not in dtypes._FROM_NUMPY:
            return NotImplemented
        if not (_state.enabled and self._requires_grad):
            return self.__array_wrap__(np.asanyarray(ufunc(self._data, array)))
        dtype = ufunc(np.zeros(1, self._data.dtype), np.ones(1, array.dtype)).dtype
        x = self if self._data.dtype == dtype else self.to(dtypes.from_numpy(dtype))
        y = _wrap(array.astype(dtype, copy=False))
        _check_broadcast(x, y)
        return op.apply(x, y) if op is not None else _wrap(np.asanyarray(ufunc(x._data, y._data)))

    def add(self, other: Any, alpha: Any = 1) -> Tensor:
        """``self + alpha * other``."""
        if _scaled_by_op(self, other, alpha):  # one node, as PyTorch's AddBackward0
            _scaled(self, other, alpha, "add")  # (its checks)
            a, b = _promote(self, other)
            return Add.apply(a, b, alpha)
        return self._binary(Add, _scaled(self, other, alpha, "add"), name="add")

    def sub(self, other: Any, alpha: Any = 1) -> Tensor:
        """``self - alpha * other``."""
        _check_bool_kernel(Sub, self, _operand(other, "sub"))
        if _scaled_by_op(self, other, alpha):
            _scaled(self, other, alpha, "sub")
            a, b = _promote(self, other)
            return Sub.apply(a, b, alpha)
        return self._binary(Sub, _scaled(self, other, alpha, "sub"), name="sub")

    def mul(self, other: Any) -> Tensor:
        """Elementwise product (broadcasting)."""
        return self._binary(Mul, other, name="mul")

    def div(self, other: Any, rounding_mode: str | None = None) -> Tensor:
        """Elementwise true division; ``rounding_mode="floor"`` or ``"trunc"`` rounds."""
        if rounding_mode is None:
            return self._binary(Div, other, name="div")
        if rounding_mode not in ("floor", "trunc"):
            raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or "
                             f"'floor' but found '{rounding_mode}'")
        other = _operand(other, "div")
        _check_bool_kernel(FloorDivide if rounding_mode == "floor" else DivRounding,
                           self, other)
        a, b = _promote(self, other)
        _check_int_division(b, a)
        return DivRounding.apply(a, b, rounding_mode)

    multiply = mul
    subtract = sub
    divide = div
    true_divide = div

    def __radd__(self, other: Any) -> Tensor:
        if type(other) is float and self._data.dtype in FLOATING:
            return Add.apply(self, other)  # (x + c is c + x, to the last bit)
        return self._binary(Add, other, reverse=True)

    def __rsub__(self, other: Any) -> Tensor:
        if type(other) is float and self._data.dtype in FLOATING:
            return RSub.apply(self, other)
        if isinstance(other, TensorBase):
            return self._binary(Sub, other, reverse=True)
        number = python_scalar(other)
        if number is None:
            return NotImplemented
        _check_bool_kernel(Sub, self, number)
        a, c = _promote(self, number)
        return RSub.apply(a, c)

    def __rmul__(self, other: Any) -> Tensor:
        if type(other) is float and self._data.dtype in FLOATING:
            return Mul.apply(self, other)  # (x * c is c * x, to the last bit)
        return self._binary(Mul, other, reverse=True)

    def __rtruediv__(self, other: Any) -> Tensor:
        if isinstance(other, TensorBase):
            return self._binary(Div, other, reverse=True)
        if isinstance(other, _nd) or python_scalar(other) is not None:
            return self.reciprocal() * other  # PyTorch's __rdiv__: the same nodes and bits
        return NotImplemented

    def __floordiv__(self, other: Any) -> Tensor:
        return self._binary(FloorDivide, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        return self._binary(FloorDivide, other, reverse=True)

    def floor_divide(self, other: Any) -> Tensor:
        """``self // other``: the quotient rounded down (as Python's ``//``)."""
        return self._binary(FloorDivide, other, name="floor_divide")

    def __mod__(self, other: Any) -> Tensor:
        return self._binary(RemainderTensor if isinstance(other, TensorBase) else Remainder,
                            other)

    def __rmod__(self, other: Any) -> Tensor:
        return self._binary(RemainderOfNumber, other, reverse=True)

    def remainder(self, other: Any) -> Tensor:
        """``self % other`` with the sign of ``other`` (as Python's ``%``)."""
        return self._binary(RemainderTensor if isinstance(other, TensorBase) else Remainder,
                            other, name="remainder")

    def fmod(self, other: Any) -> Tensor:
        """The remainder of ``self / other`` rounded toward zero (C's fmod): it has the
        sign of ``self``, where ``%`` (``remainder``) has the sign of ``other``.

        >>> tg.tensor([-3.0, 3.0]).fmod(2)
        tensor([-1.,  1.])
        """
        return self._binary(FmodTensor if isinstance(other, TensorBase) else Fmod, other,
                            name="fmod")

    fmod_ = _inplace_form(fmod)
    remainder_ = _inplace_form(remainder)

    def __neg__(self) -> Tensor:
        return Neg.apply(self)

    neg = negative = __neg__
    neg_ = negative_ = _inplace_form(__neg__)
    floor_divide_ = _inplace_form(floor_divide)

    def positive(self) -> Tensor:
        """``+self``: this tensor itself (bool tensors refuse, as in PyTorch)."""
        if self._data.dtype == np.bool_:
            raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
        return self

    __pos__ = positive

    def pow(self, exponent: Any) -> Tensor:
        """``self ** exponent`` (a number or a tensor)."""
        if not isinstance(exponent, TensorBase):
            return self._pow_number(_operand(exponent, "pow"))
        if self._data.dtype == np.bool_ and exponent._data.dtype == np.bool_:
            raise NotImplementedError("\"pow\" not implemented for 'Bool'")
        a, b = _promote(self, exponent)
        return PowTensor.apply(a, b)

    def __pow__(self, exponent: Any) -> Tensor:
        dtype = self._data.dtype
        if (dtype is _F32 or dtype is _F64) and (_type(exponent) is _float or (
                _type(exponent) is _int and -2**31 < exponent < 2**31)):
            return Pow.apply(self, exponent)  # (the usual x ** 2: nothing to check)
        if not isinstance(exponent, TensorBase) and python_scalar(exponent) is None:
            if isinstance(exponent, _nd):
                return self._with_array(np.power, PowTensor, exponent)
            return NotImplemented
        return self.pow(exponent)

    def _pow_number(self, exponent: _bool | _int | _float) -> Tensor:
        """``self ** exponent`` for a number, computed in PyTorch's result dtype (an int
        tensor with a float exponent is float); the exponent must fit that dtype."""
        if isinstance(exponent, _int) and exponent >= 2**63 and (
                self._data.dtype not in FLOATING or self._data.dtype == np.float16):
            name = "c10::Half" if self._data.dtype == np.float16 else "int64_t"
            raise RuntimeError(f"value cannot be converted to type {name} without overflow")
        dtype = result_type(self, exponent)
        if dtype.category == dtypes._INT and isinstance(exponent, _int) and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        exponent = checked_scalar(exponent, dtype)
        if dtype is dtypes.bool:  # x ** True is x, x ** False is all True
            return _wrap(self._data.copy() if exponent else np.ones_like(self._data))
        base = self if self._data.dtype == dtype.np else self.to(dtype)
        return Pow.apply(base, exponent)

    def __rpow__(self, other: Any) -> Tensor:
        number = python_scalar(other)
        if number is None:
            return NotImplemented
        if self._data.dtype == np.bool_ and isinstance(number, _bool):
            raise NotImplementedError("\"pow\" not implemented for 'Bool'")
        # PyTorch's promotion: 2 ** int_tensor stays int64, 2.0 ** int_tensor is float
        dtype = result_type(self, number)
        if dtype.category == dtypes._INT:
            number = wrap_int(_int(number), dtype.np)
        return RPow.apply(self.to(dtype), number)
