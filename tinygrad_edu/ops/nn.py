"""Fused nn primitives: activations with kinks, and the losses.

Each is one ``Function`` (one graph node) instead of a chain of elementwise ops, because
it is faster (one pass over the data, fewer temporaries, fewer nodes for the engine to
walk) and, for the losses, numerically stabler (log-softmax and log-sigmoid are computed
with the max subtracted, so logits of +-1e4 give finite losses and gradients).

Forward works on numpy arrays. Backward works on arrays in an ordinary ``backward()``,
and on Tensors under ``create_graph=True`` (written with operators and ``dual``
helpers), so second derivatives of every loss come for free. Where a fast backward uses
an intermediate array kept from forward, the Tensor path recomputes it from the inputs
so that it stays connected to the graph.

Gradients are returned in the broadcast shape; the engine sums them back to each input.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..parity.grad_fn_names import labelled
from ..parity.torch_sum import torch_mean, torch_sum
from . import dual
from .dual import _arr, _Op, keep_where
from .movement import dual_index_add
from .special import _libm

_nd = np.ndarray


# ----------------------------------------------------------------------------- Linear

# ------------------------------------------------------------------------ activations


class Hardtanh(_Op):
    """clamp(x, min_val, max_val); gradient 1 strictly inside, 0 outside and at the ends.

    ``ReLU6`` is ``Hardtanh(0, 6)``. Its own op because ``clamp`` passes the gradient at
    the boundaries and PyTorch's hardtanh does not.
    """

    _grad_fn_name = "HardtanhBackward0"
    ctx_fields = ("inside",)

    @staticmethod
    def forward(ctx: Any, x: Any, min_val: float, max_val: float) -> Any:
        # keep the mask, not x: F.hardtanh(x, inplace=True) then overwrites x freely.
        # "not outside" rather than "inside": NaN passes its gradient, as in PyTorch
        outside = np.asanyarray(np.less_equal(x, min_val))  # (0-d: a scalar otherwise)
        outside |= np.greater_equal(x, max_val)
        ctx.inside = np.logical_not(outside, out=outside)
        return np.asanyarray(np.clip(x, min_val, max_val))  # (0-d: a scalar otherwise)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return keep_where(grad, ctx.inside), None, None


class LeakyRelu(_Op):
    """x if x > 0 else slope * x; gradient 1 or slope (slope at 0, as PyTorch)."""

    _grad_fn_name = "LeakyReluBackward0"
    ctx_fields = ("positive", "slope")

    @staticmethod
    def forward(ctx: Any, x: Any, slope: float) -> Any:
        ctx.positive, ctx.slope = np.asanyarray(x > 0), slope  # the mask, not x (in-place safe)
        # max(x, slope x) (min for slope > 1): branch-free, unlike np.where (see Hardtanh)
        out = np.asanyarray(x * slope)
        return (np.maximum if slope <= 1 else np.minimum)(x, out, out=out)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        positive, slope = ctx.positive, ctx.slope
        dtype = _arr(grad).dtype
        one_minus, s = dtype.type(1 - slope), dtype.type(slope)
        if one_minus + s != 1:  # (1 - s) + s rounds to exactly 1 for every 0 <= s <= 1
            return dual.where(positive, grad, grad * slope), None
        factor = positive.astype(dtype)  # 1 where x > 0, else slope: exact, branch-free
        factor *= one_minus
        factor += s
        return grad * factor, None


class Silu(_Op):
    """x * sigmoid(x) (also called swish); gradient s (1 + x (1 - s)), s = sigmoid(x)."""

    _grad_fn_name = "SiluBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return x / (1 + np.exp(-x))  # (PyTorch's formula, so the same rounding)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        s = dual.sigmoid(x)
        return grad * s * (1 + x * (1 - s))


def _live_where(mask: np.ndarray, x: Any) -> Any:
    """``x`` (a Tensor on the graph) where ``mask``, else its value as a constant: a
    derivative of ``x`` that exists only where ``mask``, as PyTorch's double backwards
    write them (``* (x < 0)``), kinks and NaN excluded."""
    return dual.where(mask, x, dual.constant(_arr(x), x))


class Softplus(_Op):
    """log(1 + e^(beta x)) / beta, and x itself where beta x > threshold (as PyTorch);
    gradient z / (z + 1) with z = e^(beta x), or 1 above the threshold. Its own
    derivative is 0 from the threshold on (PyTorch's ``beta x < threshold``)."""

    _grad_fn_name = "SoftplusBackward0"
    ctx_fields = ("linear", "beta", "below")  # masks: beta x > (<) threshold

    @staticmethod
    def forward(ctx: Any, x: Any, beta: float, threshold: float) -> Any:
        ctx.save_for_backward(x)
        scaled = x * x.dtype.type(beta)
        linear = np.asanyarray(scaled > threshold)
        ctx.linear, ctx.beta, ctx.below = linear, beta, np.asanyarray(scaled < threshold)
        # (np.minimum: no overflow warning where the linear branch is taken anyway)
        soft = np.log1p(np.exp(np.minimum(scaled, threshold))) / x.dtype.type(beta)
        return np.where(linear, x, soft)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        linear, beta, below = ctx.linear, ctx.beta, ctx.below
        if not dual._is_array(x):
            x = _live_where(below, x)
        with np.errstate(over="ignore", invalid="ignore"):  # (the linear branch's z)
            z = dual.exp(x * beta)
            return dual.where(linear, grad, grad * z / (z + 1)), None, None


_SQRT1_2 = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_K_BETA = math.sqrt(2.0 / math.pi)
_K_KAPPA = 0.044715


def _erf_(x: np.ndarray) -> np.ndarray:
    """The error function, elementwise, in place (the kernel of ``Tensor.erf``)."""
    kernel = _libm("erf")
    if isinstance(kernel, np.ufunc):  # (scipy's: straight into x)
        return kernel(x, out=x)  # type: ignore[no-any-return]
    x[...] = kernel(x)
    return x


def _phi_(t: np.ndarray) -> np.ndarray:
    """Phi(x) = 0.5 (1 + erf(x / sqrt 2)) in place, given t = x * sqrt(1/2)."""
    _erf_(t)
    t += 1
    t *= 0.5
    return t


# The numpy paths below update one fresh buffer in place (W3-sized activations are MBs:
# a fresh temporary per step of the formula costs more than the arithmetic).


def _gelu_forward(x: np.ndarray, approximate: str) -> np.ndarray:
    if approximate == "tanh":  # 0.5 x (1 + tanh(beta (x + kappa x^3)))
        t = np.asanyarray(x * _K_KAPPA)
        t *= x
        t *= x
        t += x
        t *= _K_BETA
        np.tanh(t, out=t)
        t += 1
    else:  # x * Phi(x)
        t = _phi_(np.asanyarray(x * _SQRT1_2))
    t *= x
    if approximate == "tanh":
        t *= 0.5
    return t


def _gelu_grad(x: Any, approximate: str) -> Any:
    """d gelu / dx, on arrays or Tensors (tanh form) / arrays only (erf form)."""
    if approximate == "tanh":
        t = dual.tanh(_K_BETA * (x + _K_KAPPA * x * x * x))
        right = 0.5 * x * (1 - t * t) * _K_BETA * (1 + 3 * _K_KAPPA * x * x)
        return 0.5 * (1 + t) + right
    cdf = _phi_(np.asanyarray(x * _SQRT1_2))
    xpdf = np.asanyarray(x * -0.5)  # x phi(x) = x exp(-x^2 / 2) / sqrt(2 pi)
    xpdf *= x
    np.exp(xpdf, out=xpdf)
    xpdf *= _INV_SQRT_2PI
    xpdf *= x
    cdf += xpdf
    return cdf  # Phi(x) + x phi(x)


class GeluExactGrad(_Op):
    """Phi(x) + x phi(x), the derivative of exact GELU; its own derivative is
    phi(x) (2 - x^2). An op so that GELU's backward is differentiable (erf is not a
    dual helper)."""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return _gelu_grad(x, "none")

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        pdf = dual.exp(-0.5 * x * x) * _INV_SQRT_2PI
        return grad * pdf * (2 - x * x)


class Gelu(_Op):
    """x * Phi(x) (``approximate='none'``) or its tanh approximation."""

    _grad_fn_name = "GeluBackward0"
    ctx_fields = ("approximate",)

    @staticmethod
    def forward(ctx: Any, x: Any, approximate: str) -> Any:
        ctx.save_for_backward(x)
        ctx.approximate = approximate
        return dual.in_float32(_gelu_forward, x, approximate)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        if not isinstance(x, _nd) and ctx.approximate == "none":
            return grad * GeluExactGrad.apply(x), None
        return grad * _gelu_grad(x, ctx.approximate), None


# ------------------------------------------------------------------- reductions helpers


def _reduce(loss: np.ndarray, reduction: str) -> np.ndarray:
    """Apply ``reduction`` ('mean' | 'sum' | 'none') to an elementwise loss."""
    # torch_sum / torch_mean add in PyTorch's order: the loss rounds exactly as PyTorch's
    if reduction == "mean":
        return torch_mean(loss) if loss.size else np.asanyarray(loss.dtype.type(math.nan))
    if reduction == "sum":
        return torch_sum(loss)
    return loss


def _scaled(grad: Any, reduction: str, n: int, factor: float = 1.0) -> Any:
    """The incoming gradient times d(reduction)/d(element) times ``factor``."""
    if reduction == "mean":
        return grad * (factor / n) if n else grad * math.nan
    return grad * factor if factor != 1.0 else grad


# ------------------------------------------------------------------- regression losses


class _Regression(_Op):
    """Base of the losses of d = input - target: forward keeps d for backward.

    Subclasses define ``_loss(d, p)`` (arrays) and ``_deriv(d, p)`` (arrays or Tensors);
    ``p`` is the loss's parameter (Huber's delta, SmoothL1's beta). The one forward and
    backward here find the subclass through ``ctx``.
    """

    _loss: Callable[[np.ndarray, float], np.ndarray]
    _deriv: Callable[[Any, float], Any]
    ctx_fields = ("d", "reduction", "p")

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any, reduction: str, p: float) -> Any:
        loss = type(ctx)._function  # the subclass: MseLoss, L1Loss, ...
        d = np.asanyarray(x - y)  # (0-d arithmetic gives numpy scalars)
        ctx.save_for_backward(x, y)
        ctx.d, ctx.reduction, ctx.p = d, reduction, p
        return _reduce(loss._loss(d, p), reduction)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        if isinstance(grad, _nd):
            d = ctx.d
        else:  # recompute d on the graph, for double backward
            x, y = ctx.saved_tensors
            d = x - y
        g = type(ctx)._function._deriv(d, ctx.p)
        scale = _scaled(grad, ctx.reduction, ctx.d.size)
        if isinstance(g, _nd) and isinstance(scale, _nd):
            g *= scale  # g is a fresh array of d's shape: no second temporary
        else:
            g = g * scale
        return g, (-g if ctx.needs_input_grad[1] else None), None, None


