"""The training loops of issue 7, each written ONCE against PyTorch's API.

Every workload is a function of the library module: ``w1_linreg(torch)`` and
``w1_linreg(tinygrad_edu)`` run literally the same code, since tinygrad_edu's API is
PyTorch's. It builds data, model and optimizer (setup, not timed) and returns a *runner*:
a zero-argument callable that runs one timed round of the loop and returns how many
training steps it took. The handwritten-numpy floor of each lives in ``numpy_floor.py``.

Example:
    >>> import torch
    >>> run = w1_linreg(torch, quick=True)
    >>> run()
    20
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from benchmarks import data, numpy_floor

Runner = Callable[[], int]


def _tensors(lib: ModuleType, *arrays: Any) -> list[Any]:
    """Hand numpy arrays to ``lib`` without copying (``from_numpy`` shares memory)."""
    return [lib.from_numpy(a) for a in arrays]


def _train(model: Any, loss_fn: Any, opt: Any, x: Any, y: Any) -> None:
    """One training step, the way every PyTorch tutorial writes it."""
    opt.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    opt.step()


def _compiled(lib: ModuleType, step: Callable[[], Any]) -> Callable[[], Any]:
    """``lib.compile(step)``, called three times (warm-up, record, check against eager):
    ``compile_ms`` is what those calls took, for the report."""
    compiled = lib.compile(step)
    start = time.perf_counter()
    for _ in range(3):
        compiled()
    compiled.compile_ms = (time.perf_counter() - start) * 1e3
    return compiled  # type: ignore[no-any-return]


def _loop(step: Callable[[], Any], steps: int, lib: ModuleType, compiled: bool) -> Runner:
    """A runner calling ``step`` ``steps`` times (``lib.compile(step)`` if ``compiled``)."""
    fn = _compiled(lib, step) if compiled else step

    def run() -> int:
        for _ in range(steps):
            fn()
        return steps

    run.compile_ms = getattr(fn, "compile_ms", None)  # type: ignore[attr-defined]
    return run


def _full_batch(
    lib: ModuleType, model: Any, loss_fn: Any, lr: float, xy: Any, steps: int,
    compiled: bool = False,
) -> Runner:
    """A runner doing ``steps`` full-batch SGD steps of ``model`` on the arrays ``xy``."""
    x, y = _tensors(lib, *xy)
    opt = lib.optim.SGD(model.parameters(), lr=lr)

    def step() -> None:
        _train(model, loss_fn, opt, x, y)

    return _loop(step, steps, lib, compiled)


def w1_linreg(lib: ModuleType, quick: bool = False, compiled: bool = False) -> Runner:
    """W1 linreg: 200x1 data, ``Linear(1, 1)``, ``MSELoss``, SGD lr 0.1, 1000 steps."""
    lib.manual_seed(0)
    model = lib.nn.Linear(1, 1)
    steps = 20 if quick else 1000
    return _full_batch(lib, model, lib.nn.MSELoss(), 0.1, data.linreg(), steps, compiled)


def w1m_linreg_core(lib: ModuleType, quick: bool = False) -> Runner:
    """W1m (issue 2): ``x @ w.T + b``, MSE and SGD by hand through ``.data``: core engine only."""
    x, y = _tensors(lib, *data.linreg())
    lib.manual_seed(0)
    w = lib.randn(1, 1).requires_grad_()
    b = lib.zeros(1).requires_grad_()
    steps, lr = (20 if quick else 1000), 0.1

    def run() -> int:
        for _ in range(steps):
            loss = ((x @ w.T + b - y) ** 2).mean()
            loss.backward()
            w.data -= lr * w.grad.data
            b.data -= lr * b.grad.data
            w.grad = None
            b.grad = None
        return steps

    return run


def w2_quadratic(lib: ModuleType, quick: bool = False, compiled: bool = False) -> Runner:
    """W2 quadratic: the quadratic fit of issue 2, verbatim (without its print), 1000 steps."""
    lib.manual_seed(2021)
    time = lib.arange(0, 20).float()
    speed = lib.rand(20) * 5 + 0.8 * (time - 7.5) ** 2 + 1
    params = lib.randn(3).requires_grad_()
    steps = 20 if quick else 1000

    def f(t: Any, params: Any) -> Any:
        a, b, c = params
        return a * (t**2) + (b * t) + c

    def step() -> None:
        loss = ((f(time, params) - speed) ** 2).mean()
        loss.backward()
        params.data -= 1e-5 * params.grad.data
        params.grad = None

    return _loop(step, steps, lib, compiled)


def w3_wide_mlp(lib: ModuleType, quick: bool = False) -> Runner:
    """W3 wide-mlp: 1000x2, 2-512-256-512-1 (ReLU, ReLU6, ReLU), BCEWithLogits, SGD, 50 steps."""
    nn = lib.nn
    lib.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(2, 512), nn.ReLU(),
        nn.Linear(512, 256), nn.ReLU6(),
        nn.Linear(256, 512), nn.ReLU(),
        nn.Linear(512, 1),
    )  # fmt: skip
    steps = 2 if quick else 50
    return _full_batch(lib, model, nn.BCEWithLogitsLoss(), 0.1, data.circles(), steps)


def w4_blobs_ce(lib: ModuleType, quick: bool = False, compiled: bool = False) -> Runner:
    """W4 blobs-ce: 1000x2, 2-8-8-4 with ReLU, CrossEntropyLoss, SGD lr 0.1, 1000 steps."""
    nn = lib.nn
    lib.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 4))
    steps = 20 if quick else 1000
    return _full_batch(lib, model, nn.CrossEntropyLoss(), 0.1, data.blobs(), steps, compiled)


def w5_mnist_mlp(lib: ModuleType, quick: bool = False, compiled: bool = False) -> Runner:
    """W5 mnist-mlp: 60000x784, 784-128-10 ReLU, CE, SGD momentum 0.9, batch 64, one epoch.

    Batches come shuffled from ``DataLoader(TensorDataset(x, y))``, as in a tutorial.
    """
    nn = lib.nn
    loaders = importlib.import_module(lib.__name__ + ".utils.data")
    x, y = _tensors(lib, *data.mnist_like(1024 if quick else 60_000))
    lib.manual_seed(0)
    loader = loaders.DataLoader(loaders.TensorDataset(x, y), batch_size=64, shuffle=True)
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    loss_fn = nn.CrossEntropyLoss()
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step(xb: Any, yb: Any) -> None:
        _train(model, loss_fn, opt, xb, yb)

    train = lib.compile(step) if compiled else step
    compile_ms = None
    if compiled:  # warm-up, record and check on the first three batches
        start = time.perf_counter()
        for _, (xb, yb) in zip(range(3), loader):
            train(xb, yb)
        compile_ms = (time.perf_counter() - start) * 1e3

    def run() -> int:
        steps = 0
        for xb, yb in loader:
            train(xb, yb)
            steps += 1
        return steps

    run.compile_ms = compile_ms  # type: ignore[attr-defined]
    return run


def w6_deep_chain(lib: ModuleType, quick: bool = False) -> Runner:
    """W6 deep-chain: 100,000 scalar ops (``y * 0.999 + 0.001``, alternating), then backward.

    One "step" is the whole chain: build, backward, free. Its peak memory is the graph's.
    """
    ops = 2_000 if quick else 100_000

    def run() -> int:
        x = lib.tensor(1.0, requires_grad=True)
        y = x
        for _ in range(ops // 2):
            y = y * 0.999 + 0.001
        y.backward()
        return 1

    return run


def mlp_step(lib: ModuleType, width: int, batch: int, steps: int) -> Runner:
    """The scaling plot: 64-width-width-10 ReLU MLP, CE, SGD on one batch of ``batch`` rows."""
    nn = lib.nn
    lib.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(64, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(), nn.Linear(width, 10)
    )
    return _full_batch(lib, model, nn.CrossEntropyLoss(), 0.01, data.features(batch, 64), steps)


@dataclass(frozen=True)
class Workload:
    """One benchmark: its id, what it is, the tg/torch target of issue 7, and its three builders."""

    key: str
    name: str
    target: float | None
    build: Callable[..., Runner]  # (lib, quick, compiled=False)
    floor: Callable[[bool], Runner]
    default: bool = True
    compiled_target: float | None = None  # issue 16's tg.compile/torch target, if compiled

    @property
    def label(self) -> str:
        """``"W1 linreg"``: the row label of the tables."""
        return f"{self.key} {self.name}"


WORKLOADS: dict[str, Workload] = {
    w.key: w
    for w in [
        Workload("W1", "linreg", 0.35, w1_linreg, numpy_floor.w1_linreg, compiled_target=0.15),
        Workload("W1m", "linreg-core", 1.0, w1m_linreg_core, numpy_floor.w1_linreg, default=False),
        Workload("W2", "quadratic", 0.35, w2_quadratic, numpy_floor.w2_quadratic,
                 compiled_target=0.15),
        Workload("W3", "wide-mlp", 1.0, w3_wide_mlp, numpy_floor.w3_wide_mlp),
        Workload("W4", "blobs-ce", 0.6, w4_blobs_ce, numpy_floor.w4_blobs_ce,
                 compiled_target=0.30),
        Workload("W5", "mnist-mlp", 0.7, w5_mnist_mlp, numpy_floor.w5_mnist_mlp,
                 compiled_target=0.5),
        Workload("W6", "deep-chain", 0.3, w6_deep_chain, numpy_floor.w6_deep_chain),
    ]
}
"""Every workload by key; ``default=False`` ones (W1m, for issue 2) run only when named."""


def select(only: str | None) -> list[Workload]:
    """The workloads named in ``only`` (``"W1,W2"``, case-insensitive), or every default one."""
    if not only:
        return [w for w in WORKLOADS.values() if w.default]
    by_key = {k.lower(): w for k, w in WORKLOADS.items()}
    keys = [k.strip().lower() for k in only.split(",") if k.strip()]
    unknown = [k for k in keys if k not in by_key]
    if unknown:
        raise ValueError(f"unknown workload(s) {unknown}; choose from {', '.join(WORKLOADS)}")
    return [by_key[k] for k in keys]
