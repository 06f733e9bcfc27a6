"""``Poisson(rate)``: counts of events at ``rate`` per interval, ``P(k) = rate^k
exp(-rate) / k!``. Draws are PyTorch's ``torch.poisson`` (see ``samplers``)."""

from __future__ import annotations

from typing import Any

from ..core.grad_mode import no_grad
from ..tensor import Tensor
from . import constraints
from .constraints import Constraint
from .distribution import Distribution, broadcast_all
from .samplers import poisson

__all__ = ["Poisson"]


class Poisson(Distribution):
    """The Poisson distribution of mean ``rate``; draws equal PyTorch's after the same seed.

    >>> Poisson(2.0).log_prob(tg.tensor(0.0))
    tensor(-2.)
    """

    _params = ("rate",)

    def __init__(self, rate: Any, validate_args: bool | None = None) -> None:
        (self.rate,) = broadcast_all(rate)
        super().__init__(self.rate.shape, validate_args=validate_args)

    @property
    def arg_constraints(self) -> dict[str, Constraint]:
        return {"rate": constraints.nonnegative}

    @property
    def support(self) -> Constraint:
        return constraints.nonnegative_integer

    @property
    def mean(self) -> Tensor:
        """``rate``."""
        return self.rate

    @property
    def mode(self) -> Tensor:
        """``floor(rate)``."""
        return self.rate.floor()

    @property
    def variance(self) -> Tensor:
        """``rate``."""
        return self.rate

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """Counts (floats, as PyTorch's), outside any graph."""
        shape = self._extended_shape(sample_shape)
        with no_grad():
            return poisson(self.rate.expand(shape))

    def log_prob(self, value: Tensor) -> Tensor:
        """``k log(rate) - rate - lgamma(k + 1)``."""
        self._validate_sample(value)
        rate, value = broadcast_all(self.rate, value)
        return value.xlogy(rate) - rate - (value + 1).lgamma()
