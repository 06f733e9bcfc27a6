"""Recurrent layers against PyTorch: ``RNN``, ``LSTM``, ``GRU`` and their cells.

Each module is built in both libraries after the same ``manual_seed``: the initial weights
must be equal bit for bit (same names, same order of draws). Then the same input (and
initial states) go through both; outputs, final states, and the gradients of the input,
the states and every parameter must agree (float32 within rounding, float64 tightly),
including dropout between layers (PyTorch's random stream).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg

torch = pytest.importorskip("torch")
torch.set_num_threads(1)

# float32: products are summed in BLAS's order (numpy's OpenBLAS, not PyTorch's kernels); through
# three layers and dropout a gradient agrees to about 2e-5 relative
TOL = {"float32": (5e-5, 1e-6), "float64": (1e-10, 1e-12)}


def _build(lib: Any, name: str, kwargs: dict[str, Any], dtype: str) -> Any:
    lib.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (dropout with one layer, oneDNN notes)
        return getattr(lib.nn, name)(**kwargs).to(getattr(lib, dtype))


def _flat(out: Any) -> list[Any]:
    """The tensors of an output nested in tuples, in order."""
    if isinstance(out, (tuple, list)):
        return [t for item in out for t in _flat(item)]
    return [out]


def _run(lib: Any, module: Any, arrays: list[np.ndarray], pair: bool) -> tuple[list, list]:
    """Forward (states as a pair for LSTM/LSTMCell), backward sum of squares; (outs, grads)."""
    tensors = [lib.tensor(a, requires_grad=True) for a in arrays]
    states = tensors[1:]
    hx = None if not states else (tuple(states) if pair else states[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        outs = _flat(module(tensors[0], hx))
    sum((o * o).sum() for o in outs).backward()
    grads = [t.grad for t in tensors] + [p.grad for p in module.parameters()]
    return outs, grads


def assert_module_parity(name: str, kwargs: dict[str, Any], shapes: list[tuple[int, ...]],
                         dtype: str = "float64", train: bool = True) -> None:
    mine, theirs = _build(tg, name, kwargs, dtype), _build(torch, name, kwargs, dtype)
    assert [n for n, _ in mine.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    for (n, p), q in zip(mine.named_parameters(), theirs.parameters()):
        assert np.array_equal(p.detach().numpy(), q.detach().numpy()), f"init of {n}"
    mine.train(train)
    theirs.train(train)
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(s).astype(dtype) for s in shapes]
    pair = name.startswith("LSTM")
    tg.manual_seed(3)
    torch.manual_seed(3)
    outs, grads = _run(tg, mine, arrays, pair)
    touts, tgrads = _run(torch, theirs, arrays, pair)
    rtol, atol = TOL[dtype]
    assert len(outs) == len(touts)
    for i, (o, t) in enumerate(zip(outs, touts)):
        assert tuple(o.shape) == tuple(t.shape), f"output {i}: shape"
        assert str(o.dtype).split(".")[-1] == dtype
        np.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), rtol, atol,
                                   err_msg=f"output {i}")
    for i, (g, h) in enumerate(zip(grads, tgrads)):
        np.testing.assert_allclose(g.numpy(), h.numpy(), rtol, atol, err_msg=f"gradient {i}")


CELLS = ["RNNCell", "LSTMCell", "GRUCell"]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("name", CELLS)
def test_cells_match_torch(name: str, bias: bool, dtype: str) -> None:
    states = 2 if name == "LSTMCell" else 1
    assert_module_parity(name, dict(input_size=3, hidden_size=4, bias=bias), [(2, 3)], dtype)
    assert_module_parity(name, dict(input_size=3, hidden_size=4, bias=bias),
                         [(2, 3)] + [(2, 4)] * states, dtype)
    # unbatched: a 1-D input and 1-D states
    assert_module_parity(name, dict(input_size=3, hidden_size=4, bias=bias),
                         [(3,)] + [(4,)] * states, dtype)


def test_rnn_cell_relu_matches_torch() -> None:
    assert_module_parity("RNNCell", dict(input_size=3, hidden_size=4, nonlinearity="relu"),
                         [(2, 3), (2, 4)])


LAYERS = ["RNN", "LSTM", "GRU"]
OPTIONS = [
    dict(),
    dict(bias=False),
    dict(batch_first=True),
    dict(num_layers=2),
    dict(bidirectional=True),
    dict(num_layers=2, bidirectional=True, batch_first=True),
    dict(num_layers=3, dropout=0.5),
    dict(num_layers=2, dropout=0.3, bidirectional=True, batch_first=True, bias=False),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("options", OPTIONS, ids=str)
@pytest.mark.parametrize("name", LAYERS)
def test_layers_match_torch(name: str, options: dict[str, Any], dtype: str) -> None:
    kwargs = dict(input_size=3, hidden_size=4, **options)
    assert_module_parity(name, kwargs, [(5, 2, 3)], dtype)


@pytest.mark.parametrize("name", LAYERS)
def test_layers_with_initial_states_match_torch(name: str) -> None:
    kwargs = dict(input_size=3, hidden_size=4, num_layers=2, bidirectional=True)
    states = [(4, 2, 4)] * (2 if name == "LSTM" else 1)
    assert_module_parity(name, kwargs, [(5, 2, 3)] + states)
    assert_module_parity(name, dict(kwargs, batch_first=True), [(2, 5, 3)] + states)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("name", LAYERS)
def test_unbatched_input_matches_torch(name: str, batch_first: bool) -> None:
    kwargs = dict(input_size=3, hidden_size=4, num_layers=2, batch_first=batch_first)
    assert_module_parity(name, kwargs, [(5, 3)])
    assert_module_parity(name, kwargs, [(5, 3)] + [(2, 4)] * (2 if name == "LSTM" else 1))


def test_rnn_relu_and_dropout_in_eval_mode_match_torch() -> None:
    kwargs = dict(input_size=3, hidden_size=4, num_layers=2, nonlinearity="relu", dropout=0.5)
    assert_module_parity("RNN", kwargs, [(5, 2, 3)])
    assert_module_parity("RNN", kwargs, [(5, 2, 3)], train=False)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_lstm_projection_matches_torch(dtype: str) -> None:
    kwargs = dict(input_size=3, hidden_size=4, proj_size=2, num_layers=2, bidirectional=True)
    assert_module_parity("LSTM", kwargs, [(5, 2, 3)], dtype)
    assert_module_parity("LSTM", kwargs, [(5, 2, 3), (4, 2, 2), (4, 2, 4)], dtype)


@pytest.mark.parametrize("name", LAYERS + CELLS)
def test_state_dicts_load_both_ways(name: str) -> None:
    kwargs: dict[str, Any] = dict(input_size=3, hidden_size=4)
    if name in LAYERS:
        kwargs.update(num_layers=2, bidirectional=True)
    mine, theirs = getattr(tg.nn, name)(**kwargs), getattr(torch.nn, name)(**kwargs)
    mine.load_state_dict({k: tg.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    for (n, p), q in zip(mine.named_parameters(), theirs.parameters()):
        assert np.array_equal(p.detach().numpy(), q.detach().numpy()), n
    fresh = getattr(torch.nn, name)(**kwargs)
    fresh.load_state_dict({k: torch.tensor(v.numpy()) for k, v in mine.state_dict().items()})
    assert list(fresh.state_dict()) == list(mine.state_dict())


def test_parameter_names_and_repr_are_torchs() -> None:
    for kwargs in (dict(num_layers=2, bidirectional=True, proj_size=2), dict(bias=False)):
        mine, theirs = tg.nn.LSTM(3, 4, **kwargs), torch.nn.LSTM(3, 4, **kwargs)
        assert list(mine.state_dict()) == list(theirs.state_dict())
        assert repr(mine) == repr(theirs)
        assert [[tuple(p.shape) for p in ws] for ws in mine.all_weights] == \
            [[tuple(p.shape) for p in ws] for ws in theirs.all_weights]
    assert repr(tg.nn.RNNCell(3, 4, False, "relu")) == repr(torch.nn.RNNCell(3, 4, False, "relu"))
    assert repr(tg.nn.GRU(3, 4, 2, batch_first=True, dropout=0.5)) == \
        repr(torch.nn.GRU(3, 4, 2, batch_first=True, dropout=0.5))


def _same_error(make: Any, call: Any = None) -> None:
    """Building (and calling) raises the same class and message in both libraries."""
    caught = []
    for lib in (tg, torch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(Exception) as info:
                module = make(lib)
                if call is not None:
                    call(lib, module)
        caught.append((type(info.value), str(info.value).replace("torch.", "tinygrad_edu.")))
    assert caught[0][0] is caught[1][0]
    assert caught[0][1].startswith(caught[1][1])  # (F.linear adds a hint after torch's words)


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.RNN(3, 4, nonlinearity="gelu"),
    lambda lib: lib.nn.LSTM(3, 4, proj_size=4),
    lambda lib: lib.nn.LSTM(3, 4, proj_size=-1),
    lambda lib: lib.nn.GRU(3, 4, dropout=1.5),
    lambda lib: lib.nn.GRU(3, 4, dropout=True),
    lambda lib: lib.nn.GRU(3, 0),
    lambda lib: lib.nn.GRU(0, 3),
    lambda lib: lib.nn.GRU(3, 4, num_layers=0),
    lambda lib: lib.nn.RNN(3.0, 4),
    lambda lib: lib.nn.RNN(3, 4, bias=1),
    lambda lib: lib.nn.RNN(3, 4, batch_first=None),
])
def test_construction_errors_match_torch(make: Any) -> None:
    _same_error(make)


def test_dropout_with_one_layer_warns_as_torch() -> None:
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        tg.nn.LSTM(3, 4, dropout=0.2)


def _ones(lib: Any, *shape: int, dtype: Any = None) -> Any:
    return lib.ones(*shape, dtype=dtype)


@pytest.mark.parametrize("make,call", [
    (lambda lib: lib.nn.RNN(3, 4), lambda lib, m: m(_ones(lib, 2, 2, 5))),
    (lambda lib: lib.nn.RNN(3, 4), lambda lib, m: m(_ones(lib, 2, 2, 2, 3))),
    (lambda lib: lib.nn.LSTM(3, 4), lambda lib, m: m(_ones(lib, 3))),
    (lambda lib: lib.nn.GRU(3, 4), lambda lib, m: m(_ones(lib, 3))),
    (lambda lib: lib.nn.RNN(3, 4), lambda lib, m: m(_ones(lib, 2, 2, 3), _ones(lib, 1, 3, 4))),
    (lambda lib: lib.nn.GRU(3, 4), lambda lib, m: m(_ones(lib, 2, 2, 3), _ones(lib, 3, 4))),
    (lambda lib: lib.nn.GRU(3, 4), lambda lib, m: m(_ones(lib, 2, 3), _ones(lib, 1, 1, 4))),
    (lambda lib: lib.nn.RNN(3, 4), lambda lib, m: m(_ones(lib, 2, 2, 3, dtype=lib.float64))),
    (lambda lib: lib.nn.LSTM(3, 4),
     lambda lib, m: m(_ones(lib, 2, 2, 3), (_ones(lib, 1, 2, 4), _ones(lib, 1, 3, 4)))),
    (lambda lib: lib.nn.LSTM(3, 4),
     lambda lib, m: m(_ones(lib, 2, 2, 3), (_ones(lib, 2, 2, 4), _ones(lib, 1, 2, 4)))),
    (lambda lib: lib.nn.LSTM(3, 4),
     lambda lib, m: m(_ones(lib, 2, 2, 3), (_ones(lib, 2, 4), _ones(lib, 1, 2, 4)))),
    (lambda lib: lib.nn.LSTM(3, 4),
     lambda lib, m: m(_ones(lib, 2, 3), (_ones(lib, 1, 4), _ones(lib, 1, 1, 4)))),
    (lambda lib: lib.nn.LSTMCell(3, 4), lambda lib, m: m(_ones(lib, 2, 5))),
    (lambda lib: lib.nn.LSTMCell(3, 4), lambda lib, m: m(_ones(lib, 2, 2, 3))),
    (lambda lib: lib.nn.LSTMCell(3, 4),
     lambda lib, m: m(_ones(lib, 2, 3), (_ones(lib, 3, 4), _ones(lib, 3, 4)))),
    (lambda lib: lib.nn.LSTMCell(3, 4),
     lambda lib, m: m(_ones(lib, 2, 3), (_ones(lib, 2, 4), _ones(lib, 2, 5)))),
    (lambda lib: lib.nn.LSTMCell(3, 4),
     lambda lib, m: m(_ones(lib, 2, 3), (_ones(lib, 2, 4), _ones(lib, 1, 2, 5)))),
    (lambda lib: lib.nn.GRUCell(3, 4), lambda lib, m: m(_ones(lib, 2, 3), _ones(lib, 2, 5))),
    (lambda lib: lib.nn.GRUCell(3, 4), lambda lib, m: m(_ones(lib, 2, 3), _ones(lib, 1, 2, 4))),
    (lambda lib: lib.nn.RNNCell(3, 4, nonlinearity="x"), lambda lib, m: m(_ones(lib, 3))),
    (lambda lib: lib.nn.RNNCell(3, 4), lambda lib, m: m(_ones(lib, 2, 3, dtype=lib.float64))),
])
def test_forward_errors_match_torch(make: Any, call: Any) -> None:
    _same_error(make, call)


def test_backprop_through_time_trains_as_torch() -> None:
    """Three SGD steps of an LSTM + Linear on a sequence task give torch's losses."""
    losses = []
    for lib in (tg, torch):
        lib.manual_seed(0)
        lstm, head = lib.nn.LSTM(2, 5, batch_first=True), lib.nn.Linear(5, 1)
        opt = lib.optim.SGD([*lstm.parameters(), *head.parameters()], lr=0.5)
        x = lib.tensor(np.random.default_rng(0).standard_normal((4, 6, 2)).astype("float32"))
        y = x.sum(1)[:, :1]
        run = []
        for _ in range(3):
            opt.zero_grad()
            out, _ = lstm(x)
            loss = ((head(out[:, -1]) - y) ** 2).mean()
            loss.backward()
            opt.step()
            run.append(loss.item())
        losses.append(run)
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-5)
