"""Cumulative ops: ``cumsum``, ``cumprod``, ``cummax``, ``cummin``, ``logcumsumexp`` and
``diff``, the Tensor methods and their Functions (forward and backward)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtypes
from ..core.function import _wrap
from ..dtypes import FLOATING
from ..parity.errors import not_implemented
from ..parity.torch_sum import torch_sum
from ..tensor_base import TensorBase, _inplace_form, _int, _norm_axis
from . import dual, join
from . import reduce as R
from .dual import _Op
from .promotion import _operand_as
from .reduce import _WIDE, _cumprod, _prod, _reverse_cumsum, scan
from .sorting import Gather, _MinMax

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
    if np.asanyarray(x._data).all():  # d out_j / d x_i = out_j / x_i for i <= j
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


# ---------------------------------------------------------------------------- cummax, cummin
def cumulative_extreme(x: np.ndarray, axis: int, smallest: bool) -> tuple[np.ndarray, np.ndarray]:
    """``(values, indices)`` of cummax (cummin when ``smallest``) along ``axis``, as
    PyTorch's CPU kernel: it walks the slice and moves the index to ``i`` when ``x[i] >=
    the running max`` (``<=`` for the min), so among equal values the LAST one is picked;
    a NaN is larger than everything and each later NaN takes the index too.

    Vectorized: the index at ``j`` is the last ``i <= j`` where ``x[i]`` equals the
    running extreme at ``i`` (NaN equal to NaN)."""
    if x.ndim == 0:
        return x.copy(), np.zeros((), np.int64)
    values = (np.minimum if smallest else np.maximum).accumulate(x, axis=axis)  # NaN sticks
    hit = x == values
    if x.dtype in FLOATING:
        hit |= np.isnan(x)
    where = np.arange(x.shape[axis]).reshape([-1 if d == axis else 1 for d in range(x.ndim)])
    indices = np.maximum.accumulate(np.where(hit, where, 0), axis=axis)
    return values, indices.astype(np.int64, copy=False)


class Cummax(Gather):
    """``x.cummax(dim).values``: x gathered at the running argmax (the caller's indices);
    each gradient goes back to the element that was the maximum there (PyTorch's
    ``scatter_add`` of ``cummaxmin_backward``)."""

    _grad_fn_name = "CummaxBackward0"


class Cummin(Gather):
    """``x.cummin(dim).values``: x gathered at the running argmin."""

    _grad_fn_name = "CumminBackward0"


# ---------------------------------------------------------------------------- logcumsumexp
def _log_add_exp(x: np.ndarray, acc: np.ndarray) -> np.ndarray:
    """PyTorch's ``_log_add_exp_helper``: max + log1p(exp(min - max)), stable; where both
    are the same infinity, ``x`` itself (inf - inf would give NaN); NaN propagates."""
    with np.errstate(invalid="ignore", over="ignore"):
        lo = np.where(np.isnan(acc), acc, np.minimum(x, acc))
        hi = np.where(np.isnan(acc), acc, np.maximum(x, acc))
        out = hi + np.log1p(np.exp(lo - hi))
    return np.where((lo != hi) | np.isfinite(lo), out, x)


def _logcumsumexp(x: Any, axis: int) -> Any:
    """log(cumsum(exp(x))) along ``axis``, as PyTorch's kernel: one element after the
    other from -inf, in the wider type (float32 in float64), each step rounded back.
    A Tensor is recorded (the op's own backward uses it: double backward)."""
    if not dual._is_array(x):
        return x.logcumsumexp(axis)
    if x.ndim == 0:
        return x.copy()
    wide = np.moveaxis(x.astype(_WIDE.get(x.dtype, x.dtype)), axis, 0)
    out = np.empty_like(wide)
    acc = np.full(wide.shape[1:], -np.inf, wide.dtype)
    for i in range(wide.shape[0]):
        acc = _log_add_exp(wide[i], acc)
        out[i] = acc
    return np.moveaxis(out, 0, axis).astype(x.dtype, copy=False)


class LogCumSumExp(_Op):
    """``x.logcumsumexp(dim)``: out_j = log(sum over i <= j of exp(x_i)), stable."""

    _grad_fn_name = "LogcumsumexpBackward0"
    ctx_fields = ("axis",)

    @staticmethod
    def forward(ctx: Any, x: Any, axis: int) -> Any:
        out = _logcumsumexp(x, axis)
        ctx.save_for_backward(x, out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, out = ctx.saved_tensors
        axis = ctx.axis
        if grad.ndim == 0 or math.prod(grad.shape) == 0:
            return grad, None
        # d out_j / d x_i = exp(x_i - out_j) for i <= j: grad_i = sum_{j >= i} g_j e^(x_i - out_j)
        if dual._is_array(grad):
            return _logcumsumexp_grad_np(x, out, grad, axis), None
        return _logcumsumexp_grad(x, out, grad, axis), None


def _logcumsumexp_grad_np(x: np.ndarray, out: np.ndarray, grad: np.ndarray, axis: int) -> Any:
    """The gradient as PyTorch computes it, in O(n): the sum taken in log space, the
    positive and the negative g_j apart, exp(reversed logcumsumexp(log|g| - out) + x)."""
    def reversed_lcse(a: np.ndarray) -> np.ndarray:
        return np.flip(_logcumsumexp(np.flip(a, axis), axis), axis)

    lowest = np.finfo(grad.dtype).min
    with np.errstate(divide="ignore"):
        log_abs = np.log(np.abs(grad))
    pos = reversed_lcse(np.where(grad > 0, log_abs, lowest) - out) + x
    neg = reversed_lcse(np.where(grad < 0, log_abs, lowest) - out) + x
    return np.exp(pos) - np.exp(neg)


def _logcumsumexp_grad(x: Any, out: Any, grad: Any, axis: int) -> Any:
    """The same sum on Tensors, recorded (double backward), linear in g (log|g| has no
    derivative at g = 0): e^(x_i - out_i) * sum_{j >= i} g_j e^(out_i - out_j), every
    factor at most 1 (out is non-decreasing), through an (n, n) matrix along ``axis``."""
    n = x.shape[axis]
    x, out, grad = (dual.moveaxis(t, (axis,), (-1 % x.ndim,)) for t in (x, out, grad))
    later = np.arange(n)[None, :] >= np.arange(n)[:, None]  # [i, j]: j >= i
    diff = dual.expand_dims(out, -1) - dual.expand_dims(out, -2)  # [..., i, j] = out_i - out_j
    weights = dual.exp(dual.where(later, diff, -np.inf))  # (0 off the triangle)
    total = dual.sum(weights * dual.expand_dims(grad, -2), -1)
    return dual.moveaxis(dual.exp(x - out) * total, (x.ndim - 1,), (axis,))


class ScanMethods(TensorBase):
    """The Tensor's cumulative ops: cumsum, cumprod, cummax, cummin, logcumsumexp, diff."""

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

    cumsum_ = _inplace_form(cumsum)
    cumprod_ = _inplace_form(cumprod)

    def _cumulative_extreme(self, dim: _int, smallest: bool) -> Any:
        axis = _norm_axis(dim, self._data.ndim)
        values, indices = cumulative_extreme(self._data, axis, smallest)
        op, name = (Cummin, "cummin") if smallest else (Cummax, "cummax")
        return _MinMax(op.apply(self, axis, indices), _wrap(indices), name)

    def cummax(self, dim: _int) -> Any:
        """``(values, indices)``: the running maximum along ``dim`` and where it was (int64):
        on a tie the later element, as PyTorch; after a NaN the values are NaN, at the
        latest NaN. The gradient of each value goes back to that element.

        >>> tg.tensor([1.0, 3.0, 2.0]).cummax(0)
        tinygrad_edu.return_types.cummax(
        values=tensor([1., 3., 3.]),
        indices=tensor([0, 1, 1]))
        """
        return self._cumulative_extreme(dim, False)

    def cummin(self, dim: _int) -> Any:
        """``(values, indices)``: the running minimum along ``dim`` and where it was (int64),
        with cummax's rules for ties (the later element) and NaN.

        >>> tg.tensor([2.0, 1.0, 3.0]).cummin(0)
        tinygrad_edu.return_types.cummin(
        values=tensor([2., 1., 1.]),
        indices=tensor([0, 1, 1]))
        """
        return self._cumulative_extreme(dim, True)

    def logcumsumexp(self, dim: _int) -> Tensor:
        """``log(cumsum(exp(x)))`` along ``dim``, computed stably (no exp overflows): each
        step is ``max + log1p(exp(min - max))``. Floating-point tensors only.

        >>> tg.tensor([0.0, 1.0, 2.0]).logcumsumexp(0)
        tensor([0.0000, 1.3133, 2.4076])
        """
        if self._data.dtype not in FLOATING:
            raise not_implemented("logcumsumexp_out_cpu", self._data.dtype)
        return LogCumSumExp.apply(self, _norm_axis(dim, self._data.ndim))

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
