"""Attention, as ``torch.nn.functional``: ``scaled_dot_product_attention`` (PyTorch's math
path) and ``multi_head_attention_forward`` (what ``nn.MultiheadAttention`` runs).

Both are compositions of existing Tensor ops (matmul, softmax, where, dropout, linear),
so their gradients come from autograd; nothing here has its own backward.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

from ... import creation as _creation
from ... import dtypes
from ...amp.autocast_mode import autocast_args
from ...ops.join import cat
from ...tensor import Tensor
from .activation import dropout, softmax
from .linear import linear

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]


def _bool_to_additive(mask: Tensor, dtype: Any, masked_where: bool) -> Tensor:
    """A bool mask as an additive float mask: -inf where ``mask == masked_where``, else 0."""
    where = mask if masked_where else mask.logical_not()
    return _creation.zeros(*mask.shape, dtype=dtype).masked_fill(where, float("-inf"))


def _safe_softmax(scores: Tensor) -> Tensor:
    """softmax over the last dim, but 0 (not NaN) on rows that are all -inf (every key
    masked), as PyTorch's ``_safe_softmax``; those rows also get a zero gradient."""
    dead = (scores == float("-inf")).all(-1, keepdim=True)
    if not bool(dead.any()):
        return softmax(scores, -1)
    return softmax(scores.masked_fill(dead, 0.0), -1).masked_fill(dead, 0.0)


def _batch_label(shape: tuple[int, ...]) -> int:
    return math.prod(shape[:-2])


def _check_sdpa(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None,
                dropout_p: float, is_causal: bool) -> None:
    """PyTorch's checks (and words) for scaled_dot_product_attention's arguments."""
    if query.ndim < 2 or key.ndim < 2 or value.ndim < 2:
        raise RuntimeError(
            "Expected query, key, and value to all be  at least 2 dimensional, but got "
            f"query.dim: {query.ndim} key.dim: {key.ndim} and value.dim: {value.ndim} instead."
        )
    if not query.dtype == key.dtype == value.dtype:
        raise RuntimeError(
            "Expected query, key, and value to have the same dtype, but got query.dtype: "
            f"{_c_name(query)} key.dtype: {_c_name(key)} and value.dtype: {_c_name(value)} "
            "instead."
        )
    if attn_mask is not None and not (attn_mask.dtype.is_floating_point
                                      or attn_mask.dtype.name == "bool"
                                      or attn_mask.dtype == query.dtype):
        raise RuntimeError(
            "Expected attn_mask dtype to be bool or float or to match query dtype, but got "
            f"attn_mask.dtype: {_c_name(attn_mask)} and  query.dtype: {_c_name(query)} "
            "instead."
        )
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be "
                           "set when is_causal=True")
    if not 0.0 <= dropout_p <= 1.0:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")


def _c_name(t: Tensor) -> str:
    """The C++ name PyTorch's messages use for a dtype (``float``, ``double``, ...)."""
    names = {"float32": "float", "float64": "double", "float16": "c10::Half",
             "bfloat16": "c10::BFloat16", "int64": "long int", "int32": "int",
             "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
             "bool": "bool"}
    return names.get(t.dtype.name, t.dtype.name)


def _check_bmm(batch1: tuple[int, ...], batch2: tuple[int, ...]) -> None:
    """The shape error PyTorch's bmm gives for ``batch1 @ batch2`` (batch dims flattened)."""
    b = _batch_label(batch1)
    if batch2[-2] != batch1[-1]:
        raise RuntimeError(
            "Expected size for first two dimensions of batch2 tensor to be: "
            f"[{b}, {batch1[-1]}] but got: [{_batch_label(batch2)}, {batch2[-2]}]."
        )


