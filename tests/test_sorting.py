"""sort, argsort, topk, gather and index_select: what the OPS table of test_ops.py cannot
check (it draws distinct values and valid indices): the indices PyTorch gives on ties and
NaN, repeated indices accumulating in backward, PyTorch's errors, 0-d and empty tensors.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import strategies as S
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_edu as tg


@pytest.fixture
def torch() -> Any:
    return pytest.importorskip("torch")


def _pair(torch: Any, values: Any, dtype: str = "float64",
          requires_grad: bool = False) -> tuple[Any, Any]:
    """The same values as a tinygrad_edu tensor and a torch tensor."""
    a = np.array(values, dtype=dtype)
    return (tg.tensor(a, requires_grad=requires_grad),
            torch.tensor(a, requires_grad=requires_grad))


def _same(mine: Any, theirs: Any) -> None:
    """Same shape, dtype and values (NaN where torch has NaN)."""
    assert tuple(mine.shape) == tuple(theirs.shape)
    assert str(mine.dtype).rsplit(".", 1)[-1] == str(theirs.dtype).rsplit(".", 1)[-1]
    np.testing.assert_array_equal(mine.detach().numpy(), theirs.detach().numpy())


def _same_result(mine: Any, theirs: Any) -> None:
    """A ``(values, indices)`` result equal to torch's, read both by name and by unpacking."""
    _same(mine.values, theirs.values)
    _same(mine.indices, theirs.indices)
    values, indices = mine
    assert values is mine.values and indices is mine.indices


def _ties(seed: int, shape: tuple[int, ...]) -> np.ndarray:
    """Values from {0, 1, 2}: many ties."""
    return np.random.default_rng(seed).integers(0, 3, shape).astype(np.float64)


# ============================================================================ sort, argsort
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("shape, dim", [((16,), 0), ((3, 10), 1), ((9, 4), 0), ((2, 5, 3), -2)])
def test_sort_ties_keep_their_order_like_torch(torch: Any, shape: Any, dim: int,
                                               descending: bool) -> None:
    """Equal values keep their original order, ascending and descending (not reversed):
    with ``stable=True``, and with the default when a dim has at most 16 elements
    (torch's CPU sort is an insertion sort there, which is stable too)."""
    x, t = _pair(torch, _ties(len(shape) + dim, shape))
    _same_result(x.sort(dim, descending), t.sort(dim, descending))
    _same_result(x.sort(dim=dim, descending=descending, stable=True),
                 t.sort(dim=dim, descending=descending, stable=True))


@pytest.mark.parametrize("descending", [False, True])
def test_sort_stable_on_a_long_dim_like_torch(torch: Any, descending: bool) -> None:
    """Past 16 elements torch's default sort is not stable; ``stable=True`` is, and is
    what tinygrad_edu always does."""
    x, t = _pair(torch, _ties(7, (200,)))
    _same_result(x.sort(descending=descending, stable=True),
                 t.sort(descending=descending, stable=True))
    _same_result(x.sort(descending=descending), t.sort(descending=descending, stable=True))


@pytest.mark.parametrize("descending", [False, True])
def test_sort_nan_is_the_largest_like_torch(torch: Any, descending: bool) -> None:
    """NaN sorts after every number (first when descending), two NaNs and 0.0 / -0.0 in
    their order."""
    values = [3.0, float("nan"), 1.0, -0.0, float("-inf"), 0.0, float("nan"), float("inf")]
    x, t = _pair(torch, values)
    _same_result(x.sort(descending=descending), t.sort(descending=descending))
    _same(x.argsort(descending=descending), t.argsort(descending=descending))


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool", "float32"])
def test_sort_other_dtypes_like_torch(torch: Any, dtype: str) -> None:
    """Values keep their dtype, indices are int64; ties in order in both directions."""
    x, t = _pair(torch, [[1, 0, 2, 1, 0], [2, 2, 1, 0, 1]], dtype)
    for descending in (False, True):
        _same_result(x.sort(1, descending), t.sort(1, descending))
        _same_result(x.sort(0, descending), t.sort(0, descending))


