"""Fused normalization primitives: ``BatchNorm``, ``LayerNorm`` and ``GroupNorm``.

Each is one ``Function`` (one graph node) with a closed-form backward instead of the
dozen elementwise nodes of its composition: mean, variance, rsqrt, scale and shift. The
three share their math and differ only in the axes the statistics are taken over.

Forward works on numpy arrays. Backward works on arrays in an ordinary ``backward()``, and
on Tensors under ``create_graph=True``: it then recomputes the normalized input from x on
the graph (``_standardize``), so second derivatives come from the same formulas.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..dtypes import REDUCED
from ..parity.norm16 import batch_norm_16bit
from . import dual
from .dual import _Op

_nd = np.ndarray


# ------------------------------------------------------------------------- normalization
# y = xhat * w + b with xhat = (x - mean) * rstd, rstd = 1 / sqrt(var + eps): BatchNorm
# takes mean and var over every dim but the channels (dim 1), LayerNorm over the last dims,
# GroupNorm over each sample's group of channels (and all their positions).


def _mean(x: Any, axes: tuple[int, ...]) -> Any:
    """Mean over ``axes``, kept as size-1 dims (array or Tensor)."""
    if isinstance(x, _nd):
        return x.mean(axis=axes, keepdims=True)
    return x.mean(dim=axes, keepdim=True)


def moments(x: np.ndarray, axes: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Mean and biased variance over ``axes`` (kept as size-1 dims), in two passes as
    PyTorch: the mean of squared deviations, not E[x^2] - E[x]^2 (which cancels)."""
    mean = _mean(x, axes)
    d = x - mean
    d *= d
    return mean, _mean(d, axes)


def _standardize(x: Any, axes: tuple[int, ...], eps: float, fixed: Any = None) -> Any:
    """``(xhat, rstd)`` recomputed from a Tensor x on the graph (for double backward):
    from its own statistics over ``axes``, or from ``fixed = (mean, rstd)`` constants."""
    if fixed is not None:
        mean, rstd = (dual.constant(a, x) for a in fixed)
        return (x - mean) * rstd, rstd
    d = x - _mean(x, axes)
    rstd = 1.0 / dual.sqrt(_mean(d * d, axes) + eps)
    return d * rstd, rstd


def _grad_input(gxhat: Any, xhat: Any, rstd: Any, axes: tuple[int, ...], batch: bool) -> Any:
    """dL/dx from dL/dxhat. With batch statistics the mean and var depend on x too:
    dx = rstd * (g - mean(g) - xhat * mean(g * xhat)), means over ``axes``."""
    if not batch:
        return gxhat * rstd
    return (gxhat - _mean(gxhat, axes) - xhat * _mean(gxhat * xhat, axes)) * rstd


def _affine(xhat: np.ndarray, weight: Any, bias: Any, shape: tuple[int, ...]) -> np.ndarray:
    """xhat * w + b, with w and b reshaped to ``shape`` (in place on xhat's copy)."""
    out = xhat * weight.reshape(shape) if weight is not None else xhat.copy()
    if bias is not None:
        out += bias.reshape(shape)
    return out


class BatchNorm(_Op):
    """Batch norm of x (N, C, *) per channel: y = (x - mean) * rstd * w + b, w, b (C,).

    ``mean`` and ``var`` (1, C, 1, ...) are the batch's (``training``: they depend on x)
    or fixed running statistics. Fused: one node, and a closed-form backward (see
    ``_grad_input``) instead of a dozen elementwise nodes.
    """

    _grad_fn_name = "NativeBatchNormBackward0"
    ctx_fields = ("eps", "training", "mean", "rstd", "xhat")
    _torch_inputs = (0, 1, 2)  # (an absent weight or bias shows as None, as in PyTorch)

    @staticmethod
    def forward(
        ctx: Any, x: Any, weight: Any, bias: Any, mean: Any, var: Any, eps: float, training: bool
    ) -> Any:
        ctx.save_for_backward(x, weight)
        ctx.eps, ctx.training, ctx.mean = eps, training, mean
        if isinstance(x, _nd) and x.dtype in REDUCED:  # (PyTorch's roundings: parity/)
            y, ctx.mean, ctx.rstd = batch_norm_16bit(x, weight, bias, mean, var, eps, training)
            ctx.xhat = (x.astype(np.float32) - ctx.mean) * ctx.rstd
            return y
        return BatchNorm._normalize(x, weight, bias, var, ctx)

    @staticmethod
    def _normalize(x: Any, weight: Any, bias: Any, var: Any, ctx: Any) -> Any:
        mean = ctx.mean
        rstd = 1.0 / np.sqrt(var + ctx.eps)
        xhat = (x - mean) * rstd
        ctx.rstd, ctx.xhat = rstd, xhat
        return _affine(xhat, weight, bias, mean.shape)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, weight = ctx.saved_tensors
        eps, training, mean, rstd, xhat = ctx.eps, ctx.training, ctx.mean, ctx.rstd, ctx.xhat
        axes = (0,) + tuple(range(2, mean.ndim))
        if not isinstance(grad, _nd):  # recompute on the graph, for double backward
            xhat, rstd = _standardize(x, axes, eps, None if training else (mean, rstd))
        need = ctx.needs_input_grad
        gxhat = grad if weight is None else grad * dual.reshape(weight, mean.shape)
        gx = _grad_input(gxhat, xhat, rstd, axes, training) if need[0] else None
        gw = dual.sum(grad * xhat, axes) if need[1] else None  # sum over all but channels
        gb = dual.sum(grad, axes) if need[2] else None
        return gx, gw, gb, None, None, None, None


