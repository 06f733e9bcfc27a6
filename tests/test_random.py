"""Tests for tinygrad_edu.random: bit-for-bit parity with PyTorch's CPU generator.

The first half needs no torch: determinism, ranges, dtypes, shapes, errors, how many draws
each call takes, and known values recorded from torch 2.13 (x86-64). The second half
compares with torch directly and is skipped when torch is not installed.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest

from tinygrad_edu import random as R
from tinygrad_edu.parity import fma, rng_floats, rng_sampling, rng_state

SIZES = [*range(1, 21), 31, 32, 33, 47, 100, 255, 1000, 1001]
SEEDS = [0, 1, 42, 2**32 + 3, 2**63 + 5]
FLOATS = [np.float32, np.float64]


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal shape, dtype and bytes (so -0.0 != 0.0 and NaNs compare)."""
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


@pytest.fixture
def avx2_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Use the AVX2 float32 normal kernel (what torch runs on x86-64), whatever the CPU."""
    monkeypatch.setattr(rng_floats, "FLOAT32_NORMAL_KERNEL", "avx2")


# ---------------------------------------------------------------------------------------------
# Without torch
# ---------------------------------------------------------------------------------------------


def test_known_values_from_torch(avx2_kernel: None) -> None:
    R.manual_seed(0)
    assert same_bits(R.rand(4), np.array([0.4962566, 0.7682218, 0.08847743, 0.13203049], "f4"))
    R.manual_seed(0)
    assert same_bits(R.randn(3), np.array([1.5409961, -0.2934289, -2.1787894], "f4"))
    R.manual_seed(0)
    first = [-1.1258398, -1.1523602, -0.25057858, -0.4338788, 0.59883946, -1.5550951]
    last = [0.9318266, 1.2590092, 2.0049806, 0.053736903]
    out = R.randn(20)  # the vectorized path, with a recomputed tail
    assert same_bits(out[:6], np.array(first, "f4")) and same_bits(out[16:], np.array(last, "f4"))
    R.manual_seed(0)
    expect = [1.5409961082440433, -0.2934289057609464, -2.1787893820745574]
    assert R.randn(3, np.float64).tolist() == expect
    R.manual_seed(0)
    out64 = R.randn(17, np.float64)
    assert out64[0] == -2.310411800234176 and out64[16] == 0.6748575435940039
    R.manual_seed(42)
    assert R.randint(0, 100, (8,)).tolist() == [42, 67, 76, 14, 26, 35, 20, 24]
    R.manual_seed(42)
    assert R.randperm(10).tolist() == [2, 6, 1, 8, 4, 5, 0, 9, 3, 7]
    R.manual_seed(42)
    assert R.random_int64() == 6909045637428952499
    R.manual_seed(42)
    assert R.bernoulli(10, 0.5).tolist() == [1, 1, 1, 1, 0, 1, 0, 0, 1, 1]
    assert same_bits(R.rand(3, generator=R.Generator()), np.array([0.26729524, 0.8725283, 0.33528882], "f4"))  # fmt: skip


def test_linear_init_known_values() -> None:
    """torch.manual_seed(42); nn.Linear(1, 512): kaiming_uniform_(a=sqrt(5)) then the bias."""
    R.manual_seed(42)
    gain = math.sqrt(2.0 / (1 + math.sqrt(5) ** 2))
    bound = math.sqrt(3.0) * (gain / math.sqrt(1))
    weight = R.uniform((512, 1), -bound, bound)
    bias = R.uniform((512,), -1.0, 1.0)
    expect_w = [0.7645385, 0.8300079, -0.23427248, 0.9186113, -0.21910357]
    assert same_bits(weight.ravel()[:5], np.array(expect_w, "f4"))
    assert same_bits(bias[:3], np.array([0.31124473, -0.7628721, -0.63274467], "f4"))


@pytest.mark.parametrize(
    "draw",
    [
        lambda g: R.rand((3, 4), generator=g),
        lambda g: R.rand(5, np.float64, generator=g),
        lambda g: R.randn(7, generator=g),
        lambda g: R.randn(100, np.float64, generator=g),
        lambda g: R.uniform(50, -2.0, 3.0, generator=g),
        lambda g: R.normal(40, 1.0, 0.5, generator=g),
        lambda g: R.randint(-3, 9, (6,), generator=g),
        lambda g: R.randperm(30, generator=g),
        lambda g: R.bernoulli((4, 4), 0.3, generator=g),
        lambda g: R.random_(5, generator=g),
    ],
)
def test_same_seed_same_numbers(draw) -> None:
    a = draw(R.Generator().manual_seed(123))
    b = draw(R.Generator().manual_seed(123))
    c = draw(R.Generator().manual_seed(124))
    assert same_bits(a, b)
    assert not same_bits(a, c)


def test_manual_seed_resets_default_generator() -> None:
    assert R.manual_seed(7) is R.default_generator
    a = (R.rand(3), R.randn(3), R.randperm(5))
    R.manual_seed(7)
    b = (R.rand(3), R.randn(3), R.randperm(5))
    assert all(same_bits(x, y) for x, y in zip(a, b))
    assert R.initial_seed() == 7


def test_generator_is_independent_of_default() -> None:
    R.manual_seed(0)
    expect = R.rand(5)
    R.manual_seed(0)
    g = R.Generator().manual_seed(0)
    R.rand(100, generator=g)
    assert same_bits(R.rand(5), expect)


def test_new_generator_uses_torch_default_seed() -> None:
    assert R.Generator().initial_seed() == R.DEFAULT_SEED == 67280421310721


def test_seed_is_random_and_recorded() -> None:
    g = R.Generator()
    s1, s2 = g.seed(), g.seed()
    assert s1 != s2 and g.initial_seed() == s2 and 0 <= s2 < 2**64
    s = R.seed()
    assert R.initial_seed() == s


def test_seed_range_and_wrapping() -> None:
    assert R.Generator().manual_seed(-1).initial_seed() == 2**64 - 1
    assert R.Generator().manual_seed(2**64 - 1).initial_seed() == 2**64 - 1
    assert R.Generator().manual_seed(np.int64(5)).initial_seed() == 5
    with pytest.raises(ValueError):
        R.Generator().manual_seed(2**64)
    with pytest.raises(ValueError):
        R.Generator().manual_seed(-(2**63) - 1)
    with pytest.raises(RuntimeError, match="expected a long"):
        R.Generator().manual_seed(1.5)
    assert R.manual_seed(3.9).initial_seed() == 3  # torch.manual_seed does int(seed)


def test_only_low_32_bits_seed_the_twister() -> None:
    a = R.rand(4, generator=R.Generator().manual_seed(5))
    b = R.rand(4, generator=R.Generator().manual_seed(5 + 2**32))
    assert same_bits(a, b)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", [(), (0,), (1,), (3, 4), (2, 0, 5), (17,), (4, 4, 4)])
def test_shapes_and_dtypes(dtype, shape) -> None:
    for out in (
        R.rand(shape, dtype),
        R.randn(shape, dtype),
        R.uniform(shape, -1.0, 2.0, dtype),
        R.normal(shape, 3.0, 2.0, dtype),
        R.bernoulli(shape, 0.5, dtype),
    ):
        assert out.shape == shape and out.dtype == dtype
    out = R.randint(0, 5, shape)
    assert out.shape == shape and out.dtype == np.int64


def test_int_shape_and_scalar_shape() -> None:
    assert R.rand(5).shape == (5,)
    assert R.rand([2, 3]).shape == (2, 3)
    assert R.randn(()).shape == ()


@pytest.mark.parametrize("dtype", FLOATS)
def test_ranges(dtype) -> None:
    R.manual_seed(0)
    u = R.rand(100_000, dtype)
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.01
    v = R.uniform(100_000, -3.0, -2.5, dtype)
    assert v.min() >= -3.0 and v.max() < -2.5
    z = R.normal(100_000, 2.0, 3.0, dtype)
    assert abs(z.mean() - 2.0) < 0.05 and abs(z.std() - 3.0) < 0.05
    assert np.isfinite(R.randn(100_000, dtype)).all()


def test_uniform_never_returns_high() -> None:
    # a width that rounds the top values up to `high` in float32; torch maps them to `low`
    out = R.uniform(200_000, 1.0, 1.0000001)
    assert (out < np.float32(1.0000001)).all()
    assert same_bits(R.uniform(5, 0.5, 0.5), np.full(5, 0.5, np.float32))


def test_randint_range_and_big_spans() -> None:
    out = R.randint(-5, 3, 10_000)
    assert out.min() == -5 and out.max() == 2
    big = R.randint(-(2**62), 2**62, 1000)
    assert big.min() < -(2**60) and big.max() > 2**60
    full = R.randint(-(2**63), 2**63 - 1, 1000)
    assert full.dtype == np.int64
    assert R.randint(0, 10, 5, dtype=np.int32).dtype == np.int32


def test_randperm_is_a_permutation() -> None:
    for n in [0, 1, 2, 3, 10, 1000, 60_000]:
        perm = R.randperm(n)
        assert perm.dtype == np.int64 and sorted(perm.tolist()) == list(range(n))


def test_randperm_vectorized_swaps_equal_the_loop() -> None:
    """The parallel evaluation of Fisher-Yates agrees with the sequential loop."""
    rng = np.random.default_rng(0)
    for n in [1, 2, 3, 5, 8, 50, 1000]:
        for _ in range(20):
            targets = np.array([rng.integers(i, n) for i in range(n - 1)], np.int64)
            perm = list(range(n))
            for i, t in enumerate(targets.tolist()):
                perm[i], perm[t] = perm[t], perm[i]
            assert rng_sampling._apply_swaps(targets, n).tolist() == perm


def test_bernoulli_values() -> None:
    assert set(np.unique(R.bernoulli(1000, 0.5)).tolist()) == {0.0, 1.0}
    assert not R.bernoulli(1000, 0.0).any()
    assert R.bernoulli(1000, 1.0).all()
    assert abs(R.bernoulli(100_000, 0.2).mean() - 0.2) < 0.01
    assert R.bernoulli(3, 0.5, np.bool_).dtype == np.bool_


def test_bernoulli_tensor_values() -> None:
    p = np.array([0.0, 1.0, 0.0, 1.0], np.float32)
    out = R.bernoulli_tensor(p)
    assert out.tolist() == [0, 1, 0, 1] and out.dtype == np.float32
    assert R.bernoulli_tensor(p.astype(np.float64)).dtype == np.float64


@pytest.mark.parametrize(
    "dtype, top",
    [(np.int64, 2**63), (np.int32, 2**31), (np.uint8, 256), (np.bool_, 2), (np.float32, 2**24 + 1)],
)
def test_random_dtypes(dtype, top) -> None:
    out = R.random_(5000, dtype)
    assert out.dtype == dtype and out.min() >= 0 and int(out.max()) < top
    assert 0 <= R.random_int64() < 2**63


def test_errors_match_torch_kinds() -> None:
    with pytest.raises(RuntimeError, match="from=2 > to=1"):  # torch prints doubles as %g
        R.uniform(3, 2.0, 1.0)
    with pytest.raises(RuntimeError, match="std >= 0.0"):
        R.normal(3, 0.0, -1.0)
    with pytest.raises(RuntimeError, match="from=3 >= to=3"):
        R.randint(3, 3, 2)
    with pytest.raises(RuntimeError, match="negative dimension"):
        R.randperm(-1)
    with pytest.raises(RuntimeError, match=r"p to be in \[0, 1\]"):
        R.bernoulli(3, 1.5)
    with pytest.raises(RuntimeError, match="negative dimension"):
        R.rand((2, -1))
    with pytest.raises(NotImplementedError, match="not implemented for 'Long'"):
        R.rand(3, np.int64)
    with pytest.raises(NotImplementedError, match="complex64"):
        R.random_(3, np.complex64)
    with pytest.raises(TypeError):
        R.rand(3, generator="not a generator")  # type: ignore[arg-type]


# -- how much of the stream each call uses ----------------------------------------------------


def state_after(draw) -> np.ndarray:
    g = R.Generator().manual_seed(0)
    draw(g)
    return g.get_state()


@pytest.mark.parametrize(
    "call, raw_draws",
    [
        (lambda g: R.rand(10, generator=g), 10),
        (lambda g: R.rand(10, np.float64, generator=g), 20),
        (lambda g: R.randn(32, generator=g), 32),
        (lambda g: R.randn(33, generator=g), 33 + 16),  # the ragged tail is redrawn
        (lambda g: R.randn(33, np.float64, generator=g), 2 * (33 + 16)),
        (lambda g: R.randn(4, generator=g), 2 * 4),  # two Box-Muller pairs of 64-bit draws
        (lambda g: R.randint(0, 2**28 - 1, 5, generator=g), 5),
        (lambda g: R.randint(0, 2**28, 5, generator=g), 10),
        (lambda g: R.randperm(10, generator=g), 9),
        (lambda g: R.bernoulli(7, 0.5, generator=g), 14),
        (lambda g: R.random_int64(g), 2),
    ],
)
def test_draw_counts(call, raw_draws) -> None:
    assert same_bits(state_after(call), state_after(lambda g: g._random(raw_draws)))


def test_normal_cache_carries_over_between_calls() -> None:
    R.manual_seed(0)
    pair = R.randn(2, np.float64)
    R.manual_seed(0)
    one, two = R.randn(1, np.float64), R.randn(1, np.float64)
    assert same_bits(np.concatenate([one, two]), pair)
    assert R.default_generator.next_double_normal_sample is None
    R.randn(1)
    assert R.default_generator.next_double_normal_sample is not None
    R.manual_seed(0)  # seeding drops the cached sample
    assert R.default_generator.next_double_normal_sample is None


def test_state_roundtrip() -> None:
    g = R.Generator().manual_seed(3)
    R.randn(5, generator=g)  # leaves a cached normal sample
    state = g.get_state()
    assert np.asarray(state).dtype == np.uint8 and state.shape == (5056,)
    a = (R.randn(3, generator=g), R.rand(700, generator=g))
    h = R.Generator().set_state(state)
    b = (R.randn(3, generator=h), R.rand(700, generator=h))
    assert all(same_bits(x, y) for x, y in zip(a, b))
    assert same_bits(R.Generator().set_state(np.asarray(state).tobytes()).get_state(), state)
    with pytest.raises(RuntimeError, match="size"):
        g.set_state(state[:100])
    R.set_rng_state(state)
    assert same_bits(R.get_rng_state(), state)


def test_fresh_state_layout() -> None:
    """The fields of torch's CPUGeneratorImplState for a just-seeded generator."""
    raw = np.asarray(R.Generator().manual_seed(9).get_state()).tobytes()
    st = np.frombuffer(raw, rng_state._STATE_DTYPE)[0]
    assert (st["the_initial_seed"], st["left"], st["seeded"], st["next"]) == (9, 1, 1, 0)
    assert st["state"][0] == 9 and st["normal_is_valid"] == 0


