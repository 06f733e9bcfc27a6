"""Which leaves get their ``.grad`` when a backward pass fails half-way, as in PyTorch.

PyTorch's engine runs a leaf's ``AccumulateGrad`` as soon as all of the leaf's gradients
are in, so when a node's backward (or a hook) raises, the leaves finished by then keep
their gradients. tinygrad_edu's walk delivers every leaf's total at the end; on an error
it delivers those PyTorch would have: the leaves not below the node that failed nor below
a node still waiting in the queue.
"""

from __future__ import annotations

from typing import Any

from ..core import function as fn

__all__ = ["leaves_complete_before"]


def leaves_complete_before(failed: Any, queue: list[tuple[int, Any]],
                           leaves: dict[Any, Any]) -> dict[Any, Any]:
    """The entries of ``leaves`` (leaf -> its gradient so far) that had all their
    gradients before the node ``failed`` raised, with ``queue`` the nodes still waiting."""
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
            if isinstance(p, fn._Tensor):
                waiting.add(id(p))
            else:  # a node, or output k of a node with several (its node)
                stack.append(p if isinstance(p, fn.Node) else p.node)
    return {leaf: g for leaf, g in leaves.items() if id(leaf) not in waiting}
