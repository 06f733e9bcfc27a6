"""Fit a quadratic to noisy "speed over time" data with autograd and a hand-written SGD step.

The model is speed = a * t^2 + b * t + c with ``params = (a, b, c)`` a tensor that requires
grad. Each step computes the mean squared error, calls ``loss.backward()``, moves the
parameters against the gradient (``params.data -= lr * params.grad.data``) and resets the
gradient (``params.grad = None``). RMSE is printed per step; a 6-panel figure shows the
predictions (red) approaching the data (blue), one panel per step.

Run:  python -m examples.quadratic [--quick] [--out runs/quadratic]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # so `python examples/x.py` works

from matplotlib.axes import Axes
from tqdm.auto import tqdm

import tinygrad_edu as tg
from examples._common import parse_args, save_figure, subplots

LR = 1e-5


def f(t: tg.Tensor, params: tg.Tensor) -> tg.Tensor:
    """The quadratic a * t^2 + b * t + c."""
    a, b, c = params
    return a * (t**2) + (b * t) + c


def mse(preds: tg.Tensor, targets: tg.Tensor) -> tg.Tensor:
    """Mean squared error."""
    return ((preds - targets) ** 2).mean()


def apply_step(
    time: tg.Tensor, speed: tg.Tensor, params: tg.Tensor, prn: bool = True
) -> tuple[tg.Tensor, float]:
    """One step of gradient descent; return the predictions made before it and the RMSE."""
    preds = f(time, params)
    loss = mse(preds, speed)
    loss.backward()
    params.data -= LR * params.grad.data
    params.grad = None
    rmse = loss.item() ** 0.5
    if prn:
        tqdm.write(f"RMSE: {rmse}")
    return preds, rmse


def show_preds(time: tg.Tensor, speed: tg.Tensor, preds: tg.Tensor, ax: Axes, title: str) -> None:
    """Scatter the data (blue) and the predictions (red) on ``ax``."""
    ax.scatter(time.numpy(), speed.numpy(), s=12, label="speed")
    ax.scatter(time.numpy(), preds.detach().numpy(), s=12, color="red", label="prediction")
    ax.set_title(title)


def train(
    time: tg.Tensor, speed: tg.Tensor, params: tg.Tensor, steps: int
) -> tuple[list[float], list[tg.Tensor]]:
    """Run ``steps`` steps, printing RMSE; return the RMSEs and the predictions per step."""
    rmses, preds = [], []
    for _ in tqdm(range(steps), desc="quadratic fit", disable=None):
        step_preds, rmse = apply_step(time, speed, params)
        rmses.append(rmse)
        preds.append(step_preds)
    return rmses, preds


def plot_results(
    out: Path, time: tg.Tensor, speed: tg.Tensor, preds: list[tg.Tensor], rmses: list[float]
) -> None:
    """Save the 6-panel figure (predictions of the first 6 steps) and the RMSE curve."""
    fig, axs = subplots(2, 3, figsize=(12, 6), sharex=True, sharey=True)
    for step, (ax, step_preds) in enumerate(zip(axs.flat, preds)):
        show_preds(time, speed, step_preds, ax, f"step {step}: RMSE {rmses[step]:.1f}")
    axs.flat[0].legend(loc="lower left")
    for ax in axs[1]:
        ax.set_xlabel("time")
    for ax in axs[:, 0]:
        ax.set_ylabel("speed")
    fig.suptitle("Predictions (red) approaching the data (blue)")
    save_figure(fig, out, "predictions.png")

    fig, ax = subplots(figsize=(6, 4))
    ax.plot(range(len(rmses)), rmses, "o-")
    ax.set(xlabel="step", ylabel="RMSE", title=f"RMSE per step (lr = {LR})")
    save_figure(fig, out, "rmse.png")


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    """This example's own option: how many steps to take."""
    parser.add_argument("--steps", type=int, default=10, help="gradient steps (at least 6)")


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run the example; return the RMSE per step and the initial and final parameters."""
    args = parse_args("quadratic", __doc__, argv, _add_arguments)
    tg.manual_seed(2021)
    time = tg.arange(0, 20).float()
    speed = tg.rand(20) * 5 + 0.8 * (time - 7.5) ** 2 + 1
    params = tg.randn(3).requires_grad_()
    orig_params = params.clone()
    print("Initial params (a, b, c):", orig_params.tolist())

    rmses, preds = train(time, speed, params, max(args.steps, 6))
    print("Final params (a, b, c):  ", params.tolist())
    plot_results(args.out, time, speed, preds, rmses)
    return {"rmse": rmses, "initial_params": orig_params.tolist(), "params": params.tolist()}


if __name__ == "__main__":
    main()
