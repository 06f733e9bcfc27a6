"""Conversions of a Tensor: Python numbers and lists, numpy arrays, dtypes, new tensors
of the same dtype, printing, copying and pickling."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _device, creation, dtypes
from ..core import function as _function
from ..core.function import _wrap
from ..dtypes import DType
from ..parity.names import tensor_type_name
from ..parity.repr import tensor_repr
from ..tensor_base import Size, TensorBase, _bool, _float, _int, _shape_arg
from . import movement as V
from .dual import _Op
from .movement import _several_views

if TYPE_CHECKING:
    from ..tensor import Tensor


class Cast(_Op):
    """Change the dtype; the engine casts the gradient back to the input's dtype."""

    _grad_fn_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, dtype: np.dtype) -> Any:
        return x.astype(dtype)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return grad, None


class Clone(_Op):
    _grad_fn_name = "CloneBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return x.copy()

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return grad


def _rebuild(data: np.ndarray, requires_grad: _bool) -> Tensor:
    return _wrap(data, requires_grad)


class ConversionMethods(TensorBase):
    """The Tensor's conversions: to Python and numpy values, dtypes (``to``, ``float``...),
    ``new_*`` tensors, ``clone``, printing and copying."""

    __slots__ = ()

    # ------------------------------------------------------------------ conversion
    def item(self) -> Any:
        """The single value of a one-element tensor, as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return self._data.item() if self._data.ndim == 0 else self._data.reshape(()).item()

    def tolist(self) -> Any:
        """The values as (nested) Python lists of numbers."""
        return self._data.tolist()

    def numpy(self, force: _bool = False) -> np.ndarray:
        """The ndarray behind this tensor (shared memory, not a copy)."""
        if self._requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead. Hint: numpy cannot carry gradients; for a single number (a loss to "
                "print) use .item()."
            )
        return self._data

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        array = self.numpy()
        if dtype is not None and array.dtype != dtype:
            return array.astype(dtype)
        return array.copy() if copy else array

    def __array_wrap__(self, array: np.ndarray, context: Any = None,
                       return_scalar: _bool = False) -> Tensor:
        """numpy's ufuncs applied to tensors give tensors, as with PyTorch (``np.exp(x)``,
        and ``x + ndarray``, which numpy computes with its own promotion); a bool result
        becomes uint8, as PyTorch's ``__array_wrap__`` makes it."""
        if array.dtype == np.bool_:
            array = array.astype(np.uint8)
        dtypes.from_numpy(array.dtype)  # a TypeError for dtypes a tensor cannot hold
        return _wrap(np.asanyarray(array))

    def __len__(self) -> _int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        n = self._data.shape[0]  # (unbind(0), without its checks: a loop may run it a lot)
        out = [V.Unbind.apply(self, i) for i in range(n)]
        _several_views(out, "Unbind")
        return iter(out)

    def __bool__(self) -> _bool:
        if self._data.size != 1:
            amount = "no values" if self._data.size == 0 else "more than one value"
            raise RuntimeError(f"Boolean value of Tensor with {amount} is ambiguous")
        return bool(self._data)

    def __float__(self) -> _float:
        self._check_one_element()
        return float(self.item())

    def __int__(self) -> _int:
        self._check_one_element()
        return int(self.item())

    def _check_one_element(self) -> None:
        if self._data.size != 1:  # a ValueError here, as in PyTorch (item() raises RuntimeError)
            raise ValueError("only one element tensors can be converted to Python scalars "
                             f"(this one has shape {list(self._data.shape)})")

    def __index__(self) -> _int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return int(self.item())

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return format(self.item(), spec)
        if spec:  # as in PyTorch: only 0-d tensors take a format spec
            raise TypeError("unsupported format string passed to Tensor.__format__ (only 0-d "
                            "tensors can be formatted; use t.item() or t.tolist())")
        return repr(self)

    def __repr__(self) -> str:
        return tensor_repr(self)

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (_rebuild, (self._data, self._requires_grad))

    def __deepcopy__(self, memo: dict[_int, Any]) -> Tensor:
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment.")
        t = object.__new__(type(self))
        t._data = self._data.copy()
        t._requires_grad = self._requires_grad
        t._grad_fn = None
        t._grad = None if self._grad is None else self._grad.clone()
        t._vc = _function.UNWRITTEN
        t._base = None
        if hasattr(self, "__dict__"):
            t.__dict__.update(copy.deepcopy(self.__dict__, memo))
        memo[id(self)] = t
        return t

    # ------------------------------------------------------------------ dtype
    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """Convert dtype: ``to(tg.float64)``, ``to(other)``, ``to(device, dtype)``; with
        ``copy=True`` always a new tensor. PyTorch's overloads, read by ``_device.parse_to``.

        The device must be the CPU (``"cpu"``, ``tg.device("cpu")``); others raise.
        """
        if len(args) == 1 and not kwargs and isinstance(args[0], DType):  # .float(), ...
            dtype, copy = args[0], False
        else:
            dtype, other, copy = _device.parse_to(args, kwargs)
            dtype = other.dtype if other is not None else dtype
        target = self._data.dtype if dtype is None else dtypes.to_dtype(dtype).np
        if target == self._data.dtype and not copy:
            return self
        return Cast.apply(self, target)

    def type(self, dtype: Any = None) -> Any:
        """Without an argument, the type name (``torch.FloatTensor``); else ``to(dtype)``."""
        if dtype is None:
            return tensor_type_name(self._data)
        if isinstance(dtype, str):
            names = {"Float": dtypes.float32, "Double": dtypes.float64, "Long": dtypes.int64,
                     "Int": dtypes.int32, "Bool": dtypes.bool}
            key = dtype.rsplit(".", 1)[-1].replace("Tensor", "")
            return self.to(names[key])
        return self.to(dtype)

    def float(self) -> Tensor:
        """As float32."""
        return self.to(dtypes.float32)

    def double(self) -> Tensor:
        """As float64."""
        return self.to(dtypes.float64)

    def half(self) -> Tensor:
        """As float16."""
        return self.to(dtypes.float16)

    def bfloat16(self) -> Tensor:
        """As bfloat16 (float32's range, 8 bits of precision; stored with ``ml_dtypes``)."""
        return self.to(dtypes._bfloat16())

    def long(self) -> Tensor:
        """As int64."""
        return self.to(dtypes.int64)

    def int(self) -> Tensor:
        """As int32."""
        return self.to(dtypes.int32)

    def short(self) -> Tensor:
        """As int16."""
        return self.to(dtypes.int16)

    def char(self) -> Tensor:
        """As int8 (C's signed char)."""
        return self.to(dtypes.int8)

    def byte(self) -> Tensor:
        """As uint8 (C's unsigned char)."""
        return self.to(dtypes.uint8)

    def bool(self) -> Tensor:
        """As bool."""
        return self.to(dtypes.bool)

    def cpu(self) -> Tensor:
        """This tensor (everything lives on the CPU)."""
        return self

    def cuda(self, device: Any = None, non_blocking: _bool = False,
             memory_format: Any = None) -> Tensor:
        """Raises, as PyTorch without CUDA (an AssertionError): there is no GPU backend."""
        _device.check("cuda")
        return self

    # ------------------------------------------------------------------ new_* (same dtype)
    def _new(self, make: Any, shape: tuple[_int, ...], *fill: Any, dtype: Any, device: Any,
             requires_grad: _bool) -> Tensor:
        """``make(shape, *fill, dtype=...)`` (np.zeros, np.full, ...) in this tensor's dtype,
        or ``dtype``, as a new leaf."""
        _device.check(device)
        np_dtype = self._data.dtype if dtype is None else dtypes.to_dtype(dtype).np
        t = _wrap(make(shape, *fill, dtype=np_dtype))
        return t.requires_grad_(True) if requires_grad else t

    def new_zeros(self, *size: Any, dtype: Any = None, device: Any = None,
                  requires_grad: _bool = False) -> Tensor:
        """Zeros of ``size``, with this tensor's dtype (or ``dtype``)."""
        shape = _shape_arg(size, "new_zeros", create=True)
        return self._new(np.zeros, shape, dtype=dtype, device=device, requires_grad=requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, device: Any = None,
                 requires_grad: _bool = False) -> Tensor:
        """Ones of ``size``, with this tensor's dtype (or ``dtype``)."""
        shape = _shape_arg(size, "new_ones", create=True)
        return self._new(np.ones, shape, dtype=dtype, device=device, requires_grad=requires_grad)

    def new_empty(self, *size: Any, dtype: Any = None, device: Any = None,
                  requires_grad: _bool = False) -> Tensor:
        """An uninitialised tensor of ``size`` (here: zeros), with this tensor's dtype."""
        return self.new_zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)

    def new_empty_strided(self, size: Any, stride: Any, dtype: Any = None, device: Any = None,
                          requires_grad: _bool = False) -> Tensor:
        """An uninitialised tensor of ``size`` (here: zeros) whose elements are ``stride``
        elements apart along each dim (``stride()`` gives it back), in memory of its own.

        >>> tg.ones(1).new_empty_strided((2, 3), (1, 2)).stride()
        (1, 2)
        """
        shape = _shape_arg((size,), "new_empty_strided", create=True)
        steps = _shape_arg((stride,), "new_empty_strided")
        if len(steps) != len(shape):
            raise RuntimeError(f"dimensionality of sizes ({len(shape)}) must match "
                               f"dimensionality of strides ({len(steps)})")
        extent = 0 if 0 in shape else 1 + sum((n - 1) * s for n, s in zip(shape, steps))
        memory = self.new_zeros(extent, dtype=dtype, device=device)._data
        data = np.lib.stride_tricks.as_strided(memory, shape,
                                               [s * memory.itemsize for s in steps])
        t = _wrap(data)
        return t.requires_grad_(True) if requires_grad else t

    def type_as(self, other: Tensor) -> Tensor:
        """``to(other.dtype)``: this tensor itself when the dtypes are equal."""
        return self.to(other.dtype)  # type: ignore[no-any-return]

    def new_full(self, size: Any, fill_value: Any, dtype: Any = None, device: Any = None,
                 requires_grad: _bool = False) -> Tensor:
        """``fill_value`` everywhere in ``size``, with this tensor's dtype (or ``dtype``)."""
        shape = _shape_arg((size,), "new_full", create=True)
        return self._new(np.full, shape, fill_value, dtype=dtype, device=device,
                         requires_grad=requires_grad)

    def new_tensor(self, data: Any, dtype: Any = None, device: Any = None,
                   requires_grad: _bool = False) -> Tensor:
        """A copy of ``data`` with this tensor's dtype (or ``dtype``), outside any graph."""
        values = data.detach()._data if isinstance(data, TensorBase) else data
        return creation.tensor(values, dtype=self.dtype if dtype is None else dtype,
                               device=device, requires_grad=requires_grad)

    def new(self, *args: Any) -> Tensor:
        """PyTorch's legacy constructor in this tensor's dtype: ``t.new(2, 3)`` an
        uninitialized 2x3 (``new_empty``), ``t.new([1, 2])`` those values
        (``new_tensor``), ``t.new()`` an empty one."""
        if len(args) == 1 and not isinstance(args[0], (int, Size)):
            return self.new_tensor(args[0])
        return self.new_empty(*args) if args else self.new_empty(0)

    def clone(self) -> Tensor:
        """A copy with its own storage; gradients flow back to this tensor."""
        return Clone.apply(self)
