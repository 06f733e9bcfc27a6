"""Random numbers that match PyTorch's CPU generator bit for bit.

PyTorch's CPU generator (``at::CPUGeneratorImpl``) is a 32-bit Mersenne Twister (mt19937)
plus one cached normal sample. Every distribution turns its raw 32-bit outputs into numbers
in a fixed way; this module does the same with numpy, so that::

    torch.manual_seed(0); torch.randn(3)          # tensor([ 1.5410, -0.2934, -2.1788])
    tg.manual_seed(0);    tg.randn(3)             # the very same bits

How the stream is read (``random()`` is one 32-bit output, ``random64()`` is two: hi, lo):

* seeding: ``init_genrand(seed & 0xffffffff)``; the full 64-bit seed is only remembered.
* ``uniform_(a, b)``: float32 ``x = (random() & (2**24-1)) * 2**-24``, float64
  ``x = (random64() & (2**53-1)) * 2**-53``; then ``fma(x, b - a, a)`` in that dtype.
* ``normal_`` with numel >= 16: uniforms for the whole tensor, then Box-Muller on blocks of
  16 (8 pairs); a ragged tail redraws the last 16. float32 uses the AVX2 code of
  ``avx_mathfun.h``, float64 uses libm. With numel < 16: one double Box-Muller pair per two
  elements, the second value cached in the generator for the next call.
* ``random_(a, b)`` (randint): ``random() % (b - a) + a``, or ``random64()`` if b - a >= 2**28.
* ``randperm(n)``: Fisher-Yates, swapping ``i`` with ``i + random() % (n - i)``.
* ``bernoulli_(p)``: ``uniform64() < p`` per element.

Exactness was checked against torch 2.13 on Linux x86-64 (GCC build, which contracts
``a * b + c`` into FMAs; numpy has none, so ``_fma32``/``_fma64`` emulate them exactly). The
float32 ``normal_`` kernel for numel >= 16 depends on the CPU: AVX2 on x86-64 (emulated
with numpy), a libm-based loop elsewhere (see ``FLOAT32_NORMAL_KERNEL``).

All functions here work on numpy arrays; the Tensor layer wraps them.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import math
import operator
import os
import platform
import subprocess
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

__all__ = [
    "DEFAULT_SEED",
    "FLOAT32_NORMAL_KERNEL",
    "Generator",
    "bernoulli",
    "bernoulli_tensor",
    "default_generator",
    "get_rng_state",
    "initial_seed",
    "manual_seed",
    "normal",
    "normal_tensor",
    "rand",
    "randint",
    "randn",
    "random_",
    "random_int64",
    "randperm",
    "seed",
    "set_rng_state",
    "uniform",
]

ShapeLike = int | Sequence[int]

#: The seed of a fresh ``torch.Generator()`` (PyTorch's ``default_rng_seed_val``).
DEFAULT_SEED = 67280421310721

_MT_N = 624  # words of mt19937 state
_U64 = np.uint64
_MASK64 = (1 << 64) - 1
_RANDPERM_SMALL_N = (2**32 - 1) // 20  # torch switches randperm algorithm above this n
_CHUNK = 2**16  # elements per slice in _by_chunks (a multiple of 16)

# The byte layout of torch.get_rng_state(): CPUGeneratorImplState (a legacy POD struct).
_STATE_DTYPE = np.dtype(
    [
        ("the_initial_seed", "<u8"),
        ("left", "<i4"),
        ("seeded", "<i4"),
        ("next", "<u8"),
        ("state", "<u8", (_MT_N,)),
        ("normal_x", "<f8"),
        ("normal_y", "<f8"),
        ("normal_rho", "<f8"),
        ("normal_is_valid", "<i4"),
        ("pad0", "V4"),
        ("next_float_normal_sample", "<f4"),
        ("is_next_float_normal_sample_valid", "u1"),
        ("pad1", "V3"),
    ]
)


# ---------------------------------------------------------------------------------------------
# Exact fused multiply-add. PyTorch's CPU kernels are compiled with FMA contraction, so
# `x * (b - a) + a` is computed with a single rounding; numpy has no fma, so we emulate it.
# ---------------------------------------------------------------------------------------------


def _two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Knuth's TwoSum: ``s + err == a + b`` exactly, with ``s = fl(a + b)``."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _round_to_odd(s: np.ndarray, err: np.ndarray) -> np.ndarray:
    """Turn ``s = RN(exact)`` into round-to-odd(exact), given ``err = exact - s``.

    Rounding to odd in float64 and then to nearest in float32 (or adding once more) never
    suffers from double rounding (Boldo & Melquiond, 2008).
    """
    fix = (err != 0) & ((s.view(np.int64) & 1) == 0)
    if not fix.any():
        return s
    return np.where(fix, np.nextafter(s, np.where(err > 0, np.inf, -np.inf)), s)


def _fma32(a: ArrayLike, b: ArrayLike, c: ArrayLike) -> np.ndarray:
    """Correctly rounded float32 ``a * b + c``: the product of two float32 is exact in float64.

    Rounding ``p + c`` to float64 and then to float32 is only wrong when the float64 sum
    lands exactly halfway between two float32 (or in float32's subnormal range); only those
    rare elements are redone exactly, with round-to-odd.
    """
    p = np.asarray(a, np.float32).astype(np.float64) * np.asarray(b, np.float64)
    c64 = np.asarray(c, np.float32).astype(np.float64)
    s = p + c64
    low_bits = s.view(np.int64) & 0x1FFFFFFF  # the 29 bits float32 drops
    risky = (low_bits == 0x10000000) | (np.abs(s) < 2.0**-126)
    if risky.any():
        c_full = np.broadcast_to(c64, s.shape)
        s[risky] = _round_to_odd(*_two_sum(p[risky], c_full[risky]))
    return s.astype(np.float32)


def _two_prod(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dekker's TwoProduct: ``p + err == a * b`` exactly (Veltkamp splitting)."""
    p = a * b
    t = 134217729.0 * a  # 2**27 + 1
    ah = t - (t - a)
    t = 134217729.0 * b
    bh = t - (t - b)
    al, bl = a - ah, b - bh
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def _fma64(a: ArrayLike, b: ArrayLike, c: ArrayLike) -> np.ndarray:
    """Correctly rounded float64 ``a * b + c`` (Boldo & Melquiond's emulation via round-to-odd)."""
    a64, b64 = np.asarray(a, np.float64), np.asarray(b, np.float64)
    hi, lo = _two_prod(*np.broadcast_arrays(a64, b64))
    sh, sl = _two_sum(np.broadcast_to(np.asarray(c, np.float64), hi.shape), hi)
    return sh + _round_to_odd(*_two_sum(sl, lo))


def _fma(a: np.ndarray, b: ArrayLike, c: ArrayLike) -> np.ndarray:
    """Fused multiply-add in the dtype of ``a`` (float32 or float64)."""
    return _fma32(a, b, c) if a.dtype == np.float32 else _fma64(a, b, c)


# ---------------------------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------------------------


def _init_genrand(seed: int) -> np.ndarray:
    """mt19937's ``init_genrand``: the 624-word state for a 32-bit seed."""
    key = np.empty(_MT_N, np.uint32)
    s = seed & 0xFFFFFFFF
    key[0] = s
    for j in range(1, _MT_N):  # a recurrence: each word needs the previous one
        s = (1812433253 * (s ^ (s >> 30)) + j) & 0xFFFFFFFF
        key[j] = s
    return key


def _check_seed(seed: Any) -> int:
    """Validate a seed as torch does and map it to an unsigned 64-bit value."""
    if isinstance(seed, (bool, float)) or not hasattr(seed, "__index__"):
        raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__}")
    value = operator.index(seed)
    if not -(2**63) <= value < 2**64:
        raise ValueError(
            f"Overflow when unpacking long long: a seed must be in [-2**63, 2**64 - 1], got {value}"
        )
    return value & _MASK64  # negative seeds wrap around, as in torch


