"""``tg.utils.live_tensors()``: what is still alive, and what the graphs keep.

Every op recorded for backward is a graph node (the output's ``grad_fn``); it holds its
inputs' nodes and the arrays it saved for backward. A graph lives as long as a tensor at
its top does. ``backward()`` frees the saved arrays, but a tensor that keeps the graph
(``total_loss += loss`` makes ``total_loss`` the top of *every* step's graph) keeps all of
its nodes alive, step after step:

>>> total = 0
>>> for x, y in batches:
...     loss = loss_fn(model(x), y); loss.backward()
...     total += loss            # the graphs pile up: graph_nodes grows every step
...     # total += loss.item()  # a Python float: each graph dies with its step
>>> print(tg.utils.live_tensors())
2 tensors alive; 3,000 graph nodes alive, holding 0 saved arrays (0 B) for backward
"""

from __future__ import annotations

import gc
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.function import Node
from ..tensor import Tensor

__all__ = ["LiveTensors", "live_tensors"]


@dataclass(frozen=True)
class LiveTensors:
    """What ``live_tensors()`` counted."""

    tensors: int  # Tensor objects alive (parameters, data, results, gradients)
    graph_nodes: int  # recorded ops (grad_fn objects) still reachable from a live tensor
    saved_arrays: int  # arrays those nodes keep for backward (freed by backward())
    saved_bytes: int  # their size, counting shared memory once

    def __str__(self) -> str:
        return (f"{self.tensors:,} tensors alive; {self.graph_nodes:,} graph nodes alive, "
                f"holding {self.saved_arrays:,} saved arrays ({_human(self.saved_bytes)}) "
                "for backward")


def live_tensors(collect: bool = True) -> LiveTensors:
    """Count the Tensors and graph nodes alive now, and the memory graphs keep for backward.

    ``collect=True`` first runs the garbage collector, so that only objects something
    still refers to are counted. It scans every Python object: a tool to look at a
    program, not to call in a loop.

    >>> before = tg.utils.live_tensors().graph_nodes
    >>> y = (tg.ones(3, requires_grad=True) * 2).sum()    # 2 nodes: Mul, Sum
    >>> tg.utils.live_tensors().graph_nodes - before
    2
    """
    if collect:
        gc.collect()
    tensors = nodes = arrays = 0
    seen: set[int] = set()
    size = 0
    for obj in gc.get_objects():
        kind = type(obj)  # (not isinstance: some objects' __class__ warns when looked up)
        if issubclass(kind, Tensor):
            tensors += 1
        elif issubclass(kind, Node):
            nodes += 1
            for value in getattr(obj, "_saved", ()):
                data = _array_of(value)
                if data is None:
                    continue
                arrays += 1
                base = data if data.base is None else data.base
                if isinstance(base, np.ndarray) and id(base) not in seen:
                    seen.add(id(base))
                    size += base.nbytes
    return LiveTensors(tensors, nodes, arrays, size)


def _array_of(value: Any) -> np.ndarray | None:
    if isinstance(value, Tensor):
        return value._data
    return value if isinstance(value, np.ndarray) else None


def _human(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"
