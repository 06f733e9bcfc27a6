"""cummax, cummin, logcumsumexp, searchsorted, bucketize, unique_consecutive, histogram
and histc against PyTorch: what the OPS table of test_ops.py cannot check (it draws
distinct values): the indices on ties and NaN, infinities, the non-differentiable ops'
values and dtypes, and PyTorch's errors, word for word.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg

torch = pytest.importorskip("torch")
NAN, INF = float("nan"), float("inf")


def _run(fn: Callable[[Any], Any]) -> Any:
    try:
        mine = fn(tg)
    except Exception as error:  # noqa: BLE001 - torch must fail alike
        with pytest.raises(type(error)) as theirs:
            fn(torch)
        assert str(error) == str(theirs.value)
        return None
    return mine, fn(torch)


def same(fn: Callable[[Any], Any]) -> None:
    """``fn(tg)`` and ``fn(torch)``: equal results (every tensor of a tuple: shape, dtype,
    values bit for bit, NaN where NaN), or the same exception with the same message."""
    pair = _run(fn)
    if pair is None:
        return
    mine, theirs = pair
    if not isinstance(theirs, tuple):
        mine, theirs = (mine,), (theirs,)
    assert len(mine) == len(theirs)
    for m, t in zip(mine, theirs):
        assert tuple(m.shape) == tuple(t.shape)
        assert str(m.dtype).rsplit(".", 1)[-1] == str(t.dtype).rsplit(".", 1)[-1]
        np.testing.assert_array_equal(m.detach().numpy(), t.detach().numpy())


# ============================================================================ cummax, cummin
@pytest.mark.parametrize("name", ["cummax", "cummin"])
@pytest.mark.parametrize("values", [
    [1.0, 3.0, 3.0, NAN, 2.0, NAN, 5.0],  # ties take the later index; NaN sticks, each NaN
    [2.0, 2.0, 1.0, 1.0, 0.0, 2.0],
    [[1, 3, 3, 2], [4, 4, 0, 4]],  # int64
    [True, False, True, True],
    3.5,  # 0-d
    np.zeros((0, 3)),
])
def test_cummax_cummin_ties_and_nan_like_torch(name: str, values: Any) -> None:
    for dim in (0, -1):
        same(lambda L: getattr(L.tensor(values), name)(dim))


def test_cummax_gradient_goes_to_the_picked_element() -> None:
    """A tie sends the gradient to the later element (the index picked), as torch."""
    def grad(L: Any) -> Any:
        x = L.tensor([1.0, 2.0, 2.0, 0.0, 2.0], requires_grad=True)
        values = L.cummax(x, 0).values
        values.backward(L.arange(5.0))
        return x.grad, values.grad_fn.name() if L is torch else type(values.grad_fn).__name__
    (mine, mine_name), (theirs, theirs_name) = grad(tg), grad(torch)
    np.testing.assert_array_equal(mine.numpy(), theirs.numpy())
    assert mine_name == theirs_name == "CummaxBackward0"


def test_cummax_repr_and_dim_error() -> None:
    assert repr(tg.tensor([1.0, 3.0]).cummax(0)).startswith("tinygrad_edu.return_types.cummax(")
    same(lambda L: L.tensor([1.0]).cummin(1))


# ============================================================================ logcumsumexp
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("values", [
    [-INF, -INF, INF, 1.0, NAN, 2.0],
    [1000.0, 1000.0, -1000.0],
    [[0.5, -1.0, 3.0], [2.0, 0.0, 1.0]],
    2.0,
])
def test_logcumsumexp_infinities_and_large_values_like_torch(values: Any, dtype: str) -> None:
    def run(L: Any) -> Any:
        return L.tensor(np.array(values, dtype=dtype)).logcumsumexp(0)
    mine, theirs = run(tg), run(torch)
    np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-6)


def test_logcumsumexp_gradient_with_zero_and_large_upstream_like_torch() -> None:
    def grad(L: Any) -> Any:
        x = L.tensor([800.0, -5.0, 801.0, 0.0], dtype=L.float64, requires_grad=True)
        x.logcumsumexp(0).backward(L.tensor([0.0, -1.0, 2.0, 0.0], dtype=L.float64))
        return x.grad
    np.testing.assert_allclose(grad(tg).numpy(), grad(torch).numpy(), rtol=1e-12)


@pytest.mark.parametrize("dtype", ["int64", "bool"])
def test_logcumsumexp_refuses_ints_like_torch(dtype: str) -> None:
    same(lambda L: L.tensor([1, 0]).to(getattr(L, dtype)).logcumsumexp(0))


# ============================================================================ searchsorted
SEQ, VALUES = [1.0, 2.0, 2.0, 3.0, NAN], [[0.0, 2.0, 3.5, NAN, 2.0]]
SEARCHES: dict[str, Callable[[Any], Any]] = {
    "left": lambda L: L.searchsorted(L.tensor(SEQ), L.tensor(VALUES)),
    "right": lambda L: L.searchsorted(L.tensor(SEQ), L.tensor(VALUES), right=True),
    "side right": lambda L: L.searchsorted(L.tensor(SEQ), L.tensor(VALUES), side="right"),
    "side and right opposite": lambda L: L.searchsorted(L.tensor(SEQ), L.tensor(VALUES),
                                                        side="left", right=True),
    "bad side": lambda L: L.searchsorted(L.tensor(SEQ), L.tensor(VALUES), side="lft"),
    "float number": lambda L: L.searchsorted(L.tensor(SEQ), 2.0),
    "int number": lambda L: L.searchsorted(L.tensor([1, 3, 5]), 4),
    "out_int32": lambda L: L.searchsorted(L.tensor(SEQ), L.tensor(VALUES), out_int32=True),
    "int sequence, float values": lambda L: L.searchsorted(L.tensor([1, 2, 3]),
                                                           L.tensor([1.5, 2.5])),
    "rows": lambda L: L.searchsorted(L.tensor([[1.0, 2, 3], [4, 5, 6]]),
                                     L.tensor([[1.5, 9], [4.5, 0]])),
    "rows do not match": lambda L: L.searchsorted(L.tensor([[1.0, 2, 3], [4, 5, 6]]),
                                                  L.tensor([[1.5]])),
    "0-d sequence": lambda L: L.searchsorted(L.tensor(1.0), L.tensor([1.5])),
    "number with rows": lambda L: L.searchsorted(L.tensor([[1.0, 2]]), L.tensor(1.0)),
    "sorter": lambda L: L.searchsorted(L.tensor([3.0, 1, 2]), L.tensor([1.5, 2.5, 3.0]),
                                       sorter=L.tensor([1, 2, 0])),
    "sorter size": lambda L: L.searchsorted(L.tensor([3.0, 1, 2]), L.tensor([1.5]),
                                            sorter=L.tensor([1, 2])),
    "sorter range": lambda L: L.searchsorted(L.tensor([3.0, 1, 2]), L.tensor([1.5]),
                                             sorter=L.tensor([1, 2, 5])),
    "sorter dtype": lambda L: L.searchsorted(L.tensor([3.0, 1, 2]), L.tensor([1.5]),
                                             sorter=L.tensor([1.0, 2, 0])),
    "bool": lambda L: L.searchsorted(L.tensor([False, True]), L.tensor([True])),
    "empty sequence": lambda L: L.searchsorted(L.zeros(0), L.tensor([1.0, 2])),
    "empty values": lambda L: L.searchsorted(L.tensor([1.0, 2]), L.zeros(0)),
    "bucketize": lambda L: L.bucketize(L.tensor([[1.0, 2.5], [3, 0]]), L.tensor([1.0, 2, 3])),
    "bucketize right": lambda L: L.bucketize(L.tensor([[1.0, 2.5], [3, 0]]),
                                             L.tensor([1.0, 2, 3]), right=True),
    "bucketize number": lambda L: L.bucketize(2.5, L.tensor([1.0, 2, 3]), out_int32=True),
    "bucketize 2-D boundaries": lambda L: L.bucketize(L.tensor([1.0]), L.tensor([[1.0, 2]])),
}


@pytest.mark.parametrize("name", list(SEARCHES))
def test_searchsorted_and_bucketize_like_torch(name: str) -> None:
    same(SEARCHES[name])


@pytest.mark.parametrize("seed", range(20))
def test_searchsorted_with_repeats_and_unsorted_like_torch(seed: int) -> None:
    """Many repeats; and unsorted sequences, where the result is whatever the binary
    search finds: the same steps give the same answer."""
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.integers(0, 6, (2, 7)), axis=-1).astype(float)
    values = rng.integers(-1, 8, (2, 5)).astype(float)
    unsorted = rng.random(6)
    for right in (False, True):
        same(lambda L: L.searchsorted(L.tensor(rows), L.tensor(values), right=right))
        same(lambda L: L.searchsorted(L.tensor(rows[0]), L.tensor(values), right=right))
        same(lambda L: L.searchsorted(L.tensor(unsorted), L.tensor(values / 7), right=right))


# ============================================================================ unique_consecutive
@pytest.mark.parametrize("flags", [{}, {"return_inverse": True, "return_counts": True},
                                   {"return_counts": True}, {"return_inverse": True}])
@pytest.mark.parametrize("values, dim", [
    ([1.0, 1.0, NAN, NAN, 2.0, 2.0, 1.0], None),  # each NaN a run of its own
    ([[1, 1, 2], [1, 1, 2], [3, 3, 3], [1, 1, 2]], None),
    ([[1, 1, 2], [1, 1, 2], [3, 3, 3], [1, 1, 2]], 0),
    ([[1, 1, 2], [1, 1, 2], [3, 3, 3], [1, 1, 2]], -1),
    ([[1, 1, 2], [1, 1, 2]], 2),
    ([[NAN, 1.0], [NAN, 1.0]], 0),
    ([True, True, False], None),
    ([-0.0, 0.0], None),
    (3.0, None),
    (3.0, 0),
    (np.zeros(0), None),
    (np.zeros((2, 0)), 0),
    (np.zeros((0, 2)), 0),
])
def test_unique_consecutive_like_torch(values: Any, dim: Any, flags: dict[str, bool]) -> None:
    same(lambda L: L.unique_consecutive(L.tensor(values), dim=dim, **flags))
    same(lambda L: L.tensor(values).unique_consecutive(dim=dim, **flags))


def test_unique_consecutive_has_no_derivative_like_torch() -> None:
    x = tg.tensor([1.0, 1.0, 2.0], requires_grad=True)
    out = x.unique_consecutive()
    assert type(out.grad_fn).__name__ == "UniqueConsecutiveBackward0"
    with pytest.raises(NotImplementedError, match="derivative for 'unique_consecutive'"):
        out.sum().backward()


# ============================================================================ histogram, histc
X = [1.0, 2, 1, 2.5, 4, 0.3]
HISTOGRAMS: dict[str, Callable[[Any], Any]] = {
    "bins": lambda L: L.histogram(L.tensor(X), 4),
    "default bins": lambda L: L.tensor(X).histogram(),
    "range": lambda L: L.histogram(L.tensor(X), 4, range=(0.0, 3.0)),
    "weight, density": lambda L: L.histogram(L.tensor(X), 4, weight=L.tensor(X) ** 2,
                                             density=True),
    "density": lambda L: L.histogram(L.tensor(X).double(), 4, density=True),
    "edges": lambda L: L.histogram(L.tensor(X), L.tensor([0.0, 1, 2, 5])),
    "edges, density": lambda L: L.histogram(L.tensor(X), L.tensor([0.0, 1, 2, 5]),
                                            density=True),
    "empty bin, density": lambda L: L.histogram(L.tensor(X), L.tensor([0.0, 1, 1, 3]),
                                                density=True),
    "unsorted edges": lambda L: L.histogram(L.tensor(X), L.tensor([3.0, 1, 2])),
    "one edge": lambda L: L.histogram(L.tensor(X), L.tensor([3.0])),
    "no edges": lambda L: L.histogram(L.tensor(X), L.zeros(0)),
    "2-D edges": lambda L: L.histogram(L.tensor(X), L.tensor([[3.0, 1, 2]])),
    "edges dtype": lambda L: L.histogram(L.tensor(X), L.tensor([0.0, 1, 2]).double()),
    "weight shape": lambda L: L.histogram(L.tensor(X), 4, weight=L.ones(5)),
    "weight dtype": lambda L: L.histogram(L.tensor(X), 4, weight=L.ones(6).double()),
    "int input": lambda L: L.histogram(L.tensor([1, 2]), 2),
    "zero bins": lambda L: L.histogram(L.tensor(X), 0),
    "min above max": lambda L: L.histogram(L.tensor(X), 3, range=(2.0, 1.0)),
    "empty range": lambda L: L.histogram(L.tensor(X), 3, range=(1.0, 1.0)),
    "infinite range": lambda L: L.histogram(L.tensor(X), 3, range=(1.0, INF)),
    "range of 3": lambda L: L.histogram(L.tensor(X), 3, range=(1.0, 2.0, 3.0)),
    "NaN data": lambda L: L.histogram(L.tensor([1.0, NAN]), 3),
    "NaN and inf in a range": lambda L: L.histogram(L.tensor([1.0, NAN, INF, 2.0]), 3,
                                                    range=(0.0, 3.0)),
    "empty": lambda L: L.histogram(L.zeros(0), 3),
    "constant": lambda L: L.histogram(L.tensor([2.0, 2.0]), 3),
    "2-D input": lambda L: L.histogram(L.tensor([[1.0, 2.0], [3.0, 4.0]]), 3),
}


@pytest.mark.parametrize("name", list(HISTOGRAMS))
def test_histogram_like_torch(name: str) -> None:
    same(HISTOGRAMS[name])


@pytest.mark.parametrize("seed", range(20))
def test_histogram_and_histc_bins_like_torch(seed: int) -> None:
    """Elements near the edges go to the bin torch's kernel puts them in (histogram checks
    the division against the edges, histc does not)."""
    data = np.random.default_rng(seed).standard_normal(50).astype(np.float32)
    same(lambda L: L.histogram(L.tensor(data), 7))
    same(lambda L: L.histogram(L.tensor(data), 13, range=(-1.0, 1.3)))
    same(lambda L: L.histogram(L.tensor(data), 5, weight=L.tensor(data * data), density=True))
    same(lambda L: L.histc(L.tensor(data), 7))
    same(lambda L: L.histc(L.tensor(data).double(), 9, min=-1, max=1))


@pytest.mark.parametrize("values, kw", [
    ([NAN, 1.0], {}), ([1.0, NAN, 2.0], {"min": 0, "max": 3}), ([1.0, INF, 2.0], {}),
    ([1.0, 2.0], {"min": 0, "max": INF}), ([1.0, 2.0], {"min": NAN, "max": 1}),
    ([2.0, 2.0], {}), ([], {}), ([1.0, 2.0], {"min": 3, "max": 1}),
])
def test_histc_edges_like_torch(values: Any, kw: dict[str, Any]) -> None:
    same(lambda L: L.histc(L.tensor(values), 4, **kw))


def test_histogram_has_no_derivative_like_torch() -> None:
    hist, edges = tg.histogram(tg.tensor([1.0, 2.0], requires_grad=True), 2)
    assert type(hist.grad_fn).__name__ == type(edges.grad_fn).__name__ == "NotImplemented"
    with pytest.raises(RuntimeError, match="derivative for aten::histogram is not implemented"):
        hist.sum().backward()