class MseLoss(_Regression):
    """(x - y)^2; derivative 2 (x - y)."""

    _grad_fn_name = "MseLossBackward0"

    @staticmethod
    def _loss(d: np.ndarray, p: float) -> np.ndarray:
        return d * d

    @staticmethod
    def _deriv(d: Any, p: float) -> Any:
        return d * 2.0


class HuberLoss(_Regression):
    """0.5 d^2 if |d| < delta else delta (|d| - 0.5 delta); derivative clamp(d, -delta,
    delta)."""

    _grad_fn_name = "HuberLossBackward0"

    @staticmethod
    def _loss(d: np.ndarray, delta: float) -> np.ndarray:
        z = np.abs(d)
        return np.where(z < delta, 0.5 * z * z, delta * (z - 0.5 * delta))

    @staticmethod
    def _deriv(d: Any, delta: float) -> Any:
        if isinstance(d, _nd):
            return np.clip(d, -delta, delta)  # (NaN stays NaN, as PyTorch's)
        return _clamped(d, delta, delta)


class SmoothL1Loss(_Regression):
    """0.5 d^2 / beta if |d| < beta else |d| - 0.5 beta; derivative clamp(d / beta, -1,
    1) (sign(d) when beta == 0)."""

    _grad_fn_name = "SmoothL1LossBackward0"

    @staticmethod
    def _loss(d: np.ndarray, beta: float) -> np.ndarray:
        z = np.abs(d)
        if beta == 0:
            return z
        return np.where(z < beta, 0.5 * z * z / beta, z - 0.5 * beta)

    @staticmethod
    def _deriv(d: Any, beta: float) -> Any:
        if beta == 0:
            return dual.sign(d)
        if isinstance(d, _nd):
            return np.clip(d / beta, -1.0, 1.0)
        return _clamped(d, beta, 1.0, 1.0 / beta)


