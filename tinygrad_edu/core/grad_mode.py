"""Grad modes: ``no_grad`` and ``enable_grad`` (``set_grad_enabled`` and ``inference_mode``
build on them: autograd/grad_mode.py).

Each works as a context manager and as a decorator (with or without parentheses), as in
PyTorch (how a context manager decorates: parity/decorators.py). As in PyTorch, the mode
belongs to the thread: ``with tg.no_grad():`` in one thread leaves recording on in every
other, and a new thread starts with recording on. The flag lives in one thread-local
object that ``Function.apply`` reads on every op that could be recorded. Anomaly
detection, as in PyTorch, is one switch for the process (``_anomaly``); so is teaching
mode (``_teaching``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from ..parity.decorators import BareDecorator, DecoratorContextManager

_Func = Callable[..., Any]


class _ThreadState(threading.local):
    """This thread's autograd state (each thread sees its own attributes)."""

    def __init__(self) -> None:
        self.enabled = True  # grad mode: record ops for backward
        self.inference = False  # inside inference_mode()
        self.create_graph = False  # a create_graph=True backward is running in this thread
        self.saved: list[tuple[bool, bool]] = []  # modes to restore, innermost last
        self.tracer: Callable[..., None] | None = None  # tg.viz.trace_backward's hook


class _AnomalyState:
    """The seam of ``tg.autograd.detect_anomaly`` (a learning tool, in autograd/anomaly.py):
    while it is on, ``checks`` is its object, and every op calls
    ``checks.forward_hook(ctx, out, args)``, the engine ``checks.backward_hook(node, grad,
    grads)``; the rest of the time it is None and costs one test per op."""

    __slots__ = ("checks", "saved")

    def __init__(self) -> None:
        self.checks: Any = None
        self.saved: list[Any] = []


class _TeachingState:
    """The seam of teaching mode (``tg.set_teaching_mode``, a learning tool in teaching.py):
    while it is on, ``hooks`` is its object, and the framework calls it where a first
    training loop goes wrong (``hooks.before_backward(outputs)`` in backward,
    ``hooks.note_cut(node, how)`` in ``detach()`` / ``.data``, ``hooks.module_called``,
    ``hooks.before_step``, ``hooks.check_cross_entropy_input``); the rest of the time it
    is None and costs one test at each of those places."""

    __slots__ = ("hooks",)

    def __init__(self) -> None:
        self.hooks: Any = None


_state = _ThreadState()
_anomaly = _AnomalyState()
_teaching = _TeachingState()


def is_grad_enabled() -> bool:
    """True when operations are being recorded for backward (in this thread)."""
    return _state.enabled


class _GradMode(DecoratorContextManager):
    """Base: entering sets the mode to ``_target()``; exiting restores the one before.

    What to restore is kept on a per-thread stack, so one instance (a decorator, a
    module-level ``no_grad()``) can be entered by several threads at once.
    """

    _inference: bool | None = None  # what inference_mode becomes (None: unchanged)

    def _target(self) -> bool:
        raise NotImplementedError

    def __enter__(self) -> None:
        state = _state
        state.saved.append((state.enabled, state.inference))
        state.enabled = self._target()
        if self._inference is not None:
            state.inference = self._inference

    def __exit__(self, *exc: object) -> None:
        state = _state
        state.enabled, state.inference = state.saved.pop()


class no_grad(BareDecorator, _GradMode):
    """Do not record operations: results inside have ``requires_grad=False``.

    >>> x = tg.ones(2, requires_grad=True)
    >>> with tg.no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
    """

    def __init__(self, orig_func: _Func | None = None) -> None:
        super().__init__()

    def _target(self) -> bool:
        return False


class enable_grad(BareDecorator, _GradMode):
    """Record operations again, e.g. inside a ``no_grad`` block."""

    def __init__(self, orig_func: _Func | None = None) -> None:
        super().__init__()

    def _target(self) -> bool:
        return True
