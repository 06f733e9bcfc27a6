"""Thread counts: ``tg.set_num_threads`` / ``get_num_threads`` and the inter-op pair.

tinygrad_edu computes with numpy, one op after another, so these numbers do not make it
run on more or fewer threads. What they do:

* ``set_num_threads(n)`` is the thread count that PyTorch's sums split their work by
  (parity/torch_sum.py): set it to the count of the torch run you compare with, and sums
  of many elements round as that run's did;
* when the ``threadpoolctl`` package is installed, it also limits the threads of numpy's
  BLAS (matrix products) to ``n``; without it, BLAS keeps its own count;
* the inter-op count is only stored, and given back.

>>> tg.set_num_threads(2)
>>> tg.get_num_threads()
2
"""

from __future__ import annotations

from typing import Any

from .parity import torch_sum

__all__ = ["get_num_interop_threads", "get_num_threads", "set_num_interop_threads",
           "set_num_threads"]

_interop_threads = torch_sum._default_num_threads()
_blas_limit: Any = None  # threadpoolctl's limiter, kept alive while it applies


def _positive(n: Any, fn: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{fn}(): argument 'int' (position 1) must be int, not "
                        f"{type(n).__name__}")
    if n < 1:
        raise RuntimeError(f"{fn} expects a positive integer")
    return n


def set_num_threads(int: int) -> None:  # noqa: A002  (PyTorch's parameter name)
    """The number of threads of an op (see the module docstring for what it changes)."""
    global _blas_limit
    n = _positive(int, "set_num_threads")
    torch_sum.set_num_threads(n)
    try:
        import threadpoolctl  # optional: limits numpy's BLAS threads
    except ImportError:
        return
    _blas_limit = threadpoolctl.threadpool_limits(limits=n, user_api="blas")


def get_num_threads() -> int:
    """The number of threads of an op: ``set_num_threads``'s, else PyTorch's default
    (``$OMP_NUM_THREADS``, else the physical cores)."""
    return torch_sum.get_num_threads()


def set_num_interop_threads(int: int) -> None:  # noqa: A002  (PyTorch's parameter name)
    """The number of threads running ops side by side: stored only (ops run one after
    another here)."""
    global _interop_threads
    _interop_threads = _positive(int, "set_num_interop_threads")


def get_num_interop_threads() -> int:
    """The number stored by ``set_num_interop_threads`` (PyTorch's default before)."""
    return _interop_threads
