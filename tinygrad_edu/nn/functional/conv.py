"""Convolution and pooling: ``F.conv2d``, ``F.max_pool2d``, ``F.avg_pool2d``,
``F.adaptive_avg_pool2d`` (argument checks; the im2col math is in ``ops/conv.py``)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ...ops import conv as _conv
from ...parity.names import scalar_type_name
from ...tensor import Tensor, _wrap
from ._common import _shape_list

# ----------------------------------------------------------------- convolution, pooling


def _pair_arg(value: Any, name: str, n_dims: int = 2) -> tuple[int, int]:
    """An int or a sequence of 2 ints as a pair (PyTorch's error for anything else)."""
    if isinstance(value, (int, np.integer)):
        return int(value), int(value)
    values = [int(v) for v in value]
    if len(values) == 1:
        return values[0], values[0]
    if len(values) != 2 or n_dims != 2:
        raise RuntimeError(
            f"expected {name} to be a single integer value or a list of {n_dims} values to "
            f"match the convolution dimensions, but got {name}={values}"
        )
    return values[0], values[1]


def _conv_padding(padding: Any, kernel: tuple[int, int], stride: tuple[int, int],
                  dilation: tuple[int, int]) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) for an int, a pair, 'valid' or 'same' (extra at the end)."""
    if isinstance(padding, str):
        if padding == "valid":
            return 0, 0, 0, 0
        if padding != "same":
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        if stride != (1, 1):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        totals = [d * (k - 1) for d, k in zip(dilation, kernel)]
        if any(t % 2 for t in totals):
            warnings.warn(
                "Using padding='same' with even kernel lengths and odd dilation may require a "
                "zero-padded copy of the input be created", UserWarning, stacklevel=3)
        (th, tw) = totals
        return th // 2, th - th // 2, tw // 2, tw - tw // 2
    ph, pw = _pair_arg(padding, "padding")
    if ph < 0 or pw < 0:
        raise RuntimeError("negative padding is not supported")
    return ph, ph, pw, pw


def _check_conv(input: Tensor, weight: Tensor, bias: Tensor | None, groups: int,
                pads: tuple[int, int, int, int], dilation: tuple[int, int]) -> None:
    """PyTorch's errors for inputs, weights and biases that do not fit together."""
    x, w = input._data, weight._data
    if x.ndim not in (3, 4):
        raise RuntimeError("Expected 3D (unbatched) or 4D (batched) input to conv2d, but got "
                           f"input of size: {_shape_list(x.shape)}")
    if x.dtype != w.dtype or (bias is not None and bias._data.dtype != x.dtype):
        other = w if x.dtype != w.dtype else bias._data  # type: ignore[union-attr]
        raise RuntimeError(f"expected scalar type {scalar_type_name(x.dtype)} but found "
                           f"{scalar_type_name(other.dtype)}")
    c = x.shape[-3]
    if c != w.shape[1] * groups:
        batch = x.shape if x.ndim == 4 else (1,) + x.shape
        raise RuntimeError(
            f"Given groups={groups}, weight of size {_shape_list(w.shape)}, expected "
            f"input{_shape_list(batch)} to have {w.shape[1] * groups} channels, but got {c} "
            "channels instead"
        )
    if bias is not None and bias._data.shape != (w.shape[0],):
        raise RuntimeError(
            f"Given weight of size {_shape_list(w.shape)}, expected bias to be 1-dimensional "
            f"with {w.shape[0]} elements, but got bias of size {_shape_list(bias.shape)} instead"
        )
    hp, wp = x.shape[-2] + pads[0] + pads[1], x.shape[-1] + pads[2] + pads[3]
    kh, kw = [d * (k - 1) + 1 for d, k in zip(dilation, w.shape[2:])]
    if hp < kh or wp < kw:
        raise RuntimeError(
            f"Calculated padded input size per channel: ({hp} x {wp}). Kernel size: ({kh} x "
            f"{kw}). Kernel size can't be greater than actual input size"
        )


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-d convolution (cross-correlation, as PyTorch): y[n, o] = b[o] + sum over c, i, j
    of W[o, c, i, j] * x_pad[n, c, s * oh + d * i, s * ow + d * j], channels in ``groups``.

    Shapes: input (N, C, H, W) or (C, H, W); weight (O, C / groups, kh, kw); bias (O,) ->
    (N, O, OH, OW) with OH = (H + 2 p - d (kh - 1) - 1) // s + 1 (and OW alike).
    ``padding`` is an int, a pair, 'valid' (0) or 'same' (output size = input size).

    >>> F.conv2d(tg.ones(1, 1, 4, 4), tg.ones(1, 1, 3, 3), padding=1).shape
    tinygrad_edu.Size([1, 1, 4, 4])
    """
    st, dil = _pair_arg(stride, "stride"), _pair_arg(dilation, "dilation")
    if weight.ndim != 4:
        raise RuntimeError(
            f"expected stride to be a single integer value or a list of {weight.ndim - 2} "
            f"values to match the convolution dimensions, but got stride={list(st)}"
        )
    if st[0] <= 0 or st[1] <= 0:
        raise RuntimeError("non-positive stride is not supported")
    if dil[0] <= 0 or dil[1] <= 0:
        raise RuntimeError("dilation should be greater than zero")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    pads = _conv_padding(padding, tuple(weight.shape[2:]), st, dil)  # type: ignore[arg-type]
    _check_conv(input, weight, bias, groups, pads, dil)
    if input.ndim == 3:  # unbatched, as PyTorch: a batch of one, squeezed again
        out = conv2d(input.unsqueeze(0), weight, bias, stride, padding, dilation, groups)
        return out.squeeze(0)
    return _conv.Conv2d.apply(input, weight, bias, (st, pads, dil, groups))


def _pool(input: Tensor, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
          ceil_mode: bool, extra: Any, max_pool: bool) -> _conv.Pool:
    """The geometry of a pool over ``input``, with PyTorch's checks."""
    x = input._data
    if x.ndim not in (3, 4) or x.size == 0:
        if not max_pool and x.ndim < 3:
            raise IndexError("Dimension out of range (expected to be in range of "
                             f"[{-max(x.ndim, 1)}, {max(x.ndim, 1) - 1}], but got -3)")
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    k = _pair_arg(kernel_size, "kernel_size")
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else \
        _pair_arg(stride, "stride")
    if s[0] == 0 or s[1] == 0:
        raise RuntimeError("stride should not be zero")
    if k[0] <= 0 or k[1] <= 0:
        raise RuntimeError(
            f"kernel size should be greater than zero, but got kH: {k[0]} kW: {k[1]}")
    p, d = _pair_arg(padding, "padding"), _pair_arg(dilation, "dilation")
    for pi, ki, di in zip(p, k, d):
        if pi > ((ki - 1) * di + 1) // 2:
            raise RuntimeError("pad should be at most half of effective kernel size, but got "
                               f"pad={pi}, kernel_size={ki} and dilation={di}")
    (h, w), c = x.shape[-2:], x.shape[-3]
    sizes = []
    for n, ki, si, pi, di in zip((h, w), k, s, p, d):
        o = _conv.out_size(n, ki, si, 2 * pi + (si - 1 if ceil_mode else 0), di)
        if ceil_mode and (o - 1) * si >= n + pi:  # the last window must start inside
            o -= 1
        sizes.append(o)
    if sizes[0] < 1 or sizes[1] < 1:
        raise RuntimeError(f"Given input size: ({c}x{h}x{w}). Calculated output size: "
                           f"({c}x{sizes[0]}x{sizes[1]}). Output size is too small")
    return _conv.Pool(k, s, p, d, (h, w), extra, sizes[0], sizes[1])


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """The max of each (dilated) window, over the last two dims; padding is -inf.

    Shapes: (N, C, H, W) or (C, H, W) -> (N, C, OH, OW), OH = (H + 2 p - d (k - 1) - 1) // s
    + 1 (rounded up with ``ceil_mode``). The gradient goes to the first max of each window.
    With ``return_indices`` also returns each max's flat index into H * W.

    >>> F.max_pool2d(tg.arange(16.0).reshape(1, 4, 4), 2)
    tensor([[[ 5.,  7.],
             [13., 15.]]])
    """
    pool = _pool(input, kernel_size, stride, padding, dilation, ceil_mode, None, True)
    out = _conv.MaxPool2d.apply(input, pool)
    if not return_indices:
        return out
    if out.grad_fn is not None:
        arg = out.grad_fn.pool.extra
    else:  # not recorded: find the argmax offsets again
        arg = _conv.max_pool_np(input._data, pool)[1]
    return out, _wrap(_max_indices(pool._replace(extra=arg)))


