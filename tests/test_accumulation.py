"""Reductions and scans accumulate as PyTorch's CPU kernels do (``at::acc_type``).

cumsum/cumprod add float32 in float64 and float16 in float32, one element after the
other; sum adds float16 in float32 in the order of torch's float16 kernel and mean adds a
float32 copy (both replayed by parity/torch_sum.py); var/std run in float64; prod multiplies in the data's own type, in the order
of torch's vectorized kernel; softmax and norm of float16 compute in float32. Checked
bit for bit against torch on adversarial inputs (long, large dynamic range).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
import strategies as S
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_edu as tg
from tinygrad_edu.parity import torch_sum

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def _torch_threads() -> Iterator[None]:
    """Long sums depend on torch's thread count (other test modules set it to 1 on import):
    reproduce the count torch runs with."""
    before = torch_sum.get_num_threads()
    torch_sum.set_num_threads(torch.get_num_threads())
    yield
    torch_sum.set_num_threads(before)


def test_cumsum_float32_accumulates_in_float64() -> None:
    """Regression: float32 cumsum of 1e6 x 0.1 ended at 100958 (float32 accumulation);
    torch adds in float64 and ends at 100000 (rounded to float32)."""
    x = np.full(1_000_000, 0.1, np.float32)
    mine = tg.tensor(x).cumsum(0).numpy()
    theirs = torch.tensor(x).cumsum(0).numpy()
    assert mine[-1] == theirs[-1] == np.float32(100000.0)
    assert np.array_equal(mine, theirs)


def test_cumsum_float16_does_not_stop_at_2048() -> None:
    """Regression: float16 cumsum of ones stopped at 2048 (2048 + 1 rounds back to 2048 in
    float16); torch accumulates in float32."""
    x = np.ones(5000, np.float16)
    mine = tg.tensor(x).cumsum(0).numpy()
    assert np.array_equal(mine, torch.tensor(x).cumsum(0).numpy())
    assert mine[-1] == np.float16(5000)


def test_cumprod_accumulates_wider() -> None:
    """cumprod's running product: float64 for float32, float32 for float16, as torch."""
    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float16):
        x = (1 + rng.standard_normal(3000) * 1e-2).astype(dtype)
        assert np.array_equal(tg.tensor(x).cumprod(0).numpy(),
                              torch.tensor(x).cumprod(0).numpy())


def test_float16_sum_last_bit_on_long_inputs() -> None:
    """Regression: float16 ``sum`` differed from torch in the last bit on long inputs (7 of
    20 seeds at n=40000). It was a float32 sum of the converted values in float32's order;
    torch's float16 kernel loads 16 values per vector and folds them into 8 float32 lanes
    (``x[i] + x[i + 8]``), and rounds each thread's partial sum to float16."""
    rng = np.random.default_rng(239439)  # the Hypothesis find: n=4099, scale 1e-3
    x = rng.standard_normal(4099) * 1e-3 * np.where(rng.random(4099) < 0.1, 1e3, 1) + 1e-3
    cases = [np.clip(x, -60, 60).astype(np.float16)]
    cases += [(np.random.default_rng(seed).standard_normal(40000) * 0.001).astype(np.float16)
              for seed in range(20)]
    sums = {"sum": lambda L, t: t.sum(), "sum of (n, 1)": lambda L, t: t.reshape(-1, 1).sum(),
            "sum(1)": lambda L, t: t.reshape(-1, 1).T.sum(1), "sum(0)": lambda L, t: t.sum(0),
            "sum((0, 2))": lambda L, t: t.expand(2, 3, -1).contiguous().sum((0, 2)),
            "mean": lambda L, t: t.mean()}
    threads = torch.get_num_threads()
    try:
        for n in (1, 2):  # with 2 threads, two partial sums
            torch.set_num_threads(n)
            torch_sum.set_num_threads(n)
            for x in cases:
                for name, fn in sums.items():
                    mine = fn(tg, tg.tensor(x)).numpy()
                    theirs = fn(torch, torch.tensor(x)).numpy()
                    assert mine.dtype == theirs.dtype, name
                    assert mine.tobytes() == theirs.tobytes(), (name, n, len(x))
    finally:
        torch.set_num_threads(threads)


