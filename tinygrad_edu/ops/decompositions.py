"""Linear algebra II, factorizations: ``slogdet``, ``qr``, ``eigh``/``eigvalsh``,
``svd``/``svdvals``, ``pinv``, ``lstsq`` (``tg.linalg``), and the Tensor's linear-algebra
methods (``inverse``, ``det``, ``slogdet``, ``logdet``, ``cholesky``, ``pinverse``).

The factorizations return several Tensors from one node (PyTorch's ``LinalgSvdBackward0``
is the grad_fn of U, S and Vh alike): they are ``autograd.Function``s, whose backward gets
one gradient per output (None for an output the loss does not use) and runs on Tensors,
so it is recorded under ``create_graph=True``. The formulas, for ``G_X = dL/dX`` (real
matrices; see Giles 2008, and Seeger et al. / Townsend's notes for QR and SVD):

- ``A = V diag(w) V^T`` (eigh): ``dL/dA = V (diag(G_w) + F o sym(V^T G_V)) V^T`` with
  ``F_ij = 1 / (w_j - w_i)`` off the diagonal: infinite for repeated eigenvalues, so the
  eigenvectors have no derivative there (the eigenvalues do).
- ``A = U diag(s) V^T`` (svd): the same with ``1 / (s_j^2 - s_i^2)``, plus the parts of
  ``G_U``, ``G_V`` outside the spans of U and V for a non-square A.
- ``A = Q R`` (qr, reduced): ``dL/dA = (G_Q + Q copyltu(M)) R^-T``,
  ``M = R G_R^T - G_Q^T Q``.
"""

from __future__ import annotations

from collections import namedtuple
from typing import TYPE_CHECKING, Any

import numpy as np

from ..amp.autocast_mode import autocast_op
from ..autograd.function import Function
from ..core.function import _wrap
from ..dtypes import REDUCED
from ..parity.names import scalar_type_name
from ..tensor_base import TensorBase
from . import dual
from .arithmetic import where
from .dual import _Op
from .join import cat
from .linalg import CholeskyLegacy as _CholeskyLegacy
from .linalg import Inv, _invertible, check_matrix, det, inv, mT

if TYPE_CHECKING:
    from ..tensor import Tensor


# ---------------------------------------------------------------------------- results
def _return_type(name: str, fields: str) -> type:
    """A named tuple printed as PyTorch's ``torch.return_types.<name>(...)``."""
    base = namedtuple(name, fields)  # type: ignore[misc]

    def __repr__(self: Any) -> str:  # noqa: N807
        items = ",\n".join(f"{k}={v!r}" for k, v in zip(self._fields, self))
        return f"tinygrad_edu.return_types.{name}(\n{items})"

    return type(name, (base,), {"__slots__": (), "__repr__": __repr__,
                                "__module__": "tinygrad_edu.return_types"})


SlogdetResult = _return_type("linalg_slogdet", "sign logabsdet")
QrResult = _return_type("linalg_qr", "Q R")
EighResult = _return_type("linalg_eigh", "eigenvalues eigenvectors")
SvdResult = _return_type("linalg_svd", "U S Vh")
SvdLegacyResult = _return_type("svd", "U S V")
QrLegacyResult = _return_type("qr", "Q R")
LstsqResult = _return_type("linalg_lstsq", "solution residuals rank singular_values")


def _eye(n: int, like: Tensor) -> Tensor:
    """The identity as a constant of ``like``'s dtype."""
    return _wrap(np.eye(n, dtype=like._data.dtype))


