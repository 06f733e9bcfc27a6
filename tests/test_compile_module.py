"""tg.compile(module) (issue 16): an OptimizedModule whose forward replays a recorded forward
program and whose CompiledFunctionBackward node replays a recorded backward program, while
the loss, backward() and opt.step() stay eager. Every step is compared with an eager twin
with ``==`` on the bytes: the loss, every .grad, the parameters and buffers."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.compiler import OptimizedModule

nn = tg.nn


def _mlp() -> Any:
    return nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))


def _bn() -> Any:
    return nn.Sequential(nn.Linear(4, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 3))


class _Tied(nn.Module):
    """A parameter used twice in one forward: its gradients add up inside the node."""

    def __init__(self) -> None:
        super().__init__()
        self.lin = nn.Linear(4, 4)
        self.out = nn.Linear(4, 3)

    def forward(self, x: Any) -> Any:
        return self.out(self.lin(self.lin(x).tanh()))


def _bytes(model: Any) -> list[bytes]:
    out = [p._data.tobytes() for p in model.parameters()]
    out += [p.grad._data.tobytes() for p in model.parameters() if p.grad is not None]
    out += [b._data.tobytes() for b in model.buffers()]
    return out


def _twins(make: Any) -> tuple[Any, Any]:
    tg.manual_seed(0)
    eager = make()
    tg.manual_seed(0)
    return eager, make()


def _train(eager: Any, model: Any, steps: int = 10, loss_of: Any = None) -> None:
    """The learner's loop, eager model and compiled model side by side, compared each step."""
    tg.manual_seed(1)
    x, y = tg.randn(32, 4), tg.randint(0, 3, (32,))
    loss_fn = nn.CrossEntropyLoss()
    loss_of = loss_of or (lambda out: loss_fn(out, y))
    o1 = tg.optim.SGD(eager.parameters(), lr=0.1, momentum=0.9)
    o2 = tg.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for _ in range(steps):
        o1.zero_grad()
        l1 = loss_of(eager(x))
        l1.backward()
        o1.step()
        o2.zero_grad()
        l2 = loss_of(model(x))
        l2.backward()
        o2.step()
        assert l1._data.tobytes() == l2._data.tobytes()
        assert _bytes(eager) == _bytes(model)


def _replays(model: Any) -> bool:
    text = model.forward.explanation()
    return "checked against eager" in text and "runs eagerly" not in text


@pytest.mark.parametrize("make", [_mlp, _bn, _Tied], ids=["mlp", "batchnorm", "tied"])
def test_compiled_module_training_loop_matches_eager(make: Any) -> None:
    eager, model = _twins(make)
    model = tg.compile(model)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # it replays: no fallback warning
        _train(eager, model)
    assert _replays(model)


@pytest.mark.parametrize("make", [_mlp, _bn], ids=["mlp", "batchnorm"])
def test_module_compile_in_place_matches_eager(make: Any) -> None:
    """``model.compile()`` (PyTorch's ``Module.compile``): the model stays itself, its
    state_dict keys unprefixed, and its calls replay bit for bit as the eager twin's."""
    eager, model = _twins(make)
    keys = list(model.state_dict())
    assert model.compile() is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _train(eager, model)
    compiled = model.__dict__["_compiled_call_impl"]
    assert "checked against eager" in compiled.explanation()
    assert type(model) is type(eager) and list(model.state_dict()) == keys


def test_module_compile_disable_and_unknown_keyword() -> None:
    model = nn.Linear(2, 2)
    model.compile(disable=True)
    assert model.__dict__["_compiled_call_impl"] is None
    with pytest.raises(TypeError, match="unexpected keyword argument 'bogus'"):
        model.compile(bogus=1)


def test_seed_laid_out_transposed() -> None:
    """A loss of ``out.t()`` sends a transposed gradient: recorded with that layout (numpy
    picks its loops, and with them the order of a sum, by the layout)."""
    eager, model = _twins(_mlp)
    model = tg.compile(model)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _train(eager, model, loss_of=lambda out: (out.t() * out.t()).mean())
    assert _replays(model)


def test_input_that_requires_grad_gets_its_gradient() -> None:
    eager, model = _twins(_mlp)
    model = tg.compile(model)
    for i in range(6):
        x1 = (tg.arange(8.0).reshape(2, 4) / (i + 1)).requires_grad_()
        x2 = (tg.arange(8.0).reshape(2, 4) / (i + 1)).requires_grad_()
        eager(x1).sum().backward()
        out = model(x2)
        out.sum().backward()
        assert x1.grad._data.tobytes() == x2.grad._data.tobytes()
        assert _bytes(eager) == _bytes(model)
    assert len(out.grad_fn.next_functions) == 5  # parameters first, then x: as PyTorch
    assert _replays(model)


