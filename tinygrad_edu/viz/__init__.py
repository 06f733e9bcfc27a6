"""See autograd work: draw the graph, trace what backward does, check gradient health.

- ``draw_graph(loss, params=model)`` (``graph.py``): the recorded graph as a
  ``graphviz.Digraph`` (shown inline in Jupyter, ``.render(...)`` to svg/png from
  scripts). Ops carry PyTorch's ``grad_fn`` names; leaves, parameters, constants and
  detach cuts are styled apart; NaN/Inf and all-zero gradients stand out.
- ``trace_backward()`` (``trace.py``): a context manager that records every step the
  engine takes during ``backward()``; ``print()`` it to watch the chain rule happen.
- ``grad_health(model)`` (``health.py``): per-parameter gradient norms, as a table and a
  bar chart, to spot vanishing or exploding gradients.
- ``draw_program(step)`` (``program.py``): what ``tg.compile`` replays for a compiled
  step, one box per numpy call, arrows for the values each reads.
- ``op_source(node)`` (``source.py``): the ``Function`` class that recorded a node and
  where it is written (``Mul, tinygrad_edu/ops/arithmetic.py:139``): from a name in the
  graph to its formula. Graph tooltips and trace steps show it too.

These tools sit beside the engine: it never imports them; they reach it through its
hooks (``core.engine.set_tracer``). graphviz and matplotlib are imported only when these
functions run.
"""

from __future__ import annotations

from .graph import GraphvizNotFoundError, draw_graph
from .health import GradHealth, ParamHealth, grad_health
from .program import draw_program
from .source import op_source
from .trace import BackwardTrace, TraceInput, TraceStep, trace_backward

__all__ = [
    "draw_graph", "trace_backward", "BackwardTrace", "TraceStep", "TraceInput",
    "grad_health", "GradHealth", "ParamHealth", "GraphvizNotFoundError", "op_source",
    "draw_program",
]
