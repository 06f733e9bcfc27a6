"""Elementwise ops. Forward on numpy arrays; backward on arrays or Tensors (see dual.py).

Gradients are returned in the broadcast shape; the engine sums them back to each input.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.function import Function
from ..parity.names import scalar_type_name
from . import dual


class _Op(Function):
    _numpy = True


def not_implemented(kernel: str, dtype: Any) -> NotImplementedError:
    """PyTorch's error for a CPU kernel that has no version for ``dtype``."""
    return NotImplementedError(f"\"{kernel}\" not implemented for '{scalar_type_name(dtype)}'")


_NEG_BOOL = ("Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
             "to invert a mask, use the `~` or `logical_not()` operator instead.")


def _int_power(base: Any, exp: Any) -> np.ndarray:
    """Integer ``base ** exp`` as PyTorch's ``powi``: a negative exponent gives 0, except
    for a base of 1 (1) and -1 (+-1 by parity); numpy raises there instead."""
    base, exp = np.asarray(base), np.asarray(exp)
    out = np.power(base, np.abs(exp))
    negative = exp < 0
    if negative.any():
        one = base == 1
        minus_one = base == -1
        odd = (np.abs(exp) % 2) == 1
        flipped = np.where(minus_one, np.where(odd, -1, 1), np.where(one, 1, 0))
        out = np.where(negative, flipped.astype(out.dtype), out)
    return out


def _arr(x: Any) -> np.ndarray:
    """The numpy array behind ``x`` (masks of a backward are constants built from it)."""
    return np.asarray(getattr(x, "_data", x))


def _masked_zero(mask: np.ndarray, value: Any) -> Any:
    """``value`` with exact zeros where ``mask`` (PyTorch's ``masked_fill_(mask, 0)``):
    unlike ``value * ~mask``, an infinite or NaN value under the mask becomes 0, not NaN."""
    return dual.where(mask, 0.0, value)


class Add(_Op):
    _grad_fn_name = "AddBackward0"
    _torch_inputs = (0, 1)  # (PyTorch makes a number operand a tensor)

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        return x + y

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return grad, grad  # d(x+y)/dx = d(x+y)/dy = 1


class AddScaled(_Op):
    """``x.add(y, alpha=a)``: ``x + a * y`` as one node, as PyTorch records it."""

    _grad_fn_name = "AddBackward0"
    _torch_inputs = (0, 1)

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any, alpha: Any) -> Any:
        ctx.meta = alpha
        return x + y * alpha

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        need_x, need_y = ctx.needs_input_grad[:2]
        return (grad if need_x else None), (grad * ctx.meta if need_y else None), None


class SubScaled(AddScaled):
    """``x.sub(y, alpha=a)``: ``x - a * y`` as one node."""

    _grad_fn_name = "SubBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any, alpha: Any) -> Any:
        ctx.meta = -alpha
        return x - y * alpha


class Sub(_Op):
    """Fused ``x - y`` (one op instead of ``x + (-y)``: sub is too common to pay twice)."""

    _grad_fn_name = "SubBackward0"
    _torch_inputs = (0, 1)  # (PyTorch makes a number operand a tensor)

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        if x.dtype == np.bool_ and np.asarray(y).dtype == np.bool_:
            raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                               "supported. Use the `^` or `logical_xor()` operator instead.")
        return x - y

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return grad, (-grad if ctx.needs_input_grad[1] else None)


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
class AddScalar(Add):
    _grad_fn_name = "AddBackward1"
    _torch_inputs = (0,)  # type: ignore[assignment]  # (one input listed, not two)


class MulScalar(Mul):
    _grad_fn_name = "MulBackward1"
    _torch_inputs = (0,)  # type: ignore[assignment]  # (one input listed, not two)


