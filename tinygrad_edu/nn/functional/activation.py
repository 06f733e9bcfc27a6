"""Activations, softmax and dropout as functions: ``F.relu``, ``F.softmax``, ``F.dropout``...

Each is a Tensor method (the op lives in ``ops/``) plus PyTorch's ``inplace=``."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from ... import random as _random
from ...ops import activation as _act
from ...ops import nn as _ops
from ...ops.activation_methods import float_kernel
from ...parity.errors import not_implemented
from ...parity.promotion import checked_scalar
from ...tensor import Tensor, _wrap
from ...tensor_base import _norm_axis
from ._common import _type_name

# -------------------------------------------------------------------------- activations


def _maybe_inplace(input: Tensor, compute: Callable[[Tensor], Tensor], inplace: bool,
                   written: Callable[[Tensor], Tensor] | None = None) -> Tensor:
    """``compute(input)``; with ``inplace=True`` its result is written into ``input``, which
    takes the op's own node as PyTorch's in-place form records it (``relu(x, inplace=True)``
    shows ReluBackward0, not a copy). ``written``: the in-place form where PyTorch's is
    another node (EluBackward1: a backward that reads the result)."""
    if not inplace:
        return compute(input)
    return input._write(written if written is not None else compute)


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0) elementwise; gradient 1 where x > 0, else 0.

    >>> F.relu(tg.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    """
    return _maybe_inplace(input, lambda t: t.relu(), inplace)


def hardtanh(
    input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
) -> Tensor:
    """clamp(x, min_val, max_val); gradient 1 strictly between the bounds, else 0.

    >>> F.hardtanh(tg.tensor([-2.0, 0.5, 2.0]))
    tensor([-1.0000,  0.5000,  1.0000])
    """
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _maybe_inplace(input, lambda t: _ops.Hardtanh.apply(t, min_val, max_val), inplace)


def relu_(input: Tensor) -> Tensor:
    """In place: ``input = relu(input)`` (recorded as ReluBackward0 on ``input``).

    >>> F.relu_(tg.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    """
    return input.relu_()


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """In place: ``input = hardtanh(input, min_val, max_val)`` (recorded as
    HardtanhBackward0 on ``input``). (Unlike ``hardtanh``, PyTorch does not check
    min_val <= max_val here: every value becomes max_val then.)

    >>> F.hardtanh_(tg.tensor([-2.0, 0.5]))
    tensor([-1.0000,  0.5000])
    """
    return input._write(lambda t: _ops.Hardtanh.apply(t, min_val, max_val))


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In place: ``input = elu(input, alpha)`` (recorded as EluBackward1, whose backward
    reads the result: alpha e^x = y + alpha where x <= 0).

    >>> F.elu_(tg.tensor([-1.0, 2.0]))
    tensor([-0.6321,  2.0000])
    """
    return elu(input, alpha, inplace=True)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In place: ``input = celu(input, alpha)`` (recorded as CeluBackward1).

    >>> F.celu_(tg.tensor([-1.0, 2.0]), alpha=2.0)
    tensor([-0.7869,  2.0000])
    """
    return celu(input, alpha, inplace=True)


def selu_(input: Tensor) -> Tensor:
    """In place: ``input = selu(input)`` (recorded as EluBackward1, as PyTorch's).

    >>> F.selu_(tg.tensor([-1.0, 2.0]))
    tensor([-1.1113,  2.1014])
    """
    return selu(input, inplace=True)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """In place: ``input = leaky_relu(input, negative_slope)`` (recorded as
    LeakyReluBackward1; as PyTorch, its backward refuses a negative slope).

    >>> F.leaky_relu_(tg.tensor([-1.0, 2.0]), 0.1)
    tensor([-0.1000,  2.0000])
    """
    return leaky_relu(input, negative_slope, inplace=True)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """In place: ``input = threshold(input, threshold, value)`` (recorded as
    ThresholdBackward1).

    >>> F.threshold_(tg.tensor([0.05, 0.5]), 0.1, 20.0)
    tensor([20.0000,  0.5000])
    """
    return _threshold(input, threshold, value, inplace=True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6) = hardtanh(x, 0, 6).

    >>> F.relu6(tg.tensor([-1.0, 3.0, 8.0]))
    tensor([0., 3., 6.])
    """
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x if x > 0 else negative_slope * x.

    >>> F.leaky_relu(tg.tensor([-1.0, 2.0]), 0.1)
    tensor([-0.1000,  2.0000])
    """
    return _maybe_inplace(input, lambda t: _ops.LeakyRelu.apply(t, negative_slope), inplace,
                          lambda t: _act.LeakyReluInplace.apply(t, negative_slope))


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """SiLU(x) = x * sigmoid(x) (swish).

    >>> F.silu(tg.tensor([0.0, 1.0]))
    tensor([0.0000, 0.7311])
    """
    return _maybe_inplace(input, _ops.Silu.apply, inplace)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """ELU(x) = x if x > 0 else alpha * (exp(x) - 1).

    >>> F.elu(tg.tensor([-1.0, 2.0]))
    tensor([-0.6321,  2.0000])
    """
    float_kernel(input, "elu_cpu")
    return _maybe_inplace(input, lambda t: _act.Elu.apply(t, alpha), inplace,
                          lambda t: _act.EluInplace.apply(t, alpha))


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """CELU(x) = max(0, x) + min(0, alpha (exp(x / alpha) - 1)): ELU with the input
    scaled by 1 / alpha, so its slope is 1 on both sides of 0.

    >>> F.celu(tg.tensor([-1.0, 2.0]), alpha=2.0)
    tensor([-0.7869,  2.0000])
    """
    float_kernel(input, "elu_cpu")
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return _maybe_inplace(input, lambda t: _act.Celu.apply(t, alpha, 1.0, 1.0 / alpha), inplace,
                          lambda t: _act.CeluInplace.apply(t, alpha, 1.0, 1.0 / alpha))


