"""NAdam (``torch.optim.NAdam``): Adam with Nesterov momentum."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..tensor import _wrap
from .adam import _check_adam_args
from .optimizer import (
    Optimizer,
    _addcdiv_,
    _addcmul_,
    _decayed,
    _get_value,
    _lerp_,
    _step_tensor,
    _zeros_like,
)

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """NAdam (Dozat). For each parameter p with gradient g, at step t:

        g = g + weight_decay * p          (decoupled_weight_decay: p = p * (1 - lr * wd))
        mu_t = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))      momentum schedule
        m = beta1 * m + (1 - beta1) * g,   v = beta2 * v + (1 - beta2) * g^2
        denom = sqrt(v / (1 - beta2^t)) + eps
        p = p - lr (1 - mu_t) / (1 - prod mu_1..t) * g / denom
              - lr mu_(t+1) / (1 - prod mu_1..t+1) * m / denom

    >>> opt = tg.optim.NAdam(model.parameters(), lr=2e-3)
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_adam_args(lr, betas, eps, weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum_decay": momentum_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _update(self, group: dict[str, Any]) -> None:
        beta1, beta2 = group["betas"]
        lr, wd, decay = group["lr"], group["weight_decay"], group["momentum_decay"]
        for p, param, grad in self._grads(group):
            state = self.state[p]
            if not state:
                state["step"] = _step_tensor()
                state["mu_product"] = _wrap(np.ones((), dtype=np.float32))
                state["exp_avg"] = _zeros_like(p)
                state["exp_avg_sq"] = _zeros_like(p)
            state["step"]._data += 1
            step = _get_value(state["step"])
            bias_correction2 = 1 - beta2**step
            if wd != 0:
                if group["decoupled_weight_decay"]:
                    param *= 1 - lr * wd
                else:
                    grad = _decayed(grad, param, wd)
            mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * decay))
            mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * decay))
            # the product of the mus is a float32 tensor in PyTorch: rounded at each step
            products = state["mu_product"]._data
            products *= mu  # (NEP 50: mu is rounded to float32 first, as np.float32(mu) is)
            mu_product = _get_value(state["mu_product"])
            mu_product_next = mu_product * mu_next
            m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
            _lerp_(m, grad, 1 - beta1)
            v *= beta2
            _addcmul_(v, grad, 1 - beta2)
            denom = np.asanyarray(v / bias_correction2)  # (0-d: a scalar otherwise)
            np.sqrt(denom, out=denom)
            denom += group["eps"]
            _addcdiv_(param, grad, denom, -lr * (1.0 - mu) / (1.0 - mu_product))
            _addcdiv_(param, m, denom, -lr * mu_next / (1.0 - mu_product_next))
