"""Functions of matrices and products of several: ``cov``, ``corrcoef``, ``matrix_power``,
``matrix_exp``, ``chain_matmul`` / ``linalg.multi_dot``, ``vander`` / ``linalg.vander``,
and the ``tg.linalg`` spellings of existing ops (``vecdot``, ``matmul``, ``diagonal``,
``cross``).

All but ``matrix_exp`` are compositions of recorded ops, written as PyTorch composes them
(aten/src/ATen/native/LinearAlgebra.cpp, Correlation.cpp), so the graph and the grad_fn
names are PyTorch's: ``cov`` ends in a ``squeeze`` (``SqueezeBackward0``), ``multi_dot``
multiplies in the cheapest order and views the result (``ViewBackward0``).

``matrix_exp`` is one op, ``LinalgMatrixExpBackward0``. Its gradient is PyTorch's: for
``Y = exp(A)`` and ``G = dL/dY``, ``dL/dA`` is the upper-right block of
``exp([[A^T, G], [0, A^T]])`` (Mathias 1996: the exponential of a block triangular matrix
holds the Frechet derivative of exp in its corner), so the backward is itself a
``matrix_exp`` and differentiates again under ``create_graph=True``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..amp.autocast_mode import autocast_op
from ..core.function import _wrap
from ..dtypes import FLOATING, REDUCED
from ..parity.grad_fn_names import labelled
from ..parity.names import CPP_TYPE_NAMES, scalar_type_name
from ..tensor_base import TensorBase
from . import dual
from .dual import _Op
from .join import cat
from .linalg import check_matrix, check_square, inv, mT
from .matmul import Matmul

if TYPE_CHECKING:
    from ..tensor import Tensor


# ---------------------------------------------------------------------------- matrix_exp
def _expm(a: np.ndarray) -> np.ndarray:
    """exp(A) of each matrix, by scaling and squaring: exp(A) = exp(A / 2^s)^(2^s), with
    ``s`` making ||A / 2^s||_1 <= 1/2, where the Taylor series to degree 18 is exact to
    double precision (its next term is below 0.5^19 / 19! ~ 1e-23). In float64."""
    x = a.astype(np.float64)
    n = x.shape[-1]
    if n == 0:
        return x.astype(a.dtype)
    norm = np.abs(x).sum(-2).max(-1)
    s = np.maximum(0, np.ceil(np.log2(np.maximum(norm, 1e-300) / 0.5))).astype(np.int64)
    x = x / (2.0 ** s)[..., None, None]
    eye = np.eye(n)
    taylor = eye + x / 18  # Horner: I + x (I + x/2 (I + x/3 (...)))
    for k in range(17, 0, -1):
        taylor = eye + (x @ taylor) / k
    for k in range(int(s.max(initial=0))):  # square back, each matrix its own s times
        squared = taylor @ taylor
        taylor = np.where((s > k)[..., None, None], squared, taylor)
    return taylor.astype(a.dtype)


def _matrix_exp_any(x: Any) -> Any:
    return _expm(x) if dual._is_array(x) else MatrixExp.apply(x)


def _blocks(top_left: Any, top_right: Any, bottom_right: Any) -> Any:
    """The block matrix [[top_left, top_right], [0, bottom_right]], arrays or Tensors."""
    parts = (top_left, top_right, bottom_right)
    if all(dual._is_array(p) for p in parts):
        zeros = np.zeros_like(top_left)
        return np.concatenate([np.concatenate([top_left, top_right], -1),
                               np.concatenate([zeros, bottom_right], -1)], -2)
    tl, tr, br = (_wrap(np.asanyarray(p)) if dual._is_array(p) else p for p in parts)
    return cat([cat([tl, tr], -1), cat([dual.zeros_like(tl), br], -1)], -2)


class MatrixExp(_Op):
    """``exp(A) = I + A + A^2/2! + ...``; dL/dA = the corner of exp([[A^T, G], [0, A^T]])."""

    _grad_fn_name = "LinalgMatrixExpBackward0"

    @staticmethod
    def forward(ctx: Any, a: Any) -> Any:
        ctx.save_for_backward(a)
        return _expm(a)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (a,) = ctx.saved_tensors
        n = a.shape[-1]
        meta = _matrix_exp_any(_blocks(mT(a), grad, mT(a)))
        return meta[..., :n, n:]


# ---------------------------------------------------------------------------- checks


def _check_int(fn: str, name: str, value: Any, position: str = "") -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{fn}(): argument '{name}'{position} must be int, not "
                        f"{type(value).__name__}")


def _check_weights(name: str, w: Tensor, observations: int, integral: bool) -> None:
    """cov's checks of ``fweights`` (integral) or ``aweights`` (floating)."""
    if w.ndim > 1:
        raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got "
                           f"{name} with {w.ndim} dimensions")
    kind_ok = (w._data.dtype.kind in "iu") if integral else (w._data.dtype in FLOATING)
    if not kind_ok:
        kind = "integral" if integral else "floating point"
        raise RuntimeError(f"cov(): expected {name} to have {kind} dtype but got {name} with "
                           f"{scalar_type_name(w._data.dtype)} dtype")
    if w.numel() != observations:
        raise RuntimeError(f"cov(): expected {name} to have the same numel as there are "
                           f"observations in the input but got {w.numel()} != {observations}")
    if observations and w._data.min() < 0:
        raise RuntimeError(f"cov(): {name} cannot be negative")


