"""``Conv2d``, as in ``torch.nn``."""

from __future__ import annotations

import math
from typing import Any

from .. import _device
from ..tensor import Tensor
from . import functional as F
from . import init
from .linear import _empty
from .module import Module
from .parameter import Parameter

__all__ = ["Conv2d"]

# sets, printed in their (hash-seeded) order in errors, as PyTorch prints its own
_PADDING_MODES = {"zeros", "reflect", "replicate", "circular"}
_PADDING_STRINGS = {"same", "valid"}


def _pair(value: Any) -> tuple[int, int]:
    """An int as (v, v); a sequence as a tuple."""
    return (value, value) if isinstance(value, int) else tuple(value)  # type: ignore[return-value]


def _check_args(in_channels: int, out_channels: int, stride: tuple[int, int], padding: Any,
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
    if padding_mode != "zeros":
        raise NotImplementedError(f"Conv2d(padding_mode={padding_mode!r}): tinygrad_edu "
                                  "supports only padding_mode='zeros'")


class Conv2d(Module):
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

    weight: Parameter
    bias: Parameter | None

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        _device.check(device)
        stride, kernel_size, dilation = _pair(stride), _pair(kernel_size), _pair(dilation)
        _check_args(in_channels, out_channels, stride, padding, groups, padding_mode)
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride = kernel_size, stride
        self.padding = padding if isinstance(padding, str) else _pair(padding)
        self.dilation, self.transposed, self.output_padding = dilation, False, (0, 0)
        self.groups, self.padding_mode = groups, padding_mode
        self._reversed_padding_repeated_twice = self._reversed_padding()
        shape = (out_channels, in_channels // groups) + kernel_size
        self.weight = Parameter(_empty(shape, dtype))
        if bias:
            self.bias = Parameter(_empty((out_channels,), dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def _reversed_padding(self) -> Any:
        """Padding as (left, right, top, bottom), as ``F.pad`` takes it (PyTorch keeps it)."""
        if self.padding == "same":
            pads = [0, 0, 0, 0]
            for d, k, i in zip(self.dilation, self.kernel_size, (1, 0)):
                total = d * (k - 1)
                pads[2 * i], pads[2 * i + 1] = total // 2, total - total // 2
            return pads
        if isinstance(self.padding, str):  # 'valid'
            return [0, 0, 0, 0]
        ph, pw = self.padding
        return (pw, pw, ph, ph)

    def reset_parameters(self) -> None:
        """Draw fresh weights (kaiming_uniform_(a=sqrt(5))), then the bias
        U(-1/sqrt(fan_in), 1/sqrt(fan_in)): PyTorch's order of random draws."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        """conv2d(input, W) + b (one fused op)."""
        return F.conv2d(input, self.weight, self.bias, self.stride, self.padding,
                        self.dilation, self.groups)

    def extra_repr(self) -> str:
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s
