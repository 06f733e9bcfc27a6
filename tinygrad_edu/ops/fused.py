"""Fused products of BLAS and of optimizers: ``addcmul``, ``addcdiv`` (an Adam step is
``p.addcdiv_(m, v.sqrt() + eps, value=-lr)``), ``mv``, ``addmv``, ``addr``, ``addbmm`` and
``dist``; their in-place forms and their Functions, forward and backward side by side.

Each is one node, as in PyTorch (``AddcmulBackward0``, ``AddmvBackward0``...): fused
because its kernel does the whole sum of products in one pass. ``addmm`` and ``baddbmm``
are in ``matmul.py``, beside ``mm`` and ``bmm``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtypes
from ..amp.autocast_mode import autocast_args
from ..core.function import _wrap
from ..dtypes import FLOATING, REDUCED
from ..parity.errors import broadcast_error, not_implemented
from ..parity.names import scalar_type_name
from ..parity.promotion import checked_scalar, result_type
from ..tensor_base import TensorBase, _inplace_form
from . import dual
from .dual import _Op
from .matmul import Mv, _mm, check_same_dtype
from .promotion import _operand, _operand_as
from .reduce import _norm_grad, vector_pnorm

if TYPE_CHECKING:
    from ..tensor import Tensor


# ----------------------------------------------------------------------------- addcmul
def _pointwise(fn: Any, input: Any, t1: Any, t2: Any, value: Any) -> Any:
    """``fn`` on the three arrays, float16 computed in float32 and rounded once (as
    PyTorch's CPU kernels)."""
    dtype = input.dtype
    if dtype in REDUCED:
        input, t1, t2 = (a.astype(np.float32) for a in (input, t1, t2))
    return np.asanyarray(fn(input, t1, t2, value), dtype=dtype)


class Addcmul(_Op):
    """``input + value * tensor1 * tensor2``, in PyTorch's order: ``(value * t1) * t2``."""

    _grad_fn_name = "AddcmulBackward0"
    ctx_fields = ("value",)

    @staticmethod
    def forward(ctx: Any, input: Any, t1: Any, t2: Any, value: Any) -> Any:
        need = ctx.needs_input_grad
        ctx.save_for_backward(t1 if need[2] else None, t2 if need[1] else None)
        ctx.value = value
        return _pointwise(lambda a, b, c, v: a + v * b * c, input, t1, t2, value)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        t1, t2 = ctx.saved_tensors
        need_input, need_1, need_2 = ctx.needs_input_grad[:3]
        value = ctx.value
        # d/d(input) = 1, d/d(t1) = value * t2, d/d(t2) = value * t1
        return (grad if need_input else None, grad * (t2 * value) if need_1 else None,
                grad * (t1 * value) if need_2 else None, None)


class Addcdiv(_Op):
    """``input + value * tensor1 / tensor2``, in PyTorch's order: ``(value * t1) / t2``."""

    _grad_fn_name = "AddcdivBackward0"
    ctx_fields = ("value",)

    @staticmethod
    def forward(ctx: Any, input: Any, t1: Any, t2: Any, value: Any) -> Any:
        ctx.save_for_backward(t1 if ctx.needs_input_grad[2] else None, t2)
        ctx.value = value
        return _pointwise(lambda a, b, c, v: a + v * b / c, input, t1, t2, value)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        t1, t2 = ctx.saved_tensors
        need_input, need_1, need_2 = ctx.needs_input_grad[:3]
        value = ctx.value
        # d/d(t1) = value / t2, d/d(t2) = -value * t1 / t2^2
        return (grad if need_input else None, grad * (value / t2) if need_1 else None,
                -grad * (value * t1 / (t2 * t2)) if need_2 else None, None)


# ----------------------------------------------------------------------------- addmv, addr
class Addmv(_Op):
    """``beta * input + alpha * (mat @ vec)`` as one op (BLAS's gemv); ``input`` is not read
    when beta is 0."""

    _grad_fn_name = "AddmvBackward0"
    ctx_fields = ("beta", "alpha")

    @staticmethod
    def forward(ctx: Any, input: Any, mat: Any, vec: Any, beta: Any, alpha: Any) -> Any:
        need = ctx.needs_input_grad
        ctx.save_for_backward(mat if need[2] else None, vec if need[1] else None)
        ctx.beta, ctx.alpha = beta, alpha
        # (BLAS reads neither mat nor vec when alpha is 0: a nan there does not spread)
        product = mat @ vec if alpha else np.zeros(mat.shape[:1], mat.dtype)
        # (bfloat16: numpy's product is float32; the sum too, rounded once as PyTorch's)
        return _epilogue(product, input, beta, alpha).astype(mat.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        mat, vec = ctx.saved_tensors
        need_input, need_mat, need_vec = ctx.needs_input_grad[:3]
        beta, alpha = ctx.beta, ctx.alpha
        # d/d(mat) = alpha * outer(grad, vec), d/d(vec) = alpha * mat^T grad
        return (grad * beta if need_input else None,
                _outer(grad, vec) * alpha if need_mat else None,
                (dual.swapaxes(mat, 0, 1) @ grad) * alpha if need_vec else None, None, None)


def _epilogue(product: np.ndarray, input: Any, beta: Any, alpha: Any) -> np.ndarray:
    """``alpha * product + beta * input`` in the product's dtype, as BLAS finishes a
    product: ``input`` is not read when beta is 0 (a NaN there does not spread)."""
    out = product * alpha if alpha != 1 else product
    if beta:
        out = out + (input if beta == 1 else beta * input)
    return np.asanyarray(out, dtype=product.dtype)


def _outer(a: Any, b: Any) -> Any:
    return dual.reshape(a, (-1, 1)) * dual.reshape(b, (1, -1))


class Addr(_Op):
    """``beta * input + alpha * outer(vec1, vec2)``, elementwise as PyTorch's kernel:
    ``beta * input + (alpha * v1) * v2``; ``input`` is not read when beta is 0."""

    _grad_fn_name = "AddrBackward0"
    ctx_fields = ("beta", "alpha")

    @staticmethod
    def forward(ctx: Any, input: Any, vec1: Any, vec2: Any, beta: Any, alpha: Any) -> Any:
        need = ctx.needs_input_grad
        ctx.save_for_backward(vec1 if need[2] else None, vec2 if need[1] else None)
        ctx.beta, ctx.alpha = beta, alpha
        out = alpha * vec1[:, None] * vec2[None, :]
        if beta:
            out = beta * input + out
        return np.asanyarray(out, dtype=vec1.dtype)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        vec1, vec2 = ctx.saved_tensors
        need_input, need_1, need_2 = ctx.needs_input_grad[:3]
        beta, alpha = ctx.beta, ctx.alpha
        # d/d(vec1) = alpha * grad @ vec2, d/d(vec2) = alpha * grad^T @ vec1
        return (grad * beta if need_input else None, (grad @ vec2) * alpha if need_1 else None,
                (dual.swapaxes(grad, 0, 1) @ vec1) * alpha if need_2 else None, None, None)


class Addbmm(_Op):
    """``beta * input + alpha * sum_b batch1[b] @ batch2[b]`` as one op."""

    _grad_fn_name = "AddbmmBackward0"
    ctx_fields = ("beta", "alpha")

    @staticmethod
    def forward(ctx: Any, input: Any, b1: Any, b2: Any, beta: Any, alpha: Any) -> Any:
        need = ctx.needs_input_grad
        ctx.save_for_backward(b1 if need[2] else None, b2 if need[1] else None)
        ctx.beta, ctx.alpha = beta, alpha
        # the sum over batches is one product: (n, B*k) @ (B*k, m)
        n, m = b1.shape[1], b2.shape[2]
        product = _mm(np.swapaxes(b1, 0, 1).reshape(n, -1), b2.reshape(-1, m)) if alpha else \
            np.zeros((n, m), b1.dtype)  # (not read when alpha is 0, as BLAS)
        return _epilogue(product, input, beta, alpha)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        b1, b2 = ctx.saved_tensors
        need_input, need_1, need_2 = ctx.needs_input_grad[:3]
        beta, alpha = ctx.beta, ctx.alpha
        # each batch's product gets the same grad: d/d(b1[b]) = alpha * G b2[b]^T, and
        # d/d(b2[b]) = alpha * b1[b]^T G
        g1 = (grad @ dual.swapaxes(b2, 1, 2)) * alpha if need_1 else None
        g2 = (dual.swapaxes(b1, 1, 2) @ grad) * alpha if need_2 else None
        return grad * beta if need_input else None, g1, g2, None, None


# ----------------------------------------------------------------------------- dist
class Dist(_Op):
    """The p-norm of ``input - other`` (broadcast), as one op; its gradient is the norm's,
    with the opposite sign for ``other`` (0 where the distance is 0, as PyTorch)."""

    _grad_fn_name = "DistBackward0"
    ctx_fields = ("p",)

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any, p: float) -> Any:
        ctx.p = p
        out = vector_pnorm(a - b, p, None, False)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        a, b, out = ctx.saved_tensors
        if ctx.p == 0:  # piecewise constant: no gradient (None, as PyTorch)
            return None, None, None
        with np.errstate(divide="ignore", invalid="ignore"):
            g = _norm_grad(grad, a - b, ctx.p, None, out)
        need_a, need_b = ctx.needs_input_grad[:2]
        return (g if need_a else None), (-g if need_b else None), None


# ----------------------------------------------------------------------------- checks
def _tensor_arg(x: Any, name: str, arg: str, position: int) -> None:
    if not isinstance(x, TensorBase):
        raise TypeError(f"{name}(): argument '{arg}' (position {position}) must be Tensor, "
                        f"not {type(x).__name__}")


def _broadcast3(*shapes: tuple[int, ...]) -> None:
    """PyTorch's error for three operands that do not broadcast (pairwise, left to right)."""
    shape = shapes[0]
    for s in shapes[1:]:
        try:
            shape = np.broadcast_shapes(shape, s)
        except ValueError:
            raise broadcast_error(shape, s) from None


def _scalar(value: Any, dtype: Any, name: str) -> Any:
    """``value`` (beta, alpha) in ``dtype``: a float must not go into an integer op."""
    return checked_scalar(_operand(value, name), dtypes.from_numpy(dtype))


def _blas_dtypes(name: str, *arrays: np.ndarray) -> None:
    """addmv/addr's dtype check: one dtype for all three (no promotion), as PyTorch."""
    if len({a.dtype for a in arrays}) > 1:
        names = ", ".join(scalar_type_name(a.dtype) for a in arrays)
        raise RuntimeError(f"{name} input tensors must have the same dtype, but got "
                           f"{names.rsplit(', ', 1)[0]}, and {names.rsplit(', ', 1)[1]}")


# ----------------------------------------------------------------------------- methods
class FusedMethods(TensorBase):
    """The Tensor's addcmul, addcdiv, mv, addmv, addr, addbmm and dist, and their
    in-place forms."""

    __slots__ = ()

    def _pointwise3(self, name: str, tensor1: Any, tensor2: Any, value: Any) -> Any:
        """The three operands of addcmul/addcdiv, promoted together (value does not take
        part), and ``value`` in their dtype."""
        _tensor_arg(tensor1, name, "tensor1", 1)
        _tensor_arg(tensor2, name, "tensor2", 2)
        _broadcast3(self._data.shape, tensor1._data.shape, tensor2._data.shape)
        dtype = result_type(self, tensor1, tensor2)
        if dtype.np == np.bool_:
            raise not_implemented(f"{name}_cpu_out", dtype.np)
        v = _operand(value, name)  # (PyTorch's value.to<scalar_t>(): checked, truncated)
        v = float(v) if dtype.np in FLOATING else checked_scalar(v, dtype)
        return (*(_operand_as(t, dtype) for t in (self, tensor1, tensor2)), v)

    def addcmul(self, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
        """``self + value * tensor1 * tensor2`` in one op (the three broadcast together).

        >>> tg.ones(2).addcmul(tg.tensor([1.0, 2.0]), tg.tensor([3.0, 4.0]), value=0.5)
        tensor([2.5000, 5.0000])
        """
        return Addcmul.apply(*self._pointwise3("addcmul", tensor1, tensor2, value))

    def addcdiv(self, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
        """``self + value * tensor1 / tensor2`` in one op (the three broadcast together);
        integer ``tensor1`` and ``tensor2`` are refused, as in PyTorch.

        >>> tg.zeros(2).addcdiv(tg.tensor([1.0, 2.0]), tg.tensor([4.0, 4.0]), value=2)
        tensor([0.5000, 1.0000])
        """
        for t, arg, pos in ((tensor1, "tensor1", 1), (tensor2, "tensor2", 2)):
            _tensor_arg(t, "addcdiv", arg, pos)
        if tensor1._data.dtype not in FLOATING and tensor2._data.dtype not in FLOATING:
            raise RuntimeError(
                "Integer division with addcdiv is no longer supported, and in a future  "
                "release addcdiv will perform a true division of tensor1 and tensor2. The "
                "historic addcdiv behavior can be implemented as (input + value * "
                "torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as "
                "(input + value * tensor1 / tensor2) for float inputs. The future addcdiv "
                "behavior is just the latter implementation: (input + value * tensor1 / "
                "tensor2), for all dtypes.")
        return Addcdiv.apply(*self._pointwise3("addcdiv", tensor1, tensor2, value))

    def mv(self, vec: Tensor) -> Tensor:
        """The product of this matrix and the vector ``vec`` (one dtype for both).

        >>> tg.ones(2, 3).mv(tg.tensor([1.0, 2.0, 3.0]))
        tensor([6., 6.])
        """
        _tensor_arg(vec, "mv", "vec", 1)
        self._check_mv("mv", None, vec)
        check_same_dtype("addmv_impl_cpu", self._data.dtype, vec._data.dtype)
        return Mv.apply(self, vec)

    def _check_mv(self, name: str, input: Any, vec: Tensor) -> None:
        """addmv's (and mv's) shape checks, in PyTorch's words."""
        mat, v = self._data, vec._data
        n = 1 if input is None else input.ndim
        if mat.ndim != 2 or v.ndim != 1 or n > 1:
            raise RuntimeError(f"vector + matrix @ vector expected, got {n}, {mat.ndim}, "
                               f"{v.ndim}")
        rows = mat.shape[0] if input is None or input.ndim == 0 else input.shape[0]
        if mat.shape[1] != v.shape[0] or rows not in (mat.shape[0], 1):
            raise RuntimeError(f"size mismatch, got input ({rows}), mat ({mat.shape[0]}x"
                               f"{mat.shape[1]}), vec ({v.shape[0]})")

    def addmv(self, mat: Tensor, vec: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        """``beta * self + alpha * (mat @ vec)`` in one op; ``self`` (a vector, or a number's
        0-d tensor) broadcasts to the product's length and is ignored when beta is 0.

        >>> tg.ones(2).addmv(tg.ones(2, 3), tg.ones(3), beta=2)
        tensor([5., 5.])
        """
        _tensor_arg(mat, "addmv", "mat", 1)
        _tensor_arg(vec, "addmv", "vec", 2)
        _blas_dtypes("addmv", self._data, mat._data, vec._data)
        mat._check_mv("addmv", self._data, vec)
        if mat._data.dtype == np.bool_:
            raise not_implemented("addmv_impl_cpu", mat._data.dtype)
        dtype = self._data.dtype
        return Addmv.apply(self, mat, vec, _scalar(beta, dtype, "addmv"),
                           _scalar(alpha, dtype, "addmv"))

    def addr(self, vec1: Tensor, vec2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        """``beta * self + alpha * outer(vec1, vec2)`` in one op; ``self`` broadcasts to the
        outer product's shape.

        >>> tg.zeros(2, 2).addr(tg.tensor([1.0, 2.0]), tg.tensor([1.0, 3.0]))
        tensor([[1., 3.],
                [2., 6.]])
        """
        _tensor_arg(vec1, "addr", "vec1", 1)
        _tensor_arg(vec2, "addr", "vec2", 2)
        for v, i in ((vec1, 1), (vec2, 2)):
            if v._data.ndim != 1:
                raise RuntimeError(f"addr: Expected 1-D argument vec{i}, but got "
                                   f"{v._data.ndim}-D")
        _blas_dtypes("addr", self._data, vec1._data, vec2._data)
        _wrap(self._data).expand(vec1._data.shape[0], vec2._data.shape[0])  # (its errors)
        dtype = self._data.dtype
        for v, arg in ((beta, "beta"), (alpha, "alpha")):  # (PyTorch's check_addr_scalar)
            if isinstance(v, bool) and dtype != np.bool_:
                raise RuntimeError(f"Boolean {arg} only supported for Boolean results.")
            if dtype not in FLOATING and isinstance(v, float):
                raise RuntimeError(f"For integral input tensors, argument {arg} must not be "
                                   "a floating point number.")
        return Addr.apply(self, vec1, vec2, _scalar(beta, dtype, "addr"),
                          _scalar(alpha, dtype, "addr"))

    def addbmm(self, batch1: Tensor, batch2: Tensor, *, beta: Any = 1,
               alpha: Any = 1) -> Tensor:
        """``beta * self + alpha * sum_b batch1[b] @ batch2[b]`` in one op (the products of
        the batches added up); ``self`` broadcasts to the product's shape.

        >>> tg.zeros(1, 1).addbmm(tg.ones(2, 1, 3), tg.ones(2, 3, 1))
        tensor([[6.]])
        """
        _tensor_arg(batch1, "addbmm", "batch1", 1)
        _tensor_arg(batch2, "addbmm", "batch2", 2)
        self, batch1, batch2 = autocast_args("addbmm", self, batch1, batch2)
        b1, b2 = batch1._data, batch2._data
        for x, name in ((b1, "batch1"), (b2, "batch2")):
            if x.ndim != 3:
                raise RuntimeError(f"{name} must be a 3D tensor")
        if b1.shape[0] != b2.shape[0]:
            raise RuntimeError(f"batch1 and batch2 must have same number of batches, got "
                               f"{b1.shape[0]} and {b2.shape[0]}")
        if b1.shape[2] != b2.shape[1]:
            raise RuntimeError(f"Incompatible matrix sizes for bmm ({b1.shape[1]}x{b1.shape[2]}"
                               f" and {b2.shape[1]}x{b2.shape[2]})")
        _blas_dtypes("addbmm", self._data, b1, b2)
        if b1.dtype == np.bool_:
            raise not_implemented("addmm_impl_cpu_", b1.dtype)
        _wrap(self._data).expand(b1.shape[1], b2.shape[2])  # (PyTorch's broadcast errors)
        dtype = self._data.dtype
        return Addbmm.apply(self, batch1, batch2, _scalar(beta, dtype, "addbmm"),
                            _scalar(alpha, dtype, "addbmm"))

    def dist(self, other: Tensor, p: Any = 2) -> Tensor:
        """The p-norm of ``self - other`` (they broadcast): ``(sum |x - y|^p)^(1/p)``.

        >>> tg.tensor([0.0, 0.0]).dist(tg.tensor([3.0, 4.0]))
        tensor(5.)
        """
        _tensor_arg(other, "dist", "other", 1)
        _broadcast3(self._data.shape, other._data.shape)
        dtype = result_type(self, other)
        if dtype.np not in FLOATING:
            raise RuntimeError("norm(): input dtype should be either floating point or "
                               f"complex. Got {scalar_type_name(dtype.np)} instead.")
        a, b = _operand_as(self, dtype), _operand_as(other, dtype)
        return Dist.apply(a, b, float(_operand(p, "dist")))

    addcmul_ = _inplace_form(addcmul)
    addcdiv_ = _inplace_form(addcdiv)
    addmv_ = _inplace_form(addmv)
    addr_ = _inplace_form(addr)
    addbmm_ = _inplace_form(addbmm)
