"""``tinygrad_edu.nn``: modules, layers, losses, ``functional`` and ``init``, as
``torch.nn``."""

from . import functional, init, modules, parallel, utils
from .modules import *  # noqa: F403  (every module class, as torch.nn does)
from .modules import __all__ as _modules
from .parallel import DataParallel
from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter

__all__ = [*_modules, "Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer",
           "DataParallel", "functional", "init", "modules", "parallel", "utils"]
