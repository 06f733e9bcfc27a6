"""The engine: reverse-mode differentiation by an iterative walk over the graph.

Start from the output with its gradient and visit the nodes newest first (a heap on
their creation order, no recursion: a chain of a million ops is fine). Every node that
sends a gradient to a node was created after it, so a node runs its backward once, after
*all* the gradients flowing into it have been summed (diamond-safe), then passes one
gradient to each parent: nodes collect them in a local dict, leaves accumulate into
``.grad``.

Gradients are numpy arrays; with ``create_graph=True`` they are Tensors and every step
of backward is itself recorded, which is how higher-order derivatives work.

``tg.autograd.grad`` and ``backward(inputs=...)`` walk the same way with a walk of their
own (autograd/differentiate.py: it keeps the gradients of chosen tensors instead of
filling ``.grad``).
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
from ..parity.backward_failure import leaves_complete_before
from ..parity.errors import invalid_gradient_error
from ..parity.torch_sum import sum_all, torch_sum
from . import function as fn
from . import grad_mode
from .function import Node
from .hooks import _given, hooks_on, tensor_hooks

if TYPE_CHECKING:
    from .tensor import AutogradTensor


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
        if isinstance(grad, np.ndarray) and not shape:
            grad = sum_all(grad)  # to one number: the fast whole-array path
        elif isinstance(grad, np.ndarray) and shape == (1,):
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
        raise invalid_gradient_error(type(node).__name__, i, gshape, shape)
    axes = tuple(range(lead)) + tuple(
        k + lead for k, n in enumerate(shape) if n == 1 and gshape[k + lead] != 1
    )
    if axes:
        grad = torch_sum(grad, axes, True) if not isinstance(grad, fn._Tensor) else \
            grad.sum(dim=axes, keepdim=True)
    return grad.reshape(shape) if grad.shape != shape else grad


def accumulate_leaf(leaf: AutogradTensor, grad: Any, create_graph: bool) -> None:
    """Add ``grad`` into ``leaf.grad`` as PyTorch's AccumulateGrad does.

    An existing ``.grad`` is added into in place, which is a write: its version goes up,
    so a graph that saved it (``w * p.grad``) raises at backward instead of using the new
    values.
    """
    if not leaf._requires_grad or fn.no_history(leaf):
        # requires_grad_(False) after the graph was built, or a view made under no_grad
        # (it has no history to pass a gradient on to): no .grad, as in PyTorch
        return
    current = leaf._grad
    if current is None:
        if create_graph:
            # a copy of its own, recorded (PyTorch's CopyBackwards): the gradient may be
            # another leaf's too, or a read-only broadcast, and .grad is written in place
            leaf._grad = fn._wrap(np.empty_like(leaf._data)).copy_(grad) if isinstance(
                grad, fn._Tensor) else fn._wrap(np.asanyarray(grad).astype(leaf._data.dtype))
        else:
            # a copy of its own: .grad is added into in place later, so it must never
            # share memory with an op's gradient, another leaf's, or the caller's; laid
            # out as the leaf is (a transposed gradient would slow every optimizer step)
            leaf._grad = fn._wrap(np.asanyarray(grad).copy("C" if leaf._data.flags.c_contiguous
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


class Walk:
    """The state of one backward pass: the gradients pending at nodes and at leaves."""

    watching = False  # whether every node stops at node_done (autograd.grad's walk does)

    def __init__(self, create_graph: bool) -> None:
        self.create_graph = create_graph
        self.grads: dict[Any, Any] = {}  # node -> sum of the gradients received so far
        self.owned: set[Node] = set()  # nodes whose pending sum is a buffer made here
        # leaf -> the sum of its gradients so far: each leaf gets its total once, at the
        # end (PyTorch sums them in AccumulateGrad's input buffer, then accumulates)
        self.leaves: dict[AutogradTensor, Any] = {}
        self.failed: Node | None = None  # the node whose backward raised, if one did

    def begin(self, starts: list[Node]) -> None:
        """Called once the nodes the walk starts from are known."""

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
            grads[node] = np.asanyarray(prev + grad)
            self.owned.add(node)

    def leaf(self, leaf: AutogradTensor, grad: Any) -> None:
        """Add ``grad`` to ``leaf``'s total (``release_leaves`` delivers it)."""
        leaves = self.leaves
        held = leaves.get(leaf)
        # (the sum is a new array: a gradient may be shared with another input)
        leaves[leaf] = grad if held is None else held + grad

    def node_done(self, node: Node, grad: Any) -> Any:
        """A node's total gradient is known: its tensor's hooks run on it, and a
        ``retain_grad()`` keeps it. Returns what the node's backward gets (what the hooks
        returned), or None to skip the node."""
        if type(grad) is list:  # a learner's Function with several outputs: one per output
            return node._outputs_done(self, grad)
        if tensor_hooks:
            entry = hooks_on(node)
            if entry is not None:
                grad = entry.run(grad, self.create_graph)
        if node._retained is not None:
            tensor = node._retained()
            if tensor is not None and tensor._grad_fn is node:
                accumulate_leaf(tensor, grad, self.create_graph)
        return grad

    def node_sent(self, node: Node) -> None:
        """Called after a node sent its gradients, when ``watching`` (PyTorch's order of
        the leaves' hooks uses it: parity/ready_queue.py)."""

    def release_leaves(self) -> None:
        """Each leaf's total gradient, through its hooks, into ``.grad``."""
        leaves, self.leaves = self.leaves, {}
        for leaf, grad in leaves.items():
            entry = hooks_on(leaf) if tensor_hooks else None
            if entry is not None:
                if fn.no_history(leaf):
                    continue  # (no gradient reaches it, nor its hooks)
                grad = entry.run(grad, self.create_graph)
            accumulate_leaf(leaf, grad, self.create_graph)


