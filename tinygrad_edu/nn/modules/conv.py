"""``Conv1d``, ``Conv2d``, ``Conv3d`` and ``ConvTranspose1d/2d/3d``, as in
``torch.nn``: one ``_ConvNd`` body (parameters, initialisation, repr) for all of them."""

from __future__ import annotations

import math
from typing import Any

from ... import _device
from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .linear import _empty
from .module import Module
from .utils import _ntuple

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d",
           "ConvTranspose3d"]

# sets, printed in their (hash-seeded) order in errors, as PyTorch prints its own
_PADDING_MODES = {"zeros", "reflect", "replicate", "circular"}
_PADDING_STRINGS = {"same", "valid"}


def _check_args(in_channels: int, out_channels: int, stride: tuple[int, ...], padding: Any,
                groups: int, padding_mode: str) -> None:
    """PyTorch's ValueErrors for arguments that cannot work together."""
    if groups <= 0:
        raise ValueError("groups must be a positive integer")
    if in_channels % groups != 0:
        raise ValueError("in_channels must be divisible by groups")
    if out_channels % groups != 0:
        raise ValueError("out_channels must be divisible by groups")
    if isinstance(padding, str):
        if padding not in _PADDING_STRINGS:
            raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                             f"{_PADDING_STRINGS}")
        if padding == "same" and any(s != 1 for s in stride):
            raise ValueError("padding='same' is not supported for strided convolutions")
    if padding_mode not in _PADDING_MODES:
        raise ValueError(f"padding_mode must be one of {_PADDING_MODES}, but got "
                         f"padding_mode={padding_mode!r}")


