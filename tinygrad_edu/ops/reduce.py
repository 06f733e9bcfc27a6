"""Reductions: sum, mean, max/min, prod, var/std, logsumexp, softmax, log_softmax.

``axis`` is a tuple of non-negative axes or None (all axes). Backward broadcasts the
gradient back over the reduced axes.
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtypes
from ..amp.autocast_mode import autocast_op
from ..core.function import _wrap
from ..dtypes import FLOATING, REDUCED
from ..parity.grad_fn_names import labelled
from ..parity.names import scalar_type_name
from ..parity.torch_sum import divide, get_num_threads, torch_mean, torch_sum
from ..tensor_base import TensorBase, _bool, _float, _int, _norm_axes, _norm_axis
from . import dual, sorting
from .dual import _arr, _masked_zero, _Op
from .matmul import _ones
from .promotion import _operand_as
from .sorting import _check_nonempty_dims, _MinMax

if TYPE_CHECKING:
    from ..tensor import Tensor

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def _expand(grad: Any, axis: tuple[int, ...] | None, keepdims: bool) -> Any:
    """Put back the reduced axes (as size 1) so the gradient broadcasts over them."""
    if keepdims or axis is None or grad.ndim == 0 and not axis:
        return grad
    return dual.expand_dims(grad, axis)


def _filled(shape: tuple[int, ...], value: Any) -> np.ndarray:
    """A new array of ``shape`` holding the one number ``value`` everywhere, in its dtype."""
    out = np.empty_like(value, shape=shape)  # (of value: tg.compile records the fill)
    out.fill(value)
    return out


def _count(shape: tuple[int, ...], axis: tuple[int, ...] | None) -> int:
    if axis is None:
        return math.prod(shape)
    return math.prod([shape[a] for a in axis])


# ---------------------------------------------------------------------------- accumulation
# PyTorch's CPU kernels accumulate wider than the data (``at::acc_type<T, false>``): a scan
# (cumsum, cumprod) adds float32 in float64 and float16/bfloat16 in float32, one element after the
# other; sum adds float16 in float32 in its own order (parity.torch_sum) and mean converts
# float16 to float32 first, then sums in float32's order; var/std run in float64.
_WIDE: dict[np.dtype, np.dtype] = {np.dtype(np.float32): np.dtype(np.float64)}


def scan(ufunc: Any, x: np.ndarray, axis: int) -> np.ndarray:
    """cumsum (``np.add``) or cumprod (``np.multiply``) along ``axis`` as PyTorch's CPU
    kernel: one element after the other, accumulated in the wider type (float32 in
    float64, float16 in float32, ints and bools in int64), each step rounded back."""
    wide: np.dtype = np.dtype(np.float32) if x.dtype in REDUCED else _WIDE.get(
        x.dtype, np.dtype(np.int64) if x.dtype.kind in "biu" else x.dtype)
    with np.errstate(over="ignore", invalid="ignore"):  # overflow: inf, as torch
        out = ufunc.accumulate(x, axis=axis, dtype=wide) if x.ndim else x.astype(wide)
        return out if x.dtype.kind in "biu" else out.astype(x.dtype, copy=False)


class Sum(_Op):
    _grad_fn_name = "SumBackward1"
    ctx_fields = ("shape", "axis", "keepdims")

    @staticmethod
    def forward(ctx: Any, x: Any, axis: Any = None, keepdims: bool = False,
                dtype: Any = None) -> Any:
        ctx.shape, ctx.axis, ctx.keepdims = x.shape, axis, keepdims
        if dtype is None and x.dtype in FLOATING:  # in PyTorch's order: the same rounding
            return torch_sum(x, axis, keepdims)
        return x.sum(axis=axis, keepdims=keepdims, dtype=dtype)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        if isinstance(grad, np.ndarray) and grad.ndim == 0:  # the sum of all: one fill
            return _filled(ctx.shape, grad), None, None, None
        return dual.broadcast_to(_expand(grad, ctx.axis, ctx.keepdims), ctx.shape), None, None, None


# The sum of all elements (``x.sum()`` records it with ``x`` as its only argument).
SumAll = labelled(Sum, "SumBackward0")


class Mean(_Op):
    """Fused mean (one op instead of ``sum / n``)."""

    _grad_fn_name = "MeanBackward1"
    ctx_fields = ("shape", "axis", "keepdims")

    @staticmethod
    def forward(ctx: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
        ctx.shape, ctx.axis, ctx.keepdims = x.shape, axis, keepdims
        return torch_mean(x, axis, keepdims)  # in PyTorch's order: the same rounding

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        shape, axis, keepdims = ctx.shape, ctx.axis, ctx.keepdims
        n = _count(shape, axis)
        if isinstance(grad, np.ndarray) and grad.ndim == 0:  # a scalar loss: one fill
            return _filled(shape, divide(grad, n)), None, None
        return dual.broadcast_to(_expand(grad, axis, keepdims) / n, shape), None, None


# The mean of all elements (``x.mean()`` records it with ``x`` as its only argument).
MeanAll = labelled(Mean, "MeanBackward0")


class Amax(_Op):
    """max (or min) over ``axis`` (all axes when None); ties share the gradient evenly,
    as PyTorch's ``amax``/``amin``: ``(grad / count) * mask``, count the extreme elements
    of each slice (a NaN result has none: its gradient is NaN)."""

    _grad_fn_name = "AmaxBackward0"
    ctx_fields = ("axis", "keepdims")

    @staticmethod
    def forward(ctx: Any, x: Any, axis: Any, keepdims: bool, smallest: bool) -> Any:
        out = (np.min if smallest else np.max)(x, axis=axis, keepdims=keepdims)
        ctx.save_for_backward(x, out)  # (as PyTorch: changing either in place is an error)
        ctx.axis, ctx.keepdims = axis, keepdims
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, out = (dual.array(v) for v in ctx.saved_tensors)
        axis, keepdims = ctx.axis, ctx.keepdims
        # constants of the graph, from the values saved (as PyTorch's formula): where the
        # extremes are, and how many per slice
        hit = x == _expand(out, axis, keepdims)
        count = hit.sum(axis=axis, keepdims=True).astype(x.dtype)
        with np.errstate(divide="ignore", invalid="ignore"):  # NaN slices: 0 / 0
            share = _expand(grad, axis, keepdims) / dual.constant(count, grad)
        return share * dual.constant(hit, grad), None, None, None


Amin = labelled(Amax, "AminBackward0")


class MaxAll(_Op):
    """max() (or min()) of every element. As PyTorch's ``evenly_distribute_backward``:
    the elements equal to the result (every NaN, when it is NaN) share the gradient
    evenly, and the others get exactly 0."""

    _grad_fn_name = "MaxBackward1"

    @staticmethod
    def forward(ctx: Any, x: Any, axis: Any, keepdims: bool, smallest: bool) -> Any:
        out = np.asanyarray((np.min if smallest else np.max)(x))
        ctx.save_for_backward(x, out)  # (as PyTorch: changing either in place is an error)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        hit, count = _evenly(*(dual.array(v) for v in ctx.saved_tensors))
        return dual.where(hit, grad / count, 0.0), None, None, None


MinAll = labelled(MaxAll, "MinBackward1")


def _evenly(x: np.ndarray, value: np.ndarray) -> tuple[np.ndarray, Any]:
    """Where ``x`` equals the one number ``value`` (every NaN of x if it is NaN), and how
    many places that is, in x's dtype: the elements that share a gradient evenly."""
    hit = np.isnan(x) if x.dtype in FLOATING and np.isnan(value) else x == value
    return hit, x.dtype.type(np.count_nonzero(hit))


