"""``InstanceNorm1d/2d/3d``, as in ``torch.nn``: each sample normalized over its own
spatial positions, per channel."""

from __future__ import annotations

import warnings
from typing import Any

from ...tensor import Tensor
from .. import functional as F
from .batchnorm import _NormBase

__all__ = [
    "InstanceNorm1d",
    "InstanceNorm2d",
    "InstanceNorm3d",
]


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
