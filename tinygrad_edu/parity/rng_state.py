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
``a * b + c`` into FMAs; numpy has none: parity/fma.py emulates them exactly). The
float32 ``normal_`` kernel for numel >= 16 depends on the CPU: AVX2 on x86-64 (emulated
with numpy), a libm-based loop elsewhere (see ``FLOAT32_NORMAL_KERNEL``).

All functions here work on numpy arrays (only the RNG state is a uint8 Tensor, as in torch);
the Tensor layer wraps them.
"""

from __future__ import annotations

import operator
import os
from typing import Any

import numpy as np

from .._device import CPU, check
from ..core.function import _wrap

#: The seed of a fresh ``torch.Generator()`` (PyTorch's ``default_rng_seed_val``).
DEFAULT_SEED = 67280421310721

_MT_N = 624  # words of mt19937 state
_U64 = np.uint64
_MASK64 = (1 << 64) - 1

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