# -- the float emulation ----------------------------------------------------------------------


def _exact_round32(x: Fraction) -> np.float32:
    near = np.float32(float(x))
    options = [np.nextafter(near, np.float32(-np.inf)), near, np.nextafter(near, np.float32(np.inf))]  # fmt: skip
    return min(options, key=lambda c: (abs(Fraction(float(c)) - x), int(c.view(np.int32)) & 1))


def test_fma32_is_correctly_rounded() -> None:
    # a * b + c = (1 + 2**-23) + 2**-24 - 2**-70: float64 rounds it to the float32 midpoint
    # 1 + 3 * 2**-24, from which float32 would round up; the exact value rounds down.
    a = np.array([np.float32(2.0**-24 * (1 + 2.0**-23))], np.float32)
    b = np.array([np.float32(1 - 2.0**-23)], np.float32)
    c = np.float32(1 + 2.0**-23)
    assert fma.fma32(a, b, c)[0] == np.float32(1 + 2.0**-23)
    rng = np.random.default_rng(1)
    a = rng.uniform(-2, 2, 3000).astype(np.float32)
    b = rng.uniform(-2, 2, 3000).astype(np.float32)
    c = (-(a.astype(np.float64) * b) * (1 + rng.choice([0.0, 2.0**-30, -(2.0**-30)], 3000))).astype(np.float32)  # fmt: skip
    got = fma.fma32(a, b, c)
    for x, y, z, r in zip(a, b, c, got):
        assert r == _exact_round32(Fraction(float(x)) * Fraction(float(y)) + Fraction(float(z)))


