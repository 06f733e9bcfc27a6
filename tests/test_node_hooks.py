"""Hooks on graph nodes: ``grad_fn.register_prehook(fn)`` and ``grad_fn.register_hook(fn)``,
and ``Module.register_backward_hook`` (deprecated in PyTorch) built on them.

Each scenario is written once against a library ``m`` (tinygrad_edu or torch) and must
give the same numbers and the same calls in both.
"""

from __future__ import annotations

import warnings

import pytest

import tinygrad_edu as tg


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _shapes(grads):
    return [None if g is None else tuple(g.shape) for g in grads]


def _order(m):
    seen = []
    x = m.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: seen.append(("tensor", g.tolist())))
    y.grad_fn.register_prehook(lambda go: seen.append(("pre", [g.tolist() for g in go])))
    y.grad_fn.register_hook(lambda gi, go: seen.append(
        ("post", [None if g is None else g.tolist() for g in gi], [g.tolist() for g in go])))
    (y * y).sum().backward()
    return seen, x.grad.tolist()


def _post_replaces(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.grad_fn.register_hook(lambda gi, go: (gi[0] * 10, None))
    (y * y).sum().backward()
    return x.grad.tolist()


def _pre_replaces(m):
    x = m.tensor([1.0, -1.0], requires_grad=True)
    y = x.exp()
    y.register_hook(lambda g: g + 1)  # runs first: the pre-hook sees it
    y.grad_fn.register_prehook(lambda go: (go[0] * 3,))
    y.sum().backward()
    return [round(v, 5) for v in x.grad.tolist()]


def _number_operand(m):
    seen = []
    a = m.tensor(1.0, requires_grad=True)
    c = a + 2.0  # PyTorch lists the number as an input that takes no gradient
    c.grad_fn.register_hook(lambda gi, go: seen.append((_shapes(gi), _shapes(go))))
    c.backward()
    return seen


def _broadcast(m):
    seen = []
    x = m.ones(3, requires_grad=True)
    w = m.ones(2, 3, requires_grad=True)
    z = x * w  # x's gradient is summed to x's shape before the hook sees it
    z.grad_fn.register_hook(lambda gi, go: seen.append(
        ([g.tolist() for g in gi], _shapes(go))))
    z.sum().backward()
    return seen, x.grad.tolist()


def _linear(m):
    seen = []
    m.manual_seed(0)
    lin = m.nn.Linear(3, 2)
    out = lin(m.randn(4, 3, requires_grad=True))
    out.grad_fn.register_hook(lambda gi, go: seen.append((_shapes(gi), _shapes(go))))
    out.sum().backward()
    return out.grad_fn.name(), seen


def _removed(m):
    x = m.tensor([1.0], requires_grad=True)
    y = x * 2
    handle = y.grad_fn.register_hook(lambda gi, go: (gi[0] * 0,))
    pre = y.grad_fn.register_prehook(lambda go: (go[0] * 0,))
    handle.remove()
    pre.remove()
    y.sum().backward()
    return x.grad.tolist()


def _second_order(m):
    x = m.tensor([1.5, -0.5], requires_grad=True)
    h = x * x
    h.grad_fn.register_hook(lambda gi, go: (gi[0] * 2, gi[1]))  # (x * x: two inputs)
    (gx,) = m.autograd.grad(h.sum(), [x], create_graph=True)  # 2x + x, recorded
    gx.sum().backward()
    return gx.tolist(), x.grad.tolist()


SCENARIOS = {
    "order": _order,
    "post replaces": _post_replaces,
    "pre replaces": _pre_replaces,
    "number operand": _number_operand,
    "broadcast": _broadcast,
    "linear": _linear,
    "removed": _removed,
    "second order": _second_order,
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_node_hooks_like_torch(torch, name):
    assert SCENARIOS[name](tg) == SCENARIOS[name](torch)


def test_node_hooks_expected_values():
    # the numbers themselves (also without torch), worked out by hand
    assert _order(tg) == ([("tensor", [4.0, 8.0]), ("pre", [[4.0, 8.0]]),
                           ("post", [[8.0, 16.0], None], [[4.0, 8.0]])], [8.0, 16.0])
    assert _post_replaces(tg) == [80.0, 160.0]
    assert _number_operand(tg) == [([(), None], [()])]
    assert _broadcast(tg) == ([([[2.0, 2.0, 2.0], [[1.0] * 3] * 2], [(2, 3)])], [2.0] * 3)
    assert _removed(tg) == [2.0]
    assert _second_order(tg) == ([4.5, -1.5], [3.0, 3.0])


@pytest.mark.parametrize("hook, error, text", [
    (lambda gi, go: (gi[0],), RuntimeError,
     "hook '<lambda>' has returned an incorrect number of values (got 1, but expected 2)"),
    (lambda gi, go: 5, TypeError, "expected tuple, but hook returned 'int'"),
    (lambda gi, go: (gi[0].sum(), None), RuntimeError,
     "hook '<lambda>' has changed the size of value"),
])
def test_node_hook_errors_like_torch(torch, hook, error, text):
    for m in (tg, torch):
        a = m.tensor([1.0, 2.0], requires_grad=True)
        c = a * 3
        c.grad_fn.register_hook(hook)
        with pytest.raises(error) as info:
            c.sum().backward()
        assert str(info.value).startswith(text), (m.__name__, str(info.value))


def test_prehook_must_return_a_tuple(torch):
    for m in (tg, torch):
        a = m.tensor(1.0, requires_grad=True)
        c = a * 3
        c.grad_fn.register_prehook(lambda go: 5)
        with pytest.raises(TypeError, match="expected tuple, but hook returned 'int'"):
            c.backward()


# ------------------------------------------------------------- Module.register_backward_hook
class _Two:
    """``x * 2 + 1``: a module of two ops (the hook sees the last one's gradients)."""

    @staticmethod
    def make(m):
        class Two(m.nn.Module):
            def forward(self, x):
                return x * 2 + 1
        return Two()


def _module_hook(m, make, x_leaf):
    seen = []
    m.manual_seed(0)
    module = make(m)
    module.register_backward_hook(lambda mod, gi, go: seen.append(
        (type(mod).__name__, _shapes(gi), _shapes(go))))
    x = m.randn(4, 3, requires_grad=True)
    if not x_leaf:
        x = x * 1
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        module(x).sum().backward()
    return seen, [str(w.message) for w in caught if w.category is FutureWarning]


MODULES = {
    "linear": lambda m: m.nn.Linear(3, 2),
    "sequential": lambda m: m.nn.Sequential(m.nn.Linear(3, 2), m.nn.ReLU()),
    "relu": lambda m: m.nn.ReLU(),
    "two ops": _Two.make,
}


@pytest.mark.parametrize("x_leaf", [True, False])
@pytest.mark.parametrize("name", list(MODULES))
def test_module_backward_hook_like_torch(torch, name, x_leaf):
    assert _module_hook(tg, MODULES[name], x_leaf) == _module_hook(torch, MODULES[name], x_leaf)


def test_module_backward_hook_replaces_grad_input(torch):
    def run(m):
        relu = m.nn.ReLU()
        relu.register_backward_hook(lambda mod, gi, go: (gi[0] * 0,))
        x = m.ones(2, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            relu(x).sum().backward()
        return x.grad.tolist()
    assert run(tg) == run(torch) == [0.0, 0.0]


def test_module_backward_hook_kinds_do_not_mix(torch):
    for m in (tg, torch):
        full = m.nn.Linear(3, 2)
        full.register_full_backward_hook(lambda *a: None)
        with pytest.raises(RuntimeError, match="Cannot use both regular backward hooks and "
                                               "full backward hooks on a single Module"):
            full.register_backward_hook(lambda *a: None)
        legacy = m.nn.Linear(3, 2)
        legacy.register_backward_hook(lambda *a: None)
        with pytest.raises(RuntimeError, match="Cannot use both"):
            legacy.register_full_backward_hook(lambda *a: None)
