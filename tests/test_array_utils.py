"""block_diag, combinations, tril_indices, triu_indices, unravel_index and isin against
PyTorch: values, shapes, dtypes, grad_fn names and PyTorch's errors (the OPS table of
test_ops.py checks block_diag's and combinations' gradients on drawn inputs).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg

torch = pytest.importorskip("torch")
NAN = float("nan")


def _result(L: Any, out: Any) -> Any:
    """A result's shape, dtype, grad_fn name and values (tuples of results element-wise)."""
    if isinstance(out, tuple):
        return ("tuple", *(_result(L, o) for o in out))
    name = None if out.grad_fn is None else (
        out.grad_fn.name() if L is torch else type(out.grad_fn).__name__)
    return (tuple(out.shape), str(out.dtype).rsplit(".", 1)[-1], name,
            out.detach().numpy().tolist())


def _outcome(L: Any, fn: Callable[[Any], Any]) -> Any:
    """What ``fn(L)`` gives, or the error's class and message (the library's name aside)."""
    try:
        return _result(L, fn(L))
    except Exception as e:  # noqa: BLE001 - compared with torch's
        return type(e).__name__, str(e).split("\nHint:")[0].replace("tinygrad_edu.", "torch.")


def x(L: Any, data: Any, **kw: Any) -> Any:
    return L.tensor(data, **kw)


CASES: dict[str, Callable[[Any], Any]] = {
    # block_diag: promotion, numbers and vectors as blocks, empty blocks, no blocks
    "block_diag": lambda L: L.block_diag(x(L, [[1.0, 2], [3, 4]], requires_grad=True),
                                         x(L, [5, 6]), x(L, 7.5, dtype=L.float64)),
    "block_diag_ints": lambda L: L.block_diag(x(L, [[1, 2]]), x(L, [True, False])),
    "block_diag_empty_blocks": lambda L: L.block_diag(L.zeros(0, 3), L.ones(2, 0)),
    "block_diag_one_vector": lambda L: L.block_diag(x(L, [1, 2])),
    "block_diag_none": lambda L: L.block_diag(),
    "block_diag_3d": lambda L: L.block_diag(L.ones(2), L.ones(1, 2, 2)),
    # combinations
    "combinations": lambda L: L.combinations(x(L, [1.0, 2, 3, 4], requires_grad=True)),
    "combinations_r3_replacement": lambda L: L.combinations(x(L, [1, 2, 3]), 3, True),
    "combinations_r1": lambda L: L.combinations(x(L, [1.0, 2], requires_grad=True), 1),
    "combinations_r0": lambda L: L.combinations(x(L, [1.0, 2], requires_grad=True), 0),
    "combinations_too_long": lambda L: L.combinations(x(L, [1.0, 2], requires_grad=True), 3),
    "combinations_empty": lambda L: L.combinations(L.zeros(0), 2),
    "combinations_2d": lambda L: L.combinations(L.zeros(2, 2)),
    "combinations_negative_r": lambda L: L.combinations(L.zeros(2), -1),
    # tril_indices / triu_indices
    "tril_indices": lambda L: L.tril_indices(3, 4, 1),
    "tril_indices_below": lambda L: L.tril_indices(4, 3, -2),
    "triu_indices_int32": lambda L: L.triu_indices(4, 3, -1, dtype=L.int32),
    "triu_indices_far": lambda L: L.triu_indices(3, 3, 100),
    "tril_indices_far": lambda L: L.tril_indices(3, 3, 100),
    "tril_indices_empty": lambda L: L.tril_indices(3, 0),
    "tril_indices_negative_row": lambda L: L.tril_indices(-1, 3),
    "triu_indices_negative_col": lambda L: L.triu_indices(3, -2),
    "tril_indices_float_dtype": lambda L: L.tril_indices(3, 3, dtype=L.float32),
    "triu_indices_int8": lambda L: L.triu_indices(3, 3, dtype=L.int8),
    "tril_indices_float_row": lambda L: L.tril_indices(3.0, 3),
    "triu_indices_float_offset": lambda L: L.triu_indices(3, 3, 1.5),
    # unravel_index
    "unravel_index": lambda L: L.unravel_index(x(L, [[4, 1], [5, 0]]), (3, 2)),
    "unravel_index_number": lambda L: L.unravel_index(x(L, 4), (3, 2)),
    "unravel_index_wraps": lambda L: L.unravel_index(x(L, [-1, 6, -7]), (3, 2)),
    "unravel_index_int32": lambda L: L.unravel_index(x(L, [4], dtype=L.int32), [10, 10]),
    "unravel_index_int_shape": lambda L: L.unravel_index(x(L, [1], dtype=L.uint8), 3),
    "unravel_index_size": lambda L: L.unravel_index(x(L, [1234, 5678]), L.Size([10] * 4)),
    "unravel_index_no_dims": lambda L: L.unravel_index(x(L, [3]), ()),
    "unravel_index_float": lambda L: L.unravel_index(x(L, [1.0]), (3, 2)),
    "unravel_index_bool": lambda L: L.unravel_index(x(L, [True]), (3, 2)),
    "unravel_index_negative_shape": lambda L: L.unravel_index(x(L, [1]), (3, -2)),
    "unravel_index_float_shape": lambda L: L.unravel_index(x(L, [1]), (3.0,)),
    "unravel_index_set_shape": lambda L: L.unravel_index(x(L, [1]), {3}),
    "unravel_index_zero_size": lambda L: L.unravel_index(x(L, [0]), (3, 0)),
    # isin: promotion, numbers on either side, NaN, invert, bad dtypes
    "isin": lambda L: L.isin(x(L, [[1.0, 2], [3, 4]]), x(L, [2, 4])),
    "isin_promoted": lambda L: L.isin(x(L, [1, 2, 3]), x(L, [2.5, 3.0])),
    "isin_number_test": lambda L: L.isin(x(L, [0.1, 0.2]), 0.1),
    "isin_number_element": lambda L: L.isin(2, x(L, [1.0, 2.0])),
    "isin_invert": lambda L: L.isin(x(L, [1.0, 2, 3]), x(L, [[2.0]]), invert=True),
    "isin_assume_unique": lambda L: L.isin(x(L, [1, 2, 3]), x(L, [3, 1]), assume_unique=True),
    "isin_nan": lambda L: L.isin(x(L, [NAN, 1.0]), x(L, [NAN, 1.0])),
    "isin_scalar_tensor": lambda L: L.isin(x(L, 2.0), x(L, [2.0])),
    "isin_grad": lambda L: L.isin(x(L, [1.0, 2], requires_grad=True), x(L, [1.0])),
    "isin_bool": lambda L: L.isin(x(L, [True]), x(L, [True])),
}


@pytest.mark.parametrize("case", CASES)
def test_matches_torch(case: str) -> None:
    assert _outcome(tg, CASES[case]) == _outcome(torch, CASES[case])


def test_isin_two_numbers_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="isin\\(\\) received an invalid combination"):
        tg.isin(2, 3)


def test_block_diag_gradient_goes_back_to_each_block() -> None:
    blocks = [np.arange(6.0).reshape(2, 3), np.array([1.0, 2.0]), np.array(3.0)]
    grads = []
    for L in (tg, torch):
        ts = [L.tensor(b, requires_grad=True) for b in blocks]
        out = L.block_diag(*ts)
        (out * L.arange(out.numel(), dtype=out.dtype).reshape(out.shape)).sum().backward()
        grads.append([t.grad.numpy().tolist() for t in ts])
    assert grads[0] == grads[1]