def test_fma64_is_correctly_rounded() -> None:
    rng = np.random.default_rng(2)
    a, b = rng.uniform(-2, 2, 3000), rng.uniform(-2, 2, 3000)
    c = -(a * b) * (1 + rng.choice([0.0, 2.0**-53, -(2.0**-52), 1e-17], 3000))
    got = fma.fma64(a, b, c)
    for x, y, z, r in zip(a, b, c, got):
        assert r == float(Fraction(x) * Fraction(y) + Fraction(z))


def test_float32_kernels_agree_to_rounding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rng_floats, "FLOAT32_NORMAL_KERNEL", "avx2")
    a = R.randn(4096, generator=R.Generator().manual_seed(1))
    monkeypatch.setattr(rng_floats, "FLOAT32_NORMAL_KERNEL", "scalar")
    b = R.randn(4096, generator=R.Generator().manual_seed(1))
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------------------------------------
# Against torch
# ---------------------------------------------------------------------------------------------

TORCH_DTYPES = {np.float32: "float32", np.float64: "float64"}


@pytest.fixture
def torch(monkeypatch: pytest.MonkeyPatch):
    """torch, with our float32 normal kernel set to the one torch runs here."""
    torch = pytest.importorskip("torch")
    kernel = "avx2" if torch.backends.cpu.get_cpu_capability() in ("AVX2", "AVX512") else "scalar"
    monkeypatch.setattr(rng_floats, "FLOAT32_NORMAL_KERNEL", kernel)
    return torch


