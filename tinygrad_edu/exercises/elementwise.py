"""Exercises on elementwise ops: mul and div (with broadcasting), exp/log, sigmoid, tanh,
relu. Each is a ``BackwardExercise``: forward, cases, hints, solution, planted bug."""

from __future__ import annotations

import numpy as np

from .exercise import BackwardExercise, Case, unbroadcast

__all__ = ["EXERCISES"]


def _normal(rng: np.random.Generator, *shapes: tuple[int, ...]) -> tuple[np.ndarray, ...]:
    return tuple(rng.standard_normal(s) for s in shapes)


def _away_from_zero(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Values in +-[0.5, 2]: no division by ~0, no relu kink at 0."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 2.0, size=shape)


# -- mul ----------------------------------------------------------------------------------

def mul_solution(grad: np.ndarray, x: np.ndarray, y: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    # product rule: d(x*y)/dx = y and d(x*y)/dy = x; an input that forward broadcast was
    # used several times, so its gradient is summed back to its own shape
    return unbroadcast(grad * y, x.shape), unbroadcast(grad * x, y.shape)


def mul_broken(grad: np.ndarray, x: np.ndarray, y: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    return unbroadcast(grad * y, x.shape), grad * x


def _mul_cases(rng: np.random.Generator) -> list[Case]:
    shapes = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 3), (4, 1)), ((5,), ())]
    return [Case(_normal(rng, *s)) for s in shapes]


MUL = BackwardExercise(
    name="mul", title="x * y, with broadcasting", solution=mul_solution, broken=mul_broken,
    forward=lambda x, y: x * y, cases=_mul_cases, helpers=(unbroadcast,),
    task="""forward:  out = x * y       (x and y broadcast together, as in PyTorch)
return:   (grad_x, grad_y), grad_x with x's shape and grad_y with y's shape.
grad is d(loss)/d(out): it has out's shape, the broadcast shape.""",
    hints=(
        "Without broadcasting: d(x*y)/dx = y, so grad_x = grad * y (and grad_y = grad * x).",
        "With broadcasting, y of shape (4,) is used for every row of out (3, 4): each "
        "y[j] gets the sum of its uses. Sum grad * x over the axes that broadcasting added "
        "(leading) or stretched (size 1 in y: sum with keepdims=True).",
        "Write a helper unbroadcast(g, shape): while g.ndim > len(shape): g = g.sum(axis=0); "
        "then for each axis where shape has 1 and g does not: g = g.sum(axis, keepdims=True).",
    ),
    bug="grad_y is not summed back to y's shape (the missing unbroadcast sum).",
)


# -- div ----------------------------------------------------------------------------------

def div_solution(grad: np.ndarray, x: np.ndarray, y: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    # d(x/y)/dx = 1/y and d(x/y)/dy = -x/y^2, then summed back over broadcast axes
    return unbroadcast(grad / y, x.shape), unbroadcast(-grad * x / y**2, y.shape)


def div_broken(grad: np.ndarray, x: np.ndarray, y: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    return unbroadcast(grad / y, x.shape), unbroadcast(grad * x / y**2, y.shape)


def _div_cases(rng: np.random.Generator) -> list[Case]:
    shapes = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 3), (4, 1)), ((5,), ())]
    return [Case((rng.standard_normal(sx), _away_from_zero(rng, sy))) for sx, sy in shapes]


DIV = BackwardExercise(
    name="div", title="x / y, with broadcasting", solution=div_solution, broken=div_broken,
    forward=lambda x, y: x / y, cases=_div_cases, helpers=(unbroadcast,),
    task="""forward:  out = x / y       (x and y broadcast together; y is never near 0)
return:   (grad_x, grad_y), each with its input's shape.""",
    hints=(
        "x / y = x * y**-1. d/dx = 1/y; d/dy = x * d(y**-1)/dy.",
        "d(y**-1)/dy = -y**-2: grad_y = -grad * x / y**2. Mind the sign.",
        "Then sum each gradient back to its input's shape, as in the mul exercise "
        "(your unbroadcast helper).",
    ),
    bug="grad_y has the wrong sign (d(1/y)/dy = -1/y**2).",
)


# -- exp_log ------------------------------------------------------------------------------

def exp_log_solution(grad: np.ndarray, x: np.ndarray, y: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray]:
    e = np.exp(x)
    # product rule, with d exp(x)/dx = exp(x) and d log(y)/dy = 1/y
    return grad * e * np.log(y), grad * e / y