class Generator:
    """A random number generator with the state and behaviour of ``torch.Generator()`` (CPU).

    It holds an mt19937 engine (numpy's ``MT19937`` bit generator, which produces the same
    raw 32-bit outputs), the 64-bit seed it was seeded with, and the normal sample cached by
    small ``normal_`` calls (``next_double_normal_sample``; ``next_float_normal_sample`` is
    kept for state compatibility but unused by the CPU kernels).

    A new generator is seeded with ``DEFAULT_SEED``, as ``torch.Generator()`` is.

    Example:
        >>> g = Generator().manual_seed(42)
        >>> randperm(5, generator=g)
        array([2, 4, 3, 0, 1])
    """

    def __init__(self, device: str = "cpu") -> None:
        """Make a generator seeded with ``DEFAULT_SEED``; only ``device="cpu"`` exists."""
        from ._device import CPU, check

        check(device)
        self.device = CPU
        self._bitgen = np.random.MT19937()
        self.next_float_normal_sample: float | None = None
        self.next_double_normal_sample: float | None = None
        self._seed = 0
        self._fresh = True  # seeded and not drawn from yet (only visible in get_state())
        self.manual_seed(DEFAULT_SEED)

    def manual_seed(self, seed: int) -> Generator:
        """Seed the generator and drop the cached normal samples; returns ``self``.

        The seed may be any int in ``[-2**63, 2**64 - 1]``; negatives wrap to ``2**64 + seed``.
        Only its low 32 bits reach the Mersenne Twister, as in torch.

        Example:
            >>> Generator().manual_seed(7).initial_seed()
            7
        """
        value = _check_seed(seed)
        self._bitgen.state = {
            "bit_generator": "MT19937",
            "state": {"key": _init_genrand(value), "pos": _MT_N},
        }
        self._seed = value
        self._fresh = True
        self.next_float_normal_sample = None
        self.next_double_normal_sample = None
        return self

    def initial_seed(self) -> int:
        """The 64-bit seed this generator was last seeded with.

        Example:
            >>> Generator().initial_seed()
            67280421310721
        """
        return self._seed

    def seed(self) -> int:
        """Seed from the OS's entropy (64 random bits, as torch reads /dev/urandom); return it.

        Example:
            >>> g = Generator(); s = g.seed(); g.initial_seed() == s
            True
        """
        value = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(value)
        return value

    def get_state(self) -> np.ndarray:
        """The state as a uint8 array of 5056 bytes, identical to ``torch.Generator.get_state()``.

        So ``torch.set_rng_state(torch.from_numpy(tg_state))`` works, and the other way round.

        Example:
            >>> Generator().get_state().shape
            (5056,)
        """
        mt = self._bitgen.state["state"]
        pos = int(mt["pos"])
        st = np.zeros((), _STATE_DTYPE)
        st["the_initial_seed"] = self._seed
        st["left"] = _MT_N + 1 - pos  # torch counts the words left (+1), numpy the position
        st["seeded"] = 1
        st["next"] = 0 if self._fresh else pos
        st["state"] = mt["key"]
        if self.next_double_normal_sample is not None:
            st["normal_is_valid"] = 1
            st["normal_y"] = self.next_double_normal_sample
        if self.next_float_normal_sample is not None:
            st["is_next_float_normal_sample_valid"] = 1
            st["next_float_normal_sample"] = self.next_float_normal_sample
        return np.frombuffer(st.tobytes(), np.uint8).copy()

    def set_state(self, new_state: ArrayLike | bytes) -> Generator:
        """Restore a state from ``get_state()`` (ours or torch's: the bytes are the same).

        Example:
            >>> g = Generator(); s = g.get_state(); a = rand(3, generator=g)
            >>> bool((g.set_state(s) is g) and (rand(3, generator=g) == a).all())
            True
        """
        raw = new_state if isinstance(new_state, bytes) else np.asarray(new_state).tobytes()
        if len(raw) != _STATE_DTYPE.itemsize:
            raise RuntimeError(
                f"Expected a CPUGeneratorImplState of size {_STATE_DTYPE.itemsize} but found "
                f"the input RNG state size to be {len(raw)}"
            )
        st = np.frombuffer(raw, _STATE_DTYPE)[0]
        left, nxt = int(st["left"]), int(st["next"])
        if not (st["seeded"] and 0 < left <= _MT_N and nxt <= _MT_N):
            raise RuntimeError("Invalid mt19937 state")
        key = st["state"].astype(np.uint32)
        self._bitgen.state = {
            "bit_generator": "MT19937",
            "state": {"key": key, "pos": _MT_N + 1 - left},
        }
        self._seed = int(st["the_initial_seed"])
        self._fresh = left == 1 and nxt == 0
        cached_d, cached_f = st["normal_y"], st["next_float_normal_sample"]
        self.next_double_normal_sample = float(cached_d) if st["normal_is_valid"] else None
        valid_f = st["is_next_float_normal_sample_valid"]
        self.next_float_normal_sample = float(cached_f) if valid_f else None
        return self

    # -- raw draws (torch's CPUGeneratorImpl::random / random64) ------------------------------

    def _random(self, n: int) -> np.ndarray:
        """``n`` raw 32-bit outputs, as uint64."""
        if n > 0:
            self._fresh = False
        return self._bitgen.random_raw(n)

    def _random64(self, n: int) -> np.ndarray:
        """``n`` 64-bit values, each made of two outputs: ``(first << 32) | second``."""
        r = self._random(2 * n).reshape(n, 2)
        return (r[:, 0] << _U64(32)) | r[:, 1]


