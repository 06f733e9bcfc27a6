"""RAdam (``torch.optim.RAdam``): Adam whose adaptive step is rectified, switched off
while the variance estimate is not yet reliable."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .adam import _check_adam_args
from .optimizer import Optimizer, _addcmul_, _decayed, _get_value, _lerp_, _step_tensor, _zeros_like

__all__ = ["RAdam"]


class RAdam(Optimizer):
    """RAdam (Liu et al.). For each parameter p with gradient g, at step t:

        g = g + weight_decay * p          (decoupled_weight_decay: p = p * (1 - lr * wd))
        m = beta1 * m + (1 - beta1) * g,   v = beta2 * v + (1 - beta2) * g^2
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)     length of the moving average
        if rho_t > 5:  p = p - lr * m / (1 - beta1^t) * sqrt(1 - beta2^t) / (sqrt(v) + eps) * r
                       r = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
        else:          p = p - lr * m / (1 - beta1^t)                (SGD with momentum)

    >>> opt = tg.optim.RAdam(model.parameters(), lr=1e-3)
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_adam_args(lr, betas, eps, weight_decay)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "decoupled_weight_decay": decoupled_weight_decay,
            "differentiable": differentiable,
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
                state["exp_avg_sq"] = _zeros_like(p)
            state["step"]._data += 1
            step = _get_value(state["step"])
            if wd != 0:
                if group["decoupled_weight_decay"]:
                    param *= 1 - lr * wd
                else:
                    grad = _decayed(grad, param, wd)
            m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
            _lerp_(m, grad, 1 - beta1)
            v *= beta2
            _addcmul_(v, grad, 1 - beta2)
            bias_correction1 = 1 - beta1**step
            bias_correction2 = 1 - beta2**step
            update = m / bias_correction1
            update *= lr
            rho_inf = 2 / (1 - beta2) - 1
            rho_t = rho_inf - 2 * step * beta2**step / bias_correction2
            if rho_t > 5.0:  # the variance is tractable: rectified adaptive step
                adaptive = np.asanyarray(np.sqrt(v))  # (0-d: a scalar otherwise)
                adaptive += group["eps"]
                # PyTorch's number / tensor is tensor.reciprocal() * number
                np.reciprocal(adaptive, out=adaptive)
                adaptive *= bias_correction2**0.5
                update *= adaptive
                update *= (
                    (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
                ) ** 0.5
            param -= update
