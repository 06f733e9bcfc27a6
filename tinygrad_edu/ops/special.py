"""The Tensor's further math of one tensor: the rest of trigonometry (tan, asin, acos,
atan), the hyperbolic functions (sinh, cosh, asinh, acosh, atanh), the error function
family (erf, erfc, erfinv), exp2, expm1, log2, log10, sinc and nan_to_num; their in-place
forms and their Functions, forward and backward side by side (the common ones, exp, log,
sin, tanh..., are in ``unary.py``).

Each backward is PyTorch's formula (``derivatives.yaml``), its products in PyTorch's order
so that gradients round the same. Gradients are returned in the input's shape.
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core.function import _wrap
from ..dtypes import FLOATING
from ..tensor_base import TensorBase, _float, _inplace_form
from . import dual
from .dual import _arr, _masked_zero, _Op

if TYPE_CHECKING:
    from ..tensor import Tensor

_LN2 = math.log(2.0)  # C's M_LN2
_LN10 = math.log(10.0)  # C's M_LN10
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)  # d erf(x)/dx = 2/sqrt(pi) e^(-x^2)
_HALF_SQRT_PI = 0.5 * math.sqrt(math.pi)  # d erfinv(y)/dy = sqrt(pi)/2 e^(erfinv(y)^2)


# ----------------------------------------------------------------------------- kernels
@functools.cache
def _libm(name: str) -> Any:
    """C's ``erf`` or ``erfc`` as an array function: numpy has neither. scipy.special's
    ufunc when scipy is installed (an optional package: fast); else Python's ``math.erf``
    element by element (slow, the same numbers to the last bit or so)."""
    try:
        import scipy.special
    except ImportError:
        scalar = getattr(math, name)
        return lambda x: np.vectorize(scalar, otypes=[x.dtype])(x)
    return getattr(scipy.special, name)


def _erf(x: np.ndarray, name: str = "erf") -> np.ndarray:
    """erf (or erfc) of a float array, in its dtype (0-d stays an array)."""
    return np.asanyarray(_libm(name)(x)).astype(x.dtype, copy=False)


# erfinv: PyTorch's first guess (ATen/native/Math.h, calc_erfinv, after Pavlis' erfinv.m: a
# rational function of y in the centre, of sqrt(-log((1 - |y|) / 2)) in the tails), then two
# Newton steps. PyTorch's CPU kernel is MKL's (accurate to an ulp or so), so the steps
# here are made in float64 and, in the tails, on erfc(x) = 1 - |y|: 1 - |y| is exact there
# and erfc keeps its relative precision, where erf(x) - y would lose all digits to
# cancellation next to 1.
_ERFINV_A = (0.886226899, -1.645349621, 0.914624893, -0.140543331)
_ERFINV_B = (-2.118377725, 1.442710462, -0.329097515, 0.012229801)
_ERFINV_C = (-1.970840454, -1.624906493, 3.429567803, 1.641345311)
_ERFINV_D = (3.543889200, 1.637067800)


def _erfinv(y: np.ndarray) -> np.ndarray:
    """The inverse error function: x with erf(x) = y, for -1 <= y <= 1 (+-inf at +-1, NaN
    outside), computed in float64 and rounded to y's dtype."""
    a, b, c, d = _ERFINV_A, _ERFINV_B, _ERFINV_C, _ERFINV_D
    y64 = y.astype(np.float64)
    y_abs = np.abs(y64)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = y_abs * y_abs  # the centre, |y| <= 0.7: |y| P(y^2) / Q(y^2)
        num = ((a[3] * z + a[2]) * z + a[1]) * z + a[0]
        dem = (((b[3] * z + b[2]) * z + b[1]) * z + b[0]) * z + 1.0
        centre = y_abs * num / dem
        q = 1.0 - y_abs  # (exact for |y| >= 1/2)
        z = np.sqrt(-np.log(q / 2.0))  # the tails: P(z) / Q(z)
        num = ((c[3] * z + c[2]) * z + c[1]) * z + c[0]
        dem = (d[1] * z + d[0]) * z + 1.0
        x = np.where(y_abs <= 0.7, centre, num / dem)  # x = erfinv(|y|) >= 0
        tail = y_abs >= 0.5
        for _ in range(2):
            slope = _TWO_OVER_SQRT_PI * np.exp(-x * x)  # erf'(x)
            # Newton on erf(x) = |y| in the centre; on log erfc(x) = log q in the tails,
            # nearly linear in x^2 there, so that the steps converge as fast far out
            erfc = _erf(x, "erfc")
            step = np.where(tail, np.log(q / erfc) * erfc, _erf(x) - y_abs) / slope
            x = x - step
    x = np.where(y_abs == 1, np.inf, x)
    x = np.where(y_abs > 1, np.nan, np.copysign(x, y64))  # (NaN stays NaN)
    return np.asanyarray(x.astype(y.dtype))


