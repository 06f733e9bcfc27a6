"""Keep freed numpy buffers in the process instead of handing them back to the OS.

glibc serves every allocation above 128 KiB with a fresh ``mmap`` and returns it with
``munmap`` when freed, so a training step that makes and drops the same 2 MB temporaries
each time pays a system call and a page fault per 4 KiB page, every step: on a
1000x512 MLP that is a third of the step. Raising glibc's mmap and trim thresholds lets
freed buffers be reused, which is what PyTorch's own CPU allocator achieves by caching.

Applied once at import on glibc systems; ``TINYGRAD_EDU_NO_MALLOPT=1`` turns it off.
Elsewhere (macOS, Windows, musl) it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_MMAP_THRESHOLD = 32 * 1024 * 1024  # glibc's largest allowed value on 64-bit systems
_TRIM_THRESHOLD = 128 * 1024 * 1024  # keep up to this much freed memory for reuse


def tune() -> bool:
    """Raise glibc's mmap/trim thresholds; True if it was applied."""
    if os.environ.get("TINYGRAD_EDU_NO_MALLOPT") or not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False  # not glibc
    ok = mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD) == 1
    return bool(mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD) == 1 and ok)
