"""Adagrad (``torch.optim.Adagrad``): a per-coordinate lr shrinking with the sum of the
squared gradients seen so far."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..tensor import _wrap
from .optimizer import Optimizer, _addcdiv_, _addcmul_, _decayed, _get_value, _step_tensor

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad (Duchi et al.). For each parameter p with gradient g, at step t:

        g = g + weight_decay * p
        clr = lr / (1 + (t - 1) * lr_decay)
        sum = sum + g^2                       (starts at initial_accumulator_value)
        p = p - clr * g / (sqrt(sum) + eps)

    The state is created with the optimizer (not at the first step), as in PyTorch.

    >>> opt = tg.optim.Adagrad(model.parameters(), lr=0.01)
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        for name, value in (
            ("learning rate", lr),
            ("lr_decay value", lr_decay),
            ("weight_decay value", weight_decay),
            ("initial_accumulator_value value", initial_accumulator_value),
            ("epsilon value", eps),
        ):
            if not 0.0 <= value:
                raise ValueError(f"Invalid {name}: {value}")
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = _step_tensor()
                state["sum"] = _wrap(np.full_like(p._data, initial_accumulator_value))

    def _update(self, group: dict[str, Any]) -> None:
        lr, wd = group["lr"], group["weight_decay"]
        for p, param, grad in self._grads(group):
            state = self.state[p]
            state["step"]._data += 1
            step = _get_value(state["step"])
            if wd != 0:
                grad = _decayed(grad, param, wd)
            clr = lr / (1 + (step - 1) * group["lr_decay"])
            total = state["sum"]._data
            _addcmul_(total, grad, 1)
            std = np.sqrt(total)
            std += group["eps"]
            _addcdiv_(param, grad, std, -clr)