def _new_default_generator() -> Generator:
    g = Generator()
    g.seed()  # torch seeds its default generator from the OS at start-up
    return g


#: The generator used when a function gets ``generator=None`` (``torch.default_generator``).
default_generator = _new_default_generator()


def manual_seed(seed: int) -> Generator:
    """Seed the default generator (``torch.manual_seed``); returns it.

    Like torch, a float seed is truncated with ``int()``.

    Example:
        >>> manual_seed(0) is default_generator
        True
    """
    return default_generator.manual_seed(int(seed))


def seed() -> int:
    """Seed the default generator from the OS's entropy and return the seed (``torch.seed``).

    Example:
        >>> s = seed(); initial_seed() == s
        True
    """
    return default_generator.seed()


def initial_seed() -> int:
    """The seed of the default generator (``torch.initial_seed``).

    Example:
        >>> _ = manual_seed(3); initial_seed()
        3
    """
    return default_generator.initial_seed()


def get_rng_state() -> np.ndarray:
    """The default generator's state as 5056 uint8 (``torch.get_rng_state``, same bytes).

    Example:
        >>> get_rng_state().dtype
        dtype('uint8')
    """
    return default_generator.get_state()


def set_rng_state(new_state: ArrayLike | bytes) -> None:
    """Restore the default generator's state (``torch.set_rng_state``).

    Example:
        >>> s = get_rng_state(); a = rand(2); set_rng_state(s); bool((rand(2) == a).all())
        True
    """
    default_generator.set_state(new_state)


