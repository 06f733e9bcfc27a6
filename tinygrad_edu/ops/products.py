"""Products of tensors beyond matmul: ``outer`` (``ger``), ``inner``, ``tensordot``,
``kron``, ``cross``, ``cdist`` and ``pdist`` (``tg.cartesian_prod`` is in
``functional.py``, beside the ``meshgrid`` it is made of).

Most are compositions of recorded ops, written as PyTorch composes them, so the graph is
PyTorch's node for node (``tensordot`` is a permute, a reshape, an ``mm`` and a reshape;
``kron`` a product of two broadcast views). ``cross`` and ``cdist`` are one op each, as
in PyTorch (``LinalgCrossBackward0``, ``CdistBackward0``, ``PdistBackward0``).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..amp.autocast_mode import autocast_op
from ..dtypes import FLOATING, REDUCED
from ..parity.errors import broadcast_error, not_implemented
from ..parity.names import scalar_type_name
from ..tensor_base import TensorBase, _int, _norm_axis
from . import dual
from .dual import _Op
from .join import cat
from .movement import UnsafeView

if TYPE_CHECKING:
    from ..tensor import Tensor


# ---------------------------------------------------------------------------- cross
def _cross(a: Any, b: Any, axis: int) -> Any:
    """The cross product along ``axis`` of two arrays, or the recorded op of Tensors."""
    if dual._is_array(a) and dual._is_array(b):
        return np.cross(a, b, axis=axis)
    return LinalgCross.apply(a, b, axis)


class LinalgCross(_Op):
    """``a x b`` along ``axis`` (of size 3): (a1 b2 - a2 b1, a2 b0 - a0 b2, a0 b1 - a1 b0)."""

    _grad_fn_name = "LinalgCrossBackward0"
    ctx_fields = ("axis",)

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any, axis: int) -> Any:
        ctx.save_for_backward(a, b)
        ctx.axis = axis
        return np.cross(a, b, axis=axis)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        a, b = ctx.saved_tensors
        # d(a x b) applied to g: for a, b x g; for b, g x a (the triple product rotates)
        need_a, need_b = ctx.needs_input_grad[:2]
        return (_cross(b, grad, ctx.axis) if need_a else None,
                _cross(grad, a, ctx.axis) if need_b else None, None)


_CROSS_WARNED = [False]  # PyTorch warns once per process (TORCH_WARN_ONCE)


def _cross_dim(input: Tensor, other: Tensor, dim: Any) -> int:
    """cross's dim: the one given, or the first of ``input``'s dims of size 3 (with
    PyTorch's deprecation warning); checked as ``linalg.cross`` checks it."""
    if dim is None:
        if not _CROSS_WARNED[0]:
            _CROSS_WARNED[0] = True
            warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\n"
                          "Please either pass the dim explicitly or simply use "
                          "torch.linalg.cross.\nThe default value of dim will change to agree "
                          "with that of linalg.cross in a future release.", UserWarning,
                          stacklevel=3)
        dim = next((d for d, n in enumerate(input.shape) if n == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    if input.ndim != other.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    axis = _norm_axis(dim, input.ndim)
    if input.shape[axis] != 3 or other.shape[axis] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[axis]} and {other.shape[axis]}")
    return axis


# ---------------------------------------------------------------------------- cdist
def cdist_forward(x1: np.ndarray, x2: np.ndarray, p: float) -> np.ndarray:
    """``out[..., i, j] = ||x1[..., i, :] - x2[..., j, :]||_p`` (p = 0 counts the
    differing coordinates, p = inf takes the largest difference)."""
    diff = np.abs(x1[..., :, None, :] - x2[..., None, :, :])
    if p == 0:  # min(ceil(|d|), 1) counts a nonzero d (NaN stays NaN), as PyTorch's kernel
        return np.minimum(np.ceil(diff), 1).sum(-1)
    if p == np.inf:  # the kernel's max(acc, d) from 0 passes over a NaN d: fmax
        return np.fmax.reduce(diff, axis=-1, initial=0).astype(x1.dtype, copy=False)
    if p == 1:
        return diff.sum(-1)
    if p == 2:
        return np.sqrt((diff * diff).sum(-1))
    return (diff ** p).sum(-1) ** (1 / p)


class Cdist(_Op):
    """The p-norm distances between the rows of ``x1`` and those of ``x2`` (batched)."""

    _grad_fn_name = "CdistBackward0"
    ctx_fields = ("p",)

    @staticmethod
    def forward(ctx: Any, x1: Any, x2: Any, p: float) -> Any:
        out = cdist_forward(x1, x2, p)
        ctx.save_for_backward(x1, x2, out)
        ctx.p = p
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x1, x2, dist = ctx.saved_tensors
        p = ctx.p
        diff = dual.expand_dims(x1, -2) - dual.expand_dims(x2, -3)  # [..., i, j, :]
        g, d = dual.expand_dims(grad, -1), dual.expand_dims(dist, -1)
        per_pair = _cdist_pair_grad(diff, g, d, p)
        need1, need2 = ctx.needs_input_grad[:2]
        # x1's row i is in every pair (i, j): its gradient sums over j; x2's row j, over i
        return (dual.sum(per_pair, -2) if need1 else None,
                -dual.sum(per_pair, -3) if need2 else None, None)


def _cdist_pair_grad(diff: Any, g: Any, dist: Any, p: float) -> Any:
    """d||v||_p / dv times the upstream gradient, for each pair's difference v, with
    PyTorch's formulas (``Distance.cpp``; they differ where inputs are infinite: inf / inf
    is NaN there as here): sign(v) g for p = 1; sign(v) g on the coordinates where |v|
    reaches the max for p = inf; v |v|^(p-2) g / ||v||^(p-1) otherwise, 0 where the
    distance is 0 (PyTorch's subgradient) and, for p < 1, where v is 0."""
    if p == 0:  # a count: piecewise constant
        return dual.zeros_like(diff)
    nan = np.isnan(dual._arr(diff))  # (inf - inf: the kernel's sign keeps NaN, torch.sign not)
    sign = dual.where(nan, np.nan, dual.sign(diff)) if nan.any() else dual.sign(diff)
    if p == 1:
        return sign * g
    if p == np.inf:  # 1 where |v| == max, as 1 - min(1, ceil(| |v| - max |)) (NaN for inf)
        with np.errstate(invalid="ignore"):
            at_max = 1 - np.minimum(1, np.ceil(np.abs(np.abs(dual._arr(diff)) - dual._arr(dist))))
        return sign * g * at_max.astype(dual._arr(diff).dtype)
    zero = dual._arr(dist) == 0
    safe_dist = dual.where(zero, 1.0, dist)  # (no 0 / 0 for the branch not taken)
    if p == 2:
        return dual.where(zero, 0.0, g * diff / safe_dist)
    if p > 2:
        return dual.where(zero, 0.0, diff * dual.abs(diff) ** (p - 2) * g / safe_dist ** (p - 1))
    if p < 1:
        zero = zero | (dual._arr(diff) == 0)
        diff = dual.where(zero, 1.0, diff)
    return dual.where(zero, 0.0, sign * dual.abs(diff) ** (p - 1) * g
                      / safe_dist ** (p - 1))


_CDIST_MODES = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
                "donot_use_mm_for_euclid_dist")


