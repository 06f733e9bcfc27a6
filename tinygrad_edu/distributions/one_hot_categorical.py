"""``OneHotCategorical(probs=p)`` or ``(logits=l)``: a Categorical whose draws are one-hot
vectors (event shape ``(K,)``) instead of indices."""

from __future__ import annotations

from typing import Any

from ..nn.functional import one_hot
from ..tensor import Size, Tensor
from . import constraints
from .categorical import Categorical
from .constraints import Constraint
from .distribution import Distribution

__all__ = ["OneHotCategorical"]


class OneHotCategorical(Distribution):
    """A K-sided die whose face is shown as a one-hot vector; draws are the Categorical's
    (PyTorch's after the same seed), one-hot encoded.

    >>> OneHotCategorical(probs=tg.tensor([0.25, 0.75])).log_prob(tg.tensor([0.0, 1.0]))
    tensor(-0.2877)
    """

    def __init__(self, probs: Tensor | None = None, logits: Tensor | None = None,
                 validate_args: bool | None = None) -> None:
        self._categorical = Categorical(probs, logits)
        super().__init__(self._categorical.batch_shape, self._categorical.param_shape[-1:],
                         validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Distribution:
        """The inner Categorical expanded to ``batch_shape``."""
        new = super().expand(batch_shape, _instance)
        assert isinstance(new, OneHotCategorical)
        new._categorical = self._categorical.expand(Size(batch_shape))  # type: ignore
        return new

    @property
    def arg_constraints(self) -> dict[str, Constraint]:
        return {"probs": constraints.simplex, "logits": constraints.real_vector}

    @property
    def support(self) -> Constraint:
        return constraints.one_hot

    @property
    def probs(self) -> Tensor:
        """The Categorical's (normalized) probabilities."""
        return self._categorical.probs  # type: ignore[no-any-return]

    @property
    def logits(self) -> Tensor:
        """The Categorical's (normalized) logits."""
        return self._categorical.logits  # type: ignore[no-any-return]

    @property
    def param_shape(self) -> Any:
        """The shape of ``probs``."""
        return self._categorical.param_shape

    @property
    def mean(self) -> Tensor:
        """``probs``."""
        return self.probs

    @property
    def mode(self) -> Tensor:
        """The one-hot vector of the most likely category."""
        probs = self.probs
        return one_hot(probs.argmax(dim=-1), num_classes=probs.shape[-1]).to(probs)

    @property
    def variance(self) -> Tensor:
        """``p (1 - p)``."""
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """One-hot vectors of the Categorical's draws, in the dtype of ``probs``."""
        indices = self._categorical.sample(Size(sample_shape))
        return one_hot(indices, self._categorical._num_events).to(self.probs)

    def log_prob(self, value: Tensor) -> Tensor:
        """The Categorical's log-probability of the hot index."""
        self._validate_sample(value)
        return self._categorical.log_prob(value.max(-1)[1])

    def entropy(self) -> Tensor:
        """The Categorical's entropy."""
        return self._categorical.entropy()
