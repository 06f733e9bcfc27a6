"""See autograd work: draw the graph, trace what backward does, check gradient health.

- ``draw_graph(loss, params=model)``: the recorded graph as a ``graphviz.Digraph`` (shown
  inline in Jupyter, ``.render(...)`` to svg/png from scripts). Ops carry PyTorch's
  ``grad_fn`` names; leaves, parameters, constants and detach cuts are styled apart;
  NaN/Inf and all-zero gradients stand out.
- ``trace_backward()``: a context manager that records every step the engine takes during
  ``backward()``; ``print()`` it to watch the chain rule happen.
- ``grad_health(model)``: per-parameter gradient norms, as a table and a bar chart, to spot
  vanishing or exploding gradients.
- ``op_source(node)``: the ``Function`` class that recorded a node and where it is written
  (``Mul, tinygrad_edu/ops/elementwise.py:120``): from a name in the graph to its formula.
  Graph tooltips and trace steps show it too.

graphviz and matplotlib are imported only when these functions run.
"""

from __future__ import annotations

import html
import inspect
import os
from collections import deque
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from .core import engine
from .core.function import Node
from .tensor import Tensor

__all__ = [
    "draw_graph", "trace_backward", "BackwardTrace", "grad_health", "GradHealth",
    "GraphvizNotFoundError", "op_source",
]

_MISSING_DOT = (
    "Graphviz's `dot` program was not found, so the graph cannot be rendered. Install it:\n"
    "  Debian/Ubuntu: sudo apt-get install graphviz\n"
    "  macOS:         brew install graphviz\n"
    "  conda:         conda install graphviz\n"
    "  Windows:       https://graphviz.org/download/ (add its bin folder to PATH)\n"
    "The DOT text is still available as graph.source (paste it into https://dreampuf.github.io/"
    "GraphvizOnline)."
)
_MISSING_PACKAGE = (
    "tg.viz.draw_graph needs the graphviz Python package: pip install graphviz "
    "(it also needs Graphviz's dot program: apt-get install graphviz / brew install graphviz "
    "/ conda install graphviz)"
)


class GraphvizNotFoundError(RuntimeError):
    """Raised when a graph is rendered but Graphviz's ``dot`` program is not installed.

    >>> try:
    ...     tg.viz.draw_graph(loss).render("graph", format="svg")
    ... except tg.viz.GraphvizNotFoundError as e:
    ...     print(e)          # says how to install Graphviz
    """


# ----------------------------------------------------------------------------- styles
_FONT = "Helvetica"
_STYLE: dict[str, dict[str, str]] = {
    "op": {"shape": "box", "style": "rounded,filled", "fillcolor": "#FFF4DB",
           "color": "#D9A13B"},
    "param": {"shape": "box", "style": "filled", "fillcolor": "#DCEBFF", "color": "#3B7DDD"},
    "leaf": {"shape": "box", "style": "filled", "fillcolor": "#DDF5E3", "color": "#2E9E5B"},
    "const": {"shape": "box", "style": "filled,dashed", "fillcolor": "#F2F2F2",
              "color": "#9A9A9A", "fontcolor": "#555555"},
    "cut": {"shape": "box", "style": "filled,dashed", "fillcolor": "#F2F2F2",
            "color": "#C0392B", "fontcolor": "#555555"},
    "tensor": {"shape": "box", "style": "filled", "fillcolor": "#FFFFFF", "color": "#B5B5B5",
               "fontsize": "10"},
    "output": {"shape": "box", "style": "filled,bold", "fillcolor": "#FFE3C2",
               "color": "#E8772E"},
    "note": {"shape": "note", "style": "filled", "fillcolor": "#FFFBE6", "color": "#C9B458",
             "fontsize": "10"},
}
_BAD = {"fillcolor": "#FFD6D6", "color": "#D62828", "penwidth": "3"}
_ZERO = {"color": "#F08C00", "penwidth": "3"}
_HIGHLIGHT = "#C2185B"
_EDGE = {"color": "#555555", "arrowsize": "0.7"}
_CONST_EDGE = {"color": "#9A9A9A", "style": "dashed", "arrowsize": "0.7"}
_CUT_EDGE = {"color": "#C0392B", "style": "dashed", "arrowhead": "tee", "fontcolor": "#C0392B",
             "fontsize": "10"}
_LINE_FONT = {"title": ("12", "#111111"), "meta": ("10", "#555555"), "data": ("10", "#333333"),
              "grad": ("10", "#1F4E9E"), "bad": ("10", "#D62828"), "warn": ("10", "#B35C00")}


# ----------------------------------------------------------------------------- summaries
def _fmt(v: float) -> str:
    return f"{v:.4g}"


def _values(a: np.ndarray, limit: int = 4) -> str:
    """A one-line summary: every value for tiny arrays, else mean and std."""
    if a.size == 0:
        return "empty"
    if a.dtype.kind == "b" or a.dtype.kind in "iu" and a.size > limit:
        return f"values {a.min()}..{a.max()}" if a.dtype.kind != "b" else f"{a.sum()} True"
    if a.size <= limit:
        flat = ", ".join(_fmt(float(v)) for v in a.reshape(-1))
        return flat if a.ndim == 0 else f"[{flat}]"
    bad = _nonfinite(a)
    if bad:
        return bad
    f = a.astype(np.float64)
    return f"mean {_fmt(f.mean())}, std {_fmt(f.std())}"


