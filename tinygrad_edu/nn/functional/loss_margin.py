"""Margin and embedding losses as functions: ``margin_ranking_loss``,
``hinge_embedding_loss``, ``soft_margin_loss``, ``multilabel_soft_margin_loss``,
``multi_margin_loss``, ``multilabel_margin_loss``, ``cosine_embedding_loss``,
``triplet_margin_loss``, ``triplet_margin_with_distance_loss``, and the distances they
use, ``pairwise_distance`` and ``cosine_similarity``.

Each is PyTorch's formula written with Tensor ops (so its graph is PyTorch's, node for
node, where PyTorch composes it too); ``soft_margin_loss`` and the two multi-class margin
losses are one op each (ops/nn.py, ops/nn_margin.py), as PyTorch's. The ``nn`` loss
classes call these.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ...amp.autocast_mode import autocast_op
from ...autograd import no_grad
from ...core.function import _wrap
from ...dtypes import FLOATING
from ...ops import arithmetic as _arithmetic
from ...ops import nn as _ops
from ...ops import nn_margin as _margin_ops
from ...ops import reduce as _reduce
from ...ops.arithmetic import where
from ...parity.errors import broadcast_error
from ...parity.names import scalar_type_name
from ...parity.promotion import result_type
from ...tensor import Tensor
from .activation import logsigmoid
from .loss import _check_broadcast, _legacy_reduction, _not_differentiable, _reduced, _reduction

# PyTorch's cosine_embedding_loss adds it to each squared norm: no 0 / 0 for zero vectors
_COSINE_EPS = 1e-12


def _zeros(like: Tensor) -> Tensor:
    return Tensor(np.zeros(like.shape, like._data.dtype))


def _number_minus(number: float, t: Tensor) -> Tensor:
    """``number - t`` as PyTorch's C++ losses compute it, ``empty_like(t).fill_(number)
    .sub_(t)``: a SubBackward0 node (``number - t`` in Python records RsubBackward1)."""
    return _wrap(np.full(t.shape, number, t._data.dtype)).sub_(t)


@autocast_op("margin_ranking_loss")
def margin_ranking_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """l = max(0, -y (x1 - x2) + margin): x1 should rank above x2 where y = 1, below it
    where y = -1, by at least ``margin``.

    Shapes: input1, input2, target (N,) or () (the same number of dims, broadcastable).

    >>> F.margin_ranking_loss(tg.tensor([1.0]), tg.tensor([0.5]), tg.tensor([-1.0]))
    tensor(0.5000)
    """
    reduction = _reduction(reduction, size_average, reduce)
    if input1.ndim != input2.ndim or input1.ndim != target.ndim:
        raise RuntimeError(
            "margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {input1.size()}, input2: {input2.size()}, target: {target.size()} ")
    _check_broadcast(input1, input2)
    loss = _arithmetic.AddScalar.apply(-target * (input1 - input2), margin).clamp_min(0)
    return _reduced(loss, reduction)


@autocast_op("hinge_embedding_loss")
def hinge_embedding_loss(
    input: Tensor,
    target: Tensor,
    margin: float = 1.0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """l = x where y = 1, max(0, margin - x) where y = -1 (x: a distance, y: +-1 labels
    of "similar" and "dissimilar").

    Shapes: input (*), target (*) broadcastable.

    >>> F.hinge_embedding_loss(tg.tensor([0.3, 0.4]), tg.tensor([1.0, -1.0]))
    tensor(0.4500)
    """
    reduction = _reduction(reduction, size_average, reduce)
    _check_broadcast(target, input)  # (target first: PyTorch's where(target != 1, ...))
    zeros = _zeros(input)
    margin_clamp = _number_minus(margin, input).clamp_min(0)
    output_margin = where(target != 1, margin_clamp, zeros)
    output_self = where(target != -1, input, zeros)
    return _reduced(output_margin + output_self, reduction)


@autocast_op("soft_margin_loss")
def soft_margin_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Two-class logistic loss: l = log(1 + exp(-y x)) for labels y = +-1.

    Shapes: input (*), target (*) broadcastable (no gradient for target).

    >>> F.soft_margin_loss(tg.tensor([0.0]), tg.tensor([1.0]))
    tensor(0.6931)
    """
    reduction = _reduction(reduction, size_average, reduce)
    _check_broadcast(input, target)
    _not_differentiable(target, "soft_margin_loss", "target")
    return _ops.SoftMarginLoss.apply(input, target, reduction)


