"""Packed sequences against torch: ``nn.utils.rnn``'s ``PackedSequence``,
``pack_padded_sequence``, ``pad_packed_sequence``, ``pack_sequence``, ``unpack_sequence``,
``invert_permutation``, and ``RNN`` / ``LSTM`` / ``GRU`` on packed input (each sequence
stops at its own length), up to the encoder of PyTorch's chatbot tutorial.

Packing is a gather and unpacking a copy into slices: values and gradients bit-equal to
torch's. The recurrent layers are built from the same seed (equal weights) and compared
within float rounding (see TOL)."""

from __future__ import annotations

import importlib
import inspect
import warnings
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.nn.utils import rnn as R

torch = pytest.importorskip("torch")
torch.set_num_threads(1)

# float32: the cells' matmuls, sigmoid and tanh round differently from torch's kernels, and
# the differences add up through the steps and layers (measured: < 4e-7 of the scale)
TOL = {"float32": dict(rtol=1e-5, atol=1e-5), "float64": dict(rtol=1e-10, atol=1e-12)}
CASES = [([5, 3, 3, 1], True), ([3, 5, 1, 3], False), ([2, 4, 4, 1, 3], False)]


def _rnn(L: Any) -> Any:
    return importlib.import_module(L.__name__ + ".nn.utils.rnn")


def _padded(lengths: list[int], batch_first: bool, trailing: tuple[int, ...] = (2,),
            dtype: str = "float32") -> np.ndarray:
    T, B = max(lengths), len(lengths)
    shape = ((B, T) if batch_first else (T, B)) + trailing
    return np.random.default_rng(0).standard_normal(shape).astype(dtype)


# ------------------------------------------------------------------- packing and unpacking


