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
* ``bernoulli_(p)``: ``uniform64() < p`` per element; ``bernoulli(p_tensor)`` compares a
  uniform of p's precision (float64: 53 bits, else 24).
* ``exponential_``, ``geometric_``, ``cauchy_``, ``log_normal_``: a float64 transform of one
  53-bit uniform (log_normal_: of the cached float64 Box-Muller) per element, cast to dtype.
* ``multinomial``: ``argmax``/``topk`` of ``p / exponential_(1)`` without replacement (or for
  one sample), else cumulative sums and one 53-bit uniform per sample.
* In-place fills visit a tensor in memory order (a transposed view by columns), as torch's
  TensorIterator does; ``arrange`` and ``draw_order`` do that here.
* ``get_state()``: torch's 5056-byte ``CPUGeneratorImplState``, so states move both ways.

Exactness was checked against torch 2.13 on Linux x86-64 (GCC build, which contracts
``a * b + c`` into FMAs; numpy has none, so ``_fma32``/``_fma64`` emulate them exactly). The
float32 ``normal_`` kernel for numel >= 16 depends on the CPU: AVX2 on x86-64 (emulated
with numpy), a libm-based loop elsewhere (see ``FLOAT32_NORMAL_KERNEL``).

All functions here work on numpy arrays (only the RNG state is a uint8 Tensor, as in torch);
the Tensor layer wraps them.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import math
import operator
import os
import platform
import subprocess
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

