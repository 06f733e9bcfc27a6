"""``Categorical(probs=p)`` or ``Categorical(logits=l)``: one of K categories, category k
with probability ``p[k]`` (``softmax(l)[k]``), along the last dim."""

from __future__ import annotations

from typing import Any

from .. import creation
from ..core.grad_mode import no_grad
from ..functional import broadcast_tensors
from ..tensor import Tensor
from ..type_info import finfo
from . import constraints
from .constraints import Constraint
from .distribution import Distribution
from .utils import lazy_probs_or_logits

__all__ = ["Categorical"]


class Categorical(Distribution):
    """A K-sided die: ``probs`` (normalized to sum to 1) or ``logits`` (normalized by
    ``logsumexp``) along the last dim; the other dims are a batch of dice. Draws are
    ``tg.multinomial``'s: the same as PyTorch's after the same seed.

    >>> _ = tg.manual_seed(0)
    >>> Categorical(probs=tg.tensor([0.25, 0.75])).log_prob(tg.tensor(1))
    tensor(-0.2877)
    """

    _params = ("probs", "logits")

    def __init__(self, probs: Tensor | None = None, logits: Tensor | None = None,
                 validate_args: bool | None = None) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            if probs.dim() < 1:
                raise ValueError("`probs` parameter must be at least one-dimensional.")
            self.probs = probs / probs.sum(-1, keepdim=True)
            param = self.probs
        else:
            assert logits is not None
            if logits.dim() < 1:
                raise ValueError("`logits` parameter must be at least one-dimensional.")
            self.logits = logits - logits.logsumexp(dim=-1, keepdim=True)
            param = self.logits
        self._num_events = param.size()[-1]
        super().__init__(param.shape[:-1], validate_args=validate_args)

    def __getattr__(self, name: str) -> Any:  # (probs from logits, or logits from probs)
        return lazy_probs_or_logits(self, name, is_binary=False)

    @property
    def arg_constraints(self) -> dict[str, Constraint]:
        return {"probs": constraints.simplex, "logits": constraints.real_vector}

    @property
    def support(self) -> Constraint:
        return constraints.integer_interval(0, self._num_events - 1)

    @property
    def param_shape(self) -> Any:
        """The shape of ``probs`` (batch shape + (K,))."""
        return (self.__dict__["probs"] if "probs" in self.__dict__
                else self.__dict__["logits"]).shape

    @property
    def mode(self) -> Tensor:
        """The most likely category (the first of equals).

        >>> Categorical(tg.tensor([0.2, 0.5, 0.3])).mode
        tensor(1)
        """
        return self.probs.argmax(dim=-1)  # type: ignore[no-any-return]

    @property
    def mean(self) -> Tensor:
        """Undefined for categories: NaN (as PyTorch)."""
        return creation.full(self._extended_shape(), float("nan"), dtype=self.probs.dtype)

    @property
    def variance(self) -> Tensor:
        """Undefined for categories: NaN (as PyTorch)."""
        return creation.full(self._extended_shape(), float("nan"), dtype=self.probs.dtype)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """Category indices of shape ``sample_shape + batch_shape`` (int64): one
        ``multinomial`` draw with replacement per die, as PyTorch's."""
        shape = tuple(sample_shape)
        count = 1
        for n in shape:
            count *= n
        with no_grad():
            probs_2d = self.probs.reshape(-1, self._num_events)
            samples_2d = creation.multinomial(probs_2d, count, True).T
        return samples_2d.reshape(self._extended_shape(shape))

    def log_prob(self, value: Tensor) -> Tensor:
        """``log p[value]``: the log-probability of each category index in ``value``."""
        self._validate_sample(value)
        value, log_pmf = broadcast_tensors(value.long().unsqueeze(-1), self.logits)
        return log_pmf.gather(-1, value[..., :1]).squeeze(-1)

    def entropy(self) -> Tensor:
        """``-sum p log p`` over the categories."""
        logits = self.logits.clamp(min=finfo(self.logits.dtype).min)
        return -(logits * self.probs).sum(-1)
