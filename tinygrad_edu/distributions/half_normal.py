"""``HalfNormal(scale)``: ``|X|``, X ~ Normal(0, scale) (``AbsTransform`` of a Normal)."""

from __future__ import annotations

import math
from typing import Any

from ..tensor import Tensor
from . import constraints
from .constraints import Constraint
from .normal import Normal
from .transformed_distribution import TransformedDistribution
from .transforms import AbsTransform

__all__ = ["HalfNormal"]


class HalfNormal(TransformedDistribution):
    """The folded Normal of scale ``scale``: density ``2 N(x; 0, scale)`` on x >= 0.

    >>> HalfNormal(1.0).log_prob(tg.tensor(0.0))
    tensor(-0.2258)
    """

    has_rsample = True
    base_dist: Normal

    def __init__(self, scale: Any, validate_args: bool | None = None) -> None:
        base_dist = Normal(0, scale, validate_args=False)
        super().__init__(base_dist, AbsTransform(), validate_args=validate_args)

    @property
    def arg_constraints(self) -> dict[str, Constraint]:
        return {"scale": constraints.positive}

    @property
    def support(self) -> Constraint:
        return constraints.nonnegative

    @property
    def scale(self) -> Tensor:
        """The base Normal's ``scale``."""
        return self.base_dist.scale

    @property
    def mean(self) -> Tensor:
        """``scale sqrt(2 / pi)``."""
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def mode(self) -> Tensor:
        """0."""
        return self.scale.new_zeros(self.scale.shape)

    @property
    def variance(self) -> Tensor:
        """``scale^2 (1 - 2 / pi)``."""
        return self.scale.pow(2) * (1 - 2 / math.pi)

    def log_prob(self, value: Tensor) -> Tensor:
        """``log N(x; 0, scale) + log 2`` for x >= 0, ``-inf`` below."""
        self._validate_sample(value)
        log_prob = self.base_dist.log_prob(value) + math.log(2)
        return log_prob.where(value >= 0, -math.inf)

    def cdf(self, value: Tensor) -> Tensor:
        """``2 Phi(x / scale) - 1``."""
        self._validate_sample(value)
        return 2 * self.base_dist.cdf(value) - 1

    def icdf(self, prob: Tensor) -> Tensor:
        """The base's icdf at ``(p + 1) / 2``."""
        return self.base_dist.icdf((prob + 1) / 2)

    def entropy(self) -> Tensor:
        """The base's entropy - ``log 2``."""
        return self.base_dist.entropy() - math.log(2)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
