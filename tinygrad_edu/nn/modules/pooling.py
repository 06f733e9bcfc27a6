"""``MaxPool1d/2d/3d``, ``AvgPool1d/2d/3d``, ``AdaptiveAvgPool1d/2d/3d``,
``AdaptiveMaxPool1d/2d/3d``, ``MaxUnpool1d/2d/3d`` and ``LPPool1d/2d/3d``, as in
``torch.nn``."""

from __future__ import annotations

from typing import Any

from ...tensor import Tensor
from .. import functional as F
from .module import Module

__all__ = ["AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d",
           "AdaptiveMaxPool2d", "AdaptiveMaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d",
           "LPPool1d", "LPPool2d", "LPPool3d", "MaxPool1d", "MaxPool2d", "MaxPool3d",
           "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d"]


class MaxPool2d(Module):
    """The max of each ``kernel_size`` window, sliding by ``stride`` (default: the kernel
    size), padded with -inf; see ``F.max_pool2d``.

    Shapes: (N, C, H, W) or (C, H, W) -> (N, C, OH, OW).

    >>> nn.MaxPool2d(2)(tg.ones(1, 8, 28, 28)).shape
    tinygrad_edu.Size([1, 8, 14, 14])
    """

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 dilation: Any = 1, return_indices: bool = False,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, input: Tensor) -> Any:
        """F.max_pool2d with this layer's arguments."""
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool2d(Module):
    """The mean of each ``kernel_size`` window, sliding by ``stride`` (default: the kernel
    size); see ``F.avg_pool2d`` for the divisor rules.

    Shapes: (N, C, H, W) or (C, H, W) -> (N, C, OH, OW).

    >>> nn.AvgPool2d(2)(tg.ones(1, 8, 28, 28)).shape
    tinygrad_edu.Size([1, 8, 14, 14])
    """

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override: int | None = None) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, input: Tensor) -> Tensor:
        """F.avg_pool2d with this layer's arguments."""
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding,
                            self.ceil_mode, self.count_include_pad, self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed output size (OH, OW), whatever the input size; see
    ``F.adaptive_avg_pool2d``.

    >>> nn.AdaptiveAvgPool2d((1, 1))(tg.ones(2, 8, 7, 7)).shape
    tinygrad_edu.Size([2, 8, 1, 1])
    """

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        """F.adaptive_avg_pool2d with this layer's output size."""
        return F.adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class MaxPool1d(MaxPool2d):
    """The max of each ``kernel_size`` window over the last dim, sliding by ``stride``
    (default: the kernel size), padded with -inf; see ``F.max_pool1d``.

    Shapes: (N, C, L) or (C, L) -> (N, C, OL).

    >>> nn.MaxPool1d(2)(tg.ones(1, 4, 10)).shape
    tinygrad_edu.Size([1, 4, 5])
    """

    def forward(self, input: Tensor) -> Any:
        """F.max_pool1d with this layer's arguments."""
        return F.max_pool1d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class AvgPool1d(Module):
    """The mean of each ``kernel_size`` window over the last dim, sliding by ``stride``
    (default: the kernel size); see ``F.avg_pool1d``. Its arguments are kept as 1-tuples,
    as PyTorch keeps them.

    Shapes: (N, C, L) or (C, L) -> (N, C, OL).

    >>> nn.AvgPool1d(2)(tg.ones(1, 4, 10)).shape
    tinygrad_edu.Size([1, 4, 5])
    """

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True) -> None:
        super().__init__()
        one = lambda v: (v,) if isinstance(v, int) else tuple(v)  # noqa: E731
        self.kernel_size = one(kernel_size)
        self.stride = one(stride if stride is not None else kernel_size)
        self.padding, self.ceil_mode = one(padding), ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input: Tensor) -> Tensor:
        """F.avg_pool1d with this layer's arguments."""
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding,
                            self.ceil_mode, self.count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool3d(MaxPool2d):
    """The max of each ``kernel_size`` window over the last three dims, sliding by
    ``stride`` (default: the kernel size), padded with -inf; see ``F.max_pool3d``.

    Shapes: (N, C, D, H, W) or (C, D, H, W) -> (N, C, OD, OH, OW).

    >>> nn.MaxPool3d(2)(tg.ones(1, 2, 4, 4, 4)).shape
    tinygrad_edu.Size([1, 2, 2, 2, 2])
    """

    def forward(self, input: Tensor) -> Any:
        """F.max_pool3d with this layer's arguments."""
        return F.max_pool3d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class AvgPool3d(AvgPool2d):
    """The mean of each ``kernel_size`` window over the last three dims, sliding by
    ``stride`` (default: the kernel size); see ``F.avg_pool3d``.

    Shapes: (N, C, D, H, W) or (C, D, H, W) -> (N, C, OD, OH, OW).

    >>> nn.AvgPool3d(2)(tg.ones(1, 2, 4, 4, 4)).shape
    tinygrad_edu.Size([1, 2, 2, 2, 2])
    """

    def forward(self, input: Tensor) -> Tensor:
        """F.avg_pool3d with this layer's arguments."""
        return F.avg_pool3d(input, self.kernel_size, self.stride, self.padding,
                            self.ceil_mode, self.count_include_pad, self.divisor_override)


