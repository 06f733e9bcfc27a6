"""``kl_divergence(p, q)``: KL(p || q) in closed form, for the pairs of distributions that
have one (a VAE's ``kl_divergence(posterior, prior)`` of two Normals)."""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from .categorical import Categorical
from .normal import Normal

__all__ = ["kl_divergence"]


def _normal_normal(p: Normal, q: Normal) -> Tensor:
    # 1/2 (s_p^2 / s_q^2 + (m_p - m_q)^2 / s_q^2 - 1 - log(s_p^2 / s_q^2))
    var_ratio = (p.scale / q.scale).pow(2)
    t1 = ((p.loc - q.loc) / q.scale).pow(2)
    return 0.5 * (var_ratio + t1 - 1 - var_ratio.log())


def _categorical_categorical(p: Categorical, q: Categorical) -> Tensor:
    # sum p (log p - log q): inf where q has no mass and p has, 0 where p has none
    t = p.probs * (p.logits - q.logits)
    t = t.masked_fill((q.probs == 0).expand_as(t), float("inf"))
    t = t.masked_fill((p.probs == 0).expand_as(t), 0.0)
    return t.sum(-1)  # type: ignore[no-any-return]


_KL: dict[tuple[type, type], Any] = {(Normal, Normal): _normal_normal,
                                     (Categorical, Categorical): _categorical_categorical}


def kl_divergence(p: Any, q: Any) -> Tensor:
    """KL(p || q) = E_p[log p(x) - log q(x)], one value per distribution of the batch.

    >>> kl_divergence(Normal(0.0, 1.0), Normal(1.0, 1.0))
    tensor(0.5000)
    """
    rule = _KL.get((type(p), type(q)))
    if rule is None:
        raise NotImplementedError(f"No KL(p || q) is implemented for p type "
                                  f"{type(p).__name__} and q type {type(q).__name__}")
    return rule(p, q)  # type: ignore[no-any-return]
