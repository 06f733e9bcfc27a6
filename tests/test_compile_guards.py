"""tg.compile's guards (issue 16): change what a guard guards between calls, and the compiled
step records again (or runs eagerly) with a warning naming the guard -- never a stale replay.

Each test runs one setup eagerly and a twin under ``tg.compile``, changes both alike once the
compiled one replays, and compares every step's bits."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg

Setup = tuple[Callable[..., Any], Callable[[], None], Callable[[], list[bytes]]]


def _linear(scale_box: list[float] | None = None) -> Setup:
    tg.manual_seed(0)
    model = tg.nn.Linear(2, 1)
    x = tg.arange(8).float().reshape(4, 2) / 8
    y = tg.ones(4, 1)
    opt = tg.optim.SGD(model.parameters(), lr=0.1)
    box = scale_box if scale_box is not None else [1.0]

    def step() -> Any:
        opt.zero_grad()
        scale = box[0]  # a Python number that steers the step
        loss = ((model(x) * scale - y) ** 2).mean()
        loss.backward()
        opt.step()
        return loss

    def state() -> list[bytes]:
        return [p._data.tobytes() for p in model.parameters()]

    step.model, step.opt, step.box = model, opt, box  # type: ignore[attr-defined]
    return step, lambda: None, state


def _run(change: Callable[[Any], None], match: str, build: Callable[[], Setup] = _linear,
         call: Callable[[Any], Any] = lambda f: f()) -> None:
    """5 steps, ``change`` both setups, 6 more: bit-identical, and one warning matching."""
    eager, _, eager_state = build()
    step, _, state = build()
    compiled = tg.compile(step)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for i in range(11):
            if i == 5:
                assert "checked against eager" in compiled.explanation()
                change(eager)
                change(step)
            a, b = call(eager), call(compiled)
            assert (a is None and b is None) or a._data.tobytes() == b._data.tobytes(), i
            assert eager_state() == state(), i
    messages = [str(w.message) for w in caught if "tg.compile" in str(w.message)]
    assert any(match in m for m in messages), messages


def test_guard_python_scalar() -> None:
    def change(step: Any) -> None:
        step.box[0] = 2.0

    _run(change, "a guard changed: box[0] == ('float', 2.0)")


def test_guard_optimizer_lr() -> None:
    def change(step: Any) -> None:
        step.opt.param_groups[0]["lr"] = 0.01

    _run(change, "a guard changed: optimizer 0 param_groups[0]")


def test_guard_module_training() -> None:
    def change(step: Any) -> None:
        step.model.eval()

    _run(change, "a guard changed: Linear.training")


def test_guard_requires_grad() -> None:
    def change(step: Any) -> None:
        step.model.bias.requires_grad_(False)

    _run(change, "a guard changed: model.bias")


def test_guard_identity_of_a_captured_tensor() -> None:
    def change(step: Any) -> None:  # a new Parameter object: the old one is not used any more
        step.model.weight = tg.nn.Parameter(tg.full((1, 2), 0.5))
        step.opt.param_groups[0]["params"][0] = step.model.weight

    _run(change, "a guard changed: model.weight")


def test_guard_grad_mode() -> None:
    w = tg.ones(3, requires_grad=True)
    v = tg.zeros(3)

    def build() -> Setup:
        def fn(x: Any) -> Any:
            return (x * w + 1).exp()

        return fn, lambda: None, lambda: [v._data.tobytes()]

    def call(f: Any) -> Any:
        with tg.no_grad():
            return f(tg.arange(3).float())

    def change(fn: Any) -> None:
        pass

    # under no_grad the forward replays; with grad on it must not (its result needs a graph)
    eager, _, _ = build()
    compiled = tg.compile(build()[0])
    for _ in range(4):
        assert call(compiled)._data.tobytes() == call(eager)._data.tobytes()
    assert "checked against eager" in compiled.explanation()
    with pytest.warns(UserWarning, match="a guard changed: grad mode"):
        for _ in range(3):
            out = compiled(tg.arange(3).float())
    assert out.requires_grad and out.grad_fn is not None  # eager: the graph is there


def _with_arg(dtype_box: list[Any]) -> Setup:
    w = tg.ones(3, requires_grad=True)

    def step(x: Any) -> Any:
        loss = (x * w).sum()
        loss.backward()
        with tg.no_grad():
            w.sub_(w.grad * 0.1)
            w.grad = None
        return loss

    return step, lambda: None, lambda: [w._data.tobytes()]


def test_guard_shape_and_dtype_of_an_argument() -> None:
    for make, match in [(lambda: tg.arange(4).float(), "args[0]: same tensor, shape (4,)"),
                        (lambda: tg.arange(3).double(), "dtype float64")]:
        eager, _, eager_state = _with_arg([])
        step, _, state = _with_arg([])
        compiled = tg.compile(step)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for i in range(10):
                x = tg.arange(3).float() if i < 5 else make()
                try:
                    a = eager(x)
                except RuntimeError as e:  # a shape eager rejects is rejected alike
                    with pytest.raises(RuntimeError, match=str(e)[:20]):
                        compiled(x)
                    continue
                b = compiled(x)
                assert a._data.tobytes() == b._data.tobytes() and eager_state() == state()
        messages = [str(w.message) for w in caught if "tg.compile" in str(w.message)]
        assert any("a guard changed" in m for m in messages), messages


def test_guard_shape_of_a_masked_result() -> None:
    # len(x[x > 0]) is read from a shape, not through a numpy call: the replay checks it
    v = tg.zeros(1)

    def step(x: Any) -> None:
        with tg.no_grad():
            positive = x[x > 0]
            v.add_(positive.sum() * len(positive))

    compiled = tg.compile(step)
    expected = 0.0
    with pytest.warns(UserWarning, match="shape of t"):
        for i in range(8):
            shift = i if i > 4 else 0
            compiled(tg.tensor([1.0, -2.0, 3.0, -4.0]) + shift)
            positive = [a + shift for a in [1.0, -2.0, 3.0, -4.0] if a + shift > 0]
            expected += sum(positive) * len(positive)
    assert v.tolist() == [expected]


def test_guard_hook_registered_between_calls() -> None:
    """Found while widening the guards: a hook registered on a parameter after the replays
    began was never called (the replay runs numpy only), and the weights drifted from
    eager's without a word. The hooks on each captured tensor and module are a guard."""
    def change(step: Any) -> None:
        step.model.weight.register_hook(lambda g: g * 100)

    _run(change, "a guard changed: hooks")


