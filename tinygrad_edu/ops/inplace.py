"""Ops that overwrite a tensor's values: ``copy_``, ``fill_``, ``zero_``, ``masked_fill``
and the random fills (``uniform_``, ``normal_``, ..., and ``bernoulli``); and, outside
autograd, ``resize_``, and ``apply_`` / ``map_`` (a Python function on each element).

Each is one node, named as PyTorch's, whose first input is the tensor before the write.
The overwritten values have no effect on the result, so their gradient is zero; what was
written in gets the gradient of the places it went to.

>>> y = tg.ones(3, requires_grad=True) * 2
>>> _ = y.copy_(tg.tensor([1.0, 2.0, 3.0], requires_grad=True))
>>> y.grad_fn.name()
'torch::autograd::CopyBackwards'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtypes
from ..core import function as _function
from ..core.function import _wrap
from ..core.grad_mode import _state
from ..dtypes import FLOATING
from ..parity.grad_fn_names import labelled
from ..parity.names import tensor_type_name
from ..parity.promotion import checked_scalar, result_type
from ..tensor_base import (
    TensorBase,
    _bool,
    _check_no_partial_overlap,
    _check_result_cast,
    _float,
    _int,
    _norm_axis,
    _shape_arg,
    _type,
)
from . import arithmetic as E
from . import dual
from . import movement as V
from . import views as _views
from .arithmetic import NotDifferentiable, _check_bool_kernel, _scaled, _scaled_by_op
from .dual import _Op
from .promotion import (
    _as_tensor_like,
    _check_broadcast,
    _check_inplace_broadcast,
    _data_of,
    _is_operand,
    _operand,
    _promote,
)
from .strided import storage

if TYPE_CHECKING:
    from ..tensor import Tensor


def _shape_arg_of(sizes: tuple[Any, ...], name: str) -> tuple[int, ...]:
    """``resize_``'s sizes (PyTorch's TypeErrors for none, or for a non-int)."""
    if not sizes:
        raise TypeError(f"{name}() missing 1 required positional arguments: \"size\"")
    if len(sizes) == 1 and not isinstance(sizes[0], (tuple, list, _int, np.integer)):
        raise TypeError(f"{name}(): argument 'size' (position 1) must be tuple of ints, not "
                        f"{_type(sizes[0]).__name__}")
    return _shape_arg(sizes, name)


def _check_python_map(t: TensorBase, name: str, *others: TensorBase) -> None:
    """``apply_`` and ``map_`` run outside autograd: PyTorch's error when a gradient is
    wanted."""
    if t._requires_grad or any(o._requires_grad for o in others):
        raise RuntimeError(f"Can't call {name}() on Variable that requires grad. Use "
                           f"var.detach().{name}() instead.")


def _real(value: Any) -> Any:
    """A Python function's result, which must be a number (PyTorch's TypeError)."""
    if isinstance(value, (_bool, _int, _float, np.number)):
        return value
    raise TypeError(f"must be real number, not {_type(value).__name__}")


class Copy(_Op):
    """``dst.copy_(src)``: ``src`` broadcast to ``dst``'s shape and cast to its dtype. The
    engine sums ``src``'s gradient back to its shape and casts it to its dtype."""

    _grad_fn_name = "CopyBackwards"
    _torch_name = "torch::autograd::CopyBackwards"

    @staticmethod
    def forward(ctx: Any, dst: Any, src: Any) -> Any:
        return np.array(np.broadcast_to(src, dst.shape), dtype=dst.dtype)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        need_dst, need_src = ctx.needs_input_grad
        return (dual.zeros_like(grad) if need_dst else None), (grad if need_src else None)


class Fill(_Op):
    """``x.fill_(value)`` with a number: every element becomes ``value``; or ``x``
    overwritten with new values made elsewhere (random samples, an array: their layout
    kept). The result does not depend on x, so its gradient is zero."""

    _grad_fn_name = "FillBackward2"

    @staticmethod
    def forward(ctx: Any, x: Any, value: Any) -> Any:
        if isinstance(value, np.ndarray):  # the new values (a refill)
            return np.array(value, dtype=x.dtype)
        return np.full(x.shape, value, dtype=x.dtype)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return dual.zeros_like(grad), None


