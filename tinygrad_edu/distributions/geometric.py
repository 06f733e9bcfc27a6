"""``Geometric(probs=p)`` or ``Geometric(logits=l)``: the number of failures before the
first success of Bernoulli(p) trials (0, 1, 2, ...)."""

from __future__ import annotations

from typing import Any

from ..core.grad_mode import no_grad
from ..nn.functional import binary_cross_entropy_with_logits
from ..tensor import Tensor
from ..type_info import finfo
from . import constraints
from .constraints import Constraint
from .distribution import Distribution, broadcast_all
from .utils import given_probs_or_logits, lazy_probs_or_logits

__all__ = ["Geometric"]


class Geometric(Distribution):
    """Failures before the first success, each trial a success with probability ``probs``
    (or ``sigmoid(logits)``): ``P(k) = (1 - p)^k p``.

    >>> Geometric(probs=0.5).log_prob(tg.tensor(1.0))
    tensor(-1.3863)
    """

    _params = ("probs", "logits")

    def __init__(self, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        shape = given_probs_or_logits(self, probs, logits).shape
        super().__init__(shape, validate_args=validate_args)
        if self._validate_args and probs is not None:
            value = self.probs
            valid = value > 0
            if not bool(valid.all()):
                raise ValueError(
                    f"Expected parameter probs ({type(value).__name__} of shape "
                    f"{tuple(value.shape)}) of distribution {self!r} to be positive but "
                    f"found invalid values:\n{value.detach()[~valid]}")

    def __getattr__(self, name: str) -> Any:  # (probs from logits, or logits from probs)
        return lazy_probs_or_logits(self, name, is_binary=True)

    @property
    def arg_constraints(self) -> dict[str, Constraint]:
        return {"probs": constraints.unit_interval, "logits": constraints.real}

    @property
    def support(self) -> Constraint:
        return constraints.nonnegative_integer

    @property
    def mean(self) -> Tensor:
        """``1 / p - 1``."""
        return 1.0 / self.probs - 1.0  # type: ignore[no-any-return]

    @property
    def mode(self) -> Tensor:
        """0."""
        return self.probs.new_zeros(self.probs.shape)  # type: ignore[no-any-return]

    @property
    def variance(self) -> Tensor:
        """``(1 / p - 1) / p``."""
        return (1.0 / self.probs - 1.0) / self.probs  # type: ignore[no-any-return]

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """``floor(log u / log(1 - p))``, u ~ U(tiny, 1) (``uniform_``, PyTorch's stream)."""
        shape = self._extended_shape(sample_shape)
        with no_grad():
            u = self.probs.new_empty(shape).uniform_(finfo(self.probs.dtype).tiny, 1)
            return (u.log() / (-self.probs).log1p()).floor()  # type: ignore[no-any-return]

    def log_prob(self, value: Tensor) -> Tensor:
        """``k log(1 - p) + log p`` (0 at p = 1, k = 0)."""
        self._validate_sample(value)
        value, probs = broadcast_all(value, self.probs)
        probs = probs.masked_fill((probs == 1) & (value == 0), 0.0)
        return value * (-probs).log1p() + self.probs.log()  # type: ignore[no-any-return]

    def entropy(self) -> Tensor:
        """``BCE(logits, p) / p``."""
        return binary_cross_entropy_with_logits(  # type: ignore[no-any-return]
            self.logits, self.probs, reduction="none") / self.probs
