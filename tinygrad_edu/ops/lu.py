"""Linear algebra IV, the LU factorization: ``lu_factor``, ``lu_factor_ex``, ``lu`` and
``lu_solve`` (``tg.linalg``), and the legacy ``tg.lu`` / ``Tensor.lu`` and ``tg.lu_unpack``,
with PyTorch's pivots, errors and gradients.

``A = P L U`` with partial pivoting, as LAPACK's getrf: at step j the row with the largest
``|value|`` in column j (on or below the diagonal; the first one on ties) is swapped to row
j, then the column below the pivot is divided by it (L's column) and the rest updated.
``lu_factor`` returns L and U packed in one matrix (L's unit diagonal not stored) and the
``pivots``: int32, counted from 1, ``pivots[j]`` the row swapped with row j at step j.
A (m x n) need not be square: L is m x k, U k x n, k = min(m, n).

The gradient, for ``G_L = dL/dL``, ``G_U = dL/dU`` (PyTorch's linalg_lu_backward), with
A square: ``dL/dA = P L^-T (tril(L^T G_L, -1) + triu(G_U U^T)) U^-T``; for a wide or a
tall A the extra columns of U (rows of L) add their own term (see ``_lu_backward``).
``lu_factor``'s gradient is this with ``G_L``, ``G_U`` the two triangles of the packed
gradient. ``lu_solve``'s: the gradient of a solve with A (``dL/dB``: a solve with A^T),
taken back through ``A = P L U``: ``dL/dL = tril(P^T G_A U^T, -1)``,
``dL/dU = triu(L^T P^T G_A)``.

The backwards are written on Tensors (as ops/decompositions.py's), so that they are
recorded under ``create_graph=True`` (second derivatives).
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from ..amp.autocast_mode import autocast_args
from ..autograd.function import Function
from ..core.function import _wrap
from ..parity.names import scalar_type_name
from ..tensor_base import TensorBase
from .decompositions import _return_type
from .join import cat
from .linalg import _batch_prefix, check_matrix, idamax, mT
from .linalg_ex import _triangular_solve, solve_triangular

if TYPE_CHECKING:
    from ..tensor import Tensor

LuFactorResult = _return_type("linalg_lu_factor", "LU pivots")
LuFactorExResult = _return_type("linalg_lu_factor_ex", "LU pivots info")
LuResult = _return_type("linalg_lu", "P L U")


# ---------------------------------------------------------------------------- the factorization
def getrf(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(LU, pivots, info)`` of a batch of matrices, as LAPACK's getrf: one step per
    column, each step for the whole batch at once. ``info``: the first zero pivot, from 1
    (0: none); the factorization goes on past it, as LAPACK's."""
    m, n = a.shape[-2:]
    k = min(m, n)
    lu = np.array(a).reshape(int(np.prod(a.shape[:-2])), m, n)  # (a copy)
    pivots = np.zeros((lu.shape[0], k), np.int32)
    info = np.zeros(lu.shape[0], np.int32)
    batch = np.arange(lu.shape[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        for j in range(k):
            p = j + idamax(lu[:, j:, j])
            pivots[:, j] = p + 1
            lu[batch, j], lu[batch, p] = lu[batch, p], lu[batch, j]  # (whole rows, as getrf)
            pivot = lu[:, j, j]
            info[(info == 0) & (pivot == 0)] = j + 1
            # a zero pivot has a zero column below it: LAPACK skips the division
            scale = np.where(pivot == 0, 1, 1 / np.where(pivot == 0, 1, pivot))
            lu[:, j + 1:, j] *= scale[:, None]  # (times the reciprocal, as getrf)
            lu[:, j + 1:, j + 1:] -= lu[:, j + 1:, j, None] * lu[:, None, j, j + 1:]
    batch_shape = a.shape[:-2]
    return lu.reshape(a.shape), pivots.reshape(batch_shape + (k,)), info.reshape(batch_shape)


def _permutation(pivots: np.ndarray, m: int) -> np.ndarray:
    """``perm`` with ``A[perm] = L U``: the row swaps of ``pivots`` applied in order."""
    perm = np.broadcast_to(np.arange(m), pivots.shape[:-1] + (m,)).copy()
    rows = perm.reshape(int(np.prod(perm.shape[:-1])), m)
    flat = pivots.reshape(rows.shape[0], pivots.shape[-1]) - 1
    batch = np.arange(rows.shape[0])
    for j in range(flat.shape[1]):
        p = flat[:, j]
        rows[batch, j], rows[batch, p] = rows[batch, p], rows[batch, j]
    return perm


def _p_matrix(pivots: np.ndarray, m: int, dtype: Any) -> np.ndarray:
    """The permutation matrix P of ``A = P L U``: ``P[perm[i], i] = 1``."""
    perm = _permutation(pivots, m)
    p = np.zeros(perm.shape + (m,), dtype)
    np.put_along_axis(p, perm[..., :, None], 1, axis=-1)  # row i: a one at perm[i] ...
    return np.ascontiguousarray(mT(p))  # ... of P^T


def _unpack(lu: Any, k: int) -> tuple[Any, Any]:
    """L (unit lower, m x k) and U (upper, k x n) of a packed LU, Tensors or arrays."""
    m, n = lu.shape[-2:]
    eye = np.eye(m, k, dtype=lu.dtype if isinstance(lu, np.ndarray) else lu._data.dtype)
    if isinstance(lu, np.ndarray):
        return np.tril(lu[..., :, :k], -1) + eye, np.triu(lu[..., :k, :])
    return lu[..., :, :k].tril(-1) + _wrap(eye), lu[..., :k, :].triu()


def _singular_error(name: str, a: np.ndarray, info: np.ndarray) -> RuntimeError:
    """``lu_factor``'s error for the first matrix of the batch with a zero pivot."""
    k = int(np.flatnonzero(info.reshape(-1))[0])
    i = int(info.reshape(-1)[k])
    return RuntimeError(
        f"torch.{name}: {_batch_prefix(a, k)}U[{i},{i}] is zero and using it on lu_solve "
        "would result in a division by zero. If you still want to perform the "
        "factorization, consider calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)")


# ---------------------------------------------------------------------------- gradients
def _lu_backward(p: Tensor, low: Tensor, up: Tensor, g_low: Any, g_up: Any) -> Tensor:
    """dL/dA of ``A = P L U`` (PyTorch's linalg_lu_backward). A wide A = P L [U1 | U2]:
    U2 = L^-1 P^T A2 adds ``P L^-T G_U2``; a tall one, [L1; L2] U, ``P G_L2 U^-T``."""
    m, n = low.shape[-2], up.shape[-1]
    k = min(m, n)
    if m == n:
        inner = (low.mT @ g_low).tril(-1) if g_low is not None else None
        if g_up is not None:
            term = (g_up @ up.mT).triu()
            inner = term if inner is None else inner + term
        assert inner is not None  # (backward runs when some gradient arrived)
        g_a = solve_triangular(up.mT, inner, upper=False, left=False)
        g_a = solve_triangular(low.mT, g_a, upper=True, unitriangular=True)
    elif m < n:  # wide: L is square, U = [U1 | U2]
        inner = low.mT @ g_low if g_low is not None else None
        if g_up is not None:
            term = g_up.triu() @ up.mT
            inner = -term if inner is None else inner - term
        assert inner is not None
        g_a = solve_triangular(up[..., :k].mT, inner.tril(-1), upper=False, left=False)
        if g_up is not None:
            g_a = cat([g_a + g_up[..., :k].triu(), g_up[..., k:]], -1)
        g_a = solve_triangular(low.mT, g_a, upper=True, unitriangular=True)
        if g_up is None:
            g_a = cat([g_a, g_a.new_zeros(g_a.shape[:-1] + (n - k,))], -1)
    else:  # tall: U is square, L = [L1; L2]
        inner = g_up @ up.mT if g_up is not None else None
        if g_low is not None:
            term = low.mT @ g_low.tril(-1)
            inner = -term if inner is None else inner - term
        assert inner is not None
        g_a = solve_triangular(low[..., :k, :].mT, inner.triu(), upper=True,
                               unitriangular=True)
        if g_low is not None:
            g_a = cat([g_a + g_low[..., :k, :].tril(-1), g_low[..., k:, :]], -2)
        g_a = solve_triangular(up.mT, g_a, upper=False, left=False)
        if g_low is None:
            g_a = cat([g_a, g_a.new_zeros(g_a.shape[:-2] + (m - k, n))], -2)
    return p @ g_a


# ---------------------------------------------------------------------------- Functions
class LuFactor(Function):
    """``(LU, pivots, info)``: L and U packed in one matrix; only LU has a gradient (its
    lower triangle is L's, its upper triangle U's)."""

    _grad_fn_name = "LinalgLuFactorExBackward0"

    @staticmethod
    def forward(ctx: Any, a: Tensor) -> Any:
        lu, pivots, info = getrf(a._data)
        out = (_wrap(lu), _wrap(pivots), _wrap(info))
        ctx.mark_non_differentiable(out[1], out[2])
        ctx.save_for_backward(out[0], out[1])
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any, *_: Any) -> Any:
        lu, pivots = ctx.saved_tensors
        m, n = lu.shape[-2:]
        low, up = _unpack(lu, min(m, n))
        p = _wrap(_p_matrix(pivots._data, m, lu._data.dtype))
        return _lu_backward(p, low, up, grad[..., :, :min(m, n)].tril(-1),
                            grad[..., :min(m, n), :].triu())


class Lu(Function):
    """``(P, L, U)`` with ``A = P L U``; P has no gradient."""

    _grad_fn_name = "LinalgLuBackward0"

    @staticmethod
    def forward(ctx: Any, a: Tensor) -> Any:
        ctx.set_materialize_grads(False)
        lu, pivots, _ = getrf(a._data)
        m, n = lu.shape[-2:]
        low, up = _unpack(lu, min(m, n))
        out = tuple(_wrap(np.ascontiguousarray(x))
                    for x in (_p_matrix(pivots, m, lu.dtype), low, up))
        ctx.mark_non_differentiable(out[0])
        ctx.save_for_backward(*out)
        return out

    @staticmethod
    def backward(ctx: Any, _: Any, g_low: Any, g_up: Any) -> Any:
        p, low, up = ctx.saved_tensors
        return _lu_backward(p, low, up, g_low, g_up)


def _lu_solve(lu: np.ndarray, perm: np.ndarray, b: np.ndarray, left: bool,
              adjoint: bool) -> np.ndarray:
    """X with ``A X = B`` (``adjoint``: ``A^T X = B``; not ``left``: ``X A = B``,
    ``X A^T = B``), A = P L U given by its packed ``lu`` and ``perm`` (A[perm] = L U)."""
    if not left:  # X A = B <=> A^T X^T = B^T
        return np.ascontiguousarray(mT(_lu_solve(lu, perm, mT(b), True, not adjoint)))
    perm = np.broadcast_to(perm[..., None], b.shape[:-2] + perm.shape[-1:] + (1,))
    if not adjoint:  # L U X = P^T B
        y = _triangular_solve(lu, np.take_along_axis(b, perm, -2), upper=False, unit=True)
        return _triangular_solve(lu, y, upper=True, unit=False)
    # U^T L^T (P^T X) = B
    y = _triangular_solve(mT(lu), b, upper=False, unit=False)
    y = _triangular_solve(mT(lu), y, upper=True, unit=True)
    x = np.empty_like(y)
    np.put_along_axis(x, np.broadcast_to(perm, y.shape), y, -2)
    return x


class LuSolve(Function):
    """``X = A^-1 B`` (or with A^T, or from the right) for ``A = P L U`` given by ``lu``
    and its ``pivots``. dL/dB is a solve with A^T; dL/dA is the solve's (as
    ``linalg.solve``'s), taken back to L and U."""

    _grad_fn_name = "LinalgLuSolveBackward0"

    @staticmethod
    def forward(ctx: Any, lu: Tensor, b: Tensor, pivots: np.ndarray, left: bool,
                adjoint: bool) -> Any:
        ctx.pivots, ctx.left, ctx.adjoint = pivots, left, adjoint
        batch = np.broadcast_shapes(lu.shape[:-2], b.shape[:-2])
        a = np.broadcast_to(lu._data, batch + lu.shape[-2:])
        perm = _permutation(np.broadcast_to(pivots, batch + pivots.shape[-1:]), lu.shape[-1])
        x = _wrap(_lu_solve(a, perm, np.broadcast_to(b._data, batch + b.shape[-2:]), left,
                            adjoint))
        ctx.save_for_backward(lu, x)
        return x

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        lu, x = ctx.saved_tensors
        pivots, left, adjoint = ctx.pivots, ctx.left, ctx.adjoint
        g_b = LuSolve.apply(lu, grad, pivots, left, not adjoint)
        g_lu = None
        if ctx.needs_input_grad[0]:
            if left:
                g_a = -(x @ g_b.mT) if adjoint else -(g_b @ x.mT)
            else:
                g_a = -(g_b.mT @ x) if adjoint else -(x.mT @ g_b)
            low, up = _unpack(lu, lu.shape[-1])
            p = _wrap(_p_matrix(pivots, lu.shape[-1], lu._data.dtype))
            pt_g = p.mT @ g_a
            g_lu = (pt_g @ up.mT).tril(-1) + (low.mT @ pt_g).triu()
        return g_lu, (g_b if ctx.needs_input_grad[1] else None), None, None, None


# ---------------------------------------------------------------- the public functions
def _check_lu_input(name: str, A: Tensor, pivot: bool) -> None:
    """``lu_factor``'s and ``lu``'s checks, in PyTorch's order."""
    if A.ndim < 2:
        raise RuntimeError(f"{name}: Expected tensor with 2 or more dimensions. Got size: "
                           f"{list(A.shape)} instead")
    if A._data.dtype not in (np.float32, np.float64):
        raise NotImplementedError(
            f"\"lu_cpu\" not implemented for '{scalar_type_name(A._data.dtype)}'")
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on "
                           "the CPU")