# ---------------------------------------------------------------------------------------------
# Helpers for the distributions
# ---------------------------------------------------------------------------------------------


def _gen(generator: Generator | None) -> Generator:
    if generator is None:
        return default_generator
    if not isinstance(generator, Generator):
        raise TypeError(
            f"generator must be a tinygrad_edu Generator, got {type(generator).__name__}"
        )
    return generator


def _shape(shape: ShapeLike) -> tuple[int, ...]:
    dims = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    dims = tuple(operator.index(d) for d in dims)
    if any(d < 0 for d in dims):
        raise RuntimeError(
            f"Trying to create tensor with negative dimension {min(dims)}: {list(dims)}"
        )
    return dims


def _float_dtype(dtype: DTypeLike, what: str) -> np.dtype:
    dt = np.dtype(dtype)
    if dt not in (np.float32, np.float64):
        # torch raises NotImplementedError ('"normal_kernel_cpu" not implemented for 'Long'')
        raise NotImplementedError(f"{what} is not implemented for dtype {dt}: use a float dtype")
    return dt


def _by_chunks(fn: Any, x: np.ndarray, *args: Any) -> np.ndarray:
    """``fn(x, *args)`` on slices of the 1-d ``x`` that fit in cache, for elementwise ``fn``.

    The emulated float math makes many temporaries; big ones cost more in page faults and
    cache misses than the arithmetic itself (5x slower for a million elements).
    """
    if x.size <= _CHUNK:
        return fn(x, *args)
    out = np.empty(x.size, x.dtype)
    for start in range(0, x.size, _CHUNK):
        out[start : start + _CHUNK] = fn(x[start : start + _CHUNK], *args)
    return out


def _uniform01(gen: Generator, n: int, dtype: np.dtype) -> np.ndarray:
    """``n`` uniforms in [0, 1): 24 random bits for float32, 53 for float64 (always exact)."""
    if dtype == np.float32:
        bits = gen._random(n) & _U64(2**24 - 1)
        return bits.astype(np.float32) * np.float32(2.0**-24)
    bits = gen._random64(n) & _U64(2**53 - 1)
    return bits.astype(np.float64) * 2.0**-53


# ---------------------------------------------------------------------------------------------
# Uniform
# ---------------------------------------------------------------------------------------------


def uniform(
    shape: ShapeLike,
    low: float = 0.0,
    high: float = 1.0,
    dtype: DTypeLike = np.float32,
    generator: Generator | None = None,
) -> np.ndarray:
    """Samples of U[low, high): ``torch.empty(shape, dtype=dtype).uniform_(low, high)``.

    Each element takes one 32-bit draw (float32) or two (float64):
    ``x = bits * 2**-24`` (or ``2**-53``), then ``fma(x, high - low, low)`` in ``dtype``; a value
    that rounds up to ``high`` is replaced by ``low``. This is what ``nn.Linear`` uses to
    initialise its weights (``kaiming_uniform_``) and bias.

    Example:
        >>> _ = manual_seed(0); uniform((2,), -1.0, 1.0)
        array([-0.00748682,  0.5364436 ], dtype=float32)
    """
    dt = _float_dtype(dtype, "uniform_")
    if not low <= high:
        raise RuntimeError(
            f"uniform_ expects to return a [from, to) range, but found from={low} > to={high}"
        )
    dims = _shape(shape)
    lo, hi = dt.type(low), dt.type(high)
    x = _uniform01(_gen(generator), math.prod(dims), dt)
    if lo == 0 and hi == 1:
        out = x  # fma(x, 1, 0) == x
    else:
        out = _by_chunks(_fma, x, hi - lo, lo)  # the width is rounded to dtype first, as torch
        out[out == hi] = lo
    return out.reshape(dims)


