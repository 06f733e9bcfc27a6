"""``EmbeddingBag``: the sum, mean or max of bags of embedding rows, in one op (PyTorch's
``embedding_bag``, so the looked-up rows are never a tensor of their own)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from . import dual
from .dual import _Op
from .movement import dual_index_add, dual_take
from .nn import _rows_add

MODES = ("sum", "mean", "max")


@dataclass(frozen=True)
class Bags:
    """Which rows go into which bag: ``positions`` (the places of ``input`` that count:
    neither ``padding_idx`` nor past the last offset), their ``indices`` (rows of the
    weight) and ``bag`` (their bag, non-decreasing), ``num_bags``, ``mode`` and ``scale``:
    each counted row's gradient factor (None: all 1): 1 / bag size for "mean", 1 / how
    often its index occurs in ``input`` with ``scale_grad_by_freq``."""

    positions: np.ndarray
    indices: np.ndarray
    bag: np.ndarray
    num_bags: int
    num_inputs: int
    mode: str
    scale: np.ndarray | None


class EmbeddingBag(_Op):
    """out[b] = reduce over the rows j of bag b of weight[indices[j]] (* per_sample_weights[j]
    with "sum"); an empty bag gives zeros.

    Backward: "sum"/"mean" send each bag's gradient (times the row's weight, / bag size)
    back to every row it was made of; "max" sends each feature's gradient to the row that
    held the maximum (the first one, on ties). d out[b] / d per_sample_weights[j] =
    weight[indices[j]], so its gradient is the dot product of the two.
    """

    _grad_fn_name = "EmbeddingBagBackward0"
    ctx_fields = ("bags", "weight_shape", "argmax")

    @staticmethod
    def forward(ctx: Any, weight: Any, per_sample_weights: Any, bags: Bags) -> Any:
        ctx.bags, ctx.weight_shape, ctx.argmax = bags, weight.shape, None
        need_weight, need_psw = ctx.needs_input_grad[:2]
        ctx.save_for_backward(weight if need_psw else None,
                              per_sample_weights if need_weight else None)
        rows = weight[bags.indices]
        shape = (bags.num_bags, weight.shape[1])
        if bags.mode == "max":
            out, ctx.argmax = _bag_max(rows, bags, shape)
            return out
        if per_sample_weights is not None:
            rows = rows * per_sample_weights[bags.positions][:, None]
        out = _rows_add(shape, bags.bag, rows) if rows.size else np.zeros(shape, rows.dtype)
        # (each bag summed in input order)
        if bags.mode == "mean":
            sizes = np.bincount(bags.bag, minlength=bags.num_bags)
            out /= np.maximum(sizes, 1).astype(out.dtype)[:, None]
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        bags, (weight, psw) = ctx.bags, ctx.saved_tensors
        need_weight, need_psw = ctx.needs_input_grad[:2]
        if bags.mode == "max":
            keep = ctx.argmax >= 0  # (empty bags pass nothing back)
            rows = (bags.indices[ctx.argmax[keep]], np.nonzero(keep)[1])
            return dual_index_add(ctx.weight_shape, rows, dual_take(grad, keep), grad), None, None
        bag_grad = dual_take(grad, bags.bag)  # (rows, D): the gradient of each row's bag
        grad_weight = grad_psw = None
        if need_weight:
            g = bag_grad
            if bags.scale is not None:
                g = g * dual.constant(bags.scale.astype(_dtype(grad))[:, None], grad)
            if psw is not None:
                g = g * dual.expand_dims(dual_take(psw, bags.positions), 1)
            grad_weight = dual_index_add(ctx.weight_shape, bags.indices, g, grad)
        if need_psw:
            # d(w_j * row_j)/dw_j = row_j: one dot product per row
            dots = dual.sum(bag_grad * dual_take(weight, bags.indices), axis=1)
            grad_psw = dual_index_add((bags.num_inputs,), bags.positions, dots, grad)
        return grad_weight, grad_psw, None


def _dtype(x: Any) -> np.dtype:
    return dual._arr(x).dtype


def _bag_max(rows: np.ndarray, bags: Bags, shape: tuple[int, int]) -> tuple[Any, Any]:
    """Each bag's feature-wise maximum (0 for an empty bag) and the row (a place in
    ``bags.indices``; -1 for an empty bag) that held it: the first one, as PyTorch's loop
    replaces the maximum only by a greater value."""
    out = np.zeros(shape, rows.dtype)
    argmax = np.full(shape, -1, np.int64)
    if not rows.shape[0]:
        return out, argmax
    starts = np.flatnonzero(np.concatenate(([True], bags.bag[1:] != bags.bag[:-1])))
    filled = bags.bag[starts]
    out[filled] = np.maximum.reduceat(rows, starts, axis=0)
    place = np.arange(rows.shape[0])[:, None]
    first = np.where(rows == out[bags.bag], place, rows.shape[0])
    argmax[filled] = np.minimum.reduceat(first, starts, axis=0)
    return out, argmax
