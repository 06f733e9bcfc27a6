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
from typing import Any

import numpy as np

from ..dtypes import FLOATING
from .torch_sum import get_num_threads

_GRAIN = 32768  # at::internal::GRAIN_SIZE
_VEC_BYTES = 32  # the AVX2 kernel, which torch also runs on AVX512 CPUs

__all__ = ["arange", "linspace", "logspace"]


# ---------------------------------------------------------------------------------------------
# A fused multiply-add in numpy: a * b + c rounded once
# ---------------------------------------------------------------------------------------------


def _two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``s = a + b`` and its rounding error ``e`` (``a + b == s + e`` exactly)."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _two_prod(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``p = a * b`` and its rounding error (Dekker's product, by Veltkamp's split)."""
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def _split(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    c = 134217729.0 * a  # 2**27 + 1
    hi = c - (c - a)
    return hi, a - hi


def _fma64(a: Any, b: Any, c: Any) -> np.ndarray:
    """``a * b + c`` in float64 with one rounding (as C's ``fma``)."""
    a, b, c = (np.asarray(v, np.float64) for v in (a, b, c))
    p, ep = _two_prod(a, b)
    s, es = _two_sum(p, c)
    t, et = _two_sum(es, ep)
    hi, lo = _two_sum(s, t)  # the exact result is hi + lo + et, with |et| tiny
    # hi rounds it correctly unless hi + lo is a tie between two floats: then the sign
    # of et decides (a tie broken to even by hi would be wrong)
    other = hi + 2 * lo
    tie = (lo != 0) & (other - hi == 2 * lo) & (other == np.nextafter(hi, other))
    return np.where(tie & (et != 0) & ((et > 0) == (lo > 0)), other, hi)


def _fma32(a: Any, b: Any, c: Any) -> np.ndarray:
    """``a * b + c`` rounded once to float32, for float32 ``a``, ``c`` and integers ``b``
    below 2**29 (the product is then exact in float64)."""
    s, e = _two_sum(np.asarray(a, np.float64) * np.asarray(b, np.float64),
                    np.asarray(c, np.float64))
    r = s.astype(np.float32)
    # s is the exact sum rounded to float64: only an exact float32 tie can round the
    # wrong way, and then the sign of the error decides
    up = np.nextafter(r, np.float32(np.inf))
    down = np.nextafter(r, np.float32(-np.inf))
    r = np.where((s == (r.astype(np.float64) + up) / 2) & (e > 0), up, r)
    return np.where((s == (r.astype(np.float64) + down) / 2) & (e < 0), down, r)


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
        fma = _fma32 if dtype == np.float32 else _fma64
        return np.where(low, fma(step, i, s), fma(-step, steps - 1 - i, e)).astype(dtype)
    s, e = math.trunc(start), math.trunc(end)  # an integer dtype: counted in float64
    step = (float(e) - float(s)) / (steps - 1)
    values = np.where(low, _fma64(step, i, s), _fma64(-step, steps - 1 - i, e))
    return np.trunc(values).astype(dtype)


def arange(start: float, step: float, count: int, dtype: np.dtype) -> np.ndarray:
    """``count`` values ``start + i * step`` of a floating dtype, as ``torch.arange``."""
    half = dtype == np.float16
    fma = _fma32 if half else _fma64  # (the accumulate type: float for half, else double)
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