# SELU's constants (Klambauer et al. 2017): they keep activations at mean 0, variance 1
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """SELU(x) = scale (max(0, x) + min(0, alpha (exp(x) - 1))), alpha = 1.6733 and
    scale = 1.0507: a self-normalizing ELU.

    >>> F.selu(tg.tensor([-1.0, 2.0]))
    tensor([-1.1113,  2.1014])
    """
    float_kernel(input, "elu_cpu")
    return _maybe_inplace(input, lambda t: _act.Elu.apply(t, _SELU_ALPHA, _SELU_SCALE, 1.0),
                          inplace, lambda t: _act.EluInplace.apply(t, _SELU_ALPHA, _SELU_SCALE))


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """Hardsigmoid(x) = 0 for x <= -3, 1 for x >= 3, x / 6 + 1/2 between: relu6(x + 3) / 6.

    >>> F.hardsigmoid(tg.tensor([-4.0, 0.0, 1.5]))
    tensor([0.0000, 0.5000, 0.7500])
    """
    float_kernel(input, "hardsigmoid_cpu")
    return _maybe_inplace(input, _act.Hardsigmoid.apply, inplace)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """Hardswish(x) = x relu6(x + 3) / 6: 0 for x <= -3, x for x >= 3 (MobileNetV3).

    >>> F.hardswish(tg.tensor([-4.0, 1.0, 4.0]))
    tensor([-0.0000,  0.6667,  4.0000])
    """
    float_kernel(input, "hardswish_cpu")
    return _maybe_inplace(input, _act.Hardswish.apply, inplace)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """Mish(x) = x tanh(softplus(x)), a smooth self-gated ReLU.

    >>> F.mish(tg.tensor([0.0, 1.0]))
    tensor([0.0000, 0.8651])
    """
    float_kernel(input, "mish_cpu")
    return _maybe_inplace(input, _act.Mish.apply, inplace)


def softsign(input: Tensor) -> Tensor:
    """Softsign(x) = x / (1 + |x|). No op of its own (as PyTorch: abs, add, div).

    >>> F.softsign(tg.tensor([-1.0, 3.0]))
    tensor([-0.5000,  0.7500])
    """
    return input / (input.abs() + 1)


def tanhshrink(input: Tensor) -> Tensor:
    """Tanhshrink(x) = x - tanh(x). No op of its own (as PyTorch: tanh, sub).

    >>> F.tanhshrink(tg.tensor([0.0, 1.0]))
    tensor([0.0000, 0.2384])
    """
    return input - input.tanh()


