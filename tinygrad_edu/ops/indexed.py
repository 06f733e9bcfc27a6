"""Elements read or written at an index or under a mask: ``take``, ``take_along_dim``,
``masked_select``, ``masked_scatter``, ``index_add``, ``index_copy``, ``index_fill``,
``index_reduce``, ``put``.

Each read sends its gradient back to the element it read (adding where an element was read
twice); each write passes the gradient of the elements it kept to the input, and that of
the written places to what was written there. The ``check_*`` functions raise PyTorch's
errors, in its order, before any op runs.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, NoReturn

import numpy as np

from ..amp.autocast_mode import autocast_op
from ..parity.grad_fn_names import labelled
from ..parity.names import scalar_type_name
from ..parity.promotion import checked_scalar
from ..tensor_base import TensorBase, _bool, _float, _int, _norm_axis, _type
from . import dual
from . import sorting as SO
from .dual import _Op
from .movement import _ALL_SLICE, dual_index_add, dual_take
from .scatter_reduce import ScatterReduce

if TYPE_CHECKING:
    from ..tensor import Tensor


# ---------------------------------------------------------------------------- the ops
class Take(_Op):
    """``x.take(index)``: the elements of x read as a flat vector, at ``index`` (any
    shape; negative entries count from the end)."""

    _grad_fn_name = "TakeBackward0"
    ctx_fields = ("shape", "index")

    @staticmethod
    def forward(ctx: Any, x: Any, index: np.ndarray) -> Any:
        ctx.shape, ctx.index = x.shape, index
        return x.reshape(-1)[index]

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        shape, index = ctx.shape, ctx.index
        flat = dual_index_add((int(np.prod(shape)),), (index.reshape(-1),),
                              dual.reshape(grad, (-1,)), grad)
        return dual.reshape(flat, shape), None


class MaskedSelect(_Op):
    """``x.masked_select(mask)``: the elements of x (broadcast with the mask to ``shape``)
    where the mask is True, as a vector in row-major order. ``where``: their flat
    positions."""

    _grad_fn_name = "MaskedSelectBackward0"
    ctx_fields = ("shape", "where")

    @staticmethod
    def forward(ctx: Any, x: Any, shape: tuple[int, ...], where: np.ndarray) -> Any:
        ctx.shape, ctx.where = shape, where
        return np.broadcast_to(x, shape).reshape(-1)[where]

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        # each selected element's gradient back to its place (the engine sums the
        # broadcast copies back to x's shape)
        shape, where = ctx.shape, ctx.where
        flat = dual_index_add((int(np.prod(shape)),), (where,), grad, grad)
        return dual.reshape(flat, shape), None, None


class MaskedScatter(_Op):
    """``x.masked_scatter(mask, source)``: x (broadcast with the mask) with the first
    elements of ``source``, in row-major order, written where the mask is True. The kept
    elements pass their gradient to x; the written ones to the source elements they came
    from (the source's other elements get zero)."""

    _grad_fn_name = "MaskedScatterBackward0"
    ctx_fields = ("mask", "source_shape")

    @staticmethod
    def forward(ctx: Any, x: Any, source: Any, mask: np.ndarray) -> Any:
        ctx.mask, ctx.source_shape = mask, source.shape
        out = np.broadcast_to(x, mask.shape).copy()
        where = np.flatnonzero(mask)
        out.reshape(-1)[where] = source.reshape(-1)[:where.size]
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        mask, source_shape = ctx.mask, ctx.source_shape
        grad_x = dual.keep_where(grad, ~mask)
        where = np.flatnonzero(mask)
        written = dual_take(dual.reshape(grad, (-1,)), (where,))
        grad_source = dual_index_add((int(np.prod(source_shape)),), (np.arange(where.size),),
                                     written, grad)
        return grad_x, dual.reshape(grad_source, source_shape), None


class IndexAdd(_Op):
    """``x.index_add(dim, index, source, alpha=a)``: x with ``a * source[i]`` added to the
    slice ``index[i]`` along ``dim`` (repeated indices add up). x's gradient passes as it
    is; source slice i gets ``a`` times the gradient of slice ``index[i]``."""

    _grad_fn_name = "IndexAddBackward0"
    ctx_fields = ("axis", "index", "alpha")

    @staticmethod
    def forward(ctx: Any, x: Any, source: Any, axis: int, index: np.ndarray, alpha: Any) -> Any:
        ctx.axis, ctx.index, ctx.alpha = axis, index, alpha
        out = x.copy()
        scaled = source if alpha == 1 else source * np.asanyarray(alpha, x.dtype)
        np.add.at(out.reshape(out.shape or (1,)), (_ALL_SLICE,) * axis + (index,),
                  scaled.reshape(scaled.shape or (1,)))
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        axis, index, alpha = ctx.axis, ctx.index, ctx.alpha
        grad_source = _slices(grad, axis, index)
        if alpha != 1:
            grad_source = grad_source * alpha
        return grad, grad_source, None, None, None


class IndexCopy(_Op):
    """``x.index_copy(dim, index, source)``: x with its slice ``index[i]`` along ``dim``
    replaced by ``source[i]`` (a repeated index: the last copy stays). The replaced slices
    pass no gradient to x; source slice i gets the gradient of slice ``index[i]``."""

    _grad_fn_name = "IndexCopyBackward0"
    ctx_fields = ("axis", "index")

    @staticmethod
    def forward(ctx: Any, x: Any, source: Any, axis: int, index: np.ndarray) -> Any:
        ctx.axis, ctx.index = axis, index
        out = x.copy()
        out.reshape(out.shape or (1,))[(_ALL_SLICE,) * axis + (index,)] = source.reshape(
            source.shape or (1,))
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        axis, index = ctx.axis, ctx.index
        return (_filled(grad, axis, index), _slices(grad, axis, index), None, None)


class IndexFill(_Op):
    """``x.index_fill(dim, index, value)``: x with the slices ``index`` along ``dim`` set
    to the number ``value``; they pass no gradient back."""

    _grad_fn_name = "IndexFillBackward0"
    ctx_fields = ("axis", "index")

    @staticmethod
    def forward(ctx: Any, x: Any, value: Any, axis: int, index: np.ndarray) -> Any:
        ctx.axis, ctx.index = axis, index
        out = x.copy()
        out.reshape(out.shape or (1,))[(_ALL_SLICE,) * axis + (index,)] = value
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return _filled(grad, ctx.axis, ctx.index), None, None, None


class IndexFillTensor(IndexFill):
    """``x.index_fill(dim, index, value)`` with a 0-d tensor ``value``, which gets the sum
    of the gradients of the places it filled (each counted once, however often the index
    repeats it)."""

    _grad_fn_name = "IndexFillBackward1"

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        axis, index = ctx.axis, ctx.index
        grad_value = dual.sum(_slices(grad, axis, np.unique(index)))
        return _filled(grad, axis, index), grad_value, None, None


class Put(_Op):
    """``x.put(index, source, accumulate)``: x read as a flat vector (row-major), with
    ``source``'s elements written at ``index`` (with ``accumulate``: added there, repeated
    indices adding up). The written places pass no gradient to x (unless added to); each
    source element gets the gradient of its place."""

    _grad_fn_name = "PutBackward0"
    ctx_fields = ("index", "accumulate", "source_shape")

    @staticmethod
    def forward(ctx: Any, x: Any, source: Any, index: np.ndarray, accumulate: bool) -> Any:
        ctx.index, ctx.accumulate, ctx.source_shape = index, accumulate, source.shape
        out = x.copy(order="K")  # (x's layout, as PyTorch's clone)
        grid = out.reshape(1) if not out.ndim else out  # (a 0-d array reshapes as a view)
        at = np.unravel_index(index, grid.shape)
        if accumulate:
            np.add.at(grid, at, source.reshape(-1))
        else:
            grid[at] = source.reshape(-1)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        index, accumulate, source_shape = ctx.index, ctx.accumulate, ctx.source_shape
        grad_source = dual.reshape(dual_take(dual.reshape(grad, (-1,)), (index,)), source_shape)
        if accumulate:
            return grad, grad_source, None, None
        kept = np.ones(grad.shape or (1,), bool)
        kept.reshape(-1)[index] = False
        return dual.keep_where(grad, kept.reshape(grad.shape)), grad_source, None, None


# ``x.index_reduce(dim, index, source, reduce)``: ``scatter_reduce`` with the index spread
# over source's shape along dim (PyTorch's index_reduce_backward is scatter_reduce's,
# index_select for gather)
IndexReduce = labelled(ScatterReduce, "IndexReduceBackward0")
INDEX_REDUCES = ("prod", "mean", "amax", "amin")
_INDEX_REDUCE_WARNED = [False]  # PyTorch warns once per process (TORCH_WARN_ONCE)


def _bool_index_reduce_kernel(ndim: int, reduce: str, include_self: bool) -> None:
    """PyTorch's bool index_reduce: its kernels that start from the reduction's identity
    (include_self=False), divide (mean) or walk a 1-d tensor have no bool version."""
    kernel = ("index_reduce_func_exclude_input_init" if not include_self else
              "index_func_" if ndim <= 1 else "div_floor_cpu" if reduce == "mean" else None)
    if kernel is not None:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _slices(grad: Any, axis: int, index: np.ndarray) -> Any:
    """``grad.index_select(axis, index)`` (a 0-d grad: itself)."""
    return grad if not grad.ndim else SO.index_select(grad, axis, index)


def _filled(grad: Any, axis: int, index: np.ndarray) -> Any:
    """``grad.index_fill(axis, index, 0)``: the gradient with the written slices zeroed."""
    keep = np.ones(grad.shape or (1,), dtype=bool)
    keep[(_ALL_SLICE,) * axis + (index,)] = False
    return dual.keep_where(grad, keep.reshape(grad.shape))


# ---------------------------------------------------------------------------- argument checks
def tensor_arg(value: Any, fn: str, name: str, position: int) -> np.ndarray:
    """The array of a tensor argument (PyTorch's TypeError for anything else)."""
    if not isinstance(value, TensorBase):
        raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be Tensor, not "
                        f"{_type(value).__name__}")
    return value._data


