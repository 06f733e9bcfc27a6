"""``tinygrad_edu.nn.functional``: layers and losses as functions, as ``torch.nn.functional``.

Every function takes and returns Tensors and matches PyTorch's arguments, defaults,
shapes, dtypes and errors. The math lives in fused ops in ``tinygrad_edu.ops.nn``;
this module checks arguments and picks the op.

>>> import tinygrad_edu.nn.functional as F
>>> F.cross_entropy(tg.tensor([[2.0, 0.5]]), tg.tensor([0]))
tensor(0.2014)
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from .. import dtypes
from .. import random as _random
from .. import teaching as _teaching
from ..core.function import bump_version
from ..core.grad_mode import is_grad_enabled
from ..ops import conv as _conv
from ..ops import elementwise as _elementwise
from ..ops import matmul as _matmul_ops
from ..ops import nn as _ops
from ..parity.errors import broadcast_error
from ..parity.names import scalar_type_name
from ..tensor import Tensor, _norm_axis, _wrap

__all__ = [
    "linear",
    "relu",
    "relu6",
    "hardtanh",
    "leaky_relu",
    "gelu",
    "silu",
    "elu",
    "softplus",
    "sigmoid",
    "tanh",
    "softmax",
    "log_softmax",
    "dropout",
    "one_hot",
    "mse_loss",
    "l1_loss",
    "huber_loss",
    "smooth_l1_loss",
    "cross_entropy",
    "nll_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "embedding",
    "batch_norm",
    "layer_norm",
    "conv2d",
    "max_pool2d",
    "avg_pool2d",
    "adaptive_avg_pool2d",
]

def _type_name(t: Tensor) -> str:
    """PyTorch's short scalar-type name of a tensor's dtype: Float, Long, ..."""
    return scalar_type_name(t._data.dtype)


def _shape_list(shape: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(n) for n in shape) + "]"


# ------------------------------------------------------------------------------- linear


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x @ W.T + b.

    Shapes: input (*, in_features), weight (out_features, in_features), bias
    (out_features,) -> output (*, out_features).

    >>> F.linear(tg.ones(4, 3), tg.ones(5, 3)).shape
    tinygrad_edu.Size([4, 5])
    """
    x, w = input._data, weight._data
    if w.ndim != 2 or x.ndim == 0:
        out = input.matmul(weight.t() if w.ndim == 2 else weight)
        return out + bias if bias is not None else out
    if x.dtype != w.dtype:
        raise RuntimeError(
            "mat1 and mat2 must have the same dtype, but got "
            f"{_type_name(input)} and {_type_name(weight)}. Hint: the input is "
            f"{input.dtype.name} but the weights are {weight.dtype.name} (numpy arrays are "
            "float64): "
            "convert the input with x.float(), or the model with model.double()."
        )
    if x.shape[-1] != w.shape[1]:
        rows = math.prod(x.shape[:-1])
        raise RuntimeError(
            "mat1 and mat2 shapes cannot be multiplied "
            f"({rows}x{x.shape[-1]} and {w.shape[1]}x{w.shape[0]}). Hint: "
            f"Linear(in_features={w.shape[1]}, out_features={w.shape[0]}) got an input with "
            f"{x.shape[-1]} features (shape {_shape_list(x.shape)}); its last dim must be "
            f"{w.shape[1]}: fix in_features, or the layer before it."
        )
    # recorded as PyTorch's linear records it, so that grad_fn and next_functions read the
    # same: the weight transposed (TBackward0), then one addmm (AddmmBackward0: bias,
    # input, weight.T) for a 2-D input or any contiguous one (viewed as 2-D, then back)
    weight_t = weight.t()
    if bias is None:
        return input.matmul(weight_t)
    if x.ndim == 2:
        return _addmm(bias, input, weight_t)
    if not x.flags.c_contiguous:
        return input.matmul(weight_t) + bias
    out = _addmm(bias, input.view(-1, w.shape[1]), weight_t)
    return out.view(*x.shape[:-1], w.shape[0])


