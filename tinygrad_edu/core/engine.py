"""The engine: reverse-mode differentiation by an iterative walk over the graph.

Start from the output with its gradient and visit the nodes newest first (a heap on
their creation order, no recursion: a chain of a million ops is fine). Every node that
sends a gradient to a node was created after it, so a node runs its backward once, after
*all* the gradients flowing into it have been summed (diamond-safe), then passes one
gradient to each parent: nodes collect them in a local dict, leaves accumulate into
``.grad``.

Gradients are numpy arrays; with ``create_graph=True`` they are Tensors and every step
of backward is itself recorded, which is how higher-order derivatives work.
"""

from __future__ import annotations

import contextlib
import gc
import heapq
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtypes
from ..parity.errors import FREED
from ..parity.torch_sum import sum_all, torch_sum
from . import function as fn
from . import grad_mode
from .function import Node
from .hooks import tensor_hooks

if TYPE_CHECKING:
    from ..tensor import Tensor


def set_tracer(tracer: Callable[..., None] | None) -> Callable[..., None] | None:
    """Install this thread's hook for tg.viz.trace_backward; return the previous one.

    The engine calls it after each node's backward as ``tracer(node, grad,
    grads_to_parents, reduced)``; ``reduced`` lists (input_index, shape_before,
    shape_after, grad_sent) for each gradient that was summed back to its input's shape
    (or cast to its dtype).
    """
    state = grad_mode._state
    previous, state.tracer = state.tracer, tracer
    return previous


def _unbroadcast(grad: Any, shape: tuple[int, ...], dtype: np.dtype, node: Node, i: int) -> Any:
    """Sum ``grad`` back to an input's ``shape`` (undo broadcasting) and cast to its dtype.

    The only place where broadcasting is undone: ops return gradients of the broadcast
    shape. Sums go through ``torch_sum``, which adds in PyTorch's order (its
    ``sum_to_size``): the same rounding.
    """
    if grad.shape != shape:
        if type(grad) is np.ndarray and not shape:
            grad = sum_all(grad)  # to one number: the fast whole-array path
        elif type(grad) is np.ndarray and shape == (1,):
            grad = sum_all(grad).reshape(shape)
        else:
            grad = _sum_to(grad, shape, node, i)
    if grad.dtype != dtype:
        grad = grad.to(dtypes.from_numpy(dtype)) if isinstance(grad, fn._Tensor) else \
            grad.astype(dtype)
    return grad


def _sum_to(grad: Any, shape: tuple[int, ...], node: Node, i: int) -> Any:
    """Sum away the leading axes that broadcasting added, then the size-1 axes."""
    gshape = grad.shape
    lead = len(gshape) - len(shape)
    if lead < 0 or any(
        n != gshape[k + lead] for k, n in enumerate(shape) if n != 1 and gshape[k + lead] != n
    ):
        raise RuntimeError(
            f"Function {type(node).__name__} returned an invalid gradient at index {i} - "
            f"got {list(gshape)} but expected shape compatible with {list(shape)}"
        )
    axes = tuple(range(lead)) + tuple(
        k + lead for k, n in enumerate(shape) if n == 1 and gshape[k + lead] != 1
    )
    if axes:
        grad = torch_sum(grad, axes, True) if not isinstance(grad, fn._Tensor) else \
            grad.sum(dim=axes, keepdim=True)
    return grad.reshape(shape) if grad.shape != shape else grad


def _call_backward(node: Node, grad: Any, create_graph: bool) -> tuple[Any, ...]:
    """Run one node's backward and return one gradient per input."""
    if node._released:
        if node._saved:
            raise RuntimeError(FREED)
    function = node._function
    if function._numpy:
        grads = function.backward(node, grad)
    else:  # a learner's Function: it works on Tensors, one gradient per output
        grads = function.backward(node, *_output_grads(node, grad, create_graph))
        if not create_graph:
            # copied, so that a returned input can never become (and be mutated as) a .grad
            grads = tuple(np.array(g._data) if isinstance(g, fn._Tensor) else g
                          for g in _as_tuple(grads))
    grads = _as_tuple(grads)
    n = len(node.parents)
    if len(grads) > n and all(g is None for g in grads[n:]):
        grads = grads[:n]  # as PyTorch: trailing Nones for omitted optional arguments are fine
    if len(grads) != len(node.parents):
        raise RuntimeError(
            f"function {type(node).__name__} returned an incorrect number of gradients "
            f"(expected {len(node.parents)}, got {len(grads)})"
        )
    return grads


