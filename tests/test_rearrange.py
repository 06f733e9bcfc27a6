"""roll, rot90, fliplr, flipud, narrow, tensor_split, split_with_sizes, unfold and
view(dtype) against PyTorch: values, dtypes, grad_fn names, errors, and which results are
views (``_base``, writes through them). Their gradients are checked by the OPS table of
test_ops.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg

torch = pytest.importorskip("torch")


def _np(x: Any) -> np.ndarray:
    return x.detach().numpy() if hasattr(x, "detach") else np.asarray(x)


def assert_same(mine: Any, theirs: Any) -> None:
    """Same structure, shapes, dtypes, values and grad_fn names as torch's result."""
    if isinstance(theirs, (tuple, list)):
        assert isinstance(mine, tuple) and len(mine) == len(theirs)
        for m, t in zip(mine, theirs):
            assert_same(m, t)
        return
    assert tuple(mine.shape) == tuple(theirs.shape)
    assert str(mine.dtype).rsplit(".", 1)[-1] == str(theirs.dtype).rsplit(".", 1)[-1]
    np.testing.assert_array_equal(_np(mine), _np(theirs))
    theirs_name = None if theirs.grad_fn is None else theirs.grad_fn.name()
    assert (None if mine.grad_fn is None else mine.grad_fn.name()) == theirs_name


def _x(L: Any, *shape: int, grad: bool = False) -> Any:
    """arange(n) in ``shape`` (float32), a tensor of its own (not a view)."""
    shape = shape or (3, 4)
    x = L.zeros(shape).add_(L.arange(float(np.prod(shape))).reshape(shape))
    return x.requires_grad_() if grad else x


CASES: dict[str, Callable[[Any], Any]] = {
    "roll flattened": lambda L: _x(L, grad=True).roll(5),
    "roll two dims": lambda L: L.roll(_x(L), (1, -7), (0, 1)),
    "roll a dim twice": lambda L: _x(L).roll([1, 2], [1, 1]),
    "roll by a 0-d tensor": lambda L: _x(L).roll(L.tensor(1), 0),
    "roll 0-d": lambda L: L.tensor(3.0).roll(1),
    "roll empty": lambda L: L.zeros(0, 3).roll(1, 0),
    "roll ints": lambda L: L.arange(6).roll(-2),
    "rot90": lambda L: _x(L, grad=True).rot90(),
    "rot90 k=2": lambda L: L.rot90(_x(L), 2),
    "rot90 k=-1": lambda L: _x(L).rot90(-1),
    "rot90 k=7, dims (1, 0)": lambda L: _x(L, 2, 3, 4).rot90(7, [2, 0]),
    "rot90 k=0": lambda L: _x(L, grad=True).rot90(0),
    "rot90 then view": lambda L: _x(L).rot90(2).view(-1),
    "fliplr": lambda L: L.fliplr(_x(L, grad=True)),
    "flipud": lambda L: _x(L, 2, 3, 2).flipud(),
    "narrow": lambda L: _x(L, grad=True).narrow(1, 1, 2),
    "narrow negative start": lambda L: L.narrow(_x(L), 0, -3, 1),
    "narrow at the end": lambda L: _x(L).narrow(0, 3, 0),
    "narrow 0-d tensor start": lambda L: _x(L).narrow(0, L.tensor(1), 2),
    "tensor_split sections": lambda L: _x(L, grad=True).tensor_split(3, 1),
    "tensor_split more sections than elements": lambda L: _x(L).tensor_split(5, 1),
    "tensor_split indices": lambda L: _x(L).tensor_split([3, 1, 10], 1),
    "tensor_split negative index": lambda L: L.tensor_split(_x(L), (-1,), 1),
    "tensor_split no index": lambda L: _x(L).tensor_split([], 1),
    "tensor_split 0-d tensor": lambda L: _x(L).tensor_split(L.tensor(2), 1),
    "tensor_split 1-D tensor": lambda L: _x(L).tensor_split(L.tensor([1, 2]), -1),
    "tensor_split sections=": lambda L: _x(L).tensor_split(sections=2),
    "tensor_split indices=": lambda L: _x(L).tensor_split(indices=[1]),
    "split_with_sizes": lambda L: _x(L, grad=True).split_with_sizes([1, 3], 1),
    "split_with_sizes function": lambda L: L.split_with_sizes(_x(L), [1, 2]),
    "unfold": lambda L: _x(L, grad=True).unfold(1, 2, 1),
    "unfold step 2": lambda L: _x(L, 5, 2).unfold(0, 2, 2),
    "unfold step past size": lambda L: _x(L, 7).unfold(0, 2, 3),
    "unfold size 0": lambda L: _x(L).unfold(1, 0, 1),
    "unfold 0-d": lambda L: L.tensor(2.0).unfold(0, 1, 1),
    "unfold keywords": lambda L: _x(L).unfold(dimension=-1, size=3, step=1),
    "unfold of a transpose": lambda L: _x(L).t().unfold(1, 2, 1),
    "view int32": lambda L: L.tensor([1.0, -2.5]).view(L.int32),
    "view float16": lambda L: L.tensor([[1.0, -2.5]]).view(L.float16),
    "view float64": lambda L: L.tensor([[1.0, -2.5, 3.0, 0.5]]).view(L.float64),
    "view uint8": lambda L: L.tensor([1.0]).view(L.uint8),
    "view bool as uint8": lambda L: L.tensor([True, False]).view(L.uint8),
    "view of a grad tensor": lambda L: _x(L, grad=True).view(L.float32),
    "view dtype=": lambda L: _x(L).view(dtype=L.int16),
    "view of a transpose, same size": lambda L: _x(L).t().view(L.int32),
    "view of an empty": lambda L: L.zeros(3, 0).view(L.int16),
}


