"""Views described by sizes and strides (``as_strided``), and views written into a copy
(``diagonal_scatter``, ``select_scatter``, ``slice_scatter``, ``as_strided_scatter``).

A tensor's elements live in a *storage*: one run of memory, which its views share. A
tensor is a window on it: a storage offset, and for each dim a size and a stride (how
many elements apart its neighbours are). ``x.as_strided(size, stride, offset)`` is any
such window on ``x``'s storage -- so on elements ``x`` itself may not show:

    >>> b = tg.arange(6.0)
    >>> b[2:].as_strided((3,), (2,), 0)  # from the start of the storage, every other one
    tensor([0., 2., 4.])

Its gradient goes back into the storage's layout (PyTorch's ``as_strided_backward``): the
output's gradient is added up at each storage place it read (a place read twice gets
both), and the input takes what lies at *its* places. An element it does not show gets
nothing, and when the input shows one place several times (an expanded tensor) each copy
gets an equal share.

Each ``*_scatter`` is the inverse of a view: a copy of the input with the view's elements
replaced by ``src``. The kept elements pass their gradient to the input, the replaced ones
to ``src`` (the view of the gradient). As PyTorch's, the copy keeps the input's layout:
its whole storage is copied, and the result shows it as the input did (``stride()`` and
``storage_offset()`` agree).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..parity.grad_fn_names import labelled
from ..tensor_base import TensorBase, _int, _norm_axis, _shape_arg, _type
from . import dual
from .dual import _Op
from .inspection import _storage_root
from .movement import _ALL_SLICE, check_int, diagonal_dims
from .views import AddAt, TakeAt, _add_at, change_view

if TYPE_CHECKING:
    from ..tensor import Tensor


# ---------------------------------------------------------------------------- storage
def storage(a: np.ndarray) -> tuple[np.ndarray, int]:
    """The storage ``a`` lies in, as a 1-D array of ``a``'s dtype sharing its memory, and
    ``a``'s offset in it (in elements)."""
    root = _storage_root(a)
    item = a.itemsize
    flat = np.lib.stride_tricks.as_strided(root, (root.nbytes // root.itemsize,),
                                           (root.itemsize,))
    if root.dtype != a.dtype:  # (a tensor viewed as another dtype: view(dtype))
        flat = flat.view(np.uint8)[:root.nbytes // item * item].view(a.dtype)
    start = a.__array_interface__["data"][0] - root.__array_interface__["data"][0]
    return flat, start // item


def element_strides(a: np.ndarray) -> tuple[int, ...]:
    """``a``'s strides in elements (numpy counts bytes)."""
    return tuple(s // a.itemsize for s in a.strides)


def window(flat: np.ndarray, size: tuple[int, ...], stride: tuple[int, ...],
           offset: int) -> np.ndarray:
    """The view of the storage ``flat`` with these sizes, strides and offset (elements)."""
    start = flat[min(offset, flat.size):]
    return np.lib.stride_tricks.as_strided(start, size, [s * flat.itemsize for s in stride])


def _places(size: tuple[int, ...], stride: tuple[int, ...], offset: int) -> np.ndarray:
    """The storage place of each element of a window (an int64 array of its shape)."""
    out = np.full(size, offset, np.int64)
    for axis, (n, s) in enumerate(zip(size, stride)):
        shape = [1] * len(size)
        shape[axis] = n
        out += (np.arange(n, dtype=np.int64) * s).reshape(shape)
    return out


def clone_preserve_strides(a: np.ndarray) -> np.ndarray:
    """A copy of ``a`` that keeps its layout: its whole storage copied, shown with ``a``'s
    strides and offset (PyTorch's ``clone_preserve_strides``, which its ``*_scatter`` ops
    start from). An ``a`` that shows an element twice (expanded) is copied contiguous."""
    if a.size == 0 or any(s <= 0 and n > 1 for n, s in zip(a.shape, a.strides)):
        return a.copy()
    flat, offset = storage(a)
    return window(flat.copy(), a.shape, element_strides(a), offset)


def check_window(size: tuple[int, ...], stride: tuple[int, ...], offset: int,
                 itemsize: int, storage_size: int) -> None:
    """PyTorch's errors for a window that does not fit in a storage of ``storage_size``."""
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, "
                           f"got strides: {list(stride)}")
    if any(n < 0 for n in size):
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(size)} and "
                           f"strides={list(stride)}")
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    if 0 in size:
        return
    need = offset + 1 + sum((n - 1) * s for n, s in zip(size, stride))
    if need > storage_size:
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage "
                           f"offset {offset}, and itemsize {itemsize} requiring a storage size "
                           f"of {need * itemsize} are out of bounds for storage of size "
                           f"{storage_size * itemsize}")