def _nonfinite(a: np.ndarray) -> str:
    """``"2 NaN, 1 Inf"`` when ``a`` has non-finite values, else ``""``."""
    if a.dtype.kind != "f":
        return ""
    nan, inf = int(np.isnan(a).sum()), int(np.isinf(a).sum())
    parts = [f"{nan} NaN"] * bool(nan) + [f"{inf} Inf"] * bool(inf)
    return ", ".join(parts)


def _grad_line(g: np.ndarray) -> tuple[str, str]:
    """The grad line of a tensor label, and its style: ``grad``, ``bad`` or ``warn``."""
    bad = _nonfinite(g)
    if bad:
        return f"grad: {bad}!", "bad"
    if not np.any(g):
        return "grad: all zero", "warn"
    if g.size <= 4:
        return f"grad {_values(g)}", "grad"
    return f"grad norm {_fmt(float(np.linalg.norm(g.astype(np.float64))))}", "grad"


def _shape(shape: tuple[int, ...], dtype: Any) -> str:
    dims = "scalar" if len(shape) == 0 else "(" + ", ".join(str(n) for n in shape) + \
        ("," if len(shape) == 1 else "") + ")"
    return f"{dims} {dtype}"


def _html(lines: list[tuple[str, str]]) -> str:
    """A graphviz HTML-like label: one styled line per (text, style)."""
    parts = []
    for text, style in lines:
        if not text:
            continue
        size, color = _LINE_FONT[style]
        body = html.escape(text)
        if style == "title":
            body = f"<B>{body}</B>"
        parts.append(f'<FONT POINT-SIZE="{size}" COLOR="{color}">{body}</FONT>')
    return "<" + "<BR/>".join(parts) + ">"


# ----------------------------------------------------------------------------- names
def _named(params: Any) -> list[tuple[str, Tensor]]:
    """``(name, tensor)`` pairs from a Module, a dict, or an iterable of pairs/tensors."""
    if params is None:
        return []
    if hasattr(params, "named_parameters"):
        return list(params.named_parameters())
    if isinstance(params, dict):
        return list(params.items())
    items = list(params)
    if items and isinstance(items[0], Tensor):
        return [(f"param{k}", t) for k, t in enumerate(items)]
    return items


def _module_of(params: Any) -> dict[int, str]:
    """id(parameter) -> ``"fc1: Linear"``, the module that owns it (for clusters)."""
    if not hasattr(params, "named_modules"):
        return {}
    owners = {}
    for prefix, module in params.named_modules():
        for p in module._parameters.values():
            if p is not None and prefix:
                owners[id(p)] = f"{prefix}: {type(module).__name__}"
    return owners


@cache
def _arg_names(function: Any) -> tuple[str, ...]:
    try:
        params = list(inspect.signature(function.forward).parameters.values())[1:]
    except (TypeError, ValueError):
        return ()
    if any(p.kind == p.VAR_POSITIONAL for p in params):
        return ()
    return tuple(p.name for p in params)


def _op_args(node: Node) -> str:
    """The op's non-tensor arguments, named as in its forward: ``axis=(1,)``, ``y=2``."""
    args = getattr(node, "_args", None) or ()
    function: Any = node._function
    names = _arg_names(function)
    shown = []
    for k, a in enumerate(args):
        if isinstance(a, (Tensor, np.ndarray)) or a is None or a is False:
            continue
        name = names[k] if k < len(names) else f"arg{k}"
        shown.append(f"{name}={a!r}")
    return ", ".join(shown)


# ----------------------------------------------------------------------------- sources
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def op_source(node: Node) -> str:
    """The ``Function`` class behind a graph node, and the file and line that define it.

    A ``grad_fn`` name is PyTorch's label; this is the code that ran (forward and
    backward side by side in that class):

    >>> x = tg.ones(2, requires_grad=True)
    >>> tg.viz.op_source((x * x).grad_fn)          # doctest: +SKIP
    'Mul, tinygrad_edu/ops/elementwise.py:129'
    """
    return _class_source(node._function)


@cache
def _class_source(cls: type) -> str:
    try:
        path = inspect.getsourcefile(cls) or ""
        line = inspect.getsourcelines(cls)[1]
    except (OSError, TypeError):  # (defined at the interactive prompt)
        return f"{cls.__qualname__}, {cls.__module__}"
    path = os.path.abspath(path)
    if path.startswith(_ROOT):  # the package's files: tinygrad_edu/ops/...
        path = path[len(_ROOT):].replace(os.sep, "/")
    return f"{cls.__qualname__}, {path}:{line}"


