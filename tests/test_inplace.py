"""In-place operations, ``.data`` and the version counter, with PyTorch's semantics.

test_inplace_on_saved_raises is the regression test for the classic silent bug: a tensor
that backward needs is changed in place, and backward uses the new values.
"""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import tinygrad_edu as tg

MODIFIED = (
    "one of the variables needed for gradient computation has been modified by an inplace operation"
)
LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation"


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _grads(m, code):
    """Run ``code`` (a function of the module) and return x.grad as a list, or the error."""
    try:
        return code(m)
    except RuntimeError as e:
        return f"RuntimeError: {str(e)[:80]}"


# ------------------------------------------------------------------------------ version counter
def test_inplace_on_saved_raises():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()  # exp saves its output
    y.add_(1)
    with pytest.raises(RuntimeError, match=MODIFIED) as info:
        y.sum().backward()
    message = str(info.value)
    assert "is at version 1; expected version 0 instead" in message
    assert "[tinygrad_edu.FloatTensor [2]]" in message  # not torch's type


def test_inplace_on_saved_input_raises():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    a = tg.tensor([3.0, 4.0])
    y = a * x  # mul saves a to compute d/dx
    a.add_(1)
    with pytest.raises(RuntimeError, match=MODIFIED):
        y.sum().backward()


@pytest.mark.parametrize(
    "modify",
    [
        lambda t: t.add_(1),
        lambda t: t.mul_(2),
        lambda t: t.sub_(1),
        lambda t: t.div_(2),
        lambda t: t.zero_(),
        lambda t: t.fill_(3.0),
        lambda t: t.clamp_(0, 1),
        lambda t: t.copy_(tg.ones(2)),
        lambda t: t.__setitem__(0, 5.0),
        lambda t: t.pow_(2),
        lambda t: t.detach().add_(1),
        lambda t: t[:1].add_(1) if not t.requires_grad else None,
    ],
)
def test_every_inplace_write_bumps_the_version(modify):
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x.sigmoid()  # saves its output
    before = y._version
    modify(y.detach())  # through a detached alias: shares the version counter, as in torch
    assert y._version > before
    with pytest.raises(RuntimeError, match=MODIFIED):
        y.sum().backward()


def test_inplace_on_saved_raises_like_torch(torch):
    cases = {
        "output": lambda m: _saved_output(m),
        "input": lambda m: _saved_input(m),
        "detach alias": lambda m: _detach_alias(m),
        "setitem": lambda m: _setitem_on_saved(m),
    }
    for name, case in cases.items():
        mine, theirs = _grads(tg, case), _grads(torch, case)
        assert isinstance(mine, str) and mine.startswith("RuntimeError: " + MODIFIED[:40]), name
        assert isinstance(theirs, str) and theirs.startswith("RuntimeError: " + MODIFIED[:40])