def _adversarial(draw: Any, dtype: Any) -> np.ndarray:
    """A long vector (or matrix) mixing large and small magnitudes (float16 up to 40000
    elements, past the size where torch sums with several threads)."""
    sizes = [5, 33, 257, 1000, 4099] + ([40000] if dtype == np.float16 else [])
    n = draw(st.sampled_from(sizes), label="n")
    scale = draw(st.sampled_from([1e-3, 1.0, 30.0]), label="scale")
    seed = draw(st.integers(0, 2**31), label="seed")
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n) * scale * np.where(rng.random(n) < 0.1, 1e3, 1) + scale
    if dtype == np.float16:
        x = np.clip(x, -60, 60)
    shape = draw(st.sampled_from([(n,), (1, n), (n, 1)] + ([(n // 5, 5)] if n % 5 == 0
                                                          else [])), label="shape")
    return x.astype(dtype).reshape(shape)


REDUCTIONS: dict[str, Callable[[Any, Any], Any]] = {
    "sum": lambda L, x: x.sum(),
    "sum(0)": lambda L, x: x.sum(0),
    "sum(-1)": lambda L, x: x.sum(-1),
    "mean": lambda L, x: x.mean(),
    "mean(-1)": lambda L, x: x.mean(-1),
    "var": lambda L, x: x.var(),
    "var(0)": lambda L, x: x.var(0),
    "std": lambda L, x: x.std(),
    "std(-1)": lambda L, x: x.std(-1),
    "cumsum(0)": lambda L, x: x.cumsum(0),
    "cumsum(-1)": lambda L, x: x.cumsum(-1),
    "cumprod(-1)": lambda L, x: x.cumprod(-1),
    "prod": lambda L, x: x.prod(),
    "prod(-1)": lambda L, x: x.prod(-1),
    "prod(0)": lambda L, x: x.prod(0),
    "trace": lambda L, x: x.reshape(-1, 1).expand(-1, 3).trace() if x.numel() < 300 else
    x.reshape(1, -1).trace(),
}
# float16 runs these in float32 (as torch); float32 matches up to the last bit of exp and
# log (torch's vectorized Sleef versus the C library's)
CLOSE_ONLY = {"softmax(-1)": lambda L, x: x.softmax(-1), "norm": lambda L, x: x.norm(),
              "log_softmax(-1)": lambda L, x: x.log_softmax(-1),
              "logsumexp(-1)": lambda L, x: x.logsumexp(-1)}


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("name", list(REDUCTIONS))
@given(data=st.data())
def test_reductions_bit_for_bit_like_torch(name: str, dtype: str, data: st.DataObject) -> None:
    """Every reduction and scan, on long inputs of large dynamic range, in float16 and
    float32 (and float64): the very bits of torch's CPU result."""
    x = _adversarial(data.draw, np.dtype(dtype))
    if "prod" in name:  # factors near 1, so that the product stays finite
        x = (x.astype(np.float64) / np.abs(x).max() * 0.01 + 1).astype(dtype)
    fn = REDUCTIONS[name]
    mine, theirs = fn(tg, tg.tensor(x)).numpy(), fn(torch, torch.tensor(x)).numpy()
    assert mine.dtype == theirs.dtype and mine.shape == theirs.shape
    if dtype == "float64" and name.startswith(("var", "std")):  # (Welford vs two passes)
        np.testing.assert_allclose(mine, theirs, rtol=1e-12)
        return
    if dtype == "float16" and name.startswith(("var", "std")):
        # torch: Welford in float32, then rounded to float16; here two passes in float64,
        # then rounded: the same value, or the float16 next to it (double rounding)
        np.testing.assert_array_equal(np.isnan(mine), np.isnan(theirs), err_msg=name)
        a, b = mine.astype(np.float64), theirs.astype(np.float64)
        ok = np.isnan(b) | (np.abs(a - b) <= np.spacing(np.abs(theirs)).astype(np.float64))
        assert np.all(ok), name
        return
    np.testing.assert_array_equal(mine, theirs, err_msg=name)


@pytest.mark.parametrize("dtype", ["float16", "float32"])
@pytest.mark.parametrize("name", list(CLOSE_ONLY))
@given(data=st.data())
def test_float16_softmax_and_norm_in_float32(name: str, dtype: str, data: st.DataObject) -> None:
    """softmax, log_softmax and norm: float16 computed in float32 (torch's accumulation
    type), so within one float16 rounding of torch's; float32 within a few ulps."""
    x = _adversarial(data.draw, np.dtype(dtype))
    fn = CLOSE_ONLY[name]
    mine, theirs = fn(tg, tg.tensor(x)).numpy(), fn(torch, torch.tensor(x)).numpy()
    assert mine.dtype == theirs.dtype
    tol = 2e-3 if dtype == "float16" else 1e-5
    np.testing.assert_allclose(mine.astype(np.float64), theirs.astype(np.float64), rtol=tol,
                               atol=tol)


@given(x=hnp.arrays(np.float32, S.shapes(1, 3, max_side=30), elements=st.floats(
    -1e4, 1e4, width=32)))
def test_sum_and_mean_keep_torch_order(x: np.ndarray) -> None:
    """The summation order _torch_sum.py replays is unchanged: sum and mean are torch's
    bits for float32."""
    for fn in (lambda t: t.sum(), lambda t: t.mean(), lambda t: t.sum(-1)):
        assert np.array_equal(fn(tg.tensor(x)).numpy(), fn(torch.tensor(x)).numpy())


@given(uses=st.integers(2, 5), n=st.sampled_from([7, 64, 1000]), seed=st.integers(0, 2**31),
       preset=st.booleans(), dtype=st.sampled_from(["float32", "float64"]))
def test_leaf_gradients_of_one_backward_are_summed_first_like_torch(
        uses: int, n: int, seed: int, preset: bool, dtype: str) -> None:
    """Regression: a leaf used several times added each gradient into ``.grad`` as it came,
    ``(.grad + g1) + g2``; PyTorch's AccumulateGrad adds their sum, ``.grad + (g1 + g2)``,
    which rounds otherwise (gradient accumulation, a weight shared by an RNN's steps)."""
    rng = np.random.default_rng(seed)
    grad, *factors = (rng.standard_normal(n).astype(dtype) for _ in range(uses + 1))
    scales = rng.choice([1.0, 2.0, 0.5, 3.0], uses)
    results = []
    for lib in (tg, torch):
        x = lib.zeros(n, dtype=getattr(lib, dtype), requires_grad=True)
        if preset:
            x.grad = lib.tensor(grad)
        total = x * lib.tensor(factors[0])  # each use sends x a gradient of its own
        for f, scale in zip(factors[1:], scales[1:]):
            total = total + (x * lib.tensor(f)) * float(scale)
        total.sum().backward()
        results.append(x.grad.numpy())
    assert np.array_equal(results[0], results[1])
