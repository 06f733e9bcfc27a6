"""``Linear`` (y = x W^T + b), ``Bilinear`` (x1 W x2 + b), ``Identity``, as in ``torch.nn``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ... import _device, dtypes
from ...tensor import Tensor, _wrap
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["Bilinear", "Identity", "Linear", "NonDynamicallyQuantizableLinear"]


def _empty(shape: tuple[int, ...], dtype: Any) -> Tensor:
    dt = dtypes.get_default_dtype() if dtype is None else dtypes.to_dtype(dtype)
    return _wrap(np.empty(shape, dtype=dt.np))


class Identity(Module):
    """Returns its input unchanged (a placeholder; arguments are ignored).

    >>> nn.Identity()(tg.tensor([1.0]))
    tensor([1.])
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        """Return ``input``."""
        return input


class Linear(Module):
    """A fully connected layer: y = x @ W.T + b.

    Shapes: input (*, in_features) -> output (*, out_features); weight
    (out_features, in_features), bias (out_features,). Initialised as PyTorch does
    (``kaiming_uniform_(a=sqrt(5))`` then bias U(-1/sqrt(in), 1/sqrt(in))), so after
    ``tg.manual_seed(s)`` the weights equal ``torch.nn.Linear``'s bit for bit.

    >>> layer = nn.Linear(3, 2)
    >>> layer(tg.ones(4, 3)).shape
    tinygrad_edu.Size([4, 2])
    """

    in_features: int
    out_features: int
    weight: Parameter
    bias: Parameter | None

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        _device.check(device)
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(_empty((out_features, in_features), dtype))
        if bias:
            self.bias = Parameter(_empty((out_features,), dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw fresh weights: W ~ U(-1/sqrt(in), 1/sqrt(in)) via kaiming_uniform_(a=sqrt(5)),
        then b ~ U(-1/sqrt(in), 1/sqrt(in)) — PyTorch's order of random draws."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        """x @ W.T + b (one fused op)."""
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class NonDynamicallyQuantizableLinear(Linear):
    """A ``Linear`` under another name: ``MultiheadAttention.out_proj``'s class in PyTorch
    (the name only matters to PyTorch's quantization), kept so ``print(model)`` reads the
    same."""


class Bilinear(Module):
    """y = x1 W x2 + b, one bilinear form per output feature; see ``F.bilinear``.

    Shapes: input1 (*, in1_features), input2 (*, in2_features) -> (*, out_features);
    weight (out_features, in1_features, in2_features), bias (out_features,). Initialised
    as PyTorch does (weight, then bias, U(-1/sqrt(in1), 1/sqrt(in1))), so after
    ``tg.manual_seed(s)`` the parameters equal ``torch.nn.Bilinear``'s bit for bit.

    >>> nn.Bilinear(3, 4, 5)(tg.ones(2, 3), tg.ones(2, 4)).shape
    tinygrad_edu.Size([2, 5])
    """

    in1_features: int
    in2_features: int
    out_features: int
    weight: Parameter
    bias: Parameter | None

    def __init__(self, in1_features: int, in2_features: int, out_features: int,
                 bias: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        _device.check(device)
        self.in1_features, self.in2_features = in1_features, in2_features
        self.out_features = out_features
        self.weight = Parameter(_empty((out_features, in1_features, in2_features), dtype))
        if bias:
            self.bias = Parameter(_empty((out_features,), dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw fresh parameters: weight, then bias, U(-1/sqrt(in1), 1/sqrt(in1))."""
        bound = 1 / math.sqrt(self.weight.shape[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        """F.bilinear with this layer's weight and bias."""
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")
