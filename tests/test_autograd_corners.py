"""Corners of autograd where tinygrad_edu once gave silently wrong numbers.

Each test is named after the bug it prevents; the literal values are PyTorch 2.13's.
"""

from __future__ import annotations

import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn

_MODIFIED = "modified by an inplace operation"


# ------------------------------------------------------------ writes into .grad are writes
def _graph_saving_grad() -> tuple[tg.Tensor, tg.Tensor]:
    p = nn.Parameter(tg.ones(2))
    (p * 2).sum().backward()
    w = tg.ones(2, requires_grad=True)
    y = (w * p.grad).sum()  # saves p.grad for w's gradient
    return p, y


@pytest.mark.parametrize("write", [
    "accumulate", "optimizer_zero_grad_keep", "module_zero_grad_keep", "clip_grad_norm",
    "clip_grad_value", "grad_zero_"])
def test_write_into_grad_bumps_its_version_so_saved_grad_raises(write):
    p, y = _graph_saving_grad()
    if write == "accumulate":
        (p * 3).sum().backward()
    elif write == "optimizer_zero_grad_keep":
        tg.optim.SGD([p], lr=0.1).zero_grad(set_to_none=False)
    elif write == "module_zero_grad_keep":
        m = nn.Linear(2, 1)
        m.weight = p
        m.zero_grad(set_to_none=False)
    elif write == "clip_grad_norm":
        nn.utils.clip_grad_norm_([p], 0.1)
    elif write == "clip_grad_value":
        nn.utils.clip_grad_value_([p], 0.1)
    else:
        p.grad.zero_()
    with pytest.raises(RuntimeError, match=_MODIFIED):
        y.backward()


def test_zero_grad_keep_zeroes_the_same_grad_tensor_in_place():
    p = nn.Parameter(tg.ones(2))
    (p * 2).sum().backward()
    g = p.grad
    tg.optim.SGD([p], lr=0.1).zero_grad(set_to_none=False)
    assert p.grad is g and g.tolist() == [0.0, 0.0] and not g.requires_grad


def test_accumulating_into_grad_made_by_an_earlier_backward_counts_the_write():
    # a leaf used three times: its .grad is made by the first gradient, then added into
    p = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    a, b, c = p
    (a * b * c).backward(retain_graph=True)
    assert p.grad.tolist() == [6.0, 3.0, 2.0]
    y = (tg.ones(3, requires_grad=True) * p.grad).sum()  # saves p.grad
    (a * b * c).backward()  # ... which this pass adds into
    with pytest.raises(RuntimeError, match=_MODIFIED):
        y.backward()


# ------------------------------------------------------------ backward(inputs=) and grad
def test_retain_grad_with_backward_inputs_counts_the_gradient_once():
    x = tg.ones(2, requires_grad=True)
    y = x * 2
    y.retain_grad()
    (y * y).sum().backward(inputs=[y])
    assert y.grad.tolist() == [4.0, 4.0] and x.grad is None


def test_retain_grad_with_backward_inputs_of_other_tensors():
    x = tg.ones(2, requires_grad=True)
    y = x * 2
    y.retain_grad()
    (y * y).sum().backward(inputs=[x, y])
    assert y.grad.tolist() == [4.0, 4.0] and x.grad.tolist() == [8.0, 8.0]


def test_retain_grad_is_filled_by_autograd_grad_too():
    x = tg.ones(2, requires_grad=True)
    y = x * 2
    y.retain_grad()
    (g,) = tg.autograd.grad((y * y).sum(), [y])
    assert g.tolist() == [4.0, 4.0] and y.grad.tolist() == [4.0, 4.0]


def test_backward_inputs_listed_twice_accumulates_once():
    x = tg.ones(2, requires_grad=True)
    (x * x).sum().backward(inputs=[x, x])
    assert x.grad.tolist() == [2.0, 2.0]


def test_autograd_grad_of_tied_inputs_gives_each_position_its_gradient():
    x = tg.ones(2, requires_grad=True)
    gx1, gx2 = tg.autograd.grad((x * x).sum(), [x, x])
    assert gx1.tolist() == gx2.tolist() == [2.0, 2.0]
    y = x * 3
    got = tg.autograd.grad((y * y).sum(), [y, x, y])
    assert [g.tolist() for g in got] == [[6.0, 6.0], [18.0, 18.0], [6.0, 6.0]]


def test_autograd_grad_tied_inputs_with_allow_unused_fills_every_position():
    x = tg.ones(2, requires_grad=True)
    unused = tg.ones(2, requires_grad=True)
    got = tg.autograd.grad((x * x).sum(), [x, unused, x], allow_unused=True)
    assert got[0].tolist() == got[2].tolist() == [2.0, 2.0] and got[1] is None


