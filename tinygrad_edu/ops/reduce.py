"""Reductions: sum, mean, max/min, prod, var/std, logsumexp, softmax, log_softmax.

``axis`` is a tuple of non-negative axes or None (all axes). Backward broadcasts the
gradient back over the reduced axes.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from . import dual
from ._torch_sum import divide, torch_mean, torch_sum
from .elementwise import _Op

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def _expand(grad: Any, axis: tuple[int, ...] | None, keepdims: bool) -> Any:
    """Put back the reduced axes (as size 1) so the gradient broadcasts over them."""
    if keepdims or axis is None or grad.ndim == 0 and not axis:
        return grad
    return dual.expand_dims(grad, axis)


def _filled(shape: tuple[int, ...], value: Any) -> np.ndarray:
    """A new array of ``shape`` holding the one number ``value`` everywhere, in its dtype."""
    out = np.empty(shape, value.dtype)
    out.fill(value)
    return out


def _count(shape: tuple[int, ...], axis: tuple[int, ...] | None) -> int:
    if axis is None:
        return math.prod(shape)
    return math.prod([shape[a] for a in axis])


class Sum(_Op):
    _grad_fn_name = "SumBackward1"

    @staticmethod
    def forward(ctx: Any, x: Any, axis: Any = None, keepdims: bool = False,
                dtype: Any = None) -> Any:
        ctx.meta = x.shape, axis, keepdims
        if dtype is None and x.dtype in _FLOATS:  # in PyTorch's order: the same rounding
            return torch_sum(x, axis, keepdims)
        return x.sum(axis=axis, keepdims=keepdims, dtype=dtype)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        shape, axis, keepdims = ctx.meta
        if type(grad) is np.ndarray and grad.ndim == 0:  # the sum of all: one fill
            return _filled(shape, grad), None, None, None
        return dual.broadcast_to(_expand(grad, axis, keepdims), shape), None, None, None


class SumAll(Sum):
    """The sum of all elements (``x.sum()`` records it with ``x`` as its only argument)."""

    _grad_fn_name = "SumBackward0"


class Mean(_Op):
    """Fused mean (one op instead of ``sum / n``)."""

    _grad_fn_name = "MeanBackward1"

    @staticmethod
    def forward(ctx: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
        ctx.meta = x.shape, axis, keepdims
        return torch_mean(x, axis, keepdims)  # in PyTorch's order: the same rounding

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        shape, axis, keepdims = ctx.meta
        n = _count(shape, axis)
        if type(grad) is np.ndarray and grad.ndim == 0:  # a scalar loss: one fill
            return _filled(shape, divide(grad, n)), None, None
        return dual.broadcast_to(_expand(grad, axis, keepdims) / n, shape), None, None


class MeanAll(Mean):
    """The mean of all elements (``x.mean()`` records it with ``x`` as its only argument)."""

    _grad_fn_name = "MeanBackward0"


class Amax(_Op):
    """max (or min) over ``axis`` (all axes when None); ties share the gradient evenly,
    as in PyTorch's ``amax``/``amin`` and full ``max()``/``min()``."""

    _grad_fn_name = "AmaxBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, axis: Any, keepdims: bool, smallest: bool) -> Any:
        out = (np.min if smallest else np.max)(x, axis=axis, keepdims=True)
        hit = x == out
        # each extreme element gets 1/count of the gradient (a constant of the graph)
        ctx.meta = axis, keepdims, hit / hit.sum(axis=axis, keepdims=True, dtype=x.dtype)
        return out if keepdims else out.reshape(np.sum(hit, axis=axis).shape)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        axis, keepdims, share = ctx.meta
        return _expand(grad, axis, keepdims) * dual.constant(share, grad), None, None, None


class Amin(Amax):
    _grad_fn_name = "AminBackward0"


class MaxAll(Amax):
    _grad_fn_name = "MaxBackward1"


class MinAll(Amax):
    _grad_fn_name = "MinBackward1"


