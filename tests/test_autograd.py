"""Autograd with PyTorch's semantics: the graph walk, ``.grad``, ``backward``, ``autograd.grad``.

Regression tests are named after the bug they prevent (test_diamond, test_broadcast_grad_shapes,
test_deep_chain_no_recursion, test_backward_twice_raises, test_gc). Tests that compare with
PyTorch take the ``torch`` fixture and are skipped only when torch cannot be imported.
"""

from __future__ import annotations

import gc
import re
import warnings
import weakref

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays, broadcast_shapes

import tinygrad_edu as tg

FREED = "Trying to backward through the graph a second time"


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def t64(values, requires_grad=True):
    return tg.tensor(np.asarray(values, dtype=np.float64), requires_grad=requires_grad)


# ------------------------------------------------------------------------------ the graph walk
def test_diamond():
    # y is used three times: its node must run once, with the sum of the three gradients
    x = tg.tensor(2.0, requires_grad=True)
    y = x * 3
    z = y * y + y  # dz/dy = 2y + 1 = 13, dz/dx = 3 * 13
    z.backward()
    assert x.grad.item() == 39.0


def test_diamond_vector_and_leaf_reused():
    x = tg.tensor([1.0, -2.0, 3.0], requires_grad=True)
    a = x.exp()
    b = a * x + a.sin() - a  # a feeds three ops, x feeds two
    b.sum().backward()
    xv = np.array([1.0, -2.0, 3.0], dtype=np.float32)
    av = np.exp(xv)
    expected = av * (xv + 1 + np.cos(av) - 1)  # d/dx of e^x x + sin(e^x) - e^x
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-5)


def test_diamond_wide_fan_out():
    # one node reused 50 times along different paths, then joined
    x = tg.tensor(1.5, requires_grad=True)
    h = x * x
    total = h * 0.0
    for k in range(50):
        total = total + h * float(k)
    total.backward()
    assert x.grad.item() == pytest.approx(2 * 1.5 * sum(range(50)))


def test_diamond_leaf_and_node_share_one_gradient_array():
    # add's backward hands the same array to a leaf and to a node: the leaf must not add
    # into it in place while the node still holds it
    x = tg.tensor(np.zeros(3), requires_grad=True)
    other = tg.tensor(np.zeros(3), requires_grad=True)
    doubles = [x + x for _ in range(6)]
    joined = x + doubles[0]
    outs = doubles + [joined, other + joined]
    sum(o.sum() for o in outs).backward()
    assert x.grad.tolist() == [18.0, 18.0, 18.0]  # this once gave 38
    assert other.grad.tolist() == [1.0, 1.0, 1.0]
    y = tg.tensor([1.0, 2.0], requires_grad=True)
    h = y * 1
    (y + h).sum().backward()  # the same array reaches the leaf y twice: 1 directly, 1 via h
    assert y.grad.tolist() == [2.0, 2.0]


def test_diamond_matches_torch(torch):
    values = np.array([[0.5, -1.0], [2.0, 0.25]], dtype=np.float32)
    grads = []
    for m in (tg, torch):
        x = m.tensor(values, requires_grad=True)
        h = x.tanh()
        u = h @ h + h.sum(0) * h
        v = (u * h).mean() + (h * 2).sum()
        v.backward()
        grads.append(x.grad.detach().numpy() if m is torch else x.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-5)


