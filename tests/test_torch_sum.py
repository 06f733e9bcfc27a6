"""Tests for tinygrad_edu.parity.torch_sum: sums and means with PyTorch's rounding, bit for bit.

The first half needs no torch: values recorded from torch 2.13 (x86-64, 2 threads), a slow
literal transcription of SumKernel.cpp as the reference, numpy's sequential-reduce
assumption, dtypes, shapes and fallbacks. The second half compares with torch directly
(exact bytes) and is skipped when torch is not installed.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_edu.parity import torch_sum as S
from tinygrad_edu.parity.torch_sum import divide, is_exact, torch_mean, torch_sum

FLOATS = [np.float32, np.float64]


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal shape, dtype and bytes (so -0.0 != 0.0 and NaNs compare)."""
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


def random_array(rng: np.random.Generator, shape: tuple[int, ...] | int, dtype) -> np.ndarray:
    """Mixed signs and magnitudes over 8 decades, or positive values (worst for rounding)."""
    kind = rng.integers(3)
    if kind == 0:
        x = rng.standard_normal(shape) * 10.0 ** rng.integers(-4, 5, shape)
    elif kind == 1:
        x = np.abs(rng.standard_normal(shape)) * 10.0 ** rng.integers(-2, 3, shape)
    else:
        x = rng.random(shape) * 1.7
    return x.astype(dtype)


@pytest.fixture
def threads() -> Iterator[None]:
    """Restore the module's thread count after a test that changes it."""
    before = S.get_num_threads()
    yield
    S.set_num_threads(before)


# ---------------------------------------------------------------------------------------------
# A literal (slow) transcription of aten/src/ATen/native/cpu/SumKernel.cpp
# ---------------------------------------------------------------------------------------------


