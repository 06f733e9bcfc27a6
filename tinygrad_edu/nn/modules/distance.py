"""``CosineSimilarity`` and ``PairwiseDistance``, as in ``torch.nn`` (``F.cosine_similarity``
and ``F.pairwise_distance`` with the layer's settings)."""

from __future__ import annotations

from ...tensor import Tensor
from .. import functional as F
from .module import Module

__all__ = ["CosineSimilarity", "PairwiseDistance"]


class CosineSimilarity(Module):
    """cos(x1, x2) = <x1, x2> / (max(||x1||, eps) max(||x2||, eps)) along ``dim``.

    >>> nn.CosineSimilarity(dim=0)(tg.tensor([1.0, 0.0]), tg.tensor([1.0, 1.0]))
    tensor(0.7071)
    """

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        """F.cosine_similarity with this layer's dim and eps."""
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """||x1 - x2 + eps||_p along the last dim (the p-norm is stored as ``norm``).

    >>> nn.PairwiseDistance()(tg.tensor([[3.0, 0.0]]), tg.tensor([[0.0, 4.0]]))
    tensor([5.])
    """

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm = p
        self.eps = eps
        self.keepdim = keepdim

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        """F.pairwise_distance with this layer's p, eps and keepdim."""
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
