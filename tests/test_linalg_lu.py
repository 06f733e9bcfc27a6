"""lu_factor, lu_factor_ex, lu and lu_solve, and the legacy tg.lu / Tensor.lu and
tg.lu_unpack: what the op table (test_ops.py) cannot cover.

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


# ---- the legacy tg.lu / Tensor.lu, and tg.lu_unpack
@needs_torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_legacy_lu_and_lu_unpack_like_torch(dtype: str) -> None:
    """tg.lu's (LU, pivots) and (LU, pivots, info) (named by the function, not by the
    method), and lu_unpack's (P, L, U) with each of unpack_data / unpack_pivots off (an
    empty tensor in its place), on every matrix of ``_matrices`` (wide, tall, batched,
    singular)."""
    for a in _matrices():
        ours_a, their_a = tg.tensor(a, dtype=getattr(tg, dtype)), torch.tensor(
            a, dtype=getattr(torch, dtype))
        with pytest.warns(UserWarning, match="torch.lu is deprecated"):
            ours = [tg.lu(ours_a), ours_a.lu(get_infos=True), tg.lu(ours_a, get_infos=True)]
        theirs = [torch.lu(their_a), their_a.lu(get_infos=True),
                  torch.lu(their_a, get_infos=True)]
        for mine, their in zip(ours, theirs):
            assert type(mine).__name__ == type(their).__name__
            _same_tensors(mine, their)
        for flags in [(True, True), (True, False), (False, True), (False, False)]:
            _same_tensors(tg.lu_unpack(*ours[0], *flags), torch.lu_unpack(*theirs[0], *flags))
        assert repr(tg.lu_unpack(*ours[0])).startswith("tinygrad_edu.return_types.lu_unpack(")


def _same_tensors(ours: Any, theirs: Any) -> None:
    assert len(ours) == len(theirs)
    for x, y in zip(ours, theirs):
        assert tuple(x.shape) == tuple(y.shape) and str(x.dtype)[13:] == str(y.dtype)[6:]
        np.testing.assert_allclose(x.numpy(), y.numpy(), atol=1e-5)


@needs_torch
def test_lu_unpack_gradient_names_and_batches_like_torch() -> None:
    """L and U come from LuUnpackBackward0, P has none; pivots of one matrix serve a batch;
    an empty batch unpacks to empty factors."""
    a = np.random.default_rng(3).standard_normal((2, 3, 4))
    for lib in (tg, torch):
        lu, pivots = lib.linalg.lu_factor(lib.tensor(a))
        lu.requires_grad_()
        p, low, up = lib.lu_unpack(lu, pivots[0])
        assert p.grad_fn is None and type(low.grad_fn).__name__ == "LuUnpackBackward0"
        assert type(up.grad_fn).__name__ == "LuUnpackBackward0"
    _same_tensors(tg.lu_unpack(tg.ones(0, 3, 3), tg.zeros(0, 3, dtype=tg.int32)),
                  torch.lu_unpack(torch.ones(0, 3, 3), torch.zeros(0, 3, dtype=torch.int32)))
    piv = [[2, 3, 3], [1, 3, 3]]
    _same_tensors(tg.lu_unpack(tg.tensor(a), tg.tensor(piv, dtype=tg.int32)),
                  torch.lu_unpack(torch.tensor(a), torch.tensor(piv, dtype=torch.int32)))


LU_UNPACK_ERRORS: dict[str, Callable[[Any], Any]] = {
    "1-d LU": lambda L: L.lu_unpack(L.ones(3), L.ones(3, dtype=L.int32)),
    "int64 pivots": lambda L: L.lu_unpack(L.eye(2), L.ones(2, dtype=L.int64)),
    "float pivots": lambda L: L.lu_unpack(L.eye(2), L.ones(2)),
    "pivot 0": lambda L: L.lu_unpack(L.eye(2), L.zeros(2, dtype=L.int32)),
    "pivot too big": lambda L: L.lu_unpack(L.eye(2), L.full((2,), 3, dtype=L.int32)),
    "lu of a vector": lambda L: L.lu(L.ones(3)),
    "lu of ints": lambda L: L.lu(L.ones(2, 2, dtype=L.int64)),
    "lu without pivoting": lambda L: L.ones(2, 2).lu(pivot=False),
}


@needs_torch
@pytest.mark.filterwarnings("ignore:torch.lu is deprecated")
@pytest.mark.parametrize("name", list(LU_UNPACK_ERRORS))
def test_legacy_lu_and_lu_unpack_errors_like_torch(name: str) -> None:
    ours, theirs = (_raised(LU_UNPACK_ERRORS[name], lib) for lib in (tg, torch))
    assert type(ours) is type(theirs) and ours.args[0] == theirs.args[0], (ours, theirs)


def test_lu_unpack_with_too_few_pivots_raises() -> None:
    """PyTorch reads past the end of the pivots here (CI once saw no error, another run
    the range error): tinygrad_edu always raises the range error."""
    with pytest.raises(RuntimeError, match="pivots passed to lu_unpack must be between 1"):
        tg.lu_unpack(tg.eye(3), tg.ones(2, dtype=tg.int32))



def test_lu_pivot_skips_nan_as_lapack_does() -> None:
    """Found by the kink lattice: with infinities in A, elimination makes NaN below the
    diagonal, and numpy's argmax takes a NaN as the largest |x|; LAPACK's pivot (BLAS's
    idamax) never picks a NaN unless it comes first, so the pivots and the NaN pattern
    differed from PyTorch's."""
    torch = pytest.importorskip("torch")
    inf = float("inf")
    a = [[0.0, -inf, -inf], [-inf, 0.0, -inf], [-inf, -inf, -inf]]
    theirs = torch.linalg.lu_factor(torch.tensor(a, dtype=torch.float64))
    ours = tg.linalg.lu_factor(tg.tensor(a, dtype=tg.float64))
    assert ours[1].tolist() == theirs[1].tolist() == [2, 2, 3]
    assert np.array_equal(np.isnan(ours[0].numpy()), np.isnan(theirs[0].numpy()))
