"""Attention against PyTorch: ``F.scaled_dot_product_attention``, ``nn.MultiheadAttention``,
``nn.TransformerEncoderLayer``, ``nn.TransformerEncoder``, ``nn.TransformerDecoderLayer``,
``nn.TransformerDecoder`` and ``nn.Transformer``.

Modules are built after the same ``manual_seed`` in both libraries: parameter names and
initial values must be equal. Then values and the gradients of the inputs and every
parameter are compared in float64 (dropout included: PyTorch's random stream).
"""

from __future__ import annotations

import itertools
import warnings
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F

torch = pytest.importorskip("torch")
torch.set_num_threads(1)
TF = torch.nn.functional

RNG = np.random.default_rng(0)
Q, K, V = (RNG.standard_normal(s) for s in ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7)))


def _sdpa_parity(arrays: list[np.ndarray], **kwargs: Any) -> None:
    results = []
    for lib, fn in ((tg, F), (torch, TF)):
        tensors = [lib.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
        lib.manual_seed(0)
        mask = tensors[3] if len(tensors) > 3 else None
        out = fn.scaled_dot_product_attention(*tensors[:3], attn_mask=mask, **kwargs)
        (out * out).sum().backward()
        results.append([out.detach().numpy()] + [t.grad.numpy() for t in tensors if t.grad
                                                 is not None])
    for i, (a, b) in enumerate(zip(*results)):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=f"result {i}")


BOOL_MASK = RNG.standard_normal((4, 6)) > 0
BOOL_MASK[1] = False  # a query that may attend to nothing: 0, as PyTorch's safe softmax


@pytest.mark.parametrize("arrays,kwargs", [
    ([Q, K, V], {}),
    ([Q, K, V], dict(is_causal=True)),
    ([Q, K, V], dict(scale=0.7)),
    ([Q, K, V], dict(scale=-0.3)),
    ([Q, K, V, BOOL_MASK], {}),
    ([Q, K, V, RNG.standard_normal((3, 1, 6))], {}),
    ([Q, K, V], dict(dropout_p=0.4)),
    ([Q, K, V, BOOL_MASK], dict(dropout_p=0.2, scale=0.5)),
    ([RNG.standard_normal((2, 6, 4, 5)), K, V], dict(enable_gqa=True)),
    ([Q[0, 0], K[0, 0], V[0, 0]], dict(is_causal=True)),
])
def test_sdpa_matches_torch(arrays: list[np.ndarray], kwargs: dict[str, Any]) -> None:
    _sdpa_parity(arrays, **kwargs)


def test_sdpa_float32_matches_torch() -> None:
    q, k, v = (tg.tensor(a.astype(np.float32)) for a in (Q, K, V))
    ours = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    theirs = TF.scaled_dot_product_attention(*(torch.tensor(a.astype(np.float32))
                                               for a in (Q, K, V)), is_causal=True)
    assert ours.dtype == tg.float32
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, atol=1e-6)


