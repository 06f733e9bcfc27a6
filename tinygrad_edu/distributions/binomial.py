"""``Binomial(total_count, probs=p)`` or ``(..., logits=l)``: the number of successes in
``total_count`` Bernoulli(p) trials. Draws are PyTorch's ``torch.binomial`` (inversion,
or BTRS rejection from ``n p >= 10``; see ``samplers``)."""

from __future__ import annotations

from typing import Any

from ..core.grad_mode import no_grad
from ..tensor import Tensor
from . import constraints
from .constraints import Constraint
from .distribution import Distribution, broadcast_all
from .samplers import binomial
from .utils import lazy_probs_or_logits

__all__ = ["Binomial"]


def _clamp_by_zero(x: Tensor) -> Tensor:
    # max(x, 0) with gradient 1/2 at 0, as PyTorch's
    return (x.clamp(min=0) + x - x.clamp(max=0)) / 2


class Binomial(Distribution):
    """Successes in ``total_count`` trials, each with probability ``probs`` (or
    ``sigmoid(logits)``).

    >>> Binomial(2, probs=tg.tensor(0.5)).log_prob(tg.tensor(1.0))
    tensor(-0.6931)
    """

    _params = ("total_count", "probs", "logits")

    def __init__(self, total_count: Any = 1, probs: Tensor | None = None,
                 logits: Tensor | None = None, validate_args: bool | None = None) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            self.total_count, self.probs = broadcast_all(total_count, probs)
            self.total_count = self.total_count.type_as(self.probs)
            param = self.probs
        else:
            self.total_count, self.logits = broadcast_all(total_count, logits)
            self.total_count = self.total_count.type_as(self.logits)
            param = self.logits
        super().__init__(param.shape, validate_args=validate_args)

    def __getattr__(self, name: str) -> Any:  # (probs from logits, or logits from probs)
        return lazy_probs_or_logits(self, name, is_binary=True)

    @property
    def arg_constraints(self) -> dict[str, Constraint]:
        return {"total_count": constraints.nonnegative_integer,
                "probs": constraints.unit_interval, "logits": constraints.real}

    @property
    def support(self) -> Constraint:
        return constraints.integer_interval(0, self.total_count)

    @property
    def param_shape(self) -> Any:
        """The shape of ``probs`` (or ``logits``)."""
        return self.total_count.shape

    @property
    def mean(self) -> Tensor:
        """``n p``."""
        return self.total_count * self.probs  # type: ignore[no-any-return]

    @property
    def mode(self) -> Tensor:
        """``min(floor((n + 1) p), n)``."""
        return ((self.total_count + 1) * self.probs).floor().clamp(  # type: ignore
            max=self.total_count)

    @property
    def variance(self) -> Tensor:
        """``n p (1 - p)``."""
        return self.total_count * self.probs * (1 - self.probs)  # type: ignore

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """Success counts (floats, as PyTorch's), outside any graph."""
        shape = self._extended_shape(sample_shape)
        with no_grad():
            return binomial(self.total_count.expand(shape), self.probs.expand(shape))

    def log_prob(self, value: Tensor) -> Tensor:
        """``log C(n, k) + k logit - n log(1 + exp(logit))``, written stably."""
        self._validate_sample(value)
        n, logits = self.total_count, self.logits
        log_factorial_n = (n + 1).lgamma()
        log_factorial_k = (value + 1).lgamma()
        log_factorial_nmk = (n - value + 1).lgamma()
        normalize_term = (n * _clamp_by_zero(logits) + n * (-logits.abs()).exp().log1p()
                          - log_factorial_n)
        return value * logits - log_factorial_k - log_factorial_nmk - normalize_term
