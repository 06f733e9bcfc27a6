"""lu_factor, lu_factor_ex, lu and lu_solve: what the op table (test_ops.py) cannot cover.

- the factorization is LAPACK's getrf: the same pivots (the largest |value| of the column,
  the first on ties) and factors as torch's, on random, tie-heavy, singular, wide and tall
  matrices, batched;
- ``info`` and the singular-matrix errors; PyTorch's checks, class and message (written
  out here, checked without torch too, and against torch 2.13's own when importable);
- lu_solve in its four forms solves its system, batch dims broadcasting.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from test_linalg_ops import _raised  # (one helper: the exception a call raises)

import tinygrad_edu as tg

try:
    import torch
except ImportError:  # pragma: no cover - the comparisons with torch are skipped
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")


def _matrices() -> list[np.ndarray]:
    """Random, tie-heavy (small integers, only 0 and +-1) and singular matrices of every
    shape up to 5 x 5, some batched."""
    rng = np.random.default_rng(14)
    out = []
    for m in range(1, 6):
        for n in range(1, 6):
            batch = (2,) if (m + n) % 2 else ()
            out += [rng.standard_normal(batch + (m, n)),
                    rng.integers(-2, 3, batch + (m, n)).astype(float),
                    rng.choice([0.0, 1.0, -1.0], batch + (m, n)),
                    np.ones((m, n))]
    return out


@needs_torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_factors_and_pivots_like_torch(dtype: str) -> None:
    for a in _matrices():
        ours = tg.linalg.lu_factor_ex(tg.tensor(a, dtype=getattr(tg, dtype)))
        theirs = torch.linalg.lu_factor_ex(torch.tensor(a, dtype=getattr(torch, dtype)))
        assert ours.pivots.dtype == tg.int32 and ours.LU.dtype == getattr(tg, dtype)
        np.testing.assert_array_equal(ours.pivots.numpy(), theirs.pivots.numpy(), str(a))
        np.testing.assert_array_equal(ours.info.numpy(), theirs.info.numpy(), str(a))
        np.testing.assert_allclose(ours.LU.numpy(), theirs.LU.numpy(), atol=1e-5)
        p, low, up = tg.linalg.lu(tg.tensor(a, dtype=getattr(tg, dtype)))
        for x, y in zip((p, low, up), torch.linalg.lu(torch.tensor(a, dtype=getattr(torch,
                                                                                   dtype)))):
            assert tuple(x.shape) == tuple(y.shape)
            np.testing.assert_allclose(x.numpy(), y.numpy(), atol=1e-5)
        np.testing.assert_allclose((p @ low @ up).numpy(), a, atol=1e-5)


def test_p_has_no_gradient_and_names() -> None:
    a = tg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    p, low, up = tg.linalg.lu(a)
    assert p.grad_fn is None and not p.requires_grad
    assert type(low.grad_fn).__name__ == "LinalgLuBackward0"
    lu, pivots = tg.linalg.lu_factor(a)
    assert type(lu.grad_fn).__name__ == "LinalgLuFactorExBackward0" and pivots.grad_fn is None
    assert repr(tg.linalg.lu_factor(a)).startswith("tinygrad_edu.return_types.linalg_lu_factor(")


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("adjoint", [True, False])
def test_lu_solve_solves(left: bool, adjoint: bool) -> None:
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 1, 4, 4))
    b = rng.standard_normal((2, 4, 3) if left else (2, 3, 4))
    x = tg.linalg.lu_solve(*tg.linalg.lu_factor(tg.tensor(a)), tg.tensor(b), left=left,
                           adjoint=adjoint).numpy()
    op = np.swapaxes(a, -1, -2) if adjoint else a
    assert x.shape == (3, 2, 4, 3) if left else (3, 2, 3, 4)
    np.testing.assert_allclose(op @ x if left else x @ op, np.broadcast_to(b, x.shape),
                               atol=1e-10)


def _o(L: Any, *shape: int, dtype: str = "float32") -> Any:
    return L.ones(*shape, dtype=getattr(L, dtype))


def _piv(L: Any, *values: int, dtype: str = "int32") -> Any:
    return L.tensor(list(values), dtype=getattr(L, dtype))


_SINGULAR = ("U[{0},{0}] is zero and using it on lu_solve would result in a division by "
             "zero. If you still want to perform the factorization, consider calling "
             "linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)")

ERRORS: dict[str, tuple[Callable[[Any], Any], type[BaseException], str]] = {
    "lu_factor singular": (lambda L: L.linalg.lu_factor(L.zeros(2, 2)), RuntimeError,
                           "torch.linalg.lu_factor: " + _SINGULAR.format(1)),
    "lu_factor singular batch": (
        lambda L: L.linalg.lu_factor(L.stack([L.eye(2), L.tensor([[1.0, 2], [2, 4]])])),
        RuntimeError, "torch.linalg.lu_factor: (Batch element 1): " + _SINGULAR.format(2)),
    "lu_factor_ex check_errors": (
        lambda L: L.linalg.lu_factor_ex(L.tensor([[1.0, 2], [2, 4]]), check_errors=True),
        RuntimeError, "torch.linalg.lu_factor_ex: " + _SINGULAR.format(2)),
    "lu_factor of a vector": (lambda L: L.linalg.lu_factor(_o(L, 3)), RuntimeError,
                              "torch.lu_factor: Expected tensor with 2 or more dimensions. "
                              "Got size: [3] instead"),
    "lu of a vector": (lambda L: L.linalg.lu(_o(L, 2)), RuntimeError,
                       "linalg.lu: Expected tensor with 2 or more dimensions. Got size: [2] "
                       "instead"),
    "lu_factor of ints": (lambda L: L.linalg.lu_factor(_o(L, 2, 2, dtype="int64")),
                          NotImplementedError, "\"lu_cpu\" not implemented for 'Long'"),
    "lu_factor_ex of halves": (lambda L: L.linalg.lu_factor_ex(_o(L, 2, 2, dtype="float16")),
                               NotImplementedError, "\"lu_cpu\" not implemented for 'Half'"),
    "lu_factor of bfloat16": (lambda L: L.linalg.lu_factor(_o(L, 2, 2, dtype="bfloat16")),
                              NotImplementedError,
                              "\"lu_cpu\" not implemented for 'BFloat16'"),
    "lu of bools": (lambda L: L.linalg.lu(_o(L, 2, 2, dtype="bool")), NotImplementedError,
                    "\"lu_cpu\" not implemented for 'Bool'"),
    "lu without pivoting": (lambda L: L.linalg.lu(_o(L, 2, 2), pivot=False), RuntimeError,
                            "linalg.lu_factor: LU without pivoting is not implemented on the "
                            "CPU"),
    "lu_solve not square": (lambda L: L.linalg.lu_solve(_o(L, 2, 3), _piv(L, 1, 2),
                                                        _o(L, 2, 1)), RuntimeError,
                            "torch.linalg.lu_solve: A must be batches of square matrices, but "
                            "they are 2 by 3 matrices"),
    "lu_solve LU vector": (lambda L: L.linalg.lu_solve(_o(L, 2), _piv(L, 1), _o(L, 2, 1)),
                           RuntimeError, "torch.linalg.lu_solve: The input tensor A must have "
                           "at least 2 dimensions."),
    "lu_solve B vector": (lambda L: L.linalg.lu_solve(_o(L, 2, 2), _piv(L, 1, 2), _o(L, 2)),
                          RuntimeError, "linalg.lu_solve: The input tensor B must have at "
                          "least 2 dimensions."),
    "lu_solve shapes": (lambda L: L.linalg.lu_solve(_o(L, 2, 2), _piv(L, 1, 2), _o(L, 3, 1),
                                                    left=False), RuntimeError,
                        "linalg.lu_solve: Incompatible shapes of A and B for the equation "
                        "XA = B (2x2 and 3x1)"),
    "lu_solve int64 pivots": (lambda L: L.linalg.lu_solve(_o(L, 2, 2),
                                                          _piv(L, 1, 2, dtype="int64"),
                                                          _o(L, 2, 1)), RuntimeError,
                              "linalg.lu_solve: pivots should be a Tensor of scalar type "
                              "torch.int32"),
    "lu_solve pivots count": (lambda L: L.linalg.lu_solve(_o(L, 2, 2), _piv(L, 1, 2, 2),
                                                          _o(L, 2, 1)), RuntimeError,
                              "linalg.lu_solve: Number of pivots per batch should be same as "
                              "the dimension of the matrix"),
    "lu_solve pivots batch": (
        lambda L: L.linalg.lu_solve(_o(L, 3, 2, 2), _piv(L, 1, 2).expand(2, 2), _o(L, 2, 1)),
        RuntimeError, "linalg.lu_solve: Expected LU.shape[:-1] and pivots.shape to be the "
        "same, but got pivots with shape [2, 2] instead"),
    "lu_solve dtypes": (lambda L: L.linalg.lu_solve(_o(L, 2, 2), _piv(L, 1, 2),
                                                    _o(L, 2, 1, dtype="float64")),
                        RuntimeError, "linalg.lu_solve: Expected LU and B to have the same "
                        "dtype, but found LU of type Float and B of type Double instead"),
    "lu_solve of ints": (lambda L: L.linalg.lu_solve(_o(L, 2, 2, dtype="int64"),
                                                     _piv(L, 1, 2),
                                                     _o(L, 2, 1, dtype="int64")),
                         RuntimeError, "torch.linalg.lu_solve: Expected a floating point or "
                         "complex tensor as input. Got Long"),
    "lu_solve pivot 0": (lambda L: L.linalg.lu_solve(L.eye(2), _piv(L, 0, 1), _o(L, 2, 1)),
                         RuntimeError, "Pivots given to lu_solve must all be greater or equal "
                         "to 1. Did you properly pass the result of lu_factor?"),
    "lu_solve pivot too big": (lambda L: L.linalg.lu_solve(L.eye(2), _piv(L, 5, 1),
                                                           _o(L, 2, 1)), RuntimeError,
                               "Pivots given to lu_solve must all be smaller or equal to "
                               "LU.size(-2). Did you properly pass the result of lu_factor?"),
}



@pytest.mark.parametrize("name", list(ERRORS))
def test_error_like_torch(name: str) -> None:
    """PyTorch's exception class and message."""
    make, cls, message = ERRORS[name]
    for lib in (tg, torch) if torch is not None else (tg,):
        error = _raised(make, lib)
        assert isinstance(error, cls) and error.args[0] == message, (lib.__name__, error)


@needs_torch
def test_empty_like_torch() -> None:
    for shape in [(0, 0), (2, 0, 3), (3, 0), (0, 2)]:
        ours, theirs = tg.linalg.lu(tg.ones(*shape)), torch.linalg.lu(torch.ones(*shape))
        assert [tuple(x.shape) for x in ours] == [tuple(x.shape) for x in theirs]
        ours, theirs = tg.linalg.lu_factor(tg.ones(*shape)), torch.linalg.lu_factor(
            torch.ones(*shape))
        assert [tuple(x.shape) for x in ours] == [tuple(x.shape) for x in theirs]