def tdt(torch, dtype):
    return getattr(torch, TORCH_DTYPES[dtype])


def assert_same(ours: np.ndarray, theirs) -> None:
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    assert same_bits(ours, theirs), (ours.ravel()[:6], theirs.ravel()[:6])


def assert_same_state(torch, gen: R.Generator | None = None, tgen=None) -> None:
    ours = (gen or R.default_generator).get_state()
    theirs = (tgen.get_state() if tgen is not None else torch.get_rng_state()).numpy()
    assert same_bits(ours, theirs)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("seed", SEEDS)
def test_parity_uniform_and_rand(torch, seed, dtype) -> None:
    torch.manual_seed(seed)
    R.manual_seed(seed)
    for n in SIZES:  # consecutive calls: the stream must continue in step
        assert_same(R.rand(n, dtype), torch.rand(n, dtype=tdt(torch, dtype)))
        ours = R.uniform(n, -0.37, 1.9, dtype)
        assert_same(ours, torch.empty(n, dtype=tdt(torch, dtype)).uniform_(-0.37, 1.9))
    assert_same_state(torch)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("seed", SEEDS)
def test_parity_randn_and_normal(torch, seed, dtype) -> None:
    torch.manual_seed(seed)
    R.manual_seed(seed)
    for n in SIZES:
        assert_same(R.randn(n, dtype), torch.randn(n, dtype=tdt(torch, dtype)))
        ours = R.normal(n, 0.3, 2.7, dtype)
        assert_same(ours, torch.empty(n, dtype=tdt(torch, dtype)).normal_(0.3, 2.7))
        ours = R.normal((n,), -1.5, 0.01, dtype)
        assert_same(ours, torch.normal(-1.5, 0.01, (n,), dtype=tdt(torch, dtype)))
    assert_same_state(torch)


