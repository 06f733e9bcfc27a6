"""Runnable examples: every model of the teaching material, written the PyTorch way.

Each example is a script with a ``main(argv=None) -> dict`` that trains, prints what the
original prints, saves its plots to ``--out`` (default ``runs/<example>/``) and returns its
key numbers. Run one with ``python -m examples.quadratic``, all with ``python -m examples``.
"""

EXAMPLES: tuple[str, ...] = (
    "gradient_descent",
    "linear_regression",
    "quadratic",
    "logistic_regression",
    "classifiers",
    "mnist_mlp",
    "digits_cnn",
    "losses",
    "exercise_swish",
)
