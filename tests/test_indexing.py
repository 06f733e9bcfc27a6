"""``x[index]`` and ``x[index] = v`` by PyTorch's rule (tinygrad_edu/ops/indexing.py).

1. Regression tests, one per bug, with PyTorch's answers written in (they run without it).
2. Differential fuzzers against PyTorch: a drawn tensor shape (0-d to 4-d) and a drawn
   index mixing every kind of item (``strategies.torch_indices``); getitem is compared
   for values, shape, dtype, grad_fn, view-ness and the gradient, setitem for the written
   tensor and the gradients of the base and the value; errors for their class and message.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
import strategies as S
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu.ops import indexing as IX

# (torch warns again, in backward, for the uint8 masks the fuzzers draw)
pytestmark = pytest.mark.filterwarnings("ignore:indexing with dtype torch.uint8:UserWarning")


@pytest.fixture(scope="module")
def torch() -> Any:
    return pytest.importorskip("torch")


def _arange(*shape: int, requires_grad: bool = False) -> tg.Tensor:
    return tg.arange(int(np.prod(shape)), dtype=tg.float64).reshape(shape).requires_grad_(
        requires_grad)


# ============================================================================ regressions
def test_int_beside_advanced_index_is_basic_as_in_torch() -> None:
    """Item 2: ``x[0, :, [1, 2]]`` is ``x[0][:, [1, 2]]`` (torch), not numpy's (2, 3)."""
    x = _arange(2, 3, 4)
    assert x[0, :, [1, 2]].shape == (3, 2)
    assert x[0, :, [1, 2]].tolist() == [[1.0, 2.0], [5.0, 6.0], [9.0, 10.0]]
    square = _arange(2, 2, 2)  # here numpy's answer has the right shape, transposed
    assert square[0, :, [0, 1]].tolist() == [[0.0, 1.0], [2.0, 3.0]]
    assert x[[0, 1], :, 0].shape == (2, 3)
    assert x[..., 0, [1, 2]].shape == (2, 2)


def test_setitem_int_beside_advanced_index_writes_where_getitem_reads() -> None:
    x = _arange(2, 3, 3)
    x[0, :, [1, 2]] = -tg.arange(6.0, dtype=tg.float64).reshape(3, 2)
    assert x[0].tolist() == [[0.0, -0.0, -1.0], [3.0, -2.0, -3.0], [6.0, -4.0, -5.0]]


def test_int_beside_advanced_index_gradient_goes_back_transposed() -> None:
    x = _arange(2, 3, 3, requires_grad=True)
    (x[0, :, [1, 2]] * tg.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=tg.float64)).sum(
    ).backward()
    assert x.grad[0].tolist() == [[0.0, 1.0, 2.0], [0.0, 3.0, 4.0], [0.0, 5.0, 6.0]]


def test_uint8_index_tensor_is_a_mask() -> None:
    """Item 15: a uint8 tensor selects where it is nonzero (with torch's warning)."""
    x = _arange(3, 2)
    with pytest.warns(UserWarning, match="indexing with dtype torch.uint8 is now deprecated"):
        out = x[tg.tensor([2, 0, 1], dtype=tg.uint8)]
    assert out.tolist() == [[0.0, 1.0], [4.0, 5.0]]
    with pytest.warns(UserWarning):
        x[tg.tensor([0, 3, 0], dtype=tg.uint8)] = tg.tensor([-1.0, -2.0], dtype=tg.float64)
    assert x.tolist() == [[0.0, 1.0], [-1.0, -2.0], [4.0, 5.0]]


def test_uint8_mask_with_a_number_raises_as_masked_fill() -> None:
    x = _arange(3, 2)
    with pytest.raises(RuntimeError, match="masked_fill_ only supports boolean masks"):
        x[tg.tensor([1, 0, 1], dtype=tg.uint8)] = 5.0


