"""Linear algebra III: triangular systems (``solve_triangular``), the condition number
(``cond``), and the variants of ``inv``, ``cholesky`` and ``solve`` that report failure in
an ``info`` tensor instead of raising (``inv_ex``, ``cholesky_ex``, ``solve_ex``;
``check_errors=True`` raises as the plain functions do).

``info`` is LAPACK's, as PyTorch returns it (int32, one per matrix of the batch): 0 for
success; for an LU-based routine the position (from 1) of the first zero pivot, for
Cholesky the order of the first leading minor that is not positive-definite. Where a
matrix fails, PyTorch returns what LAPACK left in its output (infs and NaNs of a
division by a zero pivot, a partial factor); here those matrices are NaN.

``solve_triangular``'s gradient, for ``A X = B`` with A triangular and ``G = dL/dX``:
``dL/dB = A^-T G`` (a triangular solve with the transposed triangle) and
``dL/dA = -(dL/dB) X^T``, kept to A's triangle (the other is not read), its diagonal
dropped when ``unitriangular`` (the diagonal is not read either).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ..amp.autocast_mode import autocast_op
from ..core.function import _wrap
from ..parity.names import scalar_type_name
from . import dual
from .arithmetic import where
from .decompositions import _return_type, svdvals
from .dual import _Op
from .linalg import (
    Cholesky,
    Inv,
    LinAlgError,
    Solve,
    _first_zero_pivot,
    _invertible,
    _not_positive_definite,
    _singular,
    check_matrix,
    check_square,
    mT,
    solve_args,
    tril_any,
)
from .matrix_norms import matrix_norm

if TYPE_CHECKING:
    from ..tensor import Tensor

InvExResult = _return_type("linalg_inv_ex", "inverse info")
CholeskyExResult = _return_type("linalg_cholesky_ex", "L info")
SolveExResult = _return_type("linalg_solve_ex", "result info")


# ---------------------------------------------------------------------------- solve_triangular
def _triangular_solve(a: np.ndarray, b: np.ndarray, upper: bool, unit: bool) -> np.ndarray:
    """X with A X = B, A triangular: back (``upper``) or forward substitution, row by row,
    each row for the whole batch at once. A zero on the diagonal gives infs and NaNs, as
    LAPACK's trtrs, not an error."""
    shape = np.broadcast_shapes(a.shape[:-2], b.shape[:-2]) + b.shape[-2:]
    x = np.zeros(shape, np.result_type(a, b))
    n = a.shape[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in (range(n - 1, -1, -1) if upper else range(n)):
            known = slice(i + 1, n) if upper else slice(0, i)
            row = b[..., i, :] - np.einsum("...j,...jk->...k", a[..., i, known], x[..., known, :])
            x[..., i, :] = row if unit else row / a[..., i, i, None]
    return x


def _solve_triangular_any(a: Any, b: Any, upper: bool, left: bool, unit: bool) -> Any:
    """The triangular solve on arrays, or recorded on Tensors (a backward differentiated)."""
    if dual._is_array(a) and dual._is_array(b):
        return SolveTriangular.forward(None, a, b, upper, left, unit)
    a, b = (_wrap(np.asanyarray(x)) if dual._is_array(x) else x for x in (a, b))
    return SolveTriangular.apply(a, b, upper, left, unit)


def _triangle(x: Any, upper: bool, unit: bool) -> Any:
    """The part of a gradient on A's triangle (without the diagonal when ``unit``)."""
    k = 1 if unit else 0
    if upper:
        return np.triu(x, k) if dual._is_array(x) else x.triu(k)
    return tril_any(x, -k)


class SolveTriangular(_Op):
    """``X = A^-1 B`` (``left``) or ``B A^-1`` for a triangular A (only its ``upper`` or
    lower triangle is read; a unit diagonal is assumed when ``unit``)."""

    _grad_fn_name = "LinalgSolveTriangularBackward0"
    ctx_fields = ("upper", "left", "unit")

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any, upper: bool, left: bool, unit: bool) -> Any:
        if left:
            x = _triangular_solve(a, b, upper, unit)
        else:  # X A = B <=> A^T X^T = B^T, A^T with the other triangle
            x = np.ascontiguousarray(mT(_triangular_solve(mT(a), mT(b), not upper, unit)))
        if ctx is not None:
            ctx.upper, ctx.left, ctx.unit = upper, left, unit
            ctx.save_for_backward(a, x)
        return x

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        a, x = ctx.saved_tensors
        upper, left, unit = ctx.upper, ctx.left, ctx.unit
        # the solve with A^T: its triangle is the other one
        gb = _solve_triangular_any(mT(a), grad, not upper, left, unit)
        ga = -(gb @ mT(x)) if left else -(mT(x) @ gb)
        need_a, need_b = ctx.needs_input_grad[:2]
        return (_triangle(ga, upper, unit) if need_a else None), (gb if need_b else None), \
            None, None, None


