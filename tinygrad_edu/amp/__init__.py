"""``tg.amp``: mixed precision, as ``torch.amp``: ``GradScaler`` (loss scaling)."""

from .grad_scaler import GradScaler

__all__ = ["GradScaler"]
