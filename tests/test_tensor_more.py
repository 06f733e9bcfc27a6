"""cumprod, diff, nonzero, repeat_interleave, median, kthvalue, mode, quantile, scatter,
lerp, std_mean/var_mean, the stacks, bincount, histc and set_printoptions, against
PyTorch: values, dtypes, indices (ties included), errors and printing. Their gradients
are checked by the OPS table of test_ops.py."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg

torch = pytest.importorskip("torch")


def _np(x: Any) -> np.ndarray:
    return x.detach().numpy() if hasattr(x, "detach") else np.asarray(x)


def assert_same(mine: Any, theirs: Any) -> None:
    """Same structure, shapes, dtypes and values (NaN equal to NaN) as torch's result."""
    if isinstance(theirs, (tuple, list)):
        assert isinstance(mine, tuple) and len(mine) == len(theirs)
        for m, t in zip(mine, theirs):
            assert_same(m, t)
        return
    assert tuple(mine.shape) == tuple(theirs.shape)
    assert str(mine.dtype).rsplit(".", 1)[-1] == str(theirs.dtype).rsplit(".", 1)[-1]
    np.testing.assert_allclose(_np(mine), _np(theirs), rtol=1e-6, equal_nan=True)


def _t(L: Any, values: Any, dtype: str = "float32") -> Any:
    return L.tensor(values, dtype=getattr(L, dtype))


# ---------------------------------------------------------------------------- like torch
TIES = [[3.0, 1.0, 1.0, 3.0, 2.0, 2.0, 1.0], [2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0],
        [5.0, 2.0, 2.0, 1.0, 2.0, 3.0, 3.0]]
NAN = float("nan")