# ---------------------------------------------------------------------------- the ops
class AsStrided(_Op):
    """``x.as_strided(size, stride, offset)``: the window of x's storage with these sizes,
    strides and offset (see the module's docstring), a view. ``inputs``, ``output``: the
    windows (size, stride, offset) of x and of the result, for backward."""

    _grad_fn_name = "AsStridedBackward0"
    ctx_fields = ("inputs", "output")
    _view = True

    @staticmethod
    def forward(ctx: Any, x: Any, size: tuple[int, ...], stride: tuple[int, ...],
                offset: int) -> Any:
        flat, start = storage(x)
        ctx.inputs = (x.shape, element_strides(x), start)
        ctx.output = (size, stride, offset)
        return window(flat, size, stride, offset)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (shape, steps, start), (size, stride, offset) = ctx.inputs, ctx.output
        low = min(start, offset)  # (places counted from the first one either window uses)
        mine, read = _places(shape, steps, start - low), _places(size, stride, offset - low)
        n = int(max(mine.max(initial=-1), read.max(initial=-1))) + 1
        # chain rule: each storage place gets the gradients of every element read there
        if dual._is_array(grad):
            g = _add_at((n,), read, grad)[mine]
        else:
            g = TakeAt.apply(AddAt.apply(grad, (n,), read), mine)
        count = np.bincount(mine.reshape(-1), minlength=n)[mine]
        if count.size and count.max() > 1:  # x shows a place several times: equal shares
            g = g / dual.constant(count.astype(dual.array(g).dtype), g)
        return g, None, None, None


# ``x.as_strided_(...)``: the same op, x taking the result's place (PyTorch's label)
AsStridedInplace = labelled(AsStrided, "AsStridedBackward1")


class SliceScatter(_Op):
    """``x.slice_scatter(src, dim, start, end, step)`` (and ``select_scatter``): a copy of
    x with ``src`` written into its view ``x[index]`` (``index`` a numpy basic index). The
    written elements pass no gradient to x; src gets the gradient's view."""

    _grad_fn_name = "SliceScatterBackward0"
    ctx_fields = ("index",)

    @staticmethod
    def forward(ctx: Any, x: Any, src: Any, index: tuple[Any, ...]) -> Any:
        ctx.index = index
        out = clone_preserve_strides(x)
        out[index] = src
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        index = ctx.index
        if dual._is_array(grad):
            grad_x = np.array(grad)
            grad_x[index] = 0
            return grad_x, grad[index], None
        part = grad[index]
        return SliceScatter.apply(grad, dual.zeros_like(part), index), part, None


SelectScatter = labelled(SliceScatter, "SelectScatterBackward0")


class DiagonalScatter(_Op):
    """``x.diagonal_scatter(src, offset, dim1, dim2)``: a copy of x with ``src`` written
    on its diagonal ``x.diagonal(offset, dim1, dim2)``; as ``SliceScatter`` otherwise."""

    _grad_fn_name = "DiagonalScatterBackward0"
    ctx_fields = ("offset", "dim1", "dim2")

    @staticmethod
    def forward(ctx: Any, x: Any, src: Any, offset: int, dim1: int, dim2: int) -> Any:
        ctx.offset, ctx.dim1, ctx.dim2 = offset, dim1, dim2
        out = clone_preserve_strides(x)
        _diagonal_of(out, offset, dim1, dim2)[...] = src
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        offset, dim1, dim2 = ctx.offset, ctx.dim1, ctx.dim2
        if dual._is_array(grad):
            grad_x = np.array(grad)
            _diagonal_of(grad_x, offset, dim1, dim2)[...] = 0
            return grad_x, np.diagonal(grad, offset, dim1, dim2), None, None, None
        part = grad.diagonal(offset, dim1, dim2)
        return (DiagonalScatter.apply(grad, dual.zeros_like(part), offset, dim1, dim2), part,
                None, None, None)


