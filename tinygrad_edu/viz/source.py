"""``op_source``: from a node of the graph to the class and the file:line that define it."""

from __future__ import annotations

import inspect
import os
from functools import cache

from ..core.function import Node

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))) + os.sep


def op_source(node: Node) -> str:
    """The ``Function`` class behind a graph node, and the file and line that define it.

    A ``grad_fn`` name is PyTorch's label; this is the code that ran (forward and
    backward side by side in that class):

    >>> x = tg.ones(2, requires_grad=True)
    >>> tg.viz.op_source((x * x).grad_fn)          # doctest: +SKIP
    'Mul, tinygrad_edu/ops/arithmetic.py:139'
    """
    return _class_source(node._function)


@cache
def _class_source(cls: type) -> str:
    try:
        path = inspect.getsourcefile(cls) or ""
        line = inspect.getsourcelines(cls)[1]
    except (OSError, TypeError):  # (defined at the interactive prompt)
        return f"{cls.__qualname__}, {cls.__module__}"
    path = os.path.abspath(path)
    if path.startswith(_ROOT):  # the package's files: tinygrad_edu/ops/...
        path = path[len(_ROOT):].replace(os.sep, "/")
    return f"{cls.__qualname__}, {path}:{line}"
