"""``Gamma(concentration, rate)``: density ``rate^a x^(a-1) exp(-rate x) / Gamma(a)`` on
x > 0 (a = concentration). Draws are PyTorch's ``_standard_gamma`` (its Marsaglia-Tsang
sampler on the same stream, see ``samplers``) divided by ``rate``."""

from __future__ import annotations

from typing import Any

from .. import creation
from ..tensor import Tensor
from ..type_info import finfo
from . import constraints
from .constraints import Constraint
from .distribution import Distribution, broadcast_all
from .samplers import standard_gamma

__all__ = ["Gamma"]


class Gamma(Distribution):
    """The gamma distribution of shape ``concentration`` and inverse scale ``rate``. Draws
    equal PyTorch's after the same seed; ``rsample``'s gradient with respect to
    ``concentration`` (PyTorch's implicit reparameterization) raises NotImplementedError,
    its gradient with respect to ``rate`` is exact.

    >>> Gamma(2.0, 1.0).log_prob(tg.tensor(1.0))
    tensor(-1.)
    """

    has_rsample = True
    _params = ("concentration", "rate")

    def __init__(self, concentration: Any, rate: Any,
                 validate_args: bool | None = None) -> None:
        self.concentration, self.rate = broadcast_all(concentration, rate)
        super().__init__(self.concentration.shape, validate_args=validate_args)

    @property
    def arg_constraints(self) -> dict[str, Constraint]:
        return {"concentration": constraints.positive, "rate": constraints.positive}

    @property
    def support(self) -> Constraint:
        return constraints.nonnegative

    @property
    def mean(self) -> Tensor:
        """``concentration / rate``."""
        return self.concentration / self.rate

    @property
    def mode(self) -> Tensor:
        """``max((concentration - 1) / rate, 0)``."""
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self) -> Tensor:
        """``concentration / rate^2``."""
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """``standard_gamma(concentration) / rate``, at least the dtype's tiny."""
        shape = self._extended_shape(sample_shape)
        value = standard_gamma(self.concentration.expand(shape)) / self.rate.expand(shape)
        return value.clamp(min=finfo(value.dtype).tiny)

    def log_prob(self, value: Any) -> Tensor:
        """``a log(rate) + (a - 1) log(x) - rate x - lgamma(a)``."""
        value = creation.as_tensor(value, dtype=self.rate.dtype)
        self._validate_sample(value)
        return (self.concentration.xlogy(self.rate) + (self.concentration - 1).xlogy(value)
                - self.rate * value - self.concentration.lgamma())

    def entropy(self) -> Tensor:
        """``a - log(rate) + lgamma(a) + (1 - a) digamma(a)``."""
        a = self.concentration
        return a - self.rate.log() + a.lgamma() + (1.0 - a) * a.digamma()