def lu_factor_ex(A: Tensor, *, pivot: bool = True, check_errors: bool = False) -> Any:
    """``(LU, pivots, info)``: ``lu_factor`` that reports a zero pivot in ``info`` (its
    position, from 1; 0 when there is none) instead of raising, unless ``check_errors``.
    The factorization of a singular matrix is still complete and exact (``A = P L U``).

    >>> tg.linalg.lu_factor_ex(tg.tensor([[1.0, 2.0], [2.0, 4.0]])).info
    tensor(2, dtype=tinygrad_edu.int32)
    """
    _check_lu_input("torch.lu_factor", A, pivot)
    lu, pivots, info = LuFactor.apply(A)
    if check_errors and info._data.any():
        raise _singular_error("linalg.lu_factor_ex", A._data, info._data)
    return LuFactorExResult(lu, pivots, info)


def lu_factor(A: Tensor, *, pivot: bool = True) -> Any:
    """``(LU, pivots)``: the LU factorization with partial pivoting of a (batch of)
    matrix, ``A = P L U``, compact: L below the diagonal (its unit diagonal not stored), U
    on and above it; ``pivots`` (int32, from 1): row j was swapped with row
    ``pivots[j]``. Feed both to ``lu_solve``. Raises for a matrix with a zero pivot
    (``lu_factor_ex`` does not).

    >>> tg.linalg.lu_factor(tg.tensor([[1.0, 2.0], [3.0, 4.0]])).pivots
    tensor([2, 2], dtype=tinygrad_edu.int32)
    """
    _check_lu_input("torch.lu_factor", A, pivot)
    lu, pivots, info = LuFactor.apply(A)
    if info._data.any():
        raise _singular_error("linalg.lu_factor", A._data, info._data)
    return LuFactorResult(lu, pivots)


