"""Every picture and local link in the project's Markdown resolves to a file (a link is
read relative to the Markdown file that holds it, as GitHub and mkdocs read it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SKIP_DIRS = {"runs", "site", "node_modules"}
MARKDOWN = sorted(p for p in ROOT.rglob("*.md") if not any(
    part.startswith(".") or part in SKIP_DIRS for part in p.relative_to(ROOT).parts[:-1]))
# ![alt](target "title"), [text](target), <img src="target">
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)|<img[^>]*\bsrc=\"([^\"]+)\"")


def _local_targets(path: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", path.read_text(), flags=re.S)  # code is not a link
    targets = [a or b for a, b in LINK.findall(text)]
    return [t.split("#")[0] for t in targets
            if not re.match(r"[a-z][a-z0-9+.-]*:", t) and not t.startswith("#")]


@pytest.mark.parametrize("path", MARKDOWN, ids=lambda p: str(p.relative_to(ROOT)))
def test_docs_images_and_links_resolve(path):
    missing = [t for t in _local_targets(path) if not (path.parent / t).exists()]
    assert not missing, f"{path.relative_to(ROOT)} links to missing files: {missing}"


def test_readme_and_viz_pictures_are_checked():
    assert (ROOT / "README.md") in MARKDOWN and "docs/mlp_graph.png" in _local_targets(
        ROOT / "README.md")
    assert "mlp_graph.svg" in _local_targets(ROOT / "docs" / "VIZ.md")


def test_license_is_the_one_pyproject_names():
    assert "license = { text = \"MIT\" }" in (ROOT / "pyproject.toml").read_text()
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License") and "the tinygrad_edu authors" in text
