"""Cumulative ops: ``cumsum``, ``cumprod`` and ``diff``, the Tensor methods and their
Functions (forward and backward)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtypes
from ..parity.torch_sum import torch_sum
from ..tensor_base import TensorBase, _int, _norm_axis
from . import dual, join
from . import reduce as R
from .dual import _Op
from .promotion import _operand_as
from .reduce import _cumprod, _prod, _reverse_cumsum, scan

if TYPE_CHECKING:
    from ..tensor import Tensor


class Cumprod(_Op):
    """Cumulative product along ``axis``; ints give int64, as in PyTorch."""

    _grad_fn_name = "CumprodBackward0"
    ctx_fields = ("axis",)

    @staticmethod
    def forward(ctx: Any, x: Any, axis: int) -> Any:
        out = scan(np.multiply, x, axis)  # (accumulated wider, as PyTorch)
        ctx.save_for_backward(x, out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, out = ctx.saved_tensors
        axis = ctx.axis
        if x.ndim == 0 or x.shape[axis] == 1 or math.prod(x.shape) <= 1:
            return grad, None  # the identity along a dim of one (as PyTorch, even for inf)
        if dual._is_array(x):
            return _cumprod_grad_np(x, grad, out, axis), None
        return _cumprod_grad(x, grad, out, axis), None


def _cumprod_grad_np(x: np.ndarray, grad: np.ndarray, out: np.ndarray, axis: int) -> Any:
    """d(cumprod)/dx applied to ``grad`` on arrays, in O(n), as PyTorch's first-order
    ``cumprod_backward``: with w = out * grad, the reversed cumsum of w over x before the
    first zero z1 of a slice; at z1, out[z1 - 1] times the sum over j in [z1, z2) of grad_j
    * prod(x[z1+1 .. j]) (z2 the second zero); 0 from there on."""
    w = out * grad
    with np.errstate(divide="ignore", invalid="ignore"):
        zero = x == 0
        if not zero.any():
            return _reverse_cumsum(w, axis) / x
        zeros_so_far = np.cumsum(zero, axis=axis)
        before = zeros_so_far == 0
        grad_in = np.where(before, _reverse_cumsum(np.where(before, w, 0), axis) / x, 0)
        between = zeros_so_far == 1  # [z1, z2)
        first = np.argmax(between, axis=axis, keepdims=True)  # z1 (0 when there is none)
        at_first = np.zeros_like(between)
        np.put_along_axis(at_first, first, True, axis)
        at_first &= between
        after_first = between & ~at_first  # (z1, z2)
        tail = scan(np.multiply, np.where(after_first, x, 1), axis)
        total = torch_sum(tail * np.where(between, grad, 0), axis, True)
        left = np.take_along_axis(out, np.maximum(first - 1, 0), axis)
        total = total * np.where(first == 0, 1, left)  # times prod(x[:z1])
        return np.where(at_first, total, grad_in).astype(grad.dtype, copy=False)


def _cumprod_grad(x: Any, grad: Any, out: Any, axis: int) -> Any:
    """d(cumprod)/dx applied to ``grad`` on Tensors, recorded (double backward), as
    PyTorch's ``cumprod_backward`` in grad mode: the reversed cumsum of out * grad over x
    when x has no zero; else, for each k, the sum over j >= k of grad_j times the product
    of x[:j+1] without x_k, taken as prod(x[:k]) * cumprod(x[k+1:]) (O(n^2), no division)."""
    if np.asarray(x._data).all():  # d out_j / d x_i = out_j / x_i for i <= j
        return _reverse_cumsum(out * grad, axis) / x
    n = x.shape[axis]

    def part(start: int, stop: int | None) -> Any:
        return x[(slice(None),) * axis + (slice(start, stop),)]

    def at(a: Any, k: int) -> Any:
        return a[(slice(None),) * axis + (slice(k, k + 1),)]

    k_index = np.arange(n).reshape([-1 if d == axis else 1 for d in range(x.ndim)])
    total = None
    for k in range(n):
        grad_k = at(grad, k)  # the j = k term: prod(x[:k]) (1 for k = 0)
        until_k = _prod(part(0, k), axis) if k else None
        term = grad_k if until_k is None else grad_k * until_k
        if k < n - 1:  # the j > k terms: prod(x[:k]) * prod(x[k+1 : j+1])
            after = _cumprod(part(k + 1, None), axis)
            if until_k is not None:
                after = until_k * after
            rest = grad[(slice(None),) * axis + (slice(k + 1, None),)]
            term = term + dual.sum(rest * after, axis, keepdims=True)
        placed = dual.where(k_index == k, term, 0.0)  # slice k of the gradient
        total = placed if total is None else total + placed
    return total




class _CumSum(_Op):
    _grad_fn_name = "CumsumBackward0"
    ctx_fields = ("axis",)

    @staticmethod
    def forward(ctx: Any, x: Any, axis: _int) -> Any:
        ctx.axis = axis
        return R.scan(np.add, x, axis)  # float32 added in float64, as PyTorch's kernel

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        axis = ctx.axis
        if grad.ndim == 0 or grad.shape[axis] == 1:  # the identity (as PyTorch's)
            return grad, None
        # each input adds into every later output: the gradient is a reversed cumsum
        return _reverse_cumsum(grad, axis), None


class ScanMethods(TensorBase):
    """The Tensor's cumulative ops: cumsum, cumprod, diff."""

    __slots__ = ()

    def cumsum(self, dim: _int, dtype: Any = None) -> Tensor:
        """Cumulative sum along ``dim`` (differentiable through a reversed cumsum), in
        ``dtype`` when given."""
        x = self if dtype is None else _operand_as(self, dtypes.to_dtype(dtype))
        return _CumSum.apply(x, _norm_axis(dim, x._data.ndim))

    # ------------------------------------------------------------------ scans, ranks, counts
    def cumprod(self, dim: _int, *, dtype: Any = None) -> Tensor:
        """Cumulative product along ``dim`` (ints give int64). The gradient is exact also
        where the input has zeros (computed without dividing by them)."""
        x = self if dtype is None else _operand_as(self, dtypes.to_dtype(dtype))
        return Cumprod.apply(x, _norm_axis(dim, x._data.ndim))

    def diff(self, n: _int = 1, dim: _int = -1, prepend: Tensor | None = None,
             append: Tensor | None = None) -> Tensor:
        """The n-th forward difference ``out[i] = x[i + 1] - x[i]`` along ``dim``, after
        joining ``prepend`` and ``append`` to the tensor along it."""
        if self._data.ndim == 0:
            raise RuntimeError("diff expects input to be at least one-dimensional")
        if n < 0:
            raise RuntimeError(f"order must be non-negative but got {n}")
        if n == 0:  # a copy; prepend and append are not joined (as PyTorch)
            return self.clone()
        axis = _norm_axis(dim, self._data.ndim)
        parts = [p for p in (prepend, self, append) if p is not None]
        x = join.cat(parts, axis) if len(parts) > 1 else self
        lead = (slice(None),) * axis
        for _ in range(min(n, x.shape[axis])):  # (as PyTorch: n capped at the length)
            after, before = x[lead + (slice(1, None),)], x[lead + (slice(None, -1),)]
            x = after ^ before if x._data.dtype == np.bool_ else after - before  # (bools: !=)
        return x
