"""Exercises on reductions over dims: sum, mean, softmax, and log_softmax + NLL
(cross-entropy). Each is a ``BackwardExercise``."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..nn import functional as F
from .exercise import BackwardExercise, Case

__all__ = ["EXERCISES"]

# (shape, dim, keepdim): the second has a square shape, where a gradient broadcast along
# the wrong axis still has the right shape (and wrong values)
_REDUCE = [((3, 4), 0, False), ((4, 4), 1, False), ((2, 3, 4), (0, 2), True),
           ((2, 3, 4), -1, False), ((2, 3, 4), (0, 2), False)]


def _reduce_cases(rng: np.random.Generator) -> list[Case]:
    return [Case((rng.standard_normal(s),), {"dim": d, "keepdim": k}) for s, d, k in _REDUCE]


# -- sum_dims -----------------------------------------------------------------------------

def sum_dims_solution(grad: np.ndarray, x: np.ndarray, *, dim: Any, keepdim: bool
                      ) -> np.ndarray:
    if not keepdim:
        grad = np.expand_dims(grad, dim)  # put the summed axes back, with size 1
    # every x element added into its sum with slope 1: copy the gradient along the axes
    return np.broadcast_to(grad, x.shape).copy()


def sum_dims_broken(grad: np.ndarray, x: np.ndarray, *, dim: Any, keepdim: bool
                    ) -> np.ndarray:
    return np.broadcast_to(grad, x.shape).copy()


SUM_DIMS = BackwardExercise(
    name="sum_dims", title="x.sum(dim, keepdim)", solution=sum_dims_solution,
    broken=sum_dims_broken, forward=lambda x, dim, keepdim: x.sum(dim, keepdim),
    cases=_reduce_cases,
    task="""forward:  out = x.sum(dim=dim, keepdim=keepdim)   (dim: an int or a tuple of ints)
return:   grad_x, with x's shape.""",
    hints=(
        "Each x element enters its sum once with slope 1: grad_x copies grad along the "
        "summed axes.",
        "With keepdim=False the summed axes are gone from grad: np.broadcast_to would "
        "line grad up with the wrong axes. Put them back first: np.expand_dims(grad, dim).",
    ),
    bug="with keepdim=False the summed axis is not put back before broadcasting: the "
        "gradient is copied along the wrong axis.",
)


# -- mean_dims ----------------------------------------------------------------------------

def mean_dims_solution(grad: np.ndarray, x: np.ndarray, *, dim: Any, keepdim: bool
                       ) -> np.ndarray:
    count = np.prod([x.shape[d] for d in np.atleast_1d(dim)])  # how many were averaged
    if not keepdim:
        grad = np.expand_dims(grad, dim)
    return np.broadcast_to(grad / count, x.shape).copy()  # slope 1/count for each


def mean_dims_broken(grad: np.ndarray, x: np.ndarray, *, dim: Any, keepdim: bool
                     ) -> np.ndarray:
    if not keepdim:
        grad = np.expand_dims(grad, dim)
    return np.broadcast_to(grad / x.size, x.shape).copy()


MEAN_DIMS = BackwardExercise(
    name="mean_dims", title="x.mean(dim, keepdim)", solution=mean_dims_solution,
    broken=mean_dims_broken, forward=lambda x, dim, keepdim: x.mean(dim, keepdim),
    cases=_reduce_cases,
    task="""forward:  out = x.mean(dim=dim, keepdim=keepdim)   (dim: an int or a tuple of ints)
return:   grad_x, with x's shape.""",
    hints=(
        "mean = sum / count: start from your sum_dims backward.",
        "count is the number of elements averaged into each output: the product of "
        "x.shape[d] over the reduced dims d (not x.size).",
    ),
    bug="it divides by x.size (all elements) instead of the number of elements averaged "
        "into each output.",
)


# -- softmax ------------------------------------------------------------------------------