def _same_error(call: Any) -> None:
    caught = []
    for lib in (tg, torch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(Exception) as info:
                call(lib)
        caught.append((type(info.value), str(info.value).replace("torch.", "tinygrad_edu.")))
    assert caught[0] == caught[1]


def _sdpa(lib: Any, *shapes: tuple[int, ...], **kwargs: Any) -> Any:
    fn = F if lib is tg else TF
    return fn.scaled_dot_product_attention(*(lib.ones(*s) for s in shapes), **kwargs)


@pytest.mark.parametrize("call", [
    lambda lib: _sdpa(lib, (2, 3, 4), (2, 5, 4), (2, 5, 6), is_causal=True,
                      attn_mask=lib.ones(3, 5, dtype=lib.bool)),
    lambda lib: _sdpa(lib, (2, 3, 4), (2, 5, 3), (2, 5, 6)),
    lambda lib: _sdpa(lib, (2, 3, 4), (2, 5, 4), (2, 4, 6)),
    lambda lib: _sdpa(lib, (4,), (4,), (4,)),
    lambda lib: _sdpa(lib, (2, 3, 4), (2, 5, 4), (2, 5, 6), dropout_p=1.5),
    lambda lib: _sdpa(lib, (2, 3, 4), (2, 5, 4), (2, 5, 6),
                      attn_mask=lib.zeros(3, 5, dtype=lib.int64)),
    lambda lib: (F if lib is tg else TF).scaled_dot_product_attention(
        lib.ones(2, 3, 4), lib.ones(2, 5, 4, dtype=lib.float64), lib.ones(2, 5, 4)),
])
def test_sdpa_errors_match_torch(call: Any) -> None:
    _same_error(call)


# ---------------------------------------------------------------- nn.MultiheadAttention

MHA_OPTIONS = [dict(), dict(batch_first=True), dict(bias=False),
               dict(add_bias_kv=True, add_zero_attn=True), dict(kdim=3, vdim=5),
               dict(dropout=0.3)]


def _mha_pair(kwargs: dict[str, Any]) -> tuple[Any, Any]:
    modules = []
    for lib in (tg, torch):
        lib.manual_seed(0)
        modules.append(lib.nn.MultiheadAttention(8, 2, **kwargs).double())
    mine, theirs = modules
    assert [n for n, _ in mine.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    for (n, p), q in zip(mine.named_parameters(), theirs.parameters()):
        assert np.array_equal(p.detach().numpy(), q.detach().numpy()), f"init of {n}"
    return mine, theirs


@pytest.mark.parametrize("need_weights,average", [(True, True), (True, False), (False, True)])
@pytest.mark.parametrize("masks", ["none", "padding", "both"])
@pytest.mark.parametrize("kwargs", MHA_OPTIONS, ids=str)
def test_multihead_attention_matches_torch(kwargs: dict[str, Any], masks: str,
                                           need_weights: bool, average: bool) -> None:
    mine, theirs = _mha_pair(kwargs)
    bf = kwargs.get("batch_first", False)
    shape = (lambda n, d: (2, n, d)) if bf else (lambda n, d: (n, 2, d))
    x = RNG.standard_normal(shape(4, 8))
    cross = [RNG.standard_normal(shape(5, kwargs.get(d, 8))) for d in ("kdim", "vdim")]
    for self_attention in (False, True) if "kdim" not in kwargs else (False,):
        src = 4 if self_attention else 5
        padding = np.zeros((2, src), bool)
        padding[0, 1] = True
        attn_mask = RNG.standard_normal((4, src))
        results = []
        for lib, module in ((tg, mine), (torch, theirs)):
            module.zero_grad()
            tensors = [lib.tensor(a, requires_grad=True) for a in [x, *cross, attn_mask]]
            q, k, v = (tensors[0],) * 3 if self_attention else tensors[:3]
            lib.manual_seed(1)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # (mismatched mask types: deprecated)
                out, weights = module(
                    q, k, v,
                    key_padding_mask=None if masks == "none" else lib.tensor(padding),
                    attn_mask=tensors[3] if masks == "both" else None,
                    need_weights=need_weights, average_attn_weights=average)
            assert (weights is None) == (not need_weights)
            loss = (out * out).sum() + (0 if weights is None else (weights * weights).sum())
            loss.backward()
            results.append([out.detach().numpy()]
                           + [t.grad.numpy() for t in tensors if t.grad is not None]
                           + [p.grad.numpy() for p in module.parameters()])
        for i, (a, b) in enumerate(zip(*results)):
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-11, err_msg=f"result {i}")


def test_multihead_attention_unbatched_and_causal_match_torch() -> None:
    mine, theirs = _mha_pair({})
    x = RNG.standard_normal((4, 8))
    causal = np.triu(np.full((4, 4), -np.inf), 1)
    outs = []
    for lib, module in ((tg, mine), (torch, theirs)):
        t = lib.tensor(x)
        a, w = module(t, t, t)
        b, _ = module(t, t, t, attn_mask=lib.tensor(causal), need_weights=False, is_causal=True)
        outs.append([a.detach().numpy(), w.detach().numpy(), b.detach().numpy()])
    for a, b in zip(*outs):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_multihead_attention_state_dict_loads_both_ways() -> None:
    for kwargs in (dict(), dict(kdim=3, vdim=5, add_bias_kv=True)):
        mine, theirs = tg.nn.MultiheadAttention(8, 2, **kwargs), \
            torch.nn.MultiheadAttention(8, 2, **kwargs)
        assert list(mine.state_dict()) == list(theirs.state_dict())
        mine.load_state_dict({k: tg.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
        theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in mine.state_dict().items()})
        assert repr(mine) == repr(theirs)


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.MultiheadAttention(0, 2),
    lambda lib: lib.nn.MultiheadAttention(6, 4),
    lambda lib: lib.nn.MultiheadAttention(8, 2)(lib.ones(3, 2, 8), lib.ones(3, 2, 8),
                                                lib.ones(3, 8)),
    lambda lib: lib.nn.MultiheadAttention(8, 2)(lib.ones(3, 2, 6), lib.ones(3, 2, 6),
                                                lib.ones(3, 2, 6)),
    lambda lib: lib.nn.MultiheadAttention(8, 2)(lib.ones(3, 2, 8), lib.ones(4, 2, 8),
                                                lib.ones(5, 2, 8)),
    lambda lib: lib.nn.MultiheadAttention(8, 2)(lib.ones(3, 2, 8), lib.ones(3, 2, 8),
                                                lib.ones(3, 2, 8), attn_mask=lib.ones(3, 4)),
    lambda lib: lib.nn.MultiheadAttention(8, 2)(lib.ones(3, 2, 8), lib.ones(3, 2, 8),
                                                lib.ones(3, 2, 8),
                                                key_padding_mask=lib.ones(2, 4)),
    lambda lib: lib.nn.MultiheadAttention(8, 2)(lib.ones(3, 2, 8), lib.ones(3, 2, 8),
                                                lib.ones(3, 2, 8),
                                                key_padding_mask=lib.ones(2, 3, dtype=lib.int64)),
    lambda lib: lib.nn.MultiheadAttention(8, 2)(lib.ones(3, 2, 8), lib.ones(3, 2, 8),
                                                lib.ones(3, 2, 8), is_causal=True),
    lambda lib: lib.nn.MultiheadAttention(8, 2)(lib.ones(2, 3, 2, 8), lib.ones(3, 2, 8),
                                                lib.ones(3, 2, 8)),
])
def test_multihead_attention_errors_match_torch(call: Any) -> None:
    _same_error(call)


