"""Adam and AdamW (``torch.optim.Adam`` / ``AdamW``: the same update, in place)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .optimizer import Optimizer, _addcmul_, _decayed, _get_value, _lerp_, _step_tensor, _zeros_like

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """Adam. For each parameter p with gradient g, at step t:

        g = g + weight_decay * p          (AdamW instead: p = p * (1 - lr * weight_decay))
        m = beta1 * m + (1 - beta1) * g               first moment
        v = beta2 * v + (1 - beta2) * g^2             second moment
        p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

    ``amsgrad=True`` uses the running maximum of v instead of v.

    >>> opt = tg.optim.Adam(model.parameters(), lr=1e-3)
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        _check_adam_args(lr, betas, eps, weight_decay)
        defaults = {
            "lr": lr,
            "betas": tuple(betas),
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
            "fused": fused,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def _update(self, group: dict[str, Any]) -> None:
        beta1, beta2 = group["betas"]
        lr, wd = group["lr"], group["weight_decay"]
        for p, param, grad in self._grads(group):
            state = self.state[p]
            if not state:
                self._init_state(state, p, group["amsgrad"])
            state["step"]._data += 1
            if wd != 0:
                if group["decoupled_weight_decay"]:
                    param *= 1 - lr * wd  # AdamW: decay the weights directly
                else:
                    grad = _decayed(grad, param, wd)
            m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
            _lerp_(m, grad, 1 - beta1)
            v *= beta2
            _addcmul_(v, grad, 1 - beta2)
            step = _get_value(state["step"])
            if group["amsgrad"]:
                vmax = state["max_exp_avg_sq"]._data
                np.maximum(vmax, v, out=vmax)
                v = vmax
            denom = np.sqrt(v)
            denom /= (1 - beta2**step) ** 0.5
            denom += group["eps"]
            step_size = lr / (1 - beta1**step)
            update = m * -step_size
            update /= denom
            param += update  # p.addcdiv_(m, denom, value=-step_size)

    @staticmethod
    def _init_state(state: dict[str, Any], p: Any, amsgrad: bool) -> None:
        state["step"] = _step_tensor()
        state["exp_avg"] = _zeros_like(p)
        state["exp_avg_sq"] = _zeros_like(p)
        if amsgrad:
            state["max_exp_avg_sq"] = _zeros_like(p)


def _check_adam_args(
    lr: float, betas: tuple[float, float], eps: float, weight_decay: float
) -> None:
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    if not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter): the weights shrink by
    ``p = p * (1 - lr * weight_decay)`` before the Adam step, instead of the decay being
    added to the gradient. Default ``weight_decay=1e-2``.

    >>> opt = tg.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            foreach=foreach,
            maximize=maximize,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=True,
        )