class _ConvNd(Module):
    """What every convolution layer shares (PyTorch's ``_ConvNd``): the arguments as
    n-tuples, ``weight`` (out, in / groups, *kernel) or, transposed, (in, out / groups,
    *kernel), ``bias`` (out,), PyTorch's initialisation and repr."""

    _n: int
    weight: Parameter
    bias: Parameter | None

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any,
                 padding: Any, dilation: Any, transposed: bool, output_padding: Any,
                 groups: int, bias: bool, padding_mode: str, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        _device.check(device)
        n = self._n
        stride, kernel_size, dilation = _ntuple(n)(stride), _ntuple(n)(kernel_size), \
            _ntuple(n)(dilation)
        _check_args(in_channels, out_channels, stride, padding, groups, padding_mode)
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride = kernel_size, stride
        self.padding = padding if isinstance(padding, str) else _ntuple(n)(padding)
        self.dilation, self.transposed = dilation, transposed
        self.output_padding = _ntuple(n)(output_padding)
        self.groups, self.padding_mode = groups, padding_mode
        self._reversed_padding_repeated_twice = self._reversed_padding()
        channels = (in_channels, out_channels // groups) if transposed else \
            (out_channels, in_channels // groups)
        self.weight = Parameter(_empty(channels + kernel_size, dtype))
        if bias:
            self.bias = Parameter(_empty((out_channels,), dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def _reversed_padding(self) -> Any:
        """Padding as (left, right, top, bottom, ...), last dim first, as ``F.pad`` takes it
        (PyTorch keeps it)."""
        if self.padding == "same":
            pads = [0, 0] * self._n
            for d, k, i in zip(self.dilation, self.kernel_size, range(self._n - 1, -1, -1)):
                total = d * (k - 1)
                pads[2 * i], pads[2 * i + 1] = total // 2, total - total // 2
            return pads
        if isinstance(self.padding, str):  # 'valid'
            return [0, 0] * self._n
        return tuple(p for p in reversed(self.padding) for _ in range(2))

    def reset_parameters(self) -> None:
        """Draw fresh weights (kaiming_uniform_(a=sqrt(5))), then the bias
        U(-1/sqrt(fan_in), 1/sqrt(fan_in)): PyTorch's order of random draws."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        n = self._n
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * n:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * n:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class _Conv(_ConvNd):
    """A forward convolution layer: ``conv{n}d(x, W) + b``."""

    _conv: Any

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any,
                 stride: Any = 1, padding: Any = 0, dilation: Any = 1, groups: int = 1,
                 bias: bool = True, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         False, 0, groups, bias, padding_mode, device, dtype)

    def forward(self, input: Tensor) -> Tensor:
        """conv{n}d(input, W) + b (one fused op). A ``padding_mode`` other than 'zeros'
        pads first with ``F.pad`` (reflect, replicate, circular) and convolves unpadded."""
        if self.padding_mode != "zeros":
            padded = F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            return type(self)._conv(padded, self.weight, self.bias, self.stride, 0,
                                    self.dilation, self.groups)
        return type(self)._conv(input, self.weight, self.bias, self.stride, self.padding,
                                self.dilation, self.groups)


class Conv1d(_Conv):
    """A 1-d convolution layer: y = conv1d(x, W) + b (see ``F.conv1d`` for the math).

    Shapes: input (N, C_in, L) or (C_in, L) -> (N, C_out, OL); weight (C_out, C_in /
    groups, k), bias (C_out,). Initialised as ``Conv2d`` (PyTorch's draws, bit for bit).

    >>> nn.Conv1d(2, 4, 3, padding=1)(tg.ones(1, 2, 10)).shape
    tinygrad_edu.Size([1, 4, 10])
    """

    _n, _conv = 1, staticmethod(F.conv1d)


class Conv2d(_Conv):
    """A 2-d convolution layer: y = conv2d(x, W) + b (see ``F.conv2d`` for the math).

    Shapes: input (N, C_in, H, W) or (C_in, H, W) -> (N, C_out, OH, OW); weight
    (C_out, C_in / groups, kh, kw), bias (C_out,). Initialised as PyTorch does
    (``kaiming_uniform_(a=sqrt(5))``, then bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with
    fan_in = C_in / groups * kh * kw), so after ``tg.manual_seed(s)`` the weights equal
    ``torch.nn.Conv2d``'s bit for bit.

    >>> conv = nn.Conv2d(1, 8, 3, padding=1)
    >>> conv(tg.ones(2, 1, 28, 28)).shape
    tinygrad_edu.Size([2, 8, 28, 28])
    """

    _n, _conv = 2, staticmethod(F.conv2d)


class Conv3d(_Conv):
    """A 3-d convolution layer: y = conv3d(x, W) + b (see ``F.conv3d``).

    Shapes: input (N, C_in, D, H, W) or (C_in, D, H, W) -> (N, C_out, OD, OH, OW); weight
    (C_out, C_in / groups, kd, kh, kw), bias (C_out,). Initialised as ``Conv2d``.

    >>> nn.Conv3d(1, 2, 3)(tg.ones(1, 1, 4, 4, 4)).shape
    tinygrad_edu.Size([1, 2, 2, 2, 2])
    """

    _n, _conv = 3, staticmethod(F.conv3d)


class _ConvTransposeNd(_ConvNd):
    """A transposed convolution layer: ``conv_transpose{n}d(x, W) + b``; ``forward`` may
    ask for an ``output_size`` (it picks the output_padding that gives it)."""

    _conv: Any

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any,
                 stride: Any = 1, padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                 bias: bool = True, dilation: Any = 1, padding_mode: str = "zeros",
                 device: Any = None, dtype: Any = None) -> None:
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         True, output_padding, groups, bias, padding_mode, device, dtype)

    def _output_padding(self, input: Tensor, output_size: Any) -> tuple[int, ...]:
        """The output_padding giving ``output_size`` (PyTorch's ValueError when none can)."""
        if output_size is None:
            return self.output_padding
        n = self._n
        sizes = list(output_size)[-n:]
        if len(sizes) != n:
            raise ValueError(f"ConvTranspose{n}D: for {input.ndim}D input, output_size must "
                             f"have {n} or {n + 2} elements (got {len(output_size)})")
        least = [(input.shape[input.ndim - n + d] - 1) * self.stride[d]
                 - 2 * self.padding[d] + self.dilation[d] * (self.kernel_size[d] - 1) + 1
                 for d in range(n)]
        most = [m + s - 1 for m, s in zip(least, self.stride)]
        if any(not lo <= size <= hi for size, lo, hi in zip(sizes, least, most)):
            raise ValueError(
                f"requested an output size of {tuple(sizes)}, but valid sizes range from "
                f"{least} to {most} (for an input of tinygrad_edu.Size("
                f"{list(input.shape[input.ndim - n:])}))")
        return tuple(size - lo for size, lo in zip(sizes, least))

    def forward(self, input: Tensor, output_size: list[int] | None = None) -> Tensor:
        """conv_transpose{n}d(input, W) + b (one fused op)."""
        out_pad = self._output_padding(input, output_size)
        return type(self)._conv(input, self.weight, self.bias, self.stride, self.padding,
                                out_pad, self.groups, self.dilation)


class ConvTranspose1d(_ConvTransposeNd):
    """A 1-d transposed convolution layer (see ``F.conv_transpose1d``).

    Shapes: input (N, C_in, L) or (C_in, L) -> (N, C_out, OL); weight (C_in, C_out /
    groups, k), bias (C_out,). Initialised as PyTorch does, bit for bit.

    >>> nn.ConvTranspose1d(2, 4, 3, stride=2)(tg.ones(1, 2, 5)).shape
    tinygrad_edu.Size([1, 4, 11])
    """

    _n, _conv = 1, staticmethod(F.conv_transpose1d)


class ConvTranspose2d(_ConvTransposeNd):
    """A 2-d transposed convolution layer (see ``F.conv_transpose2d``): upsamples by
    ``stride``.

    Shapes: input (N, C_in, H, W) or (C_in, H, W) -> (N, C_out, OH, OW); weight (C_in,
    C_out / groups, kh, kw), bias (C_out,). Initialised as PyTorch does, bit for bit.

    >>> nn.ConvTranspose2d(2, 4, 2, stride=2)(tg.ones(1, 2, 5, 5)).shape
    tinygrad_edu.Size([1, 4, 10, 10])
    """

    _n, _conv = 2, staticmethod(F.conv_transpose2d)


class ConvTranspose3d(_ConvTransposeNd):
    """A 3-d transposed convolution layer (see ``F.conv_transpose3d``).

    Shapes: input (N, C_in, D, H, W) or (C_in, D, H, W) -> (N, C_out, OD, OH, OW); weight
    (C_in, C_out / groups, kd, kh, kw), bias (C_out,). Initialised as PyTorch does.

    >>> nn.ConvTranspose3d(2, 4, 2, stride=2)(tg.ones(1, 2, 3, 3, 3)).shape
    tinygrad_edu.Size([1, 4, 6, 6, 6])
    """

    _n, _conv = 3, staticmethod(F.conv_transpose3d)
