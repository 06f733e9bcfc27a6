"""Array functions that accept a numpy array *or* a Tensor.

Backward formulas of the built-in ops are written with operators and these helpers, so
the same code runs on numpy arrays in an ordinary backward and on Tensors (recorded,
differentiable) under ``create_graph=True``: higher-order gradients need no second
implementation of any derivative.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.function import Function, _wrap
from ..dtypes import FLOATING, REDUCED
from ..tensor_base import TensorBase


def _is_array(x: Any) -> bool:
    """True for numpy values (arrays and the numpy scalars that 0-d arithmetic returns)."""
    return not isinstance(x, TensorBase)


def exp(x: Any) -> Any:
    """e**x."""
    return np.exp(x) if _is_array(x) else x.exp()


def log(x: Any) -> Any:
    """Natural logarithm."""
    return np.log(x) if _is_array(x) else x.log()


def sqrt(x: Any) -> Any:
    """Square root."""
    return np.sqrt(x) if _is_array(x) else x.sqrt()


def sin(x: Any) -> Any:
    """Sine."""
    return np.sin(x) if _is_array(x) else x.sin()


def cos(x: Any) -> Any:
    """Cosine."""
    return np.cos(x) if _is_array(x) else x.cos()


def tanh(x: Any) -> Any:
    """Hyperbolic tangent."""
    return np.tanh(x) if _is_array(x) else x.tanh()


def sinh(x: Any) -> Any:
    """Hyperbolic sine."""
    return np.sinh(x) if _is_array(x) else x.sinh()


def cosh(x: Any) -> Any:
    """Hyperbolic cosine."""
    return np.cosh(x) if _is_array(x) else x.cosh()


def sigmoid(x: Any) -> Any:
    """1 / (1 + e**-x), stable for large |x|."""
    if _is_array(x):
        return _np_sigmoid(x)
    return x.sigmoid()


def _np_sigmoid(x: np.ndarray) -> np.ndarray:
    # e**-|x| never overflows; sigmoid(x) = 1/(1+e) for x >= 0, e/(1+e) for x < 0
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0, e) / (1.0 + e)


def in_float32(fn: Any, x: Any, *rest: Any) -> Any:
    """``fn(x, *rest)``; when ``x`` is a float16/bfloat16 array, computed in float32 (``x``
    and the arrays of ``rest`` of its dtype converted) and rounded once back to ``x``'s
    dtype, as PyTorch's CPU kernels compute 16-bit floats."""
    if not isinstance(x, np.ndarray) or x.dtype not in REDUCED:
        return fn(x, *rest)
    low = x.dtype
    rest = tuple(a.astype(np.float32) if isinstance(a, np.ndarray) and a.dtype == low else a
                 for a in rest)
    return np.asanyarray(fn(x.astype(np.float32), *rest)).astype(low)


def abs(x: Any) -> Any:
    """|x|."""
    return np.abs(x) if _is_array(x) else x.abs()


def sign(x: Any) -> Any:
    """-1, 0 or 1, and 0 for NaN as PyTorch (a constant: its derivative is zero)."""
    if not _is_array(x):
        return x.sign()
    out = np.asanyarray(np.sign(x))
    if out.dtype in FLOATING:
        out[np.isnan(out)] = 0
    return out


def where(cond: Any, a: Any, b: Any) -> Any:
    """``a`` where ``cond`` else ``b``; ``cond`` is a constant mask."""
    if isinstance(a, TensorBase):  # (tg.where, reached through the Tensor as every
        return a._where(cond, a, b)  # helper here reaches the ops: see ArithmeticMethods)
    if isinstance(b, TensorBase):
        return b._where(cond, a, b)
    return np.where(cond, a, b)