# ---------------------------------------------------------------------------- methods
class MatrixFunctionMethods(TensorBase):
    """The Tensor's methods of this family."""

    __slots__ = ()

    def cov(self, *, correction: int = 1, fweights: Tensor | None = None,
            aweights: Tensor | None = None) -> Tensor:
        """The covariance matrix of the variables in the rows of ``self`` (observations
        in the columns; a 1-D tensor is one variable), each observation weighted by
        ``fweights`` (integer repeat counts) times ``aweights`` (floats):
        ``C = (X - avg) diag(w) (X - avg)^T / (sum(w) - correction * sum(w * a) / sum(w))``.

        >>> tg.tensor([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]]).cov()
        tensor([[ 1., -1.],
                [-1.,  1.]])
        """
        _check_int("cov", "correction", correction)
        if self.ndim > 2:
            raise RuntimeError("cov(): expected input to have two or fewer dimensions but got "
                               f"an input with {self.ndim} dimensions")
        if self._data.dtype == np.bool_:
            raise RuntimeError("cov(): bool dtype is not supported for input")
        x: Any = self.view(1, -1) if self.ndim < 2 else self
        observations = x.shape[1]
        w: Any = None
        if fweights is not None:
            _check_weights("fweights", fweights, observations, integral=True)
            w = fweights
        if aweights is not None:
            _check_weights("aweights", aweights, observations, integral=False)
            w = aweights if w is None else w * aweights
        w_sum = _wrap(np.asanyarray(observations, np.int64)) if w is None else w.sum()
        if w is not None and not w_sum._data != 0:
            raise RuntimeError("cov(): weights sum to zero, can't be normalized")
        avg = (x if w is None else x * w).sum(1) / w_sum
        if w is not None and aweights is not None and correction != 0:
            norm_factor = w_sum - correction * (w * aweights).sum() / w_sum
        else:  # (no subtraction recorded for correction 0, as PyTorch's graph)
            norm_factor = w_sum - correction if correction else w_sum
        if norm_factor._data <= 0:
            warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly "
                          "less than the number of observations.", UserWarning, stacklevel=2)
            norm_factor = norm_factor.zero_()  # (+0, as PyTorch: c / 0 is +inf where c > 0)
        x = x - avg.unsqueeze(1)
        c = x.mm((x if w is None else x * w).t())
        return (c / norm_factor).squeeze()  # type: ignore[no-any-return]

    def corrcoef(self) -> Tensor:
        """Pearson's correlation coefficients of the variables in the rows of ``self``:
        ``cov`` divided by the outer product of the standard deviations, clipped to
        [-1, 1].

        >>> tg.tensor([[0.0, 1.0, 2.0], [2.0, 1.0, 0.5]]).corrcoef()
        tensor([[ 1.0000, -0.9820],
                [-0.9820,  1.0000]])
        """
        if self.ndim > 2:
            raise RuntimeError("corrcoef(): expected input to have two or fewer dimensions "
                               f"but got an input with {self.ndim} dimensions")
        c = self.cov()
        if c.ndim == 0:  # one variable: 1 (nan where its variance is 0, inf or nan)
            return c / c  # type: ignore[no-any-return]
        stddev = c.diagonal().sqrt()
        c = c / stddev.view(-1, 1)
        c = c / stddev.view(1, -1)
        return c.clip(-1, 1)  # type: ignore[no-any-return]

    def matrix_power(self, n: int) -> Tensor:
        """The ``n``-th power of a square matrix (or of each of a batch) by repeated
        squaring; ``n = 0`` gives the identity, a negative ``n`` the power of the inverse.

        >>> tg.tensor([[1, 1], [0, 1]]).matrix_power(3)
        tensor([[1, 3],
                [0, 1]])
        """
        _check_int("matrix_power", "n", n, " (position 2)")
        return _matrix_power("linalg.matrix_power", self, int(n))  # type: ignore[arg-type]

    def matrix_exp(self) -> Tensor:
        """The matrix exponential ``exp(A) = sum_k A^k / k!`` of a square matrix (or of
        each of a batch). Differentiable (see the module docstring).

        >>> tg.tensor([[0.0, 1.0], [0.0, 0.0]]).matrix_exp()
        tensor([[1., 1.],
                [0., 1.]])
        """
        low = self._data.dtype in REDUCED  # (PyTorch computes it in half precision too)
        if low:
            check_square("linalg.matrix_exp", self)  # type: ignore[arg-type]
        check_matrix("linalg.matrix_exp", self.float() if low else self)  # type: ignore[arg-type]
        return MatrixExp.apply(self)  # type: ignore[no-any-return]


