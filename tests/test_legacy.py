"""PyTorch's legacy tensor types (``FloatTensor`` and friends), as old tutorials use them."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg

NAMES = ("FloatTensor", "DoubleTensor", "LongTensor", "IntTensor", "BoolTensor", "ByteTensor",
         "ShortTensor", "CharTensor", "HalfTensor")


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _dtype_name(t):
    return str(t.dtype).rsplit(".", 1)[-1]


@pytest.mark.parametrize("name", NAMES)
def test_legacy_constructors_like_torch(torch, name):
    for data in ([1, 0, 2], [[1.5, 2.0]], np.array([0.25, 3.0])):
        mine, theirs = getattr(tg, name)(data), getattr(torch, name)(data)
        assert mine.tolist() == theirs.tolist() and _dtype_name(mine) == _dtype_name(theirs)
    mine, theirs = getattr(tg, name)(2, 3), getattr(torch, name)(2, 3)  # sizes
    assert mine.shape == tuple(theirs.shape) and _dtype_name(mine) == _dtype_name(theirs)
    assert getattr(tg, name)().shape == (0,)


def test_legacy_types_in_isinstance_and_type_like_torch(torch):
    for m in (tg, torch):
        x = m.tensor([1, 2])
        assert isinstance(x, m.LongTensor) and not isinstance(x, m.FloatTensor)
        assert isinstance(x, m.Tensor)
        y = x.type(m.FloatTensor)
        assert isinstance(y, m.FloatTensor) and y.tolist() == [1.0, 2.0]
        assert x.type() == "torch.LongTensor" and y.type() == "torch.FloatTensor"
        assert x.to(m.DoubleTensor.dtype).type() == "torch.DoubleTensor"