def _sinc(x: np.ndarray) -> np.ndarray:
    """sin(pi x) / (pi x), and 1 at 0 (PyTorch's: pi rounded to x's dtype first)."""
    product = x * x.dtype.type(math.pi)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.sin(product) / product
    return np.asanyarray(np.where(x == 0, x.dtype.type(1), out))


def _rsqrt(x: Any) -> Any:
    """1 / sqrt(x) (PyTorch's rsqrt, as its CPU kernel computes it)."""
    return 1 / dual.sqrt(x)


# ----------------------------------------------------------------------------- Functions
class Tan(_Op):
    _grad_fn_name = "TanBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        y = np.tan(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (y,) = ctx.saved_tensors
        return grad * (1 + y * y)  # d tan x/dx = 1 + tan^2 x


class Asin(_Op):
    _grad_fn_name = "AsinBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return np.arcsin(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad * _rsqrt(-x * x + 1)  # 1 / sqrt(1 - x^2)


class Acos(_Op):
    _grad_fn_name = "AcosBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return np.arccos(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad * -_rsqrt(-x * x + 1)  # -1 / sqrt(1 - x^2)


class Atan(_Op):
    _grad_fn_name = "AtanBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return np.arctan(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad / (x * x + 1)  # 1 / (1 + x^2)


class Sinh(_Op):
    _grad_fn_name = "SinhBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return np.sinh(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad * dual.cosh(x)


class Cosh(_Op):
    _grad_fn_name = "CoshBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return np.cosh(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad * dual.sinh(x)


class Asinh(_Op):
    _grad_fn_name = "AsinhBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return np.arcsinh(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad * _rsqrt(x * x + 1)  # 1 / sqrt(x^2 + 1)


class Acosh(_Op):
    _grad_fn_name = "AcoshBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return np.arccosh(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad * _rsqrt(x * x - 1)  # 1 / sqrt(x^2 - 1)


class Atanh(_Op):
    _grad_fn_name = "AtanhBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return np.arctanh(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad / (1 - x * x)  # 1 / (1 - x^2)


class Erf(_Op):
    _grad_fn_name = "ErfBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return _erf(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return _TWO_OVER_SQRT_PI * dual.exp(-(x * x)) * grad  # 2/sqrt(pi) e^(-x^2)


class Erfc(_Op):
    _grad_fn_name = "ErfcBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return _erf(x, "erfc")  # (not 1 - erf(x): that loses erfc's small values)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return -_TWO_OVER_SQRT_PI * dual.exp(-(x * x)) * grad  # -2/sqrt(pi) e^(-x^2)


class Erfinv(_Op):
    _grad_fn_name = "ErfinvBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        y = _erfinv(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (y,) = ctx.saved_tensors
        # the inverse function's derivative: 1 / erf'(y) = sqrt(pi)/2 e^(y^2)
        return _HALF_SQRT_PI * dual.exp(y * y) * grad


class Exp2(_Op):
    _grad_fn_name = "Exp2Backward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        y = np.exp2(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (y,) = ctx.saved_tensors
        return grad * y * _LN2  # d 2^x/dx = 2^x ln 2


class Expm1(_Op):
    _grad_fn_name = "Expm1Backward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        y = np.expm1(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (y,) = ctx.saved_tensors
        return grad * (y + 1)  # d(e^x - 1)/dx = e^x


class Log2(_Op):
    _grad_fn_name = "Log2Backward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return np.log2(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad / (x * _LN2)  # 1 / (x ln 2)


class Log10(_Op):
    _grad_fn_name = "Log10Backward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return np.log10(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad / (x * _LN10)  # 1 / (x ln 10)


