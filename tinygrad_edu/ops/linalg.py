"""Linear algebra I, square systems: ``inv``, ``det``, ``slogdet``, ``solve``, ``cholesky``
(``tg.linalg``; the Tensor's methods: ops/decompositions.py), with PyTorch's checks,
errors and gradients.

Every function works on batches: the last two dims are the matrix, the leading ones
index it. The gradients are the classic matrix-calculus results (Giles, "An extended
collection of matrix derivative results", 2008), for ``G = dL/d(output)``:

- ``Y = A^-1``:          ``dL/dA = -Y^T G Y^T``
- ``d = det A``:         ``dL/dA = g d A^-T``  (``g adj(A)^T``, the cofactor matrix)
- ``log|det A|``:        ``dL/dA = g A^-T``
- ``X = A^-1 B``:        ``dL/dB = A^-T G``, ``dL/dA = -(dL/dB) X^T``
- ``A = L L^T``:         ``dL/dA = L^-T Phi(L^T G) L^-1``, symmetrized (``Phi``: the lower
  triangle with half the diagonal)

Each backward is written once, with ``@``, transposes and these helpers, so that it runs
on numpy arrays and, under ``create_graph=True``, on Tensors (second derivatives).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..amp.autocast_mode import autocast_op
from ..dtypes import FLOATING, REDUCED
from ..parity.grad_fn_names import labelled
from ..parity.names import scalar_type_name
from . import dual
from .dual import _Op

if TYPE_CHECKING:
    from ..tensor import Tensor


class LinAlgError(RuntimeError):
    """A linear-algebra routine failed on its input (a singular matrix for ``inv`` and
    ``solve``, one that is not positive-definite for ``cholesky``): PyTorch's
    ``torch.linalg.LinAlgError``, a ``RuntimeError``."""


LinAlgError.__module__ = "tinygrad_edu.linalg"


# ---------------------------------------------------------------------------- checks
def check_matrix(name: str, x: Any, square: bool = True, low_precision: str = "") -> None:
    """PyTorch's checks of a (batch of) matrix argument ``A``, in its order: at least 2-D,
    floating point, square; ``low_precision`` names the kernel that refuses float16
    (``"lu_cpu"``) or, empty, says so in ``name``'s words."""
    data = x._data
    if data.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if data.dtype not in FLOATING:
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                           f"Got {scalar_type_name(data.dtype)}")
    if square and data.shape[-1] != data.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are "
                           f"{data.shape[-2]} by {data.shape[-1]} matrices")
    if data.dtype in REDUCED:  # (float16 and bfloat16)
        kind = scalar_type_name(data.dtype)
        if low_precision:
            raise NotImplementedError(f"\"{low_precision}\" not implemented for '{kind}'")
        raise RuntimeError(f"{name}: Low precision dtypes not supported. Got {kind}")


def check_square(name: str, A: Any) -> None:
    """At least 2-D and square, in PyTorch's words (any dtype): ``matrix_power``'s checks,
    and a Cholesky factor's."""
    if A.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")


def _batch_prefix(a: np.ndarray, k: int) -> str:
    """PyTorch's "(Batch element k): " before a message about matrix k of a batch."""
    return f"(Batch element {k}): " if a.ndim > 2 else ""


def idamax(columns: np.ndarray) -> np.ndarray:
    """BLAS's ``idamax`` along the last axis, the pivot LAPACK picks: the first largest
    ``|x|`` -- NaN never wins, as ``|x| > best`` is false for it, unless it comes first."""
    size = np.abs(columns)
    first_nan = np.isnan(size[..., 0])
    best = np.argmax(np.where(np.isnan(size), -1.0, size), axis=-1)
    return np.where(first_nan, 0, best)  # type: ignore[no-any-return]


def _first_zero_pivot(a: np.ndarray) -> int:
    """Where LU with partial pivoting (LAPACK's getrf) first meets an exact zero pivot,
    counted from 1 (0: none): what PyTorch reports for a singular matrix."""
    u = np.array(a, dtype=np.float64)
    for k in range(u.shape[0]):
        p = k + int(idamax(u[k:, k]))
        if u[p, k] == 0:
            return k + 1
        u[[k, p]] = u[[p, k]]
        u[k + 1:, k] /= u[k, k]
        u[k + 1:, k + 1:] -= np.outer(u[k + 1:, k], u[k, k + 1:])
    return u.shape[0]  # (numpy found it singular in the last pivot)


def _singular(name: str, a: np.ndarray) -> LinAlgError:
    """The error of ``inv`` (``name``: linalg.inv) or ``solve`` for a singular matrix."""
    flat = a.reshape(-1, *a.shape[-2:])
    for k, m in enumerate(flat):
        try:
            np.linalg.inv(m)
        except np.linalg.LinAlgError:
            prefix = _batch_prefix(a, k)
            if name == "linalg.inv":
                return LinAlgError(f"linalg.inv: {prefix}The diagonal element "
                                   f"{_first_zero_pivot(m)} is zero, the inversion could not "
                                   "be completed because the input matrix is singular.")
            return LinAlgError(f"torch.linalg.solve: {prefix}The solver failed because the "
                               "input matrix is singular.")
    return LinAlgError(f"{name}: the input matrix is singular.")