def check_take(x: np.ndarray, index: np.ndarray) -> None:
    """``take``: an int64 index, every entry within [-numel, numel)."""
    if index.dtype != np.int64:
        raise RuntimeError(f"take(): Expected a long tensor for index, but got "
                           f"{scalar_type_name(index.dtype)}")
    if x.size == 0 and index.size:
        raise IndexError("take(): tried to take from an empty tensor")
    bad = index[(index < -x.size) | (index >= x.size)]
    if bad.size:
        raise IndexError(f"out of range: tried to access index {bad.reshape(-1)[0]} on a tensor "
                         f"of {x.size} elements.")


def along_dim_shapes(x: np.ndarray, index: np.ndarray, axis: int) -> tuple[Any, ...]:
    """``take_along_dim``'s shapes: x and the index broadcast together off ``axis``."""
    if index.dtype != np.int64:
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{scalar_type_name(index.dtype)}")
    if x.ndim != index.ndim:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same "
                           f"number of dimensions, but got {x.ndim} dimensions for input, and "
                           f"{index.ndim} dimensions for indices")
    shape = _broadcast_shape(x.shape[:axis] + (index.shape[axis],) + x.shape[axis + 1:],
                             index.shape)
    return shape[:axis] + (x.shape[axis],) + shape[axis + 1:], shape