def _addmm(bias: Tensor, mat1: Tensor, mat2: Tensor) -> Tensor:
    """``bias + mat1 @ mat2`` (one node), for ``linear``."""
    return _matmul_ops.Addmm.apply(bias, mat1, mat2, 1.0, 1.0)


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


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 tensor of shape (*, num_classes) with 1 at each index of ``tensor``.

    >>> F.one_hot(tg.tensor([0, 2]), 3)
    tensor([[1, 0, 0],
            [0, 0, 1]])
    """
    idx = tensor._data
    if idx.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if idx.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(idx.max()) + 1
    if idx.size and idx.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if idx.size and idx.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = (idx[..., None] == np.arange(num_classes)).astype(np.int64)
    return _wrap(out)


# ------------------------------------------------------------------------ loss helpers


def _legacy_reduction(size_average: bool | None, reduce: bool | None) -> str:
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn(
        f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.",
        stacklevel=3,
    )
    return ret


def _reduction(
    reduction: str,
    size_average: bool | None = None,
    reduce: bool | None = None,
    check: bool = True,
) -> str:
    """Validate ``reduction`` (or turn the legacy flags into one). ``check=False`` leaves
    validation to the caller (the weighted losses raise their own message)."""
    if size_average is not None or reduce is not None:
        return _legacy_reduction(size_average, reduce)
    if reduction in ("mean", "sum", "none") or not check:
        return reduction
    if reduction == "elementwise_mean":
        warnings.warn(
            "reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.",
            stacklevel=3,
        )
        return "mean"
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _warn_target_size(input: Tensor, target: Tensor) -> None:
    if input._data.shape != target._data.shape:
        warnings.warn(
            f"Using a target size ({target.size()}) that is different to the input size "
            f"({input.size()}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            stacklevel=3,
        )


def _check_broadcast(a: Tensor, b: Tensor) -> None:
    """PyTorch's broadcast error, naming the first dimension that does not match."""
    sa, sb = a._data.shape, b._data.shape
    if sa != sb and any(x != y and 1 not in (x, y) for x, y in zip(sa[::-1], sb[::-1])):
        raise broadcast_error(sa, sb)


def _same_dtype(input: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
    """Cast both to their promoted dtype (float32 input, int64 target -> float32)."""
    if input._data.dtype == target._data.dtype:
        return input, target
    dt = dtypes.result_type(input, target)
    return input.to(dt), target.to(dt)


def _regression(
    op: Any,
    input: Tensor,
    target: Tensor,
    reduction: str,
    param: float,
    weight: Tensor | None,
    mean_by_weight: bool,
) -> Tensor:
    """Shared body of mse/l1/huber/smooth_l1: dtype promotion, broadcast check, weight."""
    x, y = input._data, target._data
    if x.shape != y.shape:
        _check_broadcast(input, target)
    if x.dtype != y.dtype:
        input, target = _same_dtype(input, target)
    if weight is None:
        return op.apply(input, target, reduction, param)
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(
            f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'."
        )
    loss = op.apply(input, target, "none", param) * weight
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / weight.sum() if mean_by_weight else loss.mean()


# --------------------------------------------------------------------- regression losses


def mse_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """Mean squared error: l_i = (x_i - y_i)^2, then reduced ('mean' | 'sum' | 'none').

    Shapes: input (*), target (*) the same shape (other shapes broadcast, with a
    warning); output scalar, or (*) for 'none'. With ``weight`` (same shape as input),
    'mean' is sum(w * l) / sum(w).

    >>> F.mse_loss(tg.tensor([1.0, 2.0]), tg.tensor([1.0, 4.0]))
    tensor(2.)
    """
    _warn_target_size(input, target)
    red = _reduction(reduction, size_average, reduce, check=weight is None)
    return _regression(_ops.MseLoss, input, target, red, 0.0, weight, True)


def l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """Mean absolute error: l_i = |x_i - y_i|, then reduced ('mean' | 'sum' | 'none').

    Shapes as ``mse_loss``. The gradient is sign(x - y) (0 where x == y).

    >>> F.l1_loss(tg.tensor([1.0, 2.0]), tg.tensor([1.0, 4.0]))
    tensor(1.)
    """
    _warn_target_size(input, target)
    red = _reduction(reduction, size_average, reduce, check=weight is None)
    return _regression(_AbsDifference, input, target, red, 0.0, weight, True)


class _AbsDifference:
    """``l1_loss`` as PyTorch computes it: no op of its own, ``|input - target|`` then the
    reduction (so its graph reads ``MeanBackward0 <- AbsBackward0 <- SubBackward0``)."""

    @staticmethod
    def apply(input: Tensor, target: Tensor, reduction: str, _: float) -> Tensor:
        if input.shape != target.shape:  # (as PyTorch: broadcast_tensors first)
            shape = np.broadcast_shapes(input.shape, target.shape)
            input, target = input.expand(shape), target.expand(shape)
        loss = (input - target).abs()
        return loss.mean() if reduction == "mean" else loss.sum() if reduction == "sum" else loss


def huber_loss(
    input: Tensor,
    target: Tensor,
    reduction: str = "mean",
    delta: float = 1.0,
    weight: Tensor | None = None,
) -> Tensor:
    """Huber loss: with d = x - y, l = 0.5 d^2 if |d| < delta else delta (|d| - 0.5 delta).

    Quadratic near 0, linear in the tails (gradient clamped to [-delta, delta]). Shapes
    as ``mse_loss``; with ``weight``, 'mean' is mean(w * l).

    >>> F.huber_loss(tg.tensor([0.0, 0.0]), tg.tensor([0.5, 3.0]))
    tensor(1.3125)
    """
    _warn_target_size(input, target)
    if weight is None:
        reduction = _reduction(reduction)
    return _regression(_ops.HuberLoss, input, target, reduction, delta, weight, False)


def smooth_l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    """Smooth L1: with d = x - y, l = 0.5 d^2 / beta if |d| < beta else |d| - 0.5 beta.

    ``beta = 0`` is the L1 loss. Shapes as ``mse_loss``.

    >>> F.smooth_l1_loss(tg.tensor([0.0, 0.0]), tg.tensor([0.5, 3.0]))
    tensor(1.3125)
    """
    _warn_target_size(input, target)
    reduction = _reduction(reduction, size_average, reduce)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    return _regression(_ops.SmoothL1Loss, input, target, reduction, beta, None, False)


# ------------------------------------------------------------------ classification losses


def _check_class_weight(weight: Tensor | None, n_classes: int) -> None:
    if weight is not None and (weight.ndim != 1 or weight.shape[0] != n_classes):
        raise RuntimeError(
            f"weight tensor should be defined either for all {n_classes} classes or no "
            f"classes but got weight tensor of shape: {_shape_list(weight.shape)}"
        )


def _check_index_target(input: Tensor, target: Tensor) -> None:
    """PyTorch's checks of nll_loss's class-index target against the input (in its order:
    shapes first, then the dtype), each with a hint."""
    x, t = input._data, target._data
    if x.ndim == 2 and t.ndim == 1 and x.shape[0] == t.shape[0] and t.dtype == np.int64:
        return  # the common case, (N, C) and (N,) int64: nothing to report
    if input.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.ndim})")
    shape = _shape_list(input.shape)
    if input.ndim != 1 and input.shape[0] != (target.shape[0] if target.ndim else 0):
        raise ValueError(
            f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
            f"({target.shape[0] if target.ndim else 0}). Hint: input {shape} holds a row of "
            "class scores per sample and target one class index per sample: same first dim."
        )
    if input.ndim <= 2:
        if target.ndim > 1:
            raise RuntimeError(
                "0D or 1D target tensor expected, multi-target not supported. Hint: class "
                f"indices have shape [{input.shape[0]}] (int64); class probabilities must have "
                f"the input's shape {shape} (float)."
            )
        if input.ndim == 1 and target.ndim == 1 and target.shape[0] != 1:
            raise RuntimeError(
                f"size mismatch (got input: {_shape_list(input.shape)}, target: "
                f"{_shape_list(target.shape)})"
            )
    else:
        expected = (input.shape[0],) + tuple(input.shape[2:])
        if tuple(target.shape) != expected:
            raise RuntimeError(
                f"Expected target size {_shape_list(expected)}, got "
                f"{_shape_list(target.shape)}"
            )
    if target._data.dtype not in (np.int64, np.uint8):
        raise RuntimeError(
            f"expected target dtype to be Long or Byte, but got {_type_name(target)}. "
            + _target_dtype_hint(input, target)
        )