def _clamped(d: Any, edge: float, value: float, slope: float = 1.0) -> Any:
    """On the graph: -value for d <= -edge, value for d >= edge, slope * d between (NaN
    included), as PyTorch's Huber and SmoothL1 backwards; the result varies with d only
    strictly inside (their double backwards: ``|d| < edge``)."""
    data = _arr(d)
    inside = _live_where(np.asanyarray(np.abs(data) < edge), d) * slope
    return dual.where(np.asanyarray(data <= -edge), -value,
                      dual.where(np.asanyarray(data >= edge), value, inside))


class SoftMarginLoss(_Op):
    """log(1 + e^(-y x)) for labels y = +-1; d/dx = -y z / (1 + z), z = e^(-y x)
    (PyTorch's ``soft_margin_loss_backward``). Fused, as PyTorch: one node."""

    _grad_fn_name = "SoftMarginLossBackward0"
    ctx_fields = ("reduction", "n")

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any, reduction: str) -> Any:
        ctx.save_for_backward(x, y)
        loss = np.log1p(np.exp(-x * y))
        ctx.reduction, ctx.n = reduction, loss.size
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, y = ctx.saved_tensors
        z = dual.exp(-y * x)
        g = -(y * z) / (1 + z)
        return g * _scaled(grad, ctx.reduction, ctx.n), None, None


