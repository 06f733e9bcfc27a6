"""Padding, resampling and sliding windows over the last (spatial) dims: the Functions
behind ``F.pad``, ``F.interpolate``, ``F.unfold``, ``F.fold``, ``F.grid_sample`` and
``F.affine_grid``.

Every op here is linear in its input, so each backward is the op's adjoint, itself a
recorded op under ``create_graph=True`` (gradients of any order come for free):

- constant padding crops (negative pads) and pads with a value; its adjoint crops what
  was padded and pads with zeros what was cropped;
- reflect and replicate padding, and nearest interpolation, *gather*: each output element
  along a padded axis is the input element at ``index[j]`` (``np.take``, no arithmetic);
  the adjoint adds every output gradient back at its index (``np.add.at``);
- linear, bilinear, trilinear and bicubic interpolation multiply each resized axis by a
  matrix of weights (out, in), stored as its nonzero taps (index and weight, 2 or 4 per
  output); the adjoint multiplies by its transpose (the taps scattered back);
- unfold is im2col and fold col2im, the two halves of ``ops/conv.py``'s convolution;
- pixel shuffle and unshuffle are a reshape, a permutation and a reshape, each the
  other's adjoint (and inverse);
- grid sampling reads the input at arbitrary points: linear in the input (its adjoint
  scatters back to the corners), and piecewise smooth in the grid (see its section);
- the affine grid is a matrix product with constant pixel positions.

``index`` / ``mats``: one entry per resized axis, the last axes of the input, in order.
"""

from __future__ import annotations

import functools
import itertools
import operator
from typing import Any

import numpy as np

from ..parity import torch_range
from . import dual
from .conv import Geo, _col2im, _im2col, _Linear
from .dual import _Op
from .movement import Stack

_nd = np.ndarray

# ----------------------------------------------------------------------- constant pad


def constant_pad_np(x: np.ndarray, pads: tuple[tuple[int, int], ...], value: Any) -> np.ndarray:
    """``x`` with ``pads`` (lo, hi) per last axis: negative crops, positive adds ``value``
    (cast to x's dtype as PyTorch: truncated for ints)."""
    lead = x.ndim - len(pads)
    crop = tuple(slice(max(0, -lo), n - max(0, -hi)) for (lo, hi), n in zip(pads, x.shape[lead:]))
    core = x[(Ellipsis,) + crop]
    grow = [(max(0, lo), max(0, hi)) for lo, hi in pads]
    out = np.empty(core.shape[:lead] + tuple(n + lo + hi for n, (lo, hi) in
                                             zip(core.shape[lead:], grow)), x.dtype)
    out.fill(np.asanyarray(value).astype(x.dtype))
    inner = tuple(slice(lo, lo + n) for n, (lo, _) in zip(core.shape[lead:], grow))
    out[(Ellipsis,) + inner] = core
    return out


class ConstantPadNd(_Op):
    """y = x padded with ``value`` (or cropped, for negative pads) along its last axes."""

    _grad_fn_name = "ConstantPadNdBackward0"
    ctx_fields = ("pad",)

    @staticmethod
    def forward(ctx: Any, x: Any, pads: tuple[tuple[int, int], ...], value: Any) -> Any:
        ctx.pad = pads
        return constant_pad_np(x, pads, value)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        # the adjoint: crop what was padded, zero-pad what was cropped
        back = tuple((-lo, -hi) for lo, hi in ctx.pad)
        if isinstance(grad, _nd):
            return constant_pad_np(grad, back, 0), None, None
        return ConstantPadNd.apply(grad, back, 0), None, None


# -------------------------------------------------------------------- gather / scatter


def reflect_index(n: int, lo: int, hi: int) -> np.ndarray:
    """Input index of each output position of a reflect pad (PyTorch's formula, negative
    pads crop): ``2 lo - j`` left of the input, ``2 (n + lo - 1) - j`` right of it."""
    j = np.arange(n + lo + hi)
    ip = np.where(j < lo, 2 * lo - j, np.where(j < n + lo, j, 2 * (n + lo - 1) - j))
    return ip - max(0, lo) + max(0, -lo)


def replicate_index(n: int, lo: int, hi: int) -> np.ndarray:
    """Input index of each output position of a replicate pad: the edge element repeated."""
    j = np.arange(n + lo + hi)
    ip = np.clip(j, lo, n + lo - 1)
    return ip - max(0, lo) + max(0, -lo)


def gather_np(x: np.ndarray, index: tuple[np.ndarray, ...]) -> np.ndarray:
    """out[..., j, k] = x[..., index[0][j], index[1][k]] (one axis after the other)."""
    for axis, idx in zip(range(-len(index), 0), index):
        x = np.take(x, idx, axis=axis)
    return x