__all__ = [
    "DEFAULT_SEED",
    "FLOAT32_NORMAL_KERNEL",
    "Generator",
    "arrange",
    "bernoulli",
    "bernoulli_tensor",
    "cauchy",
    "default_generator",
    "draw_order",
    "exponential",
    "fork_rng",
    "geometric",
    "get_rng_state",
    "initial_seed",
    "log_normal",
    "manual_seed",
    "multinomial",
    "normal",
    "normal_tensor",
    "rand",
    "randint",
    "randn",
    "random_",
    "random_from_to",
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
    with np.errstate(invalid="ignore"):
        out = sh + _round_to_odd(*_two_sum(sl, lo))
    if not np.isfinite(out).all():  # inf or nan inputs: the error terms are nan, IEEE is right
        plain = a64 * b64 + np.asarray(c, np.float64)
        out = np.where(np.isfinite(out), out, plain)
    return out


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

    def get_state(self) -> Any:
        """The state as a uint8 Tensor of 5056 bytes, identical to ``torch.Generator.get_state()``.

        The bytes are torch's ``CPUGeneratorImplState``, so a state saved by torch loads here
        (``g.set_state(torch_state.numpy())``) and ours loads in torch.

        Example:
            >>> Generator().get_state().shape
            tinygrad_edu.Size([5056])
        """
        from .tensor import _wrap

        return _wrap(self._state_bytes())

    def _state_bytes(self) -> np.ndarray:
        """The state as a uint8 numpy array (what ``get_state`` wraps)."""
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

    def set_state(self, new_state: Any) -> Generator:
        """Restore a state from ``get_state()`` (ours or torch's: the bytes are the same).

        ``new_state`` is a uint8 Tensor (as in torch); a uint8 numpy array or ``bytes`` also
        work. Returns the generator.

        Example:
            >>> g = Generator(); s = g.get_state(); a = rand(3, generator=g)
            >>> bool((g.set_state(s) is g) and (rand(3, generator=g) == a).all())
            True
        """
        raw = _state_as_bytes(new_state)
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


def _state_as_bytes(state: Any) -> bytes:
    """The raw bytes of an RNG state, checked as torch checks it (a contiguous uint8 tensor)."""
    if isinstance(state, bytes):
        return state
    data = getattr(state, "_data", state)  # a Tensor's array, or an array
    if not isinstance(data, np.ndarray):
        raise TypeError(f"expected a torch.ByteTensor, but got {type(state).__name__}")
    if data.dtype != np.uint8:
        raise TypeError("RNG state must be a torch.ByteTensor")
    if not data.flags.c_contiguous:
        raise RuntimeError("RNG state must be contiguous")
    return data.tobytes()


def get_rng_state() -> Any:
    """The default generator's state as a uint8 Tensor of 5056 bytes (``torch.get_rng_state``).

    The bytes are the ones torch gives, so states move between the two libraries.

    Example:
        >>> get_rng_state().dtype
        tinygrad_edu.uint8
    """
    return default_generator.get_state()


def set_rng_state(new_state: Any) -> None:
    """Restore the default generator's state (``torch.set_rng_state``).

    Example:
        >>> s = get_rng_state(); a = rand(2); set_rng_state(s); bool((rand(2) == a).all())
        True
    """
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(
    devices: Any = None,
    enabled: bool = True,
    _caller: str = "fork_rng",
    _devices_kw: str = "devices",
    device_type: str | None = None,
) -> Iterator[None]:
    """``torch.random.fork_rng``: restore the default generator's state when the block ends.

    Only the CPU generator exists here, so ``devices`` and ``device_type`` are accepted and
    ignored (torch's CPU-only behaviour). With ``enabled=False`` it does nothing.

    Example:
        >>> _ = manual_seed(0)
        >>> with fork_rng():
        ...     _ = rand(3)
        >>> rand(1)  # as if the block had not drawn
        array([0.4962566], dtype=float32)
    """
    if not enabled:
        yield
        return
    saved = default_generator._state_bytes()
    try:
        yield
    finally:
        default_generator.set_state(saved)


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


def _float_dtype(dtype: DTypeLike, kernel: str) -> np.dtype:
    """``dtype`` if it is a float dtype; else torch's NotImplementedError for ``kernel``."""
    dt = np.dtype(dtype)
    if dt.kind != "f":
        raise _not_implemented(kernel, dt)  # ('"normal_kernel_cpu" not implemented for 'Long'')
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


#: torch's names of the dtypes: ScalarType (in "not implemented for 'Long'") and the C++
#: type (in "out of bounds for long int"), as its error messages spell them.
_SCALAR_NAMES = {
    np.dtype(np.float16): "Half", np.dtype(np.float32): "Float", np.dtype(np.float64): "Double",
    np.dtype(np.int8): "Char", np.dtype(np.uint8): "Byte", np.dtype(np.int16): "Short",
    np.dtype(np.int32): "Int", np.dtype(np.int64): "Long", np.dtype(np.bool_): "Bool",
}  # fmt: skip
_CPP_NAMES = {
    np.dtype(np.float16): "c10::Half", np.dtype(np.float32): "float",
    np.dtype(np.float64): "double", np.dtype(np.int8): "signed char",
    np.dtype(np.uint8): "unsigned char", np.dtype(np.int16): "short int",
    np.dtype(np.int32): "int", np.dtype(np.int64): "long int", np.dtype(np.bool_): "bool",
}  # fmt: skip
_DIGITS = {np.dtype(np.float16): 11, np.dtype(np.float32): 24, np.dtype(np.float64): 53}


def _num(x: float) -> str:
    """A double as C++'s ``ostream`` prints it in torch's messages (``%g``: 0, -1, 1.5, nan)."""
    return f"{x:g}"


def _not_implemented(kernel: str, dtype: np.dtype) -> NotImplementedError:
    name = _SCALAR_NAMES.get(dtype, str(dtype))
    return NotImplementedError(f"\"{kernel}\" not implemented for '{name}'")


def _from_double(x: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """``static_cast<scalar_t>(double)`` as torch's CPU kernels (GCC, x86-64) compute it.

    float16 goes through float32 (``c10::Half`` is built from a float: two roundings, not
    numpy's one). Integers are truncated with a 32-bit conversion (64-bit for int64) and then
    wrapped to the narrower type; out of range (or nan) the conversion gives the "integer
    indefinite" value, INT32_MIN (INT64_MIN), whose low bits are 0.
    """
    if dtype.kind == "f":
        with np.errstate(over="ignore"):  # too large: inf, as in C
            return x.astype(np.float32).astype(dtype) if dtype == np.float16 else x.astype(dtype)
    if dtype == np.bool_:
        return x != 0
    wide, bound = (np.int64, 2.0**63) if dtype == np.int64 else (np.int32, 2.0**31)
    fits = (x > -bound - 1) & (x < bound)  # (the comparisons are false for nan)
    truncated = np.where(fits, np.trunc(np.where(fits, x, 0.0)), -bound).astype(wide)
    return truncated.astype(dtype)


def _from_int64(x: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """``static_cast<scalar_t>(int64_t)``: wraps for integers; float16 through float32."""
    if dtype == np.float16:
        with np.errstate(over="ignore"):
            return x.astype(np.float32).astype(np.float16)
    return x.astype(dtype)


# ---------------------------------------------------------------------------------------------
# The order in which torch fills a tensor
# ---------------------------------------------------------------------------------------------
# torch's CPU kernels draw one number per element, in the order its TensorIterator visits the
# elements: memory order (dimensions sorted by stride, the largest outermost), which for a
# transposed or sliced view is not the row-major order of its shape. ``empty_like`` keeps the
# same order. The distributions below return values in draw order (as a row-major array of the
# shape); ``arrange`` puts them where torch would, and ``draw_order`` reads an input that way.


def _memory_axes(like: np.ndarray) -> list[int]:
    """The axes of ``like`` from the outermost to the innermost in memory."""
    if like.flags.c_contiguous:
        return list(range(like.ndim))
    return sorted(range(like.ndim), key=lambda axis: -abs(like.strides[axis]))


def arrange(values: np.ndarray, like: np.ndarray) -> np.ndarray:
    """``values`` (in draw order) as an array of ``like``'s shape, each where torch writes it.

    Example:
        >>> arrange(np.arange(6), np.zeros((3, 2)).T)   # a transposed view: filled by columns
        array([[0, 2, 4],
               [1, 3, 5]])
    """
    axes = _memory_axes(like)
    if axes == list(range(like.ndim)):
        return values.reshape(like.shape)
    drawn = values.reshape([like.shape[axis] for axis in axes])
    return drawn.transpose(np.argsort(axes))


def draw_order(x: np.ndarray, like: np.ndarray) -> np.ndarray:
    """``x`` broadcast to ``like``'s shape, flattened in the order torch visits ``like``."""
    full = np.broadcast_to(x, like.shape)
    return full.transpose(_memory_axes(like)).ravel()


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
    that rounds up to ``high`` is replaced by ``low``. float16 runs the float32 computation and
    rounds its result (then a value equal to ``high`` becomes ``low``). This is what
    ``nn.Linear`` uses to initialise its weights (``kaiming_uniform_``) and bias.

    Example:
        >>> _ = manual_seed(0); uniform((2,), -1.0, 1.0)
        array([-0.00748682,  0.5364436 ], dtype=float32)
    """
    gen, dt = _gen(generator), _float_dtype(dtype, "check_uniform_bounds")
    largest = float(np.finfo(dt).max)
    for value, what in ((low, "from"), (high, "to")):
        if not -largest <= value <= largest:
            raise RuntimeError(f"{what} is out of bounds for {_CPP_NAMES[dt]}")
    if not low <= high:
        raise RuntimeError(
            "uniform_ expects to return a [from, to) range, but found "
            f"from={_num(low)} > to={_num(high)}"
        )
    if not high - low <= largest:
        raise RuntimeError(
            f"uniform_ expects to-from <= std::numeric_limits<{_SCALAR_NAMES[dt]}>::max(), but "
            f"found to={_num(high)} and from={_num(low)} which result in to-from to exceed the "
            "limit"
        )
    dims = _shape(shape)
    calc = np.dtype(np.float32) if dt == np.float16 else dt
    lo, hi = calc.type(low), calc.type(high)
    x = _uniform01(gen, math.prod(dims), calc)
    if lo == 0 and hi == 1 and dt == calc:
        return x.reshape(dims)  # fma(x, 1, 0) == x < 1
    out = x if lo == 0 and hi == 1 else _by_chunks(_fma, x, hi - lo, lo)  # width rounded first
    if dt != calc:
        out, lo, hi = out.astype(dt), dt.type(lo), dt.type(hi)
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
    contiguous: bool = True,
) -> np.ndarray:
    """Samples of N(mean, std**2): ``torch.empty(shape).normal_(mean, std)``.

    Also ``torch.normal(mean, std, size)`` for float ``mean`` and ``std``. Like torch, it
    takes one of two paths:

    * numel >= 16: draw a uniform per element, then Box-Muller on blocks of 16 (the first 8
      give ``u1``, the next 8 ``u2``); if numel is not a multiple of 16, the last 16 elements
      are drawn again and transformed again. float32 follows ``FLOAT32_NORMAL_KERNEL``.
    * numel < 16, or a tensor that is not ``contiguous`` (``normal_`` on a transposed view):
      one Box-Muller pair in float64 per two elements, ``r * cos`` returned and ``r * sin``
      cached in the generator for the next element, even across calls.

    float16 computes in float32 and rounds; its first path draws uniforms only for the
    complete blocks of 16 before redrawing the last 16.

    Example:
        >>> _ = manual_seed(0); normal(3)
        array([ 1.5409961, -0.2934289, -2.1787894], dtype=float32)
    """
    gen = _gen(generator)
    if not std >= 0.0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_num(std)}")
    dims = _shape(shape)
    n = math.prod(dims)
    if n == 0:
        return np.empty(dims, dtype)
    dt = _float_dtype(dtype, "normal_kernel_cpu")
    if n >= 16 and contiguous:
        out = _normal_fill(gen, n, dt, mean, std)
    else:
        out = _from_double(_normal_small(gen, n, mean, std), dt)
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
    calc = np.dtype(np.float32) if dtype == np.float16 else dtype
    m, s = calc.type(mean), calc.type(std)
    out = np.empty(n, calc)
    full = n - n % 16
    # float16 computes in float32, and draws uniforms for the full blocks only
    drawn = _uniform01(gen, full if dtype == np.float16 else n, calc)
    out[:full] = _by_chunks(box_muller, drawn[:full], m, s)
    if n % 16:  # recompute the last 16 values from fresh uniforms
        out[n - 16 :] = box_muller(_uniform01(gen, 16, calc), m, s)
    return out if calc == dtype else out.astype(dtype)


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
        if dt.kind == "f":
            low, high = _update_from(low, dt), _update_to(high, dt)
            if not low < high:
                raise RuntimeError(
                    "random_ expects 'from' casted to dtype to be less than 'to' casted to "
                    f"dtype, but got from={low} >= to={high}"
                )
        _check_from_to_in_range(low, high - 1, dt)
        span = high - low
    elif low != -(2**63):  # [low, largest value of dtype]
        if dt.kind == "f":
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
            raise _not_implemented("random_full_64_bits_range_kernel_cpu", dt)
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
    name = _CPP_NAMES[dt]
    if dt.kind == "f":
        info = np.finfo(dt)
        lo_limit, hi_limit = float(info.min), float(info.max)
    elif dt == np.bool_:
        lo_limit, hi_limit = 0, 1
    else:
        lo_limit, hi_limit = int(np.iinfo(dt).min), int(np.iinfo(dt).max)
    for value, what in ((low, "from"), (high_inclusive, "to - 1")):
        if not lo_limit <= value <= hi_limit:
            raise RuntimeError(f"{what} is out of bounds for {name}")
    if dt.kind == "f":
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
    probs = np.asarray(p)
    out_dtype = np.dtype(dtype) if dtype is not None else probs.dtype
    if probs.size == 0:
        return np.empty(probs.shape, out_dtype)
    if probs.dtype.kind != "f":
        raise _not_implemented("bernoulli_tensor_cpu_p_", probs.dtype)
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
    if dtype.kind != "f":
        raise _not_implemented(kernel, dtype)


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
    if dt.kind != "f":
        raise RuntimeError(
            "Exponential distribution is a continuous probability distribution. dtype must be a "
            f"floating point but you specified {_SCALAR_NAMES[dt]}"
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
        raise _not_implemented("geometric_cpu", dt)
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
    if dt.kind != "f":
        raise RuntimeError(
            "Cauchy distribution is a continuous probability distribution. dtype must be a "
            f"floating point but you specified {_CPP_NAMES[dt]}"
        )
    n = math.prod(dims)
    u = _uniform01(gen, n, np.dtype(np.float64))
    x = _fma64(sigma, _libm_f64(math.tan, math.pi * (u - 0.5)), median)
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
    p = np.asarray(probs)
    if p.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if p.dtype.kind != "f":
        name = _SCALAR_NAMES.get(p.dtype, str(p.dtype))
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
        from .parity.stl_sort import topk_indices

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


# ---------------------------------------------------------------------------------------------
# For the Tensor layer: arguments, and the (zero) gradient of random values
# ---------------------------------------------------------------------------------------------


def check_generator(generator: Any, fn: str) -> Generator | None:
    """``generator`` if it is None or a Generator; else torch's TypeError for ``fn``."""
    if generator is not None and not isinstance(generator, Generator):
        raise TypeError(
            f"{fn}(): argument 'generator' must be torch.Generator, not {type(generator).__name__}"
        )
    return generator


def float_arg(value: Any, fn: str, name: str, position: int) -> float:
    """A ``float`` argument as torch's parser takes it: a number or a one-element tensor."""
    if isinstance(value, (bool, int, float, np.number)):
        return float(value)
    data = getattr(value, "_data", None)
    if isinstance(data, np.ndarray) and data.ndim == 0:
        return float(data)
    raise TypeError(
        f"{fn}(): argument '{name}' (position {position}) must be float, not {type(value).__name__}"
    )


def int_arg(value: Any, fn: str, name: str, position: int) -> int:
    """An ``int`` argument as torch's parser takes it: no bool, no float, int64 range."""
    data = getattr(value, "_data", None)
    if isinstance(data, np.ndarray) and data.ndim == 0 and data.dtype.kind in "iu":
        value = int(data)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(
            f"{fn}(): argument '{name}' (position {position}) must be int, not "
            f"{type(value).__name__}"
        )
    if not -(2**63) <= int(value) < 2**63:
        raise RuntimeError("Overflow when unpacking long long")
    return int(value)


def random_bounds(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[int, int | None] | None:
    """The bounds of ``Tensor.random_(...)``: None for ``random_()``, else ``(from, to)``.

    torch's overloads: ``random_()``, ``random_(to)`` meaning [0, to), and
    ``random_(from, to)`` where ``to=None`` means up to the dtype's largest value.
    """
    kwargs = dict(kwargs)
    if len(args) > 2:
        raise TypeError(f"random_() takes 2 positional arguments but {len(args)} were given")
    if set(kwargs) - {"from", "to"}:
        got = ", ".join(
            [type(a).__name__ for a in args]
            + [f"{k}={type(v).__name__}" for k, v in kwargs.items()]
        )
        raise TypeError(
            f"random_() received an invalid combination of arguments - got ({got}), but expected "
            "one of:\n * (*, torch.Generator generator = None)\n"
            " * (int from, int to, *, torch.Generator generator = None)\n"
            " * (int to, *, torch.Generator generator = None)"
        )
    values = list(args)
    if "from" in kwargs:
        values.insert(0, kwargs.pop("from"))
    if "to" in kwargs:
        values.append(kwargs.pop("to"))
    if not values:
        return None
    if len(values) == 1:  # random_(to)
        return 0, int_arg(values[0], "random_", "to", 1)
    low = int_arg(values[0], "random_", "from", 1)
    return low, None if values[1] is None else int_arg(values[1], "random_", "to", 2)