def _matrix_power(name: str, A: Tensor, n: int) -> Tensor:
    """A^n as PyTorch computes it: a copy of I, a clone, one or two products, or binary
    powering (z = A, A^2, A^4, ... multiplied into the result at the bits of n)."""
    check_square(name, A)
    if n == 0:
        return A.clone().copy_(_wrap(np.eye(A.shape[-1], dtype=A._data.dtype)))
    a = inv(A) if n < 0 else A
    n = abs(n)
    if n == 1:
        return a if a is not A else A.clone()
    if n == 2:
        return a.matmul(a)
    if n == 3:
        return a.matmul(a).matmul(a)
    z: Any = None
    result: Any = None
    while n > 0:
        bit, n = n % 2, n // 2
        z = a if z is None else z.matmul(z)
        if bit:
            result = z if result is None else result.matmul(z)
    return result  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------- products
def multi_dot(tensors: Sequence[Tensor]) -> Tensor:
    """The product of two or more matrices, multiplied in the order that needs the fewest
    scalar multiplications (the classic matrix-chain dynamic programme, as PyTorch's, so
    the rounding is PyTorch's too). The first may be a 1-D row vector and the last a
    1-D column vector; the others are 2-D.

    >>> A = tg.ones(2, 3); B = tg.ones(3, 4); C = tg.ones(4)
    >>> tg.linalg.multi_dot([A, B, C])
    tensor([12., 12.])
    """
    mats, out_shape = _chain_operands(list(tensors))
    k = len(mats)
    if k == 2:
        result = mats[0].mm(mats[1])
    elif k == 3:  # (AB)C costs a c (b + d), A(BC) b d (a + c)
        a, b, c, d = mats[0].shape[0], mats[1].shape[0], mats[2].shape[0], mats[2].shape[1]
        if a * c * (b + d) > b * d * (a + c):
            result = mats[0].mm(mats[1].mm(mats[2]))
        else:
            result = mats[0].mm(mats[1]).mm(mats[2])
    else:
        result = _chain_product(mats, _chain_order(mats), 0, k - 1)
    return result.view(tuple(out_shape))  # type: ignore[no-any-return]