class MaxDim(_Op):
    """max (or min) along one axis; the gradient goes to the element whose index is
    returned (the first extreme; the first NaN if there is one), 0 elsewhere."""

    _grad_fn_name = "MaxBackward0"
    ctx_fields = ("shape", "axis", "keepdims", "idx")  # idx: None for a 0-d x

    @staticmethod
    def forward(ctx: Any, x: Any, axis: int, keepdims: bool, smallest: bool) -> Any:
        if x.ndim == 0:  # a 0-d tensor is its own extreme along dim 0
            ctx.idx = None
            return x.copy()
        idx = np.expand_dims((x.argmin if smallest else x.argmax)(axis=axis), axis)
        ctx.shape, ctx.axis, ctx.keepdims, ctx.idx = x.shape, axis, keepdims, idx
        out = np.take_along_axis(x, idx, axis)
        return out if keepdims else out.squeeze(axis)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        if ctx.idx is None:
            return grad, None, None, None
        shape, axis, keepdims, idx = ctx.shape, ctx.axis, ctx.keepdims, ctx.idx
        # zeros with the gradient written at the indices (PyTorch's scatter)
        picked = dual.reshape(_expand(grad, (axis,), keepdims), idx.shape)
        return sorting.scatter(shape, axis, idx, picked), None, None, None


MinDim = labelled(MaxDim, "MinBackward0")


# ---------------------------------------------------------------------------- torch's prod
_GRAIN = 32768  # at::internal::GRAIN_SIZE: below this many elements torch uses one thread


def torch_prod(x: np.ndarray, axis: tuple[int, ...] | None, keepdims: bool) -> np.ndarray:
    """``torch.prod`` on CPU, in its order (float16 rounded at every step, as torch's
    Vectorized<Half>): along a contiguous last axis (or over everything), 4 vectors of L
    lanes (32 bytes) multiply block after block, then (v0 v1)(v2 v3), then the lanes one
    by one, then the leftover elements one by one; a full product of >= 32768 elements is
    cut into one chunk per thread first. Along other axes it runs row after row (numpy's
    order too). Other layouts: numpy's product."""
    if x.dtype not in FLOATING or x.size == 0 or not x.flags.c_contiguous:
        return np.asanyarray(x.prod(axis=axis, keepdims=keepdims))
    axes = tuple(range(x.ndim)) if axis is None else tuple(sorted(axis))
    kept = [d for d in range(x.ndim) if d not in axes]
    out_shape = [1 if d in axes else n for d, n in enumerate(x.shape)]
    # as torch's TensorIterator: size-1 dims are dropped, then neighbours merged
    reduced = [d for d in axes if x.shape[d] > 1]
    live = [d for d in kept if x.shape[d] > 1]
    n_reduced = math.prod(x.shape[d] for d in reduced)
    if not live or not reduced:
        out = _prod_full(x.reshape(-1)) if not live else x.reshape(-1).copy()
    elif max(live) < min(reduced):  # reduced dims innermost: rows
        out = _prod_rows(x.reshape(-1, n_reduced))
    elif max(reduced) < min(live):  # reduced dims outermost: row after row, as numpy
        out = np.multiply.reduce(x.reshape(n_reduced, -1), axis=0)
    else:
        return np.asanyarray(x.prod(axis=axis, keepdims=keepdims))
    out = np.asanyarray(out).reshape(out_shape)
    return out if keepdims else out.reshape([x.shape[d] for d in kept])


