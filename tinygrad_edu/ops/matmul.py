"""Matrix multiply with numpy's ``@`` semantics (1-D, 2-D and batched, broadcasting)."""

from __future__ import annotations

from typing import Any

from . import dual
from .elementwise import _Op


def _t(x: Any) -> Any:
    return dual.swapaxes(x, -1, -2)


class Matmul(_Op):
    _grad_fn_name = "MmBackward0"

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a, b)
        return a @ b

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        # treat vectors as matrices: a (k,) is (1, k); b (k,) is (k, 1)
        a_vec, b_vec = a.ndim == 1, b.ndim == 1
        if b_vec:  # out (..., n) is (..., n, 1)
            b = dual.reshape(b, (-1, 1))
            grad = dual.reshape(grad, grad.shape + (1,))
        if a_vec:  # out (..., m) is (..., 1, m)
            a = dual.reshape(a, (1, -1))
            grad = dual.reshape(grad, grad.shape[:-1] + (1,) + grad.shape[-1:])
        # d(AB)/dA = G B^T, d(AB)/dB = A^T G (batch axes are summed by the engine)
        ga = grad @ _t(b) if need_a else None
        gb = _t(a) @ grad if need_b else None
        if a_vec and ga is not None:
            ga = dual.reshape(ga, ga.shape[:-2] + ga.shape[-1:])
        if b_vec and gb is not None:
            gb = dual.reshape(gb, gb.shape[:-1])
        return ga, gb


class Mv(Matmul):
    _grad_fn_name = "MvBackward0"


class Dot(Matmul):
    _grad_fn_name = "DotBackward0"


class Bmm(Matmul):
    _grad_fn_name = "BmmBackward0"


def matmul_op(a_ndim: int, b_ndim: int) -> type[Matmul]:
    """The op (and so the grad_fn name) PyTorch would use for these ranks."""
    if a_ndim == 2 and b_ndim == 2:
        return Matmul
    if a_ndim == 1 and b_ndim == 1:
        return Dot
    if a_ndim == 2 and b_ndim == 1:
        return Mv
    return Bmm
