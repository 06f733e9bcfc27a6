"""Padding, resampling and sliding windows over the last (spatial) dims: the Functions
behind ``F.pad``, ``F.interpolate``, ``F.unfold`` and ``F.fold``.

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
  other's adjoint (and inverse).

``index`` / ``mats``: one entry per resized axis, the last axes of the input, in order.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .conv import Geo, _col2im, _im2col, _Linear
from .dual import _Op

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
    out.fill(np.asarray(value).astype(x.dtype))
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
        if type(grad) is _nd:
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
        if type(grad) is _nd:
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
        if type(grad) is _nd:
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
        if type(grad) is _nd:  # the adjoint: fold
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
        if type(grad) is _nd:  # the adjoint: unfold
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
        if type(grad) is _nd:
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
        if type(grad) is _nd:
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
        if type(grad) is _nd:
            return channel_shuffle_np(grad, inverse), None
        return ChannelShuffle.apply(grad, inverse), None
