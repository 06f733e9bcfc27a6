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

from ..parity.names import tensor_type_name
from . import function as fn


class TensorHooks:
    """The hooks of one tensor (``Tensor.register_hook``), kept by the engine's table.

    Registered on a non-leaf tensor they run on the total gradient reaching its node,
    before that node's backward; on a leaf, on its total gradient before it goes into
    ``.grad``. Each hook gets the gradient as a Tensor (a copy) and may return a
    replacement of the same shape and dtype.
    """

    __slots__ = ("hooks", "__weakref__")

    def __init__(self) -> None:
        self.hooks: dict[int, Any] = {}

    def run(self, grad: Any, create_graph: bool) -> Any:
        """``grad`` after every hook, in the order they were registered.

        A hook gets a Tensor of its own (a copy: the array may also be another input's
        gradient) and may edit it in place, return a replacement, or return None; what
        it leaves is what the next hook, and backward, see.
        """
        for hook in list(self.hooks.values()):
            # (a 0-d gradient may come as a numpy scalar: backward formulas on 0-d arrays)
            array = not isinstance(grad, fn._Tensor)
            was = np.asarray(grad) if array else grad._data
            given = fn._wrap(np.array(was)) if array else grad
            result = hook(given)
            if result is None:
                result = given  # (edited in place, or not at all)
            if not isinstance(result, fn._Tensor):
                raise TypeError(f"expected Variable, but hook returned "
                                f"'{type(result).__name__}'. Hint: a hook returns a Tensor "
                                "(the new gradient) or None.")
            data = result._data
            if data.shape != was.shape:
                raise RuntimeError(f"hook '{_hook_name(hook)}' has changed the size of value. "
                                   f"Hint: it was {list(was.shape)}, the hook returned "
                                   f"{list(data.shape)}.")
            if data.dtype != was.dtype:
                raise RuntimeError(f"hook '{_hook_name(hook)}' has changed the type of value "
                                   f"(was {tensor_type_name(was)} got {tensor_type_name(data)})")
            grad = result if create_graph else (data if result is given else np.array(data))
        return grad


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