def logsigmoid(input: Tensor) -> Tensor:
    """LogSigmoid(x) = log(1 / (1 + exp(-x))), computed as min(x, 0) - log1p(exp(-|x|)):
    finite for any x (``sigmoid().log()`` gives -inf from x = -104 in float32).

    >>> F.logsigmoid(tg.tensor([0.0, -200.0]))
    tensor([  -0.6931, -200.0000])
    """
    float_kernel(input, "log_sigmoid_cpu")
    return _act.LogSigmoid.apply(input)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """Gated linear unit: a * sigmoid(b), where a and b are the first and second halves of
    ``input`` along ``dim`` (whose size must be even); the output has half that size.

    >>> F.glu(tg.tensor([1.0, 2.0, 0.0, 0.0]))
    tensor([0.5000, 1.0000])
    """
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    float_kernel(input, "glu_cpu")
    axis = _norm_axis(dim, input.ndim)
    if input.shape[axis] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {axis} is size "
                           f"{input.shape[axis]}")
    return _act.Glu.apply(input, axis)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """Threshold(x) = x if x > threshold else value; gradient 0 at the threshold.

    >>> F.threshold(tg.tensor([0.05, 0.5]), 0.1, 20.0)
    tensor([20.0000,  0.5000])
    """
    if input._data.dtype == np.bool_:
        raise not_implemented("threshold_cpu", input._data.dtype)
    if not input.dtype.is_floating_point:  # (both converted to the input's type, as PyTorch)
        threshold = checked_scalar(threshold, input.dtype)
        value = checked_scalar(value, input.dtype)
    return _maybe_inplace(input, lambda t: _act.Threshold.apply(t, threshold, value), inplace,
                          lambda t: _act.ThresholdInplace.apply(t, threshold, value))


_threshold = threshold  # (for threshold_, whose parameter ``threshold`` hides the function)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
          training: bool = False, inplace: bool = False) -> Tensor:
    """Randomized leaky ReLU: x if x > 0 else a * x, the slope ``a`` drawn from
    U(lower, upper) for each element in training (bit for bit PyTorch's draws after
    ``tg.manual_seed``), (lower + upper) / 2 in eval. Gradient: 1 or the slope used.

    >>> F.rrelu(tg.tensor([-1.0, 2.0]), 0.1, 0.3)
    tensor([-0.2000,  2.0000])
    """
    noise = _rrelu_noise(input, lower, upper, training)
    return _maybe_inplace(input, lambda t: _act.RreluWithNoise.apply(t, noise), inplace,
                          lambda t: _act.RreluWithNoiseInplace.apply(t, noise))


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
           training: bool = False) -> Tensor:
    """In place: ``input = rrelu(input, lower, upper, training)`` (recorded as
    RreluWithNoiseBackward1 on ``input``).

    >>> F.rrelu_(tg.tensor([-1.0, 2.0]), 0.1, 0.3)
    tensor([-0.2000,  2.0000])
    """
    return rrelu(input, lower, upper, training, inplace=True)


