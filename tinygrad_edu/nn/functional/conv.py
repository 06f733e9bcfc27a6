"""Convolution and pooling: ``F.conv2d``, ``F.max_pool2d/3d``, ``F.avg_pool2d/3d``,
``F.lp_pool1d/2d/3d``, ``F.adaptive_avg_pool2d`` (argument checks; the im2col math is in
``ops/conv.py``)."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from ...amp.autocast_mode import autocast_args, autocast_op
from ...dtypes import FLOATING, REDUCED
from ...ops import conv as _conv
from ...parity.errors import not_implemented
from ...parity.names import scalar_type_name, tensor_type_name
from ...tensor import Tensor, _wrap
from ._common import _shape_list

# ----------------------------------------------------------------- convolution, pooling


def _ntuple_arg(value: Any, name: str, n: int) -> tuple[int, ...]:
    """An int or a sequence of 1 or ``n`` ints as an n-tuple (PyTorch's error otherwise)."""
    if isinstance(value, (int, np.integer)):
        return (int(value),) * n
    values = [int(v) for v in value]
    if len(values) == 1:
        return (values[0],) * n
    if len(values) != n:
        raise RuntimeError(
            f"expected {name} to be a single integer value or a list of {n} values to "
            f"match the convolution dimensions, but got {name}={values}"
        )
    return tuple(values)


def _conv_padding(padding: Any, kernel: tuple[int, ...], stride: tuple[int, ...],
                  dilation: tuple[int, ...]) -> tuple[int, ...]:
    """(lo, hi) per spatial dim, flat, for an int, a tuple, 'valid' or 'same' (the odd one
    extra at the end)."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0) * len(kernel)
        if padding != "same":
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        if any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        totals = [d * (k - 1) for d, k in zip(dilation, kernel)]
        if any(t % 2 for t in totals):
            warnings.warn(
                "Using padding='same' with even kernel lengths and odd dilation may require a "
                "zero-padded copy of the input be created", UserWarning, stacklevel=4)
        return tuple(p for t in totals for p in (t // 2, t - t // 2))
    pads = _ntuple_arg(padding, "padding", len(kernel))
    if any(p < 0 for p in pads):
        raise RuntimeError("negative padding is not supported")
    return tuple(p for p in pads for _ in range(2))


def _check_dims(input: Tensor, weight: Tensor, n: int, name: str) -> None:
    """PyTorch's errors for an input or a weight of the wrong rank for ``name`` (n-d)."""
    if input.ndim not in (n + 1, n + 2):
        raise RuntimeError(f"Expected {n + 1}D (unbatched) or {n + 2}D (batched) input to "
                           f"{name}, but got input of size: {_shape_list(tuple(input.shape))}")
    if weight.ndim < 3:
        raise RuntimeError("weight should have at least three dimensions")
    if weight.ndim != n + 2:
        if n == 1:  # a 1-value stride fits any rank: the input's rank is what fails
            raise RuntimeError(
                f"Expected {weight.ndim}-dimensional input for {weight.ndim}-dimensional "
                f"weight {_shape_list(tuple(weight.shape))}, but got {n + 2}-dimensional "
                f"input of size {_shape_list(tuple(input.shape))} instead")
        raise RuntimeError(
            f"expected stride to be a single integer value or a list of {weight.ndim - 2} "
            f"values to match the convolution dimensions, but got stride={[1] * n}")


def _check_geometry(stride: tuple[int, ...], dilation: tuple[int, ...], groups: int) -> None:
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")


def _check_conv(input: Tensor, weight: Tensor, bias: Tensor | None, groups: int,
                transposed: bool) -> None:
    """PyTorch's errors for inputs, weights and biases that do not fit together."""
    x, w = input._data, weight._data
    if x.dtype != w.dtype or (bias is not None and bias._data.dtype != x.dtype):
        other, what = (w, "weight") if x.dtype != w.dtype else (bias._data, "bias")  # type: ignore[union-attr]
        if transposed:
            raise RuntimeError(
                f"Input type ({tensor_type_name(x)}) and {what} type ({tensor_type_name(other)})"
                f" should be the same or input should be a MKLDNN tensor and {what} is a dense "
                "tensor")
        raise RuntimeError(f"expected scalar type {scalar_type_name(x.dtype)} but found "
                           f"{scalar_type_name(other.dtype)}")
    c = x.shape[1]
    given = f"Given transposed=1, weight of size {_shape_list(w.shape)}" if transposed else \
        f"Given groups={groups}, weight of size {_shape_list(w.shape)}"
    channels = w.shape[0] if transposed else w.shape[1] * groups
    if c != channels:
        raise RuntimeError(f"{given}, expected input{_shape_list(x.shape)} to have {channels} "
                           f"channels, but got {c} channels instead")
    out_channels = w.shape[1] * groups if transposed else w.shape[0]
    if bias is not None and bias._data.shape != (out_channels,):
        given = "Given transposed=1, weight" if transposed else "Given weight"
        raise RuntimeError(
            f"{given} of size {_shape_list(w.shape)}, expected bias to be 1-dimensional with "
            f"{out_channels} elements, but got bias of size {_shape_list(bias.shape)} instead")


def _check_kernel_fits(x_shape: tuple[int, ...], w_shape: tuple[int, ...],
                       pads: tuple[int, ...], dilation: tuple[int, ...]) -> None:
    padded = [m + lo + hi for m, lo, hi in zip(x_shape[2:], pads[::2], pads[1::2])]
    kernel = [d * (k - 1) + 1 for d, k in zip(dilation, w_shape[2:])]
    if any(p < k for p, k in zip(padded, kernel)):
        raise RuntimeError(
            f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
            f"Kernel size: ({' x '.join(map(str, kernel))}). Kernel size can't be greater "
            "than actual input size")


def _convolution(input: Tensor, weight: Tensor, bias: Tensor | None, stride: Any,
                 padding: Any, dilation: Any, groups: int, n: int) -> Tensor:
    """conv1d / conv2d / conv3d: the checks, then one ``Convolution`` op."""
    _check_dims(input, weight, n, f"conv{n}d")
    st, dil = _ntuple_arg(stride, "stride", n), _ntuple_arg(dilation, "dilation", n)
    _check_geometry(st, dil, groups)
    pads = _conv_padding(padding, tuple(weight.shape[2:]), st, dil)
    if input.ndim == n + 1:  # unbatched, as PyTorch: a batch of one, squeezed again
        out = _convolution(input.unsqueeze(0), weight, bias, stride, padding, dilation,
                           groups, n)
        return out.squeeze(0)
    _check_conv(input, weight, bias, groups, False)
    _check_kernel_fits(tuple(input.shape), tuple(weight.shape), pads, dil)
    return _conv.Convolution.apply(input, weight, bias, (st, pads, dil, groups))


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """1-d convolution (cross-correlation, as PyTorch): y[n, o, t] = b[o] + sum over c, i
    of W[o, c, i] * x_pad[n, c, s * t + d * i], channels in ``groups``.

    Shapes: input (N, C, L) or (C, L); weight (O, C / groups, k); bias (O,) -> (N, O, OL)
    with OL = (L + 2 p - d (k - 1) - 1) // s + 1. ``padding``: an int, 'valid' or 'same'.

    >>> F.conv1d(tg.ones(1, 1, 5), tg.ones(1, 1, 3), padding=1)
    tensor([[[2., 3., 3., 3., 2.]]])
    """
    input, weight, bias = autocast_args("conv1d", input, weight, bias)
    return _convolution(input, weight, bias, stride, padding, dilation, groups, 1)


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
    input, weight, bias = autocast_args("conv2d", input, weight, bias)
    return _convolution(input, weight, bias, stride, padding, dilation, groups, 2)


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """3-d convolution (cross-correlation, as PyTorch), ``conv2d`` with a depth dim.

    Shapes: input (N, C, D, H, W) or (C, D, H, W); weight (O, C / groups, kd, kh, kw); bias
    (O,) -> (N, O, OD, OH, OW), each as in ``conv1d``.

    >>> F.conv3d(tg.ones(1, 2, 4, 4, 4), tg.ones(3, 2, 3, 3, 3)).shape
    tinygrad_edu.Size([1, 3, 2, 2, 2])
    """
    input, weight, bias = autocast_args("conv3d", input, weight, bias)
    return _convolution(input, weight, bias, stride, padding, dilation, groups, 3)


def _check_output_padding(out_pad: tuple[int, ...], stride: tuple[int, ...],
                          dilation: tuple[int, ...]) -> None:
    """Each output_padding must be below its stride or its dilation (PyTorch's message
    names height and width; 1-d is a unit height)."""
    if all(p < s or p < d for p, s, d in zip(out_pad, stride, dilation)):
        return
    names = ("height", "width") if len(stride) <= 2 else ("depth", "height", "width")
    pad2 = lambda v, fill: (fill,) * (len(names) - len(v)) + tuple(v)  # noqa: E731
    parts = [f"{what}_{dim}: {v}" for what, values in
             (("output_padding", pad2(out_pad, 0)), ("stride", pad2(stride, 1)),
              ("dilation", pad2(dilation, 1))) for dim, v in zip(names, values)]
    raise RuntimeError("output padding must be smaller than either stride or dilation, but "
                       f"got {' '.join(parts)}")


def _conv_transposed(input: Tensor, weight: Tensor, bias: Tensor | None, stride: Any,
                     padding: Any, output_padding: Any, groups: int, dilation: Any,
                     n: int) -> Tensor:
    """conv_transpose1d/2d/3d: the checks, then one (transposed) ``Convolution`` op."""
    _check_dims(input, weight, n, f"conv_transpose{n}d")
    if isinstance(padding, str):
        raise TypeError(f"conv_transpose{n}d(): argument 'padding' must be tuple of ints, "
                        "not str")
    st, dil = _ntuple_arg(stride, "stride", n), _ntuple_arg(dilation, "dilation", n)
    out_pad = _ntuple_arg(output_padding, "output_padding", n)
    _check_geometry(st, dil, groups)
    pads = _conv_padding(padding, tuple(weight.shape[2:]), st, dil)
    _check_output_padding(out_pad, st, dil)
    if input.ndim == n + 1:
        return _conv_transposed(input.unsqueeze(0), weight, bias, st, pads[::2], out_pad,
                                groups, dil, n).squeeze(0)
    _check_conv(input, weight, bias, groups, True)
    size = tuple(input.shape[2:])
    out = tuple((m - 1) * s - lo - hi + d * (k - 1) + p + 1 for m, s, lo, hi, d, k, p in
                zip(size, st, pads[::2], pads[1::2], dil, weight.shape[2:], out_pad))
    if any(o <= 0 for o in out):
        raise RuntimeError(
            f"Given input size per channel: ({' x '.join(map(str, size))}). Calculated output "
            f"size per channel: ({' x '.join(map(str, out))}). Output size is too small")
    out_shape = (input.shape[0], weight.shape[1] * groups) + out
    return _conv.Convolution.apply(input, weight, bias, (st, pads, dil, groups), out_shape)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """1-d transposed convolution: the gradient of ``conv1d`` with respect to its input
    (each input element adds W[c, o, :] times itself into the output, s apart).

    Shapes: input (N, C, L) or (C, L); weight (C, O / groups, k); bias (O,) -> (N, O, OL),
    OL = (L - 1) s - 2 p + d (k - 1) + output_padding + 1.

    >>> F.conv_transpose1d(tg.ones(1, 1, 3), tg.ones(1, 1, 2), stride=2)
    tensor([[[1., 1., 1., 1., 1., 1.]]])
    """
    input, weight, bias = autocast_args("conv_transpose1d", input, weight, bias)
    return _conv_transposed(input, weight, bias, stride, padding, output_padding, groups,
                            dilation, 1)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """2-d transposed convolution ("deconvolution"): the gradient of ``conv2d`` with
    respect to its input; upsamples by ``stride``.

    Shapes: input (N, C, H, W) or (C, H, W); weight (C, O / groups, kh, kw); bias (O,) ->
    (N, O, OH, OW), OH = (H - 1) s - 2 p + d (kh - 1) + output_padding + 1 (OW alike).

    >>> F.conv_transpose2d(tg.ones(1, 2, 3, 3), tg.ones(2, 4, 2, 2), stride=2).shape
    tinygrad_edu.Size([1, 4, 6, 6])
    """
    input, weight, bias = autocast_args("conv_transpose2d", input, weight, bias)
    return _conv_transposed(input, weight, bias, stride, padding, output_padding, groups,
                            dilation, 2)


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """3-d transposed convolution: the gradient of ``conv3d`` with respect to its input.

    Shapes: input (N, C, D, H, W) or (C, D, H, W); weight (C, O / groups, kd, kh, kw);
    bias (O,) -> (N, O, OD, OH, OW), each size as in ``conv_transpose2d``.

    >>> F.conv_transpose3d(tg.ones(1, 2, 3, 3, 3), tg.ones(2, 4, 2, 2, 2), stride=2).shape
    tinygrad_edu.Size([1, 4, 6, 6, 6])
    """
    input, weight, bias = autocast_args("conv_transpose3d", input, weight, bias)
    return _conv_transposed(input, weight, bias, stride, padding, output_padding, groups,
                            dilation, 3)


def _pool(input: Tensor, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
          ceil_mode: bool, extra: Any, max_pool: bool, n: int = 2) -> _conv.Pool:
    """The geometry of a pool over the last ``n`` (2 or 3) dims of ``input``, with
    PyTorch's checks."""
    x = input._data
    if x.ndim not in (n + 1, n + 2) or (n == 2 and x.size == 0):
        if not max_pool and x.ndim < 3 and n == 2:
            raise IndexError("Dimension out of range (expected to be in range of "
                             f"[{-max(x.ndim, 1)}, {max(x.ndim, 1) - 1}], but got -3)")
        raise RuntimeError(f"non-empty {n + 1}D or {n + 2}D (batch mode) tensor expected for "
                           "input")
    if n == 3 and 0 in x.shape[1:]:  # (a batch of none is fine; torch names dim 0 always)
        where = "max_pool3d_with_indices_out_cpu_template()" if max_pool else "avg_pool3d()"
        raise RuntimeError(
            f"{where}: Expected input's non-batch dimensions to have positive length, but "
            f"input has a shape of {_shape_list(x.shape)} and non-batch dimension 0 has "
            "length zero!")
    k = _ntuple_arg(kernel_size, "kernel_size", n)
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else \
        _ntuple_arg(stride, "stride", n)
    if 0 in s:
        raise RuntimeError("stride should not be zero")
    if any(ki <= 0 for ki in k):
        raise RuntimeError(
            f"kernel size should be greater than zero, but got kH: {k[0]} kW: {k[1]}")
    p, d = _ntuple_arg(padding, "padding", n), _ntuple_arg(dilation, "dilation", n)
    if n == 3 and any(di <= 0 for di in d):
        raise RuntimeError("dilation should be greater than zero, but got dilationT: "
                           f"{d[0]} dilationH: {d[1]} dilationW: {d[2]}")
    for pi, ki, di in zip(p, k, d):
        if pi > ((ki - 1) * di + 1) // 2:
            raise RuntimeError("pad should be at most half of effective kernel size, but got "
                               f"pad={pi}, kernel_size={ki} and dilation={di}")
    size, c = x.shape[-n:], x.shape[-n - 1]
    if n == 3 and not max_pool and any(m < ki for m, ki in zip(size, k)):
        raise RuntimeError(f"input image (T: {size[0]} H: {size[1]} W: {size[2]}) smaller "
                           f"than kernel size (kT: {k[0]} kH: {k[1]} kW: {k[2]})")
    sizes = []
    for m, ki, si, pi, di in zip(size, k, s, p, d):
        o = _conv.out_size(m, ki, si, 2 * pi + (si - 1 if ceil_mode else 0), di)
        if ceil_mode and (o - 1) * si >= m + pi:  # the last window must start inside
            o -= 1
        sizes.append(o)
    if min(sizes) < 1:
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, (c,) + size))}). Calculated "
                           f"output size: ({'x'.join(map(str, [c] + sizes))}). Output size is "
                           "too small")
    return _conv.Pool(k, s, p, d, tuple(size), extra, tuple(sizes))


