"""``tg.accelerator``: as ``torch.accelerator`` on a build without an accelerator (CPU only).

There is none here: ``is_available()`` is False, ``current_accelerator()`` None and
``device_count()`` 0, so the device line of PyTorch's quickstart picks the CPU::

    device = tg.accelerator.current_accelerator().type if tg.accelerator.is_available() else "cpu"

Everything that needs a device raises PyTorch's RuntimeError ("Cannot access accelerator
device when none is available.").

>>> tg.accelerator.is_available(), tg.accelerator.current_accelerator()
(False, None)
"""

from __future__ import annotations

import warnings
from collections import OrderedDict
from typing import Any, NoReturn

from ._device import device as _device

__all__ = ["current_accelerator", "current_device_idx", "current_device_index",
           "current_stream", "device_count", "device_index", "empty_cache",
           "empty_host_cache", "get_device_capability", "get_memory_info", "is_available",
           "max_memory_allocated", "max_memory_reserved", "memory_allocated",
           "memory_reserved", "memory_stats", "reset_accumulated_memory_stats",
           "reset_peak_memory_stats", "set_device_idx", "set_device_index", "set_stream",
           "synchronize"]


def _unavailable() -> NoReturn:
    raise RuntimeError("Cannot access accelerator device when none is available.")


def _device_index(device: Any, optional: bool) -> int:
    """PyTorch's reading of a device argument (int, str or device): without an
    accelerator, a named device raises, and a missing one asks for the current index."""
    if isinstance(device, int):
        return device
    if isinstance(device, str):
        device = _device(device)
    if isinstance(device, _device):
        raise RuntimeError("Accelerator expected")
    if not optional:
        raise ValueError("Expected a torch.device with a specified index or an integer, but "
                         f"got:{device}")
    return current_device_index()


def is_available() -> bool:
    """False: there is no accelerator.

    >>> tg.accelerator.is_available()
    False
    """
    return False


def current_accelerator(check_available: bool = False) -> Any:
    """None: the device of the accelerator, if there were one.

    >>> tg.accelerator.current_accelerator() is None
    True
    """
    return None


def device_count() -> int:
    """0: the number of accelerator devices.

    >>> tg.accelerator.device_count()
    0
    """
    return 0


def current_device_index() -> int:
    """Raises: there is no accelerator device (as PyTorch without one)."""
    _unavailable()


def current_device_idx() -> int:
    """Raises, as ``current_device_index``, after the warning of PyTorch's deprecated
    spelling."""
    warnings.warn("Use `current_device_index` instead.", FutureWarning, stacklevel=2)
    _unavailable()


def set_device_index(device: Any, /) -> None:
    """Raises: there is no accelerator device to select."""
    _device_index(device, optional=False)
    _unavailable()


def set_device_idx(device: Any, /) -> None:
    """Raises, as ``set_device_index``, after the warning of PyTorch's deprecated spelling."""
    warnings.warn("Use `set_device_index` instead.", FutureWarning, stacklevel=2)
    set_device_index(device)


def synchronize(device: Any = None, /) -> None:
    """Raises: there is no accelerator to wait for."""
    _device_index(device, optional=True)
    _unavailable()


def current_stream(device: Any = None, /) -> Any:
    """Raises: there is no accelerator stream."""
    _device_index(device, optional=True)
    _unavailable()


def set_stream(stream: Any) -> None:
    """Raises: there is no accelerator stream."""
    _unavailable()


def get_device_capability(device: Any = None, /) -> dict[str, Any]:
    """Raises: there is no accelerator device."""
    _device_index(device, optional=True)
    _unavailable()


def empty_cache() -> None:
    """Raises: there is no accelerator memory (as PyTorch without an accelerator)."""
    _unavailable()


def empty_host_cache() -> None:
    """Raises: there is no accelerator memory."""
    _unavailable()


def memory_stats(device_index: Any = None, /) -> OrderedDict[str, Any]:
    """Raises: there is no accelerator memory (before the argument is read, as PyTorch)."""
    _unavailable()


def memory_allocated(device_index: Any = None, /) -> int:
    """Raises: there is no accelerator memory."""
    return int(memory_stats(device_index).get("allocated_bytes.all.current", 0))


def max_memory_allocated(device_index: Any = None, /) -> int:
    """Raises: there is no accelerator memory."""
    return int(memory_stats(device_index).get("allocated_bytes.all.peak", 0))


def memory_reserved(device_index: Any = None, /) -> int:
    """Raises: there is no accelerator memory."""
    return int(memory_stats(device_index).get("reserved_bytes.all.current", 0))


def max_memory_reserved(device_index: Any = None, /) -> int:
    """Raises: there is no accelerator memory."""
    return int(memory_stats(device_index).get("reserved_bytes.all.peak", 0))


def reset_accumulated_memory_stats(device_index: Any = None, /) -> None:
    """Raises: there is no accelerator memory."""
    _unavailable()


def reset_peak_memory_stats(device_index: Any = None, /) -> None:
    """Raises: there is no accelerator memory."""
    _unavailable()


def get_memory_info(device_index: Any = None, /) -> tuple[int, int]:
    """Raises: there is no accelerator memory."""
    _device_index(device_index, optional=True)
    _unavailable()


class device_index:  # noqa: N801  (PyTorch's name)
    """Context manager selecting an accelerator device: ``device_index(None)`` does nothing;
    an index raises on entry (there is no device).

    >>> with tg.accelerator.device_index(None):
    ...     pass
    """

    def __init__(self, device: int | None, /) -> None:
        self.idx = device

    def __enter__(self) -> None:
        if self.idx is not None:
            _unavailable()

    def __exit__(self, *exc_info: object) -> None:
        return None
