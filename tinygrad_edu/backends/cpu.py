"""``tg.backends.cpu``: what PyTorch reports about the CPU's vector instructions."""

from __future__ import annotations

import numpy as np

__all__ = ["get_cpu_capability"]


def _cpu_features() -> dict[str, bool]:
    """The CPU features numpy detected at import (empty if this numpy does not say)."""
    core = getattr(np, "_core", None) or getattr(np, "core", None)
    umath = getattr(core, "_multiarray_umath", None)
    return dict(getattr(umath, "__cpu_features__", {}))


def get_cpu_capability() -> str:
    """The widest vector instruction set PyTorch's CPU kernels would use here: ``"AVX512"``,
    ``"AVX2"`` or ``"DEFAULT"`` (read from numpy's detection of the CPU; numpy picks its
    own kernels the same way).

    >>> tg.backends.cpu.get_cpu_capability() in ("AVX512", "AVX2", "DEFAULT")
    True
    """
    features = _cpu_features()
    if features.get("AVX512_SKX"):  # (F, CD, BW, DQ, VL: what PyTorch's AVX512 kernels need)
        return "AVX512"
    if features.get("AVX2") and features.get("FMA3"):
        return "AVX2"
    return "DEFAULT"
