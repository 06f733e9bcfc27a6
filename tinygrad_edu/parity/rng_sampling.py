"""Integers, permutations, Bernoulli, the continuous distributions and ``multinomial``
as PyTorch's CPU kernels draw them (see ``rng_state`` for how the stream is read)."""

from __future__ import annotations

import math
import operator
import warnings
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from ..dtypes import FLOATING
from .errors import not_implemented
from .fma import fma64
from .names import CPP_TYPE_NAMES, scalar_type_name
from .rng_floats import (
    _DIGITS,
    ShapeLike,
    _from_double,
    _from_int64,
    _gen,
    _libm_f64,
    _normal_small,
    _num,
    _shape,
    _uniform01,
    arrange,
)
from .rng_state import _MASK64, _U64, Generator
from .stl_sort import topk_indices

_RANDPERM_SMALL_N = (2**32 - 1) // 20  # torch switches randperm algorithm above this n

# ---------------------------------------------------------------------------------------------
# Integers
# ---------------------------------------------------------------------------------------------


def randint(
    low: int,
    high: int,
    shape: ShapeLike,
    dtype: DTypeLike = np.int64,
    generator: Generator | None = None,
) -> np.ndarray:
    """Integers uniform in [low, high): ``torch.randint(low, high, shape)``.

    Each element is ``random() % (high - low) + low``, with a 64-bit draw instead when
    ``high - low >= 2**28``. The default dtype is int64 as in torch; other dtypes follow
    ``random_from_to`` (torch fills ``empty(shape, dtype=dtype).random_(low, high)``).

    Example:
        >>> _ = manual_seed(0); randint(0, 10, (5,))
        array([4, 9, 3, 0, 3])
    """
    return random_from_to(shape, low, high, dtype, generator)


# random_() without bounds: the modulus per dtype (torch's transformation::uniform_int).
_RANDOM_MODULUS = {
    np.dtype(np.int64): 2**63,
    np.dtype(np.int32): 2**31,
    np.dtype(np.int16): 2**15,
    np.dtype(np.int8): 2**7,
    np.dtype(np.uint8): 2**8,
    np.dtype(np.bool_): 2,
    np.dtype(np.float16): 2**11 + 1,
    np.dtype(np.float32): 2**24 + 1,
    np.dtype(np.float64): 2**53 + 1,
}


def random_(
    shape: ShapeLike, dtype: DTypeLike = np.int64, generator: Generator | None = None
) -> np.ndarray:
    """``torch.empty(shape, dtype=dtype).random_()``: integers in [0, max of dtype].

    int64 and float64 take a 64-bit draw per element, other dtypes a 32-bit one; the value is
    that draw modulo ``2**63`` (int64), ``2**31`` (int32) ..., ``2**11 + 1`` (float16),
    ``2**24 + 1`` (float32), ``2**53 + 1`` (float64); bool takes its lowest bit.

    Example:
        >>> _ = manual_seed(0); random_(2)
        array([ 900450186894289455, 3969543146641149120])
    """
    dt, dims = np.dtype(dtype), _shape(shape)
    if dt not in _RANDOM_MODULUS:
        raise NotImplementedError(f"random_ is not implemented for dtype {dt}")
    n, gen = math.prod(dims), _gen(generator)
    bits = gen._random64(n) if dt in (np.int64, np.float64) else gen._random(n)
    return _from_int64((bits % _U64(_RANDOM_MODULUS[dt])).view(np.int64), dt).reshape(dims)


