"""Sorting and selection along one dim: sort, argsort, topk, gather, index_select.

Each op picks elements of its input at an index array (computed here for sort and topk,
given by the caller for gather and index_select). Backward sends every gradient back to
the element it was picked from, adding where an element was picked more than once
(PyTorch's ``scatter_add`` and ``index_add``). The ``check_*`` functions raise PyTorch's
errors for bad arguments, before any op runs.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ..amp.autocast_mode import autocast_op
from ..core.function import _wrap
from ..dtypes import FLOATING
from ..parity import stl_sort as _stl_sort
from ..parity.errors import not_implemented
from ..parity.grad_fn_names import labelled
from ..tensor_base import TensorBase, _bool, _int, _norm_axis, _type
from . import dual
from .dual import _Op
from .movement import dual_index_add
from .promotion import _data_of

if TYPE_CHECKING:
    from ..tensor import Tensor

_INDEX_DTYPES = (np.dtype(np.int32), np.dtype(np.int64))


# ---------------------------------------------------------------------------- numpy helpers
def argsort(x: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """int64 indices that sort ``x`` along ``axis``, stably: equal values keep their order
    (PyTorch's ``stable=True``, in both directions), NaN counts as the largest value."""
    if x.ndim == 0:
        return np.zeros((), np.int64)
    if not descending:
        return np.argsort(x, axis=axis, kind="stable").astype(np.int64, copy=False)
    # sort the reversed array ascending and read it backwards: the largest (NaN) first, and
    # equal values in their original order (a plain reversal would reverse the ties too)
    up = np.argsort(np.flip(x, axis), axis=axis, kind="stable")
    return (x.shape[axis] - 1 - np.flip(up, axis)).astype(np.int64, copy=False)


def topk_index(x: np.ndarray, axis: int, k: int, largest: bool) -> np.ndarray:
    """The int64 indices of ``x.topk(k, axis, largest)``, in PyTorch's order.

    Distinct values have one order; among equal values (or NaNs) PyTorch's CPU kernel
    takes the order its unstable selection leaves (``std::partial_sort`` or
    ``std::nth_element``): the rows where ties reach the first ``k`` go through that
    very algorithm (``parity.stl_sort``), the others through a stable numpy sort.
    """
    order = argsort(x, axis, largest)
    if x.ndim == 0:
        return order
    top = np.moveaxis(np.take(order, np.arange(k), axis), axis, -1)
    ranked = np.moveaxis(np.take_along_axis(x, np.take(order, np.arange(min(k + 1, x.shape[
        axis])), axis), axis), axis, -1)
    same = (ranked[..., 1:] == ranked[..., :-1])
    if ranked.dtype in FLOATING:
        same |= np.isnan(ranked[..., 1:]) & np.isnan(ranked[..., :-1])
    tied = np.nonzero(same.any(axis=-1).reshape(-1))[0]
    if tied.size:
        rows = np.moveaxis(x, axis, -1).reshape(-1, x.shape[axis])
        flat = top.reshape(-1, k).copy()
        for r in tied:
            flat[r] = _stl_sort.topk_indices(rows[r].tolist(), k, largest)
        top = flat.reshape(top.shape)
    return np.moveaxis(top, -1, axis)


def _along(index: np.ndarray, axis: int) -> tuple[np.ndarray, ...]:
    """The fancy index of ``x[..., index[i, j, k], ...]`` at every position (i, j, k) of
    ``index`` (at least 1-D): what ``torch.gather`` picks. Off ``axis`` the index may be
    smaller than x; its positions are used as they are."""
    grid = list(np.ix_(*(np.arange(n) for n in index.shape)))
    grid[axis] = index
    return tuple(grid)


def _at_least_1d(a: Any) -> np.ndarray:
    a = np.asanyarray(a)
    return a.reshape(a.shape or (1,))


def take_along(x: np.ndarray, axis: int, index: np.ndarray) -> np.ndarray:
    """``torch.gather``: ``out[i][j] = x[index[i][j]][j]`` for axis 0 (a 0-d x or index
    counts as 1-D); the result has the index's shape."""
    return _at_least_1d(x)[_along(_at_least_1d(index), axis)].reshape(index.shape)


def scatter_add(shape: tuple[int, ...], axis: int, index: np.ndarray, values: Any) -> np.ndarray:
    """Zeros of ``shape`` with ``values`` added at the places ``take_along`` reads:
    its adjoint (repeated indices accumulate)."""
    values = np.asanyarray(values)
    out = np.zeros(shape or (1,), values.dtype)
    np.add.at(out, _along(_at_least_1d(index), axis), _at_least_1d(values))
    return out.reshape(shape)


# ---------------------------------------------------------------------------- the ops
def gather(x: Any, axis: int, index: np.ndarray) -> Any:
    """``take_along`` of an array, or the recorded op of a Tensor (double backward)."""
    return take_along(x, axis, index) if dual._is_array(x) else Gather.apply(x, axis, index)


def index_select(x: Any, axis: int, index: np.ndarray) -> Any:
    """``np.take`` of an array, or the recorded op of a Tensor (double backward)."""
    return np.take(x, index, axis=axis) if dual._is_array(x) else IndexSelect.apply(x, axis, index)


def scatter(shape: tuple[int, ...], axis: int, index: np.ndarray, values: Any) -> Any:
    """``scatter_add`` of an array, or the recorded op of a Tensor (double backward)."""
    if dual._is_array(values):
        return scatter_add(shape, axis, index, values)
    return ScatterAdd.apply(np.zeros(shape, values._data.dtype), values, axis, index)


class Gather(_Op):
    """``x.gather(dim, index)``: the elements of x at ``index`` along ``axis``."""

    _grad_fn_name = "GatherBackward0"
    ctx_fields = ("shape", "axis", "index")

    _saves_input = True  # (gather does, as PyTorch; sort and topk keep only the indices)

    @staticmethod
    def forward(ctx: Any, x: Any, axis: int, index: np.ndarray) -> Any:
        ctx.shape, ctx.axis, ctx.index = x.shape, axis, index
        if ctx._function._saves_input:
            ctx.save_for_backward(x)  # (its version is checked at backward, as PyTorch's)
        return take_along(x, axis, index)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        ctx.saved_tensors  # noqa: B018  (the version check of what forward saved)
        shape, axis, index = ctx.shape, ctx.axis, ctx.index
        # each output is one input element: its gradient goes back there, summed over repeats
        return scatter(shape, axis, index, grad), None, None


class Sort(Gather):
    """``x.sort(dim).values``: x gathered at the sorting indices (the caller's argsort)."""

    _grad_fn_name = "SortBackward0"
    _saves_input = False


class TopK(Gather):
    """``x.topk(k, dim).values``: x gathered at the first k sorting indices."""

    _grad_fn_name = "TopkBackward0"
    _saves_input = False


class IndexSelect(_Op):
    """``x.index_select(dim, index)``: whole slices of x along ``axis``, ``index`` a vector."""

    _grad_fn_name = "IndexSelectBackward0"
    ctx_fields = ("shape", "axis", "index")

    @staticmethod
    def forward(ctx: Any, x: Any, axis: int, index: np.ndarray) -> Any:
        ctx.shape, ctx.axis, ctx.index = x.shape, axis, index
        return np.take(x, index, axis=axis) if x.ndim else x.copy()

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        shape, axis, index = ctx.shape, ctx.axis, ctx.index
        if not shape:  # a 0-d x: its one element was picked once
            return grad, None, None
        # slice i goes back to slice index[i]; repeated indices add up (PyTorch's index_add)
        return dual_index_add(shape, (slice(None),) * axis + (index,), grad, grad), None, None


# ---------------------------------------------------------------------------- argument checks
def index_array(index: Any, name: str) -> np.ndarray:
    """The array of an ``index`` argument, which must be a Tensor (a copy: an in-place
    change to the index tensor later cannot change what backward sends where)."""
    if not isinstance(index, TensorBase):
        raise TypeError(f"{name}(): argument 'index' (position 2) must be Tensor, not "
                        f"{type(index).__name__}")
    return np.array(index._data)


def _out_of_range(index: np.ndarray, n: int) -> np.ndarray:
    """The entries of ``index`` outside [0, n), in order (negative ones too, as PyTorch)."""
    return index[(index < 0) | (index >= n)]


def check_topk(x: np.ndarray, axis: int, k: int) -> None:
    """PyTorch's errors for ``topk``: k within [0, size of the dim], no bools."""
    n = x.shape[axis] if x.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    if x.dtype == np.bool_:
        raise RuntimeError("topk does not support bool dtypes on CPU")


def check_gather(shape: tuple[int, ...], axis: int, index: np.ndarray) -> None:
    """PyTorch's errors for ``gather``: an int index of as many dims, no larger off ``axis``,
    every entry in range (a 0-d tensor counts as 1-D)."""
    if index.dtype not in _INDEX_DTYPES:
        raise RuntimeError("gather(): Expected dtype int32/int64 for index")
    if max(index.ndim, 1) != max(len(shape), 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input "
                           "tensor")
    if index.size == 0:
        return
    for d, (i, n) in enumerate(zip(index.shape, shape)):
        if d != axis and i > n:
            raise RuntimeError(
                f"Size does not match at dimension {d} expected index {list(index.shape)} to "
                f"be no larger than self {list(shape)} apart from dimension {axis}"
            )
    n = shape[axis] if shape else 1
    bad = _out_of_range(index, n)
    if bad.size:
        raise RuntimeError(f"index {bad[0]} is out of bounds for dimension {axis} with size {n}")


def check_index_select(shape: tuple[int, ...], axis: int, index: np.ndarray) -> None:
    """PyTorch's errors for ``index_select``, in its order. Out-of-range entries raise the
    error of the CPU kernel that meets them: its dim-1 (or empty input) path checks them
    up front (RuntimeError), the others while copying (IndexError)."""
    if index.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if not shape and index.size != 1:
        raise RuntimeError("index_select(): Index to scalar can have only 1 value, got "
                           f"{index.size} value(s)")
    if index.dtype not in _INDEX_DTYPES:
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    n = shape[axis] if shape else 1
    bad = _out_of_range(index.reshape(-1), n)
    if len(shape) > 1 and index.size:
        empty = math.prod(shape) == 0
        if n == 0:
            raise RuntimeError("index_select(): self indexing axis dim should be positive")
        if bad.size and (empty or axis == 1):
            raise RuntimeError(f"INDICES element is out of DATA bounds, id={bad[0]} "
                               f"axis_dim={n}")
    if bad.size:
        raise IndexError("index out of range in self")


# ---------------------------------------------------------------------------- selection by rank
def lower_median_index(x: np.ndarray, axis: int) -> np.ndarray:
    """Where the lower median of each slice along ``axis`` is (keepdims shape): the element
    at rank (n - 1) // 2 of a stable sort; the first NaN of a slice that has one (the
    median of such a slice is NaN, as in PyTorch)."""
    n = x.shape[axis]
    rank = argsort(x, axis, False)
    idx = np.take(rank, [(n - 1) // 2], axis=axis)
    nan = np.isnan(x) if x.dtype in FLOATING else np.zeros(x.shape, bool)
    has_nan = nan.any(axis=axis, keepdims=True)
    return np.where(has_nan, nan.argmax(axis=axis, keepdims=True), idx).astype(np.int64)


def nan_lower_median_index(x: np.ndarray, axis: int) -> np.ndarray:
    """``nanmedian``'s ``lower_median_index``: the element at rank (m - 1) // 2 among the m
    non-NaN values of each slice ((value, index) order, as PyTorch's comparator). A slice of
    NaNs only has no order: there PyTorch returns where ``std::nth_element`` leaves them."""
    n = x.shape[axis]
    nan = np.isnan(x) if x.dtype in FLOATING else np.zeros(x.shape, bool)
    valid = (~nan).sum(axis=axis, keepdims=True)
    rank = np.take_along_axis(np.argsort(x, axis, kind="stable"),  # (NaNs sort last)
                              np.maximum(valid - 1, 0) // 2, axis)
    if not valid.all():
        order = list(range(n))  # every NaN ties with every other: comp is always false
        _stl_sort.nth_element(order, 0, 0, n, lambda a, b: False)
        rank = np.where(valid == 0, order[0], rank)
    return rank.astype(np.int64)


def _gt_or_nan(a: Any, b: Any) -> bool:
    return bool((a != a and b == b) or a > b)


def _quickselect(values: list[Any], order: list[int], k: int) -> None:
    """PyTorch's CPU ``quick_select_template``, in place: afterwards ``values[k]`` is the
    k-th smallest (0-based) and ``order[k]`` where it was; among equal values this picks
    the one PyTorch's kthvalue picks (median of three, then Hoare partitioning)."""

    def swap(i: int, j: int) -> None:
        values[i], values[j] = values[j], values[i]
        order[i], order[j] = order[j], order[i]

    lo, hi = 0, len(values) - 1
    while hi > lo:
        if hi == lo + 1:
            if _gt_or_nan(values[lo], values[hi]):
                swap(lo, hi)
            return
        swap(lo + (hi - lo) // 2, lo + 1)
        if _gt_or_nan(values[lo + 1], values[hi]):
            swap(lo + 1, hi)
        if _gt_or_nan(values[lo], values[hi]):
            swap(lo, hi)
        if _gt_or_nan(values[lo + 1], values[lo]):
            swap(lo + 1, lo)
        i, j, pivot = lo + 1, hi, values[lo]
        while True:
            i += 1
            while _gt_or_nan(pivot, values[i]):
                i += 1
            j -= 1
            while _gt_or_nan(values[j], pivot):
                j -= 1
            if j < i:
                break
            swap(i, j)
        swap(lo, j)
        if j <= k:
            lo = i
        if j >= k:
            hi = j - 1


def kth_index(x: np.ndarray, axis: int, k: int) -> np.ndarray:
    """Where the k-th smallest (1-based) element of each slice along ``axis`` is, as
    PyTorch's kthvalue finds it (keepdims shape, int64)."""
    moved = np.moveaxis(x, axis, -1)
    rows = moved.reshape(-1, moved.shape[-1])
    out = np.empty(len(rows), np.int64)
    for r, row in enumerate(rows):
        order = list(range(len(row)))
        _quickselect(row.tolist(), order, k - 1)
        out[r] = order[k - 1]
    return np.expand_dims(out.reshape(moved.shape[:-1]), axis)


def mode_index(x: np.ndarray, axis: int) -> np.ndarray:
    """Where the mode of each slice along ``axis`` is (keepdims shape): the smallest of the
    most frequent values, at its last position, as PyTorch's mode."""
    moved = np.moveaxis(x, axis, -1)
    rows = moved.reshape(-1, moved.shape[-1])
    out = np.empty(len(rows), np.int64)
    for r, row in enumerate(rows):
        values, counts = np.unique(row, return_counts=True)
        best = values[np.argmax(counts)]  # np.unique sorts: the first maximum is the smallest
        out[r] = np.flatnonzero(row == best)[-1]
    return np.expand_dims(out.reshape(moved.shape[:-1]), axis)


class MedianDim(_Op):
    """``x.median(dim)``: one element of each slice along ``axis``, at ``index`` (keepdims
    shape, picked by the caller); its gradient goes back to that element."""

    _grad_fn_name = "MedianBackward1"
    ctx_fields = ("shape", "axis", "index")

    @staticmethod
    def forward(ctx: Any, x: Any, axis: int, index: np.ndarray, keepdims: bool) -> Any:
        ctx.shape, ctx.axis, ctx.index = x.shape, axis, index
        out = take_along(x, axis, index)
        return out if keepdims or x.ndim == 0 else out.squeeze(axis)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        shape, axis, index = ctx.shape, ctx.axis, ctx.index
        return scatter(shape, axis, index, dual.reshape(grad, index.shape)), None, None, None


# ``x.nanmedian(dim).values``.
NanmedianDim = labelled(MedianDim, "NanmedianBackward1")


# ``x.kthvalue(k, dim).values``.
KthValue = labelled(MedianDim, "KthvalueBackward0")


# ``x.mode(dim).values``.
Mode = labelled(MedianDim, "ModeBackward0")


class MedianAll(_Op):
    """``x.median()``: the element at ``flat`` (an index of the flattened x), as a 0-d
    tensor. As in PyTorch, the gradient is shared evenly by every element equal to the
    median (every NaN, when it is NaN)."""

    _grad_fn_name = "MedianBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, flat: int) -> Any:
        out = np.asanyarray(x.reshape(-1)[flat])
        ctx.save_for_backward(x, out)  # (as PyTorch: changing either in place is an error)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, out = (dual.array(v) for v in ctx.saved_tensors)
        # PyTorch's evenly_distribute_backward, from the values saved: 0 off the median
        hit = np.isnan(x) if x.dtype in FLOATING and np.isnan(out) else x == out
        count = x.dtype.type(np.count_nonzero(hit))
        return dual.where(hit, grad / count, 0.0), None


# ``x.nanmedian()``: the gradient shared by the elements equal to it.
NanmedianAll = labelled(MedianAll, "NanmedianBackward0")


# ---------------------------------------------------------------------------- scatter
def _src_part(src: Any, index: np.ndarray) -> Any:
    """The leading block of ``src`` that ``index`` covers (src may be larger)."""
    if src.ndim == 0 or src.shape == index.shape:
        return src
    return src[tuple(slice(0, n) for n in index.shape)]


def _put_along(x: np.ndarray, axis: int, index: np.ndarray, values: Any, add: bool) -> Any:
    """A copy of ``x`` with ``values`` written (or added) where ``take_along`` reads."""
    out = _at_least_1d(x).copy()
    where = _along(_at_least_1d(index), axis)
    values = np.broadcast_to(values, index.shape).reshape(index.shape or (1,))
    if add:
        np.add.at(out, where, values)
    else:
        out[where] = values  # repeated indices: the last write wins (PyTorch leaves it open)
    return out.reshape(x.shape)


def _unpicked(shape: tuple[int, ...], axis: int, index: np.ndarray) -> np.ndarray:
    """True where scatter left the input's element in place."""
    return _put_along(np.ones(shape, bool), axis, index, False, False)


def _src_grad(grad: Any, axis: int, index: np.ndarray, src_shape: tuple[int, ...]) -> Any:
    """d(scatter)/d(src): the gradient read back where each src element went, zeros for the
    src elements the index does not cover."""
    picked = gather(grad, axis, index)
    if tuple(src_shape) == tuple(index.shape):
        return picked
    block = tuple(slice(0, n) for n in index.shape)
    return dual_index_add(src_shape, block, picked, picked)


class ScatterSrc(_Op):
    """``x.scatter(dim, index, src)``: x with ``src`` written at ``index`` along ``axis``."""

    _grad_fn_name = "ScatterBackward0"
    ctx_fields = ("axis", "index", "src_shape")

    @staticmethod
    def forward(ctx: Any, x: Any, src: Any, axis: int, index: np.ndarray) -> Any:
        ctx.axis, ctx.index, ctx.src_shape = axis, index, src.shape
        return _put_along(x, axis, index, _src_part(src, index), False)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        axis, index, src_shape = ctx.axis, ctx.index, ctx.src_shape
        keep = dual.constant(_unpicked(grad.shape, axis, index), grad)
        return grad * keep, _src_grad(grad, axis, index, src_shape), None, None


class ScatterValue(_Op):
    """``x.scatter(dim, index, value)``: x with the number ``value`` written at ``index``."""

    _grad_fn_name = "ScatterBackward1"
    ctx_fields = ("axis", "index")

    @staticmethod
    def forward(ctx: Any, x: Any, value: Any, axis: int, index: np.ndarray) -> Any:
        ctx.axis, ctx.index = axis, index
        return _put_along(x, axis, index, np.asanyarray(value, x.dtype), False)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        axis, index = ctx.axis, ctx.index
        return grad * dual.constant(_unpicked(grad.shape, axis, index), grad), None, None, None


class ScatterAdd(_Op):
    """``x.scatter_add(dim, index, src)``: x with ``src`` added at ``index`` (repeats
    accumulate). With x zeros (an array), the adjoint of Gather (its backward, recorded
    under ``create_graph=True``)."""

    _grad_fn_name = "ScatterAddBackward0"

    ctx_fields = ("axis", "index", "src_shape")

    @staticmethod
    def forward(ctx: Any, x: Any, src: Any, axis: int, index: np.ndarray) -> Any:
        ctx.axis, ctx.index, ctx.src_shape = axis, index, src.shape
        return _put_along(x, axis, index, _src_part(src, index), True)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return grad, _src_grad(grad, ctx.axis, ctx.index, ctx.src_shape), None, None


def check_scatter(name: str, shape: tuple[int, ...], axis: int, index: np.ndarray,
                  src_shape: tuple[int, ...] | None) -> None:
    """PyTorch's errors for ``scatter``/``scatter_add`` (``src_shape`` None: a value)."""
    if index.dtype not in _INDEX_DTYPES:
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")
    if max(index.ndim, 1) != max(len(shape), 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as self "
                           "tensor")
    if src_shape is not None and max(index.ndim, 1) != max(len(src_shape), 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as src "
                           "tensor")
    if index.size == 0:
        return
    too_big = any(d != axis and i > n for d, (i, n) in enumerate(zip(index.shape, shape)))
    if src_shape is not None:
        too_big = too_big or any(i > n for i, n in zip(index.shape, src_shape))
        if too_big:
            raise RuntimeError(f"Expected index {list(index.shape)} to be no larger than self "
                               f"{list(shape)} apart from dimension {axis} and to be no larger "
                               f"size than src {list(src_shape)}")
    elif too_big:
        raise RuntimeError(f"Expected index {list(index.shape)} to be no larger than self "
                           f"{list(shape)} apart from dimension {axis}")
    n = shape[axis] if shape else 1
    bad = _out_of_range(index, n)
    if bad.size:
        raise RuntimeError(f"index {bad[0]} is out of bounds for dimension {axis} with size {n}")


# ------------------------------------------------------------------ the Tensor methods
class _MinMax(tuple):
    """``(values, indices)`` returned by ``max(dim)``, ``min(dim)``, ``sort``, ``topk``,
    ``kthvalue``, ``median(dim)`` and ``mode``; prints as PyTorch's
    ``torch.return_types.max(values=..., indices=...)``, with the op's name."""

    _name: str

    @property
    def values(self) -> Tensor:
        """The extreme values."""
        return self[0]

    @property
    def indices(self) -> Tensor:
        """Where they are along the dimension."""
        return self[1]

    def __new__(cls, values: Tensor, indices: Tensor, name: str) -> _MinMax:
        result = super().__new__(cls, (values, indices))
        result._name = name
        return result

    def __getnewargs__(self) -> tuple[Any, ...]:  # (copy and pickle call __new__ with these)
        return (self[0], self[1], self._name)

    def __repr__(self) -> str:
        return (f"tinygrad_edu.return_types.{self._name}(\nvalues={self[0]!r},\n"
                f"indices={self[1]!r})")


def _check_nonempty_dims(data: np.ndarray, axes: tuple[_int, ...] | None, name: str,
                         whole: type[Exception] = RuntimeError) -> None:
    """PyTorch's errors for a max-like reduction (no identity) of an empty dim: naming the
    dim (IndexError), or asking for one when reducing everything (``whole``)."""
    if data.size and axes is not None or not data.size and axes is None:
        if axes is None:
            hint = "" if whole is IndexError else (" Specify the reduction dim with the 'dim' "
                                                   "argument.")
            raise whole(f"{name}(): Expected reduction dim to be specified for input.numel() "
                        f"== 0.{hint}")
        return
    for a in axes or ():
        if data.shape[a] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {a} to have non-zero size.")


class SortingMethods(TensorBase):
    """The Tensor's sorting and selection: sort, topk, gather, scatter, index_select,
    median, kthvalue, mode, quantile."""

    __slots__ = ()

    # ------------------------------------------------------------------ sorting, selection
    def sort(self, dim: _int = -1, descending: _bool = False, *,
             stable: _bool | None = False) -> Any:
        """``(values, indices)``: the elements sorted along ``dim`` (ascending unless
        ``descending``) and where each came from. The sort is always stable (equal values
        keep their order, what PyTorch guarantees with ``stable=True``); NaN sorts as the
        largest. The gradient of each value goes back to its element.

        >>> tg.tensor([3.0, 1.0, 2.0]).sort()
        tinygrad_edu.return_types.sort(
        values=tensor([1., 2., 3.]),
        indices=tensor([1, 2, 0]))
        """
        axis = _norm_axis(dim, self._data.ndim)
        idx = argsort(self._data, axis, descending)
        return _MinMax(Sort.apply(self, axis, idx), _wrap(idx.copy()), "sort")

    def argsort(self, dim: _int = -1, descending: _bool = False, *,
                stable: _bool = False) -> Tensor:
        """The int64 indices that sort the tensor along ``dim``: ``sort(...).indices``."""
        return _wrap(argsort(self._data, _norm_axis(dim, self._data.ndim), descending))

    def topk(self, k: _int, dim: _int = -1, largest: _bool = True,
             sorted: _bool = True) -> Any:
        """``(values, indices)`` of the ``k`` largest elements along ``dim`` (the smallest
        when ``largest=False``), in order (also when ``sorted=False``); equal values come
        in the order PyTorch's CPU kernel gives them. The gradient of each value goes back
        to its element.

        >>> tg.tensor([1.0, 5.0, 3.0]).topk(2)
        tinygrad_edu.return_types.topk(
        values=tensor([5., 3.]),
        indices=tensor([1, 2]))
        """
        if isinstance(k, _bool) or not isinstance(k, (_int, np.integer, TensorBase)):
            raise TypeError(f"topk(): argument 'k' (position 1) must be int, not "
                            f"{_type(k).__name__}")
        axis = _norm_axis(dim, self._data.ndim)
        check_topk(self._data, axis, _int(k))
        idx = topk_index(self._data, axis, _int(k), largest)
        return _MinMax(TopK.apply(self, axis, idx), _wrap(idx.copy()), "topk")

    def gather(self, dim: _int, index: Tensor, *, sparse_grad: _bool = False) -> Tensor:
        """The elements at ``index`` (an int tensor with as many dims) along ``dim``:
        ``out[i][j] = self[index[i][j]][j]`` for dim 0, ``self[i][index[i][j]]`` for dim 1.
        Backward adds each gradient into the element it came from (repeats accumulate).

        >>> tg.tensor([[1.0, 2.0], [3.0, 4.0]]).gather(1, tg.tensor([[0, 0], [1, 0]]))
        tensor([[1., 1.],
                [4., 3.]])
        """
        if sparse_grad:
            raise NotImplementedError("gather(sparse_grad=True): tinygrad_edu has no sparse "
                                      "tensors")
        idx = index_array(index, "gather")
        axis = _norm_axis(dim, self._data.ndim)
        check_gather(self._data.shape, axis, idx)
        return Gather.apply(self, axis, idx)

    def index_select(self, dim: _int, index: Tensor) -> Tensor:
        """The slices along ``dim`` at ``index`` (an int vector), in its order. Backward
        adds each slice's gradient into the slice it came from (repeats accumulate).

        >>> tg.tensor([[1.0, 2.0], [3.0, 4.0]]).index_select(0, tg.tensor([1, 1]))
        tensor([[3., 4.],
                [3., 4.]])
        """
        axis = _norm_axis(dim, self._data.ndim)
        idx = index_array(index, "index_select")
        check_index_select(self._data.shape, axis, idx)
        return IndexSelect.apply(self, axis, idx.reshape(-1))

    def _by_rank(self, op: Any, dim: _int, keepdim: _bool, pick: Any, name: str) -> Any:
        axis = _norm_axis(dim, self._data.ndim)
        if self._data.ndim and self._data.shape[axis] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {axis} to have non-zero size.")
        index = pick(self._data, axis) if self._data.ndim else np.zeros((), np.int64)
        values = op.apply(self, axis, index, keepdim)
        return _MinMax(values, _wrap(index.copy() if keepdim or not self._data.ndim
                                     else index.squeeze(axis)), name)

    def median(self, dim: _int | None = None, keepdim: _bool = False) -> Any:
        """The median: for an even count the LOWER of the two middle values (no averaging);
        NaN if there is a NaN. With ``dim``, ``(values, indices)`` along it."""
        return self._median(dim, keepdim, False)

    def nanmedian(self, dim: _int | None = None, keepdim: _bool = False) -> Any:
        """``median`` of the values that are not NaN (NaN where there are none). With
        ``dim``, ``(values, indices)`` along it.

        >>> tg.tensor([1.0, float("nan"), 3.0, 2.0]).nanmedian()
        tensor(2.)
        """
        return self._median(dim, keepdim, True)

    def _median(self, dim: _int | None, keepdim: _bool, ignore_nan: _bool) -> Any:
        pick = nan_lower_median_index if ignore_nan else lower_median_index
        if dim is not None:
            if self._data.ndim:  # (PyTorch's message says median() for nanmedian too)
                _check_nonempty_dims(self._data, (_norm_axis(dim, self._data.ndim),), "median")
            if self._data.dtype == np.bool_:
                raise not_implemented("median_out", self._data.dtype)
            return self._by_rank(NanmedianDim if ignore_nan else MedianDim, dim, keepdim,
                                 pick, "nanmedian" if ignore_nan else "median")
        if self._data.size == 0:  # NaN (for ints, NaN cast as C casts it, as torch)
            with np.errstate(invalid="ignore"):
                return _wrap(np.asanyarray(np.nan).astype(self._data.dtype))
        if self._data.dtype == np.bool_:
            raise not_implemented("median_cpu", self._data.dtype)
        flat = pick(self._data.reshape(-1), 0)
        return (NanmedianAll if ignore_nan else MedianAll).apply(self, _int(flat[0]))

    def kthvalue(self, k: _int, dim: _int = -1, keepdim: _bool = False) -> Any:
        """``(values, indices)``: the k-th smallest element (k from 1) along ``dim``."""
        axis = _norm_axis(dim, self._data.ndim)
        _check_nonempty_dims(self._data, (axis,), "kthvalue")
        if self._data.dtype == np.bool_ and self._data.ndim:
            raise not_implemented("kthvalue_cpu", self._data.dtype)
        n = self._data.shape[axis] if self._data.ndim else 1
        if not 1 <= k <= n:
            raise RuntimeError(f"kthvalue(): selected number k out of range for dimension "
                               f"{axis}")
        return self._by_rank(KthValue, dim, keepdim,
                             lambda x, a: kth_index(x, a, k), "kthvalue")

    def mode(self, dim: _int = -1, keepdim: _bool = False) -> Any:
        """``(values, indices)``: the most frequent value along ``dim`` (the smallest one on
        a tie of counts) and its last position."""
        return self._by_rank(Mode, dim, keepdim, mode_index, "mode")

    @autocast_op("quantile")
    def quantile(self, q: Any, dim: _int | None = None, keepdim: _bool = False, *,
                 interpolation: str = "linear") -> Tensor:
        """The q-th quantiles along ``dim`` (of all elements when None): with the sorted
        values v and rank r = q (n - 1), ``lerp(v[floor r], v[ceil r], r - floor r)`` (or
        the ``lower``/``higher``/``nearest`` value, or the ``midpoint``). A 1-D ``q`` adds a
        leading dim. Differentiable through the sort and the interpolation."""
        return self._quantile(q, dim, keepdim, interpolation, False)

    @autocast_op("nanquantile")
    def nanquantile(self, q: Any, dim: _int | None = None, keepdim: _bool = False, *,
                    interpolation: str = "linear") -> Tensor:
        """``quantile`` of the values that are not NaN: the rank is q (m - 1) among the m
        non-NaN values of each slice (NaN where there are none).

        >>> tg.tensor([1.0, float("nan"), 3.0]).nanquantile(0.5)
        tensor(2.)
        """
        return self._quantile(q, dim, keepdim, interpolation, True)

    def _quantile(self, q: Any, dim: _int | None, keepdim: _bool, interpolation: str,
                  ignore_nan: _bool) -> Tensor:
        qs = self._quantile_q(q, interpolation)
        x = self.reshape(-1) if dim is None else self
        axis = 0 if dim is None else _norm_axis(dim, self._data.ndim)
        if x._data.ndim == 0:
            x, axis = x.reshape(1), 0
        n = x._data.shape[axis]
        nan = np.isnan(x._data)
        shape = [1] * x._data.ndim
        shape[axis] = qs.size
        # in the input's dtype, as PyTorch: "nearest" rounds the same float32 ranks
        q_along = qs.astype(x._data.dtype).reshape(shape)
        if ignore_nan:  # among the m non-NaN values; none: rank 0, a NaN (NaNs sort last)
            valid = (~nan).sum(axis=axis, keepdims=True).astype(x._data.dtype)
            rank = np.maximum(q_along * (valid - 1), 0)
        else:  # a NaN anywhere: the last rank, a NaN
            rank = np.where(nan.any(axis=axis, keepdims=True), n - 1, q_along * (n - 1))
        if interpolation == "lower":
            rank = np.floor(rank)
        elif interpolation == "higher":
            rank = np.ceil(rank)
        elif interpolation == "nearest":
            rank = np.round(rank)  # half to even, as torch.round
        below, above = np.floor(rank).astype(np.int64), np.ceil(rank).astype(np.int64)
        full = list(x._data.shape)
        full[axis] = qs.size
        below, above = np.broadcast_to(below, full), np.broadcast_to(above, full)
        v = x.sort(axis).values
        out = v.gather(axis, _wrap(below))
        if interpolation in ("linear", "midpoint"):
            weight = np.full(full, 0.5) if interpolation == "midpoint" else rank - below
            out = out.lerp(v.gather(axis, _wrap(above)), _wrap(weight.astype(x._data.dtype)))
        return self._quantile_shape(out, axis, dim, keepdim, np.ndim(_data_of(q)) == 0)

    def _quantile_q(self, q: Any, interpolation: str) -> np.ndarray:
        """quantile's ``q`` as a 1-D array, after PyTorch's checks of its arguments."""
        if self._data.size == 0:
            raise RuntimeError("quantile() input tensor must be non-empty")
        if self._data.dtype not in (np.float32, np.float64):
            raise RuntimeError("quantile() input tensor must be either float or double dtype")
        if interpolation not in ("linear", "lower", "higher", "midpoint", "nearest"):
            raise RuntimeError("quantile() interpolation must be one of linear, lower, higher, "
                               f"midpoint or nearest, but got {interpolation}")
        if isinstance(q, TensorBase):
            if q._data.ndim > 1:
                raise RuntimeError("quantile() q must be a scalar or 1D tensor")
            if q._data.dtype != self._data.dtype:
                raise RuntimeError("quantile() q tensor must be same dtype as the input tensor")
            qs = q._data.reshape(-1).astype(np.float64)
            if ((qs < 0) | (qs > 1)).any():
                raise RuntimeError("quantile() q values must be in the range [0, 1]")
            return qs
        if not 0 <= q <= 1:
            raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {q}")
        return np.array([q], np.float64)

    def _quantile_shape(self, out: Tensor, axis: _int, dim: Any, keepdim: _bool,
                        scalar_q: _bool) -> Tensor:
        """quantile's result (q's entries along ``axis``) in PyTorch's shape: q's dim first
        (none for a number), then the input's dims without ``dim`` (size 1 with keepdim)."""
        if dim is None or self._data.ndim == 0:
            rest = (1,) * self._data.ndim if keepdim else ()
            return out.reshape(rest if scalar_q else (-1,) + rest)
        if scalar_q:
            return out if keepdim else out.squeeze(axis)
        out = out.permute(axis, *(d for d in range(out.ndim) if d != axis))
        return out.unsqueeze(axis + 1) if keepdim else out

    # ------------------------------------------------------------------ scatter, lerp
    def _scatter(self, name: str, dim: _int, index: Tensor, src: Any, add: _bool) -> Tensor:
        idx = index_array(index, name)
        axis = _norm_axis(dim, self._data.ndim)
        if isinstance(src, TensorBase):
            check_scatter(name, self._data.shape, axis, idx, src._data.shape)
            if src._data.dtype != self._data.dtype:
                raise RuntimeError(f"{name}(): Expected self.dtype to be equal to src.dtype")
            return (ScatterAdd if add else ScatterSrc).apply(self, src, axis, idx)
        if add:
            raise TypeError(f"{name}(): argument 'src' (position 3) must be Tensor, not "
                            f"{_type(src).__name__}")
        check_scatter(name, self._data.shape, axis, idx, None)
        return ScatterValue.apply(self, src, axis, idx)

    def scatter(self, dim: _int, index: Tensor, src: Any = None, *, value: Any = None,
                reduce: str | None = None) -> Tensor:
        """A copy with ``src`` (a tensor, or a number) written at ``index`` along ``dim``:
        ``out[index[i][j]][j] = src[i][j]`` for dim 0. With repeated indices PyTorch does
        not define which write wins (here: the last). ``reduce="add"`` or ``"multiply"``
        combines instead (ops/scatter_reduce.py; no gradient, as PyTorch)."""
        if reduce is not None:
            return self._scatter_with_reduce(dim, index, value if src is None else src,
                                             reduce)
        return self._scatter("scatter", dim, index, value if src is None else src, False)

    def scatter_(self, dim: _int, index: Tensor, src: Any = None, *, value: Any = None,
                 reduce: str | None = None) -> Tensor:
        """In place: ``self = self.scatter(dim, index, src)``."""
        return self._write(lambda t: t.scatter(dim, index, src, value=value, reduce=reduce),
                           src, overlap="any")

    def scatter_add(self, dim: _int, index: Tensor, src: Tensor) -> Tensor:
        """A copy with ``src`` added at ``index`` along ``dim`` (repeated indices add up):
        the adjoint of ``gather``."""
        return self._scatter("scatter_add", dim, index, src, True)

    def scatter_add_(self, dim: _int, index: Tensor, src: Tensor) -> Tensor:
        """In place: ``self = self.scatter_add(dim, index, src)``."""
        return self._write(lambda t: t.scatter_add(dim, index, src), src, overlap="any")
