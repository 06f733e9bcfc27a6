"""Logistic regression with ``nn.Linear`` + ``BCEWithLogitsLoss``, beside scikit-learn's.

A synthetic binary problem (``make_classification``: 1000 samples, 20 features, 15 of them
informative) is standardised and split 80/20. The model is one ``nn.Linear(20, 1)`` whose
output is a logit; ``BCEWithLogitsLoss`` applies the sigmoid inside the loss, stably.
Mini-batch SGD runs through a ``DataLoader``. The test accuracy is printed beside that of
scikit-learn's ``SGDClassifier(loss="log_loss")``, the same model trained by sklearn.

Run:  python -m examples.logistic_regression [--quick] [--out runs/logistic_regression]
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # so `python examples/x.py` works

import numpy as np
from sklearn.datasets import make_classification
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from tqdm.auto import tqdm

import tinygrad_edu as tg
from examples._common import parse_args, save_figure, subplots
from tinygrad_edu import nn, optim
from tinygrad_edu.utils.data import DataLoader, TensorDataset


def load_data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Standardised train/test split of the synthetic 20-feature binary problem."""
    X, y = make_classification(
        n_samples=1000, n_features=20, n_informative=15, n_redundant=5, random_state=42
    )
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
    scaler = StandardScaler()
    return scaler.fit_transform(X_train), scaler.transform(X_test), y_train, y_test


def evaluate(
    model: nn.Module, loss_fn: nn.Module, X: tg.Tensor, y: tg.Tensor
) -> tuple[float, float]:
    """Loss and accuracy of ``model`` on (X, y), in eval mode and without recording a graph."""
    model.eval()
    with tg.no_grad():
        logits = model(X)
        predictions = (tg.sigmoid(logits) > 0.5).float()
        accuracy = (predictions == y).float().mean().item()
        return loss_fn(logits, y).item(), accuracy


def train(
    model: nn.Module, loader: DataLoader, test: tuple[tg.Tensor, tg.Tensor], epochs: int
) -> dict[str, list[float]]:
    """Mini-batch SGD; return train loss, test loss and test accuracy per epoch."""
    loss_fn = nn.BCEWithLogitsLoss()
    optimizer = optim.SGD(model.parameters(), lr=0.01)
    history: dict[str, list[float]] = {"train_loss": [], "test_loss": [], "test_acc": []}
    for epoch in tqdm(range(epochs), desc="logistic regression", disable=None):
        model.train()
        total = 0.0
        for X_batch, y_batch in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(X_batch), y_batch)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(X_batch)
        test_loss, test_acc = evaluate(model, loss_fn, *test)
        history["train_loss"].append(total / len(loader.dataset))
        history["test_loss"].append(test_loss)
        history["test_acc"].append(test_acc)
        if (epoch + 1) % 10 == 0:
            tqdm.write(f"Epoch [{epoch + 1}/{epochs}], Loss: {history['train_loss'][-1]:.4f}")
    return history


def plot_history(out: Path, history: dict[str, list[float]], sklearn_acc: float) -> None:
    """Save the loss curves and the test accuracy per epoch."""
    fig, (ax1, ax2) = subplots(1, 2, figsize=(11, 4))
    ax1.plot(history["train_loss"], label="train")
    ax1.plot(history["test_loss"], label="test")
    ax1.set(xlabel="epoch", ylabel="BCEWithLogitsLoss", title="Loss")
    ax1.legend()
    ax2.plot(history["test_acc"], label="nn.Linear + BCEWithLogitsLoss")
    ax2.axhline(sklearn_acc, color="gray", ls="--", label="sklearn SGDClassifier")
    ax2.set(xlabel="epoch", ylabel="accuracy", title="Test accuracy")
    ax2.legend(loc="lower right")
    save_figure(fig, out, "training.png")


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run the example; return both test accuracies and the training history."""
    args = parse_args("logistic_regression", __doc__, argv)
    X_train, X_test, y_train, y_test = load_data()
    tg.manual_seed(42)
    X_train_t = tg.tensor(X_train, dtype=tg.float32)
    y_train_t = tg.tensor(y_train, dtype=tg.float32).unsqueeze(1)  # (N, 1), like the logits
    X_test_t = tg.tensor(X_test, dtype=tg.float32)
    y_test_t = tg.tensor(y_test, dtype=tg.float32).unsqueeze(1)
    loader = DataLoader(TensorDataset(X_train_t, y_train_t), batch_size=32, shuffle=True)

    model = nn.Linear(20, 1)
    history = train(model, loader, (X_test_t, y_test_t), epochs=10 if args.quick else 100)
    sklearn_model = SGDClassifier(loss="log_loss", random_state=42).fit(X_train, y_train)
    sklearn_acc = float(sklearn_model.score(X_test, y_test))
    print(f"Test accuracy, nn.Linear + BCEWithLogitsLoss: {history['test_acc'][-1]:.4f}")
    print(f"Test accuracy, sklearn SGDClassifier:         {sklearn_acc:.4f}")
    plot_history(args.out, history, sklearn_acc)
    return {"accuracy": history["test_acc"][-1], "sklearn_accuracy": sklearn_acc, **history}


if __name__ == "__main__":
    main()
