"""The README's Python examples run as a newcomer runs them: pasted in order into one
Python process. Each ```python block shares the names of the blocks before it, and the
bare ``` block right after one is what it prints (checked to the digit; only the line
numbers of the engine's files, which move as the code changes, are not compared)."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
# a ```python block, then (optionally, after blank lines) the bare ``` block of its output
BLOCK = re.compile(r"```python\n(.*?)```\n(?:\s*\n```\n(.*?)```\n)?", re.S)
BLOCKS = BLOCK.findall(README.read_text())


def run_readme(workdir: Path) -> tuple[list[str], dict[str, object]]:
    """Run every ```python block of the README in order, in one namespace, in
    ``workdir`` (the examples write files); return what each block printed, and the
    namespace."""
    namespace: dict[str, object] = {"__name__": "__main__"}
    printed = []
    cwd = os.getcwd()
    os.chdir(workdir)
    try:
        for code, _ in BLOCKS:
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(code, str(README), "exec"), namespace)
            printed.append(out.getvalue())
    finally:
        os.chdir(cwd)
    return printed, namespace


def _without_line_numbers(text: str) -> str:
    return re.sub(r"\.py:\d+", ".py:N", text)


@pytest.fixture(scope="module")
def readme(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], dict[str, object]]:
    pytest.importorskip("graphviz")
    pytest.importorskip("safetensors")
    if shutil.which("dot") is None:
        pytest.skip("the README draws a graph: Graphviz's dot program is needed")
    return run_readme(tmp_path_factory.mktemp("readme"))


@pytest.fixture(scope="module")
def printed(readme) -> list[str]:
    return readme[0]


def test_readme_blocks_run_in_order_in_one_process(printed):
    assert len(printed) == len(BLOCKS) >= 4


def test_quadratic_fit_prints_pytorch_numbers(printed):
    # the digits PyTorch 2.13 prints for the same script (torch.manual_seed(2021))
    assert "RMSE: 416.97978443205136" in printed[0]
    assert "RMSE: 19.94053813303834" in printed[0]


@pytest.mark.parametrize("k", [k for k, (_, shown) in enumerate(BLOCKS) if shown])
def test_readme_shows_what_its_code_prints(printed, k):
    assert _without_line_numbers(printed[k]) == _without_line_numbers(BLOCKS[k][1])


def test_training_loop_learns_something_real(printed):
    accuracies = [float(a) for a in re.findall(r"test accuracy ([\d.]+)", printed[1])]
    assert accuracies[-1] >= 0.95 > accuracies[0] - 0.05


def test_graph_picture_is_made_by_the_code_shown():
    """docs/mlp_graph.py, which renders the README's picture, runs the README's code."""
    script = (ROOT / "docs" / "mlp_graph.py").read_text()
    viz = [code for code, _ in BLOCKS if "draw_graph" in code or "trace_backward" in code]
    for code in viz:
        for line in code.splitlines():
            if line.strip() and "print(" not in line and "render(" not in line:
                assert line in script, f"docs/mlp_graph.py does not run the README's {line!r}"


def _svg_texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>(.*?)</text>", svg)


def test_graph_picture_is_what_the_readme_code_draws(readme):
    """The committed picture shows what the README's graph is today (re-render it with
    ``python docs/mlp_graph.py`` when the drawing changes)."""
    drawn = readme[1]["graph"].pipe(format="svg").decode()  # type: ignore[attr-defined]
    committed = (ROOT / "docs" / "mlp_graph.svg").read_text()
    assert _svg_texts(drawn) == _svg_texts(committed)
    assert "docs/mlp_graph.png" in README.read_text()
