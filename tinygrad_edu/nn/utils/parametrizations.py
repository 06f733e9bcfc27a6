"""Ready-made parametrizations, as ``torch.nn.utils.parametrizations``: ``orthogonal``,
``weight_norm`` and ``spectral_norm``, each registered with
``parametrize.register_parametrization`` (so ``module.weight`` is recomputed on every
read and the state dict holds ``parametrizations.weight.original...``).
"""

from __future__ import annotations

from enum import Enum, auto
from typing import Any

import numpy as np

from ...core.grad_mode import no_grad
from ...creation import eye, randn, zeros_like
from ...linalg import matrix_exp, qr, solve
from ...ops.join import cat
from ...tensor import Tensor, _wrap
from ...type_info import finfo
from ..functional import normalize
from ..modules.module import Module
from . import parametrize
from .spectral_norm import _check_power_iterations, _default_dim, _draw_u_v
from .weight_norm import _weight_norm, norm_except_dim

__all__ = ["orthogonal", "spectral_norm", "weight_norm"]


# ------------------------------------------------------------------ orthogonal


def _is_orthogonal(Q: Tensor) -> bool:
    n, k = Q.shape[-2], Q.shape[-1]
    eps = 10.0 * n * finfo(Q.dtype).eps  # (a reasonable tolerance, not too large)
    return bool((Q.mH @ Q).allclose(eye(k, dtype=Q.dtype), atol=eps))


def _make_orthogonal(A: Tensor) -> Tensor:
    """The Q of ``A = QR`` (``A`` tall) with ``diag(R) >= 0``: the unique such factor."""
    Q, R = qr(A)
    return Q * R.diagonal(dim1=-2, dim2=-1).sgn().unsqueeze(-2)  # type: ignore[no-any-return]


def _householder_product(A: Tensor, tau: Tensor) -> Tensor:
    """The first ``k`` columns of ``H_1 H_2 ... H_k`` (``torch.linalg.householder_product``),
    ``H_i = I - tau_i v_i v_i^T`` with ``v_i`` the i-th column of ``A`` below the diagonal
    and 1 on it; composed of recorded ops, so it is differentiable in ``A`` and ``tau``."""
    n, k = A.shape[-2], A.shape[-1]
    rows = np.arange(n)
    Q = eye(n, dtype=A.dtype).expand(*A.shape[:-2], n, n)
    for i in range(tau.shape[-1]):
        below = _wrap((rows > i).astype(A._data.dtype))
        v = A[..., :, i] * below + _wrap((rows == i).astype(A._data.dtype))
        # Q H_i = Q - tau_i (Q v_i) v_i^T
        Q = Q - tau[..., i, None, None] * ((Q @ v.unsqueeze(-1)) @ v.unsqueeze(-2))
    return Q[..., :, :k]  # type: ignore[no-any-return]


def _householder_reflectors(Q: Tensor) -> Tensor:
    """``geqrf(Q)``'s reflectors, with the diagonal replaced by the signs that make
    ``householder(reflectors) == Q`` (-1 where LAPACK made no reflection: ``tau == 0``)."""
    h, tau = np.linalg.qr(Q._data, mode="raw")  # LAPACK's geqrf, in Fortran order
    a = np.ascontiguousarray(np.swapaxes(h, -1, -2))
    diag = np.sign(np.diagonal(a, axis1=-2, axis2=-1))
    diag = np.where(tau == 0.0, -diag, diag)
    idx = np.arange(diag.shape[-1])
    a[..., idx, idx] = diag
    return _wrap(a)


class _OrthMaps(Enum):
    matrix_exp = auto()
    cayley = auto()
    householder = auto()