class DivScalar(Div):
    _grad_fn_name = "DivBackward1"
    _torch_inputs = (0,)  # type: ignore[assignment]  # (one input listed, not two)


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

    @staticmethod
    def forward(ctx: Any, x: Any, p: Any) -> Any:
        if x.dtype.kind in "biu" and p < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        ctx.save_for_backward(x)
        ctx.meta = p
        return _power(x, p)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        p = ctx.meta
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
        out = np.asarray(np.power(x, y))
        if np.size(y) == 1 and y == 0.5 and out.dtype.kind == "f":
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
    _check_order = (1, 0)  # (PyTorch checks the exponent, x, before the result)

    @staticmethod
    def forward(ctx: Any, x: Any, c: Any) -> Any:
        out = _int_power(c, x) if x.dtype.kind in "iu" else np.power(c, x, dtype=x.dtype)
        out = np.asarray(out, x.dtype)
        ctx.save_for_backward(out, x)  # (x too, as PyTorch: its version is checked)
        ctx.meta = c, (np.asarray(x >= 0) if c == 0 else None)  # 0^x: where x >= 0
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        out, _ = ctx.saved_tensors
        c, x_nonneg = ctx.meta
        with np.errstate(divide="ignore", invalid="ignore"):  # log 0 = -inf, log(-1) = nan
            log_c = float(np.log(np.float64(c)))
            if x_nonneg is not None:  # 0^x: d/dx taken as 0 for x >= 0 (as PyTorch)
                return grad * _masked_zero(x_nonneg, out * log_c), None
            return grad * (out * log_c), None  # d(c^x)/dx = c^x log c


def _unary(name: str, fwd: Any, bwd: Any, save: str = "x",
           grad_fn: str | None = None) -> type[_Op]:
    """Make a one-input op from its forward and its derivative rule.

    ``bwd(grad, saved)`` gets the input (``save="x"``) or the output (``save="out"``);
    ``grad_fn`` is PyTorch's node name when it is not ``<Name>Backward0``.
    """

    def forward(ctx: Any, x: Any) -> Any:
        out = fwd(x)
        ctx.save_for_backward(x if save == "x" else out)
        return out

    def backward(ctx: Any, grad: Any) -> Any:
        (saved,) = ctx.saved_tensors
        return bwd(grad, saved)

    cls_name = name[0].upper() + name[1:]
    attrs = {"forward": staticmethod(forward), "backward": staticmethod(backward),
             "_grad_fn_name": grad_fn or f"{cls_name}Backward0",
             "__doc__": f"Elementwise {name}; its gradient rule is written beside it."}
    return type(cls_name, (_Op,), attrs)


def _sgn(x: Any) -> Any:
    """-1, 0 or 1, and 0 for NaN (PyTorch's ``sgn``; numpy's ``sign`` gives NaN there)."""
    if not dual._is_array(x):
        return x.sign()
    if x.dtype == np.bool_:  # the sign of True is True (numpy has no sign for bools)
        return x.copy()
    out = np.asarray(np.sign(x))  # (0-d: a scalar otherwise)
    if out.dtype.kind == "f":
        out[np.isnan(out)] = 0  # (a fresh array: np.sign allocated it)
    return out


def keep_where(g: Any, keep: np.ndarray) -> Any:
    """``g`` where ``keep``, exact 0 elsewhere (PyTorch's ``where(keep, g, 0)``).

    A product with the mask, not ``np.where``, which branches on each element and is
    ~7-20x slower on a random mask; a product gives NaN where an infinite or NaN ``g`` meets
    a 0, so those places (rare) are zeroed after.
    """
    if not dual._is_array(g):  # (a backward being recorded: a Tensor)
        return dual.where(keep, g, 0.0)
    out = np.asarray(g * keep)  # (0-d: a scalar otherwise)
    # (an inf or NaN anywhere makes the sum non-finite: one pass, nothing allocated; a sum
    # that overflows on finite values only costs the zeroing, which changes nothing then)
    if out.dtype.kind in "fc" and not np.isfinite(out.sum()):
        out[np.broadcast_to(np.logical_not(keep), out.shape)] = 0
    return out


