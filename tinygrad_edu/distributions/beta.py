"""``Beta(concentration1, concentration0)``: a distribution on [0, 1], density
``x^(a-1) (1-x)^(b-1) / B(a, b)``; built, as in PyTorch, on a two-category Dirichlet
(its draws are the Dirichlet's first coordinate)."""

from __future__ import annotations

from typing import Any

from .. import creation
from ..functional import stack
from ..tensor import Tensor
from . import constraints
from .constraints import Constraint
from .dirichlet import Dirichlet
from .distribution import Distribution, broadcast_all

__all__ = ["Beta"]


class Beta(Distribution):
    """The beta distribution of ``concentration1`` (a) and ``concentration0`` (b).

    >>> Beta(2.0, 2.0).log_prob(tg.tensor(0.5))
    tensor(0.4055)
    """

    has_rsample = True

    def __init__(self, concentration1: Any, concentration0: Any,
                 validate_args: bool | None = None) -> None:
        if not isinstance(concentration1, Tensor) and not isinstance(concentration0, Tensor):
            both = creation.tensor([float(concentration1), float(concentration0)])
        else:
            c1, c0 = broadcast_all(concentration1, concentration0)
            both = stack([c1, c0], -1)
        self._dirichlet = Dirichlet(both, validate_args=validate_args)
        super().__init__(self._dirichlet.batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Distribution:
        """The inner Dirichlet expanded to ``batch_shape``."""
        new = super().expand(batch_shape, _instance)
        assert isinstance(new, Beta)
        new._dirichlet = self._dirichlet.expand(batch_shape)  # type: ignore[assignment]
        return new

    @property
    def arg_constraints(self) -> dict[str, Constraint]:
        return {"concentration1": constraints.positive, "concentration0": constraints.positive}

    @property
    def support(self) -> Constraint:
        return constraints.unit_interval

    @property
    def concentration1(self) -> Tensor:
        """a: the Dirichlet's first concentration."""
        return self._dirichlet.concentration[..., 0]

    @property
    def concentration0(self) -> Tensor:
        """b: the Dirichlet's second concentration."""
        return self._dirichlet.concentration[..., 1]

    @property
    def mean(self) -> Tensor:
        """``a / (a + b)``."""
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self) -> Tensor:
        """The Dirichlet's mode, first coordinate."""
        return self._dirichlet.mode[..., 0]

    @property
    def variance(self) -> Tensor:
        """``a b / ((a + b)^2 (a + b + 1))``."""
        total = self.concentration1 + self.concentration0
        return self.concentration1 * self.concentration0 / (total.pow(2) * (total + 1))

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """The Dirichlet's draw, first coordinate."""
        return self._dirichlet.rsample(sample_shape).select(-1, 0)

    def log_prob(self, value: Tensor) -> Tensor:
        """The Dirichlet's log-density at ``(x, 1 - x)``."""
        self._validate_sample(value)
        return self._dirichlet.log_prob(stack([value, 1.0 - value], -1))

    def entropy(self) -> Tensor:
        """The Dirichlet's entropy."""
        return self._dirichlet.entropy()