# ----------------------------------------------------------------------------- the walk
def _walk(root: Node, max_nodes: int, max_depth: int | None) -> tuple[list[Node], int]:
    """Breadth-first from the output: the ops to draw, and how many more were left out."""
    depth = {root: 0}
    queue = deque([root])
    hidden: list[Node] = []
    while queue:
        node = queue.popleft()
        for p in node.parents:
            if not isinstance(p, Node) or p in depth:
                continue
            d = depth[node] + 1
            if len(depth) >= max_nodes or (max_depth is not None and d > max_depth):
                hidden.append(p)
                continue
            depth[p] = d
            queue.append(p)
    return list(depth), _count_beyond(hidden, set(depth))


def _count_beyond(start: list[Node], drawn: set[Node]) -> int:
    seen: set[Node] = set()
    stack = [n for n in start if n not in drawn]
    while stack:
        node = stack.pop()
        if node in seen or node in drawn:
            continue
        seen.add(node)
        stack.extend(p for p in node.parents if isinstance(p, Node))
    return len(seen)


# ----------------------------------------------------------------------------- the drawing
@dataclass
class _Options:
    show_data: bool
    show_grad: bool
    compact: bool
    group_modules: bool


@dataclass
class _Drawing:
    """The graph before it becomes DOT: node attrs by key, and edges (src, dst, attrs)."""

    nodes: dict[str, dict[str, str]] = field(default_factory=dict)
    edges: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    clusters: dict[str, list[str]] = field(default_factory=dict)


class _Builder:
    """Turns the recorded graph under ``root`` into a ``_Drawing``."""

    def __init__(self, root: Tensor, names: list[tuple[str, Tensor]], owners: dict[int, str],
                 opts: _Options, extra: Tensor | None) -> None:
        self.root, self.opts, self.owners = root, opts, owners
        self.names = {id(t): name for name, t in names}
        self.d = _Drawing()
        self.outputs: dict[Node, Tensor] = {}
        self.known = [t for _, t in names] + ([extra] if extra is not None else [])
        self.named_nodes = {t.grad_fn for t in self.known if t.grad_fn is not None}
        self.param_ids = {id(t) for _, t in names if _is_param(t)}
        self.cuts: list[tuple[str, Any]] = []

    def build(self, ops: list[Node], hidden: int, max_nodes: int,
              max_depth: int | None) -> _Drawing:
        root = self.root
        if root.grad_fn is None:
            self.tensor(root, "output")
            return self.d
        self._find_outputs(ops)
        drawn = set(ops)
        for node in ops:
            self.op(node)
        for node in ops:
            self.inputs(node, drawn)
        self.cut_edges(drawn)
        self.output_of(root.grad_fn, final=True)
        if hidden:
            self._note(ops, drawn, hidden, max_nodes, max_depth)
        return self.d

    # -- tensors
    def _find_outputs(self, ops: list[Node]) -> None:
        """The Tensor objects still known for each op's output (for values and names)."""
        for node in ops:
            args = getattr(node, "_args", None) or ()
            for p, a in zip(node.parents, args):
                if isinstance(p, Node) and isinstance(a, Tensor):
                    self.outputs.setdefault(p, a)
            kept = node._retained() if node._retained is not None else None
            if kept is not None:
                self.outputs[node] = kept
        for t in self.known:
            if t.grad_fn is not None:
                self.outputs[t.grad_fn] = t
        self.outputs[self.root.grad_fn] = self.root

    def tensor(self, t: Tensor, role: str, key: str | None = None) -> str:
        key = key or f"t{id(t)}"
        if key in self.d.nodes:
            return key
        lines = [(self._title(t, role), "title"), (_shape(t._data.shape, t._data.dtype), "meta")]
        if role == "cut":
            how, source = t._cut
            src = source()
            lines.append((f"cut by {how}" + (f" of {_source_name(src, self.names)}"
                                              if src is not None else ""), "warn"))
        attrs = dict(_STYLE[role])
        self._add_data_lines(t, lines, attrs)
        attrs["label"] = _html(lines)
        self.d.nodes[key] = attrs
        owner = self.owners.get(id(t)) if self.opts.group_modules else None
        if owner:
            self.d.clusters.setdefault(owner, []).append(key)
        return key

    def _title(self, t: Tensor, role: str) -> str:
        name = self.names.get(id(t))
        if name:
            return name
        return {"param": "parameter", "leaf": "leaf", "const": "constant", "cut": "detached",
                "output": "output", "tensor": ""}[role]

    def _add_data_lines(self, t: Tensor, lines: list[tuple[str, str]],
                        attrs: dict[str, str]) -> None:
        if self.opts.show_data:
            lines.append((_values(t._data), "data"))
        g = t._grad
        if self.opts.show_grad and g is not None:
            text, style = _grad_line(g._data)
            lines.append((text, style))
            attrs.update(_BAD if style == "bad" else _ZERO if style == "warn" else {})

    def output_of(self, node: Node, final: bool = False) -> str:
        """Key of the box for ``node``'s output tensor, drawn when it is worth a box."""
        key = f"out{id(node)}"
        if key in self.d.nodes:
            return key
        if not final and self.opts.compact and node not in self.named_nodes \
                and node._retained is None:
            return f"op{id(node)}"
        t = self.outputs.get(node)
        if t is None:
            attrs = dict(_STYLE["tensor"], label=_html([(_shape(node._out_shape,
                                                                 node._out_dtype), "meta")]))
            self.d.nodes[key] = attrs
        else:
            self.tensor(t, "output" if final else "tensor", key)
        self.d.edges.append((f"op{id(node)}", key, dict(_EDGE)))
        return key

    # -- ops
    def op(self, node: Node) -> None:
        lines = [(node.name(), "title")]
        args = _op_args(node)
        if args:
            lines.append((args if len(args) <= 40 else args[:37] + "...", "meta"))
        tooltip = f"{node.name()}({args}): {op_source(node)}"
        attrs = dict(_STYLE["op"], label=_html(lines), tooltip=tooltip)
        self.d.nodes[f"op{id(node)}"] = attrs
        owners = {self.owners[id(p)] for p in node.parents
                  if isinstance(p, Tensor) and id(p) in self.owners}
        if self.opts.group_modules and len(owners) == 1:
            self.d.clusters.setdefault(owners.pop(), []).append(f"op{id(node)}")

    def inputs(self, node: Node, drawn: set[Node]) -> None:
        """Edges into ``node``: from its parents' outputs, leaves and constants."""
        args = getattr(node, "_args", None) or [None] * len(node.parents)
        dst = f"op{id(node)}"
        for p, a in zip(node.parents, args):
            if isinstance(p, Node):
                if p in drawn:
                    self._edge_from_op(p, dst)
            elif p is not None:
                role = "param" if id(p) in self.param_ids or _is_param(p) else "leaf"
                self.d.edges.append((self.tensor(p, role), dst, dict(_EDGE)))
            elif isinstance(a, Tensor):
                self._constant(a, dst)

    def _edge_from_op(self, p: Node, dst: str) -> None:
        src = self.output_of(p)
        attrs = dict(_EDGE)
        if src.startswith("op"):  # compact: the edge carries the tensor's shape
            attrs.update(label=_shape(p._out_shape, "").strip(), fontsize="9",
                         fontcolor="#777777")
        self.d.edges.append((src, dst, attrs))

    def _constant(self, a: Tensor, dst: str) -> None:
        cut = getattr(a, "_cut", None)
        key = self.tensor(a, "cut" if cut else "const")
        self.d.edges.append((key, dst, dict(_CONST_EDGE)))
        if cut:
            self.cuts.append((key, cut))

    def cut_edges(self, drawn: set[Node]) -> None:
        """A red dashed edge from where each detached tensor came from, when it is drawn."""
        for key, (how, ref) in self.cuts:
            source = ref()
            if isinstance(source, Node) and source in drawn:
                src = self.output_of(source)
            elif isinstance(source, Tensor) and f"t{id(source)}" in self.d.nodes:
                src = f"t{id(source)}"
            else:
                continue
            edge = (src, key, dict(_CUT_EDGE, label=f"✂ {how}"))
            if edge not in self.d.edges:
                self.d.edges.append(edge)

    def _note(self, ops: list[Node], drawn: set[Node], hidden: int, max_nodes: int,
              max_depth: int | None) -> None:
        why = f"max_depth={max_depth}" if max_depth is not None and len(ops) < max_nodes \
            else f"max_nodes={max_nodes}"
        text = f"... {hidden} more op{'s' * (hidden != 1)} not drawn ({why})"
        self.d.nodes["more"] = dict(_STYLE["note"], label=_html([(text, "meta")]))
        for node in ops:
            if any(isinstance(p, Node) and p not in drawn for p in node.parents):
                self.d.edges.append(("more", f"op{id(node)}", dict(_CONST_EDGE)))