def _saved_output(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    y = x.tanh()
    y.mul_(2)
    y.sum().backward()
    return x.grad.tolist()


def _saved_input(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    h = x * 1
    z = h * h
    h.add_(1)
    z.sum().backward()
    return x.grad.tolist()


def _detach_alias(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    y = x.sigmoid()
    y.detach().zero_()
    y.sum().backward()
    return x.grad.tolist()


def _setitem_on_saved(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    y[0] = 0.0
    y.sum().backward()
    return x.grad.tolist()


def test_inplace_not_saved_is_fine_like_torch(torch):
    def add_then_modify(m):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        a = m.tensor([3.0, 4.0])
        y = a + x  # add saves nothing: changing a afterwards is harmless
        a.add_(1)
        y.sum().backward()
        return x.grad.tolist()

    assert _grads(tg, add_then_modify) == _grads(torch, add_then_modify) == [1.0, 1.0]


def test_data_changes_are_not_tracked(torch):
    # .data shares storage but not the version counter: no error, new values used (as torch)
    def via_data(m):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = x * x
        x.data.mul_(2)
        y.sum().backward()
        return x.grad.tolist()

    assert _grads(tg, via_data) == _grads(torch, via_data) == [4.0, 8.0]


def test_optimizer_step_before_backward_raises():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    loss = (w * w).sum()
    loss.backward(retain_graph=True)
    tg.optim.SGD([w], lr=0.1).step()  # changes w in place: the graph saved the old w
    with pytest.raises(RuntimeError, match=MODIFIED):
        loss.backward()


def test_version_counter_shared_with_views_and_detach():
    a = tg.zeros(2, 3)
    v = a.view(3, 2)
    d = a.detach()
    v[0, 1] = 5.0
    assert a._version == v._version == d._version == 1
    assert a.tolist() == [[0.0, 5.0, 0.0], [0.0, 0.0, 0.0]]
    d.add_(1)
    assert a._version == 2 and a[0, 1].item() == 6.0
    assert a.data._version == 0  # .data is outside: a counter of its own



def test_view_made_before_the_first_write_shares_the_counter():
    # (a tensor gets a counter of its own lazily: a view must get the same one)
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    a = tg.tensor([3.0, 4.0])
    v = a[:]  # a view of a tensor never written in place
    y = v * x  # mul saves v
    a.add_(1)  # written through the base
    assert v._version == 1
    with pytest.raises(RuntimeError, match=MODIFIED):
        y.sum().backward()


def test_writes_to_one_tensor_never_bump_another():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    a, b = tg.tensor([3.0, 4.0]), tg.tensor([5.0, 6.0])  # both never written
    y = a * x
    b.add_(1)
    z = x.exp() * 2
    b.mul_(2)
    assert a._version == 0 and b._version == 2
    (y.sum() + z.sum()).backward()  # nothing y or z saved was modified
    assert np.allclose(x.grad.numpy(), [3.0 + 2 * np.e, 4.0 + 2 * np.e**2])

# ------------------------------------------------------------------------------ leaves
def test_inplace_on_leaf_requiring_grad_raises():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    for modify in (
        lambda: x.add_(1),
        lambda: x.mul_(2),
        lambda: x.zero_(),
        lambda: x.__setitem__(0, 3.0),
        lambda: x.__iadd__(1),
        lambda: x.clamp_(0, 1),
        lambda: x.copy_(tg.zeros(2)),
        lambda: x.fill_(1.0),
    ):
        with pytest.raises(RuntimeError, match=LEAF_INPLACE):
            modify()
    assert x.tolist() == [1.0, 2.0] and x._version == 0


def test_inplace_on_leaf_raises_like_torch(torch):
    for m in (tg, torch):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        with pytest.raises(RuntimeError, match=LEAF_INPLACE):
            x.add_(1)
        with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
            x[:1].add_(1)


def test_inplace_on_leaf_under_no_grad():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    with tg.no_grad():
        x.add_(1)
        x -= 0.5
        x[0] = 7.0
        x.mul_(tg.tensor([1.0, 2.0]))
    assert x.tolist() == [7.0, 5.0]
    assert x.is_leaf and x.requires_grad and x.grad_fn is None
    (x * x).sum().backward()
    assert x.grad.tolist() == [14.0, 10.0]


def test_params_data_update_is_not_recorded():
    params = tg.tensor([1.0, -2.0, 0.5], requires_grad=True)
    loss = (params * params).sum()
    loss.backward()
    params.data -= 0.1 * params.grad
    assert params.is_leaf and params.grad_fn is None and params.requires_grad
    np.testing.assert_allclose(params.detach().numpy(), [0.8, -1.6, 0.4], rtol=1e-6)
    params.data -= 0.1 * params.grad.data  # the spelling
    np.testing.assert_allclose(params.detach().numpy(), [0.6, -1.2, 0.3], rtol=1e-6)
    assert params._version == 0  # .data writes are invisible to the version checks
    params.grad = None
    (params * 2).sum().backward()  # and the next step works as usual
    assert params.grad.tolist() == [2.0, 2.0, 2.0]


def test_data_setter_replaces_values():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    x.data = tg.tensor([5.0, 6.0])
    assert x.tolist() == [5.0, 6.0] and x.requires_grad and x.is_leaf
    with pytest.raises(TypeError):
        x.data = [1.0, 2.0]


# ------------------------------------------------------------------------------ recorded in-place
INPLACE_CASES = {
    "mul_ by a tensor": lambda m, x: (lambda y: (y.mul_(x), y)[1])(x * 2),
    "mul_ by a tensor requiring grad": lambda m, x: (lambda y, w: (y.mul_(w), y)[1])(
        x * 2, x.exp()
    ),
    "add_ then mul_": lambda m, x: (lambda y: (y.add_(1), y.mul_(3), y)[2])(x.sin()),
    "iadd chain": lambda m, x: _iadd_chain(x),
    "pow_": lambda m, x: (lambda y: (y.pow_(2), y)[1])(x * 2),
    "clamp_": lambda m, x: (lambda y: (y.clamp_(min=2.5), y)[1])(x * 2),
    "div_": lambda m, x: (lambda y: (y.div_(x + 3), y)[1])(x * x),
    "zero_": lambda m, x: (lambda y: (y.zero_(), y * x)[1])(x * 2),
    "fill_ with a tensor": lambda m, x: (lambda y: (y.fill_(x[0]), y)[1])(x * 2),
    "copy_": lambda m, x: (lambda y: (y.copy_(x * x), y)[1])(x * 2),
    "copy_ into a plain tensor": lambda m, x: (lambda y: (y.copy_(x.exp()), y)[1])(
        m.zeros(2, dtype=m.float64)
    ),
    "setitem from a tensor": lambda m, x: _setitem(m, x),
    "masked_fill_": lambda m, x: (lambda y: (y.masked_fill_(x > 1.5, 0.0), y)[1])(x * x),
}


def _iadd_chain(x):
    y = x * 1
    y += x
    y *= 3
    y -= x * x
    return y


def _setitem(m, x):
    y = m.zeros(3, dtype=m.float64)
    y[1:] = x.exp()
    y[0] = x[1] * 3
    return y


@pytest.mark.parametrize("name", sorted(INPLACE_CASES))
def test_recorded_inplace_matches_torch(torch, name):
    case = INPLACE_CASES[name]
    results = []
    for m in (tg, torch):
        x = m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True)
        out = case(m, x)
        out.sum().backward()
        results.append((out.detach().numpy().copy(), x.grad.numpy().copy()))
    np.testing.assert_allclose(results[0][0], results[1][0], err_msg="values")
    np.testing.assert_allclose(results[0][1], results[1][1], err_msg="gradient")


def test_recorded_inplace_second_derivative_matches_torch(torch):
    results = []
    for m in (tg, torch):
        x = m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True)
        y = x * 2
        y.mul_(x)  # 2x^2: d = 4x, d2 = 4
        (g,) = m.autograd.grad(y.sum(), x, create_graph=True)
        (gg,) = m.autograd.grad(g.sum(), x)
        results.append((g.tolist(), gg.tolist()))
    assert results[0] == results[1] == ([4.0, 8.0], [4.0, 4.0])


def test_recorded_inplace_grad_fn_like_torch(torch):
    names = []
    for m in (tg, torch):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = x.clone()
        y.mul_(3)
        z = m.zeros(2)
        z.add_(x)
        names.append((y.grad_fn.name(), y.is_leaf, z.requires_grad, z.is_leaf))
    assert names[0] == names[1]


def test_self_referencing_inplace_raises_like_torch(torch):
    def square_in_place(m):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y += 1
        y *= y  # mul_ saves "other", which is y itself, then overwrites it
        y.sum().backward()
        return x.grad.tolist()

    for m in (tg, torch):
        assert _grads(m, square_in_place).startswith("RuntimeError: " + MODIFIED[:40])


def test_gc_inplace():
    x = tg.tensor([1.0, 2.0], requires_grad=True)

    def make(backward):
        y = x * 2
        y.add_(1)
        y.mul_(x)
        y[0] = 3.0
        y.clamp_(0, 10)
        z = y.sum()
        if backward:
            z.backward()
        return [y, z, y.grad_fn, z.grad_fn]

    for backward in (False, True):
        gc.collect()
        gc.disable()  # no reference cycles: refcounting alone frees the graph
        try:
            objects = make(backward)
            refs = [weakref.ref(o) for o in objects]
            del objects
            assert [r() for r in refs if r() is not None] == []
        finally:
            gc.enable()


# ------------------------------------------------------------------------------ views
def test_inplace_on_view_writes_through_without_grad(torch):
    for m in (tg, torch):
        a = m.zeros(3)
        a[0].add_(1)  # a[0] is a (0-d) view
        row = m.zeros(2, 2)
        for i, r in enumerate(row):
            r.add_(i)
        v = a.view(3, 1)
        v.mul_(2)
        assert a.tolist() == [2.0, 0.0, 0.0] and row.tolist() == [[0.0, 0.0], [1.0, 1.0]]


def test_expanded_view_inplace_raises():
    a = tg.ones(3).expand(2, 3)
    with pytest.raises(RuntimeError, match="single memory location"):
        a.add_(1)


def test_inplace_on_view_of_graph_tensor_matches_torch(torch):
    results = []
    for m in (tg, torch):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = x * 1
        y[:1].mul_(3)
        y.sum().backward()
        results.append((y.tolist(), x.grad.tolist()))
    assert results[0] == results[1]


def test_inplace_on_views_of_graph_tensor_rewrites_the_base_history(torch):
    results = []
    for m in (tg, torch):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = x * 1
        grads = []
        for make in (lambda: y[:1], lambda: y[0], lambda: y.view(1, 2),
                     lambda: y.unsqueeze(0)):
            view = make()
            view.mul_(3)
        y.sum().backward()
        grads.append(x.grad.tolist())
        with m.no_grad():
            y[:1].mul_(3)  # unrecorded: fine
        results.append((y.tolist(), grads, y.grad_fn.name()))
    assert results[0] == results[1]


UNARY_INPLACE = ("abs neg exp log log1p sqrt rsqrt reciprocal square sin cos tanh sigmoid relu "
                 "sign floor ceil round trunc fix frac").split()


@pytest.mark.parametrize("name", UNARY_INPLACE)
def test_unary_inplace_forms_like_torch(torch, name):
    results = []
    for m in (tg, torch):
        x = m.tensor([0.5, 1.5, 2.25, 3.5])
        y = getattr(x, name + "_")()
        assert y is x  # the same tensor, changed
        w = m.tensor([0.25, 1.25], dtype=m.float64, requires_grad=True)
        h = w * 2
        getattr(h, name + "_")()  # recorded: the gradient goes through it
        h.sum().backward()
        results.append((x.tolist(), h.tolist(), w.grad.tolist(), h.grad_fn.name()))
    mine, theirs = results
    np.testing.assert_allclose(mine[0], theirs[0], rtol=1e-6)
    np.testing.assert_allclose(mine[1], theirs[1], rtol=1e-12)
    np.testing.assert_allclose(mine[2], theirs[2], rtol=1e-12)
    assert mine[3] == theirs[3]


def test_inplace_forms_keep_dtype_rules_like_torch(torch):
    for m in (tg, torch):
        x = m.tensor([0.5, 1.5, 2.5])
        x.clamp_min_(1.0).clamp_max_(2.0)
        assert x.tolist() == [1.0, 1.5, 2.0]
        with pytest.raises(RuntimeError, match="result type Float can't be cast to the "
                                               "desired output type Long"):
            m.tensor([1, 2]).exp_()
        with pytest.raises(RuntimeError, match=LEAF_INPLACE):
            m.tensor([1.0], requires_grad=True).relu_()


# PyTorch's ``X_`` whose ``X`` we have but which do not apply here, and why.
NOT_INPLACE_HERE: dict[str, str] = {}


def test_every_inplace_form_of_our_ops_exists(torch):
    """Every ``X_`` of torch.Tensor whose ``X`` tinygrad_edu has exists too (or is listed
    in NOT_INPLACE_HERE with the reason), and the module-level ``tg.X_`` where torch has it."""
    missing = [name for name in dir(torch.Tensor)
               if name.endswith("_") and not name.startswith("_")
               and hasattr(tg.Tensor, name[:-1]) and not hasattr(tg.Tensor, name)
               and name not in NOT_INPLACE_HERE]
    assert missing == []
    functions = [name for name in dir(torch) if name.endswith("_") and not name.startswith("_")
                 and hasattr(tg.Tensor, name) and not hasattr(tg, name)]
    assert functions == []


# (method, args as a function of the library) of the in-place forms added with issue 14
NEW_INPLACE = {
    "absolute_": lambda m: (), "negative_": lambda m: (),
    "multiply_": lambda m: (m.tensor([2.0, -1.0]),), "subtract_": lambda m: (1.5,),
    "divide_": lambda m: (m.tensor([2.0, -4.0]),), "true_divide_": lambda m: (3.0,),
    "floor_divide_": lambda m: (0.75,), "cumsum_": lambda m: (0,), "cumprod_": lambda m: (0,),
    "addcmul_": lambda m: (m.tensor([2.0, 3.0]), m.tensor([0.5, -1.0])),
    "addcdiv_": lambda m: (m.tensor([2.0, 3.0]), m.tensor([0.5, -1.0])),
}


@pytest.mark.parametrize("name", sorted(NEW_INPLACE))
def test_new_inplace_forms_like_torch(torch, name):
    results = []
    for m in (tg, torch):
        x = m.tensor([0.5, -1.5])
        assert getattr(x, name)(*NEW_INPLACE[name](m)) is x
        w = m.tensor([0.25, -1.25], dtype=m.float64, requires_grad=True)
        h = w * 2
        getattr(h, name)(*(a.double() if isinstance(a, m.Tensor) else a
                           for a in NEW_INPLACE[name](m)))
        grad = None
        if name != "floor_divide_":  # (not differentiable: NotImplemented in both)
            h.sum().backward()
            grad = w.grad.tolist()
        results.append((x.tolist(), h.tolist(), grad, h.grad_fn.name()))
    assert results[0] == results[1]


@pytest.mark.parametrize("name", "eq ne lt le gt ge greater less greater_equal less_equal "
                                 "not_equal".split())
def test_inplace_comparisons_like_torch(torch, name):
    """``x.eq_(other)`` writes 1/0 in x's dtype; the node (EqBackward0 for a number,
    EqBackward1 for a tensor) gives zero gradients, to ``other`` too."""
    results = []
    for m in (tg, torch):
        x = m.tensor([0.5, 1.0, 2.0], requires_grad=True)
        o = m.tensor([1.0, 1.0, 1.0], requires_grad=True)
        a, b = x * 1, x * 1
        getattr(a, name + "_")(1.0)
        getattr(b, name + "_")(o)
        (a + b).sum().backward()
        ints = m.tensor([0, 1, 2])
        getattr(ints, name + "_")(m.tensor([0.5, 1.0, 2.5]))
        results.append((a.tolist(), b.tolist(), a.grad_fn.name(), b.grad_fn.name(),
                        x.grad.tolist(), o.grad.tolist(), ints.tolist(), str(ints.dtype)[-5:]))
    assert results[0] == results[1]
    for m in (tg, torch):
        with pytest.raises(RuntimeError, match="output with shape \\[3\\] doesn't match the "
                                               "broadcast shape \\[2, 3\\]"):
            getattr(m.ones(3), name + "_")(m.ones(2, 3))


# ---- in-place views: squeeze_, unsqueeze_, t_, transpose_, swapdims_, swapaxes_
INPLACE_VIEWS = {
    "squeeze_": lambda x: x.squeeze_(), "squeeze_dim": lambda x: x.squeeze_(1),
    "squeeze_dims": lambda x: x.squeeze_((1, 3)), "unsqueeze_": lambda x: x.unsqueeze_(0),
    "transpose_": lambda x: x.transpose_(0, 2), "swapdims_": lambda x: x.swapdims_(0, 2),
    "swapaxes_": lambda x: x.swapaxes_(1, -1), "t_": lambda x: x.squeeze_().t_(),
}


@pytest.mark.parametrize("name", list(INPLACE_VIEWS))
def test_inplace_views_like_torch(torch, name):
    """The tensor itself changes shape (same memory), its version bumps once per op, and
    its history is PyTorch's node (SqueezeBackward3/4/5, UnsqueezeBackward1, TBackward1,
    TransposeBackward1) on the old one: gradients flow back through it."""
    results = []
    for m in (tg, torch):
        a = m.tensor(np.arange(6.0).reshape(2, 1, 3, 1), requires_grad=True)
        x = a * 2
        version = x._version
        assert INPLACE_VIEWS[name](x) is x
        weights = m.arange(x.numel(), dtype=m.float64).reshape(x.shape)
        (grad,) = m.autograd.grad((x * weights).sum(), [a])
        results.append((tuple(x.shape), x._version - version, x.grad_fn.name(),
                        x.is_contiguous(), grad.tolist()))
    assert results[0] == results[1]


def test_inplace_view_of_a_view_like_torch(torch):
    """A view changed in place stays a view of its base, with its new node (not
    AsStridedBackward0); the base keeps its shape; the version counter is shared."""
    results = []
    for m in (tg, torch):
        a = m.tensor(np.arange(6.0).reshape(2, 1, 3, 1), requires_grad=True)
        x = a * 1
        y = x[0]
        version = x._version
        y.squeeze_(0)
        (y * 3).sum().backward()
        results.append((tuple(y.shape), x._version - version, y.grad_fn.name(), y._base is x,
                        tuple(x.shape), a.grad.tolist()))
    assert results[0] == results[1]


@pytest.mark.parametrize("call", [
    lambda m: m.ones(2, 1, requires_grad=True).squeeze_(1),
    lambda m: m.ones(2, 1, 3).t_(),
    lambda m: m.ones(2, 1).transpose_(0, 5),
    lambda m: m.ones(2, 1).unsqueeze_(7),
    lambda m: m.ones(2, 1).squeeze_(None),
])
def test_inplace_views_errors_like_torch(torch, call):
    errors = []
    for m in (tg, torch):
        with pytest.raises(Exception) as info:
            call(m)
        errors.append((type(info.value), str(info.value).split(" Hint:")[0]))
    assert errors[0] == errors[1]


def test_inplace_views_without_grad_like_torch(torch):
    for m in (tg, torch):
        b = m.zeros(3)
        version = b._version
        b.unsqueeze_(0).t_()
        assert (tuple(b.shape), b._version - version, b.grad_fn) == ((3, 1), 2, None)


def test_version_error_names_a_copy_as_torch():
    # the program fuzzer's find: PyTorch's messages strip "Backward0" from a node's name
    # (``output 0 of Add``) but keep its C++ nodes whole (``torch::autograd::CopyBackwards``)
    torch = pytest.importorskip("torch")
    messages = []
    for m in (tg, torch):
        x = m.tensor(0.13, requires_grad=True)
        y = x + x
        z = x * y
        y[...] = 7.0  # (a copy into all of y: its node is now CopyBackwards)
        with pytest.raises(RuntimeError) as info:
            z.backward()
        messages.append(str(info.value).split(", is at")[0].split("which is ")[1])
    assert messages[0] == messages[1] == "output 0 of torch::autograd::CopyBackwards"
