"""Searching sorted data and counting: ``tg.searchsorted``, ``tg.bucketize``,
``unique_consecutive`` and ``histogram``.

None of them is differentiable: they return positions and counts. Where PyTorch records a
node anyway (``unique_consecutive``, ``histogram`` of a tensor that requires grad), one is
recorded here too, whose backward raises PyTorch's error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..core.function import _wrap
from ..parity.errors import not_implemented
from ..parity.names import scalar_type_name
from ..parity.promotion import python_scalar, result_type
from ..parity.torch_range import linspace
from ..parity.torch_sum import torch_sum
from ..tensor_base import TensorBase, _bool, _int, _norm_axis
from .arithmetic import NotDifferentiable
from .dual import _Op

if TYPE_CHECKING:
    from ..tensor import Tensor


# ---------------------------------------------------------------------------- binary search
def binary_search(rows: np.ndarray, values: np.ndarray, right: bool,
                  sorter: np.ndarray | None) -> np.ndarray:
    """For each ``values[r, k]``, where it goes in ``rows[r]`` (read through ``sorter[r]``
    when given): the first position whose entry is ``>= value`` (``> value`` when
    ``right``), found by PyTorch's binary search, step for step, for all values at once.

    The comparisons are PyTorch's ``!(mid >= value)``: a NaN value compares false with
    everything and goes to the end; a NaN entry sends every value to its right.
    """
    n = rows.shape[1]
    start = np.zeros(values.shape, np.int64)
    end = np.full(values.shape, n, np.int64)
    row = np.arange(rows.shape[0])[:, None]
    active = start < end
    while active.any():
        mid = start + (end - start) // 2
        at = np.minimum(mid, n - 1)  # (inactive searches may point past the end)
        mid_value = rows[row, at if sorter is None else sorter[row, at]]
        with np.errstate(invalid="ignore"):
            go_right = ~(mid_value > values if right else mid_value >= values)
        start = np.where(active & go_right, mid + 1, start)
        end = np.where(active & ~go_right, mid, end)
        active = start < end
    return start


def _side(right: bool, side: str | None) -> bool:
    """``right`` from searchsorted's ``right`` and ``side``, with PyTorch's checks."""
    if side is not None:
        if side == "left" and right:
            raise RuntimeError("torch.searchsorted(): side and right can't be set to "
                               f"opposites, got side of {side} while right was True")
        if side not in ("left", "right"):
            raise RuntimeError("torch.searchsorted(): side can only be 'left' or 'right' but "
                               f"got {side}")
        return side == "right"
    return right


def _check_search(boundaries: np.ndarray, values: np.ndarray, sorter: Any) -> None:
    """PyTorch's checks of searchsorted's tensors, in its order."""
    if boundaries.ndim == 0:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should have positive "
                           "dimension, but got 0 dimension")
    if values.ndim == 0 and boundaries.ndim != 1:
        raise RuntimeError(
            "torch.searchsorted(): input value can be a scalar only when boundaries tensor "
            f"dimension is 1, but we got boundaries tensor dim({boundaries.ndim}) and input "
            f"value's dim(0) numel(1)")
    if boundaries.ndim > 1 and boundaries.shape[:-1] != values.shape[:-1]:
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
            "dimensions of boundaries tensor and input value tensor must match, but we got "
            f"boundaries tensor {list(boundaries.shape)} and input value tensor "
            f"{list(values.shape)}")
    if sorter is not None:
        if sorter.dtype != np.int64:
            raise RuntimeError("torch.searchsorted(): sorter must be a tensor of long dtype but "
                               f"got dtype {scalar_type_name(sorter.dtype)}")
        if sorter.shape != boundaries.shape:
            raise RuntimeError(
                "torch.searchsorted(): boundary and sorter must have the same size, but got "
                f"boundary tensor {list(boundaries.shape)}and got sorter tensor "
                f"{list(sorter.shape)}")
        n = boundaries.shape[-1]
        if sorter.size and (sorter.min() < 0 or sorter.max() >= n):
            raise RuntimeError("torch.searchsorted(): sorter index out of range")


def _search_operands(sorted_sequence: Any, input: Any, name: str) -> tuple[Tensor, Tensor]:
    """searchsorted's tensors: a number ``input`` becomes a 0-d tensor (float64 or int64,
    as PyTorch's ``scalar_to_tensor``), anything else is a TypeError."""
    if not isinstance(sorted_sequence, TensorBase) or not (
            isinstance(input, TensorBase) or python_scalar(input) is not None):
        args = ", ".join(type(a).__name__ if not isinstance(a, TensorBase) else "Tensor"
                         for a in (sorted_sequence, input))
        raise TypeError(f"{name}() received an invalid combination of arguments - got "
                        f"({args}), but expected (Tensor sorted_sequence, Tensor or Number "
                        "input)")
    if not isinstance(input, TensorBase):
        input = _wrap(np.asanyarray(python_scalar(input)))
    return sorted_sequence, input  # type: ignore[return-value]


