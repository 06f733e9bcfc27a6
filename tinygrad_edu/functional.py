"""Module-level forms of the Tensor methods: ``tg.exp(x)`` is ``x.exp()``, and so on,
plus the functions that take several tensors (``cat``, ``stack``, ``where``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .ops import movement as V
from .tensor import Tensor, _norm_axis, _promote, _wrap, where

_METHODS = (
    "add sub mul div true_divide pow neg exp log log1p sqrt rsqrt reciprocal abs sin cos tanh "
    "sigmoid relu sign square floor ceil round trunc fix frac clamp clip maximum minimum "
    "softmax log_softmax "
    "sum mean max min amax amin argmax argmin prod var std logsumexp norm all any "
    "count_nonzero unique cumsum reshape flatten squeeze unsqueeze transpose permute t "
    "matmul mm dot chunk split unbind isnan isinf isfinite allclose isclose equal eq ne lt "
    "le gt ge logical_not logical_and logical_or clone detach masked_fill flip numel "
    "remainder swapaxes sort argsort topk gather index_select"
).split()


def _as_function(name: str) -> Callable[..., Any]:
    method = getattr(Tensor, name)

    def function(input: Tensor, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' must be Tensor, not "
                            f"{type(input).__name__}")
        return method(input, *args, **kwargs)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = method.__doc__
    return function


for _name in _METHODS:
    globals()[_name] = _as_function(_name)


def _same_dtype(tensors: Sequence[Tensor]) -> list[Tensor]:
    """Promote a list of tensors to one dtype (PyTorch's rules)."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("expected a non-empty list of Tensors")
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element in argument 0, but got "
                            f"{type(t).__name__}")
    first = tensors[0]
    dtype = first.dtype
    for t in tensors[1:]:
        dtype = _promote(_wrap(np.zeros(1, dtype.np)), _wrap(np.zeros(1, t.dtype.np)))[0].dtype
    return [t if t.dtype is dtype else t.to(dtype) for t in tensors]


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dimension ``dim``."""
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


concat = concatenate = cat


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join same-shaped tensors along a new dimension ``dim``."""
    tensors = _same_dtype(tensors)
    ref = tensors[0].shape
    for i, t in enumerate(tensors):
        if t.shape != ref:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(ref)} at entry 0 and {list(t.shape)} at entry {i}")
    return V.Stack.apply(_norm_axis(dim, len(ref) + 1), *tensors)


def hstack(tensors: Sequence[Tensor]) -> Tensor:
    """Concatenate along dim 1 (dim 0 for vectors)."""
    return cat(tensors, 0 if tensors[0].ndim == 1 else 1)


def vstack(tensors: Sequence[Tensor]) -> Tensor:
    """Concatenate along dim 0, vectors as rows."""
    return cat([t.unsqueeze(0) if t.ndim == 1 else t for t in tensors], 0)


def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    """Expand every tensor to their common broadcast shape."""
    shape = np.broadcast_shapes(*(t.shape for t in tensors))
    return tuple(t.expand(shape) for t in tensors)


def outer(a: Tensor, b: Tensor) -> Tensor:
    """The outer product of two vectors."""
    return a.unsqueeze(1) * b.unsqueeze(0)


__all__ = [*_METHODS, "cat", "concat", "concatenate", "stack", "hstack", "vstack", "where",
           "broadcast_tensors", "outer"]