def _is_param(t: Any) -> bool:
    return type(t).__name__ == "Parameter"


def _source_name(src: Any, names: dict[int, str]) -> str:
    if isinstance(src, Node):
        return f"{src.name()}'s output"
    return names.get(id(src), "a leaf")


# ----------------------------------------------------------------------------- highlight
def _target_key(d: _Drawing, t: Tensor) -> str:
    node = t.grad_fn
    for key in ([f"out{id(node)}", f"op{id(node)}"] if node is not None else [f"t{id(t)}"]):
        if key in d.nodes:
            return key
    raise ValueError("highlight: that tensor is not in the drawn graph (not an input of the "
                     "output, or beyond max_nodes / max_depth)")


def _highlight(d: _Drawing, target: Tensor) -> None:
    """Colour every node and edge on a path from ``target`` to the output."""
    start = _target_key(d, target)
    forward: dict[str, list[str]] = {}
    for src, dst, attrs in d.edges:
        if attrs.get("arrowhead") != "tee":  # gradients do not cross a detach cut
            forward.setdefault(src, []).append(dst)
    on_path, stack = {start}, [start]
    while stack:
        for nxt in forward.get(stack.pop(), []):
            if nxt not in on_path and nxt != "more":
                on_path.add(nxt)
                stack.append(nxt)
    for key in on_path:
        d.nodes[key].update(color=_HIGHLIGHT, penwidth="3")
    for src, dst, attrs in d.edges:
        if src in on_path and dst in on_path and attrs.get("arrowhead") != "tee":
            attrs.update(color=_HIGHLIGHT, penwidth="2.5")