class _Orthogonal(Module):
    """Maps a tensor to an orthogonal matrix (or a batch): see ``orthogonal``."""

    base: Tensor

    def __init__(self, weight: Tensor, orthogonal_map: _OrthMaps, *,
                 use_trivialization: bool = True) -> None:
        super().__init__()
        if weight.is_complex() and orthogonal_map == _OrthMaps.householder:
            raise ValueError("The householder parametrization does not support complex tensors.")
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X: Tensor) -> Tensor:
        n, k = X.shape[-2], X.shape[-1]
        transposed = n < k
        if transposed:
            X = X.mT
            n, k = k, n
        if self.orthogonal_map == _OrthMaps.householder:
            Q = self._householder(X)
        else:
            Q = self._exp_or_cayley(X, n, k)
        if hasattr(self, "base"):
            Q = self.base @ Q
        return Q.mT if transposed else Q

    def _exp_or_cayley(self, X: Tensor, n: int, k: int) -> Tensor:
        """exp(A) or the Cayley map (I - A/2)^-1 (I + A/2) of the skew-symmetric
        A = L - L^T, L the lower triangle of X (padded to n x n), first k columns."""
        X = X.tril()
        if n != k:
            X = cat([X, X.new_zeros(n, n - k).expand(*X.shape[:-2], -1, -1)], dim=-1)
        A = X - X.mH
        if self.orthogonal_map == _OrthMaps.matrix_exp:
            Q = matrix_exp(A)
        else:
            Id = eye(n, dtype=A.dtype)
            Q = solve(Id.add(A, alpha=-0.5), Id.add(A, alpha=0.5))
        return Q[..., :k] if n != k else Q  # type: ignore[no-any-return]

    def _householder(self, X: Tensor) -> Tensor:
        """Reflectors below the diagonal with tau = 2 / (1 + |v|^2) (so each H_i is a true
        reflection), columns signed by X's diagonal (1 or -1, not learned)."""
        A = X.tril(diagonal=-1)
        tau = 2.0 / (1.0 + (A * A).sum(dim=-2))
        Q = _householder_product(A, tau)
        return Q * X.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)  # type: ignore[no-any-return]

    def right_inverse(self, Q: Tensor) -> Tensor:
        with no_grad():
            return self._right_inverse(Q)

    def _right_inverse(self, Q: Tensor) -> Tensor:
        if Q.shape != self.shape:
            raise ValueError(f"Expected a matrix or batch of matrices of shape {self.shape}. "
                             f"Got a tensor of shape {Q.shape}.")
        Q_init = Q
        n, k = Q.shape[-2], Q.shape[-1]
        transpose = n < k
        if transpose:
            Q = Q.mT
            n, k = k, n
        if not hasattr(self, "base"):
            if self.orthogonal_map != _OrthMaps.householder:
                raise NotImplementedError(
                    "It is not possible to assign to the matrix exponential or the Cayley "
                    "parametrizations when use_trivialization=False.")
            A = _householder_reflectors(Q)
            return A.mT if transpose else A
        if n == k:
            Q = Q.clone() if _is_orthogonal(Q) else _make_orthogonal(Q)
        else:  # complete Q to an n x n orthogonal matrix with random columns
            N = randn(*(tuple(Q.shape[:-2]) + (n, n - k)), dtype=Q.dtype)
            Q = _make_orthogonal(cat([Q, N], dim=-1))
        self.base = Q
        # -I: householder(zeros) is then I (the diagonal gives the columns' signs)
        neg_id = zeros_like(Q_init)
        neg_id.diagonal(dim1=-2, dim2=-1).fill_(-1.0)
        return neg_id