@pytest.mark.parametrize("name", list(CASES))
def test_like_torch(name: str) -> None:
    """The values, dtypes, shapes and grad_fn names torch gives."""
    assert_same(CASES[name](tg), CASES[name](torch))


ERRORS: dict[str, Callable[[Any], Any]] = {
    "roll shifts without dims": lambda L: _x(L).roll((1, 2)),
    "roll shifts and dims differ": lambda L: _x(L).roll((1, 2), (0, 1, 1)),
    "roll dim out of range": lambda L: _x(L).roll(1, 2),
    "roll a 0-d along a dim": lambda L: L.tensor(3.0).roll(1, 0),
    "roll float shift": lambda L: _x(L).roll(1.5, 0),
    "roll no shifts": lambda L: _x(L).roll((), ()),
    "rot90 of a vector": lambda L: L.arange(3.0).rot90(),
    "rot90 same dims": lambda L: _x(L).rot90(1, (1, -1)),
    "rot90 three dims": lambda L: _x(L).rot90(1, (0, 1, 1)),
    "rot90 dim out of range": lambda L: _x(L).rot90(1, (0, 2)),
    "rot90 float k": lambda L: _x(L).rot90(1.0),
    "fliplr of a vector": lambda L: L.arange(3.0).fliplr(),
    "flipud of a 0-d": lambda L: L.tensor(1.0).flipud(),
    "narrow negative length": lambda L: _x(L).narrow(0, 0, -1),
    "narrow start out of range": lambda L: _x(L).narrow(0, 4, 0),
    "narrow past the end": lambda L: _x(L).narrow(0, 2, 2),
    "narrow float start": lambda L: _x(L).narrow(0, 1.0, 2),
    "narrow float dim": lambda L: _x(L).narrow(0.0, 1, 2),
    "narrow float length, tensor start": lambda L: _x(L).narrow(0, L.tensor(1), 2.0),
    "narrow float tensor start": lambda L: _x(L).narrow(0, L.tensor(1.0), 2),
    "narrow 1-D tensor start": lambda L: _x(L).narrow(0, L.tensor([1]), 2),
    "narrow 0-d": lambda L: L.tensor(1.0).narrow(0, 0, 1),
    "tensor_split 0 sections": lambda L: _x(L).tensor_split(0),
    "tensor_split float tensor": lambda L: _x(L).tensor_split(L.tensor([1.0, 2.0]), 1),
    "tensor_split 2-D tensor": lambda L: _x(L).tensor_split(L.tensor([[1, 2]]), 1),
    "tensor_split 0-d input": lambda L: L.tensor(1.0).tensor_split(2),
    "tensor_split dim out of range": lambda L: _x(L).tensor_split(2, 2),
    "split_with_sizes negative": lambda L: _x(L).split_with_sizes([4, -1]),
    "split_with_sizes int": lambda L: _x(L).split_with_sizes(3),
    "split_with_sizes 0-d": lambda L: L.tensor(1.0).split_with_sizes([1]),
    "unfold size too large": lambda L: _x(L).unfold(1, 5, 1),
    "unfold step 0": lambda L: _x(L).unfold(1, 2, 0),
    "unfold negative size": lambda L: _x(L).unfold(1, -1, 1),
    "unfold dim out of range": lambda L: _x(L).unfold(2, 1, 1),
    "unfold 0-d size 2": lambda L: L.tensor(1.0).unfold(0, 2, 1),
    "unfold float size": lambda L: _x(L).unfold(1, 2.0, 1),
    "view 0-d as a smaller dtype": lambda L: L.tensor(1.0).view(L.int16),
    "view 0-d as a larger dtype": lambda L: L.tensor(1.0).view(L.int64),
    "view odd last dim as larger": lambda L: L.zeros(3, dtype=L.int8).view(L.int16),
    "view strided last dim as smaller": lambda L: _x(L).t().view(L.int16),
    "view strided last dim as larger": lambda L: L.zeros(4, 4).t().view(L.int64),
    "view offset as larger": lambda L: L.zeros(4, 4)[:, 1:3].view(L.int64),
    "view odd stride as larger": lambda L: L.zeros(3, 0).view(L.int64),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_like_torch(name: str) -> None:
    """The same exception class and message as torch."""
    with pytest.raises(Exception) as theirs:
        ERRORS[name](torch)
    with pytest.raises(type(theirs.value)) as mine:
        ERRORS[name](tg)
    assert str(mine.value) == str(theirs.value)


# ---------------------------------------------------------------------------- views
VIEWS: dict[str, Callable[[Any, Any], Any]] = {
    "narrow": lambda L, x: x.narrow(1, 1, 2),
    "tensor_split": lambda L, x: x.tensor_split(2, 1)[1],
    "split_with_sizes": lambda L, x: x.split_with_sizes([1, 2])[0],
    "unfold": lambda L, x: x.unfold(1, 2, 2),
    "roll": lambda L, x: x.roll(1),
    "rot90": lambda L, x: x.rot90(),
    "fliplr": lambda L, x: x.fliplr(),
    "flipud": lambda L, x: x.flipud(),
    "view(dtype)": lambda L, x: x.view(L.int32),
}


@pytest.mark.parametrize("name", list(VIEWS))
def test_which_results_are_views_like_torch(name: str) -> None:
    """``_base`` is the input exactly where torch's is (a view), else None."""
    x, y = _x(tg), _x(torch)
    mine, theirs = VIEWS[name](tg, x), VIEWS[name](torch, y)
    assert (mine._base is x) == (theirs._base is y)
    assert (mine._base is None) == (theirs._base is None)


WRITES: dict[str, Callable[[Any, Any], Any]] = {
    "narrow": lambda L, z: z.narrow(0, 1, 1).mul_(2),
    "tensor_split": lambda L, z: z.tensor_split(2)[0].mul_(2),
    "unfold, windows apart": lambda L, z: z.unfold(1, 2, 2).mul_(2),
    "unfold, one column of windows": lambda L, z: z.unfold(1, 2, 1)[:, :, 0].add_(3),
    "tensor_split then fill": lambda L, z: z.tensor_split([1, 3], 1)[1].fill_(-1),
}


@pytest.mark.parametrize("name", list(WRITES))
def test_writes_through_views_like_torch(name: str) -> None:
    """An in-place write into the view changes its base, whose history becomes torch's
    CopySlices; the gradients through the base are torch's."""
    results = []
    for L in (tg, torch):
        x = _x(L, grad=True)
        z = x * 1
        WRITES[name](L, z)
        (z * z).sum().backward()
        results.append((z, x.grad))
    (mine, mine_grad), (theirs, theirs_grad) = results
    assert_same(mine, theirs)
    np.testing.assert_array_equal(_np(mine_grad), _np(theirs_grad))


def test_split_with_sizes_outputs_may_not_be_written_in_place() -> None:
    """Several views from one node: torch refuses an in-place write with grad mode on."""
    messages = []
    for L in (tg, torch):
        z = _x(L, grad=True) * 1
        with pytest.raises(RuntimeError) as error:
            z.split_with_sizes([1, 2])[0].mul_(2)
        messages.append(str(error.value))
    assert messages[0] == messages[1]


def test_view_dtype_shares_memory() -> None:
    """``view(dtype)`` reads the same bytes: writing into it writes into the input."""
    x = tg.zeros(2)
    v = x.view(tg.int32)
    v[0] = 1065353216  # the bits of 1.0f
    assert x.tolist() == [1.0, 0.0]
    assert not v.requires_grad and v.grad_fn is None


def test_unfold_gradient_counts_every_window() -> None:
    """Overlapping windows: each element's gradient is the number of windows it is in."""
    x = tg.arange(5.0, requires_grad=True)
    x.unfold(0, 3, 1).sum().backward()
    assert x.grad.tolist() == [1.0, 2.0, 3.0, 2.0, 1.0]