@given(st.data())
def test_random_dag_matches_torch(data):
    torch = pytest.importorskip("torch")
    n_leaves = data.draw(st.integers(1, 3), label="leaves")
    values = [data.draw(arrays((3,)), label=f"leaf {i}") for i in range(n_leaves)]
    steps = data.draw(
        st.lists(
            st.tuples(
                st.sampled_from(["add", "mul", "sub", "tanh"]),
                st.integers(0, 100),
                st.integers(0, 100),
            ),
            min_size=1,
            max_size=12,
        ),
        label="steps",
    )
    grads = []
    for m in (tg, torch):
        leaves = [m.tensor(v, requires_grad=True) for v in values]
        pool = list(leaves)  # every step may reuse any earlier value: diamonds everywhere
        for op, i, j in steps:
            a, b = pool[i % len(pool)], pool[j % len(pool)]
            pool.append({"add": a + b, "mul": a * b, "sub": a - b, "tanh": a.tanh()}[op])
        sum(p.sum() for p in pool[n_leaves:]).backward()
        grads.append(
            [None if leaf.grad is None else np.asarray(leaf.grad.tolist()) for leaf in leaves]
        )
    for mine, theirs in zip(*grads):
        assert (mine is None) == (theirs is None)  # an unused leaf gets no .grad
        if mine is not None:
            np.testing.assert_allclose(mine, theirs, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(
    "sa, sb",
    [
        ((3, 1), (4,)),
        ((), (2, 3)),
        ((2, 3), (1,)),
        ((1, 1), (5, 2)),
        ((4, 1, 3), (2, 1)),
        ((2, 3), (2, 3)),
        ((1,), ()),
        ((2, 1, 1), (1, 3, 1)),
    ],
)
def test_broadcast_grad_shapes(sa, sb):
    a = tg.ones(sa, requires_grad=True)
    b = tg.ones(sb, requires_grad=True)
    out = a * b + a - b
    out.sum().backward()
    assert a.grad.shape == tuple(sa) and b.grad.shape == tuple(sb)
    n_out = int(np.prod(np.broadcast_shapes(sa, sb)))
    # each element of a is reused n_out / a.size times: its gradient is the sum (b + 1) of them
    np.testing.assert_allclose(a.grad.numpy(), np.full(sa, 2.0 * n_out / max(a.numel(), 1)))
    np.testing.assert_allclose(b.grad.numpy(), np.full(sb, 0.0))


@given(broadcast_shapes(num_shapes=2), st.data())
def test_broadcast_grad_shapes_property(shapes, data):
    sa, sb = shapes
    va, vb = data.draw(arrays(sa)), data.draw(arrays(sb))
    a, b = t64(va), t64(vb)
    (a * b).sum().backward()
    full = np.broadcast_shapes(sa, sb)
    assert a.grad.shape == sa and b.grad.shape == sb
    assert a.grad.dtype == tg.float64
    # d(sum(a * b))/da is b broadcast to the output, summed back over a's broadcast axes
    expect_a = np.broadcast_to(vb, full)
    expect_a = (
        expect_a.sum(axis=tuple(range(len(full) - len(sa)))) if len(full) > len(sa) else expect_a
    )
    axes = tuple(k for k, n in enumerate(sa) if n == 1 and expect_a.shape[k] != 1)
    expect_a = expect_a.sum(axis=axes, keepdims=True) if axes else expect_a
    np.testing.assert_allclose(a.grad.numpy(), expect_a.reshape(sa), rtol=1e-12, atol=1e-12)


def test_broadcast_grad_dtype_follows_input():
    a = tg.ones(3, requires_grad=True)  # float32
    b = tg.tensor(np.ones((2, 3)), requires_grad=True)  # float64
    (a * b).sum().backward()
    assert a.grad.dtype == tg.float32 and a.grad.shape == (3,)
    assert b.grad.dtype == tg.float64


def _chain(n):
    x = tg.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(n):
        y = y * 1.0
    return x, y


def test_deep_chain_no_recursion():
    x, y = _chain(100_000)
    y.backward()
    assert x.grad.item() == 1.0
    del y  # freeing a long chain must not recurse either
    gc.collect()


def test_deep_chain_autograd_grad_and_free_without_backward():
    x, y = _chain(20_000)
    (g,) = tg.autograd.grad(y, x)
    assert g.item() == 1.0
    x, y = _chain(20_000)
    ref = weakref.ref(y.grad_fn)
    del y
    assert ref() is None


@pytest.mark.slow
def test_deep_chain_no_recursion_million():
    x, y = _chain(1_000_000)
    y.backward()
    assert x.grad.item() == 1.0


# ------------------------------------------------------------------------------ freed graphs
def test_backward_twice_raises():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match=FREED) as info:
        y.backward()
    assert "retain_graph=True" in str(info.value)
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])  # the failed call added nothing