def test_index_tensor_or_mask_then_ellipsis() -> None:
    """Item 22: ``x[t, ...]``, ``x[mask, ...]`` and ``x[mask, ...] = v`` (numpy's "truth
    value of an array is ambiguous" before)."""
    x = _arange(2, 3)
    assert x[tg.tensor([1, 1]), ...].tolist() == [[3.0, 4.0, 5.0], [3.0, 4.0, 5.0]]
    mask = tg.tensor([True, False])
    assert x[mask, ...].tolist() == [[0.0, 1.0, 2.0]]
    x[mask, ...] = -1.0
    assert x.tolist() == [[-1.0, -1.0, -1.0], [3.0, 4.0, 5.0]]
    x[..., tg.tensor([True, False, True])] = tg.zeros(2, 2, dtype=tg.float64)
    assert x.tolist() == [[0.0, -1.0, 0.0], [0.0, 4.0, 0.0]]


def test_mask_stands_for_its_dims_before_later_items() -> None:
    x = _arange(2, 3, 4)
    mask = tg.ones(2, 3, dtype=tg.bool)
    assert x[mask, 1].tolist() == [1.0, 5.0, 9.0, 13.0, 17.0, 21.0]
    assert x[mask, 1:].shape == (6, 3)


def test_python_bool_index_inserts_a_dim_and_copies() -> None:
    x = _arange(2, 3, requires_grad=True)
    assert x[True].shape == (1, 2, 3) and x[True].grad_fn.name() == "IndexBackward0"
    assert x[False].shape == (0, 2, 3)
    assert x[[0, 1], True].shape == (2, 3)
    assert tg.tensor(5.0)[True].tolist() == [5.0]


def test_zero_dim_int_tensor_index_is_a_select_view() -> None:
    x = _arange(2, 3, requires_grad=True)
    out = x[tg.tensor(1)]
    assert out.shape == (3,) and out.grad_fn.name() == "SelectBackward0"
    assert np.shares_memory(out._data, x._data)
    assert x[:, tg.tensor(-1, dtype=tg.int32)].tolist() == [2.0, 5.0]


