"""``tinygrad_edu.nn.utils.rnn`` against torch: ``pad_sequence`` (a collate function's
padding) and ``unpad_sequence`` (packing: test_nn_packed.py)."""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.nn.utils.rnn import pad_sequence

torch = pytest.importorskip("torch")


def _rnn(L: Any) -> Any:
    return importlib.import_module(L.__name__ + ".nn.utils.rnn")


@pytest.mark.parametrize("kwargs", [{}, {"batch_first": True}, {"padding_value": -1.5},
                                    {"batch_first": True, "padding_side": "left"},
                                    {"padding_side": "left"}])
def test_pad_sequence_values_and_gradients_as_torch(kwargs: dict[str, Any]) -> None:
    lengths = (3, 1, 4)
    results = []
    for L in (tg, torch):
        seqs = [L.tensor(np.arange(n * 2, dtype=np.float32).reshape(n, 2) + 10 * i,
                         requires_grad=True) for i, n in enumerate(lengths)]
        out = _rnn(L).pad_sequence(seqs, **kwargs)
        weights = L.tensor(np.linspace(0, 1, out.numel(), dtype=np.float32)).reshape(out.shape)
        (out * weights).sum().backward()
        values = out.detach().numpy().copy()  # (torch's unpad_sequence transposes its input
        node = type(out.grad_fn).__name__  # in place when not batch_first; ours does not)
        back = _rnn(L).unpad_sequence(out, L.tensor(lengths), kwargs.get("batch_first", False))
        results.append((values, node,
                        [s.grad.numpy() for s in seqs],
                        [t.detach().numpy() for t in back] if "padding_side" not in kwargs
                        else None))
    ours, theirs = results
    np.testing.assert_array_equal(ours[0], theirs[0])
    assert ours[1] == theirs[1] == "CopySlices"
    for a, b in zip(ours[2], theirs[2]):
        np.testing.assert_array_equal(a, b)
    if ours[3] is not None:
        for a, b in zip(ours[3], theirs[3]):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("call", [
    lambda R, L: R.pad_sequence([L.ones(3, 2), L.ones(2, 3)]),
    lambda R, L: R.pad_sequence([]),
    lambda R, L: R.pad_sequence([L.ones(2)], padding_side="middle"),
])
def test_pad_sequence_errors_as_torch(call: Any) -> None:
    got = []
    for L in (tg, torch):
        with pytest.raises(RuntimeError) as info:
            call(_rnn(L), L)
        got.append(str(info.value))
    assert got[0] == got[1]


def test_integer_sequences_stay_integer() -> None:
    out = pad_sequence([tg.tensor([1, 2]), tg.tensor([3])], batch_first=True)
    assert out.dtype == tg.int64 and out.tolist() == [[1, 2], [3, 0]]

