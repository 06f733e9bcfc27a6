"""solve_triangular, cond and inv_ex / cholesky_ex / solve_ex: what the op table
(test_ops.py) cannot cover.

- errors: PyTorch's exception class and message, written out here (checked without torch
  too) and compared with torch 2.13's own when it is importable;
- ``info``: LAPACK's codes, int32, one per matrix, with and without ``check_errors``;
- cond at singular matrices (inf), its orders, and its backward for p = +-1, +-inf,
  'fro', which raises in torch 2.13 (an in-place write into a saved inverse) and here;
- solve_triangular reads one triangle only, and divides by a zero diagonal silently.
"""

from __future__ import annotations

import math
import warnings
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


def _o(L: Any, *shape: int, dtype: str = "float32") -> Any:
    return L.ones(*shape, dtype=getattr(L, dtype))


def _batch(L: Any) -> Any:
    """An invertible, a zero and a rank-1 (second pivot zero) matrix."""
    return L.stack([L.eye(3), L.zeros(3, 3),
                    L.tensor([[1.0, 2.0, 0.0], [2.0, 4.0, 0.0], [0.0, 0.0, 1.0]])])


def _linalg_error(L: Any) -> type[BaseException]:
    return L.linalg.LinAlgError  # type: ignore[no-any-return]


ERRORS: dict[str, tuple[Callable[[Any], Any], Any, str]] = {
    "solve_triangular B vector": (
        lambda L: L.linalg.solve_triangular(_o(L, 3, 3), _o(L, 3), upper=True), RuntimeError,
        "linalg.solve_triangular: The input tensor B must have at least 2 dimensions."),
    "solve_triangular not square": (
        lambda L: L.linalg.solve_triangular(_o(L, 2, 3), _o(L, 3, 3), upper=True),
        RuntimeError, "linalg.solve_triangular: A must be batches of square matrices, but "
        "they are 2 by 3 matrices"),
    "solve_triangular shapes": (
        lambda L: L.linalg.solve_triangular(_o(L, 3, 3), _o(L, 3, 2), upper=False,
                                            left=False), RuntimeError,
        "linalg.solve_triangular: Incompatible shapes of A and B for the equation XA = B "
        "(3x3 and 3x2)"),
    "solve_triangular of ints": (
        lambda L: L.linalg.solve_triangular(_o(L, 2, 2, dtype="int64"),
                                            _o(L, 2, 2, dtype="int64"), upper=True),
        NotImplementedError, "\"triangular_solve_cpu\" not implemented for 'Long'"),
    "cond of a vector": (lambda L: L.linalg.cond(_o(L, 3)), RuntimeError,
                         "linalg.cond: The input tensor must have at least 2 dimensions."),
    "cond order 3": (lambda L: L.linalg.cond(_o(L, 3, 3), 3), RuntimeError,
                     "linalg.cond got an invalid norm type: 3"),
    "cond order 'foo'": (lambda L: L.linalg.cond(_o(L, 3, 3), "foo"), RuntimeError,
                         "linalg.cond got an invalid norm type: foo"),
    "cond(ord=1) not square": (lambda L: L.linalg.cond(_o(L, 2, 3), 1), RuntimeError,
                               "linalg.cond(ord=1): A must be batches of square matrices, "
                               "but they are 2 by 3 matrices"),
    "cond(ord=fro) not square": (lambda L: L.linalg.cond(_o(L, 2, 3), "fro"), RuntimeError,
                                 "linalg.cond(ord=fro): A must be batches of square "
                                 "matrices, but they are 2 by 3 matrices"),
    "cond(ord=inf) not square": (lambda L: L.linalg.cond(_o(L, 2, 3), math.inf),
                                 RuntimeError, "linalg.cond(ord=inf): A must be batches of "
                                 "square matrices, but they are 2 by 3 matrices"),
    "inv_ex of ints": (lambda L: L.linalg.inv_ex(_o(L, 2, 2, dtype="int64")), RuntimeError,
                       "linalg.inv: Expected a floating point or complex tensor as input. Got "
                       "Long"),
    "inv_ex not square": (lambda L: L.linalg.inv_ex(_o(L, 2, 3)), RuntimeError,
                          "linalg.inv: A must be batches of square matrices, but they are 2 "
                          "by 3 matrices"),
    "inv_ex check_errors": (lambda L: L.linalg.inv_ex(_batch(L), check_errors=True),
                            _linalg_error, "linalg.inv_ex: (Batch element 1): The diagonal "
                            "element 1 is zero, the inversion could not be completed because "
                            "the input matrix is singular."),
    "cholesky_ex check_errors": (lambda L: L.linalg.cholesky_ex(-L.eye(2), check_errors=True),
                                 _linalg_error, "linalg.cholesky_ex: The factorization could "
                                 "not be completed because the input is not positive-definite "
                                 "(the leading minor of order 1 is not positive-definite)."),
    "solve_ex check_errors": (lambda L: L.linalg.solve_ex(_batch(L), _o(L, 3, 1),
                                                          check_errors=True),
                              _linalg_error, "torch.linalg.solve_ex: (Batch element 1): The "
                              "solver failed because the input matrix is singular."),
    "solve_ex shapes": (lambda L: L.linalg.solve_ex(_o(L, 3, 3), _o(L, 2)), RuntimeError,
                        "linalg.solve: Incompatible shapes of A and B for the equation AX = B "
                        "(3x3 and 2x1)"),
}



