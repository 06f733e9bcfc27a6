"""The engine: reverse-mode differentiation by an iterative walk over the graph.

1. Count, for every node reachable from the output, how many edges lead into it
   (an explicit stack, no recursion: a chain of a million ops is fine).
2. Start from the output with its gradient; a node runs its backward once *all* the
   gradients flowing into it have been summed (diamond-safe), then passes one gradient
   to each parent: nodes collect them in a local dict, leaves accumulate into ``.grad``.

Gradients are numpy arrays; with ``create_graph=True`` they are Tensors and every step
of backward is itself recorded, which is how higher-order derivatives work.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

from .. import dtypes
from . import function as fn
from . import grad_mode
from .function import Node

if TYPE_CHECKING:
    from ..tensor import Tensor

# Hook for tg.viz.trace_backward: called as tracer(node, grad, grads_to_parents, reduced)
tracer: Callable[..., None] | None = None


def _dependencies(roots: Sequence[Node]) -> dict[Node, int]:
    """For each node below the roots, the number of edges that lead into it."""
    deps: dict[Node, int] = {}
    stack = list(roots)
    seen = set(stack)
    while stack:
        node = stack.pop()
        for parent in node.parents:
            if isinstance(parent, Node):
                deps[parent] = deps.get(parent, 0) + 1
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
    return deps


def _unbroadcast(grad: Any, shape: tuple[int, ...], dtype: np.dtype, node: Node, i: int) -> Any:
    """Sum ``grad`` back to an input's ``shape`` (undo broadcasting) and cast to its dtype.

    The only place where broadcasting is undone: ops return gradients of the broadcast
    shape. Leading axes that broadcasting added are summed away, then size-1 axes.
    """
    gshape = grad.shape
    if gshape != shape:
        lead = len(gshape) - len(shape)
        axes = tuple(range(lead)) + tuple(
            k + lead for k, n in enumerate(shape) if n == 1 and gshape[k + lead] != 1
        )
        if lead < 0 or any(
            n != gshape[k + lead] for k, n in enumerate(shape) if n != 1 and gshape[k + lead] != n
        ):
            raise RuntimeError(
                f"Function {type(node).__name__} returned an invalid gradient at index {i} - "
                f"got {list(gshape)} but expected shape compatible with {list(shape)}"
            )
        if not isinstance(grad, fn._Tensor):
            grad = grad.sum(axis=axes, keepdims=True).reshape(shape) if axes else grad
        else:
            grad = grad.sum(dim=axes, keepdim=True).reshape(shape) if axes else grad
        if grad.shape != shape:
            grad = grad.reshape(shape)
    if grad.dtype != dtype:
        grad = grad.to(dtypes.from_numpy(dtype)) if isinstance(grad, fn._Tensor) else \
            grad.astype(dtype)
    return grad


def _call_backward(node: Node, grad: Any, create_graph: bool) -> tuple[Any, ...]:
    """Run one node's backward and return one gradient per input."""
    if node._released:
        if node._saved:
            raise RuntimeError(fn._FREED)
    function = node._function
    if function._numpy or create_graph:
        grads = function.backward(node, grad)
    else:  # a learner's Function: it works on Tensors
        grads = function.backward(node, fn._wrap(grad))
        # copied, so that a returned input can never become (and be mutated as) a .grad
        grads = tuple(np.array(g._data) if isinstance(g, fn._Tensor) else g
                      for g in _as_tuple(grads))
    grads = _as_tuple(grads)
    if len(grads) != len(node.parents):
        raise RuntimeError(
            f"function {type(node).__name__} returned an incorrect number of gradients "
            f"(expected {len(node.parents)}, got {len(grads)})"
        )
    return grads


def _as_tuple(grads: Any) -> tuple[Any, ...]:
    return grads if isinstance(grads, tuple) else (grads,)


def _target(parent: Any) -> tuple[tuple[int, ...], np.dtype]:
    if isinstance(parent, Node):
        return parent._out_shape, parent._out_dtype
    return parent._data.shape, parent._data.dtype


class _Accumulator:
    """Sums the gradients reaching each node; adds in place into buffers it owns."""

    __slots__ = ("grads", "owned", "create_graph")

    def __init__(self, create_graph: bool) -> None:
        self.grads: dict[Any, Any] = {}
        self.owned: set[int] = set()
        self.create_graph = create_graph

    def add(self, key: Any, grad: Any) -> None:
        grads = self.grads
        prev = grads.get(key)
        if prev is None:
            grads[key] = grad
        elif self.create_graph:
            grads[key] = prev + grad
        elif id(prev) in self.owned and prev.shape == grad.shape:
            np.add(prev, grad, out=prev)
        else:
            total = prev + grad
            self.owned.add(id(total))
            grads[key] = total

    def pop(self, key: Any) -> Any:
        grad = self.grads.pop(key)
        self.owned.discard(id(grad))
        return grad


def _accumulate_leaf(leaf: Tensor, grad: Any, handed: set[int], create_graph: bool) -> None:
    """Add ``grad`` into ``leaf.grad`` as PyTorch's AccumulateGrad does."""
    current = leaf._grad
    if current is None:
        if create_graph:
            leaf._grad = grad if isinstance(grad, fn._Tensor) else fn._wrap(grad)
            return
        # take the array when nothing else can see it; otherwise copy it
        if id(grad) in handed or grad.base is not None or not grad.flags.writeable:
            grad = np.array(grad)
        handed.add(id(grad))
        leaf._grad = fn._wrap(grad)
    elif create_graph or current.requires_grad:
        leaf._grad = current + grad
    else:
        data = current._data
        if data.flags.writeable and data.shape == grad.shape:
            np.add(data, grad, out=data)
        else:
            current._data = data + grad


