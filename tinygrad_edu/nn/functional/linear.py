"""``F.linear``: y = x @ W.T + b, recorded as PyTorch records it (one addmm)."""

from __future__ import annotations

import math

from ...ops import matmul as _matmul_ops
from ...tensor import Tensor
from ._common import _shape_list, _type_name

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
