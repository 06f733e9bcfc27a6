"""``trace_backward``: record every step the engine takes during ``backward()``, through
the engine's tracer hook (``core.engine.set_tracer``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core import engine
from ..core.function import Node
from ..dtypes import FLOATING
from ..param_names import registered_name
from ..tensor import Tensor
from ._common import _fmt, _named, _nonfinite, _shape
from .source import op_source


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
        return _fmt(float(a)) if a.dtype in FLOATING else str(a)
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
        """The name of a leaf: from ``params``, else the name its Module registered it under
        (``0.weight``), else ``leaf#k`` in order of appearance.

        >>> t.leaf_name(id(w))
        'w'
        """
        name = self._names.get(leaf_id) or registered_name(self.leaves.get(leaf_id))
        if name:
            return name
        unnamed = [k for k in self.leaves if k not in self._names and
                   registered_name(self.leaves[k]) is None]
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
            name if name.startswith("leaf#") else f"leaf {name}"
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
    [2] MulBackward0   output shape (2,)   (Mul, tinygrad_edu/ops/arithmetic.py:139)
          incoming grad: [1, 1]
          input 0 -> leaf w: [3, 3]   += into w.grad
    leaves' .grad after backward:
      w  [3, 3]   (1 contribution)

    Each step is one op (its PyTorch ``grad_fn`` name, then the ``Function`` class that ran
    and where it is written: ``op_source``) with the gradient it received and
    the gradient it sent to each input: to another op, or into a leaf's ``.grad``; where
    a gradient was summed back to its input's shape, the line says "broadcasting undone".
    ``params`` (a Module or ``{name: tensor}``) names the leaves (without it, a parameter
    is named as its Module registered it: ``0.weight``); arrays with at most
    ``max_values`` values are printed whole, larger ones as shape, mean and norm.
    """
    return BackwardTrace(params, max_values)
