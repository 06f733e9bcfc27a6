"""Losses as functions: regression (mse, l1, huber, smooth_l1), classification
(nll, cross_entropy, binary_cross_entropy[_with_logits]) and distributions (kl_div,
poisson_nll_loss, gaussian_nll_loss); the margin losses are in ``loss_margin.py``. The
``nn`` loss classes call these: each formula is written once, in the op it applies
(``ops/nn.py``) or in the function itself."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from ...amp.autocast_mode import autocast_args, autocast_op
from ...core.grad_mode import _teaching, is_grad_enabled, no_grad
from ...ops import arithmetic as _arithmetic
from ...ops import nn as _ops
from ...parity.errors import broadcast_error
from ...parity.promotion import result_type
from ...tensor import Tensor
from ._common import _shape_list, _type_name

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
    dt = result_type(input, target)
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
    input, target = autocast_args("mse_loss", input, target)
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
    input, target = autocast_args("l1_loss", input, target)
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
    input, target = autocast_args("huber_loss", input, target)
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
    input, target = autocast_args("smooth_l1_loss", input, target)
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
    input, target, weight = autocast_args("nll_loss", input, target, weight)
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
    input, target, weight = autocast_args("cross_entropy_loss", input, target, weight)
    reduction = _reduction(reduction, size_average, reduce)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if _teaching.hooks is not None:  # tg.set_teaching_mode: see teaching.py
        _teaching.hooks.check_cross_entropy_input(input)
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
    scale = _arithmetic.MulScalar.apply  # (a number times a tensor: MulBackward1)
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
        target = _arithmetic.AddScalar.apply(
            _arithmetic.MulScalar.apply(target, 1 - label_smoothing), label_smoothing / n_classes)
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
    return _arithmetic.DivScalar.apply(loss, input.numel() // n_classes)


def _binary_target_hint(target: Tensor) -> str:
    """The line after PyTorch's message when a binary loss gets targets of the wrong dtype."""
    if target.dtype.is_floating_point:
        return "\nHint: the target must have the input's dtype: pass target.to(input.dtype)."
    return ("\nHint: binary targets are probabilities, a float tensor (1.0 for the positive "
            "class, 0.0 for the negative): pass target.float().")


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
    input, target, weight = autocast_args("binary_cross_entropy", input, target, weight)
    reduction = _reduction(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise ValueError(
            f"Using a target size ({target.size()}) that is different to the input size "
            f"({input.size()}) is deprecated. Please ensure they have the same size."
        )
    if target._data.dtype != input._data.dtype:
        raise RuntimeError(f"Found dtype {_type_name(target)} but expected {_type_name(input)}"
                           + _binary_target_hint(target))
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
    input, target, weight, pos_weight = autocast_args(
        "binary_cross_entropy_with_logits", input, target, weight, pos_weight)
    reduction = _reduction(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise ValueError(
            f"Target size ({target.size()}) must be the same as input size ({input.size()})"
        )
    if not target.dtype.is_floating_point:
        raise RuntimeError(
            f"result type {_type_name(input)} can't be cast to the desired output type "
            f"{_type_name(target)}" + _binary_target_hint(target)
        )
    input, target = _same_dtype(input, target)
    dt = input._data.dtype
    _not_differentiable(weight, "binary_cross_entropy_with_logits", "weight")
    _not_differentiable(pos_weight, "binary_cross_entropy_with_logits", "pos_weight")
    w = None if weight is None else weight._data.astype(dt, copy=False)
    pw = None if pos_weight is None else pos_weight._data.astype(dt, copy=False)
    return _ops.BinaryCrossEntropyWithLogits.apply(input, target, w, pw, reduction)


# ------------------------------------------------------------ distribution losses


def _reduced(loss: Tensor, reduction: str) -> Tensor:
    """PyTorch's ``apply_loss_reduction``: ``loss.mean()``, ``loss.sum()`` or ``loss``."""
    if reduction == "mean":
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss


def kl_div(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    """Kullback-Leibler divergence of log-probabilities ``input`` from ``target``:
    l = y (log y - x) (y log y = 0 where y = 0), or e^y (y - x) with ``log_target``.

    Shapes: input (*) log-probabilities, target (*) the same shape (probabilities, or
    log-probabilities with ``log_target``). ``reduction='batchmean'`` divides the sum by
    the batch size (input.shape[0]): the KL divergence per sample; 'mean' divides by every
    element (and warns, as PyTorch).

    >>> F.kl_div(tg.tensor([-0.5, -1.0]), tg.tensor([0.5, 0.5]), reduction="sum")
    tensor(0.0569)
    """
    input, target = autocast_args("kl_div", input, target)
    batchmean = False
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    elif reduction == "batchmean":
        reduction, batchmean = "sum", True
    else:
        if reduction == "mean":
            warnings.warn(
                "reduction: 'mean' divides the total loss by both the batch size and the "
                "support size.'batchmean' divides only by the batch size, and aligns with the "
                "KL div math definition.'mean' will be changed to behave the same as "
                "'batchmean' in the next major release.", stacklevel=2)
        reduction = _reduction(reduction)
    if log_target:  # as PyTorch's kl_div: exp(target) * (target - input)
        loss = target.exp() * (target - input)
    else:
        loss = _xlogx(target) - target * input
    out = _reduced(loss, reduction)
    return out / input.shape[0] if batchmean and input.ndim != 0 else out


def _xlogx(t: Tensor) -> Tensor:
    """t log t, and 0 where t = 0 (PyTorch's ``xlogy(t, t)``; its gradient there is NaN
    too, 0 * log 0); a constant when t needs no gradient."""
    if not t.requires_grad:
        y = t._data
        with np.errstate(divide="ignore", invalid="ignore"):
            return Tensor(np.where(y == 0, y.dtype.type(0), y * np.log(y)))
    return (t * t.log()).masked_fill(t == 0, 0.0)


@autocast_op("poisson_nll_loss")
def poisson_nll_loss(
    input: Tensor,
    target: Tensor,
    log_input: bool = True,
    full: bool = False,
    size_average: bool | None = None,
    eps: float = 1e-8,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log likelihood of a Poisson target y with rate ``input``:
    l = e^x - y x (``log_input``: x is the log-rate) or x - y log(x + eps); ``full`` adds
    Stirling's approximation of log(y!), y log y - y + log(2 pi y) / 2 (where y > 1).

    Shapes: input (*), target (*) broadcastable to it.

    >>> F.poisson_nll_loss(tg.tensor([0.0, 1.0]), tg.tensor([1.0, 2.0]))
    tensor(0.3591)
    """
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not a valid value for reduction")
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        stirling = target * target.log() - target + 0.5 * (2 * math.pi * target).log()
        loss = loss + stirling.masked_fill(target <= 1, 0.0)
    return _reduced(loss, reduction)


def gaussian_nll_loss(
    input: Tensor,
    target: Tensor,
    var: Tensor | float,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> Tensor:
    """Negative log likelihood of target y under N(input, var):
    l = (log max(var, eps) + (x - y)^2 / max(var, eps)) / 2, plus log(2 pi) / 2 with
    ``full``. (The clamp at ``eps`` is outside the graph, as PyTorch's: var's gradient is
    the formula's at the clamped value.)

    Shapes: input (N, *) or (*); target like input (or broadcastable); var like input, or
    one dim short of it, or with one dim of size 1 (a shared variance), or a float.

    >>> F.gaussian_nll_loss(tg.tensor([0.0]), tg.tensor([1.0]), tg.tensor([1.0]))
    tensor(0.5000)
    """
    if not isinstance(var, Tensor):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        v: Tensor = input.new_ones(input.shape) * var
    elif bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    else:
        v = var
    if v.shape != input.shape:
        if input.shape[:-1] == v.shape:
            v = v.unsqueeze(-1)
        elif not (input.ndim == v.ndim and sum(
                y for x, y in zip(input.shape, v.shape) if x != y) == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    v = v.clone()  # clamped outside the graph, as PyTorch: the gradient passes unchanged
    with no_grad():
        v.clamp_(min=eps)
    loss = 0.5 * (v.log() + (input - target) ** 2 / v)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduced(loss, reduction)