CASES: dict[str, Callable[[Any], Any]] = {
    # median: the LOWER middle value, its index on ties as torch's
    "median of even count": lambda L: _t(L, [4.0, 1.0, 3.0, 2.0]).median(),
    "median(dim) with ties": lambda L: _t(L, TIES).median(1),
    "median(dim=0, keepdim)": lambda L: _t(L, TIES).median(0, keepdim=True),
    "median with NaN": lambda L: _t(L, [[1.0, NAN, 0.0, NAN], [1.0, 2.0, 3.0, 4.0]]).median(1),
    "median of all with NaN": lambda L: _t(L, [1.0, NAN, 0.0]).median(),
    "median of ints": lambda L: _t(L, [[3, 1, 2, 2]], "int64").median(1),
    "median of 0-d": lambda L: _t(L, 2.5).median(0),
    "kthvalue with ties": lambda L: _t(L, TIES).kthvalue(3, 1),
    "kthvalue k=1, dim 0": lambda L: _t(L, TIES).kthvalue(1, 0, keepdim=True),
    "kthvalue with NaN": lambda L: _t(L, [NAN, 1.0, NAN, 0.0]).kthvalue(3),
    "mode with ties": lambda L: _t(L, TIES).mode(1),
    "mode of ints": lambda L: L.mode(_t(L, [[1, 2, 2, 1, 3, 3, 1]], "int64"), 1),
    # quantile: linear and the other interpolations, NaN, q as a tensor
    "quantile linear": lambda L: _t(L, [1.0, 2.0, 4.0, 7.0]).quantile(0.3),
    "quantile q tensor, dim": lambda L: _t(L, TIES).quantile(_t(L, [0.1, 0.5, 0.9]), dim=1),
    "quantile keepdim": lambda L: _t(L, TIES).quantile(_t(L, [0.25, 0.75]), 0, True),
    "quantile nearest float32": lambda L: _t(L, [1.0, 2.0, 4.0, 7.0]).quantile(
        _t(L, [1 / 6, 0.5, 0.25]), interpolation="nearest"),
    "quantile lower": lambda L: _t(L, [1.0, 2.0, 4.0]).quantile(0.7, interpolation="lower"),
    "quantile higher": lambda L: _t(L, [1.0, 2.0, 4.0]).quantile(0.2, interpolation="higher"),
    "quantile midpoint": lambda L: _t(L, [1.0, 2.0, 4.0]).quantile(0.2,
                                                                   interpolation="midpoint"),
    "quantile with NaN": lambda L: _t(L, [[1.0, NAN], [1.0, 2.0]]).quantile(0.5, dim=1),
    "quantile float64": lambda L: _t(L, [3.0, 1.0], "float64").quantile(0.25),
    # cumprod and diff
    "cumprod of ints": lambda L: _t(L, [[2, 3], [4, 5]], "int32").cumprod(1),
    "cumprod with zeros": lambda L: _t(L, [2.0, 0.0, 3.0]).cumprod(0),
    "cumprod dtype=": lambda L: _t(L, [2, 3], "int64").cumprod(0, dtype=L.float64),
    "diff": lambda L: L.diff(_t(L, [[1.0, 4.0, 9.0], [0.0, 1.0, 0.0]])),
    "diff n=2 dim 0, prepend/append": lambda L: _t(L, [[1.0, 4.0], [2.0, 3.0]]).diff(
        2, 0, prepend=_t(L, [[0.0, 0.0]]), append=_t(L, [[5.0, 5.0], [1.0, 1.0]])),
    "diff n=0": lambda L: _t(L, [1.0, 2.0]).diff(0, append=_t(L, [5.0])),
    "diff past the length": lambda L: _t(L, [1.0, 2.0]).diff(3),
    "diff of bools": lambda L: _t(L, [True, False, False], "bool").diff(),
    "diff of ints": lambda L: _t(L, [1, 4, 9], "int64").diff(),
    # nonzero, argwhere, repeat_interleave
    "nonzero": lambda L: _t(L, [[0.0, 1.0, 0.0], [2.0, 0.0, -1.0]]).nonzero(),
    "nonzero as_tuple": lambda L: _t(L, [[0, 1, 0], [2, 0, 3]], "int64").nonzero(
        as_tuple=True),
    "nonzero of 0-d": lambda L: _t(L, 1.0).nonzero(),
    "nonzero of 0-d zero": lambda L: _t(L, 0.0).nonzero(),
    "nonzero of 0-d as_tuple": lambda L: _t(L, 1.0).nonzero(as_tuple=True),
    "nonzero of bools": lambda L: _t(L, [True, False, True], "bool").nonzero(),
    "argwhere": lambda L: L.argwhere(_t(L, [[0.0, 1.0], [1.0, 1.0]])),
    "repeat_interleave int": lambda L: _t(L, [[1, 2], [3, 4]], "int64").repeat_interleave(2),
    "repeat_interleave dim": lambda L: _t(L, [[1.0, 2.0], [3.0, 4.0]]).repeat_interleave(
        L.tensor([1, 2]), dim=0),
    "repeat_interleave counts": lambda L: L.repeat_interleave(L.tensor([2, 0, 3])),
    # scatter: repeated indices only where torch defines the result (scatter_add)
    "scatter src": lambda L: L.zeros(3, 4).scatter(0, L.tensor([[2, 0, 1, 0]]),
                                                   L.ones(2, 4)),
    "scatter value": lambda L: L.zeros(2, 3).scatter(1, L.tensor([[2], [0]]), 7.5),
    "scatter int value into int": lambda L: _t(L, [1, 2], "int64").scatter(
        0, L.tensor([0]), 2.7),
    "scatter_add repeats": lambda L: L.zeros(2, 3).scatter_add(
        1, L.tensor([[0, 0, 2, 0], [1, 1, 1, 1]]), L.arange(8.0).reshape(2, 4)),
    "scatter_add_ in place": lambda L: L.ones(4).scatter_add_(
        0, L.tensor([3, 3, 0]), _t(L, [1.0, 2.0, 3.0])),
    "scatter_ in place": lambda L: L.ones(4, dtype=L.int64).scatter_(
        0, L.tensor([3, 1]), L.tensor([7, 8])),
    "scatter empty index": lambda L: L.ones(2).scatter(0, L.tensor([], dtype=L.int64),
                                                       L.ones(2)),
    # lerp, std_mean, var_mean
    "lerp scalar weight": lambda L: L.lerp(_t(L, [0.0, 1.0]), _t(L, [10.0, -1.0]), 0.75),
    "lerp tensor weight, broadcast": lambda L: _t(L, [[0.0], [1.0]]).lerp(
        _t(L, [2.0, 4.0]), _t(L, [0.0, 0.6])),
    "lerp_": lambda L: _t(L, [0.0, 1.0]).lerp_(_t(L, [1.0, 3.0]), 0.5),
    "std_mean": lambda L: L.std_mean(_t(L, [[1.0, 2.0], [4.0, 8.0]])),
    "std_mean dim, unbiased=False": lambda L: L.std_mean(_t(L, [[1.0, 2.0], [4.0, 8.0]]), 1,
                                                         False),
    "var_mean correction, keepdim": lambda L: L.var_mean(
        _t(L, [[1.0, 2.0, 6.0], [4.0, 8.0, 9.0]]), 1, keepdim=True, correction=0),
    "var_mean keepdim, all dims": lambda L: L.var_mean(_t(L, [[1.0, 2.0]]), keepdim=True),
    # stacks
    "hstack numbers": lambda L: L.hstack([_t(L, 1.0), _t(L, 2.0)]),
    "hstack matrices": lambda L: L.hstack([L.ones(2, 1), L.zeros(2, 2)]),
    "vstack vectors": lambda L: L.vstack([_t(L, [1.0, 2.0]), _t(L, [[3.0, 4.0]])]),
    "vstack numbers": lambda L: L.vstack([_t(L, 1.0), _t(L, 2.0)]),
    "dstack vectors": lambda L: L.dstack([_t(L, [1.0, 2.0]), _t(L, [3.0, 4.0])]),
    "dstack matrices, int with float": lambda L: L.dstack([L.ones(2, 3),
                                                           _t(L, [[1, 2, 3]] * 2, "int64")]),
    "column_stack": lambda L: L.column_stack([_t(L, 1.0), _t(L, [[2.0, 3.0]])]),
    "column_stack vectors": lambda L: L.column_stack([_t(L, [1, 2], "int64"),
                                                      _t(L, [3, 4], "int64")]),
    # bincount, histc
    "bincount": lambda L: _t(L, [0, 2, 2, 5], "int64").bincount(),
    "bincount minlength": lambda L: L.bincount(_t(L, [1, 1], "int32"), minlength=4),
    "bincount of empty": lambda L: _t(L, [], "int64").bincount(),
    "bincount uint8": lambda L: _t(L, [3, 0], "uint8").bincount(),
    "bincount float32 weights": lambda L: _t(L, [0, 2, 2], "int64").bincount(
        _t(L, [0.5, 1.0, 1.25])),
    "bincount float64 weights": lambda L: _t(L, [0, 1], "int64").bincount(
        _t(L, [0.5, 1.0], "float64")),
    "bincount int weights": lambda L: _t(L, [0, 1, 1], "int64").bincount(
        _t(L, [1, 2, 3], "int64")),
    "histc": lambda L: _t(L, [1.0, 2.0, 2.0, 3.0, 4.0]).histc(4),
    "histc with a range": lambda L: L.histc(_t(L, [0.5, 1.0, 2.0, 2.5, 3.0, 3.5]), 4, 1, 3),
    "histc of one value": lambda L: _t(L, [2.0, 2.0]).histc(3),
    "histc float64": lambda L: _t(L, [0.1, 0.2, 0.25, 0.9], "float64").histc(5, 0, 1),
    "histc of empty": lambda L: _t(L, []).histc(3),
}