def test_list_with_sequences_reads_as_a_tuple_with_torchs_warning() -> None:
    x = _arange(2, 3)
    with pytest.warns(UserWarning, match="non-tuple sequence for multidimensional indexing"):
        assert x[[[0, 1], [1, 0]]].tolist() == [1.0, 3.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert x[[[0, 1]] * 40].shape == (40, 2, 3)  # 32 or more: an index tensor


def test_list_index_values_convert_as_torch() -> None:
    x = _arange(3)
    assert x[[]].shape == (0,) and x[[0.7, 2.2]].tolist() == [0.0, 2.0]
    assert x[[True, False, True]].tolist() == [0.0, 2.0]
    assert x[[True, 1]].tolist() == [1.0, 1.0]  # bools with ints: ints


def test_index_errors_name_the_item_and_the_size() -> None:
    x = _arange(2, 3, 4)
    cases = [
        ((None, 0, 7), "index 7 is out of bounds for dimension 2 with size 3"),
        ((slice(None), [0], [9]), "index 9 is out of bounds for dimension 1 with size 4"),
        ((slice(None), 5), "index 5 is out of bounds for dimension 1 with size 3"),
        ((0, 0, 0, 0), "too many indices for tensor of dimension 3"),
        (([0, 1], [0, 1, 2]), "shape mismatch: indexing tensors could not be broadcast "
                              "together with shapes [2], [3]"),
        ((0, slice(None), tg.tensor([True, False, True])),
         "The shape of the mask [3] at index 0 does not match the shape of the indexed "
         "tensor [3, 4] at index 1"),
    ]
    for index, message in cases:
        with pytest.raises(IndexError) as info:
            x[index]
        assert str(info.value) == message
    with pytest.raises(IndexError, match="invalid index of a 0-dim tensor"):
        tg.tensor(1.0)[0]
    with pytest.raises(IndexError, match=r"valid indices \(got float\)"):
        x[0, 1.5]
    with pytest.raises(IndexError, match="must be long, int, byte or bool"):
        x[tg.tensor([1], dtype=tg.int16)]
    with pytest.raises(ValueError, match="step must be greater than zero"):
        x[::-1]


def test_empty_result_does_not_check_index_values() -> None:
    assert tg.zeros(0, 3)[:, [9]].shape == (0, 1)
    with pytest.raises(IndexError, match="index is out of bounds for dimension with size 0"):
        tg.zeros(3, 0)[:, [0]]


def test_setitem_value_that_does_not_broadcast_raises_torchs_error() -> None:
    x = _arange(2, 3, 4)
    with pytest.raises(RuntimeError, match=r"shape mismatch: value tensor of shape \[5\] "
                                           r"cannot be broadcast to indexing result of shape "
                                           r"\[2, 4\]"):
        x[0, [0, 1]] = tg.ones(5, dtype=tg.float64)
    with pytest.raises(RuntimeError, match=r"The expanded size of the tensor \(4\) must match "
                                           r"the existing size \(5\) at non-singleton "
                                           r"dimension 1"):
        x[0] = tg.ones(5, dtype=tg.float64)
    x[[0, 1]] = tg.ones(1, 1, 3, 4, dtype=tg.float64)  # leading 1s are dropped
    with pytest.raises(RuntimeError, match="Index put requires the source and destination "
                                           "dtypes match, got Double for the destination "
                                           "and Float for the source."):
        x[[0]] = tg.ones(4)
    with pytest.raises(TypeError, match="can't assign a list to a torch.DoubleTensor"):
        x[0] = [1, 2, 3, 4]


def test_setitem_false_writes_nothing_and_true_writes_everything() -> None:
    x = _arange(2, 2)
    x[False] = tg.ones(7, dtype=tg.float64)  # not even the shape is checked
    assert x.tolist() == [[0.0, 1.0], [2.0, 3.0]]
    x[True] = tg.tensor(-1.0)  # (a view: the dtype converts, as in copy_)
    assert x.tolist() == [[-1.0, -1.0], [-1.0, -1.0]]


def test_repeated_setitem_index_last_write_wins_and_value_gets_every_gradient() -> None:
    leaf = _arange(3, requires_grad=True)
    v = tg.tensor([10.0, 20.0], dtype=tg.float64, requires_grad=True)
    base = leaf.clone()
    base[[1, 1]] = v
    assert base.tolist() == [0.0, 20.0, 2.0]
    (base * tg.tensor([1.0, 2.0, 3.0], dtype=tg.float64)).sum().backward()
    assert leaf.grad.tolist() == [1.0, 0.0, 3.0] and v.grad.tolist() == [2.0, 2.0]


def test_setitem_value_with_leading_ones_gets_a_gradient_of_its_shape() -> None:
    leaf = _arange(2, 3, requires_grad=True)
    v = tg.ones(1, 1, 3, dtype=tg.float64, requires_grad=True)
    base = leaf.clone()
    base[[0, 1]] = v
    base.sum().backward()
    assert v.grad.shape == (1, 1, 3) and v.grad.tolist() == [[[2.0, 2.0, 2.0]]]


def test_changing_the_index_tensor_later_does_not_change_the_gradient() -> None:
    """The ops keep their own copy of an index tensor (as gather does): writing into it
    after the forward cannot send gradients elsewhere."""
    x = _arange(3, requires_grad=True)
    index = tg.tensor([0, 0])
    out = x[index]
    index.fill_(2)
    out.sum().backward()
    assert x.grad.tolist() == [2.0, 0.0, 0.0]
    v = tg.tensor([1.0, 2.0], dtype=tg.float64, requires_grad=True)
    base = x.detach().clone()
    base[index] = v
    index.fill_(0)
    (base * tg.tensor([1.0, 2.0, 3.0], dtype=tg.float64)).sum().backward()
    assert v.grad.tolist() == [3.0, 3.0]


_GRAD_INDICES = [
    (0, slice(None), [1, 2]),  # an int beside a list
    ([0, 1], slice(1, None), [2, 0]),  # lists apart: their dims in front
    (None, 1, Ellipsis, [3, 0]),
    (True, slice(None), 0),
    (slice(None, None, 2), None, 1),  # basic: a view
]


@pytest.mark.parametrize("index", _GRAD_INDICES)
def test_index_gradients_and_second_derivatives_are_finite_differences(index: Any) -> None:
    x = tg.tensor(np.random.default_rng(0).random((2, 3, 4)), requires_grad=True)
    assert tg.autograd.gradcheck(lambda t: t[index] ** 2, (x,))
    assert tg.autograd.gradgradcheck(lambda t: t[index] ** 2, (x,))


@pytest.mark.parametrize("index", _GRAD_INDICES)
def test_setitem_gradients_and_second_derivatives_are_finite_differences(index: Any) -> None:
    """``base[index] = v`` (no repeated element): the gradients of x and v, and through
    ``create_graph=True`` their own derivatives (the backward is recorded)."""
    rng = np.random.default_rng(1)
    x = tg.tensor(rng.random((2, 3, 4)), requires_grad=True)
    v = tg.tensor(rng.random(tuple(x[index].shape)[-1:]), requires_grad=True)

    def write(a: tg.Tensor, b: tg.Tensor) -> tg.Tensor:
        base = a * 1.0
        base[index] = b * b
        return base**2

    assert tg.autograd.gradcheck(write, (x, v))
    assert tg.autograd.gradgradcheck(write, (x, v))


def test_indexing_docstring_examples_run() -> None:
    """The rule's examples in ops/indexing.py (learners read them) stay true."""
    import doctest

    assert doctest.testmod(IX, raise_on_error=False).failed == 0


def test_plan_is_pure_numpy() -> None:
    x = np.arange(24).reshape(2, 3, 4)
    p = IX.plan((0, slice(None), [1, 2]), x.shape)
    assert p is not None and p.shape == (3, 2)
    np.testing.assert_array_equal(IX.take(x, p), x[0][:, [1, 2]])
    out = np.zeros_like(x)
    IX.add_at(out, IX.plan(([1, 1], 0), x.shape), np.ones((2, 4), dtype=x.dtype))
    assert out[1, 0].tolist() == [2, 2, 2, 2] and out.sum() == 8


# ============================================================================ fuzzers
def _torch_is_view(out: Any, x: Any) -> bool:
    return out._base is not None


def _is_view(out: tg.Tensor, x: tg.Tensor) -> bool:
    def root(a: np.ndarray) -> np.ndarray:
        while isinstance(a.base, np.ndarray):
            a = a.base
        return a

    return root(out._data) is root(x._data)


def _outcome(fn: Any) -> tuple[Any, Exception | None]:
    try:
        return fn(), None
    except Exception as e:  # noqa: BLE001 (any error: compared with torch's)
        return None, e


def _same_error(mine: Exception | None, theirs: Exception | None) -> None:
    assert (mine is None) == (theirs is None), (mine, theirs)
    if theirs is not None:
        assert type(mine) is type(theirs), (mine, theirs)
        assert str(mine) == str(theirs).split("\n")[0]


def _same_values(mine: Any, theirs: Any) -> None:
    assert tuple(mine.shape) == tuple(theirs.shape)
    assert str(mine.dtype).rsplit(".", 1)[-1] == str(theirs.dtype).rsplit(".", 1)[-1]
    np.testing.assert_array_equal(mine.detach().numpy(), theirs.detach().numpy())


def _chain(node: Any) -> list[str]:
    """The names of the nodes from ``node`` down to the leaf, along first inputs."""
    names = []
    while node is not None:
        names.append(node.name())
        node = node.next_functions[0][0] if node.next_functions else None
    return names


@st.composite
def _getitem_case(draw: Any) -> tuple[np.ndarray, Any]:
    """A tensor of 0 to 4 dims (some of size 0) and an index for it."""
    shape = draw(S.shapes(0, 4, min_side=draw(st.sampled_from([1, 1, 1, 0]))))
    return draw(S.arrays(shape)), draw(S.torch_indices(shape))


@given(_getitem_case(), st.booleans())
def test_getitem_matches_torch(torch: Any, case: Any, integer: bool) -> None:
    a, index = case
    results = []
    for lib in (tg, torch):
        x = lib.tensor(a.astype(np.int64) if integer else a, requires_grad=not integer)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out, error = _outcome(lambda x=x, lib=lib: x[S.build_index(index, lib)])
        results.append((lib, x, out, error))
    (_, x, out, error), (_, tx, tout, terror) = results
    _same_error(error, terror)
    if terror is not None:
        return
    _same_values(out, tout)
    assert _is_view(out, x) == _torch_is_view(tout, tx)
    if integer:
        return
    # the whole chain, as PyTorch records it: one view op per basic item that does
    # something (x[0, 1:] is SliceBackward0 of SelectBackward0), then IndexBackward0
    assert _chain(out.grad_fn) == _chain(tout.grad_fn)
    w = np.random.default_rng(0).standard_normal(tuple(tout.shape))
    (out * tg.tensor(w)).sum().backward()
    (tout * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def _draw_value(data: Any, torch: Any, a: np.ndarray, index: Any) -> Any:
    """A value for ``x[index] = value`` that broadcasts to what the index reads (by torch):
    a number, or an array of a suffix of that shape with some dims 1, maybe one more 1 in
    front, maybe float32 (which index_put refuses for a float64 tensor)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        read, error = _outcome(lambda: torch.tensor(a)[S.build_index(index, torch)].shape)
    if error is not None or data.draw(st.integers(0, 4)) == 4:
        return data.draw(S.floats())
    target = tuple(read)[data.draw(st.integers(0, len(read))):]
    shape = (1,) * data.draw(st.integers(0, 1)) + tuple(
        n if data.draw(st.booleans()) else 1 for n in target)
    value = data.draw(S.arrays(shape))
    return value.astype(np.float32) if data.draw(st.integers(0, 5)) == 5 else value


@given(_getitem_case(), st.sampled_from(["grad", "no grad", "int64"]), st.data())
def test_setitem_matches_torch(torch: Any, case: Any, mode: str, data: Any) -> None:
    """``base = leaf.clone(); base[index] = v``: the written tensor, then the gradients
    of the leaf and of v (float64 tensors that require grad, or not; int64 tensors)."""
    a, index = case
    value = _draw_value(data, torch, a, index)
    if mode == "int64":
        a = (a * 3).astype(np.int64)
        if isinstance(value, np.ndarray) and data.draw(st.integers(0, 3)):
            value = (value * 3).astype(np.int64)  # (else float64: index_put refuses it)
    requires_grad = mode == "grad"
    results = []
    for lib in (tg, torch):
        leaf = lib.tensor(a, requires_grad=requires_grad)
        v = value
        if isinstance(value, np.ndarray):
            v = lib.tensor(value, requires_grad=requires_grad and value.dtype.kind == "f")
        base = leaf.clone()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _, error = _outcome(lambda base=base, v=v, lib=lib: base.__setitem__(
                S.build_index(index, lib), v))
        results.append((leaf, v, base, error))
    (leaf, v, base, error), (tleaf, tv, tbase, terror) = results
    _same_error(error, terror)
    if terror is not None:
        return
    _same_values(base, tbase)
    if not requires_grad:
        return
    w = np.random.default_rng(1).standard_normal(a.shape)
    (base * tg.tensor(w)).sum().backward()
    (tbase * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(leaf.grad.numpy(), tleaf.grad.numpy(), rtol=1e-12)
    if isinstance(value, np.ndarray):
        _same_grad(v.grad, tv.grad)


def _same_grad(mine: Any, theirs: Any) -> None:
    assert (mine is None) == (theirs is None)
    if theirs is not None:
        assert tuple(mine.shape) == tuple(theirs.shape)
        np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-5)


@given(_getitem_case())
def test_getitem_double_backward_matches_torch(torch: Any, case: Any) -> None:
    """``create_graph=True`` through an index: the gradient is itself differentiable
    (IndexAdd, the adjoint of Index, and back)."""
    a, index = case
    grads = []
    for lib in (tg, torch):
        x = lib.tensor(a, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out, error = _outcome(lambda x=x, lib=lib: x[S.build_index(index, lib)])
        if error is not None:
            return
        (g,) = lib.autograd.grad((out**3).sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), x)
        grads.append((g, gg))
    (g, gg), (tg_, tgg) = grads
    np.testing.assert_allclose(g.detach().numpy(), tg_.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(gg.numpy(), tgg.numpy(), rtol=1e-12)
