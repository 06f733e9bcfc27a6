"""``tg.amp``: mixed precision, as ``torch.amp``: ``autocast`` (ops in lower precision)
and ``GradScaler`` (loss scaling)."""

from .autocast_mode import autocast, get_autocast_dtype, is_autocast_enabled
from .grad_scaler import GradScaler

__all__ = ["GradScaler", "autocast", "get_autocast_dtype", "is_autocast_enabled"]
