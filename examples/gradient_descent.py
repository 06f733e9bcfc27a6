"""Gradient descent from scratch: fit y = 4 + 3x + noise with autograd and a hand-written step.

``theta`` is a float64 tensor that requires grad. Each iteration computes the loss
(1/2m) * sum((X theta - y)^2), lets ``loss.backward()`` find d(loss)/d(theta), and takes a step
``theta -= lr * theta.grad`` under ``no_grad`` (the update itself must not be recorded).
The answer is checked against the closed-form normal equation theta = (X^T X)^-1 X^T y.

Run:  python -m examples.gradient_descent [--quick] [--out runs/gradient_descent]
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # so `python examples/x.py` works

import numpy as np
from tqdm.auto import tqdm

import tinygrad_edu as tg
from examples._common import parse_args, save_figure, subplots


def make_data(m: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """Return ``X`` (m, 1) uniform in [0, 2) and ``y = 4 + 3X + N(0, 1)``, seeded with 42."""
    np.random.seed(42)
    X = 2 * np.random.rand(m, 1)
    y = 4 + 3 * X + np.random.randn(m, 1)
    return X, y


def gradient_descent(
    X_b: np.ndarray, y: np.ndarray, lr: float = 0.1, n_iterations: int = 1000
) -> tuple[np.ndarray, list[float]]:
    """Minimise (1/2m) * ||X_b theta - y||^2 by gradient descent; return theta and the losses."""
    m = len(X_b)
    X_t = tg.tensor(X_b)  # float64 numpy arrays stay float64
    y_t = tg.tensor(y)
    tg.manual_seed(42)
    theta = tg.randn(2, 1, dtype=tg.float64, requires_grad=True)

    losses = []
    for iteration in tqdm(range(n_iterations), desc="gradient descent", disable=None):
        predictions = X_t @ theta
        loss = (1 / (2 * m)) * tg.sum((predictions - y_t) ** 2)
        loss.backward()  # theta.grad = (1/m) * X^T (X theta - y)
        with tg.no_grad():
            theta -= lr * theta.grad
            theta.grad.zero_()
        losses.append(loss.item())
        if iteration % 100 == 0:
            tqdm.write(f"Iteration {iteration}: Loss = {loss.item()}")
    return theta.detach().numpy(), losses


def normal_equation(X_b: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The exact least-squares solution theta = (X^T X)^-1 X^T y."""
    return np.linalg.inv(X_b.T @ X_b) @ X_b.T @ y


def plot_results(
    out: Path,
    X: np.ndarray,
    y: np.ndarray,
    theta_gd: np.ndarray,
    losses: list[float],
    best_loss: float,
) -> None:
    """Save the loss curve (and its distance to the optimum) and the data with the fit."""
    fig, (ax1, ax2) = subplots(1, 2, figsize=(10, 4))
    ax1.plot(losses)
    ax1.set(xlabel="iteration", ylabel="loss", title="Loss (1/2m) * sum of squared errors")
    ax2.semilogy(np.maximum(np.array(losses) - best_loss, 1e-17))
    ax2.set(xlabel="iteration", ylabel="loss - loss(normal equation)")
    ax2.set_title("Distance to the optimum (log scale)")
    save_figure(fig, out, "loss_curve.png")

    fig, ax = subplots(figsize=(6, 4))
    ax.scatter(X[:, 0], y[:, 0], s=12, alpha=0.7, label="data: y = 4 + 3x + noise")
    xs = np.array([0.0, 2.0])
    ax.plot(xs, theta_gd[0, 0] + theta_gd[1, 0] * xs, "r-", lw=2, label="gradient descent fit")
    ax.plot(xs, 4 + 3 * xs, "k--", lw=1, label="true line y = 4 + 3x")
    ax.set(xlabel="x", ylabel="y", title="Linear fit by gradient descent")
    ax.legend()
    save_figure(fig, out, "fit.png")


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run the example; return the two thetas and the loss history."""
    args = parse_args("gradient_descent", __doc__, argv)
    X, y = make_data()
    X_b = np.c_[np.ones((len(X), 1)), X]  # add x0 = 1 for the intercept
    n_iterations = 500 if args.quick else 1000
    theta_gd, losses = gradient_descent(X_b, y, lr=0.1, n_iterations=n_iterations)
    theta_best = normal_equation(X_b, y)
    print("Theta from gradient descent:", theta_gd.ravel())
    print("Theta from normal equation: ", theta_best.ravel())
    print(f"Max difference: {np.abs(theta_gd - theta_best).max():.2e}")
    best_loss = float(np.sum((X_b @ theta_best - y) ** 2) / (2 * len(X)))
    plot_results(args.out, X, y, theta_gd, losses, best_loss)
    return {"theta_gd": theta_gd, "theta_normal": theta_best, "losses": losses}


if __name__ == "__main__":
    main()
