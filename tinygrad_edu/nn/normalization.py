"""``BatchNorm1d/2d/3d``, ``InstanceNorm1d/2d/3d``, ``LayerNorm``, ``GroupNorm`` and
``LocalResponseNorm``, ``RMSNorm``, as in ``torch.nn``."""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import _device, dtypes
from ..tensor import Tensor, _wrap
from . import functional as F
from . import init
from .linear import _empty
from .module import Module
from .parameter import Parameter

__all__ = [
    "BatchNorm1d",
    "BatchNorm2d",
    "BatchNorm3d",
    "InstanceNorm1d",
    "InstanceNorm2d",
    "InstanceNorm3d",
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


def _filled(n: int, value: float, dtype: Any) -> Tensor:
    dt = dtypes.get_default_dtype() if dtype is None else dtypes.to_dtype(dtype)
    return _wrap(np.full(n, value, dtype=dt.np))


class _NormBase(Module):
    """Shared body of the batch and instance norms (PyTorch's ``_NormBase``).

    Parameters ``weight`` (ones) and ``bias`` (zeros) of shape (C,) when ``affine``;
    buffers ``running_mean`` (zeros), ``running_var`` (ones) and ``num_batches_tracked``
    (an int64 0-d counter) when ``track_running_stats``.
    """

    _version = 2
    num_features: int
    weight: Parameter | None
    bias: Parameter | None
    running_mean: Tensor | None
    running_var: Tensor | None
    num_batches_tracked: Tensor | None

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        _device.check(device)
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        _affine_parameters(self, (num_features,), dtype, affine, bias)
        if track_running_stats:
            self.register_buffer("running_mean", _filled(num_features, 0.0, dtype))
            self.register_buffer("running_var", _filled(num_features, 1.0, dtype))
            self.register_buffer("num_batches_tracked", _wrap(np.array(0, dtype=np.int64)))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        """running_mean = 0, running_var = 1, num_batches_tracked = 0 (in place)."""
        if self.track_running_stats:
            assert self.running_mean is not None and self.running_var is not None
            assert self.num_batches_tracked is not None
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        """Reset the running statistics, then weight = 1 and bias = 0."""
        self.reset_running_stats()
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def _check_input_dim(self, input: Tensor) -> None:
        raise NotImplementedError

    def _upgrade_state_dict(
        self, state_dict: dict[str, Any], prefix: str, local_metadata: Mapping[str, Any]
    ) -> None:
        """A checkpoint of version < 2 (or with no version: a plain dict) may lack
        ``num_batches_tracked``, added in version 2: as PyTorch, keep the current count
        (0 for a fresh layer) instead of reporting the key missing."""
        version = local_metadata.get("version", None)
        key = prefix + "num_batches_tracked"
        if (version is None or version < 2) and self.track_running_stats and key not in state_dict:
            count = self.num_batches_tracked
            state_dict[key] = count if count is not None else _wrap(np.array(0, np.int64))

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, bias={self.bias is not None}, "
            f"track_running_stats={self.track_running_stats}"
        )