# ---------------------------------------------------------------------------- Functions
class Slogdet(Function):
    """``(sign, log|det A|)``: the sign is piecewise constant (no gradient), and
    d(log|det A|)/dA = A^-T."""

    _grad_fn_name = "LinalgSlogdetBackward0"

    @staticmethod
    def forward(ctx: Any, a: Tensor) -> Any:
        ctx.set_materialize_grads(False)
        data = a._data
        sign, logabs = np.linalg.slogdet(data) if data.shape[-1] else (1.0, 0.0)
        ctx.save_for_backward(a)
        shape = data.shape[:-2]
        return (_wrap(np.broadcast_to(np.asanyarray(sign, data.dtype), shape).copy()),
                _wrap(np.broadcast_to(np.asanyarray(logabs, data.dtype), shape).copy()))

    @staticmethod
    def backward(ctx: Any, g_sign: Any, g_logabs: Any) -> Any:
        if g_logabs is None:
            return None
        (a,) = ctx.saved_tensors
        # A^-T, and NaN for a singular A: log|det| is -inf there, with no derivative
        # (PyTorch returns the inf and NaN its LU solve gives)
        singular = np.asanyarray(np.linalg.det(a._data) == 0)
        g_a = g_logabs.unsqueeze(-1).unsqueeze(-1) * Inv.apply(_invertible(a, singular)).mT
        if np.any(singular):
            g_a = where(_wrap(np.broadcast_to(singular[..., None, None], a.shape)),
                        float("nan"), g_a)
        return g_a


class Eigh(Function):
    """``A = V diag(w) V^T`` of a symmetric A (read from its ``uplo`` triangle), the
    eigenvalues ``w`` ascending. Backward: see the module docstring (PyTorch's
    linalg_eig_backward for a Hermitian A)."""

    _grad_fn_name = "LinalgEighBackward0"

    @staticmethod
    def forward(ctx: Any, a: Tensor, uplo: Any) -> Any:
        ctx.set_materialize_grads(False)
        w, v = (_wrap(x) for x in np.linalg.eigh(a._data, UPLO=uplo))
        ctx.save_for_backward(w, v)
        return w, v

    @staticmethod
    def backward(ctx: Any, g_w: Any, g_v: Any) -> Any:
        w, v = ctx.saved_tensors
        if g_v is None:  # V diag(G_w) V^T
            return (v * g_w.unsqueeze(-2)) @ v.mT, None
        vtgv = v.mT @ g_v
        vtgv = (vtgv - vtgv.mT) * 0.5  # (the part a change of an orthogonal V can have)
        gaps = w.unsqueeze(-2) - w.unsqueeze(-1) + _eye(w.shape[-1], w)  # w_j - w_i (1 on i=j)
        inner = vtgv / gaps
        if g_w is not None:
            inner = inner + g_w.diag_embed()
        return v @ inner @ v.mT, None


class Svd(Function):
    """``A = U diag(S) Vh``, S descending. With ``full_matrices`` the extra columns of U
    (rows of Vh) are not determined by A: their gradients are ignored, as PyTorch does."""

    _grad_fn_name = "LinalgSvdBackward0"
    ctx_fields = ("full_matrices",)

    @staticmethod
    def forward(ctx: Any, a: Tensor, full_matrices: bool) -> Any:
        ctx.set_materialize_grads(False)
        ctx.full_matrices = full_matrices
        u, s, vh = (_wrap(x) for x in np.linalg.svd(a._data, full_matrices=full_matrices))
        ctx.save_for_backward(u, s, vh)
        return u, s, vh

    @staticmethod
    def backward(ctx: Any, g_u: Any, g_s: Any, g_vh: Any) -> Any:
        u, s, vh = ctx.saved_tensors
        if ctx.full_matrices:
            k = s.shape[-1]
            u, vh = u[..., :k], vh[..., :k, :]
            g_u = None if g_u is None else g_u[..., :k]
            g_vh = None if g_vh is None else g_vh[..., :k, :]
        return _svd_grad(g_u, g_s, g_vh, u, s, vh), None


