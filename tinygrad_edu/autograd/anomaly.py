"""What ``tg.autograd.detect_anomaly()`` does: find the op that made a NaN or an Inf.

A NaN spreads: once one op makes it, every op after it (and every gradient before it)
is NaN too, and the loss says nothing about where it began. Inside ``detect_anomaly()``:

* every op remembers *where in your code* it was created (the innermost line outside
  tinygrad_edu: your model's ``h = self.fc1(x)``, not our ``linear``);
* a forward that makes NaN or Inf out of finite inputs warns, naming the op; the
  warning points at your line (``model.py:12: RuntimeWarning: Function 'LogBackward0'
  produced inf values in its forward output.``);
* a backward that returns NaN raises PyTorch's error (``Function 'SqrtBackward0' returned
  nan values in its 0th output.``) followed by the line that created the op; a backward
  that makes Inf out of a finite gradient warns the same way (as in PyTorch, an infinite
  gradient is not an error: sqrt at 0 has one).

It costs a scan of every result and a look at the call stack per op, so it is a
debugging tool; outside it, ops pay one test (``core.grad_mode._anomaly.checks``).

>>> x = tg.tensor([-1.0, 4.0], requires_grad=True)
>>> with tg.autograd.detect_anomaly():
...     y = x.sqrt()                      # RuntimeWarning at this line: nan in forward
...     (y * 0).sum().backward()
Traceback (most recent call last):
RuntimeError: Function 'SqrtBackward0' returned nan values in its 0th output. The op was
created at <stdin>, line 3: y = x.sqrt(). Hint: ...
"""

from __future__ import annotations

import linecache
import os
import sys
import warnings
from typing import Any

import numpy as np

from ..core.grad_mode import _anomaly, _GradMode
from ..dtypes import FLOATING

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled", "creation_site",
           "is_anomaly_check_nan_enabled", "set_anomaly_enabled"]

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_MAX_FRAMES = 8  # user frames kept per op (innermost first)
_registry: dict[Any, Any] = {}  # "default" warning filter: each line warns once


def _user_frames() -> list[tuple[str, int, str]]:
    """``(filename, lineno, function)`` of the caller's frames outside tinygrad_edu."""
    frames: list[tuple[str, int, str]] = []
    frame: Any = sys._getframe(2)
    while frame is not None and len(frames) < _MAX_FRAMES:
        filename = frame.f_code.co_filename
        if not os.path.abspath(filename).startswith(_PACKAGE_DIR):
            frames.append((filename, frame.f_lineno, frame.f_code.co_name))
        frame = frame.f_back
    return frames


def _nonfinite(value: Any) -> tuple[bool, bool]:
    """(has NaN, has Inf) of an array, a Tensor or a number (False, False for others)."""
    data = getattr(value, "_data", value)
    if isinstance(data, float):
        return data != data, data in (float("inf"), float("-inf"))
    if not isinstance(data, np.ndarray) or data.dtype not in FLOATING:
        return False, False
    return bool(np.isnan(data).any()), bool(np.isinf(data).any())


def forward_hook(ctx: Any, out: np.ndarray, args: tuple[Any, ...]) -> None:
    """Called by ``Function.apply`` for each op while anomaly mode is on."""
    ctx._anomaly_frames = frames = _user_frames()
    nan, inf = _nonfinite(out)
    if not (nan or inf):
        return
    if any(any(_nonfinite(a)) for a in args):
        return  # the NaN/Inf came in with an input: some earlier op made it
    kind = "nan" if nan else "inf"
    message = f"Function '{type(ctx).__name__}' produced {kind} values in its forward output."
    _warn_at(message, frames)


def backward_hook(node: Any, grad: Any, grads: tuple[Any, ...]) -> None:
    """Called by the engine after each backward while anomaly mode is on."""
    for i, g in enumerate(grads):
        nan, inf = _nonfinite(g)
        if nan:
            raise RuntimeError(
                f"Function '{type(node).__name__}' returned nan values in its {i}th output. "
                + creation_site(node)
                + " Hint: look at that op's inputs (log of 0 or less, sqrt or pow of a "
                "negative, 0/0, inf - inf) or at a learning rate that is too large."
            )
        if inf and not any(_nonfinite(grad)):
            message = (f"Function '{type(node).__name__}' returned inf values in its {i}th "
                       "output (from a finite incoming gradient).")
            _warn_at(message, getattr(node, "_anomaly_frames", []))


