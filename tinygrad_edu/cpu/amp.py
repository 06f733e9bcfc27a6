"""``tg.cpu.amp``: PyTorch's deprecated spelling of ``tg.amp`` for the CPU, with its warning."""

from __future__ import annotations

import warnings
from typing import Any

from .. import dtypes
from ..amp import autocast_mode, grad_scaler


class autocast(autocast_mode.autocast):  # noqa: N801  (PyTorch's name)
    """``tg.autocast("cpu", ...)``, after PyTorch's deprecation warning."""

    def __init__(self, enabled: bool = True, dtype: Any = dtypes._bfloat16(),  # noqa: B008
                 cache_enabled: bool = True) -> None:
        warnings.warn("`torch.cpu.amp.autocast(args...)` is deprecated. Please use "
                      "`torch.amp.autocast('cpu', args...)` instead.", FutureWarning,
                      stacklevel=2)
        super().__init__("cpu", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


class GradScaler(grad_scaler.GradScaler):
    """``tg.amp.GradScaler("cpu", ...)``, after PyTorch's deprecation warning."""

    def __init__(self, init_scale: float = 2.0**16, growth_factor: float = 2.0,
                 backoff_factor: float = 0.5, growth_interval: int = 2000,
                 enabled: bool = True) -> None:
        warnings.warn("`torch.cpu.amp.GradScaler(args...)` is deprecated. Please use "
                      "`torch.amp.GradScaler('cpu', args...)` instead.", FutureWarning,
                      stacklevel=2)
        super().__init__("cpu", init_scale, growth_factor, backoff_factor, growth_interval,
                         enabled)
