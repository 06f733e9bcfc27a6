"""When each leaf gets its gradient, as in PyTorch: the order its hooks run in.

tinygrad_edu's walk sums each leaf's gradients and delivers them all at the end. PyTorch's
engine runs a leaf's ``AccumulateGrad`` node (its hooks, then ``.grad +=``) as soon as the
last node that sends the leaf a gradient has run: it counts each node's and each leaf's
incoming edges first (``compute_dependencies``), and puts a task in its ready queue when
the count reaches 0. The ready queue is a ``std::priority_queue`` on the sequence number
(newest node first); every ``AccumulateGrad`` has the largest number, so a leaf runs right
after the node that completed it, and the leaves completed together come out in the order
libstdc++'s heap algorithms give to equal keys (not the order they were put in:
``torch.stack`` of five leaves runs their hooks as 0, 2, 4, 1, 3).

``TorchOrderWalk`` keeps a copy of that queue beside the walk (the nodes run in the same
order: newest first among the ready ones, which is the walk's order too) and delivers each
leaf when PyTorch would. It is used when some tensor has hooks (the order is visible only
through them), by ``backward()`` and ``tg.autograd.backward``.

A leaf's post-accumulate-grad hooks (``w.register_post_accumulate_grad_hook(fn)``, the
"optimizer step in backward" pattern) run where PyTorch runs them: right after the leaf's
``AccumulateGrad``, that is when this walk delivers the leaf; ``fn(w)`` may read
``w.grad``, update ``w`` and free ``w.grad``.
"""

from __future__ import annotations

from typing import Any

from ..core import engine
from ..core import function as fn
from ..core.hooks import RemovableHandle, hooks_of, hooks_on
from .errors import hook_type_error

__all__ = ["TorchOrderWalk", "PostAccumulateGradHooks"]

_LEAF = float("inf")  # an AccumulateGrad's sequence number: larger than any node's


def _push(heap: list[tuple[float, Any]], item: tuple[float, Any]) -> None:
    """libstdc++'s ``push_heap`` (a max-heap on the key: a parent moves down only if it is
    strictly smaller)."""
    heap.append(item)
    hole = len(heap) - 1
    key = item[0]
    while hole > 0:
        parent = (hole - 1) // 2
        if not heap[parent][0] < key:
            break
        heap[hole] = heap[parent]
        hole = parent
    heap[hole] = item


def _pop(heap: list[tuple[float, Any]]) -> tuple[float, Any]:
    """libstdc++'s ``pop_heap`` then ``pop_back``: the hole left at the top goes down to a
    leaf, taking the right child unless the left one is strictly larger, and the last
    element goes up from there."""
    top = heap[0]
    last = heap.pop()
    n = len(heap)
    if not n:
        return top
    hole, child = 0, 0
    while child < (n - 1) // 2:
        child = 2 * (child + 1)
        if heap[child][0] < heap[child - 1][0]:
            child -= 1
        heap[hole] = heap[child]
        hole = child
    if n % 2 == 0 and child == (n - 2) // 2:
        child = 2 * (child + 1)
        heap[hole] = heap[child - 1]
        hole = child - 1
    while hole > 0:  # (__push_heap from the hole)
        parent = (hole - 1) // 2
        if not heap[parent][0] < last[0]:
            break
        heap[hole] = heap[parent]
        hole = parent
    heap[hole] = last
    return top


def _target(edge: Any) -> Any:
    """What an edge counts against: a leaf, a node, or the node of output k of a node."""
    return edge if isinstance(edge, (fn._Tensor, fn.Node)) else edge.node