class AdaptiveAvgPool1d(AdaptiveAvgPool2d):
    """Average pooling of the last dim to a fixed length; see ``F.adaptive_avg_pool1d``.

    >>> nn.AdaptiveAvgPool1d(2)(tg.ones(2, 8, 7)).shape
    tinygrad_edu.Size([2, 8, 2])
    """

    def forward(self, input: Tensor) -> Tensor:
        """F.adaptive_avg_pool1d with this layer's output size."""
        return F.adaptive_avg_pool1d(input, self.output_size)


class AdaptiveAvgPool3d(AdaptiveAvgPool2d):
    """Average pooling to a fixed (OD, OH, OW); see ``F.adaptive_avg_pool3d``.

    >>> nn.AdaptiveAvgPool3d(1)(tg.ones(2, 8, 3, 4, 5)).shape
    tinygrad_edu.Size([2, 8, 1, 1, 1])
    """

    def forward(self, input: Tensor) -> Tensor:
        """F.adaptive_avg_pool3d with this layer's output size."""
        return F.adaptive_avg_pool3d(input, self.output_size)


class AdaptiveMaxPool2d(Module):
    """Max pooling to a fixed output size (OH, OW), whatever the input size; see
    ``F.adaptive_max_pool2d``.

    >>> nn.AdaptiveMaxPool2d((1, 1))(tg.ones(2, 8, 7, 7)).shape
    tinygrad_edu.Size([2, 8, 1, 1])
    """

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, input: Tensor) -> Any:
        """F.adaptive_max_pool2d with this layer's arguments."""
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(AdaptiveMaxPool2d):
    """Max pooling of the last dim to a fixed length; see ``F.adaptive_max_pool1d``.

    >>> nn.AdaptiveMaxPool1d(2)(tg.ones(2, 8, 7)).shape
    tinygrad_edu.Size([2, 8, 2])
    """

    def forward(self, input: Tensor) -> Any:
        """F.adaptive_max_pool1d with this layer's arguments."""
        return F.adaptive_max_pool1d(input, self.output_size, self.return_indices)


class AdaptiveMaxPool3d(AdaptiveMaxPool2d):
    """Max pooling to a fixed (OD, OH, OW); see ``F.adaptive_max_pool3d``.

    >>> nn.AdaptiveMaxPool3d(1)(tg.ones(2, 8, 3, 4, 5)).shape
    tinygrad_edu.Size([2, 8, 1, 1, 1])
    """

    def forward(self, input: Tensor) -> Any:
        """F.adaptive_max_pool3d with this layer's arguments."""
        return F.adaptive_max_pool3d(input, self.output_size, self.return_indices)