def _max_indices(pool: _conv.Pool) -> np.ndarray:
    """Flat indices into H * W of each window's max, from its offset (i * kw + j)."""
    (kh, kw), (sh, sw), (ph, pw), (dh, dw), (h, w), arg, oh, ow = pool
    rows = np.arange(oh)[:, None] * sh - ph + (arg // kw) * dh
    cols = np.arange(ow)[None, :] * sw - pw + (arg % kw) * dw
    return rows * w + cols


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """The mean of each window, over the last two dims: its sum divided by the window's
    size (zero padding counted when ``count_include_pad``) or by ``divisor_override``.

    Shapes: (N, C, H, W) or (C, H, W) -> (N, C, OH, OW), OH = (H + 2 p - k) // s + 1.

    >>> F.avg_pool2d(tg.arange(16.0).reshape(1, 4, 4), 2)
    tensor([[[ 2.5000,  4.5000],
             [10.5000, 12.5000]]])
    """
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    extra = (count_include_pad, divisor_override)
    pool = _pool(input, kernel_size, stride, padding, 1, ceil_mode, extra, False)
    return _conv.AvgPool2d.apply(input, pool)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Average pooling to a fixed (OH, OW): output row i averages input rows
    floor(i H / OH) to ceil((i + 1) H / OH) (and columns alike); None keeps a size.

    >>> F.adaptive_avg_pool2d(tg.ones(1, 1, 5, 7), (2, 3)).shape
    tinygrad_edu.Size([1, 1, 2, 3])
    """
    if input.ndim not in (3, 4):
        raise RuntimeError("adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got "
                           f"{_shape_list(tuple(input.shape))}")
    h, w = input.shape[-2:]
    sizes = (output_size, output_size) if isinstance(output_size, int) else tuple(output_size)
    oh, ow = (h if sizes[0] is None else sizes[0]), (w if sizes[1] is None else sizes[1])
    if (oh, ow) == (1, 1):  # a plain mean, as PyTorch (grad_fn MeanBackward1)
        return input.mean((-2, -1), keepdim=True)
    return _conv.AdaptiveAvgPool2d.apply(input, ((h, w), (oh, ow)))
