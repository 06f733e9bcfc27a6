"""Loss layers, as in ``torch.nn``: each stores its options and calls ``nn.functional``.

All take ``reduction='mean' | 'sum' | 'none'``: average the per-element losses, add
them, or return them unreduced. Class weights and ``pos_weight`` are buffers, so they
appear in ``state_dict()`` as PyTorch's do.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

from ...tensor import Tensor
from .. import functional as F
from ..functional.loss import _legacy_reduction
from .distance import PairwiseDistance
from .module import Module

__all__ = [
    "L1Loss",
    "MSELoss",
    "HuberLoss",
    "SmoothL1Loss",
    "CrossEntropyLoss",
    "NLLLoss",
    "NLLLoss2d",
    "BCELoss",
    "BCEWithLogitsLoss",
    "KLDivLoss",
    "PoissonNLLLoss",
    "GaussianNLLLoss",
    "MarginRankingLoss",
    "HingeEmbeddingLoss",
    "SoftMarginLoss",
    "MultiLabelSoftMarginLoss",
    "MultiMarginLoss",
    "MultiLabelMarginLoss",
    "CosineEmbeddingLoss",
    "TripletMarginLoss",
    "TripletMarginWithDistanceLoss",
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


class NLLLoss2d(NLLLoss):
    """``NLLLoss`` under its old name for (N, C, H, W) inputs; deprecated (a
    FutureWarning when made), as in PyTorch: ``NLLLoss`` takes any number of dims.

    >>> nn.NLLLoss2d()(tg.tensor([[[[-0.5]], [[-1.0]]]]), tg.tensor([[[1]]]))
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
        warnings.warn(
            "`NLLLoss2d` has been deprecated. Please use `NLLLoss` instead as a drop-in "
            "replacement and see https://pytorch.org/docs/main/nn.html#torch.nn.NLLLoss "
            "for more details.",
            FutureWarning,
            stacklevel=2,
        )
        super().__init__(weight, size_average, ignore_index, reduce, reduction)


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


class KLDivLoss(_Loss):
    """Kullback-Leibler divergence: l = y (log y - x) for log-probabilities x (e^y (y - x)
    with ``log_target``); ``reduction='batchmean'`` gives the KL divergence per sample.

    Shapes: input (*) log-probabilities, target (*) the same shape.

    >>> nn.KLDivLoss(reduction="sum")(tg.tensor([-0.5, -1.0]), tg.tensor([0.5, 0.5]))
    tensor(0.0569)
    """

    def __init__(self, size_average: bool | None = None, reduce: bool | None = None,
                 reduction: str = "mean", log_target: bool = False) -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """``F.kl_div(input, target, reduction, log_target)``."""
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class PoissonNLLLoss(_Loss):
    """Poisson negative log likelihood: l = e^x - y x (``log_input``) or x - y log(x + eps),
    plus Stirling's term with ``full``.

    Shapes: input (*), target (*).

    >>> nn.PoissonNLLLoss()(tg.tensor([0.0, 1.0]), tg.tensor([1.0, 2.0]))
    tensor(0.3591)
    """

    def __init__(self, log_input: bool = True, full: bool = False,
                 size_average: bool | None = None, eps: float = 1e-8,
                 reduce: bool | None = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_input, self.full, self.eps = log_input, full, eps

    def forward(self, log_input: Tensor, target: Tensor) -> Tensor:
        """``F.poisson_nll_loss(log_input, target, ...)``."""
        return F.poisson_nll_loss(log_input, target, log_input=self.log_input, full=self.full,
                                  eps=self.eps, reduction=self.reduction)


class GaussianNLLLoss(_Loss):
    """Gaussian negative log likelihood: l = (log var + (x - y)^2 / var) / 2 (var clamped
    at ``eps``), plus log(2 pi) / 2 with ``full``.

    Shapes: input (N, *), target like input, var like input or one dim short / of size 1.

    >>> nn.GaussianNLLLoss()(tg.tensor([0.0]), tg.tensor([1.0]), tg.tensor([1.0]))
    tensor(0.5000)
    """

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean") -> None:
        super().__init__(None, None, reduction)
        self.full, self.eps = full, eps

    def forward(self, input: Tensor, target: Tensor, var: Tensor | float) -> Tensor:
        """``F.gaussian_nll_loss(input, target, var, full, eps, reduction)``."""
        return F.gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps,
                                   reduction=self.reduction)