def random_from_to(
    shape: ShapeLike,
    low: int,
    high: int | None = None,
    dtype: DTypeLike = np.int64,
    generator: Generator | None = None,
) -> np.ndarray:
    """``torch.empty(shape, dtype=dtype).random_(low, high)``: integers in [low, high).

    ``high=None`` means up to the largest value of ``dtype`` (``2**mantissa digits`` for a
    float dtype), inclusive; ``low=-2**63, high=None`` means all 2**64 int64 values. Each
    element is ``draw % (high - low) + low``, the draw taking 64 bits when the width is at
    least ``2**28`` and 32 bits otherwise, then cast to ``dtype``. For a float dtype torch
    first moves ``low`` up and ``high`` down to values the dtype holds exactly; bounds outside
    the dtype raise (and a float beyond its exact integers warns), as in torch.

    Example:
        >>> _ = manual_seed(0); random_from_to(4, -3, 3)
        array([-1,  0,  2, -3])
    """
    dt, dims = np.dtype(dtype), _shape(shape)
    if dt not in _RANDOM_MODULUS:
        raise NotImplementedError(f"random_ is not implemented for dtype {dt}")
    low, gen = operator.index(low), _gen(generator)
    n = math.prod(dims)
    if high is not None:  # [low, high)
        high = operator.index(high)
        if not low < high:
            raise RuntimeError(
                f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
            )
        if dt in FLOATING:
            low, high = _update_from(low, dt), _update_to(high, dt)
            if not low < high:
                raise RuntimeError(
                    "random_ expects 'from' casted to dtype to be less than 'to' casted to "
                    f"dtype, but got from={low} >= to={high}"
                )
        _check_from_to_in_range(low, high - 1, dt)
        span = high - low
    elif low != -(2**63):  # [low, largest value of dtype]
        if dt in FLOATING:
            to_inc = min(2 ** _DIGITS[dt], 2**63 - 1)
            low = _update_from(low, dt)
            if not low < to_inc:
                raise RuntimeError(
                    "random_ expects 'from' casted to dtype to be less than or equal to 'to_inc' "
                    f"casted to dtype, but got from={low} > to_inc={to_inc}"
                )
        else:
            to_inc = 1 if dt == np.bool_ else int(np.iinfo(dt).max)
        _check_from_to_in_range(low, to_inc, dt)
        span = to_inc - low + 1
    else:  # the full 64-bit range: the draw itself, as an int64
        if n == 0:
            return np.empty(dims, dt)
        if dt in (np.float16, np.bool_):
            raise not_implemented("random_full_64_bits_range_kernel_cpu", dt)
        if dt not in (np.int64, np.float32, np.float64):
            raise RuntimeError(
                "random_full_64_bits_range_kernel_cpu handles only int64, double, float and "
                "bfloat16"
            )
        return _from_int64(gen._random64(n).view(np.int64), dt).reshape(dims)
    if n == 0:
        return np.empty(dims, dt)
    bits = gen._random64(n) if span >= 2**28 else gen._random(n)
    values = (bits % _U64(span) + _U64(low & _MASK64)).view(np.int64)  # wraps like uint64
    return _from_int64(values, dt).reshape(dims)


def _wrap_int64(x: int) -> int:
    """``x`` wrapped to int64, as C++'s int64 arithmetic does on overflow."""
    return (x + 2**63) % 2**64 - 2**63


def _through_dtype(x: int, dt: np.dtype) -> int:
    """``static_cast<int64_t>(static_cast<scalar_t>(x))`` for a float dtype."""
    value = float(_from_int64(np.array(x, np.int64), dt))
    return int(value) if -(2.0**63) <= value < 2.0**63 else -(2**63)  # x86's overflow value


def _update_from(low: int, dt: np.dtype) -> int:
    """torch's ``update_from``: the smallest ``low`` whose draws stay >= low after the cast."""
    low_plus_1 = _through_dtype(_wrap_int64(low + 1), dt)
    if low_plus_1 < low:
        n = max(abs(_wrap_int64(low + 1)).bit_length() - 1, 0)
        low = low_plus_1 + (1 << (n - _DIGITS[dt] + 1))
    return low


def _update_to(high: int, dt: np.dtype) -> int:
    """torch's ``update_to``: the largest ``high`` whose draws stay < high after the cast."""
    high_minus_1 = _through_dtype(_wrap_int64(high - 1), dt)
    if high_minus_1 >= high:
        n = max(abs(_wrap_int64(high - 1)).bit_length() - 1, 0)
        high = high_minus_1 - (1 << (n - _DIGITS[dt] + 1))
    return high


