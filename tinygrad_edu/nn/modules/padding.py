"""Padding layers, as in ``torch.nn``: ``ZeroPad1d/2d/3d``, ``ConstantPad1d/2d/3d``,
``ReflectionPad1d/2d/3d``, ``ReplicationPad1d/2d/3d``, ``CircularPad1d/2d/3d`` (each is
``F.pad`` with its mode and a ``padding`` of 2, 4 or 6 amounts)."""

from __future__ import annotations

from typing import Any

from ...tensor import Tensor
from .. import functional as F
from .module import Module

__all__ = ["CircularPad1d", "CircularPad2d", "CircularPad3d", "ConstantPad1d", "ConstantPad2d",
           "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
           "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "ZeroPad1d",
           "ZeroPad2d", "ZeroPad3d"]


def _amounts(padding: Any, n: int) -> tuple[int, ...]:
    """``padding`` as a tuple (an int repeated ``n`` times), as PyTorch's ``_ntuple``."""
    if isinstance(padding, (list, tuple)):
        return tuple(padding)
    return (padding,) * n


class _PadNd(Module):
    """``F.pad(input, self.padding, mode)``; subclasses set the mode and the dims."""

    _mode = "constant"
    _dims = 1

    def __init__(self, padding: Any) -> None:
        super().__init__()
        self.padding = _amounts(padding, 2 * self._dims)

    def forward(self, input: Tensor) -> Tensor:
        """F.pad with this layer's padding and mode."""
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        """F.pad with this layer's padding and value."""
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pads the last dim with ``value``: ``padding`` = (left, right) or an int.

    >>> nn.ConstantPad1d(2, 3.5)(tg.zeros(1, 2)).tolist()
    [[3.5, 3.5, 0.0, 0.0, 3.5, 3.5]]
    """


class ConstantPad2d(_ConstantPadNd):
    """Pads the last 2 dims with ``value``: ``padding`` = (left, right, top, bottom) or an int.

    >>> nn.ConstantPad2d(1, 3.5)(tg.zeros(1, 2, 2)).shape
    tinygrad_edu.Size([1, 4, 4])
    """

    _dims = 2


class ConstantPad3d(_ConstantPadNd):
    """Pads the last 3 dims with ``value``: 6 amounts (last dim first) or an int.

    >>> nn.ConstantPad3d(1, 3.5)(tg.zeros(1, 2, 2, 2)).shape
    tinygrad_edu.Size([1, 4, 4, 4])
    """

    _dims = 3


class ZeroPad1d(ConstantPad1d):
    """Pads the last dim with zeros.

    >>> nn.ZeroPad1d((1, 0))(tg.ones(1, 2)).tolist()
    [[0.0, 1.0, 1.0]]
    """

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Pads the last 2 dims with zeros: (left, right, top, bottom) or an int.

    >>> nn.ZeroPad2d(1)(tg.ones(1, 2, 2)).shape
    tinygrad_edu.Size([1, 4, 4])
    """

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    """Pads the last 3 dims with zeros.

    >>> nn.ZeroPad3d(1)(tg.ones(1, 2, 2, 2)).shape
    tinygrad_edu.Size([1, 4, 4, 4])
    """

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ReflectionPad1d(_PadNd):
    """Mirrors the last dim at its ends (the edge not repeated); each amount < the size.

    >>> nn.ReflectionPad1d(2)(tg.tensor([[1.0, 2.0, 3.0]])).tolist()
    [[3.0, 2.0, 1.0, 2.0, 3.0, 2.0, 1.0]]
    """

    _mode = "reflect"


class ReflectionPad2d(ReflectionPad1d):
    """Mirrors the last 2 dims at their ends: (left, right, top, bottom) or an int.

    >>> nn.ReflectionPad2d(1)(tg.ones(1, 3, 3)).shape
    tinygrad_edu.Size([1, 5, 5])
    """

    _dims = 2


class ReflectionPad3d(ReflectionPad1d):
    """Mirrors the last 3 dims at their ends.

    >>> nn.ReflectionPad3d(1)(tg.ones(1, 3, 3, 3)).shape
    tinygrad_edu.Size([1, 5, 5, 5])
    """

    _dims = 3


class ReplicationPad1d(_PadNd):
    """Repeats the edge elements of the last dim.

    >>> nn.ReplicationPad1d(2)(tg.tensor([[1.0, 2.0]])).tolist()
    [[1.0, 1.0, 1.0, 2.0, 2.0, 2.0]]
    """

    _mode = "replicate"


class ReplicationPad2d(ReplicationPad1d):
    """Repeats the edge elements of the last 2 dims.

    >>> nn.ReplicationPad2d(1)(tg.ones(1, 2, 2)).shape
    tinygrad_edu.Size([1, 4, 4])
    """

    _dims = 2


class ReplicationPad3d(ReplicationPad1d):
    """Repeats the edge elements of the last 3 dims.

    >>> nn.ReplicationPad3d(1)(tg.ones(1, 2, 2, 2)).shape
    tinygrad_edu.Size([1, 4, 4, 4])
    """

    _dims = 3


class CircularPad1d(_PadNd):
    """Wraps the last dim around: the left pad is the right end, and the other way round.

    >>> nn.CircularPad1d(1)(tg.tensor([[1.0, 2.0, 3.0]])).tolist()
    [[3.0, 1.0, 2.0, 3.0, 1.0]]
    """

    _mode = "circular"

    def forward(self, input: Tensor) -> Tensor:
        """F.pad(mode="circular"), after PyTorch's check of the number of dims."""
        if input.ndim not in (self._dims + 1, self._dims + 2):
            raise ValueError(f"expected {self._dims + 1}D or {self._dims + 2}D input (got "
                             f"{input.ndim}D input)")
        return super().forward(input)


class CircularPad2d(CircularPad1d):
    """Wraps the last 2 dims around.

    >>> nn.CircularPad2d(1)(tg.ones(1, 2, 2)).shape
    tinygrad_edu.Size([1, 4, 4])
    """

    _dims = 2


class CircularPad3d(CircularPad1d):
    """Wraps the last 3 dims around.

    >>> nn.CircularPad3d(1)(tg.ones(1, 2, 2, 2)).shape
    tinygrad_edu.Size([1, 4, 4, 4])
    """

    _dims = 3