def _repeat_heads(query: Tensor, key: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    """Grouped-query attention: each key/value head serves several query heads."""
    if query.ndim < 3 or key.ndim < 3 or value.ndim < 3:
        return key, value
    q_heads, k_heads, v_heads = query.shape[-3], key.shape[-3], value.shape[-3]
    if q_heads % k_heads or q_heads % v_heads:
        raise RuntimeError(
            "Number of heads in key and value must divide the number of heads in query"
        )
    return (key.repeat_interleave(q_heads // k_heads, -3),
            value.repeat_interleave(q_heads // v_heads, -3))


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    """softmax(Q K^T * scale + mask) V, with dropout on the attention weights.

    Shapes: query (*, L, E), key (*, S, E), value (*, S, Ev) -> (*, L, Ev); ``scale``
    defaults to 1/sqrt(E). ``attn_mask`` broadcasts to (*, L, S): a bool mask says which
    keys each query may attend to (True = attend), a float mask is added to the scores.
    ``is_causal`` uses the lower-triangular mask. A query that may attend to nothing gets
    0 (PyTorch's safe softmax). As PyTorch's math path, Q and K are each multiplied by
    sqrt(scale) before the product (smaller numbers in low precision).

    >>> q = tg.randn(2, 3, 4)
    >>> F.scaled_dot_product_attention(q, q, q, is_causal=True).shape
    tinygrad_edu.Size([2, 3, 4])
    """
    query, key, value, attn_mask = autocast_args(
        "scaled_dot_product_attention", query, key, value, attn_mask)
    _check_sdpa(query, key, value, attn_mask, dropout_p, is_causal)
    factor = math.sqrt(abs(scale) if scale is not None else 1.0 / math.sqrt(query.shape[-1]))
    q = query * (-factor if scale is not None and scale < 0 else factor)
    if is_causal:
        causal = _creation.ones(query.shape[-2], key.shape[-2], dtype=dtypes.bool).tril()
        attn_mask = _bool_to_additive(causal, query.dtype, masked_where=False)
    elif attn_mask is not None and attn_mask.dtype.name == "bool":
        attn_mask = _bool_to_additive(attn_mask, query.dtype, masked_where=False)
    if enable_gqa:
        key, value = _repeat_heads(query, key, value)
    _check_bmm(tuple(q.shape), tuple(key.transpose(-2, -1).shape))
    scores = q.matmul(key.transpose(-2, -1) * factor)
    if attn_mask is not None:
        scores = scores + attn_mask
    weights = _safe_softmax(scores)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p, True)
    _check_bmm(tuple(weights.shape), tuple(value.shape))
    return weights.matmul(value)


# ----------------------------------------------------------------- multi-head attention


def _mha_shape_check(query: Tensor, key: Tensor, value: Tensor,
                     key_padding_mask: Tensor | None, attn_mask: Tensor | None,
                     num_heads: int) -> bool:
    """PyTorch's rank checks; True for a batched (3-D) query."""
    if query.ndim not in (2, 3):
        raise AssertionError("query should be unbatched 2D or batched 3D tensor but received "
                             f"{query.ndim}-D query tensor")
    batched = query.ndim == 3
    kind, want = ("batched (3-D)", 3) if batched else ("unbatched (2-D)", 2)
    if key.ndim != want or value.ndim != want:
        raise AssertionError(f"For {kind} `query`, expected `key` and `value` to be {want}-D "
                             f"but found {key.ndim}-D and {value.ndim}-D tensors respectively")
    if key_padding_mask is not None and key_padding_mask.ndim != want - 1:
        raise AssertionError(f"For {kind} `query`, expected `key_padding_mask` to be `None` "
                             f"or {want - 1}-D but found {key_padding_mask.ndim}-D tensor "
                             "instead")
    if attn_mask is not None and attn_mask.ndim not in (2, 3):
        raise AssertionError(f"For {kind} `query`, expected `attn_mask` to be `None`, 2-D or "
                             f"3-D but found {attn_mask.ndim}-D tensor instead")
    if not batched and attn_mask is not None and attn_mask.ndim == 3:
        expected = (num_heads, query.shape[0], key.shape[0])
        if tuple(attn_mask.shape) != expected:
            raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got "
                                 f"{attn_mask.shape}")
    return batched


def _canonical_mask(mask: Tensor | None, name: str, dtype: Any) -> Tensor | None:
    """A bool mask (True = masked out) as an additive float mask; a float mask as is."""
    if mask is None:
        return None
    if mask.dtype.name != "bool" and not mask.dtype.is_floating_point:
        raise AssertionError(f"only bool and floating types of {name} are supported")
    if mask.dtype.name == "bool":
        return _bool_to_additive(mask, dtype, masked_where=True)
    return mask


def _pad_one(mask: Tensor) -> Tensor:
    """One more key column, not masked (PyTorch: ``F.pad(mask, (0, 1))``)."""
    return cat([mask, _creation.zeros(*mask.shape[:-1], 1, dtype=mask.dtype)], -1)


def _in_projection_packed(q: Tensor, k: Tensor, v: Tensor, w: Tensor,
                          b: Tensor | None) -> tuple[Tensor, Tensor, Tensor]:
    """Q, K, V projections from the packed (3E, E) weight: one linear for self-attention,
    two when key is value, three otherwise (PyTorch's choice)."""
    e = q.shape[-1]
    if k is v and q is k:
        proj = linear(q, w, b)
        parts = proj.unflatten(-1, (3, e)).unsqueeze(0).transpose(0, -2).squeeze(-2)
        parts = parts.contiguous()
        return parts[0], parts[1], parts[2]
    if k is v:
        w_q, w_kv = w.split([e, 2 * e])
        b_q, b_kv = (None, None) if b is None else b.split([e, 2 * e])
        kv = linear(k, w_kv, b_kv).unflatten(-1, (2, e)).unsqueeze(0).transpose(0, -2)
        kv = kv.squeeze(-2).contiguous()
        return linear(q, w_q, b_q), kv[0], kv[1]
    w_q, w_k, w_v = w.chunk(3)
    b_q, b_k, b_v = (None, None, None) if b is None else b.chunk(3)
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def multi_head_attention_forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    embed_dim_to_check: int,
    num_heads: int,
    in_proj_weight: Tensor | None,
    in_proj_bias: Tensor | None,
    bias_k: Tensor | None,
    bias_v: Tensor | None,
    add_zero_attn: bool,
    dropout_p: float,
    out_proj_weight: Tensor,
    out_proj_bias: Tensor | None,
    training: bool = True,
    key_padding_mask: Tensor | None = None,
    need_weights: bool = True,
    attn_mask: Tensor | None = None,
    use_separate_proj_weight: bool = False,
    q_proj_weight: Tensor | None = None,
    k_proj_weight: Tensor | None = None,
    v_proj_weight: Tensor | None = None,
    static_k: Tensor | None = None,
    static_v: Tensor | None = None,
    average_attn_weights: bool = True,
    is_causal: bool = False,
) -> tuple[Tensor, Tensor | None]:
    """Multi-head attention on sequence-first tensors: project Q, K, V, split the
    embedding into ``num_heads`` heads, attend in each head, concatenate, project out.

    Shapes: query (L, N, E), key (S, N, Ek), value (S, N, Ev) (or without N, unbatched) ->
    ``(output (L, N, E), weights (N, L, S) averaged over heads, or (N, H, L, S), or
    None)``. Masks: ``key_padding_mask`` (N, S), ``attn_mask`` (L, S) or (N*H, L, S);
    bool True = masked out, float = added to the scores.

    >>> x, w = tg.randn(3, 2, 4), tg.randn(12, 4)
    >>> F.multi_head_attention_forward(x, x, x, 4, 2, w, None, None, None, False, 0.0,
    ...                                tg.randn(4, 4), None)[0].shape
    tinygrad_edu.Size([3, 2, 4])
    """
    batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    if (key_padding_mask is not None and attn_mask is not None
            and key_padding_mask.dtype != attn_mask.dtype):
        warnings.warn("Support for mismatched key_padding_mask and attn_mask is deprecated. "
                      "Use same type for both instead.", stacklevel=2)
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError(
            "Need attn_mask if specifying the is_causal hint. You may use the Transformer "
            "module method `generate_square_subsequent_mask` to create this mask."
        )
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # the causal mask is rebuilt by scaled_dot_product_attention
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", query.dtype)
        is_causal = is_causal and key_padding_mask is None
    head_dim = _check_mha_dims(query, key, value, embed_dim_to_check, num_heads,
                               use_separate_proj_weight)
    q, k, v = _project(query, key, value, in_proj_weight, in_proj_bias,
                       use_separate_proj_weight, q_proj_weight, k_proj_weight, v_proj_weight)
    attn_mask = _check_attn_mask(attn_mask, tgt_len, key.shape[0], bsz * num_heads)
    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        k, v = cat([k, bias_k.repeat(1, bsz, 1)]), cat([v, bias_v.repeat(1, bsz, 1)])
        attn_mask = None if attn_mask is None else _pad_one(attn_mask)
        key_padding_mask = None if key_padding_mask is None else _pad_one(key_padding_mask)
    elif bias_k is not None or bias_v is not None:
        raise AssertionError("bias_k is set but bias_v is None" if bias_k is not None
                             else "bias_v is set but bias_k is None")
    # (L, N, E) -> (N * heads, L, head_dim): each head is one batch entry
    q = q.view(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = _heads(k, static_k, "static_k", bsz * num_heads, head_dim)
    v = _heads(v, static_v, "static_v", bsz * num_heads, head_dim)
    if add_zero_attn:
        zeros = _creation.zeros(bsz * num_heads, 1, head_dim, dtype=k.dtype)
        k, v = cat([k, zeros], 1), cat([v, zeros], 1)
        attn_mask = None if attn_mask is None else _pad_one(attn_mask)
        key_padding_mask = None if key_padding_mask is None else _pad_one(key_padding_mask)
    src_len = k.shape[1]
    if key_padding_mask is not None:
        _check_key_padding_mask(key_padding_mask, src_len, bsz)
        key_padding_mask = (key_padding_mask.view(bsz, 1, 1, src_len)
                            .expand(-1, num_heads, -1, -1).reshape(bsz * num_heads, 1, src_len))
        attn_mask = key_padding_mask if attn_mask is None else attn_mask + key_padding_mask
    dropout_p = dropout_p if training else 0.0
    if need_weights:
        out, weights = _attend_with_weights(q, k, v, attn_mask, dropout_p)
    else:
        if attn_mask is not None:
            attn_mask = (attn_mask.unsqueeze(0) if attn_mask.shape[0] == 1
                         else attn_mask.view(bsz, num_heads, -1, src_len))
        out = scaled_dot_product_attention(
            q.view(bsz, num_heads, tgt_len, head_dim), k.view(bsz, num_heads, src_len, head_dim),
            v.view(bsz, num_heads, src_len, head_dim), attn_mask, dropout_p, is_causal)
        out, weights = out.permute(2, 0, 1, 3), None
    out = linear(out.reshape(tgt_len * bsz, embed_dim), out_proj_weight, out_proj_bias)
    out = out.view(tgt_len, bsz, out.shape[1])
    if weights is not None:
        weights = weights.view(bsz, num_heads, tgt_len, src_len)
        weights = weights.mean(1) if average_attn_weights else weights
        weights = weights if batched else weights.squeeze(0)
    return (out if batched else out.squeeze(1)), weights


def _attend_with_weights(q: Tensor, k: Tensor, v: Tensor, attn_mask: Tensor | None,
                         dropout_p: float) -> tuple[Tensor, Tensor]:
    """softmax(Q K^T / sqrt(d) + mask) V on (N*H, L, d) heads, also returning the weights;
    the output comes back as (L, N*H, d)."""
    q_scaled = q * math.sqrt(1.0 / float(q.shape[-1]))
    if attn_mask is not None:
        scores = attn_mask.baddbmm(q_scaled, k.transpose(-2, -1))
    else:
        scores = q_scaled.bmm(k.transpose(-2, -1))
    weights = softmax(scores, -1)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p)
    return weights.bmm(v).transpose(0, 1), weights


def _check_mha_dims(query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int,
                    num_heads: int, separate: bool) -> int:
    """PyTorch's checks of the embedding sizes; the head size."""
    embed_dim = query.shape[2]
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but "
                             f"got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if separate and key.shape[:2] != value.shape[:2]:
        raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match "
                             f"value's {value.shape[:2]}")
    if not separate and key.shape != value.shape:
        raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")
    return head_dim