def _max_pool(input: Tensor, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
              ceil_mode: bool, return_indices: bool, n: int) -> Any:
    """max_pool2d / max_pool3d: the checks, then one max pool op (and the indices)."""
    if input._data.dtype == np.bool_:
        raise not_implemented(f"max_pool{n}d", input._data.dtype)
    pool = _pool(input, kernel_size, stride, padding, dilation, ceil_mode, None, True, n)
    out = (_conv.MaxPool3d if n == 3 else _conv.MaxPool2d).apply(input, pool)
    if not return_indices:
        return out
    if out.grad_fn is not None:
        arg = out.grad_fn.pool.extra
    else:  # not recorded: find the argmax taps again
        arg = _conv.max_pool_np(input._data, pool)[1]
    return out, _wrap(_max_indices(pool._replace(extra=arg)))


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
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices,
                     2)


def max_pool3d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """``max_pool2d`` over the last three dims: (N, C, D, H, W) or (C, D, H, W) ->
    (N, C, OD, OH, OW), each size as in ``max_pool2d``; indices are flat into D * H * W.

    >>> F.max_pool3d(tg.arange(8.0).reshape(1, 2, 2, 2), 2)
    tensor([[[[7.]]]])
    """
    if not return_indices:  # (max_pool3d_with_indices is not on PyTorch's autocast lists)
        input, = autocast_args("max_pool3d", input)
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices,
                     3)