def _not_positive_definite(a: np.ndarray) -> LinAlgError:
    """``cholesky``'s error: the order of the first leading minor that is not
    positive-definite (LAPACK's potrf, which reads the lower triangle)."""
    flat = a.reshape(-1, *a.shape[-2:])
    for k, m in enumerate(flat):
        for order in range(1, m.shape[0] + 1):
            try:
                np.linalg.cholesky(m[:order, :order])
            except np.linalg.LinAlgError:
                return LinAlgError(
                    f"linalg.cholesky: {_batch_prefix(a, k)}The factorization could not be "
                    "completed because the input is not positive-definite (the leading minor "
                    f"of order {order} is not positive-definite).")
    return LinAlgError("linalg.cholesky: the input is not positive-definite.")


# ---------------------------------------------------------------------------- helpers
def mT(x: Any) -> Any:
    """The transpose of each matrix (the last two dims)."""
    return dual.swapaxes(x, -1, -2)


def inv_any(x: Any) -> Any:
    """A^-1 of an array, or of a Tensor (recorded: a backward being differentiated)."""
    return np.linalg.inv(x) if dual._is_array(x) else Inv.apply(x)


def solve_any(a: Any, b: Any) -> Any:
    """A^-1 B for a matrix ``B``, on arrays or Tensors."""
    if dual._is_array(a) and dual._is_array(b):
        return np.linalg.solve(a, b)
    return Solve.apply(dual.constant(a, b) if dual._is_array(a) else a,
                       dual.constant(b, a) if dual._is_array(b) else b, True, False)


def tril_any(x: Any, k: int = 0) -> Any:
    """The lower triangle (below diagonal ``k``) of each matrix."""
    return np.tril(x, k) if dual._is_array(x) else x.tril(k)


def _last2(x: Any) -> Any:
    """A batch of scalars as a batch of 1x1 matrices (to scale matrices)."""
    return dual.expand_dims(x, (-1, -2))


# ---------------------------------------------------------------------------- Functions
class Inv(_Op):
    """``A^-1``; d(A^-1) = -A^-1 dA A^-1, so dL/dA = -Y^T G Y^T."""

    _grad_fn_name = "LinalgInvExBackward0"

    @staticmethod
    def forward(ctx: Any, a: Any) -> Any:
        try:
            y = np.linalg.inv(a)
        except np.linalg.LinAlgError:
            raise _singular("linalg.inv", a) from None
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (y,) = ctx.saved_tensors
        yt = mT(y)
        return -(yt @ grad @ yt)


class Det(_Op):
    """``det A``; d(det A)/dA = adj(A)^T = det(A) A^-T. Where det A is exactly 0 (and A
    is larger than 1 x 1) the gradient is 0, as PyTorch's (its product with det; the
    cofactors of a rank n-1 matrix are not 0: see test_linalg.py)."""

    _grad_fn_name = "LinalgDetBackward0"

    @staticmethod
    def forward(ctx: Any, a: Any) -> Any:
        d = np.asanyarray(np.linalg.det(a)) if a.shape[-1] else np.ones(a.shape[:-2], a.dtype)
        ctx.save_for_backward(a, d)
        return d

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        a, d = ctx.saved_tensors
        if a.shape[-1] == 1:  # (det of a 1 x 1 matrix is its element: gradient 1, also at 0)
            return _last2(grad) + dual.zeros_like(a)
        return _last2(grad * d) * mT(inv_any(_invertible(a, dual.array(d) == 0)))


def _invertible(a: Any, singular: np.ndarray) -> Any:
    """``a`` with each singular matrix (where ``singular``) replaced by I: a backward that
    multiplies by 0 there (det) or masks it (slogdet) can invert the whole batch."""
    if not np.any(singular):
        return a
    eye = np.eye(a.shape[-1], dtype=dual.array(a).dtype)
    return dual.where(_last2(singular), dual.constant(eye, a), a)


class Solve(_Op):
    """``X = A^-1 B`` (``left``) or ``X = B A^-1``; ``vector``: B is a (batch of) vector.
    For AX = B: dL/dB = A^-T G, dL/dA = -(dL/dB) X^T; for XA = B: dL/dB = G A^-T,
    dL/dA = -X^T (dL/dB)."""

    _grad_fn_name = "LinalgSolveExBackward0"
    ctx_fields = ("left", "vector")

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any, left: bool, vector: bool) -> Any:
        ctx.left, ctx.vector = left, vector
        b = b[..., None] if vector else b
        try:
            x = np.linalg.solve(a, b) if left else mT(np.linalg.solve(mT(a), mT(b)))
        except np.linalg.LinAlgError:
            raise _singular("linalg.solve", np.broadcast_to(a, np.broadcast_shapes(
                a.shape[:-2], b.shape[:-2]) + a.shape[-2:])) from None
        x = x[..., 0] if vector else x
        ctx.save_for_backward(a, x)
        return x

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        a, x = ctx.saved_tensors
        left, vector = ctx.left, ctx.vector
        if vector:
            grad, x = dual.expand_dims(grad, -1), dual.expand_dims(x, -1)
        if left:
            gb = solve_any(mT(a), grad)
            ga = -(gb @ mT(x))
        else:
            gb = mT(solve_any(a, mT(grad)))
            ga = -(mT(x) @ gb)
        if vector:
            gb = dual.reshape(gb, gb.shape[:-1])
        need_a, need_b = ctx.needs_input_grad[:2]
        return (ga if need_a else None), (gb if need_b else None), None, None