class _BatchNorm(_NormBase):
    """What ``BatchNorm1d/2d/3d`` share: the forward (PyTorch's ``_BatchNorm``)."""

    def forward(self, input: Tensor) -> Tensor:
        """Training: normalize with the batch's statistics and update the running ones
        (momentum None: their cumulative average). Eval: use the running statistics."""
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked)
        # batch statistics in training, and in eval when there are no running ones
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        # buffers are passed only to be updated (training, tracked) or used (eval)
        track = not self.training or self.track_running_stats
        return F.batch_norm(
            input,
            self.running_mean if track else None,
            self.running_var if track else None,
            self.weight,
            self.bias,
            use_batch,
            factor,
            self.eps,
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalization of (N, C) or (N, C, L) inputs, per channel C:
    y = (x - mean) / sqrt(var + eps) * weight + bias.

    In training mode mean and var are the batch's (var biased), and the buffers
    ``running_mean`` / ``running_var`` move towards them: running = (1 - momentum) *
    running + momentum * batch (with the unbiased var; ``momentum=None``: a cumulative
    average). In eval mode (``model.eval()``) the running statistics are used.

    >>> bn = nn.BatchNorm1d(2)
    >>> bn(tg.tensor([[1.0, 2.0], [3.0, 6.0]]))
    tensor([[-1.0000, -1.0000],
            [ 1.0000,  1.0000]], grad_fn=<NativeBatchNormBackward0>)
    >>> bn.running_mean
    tensor([0.2000, 0.4000])
    """

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() != 2 and input.dim() != 3:
            raise ValueError(f"expected 2D or 3D input (got {input.dim()}D input)")


class BatchNorm2d(_BatchNorm):
    """Batch normalization of (N, C, H, W) images per channel C (statistics over N, H
    and W); otherwise as ``BatchNorm1d``.

    >>> nn.BatchNorm2d(3)(tg.randn(4, 3, 5, 5)).shape
    tinygrad_edu.Size([4, 3, 5, 5])
    """

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() != 4:
            raise ValueError(f"expected 4D input (got {input.dim()}D input)")


class BatchNorm3d(_BatchNorm):
    """Batch normalization of (N, C, D, H, W) volumes per channel C (statistics over N, D,
    H and W); otherwise as ``BatchNorm1d``.

    >>> nn.BatchNorm3d(3)(tg.randn(2, 3, 4, 4, 4)).shape
    tinygrad_edu.Size([2, 3, 4, 4, 4])
    """

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() != 5:
            raise ValueError(f"expected 5D input (got {input.dim()}D input)")


class _InstanceNorm(_NormBase):
    """What ``InstanceNorm1d/2d/3d`` share (PyTorch's ``_InstanceNorm``): no parameters
    and no running statistics by default; an unbatched input (one dim fewer) is
    normalized as a batch of one. ``num_batches_tracked`` is registered when tracking, as
    PyTorch does, but never counts (``momentum=None`` leaves the running stats alone)."""

    _no_batch_dim: int  # the rank of an unbatched input

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float = 0.1,
        affine: bool = False,
        track_running_stats: bool = False,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__(
            num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias
        )

    def _check_input_dim(self, input: Tensor) -> None:
        n = self._no_batch_dim
        if input.dim() not in (n, n + 1):
            raise ValueError(f"expected {n}D or {n + 1}D input (got {input.dim()}D input)")

    def _apply_instance_norm(self, input: Tensor) -> Tensor:
        # the input's statistics in training, and in eval when none are tracked
        return F.instance_norm(
            input,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            self.training or not self.track_running_stats,
            self.momentum if self.momentum is not None else 0.0,
            self.eps,
        )

    def forward(self, input: Tensor) -> Tensor:
        """Normalize each sample's channels over their positions (see the class)."""
        self._check_input_dim(input)
        feature_dim = input.dim() - self._no_batch_dim
        if input.size(feature_dim) != self.num_features:
            if self.affine:
                raise ValueError(
                    f"expected input's size at dim={feature_dim} to match num_features"
                    f" ({self.num_features}), but got: {input.size(feature_dim)}."
                )
            warnings.warn(
                f"input's size at dim={feature_dim} does not match num_features. "
                "You can silence this warning by not passing in num_features, "
                "which is not used because affine=False",
                stacklevel=2,
            )
        if input.dim() == self._no_batch_dim:
            return self._apply_instance_norm(input.unsqueeze(0)).squeeze(0)
        return self._apply_instance_norm(input)


class InstanceNorm1d(_InstanceNorm):
    """Instance normalization of (N, C, L) or unbatched (C, L) inputs: each sample's
    channel normalized over its L positions, y = (x - mean) / sqrt(var + eps) * weight +
    bias (mean and biased var per sample and channel).

    ``affine=True``: learnable ``weight`` (ones) and ``bias`` (zeros) of shape (C,).
    ``track_running_stats=True``: buffers ``running_mean`` / ``running_var`` move towards
    the batch's average statistics in training (momentum, unbiased var) and are used in
    eval mode. A 2-D input is unbatched: its dim 0 is C (a warning says so when its size
    is not ``num_features``).

    >>> nn.InstanceNorm1d(2)(tg.tensor([[[1.0, 3.0], [2.0, 6.0]]]))
    tensor([[[-1.0000,  1.0000],
             [-1.0000,  1.0000]]])
    """

    _no_batch_dim = 2


class InstanceNorm2d(_InstanceNorm):
    """Instance normalization of (N, C, H, W) or unbatched (C, H, W) images: each
    sample's channel normalized over its H * W positions; otherwise as ``InstanceNorm1d``.

    >>> nn.InstanceNorm2d(3)(tg.randn(4, 3, 5, 5)).shape
    tinygrad_edu.Size([4, 3, 5, 5])
    """

    _no_batch_dim = 3


class InstanceNorm3d(_InstanceNorm):
    """Instance normalization of (N, C, D, H, W) or unbatched (C, D, H, W) volumes;
    otherwise as ``InstanceNorm1d``.

    >>> nn.InstanceNorm3d(3)(tg.randn(2, 3, 4, 4, 4)).shape
    tinygrad_edu.Size([2, 3, 4, 4, 4])
    """

    _no_batch_dim = 4


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
