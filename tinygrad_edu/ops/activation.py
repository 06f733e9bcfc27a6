"""Activations with a PyTorch node of their own: ELU and its scaled forms (CELU, SELU), the
hard and shrink families, Mish, LogSigmoid, GLU, Threshold, PReLU and RReLU.

Each is one ``Function``, as PyTorch records it (``HardswishBackward0``, ``GluBackward0``...),
so a graph reads as PyTorch's and the gradient at each kink is PyTorch's choice, written
beside the formula. ``nn.functional`` checks the arguments and calls ``Op.apply``; the two
that PyTorch also has as Tensor methods (``x.hardshrink()``, ``x.prelu(w)``) are in
``activation_methods.py``, which Tensor imports (this file, with its imports, loads when
``nn`` does).

Forward works on numpy arrays. Backward works on arrays in an ordinary ``backward()`` and on
Tensors under ``create_graph=True`` (written with operators and ``dual`` helpers): a mask
such as ``x > 0`` is a constant of the backward, so the second derivative is the derivative
of the formula between the kinks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..parity.grad_fn_names import labelled
from . import dual
from .dual import _arr, _Op, keep_where
from .movement import Cat
from .nn import LeakyRelu, Softplus, _live_where

if TYPE_CHECKING:
    pass

_nd = np.ndarray


# ----------------------------------------------------------------------------- ELU family


class Elu(_Op):
    """scale x if x > 0 else scale alpha (e^(input_scale x) - 1): PyTorch's one ELU kernel.

    ``F.elu`` is (alpha, 1, 1), ``F.selu`` (1.6733, 1.0507, 1), ``F.celu`` (alpha, 1,
    1 / alpha). Gradient: scale, or input_scale scale alpha e^(input_scale x) where x <= 0
    (PyTorch's mask: the left branch at 0, the right one for NaN); its own derivative is 0
    at x = 0 (``x < 0``).
    """

    _grad_fn_name = "EluBackward0"
    ctx_fields = ("negative", "alpha", "scale", "input_scale")  # negative: the mask x <= 0

    @staticmethod
    def forward(
        ctx: Any, x: Any, alpha: float, scale: float = 1.0, input_scale: float = 1.0
    ) -> Any:
        ctx.save_for_backward(x)
        negative = np.asanyarray(x <= 0)  # the mask: a constant of the backward
        ctx.negative, ctx.alpha, ctx.scale, ctx.input_scale = negative, alpha, scale, input_scale
        return _elu(x, negative, alpha, scale, input_scale)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        alpha, scale, input_scale = ctx.alpha, ctx.scale, ctx.input_scale
        if not dual._is_array(x):  # (double backward: the exponential varies only where x < 0)
            x = _live_where(np.asanyarray(_arr(x) < 0), x)
        if scale == 1 and input_scale == 1:  # ELU: grad alpha e^x, or grad
            return dual.where(ctx.negative, grad * alpha * dual.exp(x), grad), None, None, None
        # PyTorch's order: grad * input_scale * (alpha scale) * e^(x input_scale)
        negcoef = _arr(grad).dtype.type(alpha) * _arr(grad).dtype.type(scale)
        left = grad * input_scale * negcoef * dual.exp(x * input_scale)
        return dual.where(ctx.negative, left, grad * scale), None, None, None


def _elu(x: np.ndarray, negative: np.ndarray, alpha: float, scale: float,
         input_scale: float) -> np.ndarray:
    t = x.dtype.type
    negcoef = t(alpha) * t(scale)  # (PyTorch multiplies them in the input's dtype)
    left = np.expm1(x * t(input_scale) if input_scale != 1 else x) * negcoef
    return np.where(negative, left, x * t(scale) if scale != 1 else x)


# ``F.celu``: ``Elu`` with input_scale = 1 / alpha, under PyTorch's name for it.
Celu = labelled(Elu, "CeluBackward0")


def _negative_slope_error(op: str) -> RuntimeError:
    """PyTorch's refusal to differentiate an in-place ELU / leaky ReLU of negative slope
    (its result no longer tells which side of 0 the input was on)."""
    extra = (" File an issue at https://github.com/pytorch/pytorch if you do require "
             "supporting in-place leakRelu backward calculation with negative slope"
             if op == "leakyReLu" else "")
    return RuntimeError(
        f"In-place {op} backward calculation is triggered with a negative slope which is not "
        "supported. This is caused by calling in-place forward function with a negative "
        f"slope, please call out-of-place version instead.{extra}")


class EluInplace(_Op):
    """ELU written over its input (``F.elu_``, ``F.selu_``, ``elu(inplace=True)``): the
    input is gone, so backward reads the result y, as PyTorch's ``elu_backward(is_result)``:
    d/dx = input_scale (y + alpha scale) where y <= 0 (that is input_scale alpha scale
    e^(input_scale x)), scale elsewhere. A negative alpha cannot be differentiated so."""

    _grad_fn_name = "EluBackward1"
    ctx_fields = ("alpha", "scale", "input_scale")

    @staticmethod
    def forward(
        ctx: Any, x: Any, alpha: float, scale: float = 1.0, input_scale: float = 1.0
    ) -> Any:
        ctx.alpha, ctx.scale, ctx.input_scale = alpha, scale, input_scale
        y = _elu(x, np.asanyarray(x <= 0), alpha, scale, input_scale)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        if ctx.alpha < 0:
            raise _negative_slope_error("elu")
        (y,) = ctx.saved_tensors
        t = _arr(y).dtype.type
        left = grad * t(ctx.input_scale) * (y + t(ctx.alpha) * t(ctx.scale))
        right = grad * t(ctx.scale) if ctx.scale != 1 else grad
        return dual.where(np.asanyarray(_arr(y) <= 0), left, right), None, None, None


# ``F.celu_``: ``EluInplace`` with input_scale = 1 / alpha, under PyTorch's name for it.
CeluInplace = labelled(EluInplace, "CeluBackward1")


class LeakyReluInplace(LeakyRelu):
    """Leaky ReLU written over its input (``F.leaky_relu_``): the gradient of ``LeakyRelu``
    (for a slope >= 0 the result's sign is the input's), which PyTorch computes from the
    result and so refuses for a negative slope."""

    _grad_fn_name = "LeakyReluBackward1"

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        if ctx.slope < 0:
            raise _negative_slope_error("leakyReLu")
        return LeakyRelu.backward(ctx, grad)


# ---------------------------------------------------------------------------- hard family


class Hardsigmoid(_Op):
    """relu6(x + 3) / 6; gradient 1/6 strictly between -3 and 3, else 0 (0 at +-3 and for
    NaN, as PyTorch's ``-3 < x < 3``)."""

    _grad_fn_name = "HardsigmoidBackward0"
    ctx_fields = ("inside",)

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.inside = np.asanyarray((x > -3) & (x < 3))  # the mask, not x (in-place safe)
        out = np.asanyarray(x + 3)
        np.clip(out, 0, 6, out=out)
        out /= 6
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return keep_where(grad * (1.0 / 6.0), ctx.inside)


class Hardswish(_Op):
    """x relu6(x + 3) / 6; gradient 0 for x <= -3, x / 3 + 1/2 between, 1 for x >= 3
    (PyTorch's branches: 0 at -3, 1 at 3, 1 for NaN). Its own derivative is 1/3 strictly
    inside (-3, 3), else 0."""

    _grad_fn_name = "HardswishBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        out = np.asanyarray(x + 3)
        np.clip(out, 0, 6, out=out)
        out *= x
        out /= 6
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        data = _arr(x)
        low = np.asanyarray(data <= -3)
        high = np.asanyarray(~(data < 3) & ~low)  # (x >= 3, and NaN)
        if not dual._is_array(x):
            x = _live_where(np.asanyarray((data > -3) & (data < 3)), x)
        middle = grad * (x / 3.0 + 0.5)
        return dual.where(low, 0.0, dual.where(high, grad, middle))


class Mish(_Op):
    """x tanh(softplus(x)); gradient t + x sigmoid(x) (1 - t^2) with t = tanh(softplus(x)).
    (Smooth: under ``create_graph`` the same formula is recorded, as PyTorch's
    ``infinitely_differentiable_mish_backward``.)"""

    _grad_fn_name = "MishBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        with np.errstate(over="ignore"):  # e^x = inf: log1p(inf) = inf, tanh(inf) = 1
            return x * np.tanh(np.log1p(np.exp(x)))

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        if dual._is_array(x):
            with np.errstate(over="ignore"):
                t = np.tanh(np.log1p(np.exp(x)))
        else:
            t = dual.tanh(Softplus.apply(x, 1.0, 20.0))
        return grad * (t + x * dual.sigmoid(x) * (1 - t * t))


class LogSigmoid(_Op):
    """log sigmoid(x) = min(x, 0) - log1p(e^-|x|) (stable for any x); gradient
    sigmoid(-x) = 1 - sigmoid(x), written as PyTorch's kernel: [x < 0] - sign z / (1 + z),
    z = e^-|x|."""

    _grad_fn_name = "LogSigmoidBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        if not dual._is_array(x):  # (its derivative: -sigmoid(x) (1 - sigmoid(x)))
            return grad * (1 - dual.sigmoid(x))
        negative = x < 0
        z = np.exp(-np.abs(x))
        sign = np.where(negative, 1.0, -1.0).astype(x.dtype, copy=False)
        return grad * (negative.astype(x.dtype) - sign * (z / (1 + z)))


def _halves(x: Any, dim: int) -> tuple[Any, Any]:
    """The first and second halves of ``x`` along ``dim`` (views; arrays or Tensors)."""
    half = x.shape[dim] // 2
    before = (slice(None),) * dim
    return x[before + (slice(0, half),)], x[before + (slice(half, None),)]


def _joined(a: Any, b: Any, dim: int) -> Any:
    """``a`` and ``b`` joined along ``dim`` (arrays or Tensors)."""
    if dual._is_array(a) and dual._is_array(b):
        return np.concatenate((a, b), axis=dim)
    return Cat.apply(dim, a, b)


def _glu_grad(grad: Any, x: Any, dim: int) -> Any:
    """GLU's gradient: (grad sigmoid(b), grad a sigmoid(b) (1 - sigmoid(b))) joined."""
    a, b = _halves(x, dim)
    s = dual.sigmoid(b)
    return _joined(grad * s, grad * a * s * (1 - s), dim)


class Glu(_Op):
    """a sigmoid(b), where a and b are the two halves of x along ``dim``; gradient
    (sigmoid(b), a sigmoid(b) (1 - sigmoid(b))) times grad, joined along ``dim``."""

    _grad_fn_name = "GluBackward0"
    ctx_fields = ("dim",)

    @staticmethod
    def forward(ctx: Any, x: Any, dim: int) -> Any:
        ctx.save_for_backward(x)
        ctx.dim = dim
        a, b = _halves(x, dim)
        return a * (1 / (1 + np.exp(-b)))

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        if dual._is_array(grad):
            return _glu_grad(grad, x, ctx.dim), None
        return GluGrad.apply(grad, x, ctx.dim), None  # (create_graph: PyTorch's node)


class GluGrad(_Op):
    """GLU's gradient as an op of (grad, x), for a backward recorded with
    ``create_graph=True``: its own backward is PyTorch's ``glu_double_backward`` (so
    second derivatives, inf and NaN included, are PyTorch's)."""

    _grad_fn_name = "GluBackwardBackward0"
    ctx_fields = ("dim",)

    @staticmethod
    def forward(ctx: Any, grad: Any, x: Any, dim: int) -> Any:
        ctx.save_for_backward(grad, x)
        ctx.dim = dim
        return _glu_grad(grad, x, dim)

    @staticmethod
    def backward(ctx: Any, ggx: Any) -> Any:
        g, x = ctx.saved_tensors
        dim = ctx.dim
        a, b = _halves(x, dim)
        gg_a, gg_b = _halves(ggx, dim)
        s = dual.sigmoid(b)
        one_minus_s = 1 - s
        s_one_minus_s = s * one_minus_s
        # d/dgrad: ggx times the gradient at grad = 1, the halves added
        d_grad = gg_a * s + gg_b * (a * s * one_minus_s)
        # d/dx: a's half through s(1 - s), b's through s(1 - s) and its derivative
        second = s_one_minus_s * one_minus_s - s * s_one_minus_s
        d_a = gg_b * g * s_one_minus_s
        d_b = gg_b * a * g * second + gg_a * g * s_one_minus_s
        return d_grad, _joined(d_a, d_b, dim), None


# ------------------------------------------------------------------ threshold and shrinks
# (Hardshrink and PReLU, Tensor methods too, are in activation_methods.py)


class Threshold(_Op):
    """x if x > threshold else value; gradient 1 where x > threshold, else 0 (0 at the
    threshold; NaN passes it, as PyTorch's ``x <= threshold ? 0 : grad``)."""

    _grad_fn_name = "ThresholdBackward0"
    ctx_fields = ("below",)  # x <= threshold

    @staticmethod
    def forward(ctx: Any, x: Any, threshold: float, value: float) -> Any:
        below = np.asanyarray(x <= threshold)  # the mask, not x (in-place safe)
        ctx.below = below
        return np.where(below, x.dtype.type(value), x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return dual.where(ctx.below, 0.0, grad), None, None


# ``F.threshold_``: the same gradient (the mask comes from the input, before the write),
# under PyTorch's name for the in-place form
ThresholdInplace = labelled(Threshold, "ThresholdBackward1")


class Softshrink(_Op):
    """x - lambd if x > lambd, x + lambd if x < -lambd, else 0; gradient 0 on
    [-lambd, lambd] (the ends included, as PyTorch), 1 outside."""

    _grad_fn_name = "SoftshrinkBackward0"
    ctx_fields = ("dead",)  # -lambd <= x <= lambd

    @staticmethod
    def forward(ctx: Any, x: Any, lambd: float) -> Any:
        lam = x.dtype.type(lambd)
        dead = np.asanyarray((x >= -lam) & (x <= lam))
        ctx.dead = dead
        # (NaN is not dead: it stays NaN, and passes its gradient, as PyTorch's)
        return np.where(dead, x.dtype.type(0), np.where(x > lam, x - lam, x + lam))

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return dual.where(ctx.dead, 0.0, grad), None


# ---------------------------------------------------------------------------------- RReLU


class RreluWithNoise(_Op):
    """x * noise: ``noise`` is 1 where x > 0 and the negative slope elsewhere (drawn per
    element in training, (lower + upper) / 2 in eval; F.rrelu makes it). Gradient: grad *
    noise, as PyTorch's (which keeps the noise tensor for backward)."""

    _grad_fn_name = "RreluWithNoiseBackward0"
    ctx_fields = ("noise",)

    @staticmethod
    def forward(ctx: Any, x: Any, noise: np.ndarray) -> Any:
        ctx.noise = noise
        return x * noise

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return grad * dual.constant(ctx.noise, grad), None


# F.rrelu_ and rrelu(inplace=True): the same op, PyTorch's in-place label
RreluWithNoiseInplace = labelled(RreluWithNoise, "RreluWithNoiseBackward1")
