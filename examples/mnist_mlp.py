"""The MNIST-style MLP on scikit-learn's bundled 8x8 digits (no download needed).

Each 8x8 image becomes 64 inputs in [0, 1]. Two networks are trained on mini-batches with
``CrossEntropyLoss`` and Adam:

- the network of the material: 64 -> 10 -> 10 -> 10 with ReLU, softmax output;
- a wider one: 64 -> 128 -> 64 -> 10.

Both return logits: the softmax lives inside ``CrossEntropyLoss`` during training (stable and
exact), and is applied explicitly (``F.softmax``) to turn logits into class probabilities at
prediction time. The script prints the test accuracy of each, a few lines
"Prediction: [3]  Label: [3]", and plots the confusion matrices and some test digits.

Run:  python -m examples.mnist_mlp [--quick] [--out runs/mnist_mlp]
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # so `python examples/x.py` works

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from tqdm.auto import tqdm

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from examples._common import parse_args, save_figure, subplots
from tinygrad_edu import nn, optim
from tinygrad_edu.utils.data import DataLoader, TensorDataset


def load_data() -> tuple[tg.Tensor, tg.Tensor, tg.Tensor, tg.Tensor]:
    """Digits as float32 pixels in [0, 1] (N, 64) and int64 labels, split 80/20."""
    digits = load_digits()
    X = (digits.data / 16.0).astype(np.float32)  # pixel values are 0..16
    X_train, X_test, y_train, y_test = train_test_split(
        X, digits.target, test_size=0.2, random_state=42, stratify=digits.target
    )
    return tg.tensor(X_train), tg.tensor(X_test), tg.tensor(y_train), tg.tensor(y_test)


def make_model(hidden: tuple[int, int]) -> nn.Sequential:
    """64 -> hidden[0] -> hidden[1] -> 10, ReLU between layers; outputs logits."""
    return nn.Sequential(
        nn.Linear(64, hidden[0]),
        nn.ReLU(),
        nn.Linear(hidden[0], hidden[1]),
        nn.ReLU(),
        nn.Linear(hidden[1], 10),
    )


def predict(model: nn.Module, X: tg.Tensor) -> tg.Tensor:
    """Predicted classes: the argmax of the softmax probabilities."""
    model.eval()
    with tg.inference_mode():
        probabilities = F.softmax(model(X), dim=1)
        return probabilities.argmax(dim=1)


def train(model: nn.Module, loader: DataLoader, epochs: int, lr: float, name: str) -> list[float]:
    """Mini-batch Adam on CrossEntropyLoss; return the mean training loss per epoch."""
    loss_fn = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=lr)
    losses = []
    for epoch in tqdm(range(epochs), desc=name, disable=None):
        model.train()
        total = 0.0
        for X_batch, y_batch in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(X_batch), y_batch)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(X_batch)
        losses.append(total / len(loader.dataset))
        if (epoch + 1) % 10 == 0:
            tqdm.write(f"{name} epoch {epoch + 1}/{epochs}: loss {losses[-1]:.4f}")
    return losses


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int = 10) -> np.ndarray:
    """counts[i, j] = number of test digits of class i predicted as j."""
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts


def plot_confusion(out: Path, matrices: dict[str, np.ndarray], accs: dict[str, float]) -> None:
    """Save one confusion matrix per model, side by side, with the counts written in."""
    fig, axs = subplots(1, len(matrices), figsize=(5.5 * len(matrices), 5))
    for ax, (name, counts) in zip(np.atleast_1d(axs), matrices.items()):
        ax.imshow(counts, cmap="Blues")
        for (i, j), n in np.ndenumerate(counts):
            color = "white" if n > counts.max() / 2 else "black"
            ax.text(j, i, str(n), ha="center", va="center", fontsize=8, color=color)
        ax.set(xticks=range(10), yticks=range(10), xlabel="predicted", ylabel="true")
        ax.set_title(f"{name}: test accuracy {accs[name]:.1%}")
    save_figure(fig, out, "confusion_matrix.png")


def plot_samples(out: Path, X: tg.Tensor, y: tg.Tensor, pred: tg.Tensor, n: int = 16) -> None:
    """Save the first ``n`` test digits, titled with prediction and label (red if wrong)."""
    fig, axs = subplots(2, n // 2, figsize=(n * 0.75, 4.2))
    for i, ax in enumerate(axs.flat):
        ax.imshow(X[i].reshape(8, 8).numpy(), cmap="gray_r")
        ok = pred[i].item() == y[i].item()
        ax.set_title(
            f"pred {pred[i].item()}\nlabel {y[i].item()}",
            fontsize=9,
            color="black" if ok else "red",
        )
        ax.axis("off")
    save_figure(fig, out, "predictions.png")


def plot_losses(out: Path, losses: dict[str, list[float]]) -> None:
    """Save the training-loss curves of both models."""
    fig, ax = subplots(figsize=(6, 4))
    for name, history in losses.items():
        ax.plot(range(1, len(history) + 1), history, label=name)
    ax.set(xlabel="epoch", ylabel="CrossEntropyLoss", yscale="log", title="Training loss")
    ax.legend()
    save_figure(fig, out, "loss_curves.png")


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Train both networks; return their test accuracies and confusion matrices."""
    args = parse_args("mnist_mlp", __doc__, argv)
    epochs = 10 if args.quick else 50
    X_train, X_test, y_train, y_test = load_data()
    tg.manual_seed(42)
    loader = DataLoader(TensorDataset(X_train, y_train), batch_size=32, shuffle=True)
    configs = {"64-10-10-10": ((10, 10), 1e-2), "64-128-64-10 (wider)": ((128, 64), 3e-3)}

    accs, matrices, losses, models = {}, {}, {}, {}
    for name, (hidden, lr) in configs.items():
        models[name] = model = make_model(hidden)
        losses[name] = train(model, loader, epochs, lr, name)
        pred = predict(model, X_test)
        accs[name] = (pred == y_test).float().mean().item()
        matrices[name] = confusion_matrix(y_test.numpy(), pred.numpy())
        print(f"{name}: test accuracy {accs[name]:.4f}")

    wide = models["64-128-64-10 (wider)"]
    for i in range(5):
        prediction = predict(wide, X_test[i : i + 1])
        print(f"Prediction: {prediction.numpy()}  Label: {y_test[i : i + 1].numpy()}")
    plot_confusion(args.out, matrices, accs)
    plot_samples(args.out, X_test, y_test, predict(wide, X_test))
    plot_losses(args.out, losses)
    return {"test_accuracy": accs, "confusion": matrices, "losses": losses}


if __name__ == "__main__":
    main()