def test_argsort_like_torch(torch: Any) -> None:
    """argsort is sort's indices: int64, no gradient, every argument form torch takes."""
    x, t = _pair(torch, _ties(3, (4, 6)), requires_grad=True)
    _same(x.argsort(), t.argsort())
    _same(x.argsort(0, True), t.argsort(0, True))
    _same(tg.argsort(x, dim=0, descending=True, stable=True),
          torch.argsort(t, dim=0, descending=True, stable=True))
    assert not x.argsort().requires_grad and x.argsort().grad_fn is None


def test_sort_gradient_goes_to_the_elements_like_torch(torch: Any) -> None:
    """With ties too: each sorted value's gradient lands on the element it came from."""
    x, t = _pair(torch, _ties(5, (3, 7)), requires_grad=True)
    seed = np.random.default_rng(0).standard_normal((3, 7))
    x.sort(1, descending=True).values.backward(tg.tensor(seed))
    t.sort(dim=1, descending=True, stable=True).values.backward(torch.tensor(seed))
    _same(x.grad, t.grad)
    assert not x.sort().indices.requires_grad


def test_sort_results_are_named_like_torch(torch: Any) -> None:
    """sort and topk give ``(values, indices)`` pairs; their values' nodes are torch's."""
    x, t = _pair(torch, [2.0, 1.0], requires_grad=True)
    assert type(x.sort().values.grad_fn).__name__ == t.sort().values.grad_fn.name()
    assert type(x.topk(1).values.grad_fn).__name__ == t.topk(1).values.grad_fn.name()
    assert len(x.sort()) == len(x.topk(1)) == 2


def test_module_level_forms_are_the_methods(torch: Any) -> None:
    """``tg.sort(x, ...)`` and the others are ``x.sort(...)``, as in torch."""
    x, t = _pair(torch, _ties(11, (3, 4)))
    i = np.array([[0, 3], [1, 1], [2, 0]])
    _same_result(tg.sort(x, 0, True), torch.sort(t, 0, True))
    _same_result(tg.topk(x, 2, 0, False), torch.topk(t, 2, 0, False))
    _same(tg.gather(x, 1, tg.tensor(i)), torch.gather(t, 1, torch.tensor(i)))
    _same(tg.index_select(x, 1, tg.tensor([2, 2])),
          torch.index_select(t, 1, torch.tensor([2, 2])))


# ============================================================================ topk
@pytest.mark.parametrize("largest", [True, False])
def test_topk_indices_like_torch(torch: Any, largest: bool) -> None:
    """Distinct values: the same k values and indices, largest (or smallest) first."""
    a = np.random.default_rng(1).permutation(40).reshape(5, 8).astype(np.float64)
    x, t = _pair(torch, a)
    for k in (0, 1, 3, 8):
        _same_result(x.topk(k, largest=largest), t.topk(k, largest=largest))
    _same_result(x.topk(2, 0, largest), t.topk(2, 0, largest))


def test_topk_ties_give_torchs_values(torch: Any) -> None:
    """On ties torch's pick among equal values is its kernel's (not documented, not
    stable): ``std::partial_sort`` or ``std::nth_element``, replayed (``parity.stl_sort``)."""
    a = _ties(2, (6, 9))
    x, t = _pair(torch, a)
    for k in (1, 4, 9):
        _same_result(x.topk(k), t.topk(k))


@given(data=st.data(), largest=st.booleans(), nan=st.booleans(),
       dtype=st.sampled_from(["float32", "float64", "int64"]))