def rand(
    shape: ShapeLike, dtype: DTypeLike = np.float32, generator: Generator | None = None
) -> np.ndarray:
    """Samples of U[0, 1): ``torch.rand(shape, dtype=dtype)``.

    Example:
        >>> _ = manual_seed(0); rand(3)
        array([0.4962566 , 0.7682218 , 0.08847743], dtype=float32)
    """
    return uniform(shape, 0.0, 1.0, dtype, generator)


# ---------------------------------------------------------------------------------------------
# Normal
# ---------------------------------------------------------------------------------------------


def normal(
    shape: ShapeLike,
    mean: float = 0.0,
    std: float = 1.0,
    dtype: DTypeLike = np.float32,
    generator: Generator | None = None,
) -> np.ndarray:
    """Samples of N(mean, std**2): ``torch.empty(shape).normal_(mean, std)``.

    Also ``torch.normal(mean, std, size)`` for float ``mean`` and ``std``. Like torch, it
    takes one of two paths:

    * numel >= 16: draw a uniform per element, then Box-Muller on blocks of 16 (the first 8
      give ``u1``, the next 8 ``u2``); if numel is not a multiple of 16, the last 16 elements
      are drawn again and transformed again. float32 follows ``FLOAT32_NORMAL_KERNEL``.
    * numel < 16: one Box-Muller pair in float64 per two elements, ``r * cos`` returned and
      ``r * sin`` cached in the generator for the next element, even across calls.

    Example:
        >>> _ = manual_seed(0); normal(3)
        array([ 1.5409961, -0.2934289, -2.1787894], dtype=float32)
    """
    dt = _float_dtype(dtype, "normal_")
    if not std >= 0.0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    dims = _shape(shape)
    n, gen = math.prod(dims), _gen(generator)
    if n >= 16:
        out = _normal_fill(gen, n, dt, mean, std)
    else:
        out = _normal_small(gen, n, mean, std).astype(dt)
    return out.reshape(dims)


def randn(
    shape: ShapeLike, dtype: DTypeLike = np.float32, generator: Generator | None = None
) -> np.ndarray:
    """Samples of N(0, 1): ``torch.randn(shape, dtype=dtype)``.

    Example:
        >>> _ = manual_seed(0); randn((2, 2))
        array([[ 1.5409961 , -0.2934289 ],
               [-2.1787894 ,  0.56843126]], dtype=float32)
    """
    return normal(shape, 0.0, 1.0, dtype, generator)


def normal_tensor(
    mean: np.ndarray | float, std: np.ndarray | float, generator: Generator | None = None
) -> np.ndarray:
    """``torch.normal(mean, std)`` when ``mean`` and/or ``std`` is an array (a tensor).

    torch draws standard normals of the broadcast shape, in the dtype of ``mean`` if it is a
    tensor (else of ``std``), then applies two separate ops, ``out.mul_(std).add_(mean)``, each
    rounded on its own. With a float ``std`` it draws ``normal_(0, std)`` and adds ``mean``.

    Example:
        >>> _ = manual_seed(0)
        >>> normal_tensor(np.zeros(2, np.float32), np.ones(2, np.float32))
        array([ 1.5409961, -0.2934289], dtype=float32)
    """
    if not isinstance(std, np.ndarray):  # normal(Tensor mean, float std)
        if not isinstance(mean, np.ndarray):
            raise TypeError("normal_tensor needs an array mean or std; use normal() for floats")
        out = normal(mean.shape, 0.0, std, mean.dtype, generator)
        return (out + mean).astype(mean.dtype, copy=False)
    if std.size and not (std >= 0).all():
        raise RuntimeError("normal expects all elements of std >= 0.0")
    dt = mean.dtype if isinstance(mean, np.ndarray) else std.dtype
    out = normal(np.broadcast_shapes(np.shape(mean), std.shape), 0.0, 1.0, dt, generator)
    out = (out * std).astype(dt, copy=False)  # out.mul_(std)
    mean_arr = mean if isinstance(mean, np.ndarray) else dt.type(mean)
    return (out + mean_arr).astype(dt, copy=False)  # out.add_(mean)


def _normal_small(gen: Generator, n: int, mean: float, std: float) -> np.ndarray:
    """torch's ``normal_distribution<double>``, element by element (n < 16)."""
    out = np.empty(n, np.float64)
    for i in range(n):
        if gen.next_double_normal_sample is not None:
            out[i] = gen.next_double_normal_sample
            gen.next_double_normal_sample = None
            continue
        u1, u2 = _uniform01(gen, 2, np.dtype(np.float64)).tolist()
        r = math.sqrt(-2.0 * math.log1p(-u2))  # libm, as in torch
        theta = 2.0 * math.pi * u1
        gen.next_double_normal_sample = r * math.sin(theta)
        out[i] = r * math.cos(theta)
    return _fma64(out, std, mean)  # val * std + mean, contracted by the compiler