def run_backward(roots: Sequence[AutogradTensor], root_grads: Sequence[Any], retain_graph: bool,
                 create_graph: bool, walk: Walk | None = None) -> None:
    """Differentiate ``roots`` with the given output gradients: the leaves' gradients
    accumulate into ``.grad`` (or go where ``walk`` takes them)."""
    walk = walk or Walk(create_graph)
    queue: list[tuple[int, Any]] = []
    for root, grad in zip(roots, root_grads):
        if root._base is not None:
            root._refresh_view()  # (a view of a base written since: its history anew)
        edge = root._grad_fn
        if edge is None:  # differentiating a leaf with respect to itself
            walk.leaf(root, grad)
        elif not isinstance(edge, Node):  # output k of a learner's Function's several
            edge.receive(walk, grad, queue)
        elif edge in walk.grads:
            walk.add(edge, grad)
        else:
            walk.grads[edge] = grad
            queue.append((edge._seq, edge))
    walk.begin([node for _, node in queue])
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
        drain(queue, walk, retain_graph)
        if walk.leaves:
            walk.release_leaves()
    except Exception:
        if walk.failed is not None:  # (a node's backward, or a hook, raised)
            with contextlib.suppress(Exception):  # (the first error is the one to see)
                walk.leaves = leaves_complete_before(walk.failed, queue, walk.leaves)
                walk.release_leaves()
        raise
    finally:
        state.enabled, state.create_graph = prev_mode, prev_cg
        with _gc_lock:
            _gc_pauses[0] -= 1
            if not _gc_pauses[0] and _gc_pauses[1]:
                gc.enable()


# The walk makes no reference cycles, so the cyclic garbage collector has nothing to find
# in backward; pausing it keeps its full scans of a large graph out. The collector is one
# per process: a count of the backward passes running (in any thread) decides when it
# comes back, and only if it was on when the first of them began.
_gc_lock = threading.Lock()
_gc_pauses = [0, False]  # [backward passes running, gc was enabled before the first]