def _target_dtype_hint(input: Tensor, target: Tensor) -> str:
    if target.dtype.is_floating_point:
        return (f"Hint: class indices must be int64 (target.long()); a float target is read "
                f"as class probabilities only when it has the input's shape "
                f"{_shape_list(input.shape)}.")
    return "Hint: class indices must be int64: use target.long()."


def _class_weight(weight: Tensor | None, input: Tensor) -> np.ndarray | None:
    if weight is None:
        return None
    return weight._data.astype(input._data.dtype, copy=False)


def _not_differentiable(value: Tensor | None, function: str, argument: str) -> None:
    """PyTorch's error for a tensor that requires grad given where its op has no gradient
    (a loss's class weights): they would silently get none."""
    if value is not None and value.requires_grad and is_grad_enabled():
        raise RuntimeError(
            f"The function '{function}' is not differentiable with respect to argument "
            f"'{argument}'. This input cannot have requires_grad True. Hint: pass "
            f"{argument}.detach().")


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log likelihood: l_i = -w[y_i] * x[i, y_i] for log-probabilities x.

    Shapes: input (N, C) or (C,) or (N, C, d1, ...); target (N,) or () or (N, d1, ...)
    of int64 class indices in [0, C) (``ignore_index`` entries are skipped); weight (C,).
    'mean' divides by sum of w[y_i] over the non-ignored samples.

    >>> F.nll_loss(tg.tensor([[-0.5, -1.0]]), tg.tensor([1]))
    tensor(1.)
    """
    reduction = _reduction(reduction, size_average, reduce)
    _check_index_target(input, target)
    n_classes = input.shape[0 if input.ndim == 1 else 1]
    _check_class_weight(weight, n_classes)
    _not_differentiable(weight, "nll_loss_forward", "weight")
    return _nll(input, target, _class_weight(weight, input), ignore_index, reduction)


def _nll(input: Tensor, target: Tensor, w: np.ndarray | None, ignore_index: int,
         reduction: str) -> Tensor:
    """The NLL op as PyTorch's ``nll_loss_nd`` applies it: on (C,) or (N, C) inputs
    ``NllLossBackward0``; (N, C, H, W) ``NllLoss2DBackward0``; other ranks are viewed as
    (N, C, 1, -1) for it (and a 'none' result viewed back)."""
    if input.ndim <= 2:
        return _ops.NllLoss.apply(input, target, w, ignore_index, reduction)
    if input.ndim == 4:
        return _ops.NllLoss2d.apply(input, target, w, ignore_index, reduction)
    n, c = input.shape[:2]
    flat = (1, -1) if input.numel() else (0, 0)
    out = _ops.NllLoss2d.apply(input.contiguous().view(n, c, *flat), target.reshape(
        n, *flat), w, ignore_index, reduction)
    return out if reduction != "none" else out.view(n, *input.shape[2:])


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross entropy of logits: log_softmax over the class dim, then NLL (two ops, as
    PyTorch records them; with ``label_smoothing`` or class probabilities, PyTorch's
    composite of elementwise ops and sums).

    With class indices y: l_i = -w[y_i] log softmax(x_i)[y_i] (``ignore_index`` skipped,
    'mean' divides by sum of w[y_i]). With class probabilities y (same shape as input):
    l_i = -sum_c w[c] y[i, c] log softmax(x_i)[c] ('mean' divides by N).
    ``label_smoothing`` e mixes the target with the uniform distribution: (1 - e) y + e/C.

    Shapes: input (N, C) or (C,) or (N, C, d1, ...); target (N,) / () / (N, d1, ...)
    int64, or the input's shape (float). Stable for logits of any size (+-1e4).

    >>> F.cross_entropy(tg.tensor([[1000.0, 0.0]]), tg.tensor([1]))
    tensor(1000.)
    """
    reduction = _reduction(reduction, size_average, reduce)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if _teaching.enabled:  # tg.set_teaching_mode: see teaching.py
        _teaching.check_cross_entropy_input(input)
    x = input._data
    if x.shape == target._data.shape:
        return _cross_entropy_prob(input, target, weight, ignore_index, reduction, label_smoothing)
    _check_index_target(input, target)
    _check_class_weight(weight, x.shape[0 if x.ndim == 1 else 1])
    _not_differentiable(weight, "nll_loss_forward", "weight")
    logp = input.log_softmax(0 if x.ndim == 1 else 1)
    # as PyTorch records it: LogSoftmaxBackward0, NllLossBackward0
    nll = _nll(logp, target, _class_weight(weight, input), ignore_index, reduction)
    if not label_smoothing:
        return nll
    return _smoothed(nll, logp, target, weight, ignore_index, reduction, label_smoothing)


