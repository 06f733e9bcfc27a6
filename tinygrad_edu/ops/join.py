"""Joining tensors: ``tg.cat`` and ``tg.stack`` (the movement family's ``Cat`` and
``Stack`` Functions, with PyTorch's checks and dtype promotion)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..amp.autocast_mode import autocast_op
from ..core.function import _wrap
from ..tensor_base import TensorBase, _norm_axis
from . import movement as V
from .promotion import _operand_as, _promote

if TYPE_CHECKING:
    from ..tensor import Tensor


def _same_dtype(tensors: Sequence[Tensor]) -> list[Tensor]:
    """Promote a list of tensors to one dtype (PyTorch's rules)."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("expected a non-empty list of Tensors")
    for t in tensors:
        if not isinstance(t, TensorBase):
            raise TypeError(f"expected Tensor as element in argument 0, but got "
                            f"{type(t).__name__}")
    first = tensors[0]
    dtype = first.dtype
    for t in tensors[1:]:
        dtype = _promote(_wrap(np.zeros(1, dtype.np)), _wrap(np.zeros(1, t.dtype.np)))[0].dtype
    return [_operand_as(t, dtype) for t in tensors]  # (cast inside the op, as PyTorch)


@autocast_op("cat")
def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dimension ``dim``."""
    for i, t in enumerate(tensors):
        if isinstance(t, TensorBase) and t.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be "
                               "concatenated. Hint: use tg.stack for numbers, or reshape(1).")
    tensors = [t for t in _same_dtype(tensors) if not (t.ndim == 1 and t.numel() == 0)] or \
        list(tensors)[:1]
    axis = _norm_axis(dim, tensors[0].ndim)
    ref = tensors[0].shape
    for i, t in enumerate(tensors):
        if t.ndim != len(ref):
            raise RuntimeError(f"Tensors must have same number of dimensions: got {len(ref)} "
                               f"and {t.ndim}")
        for d in range(len(ref)):
            if d != axis and t.shape[d] != ref[d]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {axis}. Expected size "
                    f"{ref[d]} but got size {t.shape[d]} for tensor number {i} in the list."
                )
    return V.Cat.apply(axis, *tensors)


@autocast_op("stack")
def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join same-shaped tensors along a new dimension ``dim``."""
    tensors = _same_dtype(tensors)
    ref = tensors[0].shape
    for i, t in enumerate(tensors):
        if t.shape != ref:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(ref)} at entry 0 and {list(t.shape)} at entry {i}")
    return V.Stack.apply(_norm_axis(dim, len(ref) + 1), *tensors)