def searchsorted(sorted_sequence: Tensor, input: Any, *, out_int32: _bool = False,
                 right: _bool = False, side: str | None = None,
                 sorter: Tensor | None = None) -> Tensor:
    """Where each value of ``input`` would be inserted into ``sorted_sequence`` to keep it
    sorted: the first index i with ``sorted_sequence[i] >= value`` (``> value`` with
    ``right=True`` or ``side="right"``), int64 (int32 with ``out_int32``). A 1-D
    sequence serves every value; an N-D one has a row per value row (the leading dims
    match). ``sorter`` holds the indices that sort an unsorted sequence. The two tensors
    are compared in their promoted dtype.

    >>> tg.searchsorted(tg.tensor([1, 3, 5, 7]), tg.tensor([3, 6, 9]))
    tensor([1, 3, 4])
    """
    seq, values = _search_operands(sorted_sequence, input, "searchsorted")
    right = _side(right, side)
    order = None if sorter is None else sorter._data
    _check_search(seq._data, values._data, order)
    dtype = result_type(seq, values)
    if dtype.np == np.bool_:
        raise not_implemented("searchsorted_out_cpu", dtype.np)
    b, v = seq._data.astype(dtype.np, copy=False), values._data.astype(dtype.np, copy=False)
    out = np.zeros(v.shape, np.int64)  # (no boundaries: every value goes first)
    if b.shape[-1] and v.size:
        rows = b.reshape(-1, b.shape[-1])  # one row per row of values, or one for all
        flat = v.reshape(len(rows), -1) if b.ndim > 1 else v.reshape(1, -1)
        order = None if order is None else order.reshape(rows.shape)
        out = binary_search(rows, flat, right, order)
    return _wrap(out.reshape(v.shape).astype(np.int32 if out_int32 else np.int64))


def bucketize(input: Any, boundaries: Tensor, *, out_int32: _bool = False,
              right: _bool = False) -> Tensor:
    """The bucket of each element of ``input`` among the 1-D sorted ``boundaries``: i with
    ``boundaries[i-1] < x <= boundaries[i]`` (``<= x <`` with ``right=True``), that is
    ``searchsorted(boundaries, input, right=right)``.

    >>> tg.bucketize(tg.tensor([0.5, 1.0, 2.5]), tg.tensor([1.0, 2.0, 3.0]))
    tensor([0, 0, 2])
    """
    if isinstance(boundaries, TensorBase) and boundaries._data.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got "
                           f"dim({boundaries._data.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


# ---------------------------------------------------------------------------- unique runs
class UniqueConsecutive(_Op):
    """``x.unique_consecutive()``: recorded as PyTorch does, without a derivative."""

    _grad_fn_name = "UniqueConsecutiveBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, keep: np.ndarray, axis: int | None) -> Any:
        return x.reshape(-1)[keep] if axis is None else np.compress(keep, x, axis)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        raise NotImplementedError("the derivative for 'unique_consecutive' is not implemented.")


def _run_starts(x: np.ndarray, axis: int | None) -> np.ndarray:
    """True where a new run begins (an element, or a slice along ``axis``): where it is not
    equal to the one before. NaN is equal to nothing, so each NaN (and each slice with a
    NaN) starts a run of its own, as in PyTorch."""
    if axis is None:
        flat = x.reshape(-1)
        return np.concatenate([np.ones(min(flat.size, 1), bool), flat[1:] != flat[:-1]])
    if x.shape[axis] == 0:
        return np.zeros(0, bool)
    moved = np.moveaxis(x, axis, 0).reshape(x.shape[axis], -1)
    same = (moved[1:] == moved[:-1]).all(axis=1)
    return np.concatenate([[True], ~same])