# ----------------------------------------------------------------------------- graphviz
def _graphviz() -> Any:
    try:
        import graphviz
    except ImportError as e:
        raise ImportError(_MISSING_PACKAGE) from e
    return graphviz


@cache
def _digraph_class(gv: Any) -> type:
    """``graphviz.Digraph`` that explains how to install Graphviz when ``dot`` is missing."""

    class Digraph(gv.Digraph):  # type: ignore[misc, name-defined]
        def pipe(self, *args: Any, **kwargs: Any) -> Any:
            try:
                return super().pipe(*args, **kwargs)
            except gv.ExecutableNotFound as e:
                raise GraphvizNotFoundError(_MISSING_DOT) from e

        def render(self, *args: Any, **kwargs: Any) -> Any:
            try:
                return super().render(*args, **kwargs)
            except gv.ExecutableNotFound as e:
                raise GraphvizNotFoundError(_MISSING_DOT) from e

        def _repr_mimebundle_(self, include: Any = None, exclude: Any = None,
                              **kwargs: Any) -> dict[str, Any]:
            try:
                return super()._repr_mimebundle_(include, exclude, **kwargs)
            except GraphvizNotFoundError:  # in a notebook: say so instead of a traceback
                return {"text/plain": _MISSING_DOT}

    return Digraph


def _to_dot(d: _Drawing, rankdir: str, legend: bool) -> Any:
    gv = _graphviz()
    dot = _digraph_class(gv)(
        "autograd",
        graph_attr={"rankdir": rankdir, "fontname": _FONT, "nodesep": "0.25",
                    "ranksep": "0.35", "bgcolor": "white", "pad": "0.2"},
        node_attr={"fontname": _FONT, "fontsize": "11", "margin": "0.12,0.06"},
        edge_attr={"fontname": _FONT},
    )
    clustered = {k for keys in d.clusters.values() for k in keys}
    for k, (label, keys) in enumerate(d.clusters.items()):
        with dot.subgraph(name=f"cluster_{k}") as sub:
            sub.attr(label=label, style="rounded,dashed", color="#8C8C8C", fontsize="10",
                     fontcolor="#666666")
            for key in keys:
                sub.node(key, **d.nodes[key])
    for key, attrs in d.nodes.items():
        if key not in clustered:
            dot.node(key, **attrs)
    for src, dst, attrs in d.edges:
        dot.edge(src, dst, **attrs)
    if legend:
        _legend(dot)
    return dot


def _legend(dot: Any) -> None:
    """One small table node: a swatch per style."""
    entries = [("param", "parameter"), ("leaf", "leaf (requires_grad)"),
               ("const", "constant (no grad)"), ("cut", "detach / .data cut"),
               ("op", "op (grad_fn)"), ("output", "output"), ("bad", "NaN/Inf grad"),
               ("zero", "all-zero grad")]
    styles = dict(_STYLE, bad=dict(_STYLE["tensor"], **_BAD), zero=dict(_STYLE["tensor"], **_ZERO))
    cells = []
    for role, text in entries:
        st = styles[role]
        dashed = ' STYLE="dashed"' if "dashed" in st.get("style", "") else ""
        border = "3" if "penwidth" in st else "1"
        cells.append(f'<TR><TD BGCOLOR="{st["fillcolor"]}" COLOR="{st["color"]}" '
                     f'BORDER="{border}"{dashed}><FONT POINT-SIZE="9">{text}</FONT></TD></TR>')
    label = f'<<TABLE BORDER="0" CELLSPACING="3">{"".join(cells)}</TABLE>>'
    dot.node("legend", label=label, shape="plaintext")


def draw_graph(root: Tensor, *, params: Any = None, names: dict[str, Tensor] | None = None,
               show_data: bool = True,
               show_grad: bool = True, rankdir: str = "LR", highlight: Tensor | None = None,
               max_nodes: int = 80, max_depth: int | None = None, compact: bool | None = None,
               group_modules: bool = True, legend: bool = False) -> Any:
    """Draw the graph that produced ``root`` as a ``graphviz.Digraph``.

    >>> model = tg.nn.Sequential(tg.nn.Linear(3, 4), tg.nn.ReLU(), tg.nn.Linear(4, 1))
    >>> loss = model(tg.randn(8, 3)).pow(2).mean()
    >>> loss.backward()
    >>> g = tg.viz.draw_graph(loss, params=model)   # a Jupyter cell shows it inline
    >>> g.render("mlp_graph", format="svg")         # from a script: mlp_graph.svg
    'mlp_graph.svg'

    Ops are named as PyTorch's ``grad_fn`` (``AddmmBackward0``); tensors show their name
    (``params``: a Module or a dict ``{name: parameter}``; ``names``: ``{name: tensor}``
    for inputs, targets, intermediates), shape, dtype, a value summary and, once backward
    ran, their grad (leaves, and tensors that called ``retain_grad()``).
    Blue: parameters, green: other leaves, grey dashed: constants (no gradient flows),
    red dashed: ``.detach()`` / ``.data`` cuts, orange: the output. NaN/Inf gradients are
    red, all-zero gradients orange. ``highlight=t`` colours the path from the output to
    ``t``. Large graphs: at most ``max_nodes`` ops (or ``max_depth`` from the output) are
    drawn, with a note for the rest; ``compact`` (default: more than 20 ops) drops the
    boxes of unnamed intermediate tensors and writes their shape on the edge instead; with
    a Module as ``params`` each layer's ops and parameters are boxed together.
    """
    _graphviz()  # first, so that a missing package is reported before any work
    ops, hidden = _walk(root.grad_fn, max_nodes, max_depth) if root.grad_fn else ([], 0)
    opts = _Options(show_data, show_grad, len(ops) > 20 if compact is None else compact,
                    group_modules)
    named = _named(params) + list((names or {}).items())
    builder = _Builder(root, named, _module_of(params), opts, highlight)
    drawing = builder.build(ops, hidden, max_nodes, max_depth)
    if highlight is not None:
        _highlight(drawing, highlight)
    return _to_dot(drawing, rankdir, legend)