@pytest.mark.parametrize("as_tensor", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("lengths, enforce_sorted", CASES)
def test_pack_and_pad_values_gradients_and_nodes_as_torch(
        lengths: list[int], enforce_sorted: bool, batch_first: bool, as_tensor: bool) -> None:
    x0 = _padded(lengths, batch_first)
    got = []
    for L in (tg, torch):
        x = L.tensor(x0, requires_grad=True)
        lens = L.tensor(lengths) if as_tensor else lengths
        packed = _rnn(L).pack_padded_sequence(x, lens, batch_first, enforce_sorted)
        padded, out_lengths = _rnn(L).pad_packed_sequence(packed, batch_first, -1.5, 6)
        weights = L.tensor(np.linspace(-1, 1, padded.numel(), dtype=np.float32))
        (padded * weights.reshape(padded.shape)).sum().backward()
        indices = [None if t is None else t.tolist()
                   for t in (packed.sorted_indices, packed.unsorted_indices)]
        nodes = [type(packed.data.grad_fn).__name__, type(padded.grad_fn).__name__,
                 type(packed.data.grad_fn.next_functions[0][0]).__name__]
        got.append((packed.data.detach().numpy(), packed.batch_sizes.tolist(),
                    str(packed.batch_sizes.dtype).split(".")[-1], indices, nodes,
                    padded.detach().numpy(), out_lengths.tolist(), x.grad.numpy()))
    ours, theirs = got
    for a, b in zip(ours, theirs):
        if isinstance(a, np.ndarray):
            assert np.array_equal(a, b)
        else:
            assert a == b
    assert ours[4][0] == "PackPaddedSequenceBackward0" and ours[2] == "int64"



def test_pack_padded_sequence_double_backward_as_torch() -> None:
    grads = []
    for L in (tg, torch):
        x = L.tensor(np.arange(24.0).reshape(4, 3, 2), requires_grad=True)
        packed = _rnn(L).pack_padded_sequence(x, [4, 2, 1])
        (g,) = L.autograd.grad((packed.data ** 3).sum(), x, create_graph=True)
        g.sum().backward()
        grads.append(x.grad.numpy())
    assert np.array_equal(*grads)

def test_pack_sequence_unpack_sequence_and_repr_as_torch() -> None:
    got = []
    for L in (tg, torch):
        seqs = [L.tensor([1, 2, 3]), L.tensor([4, 5, 7, 8]), L.tensor([6])]
        packed = _rnn(L).pack_sequence(seqs, enforce_sorted=False)
        back = _rnn(L).unpack_sequence(packed)
        got.append((str(packed), [t.tolist() for t in back],
                    str(_rnn(L).pack_sequence(seqs[:1] + seqs[2:]))))
    assert got[0] == got[1]
    assert got[0][0] == ("PackedSequence(data=tensor([4, 1, 6, 5, 2, 7, 3, 8]), batch_sizes="
                         "tensor([3, 2, 2, 1]), sorted_indices=tensor([1, 0, 2]), "
                         "unsorted_indices=tensor([1, 0, 2]))")


def test_pack_sequence_gradients_reach_each_sequence() -> None:
    grads = []
    for L in (tg, torch):
        seqs = [L.tensor(np.full((n, 2), n, np.float64), requires_grad=True) for n in (2, 4, 1)]
        packed = _rnn(L).pack_sequence(seqs, enforce_sorted=False)
        (packed.data * L.arange(packed.data.shape[0] * 2.0).reshape(-1, 2)).sum().backward()
        grads.append([s.grad.numpy() for s in seqs])
    for a, b in zip(*grads):
        assert np.array_equal(a, b)


def test_invert_permutation_as_torch() -> None:
    for perm in ([2, 0, 1], [0], [3, 1, 0, 2]):
        ours = R.invert_permutation(tg.tensor(perm))
        theirs = torch.nn.utils.rnn.invert_permutation(torch.tensor(perm))
        assert ours.tolist() == theirs.tolist() and ours.dtype == tg.int64
    assert R.invert_permutation(None) is None


def test_packed_sequence_is_a_named_tuple_with_conversions() -> None:
    packed = R.pack_sequence([tg.tensor([1.0, 2.0, 3.0]), tg.tensor([6.0])])
    data, batch_sizes, sorted_indices, unsorted_indices = packed
    assert packed._fields == ("data", "batch_sizes", "sorted_indices", "unsorted_indices")
    assert data is packed.data and sorted_indices is None and unsorted_indices is None
    assert packed.to(tg.float32) is packed and packed.cpu() is packed
    assert packed.double().data.dtype == tg.float64 and packed.long().data.dtype == tg.int64
    assert packed.half().data.dtype == tg.float16 and packed.byte().data.dtype == tg.uint8
    assert packed.double().batch_sizes is batch_sizes
    assert packed.is_cuda is False and packed.is_pinned() is False
    # (data, batch_sizes) as one argument, as PyTorch's constructor allows
    again = R.PackedSequence((data, batch_sizes), sorted_indices=tg.tensor([1, 0]))
    assert again.unsorted_indices.tolist() == [1, 0]


def test_signatures_as_torch() -> None:
    for name in R.__all__:
        ours, theirs = getattr(R, name), getattr(torch.nn.utils.rnn, name)
        a, b = inspect.signature(ours), inspect.signature(theirs)
        assert [(p.name, p.default) for p in a.parameters.values()] == \
               [(p.name, p.default) for p in b.parameters.values()], name


@pytest.mark.parametrize("call", [
    lambda R, L: R.pack_padded_sequence(L.zeros(5, 4, 2), [3, 5, 1, 3]),  # unsorted
    lambda R, L: R.pack_padded_sequence(L.zeros(5, 4, 2), L.tensor([5, 3, 3, 0])),
    lambda R, L: R.pack_padded_sequence(L.zeros(5, 4, 2), [5, 3, 0, 3], enforce_sorted=False),
    lambda R, L: R.pack_padded_sequence(L.zeros(5, 4, 2), [5, 3, 3]),
    lambda R, L: R.pack_padded_sequence(L.zeros(0, 4), [5, 3, 3, 1]),
    lambda R, L: R.pack_padded_sequence(L.zeros(5), [5]),
    lambda R, L: R.pad_packed_sequence(R.pack_sequence([L.ones(5), L.ones(2)]), total_length=3),
    lambda R, L: R.pack_sequence([]),
    lambda R, L: R.PackedSequence(L.zeros(3)),
])
def test_errors_as_torch(call: Any) -> None:
    got = []
    for L in (tg, torch):
        with pytest.raises(Exception) as info:
            call(_rnn(L), L)
        got.append((type(info.value), str(info.value)))
    assert got[0] == got[1]


# ----------------------------------------------------------------- recurrent layers, packed


def _layer(L: Any, name: str, kwargs: dict[str, Any], dtype: str) -> Any:
    L.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (dropout with one layer)
        return getattr(L.nn, name)(**kwargs).to(getattr(L, dtype))


def _run_packed(L: Any, name: str, kwargs: dict[str, Any], lengths: list[int],
                enforce_sorted: bool, dtype: str, with_hx: bool) -> tuple[list, list]:
    """Pack, run the layer, unpack; backward a weighted sum of the output plus the squares
    of the final states. (outputs, gradients of input, states and parameters)."""
    module = _layer(L, name, kwargs, dtype)
    batch_first = kwargs.get("batch_first", False)
    rng = np.random.default_rng(1)
    x = L.tensor(_padded(lengths, batch_first, (3,), dtype), requires_grad=True)
    layers = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    sizes = [kwargs.get("proj_size") or 4] + ([4] if name == "LSTM" else [])
    states = [L.tensor(rng.standard_normal((layers, len(lengths), n)).astype(dtype),
                       requires_grad=True) for n in sizes] if with_hx else []
    hx = None if not states else tuple(states) if name == "LSTM" else states[0]
    packed = _rnn(L).pack_padded_sequence(x, lengths, batch_first, enforce_sorted)
    L.manual_seed(3)  # (dropout between layers draws from here)
    output, finals = module(packed, hx)
    assert type(output).__name__ == "PackedSequence"
    assert output.batch_sizes is packed.batch_sizes
    padded, _ = _rnn(L).pad_packed_sequence(output, batch_first)
    finals = list(finals) if name == "LSTM" else [finals]
    weights = L.tensor(np.linspace(-1, 1, padded.numel()).astype(dtype)).reshape(padded.shape)
    ((padded * weights).sum() + sum((f * f).sum() for f in finals)).backward()
    outs = [output.data, padded] + finals
    grads = [x.grad] + [s.grad for s in states] + [p.grad for p in module.parameters()]
    return [o.detach().numpy() for o in outs], [g.numpy() for g in grads]


def assert_packed_parity(name: str, kwargs: dict[str, Any], lengths: list[int],
                         enforce_sorted: bool, dtype: str, with_hx: bool = False) -> None:
    ours = _run_packed(tg, name, kwargs, lengths, enforce_sorted, dtype, with_hx)
    theirs = _run_packed(torch, name, kwargs, lengths, enforce_sorted, dtype, with_hx)
    for kind, mine, torchs in (("output", ours[0], theirs[0]), ("gradient", ours[1], theirs[1])):
        assert len(mine) == len(torchs)
        for i, (a, b) in enumerate(zip(mine, torchs)):
            assert a.shape == b.shape and a.dtype == b.dtype, f"{kind} {i}"
            np.testing.assert_allclose(a, b, **TOL[dtype], err_msg=f"{kind} {i}")


OPTIONS = [
    dict(),
    dict(bidirectional=True),
    dict(num_layers=2, bidirectional=True, dropout=0.4),  # (dropout in training mode)
    dict(num_layers=3, dropout=0.5, bias=False),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("lengths, enforce_sorted", CASES)
@pytest.mark.parametrize("options", OPTIONS, ids=str)
@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_layers_on_packed_input_match_torch(name: str, options: dict[str, Any],
                                            lengths: list[int], enforce_sorted: bool,
                                            batch_first: bool, dtype: str) -> None:
    kwargs = dict(input_size=3, hidden_size=4, batch_first=batch_first, **options)
    assert_packed_parity(name, kwargs, lengths, enforce_sorted, dtype)


@pytest.mark.parametrize("lengths, enforce_sorted", CASES)
@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_hx_in_caller_order_with_unsorted_batch(name: str, lengths: list[int],
                                                enforce_sorted: bool) -> None:
    """torch permutes h0 by ``sorted_indices`` and h_n back by ``unsorted_indices``."""
    kwargs = dict(input_size=3, hidden_size=4, num_layers=2, bidirectional=True)
    assert_packed_parity(name, kwargs, lengths, enforce_sorted, "float64", with_hx=True)


def test_rnn_relu_and_lstm_projection_on_packed_input_match_torch() -> None:
    kwargs = dict(input_size=3, hidden_size=4, num_layers=2, bidirectional=True)
    assert_packed_parity("RNN", dict(kwargs, nonlinearity="relu"), [3, 5, 1, 3], False,
                         "float64", with_hx=True)
    assert_packed_parity("LSTM", dict(kwargs, proj_size=2), [3, 5, 1, 3], False, "float64",
                         with_hx=True)


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_each_sequence_stops_at_its_length(name: str) -> None:
    """Packed, a batch gives each sequence what it gives that sequence alone: h_n is the
    state at its last real step (not after the padding), and the reverse direction starts
    there."""
    lengths = [3, 5, 1, 3]
    module = _layer(tg, name, dict(input_size=3, hidden_size=4, bidirectional=True), "float64")
    module.requires_grad_(False)
    x = tg.tensor(_padded(lengths, False, (3,), "float64"))
    output, finals = module(R.pack_padded_sequence(x, lengths, enforce_sorted=False))
    padded, _ = R.pad_packed_sequence(output)
    h_n = finals[0] if name == "LSTM" else finals
    for b, n in enumerate(lengths):
        alone, alone_finals = module(x[:n, b])
        alone_h = alone_finals[0] if name == "LSTM" else alone_finals
        np.testing.assert_allclose(padded[:n, b].numpy(), alone.numpy(), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(h_n[:, b].numpy(), alone_h.numpy(), rtol=1e-12, atol=1e-14)
        assert not padded[n:, b].numpy().any()


@pytest.mark.parametrize("call", [
    lambda L, p: L.nn.GRU(3, 4)(p, L.zeros(1, 3, 4)),
    lambda L, p: L.nn.GRU(2, 4)(p),
    lambda L, p: L.nn.RNN(3, 4)(p.double()),
    lambda L, p: L.nn.RNN(3, 4)(p, L.zeros(4, 4)),
    lambda L, p: L.nn.RNN(3, 4)(_rnn(L).PackedSequence(L.zeros(13, 2, 3), p.batch_sizes)),
])
def test_packed_input_errors_as_torch(call: Any) -> None:
    got = []
    for L in (tg, torch):
        packed = _rnn(L).pack_padded_sequence(L.zeros(5, 4, 3), [5, 3, 3, 1])
        with pytest.raises(Exception) as info:
            call(L, packed)
        got.append((type(info.value).__name__, str(info.value).replace(L.__name__, "L")))
    assert got[0] == got[1]


# ----------------------------------------------------------- PyTorch's chatbot tutorial


def _encoder(L: Any) -> Any:
    """The encoder of PyTorch's chatbot tutorial, as written there."""
    nn = L.nn

    class EncoderRNN(nn.Module):
        def __init__(self, hidden_size: int, embedding: Any, n_layers: int = 1,
                     dropout: float = 0.0) -> None:
            super().__init__()
            self.n_layers = n_layers
            self.hidden_size = hidden_size
            self.embedding = embedding
            self.gru = nn.GRU(hidden_size, hidden_size, n_layers,
                              dropout=(0 if n_layers == 1 else dropout), bidirectional=True)

        def forward(self, input_seq: Any, input_lengths: Any, hidden: Any = None) -> Any:
            embedded = self.embedding(input_seq)
            packed = nn.utils.rnn.pack_padded_sequence(embedded, input_lengths)
            outputs, hidden = self.gru(packed, hidden)
            outputs, _ = nn.utils.rnn.pad_packed_sequence(outputs)
            outputs = outputs[:, :, :self.hidden_size] + outputs[:, :, self.hidden_size:]
            return outputs, hidden

    L.manual_seed(0)
    return EncoderRNN(6, nn.Embedding(12, 6), n_layers=2, dropout=0.1)


def test_chatbot_tutorial_encoder_matches_torch() -> None:
    # a batch as the tutorial's batch2TrainData makes it: (max_len, batch) word indices,
    # padded with 0 (PAD_token), the columns sorted by length, lengths as a tensor
    lengths = [6, 4, 4, 2, 1]
    words = np.random.default_rng(2).integers(3, 12, (6, 5))
    words[np.arange(6)[:, None] >= np.array(lengths)[None, :]] = 0
    results = []
    for L in (tg, torch):
        encoder = _encoder(L)
        L.manual_seed(5)  # (the dropout between the two GRU layers draws from here)
        outputs, hidden = encoder(L.tensor(words), L.tensor(lengths))
        weights = L.tensor(np.linspace(-1, 1, outputs.numel(), dtype=np.float32))
        ((outputs * weights.reshape(outputs.shape)).sum() + (hidden * hidden).sum()).backward()
        results.append([outputs.detach().numpy(), hidden.detach().numpy()]
                       + [p.grad.numpy() for p in encoder.parameters()])
    ours, theirs = results
    assert ours[0].shape == (6, 5, 6) and ours[1].shape == (4, 5, 6)
    assert len(ours) == len(theirs) == 2 + 1 + 16  # (outputs, hidden; embedding, GRU)
    for i, (a, b) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(a, b, **TOL["float32"], err_msg=f"tensor {i}")
    assert not ours[0][4:, 1:].any()  # pad_packed_sequence zeros after each sequence's end


@pytest.mark.parametrize("batch", [17, 40, 64])
def test_tied_lengths_in_a_big_batch_pack_in_torchs_order(batch: int) -> None:
    """torch.sort(lengths, descending=True) is not stable on the CPU (std::sort): beyond 16
    sequences, equal lengths come out in libstdc++'s order, and so do sorted_indices and
    the packed rows. A stable sort gave another order (batches of 32 or 64 sentences with
    repeated lengths are the usual case)."""
    lengths = np.random.default_rng(batch).integers(1, 5, batch).tolist()
    x = _padded(lengths, True)
    ours, theirs = (_rnn(L).pack_padded_sequence(L.tensor(x), lengths, batch_first=True,
                                                 enforce_sorted=False) for L in (tg, torch))
    assert ours.sorted_indices.tolist() == theirs.sorted_indices.tolist()
    assert ours.unsorted_indices.tolist() == theirs.unsorted_indices.tolist()
    assert np.array_equal(ours.data.numpy(), theirs.data.numpy())
