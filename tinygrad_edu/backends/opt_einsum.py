"""``tg.backends.opt_einsum``: PyTorch orders the contractions of an ``einsum`` of three or
more operands with the ``opt_einsum`` package when it is installed. tinygrad_edu's
``einsum`` does not use it, so it reports it as PyTorch does without the package:
``is_available()`` False, ``enabled`` False, ``strategy`` None.

>>> tg.backends.opt_einsum.is_available(), tg.backends.opt_einsum.enabled
(False, False)
"""

from __future__ import annotations

from typing import Any

enabled = False
strategy: str | None = None


def is_available() -> bool:
    """False: tinygrad_edu's ``einsum`` contracts without ``opt_einsum``.

    >>> tg.backends.opt_einsum.is_available()
    False
    """
    return False


def get_opt_einsum() -> Any:
    """None: the ``opt_einsum`` package is not used."""
    return None