def _check_from_to_in_range(low: int, high_inclusive: int, dt: np.dtype) -> None:
    """torch's ``check_from_to_in_range``: both bounds representable in ``dt``."""
    name = CPP_TYPE_NAMES[dt.name]
    if dt in FLOATING:
        info = np.finfo(dt)
        lo_limit, hi_limit = float(info.min), float(info.max)
    elif dt == np.bool_:
        lo_limit, hi_limit = 0, 1
    else:
        lo_limit, hi_limit = int(np.iinfo(dt).min), int(np.iinfo(dt).max)
    for value, what in ((low, "from"), (high_inclusive, "to - 1")):
        if not lo_limit <= value <= hi_limit:
            raise RuntimeError(f"{what} is out of bounds for {name}")
    if dt in FLOATING:
        digits = _DIGITS[dt]
        for value, what in ((low, "from"), (high_inclusive, "to - 1")):
            if not -(2**digits) <= value <= 2**digits:
                warnings.warn(
                    f"{what} is out of bounds [-(2^{digits}), 2^{digits}]. Due to precision "
                    f"limitations {name} can support discrete uniform distribution only within "
                    "this range. This warning will become an error in version 1.7 release, "
                    "please fix the code in advance",
                    UserWarning,
                    stacklevel=3,
                )


def random_int64(generator: Generator | None = None) -> int:
    """One ``torch.empty((), dtype=torch.int64).random_().item()``: an int in [0, 2**63).

    This is how ``DataLoader``'s ``RandomSampler`` draws the seed of its per-epoch
    generator when it was given none.

    Example:
        >>> _ = manual_seed(0); random_int64()
        900450186894289455
    """
    return int(random_((), np.int64, generator))


def randperm(n: int, dtype: DTypeLike = np.int64, generator: Generator | None = None) -> np.ndarray:
    """A random permutation of ``0 .. n-1``: ``torch.randperm(n)`` (int64 by default).

    torch runs Fisher-Yates: for ``i`` in ``0 .. n-2`` it swaps positions ``i`` and
    ``t_i = i + random() % (n - i)``. The swaps are sequential, but their result can be
    computed in parallel (see ``_apply_swaps``), so this needs no Python loop.

    Example:
        >>> _ = manual_seed(0); randperm(6)
        array([2, 5, 3, 0, 1, 4])
    """
    n = operator.index(n)
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    gen = _gen(generator)
    if n >= _RANDPERM_SMALL_N:
        return _randperm_inside_out(gen, n).astype(dtype)
    i = np.arange(max(n - 1, 0), dtype=np.uint64)
    targets = gen._random(i.size) % (_U64(n) - i) + i  # the swap partner of each step
    return _apply_swaps(targets.astype(np.int64), n).astype(dtype)


def _apply_swaps(targets: np.ndarray, n: int) -> np.ndarray:
    """The permutation left by ``for i: swap(a[i], a[t_i])`` on ``a = arange(n)``, t_i >= i.

    After step ``i``, position ``i`` is never touched again, so ``a[i]`` is final. Let
    ``F[k]`` be the value at position ``k`` just before step ``k``. A position ``p`` still
    holds ``p`` until some step ``k < p`` swaps into it (``t_k == p``), which puts ``F[k]``
    there. Hence ``F[k] = F[q]`` for ``q`` = the last step before ``k`` with ``t_q == k`` (or
    ``k`` if none), and the final ``a[i] = F[last step before i with the same target]`` (or
    ``t_i`` if none). The chains ``k -> q`` are resolved by pointer doubling.
    """
    t = np.append(targets, max(n - 1, 0))[:n]  # step n-1 is the identity swap
    steps = np.arange(n)
    # prev[i]: the last step before i with the same target as step i
    if n <= 1 << 16:  # by target, then step: a stable sort (numpy's radix sort on 16 bits)
        order = np.argsort(t.astype(np.uint16), kind="stable")
    else:  # (unique keys: any sort is stable)
        order = np.argsort(t * n + steps)
    same = t[order[1:]] == t[order[:-1]]
    prev = np.full(n, -1)
    prev[order[1:][same]] = order[:-1][same]
    # q[k]: the last step before k that targets k (steps j < k with t_j == k): the last
    # of its target's group in that order, if that step moved anything
    q = np.full(n, -1)
    last = order[np.append(~same, True)[:n]]
    last = last[t[last] != last]
    q[t[last]] = last
    root = np.where(q >= 0, q, steps)
    while True:  # pointer doubling: root[k] becomes the first step of k's chain
        nxt = root[root]
        if np.array_equal(nxt, root):
            break
        root = nxt
    return np.where(prev >= 0, root[np.maximum(prev, 0)], t)


