"""``tg.backends.openmp``: PyTorch's ops split their work over OpenMP threads; tinygrad_edu's
run one after another in numpy: ``is_available()`` is False (see ``tg.set_num_threads``).

>>> tg.backends.openmp.is_available()
False
"""

from __future__ import annotations


def is_available() -> bool:
    """False: tinygrad_edu's ops do not use OpenMP.

    >>> tg.backends.openmp.is_available()
    False
    """
    return False
