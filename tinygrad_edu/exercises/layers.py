"""Exercises on layers: matmul, a Linear layer, and LayerNorm by hand (as in Karpathy's
"backprop ninja"). Each is a ``BackwardExercise``."""

from __future__ import annotations

import numpy as np

from ..nn import functional as F
from .exercise import BackwardExercise, Case

__all__ = ["EXERCISES"]


# -- matmul -------------------------------------------------------------------------------

def matmul_solution(grad: np.ndarray, x: np.ndarray, w: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray]:
    # out[i, j] = sum_k x[i, k] w[k, j]: d out[i, j]/d x[i, k] = w[k, j], so
    # grad_x[i, k] = sum_j grad[i, j] w[k, j] = (grad @ w.T)[i, k]; same for w
    return grad @ w.T, x.T @ grad


def matmul_broken(grad: np.ndarray, x: np.ndarray, w: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
    return grad @ w, x.T @ grad


def _matmul_cases(rng: np.random.Generator) -> list[Case]:
    shapes = [((2, 3), (3, 3)), ((4, 3), (3, 5)), ((1, 2), (2, 1))]
    return [Case((rng.standard_normal(a), rng.standard_normal(b))) for a, b in shapes]


MATMUL = BackwardExercise(
    name="matmul", title="x @ w (2-D)", solution=matmul_solution, broken=matmul_broken,
    forward=lambda x, w: x @ w, cases=_matmul_cases,
    task="""forward:  out = x @ w       x (N, K), w (K, M), out (N, M)
return:   (grad_x, grad_w): grad_x (N, K), grad_w (K, M).""",
    hints=(
        "Write one element: out[i, j] = sum_k x[i, k] * w[k, j]. Which out elements "
        "does x[i, k] touch, and with which factor?",
        "The shapes tell you the answer: grad_x must be (N, K) from grad (N, M) and "
        "w (K, M): grad @ w.T. grad_w must be (K, M): x.T @ grad.",
    ),
    bug="grad_x uses w instead of w.T (a transposed matmul; the shapes only match when w "
        "is square).",
)


# -- linear -------------------------------------------------------------------------------

def linear_solution(grad: np.ndarray, x: np.ndarray, weight: np.ndarray, bias: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    out_features, in_features = weight.shape
    g2 = grad.reshape(-1, out_features)  # every leading (batch) axis as one
    x2 = x.reshape(-1, in_features)
    # out = x @ weight.T + bias: weight and bias are shared by all rows, so their
    # gradients sum over the rows
    return grad @ weight, g2.T @ x2, g2.sum(axis=0)


def linear_broken(grad: np.ndarray, x: np.ndarray, weight: np.ndarray, bias: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    out_features, in_features = weight.shape
    g2 = grad.reshape(-1, out_features)
    x2 = x.reshape(-1, in_features)
    return grad @ weight, g2.T @ x2, g2.mean(axis=0)


def _linear_cases(rng: np.random.Generator) -> list[Case]:
    shapes = [((4, 3), 2), ((2, 3, 3), 3), ((3,), 2)]
    return [Case((rng.standard_normal(xs), rng.standard_normal((out, xs[-1])),
                  rng.standard_normal(out))) for xs, out in shapes]


LINEAR = BackwardExercise(
    name="linear", title="a Linear layer: x @ weight.T + bias", solution=linear_solution,
    broken=linear_broken, forward=lambda x, w, b: F.linear(x, w, b), cases=_linear_cases,
    task="""forward:  out = x @ weight.T + bias    (as nn.Linear)
          x (*, in), weight (out, in), bias (out,), out (*, out); * is any batch shape
return:   (grad_x, grad_weight, grad_bias).""",
    hints=(
        "It is a matmul with weight.T, then a bias broadcast over every row: reuse your "
        "matmul backward and the broadcasting rule of mul.",
        "Flatten the batch axes first: g2 = grad.reshape(-1, out), x2 = x.reshape(-1, in). "
        "Then grad_weight = g2.T @ x2 and grad_bias = g2.sum(axis=0).",
    ),
    bug="grad_bias is the mean of the rows' gradients instead of their sum.",
)


# -- layer_norm ---------------------------------------------------------------------------

def layer_norm_solution(grad: np.ndarray, x: np.ndarray, weight: np.ndarray,
                        bias: np.ndarray, *, eps: float
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    mean = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)  # biased (divides by D), as LayerNorm does
    rstd = 1 / np.sqrt(var + eps)
    xhat = (x - mean) * rstd
    rows = tuple(range(x.ndim - 1))  # weight and bias are shared by all rows
    g = grad * weight  # d loss / d xhat
    # xhat depends on x three ways: directly, through the mean, through the variance
    dx = rstd * (g - g.mean(axis=-1, keepdims=True)
                 - xhat * (g * xhat).mean(axis=-1, keepdims=True))
    return dx, (grad * xhat).sum(axis=rows), grad.sum(axis=rows)


def layer_norm_broken(grad: np.ndarray, x: np.ndarray, weight: np.ndarray,
                      bias: np.ndarray, *, eps: float
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    mean = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    rstd = 1 / np.sqrt(var + eps)
    xhat = (x - mean) * rstd
    rows = tuple(range(x.ndim - 1))
    g = grad * weight
    dx = rstd * (g - g.mean(axis=-1, keepdims=True))
    return dx, (grad * xhat).sum(axis=rows), grad.sum(axis=rows)


def _layer_norm_cases(rng: np.random.Generator) -> list[Case]:
    shapes = [((4, 5), 1e-5), ((2, 3, 4), 1e-5), ((6,), 1e-3)]
    return [Case((rng.standard_normal(s), rng.standard_normal(s[-1]),
                  rng.standard_normal(s[-1])), {"eps": eps}) for s, eps in shapes]


LAYER_NORM = BackwardExercise(
    name="layer_norm", title="LayerNorm by hand (backprop ninja)",
    solution=layer_norm_solution, broken=layer_norm_broken,
    forward=lambda x, w, b, eps: F.layer_norm(x, (x.shape[-1],), w, b, eps),
    cases=_layer_norm_cases,
    task="""forward:  over the last axis (size D) of x (*, D):
          mean = x.mean(-1), var = x.var(-1) (biased: / D), rstd = 1 / sqrt(var + eps)
          xhat = (x - mean) * rstd;  out = xhat * weight + bias
          weight (D,), bias (D,)
return:   (grad_x, grad_weight, grad_bias).""",
    hints=(
        "grad_weight and grad_bias are the easy ones: sum grad * xhat and grad over every "
        "axis but the last.",
        "Let g = grad * weight (the gradient at xhat). x reaches xhat three ways: "
        "directly, through mean, and through var. Do each path, then add them.",
        "The sum simplifies to: grad_x = rstd * (g - g.mean(-1) - xhat * (g * xhat).mean(-1))"
        " (keepdims=True in each mean).",
    ),
    bug="grad_x leaves out the path through the variance (the - xhat * mean(g * xhat) term).",
)


EXERCISES = (MATMUL, LINEAR, LAYER_NORM)