# ------------------------------------------------------------------------ transformer


def _encoder(lib: Any, kwargs: dict[str, Any], stacked: bool) -> Any:
    lib.manual_seed(0)
    layer = lib.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, **kwargs)
    if not stacked:
        return layer.double()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lib.nn.TransformerEncoder(layer, 2, norm=lib.nn.LayerNorm(8)).double()


ENCODER_OPTIONS = [dict(), dict(batch_first=True), dict(norm_first=True, activation="gelu"),
                   dict(bias=False, dropout=0.0), dict(activation="tanh", dropout=0.2)]


@pytest.mark.parametrize("stacked,train,masks",
                         list(itertools.product([False, True], [True, False], range(3))))
@pytest.mark.parametrize("kwargs", ENCODER_OPTIONS, ids=str)
def test_transformer_encoder_matches_torch(kwargs: dict[str, Any], stacked: bool, train: bool,
                                           masks: int) -> None:
    results = []
    bf = kwargs.get("batch_first", False)
    x = RNG.standard_normal((2, 5, 8) if bf else (5, 2, 8))
    padding = np.zeros((2, 5), bool)
    padding[1, 3:] = True
    causal = np.triu(np.full((5, 5), -np.inf), 1)
    for lib in (tg, torch):
        options = dict(kwargs)
        if options.get("activation") == "tanh":
            options["activation"] = lib.tanh  # a callable activation
        module = _encoder(lib, options, stacked).train(train)
        xt = lib.tensor(x, requires_grad=True)
        lib.manual_seed(5)
        call: dict[str, Any] = {}
        if masks == 1:
            call["src_key_padding_mask"] = lib.tensor(padding)
        if masks == 2:
            call["mask" if stacked else "src_mask"] = lib.tensor(causal)
        out = module(xt, **call)
        (out * out).sum().backward()
        results.append([out.detach().numpy(), xt.grad.numpy()]
                       + [p.grad.numpy() for p in module.parameters()])
    for i, (a, b) in enumerate(zip(*results)):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-11, err_msg=f"result {i}")