def test_topk_ties_fuzz_like_torch(data: Any, largest: bool, nan: bool, dtype: str) -> None:
    """Regression: equal values (and NaNs) came in index order; torch's come in the order
    its unstable selection leaves them, on every path (k * 64 <= n or not)."""
    torch = pytest.importorskip("torch")
    shape = data.draw(S.shapes(1, 3, max_side=5) | st.tuples(st.integers(1, 2),
                                                              st.integers(60, 300)))
    dim = data.draw(st.integers(0, len(shape) - 1))
    k = data.draw(st.integers(0, shape[dim]))
    a = np.random.default_rng(data.draw(st.integers(0, 2**31))).integers(0, 4, shape)
    a = a.astype(dtype)
    if nan and dtype != "int64":
        a[a == 3] = np.nan
    x, t = _pair(torch, a, dtype)
    _same_result(x.topk(k, dim, largest), t.topk(k, dim, largest))


def test_topk_unsorted_picks_torchs_set(torch: Any) -> None:
    """``sorted=False`` leaves the order to the kernel: the same set of values."""
    a = np.random.default_rng(3).permutation(30).astype(np.float64)
    x, t = _pair(torch, a)
    mine, theirs = x.topk(7, sorted=False), t.topk(7, sorted=False)
    assert set(mine.values.tolist()) == set(theirs.values.tolist())
    assert set(mine.indices.tolist()) == set(theirs.indices.tolist())


def test_topk_nan_is_the_largest_like_torch(torch: Any) -> None:
    x, t = _pair(torch, [1.0, float("nan"), 3.0, 2.0])
    _same_result(x.topk(2), t.topk(2))
    _same_result(x.topk(2, largest=False), t.topk(2, largest=False))


def test_topk_gradient_like_torch(torch: Any) -> None:
    """The chosen elements get the gradient, the others zero."""
    x, t = _pair(torch, [[0.5, 3.0, -1.0, 2.0], [4.0, 0.0, 1.0, 5.0]], requires_grad=True)
    seed = np.array([[1.0, 2.0], [3.0, 4.0]])
    x.topk(2, 1).values.backward(tg.tensor(seed))
    t.topk(2, 1).values.backward(torch.tensor(seed))
    _same(x.grad, t.grad)


# ============================================================================ repeated indices
def test_gather_repeated_indices_accumulate_like_torch(torch: Any) -> None:
    x, t = _pair(torch, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    index = np.array([[0, 0, 0, 2], [1, 1, 0, 1]])  # larger than x along dim 1: allowed
    seed = np.arange(8.0).reshape(2, 4)
    out, expected = x.gather(1, tg.tensor(index)), t.gather(1, torch.tensor(index))
    _same(out, expected)
    out.backward(tg.tensor(seed))
    expected.backward(torch.tensor(seed))
    _same(x.grad, t.grad)


def test_gather_index_smaller_than_input_like_torch(torch: Any) -> None:
    """Off ``dim`` the index may be smaller than the input: its positions are used."""
    x, t = _pair(torch, np.arange(12.0).reshape(3, 4), requires_grad=True)
    index = np.array([[2, 0], [2, 2]])
    out, expected = x.gather(0, tg.tensor(index)), t.gather(0, torch.tensor(index))
    _same(out, expected)
    out.sum().backward()
    expected.sum().backward()
    _same(x.grad, t.grad)


def test_index_select_repeated_indices_accumulate_like_torch(torch: Any) -> None:
    x, t = _pair(torch, np.arange(6.0).reshape(2, 3), requires_grad=True)
    seed = np.arange(8.0).reshape(2, 4)
    out = x.index_select(1, tg.tensor([2, 0, 2, 2]))
    expected = t.index_select(1, torch.tensor([2, 0, 2, 2]))
    _same(out, expected)
    out.backward(tg.tensor(seed))
    expected.backward(torch.tensor(seed))
    _same(x.grad, t.grad)


def test_int32_indices_like_torch(torch: Any) -> None:
    """torch 2.x takes int32 indices too, for gather and index_select."""
    x, t = _pair(torch, [[1.0, 2.0], [3.0, 4.0]])
    i = np.array([[1, 1], [0, 1]], dtype=np.int32)
    _same(x.gather(0, tg.tensor(i)), t.gather(0, torch.tensor(i)))
    _same(x.index_select(1, tg.tensor(i[0])), t.index_select(1, torch.tensor(i[0])))


def test_repeated_indices_second_derivative() -> None:
    """Backward of backward through the scatter-add of repeated indices (gradgradcheck)."""
    x = tg.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]], dtype=tg.float64,
                  requires_grad=True)
    index = tg.tensor([[2, 2, 0, 2], [1, 0, 0, 1]])

    def fn(a: Any) -> Any:
        return (a.gather(1, index) ** 2, a.index_select(1, tg.tensor([1, 1, 2])) ** 3)

    assert tg.autograd.gradcheck(fn, [x])
    assert tg.autograd.gradgradcheck(fn, [x])


