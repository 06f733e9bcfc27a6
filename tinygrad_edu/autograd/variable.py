"""``tg.autograd.Variable``: PyTorch's name for a tensor before 0.4, kept for old tutorials.

``Variable(x, requires_grad=True)`` returns a new leaf tensor that shares ``x``'s data and
requires grad; every tensor is an instance of ``Variable``. (``volatile`` is gone: it warns
and does nothing; ``with tg.no_grad():`` is its successor.)

>>> from tinygrad_edu.autograd import Variable
>>> v = Variable(tg.ones(2), requires_grad=True)
>>> v, isinstance(tg.zeros(1), Variable)
(tensor([1., 1.], requires_grad=True), True)
"""

from __future__ import annotations

import threading
import warnings
from typing import Any

import numpy as np

from .. import dtypes
from ..core.function import _wrap
from ..core.tensor import AutogradTensor as TensorBase
from ..parity.decorators import DecoratorContextManager

__all__ = ["Variable", "is_multithreading_enabled", "set_multithreading_enabled"]


class _VariableMeta(type):
    """Makes ``isinstance(t, Variable)`` true for every tensor, as in PyTorch."""

    def __instancecheck__(cls, other: Any) -> bool:
        return isinstance(other, TensorBase)


class Variable(metaclass=_VariableMeta):
    """``Variable(data, requires_grad=False)``: a new leaf tensor sharing ``data``'s values
    (``data.detach()``) that requires grad when asked. Old tutorials wrap every tensor in
    one; since PyTorch 0.4 a tensor is all it takes, and ``isinstance(t, Variable)`` holds
    for every tensor.

    >>> from tinygrad_edu.autograd import Variable
    >>> x = Variable(tg.tensor([1.0, 2.0]), requires_grad=True)
    >>> (x * x).sum().backward(); x.grad
    tensor([2., 4.])
    """

    def __new__(cls, data: Any = None, requires_grad: bool = False,  # type: ignore[misc]
                volatile: bool = False) -> Any:
        if volatile:
            warnings.warn("volatile was removed and now has no effect. Use `with "
                          "torch.no_grad():` instead.", UserWarning, stacklevel=2)
        if data is None:
            data = _wrap(np.empty(0, dtype=dtypes.get_default_dtype().np))
        if not isinstance(data, TensorBase):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        return data.detach().requires_grad_(requires_grad)


class _Multithreading(threading.local):
    enabled = True


_multithreading = _Multithreading()


def is_multithreading_enabled() -> bool:
    """Whether backward may run on worker threads (True unless turned off; the backward
    pass here always runs on the calling thread).

    >>> tg.autograd.is_multithreading_enabled()
    True
    """
    return _multithreading.enabled


class set_multithreading_enabled(DecoratorContextManager):  # noqa: N801  (PyTorch's name)
    """Turn multithreaded backward on or off in this thread, at once or for a ``with``
    block (a flag here: backward always runs on the calling thread).

    >>> with tg.autograd.set_multithreading_enabled(False):
    ...     tg.autograd.is_multithreading_enabled()
    False
    """

    def __init__(self, mode: bool) -> None:
        self.prev = _multithreading.enabled
        _multithreading.enabled = mode
        self.mode = mode

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        _multithreading.enabled = self.prev

    def clone(self) -> set_multithreading_enabled:
        """A copy of this context manager (for its use as a decorator)."""
        return self.__class__(self.mode)