def solve_triangular(A: Tensor, B: Tensor, *, upper: bool, left: bool = True,
                     unitriangular: bool = False) -> Tensor:
    """The solution ``X`` of ``A X = B`` (``left=False``: ``X A = B``) for a triangular
    ``A``: only its upper (``upper=True``) or lower triangle is read, and its diagonal is
    taken as ones when ``unitriangular``. Batch dims broadcast. A zero on the diagonal
    gives infs and NaNs, not an error (as PyTorch).

    >>> tg.linalg.solve_triangular(tg.tensor([[2.0, 1.0], [0.0, 4.0]]),
    ...                            tg.tensor([[3.0], [4.0]]), upper=True)
    tensor([[1.],
            [1.]])
    """
    name = "linalg.solve_triangular"
    for label, t in (("A", A), ("B", B)):
        if t.ndim < 2:
            raise RuntimeError(f"{name}: The input tensor {label} must have at least 2 "
                               "dimensions.")
    a, b = A._data, B._data
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are "
                           f"{a.shape[-2]} by {a.shape[-1]} matrices")
    if (b.shape[-2] if left else b.shape[-1]) != a.shape[-1]:
        equation = "AX = B" if left else "XA = B"
        raise RuntimeError(f"{name}: Incompatible shapes of A and B for the equation "
                           f"{equation} ({a.shape[-2]}x{a.shape[-1]} and "
                           f"{b.shape[-2]}x{b.shape[-1]})")
    if a.dtype not in (np.float32, np.float64):
        raise NotImplementedError("\"triangular_solve_cpu\" not implemented for "
                                  f"'{scalar_type_name(a.dtype)}'")
    if b.dtype != a.dtype:  # (PyTorch computes in A's dtype)
        B = B.to(A.dtype)
    return SolveTriangular.apply(A, B, upper, left, unitriangular)  # type: ignore[no-any-return]


# ------------------------------------------------------------ solves with a Cholesky factor
def _cholesky_solve_any(b: Any, factor: Any, upper: bool) -> Any:
    """``A^-1 B`` for ``A = L L^T`` (``factor`` L; or U with ``A = U^T U``): a forward then
    a back substitution, as LAPACK's potrs. On arrays, or recorded on Tensors."""
    if not (dual._is_array(b) and dual._is_array(factor)):
        return CholeskySolve.apply(b, factor, upper)
    lower = mT(factor) if upper else factor
    y = _triangular_solve(lower, b, False, False)
    return _triangular_solve(mT(lower), y, True, False)


class CholeskySolve(_Op):
    """``X = A^-1 B`` given A's Cholesky factor. With ``G = A^-1 grad``, the gradient of B
    is G and that of the factor ``-(G X^T + X G^T) L`` (``-U (G X^T + X G^T)`` when
    upper): the solve's own gradient, ``-G X^T``, taken through ``A = L L^T``."""

    _grad_fn_name = "CholeskySolveBackward0"
    ctx_fields = ("upper",)

    @staticmethod
    def forward(ctx: Any, b: Any, factor: Any, upper: bool) -> Any:
        x = _cholesky_solve_any(b, factor, upper)
        ctx.upper = upper
        ctx.save_for_backward(factor, x)
        return x

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        factor, x = ctx.saved_tensors
        g = _cholesky_solve_any(grad, factor, ctx.upper)
        both = g @ mT(x)
        both = both + mT(both)
        return g, -(factor @ both) if ctx.upper else -(both @ factor), None


class CholeskyInverse(_Op):
    """``A^-1`` given A's Cholesky factor: ``CholeskySolve`` of the identity, whose
    gradient is then ``-A^-1 (grad + grad^T) A^-1`` taken through the factor."""

    _grad_fn_name = "CholeskyInverseBackward0"
    ctx_fields = ("upper",)

    @staticmethod
    def forward(ctx: Any, factor: Any, upper: bool) -> Any:
        eye = np.broadcast_to(np.eye(factor.shape[-1], dtype=factor.dtype), factor.shape)
        inverse = _cholesky_solve_any(eye, factor, upper)
        ctx.upper = upper
        ctx.save_for_backward(factor, inverse)
        return inverse

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        factor, inverse = ctx.saved_tensors
        both = inverse @ ((grad + mT(grad)) @ inverse)
        return -(factor @ both) if ctx.upper else -(both @ factor), None


