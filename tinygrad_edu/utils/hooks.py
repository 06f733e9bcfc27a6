"""``RemovableHandle``, what every ``register_*hook`` returns (as ``torch.utils.hooks``)."""

from __future__ import annotations

from typing import Any


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