def _prod_full(flat: np.ndarray) -> np.ndarray:
    """The product of a 1-D array, with torch's split between threads."""
    threads = min(get_num_threads(), -(-flat.size // _GRAIN))
    if threads <= 1:
        return _prod_rows(flat[None])[0]
    chunk = -(-flat.size // threads)
    total = np.asanyarray(flat.dtype.type(1))
    for start in range(0, flat.size, chunk):  # then the per-thread results, in order
        total = np.asanyarray(total * _prod_rows(flat[None, start:start + chunk])[0])
    return total


def _prod_rows(rows: np.ndarray) -> np.ndarray:
    """The product of each row (R, n), in the order of torch's vectorized inner reduction."""
    lanes = 32 // rows.dtype.itemsize
    block = 4 * lanes
    count = rows.shape[1] // block
    out = np.ones(rows.shape[0], rows.dtype)
    if count:
        acc = np.multiply.reduce(rows[:, :count * block].reshape(-1, count, 4, lanes), axis=1)
        vec = (acc[:, 0] * acc[:, 1]) * (acc[:, 2] * acc[:, 3])
        lane = vec[:, 0]
        for j in range(1, lanes):
            lane = lane * vec[:, j]
        out = out * lane
    for k in range(count * block, rows.shape[1]):
        out = out * rows[:, k]
    return out


class Prod(_Op):
    """The product over ``axis``. Backward as PyTorch's ``prod_backward``: ``grad * (out /
    x)`` when x has no zero; else the product of the other elements, computed without
    dividing (exclusive cumulative products from both ends), differentiable again."""

    _grad_fn_name = "ProdBackward1"
    ctx_fields = ("axis", "keepdims")

    @staticmethod
    def forward(ctx: Any, x: Any, axis: Any, keepdims: bool) -> Any:
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):  # inf, as torch
            out = torch_prod(x, axis, keepdims)
        ctx.save_for_backward(x, out)
        ctx.axis, ctx.keepdims = axis, keepdims
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, out = ctx.saved_tensors
        axis, keepdims = ctx.axis, ctx.keepdims
        data = np.asanyarray(getattr(x, "_data", x))
        if data.ndim == 0:
            return grad, None, None
        grad = _expand(grad, axis, keepdims)
        zeros = data.size - np.count_nonzero(data)
        if zeros == 0:  # d(prod)/dx_i = prod / x_i
            return grad * (_expand(out, axis, keepdims) / x), None, None
        if axis is None and zeros > 1 and dual._is_array(x):  # every product of others is 0
            return np.zeros_like(data), None, None
        return grad * _product_of_others(x, axis), None, None


ProdAll = labelled(Prod, "ProdBackward0")


def _product_of_others(x: Any, axis: tuple[int, ...] | None) -> Any:
    """For each element, the product of the others of its slice over ``axis``: the
    exclusive cumulative products from the front and from the back, multiplied (safe
    with zeros). On a Tensor, recorded (for double backward)."""
    ndim = len(x.shape)
    axes = tuple(range(ndim)) if axis is None else axis
    front = tuple(range(len(axes)))
    moved = dual.moveaxis(x, axes, front)
    flat = dual.reshape(moved, (-1,) + tuple(moved.shape[len(axes):]))
    left = _exclusive_cumprod(flat)
    right = dual.flip(_exclusive_cumprod(dual.flip(flat, 0)), 0)
    others = dual.reshape(left * right, tuple(moved.shape))
    return dual.moveaxis(others, front, axes)


def _exclusive_cumprod(a: Any) -> Any:
    """out[i] = a[0] * ... * a[i - 1] along axis 0 (out[0] = 1), without dividing."""
    n = a.shape[0]
    shifted = sorting.index_select(a, 0, np.maximum(np.arange(n) - 1, 0))  # a[i - 1]
    first = np.zeros((n,) + (1,) * (len(a.shape) - 1), bool)
    first[0] = True
    return _cumprod(dual.where(first, 1.0, shifted), 0)


def _var_backward(grad: Any, x: Any, axis: Any, correction: float, keepdims: bool) -> Any:
    """PyTorch's ``var_backward``: ``(2 / (n - c)) * grad * (x - mean)``. Reducing every
    dim with no degrees of freedom left, it is ``grad * (nan where x == mean, else inf)``;
    along dims, ``2 / 0`` is inf (and ``2 / (n - c)`` negative when c > n), as torch."""
    shape = tuple(x.shape)
    n = _count(shape, axis)
    if axis is None:
        mean = _mean_of(x, None, False)
        if n <= correction:
            data = np.asanyarray(getattr(x, "_data", x))
            nan_or_inf = np.where(data == np.asanyarray(getattr(mean, "_data", mean)), np.nan,
                                  np.inf).astype(data.dtype)
            return grad * dual.constant(nan_or_inf, grad)
        return (2 / (n - correction)) * grad * (x - mean)
    scale = 2 / (n - correction) if n != correction else math.inf
    return scale * _expand(grad, axis, keepdims) * (x - _mean_of(x, axis, True))


def _mean_of(x: Any, axis: Any, keepdims: bool) -> Any:
    """The mean, added in PyTorch's order (array or recorded Tensor)."""
    if dual._is_array(x):
        return torch_mean(x, axis, keepdims)
    return x.mean() if axis is None else x.mean(dim=axis, keepdim=keepdims)


def _variance(x: np.ndarray, axis: Any, correction: float, keepdims: bool,
              name: str = "var") -> np.ndarray:
    """The variance in float64 (PyTorch's Welford pass runs in float64 for every float
    dtype); with no degrees of freedom left, sum of squares / 0: nan or inf, as torch."""
    n = _count(x.shape, axis)
    wide = x if x.dtype == np.float64 else x.astype(np.float64)
    if n > correction:
        return np.asanyarray(wide.var(axis=axis, ddof=correction, keepdims=keepdims))
    warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly less "
                  "than the reduction factor (input numel divided by output numel).",
                  UserWarning, stacklevel=6 if name == "var" else 7)  # (the user's line)
    centered = wide - wide.mean(axis=axis, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):  # 0/0 = nan, s/0 = inf: as torch
        return np.asanyarray(np.sum(centered * centered, axis=axis, keepdims=keepdims) / 0.0)


class Var(_Op):
    """Variance with Bessel's ``correction`` (1 by default, as ``torch.var``)."""

    _grad_fn_name = "VarBackward0"
    ctx_fields = ("axis", "correction", "keepdims")

    @staticmethod
    def forward(ctx: Any, x: Any, axis: Any, correction: float, keepdims: bool) -> Any:
        ctx.save_for_backward(x)
        ctx.axis, ctx.correction, ctx.keepdims = axis, correction, keepdims
        return _variance(x, axis, correction, keepdims).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        axis, correction, keepdims = ctx.axis, ctx.correction, ctx.keepdims
        with np.errstate(invalid="ignore"):  # inf * 0: nan, as torch
            return _var_backward(grad, x, axis, correction, keepdims), None, None, None


class Std(_Op):
    """Standard deviation sqrt(var); one op so that its grad_fn reads StdBackward0."""

    _grad_fn_name = "StdBackward0"
    ctx_fields = ("axis", "correction", "keepdims")

    @staticmethod
    def forward(ctx: Any, x: Any, axis: Any, correction: float, keepdims: bool) -> Any:
        ctx.axis, ctx.correction, ctx.keepdims = axis, correction, keepdims
        out = np.sqrt(_variance(x, axis, correction, keepdims, "std")).astype(x.dtype,
                                                                             copy=False)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, out = ctx.saved_tensors
        axis, correction, keepdims = ctx.axis, ctx.correction, ctx.keepdims
        # d(sqrt v)/dx = dv/dx / (2 sqrt v), and 0 where std == 0 (a constant slice: the
        # subgradient PyTorch takes, where 0 / 0 would be NaN)
        with np.errstate(divide="ignore", invalid="ignore"):
            grad_var = _masked_zero(np.asanyarray(getattr(out, "_data", out)) == 0,
                                    grad / (out * 2))
            return _var_backward(grad_var, x, axis, correction, keepdims), None, None, None


class Norm(_Op):
    """The vector p-norm over ``axis`` (all when None): ``(sum |x|^p)^(1/p)``; p = 0 counts
    the nonzero elements, p = +-inf is the max (min) of |x|. Backward is PyTorch's
    ``norm_backward``, which takes the subgradient 0 where the formula is 0/0 (a norm of
    zeros, zeros in x for p < 1) and splits the gradient evenly between ties for inf."""

    _grad_fn_name = "LinalgVectorNormBackward0"
    ctx_fields = ("p", "axis", "keepdims")

    @staticmethod
    def forward(ctx: Any, x: Any, p: float, axis: Any, keepdims: bool) -> Any:
        ctx.p, ctx.axis, ctx.keepdims = p, axis, keepdims
        out = vector_pnorm(x, p, axis, keepdims)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, norm = ctx.saved_tensors
        p, axis, keepdims = ctx.p, ctx.axis, ctx.keepdims
        if p == 0:  # piecewise constant: no gradient at all (None, as PyTorch)
            return None, None, None, None
        if len(x.shape):
            grad, norm = _expand(grad, axis, keepdims), _expand(norm, axis, keepdims)
        with np.errstate(divide="ignore", invalid="ignore"):
            return _norm_grad(grad, x, p, axis, norm), None, None, None


# torch.norm(x, p, dim) at the C++ level (F.pairwise_distance calls it): the same op
NormScalarOptDim = labelled(Norm, "NormBackward1")


def vector_norm_op(op: type[Norm], x: Tensor, p: Any, dim: Any, keepdim: _bool) -> Tensor:
    """``x.norm(p, dim, keepdim)``, its arguments checked, recorded as ``op`` (``Norm``, or
    ``NormScalarOptDim`` where PyTorch's C++ code calls its older ``norm``)."""
    if x._data.dtype not in FLOATING:
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex "
                           f"tensor as input. Got {_scalar_name(x)}. Hint: call .float() "
                           "first.")
    if isinstance(p, str):
        if p != "fro":
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
        if isinstance(dim, (tuple, list)) and len(dim) > 2:
            raise RuntimeError("linalg.matrix_norm: dim must be a 2-tuple. Got "
                               + " ".join(str(d) for d in dim))
        p = 2
    p = _float(p)
    axes = _norm_axes(dim, x._data.ndim)
    _check_norm_identity(x._data, p, axes)
    return op.apply(x, p, axes, keepdim)


