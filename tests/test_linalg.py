"""tg.linalg beyond the op table (test_ops.py holds every differentiable function's
gradients): PyTorch's errors (LinAlgError for singular and non-positive-definite input),
the named results, lstsq's extra outputs, matrix_rank, the determinant's gradient at a
singular matrix, and the Tensor / tg aliases."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg

torch = pytest.importorskip("torch")


def _t(L: Any, values: Any, dtype: str = "float64") -> Any:
    return L.tensor(values, dtype=getattr(L, dtype))


SINGULAR = [[1.0, 2.0], [2.0, 4.0]]
EYE = [[1.0, 0.0], [0.0, 1.0]]

ERRORS: dict[str, Callable[[Any], Any]] = {
    "inv of a singular matrix": lambda L: L.linalg.inv(_t(L, SINGULAR)),
    "inv of a batch with a singular matrix": lambda L: L.linalg.inv(_t(L, [EYE, SINGULAR])),
    "inv of a zero column": lambda L: L.linalg.inv(_t(L, [[1.0, 0.0, 2.0], [3.0, 0.0, 1.0],
                                                         [1.0, 0.0, 5.0]])),
    "inverse of a singular matrix": lambda L: _t(L, SINGULAR).inverse(),
    "inv of a non-square matrix": lambda L: L.linalg.inv(L.ones(2, 3)),
    "inv of a vector": lambda L: L.linalg.inv(L.ones(3)),
    "inv of integers": lambda L: L.linalg.inv(L.ones(2, 2, dtype=L.int64)),
    "inv of float16": lambda L: L.linalg.inv(L.ones(2, 2, dtype=L.float16)),
    "det of a non-square matrix": lambda L: L.linalg.det(L.ones(2, 3)),
    "det of integers": lambda L: L.det(L.ones(2, 2, dtype=L.int64)),
    "det of float16": lambda L: L.linalg.det(L.ones(2, 2, dtype=L.float16)),
    "slogdet of a non-square matrix": lambda L: L.linalg.slogdet(L.ones(2, 3)),
    "solve with a singular matrix": lambda L: L.linalg.solve(_t(L, SINGULAR), _t(L, [1.0, 1.0])),
    "solve, a batch with a singular matrix": lambda L: L.linalg.solve(
        _t(L, [EYE, SINGULAR]), _t(L, [[1.0], [1.0]])),
    "solve, shapes": lambda L: L.linalg.solve(_t(L, EYE), _t(L, [1.0, 2.0, 3.0])),
    "solve, matrix shapes": lambda L: L.linalg.solve(_t(L, EYE), L.ones(3, 2, dtype=L.float64)),
    "solve, dtypes": lambda L: L.linalg.solve(_t(L, EYE), _t(L, [1.0, 2.0], "float32")),
    "solve, a vector with left=False": lambda L: L.linalg.solve(_t(L, EYE), _t(L, [1.0, 2.0]),
                                                                left=False),
    "cholesky of a negative matrix": lambda L: L.linalg.cholesky(-_t(L, EYE)),
    "cholesky, the second minor": lambda L: L.linalg.cholesky(_t(L, [[1.0, 2.0], [2.0, 1.0]])),
    "cholesky of a batch": lambda L: L.linalg.cholesky(_t(L, [EYE, [[1.0, 0.0], [0.0, -1.0]]])),
    "cholesky of a non-square matrix": lambda L: L.linalg.cholesky(L.ones(2, 3)),
    "eigh of a non-square matrix": lambda L: L.linalg.eigh(L.ones(2, 3)),
    "eigh, UPLO": lambda L: L.linalg.eigh(_t(L, EYE), UPLO="X"),
    "eigvalsh of float16": lambda L: L.linalg.eigvalsh(L.ones(2, 2, dtype=L.float16)),
    "qr, mode": lambda L: L.linalg.qr(_t(L, EYE), mode="x"),
    "qr of a vector": lambda L: L.linalg.qr(L.ones(2)),
    "qr(mode='r') backward": lambda L: L.linalg.qr(
        _t(L, [[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]]).requires_grad_(), mode="r")[1].sum()
    .backward(),
    "qr(mode='complete') backward, tall": lambda L: L.linalg.qr(
        _t(L, [[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]]).requires_grad_(), mode="complete")[1]
    .sum().backward(),
    "svd of a vector": lambda L: L.linalg.svd(L.ones(2)),
    "svd of integers": lambda L: L.linalg.svd(L.ones(2, 2, dtype=L.int64)),
    "matrix_norm, order": lambda L: L.linalg.matrix_norm(_t(L, EYE), ord=3),
    "matrix_norm of a vector": lambda L: L.linalg.matrix_norm(L.ones(2)),
    "norm with ord of a 3-D tensor": lambda L: L.linalg.norm(L.ones(2, 2, 2), ord=2),
    "norm 'fro' of a vector": lambda L: L.linalg.norm(L.ones(2), ord="fro"),
    "vector_norm of integers": lambda L: L.linalg.vector_norm(L.ones(2, dtype=L.int64)),
    "lstsq, driver": lambda L: L.linalg.lstsq(_t(L, EYE), _t(L, [[1.0], [1.0]]), driver="x"),
    "lstsq, rows": lambda L: L.linalg.lstsq(_t(L, EYE), L.ones(3, 1, dtype=L.float64)),
    "pinv of a vector": lambda L: L.linalg.pinv(L.ones(2, dtype=L.float64)),
    "matrix_rank of integers": lambda L: L.linalg.matrix_rank(L.ones(2, 2, dtype=L.int64)),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_like_torch(name: str) -> None:
    """PyTorch's exception class (LinAlgError where it raises its own) and message,
    except the hint tinygrad_edu adds after some."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as theirs:
            ERRORS[name](torch)
        with pytest.raises(Exception) as mine:
            ERRORS[name](tg)
    if isinstance(theirs.value, torch.linalg.LinAlgError):
        assert isinstance(mine.value, tg.linalg.LinAlgError), mine.value
        assert isinstance(mine.value, RuntimeError)
    else:
        assert type(mine.value) is type(theirs.value), (mine.value, theirs.value)
    assert str(mine.value).startswith(str(theirs.value)), (str(mine.value), str(theirs.value))