def _randperm_inside_out(gen: Generator, n: int) -> np.ndarray:
    """torch's algorithm for n >= (2**32 - 1) // 20: "inside-out" Fisher-Yates, 64-bit draws.

    Only for completeness: a Python loop over hundreds of millions of elements is slow.
    """
    out = np.empty(n, np.int64)
    draws = gen._random64(n)
    for i in range(n):
        z = int(draws[i] % _U64(i + 1))
        out[i] = out[z]
        out[z] = i
    return out


# ---------------------------------------------------------------------------------------------
# Bernoulli
# ---------------------------------------------------------------------------------------------

_P_IN_MESSAGE = (
    "Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message be "
    "improved?  If so, please report an enhancement request to PyTorch.)"
)


def bernoulli(
    shape: ShapeLike,
    p: float = 0.5,
    dtype: DTypeLike = np.float32,
    generator: Generator | None = None,
) -> np.ndarray:
    """1 with probability ``p``, else 0: ``torch.empty(shape, dtype=dtype).bernoulli_(p)``.

    Each element draws a float64 uniform ``u`` (two 32-bit outputs) and is ``u < p``, for
    every dtype (bool and integers too). This is the mask of ``F.dropout(x, p)``, which is
    ``bernoulli_(1 - p)`` then ``div_(1 - p)``. (PyTorch builds may use MKL here only inside
    Meta; public builds use this kernel.)

    Example:
        >>> _ = manual_seed(0); bernoulli(5, 0.5)
        array([0., 0., 1., 0., 0.], dtype=float32)
    """
    gen = _gen(generator)
    if not 0.0 <= p <= 1.0:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_num(p)}")
    dims = _shape(shape)
    u = _uniform01(gen, math.prod(dims), np.dtype(np.float64))
    return (u < p).astype(dtype).reshape(dims)


def bernoulli_tensor(
    p: ArrayLike, dtype: DTypeLike | None = None, generator: Generator | None = None
) -> np.ndarray:
    """``torch.bernoulli(p)``: 1 with probability ``p[i]`` per element, in ``dtype`` (p's).

    A float64 ``p`` compares a 53-bit uniform (two draws), a float32 or float16 ``p`` a 24-bit
    float32 uniform (one draw), in that precision. The elements are drawn in the row-major
    order of ``p`` (use ``draw_order`` for torch's order on a view). A ``p`` outside [0, 1] (or
    nan) raises when torch reaches it: the elements before it have taken their draws.

    Example:
        >>> _ = manual_seed(0); bernoulli_tensor(np.array([0.0, 1.0, 0.5], np.float32))
        array([0., 1., 1.], dtype=float32)
    """
    gen = _gen(generator)
    probs = np.asanyarray(p)
    out_dtype = np.dtype(dtype) if dtype is not None else probs.dtype
    if probs.size == 0:
        return np.empty(probs.shape, out_dtype)
    if probs.dtype not in FLOATING:
        raise not_implemented("bernoulli_tensor_cpu_p_", probs.dtype)
    pd = np.dtype(np.float64 if probs.dtype == np.float64 else np.float32)
    flat = probs.astype(pd).ravel()
    bad = ~((flat >= 0) & (flat <= 1))
    if bad.any():
        _uniform01(gen, int(np.argmax(bad)), pd)  # the draws of the elements before it
        raise RuntimeError(_P_IN_MESSAGE)
    u = _uniform01(gen, flat.size, pd)
    return (u < flat).astype(out_dtype).reshape(probs.shape)


