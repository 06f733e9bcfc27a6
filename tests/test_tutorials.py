"""The tutorials in ``tutorials/`` run top to bottom, and are committed without outputs.

Each notebook is executed in a fresh Jupyter kernel (nbclient) running this Python, with this
checkout first on the path, so that CI runs them as a learner would, in both modes
(``TINYGRAD_EDU_REFERENCE`` reaches the kernel through the environment). Any error in any
cell fails the test with the cell and its traceback.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TUTORIALS = ROOT / "tutorials"
NOTEBOOKS = sorted(TUTORIALS.glob("*.ipynb"))
KERNEL = "tinygrad-edu-tutorials"
# Each notebook runs in 3-15 s on an idle 2-core machine (the goal: under a minute); the
# limit leaves room for a loaded CI runner and still catches a lesson grown too slow.
TIME_LIMIT = 120.0


def test_there_are_at_least_six_tutorials() -> None:
    assert len(NOTEBOOKS) >= 6, [p.name for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_without_outputs(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    dirty = [i for i, cell in enumerate(nb["cells"]) if cell["cell_type"] == "code"
             and (cell.get("outputs") or cell.get("execution_count") is not None)]
    assert not dirty, (f"{path.name}: code cells {dirty} have outputs; clear them before "
                       f"committing: jupyter nbconvert --clear-output --inplace {path.name}")


@pytest.fixture(scope="module")
def kernel_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A kernel spec for this very Python, and the environment the kernel starts in."""
    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    for module in ("matplotlib", "sklearn", "tqdm", "graphviz"):
        pytest.importorskip(module)
    data_dir = tmp_path_factory.mktemp("jupyter")
    spec_dir = data_dir / "kernels" / KERNEL
    spec_dir.mkdir(parents=True)
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "tinygrad_edu tutorials", "language": "python"}
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    env = {"JUPYTER_PATH": str(data_dir),
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return env


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path: Path, kernel_env: dict[str, str],
                       monkeypatch: pytest.MonkeyPatch) -> None:
    import nbformat
    from nbclient import NotebookClient

    for name, value in kernel_env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend draws
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=120, kernel_name=KERNEL,
                            resources={"metadata": {"path": str(TUTORIALS)}})
    start = time.perf_counter()
    client.execute()  # raises CellExecutionError naming the cell that failed
    elapsed = time.perf_counter() - start
    assert elapsed < TIME_LIMIT, f"{path.name} took {elapsed:.0f} s (limit {TIME_LIMIT:.0f} s)"
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    shown = {mime for o in outputs for mime in o.get("data", {})}
    if "plt.show()" in "".join(cell.source for cell in nb.cells):
        assert "image/png" in shown, f"{path.name}: its figures were not shown inline"
