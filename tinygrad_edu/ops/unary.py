"""The Tensor's math of one tensor (exp, log, sqrt, sin, relu, clamp, softmax...) and
their in-place forms; the Functions they apply are in ``elementwise.py`` (softmax:
``reduce.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import dtypes
from ..core.function import NO_ARG as _ONE
from ..core.function import apply_pair as _pair
from ..parity.names import scalar_type_name
from ..tensor_base import _FLOAT_KIND, TensorBase, _float, _inplace_form, _int, _norm_axis
from . import elementwise as E
from . import reduce as R
from .promotion import _check_broadcast, _operand, _operand_as, _operand_error, _promote

if TYPE_CHECKING:
    from ..tensor import Tensor


def _need_float_kernel(x: Tensor, name: str, axis: _int) -> None:
    """softmax/log_softmax have float kernels only (as PyTorch's: pass ``dtype=``); an
    empty tensor runs no kernel."""
    if x._data.dtype.kind != _FLOAT_KIND and x._data.size:
        kernel = f"{name}_lastdim_kernel_impl" if axis == max(x._data.ndim, 1) - 1 else \
            f"{name}_kernel_impl"
        error = E.not_implemented(kernel, x._data.dtype)
        raise NotImplementedError(f"{error} Hint: pass dtype=tinygrad_edu.float32, or call "
                                  ".float() first.")


class UnaryMethods(TensorBase):
    """The Tensor's elementwise math of one tensor (exp, log, sin, relu, clamp, ...), their
    in-place forms, softmax and lerp."""

    __slots__ = ()

    # ------------------------------------------------------------------ unary math
    def _float_unary(self, op: Any) -> Tensor:
        x = self if self._data.dtype.kind == _FLOAT_KIND else self.float()
        return op.apply(x)

    def exp(self) -> Tensor:
        """e ** self."""
        return self._float_unary(E.Exp)

    def log(self) -> Tensor:
        """Natural logarithm."""
        return self._float_unary(E.Log)

    def log1p(self) -> Tensor:
        """log(1 + self), accurate for small values."""
        return self._float_unary(E.Log1p)

    def sqrt(self) -> Tensor:
        """Square root."""
        return self._float_unary(E.Sqrt)

    def rsqrt(self) -> Tensor:
        """1 / sqrt(self)."""
        return self._float_unary(E.Rsqrt)

    def reciprocal(self) -> Tensor:
        """1 / self."""
        return self._float_unary(E.Reciprocal)

    def sin(self) -> Tensor:
        """Sine."""
        return self._float_unary(E.Sin)

    def cos(self) -> Tensor:
        """Cosine."""
        return self._float_unary(E.Cos)

    def tanh(self) -> Tensor:
        """Hyperbolic tangent."""
        return self._float_unary(E.Tanh)

    def sigmoid(self) -> Tensor:
        """1 / (1 + e ** -self), computed without overflow."""
        return self._float_unary(E.Sigmoid)

    def relu(self) -> Tensor:
        """max(self, 0)."""
        return E.Relu.apply(self)

    def abs(self) -> Tensor:
        """|self|."""
        return E.Abs.apply(self)

    absolute = abs

    def sign(self) -> Tensor:
        """-1, 0 or 1; its gradient is zero."""
        return _pair(E.Sign, self, _ONE)

    def square(self) -> Tensor:
        """self ** 2."""
        return self.pow(2)

    def floor(self) -> Tensor:
        """Round down; the gradient is zero."""
        return _pair(E.Floor, self, _ONE)

    def ceil(self) -> Tensor:
        """Round up; the gradient is zero."""
        return _pair(E.Ceil, self, _ONE)

    def round(self, decimals: _int = 0) -> Tensor:
        """Round half to even (to ``decimals`` places); the gradient is zero."""
        if decimals:
            return E.RoundDecimals.apply(self, decimals)
        return _pair(E.Round, self, _ONE)

    def trunc(self) -> Tensor:
        """Round toward zero; the gradient is zero."""
        return _pair(E.Trunc, self, _ONE)

    fix = trunc

    def frac(self) -> Tensor:
        """``self - self.trunc()``, the fractional part; the gradient passes unchanged."""
        if self._data.dtype.kind != _FLOAT_KIND:
            raise NotImplementedError(f"frac is not implemented for dtype {self.dtype}: it "
                                      "needs a float tensor (use .float() first)")
        return _pair(E.Frac, self, _ONE)

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:
        """Limit values to [min, max]; the gradient is zero outside."""
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        if isinstance(min, TensorBase) or isinstance(max, TensorBase):
            return self._clamp_tensors(min, max)
        bounds = [None if b is None else _operand(b, "clamp") for b in (min, max)]
        dtype = dtypes.result_type(self, *[b for b in bounds if b is not None])
        if dtype is dtypes.bool:
            kernel = "clamp" if min is not None and max is not None else (
                "clamp_min" if min is not None else "clamp_max")
            raise NotImplementedError(f"\"{kernel}_scalar_cpu\" not implemented for 'Bool'")
        low, high = (None if b is None else dtypes.checked_scalar(b, dtype) for b in bounds)
        x = self if self._data.dtype == dtype.np else self.to(dtype)
        return E.Clamp.apply(x, low, high)

    clip = clamp

    def _clamp_tensors(self, min: Any, max: Any) -> Tensor:
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
        return E.ClampTensor.apply(x, lo, hi)

    def clamp_min(self, min: Any) -> Tensor:
        """max(self, min)."""
        return self.clamp(min=min)

    def clamp_max(self, max: Any) -> Tensor:
        """min(self, max)."""
        return self.clamp(max=max)

    def maximum(self, other: Tensor) -> Tensor:
        """Elementwise maximum of two tensors (ties split the gradient)."""
        if not isinstance(other, TensorBase):
            raise _operand_error("maximum", other, numbers=False)
        a, b = _promote(self, other)
        return E.Maximum.apply(a, b)

    def minimum(self, other: Tensor) -> Tensor:
        """Elementwise minimum of two tensors (ties split the gradient)."""
        if not isinstance(other, TensorBase):
            raise _operand_error("minimum", other, numbers=False)
        a, b = _promote(self, other)
        return E.Minimum.apply(a, b)

    def softmax(self, dim: _int, dtype: Any = None) -> Tensor:
        """exp(self) / sum(exp(self)) along ``dim``, stable for large values (float
        tensors, or ``dtype=`` a float dtype, as PyTorch)."""
        x = self if dtype is None else self.to(dtype)
        axis = _norm_axis(dim, x._data.ndim)
        _need_float_kernel(x, "softmax", axis)
        if x._data.dtype.kind != _FLOAT_KIND:  # empty: nothing to compute, as torch
            return x.clone()
        return R.Softmax.apply(x, axis)

    def log_softmax(self, dim: _int, dtype: Any = None) -> Tensor:
        """log(softmax(self)) along ``dim``, computed without underflow (float tensors, or
        ``dtype=`` a float dtype)."""
        x = self if dtype is None else self.to(dtype)
        axis = _norm_axis(dim, x._data.ndim)
        _need_float_kernel(x, "log_softmax", axis)
        if x._data.dtype.kind != _FLOAT_KIND:  # empty: nothing to compute, as torch
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
        if self._data.dtype.kind != _FLOAT_KIND:
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
    abs_ = _inplace_form(abs)
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
