"""``nn.utils``: gradient clipping and parameter vectors, against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _model_with_grads(m, dtype="float32"):
    m.manual_seed(0)
    model = m.nn.Sequential(m.nn.Linear(3, 4), m.nn.ReLU(), m.nn.Linear(4, 2))
    model.to(getattr(m, dtype))
    x = m.randn(5, 3, dtype=getattr(m, dtype))
    (model(x) ** 2).sum().backward()
    return model


def _grads(model):
    return [p.grad.numpy().copy() for p in model.parameters()]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf"), 3])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_like_torch(torch, dtype, norm_type, max_norm):
    mine, theirs = _model_with_grads(tg, dtype), _model_with_grads(torch, dtype)
    before = _grads(mine)
    n_mine = tg.nn.utils.clip_grad_norm_(mine.parameters(), max_norm, norm_type)
    n_theirs = torch.nn.utils.clip_grad_norm_(theirs.parameters(), max_norm, norm_type)
    assert n_mine.dtype == getattr(tg, dtype) and n_mine.shape == ()
    np.testing.assert_allclose(n_mine.item(), n_theirs.item(), rtol=1e-6)
    for a, b in zip(_grads(mine), _grads(theirs)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    if max_norm > 1e5:  # nothing to clip: the gradients are unchanged
        for a, b in zip(_grads(mine), before):
            np.testing.assert_allclose(a, b, rtol=1e-6)
    else:  # clipped to the bound
        total = tg.nn.utils.get_total_norm([p.grad for p in mine.parameters()], norm_type)
        assert total.item() == pytest.approx(max_norm, rel=1e-4)


def test_clip_grad_norm_edge_cases_like_torch(torch):
    for m in (tg, torch):
        x = m.tensor([3.0, 4.0], requires_grad=True)
        unused = m.tensor([1.0], requires_grad=True)  # no .grad: skipped
        (x * x).sum().backward()
        total = m.nn.utils.clip_grad_norm_([x, unused], 5.0)  # |grad| = |(6, 8)| = 10
        assert total.item() == pytest.approx(10.0)
        np.testing.assert_allclose(x.grad.numpy(), [3.0, 4.0], rtol=1e-5)
        assert m.nn.utils.clip_grad_norm_(x, 100.0).item() == pytest.approx(5.0, rel=1e-5)
        assert m.nn.utils.clip_grad_norm_([], 1.0).item() == 0.0
        with pytest.warns(UserWarning, match="empty generator"):
            m.nn.utils.clip_grad_norm_((p for p in []), 1.0)
        x.grad = m.tensor([float("inf"), 1.0])
        with pytest.raises(RuntimeError, match="non-finite"):
            m.nn.utils.clip_grad_norm_(x, 1.0, error_if_nonfinite=True)


def test_clip_grad_value_like_torch(torch):
    mine, theirs = _model_with_grads(tg), _model_with_grads(torch)
    tg.nn.utils.clip_grad_value_(mine.parameters(), 0.1)
    torch.nn.utils.clip_grad_value_(theirs.parameters(), 0.1)
    for a, b in zip(_grads(mine), _grads(theirs)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)  # (the grads: to rounding)
    clipped = np.concatenate([np.abs(g).reshape(-1) for g in _grads(mine)])
    assert clipped.max() == np.float32(0.1)  # some were clipped, none is beyond


def test_parameters_to_vector_and_back_like_torch(torch):
    for m in (tg, torch):
        model = m.nn.Linear(3, 2)
        vec = m.nn.utils.parameters_to_vector(model.parameters())
        assert vec.shape == (8,) and vec.requires_grad
        vec.sum().backward()  # differentiable: every parameter gets ones
        assert all((p.grad.numpy() == 1).all() for p in model.parameters())
        m.nn.utils.vector_to_parameters(m.arange(8.0), model.parameters())
        assert model.weight.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
        assert model.bias.tolist() == [6.0, 7.0]
        with pytest.raises(TypeError, match="expected torch.Tensor"):
            m.nn.utils.vector_to_parameters([1.0], model.parameters())