class MaxDim(_Op):
    """max (or min) along one axis; the gradient goes to the first extreme element."""

    _grad_fn_name = "MaxBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, axis: int, keepdims: bool, smallest: bool) -> Any:
        if x.ndim == 0:  # a 0-d tensor is its own extreme along dim 0
            ctx.meta = None
            return x.copy()
        idx = np.expand_dims((x.argmin if smallest else x.argmax)(axis=axis), axis)
        ctx.meta = x.shape, axis, keepdims, idx
        out = np.take_along_axis(x, idx, axis)
        return out if keepdims else out.squeeze(axis)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        if ctx.meta is None:
            return grad, None, None, None
        shape, axis, keepdims, idx = ctx.meta
        hit = np.zeros(shape, dtype=bool)
        np.put_along_axis(hit, idx, True, axis)
        return _expand(grad, (axis,), keepdims) * dual.constant(hit, grad), None, None, None


class MinDim(MaxDim):
    _grad_fn_name = "MinBackward0"


class Prod(_Op):
    _grad_fn_name = "ProdBackward1"

    @staticmethod
    def forward(ctx: Any, x: Any, axis: Any, keepdims: bool) -> Any:
        out = np.asarray(x.prod(axis=axis, keepdims=keepdims))
        ctx.save_for_backward(x, out)
        ctx.meta = axis, keepdims
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, out = ctx.saved_tensors
        axis, keepdims = ctx.meta
        data = np.asarray(getattr(x, "_data", x))
        if data.all():  # d(prod)/dx_i = prod / x_i (differentiable again)
            return _expand(grad * out, axis, keepdims) / x, None, None
        # with zeros: the product of the others, computed without dividing (a constant)
        others = dual.constant(_product_of_others(data, axis), grad)
        return _expand(grad, axis, keepdims) * others, None, None


class ProdAll(Prod):
    _grad_fn_name = "ProdBackward0"


def _product_of_others(x: np.ndarray, axis: tuple[int, ...] | None) -> np.ndarray:
    axes = tuple(range(x.ndim)) if axis is None else axis
    moved = np.moveaxis(x, axes, tuple(range(len(axes))))
    flat = moved.reshape((-1,) + moved.shape[len(axes):])
    ones = np.ones_like(flat[:1])
    left = np.cumprod(np.concatenate([ones, flat[:-1]]), axis=0)
    right = np.cumprod(np.concatenate([ones, flat[::-1][:-1]]), axis=0)[::-1]
    others = (left * right).reshape(moved.shape)
    return np.moveaxis(others, tuple(range(len(axes))), axes)


def _per_dof(n: int, correction: float) -> float:
    """1 / (n - correction); inf when no degrees of freedom are left (torch gives inf/nan)."""
    return 1 / (n - correction) if n > correction else float("inf")


class Var(_Op):
    """Variance with Bessel's ``correction`` (1 by default, as ``torch.var``)."""

    _grad_fn_name = "VarBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, axis: Any, correction: float, keepdims: bool) -> Any:
        ctx.save_for_backward(x)
        ctx.meta = axis, correction, keepdims
        n = _count(x.shape, axis)
        if n > correction:
            return x.var(axis=axis, ddof=correction, keepdims=keepdims)
        warnings.warn("var(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the reduction factor (input numel divided by output numel).",
                      UserWarning, stacklevel=4)
        centered = x - x.mean(axis=axis, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):  # 0/0 = nan, s/0 = inf: as torch
            return np.sum(centered * centered, axis=axis, keepdims=keepdims) / x.dtype.type(0)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        axis, correction, keepdims = ctx.meta
        n = _count(x.shape, axis)
        centered = x - dual.sum(x, axis, keepdims=True) / n
        if n <= correction:  # 2 / (n - c) is infinite: torch gives inf, and nan at the mean
            data = np.asarray(getattr(centered, "_data", centered))
            centered = dual.constant(np.where(data == 0, np.nan, np.inf).astype(data.dtype), grad)
            return _expand(grad, axis, keepdims) * centered, None, None, None
        # d(sum((x - mean)^2) / (n - c))/dx = 2 (x - mean) / (n - c)
        return _expand(grad, axis, keepdims) * centered * (2 * _per_dof(n, correction)), None, \
            None, None