def orthogonal(module: Module, name: str = "weight", orthogonal_map: str | None = None, *,
               use_trivialization: bool = True) -> Module:
    """Parametrize ``module.<name>`` (a matrix or a batch of them, m x n) as orthogonal:
    ``Q^T Q = I`` if m >= n, ``Q Q^T = I`` otherwise.

    ``orthogonal_map``: ``"matrix_exp"`` (``Q = exp(A)``), ``"cayley"``
    (``Q = (I + A/2)(I - A/2)^-1``), both on a skew-symmetric ``A`` made from the
    original, or ``"householder"`` (a product of Householder reflectors). Default:
    ``"matrix_exp"`` for square matrices, ``"householder"`` otherwise. With
    ``use_trivialization`` (default) an extra matrix ``base`` is kept and ``Q = base @
    map(original)``; the initial value is the current weight if orthogonal, else the Q of
    its QR decomposition.

    >>> layer = nn.utils.parametrizations.orthogonal(nn.Linear(20, 40))
    >>> Q = layer.weight
    >>> float((Q.T @ Q - tg.eye(20)).norm()) < 1e-5
    True
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError("Expected a matrix or batch of matrices. "
                         f"Got a tensor of {weight.ndim} dimensions.")
    if orthogonal_map is None:
        square = weight.shape[-2] == weight.shape[-1]
        orthogonal_map = "matrix_exp" if square or weight.is_complex() else "householder"
    orth_enum = getattr(_OrthMaps, orthogonal_map, None)
    if orth_enum is None:
        raise ValueError('orthogonal_map has to be one of "matrix_exp", "cayley", '
                         f'"householder". Got: {orthogonal_map}')
    orth = _Orthogonal(weight, orth_enum, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module


# ------------------------------------------------------------------ weight norm


class _WeightNorm(Module):
    """``w = g * v / ||v||`` from ``(g, v)``; ``right_inverse`` splits ``w`` into them."""

    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return _weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight: Tensor) -> tuple[Tensor, Tensor]:
        return norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module: Module, name: str = "weight", dim: int = 0) -> Module:
    """Weight normalisation as a parametrization: ``w = g * v / ||v||``, the magnitude
    ``g`` kept as ``parametrizations.<name>.original0`` and the direction ``v`` as
    ``original1``; the norm is over every dimension but ``dim`` (``None``: all).
    State dicts of the older ``nn.utils.weight_norm`` (``weight_g``, ``weight_v``) load.

    >>> m = nn.utils.parametrizations.weight_norm(nn.Linear(20, 40))
    >>> m.parametrizations.weight.original0.shape
    tinygrad_edu.Size([40, 1])
    """
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)

    def _weight_norm_compat_hook(module: Module, state_dict: dict[str, Any], prefix: str,
                                 *args: Any) -> None:
        g_key, v_key = f"{prefix}{name}_g", f"{prefix}{name}_v"
        if g_key in state_dict and v_key in state_dict:
            state_dict[f"{prefix}parametrizations.{name}.original0"] = state_dict.pop(g_key)
            state_dict[f"{prefix}parametrizations.{name}.original1"] = state_dict.pop(v_key)

    module.register_load_state_dict_pre_hook(_weight_norm_compat_hook)
    return module


# ------------------------------------------------------------------ spectral norm


class _SpectralNorm(Module):
    """``W / sigma(W)`` with sigma estimated by power iteration (see ``spectral_norm``)."""

    def __init__(self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0,
                 eps: float = 1e-12) -> None:
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError("Dimension out of range (expected to be in range of "
                             f"[-{ndim}, {ndim - 1}] but got {dim})")
        _check_power_iterations(n_power_iterations)
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:  # (a vector is simply normalised: nothing to estimate)
            self.n_power_iterations = n_power_iterations
            weight_mat = self._reshape_weight_to_matrix(weight)
            with no_grad():
                u, v = _draw_u_v(weight_mat, self.eps)
            self.register_buffer("_u", u)
            self.register_buffer("_v", v)
            self._power_method(weight_mat, 15)  # start from good estimates

    def _reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        if weight.ndim <= 1:
            raise AssertionError(
                f"Expected weight to have more than 1 dimension, got {weight.ndim}")
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.dim()) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, weight_mat: Tensor, n_power_iterations: int) -> None:
        """``u = normalize(W v)``, ``v = normalize(W^H u)``, n times, in the buffers."""
        with no_grad():
            for _ in range(n_power_iterations):
                self._u.copy_(normalize(weight_mat.mv(self._v), dim=0, eps=self.eps))
                self._v.copy_(normalize(weight_mat.H.mv(self._u), dim=0, eps=self.eps))

    def forward(self, weight: Tensor) -> Tensor:
        if weight.ndim == 1:
            return normalize(weight, dim=0, eps=self.eps)
        weight_mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        # copies: a graph recorded by an earlier forward keeps the u and v it saw
        u, v = self._u.clone(), self._v.clone()
        sigma = u.vdot(weight_mat.mv(v))
        return weight / sigma  # type: ignore[no-any-return]

    def right_inverse(self, value: Tensor) -> Tensor:
        return value


def spectral_norm(module: Module, name: str = "weight", n_power_iterations: int = 1,
                  eps: float = 1e-12, dim: int | None = None) -> Module:
    """Spectral normalisation as a parametrization: ``module.<name>`` reads as
    ``W / sigma(W)``, sigma the largest singular value estimated by power iteration
    (``n_power_iterations`` steps on each read in training mode; 15 at registration).
    The vectors are the buffers ``parametrizations.<name>.0._u`` / ``._v``, drawn as
    torch draws them after the same seed. ``dim``: 0, or 1 for ``ConvTranspose*d``.

    >>> m = nn.utils.parametrizations.spectral_norm(nn.Linear(20, 40))
    >>> float(tg.linalg.matrix_norm(m.weight, 2)) < 1.01
    True
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    dim = _default_dim(module) if dim is None else dim
    parametrize.register_parametrization(
        module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module
