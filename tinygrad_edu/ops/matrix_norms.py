"""``tg.linalg.vector_norm``, ``matrix_norm`` and ``norm``: compositions of existing ops,
as in PyTorch (so their grad_fn is the last op's: ``LinalgVectorNormBackward0`` for a
vector or Frobenius norm, ``AmaxBackward0`` for the 2-norm, ``SumBackward1`` for the
nuclear norm).

Matrix norms of A (over the two dims ``dim``), with s its singular values:

- "fro": sqrt(sum a_ij^2)             - "nuc": sum s
- 2 / -2: max s / min s               - 1 / -1: max / min column sum of |a_ij|
- inf / -inf: max / min row sum of |a_ij|
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ..dtypes import REDUCED
from ..parity.names import scalar_type_name
from ..tensor_base import _norm_axis
from .decompositions import svdvals

if TYPE_CHECKING:
    from ..tensor import Tensor

_MATRIX_ORDS = ("fro", "nuc", 2, -2, 1, -1, math.inf, -math.inf)


def vector_norm(x: Tensor, ord: Any = 2, dim: Any = None, keepdim: bool = False, *,
                dtype: Any = None) -> Tensor:
    """The vector ``ord``-norm of ``x`` over ``dim`` (every element when None), the matrix
    flattened: ``(sum |x|^ord)^(1/ord)``; 0 counts nonzeros, inf / -inf take the max / min
    of |x|. Computed in ``dtype`` when given.

    >>> tg.linalg.vector_norm(tg.tensor([[3.0], [-4.0]]))
    tensor(5.)
    """
    return x.norm(float(ord), dim, keepdim, dtype=dtype)


def matrix_norm(A: Tensor, ord: Any = "fro", dim: Any = (-2, -1), keepdim: bool = False, *,
                dtype: Any = None) -> Tensor:
    """The matrix ``ord``-norm of A over the two dims ``dim`` (see the module docstring).

    >>> tg.linalg.matrix_norm(tg.tensor([[1.0, -2.0], [3.0, 4.0]]), ord=1)
    tensor(6.)
    """
    if A.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    if ord not in _MATRIX_ORDS:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if len(dim) != 2:
        raise RuntimeError("linalg.matrix_norm: dim must be a 2-tuple. Got "
                           + " ".join(str(d) for d in dim))
    if A._data.dtype in REDUCED and ord in ("nuc", 2, -2):  # (LAPACK's svd has none)
        raise RuntimeError("linalg.matrix_norm: Low precision dtypes not supported. Got "
                           + scalar_type_name(A._data.dtype))
    d0, d1 = (_norm_axis(d, A.ndim) for d in dim)
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim, dtype=dtype)
    if dtype is not None:
        A = A.to(dtype)
    if ord == "nuc" or abs(ord) == 2:  # from the singular values (dims moved to the end)
        order = [d for d in range(A.ndim) if d not in (d0, d1)] + [d0, d1]
        s = svdvals(A.permute(*order))
        result = (s.sum(-1, keepdim=keepdim) if ord == "nuc" else
                  s.amax(-1, keepdim) if ord > 0 else s.amin(-1, keepdim))
        if keepdim:
            back = sorted(range(A.ndim), key=order.__getitem__)
            result = result.unsqueeze(-1).permute(*back)
        return result
    if math.isinf(ord):  # row sums: sum over the columns, extreme over the rows
        d0, d1 = d1, d0
    if not keepdim and d0 < d1:
        d1 -= 1
    sums = vector_norm(A, 1, d0, keepdim)
    return sums.amax(d1, keepdim) if ord > 0 else sums.amin(d1, keepdim)


def norm(A: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False, *,
         dtype: Any = None) -> Tensor:
    """A vector norm (``dim`` one dim, or none and no ``ord``: every element) or a matrix
    norm (``dim`` two dims, or none and a 2-D A with an ``ord``), as ``vector_norm`` /
    ``matrix_norm``.

    >>> tg.linalg.norm(tg.tensor([[3.0, 0.0], [0.0, 4.0]]))
    tensor(5.)
    """
    if dim is not None:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        if len(dims) == 1:
            return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype)
        return matrix_norm(A, "fro" if ord is None else ord, dims, keepdim, dtype=dtype)
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    if A.ndim not in (1, 2) and not isinstance(ord, str):
        raise RuntimeError("linalg.norm: If dim is not specified but ord is, the input must "
                           f"be 1D or 2D. Got {A.ndim}D.")
    if A.ndim == 1 and not isinstance(ord, str):
        return vector_norm(A, ord, None, keepdim, dtype=dtype)
    return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
