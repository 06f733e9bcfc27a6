"""Batch norm of float16 and bfloat16 input, rounded where PyTorch's CPU kernel rounds.

PyTorch computes a 16-bit batch norm in float32 but keeps the batch's statistics, the
mean and ``1 / sqrt(var + eps)``, in the input's dtype (they are what it saves for
backward), and then writes ``y = x * alpha + beta`` with ``alpha = rstd * w`` and
``beta = b - mean * alpha`` in float32, fused (one rounding: ``parity/fma.py``). On a
channel whose values are nearly equal the rounded mean moves every output a lot: float16
``instance_norm`` of such a channel was 7 units in the last place off before this; it now
gives PyTorch's bits (bfloat16 still differs by up to two units: its statistics are
summed in another order). Running statistics (evaluation) are used as they are. The
readable formula is ``ops/normalization.py: BatchNorm._normalize``; this gives the same
numbers up to those roundings.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .fma import fma32

__all__ = ["batch_norm_16bit"]


def batch_norm_16bit(x: np.ndarray, weight: Any, bias: Any, mean: np.ndarray,
                     var: np.ndarray, eps: float, training: bool) -> tuple[np.ndarray, ...]:
    """``(y, mean, rstd)`` for a float16/bfloat16 ``x`` of shape (N, C, *): ``y`` in
    ``x``'s dtype, the statistics as float32 holding what PyTorch keeps."""
    low = x.dtype
    mean = np.asarray(mean, np.float32)
    rstd = (1.0 / np.sqrt(np.asarray(var, np.float32) + np.float32(eps))).astype(np.float32)
    if training:  # (the batch's statistics are kept in the input's dtype)
        mean, rstd = (a.astype(low).astype(np.float32) for a in (mean, rstd))
    alpha = rstd if weight is None else rstd * weight.astype(np.float32).reshape(mean.shape)
    beta = -mean * alpha
    if bias is not None:
        beta = bias.astype(np.float32).reshape(mean.shape) + beta
    wide = x.astype(np.float32)
    y = fma32(wide, np.broadcast_to(alpha, x.shape), np.broadcast_to(beta, x.shape))
    return y.astype(low), mean, rstd