@pytest.mark.parametrize("name", list(CASES))
def test_like_torch(name: str) -> None:
    """Values, dtypes, shapes and indices as torch's."""
    assert_same(CASES[name](tg), CASES[name](torch))


def test_results_are_named_tuples() -> None:
    """median/kthvalue/mode(dim) return (values, indices) with those names, as max(dim)."""
    x = tg.tensor([[3.0, 1.0, 2.0]])
    for result in (x.median(1), x.kthvalue(2, 1), x.mode(1)):
        assert type(result) is type(x.max(1))
        values, indices = result
        assert result.values is values and result.indices is indices
        assert indices.dtype == tg.int64


def test_kthvalue_ties_random_like_torch() -> None:
    """kthvalue's and median's picks among equal values match torch's on random ties."""
    rng = np.random.default_rng(0)
    for _ in range(200):
        a = rng.integers(0, 3, size=(2, int(rng.integers(1, 10)))).astype(np.float32)
        k = int(rng.integers(1, a.shape[1] + 1))
        assert_same(tg.tensor(a).kthvalue(k), torch.tensor(a).kthvalue(k))
        assert_same(tg.tensor(a).median(1), torch.tensor(a).median(1))


def test_median_of_all_shares_the_gradient_among_ties() -> None:
    """median() sends its gradient evenly to every element equal to it, as torch."""
    values = [3.0, 1.0, 2.0, 2.0, 1.0, 3.0]
    grads = []
    for L in (tg, torch):
        x = L.tensor(values, requires_grad=True)
        x.median().backward()
        grads.append(_np(x.grad))
    np.testing.assert_array_equal(grads[0], grads[1])


