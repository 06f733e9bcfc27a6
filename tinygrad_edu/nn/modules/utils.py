"""``_single``, ``_pair``, ``_triple``, ``_quadruple``: a number repeated into a tuple (a
sequence kept as a tuple), as ``torch.nn.modules.utils``, which layers' code imports
(``from tinygrad_edu.nn.modules.utils import _pair``)."""

from __future__ import annotations

import collections.abc
from collections.abc import Callable
from itertools import repeat
from typing import Any

__all__ = ["_ntuple", "_single", "_pair", "_triple", "_quadruple"]


def _ntuple(n: int, name: str = "parse") -> Callable[[Any], tuple[Any, ...]]:
    """The function that makes ``(x,) * n`` of a number ``x`` (and ``tuple(x)`` of an
    iterable)."""

    def parse(x: Any) -> tuple[Any, ...]:
        if isinstance(x, collections.abc.Iterable):
            return tuple(x)
        return tuple(repeat(x, n))

    parse.__name__ = name
    return parse


_single = _ntuple(1, "_single")
_pair = _ntuple(2, "_pair")
_triple = _ntuple(3, "_triple")
_quadruple = _ntuple(4, "_quadruple")