def lu(A: Tensor, *, pivot: bool = True) -> Any:
    """``(P, L, U)`` with ``A = P L U``: P a permutation matrix, L (m x k, k = min(m, n))
    lower triangular with a unit diagonal, U (k x n) upper triangular. A singular matrix
    is factored too.

    >>> tg.linalg.lu(tg.tensor([[1.0, 2.0], [3.0, 4.0]])).P
    tensor([[0., 1.],
            [1., 0.]])
    """
    _check_lu_input("linalg.lu", A, pivot)
    return LuResult(*Lu.apply(A))


def lu_solve(LU: Tensor, pivots: Tensor, B: Tensor, *, left: bool = True,  # noqa: N803
             adjoint: bool = False) -> Tensor:
    """The solution ``X`` of ``A X = B`` for ``A = P L U`` given by ``lu_factor``'s
    ``(LU, pivots)``: ``adjoint`` solves ``A^T X = B``, ``left=False`` ``X A = B`` (or
    ``X A^T = B``). Batch dims of LU and B broadcast.

    >>> LU, pivots = tg.linalg.lu_factor(tg.tensor([[2.0, 0.0], [0.0, 4.0]]))
    >>> tg.linalg.lu_solve(LU, pivots, tg.tensor([[1.0], [1.0]]))
    tensor([[0.5000],
            [0.2500]])
    """
    check_matrix("torch.linalg.lu_solve", LU, square=False, low_precision="linalg.lu_solve_cpu")
    if LU.shape[-1] != LU.shape[-2]:
        raise RuntimeError("torch.linalg.lu_solve: A must be batches of square matrices, but "
                           f"they are {LU.shape[-2]} by {LU.shape[-1]} matrices")
    if B.ndim < 2:
        raise RuntimeError("linalg.lu_solve: The input tensor B must have at least 2 "
                           "dimensions.")
    n = LU.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        raise RuntimeError(f"linalg.lu_solve: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({n}x{n} and "
                           f"{B.shape[-2]}x{B.shape[-1]})")
    if LU._data.dtype != B._data.dtype:
        raise RuntimeError(f"linalg.lu_solve: Expected LU and B to have the same dtype, but "
                           f"found LU of type {scalar_type_name(LU._data.dtype)} and B of type "
                           f"{scalar_type_name(B._data.dtype)} instead")
    piv = pivots._data
    if piv.dtype != np.int32:
        raise RuntimeError("linalg.lu_solve: pivots should be a Tensor of scalar type "
                           "torch.int32")
    if piv.ndim == 0:
        raise IndexError("Dimension specified as -1 but tensor has no dimensions")
    if piv.shape[-1] != n:
        raise RuntimeError("linalg.lu_solve: Number of pivots per batch should be same as the "
                           "dimension of the matrix")
    if piv.shape != LU.shape[:-1]:
        raise RuntimeError("linalg.lu_solve: Expected LU.shape[:-1] and pivots.shape to be "
                           f"the same, but got pivots with shape {list(piv.shape)} instead")
    if LU._data.dtype not in (np.float32, np.float64):
        raise NotImplementedError("\"linalg.lu_solve_cpu\" not implemented for "
                                  f"'{scalar_type_name(LU._data.dtype)}'")
    if piv.size and piv.min() < 1:
        raise RuntimeError("Pivots given to lu_solve must all be greater or equal to 1. Did "
                           "you properly pass the result of lu_factor?")
    if piv.size and piv.max() > n:
        raise RuntimeError("Pivots given to lu_solve must all be smaller or equal to "
                           "LU.size(-2). Did you properly pass the result of lu_factor?")
    return LuSolve.apply(LU, B, piv, left, adjoint)  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------- legacy LU