def _chain_operands(tensors: list[Tensor]) -> tuple[list[Tensor], list[int]]:
    """multi_dot's checks; the operands as matrices and the result's shape."""
    k = len(tensors)
    if k < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {k}")
    mats, out_shape = list(tensors), []
    for place, i, axis in (("first", 0, 0), ("last", k - 1, -1)):
        t = tensors[i]
        if t.ndim == 1:
            mats[i] = t.unsqueeze(axis)
        elif t.ndim == 2:
            out_shape.append(t.shape[axis])
        else:
            raise RuntimeError(f"multi_dot(): the {place} tensor must be 1D or 2D but got "
                               f"{t.ndim}D")
    for i in range(1, k - 1):
        if tensors[i].ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got "
                               f"{tensors[i].ndim}D")
    dtype = mats[0]._data.dtype
    for i in range(1, k):
        if mats[i]._data.dtype != dtype:
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but "
                               f"tensor 0 is {CPP_TYPE_NAMES[dtype.name]} and tensor {i} "
                               f"{CPP_TYPE_NAMES[mats[i]._data.dtype.name]}")
        if mats[i - 1].shape[-1] != mats[i].shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i - 1} and {i} with shapes "
                               f"{list(tensors[i - 1].shape)} and {list(tensors[i].shape)} "
                               "cannot be multiplied")
    return mats, out_shape


def _chain_order(mats: list[Tensor]) -> list[list[int]]:
    """split[i][j]: where the product of mats i..j splits, for the fewest multiplications
    (cost[i][j] = min over k of cost[i][k] + cost[k+1][j] + p_i p_(k+1) p_(j+1))."""
    k = len(mats)
    p = [m.shape[0] for m in mats] + [mats[-1].shape[1]]
    cost = [[0] * k for _ in range(k)]
    split = [[0] * k for _ in range(k)]
    for length in range(1, k):
        for i in range(k - length):
            j = i + length
            cost[i][j] = math.inf  # type: ignore[call-overload]
            for s in range(i, j):
                q = cost[i][s] + cost[s + 1][j] + p[i] * p[s + 1] * p[j + 1]
                if q < cost[i][j]:
                    cost[i][j], split[i][j] = q, s
    return split


def _chain_product(mats: list[Tensor], split: list[list[int]], i: int, j: int) -> Tensor:
    if i == j:
        return mats[i]
    s = split[i][j]
    return _chain_product(mats, split, i, s).mm(_chain_product(mats, split, s + 1, j))


_CHAIN_WARNED = [False]  # PyTorch warns once per process (TORCH_WARN_ONCE)


def chain_matmul(*matrices: Tensor) -> Tensor:
    """The product of 2-D matrices (deprecated in PyTorch: use ``tg.linalg.multi_dot``,
    which this calls).

    >>> tg.chain_matmul(tg.eye(2), tg.ones(2, 2))
    tensor([[1., 1.],
            [1., 1.]])
    """
    if not _CHAIN_WARNED[0]:
        _CHAIN_WARNED[0] = True
        warnings.warn("torch.chain_matmul is deprecated and will be removed in a future "
                      "PyTorch release. Use torch.linalg.multi_dot instead, which accepts a "
                      "list of two or more tensors rather than multiple parameters.",
                      UserWarning, stacklevel=2)
    for m in matrices:
        if m.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {m.ndim}, expected 2 instead.")
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    if len(matrices) == 1:
        return matrices[0].clone()  # type: ignore[no-any-return]
    return multi_dot(matrices)


@autocast_op("linalg_vecdot")
def vecdot(x: Tensor, y: Tensor, *, dim: int = -1) -> Tensor:
    """The dot products of two batches of vectors along ``dim`` (batch dims broadcast):
    ``sum(x * y, dim)``.

    >>> tg.linalg.vecdot(tg.tensor([[1.0, 2.0], [3.0, 4.0]]), tg.tensor([1.0, 1.0]))
    tensor([3., 7.])
    """
    if x._data.dtype not in FLOATING:
        raise RuntimeError("linalg.vecdot: Expected a floating point or complex tensor as "
                           f"input. Got {scalar_type_name(x._data.dtype)}")
    if x._data.dtype != y._data.dtype:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same dtype, but found "
                           f"x of type {scalar_type_name(x._data.dtype)} and y of type "
                           f"{scalar_type_name(y._data.dtype)} instead")
    if x.ndim == 1 and y.ndim == 1:  # (PyTorch's vdot then: no broadcasting, dim unread)
        if x.shape != y.shape:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{x.shape[0]}] and "
                               f"src [{y.shape[0]}] to have the same number of elements, but "
                               f"got {x.shape[0]} and {y.shape[0]} elements respectively")
        return Vdot.apply(x, y)  # type: ignore[no-any-return]
    return (x * y).sum(dim)  # type: ignore[no-any-return]