def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Sum over ``axis`` (all axes when None)."""
    if _is_array(x):
        return x.sum(axis=axis, keepdims=keepdims)
    return x.sum(dim=axis, keepdim=keepdims)


def reshape(x: Any, shape: Any) -> Any:
    """Same elements in a new shape."""
    return x.reshape(shape)


def broadcast_to(x: Any, shape: Any) -> Any:
    """Broadcast to ``shape`` (read-only view for arrays)."""
    return np.broadcast_to(x, shape) if _is_array(x) else x.expand(shape)


def swapaxes(x: Any, a: int, b: int) -> Any:
    """Exchange two axes."""
    return x.swapaxes(a, b) if _is_array(x) else x.transpose(a, b)


def transpose(x: Any, axes: Any) -> Any:
    """Permute the axes (a 0-d tensor has none: it is returned as it is)."""
    if _is_array(x):
        return x.transpose(axes)
    return x.permute(*axes) if axes else x


def moveaxis(x: Any, source: tuple[int, ...], destination: tuple[int, ...]) -> Any:
    """Move axes ``source`` to ``destination`` (the others keep their order)."""
    if _is_array(x):
        return np.moveaxis(x, source, destination)
    order = [a for a in range(x.ndim) if a not in source]
    for dest, src in sorted(zip(destination, source)):
        order.insert(dest, src)
    return x.permute(*order)


def flip(x: Any, axis: int) -> Any:
    """Reverse the order along ``axis``."""
    return np.flip(x, axis) if _is_array(x) else x.flip(axis)


def expand_dims(x: Any, axis: Any) -> Any:
    """Insert size-1 axes at ``axis`` (an int or a tuple)."""
    if _is_array(x):
        return np.expand_dims(x, axis)
    axes = (axis,) if isinstance(axis, int) else axis
    out_ndim = x.ndim + len(axes)
    for a in sorted(ax % out_ndim for ax in axes):
        x = x.unsqueeze(a)
    return x


def zeros_like(x: Any) -> Any:
    """Zeros of x's shape and dtype (a constant)."""
    return np.zeros_like(x) if _is_array(x) else _wrap(np.zeros_like(x._data))


def zeros(like: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Zeros of ``shape`` in ``like``'s dtype, a buffer a backward writes into.

    For an ndarray subclass -- ``tg.compile``'s recorder -- it is made *from* ``like``
    (``np.empty_like``, then a fill), so that the recorder sees it made; ``np.zeros``
    could not tell it. A plain array takes ``np.zeros``, three times faster.

    >>> zeros(np.ones(2, np.float32), (3,))
    array([0., 0., 0.], dtype=float32)
    """
    if type(like) is np.ndarray:
        return np.zeros(shape, like.dtype)
    out = np.empty_like(like, shape=shape)
    out.fill(0)
    return out


def array(x: Any) -> np.ndarray:
    """The ndarray of ``x``, an array or a Tensor (a saved value, as a constant)."""
    return x if _is_array(x) else x._data


def constant(x: Any, like: Any) -> Any:
    """``x`` (an array) as the same kind of value as ``like``: array or constant Tensor."""
    return x if _is_array(like) else _wrap(np.asanyarray(x))


class _Op(Function):
    """The base of the built-in ops: their forward and backward take numpy arrays (and,
    under ``create_graph=True``, backward takes Tensors: the functions of this file run on
    both)."""

    _numpy = True


def _arr(x: Any) -> np.ndarray:
    """The numpy array behind ``x`` (masks of a backward are constants built from it)."""
    return np.asanyarray(getattr(x, "_data", x))


def _masked_zero(mask: np.ndarray, value: Any) -> Any:
    """``value`` with exact zeros where ``mask`` (PyTorch's ``masked_fill_(mask, 0)``):
    unlike ``value * ~mask``, an infinite or NaN value under the mask becomes 0, not NaN."""
    return where(mask, 0.0, value)


def keep_where(g: Any, keep: np.ndarray) -> Any:
    """``g`` where ``keep``, exact 0 elsewhere (PyTorch's ``where(keep, g, 0)``).

    A product with the mask, not ``np.where``, which branches on each element and is
    ~7-20x slower on a random mask; a product gives NaN where an infinite or NaN ``g`` meets
    a 0, so those places (rare) are zeroed after. ``_masked_zero`` is the same with the mask
    inverted, for the kinks where a non-finite value under the mask is the rule (0/0 at a
    norm of zeros): ``np.where`` is the cheaper one there.
    """
    if not _is_array(g):  # (a backward being recorded: a Tensor)
        return where(keep, g, 0.0)
    out = np.asanyarray(g * keep)  # (0-d: a scalar otherwise)
    # (an inf or NaN anywhere makes the sum non-finite: one pass, nothing allocated; a sum
    # that overflows on finite values only costs the zeroing, which changes nothing then)
    if out.dtype in FLOATING and not np.isfinite(out.sum()):
        out[np.broadcast_to(np.logical_not(keep), out.shape)] = 0
    return out