def _rrelu_noise(input: Tensor, lower: float, upper: float, training: bool) -> np.ndarray:
    """The factor of each element: 1 where x > 0, else its slope (see ``rrelu``)."""
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    x = input._data
    if training and x.dtype.name not in ("float32", "float64", "bfloat16"):
        raise not_implemented("rrelu_with_noise_out_cpu", x.dtype)
    float_kernel(input, "leaky_relu_cpu")
    if not training:
        return np.where(x > 0, x.dtype.type(1), x.dtype.type((lower + upper) / 2))
    calc = np.dtype(np.float32) if x.dtype.name == "bfloat16" else x.dtype
    below = x <= 0  # (NaN: PyTorch draws no slope for it; it stays NaN)
    noise = np.ones(x.shape, calc)
    noise[below] = _random.rrelu_slopes(int(below.sum()), lower, upper, calc)
    return noise.astype(x.dtype, copy=False)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """Softshrink(x) = x - lambd if x > lambd, x + lambd if x < -lambd, else 0.

    >>> F.softshrink(tg.tensor([-1.0, 0.2, 2.0]))
    tensor([-0.5000,  0.0000,  1.5000])
    """
    float_kernel(input, "softshrink_check")
    top = float(np.finfo(input._data.dtype).max)
    if not 0 <= lambd <= top:
        raise RuntimeError(f"lambda must be in range [0, {top:g}] for input dtype "
                           f"{_type_name(input)}, but found {lambd:g}")
    return _act.Softshrink.apply(input, lambd)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """Hardshrink(x) = x if |x| > lambd else 0 (``Tensor.hardshrink``, in ops/activation.py).

    >>> F.hardshrink(tg.tensor([-1.0, 0.2, 2.0]))
    tensor([-1.,  0.,  2.])
    """
    return input.hardshrink(lambd)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """PReLU(x) = x if x > 0 else w x, with a learned slope ``weight``: one number (shape
    () or (1,)), or one per channel (shape (C,), C = input.shape[1]) (``Tensor.prelu``, in
    ops/activation.py).

    >>> F.prelu(tg.tensor([[-2.0, 3.0]]), tg.tensor([0.25]))
    tensor([[-0.5000,  3.0000]])
    """
    return input.prelu(weight)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """Softplus(x) = log(1 + exp(beta * x)) / beta, a smooth ReLU; x where beta x > threshold.

    >>> F.softplus(tg.tensor([0.0]))
    tensor([0.6931])
    """
    return _ops.Softplus.apply(input, beta, threshold)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """GELU(x) = x * Phi(x), Phi the standard normal CDF; with ``approximate='tanh'``,
    0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).

    >>> F.gelu(tg.tensor([1.0]))
    tensor([0.8413])
    """
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return _ops.Gelu.apply(input, approximate)


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + exp(-x)).

    >>> F.sigmoid(tg.tensor([0.0]))
    tensor([0.5000])
    """
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    """(e^x - e^-x) / (e^x + e^-x).

    >>> F.tanh(tg.tensor([0.0]))
    tensor([0.])
    """
    return input.tanh()


def _softmax_dim(name: str, ndim: int, stacklevel: int) -> int:
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. "
        "Change the call to include dim=X as an argument.",
        stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None
) -> Tensor:
    """softmax(x)_i = exp(x_i) / sum_j exp(x_j) along ``dim`` (computed stably).

    >>> F.softmax(tg.tensor([0.0, 0.0]), dim=0)
    tensor([0.5000, 0.5000])
    """
    if dim is None:
        dim = _softmax_dim("softmax", input.ndim, _stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    return input.softmax(dim)


def log_softmax(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None
) -> Tensor:
    """log_softmax(x)_i = x_i - log(sum_j exp(x_j)) along ``dim`` (fused and stable).

    >>> F.log_softmax(tg.tensor([0.0, 0.0]), dim=0)
    tensor([-0.6931, -0.6931])
    """
    if dim is None:
        dim = _softmax_dim("log_softmax", input.ndim, _stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    return input.log_softmax(dim)


def gumbel_softmax(
    logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10, dim: int = -1
) -> Tensor:
    """A differentiable sample of a categorical distribution (Gumbel-softmax):
    y = softmax((logits + g) / tau) along ``dim``, g = -log(E) with E ~ Exp(1) drawn as
    PyTorch draws it (the same numbers after ``manual_seed``). ``hard=True``: the one-hot
    of y's argmax in the forward, y's gradient in the backward (straight-through:
    y_hard - y.detach() + y). ``eps`` is deprecated and unused, as in PyTorch.

    >>> F.gumbel_softmax(tg.zeros(2, 3), hard=True).sum(-1)
    tensor([1., 1.])
    """
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    gumbels = -logits.new_empty(logits.shape).exponential_().log()  # ~ Gumbel(0, 1)
    y_soft = ((logits + gumbels) / tau).softmax(dim)
    if not hard:
        return y_soft  # the reparameterization trick
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = logits.new_zeros(logits.shape).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft


def softmin(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None
) -> Tensor:
    """softmin(x) = softmax(-x) along ``dim``: weights that favour the smallest entries.

    >>> F.softmin(tg.tensor([0.0, 0.0]), dim=0)
    tensor([0.5000, 0.5000])
    """
    if dim is None:
        dim = _softmax_dim("softmin", input.ndim, _stacklevel)
    return (-input).softmax(dim) if dtype is None else (-input).softmax(dim, dtype)


def _dropout(input: Tensor, p: float, training: bool, inplace: bool, feature: bool = False,
             alpha: bool = False) -> Tensor:
    """PyTorch's one dropout kernel (ATen ``_dropout_impl``) for every ``*dropout*``: a mask
    ``bernoulli_(1 - p)`` per element (or per channel, shape (N, C, 1, ...), when
    ``feature``), scaled by 1 / (1 - p); with ``alpha``, dropped entries are set to SELU's
    negative saturation instead, then all are scaled and shifted to keep mean and variance."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0 or input._data.size == 0:
        return input
    if p == 1.0:
        return _maybe_inplace(input, lambda t: t * 0.0, inplace)
    x = input._data
    dtype = x.dtype
    if feature:
        if x.ndim < 2:
            raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
        shape = x.shape[:2] + (1,) * (x.ndim - 2)
        noise = _random.bernoulli(shape, 1.0 - p, dtype)  # input.new_empty(shape)
    else:  # drawn in the input's memory order, as PyTorch's bernoulli_ on empty_like(input)
        noise = _random.arrange(_random.bernoulli(x.size, 1.0 - p, dtype), x)
    if not alpha:
        noise /= dtype.type(1.0 - p)  # PyTorch: noise.bernoulli_(1 - p).div_(1 - p)
        return _maybe_inplace(input, lambda t: t * _wrap(noise), inplace)
    # a = 1 / sqrt((alpha^2 p + 1)(1 - p)), b = (noise - 1) alpha a + alpha a p: y = x a + b
    # keeps a SELU's zero mean and unit variance (PyTorch's scalars, in the input's dtype)
    selu_alpha = 1.7580993408473766
    a = 1.0 / math.sqrt((selu_alpha * selu_alpha * p + 1) * (1 - p))
    b = (noise - dtype.type(1)) * dtype.type(selu_alpha * a) + dtype.type(selu_alpha * a * p)
    noise *= dtype.type(a)
    return _maybe_inplace(input, lambda t: t * _wrap(noise) + _wrap(b), inplace)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability p and scale the rest by 1 / (1 - p) while
    ``training``; the identity otherwise. Uses PyTorch's random stream.

    >>> F.dropout(tg.ones(4), p=0.0)
    tensor([1., 1., 1., 1.])
    """
    return _dropout(input, p, training, inplace)


def _feature_dims_warning(input: Tensor, name: str, n: int, p: float) -> None:
    """dropout2d / dropout3d on an input without n spatial dims: PyTorch's warning."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if input.ndim not in (n + 1, n + 2):
        words = ("", "", "2 spatial dimensions", "3 spatial dimensions")
        warnings.warn(
            f"{name}: Received a {input.ndim}-D input to {name}, which is deprecated and will "
            "result in an error in a future release. To retain the behavior and silence this "
            f"warning, please use dropout instead. Note that {name} exists to provide "
            f"channel-wise dropout on inputs with {words[n]}, a channel dimension, and an "
            f"optional batch dimension (i.e. {n + 1}D or {n + 2}D inputs).", UserWarning,
            stacklevel=3)