def _diagonal_of(a: np.ndarray, offset: int, dim1: int, dim2: int) -> np.ndarray:
    """The writable view of ``a``'s diagonal (numpy's is read-only)."""
    d = np.diagonal(a, offset, dim1, dim2)
    d.setflags(write=True)
    return d


class AsStridedScatter(_Op):
    """``x.as_strided_scatter(src, size, stride, offset)``: a copy of x (its storage
    copied) with ``src`` written into the window of that storage. ``read``: for each
    element of the window, the element of x at its place (-1: one x does not show)."""

    _grad_fn_name = "AsStridedScatterBackward0"
    ctx_fields = ("read",)

    @staticmethod
    def forward(ctx: Any, x: Any, src: Any, size: tuple[int, ...], stride: tuple[int, ...],
                offset: int) -> Any:
        out = clone_preserve_strides(x)
        flat, start = storage(out)
        window(flat, size, stride, offset)[...] = src
        where = np.full(flat.size, -1, np.int64)  # storage place -> element of x there
        where[_places(out.shape, element_strides(out), start).reshape(-1)] = np.arange(out.size)
        ctx.read = where[_places(size, stride, offset)]
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        read = ctx.read
        shown = read >= 0
        at = np.where(shown, read, 0)
        kept = np.ones(grad.shape, bool)  # the elements of x not written over
        kept.reshape(-1)[read[shown]] = False
        grad_src = dual.keep_where(TakeAt.apply(grad, at) if not dual._is_array(grad) else
                                   np.ascontiguousarray(grad).reshape(-1)[at], shown)
        return dual.keep_where(grad, kept), grad_src, None, None, None


# ---------------------------------------------------------------------------- argument checks
def _ints(value: Any, fn: str, arg: str, position: int) -> tuple[int, ...]:
    if not isinstance(value, (tuple, list)) and not (isinstance(value, TensorBase)
                                                     and value.ndim == 1):
        raise TypeError(f"{fn}(): argument '{arg}' (position {position}) must be tuple of "
                        f"ints, not {_type(value).__name__}")
    return _shape_arg((tuple(value),), fn)


def _check_src(src: Any, fn: str, region: tuple[int, ...]) -> None:
    if not isinstance(src, TensorBase):
        raise TypeError(f"{fn}(): argument 'src' (position 1) must be Tensor, not "
                        f"{_type(src).__name__}")
    if tuple(src._data.shape) != tuple(region):
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size "
                           f"= {list(src._data.shape)}, slice size = {list(region)}")


