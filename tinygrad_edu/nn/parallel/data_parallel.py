"""``DataParallel`` and ``data_parallel`` as PyTorch runs them without a GPU."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..modules.module import Module

__all__ = ["DataParallel", "data_parallel"]


class DataParallel(Module):
    """Wrap ``module`` to split each batch across GPUs (along ``dim``) and gather the
    outputs. With no GPU — always the case here, as for PyTorch on a CPU-only machine —
    it keeps ``module`` as ``.module``, sets ``device_ids = []`` and its forward is
    ``module``'s: scripts written for several GPUs run unchanged. The state dict's keys
    get the prefix ``module.`` (load it back into ``.module`` to drop it).

    >>> model = nn.DataParallel(nn.Linear(2, 3))
    >>> list(model.state_dict()), model.device_ids
    (['module.weight', 'module.bias'], [])
    """

    def __init__(self, module: Module, device_ids: Sequence[Any] | None = None,
                 output_device: Any = None, dim: int = 0) -> None:
        super().__init__()
        self.module = module
        self.device_ids: list[int] = []  # (no accelerator: torch sets nothing else)

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        """``module(*inputs, **kwargs)``: one device, nothing to scatter."""
        return self.module(*inputs, **kwargs)


def data_parallel(module: Module, inputs: Any, device_ids: Sequence[Any] | None = None,
                  output_device: Any = None, dim: int = 0,
                  module_kwargs: Any | None = None) -> Any:
    """The functional ``DataParallel``: evaluate ``module(*inputs)`` across GPUs. Without
    an accelerator PyTorch cannot pick a device type and raises; so does this.

    >>> nn.parallel.data_parallel(nn.Linear(2, 3), tg.ones(4, 2))
    Traceback (most recent call last):
    RuntimeError: device type could not be determined
    """
    raise RuntimeError("device type could not be determined")