def multilabel_soft_margin_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """One-versus-all logistic loss over C labels: the mean over classes of
    -w [y log sigmoid(x) + (1 - y) log sigmoid(-x)], y in {0, 1}.

    Shapes: input (N, C) or (C,), target the same shape, weight (C,).

    >>> F.multilabel_soft_margin_loss(tg.tensor([[0.0, 0.0]]), tg.tensor([[1.0, 0.0]]))
    tensor(0.6931)
    """
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.ndim - 1
    loss = loss.sum(dim=class_dim) / input.shape[class_dim]
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    return _reduced(loss, reduction)


def _check_margin_input(input: Tensor) -> tuple[int, int]:
    """A non-empty vector (or a number), or a matrix with classes: (samples, classes)."""
    shape = input.shape
    if not ((input.numel() > 0 and len(shape) <= 1) or (len(shape) == 2 and shape[1] > 0)):
        raise RuntimeError("Expected non-empty vector or matrix with optional 0-dim batch "
                           f"size, but got: {list(shape)}")
    if len(shape) == 2:
        return shape[0], shape[1]
    return 1, shape[0] if shape else 1


def _check_long(target: Tensor) -> None:
    if target._data.dtype != np.int64:
        raise RuntimeError(f"expected scalar type Long but found "
                           f"{scalar_type_name(target._data.dtype)}")


def _check_float(input: Tensor, kernel: str) -> None:
    if input._data.dtype not in FLOATING:
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{scalar_type_name(input._data.dtype)}'")


@autocast_op("multi_margin_loss")
def multi_margin_loss(
    input: Tensor,
    target: Tensor,
    p: int = 1,
    margin: float = 1.0,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Multi-class hinge loss: l = sum over classes j != y of
    w[y] max(0, margin - x[y] + x[j])^p / C, p = 1 or 2: the target class's score should
    beat every other by ``margin``.

    Shapes: input (N, C) or (C,), target (N,) or () int64 classes, weight (C,); output
    with reduction='none' the target's shape.

    >>> F.multi_margin_loss(tg.tensor([[0.1, 0.2, 0.4, 0.8]]), tg.tensor([3]))
    tensor(0.3250)
    """
    reduction = _reduction(reduction, size_average, reduce)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    n, c = _check_margin_input(input)
    if target.ndim > 1 or target.numel() != n:
        raise RuntimeError(
            "multi_margin_loss: target tensor should be 1-D with size equal to the number of "
            f"input samples (batch size). Expected target size [{n}], but got "
            f"{list(target.shape)}. Input has shape {list(input.shape)}.")
    if weight is not None and weight.numel() != c:
        raise RuntimeError(f"inconsistent weight size, expected {c} but got "
                           f"{list(weight.shape)}")
    _check_long(target)
    _check_float(input, "multi_margin_loss_cpu_kernel")
    if weight is not None and weight._data.dtype != input._data.dtype:
        raise RuntimeError(f"expected scalar type {scalar_type_name(input._data.dtype)} but "
                           f"found {scalar_type_name(weight._data.dtype)}")
    _not_differentiable(weight, "multi_margin_loss", "weight")
    y = target._data.reshape(-1)
    if ((y < 0) | (y >= c)).any():
        raise RuntimeError("target out of range")
    w = None if weight is None else weight._data
    return _margin_ops.MultiMarginLoss.apply(input, y.copy(), p, margin, w, reduction,
                                             target.shape)


@autocast_op("multilabel_margin_loss")
def multilabel_margin_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Multi-label hinge loss: l = sum over the target classes t and the other classes k
    of max(0, 1 - x[t] + x[k]) / C: every target class should beat every other by 1.
    Each row of ``target`` lists the target classes, ended by the first -1.

    Shapes: input (N, C) or (C,), target the same shape, int64; output with
    reduction='none' (N,) or ().

    >>> F.multilabel_margin_loss(tg.tensor([[0.1, 0.2, 0.4, 0.8]]), tg.tensor([[3, 0, -1, 1]]))
    tensor(0.8500)
    """
    reduction = _reduction(reduction, size_average, reduce)
    n, c = _check_margin_input(input)
    if (target.shape != input.shape if input.ndim == 2 else
            target.ndim > 1 or target.numel() != c):
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: "
                           f"{list(input.shape)}")
    _check_long(target)
    _check_float(input, "multilabel_margin_loss_forward_out_frame")
    y = target._data.reshape(n, c)
    if ((y < -1) | (y >= c)).any():
        raise RuntimeError("argument #2 'target' is out of range")
    return _margin_ops.MultilabelMarginLoss.apply(input, y.copy(), reduction,
                                                  (n,) if input.ndim == 2 else ())


