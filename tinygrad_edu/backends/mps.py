"""``tg.backends.mps``: Apple's GPU backend is not available here, as PyTorch reports it."""

from __future__ import annotations


def is_available() -> bool:
    """False: there is no MPS device."""
    return False


def is_built() -> bool:
    """False: tinygrad_edu has no MPS backend."""
    return False