def run_backward(
    roots: Sequence[Tensor],
    root_grads: Sequence[Any],
    retain_graph: bool,
    create_graph: bool,
    inputs: Sequence[Tensor] | None = None,
) -> list[Any] | None:
    """Differentiate ``roots`` with the given output gradients.

    Without ``inputs`` (``Tensor.backward``), leaf gradients accumulate into ``.grad``.
    With ``inputs`` (``autograd.grad``), nothing is accumulated: the gradients reaching
    ``inputs`` are returned (``None`` where none arrived).
    """
    acc = _Accumulator(create_graph)
    captures = _capture_table(inputs)
    results: list[Any] = [None] * len(inputs) if inputs is not None else []
    handed: set[int] = set()
    nodes = []
    for root, grad in zip(roots, root_grads):
        handed.add(id(grad))
        if root.grad_fn is None:  # differentiating a leaf with respect to itself
            _deliver_leaf(root, grad, captures, results, handed, create_graph, inputs)
        else:
            acc.add(root.grad_fn, grad)
            nodes.append(root.grad_fn)
    deps = _dependencies(nodes)
    ready = [n for n in dict.fromkeys(nodes) if deps.get(n, 0) == 0]
    prev_mode = grad_mode._state.enabled
    prev_cg = fn.engine_state.create_graph
    grad_mode._state.enabled = create_graph
    fn.engine_state.create_graph = create_graph
    try:
        while ready:
            node = ready.pop()
            grad = acc.pop(node)
            _deliver_node(node, grad, captures, results, create_graph)
            grads = _call_backward(node, grad, create_graph)
            reduced = [] if tracer is not None else None
            _send(node, grads, acc, deps, ready, captures, results, handed, create_graph,
                  inputs, reduced)
            if tracer is not None:
                tracer(node, grad, grads, reduced)
            if not retain_graph:
                node._saved = ()
                node._released = True
    finally:
        grad_mode._state.enabled = prev_mode
        fn.engine_state.create_graph = prev_cg
    return results if inputs is not None else None


def _send(node: Node, grads: tuple[Any, ...], acc: _Accumulator, deps: dict[Node, int],
          ready: list[Node], captures: dict[int, int], results: list[Any], handed: set[int],
          create_graph: bool, inputs: Any, reduced: list[Any] | None) -> None:
    """Pass each input's gradient on: to its node, or into a leaf."""
    for i, (parent, grad) in enumerate(zip(node.parents, grads)):
        if parent is None or grad is None:
            if isinstance(parent, Node):
                _release_dependency(parent, deps, ready, acc)
            continue
        shape, dtype = _target(parent)
        before = grad.shape
        grad = _unbroadcast(grad, shape, dtype, node, i)
        if reduced is not None:
            reduced.append((i, before, grad.shape))
        if isinstance(parent, Node):
            acc.add(parent, grad)
            _release_dependency(parent, deps, ready, acc)
        else:
            _deliver_leaf(parent, grad, captures, results, handed, create_graph, inputs)


def _release_dependency(parent: Node, deps: dict[Node, int], ready: list[Node],
                        acc: _Accumulator) -> None:
    left = deps[parent] - 1
    deps[parent] = left
    if left == 0 and parent in acc.grads:
        ready.append(parent)
    elif left == 0:
        _skip(parent, deps, ready, acc)


def _skip(node: Node, deps: dict[Node, int], ready: list[Node], acc: _Accumulator) -> None:
    """A node no gradient reached: release its parents' dependencies without running it."""
    stack = [node]
    while stack:
        n = stack.pop()
        for parent in n.parents:
            if isinstance(parent, Node):
                deps[parent] -= 1
                if deps[parent] == 0:
                    if parent in acc.grads:
                        ready.append(parent)
                    else:
                        stack.append(parent)


def _capture_table(inputs: Sequence[Tensor] | None) -> dict[int, int]:
    """id of each input's node (or of the leaf itself) -> its position in ``inputs``."""
    if inputs is None:
        return {}
    return {id(t.grad_fn if t.grad_fn is not None else t): k for k, t in enumerate(inputs)}


def _deliver_node(node: Node, grad: Any, captures: dict[int, int], results: list[Any],
                  create_graph: bool) -> None:
    """A node's total gradient is known: hand it to autograd.grad or to retain_grad."""
    k = captures.get(id(node))
    if k is not None:
        results[k] = grad if create_graph or isinstance(grad, fn._Tensor) else fn._wrap(grad)
    if node._retained is not None:
        tensor = node._retained()
        if tensor is not None and tensor.grad_fn is node:
            _accumulate_leaf(tensor, grad, set(), create_graph)


def _deliver_leaf(leaf: Tensor, grad: Any, captures: dict[int, int], results: list[Any],
                  handed: set[int], create_graph: bool, inputs: Any) -> None:
    if inputs is None:
        _accumulate_leaf(leaf, grad, handed, create_graph)
        return
    k = captures.get(id(leaf))
    if k is not None:
        prev = results[k]
        grad = grad if isinstance(grad, fn._Tensor) else fn._wrap(np.array(grad))
        results[k] = grad if prev is None else prev + grad