def _relu_grad(g: Any, y: Any) -> Any:
    """``g`` where y > 0, else 0, as PyTorch's ``threshold_backward``: a NaN output passes
    its gradient (``not y <= 0``)."""
    if dual._is_array(y):
        mask = np.asarray(np.less_equal(y, 0))  # (0-d: a scalar otherwise)
        return keep_where(g, np.logical_not(mask, out=mask))
    return ReluGrad.apply(g, y)  # (a backward being recorded: create_graph=True)


class ReluGrad(_Op):
    """relu's gradient as an op of ``(g, y)``, for a backward recorded with
    ``create_graph=True``: ``g`` where y > 0, else 0 (PyTorch's ``threshold_backward``).
    As there, the result depends on the output ``y`` too (with a zero derivative), so it
    requires grad whenever ``y`` does."""

    _grad_fn_name = "ThresholdBackwardBackward0"

    @staticmethod
    def forward(ctx: Any, g: Any, y: Any) -> Any:
        ctx.meta = mask = np.asarray(np.less_equal(y, 0))
        return np.where(mask, np.zeros((), g.dtype), g)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        mask = ctx.meta
        return _masked_zero(mask, grad), dual.zeros_like(grad)


# each line: forward, and the chain rule with the saved input x (or output y); the order
# of the products is PyTorch's, so that the gradients round the same
Exp = _unary("exp", np.exp, lambda g, y: g * y, save="out")  # d(e^x)/dx = e^x
Log = _unary("log", np.log, lambda g, x: g / x)  # d(log x)/dx = 1/x
Log1p = _unary("log1p", np.log1p, lambda g, x: g / (x + 1), grad_fn="Log1PBackward0")
Sqrt = _unary("sqrt", np.sqrt, lambda g, y: g / (y * 2), save="out")  # 1/(2 sqrt x)
Sin = _unary("sin", np.sin, lambda g, x: g * dual.cos(x))
Cos = _unary("cos", np.cos, lambda g, x: -g * dual.sin(x))
Tanh = _unary("tanh", np.tanh, lambda g, y: g * (1 - y * y), save="out")  # 1 - tanh^2
Sigmoid = _unary("sigmoid", dual._np_sigmoid, lambda g, y: g * (1 - y) * y, save="out")
def _abs(x: np.ndarray) -> np.ndarray:
    if x.dtype == np.bool_:
        raise not_implemented("abs_cpu", x.dtype)
    return np.abs(x)


def _relu(x: np.ndarray) -> np.ndarray:
    if x.dtype == np.bool_:
        raise RuntimeError("Boolean inputs not supported for relu")
    return np.maximum(x, 0)


Abs = _unary("abs", _abs, lambda g, x: g * _sgn(x))  # sgn: 0 at 0 (a subgradient)
Reciprocal = _unary("reciprocal", np.reciprocal, lambda g, y: -g * (y * y), save="out")
Rsqrt = _unary("rsqrt", lambda x: 1 / np.sqrt(x), lambda g, y: -0.5 * g * (y * y * y),
               save="out")  # d(x^-1/2)/dx = -x^(-3/2) / 2
Relu = _unary("relu", _relu, _relu_grad, save="out")


def _step(name: str, fwd: Any, grad_fn: str, rounds: bool = True) -> type[_Op]:
    """A piecewise-constant op (round down, up, ...): zero gradient, as PyTorch's.

    Its backward sends ``zeros_like(grad)`` (not ``grad * 0``, which is nan where the
    incoming gradient is inf). A rounding op keeps integer inputs as they are (a copy).
    """

    def forward(ctx: Any, x: Any) -> Any:
        if rounds and x.dtype == np.bool_:
            raise not_implemented(f"{name}_vml_cpu", x.dtype)
        return fwd(x) if x.dtype.kind == "f" or not rounds else x.copy()

    def backward(ctx: Any, grad: Any) -> Any:
        return dual.zeros_like(grad)

    attrs = {"forward": staticmethod(forward), "backward": staticmethod(backward),
             "_grad_fn_name": grad_fn, "__doc__": f"Elementwise {name}; its gradient is zero."}
    return type(name[0].upper() + name[1:], (_Op,), attrs)


