"""Loss layers, as in ``torch.nn``: each stores its options and calls ``nn.functional``.

All take ``reduction='mean' | 'sum' | 'none'``: average the per-element losses, add
them, or return them unreduced. Class weights and ``pos_weight`` are buffers, so they
appear in ``state_dict()`` as PyTorch's do.
"""

from __future__ import annotations

from ..tensor import Tensor
from . import functional as F
from .functional.loss import _legacy_reduction
from .module import Module

__all__ = [
    "L1Loss",
    "MSELoss",
    "HuberLoss",
    "SmoothL1Loss",
    "CrossEntropyLoss",
    "NLLLoss",
    "BCELoss",
    "BCEWithLogitsLoss",
]


class _Loss(Module):
    reduction: str

    def __init__(
        self, size_average: bool | None = None, reduce: bool | None = None, reduction: str = "mean"
    ) -> None:
        super().__init__()
        if size_average is not None or reduce is not None:
            reduction = _legacy_reduction(size_average, reduce)
        self.reduction = reduction


class _WeightedLoss(_Loss):
    weight: Tensor | None

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class L1Loss(_Loss):
    """Mean absolute error: l_i = |x_i - y_i|, reduced by ``reduction``.

    Shapes: input (*), target (*) the same shape; output scalar ((*) for 'none').

    >>> nn.L1Loss()(tg.tensor([1.0, 2.0]), tg.tensor([1.0, 4.0]))
    tensor(1.)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """``F.l1_loss(input, target, reduction=self.reduction)``."""
        return F.l1_loss(input, target, reduction=self.reduction)


class MSELoss(_Loss):
    """Mean squared error: l_i = (x_i - y_i)^2, reduced by ``reduction``.

    Shapes: input (*), target (*) the same shape; output scalar ((*) for 'none').

    >>> nn.MSELoss()(tg.tensor([1.0, 2.0]), tg.tensor([1.0, 4.0]))
    tensor(2.)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """``F.mse_loss(input, target, reduction=self.reduction)``."""
        return F.mse_loss(input, target, reduction=self.reduction)


class HuberLoss(_Loss):
    """Huber loss: l = 0.5 d^2 if |d| < delta else delta (|d| - 0.5 delta), d = x - y.

    Shapes: input (*), target (*) the same shape.

    >>> nn.HuberLoss()(tg.tensor([0.0]), tg.tensor([3.0]))
    tensor(2.5000)
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """``F.huber_loss(input, target, reduction, delta)``."""
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class SmoothL1Loss(_Loss):
    """Smooth L1: l = 0.5 d^2 / beta if |d| < beta else |d| - 0.5 beta, d = x - y.

    Shapes: input (*), target (*) the same shape.

    >>> nn.SmoothL1Loss()(tg.tensor([0.0]), tg.tensor([3.0]))
    tensor(2.5000)
    """

    def __init__(
        self,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
        beta: float = 1.0,
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """``F.smooth_l1_loss(input, target, reduction, beta)``."""
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class NLLLoss(_WeightedLoss):
    """Negative log likelihood of log-probabilities: l_i = -w[y_i] x[i, y_i].

    Shapes: input (N, C) / (C,) / (N, C, d1, ...) log-probabilities (e.g. from
    ``LogSoftmax``); target (N,) / () / (N, d1, ...) int64 classes. 'mean' divides by
    the sum of the weights of the non-ignored targets.

    >>> nn.NLLLoss()(tg.tensor([[-0.5, -1.0]]), tg.tensor([1]))
    tensor(1.)
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        ignore_index: int = -100,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """``F.nll_loss(input, target, weight, ignore_index, reduction)``."""
        return F.nll_loss(
            input,
            target,
            weight=self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
        )


class CrossEntropyLoss(_WeightedLoss):
    """Cross entropy of raw logits (log-softmax + NLL, fused and stable):
    l_i = -w[y_i] log softmax(x_i)[y_i] for class indices, or
    l_i = -sum_c w[c] y[i, c] log softmax(x_i)[c] for class probabilities.

    Shapes: input (N, C) / (C,) / (N, C, d1, ...) logits — no softmax before it;
    target (N,) / () / (N, d1, ...) int64 classes, or the input's shape (floats).
    ``label_smoothing`` e uses (1 - e) y + e / C as the target.

    >>> nn.CrossEntropyLoss()(tg.tensor([[2.0, 0.5]]), tg.tensor([0]))
    tensor(0.2014)
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        ignore_index: int = -100,
        reduce: bool | None = None,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """``F.cross_entropy(input, target, weight, ignore_index, reduction, ...)``."""
        return F.cross_entropy(
            input,
            target,
            weight=self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            label_smoothing=self.label_smoothing,
        )


class BCELoss(_WeightedLoss):
    """Binary cross entropy of probabilities: l = -w [y log x + (1 - y) log(1 - x)].

    Shapes: input (*) in [0, 1] (e.g. after ``Sigmoid``), target (*) the same shape.
    ``BCEWithLogitsLoss`` is the stable choice.

    >>> nn.BCELoss()(tg.tensor([0.5]), tg.tensor([1.0]))
    tensor(0.6931)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """``F.binary_cross_entropy(input, target, weight, reduction)``."""
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid + binary cross entropy in one stable op:
    l = -w [p y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))], p = ``pos_weight``.

    Shapes: input (*) logits, target (*) the same shape; ``pos_weight`` (C,) weighs the
    positive class of each of C outputs.

    >>> nn.BCEWithLogitsLoss()(tg.tensor([0.0]), tg.tensor([1.0]))
    tensor(0.6931)
    """

    weight: Tensor | None
    pos_weight: Tensor | None

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
        pos_weight: Tensor | None = None,
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """``F.binary_cross_entropy_with_logits(input, target, weight, ...)``."""
        return F.binary_cross_entropy_with_logits(
            input, target, self.weight, pos_weight=self.pos_weight, reduction=self.reduction
        )
