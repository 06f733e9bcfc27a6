"""Every code citation in the docs points at the code it names.

A citation is a name in backticks followed by a place in the package, e.g.
`` `Mul.backward` (`tinygrad_edu/ops/arithmetic.py:142`) ``: the line must lie inside the
definition of that name (the class ``Mul``, its method ``backward``), or be the line of the
definition. ``python tests/test_docs_citations.py --fix`` moves a citation that went stale
to the first line of its definition (after code moved), so that it can be checked again by
reading it.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
CITATION = re.compile(r"`([A-Za-z_][\w.]*)`\s+\(`(tinygrad_edu/[\w/]+\.py):(\d+)`\)")


def _spans(path: Path) -> dict[str, list[tuple[int, int]]]:
    """Each qualified name defined in ``path`` (``Mul``, ``Mul.backward``, ``run_backward``)
    -> the line spans of its definitions (decorators included)."""
    tree = ast.parse(path.read_text())
    spans: dict[str, list[tuple[int, int]]] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = prefix + child.name
                first = min([child.lineno] + [d.lineno for d in child.decorator_list])
                spans.setdefault(name, []).append((first, child.end_lineno or child.lineno))
                visit(child, name + ".")
            elif isinstance(child, (ast.Assign, ast.AnnAssign)):
                targets = child.targets if isinstance(child, ast.Assign) else [child.target]
                for t in targets:
                    if isinstance(t, ast.Name):
                        spans.setdefault(prefix + t.id, []).append(
                            (child.lineno, child.end_lineno or child.lineno))

    visit(tree, "")
    return spans


def citations() -> list[tuple[Path, int, str, str, int]]:
    """(doc, line in the doc, name, path, line) of every citation in the docs."""
    found = []
    for doc in DOCS:
        text = doc.read_text()
        for m in CITATION.finditer(text):  # (a citation may break across two lines)
            k = text.count("\n", 0, m.start()) + 1
            found.append((doc, k, m.group(1), m.group(2), int(m.group(3))))
    return found


def problem(name: str, path: str, line: int) -> str | None:
    """Why a citation is wrong, or None."""
    file = ROOT / path
    if not file.exists():
        return f"{path} does not exist"
    spans = _spans(file).get(name)
    if not spans:
        return f"{name} is not defined in {path}"
    if not any(a <= line <= b for a, b in spans):
        where = ", ".join(f"{a}-{b}" for a, b in spans)
        return f"{path}:{line} is not inside {name} (lines {where})"
    return None


def test_the_docs_cite_code() -> None:
    assert len(citations()) >= 20  # (the walkthrough cites every step)


@pytest.mark.parametrize("doc,k,name,path,line", citations(),
                         ids=[f"{c[0].name}:{c[1]}:{c[2]}" for c in citations()])
def test_citation_points_at_the_code_it_names(doc: Path, k: int, name: str, path: str,
                                               line: int) -> None:
    why = problem(name, path, line)
    assert why is None, f"{doc.name}, line {k}: {why} (python {__file__} --fix)"


def fix() -> None:
    """Move stale citations to the first line of their definition."""
    for doc in DOCS:
        text = doc.read_text()

        def repl(m: re.Match[str]) -> str:
            name, path, line = m.group(1), m.group(2), int(m.group(3))
            if problem(name, path, line) is None or not (ROOT / path).exists():
                return m.group(0)
            spans = _spans(ROOT / path).get(name)
            if not spans:
                print(f"{doc.name}: {name} not in {path}: fix by hand")
                return m.group(0)
            print(f"{doc.name}: {name} {path}:{line} -> {spans[0][0]}")
            return m.group(0).replace(f"{path}:{line}", f"{path}:{spans[0][0]}")

        new = CITATION.sub(repl, text)
        if new != text:
            doc.write_text(new)


if __name__ == "__main__" and sys.argv[1:] == ["--fix"]:
    fix()