def test_backward_twice_raises_like_torch(torch):
    for m in (tg, torch):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp().sum()
        y.backward()
        with pytest.raises(RuntimeError) as info:
            y.backward()
        assert str(info.value).startswith(FREED)


def test_backward_twice_with_retain_graph():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward(retain_graph=True)
    y.backward()  # the last one may free
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 12.0])
    with pytest.raises(RuntimeError, match=FREED):
        y.backward()


def test_backward_twice_no_saved_tensors(torch):
    # a graph that saved nothing (add, sum) can be walked again, as in PyTorch
    results = []
    for m in (tg, torch):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = (x + 1).sum()
        y.backward()
        y.backward()
        results.append(x.grad.tolist())
    assert results[0] == results[1] == [2.0, 2.0]


def test_saved_tensors_freed_after_backward():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.sum().backward()
    with pytest.raises(RuntimeError, match=FREED):
        y.grad_fn.saved_tensors


def test_autograd_grad_frees_graph_unless_retained():
    x = tg.tensor(2.0, requires_grad=True)
    y = x**3
    tg.autograd.grad(y, x, retain_graph=True)
    (g,) = tg.autograd.grad(y, x)
    assert g.item() == 12.0
    with pytest.raises(RuntimeError, match=FREED):
        tg.autograd.grad(y, x)


# ------------------------------------------------------------------------------ no cycles
def _collected_by_refcount(make):
    """Build a graph with ``make``, drop it, and report which objects survived."""
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()  # refcounting alone must free everything: no reference cycles
    try:
        objects = make()
        refs = [weakref.ref(o) for o in objects]
        del objects
        return [r for r in refs if r() is not None]
    finally:
        if was_enabled:
            gc.enable()


def test_gc():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)

    def graph(backward):
        def make():
            y = x * 2
            z = y.exp()
            w = (z * y).sum()
            if backward:
                w.backward()
            return [y, z, w, y.grad_fn, z.grad_fn, w.grad_fn]

        return make

    assert _collected_by_refcount(graph(False)) == []
    assert _collected_by_refcount(graph(True)) == []


def test_gc_retain_graph_and_retain_grad():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)

    def make():
        y = x.tanh()
        y.retain_grad()
        w = (y * y).sum()
        w.backward(retain_graph=True)
        return [y, w, y.grad, y.grad_fn, w.grad_fn]

    assert _collected_by_refcount(make) == []


def test_gc_create_graph():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)

    def make():
        y = (x**3).sum()
        (g,) = tg.autograd.grad(y, x, create_graph=True)
        (gg,) = tg.autograd.grad(g.sum(), x, create_graph=True)
        return [y, g, gg, y.grad_fn, g.grad_fn, gg.grad_fn]

    assert _collected_by_refcount(make) == []


def test_gc_leaf_and_its_grad():
    def make():
        w = tg.tensor([1.0, 2.0], requires_grad=True)
        (w * w).sum().backward()
        return [w, w.grad]

    assert _collected_by_refcount(make) == []


def test_gc_custom_function_saving_its_output():
    class Exp(tg.autograd.Function):
        @staticmethod
        def forward(ctx, i):
            result = i.exp()
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def backward(ctx, grad_output):
            (result,) = ctx.saved_tensors
            return grad_output * result

    x = tg.tensor([1.0, 2.0], requires_grad=True)

    def make(backward):
        def inner():
            y = Exp.apply(x)
            s = y.sum()
            if backward:
                s.backward()
            return [y, s, y.grad_fn]

        return inner

    assert _collected_by_refcount(make(False)) == []
    assert _collected_by_refcount(make(True)) == []


# ------------------------------------------------------------------------------ .grad
def test_grad_only_on_leaves():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    c = tg.tensor([3.0, 4.0])  # a leaf that does not require grad
    y = x * c
    z = y.sum()
    z.backward()
    assert x.is_leaf and c.is_leaf and not y.is_leaf and not z.is_leaf
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 4.0])
    assert c.grad is None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert y.grad is None and z.grad is None


