"""``tg.backends.mkldnn``: oneDNN (MKL-DNN), PyTorch's CPU kernels for convolutions and
matrix products. tinygrad_edu computes with numpy and has none: ``is_available()`` is False
(PyTorch's x86 builds say True), and the flags are remembered and change nothing.

>>> tg.backends.mkldnn.is_available()
False
"""

from __future__ import annotations

enabled = True
deterministic = False
VERBOSE_OFF, VERBOSE_ON, VERBOSE_ON_CREATION = 0, 1, 2


def is_available() -> bool:
    """False: tinygrad_edu does not use oneDNN.

    >>> tg.backends.mkldnn.is_available()
    False
    """
    return False