def _output_grads(node: Node, grad: Any, create_graph: bool) -> list[Any]:
    """The gradients a learner's backward gets, as Tensors: one, or one per output (zeros
    where none arrived, unless ``ctx.set_materialize_grads(False)``: then None)."""
    grads = [grad] if node._edges is None else list(grad)
    if node._edges is not None:
        for k, meta in enumerate(node._outputs):
            if grads[k] is None and meta is not None and node._materialize_grads:
                grads[k] = np.zeros(meta[0], meta[1])
    return [g if g is None or isinstance(g, fn._Tensor) else fn._wrap(g) for g in grads]


def _as_tuple(grads: Any) -> tuple[Any, ...]:
    return grads if isinstance(grads, tuple) else (grads,)


def _accumulate_leaf(leaf: Tensor, grad: Any, create_graph: bool) -> None:
    """Add ``grad`` into ``leaf.grad`` as PyTorch's AccumulateGrad does.

    An existing ``.grad`` is added into in place, which is a write: its version goes up,
    so a graph that saved it (``w * p.grad``) raises at backward instead of using the new
    values.
    """
    if not leaf._requires_grad or (leaf._base is not None and fn.no_history(leaf)):
        # requires_grad_(False) after the graph was built, or a view made under no_grad
        # (it has no history to pass a gradient on to): no .grad, as in PyTorch
        return
    current = leaf._grad
    if current is None:
        if create_graph:
            # a copy of its own, recorded (PyTorch's CopyBackwards): the gradient may be
            # another leaf's too, or a read-only broadcast, and .grad is written in place
            leaf._grad = fn._wrap(np.empty_like(leaf._data)).copy_(grad) if isinstance(
                grad, fn._Tensor) else fn._wrap(np.array(grad, dtype=leaf._data.dtype))
        else:
            # a copy of its own: .grad is added into in place later, so it must never
            # share memory with an op's gradient, another leaf's, or the caller's; laid
            # out as the leaf is (a transposed gradient would slow every optimizer step)
            leaf._grad = fn._wrap(np.array(grad, order="C" if leaf._data.flags.c_contiguous
                                           else "K"))
    elif create_graph or current._requires_grad:
        leaf._grad = current + grad
    else:
        data = current._data
        if data.shape == grad.shape:
            try:
                np.add(data, grad, out=data)
                fn.bump_version(current)
                return
            except ValueError:  # a read-only .grad (one the user set): add out of place
                pass
        current._data = data + grad
        fn.bump_version(current)


_NO_CAPTURES: dict[int, list[int]] = {}


