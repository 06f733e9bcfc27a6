"""``tg.autograd.detect_anomaly()`` names the op that made NaN/Inf and the user's line."""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.autograd import anomaly


def _line_of(marker: str) -> int:
    """The line of this file that contains ``marker`` (in a comment)."""
    lines, _ = inspect.getsourcelines(inspect.getmodule(_line_of))
    return 1 + next(k for k, text in enumerate(lines) if marker in text and "_line_of" not
                    in text)


def test_backward_nan_names_op_and_creation_line():
    x = tg.tensor([-1.0, 4.0], requires_grad=True)
    with tg.autograd.detect_anomaly(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = x.sqrt()  # <- sqrt here
        with pytest.raises(RuntimeError) as info:
            (y * 0).sum().backward()
    text = str(info.value)
    assert text.startswith("Function 'SqrtBackward0' returned nan values in its 0th output.")
    assert f"test_anomaly.py, line {_line_of('<- sqrt here')}" in text
    assert "y = x.sqrt()" in text and "Hint:" in text


def test_forward_nan_warns_at_the_users_line():
    x = tg.tensor([-1.0, 4.0], requires_grad=True)
    with tg.autograd.detect_anomaly(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        y = x.log()  # <- log here
        (y * 2).exp()  # NaN came in with the input: not blamed
    ours = [w for w in caught if "in its forward output" in str(w.message)]
    assert [str(w.message) for w in ours] == [
        "Function 'LogBackward0' produced nan values in its forward output."]
    assert ours[0].filename == __file__ and ours[0].lineno == _line_of("<- log here")
    assert y.grad_fn is not None


def test_forward_inf_from_finite_inputs_warns():
    x = tg.tensor([0.0, 1.0], requires_grad=True)
    with tg.autograd.detect_anomaly(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        x.log()
        x.masked_fill(x > 0.5, float("-inf"))  # the Inf is an input here: no warning
    ours = [str(w.message) for w in caught if "forward output" in str(w.message)]
    assert ours == ["Function 'LogBackward0' produced inf values in its forward output."]


def test_op_inside_a_module_points_at_the_model_code():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(2, 1)

        def forward(self, x):
            return self.fc(x).sqrt()  # <- in forward

    net = Net()
    with tg.no_grad():
        net.fc.weight.fill_(-1.0)
        net.fc.bias.fill_(0.0)
    with tg.autograd.detect_anomaly(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = net(tg.ones(3, 2))
        with pytest.raises(RuntimeError, match="SqrtBackward0") as info:
            out.sum().backward()
    assert f"line {_line_of('<- in forward')}, in forward" in str(info.value)


def test_graph_built_outside_anomaly_mode_says_so():
    x = tg.tensor([-1.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = x.sqrt()
    with tg.autograd.detect_anomaly(), pytest.raises(RuntimeError, match="created outside"):
        y.sum().backward()


def test_creation_stack_is_recorded_only_in_anomaly_mode():
    x = tg.tensor([1.0], requires_grad=True)
    assert not hasattr((x * 2).grad_fn, "_anomaly_frames")
    with tg.autograd.detect_anomaly():
        node = (x * 2).grad_fn
    assert node._anomaly_frames[0][0] == __file__


def test_infinite_gradient_warns_but_is_not_an_error():
    x = tg.tensor([0.0, 1.0], requires_grad=True)
    with tg.autograd.detect_anomaly(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        x.sqrt().sum().backward()
    assert x.grad.tolist()[0] == float("inf")
    assert any("SqrtBackward0' returned inf values in its 0th output" in str(w.message)
               for w in caught)


def test_clean_training_step_is_silent_and_same_result():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    x, y = tg.randn(5, 3), tg.tensor([0, 1, 1, 0, 1])
    plain = nn.functional.cross_entropy(model(x), y)
    plain.backward()
    expected = model[0].weight.grad.numpy().copy()
    model.zero_grad()
    with tg.autograd.detect_anomaly(), warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
    assert loss.item() == plain.item()
    np.testing.assert_array_equal(model[0].weight.grad.numpy(), expected)


def test_creation_site_text():
    class Fake:
        _anomaly_frames = [(__file__, 1, "f")]

    assert anomaly.creation_site(Fake()).startswith(f"The op was created at {__file__}, line 1")
