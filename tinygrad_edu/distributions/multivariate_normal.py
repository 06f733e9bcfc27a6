"""``MultivariateNormal(loc, covariance_matrix | precision_matrix | scale_tril)``: the
Gaussian over vectors. Everything goes through the lower Cholesky factor L of the
covariance (Sigma = L L^T): ``rsample`` is ``loc + L eps``, ``log_prob`` solves
``L z = x - loc`` (the Mahalanobis distance is ``|z|^2``)."""

from __future__ import annotations

import math
from typing import Any

from .. import creation
from ..functional import broadcast_shapes
from ..ops.linalg import cholesky
from ..ops.linalg_ex import cholesky_inverse, solve_triangular
from ..tensor import Size, Tensor
from . import constraints
from .constraints import Constraint
from .distribution import Distribution

__all__ = ["MultivariateNormal"]


def batch_mv(bmat: Tensor, bvec: Tensor) -> Tensor:
    """Matrix times vector over broadcast batch dims: ``(bmat @ bvec[..., None])[..., 0]``."""
    return bmat.matmul(bvec.unsqueeze(-1)).squeeze(-1)


def batch_mahalanobis(bL: Tensor, bx: Tensor) -> Tensor:
    """``x^T (L L^T)^{-1} x = |L^{-1} x|^2`` per vector of ``bx``; ``bL``'s batch dims
    broadcast against ``bx``'s right-most batch dims. The vectors that share one L are
    gathered into the columns of one triangular solve, as PyTorch does."""
    n = bx.size(-1)
    bx_batch_shape = tuple(bx.shape[:-1])
    bx_batch_dims = len(bx_batch_shape)
    bL_batch_dims = bL.dim() - 2
    outer_batch_dims = bx_batch_dims - bL_batch_dims
    old_batch_dims = outer_batch_dims + bL_batch_dims
    new_batch_dims = outer_batch_dims + 2 * bL_batch_dims
    # bx: (..., i, j, n) -> (..., 1, j, i, 1, n) when bL is (i, 1, n, n)
    bx_new_shape = tuple(bx.shape[:outer_batch_dims])
    for sL, sx in zip(bL.shape[:-2], bx.shape[outer_batch_dims:-1]):
        bx_new_shape += (sx // sL, sL)
    bx_new_shape += (n,)
    bx = bx.reshape(bx_new_shape)
    permute_dims = (list(range(outer_batch_dims))
                    + list(range(outer_batch_dims, new_batch_dims, 2))
                    + list(range(outer_batch_dims + 1, new_batch_dims, 2)) + [new_batch_dims])
    bx = bx.permute(permute_dims)
    flat_L = bL.reshape(-1, n, n)  # b x n x n
    flat_x = bx.reshape(-1, flat_L.size(0), n)  # c x b x n
    flat_x_swap = flat_x.permute(1, 2, 0)  # b x n x c
    M_swap = solve_triangular(flat_L, flat_x_swap, upper=False).pow(2).sum(-2)  # b x c
    M = M_swap.t()  # c x b
    permuted_M = M.reshape(bx.shape[:-1])  # (..., 1, j, i, 1)
    permute_inv_dims = list(range(outer_batch_dims))
    for i in range(bL_batch_dims):
        permute_inv_dims += [outer_batch_dims + i, old_batch_dims + i]
    return permuted_M.permute(permute_inv_dims).reshape(bx_batch_shape)


def _precision_to_scale_tril(P: Tensor) -> Tensor:
    # the Cholesky factor of P^{-1} from that of P flipped: no explicit inverse of P
    Lf = cholesky(P.flip((-2, -1)))
    L_inv = Lf.flip((-2, -1)).transpose(-2, -1)
    Id = creation.eye(P.shape[-1], dtype=P.dtype)
    return solve_triangular(L_inv, Id, upper=False)


class MultivariateNormal(Distribution):
    """The Gaussian of mean vector ``loc`` and covariance ``L L^T``, given by exactly one of
    ``covariance_matrix``, ``precision_matrix`` (its inverse) or ``scale_tril`` (L).
    Draws are ``loc + L eps`` with eps from ``normal_``: PyTorch's after the same seed.

    >>> MultivariateNormal(tg.zeros(2), tg.eye(2)).log_prob(tg.zeros(2))
    tensor(-1.8379)
    """

    has_rsample = True
    _params = ("loc", "covariance_matrix", "precision_matrix", "scale_tril")

    def __init__(self, loc: Tensor, covariance_matrix: Tensor | None = None,
                 precision_matrix: Tensor | None = None, scale_tril: Tensor | None = None,
                 validate_args: bool | None = None) -> None:
        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        given = [(name, m) for name, m in (("covariance_matrix", covariance_matrix),
                                           ("precision_matrix", precision_matrix),
                                           ("scale_tril", scale_tril)) if m is not None]
        if len(given) != 1:
            raise ValueError("Exactly one of covariance_matrix or precision_matrix or "
                             "scale_tril may be specified.")
        name, matrix = given[0]
        if matrix.dim() < 2:
            label = "scale_tril matrix" if name == "scale_tril" else name
            raise ValueError(f"{label} must be at least two-dimensional, "
                             "with optional leading batch dimensions")
        batch_shape = tuple(broadcast_shapes(matrix.shape[:-2], loc.shape[:-1]))
        self.__dict__[name] = matrix.expand(batch_shape + (-1, -1))
        self.loc = loc.expand(batch_shape + (-1,))
        super().__init__(batch_shape, self.loc.shape[-1:], validate_args=validate_args)
        if name == "scale_tril":
            self._unbroadcasted_scale_tril = matrix
        elif name == "covariance_matrix":
            self._unbroadcasted_scale_tril = cholesky(matrix)
        else:
            self._unbroadcasted_scale_tril = _precision_to_scale_tril(matrix)

    def __getattr__(self, name: str) -> Any:  # (the two matrices not given, made when read)
        if name not in ("scale_tril", "covariance_matrix", "precision_matrix"):
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
        L = self.__dict__["_unbroadcasted_scale_tril"]
        shape = Size(tuple(self._batch_shape) + tuple(self._event_shape) * 2)
        if name == "scale_tril":
            value = L.expand(shape)
        elif name == "covariance_matrix":
            value = L.matmul(L.mT).expand(shape)
        else:
            value = cholesky_inverse(L).expand(shape)
        self.__dict__[name] = value
        return value

    @property
    def arg_constraints(self) -> dict[str, Constraint]:
        return {"loc": constraints.real_vector,
                "covariance_matrix": constraints.positive_definite,
                "precision_matrix": constraints.positive_definite,
                "scale_tril": constraints.lower_cholesky}

    @property
    def support(self) -> Constraint:
        return constraints.real_vector

    @property
    def mean(self) -> Tensor:
        """``loc``."""
        return self.loc

    @property
    def mode(self) -> Tensor:
        """``loc``."""
        return self.loc

    @property
    def variance(self) -> Tensor:
        """The covariance's diagonal: the row sums of ``L**2``."""
        return self._unbroadcasted_scale_tril.pow(2).sum(-1).expand(
            tuple(self._batch_shape) + tuple(self._event_shape))

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """``loc + L eps``, eps ~ N(0, I) (``normal_``): differentiable in loc and L."""
        shape = self._extended_shape(sample_shape)
        eps = self.loc.new_empty(shape).normal_()
        return self.loc + batch_mv(self._unbroadcasted_scale_tril, eps)

    def log_prob(self, value: Tensor) -> Tensor:
        """``-(k log(2 pi) + |L^{-1}(x - loc)|^2) / 2 - sum log diag(L)``."""
        self._validate_sample(value)
        M = batch_mahalanobis(self._unbroadcasted_scale_tril, value - self.loc)
        half_log_det = self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)
        return -0.5 * (self._event_shape[0] * math.log(2 * math.pi) + M) - half_log_det

    def entropy(self) -> Tensor:
        """``k (1 + log(2 pi)) / 2 + sum log diag(L)``."""
        half_log_det = self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)
        H = 0.5 * self._event_shape[0] * (1.0 + math.log(2 * math.pi)) + half_log_det
        return H if len(self._batch_shape) == 0 else H.expand(self._batch_shape)
