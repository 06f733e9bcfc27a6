"""The Tensor's math on the numbers themselves: angle units (deg2rad, rad2deg), a float's
mantissa and exponent (frexp, ldexp), float_power (in float64), the step function
heaviside, gcd and lcm of integers, and nextafter; their in-place forms and their
Functions, forward and backward side by side.

Dtypes follow PyTorch: deg2rad/rad2deg of integers and bools give the default float
dtype; float_power computes in float64 whatever its inputs; ldexp's result is the
promotion of ``self`` with ``2.0 ** other``; gcd and lcm take integers only, frexp and
nextafter floats only; heaviside wants both operands of one dtype. heaviside has no
derivative in PyTorch (backward through it raises), gcd and lcm are integer ops.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core.function import _wrap
from ..dtypes import FLOATING
from ..parity.errors import broadcast_error, not_implemented
from ..parity.names import scalar_type_name
from ..parity.promotion import result_type
from ..tensor_base import TensorBase, _check_result_cast, _inplace_form
from . import dual
from .arithmetic import NotDifferentiable
from .dual import _Op, keep_where
from .promotion import _promote

if TYPE_CHECKING:
    from ..tensor import Tensor

_PI_180 = math.pi / 180.0  # ATen's M_PI_180
_180_PI = 180.0 / math.pi  # ATen's M_180_PI
_LN2 = math.log(2.0)


# ----------------------------------------------------------------------------- Functions
class Deg2Rad(_Op):
    """x * pi / 180 (the factor rounded to x's dtype, as PyTorch's scalar product)."""

    _grad_fn_name = "Deg2RadBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return x * x.dtype.type(_PI_180)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return grad * _PI_180  # d(x pi/180)/dx = pi/180


class Rad2Deg(_Op):
    """x * 180 / pi."""

    _grad_fn_name = "Rad2DegBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return x * x.dtype.type(_180_PI)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return grad * _180_PI


class Ldexp(_Op):
    """x * 2^e (both of the result dtype): exact for integer e, no overflow in between."""

    _grad_fn_name = "LdexpBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, e: Any) -> Any:
        ctx.save_for_backward(x, e)
        return x * np.exp2(e)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, e = ctx.saved_tensors
        need_x, need_e = ctx.needs_input_grad
        scale = np.exp2(e) if dual._is_array(e) else e.exp2()
        # d(x 2^e)/dx = 2^e, d(x 2^e)/de = x 2^e ln 2
        return (grad * scale if need_x else None), (grad * x * _LN2 * scale if need_e else None)


class Frexp(_Op):
    """The mantissa m in [0.5, 1) of x = m 2^e (e an int32 constant, not differentiated)."""

    _grad_fn_name = "FrexpBackward0"
    ctx_fields = ("exponent",)

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        mantissa, exponent = np.frexp(x)
        ctx.exponent = exponent.astype(np.int32)
        return mantissa.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        # m = x / 2^e with e piecewise constant: dm/dx = 1 / 2^e
        scale = np.exp2(ctx.exponent.astype(dual.array(grad).dtype))
        return grad / dual.constant(scale, grad)


class Nextafter(_Op):
    """The float next to x in the direction of y; PyTorch's derivative: 1 for x (the step
    is one unit in the last place) where x != y, 0 where x == y (no step), 0 for y."""

    _grad_fn_name = "NextafterBackward0"
    ctx_fields = ("moved",)

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        ctx.moved = np.not_equal(x, y)
        return np.nextafter(x, y)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return keep_where(grad, ctx.moved), dual.zeros_like(grad)


def _heaviside(x: np.ndarray, values: np.ndarray) -> np.ndarray:
    """0 where x < 0 (and NaN), ``values`` where x == 0, 1 where x > 0."""
    out = np.where(x == 0, values, x > 0)
    return out.astype(np.result_type(x, values), copy=False)


Heaviside = NotDifferentiable("heaviside", _heaviside)


def _cast_checked(inplace: Any) -> Any:
    """An in-place form that checks first, as PyTorch does, that the result's dtype casts
    to the tensor's own (before the kernel's own dtype check)."""

    def checked(self: Any, other: Any) -> Any:
        if isinstance(other, TensorBase):
            _check_result_cast(result_type(self, other).np, self._data.dtype)
        return inplace(self, other)

    checked.__name__ = checked.__qualname__ = inplace.__name__
    checked.__doc__ = inplace.__doc__
    checked.__signature__ = inplace.__signature__  # type: ignore[attr-defined]
    return checked


# ----------------------------------------------------------------------------- methods
class NumberMathMethods(TensorBase):
    """The Tensor's deg2rad, rad2deg, frexp, ldexp, float_power, heaviside, gcd, lcm and
    nextafter, and their in-place forms."""

    __slots__ = ()

    def deg2rad(self) -> Tensor:
        """Degrees to radians: self * pi / 180 (integers and bools to the default float
        dtype).

        >>> tg.tensor([180.0, 90.0]).deg2rad()
        tensor([3.1416, 1.5708])
        """
        return Deg2Rad.apply(self if self._data.dtype in FLOATING else self.float())

    def rad2deg(self) -> Tensor:
        """Radians to degrees: self * 180 / pi.

        >>> tg.tensor([3.141592653589793]).rad2deg()
        tensor([180.])
        """
        return Rad2Deg.apply(self if self._data.dtype in FLOATING else self.float())

    def frexp(self) -> Any:
        """(mantissa, exponent) with self = mantissa * 2 ** exponent, |mantissa| in
        [0.5, 1) (0, inf and NaN are their own mantissa, exponent 0); the exponent is int32.
        Differentiable in the mantissa: d/dx = 2 ** -exponent.

        >>> tg.tensor([8.0, 0.75]).frexp()
        tinygrad_edu.return_types.frexp(
        mantissa=tensor([0.5000, 0.7500]),
        exponent=tensor([4, 0], dtype=tinygrad_edu.int32))
        """
        if self._data.dtype not in FLOATING:
            raise RuntimeError("torch.frexp() only supports floating-point dtypes")
        mantissa = Frexp.apply(self)
        exponent = np.frexp(self._data)[1].astype(np.int32)
        return _Frexp((mantissa, _wrap(exponent)))

    def ldexp(self, other: Tensor) -> Tensor:
        """self * 2 ** other; the result's dtype is that of ``self * 2.0 ** other``
        (integers to the default float dtype).

        >>> tg.tensor([1.0, 3.0]).ldexp(tg.tensor([3, -1]))
        tensor([8.0000, 1.5000])
        """
        if not isinstance(other, TensorBase):
            raise _other_error("ldexp", other)
        if other._data.dtype == np.bool_ and self._data.dtype in FLOATING:
            # (PyTorch's kernel of a float self reads a bool exponent: it has none)
            raise not_implemented("ldexp_cpu_exp", other._data.dtype)
        return Ldexp.apply(*_promote(self, other, true_div=True))

    def float_power(self, exponent: Any) -> Tensor:
        """self ** exponent computed in float64 whatever the dtypes (a Tensor or a number
        exponent): PyTorch's ``self.double().pow(exponent.double())``.

        >>> tg.tensor([2, 3]).float_power(2)
        tensor([4., 9.], dtype=tinygrad_edu.float64)
        """
        if isinstance(exponent, TensorBase):
            return self.double().pow(exponent.double())
        return self.double().pow(exponent)

    def heaviside(self, values: Tensor) -> Tensor:
        """The step function: 0 where self < 0, 1 where self > 0, ``values`` where
        self == 0 (``values`` broadcasts; both of one dtype). Not differentiable (backward
        through it raises, as PyTorch).

        >>> tg.tensor([-1.5, 0.0, 2.0]).heaviside(tg.tensor([0.5]))
        tensor([0.0000, 0.5000, 1.0000])
        """
        if not isinstance(values, TensorBase):
            raise TypeError("heaviside(): argument 'values' (position 1) must be Tensor, not "
                            f"{type(values).__name__}")
        if values._data.dtype != self._data.dtype:
            raise RuntimeError("heaviside is not yet implemented for tensors with different "
                               "dtypes.")
        self._check_broadcast_with(values)
        return Heaviside.apply(self, values)  # type: ignore[no-any-return]

    def gcd(self, other: Tensor) -> Tensor:
        """The greatest common divisor of integers (>= 0; gcd(0, 0) = 0).

        >>> tg.tensor([4, 6, 0]).gcd(tg.tensor([6, -4, 3]))
        tensor([2, 2, 3])
        """
        a, b = self._integer_pair(other, "gcd")
        return _wrap(np.gcd(a._data, b._data))

    def lcm(self, other: Tensor) -> Tensor:
        """The least common multiple of integers (>= 0; 0 when either is 0).

        >>> tg.tensor([4, 6, 0]).lcm(tg.tensor([6, -4, 3]))
        tensor([12, 12,  0])
        """
        a, b = self._integer_pair(other, "lcm")
        return _wrap(np.lcm(a._data, b._data))

    def nextafter(self, other: Tensor) -> Tensor:
        """The next float after self towards ``other`` (floats only). Its gradient is 1
        for self and 0 for other, as PyTorch's.

        >>> tg.tensor([1.0]).double().nextafter(tg.tensor([2.0]).double()) - 1
        tensor([2.2204e-16], dtype=tinygrad_edu.float64)
        """
        if not isinstance(other, TensorBase):
            raise _other_error("nextafter", other)
        a, b = _promote(self, other)
        if a._data.dtype not in FLOATING:
            raise not_implemented("nextafter_cpu", a._data.dtype)
        return Nextafter.apply(a, b)  # type: ignore[no-any-return]

    def _integer_pair(self, other: Any, name: str) -> tuple[Tensor, Tensor]:
        """``(self, other)`` promoted, for an integer-only kernel (PyTorch's errors)."""
        if not isinstance(other, TensorBase):
            raise _other_error(name, other)
        a, b = _promote(self, other)
        if a._data.dtype.kind not in "iu":
            raise not_implemented(f"{name}_cpu", a._data.dtype)
        return a, b

    def _check_broadcast_with(self, other: Tensor) -> None:
        """PyTorch's error for shapes that do not broadcast."""
        try:
            np.broadcast_shapes(self.shape, other.shape)
        except ValueError:
            raise broadcast_error(self.shape, other.shape) from None

    def float_power_(self, exponent: Any) -> Tensor:
        """In place: ``self = self.float_power(exponent)`` (self must be float64)."""
        if self._data.dtype != np.float64:
            raise RuntimeError("the base given to float_power_ has dtype "
                               f"{scalar_type_name(self._data.dtype)} but the operation's "
                               "result requires dtype Double")
        return self._write(lambda t: t.float_power(exponent), exponent)

    def ldexp_(self, other: Tensor) -> Tensor:
        """In place: ``self = self.ldexp(other)`` (self must be a float tensor)."""
        if self._data.dtype not in FLOATING:
            raise RuntimeError("ldexp can't be cast to the desired output type "
                               f"{scalar_type_name(self._data.dtype)}")
        return self._write(lambda t: t.ldexp(other), other)

    deg2rad_ = _inplace_form(deg2rad)
    rad2deg_ = _inplace_form(rad2deg)
    heaviside_ = _inplace_form(heaviside)
    gcd_ = _cast_checked(_inplace_form(gcd))
    lcm_ = _cast_checked(_inplace_form(lcm))
    nextafter_ = _cast_checked(_inplace_form(nextafter))


def _other_error(name: str, other: Any) -> TypeError:
    """PyTorch's TypeError for a non-Tensor ``other`` of a Tensor-only function."""
    return TypeError(f"{name}(): argument 'other' (position 1) must be Tensor, not "
                     f"{type(other).__name__}")


class _Frexp(tuple):
    """``(mantissa, exponent)`` returned by ``frexp``, printed as PyTorch's
    ``torch.return_types.frexp(mantissa=..., exponent=...)``."""

    @property
    def mantissa(self) -> Tensor:
        """The mantissas, |m| in [0.5, 1)."""
        return self[0]  # type: ignore[no-any-return]

    @property
    def exponent(self) -> Tensor:
        """The exponents (int32)."""
        return self[1]  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return (f"tinygrad_edu.return_types.frexp(\nmantissa={self[0]!r},\n"
                f"exponent={self[1]!r})")
