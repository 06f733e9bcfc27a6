"""A run without PyTorch says, once, how many tests it skipped and how to add PyTorch."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_skips_for_missing_torch_are_counted_once_with_how_to_install(tmp_path):
    # a plugin loaded before any test file: `import torch` fails as if it were not installed
    (tmp_path / "block_torch.py").write_text("import sys\nsys.modules['torch'] = None\n")
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "block_torch", "-p", "no:cacheprovider", "-q",
         "tests/test_nn_init.py", "tests/test_fuzz.py"],
        cwd=ROOT, env=env, capture_output=True, text=True)
    out = run.stdout
    assert run.returncode == 0, out
    assert out.count("skipped because PyTorch is not installed") == 1
    assert "1 test and 1 test file skipped" in out
    assert "pip install torch==2.13.0" in out
