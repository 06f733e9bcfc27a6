"""Stochastic gradient descent, with momentum, Nesterov and weight decay
(``torch.optim.SGD``, the same update, in place)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..tensor import _wrap
from .optimizer import Optimizer, _decayed

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent. For each parameter p with gradient g, step t:

        g = g + weight_decay * p
        b = g (t = 1), else b = momentum * b + (1 - dampening) * g      (if momentum)
        g = g + momentum * b (nesterov), else g = b                    (if momentum)
        p = p - lr * g

    >>> opt = tg.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    >>> opt.zero_grad(); loss_fn(model(X), y).backward(); opt.step()
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            "foreach": foreach,
            "differentiable": differentiable,
            "fused": fused,
        }
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def _update(self, group: dict[str, Any]) -> None:
        lr, wd, momentum = group["lr"], group["weight_decay"], group["momentum"]
        for p, param, grad in self._grads(group):
            fresh = False  # is `grad` a temporary of this step (free to update in place)?
            if wd != 0:  # L2 penalty: d(wd/2 |p|^2)/dp = wd p
                grad, fresh = _decayed(grad, param, wd), True
            if momentum != 0:
                grad, fresh = self._momentum(p, grad, momentum, group)
            if lr == 1:
                np.subtract(param, grad, out=param)
            elif fresh:
                grad *= -lr
                param += grad
            else:
                param += grad * -lr  # PyTorch: p.add_(g, alpha=-lr)

    def _momentum(
        self, p: Any, grad: np.ndarray, momentum: float, group: dict[str, Any]
    ) -> tuple[np.ndarray, bool]:
        """The momentum step, in place on the buffer; returns the direction to step along
        and whether it is a fresh temporary."""
        state = self.state[p]
        buf = state.get("momentum_buffer")
        if buf is None:
            # (a 0-d array, not a scalar; a copy tg.compile records)
            buf = state["momentum_buffer"] = _wrap(np.asanyarray(grad).copy())
        else:
            b = buf._data
            b *= momentum
            dampening = group["dampening"]
            b += grad if dampening == 0 else grad * (1 - dampening)
        if group["nesterov"]:
            ahead = buf._data * momentum
            ahead += grad  # PyTorch: g.add(buf, alpha=momentum)
            return ahead, True
        return buf._data, False