def ref_multi_row_sum(items: list, nrows: int, zero):
    size = len(items)
    power = max(4, S._ceil_log2(size) // 4)
    step, mask = 1 << power, (1 << power) - 1
    acc = [[zero for _ in range(nrows)] for _ in range(4)]
    i = 0
    while i + step <= size:
        for _ in range(step):
            for k in range(nrows):
                acc[0][k] = acc[0][k] + items[i][k]
            i += 1
        for j in range(1, 4):
            for k in range(nrows):
                acc[j][k] = acc[j][k] + acc[j - 1][k]
                acc[j - 1][k] = zero
            if i & (mask << (j * power)):
                break
    for i in range(i, size):
        for k in range(nrows):
            acc[0][k] = acc[0][k] + items[i][k]
    for j in range(1, 4):
        for k in range(nrows):
            acc[0][k] = acc[0][k] + acc[j][k]
    return acc[0]


def ref_row_sum(values: list, zero):
    rows = len(values) // 4
    parts = ref_multi_row_sum([values[4 * r : 4 * r + 4] for r in range(rows)], 4, zero)
    for i in range(rows * 4, len(values)):
        parts[0] = parts[0] + values[i]
    for k in range(1, 4):
        parts[0] = parts[0] + parts[k]
    return parts[0]


def ref_sum_1d(x: np.ndarray):
    """One thread, contiguous: vectorized_inner_sum (n >= lanes) or a scalar row_sum."""
    lanes = 32 // x.itemsize
    zero = x.dtype.type(0)
    n = len(x)
    if n < lanes:
        return zero + ref_row_sum(list(x), zero)
    nvec = n // lanes
    vacc = ref_row_sum(
        [x[v * lanes : (v + 1) * lanes] for v in range(nvec)], np.zeros(lanes, x.dtype)
    )
    total = zero
    for k in range(nvec * lanes, n):
        total = total + x[k]
    for k in range(lanes):
        total = total + vacc[k]
    return total


def ref_sum_dim0(x: np.ndarray) -> np.ndarray:
    """One thread, (n, m) C-contiguous summed over axis 0: vectorized/scalar_outer_sum."""
    n, m = x.shape
    lanes = 32 // x.itemsize
    zero = x.dtype.type(0)
    out = np.zeros(m, x.dtype)
    group = 4 * lanes if m >= lanes else 4
    j = 0
    while j + group <= m:
        if group == 4:
            sums = ref_multi_row_sum([list(x[i, j : j + 4]) for i in range(n)], 4, zero)
            out[j : j + 4] += np.array(sums, x.dtype)
        else:
            vecs = [[x[i, j + k * lanes : j + (k + 1) * lanes] for k in range(4)] for i in range(n)]
            sums = ref_multi_row_sum(vecs, 4, np.zeros(lanes, x.dtype))
            out[j : j + group] += np.concatenate(sums)
        j += group
    for j in range(j, m):
        out[j] += ref_row_sum(list(x[:, j]), zero)
    return out


# ---------------------------------------------------------------------------------------------
# Without torch
# ---------------------------------------------------------------------------------------------


def test_known_values_from_torch(threads: None) -> None:
    """torch 2.13, 2 threads: torch.from_numpy(data(n)).sum() / .mean() / .sum(0) / .sum(1)."""
    S.set_num_threads(2)

    def data(n: int, dtype) -> np.ndarray:
        i = np.arange(n, dtype=np.float64)
        return (np.sin(i * 1.3) * 10.0 ** ((i % 7) - 3)).astype(dtype)

    f32 = {  # n: (sum, mean); numpy's np.sum differs for all but 12 and 100
        12: ("0x1.fe66220000000p+9", "0x1.5444160000000p+6"),
        20: ("0x1.9511ee0000000p+5", "0x1.440e580000000p+1"),
        100: ("0x1.302c8a0000000p+9", "0x1.8557ba0000000p+2"),
        1000: ("0x1.5d8efe0000000p+9", "0x1.65f2ae0000000p-1"),
        4097: ("0x1.17f8480000000p+9", "0x1.17e6ca0000000p-3"),
        70001: ("0x1.9639100000000p+6", "0x1.7c4fe20000000p-10"),
    }
    f64 = {
        12: ("0x1.fe66231b0f0aep+9", "0x1.544417675f5c9p+6"),
        20: ("0x1.9511e8f910002p+5", "0x1.440e53fa73335p+1"),
        100: ("0x1.302c8be549a57p+9", "0x1.8557bd4e72bf4p+2"),
        1000: ("0x1.5d8f044240acdp+9", "0x1.65f2b47d2fcb9p-1"),
        4097: ("0x1.17f85eb4e8f81p+9", "0x1.17e6e046e489cp-3"),
        70001: ("0x1.9634b7b895d50p+6", "0x1.7c4bd15a2fd88p-10"),
    }
    for dtype, table in ((np.float32, f32), (np.float64, f64)):
        for n, (total, mean) in table.items():
            x = data(n, dtype)
            assert float(torch_sum(x)) == float.fromhex(total), (dtype, n)
            assert float(torch_mean(x)) == float.fromhex(mean), (dtype, n)
    x = data(300 * 37, np.float32).reshape(300, 37)
    dim0 = ["-0x1.6aca240000000p+9", "0x1.b56c820000000p+9", "-0x1.2f8e480000000p+8"]
    dim1 = ["0x1.ef93f80000000p+8", "0x1.0d52740000000p+9", "-0x1.0e94720000000p+9"]
    assert torch_sum(x, (0,))[:3].tolist() == [float.fromhex(v) for v in dim0]
    assert torch_sum(x, (1,))[:3].tolist() == [float.fromhex(v) for v in dim1]
    x = data(300 * 37, np.float64).reshape(300, 37)
    dim0 = ["-0x1.6aca1a2132186p+9", "0x1.b56c85bead60fp+9", "-0x1.2f8e3c0a0cd0dp+8"]
    dim1 = ["0x1.ef93f84bc795ap+8", "0x1.0d52735a12f87p+9", "-0x1.0e947442942b7p+9"]
    assert torch_sum(x, (0,))[:3].tolist() == [float.fromhex(v) for v in dim0]
    assert torch_sum(x, (1,))[:3].tolist() == [float.fromhex(v) for v in dim1]


@pytest.mark.parametrize("dtype", FLOATS)
def test_matches_literal_transcription_full(dtype) -> None:
    rng = np.random.default_rng(7)
    for n in [*range(1, 80), 127, 128, 129, 255, 256, 257, 511, 512, 513, 1000, 2049, 4097, 9000]:
        x = random_array(rng, n, dtype)
        expect = ref_sum_1d(x)
        assert same_bits(torch_sum(x), np.asarray(expect + dtype(0))), n
        assert same_bits(S._inner(x[None])[0], expect), n  # the batched path too


@pytest.mark.parametrize("dtype", FLOATS)
def test_matches_literal_transcription_dims(dtype) -> None:
    rng = np.random.default_rng(8)
    for shape in [(2, 3), (5, 4), (7, 7), (17, 9), (3, 33), (40, 40), (100, 16), (33, 70), (70, 5)]:
        x = random_array(rng, shape, dtype)
        assert same_bits(torch_sum(x, (0,)), ref_sum_dim0(x)), shape
        rows = np.array([ref_sum_1d(row) for row in x], dtype)
        assert same_bits(torch_sum(x, (1,)), rows), shape


def test_numpy_reduce_over_an_outer_axis_is_sequential() -> None:
    """The assumption under ``_seq``: numpy adds pairwise only along the innermost loop."""
    rng = np.random.default_rng(3)
    for shape, axis in [
        ((5, 40, 8), 1),
        ((1, 16, 32), 1),
        ((3, 20, 4, 7), 1),
        ((2, 3, 16, 32), 2),
        ((300, 16, 32), 1),
        ((1, 33, 1), 1),
        ((4, 70), 1),
        ((2, 20, 1000), 1),
    ]:
        a = random_array(rng, shape, np.float32)
        index = (slice(None),) * axis
        expect = a[(*index, 0)].copy()
        for k in range(1, shape[axis]):
            expect += a[(*index, k)]
        assert same_bits(S._seq(a, axis), expect), shape
        if np.prod(shape[axis + 1 :]) > 1:
            assert same_bits(np.add.reduce(a, axis=axis), expect), shape


def test_docstring_example_differs_from_numpy() -> None:
    x = np.arange(1, 13, dtype=np.float32) / 10
    assert float(torch_sum(x)) == 7.799999713897705
    assert float(np.sum(x)) == 7.800000190734863


@pytest.mark.parametrize("dtype", FLOATS)
def test_shapes_dtypes_keepdims(dtype) -> None:
    x = np.ones((3, 4, 5), dtype)
    assert torch_sum(x).shape == () and torch_sum(x).dtype == dtype
    assert isinstance(torch_sum(x), np.ndarray) and isinstance(torch_mean(x), np.ndarray)
    assert torch_sum(x, (0, 2), True).shape == (1, 4, 1)
    assert torch_sum(x, -1).shape == (3, 4) and torch_sum(x, 1).shape == (3, 5)
    assert torch_mean(x, (-1, -3), True).shape == (1, 4, 1)
    assert torch_sum(x, None, True).shape == (1, 1, 1)
    assert torch_sum(x, ()).shape == (3, 4, 5)  # numpy's meaning: nothing reduced
    assert float(torch_mean(x, (1,)).ravel()[0]) == 1.0
    assert torch_sum(np.array(2.5, dtype)).tolist() == 2.5
    assert torch_sum(np.zeros((0, 3), dtype), (0,)).tolist() == [0.0, 0.0, 0.0]
    assert torch_sum(np.zeros(0, dtype)).tolist() == 0.0
    with pytest.raises(np.exceptions.AxisError):
        torch_sum(x, 3)


def test_negative_zero_becomes_positive_zero() -> None:
    for n in (1, 5, 40, 1000, 40000):
        x = np.full(n, -0.0, np.float32)
        assert same_bits(torch_sum(x), np.float32(0.0))
        assert same_bits(torch_sum(x.reshape(-1, 1), (0,)), np.zeros(1, np.float32))


def test_input_is_not_modified() -> None:
    x = np.full((40, 3), -0.0, np.float32)
    for axis in [None, (0,), (1,), (0, 1)]:
        torch_sum(x, axis)
        torch_mean(x, axis)
    assert same_bits(x, np.full((40, 3), -0.0, np.float32))


def test_fallbacks_are_numpy() -> None:
    ints = np.arange(10)
    assert torch_sum(ints).tolist() == 45 and not is_exact(ints)
    half = np.ones(5, np.float16)
    assert torch_mean(half).dtype == np.float16 and is_exact(half)  # (float16: exact now)
    x = np.ones((6, 8), np.float32)
    assert not is_exact(x[::2])  # sliced: not dense
    assert not is_exact(np.broadcast_to(np.ones(3, np.float32), (4, 3)))  # stride 0
    assert torch_sum(x[::2], (0,)).tolist() == [3.0] * 8
    assert is_exact(x.T, (0,)) and is_exact(x)
    assert not is_exact(np.ones((2, 3, 4), np.float32).transpose(2, 0, 1), (1,))


def test_set_num_threads(threads: None) -> None:
    with pytest.raises(ValueError):
        S.set_num_threads(0)
    S.set_num_threads(3)
    assert S.get_num_threads() == 3
    x = np.random.default_rng(0).random(100000).astype(np.float32)
    S.set_num_threads(1)
    one = torch_sum(x)
    assert same_bits(one, np.asarray(ref_sum_1d(x) + np.float32(0)))
    S.set_num_threads(2)  # two chunks of 50000, then their sum
    halves = np.float32(0) + ref_sum_1d(x[:50000]) + ref_sum_1d(x[50000:])
    assert same_bits(torch_sum(x), np.asarray(halves))


def test_column_split_between_threads(threads: None) -> None:
    """2 threads, 40 columns: thread 0 gets columns [0, 0) (rounded to 32), thread 1 all."""
    S.set_num_threads(2)
    assert S._column_ranges(40, 4) == [(0, 40)]
    assert S._column_ranges(100, 4) == [(0, 32), (32, 100)]
    assert S._column_ranges(100, 8) == [(0, 48), (48, 100)]
    S.set_num_threads(3)
    assert S._column_ranges(100, 4) == [(0, 32), (32, 64), (64, 100)]


# ---------------------------------------------------------------------------------------------
# Against torch
# ---------------------------------------------------------------------------------------------

SIZES = [
    *range(1, 101),
    127,
    128,
    129,
    130,
    255,
    256,
    257,
    511,
    512,
    513,
    1000,
    2048,
    4097,
    8193,
    32767,
    32768,
    32769,
    65537,
    100000,
    262145,
    1_000_000,
]
SHAPES = [
    (2, 3),
    (3, 2),
    (1, 7),
    (7, 1),
    (5, 8),
    (8, 5),
    (20, 1),
    (20, 3),
    (16, 16),
    (31, 33),
    (33, 31),
    (64, 10),
    (10, 64),
    (100, 7),
    (7, 100),
    (129, 65),
    (200, 200),
    (257, 130),
    (1000, 40),
    (40, 1000),
    (2000, 97),
    (97, 2000),
    (33000, 2),
    (2, 33000),
    (512, 129),
    (5000, 33),
    (300, 333),
    (100000, 10),
    (10, 100000),
]


@pytest.fixture
def torch_threads(threads: None) -> Iterator[object]:
    torch = pytest.importorskip("torch")
    before = torch.get_num_threads()
    S.set_num_threads(before)
    yield torch
    torch.set_num_threads(before)


def assert_like_torch(torch, x: np.ndarray, axis) -> None:
    t = torch.from_numpy(x)
    if axis is None:
        ts, tm = t.sum(), t.mean()
    else:
        ts, tm = t.sum(dim=axis), t.mean(dim=axis)
    assert same_bits(torch_sum(x, axis), ts.numpy()), (x.shape, x.dtype, axis, "sum")
    assert same_bits(torch_mean(x, axis), tm.numpy()), (x.shape, x.dtype, axis, "mean")


@pytest.mark.parametrize("dtype", FLOATS)
def test_full_reduction_like_torch(torch_threads, dtype) -> None:
    rng = np.random.default_rng(11)
    for n in SIZES:
        for _ in range(3 if n < 1000 else 1):
            assert_like_torch(torch_threads, random_array(rng, n, dtype), None)


@pytest.mark.parametrize("dtype", FLOATS)
def test_dim_reductions_like_torch(torch_threads, dtype) -> None:
    rng = np.random.default_rng(12)
    for shape in SHAPES:
        x = random_array(rng, shape, dtype)
        for axis in [(0,), (1,), None, (0, 1)]:
            assert_like_torch(torch_threads, x, axis)


@pytest.mark.parametrize("nthreads", [1, 3, 4])
def test_other_thread_counts_like_torch(torch_threads, nthreads: int) -> None:
    torch = torch_threads
    torch.set_num_threads(nthreads)
    S.set_num_threads(nthreads)
    rng = np.random.default_rng(nthreads)
    for dtype in FLOATS:
        for n in (40000, 65537, 100001, 300000):
            assert_like_torch(torch, random_array(rng, n, dtype), None)
        for shape in [(2, 33000), (33000, 2), (600, 97), (200, 257), (1200, 300), (40, 2000)]:
            x = random_array(rng, shape, dtype)
            assert_like_torch(torch, x, (0,))
            assert_like_torch(torch, x, (1,))
        x = random_array(rng, (2, 1000, 40), dtype)
        assert_like_torch(torch, x, (1,))


@pytest.mark.parametrize("dtype", FLOATS)
def test_3d_and_transposed_like_torch(torch_threads, dtype) -> None:
    rng = np.random.default_rng(13)
    for shape in [
        (2, 3, 4),
        (3, 40, 5),
        (5, 7, 33),
        (4, 100, 64),
        (2, 1000, 40),
        (3, 20000, 2),
        (7, 5000, 9),
        (40, 3, 1000),
        (6, 1000, 17),
        (1, 5000, 70),
    ]:
        x = random_array(rng, shape, dtype)
        for axis in [(0,), (1,), (2,), (0, 1), (1, 2), (0, 2), None]:
            assert is_exact(x, axis)
            assert_like_torch(torch_threads, x, axis)
        y = x.transpose(2, 0, 1)
        for axis in [(0,), (0, 1), (0, 2), (1, 2), None]:
            assert is_exact(y, axis)
            assert_like_torch(torch_threads, y, axis)
    for shape in [(30, 50), (1000, 100), (3, 40000), (100, 33)]:
        x = random_array(rng, shape, dtype).T
        for axis in [(0,), (1,), None]:
            assert_like_torch(torch_threads, x, axis)


@pytest.mark.parametrize("dtype", FLOATS)
def test_special_values_like_torch(torch_threads, dtype) -> None:
    big = np.finfo(dtype).max / 3
    cases = [
        np.full(5, -0.0),
        np.full(40, -0.0),
        [1, np.inf, 2],
        [np.inf, -np.inf] * 30,
        [np.nan, 1] * 50,
        np.full(1000, big),
        np.r_[np.full(700, big), -np.full(700, big)],
    ]
    with np.errstate(all="ignore"):
        for values in cases:
            assert_like_torch(torch_threads, np.asarray(values, dtype), None)
        assert_like_torch(torch_threads, np.full((300, 40), big, dtype), (0,))


def test_mean_divides_by_the_count(torch_threads) -> None:
    """torch's mean is sum / n; sum * (1 / n) would be off by one ulp about 1 time in 4."""
    torch = torch_threads
    rng = np.random.default_rng(5)
    off = 0
    for _ in range(300):
        x = rng.standard_normal(int(rng.integers(3, 200))).astype(np.float32)
        expect = torch.from_numpy(x).mean().numpy()
        assert same_bits(torch_mean(x), expect)
        off += torch_sum(x) * (np.float32(1) / np.float32(x.size)) != expect
    assert off > 0


@given(
    value=st.floats(allow_nan=False, width=32),
    n=st.integers(min_value=1, max_value=1 << 30),
    dtype=st.sampled_from(FLOATS),
)
def test_divide_rounds_as_one_division_in_the_dtype(value, n, dtype) -> None:
    """``divide`` (mean's division, done in Python floats) has the bits of numpy's division."""
    x = np.asarray(value, dtype)
    with np.errstate(all="ignore"):
        expect = np.asarray(x / dtype(n))
    assert same_bits(divide(x, n), expect)