# ---------------------------------------------------------------------------- histograms
class _Histogram(tuple):
    """``(hist, bin_edges)`` returned by ``histogram``; prints as PyTorch's
    ``torch.return_types.histogram(hist=..., bin_edges=...)``."""

    @property
    def hist(self) -> Tensor:
        """The count (or the summed weight, or the density) of each bin."""
        return self[0]

    @property
    def bin_edges(self) -> Tensor:
        """The bins' edges: one more than the bins."""
        return self[1]

    def __repr__(self) -> str:
        return (f"tinygrad_edu.return_types.histogram(\nhist={self[0]!r},\n"
                f"bin_edges={self[1]!r})")


# A histogram's outputs, recorded as PyTorch does, as an op without a derivative.
Histogram = NotDifferentiable("histogram", lambda x, result: result)


def _outer_edges(data: np.ndarray, range: Any) -> tuple[float, float]:
    """The first and last edge: ``range``, or the data's min and max (0 and 1 for no data);
    PyTorch's checks; an empty range widened by 0.5 on each side, as numpy."""
    if range is not None:
        if len(range) != 2:
            raise RuntimeError("torch.histogramdd: for a 1-dimensional histogram range should "
                               f"have 2 elements, but got {len(range)}")
        lo, hi = float(range[0]), float(range[1])
    elif data.size:
        lo, hi = float(data.min()), float(data.max())
    else:
        lo, hi = 0.0, 1.0
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histogramdd: dimension 0's range [{lo:g}, {hi:g}] is not "
                           "finite")
    if lo > hi:
        raise RuntimeError("torch.histogramdd: min should not exceed max, but got min "
                           f"{lo:g} max {hi:g} for dimension 0")
    return (lo - 0.5, hi + 0.5) if lo == hi else (lo, hi)