def test_transformer_encoder_copies_the_layer_and_warns_as_torch() -> None:
    layer = tg.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16)
    with pytest.warns(UserWarning, match="self.use_nested_tensor is False because "
                                         "encoder_layer.self_attn.batch_first was not True"):
        encoder = tg.nn.TransformerEncoder(layer, 3)
    assert encoder.layers[0] is not layer and encoder.layers[0] is not encoder.layers[1]
    assert encoder.layers[2].linear1.weight is not layer.linear1.weight
    assert np.array_equal(encoder.layers[2].linear1.weight.detach().numpy(),
                          layer.linear1.weight.detach().numpy())
    theirs = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(
        8, 2, dim_feedforward=16, batch_first=True), 3, enable_nested_tensor=False)
    mine = tg.nn.TransformerEncoder(tg.nn.TransformerEncoderLayer(
        8, 2, dim_feedforward=16, batch_first=True), 3, enable_nested_tensor=False)
    assert list(mine.state_dict()) == list(theirs.state_dict())
    mine.load_state_dict({k: tg.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in mine.state_dict().items()})
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not swish"):
        tg.nn.TransformerEncoderLayer(8, 2, activation="swish")


# ------------------------------------------------------------------ transformer decoder

DECODER_OPTIONS = [dict(), dict(batch_first=True), dict(norm_first=True, activation="gelu"),
                   dict(bias=False, dropout=0.0), dict(activation="tanh", dropout=0.2)]


def _decoder(lib: Any, kwargs: dict[str, Any], kind: str) -> Any:
    lib.manual_seed(0)
    nn = lib.nn
    if kind == "transformer":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (the encoder's nested-tensor warning)
            return nn.Transformer(8, 2, 2, 2, dim_feedforward=16, **kwargs).double()
    layer = nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, **kwargs)
    if kind == "layer":
        return layer.double()
    return nn.TransformerDecoder(layer, 2, norm=nn.LayerNorm(8)).double()


def _decoder_masks(lib: Any, masks: int, kind: str) -> dict[str, Any]:
    padding = np.zeros((2, 5), bool)
    padding[1, 3:] = True
    mem_padding = np.zeros((2, 6), bool)
    mem_padding[0, 4:] = True
    call: dict[str, Any] = {}
    if masks == 1:
        call.update(tgt_key_padding_mask=lib.tensor(padding),
                    memory_key_padding_mask=lib.tensor(mem_padding))
        if kind == "transformer":
            call["src_key_padding_mask"] = lib.tensor(mem_padding)
    if masks == 2:
        call.update(tgt_mask=lib.nn.Transformer.generate_square_subsequent_mask(
            5, dtype=lib.float64), memory_mask=lib.tensor(RNG_MASK))
        if kind == "layer":
            call["tgt_is_causal"] = True
    if masks == 3:  # bool masks (True = may not attend)
        call.update(tgt_mask=lib.tensor(np.triu(np.ones((5, 5), bool), 1)),
                    memory_mask=lib.tensor(RNG_MASK > 0.5))
        if kind == "transformer":
            call["src_mask"] = lib.tensor(np.triu(np.ones((6, 6), bool), 1))
    return call


RNG_MASK = RNG.standard_normal((5, 6))


@pytest.mark.parametrize("kind,train,masks", list(itertools.product(
    ["layer", "stack", "transformer"], [True, False], range(4))))