class MaxUnpool2d(Module):
    """The inverse of ``MaxPool2d`` given its indices: each value back at its place, zeros
    elsewhere; see ``F.max_unpool2d``. Its arguments are kept as pairs, as PyTorch keeps
    them.

    >>> pool, unpool = nn.MaxPool2d(2, return_indices=True), nn.MaxUnpool2d(2)
    >>> unpool(*pool(tg.ones(1, 1, 4, 4))).shape
    tinygrad_edu.Size([1, 1, 4, 4])
    """

    _n = 2

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__()
        tup = lambda v: (v,) * self._n if isinstance(v, int) else tuple(v)  # noqa: E731
        self.kernel_size = tup(kernel_size)
        self.stride = tup(stride if stride is not None else kernel_size)
        self.padding = tup(padding)

    def forward(self, input: Tensor, indices: Tensor, output_size: Any = None) -> Tensor:
        """F.max_unpool1d, 2d or 3d (this layer's dims) with its arguments."""
        fn = {1: F.max_unpool1d, 2: F.max_unpool2d, 3: F.max_unpool3d}[self._n]
        return fn(input, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(MaxUnpool2d):
    """The inverse of ``MaxPool1d`` given its indices; see ``F.max_unpool1d``.

    >>> nn.MaxUnpool1d(2)(tg.ones(1, 1, 2), tg.tensor([[[0, 3]]])).shape
    tinygrad_edu.Size([1, 1, 4])
    """

    _n = 1


class MaxUnpool3d(MaxUnpool2d):
    """The inverse of ``MaxPool3d`` given its indices; see ``F.max_unpool3d``.

    >>> nn.MaxUnpool3d(2)(tg.ones(1, 1, 1, 1, 1), tg.tensor([[[[[7]]]]])).shape
    tinygrad_edu.Size([1, 1, 2, 2, 2])
    """

    _n = 3


class _LPPoolNd(Module):
    """The shared state of LPPool1d/2d/3d: ``norm_type``, ``kernel_size``, ``stride`` (None:
    the kernel size) and ``ceil_mode``, kept as given (PyTorch's repr shows them so)."""

    def __init__(self, norm_type: float, kernel_size: Any, stride: Any = None,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode

    def extra_repr(self) -> str:
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, ceil_mode={self.ceil_mode}")


class LPPool1d(_LPPoolNd):
    """The p-norm of each ``kernel_size`` window over the last dim: (sum x^p)^(1/p), p =
    ``norm_type`` (inf: max pooling of abs(x); 1: sum pooling); see ``F.lp_pool1d``.

    Shapes: (N, C, L) or (C, L) -> (N, C, OL).

    >>> nn.LPPool1d(2, 3, stride=2)(tg.ones(1, 4, 9)).shape
    tinygrad_edu.Size([1, 4, 4])
    """

    def forward(self, input: Tensor) -> Tensor:
        """F.lp_pool1d with this layer's arguments."""
        return F.lp_pool1d(input, float(self.norm_type), self.kernel_size, self.stride,
                           self.ceil_mode)


class LPPool2d(_LPPoolNd):
    """``LPPool1d`` over the last two dims: (N, C, H, W) or (C, H, W) -> (N, C, OH, OW).

    >>> nn.LPPool2d(2, (3, 2))(tg.ones(1, 4, 9, 8)).shape
    tinygrad_edu.Size([1, 4, 3, 4])
    """

    def forward(self, input: Tensor) -> Tensor:
        """F.lp_pool2d with this layer's arguments."""
        return F.lp_pool2d(input, float(self.norm_type), self.kernel_size, self.stride,
                           self.ceil_mode)


class LPPool3d(_LPPoolNd):
    """``LPPool1d`` over the last three dims: (N, C, D, H, W) or (C, D, H, W) ->
    (N, C, OD, OH, OW).

    >>> nn.LPPool3d(1.5, 2)(tg.ones(1, 2, 4, 4, 4)).shape
    tinygrad_edu.Size([1, 2, 2, 2, 2])
    """

    def forward(self, input: Tensor) -> Tensor:
        """F.lp_pool3d with this layer's arguments."""
        return F.lp_pool3d(input, float(self.norm_type), self.kernel_size, self.stride,
                           self.ceil_mode)