LuWithInfoResult = _return_type("_lu_with_info", "LU pivots info")
LuUnpackResult = _return_type("lu_unpack", "P L U")

_LU_DEPRECATED = (
    "torch.lu is deprecated in favor of torch.linalg.lu_factor / torch.linalg.lu_factor_ex "
    "and will be removed in a future PyTorch release.\nLU, pivots = torch.lu(A, "
    "compute_pivots)\nshould be replaced with\nLU, pivots = torch.linalg.lu_factor(A, "
    "compute_pivots)\nand\nLU, pivots, info = torch.lu(A, compute_pivots, get_infos=True)\n"
    "should be replaced with\nLU, pivots, info = torch.linalg.lu_factor_ex(A, compute_pivots)")


class LuUnpack(Function):
    """``(P, L, U)`` of a packed LU and its pivots; L and U have the gradient of the two
    triangles of LU they are (dL/dLU = tril(G_L, -1) + triu(G_U), each in its block)."""

    _grad_fn_name = "LuUnpackBackward0"
    ctx_fields = ("shape",)

    @staticmethod
    def forward(ctx: Any, lu: Tensor, pivots: np.ndarray, unpack_data: bool,
                unpack_pivots: bool) -> Any:
        ctx.set_materialize_grads(False)
        data = lu._data
        m, n = data.shape[-2:]
        ctx.shape = (m, n)
        empty = np.zeros(0, data.dtype)  # (what is not unpacked: an empty tensor, as torch)
        p = _p_matrix(pivots, m, data.dtype) if unpack_pivots else empty
        low, up = _unpack(data, min(m, n)) if unpack_data else (empty, empty)
        out = tuple(_wrap(np.ascontiguousarray(x)) for x in (p, low, up))
        ctx.mark_non_differentiable(out[0])
        return out

    @staticmethod
    def backward(ctx: Any, _: Any, g_low: Any, g_up: Any) -> Any:
        m, n = ctx.shape
        parts = []
        if g_low is not None and g_low.ndim >= 2:  # L: LU's first k columns, below the diagonal
            g = g_low.tril(-1)
            parts.append(g if n <= m else cat([g, g.new_zeros(g.shape[:-1] + (n - m,))], -1))
        if g_up is not None and g_up.ndim >= 2:  # U: LU's first k rows, on and above it
            g = g_up.triu()
            parts.append(g if m <= n else cat([g, g.new_zeros(g.shape[:-2] + (m - n, n))], -2))
        if not parts:
            return None, None, None, None
        return (parts[0] if len(parts) == 1 else parts[0] + parts[1]), None, None, None