def _smoothed(nll: Tensor, logp: Tensor, target: Tensor, weight: Tensor | None,
              ignore_index: int, reduction: str, e: float) -> Tensor:
    """Label smoothing as PyTorch's ``cross_entropy_loss_label_smoothing`` computes it:
    ``(1 - e) * nll + (e / C) * smooth``, where ``smooth`` is the loss against the uniform
    target, ``-sum_c w[c] logp[c]`` (0 for ignored samples), reduced as ``nll`` is."""
    class_dim = 0 if logp.ndim == 1 else 1
    n_classes = logp.shape[class_dim]
    ignored = target == ignore_index
    if weight is None:
        smooth = -logp.sum(class_dim)
    else:
        shape = [1] * logp.ndim
        shape[class_dim] = n_classes
        smooth = -(logp * weight.view(shape)).sum(class_dim)
    smooth.masked_fill_(ignored, 0.0)
    if reduction == "mean":
        kept = target[~ignored].reshape(-1)
        total = (~ignored).sum() if weight is None else weight.gather(0, kept).sum()
        smooth = smooth.sum() / total
    elif reduction == "sum":
        smooth = smooth.sum()
    scale = _elementwise.MulScalar.apply  # (a number times a tensor: MulBackward1)
    return scale(nll, 1 - e) + scale(smooth, e / n_classes)


