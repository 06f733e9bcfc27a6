"""The Tensor's math of one tensor (exp, log, sqrt, sin, relu, clamp, maximum...), their
in-place forms, and their Functions, forward and backward side by side (``exp`` and
``Exp.backward`` in this one file; softmax's and lerp's Functions are in ``reduce.py``).

Gradients are returned in the broadcast shape; the engine sums them back to each input.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtypes
from ..dtypes import FLOATING
from ..parity.errors import not_implemented
from ..parity.grad_fn_names import labelled
from ..parity.names import scalar_type_name
from ..parity.promotion import checked_scalar, result_type
from ..tensor_base import TensorBase, _float, _inplace_form, _int, _norm_axis
from . import dual
from . import reduce as R
from .dual import _arr, _masked_zero, _Op, keep_where
from .promotion import _check_broadcast, _operand, _operand_as, _operand_error, _promote

if TYPE_CHECKING:
    from ..tensor import Tensor


def _need_float_kernel(x: Tensor, name: str, axis: _int) -> None:
    """softmax/log_softmax have float kernels only (as PyTorch's: pass ``dtype=``); an
    empty tensor runs no kernel."""
    if x._data.dtype not in FLOATING and x._data.size:
        kernel = f"{name}_lastdim_kernel_impl" if axis == max(x._data.ndim, 1) - 1 else \
            f"{name}_kernel_impl"
        error = not_implemented(kernel, x._data.dtype)
        raise NotImplementedError(f"{error} Hint: pass dtype=tinygrad_edu.float32, or call "
                                  ".float() first.")


# ----------------------------------------------------------------------------- Functions
def _sgn(x: Any) -> Any:
    """-1, 0 or 1, and 0 for NaN (PyTorch's ``sgn``; numpy's ``sign`` gives NaN there)."""
    if not dual._is_array(x):
        return x.sign()
    if x.dtype == np.bool_:  # the sign of True is True (numpy has no sign for bools)
        return x.copy()
    out = np.asanyarray(np.sign(x))  # (0-d: a scalar otherwise)
    if out.dtype in FLOATING:
        out[np.isnan(out)] = 0  # (a fresh array: np.sign allocated it)
    return out


def _relu_grad(g: Any, y: Any) -> Any:
    """``g`` where y > 0, else 0, as PyTorch's ``threshold_backward``: a NaN output passes
    its gradient (``not y <= 0``)."""
    if dual._is_array(y):
        mask = np.asanyarray(np.less_equal(y, 0))  # (0-d: a scalar otherwise)
        return keep_where(g, np.logical_not(mask, out=mask))
    return ReluGrad.apply(g, y)  # (a backward being recorded: create_graph=True)


class ReluGrad(_Op):
    """relu's gradient as an op of ``(g, y)``, for a backward recorded with
    ``create_graph=True``: ``g`` where y > 0, else 0 (PyTorch's ``threshold_backward``).
    As there, the result depends on the output ``y`` too (with a zero derivative), so it
    requires grad whenever ``y`` does."""

    _grad_fn_name = "ThresholdBackwardBackward0"
    ctx_fields = ("mask",)  # where y <= 0

    @staticmethod
    def forward(ctx: Any, g: Any, y: Any) -> Any:
        ctx.mask = mask = np.asanyarray(np.less_equal(y, 0))
        return np.where(mask, np.zeros((), g.dtype), g)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return _masked_zero(ctx.mask, grad), dual.zeros_like(grad)


# Each op: its forward, and the chain rule with the saved input x (or output y); the order
# of the products is PyTorch's, so that the gradients round the same.
class Exp(_Op):
    _grad_fn_name = "ExpBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        y = np.exp(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (y,) = ctx.saved_tensors
        return grad * y  # d(e^x)/dx = e^x


class Log(_Op):
    _grad_fn_name = "LogBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return np.log(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad / x  # d(log x)/dx = 1/x


class Log1p(_Op):
    _grad_fn_name = "Log1PBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return np.log1p(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad / (x + 1)  # d(log(1+x))/dx = 1/(1+x)


class Sqrt(_Op):
    _grad_fn_name = "SqrtBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        y = np.sqrt(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (y,) = ctx.saved_tensors
        return grad / (y * 2)  # d(sqrt x)/dx = 1/(2 sqrt x)


def _rsqrt(x: np.ndarray) -> np.ndarray:
    return 1 / np.sqrt(x)


class Rsqrt(_Op):
    _grad_fn_name = "RsqrtBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        y = dual.in_float32(_rsqrt, x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (y,) = ctx.saved_tensors
        return -0.5 * grad * (y * y * y)  # d(x^-1/2)/dx = -x^(-3/2) / 2


class Reciprocal(_Op):
    _grad_fn_name = "ReciprocalBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        y = np.reciprocal(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (y,) = ctx.saved_tensors
        return -grad * (y * y)  # d(1/x)/dx = -1/x^2


class Sin(_Op):
    _grad_fn_name = "SinBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad * dual.cos(x)


class Cos(_Op):
    _grad_fn_name = "CosBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return np.cos(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return -grad * dual.sin(x)


class Tanh(_Op):
    _grad_fn_name = "TanhBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        y = np.tanh(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (y,) = ctx.saved_tensors
        return grad * (1 - y * y)  # 1 - tanh^2


class Sigmoid(_Op):
    _grad_fn_name = "SigmoidBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        y = dual.in_float32(dual._np_sigmoid, x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (y,) = ctx.saved_tensors
        return grad * (1 - y) * y  # sigmoid (1 - sigmoid)


class Abs(_Op):
    _grad_fn_name = "AbsBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        if x.dtype == np.bool_:
            raise not_implemented("abs_cpu", x.dtype)
        ctx.save_for_backward(x)
        return np.abs(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad * _sgn(x)  # sgn: 0 at 0 (a subgradient)


class Relu(_Op):
    _grad_fn_name = "ReluBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        if x.dtype == np.bool_:
            raise RuntimeError("Boolean inputs not supported for relu")
        y = np.maximum(x, 0)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (y,) = ctx.saved_tensors
        return _relu_grad(grad, y)


class _Step(_Op):
    """A piecewise-constant op (round down, up, ...): zero gradient, as PyTorch's. Its
    backward sends ``zeros_like(grad)`` (not ``grad * 0``, which is nan where the incoming
    gradient is inf)."""

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return dual.zeros_like(grad)


def _rounded(x: Any, rounding: Any, kernel: str) -> Any:
    """A rounding op's forward: integer inputs stay as they are (a copy); bools have no
    kernel."""
    if x.dtype == np.bool_:
        raise not_implemented(f"{kernel}_vml_cpu", x.dtype)
    return rounding(x) if x.dtype in FLOATING else x.copy()


class Sign(_Step):
    _grad_fn_name = "SignBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return _sgn(x)  # NaN gives 0, as PyTorch


# x.sgn(): the sign of a real number (PyTorch's complex-aware name)
Sgn = labelled(Sign, "SgnBackward0")


class Floor(_Step):
    _grad_fn_name = "FloorBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return _rounded(x, np.floor, "floor")


class Ceil(_Step):
    _grad_fn_name = "CeilBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return _rounded(x, np.ceil, "ceil")


class Round(_Step):
    _grad_fn_name = "RoundBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return _rounded(x, np.round, "round")  # half to even, as PyTorch


class Trunc(_Step):
    _grad_fn_name = "TruncBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return _rounded(x, np.trunc, "trunc")


class RoundDecimals(_Op):
    """``round(x, decimals)``: zero gradient."""

    _grad_fn_name = "RoundBackward1"

    @staticmethod
    def forward(ctx: Any, x: Any, decimals: int) -> Any:
        if x.dtype not in FLOATING:
            raise not_implemented("round_cpu", x.dtype)
        return np.round(x, decimals)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return dual.zeros_like(grad), None


class Frac(_Op):
    """``x - trunc(x)``: the gradient passes unchanged."""

    _grad_fn_name = "FracBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return x - np.trunc(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return grad


class Clamp(_Op):
    """``min(max(x, lo), hi)`` for numbers ``lo``, ``hi``: the gradient passes where
    ``lo <= x <= hi`` (at the bounds too: PyTorch's subgradient), else it is 0."""

    _grad_fn_name = "ClampBackward1"
    ctx_fields = ("lo", "hi")

    @staticmethod
    def forward(ctx: Any, x: Any, lo: Any, hi: Any) -> Any:
        ctx.save_for_backward(x)
        ctx.lo, ctx.hi = lo, hi
        return np.clip(x, lo, hi).astype(x.dtype, copy=False)  # (numpy clips bfloat16 in
        # float32: exact, and cast back)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        lo, hi = ctx.lo, ctx.hi
        data = _arr(x)
        inside = np.ones(data.shape, bool) if lo is None else data >= lo
        if hi is not None:
            inside &= data <= hi
        return dual.where(inside, grad, 0.0), None, None


class ClampTensor(_Op):
    """``x.clamp(lo, hi)`` with tensor bounds (either may be None), all three broadcast:
    ``min(max(x, lo), hi)``. As PyTorch's ``clamp_backward_min_max``: x's gradient passes
    where ``lo <= x <= hi``; ``lo`` takes it where x < lo < hi, ``hi`` where x > hi or
    hi < lo (``hi`` wins when the bounds cross)."""

    _grad_fn_name = "ClampBackward0"
    _check_order = (2, 1, 0)  # (PyTorch checks max, min, self)
    _torch_inputs = (0, 1, 2)  # (an absent bound shows as None)

    @staticmethod
    def forward(ctx: Any, x: Any, lo: Any, hi: Any) -> Any:
        if x.dtype == np.bool_ and lo is not None and hi is not None:  # (one bound: fine)
            raise not_implemented("clamp_cpu", x.dtype)
        ctx.save_for_backward(x, lo, hi)
        out = x if lo is None else np.maximum(x, lo)
        out = out if hi is None else np.minimum(out, hi)
        return np.array(np.broadcast_to(out, np.broadcast_shapes(*(
            np.shape(a) for a in (x, lo, hi) if a is not None))))

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, lo, hi = (None if a is None else _arr(a) for a in ctx.saved_tensors)  # masks only
        need_x, need_lo, need_hi = ctx.needs_input_grad
        gx = glo = ghi = None
        if lo is not None and hi is not None:
            if need_x:
                gx = dual.where((x >= lo) & (x <= hi), grad, 0.0)
            if need_lo:
                glo = dual.where((x < lo) & (lo < hi), grad, 0.0)
            if need_hi:
                ghi = dual.where((x > hi) | (hi < lo), grad, 0.0)
        elif lo is not None:
            gx = dual.where(x >= lo, grad, 0.0) if need_x else None
            glo = dual.where(x < lo, grad, 0.0) if need_lo else None
        elif hi is not None:
            gx = dual.where(x <= hi, grad, 0.0) if need_x else None
            ghi = dual.where(x > hi, grad, 0.0) if need_hi else None
        return gx, glo, ghi


# clamp_min / clamp_max: PyTorch's ops of their own (their own grad_fn names), the same code;
# with a tensor bound, next_functions lists self and that bound only
ClampMin = labelled(Clamp, "ClampMinBackward0")
ClampMax = labelled(Clamp, "ClampMaxBackward0")
ClampMinTensor = labelled(ClampTensor, "ClampMinBackward1", _torch_inputs=(0, 1))
ClampMaxTensor = labelled(ClampTensor, "ClampMaxBackward1", _torch_inputs=(0, 2))


def _share(grad: Any, mine: np.ndarray, theirs: np.ndarray, largest: bool) -> Any:
    """PyTorch's gradient for one input of maximum (minimum): ``where(x == y, grad / 2,
    grad).masked_fill_(x < y, 0)`` (``x > y``). A tie splits the gradient; where either
    is NaN (neither wins) both inputs get it whole."""
    loses = mine < theirs if largest else mine > theirs
    return _masked_zero(loses, dual.where(mine == theirs, grad / 2, grad))


class Maximum(_Op):
    _grad_fn_name = "MaximumBackward0"
    _check_order = (1, 0)  # (PyTorch checks ``other`` before ``self``)

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        ctx.save_for_backward(x, y)
        return np.maximum(x, y)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, y = (_arr(a) for a in ctx.saved_tensors)  # only masks are built from them
        # the larger input takes the gradient; a tie splits it in half (as PyTorch)
        return _share(grad, x, y, True), _share(grad, y, x, True)


class Minimum(_Op):
    _grad_fn_name = "MinimumBackward0"
    _check_order = (1, 0)  # (PyTorch checks ``other`` before ``self``)

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        ctx.save_for_backward(x, y)
        return np.minimum(x, y)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, y = (_arr(a) for a in ctx.saved_tensors)
        return _share(grad, x, y, False), _share(grad, y, x, False)


# ----------------------------------------------------------------------------- methods
class UnaryMethods(TensorBase):
    """The Tensor's elementwise math of one tensor (exp, log, sin, relu, clamp, ...), their
    in-place forms, softmax and lerp."""

    __slots__ = ()

    # ------------------------------------------------------------------ unary math
    def _float_unary(self, op: Any) -> Tensor:
        x = self if self._data.dtype in FLOATING else self.float()
        return op.apply(x)

    def exp(self) -> Tensor:
        """e ** self."""
        return self._float_unary(Exp)

    def log(self) -> Tensor:
        """Natural logarithm."""
        return self._float_unary(Log)

    def log1p(self) -> Tensor:
        """log(1 + self), accurate for small values."""
        return self._float_unary(Log1p)

    def sqrt(self) -> Tensor:
        """Square root."""
        return self._float_unary(Sqrt)

    def rsqrt(self) -> Tensor:
        """1 / sqrt(self)."""
        return self._float_unary(Rsqrt)

    def reciprocal(self) -> Tensor:
        """1 / self."""
        return self._float_unary(Reciprocal)

    def sin(self) -> Tensor:
        """Sine."""
        return self._float_unary(Sin)

    def cos(self) -> Tensor:
        """Cosine."""
        return self._float_unary(Cos)

    def tanh(self) -> Tensor:
        """Hyperbolic tangent."""
        return self._float_unary(Tanh)

    def sigmoid(self) -> Tensor:
        """1 / (1 + e ** -self), computed without overflow."""
        return self._float_unary(Sigmoid)

    def relu(self) -> Tensor:
        """max(self, 0)."""
        return Relu.apply(self)

    def abs(self) -> Tensor:
        """|self|."""
        return Abs.apply(self)

    absolute = abs

    def sign(self) -> Tensor:
        """-1, 0 or 1; its gradient is zero."""
        return Sign.apply(self)

    def sgn(self) -> Tensor:
        """``sign`` (PyTorch's name for it that extends to complex numbers, ``z / |z|``,
        which tinygrad_edu does not have)."""
        return Sgn.apply(self)

    sgn_ = _inplace_form(sgn)

    def square(self) -> Tensor:
        """self ** 2."""
        return self.pow(2)

    def floor(self) -> Tensor:
        """Round down; the gradient is zero."""
        return Floor.apply(self)

    def ceil(self) -> Tensor:
        """Round up; the gradient is zero."""
        return Ceil.apply(self)

    def round(self, decimals: _int = 0) -> Tensor:
        """Round half to even (to ``decimals`` places); the gradient is zero."""
        if decimals:
            return RoundDecimals.apply(self, decimals)
        return Round.apply(self)

    def trunc(self) -> Tensor:
        """Round toward zero; the gradient is zero."""
        return Trunc.apply(self)

    fix = trunc

    def frac(self) -> Tensor:
        """``self - self.trunc()``, the fractional part; the gradient passes unchanged."""
        if self._data.dtype not in FLOATING:
            raise NotImplementedError(f"frac is not implemented for dtype {self.dtype}: it "
                                      "needs a float tensor (use .float() first)")
        return Frac.apply(self)

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:
        """Limit values to [min, max]; the gradient is zero outside."""
        return self._clamp(min, max, Clamp, ClampTensor)

    def _clamp(self, min: Any, max: Any, op: Any, tensor_op: Any) -> Tensor:
        """clamp, clamp_min and clamp_max (recorded as ``op``, or ``tensor_op`` with tensor
        bounds: PyTorch names each differently)."""
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        if isinstance(min, TensorBase) or isinstance(max, TensorBase):
            return self._clamp_tensors(min, max, tensor_op)
        bounds = [None if b is None else _operand(b, "clamp") for b in (min, max)]
        dtype = result_type(self, *[b for b in bounds if b is not None])
        if dtype is dtypes.bool:
            kernel = "clamp" if min is not None and max is not None else (
                "clamp_min" if min is not None else "clamp_max")
            raise NotImplementedError(f"\"{kernel}_scalar_cpu\" not implemented for 'Bool'")
        low, high = (None if b is None else checked_scalar(b, dtype) for b in bounds)
        x = self if self._data.dtype == dtype.np else self.to(dtype)
        return op.apply(x, low, high)  # type: ignore[no-any-return]

    clip = clamp

    def _clamp_tensors(self, min: Any, max: Any, op: Any = ClampTensor) -> Tensor:
        """clamp with tensor bounds (one may be None); the three broadcast together."""
        if any(b is not None and not isinstance(b, TensorBase) for b in (min, max)):
            raise TypeError("clamp() received an invalid combination of arguments: min and max "
                            "must both be Tensors (or None), or both numbers. Hint: wrap the "
                            "number with tg.tensor(...)")
        x = self
        for bound in (min, max):
            if bound is not None:
                x, _ = _promote(x, bound)
        lo, hi = (b if b is None else _operand_as(b, x.dtype) for b in (min, max))
        return op.apply(x, lo, hi)  # type: ignore[no-any-return]

    def clamp_min(self, min: Any) -> Tensor:
        """max(self, min): ``clamp(min=min)``, recorded as PyTorch's own op."""
        return self._clamp(min, None, ClampMin, ClampMinTensor)

    def clamp_max(self, max: Any) -> Tensor:
        """min(self, max): ``clamp(max=max)``, recorded as PyTorch's own op."""
        return self._clamp(None, max, ClampMax, ClampMaxTensor)

    def maximum(self, other: Tensor) -> Tensor:
        """Elementwise maximum of two tensors (ties split the gradient)."""
        if not isinstance(other, TensorBase):
            raise _operand_error("maximum", other, numbers=False)
        a, b = _promote(self, other)
        return Maximum.apply(a, b)

    def minimum(self, other: Tensor) -> Tensor:
        """Elementwise minimum of two tensors (ties split the gradient)."""
        if not isinstance(other, TensorBase):
            raise _operand_error("minimum", other, numbers=False)
        a, b = _promote(self, other)
        return Minimum.apply(a, b)

    def softmax(self, dim: _int, dtype: Any = None) -> Tensor:
        """exp(self) / sum(exp(self)) along ``dim``, stable for large values (float
        tensors, or ``dtype=`` a float dtype, as PyTorch)."""
        x = self if dtype is None else self.to(dtype)
        axis = _norm_axis(dim, x._data.ndim)
        _need_float_kernel(x, "softmax", axis)
        if x._data.dtype not in FLOATING:  # empty: nothing to compute, as torch
            return x.clone()
        return R.Softmax.apply(x, axis)

    def log_softmax(self, dim: _int, dtype: Any = None) -> Tensor:
        """log(softmax(self)) along ``dim``, computed without underflow (float tensors, or
        ``dtype=`` a float dtype)."""
        x = self if dtype is None else self.to(dtype)
        axis = _norm_axis(dim, x._data.ndim)
        _need_float_kernel(x, "log_softmax", axis)
        if x._data.dtype not in FLOATING:  # empty: nothing to compute, as torch
            return x.clone()
        return R.LogSoftmax.apply(x, axis)

    def lerp(self, end: Tensor, weight: Any) -> Tensor:
        """Linear interpolation ``self + weight * (end - self)`` (weight a number or a
        tensor; the three broadcast together and share one float dtype)."""
        for what, t in (("end", end), ("weight", weight)):
            if isinstance(t, TensorBase) and t._data.dtype != self._data.dtype:
                names = {"float32": "float", "float64": "double", "float16": "c10::Half"}
                mine, theirs = self.dtype.name, t.dtype.name
                raise RuntimeError(f"expected dtype {names.get(mine, mine)} for `{what}` but "
                                   f"got dtype {names.get(theirs, theirs)}")
        if self._data.dtype not in FLOATING:
            raise NotImplementedError(f"\"lerp_kernel_scalar\" not implemented for "
                                      f"'{scalar_type_name(self._data.dtype)}'")
        if isinstance(weight, TensorBase):
            _check_broadcast(self, end)
            _check_broadcast(self, weight)
            return R.Lerp.apply(self, end, weight)
        _check_broadcast(self, end)
        return R.LerpScalar.apply(self, end, _float(weight))

    def lerp_(self, end: Tensor, weight: Any) -> Tensor:
        """In place: ``self = self.lerp(end, weight)``."""
        return self._write(lambda t: t.lerp(end, weight), end, weight)

    # in-place forms: x.exp_() is x.exp() written into x
    abs_ = absolute_ = _inplace_form(abs)
    exp_ = _inplace_form(exp)
    log_ = _inplace_form(log)
    log1p_ = _inplace_form(log1p)
    sqrt_ = _inplace_form(sqrt)
    rsqrt_ = _inplace_form(rsqrt)
    reciprocal_ = _inplace_form(reciprocal)
    square_ = _inplace_form(square)
    sin_ = _inplace_form(sin)
    cos_ = _inplace_form(cos)
    tanh_ = _inplace_form(tanh)
    sigmoid_ = _inplace_form(sigmoid)
    relu_ = _inplace_form(relu)
    sign_ = _inplace_form(sign)
    floor_ = _inplace_form(floor)
    ceil_ = _inplace_form(ceil)
    round_ = _inplace_form(round)
    trunc_ = _inplace_form(trunc)
    fix_ = _inplace_form(fix)
    frac_ = _inplace_form(frac)
    clamp_min_ = _inplace_form(clamp_min)
    clamp_max_ = _inplace_form(clamp_max)