def lu_unpack(LU_data: Tensor, LU_pivots: Tensor, unpack_data: bool = True,  # noqa: N803
              unpack_pivots: bool = True) -> Any:
    """``(P, L, U)`` from ``lu_factor``'s ``(LU, pivots)``: ``A = P L U``, P the
    permutation matrix (m x m) of the row swaps in ``pivots``, L unit lower triangular
    (m x k), U upper triangular (k x n), k = min(m, n). What ``unpack_data`` /
    ``unpack_pivots`` turns off is returned as an empty tensor.

    >>> P, L, U = tg.lu_unpack(*tg.linalg.lu_factor(tg.tensor([[1.0, 2.0], [3.0, 4.0]])))
    >>> L
    tensor([[1.0000, 0.0000],
            [0.3333, 1.0000]])
    """
    if LU_data.ndim < 2:
        raise RuntimeError("torch.lu_unpack: Expected tensor with 2 or more dimensions. Got "
                           f"size: {list(LU_data.shape)} instead")
    piv = LU_pivots._data
    if piv.dtype != np.int32:
        raise RuntimeError("torch.lu_unpack: LU_pivots is expected to be a contiguous tensor "
                           "of torch.int32 dtype.\nNote: this function is intended to be used "
                           "with the output produced by torch.linalg.lu_factor")
    m, n = LU_data.shape[-2:]
    if unpack_pivots and piv.size and (piv.shape[-1:] != (min(m, n),) or piv.min() < 1
                                       or piv.max() > m):
        raise RuntimeError("pivots passed to lu_unpack must be between 1 and LU.size(-2) "
                           "inclusive.Did you properly pass the result of lu_factor?")
    if unpack_pivots:
        try:
            piv = np.broadcast_to(piv, LU_data.shape[:-2] + piv.shape[-1:])
        except ValueError:
            raise RuntimeError(
                "lu_unpack: LU_pivots' batch dims " f"{list(piv.shape[:-1])} do not match "
                f"LU_data's {list(LU_data.shape[:-2])}") from None
    return LuUnpackResult(*LuUnpack.apply(LU_data, piv, bool(unpack_data),
                                          bool(unpack_pivots)))


