"""float16/32/64 ``sum`` and ``mean`` that add in PyTorch's order, so they round the same.

Floating-point addition is not associative: numpy's pairwise summation and PyTorch's CPU
kernel (``aten/src/ATen/native/cpu/SumKernel.cpp``, ``cascade_sum``) round differently, and
a training loop then drifts apart in the last bits. This module replays torch's order with
vectorized numpy, so ``torch_sum(x, None, False)`` has the very bits of ``torch.sum``.

How torch 2.13 adds (``L`` = lanes of a 32-byte vector: 8 float32 or 4 float64; the AVX2
kernel also runs on AVX512 CPUs, and the generic build has the same width):

* ``cascade(items)`` (``multi_row_sum``): running sums of blocks of ``s = 2**p`` items, with
  ``p = max(4, ceil(log2(len)) // 4)``; block sums are summed ``s`` at a time into a second
  level, those into a third, and the fourth level keeps a running sum. Then
  ``tail + level1 + level2 + level3``.
* ``row_sum(v)``: view ``v`` as rows of 4 (4 accumulators), ``cascade`` the rows, add the
  ragged 0-3 items to accumulator 0, then ``((a0 + a1) + a2) + a3``.
* reduction over a contiguous axis of ``n >= L``: ``row_sum`` over the ``n // L`` vectors of
  ``L`` lanes; then ``0 + tail elements one by one + lanes 0..L-1 one by one``. If ``n < L``:
  ``row_sum`` of the scalars.
* reduction over a strided axis (``sum(dim=0)`` of a matrix): per column, columns in groups
  of ``4 L`` (or of 4 when fewer than ``L`` columns) ``cascade`` over the rows; the leftover
  columns ``row_sum`` over the rows.
* threads (numel >= 32768): a full reduction is cut into ``min(T, ceil(n / 32768))`` equal
  chunks whose sums are then summed as a length-``T`` vector; ``sum(dim=0)`` splits the
  columns between threads at multiples of 128 bytes, which moves the column groups.
  ``T`` is torch's ``get_num_threads()`` (see :func:`set_num_threads`).
* ``mean`` is ``sum / n`` (one IEEE division in the dtype), not ``sum * (1 / n)``.
* float16 is added in float32 and rounded once at the end. A vector load holds 16 float16,
  folded into the 8 float32 lanes as ``x[i] + x[i + 8]``; rows and columns shorter than 16
  take the scalar path; each thread's partial sum is rounded to float16 before the partials
  are added. A sum over two reduced axes that are not neighbours in memory
  (``should_use_acc_buffer``), and any ``mean``, are taken on a float32 copy instead.

Exact for float16/32/64 arrays whose memory is dense (C-contiguous, or any transpose of
it) when the reduced and kept axes, after dropping size-1 axes, form one of: all reduced;
kept|reduced; reduced|kept; kept|reduced|kept; reduced|kept|reduced. Anything else
(other dtypes, sliced or broadcast arrays, interleaved axes) falls back to ``np.sum``, which
is correct but may differ in the last bit (:func:`is_exact` tells which).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence

import numpy as np

from ..dtypes import REDUCED

__all__ = ["get_num_threads", "is_exact", "set_num_threads", "sum_all", "torch_mean", "torch_sum"]

_GRAIN = 32768  # at::internal::GRAIN_SIZE: below this many elements torch runs one thread
_VEC_BYTES = 32  # sizeof(Vectorized<T>) of the kernel torch dispatches to (AVX2 / default)
_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
# float16 and bfloat16 (dtypes.REDUCED) are added in float32, rounded once per output


# ---------------------------------------------------------------------------------------------
# Threads
# ---------------------------------------------------------------------------------------------


def _default_num_threads() -> int:
    """torch's default intra-op thread count: $OMP_NUM_THREADS, else the physical cores."""
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        value = os.environ.get(var, "").strip()
        if value.isdigit() and int(value) > 0:
            return int(value)
    try:
        cpus = sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)
    cores = set()
    for cpu in cpus:
        try:
            base = f"/sys/devices/system/cpu/cpu{cpu}/topology/"
            with open(base + "physical_package_id") as f:
                package = f.read().strip()
            with open(base + "core_id") as f:
                core = f.read().strip()
            cores.add((package, core))
        except OSError:
            return max(1, len(cpus))
    return max(1, len(cores))