def _drain(queue: list[tuple[int, Any]], walk: Walk, retain_graph: bool) -> None:
    """Run every node that a gradient reaches, newest first, each once.

    A node's inputs were all created before it, so in creation order, newest first, every
    node runs after all the nodes that send it a gradient (diamond-safe, as PyTorch's
    ``sequence_nr`` order): the queue is a heap on ``_seq``, and a node enters it when its
    first gradient arrives. Nodes that no gradient reaches never run. On an error, the
    node that raised it is ``walk.failed``.
    """
    pending = walk.grads
    pop, push = heapq.heappop, heapq.heappush
    tensor_cls = fn._Tensor
    anomaly_state = grad_mode._anomaly
    tracer = grad_mode._state.tracer
    tracing = tracer is not None
    hooks = tensor_hooks  # (empty unless some tensor has hooks: Tensor.register_hook)
    watching = walk.watching
    node = None
    try:  # (free of cost in the loop: Python's zero-cost try)
        while queue:
            node = pop(queue)[1]
            grad = pending.pop(node)
            if watching or hooks or node._retained is not None or type(grad) is list:
                grad = walk.node_done(node, grad)
                if grad is None:
                    continue  # (autograd.grad: no input of its is below this node)
            if node._released and not any(_takes_grad(p) for p in node.parents):
                continue  # (no input takes a gradient: PyTorch reads nothing saved, no error)
            grads = node._run_backward(grad)  # (a freed node raises when it reads saved values)
            if type(grads) is not tuple:
                grads = (grads,)
            if hooks:  # grad_fn.register_hook: hooks on what the node sends its inputs
                grads = _post_hooks(node, grads, grad, walk.create_graph)
            if anomaly_state.checks is not None:  # tg.autograd.detect_anomaly: see anomaly.py
                anomaly_state.checks.backward_hook(node, grad, grads)
            reduced: list[Any] = [] if tracing else None  # type: ignore[assignment]
            parents = node.parents
            for i, (parent, g) in enumerate(zip(parents, grads)):
                if parent is None or g is None:
                    continue
                leaf = isinstance(parent, tensor_cls)
                shape, dtype = _expected(parent)
                if g.shape != shape or g.dtype != dtype:
                    before = g  # (a broadcast input's gradient: summed back to its shape)
                    g = _unbroadcast(g, shape, dtype, node, i)
                    if tracing:
                        reduced.append((i, before.shape, g.shape, g))
                if leaf:
                    walk.leaf(parent, g)
                elif isinstance(parent, Node):
                    if parent in pending:
                        walk.add(parent, g)
                    else:
                        pending[parent] = g
                        push(queue, (parent._seq, parent))
                else:  # output k of a learner's Function's several (autograd/function.py)
                    parent.receive(walk, g, queue)
            if tracing:
                tracer(node, grad, grads, reduced)  # type: ignore[misc]
            if not retain_graph:  # free what forward kept: saved values and intermediates
                node._free()
            if watching:
                walk.node_sent(node)
    except Exception:
        walk.failed = node  # (see run_backward: the leaves done by then get their .grad)
        raise


def _post_hooks(node: Node, grads: tuple[Any, ...], grad: Any, create_graph: bool
                ) -> tuple[Any, ...]:
    """Run ``node``'s ``register_hook`` hooks: they see the gradients its backward made for
    its inputs as PyTorch lists them (``next_functions``), each summed to its input's shape,
    with the gradient of its output, and may replace them."""
    entry = hooks_on(node)
    if entry is None or not entry.post:
        return grads
    listed, parents = node._listed(), node.parents
    grads = (*grads, *[None] * (len(parents) - len(grads)))
    given = tuple(None if parents[i] is None or grads[i] is None else
                  _unbroadcast(grads[i], *_expected(parents[i]), node, i) for i in listed)
    new = entry.run_node_hooks(entry.post, given, ((_given(grad),),), create_graph)
    return tuple(dict(zip(listed, new)).get(i) for i in range(len(parents)))


def _expected(parent: Any) -> tuple[tuple[int, ...], np.dtype]:
    """The shape and dtype a gradient for ``parent`` must have: a leaf's own, or the
    output's of a node (or of output k of a learner's Function's several)."""
    if isinstance(parent, fn._Tensor):
        return parent._data.shape, parent._data.dtype
    return parent._out_shape, parent._out_dtype


Drain = Callable[[list[tuple[int, Any]], Walk, bool], None]
drain: Drain = _drain  # the loop run_backward runs: _drain, or its fast twin (see bind)


def bind(tensor_cls: type[Any], make_apply: Callable[[type[fn.Function]], Callable[..., Any]]
         | None = None, fast_drain: Drain | None = None) -> None:
    """The one bind, done by tinygrad_edu/tensor.py once ``Tensor`` exists: the class the
    engine makes its results of, and the fast twins of recording an op (``_apply``) and of
    the loop above (``_drain``), from tinygrad_edu/fast/; without them (as with
    TINYGRAD_EDU_REFERENCE=1) the readable paths run."""
    global drain
    fn.bind(tensor_cls, make_apply)
    drain = fast_drain or _drain


def _takes_grad(parent: Any) -> bool:
    """Whether a node's input takes a gradient: a node, or a leaf with a history to give
    it to (not a view made under no_grad)."""
    return parent is not None and (not isinstance(parent, fn._Tensor) or not fn.no_history(
        parent))
