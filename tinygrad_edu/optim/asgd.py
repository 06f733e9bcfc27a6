"""ASGD (``torch.optim.ASGD``): SGD with a decaying step size that also keeps a running
average of the parameters (``state["ax"]``), the averaged iterate of Polyak and Juditsky."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..tensor import _wrap
from .optimizer import Optimizer, _add_scaled_, _decayed, _get_value, _step_tensor, _zeros_like

__all__ = ["ASGD"]


class ASGD(Optimizer):
    """Averaged SGD. For each parameter p with gradient g, at step t:

        g = g + weight_decay * p
        p = p * (1 - lambd * eta) - eta * g               (eta starts at lr)
        ax = p if mu == 1 else ax + mu * (p - ax)         (the average, from step t0 on)
        eta = lr / (1 + lambd * lr * t)^alpha,   mu = 1 / max(1, t - t0)

    eta and mu are float32 0-d tensors in the state, as in PyTorch.

    >>> opt = tg.optim.ASGD(model.parameters(), lr=0.01, t0=100)
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {
            "lr": lr,
            "lambd": lambd,
            "alpha": alpha,
            "t0": t0,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def _update(self, group: dict[str, Any]) -> None:
        lr, lambd, wd = group["lr"], group["lambd"], group["weight_decay"]
        for p, param, grad in self._grads(group):
            state = self.state[p]
            if not state:
                state["step"] = _step_tensor()
                state["eta"] = _wrap(np.array(lr, dtype=np.float32))
                state["mu"] = _wrap(np.ones((), dtype=np.float32))
                state["ax"] = _zeros_like(p)
            state["step"]._data += 1
            step = _get_value(state["step"])
            if wd != 0:
                grad = _decayed(grad, param, wd)
            eta = _get_value(state["eta"])
            param *= 1 - lambd * eta
            _add_scaled_(param, grad, -eta)
            ax, mu = state["ax"]._data, state["mu"]._data
            if _get_value(state["mu"]) != 1:
                moved = param - ax
                moved *= mu.astype(param.dtype)
                ax += moved
            else:
                ax[...] = param
            state["eta"]._data[...] = lr / ((1 + lambd * lr * step) ** group["alpha"])
            state["mu"]._data[...] = 1 / max(1, step - group["t0"])