# ---------------------------------------------------------------- binary cross entropy


class BinaryCrossEntropy(_Op):
    """-w [y log(x) + (1 - y) log(1 - x)], logs clamped at -100 as PyTorch's.

    d/dx = w (x - y) / max(x (1 - x), 1e-12); d/dy = -w logit(x).
    """

    _grad_fn_name = "BinaryCrossEntropyBackward0"
    ctx_fields = ("reduction", "n")

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any, weight: Any, reduction: str) -> Any:
        with np.errstate(divide="ignore"):
            log_x = np.maximum(np.log(x), -100.0)
            log_1mx = np.maximum(np.log1p(-x), -100.0)
        loss = (y - 1) * log_1mx - y * log_x
        if weight is not None:
            loss = loss * weight
        ctx.save_for_backward(x, y, weight)
        ctx.reduction, ctx.n = reduction, loss.size
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, y, weight = ctx.saved_tensors
        scale = _scaled(grad, ctx.reduction, ctx.n)
        if weight is not None:
            scale = scale * weight
        gx = gy = None
        if ctx.needs_input_grad[0]:
            denom = (1 - x) * x
            denom = dual.where(np.asanyarray(_arr(denom) > 1e-12), denom, 1e-12)
            gx = scale * (x - y) / denom
        if ctx.needs_input_grad[1]:
            gy = scale * (dual.log(1 - x) - dual.log(x))  # -logit(x)
        return gx, gy, None, None


def _log_sigmoid(x: np.ndarray) -> np.ndarray:
    # log(sigmoid(x)) = min(x, 0) - log(1 + e^-|x|): e^-|x| <= 1 never overflows
    return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))


