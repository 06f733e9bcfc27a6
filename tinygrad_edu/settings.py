"""Process-wide switches scripts set for reproducibility and speed, as PyTorch's top-level
``torch.use_deterministic_algorithms``, ``set_float32_matmul_precision``, ``set_flush_denormal``
and ``set_warn_always``, with their checks and messages.

tinygrad_edu computes with numpy on the CPU, one op after another, and every op it has is
deterministic: the switches are remembered and given back, and change nothing else.

* ``set_float32_matmul_precision("high")`` would let PyTorch use TF32 or bfloat16 inside
  float32 matrix products on hardware that has them; numpy's float32 products stay float32.
* ``set_flush_denormal(True)`` returns False: numpy has no switch to flush denormal numbers
  to zero, so the mode is "not supported", as PyTorch reports on a CPU without SSE3.

>>> tg.use_deterministic_algorithms(True)
>>> tg.are_deterministic_algorithms_enabled()
True
>>> tg.use_deterministic_algorithms(False)
"""

from __future__ import annotations

import warnings
from typing import Any

__all__ = ["use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
           "is_deterministic_algorithms_warn_only_enabled", "set_deterministic_debug_mode",
           "get_deterministic_debug_mode", "set_float32_matmul_precision",
           "get_float32_matmul_precision", "set_flush_denormal", "set_warn_always",
           "is_warn_always_enabled"]

_state: dict[str, Any] = {"deterministic": False, "warn_only": False,
                          "matmul_precision": "highest", "warn_always": False}
_PRECISIONS = ("highest", "high", "medium")
_DEBUG_MODES = ("default", "warn", "error")


def _check_bool(value: Any, message: str) -> None:
    if not isinstance(value, bool):
        raise TypeError(message.format(type(value).__name__))


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Ask for deterministic algorithms only (``warn_only``: warn instead of raising where
    an op has none). Every op here is deterministic, so only the flags change.

    >>> tg.use_deterministic_algorithms(True, warn_only=True)
    >>> tg.get_deterministic_debug_mode()
    1
    >>> tg.use_deterministic_algorithms(False)
    """
    _check_bool(mode, "_set_deterministic_algorithms(): argument 'mode' (position 1) must be "
                "bool, not {}")
    _check_bool(warn_only, "_set_deterministic_algorithms(): argument 'warn_only' must be "
                "bool, not {}")
    _state["deterministic"], _state["warn_only"] = mode, warn_only


def are_deterministic_algorithms_enabled() -> bool:
    """Whether ``use_deterministic_algorithms(True)`` is in force.

    >>> tg.are_deterministic_algorithms_enabled()
    False
    """
    return bool(_state["deterministic"])


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """Whether ``use_deterministic_algorithms`` was given ``warn_only=True``.

    >>> tg.is_deterministic_algorithms_warn_only_enabled()
    False
    """
    return bool(_state["warn_only"])


def set_deterministic_debug_mode(debug_mode: int | str) -> None:
    """The same switch as a level: 0 / ``"default"`` (off), 1 / ``"warn"`` (on, warn only),
    2 / ``"error"`` (on).

    >>> tg.set_deterministic_debug_mode("warn")
    >>> tg.are_deterministic_algorithms_enabled(), tg.get_deterministic_debug_mode()
    (True, 1)
    >>> tg.set_deterministic_debug_mode(0)
    """
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError("invalid value of debug_mode, expected one of `default`, "
                               f"`warn`, `error`, but got {debug_mode}")
        debug_mode = _DEBUG_MODES.index(debug_mode)
    elif not isinstance(debug_mode, int):
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode)}")
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got "
                           f"{debug_mode}")
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode() -> int:
    """0, 1 or 2: the level ``set_deterministic_debug_mode`` describes.

    >>> tg.get_deterministic_debug_mode()
    0
    """
    if not _state["deterministic"]:
        return 0
    return 1 if _state["warn_only"] else 2


def set_float32_matmul_precision(precision: str) -> None:
    """``"highest"``, ``"high"`` or ``"medium"``: remembered only (numpy's float32 matrix
    products are always full float32, PyTorch's ``"highest"``). Another string warns and
    changes nothing, as PyTorch.

    >>> tg.set_float32_matmul_precision("high")
    >>> tg.get_float32_matmul_precision()
    'high'
    >>> tg.set_float32_matmul_precision("highest")
    """
    if not isinstance(precision, str):
        raise RuntimeError("set_float32_matmul_precision expects a str, but got "
                           f"{type(precision).__name__}")
    if precision not in _PRECISIONS:
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
                      "setFloat32MatmulPrecision call has no effect.", UserWarning,
                      stacklevel=2)
        return
    _state["matmul_precision"] = precision


def get_float32_matmul_precision() -> str:
    """The precision ``set_float32_matmul_precision`` stored (``"highest"`` at first).

    >>> tg.get_float32_matmul_precision()
    'highest'
    """
    return str(_state["matmul_precision"])


def set_flush_denormal(mode: bool) -> bool:
    """Whether flushing denormal floats to zero is supported: False here (numpy has no such
    switch), so denormals stay as they are. PyTorch returns True on x86 CPUs with SSE3.

    >>> tg.set_flush_denormal(True)
    False
    """
    if not isinstance(mode, bool):
        raise RuntimeError(f"flush_denormal expects a bool, but got {type(mode).__name__}")
    return False


def set_warn_always(b: bool, /) -> None:
    """Ask warnings PyTorch gives once per process to be given every time (a flag here).

    >>> tg.set_warn_always(False)
    """
    if not isinstance(b, bool):
        raise RuntimeError(f"setWarnOnlyOnce expects a bool, but got {type(b).__name__}")
    _state["warn_always"] = b


def is_warn_always_enabled() -> bool:
    """The flag ``set_warn_always`` set (False at first).

    >>> tg.is_warn_always_enabled()
    False
    """
    return bool(_state["warn_always"])