def scatter_np(g: np.ndarray, index: tuple[np.ndarray, ...], sizes: tuple[int, ...]) -> np.ndarray:
    """The adjoint of ``gather_np``: each g element added at its index (sizes: the input's)."""
    for axis, idx, n in zip(range(-len(index), 0), index, sizes):
        moved = np.moveaxis(g, axis, -1)
        out = np.zeros(moved.shape[:-1] + (n,), g.dtype)
        np.add.at(out, (Ellipsis, idx), moved)
        g = np.moveaxis(out, -1, axis)
    return g


class _Gather(_Op):
    """y = x gathered along its last axes at ``index`` (reflect/replicate pads, nearest
    interpolation: the subclasses name PyTorch's node)."""

    ctx_fields = ("index", "sizes")

    @staticmethod
    def forward(ctx: Any, x: Any, index: tuple[np.ndarray, ...]) -> Any:
        ctx.index, ctx.sizes = index, x.shape[x.ndim - len(index):]
        return gather_np(x, index)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        if isinstance(grad, _nd):
            return scatter_np(grad, ctx.index, ctx.sizes), None
        return _Scatter.apply(grad, ctx.index, ctx.sizes), None


class _Scatter(_Op):
    """The adjoint of a gather, recorded (double backward): its own adjoint is the gather."""

    ctx_fields = ("index",)

    @staticmethod
    def forward(ctx: Any, g: Any, index: tuple[np.ndarray, ...], sizes: tuple[int, ...]) -> Any:
        ctx.index = index
        return scatter_np(g, index, sizes)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        if isinstance(grad, _nd):
            return gather_np(grad, ctx.index), None, None
        return _Gather.apply(grad, ctx.index), None, None


class ReflectionPad1D(_Gather):
    """Reflect padding of the last axis."""

    _grad_fn_name = "ReflectionPad1DBackward0"


class ReflectionPad2D(_Gather):
    """Reflect padding of the last 2 axes."""

    _grad_fn_name = "ReflectionPad2DBackward0"


class ReflectionPad3D(_Gather):
    """Reflect padding of the last 3 axes."""

    _grad_fn_name = "ReflectionPad3DBackward0"


class ReplicationPad1D(_Gather):
    """Replicate padding of the last axis."""

    _grad_fn_name = "ReplicationPad1DBackward0"


class ReplicationPad2D(_Gather):
    """Replicate padding of the last 2 axes."""

    _grad_fn_name = "ReplicationPad2DBackward0"


class ReplicationPad3D(_Gather):
    """Replicate padding of the last 3 axes."""

    _grad_fn_name = "ReplicationPad3DBackward0"


# one class per (mode, number of padded axes): PyTorch's node names
PAD_OPS = {("reflect", 1): ReflectionPad1D, ("reflect", 2): ReflectionPad2D,
           ("reflect", 3): ReflectionPad3D, ("replicate", 1): ReplicationPad1D,
           ("replicate", 2): ReplicationPad2D, ("replicate", 3): ReplicationPad3D}
PAD_INDEX = {"reflect": reflect_index, "replicate": replicate_index}


# ------------------------------------------------------------------------ unfold, fold


def _unfold_np(x: np.ndarray, kernel: tuple[int, int], geo: Geo) -> np.ndarray:
    """im2col: (N, C, H, W) -> (N, C * kh * kw, L), channel-major as PyTorch (and
    (C, H, W) -> (C * kh * kw, L))."""
    cols = _im2col(x.reshape((-1,) + x.shape[-3:]), kernel, geo)
    return cols.reshape(x.shape[:-3] + (-1, cols.shape[-1]))