Sign = _step("sign", _sgn, "SignBackward0", rounds=False)  # NaN gives 0, as PyTorch
Floor = _step("floor", np.floor, "FloorBackward0")
Ceil = _step("ceil", np.ceil, "CeilBackward0")
Round = _step("round", np.round, "RoundBackward0")  # half to even, as PyTorch
Trunc = _step("trunc", np.trunc, "TruncBackward0")


class RoundDecimals(_Op):
    """``round(x, decimals)``: zero gradient."""

    _grad_fn_name = "RoundBackward1"

    @staticmethod
    def forward(ctx: Any, x: Any, decimals: int) -> Any:
        if x.dtype.kind != "f":
            raise not_implemented("round_cpu", x.dtype)
        return np.round(x, decimals)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return dual.zeros_like(grad), None


class Frac(_Op):
    """``x - trunc(x)``: the gradient passes unchanged."""

    _grad_fn_name = "FracBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return x - np.trunc(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return grad


class DivRounding(_Op):
    """``x.div(y, rounding_mode="floor" | "trunc")``: zero gradient for both inputs."""

    _grad_fn_name = "DivBackward2"
    _torch_inputs = (0, 1)  # (PyTorch makes a number operand a tensor)

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any, mode: str) -> Any:
        if x.dtype == np.bool_:
            raise not_implemented(f"div_{mode}_cpu", x.dtype)
        ctx.meta = mode
        if mode == "floor":
            return np.floor_divide(x, y)
        out = np.trunc(np.true_divide(x, y))
        return out if out.dtype == x.dtype else out.astype(x.dtype)  # (ints stay ints)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        zero = dual.zeros_like(grad)
        return zero, zero, None


class FloorDivide(_Op):
    """``x // y``: recorded, but its derivative is not implemented, as in PyTorch.

    Backward through it raises PyTorch's error (use ``x.div(y, rounding_mode="floor")``,
    whose gradient is zero).
    """

    _grad_fn_name = "NotImplemented"
    _torch_name = "torch::autograd::NotImplemented"

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        return np.floor_divide(x, y)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        raise RuntimeError("derivative for aten::floor_divide is not implemented. Hint: "
                           "x.div(y, rounding_mode='floor') rounds the same way and has a "
                           "(zero) gradient.")


class Clamp(_Op):
    """``min(max(x, lo), hi)`` for numbers ``lo``, ``hi``: the gradient passes where
    ``lo <= x <= hi`` (at the bounds too: PyTorch's subgradient), else it is 0."""

    _grad_fn_name = "ClampBackward1"

    @staticmethod
    def forward(ctx: Any, x: Any, lo: Any, hi: Any) -> Any:
        ctx.save_for_backward(x)
        ctx.meta = lo, hi
        return np.clip(x, lo, hi)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        lo, hi = ctx.meta
        data = _arr(x)
        inside = np.ones(data.shape, bool) if lo is None else data >= lo
        if hi is not None:
            inside &= data <= hi
        return dual.where(inside, grad, 0.0), None, None


class ClampTensor(_Op):
    """``x.clamp(lo, hi)`` with tensor bounds (either may be None), all three broadcast:
    ``min(max(x, lo), hi)``. As PyTorch's ``clamp_backward_min_max``: x's gradient passes
    where ``lo <= x <= hi``; ``lo`` takes it where x < lo < hi, ``hi`` where x > hi or
    hi < lo (``hi`` wins when the bounds cross)."""

    _grad_fn_name = "ClampBackward0"
    _check_order = (2, 1, 0)  # (PyTorch checks max, min, self)
    _torch_inputs = (0, 1, 2)  # (an absent bound shows as None)

    @staticmethod
    def forward(ctx: Any, x: Any, lo: Any, hi: Any) -> Any:
        if x.dtype == np.bool_ and lo is not None and hi is not None:  # (one bound: fine)
            raise not_implemented("clamp_cpu", x.dtype)
        ctx.save_for_backward(x, lo, hi)
        out = x if lo is None else np.maximum(x, lo)
        out = out if hi is None else np.minimum(out, hi)
        return np.array(np.broadcast_to(out, np.broadcast_shapes(*(
            np.shape(a) for a in (x, lo, hi) if a is not None))))

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, lo, hi = (None if a is None else _arr(a) for a in ctx.saved_tensors)  # masks only
        need_x, need_lo, need_hi = ctx.needs_input_grad
        gx = glo = ghi = None
        if lo is not None and hi is not None:
            if need_x:
                gx = dual.where((x >= lo) & (x <= hi), grad, 0.0)
            if need_lo:
                glo = dual.where((x < lo) & (lo < hi), grad, 0.0)
            if need_hi:
                ghi = dual.where((x > hi) | (hi < lo), grad, 0.0)
        elif lo is not None:
            gx = dual.where(x >= lo, grad, 0.0) if need_x else None
            glo = dual.where(x < lo, grad, 0.0) if need_lo else None
        elif hi is not None:
            gx = dual.where(x <= hi, grad, 0.0) if need_x else None
            ghi = dual.where(x > hi, grad, 0.0) if need_hi else None
        return gx, glo, ghi


