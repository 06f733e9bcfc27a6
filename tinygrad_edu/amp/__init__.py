"""``tg.amp``: mixed precision, as ``torch.amp``: ``autocast`` (ops in lower precision)
and ``GradScaler`` (loss scaling)."""

from .autocast_mode import autocast, get_autocast_dtype, is_autocast_enabled

# (tg.clear_autocast_cache and its neighbours, torch.*-level names, are found here)
from .autocast_mode import clear_autocast_cache as clear_autocast_cache
from .autocast_mode import is_autocast_cache_enabled as is_autocast_cache_enabled
from .autocast_mode import set_autocast_cache_enabled as set_autocast_cache_enabled
from .grad_scaler import GradScaler

__all__ = ["GradScaler", "autocast", "get_autocast_dtype", "is_autocast_enabled"]