def _project(query: Tensor, key: Tensor, value: Tensor, in_proj_weight: Tensor | None,
             in_proj_bias: Tensor | None, separate: bool, q_proj_weight: Tensor | None,
             k_proj_weight: Tensor | None,
             v_proj_weight: Tensor | None) -> tuple[Tensor, Tensor, Tensor]:
    """The input projections, from the packed weight or the three separate ones."""
    if not separate:
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        return _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias)
    for name, w in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
        if w is None:
            raise AssertionError(f"use_separate_proj_weight is True but {name}_proj_weight is "
                                 "None")
    assert q_proj_weight is not None and k_proj_weight is not None and v_proj_weight is not None
    b_q, b_k, b_v = (None, None, None) if in_proj_bias is None else in_proj_bias.chunk(3)
    return (linear(query, q_proj_weight, b_q), linear(key, k_proj_weight, b_k),
            linear(value, v_proj_weight, b_v))


def _check_attn_mask(mask: Tensor | None, tgt_len: int, src_len: int,
                     heads: int) -> Tensor | None:
    """A 2-D mask (L, S) gets a leading 1; a 3-D one must be (N*H, L, S)."""
    if mask is None:
        return None
    if mask.ndim == 2:
        if tuple(mask.shape) != (tgt_len, src_len):
            raise RuntimeError(f"The shape of the 2D attn_mask is {mask.shape}, but should be "
                               f"{(tgt_len, src_len)}.")
        return mask.unsqueeze(0)
    if mask.ndim == 3:
        if tuple(mask.shape) != (heads, tgt_len, src_len):
            raise RuntimeError(f"The shape of the 3D attn_mask is {mask.shape}, but should be "
                               f"{(heads, tgt_len, src_len)}.")
        return mask
    raise RuntimeError(f"attn_mask's dimension {mask.ndim} is not supported")


def _heads(x: Tensor, static: Tensor | None, name: str, heads: int, head_dim: int) -> Tensor:
    """(S, N, E) -> (N*H, S, head_dim), or the given precomputed ``static`` one."""
    if static is None:
        return x.view(x.shape[0], heads, head_dim).transpose(0, 1)
    if static.shape[0] != heads:
        raise AssertionError(f"expecting {name}.size(0) of {heads}, but got {static.shape[0]}")
    if static.shape[2] != head_dim:
        raise AssertionError(f"expecting {name}.size(2) of {head_dim}, but got "
                             f"{static.shape[2]}")
    return static


def _check_key_padding_mask(mask: Tensor, src_len: int, bsz: int) -> None:
    if mask.shape[0] != bsz:
        raise AssertionError(f"Expected key_padded_mask.shape[0] to be {bsz}, but got "
                             f"{mask.shape[0]}")
    if mask.shape[1] != src_len:
        raise AssertionError(f"Expected key_padded_mask.shape[1] to be {src_len}, but got "
                             f"{mask.shape[1]}")
