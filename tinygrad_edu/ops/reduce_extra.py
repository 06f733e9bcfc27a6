"""Reductions beside the usual ones (reduce.py): sums and means that skip NaNs
(``nansum``, ``nanmean``), the min and max in one call (``aminmax``), and integrals by
the trapezoidal rule (``trapezoid``, ``cumulative_trapezoid``).

``nansum`` is one op (``NansumBackward0``); the others are written, as PyTorch writes
them, with the ops they are made of: ``nanmean`` is ``nansum / count``, ``aminmax`` an
``amin`` and an ``amax``, ``trapezoid`` sums of neighbours' averages.

>>> tg.tensor([1.0, float("nan"), 3.0]).nansum()
tensor(4.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtypes
from ..dtypes import FLOATING
from ..parity.grad_fn_names import labelled
from ..parity.names import scalar_type_name
from ..parity.torch_sum import torch_sum
from ..tensor_base import TensorBase, _bool, _inplace_form, _int, _norm_axes, _norm_axis
from . import dual
from .arithmetic import DivScalar, MulScalar
from .dual import _Op
from .movement import check_int
from .promotion import _operand_as
from .reduce import Amax, Norm, _check_norm_identity, _expand, _norm_grad, vector_pnorm

if TYPE_CHECKING:
    from ..tensor import Tensor


class Nansum(_Op):
    """The sum of the elements that are not NaN. A NaN element does not reach the result:
    its gradient is 0; every other element's is the incoming gradient."""

    _grad_fn_name = "NansumBackward0"
    ctx_fields = ("shape", "axis", "keepdims", "nan")

    @staticmethod
    def forward(ctx: Any, x: Any, axis: Any, keepdims: bool) -> Any:
        ctx.shape, ctx.axis, ctx.keepdims = x.shape, axis, keepdims
        if x.dtype not in FLOATING:  # (no NaN: ints and bools sum to int64)
            ctx.nan = None
            return x.sum(axis=axis, keepdims=keepdims, dtype=np.int64)
        ctx.nan = np.isnan(x)  # a constant of the backward
        return torch_sum(np.where(ctx.nan, 0, x), axis, keepdims)  # in PyTorch's order

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        g = dual.broadcast_to(_expand(grad, ctx.axis, ctx.keepdims), ctx.shape)
        return dual.where(ctx.nan, 0.0, g), None, None


class Renorm(_Op):
    """Each slice along ``dim`` whose p-norm n exceeds maxnorm M, times M / (n + 1e-7)
    (the others unchanged). Backward is PyTorch's ``renorm_backward``: where n > M,
    d(x M / (n + 1e-7)) = f grad - f / (n + 1e-7) * dn/dx * sum(x grad), with f the
    factor; elsewhere the identity's."""

    _grad_fn_name = "RenormBackward0"
    ctx_fields = ("p", "axes", "maxnorm")

    @staticmethod
    def forward(ctx: Any, x: Any, p: float, axes: tuple[int, ...], maxnorm: float) -> Any:
        ctx.save_for_backward(x)
        ctx.p, ctx.axes, ctx.maxnorm = p, axes, maxnorm
        norm = vector_pnorm(x, p, axes, True)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            factor = np.where(norm > maxnorm, maxnorm / (norm + 1e-7), 1.0).astype(x.dtype)
        return x * factor

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        p, axes, maxnorm = ctx.p, ctx.axes, ctx.maxnorm
        norm = vector_pnorm(x, p, axes, True) if dual._is_array(x) else Norm.apply(
            x, p, axes, True)
        with np.errstate(divide="ignore", invalid="ignore"):
            nb = _norm_grad(dual.sum(x * grad, axes, True), x, p, axes, norm)
            invnorm = 1 / (norm + 1e-7)
            factor = invnorm * maxnorm
            above = dual._arr(norm) > maxnorm
            return dual.where(above, factor * grad - (factor * invnorm) * nb, grad), None, \
                None, None


# x.aminmax(): two nodes, one per output (PyTorch's one node has two), each an amin/amax
Aminmax = labelled(Amax, "AminmaxBackward0")


class _AminMax(tuple):
    """``(min, max)`` returned by ``aminmax``, printed as PyTorch's
    ``torch.return_types.aminmax(min=..., max=...)``."""

    @property
    def min(self) -> Tensor:
        """The smallest values."""
        return self[0]  # type: ignore[no-any-return]

    @property
    def max(self) -> Tensor:
        """The largest values."""
        return self[1]  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"tinygrad_edu.return_types.aminmax(\nmin={self[0]!r},\nmax={self[1]!r})"


