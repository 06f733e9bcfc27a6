"""``Parameter`` (a Tensor a Module learns) and ``Buffer`` (a Tensor it keeps but does not
learn), as ``torch.nn.Parameter`` / ``torch.nn.Buffer``."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.function import shared_version
from ..tensor import Tensor, _wrap


class Parameter(Tensor):
    """A Tensor that is a module's learnable weight.

    Assigning a ``Parameter`` to a ``Module`` attribute registers it: it then appears in
    ``module.parameters()`` and ``module.state_dict()``. It shares storage with ``data``
    and requires grad unless told otherwise.

    >>> w = nn.Parameter(tg.zeros(2))
    >>> w
    Parameter containing:
    tensor([0., 0.], requires_grad=True)
    """

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> Parameter:
        if data is None:
            data = Tensor(np.empty(0, dtype=np.float32))
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter() expected a Tensor as data, got {type(data).__name__}")
        t = object.__new__(cls)
        t._data = data._data  # shares storage, as torch
        t._requires_grad = False
        t._grad_fn = None
        t._base = None
        t._grad = None
        t._vc = shared_version(data)
        t.requires_grad_(requires_grad)
        return t

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        pass  # everything is done in __new__ (Tensor.__init__ would copy the data)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (_rebuild_parameter, (self._data, self._requires_grad))


def _rebuild_parameter(data: np.ndarray, requires_grad: bool) -> Parameter:
    return Parameter(_wrap(data), requires_grad)


class Buffer(Tensor):
    """Marks a Tensor to be registered as a module buffer when assigned to an attribute
    (``self.running_mean = nn.Buffer(tg.zeros(3))``): saved in the state_dict (unless
    ``persistent=False``), never learned.

    >>> nn.Buffer(tg.zeros(2)).persistent
    True
    """

    persistent: bool

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True) -> Buffer:
        if data is None:
            data = Tensor(np.empty(0, dtype=np.float32))
        t = object.__new__(cls)
        t._data = data._data
        t._requires_grad = data._requires_grad
        t._grad_fn = None
        t._base = None
        t._grad = None
        t._vc = shared_version(data)
        t.persistent = persistent
        return t

    def __init__(self, data: Tensor | None = None, *, persistent: bool = True) -> None:
        pass