def _unbatched_feature_dropout(input: Tensor, p: float, training: bool, inplace: bool,
                               batched: bool) -> Tensor:
    """Feature dropout, an unbatched input seen as a batch of one (squeezed again): with
    ``inplace``, by ``unsqueeze_`` and ``squeeze_``, as PyTorch records it."""
    if batched:
        return _dropout(input, p, training, inplace, feature=True)
    if inplace:
        _dropout(input.unsqueeze_(0), p, training, True, feature=True)
        return input.squeeze_(0)
    return _dropout(input.unsqueeze(0), p, training, False, feature=True).squeeze(0)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels: each (n, c) row of an (N, C, L) or (C, L) input is dropped with
    probability p (the rest scaled by 1 / (1 - p)), one draw per channel, as PyTorch.

    >>> F.dropout1d(tg.ones(2, 3), p=0.0)
    tensor([[1., 1., 1.],
            [1., 1., 1.]])
    """
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note that "
            "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
            "dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
            "inputs).")
    return _unbatched_feature_dropout(input, p, training, inplace, input.ndim == 3)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels: each (n, c) map of an (N, C, H, W) input is dropped with
    probability p (the rest scaled by 1 / (1 - p)). As PyTorch, a 3-D input is read as
    (N, C, L) (with its warning), not as an unbatched (C, H, W).

    >>> F.dropout2d(tg.ones(1, 2, 2, 2), training=False).shape
    tinygrad_edu.Size([1, 2, 2, 2])
    """
    _feature_dims_warning(input, "dropout2d", 2, p)
    if input.ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            UserWarning, stacklevel=2)
    return _dropout(input, p, training, inplace, feature=True)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels: each (n, c) volume of an (N, C, D, H, W) or (C, D, H, W) input
    is dropped with probability p (the rest scaled by 1 / (1 - p)).

    >>> F.dropout3d(tg.ones(2, 1, 1, 1), training=False).shape
    tinygrad_edu.Size([2, 1, 1, 1])
    """
    _feature_dims_warning(input, "dropout3d", 3, p)
    return _unbatched_feature_dropout(input, p, training, inplace, input.ndim == 5)


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                  inplace: bool = False) -> Tensor:
    """Dropout for SELU networks: dropped elements take SELU's negative saturation value,
    then all are scaled and shifted so the mean and variance stay those of the input
    (Klambauer et al. 2017). Note ``training`` defaults to False, as in PyTorch.

    >>> F.alpha_dropout(tg.ones(3), 0.5)
    tensor([1., 1., 1.])
    """
    return _dropout(input, p, training, inplace, alpha=True)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                          inplace: bool = False) -> Tensor:
    """``alpha_dropout`` of whole channels: one draw per (n, c) of an (N, C, ...) input.

    >>> F.feature_alpha_dropout(tg.ones(2, 3), 0.5)
    tensor([[1., 1., 1.],
            [1., 1., 1.]])
    """
    return _dropout(input, p, training, inplace, feature=True, alpha=True)
