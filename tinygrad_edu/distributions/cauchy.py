"""``Cauchy(loc, scale)``: the Lorentz distribution, density ``1 / (pi scale (1 + z^2))``,
z = (x - loc) / scale: no mean, no variance; reparameterized (``loc + e * scale``)."""

from __future__ import annotations

import math
from typing import Any

from .. import creation
from ..tensor import Tensor
from .distribution import LocationScale

__all__ = ["Cauchy"]


class Cauchy(LocationScale):
    """The Cauchy distribution of median ``loc`` and half-width ``scale``.

    >>> Cauchy(0.0, 1.0).log_prob(tg.tensor(0.0))
    tensor(-1.1447)
    """

    @property
    def mean(self) -> Tensor:
        """NaN: the mean does not exist."""
        return creation.full(self._extended_shape(), math.nan, dtype=self.loc.dtype)

    @property
    def mode(self) -> Tensor:
        """``loc``."""
        return self.loc

    @property
    def variance(self) -> Tensor:
        """inf."""
        return creation.full(self._extended_shape(), math.inf, dtype=self.loc.dtype)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """``loc + e * scale`` with e ~ Cauchy(0, 1) (``cauchy_``, PyTorch's stream)."""
        shape = self._extended_shape(sample_shape)
        eps = self.loc.new_empty(shape).cauchy_()
        return self.loc + eps * self.scale

    def log_prob(self, value: Tensor) -> Tensor:
        """``-log(pi) - log(scale) - log(1 + z^2)``."""
        self._validate_sample(value)
        z = (value - self.loc) / self.scale
        return -math.log(math.pi) - self.scale.log() - (z**2).log1p()

    def cdf(self, value: Tensor) -> Tensor:
        """``atan(z) / pi + 1/2``."""
        self._validate_sample(value)
        return ((value - self.loc) / self.scale).atan() / math.pi + 0.5

    def icdf(self, value: Tensor) -> Tensor:
        """``tan(pi (p - 1/2)) scale + loc``."""
        return (math.pi * (value - 0.5)).tan() * self.scale + self.loc

    def entropy(self) -> Tensor:
        """``log(4 pi) + log(scale)``."""
        return math.log(4 * math.pi) + self.scale.log()