# ---------------------------------------------------------------------------------------------
# Exponential, geometric, Cauchy, log-normal: one float64 uniform per element
# ---------------------------------------------------------------------------------------------
# torch's kernels for these (``Tensor.exponential_`` ...) compute in float64 from a 53-bit
# uniform ``u`` (two 32-bit outputs) and cast to the tensor's dtype; they call the C library's
# log1p/log/tan/exp, which ``math`` calls too (numpy's own versions differ in the last bit).


def _float_kind(dtype: np.dtype, kernel: str) -> None:
    if dtype not in FLOATING:
        raise not_implemented(kernel, dtype)


def _safe(fn: Any) -> Any:
    """``fn`` with C's results where Python's ``math`` raises: log(0) = -inf, overflow = inf."""

    def call(x: float) -> float:
        try:
            return fn(x)
        except ValueError:  # log(0)
            return -math.inf
        except OverflowError:  # exp(large)
            return math.inf

    return call


def exponential(
    shape: ShapeLike,
    lambd: float = 1.0,
    dtype: DTypeLike = np.float32,
    generator: Generator | None = None,
) -> np.ndarray:
    """``torch.empty(shape, dtype=dtype).exponential_(lambd)``: ``-1/lambd * log1p(-u)``.

    ``u`` is a float64 uniform in [0, 1); ``(-1 / lambd)`` is rounded first, then multiplied.
    This is also how ``multinomial`` draws (its Gumbel-max trick divides by these).

    Example:
        >>> _ = manual_seed(0); exponential(3, dtype=np.float64)
        array([3.50832619, 1.23038476, 0.61504409])
    """
    gen, dt, dims = _gen(generator), np.dtype(dtype), _shape(shape)
    if not lambd > 0.0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_num(lambd)}")
    n = math.prod(dims)
    if n == 0:
        return np.empty(dims, dt)
    if dt not in FLOATING:
        raise RuntimeError(
            "Exponential distribution is a continuous probability distribution. dtype must be a "
            f"floating point but you specified {scalar_type_name(dt)}"
        )
    u = _uniform01(gen, n, np.dtype(np.float64))
    x = (-1.0 / lambd) * _libm_f64(math.log1p, -u)
    return _from_double(x, dt).reshape(dims)


def geometric(
    shape: ShapeLike,
    p: float,
    dtype: DTypeLike = np.float32,
    generator: Generator | None = None,
) -> np.ndarray:
    """``torch.empty(shape, dtype=dtype).geometric_(p)``: ``ceil(log(u) / log1p(-p))``.

    The number of Bernoulli(p) trials up to the first success (>= 1). Integer dtypes are
    allowed; a value too large for one wraps as C's conversion does (bool is refused).

    Example:
        >>> _ = manual_seed(0); geometric(5, 0.5)
        array([1., 1., 2., 1., 1.], dtype=float32)
    """
    gen, dt, dims = _gen(generator), np.dtype(dtype), _shape(shape)
    if not 0.0 < p < 1.0:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_num(p)}")
    n = math.prod(dims)
    if n == 0:
        return np.empty(dims, dt)
    if dt == np.bool_:
        raise not_implemented("geometric_cpu", dt)
    u = _uniform01(gen, n, np.dtype(np.float64))
    x = np.ceil(_libm_f64(_safe(math.log), u) / math.log1p(-p))
    return _from_double(x, dt).reshape(dims)