class _Walk:
    """The state of one backward pass: pending gradients and where results go."""

    __slots__ = ("create_graph", "grads", "owned", "inputs", "captures", "results", "leaves",
                 "into_grad", "needed", "failed")

    def __init__(self, create_graph: bool, inputs: Sequence[Tensor] | None,
                 into_grad: bool = False) -> None:
        self.create_graph = create_graph
        self.into_grad = into_grad  # backward(inputs=...): the results go into .grad
        self.grads: dict[Node, Any] = {}  # node -> sum of the gradients received so far
        self.owned: set[Node] = set()  # nodes whose pending sum is a buffer made here
        self.inputs = inputs
        self.captures = _capture_table(inputs) if inputs is not None else _NO_CAPTURES
        self.results: list[Any] = [None] * len(inputs) if inputs is not None else []
        # with inputs: the nodes that lead to one (run_backward fills it); the others are
        # not run (PyTorch's exec_info): no backward, no hooks, no retained .grad
        self.needed: set[Node] | None = None
        self.failed: Node | None = None  # the node whose backward raised, if one did
        # leaf -> the sum of its gradients so far: each leaf gets its total once, at the
        # end (PyTorch sums them in AccumulateGrad's input buffer, then accumulates)
        self.leaves: dict[Tensor, Any] = {}

    def add(self, node: Node, grad: Any) -> None:
        """Sum ``grad`` into ``node``'s pending gradient.

        Only a buffer this walk made is added into in place: a gradient an op returned
        may be the very array it also sent to another input (``Add`` sends one to both).
        """
        grads = self.grads
        prev = grads.get(node)
        if prev is None:
            grads[node] = grad
        elif self.create_graph:
            grads[node] = prev + grad
        elif node in self.owned:
            np.add(prev, grad, out=prev)
        else:
            # asarray: a sum of 0-d arrays is a numpy scalar, which np.add(out=) rejects
            grads[node] = np.asarray(prev + grad)
            self.owned.add(node)

    def add_output(self, edge: Any, grad: Any, queue: list[tuple[int, Node]]) -> None:
        """Sum ``grad`` into the gradient of output ``edge.k`` of ``edge.node``."""
        node = edge.node
        slots = self.grads.get(node)
        if slots is None:
            slots = self.grads[node] = [None] * len(node._edges)
            heapq.heappush(queue, (node._seq, node))
        prev = slots[edge.k]
        slots[edge.k] = grad if prev is None else prev + grad

    def outputs_done(self, node: Node, grads: list[Any], runs: bool = True) -> None:
        """The gradients of a node's several outputs are known: their tensors' hooks,
        autograd.grad and retain_grad, per output (as ``node_done`` for one)."""
        for k, ref in enumerate(node._edges):
            edge = ref() if ref is not None else None
            if edge is None or grads[k] is None:
                continue
            captured = self.captures.get(id(edge), ())
            early = runs and not self.into_grad  # (before the hooks, or after: node_done)
            if captured and early:
                self.capture(captured, grads[k])
            entry = tensor_hooks.get(id(edge)) if tensor_hooks else None
            if entry is not None:
                grads[k] = entry.run(grads[k], self.create_graph)
            if captured and not early:
                self.capture(captured, grads[k])
            if edge._retained is not None and not (captured and self.into_grad):
                tensor = edge._retained()
                if tensor is not None and tensor._grad_fn is edge:
                    _accumulate_leaf(tensor, grads[k], self.create_graph)

    def leaf(self, leaf: Tensor, grad: Any) -> None:
        """Add ``grad`` to ``leaf``'s total (``release_leaves`` delivers it)."""
        leaves = self.leaves
        held = leaves.get(leaf)
        # (the sum is a new array: a gradient may be shared with another input)
        leaves[leaf] = grad if held is None else held + grad

    def deliver(self, leaf: Tensor, grad: Any) -> None:
        """Add a leaf's gradient into its ``.grad`` or into the results of autograd.grad."""
        if self.inputs is None:
            _accumulate_leaf(leaf, grad, self.create_graph)
            return
        captured = self.captures.get(id(leaf), ())
        if captured:
            self.capture(captured, grad)

    def capture(self, positions: list[int], grad: Any) -> None:
        """The total gradient of the input at ``positions`` (several: an input listed twice,
        tied weights): the result of autograd.grad, or with backward(inputs=...) added into
        its ``.grad`` at once (once for a tensor listed twice), as PyTorch does."""
        if self.into_grad:
            done: set[int] = set()
            for k in positions:
                tensor = self.inputs[k]  # type: ignore[index]
                if id(tensor) not in done:
                    done.add(id(tensor))
                    _accumulate_leaf(tensor, grad._data if isinstance(grad, fn._Tensor) and
                                     not self.create_graph else grad, self.create_graph)
            return
        result = grad if isinstance(grad, fn._Tensor) else fn._wrap(np.array(grad))
        for k in positions:  # (one result object for an input listed twice, as PyTorch)
            self.results[k] = result

    def release_complete_leaves(self, failed: Node, queue: list[tuple[int, Node]]) -> None:
        """Backward failed at node ``failed``: the leaves that had all their gradients by
        then get them anyway, as PyTorch's AccumulateGrad runs as soon as a leaf's are in.
        A leaf below ``failed`` or below a node still waiting gets nothing."""
        waiting: set[int] = set()
        seen: set[int] = set()
        stack: list[Any] = [failed, *(node for _, node in queue)]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            for p in node.parents:
                if p is None:
                    continue
                if isinstance(p, Node) or type(p) is fn.Output:
                    stack.append(p.node if type(p) is fn.Output else p)
                else:
                    waiting.add(id(p))
        self.leaves = {leaf: g for leaf, g in self.leaves.items() if id(leaf) not in waiting}
        self.release_leaves()

    def release_leaves(self) -> None:
        """Each leaf's total gradient, through its hooks, into ``.grad`` or the results."""
        leaves, self.leaves = self.leaves, {}
        hooks = tensor_hooks
        if self.inputs is None and not hooks:  # loss.backward(): straight into .grad
            create_graph = self.create_graph
            for leaf, grad in leaves.items():
                _accumulate_leaf(leaf, grad, create_graph)
            return
        captures = self.captures
        for leaf, grad in leaves.items():
            if (leaf._base is not None and fn.no_history(leaf)) or (
                    self.inputs is not None and id(leaf) not in captures):
                continue  # (no gradient reaches it; or with inputs, one not among them)
            entry = hooks.get(id(leaf)) if hooks else None
            if entry is not None:
                grad = entry.run(grad, self.create_graph)
            self.deliver(leaf, grad)

    def node_done(self, node: Node, grad: Any, runs: bool = True) -> Any:
        """A node's total gradient is known: its tensor's hooks, autograd.grad, retain_grad.

        Returns the gradient the node's backward gets (what the hooks returned). As in
        PyTorch's engine, autograd.grad captures an input's gradient before its hooks when
        the walk goes on below it (``runs``), after them when it stops there.
        """
        captured = self.captures.get(id(node), ())
        early = runs and not self.into_grad  # (backward(inputs=...) fills .grad after them)
        if captured and early:
            self.capture(captured, grad)
        if tensor_hooks:
            entry = tensor_hooks.get(id(node))
            if entry is not None:
                grad = entry.run(grad, self.create_graph)
        if captured and not early:
            self.capture(captured, grad)
        if node._retained is not None and not (captured and self.into_grad):
            # (backward(inputs=[y]) puts y's gradient into y.grad itself: once, not twice)
            tensor = node._retained()
            if tensor is not None and tensor._grad_fn is node:
                _accumulate_leaf(tensor, grad, self.create_graph)
        return grad


