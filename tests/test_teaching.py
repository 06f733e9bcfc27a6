"""Teaching mode: opt-in warnings for the classic mistakes of a training loop."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn, optim
from tinygrad_edu.teaching import TeachingWarning


@pytest.fixture(autouse=True)
def teaching():
    tg.set_teaching_mode(True)
    yield
    tg.set_teaching_mode(False)


def _setup(dropout: float = 0.0):
    tg.manual_seed(0)
    layers = [nn.Linear(3, 4), nn.ReLU()] + ([nn.Dropout(dropout)] if dropout else [])
    model = nn.Sequential(*layers, nn.Linear(4, 2))
    x, y = tg.randn(6, 3), tg.tensor([0, 1, 1, 0, 1, 0])
    return model, x, y


def _messages(caught) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, TeachingWarning)]


def test_a_correct_training_loop_is_silent():
    model, x, y = _setup(dropout=0.5)
    opt = optim.SGD(model.parameters(), lr=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", TeachingWarning)
        for _ in range(3):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
        model.eval()
        with tg.no_grad():
            model(x)


def test_missing_zero_grad_warns_at_second_backward():
    model, x, y = _setup()
    opt = optim.SGD(model.parameters(), lr=0.1)
    F.cross_entropy(model(x), y).backward()
    opt.step()
    with pytest.warns(TeachingWarning, match=r"left over from an earlier backward\(\).*"
                      r"optimizer\.zero_grad\(\)") as caught:
        F.cross_entropy(model(x), y).backward()
    assert "2.weight, 0.weight, 0.bias" in str(caught[0].message)  # as named_parameters
    assert caught[0].filename == __file__  # shown at the learner's line


def test_zero_grad_with_zeros_is_fine_and_one_graph_using_a_param_twice_is_fine():
    w = tg.ones(3, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", TeachingWarning)
        ((w * w) + w).sum().backward()  # w reached by two edges of one graph
        w.grad.zero_()  # the old tutorials' way of zeroing
        (w * 2).sum().backward()


def test_softmax_into_cross_entropy_warns():
    model, x, y = _setup()
    with pytest.warns(TeachingWarning, match="got probabilities .*the output of softmax"):
        nn.CrossEntropyLoss()(F.softmax(model(x), dim=1), y)
    with pytest.warns(TeachingWarning, match="softmax is applied twice"):
        with tg.no_grad():  # no graph: recognised by its values (rows sum to 1)
            F.cross_entropy(model(x).softmax(-1), y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", TeachingWarning)
        F.cross_entropy(model(x), y)  # logits: fine


def test_dropout_in_train_mode_under_no_grad_warns():
    model, x, _ = _setup(dropout=0.5)
    with pytest.warns(TeachingWarning, match=r"Dropout\(p=0\.5.* training mode.*model\.eval\(\)"):
        with tg.no_grad():
            model(x)


def test_parameter_never_reached():
    model, x, y = _setup()
    spare = nn.Linear(2, 2)  # defined, never used in forward
    opt = optim.SGD(list(model.parameters()) + list(spare.parameters()), lr=0.1)
    F.cross_entropy(model(x), y).backward()
    with pytest.warns(TeachingWarning) as caught:
        opt.step()
    messages = _messages(caught)
    assert len(messages) == 2 and all("not reached" in m for m in messages)
    assert messages[0].startswith("weight received no gradient")  # the spare Linear's


def test_parameter_behind_detach():
    model, x, y = _setup()
    opt = optim.SGD(model.parameters(), lr=0.1)
    h = model[0](x).detach()  # the mistake: the first layer is cut off
    F.cross_entropy(model[2](model[1](h)), y).backward()
    with pytest.warns(TeachingWarning) as caught:
        opt.step()
    messages = _messages(caught)
    assert len(messages) == 2
    assert messages[0].startswith("0.weight received no gradient")
    assert all("detached: " in m and "detach()" in m for m in messages)


def test_parameter_under_no_grad():
    model, x, y = _setup()
    opt = optim.SGD(model.parameters(), lr=0.1)
    with tg.no_grad():
        h = model[1](model[0](x))
    F.cross_entropy(model[2](h), y).backward()
    with pytest.warns(TeachingWarning) as caught:
        opt.step()
    messages = _messages(caught)
    assert len(messages) == 2 and all("under no_grad: its module Linear(in_features=3" in m
                                      for m in messages)


def test_step_without_backward():
    model, _, _ = _setup()
    opt = optim.SGD(model.parameters(), lr=0.1)
    with pytest.warns(TeachingWarning, match=r"no parameter has a gradient.*loss\.backward\(\)"):
        opt.step()


def test_off_by_default_and_switchable():
    tg.set_teaching_mode(False)
    assert not tg.teaching.is_teaching_mode()
    model, x, y = _setup()
    with warnings.catch_warnings():
        warnings.simplefilter("error", TeachingWarning)
        F.cross_entropy(model(x), y).backward()
        F.cross_entropy(model(x).softmax(-1), y).backward()
        optim.SGD(model.parameters(), lr=0.1).step()


def test_environment_variable_turns_it_on():
    code = ("import warnings, tinygrad_edu as tg; "
            "print(tg.teaching.is_teaching_mode())")
    env = dict(os.environ, TINYGRAD_EDU_TEACHING="1")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "True"
    env["TINYGRAD_EDU_TEACHING"] = "0"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "False"