@autocast_op("cosine_embedding_loss")
def cosine_embedding_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """l = 1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin) where y = -1.

    Shapes: input1, input2 (N, D) with target (N,), or (D,) with target ().

    >>> F.cosine_embedding_loss(tg.tensor([[1.0, 0.0]]), tg.tensor([[0.0, 1.0]]),
    ...                         tg.tensor([1]))
    tensor(1.)
    """
    reduction = _reduction(reduction, size_average, reduce)
    d = target.ndim
    if d > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if (input1.ndim, input2.ndim) != (d + 1, d + 1):
        raise RuntimeError(
            f"{d}D target tensor expects {d + 1}D input tensors, but found inputs with sizes "
            f"{list(input1.shape)} and {list(input2.shape)}.")
    # as PyTorch computes it: sums of products, each squared norm + 1e-12
    prod_sum = (input1 * input2).sum(d)
    mag_square1 = _arithmetic.AddScalar.apply((input1 * input1).sum(d), _COSINE_EPS)
    mag_square2 = _arithmetic.AddScalar.apply((input2 * input2).sum(d), _COSINE_EPS)
    cos = prod_sum / (mag_square1 * mag_square2).sqrt()
    zeros = _zeros(cos)
    output_pos = where(target == 1, _number_minus(1, cos), zeros)
    output_neg = where(target == -1, _arithmetic.SubScalar.apply(cos, margin).clamp_min(0),
                       zeros)
    return _reduced(output_pos + output_neg, reduction)


def pairwise_distance(
    x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False
) -> Tensor:
    """||x1 - x2 + eps||_p along the last dim (``eps`` keeps the gradient finite where
    x1 == x2).

    Shapes: x1, x2 (N, D) or (D,), broadcastable; output (N,) ((N, 1) with keepdim).

    >>> F.pairwise_distance(tg.tensor([[3.0, 0.0]]), tg.tensor([[0.0, 4.0]]), eps=0.0)
    tensor([5.])
    """
    out_dim = max(x1.ndim, x2.ndim)
    difference = _arithmetic.AddScalar.apply(x1 - x2, eps)  # (PyTorch's C++: its two labels)
    return _reduce.vector_norm_op(_reduce.NormScalarOptDim, difference, p,
                                  max(out_dim - 1, 0) if out_dim else None, keepdim)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """cos(x1, x2) = <x1, x2> / (||x1|| ||x2||) along ``dim`` (the inputs broadcast).

    Computed as PyTorch does, stably: each input divided by its norm clamped at ``eps``,
    then the sum of the products; the clamp is outside the graph (the gradient flows
    through the norm as if unclamped), so |cos| <= 1 and zero vectors give 0.

    Shapes: x1, x2 broadcastable, (*, D, *) along ``dim``; output without ``dim``.

    >>> F.cosine_similarity(tg.tensor([[1.0, 0.0]]), tg.tensor([[1.0, 1.0]]))
    tensor([0.7071])
    """
    dtype = result_type(x1, x2)
    if dtype.np not in FLOATING:
        raise RuntimeError("expected common dtype to be floating point, yet common dtype is "
                           f"{scalar_type_name(dtype.np)}")
    x1, x2 = (x if x._data.dtype in FLOATING else x.to(dtype) for x in (x1, x2))
    if x1.shape != x2.shape:  # (PyTorch's expand_outplace)
        try:
            shape = np.broadcast_shapes(x1.shape, x2.shape)
        except ValueError:
            raise broadcast_error(x1.shape, x2.shape) from None
        x1, x2 = x1.expand(shape), x2.expand(shape)
    x1_norm = x1.norm(2, dim, keepdim=True).clone()
    x2_norm = x2.norm(2, dim, keepdim=True).clone()
    with no_grad():  # (PyTorch's NoGradGuard: the clamp is not differentiated)
        x1_norm.clamp_min_(eps)
        x2_norm.clamp_min_(eps)
    return ((x1 / x1_norm) * (x2 / x2_norm)).sum(dim)


