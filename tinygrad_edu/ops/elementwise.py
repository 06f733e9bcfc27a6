"""Elementwise ops. Forward on numpy arrays; backward on arrays or Tensors (see dual.py).

Gradients are returned in the broadcast shape; the engine sums them back to each input.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from . import dual


class _Op(Function):
    _numpy = True


class Add(_Op):
    _grad_fn_name = "AddBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        return x + y

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return grad, grad  # d(x+y)/dx = d(x+y)/dy = 1


class Sub(_Op):
    """Fused ``x - y`` (one op instead of ``x + (-y)``: sub is too common to pay twice)."""

    _grad_fn_name = "SubBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
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

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        ctx.save_for_backward(x if ctx.needs_input_grad[1] else None, y)
        return x / y

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        # d(x/y)/dx = 1/y, d(x/y)/dy = -x/y^2
        return (grad / y if need_x else None), (-grad * x / (y * y) if need_y else None)


class Neg(_Op):
    _grad_fn_name = "NegBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return -x

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return -grad


class Pow(_Op):
    """``x ** p`` for a number ``p``."""

    _grad_fn_name = "PowBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, p: Any) -> Any:
        ctx.save_for_backward(x)
        ctx.meta = p
        return x**p

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        p = ctx.meta
        if p == 0:
            return grad * 0, None
        if p == 2:  # the common square: grad * 2x, as PyTorch rounds it (x + x is exact)
            return grad * (x + x), None
        return grad * p * x ** (p - 1), None  # d(x^p)/dx = p x^(p-1)


class PowTensor(_Op):
    """``x ** y`` for two tensors."""

    _grad_fn_name = "PowBackward1"

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        out = x**y
        ctx.save_for_backward(x, y, out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, y, out = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        gx = grad * y * x ** (y - 1) if need_x else None
        # d(x^y)/dy = x^y log x, taken as 0 where x == 0 (as PyTorch does)
        gy = dual.where(x == 0, 0.0, grad * out * dual.log(dual.where(x == 0, 1.0, x))) \
            if need_y else None
        return gx, gy


class RPow(_Op):
    """``c ** x`` for a number ``c``."""

    _grad_fn_name = "PowBackward2"

    @staticmethod
    def forward(ctx: Any, x: Any, c: Any) -> Any:
        out = np.power(c, x, dtype=x.dtype)
        ctx.save_for_backward(out)
        ctx.meta = c
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (out,) = ctx.saved_tensors
        return grad * out * float(np.log(ctx.meta)), None  # d(c^x)/dx = c^x log c


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


# each line: forward, and the chain rule with the saved input x (or output y)
Exp = _unary("exp", np.exp, lambda g, y: g * y, save="out")  # d(e^x)/dx = e^x
Log = _unary("log", np.log, lambda g, x: g / x)  # d(log x)/dx = 1/x
Log1p = _unary("log1p", np.log1p, lambda g, x: g / (x + 1), grad_fn="Log1PBackward0")
Sqrt = _unary("sqrt", np.sqrt, lambda g, y: g / (y * 2), save="out")  # 1/(2 sqrt x)
Sin = _unary("sin", np.sin, lambda g, x: g * dual.cos(x))
Cos = _unary("cos", np.cos, lambda g, x: -g * dual.sin(x))
Tanh = _unary("tanh", np.tanh, lambda g, y: g * (1 - y * y), save="out")  # 1 - tanh^2
Sigmoid = _unary("sigmoid", dual._np_sigmoid, lambda g, y: g * y * (1 - y), save="out")
Abs = _unary("abs", np.abs, lambda g, x: g * dual.sign(x))
Reciprocal = _unary("reciprocal", np.reciprocal, lambda g, y: -g * (y * y), save="out")
Rsqrt = _unary("rsqrt", lambda x: 1 / np.sqrt(x), lambda g, y: g * (y * y * y) * -0.5,
               save="out")  # d(x^-1/2)/dx = -x^(-3/2) / 2
Relu = _unary("relu", lambda x: np.maximum(x, 0), lambda g, y: g * (y > 0), save="out")


def _step(name: str, fwd: Any, grad_fn: str, rounds: bool = True) -> type[_Op]:
    """A piecewise-constant op (round down, up, ...): zero gradient, as PyTorch's.

    Its backward sends ``zeros_like(grad)`` (not ``grad * 0``, which is nan where the
    incoming gradient is inf). A rounding op keeps integer inputs as they are (a copy).
    """

    def forward(ctx: Any, x: Any) -> Any:
        return fwd(x) if x.dtype.kind == "f" or not rounds else x.copy()

    def backward(ctx: Any, grad: Any) -> Any:
        return dual.zeros_like(grad)

    attrs = {"forward": staticmethod(forward), "backward": staticmethod(backward),
             "_grad_fn_name": grad_fn, "__doc__": f"Elementwise {name}; its gradient is zero."}
    return type(name[0].upper() + name[1:], (_Op,), attrs)


Sign = _step("sign", np.sign, "SignBackward0", rounds=False)
Floor = _step("floor", np.floor, "FloorBackward0")
Ceil = _step("ceil", np.ceil, "CeilBackward0")
Round = _step("round", np.round, "RoundBackward0")  # half to even, as PyTorch
Trunc = _step("trunc", np.trunc, "TruncBackward0")


class RoundDecimals(_Op):
    """``round(x, decimals)``: zero gradient."""

    _grad_fn_name = "RoundBackward1"

    @staticmethod
    def forward(ctx: Any, x: Any, decimals: int) -> Any:
        return np.round(x, decimals) if x.dtype.kind == "f" else x.copy()

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

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any, mode: str) -> Any:
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

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        return np.floor_divide(x, y)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        raise RuntimeError("derivative for aten::floor_divide is not implemented. Hint: "
                           "x.div(y, rounding_mode='floor') rounds the same way and has a "
                           "(zero) gradient.")


class Clamp(_Op):
    """``min(max(x, lo), hi)``: the gradient passes where ``lo <= x <= hi``."""

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
        inside = True
        if lo is not None:
            inside = x >= lo
        if hi is not None:
            inside = inside & (x <= hi) if lo is not None else x <= hi
        return grad * inside, None, None


class Maximum(_Op):
    _grad_fn_name = "MaximumBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        ctx.save_for_backward(x, y)
        return np.maximum(x, y)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, y = ctx.saved_tensors
        # the larger input takes the gradient; a tie splits it in half (as PyTorch)
        share = (x > y) + (x == y) * 0.5
        return grad * share, grad * (1 - share)


class Minimum(_Op):
    _grad_fn_name = "MinimumBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        ctx.save_for_backward(x, y)
        return np.minimum(x, y)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, y = ctx.saved_tensors
        share = (x < y) + (x == y) * 0.5
        return grad * share, grad * (1 - share)


class Where(_Op):
    """``x`` where ``cond`` else ``y``; ``cond`` is a constant bool array."""

    _grad_fn_name = "WhereBackward0"

    @staticmethod
    def forward(ctx: Any, cond: Any, x: Any, y: Any) -> Any:
        ctx.meta = cond
        return np.where(cond, x, y)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        cond = ctx.meta
        need_x, need_y = ctx.needs_input_grad[1:]
        return (None, grad * cond if need_x else None,
                grad * ~cond if need_y else None)


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
