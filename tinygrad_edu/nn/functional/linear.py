"""``F.linear``: y = x @ W.T + b, recorded as PyTorch records it (one addmm); ``F.bilinear``."""

from __future__ import annotations

import math

from ...amp.autocast_mode import autocast_args
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
    input, weight, bias = autocast_args("linear", input, weight, bias)
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


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y[..., o] = sum over i, j of x1[..., i] W[o, i, j] x2[..., j] + b[o].

    Shapes: input1 (*, in1), input2 (*, in2) with the same leading dims, weight (out, in1,
    in2), bias (out,) -> (*, out). Computed as one matrix product x1 @ W (in1 x out * in2),
    then a product with x2 summed over j (a composite of recorded ops).

    >>> F.bilinear(tg.ones(2, 3), tg.ones(2, 4), tg.ones(5, 3, 4)).shape
    tinygrad_edu.Size([2, 5])
    """
    x1, x2, w = input1.shape, input2.shape, weight.shape
    if len(x1) != len(x2):
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {len(x1)} and "
                           f"{len(x2)}")
    for i, (a, b) in enumerate(zip(x1[:-1], x2[:-1])):
        if a != b:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {i}: "
                               f"got {a} and {b}")
    if x1[-1] != w[1]:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got {x1[-1]} "
                           f"but expected {w[1]}")
    if x2[-1] != w[2]:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got {x2[-1]} "
                           f"but expected {w[2]}")
    if bias is not None and bias.shape[-1] != w[0]:
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got "
                           f"{bias.shape[-1]} but expected {w[0]}")
    out_f, in1, in2 = w
    flat = weight.permute(1, 0, 2).reshape(in1, out_f * in2)  # W as (in1, out * in2)
    left = input1.reshape(-1, in1).matmul(flat).reshape(-1, out_f, in2)
    prod = left * input2.reshape(-1, 1, in2)
    out = prod.sum(-1)
    if out.dtype != prod.dtype:  # integers keep their dtype in PyTorch's bilinear
        out = out.to(prod.dtype)
    out = out.view(*x1[:-1], out_f)  # PyTorch's last node without bias: a view
    return out + bias if bias is not None else out