def run_backward(
    roots: Sequence[Tensor],
    root_grads: Sequence[Any],
    retain_graph: bool,
    create_graph: bool,
    inputs: Sequence[Tensor] | None = None,
    into_grad: bool = False,
) -> list[Any] | None:
    """Differentiate ``roots`` with the given output gradients.

    Without ``inputs`` (``Tensor.backward``), leaf gradients accumulate into ``.grad``.
    With ``inputs`` (``autograd.grad``), nothing is accumulated: the gradients reaching
    ``inputs`` are returned (``None`` where none arrived); ``into_grad`` says the caller
    (``backward(inputs=...)``) will add them into ``.grad``.
    """
    walk = _Walk(create_graph, inputs, into_grad)
    queue: list[tuple[int, Node]] = []
    for root, grad in zip(roots, root_grads):
        if root._base is not None:
            root._refresh_view()  # (a view of a base written since: its history anew)
        edge = root._grad_fn
        node = edge.node if type(edge) is fn.Output else edge
        if node is None:  # differentiating a leaf with respect to itself
            walk.leaf(root, grad)
        elif type(edge) is fn.Output:
            walk.add_output(edge, grad, queue)
        elif node in walk.grads:
            walk.add(node, grad)
        else:
            walk.grads[node] = grad
            queue.append((node._seq, node))
    if inputs is not None:
        walk.needed = _needed([node for _, node in queue], walk.captures)
    heapq.heapify(queue)
    state = grad_mode._state  # (this thread's: another thread's mode is left alone)
    prev_mode, prev_cg = state.enabled, state.create_graph
    state.enabled = state.create_graph = create_graph
    with _gc_lock:  # (pause the collector: see _gc_pauses)
        if not _gc_pauses[0]:
            _gc_pauses[1] = gc.isenabled()
            gc.disable()
        _gc_pauses[0] += 1
    try:
        _drain(queue, walk, retain_graph)
        if walk.leaves:
            walk.release_leaves()
    except Exception:
        if walk.failed is not None:  # (a node's backward, or a hook, raised)
            with contextlib.suppress(Exception):  # (the first error is the one to see)
                walk.release_complete_leaves(walk.failed, queue)
        raise
    finally:
        state.enabled, state.create_graph = prev_mode, prev_cg
        with _gc_lock:
            _gc_pauses[0] -= 1
            if not _gc_pauses[0] and _gc_pauses[1]:
                gc.enable()
    return walk.results if inputs is not None else None