def test_grad_accumulates_until_zeroed():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    for k in range(1, 4):
        (x * x).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), [2.0 * k, 4.0 * k])
    grad = x.grad
    (x * 3).sum().backward()
    assert x.grad is grad  # accumulated in place, as PyTorch's AccumulateGrad
    x.grad.zero_()
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])
    x.grad = None
    (x * 5).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [5.0, 5.0])


def test_grad_accumulation_does_not_alias_user_tensors():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    g = tg.tensor([1.0, 1.0])
    (x * 1).backward(g)
    (x * 1).backward(g)
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0])
    np.testing.assert_allclose(g.numpy(), [1.0, 1.0])  # the gradient passed in is untouched
    y = x * 1
    y.retain_grad()
    y.backward(g, retain_graph=True)
    y.backward(g)
    np.testing.assert_allclose(y.grad.numpy(), [2.0, 2.0])
    np.testing.assert_allclose(g.numpy(), [1.0, 1.0])


def test_grad_accumulation_matches_torch(torch):
    results = []
    for m in (tg, torch):
        x = m.tensor([0.5, -1.5], requires_grad=True)
        (x.exp() * x).sum().backward()
        (x * x * x).mean().backward()
        results.append(x.grad.tolist())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-6)


def test_nonleaf_grad_warns():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    with pytest.warns(UserWarning, match=r"\.grad attribute of a Tensor that is not a leaf"):
        assert y.grad is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # leaves and retain_grad() tensors do not warn
        assert x.grad is None
        y.retain_grad()
        assert y.grad is None


def test_nonleaf_grad_warns_like_torch(torch):
    for m in (tg, torch):
        y = m.tensor([1.0], requires_grad=True) * 2
        with pytest.warns(UserWarning) as record:
            y.grad
        assert "retain_grad()" in str(record[0].message)


def test_retain_grad():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.retain_grad()
    z = (y * y).sum()
    z.backward(retain_graph=True)
    assert y.retains_grad and not x.retains_grad
    np.testing.assert_allclose(y.grad.numpy(), [6.0, 12.0])
    np.testing.assert_allclose(x.grad.numpy(), [18.0, 36.0])
    z.backward()  # retained gradients accumulate too
    np.testing.assert_allclose(y.grad.numpy(), [12.0, 24.0])


def test_retain_grad_matches_torch(torch):
    results = []
    for m in (tg, torch):
        x = m.tensor(1.0, requires_grad=True)
        y = x * 2
        z = y * 3
        z.backward(retain_graph=True)
        y.retain_grad()  # asked for late: only later backwards fill it
        z.backward()
        results.append((x.grad.item(), y.grad.item(), y.retains_grad, x.retains_grad))
    assert results[0] == results[1]


def test_retain_grad_on_leaf_without_grad_raises():
    with pytest.raises(
        RuntimeError, match="can't retain_grad on Tensor that has requires_grad=False"
    ):
        tg.tensor(1.0).retain_grad()


def test_grad_setter_checks():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    x.grad = tg.tensor([0.5, 0.5])
    (x * 1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.5, 1.5])
    with pytest.raises(RuntimeError, match="different size"):
        x.grad = tg.tensor([1.0])
    with pytest.raises(RuntimeError, match="different type"):
        x.grad = tg.tensor([1.0, 2.0], dtype=tg.float64)
    with pytest.raises(TypeError):
        x.grad = [1.0, 2.0]
    del x.grad
    assert x.grad is None


# ------------------------------------------------------------------------------ backward()
def test_backward_non_scalar_needs_gradient():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(
        RuntimeError, match="grad can be implicitly created only for scalar outputs"
    ):
        (x * 2).backward()
    # a one-element tensor of any rank is fine, as in PyTorch
    y = tg.tensor([[3.0]], requires_grad=True)
    (y * 2).backward()
    assert y.grad.tolist() == [[2.0]]


