"""Adadelta (``torch.optim.Adadelta``): steps scaled by the ratio of two running RMS
values, so they carry the parameter's units and need (almost) no learning rate."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .optimizer import Optimizer, _add_scaled_, _addcmul_, _decayed, _step_tensor, _zeros_like

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta (Zeiler 2012). For each parameter p with gradient g, at each step:

        g = g + weight_decay * p
        v = rho * v + (1 - rho) * g^2                     (square_avg)
        delta = sqrt(u + eps) / sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta^2                 (acc_delta)
        p = p - lr * delta

    >>> opt = tg.optim.Adadelta(model.parameters())
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {
            "lr": lr,
            "rho": rho,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "capturable": capturable,
            "foreach": foreach,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _update(self, group: dict[str, Any]) -> None:
        lr, rho, eps, wd = group["lr"], group["rho"], group["eps"], group["weight_decay"]
        for p, param, grad in self._grads(group):
            state = self.state[p]
            if not state:
                state["step"] = _step_tensor()
                state["square_avg"] = _zeros_like(p)
                state["acc_delta"] = _zeros_like(p)
            state["step"]._data += 1
            if wd != 0:
                grad = _decayed(grad, param, wd)
            v, u = state["square_avg"]._data, state["acc_delta"]._data
            v *= rho
            _addcmul_(v, grad, 1 - rho)
            std = np.sqrt(v + eps)
            delta = np.sqrt(u + eps)
            delta /= std
            delta *= grad
            u *= rho
            _addcmul_(u, delta, 1 - rho)
            _add_scaled_(param, delta, -lr)