class Std(_Op):
    """Standard deviation sqrt(var); one op so that its grad_fn reads StdBackward0."""

    _grad_fn_name = "StdBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, axis: Any, correction: float, keepdims: bool) -> Any:
        out = np.sqrt(Var.forward(ctx, x, axis, correction, keepdims))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, out = ctx.saved_tensors
        axis, correction, keepdims = ctx.meta
        n = _count(x.shape, axis)
        centered = x - dual.sum(x, axis, keepdims=True) / n
        # d(sqrt(v))/dx = dv/dx / (2 sqrt(v)) = (x - mean) / ((n - c) std)
        scale = _expand(grad / out, axis, keepdims) * _per_dof(n, correction)
        return scale * centered, None, None, None


class LogSumExp(_Op):
    """log(sum(exp(x))) computed as m + log(sum(exp(x - m))): finite for large x."""

    _grad_fn_name = "LogsumexpBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, axis: Any, keepdims: bool) -> Any:
        m = x.max(axis=axis, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        out = np.log(np.exp(x - m).sum(axis=axis, keepdims=True)) + m
        ctx.save_for_backward(x)
        ctx.meta = axis, keepdims, out
        return out if keepdims else out.squeeze(axis)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        axis, keepdims, out = ctx.meta
        if type(x) is not np.ndarray:  # recompute on the graph for double backward
            out = x.logsumexp(dim=axis, keepdim=True)
        return _expand(grad, axis, keepdims) * dual.exp(x - out), None, None  # = softmax


class Softmax(_Op):
    """exp(x - max) / sum(exp(x - max)) along ``axis`` (stable for any x)."""

    _grad_fn_name = "SoftmaxBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, axis: int) -> Any:
        e = np.exp(x - x.max(axis=axis, keepdims=True))
        out = e / e.sum(axis=axis, keepdims=True)
        ctx.save_for_backward(out)
        ctx.meta = axis
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (y,) = ctx.saved_tensors
        # Jacobian-vector product: y * (g - sum(g * y))
        return y * (grad - dual.sum(grad * y, ctx.meta, keepdims=True)), None


class LogSoftmax(_Op):
    """x - logsumexp(x) along ``axis``; fused because log(softmax(x)) underflows."""

    _grad_fn_name = "LogSoftmaxBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, axis: int) -> Any:
        shifted = x - x.max(axis=axis, keepdims=True)
        out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
        ctx.save_for_backward(out)
        ctx.meta = axis
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (y,) = ctx.saved_tensors
        return grad - dual.exp(y) * dual.sum(grad, ctx.meta, keepdims=True), None


# ---------------------------------------------------------------------------- scans
def _reverse_cumsum(a: Any, axis: int) -> Any:
    """out[i] = sum of a[j] for j >= i along ``axis``."""
    if dual._is_array(a):
        return np.flip(np.cumsum(np.flip(a, axis), axis=axis), axis)
    return a.flip(axis).cumsum(axis).flip(axis)


def _cumprod(a: Any, axis: int) -> Any:
    return np.cumprod(a, axis=axis) if dual._is_array(a) else a.cumprod(axis)


def _prod(a: Any, axis: int) -> Any:
    return np.prod(a, axis=axis, keepdims=True) if dual._is_array(a) else a.prod(axis, True)


class Cumprod(_Op):
    """Cumulative product along ``axis``; ints give int64, as in PyTorch."""

    _grad_fn_name = "CumprodBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, axis: int) -> Any:
        out = np.cumprod(x, axis=axis, dtype=np.int64 if x.dtype.kind in "biu" else None)
        out = out.reshape(x.shape)  # (numpy flattens a 0-d input)
        ctx.save_for_backward(x, out)
        ctx.meta = axis
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, out = ctx.saved_tensors
        axis = ctx.meta
        if x.ndim == 0:  # a 0-d cumprod is the identity
            return grad, None
        return _cumprod_grad(x, grad, out, axis), None


def _cumprod_grad(x: Any, grad: Any, out: Any, axis: int) -> Any:
    """d(cumprod)/dx applied to ``grad``, without dividing by the zeros of x. With z the
    first zero of a slice: before z, the reversed cumsum of grad * out, over x; x_z gets
    prod(x[:z]) * sum over j >= z of grad_j * prod(x[z+1:j+1]); an element after z gets
    x_z times its gradient in x with x_z set to 1: 0, but written so that its derivative
    by x_z is right (for double backward; skipped on arrays)."""
    data = np.asarray(getattr(x, "_data", x))
    if data.all():  # d out_j / d x_i = out_j / x_i for i <= j
        return _reverse_cumsum(grad * out, axis) / x
    n = data.shape[axis]
    zero = data == 0
    first = np.where(zero.any(axis, keepdims=True), zero.argmax(axis, keepdims=True), n)
    k = np.arange(n).reshape([-1 if d == axis else 1 for d in range(data.ndim)])
    before, at, after = k < first, k == first, k >= first
    c = lambda mask: dual.constant(mask, grad)  # noqa: E731
    safe = dual.where(before, x, dual.constant(np.ones_like(data), x))
    grad_before = _reverse_cumsum(grad * out, axis) / safe * c(before)
    left = _prod(safe, axis)  # prod(x[:z])
    tail = _cumprod(dual.where(k <= first, dual.constant(np.ones_like(data), x), x), axis)
    grad_at = left * dual.sum(grad * tail * c(after), axis, keepdims=True) * c(at)
    if dual._is_array(x):
        return grad_before + grad_at
    ones = dual.constant(np.ones_like(data), x)
    y = dual.where(at, ones, x)  # x_z set to 1
    x_z = _prod(dual.where(at, x, ones), axis)
    grad_after = x_z * _cumprod_grad(y, grad, _cumprod(y, axis), axis) * c(k > first)
    return grad_before + grad_at + grad_after


# ---------------------------------------------------------------------------- interpolation
def lerp(start: Any, end: Any, weight: Any) -> Any:
    """start + weight * (end - start), written as PyTorch's kernel writes it: from the
    nearer end (exact at weight 0 and 1), each side one fused multiply-add, which float32
    gets here by computing it in float64 (the same roundings as torch's)."""
    dtype = np.result_type(start, end)
    diff = end - start
    one = np.ones((), dtype)
    wide = np.float64 if dtype.itemsize < 8 else dtype
    near = (weight.astype(wide) * diff.astype(wide) + start.astype(wide)).astype(dtype)
    far = (end.astype(wide) - diff.astype(wide) * (one - weight).astype(wide)).astype(dtype)
    return np.where(np.abs(weight) < 0.5, near, far)


class Lerp(_Op):
    """``start.lerp(end, weight)`` with a tensor ``weight``. (An elementwise op; it lives
    here because quantile, a reduction, is built on it.)"""

    _grad_fn_name = "LerpBackward1"

    @staticmethod
    def forward(ctx: Any, start: Any, end: Any, weight: Any) -> Any:
        ctx.save_for_backward(start, end, weight)
        return lerp(start, end, weight)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        start, end, weight = ctx.saved_tensors
        return grad * (1 - weight), grad * weight, grad * (end - start)


class LerpScalar(_Op):
    """``start.lerp(end, weight)`` with a number ``weight``."""

    _grad_fn_name = "LerpBackward0"

    @staticmethod
    def forward(ctx: Any, start: Any, end: Any, weight: float) -> Any:
        ctx.meta = weight
        return lerp(start, end, np.asarray(weight, start.dtype))

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        w = ctx.meta
        return grad * (1 - w), grad * w, None
