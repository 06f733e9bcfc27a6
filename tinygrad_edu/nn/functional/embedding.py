"""Lookups by index: ``F.one_hot``, ``F.embedding`` (with ``max_norm`` renormalisation) and
``F.embedding_bag``."""

from __future__ import annotations

import warnings

import numpy as np

from ...core.function import bump_version
from ...ops import embedding_bag as _bag_ops
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


# ------------------------------------------------------------------------ embedding_bag


def embedding_bag(
    input: Tensor,
    weight: Tensor,
    offsets: Tensor | None = None,
    max_norm: float | None = None,
    norm_type: float = 2,
    scale_grad_by_freq: bool = False,
    mode: str = "mean",
    sparse: bool = False,
    per_sample_weights: Tensor | None = None,
    include_last_offset: bool = False,
    padding_idx: int | None = None,
) -> Tensor:
    """The ``mode`` ("sum", "mean" or "max", feature-wise) of each bag of rows of
    ``weight``, without making the looked-up rows a tensor of their own.

    Bags: a 2-D ``input`` (B, N) is B bags of N indices (``offsets`` must be None); a 1-D
    ``input`` is the bags one after the other, bag b starting at ``offsets[b]`` (offsets[0]
    = 0; with ``include_last_offset`` the last offset is where the last bag ends, len(input)
    as in the CSR format, so there are len(offsets) - 1 bags; a smaller last offset leaves
    the entries after it out, where PyTorch's kernels disagree by dtype and mode). Entries
    equal to ``padding_idx`` are left out (they do not count in a mean); an empty bag gives
    zeros. ``per_sample_weights`` (input's shape, "sum" only) multiplies each row first.
    -> (B, embedding_dim). ``scale_grad_by_freq``
    divides each row's gradient by how often its index occurs in ``input``, as documented
    (PyTorch's embedding_bag divides by the count of another index when the counts differ,
    a bug: ``F.embedding`` followed by a sum gives the numbers here).

    >>> w = tg.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    >>> F.embedding_bag(tg.tensor([0, 1, 2, 2]), w, tg.tensor([0, 3]), mode="sum")
    tensor([[ 9., 12.],
            [ 5.,  6.]])
    """
    if weight.dtype.name == "int64" and input.dtype.is_floating_point:
        warnings.warn(
            "Argument order of nn.functional.embedding_bag was changed. Usage "
            "`embedding_bag(weight, input, ...)` is deprecated, and should now be "
            "`embedding_bag(input, weight, ...)`.", stacklevel=2)
        weight, input = input, weight
    if per_sample_weights is not None and input.shape != per_sample_weights.shape:
        raise ValueError(
            f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, "
            f"then it must have the same shape as the input ({input.shape})")
    if weight.ndim != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.ndim}")
    idx, starts, include_last_offset = _bag_inputs(input, offsets, include_last_offset)
    _check_bag_mode(mode, scale_grad_by_freq, sparse)
    if max_norm is not None:
        _embedding_renorm_(weight, input, max_norm, norm_type)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
            f"supported for mode='sum' (got mode='{mode}'). Please open a feature request "
            "on GitHub.")
    if sparse:
        raise NotImplementedError(
            "embedding_bag(sparse=True): tinygrad_edu has no sparse tensors; use sparse=False")
    psw = None
    if per_sample_weights is not None:
        psw = per_sample_weights.reshape(-1)
        if psw.dtype != weight.dtype:
            raise RuntimeError(
                f"Expected tensor for argument #1 'weight' to have the same type as tensor for "
                f"argument #1 'per_sample_weights'; but type torch.{_type_name(weight)}Tensor "
                f"does not equal torch.{_type_name(psw)}Tensor (while checking arguments for "
                "embedding_bag)")
    bags = _bag_plan(idx, starts, include_last_offset, weight.shape[0], mode,
                     _bag_padding_index(padding_idx, weight.shape[0]), scale_grad_by_freq,
                     mode != "max" and weight.dtype.name in ("float32", "float16", "bfloat16"))
    return _bag_ops.EmbeddingBag.apply(weight, psw, bags)


