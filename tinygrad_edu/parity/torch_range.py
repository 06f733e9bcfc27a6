"""``arange``, ``linspace`` and ``logspace`` with the very bits of PyTorch's CPU kernels.

``start + i * step`` can round in more than one way, and PyTorch's kernels
(``aten/src/ATen/native/cpu/RangeFactoriesKernel.cpp``, ``native/RangeFactories.cpp``)
pick theirs: a fused multiply-add (one rounding, where the compiler fused ``a * b + c``),
the half of the range counted from ``end``, vectors of 32 bytes. numpy's ``linspace`` and
``arange`` round otherwise, so ``tg.linspace(-pi, pi, 2000)`` used to differ from PyTorch's
in the last bit of a few values, and a training loop on it drifted apart.

How torch 2.13 computes element ``i`` (``L`` = the lanes of a 32-byte vector):

* ``linspace`` (float32, float64): ``step = (end - start) / (steps - 1)`` in the dtype;
  ``fma(step, i, start)`` for ``i < steps // 2``, else ``fma(-step, steps - 1 - i, end)``.
  Integer dtypes: the same in float64 from the truncated ``start`` and ``end``, then
  truncated. float16: each operation rounded to float16 (``c10::Half``), no fusing.
* ``arange`` (float32 and float64 count in float64, float16 in float32): the output is cut
  into the threads' chunks (``at::parallel_for``), each chunk into vectors of ``L`` lanes
  taken two at a time, the rest one by one. A vector at ``i0`` holds
  ``fma(k, step, b)`` for ``k < L``, with ``b = fma(step, i0, start)`` rounded to the dtype;
  the rest holds ``fma(step, i, start)``.
* ``logspace``: ``pow(base, start + step * i)`` in float64 (C's ``pow``, not fused;
  the second half from ``end``), ``step`` from ``end - start`` taken in the dtype.
"""

from __future__ import annotations

import math

import numpy as np

from ..dtypes import FLOATING
from .fma import fma32, fma64
from .torch_sum import get_num_threads

_GRAIN = 32768  # at::internal::GRAIN_SIZE
_VEC_BYTES = 32  # the AVX2 kernel, which torch also runs on AVX512 CPUs

__all__ = ["arange", "linspace", "logspace"]


# ---------------------------------------------------------------------------------------------
# A fused multiply-add in numpy: a * b + c rounded once
# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# The three factories
# ---------------------------------------------------------------------------------------------


def linspace(start: float, end: float, steps: int, dtype: np.dtype) -> np.ndarray:
    """``steps`` values from ``start`` to ``end`` inclusive, as ``torch.linspace``."""
    if steps <= 1:
        return np.full(steps, start).astype(dtype)
    i = np.arange(steps)
    low = i < steps // 2  # the first half counts from start, the second from end
    if dtype == np.float16:  # c10::Half: every operation rounded to float16
        s, e = np.float16(start), np.float16(end)
        step = (e - s) / np.float16(steps - 1)
        from_end = (steps - 1 - i).astype(np.float16)  # (counted as ints, then rounded)
        return np.where(low, s + step * i.astype(np.float16), e - step * from_end)
    if dtype in FLOATING:
        s, e = dtype.type(start), dtype.type(end)
        step = (e - s) / dtype.type(steps - 1)
        fma = fma32 if dtype == np.float32 else fma64
        return np.where(low, fma(step, i, s), fma(-step, steps - 1 - i, e)).astype(dtype)
    s, e = math.trunc(start), math.trunc(end)  # an integer dtype: counted in float64
    step = (float(e) - float(s)) / (steps - 1)
    values = np.where(low, fma64(step, i, s), fma64(-step, steps - 1 - i, e))
    return np.trunc(values).astype(dtype)


def arange(start: float, step: float, count: int, dtype: np.dtype) -> np.ndarray:
    """``count`` values ``start + i * step`` of a floating dtype, as ``torch.arange``."""
    half = dtype == np.float16
    fma = fma32 if half else fma64  # (the accumulate type: float for half, else double)
    acc = np.float32 if half else np.float64
    start_, step_ = acc(start), acc(step)
    lanes = _VEC_BYTES // dtype.itemsize
    out = fma(step_, np.arange(count), start_).astype(dtype)  # the one-by-one formula
    k = np.arange(lanes)
    for first, last in _thread_chunks(count):
        vectors = np.arange(first, last - 2 * lanes + 1, 2 * lanes)
        heads = np.concatenate([vectors, vectors + lanes])  # two vectors at a time
        if heads.size:
            base = out[heads].astype(acc)  # (rounded to the dtype, as the kernel's base)
            out[heads[:, None] + k] = fma(k, step_, base[:, None]).astype(dtype)
    return out


def logspace(start: float, end: float, steps: int, base: float, dtype: np.dtype) -> np.ndarray:
    """``steps`` values ``base ** e`` for ``e`` from ``start`` to ``end``, as
    ``torch.logspace``."""
    if steps <= 1:
        return np.array([_pow(base, start)] * steps).astype(dtype)
    if dtype in FLOATING:
        s, e = dtype.type(start), dtype.type(end)
    else:
        s, e = np.int64(math.trunc(start)), np.int64(math.trunc(end))
    step = float(e - s) / (steps - 1)  # (the difference taken in the dtype)
    half = steps // 2
    exponents = [float(s) + step * i if i < half else float(e) - step * (steps - i - 1)
                 for i in range(steps)]
    values = np.array([_pow(base, x) for x in exponents])
    return (np.trunc(values) if dtype not in FLOATING else values).astype(dtype)


def _pow(base: float, exponent: float) -> float:
    """C's ``pow`` (numpy's float64 power may be another implementation, off by an ulp)."""
    try:
        return math.pow(base, exponent)
    except OverflowError:
        return math.inf
    except ValueError:  # a negative base to a fractional power
        return math.nan


def _thread_chunks(n: int) -> list[tuple[int, int]]:
    """How ``at::parallel_for`` cuts ``range(n)`` between torch's threads."""
    threads = min(get_num_threads(), -(-n // _GRAIN)) if n > _GRAIN else 1
    size = max(-(-n // threads), 1)
    return [(first, min(n, first + size)) for first in range(0, n, size)]