@pytest.mark.parametrize("kwargs", DECODER_OPTIONS, ids=str)
def test_transformer_decoder_matches_torch(kwargs: dict[str, Any], kind: str, train: bool,
                                           masks: int) -> None:
    """Same seed, same weights (Transformer re-draws them with xavier_uniform_ as torch);
    then outputs and the gradients of tgt, memory and every parameter, dropout included."""
    bf = kwargs.get("batch_first", False)
    tgt = RNG.standard_normal((2, 5, 8) if bf else (5, 2, 8))
    mem = RNG.standard_normal((2, 6, 8) if bf else (6, 2, 8))
    results = []
    for lib in (tg, torch):
        options = dict(kwargs)
        if options.get("activation") == "tanh":
            options["activation"] = lib.tanh  # a callable activation
        module = _decoder(lib, options, kind).train(train)
        t, m = lib.tensor(tgt, requires_grad=True), lib.tensor(mem, requires_grad=True)
        lib.manual_seed(5)
        if kind == "transformer":
            out = module(m, t, **_decoder_masks(lib, masks, kind))
        else:
            out = module(t, m, **_decoder_masks(lib, masks, kind))
        (out * out).sum().backward()
        results.append([out.detach().numpy(), t.grad.numpy(), m.grad.numpy()]
                       + [p.detach().numpy() for p in module.parameters()]
                       + [p.grad.numpy() for p in module.parameters()])
    assert len(results[0]) == len(results[1])
    for i, (a, b) in enumerate(zip(*results)):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-11, err_msg=f"result {i}")


def test_transformer_state_dicts_load_both_ways_and_match() -> None:
    """torch's weights copied into ours give torch's outputs and gradients (float32,
    unbatched) and ours load back into torch."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.nn.Transformer(8, 2, 1, 2, dim_feedforward=16, dropout=0.0)
        mine = tg.nn.Transformer(8, 2, 1, 2, dim_feedforward=16, dropout=0.0)
    assert list(mine.state_dict()) == list(theirs.state_dict())
    assert repr(mine) == repr(theirs)
    mine.load_state_dict({k: tg.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    src, tgt = RNG.standard_normal((6, 8)), RNG.standard_normal((4, 8))
    outs = []
    for lib, module in ((tg, mine), (torch, theirs)):
        s, t = (lib.tensor(a.astype(np.float32), requires_grad=True) for a in (src, tgt))
        out = module(s, t, tgt_mask=module.generate_square_subsequent_mask(4))
        out.sum().backward()
        outs.append([out.detach().numpy(), s.grad.numpy(), t.grad.numpy()]
                    + [p.grad.numpy() for p in module.parameters()])
    for a, b in zip(*outs):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in mine.state_dict().items()})


def test_generate_square_subsequent_mask_matches_torch() -> None:
    for kwargs in ({}, dict(dtype="float64")):
        a = tg.nn.Transformer.generate_square_subsequent_mask(
            4, **{k: getattr(tg, v) for k, v in kwargs.items()})
        b = torch.nn.Transformer.generate_square_subsequent_mask(
            4, **{k: getattr(torch, v) for k, v in kwargs.items()})
        assert str(a.dtype).split(".")[1] == str(b.dtype).split(".")[1]
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert _transformer(tg).generate_square_subsequent_mask(2).shape == (2, 2)


def _transformer(lib: Any, **kwargs: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lib.nn.Transformer(8, 2, 1, 1, dim_feedforward=16, **kwargs)


@pytest.mark.parametrize("call", [
    lambda lib: _transformer(lib)(lib.ones(3, 2, 8), lib.ones(4, 3, 8)),
    lambda lib: _transformer(lib, batch_first=True)(lib.ones(3, 2, 8), lib.ones(4, 3, 8)),
    lambda lib: _transformer(lib)(lib.ones(3, 2, 8), lib.ones(4, 2, 6)),
    lambda lib: _transformer(lib)(lib.ones(3, 2, 8), lib.ones(4, 2, 8),
                                  tgt_mask=lib.ones(4, 4, dtype=lib.int64)),
    lambda lib: _transformer(lib)(lib.ones(3, 2, 8), lib.ones(4, 2, 8), tgt_is_causal=True),
    lambda lib: lib.nn.TransformerDecoderLayer(8, 2, activation="swish"),
    lambda lib: lib.nn.TransformerDecoderLayer(8, 3),
    lambda lib: lib.nn.TransformerDecoderLayer(8, 2)(lib.ones(4, 2, 8), lib.ones(3, 2, 8),
                                                      memory_mask=lib.ones(4, 4)),
])
def test_transformer_errors_match_torch(call: Any) -> None:
    _same_error(call)