def test_linalg_error_is_a_runtime_error() -> None:
    assert issubclass(tg.linalg.LinAlgError, RuntimeError)
    with pytest.raises(RuntimeError):
        tg.linalg.inv(_t(tg, SINGULAR))


RESULTS: dict[str, Callable[[Any], Any]] = {
    "slogdet": lambda L: L.linalg.slogdet(_t(L, [[-2.0, 1.0], [0.5, 3.0]])),
    "slogdet of a singular matrix": lambda L: L.linalg.slogdet(_t(L, SINGULAR)),
    "tg.slogdet": lambda L: L.slogdet(_t(L, [[2.0, 1.0], [0.5, 3.0]])),
    "logdet, negative det": lambda L: L.logdet(_t(L, [[-2.0, 1.0], [0.5, 3.0]])),
    "logdet, singular": lambda L: L.logdet(_t(L, SINGULAR)),
    "det of a singular matrix": lambda L: L.linalg.det(_t(L, SINGULAR)),
    "det of an empty matrix": lambda L: L.linalg.det(L.ones(0, 0, dtype=L.float64)),
    "inv of an empty matrix": lambda L: L.linalg.inv(L.ones(0, 0, dtype=L.float64)),
    "qr reduced, tall": lambda L: L.linalg.qr(_t(L, [[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]])),
    "qr complete, tall": lambda L: L.linalg.qr(_t(L, [[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]]),
                                               mode="complete"),
    "qr r": lambda L: L.linalg.qr(_t(L, [[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]]), mode="r"),
    "eigh, upper": lambda L: L.linalg.eigh(_t(L, [[2.0, 1.0], [5.0, 3.0]]), UPLO="U")[0],
    "eigvalsh, float32": lambda L: L.linalg.eigvalsh(_t(L, [[2.0, 1.0], [1.0, 3.0]], "float32")),
    "svd full, shapes": lambda L: tuple(x.abs() for x in L.linalg.svd(
        _t(L, [[1.0, 2.0], [3.0, 4.0], [5.0, 7.0], [1.0, 0.0]]))[1:]),
    "svdvals of a batch": lambda L: L.linalg.svdvals(L.arange(12.0).reshape(2, 3, 2)),
    "pinv of a rank-1 matrix": lambda L: L.linalg.pinv(_t(L, SINGULAR)),
    "pinv hermitian": lambda L: L.linalg.pinv(_t(L, [[2.0, 1.0], [1.0, -3.0]]), hermitian=True),
    "pinv with atol": lambda L: L.linalg.pinv(_t(L, [[2.0, 0.0], [0.0, 1e-3]]), atol=0.01),
    "matrix_rank": lambda L: L.linalg.matrix_rank(_t(L, SINGULAR)),
    "matrix_rank of a batch": lambda L: L.linalg.matrix_rank(_t(L, [EYE, SINGULAR])),
    "matrix_rank, hermitian, rtol": lambda L: L.linalg.matrix_rank(
        _t(L, [[1.0, 0.0], [0.0, 1e-3]]), hermitian=True, rtol=0.01),
    "matrix_rank, atol": lambda L: L.linalg.matrix_rank(_t(L, [[1.0, 0.0], [0.0, 1e-3]]),
                                                        atol=0.1),
    "norm of a vector, ord 0": lambda L: L.linalg.norm(_t(L, [0.0, 2.0, 3.0]), 0),
    "matrix_norm keepdim": lambda L: L.linalg.matrix_norm(L.ones(2, 3, 2), 2, keepdim=True),
    "matrix_norm of a batch, dims": lambda L: L.linalg.matrix_norm(
        L.arange(12.0).reshape(2, 3, 2), float("inf"), dim=(0, 2)),
    "vector_norm, dtype": lambda L: L.linalg.vector_norm(_t(L, [3.0, 4.0], "float32"),
                                                         dtype=L.float64),
}