def test_guard_module_forward_hook() -> None:
    def change(step: Any) -> None:
        step.model.register_forward_hook(lambda module, args, out: out * 2)

    _run(change, "a guard changed: hooks")


def test_guard_module_backward_hook() -> None:
    def change(step: Any) -> None:  # (its dict of hooks is made at the first registration)
        step.model.register_full_backward_hook(lambda module, gin, gout: None)

    _run(change, "a guard changed: hooks")


def test_guard_shape_of_a_parameter_given_a_new_array() -> None:
    """The generated check skips a parameter's shape while its array is the one it knew;
    a new array of another shape must still be seen."""
    def change(step: Any) -> None:
        step.model.weight.data = tg.full((1, 2), 0.25)  # (a new array, the same shape)
        step.model.bias.data = tg.zeros(1, 1)

    _run(change, "a guard changed: model.bias")


def _default_dtype_step() -> Setup:
    step, _, state = _linear()

    def with_zeros() -> Any:  # tg.zeros follows the default dtype
        return step().detach() + tg.zeros(1)

    with_zeros.model, with_zeros.opt = step.model, step.opt  # type: ignore[attr-defined]
    return with_zeros, lambda: None, state


def test_guard_default_dtype() -> None:
    try:
        _run(lambda step: tg.set_default_dtype(tg.float64) if step is not None else None,
             "a guard changed: modes", build=_default_dtype_step)
    finally:
        tg.set_default_dtype(tg.float32)


def test_guard_autocast() -> None:
    on: list[bool] = [False]

    def call(f: Any) -> Any:
        if not on[0]:
            return f()
        with tg.autocast("cpu"):
            return f()

    def change(step: Any) -> None:
        on[0] = True

    _run(change, "a guard changed: modes", call=call)