def _fold_np(cols: np.ndarray, size: tuple[int, int], kernel: tuple[int, int],
             geo: Geo) -> np.ndarray:
    """col2im: (N, C * kh * kw, L) -> (N, C, H, W), overlapping entries summed (and
    (C * kh * kw, L) -> (C, H, W))."""
    lead, ckk = cols.shape[:-2], cols.shape[-2]
    shape = (int(np.prod(lead)), ckk // (kernel[0] * kernel[1])) + tuple(size)
    out = _col2im(cols.reshape(shape[0], ckk, -1), shape, kernel, geo)
    return np.ascontiguousarray(out).reshape(lead + shape[1:])


class Im2Col(_Op):
    """F.unfold: every (kh, kw) window of the padded input as a column."""

    _grad_fn_name = "Im2ColBackward0"
    ctx_fields = ("kernel", "geo", "size")

    @staticmethod
    def forward(ctx: Any, x: Any, kernel: tuple[int, int], geo: Geo) -> Any:
        ctx.kernel, ctx.geo, ctx.size = kernel, geo, x.shape[-2:]
        return _unfold_np(x, kernel, geo)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        if isinstance(grad, _nd):  # the adjoint: fold
            return _fold_np(grad, ctx.size, ctx.kernel, ctx.geo), None, None
        return Col2Im.apply(grad, ctx.size, ctx.kernel, ctx.geo), None, None


class Col2Im(_Op):
    """F.fold: columns summed back into the image they would be unfolded from."""

    _grad_fn_name = "Col2ImBackward0"
    ctx_fields = ("kernel", "geo")

    @staticmethod
    def forward(ctx: Any, cols: Any, size: tuple[int, int], kernel: tuple[int, int],
                geo: Geo) -> Any:
        ctx.kernel, ctx.geo = kernel, geo
        return _fold_np(cols, size, kernel, geo)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        if isinstance(grad, _nd):  # the adjoint: unfold
            return _unfold_np(grad, ctx.kernel, ctx.geo), None, None, None
        return Im2Col.apply(grad, ctx.kernel, ctx.geo), None, None, None


# ---------------------------------------------------------------------- interpolation
# PyTorch's source coordinates (ATen's UpSample.h): output position j reads the input at
# ``scale * (j + 0.5) - 0.5`` (align_corners=False; scale = 1 / scale_factor when a
# factor was given, else in / out) or at ``scale * j`` (align_corners=True, scale =
# (in - 1) / (out - 1)). Computed in the float type PyTorch's kernel uses, rounding
# included: that decides which input element a nearest output copies.


def _source_scale(n_in: int, n_out: int, align_corners: bool, factor: float | None,
                  t: Any) -> Any:
    """The step between source coordinates, as type ``t`` (np.float32 or np.float64)."""
    if align_corners:
        return t(n_in - 1) / t(n_out - 1) if n_out > 1 else t(0)
    if factor is not None and factor > 0:
        return t(1.0 / factor)
    return t(n_in) / t(n_out)


def _half_pixel_source(scale: Any, n_out: int, t: Any) -> np.ndarray:
    """``scale * (j + 0.5) - 0.5`` for each output position j, as PyTorch's compiled kernel
    computes it: one fused multiply-add, the product not rounded before the subtraction
    (an exact 0 here or a tiny positive number decides whether a weight is exactly 0, and
    so whether 0 * inf makes a NaN). Emulated in a wider type: float64 for float32, the
    platform's long double for float64 (where it is wider than double)."""
    wide = np.longdouble if t is np.float64 else np.float64
    return (wide(scale) * (np.arange(n_out).astype(wide) + wide(0.5)) - wide(0.5)).astype(t)


def nearest_index(n_in: int, n_out: int, factor: float | None, exact: bool,
                  t: Any) -> np.ndarray:
    """Input index of each output position: floor(scale j) ('nearest', OpenCV's) or
    floor(scale (j + 0.5)) ('nearest-exact', PIL's and scikit-image's), computed in ``t``
    and rounded to float32 before the floor, as PyTorch's kernels."""
    j = np.arange(n_out).astype(t)
    scale = _source_scale(n_in, n_out, False, factor, t)
    src = scale * (j + t(0.5)) if exact else scale * j
    return np.minimum(np.floor(src.astype(np.float32)).astype(np.int64), n_in - 1)


def nearest_index_2d(n_in: int, n_out: int, factor: float | None, exact: bool) -> np.ndarray:
    """``nearest_index`` of PyTorch's kernel for 4-D inputs: float32 for every dtype, and
    plain copies when the size is kept or doubled ('nearest' only)."""
    if not exact and n_out in (n_in, 2 * n_in):
        return np.arange(n_out) * n_in // n_out
    if not exact:
        return nearest_index(n_in, n_out, factor, False, np.float32)
    scale = _source_scale(n_in, n_out, False, factor, np.float32)
    src = (np.arange(n_out) + 0.5) * np.float64(scale)  # (a double times a float, in C++)
    return np.minimum(np.floor(src.astype(np.float32)).astype(np.int64), n_in - 1)


def linear_taps(n_in: int, n_out: int, align_corners: bool, factor: float | None,
                t: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """(index, weight), each (n_out, 2), of linear interpolation: output j is
    (1 - l) x[i0] + l x[i0 + 1] (i0 + 1 clamped to the last element), with x = j's source
    coordinate clamped at 0, i0 = floor(x), l = x - i0. An unchanged size is a copy."""
    rows = np.arange(n_out)
    if n_out == n_in:
        return np.stack([rows, rows], 1), np.tile(np.array([1, 0], t), (n_out, 1))
    scale = _source_scale(n_in, n_out, align_corners, factor, t)
    j = rows.astype(t)
    x = scale * j if align_corners else np.maximum(_half_pixel_source(scale, n_out, t), t(0))
    i0 = np.minimum(np.floor(x).astype(np.int64), n_in - 1)
    lam = np.clip(x - i0.astype(t), t(0), t(1))
    return np.stack([i0, i0 + (i0 < n_in - 1)], 1), np.stack([t(1) - lam, lam], 1)


def _cubic_near(x: np.ndarray, a: Any) -> np.ndarray:
    """Keys' cubic kernel for |x| <= 1: ((a + 2) x - (a + 3)) x^2 + 1."""
    return ((a + 2) * x - (a + 3)) * x * x + 1


def _cubic_far(x: np.ndarray, a: Any) -> np.ndarray:
    """Keys' cubic kernel for 1 < |x| < 2: ((a x - 5 a) x + 8 a) x - 4 a."""
    return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a


def cubic_taps(n_in: int, n_out: int, align_corners: bool, factor: float | None,
               t: Any) -> tuple[np.ndarray, np.ndarray]:
    """(index, weight), each (n_out, 4), of bicubic interpolation (Keys, a = -0.75):
    output j weighs the inputs i0 - 1 .. i0 + 2 around its source coordinate x (not
    clamped), the indices clamped to the input (the edge element is read again)."""
    rows = np.arange(n_out)
    scale = _source_scale(n_in, n_out, align_corners, factor, t)
    j = rows.astype(t)
    x = scale * j if align_corners else _half_pixel_source(scale, n_out, t)
    i0 = np.minimum(np.floor(x).astype(np.int64), n_in - 1)
    f = np.clip(x - i0.astype(t), t(0), t(1))
    a, one = t(-0.75), t(1)
    weights = (_cubic_far(f + one, a), _cubic_near(f, a), _cubic_near(one - f, a),
               _cubic_far(one - f + one, a))
    index = [np.clip(i0 - 1 + k, 0, n_in - 1) for k in range(4)]
    return np.stack(index, 1), np.stack(weights, 1)


def resize_np(x: np.ndarray, taps: Any) -> np.ndarray:
    """Each of the last len(taps) axes resized: out[j] = sum_k weight[j, k] x[index[j, k]]
    (the (out, in) matrix with these entries, times the axis; only its nonzero taps are
    read, so an inf elsewhere on the axis stays out of j); None: an axis kept as it is."""
    for axis, tap in zip(range(-len(taps), 0), taps):
        if tap is None:
            continue
        index, weight = tap
        moved, w = np.moveaxis(x, axis, -1), weight.astype(x.dtype)
        out = moved[..., index[:, 0]] * w[:, 0]
        for k in range(1, index.shape[1]):
            out += moved[..., index[:, k]] * w[:, k]
        x = np.moveaxis(out, -1, axis)
    return np.ascontiguousarray(x)


def resize_adjoint_np(g: np.ndarray, taps: Any, sizes: tuple[int, ...]) -> np.ndarray:
    """The adjoint of ``resize_np`` (the transposed matrices): weight[j, k] g[j] added back
    at index[j, k]; ``sizes``: the input's resized axes."""
    for axis, tap, n in zip(range(-len(taps), 0), taps, sizes):
        if tap is None:
            continue
        index, weight = tap
        moved, w = np.moveaxis(g, axis, -1), weight.astype(g.dtype)
        out = np.zeros(moved.shape[:-1] + (n,), g.dtype)
        for k in range(index.shape[1]):
            np.add.at(out, (Ellipsis, index[:, k]), moved * w[:, k])
        g = np.moveaxis(out, -1, axis)
    return np.ascontiguousarray(g)


class _Resize(_Linear):
    """y = x with each resized axis interpolated from its taps (``pool``: (taps, input
    sizes)); the subclasses name PyTorch's node."""

    @staticmethod
    def _np(x: np.ndarray, pool: Any) -> np.ndarray:
        return resize_np(x, pool[0])


class _ResizeAdjoint(_Linear):
    """The adjoint of ``_Resize``: each axis's weights scattered back to their taps."""

    @staticmethod
    def _np(g: np.ndarray, pool: Any) -> np.ndarray:
        return resize_adjoint_np(g, *pool)


_Resize._adjoint, _ResizeAdjoint._adjoint = _ResizeAdjoint, _Resize


class UpsampleLinear1D(_Resize):
    """mode='linear' of a 3-D input."""

    _grad_fn_name = "UpsampleLinear1DBackward0"


class UpsampleBilinear2D(_Resize):
    """mode='bilinear' of a 4-D input."""

    _grad_fn_name = "UpsampleBilinear2DBackward0"


class UpsampleTrilinear3D(_Resize):
    """mode='trilinear' of a 5-D input."""

    _grad_fn_name = "UpsampleTrilinear3DBackward0"


class UpsampleBicubic2D(_Resize):
    """mode='bicubic' of a 4-D input."""

    _grad_fn_name = "UpsampleBicubic2DBackward0"


class UpsampleNearest1D(_Gather):
    """mode='nearest' of a 3-D input."""

    _grad_fn_name = "UpsampleNearest1DBackward0"


class UpsampleNearest2D(_Gather):
    """mode='nearest' of a 4-D input."""

    _grad_fn_name = "UpsampleNearest2DBackward0"


class UpsampleNearest3D(_Gather):
    """mode='nearest' of a 5-D input."""

    _grad_fn_name = "UpsampleNearest3DBackward0"


class UpsampleNearestExact1D(_Gather):
    """mode='nearest-exact' of a 3-D input."""

    _grad_fn_name = "UpsampleNearestExact1DBackward0"


class UpsampleNearestExact2D(_Gather):
    """mode='nearest-exact' of a 4-D input."""

    _grad_fn_name = "UpsampleNearestExact2DBackward0"


class UpsampleNearestExact3D(_Gather):
    """mode='nearest-exact' of a 5-D input."""

    _grad_fn_name = "UpsampleNearestExact3DBackward0"


# one class per (mode, number of resized axes): PyTorch's node names
UPSAMPLE_OPS: dict[tuple[str, int], Any] = {
    ("nearest", 1): UpsampleNearest1D, ("nearest", 2): UpsampleNearest2D,
    ("nearest", 3): UpsampleNearest3D, ("nearest-exact", 1): UpsampleNearestExact1D,
    ("nearest-exact", 2): UpsampleNearestExact2D, ("nearest-exact", 3): UpsampleNearestExact3D,
    ("linear", 1): UpsampleLinear1D, ("bilinear", 2): UpsampleBilinear2D,
    ("trilinear", 3): UpsampleTrilinear3D, ("bicubic", 2): UpsampleBicubic2D}


# ------------------------------------------------------------ pixel shuffle, unshuffle


def pixel_shuffle_np(x: np.ndarray, r: int) -> np.ndarray:
    """(..., C r^2, H, W) -> (..., C, H r, W r): out[c, h r + i, w r + j] =
    x[c r^2 + i r + j, h, w]."""
    *lead, c, h, w = x.shape
    y = x.reshape(*lead, c // (r * r), r, r, h, w)
    n = y.ndim
    y = y.transpose(*range(n - 5), n - 5, n - 2, n - 4, n - 1, n - 3)  # (C, H, r, W, r)
    return np.ascontiguousarray(y).reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle_np(x: np.ndarray, r: int) -> np.ndarray:
    """The inverse of ``pixel_shuffle_np``: (..., C, H r, W r) -> (..., C r^2, H, W)."""
    *lead, c, h, w = x.shape
    y = x.reshape(*lead, c, h // r, r, w // r, r)
    n = y.ndim
    y = y.transpose(*range(n - 5), n - 5, n - 3, n - 1, n - 4, n - 2)  # (C, r, r, H, W)
    return np.ascontiguousarray(y).reshape(*lead, c * r * r, h // r, w // r)


class PixelShuffle(_Op):
    """y = x's channel blocks of r^2 spread over r x r pixels; adjoint: unshuffle."""

    _grad_fn_name = "PixelShuffleBackward0"
    ctx_fields = ("factor",)

    @staticmethod
    def forward(ctx: Any, x: Any, r: int) -> Any:
        ctx.factor = r
        return pixel_shuffle_np(x, r)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        if isinstance(grad, _nd):
            return pixel_unshuffle_np(grad, ctx.factor), None
        return PixelUnshuffle.apply(grad, ctx.factor), None


class PixelUnshuffle(_Op):
    """y = x's r x r pixel blocks stacked as channels; adjoint: shuffle."""

    _grad_fn_name = "PixelUnshuffleBackward0"
    ctx_fields = ("factor",)

    @staticmethod
    def forward(ctx: Any, x: Any, r: int) -> Any:
        ctx.factor = r
        return pixel_unshuffle_np(x, r)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        if isinstance(grad, _nd):
            return pixel_shuffle_np(grad, ctx.factor), None
        return PixelShuffle.apply(grad, ctx.factor), None


# ------------------------------------------------------------------------ channel shuffle


def channel_shuffle_np(x: np.ndarray, g: int) -> np.ndarray:
    """(N, C, *) -> (N, C, *) with the channels seen as (g, C / g) read as (C / g, g):
    out[:, i g + j] = x[:, j (C / g) + i]."""
    n, c, *rest = x.shape
    y = x.reshape(n, g, c // g, *rest).swapaxes(1, 2)
    return np.ascontiguousarray(y).reshape(x.shape)


class ChannelShuffle(_Op):
    """y = x's channels interleaved group by group; adjoint: the shuffle by C / g groups
    (which undoes it)."""

    _grad_fn_name = "ChannelShuffleBackward0"
    ctx_fields = ("groups",)

    @staticmethod
    def forward(ctx: Any, x: Any, g: int) -> Any:
        ctx.groups = g
        return channel_shuffle_np(x, g)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        inverse = grad.shape[1] // ctx.groups
        if isinstance(grad, _nd):
            return channel_shuffle_np(grad, inverse), None
        return ChannelShuffle.apply(grad, inverse), None


# --------------------------------------------------------------------------- grid sample
# F.grid_sample reads the input at the points of a grid given in [-1, 1] (component 0 is
# x, the last axis; 1 is y, the one before; 2 is z). Along each spatial axis a point has
# taps: integer positions (index, and whether it is inside the input) and weights that are
# functions of t, the point's fractional position. An output element is the sum over the
# products of the axes' taps (all the corners) of weight * input at the corner:
#   out[n, c, p] = sum_k W_k(t) x[n, c, index_k]     W_k = prod over axes of w_axis(t_axis)
# It is linear in x (the adjoint scatters the weighted gradient back to the corners) and
# smooth in the grid between kinks: dout/dgrid = sum_k x[index_k] dW_k/dt * dt/dgrid.
# The coordinates follow ATen's GridSampler.h, in the grid's dtype and order of operations.


def _unnormalize(g: np.ndarray, n: int, align_corners: bool) -> np.ndarray:
    """[-1, 1] to input positions: -1 and 1 are the corner pixels' centres
    (align_corners) or their outer edges; ``(g + 1) * scale (- 0.5)``."""
    t = g.dtype.type
    if align_corners:
        return (g + t(1)) * (t(n - 1) / t(2))
    return (g + t(1)) * (t(n) / t(2)) - t(0.5)


def _reflect(x: np.ndarray, twice_lo: int, twice_hi: int) -> tuple[np.ndarray, np.ndarray]:
    """x reflected into [lo, hi] as often as needed, and dx'/dx (+1 or -1)."""
    t = x.dtype.type
    if twice_lo == twice_hi:
        return np.zeros_like(x), np.zeros_like(x)
    lo, span = t(twice_lo) / t(2), t(twice_hi - twice_lo) / t(2)
    d = x - lo
    sign = np.where(d < 0, t(-1), t(1))
    d = np.abs(d)
    extra, flips = np.fmod(d, span), np.floor(d / span)
    even = np.fmod(flips, 2) == 0
    return np.where(even, extra + lo, span - extra + lo), np.where(even, sign, -sign)


def _pad_coordinate(x: np.ndarray, n: int, padding_mode: str,
                    align_corners: bool) -> tuple[np.ndarray, np.ndarray]:
    """ATen's ``compute_coordinates``: a position moved inside the input by the padding
    mode ('border' clips, 'reflection' reflects then clips; 'zeros' keeps it), and its
    derivative (0 where clipped)."""
    one = np.ones_like(x)
    if padding_mode == "zeros":
        return x, one
    if padding_mode == "reflection":
        x, one = _reflect(x, 0, 2 * (n - 1)) if align_corners else _reflect(x, -1, 2 * n - 1)
    top = x.dtype.type(n - 1)
    inside = (x > 0) & (x < top)
    return np.minimum(top, np.maximum(x, 0)), np.where(inside, one, 0)


def _axis_taps(g: np.ndarray, n: int, mode: str, padding_mode: str,
               align_corners: bool) -> tuple[Any, np.ndarray, list[np.ndarray]]:
    """One axis of grid_sample: (t, dt/dg, tap positions) of grid component ``g`` on an
    axis of size ``n``. Bicubic pads each of its 4 taps, the others the point itself."""
    u = _unnormalize(g, n, align_corners)
    scale = g.dtype.type(n - 1 if align_corners else n) / g.dtype.type(2)
    if mode == "bicubic":
        i0 = np.floor(u)
        taps = [_pad_coordinate(i0 + (k - 1), n, padding_mode, align_corners)[0]
                for k in range(4)]
        return u - i0, np.full_like(u, scale), taps
    x, dx = _pad_coordinate(u, n, padding_mode, align_corners)
    if mode == "nearest":
        return None, dx * scale, [np.rint(x)]  # (round half to even: C's nearbyint)
    i0 = np.floor(x)
    return x - i0, dx * scale, [i0, i0 + 1]


def _axis_weights(mode: str, t: Any) -> list[tuple[Any, Any]]:
    """(w, dw/dt) of each tap of an axis: linear (1 - t, t), nearest 1, or Keys' cubic
    (a = -0.75, ATen's ``get_cubic_upsample_coefficients`` and its derivative)."""
    if mode == "nearest":
        return [(1, 0)]
    if mode == "bilinear":
        return [(1 - t, -1), (t, 1)]
    a = -0.75
    u, v = t + 1, 1 - t
    return [(_cubic_far(u, a), _cubic_far_slope(u, a)),
            (_cubic_near(t, a), _cubic_near_slope(t, a)),
            (_cubic_near(v, a), -_cubic_near_slope(v, a)),  # (d(1 - t)/dt = -1)
            (_cubic_far(v + 1, a), -_cubic_far_slope(v + 1, a))]


def _cubic_near_slope(x: Any, a: float) -> Any:
    """d/dx of ``_cubic_near``: (3 (a + 2) x - 2 (a + 3)) x."""
    return (3 * (a + 2) * x - 2 * (a + 3)) * x


def _cubic_far_slope(x: Any, a: float) -> Any:
    """d/dx of ``_cubic_far``: (3 a x - 10 a) x + 8 a."""
    return (3 * a * x - 10 * a) * x + 8 * a


def _grid_taps(grid: np.ndarray, size: tuple[int, ...], mode: str, padding_mode: str,
               align_corners: bool) -> tuple[list[Any], list[Any]]:
    """Every axis's (t, dt/dg) (x first) and the corners: (flat index, inside) per product
    of taps, z outermost and x innermost (ATen's order: nw, ne, sw, se)."""
    d = len(size)
    flat = grid.reshape(grid.shape[0], -1, d)
    axes = [_axis_taps(flat[..., a], size[d - 1 - a], mode, padding_mode, align_corners)
            for a in range(d)]
    strides = [int(np.prod(size[d - a:])) for a in range(d)]  # (x: 1, y: W, z: H W)
    corners = []
    for combo in itertools.product(*(range(len(ax[2])) for ax in reversed(axes))):
        picks = combo[::-1]  # (tap of x, tap of y, ...)
        pos = [axes[a][2][picks[a]] for a in range(d)]
        inside = np.logical_and.reduce([(p >= 0) & (p < size[d - 1 - a])
                                        for a, p in enumerate(pos)])
        index = sum(np.where(inside, p, 0).astype(np.int64) * s for p, s in zip(pos, strides))
        corners.append((picks, index, inside))
    return [(t, dt) for t, dt, _ in axes], corners


def _corner_weights(mode: str, ts: list[Any], picks: tuple[int, ...]) -> tuple[Any, list[Any]]:
    """W_k = w_x w_y (w_z) of one corner, and dW_k/dt of each axis."""
    taps = [_axis_weights(mode, t)[k] for t, k in zip(ts, picks)]
    weight = functools.reduce(operator.mul, [w for w, _ in taps])
    grads = [functools.reduce(operator.mul, [dw if b == a else w for b, (w, dw) in
                                             enumerate(taps)]) for a in range(len(taps))]
    return weight, grads


def _take_np(v: np.ndarray, pool: Any) -> np.ndarray:
    """(N, C, L) -> (N, C, P): v[n, c, index[n, p]], 0 outside the input."""
    index, inside, _ = pool
    n, c, p = v.shape[0], v.shape[1], index.shape[1]
    got = np.take_along_axis(v, np.broadcast_to(index[:, None], (n, c, p)), axis=2)
    return np.where(inside[:, None], got, np.zeros((), v.dtype))


def _put_np(v: np.ndarray, pool: Any) -> np.ndarray:
    """The adjoint of ``_take_np``: (N, C, P) -> (N, C, L), each v added at its index."""
    index, inside, length = pool
    out = np.zeros(v.shape[:2] + (length,), v.dtype)
    n, c = np.ogrid[:v.shape[0], :v.shape[1]]
    np.add.at(out, (n[..., None], c[..., None], index[:, None]),
              np.where(inside[:, None], v, np.zeros((), v.dtype)))
    return out


class _TakeCorner(_Linear):
    """The input at one corner of every grid point (recorded under create_graph)."""

    _np = staticmethod(_take_np)


class _PutCorner(_Linear):
    """The adjoint of ``_TakeCorner``: gradients added back at the corner."""

    _np = staticmethod(_put_np)


_TakeCorner._adjoint, _PutCorner._adjoint = _PutCorner, _TakeCorner


def _take(x: Any, pool: Any) -> Any:
    return _take_np(x, pool) if isinstance(x, _nd) else _TakeCorner.apply(x, pool)


def _put(g: Any, pool: Any) -> Any:
    return _put_np(g, pool) if isinstance(g, _nd) else _PutCorner.apply(g, pool)


def _local_t(grid: Any, axis: int, t: np.ndarray, dt: np.ndarray) -> Any:
    """t as a function of the grid: the array itself, or (under create_graph) the constant
    t plus dt/dg times (g - g), 0 in value but carrying the derivative."""
    if isinstance(grid, _nd):
        return t
    g = grid.reshape(grid.shape[0], -1, grid.shape[-1])[..., axis]
    return dual.constant(t, g) + (g - dual.constant(g._data, g)) * dual.constant(dt, g)


def grid_sample_np(x: np.ndarray, grid: np.ndarray, mode: str, padding_mode: str,
                   align_corners: bool) -> np.ndarray:
    """out[n, c, p] = sum over corners of W_k x[n, c, index_k] (see above)."""
    size = x.shape[2:]
    axes, corners = _grid_taps(grid, size, mode, padding_mode, align_corners)
    xs: Any = x.reshape(x.shape[:2] + (-1,))
    out: Any = None
    for picks, index, inside in corners:
        w, _ = _corner_weights(mode, [t for t, _ in axes], picks)
        term = _take_np(xs, (index, inside, xs.shape[-1])) * _column(w, xs)
        out = term if out is None else out + term
    return np.asanyarray(out).reshape(tuple(x.shape[:2]) + tuple(grid.shape[1:-1]))


def grid_sample_grads(grad: Any, x: Any, grid: Any, mode: str, padding_mode: str,
                      align_corners: bool) -> tuple[Any, Any]:
    """(dL/dx, dL/dgrid): the weighted gradients put back at the corners, and
    sum_k (sum_c grad x[index_k]) dW_k/dt dt/dgrid per grid component."""
    size, d = tuple(x.shape[2:]), len(x.shape) - 2
    axes, corners = _grid_taps(dual.array(grid), size, mode, padding_mode, align_corners)
    ts = [_local_t(grid, a, t, dt) if t is not None else None for a, (t, dt) in enumerate(axes)]
    g = grad.reshape(tuple(grad.shape[:2]) + (-1,))
    xs = x.reshape(tuple(x.shape[:2]) + (-1,))
    grad_x: Any = None
    grad_t: list[Any] = [None] * d
    for picks, index, inside in corners:
        pool = (index, inside, xs.shape[2])
        w, dws = _corner_weights(mode, ts, picks)
        back = _put(g * _column(w, g), pool)
        grad_x = back if grad_x is None else grad_x + back
        if mode == "nearest":
            continue  # (piecewise constant in the grid: its gradient is 0)
        s = dual.sum(g * _take(xs, pool), axis=1)
        for a in range(d):
            part = s * dws[a]
            grad_t[a] = part if grad_t[a] is None else grad_t[a] + part
    if mode == "nearest":
        grad_grid = dual.zeros_like(grid)
    else:
        parts = [gt * dual.constant(dt, gt) for gt, (_, dt) in zip(grad_t, axes)]
        stacked = np.stack(parts, -1) if isinstance(g, _nd) else Stack.apply(2, *parts)
        grad_grid = stacked.reshape(tuple(grid.shape))
    return grad_x.reshape(tuple(x.shape)), grad_grid


def _column(w: Any, like: Any) -> Any:
    """A (N, P) weight as (N, 1, P), the type and dtype of ``like``."""
    if isinstance(w, int):  # (nearest: 1)
        return w
    if isinstance(like, _nd):
        return np.asanyarray(w, like.dtype)[:, None]
    return w.unsqueeze(1)


class _GridSampler(_Op):
    """y = the input read at the grid's points (see above); the subclasses name PyTorch's
    node of 4-D and 5-D inputs."""

    ctx_fields = ("mode", "padding_mode", "align_corners")

    @staticmethod
    def forward(ctx: Any, x: Any, grid: Any, mode: str, padding_mode: str,
                align_corners: bool) -> Any:
        ctx.mode, ctx.padding_mode, ctx.align_corners = mode, padding_mode, align_corners
        ctx.save_for_backward(x, grid)
        return grid_sample_np(x, grid, mode, padding_mode, align_corners)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, grid = ctx.saved_tensors
        gx, gg = grid_sample_grads(grad, x, grid, ctx.mode, ctx.padding_mode,
                                   ctx.align_corners)
        return gx, gg, None, None, None


class GridSampler2D(_GridSampler):
    """grid_sample of a 4-D input."""

    _grad_fn_name = "GridSampler2DBackward0"


class GridSampler3D(_GridSampler):
    """grid_sample of a 5-D input."""

    _grad_fn_name = "GridSampler3DBackward0"


# --------------------------------------------------------------------------- affine grid


def base_grid_np(size: tuple[int, ...], align_corners: bool, dtype: Any) -> np.ndarray:
    """(L, d + 1): the positions of an output of spatial ``size`` in [-1, 1] (x first) and a
    1, as ATen's ``make_base_grid``: linspace(-1, 1, n), times (n - 1) / n unless
    align_corners (the pixels' centres), 0 for an axis of size 1."""
    def line(n: int) -> np.ndarray:
        if n <= 1:
            return np.zeros(n, dtype)
        r = torch_range.linspace(-1.0, 1.0, n, np.dtype(dtype))
        return r if align_corners else r * dtype.type(n - 1) / dtype.type(n)

    lines = [line(n) for n in reversed(size)]
    mesh = np.meshgrid(*lines[::-1], indexing="ij")[::-1]
    parts = list(mesh) + [np.ones(tuple(size), dtype)]
    return np.stack(parts, -1).reshape(-1, len(size) + 1)


class AffineGridGenerator(_Op):
    """grid[n] = base @ theta[n].T: each output position (x, y, 1) mapped by the affine
    matrix; linear in theta, its adjoint is base.T @ grad (transposed)."""

    _grad_fn_name = "AffineGridGeneratorBackward0"
    ctx_fields = ("base",)

    @staticmethod
    def forward(ctx: Any, theta: Any, size: tuple[int, ...], align_corners: bool) -> Any:
        ctx.base = base = base_grid_np(size[2:], align_corners, theta.dtype)
        out = np.matmul(base, theta.transpose(0, 2, 1)).astype(theta.dtype, copy=False)
        return out.reshape((theta.shape[0],) + tuple(size[2:]) + (theta.shape[1],))

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        n, d = grad.shape[0], grad.shape[-1]
        flat = grad.reshape((n, -1, d))
        return dual.swapaxes(dual.constant(ctx.base.T, grad) @ flat, 1, 2), None, None