def test_backward_non_scalar_message_like_torch(torch):
    for m in (tg, torch):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        with pytest.raises(RuntimeError) as info:
            (x * 2).backward()
        assert str(info.value).startswith("grad can be implicitly created only for scalar outputs")


def test_backward_with_gradient():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x).backward(gradient=tg.tensor([1.0, 0.1, 0.01]))
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 0.4, 0.06], rtol=1e-6)
    x.grad = None
    (x * 2).backward(tg.tensor([1.0, 2.0, 3.0], dtype=tg.float64))  # cast to x's dtype
    assert x.grad.dtype == tg.float32
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0, 6.0])
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        (x * 2).backward(tg.ones(2))


def test_backward_with_gradient_matches_torch(torch):
    values = np.array([[1.0, -2.0], [0.5, 3.0]], dtype=np.float32)
    g = np.array([[0.1, 1.0], [-2.0, 0.5]], dtype=np.float32)
    results = []
    for m in (tg, torch):
        x = m.tensor(values, requires_grad=True)
        (x.sigmoid() * x).backward(m.tensor(g))
        results.append(x.grad.tolist())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-6)


def test_backward_without_requires_grad_raises():
    with pytest.raises(
        RuntimeError, match="element 0 of tensors does not require grad and does not have a grad_fn"
    ):
        (tg.tensor([1.0, 2.0]) * 2).sum().backward()


def test_backward_on_a_leaf():
    x = tg.tensor(2.0, requires_grad=True)
    x.backward()
    assert x.grad.item() == 1.0


def test_backward_several_roots():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    a, b = (x * x).sum(), (x * 3).sum()
    tg.autograd.backward([a, b])
    np.testing.assert_allclose(x.grad.numpy(), [5.0, 7.0])


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_backward_create_graph_matches_torch(torch):
    results = []
    for m in (tg, torch):
        x = m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True)
        (x**3).sum().backward(create_graph=True)
        g = x.grad
        assert g.requires_grad and g.grad_fn is not None
        x.grad = None
        g.sum().backward()  # d(sum 3x^2)/dx = 6x
        results.append(x.grad.tolist())
    assert results[0] == results[1] == [6.0, 12.0]


def test_backward_inputs_matches_torch(torch):
    results = []
    for m in (tg, torch):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        w = m.tensor([3.0, 4.0], requires_grad=True)
        h = x * w
        loss = (h * h).sum()
        loss.backward(inputs=[x], retain_graph=True)
        loss.backward(inputs=[x, h])  # accumulates into x; a non-leaf input gets .grad too
        results.append((x.grad.tolist(), w.grad, h.grad.tolist()))
        with pytest.raises(RuntimeError, match="cannot be empty"):
            (x * 2).sum().backward(inputs=[])
    assert results[0] == results[1]


def test_requires_grad_turned_off_after_the_graph_was_built(torch):
    for m in (tg, torch):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        x.requires_grad_(False)
        y.sum().backward()
        assert x.grad is None


def test_grad_fn_and_next_functions():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    z = y.sum()
    assert type(y.grad_fn).__name__ == "MulBackward0" and y.grad_fn.name() == "MulBackward0"
    assert z.grad_fn.next_functions[0][0] is y.grad_fn
    acc = y.grad_fn.next_functions[0][0]
    assert acc.name() == "torch::autograd::AccumulateGrad" and acc.variable is x
    assert type(acc).__name__ == "AccumulateGrad"
    assert y.grad_fn.next_functions[1] == (None, 0)
    assert x.grad_fn is None and (x.detach() * 2).grad_fn is None


def test_requires_grad_propagation():
    x = tg.tensor([1.5, -2.5], requires_grad=True)
    c = tg.tensor([1.0, 1.0])
    assert (x + c).requires_grad and not (c + c).requires_grad
    # integer and boolean results never require grad, as in PyTorch
    for out in (x > 0, x.long(), x.int(), x.argmax(), x == x):
        assert not out.requires_grad and out.grad_fn is None and out.is_leaf


