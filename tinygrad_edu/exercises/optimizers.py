"""Exercises on optimizer steps: SGD with momentum and Adam, each a ``StepExercise``
checked step by step against ``tinygrad_edu.optim`` (SGD bit for bit)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..optim import SGD, Adam
from .exercise import StepExercise

__all__ = ["EXERCISES"]


def sgd_momentum_solution(param: np.ndarray, grad: np.ndarray, state: dict[str, Any], *,
                          lr: float, momentum: float) -> np.ndarray:
    buf = state.get("momentum_buffer")
    if buf is None:
        buf = grad.copy()  # the first step: the buffer starts as the gradient itself
    else:
        buf = momentum * buf + grad  # a decaying sum of the past gradients
    state["momentum_buffer"] = buf
    return param - lr * buf


def sgd_momentum_broken(param: np.ndarray, grad: np.ndarray, state: dict[str, Any], *,
                        lr: float, momentum: float) -> np.ndarray:
    buf = state.get("momentum_buffer", np.zeros_like(grad))
    buf = momentum * buf + (1 - momentum) * grad
    state["momentum_buffer"] = buf
    return param - lr * buf


SGD_MOMENTUM = StepExercise(
    name="sgd_momentum", title="one step of SGD with momentum (as torch.optim.SGD)",
    solution=sgd_momentum_solution, broken=sgd_momentum_broken,
    optimizer=lambda params, **hyper: SGD(params, **hyper),
    cases=(((3, 4), {"lr": 0.1, "momentum": 0.9}), ((5,), {"lr": 0.5, "momentum": 0.5}),
           ((), {"lr": 0.01, "momentum": 0.99})),
    rtol=0.0, atol=0.0,
    task="""the update, for step t = 1, 2, ...:
          buf = grad                         at t = 1
          buf = momentum * buf + grad        after
          param = param - lr * buf
return:   the new param. Keep buf between steps in state (a dict, empty at step 1).
The check is bit for bit against tinygrad_edu.optim.SGD: compute exactly these formulas.""",
    hints=(
        "state is yours: state['momentum_buffer'] = buf keeps buf for the next call.",
        "PyTorch's buffer is a sum, not an average: buf = momentum * buf + grad, with no "
        "(1 - momentum) factor; and at the first step buf = grad.",
    ),
    bug="it uses the moving-average form, momentum * buf + (1 - momentum) * grad, "
        "starting from zero: not PyTorch's SGD.",
)


def adam_solution(param: np.ndarray, grad: np.ndarray, state: dict[str, Any], *,
                  lr: float, betas: tuple[float, float], eps: float) -> np.ndarray:
    beta1, beta2 = betas
    if not state:  # the first step: both moments start at zero
        state.update(step=0, m=np.zeros_like(param), v=np.zeros_like(param))
    state["step"] += 1
    t = state["step"]
    m = state["m"] = beta1 * state["m"] + (1 - beta1) * grad  # mean of the gradients
    v = state["v"] = beta2 * state["v"] + (1 - beta2) * grad**2  # mean of their squares
    m_hat = m / (1 - beta1**t)  # bias correction: m and v started at 0, too small early
    v_hat = v / (1 - beta2**t)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps)


def adam_broken(param: np.ndarray, grad: np.ndarray, state: dict[str, Any], *,
                lr: float, betas: tuple[float, float], eps: float) -> np.ndarray:
    beta1, beta2 = betas
    if not state:
        state.update(step=0, m=np.zeros_like(param), v=np.zeros_like(param))
    state["step"] += 1
    t = state["step"]
    m = state["m"] = beta1 * state["m"] + (1 - beta1) * grad
    v = state["v"] = beta2 * state["v"] + (1 - beta2) * grad**2
    m_hat = m / (1 - beta1**t)
    return param - lr * m_hat / (np.sqrt(v) + eps)


ADAM = StepExercise(
    name="adam", title="one step of Adam (as torch.optim.Adam)",
    solution=adam_solution, broken=adam_broken,
    optimizer=lambda params, **hyper: Adam(params, **hyper),
    cases=(((3, 4), {"lr": 0.01, "betas": (0.9, 0.999), "eps": 1e-8}),
           ((5,), {"lr": 0.1, "betas": (0.8, 0.99), "eps": 1e-6}),
           ((), {"lr": 0.001, "betas": (0.9, 0.999), "eps": 1e-8})),
    rtol=1e-10, atol=1e-12,
    task="""the update, for step t = 1, 2, ... (m and v start at zero):
          m = beta1 * m + (1 - beta1) * grad
          v = beta2 * v + (1 - beta2) * grad**2
          m_hat = m / (1 - beta1**t);  v_hat = v / (1 - beta2**t)
          param = param - lr * m_hat / (sqrt(v_hat) + eps)
return:   the new param. Keep t, m and v between steps in state (a dict, empty at step 1).
Checked against tinygrad_edu.optim.Adam to 1e-10 (PyTorch rounds in another order).""",
    hints=(
        "Initialise state on the first call (it is empty): step 0, m and v zeros like "
        "param. Count the step before using it: t starts at 1.",
        "Both moments need their bias correction, 1 - beta**t; eps is added after the "
        "square root.",
    ),
    bug="v is used without its bias correction (v_hat = v / (1 - beta2**t) is missing).",
)


EXERCISES = (SGD_MOMENTUM, ADAM)
