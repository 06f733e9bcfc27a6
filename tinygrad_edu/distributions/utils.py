"""Conversions between probabilities and logits (``torch.distributions.utils``)."""

from __future__ import annotations

from typing import Any

from ..core.grad_mode import enable_grad
from ..nn.functional import softmax
from ..tensor import Tensor
from ..type_info import finfo
from .distribution import broadcast_all

__all__ = ["clamp_probs", "clipped_sigmoid", "lazy_probs_or_logits", "logits_to_probs",
           "probs_to_logits", "sum_rightmost"]


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


def sum_rightmost(value: Tensor, dim: int) -> Tensor:
    """``value`` summed over its ``dim`` right-most dims (event dims of a log-density)."""
    if dim == 0:
        return value
    return value.reshape(tuple(value.shape[:-dim]) + (-1,)).sum(-1)


def clipped_sigmoid(x: Tensor) -> Tensor:
    """``sigmoid(x)`` kept in [tiny, 1 - eps] (the dtype's), so its logit is finite."""
    info = finfo(x.dtype)
    return x.sigmoid().clamp(min=info.tiny, max=1.0 - info.eps)


def given_probs_or_logits(dist: Any, probs: Any, logits: Any) -> Tensor:
    """The one of ``probs`` / ``logits`` a binary distribution was given (PyTorch's
    ValueError unless exactly one), as a tensor, stored on ``dist`` under its name; the
    other is made from it when first read (``lazy_probs_or_logits``)."""
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")
    name, value = ("probs", probs) if probs is not None else ("logits", logits)
    (param,) = broadcast_all(value)
    dist.__dict__[name] = param
    return param


def lazy_probs_or_logits(dist: Any, name: str, is_binary: bool) -> Tensor:
    """The parameter ``name`` ("probs" or "logits") that ``dist`` was not given, made from
    the other when first read and kept (on the graph even inside sample's no_grad: later
    log_probs differentiate it)."""
    with enable_grad():
        if name == "probs":
            value = logits_to_probs(dist.__dict__["logits"], is_binary)
        elif name == "logits":
            value = probs_to_logits(dist.__dict__["probs"], is_binary)
        else:
            raise AttributeError(f"'{type(dist).__name__}' object has no attribute '{name}'")
    dist.__dict__[name] = value
    return value
