"""``F.batch_norm``, ``F.layer_norm``, ``F.group_norm``, ``F.instance_norm`` and
``F.local_response_norm``: argument checks, running statistics, the ops."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...core.function import bump_version
from ...dtypes import FLOATING, REDUCED, float32
from ...ops import arithmetic as _arithmetic
from ...ops import normalization as _ops
from ...parity.errors import not_implemented
from ...parity.out_argument import accepts_out
from ...tensor import Tensor, _norm_axis
from ._common import _check_tensor, _shape_list, _type_name
from .conv import avg_pool2d
from .resample import pad

# ------------------------------------------------------------------------ normalization


def _check_norm_dtypes(input: Tensor, op: str, *params: Tensor | None) -> None:
    """PyTorch's CPU checks: a floating input, and parameters of the input's dtype."""
    dt = input._data.dtype
    if dt not in FLOATING:
        raise NotImplementedError(f"\"{op}\" not implemented for '{_type_name(input)}'")
    for p in params:
        if p is not None and p._data.dtype != dt:
            raise RuntimeError(
                "mixed dtype (CPU): expect parameter to have scalar type of Float"
                if dt == np.float32
                else "mixed dtype (CPU): all inputs must share same datatype."
            )


def _check_batch_norm(
    input: Tensor,
    stats: tuple[Tensor | None, Tensor | None],
    affine: tuple[Tensor | None, Tensor | None],
    training: bool,
    eps: float,
) -> None:
    """PyTorch's argument checks of batch_norm, in its order."""
    if training and input.ndim and input.shape[0] * math.prod(input.shape[2:]) == 1:
        raise ValueError(
            f"Expected more than 1 value per channel when training, got input size {input.size()}"
        )
    if input.ndim < 2:
        _norm_axis(1, input.ndim)  # raises PyTorch's IndexError (no channel dim)
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    if eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    for name, t in zip(("running_mean", "running_var"), stats):
        if t is None and not training:
            raise RuntimeError(f"{name} must be defined in evaluation mode")
    _check_native_batch_norm(input, stats, affine)


def _check_native_batch_norm(
    input: Tensor,
    stats: tuple[Tensor | None, Tensor | None],
    affine: tuple[Tensor | None, Tensor | None],
) -> None:
    """The checks of PyTorch's batch norm kernel (which instance_norm reaches directly):
    running statistics both given or neither, one value per channel, dtypes."""
    if (stats[0] is None) != (stats[1] is None):
        raise ValueError("running_mean and running_var must either both be None or neither be None")
    channels = input.shape[1]
    for name, t in zip(("running_mean", "running_var", "weight", "bias"), stats + affine):
        if t is not None and t.numel() != channels:
            raise RuntimeError(f"{name} should contain {channels} elements not {t.numel()}")
    _check_norm_dtypes(input, "batch_norm", *stats, *affine)