def _broadcast_shape(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    for d, (m, n) in enumerate(zip(a, b)):
        if m != n and m != 1 and n != 1:
            raise RuntimeError(f"The size of tensor a ({m}) must match the size of tensor b "
                               f"({n}) at non-singleton dimension {d}")
    return tuple(max(m, n) if min(m, n) else 0 for m, n in zip(a, b))


def check_mask(mask: np.ndarray, message: str) -> None:
    if mask.dtype != np.bool_:
        raise RuntimeError(message.format(scalar_type_name(mask.dtype)))


def broadcast_shape(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    """The shape ``a`` and ``b`` broadcast to (PyTorch's error when they do not)."""
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    return _broadcast_shape(a, b)


def check_index_vector(index: np.ndarray, fn: str) -> None:
    """An index of at most one dim, int64 (or int32 too), as each op's messages say."""
    if fn in ("index_add_", "index_reduce_"):
        if index.ndim > 1:
            raise IndexError(f"{fn}(): Index is supposed to be a vector, but got dim: "
                             f"{index.ndim} with type: {scalar_type_name(index.dtype)} and "
                             f"size: {list(index.shape)}")
        if index.dtype not in SO._INDEX_DTYPES:
            raise RuntimeError(f"{fn}(): Expected dtype int32/int64 for index but got: "
                               f"{scalar_type_name(index.dtype)}")
    elif fn == "index_copy_":
        if index.ndim > 1:
            raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got "
                             f"{index.ndim})")
        if index.dtype != np.int64:
            raise RuntimeError(f"index_copy_(): Expected a long tensor for index, but got "
                               f"{scalar_type_name(index.dtype)}")
    else:
        if index.dtype != np.int64:
            raise IndexError("index_fill_(): Expected dtype int64 for index.")
        if index.ndim > 1:
            raise RuntimeError("Index has to be a vector/scalar")


def check_in_range(index: np.ndarray, n: int, axis: int, error: type, prefix: str = "",
                   negative: bool = False) -> None:
    """Every index within [0, n) (within [-n, n) when ``negative`` ones count from the
    end), else PyTorch's ``error`` naming the first one out of range."""
    bad = index[(index < (-n if negative else 0)) | (index >= n)]
    if bad.size:
        raise error(f"{prefix}index {bad[0]} is out of bounds for dimension {axis} with size "
                    f"{n}")


def check_source(x: np.ndarray, source: np.ndarray, axis: int, index: np.ndarray,
                 fn: str) -> None:
    """index_add's and index_copy's source: x's dtype, x's shape off ``axis``, one slice
    per index."""
    n_index = index.size
    src_n = source.shape[axis] if source.ndim else 1
    if fn in ("index_add_", "index_reduce_"):
        if x.dtype != source.dtype:
            raise RuntimeError(f"{fn}(): self ({scalar_type_name(x.dtype)}) and source "
                               f"({scalar_type_name(source.dtype)}) must have the same scalar "
                               f"type")
        if src_n != n_index:
            raise RuntimeError(f"{fn}(): Number of indices ({n_index}) should be equal to "
                               f"source.size(dim): ({src_n}), for dim: {axis}")
        off = (x.shape, source.shape)  # the shapes off ``axis`` (all of them with a 0-d)
        if x.ndim and source.ndim:
            off = (x.shape[:axis] + x.shape[axis + 1:],
                   source.shape[:axis] + source.shape[axis + 1:])
        if off[0] != off[1]:
            raise RuntimeError(f"source tensor shape must match self tensor shape, excluding "
                               f"the specified dimension. Got self.shape = {list(x.shape)} "
                               f"source.shape = {list(source.shape)}")
        return
    if x.dtype != source.dtype:
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, "
                           f"but got (self) {scalar_type_name(x.dtype)} and (source) "
                           f"{scalar_type_name(source.dtype)}")
    if src_n != n_index:
        raise IndexError(f"index_copy_(): Number of indices ({n_index}) should be equal to "
                         f"source.size(dim) ({src_n})")
    others = zip(x.shape[:axis] + x.shape[axis + 1:],
                 source.shape[:axis] + source.shape[axis + 1:])
    for d, (m, s) in enumerate(others):  # (d counts the dims other than ``axis``)
        if m != s:
            raise RuntimeError(f"index_copy_(): Source/destination tensor must have same slice "
                               f"shapes. Destination slice shape: {m} at dimension {d} and "
                               f"source slice shape: {s} at dimension {d}.")


