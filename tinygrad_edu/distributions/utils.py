"""Conversions between probabilities and logits (``torch.distributions.utils``)."""

from __future__ import annotations

from ..nn.functional import softmax
from ..tensor import Tensor
from ..type_info import finfo

__all__ = ["clamp_probs", "logits_to_probs", "probs_to_logits"]


def clamp_probs(probs: Tensor) -> Tensor:
    """Probabilities kept in [eps, 1 - eps] (eps: the dtype's), so their logs are finite."""
    eps = finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def logits_to_probs(logits: Tensor, is_binary: bool = False) -> Tensor:
    """``sigmoid(logits)`` (binary) or ``softmax`` over the last dim."""
    return logits.sigmoid() if is_binary else softmax(logits, dim=-1)


def probs_to_logits(probs: Tensor, is_binary: bool = False) -> Tensor:
    """``log(p) - log1p(-p)`` (binary) or ``log(p)``, of the clamped probabilities."""
    clamped = clamp_probs(probs)
    return clamped.log() - (-clamped).log1p() if is_binary else clamped.log()
