"""Resizing layers, as in ``torch.nn``: ``Upsample`` (``F.interpolate`` with the layer's
arguments), ``UpsamplingNearest2d`` and ``UpsamplingBilinear2d`` (align_corners=True)."""

from __future__ import annotations

from typing import Any

from ...tensor import Tensor
from .. import functional as F
from .module import Module

__all__ = ["Upsample", "UpsamplingBilinear2d", "UpsamplingNearest2d"]


class Upsample(Module):
    """Resizes the spatial dims of a (N, C, [D, [H,]] W) batch to ``size`` or by
    ``scale_factor``; see ``F.interpolate`` for the modes.

    >>> nn.Upsample(scale_factor=2, mode="bilinear")(tg.ones(1, 1, 2, 3)).shape
    tinygrad_edu.Size([1, 1, 4, 6])
    """

    def __init__(self, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                 align_corners: bool | None = None,
                 recompute_scale_factor: bool | None = None) -> None:
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor: Any = tuple(float(factor) for factor in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input: Tensor) -> Tensor:
        """F.interpolate with this layer's arguments."""
        return F.interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                             recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self) -> str:
        if self.scale_factor is not None:
            info = f"scale_factor={self.scale_factor!r}"
        else:
            info = f"size={self.size!r}"
        return info + f", mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """``Upsample(mode='nearest')``: each output pixel copies input pixel
    (floor(i / s_h), floor(j / s_w)).

    >>> nn.UpsamplingNearest2d(scale_factor=2)(tg.ones(1, 1, 2, 2)).shape
    tinygrad_edu.Size([1, 1, 4, 4])
    """

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """``Upsample(mode='bilinear', align_corners=True)``: the corner pixels kept.

    >>> nn.UpsamplingBilinear2d(size=3)(tg.tensor([[[[0.0, 1.0]]]])).tolist()
    [[[[0.0, 0.5, 1.0], [0.0, 0.5, 1.0], [0.0, 0.5, 1.0]]]]
    """

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)