# ----------------------------------------------------------------------------- trace
@dataclass
class TraceInput:
    """Where one input's gradient went during one backward step.

    >>> t.steps[-1].inputs[0].target, t.steps[-1].inputs[0].grad   # (from trace_backward)
    ('leaf', array([3., 3.], dtype=float32))
    """

    index: int
    target: str  # "op" (another grad_fn), "leaf", "constant" or "none"
    target_id: int
    grad: np.ndarray | None  # as sent, after broadcasting was summed away
    shape_before: tuple[int, ...] | None = None  # set when broadcasting was summed away


@dataclass
class TraceStep:
    """One op the engine ran: its incoming gradient and what it sent to each input.

    >>> [(s.number, s.op, s.out_shape) for s in t.steps]           # (from trace_backward)
    [(1, 'SumBackward0', ()), (2, 'MulBackward0', (2,))]
    """

    number: int
    op: str
    op_id: int
    out_shape: tuple[int, ...]
    grad_in: np.ndarray
    inputs: list[TraceInput]
    source: str = ""  # the Function class that ran and where: see op_source


def _inline(a: np.ndarray) -> str:
    """``[[1, 2.5], [3, 4]]``: a small array on one line, 4 significant digits."""
    if a.ndim == 0:
        return _fmt(float(a)) if a.dtype.kind in "fc" else str(a)
    return "[" + ", ".join(_inline(row) for row in a) + "]"


def _array(g: Any) -> np.ndarray:
    data = g._data if isinstance(g, Tensor) else g
    return np.array(data)  # a copy: the engine adds into its buffers in place


