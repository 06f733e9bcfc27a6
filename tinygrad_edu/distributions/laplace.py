"""``Laplace(loc, scale)``: the double exponential, density ``exp(-|x - loc| / scale) /
(2 scale)``; reparameterized through a uniform draw (inverse cdf)."""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from ..type_info import finfo
from .distribution import LocationScale

__all__ = ["Laplace"]


class Laplace(LocationScale):
    """The Laplace distribution of location ``loc`` and scale ``scale``.

    >>> Laplace(0.0, 1.0).log_prob(tg.tensor(1.0))
    tensor(-1.6931)
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
    def variance(self) -> Tensor:
        """``2 scale^2``."""
        return 2 * self.scale.pow(2)

    @property
    def stddev(self) -> Tensor:
        """``sqrt(2) scale``."""
        return (2**0.5) * self.scale

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """``loc - scale sign(u) log(1 - |u|)``, u ~ U(eps - 1, 1) (``uniform_``)."""
        shape = self._extended_shape(sample_shape)
        u = self.loc.new_empty(shape).uniform_(finfo(self.loc.dtype).eps - 1, 1)
        return self.loc - self.scale * u.sign() * (-u.abs()).log1p()

    def log_prob(self, value: Tensor) -> Tensor:
        """``-log(2 scale) - |x - loc| / scale``."""
        self._validate_sample(value)
        return -(2 * self.scale).log() - (value - self.loc).abs() / self.scale

    def cdf(self, value: Tensor) -> Tensor:
        """``1/2 - 1/2 sign(x - loc) expm1(-|x - loc| / scale)``."""
        self._validate_sample(value)
        diff = value - self.loc
        return 0.5 - 0.5 * diff.sign() * (-diff.abs() / self.scale).expm1()

    def icdf(self, value: Tensor) -> Tensor:
        """``loc - scale sign(p - 1/2) log(1 - 2 |p - 1/2|)``."""
        term = value - 0.5
        return self.loc - self.scale * term.sign() * (-2 * term.abs()).log1p()

    def entropy(self) -> Tensor:
        """``1 + log(2 scale)``."""
        return 1 + (2 * self.scale).log()