class BinaryCrossEntropyWithLogits(_Op):
    """-w [p y log(sigmoid(x)) + (1 - y) log(1 - sigmoid(x))], p = pos_weight.

    Computed as (1 - y) x - (1 + (p - 1) y) log_sigmoid(x): finite for any x.
    d/dx = w [(1 + (p - 1) y) sigmoid(x) - p y]; d/dy = -w [x + (p - 1) log_sigmoid(x)].
    """

    _grad_fn_name = "BinaryCrossEntropyWithLogitsBackward0"
    ctx_fields = ("reduction", "n")

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any, weight: Any, pos_weight: Any, reduction: str) -> Any:
        log_sig = _log_sigmoid(x)
        if pos_weight is not None:
            log_sig = log_sig * ((pos_weight - 1) * y + 1)
        loss = (1 - y) * x - log_sig
        if weight is not None:
            loss = loss * weight
        ctx.save_for_backward(x, y, weight, pos_weight)
        ctx.reduction, ctx.n = reduction, loss.size
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, y, weight, pos_weight = ctx.saved_tensors
        scale = _scaled(grad, ctx.reduction, ctx.n)
        if weight is not None:
            scale = scale * weight
        gx = gy = None
        if ctx.needs_input_grad[0]:
            if pos_weight is None:
                gx = scale * (dual.sigmoid(x) - y)
            else:
                py = pos_weight * y
                gx = scale * ((py + 1 - y) * dual.sigmoid(x) - py)
        if ctx.needs_input_grad[1]:
            dy = -x
            if pos_weight is not None:
                log_sig = -_softplus_neg(x)
                dy = dy - (pos_weight - 1) * log_sig
            gy = scale * dy
        return gx, gy, None, None, None


def _softplus_neg(x: Any) -> Any:
    """log(1 + e^-x) = -log_sigmoid(x), on arrays or Tensors."""
    if isinstance(x, _nd):
        return -_log_sigmoid(x)
    # each branch on inputs where its exp cannot overflow (no inf * 0 in backward), and
    # no |x| (whose derivative 0 at x = 0 would be wrong here)
    pos = np.asanyarray(_arr(x) >= 0)
    xp = dual.where(pos, x, 0.0)
    xn = dual.where(pos, 0.0, x)
    return dual.where(pos, dual.log(1 + dual.exp(-xp)), dual.log(1 + dual.exp(xn)) - xn)


# ------------------------------------------------------------- classification losses


def _rows(x: np.ndarray) -> np.ndarray:
    """(C,) -> (1, C); (N, C) as is; (N, C, d1, ...) -> (N * d1 * ..., C)."""
    if x.ndim <= 2:
        return x.reshape(-1, x.shape[-1])
    return np.moveaxis(x, 1, -1).reshape(-1, x.shape[1])


