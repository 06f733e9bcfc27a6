"""``draw_graph``: the recorded graph as a ``graphviz.Digraph`` (graphviz imported only
when it runs)."""

from __future__ import annotations

import html
import inspect
from collections import deque
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from ..core.function import Node
from ..param_names import registered_name, registered_owner
from ..tensor import Tensor
from ._common import _fmt, _named, _nonfinite, _shape
from .source import op_source

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
def _module_of(params: Any, ops: list[Node]) -> dict[int, str]:
    """id(parameter) -> ``"fc1: Linear"``, the module that owns it (for clusters): from
    ``params`` when it is a Module, else (no ``params``) from where the graph's parameters
    were registered."""
    owners = {}
    if hasattr(params, "named_modules"):
        for prefix, module in params.named_modules():
            for p in module._parameters.values():
                if p is not None and prefix:
                    owners[id(p)] = f"{prefix}: {type(module).__name__}"
    elif params is None:
        for node in ops:
            for p in node.parents:
                module = registered_owner(p) if isinstance(p, Tensor) else None
                prefix = registered_name(module) if module is not None else None
                if prefix:
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
        name = self.names.get(id(t)) or registered_name(t)
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
    (``params``: a Module or a dict ``{name: parameter}``; without it, a parameter shows
    the name its Module registered it under, ``0.weight``; ``names``: ``{name: tensor}``
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
    builder = _Builder(root, named, _module_of(params, ops), opts, highlight)
    drawing = builder.build(ops, hidden, max_nodes, max_depth)
    if highlight is not None:
        _highlight(drawing, highlight)
    return _to_dot(drawing, rankdir, legend)