def softmax_solution(grad: np.ndarray, x: np.ndarray, *, dim: int) -> np.ndarray:
    e = np.exp(x - x.max(axis=dim, keepdims=True))  # (shifted: exp never overflows)
    y = e / e.sum(axis=dim, keepdims=True)
    # d y_i / d x_j = y_i (delta_ij - y_j), so grad_x_j = y_j (grad_j - sum_i grad_i y_i)
    return y * (grad - (grad * y).sum(axis=dim, keepdims=True))


def softmax_broken(grad: np.ndarray, x: np.ndarray, *, dim: int) -> np.ndarray:
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    y = e / e.sum(axis=dim, keepdims=True)
    return y * (grad - (grad * y).sum(axis=-1, keepdims=True))


def _softmax_cases(rng: np.random.Generator) -> list[Case]:
    shapes = [((3, 4), -1), ((4, 3), 0), ((2, 3, 4), 1), ((5,), 0)]
    return [Case((rng.standard_normal(s) * 2,), {"dim": d}) for s, d in shapes]


SOFTMAX = BackwardExercise(
    name="softmax", title="softmax(x, dim)", solution=softmax_solution,
    broken=softmax_broken, forward=lambda x, dim: x.softmax(dim), cases=_softmax_cases,
    task="""forward:  out = exp(x) / exp(x).sum(dim, keepdims=True)
return:   grad_x, with x's shape.""",
    hints=(
        "Recompute y = softmax(x) first (subtract the max along dim before exp). Every "
        "y_i depends on every x_j along dim.",
        "d y_i/d x_j = y_i * (1 - y_j) when i == j, else -y_i * y_j.",
        "Chain rule, summed over i: grad_x = y * (grad - (grad * y).sum(dim, keepdims)). "
        "Use axis=dim everywhere.",
    ),
    bug="the sum in the backward runs over the last axis, not over dim.",
)


# -- cross_entropy ------------------------------------------------------------------------

def cross_entropy_solution(grad: np.ndarray, logits: np.ndarray, target: np.ndarray
                           ) -> tuple[np.ndarray, None]:
    n = logits.shape[0]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)  # softmax: the predicted probabilities
    p[np.arange(n), target] -= 1  # d(-log p_target)/d logits = p - onehot(target)
    return grad * p / n, None  # the loss is the mean over the batch: each row counts 1/n


def cross_entropy_broken(grad: np.ndarray, logits: np.ndarray, target: np.ndarray
                         ) -> tuple[np.ndarray, None]:
    n = logits.shape[0]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    p[np.arange(n), target] -= 1
    return grad * p, None


def _cross_entropy_cases(rng: np.random.Generator) -> list[Case]:
    shapes = [(4, 3), (6, 5), (1, 4)]
    return [Case((rng.standard_normal((n, c)) * 2, rng.integers(0, c, size=n)))
            for n, c in shapes]


CROSS_ENTROPY = BackwardExercise(
    name="cross_entropy", title="log_softmax + NLL: F.cross_entropy(logits, target)",
    solution=cross_entropy_solution, broken=cross_entropy_broken,
    forward=lambda logits, target: F.cross_entropy(logits, target),
    cases=_cross_entropy_cases,
    task="""forward:  loss = mean over rows n of -log_softmax(logits[n])[target[n]]
          logits (N, C) float64, target (N,) int64 class indices; loss is a scalar.
return:   (grad_logits, None): target gets no gradient. grad is a 0-d array.""",
    hints=(
        "One row: loss = -logits[t] + log(sum_j exp(logits[j])). Differentiate by "
        "logits[j].",
        "For one row: d loss/d logits = softmax(logits) - onehot(t).",
        "The loss is the mean over N rows: divide by N. Then multiply by grad "
        "(the chain rule, even for a scalar loss).",
    ),
    bug="the 1/N of the mean over the batch is missing.",
)


EXERCISES = (SUM_DIMS, MEAN_DIMS, SOFTMAX, CROSS_ENTROPY)