def _times(t: Tensor, number: float) -> Tensor:
    """``t * number`` as PyTorch's C++ records it (its Scalar overload, MulBackward1); an
    integer ``t`` (no gradient) becomes the default float dtype, as ``t * 0.5``."""
    return MulScalar.apply(t, number) if t._data.dtype in FLOATING else t * number


def _halved(t: Tensor) -> Tensor:
    """``t / 2.0`` as PyTorch's C++ records it (DivBackward1)."""
    return DivScalar.apply(t, 2.0) if t._data.dtype in FLOATING else t / 2.0


def _trapezoid_dx(y: Tensor, x: Tensor, axis: _int, fn: str) -> Tensor:
    """The spacings ``x[1:] - x[:-1]`` along ``axis``, shaped to broadcast with ``y``'s
    (a 1-D ``x`` lies along ``axis``; a lower-rank one gets leading 1s), as PyTorch's."""
    if x.ndim == 1:
        if x.shape[0] != y.shape[axis]:
            raise RuntimeError(f"{fn}: There must be one `x` value for each sample point")
        x = x.view([x.shape[0] if d == axis else 1 for d in range(y.ndim)])
    elif x.ndim < y.ndim:
        x = x.view((1,) * (y.ndim - x.ndim) + tuple(x.shape))
    return x.narrow(axis, 1, x.shape[axis] - 1) - x.narrow(axis, 0, x.shape[axis] - 1)


def _trapezoid_args(y: Tensor, x: Any, dx: Any, dim: _int, fn: str) -> tuple[_int, Any]:
    """``dim`` made non-negative, and the spacing: a tensor (from ``x``) or a number."""
    if x is not None and dx is not None:
        raise TypeError(f"{fn}() received an invalid combination of arguments: both x and dx")
    axis = _norm_axis(dim, y.ndim)
    if y._data.dtype == np.bool_:
        raise RuntimeError(f"{fn}: received a bool input for `y`, but bool is not supported")
    if isinstance(x, TensorBase):
        return axis, _trapezoid_dx(y, x, axis, fn)  # type: ignore[arg-type]
    spacing = 1 if x is None and dx is None else (x if dx is None else dx)
    if isinstance(spacing, (bool, complex)) or not isinstance(spacing, (int, float)):
        raise RuntimeError(f"{fn}: Currently, we only support dx as a real number.")
    return axis, float(spacing)


def trapezoid(y: Tensor, x: Any = None, *, dx: Any = None, dim: _int = -1) -> Tensor:
    """The integral of ``y`` along ``dim`` by the trapezoidal rule: the samples spaced by
    ``dx`` (1 by default) or at the points ``x`` (a tensor). PyTorch's formula: with a
    number, ``(sum(y) - (y[0] + y[-1]) / 2) * dx``; with ``x``,
    ``sum((y[1:] + y[:-1]) * diff(x)) / 2``.

    >>> tg.trapezoid(tg.tensor([1.0, 2.0, 3.0]))
    tensor(4.)
    """
    axis, spacing = _trapezoid_args(y, x, dx, dim, "trapezoid")
    if y.shape[axis] == 0:  # (numpy's answer for no samples: 0)
        return y.new_zeros([n for d, n in enumerate(y.shape) if d != axis])
    # (a number is PyTorch's Scalar overload: MulBackward1, DivBackward1)
    if isinstance(spacing, float):
        ends = _times(y.select(axis, 0) + y.select(axis, -1), 0.5)
        return _times(y.sum(axis) - ends, spacing)
    n = y.shape[axis]
    pairs = y.narrow(axis, 0, n - 1) + y.narrow(axis, 1, n - 1)
    return _halved((pairs * spacing).sum(axis))