class Cholesky(_Op):
    """``L`` with ``A = L L^T`` (lower), or ``U = L^T`` when ``upper``. Backward, with
    ``Phi(X)`` the lower triangle of X with its diagonal halved:
    dL/dA = L^-T Phi(L^T G) L^-1, made symmetric (A is symmetric: only its lower triangle
    is read, but a gradient of A's two halves is shared as PyTorch does)."""

    _grad_fn_name = "LinalgCholeskyExBackward0"
    ctx_fields = ("upper",)

    @staticmethod
    def forward(ctx: Any, a: Any, upper: bool) -> Any:
        ctx.upper = upper
        try:
            low = np.linalg.cholesky(a)
        except np.linalg.LinAlgError:
            raise _not_positive_definite(a) from None
        out = np.ascontiguousarray(mT(low)) if upper else low
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (out,) = ctx.saved_tensors
        low, g = (mT(out), mT(grad)) if ctx.upper else (out, grad)
        phi = tril_any(mT(low) @ g)  # (tril(L^T triu(G, 1)) is 0: G's upper part drops out)
        sym = (phi + mT(tril_any(phi, -1))) * 0.5
        low_inv = inv_any(low)
        return mT(low_inv) @ sym @ low_inv, None


# ---------------------------------------------------------------- the public functions
@autocast_op("linalg_inv")
def inv(A: Tensor) -> Tensor:
    """The inverse of a square matrix (or of each in a batch): ``A @ inv(A) = I``. Raises
    ``tg.linalg.LinAlgError`` for a singular matrix.

    >>> tg.linalg.inv(tg.tensor([[2.0, 0.0], [0.0, 4.0]]))
    tensor([[0.5000, 0.0000],
            [0.0000, 0.2500]])
    """
    check_matrix("linalg.inv", A)
    return Inv.apply(A)


def det(A: Tensor) -> Tensor:
    """The determinant of a square matrix (or of each in a batch).

    >>> tg.linalg.det(tg.tensor([[2.0, 1.0], [1.0, 3.0]]))
    tensor(5.)
    """
    check_matrix("linalg.det", A, low_precision="lu_cpu")
    return Det.apply(A)


@autocast_op("linalg_solve")
def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:
    """The solution ``X`` of ``A X = B`` (``left=False``: of ``X A = B``) for square,
    invertible ``A``; ``B`` is a matrix, or a vector when it has one dim less than ``A``
    (and fits it). Batch dims broadcast.

    >>> tg.linalg.solve(tg.tensor([[2.0, 0.0], [0.0, 4.0]]), tg.tensor([1.0, 1.0]))
    tensor([0.5000, 0.2500])
    """
    return Solve.apply(A, B, left, solve_args(A, B, left))


def solve_args(A: Tensor, B: Tensor, left: bool) -> bool:
    """``solve``'s checks, in PyTorch's order; whether ``B`` is read as a (batch of)
    vector."""
    check_matrix("linalg.solve", A, low_precision="lu_cpu")
    a, b = A._data, B._data
    if a.dtype != b.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found "
                           f"A of type {scalar_type_name(a.dtype)} and B of type "
                           f"{scalar_type_name(b.dtype)} instead")
    vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    rows, cols = (b.shape[-1], 1) if vector else b.shape[-2:]
    if (rows if left else cols) != a.shape[-1]:
        equation = "AX = B" if left else "XA = B"
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"{equation} ({a.shape[-2]}x{a.shape[-1]} and {rows}x{cols})")
    if vector and not left:
        raise RuntimeError("linalg.solve: Vector broadcasting of the left hand side is not "
                           "supported for left=False. In this case linalg.solve is equivalent "
                           "to B / A.squeeze(-1)")
    return vector


@autocast_op("linalg_cholesky")
def cholesky(A: Tensor, *, upper: bool = False) -> Tensor:
    """The Cholesky factor ``L`` (lower triangular, positive diagonal) of a symmetric
    positive-definite ``A = L L^T``; ``upper=True`` gives ``L^T``. Only the lower triangle
    of ``A`` is read. Raises ``tg.linalg.LinAlgError`` when ``A`` is not positive-definite.

    >>> tg.linalg.cholesky(tg.tensor([[4.0, 2.0], [2.0, 2.0]]))
    tensor([[2., 0.],
            [1., 1.]])
    """
    check_matrix("linalg.cholesky", A, low_precision="cholesky_cpu")
    return Cholesky.apply(A, upper)


# torch.cholesky / Tensor.cholesky: PyTorch's older op, the same computation
CholeskyLegacy = labelled(Cholesky, "CholeskyBackward0")
