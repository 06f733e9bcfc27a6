"""MLP classifiers on four 2-D toy problems, each with its decision boundary.

Datasets: ``make_circles`` (two rings), ``make_moons`` (two half-moons), ``make_blobs``
(four overlapping clusters) and the CS231n spiral (K arms of N points). Each is split 80/20;
an ``nn.Module`` MLP (2 -> hidden -> hidden -> classes, ReLU) outputs one logit per class and
is trained full-batch with ``CrossEntropyLoss`` and Adam. Evaluation switches to ``eval()``
and runs under ``inference_mode()``. The decision-boundary plots colour the plane by the
class the model predicts there.

Run:  python -m examples.classifiers [--quick] [--out runs/classifiers]
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # so `python examples/x.py` works

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from sklearn.datasets import make_blobs, make_circles, make_moons
from sklearn.model_selection import train_test_split
from tqdm.auto import tqdm

import tinygrad_edu as tg
from examples._common import parse_args, save_figure, subplots
from tinygrad_edu import nn, optim

Split = tuple[tg.Tensor, tg.Tensor, tg.Tensor, tg.Tensor]


class MLPClassifier(nn.Module):
    """``in_features -> hidden -> hidden -> n_classes`` with ReLU; returns logits."""

    def __init__(self, in_features: int, n_classes: int, hidden: int = 16) -> None:
        """Build the layers; ``hidden`` units in each of the two hidden layers."""
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(in_features, hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
            nn.Linear(hidden, n_classes),
        )

    def forward(self, x: tg.Tensor) -> tg.Tensor:
        """Logits of shape (N, n_classes): raw scores, CrossEntropyLoss applies the softmax."""
        return self.layers(x)


def make_spiral(
    n_per_class: int = 100, n_classes: int = 3, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """The CS231n spiral: ``n_classes`` arms of ``n_per_class`` points in 2-D."""
    rng = np.random.RandomState(seed)
    X = np.zeros((n_per_class * n_classes, 2))
    y = np.zeros(n_per_class * n_classes, dtype=np.int64)
    for j in range(n_classes):
        ix = range(n_per_class * j, n_per_class * (j + 1))
        r = np.linspace(0.0, 1, n_per_class)  # radius
        t = np.linspace(j * 4, (j + 1) * 4, n_per_class) + rng.randn(n_per_class) * 0.2  # theta
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[ix] = j
    return X, y


def make_datasets() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The four problems as (X float, y int) numpy arrays."""
    return {
        "circles": make_circles(1000, noise=0.05, random_state=42),
        "moons": make_moons(1000, noise=0.1, random_state=42),
        "blobs": make_blobs(1000, n_features=2, centers=4, cluster_std=1.7, random_state=42),
        "spiral": make_spiral(n_per_class=100, n_classes=3),
    }


def to_tensors(X: np.ndarray, y: np.ndarray) -> Split:
    """80/20 split as tensors: float32 features and int64 class indices."""
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
    return (
        tg.tensor(X_train, dtype=tg.float32),
        tg.tensor(X_test, dtype=tg.float32),
        tg.tensor(y_train, dtype=tg.int64),
        tg.tensor(y_test, dtype=tg.int64),
    )


def accuracy(logits: tg.Tensor, y: tg.Tensor) -> float:
    """Fraction of rows whose largest logit is the true class."""
    return (logits.argmax(dim=1) == y).float().mean().item()


def evaluate(
    model: nn.Module, loss_fn: nn.Module, X: tg.Tensor, y: tg.Tensor
) -> tuple[float, float]:
    """Loss and accuracy on (X, y), in eval mode and without recording a graph."""
    model.eval()
    with tg.inference_mode():
        logits = model(X)
        return loss_fn(logits, y).item(), accuracy(logits, y)


def epoch_summary(epoch: int, history: dict[str, list[float]]) -> str:
    """One line with the latest loss and accuracy, on the training and the test set."""
    return (
        f"Epoch: {epoch} | Loss: {history['loss'][-1]:.5f}, Acc: {history['acc'][-1]:.2%}"
        f" | Test loss: {history['test_loss'][-1]:.5f}, Test acc: {history['test_acc'][-1]:.2%}"
    )