def _share(grad: Any, mine: np.ndarray, theirs: np.ndarray, largest: bool) -> Any:
    """PyTorch's gradient for one input of maximum (minimum): ``where(x == y, grad / 2,
    grad).masked_fill_(x < y, 0)`` (``x > y``). A tie splits the gradient; where either
    is NaN (neither wins) both inputs get it whole."""
    loses = mine < theirs if largest else mine > theirs
    return _masked_zero(loses, dual.where(mine == theirs, grad / 2, grad))


class Maximum(_Op):
    _grad_fn_name = "MaximumBackward0"
    _check_order = (1, 0)  # (PyTorch checks ``other`` before ``self``)

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        ctx.save_for_backward(x, y)
        return np.maximum(x, y)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, y = (_arr(a) for a in ctx.saved_tensors)  # only masks are built from them
        # the larger input takes the gradient; a tie splits it in half (as PyTorch)
        return _share(grad, x, y, True), _share(grad, y, x, True)


class Minimum(_Op):
    _grad_fn_name = "MinimumBackward0"
    _check_order = (1, 0)  # (PyTorch checks ``other`` before ``self``)

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        ctx.save_for_backward(x, y)
        return np.minimum(x, y)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, y = (_arr(a) for a in ctx.saved_tensors)
        return _share(grad, x, y, False), _share(grad, y, x, False)


class Where(_Op):
    """``x`` where ``cond`` else ``y``; ``cond`` is a constant bool array."""

    _grad_fn_name = "WhereBackward0"
    _torch_inputs = (1, 2)

    @staticmethod
    def forward(ctx: Any, cond: Any, x: Any, y: Any) -> Any:
        ctx.meta = cond
        return np.where(cond, x, y)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        cond = ctx.meta
        need_x, need_y = ctx.needs_input_grad[1:]
        # where(cond, grad, 0), as PyTorch: the branch not taken gets exactly 0, even where
        # the gradient is inf or NaN (grad * cond would give NaN there)
        return (None, dual.where(cond, grad, 0.0) if need_x else None,
                dual.where(cond, 0.0, grad) if need_y else None)


class Cast(_Op):
    """Change the dtype; the engine casts the gradient back to the input's dtype."""

    _grad_fn_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, dtype: np.dtype) -> Any:
        return x.astype(dtype)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return grad, None


class Clone(_Op):
    _grad_fn_name = "CloneBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return x.copy()

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return grad


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


class RemainderTensor(Remainder):
    """``x % y`` of two tensors: PyTorch's ``remainder.Tensor``, whose node is numbered 1."""

    _grad_fn_name = "RemainderBackward1"


class RemainderOfNumber(Remainder):
    """``number % x``: recorded, but its derivative is not implemented, as in PyTorch."""

    _grad_fn_name = "NotImplemented"
    _torch_name = "torch::autograd::NotImplemented"

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        raise RuntimeError("derivative for aten::remainder is not implemented. Hint: "
                           "number % x has a gradient of -floor(number / x) for x; write it "
                           "out as number - x * (number / x).floor().")