def _normal_fill(gen: Generator, n: int, dtype: np.dtype, mean: float, std: float) -> np.ndarray:
    """torch's ``normal_fill`` (numel >= 16): uniforms, then Box-Muller per block of 16."""
    if dtype == np.float64:
        box_muller = _box_muller16_f64
    elif FLOAT32_NORMAL_KERNEL == "avx2":
        box_muller = _box_muller16_f32
    else:
        box_muller = _box_muller16_f32_libm
    m, s = dtype.type(mean), dtype.type(std)
    out = np.empty(n, dtype)
    full = n - n % 16
    out[:full] = _by_chunks(box_muller, _uniform01(gen, n, dtype)[:full], m, s)
    if n % 16:  # recompute the last 16 values from fresh uniforms
        out[n - 16 :] = box_muller(_uniform01(gen, 16, dtype), m, s)
    return out


def _box_muller16_f64(u: np.ndarray, mean: np.floating, std: np.floating) -> np.ndarray:
    """float64 blocks of 16: ``u1 = 1 - u[:8]``, ``u2 = u[8:]`` with libm's log/cos/sin."""
    blocks = u.reshape(-1, 16)
    u1, u2 = 1.0 - blocks[:, :8], blocks[:, 8:]
    # numpy's float64 log is not glibc's (it differs in the last bit now and then), so
    # call libm through the math module, element by element but in C (map).
    log_u1 = _libm_f64(math.log, u1)
    radius = np.sqrt(-2.0 * log_u1)
    theta = 2.0 * math.pi * u2
    n1, n2 = radius * _libm_f64(math.cos, theta), radius * _libm_f64(math.sin, theta)
    out = np.concatenate([n1, n2], axis=1).ravel()
    return out if (mean, std) == (0.0, 1.0) else _fma64(out, std, mean)


def _libm_f64(fn: Any, x: np.ndarray) -> np.ndarray:
    """The C library's float64 ``fn`` (via ``math``) on each element, as torch calls it."""
    return np.fromiter(map(fn, x.ravel().tolist()), np.float64, x.size).reshape(x.shape)


# -- float32: an exact replica of torch's AVX2 kernel (avx_mathfun.h, Cephes polynomials) -----
# GCC contracts `a * b + c` into one FMA in that code; the places it does are marked `fma`.

_F = np.float32
_LOG_P = [_F(c) for c in (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1,
                          -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1,
                          2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1)]  # fmt: skip
_LOG_Q1, _LOG_Q2 = _F(-2.12194440e-4), _F(0.693359375)
_SQRTHF = _F(0.707106781186547524)
_DP = [_F(-0.78515625), _F(-2.4187564849853515625e-4), _F(-3.77489497744594108e-8)]
_SIN_P = [_F(-1.9515295891e-4), _F(8.3321608736e-3), _F(-1.6666654611e-1)]
_COS_P = [_F(2.443315711809948e-005), _F(-1.388731625493765e-003), _F(4.166664568298827e-002)]
_FOPI = _F(1.27323954473516)  # 4 / pi
_TWO_PI_F = _F(2.0 * math.pi)


def _poly(coeffs: list[np.float32], x: np.ndarray) -> np.ndarray:
    """Horner's rule ``((c0 * x + c1) * x + c2) ...`` with an FMA at each step."""
    y = np.full_like(x, coeffs[0])
    for c in coeffs[1:]:
        y = _fma32(y, x, c)
    return y


def _log256(x: np.ndarray) -> np.ndarray:
    """``log256_ps`` of avx_mathfun.h for x > 0 (Cephes logf): exponent + polynomial."""
    bits = x.view(np.int32)
    e = ((bits >> 23) - 127).astype(_F) + _F(1)
    m = ((bits & ~0x7F800000) | 0x3F000000).view(_F)  # mantissa, in [0.5, 1)
    small = m < _SQRTHF  # if m < sqrt(1/2): e -= 1, x = 2m - 1 else x = m - 1
    x = (m - _F(1)) + np.where(small, m, _F(0))
    e = e - small.astype(_F)
    z = x * x
    y = _fma32(_poly(_LOG_P, x) * x, z, e * _LOG_Q1)  # fma: (y * x) * z + e * q1
    y = y - z * _F(0.5)
    return _fma32(e, _LOG_Q2, x + y)  # fma: e * q2 + (x + y)


