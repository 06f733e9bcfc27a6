"""Parameters know the names their Modules registered them under (``0.weight``), so the
tools name them without ``params=``."""

from __future__ import annotations

import gc
import weakref

import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.param_names import registered_name
from tinygrad_edu.teaching import TeachingWarning


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
        self.scale = nn.Parameter(tg.ones(1))

    def forward(self, x):
        return self.net(x) * self.scale


def test_names_match_named_parameters_at_every_depth():
    model = Net()
    assert [registered_name(p) for p in model.parameters()] == \
        [name for name, _ in model.named_parameters()]
    assert registered_name(model.net[0].weight) == "net.0.weight"
    alone = nn.Linear(2, 2)
    assert registered_name(alone.weight) == "weight"
    assert registered_name(tg.zeros(2)) is None


def test_names_follow_register_parameter_and_renumbering():
    model = nn.Sequential(nn.Linear(1, 1), nn.Tanh(), nn.Linear(1, 1))
    model.register_parameter("extra", nn.Parameter(tg.zeros(1)))
    assert registered_name(model.extra) == "extra"
    del model[0]  # the rest are numbered 0, 1 again, as named_parameters says
    assert registered_name(model[1].weight) == "1.weight"
    assert dict(model.named_parameters()).keys() == {"1.weight", "1.bias", "extra"}


def test_trace_names_parameters_not_leaf_numbers():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    with tg.viz.trace_backward() as trace:
        model(tg.randn(4, 2)).sum().backward()
    text = str(trace)
    assert "leaf 0.weight" in text and "+= into 2.bias.grad" in text and "leaf#" not in text


def test_params_argument_wins_over_registered_names():
    model = nn.Linear(2, 1)
    with tg.viz.trace_backward(params={"w": model.weight}) as trace:
        model(tg.randn(3, 2)).sum().backward()
    text = str(trace)
    assert "leaf w:" in text and "leaf bias:" in text


def test_draw_graph_names_parameters_without_params():
    pytest.importorskip("graphviz")
    model = Net()
    loss = model(tg.randn(4, 2)).sum()
    source = tg.viz.draw_graph(loss).source
    assert "net.0.weight" in source and "scale" in source
    assert "net.0: Linear" in source  # each layer's ops and parameters boxed together
    given = tg.viz.draw_graph(loss, params={"first": model.net[0].weight}).source
    assert "first" in given and "net.0.weight" not in given


def test_teaching_warning_names_parameter():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    opt = tg.optim.SGD(model.parameters(), lr=0.1)
    tg.set_teaching_mode(True)
    try:
        model[2](model[1](model[0](tg.randn(2, 3)).detach())).sum().backward()
        with pytest.warns(TeachingWarning) as caught:
            opt.step()
        messages = [str(w.message).split(" received")[0] for w in caught]
        assert messages == ["0.weight", "0.bias"]
    finally:
        tg.set_teaching_mode(False)


def test_registered_names_keep_nothing_alive():
    model = Net()
    ref = weakref.ref(model.net[0].weight)
    del model
    gc.collect()
    assert ref() is None