def bin_positions(data: np.ndarray, edges: np.ndarray, equal_bins: bool,
                  local_search: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """``(inside, bin)``: which elements fall in [edges[0], edges[-1]] (NaN does not), and
    the bin of each of those, as PyTorch's histogram kernel: for equal bins by division,
    ``int((x - first) * bins / (last - first))`` in the data's dtype, then (with
    ``local_search``, as ``histogram``; ``histc`` does not) checked against the edges
    around it; otherwise by binary search. The last bin includes its right edge."""
    first, last, bins = edges[0], edges[-1], len(edges) - 1
    with np.errstate(invalid="ignore"):
        inside = (data >= first) & (data <= last)
    x = data[inside]
    if equal_bins:
        pos = ((x - first) * bins / (last - first)).astype(np.int64)
        if local_search:  # upper_bound(edges[pos - 1 : pos + 2], x) - 1
            lo, hi = np.maximum(pos - 1, 0), np.minimum(pos + 2, len(edges))
            pos = lo - 1
            for k in range(3):
                at = np.minimum(lo + k, len(edges) - 1)
                pos = np.where((lo + k < hi) & (edges[at] <= x), lo + k, pos)
    else:  # upper_bound(edges, x) - 1
        pos = binary_search(edges[None], x[None], True, None)[0] - 1
    return inside, np.minimum(pos, bins - 1)


def _check_histogram(data: np.ndarray, bins: Any, weight: Any) -> None:
    """PyTorch's checks of histogram's input, bins and weight, in its order."""
    if data.dtype not in (np.float32, np.float64):
        raise not_implemented("histogramdd", data.dtype)
    if isinstance(bins, TensorBase):
        edges = bins._data
        if edges.dtype != data.dtype:
            raise RuntimeError(
                "torch.histogramdd: input tensor and bins tensors should have the same dtype, "
                f"but got input with dtype {_c_name(data.dtype)} and bins for dimension 0 "
                f"with dtype {_c_name(edges.dtype)}")
        if edges.ndim != 1:
            raise RuntimeError("torch.histogramdd: bins tensor should have one dimension, but "
                               f"got {edges.ndim} dimensions in the bins tensor for dimension 0")
        if edges.size == 0:
            raise RuntimeError("torch.histogramdd: bins tensor should have at least 1 element, "
                               "but got 0 elements in the bins tensor for dimension 0")
        bins = edges.size - 1
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    if weight is not None:
        if weight._data.dtype != data.dtype:
            raise RuntimeError(
                "torch.histogramdd: if weight tensor is provided, input tensor and weight "
                f"tensor should have the same dtype, but got input({_c_name(data.dtype)}), "
                f"and weight({_c_name(weight._data.dtype)})")
        if weight._data.shape != data.shape:
            raise RuntimeError(
                "torch.histogramdd: if weight tensor is provided it should have the same shape "
                "as the input tensor excluding its innermost dimension, but got input with "
                f"shape {[data.size, 1]} and weight with shape {list(weight._data.shape)}")


def _c_name(dtype: np.dtype) -> str:
    """A dtype as PyTorch's histogram messages spell it (C++'s type names)."""
    return {"float32": "float", "float64": "double", "int64": "long int", "int32": "int",
            "bool": "bool", "float16": "c10::Half"}.get(dtype.name, dtype.name)


class SearchMethods(TensorBase):
    """The Tensor's runs and histograms: unique_consecutive, histogram."""

    __slots__ = ()

    def unique_consecutive(self, return_inverse: _bool = False, return_counts: _bool = False,
                           dim: _int | None = None) -> Any:
        """The tensor with each run of equal consecutive elements (slices along ``dim``)
        kept once, flattened when ``dim`` is None; with ``return_inverse`` where each
        element (slice) went, with ``return_counts`` each run's length (int64). Unlike
        ``unique`` nothing is sorted; NaN elements are never equal.

        >>> tg.tensor([1, 1, 2, 2, 1]).unique_consecutive(return_counts=True)
        (tensor([1, 2, 1]), tensor([2, 2, 1]))
        """
        data = self._data
        axis = None if dim is None else _norm_axis(dim, data.ndim)
        if axis is not None and data.ndim == 0:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        if axis is not None and data.size == 0 and data.shape[axis] != 0:
            raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so "
                               "unique cannot be applied")
        starts = _run_starts(data, axis)
        out = UniqueConsecutive.apply(self, starts, axis)
        result = [out]
        if return_inverse:
            inverse = np.cumsum(starts) - 1
            result.append(_wrap(inverse.reshape(data.shape) if axis is None else inverse))
        if return_counts:
            result.append(_wrap(np.diff(np.append(np.flatnonzero(starts), len(starts)))))
        return result[0] if len(result) == 1 else tuple(result)

    def histogram(self, bins: Any = 100, *, range: Any = None, weight: Tensor | None = None,
                  density: _bool = False) -> Any:
        """``(hist, bin_edges)``: how many elements fall in each bin (the sum of their
        ``weight`` when given), the bins being ``bins`` equal ones over ``range`` (the
        data's min and max by default) or the edges in a 1-D tensor ``bins``. Each bin
        holds [left, right), the last one [left, right]; elements outside (and NaN) are
        not counted. ``density`` divides by the total and by each bin's width.

        >>> tg.histogram(tg.tensor([1.0, 2.0, 1.0]), bins=2)
        tinygrad_edu.return_types.histogram(
        hist=tensor([2., 1.]),
        bin_edges=tensor([1.0000, 1.5000, 2.0000]))
        """
        data = self._data
        _check_histogram(data, bins, weight)
        if isinstance(bins, TensorBase):
            edges, equal = bins._data.copy(), False
        else:
            lo, hi = _outer_edges(data, range)
            edges, equal = linspace(lo, hi, _int(bins) + 1, data.dtype), True
        inside, pos = bin_positions(data.reshape(-1), edges, equal)
        hist = np.zeros(len(edges) - 1, data.dtype)
        np.add.at(hist, pos, 1 if weight is None else weight._data.reshape(-1)[inside])
        if density:
            with np.errstate(divide="ignore", invalid="ignore"):
                hist = hist / torch_sum(hist, None, False) / np.diff(edges)
        return _Histogram((Histogram.apply(self, hist), Histogram.apply(self, edges)))