def _sincos256(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``sincos256_ps`` of avx_mathfun.h for x >= 0 (Cephes sinf/cosf): reduce, 2 polynomials."""
    j = (x * _FOPI).astype(np.int32)  # octant, truncated
    j = (j + 1) & ~1
    y = j.astype(_F)
    for dp in _DP:  # x - y * pi/4 in three pieces ("extended precision modular arithmetic")
        x = _fma32(y, dp, x)
    z = x * x
    cos_p = _fma32(_poly(_COS_P, z) * z, z, -(z * _F(0.5))) + _F(1)  # fma: y*z*z - z/2
    sin_p = _fma32(_poly(_SIN_P, z) * z, x, x)  # fma: y*z*x + x
    use_sin_poly = (j & 2) == 0
    sin = np.where(use_sin_poly, sin_p, cos_p)
    cos = np.where(use_sin_poly, cos_p, sin_p)
    sin = np.where((j & 4) != 0, -sin, sin)
    cos = np.where(((j - 2) & 4) == 0, -cos, cos)
    return sin, cos


def _box_muller16_f32(u: np.ndarray, mean: np.floating, std: np.floating) -> np.ndarray:
    """torch's ``NormalFill16<float>`` (AVX2) on blocks of 16 float32 uniforms."""
    blocks = u.reshape(-1, 16)
    radius = np.sqrt(_F(-2) * _log256(_F(1) - blocks[:, :8]))
    sin, cos = _sincos256(_TWO_PI_F * blocks[:, 8:])
    out = np.concatenate([radius * cos, radius * sin], axis=1).ravel()
    return out if (mean, std) == (0.0, 1.0) else _fma32(out, std, mean)  # _mm256_fmadd_ps


# -- float32 on CPUs without AVX2 (ARM, e.g. Apple silicon): torch's scalar NormalFill16 ------


def _box_muller16_f32_libm(u: np.ndarray, mean: np.floating, std: np.floating) -> np.ndarray:
    """torch's scalar ``NormalFill16<float>``: libm's ``logf``, ``cosf``, ``sinf`` and ``fmaf``.

    Note ``theta = 2.0f * pi<double> * u2`` is computed in double and stored as float.
    """
    blocks = u.reshape(-1, 16)
    radius = np.sqrt(_F(-2) * _libm_f32("logf", _F(1) - blocks[:, :8]))
    theta = ((2.0 * math.pi) * blocks[:, 8:].astype(np.float64)).astype(_F)
    n1, n2 = radius * _libm_f32("cosf", theta), radius * _libm_f32("sinf", theta)
    return _fma32(np.concatenate([n1, n2], axis=1).ravel(), std, mean)


@functools.cache
def _load_libm() -> Any:
    name = ctypes.util.find_library("m")
    if name is None:
        return None
    lib = ctypes.CDLL(name)
    for fn in ("logf", "cosf", "sinf"):
        getattr(lib, fn).restype = ctypes.c_float
        getattr(lib, fn).argtypes = [ctypes.c_float]
    return lib


def _libm_f32(name: str, x: np.ndarray) -> np.ndarray:
    """The C library's float32 function on each element (what torch calls); numpy if none."""
    lib = _load_libm()
    if lib is None:  # no C math library found: close, but not bit-exact
        return getattr(np, {"logf": "log", "cosf": "cos", "sinf": "sin"}[name])(x)
    values = map(getattr(lib, name), x.ravel().tolist())
    return np.fromiter(values, _F, x.size).reshape(x.shape)


def _cpu_flags() -> set[str]:
    """The x86 CPU feature flags, lower case (empty if unknown)."""
    try:
        if platform.system() == "Linux":
            with open("/proc/cpuinfo") as f:
                for line in f:
                    if line.startswith("flags"):
                        return set(line.split(":", 1)[1].split())
        if platform.system() == "Darwin":
            keys = ["machdep.cpu.features", "machdep.cpu.leaf7_features"]
            out = subprocess.run(["sysctl", "-n", *keys], capture_output=True, text=True).stdout
            return {flag.lower().replace("fma3", "fma") for flag in out.split()}
    except (OSError, subprocess.SubprocessError):
        pass
    return set()


def _detect_float32_normal_kernel() -> str:
    """Which float32 ``normal_`` kernel torch picks here: ``"avx2"`` or ``"scalar"``.

    torch runs its AVX2 kernel on x86-64 CPUs with AVX2 and FMA (also when it runs AVX512
    kernels), unless ``ATEN_CPU_CAPABILITY=default``; elsewhere (ARM) the scalar one.
    """
    if os.environ.get("ATEN_CPU_CAPABILITY", "").lower() == "default":
        return "scalar"
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return "scalar"
    flags = _cpu_flags()
    return "avx2" if not flags or {"avx2", "fma"} <= flags else "scalar"


#: The float32 ``normal_`` kernel (numel >= 16) to reproduce: ``"avx2"`` (x86-64 with AVX2,
#: exact and vectorized) or ``"scalar"`` (other CPUs: calls the C library's logf/cosf/sinf per
#: element, about 20x slower). Detected at import; assign to override.
FLOAT32_NORMAL_KERNEL = _detect_float32_normal_kernel()


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
    ``high - low >= 2**28``. The default dtype is int64 as in torch.

    Example:
        >>> _ = manual_seed(0); randint(0, 10, (5,))
        array([4, 9, 3, 0, 3])
    """
    low, high = operator.index(low), operator.index(high)
    if not low < high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    dims, span = _shape(shape), high - low
    n, gen = math.prod(dims), _gen(generator)
    bits = gen._random64(n) if span >= 2**28 else gen._random(n)
    values = (bits % _U64(span) + _U64(low & _MASK64)).view(np.int64)  # wraps like uint64
    return values.astype(dtype).reshape(dims)


# random_() without bounds: the modulus per dtype (torch's transformation::uniform_int).
_RANDOM_MODULUS = {
    np.dtype(np.int64): 2**63,
    np.dtype(np.int32): 2**31,
    np.dtype(np.int16): 2**15,
    np.dtype(np.int8): 2**7,
    np.dtype(np.uint8): 2**8,
    np.dtype(np.bool_): 2,
    np.dtype(np.float32): 2**24 + 1,
    np.dtype(np.float64): 2**53 + 1,
}


def random_(
    shape: ShapeLike, dtype: DTypeLike = np.int64, generator: Generator | None = None
) -> np.ndarray:
    """``torch.empty(shape, dtype=dtype).random_()``: integers in [0, max of dtype].

    int64 and float64 take a 64-bit draw per element, other dtypes a 32-bit one; the value is
    that draw modulo ``2**63`` (int64), ``2**31`` (int32) ..., ``2**24 + 1`` (float32),
    ``2**53 + 1`` (float64); bool takes its lowest bit.

    Example:
        >>> _ = manual_seed(0); random_(2)
        array([ 900450186894289455, 3969543146641149120])
    """
    dt, dims = np.dtype(dtype), _shape(shape)
    if dt not in _RANDOM_MODULUS:
        raise NotImplementedError(f"random_ is not implemented for dtype {dt}")
    n, gen = math.prod(dims), _gen(generator)
    bits = gen._random64(n) if dt in (np.int64, np.float64) else gen._random(n)
    return (bits % _U64(_RANDOM_MODULUS[dt])).astype(dt).reshape(dims)


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
    order = np.argsort(t * n + steps)  # by target, then step (unique keys: fast, and stable)
    same = t[order[1:]] == t[order[:-1]]
    prev = np.full(n, -1)
    prev[order[1:][same]] = order[:-1][same]
    # q[k]: the last step before k that targets k (steps j < k with t_j == k)
    q = np.full(n, -1)
    moved = t != steps
    np.maximum.at(q, t[moved], steps[moved])
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


def bernoulli(
    shape: ShapeLike,
    p: float = 0.5,
    dtype: DTypeLike = np.float32,
    generator: Generator | None = None,
) -> np.ndarray:
    """1 with probability ``p``, else 0: ``torch.empty(shape, dtype=dtype).bernoulli_(p)``.

    Each element draws a float64 uniform ``u`` (two 32-bit outputs) and is ``u < p``. This is
    the mask of ``F.dropout(x, p)``, which is ``bernoulli_(1 - p)`` then ``div_(1 - p)``.
    (PyTorch builds may use MKL here only inside Meta; public builds use this kernel.)

    Example:
        >>> _ = manual_seed(0); bernoulli(5, 0.5)
        array([0., 0., 1., 0., 0.], dtype=float32)
    """
    if not 0.0 <= p <= 1.0:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    dims = _shape(shape)
    u = _uniform01(_gen(generator), math.prod(dims), np.dtype(np.float64))
    return (u < p).astype(dtype).reshape(dims)


def bernoulli_tensor(
    p: ArrayLike, dtype: DTypeLike | None = None, generator: Generator | None = None
) -> np.ndarray:
    """``torch.bernoulli(p)``: 1 with probability ``p[i]`` per element, in ``p``'s dtype.

    A float64 ``p`` compares a 53-bit uniform (two draws), a float32 ``p`` a 24-bit float32
    uniform (one draw), in the precision of ``p``.

    Example:
        >>> _ = manual_seed(0); bernoulli_tensor(np.array([0.0, 1.0, 0.5], np.float32))
        array([0., 1., 1.], dtype=float32)
    """
    probs = np.asarray(p)
    pd = np.float64 if probs.dtype == np.float64 else np.float32
    probs = probs.astype(pd, copy=False)
    if not ((probs >= 0) & (probs <= 1)).all():
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    u = _uniform01(_gen(generator), probs.size, np.dtype(pd)).reshape(probs.shape)
    return (u < probs).astype(dtype if dtype is not None else probs.dtype)
