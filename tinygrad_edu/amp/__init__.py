"""``tg.amp``: mixed precision, as ``torch.amp``: ``autocast`` (ops in lower precision),
``GradScaler`` (loss scaling), and the decorators ``custom_fwd`` / ``custom_bwd`` that make a
custom ``autograd.Function`` behave under autocast."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from .. import _device
from ..core.tensor import AutogradTensor
from ..dtypes import float64
from .autocast_mode import autocast, get_autocast_dtype, is_autocast_enabled

# (tg.clear_autocast_cache and its neighbours, torch.*-level names, are found here)
from .autocast_mode import clear_autocast_cache as clear_autocast_cache
from .autocast_mode import is_autocast_cache_enabled as is_autocast_cache_enabled
from .autocast_mode import set_autocast_cache_enabled as set_autocast_cache_enabled
from .grad_scaler import GradScaler

__all__ = ["GradScaler", "autocast", "custom_bwd", "custom_fwd", "get_autocast_dtype",
           "is_autocast_available", "is_autocast_enabled"]

# the device types PyTorch's autocast knows (the rest are valid devices without it)
_AUTOCAST_DEVICES = frozenset("cpu cuda ipu xpu hpu xla mps mtia maia privateuseone".split())


def is_autocast_available(device_type: str) -> bool:
    """Whether ``autocast`` knows ``device_type`` (as PyTorch: ``"cpu"``, ``"cuda"``, ...;
    ``"cuda"`` is known, though here it only warns and does nothing).

    >>> tg.amp.is_autocast_available("cpu"), tg.amp.is_autocast_available("meta")
    (True, False)
    """
    if not isinstance(device_type, str):
        raise TypeError("_is_autocast_available(): argument 'device_type' (position 1) must "
                        f"be str, not {type(device_type).__name__}")
    return _device.device(device_type).type in _AUTOCAST_DEVICES


def _check_device_type(device_type: Any) -> None:
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")


def _cast_floats(value: Any, device_type: str, dtype: Any) -> Any:
    """``value`` with its floating tensors (not float64) in ``dtype``, through lists,
    tuples and dicts (PyTorch's ``torch.amp.autocast_mode._cast``)."""
    if isinstance(value, AutogradTensor):  # (the Tensor's base: amp loads before tensor.py)
        t: Any = value
        eligible = t.is_floating_point() and t.device.type == device_type and t.dtype != float64
        return t.to(dtype) if eligible else t
    if isinstance(value, dict):
        return {k: _cast_floats(v, device_type, dtype) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast_floats(v, device_type, dtype) for v in value)
    return value


def custom_fwd(fwd: Callable[..., Any] | None = None, *, device_type: str,
               cast_inputs: Any = None) -> Any:
    """Decorate a custom ``Function``'s ``forward``: it remembers autocast's state (for
    ``custom_bwd``); with ``cast_inputs``, inside an autocast region its floating tensor
    arguments are cast to that dtype and it runs with autocast off.

    >>> class Double(tg.autograd.Function):
    ...     @staticmethod
    ...     @tg.amp.custom_fwd(device_type="cpu")
    ...     def forward(ctx, x):
    ...         return x * 2
    ...     @staticmethod
    ...     @tg.amp.custom_bwd(device_type="cpu")
    ...     def backward(ctx, grad):
    ...         return grad * 2
    >>> Double.apply(tg.ones(1))
    tensor([2.])
    """
    _check_device_type(device_type)
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(*args: Any, **kwargs: Any) -> Any:
        ctx, enabled = args[0], is_autocast_enabled(device_type)
        ctx._dtype = get_autocast_dtype(device_type)
        ctx._fwd_used_autocast = enabled and cast_inputs is None
        if cast_inputs is None or not enabled:
            return fwd(*args, **kwargs)
        with autocast(device_type=device_type, enabled=False):
            return fwd(*_cast_floats(args, device_type, cast_inputs),
                       **_cast_floats(kwargs, device_type, cast_inputs))

    return decorate_fwd


def custom_bwd(bwd: Callable[..., Any] | None = None, *, device_type: str) -> Any:
    """Decorate a custom ``Function``'s ``backward``: it runs with the autocast state its
    ``forward`` (decorated by ``custom_fwd``) ran with.

    >>> tg.amp.custom_bwd(device_type="cpu")  # doctest: +ELLIPSIS
    functools.partial(<function custom_bwd at ...>, device_type='cpu')
    """
    _check_device_type(device_type)
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def decorate_bwd(*args: Any, **kwargs: Any) -> Any:
        ctx = args[0]
        with autocast(device_type=device_type, enabled=ctx._fwd_used_autocast,
                      dtype=ctx._dtype):
            return bwd(*args, **kwargs)

    return decorate_bwd
