"""The multi-class margin losses as fused ops, as PyTorch computes them (one node each):
``MultiMarginLoss`` (a hinge between the target class and every other class) and
``MultilabelMarginLoss`` (between each target class and every non-target class).

Both are sums of hinges max(0, z) of a linear z: the gradient of a hinge is 1 (or 2z for
the squared one) where z > 0 and 0 elsewhere, +1 for the class that counts against the
target, -1 for the target. The argument checks are in nn/functional/loss_margin.py.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import dual
from .dual import _Op
from .nn import _scaled


def _total(per_sample: np.ndarray, reduction: str, c: int, dtype: np.dtype,
           out_shape: tuple[int, ...]) -> np.ndarray:
    """Each sample's sum (over its hinges) / C, or their sum (mean) accumulated in float64
    as PyTorch's kernels do (accscalar_t), rounded once to ``dtype``."""
    if reduction == "none" and out_shape:
        return (per_sample / c).astype(dtype).reshape(out_shape)
    total = 0.0
    for value in per_sample.tolist():  # (one by one, in order)
        total += value
    total /= c
    if reduction == "mean":
        total = total / per_sample.size if per_sample.size else math.nan
    return np.asanyarray(total, dtype)


def _input_grad(ctx: Any, grad: Any) -> Any:
    """The incoming gradient (of each sample's loss, as a column) times the saved slopes,
    in x's shape."""
    g = _scaled(grad, ctx.reduction, ctx.n)
    if ctx.reduction == "none" and ctx.out_shape:
        g = dual.reshape(g, (-1, 1))
    return dual.reshape(g * dual.constant(ctx.slope, grad), ctx.x_shape)


class MultiMarginLoss(_Op):
    """For x (N, C) and target classes y (N,): l_n = sum over j != y_n of
    w[y_n] max(0, margin - x[n, y_n] + x[n, j])^p / C, p = 1 or 2 (PyTorch's
    ``multi_margin_loss``)."""

    _grad_fn_name = "MultiMarginLossBackward0"
    ctx_fields = ("reduction", "n", "slope", "out_shape", "x_shape")

    @staticmethod
    def forward(ctx: Any, x: Any, y: np.ndarray, p: int, margin: float, weight: Any,
                reduction: str, out_shape: tuple[int, ...]) -> Any:
        ctx.x_shape, ctx.out_shape = x.shape, out_shape
        x = x.reshape(y.size, -1)
        rows = np.arange(x.shape[0])
        z = margin - x[rows, y][:, None] + x  # (z of the target itself is not counted)
        on = z > 0
        on[rows, y] = False
        scale = np.ones(x.shape[0], x.dtype) if weight is None else weight[y]
        hinge = np.where(on, z if p == 1 else z * z, 0).astype(x.dtype) * scale[:, None]
        # each sample's sum in x's dtype, divided by C there (as PyTorch's inner sum)
        loss = hinge.sum(axis=1) / x.dtype.type(x.shape[1])
        # d(loss_n)/d(x[n, j]) for j != y_n; the target's is minus their sum
        slope = np.where(on, 1 if p == 1 else 2 * z, 0) * (scale / x.shape[1])[:, None]
        slope[rows, y] = -slope.sum(axis=1)
        ctx.reduction, ctx.n, ctx.slope = reduction, loss.size, slope.astype(x.dtype)
        return _total(loss, reduction, 1, x.dtype, out_shape)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return _input_grad(ctx, grad), None, None, None, None, None, None


class MultilabelMarginLoss(_Op):
    """For x (N, C) and target rows y (N, C) of class indices ended by the first -1:
    l_n = sum over the targets t and the non-target classes k of
    max(0, 1 - x[n, t] + x[n, k]) / C (PyTorch's ``multilabel_margin_loss``)."""

    _grad_fn_name = "MultilabelMarginLossBackward0"
    ctx_fields = ("reduction", "n", "slope", "out_shape", "x_shape")

    @staticmethod
    def forward(ctx: Any, x: Any, y: np.ndarray, reduction: str,
                out_shape: tuple[int, ...]) -> Any:
        ctx.x_shape, ctx.out_shape = x.shape, out_shape
        n, c = y.shape
        x = x.reshape(n, c)
        sums = np.zeros(n, np.float64)  # (accumulated in float64, as PyTorch's)
        slope = np.zeros(x.shape, x.dtype)
        for i in range(n):
            targets = _targets(y[i])
            others = np.ones(c, bool)
            others[targets] = False
            for t in targets:  # (a repeated target counts twice, as in PyTorch)
                z = 1 - x[i, t] + x[i, others]
                on = z > 0
                sums[i] += z[on].astype(np.float64).sum()
                slope[i, others] += on / c
                slope[i, t] -= on.sum() / c
        ctx.reduction, ctx.n, ctx.slope = reduction, n, slope
        return _total(sums, reduction, c, x.dtype, out_shape)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return _input_grad(ctx, grad), None, None, None


def _targets(row: np.ndarray) -> np.ndarray:
    """The target classes of one row: its entries before the first -1."""
    end = np.flatnonzero(row < 0)
    return row[:end[0]] if end.size else row