def _max_indices(pool: _conv.Pool) -> np.ndarray:
    """Flat indices into prod(size) of each window's max, from its tap (i * kw + j in 2-d)."""
    n = len(pool.kernel)
    offsets = np.unravel_index(pool.extra, pool.kernel)
    flat: Any = 0
    for i, (o, st, p, d, m, off) in enumerate(zip(pool.out, pool.stride, pool.pads,
                                                  pool.dilation, pool.size, offsets)):
        start = (np.arange(o) * st - p).reshape((o,) + (1,) * (n - 1 - i))
        flat = flat * m + start + off * d
    return flat


def _pool1d_args(input: Tensor, kernel_size: Any, stride: Any, padding: Any,
                 name: str) -> tuple[Any, Any, Any]:
    """(kernel, stride, padding) of a 1-d pool as ints, with max_pool1d's own checks."""
    if input.ndim not in (2, 3):
        raise RuntimeError(f"{name}: Expected 2D or 3D (batch mode) tensor with optional 0 dim "
                           f"batch size for input, but got:{_shape_list(tuple(input.shape))}")
    values = []
    for value, what in ((kernel_size, "kernel_size"), (stride, "stride"), (padding, "padding")):
        if isinstance(value, int) or value is None:
            values.append(value)
        elif len(value) == 1:
            values.append(int(value[0]))
        else:
            raise RuntimeError(f"{name}() {what} must be an int, list of ints or tuple of "
                               f"ints of size 1 but got size {len(value)}")
    return values[0], values[1], values[2]


