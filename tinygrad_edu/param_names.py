"""The names parameters get when a Module registers them, for what the tools show.

``Module.register_parameter`` / ``add_module`` (and attribute assignment, which calls
them) note who registered what under which name; ``registered_name(p)`` reads the notes
back up the chain of modules: ``0.weight`` in a ``Sequential``, ``net.0.weight`` when that
``Sequential`` is ``self.net`` of a bigger model, the names of ``named_parameters()``.
``tg.viz.trace_backward``, ``tg.viz.draw_graph`` and teaching mode use them when no
``params=`` names the tensors.

Nothing here runs while a model computes: a note is written when a module is built, and
read only when something is shown. The notes hold weak references, so they keep nothing
alive, and one disappears with the object it names.
"""

from __future__ import annotations

import weakref
from typing import Any

# id(parameter or module) -> (a weak reference to it, one to its owner, its name there)
_notes: dict[int, tuple[weakref.ref[Any], weakref.ref[Any], str]] = {}


def note_registered(child: Any, owner: Any, name: str) -> None:
    """``owner`` (a Module) registered ``child`` (a Parameter or a Module) as ``name``.
    A later registration of the same object replaces this one."""
    if child is None:
        return
    key = id(child)
    ref = weakref.ref(child, lambda _: _notes.pop(key, None))
    _notes[key] = (ref, weakref.ref(owner), name)


def registered_name(obj: Any) -> str | None:
    """The dotted name ``obj`` has in the outermost module that (indirectly) registered it,
    or None if no module did.

    >>> model = tg.nn.Sequential(tg.nn.Linear(2, 3), tg.nn.ReLU())
    >>> registered_name(model[0].weight)
    '0.weight'
    """
    parts: list[str] = []
    seen: set[int] = set()
    while id(obj) in _notes and id(obj) not in seen:  # (a module registered in itself)
        seen.add(id(obj))
        ref, owner, name = _notes[id(obj)]
        if ref() is not obj:
            break
        parts.append(name)
        obj = owner()
    return ".".join(reversed(parts)) or None


def registered_owner(obj: Any) -> Any | None:
    """The module that registered ``obj`` last (None if none did, or it is gone)."""
    note = _notes.get(id(obj))
    return note[1]() if note is not None and note[0]() is obj else None
