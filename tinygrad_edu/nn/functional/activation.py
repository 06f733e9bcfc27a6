"""Activations, softmax and dropout as functions: ``F.relu``, ``F.softmax``, ``F.dropout``...

Each is a Tensor method (the op lives in ``ops/``) plus PyTorch's ``inplace=``."""

from __future__ import annotations

import warnings
from typing import Any

from ... import random as _random
from ...ops import nn as _ops
from ...tensor import Tensor, _wrap

# -------------------------------------------------------------------------- activations


def _maybe_inplace(input: Tensor, out: Tensor, inplace: bool) -> Tensor:
    """``inplace=True``: write the result into ``input`` (as PyTorch) when allowed."""
    if not inplace:
        return out
    return input.copy_(out) if hasattr(input, "copy_") else out


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0) elementwise; gradient 1 where x > 0, else 0.

    >>> F.relu(tg.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    """
    return _maybe_inplace(input, input.relu(), inplace)


def hardtanh(
    input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
) -> Tensor:
    """clamp(x, min_val, max_val); gradient 1 strictly between the bounds, else 0.

    >>> F.hardtanh(tg.tensor([-2.0, 0.5, 2.0]))
    tensor([-1.0000,  0.5000,  1.0000])
    """
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _maybe_inplace(input, _ops.Hardtanh.apply(input, min_val, max_val), inplace)


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
    return _maybe_inplace(input, _ops.LeakyRelu.apply(input, negative_slope), inplace)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """SiLU(x) = x * sigmoid(x) (swish).

    >>> F.silu(tg.tensor([0.0, 1.0]))
    tensor([0.0000, 0.7311])
    """
    return _maybe_inplace(input, _ops.Silu.apply(input), inplace)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """ELU(x) = x if x > 0 else alpha * (exp(x) - 1).

    >>> F.elu(tg.tensor([-1.0, 2.0]))
    tensor([-0.6321,  2.0000])
    """
    return _maybe_inplace(input, _ops.Elu.apply(input, alpha), inplace)


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


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability p and scale the rest by 1 / (1 - p) while
    ``training``; the identity otherwise. Uses PyTorch's random stream.

    >>> F.dropout(tg.ones(4), p=0.0)
    tensor([1., 1., 1., 1.])
    """
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0 or input._data.size == 0:
        return input
    if p == 1.0:
        return _maybe_inplace(input, input * 0.0, inplace)
    dtype = input._data.dtype
    # drawn in the input's memory order, as PyTorch's bernoulli_ on empty_like(input)
    noise = _random.arrange(_random.bernoulli(input._data.size, 1.0 - p, dtype), input._data)
    noise /= dtype.type(1.0 - p)  # PyTorch: noise.bernoulli_(1 - p).div_(1 - p)
    return _maybe_inplace(input, input * _wrap(noise), inplace)
