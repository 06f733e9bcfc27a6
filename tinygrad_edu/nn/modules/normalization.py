"""``LayerNorm``, ``RMSNorm``, ``GroupNorm`` and ``LocalResponseNorm``, as in ``torch.nn``
(the batch and instance norms: batchnorm.py, instancenorm.py)."""

from __future__ import annotations

import numbers
from typing import Any

from ... import _device
from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .linear import _empty
from .module import Module

__all__ = [
    "LayerNorm",
    "RMSNorm",
    "GroupNorm",
    "LocalResponseNorm",
]


def _affine_parameters(
    module: Module, shape: tuple[int, ...], dtype: Any, weight: bool, bias: bool
) -> None:
    """Register ``weight`` and ``bias`` of ``shape`` (placeholders None when not wanted)."""
    for name, wanted in (("weight", weight), ("bias", weight and bias)):
        module.register_parameter(name, Parameter(_empty(shape, dtype)) if wanted else None)


class LayerNorm(Module):
    """Layer normalization over the last dims (``normalized_shape``) of each sample:
    y = (x - mean) / sqrt(var + eps) * weight + bias, mean and (biased) var per sample,
    the same in training and eval mode.

    ``weight`` (ones) and ``bias`` (zeros) have shape ``normalized_shape`` when
    ``elementwise_affine`` (``bias=False``: no bias).

    >>> ln = nn.LayerNorm(2)
    >>> ln(tg.tensor([[1.0, 3.0]]))
    tensor([[-1.0000,  1.0000]], grad_fn=<NativeLayerNormBackward0>)
    """

    normalized_shape: tuple[int, ...]
    weight: Parameter | None
    bias: Parameter | None

    def __init__(
        self,
        normalized_shape: Any,
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        _device.check(device)
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _affine_parameters(self, self.normalized_shape, dtype, elementwise_affine, bias)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """weight = 1, bias = 0."""
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:
        """Normalize each sample over its last ``len(normalized_shape)`` dims."""
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, "
            f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}"
        )


class RMSNorm(Module):
    """Root mean square normalization over the last dims (``normalized_shape``) of each
    sample: y = x / sqrt(mean(x^2) + eps) * weight, the same in training and eval mode.
    ``eps=None``: the machine epsilon of the computation dtype (see ``F.rms_norm``).

    ``weight`` (ones) has shape ``normalized_shape`` when ``elementwise_affine``.

    >>> rms = nn.RMSNorm(2)
    >>> rms(tg.tensor([[3.0, 4.0]]))
    tensor([[0.8485, 1.1314]], grad_fn=<MulBackward0>)
    """

    normalized_shape: tuple[int, ...]
    weight: Parameter | None

    def __init__(
        self,
        normalized_shape: Any,
        eps: float | None = None,
        elementwise_affine: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        _device.check(device)
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _affine_parameters(self, self.normalized_shape, dtype, elementwise_affine, False)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """weight = 1."""
        if self.weight is not None:
            init.ones_(self.weight)

    def forward(self, x: Tensor) -> Tensor:
        """Normalize each sample over its last ``len(normalized_shape)`` dims."""
        return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, "
            f"elementwise_affine={self.elementwise_affine}"
        )


class GroupNorm(Module):
    """Group normalization: the C channels split into ``num_groups`` groups, each
    sample's group normalized over its channels and positions, y = (x - mean) /
    sqrt(var + eps) * weight + bias (mean and biased var per sample and group), the same
    in training and eval mode. ``weight`` (ones) and ``bias`` (zeros) have shape (C,)
    when ``affine`` (``bias=False``: no bias). Input (N, C, *).

    >>> gn = nn.GroupNorm(2, 4)
    >>> gn(tg.tensor([[1.0, 3.0, 5.0, 5.0]]))
    tensor([[-1.0000,  1.0000,  0.0000,  0.0000]],
           grad_fn=<NativeGroupNormBackward0>)
    """

    weight: Parameter | None
    bias: Parameter | None

    def __init__(
        self,
        num_groups: int,
        num_channels: int,
        eps: float = 1e-5,
        affine: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        _device.check(device)
        if num_channels % num_groups != 0:
            raise ValueError(
                f"num_channels ({num_channels}) must be divisible by num_groups ({num_groups})"
            )
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        _affine_parameters(self, (num_channels,), dtype, affine, bias)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """weight = 1, bias = 0."""
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:
        """Normalize each sample's groups of channels."""
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
            f"bias={self.bias is not None}"
        )


class LocalResponseNorm(Module):
    """Local response normalization across channels: each x_c divided by (k + alpha /
    size * sum of x_c'^2 over the ``size`` neighbouring channels c')^beta (see
    ``F.local_response_norm``). No parameters. Input (N, C, *), at least 3 dims.

    >>> nn.LocalResponseNorm(2, alpha=1.0, beta=1.0)(tg.tensor([[[1.0], [2.0]]]))
    tensor([[[0.6667],
             [0.5714]]])
    """

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> None:
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input: Tensor) -> Tensor:
        """``F.local_response_norm`` with this layer's size, alpha, beta and k."""
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
