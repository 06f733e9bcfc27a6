"""``tg.backends.cudnn``: settable flags, as in PyTorch; there is no cuDNN here.

``tg.backends.cudnn.deterministic = True`` (common in seeding code) is accepted and has
nothing to change: numpy on the CPU is deterministic.
"""

from __future__ import annotations

deterministic = False
benchmark = False
enabled = True


def is_available() -> bool:
    """False: there is no cuDNN."""
    return False
