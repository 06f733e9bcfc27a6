"""``RemovableHandle``, what every ``register_*hook`` returns (as ``torch.utils.hooks``).
It is the engine's (core/hooks.py): a tensor's hooks use it too."""

from ..core.hooks import RemovableHandle

__all__ = ["RemovableHandle"]