class TorchOrderWalk(engine.Walk):
    """A backward walk that gives each leaf its gradient (its hooks run, its ``.grad`` is
    filled) when PyTorch's engine would: see the module docstring."""

    watching = True

    def begin(self, starts: list[Any]) -> None:
        """Count every node's and leaf's incoming edges below the starting nodes, and put
        the ready ones in the copy of PyTorch's queue."""
        deps: dict[Any, int] = {}
        seen: set[Any] = set()
        stack = list(starts)
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            for edge in node.parents:
                if edge is None:
                    continue
                target = _target(edge)
                deps[target] = deps.get(target, 0) + 1
                if not isinstance(target, fn._Tensor):
                    stack.append(target)
        self.deps = deps
        self.queue: list[tuple[float, Any]] = []
        for node in starts:
            if node not in deps:
                _push(self.queue, (-node._seq, node))

    def node_done(self, node: Any, grad: Any) -> Any:
        """Before ``node`` runs: what PyTorch ran before it (nodes no gradient reached,
        leaves) is done first."""
        self._run_until(node)
        return super().node_done(node, grad)

    def node_sent(self, node: Any) -> None:
        """``node`` sent its gradients: count its edges off, and run the leaves it
        completed (their AccumulateGrad comes first in PyTorch's queue)."""
        self._sent(node)
        queue = self.queue
        while queue and queue[0][0] == _LEAF:
            self._deliver(_pop(queue)[1])

    def release_leaves(self) -> None:
        """The leaves still waiting, in PyTorch's order, then any this walk did not see
        complete (below a node that did not run)."""
        self._run_until(None)
        for leaf in list(self.leaves):
            self._deliver(leaf)

    def _run_until(self, node: Any) -> None:
        queue = self.queue
        while queue and queue[0][1] is not node:
            key, item = _pop(queue)
            if key == _LEAF:
                self._deliver(item)
            else:  # a node that no gradient reached: PyTorch runs it all the same
                self._sent(item)
        if queue:  # (node itself)
            _pop(queue)

    def _sent(self, node: Any) -> None:
        deps, queue = self.deps, self.queue
        for edge in node.parents:
            if edge is None:
                continue
            target = _target(edge)
            left = deps[target] = deps[target] - 1
            if not left:
                _push(queue, (_LEAF, target) if isinstance(target, fn._Tensor) else
                      (-target._seq, target))

    def _deliver(self, leaf: Any) -> None:
        grad = self.leaves.pop(leaf, None)
        if grad is None:
            return
        held, self.leaves = self.leaves, {leaf: grad}
        try:
            super().release_leaves()
        finally:
            self.leaves = held
        run_post_accumulate_hooks(leaf)


def run_post_accumulate_hooks(leaf: Any) -> None:
    """A leaf's ``register_post_accumulate_grad_hook`` hooks, after its ``.grad`` is
    updated (by backward, or by backward(inputs=...))."""
    entry = hooks_on(leaf)
    if entry is not None and entry.post and not fn.no_history(leaf):
        for hook in list(entry.post.values()):
            result = hook(leaf)
            if result is not None:
                raise hook_type_error("Variable", result)


class PostAccumulateGradHooks:
    """``register_post_accumulate_grad_hook``: the Tensor method (tensor.py adds this
    class to Tensor's bases), beside the walk that runs the hooks."""

    __slots__ = ()
    _grad_fn: Any  # (Tensor's; this file is below tensor_base.py)
    _requires_grad: Any

    def register_post_accumulate_grad_hook(self, hook: Any) -> RemovableHandle:
        """Call ``hook(self)`` on this leaf each time backward has added its gradient into
        ``.grad`` (grad mode off in it, unless ``create_graph=True``): an optimizer can step
        there and free ``.grad`` at once. The hook returns None. Returns a handle:
        ``handle.remove()`` unregisters it.

        >>> w = tg.ones(2, requires_grad=True)
        >>> handle = w.register_post_accumulate_grad_hook(lambda p: print(p.grad))
        >>> (w * 3).sum().backward()
        tensor([3., 3.])
        """
        if self._grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf "
                               "tensors")
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        return hooks_of(self).add(hook, "post")  # (a leaf's "post": core/hooks.py)