def trapz(y: Tensor, x: Any = None, *, dx: Any = None, dim: _int = -1) -> Tensor:
    """``trapezoid`` (its older name)."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y: Tensor, x: Any = None, *, dx: Any = None,
                         dim: _int = -1) -> Tensor:
    """The running integral of ``y`` along ``dim`` by the trapezoidal rule (one element
    fewer than ``y`` along ``dim``): ``cumsum(dx / 2 * (y[:-1] + y[1:]))``.

    >>> tg.cumulative_trapezoid(tg.tensor([1.0, 2.0, 3.0]))
    tensor([1.5000, 4.0000])
    """
    axis, spacing = _trapezoid_args(y, x, dx, dim, "cumulative_trapezoid")
    n = y.shape[axis]
    pairs = y.narrow(axis, 0, max(n - 1, 0)) + y.narrow(axis, min(1, n), max(n - 1, 0))
    if isinstance(spacing, float):
        return _times(pairs, spacing / 2.0).cumsum(axis)  # type: ignore[no-any-return]
    return _halved((pairs * spacing).cumsum(axis))


class ReduceExtraMethods(TensorBase):
    """The Tensor's nansum, nanmean, aminmax and renorm."""

    __slots__ = ()

    def nansum(self, dim: Any = None, keepdim: _bool = False, *,
               dtype: Any = None) -> Tensor:
        """The sum over ``dim`` (all dims when None), NaNs counted as 0.

        >>> tg.tensor([[1.0, float("nan")], [2.0, 3.0]]).nansum(1)
        tensor([1., 5.])
        """
        x = self if dtype is None else _operand_as(self, dtypes.to_dtype(dtype))
        return Nansum.apply(x, _norm_axes(dim, x._data.ndim), keepdim)

    def nanmean(self, dim: Any = None, keepdim: _bool = False, *,
                dtype: Any = None) -> Tensor:
        """The mean over ``dim`` of the elements that are not NaN (``nansum / count``;
        NaN where all are NaN). Float tensors only, as ``mean``."""
        if self._data.dtype not in FLOATING:
            raise RuntimeError("nanmean(): expected input to have floating point or complex "
                               f"dtype but got {scalar_type_name(self._data.dtype)}")
        count = self.isnan().logical_not().sum(dim, keepdim)
        return self.nansum(dim, keepdim, dtype=dtype) / count  # type: ignore[no-any-return]

    def aminmax(self, *, dim: _int | None = None, keepdim: _bool = False) -> _AminMax:
        """``(min, max)`` over ``dim`` (all dims when None), a named pair: ``.min`` and
        ``.max``; ties share the gradient evenly, as ``amin``/``amax``.

        >>> tg.tensor([3, 1, 2]).aminmax()
        tinygrad_edu.return_types.aminmax(
        min=tensor(1),
        max=tensor(3))
        """
        data = self._data
        if dim is None:
            if not data.size:
                raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension "
                                   "as the operation has no identity.")
            axes = None
        else:
            if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
                raise TypeError(f"aminmax(): argument 'dim' must be int, not "
                                f"{type(dim).__name__}")
            axes = _norm_axes(dim, data.ndim)
            if axes is not None and data.shape[axes[0]] == 0:
                raise IndexError(f"aminmax: Expected reduction dim {axes[0]} to have non-zero "
                                 "size.")
        return _AminMax((Aminmax.apply(self, axes, keepdim, True),
                         Aminmax.apply(self, axes, keepdim, False)))

    def renorm(self, p: Any, dim: _int, maxnorm: Any) -> Tensor:
        """Each slice ``self.select(dim, i)`` whose ``p``-norm is above ``maxnorm``, scaled
        down to norm ``maxnorm`` (times maxnorm / (norm + 1e-7)); the others unchanged.

        >>> tg.tensor([[3.0, 4.0], [0.3, 0.4]]).renorm(2, 0, 1.0)
        tensor([[0.6000, 0.8000],
                [0.3000, 0.4000]])
        """
        check_int(dim, "renorm", "dim", 2)
        for name, value in (("p", p), ("maxnorm", maxnorm)):
            if isinstance(value, complex):
                raise RuntimeError(f"renorm: {name} must be real-valued")
            if name == "p" and not float(value) > 0:
                raise RuntimeError("renorm: non-positive-norm not supported")
        if not float(maxnorm) >= 0:
            raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {float(maxnorm):g}")
        if self.ndim < 2:
            raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {self.ndim} "
                               "dimensions")
        axis = _norm_axis(dim, self.ndim)
        if self._data.dtype not in FLOATING:
            raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor "
                               f"as input. Got {scalar_type_name(self._data.dtype)}")
        axes = tuple(a for a in range(self.ndim) if a != axis)
        _check_norm_identity(self._data, float(p), axes)
        return Renorm.apply(self, float(p), axes, float(maxnorm))

    renorm_ = _inplace_form(renorm)
