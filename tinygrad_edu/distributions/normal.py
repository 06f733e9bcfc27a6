"""``Normal(loc, scale)``: the Gaussian, reparameterized (``rsample`` is
``loc + eps * scale``, eps drawn from N(0, 1): gradients reach loc and scale)."""

from __future__ import annotations

import math
from typing import Any

from .. import creation
from ..core.grad_mode import no_grad
from ..tensor import Tensor
from .distribution import LocationScale

__all__ = ["Normal"]


class Normal(LocationScale):
    """The normal distribution of mean ``loc`` and standard deviation ``scale``.

    >>> _ = tg.manual_seed(0)
    >>> Normal(0.0, 1.0).log_prob(tg.tensor(0.0))
    tensor(-0.9189)
    """

    @property
    def mean(self) -> Tensor:
        """``loc``."""
        return self.loc

    @property
    def mode(self) -> Tensor:
        """``loc``."""
        return self.loc

    @property
    def stddev(self) -> Tensor:
        """``scale``."""
        return self.scale

    @property
    def variance(self) -> Tensor:
        """``scale ** 2``."""
        return self.scale.pow(2)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """A draw (``tg.normal`` of loc and scale, expanded), outside any graph."""
        shape = self._extended_shape(sample_shape)
        with no_grad():
            return creation.normal(self.loc.expand(shape), self.scale.expand(shape))

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """``loc + eps * scale`` with eps ~ N(0, 1): differentiable in loc and scale."""
        shape = self._extended_shape(sample_shape)
        eps = self.loc.new_empty(shape).normal_()
        return self.loc + eps * self.scale

    def log_prob(self, value: Tensor) -> Tensor:
        """``-(x - loc)^2 / (2 scale^2) - log(scale) - log(sqrt(2 pi))``."""
        self._validate_sample(value)
        var = self.scale**2
        return -((value - self.loc) ** 2) / (2 * var) - self.scale.log() - math.log(
            math.sqrt(2 * math.pi))

    def cdf(self, value: Tensor) -> Tensor:
        """``(1 + erf((x - loc) / (scale sqrt 2))) / 2``."""
        self._validate_sample(value)
        return 0.5 * (1 + ((value - self.loc) * self.scale.reciprocal() / math.sqrt(2)).erf())

    def icdf(self, value: Tensor) -> Tensor:
        """``loc + scale sqrt(2) erfinv(2 p - 1)``."""
        return self.loc + self.scale * (2 * value - 1).erfinv() * math.sqrt(2)

    def entropy(self) -> Tensor:
        """``1/2 + log(2 pi)/2 + log(scale)``."""
        return 0.5 + 0.5 * math.log(2 * math.pi) + self.scale.log()