def creation_site(node: Any) -> str:
    """Where the op behind ``node`` was created, as one sentence (for error messages)."""
    frames = getattr(node, "_anomaly_frames", None)
    if not frames:
        return ("(It was created outside detect_anomaly(): run the forward pass inside it "
                "too, to see where.)")
    filename, lineno, function = frames[0]
    code = linecache.getline(filename, lineno).strip()
    where = f"{filename}, line {lineno}, in {function}"
    return f"The op was created at {where}" + (f": {code}" if code else "") + "."


def _warn_at(message: str, frames: list[tuple[str, int, str]]) -> None:
    """Warn with the warning attributed to the user's line (as ``stacklevel`` would)."""
    if not frames:
        warnings.warn(message, RuntimeWarning, stacklevel=3)
        return
    filename, lineno, _ = frames[0]
    module = os.path.splitext(os.path.basename(filename))[0]
    warnings.warn_explicit(message, RuntimeWarning, filename, lineno, module=module,
                           registry=_registry)


class _Checks:
    """What the engine calls while anomaly mode is on (``core.grad_mode._anomaly``).
    With ``check_nan=False`` (PyTorch's ``detect_anomaly(check_nan=False)``) ops still
    remember where they were created, and nothing is checked for NaN."""

    def __init__(self, check_nan: bool) -> None:
        self.check_nan = check_nan

    def forward_hook(self, ctx: Any, out: np.ndarray, args: tuple[Any, ...]) -> None:
        if self.check_nan:
            forward_hook(ctx, out, args)
        else:
            ctx._anomaly_frames = _user_frames()

    def backward_hook(self, node: Any, grad: Any, grads: tuple[Any, ...]) -> None:
        if self.check_nan:
            backward_hook(node, grad, grads)


_CHECKS, _CHECKS_NO_NAN = _Checks(True), _Checks(False)


def _checks(enabled: bool, check_nan: bool) -> _Checks | None:
    """The object anomaly mode puts in ``_anomaly.checks`` (None: off)."""
    if not enabled:
        return None
    return _CHECKS if check_nan else _CHECKS_NO_NAN


def is_anomaly_enabled() -> bool:
    """True inside ``detect_anomaly()`` (or after ``set_detect_anomaly(True)``).

    >>> tg.is_anomaly_enabled()
    False
    """
    return _anomaly.checks is not None


def is_anomaly_check_nan_enabled() -> bool:
    """Whether anomaly mode checks for NaN (True unless it is on with ``check_nan=False``).

    >>> tg.is_anomaly_check_nan_enabled()
    True
    """
    return _anomaly.checks is None or bool(_anomaly.checks.check_nan)


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    """Turn anomaly mode on or off for the process (``torch.set_anomaly_enabled``, what
    ``set_detect_anomaly`` calls).

    >>> tg.set_anomaly_enabled(True, check_nan=False)
    >>> tg.is_anomaly_enabled(), tg.is_anomaly_check_nan_enabled()
    (True, False)
    >>> tg.set_anomaly_enabled(False)
    """
    for name, value in (("enabled", enabled), ("check_nan", check_nan)):
        if not isinstance(value, bool):
            position = " (position 1)" if name == "enabled" else ""
            raise TypeError(f"set_anomaly_enabled(): argument '{name}'{position} must be "
                            f"bool, not {type(value).__name__}")
    _anomaly.checks = _checks(enabled, check_nan)


class detect_anomaly(_GradMode):
    """Find the op that produced a NaN (or Inf): inside, backward raises PyTorch's error
    naming the backward that returned NaN values, and a forward that makes NaN/Inf out of
    finite inputs warns with its name. What it checks is above. As PyTorch's,
    it is one switch for the whole process (not per thread).

    >>> x = tg.tensor([-1.0, 4.0], requires_grad=True)
    >>> with tg.autograd.detect_anomaly():
    ...     (x.sqrt() * 0).sum().backward()   # warns: SqrtBackward0 forward, then raises
    Traceback (most recent call last):
    RuntimeError: Function 'SqrtBackward0' returned nan values in its 0th output. ...

    It costs a scan of every result: use it to debug, not to train.
    """

    def __init__(self, check_nan: bool = True) -> None:
        self._checks = _checks(True, bool(check_nan))

    def __enter__(self) -> None:
        _anomaly.saved.append(_anomaly.checks)
        _anomaly.checks = self._checks

    def __exit__(self, *exc: object) -> None:
        _anomaly.checks = _anomaly.saved.pop()


class set_detect_anomaly(detect_anomaly):
    """Turn anomaly detection on or off: at once, or for a ``with`` block."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self._checks = _checks(bool(mode), bool(check_nan))
        self._before = _anomaly.checks
        _anomaly.checks = self._checks

    def __enter__(self) -> None:
        _anomaly.saved.append(self._before)
        _anomaly.checks = self._checks