Vdot = labelled(Matmul, "VdotBackward0", _check_order=None)  # (``self`` before ``other``)


# ---------------------------------------------------------------------------- vander
def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:  # noqa: N803
    """The Vandermonde matrix of a 1-D ``x``: column j is ``x ** (N - 1 - j)`` (``x ** j``
    when ``increasing``), ``N`` columns (default: len(x)). Integers become int64.

    >>> tg.vander(tg.tensor([1, 2, 3]))
    tensor([[1, 1, 1],
            [4, 2, 1],
            [9, 3, 1]])
    """
    if x.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    dtype = x._data.dtype if x._data.dtype in FLOATING else np.dtype(np.int64)
    result = _wrap(np.ones((x.shape[0], n), dtype))
    if n > 1:  # columns x, x^2, ...: the running product, written in place as PyTorch
        result[:, 1:] = x.unsqueeze(1)
        result[:, 1:] = result[:, 1:].cumprod(1)
    return result if increasing else result.flip(1)  # type: ignore[no-any-return]


def linalg_vander(x: Tensor, *, N: int | None = None) -> Tensor:  # noqa: N803
    """The Vandermonde matrices of a batch of vectors ``x`` (the last dim), powers
    increasing: ``[..., i, j] = x[..., i] ** j``, ``N`` columns (default: x.shape[-1]).

    >>> tg.linalg.vander(tg.tensor([1.0, 2.0, 3.0]))
    tensor([[1., 1., 1.],
            [1., 2., 4.],
            [1., 3., 9.]])
    """
    kind = x._data.dtype
    if kind not in (np.float32, np.float64) and kind.kind not in "iu":  # (not half, bool)
        raise RuntimeError("linalg.vander supports floating point, complex, and integer "
                           f"tensors, but got {scalar_type_name(kind)}")
    x = x.unsqueeze(-1) if x.ndim == 0 else x
    n = x.shape[-1] if N is None else N
    if n <= 1:
        raise RuntimeError("N must be greater than 1.")
    powers = x.unsqueeze(-1).expand(*x.shape, n - 1).cumprod(-1)
    return cat([powers.new_ones((*x.shape, 1)), powers], -1)


# ------------------------------------------------------ tg.linalg's names of other ops
def linalg_matrix_power(A: Tensor, n: int) -> Tensor:
    """``A^n``: see ``Tensor.matrix_power``.

    >>> tg.linalg.matrix_power(tg.tensor([[2.0, 0.0], [0.0, 3.0]]), -1)
    tensor([[0.5000, 0.0000],
            [0.0000, 0.3333]])
    """
    _check_int("linalg_matrix_power", "n", n, " (position 2)")
    return _matrix_power("linalg.matrix_power", A, int(n))


def linalg_matrix_exp(A: Tensor) -> Tensor:
    """``exp(A)``: see ``Tensor.matrix_exp``.

    >>> tg.linalg.matrix_exp(tg.zeros(2, 2))
    tensor([[1., 0.],
            [0., 1.]])
    """
    return A.matrix_exp()


def linalg_matmul(input: Tensor, other: Tensor) -> Tensor:
    """``input @ other``: ``tg.matmul``.

    >>> tg.linalg.matmul(tg.eye(2), tg.tensor([1.0, 2.0]))
    tensor([1., 2.])
    """
    return input.matmul(other)


def linalg_diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """The diagonals of a batch of matrices: ``A.diagonal(offset, dim1, dim2)``, with the
    matrix dims last by default.

    >>> tg.linalg.diagonal(tg.tensor([[1.0, 2.0], [3.0, 4.0]]))
    tensor([1., 4.])
    """
    return A.diagonal(offset, dim1, dim2)


def linalg_cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:
    """The cross products of 3-vectors along ``dim`` (default: the last); batch dims
    broadcast.

    >>> tg.linalg.cross(tg.tensor([1.0, 0.0, 0.0]), tg.tensor([0.0, 1.0, 0.0]))
    tensor([0., 0., 1.])
    """
    return input.cross(other, dim)
