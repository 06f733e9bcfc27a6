"""The README's Python examples run as written (and the first prints PyTorch's digits)."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


def _run(code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)  # the training example writes a checkpoint
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(README), "exec"), {"__name__": "__readme__"})
    return out.getvalue()


def test_quadratic_fit_prints_pytorch_numbers(tmp_path, monkeypatch):
    printed = _run(BLOCKS[0], tmp_path, monkeypatch)
    # the digits PyTorch 2.13 prints for the same script (torch.manual_seed(2021))
    assert "RMSE: 416.97978443205136" in printed
    assert "RMSE: 19.94053813303834" in printed


def test_training_loop_runs_and_saves(tmp_path, monkeypatch):
    printed = _run(BLOCKS[1], tmp_path, monkeypatch)
    assert "Linear(in_features=2, out_features=16, bias=True)" in printed
    assert (tmp_path / "model.safetensors").exists()