class LayerNorm(_Op):
    """Layer norm over the last ``n_dims`` dims of x: y = (x - mean) * rstd * w + b, with
    w, b of those dims' shape (``normalized_shape``). Fused as ``BatchNorm``."""

    _grad_fn_name = "NativeLayerNormBackward0"
    ctx_fields = ("axes", "eps", "rstd", "xhat")
    _torch_inputs = (0, 1, 2)  # (an absent weight or bias shows as None, as in PyTorch)

    @staticmethod
    def forward(ctx: Any, x: Any, weight: Any, bias: Any, n_dims: int, eps: float) -> Any:
        ctx.save_for_backward(x, weight)
        ctx.axes, ctx.eps = tuple(range(x.ndim - n_dims, x.ndim)), eps
        return dual.in_float32(LayerNorm._normalize, x, weight, bias, ctx)

    @staticmethod
    def _normalize(x: Any, weight: Any, bias: Any, ctx: Any) -> Any:
        mean, var = moments(x, ctx.axes)
        rstd = 1.0 / np.sqrt(var + ctx.eps)
        xhat = (x - mean) * rstd
        ctx.rstd, ctx.xhat = rstd, xhat
        return _affine(xhat, weight, bias, x.shape[x.ndim - len(ctx.axes):])

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, weight = ctx.saved_tensors
        axes, eps, rstd, xhat = ctx.axes, ctx.eps, ctx.rstd, ctx.xhat
        if not isinstance(grad, _nd):  # recompute on the graph, for double backward
            xhat, rstd = _standardize(x, axes, eps)
        need = ctx.needs_input_grad
        gxhat = grad if weight is None else grad * weight
        gx = _grad_input(gxhat, xhat, rstd, axes, True) if need[0] else None
        # w and b broadcast along the leading dims: the engine sums these back to their shape
        gw = grad * xhat if need[1] else None
        gb = grad if need[2] else None
        return gx, gw, gb, None, None


class GroupNorm(_Op):
    """Group norm of x (N, C, *): the C channels split into ``groups`` groups of C / G, and
    each sample's group normalized over its channels and positions: y = (x - mean) * rstd
    * w + b, with w, b (C,) per channel. Fused as ``BatchNorm``; the statistics (N, G, 1)
    are those of x seen as (N, G, C / G * positions)."""

    _grad_fn_name = "NativeGroupNormBackward0"
    ctx_fields = ("groups", "eps", "rstd", "xhat")
    _torch_inputs = (0, 1, 2)  # (an absent weight or bias shows as None, as in PyTorch)

    @staticmethod
    def forward(ctx: Any, x: Any, weight: Any, bias: Any, groups: int, eps: float) -> Any:
        ctx.save_for_backward(x, weight)
        ctx.groups, ctx.eps = groups, eps
        return dual.in_float32(GroupNorm._normalize, x, weight, bias, ctx)

    @staticmethod
    def _normalize(x: Any, weight: Any, bias: Any, ctx: Any) -> Any:
        groups, eps = ctx.groups, ctx.eps
        xg = x.reshape(_grouped(x.shape, groups))
        if xg.shape[2]:
            mean, var = moments(xg, (2,))
        else:  # no positions: nothing to average (and nothing to normalize)
            stat = xg.shape[:2] + (1,)
            mean, var = np.zeros(stat, x.dtype), np.ones(stat, x.dtype)
        rstd = 1.0 / np.sqrt(var + eps)
        xhat = ((xg - mean) * rstd).reshape(x.shape)
        ctx.rstd, ctx.xhat = rstd, xhat
        return _affine(xhat, weight, bias, _channel_shape(x.ndim, x.shape[1]))

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, weight = ctx.saved_tensors
        grouped, shape = _grouped(x.shape, ctx.groups), _channel_shape(x.ndim, x.shape[1])
        xhat, rstd = ctx.xhat, ctx.rstd
        if not isinstance(grad, _nd):  # recompute on the graph, for double backward
            xhat_g, rstd = _standardize(dual.reshape(x, grouped), (2,), ctx.eps)
            xhat = dual.reshape(xhat_g, x.shape)
        need = ctx.needs_input_grad
        gxhat = grad if weight is None else grad * dual.reshape(weight, shape)
        gx = None
        if need[0] and not grouped[2]:  # no positions: an empty gradient (no empty means)
            gx = dual.zeros_like(x)
        elif need[0]:  # the batch formula, within each (sample, group)
            xhat_g = dual.reshape(xhat, grouped)
            gx = _grad_input(dual.reshape(gxhat, grouped), xhat_g, rstd, (2,), True)
            gx = dual.reshape(gx, x.shape)
        axes = (0,) + tuple(range(2, x.ndim))  # w and b: summed over all but the channels
        gw = dual.sum(grad * xhat, axes) if need[1] else None
        gb = dual.sum(grad, axes) if need[2] else None
        return gx, gw, gb, None, None


def _grouped(shape: tuple[int, ...], groups: int) -> tuple[int, int, int]:
    """(N, G, C / G * positions): each row of the last dim one sample's group (sizes
    spelled out: an empty x has no -1 to infer)."""
    return (shape[0], groups, shape[1] // groups * math.prod(shape[2:]))


def _channel_shape(ndim: int, channels: int) -> tuple[int, ...]:
    """(1, C, 1, ...): a per-channel vector lined up with an x of ``ndim`` dims."""
    return (1, channels) + (1,) * (ndim - 2)
