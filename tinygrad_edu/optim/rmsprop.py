"""RMSprop (``torch.optim.RMSprop``: the same update, in place)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .optimizer import Optimizer, _addcmul_, _decayed, _lerp_, _step_tensor, _zeros_like

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop. For each parameter p with gradient g:

        g = g + weight_decay * p
        v = alpha * v + (1 - alpha) * g^2
        avg = sqrt(v - mean_g^2) if centered (mean_g = running mean of g) else sqrt(v)
        b = momentum * b + g / (avg + eps); p = p - lr * b      (if momentum > 0)
        p = p - lr * g / (avg + eps)                            (otherwise)

    >>> opt = tg.optim.RMSprop(model.parameters(), lr=0.01)
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        for value, name in (
            (lr, "learning rate"),
            (eps, "epsilon value"),
            (momentum, "momentum value"),
            (weight_decay, "weight_decay value"),
            (alpha, "alpha value"),
        ):
            if not 0.0 <= value:
                raise ValueError(f"Invalid {name}: {value}")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "capturable": capturable,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _update(self, group: dict[str, Any]) -> None:
        lr, alpha, wd, momentum = (
            group["lr"],
            group["alpha"],
            group["weight_decay"],
            group["momentum"],
        )
        for p, param, grad in self._grads(group):
            state = self.state[p]
            if not state:
                self._init_state(state, p, group)
            state["step"]._data += 1
            if wd != 0:
                grad = _decayed(grad, param, wd)
            v = state["square_avg"]._data
            v *= alpha
            _addcmul_(v, grad, 1 - alpha)
            if group["centered"]:
                mean_g = state["grad_avg"]._data
                _lerp_(mean_g, grad, 1 - alpha)
                avg = np.asanyarray(mean_g * mean_g)  # v.addcmul(mean_g, mean_g, value=-1).sqrt_()
                np.subtract(v, avg, out=avg)
                np.sqrt(avg, out=avg)
            else:
                avg = np.asanyarray(np.sqrt(v))  # (0-d: a scalar otherwise)
            avg += group["eps"]
            # avg is this step's own array: the quotient and the step reuse it
            if momentum > 0:
                buf = state["momentum_buffer"]._data
                buf *= momentum
                buf += np.divide(grad, avg, out=avg)  # buf.addcdiv_(g, avg)
                np.multiply(buf, -lr, out=avg)
                param += avg  # p.add_(buf, alpha=-lr)
            else:
                param += np.divide(grad * -lr, avg, out=avg)  # p.addcdiv_(g, avg, value=-lr)

    @staticmethod
    def _init_state(state: dict[str, Any], p: Any, group: dict[str, Any]) -> None:
        state["step"] = _step_tensor()
        state["square_avg"] = _zeros_like(p)
        if group["momentum"] > 0:
            state["momentum_buffer"] = _zeros_like(p)
        if group["centered"]:
            state["grad_avg"] = _zeros_like(p)
