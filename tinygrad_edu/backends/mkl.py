"""``tg.backends.mkl``: Intel's MKL. tinygrad_edu does not call it (numpy may, through its
BLAS, which it chooses itself): ``is_available()`` is False.

>>> tg.backends.mkl.is_available()
False
"""

from __future__ import annotations

VERBOSE_OFF, VERBOSE_ON = 0, 1


def is_available() -> bool:
    """False: tinygrad_edu does not call MKL.

    >>> tg.backends.mkl.is_available()
    False
    """
    return False
