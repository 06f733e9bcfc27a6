"""``Tensor.register_hook``: a function of the gradient, run during backward, as in PyTorch.

Each scenario is written once against a library ``m`` (tinygrad_edu or torch) and must
give the same numbers and the same calls in both.
"""

from __future__ import annotations

import gc

import numpy as np
import pytest

import tinygrad_edu as tg


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _intermediate(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    h.retain_grad()
    h.register_hook(lambda g: g * 10)  # dL/dh, scaled before it flows on to x
    (h * h).sum().backward()
    return h.grad.tolist(), x.grad.tolist()


def _leaf_sees_the_total_once(m):
    seen = []
    a = m.tensor([1.0], requires_grad=True)
    a.register_hook(lambda g: seen.append(g.tolist()) or g + 100)
    (a * 2 + a * 3).sum().backward()  # two gradients reach a: the hook gets their sum
    return seen, a.grad.tolist()


def _order_and_chaining(m):
    seen = []
    z = m.tensor([1.0], requires_grad=True)
    w = z * 2
    w.register_hook(lambda g: seen.append(("first", g.tolist())) or g * 2)
    w.register_hook(lambda g: seen.append(("second", g.tolist())))  # None: unchanged
    w.sum().backward()
    return seen, z.grad.tolist()


def _autograd_grad(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: g + 1)
    h = x * x
    h.register_hook(lambda g: g * 3)
    y = (h + x).sum()
    (gx,) = m.autograd.grad(y, [x], retain_graph=True)
    (gh,) = m.autograd.grad(y, [h])  # what the hook returned
    # (Not asked together: torch then returns h's gradient from before its hook, while
    # the hooked one flows on to x; here autograd.grad always returns the hooked one.)
    return gx.tolist(), gh.tolist()


def _root(m):
    seen = []
    r = m.tensor([1.0, 2.0], requires_grad=True)
    y = r * 2
    y.register_hook(lambda g: seen.append(g.tolist()) or g * 5)
    y.backward(m.tensor([1.0, -1.0]))
    return seen, r.grad.tolist()


def _second_order(m):
    x = m.tensor([1.5, -0.5], requires_grad=True)
    h = x * x
    h.register_hook(lambda g: g * 2)
    (gx,) = m.autograd.grad(h.sum(), [x], create_graph=True)  # 2 * 2x
    gx.sum().backward()
    return gx.tolist(), x.grad.tolist()


def _removed(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    handle = x.register_hook(lambda g: g * 0)
    handle.remove()
    handle.remove()  # a second remove does nothing
    with x.register_hook(lambda g: g * 7):  # removed on the way out
        (x * 1).sum().backward()
    (x * 1).sum().backward()
    return x.grad.tolist()


SCENARIOS = {
    "intermediate": _intermediate,
    "leaf sees the total once": _leaf_sees_the_total_once,
    "order and chaining": _order_and_chaining,
    "autograd.grad": _autograd_grad,
    "root": _root,
    "second order": _second_order,
    "removed": _removed,
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_hooks_like_torch(torch, name):
    assert SCENARIOS[name](tg) == SCENARIOS[name](torch)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_hooks_expected_values(name):
    # the numbers themselves (also without torch), worked out by hand
    expected = {
        "intermediate": ([60.0, 120.0], [180.0, 360.0]),
        "leaf sees the total once": ([[5.0]], [105.0]),
        "order and chaining": ([("first", [1.0]), ("second", [2.0])], [4.0]),
        "autograd.grad": ([3 * 2 * 1.0 + 1 + 1, 3 * 2 * 2.0 + 1 + 1], [3.0, 3.0]),
        "root": ([[1.0, -1.0]], [10.0, -10.0]),
        "second order": ([6.0, -2.0], [4.0, 4.0]),
        "removed": [8.0, 8.0],
    }
    assert SCENARIOS[name](tg) == expected[name]


def test_hook_errors_like_torch(torch):
    for m in (tg, torch):
        with pytest.raises(RuntimeError, match="cannot register a hook on a tensor that "
                                               "doesn't require gradient"):
            m.tensor([1.0]).register_hook(lambda g: g)
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y.register_hook(lambda g: g.sum())
        with pytest.raises(RuntimeError, match="hook '<lambda>' has changed the size of value"):
            y.sum().backward()
        z = x * 2
        z.register_hook(lambda g: g.double())
        with pytest.raises(RuntimeError, match="has changed the type of value"):
            z.sum().backward()


def test_hook_edit_in_place_changes_only_its_own_tensors_gradient():
    # Add sends the very same gradient array to both inputs: a hook that writes into its
    # argument changes its tensor's gradient (as in PyTorch: a 101, b 2), not the other's
    a = tg.tensor([1.0], requires_grad=True)
    b = tg.tensor([1.0], requires_grad=True)
    s = a * 1 + b * 1
    mid = a * 1
    mid.register_hook(lambda g: g.mul_(100) and None)
    (mid + b * 1).sum().backward()
    assert a.grad.tolist() == [100.0] and b.grad.tolist() == [1.0]
    s.sum().backward()
    assert b.grad.tolist() == [2.0] and a.grad.tolist() == [101.0]


def test_hooks_leave_with_their_tensors():
    table = tg.core.hooks.tensor_hooks
    gc.collect()  # hooked tensors left in cycles by earlier tests must not leave during the test
    before = len(table)
    x = tg.tensor([1.0], requires_grad=True)
    h = x * 2
    x.register_hook(lambda g: g)
    h.register_hook(lambda g: g)
    assert len(table) == before + 2
    del x, h
    gc.collect()
    assert len(table) == before


def test_no_hooks_no_cost_path_still_right():
    # with hooks registered somewhere else, an unrelated backward is unchanged
    keep = tg.tensor([1.0], requires_grad=True)
    keep.register_hook(lambda g: g * 0)
    x = tg.tensor([2.0, 3.0], requires_grad=True)
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, 6.0])
    assert keep.grad is None


# The order leaves' hooks run in: PyTorch runs a leaf's AccumulateGrad as soon as the last
# node sending it a gradient has run, the leaves completed together in the order its ready
# queue (a libstdc++ heap) gives equal keys. Each program appends to ``out`` from hooks.
_ORDER_PROGRAMS = {
    "linear": "w = m.randn(3, 2, requires_grad=True); b = m.randn(3, requires_grad=True)\n"
              "for n, t in [('w', w), ('b', b)]: t.register_hook(lambda g, n=n: out.append(n))\n"
              "((m.randn(4, 2) @ w.T + b) ** 2).sum().backward()",
    "mlp": "l1 = m.nn.Linear(2, 3); l2 = m.nn.Linear(3, 1)\n"
           "for n, p in [*l1.named_parameters(), *l2.named_parameters()]:\n"
           "    p.register_hook(lambda g, n=n: out.append(n))\n"
           "l2(m.tanh(l1(m.randn(4, 2)))).sum().backward()",
    # b gets its first gradient first but is completed last
    "completed_last": "a, b, c = (m.randn(3, requires_grad=True) for _ in range(3))\n"
                      "for n, t in [('a', a), ('b', b), ('c', c)]:\n"
                      "    t.register_hook(lambda g, n=n: out.append(n))\n"
                      "(a * b + c * a + b).sum().backward()",
    # five leaves completed by one node: the heap's order of equal keys, 0 2 4 1 3
    "stack": "xs = [m.randn(2, requires_grad=True) for _ in range(5)]\n"
             "for i, t in enumerate(xs): t.register_hook(lambda g, i=i: out.append(i))\n"
             "(m.stack(xs) * 2).sum().backward()",
    # a leaf's hook between two non-leaf hooks
    "mixed": "x = m.randn(3, requires_grad=True); w = m.randn(3, requires_grad=True)\n"
             "h = x * w; h.register_hook(lambda g: out.append('h'))\n"
             "k = h.exp() + w; k.register_hook(lambda g: out.append('k'))\n"
             "for n, t in [('x', x), ('w', w)]: t.register_hook(lambda g, n=n: out.append(n))\n"
             "k.sum().backward()",
}


@pytest.mark.parametrize("name", sorted(_ORDER_PROGRAMS))
def test_leaf_hooks_run_in_the_order_pytorch_runs_them(torch, name: str) -> None:
    """Before: every leaf's gradient was delivered after the walk, in the order the leaves
    got their first gradient (b, c, a where PyTorch runs c, a, b; 0 1 2 3 4 for a stack)."""
    orders = []
    for m in (tg, torch):
        out: list = []
        m.manual_seed(0)
        exec(_ORDER_PROGRAMS[name], {"m": m, "out": out})
        orders.append(out)
    assert orders[0] == orders[1]


def test_a_hook_that_refers_to_its_own_tensor_is_freed_with_it() -> None:
    """Before: the engine's table held every hook, so ``h.register_hook(lambda g: h)`` kept
    h, its node and the graph below alive for good (the table is global); in PyTorch the
    cycle h -> node -> hook -> h is the garbage collector's to free."""
    import weakref

    from tinygrad_edu.core.hooks import tensor_hooks

    def graph_with_hooks() -> tuple[list, list]:
        x = tg.randn(3, requires_grad=True)
        h = x * 2
        h.register_hook(lambda g: print(h.shape))  # (the closure keeps h: a cycle)
        x.register_hook(lambda g: print(x.shape))
        return [weakref.ref(h), weakref.ref(h.grad_fn), weakref.ref(x)], [id(h.grad_fn), id(x)]

    refs, keys = graph_with_hooks()
    gc.collect()
    assert [r() for r in refs] == [None, None, None]
    assert not any(k in tensor_hooks for k in keys)
