"""Lookups by index: ``F.one_hot`` and ``F.embedding`` (with ``max_norm`` renormalisation)."""

from __future__ import annotations

import numpy as np

from ...core.function import bump_version
from ...ops import nn as _ops
from ...tensor import Tensor, _wrap
from ._common import _check_tensor, _shape_list, _type_name


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


# ---------------------------------------------------------------------------- embedding


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