def _cross_entropy_prob(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None,
    ignore_index: int,
    reduction: str,
    label_smoothing: float,
) -> Tensor:
    if not target.dtype.is_floating_point:
        raise RuntimeError(
            "Expected floating point type for target with class probabilities, got "
            f"{_type_name(target)}"
        )
    if ignore_index >= 0:
        raise RuntimeError("ignore_index is not supported for floating point target")
    if input.ndim == 0:
        raise IndexError("Dimension specified as 1 but tensor has no dimensions")
    class_dim = 0 if input.ndim == 1 else 1
    n_classes = input.shape[class_dim]
    _check_class_weight(weight, n_classes)
    # as PyTorch's cross_entropy_loss_prob_target computes it
    logp = input.log_softmax(class_dim)
    if label_smoothing > 0:
        target = _elementwise.AddScalar.apply(
            _elementwise.MulScalar.apply(target, 1 - label_smoothing), label_smoothing / n_classes)
    terms = logp * target
    if weight is not None:
        shape = [1] * input.ndim
        shape[class_dim] = n_classes
        terms = terms * (weight.view(shape) if input.ndim > 1 else weight)
    if reduction == "none":
        return -terms.sum(class_dim)
    loss = -terms.sum()
    if reduction == "sum":
        return loss
    if input.numel() == 0:
        return loss.fill_(math.nan)
    return _elementwise.DivScalar.apply(loss, input.numel() // n_classes)


def binary_cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Binary cross entropy of probabilities: l = -w [y log x + (1 - y) log(1 - x)].

    Logs are clamped at -100 (as PyTorch), so x = 0 or 1 gives a finite loss. Shapes:
    input (*) in [0, 1], target (*) the same shape and dtype, weight broadcastable.
    Prefer ``binary_cross_entropy_with_logits``: it is stable for any logit.

    >>> F.binary_cross_entropy(tg.tensor([0.5]), tg.tensor([1.0]))
    tensor(0.6931)
    """
    reduction = _reduction(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise ValueError(
            f"Using a target size ({target.size()}) that is different to the input size "
            f"({input.size()}) is deprecated. Please ensure they have the same size."
        )
    if target._data.dtype != input._data.dtype:
        raise RuntimeError(f"Found dtype {_type_name(target)} but expected {_type_name(input)}")
    x = input._data
    if not ((x >= 0) & (x <= 1)).all():
        raise RuntimeError("all elements of input should be between 0 and 1")
    w = None
    if weight is not None:
        _check_broadcast(target, weight)
        _not_differentiable(weight, "binary_cross_entropy", "weight")
        w = weight._data.astype(x.dtype, copy=False)
    return _ops.BinaryCrossEntropy.apply(input, target, w, reduction)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """Binary cross entropy of logits, with sigmoid fused in (stable for any x):
    l = -w [p y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))], p = ``pos_weight``.

    Shapes: input (*), target (*) the same shape; weight broadcastable to it;
    pos_weight broadcastable along the last (class) dim, e.g. (C,).

    >>> F.binary_cross_entropy_with_logits(tg.tensor([0.0]), tg.tensor([1.0]))
    tensor(0.6931)
    """
    reduction = _reduction(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise ValueError(
            f"Target size ({target.size()}) must be the same as input size ({input.size()})"
        )
    if not target.dtype.is_floating_point:
        raise RuntimeError(
            f"result type {_type_name(input)} can't be cast to the desired output type "
            f"{_type_name(target)}"
        )
    input, target = _same_dtype(input, target)
    dt = input._data.dtype
    _not_differentiable(weight, "binary_cross_entropy_with_logits", "weight")
    _not_differentiable(pos_weight, "binary_cross_entropy_with_logits", "pos_weight")
    w = None if weight is None else weight._data.astype(dt, copy=False)
    pw = None if pos_weight is None else pos_weight._data.astype(dt, copy=False)
    return _ops.BinaryCrossEntropyWithLogits.apply(input, target, w, pw, reduction)


# ---------------------------------------------------------------------------- embedding


def _check_tensor(value: Any, op: str, arg: str, position: int) -> None:
    if not isinstance(value, Tensor):
        raise TypeError(
            f"{op}(): argument '{arg}' (position {position}) must be Tensor, not "
            f"{type(value).__name__}"
        )


def _padding_index(padding_idx: int | None, n: int) -> int:
    """``padding_idx`` as a row number (negative counts from the end); -1 for None."""
    if padding_idx is None:
        return -1
    if not -n <= padding_idx < max(n, 1):
        raise AssertionError("Padding_idx must be within num_embeddings")
    return padding_idx + n if padding_idx < 0 else padding_idx


def _index_array(indices: Tensor, arg: str, op: str) -> np.ndarray:
    """The int64/int32 array of ``indices`` (a copy: changing the tensor later cannot
    change where backward sends gradients)."""
    idx = indices._data
    if idx.dtype not in (np.int64, np.int32):
        got = "CPUBoolType" if idx.dtype == np.bool_ else f"torch.{_type_name(indices)}Tensor"
        raise RuntimeError(
            f"Expected tensor for argument {arg} 'indices' to have one of the following "
            f"scalar types: Long, Int; but got {got} instead (while checking arguments "
            f"for {op})"
        )
    return np.array(idx)


def _embedding_renorm_(weight: Tensor, indices: Tensor, max_norm: float, norm_type: float) -> None:
    """Scale in place (outside autograd) each row of ``weight`` that ``indices`` looks up
    and whose ``norm_type``-norm exceeds ``max_norm``, to norm max_norm (as
    ``torch.embedding_renorm_``: factor max_norm / (norm + 1e-7))."""
    idx = np.unique(_index_array(indices, "#2", "embedding_renorm_"))
    w = weight._data
    n = w.shape[0]
    bad = idx[(idx < -n) | (idx >= n)]
    if bad.size and bad[0] < -n:  # PyTorch walks the sorted indices and stops at a bad one
        raise IndexError(
            f"select(): index {bad[0]} out of range for tensor of size {_shape_list(w.shape)} "
            "at dimension 0"
        )
    rows = np.unique(idx[(idx >= -n) & (idx < n)] % n)
    norms = np.linalg.norm(w[rows].astype(np.float64), ord=norm_type, axis=1)
    over = norms > max_norm
    w[rows[over]] *= (max_norm / (norms[over] + 1e-7)).astype(w.dtype)[:, None]
    bump_version(weight)
    if bad.size:
        raise IndexError(
            f"select(): index {bad[0]} out of range for tensor of size {_shape_list(w.shape)} "
            "at dimension 0"
        )


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Look up rows of ``weight``: out[..., :] = weight[input[...], :].

    Shapes: input (*) of int64/int32 indices in [0, num_embeddings); weight
    (num_embeddings, embedding_dim) -> output (*, embedding_dim). The ``padding_idx`` row
    gets no gradient; ``max_norm`` first rescales (in place) the looked-up rows whose
    ``norm_type``-norm exceeds it; ``scale_grad_by_freq`` divides each row's gradient by
    how often its index occurs in ``input``.

    >>> F.embedding(tg.tensor([[0, 2]]), tg.tensor([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]))
    tensor([[[0., 1.],
             [4., 5.]]])
    """
    _check_tensor(weight, "embedding", "weight", 1)
    _check_tensor(input, "embedding", "indices", 2)
    n = weight.shape[0] if weight.ndim else 0
    padding_idx = _padding_index(padding_idx, n)
    if max_norm is not None:
        _embedding_renorm_(weight, input, max_norm, norm_type)
    if weight.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    idx = _index_array(input, "#1", "embedding")
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise IndexError("index out of range in self")
    if sparse:
        raise NotImplementedError(
            "embedding(sparse=True): tinygrad_edu has no sparse tensors; use sparse=False "
            "(the gradient is then a dense tensor of the weight's shape)"
        )
    scale = _ops.embedding_grad_scale(idx, padding_idx, scale_grad_by_freq, weight._data.dtype)
    return _ops.Embedding.apply(weight, idx, scale)