def _update_running_stats(
    running_mean: Tensor,
    running_var: Tensor,
    mean: np.ndarray,
    var: np.ndarray,
    n: int,
    momentum: float,
) -> None:
    """In place: running = (1 - momentum) * running + momentum * batch, with the batch's
    UNBIASED variance (var * n / (n - 1)); in float64, as PyTorch's CPU kernel."""
    unbiased = var.reshape(-1).astype(np.float64) * (n / (n - 1))
    for t, batch in ((running_mean, mean.reshape(-1).astype(np.float64)), (running_var, unbiased)):
        new = momentum * batch + (1 - momentum) * t._data.reshape(-1).astype(np.float64)
        np.copyto(t._data, new.reshape(t._data.shape), casting="unsafe")
        bump_version(t)


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Batch normalization per channel (dim 1): y = (x - mean) / sqrt(var + eps) * w + b.

    ``training``: mean and var are the batch's (over every dim but dim 1; biased var),
    and ``running_mean`` / ``running_var`` (if given) are updated in place to
    (1 - momentum) * running + momentum * batch (with the unbiased var). Otherwise the
    running statistics are used. Shapes: input (N, C, *); the others (C,).

    >>> F.batch_norm(tg.tensor([[1.0], [3.0]]), None, None, training=True)
    tensor([[-1.0000],
            [ 1.0000]])
    """
    _check_batch_norm(input, (running_mean, running_var), (weight, bias), training, eps)
    return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def _batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None,
    bias: Tensor | None,
    training: bool,
    momentum: float,
    eps: float,
) -> Tensor:
    """``batch_norm`` after its checks: the statistics, the running update, the op."""
    x = input._data
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    if training:
        if x.size:  # (16-bit floats: in float32, as PyTorch)
            wide = x.astype(np.float32) if x.dtype in REDUCED else x
            mean, var = _ops.moments(wide, (0,) + tuple(range(2, x.ndim)))
        else:  # nothing to average (PyTorch leaves the running statistics alone)
            mean, var = np.zeros(shape, x.dtype), np.ones(shape, x.dtype)
        if running_mean is not None and running_var is not None and x.size:
            n = x.size // x.shape[1]
            _update_running_stats(running_mean, running_var, mean, var, n, momentum)
    else:
        assert running_mean is not None and running_var is not None  # checked above
        # copies: a later in-place update of the buffers cannot change this graph
        mean, var = running_mean._data.reshape(shape).copy(), running_var._data.reshape(shape)
    w = weight.reshape(-1) if weight is not None and weight.ndim != 1 else weight
    b = bias.reshape(-1) if bias is not None and bias.ndim != 1 else bias
    return _ops.BatchNorm.apply(input, w, b, mean, var, eps, training)


def _normalized_shape(normalized_shape: Any, op: str = "layer_norm") -> tuple[int, ...]:
    """``normalized_shape`` as a tuple of ints (PyTorch's TypeError for anything else)."""
    prefix = f"{op}(): argument 'normalized_shape' (position 2) must be tuple of ints"
    if not isinstance(normalized_shape, (tuple, list)):
        raise TypeError(f"{prefix}, not {type(normalized_shape).__name__}")
    for i, n in enumerate(normalized_shape):
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
            raise TypeError(f"{prefix}, but found element of type {type(n).__name__} at pos {i}")
    return tuple(int(n) for n in normalized_shape)


def layer_norm(
    input: Tensor,
    normalized_shape: Any,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Layer normalization over the last ``len(normalized_shape)`` dims:
    y = (x - mean) / sqrt(var + eps) * w + b, mean and (biased) var per sample.

    Shapes: input (*, *normalized_shape); weight and bias ``normalized_shape``.

    >>> F.layer_norm(tg.tensor([[1.0, 3.0]]), (2,))
    tensor([[-1.0000,  1.0000]])
    """
    _check_tensor(input, "layer_norm", "input", 1)
    shape = _normalized_shape(normalized_shape)
    dims = list(shape)
    if not shape:
        raise RuntimeError(
            "Expected normalized_shape to be at least 1-dimensional, i.e., containing at "
            f"least one element, but got normalized_shape = {dims}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(
                f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
                f"shape {list(t.shape)} and normalized_shape = {dims}"
            )
    if tuple(input.shape[input.ndim - len(shape) :]) != shape or input.ndim < len(shape):
        raise RuntimeError(
            f"Given normalized_shape={dims}, expected input with shape "
            f"[*, {', '.join(map(str, dims))}], but got input of size{list(input.shape)}"
        )
    _check_norm_dtypes(input, "LayerNormKernelImpl", weight, bias)
    return _ops.LayerNorm.apply(input, weight, bias, len(shape), eps)


def rms_norm(
    input: Tensor,
    normalized_shape: Any,
    weight: Tensor | None = None,
    eps: float | None = None,
) -> Tensor:
    """Root mean square normalization over the last ``len(normalized_shape)`` dims:
    y = x / sqrt(mean(x^2) + eps) * w, with no centering and no bias. ``eps=None`` is the
    machine epsilon of the computation dtype (float32's for float16, bfloat16 and float32,
    float64's for float64).

    Composed as PyTorch composes it (its graph: Pow, Mean, Add, Rsqrt, Mul, Mul), in
    float32 for 16-bit inputs and cast back.

    >>> F.rms_norm(tg.tensor([[3.0, 4.0]]), (2,))
    tensor([[0.8485, 1.1314]])
    """
    _check_tensor(input, "rms_norm", "input", 1)
    shape = _normalized_shape(normalized_shape, "rms_norm")
    dims = list(shape)
    if not shape:
        raise RuntimeError(
            "Expected normalized_shape to be at least 1-dimensional, i.e., containing at "
            f"least one element, but got normalized_shape = {dims}"
        )
    if weight is not None and tuple(weight.shape) != shape:
        raise RuntimeError(
            "Expected weight to be of same shape as normalized_shape, but got weight of "
            f"shape {list(weight.shape)} and normalized_shape = {dims}"
        )
    if tuple(input.shape[input.ndim - len(shape) :]) != shape or input.ndim < len(shape):
        raise RuntimeError(
            f"Given normalized_shape={dims}, expected input with shape "
            f"[*{', '.join(map(str, dims))}], but got input of size{list(input.shape)}"
        )
    if input._data.dtype not in FLOATING:
        raise NotImplementedError(f"\"rms_norm\" not implemented for '{_type_name(input)}'")
    # the "opmath" dtype PyTorch computes in: float32 for the 16-bit floats
    x = input if input._data.dtype == np.float64 else input.to(float32)
    if eps is None:
        eps = float(np.finfo(x._data.dtype).eps)
    axes = tuple(range(-len(shape), 0))
    rstd = _arithmetic.AddScalar.apply(x.pow(2).mean(axes, keepdim=True), eps).rsqrt()
    out = x * rstd
    if weight is not None:
        out = out * weight
    return out if out.dtype == input.dtype else out.to(input.dtype)


def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Group normalization: the C channels split into ``num_groups`` groups of C /
    num_groups, each sample's group normalized over its channels and positions,
    y = (x - mean) / sqrt(var + eps) * w + b (mean and biased var per sample and group;
    w, b per channel). The same in training and eval. Shapes: input (N, C, *), w, b (C,).

    >>> F.group_norm(tg.tensor([[1.0, 3.0, 5.0, 5.0]]), 2)
    tensor([[-1.0000,  1.0000,  0.0000,  0.0000]])
    """
    _check_tensor(input, "group_norm", "input", 1)
    if input.ndim < 2:
        raise RuntimeError(
            f"Expected at least 2 dimensions for input tensor but received {input.ndim}"
        )
    n, c = input.shape[:2]
    size = [n * c // num_groups, num_groups] + list(input.shape[2:])
    if size[0] * math.prod(size[2:]) == 1:
        raise ValueError(
            f"Expected more than 1 value per channel when training, got input size {size}"
        )
    if num_groups <= 0:
        raise RuntimeError(f"Expected num groups to be greater than 0, got {num_groups}")
    if c % num_groups:
        raise RuntimeError(
            "Expected number of channels in input to be divisible by num_groups, but got "
            f"input of shape {_shape_list(input.shape)} and num_groups={num_groups}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.ndim != 1 or t.numel() != c):
            # (PyTorch prints the weight's shape in both messages: [0] when it has none)
            shown = [0] if weight is None else list(weight.shape)
            raise RuntimeError(
                f"Expected {name} to be a vector of size equal to the number of channels in "
                f"input, but got {name} of shape {shown} and input of shape "
                f"{_shape_list(input.shape)}"
            )
    _check_norm_dtypes(input, "GroupNormKernelImpl", weight, bias)
    return _ops.GroupNorm.apply(input, weight, bias, num_groups, eps)


def instance_norm(
    input: Tensor,
    running_mean: Tensor | None = None,
    running_var: Tensor | None = None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Instance normalization: each sample's channel normalized over its positions,
    y = (x - mean) / sqrt(var + eps) * w + b (w, b per channel). Shapes: input (N, C, *),
    the others (C,).

    Written as PyTorch writes it: batch norm of x viewed as one sample of N * C channels,
    with w, b and the running statistics repeated N times. ``use_input_stats``: the
    statistics are the input's, and ``running_mean`` / ``running_var`` (if given) move
    towards their average over the batch by ``momentum`` (unbiased var); otherwise the
    running statistics are used.

    >>> F.instance_norm(tg.tensor([[[1.0, 3.0], [2.0, 2.0]]]))
    tensor([[[-1.0000,  1.0000],
             [ 0.0000,  0.0000]]])
    """
    if use_input_stats and math.prod(input.shape[2:]) == 1:
        raise ValueError(
            f"Expected more than 1 spatial element when training, got input size {input.size()}"
        )
    if not use_input_stats and (running_mean is None or running_var is None):
        raise RuntimeError(
            "Expected running_mean and running_var to be defined when use_input_stats is false"
        )
    if input.ndim < 2:
        _norm_axis(1, input.ndim)  # raises PyTorch's IndexError (no channel dim)
    b, c = input.shape[:2]
    mean, var, w, bb = (
        None if t is None else t.repeat(b) for t in (running_mean, running_var, weight, bias)
    )
    x = input.contiguous().view((1, b * c) + tuple(input.shape[2:]))
    _check_native_batch_norm(x, (mean, var), (w, bb))
    out = _batch_norm(x, mean, var, w, bb, use_input_stats, momentum, eps)
    # each channel's N updated copies, averaged back into the caller's buffers
    for given, repeated in ((running_mean, mean), (running_var, var)):
        if given is not None and repeated is not None:
            given.copy_(repeated.view(b, c).mean(0))
    return out.view(input.shape)


def local_response_norm(
    input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0
) -> Tensor:
    """Local response normalization across channels (dim 1): each x_c divided by
    (k + alpha / size * sum of x_c'^2 over the ``size`` channels c' around c)^beta, the
    window running from c - size // 2 to c + (size - 1) // 2 (zeros past the ends).

    Composed from ops as PyTorch composes it (square, pad, average pool, pow, divide), so
    its graph is theirs. Shapes: input (N, C, *) with at least 3 dims.

    >>> F.local_response_norm(tg.tensor([[[1.0], [2.0]]]), 2, alpha=1.0, beta=1.0)
    tensor([[[0.6667],
             [0.5714]]])
    """
    dim = input.dim()
    if dim < 3:
        raise ValueError(
            f"Expected 3D or higher dimensionality                          input (got {dim} "
            "dimensions)"
        )
    if input.numel() == 0:
        return input
    div = input.mul(input)
    if dim == 3:
        div = div.unsqueeze(1)
    else:  # PyTorch views (N, 1, C, H, -1) and pools (size, 1, 1) in 3-d: the same sums
        if div._data.dtype not in (np.float32, np.float64, np.int64):
            raise not_implemented("avg_pool3d_out_frame", div._data.dtype)  # (its 3-d kernel)
        div = div.view(input.shape[0], 1, input.shape[1], -1)
    div = pad(div, (0, 0, size // 2, (size - 1) // 2))
    div = avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    if dim > 3:
        div = div.view(input.shape)
    div = div.mul(alpha).add(k).pow(beta)
    return input / div


@accepts_out
def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """``input`` divided by its p-norm along ``dim``, the norm clamped at ``eps`` (no
    division by zero): v / max(||v||_p, eps).

    >>> F.normalize(tg.tensor([[3.0, 4.0]]))
    tensor([[0.6000, 0.8000]])
    """
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    return input / denom