def exp_log_broken(grad: np.ndarray, x: np.ndarray, y: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    e = np.exp(x)
    return grad * e, grad * e / y


def _exp_log_cases(rng: np.random.Generator) -> list[Case]:
    shapes = [(3, 4), (5,), ()]
    return [Case((rng.standard_normal(s), rng.uniform(0.2, 3.0, size=s))) for s in shapes]


EXP_LOG = BackwardExercise(
    name="exp_log", title="exp(x) * log(y)", solution=exp_log_solution,
    broken=exp_log_broken, forward=lambda x, y: x.exp() * y.log(), cases=_exp_log_cases,
    task="""forward:  out = exp(x) * log(y)     (x and y have the same shape; y > 0)
return:   (grad_x, grad_y).""",
    hints=(
        "Two rules: d exp(x)/dx = exp(x) and d log(y)/dy = 1/y. And the product rule.",
        "out = a * b with a = exp(x), b = log(y): d(out)/dx = b * exp(x), "
        "d(out)/dy = a / y. Multiply each by grad (the chain rule).",
    ),
    bug="grad_x forgets the other factor of the product, log(y).",
)


# -- sigmoid, tanh, relu ------------------------------------------------------------------

def _unary_cases(rng: np.random.Generator) -> list[Case]:
    return [Case((rng.standard_normal(s) * 2,)) for s in [(3, 4), (5,), (), (2, 3, 4)]]


def sigmoid_solution(grad: np.ndarray, x: np.ndarray) -> np.ndarray:
    s = 1 / (1 + np.exp(-x))
    return grad * s * (1 - s)  # d sigmoid(x)/dx = s (1 - s), with s = sigmoid(x)


def sigmoid_broken(grad: np.ndarray, x: np.ndarray) -> np.ndarray:
    return grad * x * (1 - x)


SIGMOID = BackwardExercise(
    name="sigmoid", title="sigmoid(x) = 1 / (1 + exp(-x))", solution=sigmoid_solution,
    broken=sigmoid_broken, forward=lambda x: x.sigmoid(), cases=_unary_cases,
    task="""forward:  out = 1 / (1 + exp(-x))
return:   grad_x (one input: return the array itself, or a 1-tuple).""",
    hints=(
        "Write s = sigmoid(x). Differentiate 1 / (1 + exp(-x)) with the chain rule and "
        "express the result with s only.",
        "d s/dx = exp(-x) / (1 + exp(-x))**2 = s * (1 - s). Then multiply by grad.",
    ),
    bug="the formula s * (1 - s) is applied to x instead of to s = sigmoid(x).",
)


def tanh_solution(grad: np.ndarray, x: np.ndarray) -> np.ndarray:
    t = np.tanh(x)
    return grad * (1 - t**2)  # d tanh(x)/dx = 1 - tanh(x)^2


def tanh_broken(grad: np.ndarray, x: np.ndarray) -> np.ndarray:
    t = np.tanh(x)
    return grad * (1 - t)


TANH = BackwardExercise(
    name="tanh", title="tanh(x)", solution=tanh_solution, broken=tanh_broken,
    forward=lambda x: x.tanh(), cases=_unary_cases,
    task="""forward:  out = tanh(x)
return:   grad_x.""",
    hints=(
        "tanh(x) = (exp(x) - exp(-x)) / (exp(x) + exp(-x)). Its derivative is "
        "simplest written with t = tanh(x) itself.",
        "d tanh(x)/dx = 1 - t**2. Multiply by grad.",
    ),
    bug="the square is missing: 1 - t instead of 1 - t**2.",
)


def relu_solution(grad: np.ndarray, x: np.ndarray) -> np.ndarray:
    return grad * (x > 0)  # the gradient flows where the input was positive, else 0


def relu_broken(grad: np.ndarray, x: np.ndarray) -> np.ndarray:
    return np.maximum(grad, 0)


def _relu_cases(rng: np.random.Generator) -> list[Case]:
    return [Case((_away_from_zero(rng, s),)) for s in [(3, 4), (5,), (), (2, 3, 4)]]


RELU = BackwardExercise(
    name="relu", title="relu(x) = max(x, 0)", solution=relu_solution, broken=relu_broken,
    forward=lambda x: x.relu(), cases=_relu_cases,
    task="""forward:  out = max(x, 0)     (x is never exactly 0 here)
return:   grad_x.""",
    hints=(
        "Where x > 0, out = x (slope 1); where x < 0, out = 0 (slope 0).",
        "The mask depends on the input x, not on the gradient: grad * (x > 0).",
    ),
    bug="it clamps the gradient (max(grad, 0)) instead of masking it where the input "
        "was negative.",
)


EXERCISES = (MUL, DIV, EXP_LOG, SIGMOID, TANH, RELU)
