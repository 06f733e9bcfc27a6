"""A small convolutional network on scikit-learn's 8x8 digits, written the PyTorch way.

The MLP of ``mnist_mlp.py`` sees 64 unrelated numbers; a CNN sees an image: each
``Conv2d`` slides small learned filters over it, ``MaxPool2d`` halves the resolution,
and a final ``Linear`` classifies what the filters found::

    (N, 1, 8, 8) -> Conv2d(1, 8, 3, padding=1) -> ReLU -> MaxPool2d(2)    -> (N, 8, 4, 4)
                 -> Conv2d(8, 16, 3, padding=1) -> ReLU -> MaxPool2d(2)   -> (N, 16, 2, 2)
                 -> Flatten -> Linear(64, 10)                             -> logits

It prints the test accuracy and the parameter counts of this CNN and of the wider MLP of
``mnist_mlp.py``, and plots the first layer's 8 filters and what they respond to on one
test digit (its 8 feature maps).

Run:  python -m examples.digits_cnn [--quick] [--out runs/digits_cnn]
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # so `python examples/x.py` works

from tqdm.auto import tqdm

import tinygrad_edu as tg
from examples._common import parse_args, save_figure, subplots
from examples.mnist_mlp import load_data, make_model
from tinygrad_edu import nn, optim
from tinygrad_edu.utils.data import DataLoader, TensorDataset


def make_cnn() -> nn.Sequential:
    """Two conv blocks (8 then 16 filters of 3x3, ReLU, 2x2 max-pool), then a linear layer."""
    return nn.Sequential(
        nn.Conv2d(1, 8, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 2 * 2, 10),
    )


def n_parameters(model: nn.Module) -> int:
    """How many numbers the model learns."""
    return sum(p.numel() for p in model.parameters())


def train(model: nn.Module, loader: DataLoader, epochs: int) -> list[float]:
    """Mini-batch Adam on CrossEntropyLoss; the mean training loss of each epoch."""
    loss_fn = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in tqdm(range(epochs), desc="cnn", disable=None):
        model.train()
        total = 0.0
        for images, labels in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(images), labels)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(images)
        losses.append(total / len(loader.dataset))
    return losses


def accuracy(model: nn.Module, images: tg.Tensor, labels: tg.Tensor) -> float:
    """The fraction of ``images`` whose predicted class is the label."""
    model.eval()
    with tg.inference_mode():
        return (model(images).argmax(dim=1) == labels).float().mean().item()


def plot_filters(out: Path, model: nn.Sequential, image: tg.Tensor) -> None:
    """The first conv layer's 3x3 filters (top) and its ReLU feature maps of ``image``."""
    conv = model[0]
    with tg.no_grad():
        maps = model[1](conv(image[None]))[0]  # (8, 8, 8): one map per filter
    fig, axs = subplots(2, 9, figsize=(13, 3.3))
    axs[0, 0].imshow(image[0].numpy(), cmap="gray_r")
    axs[0, 0].set_title("input")
    axs[1, 0].axis("off")
    weights = conv.weight.detach().numpy()[:, 0]
    limit = abs(weights).max()  # one colour scale for all filters, white at 0
    for k in range(8):
        axs[0, k + 1].imshow(weights[k], cmap="RdBu", vmin=-limit, vmax=limit)
        axs[0, k + 1].set_title(f"filter {k}")
        axs[1, k + 1].imshow(maps[k].numpy(), cmap="viridis")
    for ax in axs.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("first Conv2d layer: learned filters and the feature maps of one digit")
    save_figure(fig, out, "filters.png")


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Train the CNN; return its test accuracy, loss history and parameter counts."""
    args = parse_args("digits_cnn", __doc__, argv)
    epochs = 8 if args.quick else 30
    X_train, X_test, y_train, y_test = load_data()
    images_train, images_test = X_train.reshape(-1, 1, 8, 8), X_test.reshape(-1, 1, 8, 8)
    tg.manual_seed(0)
    loader = DataLoader(TensorDataset(images_train, y_train), batch_size=32, shuffle=True)
    cnn = make_cnn()
    print(cnn)
    losses = train(cnn, loader, epochs)
    acc = accuracy(cnn, images_test, y_test)
    counts = {"CNN": n_parameters(cnn), "MLP 64-128-64-10": n_parameters(make_model((128, 64)))}
    print(f"CNN: test accuracy {acc:.4f}")
    for name, n in counts.items():
        print(f"{name}: {n} parameters")
    plot_filters(args.out, cnn, images_test[0])
    return {"test_accuracy": acc, "losses": losses, "parameters": counts}


if __name__ == "__main__":
    main()
