"""Linear regression of Sales on TV advertising, three ways, with the same answer.

The Advertising data (200 markets) ships with the package. Both columns are min-max scaled
to [0, 1], then the line sales = intercept + slope * tv is fitted by

(a) closed-form ordinary least squares (numpy),
(b) SGD written by hand in numpy: full-batch steps w -= lr * d(MSE)/dw,
(c) ``nn.Linear(1, 1)`` + ``nn.MSELoss`` + ``optim.SGD(lr=0.1)``, 1000 full-batch epochs,
    once in float64 and once in float32.

(b) starts from the initial weights of (c), so (b) and (c) in float64 take the very same
steps: ``optim.SGD`` is exactly the hand-written update.

Run:  python -m examples.linear_regression [--quick] [--out runs/linear_regression]
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
from tinygrad_edu import nn, optim
from tinygrad_edu.datasets import load_advertising

LR = 0.1


def load_scaled_data() -> tuple[np.ndarray, np.ndarray]:
    """TV budget and sales of the Advertising data, each min-max scaled to [0, 1]."""
    data = load_advertising()

    def min_max(v: np.ndarray) -> np.ndarray:
        """Map the smallest value to 0 and the largest to 1."""
        return (v - v.min()) / (v.max() - v.min())

    return min_max(data["TV"]), min_max(data["Sales"])


def fit_closed_form(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Ordinary least squares: solve min ||X_b theta - y||^2 exactly; return (intercept, slope)."""
    X_b = np.c_[np.ones_like(x), x]
    intercept, slope = np.linalg.lstsq(X_b, y, rcond=None)[0]
    return float(intercept), float(slope)


def fit_numpy_sgd(
    x: np.ndarray, y: np.ndarray, w: float, b: float, epochs: int
) -> tuple[float, float]:
    """Full-batch SGD on MSE by hand, starting from (w, b); return (intercept, slope)."""
    for _ in range(epochs):
        error = (w * x + b) - y
        grad_w = 2 * np.mean(error * x)  # d/dw mean((wx + b - y)^2)
        grad_b = 2 * np.mean(error)  # d/db mean((wx + b - y)^2)
        w -= LR * grad_w
        b -= LR * grad_b
    return b, w


def fit_nn_linear(
    x: np.ndarray, y: np.ndarray, dtype: tg.dtype, epochs: int
) -> tuple[float, float, list[float]]:
    """nn.Linear(1, 1) + MSELoss + SGD in ``dtype``; return (intercept, slope, losses)."""
    X = tg.tensor(x, dtype=dtype).reshape(-1, 1)  # (N, 1): N samples, 1 feature
    Y = tg.tensor(y, dtype=dtype).reshape(-1, 1)
    tg.manual_seed(42)
    model = nn.Linear(1, 1).to(dtype)
    loss_fn = nn.MSELoss()
    optimizer = optim.SGD(model.parameters(), lr=LR)

    losses = []
    for _ in tqdm(range(epochs), desc=f"nn.Linear {dtype}", disable=None):
        optimizer.zero_grad()
        loss = loss_fn(model(X), Y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return model.bias.item(), model.weight.item(), losses


def initial_weights() -> tuple[float, float]:
    """The (weight, bias) that ``nn.Linear(1, 1)`` starts from after ``manual_seed(42)``."""
    tg.manual_seed(42)
    model = nn.Linear(1, 1)
    return model.weight.item(), model.bias.item()


def print_table(fits: dict[str, tuple[float, float]], x: np.ndarray, y: np.ndarray) -> None:
    """Print intercept, slope and MSE of every fit, one row each."""
    print(f"{'method':<34}{'intercept':>12}{'slope':>12}{'MSE':>12}")
    for name, (intercept, slope) in fits.items():
        mse = np.mean((intercept + slope * x - y) ** 2)
        print(f"{name:<34}{intercept:>12.6f}{slope:>12.6f}{mse:>12.6f}")


def plot_fits(
    out: Path, x: np.ndarray, y: np.ndarray, fits: dict[str, tuple[float, float]]
) -> None:
    """Save the scaled data with every fitted line (they lie on top of each other)."""
    fig, ax = subplots(figsize=(6.5, 4.5))
    ax.scatter(x, y, s=12, alpha=0.6, label="markets")
    xs = np.array([0.0, 1.0])
    styles = ["k-", "g--", "r:", "m-."]
    for (name, (intercept, slope)), style in zip(fits.items(), styles):
        ax.plot(xs, intercept + slope * xs, style, lw=2, label=name)
    ax.set(xlabel="TV budget (min-max scaled)", ylabel="Sales (min-max scaled)")
    ax.set_title("Advertising: Sales ~ TV")
    ax.legend(fontsize=8)
    save_figure(fig, out, "fit.png")


def plot_convergence(out: Path, best_mse: float, losses: dict[str, list[float]]) -> None:
    """Save how far each dtype's training loss is from the exact optimum, per epoch."""
    fig, ax = subplots(figsize=(6.5, 4))
    for name, history in losses.items():
        ax.semilogy(np.abs(np.array(history) - best_mse) + 1e-18, label=name)
    ax.set(xlabel="epoch", ylabel="|MSE - MSE of closed-form OLS|")
    ax.set_title("nn.Linear + optim.SGD: distance to the optimum")
    ax.legend()
    save_figure(fig, out, "loss_curve.png")


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run the example; return each method's (intercept, slope) and the loss histories."""
    args = parse_args("linear_regression", __doc__, argv)
    epochs = 300 if args.quick else 1000
    x, y = load_scaled_data()
    w0, b0 = initial_weights()
    b64, w64, loss64 = fit_nn_linear(x, y, tg.float64, epochs)
    b32, w32, loss32 = fit_nn_linear(x, y, tg.float32, epochs)
    fits = {
        "(a) closed-form OLS": fit_closed_form(x, y),
        "(b) SGD by hand (numpy)": fit_numpy_sgd(x, y, w0, b0, epochs),
        "(c) nn.Linear + optim.SGD float64": (b64, w64),
        "(c) nn.Linear + optim.SGD float32": (b32, w32),
    }
    losses = {"float64": loss64, "float32": loss32}
    print_table(fits, x, y)
    (bn, wn), (bt, wt) = fits["(b) SGD by hand (numpy)"], fits["(c) nn.Linear + optim.SGD float64"]
    print(f"numpy SGD vs nn.Linear float64: max difference {max(abs(bn - bt), abs(wn - wt)):.1e}")
    intercept, slope = fits["(a) closed-form OLS"]
    plot_fits(args.out, x, y, fits)
    plot_convergence(args.out, np.mean((intercept + slope * x - y) ** 2), losses)
    return {"fits": fits, "losses": losses}


if __name__ == "__main__":
    main()