def _svd_grad(g_u: Any, g_s: Any, g_vh: Any, u: Tensor, s: Tensor, vh: Tensor) -> Tensor:
    """dL/dA of the reduced SVD ``A = U diag(s) Vh`` (PyTorch's svd_backward, real case)."""
    m, n = u.shape[-2], vh.shape[-1]
    if g_u is None and g_vh is None:  # the singular values alone: U diag(G_s) Vh
        return (u * g_s.unsqueeze(-2)) @ vh
    s_row, s_col = s.unsqueeze(-2), s.unsqueeze(-1)
    gaps = s_row * s_row - s_col * s_col + _eye(s.shape[-1], s)  # s_j^2 - s_i^2 (1 on i=j)
    utgu = None if g_u is None else _skew(u.mT @ g_u)
    vtgv = None if g_vh is None else _skew(vh @ g_vh.mT)
    if utgu is not None and vtgv is not None:
        inner = (utgu * s_row + s_col * vtgv) / gaps
    elif utgu is not None:
        inner = utgu / gaps * s_row
    else:
        inner = s_col * (vtgv / gaps)
    if g_s is not None:
        inner = inner + g_s.diag_embed()
    if m > n and g_u is not None:  # G_U's part outside span(U): (I - U U^T) G_U S^-1
        g_u_s = g_u / s_row
        return (u @ inner + g_u_s - u @ (u.mT @ g_u_s)) @ vh
    if m < n and g_vh is not None:  # the same for Vh's rows
        s_g_vh = g_vh / s_col
        return u @ (inner @ vh + s_g_vh - (s_g_vh @ vh.mT) @ vh)
    return u @ inner @ vh


def _skew(x: Tensor) -> Tensor:
    return x - x.mT


class Qr(Function):
    """``A = Q R``, Q with orthonormal columns, R upper triangular (mode "reduced",
    "complete" or "r"). Differentiable when Q is computed and determined by A."""

    _grad_fn_name = "LinalgQrBackward0"
    ctx_fields = ("mode",)

    @staticmethod
    def forward(ctx: Any, a: Tensor, mode: Any) -> Any:
        ctx.set_materialize_grads(False)
        ctx.mode = mode
        if mode == "r":  # (R alone: Q is an empty tensor, as PyTorch's)
            q: Any = np.zeros(0, a._data.dtype)
            r: Any = np.linalg.qr(a._data, mode="r")
        else:
            q, r = np.linalg.qr(a._data, mode=mode)
        qt, rt = _wrap(np.ascontiguousarray(q)), _wrap(np.ascontiguousarray(r))
        ctx.save_for_backward(qt, rt)
        return qt, rt

    @staticmethod
    def backward(ctx: Any, g_q: Any, g_r: Any) -> Any:
        q, r = ctx.saved_tensors
        if ctx.mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed "
                               "when mode='r'. Please use linalg.qr(A, mode='reduced') if you "
                               "are going to differentiate through linalg.qr.")
        m, n = q.shape[-2], r.shape[-1]
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when "
                               "mode='complete' and nrows > ncols.")
        # M = R G_R^T - Q^T G_Q (square: n x n, or m x m for a wide A)
        grad_m = g_r @ r.mT if g_r is not None else None
        if g_q is not None:
            grad_m = -(q.mT @ g_q) if grad_m is None else grad_m - q.mT @ g_q
        assert grad_m is not None  # (backward runs when some gradient arrived)
        if m >= n:
            sym = grad_m.triu()
            sym = sym + sym.mT
            sym = sym - (sym.diagonal(0, -2, -1) * 0.5).diag_embed()  # copyltu(M)
            g_a = q @ sym if g_q is None else q @ sym + g_q
            return g_a @ Inv.apply(r).mT, None  # ... R^-T
        low = (grad_m.mT - grad_m).tril()  # (a wide A: R = [R1 | R2], R1 square)
        g_a = (q @ low) @ Inv.apply(r[..., :m]).mT
        g_a = cat([g_a, g_a.new_zeros(g_a.shape[:-1] + (n - m,))], -1)
        return (g_a if g_r is None else g_a + q @ g_r), None


class Pinv(_Op):
    """The Moore-Penrose pseudo-inverse, through the SVD (or, for a symmetric A,
    ``hermitian``, the eigendecomposition): singular values at most ``max(atol, rtol *
    largest)`` count as zero. Backward: PyTorch's pinv_backward (Golub & Pereyra 1973),
    products of A, A^+ and G only."""

    _grad_fn_name = "LinalgPinvBackward0"

    @staticmethod
    def forward(ctx: Any, a: Any, atol: Any, rtol: Any, hermitian: bool) -> Any:
        p = _pinv(a, atol, rtol, hermitian)
        ctx.save_for_backward(a, p)
        return p

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        a, p = ctx.saved_tensors
        return _pinv_grad(grad, p, a), None, None, None


