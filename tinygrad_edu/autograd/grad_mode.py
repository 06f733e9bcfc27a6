"""Grad modes: ``no_grad``, ``enable_grad``, ``set_grad_enabled``, ``inference_mode``.

Each works as a context manager and as a decorator (with or without parentheses), as in
PyTorch. The flag lives in one module-level object that ``Function.apply`` reads on
every op, so a mode costs nothing per op.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

_Func = Callable[..., Any]


class _State:
    __slots__ = ("enabled",)

    def __init__(self) -> None:
        self.enabled = True


_state = _State()


def is_grad_enabled() -> bool:
    """True when operations are being recorded for backward."""
    return _state.enabled


class _GradMode:
    """Base: entering sets the flag to ``_target()``; exiting restores it (re-entrant)."""

    def __init__(self) -> None:
        self._prev: list[bool] = []

    def _target(self) -> bool:
        raise NotImplementedError

    def __enter__(self) -> None:
        self._prev.append(_state.enabled)
        _state.enabled = self._target()

    def __exit__(self, *exc: object) -> None:
        _state.enabled = self._prev.pop()

    def __call__(self, func: _Func) -> _Func:
        """Use as a decorator: ``func`` runs under this mode."""

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)

        return wrapper


class _BareDecorator(_GradMode):
    """Lets ``@no_grad`` be written without parentheses, as PyTorch allows."""

    def __new__(cls, func: _Func | None = None) -> Any:
        self = super().__new__(cls)
        if func is None:
            return self
        self.__init__()  # type: ignore[misc]
        return self(func)


class no_grad(_BareDecorator):
    """Do not record operations: results inside have ``requires_grad=False``.

    >>> x = tg.ones(2, requires_grad=True)
    >>> with tg.no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
    """

    def __init__(self, func: _Func | None = None) -> None:
        super().__init__()

    def _target(self) -> bool:
        return False


class enable_grad(_BareDecorator):
    """Record operations again, e.g. inside a ``no_grad`` block."""

    def __init__(self, func: _Func | None = None) -> None:
        super().__init__()

    def _target(self) -> bool:
        return True


class set_grad_enabled(_GradMode):
    """Turn recording on or off. Like PyTorch's, it acts as soon as it is called
    (``tg.set_grad_enabled(False)`` as a plain statement), and as a context manager or
    decorator it restores the previous mode on exit."""

    def __init__(self, mode: bool) -> None:
        super().__init__()
        self._mode = bool(mode)
        self._before = _state.enabled
        _state.enabled = self._mode

    def _target(self) -> bool:
        return self._mode

    def __enter__(self) -> None:
        self._prev.append(self._before)
        _state.enabled = self._mode

    def __call__(self, func: _Func) -> _Func:
        """As a decorator: undo the immediate switch, then apply the mode per call."""
        _state.enabled = self._before
        return _Fixed(self._mode)(func)


class _Fixed(_GradMode):
    def __init__(self, mode: bool) -> None:
        super().__init__()
        self._mode = mode

    def _target(self) -> bool:
        return self._mode


class inference_mode(_GradMode):
    """Like ``no_grad`` for this engine (nothing is recorded); ``inference_mode(False)``
    leaves the mode as it is. Works with or without parentheses as a decorator."""

    def __new__(cls, mode: bool | _Func = True) -> Any:
        self = super().__new__(cls)
        if isinstance(mode, bool):
            return self
        inference_mode.__init__(self, True)
        return self(mode)

    def __init__(self, mode: bool | _Func = True) -> None:
        super().__init__()
        self._active = bool(mode) if isinstance(mode, bool) else True

    def _target(self) -> bool:
        return False if self._active else _state.enabled
