"""The package's layout holds (issue 13): no import cycle over 3 files, core/ imports only
what is below it and is at most 800 lines of code, no file over 1,000 lines.

The import graph is read from the source with ``ast``: every ``import`` at module level or
inside a function counts (a lazy import is still a dependency); imports under
``if TYPE_CHECKING:`` do not (they never run). ``from pkg import name`` points at the
submodule ``pkg.name`` when there is one, else at ``pkg/__init__.py``.
"""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "tinygrad_edu"
ROOT = PACKAGE.name
MAX_CYCLE = 3
MAX_LINES = 1000
# what core/ may import from the package (besides itself): PyTorch exactness and dtypes
CORE_MAY_IMPORT = ("parity", "dtypes")


def _module_name(path: Path) -> str:
    parts = [ROOT, *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _import_nodes(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:  # the else branch runs
                    visit(other)
                continue
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                found.append(child)
            visit(child)

    visit(tree)
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package modules that ``name`` (at ``path``) imports."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in _import_nodes(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
            continue
        if node.level:
            base = package.split(".")
            base = base[:len(base) - node.level + 1]
            source = ".".join(base + ([node.module] if node.module else []))
        else:
            source = node.module or ""
        for alias in node.names:
            submodule = f"{source}.{alias.name}"
            targets.add(submodule if submodule in modules else source)
    return {t for t in targets if t in modules and t != name}


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    components.append(sorted(component))
    return components


def test_no_import_cycle_over_three_files() -> None:
    big = [c for c in strongly_connected(import_graph()) if len(c) > MAX_CYCLE]
    assert not big, f"import cycles over {MAX_CYCLE} files: {big}"


def test_core_imports_nothing_above_it() -> None:
    core = f"{ROOT}.core"
    allowed = (core, *(f"{ROOT}.{name}" for name in CORE_MAY_IMPORT))
    bad = {name: sorted(t for t in targets
                        if not any(t == a or t.startswith(a + ".") for a in allowed))
           for name, targets in import_graph().items()
           if name == core or name.startswith(core + ".")}
    bad = {name: targets for name, targets in bad.items() if targets}
    assert not bad, f"core/ imports from above it: {bad}"


def test_learning_tools_stay_out_of_the_engine() -> None:
    tools = {f"{ROOT}.teaching", f"{ROOT}.autograd.anomaly", f"{ROOT}.autograd.gradcheck",
             f"{ROOT}.autograd.gradcheck_graph"}
    graph = import_graph()
    engine = [name for name in graph if name.startswith((f"{ROOT}.core", f"{ROOT}.ops"))
              or name in (f"{ROOT}.tensor_base", f"{ROOT}.tensor")]
    bad = {name: sorted(t for t in graph[name]
                        if t in tools or t.startswith(f"{ROOT}.viz")) for name in engine}
    bad = {name: targets for name, targets in bad.items() if targets}
    assert not bad, f"the engine imports a learning tool: {bad}"


# being cut down by the core's rewrite (issue 13, item 1): remove the entry when it is done
_NOT_YET: set[str] = set()


def test_no_file_over_a_thousand_lines() -> None:
    long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert set(long) <= _NOT_YET, f"files over {MAX_LINES} lines: {long}"
    assert not _NOT_YET - set(long), f"under {MAX_LINES} lines now: drop from _NOT_YET"


MAX_CORE_CODE_LINES = 800


def _code_lines(path: Path) -> int:
    """Lines holding code: not blank, not comments, not docstrings."""
    source = path.read_text()
    docs: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                docs.update(range(body[0].lineno, (body[0].end_lineno or body[0].lineno) + 1))
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
            tokenize.ENDMARKER}
    lines: set[int] = set()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type not in skip:
            lines.update(n for n in range(tok.start[0], tok.end[0] + 1) if n not in docs)
    return len(lines)


def test_code_lines_counts_code_only(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('"""Doc."""\n\n# a comment\ndef f(x):\n    """Doc\n    more."""\n'
                      '    return (x +\n            1)  # trailing\n')
    assert _code_lines(sample) == 3


def test_the_core_is_at_most_800_lines_of_code() -> None:
    counts = {p.name: _code_lines(p) for p in sorted((PACKAGE / "core").glob("*.py"))}
    assert sum(counts.values()) <= MAX_CORE_CODE_LINES, counts


def test_no_merge_conflict_markers_are_left_in_the_tree() -> None:
    """A merge left ``<<<<<<< HEAD`` ... ``>>>>>>> i14-scan`` in docs/how-autograd-works.md
    (both sides the same line, so the citation test still passed)."""
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parent.parent
    marker = re.compile(r"^(<{7} |>{7} |={7}$)", re.M)
    found = [str(p.relative_to(root)) for pattern in ("*.py", "*.md", "*.toml", "*.yml", "*.ipynb")
             for p in root.rglob(pattern) if ".git" not in p.parts and ".venv" not in p.parts
             and marker.search(p.read_text(errors="replace"))]
    assert not found, found