class FillTensor(_Op):
    """``x.fill_(value)`` with a 0-d tensor: its gradient is the sum of ``grad``."""

    _grad_fn_name = "FillBackward3"

    @staticmethod
    def forward(ctx: Any, x: Any, value: Any) -> Any:
        return np.full(x.shape, value, dtype=x.dtype)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        need_x, need_value = ctx.needs_input_grad
        # d(out[i])/d(value) = 1 for every i (the engine sums grad down to value's shape)
        return (dual.zeros_like(grad) if need_x else None), (grad if need_value else None)


# ``x.zero_()``.
Zero = labelled(Fill, "ZeroBackward0")


class MaskedFill(_Op):
    """``x.masked_fill(mask, value)`` with a number: ``value`` where ``mask`` is True."""

    _grad_fn_name = "MaskedFillBackward0"
    ctx_fields = ("mask",)

    @staticmethod
    def forward(ctx: Any, x: Any, mask: Any, value: Any) -> Any:
        ctx.mask = mask
        return np.where(mask, np.asanyarray(value, dtype=x.dtype), x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        # the filled places no longer depend on x: where(mask, 0, grad), never grad * mask
        # (which would turn an infinite gradient into NaN there)
        return dual.where(dual.constant(ctx.mask, grad), 0.0, grad), None, None


class MaskedFillTensor(_Op):
    """``x.masked_fill(mask, value)`` with a 0-d tensor: its gradient is the sum of
    ``grad`` over the filled places."""

    _grad_fn_name = "MaskedFillBackward1"
    ctx_fields = ("mask",)

    @staticmethod
    def forward(ctx: Any, x: Any, mask: Any, value: Any) -> Any:
        ctx.mask = mask
        return np.where(mask, value.astype(x.dtype), x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        need_x, _, need_value = ctx.needs_input_grad
        mask = dual.constant(ctx.mask, grad)
        grad_x = dual.where(mask, 0.0, grad) if need_x else None
        grad_value = dual.sum(dual.where(mask, grad, 0.0)) if need_value else None
        return grad_x, None, grad_value


Uniform = labelled(Fill, "UniformBackward0")


Normal = labelled(Fill, "NormalBackward0")


Bernoulli = labelled(Fill, "BernoulliBackward2")  # bernoulli_(p) with a number


# bernoulli_(p) with a tensor of probabilities
BernoulliTensor = labelled(Fill, "BernoulliBackward1")


Exponential = labelled(Fill, "ExponentialBackward0")


Geometric = labelled(Fill, "GeometricBackward0")


Cauchy = labelled(Fill, "CauchyBackward0")


LogNormal = labelled(Fill, "LogNormalBackward0")


Random = labelled(Fill, "RandomBackward2")  # random_(): RandomBackward1 with to, 0 with from, to


RandomTo = labelled(Fill, "RandomBackward1")


RandomFromTo = labelled(Fill, "RandomBackward0")


# the random fills by the name of their node (Tensor._fill_random)
RANDOM_FILLS = {op._grad_fn_name: op for op in (
    Uniform, Normal, Bernoulli, BernoulliTensor, Exponential, Geometric, Cauchy, LogNormal,
    Random, RandomTo, RandomFromTo)}


class FillCompared(_Op):
    """``x.eq_(other)`` with a tensor ``other`` (and the other comparisons): x becomes 1
    where the comparison holds, else 0, in its dtype. A comparison is piecewise constant:
    both get a zero gradient (``x.eq_(number)`` is a ``Fill`` of the 0/1 values)."""

    _grad_fn_name = "EqBackward1"

    @staticmethod
    def forward(ctx: Any, x: Any, other: Any, values: Any) -> Any:
        return np.array(values, dtype=x.dtype)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        need_x, need_other = ctx.needs_input_grad[:2]
        zero = dual.zeros_like(grad)
        return (zero if need_x else None), (zero if need_other else None), None


# the in-place comparisons: their nodes by method, with a number (0) or a tensor (1)
COMPARISONS = {name: (labelled(Fill, f"{node}Backward0"),
                      FillCompared if node == "Eq" else labelled(FillCompared,
                                                                 f"{node}Backward1"))
               for name, node in (("eq", "Eq"), ("ne", "Ne"), ("lt", "Lt"), ("le", "Le"),
                                  ("gt", "Gt"), ("ge", "Ge"))}


def _compare_form(name: str) -> Any:
    """``x.<name>_(other)``: the comparison's 0/1 values written into x, in its dtype."""
    by_number, by_tensor = COMPARISONS[name]

    def compare_(self: Any, other: Any) -> Tensor:
        values = getattr(self, name)(other)._data  # (the comparison's checks and errors)
        if isinstance(other, TensorBase):
            return self._write(lambda t: by_tensor.apply(t, other, values), other)
        return self._write(lambda t: by_number.apply(t, values))

    compare_.__name__ = compare_.__qualname__ = name + "_"
    compare_.__doc__ = (f"In place: 1 where ``self.{name}(other)``, else 0, in this tensor's "
                        "dtype (a zero gradient).")
    return compare_


# ``x.bernoulli()``: 0/1 samples with the probabilities in x; zero gradient.
BernoulliOf = labelled(Fill, "BernoulliBackward0")


# ``x.bernoulli(p)``: samples of a number p, recorded (as in PyTorch) as an op whose
# backward is not implemented.
BernoulliNotDifferentiable = NotDifferentiable(
    "bernoulli", lambda x, samples: np.array(samples, dtype=x.dtype))


# ------------------------------------------------------------------ the Tensor methods
_INPLACE_UFUNC = {E.Add: np.add, E.Sub: np.subtract, E.Mul: np.multiply, E.Div: np.true_divide}


class InplaceMethods(TensorBase):
    """The Tensor's in-place ops (``add_``, ``copy_``, ``fill_``, ``masked_fill_``...) and
    its random fills in PyTorch's streams (``uniform_``, ``normal_``...)."""

    __slots__ = ()

    def _inplace(self, op: Any, other: Any) -> Tensor:
        data = self._data
        ufunc = _INPLACE_UFUNC.get(op)
        base = self._base  # (a view requires grad when its base does)
        mine = self._requires_grad or (base is not None and base._requires_grad)
        if ufunc is not None and data.dtype in FLOATING and not (_state.enabled and (
                mine or isinstance(other, TensorBase) and other.requires_grad)):
            # fast path: nothing to record, compute straight into our storage
            if isinstance(other, TensorBase):
                _check_no_partial_overlap(data, other._data)
            try:
                ufunc(data, other._data if isinstance(other, TensorBase) else other, out=data,
                      casting="same_kind")
            except ValueError:  # read-only storage, or numpy's broadcasting error: PyTorch's
                self._check_inplace()
                _check_inplace_broadcast(self, other)
                raise
            _function.bump_version(self)
            return self
        self._check_inplace_autograd((other,))  # (PyTorch's order: autograd's errors,
        if isinstance(other, TensorBase):  # the operands' memory, then their shapes)
            _check_no_partial_overlap(data, other._data)
        _check_inplace_broadcast(self, other)
        return self._write(lambda t: t._binary_into(op, other), other)

    def _binary_into(self, op: Any, other: Any) -> Tensor:
        """``op(self, other)`` for an in-place op: ``other`` is promoted, ``self`` never (an
        op on a wider ``other`` computes in its dtype, and the write casts back), so that
        the op's node has ``self`` itself as its first input."""
        a, b = _promote(self, other, op is E.Div)
        if a is not self:
            _check_result_cast(a._data.dtype, self._data.dtype)
        return op.apply(self, b)

    def _inplace_operand(self, op: Any, other: Any, name: str) -> Any:
        """``other`` of an in-place op, checked as PyTorch does: a Tensor or a number, and
        a result dtype that casts to this tensor's (``int_tensor += 0.5`` raises)."""
        if self._data.dtype in FLOATING and (_type(other) is _float or isinstance(
                other, TensorBase) and other._data.dtype is self._data.dtype):
            return other  # (the common case, as an optimizer's: nothing to check)
        other = _operand(other, name)
        _check_bool_kernel(op, self, other)
        result = result_type(self, other)
        if op is E.Div and result.category != dtypes._FLOAT:
            result = dtypes.get_default_dtype()
        _check_result_cast(result.np, self._data.dtype)
        return other

    def add_(self, other: Any, alpha: Any = 1) -> Tensor:
        """In place: ``self += alpha * other``."""
        if alpha == 1 and self._data.dtype in FLOATING and (_type(other) is _float or (
                isinstance(other, TensorBase) and other._data.dtype is self._data.dtype)):
            return self._inplace(E.Add, other)  # (an optimizer's update: nothing to check)
        if _scaled_by_op(self, other, alpha) and _state.enabled and (
                self.requires_grad or other.requires_grad):  # recorded: one node
            return self._write(lambda t: t.add(other, alpha=alpha), other)
        if isinstance(other, TensorBase):  # (the operand given, not alpha * operand)
            _check_no_partial_overlap(self._data, other._data)
        other = _scaled(self, other, alpha, "add_")
        return self._inplace(E.Add, self._inplace_operand(E.Add, other, "add_"))

    def sub_(self, other: Any, alpha: Any = 1) -> Tensor:
        """In place: ``self -= alpha * other``."""
        if alpha == 1 and self._data.dtype in FLOATING and (_type(other) is _float or (
                isinstance(other, TensorBase) and other._data.dtype is self._data.dtype)):
            return self._inplace(E.Sub, other)  # (an optimizer's update: nothing to check)
        _check_bool_kernel(E.Sub, self, _operand(other, "sub_"))
        if _scaled_by_op(self, other, alpha) and _state.enabled and (
                self.requires_grad or other.requires_grad):  # recorded: one node
            return self._write(lambda t: t.sub(other, alpha=alpha), other)
        if isinstance(other, TensorBase):  # (the operand given, not alpha * operand)
            _check_no_partial_overlap(self._data, other._data)
        other = _scaled(self, other, alpha, "sub_")
        return self._inplace(E.Sub, self._inplace_operand(E.Sub, other, "sub_"))

    def mul_(self, other: Any) -> Tensor:
        """In place: ``self *= other``."""
        return self._inplace(E.Mul, self._inplace_operand(E.Mul, other, "mul_"))

    def div_(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        """In place: ``self /= other`` (rounded as ``div``'s ``rounding_mode`` says)."""
        if rounding_mode is not None:
            return self._write(lambda t: t.div(other, rounding_mode=rounding_mode), other)
        return self._inplace(E.Div, self._inplace_operand(E.Div, other, "div_"))

    multiply_ = mul_
    subtract_ = sub_
    divide_ = true_divide_ = div_
    eq_, ne_ = _compare_form("eq"), _compare_form("ne")
    lt_, le_ = _compare_form("lt"), _compare_form("le")
    gt_, ge_ = _compare_form("gt"), _compare_form("ge")
    greater_, less_, greater_equal_, less_equal_, not_equal_ = gt_, lt_, ge_, le_, ne_

    # an operand that is no number nor Tensor (an ndarray): NotImplemented, so that Python
    # falls back to ``x = x + other`` (numpy computes it), as with PyTorch
    def __iadd__(self, other: Any) -> Tensor:  # type: ignore[misc]
        return self.add_(other) if _is_operand(other) else NotImplemented

    def __isub__(self, other: Any) -> Tensor:  # type: ignore[misc]
        return self.sub_(other) if _is_operand(other) else NotImplemented

    def __imul__(self, other: Any) -> Tensor:  # type: ignore[misc]
        return self.mul_(other) if _is_operand(other) else NotImplemented

    def __itruediv__(self, other: Any) -> Tensor:  # type: ignore[misc]
        return self.div_(other) if _is_operand(other) else NotImplemented

    def pow_(self, exponent: Any) -> Tensor:
        """In place: ``self **= exponent``."""
        return self._write(lambda t: t.pow(exponent), exponent)

    __ipow__ = pow_

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:
        """In place: limit values to [min, max]."""
        return self._write(lambda t: t.clamp(min, max), min, max)

    clip_ = clamp_

    # ---- in-place views: the tensor's shape or strides change, not its values
    def squeeze_(self, dim: Any = V._ALL_DIMS) -> Tensor:
        """In place: ``self`` becomes ``self.squeeze(dim)`` (the same memory, its size-1
        dims removed: all of them, or ``dim``'s).

        >>> x = tg.zeros(2, 1, 3)
        >>> x.squeeze_().shape
        tinygrad_edu.Size([2, 3])
        """
        new, kind = V.squeezed(self._data.shape, dim, "squeeze_")
        op = {"all": V.SqueezeAllInplace, "dims": V.SqueezeDimsInplace,
              "dim": V.SqueezeInplace}[kind]
        return _views.change_view(self, op, new)

    def unsqueeze_(self, dim: _int) -> Tensor:
        """In place: ``self`` becomes ``self.unsqueeze(dim)`` (a size-1 dim inserted)."""
        shape = self._data.shape
        axis = _norm_axis(dim, len(shape) + 1)
        return _views.change_view(self, V.UnsqueezeInplace, shape[:axis] + (1,) + shape[axis:])

    def t_(self) -> Tensor:
        """In place: ``self`` becomes ``self.t()`` (a matrix transposed)."""
        if self._data.ndim > 2:
            raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is "
                               f"{self._data.ndim}D")
        return _views.change_view(self, V.MatrixTInplace, V._T_AXES[self._data.ndim])

    def transpose_(self, dim0: _int, dim1: _int) -> Tensor:
        """In place: ``self`` becomes ``self.transpose(dim0, dim1)`` (two dims swapped)."""
        n = self._data.ndim
        return _views.change_view(self, V.TransposeInplace, _norm_axis(dim0, n),
                                  _norm_axis(dim1, n))

    swapdims_ = swapaxes_ = transpose_

    def zero_(self) -> Tensor:
        """In place: set every element to 0."""
        return self._write(lambda t: Zero.apply(t, 0))

    def fill_(self, value: Any) -> Tensor:
        """In place: set every element to ``value`` (a number or a 0-d tensor)."""
        if isinstance(value, TensorBase):
            self._check_inplace_autograd((value,))  # (PyTorch's order: these errors first)
            if value._data.ndim:
                raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got "
                                   f"tensor with {value._data.ndim} dimensions.")
            return self._write(lambda t: FillTensor.apply(t, value), value,
                               overlap="none")
        number = checked_scalar(_operand(value, "fill_"), self.dtype)
        return self._write(lambda t: Fill.apply(t, number))

    def fill_diagonal_(self, fill_value: Any, wrap: _bool = False) -> Tensor:
        """In place: ``fill_value`` on the main diagonal (every dim of a tensor of more
        than 2 equally long). A tall matrix's diagonal stops at its last column; with
        ``wrap`` it starts again after one row left blank, every ``columns + 1`` rows.

        >>> tg.zeros(3, 2).fill_diagonal_(5, wrap=True)
        tensor([[5., 0.],
                [0., 5.],
                [0., 0.]])
        """
        shape = self._data.shape
        if len(shape) < 2:
            raise RuntimeError("dimensions must larger than 1")
        if len(shape) > 2:
            if len(set(shape)) != 1:
                raise RuntimeError("all dimensions of input must be of equal length")
            self[(_wrap(np.arange(shape[0])),) * len(shape)] = fill_value
            return self  # type: ignore[return-value]
        rows, cols = shape
        step = cols + 1 if wrap and rows > cols + 1 else rows
        for start in range(0, rows, step):  # (each block's diagonal: a view written in place)
            self[start:start + cols].diagonal().fill_(fill_value)
        return self  # type: ignore[return-value]

    # ------------------------------------------------ outside autograd: storage, Python
    def resize_(self, *sizes: Any, memory_format: Any = None) -> Tensor:
        """This tensor, made contiguous of shape ``sizes`` over its storage from its
        offset on: its elements, read in storage order, fill the new shape; storage too
        small grows (new elements are zeros here, uninitialized in PyTorch). The same
        shape changes nothing. Not for a tensor that requires grad.

        >>> tg.arange(6.0).resize_(2, 2)
        tensor([[0., 1.],
                [2., 3.]])
        """
        shape = _shape_arg_of(sizes, "resize_")
        if self._requires_grad:
            raise RuntimeError("cannot resize variables that require grad")
        if any(n < 0 for n in shape):
            raise RuntimeError("numel: integer multiplication overflow")
        if shape == self._data.shape:
            return self  # type: ignore[return-value]
        flat, offset = storage(self._data)
        n = int(np.prod(shape))
        if offset + n > flat.size:  # a larger storage, the old one's elements kept
            grown = np.zeros(offset + n, flat.dtype)
            grown[:flat.size] = flat
            flat = grown
        self._data = flat[offset:offset + n].reshape(shape)
        _function.bump_version(self)
        return self  # type: ignore[return-value]

    def resize_as_(self, the_template: Tensor, memory_format: Any = None) -> Tensor:
        """``resize_(the_template.shape)``.

        >>> tg.zeros(4).resize_as_(tg.ones(2, 2)).shape
        tinygrad_edu.Size([2, 2])
        """
        if not isinstance(the_template, TensorBase):
            raise TypeError(f"resize_as_(): argument 'the_template' (position 1) must be "
                            f"Tensor, not {_type(the_template).__name__}")
        return self.resize_(the_template._data.shape, memory_format=memory_format)

    def apply_(self, callable: Any) -> Tensor:
        """In place: each element ``v`` replaced by ``callable(v)`` (a Python number in,
        one out), in row-major order. Slow (Python per element), and not for a tensor
        that requires grad.

        >>> tg.tensor([1.0, 2.0]).apply_(lambda v: v * 10)
        tensor([10., 20.])
        """
        _check_python_map(self, "apply_")
        data = self._data
        for i in np.ndindex(data.shape):
            data[i] = _real(callable(data[i].item()))
        return self  # type: ignore[return-value]

    def map_(self, tensor: Tensor, callable: Any) -> Tensor:
        """In place: each element ``v`` replaced by ``callable(v, w)``, ``w`` the element of
        ``tensor`` (broadcast to this shape, of this dtype) at its place.

        >>> tg.tensor([1.0, 2.0]).map_(tg.tensor([3.0, 4.0]), lambda v, w: v * w)
        tensor([3., 8.])
        """
        if not isinstance(tensor, TensorBase):
            raise TypeError(f"map_(): argument 'other' (position 1) must be Tensor, not "
                            f"{_type(tensor).__name__}")
        _check_python_map(self, "map_", tensor)
        if tensor._data.dtype != self._data.dtype:
            raise TypeError(f"map_: expected {tensor_type_name(self._data)} for 'other' (got "
                            f"{tensor_type_name(tensor._data)})")
        data, other = self._data, tensor.expand(self._data.shape)._data
        for i in np.ndindex(data.shape):
            data[i] = _real(callable(data[i].item(), other[i].item()))
        return self  # type: ignore[return-value]

    def copy_(self, src: Tensor, non_blocking: _bool = False) -> Tensor:
        """In place: copy ``src``'s values (broadcast to this shape, cast to this dtype)."""
        src = _as_tensor_like(src, self)
        self._check_inplace_autograd((src,))  # (PyTorch's order: autograd's errors, the
        _check_no_partial_overlap(self._data, src._data)  # operands' memory, the shapes)
        _check_inplace_broadcast(self, src)
        return self._write(lambda t: Copy.apply(t, src), src)

    def masked_fill(self, mask: Tensor, value: Any) -> Tensor:
        """A copy with ``value`` (a number or a 0-d tensor) where ``mask`` is True."""
        m = _data_of(mask)
        if not isinstance(m, np.ndarray) or m.dtype != np.bool_:
            raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with "
                               f"dtype {dtypes.from_numpy(np.asanyarray(m).dtype)}")
        _check_broadcast(_wrap(m), self)  # (PyTorch's order: the mask is tensor a)
        if isinstance(value, TensorBase):
            if value._data.ndim:
                raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, "
                                   f"but got tensor with {value._data.ndim} dimension(s).")
            return MaskedFillTensor.apply(self, m, value)
        number = checked_scalar(_operand(value, "masked_fill"), self.dtype)
        return MaskedFill.apply(self, m, number)

    def masked_fill_(self, mask: Tensor, value: Any) -> Tensor:
        """In place: ``value`` where ``mask`` is True."""
        if isinstance(mask, TensorBase):  # (PyTorch's order: autograd's errors, then the shapes)
            self._check_inplace_autograd((value,))
            _check_broadcast(self, mask)
        return self._write(lambda t: t.masked_fill(mask, value), value, overlap="none")

    # ------------------------------------------------------------ random (PyTorch's streams)
    # Each draws from tinygrad_edu.random's generator exactly what PyTorch's CPU kernel draws,
    # and fills the tensor in PyTorch's order: its memory order (a transposed view by columns).
    # (tinygrad_edu.random is imported on first use, for import speed: see creation.py)

    def uniform_(self, a: _float = 0.0, b: _float = 1.0, generator: Any = None) -> Tensor:
        """In place: fill with U(a, b) samples (the same stream as PyTorch's)."""
        from .. import random as _random

        return self._fill_random(_random.uniform(self._data.shape, a, b, self._data.dtype,
                                                 generator=generator), "UniformBackward0")

    def normal_(self, mean: _float = 0.0, std: _float = 1.0, generator: Any = None) -> Tensor:
        """In place: fill with N(mean, std**2) samples (the same stream as PyTorch's)."""
        from .. import random as _random

        values = _random.normal(self._data.shape, mean, std, self._data.dtype,
                                generator=generator, contiguous=self._data.flags.c_contiguous)
        return self._fill_random(values, "NormalBackward0")

    def bernoulli_(self, p: Any = 0.5, *, generator: Any = None) -> Tensor:
        """In place: 1 with probability ``p`` (a number, or a tensor broadcast to this one's
        shape, one probability per element), else 0; PyTorch's stream. Any dtype.

        >>> _ = tg.manual_seed(0); tg.zeros(5).bernoulli_(0.5)
        tensor([0., 0., 1., 0., 0.])
        """
        from .. import random as _random

        _random.check_generator(generator, "bernoulli_")
        if isinstance(p, TensorBase):
            self._check_inplace()
            if self._data.size == 0:
                return self
            probs = p.expand(self.shape)._data  # (PyTorch's expand errors)
            values = _random.bernoulli_tensor(_random.draw_order(probs, self._data),
                                              self._data.dtype, generator)
            return self._fill_random(values, "BernoulliBackward1")  # (PyTorch's names)
        if isinstance(p, str) or not isinstance(p, (_int, _float, np.number)):
            raise TypeError(
                f"bernoulli_() received an invalid combination of arguments - got "
                f"({_type(p).__name__}), but expected one of:\n"
                " * (Tensor p, *, torch.Generator generator = None)\n"
                " * (float p = 0.5, *, torch.Generator generator = None)"
            )
        return self._fill_random(_random.bernoulli(self._data.shape, _float(p), self._data.dtype,
                                                   generator), "BernoulliBackward2")

    def bernoulli(self, p: Any = None, *, generator: Any = None) -> Tensor:
        """0/1 samples in this tensor's dtype: ``bernoulli()`` takes each element as its
        probability, ``bernoulli(p)`` uses the number ``p`` for all. PyTorch's stream.

        >>> _ = tg.manual_seed(0); tg.tensor([0.0, 1.0, 0.5]).bernoulli()
        tensor([0., 1., 1.])
        """
        from .. import random as _random

        _random.check_generator(generator, "bernoulli")
        if p is None:
            values = _random.bernoulli_tensor(self._data, None, generator)
            op: Any = BernoulliOf
        else:  # PyTorch records this one as not differentiable
            prob = _random.float_arg(p, "bernoulli", "p", 1)
            values = _random.bernoulli(self._data.shape, prob, self._data.dtype, generator)
            op = BernoulliNotDifferentiable
        if self._requires_grad and _state.enabled and values.dtype in FLOATING:
            return op.apply(self, values)
        return _wrap(values)

    def exponential_(self, lambd: Any = 1.0, *, generator: Any = None) -> Tensor:
        """In place: Exp(``lambd``) samples, ``-log1p(-u) / lambd`` (PyTorch's stream).

        >>> _ = tg.manual_seed(0); tg.empty(3, dtype=tg.float64).exponential_()
        tensor([3.5083, 1.2304, 0.6150], dtype=tinygrad_edu.float64)
        """
        from .. import random as _random

        lam = _random.float_arg(lambd, "exponential_", "lambd", 1)
        values = _random.exponential(self._data.shape, lam, self._data.dtype,
                                     _random.check_generator(generator, "exponential_"))
        return self._fill_random(values, "ExponentialBackward0")

    def geometric_(self, p: Any, *, generator: Any = None) -> Tensor:
        """In place: the number of Bernoulli(``p``) trials to the first success (PyTorch's
        stream); integer dtypes too.

        >>> _ = tg.manual_seed(0); tg.empty(5).geometric_(0.5)
        tensor([1., 1., 2., 1., 1.])
        """
        from .. import random as _random

        prob = _random.float_arg(p, "geometric_", "p", 1)
        values = _random.geometric(self._data.shape, prob, self._data.dtype,
                                   _random.check_generator(generator, "geometric_"))
        return self._fill_random(values, "GeometricBackward0")

    def cauchy_(self, median: Any = 0.0, sigma: Any = 1.0, *, generator: Any = None) -> Tensor:
        """In place: Cauchy(``median``, ``sigma``) samples (PyTorch's stream).

        >>> _ = tg.manual_seed(0); tg.empty(2).cauchy_()
        tensor([10.5977,  0.7648])
        """
        from .. import random as _random

        m = _random.float_arg(median, "cauchy_", "median", 1)
        s = _random.float_arg(sigma, "cauchy_", "sigma", 2)
        values = _random.cauchy(self._data.shape, m, s, self._data.dtype,
                                _random.check_generator(generator, "cauchy_"))
        return self._fill_random(values, "CauchyBackward0")

    def log_normal_(self, mean: Any = 1.0, std: Any = 2.0, *, generator: Any = None) -> Tensor:
        """In place: ``exp`` of N(``mean``, ``std**2``) samples (PyTorch's stream).

        >>> _ = tg.manual_seed(0); tg.empty(2).log_normal_(0.0, 1.0)
        tensor([4.6692, 0.7457])
        """
        from .. import random as _random

        m = _random.float_arg(mean, "log_normal_", "mean", 1)
        s = _random.float_arg(std, "log_normal_", "std", 2)
        values = _random.log_normal(self._data.shape, m, s, self._data.dtype,
                                    _random.check_generator(generator, "log_normal_"))
        return self._fill_random(values, "LogNormalBackward0")

    def random_(self, *args: Any, generator: Any = None, **kwargs: Any) -> Tensor:
        """In place: random integers (PyTorch's stream). ``random_()`` draws from [0, the
        dtype's largest exact integer], ``random_(to)`` from [0, to), ``random_(from, to)``
        from [from, to) and ``random_(from, None)`` from [from, the dtype's largest].

        >>> _ = tg.manual_seed(0); tg.empty(4, dtype=tg.int64).random_(-3, 3)
        tensor([-1,  0,  2, -3])
        """
        from .. import random as _random

        bounds = _random.random_bounds(args, kwargs)
        gen = _random.check_generator(generator, "random_")
        if bounds is None:
            values = _random.random_(self._data.shape, self._data.dtype, gen)
            return self._fill_random(values, "RandomBackward2")
        values = _random.random_from_to(self._data.shape, bounds[0], bounds[1],
                                        self._data.dtype, gen)
        one_bound = len(args) + len(kwargs) == 1
        return self._fill_random(values, "RandomBackward1" if one_bound else "RandomBackward0")

    def multinomial(self, num_samples: Any, replacement: _bool = False, *,
                    generator: Any = None) -> Tensor:
        """``num_samples`` category indices (int64) from the weights in this 1-D tensor, or in
        each row of a 2-D one; PyTorch's algorithms and stream, with or without replacement.

        >>> g = tg.Generator().manual_seed(2147483647)
        >>> tg.tensor([0.1, 0.6, 0.3]).multinomial(1, replacement=True, generator=g)
        tensor([1])
        """
        from .. import random as _random

        n = _random.int_arg(num_samples, "multinomial", "num_samples", 1)
        if not isinstance(replacement, (_bool, np.bool_)):
            raise TypeError(f"multinomial(): argument 'replacement' must be bool, not "
                            f"{_type(replacement).__name__}")
        gen = _random.check_generator(generator, "multinomial")
        return _wrap(_random.multinomial(self._data, n, _bool(replacement), gen))

    def _fill_random(self, values: np.ndarray, grad_fn: str) -> Tensor:
        """In place: ``values`` (in the order PyTorch draws them) into this tensor's memory.

        On a tensor that requires grad (a non-leaf) the new values have a zero gradient:
        the node is PyTorch's (``UniformBackward0`` ...: ops/inplace.py).
        """
        from .. import random as _random

        arranged = _random.arrange(values, self._data)
        op = RANDOM_FILLS[grad_fn]
        return self._write(lambda t: op.apply(t, arranged))
