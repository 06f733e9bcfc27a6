"""Grad modes: ``no_grad``, ``enable_grad``, ``set_grad_enabled``, ``inference_mode``.

Each works as a context manager and as a decorator (with or without parentheses), as in
PyTorch. The flag lives in one module-level object that ``Function.apply`` reads on
every op, so a mode costs nothing per op.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

_Func = Callable[..., Any]


class _State:
    __slots__ = ("enabled", "anomaly")

    def __init__(self) -> None:
        self.enabled = True
        self.anomaly = False  # detect_anomaly: check every op's results for NaN


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
        if inspect.isgeneratorfunction(func):
            return self._wrap_generator(func)

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)

        return wrapper

    def _wrap_generator(self, func: _Func) -> _Func:
        """A generator runs in steps: apply the mode around each step, as PyTorch does
        (not only around the call, which merely creates the generator)."""

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            gen = func(*args, **kwargs)
            sent = None
            while True:
                with self:
                    try:
                        item = gen.send(sent)
                    except StopIteration as stop:
                        return stop.value
                sent = yield item

        return wrapper


class _BareDecorator(_GradMode):
    """Lets ``@no_grad`` be written without parentheses, as PyTorch allows."""

    def __new__(cls, orig_func: _Func | None = None) -> Any:
        self = super().__new__(cls)
        if orig_func is None:
            return self
        self.__init__()  # type: ignore[misc]
        return self(orig_func)


class no_grad(_BareDecorator):
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


class enable_grad(_BareDecorator):
    """Record operations again, e.g. inside a ``no_grad`` block."""

    def __init__(self, orig_func: _Func | None = None) -> None:
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
    """Like ``no_grad`` for this engine (nothing is recorded). As in PyTorch,
    ``inference_mode(False)`` turns recording *on*. Works with or without parentheses as a
    decorator."""

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
        return not self._active


def is_anomaly_enabled() -> bool:
    """True inside ``detect_anomaly()`` (or after ``set_detect_anomaly(True)``)."""
    return _state.anomaly


class detect_anomaly(_GradMode):
    """Find the op that produced a NaN (or Inf): inside, backward raises PyTorch's error
    naming the backward that returned NaN values, and a forward that makes NaN/Inf out of
    finite inputs warns with its name. What it checks is in ``anomaly.py``.

    >>> x = tg.tensor([-1.0, 4.0], requires_grad=True)
    >>> with tg.autograd.detect_anomaly():
    ...     (x.sqrt() * 0).sum().backward()   # warns: SqrtBackward0 forward, then raises
    Traceback (most recent call last):
    RuntimeError: Function 'SqrtBackward0' returned nan values in its 0th output. ...

    It costs a scan of every result: use it to debug, not to train.
    """

    def __init__(self, check_nan: bool = True) -> None:
        super().__init__()
        self._check = bool(check_nan)

    def __enter__(self) -> None:
        self._prev.append(_state.anomaly)
        _state.anomaly = self._check

    def __exit__(self, *exc: object) -> None:
        _state.anomaly = self._prev.pop()


class set_detect_anomaly(detect_anomaly):
    """Turn anomaly detection on or off: at once, or for a ``with`` block."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        super().__init__(check_nan and mode)
        self._before = _state.anomaly
        _state.anomaly = self._check

    def __enter__(self) -> None:
        self._prev.append(self._before)
        _state.anomaly = self._check
