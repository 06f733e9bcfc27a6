"""``DistributedDataParallel``: here only its refusal to run without a process group."""

from __future__ import annotations

from typing import Any

from ..modules.module import Module

__all__ = ["DistributedDataParallel"]


class DistributedDataParallel(Module):
    """Data parallelism across processes (each process runs ``module`` on its part of the
    batch; gradients are averaged by all-reduce during ``backward``). It needs
    ``torch.distributed.init_process_group`` first; tinygrad_edu has no process groups, so
    making one raises PyTorch's error for that case.

    >>> nn.parallel.DistributedDataParallel(nn.Linear(2, 3))
    Traceback (most recent call last):
    ValueError: Default process group has not been initialized, please make sure to call \
init_process_group.
    """

    def __init__(self, module: Module, device_ids: Any = None, output_device: Any = None,
                 dim: int = 0, broadcast_buffers: bool | None = None, init_sync: bool = True,
                 process_group: Any = None, bucket_cap_mb: float | None = None,
                 find_unused_parameters: bool = False, check_reduction: bool = False,
                 gradient_as_bucket_view: bool = False, static_graph: bool = False,
                 delay_all_reduce_named_params: Any = None,
                 param_to_hook_all_reduce: Any = None, mixed_precision: Any = None,
                 device_mesh: Any = None, skip_all_reduce_unused_params: bool = False,
                 bucket_cap_mb_list: list[int] | None = None, batched_grad_copy: bool = False,
                 forward_sync_buffers: bool | None = None) -> None:
        super().__init__()
        if (delay_all_reduce_named_params is None) != (param_to_hook_all_reduce is None):
            raise ValueError("delay_all_reduce_named_params and param_to_hook_all_reduce "
                             "need to be set at the same time.")
        if process_group and device_mesh is not None:
            raise RuntimeError("Cannot specify both process_group and device_mesh arguments.")
        raise ValueError("Default process group has not been initialized, please make sure "
                         "to call init_process_group.")