def test_changing_the_index_later_does_not_change_the_gradient() -> None:
    """The op keeps its own copy of the index: writing into the index tensor after the
    forward cannot send gradients elsewhere."""
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    index = tg.tensor([0, 0])
    out = x.gather(0, index)
    index.fill_(2)
    out.sum().backward()
    assert x.grad.tolist() == [2.0, 0.0, 0.0]


# ============================================================================ errors
def _same_error(torch: Any, fn: Callable[[Any], Any]) -> None:
    """``fn(tg)`` raises the class and message ``fn(torch)`` raises."""
    with pytest.raises(Exception) as theirs:
        fn(torch)
    with pytest.raises(Exception) as mine:
        fn(tg)
    assert type(mine.value) is type(theirs.value)
    assert str(mine.value) == str(theirs.value)


def _t(L: Any, values: Any, dtype: str = "float32") -> Any:
    return L.tensor(np.array(values, dtype=dtype))


ERRORS: dict[str, Callable[[Any], Any]] = {
    "sort dim out of range": lambda L: _t(L, [1.0, 2.0]).sort(1),
    "sort 0-d dim out of range": lambda L: _t(L, 1.0).sort(-2),
    "argsort dim out of range": lambda L: L.argsort(_t(L, [[1.0]]), dim=2),
    "topk dim out of range": lambda L: _t(L, [1.0, 2.0]).topk(1, 1),
    "topk k too big": lambda L: _t(L, [1.0, 2.0]).topk(3),
    "topk k negative": lambda L: _t(L, [1.0, 2.0]).topk(-1),
    "topk k too big on 0-d": lambda L: _t(L, 1.0).topk(2),
    "topk k too big on an empty dim": lambda L: _t(L, np.zeros((0, 3))).topk(1, 0),
    "topk k a float": lambda L: _t(L, [1.0, 2.0]).topk(1.0),
    "topk k a bool": lambda L: _t(L, [1.0, 2.0]).topk(True),
    "topk of bool": lambda L: _t(L, [True, False], "bool").topk(1),
    "gather dim out of range": lambda L: _t(L, [[1.0]]).gather(2, _t(L, [[0]], "int64")),
    "gather float index": lambda L: _t(L, [[1.0]]).gather(0, _t(L, [[0.0]])),
    "gather bool index": lambda L: _t(L, [[1.0]]).gather(0, _t(L, [[True]], "bool")),
    "gather index not a tensor": lambda L: _t(L, [[1.0]]).gather(0, [[0]]),
    "gather index of fewer dims": lambda L: _t(L, [[1.0]]).gather(0, _t(L, [0], "int64")),
    "gather index of more dims on 0-d": lambda L: _t(L, 1.0).gather(0, _t(L, [[0]], "int64")),
    "gather index larger off dim": lambda L: _t(L, np.zeros((3, 4))).gather(
        1, _t(L, np.zeros((4, 1)), "int64")),
    "gather index out of bounds": lambda L: _t(L, np.zeros((3, 4))).gather(
        1, _t(L, [[0], [5], [-7]], "int64")),
    "gather index negative": lambda L: _t(L, [1.0, 2.0]).gather(0, _t(L, [-1], "int64")),
    "gather index into 0-d": lambda L: _t(L, 1.0).gather(0, _t(L, 1, "int64")),
    "gather from an empty dim": lambda L: _t(L, np.zeros((0, 3))).gather(
        0, _t(L, np.zeros((2, 3)), "int64")),
    "index_select dim out of range": lambda L: _t(L, [1.0]).index_select(1, _t(L, [0], "int64")),
    "index_select matrix index": lambda L: _t(L, [[1.0]]).index_select(0, _t(L, [[0]], "int64")),
    "index_select float index": lambda L: _t(L, [[1.0]]).index_select(0, _t(L, [0.0])),
    "index_select index not a tensor": lambda L: _t(L, [1.0]).index_select(0, [0]),
    "index_select 0-d with two": lambda L: _t(L, 1.0).index_select(0, _t(L, [0, 0], "int64")),
    "index_select 0-d with none": lambda L: _t(L, 1.0).index_select(0, _t(L, [], "int64")),
    "index_select 0-d out of range": lambda L: _t(L, 1.0).index_select(0, _t(L, [1], "int64")),
    "index_select 1-d out of range": lambda L: _t(L, [1.0]).index_select(0, _t(L, [1], "int64")),
    "index_select dim 0 out of range": lambda L: _t(L, np.zeros((3, 4))).index_select(
        0, _t(L, [0, 3], "int64")),
    "index_select dim 1 out of range": lambda L: _t(L, np.zeros((3, 4))).index_select(
        1, _t(L, [0, -1, 9], "int64")),
    "index_select last dim out of range": lambda L: _t(L, np.zeros((2, 3, 4))).index_select(
        2, _t(L, [4], "int32")),
    "index_select from an empty dim": lambda L: _t(L, np.zeros((0, 3))).index_select(
        0, _t(L, [0], "int64")),
    "index_select out of range, empty input": lambda L: _t(L, np.zeros((2, 0))).index_select(
        0, _t(L, [5], "int64")),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_like_torch(torch: Any, name: str) -> None:
    """The exception class and message torch raises for the same bad arguments."""
    _same_error(torch, ERRORS[name])


def test_gather_sparse_grad_is_refused() -> None:
    """There are no sparse tensors to return: say so, rather than return a dense grad."""
    with pytest.raises(NotImplementedError, match="sparse"):
        tg.tensor([1.0]).gather(0, tg.tensor([0]), sparse_grad=True)


# ============================================================================ 0-d and empty
EDGES: dict[str, tuple[Callable[..., Any], list[Any]]] = {
    "sort of 0-d": (lambda L, x: x.sort(), [2.5]),
    "sort of 0-d, dim -1 descending": (lambda L, x: x.sort(-1, True), [2.5]),
    "argsort of 0-d": (lambda L, x: x.argsort(0), [2.5]),
    "topk of 0-d, k=1": (lambda L, x: x.topk(1), [2.5]),
    "topk of 0-d, k=0": (lambda L, x: x.topk(0), [2.5]),
    "gather from 0-d": (lambda L, x: x.gather(0, L.tensor(0)), [2.5]),
    "gather from 0-d, 1-D index": (lambda L, x: x.gather(0, L.tensor([0, 0])), [2.5]),
    "gather 0-d index from 1-D": (lambda L, x: x.gather(0, L.tensor(1)), [[1.0, 2.0]]),
    "index_select from 0-d": (lambda L, x: x.index_select(0, L.tensor([0])), [2.5]),
    "index_select 0-d index": (lambda L, x: x.index_select(1, L.tensor(1)), [[[1.0, 2.0]]]),
    "sort of empty": (lambda L, x: x.sort(0), [np.zeros((0, 3))]),
    "sort along an empty dim": (lambda L, x: x.sort(1, True), [np.zeros((2, 0))]),
    "argsort of empty": (lambda L, x: x.argsort(), [np.zeros((0,))]),
    "topk k=0 of empty": (lambda L, x: x.topk(0), [np.zeros((0,))]),
    "topk of an empty batch": (lambda L, x: x.topk(2), [np.zeros((0, 3))]),
    "topk k=0": (lambda L, x: x.topk(0, 0), [[[1.0, 2.0]]]),
    "gather empty index": (lambda L, x: x.gather(1, L.tensor(np.zeros((2, 0), np.int64))),
                           [[[1.0, 2.0], [3.0, 4.0]]]),
    "gather empty index larger off dim": (
        lambda L, x: x.gather(1, L.tensor(np.zeros((5, 0), np.int64))), [[[1.0, 2.0]]]),
    "gather from empty": (lambda L, x: x.gather(1, L.tensor(np.zeros((0, 3), np.int64))),
                          [np.zeros((0, 3))]),
    "index_select empty index": (lambda L, x: x.index_select(0, L.tensor(np.zeros(0, np.int64))),
                                 [[[1.0, 2.0]]]),
    "index_select from empty": (lambda L, x: x.index_select(1, L.tensor([2, 0])),
                                [np.zeros((0, 3))]),
    "index_select along an empty dim, empty index": (
        lambda L, x: x.index_select(1, L.tensor(np.zeros(0, np.int64))), [np.zeros((2, 0))]),
}


def _outputs(result: Any) -> tuple[Any, ...]:
    return tuple(result) if isinstance(result, tuple) else (result,)


@pytest.mark.parametrize("name", list(EDGES))
def test_zero_dim_and_empty_like_torch(torch: Any, name: str) -> None:
    """Values, shapes, dtypes and the input's gradient, as torch gives them."""
    fn, values = EDGES[name]
    x, t = _pair(torch, values[0], requires_grad=True)
    mine, theirs = _outputs(fn(tg, x)), _outputs(fn(torch, t))
    assert len(mine) == len(theirs)
    for m, th in zip(mine, theirs):
        _same(m, th)
        assert m.requires_grad == th.requires_grad
    pairs = [(m, th) for m, th in zip(mine, theirs) if th.requires_grad]
    if not pairs:
        return
    seeds = [np.ones(tuple(th.shape)) for _, th in pairs]
    tg.autograd.backward([m for m, _ in pairs], [tg.tensor(s) for s in seeds])
    torch.autograd.backward([th for _, th in pairs], [torch.tensor(s) for s in seeds])
    _same(x.grad, t.grad)


# ---------------------------------------------------------------------------- nanmedian
NAN_ROWS = [[np.nan, 1.0, 3.0, 2.0, 7.0], [np.nan] * 5, [2.0, np.nan, 1.0, 2.0, np.nan],
            [4.0, 4.0, 1.0, 4.0, 1.0]]


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_nanmedian_dim_values_indices_and_gradient_like_torch(torch: Any, dim: int,
                                                             keepdim: bool) -> None:
    mine, theirs = _pair(torch, NAN_ROWS, requires_grad=True)
    results = mine.nanmedian(dim, keepdim), tg.nanmedian(mine, dim, keepdim)
    _same_result(results[0], theirs.nanmedian(dim, keepdim))
    _same_result(results[1], torch.nanmedian(theirs, dim, keepdim))
    assert type(results[0].values.grad_fn).__name__ == "NanmedianBackward1"
    results[0].values.nansum().backward()
    theirs.nanmedian(dim, keepdim).values.nansum().backward()
    _same(mine.grad, theirs.grad)


@pytest.mark.parametrize("n", range(1, 20))
def test_nanmedian_of_nans_only_picks_torchs_index(torch: Any, n: int) -> None:
    mine, theirs = _pair(torch, [np.nan] * n)
    _same_result(mine.nanmedian(0), theirs.nanmedian(0))


@pytest.mark.parametrize("values", [NAN_ROWS, [[np.nan, np.nan]], [3.0, 1.0, 3.0, 3.0], []])
def test_nanmedian_of_all_shares_the_gradient_like_torch(torch: Any, values: Any) -> None:
    mine, theirs = _pair(torch, values, requires_grad=True)
    a, b = mine.nanmedian(), theirs.nanmedian()
    _same(a, b)
    if a.grad_fn is not None:
        assert type(a.grad_fn).__name__ == b.grad_fn.name() == "NanmedianBackward0"
        a.backward()
        b.backward()
        _same(mine.grad, theirs.grad)


@pytest.mark.parametrize("call", [
    lambda L: L.zeros(2, 0).nanmedian(1), lambda L: L.tensor([True]).nanmedian(0),
    lambda L: L.tensor([True]).nanmedian(), lambda L: L.tensor([[3, 1], [2, 2]]).nanmedian(0),
    lambda L: L.tensor([3, 1, 2, 2]).nanmedian(), lambda L: L.tensor(3.0).nanmedian(0),
    lambda L: L.zeros(0, 2).nanmedian(1)])
def test_nanmedian_corners_like_torch(torch: Any, call: Callable[[Any], Any]) -> None:
    outcomes = []
    for L in (tg, torch):
        try:
            out = call(L)
            outcomes.append([(tuple(t.shape), str(t.dtype).rsplit(".", 1)[-1],
                              t.numpy().tolist()) for t in (out if isinstance(out, tuple)
                                                           else (out,))])
        except Exception as e:  # noqa: BLE001 - compared with torch's
            outcomes.append([type(e).__name__, str(e)])
    assert outcomes[0] == outcomes[1]


# ---------------------------------------------------------------------------- nanquantile
# distinct values: which of tied elements gets the gradient is the sort's affair, and
# torch's sort orders ties differently when there are NaNs
NAN_DISTINCT = [[np.nan, 1.0, 3.0, 2.0, 7.0], [np.nan] * 5, [2.5, np.nan, 1.5, 0.5, np.nan],
                [4.0, 4.5, 1.25, 6.0, -1.0]]


@pytest.mark.parametrize("interpolation", ["linear", "lower", "higher", "midpoint", "nearest"])
@pytest.mark.parametrize("dim", [None, 0, 1])
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_nanquantile_values_and_gradients_like_torch(torch: Any, interpolation: str, dim: Any,
                                                     keepdim: bool, dtype: str) -> None:
    for q in (0.3, 1.0, [0.0, 0.5, 0.9]):
        mine, theirs = _pair(torch, NAN_DISTINCT, dtype, requires_grad=True)
        results = []
        for L, x in ((tg, mine), (torch, theirs)):
            qq = L.tensor(q, dtype=x.dtype) if isinstance(q, list) else q
            r = L.nanquantile(x, qq, dim, keepdim, interpolation=interpolation)
            weights = np.arange(1.0, r.numel() + 1).reshape(tuple(r.shape))
            (r * L.tensor(weights, dtype=x.dtype)).nansum().backward()
            results.append(r)
        _same(*results)
        _same(mine.grad, theirs.grad)


def test_nanquantile_errors_like_torch(torch: Any) -> None:
    calls = [lambda L: L.tensor([1, 2]).nanquantile(0.5),
             lambda L: L.tensor([1.0, 2]).nanquantile(1.5),
             lambda L: L.tensor([]).nanquantile(0.5),
             lambda L: L.tensor([1.0, 2]).nanquantile(0.5, interpolation="x"),
             lambda L: L.tensor([1.0, 2]).nanquantile(L.tensor([0.5], dtype=L.float64))]
    for call in calls:
        with pytest.raises(RuntimeError) as theirs:
            call(torch)
        with pytest.raises(RuntimeError, match=f"^{re.escape(str(theirs.value))}$"):
            call(tg)
