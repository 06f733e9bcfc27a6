"""``fma(a, b, c) = a * b + c`` rounded once, as PyTorch's CPU kernels compute it.

Numpy rounds ``a * b`` and then the sum: two roundings. PyTorch's vectorized CPU kernels
use the processor's fused multiply-add (one rounding) in ``add(x, y, alpha=)``
(``fma(y, alpha, x)``), ``addcmul(x, y, z, value=)`` (``fma(value * y, z, x)``) and
``lerp`` (``fma(w, end - x, x)``), so an optimizer written with the plain expressions
drifts from PyTorch's in the last bit. (``addcdiv`` is not fused.)

The emulation is exact, in vectorized numpy (Boldo & Melquiond, "Emulation of FMA and
correctly rounded sums: proved algorithms using rounding to odd", 2008):

* ``a * b`` exactly, as ``p + e`` (float32: one float64 product, exact since 24 + 24 <= 53
  bits; float64: Dekker's product, the factors split into 26-bit halves);
* ``p + c`` exactly, as ``s + t`` (Knuth's TwoSum);
* ``t + e`` rounded *to odd* (truncated, last bit set if anything was cut), then added to
  ``s`` with ordinary rounding: rounding to odd keeps the information a later rounding
  needs, so the result is the correctly rounded ``a * b + c``. For float32 the whole sum
  is rounded to odd in float64 and then once to float32 (53 >= 24 + 2 bits make that
  double rounding harmless); since only a sum landing on a float32 midpoint can round
  differently, only those (rare) elements take the slow path.

Where the exact pieces overflow (values near the dtype's largest) the plain ``a * b + c``
is used. Other dtypes get the plain expression.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["fma"]

_SPLITTER = 134217729.0  # 2**27 + 1: splits a float64 into two 26-bit halves


def fma(a: Any, b: Any, c: np.ndarray) -> np.ndarray:
    """``a * b + c`` with a single rounding, in the dtype of ``c`` (float32 or float64;
    ``a`` and ``b`` may be Python numbers, read in that dtype as PyTorch reads a scalar)."""
    dtype = c.dtype
    a, b = np.asarray(a, dtype=dtype), np.asarray(b, dtype=dtype)
    with np.errstate(invalid="ignore", over="ignore"):
        if dtype == np.float32:
            out = _fma32(a, b, c)
        elif dtype == np.float64:
            p, e = _two_product(a, b)
            s, t = _two_sum(p, c)
            out = s + _odd(*_two_sum(t, e))
        else:
            return np.asarray(a * b + c)
        broken = ~np.isfinite(out)
        if broken.any():
            out = np.where(broken, a * b + c, out)
    return np.asarray(out)


def _fma32(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """float32: the product is exact in float64 and the sum is rounded once there; the
    second rounding (to float32) can only go wrong when that sum fell exactly on a float32
    midpoint (float64 bits ending in 1 and 28 zeros) while the exact sum was not on it:
    only there is the sum rounded to odd (one float64 ulp towards the exact value)."""
    p = a.astype(np.float64)
    p *= b
    s = np.add(p, c, dtype=np.float64)
    tie = (s.view(np.int64) & 0x1FFFFFFF) == 0x10000000
    if tie.any():
        s = np.array(s)
        p, cc = np.broadcast_to(p, s.shape)[tie], np.broadcast_to(c, s.shape)[tie]
        s[tie] = _odd(*_two_sum(p, cc.astype(np.float64)))
    return s.astype(np.float32)


def _two_sum(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``x + y = s + t`` exactly, s the rounded sum (Knuth)."""
    s = x + y
    yy = s - x
    t = x - (s - yy)
    t += y - yy
    return s, t


def _two_product(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``x * y = p + e`` exactly, p the rounded product (Dekker)."""
    p = x * y
    xh, xl = _split(x)
    yh, yl = _split(y)
    e = xh * yh - p
    e += xh * yl
    e += xl * yh
    e += xl * yl
    return p, e


def _split(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = x * _SPLITTER
    high = t - (t - x)
    return high, x - high


def _odd(s: np.ndarray, t: np.ndarray) -> np.ndarray:
    """``s + t`` (with ``s`` the rounded sum and ``t`` its exact error) rounded to odd:
    when the sum was inexact and ``s`` is even, step one ulp towards the exact value."""
    s = np.array(s, dtype=np.float64)
    bits = s.view(np.int64)
    bump = (bits & 1) == 0
    bump &= t != 0
    bump &= np.isfinite(t)
    # one ulp away from zero (bits + 1) if the exact value lies beyond s, else towards it
    towards_exact = np.where((t > 0) == (s > 0), 1, -1)
    towards_exact *= bump
    bits += towards_exact
    return s