def _pinv(a: np.ndarray, atol: Any, rtol: Any, hermitian: bool) -> np.ndarray:
    """A^+ = V diag(1/s, where s is kept) U^T."""
    if hermitian:
        w, v = np.linalg.eigh(a)
        s, u, vh = np.abs(w), v * np.sign(w)[..., None, :], mT(v)
    else:
        u, s, vh = np.linalg.svd(a, full_matrices=False)
    keep = s > _threshold(s, a.shape, atol, rtol)
    inv_s = np.where(keep, 1.0 / np.where(keep, s, 1.0), 0.0).astype(a.dtype)
    return np.ascontiguousarray(mT(vh) @ (inv_s[..., None] * mT(u)))


def _threshold(s: np.ndarray, shape: tuple[int, ...], atol: Any, rtol: Any) -> np.ndarray:
    """PyTorch's cut-off of the singular values ``s`` (descending or not): ``max(atol,
    rtol * largest)``, rtol defaulting to ``eps * max(m, n)`` when neither is given (to 0
    when only a positive atol is)."""
    atol_ = 0.0 if atol is None else np.asanyarray(getattr(atol, "_data", atol))
    if rtol is None:
        eps = np.finfo(s.dtype).eps * max(shape[-2:])
        rtol_ = eps if atol is None or np.all(np.asanyarray(atol_) <= 0) else 0.0
    else:
        rtol_ = np.asanyarray(getattr(rtol, "_data", rtol))
    largest = s.max(axis=-1, initial=0.0) if s.size else np.zeros(s.shape[:-1], s.dtype)
    return np.maximum(atol_, rtol_ * largest)[..., None]


def _pinv_grad(grad: Any, p: Any, a: Any) -> Any:
    """dL/dA of ``P = pinv(A)``: the change of A^+ inside and outside A's row and column
    spaces (PyTorch's pinv_backward, real case)."""
    m, n = a.shape[-2], a.shape[-1]
    pt, gt = mT(p), mT(grad)
    if m <= n:
        k = gt @ p
        k_pt = k @ pt
        return -mT(p @ k) + k_pt - (a @ p) @ k_pt + (pt @ p) @ (gt - k @ a)
    k = p @ gt
    pt_k = pt @ k
    return -mT(k @ p) + (gt - a @ k) @ p @ pt + pt_k - pt_k @ p @ a


class Lstsq(_Op):
    """The least-squares solution X of ``A X ~ B`` (min |AX - B|, then min |X|): ``pinv(A)
    B``, computed by LAPACK's gelsd per matrix. Backward as PyTorch's: through
    ``X = pinv(A) B``."""

    _grad_fn_name = "LinalgLstsqBackward0"
    ctx_fields = ("vector",)

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any, vector: bool, rcond: float) -> Any:
        ctx.vector = vector
        b2 = b[..., None] if vector else b
        batch = np.broadcast_shapes(a.shape[:-2], b2.shape[:-2])
        a_ = np.broadcast_to(a, batch + a.shape[-2:])
        b_ = np.broadcast_to(b2, batch + b2.shape[-2:])
        x = np.empty(batch + (a.shape[-1], b2.shape[-1]), dtype=a.dtype)
        for idx in np.ndindex(*batch):
            x[idx] = np.linalg.lstsq(a_[idx], b_[idx], rcond=rcond)[0]
        ctx.save_for_backward(a, b)
        return x[..., 0] if vector else x

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        a, b = ctx.saved_tensors
        g = dual.expand_dims(grad, -1) if ctx.vector else grad
        b = dual.expand_dims(b, -1) if ctx.vector else b
        p = Pinv.apply(a, None, None, False) if not dual._is_array(a) else \
            _pinv(a, None, None, False)
        need_a, need_b = ctx.needs_input_grad[:2]
        g_a = _pinv_grad(g @ mT(b), p, a) if need_a else None
        g_b = mT(p) @ g if need_b else None
        if g_b is not None and ctx.vector:
            g_b = dual.reshape(g_b, g_b.shape[:-1])
        return g_a, g_b, None, None