def _check_cdist(x1: Tensor, x2: Tensor, p: float, compute_mode: str) -> None:
    if compute_mode not in _CDIST_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    for name, x in (("X1", x1), ("X2", x2)):
        if x.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: "
                               f"{x.ndim}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                           f"{x1.shape[-1]} X2: {x2.shape[-1]}")
    for name, x in (("X1", x1), ("X2", x2)):
        if x._data.dtype not in FLOATING:
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: "
                               f"{scalar_type_name(x._data.dtype)}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    if x1._data.dtype in REDUCED:
        raise not_implemented("cdist", x1._data.dtype)
    if x1._data.dtype != x2._data.dtype:
        raise RuntimeError(f"expected scalar type {scalar_type_name(x1._data.dtype)} but found "
                           f"{scalar_type_name(x2._data.dtype)}")


def _euclidean_dist(x1: Tensor, x2: Tensor) -> Tensor:
    """cdist for p = 2 through one matmul, as PyTorch's ``_euclidean_dist``:
    ||a - b||^2 = -2 a.b + ||a||^2 + ||b||^2, as [-2a, ||a||^2, 1] . [b, 1, ||b||^2],
    clamped at 1e-30 (rounding can make it negative) before the square root. Faster on
    many rows, less exact for close points."""
    x1_norm = x1.pow(2).sum(-1, keepdim=True)
    x2_norm = x2.pow(2).sum(-1, keepdim=True)
    x1_ = cat([x1.mul(-2), x1_norm, x1_norm.new_ones(x1_norm.shape)], -1)
    x2_ = cat([x2, x2_norm.new_ones(x2_norm.shape), x2_norm], -1)
    dist = x1_.matmul(x2_.mT).clamp_min_(1e-30).sqrt_()
    return dist.view(dist.shape)  # (PyTorch's last step: a view to the output's shape)