# The walk makes no reference cycles, so the cyclic garbage collector has nothing to find
# in backward; pausing it keeps its full scans of a large graph out. The collector is one
# per process: a count of the backward passes running (in any thread) decides when it
# comes back, and only if it was on when the first of them began.
_gc_lock = threading.Lock()
_gc_pauses = [0, False]  # [backward passes running, gc was enabled before the first]


def _drain(queue: list[tuple[int, Node]], walk: _Walk, retain_graph: bool) -> None:
    """Run every node that a gradient reaches, newest first, each once.

    A node's inputs were all created before it, so in creation order, newest first, every
    node runs after all the nodes that send it a gradient (diamond-safe, as PyTorch's
    ``sequence_nr`` order): the queue is a heap on ``_seq``, and a node enters it when its
    first gradient arrives. Nodes that no gradient reaches never run. On an error, the
    node that raised it is ``walk.failed``.
    """
    pending = walk.grads
    pop, push = heapq.heappop, heapq.heappush
    captures = walk.captures
    anomaly_state = grad_mode._anomaly
    tracer = grad_mode._state.tracer
    tracing = tracer is not None
    hooks = tensor_hooks  # (empty unless some tensor has hooks: Tensor.register_hook)
    needed = walk.needed  # (None unless autograd.grad or backward(inputs=...))
    node = None
    try:  # (free of cost in the loop: Python's zero-cost try)
        while queue:
            node = pop(queue)[1]
            grad = pending.pop(node)
            if type(grad) is list:  # a node with several outputs: one gradient per output
                if needed is not None and node not in needed:
                    if any(ref is not None and id(ref()) in captures for ref in node._edges):
                        walk.outputs_done(node, grad, runs=False)
                    continue
                walk.outputs_done(node, grad)
            elif captures or node._retained is not None or hooks:
                if needed is not None and node not in needed:  # (an input, or off their way)
                    if id(node) in captures:
                        walk.node_done(node, grad, runs=False)
                    continue
                grad = walk.node_done(node, grad)
            if node._released and not any(_takes_grad(p) for p in node.parents):
                continue  # (no input takes a gradient: PyTorch reads nothing saved, no error)
            grads = node._run_backward(grad)  # (a freed node raises when it reads saved values)
            if type(grads) is not tuple:
                grads = (grads,)
            if anomaly_state.checks is not None:  # tg.autograd.detect_anomaly: see anomaly.py
                anomaly_state.checks.backward_hook(node, grad, grads)
            reduced: list[Any] = [] if tracing else None  # type: ignore[assignment]
            for i, (parent, g) in enumerate(zip(node.parents, grads)):
                if parent is None or g is None:
                    continue
                if isinstance(parent, Node):
                    if g.shape != parent._out_shape or g.dtype != parent._out_dtype:
                        before = g
                        g = _unbroadcast(g, parent._out_shape, parent._out_dtype, node, i)
                        if tracing:
                            reduced.append((i, before.shape, g.shape, g))
                    if parent in pending:
                        walk.add(parent, g)
                    else:
                        pending[parent] = g
                        push(queue, (parent._seq, parent))
                    continue
                if type(parent) is fn.Output:  # output k of a node with several outputs
                    walk.add_output(parent, _reduce(g, parent, node, i, reduced), queue)
                    continue
                data = parent._data  # a leaf
                if g.shape != data.shape or g.dtype != data.dtype:
                    before = g
                    g = _unbroadcast(g, data.shape, data.dtype, node, i)
                    if tracing:
                        reduced.append((i, before.shape, g.shape, g))
                walk.leaf(parent, g)
            if tracing:
                tracer(node, grad, grads, reduced)  # type: ignore[misc]
            if not retain_graph:  # free what forward kept: saved values and intermediates
                node._saved = ()
                node._released = True
                parents = node.parents
                if len(parents) == 2:  # (most ops, inline) constants stay, for tg.viz
                    p, q = parents
                    args = node._args
                    node._args = None if p is not None and q is not None else (
                        args[0] if p is None else None, args[1] if q is None else None)
                else:
                    node._args = _constants(parents, node._args)
    except Exception:
        walk.failed = node  # (see run_backward: the leaves done by then get their .grad)
        raise


