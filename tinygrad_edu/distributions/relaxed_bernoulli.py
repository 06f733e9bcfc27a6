"""``RelaxedBernoulli(temperature, probs | logits)``: a differentiable stand-in for a coin
(the binary Concrete / Gumbel-softmax): ``sigmoid`` of a logistic draw shifted by the
logits and divided by the temperature; near 0 or 1 when the temperature is low."""

from __future__ import annotations

from typing import Any

from .. import creation
from ..tensor import Tensor
from . import constraints
from .constraints import Constraint
from .distribution import Distribution, broadcast_all
from .transformed_distribution import TransformedDistribution
from .transforms import SigmoidTransform
from .utils import clamp_probs, given_probs_or_logits, lazy_probs_or_logits

__all__ = ["LogitRelaxedBernoulli", "RelaxedBernoulli"]


class LogitRelaxedBernoulli(Distribution):
    """The logit of a RelaxedBernoulli draw: ``(logit(u) + logits) / temperature``,
    u ~ U(0, 1) (``tg.rand``, PyTorch's stream).

    >>> LogitRelaxedBernoulli(tg.tensor(1.0), probs=0.5).log_prob(tg.tensor(0.0))
    tensor(-1.3863)
    """

    has_rsample = True
    _params = ("probs", "logits")

    def __init__(self, temperature: Tensor, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        self.temperature = temperature
        shape = given_probs_or_logits(self, probs, logits).shape
        super().__init__(shape, validate_args=validate_args)

    def __getattr__(self, name: str) -> Any:  # (probs from logits, or logits from probs)
        return lazy_probs_or_logits(self, name, is_binary=True)

    @property
    def arg_constraints(self) -> dict[str, Constraint]:
        return {"probs": constraints.unit_interval, "logits": constraints.real}

    @property
    def support(self) -> Constraint:
        return constraints.real

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """``(logit(u) + logit(p)) / temperature``, u and p clamped away from 0 and 1."""
        shape = self._extended_shape(sample_shape)
        probs = clamp_probs(self.probs.expand(shape))
        uniforms = clamp_probs(creation.rand(shape, dtype=probs.dtype))
        return (uniforms.log() - (-uniforms).log1p() + probs.log()
                - (-probs).log1p()) / self.temperature

    def log_prob(self, value: Tensor) -> Tensor:
        """``log t + d - 2 log(1 + exp(d))``, d = logits - t x."""
        self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        diff = logits - value.mul(self.temperature)
        return self.temperature.log() + diff - 2 * diff.exp().log1p()


class RelaxedBernoulli(TransformedDistribution):
    """``sigmoid`` of a LogitRelaxedBernoulli draw: values in (0, 1), reparameterized.

    >>> _ = tg.manual_seed(0)
    >>> RelaxedBernoulli(tg.tensor(0.5), probs=tg.tensor(0.3)).rsample().shape
    tinygrad_edu.Size([])
    """

    has_rsample = True
    base_dist: LogitRelaxedBernoulli

    def __init__(self, temperature: Tensor, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        base_dist = LogitRelaxedBernoulli(temperature, probs, logits)
        super().__init__(base_dist, SigmoidTransform(), validate_args=validate_args)

    @property
    def arg_constraints(self) -> dict[str, Constraint]:
        return {"probs": constraints.unit_interval, "logits": constraints.real}

    @property
    def support(self) -> Constraint:
        return constraints.unit_interval

    @property
    def temperature(self) -> Tensor:
        """The base's temperature."""
        return self.base_dist.temperature

    @property
    def logits(self) -> Tensor:
        """The base's logits."""
        return self.base_dist.logits  # type: ignore[no-any-return]

    @property
    def probs(self) -> Tensor:
        """The base's probabilities."""
        return self.base_dist.probs  # type: ignore[no-any-return]