@autocast_op("triplet_margin_loss")
def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """l = max(0, margin + d(a, p) - d(a, n)), d the ``pairwise_distance``: the anchor
    must be closer to the positive than to the negative by ``margin``. With ``swap``,
    d(a, n) is min(d(a, n), d(p, n)).

    Shapes: anchor, positive, negative (N, D) or (D,).

    >>> F.triplet_margin_loss(tg.tensor([[0.0]]), tg.tensor([[0.5]]), tg.tensor([[2.0]]))
    tensor(0.)
    """
    reduction = _reduction(reduction, size_average, reduce)
    return _triplet(anchor, positive, negative,
                    lambda x1, x2: pairwise_distance(x1, x2, p, eps), margin, swap, reduction)


def triplet_margin_with_distance_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    *,
    distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
    margin: float = 1.0,
    swap: bool = False,
    reduction: str = "mean",
) -> Tensor:
    """``triplet_margin_loss`` with any distance: l = max(0, margin + d(a, p) - d(a, n)),
    d = ``distance_function`` (two tensors -> a tensor of distances; default
    ``pairwise_distance``). With ``swap``, d(a, n) is min(d(a, n), d(p, n)).

    >>> cos = lambda x, y: 1.0 - F.cosine_similarity(x, y)
    >>> F.triplet_margin_with_distance_loss(tg.tensor([[1.0, 0.0]]), tg.tensor([[1.0, 0.1]]),
    ...                                     tg.tensor([[0.0, 1.0]]), distance_function=cos)
    tensor(0.0050)
    """
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    distance = distance_function if distance_function is not None else pairwise_distance
    return _triplet(anchor, positive, negative, distance, margin, swap, reduction, False)


def _triplet(anchor: Tensor, positive: Tensor, negative: Tensor,
             distance: Callable[[Tensor, Tensor], Tensor], margin: float, swap: bool,
             reduction: str, scalar_add: bool = True) -> Tensor:
    """max(0, margin + d(a, p) - d(a, n)), reduced: the two triplet losses."""
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    dims = (anchor.ndim, positive.ndim, negative.ndim)
    if len(set(dims)) != 1:
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number "
            f"of dimensions, but got: anchor {dims[0]}D, positive {dims[1]}D, and negative "
            f"{dims[2]}D inputs")
    dist_pos = distance(anchor, positive)
    dist_neg = distance(anchor, negative)
    if swap:
        dist_neg = dist_neg.minimum(distance(positive, negative))
    # PyTorch's C++ triplet_margin_loss adds the number as a Scalar (AddBackward1); its
    # Python triplet_margin_with_distance_loss makes it a tensor (AddBackward0)
    ahead = _arithmetic.AddScalar.apply(dist_pos, margin) if scalar_add else margin + dist_pos
    return _reduced((ahead - dist_neg).clamp_min(0), reduction)
