"""``Dirichlet(concentration)``: a distribution over probability vectors (the simplex),
density ``prod x_i^(a_i - 1) / B(a)``. Draws are PyTorch's ``_sample_dirichlet`` (gamma
draws normalized, see ``samplers``)."""

from __future__ import annotations

from typing import Any

from ..nn.functional import one_hot
from ..tensor import Tensor
from . import constraints
from .constraints import Constraint
from .distribution import Distribution
from .samplers import sample_dirichlet

__all__ = ["Dirichlet"]


class Dirichlet(Distribution):
    """The Dirichlet distribution of concentrations ``concentration`` (last dim: the
    categories). Draws equal PyTorch's after the same seed; ``rsample``'s gradient raises
    NotImplementedError (PyTorch's implicit reparameterization is not implemented).

    >>> Dirichlet(tg.tensor([1.0, 1.0])).log_prob(tg.tensor([0.25, 0.75]))
    tensor(0.)
    """

    has_rsample = True
    _params = ("concentration",)

    def __init__(self, concentration: Tensor, validate_args: bool | None = None) -> None:
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        super().__init__(concentration.shape[:-1], concentration.shape[-1:],
                         validate_args=validate_args)

    @property
    def arg_constraints(self) -> dict[str, Constraint]:
        return {"concentration": constraints.independent(constraints.positive, 1)}

    @property
    def support(self) -> Constraint:
        return constraints.simplex

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """``sample_dirichlet`` of the concentrations expanded to the draw's shape."""
        shape = self._extended_shape(sample_shape)
        return sample_dirichlet(self.concentration.expand(shape))

    def log_prob(self, value: Tensor) -> Tensor:
        """``sum (a_i - 1) log x_i + lgamma(sum a) - sum lgamma(a_i)``."""
        self._validate_sample(value)
        a = self.concentration
        return (a - 1.0).xlogy(value).sum(-1) + a.sum(-1).lgamma() - a.lgamma().sum(-1)

    @property
    def mean(self) -> Tensor:
        """``a / sum a``."""
        return self.concentration / self.concentration.sum(-1, True)

    @property
    def mode(self) -> Tensor:
        """``(a - 1)+ / sum (a - 1)+``; where every ``a < 1``, a vertex (one-hot)."""
        am1 = (self.concentration - 1).clamp(min=0.0)
        mode = am1 / am1.sum(-1, True)
        vertex = one_hot(mode.argmax(dim=-1), am1.shape[-1]).to(mode)
        below = (self.concentration < 1).all(dim=-1, keepdim=True)
        return vertex.where(below, mode)

    @property
    def variance(self) -> Tensor:
        """``a (a0 - a) / (a0^2 (a0 + 1))``, a0 = sum a."""
        a0 = self.concentration.sum(-1, True)
        return self.concentration * (a0 - self.concentration) / (a0.pow(2) * (a0 + 1))

    def entropy(self) -> Tensor:
        """``sum lgamma(a) - lgamma(a0) - (k - a0) digamma(a0) - sum (a - 1) digamma(a)``."""
        a = self.concentration
        k = a.size(-1)
        a0 = a.sum(-1)
        return (a.lgamma().sum(-1) - a0.lgamma() - (k - a0) * a0.digamma()
                - ((a - 1.0) * a.digamma()).sum(-1))
