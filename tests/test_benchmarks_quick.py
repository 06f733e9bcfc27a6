"""The benchmark suite (issue 7) runs end to end in ``--quick`` mode, so it cannot rot.

Benchmarks are not tests: nothing here asserts a speed. These check that every workload
builds and runs on every implementation that imports, that a broken implementation is
reported rather than fatal, that the RSS subprocess works, and that the numpy floor
computes the same gradients as PyTorch (so the floor is a floor of the *same* work).
The whole file takes a few seconds; it is marked ``benchmark`` so it can be selected
(``-m benchmark``) or deselected, and runs by default.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # benchmarks/ lives beside the package, not inside it

harness = importlib.import_module("benchmarks.harness")
numpy_floor = importlib.import_module("benchmarks.numpy_floor")
workloads = importlib.import_module("benchmarks.workloads")
bench_main = importlib.import_module("benchmarks.__main__").main

pytestmark = pytest.mark.benchmark


def test_quick_suite_runs_every_workload(capsys):
    assert bench_main(["--quick", "--rounds", "1"]) == 0
    out = capsys.readouterr().out
    for w in workloads.WORKLOADS.values():
        if w.default:
            line = next(ln for ln in out.splitlines() if ln.startswith(w.label))
            numpy_us = line.split()[6]
            assert numpy_us != "n/a", f"numpy floor of {w.label} did not run:\n{out}"


def test_quick_suite_runs_tinygrad_edu_where_it_imports(capsys):
    pytest.importorskip("tinygrad_edu")
    assert bench_main(["--quick", "--rounds", "1", "--impls", "tg", "--only", "W1m,W6"]) == 0
    out = capsys.readouterr().out
    assert "W6 deep-chain" in out


def test_only_selects_case_insensitively():
    assert [w.key for w in workloads.select("w2, W1m")] == ["W2", "W1m"]
    with pytest.raises(ValueError, match="unknown workload"):
        workloads.select("W9")


def test_broken_implementation_is_reported_not_fatal():
    def broken(lib, quick):
        raise AttributeError("module 'tinygrad_edu' has no attribute 'nn'")

    w = workloads.Workload("WX", "broken", 1.0, broken, numpy_floor.w1_linreg)
    cfg = harness.Config(quick=True, rounds=1, threads=(1,), impls=("tg", "numpy"), rss=False)
    row = harness.time_workload(w, {"tg": object(), "numpy": None}, cfg, {})
    assert "has no attribute 'nn'" in row.errors["tg"]
    assert row.timings["numpy"].median > 0


def test_rss_child_measures_peak_in_a_fresh_process():
    cfg = harness.Config(quick=True, mallopt=True)
    rss = harness.measure_rss(workloads.WORKLOADS["W1"], "numpy", cfg)
    assert isinstance(rss, harness.Rss), rss
    assert rss.peak_mb > 1 and rss.growth_mb >= 0


def _torch_twin(torch, mlp, acts):
    """A torch Sequential holding the numpy floor's very weights."""
    mods = []
    for i, layer in enumerate(mlp.layers):
        lin = torch.nn.Linear(layer.w.shape[1], layer.w.shape[0])
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(layer.w))
            lin.bias.copy_(torch.from_numpy(layer.b))
        mods.append(lin)
        if i < len(acts):
            mods.append(torch.nn.ReLU6() if acts[i] == "relu6" else torch.nn.ReLU())
    return torch.nn.Sequential(*mods)


@pytest.mark.parametrize(
    "sizes, acts, loss",
    [
        ([2, 16, 8, 16, 1], ["relu", "relu6", "relu"], "bce"),
        ([2, 8, 8, 4], ["relu", "relu"], "ce"),
        ([1, 1], [], "mse"),
    ],
)
def test_numpy_floor_gradients_match_torch(sizes, acts, loss):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((64, sizes[0])) * 4).astype(np.float32)  # *4: reach ReLU6's cap
    if loss == "ce":
        y = rng.integers(0, sizes[-1], 64)
    else:
        y = rng.random((64, 1)).round().astype(np.float32)
    mlp = numpy_floor._MLP(sizes, acts)
    model = _torch_twin(torch, mlp, acts)
    torch_loss, np_loss = {
        "bce": (torch.nn.BCEWithLogitsLoss(), numpy_floor._bce_with_logits),
        "ce": (torch.nn.CrossEntropyLoss(), numpy_floor._cross_entropy),
        "mse": (torch.nn.MSELoss(), numpy_floor._mse),
    }[loss]
    expected = torch_loss(model(torch.from_numpy(x)), torch.from_numpy(y))
    expected.backward()
    value, grad = np_loss(mlp.forward(x), y)
    mlp.backward(grad)
    assert value == pytest.approx(expected.item(), rel=1e-5)
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    for lin, layer in zip(linears, mlp.layers):
        np.testing.assert_allclose(layer.gw, lin.weight.grad.numpy(), rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(layer.gb, lin.bias.grad.numpy(), rtol=1e-4, atol=1e-6)


def test_plot_draws_a_png_from_results(tmp_path):
    pytest.importorskip("matplotlib")
    plot = importlib.import_module("benchmarks.plot")
    fake = {
        "width": {"torch": [float(w) for w in plot.WIDTHS], "tg": [None] * len(plot.WIDTHS)},
        "batch": {"numpy": [float(b) for b in plot.BATCHES]},
    }
    path = tmp_path / "scaling.png"
    plot.draw(fake, str(path), harness.Config(quick=True))
    assert path.stat().st_size > 10_000