def cauchy(
    shape: ShapeLike,
    median: float = 0.0,
    sigma: float = 1.0,
    dtype: DTypeLike = np.float32,
    generator: Generator | None = None,
) -> np.ndarray:
    """``torch.empty(shape, dtype=dtype).cauchy_(median, sigma)``.

    ``median + sigma * tan(pi * (u - 0.5))``, the last step one fused multiply-add.

    Example:
        >>> _ = manual_seed(0); cauchy(3)
        array([10.59773   ,  0.7647673 , -0.12829934], dtype=float32)
    """
    gen, dt, dims = _gen(generator), np.dtype(dtype), _shape(shape)
    if not sigma > 0.0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={_num(sigma)}")
    if dt not in FLOATING:
        raise RuntimeError(
            "Cauchy distribution is a continuous probability distribution. dtype must be a "
            f"floating point but you specified {CPP_TYPE_NAMES[dt.name]}"
        )
    n = math.prod(dims)
    u = _uniform01(gen, n, np.dtype(np.float64))
    x = fma64(sigma, _libm_f64(math.tan, math.pi * (u - 0.5)), median)
    return _from_double(x, dt).reshape(dims)


def log_normal(
    shape: ShapeLike,
    mean: float = 1.0,
    std: float = 2.0,
    dtype: DTypeLike = np.float32,
    generator: Generator | None = None,
) -> np.ndarray:
    """``torch.empty(shape, dtype=dtype).log_normal_(mean, std)``: ``exp(N(mean, std**2))``.

    The normals come one by one from the float64 Box-Muller of small ``normal_`` calls, which
    caches every second value in the generator (so the stream interleaves with ``randn``).

    Example:
        >>> _ = manual_seed(0); log_normal(3, 0.0, 1.0)
        array([4.669239  , 0.7457022 , 0.11317846], dtype=float32)
    """
    gen, dt, dims = _gen(generator), np.dtype(dtype), _shape(shape)
    if not std > 0.0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_num(std)}")
    n = math.prod(dims)
    if n == 0:
        return np.empty(dims, dt)
    _float_kind(dt, "log_normal_cpu")
    x = _libm_f64(_safe(math.exp), _normal_small(gen, n, mean, std))
    return _from_double(x, dt).reshape(dims)


# ---------------------------------------------------------------------------------------------
# Multinomial
# ---------------------------------------------------------------------------------------------


def multinomial(
    probs: np.ndarray,
    num_samples: int,
    replacement: bool = False,
    generator: Generator | None = None,
) -> np.ndarray:
    """``torch.multinomial(probs, num_samples, replacement)``: category indices, int64.

    ``probs`` holds one distribution (1-D) or one per row (2-D), as non-negative weights that
    need not sum to 1. torch has two algorithms, and so has this:

    * without replacement, or one sample: the Gumbel-max trick. ``q`` is ``exponential_(1)``
      in probs' dtype and memory order; the samples are ``argmax(probs / q)`` (one) or the
      indices of ``topk(probs / q, num_samples)``, whose order among equal values (e.g. the
      zero-probability categories once the others are used up) is that of libstdc++'s
      ``nth_element``/``partial_sort`` (see ``parity.stl_sort``).
    * with replacement and several samples: per row, the cumulative sums (float32 for
      float16) divided by their total, then one float64 uniform per sample and torch's binary
      search for the first bucket >= it.

    Example:
        >>> g = Generator().manual_seed(2147483647)
        >>> multinomial(np.array([0.1, 0.6, 0.3], np.float32), 1, True, generator=g)
        array([1])
    """
    gen = _gen(generator)
    p = np.asanyarray(probs)
    if p.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if p.dtype not in FLOATING:
        name = scalar_type_name(p.dtype)
        raise RuntimeError(
            f"multinomial only supports floating-point dtypes for input, got: {name}"
        )
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    n_categories = p.shape[-1]
    if not replacement and num_samples > n_categories:
        raise RuntimeError(
            "cannot sample n_sample > prob_dist.size(-1) samples without replacement"
        )
    if n_categories > 2**24:
        raise RuntimeError("number of categories cannot exceed 2^24")
    out_shape = (num_samples,) if p.ndim == 1 else (p.shape[0], num_samples)
    if math.prod(out_shape) == 0:
        return np.empty(out_shape, np.int64)
    if replacement and num_samples > 1:
        return _multinomial_by_cdf(gen, p.reshape(-1, n_categories), num_samples).reshape(out_shape)
    return _multinomial_gumbel(gen, p, num_samples)


