"""``LogNormal(loc, scale)``: ``exp`` of a Normal(loc, scale) draw (a
``TransformedDistribution`` of ``Normal`` through ``ExpTransform``)."""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from . import constraints
from .constraints import Constraint
from .normal import Normal
from .transformed_distribution import TransformedDistribution
from .transforms import ExpTransform

__all__ = ["LogNormal"]


class LogNormal(TransformedDistribution):
    """``exp(X)``, X ~ Normal(``loc``, ``scale``): positive, reparameterized.

    >>> LogNormal(0.0, 1.0).log_prob(tg.tensor(1.0))
    tensor(-0.9189)
    """

    has_rsample = True
    base_dist: Normal

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        base_dist = Normal(loc, scale, validate_args=validate_args)
        super().__init__(base_dist, ExpTransform(), validate_args=validate_args)

    @property
    def arg_constraints(self) -> dict[str, Constraint]:
        return {"loc": constraints.real, "scale": constraints.positive}

    @property
    def support(self) -> Constraint:
        return constraints.positive

    @property
    def loc(self) -> Tensor:
        """The base Normal's ``loc``."""
        return self.base_dist.loc

    @property
    def scale(self) -> Tensor:
        """The base Normal's ``scale``."""
        return self.base_dist.scale

    @property
    def mean(self) -> Tensor:
        """``exp(loc + scale^2 / 2)``."""
        return (self.loc + self.scale.pow(2) / 2).exp()

    @property
    def mode(self) -> Tensor:
        """``exp(loc - scale^2)``."""
        return (self.loc - self.scale.square()).exp()

    @property
    def variance(self) -> Tensor:
        """``(exp(scale^2) - 1) exp(2 loc + scale^2)``."""
        scale_sq = self.scale.pow(2)
        return scale_sq.expm1() * (2 * self.loc + scale_sq).exp()

    def entropy(self) -> Tensor:
        """The base's entropy + ``loc``."""
        return self.base_dist.entropy() + self.loc

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