def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """The max of each (dilated) window over the last dim, padded with -inf: as PyTorch,
    ``max_pool2d`` over a unit height (so its gradient shows as SqueezeBackward1).

    Shapes: (N, C, L) or (C, L) -> (N, C, OL), OL = (L + 2 p - d (k - 1) - 1) // s + 1.

    >>> F.max_pool1d(tg.tensor([[1.0, 3.0, 2.0, 5.0]]), 2)
    tensor([[3., 5.]])
    """
    k, s, p = _pool1d_args(input, kernel_size, stride, padding, "max_pool1d")
    d = dilation if isinstance(dilation, int) else dilation[0]
    for value, what in ((k, "kernel_size"), (s, "stride"), (d, "dilation")):
        if value is not None and value <= 0:  # (before the division by the stride)
            raise RuntimeError(f"max_pool1d() {what} must be greater than zero, but got "
                               f"{value}")
    if p > k // 2:
        raise RuntimeError("max_pool1d() padding should be at most half of kernel size, but "
                           f"got padding={p} and kernel_size={k}")
    size = _conv.out_size(input.shape[-1], k, k if s is None else s, 2 * p, d)
    if size <= 0:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {size}")
    out = max_pool2d(input.unsqueeze(-2), (1, k), None if s is None else (1, s), (0, p),
                     (1, d), ceil_mode, return_indices)
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)