@autocast_op("cdist")
def cdist(x1: Tensor, x2: Tensor, p: float = 2.0,
          compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    """The p-norm distance between each row of ``x1`` (B, P, M) and each row of ``x2``
    (B, R, M): a (B, P, R) tensor (batch dims broadcast). For p = 2 PyTorch switches to a
    matmul formula (``_euclidean_dist``) when a side has more than 25 rows, or always with
    ``compute_mode="use_mm_for_euclid_dist"``; so does this.

    >>> tg.cdist(tg.tensor([[0.0, 0.0]]), tg.tensor([[3.0, 4.0], [1.0, 0.0]]))
    tensor([[5., 1.]])
    """
    _check_cdist(x1, x2, p, compute_mode)
    rows = max(x1.shape[-2], x2.shape[-2])
    if p == 2 and (compute_mode == "use_mm_for_euclid_dist" or (
            compute_mode == _CDIST_MODES[0] and rows > 25)):
        return _euclidean_dist(x1, x2)
    return Cdist.apply(x1, x2, float(p))


# ---------------------------------------------------------------------------- pdist
def _pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    """The rows (i, j), i < j, of each pair, in PyTorch's order: (0, 1), (0, 2), .., (1, 2).."""
    i, j = np.triu_indices(n, 1)
    return i, j


def _rows_add(v: Any, index: np.ndarray, n: int) -> Any:
    """(n, M): each row of ``v`` added to row ``index[k]`` (the adjoint of ``x[index]``)."""
    if dual._is_array(v):
        out = np.zeros((n,) + v.shape[1:], v.dtype)
        np.add.at(out, index, v)
        return out
    return dual.constant(np.zeros((n,) + tuple(v.shape[1:]), v._data.dtype), v).index_add(
        0, dual.constant(index, v), v)


class Pdist(_Op):
    """The p-norm distances between the rows of ``x``, one per pair i < j (cdist's upper
    triangle, its formulas reused)."""

    _grad_fn_name = "PdistBackward0"
    ctx_fields = ("p",)

    @staticmethod
    def forward(ctx: Any, x: Any, p: float) -> Any:
        i, j = _pairs(x.shape[0])
        if p == np.inf:  # (pdist's kernel keeps a NaN difference; cdist's passes over it)
            out = np.max(np.abs(x[i] - x[j]), axis=-1, initial=0)
        else:
            out = cdist_forward(x[i][:, None], x[j][:, None], p).reshape(-1)
        ctx.save_for_backward(x, out)
        ctx.p = p
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, dist = ctx.saved_tensors
        n = x.shape[0]
        i, j = _pairs(n)
        diff = x[i] - x[j]  # [pair, :]
        g, d = dual.expand_dims(grad, -1), dual.expand_dims(dist, -1)
        per_pair = _cdist_pair_grad(diff, g, d, ctx.p)
        # row r of x is the first row of its pairs (r, j) and the second of its pairs (i, r)
        return _rows_add(per_pair, i, n) - _rows_add(per_pair, j, n), None


def pdist(input: Tensor, p: float = 2) -> Tensor:
    """The p-norm distance between every pair of rows of ``input`` (N, M): a vector of
    N (N - 1) / 2 distances, the pairs (0, 1), (0, 2), .., (0, N-1), (1, 2), .. -- the upper
    triangle of ``cdist(input, input, p)`` without its diagonal. p = 0 counts the
    differing coordinates, p = inf takes the largest difference.

    >>> tg.pdist(tg.tensor([[0.0, 0.0], [3.0, 4.0], [1.0, 0.0]]))
    tensor([5.0000, 1.0000, 4.4721])
    """
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if input._data.dtype not in FLOATING:
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    if input._data.dtype in REDUCED and input.shape[0] > 1:  # (no pair: no kernel run)
        raise not_implemented("pdist", input._data.dtype)
    return Pdist.apply(input, float(p))  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------- tensordot
def _dims_pair(a: Tensor, b: Tensor, dims: Any) -> tuple[list[int], list[int]]:
    """tensordot's ``dims`` (an int n: a's last n dims with b's first n; or two lists)."""
    if isinstance(dims, TensorBase):
        dims = dims.tolist()
    if isinstance(dims, (list, tuple)):
        dims_a, dims_b = dims
        for name, d in (("dims_self", dims_a), ("dims_other", dims_b)):
            if not isinstance(d, (list, tuple)):
                position = 3 if name == "dims_self" else 4
                raise TypeError(f"tensordot(): argument '{name}' (position {position}) must be "
                                f"tuple of ints, not {type(d).__name__}")
        return list(dims_a), list(dims_b)
    if dims < 0:
        raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
    if dims > min(a.ndim, b.ndim):
        raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
    return list(range(-dims, 0)), list(range(dims))


def _tensordot(a: Tensor, b: Tensor, dims_a: Sequence[int], dims_b: Sequence[int]) -> Tensor:
    """``tensordot`` as PyTorch's kernel: contracted dims of size 1 on one side summed away
    first, then both permuted to (kept, contracted) and (contracted, kept), reshaped to
    matrices, multiplied (``mm``) and reshaped to a's kept dims then b's."""
    if len(dims_a) != len(dims_b):
        raise RuntimeError("both dimension lists should have same length")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError("both inputs should have same dtype")
    axes_a = [_norm_axis(d, a.ndim) for d in dims_a]
    axes_b = [_norm_axis(d, b.ndim) for d in dims_b]
    contracted = 1
    for da, db, i, j in zip(dims_a, dims_b, axes_a, axes_b):
        if b.shape[j] == 1:  # broadcast: summed right away (in the dtype, as PyTorch)
            a = a.sum(i, keepdim=True).to(a.dtype)
        elif a.shape[i] == 1:
            b = b.sum(j, keepdim=True).to(b.dtype)
        elif a.shape[i] != b.shape[j]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{a.shape[i]} in dim {da} and second has size {b.shape[j]} in "
                               f"dim {db}")
        else:
            contracted *= a.shape[i]
    kept_a = [d for d in range(a.ndim) if d not in axes_a]
    kept_b = [d for d in range(b.ndim) if d not in axes_b]
    sizes = [a.shape[d] for d in kept_a] + [b.shape[d] for d in kept_b]
    a, b = dual.transpose(a, kept_a + axes_a), dual.transpose(b, axes_b + kept_b)
    left = a.reshape(int(np.prod(sizes[:len(kept_a)])), contracted)
    right = b.reshape(contracted, int(np.prod(sizes[len(kept_a):])))
    if left.shape[0] == right.shape[1] == 1 and left._data.dtype == np.bool_:
        raise not_implemented("dot", np.bool_)  # (PyTorch takes a 1x1 result as a dot)
    return left.mm(right).reshape(sizes)


