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
  matrix of weights (out, in); the adjoint multiplies by its transpose;
- unfold is im2col and fold col2im, the two halves of ``ops/conv.py``'s convolution.

``index`` / ``mats``: one entry per resized axis, the last axes of the input, in order.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .conv import Geo, _col2im, _im2col
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