def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """The mean of each window over the last dim: as PyTorch, ``avg_pool2d`` over a unit
    height (so its gradient shows as SqueezeBackward1).

    Shapes: (N, C, L) or (C, L) -> (N, C, OL), OL = (L + 2 p - k) // s + 1.

    >>> F.avg_pool1d(tg.tensor([[1.0, 3.0, 2.0, 5.0]]), 2)
    tensor([[2.0000, 3.5000]])
    """
    if input.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional "
                           "tensor for argument #1 'self' (while checking arguments for "
                           "avg_pool1d)")
    k, s, p = _pool1d_args(input, kernel_size, stride, padding, "avg_pool1d")
    out = avg_pool2d(input.unsqueeze(-2), (1, k), None if s is None else (1, s), (0, p),
                     ceil_mode, count_include_pad)
    return out.squeeze(-2)


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
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, 2)


@autocast_op("avg_pool3d")
def avg_pool3d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """``avg_pool2d`` over the last three dims: (N, C, D, H, W) or (C, D, H, W) ->
    (N, C, OD, OH, OW), the divisor the window's volume (see ``avg_pool2d``).

    >>> F.avg_pool3d(tg.arange(8.0).reshape(1, 2, 2, 2), 2)
    tensor([[[[3.5000]]]])
    """
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, 3)


def _avg_pool(input: Tensor, kernel_size: Any, stride: Any, padding: Any, ceil_mode: bool,
              count_include_pad: bool, divisor_override: int | None, n: int) -> Tensor:
    """avg_pool2d / avg_pool3d: the checks, then one average pool op."""
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    dtype = input._data.dtype  # PyTorch's kernels: floats and int64 (no 16-bit float in 3-d)
    if (dtype not in FLOATING and dtype != np.int64) or (n == 3 and dtype in REDUCED):
        raise not_implemented("avg_pool3d_out_frame" if n == 3 else "avg_pool2d", dtype)
    extra = (count_include_pad, divisor_override)
    pool = _pool(input, kernel_size, stride, padding, 1, ceil_mode, extra, False, n)
    return (_conv.AvgPool3d if n == 3 else _conv.AvgPool2d).apply(input, pool)