# ---------------------------------------------------------------- the public functions
def slogdet(A: Tensor) -> Any:
    """``(sign, logabsdet)``: the sign (-1, 0 or 1) of det A and log|det A|, which stays
    finite where det A itself under- or overflows.

    >>> tg.linalg.slogdet(tg.tensor([[-2.0, 0.0], [0.0, 3.0]])).logabsdet
    tensor(1.7918)
    """
    check_matrix("linalg.slogdet", A)
    return SlogdetResult(*Slogdet.apply(A))


def logdet(A: Tensor) -> Tensor:
    """log(det A): NaN where det A < 0, -inf where it is 0 (from ``slogdet``, as PyTorch).

    >>> tg.logdet(tg.tensor([[2.0, 0.0], [0.0, 3.0]]))
    tensor(1.7918)
    """
    check_matrix("logdet", A)
    sign, logabsdet = Slogdet.apply(A)
    return where(sign == -1, float("nan"), logabsdet)


@autocast_op("linalg_qr")
def qr(A: Tensor, mode: str = "reduced") -> Any:
    """``(Q, R)`` with ``A = Q R``, Q's columns orthonormal and R upper triangular.
    ``mode``: "reduced" (Q is m x k, R k x n, k = min(m, n)), "complete" (Q is m x m) or
    "r" (R only; Q is empty and nothing is differentiable).

    >>> tg.linalg.qr(tg.tensor([[3.0], [4.0]])).R
    tensor([[-5.]])
    """
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    check_matrix("linalg.qr", A, square=False, low_precision="geqrf_cpu")
    return QrResult(*Qr.apply(A, mode))


@autocast_op("linalg_eigh")
def eigh(A: Tensor, UPLO: str = "L") -> Any:  # noqa: N803 (torch's)
    """``(eigenvalues, eigenvectors)`` of a symmetric matrix, read from its lower (``UPLO``
    "L") or upper triangle: ``A = V diag(w) V^T``, w ascending. Each eigenvector is
    defined up to its sign: differentiate only what does not depend on it.

    >>> tg.linalg.eigh(tg.tensor([[2.0, 1.0], [1.0, 2.0]])).eigenvalues
    tensor([1., 3.])
    """
    _check_uplo(UPLO)
    check_matrix("linalg.eigh", A, low_precision="linalg_eigh_cpu")
    return EighResult(*Eigh.apply(A, UPLO))


@autocast_op("linalg_eigvalsh")
def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:  # noqa: N803
    """The eigenvalues of a symmetric matrix, ascending (``eigh`` without the vectors).

    >>> tg.linalg.eigvalsh(tg.tensor([[2.0, 1.0], [1.0, 2.0]]))
    tensor([1., 3.])
    """
    _check_uplo(UPLO)
    check_matrix("linalg.eigh", A, low_precision="linalg_eigh_cpu")
    return Eigh.apply(A, UPLO)[0]


