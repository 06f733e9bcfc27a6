"""Convolution (1, 2 or 3 spatial dims, plain or transposed) and pooling (2 or 3 spatial
dims, one code): Convolution, MaxPool2d/3d, AvgPool2d/3d, AdaptiveAvgPool2d.

Convolution is im2col + one batched BLAS product: the kernel windows of the padded
input are a strided view (no copy) of shape (N, C, *kernel, *out); one reshape copies
them into columns (N, groups, C/groups * prod(kernel), prod(out)), and each group's
weight (out/groups, C/groups * prod(kernel)) multiplies them. Backward is the transposed
product; its col2im adds the columns of each kernel offset back into a strided slice of
the input gradient (prod(kernel) vectorised adds, no loop over pixels). A transposed
convolution is that backward, run forward.

Pools loop over the prod(kernel) kernel offsets too, each a strided slice of the input.

Double backward: every op here is linear in each tensor input (max pool: given where
the maxima are), so each backward is another op of this module (the adjoint), recorded
like any op under ``create_graph=True``, and gradients of any order come for free.

``geo``, the geometry of a convolution: (stride, pads, dilation, groups), one stride and
dilation per spatial dim, pads (lo, hi) per spatial dim, flat: (top, bottom, left, right).
``pool``, the geometry of a pool: a ``Pool``; of an adaptive pool: (input (H, W), output
(OH, OW)). A tap is one kernel offset, numbered in row-major order over the kernel.
"""

from __future__ import annotations

import itertools
import math
from functools import reduce
from typing import Any, NamedTuple

import numpy as np

from ..dtypes import FLOATING, REDUCED
from ..parity.grad_fn_names import labelled
from . import dual
from .dual import _Op
from .matmul import _mm

_nd = np.ndarray
Geo = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], int]


class Pool(NamedTuple):
    """The geometry of a max or average pool (nn.functional checks it, sizes the output)."""

    kernel: tuple[int, ...]  # (kh, kw) or (kd, kh, kw)
    stride: tuple[int, ...]
    pads: tuple[int, ...]  # (ph, pw): rows on top and bottom, columns left and right
    dilation: tuple[int, ...]
    size: tuple[int, ...]  # the input's spatial sizes, (H, W) or (D, H, W)
    # average: (count_include_pad, divisor_override); max: None, then (once forward ran)
    # the tap of each window's max (i * kw + j in 2-d)
    extra: Any
    out: tuple[int, ...]  # the output's spatial sizes


def out_size(size: int, k: int, stride: int, pad_sum: int, dilation: int) -> int:
    """Output length of a window of ``k`` taps (``dilation`` apart) sliding by ``stride``."""
    return (size + pad_sum - dilation * (k - 1) - 1) // stride + 1


def _pad(x: np.ndarray, pads: tuple[int, ...], value: float) -> np.ndarray:
    """``x`` with (lo, hi) entries of ``value`` around each of its last len(pads) // 2 dims:
    pads = (top, bottom, left, right) for two dims."""
    if not any(pads):
        return x
    d = len(pads) // 2
    size = x.shape[x.ndim - d:]
    out = np.full(x.shape[:-d] + tuple(m + lo + hi for m, lo, hi in
                                       zip(size, pads[::2], pads[1::2])), value, x.dtype)
    out[(Ellipsis,) + tuple(slice(lo, lo + m) for m, lo in zip(size, pads[::2]))] = x
    return out


def _window(offset: tuple[int, ...], out: tuple[int, ...], stride: Any,
            dilation: Any) -> tuple[Any, ...]:
    """The index (into a padded input) of what kernel ``offset`` sees at every output
    position: one strided slice per spatial dim."""
    return (Ellipsis,) + tuple(slice(i * d, i * d + s * (o - 1) + 1, s)
                               for i, d, s, o in zip(offset, dilation, stride, out))


def _inside(pads: tuple[int, ...], size: Any) -> tuple[Any, ...]:
    """The index of the unpadded input inside its padded copy (``_pad``'s adjoint)."""
    return (Ellipsis,) + tuple(slice(lo, lo + m) for m, lo in zip(size, pads[::2]))


# ----------------------------------------------------------------------- convolution


