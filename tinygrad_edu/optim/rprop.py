"""Rprop (``torch.optim.Rprop``): each coordinate moves by its own step size, which grows
while the gradient keeps its sign and shrinks when it flips; the gradient's size is
ignored."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..tensor import _wrap
from .optimizer import Optimizer, _step_tensor, _zeros_like

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """Resilient backpropagation (Riedmiller & Braun 1993). For each coordinate, with
    s = sign(g * g_prev):

        step_size = clamp(step_size * (etaplus if s > 0, etaminus if s < 0, else 1),
                          *step_sizes)                    (starts at lr)
        g = 0 where s < 0                                 (skip the step after a flip)
        p = p - sign(g) * step_size,   g_prev = g

    >>> opt = tg.optim.Rprop(model.parameters(), lr=0.01)
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {
            "lr": lr,
            "etas": etas,
            "step_sizes": step_sizes,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def _update(self, group: dict[str, Any]) -> None:
        etaminus, etaplus = group["etas"]
        step_size_min, step_size_max = group["step_sizes"]
        for p, param, grad in self._grads(group):
            state = self.state[p]
            if not state:
                state["step"] = _step_tensor()
                state["prev"] = _zeros_like(p)
                state["step_size"] = _wrap(np.full_like(grad, group["lr"]))
            state["step"]._data += 1
            prev, step_size = state["prev"]._data, state["step_size"]._data
            sign = np.asanyarray(np.sign(grad * prev))  # (0-d: a scalar otherwise)
            # the factors in the parameter's dtype, as PyTorch's sign tensor holds them
            minus = sign < 0
            sign[sign > 0] = etaplus
            sign[minus] = etaminus
            sign[sign == 0] = 1
            step_size *= sign
            np.clip(step_size, step_size_min, step_size_max, out=step_size)
            grad = np.asanyarray(grad).copy()
            grad[sign == sign.dtype.type(etaminus)] = 0
            param -= np.sign(grad) * step_size  # p.addcmul_(g.sign(), step_size, value=-1)
            prev[...] = grad
