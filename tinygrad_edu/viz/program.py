"""``draw_program(step)``: what ``tg.compile`` replays, drawn as a dataflow graph.

Each box is one numpy call of the replayed program (``compiled.explain()`` lists the same
calls as text), each arrow a value it reads; the captured tensors it binds (parameters,
data, optimizer state) are green at the top, what it leaves behind (a new ``.grad``, an
updated parameter, the result) orange at the bottom. A call writing in place (``out=``, a
``fill``) points at the value it writes with a dashed arrow. Work the compiler removed
(dead code, folded constants) is not drawn; what it made once is listed in the note.
"""

from __future__ import annotations

from typing import Any

from .graph import _digraph_class, _graphviz

__all__ = ["draw_program"]


def draw_program(compiled: Any, program: int = 0, rankdir: str = "TB") -> Any:
    """Draw program ``program`` of a function compiled by ``tg.compile`` (after its second
    call has recorded it) as a ``graphviz.Digraph``.

    >>> step = tg.compile(train_step)
    >>> for _ in range(3):
    ...     step()
    >>> tg.viz.draw_program(step).render("step", format="svg")
    'step.svg'
    """
    gv = _graphviz()
    programs = getattr(compiled, "_programs", None)
    if programs is None:
        raise TypeError(f"draw_program() takes a function compiled by tg.compile, not "
                        f"{type(compiled).__name__}. Hint: step = tg.compile(fn); call it "
                        "twice (warm-up, record), then draw it.")
    if not 0 <= program < len(programs):
        raise IndexError(f"program {program} does not exist: {len(programs)} recorded. "
                         "Hint: a compiled function records on its second call.")
    prog = programs[program][1]
    from ..compiler.program import _describe, _step_line  # (the compiler loads lazily)
    from ..compiler.recorder import Read, Step, tids

    rec = prog.rec
    dot = _digraph_class(gv)("program", graph_attr={"rankdir": rankdir, "fontsize": "10"},
                             node_attr={"fontname": "monospace", "fontsize": "9"})
    made_by: dict[int, str] = {}  # the root of a value -> the node that last wrote it
    views: dict[int, str] = {}  # a view made by a call of the program -> that call
    for tid, binding in prog.inputs:
        key = f"t{tid}"
        where = prog.names[binding.index] + (".grad" if binding.grad else "")
        dot.node(key, f"{where}\n{_describe(rec.values[tid])}", shape="box", style="filled",
                 fillcolor="#d9f2d9")
        made_by[rec.root[tid]] = key
    for i, op in enumerate(prog.ops):
        key = f"op{i}"
        if isinstance(op, Read):
            dot.node(key, f"guard {op.how} == {op.value!r}", shape="diamond",
                     fontsize="8")
            _arrow(dot, views.get(op.tid) or made_by.get(rec.root[op.tid]), key)
            continue
        assert isinstance(op, Step)
        if op.label == "=":  # a copy left out: the value is its buffer, drawn where made
            buffer = tids(op.args)[0]
            maker = views.get(buffer) or made_by.get(rec.root[buffer])
            if maker is not None and isinstance(op.result, int):
                made_by[op.result] = maker
            continue
        label = _step_line(op, rec).split("  # ")[0]
        dot.node(key, label if len(label) <= 60 else label[:57] + "...", shape="box",
                 style="rounded")
        written = None if op.writes is None else rec.root[op.writes]
        sources = {views.get(t) or made_by.get(rec.root[t])
                   for t in tids([op.args, op.kwargs]) if rec.root[t] != written}
        for source in sorted(s for s in sources if s is not None):
            _arrow(dot, source, key)
        if written is not None:
            _arrow(dot, made_by.get(written), key, style="dashed")
            made_by[written] = key
        results = [op.result] if isinstance(op.result, int) else list(op.result or ())
        for tid in results:
            if rec.root[tid] == tid:
                made_by[tid] = key
            else:  # a view: what reads it reads this call
                views[tid] = key
    for binding, tid in prog.outputs:
        where = prog.names[binding.index] + (".grad" if binding.grad else "")
        key = f"out_{binding.index}_{binding.grad}"
        dot.node(key, where if tid is None else f"{where}\n{_describe(rec.values[tid])}",
                 shape="box", style="filled", fillcolor="#ffe0b3")
        if tid is not None:
            _arrow(dot, views.get(tid) or made_by.get(rec.root[tid]), key)
    r = prog.removed
    dot.attr(label=f"{prog.calls} numpy calls replayed of {len(rec.steps)} recorded: "
                   f"{r['dead']} dead, {r['folded']} folded, {r['made once']} made once",
             labelloc="t", fontsize="10")
    return dot


def _arrow(dot: Any, source: str | None, key: str, **attrs: str) -> None:
    if source is not None:
        dot.edge(source, key, **attrs)