@pytest.mark.parametrize("name", list(ERRORS))
def test_error_like_torch(name: str) -> None:
    """PyTorch's exception class and message."""
    make, cls, message = ERRORS[name]
    for lib in (tg, torch) if torch is not None else (tg,):
        error = _raised(make, lib)
        expected = cls(lib) if callable(cls) and not isinstance(cls, type) else cls
        assert isinstance(error, expected) and error.args[0] == message, (lib.__name__, error)


@needs_torch
@pytest.mark.parametrize("fn", [
    lambda L: L.linalg.inv_ex(_batch(L)).info,
    lambda L: L.linalg.cholesky_ex(_batch(L)).info,
    lambda L: L.linalg.cholesky_ex(-_batch(L)).info,
    lambda L: L.linalg.solve_ex(_batch(L), L.ones(3, 1)).info,
    lambda L: L.linalg.solve_ex(L.zeros(3, 3), L.ones(2, 3, 1)).info,
    lambda L: L.linalg.inv_ex(L.eye(2)).info,
])
def test_info_like_torch(fn: Callable[[Any], Any]) -> None:
    """LAPACK's info: 0, the first zero pivot, the first minor that is not
    positive-definite; int32, one per matrix of A."""
    ours, theirs = fn(tg), fn(torch)
    assert ours.dtype == tg.int32 and tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_ex_results_are_nan_where_the_matrix_failed() -> None:
    """The matrices that failed are NaN (PyTorch: LAPACK's leftovers); the others exact."""
    inverse, info = tg.linalg.inv_ex(_batch(tg))
    assert np.isnan(inverse[1:].numpy()).all()
    np.testing.assert_array_equal(inverse[0].numpy(), np.eye(3))
    assert repr(tg.linalg.inv_ex(tg.eye(1))).startswith(
        "tinygrad_edu.return_types.linalg_inv_ex(\ninverse=tensor([[1.]]),")


@needs_torch
@pytest.mark.parametrize("p", [None, 2, -2, 1, -1, math.inf, -math.inf, "fro", "nuc"])
def test_cond_of_a_singular_matrix_like_torch(p: Any) -> None:
    """inf, or (p = -2) sigma_min / sigma_max, or NaN where both meet 0 * inf."""
    a = [[1.0, 2.0], [2.0, 4.0]]
    ours = tg.linalg.cond(tg.tensor(a, dtype=tg.float64), p).item()
    theirs = torch.linalg.cond(torch.tensor(a, dtype=torch.float64), p).item()
    # (p = -2: sigma_min is rounding noise, ~1e-17, whose value depends on the SVD routine)
    assert math.isclose(ours, theirs, rel_tol=1e-6) or (ours > 1e15 and theirs > 1e15) or \
        (math.isnan(ours) and math.isnan(theirs)) or (p == -2 and 0 <= ours < 1e-15
                                                      and 0 <= theirs < 1e-15)