def vector_pnorm(x: np.ndarray, p: float, axis: Any, keepdims: bool) -> np.ndarray:
    """``Norm``'s forward on an array (``dist`` uses it too)."""
    w = x.astype(np.float32) if x.dtype in REDUCED else x  # (float16: in float32, as torch)
    a = np.abs(w)
    if p == 0:
        out = np.sum(a != 0, axis=axis, keepdims=keepdims, dtype=w.dtype)
    elif p == 1:
        out = _sum(a, axis, keepdims)
    elif p == 2:
        out = np.sqrt(_sum(w * w, axis, keepdims))
    elif math.isinf(p):
        out = (np.max if p > 0 else np.min)(a, axis=axis, keepdims=keepdims)
    else:
        with np.errstate(divide="ignore"):  # 0^-1 = inf: the norm is then 0, as torch
            out = _sum(a**p, axis, keepdims) ** (1 / p)
    return np.asanyarray(out, dtype=x.dtype)


def _norm_grad(grad: Any, x: Any, p: float, axis: Any, norm: Any) -> Any:
    """d(p-norm)/dx times ``grad`` (``grad`` and ``norm`` with the reduced dims kept)."""
    zero_norm = np.asanyarray(getattr(norm, "_data", norm)) == 0
    if p == 1:
        return dual.sign(x) * grad
    if p == 2:
        return grad * _masked_zero(zero_norm, x / norm)
    a = dual.abs(x)
    if math.isinf(p):  # the extreme |x| (and NaNs) share the gradient evenly
        data, n = np.abs(_arr(x)), np.asanyarray(getattr(norm, "_data", norm))
        mask = (data == n) | np.isnan(data)
        count = mask.sum(axis=axis, keepdims=True).astype(data.dtype)
        return dual.sign(x) * ((grad / dual.constant(count, grad)) * dual.constant(mask, grad))
    if p < 1:
        scaled = dual.sign(x) * _masked_zero(_arr(x) == 0, a ** (p - 1))
        return scaled * grad * norm ** (1 - p)
    scaled = dual.sign(x) * a ** (p - 1) if p < 2 else x * a ** (p - 2)
    return scaled * _masked_zero(zero_norm, grad / norm ** (p - 1))


