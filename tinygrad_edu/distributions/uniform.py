"""``Uniform(low, high)``: every value of [low, high) as likely; reparameterized
(``rsample`` is ``low + u * (high - low)``, u drawn from U(0, 1))."""

from __future__ import annotations

from typing import Any

from .. import creation
from ..tensor import Tensor
from . import constraints
from .constraints import Constraint
from .distribution import Distribution, broadcast_all

__all__ = ["Uniform"]


class Uniform(Distribution):
    """The uniform distribution on [``low``, ``high``).

    >>> Uniform(0.0, 2.0).log_prob(tg.tensor(1.0))
    tensor(-0.6931)
    """

    has_rsample = True
    _params = ("low", "high")

    def __init__(self, low: Any, high: Any, validate_args: bool | None = None) -> None:
        self.low, self.high = broadcast_all(low, high)
        super().__init__(self.low.shape, validate_args=validate_args)

    @property
    def arg_constraints(self) -> dict[str, Constraint]:
        return {"low": constraints.less_than(self.high), "high": constraints.greater_than(
            self.low)}

    @property
    def support(self) -> Constraint:
        return constraints.interval(self.low, self.high)  # (high itself: log_prob -inf)

    @property
    def mean(self) -> Tensor:
        """``(low + high) / 2``."""
        return (self.high + self.low) / 2

    @property
    def variance(self) -> Tensor:
        """``(high - low)^2 / 12``."""
        return (self.high - self.low).pow(2) / 12

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """``low + u * (high - low)``, u ~ U(0, 1): differentiable in low and high."""
        shape = self._extended_shape(sample_shape)
        u = creation.rand(shape, dtype=self.low.dtype)
        return self.low + u * (self.high - self.low)

    def log_prob(self, value: Tensor) -> Tensor:
        """``-log(high - low)`` inside [low, high), ``-inf`` outside."""
        self._validate_sample(value)
        inside = self.low.le(value).type_as(self.low) * self.high.gt(value).type_as(self.low)
        return inside.log() - (self.high - self.low).log()

    def cdf(self, value: Tensor) -> Tensor:
        """``(x - low) / (high - low)``, clamped to [0, 1]."""
        self._validate_sample(value)
        return ((value - self.low) / (self.high - self.low)).clamp(min=0, max=1)

    def icdf(self, value: Tensor) -> Tensor:
        """``low + p (high - low)``."""
        return value * (self.high - self.low) + self.low

    def entropy(self) -> Tensor:
        """``log(high - low)``."""
        return (self.high - self.low).log()
