"""``Gumbel(loc, scale)``: the law of the maximum of many draws, density
``exp(-(z + exp(-z))) / scale``, z = (x - loc) / scale. Built as PyTorch builds it: a
Uniform(tiny, 1 - eps) draw u through ``loc - scale log(-log u)``, so draws match."""

from __future__ import annotations

import math
from typing import Any

from .. import creation
from ..tensor import Tensor
from ..type_info import finfo
from . import constraints
from .constraints import Constraint
from .distribution import broadcast_all
from .transformed_distribution import TransformedDistribution
from .transforms import AffineTransform, ExpTransform
from .uniform import Uniform

__all__ = ["Gumbel"]

_EULER = 0.57721566490153286060  # the Euler-Mascheroni constant, the mean of Gumbel(0, 1)


class Gumbel(TransformedDistribution):
    """The Gumbel distribution of location ``loc`` and scale ``scale``.

    >>> Gumbel(0.0, 1.0).log_prob(tg.tensor(0.0))
    tensor(-1.)
    """

    _params = ("loc", "scale")

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self.loc, self.scale = broadcast_all(loc, scale)
        info = finfo(self.loc.dtype)
        numbers = not isinstance(loc, Tensor) and not isinstance(scale, Tensor)
        if numbers:
            base_dist = Uniform(info.tiny, 1 - info.eps, validate_args=validate_args)
        else:
            base_dist = Uniform(creation.full_like(self.loc, info.tiny),
                                creation.full_like(self.loc, 1 - info.eps),
                                validate_args=validate_args)
        # x = loc - scale log(-log u): -log, negate, log, then loc - scale * that
        transforms = [ExpTransform().inv, AffineTransform(loc=0, scale=-creation.ones_like(
            self.scale)), ExpTransform().inv, AffineTransform(loc=loc, scale=-self.scale)]
        super().__init__(base_dist, transforms, validate_args=validate_args)

    @property
    def arg_constraints(self) -> dict[str, Constraint]:
        return {"loc": constraints.real, "scale": constraints.positive}

    @property
    def support(self) -> Constraint:
        return constraints.real

    def log_prob(self, value: Tensor) -> Tensor:
        """``(y - exp(y)) - log(scale)``, y = (loc - x) / scale."""
        self._validate_sample(value)
        y = (self.loc - value) / self.scale
        return (y - y.exp()) - self.scale.log()

    @property
    def mean(self) -> Tensor:
        """``loc + scale * euler_gamma``."""
        return self.loc + self.scale * _EULER

    @property
    def mode(self) -> Tensor:
        """``loc``."""
        return self.loc

    @property
    def stddev(self) -> Tensor:
        """``pi / sqrt(6) scale``."""
        return (math.pi / math.sqrt(6)) * self.scale

    @property
    def variance(self) -> Tensor:
        """``stddev ** 2``."""
        return self.stddev.pow(2)

    def entropy(self) -> Tensor:
        """``log(scale) + 1 + euler_gamma``."""
        return self.scale.log() + (1 + _EULER)
