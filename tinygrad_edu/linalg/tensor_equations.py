"""``tensorinv`` and ``tensorsolve``: ``inv`` and ``solve`` for tensors read as matrices,
composed as PyTorch composes them (a reshape to a square matrix, the matrix function, a
reshape back), so their gradients are those of ``reshape`` and ``inv`` / ``solve``."""

from __future__ import annotations

import math
from typing import Any

from ..ops.linalg import LinAlgError, inv, solve
from ..tensor import Tensor

__all__ = ["tensorinv", "tensorsolve"]


def tensorinv(A: Tensor, ind: int = 2) -> Tensor:
    """The inverse of ``A`` read as a matrix of ``prod(A.shape[:ind])`` rows: the result has
    shape ``A.shape[ind:] + A.shape[:ind]``, and ``tensordot(A, tensorinv(A, ind), ind)``
    is the identity.

    >>> A = tg.eye(4).reshape(4, 2, 2)
    >>> tg.linalg.tensorinv(A, ind=1).shape
    tinygrad_edu.Size([2, 2, 4])
    """
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    rows, cols = math.prod(A.shape[:ind]), math.prod(A.shape[ind:])
    if rows != cols:
        raise RuntimeError("Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {cols} != {rows}")
    try:
        inverse = inv(A.reshape(rows, rows))
    except LinAlgError as error:  # (PyTorch names the check "inv" here)
        raise LinAlgError(str(error).replace("linalg.inv:", "inv:", 1)) from None
    return inverse.reshape(*A.shape[ind:], *A.shape[:ind])


def tensorsolve(A: Tensor, B: Tensor, dims: Any = None) -> Tensor:
    """The ``X`` with ``tensordot(A, X, X.ndim) == B``: ``A`` read as a square matrix of
    ``prod(B.shape)`` rows, after moving the dims ``dims`` (if given) to the end; ``X`` has
    shape ``A.shape[B.ndim:]``.

    >>> A = tg.eye(6).reshape(2, 3, 6)
    >>> tg.linalg.tensorsolve(A, tg.ones(2, 3)).shape
    tinygrad_edu.Size([6])
    """
    if dims is not None:
        dims = [dims] if isinstance(dims, int) else list(dims)
        A = A.movedim(dims, list(range(A.dim() - len(dims), A.dim())))
    result_shape = tuple(A.shape[B.dim():])
    size, other = math.prod(result_shape), math.prod(B.shape)
    if size != other:
        raise RuntimeError("Expected self to satisfy the requirement prod(self.shape[other.ndim:"
                           "]) == prod(self.shape[:other.ndim]), but got "
                           f"{size} != {other}")
    return solve(A.reshape(size, size), B.flatten()).reshape(result_shape)