def _multinomial_gumbel(gen: Generator, p: np.ndarray, num_samples: int) -> np.ndarray:
    """torch's fast path: ``argmax`` / ``topk`` of ``p / q`` with ``q ~ Exp(1)``."""
    if p.size == 0:
        raise RuntimeError(
            "aminmax(): cannot compute aminmax over an empty dimension as the operation has no "
            "identity."
        )
    if not (p.max() < np.inf and p.min() >= 0):  # (false for nan too)
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if (p == 0).all(axis=-1).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    q = arrange(exponential(p.size, 1.0, p.dtype, gen), p)  # empty_like(p): p's memory order
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        ratio = p / q
    if num_samples == 1:
        return np.argmax(ratio, axis=-1, keepdims=True).astype(np.int64)  # nan counts as max
    rows = ratio.reshape(-1, ratio.shape[-1])
    out = np.stack([_topk_row(row, num_samples) for row in rows])
    return out.reshape(*p.shape[:-1], num_samples)


def _topk_row(row: np.ndarray, k: int) -> np.ndarray:
    """``torch.topk(row, k).indices`` (largest first, nan first of all)."""
    nan = np.isnan(row)
    order = np.lexsort((-row, ~nan))  # nan first, then descending
    head = order[: k + 1]  # the k taken and the next one: a tie among them decides
    top, top_nan = row[head], nan[head]
    ties = (top[1:] == top[:-1]) | (top_nan[1:] & top_nan[:-1])
    if ties.any():  # which of the equal values torch takes depends on its sort's exact steps
        return np.array(topk_indices(row.tolist(), k), np.int64)
    return order[:k].astype(np.int64)


def _multinomial_by_cdf(gen: Generator, rows: np.ndarray, num_samples: int) -> np.ndarray:
    """torch's ``multinomial_with_replacement`` kernel, row after row (its draws in order)."""
    acc = np.dtype(np.float32 if rows.dtype == np.float16 else rows.dtype)
    out = np.empty((rows.shape[0], num_samples), np.int64)
    for i, row in enumerate(rows):
        bad = ~((row >= 0) & np.isfinite(row))
        if bad.any():  # torch checks element by element: the first bad one names the error
            if not row[np.argmax(bad)] >= 0:
                raise RuntimeError(
                    "invalid multinomial distribution (encountering probability entry < 0)"
                )
            raise RuntimeError(
                "invalid multinomial distribution (encountering probability entry = infinity "
                "or NaN)"
            )
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):  # (as C: inf, nan)
            cdf = np.cumsum(row, dtype=acc)  # sequential sums, as torch's loop
            total = cdf[-1] if cdf.size else acc.type(0)
            if not total > 0:
                raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
            cdf = cdf / total
        cdf[-1] = 1
        u = _uniform01(gen, num_samples, np.dtype(np.float64))
        out[i] = _first_bucket(cdf.astype(np.float64), u)
    return out


def _first_bucket(cdf: np.ndarray, u: np.ndarray) -> np.ndarray:
    """torch's binary search, for every ``u`` at once: the first ``i`` with ``cdf[i] >= u``.

    Written out (not ``np.searchsorted``) so that a nan in ``cdf`` (an overflowed total) is
    stepped over exactly as torch's loop does.
    """
    left = np.zeros(u.shape, np.int64)
    right = np.full(u.shape, cdf.size, np.int64)
    while True:
        active = right > left
        if not active.any():
            return left
        mid = left + (right - left) // 2
        below = cdf[np.minimum(mid, cdf.size - 1)] < u
        left = np.where(active & below, mid + 1, left)
        right = np.where(active & ~below, mid, right)