# ------------------------------------------------------------------------ normalization


def _check_norm_dtypes(input: Tensor, op: str, *params: Tensor | None) -> None:
    """PyTorch's CPU checks: a floating input, and parameters of the input's dtype."""
    dt = input._data.dtype
    if dt.kind != "f":
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
    x = input._data
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    if training:
        if x.size:
            mean, var = _ops.moments(x, (0,) + tuple(range(2, x.ndim)))
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


def _normalized_shape(normalized_shape: Any) -> tuple[int, ...]:
    """``normalized_shape`` as a tuple of ints (PyTorch's TypeError for anything else)."""
    prefix = "layer_norm(): argument 'normalized_shape' (position 2) must be tuple of ints"
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


# ----------------------------------------------------------------- convolution, pooling


def _pair_arg(value: Any, name: str, n_dims: int = 2) -> tuple[int, int]:
    """An int or a sequence of 2 ints as a pair (PyTorch's error for anything else)."""
    if isinstance(value, (int, np.integer)):
        return int(value), int(value)
    values = [int(v) for v in value]
    if len(values) == 1:
        return values[0], values[0]
    if len(values) != 2 or n_dims != 2:
        raise RuntimeError(
            f"expected {name} to be a single integer value or a list of {n_dims} values to "
            f"match the convolution dimensions, but got {name}={values}"
        )
    return values[0], values[1]


