"""What the viz tools share: number and shape text, and the names of parameters."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..dtypes import FLOATING
from ..tensor import Tensor


def _fmt(v: float) -> str:
    return f"{v:.4g}"


def _nonfinite(a: np.ndarray) -> str:
    """``"2 NaN, 1 Inf"`` when ``a`` has non-finite values, else ``""``."""
    if a.dtype not in FLOATING:
        return ""
    nan, inf = int(np.isnan(a).sum()), int(np.isinf(a).sum())
    parts = [f"{nan} NaN"] * bool(nan) + [f"{inf} Inf"] * bool(inf)
    return ", ".join(parts)


def _shape(shape: tuple[int, ...], dtype: Any) -> str:
    dims = "scalar" if len(shape) == 0 else "(" + ", ".join(str(n) for n in shape) + \
        ("," if len(shape) == 1 else "") + ")"
    return f"{dims} {dtype}"


def _named(params: Any) -> list[tuple[str, Tensor]]:
    """``(name, tensor)`` pairs from a Module, a dict, or an iterable of pairs/tensors."""
    if params is None:
        return []
    if hasattr(params, "named_parameters"):
        return list(params.named_parameters())
    if isinstance(params, dict):
        return list(params.items())
    items = list(params)
    if items and isinstance(items[0], Tensor):
        return [(f"param{k}", t) for k, t in enumerate(items)]
    return items