def test_integer_cast_is_not_differentiable_like_torch(torch):
    for m in (tg, torch):
        x = m.tensor([1.5, -2.5], requires_grad=True)
        y = x.long()
        assert (y.requires_grad, y.is_leaf, y.grad_fn) == (False, True, None)
        y2 = x.double()
        assert y2.requires_grad and type(y2.grad_fn).__name__ == "ToCopyBackward0"


# ------------------------------------------------------------------------------ autograd.grad
def test_autograd_grad_does_not_touch_dot_grad():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = tg.tensor([3.0, 4.0], requires_grad=True)
    gx, gy = tg.autograd.grad((x * y).sum(), [x, y])
    np.testing.assert_allclose(gx.numpy(), [3.0, 4.0])
    np.testing.assert_allclose(gy.numpy(), [1.0, 2.0])
    assert x.grad is None and y.grad is None
    assert not gx.requires_grad


def test_autograd_grad_of_intermediate():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    h = x * x
    (gh,) = tg.autograd.grad((h * 5).sum(), h)
    np.testing.assert_allclose(gh.numpy(), [5.0, 5.0])


def test_autograd_grad_outputs_and_unused():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    u = tg.tensor([1.0, 2.0], requires_grad=True)
    (g,) = tg.autograd.grad(x * x, x, grad_outputs=tg.tensor([1.0, 10.0]))
    np.testing.assert_allclose(g.numpy(), [2.0, 40.0])
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        tg.autograd.grad((x * x).sum(), [x, u])
    gx, gu = tg.autograd.grad((x * x).sum(), [x, u], allow_unused=True)
    assert gu is None
    gx, gu = tg.autograd.grad((x * x).sum(), [x, u], materialize_grads=True)
    np.testing.assert_allclose(gu.numpy(), [0.0, 0.0])
    with pytest.raises(RuntimeError, match="does not require grad"):
        tg.autograd.grad((x * x).sum(), tg.tensor([1.0]))


