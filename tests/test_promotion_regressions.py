"""Regression tests, each named after the bug it prevents: dtype promotion with numpy
scalars and bitwise operators, Python ints that overflow a dtype, and the validation of
sizes and dims (each fails on the code before the fix; torch 2.13's behaviour is quoted)."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg


# ---------------------------------------------------------------- numpy scalars are weak
def test_numpy_float64_scalar_times_float32_tensor_stays_float32() -> None:
    x = tg.ones(2, 3)
    for out in (np.float64(0.5) * x, x * np.float64(0.5), np.sqrt(np.float64(4)) * x,
                x - np.float64(1), np.float64(1) / x, x.add(np.float64(2))):
        assert out.dtype is tg.float32
    layer = tg.nn.Linear(3, 2)
    assert layer(np.float64(0.5) * x).dtype is tg.float32  # (a float64 input raised here)


def test_numpy_int_scalar_is_weak_and_numpy_bool_scalar_counts_as_float() -> None:
    assert (tg.tensor([1, 2], dtype=tg.int8) + np.int64(3)).dtype is tg.int8
    assert (tg.tensor([1.0], dtype=tg.float16) * np.float64(2)).dtype is tg.float16
    assert (tg.tensor([True]) + np.bool_(True)).dtype is tg.float32  # as torch reads it


def test_inplace_with_numpy_scalar_keeps_dtype() -> None:
    x = tg.ones(2)
    x += np.float64(0.5)
    assert x.dtype is tg.float32 and x.tolist() == [1.5, 1.5]
    with pytest.raises(RuntimeError, match="can't be cast"):
        tg.ones(2, dtype=tg.int64).add_(np.float64(0.5))  # a float result into a long tensor
    small = tg.ones(2, dtype=tg.int8)
    small += np.int64(300)  # weak, and wrapped into int8 as torch does: 1 + 44
    assert small.dtype is tg.int8 and small.tolist() == [45, 45]


def test_creation_from_numpy_scalars_like_torch() -> None:
    assert tg.tensor(np.float64(1)).dtype is tg.float64  # a numpy scalar keeps its dtype
    assert tg.full((2,), np.float64(1)).dtype is tg.float32  # but a fill value is weak
    assert tg.full((2,), np.int32(1)).dtype is tg.int64
    assert tg.arange(np.int64(3)).dtype is tg.int64


def test_where_with_numpy_scalar_stays_float32() -> None:
    out = tg.where(tg.tensor([True, False]), tg.ones(2), np.float64(2))
    assert out.dtype is tg.float32
    both = tg.where(tg.tensor([True, False]), np.float64(1.5), np.float64(2))
    assert both.dtype is tg.float32  # two numbers: the default float dtype


def test_tensor_op_ndarray_uses_numpy_rules_and_ndarray_op_tensor_raises() -> None:
    out = tg.tensor([True, False]) & np.array([True, True])
    assert out.dtype is tg.uint8 and out.tolist() == [1, 0]  # as torch's __array_wrap__
    assert (tg.tensor([1, 2]) / np.array([2])).dtype is tg.float64
    with pytest.raises(TypeError):
        np.array([1.0, 2.0]) * tg.ones(2)
    with pytest.raises(TypeError):
        tg.ones(2).add(np.array([1.0, 2.0]))


# ---------------------------------------------------------------- bitwise operators
def test_bool_and_int_tensor_is_bitwise_in_promoted_dtype() -> None:
    mask = tg.tensor([True, True])
    out = mask & tg.tensor([2, 1])
    assert out.dtype is tg.int64 and out.tolist() == [0, 1]
    assert (mask | tg.tensor([2, 0])).tolist() == [3, 1]
    assert (mask ^ 2).tolist() == [3, 3]
    assert (2 & mask).tolist() == [0, 0]


def test_bool_and_float_raises_not_implemented() -> None:
    with pytest.raises(NotImplementedError, match="bitwise_and_cpu"):
        tg.tensor([True]) & 1.5
    with pytest.raises(NotImplementedError):
        tg.tensor([True]) | tg.tensor([1.0])
    with pytest.raises(TypeError):
        ~tg.tensor([1.0])


def test_bitwise_inplace_operators_and_cast_check() -> None:
    x = tg.tensor([3, 1])
    same = x
    x &= tg.tensor([True, False])
    assert x is same and x.tolist() == [1, 0]
    b = tg.tensor([True, False])
    with pytest.raises(RuntimeError, match="can't be cast"):
        b &= 2
    assert tg.tensor([True, False]).logical_xor(tg.tensor([1.0, 1.0])).tolist() == [False, True]
    with pytest.raises(TypeError):
        tg.tensor([True]).logical_and(1)


def test_bool_subtraction_raises() -> None:
    with pytest.raises(RuntimeError, match="two bool tensors"):
        tg.tensor([True]) - tg.tensor([False])
    with pytest.raises(RuntimeError, match="a bool tensor"):
        tg.tensor([1, 2]) - True


# ---------------------------------------------------------------- Python ints that overflow
def test_tensor_of_int_past_int64_raises_instead_of_wrapping() -> None:
    with pytest.raises(ValueError, match="Overflow"):
        tg.tensor(2**63)
    with pytest.raises(ValueError):
        tg.tensor([1, 2**63])
    with pytest.raises(ValueError):
        tg.as_tensor(2**64)
    assert tg.tensor(-(2**63)).item() == -(2**63)
    assert tg.tensor(2**63, dtype=tg.float32).dtype is tg.float32


def test_tensor_with_small_int_dtype_checks_overflow() -> None:
    with pytest.raises(RuntimeError, match="value cannot be converted to type uint8"):
        tg.tensor(300, dtype=tg.uint8)
    with pytest.raises(RuntimeError, match="int32"):
        tg.tensor([2**40], dtype=tg.int32)
    assert tg.tensor(-1, dtype=tg.uint8).item() == 255  # (torch lets -1 wrap)
    assert tg.tensor(np.array([300]), dtype=tg.uint8).tolist() == [44]  # arrays are cast


def test_full_and_fill_check_overflow() -> None:
    with pytest.raises(RuntimeError, match="int64_t"):
        tg.full((2,), 2**63)
    with pytest.raises(RuntimeError, match="uint8_t"):
        tg.full((2,), 300, dtype=tg.uint8)
    with pytest.raises(RuntimeError, match="int"):
        tg.zeros(2, dtype=tg.int32).fill_(2**40)
    with pytest.raises(OverflowError):
        tg.zeros(2).fill_(2**64)
    with pytest.raises(RuntimeError, match="uint8_t"):
        tg.tensor([1], dtype=tg.uint8).masked_fill(tg.tensor([True]), 300)
    with pytest.raises(RuntimeError):
        tg.arange(2**63)


def test_scalar_operand_wraps_into_small_int_dtype() -> None:
    assert (tg.tensor([1], dtype=tg.uint8) + 300).tolist() == [45]
    assert (tg.tensor([1], dtype=tg.int8) * 1000).tolist() == [-24]
    assert (tg.tensor([1], dtype=tg.uint8) < 300).tolist() == [True]  # 300 wraps to 44
    assert (tg.tensor([1], dtype=tg.int64) + 2**63).tolist() == [-(2**63) + 1]
    with pytest.raises(OverflowError):
        tg.tensor([1.0]) + 2**64
    with pytest.raises(RuntimeError, match="int8_t"):
        tg.tensor([2], dtype=tg.int8) ** 300
    with pytest.raises(RuntimeError, match="uint8_t"):
        tg.tensor([1], dtype=tg.uint8).clamp(0, 300)


def test_integer_division_by_zero_raises() -> None:
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        tg.tensor([1, 2]) // 0
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        tg.tensor([1, 2]) % tg.tensor([1, 0])


# ---------------------------------------------------------------- sizes
def test_split_sizes_not_summing_to_length_raises() -> None:
    x = tg.arange(5)
    with pytest.raises(RuntimeError, match="sum exactly to 5"):
        x.split([2, 2])
    with pytest.raises(RuntimeError, match="non-negative"):
        x.split([6, -1])
    with pytest.raises(RuntimeError, match="split_size can only be 0"):
        x.split(0)
    with pytest.raises(RuntimeError, match="non-negative"):
        x.split(-1)
    with pytest.raises(RuntimeError, match="greater than 0"):
        x.chunk(0)
    with pytest.raises(RuntimeError, match="1-dimensional"):
        tg.tensor(1.0).split(1)


def test_unflatten_sizes_validated() -> None:
    x = tg.zeros(2, 3)
    with pytest.raises(RuntimeError, match="don't multiply up"):
        x.unflatten(1, (2, 2))
    with pytest.raises(RuntimeError):
        x.unflatten(1, (-1, -1))
    with pytest.raises(RuntimeError, match="non-empty"):
        x.unflatten(1, ())
    assert x.unflatten(1, (3, -1)).shape == (2, 3, 1)


def test_shape_arguments_must_be_ints_and_creation_sizes_non_negative() -> None:
    x = tg.zeros(2, 3)
    with pytest.raises(TypeError):
        x.reshape(6.0)
    with pytest.raises(TypeError):
        x.view()
    with pytest.raises(RuntimeError, match="negative dimension"):
        tg.ones(-2)
    with pytest.raises(RuntimeError, match="non-negative"):
        tg.zeros(-1)
    with pytest.raises(TypeError):
        tg.zeros(2.5)
    with pytest.raises(RuntimeError, match="negative dimension"):
        x.repeat(-1, 1)
    with pytest.raises(RuntimeError, match="greater or equal to 0"):
        tg.eye(-1)


# ---------------------------------------------------------------- dims
def test_reduction_dim_out_of_range_on_0d_tensor_raises() -> None:
    x = tg.tensor(0.5)
    for call in (lambda: x.sum(1), lambda: x.mean(1), lambda: x.squeeze(10),
                 lambda: x.amax(2), lambda: x.flatten(1), lambda: x.any(1)):
        with pytest.raises(IndexError, match="Dimension out of range"):
            call()
    assert x.sum(0).shape == () and x.squeeze(-1).shape == () and x.flip(0).shape == ()
    assert x.argmin(0, keepdim=True).shape == ()


def test_duplicate_dims_raise() -> None:
    x = tg.zeros(2, 3)
    with pytest.raises(RuntimeError, match="multiple times"):
        x.flip((0, 0))
    with pytest.raises(RuntimeError, match="multiple times"):
        x.squeeze((1, 1))
    with pytest.raises(RuntimeError, match="duplicate"):
        x.permute(0, 0)


def test_cat_of_0d_tensors_raises() -> None:
    with pytest.raises(RuntimeError, match="zero-dimensional"):
        tg.cat([tg.tensor(1.0), tg.tensor(2.0)])


def test_linspace_argument_validation_like_torch() -> None:
    with pytest.raises(RuntimeError, match="non-negative"):
        tg.linspace(1, 2, -1)
    with pytest.raises(NotImplementedError):
        tg.linspace(0, 1, 3, dtype=tg.bool)
    with pytest.raises(TypeError):
        tg.linspace(0, 1, 2.5)
    with pytest.raises(RuntimeError, match="non-negative"):
        tg.logspace(0, 1, -1)
    with pytest.raises(NotImplementedError):
        tg.arange(3, dtype=tg.bool)
    with pytest.raises(RuntimeError, match="unsupported range"):
        tg.arange(0, float("inf"))


def test_size_of_a_dim_of_a_0d_tensor_raises_index_error():
    for dim in (0, -1, 5):
        with pytest.raises(IndexError, match=f"Dimension specified as {dim} but tensor has no "
                                             "dimensions"):
            tg.tensor(1.0).size(dim)


def test_matmul_of_bools_raises_as_pytorch():
    b = tg.ones(2, 2, dtype=tg.bool)
    with pytest.raises(NotImplementedError, match="addmm_impl_cpu_"):
        b @ b
    with pytest.raises(NotImplementedError, match='"dot" not implemented'):
        b[0] @ b[0]


def test_addmm_beta_that_overflows_uint8_raises():
    x = tg.zeros(1, 1, dtype=tg.uint8)
    with pytest.raises(RuntimeError, match="value cannot be converted to type uint8_t without "
                                           "overflow"):
        x.addmm(x, x, beta=300)