_num_threads = _default_num_threads()


def set_num_threads(n: int) -> None:
    """Reproduce a torch run with ``torch.set_num_threads(n)``.

    Sums of 32768 elements or more depend on torch's thread count: a full ``sum`` adds one
    partial sum per thread, and ``sum(dim=0)`` shares the columns between threads.
    """
    if n < 1:
        raise ValueError(f"set_num_threads expects a positive integer, got {n}")
    global _num_threads
    _num_threads = int(n)


def get_num_threads() -> int:
    """The thread count whose sums are reproduced (torch's default for this machine)."""
    return _num_threads


# ---------------------------------------------------------------------------------------------
# The kernel's building blocks, vectorized over a leading batch axis
# ---------------------------------------------------------------------------------------------


def _ceil_log2(x: int) -> int:
    """``c10::utils::CeilLog2`` (1 for x <= 2)."""
    return 1 if x <= 2 else (x - 1).bit_length()


def _seq(a: np.ndarray, axis: int) -> np.ndarray:
    """Running sum along ``axis``, first item first: ``((a0 + a1) + a2) + ...``; a new array.

    ``a``'s last axis is contiguous and comes after ``axis``. numpy sums pairwise only along
    the innermost loop of a reduction (the axis of smallest stride); along an outer axis
    ``np.add.reduce`` adds one slice after the other, and ``np.add.accumulate`` is
    sequential whatever the layout. Short rows make numpy's inner loops slow, so big arrays
    with rows of less than 1 KiB are first copied with ``axis`` in front, moving each row as
    one opaque (void) item.
    """
    shape = a.shape
    count = shape[axis]
    index: tuple[slice | int, ...] = (slice(None),) * axis
    if count == 1:
        return a[index + (0,)].copy()
    if count == 0:
        return np.zeros(shape[:axis] + shape[axis + 1 :], a.dtype)
    if math.prod(shape[axis + 1 :]) == 1:  # nothing beside: only accumulate is safe
        return np.add.accumulate(a, axis=axis)[index + (-1,)]
    row = shape[-1] * a.itemsize
    if row < 1024 and a.size >= 8192 and shape[-1] > 1 and a.strides[-1] == a.itemsize:
        rows = a.view(np.dtype((np.void, row)))[..., 0]
        order = (axis, *range(axis), *range(axis + 1, rows.ndim))
        moved = rows.transpose(order)
        if not moved.flags.c_contiguous:  # (a copy tg.compile records)
            moved = moved.copy()
        moved = moved.view(a.dtype)
        out = np.add.reduce(moved.reshape(count, -1), axis=0)
        return out.reshape(shape[:axis] + shape[axis + 1 :])
    return np.add.reduce(a, axis=axis)