# ------------------------------------------------------------------ the Tensor methods
class IndexedMethods(TensorBase):
    """``take``, ``take_along_dim``, ``masked_select``, ``masked_scatter``, ``index_add``,
    ``index_copy``, ``index_fill``, ``index_reduce``, ``put`` (and their in-place forms)."""

    __slots__ = ()

    def take(self, index: Tensor) -> Tensor:
        """The elements of ``self`` read as a flat vector, at ``index`` (an int64 tensor
        of any shape, which the result has; negative entries count from the end).

        >>> tg.tensor([[1.0, 2.0], [3.0, 4.0]]).take(tg.tensor([0, -1]))
        tensor([1., 4.])
        """
        idx = np.array(tensor_arg(index, "take", "index", 1))
        check_take(self._data, idx)
        return Take.apply(self, idx)

    def take_along_dim(self, indices: Tensor, dim: _int | None = None) -> Tensor:
        """``gather`` with ``self`` and ``indices`` broadcast together off ``dim``
        (``out[i][j] = self[i][indices[i][j]]`` for dim 1); with no dim, along the
        flattened tensor. As PyTorch's, an index past the dim's length wraps round it.

        >>> tg.tensor([[1.0, 2.0], [3.0, 4.0]]).take_along_dim(tg.tensor([[1], [0]]), 1)
        tensor([[2.],
                [3.]])
        """
        idx = np.array(tensor_arg(indices, "take_along_dim", "indices", 1))
        if dim is None:
            flat = self.reshape(-1)
            idx = idx.reshape(-1)
            SO.check_gather(flat._data.shape, 0, idx)
            return SO.Gather.apply(flat, 0, idx)
        axis = _norm_axis(dim, self._data.ndim) if self._data.ndim else _zero_d_dim(dim)
        x_shape, idx_shape = along_dim_shapes(self._data, idx, axis)
        x = self.expand(x_shape)  # (always, as PyTorch records it)
        n = x_shape[axis]
        idx = np.broadcast_to(idx % n if n else idx, idx_shape).copy()
        return SO.Gather.apply(x, axis, idx)

    def masked_select(self, mask: Tensor) -> Tensor:
        """The elements of ``self`` (broadcast with the bool ``mask``) where ``mask`` is
        True, as a vector.

        >>> tg.tensor([1.0, 2.0, 3.0]).masked_select(tg.tensor([True, False, True]))
        tensor([1., 3.])
        """
        m = tensor_arg(mask, "masked_select", "mask", 1)
        check_mask(m, "masked_select: expected BoolTensor for mask")
        shape = broadcast_shape(m.shape, self._data.shape)
        return MaskedSelect.apply(self, shape, np.flatnonzero(np.broadcast_to(m, shape)))

    def masked_scatter(self, mask: Tensor, source: Tensor) -> Tensor:
        """``self`` (broadcast with the bool ``mask``) with the first elements of
        ``source`` (read in row-major order) written where ``mask`` is True.

        >>> tg.zeros(3).masked_scatter(tg.tensor([True, False, True]), tg.tensor([5.0, 6.0]))
        tensor([5., 0., 6.])
        """
        m = tensor_arg(mask, "masked_scatter", "mask", 1)
        src = tensor_arg(source, "masked_scatter", "source", 2)
        if src.dtype != self._data.dtype:
            raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes "
                               f"but got{scalar_type_name(self._data.dtype)} and "
                               f"{scalar_type_name(src.dtype)}")
        check_mask(m, "masked_scatter_ only supports boolean masks, but got mask with dtype {}")
        full = np.broadcast_to(m, broadcast_shape(m.shape, self._data.shape))
        if np.count_nonzero(full) > src.size:
            raise RuntimeError("Number of elements of source < number of ones in mask")
        return MaskedScatter.apply(self, source, full.copy())

    def masked_scatter_(self, mask: Tensor, source: Tensor) -> Tensor:
        """In place: ``self = self.masked_scatter(mask, source)`` (the mask must broadcast
        to ``self``'s shape)."""
        return self._write(lambda t: t.masked_scatter(mask, source), source)

    def _index_args(self, fn: str, dim: _int, index: Any) -> tuple[int, np.ndarray]:
        idx = np.array(tensor_arg(index, fn.rstrip("_"), "index", 2))
        axis = _norm_axis(dim, self._data.ndim)
        check_index_vector(idx, fn)
        return axis, idx.reshape(-1)

    def index_add(self, dim: _int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:
        """``self`` with ``alpha * source[i]`` added to its slice ``index[i]`` along
        ``dim`` (repeated indices add up).

        >>> tg.zeros(3).index_add(0, tg.tensor([0, 0, 2]), tg.tensor([1.0, 2.0, 3.0]))
        tensor([3., 0., 3.])
        """
        axis, idx = self._index_args("index_add_", dim, index)
        src = tensor_arg(source, "index_add", "source", 3)
        check_source(self._data, src, axis, idx, "index_add_")
        n = self._data.shape[axis] if self._data.ndim else 1
        check_in_range(idx, n, axis, RuntimeError)
        # (alpha in the tensor's dtype first: an int tensor truncates a float alpha)
        return IndexAdd.apply(self, source, axis, idx, checked_scalar(alpha, self.dtype))

    def index_add_(self, dim: _int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:
        """In place: ``self = self.index_add(dim, index, source, alpha=alpha)``."""
        return self._write(lambda t: t.index_add(dim, index, source, alpha=alpha), source)

    @autocast_op("index_copy")
    def index_copy(self, dim: _int, index: Tensor, source: Tensor) -> Tensor:
        """``self`` with its slice ``index[i]`` along ``dim`` replaced by ``source[i]``.

        >>> tg.zeros(3).index_copy(0, tg.tensor([2, 0]), tg.tensor([1.0, 2.0]))
        tensor([2., 0., 1.])
        """
        axis, idx = self._index_args("index_copy_", dim, index)
        src = tensor_arg(source, "index_copy", "source", 3)
        check_source(self._data, src, axis, idx, "index_copy_")
        n = self._data.shape[axis] if self._data.ndim else 1
        check_in_range(idx, n, axis, IndexError, "index_copy_(): ")
        return IndexCopy.apply(self, source, axis, idx)

    def index_copy_(self, dim: _int, index: Tensor, source: Tensor) -> Tensor:
        """In place: ``self = self.index_copy(dim, index, source)``."""
        return self._write(lambda t: t.index_copy(dim, index, source), source)

    def index_fill(self, dim: _int, index: Tensor, value: Any) -> Tensor:
        """``self`` with the slices ``index`` along ``dim`` set to ``value`` (a number or
        a 0-d tensor; negative indices count from the end).

        >>> tg.zeros(2, 2).index_fill(1, tg.tensor([1]), 5.0)
        tensor([[0., 5.],
                [0., 5.]])
        """
        axis, idx = self._index_args("index_fill_", dim, index)
        if isinstance(value, TensorBase) and value._data.ndim:
            raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but "
                               f"got tensor with {value._data.ndim} dimension(s).")
        if not isinstance(value, (TensorBase, _float, _int, np.number)):
            raise TypeError(f"index_fill(): argument 'value' (position 3) must be Number, not "
                            f"{_type(value).__name__}")
        n = self._data.shape[axis] if self._data.ndim else 1
        check_in_range(idx, n, axis, IndexError, negative=True)
        if isinstance(value, TensorBase):
            return IndexFillTensor.apply(self, value.to(self.dtype), axis, idx)
        return IndexFill.apply(self, _fill_value(value, self._data.dtype), axis, idx)

    def index_fill_(self, dim: _int, index: Tensor, value: Any) -> Tensor:
        """In place: ``self = self.index_fill(dim, index, value)``."""
        return self._write(lambda t: t.index_fill(dim, index, value), value)

    def index_reduce(self, dim: _int, index: Tensor, source: Tensor, reduce: str, *,
                     include_self: _bool = True) -> Tensor:
        """``self`` with each slice ``source[i]`` along ``dim`` combined into its slice
        ``index[i]`` by ``reduce``: "prod", "mean" (ints round down), "amax" or "amin".
        With ``include_self=False`` the slices that receive any reduce those only.

        >>> x = tg.tensor([1.0, 2.0, 3.0])
        >>> x.index_reduce(0, tg.tensor([0, 0, 2]), tg.tensor([5.0, 6.0, 7.0]), "amax")
        tensor([6., 2., 7.])
        """
        idx = np.array(tensor_arg(index, "index_reduce", "index", 2))
        src = tensor_arg(source, "index_reduce", "source", 3)
        if reduce not in INDEX_REDUCES:
            raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax "
                               f"or amin but got {reduce}.")
        axis = _norm_axis(dim, self._data.ndim)
        check_index_vector(idx, "index_reduce_")
        idx = idx.reshape(-1)
        check_source(self._data, src, axis, idx, "index_reduce_")
        if self._data.dtype == np.bool_:
            _bool_index_reduce_kernel(self._data.ndim, reduce, include_self)
        n = self._data.shape[axis] if self._data.ndim else 1
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            raise IndexError("index out of range in self")
        if not _INDEX_REDUCE_WARNED[0]:
            _INDEX_REDUCE_WARNED[0] = True
            warnings.warn("index_reduce() is in beta and the API may change at any time.",
                          UserWarning, stacklevel=2)
        # the index of each source element: index[i] all over slice i
        along = [1] * src.ndim
        if src.ndim:
            along[axis] = idx.size
        spread = np.broadcast_to(idx.reshape(along), src.shape).astype(np.int64)
        return IndexReduce.apply(self, source, axis, spread, reduce, include_self)

    def index_reduce_(self, dim: _int, index: Tensor, source: Tensor, reduce: str, *,
                      include_self: _bool = True) -> Tensor:
        """In place: ``self = self.index_reduce(dim, index, source, reduce, ...)``."""
        return self._write(lambda t: t.index_reduce(dim, index, source, reduce,
                                                    include_self=include_self), source)

    def put(self, index: Tensor, source: Tensor, accumulate: _bool = False) -> Tensor:
        """``self`` read as a flat vector (row-major), with the elements of ``source``
        written at ``index`` (negative entries count from the end); with ``accumulate``,
        added there (repeated indices add up).

        >>> tg.zeros(2, 2).put(tg.tensor([0, 3]), tg.tensor([1.0, 2.0]))
        tensor([[1., 0.],
                [0., 2.]])
        """
        idx = np.array(tensor_arg(index, "put", "index", 1))
        src = tensor_arg(source, "put", "source", 2)
        if idx.dtype != np.int64:
            raise RuntimeError(f"put_(): Expected a long tensor for index, but got "
                               f"{scalar_type_name(idx.dtype)}")
        if src.dtype != self._data.dtype:
            raise RuntimeError(f"put_(): self and source expected to have the same dtype, but "
                               f"got self.dtype = {scalar_type_name(self._data.dtype)} and "
                               f"source.dtype = {scalar_type_name(src.dtype)}")
        if idx.size != src.size:
            raise IndexError(f"put_(): Expected source and index to have the same number of "
                             f"elements, but got source.numel() = {src.size}, index.numel() = "
                             f"{idx.size}")
        if self._data.size == 0 and idx.size:
            raise IndexError("put_(): Tried to put elements into an empty tensor")
        check_take(self._data, idx)  # (the same range, and message, as take's)
        n = max(self._data.size, 1)
        return Put.apply(self, source, idx.reshape(-1) % n, _bool(accumulate))

    def put_(self, index: Tensor, source: Tensor, accumulate: _bool = False) -> Tensor:
        """In place: ``self = self.put(index, source, accumulate)``."""
        return self._write(lambda t: t.put(index, source, accumulate), source)


def _fill_value(value: Any, dtype: np.dtype) -> Any:
    """A number as ``dtype`` (a float into an int tensor truncates, as PyTorch)."""
    return np.asanyarray(_bool(value) if dtype == np.bool_ else value).astype(dtype)


def _zero_d_dim(dim: Any) -> NoReturn:
    raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
