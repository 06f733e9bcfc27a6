"""``Bernoulli(probs=p)`` or ``Bernoulli(logits=l)``: 1 with probability p, else 0."""

from __future__ import annotations

from typing import Any

from .. import creation
from ..core.grad_mode import no_grad
from ..nn.functional import binary_cross_entropy_with_logits
from ..tensor import Tensor
from . import constraints
from .constraints import Constraint
from .distribution import Distribution, broadcast_all
from .utils import given_probs_or_logits, lazy_probs_or_logits

__all__ = ["Bernoulli"]


class Bernoulli(Distribution):
    """A coin that shows 1 with probability ``probs`` (or ``sigmoid(logits)``).

    >>> Bernoulli(probs=0.25).log_prob(tg.tensor(1.0))
    tensor(-1.3863)
    """

    _params = ("probs", "logits")

    def __init__(self, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        shape = given_probs_or_logits(self, probs, logits).shape
        super().__init__(shape, validate_args=validate_args)

    def __getattr__(self, name: str) -> Any:  # (probs from logits, or logits from probs)
        return lazy_probs_or_logits(self, name, is_binary=True)

    @property
    def arg_constraints(self) -> dict[str, Constraint]:
        return {"probs": constraints.interval(0.0, 1.0), "logits": constraints.real}

    @property
    def support(self) -> Constraint:
        return constraints.boolean

    @property
    def mean(self) -> Tensor:
        """``probs``."""
        return self.probs  # type: ignore[no-any-return]

    @property
    def mode(self) -> Tensor:
        """1 where ``probs > 0.5``, 0 where below, NaN where it is exactly 0.5 (a tie).

        >>> Bernoulli(tg.tensor([0.2, 0.5, 0.9])).mode
        tensor([0., nan, 1.])
        """
        probs = self.probs
        mode = (probs >= 0.5).to(probs.dtype)
        return mode.masked_fill(probs == 0.5, float("nan"))  # type: ignore[no-any-return]

    @property
    def variance(self) -> Tensor:
        """``probs (1 - probs)``."""
        return self.probs * (1 - self.probs)  # type: ignore[no-any-return]

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """0s and 1s (``tg.bernoulli`` of the probabilities), outside any graph."""
        shape = self._extended_shape(sample_shape)
        with no_grad():
            return creation.bernoulli(self.probs.expand(shape))

    def log_prob(self, value: Tensor) -> Tensor:
        """``value log p + (1 - value) log(1 - p)``, from the logits."""
        self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -binary_cross_entropy_with_logits(logits, value, reduction="none")

    def entropy(self) -> Tensor:
        """``-p log p - (1 - p) log(1 - p)``."""
        return binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")