def test_autograd_grad_errors_like_torch(torch):
    for m in (tg, torch):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        u = m.tensor([1.0, 2.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar"):
            m.autograd.grad(x * x, x)
        with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
            m.autograd.grad((x * x).sum(), [x, u])
        with pytest.raises(RuntimeError, match="Mismatch in shape"):
            m.autograd.grad(x * x, x, grad_outputs=m.ones(3))


HIGHER_ORDER = {
    "cube": lambda m, x: (x**3).sum(),
    "sin_exp": lambda m, x: (x.sin() * x.exp()).sum(),
    "tanh": lambda m, x: x.tanh().sum(),
    "sigmoid_log": lambda m, x: (x.sigmoid() + (x * x + 1).log()).mean(),
    "quotient": lambda m, x: (x / (x * x + 2)).sum(),
    "matmul": lambda m, x: (x.reshape(2, 2) @ x.reshape(2, 2).T).sum() * (x * x).sum(),
    "softmax": lambda m, x: (m.softmax(x, 0) * m.arange(4.0).double()).sum(),
    "sqrt_pow": lambda m, x: ((x * x + 1).sqrt() ** 3).sum(),
}


@pytest.mark.parametrize("name", sorted(HIGHER_ORDER))
def test_higher_order_derivatives_match_torch(torch, name):
    fn = HIGHER_ORDER[name]
    values = np.array([0.3, -0.7, 1.1, 0.4])
    results = []
    for m in (tg, torch):
        x = m.tensor(values, dtype=m.float64, requires_grad=True)
        (g1,) = m.autograd.grad(fn(m, x), x, create_graph=True)
        (g2,) = m.autograd.grad(g1.sum(), x, create_graph=True)
        (g3,) = m.autograd.grad((g2 * g2).sum(), x)
        results.append([g.detach().numpy().copy() for g in (g1, g2, g3)])
    for order, (mine, theirs) in enumerate(zip(*results), start=1):
        np.testing.assert_allclose(
            mine, theirs, rtol=1e-10, atol=1e-12, err_msg=f"derivative of order {order}"
        )


def test_second_derivative_closed_form():
    x = tg.tensor(3.0, requires_grad=True)
    (dy,) = tg.autograd.grad(x**3, x, create_graph=True)
    assert dy.item() == 27.0 and dy.requires_grad
    (d2y,) = tg.autograd.grad(dy, x, create_graph=True)
    assert d2y.item() == 18.0
    (d3y,) = tg.autograd.grad(d2y, x)
    assert d3y.item() == 6.0


def test_mixed_partials_and_hessian_vector_product(torch):
    a = np.array([[1.0, 0.5], [-0.3, 2.0]])
    v = np.array([0.7, -1.2])
    results = []
    for m in (tg, torch):
        x = m.tensor([0.4, -0.9], dtype=m.float64, requires_grad=True)
        y = m.tensor([1.5, 0.2], dtype=m.float64, requires_grad=True)
        f = ((m.tensor(a) @ x).tanh() * y).sum() + (x * y * y).sum()
        gx, gy = m.autograd.grad(f, [x, y], create_graph=True)
        (hv,) = m.autograd.grad(gx, x, grad_outputs=m.tensor(v), retain_graph=True)
        (dxy,) = m.autograd.grad(gx.sum(), y)
        results.append([r.detach().numpy().copy() for r in (gx, gy, hv, dxy)])
    for mine, theirs in zip(*results):
        np.testing.assert_allclose(mine, theirs, rtol=1e-10, atol=1e-12)


# ------------------------------------------------------------------------------ gradcheck
def test_gradcheck_and_gradgradcheck_pass():
    x = t64([0.3, -1.2, 0.8])
    w = t64([[0.5, -0.1, 0.2], [1.0, 0.4, -0.7]])

    def f(x, w):
        return (w @ x.tanh()).exp() * x.sum()

    assert tg.autograd.gradcheck(f, (x, w))
    assert tg.autograd.gradgradcheck(f, (x, w))
    assert tg.autograd.gradcheck(lambda a: (a * a).sum(), x)


class _WrongSquare(tg.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x  # wrong: d(x^2)/dx is 2x


def test_gradcheck_failure_message():
    x = t64([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError) as info:
        tg.autograd.gradcheck(_WrongSquare.apply, (x,))
    message = str(info.value)
    assert "Jacobian mismatch for output 0 with respect to input 0" in message
    assert "_WrongSquare" in message  # the op
    # the worst element: d(out[2])/d(in[2]) is 6 numerically, 3 as computed
    assert re.search(r"output\[2\].*input\[2\]", message)
    assert re.search(r"numerical:?\s*6(\.0*)?\b", message)
    assert re.search(r"analytical:?\s*3(\.0*)?\b", message)
    assert tg.autograd.gradcheck(_WrongSquare.apply, (x,), raise_exception=False) is False


def test_gradcheck_names_the_input():
    a = t64([1.0, 2.0])
    b = t64([0.5, -0.5])
    with pytest.raises(RuntimeError, match="with respect to input 1"):
        tg.autograd.gradcheck(lambda p, q: p + _WrongSquare.apply(q), (a, b))


def test_gradcheck_failure_like_torch(torch):
    class WrongSquare(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * x

    for m, fn in ((tg, _WrongSquare), (torch, WrongSquare)):
        x = m.tensor([1.0, 2.0, 3.0], dtype=m.float64, requires_grad=True)
        with pytest.raises(RuntimeError) as info:
            m.autograd.gradcheck(fn.apply, (x,))
        assert str(info.value).startswith("Jacobian mismatch for output 0 with respect to input 0")


def test_gradgradcheck_catches_wrong_double_backward():
    class NotTwiceDifferentiable(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x.detach() ** 2  # correct once, but cuts the second derivative

    x = t64([0.5, -1.0])
    assert tg.autograd.gradcheck(NotTwiceDifferentiable.apply, (x,))
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        tg.autograd.gradgradcheck(NotTwiceDifferentiable.apply, (x,))


def test_gradcheck_warns_on_float32():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(UserWarning, match="double precision"):
        tg.autograd.gradcheck(lambda a: a * 2, (x,), eps=1e-3, atol=1e-2, rtol=1e-2)


# ------------------------------------------------------------------------------ the loop
def test_quadratic_fit_matches_torch(torch):
    rng = np.random.default_rng(2021)
    time_np = np.arange(0, 20, dtype=np.float32)
    speed_np = rng.random(20, dtype=np.float32) * 5 + 0.8 * (time_np - 7.5) ** 2 + 1
    start = rng.standard_normal(3).astype(np.float32)

    def f(t, params):
        a, b, c = params
        return a * (t**2) + (b * t) + c

    def run(m):
        time = m.arange(0, 20).float()
        speed = m.tensor(speed_np)
        params = m.tensor(start).requires_grad_()
        orig_params = params.clone()
        losses = []
        for _ in range(10):
            loss = ((f(time, params) - speed) ** 2).mean()
            loss.backward()
            params.data -= 1e-5 * params.grad.data
            params.grad = None
            losses.append(loss.item())
        assert params.is_leaf and params.grad_fn is None
        assert orig_params.requires_grad and not orig_params.is_leaf
        restored = orig_params.detach().requires_grad_()
        assert restored.is_leaf and restored.requires_grad
        return losses, params.detach().numpy().copy(), restored.detach().numpy().copy()

    mine, theirs = run(tg), run(torch)
    np.testing.assert_allclose(mine[0], theirs[0], rtol=1e-5)
    assert mine[0][-1] < mine[0][0]  # it learns
    np.testing.assert_allclose(mine[1], theirs[1], rtol=1e-5)
    np.testing.assert_array_equal(mine[2], start)


# ------------------------------------------------------------------------------ detect_anomaly
NAN_BACKWARD = r"Function 'SqrtBackward0' returned nan values in its 0th output\."


@pytest.mark.filterwarnings("ignore")
def test_detect_anomaly_names_the_backward_like_torch(torch):
    for m in (tg, torch):
        x = m.tensor([-1.0, 4.0], requires_grad=True)
        with m.autograd.detect_anomaly():
            y = x.sqrt()  # nan at -1
            with pytest.raises(RuntimeError, match=NAN_BACKWARD):
                (y * 0).sum().backward()
            z = m.tensor([0.0, 1.0], requires_grad=True)
            z.sqrt().sum().backward()  # an infinite gradient is not an anomaly
            assert z.grad.tolist()[0] == float("inf")
        (x.sqrt() * 0).sum().backward()  # outside: NaN gradients, silently, as in torch
        assert np.isnan(x.grad.tolist()[0])


def test_detect_anomaly_names_the_forward_that_made_nan():
    x = tg.tensor([-1.0, 4.0], requires_grad=True)
    with tg.autograd.detect_anomaly():
        assert tg.autograd.is_anomaly_enabled()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ((x.sqrt() * 2).exp() + 1).sum()
    ours = [str(w.message) for w in caught if "produced nan" in str(w.message)]
    assert ours == ["Function 'SqrtBackward0' produced nan values in its forward output."]
    assert not tg.autograd.is_anomaly_enabled()


def test_detect_anomaly_as_decorator_and_switch():
    @tg.autograd.detect_anomaly()
    def inside():
        return tg.autograd.is_anomaly_enabled()

    assert inside() and not tg.autograd.is_anomaly_enabled()
    with pytest.raises(ValueError):
        with tg.autograd.detect_anomaly():
            raise ValueError
    assert not tg.autograd.is_anomaly_enabled()
    tg.autograd.set_detect_anomaly(True)
    try:
        assert tg.autograd.is_anomaly_enabled()
    finally:
        tg.autograd.set_detect_anomaly(False)
    assert not tg.autograd.is_anomaly_enabled()


def test_gradcheck_on_strided_input():
    """gradcheck perturbs the input itself, also when its array is not contiguous (a
    reshape copy would leave the input unperturbed and report a false mismatch)."""
    x = tg.from_numpy(np.random.default_rng(0).normal(size=(3, 4)).T).requires_grad_()
    assert not x.is_contiguous()
    assert tg.autograd.gradcheck(lambda t: (t * t).sum(0), (x,))
