"""Constructors make what PyTorch makes (dtype, shape, values), numpy memory is shared
where PyTorch shares it, and ``repr`` prints what PyTorch prints.

Each case is written once against a library ``L`` (``tinygrad_edu`` or ``torch``) and run
on both; the parity tests are skipped only when torch cannot be imported.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import strategies as S
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu.parity import torch_sum as _torch_sum


@pytest.fixture(scope="module")
def torch() -> Any:
    return pytest.importorskip("torch")


def _dtype_name(dtype: Any) -> str:
    return str(dtype).rsplit(".", 1)[-1]


def assert_like_torch(mine: Any, theirs: Any, what: str) -> None:
    assert type(mine) is tg.Tensor, f"{what}: got a {type(mine).__name__}, not a Tensor"
    assert tuple(mine.shape) == tuple(theirs.shape), \
        f"{what}: shape {tuple(mine.shape)} != torch's {tuple(theirs.shape)}"
    assert _dtype_name(mine.dtype) == _dtype_name(theirs.dtype), \
        f"{what}: dtype {mine.dtype} != torch's {theirs.dtype}"
    assert mine.requires_grad == theirs.requires_grad, f"{what}: requires_grad differs"
    np.testing.assert_allclose(mine.detach().numpy(), theirs.detach().numpy(), rtol=1e-6,
                               atol=1e-7, err_msg=what)


# ---------------------------------------------------------------------------- constructors
CONSTRUCTORS: dict[str, Callable[[Any], Any]] = {
    "tensor(python float)": lambda L: L.tensor(1.5),
    "tensor(python int)": lambda L: L.tensor(3),
    "tensor(python bool)": lambda L: L.tensor(True),
    "tensor(list of floats)": lambda L: L.tensor([1.0, 2.5]),
    "tensor(list of ints)": lambda L: L.tensor([1, 2, 3]),
    "tensor(list of bools)": lambda L: L.tensor([True, False]),
    "tensor(ints and floats)": lambda L: L.tensor([1, 2.5]),
    "tensor(bools and ints)": lambda L: L.tensor([True, 2]),
    "tensor(nested lists)": lambda L: L.tensor([[1.0, 2.0], [3.0, 4.0]]),
    "tensor(tuple)": lambda L: L.tensor((1, 2)),
    "tensor(empty list)": lambda L: L.tensor([]),
    "tensor(nested empty)": lambda L: L.tensor([[], []]),
    "tensor(float64 array)": lambda L: L.tensor(np.array([1.0, 2.0])),
    "tensor(float32 array)": lambda L: L.tensor(np.array([1.0, 2.0], dtype=np.float32)),
    "tensor(int32 array)": lambda L: L.tensor(np.array([1, 2], dtype=np.int32)),
    "tensor(int64 array)": lambda L: L.tensor(np.array([1, 2])),
    "tensor(bool array)": lambda L: L.tensor(np.array([True, False])),
    "tensor(uint8 array)": lambda L: L.tensor(np.array([1, 200], dtype=np.uint8)),
    "tensor(0-d float64 array)": lambda L: L.tensor(np.array(2.5)),
    "tensor(numpy float64 scalar)": lambda L: L.tensor(np.float64(2.5)),
    "tensor(numpy int64 scalar)": lambda L: L.tensor(np.int64(2)),
    "tensor(list of numpy float64)": lambda L: L.tensor([np.float64(1.5), np.float64(2.5)]),
    "tensor(python and numpy floats)": lambda L: L.tensor([1.5, np.float64(2.5)]),
    "tensor(numpy float32 and float)": lambda L: L.tensor([np.float32(1.5), 2.5]),
    "tensor(list of float64 arrays)": lambda L: L.tensor([np.ones(2), np.zeros(2)]),
    "tensor(list of float32 arrays)": lambda L: L.tensor([np.ones(2, np.float32)]),
    "tensor(dtype=float64)": lambda L: L.tensor([1, 2], dtype=L.float64),
    "tensor(dtype=int64) of floats": lambda L: L.tensor([1.7, -2.7], dtype=L.int64),
    "tensor(dtype=bool)": lambda L: L.tensor([0, 2], dtype=L.bool),
    "tensor(requires_grad)": lambda L: L.tensor([1.0, 2.0], requires_grad=True),
    "tensor(float64, requires_grad)": lambda L: L.tensor(np.ones(2), requires_grad=True),
    "Tensor(list of ints)": lambda L: L.Tensor([1, 2]),
    "Tensor(float64 array)": lambda L: L.Tensor(np.array([1.5, 2.0])),
    "zeros(2, 3)": lambda L: L.zeros(2, 3),
    "zeros((2, 3))": lambda L: L.zeros((2, 3)),
    "zeros([2])": lambda L: L.zeros([2]),
    "zeros()": lambda L: L.zeros(()),
    "zeros(0, 2)": lambda L: L.zeros(0, 2),
    "zeros(dtype=int64)": lambda L: L.zeros(2, dtype=L.int64),
    "zeros(requires_grad)": lambda L: L.zeros(2, requires_grad=True),
    "ones(3)": lambda L: L.ones(3),
    "ones(dtype=bool)": lambda L: L.ones(2, 2, dtype=L.bool),
    "ones(dtype=float64)": lambda L: L.ones(2, dtype=L.float64),
    "full(float)": lambda L: L.full((2, 2), 1.5),
    "full(int)": lambda L: L.full((2,), 7),
    "full(bool)": lambda L: L.full((2,), True),
    "full(int, dtype=float32)": lambda L: L.full((2,), 7, dtype=L.float32),
    "full(int size)": lambda L: L.full([3], -1.0),
    "arange(5)": lambda L: L.arange(5),
    "arange(1, 4)": lambda L: L.arange(1, 4),
    "arange(10, 0, -3)": lambda L: L.arange(10, 0, -3),
    "arange(5.0)": lambda L: L.arange(5.0),
    "arange(0, 1, 0.1)": lambda L: L.arange(0, 1, 0.1),
    "arange(1, 4, 0.5)": lambda L: L.arange(1, 4, 0.5),
    "arange(-1.5, 1.5, 0.7)": lambda L: L.arange(-1.5, 1.5, 0.7),
    "arange(3, dtype=float64)": lambda L: L.arange(3, dtype=L.float64),
    "arange(0.5, 3, dtype=int64)": lambda L: L.arange(0.5, 3, dtype=L.int64),
    "arange(0)": lambda L: L.arange(0),
    "linspace(0, 1, 5)": lambda L: L.linspace(0, 1, 5),
    "linspace(-1, 1, 1)": lambda L: L.linspace(-1, 1, 1),
    "linspace(0, 10, 0)": lambda L: L.linspace(0, 10, 0),
    "linspace(2, -3, 7)": lambda L: L.linspace(2, -3, 7),
    "linspace(0, 1, 4, dtype=float64)": lambda L: L.linspace(0, 1, 4, dtype=L.float64),
    "linspace(0, 10, 5, dtype=int64)": lambda L: L.linspace(0, 10, 5, dtype=L.int64),
    "eye(3)": lambda L: L.eye(3),
    "eye(2, 3)": lambda L: L.eye(2, 3),
    "eye(3, 2)": lambda L: L.eye(3, 2),
    "eye(2, dtype=int64)": lambda L: L.eye(2, dtype=L.int64),
    "eye(0)": lambda L: L.eye(0),
    "zeros_like(int)": lambda L: L.zeros_like(L.tensor([1, 2])),
    "zeros_like(float64)": lambda L: L.zeros_like(L.ones(2, 3, dtype=L.float64)),
    "zeros_like(dtype=)": lambda L: L.zeros_like(L.tensor([1, 2]), dtype=L.float32),
    "ones_like(bool)": lambda L: L.ones_like(L.tensor([True, False])),
    "ones_like(float32)": lambda L: L.ones_like(L.zeros(2, 1)),
    "ones_like(requires_grad)": lambda L: L.ones_like(L.zeros(2), requires_grad=True),
    "full_like(float into int)": lambda L: L.full_like(L.tensor([1, 2]), 2.7),
    "full_like(float32)": lambda L: L.full_like(L.zeros(3), 2.5),
    "full_like(dtype=float64)": lambda L: L.full_like(L.tensor([1, 2]), 2.5, dtype=L.float64),
    "empty(2, 3).shape": lambda L: L.empty(2, 3).zero_(),
    "empty_like(int)": lambda L: L.empty_like(L.tensor([1, 2])).zero_(),
    "as_tensor(list)": lambda L: L.as_tensor([1, 2]),
    "as_tensor(float64 array)": lambda L: L.as_tensor(np.array([1.0, 2.0])),
    "as_tensor(array, dtype=float32)": lambda L: L.as_tensor(np.array([1.0, 2.0]),
                                                             dtype=L.float32),
    "from_numpy(float64)": lambda L: L.from_numpy(np.array([1.0, 2.0])),
    "from_numpy(int32)": lambda L: L.from_numpy(np.array([[1, 2]], dtype=np.int32)),
    "from_numpy(bool)": lambda L: L.from_numpy(np.array([True])),
    "from_numpy(0-d)": lambda L: L.from_numpy(np.array(3.0)),
    "from_numpy(non-contiguous)": lambda L: L.from_numpy(np.arange(6.0).reshape(2, 3).T),
}


@pytest.mark.parametrize("name", list(CONSTRUCTORS))
def test_constructor_like_torch(torch: Any, name: str) -> None:
    """Same dtype (float32 for Python floats, int64 for ints, numpy's own dtype kept),
    shape, values and requires_grad as PyTorch."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mine, theirs = CONSTRUCTORS[name](tg), CONSTRUCTORS[name](torch)
    assert_like_torch(mine, theirs, name)


_RANGE_DTYPES = ["float32", "float64", "float16", "int64", "int32"]


@given(start=S.floats(-50, 50), end=S.floats(-50, 50), steps=st.integers(0, 3000),
       base=st.sampled_from([10.0, 2.0, math.e]), dtype=st.sampled_from(_RANGE_DTYPES))
def test_linspace_and_logspace_bit_for_bit_like_torch(torch: Any, start: float, end: float,
                                                      steps: int, base: float,
                                                      dtype: str) -> None:
    """Regression: numpy's linspace rounds otherwise than PyTorch's kernel (a fused
    multiply-add, the second half counted from ``end``): last-bit differences."""
    mine = tg.linspace(start, end, steps, dtype=getattr(tg, dtype)).numpy()
    theirs = torch.linspace(start, end, steps, dtype=getattr(torch, dtype)).numpy()
    assert mine.dtype == theirs.dtype and np.array_equal(mine, theirs)
    if dtype.startswith("float"):
        lo, hi = start / 20, end / 20  # (exponents that stay finite)
        mine = tg.logspace(lo, hi, steps % 200, base=base, dtype=getattr(tg, dtype)).numpy()
        theirs = torch.logspace(lo, hi, steps % 200, base=base,
                                dtype=getattr(torch, dtype)).numpy()
        assert np.array_equal(mine, theirs)


@given(start=S.floats(-50, 50), length=S.floats(0, 80),
       step=st.sampled_from([0.1, 0.05, 0.3, 1.7, 0.013, 0.001, -0.1, -0.7]),
       dtype=st.sampled_from(_RANGE_DTYPES[:3]))
def test_arange_bit_for_bit_like_torch(torch: Any, start: float, length: float, step: float,
                                       dtype: str) -> None:
    """Regression: PyTorch's arange writes vectors of 32 bytes from a fused base; numpy's
    ``start + i * step`` rounds otherwise in the last bit."""
    end = start + length * (1 if step > 0 else -1)
    before = _torch_sum.get_num_threads()  # (long ranges are cut between torch's threads)
    _torch_sum.set_num_threads(torch.get_num_threads())
    try:
        mine = tg.arange(start, end, step, dtype=getattr(tg, dtype)).numpy()
    finally:
        _torch_sum.set_num_threads(before)
    theirs = torch.arange(start, end, step, dtype=getattr(torch, dtype)).numpy()
    assert mine.shape == theirs.shape and np.array_equal(mine, theirs)


@pytest.mark.parametrize("args", [(3, 1), (0, 5, -1), (1.0, 0.0, 0.5)])
def test_arange_with_the_wrong_step_sign_raises(torch: Any, args: tuple[Any, ...]) -> None:
    with pytest.raises(RuntimeError):
        torch.arange(*args)
    with pytest.raises(RuntimeError, match="inconsistent with step sign"):
        tg.arange(*args)


def test_default_dtypes_without_torch() -> None:
    """The dtype rules hold even where torch is not installed."""
    assert tg.tensor(1.5).dtype is tg.float32
    assert tg.tensor([1, 2]).dtype is tg.int64
    assert tg.tensor([True]).dtype is tg.bool
    assert tg.tensor(np.zeros(2)).dtype is tg.float64
    assert tg.arange(3).dtype is tg.int64 and tg.arange(3.0).dtype is tg.float32
    assert tg.full((1,), 2).dtype is tg.int64 and tg.full((1,), 2.0).dtype is tg.float32
    assert tg.zeros(2, 3).shape == (2, 3) and tg.ones((4,)).shape == (4,)
    assert tg.eye(2, 3).tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]