def lp_pool1d(input: Tensor, norm_type: float, kernel_size: int, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """The p-norm of each window over the last dim: (sum of x^p over the window)^(1/p),
    p = ``norm_type`` (inf: the max of abs(x)). Built as PyTorch builds it: an average pool of
    x^p times the window size, so its graph shows PowBackward0 ... AvgPool2DBackward0;
    where the window's sum is 0 the gradient is 0.

    Shapes: (N, C, L) or (C, L) -> (N, C, OL), OL = (L - k) // s + 1.

    >>> F.lp_pool1d(tg.tensor([[3.0, 4.0, 1.0, 0.0]]), 2, 2)
    tensor([[5., 1.]])
    """
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 1)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """``lp_pool1d`` over the last two dims: (N, C, H, W) or (C, H, W) -> (N, C, OH, OW).

    >>> F.lp_pool2d(tg.ones(1, 2, 2), 2, 2)
    tensor([[[2.]]])
    """
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 2)


def lp_pool3d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """``lp_pool1d`` over the last three dims: (N, C, D, H, W) or (C, D, H, W) ->
    (N, C, OD, OH, OW).

    >>> F.lp_pool3d(tg.ones(1, 2, 2, 2), 1, 2)
    tensor([[[[8.]]]])
    """
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 3)