def _unrows(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Inverse of ``_rows``."""
    if len(shape) <= 2:
        return g.reshape(shape)
    moved = (shape[0],) + tuple(shape[2:]) + (shape[1],)
    return np.moveaxis(g.reshape(moved), -1, 1)


_ROW_STARTS: dict[tuple[int, int], np.ndarray] = {}


def _at_targets(a: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(memory, positions)`` with ``memory[positions] == a[idx, arange(M)]``, for a (C, M)
    array laid out C- or F-contiguous (every array the ops allocate is).

    The flat take (or ``memory[positions] -= v``) is 4-5x faster than numpy's 2-D fancy
    indexing, whose fixed cost dominates at these sizes.
    """
    step_c, step_m = a.strides[0] // a.itemsize, a.strides[1] // a.itemsize
    key = (a.shape[1], step_m)
    starts = _ROW_STARTS.get(key)  # where each row starts: arange(M) * step_m, cached
    if starts is None:
        if len(_ROW_STARTS) > 64:
            _ROW_STARTS.clear()
        starts = _ROW_STARTS[key] = np.arange(a.shape[1]) * step_m
        starts.flags.writeable = False
    memory = (a if a.flags.c_contiguous else a.T).reshape(-1)  # a view: writes go to a
    return memory, (idx if step_c == 1 else idx * step_c) + starts


def _all_in_range(flat: np.ndarray, n_classes: int) -> bool:
    """0 <= flat < n_classes, in one pass: viewed as unsigned, negatives become huge."""
    # (compared in numpy: Python reads a bool, not the largest target, which tg.compile
    # would have to check is the same next batch)
    return flat.size == 0 or bool(flat.view(np.uint64).max() < n_classes)


class _Targets:
    """Class-index targets flattened to rows, with their per-row weights.

    ``idx`` (M,) class per row (0 where ignored); ``valid`` (M,) bool, False where
    ignored; ``w_row`` (M,) weight of the row's class (0 where ignored), or None when
    every row counts with weight 1; ``total`` is the 'mean' denominator (sum of the row
    weights).
    """

    def __init__(self, z: np.ndarray, t: np.ndarray, weight: Any, ignore_index: int) -> None:
        n_classes = z.shape[0] if z.ndim == 1 else z.shape[1]
        flat = t.reshape(-1).astype(np.int64, copy=False)
        self.n_classes = n_classes
        self.idx = flat
        self._valid: np.ndarray | None = None  # None: every row is valid
        self.w_row: np.ndarray | None = None
        self.total = z.dtype.type(flat.size)
        if not 0 <= ignore_index < n_classes and _all_in_range(flat, n_classes):
            if weight is not None:  # the common case: nothing ignored, nothing to check
                self.w_row = weight[flat]
                self.total = np.add.reduce(self.w_row)
            return
        valid = flat != ignore_index
        all_valid = bool(valid.all())
        checked = flat if all_valid else flat[valid]
        if checked.size and (checked.min() < 0 or checked.max() >= n_classes):
            bad = checked[(checked < 0) | (checked >= n_classes)][0]
            raise IndexError(
                f"Target {bad} is out of bounds. Hint: class indices must be in "
                f"[0, {n_classes}): the input has {n_classes} classes (dim "
                f"{0 if z.ndim == 1 else 1}); are the labels 1-based, or the last layer too "
                "small?"
            )
        if all_valid and weight is None:
            return
        if not all_valid:
            self.idx, self._valid = np.where(valid, flat, 0), valid
        w = valid.astype(z.dtype) if weight is None else np.where(valid, weight[self.idx], 0)
        self.w_row = w.astype(z.dtype, copy=False)
        self.total = np.add.reduce(self.w_row)

    @property
    def valid(self) -> np.ndarray:
        return np.ones(self.idx.size, bool) if self._valid is None else self._valid

    def mean_scale(self, grad: Any) -> Any:
        """grad / total, the 'mean' gradient of each row; 0 when every row is ignored
        (PyTorch's gradient then: nothing flows, where 0 / 0 would make it nan)."""
        if not self.total and self._valid is not None and not self._valid.any():
            return grad * 0.0
        return grad / self.total

    def weights(self, dtype: Any) -> np.ndarray:
        """``w_row``, materialised (ones when every row has weight 1)."""
        return np.ones(self.idx.size, dtype) if self.w_row is None else self.w_row

    def onehot(self, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
        """w_row at (row, class), zeros elsewhere, in the input's layout."""
        q = np.zeros((self.idx.size, self.n_classes), dtype=dtype)
        memory, at_t = _at_targets(q.T, self.idx)
        memory[at_t] = self.weights(dtype)
        return _unrows(q, shape)


def _finish(rows: np.ndarray, reduction: str, total: Any, out_shape: tuple[int, ...]) -> Any:
    """Reduce per-row losses: 'mean' divides by ``total``, 'none' restores the shape."""
    if reduction == "mean":
        if total:
            return np.asanyarray(np.add.reduce(rows) / total)
        with np.errstate(invalid="ignore", divide="ignore"):  # all ignored: 0 / 0 = nan
            return np.asanyarray(np.add.reduce(rows) / total)
    if reduction == "sum":
        return np.asanyarray(np.add.reduce(rows))
    return rows.reshape(out_shape)


def _row_scale(grad: Any, ctx: Any, tg: _Targets, cdim: int) -> Any:
    """Incoming gradient per row, shaped to broadcast against the input's layout."""
    if ctx.reduction == "mean":
        return tg.mean_scale(grad)
    if ctx.reduction == "sum":
        return grad
    return dual.expand_dims(grad, cdim)


def _alpha_rows(grad: np.ndarray, reduction: str, tg: _Targets) -> Any:
    """Incoming gradient per row (M,) (or a scalar) for the numpy backward paths."""
    if reduction == "none":
        return grad.reshape(-1)
    return tg.mean_scale(grad) if reduction == "mean" else grad


class NllLoss(_Op):
    """-w[t] x[t] per sample for log-probabilities x (N, C, ...) and classes t (N, ...).

    'mean' divides by the sum of w[t] over non-ignored samples (PyTorch's rule).
    """

    _grad_fn_name = "NllLossBackward0"
    ctx_fields = ("targets", "reduction", "shape")

    @staticmethod
    def forward(ctx: Any, x: Any, t: Any, weight: Any, ignore_index: int, reduction: str) -> Any:
        tg = _Targets(x, t, weight, ignore_index)
        rows = _rows(x)
        if not (rows.flags.c_contiguous or rows.flags.f_contiguous):
            rows = np.ascontiguousarray(rows)  # (a sliced input) for _at_targets
        memory, at_t = _at_targets(rows.T, tg.idx)
        picked = memory.take(at_t)
        rows = -picked if tg.w_row is None else -picked * tg.w_row
        ctx.targets, ctx.reduction, ctx.shape = tg, reduction, x.shape
        return _finish(rows, reduction, tg.total, t.shape)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        tg, shape = ctx.targets, ctx.shape
        if isinstance(grad, _nd):  # -grad w[t] at each row's target, zeros elsewhere: one write
            scale = _alpha_rows(grad, ctx.reduction, tg)
            q = dual.zeros(grad, (tg.idx.size, tg.n_classes))
            memory, at_t = _at_targets(q.T, tg.idx)
            memory[at_t] = -scale if tg.w_row is None else -scale * tg.w_row
            return _unrows(q, shape), None, None, None, None
        cdim = 0 if len(shape) == 1 else 1
        q = tg.onehot(shape, _arr(grad).dtype)
        return -_row_scale(grad, ctx, tg, cdim) * q, None, None, None, None


# ``NllLoss`` of a 4-D input (N, C, H, W), under PyTorch's name for it.
NllLoss2d = labelled(NllLoss, "NllLoss2DBackward0")


# ----------------------------------------------------------------------------- Embedding


class Embedding(_Op):
    """``weight[indices]``: one row of ``weight`` (num_embeddings, dim) per index.

    Backward adds each output row's gradient into the row it came from (repeated indices
    accumulate), times ``scale`` (indices.shape + (1,)) when given: 0 at ``padding_idx``,
    1 / count with ``scale_grad_by_freq``. Its own op for PyTorch's grad_fn name and so
    that the padding row gets no gradient.
    """

    _grad_fn_name = "EmbeddingBackward0"
    ctx_fields = ("shape", "indices", "scale")

    @staticmethod
    def forward(ctx: Any, weight: Any, indices: np.ndarray, scale: Any) -> Any:
        ctx.shape, ctx.indices, ctx.scale = weight.shape, indices, scale
        return weight[indices]

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        shape, indices, scale = ctx.shape, ctx.indices, ctx.scale
        if scale is not None:
            grad = grad * dual.constant(scale.astype(_arr(grad).dtype, copy=False), grad)
        if isinstance(grad, _nd) and indices.size >= 256:
            return _rows_add(shape, indices.reshape(-1), grad.reshape(-1, shape[1])), None, None
        return dual_index_add(shape, indices, grad, grad), None, None


def _rows_add(shape: tuple[int, ...], idx: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Zeros of ``shape`` with each of ``rows`` added into row ``idx``: sorted by index
    (stably, so each sum adds in the original order, as ``np.add.at``), then one
    ``add.reduceat`` per run of equal indices. ~5x faster than ``np.add.at`` for 1000 rows."""
    order = np.argsort(idx, kind="stable")
    sorted_idx = idx[order]
    starts = np.flatnonzero(np.concatenate(([True], sorted_idx[1:] != sorted_idx[:-1])))
    out = np.zeros(shape, rows.dtype)
    out[sorted_idx[starts]] = np.add.reduceat(rows[order], starts, axis=0)
    return out


def embedding_grad_scale(
    indices: np.ndarray, padding_idx: int, by_freq: bool, dtype: np.dtype
) -> np.ndarray | None:
    """The factor of each looked-up row's gradient (None: all 1): 0 where the index is
    ``padding_idx`` (-1: none), 1 / (times the index occurs) with ``by_freq``."""
    if padding_idx < 0 and not by_freq:
        return None
    scale = np.ones(indices.shape, dtype)
    if by_freq:
        _, inverse, counts = np.unique(indices.reshape(-1), return_inverse=True, return_counts=True)
        scale /= counts[inverse.reshape(-1)].reshape(indices.shape)
    if padding_idx >= 0:
        scale[indices == padding_idx] = 0
    return scale[..., None]