class BackwardTrace:
    """The steps of ``backward()``, in the order the engine ran them. See ``trace_backward``.

    >>> with tg.viz.trace_backward() as t:
    ...     loss.backward()
    >>> print(t)            # or t.steps, t.leaves for the raw records
    """

    def __init__(self, params: Any = None, max_values: int = 6) -> None:
        self.steps: list[TraceStep] = []
        self.leaves: dict[int, Tensor] = {}
        self.contributions: dict[int, int] = {}
        self.max_values = max_values
        self._names = {id(t): name for name, t in _named(params)}
        self._op_names: dict[int, str] = {}
        self._prev: Any = None

    def __enter__(self) -> BackwardTrace:
        self._prev = engine.set_tracer(self._record)
        return self

    def __exit__(self, *exc: Any) -> None:
        engine.set_tracer(self._prev)

    def _record(self, node: Node, grad: Any, grads: tuple[Any, ...], reduced: Any) -> None:
        sent = {i: (before, g) for i, before, _, g in (reduced or [])}
        args = getattr(node, "_args", None) or [None] * len(node.parents)
        inputs = [self._input(i, p, a, grads[i], sent) for i, (p, a) in
                  enumerate(zip(node.parents, args)) if p is not None or isinstance(a, Tensor)]
        self._op_names.setdefault(id(node), node.name())
        self.steps.append(TraceStep(len(self.steps) + 1, node.name(), id(node),
                                    tuple(node._out_shape), _array(grad), inputs,
                                    op_source(node)))
        if self._prev is not None:
            self._prev(node, grad, grads, reduced)

    def _input(self, i: int, parent: Any, arg: Any, grad: Any,
               sent: dict[int, Any]) -> TraceInput:
        if parent is None:  # (only called for tensor arguments)
            return TraceInput(i, "constant", id(arg), None)
        if grad is None:
            return TraceInput(i, "none", id(parent), None)
        before, g = sent.get(i, (None, grad))
        if isinstance(parent, Node):
            self._op_names.setdefault(id(parent), parent.name())
            return TraceInput(i, "op", id(parent), _array(g), before)
        self.leaves[id(parent)] = parent
        self.contributions[id(parent)] = self.contributions.get(id(parent), 0) + 1
        return TraceInput(i, "leaf", id(parent), _array(g), before)

    # -- printing
    def _labels(self) -> dict[int, str]:
        """Op names, numbered (``MulBackward0#2``) when the same op appears twice."""
        counts: dict[str, int] = {}
        for name in self._op_names.values():
            counts[name] = counts.get(name, 0) + 1
        seen: dict[str, int] = {}
        labels = {}
        for op_id, name in self._op_names.items():
            if counts[name] > 1:
                seen[name] = seen.get(name, 0) + 1
                name = f"{name}#{seen[name]}"
            labels[op_id] = name
        return labels

    def leaf_name(self, leaf_id: int) -> str:
        """The name of a leaf: from ``params``, else ``leaf#k`` in order of appearance.

        >>> t.leaf_name(id(w))
        'w'
        """
        if leaf_id in self._names:
            return self._names[leaf_id]
        unnamed = [k for k in self.leaves if k not in self._names]
        return f"leaf#{unnamed.index(leaf_id) + 1}"

    def _summary(self, a: np.ndarray) -> str:
        if a.size <= self.max_values:
            return _inline(a)
        f = a.astype(np.float64)
        bad = _nonfinite(a)
        return f"{_shape(a.shape, '').strip()} " + (bad or
                                                   f"mean {_fmt(f.mean())}, norm "
                                                   f"{_fmt(float(np.linalg.norm(f)))}")

    def _input_line(self, inp: TraceInput, labels: dict[int, str]) -> str:
        head = f"input {inp.index}"
        if inp.target == "constant":
            return f"{head}: a constant (requires_grad=False), no gradient"
        if inp.target == "none" or inp.grad is None:
            return f"{head}: no gradient"
        name = self.leaf_name(inp.target_id) if inp.target == "leaf" else ""
        to = labels[inp.target_id] if inp.target == "op" else \
            f"leaf {name}" if inp.target_id in self._names else name
        line = f"{head} -> {to}: {self._summary(inp.grad)}"
        if inp.target == "leaf":
            line += f"   += into {name}.grad"
        if inp.shape_before is not None and tuple(inp.shape_before) != inp.grad.shape:
            line += (f"   (summed {tuple(inp.shape_before)} -> {inp.grad.shape}: "
                     "broadcasting undone)")
        return line

    def __str__(self) -> str:
        labels = self._labels()
        lines = [f"backward trace: {len(self.steps)} op{'s' * (len(self.steps) != 1)}, "
                 f"{len(self.leaves)} lea{'ves' if len(self.leaves) != 1 else 'f'}"]
        for s in self.steps:
            lines.append(f"[{s.number}] {labels[s.op_id]}   output shape {s.out_shape}   "
                         f"({s.source})")
            lines.append(f"      incoming grad: {self._summary(s.grad_in)}")
            lines.extend(f"      {self._input_line(i, labels)}" for i in s.inputs)
        if self.leaves:
            lines.append("leaves' .grad after backward:")
            width = max(len(self.leaf_name(k)) for k in self.leaves)
            for k, leaf in self.leaves.items():
                grad = leaf._grad
                value = self._summary(grad._data) if grad is not None else "None"
                n = self.contributions[k]
                lines.append(f"  {self.leaf_name(k):<{width}}  {value}   "
                             f"({n} contribution{'s' * (n != 1)})")
        return "\n".join(lines)

    __repr__ = __str__


def trace_backward(params: Any = None, max_values: int = 6) -> BackwardTrace:
    """Record what the engine does during ``backward()``; ``print()`` the result.

    >>> w = tg.tensor([1.0, 2.0], requires_grad=True)
    >>> with tg.viz.trace_backward(params={"w": w}) as t:
    ...     (w * 3).sum().backward()
    >>> print(t)
    backward trace: 2 ops, 1 leaf
    [1] SumBackward0   output shape ()   (SumAll, tinygrad_edu/ops/reduce.py:97)
          incoming grad: 1
          input 0 -> MulBackward0: [1, 1]
    [2] MulBackward0   output shape (2,)   (Mul, tinygrad_edu/ops/elementwise.py:129)
          incoming grad: [1, 1]
          input 0 -> leaf w: [3, 3]   += into w.grad
    leaves' .grad after backward:
      w  [3, 3]   (1 contribution)

    Each step is one op (its PyTorch ``grad_fn`` name, then the ``Function`` class that ran
    and where it is written: ``op_source``) with the gradient it received and
    the gradient it sent to each input: to another op, or into a leaf's ``.grad``; where
    a gradient was summed back to its input's shape, the line says "broadcasting undone".
    ``params`` (a Module or ``{name: tensor}``) names the leaves; arrays with at most
    ``max_values`` values are printed whole, larger ones as shape, mean and norm.
    """
    return BackwardTrace(params, max_values)


# ----------------------------------------------------------------------------- health
@dataclass
class ParamHealth:
    """One row of ``grad_health``: a parameter's gradient statistics and a verdict.

    >>> [(r.name, r.status) for r in tg.viz.grad_health(model).rows]
    [('weight', 'ok'), ('bias', 'ok')]
    """

    name: str
    shape: tuple[int, ...]
    grad_norm: float | None
    param_norm: float
    grad_max: float | None
    status: str