@needs_torch
@pytest.mark.parametrize("p", [1, -1, math.inf, -math.inf, "fro"])
def test_cond_backward_raises_as_torch(p: Any) -> None:
    """torch 2.13 writes inf into the inverse in place (for singular matrices): the
    inverse its backward saved has changed, so backward raises. So does ours."""
    for lib in (tg, torch):
        a = lib.tensor([[2.0, 1.0], [0.5, 3.0]], requires_grad=True)
        value = lib.linalg.cond(a, p)
        assert type(value.grad_fn).__name__ == "NanToNumBackward0"
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            value.backward()


@needs_torch
def test_cond_of_empty_and_orders_values_like_torch() -> None:
    a = np.array([[2.0, 1.0, 0.0], [0.5, 3.0, 1.0], [0.0, 1.0, 4.0]])
    for p in [None, 2, -2, 1, -1, math.inf, -math.inf, "fro", "nuc"]:
        ours = tg.linalg.cond(tg.tensor(a), p).item()
        assert ours == pytest.approx(torch.linalg.cond(torch.tensor(a), p).item(), rel=1e-12)
    empty = tg.linalg.cond(tg.ones(2, 0, 0))
    theirs = torch.linalg.cond(torch.ones(2, 0, 0))
    assert tuple(empty.shape) == tuple(theirs.shape) and empty.dtype == tg.float32


def test_solve_triangular_reads_one_triangle_and_divides_by_zero() -> None:
    """The other triangle (and, unitriangular, the diagonal) is never read; a zero on the
    diagonal gives inf and NaN, no error (LAPACK's trtrs as PyTorch calls it)."""
    a = tg.tensor([[2.0, 1.0], [99.0, 4.0]])
    b = tg.tensor([[3.0], [4.0]])
    np.testing.assert_allclose(tg.linalg.solve_triangular(a, b, upper=True).numpy(),
                               [[1.0], [1.0]])
    np.testing.assert_allclose(
        tg.linalg.solve_triangular(a, b, upper=True, unitriangular=True).numpy(), [[-1.0], [4.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (no numpy warning either)
        x = tg.linalg.solve_triangular(tg.zeros(2, 2), b, upper=True).numpy()
    assert not np.isfinite(x).any()


@pytest.mark.parametrize("call", [
    lambda L: L.cholesky_solve(L.ones(2, 2), L.eye(3)),
    lambda L: L.cholesky_solve(L.ones(3, 2), L.eye(3, dtype=L.float64)),
    lambda L: L.cholesky_solve(L.ones(3, 2, dtype=L.int64), L.eye(3, dtype=L.int64)),
    lambda L: L.cholesky_inverse(L.ones(3)),
    lambda L: L.cholesky_inverse(L.ones(2, 3)),
    lambda L: L.cholesky_inverse(L.eye(3, dtype=L.int64)),
    lambda L: L.vdot(L.ones(2, 2), L.ones(2)),
    lambda L: L.vdot(L.ones(2), L.ones(3)),
    lambda L: L.vdot(L.ones(2), L.ones(2, dtype=L.float64)),
])
def test_cholesky_solve_inverse_and_vdot_errors_as_torch(call: Any) -> None:
    """The functions added for scripts that call torch.cholesky_solve, cholesky_inverse and
    vdot: their bad input raises torch's class and message."""
    torch = pytest.importorskip("torch")
    got = []
    for lib in (tg, torch):
        with pytest.raises(Exception) as info:
            call(lib)
        got.append((type(info.value).__name__, str(info.value)))
    assert got[0][0] == got[1][0] and got[0][1].startswith(got[1][1]), got  # (+ a hint)


def test_legacy_svd_and_qr_return_torchs_tuples() -> None:
    """``tg.svd`` returns V (not Vh) and zeros without ``compute_uv``; ``tg.qr(some=)``."""
    a = tg.tensor([[3.0, 0.0], [0.0, 2.0], [0.0, 0.0]])
    u, s, v = tg.svd(a)
    assert (u.shape, s.tolist(), v.shape) == ((3, 2), [3.0, 2.0], (2, 2))
    assert tg.allclose(u @ tg.diag(s) @ v.mT, a)
    r = tg.svd(a, compute_uv=False)
    assert r.U.shape == (3, 3) and r.V.shape == (2, 2) and r.U.abs().sum().item() == 0
    assert "tinygrad_edu.return_types.svd(" in repr(r)
    q, rr = tg.qr(a, some=False)
    assert q.shape == (3, 3) and rr.shape == (3, 2)