def _conv_padding(padding: Any, kernel: tuple[int, int], stride: tuple[int, int],
                  dilation: tuple[int, int]) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) for an int, a pair, 'valid' or 'same' (extra at the end)."""
    if isinstance(padding, str):
        if padding == "valid":
            return 0, 0, 0, 0
        if padding != "same":
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        if stride != (1, 1):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        totals = [d * (k - 1) for d, k in zip(dilation, kernel)]
        if any(t % 2 for t in totals):
            warnings.warn(
                "Using padding='same' with even kernel lengths and odd dilation may require a "
                "zero-padded copy of the input be created", UserWarning, stacklevel=3)
        (th, tw) = totals
        return th // 2, th - th // 2, tw // 2, tw - tw // 2
    ph, pw = _pair_arg(padding, "padding")
    if ph < 0 or pw < 0:
        raise RuntimeError("negative padding is not supported")
    return ph, ph, pw, pw


def _check_conv(input: Tensor, weight: Tensor, bias: Tensor | None, groups: int,
                pads: tuple[int, int, int, int], dilation: tuple[int, int]) -> None:
    """PyTorch's errors for inputs, weights and biases that do not fit together."""
    x, w = input._data, weight._data
    if x.ndim not in (3, 4):
        raise RuntimeError("Expected 3D (unbatched) or 4D (batched) input to conv2d, but got "
                           f"input of size: {_shape_list(x.shape)}")
    if x.dtype != w.dtype or (bias is not None and bias._data.dtype != x.dtype):
        other = w if x.dtype != w.dtype else bias._data  # type: ignore[union-attr]
        raise RuntimeError(f"expected scalar type {scalar_type_name(x.dtype)} but found "
                           f"{scalar_type_name(other.dtype)}")
    c = x.shape[-3]
    if c != w.shape[1] * groups:
        batch = x.shape if x.ndim == 4 else (1,) + x.shape
        raise RuntimeError(
            f"Given groups={groups}, weight of size {_shape_list(w.shape)}, expected "
            f"input{_shape_list(batch)} to have {w.shape[1] * groups} channels, but got {c} "
            "channels instead"
        )
    if bias is not None and bias._data.shape != (w.shape[0],):
        raise RuntimeError(
            f"Given weight of size {_shape_list(w.shape)}, expected bias to be 1-dimensional "
            f"with {w.shape[0]} elements, but got bias of size {_shape_list(bias.shape)} instead"
        )
    hp, wp = x.shape[-2] + pads[0] + pads[1], x.shape[-1] + pads[2] + pads[3]
    kh, kw = [d * (k - 1) + 1 for d, k in zip(dilation, w.shape[2:])]
    if hp < kh or wp < kw:
        raise RuntimeError(
            f"Calculated padded input size per channel: ({hp} x {wp}). Kernel size: ({kh} x "
            f"{kw}). Kernel size can't be greater than actual input size"
        )


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-d convolution (cross-correlation, as PyTorch): y[n, o] = b[o] + sum over c, i, j
    of W[o, c, i, j] * x_pad[n, c, s * oh + d * i, s * ow + d * j], channels in ``groups``.

    Shapes: input (N, C, H, W) or (C, H, W); weight (O, C / groups, kh, kw); bias (O,) ->
    (N, O, OH, OW) with OH = (H + 2 p - d (kh - 1) - 1) // s + 1 (and OW alike).
    ``padding`` is an int, a pair, 'valid' (0) or 'same' (output size = input size).

    >>> F.conv2d(tg.ones(1, 1, 4, 4), tg.ones(1, 1, 3, 3), padding=1).shape
    tinygrad_edu.Size([1, 1, 4, 4])
    """
    st, dil = _pair_arg(stride, "stride"), _pair_arg(dilation, "dilation")
    if weight.ndim != 4:
        raise RuntimeError(
            f"expected stride to be a single integer value or a list of {weight.ndim - 2} "
            f"values to match the convolution dimensions, but got stride={list(st)}"
        )
    if st[0] <= 0 or st[1] <= 0:
        raise RuntimeError("non-positive stride is not supported")
    if dil[0] <= 0 or dil[1] <= 0:
        raise RuntimeError("dilation should be greater than zero")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    pads = _conv_padding(padding, tuple(weight.shape[2:]), st, dil)  # type: ignore[arg-type]
    _check_conv(input, weight, bias, groups, pads, dil)
    if input.ndim == 3:  # unbatched, as PyTorch: a batch of one, squeezed again
        out = conv2d(input.unsqueeze(0), weight, bias, stride, padding, dilation, groups)
        return out.squeeze(0)
    return _conv.Conv2d.apply(input, weight, bias, (st, pads, dil, groups))


def _pool_meta(input: Tensor, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
               ceil_mode: bool, extra: Any, max_pool: bool) -> tuple[Any, ...]:
    """(kernel, stride, pads, dilation, (H, W), extra, OH, OW), with PyTorch's checks."""
    x = input._data
    if x.ndim not in (3, 4) or x.size == 0:
        if not max_pool and x.ndim < 3:
            raise IndexError("Dimension out of range (expected to be in range of "
                             f"[{-max(x.ndim, 1)}, {max(x.ndim, 1) - 1}], but got -3)")
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    k = _pair_arg(kernel_size, "kernel_size")
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else \
        _pair_arg(stride, "stride")
    if s[0] == 0 or s[1] == 0:
        raise RuntimeError("stride should not be zero")
    if k[0] <= 0 or k[1] <= 0:
        raise RuntimeError(
            f"kernel size should be greater than zero, but got kH: {k[0]} kW: {k[1]}")
    p, d = _pair_arg(padding, "padding"), _pair_arg(dilation, "dilation")
    for pi, ki, di in zip(p, k, d):
        if pi > ((ki - 1) * di + 1) // 2:
            raise RuntimeError("pad should be at most half of effective kernel size, but got "
                               f"pad={pi}, kernel_size={ki} and dilation={di}")
    (h, w), c = x.shape[-2:], x.shape[-3]
    sizes = []
    for n, ki, si, pi, di in zip((h, w), k, s, p, d):
        o = _conv.out_size(n, ki, si, 2 * pi + (si - 1 if ceil_mode else 0), di)
        if ceil_mode and (o - 1) * si >= n + pi:  # the last window must start inside
            o -= 1
        sizes.append(o)
    if sizes[0] < 1 or sizes[1] < 1:
        raise RuntimeError(f"Given input size: ({c}x{h}x{w}). Calculated output size: "
                           f"({c}x{sizes[0]}x{sizes[1]}). Output size is too small")
    return (k, s, p, d, (h, w), extra, sizes[0], sizes[1])


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """The max of each (dilated) window, over the last two dims; padding is -inf.

    Shapes: (N, C, H, W) or (C, H, W) -> (N, C, OH, OW), OH = (H + 2 p - d (k - 1) - 1) // s
    + 1 (rounded up with ``ceil_mode``). The gradient goes to the first max of each window.
    With ``return_indices`` also returns each max's flat index into H * W.

    >>> F.max_pool2d(tg.arange(16.0).reshape(1, 4, 4), 2)
    tensor([[[ 5.,  7.],
             [13., 15.]]])
    """
    meta = _pool_meta(input, kernel_size, stride, padding, dilation, ceil_mode, None, True)
    out = _conv.MaxPool2d.apply(input, meta)
    if not return_indices:
        return out
    if out.grad_fn is not None:
        arg = out.grad_fn.meta[5]
    else:  # not recorded: find the argmax offsets again
        arg = _conv.max_pool_np(input._data, meta)[1]
    return out, _wrap(_max_indices(meta[:5] + (arg,) + meta[6:]))