def train(model: nn.Module, data: Split, epochs: int, name: str) -> dict[str, list[float]]:
    """Full-batch Adam on CrossEntropyLoss; return train/test loss and accuracy per epoch."""
    X_train, X_test, y_train, y_test = data
    loss_fn = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    history: dict[str, list[float]] = {"loss": [], "test_loss": [], "acc": [], "test_acc": []}
    for epoch in tqdm(range(epochs), desc=name, disable=None):
        model.train()
        logits = model(X_train)
        loss = loss_fn(logits, y_train)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

        history["loss"].append(loss.item())
        history["acc"].append(accuracy(logits, y_train))
        test_loss, test_acc = evaluate(model, loss_fn, X_test, y_test)
        history["test_loss"].append(test_loss)
        history["test_acc"].append(test_acc)
        if epoch % (epochs // 5) == 0 or epoch == epochs - 1:
            tqdm.write(epoch_summary(epoch, history))
    return history


def plot_decision_boundary(
    model: nn.Module, X: tg.Tensor, y: tg.Tensor, ax: Axes, limits: np.ndarray
) -> None:
    """Colour the plane (within ``limits`` = [[x_min, y_min], [x_max, y_max]]) by the
    predicted class and scatter (X, y) on top, in the same colour per class."""
    xx, yy = np.meshgrid(*(np.linspace(lo, hi, 201) for lo, hi in limits.T))
    grid = tg.tensor(np.c_[xx.ravel(), yy.ravel()], dtype=tg.float32)
    model.eval()
    with tg.inference_mode():
        predicted = model(grid).argmax(dim=1).reshape(xx.shape).numpy()
    cmap = ListedColormap(["tab:blue", "tab:orange", "tab:green", "tab:red"])
    ax.contourf(xx, yy, predicted, levels=np.arange(5) - 0.5, cmap=cmap, alpha=0.25)
    X_np = X.numpy()
    ax.scatter(
        X_np[:, 0],
        X_np[:, 1],
        c=y.numpy(),
        s=12,
        cmap=cmap,
        vmin=0,
        vmax=3,
        edgecolors="k",
        linewidths=0.3,
    )
    ax.set(xlim=limits[:, 0], ylim=limits[:, 1])


def plot_dataset(out: Path, name: str, model: nn.Module, data: Split, test_acc: float) -> None:
    """Save the train and test decision boundaries of one problem side by side."""
    X_train, X_test, y_train, y_test = data
    X_all = np.concatenate([X_train.numpy(), X_test.numpy()])
    margin = 0.1 * (X_all.max(axis=0) - X_all.min(axis=0))
    limits = np.stack([X_all.min(axis=0) - margin, X_all.max(axis=0) + margin])
    fig, (ax1, ax2) = subplots(1, 2, figsize=(10, 4.5))
    plot_decision_boundary(model, X_train, y_train, ax1, limits)
    ax1.set_title(f"{name}: train")
    plot_decision_boundary(model, X_test, y_test, ax2, limits)
    ax2.set_title(f"{name}: test (accuracy {test_acc:.1%})")
    save_figure(fig, out, f"decision_boundary_{name}.png")


def plot_losses(out: Path, histories: dict[str, dict[str, list[float]]]) -> None:
    """Save the training and test loss of every problem in one figure."""
    fig, ax = subplots(figsize=(6.5, 4))
    for i, (name, history) in enumerate(histories.items()):
        ax.plot(history["loss"], color=f"C{i}", label=f"{name} train")
        ax.plot(history["test_loss"], color=f"C{i}", ls="--", label=f"{name} test")
    ax.set(xlabel="epoch", ylabel="CrossEntropyLoss", yscale="log", title="Loss per epoch")
    ax.legend(fontsize=8, ncol=2)
    save_figure(fig, out, "loss_curves.png")


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Train one MLP per problem; return the test accuracy of each (and the histories)."""
    args = parse_args("classifiers", __doc__, argv)
    epochs = 100 if args.quick else 1000
    histories, results = {}, {}
    for name, (X, y) in make_datasets().items():
        print(f"--- {name}: {len(X)} points, {len(np.unique(y))} classes ---")
        data = to_tensors(X, y)
        tg.manual_seed(42)
        model = MLPClassifier(in_features=2, n_classes=len(np.unique(y)), hidden=16)
        histories[name] = train(model, data, epochs, name)
        results[name] = histories[name]["test_acc"][-1]
        print(f"{name}: test accuracy {results[name]:.2%}")
        plot_dataset(args.out, name, model, data, results[name])
    plot_losses(args.out, histories)
    return {"test_accuracy": results, "histories": histories}


if __name__ == "__main__":
    main()
