"""``tg.cuda``: as ``torch.cuda`` on PyTorch's CPU-only build (tinygrad_edu runs on the CPU).

What scripts ask before they choose a device, or while they seed everything, works:
``tg.cuda.is_available()`` is False, seeding CUDA does nothing and the memory counters are
0. What needs a GPU raises what PyTorch's CPU build raises, word for word (mostly
``AssertionError: Torch not compiled with CUDA enabled``).

>>> tg.cuda.is_available(), tg.cuda.device_count(), tg.cuda.memory_allocated()
(False, 0, 0)
"""

from __future__ import annotations

import warnings
from collections import OrderedDict
from typing import Any, NoReturn

from .._device import device as _device
from . import amp as amp

__all__ = ["amp", "current_device", "device_count", "empty_cache", "get_device_capability",
           "get_device_name", "get_device_properties", "get_rng_state", "get_rng_state_all",
           "init", "ipc_collect", "is_available", "is_bf16_supported", "is_initialized",
           "manual_seed", "manual_seed_all", "max_memory_allocated", "max_memory_reserved",
           "mem_get_info", "memory_allocated", "memory_reserved", "memory_stats",
           "reset_max_memory_allocated", "reset_peak_memory_stats", "seed", "seed_all",
           "set_device", "set_rng_state", "synchronize"]


def _not_compiled() -> NoReturn:
    raise AssertionError("Torch not compiled with CUDA enabled")


def _missing(name: str) -> NoReturn:
    """What PyTorch's CPU build raises where it calls a CUDA binding it does not have."""
    raise AttributeError(f"module 'torch._C' has no attribute '{name}'")


def _device_index(device: Any, optional: bool = False) -> int:
    """PyTorch's reading of a CUDA device argument: an int as is; a CUDA device its index;
    anything else a ValueError."""
    if isinstance(device, int):
        return device
    if isinstance(device, str):
        device = _device(device)
    if isinstance(device, _device):
        if device.type != "cuda":
            raise ValueError(f"Expected a cuda device, but got: {device}")
        if device.index is not None:
            return int(device.index)
    if optional:
        return -1
    raise ValueError("Expected a torch.device with a specified index or an integer, but "
                     f"got:{device}")


def is_available() -> bool:
    """False: there is no CUDA device."""
    return False


def is_initialized() -> bool:
    """False: CUDA is never initialized here."""
    return False


def init() -> None:
    """Raises: there is no CUDA to initialize."""
    _not_compiled()


def device_count() -> int:
    """0: there is no CUDA device."""
    return 0


def current_device() -> int:
    """Raises: there is no current CUDA device."""
    _not_compiled()


def set_device(device: Any) -> None:
    """Select a CUDA device: a negative index does nothing; another raises, as PyTorch's
    CPU build (a device that is not CUDA raises ValueError first)."""
    if _device_index(device) >= 0:
        _missing("_cuda_setDevice")


def get_device_name(device: Any = None) -> str:
    """Raises: there is no CUDA device to name."""
    _not_compiled()


def get_device_capability(device: Any = None) -> tuple[int, int]:
    """Raises: there is no CUDA device."""
    _not_compiled()


def get_device_properties(device: Any = None) -> Any:
    """Raises: there is no CUDA device."""
    _not_compiled()


def synchronize(device: Any = None) -> None:
    """Raises: there is no CUDA device to wait for."""
    _not_compiled()


def ipc_collect() -> None:
    """Raises: there is no CUDA memory shared between processes."""
    _not_compiled()


def empty_cache() -> None:
    """Does nothing: there is no CUDA memory cache."""


def memory_stats(device: Any = None) -> dict[str, Any]:
    """An empty dict: CUDA memory was never allocated."""
    return OrderedDict()


def memory_allocated(device: Any = None) -> int:
    """0 bytes of CUDA memory held by tensors."""
    return 0


def max_memory_allocated(device: Any = None) -> int:
    """0: the peak of ``memory_allocated``."""
    return 0


def memory_reserved(device: Any = None) -> int:
    """0 bytes of CUDA memory held by the caching allocator."""
    return 0


def max_memory_reserved(device: Any = None) -> int:
    """0: the peak of ``memory_reserved``."""
    return 0


def mem_get_info(device: Any = None) -> tuple[int, int]:
    """Raises: there is no CUDA device."""
    _not_compiled()


def reset_peak_memory_stats(device: Any = None) -> None:
    """Raises as PyTorch's CPU build does (a device that is not CUDA: ValueError)."""
    _device_index(device, optional=True)
    _missing("_cuda_resetPeakMemoryStats")


def reset_max_memory_allocated(device: Any = None) -> None:
    """Raises, as ``reset_peak_memory_stats`` (after PyTorch's warning that it calls it)."""
    warnings.warn("torch.cuda.reset_max_memory_allocated now calls "
                  "torch.cuda.reset_peak_memory_stats, which resets /all/ peak memory stats.",
                  FutureWarning, stacklevel=2)
    reset_peak_memory_stats(device)


def manual_seed(seed: int) -> None:
    """Does nothing, as ``torch.cuda.manual_seed`` without a GPU (``tg.manual_seed`` seeds)."""
    int(seed)  # (PyTorch converts first: a seed that is no number raises)


def manual_seed_all(seed: int) -> None:
    """Does nothing, as ``torch.cuda.manual_seed_all`` without a GPU."""
    int(seed)


def seed() -> None:
    """Does nothing: there is no CUDA generator to seed."""


def seed_all() -> None:
    """Does nothing: there is no CUDA generator to seed."""


def get_rng_state(device: int | str | Any = "cuda") -> Any:
    """Raises: there is no CUDA generator."""
    _not_compiled()


def get_rng_state_all() -> list[Any]:
    """``[]``: the states of no CUDA generators."""
    return []


def set_rng_state(new_state: Any, device: int | str | Any = "cuda") -> None:
    """Does nothing: there is no CUDA generator to set (PyTorch defers it until CUDA is
    initialized, which never happens)."""
    if not hasattr(new_state, "clone"):
        raise AttributeError(f"'{type(new_state).__name__}' object has no attribute 'clone'")


def is_bf16_supported(including_emulation: bool = True) -> bool:
    """False: there is no CUDA device."""
    return False