def tensordot(a: Tensor, b: Tensor, dims: Any = 2) -> Tensor:
    """The sum of products over pairs of dims: with ``dims=n``, a's last n dims against
    b's first n; with ``dims=([1, 0], [0, 2])``, a's dim 1 against b's 0 and a's 0 against
    b's 2. The result has a's other dims, then b's. ``tensordot(a, b, 1)`` of matrices is
    ``a @ b``. PyTorch's ``out=`` is not supported.

    >>> tg.tensordot(tg.ones(2, 3), tg.ones(3, 4), dims=1).shape
    tinygrad_edu.Size([2, 4])
    """
    dims_a, dims_b = _dims_pair(a, b, dims)
    return _tensordot(a, b, dims_a, dims_b)


class ProductMethods(TensorBase):
    """The Tensor's products beyond matmul: outer (ger), inner, kron, cross."""

    __slots__ = ()

    def outer(self, vec2: Tensor) -> Tensor:
        """The outer product of two vectors: ``out[i, j] = self[i] * vec2[j]``, computed as
        PyTorch does, ``self.reshape(-1, 1) * vec2`` (``MulBackward0``).

        >>> tg.tensor([1.0, 2.0]).outer(tg.tensor([1.0, 10.0]))
        tensor([[ 1., 10.],
                [ 2., 20.]])
        """
        for name, t in (("self", self), ("vec2", vec2)):
            if t.ndim != 1:
                raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t.ndim}-D")
        return self.reshape(-1, 1) * vec2

    def ger(self, vec2: Tensor) -> Tensor:
        """``outer`` under its older (BLAS) name."""
        return self.outer(vec2)

    def inner(self, other: Tensor) -> Tensor:
        """The sum of products over the last dim of both: for vectors the dot product, for
        matrices ``self @ other.T``; a 0-d side multiplies. Computed as PyTorch's
        ``tensordot(self, other, [-1], [-1])``.

        >>> tg.tensor([[1.0, 2.0]]).inner(tg.tensor([[3.0, 4.0], [1.0, 1.0]]))
        tensor([[11.,  3.]])
        """
        if self.ndim == 0 or other.ndim == 0:
            return self * other
        if self.shape[-1] != other.shape[-1]:
            raise RuntimeError("inner() the last dimension must match on both input tensors "
                               f"but got shapes {list(self.shape)} and {list(other.shape)}")
        return _tensordot(self, other, [-1], [-1])  # type: ignore[arg-type]

    def kron(self, other: Tensor) -> Tensor:
        """The Kronecker product: every element of ``self`` times the whole of ``other``,
        as blocks (a (2, 3) with a (4, 5) gives (8, 15)); the smaller rank is padded with
        leading 1s. As PyTorch: a product of two reshaped inputs that broadcast, then a
        reshape (all three ``UnsafeViewBackward0``).

        >>> tg.tensor([1, 2]).kron(tg.tensor([1, 10]))
        tensor([ 1, 10,  2, 20])
        """
        n = max(self.ndim, other.ndim)
        a_shape = (1,) * (n - self.ndim) + tuple(self.shape)
        b_shape = (1,) * (n - other.ndim) + tuple(other.shape)
        a = UnsafeView.apply(self, tuple(s for d in a_shape for s in (d, 1)))  # a0, 1, a1, 1..
        b = UnsafeView.apply(other, tuple(s for d in b_shape for s in (1, d)))  # 1, b0, 1, b1..
        out_shape = tuple(x * y for x, y in zip(a_shape, b_shape))
        return UnsafeView.apply(a * b, out_shape)  # type: ignore[no-any-return]

    def cross(self, other: Tensor, dim: _int | None = None) -> Tensor:
        """The cross product of 3-vectors along ``dim`` (by default, with a deprecation
        warning as PyTorch, the first dim of size 3); other dims broadcast.

        >>> tg.tensor([1.0, 0.0, 0.0]).cross(tg.tensor([0.0, 1.0, 0.0]), dim=0)
        tensor([0., 0., 1.])
        """
        axis = _cross_dim(self, other, dim)  # type: ignore[arg-type]
        if self._data.dtype != other._data.dtype:
            raise RuntimeError(f"expected scalar type {scalar_type_name(self._data.dtype)} but "
                               f"found {scalar_type_name(other._data.dtype)}")
        if self._data.dtype == np.bool_:
            raise not_implemented("cross", self._data.dtype)
        try:  # (the op broadcasts; the engine sums each gradient back to its input's shape)
            np.broadcast_shapes(self.shape, other.shape)
        except ValueError:
            raise broadcast_error(self.shape, other.shape) from None
        return LinalgCross.apply(self, other, axis)  # type: ignore[no-any-return]
