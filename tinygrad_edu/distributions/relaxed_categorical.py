"""``RelaxedOneHotCategorical(temperature, probs | logits)``: the Gumbel-softmax (Concrete)
distribution, a differentiable stand-in for a one-hot draw: ``softmax((logits + g) / t)``
with g Gumbel noise; one-hot-like when the temperature t is low."""

from __future__ import annotations

from typing import Any

from .. import creation
from ..tensor import Tensor
from . import constraints
from .categorical import Categorical
from .constraints import Constraint
from .distribution import Distribution, broadcast_all
from .transformed_distribution import TransformedDistribution
from .transforms import ExpTransform
from .utils import clamp_probs

__all__ = ["ExpRelaxedCategorical", "RelaxedOneHotCategorical"]


class ExpRelaxedCategorical(Distribution):
    """The log of a RelaxedOneHotCategorical draw: ``log_softmax((logits + g) / t)``,
    g = -log(-log u), u ~ U(0, 1) (``tg.rand``, PyTorch's stream).

    >>> ExpRelaxedCategorical(tg.tensor(1.0), probs=tg.tensor([0.5, 0.5])).event_shape
    tinygrad_edu.Size([2])
    """

    has_rsample = True

    def __init__(self, temperature: Tensor, probs: Tensor | None = None,
                 logits: Tensor | None = None, validate_args: bool | None = None) -> None:
        self._categorical = Categorical(probs, logits)
        self.temperature = temperature
        super().__init__(self._categorical.batch_shape, self._categorical.param_shape[-1:],
                         validate_args=validate_args)

    @property
    def arg_constraints(self) -> dict[str, Constraint]:
        return {"probs": constraints.simplex, "logits": constraints.real_vector}

    @property
    def support(self) -> Constraint:
        return constraints.real_vector  # (the true support is a submanifold of it)

    @property
    def param_shape(self) -> Any:
        """The Categorical's parameter shape."""
        return self._categorical.param_shape

    @property
    def logits(self) -> Tensor:
        """The Categorical's (normalized) logits."""
        return self._categorical.logits  # type: ignore[no-any-return]

    @property
    def probs(self) -> Tensor:
        """The Categorical's (normalized) probabilities."""
        return self._categorical.probs  # type: ignore[no-any-return]

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """``s - logsumexp(s)``, s = (logits + g) / t, g Gumbel(0, 1) noise."""
        shape = self._extended_shape(sample_shape)
        uniforms = clamp_probs(creation.rand(shape, dtype=self.logits.dtype))
        gumbels = -((-(uniforms.log())).log())
        scores = (self.logits + gumbels) / self.temperature
        return scores - scores.logsumexp(dim=-1, keepdim=True)

    def log_prob(self, value: Tensor) -> Tensor:
        """The Concrete density of the log-probabilities ``value``."""
        K = self._categorical._num_events
        self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        log_scale = (creation.full_like(self.temperature, float(K)).lgamma()
                     - self.temperature.log().mul(-(K - 1)))
        score = logits - value.mul(self.temperature)
        score = (score - score.logsumexp(dim=-1, keepdim=True)).sum(-1)
        return score + log_scale


class RelaxedOneHotCategorical(TransformedDistribution):
    """``exp`` of an ExpRelaxedCategorical draw: a point of the simplex, reparameterized.

    >>> _ = tg.manual_seed(0)
    >>> RelaxedOneHotCategorical(tg.tensor(0.5), probs=tg.tensor([0.5, 0.5])).rsample().shape
    tinygrad_edu.Size([2])
    """

    has_rsample = True
    base_dist: ExpRelaxedCategorical

    def __init__(self, temperature: Tensor, probs: Tensor | None = None,
                 logits: Tensor | None = None, validate_args: bool | None = None) -> None:
        base_dist = ExpRelaxedCategorical(temperature, probs, logits,
                                          validate_args=validate_args)
        super().__init__(base_dist, ExpTransform(), validate_args=validate_args)

    @property
    def arg_constraints(self) -> dict[str, Constraint]:
        return {"probs": constraints.simplex, "logits": constraints.real_vector}

    @property
    def support(self) -> Constraint:
        return constraints.simplex

    @property
    def temperature(self) -> Tensor:
        """The base's temperature."""
        return self.base_dist.temperature

    @property
    def logits(self) -> Tensor:
        """The base's logits."""
        return self.base_dist.logits

    @property
    def probs(self) -> Tensor:
        """The base's probabilities."""
        return self.base_dist.probs
