"""Padding, resampling and sliding windows: ``F.pad``, ``F.interpolate`` (and its
deprecated ``upsample*`` aliases), ``F.pixel_shuffle``, ``F.pixel_unshuffle``,
``F.unfold``, ``F.fold``, ``F.grid_sample``, ``F.affine_grid`` (argument checks with
PyTorch's errors; the math is in ``ops/resample.py``)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ...amp.autocast_mode import autocast_args, autocast_op
from ...dtypes import FLOATING, REDUCED
from ...ops import resample as _rs
from ...parity.errors import not_implemented
from ...tensor import Tensor
from ._common import _check_tensor, _shape_list, _type_name
from .conv import _ntuple_arg, adaptive_avg_pool2d

# ----------------------------------------------------------------------------- pad

_MODES = ("constant", "reflect", "replicate", "circular")


def _pad_list(pad: Any) -> list[int]:
    """``pad`` as a list of ints (PyTorch's TypeError for anything else)."""
    if not isinstance(pad, (tuple, list)):
        raise TypeError("pad(): argument 'pad' (position 2) must be tuple of ints, not "
                        f"{type(pad).__name__}")
    for k, p in enumerate(pad):
        if not isinstance(p, (int, np.integer)) and not (isinstance(p, Tensor) and p.ndim == 0
                                                         and not p.is_floating_point()):
            raise TypeError("pad(): argument 'pad' (position 2) must be tuple of ints, but "
                            f"found element of type {type(p).__name__} at pos {k}")
    return [int(p) for p in pad]


def _pairs(pad: list[int]) -> tuple[tuple[int, int], ...]:
    """(lo, hi) per padded axis in axis order: ``pad`` lists the last axis first."""
    pairs = [(pad[2 * k], pad[2 * k + 1]) for k in range(len(pad) // 2)]
    return tuple(reversed(pairs))


def _constant_pad(input: Tensor, pairs: tuple[tuple[int, int], ...], value: Any) -> Tensor:
    lead = input.ndim - len(pairs)
    for (lo, hi), n in zip(pairs, input.shape[lead:]):
        if n + min(lo, 0) + min(hi, 0) < 0:  # PyTorch crops with narrow() first
            raise RuntimeError("narrow(): length must be non-negative.")
    return _rs.ConstantPadNd.apply(input, pairs, 0.0 if value is None else value)


def _check_window_pad(input: Tensor, pairs: tuple[tuple[int, int], ...], mode: str) -> None:
    """PyTorch's checks of reflect and replicate padding of k = 1, 2 or 3 axes."""
    k, shape = len(pairs), tuple(input.shape)
    batched = input.ndim == k + 2
    if any(n == 0 for n in shape[int(batched):]):
        raise RuntimeError(
            f"Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 batch size and "
            f"other non-zero dimensions for input, but got: {_shape_list(shape)}")
    if mode == "reflect":  # the last axis first: Argument #4 (W), #6 (H), #8 (D)
        for j, ((lo, hi), n) in enumerate(zip(pairs[::-1], shape[::-1])):
            if lo >= n or hi >= n:
                raise RuntimeError(
                    f"Argument #{4 + 2 * j}: Padding size should be less than the corresponding "
                    f"input dimension, but got: padding ({lo}, {hi}) at dimension "
                    f"{input.ndim - 1 - j} of input {_shape_list(shape)}")
    sizes = [n + lo + hi for (lo, hi), n in zip(pairs, shape[-k:])]
    if all(s < 1 for s in sizes):
        # (PyTorch's text, spaces and commas as each of its kernels writes them)
        given = {1: f"W: {shape[-1]}", 2: f"H: {shape[-2]}, W: {shape[-1]}"
                 + (" " if mode == "replicate" else ""),
                 3: f"D: {shape[-3]} H: {shape[-2]}, W: {shape[-1]}"}[k]
        got = " ".join(f"{a}: {s}" for a, s in zip("DHW"[3 - k:], sizes))
        raise RuntimeError(f"input ({given}) is too small. Calculated output {got}")
    if any(s < 0 for s in sizes):
        out = list(shape[:-k]) + sizes
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(sizes)}: "
                           f"{_shape_list(tuple(out))}")


def _circular_pad(input: Tensor, pairs: tuple[tuple[int, int], ...]) -> Tensor:
    """PyTorch's circular padding, written as PyTorch writes it: copies into an empty
    tensor (so the result's history is a ``CopySlices``): the input (cropped by negative
    pads) in the middle, then for each axis the wrapped-around ends."""
    lead = input.ndim - len(pairs)
    out_shape = list(input.shape)
    for axis, ((lo, hi), n) in enumerate(zip(pairs, input.shape[lead:]), lead):
        if lo > n or hi > n:
            raise RuntimeError("Padding value causes wrapping around more than once.")
        out_shape[axis] = n + lo + hi
        if out_shape[axis] < 0:
            raise RuntimeError("Negative padding value is resulting in an empty dimension")
    out = input.new_empty(out_shape)
    dst, src = out, input
    for axis, (lo, hi) in enumerate(pairs, lead):
        dst = dst.narrow(axis, max(lo, 0), out_shape[axis] - max(lo, 0) - max(hi, 0))
        src = src.narrow(axis, max(-lo, 0), input.shape[axis] - max(-lo, 0) - max(-hi, 0))
    dst.copy_(src)
    for axis, (lo, hi) in enumerate(pairs, lead):
        size = out_shape[axis]
        if lo > 0:  # the left end is the right end of the copy
            out.narrow(axis, 0, lo).copy_(out.narrow(axis, size - lo - max(hi, 0), lo))
        # the right end is the left end of the copy (when it is longer than the cropped
        # copy, in steps of that length: each step reads what the last one wrote)
        step = size - hi - max(lo, 0)
        for start in range(0, hi, max(step, 1)):
            n = min(step, hi - start)
            out.narrow(axis, size - hi + start, n).copy_(
                out.narrow(axis, max(lo, 0) + start, n))
    return out


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pads (or, with negative amounts, crops) the last ``len(pad) // 2`` dims.

    ``pad`` lists (before, after) amounts from the LAST dim backwards: ``(left, right)``
    pads the last dim, ``(left, right, top, bottom)`` the last two. Modes:

    - ``constant``: new elements are ``value`` (0), any number of dims;
    - ``reflect``: mirror without the edge, x[1], x[0] | x[0], x[1], ...; each pad < size;
    - ``replicate``: the edge element repeated;
    - ``circular``: wrap around, x[-1] | x[0], ..., x[-1] | x[0].

    The last three pad 1, 2 or 3 dims of a (batched or not) tensor: 2 or 3 dims for
    ``len(pad) == 2``, 3 or 4 for 4, 4 or 5 for 6.

    >>> F.pad(tg.tensor([[1.0, 2.0, 3.0]]), (2, 1), mode="reflect")
    tensor([[3., 2., 1., 2., 3., 2.]])
    """
    _check_tensor(input, "pad", "input", 1)
    amounts = _pad_list(pad)
    if mode not in _MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if len(amounts) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(amounts) > 2 * input.ndim:
        raise RuntimeError("Padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(amounts)} and input of "
                           f"dimension {input.ndim}")
    pairs = _pairs(amounts)
    if mode == "constant":
        return _constant_pad(input, pairs, value)
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    k = len(pairs)
    if k not in (1, 2, 3) or input.ndim not in (k + 1, k + 2):
        raise NotImplementedError(
            f"Padding size {len(amounts)} is not supported for {input.ndim}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    if mode == "circular":
        return _circular_pad(input, pairs)
    if input._data.dtype == np.bool_:
        raise not_implemented(f"{'reflection' if mode == 'reflect' else 'replication'}_pad{k}d",
                              input._data.dtype)
    if (mode, k) != ("reflect", 3):  # (PyTorch's CPU autocast lists no reflection_pad3d)
        input, = autocast_args(f"{'reflection' if mode == 'reflect' else 'replication'}_pad{k}d",
                               input)
    _check_window_pad(input, pairs, mode)
    lead = input.ndim - k
    index = tuple(_rs.PAD_INDEX[mode](n, lo, hi) for (lo, hi), n in
                  zip(pairs, input.shape[lead:]))
    return _rs.PAD_OPS[mode, k].apply(input, index)


# ------------------------------------------------------------------ unfold and fold


def _window_geo(kernel_size: Any, dilation: Any, padding: Any,
                stride: Any) -> tuple[tuple[int, ...], Any]:
    """(kernel, geo) of ``F.unfold`` / ``F.fold``, with PyTorch's checks of each."""
    k = _ntuple_arg(kernel_size, "kernel_size", 2)
    d, p, s = (_ntuple_arg(v, n, 2) for v, n in ((dilation, "dilation"), (padding, "padding"),
                                              (stride, "stride")))
    if k[0] <= 0 or k[1] <= 0:
        raise RuntimeError("kernel size should be greater than zero, but got kernel_height: "
                           f"{k[0]} kernel_width: {k[1]}")
    if s[0] <= 0 or s[1] <= 0:
        raise RuntimeError(
            f"stride should be greater than zero, but got stride_height: {s[0]} stride_width: "
            f"{s[1]}")
    if d[0] <= 0 or d[1] <= 0:
        raise RuntimeError("dilation should be greater than zero, but got dilation_height: "
                           f"{d[0]} dilation_width: {d[1]}")
    if p[0] < 0 or p[1] < 0:
        raise RuntimeError("padding should be non-negative, but got pad_height: "
                           f"{p[0]} pad_width: {p[1]}")
    return k, (s, (p[0], p[0], p[1], p[1]), d, 1)


def _blocks(size: tuple[int, ...], k: tuple[int, ...], geo: Any) -> tuple[int, int]:
    """The number of window positions along H and W."""
    s, (pt, pb, pl, pr), d, _ = geo
    return ((size[0] + pt + pb - d[0] * (k[0] - 1) - 1) // s[0] + 1,
            (size[1] + pl + pr - d[1] * (k[1] - 1) - 1) // s[1] + 1)


def unfold(input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
           stride: Any = 1) -> Tensor:
    """Every sliding ``kernel_size`` block of a (zero-padded) batch of images, as columns
    (im2col): (N, C, H, W) -> (N, C * kh * kw, L), L the number of block positions;
    entry [n, (c * kh + i) * kw + j, l] is the (i, j) element of block l of channel c.

    ``unfold(x, k) .transpose(1, 2) @ W.view(O, -1).T`` is a convolution.

    >>> F.unfold(tg.arange(16.0).reshape(1, 1, 4, 4), 2, stride=2)
    tensor([[[ 0.,  2.,  8., 10.],
             [ 1.,  3.,  9., 11.],
             [ 4.,  6., 12., 14.],
             [ 5.,  7., 13., 15.]]])
    """
    k, geo = _window_geo(kernel_size, dilation, padding, stride)
    if input.ndim < 3:  # (PyTorch reads the sizes of dims -2, then 2 first)
        raise IndexError("Dimension out of range (expected to be in range of "
                         f"[{-max(input.ndim, 1)}, {max(input.ndim, 1) - 1}], but got "
                         f"{2 if input.ndim == 2 else -2})")
    if input.ndim > 4 or any(n == 0 for n in input.shape[-3:]):
        raise RuntimeError(
            "Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero "
            f"dimensions for input, but got: {_shape_list(tuple(input.shape))}")
    if input._data.dtype.kind in "iu":
        raise not_implemented("im2col_out_cpu", input._data.dtype)
    h, w = input.shape[-2:]
    oh, ow = _blocks((h, w), k, geo)
    if oh < 1 or ow < 1:
        raise RuntimeError(
            f"Given input with spatial size ({h}, {w}), kernel_size=({k[0]}, {k[1]}), "
            f"dilation=({geo[2][0]}, {geo[2][1]}), padding=({geo[1][0]}, {geo[1][2]}), "
            "calculated shape of the array of sliding blocks as "
            f"({oh}, {ow}), but its components must be at least one.")
    return _rs.Im2Col.apply(input, k, geo)


def fold(input: Tensor, output_size: Any, kernel_size: Any, dilation: Any = 1,
         padding: Any = 0, stride: Any = 1) -> Tensor:
    """The adjoint of ``unfold`` (col2im): columns (N, C * kh * kw, L) summed back into
    images (N, C, H, W) of ``output_size``; where blocks overlap, their entries add up.

    >>> F.fold(tg.ones(1, 4, 4), (3, 3), 2)
    tensor([[[[1., 2., 1.],
              [2., 4., 2.],
              [1., 2., 1.]]]])
    """
    size = _ntuple_arg(output_size, "output_size", 2)
    k, geo = _window_geo(kernel_size, dilation, padding, stride)
    shape = tuple(input.shape)
    if input.ndim not in (2, 3) or any(n == 0 for n in shape[-2:]):
        raise RuntimeError("Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch "
                           f"size and non-zero dimensions for input, but got: {_shape_list(shape)}")
    if shape[-2] % (k[0] * k[1]):
        raise RuntimeError(
            "Expected size of input's dimension 1 to be divisible by the product of "
            f"kernel_size, but got input.size(1)={shape[-2]} and kernel_size=({k[0]}, {k[1]}).")
    if input._data.dtype.kind in "iu":
        raise not_implemented("col2im_out_cpu", input._data.dtype)
    oh, ow = _blocks(size, k, geo)
    if oh * ow != shape[-1]:
        raise RuntimeError(
            f"Given output_size=({size[0]}, {size[1]}), kernel_size=({k[0]}, {k[1]}), "
            f"dilation=({geo[2][0]}, {geo[2][1]}), padding=({geo[1][0]}, {geo[1][2]}), "
            f"stride=({geo[0][0]}, {geo[0][1]}), expected size of input's dimension 2 to match "
            f"the calculated number of sliding blocks {oh} * {ow} = {oh * ow}, but got "
            f"input.size(2)={shape[-1]}.")
    return _rs.Col2Im.apply(input, size, k, geo)


# ------------------------------------------------------------------------- interpolate

# the rank each interpolating mode needs (bicubic's wrong ranks get the generic error)
_MODE_NDIM = {"linear": 3, "bilinear": 4, "trilinear": 5}
# PyTorch's CPU kernel named in its error for an integer or bool input (4-D nearest:
# "upsample_nearest2d_channels_last")
_KERNELS = {"nearest": "compute_indices_weights_nearest",
            "linear": "compute_indices_weights_linear",
            "trilinear": "compute_indices_weights_linear",
            "bilinear": "upsample_bilinear2d_channels_last",
            "bicubic": "compute_indices_weights_cubic"}


def _is_integer(x: Any) -> bool:
    return isinstance(x, (int, np.integer)) or (isinstance(x, Tensor)
                                                and not x.is_floating_point())


def _output_or_factors(input: Tensor, size: Any, scale_factor: Any) -> tuple[Any, Any]:
    """(output sizes, None) or (None, scale factors), one per spatial dim, with PyTorch's
    checks of ``size`` and ``scale_factor``."""
    dim, spatial = input.ndim - 2, list(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if not isinstance(size, (list, tuple)):
            return [int(size)] * dim, None
        if len(size) != dim:
            raise ValueError(
                "Input and output must have the same number of spatial dimensions, but got "
                f"input with spatial dimensions of {spatial} and output size of {size}. Please "
                "provide input tensor in (N, C, d1, d2, ...,dK) format and output size in "
                "(o1, o2, ...,oK) format.")
        if not all(_is_integer(n) for n in size):
            raise TypeError(
                "expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                f"Tuple[int, int, int], but got size with types {[type(n) for n in size]}")
        return [int(n) for n in size], None
    if scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if not isinstance(scale_factor, (list, tuple)):
        return None, [float(scale_factor)] * dim
    if len(scale_factor) != dim:
        raise ValueError(
            "Input and scale_factor must have the same number of spatial dimensions, but got "
            f"input with spatial dimensions of {spatial} and scale_factor of shape "
            f"{scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) format "
            "and scale_factor in (s1, s2, ...,sK) format.")
    return None, [float(f) for f in scale_factor]


def _check_upsample(input: Tensor, out: list[int], mode: str) -> None:
    """PyTorch's checks of an upsampling kernel: sizes > 0, no empty channel or spatial
    dim (the batch may be empty), a float input (uint8 too, for the nearest modes)."""
    spatial, k = list(input.shape[2:]), len(out)
    if min(spatial + out) <= 0:
        axes = "DHW"[3 - k:]
        given = ", ".join(f"{a}: {n}" for a, n in zip(axes, spatial))
        wanted = ", ".join(f"{a}: {n}" for a, n in zip(axes, out))
        raise RuntimeError("Input and output sizes should be greater than 0, but got input "
                           f"({given}){' and' if k == 1 else ''} output ({wanted})")
    if input.shape[1] == 0:
        raise RuntimeError(f"Non-empty {input.ndim}D data tensor expected but got a tensor "
                           f"with sizes {_shape_list(tuple(input.shape))}")
    kind = input._data.dtype.kind
    if input._data.dtype in FLOATING or (kind == "u" and input._data.dtype.itemsize == 1
                       and mode.startswith("nearest")):
        return
    if kind == "u" and input._data.dtype.itemsize == 1 and mode in ("bilinear", "bicubic"):
        raise NotImplementedError(f"interpolate(mode='{mode}') of a uint8 tensor (PyTorch's "
                                  "rounding integer kernel) is not implemented in tinygrad_edu")
    family = "nearest" if mode.startswith("nearest") else mode
    kernel = "upsample_nearest2d_channels_last" if (family, k) == ("nearest", 2) else \
        _KERNELS[family]
    raise not_implemented(kernel, input._data.dtype)


def _area(input: Tensor, out: list[int]) -> Tensor:
    """mode='area': adaptive average pooling to the output size (a 3-D input pooled as
    a 4-D one of height 1, as PyTorch's adaptive_avg_pool1d)."""
    if input.ndim == 3:
        return adaptive_avg_pool2d(input.unsqueeze(-2), (1, out[0])).squeeze(-2)
    if input.ndim == 4:
        return adaptive_avg_pool2d(input, out)
    raise NotImplementedError("interpolate(mode='area') of a 5-D input (adaptive_avg_pool3d) "
                              "is not implemented in tinygrad_edu")


def _resample(input: Tensor, out: list[int], factors: list[Any], mode: str,
              align_corners: bool) -> Tensor:
    """The resampling op of ``mode`` with each axis's indices or interpolation taps."""
    k, spatial = len(out), input.shape[2:]
    op = _rs.UPSAMPLE_OPS[mode, k]
    t = np.float64 if input._data.dtype == np.float64 else np.float32  # PyTorch's opmath
    if mode.startswith("nearest"):
        exact = mode == "nearest-exact"
        index = tuple(_rs.nearest_index_2d(n, o, f, exact) if k == 2 else
                      _rs.nearest_index(n, o, f, exact, t)
                      for n, o, f in zip(spatial, out, factors))
        return op.apply(input, index)
    taps = _rs.cubic_taps if mode == "bicubic" else _rs.linear_taps
    pool = tuple(taps(n, o, align_corners, f, t) for n, o, f in zip(spatial, out, factors))
    return op.apply(input, (pool, tuple(spatial)))


def interpolate(input: Tensor, size: Any = None, scale_factor: Any = None,
                mode: str = "nearest", align_corners: bool | None = None,
                recompute_scale_factor: bool | None = None, antialias: bool = False) -> Tensor:
    """Resizes the spatial dims of a (N, C, [D, [H,]] W) batch to ``size``, or to
    floor(size * ``scale_factor``).

    Output position j of an axis reads the input at x = (j + 0.5) / s - 0.5 (s the scale
    factor when one is given and ``recompute_scale_factor`` is not True, else out / in),
    or at x = j (in - 1) / (out - 1) when ``align_corners=True``. Modes:

    - ``nearest``: input floor(j / s) (OpenCV's); ``nearest-exact``: floor((j + 0.5) / s);
    - ``linear`` (3-D), ``bilinear`` (4-D), ``trilinear`` (5-D): the two neighbours of x
      weighted by closeness, one axis after the other;
    - ``bicubic`` (4-D): Keys' cubic convolution (a = -0.75) over 4 neighbours;
    - ``area``: adaptive average pooling (3-D and 4-D inputs).

    Every mode is linear in the input: the backward is its adjoint.

    >>> F.interpolate(tg.tensor([[[1.0, 2.0]]]), scale_factor=2, mode="linear")
    tensor([[[1.0000, 1.2500, 1.7500, 2.0000]]])
    """
    _check_tensor(input, "interpolate", "input", 1)
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating "
                             "modes: linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    out, factors = _output_or_factors(input, size, scale_factor)
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if recompute_scale_factor or (mode == "area" and out is None):
        # the size from the factors; the kernel then uses in / out as the scale
        out, factors = [int(n * f) for n, f in zip(input.shape[2:], factors)], None
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and input.ndim == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos "
                         "modes and requires a 4-D tensor as input")
    if antialias:
        raise NotImplementedError("interpolate(antialias=True) is not implemented in "
                                  "tinygrad_edu")
    ndim = input.ndim
    if mode == "area" and ndim in (3, 4, 5):
        return _area(input, out)
    if (mode, ndim - 2) not in _rs.UPSAMPLE_OPS:
        if mode in _MODE_NDIM and ndim in (3, 4, 5):
            raise NotImplementedError(f"Got {ndim}D input, but {mode} mode needs "
                                      f"{_MODE_NDIM[mode]}D input")
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {ndim}D) for the "
            f"modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
            f"nearest-exact (got {mode})")
    if out is None:  # (ATen truncates in * factor)
        out = [int(n * f) for n, f in zip(input.shape[2:], factors)]
    _check_upsample(input, out, mode)
    return _resample(input, out, factors or [None] * len(out), mode, bool(align_corners))


def _deprecated(name: str) -> None:
    warnings.warn(f"`nn.functional.{name}` is deprecated. Use `nn.functional.interpolate` "
                  "instead.", stacklevel=3)


def upsample(input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
             align_corners: bool | None = None) -> Tensor:
    """Deprecated: ``F.interpolate`` (with a warning, as PyTorch).

    >>> F.upsample(tg.ones(1, 1, 2), scale_factor=2).shape  # doctest: +SKIP
    tinygrad_edu.Size([1, 1, 4])
    """
    _deprecated("upsample")
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    """Deprecated: ``F.interpolate(..., mode='nearest')`` (with a warning, as PyTorch).

    >>> F.upsample_nearest(tg.ones(1, 1, 2, 2), scale_factor=2).shape  # doctest: +SKIP
    tinygrad_edu.Size([1, 1, 4, 4])
    """
    _deprecated("upsample_nearest")
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    """Deprecated: ``F.interpolate(..., mode='bilinear', align_corners=True)`` (with a
    warning, as PyTorch).

    >>> F.upsample_bilinear(tg.ones(1, 1, 2, 2), scale_factor=2).shape  # doctest: +SKIP
    tinygrad_edu.Size([1, 1, 4, 4])
    """
    _deprecated("upsample_bilinear")
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ------------------------------------------------------- pixel shuffle and unshuffle


def _check_shuffle(input: Tensor, r: Any, op: str, arg: str) -> None:
    """PyTorch's checks shared by pixel_shuffle and pixel_unshuffle."""
    _check_tensor(input, op, "input", 1)
    if not isinstance(r, (int, np.integer)):
        raise TypeError(f"{op}(): argument '{arg}' (position 2) must be int, not "
                        f"{type(r).__name__}")
    if input.ndim < 3:
        raise RuntimeError(f"{op} expects input to have at least 3 dimensions, but got input "
                           f"with {input.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"{op} expects a positive {arg}, but got {r}")


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """Rearranges (*, C r^2, H, W) into (*, C, H r, W r): each block of r^2 channels
    becomes an r x r patch of pixels (sub-pixel convolution's last step).

    out[..., c, h r + i, w r + j] = input[..., c r^2 + i r + j, h, w]

    >>> F.pixel_shuffle(tg.arange(4.0).reshape(1, 4, 1, 1), 2)
    tensor([[[[0., 1.],
              [2., 3.]]]])
    """
    _check_shuffle(input, upscale_factor, "pixel_shuffle", "upscale_factor")
    r, c = int(upscale_factor), input.shape[-3]
    if c % (r * r):
        raise RuntimeError(
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the "
            f"square of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    return _rs.PixelShuffle.apply(input, r)


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """Splits the C channels of (N, C, *) into ``groups`` groups and interleaves them
    (ShuffleNet): the channels seen as (groups, C / groups) are read as (C / groups,
    groups). out[:, i groups + j] = input[:, j (C / groups) + i].

    >>> F.channel_shuffle(tg.arange(4.0).reshape(1, 4, 1), 2).flatten()
    tensor([0., 2., 1., 3.])
    """
    _check_tensor(input, "channel_shuffle", "input", 1)
    if not isinstance(groups, (int, np.integer)):
        raise TypeError("channel_shuffle(): argument 'groups' (position 2) must be int, not "
                        f"{type(groups).__name__}")
    if input.ndim <= 2:
        raise RuntimeError("channel_shuffle expects input with > 2 dims, but got input with "
                           f"sizes {list(input.shape)}")
    if groups <= 0:
        raise RuntimeError("Number of groups to divide channels in must be positive. Value of "
                           f"groups:{groups}")
    if input.shape[1] % groups:
        raise RuntimeError("Number of channels must be divisible by groups. Got "
                           f"{input.shape[1]} channels and {groups} groups.")
    return _rs.ChannelShuffle.apply(input, int(groups))


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """The inverse of ``pixel_shuffle``: (*, C, H r, W r) -> (*, C r^2, H, W), each r x r
    patch of pixels stacked as r^2 channels.

    >>> F.pixel_unshuffle(tg.arange(4.0).reshape(1, 1, 2, 2), 2).flatten()
    tensor([0., 1., 2., 3.])
    """
    _check_shuffle(input, downscale_factor, "pixel_unshuffle", "downscale_factor")
    r = int(downscale_factor)
    for axis, name in ((-2, "height"), (-1, "width")):
        if input.shape[axis] % r:
            raise RuntimeError(
                f"pixel_unshuffle expects {name} to be divisible by downscale_factor, but "
                f"input.size({axis})={input.shape[axis]} is not divisible by {r}")
    return _rs.PixelUnshuffle.apply(input, r)


# ------------------------------------------------------------------ grid_sample, affine_grid

_ALIGN_WARNING = ("Default grid_sample and affine_grid behavior has changed to "
                  "align_corners=False since 1.3.0. Please specify align_corners=True if the "
                  "old behavior is desired. See the documentation of grid_sample for details.")


def _check_grid(input: Tensor, grid: Tensor, mode: str) -> None:
    """ATen's ``check_grid_sampler_common`` and the 2-D / 3-D checks, in their order."""
    si, sg = _shape_list(tuple(input.shape)), _shape_list(tuple(grid.shape))
    if grid.shape[0] != input.shape[0]:
        raise RuntimeError("grid_sampler(): expected grid and input to have same batch size, "
                           f"but got input with sizes {si} and grid with sizes {sg}")
    if grid.shape[-1] != input.ndim - 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {input.ndim - 2} in "
                           f"last dimension, but got grid with sizes {sg}")
    for i in range(2, input.ndim):
        if input.shape[i] <= 0:
            raise RuntimeError("grid_sampler(): expected input to have non-empty spatial "
                               f"dimensions, but input has sizes {si} with dimension {i} "
                               "being empty")
    d = 4 if input.ndim == 4 else 5
    if input.ndim != d or grid.ndim != d:
        raise RuntimeError(f"grid_sampler(): expected {d}D input and grid with same number of "
                           f"dimensions, but got input with sizes {si} and grid with sizes {sg}")
    if d == 5 and mode == "bicubic":
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if input._data.dtype not in FLOATING:
        kernel = "grid_sampler_2d_cpu_kernel_impl" if d == 4 else "grid_sampler3d_cpu"
        raise not_implemented(kernel, input._data.dtype)
    if grid.dtype != input.dtype:
        raise RuntimeError(f"expected scalar type {_type_name(input)} but found "
                           f"{_type_name(grid)}")


@autocast_op("grid_sampler")
def grid_sample(input: Tensor, grid: Tensor, mode: str = "bilinear",
                padding_mode: str = "zeros", align_corners: bool | None = None) -> Tensor:
    """The input read at the points of ``grid``: out[n, :, h, w] = input[n] at the point
    grid[n, h, w] = (x, y) in [-1, 1] (x along the width; (x, y, z) for a 5-D input).

    input (N, C, H_in, W_in), grid (N, H_out, W_out, 2) -> (N, C, H_out, W_out); 5-D: input
    (N, C, D, H, W), grid (N, D_out, H_out, W_out, 3). ``mode``: 'bilinear' (trilinear in
    5-D), 'nearest' (round half to even) or 'bicubic' (4-D only, Keys' a = -0.75).
    ``padding_mode``: what points outside the input read -- 'zeros', 'border' (the edge)
    or 'reflection'. ``align_corners``: -1 and 1 are the corner pixels' centres (True) or
    their outer edges (False, the default, with a warning when not given). Differentiable
    in the input and in the grid (the grid's gradient is 0 for 'nearest').

    >>> x = tg.arange(4.0).reshape(1, 1, 2, 2)
    >>> F.grid_sample(x, tg.zeros(1, 1, 1, 2), align_corners=True)
    tensor([[[[1.5000]]]])
    """
    _check_tensor(input, "grid_sampler", "input", 1)
    _check_tensor(grid, "grid_sampler", "grid", 2)
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError("nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, UserWarning, stacklevel=2)
        align_corners = False
    _check_grid(input, grid, mode)
    op = _rs.GridSampler2D if input.ndim == 4 else _rs.GridSampler3D
    return op.apply(input, grid, mode, padding_mode, bool(align_corners))


def affine_grid(theta: Tensor, size: list[int], align_corners: bool | None = None) -> Tensor:
    """The sampling grid of an affine map, for ``grid_sample``: grid[n, h, w] =
    theta[n] @ (x_w, y_h, 1), with (x_w, y_h) the output pixel's position in [-1, 1].

    theta (N, 2, 3) and size (N, C, H, W) -> (N, H, W, 2); theta (N, 3, 4) and size
    (N, C, D, H, W) -> (N, D, H, W, 3). ``align_corners`` as in ``grid_sample``.

    >>> F.affine_grid(tg.tensor([[[1.0, 0, 0], [0, 1, 0]]]), [1, 1, 1, 2], align_corners=False)
    tensor([[[[-0.5000,  0.0000],
              [ 0.5000,  0.0000]]]])
    """
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, UserWarning, stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    if len(size) in (4, 5):
        d = len(size) - 2
        if theta.ndim != 3 or tuple(theta.shape[-2:]) != (d, d + 1):
            raise ValueError(f"Expected a batch of {d}D affine matrices of shape Nx{d}x{d + 1} "
                             f"for size {size}. Got {theta.shape}.")
    else:
        raise NotImplementedError("affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {size}.")
    if align_corners and min(size[2:]) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size "
                      "grids when align_corners=True. This is not an intended use case of "
                      "affine_grid. See the documentation of affine_grid for details.",
                      UserWarning, stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    if min(size[2:]) == 1 and theta._data.dtype in REDUCED:
        # (ATen builds a size-1 axis's position with at::tensor(0), which has no 16-bit kernel)
        raise not_implemented("tensor_cpu", theta._data.dtype)
    if theta.shape[0] != size[0]:
        raise RuntimeError("Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{size[0]}, {d + 1}] but got: [{theta.shape[0]}, {d + 1}].")
    return _rs.AffineGridGenerator.apply(theta, tuple(int(n) for n in size), bool(align_corners))