class GradHealth:
    """Per-parameter gradient norms after backward: ``print()`` it, or ``.plot()`` it.

    >>> report = tg.viz.grad_health(model)
    >>> print(report)
    >>> report.plot()         # a bar chart (needs matplotlib)
    """

    def __init__(self, rows: list[ParamHealth], vanishing: float, exploding: float) -> None:
        self.rows = rows
        self.vanishing, self.exploding = vanishing, exploding

    def __str__(self) -> str:
        head = ("parameter", "shape", "grad norm", "param norm", "grad/param", "max |grad|",
                "status")
        table = [head] + [_row_cells(r) for r in self.rows]
        widths = [max(len(row[k]) for row in table) for k in range(len(head))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in table]
        lines.insert(1, "  ".join("-" * w for w in widths))
        bad = [r for r in self.rows if r.status != "ok"]
        lines.append(f"{len(self.rows) - len(bad)} of {len(self.rows)} parameters ok"
                     + (f"; vanishing below {self.vanishing:g}, exploding above "
                        f"{self.exploding:g}" if bad else ""))
        return "\n".join(lines)

    __repr__ = __str__

    def plot(self, ax: Any = None) -> Any:
        """A horizontal bar chart of gradient norms (log scale), coloured by status.

        >>> ax = tg.viz.grad_health(model).plot()
        >>> ax.figure.savefig("grad_health.png")
        """
        try:
            import matplotlib.pyplot as plt
        except ImportError as e:
            raise ImportError("GradHealth.plot needs matplotlib: pip install matplotlib") from e
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 0.35 * len(self.rows) + 1.2))
        colors = {"ok": "#3B7DDD", "vanishing": "#F08C00", "exploding": "#D62828",
                  "NaN/Inf": "#D62828", "all zero": "#F08C00"}
        norms = [r.grad_norm if r.grad_norm and np.isfinite(r.grad_norm) else np.nan
                 for r in self.rows]
        y = np.arange(len(self.rows))
        ax.barh(y, norms, color=[colors.get(r.status, "#9A9A9A") for r in self.rows])
        ax.set_yticks(y, [f"{r.name}  ({r.status})" if r.status != "ok" else r.name
                          for r in self.rows])
        ax.invert_yaxis()
        ax.set_xscale("log")
        for x, style in ((self.vanishing, ":"), (self.exploding, "--")):
            ax.axvline(x, color="#777777", linestyle=style, linewidth=1)
        ax.set_xlabel("gradient L2 norm (log scale)")
        ax.set_title("gradient health")
        return ax


def _row_cells(r: ParamHealth) -> tuple[str, ...]:
    def num(v: float | None) -> str:
        return "-" if v is None else f"{v:.3e}"

    ratio = None if r.grad_norm is None or r.param_norm == 0 else r.grad_norm / r.param_norm
    return (r.name, str(r.shape), num(r.grad_norm), num(r.param_norm), num(ratio),
            num(r.grad_max), r.status)


def _status(p: Tensor, vanishing: float, exploding: float) -> tuple[str, float | None]:
    if not p.requires_grad:
        return "frozen", None
    if p._grad is None:
        return "no grad", None
    g = p._grad._data.astype(np.float64)
    if not np.all(np.isfinite(g)):
        return "NaN/Inf", float("nan")
    norm = float(np.linalg.norm(g))
    if norm == 0:
        return "all zero", norm
    if norm < vanishing:
        return "vanishing", norm
    return ("exploding" if norm > exploding else "ok"), norm


def grad_health(model: Any, *, vanishing: float = 1e-7, exploding: float = 1e3) -> GradHealth:
    """Gradient norm of every parameter, to spot vanishing or exploding gradients.

    >>> model = tg.nn.Linear(3, 2)
    >>> model(tg.randn(4, 3)).sum().backward()
    >>> print(tg.viz.grad_health(model))        # doctest: +SKIP
    parameter  shape   grad norm  param norm  grad/param  max |grad|  status
    ---------  ------  ---------  ----------  ----------  ----------  ------
    weight     (2, 3)  4.061e+00  8.613e-01   4.715e+00   1.976e+00   ok
    bias       (2,)    5.657e+00  5.513e-01   1.026e+01   4.000e+00   ok
    2 of 2 parameters ok

    ``model``: a Module, a dict ``{name: tensor}``, or an iterable of tensors. Status:
    ``ok``, ``vanishing`` (norm < ``vanishing``), ``exploding`` (> ``exploding``),
    ``all zero``, ``NaN/Inf``, ``no grad`` (not used by the loss, or no backward yet),
    ``frozen`` (requires_grad=False).
    """
    rows = []
    for name, p in _named(model):
        status, norm = _status(p, vanishing, exploding)
        grad_max = None
        if p._grad is not None and p._grad._data.size:
            grad_max = float(np.abs(p._grad._data).max())
        rows.append(ParamHealth(name, tuple(p.shape), norm,
                                float(np.linalg.norm(p._data.astype(np.float64))), grad_max,
                                status))
    return GradHealth(rows, vanishing, exploding)
