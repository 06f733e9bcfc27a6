"""The fast twin of the engine's loop (``_drain`` in core/engine.py).

The same steps in the same order; what it saves is Python calls per node: it reads a
node's first two edges from their slots instead of building ``node.parents``, frees the
node inline instead of calling ``node._free()``, and adds a leaf's gradient to the walk's
sums inline instead of calling ``walk.leaf``. Walks that watch every node
(``autograd.grad``), a trace (``tg.viz.trace_backward``), anomaly mode and any hook (a
node's hooks run after its backward: ``engine._post_hooks``) take the readable loop.
tinygrad_edu/tensor.py binds it (``engine.bind``) unless TINYGRAD_EDU_REFERENCE=1; the
test suite runs both ways.
"""

from __future__ import annotations

import heapq
from typing import Any

from ..core import function as fn
from ..core import grad_mode
from ..core.engine import Walk, _drain, _takes_grad, _unbroadcast
from ..core.function import Node
from ..core.hooks import tensor_hooks


def fast_drain(queue: list[tuple[int, Any]], walk: Walk, retain_graph: bool) -> None:
    """``_drain``, with fewer Python calls per node (see the module docstring)."""
    if type(walk) is not Walk or grad_mode._state.tracer is not None \
            or grad_mode._anomaly.checks is not None or tensor_hooks:
        return _drain(queue, walk, retain_graph)
    pending = walk.grads
    leaves = walk.leaves
    pop, push = heapq.heappop, heapq.heappush
    tensor_cls = fn._Tensor
    anomaly_state = grad_mode._anomaly
    hooks = tensor_hooks
    node = None
    try:
        while queue:
            node = pop(queue)[1]
            grad = pending.pop(node)
            if hooks or node._retained is not None or type(grad) is list:
                grad = walk.node_done(node, grad)
                if grad is None:
                    continue
            n = node._n
            if node._released and not any(_takes_grad(p) for p in node.parents):
                continue
            grads = node._run_backward(grad)
            if type(grads) is not tuple:
                grads = (grads,)
            if anomaly_state.checks is not None:
                anomaly_state.checks.backward_hook(node, grad, grads)
            parents = (node._e0, node._e1) if n == 2 else (node._e0,) if n == 1 else \
                (node._e0, node._e1, *node._erest) if n else ()
            i = -1
            for parent, g in zip(parents, grads):
                i += 1
                if parent is None or g is None:
                    continue
                if isinstance(parent, tensor_cls):
                    data = parent._data
                    if g.shape != data.shape or g.dtype != data.dtype:
                        g = _unbroadcast(g, data.shape, data.dtype, node, i)
                    held = leaves.get(parent)
                    leaves[parent] = g if held is None else held + g
                elif isinstance(parent, Node):
                    if g.shape != parent._out_shape or g.dtype != parent._out_dtype:
                        g = _unbroadcast(g, parent._out_shape, parent._out_dtype, node, i)
                    if parent in pending:
                        walk.add(parent, g)
                    else:
                        pending[parent] = g
                        push(queue, (parent._seq, parent))
                else:
                    if g.shape != parent._out_shape or g.dtype != parent._out_dtype:
                        g = _unbroadcast(g, parent._out_shape, parent._out_dtype, node, i)
                    parent.receive(walk, g, queue)
            if not retain_graph:
                node._saved = ()  # node._free(), inline
                node._released = True
                if node._e0 is not None:
                    node._a0 = None
                if node._e1 is not None:
                    node._a1 = None
                if n > 2:
                    node._arest = tuple([a if e is None else None
                                         for a, e in zip(node._arest, node._erest)])
    except Exception:
        walk.failed = node
        raise

