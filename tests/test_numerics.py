"""Numerics: the stable ops stay finite at +-1e4 wherever PyTorch does (values and grads)."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional

ROWS = [[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4, 1e4], [3e4, -3e4, 1.0]]


def _ops(m, f):
    return {
        "softmax": lambda x: f.softmax(x, dim=-1),
        "log_softmax": lambda x: f.log_softmax(x, dim=-1),
        "logsumexp": lambda x: x.logsumexp(-1),
        "cross_entropy": lambda x: f.cross_entropy(x.reshape(1, 3), m.tensor([1])),
        "cross_entropy_probs": lambda x: f.cross_entropy(
            x.reshape(1, 3), m.tensor([[0.2, 0.3, 0.5]], dtype=x.dtype)),
        "bce_with_logits": lambda x: f.binary_cross_entropy_with_logits(
            x, m.tensor([1.0, 0.0, 1.0], dtype=x.dtype)),
        "bce_with_logits_pos_weight": lambda x: f.binary_cross_entropy_with_logits(
            x, m.tensor([1.0, 0.0, 1.0], dtype=x.dtype),
            pos_weight=m.tensor([2.0, 2.0, 2.0], dtype=x.dtype)),
        "sigmoid": lambda x: x.sigmoid(),
        "tanh": lambda x: x.tanh(),
    }


def _run(m, f, name, row, dtype):
    x = m.tensor(row, dtype=getattr(m, dtype), requires_grad=True)
    y = _ops(m, f)[name](x)
    y.sum().backward()
    return y.detach().numpy(), x.grad.numpy()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(_ops(tg, F)))
def test_finite_at_1e4_where_torch_is(name, dtype):
    for row in ROWS:
        with np.errstate(all="ignore"):
            mine = _run(tg, F, name, row, dtype)
        theirs = _run(torch, TF, name, row, dtype)
        for a, b, what in zip(mine, theirs, ("forward", "gradient")):
            assert np.array_equal(np.isfinite(a), np.isfinite(b)), f"{what} at {row}: {a}"
            assert np.isfinite(a).all(), f"{what} at {row}: {a}"
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6, err_msg=f"{what} {row}")


def test_softmax_of_huge_logits_is_exact():
    p = tg.tensor([[1e4, 0.0]]).softmax(-1)
    assert p.tolist() == [[1.0, 0.0]]
    assert F.cross_entropy(tg.tensor([[1e4, 0.0]]), tg.tensor([1])).item() == 1e4
