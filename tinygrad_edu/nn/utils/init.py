"""``skip_init``: build a module without initialising its weights, as
``torch.nn.utils.skip_init``."""

from __future__ import annotations

import inspect
from typing import Any

from ... import _device
from ...random import fork_rng
from ..modules.module import Module

__all__ = ["skip_init"]


def skip_init(module_cls: Any, *args: Any, **kwargs: Any) -> Any:
    """``module_cls(*args, **kwargs)`` with its parameters and buffers left uninitialised
    (their values are unspecified, as ``torch.empty``'s), for when a custom
    initialisation follows. The module class must take a ``device`` argument.

    PyTorch builds the module on the "meta" device, where initialisers draw nothing; here
    it is built normally and the random generator is then put back: the stream continues
    exactly as after PyTorch's ``skip_init``.

    >>> layer = nn.utils.skip_init(nn.Linear, 5, 1)
    >>> _ = nn.init.zeros_(layer.weight)
    """
    if not issubclass(module_cls, Module):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    final_device = kwargs.pop("device", "cpu")
    _device.check(final_device)
    with fork_rng():
        module = module_cls(*args, **kwargs)
    return module.to_empty(device=final_device)