def _lp_pool(input: Tensor, norm_type: float, kernel_size: Any, stride: Any, ceil_mode: bool,
             n: int) -> Tensor:
    """(window size * mean of x^p)^(1/p); the sign * relu(abs) of PyTorch sends a zero
    gradient where the mean is 0 (and keeps a negative mean, which pow then makes NaN)."""
    max_pool, avg_pool = {1: (max_pool1d, avg_pool1d), 2: (max_pool2d, avg_pool2d),
                          3: (max_pool3d, avg_pool3d)}[n]
    size = kernel_size
    if n > 1:  # (PyTorch unpacks the n sizes first: ``kw, kh = _pair(kernel_size)``)
        sizes = (kernel_size,) * n if isinstance(kernel_size, int) else tuple(kernel_size)
        if len(sizes) != n:
            raise ValueError(f"too many values to unpack (expected {n})" if len(sizes) > n
                             else f"not enough values to unpack (expected {n}, got "
                                  f"{len(sizes)})")
        size = math.prod(sizes)
    if norm_type == math.inf:  # the max of abs(x)
        largest: Tensor = max_pool(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
        return largest
    if norm_type == -math.inf:  # the min of abs(x)
        smallest: Tensor = max_pool(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
        return -smallest
    out = avg_pool(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (out.sign() * out.abs().relu()).mul(size).pow(1.0 / norm_type)


def _adaptive_sizes(input: Tensor, output_size: Any, name: str, n: int) -> tuple[Any, Any]:
    """(input sizes, output sizes) of an adaptive pool over the last ``n`` dims, with
    PyTorch's checks (None in output_size keeps that size)."""
    if input.ndim not in (n + 1, n + 2):
        got = ": " if name.startswith("adaptive_max") else " "
        raise RuntimeError(f"{name}(): Expected {n + 1}D or {n + 2}D tensor, but got"
                           f"{got}{_shape_list(tuple(input.shape))}")
    sizes = tuple(input.shape[-n:])
    outs = (output_size,) * n if isinstance(output_size, int) or output_size is None else \
        tuple(output_size)
    if len(outs) != n:
        if name.startswith("adaptive_max"):
            raise RuntimeError(f"{name}(): internal error: output_size.size() must be {n}")
        raise RuntimeError(f"{name}: output_size must be {n}")
    if 0 in input.shape[1:]:
        dim = next(i for i in range(1, input.ndim) if input.shape[i] == 0)
        raise RuntimeError(
            f"{name}(): Expected input to have non-zero size for non-batch dimensions, but "
            f"input has sizes {_shape_list(tuple(input.shape))} with dimension {dim} being "
            "empty")
    return sizes, tuple(m if o is None else o for m, o in zip(sizes, outs))


def _pool1d_input(input: Tensor, output_size: Any, name: str) -> Any:
    """An adaptive 1-d pool's checks: an (N, C, L) or (C, L) input, one output size."""
    if input.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional "
                           f"tensor for argument #1 'self' (while checking arguments for "
                           f"{name})")
    if not isinstance(output_size, int):
        if len(output_size) != 1:
            raise RuntimeError(f"{name}() argument 'output_size' should contain one int (got "
                               f"{len(output_size)})")
        output_size = output_size[0]
    return (1, output_size)


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    """Average pooling of the last dim to a fixed length: as PyTorch, ``adaptive_avg_pool2d``
    over a unit height (so its gradient shows as SqueezeBackward1).

    >>> F.adaptive_avg_pool1d(tg.tensor([[1.0, 2.0, 3.0, 4.0]]), 2)
    tensor([[1.5000, 3.5000]])
    """
    size = _pool1d_input(input, output_size, "adaptive_avg_pool1d")
    return adaptive_avg_pool2d(input.unsqueeze(-2), size).squeeze(-2)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Average pooling to a fixed (OH, OW): output row i averages input rows
    floor(i H / OH) to ceil((i + 1) H / OH) (and columns alike); None keeps a size.

    >>> F.adaptive_avg_pool2d(tg.ones(1, 1, 5, 7), (2, 3)).shape
    tinygrad_edu.Size([1, 1, 2, 3])
    """
    return _adaptive_avg(input, output_size, 2)


@autocast_op("adaptive_avg_pool3d")
def adaptive_avg_pool3d(input: Tensor, output_size: Any) -> Tensor:
    """``adaptive_avg_pool2d`` over the last three dims, to a fixed (OD, OH, OW).

    >>> F.adaptive_avg_pool3d(tg.ones(1, 2, 5, 6, 7), (1, 2, 3)).shape
    tinygrad_edu.Size([1, 2, 1, 2, 3])
    """
    return _adaptive_avg(input, output_size, 3)


def _adaptive_avg(input: Tensor, output_size: Any, n: int) -> Tensor:
    """adaptive_avg_pool2d / 3d: the checks, then one op (or a mean, as PyTorch)."""
    sizes, outs = _adaptive_sizes(input, output_size, f"adaptive_avg_pool{n}d", n)
    if outs == (1,) * n:  # a plain mean, as PyTorch (grad_fn MeanBackward1)
        return input.mean(tuple(range(-n, 0)), keepdim=True)
    if input._data.dtype not in FLOATING:
        name = "adaptive_avg_pool3d_cpu" if n == 3 else "adaptive_avg_pool2d"
        raise not_implemented(name, input._data.dtype)
    op = _conv.AdaptiveAvgPool3d if n == 3 else _conv.AdaptiveAvgPool2d
    return op.apply(input, (sizes, outs))


def _adaptive_max(input: Tensor, output_size: Any, return_indices: bool, n: int) -> Any:
    """adaptive_max_pool2d / 3d: the checks, then one op (and the indices)."""
    pool = _adaptive_sizes(input, output_size, f"adaptive_max_pool{n}d", n)
    if input._data.dtype not in FLOATING:
        raise not_implemented(f"adaptive_max_pool{n}d", input._data.dtype)
    out = (_conv.AdaptiveMaxPool3d if n == 3 else _conv.AdaptiveMaxPool2d).apply(input, pool)
    if not return_indices:
        return out
    index = out.grad_fn.pool[1] if out.grad_fn is not None else \
        _conv.adaptive_max_np(input._data, *pool)[1]
    return out, _wrap(index)


def adaptive_max_pool1d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Max pooling of the last dim to a fixed length (windows as ``adaptive_avg_pool1d``):
    as PyTorch, ``adaptive_max_pool2d`` over a unit height.

    >>> F.adaptive_max_pool1d(tg.tensor([[1.0, 3.0, 2.0, 4.0]]), 2)
    tensor([[3., 4.]])
    """
    size = _pool1d_input(input, output_size, "adaptive_max_pool1d")
    out = adaptive_max_pool2d(input.unsqueeze(-2), size, return_indices)
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Max pooling to a fixed (OH, OW), the windows of ``adaptive_avg_pool2d``; the gradient
    goes to each window's first max. ``return_indices``: also each max's flat index into
    H * W.

    >>> F.adaptive_max_pool2d(tg.arange(16.0).reshape(1, 4, 4), 2)
    tensor([[[ 5.,  7.],
             [13., 15.]]])
    """
    return _adaptive_max(input, output_size, return_indices, 2)


@autocast_op("adaptive_max_pool3d")
def adaptive_max_pool3d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """``adaptive_max_pool2d`` over the last three dims; indices flat into D * H * W.

    >>> F.adaptive_max_pool3d(tg.arange(8.0).reshape(1, 2, 2, 2), 1)
    tensor([[[[7.]]]])
    """
    return _adaptive_max(input, output_size, return_indices, 3)


def _unpool_output_size(input: Tensor, kernel: tuple[int, ...], stride: tuple[int, ...],
                        padding: tuple[int, ...], output_size: Any) -> tuple[int, ...]:
    """The spatial sizes a max unpool writes: max pool's input size by default, or
    ``output_size`` (spatial or full), within a stride of it (PyTorch's checks)."""
    n = len(kernel)
    default = [(input.shape[-n + d] - 1) * stride[d] + kernel[d] - 2 * padding[d]
               for d in range(n)]
    if output_size is None:
        sizes = default
    else:
        sizes = list(output_size)
        if len(sizes) == n + 2:
            sizes = sizes[2:]
        if len(sizes) != n:
            raise ValueError(f"output_size should be a sequence containing {n} or {n + 2} "
                             f"elements, but it has a length of '{len(sizes)}'")
        for d in range(n):
            low, high = default[d] - stride[d], default[d] + stride[d]
            if not low < sizes[d] < high:
                raise ValueError(f'invalid output_size "{output_size}" (dim {d} must be '
                                 f"between {low} and {high})")
    for d in range(n):
        if sizes[d] < 0:
            raise ValueError("max_unpooling: output_size must contain non-negative spatial "
                             f"dimensions, but got output_size[{d}]={sizes[d]}")
    return tuple(int(m) for m in sizes)


def _max_unpool(input: Tensor, indices: Tensor, sizes: tuple[int, ...], n: int) -> Tensor:
    """max_unpool2d / 3d on checked output sizes: one op."""
    x, index = input._data, indices._data
    if x.ndim not in (n + 1, n + 2):
        raise RuntimeError(f"Input to max_unpooling{n}d should be a {n + 1}d or {n + 2}d "
                           f"Tensor, but got a tensor with {x.ndim} dimensions.")
    if index.dtype != np.int64:
        raise RuntimeError("elements in indices should be type int64 but got: "
                           f"{scalar_type_name(index.dtype)}")
    if index.shape != x.shape:
        raise RuntimeError(
            "Expected shape of indices to be same as that of the input tensor "
            f"({_shape_list(x.shape)}) but got indices tensor with shape: "
            f"{_shape_list(index.shape)}")
    if x.dtype not in FLOATING:
        raise not_implemented(f"max_unpool{n}d", x.dtype)
    volume = int(np.prod(sizes))
    bad = (index < 0) | (index >= volume)
    if bad.any():  # PyTorch's loop goes on and names the last bad index
        raise RuntimeError(f"Found an invalid max index: {index[bad].flat[-1]} (output volumes "
                           f"are of size {'x'.join(map(str, sizes))})")
    op = _conv.MaxUnpool3d if n == 3 else _conv.MaxUnpool2d
    return op.apply(input, (sizes, index))


def _unpool_args(input: Tensor, kernel_size: Any, stride: Any, padding: Any,
                 output_size: Any, n: int) -> tuple[int, ...]:
    k = _ntuple_arg(kernel_size, "kernel_size", n)
    s = k if stride is None else _ntuple_arg(stride, "stride", n)
    return _unpool_output_size(input, k, s, _ntuple_arg(padding, "padding", n), output_size)


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None,
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """The inverse of ``max_pool1d``: each value put back at its index, zeros elsewhere
    (as PyTorch, ``max_unpool2d`` over a unit width).

    >>> out, idx = F.max_pool1d(tg.tensor([[1.0, 3.0, 2.0, 5.0]]), 2, return_indices=True)
    >>> F.max_unpool1d(out, idx, 2)
    tensor([[0., 3., 0., 5.]])
    """
    sizes = _unpool_args(input, kernel_size, stride, padding, output_size, 1)
    return _max_unpool(input.unsqueeze(-1), indices.unsqueeze(-1), sizes + (1,),
                       2).squeeze(-1)


@autocast_op("max_unpool2d")
def max_unpool2d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None,
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """The inverse of ``max_pool2d``: each value written at its flat index into H * W of a
    zero (N, C, H, W), H and W those of the pool's input (or ``output_size``).

    >>> out, idx = F.max_pool2d(tg.arange(4.0).reshape(1, 2, 2), 2, return_indices=True)
    >>> F.max_unpool2d(out, idx, 2)
    tensor([[[0., 0.],
             [0., 3.]]])
    """
    sizes = _unpool_args(input, kernel_size, stride, padding, output_size, 2)
    return _max_unpool(input, indices, sizes, 2)


@autocast_op("max_unpool3d")
def max_unpool3d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None,
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """The inverse of ``max_pool3d``: ``max_unpool2d`` with a depth dim.

    >>> out, idx = F.max_pool3d(tg.arange(8.0).reshape(1, 2, 2, 2), 2, return_indices=True)
    >>> F.max_unpool3d(out, idx, 2).shape
    tinygrad_edu.Size([1, 2, 2, 2])
    """
    sizes = _unpool_args(input, kernel_size, stride, padding, output_size, 3)
    return _max_unpool(input, indices, sizes, 3)