def _check_kernel_dtype(kernel: str, factor: Tensor) -> None:
    if factor._data.dtype not in (np.float32, np.float64):
        raise NotImplementedError(f"\"{kernel}\" not implemented for "
                                  f"'{scalar_type_name(factor._data.dtype)}'")


def cholesky_solve(B: Tensor, L: Tensor, upper: bool = False) -> Tensor:
    """X with ``A X = B``, given A's Cholesky factor ``L`` (lower: ``A = L L^T``; or
    ``upper``: ``A = U^T U``). Batch dims broadcast.

    >>> tg.cholesky_solve(tg.tensor([[2.0], [4.0]]), tg.tensor([[2.0, 0.0], [0.0, 1.0]]))
    tensor([[0.5000],
            [4.0000]])
    """
    check_square("cholesky_solve", L)
    if B.ndim < 2 or B.shape[-2] != L.shape[-1]:
        raise RuntimeError("Incompatible matrix sizes for cholesky_solve: each A matrix is "
                           f"{L.shape[-1]} by {L.shape[-1]} but each b matrix is "
                           f"{B.shape[-2] if B.ndim > 1 else 1} by {B.shape[-1]}")
    if B._data.dtype != L._data.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type "
                           f"{scalar_type_name(B._data.dtype)} and A of type "
                           f"{scalar_type_name(L._data.dtype)} instead.")
    _check_kernel_dtype("cholesky_solve_cpu", L)
    return CholeskySolve.apply(B, L, upper)  # type: ignore[no-any-return]


def cholesky_inverse(L: Tensor, upper: bool = False) -> Tensor:
    """The inverse of ``A = L L^T`` (or ``U^T U`` when ``upper``) from its Cholesky factor.

    >>> tg.cholesky_inverse(tg.tensor([[2.0, 0.0], [0.0, 1.0]]))
    tensor([[0.2500, 0.0000],
            [0.0000, 1.0000]])
    """
    check_square("cholesky_inverse", L)
    _check_kernel_dtype("cholesky_inverse_out_cpu", L)
    return CholeskyInverse.apply(L, upper)  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------- the _ex forms
def _info(a: np.ndarray, failed_at: Any) -> np.ndarray:
    """LAPACK's info for each matrix of a batch: ``failed_at(matrix)``, 0 if it did not."""
    flat = a.reshape(-1, *a.shape[-2:])
    return np.array([failed_at(m) for m in flat], np.int32).reshape(a.shape[:-2])


def _lu_failure(m: np.ndarray) -> int:
    try:
        np.linalg.inv(m)
    except np.linalg.LinAlgError:
        return _first_zero_pivot(m)
    return 0


def _cholesky_failure(m: np.ndarray) -> int:
    for order in range(1, m.shape[0] + 1):
        try:
            np.linalg.cholesky(m[:order, :order])
        except np.linalg.LinAlgError:
            return order
    return 0


def _nan_where(result: Tensor, failed: np.ndarray) -> Tensor:
    """``result`` with the matrices of the failed batch elements NaN."""
    if not failed.any():
        return result
    mask = np.broadcast_to(failed.reshape(failed.shape + (1,) * (result.ndim - failed.ndim)),
                           result.shape)
    return where(_wrap(mask), float("nan"), result)  # type: ignore[no-any-return]


def _relabelled(error: BaseException, old: str, new: str) -> LinAlgError:
    return LinAlgError(str(error).replace(old, new, 1))


@autocast_op("linalg_inv_ex")
def inv_ex(A: Tensor, *, check_errors: bool = False) -> Any:
    """``(inverse, info)``: ``inv`` that reports a singular matrix in ``info`` (the first
    zero pivot, from 1; 0 when invertible) instead of raising, unless ``check_errors``.

    >>> tg.linalg.inv_ex(tg.tensor([[2.0, 0.0], [0.0, 0.0]])).info
    tensor(2, dtype=tinygrad_edu.int32)
    """
    check_matrix("linalg.inv", A)
    info = _info(A._data, _lu_failure)
    failed = info > 0
    if failed.any() and check_errors:
        raise _relabelled(_singular("linalg.inv", A._data), "linalg.inv:", "linalg.inv_ex:")
    inverse = _nan_where(Inv.apply(_invertible(A, failed)), failed)
    return InvExResult(inverse, _wrap(info))


