"""Tensor hooks: ``Tensor.register_hook(fn)`` runs ``fn`` on a tensor's gradient, and
returns a ``RemovableHandle`` (as every ``register_*hook`` does) to take it off again.

The engine keeps one table, ``tensor_hooks``: the id of a node (for a non-leaf tensor) or
of a leaf -> its ``TensorHooks``, found with ``hooks_on``. It is empty unless some tensor
has hooks, and the engine looks in it only then. The table holds each entry weakly and
its owner holds it (``_hooks``): a hook that refers to its own tensor (``h.register_hook(
lambda g: print(h))``) makes a cycle the garbage collector can free, as in PyTorch.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from ..parity.errors import hook_changed_error, hook_tuple_error, hook_type_error
from . import function as fn


class TensorHooks:
    """The hooks of one tensor, or of one node (its ``grad_fn``), kept by the engine's table.

    ``hooks``: ``Tensor.register_hook``'s. Registered on a non-leaf tensor they run on the
    total gradient reaching its node, before that node's backward; on a leaf, on its total
    gradient before it goes into ``.grad``. Each gets the gradient as a Tensor (a copy)
    and may return a replacement of the same shape and dtype.

    ``pre`` and ``post``: the node's own, ``grad_fn.register_prehook(fn)`` and
    ``grad_fn.register_hook(fn)``. ``fn(grad_outputs)`` runs after the tensor's hooks, and
    ``fn(grad_inputs, grad_outputs)`` after the node's backward; each gets tuples of
    Tensors (None for an input that takes no gradient) and may return a replacement tuple.
    A leaf has no node: its ``post`` are ``register_post_accumulate_grad_hook``'s, run
    with the leaf after its gradient is added into ``.grad`` (parity/ready_queue.py).
    """

    __slots__ = ("hooks", "pre", "post", "__weakref__")

    def __init__(self) -> None:
        self.hooks: dict[int, Any] = {}
        self.pre: dict[int, Any] = {}
        self.post: dict[int, Any] = {}

    def add(self, hook: Any, kind: str = "hooks") -> RemovableHandle:
        """Register ``hook`` among these ``hooks`` (or ``pre`` or ``post``): its handle."""
        hooks = getattr(self, kind)
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        return handle

    def run(self, grad: Any, create_graph: bool) -> Any:
        """``grad`` after every tensor hook, then every node pre-hook, in the order they
        were registered.

        A hook gets a Tensor of its own (a copy: the array may also be another input's
        gradient) and may edit it in place, return a replacement, or return None; what
        it leaves is what the next hook, and backward, see.
        """
        for hook in list(self.hooks.values()):
            given = _given(grad)
            grad = _taken(hook, given, hook(given), grad, create_graph)
        if self.pre:
            (grad,) = self.run_node_hooks(self.pre, (grad,), (), create_graph)
        return grad

    def run_node_hooks(self, hooks: dict[int, Any], grads: tuple[Any, ...],
                       more: tuple[Any, ...], create_graph: bool) -> tuple[Any, ...]:
        """``grads`` after each of a node's ``hooks``, called as ``hook(grads, *more)``."""
        for hook in list(hooks.values()):
            given = tuple(None if g is None else _given(g) for g in grads)
            result = hook(given, *more)
            result = given if result is None else result
            if not isinstance(result, tuple) or len(result) != len(grads):
                raise hook_tuple_error(_hook_name(hook), result, len(grads))
            grads = tuple(None if g is None or r is None else
                          _taken(hook, t, r, g, create_graph)
                          for g, t, r in zip(grads, given, result))
        return grads


def _given(grad: Any) -> Any:
    """The gradient as a hook gets it: a Tensor (a copy of an array: a 0-d gradient may
    come as a numpy scalar, and the array may also be another input's gradient)."""
    return grad if isinstance(grad, fn._Tensor) else fn._wrap(np.asanyarray(grad).copy())


def _taken(hook: Any, given: Any, result: Any, grad: Any, create_graph: bool) -> Any:
    """What a hook left: ``result`` (None: ``given``, edited in place or not at all),
    checked to have ``grad``'s shape and dtype."""
    result = given if result is None else result
    if not isinstance(result, fn._Tensor):
        raise hook_type_error("Variable", result)
    data, was = result._data, np.asanyarray(getattr(grad, "_data", grad))
    if data.shape != was.shape or data.dtype != was.dtype:
        raise hook_changed_error(_hook_name(hook), was, data)
    return result if create_graph else (data if result is given else data.copy())


def _hook_name(hook: Any) -> str:
    return getattr(hook, "__name__", type(hook).__name__)


# id of a node (hooks of a non-leaf tensor) or of a leaf -> a weak reference to its
# TensorHooks. Empty unless some tensor has hooks: the engine looks here only then. An
# entry leaves with its owner.
tensor_hooks: dict[int, weakref.ref[TensorHooks]] = {}


def hooks_on(owner: Any) -> TensorHooks | None:
    """The hooks registered on a node or a leaf, if any."""
    ref = tensor_hooks.get(id(owner))
    return None if ref is None else ref()


def hooks_of(owner: Any) -> TensorHooks:
    """The TensorHooks of a node or leaf, made on first use (kept by the owner itself)."""
    entry = hooks_on(owner)
    if entry is None:
        key = id(owner)
        entry = owner._hooks = TensorHooks()
        tensor_hooks[key] = weakref.ref(entry, lambda ref: _forget(key, ref))
    return entry


def _forget(key: int, ref: weakref.ref[TensorHooks]) -> None:
    if tensor_hooks.get(key) is ref:  # (not a newer entry of an object with the same id)
        del tensor_hooks[key]


class RemovableHandle:
    """Returned by ``register_*hook``: ``handle.remove()`` unregisters the hook.

    Also a context manager: ``with t.register_hook(f): ...`` removes it on the way out.
    """

    _next_id = 0

    def __init__(self, hooks: dict[int, Any]) -> None:
        self._hooks = hooks
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1

    def remove(self) -> None:
        """Unregister the hook (a second call does nothing)."""
        self._hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()