def test_parity_large_normal(torch) -> None:
    for seed in range(3):
        torch.manual_seed(seed)
        R.manual_seed(seed)
        assert_same(R.randn(1_000_003), torch.randn(1_000_003))
        assert_same(R.normal((317, 1001), 3.3, 0.07), torch.empty(317, 1001).normal_(3.3, 0.07))
        assert_same(R.randn(100_001, np.float64), torch.randn(100_001, dtype=torch.float64))
        ours = R.normal(50_000, -2.0, 0.3, np.float64)
        assert_same(ours, torch.empty(50_000, dtype=torch.float64).normal_(-2.0, 0.3))
        assert_same(R.uniform(1_000_000, -0.0442, 0.0442), torch.empty(1_000_000).uniform_(-0.0442, 0.0442))  # fmt: skip


def test_parity_multidim_shapes(torch) -> None:
    torch.manual_seed(5)
    R.manual_seed(5)
    for shape in [(), (1,), (2, 3), (4, 4), (3, 5, 7), (0, 3), (16, 1)]:
        assert_same(R.rand(shape), torch.rand(shape))
        assert_same(R.randn(shape), torch.randn(shape))
        assert_same(R.randint(0, 3, shape), torch.randint(0, 3, shape))


def test_parity_mixed_stream(torch) -> None:
    """Distributions interleaved: the stream and the cached normal sample carry over."""
    calls = [
        (lambda: R.randn(3), lambda: torch.randn(3)),
        (lambda: R.randn(1), lambda: torch.randn(1)),
        (lambda: R.randn(20), lambda: torch.randn(20)),
        (lambda: R.randn(1, np.float64), lambda: torch.randn(1, dtype=torch.float64)),
        (lambda: R.normal(1, 5.0, 2.0), lambda: torch.normal(5.0, 2.0, (1,))),
        (lambda: R.rand(5), lambda: torch.rand(5)),
        (lambda: R.randperm(10), lambda: torch.randperm(10)),
        (lambda: R.randn(15, np.float64), lambda: torch.randn(15, dtype=torch.float64)),
        (lambda: R.bernoulli(9, 0.5), lambda: torch.empty(9).bernoulli_(0.5)),
        (lambda: R.randint(0, 7, 3), lambda: torch.randint(0, 7, (3,))),
    ]
    for seed in (0, 7):
        torch.manual_seed(seed)
        R.manual_seed(seed)
        for ours, theirs in calls * 3:
            assert_same(ours(), theirs())
            assert_same_state(torch)  # also checks the cached normal sample


