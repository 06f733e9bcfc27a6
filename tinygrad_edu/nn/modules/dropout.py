"""``Dropout``, ``Dropout1d/2d/3d``, ``AlphaDropout`` and ``FeatureAlphaDropout``, as in
``torch.nn``."""

from __future__ import annotations

from ...tensor import Tensor
from .. import functional as F
from .module import Module

__all__ = ["AlphaDropout", "Dropout", "Dropout1d", "Dropout2d", "Dropout3d",
           "FeatureAlphaDropout"]


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


class Dropout1d(Dropout):
    """Channel dropout for (N, C, L) or (C, L) inputs: whole channels are zeroed with
    probability p in training mode; see ``F.dropout1d``.

    >>> nn.Dropout1d(0.5).eval()(tg.ones(2, 3)).shape
    tinygrad_edu.Size([2, 3])
    """

    def forward(self, input: Tensor) -> Tensor:
        """``F.dropout1d(input, p, training=self.training)``."""
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(Dropout):
    """Channel dropout for (N, C, H, W) inputs: whole feature maps are zeroed with
    probability p in training mode; see ``F.dropout2d``.

    >>> nn.Dropout2d(0.5).eval()(tg.ones(1, 2, 3, 3)).shape
    tinygrad_edu.Size([1, 2, 3, 3])
    """

    def forward(self, input: Tensor) -> Tensor:
        """``F.dropout2d(input, p, training=self.training)``."""
        return F.dropout2d(input, self.p, self.training, self.inplace)


class Dropout3d(Dropout):
    """Channel dropout for (N, C, D, H, W) or (C, D, H, W) inputs; see ``F.dropout3d``.

    >>> nn.Dropout3d(0.5).eval()(tg.ones(1, 2, 2, 2, 2)).shape
    tinygrad_edu.Size([1, 2, 2, 2, 2])
    """

    def forward(self, input: Tensor) -> Tensor:
        """``F.dropout3d(input, p, training=self.training)``."""
        return F.dropout3d(input, self.p, self.training, self.inplace)


class AlphaDropout(Dropout):
    """Dropout that keeps a SELU network's mean and variance; see ``F.alpha_dropout``.

    >>> nn.AlphaDropout(0.2).eval()(tg.ones(3))
    tensor([1., 1., 1.])
    """

    def forward(self, input: Tensor) -> Tensor:
        """``F.alpha_dropout(input, p, training=self.training)``."""
        return F.alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(Dropout):
    """``AlphaDropout`` of whole channels; see ``F.feature_alpha_dropout``.

    >>> nn.FeatureAlphaDropout(0.2).eval()(tg.ones(2, 3)).shape
    tinygrad_edu.Size([2, 3])
    """

    def forward(self, input: Tensor) -> Tensor:
        """``F.feature_alpha_dropout(input, p, training=self.training)``."""
        return F.feature_alpha_dropout(input, self.p, self.training)
