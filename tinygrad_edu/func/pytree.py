"""Nested containers of tensors ("pytrees"), as ``torch.utils._pytree`` sees them: the
function transforms take and return tuples, lists and dicts of tensors, and ``in_dims`` /
``out_dims`` / ``argnums`` follow the same nesting.

A tree is flattened into its leaves (anything that is not a tuple, list, dict or
namedtuple; ``None`` is a leaf, as in torch) and a ``TreeSpec`` that rebuilds it.

>>> leaves, spec = tree_flatten((1, {"a": 2, "b": [3, 4]}))
>>> leaves
[1, 2, 3, 4]
>>> tree_unflatten([x * 10 for x in leaves], spec)
(10, {'a': 20, 'b': [30, 40]})
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

__all__ = ["TreeSpec", "tree_flatten", "tree_unflatten", "tree_map", "broadcast_prefix",
           "treespec_pprint"]


def _is_namedtuple(tree: Any) -> bool:
    return isinstance(tree, tuple) and hasattr(type(tree), "_fields")


def _children(tree: Any) -> tuple[Any, Any, list[Any]] | None:
    """``(node type, context, children)`` of a container; None for a leaf. The context
    is what rebuilding needs besides the children (a dict's keys, a namedtuple's class)."""
    if _is_namedtuple(tree):
        return "namedtuple", type(tree), list(tree)
    if type(tree) in (tuple, list):
        return type(tree), None, list(tree)
    if type(tree) in (dict, OrderedDict):
        return type(tree), list(tree), list(tree.values())
    return None


class TreeSpec:
    """The shape of a pytree without its leaves (torch's ``TreeSpec``; its repr too).

    >>> tree_flatten((1, [2, 3]))[1]
    TreeSpec(tuple, None, [*,
      TreeSpec(list, None, [*,
        *])])
    """

    def __init__(self, type: Any, context: Any, children: list[TreeSpec]) -> None:
        self.type = type
        self.context = context
        self.children = children
        self.num_leaves: int = sum(c.num_leaves for c in children) if type is not None else 1

    def is_leaf(self) -> bool:
        """True for the spec of a single leaf (``*``)."""
        return self.type is None

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, TreeSpec) and self.type == other.type
                and self.context == other.context and self.children == other.children)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self, indent: int = 0) -> str:
        if self.is_leaf():
            return "*"
        name = self.type if isinstance(self.type, str) else self.type.__name__
        inner = ""
        if self.children:
            indent += 2
            inner = self.children[0].__repr__(indent) + ("," if len(self.children) > 1 else "")
            inner += ",".join("\n" + " " * indent + c.__repr__(indent)
                              for c in self.children[1:])
        return f"TreeSpec({name}, {self.context}, [{inner}])"


_LEAF = TreeSpec(None, None, [])


def tree_flatten(tree: Any) -> tuple[list[Any], TreeSpec]:
    """The leaves of ``tree``, left to right, and the spec that rebuilds it."""
    found = _children(tree)
    if found is None:
        return [tree], _LEAF
    kind, context, children = found
    leaves: list[Any] = []
    specs = []
    for child in children:
        child_leaves, spec = tree_flatten(child)
        leaves += child_leaves
        specs.append(spec)
    return leaves, TreeSpec(kind, context, specs)


def tree_unflatten(leaves: list[Any], spec: TreeSpec) -> Any:
    """The tree of shape ``spec`` holding ``leaves`` (the inverse of ``tree_flatten``)."""
    it = iter(leaves)

    def build(s: TreeSpec) -> Any:
        if s.is_leaf():
            return next(it)
        children = [build(c) for c in s.children]
        if s.type == "namedtuple":
            return s.context(*children)
        if s.type in (dict, OrderedDict):
            return s.type(zip(s.context, children))
        return s.type(children)

    return build(spec)


def tree_map(fn: Callable[[Any], Any], tree: Any) -> Any:
    """``tree`` with ``fn`` applied to each leaf."""
    leaves, spec = tree_flatten(tree)
    return tree_unflatten([fn(x) for x in leaves], spec)


def broadcast_prefix(prefix: Any, spec: TreeSpec) -> list[Any] | None:
    """One value of ``prefix`` per leaf of ``spec``: a leaf of ``prefix`` stands for the
    whole subtree at its place (``in_dims=(0, None)`` for ``(x, {"w": w, "b": b})``).
    None when ``prefix`` is not a prefix of the tree."""
    found = _children(prefix)
    if found is None:
        return [prefix] * spec.num_leaves
    kind, context, children = found
    if spec.is_leaf() or kind != spec.type or context != spec.context \
            or len(children) != len(spec.children):
        return None
    result: list[Any] = []
    for child, child_spec in zip(children, spec.children):
        flat = broadcast_prefix(child, child_spec)
        if flat is None:
            return None
        result += flat
    return result


class _Asterisk:
    def __repr__(self) -> str:
        return "*"


def treespec_pprint(spec: TreeSpec) -> str:
    """The tree with ``*`` for each leaf: ``(*, {'a': *})`` (what torch's messages show)."""
    return repr(tree_unflatten([_Asterisk()] * spec.num_leaves, spec))
