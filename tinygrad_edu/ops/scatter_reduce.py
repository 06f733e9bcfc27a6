"""Scatter with a reduction: ``scatter_reduce`` and the older ``scatter(..., reduce=)``.

``x.scatter_reduce(dim, index, src, reduce)`` combines each ``src`` element with the
element of x that ``index`` names along ``dim`` (``out[index[i][j]][j]`` for dim 0), by a
sum, a product, a mean, a max or a min; several src elements sent to one place are all
combined there. With ``include_self=False`` the elements of x that receive anything are
left out of their reduction.

Backward is PyTorch's ``scatter_reduce_backward``: a sum passes the gradient through (and
reads it back for src), a mean divides it by how many elements were averaged, a max or a
min shares it evenly among the elements equal to the result, and a product multiplies it
by the product of the others (written without dividing by a zero).
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from ..dtypes import FLOATING
from ..tensor_base import TensorBase, _bool, _int, _norm_axis, _type
from . import dual
from . import sorting as SO
from .arithmetic import NotDifferentiable
from .dual import _Op
from .movement import dual_index_add

if TYPE_CHECKING:
    from ..tensor import Tensor

REDUCES = ("sum", "prod", "mean", "amax", "amin")
# how each reduction combines two elements (PyTorch's forward also takes "max" and "min",
# undocumented, as amax and amin; its backward does not)
_UFUNCS = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.maximum,
           "amin": np.minimum, "max": np.maximum, "min": np.minimum}


# ---------------------------------------------------------------------------- the kernel
def _identity(reduce: str, dtype: np.dtype) -> Any:
    """The value a reduction starts from: what leaves any element unchanged."""
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    big = reduce in ("amin", "min")
    if dtype == np.bool_:
        return big
    if dtype in FLOATING:
        return np.inf if big else -np.inf
    info = np.iinfo(dtype)
    return info.max if big else info.min


def reduce_along(x: np.ndarray, axis: int, index: np.ndarray, src: np.ndarray, reduce: str,
                 include_self: bool) -> np.ndarray:
    """A copy of x with each element of ``src`` (as large as ``index``) combined by
    ``reduce`` into the place of x that ``take_along`` reads for it."""
    out = SO._at_least_1d(x).copy()
    where = SO._along(SO._at_least_1d(index), axis)
    values = np.broadcast_to(src, index.shape).reshape(index.shape or (1,))
    if not include_self:  # the places written to start from the identity, not from x
        out[where] = _identity(reduce, out.dtype)
    with np.errstate(invalid="ignore"):  # (a NaN compared: it wins, as in PyTorch)
        _UFUNCS[reduce].at(out, where, values)
    if reduce == "mean":
        count = _counts(out.shape, axis, index, include_self)
        if out.dtype.kind in "iu":
            out = np.floor_divide(out, count.astype(out.dtype))  # (ints round down)
        else:
            out = np.true_divide(out, count.astype(out.dtype))
    return out.reshape(x.shape)


def _counts(shape: tuple[int, ...], axis: int, index: np.ndarray,
            include_self: bool) -> np.ndarray:
    """How many elements each place of a mean averages (1 where it averages none)."""
    count = np.full(shape or (1,), 1 if include_self else 0, np.int64)
    np.add.at(count, SO._along(SO._at_least_1d(index), axis), 1)
    count[count == 0] = 1
    return count.reshape(shape)


# ---------------------------------------------------------------------------- the op
def _reduced(x: Any, src: Any, axis: int, index: np.ndarray, reduce: str,
             include_self: bool) -> Any:
    """``reduce_along`` of arrays, or the recorded op of Tensors (double backward)."""
    if dual._is_array(x) and dual._is_array(src):
        return reduce_along(x, axis, index, src, reduce, include_self)
    if dual._is_array(x):
        x = dual.constant(x, src)
    return ScatterReduce.apply(x, src, axis, index, reduce, include_self)


class ScatterReduce(_Op):
    """``x.scatter_reduce(dim, index, src, reduce, include_self)`` (see the module's
    docstring). src may be larger than the index: its other elements get zero gradient
    (PyTorch's backward fails there)."""

    _grad_fn_name = "ScatterReduceBackward0"
    ctx_fields = ("axis", "index", "reduce", "include_self", "src_shape")

    @staticmethod
    def forward(ctx: Any, x: Any, src: Any, axis: int, index: np.ndarray, reduce: str,
                include_self: bool) -> Any:
        ctx.axis, ctx.index, ctx.reduce, ctx.include_self = axis, index, reduce, include_self
        ctx.src_shape = src.shape
        out = reduce_along(x, axis, index, SO._src_part(src, index), reduce, include_self)
        ctx.save_for_backward(x, src, out)  # (as PyTorch: x, src and the result)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        axis, index, reduce, include_self = ctx.axis, ctx.index, ctx.reduce, ctx.include_self
        if reduce not in REDUCES:
            raise RuntimeError(f"Expected 'reduce' to be one of 'sum', 'prod', 'mean', 'amax', "
                               f"'amin' but got {reduce}.")
        x, src, result = ctx.saved_tensors
        src = SO._src_part(src, index)
        grad_x, grad_src = _BACKWARDS[reduce](grad, x, src, result, axis, index, include_self)
        if not include_self:  # the elements of x left out of the reduction: no gradient
            grad_x = dual.keep_where(grad_x, SO._unpicked(grad.shape, axis, index))
        if tuple(ctx.src_shape) != tuple(index.shape):  # (zeros for the src not read)
            block = tuple(slice(0, n) for n in index.shape)
            grad_src = dual_index_add(ctx.src_shape, block, grad_src, grad_src)
        return grad_x, grad_src, None, None, None, None


def _sum_backward(grad: Any, x: Any, src: Any, result: Any, axis: int, index: np.ndarray,
                  include_self: bool) -> tuple[Any, Any]:
    # d(x + src1 + src2)/d each = 1
    return grad, SO.gather(grad, axis, index)


def _mean_backward(grad: Any, x: Any, src: Any, result: Any, axis: int, index: np.ndarray,
                   include_self: bool) -> tuple[Any, Any]:
    # each of the N averaged elements gets 1/N of the gradient
    count = _counts(grad.shape, axis, index, include_self).astype(dual.array(grad).dtype)
    share = grad / dual.constant(count, grad)
    return share, SO.gather(share, axis, index)


def _extreme_backward(grad: Any, x: Any, src: Any, result: Any, axis: int, index: np.ndarray,
                      include_self: bool) -> tuple[Any, Any]:
    # the gradient shared evenly by the elements equal to the max (min), x's counted even
    # when include_self=False (as PyTorch)
    x_, src_, result_ = dual.array(x), dual.array(src), dual.array(result)
    dtype = x_.dtype
    x_is = (x_ == result_).astype(dtype)
    src_is = (src_ == SO.take_along(result_, axis, index)).astype(dtype)
    count = x_is + SO.scatter_add(x_.shape, axis, index, src_is)
    share = grad / dual.constant(count, grad)
    return (share * dual.constant(x_is, grad),
            SO.gather(share, axis, index) * dual.constant(src_is, grad))


def _prod_backward(grad: Any, x: Any, src: Any, result: Any, axis: int, index: np.ndarray,
                   include_self: bool) -> tuple[Any, Any]:
    # d(prod)/d(element) = the product of the others: result / element, except where the
    # element is 0 -- then the product of the others is computed with that 0 made a 1
    # (another 0 among the others makes it 0 anyway)
    x_, src_ = dual.array(x), dual.array(src)
    masked_x = dual.where(x_ == 0, 1.0, x)
    grad_x = grad * _reduced(masked_x, src, axis, index, "prod", include_self) / masked_x
    src_zero = src_ == 0
    zeros_there = SO.take_along(SO.scatter_add(x_.shape, axis, index, src_zero.astype(
        x_.dtype)), axis, index)
    single_zero = src_zero & (zeros_there == 1)
    masked_src_result = _reduced(x, dual.where(single_zero, 1.0, src), axis, index, "prod",
                                 include_self)
    others = SO.gather(grad * result, axis, index) / dual.where(src_zero, 1.0, src)
    grad_src = dual.where(single_zero, SO.gather(grad * masked_src_result, axis, index),
                          others)
    return grad_x, grad_src


_BACKWARDS = {"sum": _sum_backward, "mean": _mean_backward, "amax": _extreme_backward,
              "amin": _extreme_backward, "prod": _prod_backward}


# ``x.scatter(dim, index, src, reduce="add" | "multiply")``: recorded with no derivative,
# as PyTorch (its successor, scatter_reduce, has one)
ScatterWithReduce = NotDifferentiable(
    "scatter", lambda x, src, axis, index, reduce: reduce_along(
        x, axis, index, SO._src_part(src, index), reduce, True),
    ". Hint: x.scatter_reduce(dim, index, src, 'sum' or 'prod') has a gradient.")

_SCATTER_REDUCE_WARNED = [False]  # PyTorch warns once per process (TORCH_WARN_ONCE)


# ------------------------------------------------------------------ the Tensor methods
class ScatterReduceMethods(TensorBase):
    """``scatter_reduce``, ``scatter_reduce_`` and ``scatter(..., reduce=)``."""

    __slots__ = ()

    def scatter_reduce(self, dim: _int, index: Tensor, src: Tensor, reduce: str, *,
                       include_self: _bool = True) -> Tensor:
        """A copy of ``self`` with each ``src`` element combined into the place ``index``
        names along ``dim`` (``out[index[i][j]][j]`` for dim 0) by ``reduce``: "sum",
        "prod", "mean" (ints round down), "amax" or "amin". With ``include_self=False`` the
        places that receive src elements reduce those only.

        >>> x = tg.tensor([1.0, 2.0, 3.0])
        >>> x.scatter_reduce(0, tg.tensor([0, 0, 2]), tg.tensor([5.0, 6.0, 7.0]), "amax")
        tensor([6., 2., 7.])
        """
        idx = SO.index_array(index, "scatter_reduce")
        if not isinstance(src, TensorBase):
            raise TypeError(f"scatter_reduce(): argument 'src' (position 3) must be Tensor, "
                            f"not {_type(src).__name__}")
        axis = _norm_axis(dim, self._data.ndim)
        SO.check_scatter("scatter", self._data.shape, axis, idx, src._data.shape)
        if src._data.dtype != self._data.dtype:
            raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
        if reduce not in REDUCES + ("max", "min"):
            raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, "
                               f"got {reduce}")
        if reduce == "mean" and self._data.dtype == np.bool_:
            raise NotImplementedError(
                "\"scatter_gather_tensor_cpu_reduce_mean\" not implemented for 'Bool'")
        return ScatterReduce.apply(self, src, axis, idx, reduce, include_self)

    def scatter_reduce_(self, dim: _int, index: Tensor, src: Tensor, reduce: str, *,
                        include_self: _bool = True) -> Tensor:
        """In place: ``self = self.scatter_reduce(dim, index, src, reduce, ...)``."""
        return self._write(lambda t: t.scatter_reduce(dim, index, src, reduce,
                                                      include_self=include_self),
                           src, overlap="any")

    def _scatter_with_reduce(self, dim: _int, index: Tensor, src: Any, reduce: str) -> Tensor:
        """``scatter(dim, index, src, reduce="add" | "multiply")``: PyTorch's older form of
        ``scatter_reduce`` (include_self, "sum" or "prod"), with no derivative; ``src`` a
        tensor (deprecated, with a warning) or a number."""
        idx = SO.index_array(index, "scatter")
        axis = _norm_axis(dim, self._data.ndim)
        tensor_src = isinstance(src, TensorBase)
        SO.check_scatter("scatter", self._data.shape, axis, idx,
                         src._data.shape if tensor_src else None)
        if tensor_src and src._data.dtype != self._data.dtype:
            raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
        if reduce not in ("add", "multiply"):
            raise RuntimeError("reduce argument must be either add or multiply.")
        if tensor_src and not _SCATTER_REDUCE_WARNED[0]:
            _SCATTER_REDUCE_WARNED[0] = True
            warnings.warn("The reduce argument of torch.scatter with Tensor src is deprecated "
                          "and will be removed in a future PyTorch release. Use "
                          "torch.scatter_reduce instead for more reduction options.",
                          UserWarning, stacklevel=3)
        how = "sum" if reduce == "add" else "prod"
        if not tensor_src:  # (a number, in self's dtype)
            src = np.asanyarray(src).astype(self._data.dtype)
        return ScatterWithReduce.apply(self, src, axis, idx, how)  # type: ignore[no-any-return]
