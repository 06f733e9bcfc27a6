"""Whole training loops, written once against the PyTorch API and run with ``lib`` =
torch and ``lib`` = tinygrad_edu from the same seed: the same initial weights (checked
through state_dict), the same data, and the same loss at every step within 1e-4
relative, for 100+ steps, for each optimizer and several models.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from test_nn_module import issue_model

import tinygrad_edu as tg

torch = pytest.importorskip("torch")

RTOL = 1e-4


def _compare(
    run: Callable[[Any], tuple[list[float], Any]],
    exact_steps: int | None = None,
    atol_after: float = 0.0,
) -> None:
    """Losses within RTOL at every step (the first ``exact_steps``; after them within
    ``atol_after``)."""
    ours, our_model = run(tg)
    theirs, their_model = run(torch)
    assert len(ours) == len(theirs) >= 100
    ours_a, theirs_a = np.array(ours), np.array(theirs)
    if exact_steps is not None:
        np.testing.assert_allclose(
            ours_a[exact_steps:], theirs_a[exact_steps:], rtol=0, atol=atol_after
        )
        ours_a, theirs_a = ours_a[:exact_steps], theirs_a[:exact_steps]
    rel = np.abs(ours_a - theirs_a) / np.maximum(np.abs(theirs_a), 1e-12)
    worst = int(rel.argmax())
    assert rel.max() <= RTOL, (
        f"step {worst}: tinygrad_edu {ours_a[worst]!r} vs torch "
        f"{theirs_a[worst]!r} (relative {rel.max():.2e})"
    )


def _same_init(lib: Any, build: Callable[[Any], Any]) -> Any:
    model = build(lib)
    if lib is tg:  # the seed alone must give PyTorch's weights: check, then go on
        reference = build(torch).state_dict()
        for key, value in model.state_dict().items():
            assert np.array_equal(value.numpy(), reference[key].numpy()), key
    return model


# ------------------------------------------------------------------ the issue's loop


def _issue_loop(epochs: int) -> Callable[[Any], tuple[list[float], Any]]:
    weight, bias = 0.7, 0.3
    x = np.arange(0, 1, 0.02, dtype=np.float32)[:, None]
    y = weight * x + bias
    split = int(0.8 * len(x))

    def run(lib: Any) -> tuple[list[float], Any]:
        def build(lib: Any) -> Any:
            lib.manual_seed(42)
            return issue_model(lib)

        model = _same_init(lib, build)
        X_train, y_train = lib.tensor(x[:split]), lib.tensor(y[:split])
        X_test, y_test = lib.tensor(x[split:]), lib.tensor(y[split:])
        loss_fn = lib.nn.L1Loss()
        optimizer = lib.optim.SGD(model.parameters(), lr=0.001)
        losses = []
        for _ in range(epochs):
            model.train()
            loss = loss_fn(model(X_train), y_train)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            model.eval()
            with lib.inference_mode():
                test_loss = loss_fn(model(X_test), y_test)
            losses += [loss.item(), test_loss.item()]
        return losses, model

    return run


def test_issue_training_loop_first_100_epochs() -> None:
    _compare(_issue_loop(100))


@pytest.mark.slow
def test_issue_training_loop_1000_epochs() -> None:
    """After ~300 epochs the model reaches L1's noise floor (loss ~0.01), where SGD on
    sign-like gradients bounces around the minimum: a chaotic regime in which float32
    rounding (BLAS summation order differs between numpy and PyTorch) decides each
    bounce. Losses agree to 1e-6 relative until then; afterwards both stay on the same
    plateau, within its width."""
    _compare(_issue_loop(1000), exact_steps=2 * 300, atol_after=5e-3)


# ----------------------------------------------------------------- classification


def _blobs(n: int = 400, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    r = np.random.default_rng(seed)
    centers = np.array([[-2.0, -2.0], [2.0, 2.0], [-2.0, 2.0], [2.0, -2.0]])
    labels = r.integers(0, 4, n)
    return (centers[labels] + r.normal(0, 1.0, (n, 2))).astype(np.float32), labels


def _classifier(lib: Any) -> Any:
    lib.manual_seed(0)
    n = lib.nn
    return n.Sequential(n.Linear(2, 8), n.ReLU(), n.Linear(8, 8), n.ReLU(), n.Linear(8, 4))


OPTIMIZERS = {
    "sgd": lambda lib, p: lib.optim.SGD(p, lr=0.1),
    "sgd_momentum": lambda lib, p: lib.optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=1e-3),
    "adam": lambda lib, p: lib.optim.Adam(p, lr=0.01),
    "adamw": lambda lib, p: lib.optim.AdamW(p, lr=0.01, weight_decay=0.05),
    "rmsprop": lambda lib, p: lib.optim.RMSprop(p, lr=0.005, momentum=0.5, centered=True),
}


@pytest.mark.parametrize("opt_name", sorted(OPTIMIZERS))
def test_cross_entropy_classifier(opt_name: str) -> None:
    x, labels = _blobs()

    def run(lib: Any) -> tuple[list[float], Any]:
        model = _same_init(lib, _classifier)
        opt = OPTIMIZERS[opt_name](lib, model.parameters())
        loss_fn = lib.nn.CrossEntropyLoss(label_smoothing=0.05)
        X, y = lib.tensor(x), lib.tensor(labels)
        losses = []
        for _ in range(120):
            opt.zero_grad()
            loss = loss_fn(model(X), y)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return losses, model

    _compare(run)


def test_bce_with_logits_model_with_scheduler() -> None:
    x, labels = _blobs(300, seed=1)
    target = (labels % 2).astype(np.float32)[:, None]

    def build(lib: Any) -> Any:
        lib.manual_seed(3)
        n = lib.nn
        return n.Sequential(n.Linear(2, 16), n.ReLU6(), n.Linear(16, 16), n.GELU(), n.Linear(16, 1))

    def run(lib: Any) -> tuple[list[float], Any]:
        model = _same_init(lib, build)
        opt = lib.optim.Adam(model.parameters(), lr=0.02, amsgrad=True)
        sched = lib.optim.lr_scheduler.StepLR(opt, step_size=30, gamma=0.5)
        loss_fn = lib.nn.BCEWithLogitsLoss(pos_weight=lib.tensor([1.5]))
        X, y = lib.tensor(x), lib.tensor(target)
        losses = []
        for _ in range(120):
            opt.zero_grad()
            loss = loss_fn(model(X), y)
            loss.backward()
            opt.step()
            sched.step()
            losses.append(loss.item())
        return losses, model

    _compare(run)


def test_minibatches_with_shuffling_and_dropout() -> None:
    """DataLoader order and Dropout masks both come from the random stream: they match."""
    x, labels = _blobs(240, seed=2)

    def build(lib: Any) -> Any:
        lib.manual_seed(7)
        n = lib.nn
        return n.Sequential(n.Linear(2, 32), n.LeakyReLU(0.1), n.Dropout(0.2), n.Linear(32, 4))

    def run(lib: Any) -> tuple[list[float], Any]:
        model = _same_init(lib, build)
        opt = lib.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
        ds = lib.utils.data.TensorDataset(lib.tensor(x), lib.tensor(labels))
        loader = lib.utils.data.DataLoader(ds, batch_size=16, shuffle=True)
        loss_fn = lib.nn.CrossEntropyLoss()
        losses = []
        for _ in range(7):
            model.train()
            for xb, yb in loader:
                opt.zero_grad()
                loss = loss_fn(model(xb), yb)
                loss.backward()
                opt.step()
                losses.append(loss.item())
            model.eval()
            with lib.no_grad():
                losses.append(loss_fn(model(lib.tensor(x)), lib.tensor(labels)).item())
        return losses, model

    _compare(run)


def test_regression_with_mse_and_rmsprop() -> None:
    r = np.random.default_rng(4)
    x = r.uniform(-2, 2, (200, 3)).astype(np.float32)
    y = (np.sin(x[:, :1]) + x[:, 1:2] * x[:, 2:3]).astype(np.float32)

    def build(lib: Any) -> Any:
        lib.manual_seed(11)
        n = lib.nn
        return n.Sequential(
            n.Linear(3, 32), n.Tanh(), n.Linear(32, 32), n.Sigmoid(), n.Linear(32, 1)
        )

    def run(lib: Any) -> tuple[list[float], Any]:
        model = _same_init(lib, build)
        opt = lib.optim.RMSprop(model.parameters(), lr=0.003)
        loss_fn = lib.nn.SmoothL1Loss(beta=0.5)
        X, Y = lib.tensor(x), lib.tensor(y)
        losses = []
        for _ in range(150):
            opt.zero_grad()
            loss = loss_fn(model(X), Y) + 0.1 * lib.nn.functional.mse_loss(model(X), Y)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return losses, model

    _compare(run)
