"""``Dropout``, as ``torch.nn.Dropout``."""

from __future__ import annotations

from ..tensor import Tensor
from . import functional as F
from .module import Module

__all__ = ["Dropout"]


class Dropout(Module):
    """In training mode, zero each element with probability p and scale the others by
    1 / (1 - p) (so the expected value is unchanged); in eval mode, the identity.

    Uses PyTorch's random stream: with the same seed, the same elements are dropped.

    >>> drop = nn.Dropout(p=0.5)
    >>> drop.eval()(tg.ones(3))
    tensor([1., 1., 1.])
    """

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    @property
    def _random_in_training(self) -> bool:
        """True when the output is random in training mode: teaching mode warns when such
        a module runs in training mode under ``no_grad`` (``model.eval()`` forgotten)."""
        return self.p > 0

    def forward(self, input: Tensor) -> Tensor:
        """``F.dropout(input, p, training=self.training)``."""
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
