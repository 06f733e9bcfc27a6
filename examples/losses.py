"""MSE vs L1 vs Huber: which loss lets a few outliers drag the fitted line away?

100 points lie on y = 3x + 2 plus N(0, 1) noise; the 10 points with the largest x are
then pushed 25 below the line (bad measurements). One ``nn.Linear(1, 1)`` is fitted per loss
with Adam, full batch. A squared error grows quadratically with the residual, so MSE bends
the line towards the outliers; L1 grows linearly (its fit is a median line), and Huber is
quadratic near zero and linear beyond ``delta``: both barely move.

Run:  python -m examples.losses [--quick] [--out runs/losses]
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # so `python examples/x.py` works

import numpy as np
from matplotlib.axes import Axes
from tqdm.auto import tqdm

import tinygrad_edu as tg
from examples._common import parse_args, save_figure, subplots
from tinygrad_edu import nn, optim

TRUE_SLOPE, TRUE_INTERCEPT = 3.0, 2.0
N_OUTLIERS = 10


def make_data(n: int = 100) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return x (n, 1), y (n, 1) and a boolean mask of the outliers."""
    rng = np.random.RandomState(42)
    x = rng.rand(n, 1) * 10
    y = TRUE_SLOPE * x + TRUE_INTERCEPT + rng.randn(n, 1)
    outliers = np.zeros(n, dtype=bool)
    outliers[np.argsort(x[:, 0])[-N_OUTLIERS:]] = True  # the points with the largest x
    y[outliers] -= 25
    return x, y, outliers


def fit(loss_fn: nn.Module, X: tg.Tensor, y: tg.Tensor, epochs: int) -> tuple[float, float]:
    """Fit ``nn.Linear(1, 1)`` by minimising ``loss_fn`` with Adam; return (slope, intercept)."""
    tg.manual_seed(0)
    model = nn.Linear(1, 1)
    optimizer = optim.Adam(model.parameters(), lr=0.1)
    for _ in tqdm(range(epochs), desc=type(loss_fn).__name__, disable=None):
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
    return model.weight.item(), model.bias.item()


def print_table(
    fits: dict[str, tuple[float, float]], x: np.ndarray, y: np.ndarray, inliers: np.ndarray
) -> dict[str, float]:
    """Print each fit's parameters, their errors and the MAE on the clean points."""
    print(
        f"{'loss':<22}{'slope':>8}{'intercept':>11}{'|slope err|':>13}"
        f"{'|intercept err|':>17}{'inlier MAE':>12}"
    )
    print(f"{'true line':<22}{TRUE_SLOPE:>8.3f}{TRUE_INTERCEPT:>11.3f}")
    maes = {}
    for name, (slope, intercept) in fits.items():
        residual = slope * x[inliers] + intercept - y[inliers]
        maes[name] = float(np.abs(residual).mean())
        print(
            f"{name:<22}{slope:>8.3f}{intercept:>11.3f}{abs(slope - TRUE_SLOPE):>13.3f}"
            f"{abs(intercept - TRUE_INTERCEPT):>17.3f}{maes[name]:>12.3f}"
        )
    return maes


def plot_lines(
    ax: Axes,
    x: np.ndarray,
    y: np.ndarray,
    outliers: np.ndarray,
    fits: dict[str, tuple[float, float]],
) -> None:
    """Draw the data, the outliers, the true line and every fitted line on ``ax``."""
    ax.scatter(x[~outliers], y[~outliers], s=12, color="gray", label="data")
    ax.scatter(x[outliers], y[outliers], s=30, color="black", marker="x", label="outliers")
    xs = np.array([0.0, 10.0])
    ax.plot(xs, TRUE_SLOPE * xs + TRUE_INTERCEPT, "k--", lw=1, label="true line")
    for name, (slope, intercept) in fits.items():
        label = f"{name}: y = {slope:.2f}x + {intercept:.2f}"
        ax.plot(xs, slope * xs + intercept, lw=2, label=label)
    ax.set(xlabel="x", ylabel="y", title="Fitted lines")
    ax.legend(fontsize=8)


def plot_penalties(ax: Axes) -> None:
    """Draw each loss of one residual r (prediction - target), computed by the loss itself."""
    r = tg.linspace(-3, 3, 121)
    zero = tg.zeros_like(r)
    for name, loss_fn in make_losses(reduction="none").items():
        ax.plot(r.numpy(), loss_fn(r, zero).numpy(), lw=2, label=name)
    ax.set(xlabel="residual (prediction - target)", ylabel="penalty", ylim=(0, 4))
    ax.set_title("How each loss penalises one residual")
    ax.legend(fontsize=8)


def make_losses(reduction: str = "mean") -> dict[str, nn.Module]:
    """The three losses compared, by display name."""
    return {
        "MSELoss": nn.MSELoss(reduction=reduction),
        "L1Loss": nn.L1Loss(reduction=reduction),
        "HuberLoss(delta=1)": nn.HuberLoss(reduction=reduction, delta=1.0),
    }


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Fit one line per loss; return the fits and each one's MAE on the clean points."""
    args = parse_args("losses", __doc__, argv)
    x, y, outliers = make_data()
    X, Y = tg.tensor(x, dtype=tg.float32), tg.tensor(y, dtype=tg.float32)
    epochs = 300 if args.quick else 1000
    fits = {name: fit(loss_fn, X, Y, epochs) for name, loss_fn in make_losses().items()}
    least_squares = np.polyfit(x[:, 0], y[:, 0], deg=1)
    maes = print_table(fits, x, y, ~outliers)
    print(
        f"Exact least squares (numpy): slope {least_squares[0]:.3f}, "
        f"intercept {least_squares[1]:.3f}"
    )
    fig, (ax1, ax2) = subplots(1, 2, figsize=(12, 4.5), width_ratios=[3, 2])
    plot_lines(ax1, x, y, outliers, fits)
    plot_penalties(ax2)
    save_figure(fig, args.out, "fits.png")
    return {"fits": fits, "inlier_mae": maes, "least_squares": tuple(least_squares)}


if __name__ == "__main__":
    main()