def _same(mine: Any, theirs: Any, what: str) -> None:
    if isinstance(theirs, tuple):
        assert isinstance(mine, tuple) and len(mine) == len(theirs), what
        for k, (m, t) in enumerate(zip(mine, theirs)):
            _same(m, t, f"{what}[{k}]")
        return
    assert tuple(mine.shape) == tuple(theirs.shape), f"{what}: shape"
    assert str(mine.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1], f"{what}: dtype"
    np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-6, atol=1e-12,
                               err_msg=what)


@pytest.mark.parametrize("name", list(RESULTS))
def test_results_like_torch(name: str) -> None:
    """Values, shapes and dtypes, named results included (QR's signs are LAPACK's in both)."""
    _same(RESULTS[name](tg), RESULTS[name](torch), name)


@pytest.mark.parametrize("driver", [None, "gels", "gelsy", "gelsd", "gelss"])
@pytest.mark.parametrize("shape", [(4, 2), (2, 2), (2, 3)])
def test_lstsq_outputs_like_torch(driver: Any, shape: tuple[int, int]) -> None:
    """The four results: residuals, rank and singular values where the driver gives them
    (empty tensors otherwise), and the solution (minimum-norm for a wide A)."""
    if driver == "gels" and shape[0] < shape[1]:
        pytest.skip("gels solves a wide system differently (not the minimum-norm solution)")
    rng = np.random.default_rng(sum(shape))
    a, b = rng.standard_normal(shape), rng.standard_normal((shape[0], 3))
    mine = tg.linalg.lstsq(tg.tensor(a), tg.tensor(b), driver=driver)
    theirs = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver=driver)
    assert mine._fields == ("solution", "residuals", "rank", "singular_values")
    _same(tuple(mine), tuple(theirs), f"lstsq {driver}")


def test_named_results_print_as_torch() -> None:
    out = tg.linalg.slogdet(tg.tensor([[2.0, 0.0], [0.0, 3.0]]))
    assert out.sign is out[0] and out.logabsdet is out[1]
    assert repr(out).startswith("tinygrad_edu.return_types.linalg_slogdet(\nsign=tensor(1.)")
    u, s, vh = tg.linalg.svd(tg.eye(2))
    assert tg.linalg.eigh(tg.eye(2))._fields == ("eigenvalues", "eigenvectors")
    assert tg.linalg.qr(tg.eye(2))._fields == ("Q", "R")


@pytest.mark.parametrize("values", [SINGULAR, [[0.0, 0.0], [0.0, 0.0]], [[1.0, 0.0], [0.0, 0.0]],
                                    [[0.0]], [[[0.0]], [[2.0]]],
                                    [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]],
                                    [[EYE, SINGULAR]]])
def test_det_gradient_at_a_singular_matrix(values: Any) -> None:
    """Where det A is exactly 0, PyTorch's gradient is 0 (``g det(A) A^-T``, though the
    cofactors of a rank n-1 matrix are not 0): the same here, and finite."""
    grads = []
    for L in (tg, torch):
        a = _t(L, values).requires_grad_()
        L.linalg.det(a).sum().backward()
        grads.append(a.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-7, atol=1e-12)


def test_slogdet_gradient_at_a_singular_matrix_is_not_finite() -> None:
    """log|det A| = -inf at a singular A has no derivative: NaN here (PyTorch: the inf and
    NaN of its LU solve), not an exception."""
    a = _t(tg, [EYE, SINGULAR]).requires_grad_()
    tg.linalg.slogdet(a).logabsdet.sum().backward()
    assert np.isnan(a.grad.numpy()[1]).all()
    np.testing.assert_allclose(a.grad.numpy()[0], np.eye(2))
    b = _t(torch, SINGULAR).requires_grad_()
    torch.linalg.slogdet(b).logabsdet.backward()
    assert not np.isfinite(b.grad.numpy()).any()


def test_aliases_are_the_same_ops() -> None:
    """tg.inverse / Tensor.inverse, tg.det, tg.cholesky: torch's grad_fn names."""
    a = tg.tensor([[4.0, 1.0], [1.0, 3.0]], requires_grad=True)
    assert type(tg.inverse(a).grad_fn).__name__ == "LinalgInvExBackward0"
    assert type(a.det().grad_fn).__name__ == "LinalgDetBackward0"
    assert type(tg.cholesky(a).grad_fn).__name__ == "CholeskyBackward0"
    assert type(tg.linalg.cholesky(a).grad_fn).__name__ == "LinalgCholeskyExBackward0"
    assert type(tg.pinverse(a).grad_fn).__name__ == "LinalgPinvBackward0"
    sign, logabsdet = tg.slogdet(a)
    assert type(logabsdet.grad_fn).__name__ == "LinalgSlogdetBackward0"
