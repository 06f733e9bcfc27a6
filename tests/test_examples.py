"""Every example runs in ``--quick`` mode and passes its pass mark.

Not exact floats: convergence within a tolerance, accuracy above a floor, the plots written
and the lines a learner expects printed -- the way one would mark a learner's notebook.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("sklearn")
pytest.importorskip("tqdm")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # examples/ lives beside the package, not inside it


def run_quick(name: str, out: Path) -> dict[str, Any]:
    """Run ``examples.<name>`` in quick mode, writing its plots to ``out``."""
    module = importlib.import_module(f"examples.{name}")
    return module.main(["--quick", "--out", str(out)])


def assert_plots(out: Path, *names: str) -> None:
    """Each named PNG exists and is not empty."""
    for name in names:
        path = out / name
        assert path.is_file() and path.stat().st_size > 1000, f"missing plot {path}"


def test_load_advertising_ships_with_the_package():
    from tinygrad_edu.datasets import load_advertising

    data = load_advertising()
    assert sorted(data) == ["Newspaper", "Radio", "Sales", "TV"]
    assert all(column.shape == (200,) and column.dtype == np.float64 for column in data.values())
    assert (data["TV"][0], data["Radio"][0], data["Newspaper"][0], data["Sales"][0]) == (
        230.1,
        37.8,
        69.2,
        22.1,
    )


def test_gradient_descent_reaches_the_normal_equation(tmp_path, capsys):
    result = run_quick("gradient_descent", tmp_path)
    np.testing.assert_allclose(result["theta_gd"], result["theta_normal"], atol=1e-3)
    np.testing.assert_allclose(result["theta_normal"].ravel(), [4.215, 2.770], atol=1e-3)
    assert result["losses"][-1] < result["losses"][0] / 40
    assert np.all(np.diff(result["losses"]) <= 1e-12), "full-batch GD loss never goes up"
    assert "Iteration 0: Loss = " in capsys.readouterr().out
    assert_plots(tmp_path, "loss_curve.png", "fit.png")


def test_linear_regression_methods_agree(tmp_path, capsys):
    fits = run_quick("linear_regression", tmp_path)["fits"]
    ols = np.array(fits["(a) closed-form OLS"])
    np.testing.assert_allclose(ols, [0.2152, 0.5534], atol=1e-4)
    for name, fit in fits.items():
        np.testing.assert_allclose(fit, ols, atol=5e-3, err_msg=name)
    np.testing.assert_allclose(
        fits["(b) SGD by hand (numpy)"], fits["(c) nn.Linear + optim.SGD float64"], atol=1e-10
    )
    np.testing.assert_allclose(
        fits["(c) nn.Linear + optim.SGD float32"],
        fits["(c) nn.Linear + optim.SGD float64"],
        atol=1e-4,
    )
    assert "intercept" in capsys.readouterr().out
    assert_plots(tmp_path, "fit.png", "loss_curve.png")


def test_quadratic_rmse_falls(tmp_path, capsys):
    result = run_quick("quadratic", tmp_path)
    rmse = result["rmse"]
    assert len(rmse) == 10
    assert rmse[-1] < rmse[0] / 10
    assert all(b <= a + 1e-6 for a, b in zip(rmse, rmse[1:])), "RMSE goes down at every step"
    assert capsys.readouterr().out.count("RMSE: ") == 10
    assert_plots(tmp_path, "predictions.png", "rmse.png")


def test_logistic_regression_learns(tmp_path):
    result = run_quick("logistic_regression", tmp_path)
    assert result["accuracy"] >= 0.70
    assert result["sklearn_accuracy"] >= 0.75
    assert result["train_loss"][-1] < result["train_loss"][0] - 0.1
    assert_plots(tmp_path, "training.png")


def test_classifiers_beat_their_floors(tmp_path):
    accuracy = run_quick("classifiers", tmp_path)["test_accuracy"]
    floors = {"circles": 0.85, "moons": 0.95, "blobs": 0.95, "spiral": 0.85}
    for name, floor in floors.items():
        assert accuracy[name] >= floor, f"{name}: test accuracy {accuracy[name]:.3f} < {floor}"
    assert_plots(tmp_path, "loss_curves.png", *(f"decision_boundary_{n}.png" for n in floors))


def test_mnist_mlp_wider_reaches_95_percent(tmp_path, capsys):
    result = run_quick("mnist_mlp", tmp_path)
    accuracy = result["test_accuracy"]
    assert accuracy["64-128-64-10 (wider)"] >= 0.95
    assert accuracy["64-10-10-10"] >= 0.80
    for counts in result["confusion"].values():
        assert counts.sum() == 360 and np.trace(counts) >= 0.8 * 360
    assert capsys.readouterr().out.count("Prediction: [") == 5
    assert_plots(tmp_path, "confusion_matrix.png", "predictions.png", "loss_curves.png")


def test_digits_cnn_reaches_95_percent_with_a_tenth_of_the_parameters(tmp_path, capsys):
    result = run_quick("digits_cnn", tmp_path)
    assert result["test_accuracy"] >= 0.95
    counts = result["parameters"]
    assert counts["CNN"] * 5 < counts["MLP 64-128-64-10"]
    assert result["losses"][-1] < 0.5 * result["losses"][0]  # it trained
    assert "Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))" in \
        capsys.readouterr().out  # the model printed as PyTorch prints it
    assert_plots(tmp_path, "filters.png")


def test_l1_and_huber_resist_outliers(tmp_path):
    result = run_quick("losses", tmp_path)
    fits, mae = result["fits"], result["inlier_mae"]
    mse_slope = fits["MSELoss"][0]
    np.testing.assert_allclose(fits["MSELoss"], result["least_squares"], atol=0.5)
    assert abs(mse_slope - 3.0) > 1.0, "the outliers drag the MSE line"
    for name in ("L1Loss", "HuberLoss(delta=1)"):
        slope, intercept = fits[name]
        assert abs(slope - 3.0) < 0.3 and abs(intercept - 2.0) < 1.0, name
        assert mae[name] < 1.0 < mae["MSELoss"], name
    assert_plots(tmp_path, "fits.png")


def test_run_all_writes_the_index(tmp_path):
    from examples import run_all

    runs = run_all.main(["--quick", "--out", str(tmp_path), "--only", "quadratic", "losses"])
    assert [run.error for run in runs.values()] == [None, None]
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "RMSE: " in index and "HuberLoss" in index
    for src in ("quadratic/predictions.png", "quadratic/rmse.png", "losses/fits.png"):
        assert f'src="{src}"' in index
        assert (tmp_path / src).is_file()


def test_examples_never_switch_the_matplotlib_backend_and_show_bars_in_notebooks(tmp_path):
    """Running an example in a notebook kernel keeps its inline plots: no example imports
    pyplot (whose backend is global to the process) or calls matplotlib.use; progress
    bars come from tqdm.auto (widgets in a notebook, text in a terminal)."""
    import subprocess

    import tqdm.auto

    names = [p.stem for p in (ROOT / "examples").glob("*.py") if not p.stem.startswith("_")]
    code = ("import sys, importlib, matplotlib\n"
            "backend = matplotlib.rcParams._get_backend_or_none()\n"
            f"for name in {names!r}:\n"
            "    importlib.import_module('examples.' + name)\n"
            "importlib.import_module('examples.quadratic').main(['--quick', '--out', sys.argv[1]])\n"
            "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'\n"
            "assert matplotlib.rcParams._get_backend_or_none() == backend, 'backend changed'\n")
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, check=True,
                   capture_output=True)
    for name in names:
        module = importlib.import_module(f"examples.{name}")
        assert getattr(module, "tqdm", tqdm.auto.tqdm) is tqdm.auto.tqdm, name
    assert_plots(tmp_path, "predictions.png", "rmse.png")


def _readme() -> str:
    return (ROOT / "README.md").read_text()


def test_readme_quotes_what_exercise_swish_prints(tmp_path, capsys):
    run_quick("exercise_swish", tmp_path)
    printed = capsys.readouterr().out.splitlines()
    block = _readme().split("```\nFAIL  SwishBackward", 1)[1].split("```", 1)[0]
    for line in ("FAIL  SwishBackward" + block).strip().splitlines():
        assert line in printed, f"the README quotes a line the example does not print: {line}"


@pytest.mark.slow
def test_readme_digits_rows_match_what_the_examples_print(tmp_path):
    mlp = importlib.import_module("examples.mnist_mlp").main(["--out", str(tmp_path)])
    cnn = importlib.import_module("examples.digits_cnn").main(["--out", str(tmp_path)])
    small, wide = mlp["test_accuracy"]["64-10-10-10"], mlp["test_accuracy"]["64-128-64-10 (wider)"]
    row = next(line for line in _readme().splitlines() if line.startswith("| `mnist_mlp.py`"))
    assert f"64-10-10-10 network ({small:.0%} test accuracy)" in row
    assert f"64-128-64-10 ({wide:.1%})" in row
    row = next(line for line in _readme().splitlines() if line.startswith("| `digits_cnn.py`"))
    assert f"~{cnn['test_accuracy']:.0%}" in row