# ---------------------------------------------------------------------------- memory
def test_from_numpy_shares_memory() -> None:
    """Writes through either side are seen by the other, as with torch.from_numpy."""
    a = np.zeros(3)
    t = tg.from_numpy(a)
    a[0] = 5.0
    assert t[0].item() == 5.0
    t[1] = 7.0
    assert a[1] == 7.0
    t.add_(1.0)
    assert a.tolist() == [6.0, 8.0, 1.0]
    assert np.shares_memory(t.numpy(), a)


def test_numpy_shares_memory_with_tensor() -> None:
    """``t.numpy()`` is the tensor's storage, not a copy (as in torch)."""
    t = tg.zeros(2)
    n = t.numpy()
    n[0] = 3.0
    assert t.tolist() == [3.0, 0.0]


def test_as_tensor_shares_memory_only_without_conversion() -> None:
    a = np.ones(2)
    shared = tg.as_tensor(a)
    converted = tg.as_tensor(a, dtype=tg.float32)
    a[0] = 9.0
    assert shared[0].item() == 9.0
    assert converted[0].item() == 1.0
    t = tg.tensor([1.0, 2.0])
    assert tg.as_tensor(t) is t


def test_tensor_copies() -> None:
    """``tg.tensor(array)`` copies: later writes to the array are not seen."""
    a = np.ones(2)
    t = tg.tensor(a)
    a[0] = 9.0
    assert t.tolist() == [1.0, 1.0]