# ------------------------------------------------------------ hooks that edit in place
def _times(k: float):
    def hook(grad: tg.Tensor) -> None:  # edits in place, returns None
        grad.mul_(k)

    return hook


def test_hook_editing_a_nonleaf_gradient_in_place_takes_effect():
    x = tg.ones(2, requires_grad=True)
    y = x * 2
    y.register_hook(_times(10))
    (y * y).sum().backward()
    assert x.grad.tolist() == [80.0, 80.0]


def test_hook_editing_a_leaf_gradient_in_place_takes_effect():
    x = tg.ones(2, requires_grad=True)
    x.register_hook(_times(10))
    (x * x).sum().backward()
    assert x.grad.tolist() == [20.0, 20.0]


def test_hook_editing_in_place_is_seen_by_retain_grad_and_later_hooks():
    x = tg.ones(2, requires_grad=True)
    y = x * 2
    y.retain_grad()
    seen = []
    y.register_hook(_times(10))
    y.register_hook(lambda g: seen.append(g.tolist()))
    (y * y).sum().backward()
    assert seen == [[40.0, 40.0]] and y.grad.tolist() == [40.0, 40.0]
    assert x.grad.tolist() == [80.0, 80.0]


def test_hook_editing_in_place_under_create_graph():
    x = tg.tensor([2.0], requires_grad=True)
    y = x * x
    y.register_hook(_times(3))
    (g,) = tg.autograd.grad(y.sum(), x, create_graph=True)
    assert g.tolist() == [12.0]


def test_version_is_an_int_counted_as_pytorch_counts():
    torch = pytest.importorskip("torch")
    seen = []
    for m in (tg, torch):
        x = m.ones(3)
        v = x[:2]
        counts = [x._version]
        x.add_(1)
        counts.append(x._version)
        v.mul_(2)
        counts += [x._version, v._version, x.detach()._version, x.data._version]
        seen.append(counts)
    assert seen[0] == seen[1] and all(type(c) is int for c in seen[0])


# ------------------------------------------------------------ next_functions as PyTorch's
def _names(node):
    return [None if f is None else f.name() for f, _ in node.next_functions]


def test_number_times_tensor_lists_the_tensor_first():
    b = tg.ones(2, requires_grad=True)
    assert _names((2 * b.sin()).grad_fn) == ["SinBackward0", None]
    assert _names((2.0 * b.sin()).grad_fn) == ["SinBackward0", None]


def test_number_minus_tensor_has_one_next_function():
    b = tg.ones(2, requires_grad=True)
    assert (2 - b).grad_fn.name() == "RsubBackward1"
    assert _names((2 - b).grad_fn) == ["torch::autograd::AccumulateGrad"]


def test_linear_lists_bias_input_and_transposed_weight():
    layer = tg.nn.Linear(3, 2)
    x = tg.ones(4, 3, requires_grad=True).sin()
    node = layer(x).grad_fn
    assert node.name() == "AddmmBackward0"
    assert _names(node) == ["torch::autograd::AccumulateGrad", "SinBackward0", "TBackward0"]
    assert node.next_functions[0][0].variable is layer.bias
    assert node.next_functions[2][0].next_functions[0][0].variable is layer.weight


def test_reduction_dims_are_not_next_functions():
    x = tg.ones(2, 3, requires_grad=True)
    assert len(x.sum(0).grad_fn.next_functions) == 1
    assert len(x.transpose(0, 1).grad_fn.next_functions) == 1
    assert _names(tg.cat([x, x.sin()]).grad_fn) == ["torch::autograd::AccumulateGrad",
                                                   "SinBackward0"]


def test_backward_inputs_runs_the_inputs_own_node_as_torch():
    """The program fuzzer's find: backward(inputs=[t]) runs t's own node (PyTorch marks it
    needed), so a saved tensor written in place since raises there too; autograd.grad
    stops above it."""
    torch = pytest.importorskip("torch")
    outcomes = []
    for m in (tg, torch):
        c = m.tensor(0.13)
        w = m.tensor(0.13, requires_grad=True)
        t = c.clamp(w, None)  # (its node saves c)
        loss = (c + t) * 2
        c[...] = 7.0
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            loss.backward(inputs=[t], retain_graph=True)
        (g,) = m.autograd.grad(loss, [t])  # (t's node is not run: no error)
        outcomes.append(g.item())
    assert outcomes == [2.0, 2.0]