def legacy_lu(A: Tensor, pivot: bool = True, get_infos: bool = False) -> Any:
    """``tg.lu``: ``(LU, pivots)``, or the named ``(LU, pivots, info)`` with ``get_infos``:
    PyTorch's deprecated ``torch.lu``, which is ``tg.linalg.lu_factor_ex`` (a singular
    matrix is factored too; ``info``: where its first zero pivot is, from 1; 0 if none).

    >>> LU, pivots = tg.lu(tg.tensor([[1.0, 2.0], [3.0, 4.0]]))
    >>> pivots
    tensor([2, 2], dtype=tinygrad_edu.int32)
    """
    warnings.warn(_LU_DEPRECATED, UserWarning, stacklevel=3)
    A, = autocast_args("_lu_with_info", A)  # (inside tg.autocast("cpu"): float32)
    LU, pivots, info = lu_factor_ex(A, pivot=pivot)
    return LuWithInfoResult(LU, pivots, info) if get_infos else (LU, pivots)


legacy_lu.__name__ = legacy_lu.__qualname__ = "lu"


class LuMethods(TensorBase):
    """The Tensor's legacy ``lu``."""

    __slots__ = ()

    def lu(self, pivot: bool = True, get_infos: bool = False) -> Any:
        """``tg.lu(self, pivot, get_infos)``, as a plain tuple (PyTorch's method does not
        name its fields).

        >>> LU, pivots = tg.tensor([[1.0, 2.0], [3.0, 4.0]]).lu()
        """
        return tuple(legacy_lu(self, pivot, get_infos))  # type: ignore[arg-type]