def test_from_numpy_rejects_unsupported_dtypes() -> None:
    with pytest.raises(TypeError):
        tg.from_numpy(np.array(["a"]))
    with pytest.raises(TypeError):
        tg.from_numpy([1.0, 2.0])  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- repr
REPRS: dict[str, Callable[[Any], Any]] = {
    "float vector": lambda L: L.tensor([1.0, 2.0, 3.0]),
    "decimals": lambda L: L.tensor([1.5, -2.25, 3.125]),
    "0-d float": lambda L: L.tensor(3.5),
    "0-d int": lambda L: L.tensor(3),
    "0-d bool": lambda L: L.tensor(False),
    "ints": lambda L: L.tensor([1, -20, 300]),
    "bools": lambda L: L.tensor([True, False]),
    "all True": lambda L: L.tensor([True, True]),
    "matrix": lambda L: L.tensor([[1.0, 2.5], [-3.0, 4.0]]),
    "3-d": lambda L: L.arange(12).reshape(2, 3, 2),
    "3-d float": lambda L: L.arange(8.0).reshape(2, 2, 2) / 3,
    "small and large": lambda L: L.tensor([1e-5, 1.0, 1e5]),
    "large": lambda L: L.tensor([1e10, 2.0]),
    "tiny": lambda L: L.tensor([1e-6, 2e-6]),
    "negative zero": lambda L: L.tensor([-0.0, 1.0]),
    "nan and inf": lambda L: L.tensor([float("nan"), float("inf"), -float("inf"), 1.5]),
    "only nan": lambda L: L.tensor([float("nan")]),
    "float64": lambda L: L.tensor([1.0, 2.0], dtype=L.float64),
    "float64 0-d": lambda L: L.tensor(2.5, dtype=L.float64),
    "int32": lambda L: L.tensor([1, 2], dtype=L.int32),
    "uint8": lambda L: L.tensor([1, 2], dtype=L.uint8),
    "empty float": lambda L: L.tensor([]),
    "empty int": lambda L: L.zeros(0, dtype=L.int64),
    "empty 2-d": lambda L: L.zeros(0, 3),
    "empty float64": lambda L: L.zeros(0, dtype=L.float64),
    "requires_grad": lambda L: L.tensor([1.0, 2.0], requires_grad=True),
    "float64 requires_grad": lambda L: L.ones(2, dtype=L.float64, requires_grad=True),
    "grad_fn": lambda L: L.tensor([1.0, 2.0], requires_grad=True) * 2,
    "grad_fn sum": lambda L: L.tensor([1.0, 2.0], requires_grad=True).sum(),
    "grad_fn float64": lambda L: L.ones(2, dtype=L.float64, requires_grad=True).exp(),
    "long vector (summarized)": lambda L: L.arange(2000),
    "long float vector": lambda L: L.arange(1500) / 7,
    "big matrix (summarized)": lambda L: L.ones(40, 40),
    "wide row (wrapped)": lambda L: L.arange(30) * 1000,
    "wide float row (wrapped)": lambda L: L.arange(20.0) / 3,
    "column": lambda L: L.arange(4.0).reshape(4, 1),
}