def _out_sizes(padded: tuple[int, ...], kernel: tuple[int, ...], geo: Geo) -> tuple[int, ...]:
    """The output's spatial sizes for an already padded input."""
    stride, _, dilation, _ = geo
    return tuple(out_size(n, k, s, 0, d) for n, k, s, d in zip(padded, kernel, stride, dilation))


def _im2col(x: np.ndarray, kernel: tuple[int, ...], geo: Geo) -> np.ndarray:
    """Columns (N, groups, C/groups * prod(kernel), prod(out)) of x (N, C, *S): one copy."""
    stride, pads, dilation, groups = geo
    xp = _pad(x, pads, 0)
    n, c = xp.shape[:2]
    out = _out_sizes(xp.shape[2:], kernel, geo)
    steps = xp.strides[2:]
    windows = np.lib.stride_tricks.as_strided(
        xp, (n, c) + kernel + out,
        xp.strides[:2] + tuple(s * d for s, d in zip(steps, dilation))
        + tuple(s * st for s, st in zip(steps, stride)),
        writeable=False,
    )
    return windows.reshape(n, groups, c // groups * math.prod(kernel), math.prod(out))


def _col2im(cols: np.ndarray, x_shape: tuple[int, ...], kernel: tuple[int, ...],
            geo: Geo) -> np.ndarray:
    """The adjoint of ``_im2col``: add every column entry back where it was read from."""
    stride, pads, dilation, _ = geo
    n, c, *size = x_shape
    padded = tuple(m + lo + hi for m, lo, hi in zip(size, pads[::2], pads[1::2]))
    out = _out_sizes(padded, kernel, geo)
    cols = cols.reshape((n, c) + kernel + out)
    gxp = np.zeros((n, c) + padded, cols.dtype)
    for offset in itertools.product(*map(range, kernel)):  # one strided add per kernel tap
        gxp[_window(offset, out, stride, dilation)] += cols[(slice(None), slice(None)) + offset]
    return gxp[_inside(pads, size)]


def _grouped(w: np.ndarray, groups: int) -> np.ndarray:
    """Weight (O, C/g, *kernel) as (g, O/g, C/g * prod(kernel))."""
    return w.reshape(groups, w.shape[0] // groups, -1)


def conv_np(x: np.ndarray, w: np.ndarray, geo: Geo) -> tuple[np.ndarray, np.ndarray]:
    """(y, columns): y[n, o] = sum over c and kernel taps t of w[o, c, t] * x_padded[n, c, tap]."""
    kernel = w.shape[2:]
    cols = _im2col(x, kernel, geo)
    out = _mm(_grouped(w, geo[3]), cols)  # (N, g, O/g, prod(out)): one BLAS product per image
    stride, pads, dilation, _ = geo
    sizes = tuple(out_size(m, k, s, lo + hi, d) for m, k, s, lo, hi, d in
                  zip(x.shape[2:], kernel, stride, pads[::2], pads[1::2], dilation))
    return out.reshape((x.shape[0], w.shape[0]) + sizes), cols


def conv_input_grad_np(g: np.ndarray, w: np.ndarray, geo: Geo, x_shape: Any) -> np.ndarray:
    """dL/dx = col2im(W.T @ dL/dy), per group."""
    gg = g.reshape(g.shape[0], geo[3], -1, math.prod(g.shape[2:]))
    cols = _mm(_grouped(w, geo[3]).transpose(0, 2, 1), gg)
    return _col2im(cols, tuple(x_shape), w.shape[2:], geo)


def conv_weight_grad_np(cols: np.ndarray, g: np.ndarray, geo: Geo, w_shape: Any) -> np.ndarray:
    """dL/dW = sum over the batch of dL/dy @ columns.T, per group."""
    gg = g.reshape(g.shape[0], geo[3], -1, math.prod(g.shape[2:]))
    return (gg @ cols.transpose(0, 1, 3, 2)).sum(0).reshape(w_shape)


def _arrays(*values: Any) -> bool:
    return all(v is None or isinstance(v, _nd) for v in values)


def conv(x: Any, w: Any, geo: Geo) -> Any:
    """Convolution of arrays, or of Tensors (recorded: for double backward)."""
    return conv_np(x, w, geo)[0] if _arrays(x, w) else Convolution.apply(x, w, None, geo)


def conv_input_grad(g: Any, w: Any, geo: Geo, x_shape: Any) -> Any:
    """``conv``'s input gradient, of arrays or of Tensors (recorded)."""
    if _arrays(g, w):
        return conv_input_grad_np(g, w, geo, x_shape)
    return ConvBackward.apply(g, w, geo, tuple(x_shape), "input")


def conv_weight_grad(x: Any, g: Any, geo: Geo, w_shape: Any) -> Any:
    """``conv``'s weight gradient, of arrays or of Tensors (recorded)."""
    if _arrays(x, g):
        return conv_weight_grad_np(_im2col(x, tuple(w_shape[2:]), geo), g, geo, w_shape)
    return ConvBackward.apply(x, g, geo, tuple(w_shape), "weight")


class Convolution(_Op):
    """PyTorch's one ``convolution`` op, over 1, 2 or 3 spatial dims, for every ``conv*d``
    and ``conv_transpose*d``; x (N, C, *S), b (O,):

    - y = conv(x, W) + b, W (O, C/groups, *kernel) -> (N, O, *OS): im2col, a BLAS product,
      the bias added in place; backward keeps the columns from forward for dL/dW;
    - transposed (``out_shape`` given: y's shape), y = conv_input_grad(x, W) + b, W (C,
      O/groups, *kernel): the adjoint of ``conv`` in its input, so its gradients are
      ``conv`` (input) and ``conv_weight_grad`` with x and dL/dy swapped (weight);
      ``output_padding`` adds rows no window reads (zero there).
    """

    _grad_fn_name = "ConvolutionBackward0"
    _torch_inputs = (0, 1, 2)  # (an absent bias shows as None, as in PyTorch)
    ctx_fields = ("geo", "transposed")

    @staticmethod
    def forward(ctx: Any, x: Any, w: Any, b: Any, geo: Geo, out_shape: Any = None) -> Any:
        ctx.geo, ctx.transposed = geo, out_shape is not None
        cols = None
        if ctx.transposed:
            out = conv_input_grad_np(x, w, geo, out_shape)
        else:
            out, cols = conv_np(x, w, geo)
        if b is not None:
            out += b.reshape((-1,) + (1,) * (out.ndim - 2))
        ctx.save_for_backward(x, w, cols if ctx.needs_input_grad[1] else None)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, w, cols = ctx.saved_tensors
        geo, need = ctx.geo, ctx.needs_input_grad
        gx = gw = None
        if ctx.transposed:
            gx = conv(grad, w, geo) if need[0] else None  # the adjoint of conv_input_grad
            gw = conv_weight_grad(grad, x, geo, w.shape) if need[1] else None
        else:
            gx = conv_input_grad(grad, w, geo, x.shape) if need[0] else None
            if need[1]:
                arrays = isinstance(cols, _nd) and _arrays(grad)
                gw = conv_weight_grad_np(cols, grad, geo, w.shape) if arrays else \
                    conv_weight_grad(x, grad, geo, w.shape)
        gb = dual.sum(grad, (0,) + tuple(range(2, grad.ndim))) if need[2] else None
        return gx, gw, gb, None, None  # dL/db: the sum of dL/dy over all but the channels


class ConvBackward(_Op):
    """conv's gradients as a recorded op (for double backward), PyTorch's one node for
    both: ``wrt="input"``: dx = conv_input_grad(g, W); ``wrt="weight"``: dW =
    conv_weight_grad(x, g). Both are bilinear, so their gradients are the adjoints."""

    _grad_fn_name = "ConvolutionBackwardBackward0"

    ctx_fields = ("geo", "wrt")

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any, geo: Geo, shape: Any, wrt: str) -> Any:
        ctx.save_for_backward(a, b)
        ctx.geo, ctx.wrt = geo, wrt
        if wrt == "input":  # a, b = g, W
            return conv_input_grad_np(a, b, geo, shape)
        return conv_weight_grad_np(_im2col(a, tuple(shape[2:]), geo), b, geo, shape)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        a, b = ctx.saved_tensors
        geo, wrt = ctx.geo, ctx.wrt
        need = ctx.needs_input_grad
        if wrt == "input":  # dx = conv_input_grad(g, W): conv(dL/ddx, W) for g and
            g, w = a, b  # conv_weight_grad(dL/ddx, g) for W
            ga = conv(grad, w, geo) if need[0] else None
            gb = conv_weight_grad(grad, g, geo, w.shape) if need[1] else None
        else:  # dW = conv_weight_grad(x, g): conv_input_grad(g, dL/ddW) for x and
            x, g = a, b  # conv(x, dL/ddW) for g
            ga = conv_input_grad(g, grad, geo, x.shape) if need[0] else None
            gb = conv(x, grad, geo) if need[1] else None
        return ga, gb, None, None, None


# ---------------------------------------------------------------------------- pooling


class _Linear(_Op):
    """An op linear in its one tensor input; its backward is its adjoint, ``_adjoint``
    (another ``_Linear``), so that backward is recorded under ``create_graph=True``."""

    _adjoint: Any
    ctx_fields = ("pool",)

    @staticmethod
    def _np(v: np.ndarray, pool: Any) -> np.ndarray:
        raise NotImplementedError

    @staticmethod
    def forward(ctx: Any, v: Any, pool: Any) -> Any:
        ctx.pool = pool
        return type(ctx)._function._np(v, pool)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        adjoint = type(ctx)._function._adjoint
        if isinstance(grad, _nd):
            return adjoint._np(grad, ctx.pool), None
        return adjoint.apply(grad, ctx.pool), None


def _plan(pool: Pool) -> tuple[int, ...]:
    """Pads (lo, hi) per spatial dim, flat: ceil_mode's last window may need extra padding
    at the end of a dim."""
    pads: list[int] = []
    for k, st, p, d, n, o in zip(pool.kernel, pool.stride, pool.pads, pool.dilation,
                                 pool.size, pool.out):
        pads += [p, max(0, (o - 1) * st + (k - 1) * d + 1 - n - p)]
    return tuple(pads)


def _taps(pool: Pool) -> list[tuple[Any, ...]]:
    """Each kernel tap's window index (``_window``), in tap order."""
    return [_window(offset, pool.out, pool.stride, pool.dilation)
            for offset in itertools.product(*map(range, pool.kernel))]


def _scatter(g: np.ndarray, pool: Pool, select: Any) -> np.ndarray:
    """Add g (..., *out) back into every tap (or, with ``select(k, g)``, into some)."""
    pads = _plan(pool)
    d = len(pool.size)
    padded = tuple(m + lo + hi for m, lo, hi in zip(pool.size, pads[::2], pads[1::2]))
    gxp = np.zeros(g.shape[:-d] + padded, g.dtype)
    for k, window in enumerate(_taps(pool)):
        gxp[window] += select(k, g)
    return gxp[_inside(pads, pool.size)]


def max_pool_np(x: np.ndarray, pool: Pool) -> tuple[np.ndarray, np.ndarray]:
    """(max of each window, its tap): the first max in scan order, or a NaN (PyTorch's
    rule: a later element wins when greater or NaN)."""
    low = -np.inf if x.dtype in FLOATING else np.iinfo(x.dtype).min  # the padding
    xp = _pad(x, _plan(pool), low)
    first, *rest = _taps(pool)
    out = xp[first].copy()
    arg = np.zeros(out.shape, np.int64)
    for k, window in enumerate(rest, 1):
        tap = xp[window]
        better = (tap > out) | np.isnan(tap)
        np.copyto(out, tap, where=better)
        arg[better] = k
    return out, arg


class MaxPool2d(_Op):
    """The max of each window; the gradient goes to the window's max (``max_pool_np``).
    Over 2 or 3 spatial dims (``MaxPool3d``: the same code, PyTorch's 3-d label)."""

    _grad_fn_name = "MaxPool2DWithIndicesBackward0"
    ctx_fields = ("pool",)  # with the argmax of each window as its extra

    @staticmethod
    def forward(ctx: Any, x: Any, pool: Pool) -> Any:
        out, arg = max_pool_np(x, pool)
        ctx.pool = pool._replace(extra=arg)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        scatter = _MaxScatter3d if len(ctx.pool.kernel) == 3 else _MaxScatter
        if isinstance(grad, _nd):
            return scatter._np(grad, ctx.pool), None
        return scatter.apply(grad, ctx.pool), None


class _MaxScatter(_Linear):
    """Max pool's backward: each output gradient goes to its window's argmax."""

    _grad_fn_name = "MaxPool2DWithIndicesBackwardBackward0"

    @staticmethod
    def _np(g: np.ndarray, pool: Pool) -> np.ndarray:
        arg = pool.extra
        return _scatter(g, pool, lambda k, g: np.where(arg == k, g, 0))


class _MaxGather(_Linear):
    """The adjoint of ``_MaxScatter``: read each window's argmax element of v."""

    @staticmethod
    def _np(v: np.ndarray, pool: Pool) -> np.ndarray:
        vp, arg = _pad(v, _plan(pool), 0), pool.extra
        out = np.zeros(v.shape[:v.ndim - len(pool.size)] + pool.out, v.dtype)
        for k, window in enumerate(_taps(pool)):
            np.copyto(out, vp[window], where=arg == k)
        return out


MaxPool3d = labelled(MaxPool2d, "MaxPool3DWithIndicesBackward0")
_MaxScatter3d = labelled(_MaxScatter, "MaxPool3DWithIndicesBackwardBackward0")
_MaxScatter._adjoint, _MaxGather._adjoint = _MaxGather, _MaxScatter
_MaxScatter3d._adjoint = _MaxGather


def _divisor_1d(size: int, n_out: int, k: int, stride: int, pad: int, include_pad: bool) -> Any:
    """Per output position: the window's length inside input + padding (or input only)."""
    start = np.arange(n_out) * stride - pad
    end = np.minimum(start + k, size + pad)
    if include_pad:
        return end - start
    return np.minimum(end, size) - np.maximum(start, 0)


def _avg_divisor(pool: Pool, dtype: np.dtype) -> Any:
    include_pad, override = pool.extra
    if override is not None:
        return dtype.type(override)
    per_dim = [_divisor_1d(n, o, k, st, p, include_pad) for n, o, k, st, p in
               zip(pool.size, pool.out, pool.kernel, pool.stride, pool.pads)]
    return reduce(np.multiply.outer, per_dim).astype(dtype)  # the window's volume


class AvgPool2d(_Linear):
    """The sum of each window divided by its size (PyTorch's divisor rules: padding
    counted or not, windows clipped at the padded edge, or ``divisor_override``).
    Over 2 or 3 spatial dims (``AvgPool3d``: the same code, PyTorch's 3-d label)."""

    _grad_fn_name = "AvgPool2DBackward0"

    @staticmethod
    def _np(x: np.ndarray, pool: Pool) -> np.ndarray:
        xp = _pad(x, _plan(pool), 0)
        first, *rest = _taps(pool)
        out = xp[first].copy()
        for window in rest:
            out += xp[window]
        divisor = _avg_divisor(pool, x.dtype)
        if x.dtype not in FLOATING:  # int64: C's division, rounding toward zero
            return np.trunc(out / divisor).astype(x.dtype)
        out /= divisor
        return out


class _AvgScatter(_Linear):
    """Average pool's backward: g / divisor added back into every tap of its window."""

    _grad_fn_name = "AvgPool2DBackwardBackward0"

    @staticmethod
    def _np(g: np.ndarray, pool: Pool) -> np.ndarray:
        scaled = g / _avg_divisor(pool, g.dtype)
        return _scatter(scaled, pool, lambda k, g: g)


AvgPool3d = labelled(AvgPool2d, "AvgPool3DBackward0")
_AvgScatter3d = labelled(_AvgScatter, "AvgPool3DBackwardBackward0")
AvgPool2d._adjoint, _AvgScatter._adjoint = _AvgScatter, AvgPool2d
AvgPool3d._adjoint, _AvgScatter3d._adjoint = _AvgScatter3d, AvgPool3d


def _adaptive_bounds(n: int, o: int) -> list[tuple[int, int]]:
    """Window i of a dim of n cut into o: input positions [floor(i n / o), ceil((i + 1) n / o))."""
    return [(i * n // o, -(-(i + 1) * n // o)) for i in range(o)]


def _adaptive_np(v: np.ndarray, pool: Any, adjoint: bool) -> np.ndarray:
    """Each spatial dim in turn averaged over its windows (``_adaptive_bounds``); the
    adjoint spreads each entry, divided by its window's length, back over the window.
    (Window sums, not a product with an averaging matrix: 0 * inf would be nan.) 16-bit
    floats are averaged in float32 and rounded once, as PyTorch's kernels."""
    sizes, outs = pool
    dtype = v.dtype
    if dtype in REDUCED:
        v = v.astype(np.float32)
    for i, (n, o) in enumerate(zip(sizes, outs)):
        axis = v.ndim - len(sizes) + i
        w = np.moveaxis(v, axis, -1)
        bounds = _adaptive_bounds(n, o)
        if adjoint:
            out = np.zeros(w.shape[:-1] + (n,), v.dtype)
            for j, (start, end) in enumerate(bounds):
                out[..., start:end] += w[..., j : j + 1] / v.dtype.type(end - start)
        else:
            out = np.empty(w.shape[:-1] + (o,), v.dtype)  # (o may be 0)
            for j, (start, end) in enumerate(bounds):
                out[..., j] = w[..., start:end].sum(-1) / v.dtype.type(end - start)
        v = np.moveaxis(out, -1, axis)
    return v.astype(dtype, copy=False)


class AdaptiveAvgPool2d(_Linear):
    """The mean of each adaptive window (``_adaptive_np``), dim by dim; over 2 or
    3 spatial dims (``AdaptiveAvgPool3d``: the same code, PyTorch's 3-d label)."""

    _grad_fn_name = "AdaptiveAvgPool2DBackward0"

    @staticmethod
    def _np(x: np.ndarray, pool: Any) -> np.ndarray:
        return _adaptive_np(x, pool, False)


class _AdaptiveScatter(_Linear):
    """The adjoint of ``AdaptiveAvgPool2d``: g / window length spread over each window."""

    _grad_fn_name = "AdaptiveAvgPool2DBackwardBackward0"

    @staticmethod
    def _np(g: np.ndarray, pool: Any) -> np.ndarray:
        return _adaptive_np(g, pool, True)


AdaptiveAvgPool3d = labelled(AdaptiveAvgPool2d, "AdaptiveAvgPool3DBackward0")
AdaptiveAvgPool2d._adjoint, _AdaptiveScatter._adjoint = _AdaptiveScatter, AdaptiveAvgPool2d
_AdaptiveScatter3d = labelled(_AdaptiveScatter, "AdaptiveAvgPool3DBackwardBackward0")
AdaptiveAvgPool3d._adjoint, _AdaptiveScatter3d._adjoint = _AdaptiveScatter3d, AdaptiveAvgPool3d


def _adaptive_windows(n: int, o: int) -> np.ndarray:
    """(o, L): row i lists the input positions of window i (``_adaptive_bounds``), its last
    repeated up to the longest window's length L (a repeat never changes a max)."""
    start, end = np.array(_adaptive_bounds(n, o)).T
    return np.minimum(start[:, None] + np.arange((end - start).max()), end[:, None] - 1)


def adaptive_max_np(x: np.ndarray, sizes: Any, outs: Any) -> tuple[np.ndarray, np.ndarray]:
    """(max of each adaptive window, its flat index into prod(sizes)): the first max, or a
    NaN. All windows are read at once: (..., *out, window) gathered from x's flat dims."""
    d = len(sizes)
    flat: Any = 0
    for i, (n, o) in enumerate(zip(sizes, outs)):
        shape = [1] * (2 * d)
        shape[i], shape[d + i] = o, -1
        flat = flat * n + _adaptive_windows(n, o).reshape(shape)
    flat = flat.reshape(tuple(outs) + (-1,))  # (*out, window)
    values = x.reshape(x.shape[:x.ndim - d] + (-1,))[..., flat]
    k = np.argmax(values, -1)[..., None]  # the first max; a NaN counts as the largest
    index = np.take_along_axis(np.broadcast_to(flat, values.shape), k, -1)[..., 0]
    return np.take_along_axis(values, k, -1)[..., 0], index


class AdaptiveMaxPool2d(_Op):
    """The max of each adaptive window (``adaptive_max_np``); the gradient goes to it.
    Over 2 or 3 spatial dims (``AdaptiveMaxPool3d``: the same code, PyTorch's 3-d label).
    ``pool``: (input sizes, output sizes); ctx.pool adds the flat index of each max."""

    _grad_fn_name = "AdaptiveMaxPool2DBackward0"
    ctx_fields = ("pool",)

    @staticmethod
    def forward(ctx: Any, x: Any, pool: Any) -> Any:
        out, index = adaptive_max_np(x, *pool)
        ctx.pool = (pool[0], index)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        scatter = _IndexScatter3d if len(ctx.pool[0]) == 3 else _IndexScatter
        if isinstance(grad, _nd):
            return scatter._np(grad, ctx.pool), None
        return scatter.apply(grad, ctx.pool), None


def _rows(index: np.ndarray, sizes: Any) -> tuple[int, int, int]:
    """(rows, entries per row of index, of the input): index (..., *out) by row."""
    d = len(sizes)
    rows = math.prod(index.shape[:index.ndim - d])
    return rows, math.prod(index.shape[index.ndim - d:]), math.prod(sizes)


class _IndexScatter(_Linear):
    """An adaptive max pool's backward: dx (..., *sizes) gets each g at its flat index
    (added where windows share a max). ``pool``: (input sizes, index)."""

    _grad_fn_name = "AdaptiveMaxPool2DBackwardBackward0"

    @staticmethod
    def _np(g: np.ndarray, pool: Any) -> np.ndarray:
        sizes, index = pool
        rows, n_out, n_in = _rows(index, sizes)
        at = np.arange(rows)[:, None] * n_in + index.reshape(rows, n_out)
        out = np.bincount(at.ravel(), g.reshape(-1), rows * n_in).astype(g.dtype)
        return out.reshape(index.shape[:index.ndim - len(sizes)] + tuple(sizes))


class _IndexGather(_Linear):
    """The adjoint of ``_IndexScatter``: read v (..., *sizes) at each flat index."""

    @staticmethod
    def _np(v: np.ndarray, pool: Any) -> np.ndarray:
        sizes, index = pool
        rows, n_out, n_in = _rows(index, sizes)
        return np.take_along_axis(v.reshape(rows, n_in), index.reshape(rows, n_out),
                                  1).reshape(index.shape)


AdaptiveMaxPool3d = labelled(AdaptiveMaxPool2d, "AdaptiveMaxPool3DBackward0")
_IndexScatter3d = labelled(_IndexScatter, "AdaptiveMaxPool3DBackwardBackward0")
_IndexScatter._adjoint, _IndexGather._adjoint = _IndexGather, _IndexScatter
_IndexScatter3d._adjoint = _IndexGather


class MaxUnpool2d(_Op):
    """The inverse of a max pool: each input value written at its flat index into a zero
    output (..., *sizes) (a later one wins a shared index, as PyTorch's loop); the
    gradient reads each index back (``_IndexGather``). ``pool``: (output sizes, index).
    Over 2 or 3 spatial dims (``MaxUnpool3d``: the same code, PyTorch's 3-d label)."""

    _grad_fn_name = "MaxUnpool2DBackward0"
    ctx_fields = ("pool",)

    @staticmethod
    def forward(ctx: Any, x: Any, pool: Any) -> Any:
        ctx.pool = pool
        sizes, index = pool
        rows, n_out, n_in = _rows(index, sizes)
        out = np.zeros((rows, n_in), x.dtype)
        out[np.arange(rows)[:, None], index.reshape(rows, n_out)] = x.reshape(rows, n_out)
        return out.reshape(index.shape[:index.ndim - len(sizes)] + tuple(sizes))

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        if isinstance(grad, _nd):
            return _IndexGather._np(grad, ctx.pool), None
        return _IndexGather.apply(grad, ctx.pool), None


MaxUnpool3d = labelled(MaxUnpool2d, "MaxUnpool3DBackward0")