def test_grad_fn_name_and_node() -> None:
    model = tg.compile(_mlp())
    x = tg.randn(2, 4)
    for _ in range(4):
        out = model(x)
        out.sum().backward()
    assert out.grad_fn.name() == "CompiledFunctionBackward"
    assert "CompiledFunctionBackward object at" in repr(out.grad_fn)


def test_eval_and_no_grad_replay_the_forward_alone() -> None:
    tg.manual_seed(0)
    eager = _bn()
    tg.manual_seed(0)
    model = tg.compile(_bn())
    model.eval()
    assert not model._orig_mod.training and not model._orig_mod[1].training
    x = tg.randn(5, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        eager.eval()
        for _ in range(5):
            with tg.no_grad():
                out = model(x)
                assert out._data.tobytes() == eager(x)._data.tobytes()
                assert out.grad_fn is None
    assert _replays(model)


def test_saved_values_are_freed_by_backward() -> None:
    model = tg.compile(_mlp())
    x = tg.randn(2, 4)
    for i in range(5):
        model.zero_grad()
        out = model(x)
        if i >= 2:  # (checked, then replayed: the forward program's saved values)
            assert out.grad_fn._saved and out.grad_fn.box.saved == ()
        out.sum().backward()
        assert out.grad_fn._saved == ()


def test_what_a_learner_sees_of_the_wrapper() -> None:
    inner = _mlp()
    model = tg.compile(inner)
    assert isinstance(model, OptimizedModule) and model._orig_mod is inner
    assert list(model.parameters()) == list(inner.parameters())
    # PyTorch 2.13: torch.compile(nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))).state_dict()
    bn = tg.compile(nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3)))
    assert list(bn.state_dict()) == [
        "_orig_mod.0.weight", "_orig_mod.0.bias", "_orig_mod.1.weight", "_orig_mod.1.bias",
        "_orig_mod.1.running_mean", "_orig_mod.1.running_var",
        "_orig_mod.1.num_batches_tracked"]
    assert model.training
    model.eval()
    assert not inner.training and not model.training
    model.train()
    assert inner.training and inner[0].training
    linear = tg.compile(nn.Linear(2, 2))
    assert linear.weight is linear._orig_mod.weight  # read through to the original
    assert len(model) == 3
    assert repr(model).startswith("OptimizedModule(\n  (_orig_mod): Sequential(")


def test_retain_graph_and_second_backward() -> None:
    model = tg.compile(nn.Linear(3, 2))
    x = tg.ones(4, 3)
    for _ in range(4):
        model.zero_grad()
        loss = (model(x) ** 2).sum()
        loss.backward(retain_graph=True)
        once = model.weight.grad.clone()
        loss.backward()
        assert (model.weight.grad == 2 * once).all()
    model.zero_grad()
    loss = (model(x) ** 2).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        loss.backward()


def test_create_graph_then_double_backward_raises_as_pytorch() -> None:
    """PyTorch 2.13 makes the first-order gradient with create_graph=True, and raises when
    it is differentiated again: so does this."""
    model = tg.compile(nn.Linear(2, 2))
    x = tg.ones(3, 2, requires_grad=True)
    for _ in range(4):
        out = model(x)
    (g,) = tg.autograd.grad((out * out).sum(), x, create_graph=True)
    assert g.grad_fn.name() == "CompiledFunctionBackwardBackward"
    with pytest.raises(RuntimeError, match="does not currently support double backward"):
        g.sum().backward()


def test_dropout_runs_eagerly_in_train_and_replays_in_eval() -> None:
    def make() -> Any:
        return nn.Sequential(nn.Linear(4, 16), nn.Dropout(0.5), nn.Linear(16, 3))

    eager, model = _twins(make)
    model = tg.compile(model)
    x, y = tg.randn(8, 4), tg.randint(0, 3, (8,))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for step in range(6):
            for m in (eager, model):
                tg.manual_seed(step)  # the same mask for both
                m.zero_grad()
                loss = nn.functional.cross_entropy(m(x), y)
                loss.backward()
            assert _bytes(eager) == _bytes(model)
    messages = [str(w.message) for w in caught if "tg.compile" in str(w.message)]
    assert len(messages) == 1 and "draws random numbers" in messages[0]
    eager.eval()
    model.eval()  # (another guard: Dropout draws nothing, the forward replays)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", ".*runs eagerly")
        for _ in range(5):
            with tg.no_grad():
                assert model(x)._data.tobytes() == eager(x)._data.tobytes()
    assert "checked against eager" in model.forward.explanation()


