"""``tinygrad_edu.autograd.grad_mode``, as ``torch.autograd.grad_mode``: where scripts import
the grad modes from. They are the engine's: ``tinygrad_edu/core/grad_mode.py``."""

from ..core.grad_mode import (
    enable_grad,
    inference_mode,
    no_grad,
    set_grad_enabled,
)

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode"]