def _sum(x: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
    """A float sum, added in PyTorch's order where that is known."""
    return torch_sum(x, axis, keepdims)


def _max_or_minus_inf(x: np.ndarray, axis: Any) -> np.ndarray:
    """The max over ``axis`` (kept), -inf over an empty dim (numpy raises there)."""
    return np.max(x, axis=axis, keepdims=True, initial=-np.inf)


def _in_float32(fn: Any) -> Any:
    """Run a float16/bfloat16 forward in float32 and round the result back, as PyTorch's
    CPU softmax kernels do (16 bits in, float32 arithmetic, 16 bits out)."""

    def forward(ctx: Any, x: Any, *args: Any) -> Any:
        if x.dtype not in REDUCED:
            return fn(ctx, x, *args)
        out = fn(ctx, x.astype(np.float32), *args).astype(x.dtype)
        ctx._saved = tuple(out if getattr(v, "dtype", None) == np.float32 else v
                           for v in ctx._saved)  # backward works on the 16-bit output
        return out

    return staticmethod(forward)


class LogSumExp(_Op):
    """log(sum(exp(x))) computed as m + log(sum(exp(x - m))): finite for large x; -inf
    over an empty dim (the log of an empty sum), as PyTorch."""

    _grad_fn_name = "LogsumexpBackward0"
    ctx_fields = ("axis", "keepdims", "out")  # out: kept with its reduced dims

    @staticmethod
    def forward(ctx: Any, x: Any, axis: Any, keepdims: bool) -> Any:
        m = _max_or_minus_inf(x, axis)
        m = np.where(np.isfinite(m), m, 0)
        with np.errstate(divide="ignore"):  # log(0) = -inf: all -inf, or an empty dim
            out = np.log(torch_sum(np.exp(x - m), axis, True)) + m
        ctx.axis, ctx.keepdims, ctx.out = axis, keepdims, out
        result = out if keepdims else out.squeeze(axis)
        ctx.save_for_backward(x, result)  # (PyTorch saves both: both are version-checked)
        return result

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, _ = ctx.saved_tensors
        axis, keepdims, out = ctx.axis, ctx.keepdims, ctx.out
        if not isinstance(x, np.ndarray):  # recompute on the graph for double backward
            out = x.logsumexp(dim=axis, keepdim=True)
        with np.errstate(invalid="ignore"):  # -inf - -inf: NaN, as torch
            return _expand(grad, axis, keepdims) * dual.exp(x - out), None, None  # = softmax


def _softmax(ctx: Any, x: Any, axis: int) -> Any:
    with np.errstate(invalid="ignore"):  # a row of -inf: NaN, as torch
        e = np.exp(x - _max_or_minus_inf(x, axis))
        out = e / e.sum(axis=axis, keepdims=True)
    ctx.save_for_backward(out)
    ctx.axis = axis
    return out


def _log_softmax(ctx: Any, x: Any, axis: int) -> Any:
    ctx.axis = axis
    if _few_classes(x, axis):
        out = _class_major_log_softmax(x)
    else:
        with np.errstate(invalid="ignore", divide="ignore"):  # a row of -inf: NaN, as torch
            shifted = x - _max_or_minus_inf(x, axis)
            out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    ctx.save_for_backward(out)
    return out


# A classifier's logits are (batch, a few classes): numpy works through each short row on
# its own, slowly. There the arithmetic runs on the transpose, (classes, batch): every
# step is then a few long rows (the same operations on the same numbers, only faster).
_FEW = 16


def _few_classes(x: Any, axis: int) -> bool:
    return isinstance(x, np.ndarray) and x.ndim == 2 and axis == 1 and 0 < x.shape[1] <= _FEW


def _class_major_log_softmax(x: np.ndarray) -> np.ndarray:
    """``log_softmax(x, 1)`` of a (batch, few classes) array, computed on its transpose."""
    xc = x.T.copy()  # (C, M), row-major
    with np.errstate(invalid="ignore", divide="ignore"):  # a row of -inf: NaN, as torch
        shifted = xc - np.maximum.reduce(xc, axis=0)
        shifted -= np.log(_ones(xc.shape[0], xc.dtype) @ np.exp(shifted))
    return shifted.T.copy()


def _class_major_log_softmax_grad(grad: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``grad - exp(y) * grad.sum(1)`` for (batch, few classes) arrays, on transposes."""
    gc, yc = grad.T, y.T  # (C, M) views
    total = _ones(gc.shape[0], gc.dtype) @ gc
    out = np.exp(yc)
    out *= total
    np.subtract(gc, out, out=out)
    return out.T.copy()


def _softmax_grad(y: Any, grad: Any, axis: int) -> Any:
    """Jacobian-vector product of softmax: y * (g - sum(g * y))."""
    return y * (grad - dual.sum(grad * y, axis, keepdims=True))


def _log_softmax_grad(y: Any, grad: Any, axis: int) -> Any:
    """d/dx of x - logsumexp(x): grad - softmax(x) * (the row sum of grad)."""
    if _few_classes(grad, axis) and isinstance(y, np.ndarray):
        return _class_major_log_softmax_grad(grad, y)
    return grad - dual.exp(y) * dual.sum(grad, axis, keepdims=True)


class Softmax(_Op):
    """exp(x - max) / sum(exp(x - max)) along ``axis`` (stable for any x; float16 computed
    in float32)."""

    _grad_fn_name = "SoftmaxBackward0"
    ctx_fields = ("axis",)
    forward = _in_float32(_softmax)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (y,) = ctx.saved_tensors
        return dual.in_float32(_softmax_grad, y, grad, ctx.axis), None


class LogSoftmax(_Op):
    """x - logsumexp(x) along ``axis``; fused because log(softmax(x)) underflows (float16
    computed in float32)."""

    _grad_fn_name = "LogSoftmaxBackward0"
    ctx_fields = ("axis",)
    forward = _in_float32(_log_softmax)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (y,) = ctx.saved_tensors
        return dual.in_float32(_log_softmax_grad, y, grad, ctx.axis), None


# ---------------------------------------------------------------------------- scans
def _reverse_cumsum(a: Any, axis: int) -> Any:
    """out[i] = sum of a[j] for j >= i along ``axis``."""
    if dual._is_array(a):
        return np.flip(scan(np.add, np.flip(a, axis), axis), axis)
    return a.flip(axis).cumsum(axis).flip(axis)


def _cumprod(a: Any, axis: int) -> Any:
    return scan(np.multiply, a, axis) if dual._is_array(a) else a.cumprod(axis)


def _prod(a: Any, axis: int) -> Any:
    return np.prod(a, axis=axis, keepdims=True) if dual._is_array(a) else a.prod(axis, True)


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
    ctx_fields = ("weight",)

    @staticmethod
    def forward(ctx: Any, start: Any, end: Any, weight: float) -> Any:
        ctx.weight = weight
        return lerp(start, end, np.asanyarray(weight, start.dtype))

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        w = ctx.weight
        return grad * (1 - w), grad * w, None


# ------------------------------------------------------------------ the Tensor methods
def _correction(unbiased: _bool | None, correction: _float | None) -> _float:
    if correction is not None:
        return correction
    return 0 if unbiased is False else 1


def _scalar_name(x: Tensor) -> str:
    """PyTorch's name of a dtype in messages: Float, Double, Long, Bool, ..."""
    return scalar_type_name(x._data.dtype)  # torch.FloatTensor -> Float


def _check_norm_identity(data: np.ndarray, p: _float, axes: tuple[_int, ...] | None) -> None:
    """A norm with no identity (p = inf, or p < 0) of an empty slice raises, as PyTorch."""
    if p >= 0 and not math.isinf(p) or data.size:
        return
    shown = str(p) if math.isinf(p) or p != _int(p) else str(_int(p))
    empty = [a for a in (axes or ()) if data.shape[a] == 0]
    if axes is None:
        raise RuntimeError(f"linalg.vector_norm cannot compute the {shown} norm on an empty "
                           "tensor because the operation does not have an identity")
    if empty:
        raise RuntimeError(f"linalg.vector_norm cannot compute the {shown} norm on the "
                           f"dimension {empty[0]}because this dimension is empty and the "
                           "operation does not have an identity")


def _need_float(x: Tensor, name: str) -> None:
    if x._data.dtype not in FLOATING:
        raise RuntimeError(
            f"{name}(): could not infer output dtype. Input dtype must be either a floating "
            f"point or complex dtype. Got: {x.dtype.name.title().replace('Int64', 'Long')}"
        )


class ReduceMethods(TensorBase):
    """The Tensor's reductions: sum, mean, max/min, prod, var/std, norm, logsumexp, counts."""

    __slots__ = ()

    # ------------------------------------------------------------------ reductions
    def sum(self, dim: Any = None, keepdim: _bool = False, dtype: Any = None) -> Tensor:
        """Sum over ``dim`` (all when None); ints and bools sum to int64."""
        if dim is None and dtype is None and not keepdim \
                and self._data.dtype in FLOATING:  # the usual x.sum(), inline
            return SumAll.apply(self)
        x = self if dtype is None else _operand_as(self, dtypes.to_dtype(dtype))
        np_dtype = np.int64 if x._data.dtype.kind in "biu" else None
        axes = _norm_axes(dim, x._data.ndim)
        return (SumAll if dim is None else Sum).apply(x, axes, keepdim, np_dtype)

    def mean(self, dim: Any = None, keepdim: _bool = False, dtype: Any = None) -> Tensor:
        """Mean over ``dim`` (all when None); float tensors only, as in PyTorch."""
        if dim is None and dtype is None and not keepdim \
                and self._data.dtype in FLOATING:  # the usual loss.mean(), inline
            return MeanAll.apply(self)
        x = self if dtype is None else _operand_as(self, dtypes.to_dtype(dtype))
        _need_float(x, "mean")
        axes = _norm_axes(dim, x._data.ndim)
        return (MeanAll if dim is None else Mean).apply(x, axes, keepdim)

    def _extreme(self, dim: Any, keepdim: _bool, smallest: _bool, name: str) -> Any:
        if dim is None:
            if self._data.size == 0:
                raise RuntimeError(f"{name}(): Expected reduction dim to be specified for "
                                   "input.numel() == 0. Specify the reduction dim with the "
                                   "'dim' argument.")
            return (MinAll if smallest else MaxAll).apply(self, None, False, smallest)
        if isinstance(dim, TensorBase):  # torch.max(a, b) is maximum
            return self.minimum(dim) if smallest else self.maximum(dim)
        axis = _norm_axis(dim, self._data.ndim)
        _check_nonempty_dims(self._data, (axis,), name)
        values = (MinDim if smallest else MaxDim).apply(self, axis, keepdim, smallest)
        if self._data.ndim == 0:
            return _MinMax(values, _wrap(np.asanyarray(0)), name)
        arg = (np.argmin if smallest else np.argmax)(self._data, axis=axis)
        indices = _wrap(np.expand_dims(arg, axis) if keepdim else np.asanyarray(arg))
        return _MinMax(values, indices, name)

    def max(self, dim: Any = None, keepdim: _bool = False) -> Any:
        """The largest value; with ``dim``, a ``(values, indices)`` pair along it."""
        return self._extreme(dim, keepdim, False, "max")

    def min(self, dim: Any = None, keepdim: _bool = False) -> Any:
        """The smallest value; with ``dim``, a ``(values, indices)`` pair along it."""
        return self._extreme(dim, keepdim, True, "min")

    def amax(self, dim: Any = (), keepdim: _bool = False) -> Tensor:
        """The largest values over ``dim`` (an int or a tuple; all when empty); ties share
        the gradient evenly."""
        axes = _norm_axes(dim, self._data.ndim)
        _check_nonempty_dims(self._data, axes, "amax")
        return Amax.apply(self, axes, keepdim, False)

    def amin(self, dim: Any = (), keepdim: _bool = False) -> Tensor:
        """The smallest values over ``dim`` (an int or a tuple; all when empty); ties share
        the gradient evenly."""
        axes = _norm_axes(dim, self._data.ndim)
        _check_nonempty_dims(self._data, axes, "amin")
        return Amin.apply(self, axes, keepdim, True)

    def argmax(self, dim: _int | None = None, keepdim: _bool = False) -> Tensor:
        """Index of the largest value (of the flattened tensor when ``dim`` is None)."""
        return self._arg(np.argmax, dim, keepdim)

    def argmin(self, dim: _int | None = None, keepdim: _bool = False) -> Tensor:
        """Index of the smallest value (of the flattened tensor when ``dim`` is None)."""
        return self._arg(np.argmin, dim, keepdim)

    def _arg(self, fn: Any, dim: Any, keepdim: _bool) -> Tensor:
        name = "argmax" if fn is np.argmax else "argmin"
        if self._data.dtype == np.bool_:
            raise RuntimeError(f"{name}(): does not support bool input")
        axes = None if dim is None else (_norm_axis(dim, self._data.ndim),)
        _check_nonempty_dims(self._data, axes, name, IndexError)
        if dim is None:
            out = np.asanyarray(fn(self._data), dtype=np.int64)
            return _wrap(out.reshape((1,) * self._data.ndim) if keepdim else out)
        axis = _norm_axis(dim, self._data.ndim)
        if not self._data.ndim:  # a 0-d tensor: index 0, still 0-d with keepdim
            return _wrap(np.zeros((), np.int64))
        out = fn(self._data, axis=axis)
        return _wrap(np.asanyarray(np.expand_dims(out, axis) if keepdim else out, dtype=np.int64))

    @autocast_op("prod")
    def prod(self, dim: Any = None, keepdim: _bool = False, dtype: Any = None) -> Tensor:
        """Product over ``dim`` (all when None)."""
        x = self if dtype is None else _operand_as(self, dtypes.to_dtype(dtype))
        if x._data.dtype.kind in "biu":
            x = x.long()
        return (ProdAll if dim is None else Prod).apply(x, _norm_axes(dim, x._data.ndim),
                                                            keepdim)

    def var(self, dim: Any = None, unbiased: _bool | None = None, keepdim: _bool = False, *,
            correction: _float | None = None) -> Tensor:
        """Variance, dividing by N - correction (correction=1 unless ``unbiased=False``)."""
        _need_float(self, "var")
        c = _correction(unbiased, correction)
        return Var.apply(self, _norm_axes(dim, self._data.ndim, True), c, keepdim)

    def _std(self, dim: Any, unbiased: _bool | None, keepdim: _bool,
             correction: _float | None) -> Tensor:
        _need_float(self, "std")
        c = _correction(unbiased, correction)
        return Std.apply(self, _norm_axes(dim, self._data.ndim, True), c, keepdim)

    def std(self, dim: Any = None, unbiased: _bool | None = None, keepdim: _bool = False, *,
            correction: _float | None = None) -> Tensor:
        """Standard deviation: sqrt of ``var`` with the same arguments."""
        return self._std(dim, unbiased, keepdim, correction)

    def logsumexp(self, dim: Any, keepdim: _bool = False) -> Tensor:
        """log(sum(exp(self))) over ``dim``, stable for large values."""
        x = self if self._data.dtype in FLOATING else self.float()
        return LogSumExp.apply(x, _norm_axes(dim, x._data.ndim), keepdim)

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: _bool = False,
             dtype: Any = None) -> Tensor:
        """The p-norm over ``dim`` (of all elements by default): ``(sum |x|^p)^(1/p)``,
        p a number (0 counts nonzeros, inf takes the max |x|), "fro" (p = 2 over one
        dim or a pair of dims) or "nuc" (the nuclear norm of a matrix, or over a pair of
        dims: ``linalg.matrix_norm``), computed in ``dtype`` when given. Its gradient at 0 is 0,
        as PyTorch's subgradient.

        >>> tg.tensor([3.0, -4.0]).norm()
        tensor(5.)
        """
        x = self if dtype is None else _operand_as(self, dtypes.to_dtype(dtype))
        if p == "nuc":  # (the sum of the singular values: a matrix norm, built on this file)
            from .matrix_norms import matrix_norm
            dims = range(x.ndim) if dim is None else [dim] if isinstance(dim, int) else dim
            return matrix_norm(x, "nuc", tuple(dims), keepdim)
        return vector_norm_op(Norm, x, p, dim, keepdim)

    def all(self, dim: Any = None, keepdim: _bool = False) -> Tensor:
        """True where every element (along ``dim``) is nonzero (uint8 stays uint8, as
        PyTorch)."""
        out = np.all(self._data, axis=_norm_axes(dim, self.ndim), keepdims=keepdim)
        return _wrap(np.asanyarray(out, np.uint8 if self._data.dtype == np.uint8 else np.bool_))

    def any(self, dim: Any = None, keepdim: _bool = False) -> Tensor:
        """True where some element (along ``dim``) is nonzero (uint8 stays uint8)."""
        out = np.any(self._data, axis=_norm_axes(dim, self.ndim), keepdims=keepdim)
        return _wrap(np.asanyarray(out, np.uint8 if self._data.dtype == np.uint8 else np.bool_))

    def count_nonzero(self, dim: Any = None) -> Tensor:
        """The number of nonzero elements (along ``dim``)."""
        return _wrap(np.asanyarray(np.count_nonzero(self._data, axis=_norm_axes(dim, self.ndim)),
                                dtype=np.int64))

    def unique(self, sorted: _bool = True, return_inverse: _bool = False,
               return_counts: _bool = False, dim: Any = None) -> Any:
        """The distinct values, sorted (optionally with inverse indices and counts)."""
        out = np.unique(self._data, return_inverse=return_inverse,  # type: ignore[call-overload]
                        return_counts=return_counts, axis=dim)
        if not (return_inverse or return_counts):
            return _wrap(out)
        first, *rest = out
        extra = [_wrap(np.asanyarray(r, dtype=np.int64).reshape(self._data.shape)
                       if return_inverse and i == 0 else np.asanyarray(r, dtype=np.int64))
                 for i, r in enumerate(rest)]
        return (_wrap(first), *extra)

    def bincount(self, weights: Tensor | None = None, minlength: _int = 0) -> Tensor:
        """How often each value 0, 1, ... occurs in a 1-D tensor of non-negative ints
        (int64), at least ``minlength`` counts; with ``weights``, the sum of the weights of
        each value's elements (float32 for float32 weights, float64 for any other)."""
        data = self._data
        if data.dtype.kind not in "iub" or data.dtype == np.bool_:
            raise NotImplementedError(f"\"bincount_cpu\" not implemented for "
                                      f"'{scalar_type_name(data.dtype)}'")
        if data.ndim != 1 or (data.size and data.min() < 0):
            raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
        if minlength < 0:
            raise RuntimeError("minlength should be >= 0")
        if weights is None:
            return _wrap(np.bincount(data, minlength=minlength).astype(np.int64))
        w = weights._data
        if w.ndim != 1 or w.shape[0] != data.shape[0]:
            raise RuntimeError("weights should be 1-d and have the same length as input")
        out = np.bincount(data, w.astype(np.float64), minlength=minlength)
        return _wrap(out.astype(np.float32 if w.dtype == np.float32 else np.float64))

    def histc(self, bins: _int = 100, min: Any = 0, max: Any = 0) -> Tensor:
        """A histogram: counts of the elements in ``bins`` equal bins over [min, max] (the
        data's range when min == max), in the tensor's float dtype; elements outside are
        not counted, max itself goes in the last bin."""
        data = self._data
        if data.dtype not in FLOATING:
            raise NotImplementedError(f"\"histogram_cpu\" not implemented for "
                                      f"'{scalar_type_name(data.dtype)}'")
        if bins <= 0:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for "
                               "dimension 0")
        lo, hi = data.dtype.type(min), data.dtype.type(max)
        shown = [f"{lo:g}", f"{hi:g}"]
        if lo == hi and data.size:
            lo, hi = data.min(), data.max()
            shown = ["-nan" if v != v else f"{v:g}" for v in (lo, hi)]  # (C++'s NaN of a min)
        if lo == hi:
            lo, hi = lo - 1, hi + 1
            shown = [f"{lo:g}", f"{hi:g}"]
        if not (np.isfinite(lo) and np.isfinite(hi)):
            raise RuntimeError(f"torch.histc: range of [{shown[0]}, {shown[1]}] is not finite")
        if lo > hi:
            raise RuntimeError("torch.histc: max must be larger than min")
        inside = data[(data >= lo) & (data <= hi)]
        pos = ((inside - lo) * bins / (hi - lo)).astype(np.int64)
        pos = np.minimum(pos, bins - 1)  # max itself goes in the last bin
        return _wrap(np.bincount(pos, minlength=bins).astype(data.dtype))
