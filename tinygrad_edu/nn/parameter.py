"""``Parameter`` (a Tensor a Module learns) and ``Buffer`` (a Tensor it keeps but does not
learn), as ``torch.nn.Parameter`` / ``torch.nn.Buffer``."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
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


class _Uninitialized:
    """What ``UninitializedParameter`` and ``UninitializedBuffer`` share: no data yet (an
    empty array of their dtype) until ``materialize(shape)``, which gives them that shape
    (uninitialized memory: the module then draws its values) and makes them a plain
    ``Parameter`` / ``Tensor``, the same object."""

    __slots__ = ()  # (no fields of its own: the object can change class in place)
    cls_to_become: type

    def materialize(self, shape: Any, device: Any = None, dtype: Any = None) -> None:
        """Make the data, of ``shape`` (and ``dtype``, else the one given at creation)."""
        tensor: Any = self  # (a Parameter or a Tensor: the mixin's own fields are none)
        dt = tensor._data.dtype if dtype is None else dtypes.to_dtype(dtype).np
        tensor._data = np.empty((shape,) if isinstance(shape, int) else tuple(shape), dt)
        tensor.__class__ = self.cls_to_become

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


def _empty_of(dtype: Any) -> Tensor:
    dt = dtypes.get_default_dtype() if dtype is None else dtypes.to_dtype(dtype)
    return _wrap(np.empty(0, dtype=dt.np))


class UninitializedParameter(_Uninitialized, Parameter):
    """A parameter of a lazy module before its first forward (``nn.LazyLinear``): its
    shape is not known yet. ``materialize(shape)`` makes it a ``Parameter``.

    >>> nn.parameter.UninitializedParameter()
    <UninitializedParameter>
    """

    cls_to_become = Parameter

    def __new__(cls, requires_grad: bool = True, device: Any = None,
                dtype: Any = None) -> UninitializedParameter:
        return super().__new__(cls, _empty_of(dtype), requires_grad)  # type: ignore[return-value]

    def __init__(self, requires_grad: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        pass


class UninitializedBuffer(_Uninitialized, Tensor):
    """A buffer of a lazy module before its first forward (``nn.LazyBatchNorm2d``'s
    running statistics). ``materialize(shape)`` makes it a ``Tensor``. (``persistent``
    is taken for PyTorch's signature: the module it is registered in decides.)

    >>> nn.parameter.UninitializedBuffer()
    <UninitializedBuffer>
    """

    __slots__ = ()
    cls_to_become = Tensor

    def __init__(self, requires_grad: bool = False, device: Any = None,
                 dtype: Any = None, persistent: bool = True) -> None:
        super().__init__(_empty_of(dtype))
        self._data = _empty_of(dtype)._data  # (Tensor() would make it the default dtype)
        self.requires_grad_(requires_grad)
