"""The Tensor's math of two tensors beyond arithmetic: atan2, hypot, logaddexp, logaddexp2,
xlogy and copysign (``fmod`` and ``%`` are in ``arithmetic.py``); their in-place forms and
their Functions, forward and backward side by side.

The operands broadcast together and are promoted as PyTorch promotes them; integer and
bool operands compute in the default float dtype (logaddexp and hypot have float kernels
only, as PyTorch's). Gradients are returned in the broadcast shape; the engine sums them
back to each input.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..dtypes import FLOATING
from ..parity.errors import not_implemented
from ..parity.grad_fn_names import labelled
from ..tensor_base import TensorBase, _inplace_form
from . import dual
from .dual import _arr, _masked_zero, _Op
from .promotion import _operand, _operand_error, _promote

if TYPE_CHECKING:
    from ..tensor import Tensor


# ----------------------------------------------------------------------------- Functions
class Atan2(_Op):
    """The angle of the point (y=self, x=other), in (-pi, pi]."""

    _grad_fn_name = "Atan2Backward0"

    @staticmethod
    def forward(ctx: Any, y: Any, x: Any) -> Any:
        ctx.save_for_backward(y, x)
        return np.arctan2(y, x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        y, x = ctx.saved_tensors
        need_y, need_x = ctx.needs_input_grad
        # d/dy = x / (x^2 + y^2), d/dx = -y / (x^2 + y^2); 0 where x^2 + y^2 is 0 (the
        # origin, or squares that underflow), as PyTorch
        squares = y * y + x * x
        with np.errstate(divide="ignore"):
            recip = _masked_zero(_arr(squares) == 0, 1 / squares)
        return (grad * x * recip if need_y else None), (grad * -y * recip if need_x else None)


class Hypot(_Op):
    """sqrt(x^2 + y^2), without overflow for large x or y."""

    _grad_fn_name = "HypotBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        out = np.hypot(x, y)
        ctx.save_for_backward(x, y, out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, y, out = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        # d/dx = x / hypot(x, y), d/dy = y / hypot(x, y)
        return (grad * x / out if need_x else None), (grad * y / out if need_y else None)


class Logaddexp(_Op):
    """log(e^x + e^y), without overflow."""

    _grad_fn_name = "LogaddexpBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        ctx.save_for_backward(x, y)
        return np.logaddexp(x, y)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        # d/dx = e^x / (e^x + e^y) = 1 / (1 + e^(y - x)): a softmax of the two
        return (grad / (1 + dual.exp(y - x)) if need_x else None), \
            (grad / (1 + dual.exp(x - y)) if need_y else None)


class Logaddexp2(_Op):
    """log2(2^x + 2^y), without overflow."""

    _grad_fn_name = "Logaddexp2Backward0"

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        ctx.save_for_backward(x, y)
        return np.logaddexp2(x, y)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        # d/dx = 2^x / (2^x + 2^y) = 1 / (1 + 2^(y - x))
        return (grad / (1 + 2 ** (y - x)) if need_x else None), \
            (grad / (1 + 2 ** (x - y)) if need_y else None)


def _np_xlogy(x: Any, y: Any, dtype: np.dtype) -> np.ndarray:
    """x * log(y) in ``dtype``, as PyTorch: 0 where x == 0 (even for y == 0), NaN where y
    is NaN."""
    x, y = np.asanyarray(x, dtype), np.asanyarray(y, dtype)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = x * np.log(y)
    out = np.where(x == 0, dtype.type(0), out)
    return np.asanyarray(np.where(np.isnan(y), dtype.type(np.nan), out))


def _xlogy(x: Any, y: Any) -> Any:
    """xlogy on arrays, or on Tensors (a backward being recorded)."""
    if dual._is_array(x):
        return _np_xlogy(x, y, np.asanyarray(x).dtype)
    return x.xlogy(y)


class Xlogy(_Op):
    """``x * log(y)``, and 0 where x == 0: the term of an entropy, finite at 0 log 0."""

    _grad_fn_name = "XlogyBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        ctx.save_for_backward(x, y)
        return _np_xlogy(x, y, x.dtype)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        gx = gy = None
        if need_x:  # d/dx = log y; 0 where x == 0 and y <= 0 (as PyTorch: log y is no number)
            gx = _masked_zero((_arr(x) == 0) & (_arr(y) <= 0), _xlogy(grad, y))
        if need_y:  # d/dy = x / y
            gy = grad * x / y
        return gx, gy


# ``x.xlogy(number)``: PyTorch's xlogy.Scalar_Other, numbered 2
XlogyOfTensorAndNumber = labelled(Xlogy, "XlogyBackward2")


class XlogyOfNumber(_Op):
    """``tg.xlogy(c, y)`` for a number ``c``: c * log(y) (PyTorch's xlogy.Scalar_Self)."""

    _grad_fn_name = "XlogyBackward1"
    ctx_fields = ("c",)

    @staticmethod
    def forward(ctx: Any, y: Any, c: Any) -> Any:
        ctx.save_for_backward(y)
        ctx.c = c
        return _np_xlogy(c, y, y.dtype)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (y,) = ctx.saved_tensors
        return grad * ctx.c / y, None  # d/dy = c / y


class Copysign(_Op):
    """|x| with the sign of y (of -0.0 too); x's gradient is sign-flipped where the sign
    changed, and 0 at x == 0; y's is 0."""

    _grad_fn_name = "CopysignBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        out = np.copysign(x, y)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, out = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        gx = None
        if need_x:  # +-1: out / x, masked to 0 where x == 0 (PyTorch's)
            with np.errstate(divide="ignore", invalid="ignore"):
                gx = grad * _masked_zero(_arr(x) == 0, out / x)
        return gx, (dual.zeros_like(grad) if need_y else None)


# ``x.copysign(number)``: PyTorch's copysign.Scalar, numbered 1
CopysignNumber = labelled(Copysign, "CopysignBackward1")


def _fminmax(ctx: Any, x: Any, y: Any, wins: Any, kernel: Any) -> Any:
    """fmax/fmin's forward: where x wins (or y is NaN) x's gradient flows, else y's."""
    ctx.pick_x = np.asanyarray(wins(x, y) | np.isnan(y))
    return kernel(x, y)


class Fmax(_Op):
    """The larger of x and y, ignoring a NaN (NaN only where both are); at a tie the
    gradient goes to x, as PyTorch."""

    _grad_fn_name = "FmaxBackward0"
    ctx_fields = ("pick_x",)

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        return _fminmax(ctx, x, y, np.greater_equal, np.fmax)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return _fminmax_grad(ctx, grad)


class Fmin(_Op):
    """The smaller of x and y, ignoring a NaN (NaN only where both are); at a tie the
    gradient goes to x, as PyTorch."""

    _grad_fn_name = "FminBackward0"
    ctx_fields = ("pick_x",)

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        return _fminmax(ctx, x, y, np.less_equal, np.fmin)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return _fminmax_grad(ctx, grad)


def _fminmax_grad(ctx: Any, grad: Any) -> Any:
    need_x, need_y = ctx.needs_input_grad
    pick_x = ctx.pick_x
    return (dual.keep_where(grad, pick_x) if need_x else None,
            dual.keep_where(grad, ~pick_x) if need_y else None)


# ----------------------------------------------------------------------------- methods
class BinaryMathMethods(TensorBase):
    """The Tensor's atan2, hypot, logaddexp(2), xlogy and copysign, and their in-place
    forms."""

    __slots__ = ()

    def _tensors(self, other: Any, name: str, float_kernel: bool = False) -> Any:
        """``(self, other)`` promoted for an op of two tensors: ints and bools to the
        default float dtype, or (``float_kernel``) refused as PyTorch's float-only kernels
        refuse them."""
        if not isinstance(other, TensorBase):
            raise _operand_error(name, other, numbers=False)
        a, b = _promote(self, other, true_div=not float_kernel)
        if a._data.dtype not in FLOATING:
            raise not_implemented(f"{name}_cpu", a._data.dtype)
        return a, b

    def atan2(self, other: Tensor) -> Tensor:
        """The angle of the point (x=other, y=self) in radians, in (-pi, pi]: atan(self /
        other) in the right quadrant.

        >>> tg.tensor([1.0, -1.0]).atan2(tg.tensor([-1.0, -1.0]))
        tensor([ 2.3562, -2.3562])
        """
        return Atan2.apply(*self._tensors(other, "atan2"))

    def arctan2(self, other: Tensor) -> Tensor:
        """``atan2`` (numpy's name)."""
        return Atan2.apply(*self._tensors(other, "arctan2"))

    def hypot(self, other: Tensor) -> Tensor:
        """sqrt(self^2 + other^2), the hypotenuse, without overflow (float tensors).

        >>> tg.tensor([3.0]).hypot(tg.tensor([4.0]))
        tensor([5.])
        """
        return Hypot.apply(*self._tensors(other, "hypot", float_kernel=True))

    def logaddexp(self, other: Tensor) -> Tensor:
        """log(e^self + e^other), without overflow (float tensors); its gradient is the
        softmax of the two.

        >>> tg.tensor([1000.0]).logaddexp(tg.tensor([1000.0]))
        tensor([1000.6931])
        """
        return Logaddexp.apply(*self._tensors(other, "logaddexp", float_kernel=True))

    def logaddexp2(self, other: Tensor) -> Tensor:
        """log2(2^self + 2^other), without overflow (float tensors).

        >>> tg.tensor([3.0]).logaddexp2(tg.tensor([3.0]))
        tensor([4.])
        """
        return Logaddexp2.apply(*self._tensors(other, "logaddexp2", float_kernel=True))

    def xlogy(self, other: Any) -> Tensor:
        """self * log(other), and 0 where self == 0 (even where other == 0): ``0 log 0 =
        0``, as in entropies; NaN where other is NaN. ``other`` is a tensor or a number.

        >>> tg.tensor([0.0, 2.0]).xlogy(tg.tensor([0.0, 3.0]))
        tensor([0.0000, 2.1972])
        """
        other = _operand(other, "xlogy")
        a, b = _promote(self, other, true_div=True)
        if isinstance(b, TensorBase):
            return Xlogy.apply(a, b)
        return XlogyOfTensorAndNumber.apply(a, b)

    def _rxlogy(self, number: Any) -> Tensor:
        """``tg.xlogy(number, self)``: number * log(self)."""
        a, c = _promote(self, number, true_div=True)
        return XlogyOfNumber.apply(a, c)

    def copysign(self, other: Any) -> Tensor:
        """|self| with the sign of ``other`` (a tensor or a number; -0.0 counts as
        negative). The gradient flows to ``self`` only.

        >>> tg.tensor([1.0, -2.0]).copysign(tg.tensor([-0.0, 3.0]))
        tensor([-1.,  2.])
        """
        other = _operand(other, "copysign")
        a, b = _promote(self, other, true_div=True)
        if isinstance(b, TensorBase):
            return Copysign.apply(a, b)
        return CopysignNumber.apply(a, b)

    def fmax(self, other: Tensor) -> Tensor:
        """The elementwise maximum, where a NaN loses to a number (``maximum`` spreads it).

        >>> tg.tensor([1.0, float("nan")]).fmax(tg.tensor([2.0, 0.5]))
        tensor([2.0000, 0.5000])
        """
        if not isinstance(other, TensorBase):
            raise _operand_error("fmax", other, numbers=False)
        return Fmax.apply(*_promote(self, other))

    def fmin(self, other: Tensor) -> Tensor:
        """The elementwise minimum, where a NaN loses to a number (``minimum`` spreads it).

        >>> tg.tensor([1.0, float("nan")]).fmin(tg.tensor([2.0, 0.5]))
        tensor([1.0000, 0.5000])
        """
        if not isinstance(other, TensorBase):
            raise _operand_error("fmin", other, numbers=False)
        return Fmin.apply(*_promote(self, other))

    atan2_ = _inplace_form(atan2)
    arctan2_ = _inplace_form(arctan2)
    hypot_ = _inplace_form(hypot)
    xlogy_ = _inplace_form(xlogy)
    copysign_ = _inplace_form(copysign)