def _takes_grad(parent: Any) -> bool:
    """Whether a node's input takes a gradient: a node, or a leaf with a history to give
    it to (not a view made under no_grad)."""
    return parent is not None and (not isinstance(parent, fn._Tensor) or not fn.no_history(
        parent))


def _reduce(g: Any, parent: Any, node: Node, i: int, reduced: list[Any] | None) -> Any:
    """``g`` summed back to the shape of ``parent``'s output (and cast to its dtype)."""
    if g.shape == parent._out_shape and g.dtype == parent._out_dtype:
        return g
    before = g
    g = _unbroadcast(g, parent._out_shape, parent._out_dtype, node, i)
    if reduced is not None:
        reduced.append((i, before.shape, g.shape, g))
    return g


def _constants(parents: tuple[Any, ...], args: Any) -> tuple[Any, ...] | None:
    """The inputs a freed node still remembers: constants (for tg.viz), not intermediates."""
    for p in parents:  # (not `None in parents`: == on a Tensor is elementwise)
        if p is None:
            return tuple([a if p is None else None for a, p in zip(args, parents)])
    return None


def _needed(starts: list[Node], captures: dict[int, list[int]]) -> set[Node]:
    """The nodes below ``starts`` from which one of the inputs (``captures``: the ids of
    their nodes, output edges or leaves) can be reached: what a backward with inputs must
    run. An iterative depth-first walk; a node is judged after all its parents."""
    reaches: dict[Node, bool] = {}
    stack: list[tuple[Node, bool]] = [(node, False) for node in starts]
    while stack:
        node, judged = stack.pop()
        if judged:
            reaches[node] = any(p is not None and (id(p) in captures or reaches.get(
                p.node if type(p) is fn.Output else p, False)) for p in node.parents)
            continue
        if node in reaches:
            continue
        reaches[node] = False  # (seen; judged once its parents are)
        stack.append((node, True))
        for p in node.parents:
            target = p.node if type(p) is fn.Output else p
            if isinstance(target, Node) and target not in reaches:
                stack.append((target, False))
    return {node for node, yes in reaches.items() if yes}


def _capture_table(inputs: Sequence[Tensor] | None) -> dict[int, list[int]]:
    """id of each input's node (or of the leaf itself) -> its positions in ``inputs``."""
    table: dict[int, list[int]] = {}
    for k, t in enumerate(inputs or ()):
        edge = t._grad_fn if t.grad_fn is not None else t  # (an Output for one of several)
        table.setdefault(id(edge), []).append(k)
    return table