def test_parity_randint(torch) -> None:
    for seed in SEEDS:
        torch.manual_seed(seed)
        R.manual_seed(seed)
        for low, high in [(-5, 17), (0, 2), (0, 2**28 - 1), (0, 2**28), (-(2**40), 2**50),
                          (-7, 2**63 - 8), (-(2**63), 2**63 - 1)]:  # fmt: skip
            for n in (1, 5, 100):
                assert_same(R.randint(low, high, n), torch.randint(low, high, (n,)))
        assert_same_state(torch)


def test_parity_randperm(torch) -> None:
    for seed in SEEDS[:3]:
        torch.manual_seed(seed)
        R.manual_seed(seed)
        for n in [*range(0, 20), 100, 1000, 60_000, 65_536, 65_537]:  # (radix sort to 2**16)
            assert_same(R.randperm(n), torch.randperm(n))
        assert_same_state(torch)


@pytest.mark.parametrize(
    "dtype", [np.int64, np.int32, np.int16, np.int8, np.uint8, np.bool_, np.float32, np.float64]
)
def test_parity_random_(torch, dtype) -> None:
    torch.manual_seed(3)
    R.manual_seed(3)
    tdtype = getattr(torch, np.dtype(dtype).name if dtype is not np.bool_ else "bool")
    assert_same(R.random_((7, 3), dtype), torch.empty((7, 3), dtype=tdtype).random_())
    assert R.random_int64() == torch.empty((), dtype=torch.int64).random_().item()
    assert_same_state(torch)


