"""``tg.cuda``: as ``torch.cuda`` on a machine without a GPU (tinygrad_edu runs on the CPU).

What scripts ask before they choose a device, or while they seed everything, works:
``tg.cuda.is_available()`` is False and seeding CUDA does nothing.
"""

from __future__ import annotations

from . import amp as amp


def is_available() -> bool:
    """False: there is no CUDA device."""
    return False


def device_count() -> int:
    """0: there is no CUDA device."""
    return 0


def manual_seed(seed: int) -> None:
    """Does nothing, as ``torch.cuda.manual_seed`` without a GPU (``tg.manual_seed`` seeds)."""


def manual_seed_all(seed: int) -> None:
    """Does nothing, as ``torch.cuda.manual_seed_all`` without a GPU."""