@pytest.mark.parametrize("name", list(REPRS))
def test_repr_like_torch(torch: Any, name: str) -> None:
    """``repr`` is PyTorch's, with "tinygrad_edu." in place of "torch." in dtype names."""
    mine, theirs = REPRS[name](tg), REPRS[name](torch)
    expected = repr(theirs).replace("torch.", "tinygrad_edu.")
    assert repr(mine) == expected


def test_repr_without_torch() -> None:
    assert repr(tg.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(tg.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(tg.tensor(np.array([0.5]))) == "tensor([0.5000], dtype=tinygrad_edu.float64)"
    x = tg.tensor([1.0], requires_grad=True)
    assert repr(x) == "tensor([1.], requires_grad=True)"
    assert repr(x * 2) == "tensor([2.], grad_fn=<MulBackward0>)"


def test_dtype_and_size_reprs(torch: Any) -> None:
    for name in ("float32", "float64", "int64", "int32", "bool", "uint8", "float16"):
        assert repr(getattr(tg, name)) == repr(getattr(torch, name)).replace("torch.",
                                                                              "tinygrad_edu.")
    assert repr(tg.zeros(2, 3).shape) == repr(torch.zeros(2, 3).shape).replace(
        "torch.", "tinygrad_edu.")


def test_printing_a_long_tensor_formats_only_what_is_shown() -> None:
    """A summarized print shows 3 numbers at each end, but every element of a long 1-d
    tensor (or row) was formatted first: ``print(tg.zeros(2**22))`` took seconds."""
    import time

    x = tg.arange(float(2**22))
    start = time.perf_counter()
    text = repr(x)
    assert time.perf_counter() - start < 0.5
    assert text == ("tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 4.1943e+06, "
                    "4.1943e+06,\n        4.1943e+06])")