def test_cumprod_gradient_with_zeros() -> None:
    """cumprod's gradient is exact where the input has zeros (one, two, leading)."""
    for values in ([2.0, 0.0, 3.0, 4.0], [0.0, 0.0, 2.0], [1.5, -2.0, 0.0], [0.0]):
        seed = np.arange(1.0, len(values) + 1)
        grads = []
        for L in (tg, torch):
            x = L.tensor(values, dtype=L.float64, requires_grad=True)
            x.cumprod(0).backward(L.tensor(seed))
            grads.append(_np(x.grad))
        np.testing.assert_allclose(grads[0], grads[1])


def test_scatter_backward_names_and_src_gradient() -> None:
    """Scatter's grad_fn names, and d/dsrc = grad gathered at the index (0 past it)."""
    x = tg.zeros(2, 3, requires_grad=True)
    src = tg.ones(2, 4, requires_grad=True)
    index = tg.tensor([[0, 1, 2], [2, 1, 0]])
    assert type(x.scatter(1, index, src).grad_fn).__name__ == "ScatterBackward0"
    assert type(x.scatter(1, index, 2.0).grad_fn).__name__ == "ScatterBackward1"
    out = x.scatter_add(1, index, src)
    assert type(out.grad_fn).__name__ == "ScatterAddBackward0"
    out.backward(tg.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(src.grad.numpy(), [[0, 1, 2, 0], [5, 4, 3, 0]])
    np.testing.assert_array_equal(x.grad.numpy(), np.arange(6.0).reshape(2, 3))


def test_nonzero_has_no_grad() -> None:
    """nonzero gives int64 indices, outside the graph."""
    out = tg.tensor([0.0, 2.0], requires_grad=True).nonzero()
    assert out.dtype == tg.int64 and out.grad_fn is None and not out.requires_grad


# ---------------------------------------------------------------------------- errors
ERRORS: dict[str, Callable[[Any], Any]] = {
    "diff of 0-d": lambda L: _t(L, 1.0).diff(),
    "diff negative n": lambda L: _t(L, [1.0]).diff(-1),
    "kthvalue k too large": lambda L: _t(L, [[1.0, 2.0]]).kthvalue(3, 1),
    "kthvalue k = 0": lambda L: _t(L, [1.0, 2.0]).kthvalue(0),
    "median(dim) of empty": lambda L: L.zeros(1, 0).median(1),
    "quantile q > 1": lambda L: _t(L, [1.0]).quantile(1.5),
    "quantile q tensor out of range": lambda L: _t(L, [1.0]).quantile(_t(L, [0.5, -0.1])),
    "quantile of ints": lambda L: _t(L, [1, 2], "int64").quantile(0.5),
    "quantile interpolation": lambda L: _t(L, [1.0]).quantile(0.5, interpolation="cubic"),
    "quantile 2-D q": lambda L: _t(L, [1.0]).quantile(_t(L, [[0.5]])),
    "quantile q dtype": lambda L: _t(L, [1.0]).quantile(_t(L, [0.5], "float64")),
    "quantile of empty": lambda L: _t(L, []).quantile(0.5),
    "repeat_interleave negative int": lambda L: _t(L, [1.0]).repeat_interleave(-1),
    "repeat_interleave negative count": lambda L: _t(L, [1.0, 2.0]).repeat_interleave(
        L.tensor([1, -1])),
    "repeat_interleave sizes": lambda L: _t(L, [[1.0, 2.0]]).repeat_interleave(
        L.tensor([1, 2, 3]), dim=1),
    "scatter dtype of src": lambda L: L.zeros(2).scatter(0, L.tensor([0]),
                                                        L.ones(1, dtype=L.float64)),
    "scatter float index": lambda L: L.zeros(2).scatter(0, L.tensor([0.0]), L.ones(1)),
    "scatter index out of range": lambda L: L.zeros(2, 3).scatter(1, L.tensor([[5]]), 1.0),
    "scatter index ndim": lambda L: L.zeros(2, 3).scatter(1, L.tensor([0]), L.ones(2, 3)),
    "scatter index larger than src": lambda L: L.zeros(2, 3).scatter(
        0, L.tensor([[0, 0, 0, 0]]), L.ones(2, 3)),
    "scatter_add of a number": lambda L: L.zeros(2).scatter_add(0, L.tensor([0]), 2.0),
    "lerp dtypes of end": lambda L: L.lerp(L.zeros(2), L.ones(2, dtype=L.float64), 0.5),
    "lerp dtypes of weight": lambda L: L.lerp(L.zeros(2), L.ones(2),
                                              L.ones(2, dtype=L.float64)),
    "lerp of ints": lambda L: L.lerp(_t(L, [0], "int64"), _t(L, [1], "int64"), 0.5),
    "bincount negative": lambda L: _t(L, [-1], "int64").bincount(),
    "bincount 2-D": lambda L: _t(L, [[1]], "int64").bincount(),
    "bincount floats": lambda L: _t(L, [1.0]).bincount(),
    "bincount minlength": lambda L: _t(L, [1], "int64").bincount(minlength=-1),
    "bincount weights": lambda L: _t(L, [1, 2], "int64").bincount(_t(L, [1.0])),
    "histc of ints": lambda L: _t(L, [1, 2], "int64").histc(),
    "histc bins": lambda L: _t(L, [1.0]).histc(bins=0),
    "histc min > max": lambda L: _t(L, [1.0]).histc(min=3, max=1),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_like_torch(name: str) -> None:
    """The same exception class and message as torch."""
    with pytest.raises(Exception) as theirs:
        ERRORS[name](torch)
    with pytest.raises(type(theirs.value)) as mine:
        ERRORS[name](tg)
    assert str(mine.value) == str(theirs.value)


# ---------------------------------------------------------------------------- printing
@pytest.fixture
def printoptions() -> Iterator[None]:
    """Restore both libraries' print options, whatever a test set."""
    yield
    tg.set_printoptions(profile="default", sci_mode=None)
    torch.set_printoptions(profile="default", sci_mode=None)


PRINTS: list[tuple[dict[str, Any], Any]] = [
    ({"precision": 2}, [1.12345, 2.5]),
    ({"precision": 6}, [1e-5, 2.0]),
    ({"precision": 1}, [NAN, 1.5, float("inf"), 0.0]),
    ({"sci_mode": True}, [1.5, 2.25]),
    ({"sci_mode": True}, [1.0, 2.0]),
    ({"sci_mode": False}, [1e-5, 1.0]),
    ({"sci_mode": False}, [1e9, 2.0]),
    ({"threshold": 5}, list(range(20))),
    ({"threshold": 5, "edgeitems": 2}, np.arange(20.0) / 3),
    ({"threshold": 50, "edgeitems": 1}, np.arange(120.0).reshape(2, 3, 4, 5) - 60),
    ({"threshold": 100}, np.arange(5000.0)),
    ({"linewidth": 40}, np.arange(30.0) / 7),
    ({"linewidth": 20}, np.arange(24).reshape(2, 3, 4) - 5),
    ({"precision": 3}, np.arange(2000.0).reshape(40, 50) / 7),
    ({"profile": "short"}, np.arange(10.0) / 3),
    ({"profile": "full"}, np.arange(1500.0)),
    ({"threshold": 5}, [True, False] * 10),
    ({"precision": 2}, 3.14159),
]


@pytest.mark.parametrize("options, values", PRINTS)
def test_set_printoptions_like_torch(printoptions: None, options: dict[str, Any],
                                     values: Any) -> None:
    """repr under the same print options reads as torch's (library prefix aside), with
    the dtype and requires_grad suffixes placed as torch places them."""
    texts = []
    for L in (tg, torch):
        L.set_printoptions(**options)
        t = L.tensor(values)
        more = L.tensor(values, dtype=L.float64, requires_grad=True) \
            if t.dtype.is_floating_point else t
        texts.append([repr(t).replace(f"{L.__name__}.", ""),
                      repr(more).replace(f"{L.__name__}.", "")])
    assert texts[0] == texts[1]


def test_set_printoptions_round_trip(printoptions: None) -> None:
    """Options persist until changed; profile="default" brings the plain repr back;
    sci_mode is reset by every call (as torch's)."""
    x = tg.tensor([1.12345, 2.5])
    plain = repr(x)
    tg.set_printoptions(precision=2)
    assert repr(x) == "tensor([1.12, 2.50])"
    assert repr(tg.tensor([1.0, 3.0])) == "tensor([1., 3.])"
    tg.set_printoptions(sci_mode=True)  # precision 2 stays
    assert repr(x) == "tensor([1.12e+00, 2.50e+00])"
    tg.set_printoptions(threshold=10)  # and sci_mode goes back to automatic
    assert repr(x) == "tensor([1.12, 2.50])"
    tg.set_printoptions(profile="default")
    assert repr(x) == plain == "tensor([1.1235, 2.5000])"


def test_warning_free() -> None:
    """The new functions warn about nothing on ordinary input."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = tg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
        (x.cumprod(1).sum() + x.median() + x.quantile(0.5) + x.diff().sum()).backward()


def test_lerp_rounds_like_torch() -> None:
    """lerp from the nearer end, as torch's kernel: bit-for-bit the same float32 values."""
    start, end = [34.55842, 82.16181, 33.043705], [0.19483957, 0.838718, -0.02764928]
    for weight in (0.9, 0.1):
        mine = tg.lerp(_t(tg, start), _t(tg, end), weight).numpy()
        theirs = torch.lerp(_t(torch, start), _t(torch, end), weight).numpy()
        np.testing.assert_array_equal(mine, theirs)


@pytest.mark.parametrize("values", [[0.0, 0.0, 2.0, 3.0], [2.0, 0.0, 3.0, 0.0, 1.5],
                                    [0.0, 1.0, 2.0]])
def test_cumprod_double_backward_with_zeros(values: list[float]) -> None:
    """Under create_graph=True, cumprod's gradient with zeros has the values of the plain
    backward and torch's second derivatives."""
    n = len(values)
    seed, v = np.arange(1.0, n + 1), np.linspace(-1.0, 2.0, n)
    results = []
    for L in (tg, torch):
        x = L.tensor(values, dtype=L.float64, requires_grad=True)
        (g,) = L.autograd.grad(x.cumprod(0), x, L.tensor(seed), create_graph=True)
        (gg,) = L.autograd.grad(g, x, L.tensor(v))
        results.append((_np(g), _np(gg)))
    np.testing.assert_allclose(results[0][0], results[1][0])
    np.testing.assert_allclose(results[0][1], results[1][1])