def _max_indices(meta: tuple[Any, ...]) -> np.ndarray:
    """Flat indices into H * W of each window's max, from its offset (i * kw + j)."""
    (kh, kw), (sh, sw), (ph, pw), (dh, dw), (h, w), arg, oh, ow = meta
    rows = np.arange(oh)[:, None] * sh - ph + (arg // kw) * dh
    cols = np.arange(ow)[None, :] * sw - pw + (arg % kw) * dw
    return rows * w + cols


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """The mean of each window, over the last two dims: its sum divided by the window's
    size (zero padding counted when ``count_include_pad``) or by ``divisor_override``.

    Shapes: (N, C, H, W) or (C, H, W) -> (N, C, OH, OW), OH = (H + 2 p - k) // s + 1.

    >>> F.avg_pool2d(tg.arange(16.0).reshape(1, 4, 4), 2)
    tensor([[[ 2.5000,  4.5000],
             [10.5000, 12.5000]]])
    """
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    extra = (count_include_pad, divisor_override)
    meta = _pool_meta(input, kernel_size, stride, padding, 1, ceil_mode, extra, False)
    return _conv.AvgPool2d.apply(input, meta)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Average pooling to a fixed (OH, OW): output row i averages input rows
    floor(i H / OH) to ceil((i + 1) H / OH) (and columns alike); None keeps a size.

    >>> F.adaptive_avg_pool2d(tg.ones(1, 1, 5, 7), (2, 3)).shape
    tinygrad_edu.Size([1, 1, 2, 3])
    """
    if input.ndim not in (3, 4):
        raise RuntimeError("adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got "
                           f"{_shape_list(tuple(input.shape))}")
    h, w = input.shape[-2:]
    sizes = (output_size, output_size) if isinstance(output_size, int) else tuple(output_size)
    oh, ow = (h if sizes[0] is None else sizes[0]), (w if sizes[1] is None else sizes[1])
    if (oh, ow) == (1, 1):  # a plain mean, as PyTorch (grad_fn MeanBackward1)
        return input.mean((-2, -1), keepdim=True)
    return _conv.AdaptiveAvgPool2d.apply(input, ((h, w), (oh, ow)))