def _cascade(x: np.ndarray) -> np.ndarray:
    """``multi_row_sum``: the 4-level cascade over axis 1 of ``x`` (batch, items, ...)."""
    size = x.shape[1]
    if size < 16:  # less than one block: a plain running sum
        return _seq(x, 1)
    batch, rest = x.shape[0], x.shape[2:]
    power = max(4, _ceil_log2(size) // 4)
    step = 1 << power
    cut = size >> power << power
    sums = _seq(x[:, :cut].reshape(batch, cut >> power, step, *rest), 2)  # level-0 blocks
    levels = []  # what levels 1, 2, 3 hold at the end
    for _ in range(2):  # levels 1 and 2 hold the sums of an unfinished group
        nsums = sums.shape[1]
        cut_sums = nsums >> power << power
        if cut_sums < nsums:
            levels.append(_seq(sums[:, cut_sums:], 1))
        if cut_sums == 0:
            break
        sums = _seq(sums[:, :cut_sums].reshape(batch, cut_sums >> power, step, *rest), 2)
    else:
        levels.append(_seq(sums, 1))  # level 3: a running sum of everything above
    # level 0 holds the ragged items; then += level 1, += level 2, += level 3
    if cut == size and len(levels) == 1:
        return levels[0]
    chain = np.concatenate([x[:, cut:]] + [level[:, None] for level in levels], axis=1)
    return _seq(chain, 1)


def _row_sum(x: np.ndarray) -> np.ndarray:
    """``row_sum``: 4 interleaved accumulators over axis 1 of ``x`` (batch, size, ...)."""
    size = x.shape[1]
    rows = size >> 2
    if rows == 0:
        return _seq(x, 1)
    head = x[:, : rows * 4]
    if x.ndim == 3 and x.strides[1] == x.shape[2] * x.itemsize == x.shape[2] * x.strides[2]:
        # vectors one after the other: rows of 4 vectors are contiguous, keep them as one axis
        parts = _cascade(head.reshape(x.shape[0], rows, 4 * x.shape[2]))
        parts = parts.reshape(x.shape[0], 4, x.shape[2])
    else:
        parts = _cascade(head.reshape(x.shape[0], rows, 4, *x.shape[2:]))
    if rows * 4 != size:  # a0 + the ragged items, then + a1 + a2 + a3
        parts = np.concatenate((parts[:, :1], x[:, rows * 4 :], parts[:, 1:]), axis=1)
    return _seq(parts, 1)


def _inner(x: np.ndarray, itemsize: int | None = None) -> np.ndarray:
    """Sum of each row of ``x`` (rows, n), contiguous along n: ``vectorized_inner_sum``.

    ``x`` holds the data in the accumulation type; ``itemsize`` is the size of the data's
    own type (``x``'s when not given), whose vector loads ``width = 32 // itemsize``
    elements. For float16 a load of 16 values is converted to two float32 vectors and
    folded into one: lane i gets
    ``x[i] + x[i + 8]`` (``InnerSumCastLoadPolicy``, ``load_fp32_from_fp16``); rows shorter
    than 16 take the scalar path.
    """
    n = x.shape[1]
    itemsize = itemsize or x.itemsize
    width = _VEC_BYTES // itemsize
    if n < width:  # scalar_inner_sum / scalar_outer_sum: a scalar row_sum
        return _row_sum(x)
    whole = n - n % width
    vectors = x[:, :whole].reshape(x.shape[0], whole // width, width)
    if itemsize != x.itemsize:  # float16 in float32: first half + second half of each load
        vectors = vectors[..., : width // 2] + vectors[..., width // 2 :]
    vacc = _row_sum(vectors)
    if whole != n:  # 0 + the ragged elements + the lanes one by one
        vacc = np.concatenate((x[:, whole:], vacc), axis=1)
    return _seq(vacc, 1)


def _outer_block(x: np.ndarray, itemsize: int) -> np.ndarray:
    """Column sums of ``x`` (batch, n, cols), rows strided: one ``*_outer_sum`` call.

    ``x`` is in the accumulation type, ``itemsize`` the data's: the vectorized kernel runs
    when there are as many columns as one load of the data holds (16 float16, 8 float32),
    and then adds columns in groups of 4 accumulator vectors (32 float32 lanes)."""
    cols = x.shape[2]
    lanes = _VEC_BYTES // x.itemsize
    vectorized = cols >= _VEC_BYTES // itemsize
    group = 4 * lanes if vectorized else 4  # vectorized_outer_sum / scalar_outer_sum
    multi = cols - cols % group
    if multi == cols:
        return _cascade(x)
    if multi == 0:
        return _row_sum(x)
    return np.concatenate((_cascade(x[:, :, :multi]), _row_sum(x[:, :, multi:])), axis=1)


def _column_ranges(cols: int, itemsize: int) -> list[tuple[int, int]]:
    """How ``parallel_dim_reduction`` shares ``cols`` columns between the threads."""
    nthreads = min(_num_threads, cols)
    chunk = -(-cols // nthreads)
    multiple = 128 // itemsize  # columns are rounded to 128 bytes
    ranges = []
    for t in range(nthreads):
        begin, end = t * chunk, min(cols, (t + 1) * chunk)
        if begin >= cols:
            break
        begin -= begin % multiple
        if end != cols:
            end -= end % multiple
        if begin != end:
            ranges.append((begin, end))
    return ranges


def _outer(x: np.ndarray, split_columns: bool, itemsize: int) -> np.ndarray:
    """Column sums of ``x`` (batch, n, cols), torch's column split between threads applied
    (``x`` in the accumulation type, ``itemsize`` the data's)."""
    if not split_columns:
        return _outer_block(x, itemsize)
    ranges = _column_ranges(x.shape[2], itemsize)
    if len(ranges) == 1:
        return _outer_block(x, itemsize)
    return np.concatenate([_outer_block(x[:, :, b:e], itemsize) for b, e in ranges], axis=1)


def _full_small(x: np.ndarray) -> np.floating:
    """``_inner`` of one short row (fewer than 64 vectors: no cascade block), in 3-6 calls."""
    n = x.shape[0]
    lanes = _VEC_BYTES // x.itemsize
    if n < lanes:  # a scalar row_sum
        if n < 4:
            return np.add.accumulate(x)[-1] if n > 1 else x[0]
        whole = n - n % 4
        parts = x[:4] if whole == 4 else np.add.reduce(x[:whole].reshape(-1, 4), axis=0)
        return np.add.accumulate(np.concatenate((parts[:1], x[whole:], parts[1:])))[-1]
    whole = n - n % lanes
    block = 4 * lanes
    rows = whole // block
    ragged = n - whole
    # the final ``0 + ragged elements + lanes one by one``, summed in one buffer
    chain = np.empty_like(x, shape=ragged + lanes)  # (of x: tg.compile records it)
    acc = chain[ragged:]
    if rows == 0:  # 1-3 vectors: accumulator 0 only
        if whole == lanes:
            acc[...] = x[:lanes]
        elif whole == 2 * lanes:  # (one add: the same order as a reduce over 2 rows)
            np.add(x[:lanes], x[lanes:whole], out=acc)
        else:
            np.add.reduce(x[:whole].reshape(-1, lanes), axis=0, out=acc)
    else:  # 4 accumulators, then a0 + ragged vectors + a1 + a2 + a3
        cut = rows * block
        parts = x[:block] if rows == 1 else np.add.reduce(x[:cut].reshape(rows, block), axis=0)
        vectors = np.concatenate((parts[:lanes], x[cut:whole], parts[lanes:]))
        np.add.reduce(vectors.reshape(-1, lanes), axis=0, out=acc)
    if ragged:
        chain[:ragged] = x[whole:]
    return np.add.accumulate(chain, out=chain)[-1]


def _full_vectors(x: np.ndarray) -> np.floating:
    """``_inner`` of one contiguous row of 64 vectors or more, in as few numpy calls as can be.

    The same steps as ``_row_sum``/``_cascade``, unrolled for one row: block sums, the
    levels above them, ``tail + level1 + level2 + level3`` per accumulator, then
    ``a0 + ragged vectors + a1 + a2 + a3`` per lane, then ``ragged elements + lanes``.
    """
    n = x.shape[0]
    lanes = _VEC_BYTES // x.itemsize
    width = 4 * lanes  # one row of the 4 accumulators
    nvec = n // lanes
    rows = nvec >> 2
    power = max(4, _ceil_log2(rows) >> 2)
    step = 1 << power
    nblocks = rows >> power
    cut = (nblocks << power) * width
    if cut < 8192:  # (nblocks, width) sums of the level-0 blocks
        sums = np.add.reduce(x[:cut].reshape(nblocks, step, width), axis=1)
    else:
        sums = _seq(x[:cut].reshape(1, nblocks, step, width), 2)[0]
    chain = [x[cut : rows * width].reshape(-1, width)] if cut < rows * width else []
    for _ in range(2):  # levels 1 and 2: sums of an unfinished group of `step`
        groups = sums.shape[0] >> power
        if groups << power < sums.shape[0]:
            chain.append(np.add.reduce(sums[groups << power :], axis=0, keepdims=True))
        if groups == 0:
            break
        sums = np.add.reduce(sums[: groups << power].reshape(groups, step, width), axis=1)
    else:  # level 3: a running sum of the rest
        chain.append(np.add.reduce(sums, axis=0, keepdims=True))
    # the 4 accumulators: level 0 (the ragged rows) + level 1 + level 2 + level 3
    parts = chain[0][0] if len(chain) == 1 else np.add.reduce(np.concatenate(chain), axis=0)
    if rows * 4 != nvec:
        parts = np.concatenate((parts[:lanes], x[rows * width : nvec * lanes], parts[lanes:]))
    acc = np.add.reduce(parts.reshape(-1, lanes), axis=0)
    if nvec * lanes != n:
        acc = np.concatenate((x[nvec * lanes :], acc))
    return np.add.accumulate(acc)[-1]


def _full_half(x: np.ndarray) -> np.floating:
    """Sum of a contiguous 1-D float16 ``x``, in float32 (the caller rounds it to float16).

    With threads, each thread's partial sum is stored in a float16 buffer (rounded), and the
    buffer is then summed like any float16 row."""
    n = x.shape[0]
    if n < _GRAIN or _num_threads == 1:
        return _inner(x[None].astype(np.float32), 2)[0]
    nthreads = min(_num_threads, -(-n // _GRAIN))
    chunk = -(-n // nthreads)
    buffer = np.zeros(_num_threads, x.dtype)
    with np.errstate(over="ignore"):  # past 65504: inf, as torch
        for t in range(nthreads):
            if t * chunk < n:
                part = x[None, t * chunk : (t + 1) * chunk].astype(np.float32)
                buffer[t] = _inner(part, 2)[0]
    return _inner(buffer[None].astype(np.float32), 2)[0]


def _full(x: np.ndarray) -> np.floating:
    """Sum of a contiguous 1-D ``x``: ``two_pass_reduction`` when torch uses threads."""
    n = x.shape[0]
    if x.dtype in REDUCED:
        return _full_half(x)
    if n < 64 * _VEC_BYTES // x.itemsize:  # under 64 vectors
        return _full_small(x)
    if n < _GRAIN or _num_threads == 1:
        return _full_vectors(x)
    nthreads = min(_num_threads, -(-n // _GRAIN))
    chunk = -(-n // nthreads)
    buffer = np.zeros(_num_threads, x.dtype)
    for t in range(nthreads):
        if t * chunk < n:
            buffer[t] = _full_vectors(x[t * chunk : (t + 1) * chunk])
    return _full(buffer)


# ---------------------------------------------------------------------------------------------
# Layouts
# ---------------------------------------------------------------------------------------------


def _normalize_axis(axis: int | Sequence[int] | None, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    if type(axis) is tuple and all(type(a) is int and 0 <= a < ndim for a in axis):
        if all(axis[i] < axis[i + 1] for i in range(len(axis) - 1)):
            return axis  # the common case, already normal
    if isinstance(axis, (int, np.integer)):
        axis = (int(axis),)
    out = []
    for a in axis:
        if not -max(ndim, 1) <= a < max(ndim, 1):
            raise np.exceptions.AxisError(a, ndim)
        out.append(int(a) % max(ndim, 1))
    if len(set(out)) != len(out):
        raise ValueError("duplicate value in 'axis'")
    return tuple(sorted(out))


def _plan(x: np.ndarray, axes: tuple[int, ...]) -> tuple[np.ndarray, str, list[int]] | None:
    """Drop size-1 axes, put the axes in memory order and merge neighbours of one kind.

    Returns a C-contiguous view, its pattern (``"R"`` reduced / ``"K"`` kept per axis) and
    its shape, or None when torch's order is not reproduced here.
    """
    if x.dtype not in _FLOATS and x.dtype not in REDUCED:
        return None
    keep = [d for d in range(x.ndim) if x.shape[d] != 1]
    if not x.flags.c_contiguous:
        if any(x.strides[d] <= 0 for d in keep):
            return None
        keep.sort(key=lambda d: -x.strides[d])
        expected = x.itemsize
        for d in reversed(keep):  # dense: a transpose of a C-contiguous buffer
            if x.strides[d] != expected:
                return None
            expected *= x.shape[d]
        kept = [d for d in keep if d not in axes]
        if kept != sorted(kept):  # torch's output is laid out in the logical order
            return None
    pattern: list[str] = []
    shape: list[int] = []
    for d in keep:
        kind = "R" if d in axes else "K"
        if pattern and pattern[-1] == kind:
            shape[-1] *= x.shape[d]
        else:
            pattern.append(kind)
            shape.append(x.shape[d])
    view = x.transpose(keep + [d for d in range(x.ndim) if x.shape[d] == 1])
    return view.reshape(shape), "".join(pattern), shape


def _reduce(x: np.ndarray, axes: tuple[int, ...]) -> np.ndarray | None:
    """torch's sum over ``axes`` in the order of the kept axes in memory, or None.

    float32/float64 give a result in their own type; float16 one in float32, its
    accumulation type, that the caller rounds to float16 (torch's single rounding).
    """
    size = x.itemsize
    if x.ndim == 2 and x.flags.c_contiguous and x.dtype in _FLOATS and 1 < x.shape[0]:
        if axes == (1,) and x.shape[1] > 1:  # the common cases first, planned by hand
            return _inner(x, size)
        if axes == (0,) and x.shape[1] > 1:
            return _outer(x[None], x.size >= _GRAIN and _num_threads > 1, size)[0]
    planned = _plan(x, axes)
    if planned is None:
        return None
    v, pattern, shape = planned
    big = x.size >= _GRAIN and _num_threads > 1
    if pattern in ("", "K"):  # nothing to add: 0 + x
        return v + x.dtype.type(0)
    if pattern == "R":
        return np.asanyarray(_full(v))
    a = v.astype(np.float32) if x.dtype in REDUCED else v  # float16 is added in float32
    if pattern == "KR":
        return _inner(a, size)
    if pattern == "RK":
        return _outer(a[None], big, size)[0]
    if pattern == "KRK":
        outer, cols = shape[0], shape[2]
        # find_split_dim: the outer kept axis if it has >= T entries, else the columns
        # if they do (or are the longer one); splitting the outer axis changes nothing
        split_columns = big and outer < _num_threads and (cols >= _num_threads or cols > outer)
        return _outer(a, split_columns, size)
    if pattern == "RKR":  # each output adds its rows' sums one after the other
        # (two reduced axes: torch sums float16 as a float32 copy, should_use_acc_buffer)
        n, m, k = shape
        rows = _inner(a.reshape(n * m, k), a.itemsize).reshape(n, m)
        return _seq(rows.T, 1)
    return None


# ---------------------------------------------------------------------------------------------
# API
# ---------------------------------------------------------------------------------------------


def is_exact(x: np.ndarray, axis: int | Sequence[int] | None = None) -> bool:
    """Whether :func:`torch_sum` reproduces torch's bits for this array and axis."""
    x = np.asanyarray(x)
    if x.size == 0:
        return x.dtype in _FLOATS or x.dtype in REDUCED
    return _plan(x, _normalize_axis(axis, x.ndim)) is not None


def sum_all(x: np.ndarray) -> np.ndarray:
    """``torch_sum(x)`` of an ndarray: the sum of all elements, as a 0-d array."""
    if x.dtype in _FLOATS and x.flags.c_contiguous:
        if not x.size:
            return np.zeros((), x.dtype)
        flat = x.reshape(-1)
        n = flat.shape[0]
        total = _full_small(flat) if n < 64 * _VEC_BYTES // x.itemsize else _full(flat)
        # torch gives +0.0, not -0.0: (-0.0) + 0.0 is +0.0, any other total stays as it is
        # (an addition, not `if total`: Python reads no value, which tg.compile would check)
        return np.asanyarray(total + 0.0)
    return torch_sum(x, tuple(range(x.ndim)))  # other layouts and dtypes


def torch_sum(
    x: np.ndarray, axis: int | Sequence[int] | None = None, keepdims: bool = False
) -> np.ndarray:
    """``torch.sum(x, dim=axis, keepdim=keepdims)`` on CPU, bit for bit (see module doc).

    ``axis`` is an int, a tuple of ints (``()`` reduces nothing, as in numpy) or None (all
    axes). Returns an ndarray of ``x``'s dtype (0-d for a full reduction). Falls back to
    ``np.sum`` for layouts and dtypes it cannot reproduce (:func:`is_exact`).

    Example:
        >>> x = np.arange(1, 13, dtype=np.float32) / 10
        >>> float(torch_sum(x)), float(np.sum(x))  # torch.sum gives 7.799999713897705 too
        (7.799999713897705, 7.800000190734863)
    """
    x = np.asanyarray(x)
    if axis is None and not keepdims and x.dtype in _FLOATS and x.flags.c_contiguous:
        return sum_all(x)
    axes = _normalize_axis(axis, x.ndim)
    out = None if x.size == 0 else _reduce(x, axes)
    if out is None:
        return np.asanyarray(np.sum(x, axis=axes, keepdims=keepdims))
    out = np.asanyarray(out)
    if out.dtype != x.dtype:  # float16 added in float32: rounded once, as torch stores it
        with np.errstate(over="ignore"):  # past 65504: inf, as torch
            out = out.astype(x.dtype)
    np.add(out, x.dtype.type(0), out=out)  # torch adds into a zeroed output: -0.0 -> +0.0
    if keepdims:
        return out.reshape([1 if d in axes else x.shape[d] for d in range(x.ndim)])
    return out.reshape([x.shape[d] for d in range(x.ndim) if d not in axes])


def divide(value: np.ndarray, n: int) -> np.ndarray:
    """``value / n`` for one float32/float64 number, rounded as one IEEE division in its dtype.

    Computed in Python floats, three times cheaper than numpy's scalar path, and exact: the
    float32 rounding of the double quotient is the correctly rounded float32 quotient (two
    roundings agree when the wider format has at least 2p + 2 bits: 53 >= 2 * 24 + 2).
    """
    if n == 0 or value.dtype not in _FLOATS or type(value) is not np.ndarray:
        # numpy's division gives the same bits; an ndarray subclass (tg.compile's recorder)
        # takes this path, as Python floats would hide the value from it
        return np.asanyarray(value / value.dtype.type(n))
    divisor = n if n < 1 << 24 else float(value.dtype.type(n))  # n as the dtype rounds it
    return np.asanyarray(float(value) / divisor, value.dtype)


def torch_mean(
    x: np.ndarray, axis: int | Sequence[int] | None = None, keepdims: bool = False
) -> np.ndarray:
    """``torch.mean``: torch's sum, then one division by the count in ``x``'s dtype.

    (torch computes ``sum(x).div_(n)``; ``sum(x) * (1 / n)`` would round differently.)
    float16 is converted to float32 first (``mean_out``: cast_fp32 -> sum -> div -> cast):
    a float32 sum in float32's order, not float16's.
    """
    x = np.asanyarray(x)
    if x.dtype in REDUCED:  # torch converts float16 to float32, takes the mean, rounds it back
        with np.errstate(over="ignore"):
            return torch_mean(x.astype(np.float32), axis, keepdims).astype(x.dtype)
    if x.dtype not in _FLOATS:
        return np.asanyarray(np.mean(x, axis=axis, keepdims=keepdims))
    if axis is None and not keepdims and x.size:  # the mean of all (a loss): the short way
        return divide(sum_all(x), x.size)
    if axis is None:
        count = x.size
    else:
        count = 1
        for d in _normalize_axis(axis, x.ndim):
            count *= x.shape[d] if x.ndim else 1
    total = torch_sum(x, axis, keepdims)
    if total.ndim == 0:
        return np.asanyarray(total[()] / x.dtype.type(count))
    return np.divide(total, x.dtype.type(count), out=total)