def _check_uplo(uplo: Any) -> None:
    if uplo not in ("L", "U", "l", "u"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {uplo}")


@autocast_op("linalg_svd")
def svd(A: Tensor, full_matrices: bool = True, *, driver: Any = None) -> Any:
    """``(U, S, Vh)`` with ``A = U diag(S) Vh``, S descending. With ``full_matrices``
    (the default) U is m x m and Vh n x n; else k = min(m, n) columns and rows. Singular
    vectors are defined up to sign: differentiate what does not depend on it (``U @
    diag(S) @ Vh``, ``S``); their gradient is infinite for repeated singular values.

    >>> tg.linalg.svd(tg.tensor([[3.0, 0.0], [0.0, -4.0]])).S
    tensor([4., 3.])
    """
    check_matrix("linalg.svd", A, square=False, low_precision="linalg_svd_cpu")
    return SvdResult(*Svd.apply(A, bool(full_matrices)))


@autocast_op("linalg_svdvals")
def svdvals(A: Tensor, *, driver: Any = None) -> Tensor:
    """The singular values, descending (``svd`` without the vectors).

    >>> tg.linalg.svdvals(tg.tensor([[3.0, 0.0], [0.0, -4.0]]))
    tensor([4., 3.])
    """
    check_matrix("linalg.svd", A, square=False, low_precision="linalg_svd_cpu")
    return Svd.apply(A, False)[1]


def pinv(A: Tensor, *, atol: Any = None, rtol: Any = None, hermitian: bool = False) -> Tensor:
    """The pseudo-inverse A^+ (the inverse of an invertible A; the least-squares solver
    otherwise): singular values at most ``max(atol, rtol * largest)`` are taken as zero.

    >>> tg.linalg.pinv(tg.tensor([[2.0, 0.0], [0.0, 0.0]]))
    tensor([[0.5000, 0.0000],
            [0.0000, 0.0000]])
    """
    data = A._data
    if data.ndim < 2 or data.dtype not in (np.float32, np.float64):
        name = scalar_type_name(data.dtype)
        raise RuntimeError(f"linalg.pinv({name}{{{list(data.shape)}}}): expected a tensor with "
                           "2 or more dimensions of float, double, cfloat or cdouble types")
    return Pinv.apply(A, atol, rtol, bool(hermitian))


_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


@autocast_op("linalg_lstsq")
def lstsq(A: Tensor, B: Tensor, rcond: Any = None, *, driver: Any = None) -> Any:
    """The least-squares solution of ``A X = B``: ``(solution, residuals, rank,
    singular_values)`` as PyTorch on a CPU, whose default ``driver`` is "gelsy": residuals
    (squared, per column) only for a tall A with another driver, the rank except for
    "gels", the singular values for "gelsd" and "gelss" (others: empty tensors). Only the
    solution is differentiable.

    >>> tg.linalg.lstsq(tg.tensor([[1.0], [1.0]]), tg.tensor([[1.0], [3.0]])).solution
    tensor([[2.]])
    """
    driver = "gelsy" if driver is None else driver
    if driver not in _DRIVERS:
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of (gels, "
                           "gelsy, gelsd, gelss)")
    if A._data.ndim >= 2 and A._data.dtype in REDUCED:
        raise RuntimeError("This function doesn't handle types other than float and double")
    check_matrix("linalg.lstsq", A, square=False)
    a, b = A._data, B._data
    vector = b.ndim == a.ndim - 1
    if (b.shape[-1] if vector else b.shape[-2]) != a.shape[-2]:
        raise RuntimeError("torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    eps = float(np.finfo(a.dtype).eps) * max(a.shape[-2:])
    cut = eps if rcond is None or rcond < 0 else float(rcond)
    solution = Lstsq.apply(A, B, vector, cut)
    return LstsqResult(solution, *_lstsq_extras(a, b if not vector else b[..., None],
                                                 solution._data, driver, cut))


def _lstsq_extras(a: np.ndarray, b: np.ndarray, x: np.ndarray, driver: str,
                  rcond: float) -> tuple[Tensor, Tensor, Tensor]:
    """lstsq's residuals, rank and singular values, where ``driver`` computes them."""
    s = np.linalg.svd(a, compute_uv=False)
    rank = (s > rcond * s.max(axis=-1, keepdims=True, initial=0.0)).sum(-1)
    m, n = a.shape[-2:]
    empty = np.zeros(0, a.dtype)
    residuals = empty
    if m > n and driver != "gelsy" and np.all(rank == n):
        x2 = x if x.ndim == b.ndim else x[..., None]
        residuals = ((a @ x2 - b) ** 2).sum(-2).astype(a.dtype)
    rank_out = np.zeros(0, np.int64) if driver == "gels" else rank.astype(np.int64)
    values = s.astype(a.dtype) if driver in ("gelsd", "gelss") else empty
    return _wrap(residuals), _wrap(np.asanyarray(rank_out)), _wrap(values)


@autocast_op("linalg_matrix_rank")
def matrix_rank(A: Tensor, *, atol: Any = None, rtol: Any = None,
                hermitian: bool = False) -> Tensor:
    """The number of singular values above ``max(atol, rtol * largest)`` (rtol defaults
    to eps * max(m, n)), an int64 (per matrix of a batch).

    >>> tg.linalg.matrix_rank(tg.tensor([[1.0, 2.0], [2.0, 4.0]]))
    tensor(1)
    """
    data = A._data
    if data.dtype not in (np.float32, np.float64):
        raise RuntimeError("This function doesn't handle types other than float and double")
    check_matrix("linalg.matrix_rank", A, square=False)
    s = np.abs(np.linalg.eigvalsh(data)) if hermitian else np.linalg.svd(data,
                                                                         compute_uv=False)
    rank = (s > _threshold(s, data.shape, atol, rtol)).sum(-1)
    return _wrap(np.asanyarray(rank, np.int64))


class LinalgMethods(TensorBase):
    """The Tensor's linear algebra: inverse, det, slogdet, logdet, cholesky, pinverse."""

    __slots__ = ()

    def inverse(self) -> Tensor:
        """The inverse matrix (``tg.linalg.inv``)."""
        return inv(self)  # type: ignore[arg-type]

    def det(self) -> Tensor:
        """The determinant (``tg.linalg.det``)."""
        return det(self)  # type: ignore[arg-type]

    def slogdet(self) -> Any:
        """``(sign, logabsdet)`` of the determinant (``tg.linalg.slogdet``)."""
        return slogdet(self)  # type: ignore[arg-type]

    def logdet(self) -> Tensor:
        """log(det A): NaN where the determinant is negative, -inf where it is 0."""
        return logdet(self)  # type: ignore[arg-type]

    @autocast_op("cholesky")
    def cholesky(self, upper: bool = False) -> Tensor:
        """The Cholesky factor (PyTorch's deprecated ``Tensor.cholesky``: use
        ``tg.linalg.cholesky``), upper triangular when ``upper``."""
        check_matrix("linalg.cholesky", self, low_precision="cholesky_cpu")
        return _CholeskyLegacy.apply(self, upper)

    @autocast_op("pinverse")
    def pinverse(self, rcond: float = 1e-15) -> Tensor:
        """The pseudo-inverse (``tg.linalg.pinv`` with ``rtol=rcond``)."""
        return pinv(self, rtol=rcond)  # type: ignore[arg-type]

    def svd(self, some: bool = True, compute_uv: bool = True) -> Any:
        """``(U, S, V)`` with ``A = U diag(S) V^T`` (PyTorch's deprecated ``torch.svd``: V,
        not ``tg.linalg.svd``'s Vh). ``some``: k = min(m, n) columns of U and V, else all;
        without ``compute_uv``, U and V are zeros (m x m, n x n) and only S is computed.

        >>> tg.tensor([[3.0, 0.0], [0.0, 2.0]]).svd().S
        tensor([3., 2.])
        """
        if not compute_uv:
            m, n = self.shape[-2:]
            s = svdvals(self)  # type: ignore[arg-type]
            batch = tuple(self.shape[:-2])
            return SvdLegacyResult(self.new_zeros(batch + (m, m)), s,
                                   self.new_zeros(batch + (n, n)))
        u, s, vh = svd(self, full_matrices=not some)  # type: ignore[arg-type]
        return SvdLegacyResult(u, s, vh.mT)

    def qr(self, some: bool = True) -> Any:
        """``(Q, R)`` with ``A = Q R`` (PyTorch's deprecated ``torch.qr``): ``some`` is
        ``tg.linalg.qr``'s mode "reduced", else "complete"."""
        return QrLegacyResult(*qr(self, "reduced" if some else "complete"))  # type: ignore[arg-type]

    def cholesky_solve(self, input2: Tensor, upper: bool = False) -> Tensor:
        """X with ``A X = self``, given A's Cholesky factor ``input2``
        (``tg.cholesky_solve``)."""
        from .linalg_ex import cholesky_solve  # (that file builds on this one)

        return cholesky_solve(self, input2, upper)  # type: ignore[arg-type]

    def cholesky_inverse(self, upper: bool = False) -> Tensor:
        """The inverse of A from its Cholesky factor ``self`` (``tg.cholesky_inverse``)."""
        from .linalg_ex import cholesky_inverse

        return cholesky_inverse(self, upper)  # type: ignore[arg-type]


__all__ = ["slogdet", "logdet", "qr", "eigh", "eigvalsh", "svd", "svdvals", "pinv", "lstsq",
           "matrix_rank", "LinalgMethods"]
