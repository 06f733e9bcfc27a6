"""Adafactor (``torch.optim.Adafactor``): Adam's second moment in sublinear memory."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..ops.reduce import vector_pnorm
from ..parity.torch_sum import torch_mean
from ..tensor import Tensor, _wrap
from .optimizer import Optimizer, _add_scaled_, _get_value, _lerp_, _step_tensor

__all__ = ["Adafactor"]


class Adafactor(Optimizer):
    """Adafactor (Shazeer & Stern, 2018), as PyTorch writes it. For each parameter p with
    gradient G, at step t:

        beta2_t = 1 - t^beta2_decay,     rho_t = min(lr, 1 / sqrt(t))
        alpha_t = max(eps2, RMS(p)) * rho_t                (RMS(x) = ||x|| / sqrt(numel))
        p = p * (1 - lr * weight_decay)
        matrices (the last two dims, factored):  R = beta2_t R + (1 - beta2_t) mean_cols(G^2)
                                                  C = beta2_t C + (1 - beta2_t) mean_rows(G^2)
                                                  V = R C / max(mean(R), eps1)
        vectors:                                  V = beta2_t V + (1 - beta2_t) G^2
        U = G / sqrt(max(V, eps1^2)),   p = p - alpha_t U / max(1, RMS(U) / d)

    Only the row and column means R and C are kept for a matrix, not a full V. ``eps1``
    defaults to the parameter dtype's machine epsilon.

    >>> opt = tg.optim.Adafactor(model.parameters(), lr=1e-2)
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float | Tensor = 1e-2,
        beta2_decay: float = -0.8,
        eps: tuple[float | None, float] = (None, 1e-3),
        d: float = 1.0,
        weight_decay: float = 0.0,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = {
            "lr": lr,
            "beta2_decay": beta2_decay,
            "eps": eps,
            "d": d,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _update(self, group: dict[str, Any]) -> None:
        lr, wd = float(group["lr"]), group["weight_decay"]
        eps1, eps2 = group["eps"]
        for p in group["params"]:
            if p._grad is not None and p._data.dtype.kind == "c":
                raise RuntimeError("Adafactor does not support complex parameters")
        for p, param, grad in self._grads(group):
            state = self.state[p]
            if not state:
                _init_state(state, grad)
            if eps1 is None:  # (the first parameter's dtype sets it for the group, as torch)
                eps1 = float(np.finfo(param.dtype).eps)
            state["step"]._data += 1
            step = _get_value(state["step"])
            one_minus_beta2_t = step ** group["beta2_decay"]
            rho_t = min(lr, 1 / (step**0.5))
            alpha = max(eps2, _rms(param)) * rho_t
            if wd != 0:
                param *= 1 - lr * wd  # decoupled decay, scaled by lr
            if grad.ndim > 1:
                var_estimate = _factored_variance(state, grad, one_minus_beta2_t, eps1)
            else:
                variance = state["variance"]._data
                _lerp_(variance, grad * grad, one_minus_beta2_t)
                var_estimate = variance.copy()
            # eps1 squared: the square root comes after
            update = np.maximum(var_estimate, np.asarray(eps1 * eps1, var_estimate.dtype))
            update = 1 / np.sqrt(update)
            update *= grad
            denom = max(1.0, _rms(update) / group["d"])
            _add_scaled_(param, update, -alpha / denom)


def _init_state(state: dict[str, Any], grad: np.ndarray) -> None:
    """The step, and the row and column factors of a matrix (or a vector's variance)."""
    state["step"] = _step_tensor()
    if grad.ndim > 1:
        state["row_var"] = _wrap(np.zeros(grad.shape[:-1] + (1,), grad.dtype))
        state["col_var"] = _wrap(np.zeros(grad.shape[:-2] + (1, grad.shape[-1]), grad.dtype))
    else:
        state["variance"] = _wrap(np.zeros_like(grad))


def _rms(x: np.ndarray) -> float:
    """||x|| / sqrt(numel), as a Python float (``x.norm(2).item() / x.numel() ** 0.5``)."""
    return float(vector_pnorm(x, 2, None, False)) / (x.size**0.5)


def _factored_variance(
    state: dict[str, Any], grad: np.ndarray, weight: float, eps1: float
) -> np.ndarray:
    """Move the row and column means of G^2 into R and C; V = R C / max(mean(R), eps1)."""
    row_var, col_var = state["row_var"]._data, state["col_var"]._data
    # (g * g).mean(dim) as ||g||^2 / n: no g-sized temporary
    row_mean = vector_pnorm(grad, 2, (grad.ndim - 1,), True)
    row_mean *= row_mean
    row_mean /= grad.shape[-1]
    _lerp_(row_var, row_mean, weight)
    col_mean = vector_pnorm(grad, 2, (grad.ndim - 2,), True)
    col_mean *= col_mean
    col_mean /= grad.shape[-2]
    _lerp_(col_var, col_mean, weight)
    var_estimate = np.matmul(row_var, col_var)  # (.., m, 1) @ (.., 1, n): an outer product
    row_var_mean = torch_mean(row_var, grad.ndim - 2, True)
    var_estimate /= np.maximum(row_var_mean, np.asarray(eps1, row_var.dtype))
    return var_estimate