@pytest.mark.parametrize("dtype", FLOATS)
def test_parity_bernoulli(torch, dtype) -> None:
    torch.manual_seed(0)
    R.manual_seed(0)
    for n in SIZES:
        for p in (0.0, 0.3, 0.5, 1.0):
            ours = R.bernoulli(n, p, dtype)
            assert_same(ours, torch.empty(n, dtype=tdt(torch, dtype)).bernoulli_(p))
    assert_same_state(torch)


@pytest.mark.parametrize("p", [0.1, 0.25, 0.5])
def test_parity_dropout_mask(torch, p) -> None:
    """F.dropout(x, p) == x * (bernoulli_(1 - p) / float32(1 - p)), bit for bit."""
    torch.manual_seed(0)
    R.manual_seed(0)
    x, xn = torch.randn(64, 100), R.randn((64, 100))
    y = torch.nn.functional.dropout(x, p, training=True)
    mask = R.bernoulli((64, 100), 1 - p)
    assert_same(xn * (mask / np.float32(1 - p)), y)
    assert_same_state(torch)


@pytest.mark.parametrize("dtype", FLOATS)
def test_parity_bernoulli_tensor(torch, dtype) -> None:
    torch.manual_seed(2)
    p = torch.rand(3, 333, dtype=tdt(torch, dtype))
    R.set_rng_state(torch.get_rng_state().numpy())
    assert_same(R.bernoulli_tensor(p.numpy()), torch.bernoulli(p))
    assert_same_state(torch)


def test_parity_normal_tensor(torch) -> None:
    cases = [
        (torch.zeros(20) + 0.5, torch.ones(20) * 0.3),
        (torch.zeros(3, 1), torch.rand(4) + 0.1),
        (torch.randn(7), 2.5),
        (1.5, torch.rand(17) + 0.2),
        (torch.randn(5, dtype=torch.float64), torch.rand(5) + 0.1),
    ]
    for mean, std in cases:
        torch.manual_seed(4)
        R.manual_seed(4)
        m = mean.numpy() if hasattr(mean, "numpy") else mean
        s = std.numpy() if hasattr(std, "numpy") else std
        assert_same(R.normal_tensor(m, s), torch.normal(mean, std))


def test_parity_generators(torch) -> None:
    torch.manual_seed(1)
    R.manual_seed(1)
    g, tg = R.Generator().manual_seed(123), torch.Generator().manual_seed(123)
    assert_same(R.rand(10, generator=g), torch.rand(10, generator=tg))
    assert_same(R.rand(10), torch.rand(10))  # the default generator was not touched
    assert_same(R.randn(3, generator=g), torch.randn(3, generator=tg))
    assert_same(R.randperm(100, generator=g), torch.randperm(100, generator=tg))
    assert_same(R.randint(0, 9, 4, generator=g), torch.randint(0, 9, (4,), generator=tg))
    assert_same_state(torch, g, tg)
    assert_same_state(torch)
    assert_same_state(torch, R.Generator(), torch.Generator())