class _Scaled(tg.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lin = tg.nn.Linear(2, 1)
        self.scale = 1.0  # a plain attribute the forward reads

    def forward(self, x: Any) -> Any:
        return self.lin(x) * self.scale


def _scaled() -> Setup:
    tg.manual_seed(0)
    model = _Scaled()
    x = tg.ones(4, 2)
    opt = tg.optim.SGD(model.parameters(), lr=0.1)
    config = type("Config", (), {})()
    config.offset = 0.0

    def step() -> Any:
        opt.zero_grad()
        loss = ((model(x) + config.offset) ** 2).mean()
        loss.backward()
        opt.step()
        return loss

    step.model, step.config = model, config  # type: ignore[attr-defined]
    return step, lambda: None, lambda: [p._data.tobytes() for p in model.parameters()]


def test_guard_module_attribute() -> None:
    """Found while widening the guards: ``model.scale = 3.0`` between calls was not seen
    (a module's guards were its parameters, buffers, submodules and ``training``), and
    the replay went on multiplying by 1.0. A module's plain attributes are guards."""
    def change(step: Any) -> None:
        step.model.scale = 3.0

    _run(change, "a guard changed: model.scale == ('float', 3.0)", build=_scaled)


def test_guard_attribute_of_a_captured_object() -> None:
    def change(step: Any) -> None:
        step.config.offset = 0.5

    _run(change, "a guard changed: config.offset == ('float', 0.5)", build=_scaled)


def _diagonal_written() -> Setup:
    """A captured matrix written through its diagonal: the library then compares the view
    and its base for overlap (``views.refresh``), after a write to captured state."""
    tg.manual_seed(0)
    m = tg.rand(3, 3)
    w = tg.ones(1, requires_grad=True)

    def step() -> Any:
        d = m.diagonal()
        m.mul_(0.5)  # (then d is compared with m before it is read)
        loss = (w * (m + d).sum()).sum()
        loss.backward()
        w.grad = None
        return loss.detach()

    step.m = m  # type: ignore[attr-defined]
    return step, lambda: None, lambda: [m._data.tobytes(), m._data.strides]


def test_guard_strides_of_an_input_whose_views_were_compared() -> None:
    """Where two views of one array lie follows from its strides: a matrix bound anew with
    other strides (``m.data = m.t().contiguous().t()``) makes the replay give up before it
    writes, and that call runs eagerly."""
    eager, _, eager_state = _diagonal_written()
    step, _, state = _diagonal_written()
    compiled = tg.compile(step)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(5):
            assert eager()._data.tobytes() == compiled()._data.tobytes()
    assert "strides ==" in compiled.explanation() and eager_state() == state()
    for f in (eager, step):
        f.m.data = f.m.t().contiguous().t()  # type: ignore[attr-defined]  (same values)
    assert eager()._data.tobytes() == compiled()._data.tobytes()
    assert compiled._stale == 1 and eager_state() == state()


def _reading(read: str, env: Callable[[], dict[str, Any]], signature: str = "") -> Callable[
        [], Setup]:
    """The linear model's step with its loss scaled by ``read`` (Python source), in a
    namespace of its own made by ``env()``: each twin reads its own state."""
    def build() -> Setup:
        tg.manual_seed(0)
        model = tg.nn.Linear(2, 1)
        ns = {**env(), "model": model, "x": tg.arange(8).float().reshape(4, 2) / 8,
              "y": tg.ones(4, 1), "opt": tg.optim.SGD(model.parameters(), lr=0.1)}
        exec(f"def step({signature}):\n"  # noqa: S102  (the test's own source)
             "    opt.zero_grad()\n"
             f"    loss = ((model(x) * float({read}) - y) ** 2).mean()\n"
             "    loss.backward()\n"
             "    opt.step()\n"
             "    return loss\n", ns)
        return ns["step"], lambda: None, lambda: [p._data.tobytes() for p in model.parameters()]

    return build


class _Slotted:
    __slots__ = ("scale",)

    def __init__(self) -> None:
        self.scale = 1.0


def _module() -> Any:
    import types
    config = types.ModuleType("config")
    config.beta = 1.0  # type: ignore[attr-defined]
    return config


@pytest.mark.parametrize("read, env, signature, change, match", [
    ("scale", lambda: {"scale": np.float32(1.0)}, "",
     lambda g: g.update(scale=np.float32(3.0)), "scale == ('float32', np.float32(3.0))"),
    ("betas[i]", lambda: {"betas": np.array([1.0, 2.0, 3.0]), "i": np.array(0)}, "",
     lambda g: g["i"].fill(2), "i: numpy array, shape ()"),
    ("config.beta", lambda: {"config": _module()}, "",
     lambda g: setattr(g["config"], "beta", 3.0), "config.beta == ('float', 3.0)"),
    ("cfg.scale", lambda: {"cfg": _Slotted()}, "",
     lambda g: setattr(g["cfg"], "scale", 3.0), "cfg.scale == ('float', 3.0)"),
    ("d[-1]", lambda: {"d": __import__("collections").deque([1.0])}, "",
     lambda g: g["d"].append(3.0), "d[1] == ('float', 3.0)"),
    ("scale", dict, "scale=1.0",
     lambda g: setattr(g["step"], "__defaults__", (3.0,)), "__defaults__[0]"),
    ("scale", dict, "*, scale=1.0",
     lambda g: g["step"].__kwdefaults__.update(scale=3.0), "__kwdefaults__['scale']"),
], ids=["numpy scalar", "0-d array changed in place", "module attribute", "slots", "deque",
        "default argument", "keyword-only default"])
def test_guard_python_state_a_step_reads(read: str, env: Any, signature: str, change: Any,
                                         match: str) -> None:
    """Found by trying learners' loops: values a step reads that the capture did not
    follow -- a numpy scalar, a numpy array changed in place, an imported module's
    attribute, ``__slots__``, a deque, default arguments -- were replayed stale."""
    _run(lambda f: change(f.__globals__), match, _reading(read, env, signature))


def test_guards_that_change_at_every_call_give_up_once_with_a_warning() -> None:
    """Found by trying learners' loops: a guard that changes at every call (a per-step
    learning rate, a growing list) kept the step eager, silently, remembering every set
    of guards. After ``recompile_limit`` calls it gives up and says so."""
    eager, _, eager_state = _reading("box[0]", lambda: {"box": [1.0]})()
    step, _, state = _reading("box[0]", lambda: {"box": [1.0]})()
    compiled = tg.compile(step)
    with pytest.warns(UserWarning, match=r"guards changed more than recompile_limit=8 times "
                                         r"\(box\[0\] =="):
        for i in range(12):
            for f in (eager, step):
                f.__globals__["box"][0] = 1.0 + i / 8
            assert eager()._data.tobytes() == compiled()._data.tobytes()
            assert eager_state() == state()
    assert "runs eagerly" in compiled.explanation() and not compiled._warmed
