"""``tg.autocast`` / ``tg.amp.autocast``: mixed precision on the CPU, as PyTorch's.

Inside ``with tg.autocast("cpu"):`` the ops on PyTorch's CPU "lower precision" list
(matmul, mm, bmm, addmm, baddbmm, addbmm, linear, convolutions, prelu,
scaled_dot_product_attention) cast their floating inputs to the autocast dtype (bfloat16
unless ``dtype=`` says float16) and compute in it; the losses on its "float32" list cast
theirs to float32. Every other op runs in its inputs' dtype. The casts are recorded
(``ToCopyBackward0``), so gradients flow back to float32 leaves in float32.

The state is one per thread, as grad mode's is: each op asks ``lower_precision(...)`` or
``full_precision(...)`` at its entry, which returns its tensors unchanged when autocast
is off. A CUDA autocast warns and does nothing: there is no CUDA here.
"""

from __future__ import annotations

import threading
import warnings
from typing import Any

import numpy as np

from .. import _device, dtypes
from ..dtypes import FLOATING
from ..parity.decorators import DecoratorContextManager

# the autocast dtype each device type starts with, as PyTorch's
_DEFAULT_DTYPES = {"cpu": "bfloat16", "cuda": "float16", "mps": "float16", "xpu": "float16",
                   "hpu": "bfloat16"}


class _AutocastState(threading.local):
    """Per thread: which device types autocast, and to which dtype."""

    def __init__(self) -> None:
        self.enabled: dict[str, bool] = {}
        self.dtype: dict[str, Any] = {}


_state = _AutocastState()


def _default_dtype(device_type: str) -> Any:
    name = _DEFAULT_DTYPES.get(device_type, "float16")
    return dtypes._bfloat16() if name == "bfloat16" else dtypes.float16


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """Whether autocast is on for ``device_type`` (CUDA when not given: always False here).

    >>> with tg.autocast("cpu"):
    ...     tg.is_autocast_enabled("cpu")
    True
    """
    device_type = "cuda" if device_type is None else _device.device(device_type).type
    return _state.enabled.get(device_type, False)


def get_autocast_dtype(device_type: str) -> Any:
    """The dtype autocast computes in on ``device_type`` (bfloat16 on the CPU by default).

    >>> tg.get_autocast_dtype("cpu")
    tinygrad_edu.bfloat16
    """
    device_type = _device.device(device_type).type
    return _state.dtype.get(device_type) or _default_dtype(device_type)


def _cast(tensor: Any, dtype: Any) -> Any:
    """``tensor`` in ``dtype`` if it is a floating tensor other than float64 (PyTorch's
    "eligible" tensors); anything else unchanged."""
    data = getattr(tensor, "_data", None)
    if data is None or data.dtype not in FLOATING or data.dtype in (np.float64, dtype.np):
        return tensor
    return tensor.to(dtype)


def lower_precision(*tensors: Any) -> tuple[Any, ...]:
    """The tensors cast to the CPU autocast dtype inside ``tg.autocast("cpu")`` (for the
    ops on PyTorch's lower-precision list); unchanged outside."""
    if not _state.enabled.get("cpu"):
        return tensors
    dtype = _state.dtype["cpu"]
    return tuple(_cast(t, dtype) for t in tensors)


def full_precision(*tensors: Any) -> tuple[Any, ...]:
    """The float16/bfloat16 tensors cast to float32 inside ``tg.autocast("cpu")`` (for the
    ops on PyTorch's float32 list, losses mostly); unchanged outside."""
    if not _state.enabled.get("cpu"):
        return tensors
    return tuple(_cast(t, dtypes.float32) for t in tensors)


class autocast(DecoratorContextManager):  # noqa: N801  (PyTorch's name)
    """Runs the ops inside in mixed precision on ``device_type``, as ``torch.autocast``:
    a context manager or a decorator.

    ``"cpu"`` autocasts to ``dtype`` (bfloat16 by default; float16 also allowed; any other
    dtype warns and disables it); ``"cuda"`` warns that CUDA is not available and does
    nothing. ``cache_enabled`` is accepted: casts are not cached here (each op casts).

    >>> with tg.autocast("cpu"):
    ...     (tg.ones(2, 3) @ tg.ones(3, 2)).dtype
    tinygrad_edu.bfloat16
    """

    def __init__(self, device_type: str, dtype: Any = None, enabled: bool = True,
                 cache_enabled: bool | None = None) -> None:
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        self.device = _device.device(device_type).type  # (PyTorch's error for a bad name)
        self.fast_dtype = get_autocast_dtype(self.device) if dtype is None else dtype
        self._enabled = enabled
        self._cache_enabled = cache_enabled
        self._previous: list[tuple[Any, Any]] = []
        if self.device == "cuda" and enabled:
            warnings.warn("CUDA is not available or torch_xla is imported. Disabling autocast.",
                          UserWarning, stacklevel=2)
            self._enabled = False
        if self.device == "cpu" and enabled and self.fast_dtype not in (
                dtypes._bfloat16(), dtypes.float16):
            warnings.warn("In CPU autocast, but the target dtype is not supported. Disabling "
                          "autocast.\nCPU Autocast only supports dtypes of torch.bfloat16, "
                          "torch.float16 currently.", UserWarning, stacklevel=2)
            self._enabled = False

    def __enter__(self) -> None:
        self._previous.append((is_autocast_enabled(self.device),
                               _state.dtype.get(self.device)))
        _state.enabled[self.device] = self._enabled
        _state.dtype[self.device] = self.fast_dtype

    def __exit__(self, *exc: object) -> None:
        _state.enabled[self.device], _state.dtype[self.device] = self._previous.pop()