# ------------------------------------------------------------------ the Tensor methods
class StridedMethods(TensorBase):
    """``as_strided``, ``as_strided_``, ``as_strided_scatter``, ``diagonal_scatter``,
    ``select_scatter``, ``slice_scatter``."""

    __slots__ = ()

    def _window(self, fn: str, size: Any, stride: Any,
                storage_offset: Any) -> tuple[tuple[int, ...], tuple[int, ...], int]:
        shape, steps = _ints(size, fn, "size", 1), _ints(stride, fn, "stride", 2)
        if storage_offset is not None:
            check_int(storage_offset, fn, "storage_offset", 3)
        flat, start = storage(self._data)
        offset = start if storage_offset is None else _int(storage_offset)
        check_window(shape, steps, offset, self._data.itemsize, flat.size)
        return shape, steps, offset

    def as_strided(self, size: Sequence[_int], stride: Sequence[_int],
                   storage_offset: _int | None = None) -> Tensor:
        """The view of this tensor's storage with sizes ``size``, strides ``stride`` (in
        elements) and offset ``storage_offset`` (this tensor's own by default). Windows
        may overlap: a convolution's patches (im2col) are one view of the image.

        >>> tg.arange(4.0).as_strided((3, 2), (1, 1))
        tensor([[0., 1.],
                [1., 2.],
                [2., 3.]])
        """
        return AsStrided.apply(self, *self._window("as_strided", size, stride, storage_offset))

    def as_strided_(self, size: Sequence[_int], stride: Sequence[_int],
                    storage_offset: _int | None = None) -> Tensor:
        """In place: this tensor becomes ``self.as_strided(size, stride, storage_offset)``
        (the same storage, seen through the new window).

        >>> x = tg.arange(4.0)
        >>> x.as_strided_((2,), (2,)) is x, x
        (True, tensor([0., 2.]))
        """
        window_ = self._window("as_strided_", size, stride, storage_offset)
        return change_view(self, AsStridedInplace, *window_)  # type: ignore[arg-type]

    def as_strided_scatter(self, src: Tensor, size: Sequence[_int], stride: Sequence[_int],
                           storage_offset: _int | None = None) -> Tensor:
        """A copy of this tensor (its storage copied, its layout kept) with ``src`` written
        into the window ``as_strided(size, stride, storage_offset)`` of the copy.

        >>> tg.zeros(4).as_strided_scatter(tg.ones(2), (2,), (2,))
        tensor([1., 0., 1., 0.])
        """
        shape, steps, offset = self._window("as_strided_scatter", size, stride, storage_offset)
        _check_src(src, "as_strided_scatter", shape)
        if any(s == 0 and n > 1 for n, s in zip(shape, steps)):
            raise RuntimeError("unsupported operation: more than one element of the written-to "
                               "tensor refers to a single memory location. Please clone() the "
                               "tensor before performing the operation.")
        return AsStridedScatter.apply(self, src, shape, steps, offset)

    def diagonal_scatter(self, src: Tensor, offset: _int = 0, dim1: _int = 0,
                         dim2: _int = 1) -> Tensor:
        """A copy of this tensor with ``src`` on its diagonal ``diagonal(offset, dim1,
        dim2)``.

        >>> tg.zeros(2, 2).diagonal_scatter(tg.tensor([1.0, 2.0]))
        tensor([[1., 0.],
                [0., 2.]])
        """
        for value, name, position in ((offset, "offset", 2), (dim1, "dim1", 3), (dim2, "dim2", 4)):
            check_int(value, "diagonal_scatter", name, position)
        d1, d2 = diagonal_dims(self._data.ndim, dim1, dim2)
        region = np.diagonal(self._data, _int(offset), d1, d2).shape
        _check_src(src, "diagonal_scatter", region)
        return DiagonalScatter.apply(self, src, _int(offset), d1, d2)

    def select_scatter(self, src: Tensor, dim: _int, index: _int) -> Tensor:
        """A copy of this tensor with ``src`` written into ``select(dim, index)``.

        >>> tg.zeros(2, 2).select_scatter(tg.tensor([1.0, 2.0]), 0, 1)
        tensor([[0., 0.],
                [1., 2.]])
        """
        region = self.detach().select(dim, index)  # (its errors; ``dim``, ``index`` now in range)
        axis = _norm_axis(dim, self._data.ndim)
        where = (_ALL_SLICE,) * axis + (_int(index) % self._data.shape[axis], Ellipsis)
        _check_src(src, "select_scatter", region._data.shape)
        return SelectScatter.apply(self, src, where)

    def slice_scatter(self, src: Tensor, dim: _int = 0, start: _int | None = None,
                      end: _int | None = None, step: _int = 1) -> Tensor:
        """A copy of this tensor with ``src`` written into the slice ``start:end:step``
        along ``dim``.

        >>> tg.zeros(4).slice_scatter(tg.ones(2), start=1, end=3)
        tensor([0., 1., 1., 0.])
        """
        if step <= 0:
            raise RuntimeError("slice step must be positive")
        axis = _norm_axis(dim, self._data.ndim)
        n = self._data.shape[axis] if self._data.ndim else 1
        first, last, _ = slice(start, end, step).indices(n)
        where = (_ALL_SLICE,) * axis + (slice(first, max(first, last), _int(step)), Ellipsis)
        _check_src(src, "slice_scatter", self._data.reshape(self._data.shape or (1,))[where].shape)
        return SliceScatter.apply(self, src, where)