@autocast_op("linalg_cholesky_ex")
def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False) -> Any:
    """``(L, info)``: ``cholesky`` that reports a matrix that is not positive-definite in
    ``info`` (the order of its first such leading minor; 0 on success) instead of raising,
    unless ``check_errors``.

    >>> tg.linalg.cholesky_ex(tg.tensor([[4.0, 2.0], [2.0, 2.0]])).L
    tensor([[2., 0.],
            [1., 1.]])
    """
    check_matrix("linalg.cholesky", A, low_precision="cholesky_cpu")
    info = _info(np.tril(A._data), _cholesky_failure)  # (potrf reads the lower triangle)
    failed = info > 0
    if failed.any() and check_errors:
        raise _relabelled(_not_positive_definite(A._data), "linalg.cholesky:",
                          "linalg.cholesky_ex:")
    low = Cholesky.apply(_invertible(A, failed), upper)
    return CholeskyExResult(_nan_where(low, failed), _wrap(info))


def solve_ex(A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False) -> Any:
    """``(result, info)``: ``solve`` that reports a singular ``A`` in ``info`` (as
    ``inv_ex``) instead of raising, unless ``check_errors``.

    >>> tg.linalg.solve_ex(tg.tensor([[2.0, 0.0], [0.0, 4.0]]), tg.tensor([1.0, 1.0])).result
    tensor([0.5000, 0.2500])
    """
    vector = solve_args(A, B, left)
    info = _info(A._data, _lu_failure)  # (one per matrix of A: its LU)
    failed = info > 0
    if failed.any() and check_errors:
        raise _relabelled(_singular("linalg.solve", A._data), "torch.linalg.solve:",
                          "torch.linalg.solve_ex:")
    result = Solve.apply(_invertible(A, failed), B, left, vector)
    return SolveExResult(_nan_where(result, failed), _wrap(info))


# ---------------------------------------------------------------------------- cond
_COND_ORDS = (None, 1, -1, 2, -2, math.inf, -math.inf, "fro", "nuc")


@autocast_op("linalg_cond")
def cond(A: Tensor, p: Any = None) -> Tensor:
    """The condition number ``||A||_p ||A^-1||_p`` (``p``: None or +-2, from the singular
    values, ``sigma_max / sigma_min``, any shape; 1, -1, inf, -inf, 'fro', 'nuc': square
    matrices). A singular matrix has condition number inf.

    >>> tg.linalg.cond(tg.tensor([[2.0, 0.0], [0.0, 0.5]]))
    tensor(4.)
    """
    if isinstance(p, str):
        check_matrix(f"linalg.cond(ord={p})", A, low_precision="lu_cpu")
    elif A.ndim < 2:
        raise RuntimeError("linalg.cond: The input tensor must have at least 2 dimensions.")
    if p not in _COND_ORDS or isinstance(p, bool):
        raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    if A.numel() == 0:
        return _wrap(np.zeros(A.shape[:-2], A._data.dtype))
    if p is None or (not isinstance(p, str) and abs(p) == 2):
        s = svdvals(A)
        s_max, s_min = s.narrow(-1, 0, 1), s.narrow(-1, s.shape[-1] - 1, 1)
        return (s_min / s_max if p == -2 else s_max / s_min).squeeze(-1)
    if not isinstance(p, str):
        shown = str(p) if isinstance(p, int) else f"{p:f}"  # (C++'s std::to_string)
        check_matrix(f"linalg.cond(ord={shown})", A, low_precision="lu_cpu")
    if p == "nuc":  # (the definition: matrix_norm's "nuc" refuses infinities)
        s = svdvals(A)
        return s.sum(-1) * s.reciprocal().sum(-1)  # type: ignore[no-any-return]
    inverse, info = inv_ex(A)
    singular = (info._data > 0)[..., None, None]
    # in place, as PyTorch: the inverse its backward saved is modified, so (as torch 2.13's)
    # this cond has no gradient: backward raises
    inverse.masked_fill_(_wrap(np.broadcast_to(singular, inverse.shape)), math.inf)
    result = matrix_norm(A, p) * matrix_norm(inverse, p)
    return result.nan_to_num(math.inf, math.inf, -math.inf)  # type: ignore[no-any-return]

