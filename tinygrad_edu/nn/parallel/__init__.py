"""``tinygrad_edu.nn.parallel``, as ``torch.nn.parallel`` on a machine without
accelerators: ``DataParallel`` wraps a module and runs it as it is (there is one device,
the CPU), ``DistributedDataParallel`` needs a process group, which tinygrad_edu has not."""

from .data_parallel import DataParallel, data_parallel
from .distributed import DistributedDataParallel

__all__ = ["DataParallel", "DistributedDataParallel", "data_parallel"]
