"""``tinygrad_edu.autograd.grad_mode``, as ``torch.autograd.grad_mode``: where scripts import
the grad modes from. ``no_grad`` and ``enable_grad`` are the engine's
(``tinygrad_edu/core/grad_mode.py``); ``set_grad_enabled`` and ``inference_mode`` are
defined here, on the same per-thread state."""

from __future__ import annotations

from typing import Any

from ..core.grad_mode import _Func, _GradMode, _state, enable_grad, no_grad

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
           "is_inference_mode_enabled"]


def is_inference_mode_enabled() -> bool:
    """True inside ``inference_mode()`` (in this thread)."""
    return _state.inference


class set_grad_enabled(_GradMode):
    """Turn recording on or off. Like PyTorch's, it acts as soon as it is called
    (``tg.set_grad_enabled(False)`` as a plain statement), and as a context manager or
    decorator it restores the previous mode on exit."""

    def __init__(self, mode: bool) -> None:
        self._mode = bool(mode)
        self._before = (_state.enabled, _state.inference)
        _state.enabled = self._mode

    def _target(self) -> bool:
        return self._mode

    def __enter__(self) -> None:
        _state.saved.append(self._before)  # (the switch already happened in __init__)
        _state.enabled = self._mode

    def __call__(self, func: _Func) -> _Func:
        """As a decorator: undo the immediate switch, then apply the mode per call."""
        _state.enabled = self._before[0]
        return _Fixed(self._mode)(func)


class _Fixed(_GradMode):
    def __init__(self, mode: bool) -> None:
        self._mode = mode

    def _target(self) -> bool:
        return self._mode


class inference_mode(_GradMode):
    """Like ``no_grad`` for this engine (nothing is recorded), and
    ``tg.is_inference_mode_enabled()`` is True inside. As in PyTorch,
    ``inference_mode(False)`` turns recording *on*. Works with or without parentheses as a
    decorator."""

    def __new__(cls, mode: bool | _Func = True) -> Any:
        self = super().__new__(cls)
        if isinstance(mode, bool):
            return self
        inference_mode.__init__(self, True)
        return self(mode)

    def __init__(self, mode: bool | _Func = True) -> None:
        self._inference = bool(mode) if isinstance(mode, bool) else True

    def _target(self) -> bool:
        return not self._inference
