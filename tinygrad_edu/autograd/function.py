"""``tinygrad_edu.autograd.function``, as ``torch.autograd.function``: where scripts import
``Function`` from. The class itself is the engine's: ``tinygrad_edu/core/function.py``."""

from ..core.function import Function

__all__ = ["Function"]
