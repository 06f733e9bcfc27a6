"""Adamax (``torch.optim.Adamax``): Adam with the infinity norm in place of the RMS."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .adam import _check_adam_args
from .optimizer import Optimizer, _addcdiv_, _decayed, _get_value, _lerp_, _step_tensor, _zeros_like

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adamax (Kingma & Ba, section 7). For each parameter p with gradient g, at step t:

        g = g + weight_decay * p
        m = beta1 * m + (1 - beta1) * g                   (exp_avg)
        u = max(beta2 * u, |g| + eps)                      (exp_inf)
        p = p - lr / (1 - beta1^t) * m / u

    >>> opt = tg.optim.Adamax(model.parameters(), lr=2e-3)
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        _check_adam_args(lr, betas, eps, weight_decay)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def _update(self, group: dict[str, Any]) -> None:
        beta1, beta2 = group["betas"]
        lr, wd = group["lr"], group["weight_decay"]
        for p, param, grad in self._grads(group):
            state = self.state[p]
            if not state:
                state["step"] = _step_tensor()
                state["exp_avg"] = _zeros_like(p)
                state["exp_inf"] = _zeros_like(p)
            state["step"]._data += 1
            step = _get_value(state["step"])
            if wd != 0:
                grad = _decayed(grad, param, wd)
            m, u = state["exp_avg"]._data, state["exp_inf"]._data
            _lerp_(m, grad, 1 - beta1)
            u *= beta2
            norm = np.abs(grad)
            norm += group["eps"]
            np.maximum(u, norm, out=u)
            _addcdiv_(param, m, u, -lr / (1 - beta1**step))