def _bag_inputs(input: Tensor, offsets: Tensor | None,
                include_last_offset: bool) -> tuple[np.ndarray, np.ndarray, bool]:
    """The flat index array and the offsets array (a 2-D input: one bag per row)."""
    if input.ndim == 2:
        if offsets is not None:
            raise ValueError(
                "if input is 2D, then offsets has to be None, as input is treated is a "
                "mini-batch of fixed length sequences. However, found offsets of type "
                f"{type(offsets)}")
        idx = _index_array(input, "#1", "embedding_bag").reshape(-1)
        return idx, np.arange(0, idx.size, input.shape[1], dtype=np.int64), False
    if input.ndim != 1:
        raise ValueError(
            f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.ndim}")
    if offsets is None:
        raise ValueError("offsets has to be a 1D Tensor but got None")
    if offsets.ndim != 1:
        raise ValueError("offsets has to be a 1D Tensor")
    idx = _index_array(input, "#1", "embedding_bag")
    return idx, _index_array(offsets, "#1", "embedding_bag").astype(np.int64), include_last_offset


def _check_bag_mode(mode: str, scale_grad_by_freq: bool, sparse: bool) -> None:
    if mode not in _bag_ops.MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if mode == "max" and sparse:
        raise ValueError("max mode does not support sparse weights")


def _bag_padding_index(padding_idx: int | None, n: int) -> int:
    """``padding_idx`` as a row number; -1 for None."""
    if padding_idx is None:
        return -1
    if not -n <= padding_idx < n:
        raise RuntimeError(f"padding_idx must be within the number of embeddings, -{n} "
                           f"through {n - 1}, but got {padding_idx}")
    return padding_idx % n


def _bag_plan(idx: np.ndarray, starts: np.ndarray, include_last_offset: bool, n: int,
              mode: str, padding_idx: int, by_freq: bool, fast_kernel: bool) -> _bag_ops.Bags:
    """Checks the indices and offsets as PyTorch does (``fast_kernel``: PyTorch's kernel for
    sum and mean in float32 and below, whose messages differ); the ``Bags`` of
    EmbeddingBag."""
    if include_last_offset and starts.size < 1:
        raise RuntimeError("include_last_offset: number of offset should be at least 1")
    if starts.size and starts[0] != 0:
        raise RuntimeError(
            "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start "
            f"from position 0. However, got {starts[0]}\n[ torch.LongTensor{{}} ]")
    if starts.size and starts[-1] > idx.size:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {idx.size} "
                           f"but got offsets[-1] of {starts[-1]}")
    if np.any(np.diff(starts) < 0):  # (PyTorch's "sum" message; its "max" reads garbage)
        raise RuntimeError("Expected i < index_size to be true, but got false.  (Could this "
                           "error message be improved?  If so, please report an enhancement "
                           "request to PyTorch.)")
    bad = np.flatnonzero((idx < 0) | (idx >= n))
    if bad.size and fast_kernel:  # (PyTorch's two kernels word it differently)
        raise RuntimeError(f"Index {bad[0]} of input takes value {idx[bad[0]]} which is not "
                           f"in the valid range [0, {n})")
    if bad.size:
        raise RuntimeError("embedding_bag: Expected idx >= 0 && idx < num_embeddings but "
                           f"found idx to be {idx[bad[0]]}")
    num_bags = starts.size - 1 if include_last_offset else starts.size
    end = starts[-1] if include_last_offset else idx.size if starts.size else 0
    positions = np.arange(end)
    positions = positions[idx[:end] != padding_idx] if padding_idx >= 0 else positions
    bag = np.searchsorted(starts, positions, side="right") - 1
    scale = None
    if mode == "mean":
        scale = 1.0 / np.bincount(bag, minlength=num_bags)[bag]
    if by_freq:
        _, inverse, counts = np.unique(idx, return_inverse=True, return_counts=True)
        freq = 1.0 / counts[inverse.reshape(-1)][positions]
        scale = freq if scale is None else scale * freq
    return _bag_ops.Bags(positions, idx[positions], bag, num_bags, idx.size, mode, scale)