class Sinc(_Op):
    _grad_fn_name = "SincBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return _sinc(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        # (pi x cos(pi x) - sin(pi x)) / (pi x^2), and 0 at x = 0 (PyTorch's sinc_backward)
        x_pi, x_squared_pi = x * math.pi, x * x * math.pi
        with np.errstate(divide="ignore", invalid="ignore"):
            out = grad * (x_pi * dual.cos(x_pi) - dual.sin(x_pi)) / x_squared_pi
        return _masked_zero(_arr(x_squared_pi) == 0, out)


class NanToNum(_Op):
    """NaN, +inf and -inf replaced by numbers; the gradient passes where x is finite."""

    _grad_fn_name = "NanToNumBackward0"
    ctx_fields = ("finite",)

    @staticmethod
    def forward(ctx: Any, x: Any, nan: Any, posinf: Any, neginf: Any) -> Any:
        ctx.finite = np.isfinite(x)
        with np.errstate(over="ignore"):  # a number past the dtype's range becomes inf
            return np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        # grad * isfinite(x), as PyTorch (an inf gradient at a replaced place gives NaN)
        return grad * dual.constant(ctx.finite, grad), None, None, None


# ----------------------------------------------------------------------------- methods
class SpecialMethods(TensorBase):
    """The Tensor's trigonometric, hyperbolic, error-function, base-2/base-10 and sinc
    math, nan_to_num, and their in-place forms. Integer and bool tensors compute in
    float32, as PyTorch's."""

    __slots__ = ()

    def tan(self) -> Tensor:
        """Tangent: ``sin(self) / cos(self)``; d/dx = 1 + tan(x)^2.

        >>> tg.tensor([0.0, 1.0]).tan()
        tensor([0.0000, 1.5574])
        """
        return self._float_unary(Tan)

    def asin(self) -> Tensor:
        """Arcsine, in [-pi/2, pi/2] (NaN outside [-1, 1]); d/dx = 1 / sqrt(1 - x^2).

        >>> tg.tensor([0.0, 1.0]).asin()
        tensor([0.0000, 1.5708])
        """
        return self._float_unary(Asin)

    def acos(self) -> Tensor:
        """Arccosine, in [0, pi] (NaN outside [-1, 1]); d/dx = -1 / sqrt(1 - x^2).

        >>> tg.tensor([1.0, 0.0]).acos()
        tensor([0.0000, 1.5708])
        """
        return self._float_unary(Acos)

    def atan(self) -> Tensor:
        """Arctangent, in (-pi/2, pi/2); d/dx = 1 / (1 + x^2).

        >>> tg.tensor([0.0, 1.0]).atan()
        tensor([0.0000, 0.7854])
        """
        return self._float_unary(Atan)

    def sinh(self) -> Tensor:
        """Hyperbolic sine ``(e^x - e^-x) / 2``; d/dx = cosh(x).

        >>> tg.tensor([0.0, 1.0]).sinh()
        tensor([0.0000, 1.1752])
        """
        return self._float_unary(Sinh)

    def cosh(self) -> Tensor:
        """Hyperbolic cosine ``(e^x + e^-x) / 2``; d/dx = sinh(x).

        >>> tg.tensor([0.0, 1.0]).cosh()
        tensor([1.0000, 1.5431])
        """
        return self._float_unary(Cosh)

    def asinh(self) -> Tensor:
        """Inverse hyperbolic sine ``log(x + sqrt(x^2 + 1))``; d/dx = 1 / sqrt(x^2 + 1).

        >>> tg.tensor([0.0, 1.0]).asinh()
        tensor([0.0000, 0.8814])
        """
        return self._float_unary(Asinh)

    def acosh(self) -> Tensor:
        """Inverse hyperbolic cosine (NaN below 1); d/dx = 1 / sqrt(x^2 - 1).

        >>> tg.tensor([1.0, 2.0]).acosh()
        tensor([0.0000, 1.3170])
        """
        return self._float_unary(Acosh)

    def atanh(self) -> Tensor:
        """Inverse hyperbolic tangent (+-inf at +-1, NaN outside); d/dx = 1 / (1 - x^2).

        >>> tg.tensor([0.0, 0.5]).atanh()
        tensor([0.0000, 0.5493])
        """
        return self._float_unary(Atanh)

    def erf(self) -> Tensor:
        """The error function ``2/sqrt(pi) * integral_0^x e^(-t^2) dt``; d/dx =
        2/sqrt(pi) e^(-x^2).

        >>> tg.tensor([0.0, 1.0]).erf()
        tensor([0.0000, 0.8427])
        """
        return self._float_unary(Erf)

    def erfc(self) -> Tensor:
        """``1 - erf(self)``, computed without cancellation (accurate where erf is near 1).

        >>> tg.tensor([0.0, 4.0]).erfc()
        tensor([1.0000e+00, 1.5417e-08])
        """
        return self._float_unary(Erfc)

    def erfinv(self) -> Tensor:
        """The inverse error function: x with erf(x) = self, for self in [-1, 1] (+-inf at
        +-1, NaN outside); d/dy = sqrt(pi)/2 e^(erfinv(y)^2). PyTorch's algorithm: a
        rational first guess, then two Newton steps.

        >>> tg.tensor([0.0, 0.5]).erfinv()
        tensor([0.0000, 0.4769])
        """
        return self._float_unary(Erfinv)

    def exp2(self) -> Tensor:
        """``2 ** self``; d/dx = 2^x ln 2.

        >>> tg.tensor([0.0, 3.0]).exp2()
        tensor([1., 8.])
        """
        return self._float_unary(Exp2)

    def expm1(self) -> Tensor:
        """``exp(self) - 1``, accurate for small values (where exp(x) - 1 cancels).

        >>> tg.tensor([1e-10]).double().expm1()
        tensor([1.0000e-10], dtype=tinygrad_edu.float64)
        """
        return self._float_unary(Expm1)

    def log2(self) -> Tensor:
        """Base-2 logarithm; d/dx = 1 / (x ln 2).

        >>> tg.tensor([1.0, 8.0]).log2()
        tensor([0., 3.])
        """
        return self._float_unary(Log2)

    def log10(self) -> Tensor:
        """Base-10 logarithm; d/dx = 1 / (x ln 10).

        >>> tg.tensor([1.0, 100.0]).log10()
        tensor([0., 2.])
        """
        return self._float_unary(Log10)

    def sinc(self) -> Tensor:
        """The normalized sinc ``sin(pi x) / (pi x)``, 1 at x = 0 (its limit, gradient 0).

        >>> tg.tensor([0.0, 0.5]).sinc()
        tensor([1.0000, 0.6366])
        """
        return self._float_unary(Sinc)

    def nan_to_num(self, nan: _float = 0.0, posinf: _float | None = None,
                   neginf: _float | None = None) -> Tensor:
        """NaN replaced by ``nan``, +inf by ``posinf`` and -inf by ``neginf`` (by default
        the largest and the lowest finite value of the dtype); the gradient passes where
        the input was finite. Integer and bool tensors are returned as a copy.

        >>> tg.tensor([float("nan"), float("inf"), -1.0]).nan_to_num()
        tensor([ 0.0000e+00,  3.4028e+38, -1.0000e+00])
        """
        if self._data.dtype not in FLOATING:
            return _wrap(self._data.copy())  # (nothing to replace)
        return NanToNum.apply(self, nan, posinf, neginf)

    arcsin, arccos, arctan = asin, acos, atan
    arcsinh, arccosh, arctanh = asinh, acosh, atanh

    # in-place forms: x.tan_() is x.tan() written into x
    tan_ = _inplace_form(tan)
    asin_ = arcsin_ = _inplace_form(asin)
    acos_ = arccos_ = _inplace_form(acos)
    atan_ = arctan_ = _inplace_form(atan)
    sinh_ = _inplace_form(sinh)
    cosh_ = _inplace_form(cosh)
    asinh_ = arcsinh_ = _inplace_form(asinh)
    acosh_ = arccosh_ = _inplace_form(acosh)
    atanh_ = arctanh_ = _inplace_form(atanh)
    erf_ = _inplace_form(erf)
    erfc_ = _inplace_form(erfc)
    erfinv_ = _inplace_form(erfinv)
    exp2_ = _inplace_form(exp2)
    expm1_ = _inplace_form(expm1)
    log2_ = _inplace_form(log2)
    log10_ = _inplace_form(log10)
    sinc_ = _inplace_form(sinc)
    nan_to_num_ = _inplace_form(nan_to_num)