class _MarginLoss(_Loss):
    """A loss with a ``margin`` (PyTorch's order: margin first, then the legacy flags)."""

    def __init__(self, margin: float = 0.0, size_average: bool | None = None,
                 reduce: bool | None = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin


class MarginRankingLoss(_MarginLoss):
    """l = max(0, -y (x1 - x2) + margin), y = +-1.

    Shapes: input1 (N,) or (), input2 and target the same.

    >>> nn.MarginRankingLoss()(tg.tensor([1.0]), tg.tensor([0.5]), tg.tensor([-1.0]))
    tensor(0.5000)
    """

    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        """``F.margin_ranking_loss(input1, input2, target, margin, reduction)``."""
        return F.margin_ranking_loss(input1, input2, target, margin=self.margin,
                                     reduction=self.reduction)


class HingeEmbeddingLoss(_MarginLoss):
    """l = x where y = 1, max(0, margin - x) where y = -1.

    Shapes: input (*), target (*).

    >>> nn.HingeEmbeddingLoss()(tg.tensor([0.3, 0.4]), tg.tensor([1.0, -1.0]))
    tensor(0.4500)
    """

    def __init__(self, margin: float = 1.0, size_average: bool | None = None,
                 reduce: bool | None = None, reduction: str = "mean") -> None:
        super().__init__(margin, size_average, reduce, reduction)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """``F.hinge_embedding_loss(input, target, margin, reduction)``."""
        return F.hinge_embedding_loss(input, target, margin=self.margin, reduction=self.reduction)


class CosineEmbeddingLoss(_MarginLoss):
    """l = 1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin) where y = -1.

    Shapes: input1, input2 (N, D) with target (N,), or (D,) with target ().

    >>> nn.CosineEmbeddingLoss()(tg.tensor([[1.0, 0.0]]), tg.tensor([[0.0, 1.0]]),
    ...                          tg.tensor([1]))
    tensor(1.)
    """

    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        """``F.cosine_embedding_loss(input1, input2, target, margin, reduction)``."""
        return F.cosine_embedding_loss(input1, input2, target, margin=self.margin,
                                       reduction=self.reduction)


class SoftMarginLoss(_Loss):
    """Two-class logistic loss: l = log(1 + exp(-y x)), y = +-1.

    Shapes: input (*), target (*).

    >>> nn.SoftMarginLoss()(tg.tensor([0.0]), tg.tensor([1.0]))
    tensor(0.6931)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """``F.soft_margin_loss(input, target, reduction)``."""
        return F.soft_margin_loss(input, target, reduction=self.reduction)


class MultiLabelSoftMarginLoss(_WeightedLoss):
    """One-versus-all logistic loss, averaged over the C classes:
    -w [y log sigmoid(x) + (1 - y) log sigmoid(-x)], y in {0, 1}.

    Shapes: input (N, C), target (N, C), weight (C,).

    >>> nn.MultiLabelSoftMarginLoss()(tg.tensor([[0.0, 0.0]]), tg.tensor([[1.0, 0.0]]))
    tensor(0.6931)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """``F.multilabel_soft_margin_loss(input, target, weight, reduction)``."""
        return F.multilabel_soft_margin_loss(input, target, weight=self.weight,
                                             reduction=self.reduction)


class MultiMarginLoss(_WeightedLoss):
    """Multi-class hinge loss: l = sum over classes j != y of
    w[y] max(0, margin - x[y] + x[j])^p / C, p = 1 or 2.

    Shapes: input (N, C) or (C,), target (N,) or () int64 classes, weight (C,).

    >>> nn.MultiMarginLoss()(tg.tensor([[0.1, 0.2, 0.4, 0.8]]), tg.tensor([3]))
    tensor(0.3250)
    """

    def __init__(self, p: int = 1, margin: float = 1.0, weight: Tensor | None = None,
                 size_average: bool | None = None, reduce: bool | None = None,
                 reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        if p != 1 and p != 2:
            raise ValueError("only p == 1 and p == 2 supported")
        if weight is not None and weight.ndim != 1:
            raise ValueError(f"MultiMarginLoss: expected weight to be None or 1D tensor, got "
                             f"{weight.ndim}D instead")
        self.p, self.margin = p, margin

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """``F.multi_margin_loss(input, target, p, margin, weight, reduction)``."""
        return F.multi_margin_loss(input, target, p=self.p, margin=self.margin,
                                   weight=self.weight, reduction=self.reduction)


class MultiLabelMarginLoss(_Loss):
    """Multi-label hinge loss: l = sum over the target classes t and the other classes k
    of max(0, 1 - x[t] + x[k]) / C; each target row lists its classes, ended by -1.

    Shapes: input (N, C) or (C,), target the same shape, int64.

    >>> nn.MultiLabelMarginLoss()(tg.tensor([[0.1, 0.2, 0.4, 0.8]]),
    ...                           tg.tensor([[3, 0, -1, 1]]))
    tensor(0.8500)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """``F.multilabel_margin_loss(input, target, reduction)``."""
        return F.multilabel_margin_loss(input, target, reduction=self.reduction)


class TripletMarginLoss(_MarginLoss):
    """l = max(0, margin + d(a, p) - d(a, n)), d = ``F.pairwise_distance`` (p-norm).

    Shapes: anchor, positive, negative (N, D) or (D,).

    >>> nn.TripletMarginLoss()(tg.tensor([[0.0]]), tg.tensor([[0.5]]), tg.tensor([[2.0]]))
    tensor(0.)
    """

    def __init__(self, margin: float = 1.0, p: float = 2.0, eps: float = 1e-6,
                 swap: bool = False, size_average: bool | None = None,
                 reduce: bool | None = None, reduction: str = "mean") -> None:
        super().__init__(margin, size_average, reduce, reduction)
        self.p, self.eps, self.swap = p, eps, swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        """``F.triplet_margin_loss(anchor, positive, negative, ...)``."""
        return F.triplet_margin_loss(anchor, positive, negative, margin=self.margin, p=self.p,
                                     eps=self.eps, swap=self.swap, reduction=self.reduction)


class TripletMarginWithDistanceLoss(_Loss):
    """l = max(0, margin + d(a, p) - d(a, n)) for any distance d = ``distance_function``
    (default ``nn.PairwiseDistance()``, a submodule then, as PyTorch's); with ``swap``,
    d(a, n) is min(d(a, n), d(p, n)). Arguments are keyword-only.

    >>> loss = nn.TripletMarginWithDistanceLoss(margin=0.5)
    >>> loss(tg.tensor([[0.0]]), tg.tensor([[0.2]]), tg.tensor([[1.0]]))
    tensor(0.)
    """

    def __init__(self, *, distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
                 margin: float = 1.0, swap: bool = False, reduction: str = "mean") -> None:
        super().__init__(None, None, reduction)
        if margin <= 0:
            raise ValueError("TripletMarginWithDistanceLoss: expected margin to be greater "
                             f"than 0, got {margin} instead")
        self.distance_function = (distance_function if distance_function is not None
                                  else PairwiseDistance())
        self.margin = margin
        self.swap = swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        """``F.triplet_margin_with_distance_loss`` with this loss's options."""
        return F.triplet_margin_with_distance_loss(
            anchor, positive, negative, distance_function=self.distance_function,
            margin=self.margin, swap=self.swap, reduction=self.reduction)