def test_a_result_of_several_tensors_runs_eagerly() -> None:
    class Two(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lin = nn.Linear(2, 2)

        def forward(self, x: Any) -> Any:
            y = self.lin(x)
            return y, y * 2

    model = tg.compile(Two())
    with pytest.warns(UserWarning, match="not one tensor"):
        for _ in range(4):
            a, b = model(tg.ones(1, 2))
            (a.sum() + b.sum()).backward()
    assert model.lin.weight.grad is not None


def test_a_changed_read_in_backward_raises_and_the_module_turns_eager() -> None:
    """ReLU's backward reads whether its gradient is finite (a NaN must become 0 under the
    mask): the replayed backward checks that read, and cannot go back to eager."""
    model = tg.compile(_mlp())
    x = tg.randn(2, 4)
    for _ in range(4):
        model(x).sum().backward()
    out = model(x)
    with np.errstate(all="ignore"), pytest.warns(UserWarning, match="runs eagerly"), \
            pytest.raises(RuntimeError, match="cannot go back to run eagerly"):
        (out * float("inf")).sum().backward()
    assert "runs eagerly" in model.forward.explanation()
    model(x).sum().backward()  # eager from now on


def test_seed_layout_changed_after_recording_warns() -> None:
    model = tg.compile(nn.Linear(3, 2))
    x = tg.ones(4, 3)
    for _ in range(4):
        model(x).sum().backward()  # a contiguous seed, as recorded
    with pytest.warns(UserWarning, match="laid out in memory unlike"):
        model(x).t().sum().backward()


def test_compiled_module_under_a_compiled_step_is_not_needed() -> None:
    """The module's own call, with a tensor argument bound afresh every call."""
    eager, model = _twins(_mlp)
    model = tg.compile(model)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for i in range(6):
            x = tg.full((3, 4), float(i))
            eager(x).sum().backward()
            model(x).sum().backward()
            assert _bytes(eager) == _bytes(model)


def test_examples_linear_regression_with_a_compiled_model() -> None:
    from examples import linear_regression as lr

    x, y = lr.load_scaled_data()
    X = tg.tensor(x, dtype=tg.float32).reshape(-1, 1)
    Y = tg.tensor(y, dtype=tg.float32).reshape(-1, 1)
    models = []
    for _ in range(2):
        tg.manual_seed(42)
        models.append(nn.Linear(1, 1))
    eager, model = models[0], tg.compile(models[1])
    loss_fn = nn.MSELoss()
    o1 = tg.optim.SGD(eager.parameters(), lr=lr.LR)
    o2 = tg.optim.SGD(model.parameters(), lr=lr.LR)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(12):
            for m, o in ((eager, o1), (model, o2)):
                o.zero_grad()
                loss = loss_fn(m(X), Y)
                loss.backward()
                o.step()
            assert _bytes(eager) == _bytes(model)
    assert _replays(model)
    np.testing.assert_array_equal(eager.weight.detach().numpy(), model.weight.detach().numpy())


def test_classifiers_example_model_with_adam_outside() -> None:
    """examples/classifiers.py trains with Adam, which a compiled step cannot replay (it
    reads its step count): with the model compiled, Adam stays eager and all is exact."""
    from examples import classifiers as c

    X, y = c.make_datasets()["blobs"]
    X_train, X_test, y_train, y_test = c.to_tensors(X, y)
    models = []
    for _ in range(2):
        tg.manual_seed(0)
        models.append(c.MLPClassifier(2, 4))
    eager, model = models[0], tg.compile(models[1])
    loss_fn = nn.CrossEntropyLoss()
    o1 = tg.optim.Adam(eager.parameters(), lr=0.01)
    o2 = tg.optim.Adam(model.parameters(), lr=0.01)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(10):
            losses = []
            for m, o in ((eager, o1), (model, o2)):
                m.train()
                loss = loss_fn(m(X_train), y_train)
                o.zero_grad()
                loss.backward()
                o.step()
                losses.append(loss.item())
                m.eval()
                with tg.no_grad():
                    losses.append(c.accuracy(m(X_test), y_test))
            assert losses[:2] == losses[2:]
            assert _bytes(eager) == _bytes(model)
    assert _replays(model)


def test_state_dict_round_trip_with_the_prefix() -> None:
    model = tg.compile(_mlp())
    other = tg.compile(_mlp())
    other.load_state_dict(model.state_dict())
    assert _bytes(model) == _bytes(other)
    plain = _mlp()
    plain.load_state_dict({k.removeprefix("_orig_mod."): v for k, v in
                           model.state_dict().items()})
    assert _bytes(plain) == _bytes(model)


def test_hooks_elsewhere_and_on_a_parameter() -> None:
    """Found by the full suite's order: any tensor hook anywhere (a tensor of another test,
    still alive) made the compiled module give up. Only hooks its forward registers are a
    reason to; a hook on a parameter runs in the outer backward, as eager's does."""
    other = tg.ones(1, requires_grad=True)
    with other.register_hook(lambda g: g):
        eager, model = _twins(_mlp)
        for m in (eager, model):
            m[0].weight.register_hook(lambda g: g * 2)
        model = tg.compile(model)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            _train(eager, model)
        assert _replays(model)
