"""``a * b + c`` rounded once, as PyTorch's CPU kernels compute it: the one exact fused
multiply-add of the package (numpy has none).

PyTorch's kernels are compiled with FMA contraction: wherever the compiler fused ``a * b +
c`` (its vectorized ``add(x, y, alpha=)``, ``addcmul``, ``lerp``, the random
distributions' ``u * (b - a) + a``, ``linspace``'s ``start + i * step``) the product is not
rounded before the sum. Numpy rounds both, so the last bit can differ; here the fused
result is emulated exactly, in vectorized numpy (Boldo & Melquiond, "Emulation of FMA and
correctly rounded sums: proved algorithms using rounding to odd", 2008):

* ``a * b`` exactly, as ``p + e`` (float32: one float64 product, exact since 24 + 24 <= 53
  bits; float64: Dekker's product, the factors split into 26-bit halves);
* ``p + c`` exactly, as ``s + t`` (Knuth's TwoSum);
* ``t + e`` rounded *to odd* (truncated, last bit set if anything was cut), then added to
  ``s`` with ordinary rounding: rounding to odd keeps what a later rounding needs, so the
  result is the correctly rounded ``a * b + c``. For float32 the sum rounded in float64 is
  already right except where it lands on a float32 midpoint (or among float32's
  subnormals): only those rare elements take the exact path.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["fma", "fma32", "fma64", "two_prod", "two_sum"]


def fma(a: Any, b: Any, c: Any) -> np.ndarray:
    """``a * b + c`` with a single rounding, in the dtype of ``c`` (of ``a`` when ``c`` is a
    Python number): float32 or float64; the Python numbers among them are read in that
    dtype, as PyTorch reads a scalar. Other dtypes get the plain expression."""
    dtype = c.dtype if isinstance(c, np.ndarray) else np.asanyarray(a).dtype
    a, b, c = np.asanyarray(a, dtype=dtype), np.asanyarray(b, dtype=dtype), np.asanyarray(c, dtype)
    if dtype == np.float32:
        return fma32(a, b, c)
    if dtype == np.float64:
        return fma64(a, b, c)
    return np.asanyarray(a * b + c)


def two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Knuth's TwoSum: ``s + err == a + b`` exactly, with ``s = fl(a + b)``."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def two_prod(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dekker's TwoProduct: ``p + err == a * b`` exactly (Veltkamp splitting)."""
    p = a * b
    t = 134217729.0 * a  # 2**27 + 1
    ah = t - (t - a)
    t = 134217729.0 * b
    bh = t - (t - b)
    al, bl = a - ah, b - bh
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def _round_to_odd(s: np.ndarray, err: np.ndarray) -> np.ndarray:
    """Turn ``s = RN(exact)`` into round-to-odd(exact), given ``err = exact - s``.

    Rounding to odd in float64 and then to nearest in float32 (or adding once more) never
    suffers from double rounding (Boldo & Melquiond, 2008).
    """
    fix = (err != 0) & ((s.view(np.int64) & 1) == 0)
    if not fix.any():
        return s
    return np.where(fix, np.nextafter(s, np.where(err > 0, np.inf, -np.inf)), s)


def fma32(a: ArrayLike, b: ArrayLike, c: ArrayLike) -> np.ndarray:
    """Correctly rounded float32 ``a * b + c`` (``a``, ``c`` read as float32; ``b`` as
    float64, so an integer below 2**29 is exact too): the product is exact in float64.

    Rounding ``p + c`` to float64 and then to float32 is only wrong when the float64 sum
    lands exactly halfway between two float32 (or in float32's subnormal range); only those
    rare elements are redone exactly, with round-to-odd.
    """
    p = np.asanyarray(a, np.float32).astype(np.float64) * np.asanyarray(b, np.float64)
    c64 = np.asanyarray(c, np.float32).astype(np.float64)
    s = np.asanyarray(p + c64)
    low_bits = s.view(np.int64) & 0x1FFFFFFF  # the 29 bits float32 drops
    risky = (low_bits == 0x10000000) | (np.abs(s) < 2.0**-126)
    if risky.any():
        p, c_full = np.broadcast_to(p, s.shape), np.broadcast_to(c64, s.shape)
        with np.errstate(invalid="ignore"):
            s[risky] = _round_to_odd(*two_sum(p[risky], c_full[risky]))
    with np.errstate(over="ignore"):
        return s.astype(np.float32)


def fma64(a: ArrayLike, b: ArrayLike, c: ArrayLike) -> np.ndarray:
    """Correctly rounded float64 ``a * b + c`` (Boldo & Melquiond's emulation via
    round-to-odd); where the exact pieces overflow or an input is not finite, IEEE's
    plain ``a * b + c`` (the same result)."""
    a64, b64, c64 = np.broadcast_arrays(*(np.asanyarray(v, np.float64) for v in (a, b, c)))
    with np.errstate(invalid="ignore", over="ignore"):
        hi, lo = two_prod(a64, b64)
        sh, sl = two_sum(c64, hi)
        out = sh + _round_to_odd(*two_sum(sl, lo))
        if not np.isfinite(out).all():
            out = np.where(np.isfinite(out), out, a64 * b64 + c64)
    return np.asanyarray(out)
