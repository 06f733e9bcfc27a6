"""``tg.cpu``: as ``torch.cpu``, the device everything runs on; ``tg.cpu.amp.autocast``."""

from __future__ import annotations

from . import amp as amp


def is_available() -> bool:
    """True: the CPU is always there."""
    return True


def device_count() -> int:
    """1, as ``torch.cpu.device_count()``."""
    return 1
