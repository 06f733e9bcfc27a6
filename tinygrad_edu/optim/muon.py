"""Muon (``torch.optim.Muon``): momentum, orthogonalized by Newton-Schulz iterations."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..core.grad_mode import no_grad
from ..ops.reduce import lerp
from ..parity.fma import fma
from ..tensor import Tensor, _wrap
from .optimizer import Optimizer, _zeros_like

__all__ = ["Muon"]

# Keller Jordan's coefficients and defaults (kellerjordan.github.io/posts/muon), as torch's
EPS = 1e-7
DEFAULT_A = 3.4445
DEFAULT_B = -4.7750
DEFAULT_C = 2.0315
DEFAULT_NS_STEPS = 5


class Muon(Optimizer):
    """Muon, for the 2-D weights of hidden layers (biases and embeddings want AdamW).
    For each parameter p (an A x B matrix) with gradient g:

        m = mu m + (1 - mu) g                      (m.lerp_(g, 1 - mu))
        u = g + mu (m - g) if nesterov else m      (g.lerp(m, mu))
        O = NS(u)          ~ the orthogonal factor U V^T of u = U S V^T, by ns_steps of
                           X = a X + (b G + c G^2) X, G = X X^T, from X = u / ||u||, in bfloat16
        p = p * (1 - lr * weight_decay) - lr' O

    with lr' = lr * sqrt(max(1, A / B)) (``adjust_lr_fn="original"``, the default) or
    0.2 * lr * sqrt(max(A, B)) (``"match_rms_adamw"``: the update's RMS then matches AdamW's).

    >>> opt = tg.optim.Muon([p for p in model.parameters() if p.ndim == 2], lr=0.02)
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        weight_decay: float = 0.1,
        momentum: float = 0.95,
        nesterov: bool = True,
        ns_coefficients: tuple[float, float, float] = (DEFAULT_A, DEFAULT_B, DEFAULT_C),
        eps: float = EPS,
        ns_steps: int = DEFAULT_NS_STEPS,
        adjust_lr_fn: str | None = None,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 <= momentum:
            raise ValueError(f"momentum should be >= 0 but is: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight decay should be >= 0 but is: {weight_decay}")
        if adjust_lr_fn is not None and adjust_lr_fn not in ["original", "match_rms_adamw"]:
            raise ValueError(f"Adjust learning rate function {adjust_lr_fn} is not supported")
        defaults = {
            "lr": lr,
            "weight_decay": weight_decay,
            "momentum": momentum,
            "nesterov": nesterov,
            "ns_coefficients": ns_coefficients,
            "eps": eps,
            "ns_steps": ns_steps,
            "adjust_lr_fn": adjust_lr_fn,
        }
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                if p.ndim != 2:
                    raise ValueError("Muon only supports 2D parameters whereas we found a "
                                     f"parameter with size: {p.size()}")

    def _update(self, group: dict[str, Any]) -> None:
        lr, wd, momentum = float(group["lr"]), group["weight_decay"], group["momentum"]
        for p in group["params"]:
            if p._grad is not None and p._data.dtype.kind == "c":
                raise RuntimeError("Muon does not support complex parameters")
        for p, param, grad in self._grads(group):
            state = self.state[p]
            if "momentum_buffer" not in state:
                state["momentum_buffer"] = _zeros_like(p)
            # PyTorch's exact lerp and fused add (not optimizer.py's cheaper forms): a last
            # bit off in the momentum can flip a bfloat16 rounding in Newton-Schulz, which
            # moves the update by 2**-8; next to the matrix products their cost is small.
            buf = state["momentum_buffer"]._data
            buf[...] = lerp(buf, grad, np.asarray(1 - momentum, buf.dtype))
            if group["nesterov"]:
                update = lerp(grad, buf, np.asarray(momentum, buf.dtype))
            else:
                update = buf
            ortho = _zeropower_via_newtonschulz(
                _wrap(update), group["ns_coefficients"], group["ns_steps"], group["eps"])
            adjusted_lr = _adjust_lr(lr, group["adjust_lr_fn"], param.shape)
            param *= 1 - lr * wd
            # p.add_(O, alpha=-lr'): the bfloat16 O is added in the parameter's dtype
            alpha = np.asarray(-adjusted_lr, param.dtype)
            param[...] = fma(ortho._data.astype(param.dtype), alpha, param)


@no_grad()
def _zeropower_via_newtonschulz(grad: Tensor, ns_coefficients: tuple[float, float, float],
                                ns_steps: int, eps: float) -> Tensor:
    """The quintic Newton-Schulz iteration towards the orthogonal factor of ``grad``, in
    bfloat16. Its coefficients maximize the slope at 0, so singular values land in about
    (0.5, 1.5) rather than at 1: enough for the update's direction, in 5 matrix steps."""
    if ns_steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if len(grad.shape) != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(ns_coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = ns_coefficients
    ortho = grad.bfloat16()
    tall = grad.size(0) > grad.size(1)
    if tall:  # iterate on the smaller Gram matrix
        ortho = ortho.T
    ortho = ortho / ortho.norm().clamp(min=eps)  # spectral norm <= Frobenius norm = 1
    x = ortho.float()
    for _ in range(ns_steps):
        gram = _bf16_round(x @ x.T)
        gram_update = _bf16_round(gram @ gram * c + gram * b)  # addmm(G, G, G, beta=b, alpha=c)
        x = _bf16_round(gram_update @ x + x * a)  # addmm(X, b G + c G^2, X, beta=a)
    ortho = x.bfloat16()
    return ortho.T if tall else ortho


def _bf16_round(x: Tensor) -> Tensor:
    """A float32 result rounded to bfloat16 (and read back as float32): PyTorch's bfloat16
    ``mm`` / ``addmm`` compute ``beta * input + alpha * (m1 @ m2)`` in float32 from the
    bfloat16 operands and round once at the end."""
    return x.bfloat16().float()


def _adjust_lr(lr: float, adjust_lr_fn: str | None, param_shape: tuple[int, ...]) -> float:
    """Scale lr so that the orthogonalized update's RMS does not depend on the shape."""
    rows, cols = param_shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        ratio = math.sqrt(max(1, rows / cols))
    elif adjust_lr_fn == "match_rms_adamw":
        ratio = 0.2 * math.sqrt(max(rows, cols))
    else:
        ratio = 1.0
    return lr * ratio
