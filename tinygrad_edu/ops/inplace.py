"""Ops that overwrite a tensor's values: ``copy_``, ``fill_``, ``zero_``, ``masked_fill``
and the random fills (``uniform_``, ``normal_``, ..., and ``bernoulli``).

Each is one node, named as PyTorch's, whose first input is the tensor before the write.
The overwritten values have no effect on the result, so their gradient is zero; what was
written in gets the gradient of the places it went to.

>>> y = tg.ones(3, requires_grad=True) * 2
>>> _ = y.copy_(tg.tensor([1.0, 2.0, 3.0], requires_grad=True))
>>> y.grad_fn.name()
'torch::autograd::CopyBackwards'
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dual
from .elementwise import _Op


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
    """``x.fill_(value)`` with a number: every element becomes ``value``."""

    _grad_fn_name = "FillBackward2"

    @staticmethod
    def forward(ctx: Any, x: Any, value: Any) -> Any:
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


class Zero(Fill):
    """``x.zero_()``."""

    _grad_fn_name = "ZeroBackward0"


class MaskedFill(_Op):
    """``x.masked_fill(mask, value)`` with a number: ``value`` where ``mask`` is True."""

    _grad_fn_name = "MaskedFillBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, mask: Any, value: Any) -> Any:
        ctx.meta = mask
        return np.where(mask, np.asarray(value, dtype=x.dtype), x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        # the filled places no longer depend on x: where(mask, 0, grad), never grad * mask
        # (which would turn an infinite gradient into NaN there)
        return dual.where(dual.constant(ctx.meta, grad), 0.0, grad), None, None


class MaskedFillTensor(_Op):
    """``x.masked_fill(mask, value)`` with a 0-d tensor: its gradient is the sum of
    ``grad`` over the filled places."""

    _grad_fn_name = "MaskedFillBackward1"

    @staticmethod
    def forward(ctx: Any, x: Any, mask: Any, value: Any) -> Any:
        ctx.meta = mask
        return np.where(mask, value.astype(x.dtype), x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        need_x, _, need_value = ctx.needs_input_grad
        mask = dual.constant(ctx.meta, grad)
        grad_x = dual.where(mask, 0.0, grad) if need_x else None
        grad_value = dual.sum(dual.where(mask, grad, 0.0)) if need_value else None
        return grad_x, None, grad_value


class Refill(_Op):
    """``x`` overwritten with new values made elsewhere (random samples): the result
    does not depend on x, so its gradient is zero."""

    _grad_fn_name = "FillBackward2"

    @staticmethod
    def forward(ctx: Any, x: Any, values: Any) -> Any:
        return np.array(values, dtype=x.dtype)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return dual.zeros_like(grad), None


class Uniform(Refill):
    _grad_fn_name = "UniformBackward0"


class Normal(Refill):
    _grad_fn_name = "NormalBackward0"


class Bernoulli(Refill):
    _grad_fn_name = "BernoulliBackward2"  # bernoulli_(p) with a number


class BernoulliTensor(Refill):
    _grad_fn_name = "BernoulliBackward1"  # bernoulli_(p) with a tensor of probabilities


class Exponential(Refill):
    _grad_fn_name = "ExponentialBackward0"


class Geometric(Refill):
    _grad_fn_name = "GeometricBackward0"


class Cauchy(Refill):
    _grad_fn_name = "CauchyBackward0"


class LogNormal(Refill):
    _grad_fn_name = "LogNormalBackward0"


class Random(Refill):
    _grad_fn_name = "RandomBackward2"  # random_(): RandomBackward1 with to, 0 with from, to


class RandomTo(Refill):
    _grad_fn_name = "RandomBackward1"


class RandomFromTo(Refill):
    _grad_fn_name = "RandomBackward0"


# the random fills by the name of their node (Tensor._fill_random)
RANDOM_FILLS = {op._grad_fn_name: op for op in (
    Uniform, Normal, Bernoulli, BernoulliTensor, Exponential, Geometric, Cauchy, LogNormal,
    Random, RandomTo, RandomFromTo)}


class BernoulliOf(Refill):
    """``x.bernoulli()``: 0/1 samples with the probabilities in x; zero gradient."""

    _grad_fn_name = "BernoulliBackward0"


class BernoulliNotDifferentiable(Refill):
    """``x.bernoulli(p)``: samples of a number p, recorded (as in PyTorch) as an op whose
    backward is not implemented."""

    _grad_fn_name = "NotImplemented"

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        raise RuntimeError("derivative for aten::bernoulli is not implemented")