def test_parity_state_interop(torch) -> None:
    torch.manual_seed(11)
    torch.randn(3)  # leaves a cached normal sample in the state
    R.set_rng_state(torch.get_rng_state().numpy())
    assert_same(R.randn(5), torch.randn(5))
    torch.set_rng_state(torch.from_numpy(np.asarray(R.get_rng_state())))
    assert_same(R.randn(33), torch.randn(33))
    for seed in (0, -1, -(2**63), 2**64 - 1, 2**32 + 7):
        torch.manual_seed(seed)
        R.manual_seed(seed)
        assert_same_state(torch)
        assert R.initial_seed() == torch.initial_seed()


@pytest.mark.parametrize("fan_in, fan_out", [(1, 512), (784, 128), (3, 1), (10, 10)])
def test_parity_linear_init(torch, fan_in, fan_out) -> None:
    torch.manual_seed(42)
    R.manual_seed(42)
    layer = torch.nn.Linear(fan_in, fan_out)
    gain = math.sqrt(2.0 / (1 + math.sqrt(5) ** 2))  # kaiming_uniform_(a=sqrt(5))
    bound = math.sqrt(3.0) * (gain / math.sqrt(fan_in))
    assert_same(R.uniform((fan_out, fan_in), -bound, bound), layer.weight)
    bias_bound = 1 / math.sqrt(fan_in)
    assert_same(R.uniform((fan_out,), -bias_bound, bias_bound), layer.bias)


def test_parity_dataloader_shuffle(torch) -> None:
    """What DataLoader(shuffle=True) draws per epoch (num_workers=0).

    The iterator first draws ``_base_seed`` (an int64 ``random_()``) from the loader's
    generator; RandomSampler then, without a generator, draws a seed from the default one and
    makes a ``Generator`` with it. It yields ``randperm(n)``, and when exhausted computes one
    more ``randperm(n)`` of which it yields nothing (``[:num_samples % n]``).
    """
    ds = torch.utils.data.TensorDataset(torch.arange(1000))
    torch.manual_seed(0)
    R.manual_seed(0)
    loader = torch.utils.data.DataLoader(ds, batch_size=100, shuffle=True)
    for _ in range(3):
        order = torch.cat([batch[0] for batch in loader])
        R.random_int64()  # _base_seed
        g = R.Generator().manual_seed(R.random_int64())
        assert_same(R.randperm(1000, generator=g), order)
    assert_same_state(torch)
    tg, g = torch.Generator().manual_seed(5), R.Generator().manual_seed(5)
    loader = torch.utils.data.DataLoader(ds, batch_size=100, shuffle=True, generator=tg)
    for _ in range(3):
        order = torch.cat([batch[0] for batch in loader])
        R.random_int64(g)  # _base_seed, from the loader's generator
        assert_same(R.randperm(1000, generator=g), order)
        R.randperm(1000, generator=g)  # the sampler's trailing, unused permutation
    assert_same_state(torch, g, tg)


_SCALAR_KERNEL_SCRIPT = """
import sys, numpy as np, torch
torch.manual_seed(3)
out = [torch.randn(n) for n in (16, 17, 1000)] + [torch.empty(40).normal_(0.5, 3.0)]
np.save(sys.argv[1], np.concatenate([o.numpy() for o in out]))
"""


def test_parity_scalar_float32_kernel(torch, tmp_path, monkeypatch) -> None:
    """torch without AVX2 (ATEN_CPU_CAPABILITY=default, or ARM) uses libm's logf/cosf/sinf."""
    path = tmp_path / "ref.npy"
    env = {**os.environ, "ATEN_CPU_CAPABILITY": "default"}
    subprocess.run([sys.executable, "-c", _SCALAR_KERNEL_SCRIPT, str(path)], env=env, check=True)
    monkeypatch.setattr(rng_floats, "FLOAT32_NORMAL_KERNEL", "scalar")
    R.manual_seed(3)
    ours = [R.randn(n) for n in (16, 17, 1000)] + [R.normal(40, 0.5, 3.0)]
    assert_same(np.concatenate(ours), np.load(path))
