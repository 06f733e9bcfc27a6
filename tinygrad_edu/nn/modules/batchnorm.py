"""``BatchNorm1d/2d/3d``, as in ``torch.nn``, and ``_NormBase``, what they share with the
instance norms (instancenorm.py): running statistics and affine parameters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ... import _device, dtypes
from ...tensor import Tensor, _wrap
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module
from .normalization import _affine_parameters

__all__ = [
    "BatchNorm1d",
    "BatchNorm2d",
    "BatchNorm3d",
]


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
