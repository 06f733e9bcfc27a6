"""``Exponential(rate)``: waiting times, density ``rate exp(-rate x)`` on x >= 0;
reparameterized (``rsample`` is ``e / rate``, e drawn by ``exponential_``)."""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from . import constraints
from .constraints import Constraint
from .distribution import Distribution, broadcast_all

__all__ = ["Exponential"]


class Exponential(Distribution):
    """The exponential distribution of rate ``rate`` (mean ``1 / rate``).

    >>> Exponential(2.0).log_prob(tg.tensor(1.0))
    tensor(-1.3069)
    """

    has_rsample = True
    _params = ("rate",)

    def __init__(self, rate: Any, validate_args: bool | None = None) -> None:
        (self.rate,) = broadcast_all(rate)
        super().__init__(self.rate.shape, validate_args=validate_args)

    @property
    def arg_constraints(self) -> dict[str, Constraint]:
        return {"rate": constraints.positive}

    @property
    def support(self) -> Constraint:
        return constraints.nonnegative

    @property
    def mean(self) -> Tensor:
        """``1 / rate``."""
        return self.rate.reciprocal()

    @property
    def mode(self) -> Tensor:
        """0."""
        return self.rate.new_zeros(self.rate.shape)

    @property
    def stddev(self) -> Tensor:
        """``1 / rate``."""
        return self.rate.reciprocal()

    @property
    def variance(self) -> Tensor:
        """``rate ** -2``."""
        return self.rate.pow(-2)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """``e / rate`` with e ~ Exp(1) (``exponential_``, PyTorch's stream)."""
        shape = self._extended_shape(sample_shape)
        return self.rate.new_empty(shape).exponential_() / self.rate

    def log_prob(self, value: Tensor) -> Tensor:
        """``log(rate) - rate x``."""
        self._validate_sample(value)
        return self.rate.log() - self.rate * value

    def cdf(self, value: Tensor) -> Tensor:
        """``1 - exp(-rate x)``."""
        self._validate_sample(value)
        return 1 - (-self.rate * value).exp()

    def icdf(self, value: Tensor) -> Tensor:
        """``-log(1 - p) / rate``."""
        return -(-value).log1p() / self.rate

    def entropy(self) -> Tensor:
        """``1 - log(rate)``."""
        return 1.0 - self.rate.log()
