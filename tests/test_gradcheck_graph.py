"""tg.autograd.gradcheck_graph: each recorded op checked alone against finite differences."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.autograd import GradcheckError, gradcheck_graph
from tinygrad_edu.autograd.gradcheck_graph import forward_order


class GoodSquare(tg.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 2 * x


class BadSquare(tg.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x  # planted bug: the factor 2 is missing


class BadScale(tg.autograd.Function):
    """x * w with w broadcast over rows; backward forgets to scale the grad of w by x."""

    @staticmethod
    def forward(ctx, x, w):
        ctx.save_for_backward(x, w)
        return x * w

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        return grad * w, grad  # planted bug in the second gradient


def mlp_loss():
    tg.manual_seed(0)
    model = tg.nn.Sequential(tg.nn.Linear(3, 5), tg.nn.ReLU(), tg.nn.Linear(5, 3))
    x, y = tg.randn(4, 3), tg.randint(0, 3, (4,))
    return tg.nn.functional.cross_entropy(model(x), y)


def test_correct_graph_passes():
    assert gradcheck_graph(mlp_loss()) is True
    x = tg.randn(2, 3, requires_grad=True)
    b = tg.randn(3, requires_grad=True)
    loss = (GoodSquare.apply(x + b).exp() / (1 + x.abs())).sum(1).mean()
    assert gradcheck_graph(loss)


def test_finds_a_planted_wrong_backward_and_names_it():
    x = tg.randn(5, 4, requires_grad=True)
    loss = (BadSquare.apply(x.tanh()) * 3).sum()
    with pytest.raises(GradcheckError) as e:
        gradcheck_graph(loss)
    msg = str(e.value)
    assert "the backward of BadSquareBackward (op 2 of 4, in forward order)" in msg
    assert "wrong for input 0" in msg and "(5, 4) float32 -> (5, 4) float32" in msg
    assert "finite differences" in msg and "error" in msg
    assert "ops checked before it, all correct: TanhBackward0" in msg
    assert "largest difference at input 0[" in msg


def test_names_the_wrong_input_and_shows_small_gradients():
    x = tg.randn(2, 3, requires_grad=True)
    w = tg.randn(3, requires_grad=True)
    with pytest.raises(GradcheckError) as e:
        gradcheck_graph(BadScale.apply(x, w).sum())
    msg = str(e.value)
    assert "BadScaleBackward" in msg and "wrong for input 1" in msg
    assert "(2, 3) float32, (3,) float32 -> (2, 3) float32" in msg
    assert "backward gives" in msg and "finite differences give" in msg


def test_wrong_builtin_op_is_found(monkeypatch):
    x = tg.randn(3, requires_grad=True)
    loss = (x.exp() * x).sum()
    exp = loss.grad_fn.parents[0].parents[0]._function
    monkeypatch.setattr(exp, "backward", staticmethod(lambda ctx, grad: grad))
    with pytest.raises(GradcheckError, match="the backward of ExpBackward0 .op 1 of 3"):
        gradcheck_graph(loss)


def test_reports_the_first_wrong_op_in_forward_order():
    x = tg.randn(3, requires_grad=True)
    loss = BadSquare.apply(BadSquare.apply(x) + 1).sum()
    with pytest.raises(GradcheckError, match=r"op 1 of 4"):
        gradcheck_graph(loss)


def test_raise_exception_false_returns_false(capsys):
    x = tg.randn(3, requires_grad=True)
    assert gradcheck_graph(BadSquare.apply(x).sum(), raise_exception=False) is False
    assert gradcheck_graph(GoodSquare.apply(x).sum(), verbose=True) is True
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:2] == ["ok", "GoodSquareBackward"] and len(lines) == 2


def test_after_backward_asks_for_retain_graph():
    loss = mlp_loss()
    loss.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        gradcheck_graph(loss)
    loss = mlp_loss()
    loss.backward(retain_graph=True)
    assert gradcheck_graph(loss)


def test_does_not_change_the_graph_or_its_gradients():
    x = tg.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = (x.sigmoid() * x).sum()
    gradcheck_graph(y)
    assert x.grad is None
    y.backward()
    s = 1 / (1 + np.exp(-x._data.astype(np.float64)))
    np.testing.assert_allclose(x.grad._data, s + x._data * s * (1 - s), rtol=1e-6)
    assert x._data.dtype == np.float32 and x.grad._data.dtype == np.float32
    np.testing.assert_array_equal(x._data, np.float32([0.5, -1.0, 2.0]))


def test_leaf_output_has_nothing_to_check():
    assert gradcheck_graph(tg.tensor([1.0], requires_grad=True))


def test_deep_chain_no_recursion():
    x = tg.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(1500):
        y = y * 1.0001
    assert len(forward_order(y.grad_fn)) == 1500
    assert gradcheck_graph(y, projections=1)


def test_forward_order_puts_inputs_first():
    x = tg.tensor([1.0], requires_grad=True)
    a = x.exp()
    loss = (a * a.sin() + a).sum()
    names = [n.name() for n in forward_order(loss.grad_fn)]
    assert names[0] == "ExpBackward0" and names[-1] == "SumBackward0"
    assert names.index("SinBackward0") < names.index("MulBackward0") < names.index("AddBackward0")


def test_swish_exercise_finds_the_planted_bug(tmp_path, capsys):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from examples import exercise_swish

    results = exercise_swish.main(["--out", str(tmp_path)])
    assert "the backward of SwishBackward" in results["Swish"]
    assert results["SwishSolution"] is None
    out = capsys.readouterr().out
    assert "FAIL  SwishBackward" in out and "all ops passed" in out
