"""``tg.cuda.amp``: PyTorch's deprecated spelling of ``tg.amp`` for CUDA, with its warnings."""

from __future__ import annotations

import warnings
from typing import Any

from .. import dtypes
from ..amp import autocast_mode, grad_scaler


class GradScaler(grad_scaler.GradScaler):
    """``tg.amp.GradScaler("cuda", ...)``, after PyTorch's deprecation warning; without CUDA
    an enabled one warns again and disables itself, as PyTorch's does."""

    def __init__(self, init_scale: float = 2.0**16, growth_factor: float = 2.0,
                 backoff_factor: float = 0.5, growth_interval: int = 2000,
                 enabled: bool = True) -> None:
        warnings.warn("`torch.cuda.amp.GradScaler(args...)` is deprecated. Please use "
                      "`torch.amp.GradScaler('cuda', args...)` instead.", FutureWarning,
                      stacklevel=2)
        super().__init__("cuda", init_scale, growth_factor, backoff_factor, growth_interval,
                         enabled)


class autocast(autocast_mode.autocast):  # noqa: N801  (PyTorch's name)
    """``tg.autocast("cuda", ...)``, after PyTorch's deprecation warning: it warns again that
    CUDA is not available and does nothing."""

    def __init__(self, enabled: bool = True, dtype: Any = dtypes.float16,
                 cache_enabled: bool = True) -> None:
        warnings.warn("`torch.cuda.amp.autocast(args...)` is deprecated. Please use "
                      "`torch.amp.autocast('cuda', args...)` instead.", FutureWarning,
                      stacklevel=2)
        super().__init__("cuda", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)
