"""What running PyTorch's tutorials and Karpathy's lectures on tinygrad_edu found.

Each test is named after the bug it prevents and checks tinygrad_edu against PyTorch 2.13
(run side by side) where a script printed something else. Snippets adapted from a source
name it.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu.parity import torch_sum as _torch_sum

torch = pytest.importorskip("torch")


def _names(node: Any) -> list[Any]:
    """The graph below ``node``, depth first: each node's name (None for a missing input)."""
    if node is None:
        return [None]
    out = [node.name()]
    for child, _ in node.next_functions:
        out.extend(_names(child))
    return out


def _raised(fn: Any) -> str:
    """The message of the RuntimeError ``fn`` raises."""
    with pytest.raises(RuntimeError) as info:
        fn()
    return str(info.value)


def _torch_type_names(message: str) -> str:
    """Our message with PyTorch's type names: PyTorch's words, this library's type names
    (``[tinygrad_edu.FloatTensor [2]]`` where PyTorch says ``[torch.FloatTensor [2]]``)."""
    return message.replace("[tinygrad_edu.", "[torch.")


# ------------------------------------------- a Function with several outputs saves them
def _sinh(m: Any) -> Any:
    """Sinh returning exp(x) and exp(-x) as outputs, to save them for double backward
    (PyTorch's "Double Backward with Custom Functions" tutorial)."""

    class Sinh(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            expx, expnegx = m.exp(x), m.exp(-x)
            ctx.save_for_backward(expx, expnegx)
            return (expx - expnegx) / 2, expx, expnegx

        @staticmethod
        def backward(ctx, grad_out, grad_exp, grad_negexp):
            expx, expnegx = ctx.saved_tensors
            grad_input = grad_out * (expx + expnegx) / 2
            grad_input += grad_exp * expx
            grad_input -= grad_negexp * expnegx
            return grad_input

    return Sinh


def _two(m: Any) -> Any:
    class Two(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            a, b = x * 2, x * 3
            ctx.save_for_backward(a, b)
            return a, b

        @staticmethod
        def backward(ctx, ga, gb):
            a, b = ctx.saved_tensors
            return ga * b + gb * a

    return Two


def test_double_backward_through_saved_outputs_of_a_function_with_several_outputs():
    """The tutorial's gradgradcheck failed: a saved output came back without its history,
    so the second derivative missed the path through it."""
    x = np.array([[0.1, 0.5, 0.9], [0.3, 0.7, 0.2]])
    results = []
    for m in (tg, torch):
        sinh = _sinh(m)
        t = m.tensor(x, requires_grad=True)
        assert m.autograd.gradgradcheck(lambda v, f=sinh: f.apply(v)[0], t)
        g, = m.autograd.grad(sinh.apply(t)[0].sum(), t, create_graph=True)
        g2, = m.autograd.grad(g.sum(), t)
        results.append(g2.numpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12)
    np.testing.assert_allclose(results[0], np.sinh(x), rtol=1e-12)


def test_saved_outputs_of_a_function_with_several_outputs_keep_their_history():
    seen = []
    for m in (tg, torch):
        fn = _two(m)
        backward = fn.backward

        def spy(ctx, ga, gb, backward=backward):
            a, b = ctx.saved_tensors
            seen.append((a.requires_grad, b.requires_grad, type(a.grad_fn).__name__))
            return backward(ctx, ga, gb)

        fn.backward = staticmethod(spy)
        a, b = fn.apply(m.ones(2, requires_grad=True))
        (a * b).sum().backward()
    assert seen == [(True, True, "TwoBackward")] * 2


@pytest.mark.parametrize("which", [0, 1])
def test_saved_output_of_a_function_with_several_outputs_written_in_place_raises(which):
    """It went unnoticed, and backward used the new values: a wrong gradient."""
    messages = []
    for m in (tg, torch):
        a, b = _two(m).apply(m.ones(2, requires_grad=True))
        (a, b)[which].add_(1)
        messages.append(_raised(lambda a=a, b=b: (a * b).sum().backward()))
    mine, theirs = messages
    assert _torch_type_names(mine.split(" Hint:")[0]) == theirs.split(" Hint:")[0]
    assert f"which is output {which} of Two," in mine


def _saved_and_written(m: Any, case: str) -> Any:
    """A backward that reads a saved tensor written in place since."""
    x = m.ones(3, requires_grad=True)
    if case == "output of exp":
        y = x.exp()
        y.add_(1)
        return y
    if case == "input, rebased by add_":
        h = x * 1
        y = h.sin()
        h.add_(1)
    elif case == "input, written through an index":
        h = x * 1
        y = h.sin()
        h[0] = 5
    elif case == "view of a written base":
        h = x * 1
        v = h[:2]
        y = v.sin()
        h.add_(1)
    elif case == "leaf":
        y = x * x
        with m.no_grad():
            x.add_(1)
    else:  # a constant
        c = m.ones(3)
        y = x * c
        c.add_(1)
    return y


@pytest.mark.parametrize("case", ["output of exp", "input, rebased by add_",
                                  "input, written through an index", "view of a written base",
                                  "leaf", "constant"])
def test_inplace_error_names_the_saved_tensors_own_history(case):
    """PyTorch names the saved tensor by its producer now ("output 0 of Add"), not the
    op that saved it ("input 0 of SinBackward0")."""
    mine, theirs = (_raised(lambda m=m: _saved_and_written(m, case).sum().backward())
                    for m in (tg, torch))
    assert _torch_type_names(mine.split(" Hint:")[0]) == theirs.split(" Hint:")[0]


# ------------------------------------- a Function's output that is a view of an input
def _view_functions(m: Any) -> dict[str, Any]:
    class Ident(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 3

    class Flat(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.view(-1)

        @staticmethod
        def backward(ctx, g):
            return g.view(2, 2) * 3

    class Rows(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x[0], x[1]

        @staticmethod
        def backward(ctx, g0, g1):
            return m.stack([g0, g1]) * 3

    return {"Ident": Ident, "Flat": Flat, "Rows": Rows}


@pytest.mark.parametrize("name", ["Ident", "Flat", "Rows"])
@pytest.mark.parametrize("write", ["the view", "its base", "a leaf input"])
def test_view_returned_by_a_function_cannot_be_written_in_place(name, write):
    """Writing into it went through, recorded on the base, and the Function's own
    backward was skipped: a silently wrong gradient (2 where it is 6)."""
    messages = []
    for m in (tg, torch):
        fn = _view_functions(m)[name]
        x = m.ones(2, 2, requires_grad=True)
        h = x if write == "a leaf input" else x * 1
        out = fn.apply(h)
        out = out[0] if name == "Rows" else out
        assert out._base is not None
        if write == "its base":
            h.mul_(2)
            messages.append(_raised(lambda out=out: out.sum().backward()))
        else:
            messages.append(_raised(lambda out=out: out.mul_(2)))
    assert messages[0] == messages[1]


def test_view_returned_by_a_function_without_grad_can_be_written():
    x = tg.ones(2, 2)
    out = _view_functions(tg)["Flat"].apply(x)
    out.mul_(2)
    assert out._base is x and x.tolist() == [[2.0, 2.0], [2.0, 2.0]]


def test_function_node_repr_names_its_module_as_torch():
    """PyTorch prints a Python Function's node with its module:
    <torch.autograd.function.SinhBackward object at 0x...>."""
    reprs = []
    for m in (tg, torch):
        out = _sinh(m).apply(m.ones(2, requires_grad=True))[0]
        reprs.append(repr(out.grad_fn).split(" object at ")[0])
        assert repr((out * 2).grad_fn).startswith("<MulBackward0 object at 0x")
    assert reprs == ["<tinygrad_edu.autograd.function.SinhBackward",
                     "<torch.autograd.function.SinhBackward"]


# ------------------------------------------------------- create_graph: leaves' .grad
def test_create_graph_leaf_grads_are_copies_not_shared():
    """``(x + y).backward(create_graph=True)`` gave x and y the same .grad tensor (and a
    read-only broadcast one): zeroing one zeroed the other."""
    for m in (tg, torch):
        x, y = m.ones(2, requires_grad=True), m.ones(2, requires_grad=True)
        w = m.ones(2, requires_grad=True)
        ((x + y) * w).sum().backward(create_graph=True)
        assert x.grad is not y.grad
        assert x.grad.grad_fn.name() == "torch::autograd::CopyBackwards"
        x.grad.data.zero_()
        assert y.grad.tolist() == [1.0, 1.0]
        g = m.ones(2)
        x.grad = y.grad = None
        (x + y).backward(g, create_graph=True)
        g.zero_()
        assert x.grad.tolist() == [1.0, 1.0] and x.grad.grad_fn is None


def test_create_graph_leaf_grad_is_a_copy_of_the_summed_gradient():
    names = []
    for m in (tg, torch):
        x = m.tensor([0.5, 1.5], requires_grad=True)
        (x.sin() * x).sum().backward(create_graph=True)
        names.append(_names(x.grad.grad_fn)[:3])
    assert names[0] == names[1] == ["torch::autograd::CopyBackwards", None, "AddBackward0"]


# ----------------------------------------------- a leaf's gradients are summed first
def test_leaf_gradients_are_summed_before_going_into_an_existing_grad():
    """PyTorch's AccumulateGrad adds ``g1 + g2`` to ``.grad``; tinygrad_edu added them one by
    one, ``(.grad + g1) + g2``, which rounds otherwise (gradient accumulation, shared
    weights)."""
    rng = np.random.default_rng(0)
    grad, a, b = (rng.standard_normal(1000).astype(np.float32) for _ in range(3))
    results = []
    for m in (tg, torch):
        x = m.zeros(1000, requires_grad=True)
        x.grad = m.tensor(grad)
        (x * m.tensor(a) + x * m.tensor(b)).sum().backward()
        results.append(x.grad.numpy())
    assert np.array_equal(results[0], results[1])


# -------------------------------------------------------- arange, linspace, logspace
@pytest.mark.parametrize("make", [
    lambda m: m.linspace(-math.pi, math.pi, 2000),  # the "Learning PyTorch" examples
    lambda m: m.linspace(0.0, 2.0 * math.pi, steps=25),  # "The Fundamentals of Autograd"
    lambda m: m.linspace(-3.3, 7.1, 100, dtype=m.float64),
    lambda m: m.linspace(-3, 0, 1000),  # makemore part 2's learning rates
    lambda m: m.linspace(0.0, 1.0, 2100, dtype=m.float16),
    lambda m: m.linspace(0.5, 10.7, 5, dtype=m.int64),
    lambda m: m.arange(-1, 1, 0.05),
    lambda m: m.arange(0.1, 9.9, 0.013, dtype=m.float64),
    lambda m: m.arange(-2.0, 5.0, 0.3, dtype=m.float16),
    lambda m: m.arange(0, 100, 0.001),  # split between torch's threads
    lambda m: m.logspace(-3.3, 7.1, 100),
    lambda m: m.logspace(0.0, 1.0, 7, base=2.0, dtype=m.float64),
    lambda m: m.logspace(0, 3, 4, dtype=m.int64),
])
def test_range_factories_give_torchs_bits(make):
    """``tg.linspace(-pi, pi, 2000)`` differed from PyTorch's in the last bit of a few
    values, and the tutorials' training loops drifted apart from there."""
    before = _torch_sum.get_num_threads()  # (long ranges are cut between torch's threads)
    _torch_sum.set_num_threads(torch.get_num_threads())
    try:
        mine = make(tg).numpy()
    finally:
        _torch_sum.set_num_threads(before)
    theirs = make(torch).numpy()
    assert mine.dtype == theirs.dtype
    assert np.array_equal(mine, theirs)


# ------------------------------------------------------------------- small semantics
def test_tensor_constructor_without_arguments_is_empty_1d():
    """``torch.Tensor()`` (micrograd's test) is a 1-D tensor of size 0, not a 0-d one."""
    assert tg.Tensor().shape == torch.Tensor().shape == (0,)
    assert tg.Tensor().dtype == tg.float32


def test_type_of_a_tensor_prints_as_torchs():
    """``print(type(x))`` ("Introduction to PyTorch Tensors") gave
    <class 'tinygrad_edu.tensor.Tensor'>."""
    x = tg.ones(2)
    assert str(type(x)) == "<class 'tinygrad_edu.Tensor'>"
    assert str(type(x.shape)) == "<class 'tinygrad_edu.Size'>"
    assert str(type(x.device)) == "<class 'tinygrad_edu.device'>"
    assert str(type(x.dtype)) == "<class 'tinygrad_edu.dtype'>"
    assert str(type(torch.ones(2))) == "<class 'torch.Tensor'>"


@pytest.mark.parametrize("op", ["max", "min", "sort", "topk", "kthvalue", "median", "mode"])
def test_return_types_repr_names_the_op(op):
    results = []
    for m in (tg, torch):
        x = m.tensor([3.0, 1.0, 2.0])
        r = {"max": lambda: x.max(0), "min": lambda: x.min(0), "sort": x.sort,
             "topk": lambda: x.topk(2), "kthvalue": lambda: x.kthvalue(2),
             "median": lambda: x.median(0), "mode": lambda: x.mode()}[op]()
        results.append(repr(r).replace("tinygrad_edu.", "torch."))
    assert results[0] == results[1]
    assert copy.deepcopy(tg.tensor([3.0, 1.0]).max(0)).indices.item() == 0


@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("shape, k", [((4,), 2), ((3, 9), 5), ((2, 200), 3), ((2, 200), 150)])
def test_topk_ties_give_torchs_indices(shape, k, largest):
    """Equal values came in index order; PyTorch's CPU kernel leaves them in the order of
    its unstable selection (``std::partial_sort`` or ``std::nth_element``)."""
    a = np.random.default_rng(k).integers(0, 3, shape).astype(np.float32)
    if a.ndim == 1:
        a = np.array([1.0, 2.0, 2.0, 3.0], np.float32)  # (the tutorial probe's case)
    mine, theirs = tg.tensor(a).topk(k, largest=largest), torch.tensor(a).topk(k,
                                                                             largest=largest)
    assert np.array_equal(mine.indices.numpy(), theirs.indices.numpy())
    assert np.array_equal(mine.values.numpy(), theirs.values.numpy())


# --------------------------------------------------------------- grad_fn structure
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_l1_loss_graph_is_torchs_composite(reduction):
    """PyTorch has no L1LossBackward0: its l1_loss is |input - target| then the
    reduction. Broadcasting expands first."""
    graphs = []
    for m in (tg, torch):
        x, y = m.ones(3, 1, requires_grad=True), m.zeros(3, 4)
        with pytest.warns(UserWarning):
            broadcast = m.nn.functional.l1_loss(x, y)
        plain = m.nn.functional.l1_loss(x.expand(3, 4), y, reduction=reduction)
        graphs.append((_names(broadcast.grad_fn), _names(plain.grad_fn)))
    assert graphs[0] == graphs[1]


def test_outer_graph_is_torchs():
    graphs = []
    for m in (tg, torch):
        v = m.ones(3, requires_grad=True)
        graphs.append(_names(m.outer(v, v * 2).grad_fn))
    assert graphs[0] == graphs[1]


@pytest.mark.parametrize("norm", ["layer_norm", "batch_norm"])
def test_norm_next_functions_list_absent_weight_and_bias(norm):
    """PyTorch's NativeLayerNormBackward0 and NativeBatchNormBackward0 always list
    (input, weight, bias), with None for an absent one."""
    graphs = []
    for m in (tg, torch):
        x, w = m.ones(3, 4, requires_grad=True), m.ones(4, requires_grad=True)
        if norm == "layer_norm":
            outs = [m.nn.functional.layer_norm(x, (4,)),
                    m.nn.functional.layer_norm(x, (4,), w)]
        else:
            outs = [m.nn.functional.batch_norm(x, None, None, training=True),
                    m.nn.functional.batch_norm(x, None, None, w, training=True)]
        graphs.append([_names(o.grad_fn) for o in outs])
    assert graphs[0] == graphs[1]


@pytest.mark.parametrize("index", [
    "[0, 1]", "[0, 1:]", "[1:, 0]", "[None, 0]", "[0, None]", "[0, ..., 1]", "[1:2, 1:2]",
    "[None, None, :3, :3]", "[:, None, 1]", "[1:, [0, 1]]", "[0, [0, 1]]", "[None, [0, 1]]",
    "[[0, 1], 1:3]", "[0, True]", "[:, -4:]", "[:, :4]", "[::2, ::3]", "[1:, ..., 2:]"])
def test_basic_indexing_records_one_view_op_per_item(index):
    """``x[0, 1]`` is two SelectBackward0 in PyTorch, ``x[1:, [0, 1]]`` an IndexBackward0 of
    a SliceBackward0; one node stood for all (conv2d's weight ``w[None, None, :3, :3]``)."""
    results = []
    for m in (tg, torch):
        x = m.arange(12.0).reshape(3, 4).requires_grad_()
        out = eval("x" + index)
        out.backward(m.ones(out.shape) * 2)
        results.append((_names(out.grad_fn), out.tolist(), x.grad.tolist()))
    assert results[0] == results[1]


def test_conv2d_weight_slice_graph_is_torchs():
    graphs = []
    for m in (tg, torch):
        w = m.ones(3, 4, requires_grad=True)
        out = m.nn.functional.conv2d(m.ones(1, 1, 4, 4), w[None, None, :3, :3])
        graphs.append(_names(out.grad_fn))
    assert graphs[0] == graphs[1]


def test_l1_loss_values_and_gradients_are_unchanged():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))
    for reduction in ("mean", "sum", "none"):
        x = tg.tensor(a, requires_grad=True)
        t = torch.tensor(a, requires_grad=True)
        mine = F.l1_loss(x, tg.tensor(b), reduction=reduction)
        theirs = torch.nn.functional.l1_loss(t, torch.tensor(b), reduction=reduction)
        mine.sum().backward()
        theirs.sum().backward()
        assert np.array_equal(mine.detach().numpy(), theirs.detach().numpy())
        assert np.array_equal(x.grad.numpy(), t.grad.numpy())


# -------------------------------------------------------------- cross entropy's graph
@pytest.mark.parametrize("kwargs", [
    {"label_smoothing": 0.1}, {"label_smoothing": 0.2, "weight": True},
    {"label_smoothing": 0.2, "ignore_index": 1}, {"label_smoothing": 0.3, "reduction": "sum"},
    {"label_smoothing": 0.3, "reduction": "none", "weight": True}])
@pytest.mark.parametrize("target", ["indices", "probabilities"])
@pytest.mark.parametrize("shape", [(5, 4), (4,), (2, 4, 3), (2, 4, 2, 2)])
def test_cross_entropy_graph_is_torchs_composite(kwargs, target, shape):
    """With label smoothing (or class probabilities) PyTorch's cross_entropy is a composite
    (AddBackward0 of MulBackward1 ...); tinygrad_edu had one fused node, named
    NllLossBackward0 (or an invented CrossEntropyProbBackward0)."""
    if target == "probabilities" and "ignore_index" in kwargs:
        return
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(np.float32)
    classes = shape[0] if len(shape) == 1 else shape[1]
    t = rng.integers(0, classes, shape[:1] + shape[2:] if len(shape) > 1 else ())
    p = rng.random(shape).astype(np.float32)
    w = rng.random(classes).astype(np.float32)
    results = []
    for m in (tg, torch):
        logits = m.tensor(x, requires_grad=True)
        k = {**kwargs, "weight": m.tensor(w)} if "weight" in kwargs else kwargs
        out = m.nn.functional.cross_entropy(logits, m.tensor(t if target == "indices" else p),
                                            **k)
        out.sum().backward()
        results.append((_names(out.grad_fn), out.detach().numpy(), logits.grad.numpy()))
    assert results[0][0] == results[1][0]
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=2e-6, atol=1e-7)
    np.testing.assert_allclose(results[0][2], results[1][2], rtol=2e-6, atol=1e-7)


@pytest.mark.parametrize("shape", [(2, 3, 4), (2, 3, 2, 2), (2, 3, 2, 1, 2)])
@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_nll_loss_of_more_than_two_dims_is_nll_loss2d(shape, reduction):
    """PyTorch's nll_loss_nd: NllLoss2DBackward0 for 4-D input, other ranks viewed as 4-D."""
    t = np.random.default_rng(0).integers(0, 3, shape[:1] + shape[2:])
    graphs = []
    for m in (tg, torch):
        x = m.ones(shape, requires_grad=True)
        out = m.nn.functional.nll_loss(x, m.tensor(t), reduction=reduction)
        graphs.append((_names(out.grad_fn), tuple(out.shape)))
    assert graphs[0] == graphs[1]


@pytest.mark.parametrize("loss", ["nll_loss", "cross_entropy", "cross_entropy smoothed",
                                  "binary_cross_entropy", "with_logits weight",
                                  "with_logits pos_weight"])
def test_loss_weight_that_requires_grad_raises(loss):
    """A weight that requires grad silently got no gradient; PyTorch refuses it."""
    messages = []
    for m in (tg, torch):
        F_ = m.nn.functional
        x, w = m.ones(3, 4, requires_grad=True), m.ones(4, requires_grad=True)
        t, p = m.tensor([0, 3, 1]), m.full((3, 4), 0.5)
        call = {"nll_loss": lambda: F_.nll_loss(x, t, weight=w),
                "cross_entropy": lambda: F_.cross_entropy(x, t, weight=w),
                "cross_entropy smoothed": lambda: F_.cross_entropy(x, t, weight=w,
                                                                    label_smoothing=0.1),
                "binary_cross_entropy": lambda: F_.binary_cross_entropy(x.sigmoid(), p,
                                                                        weight=w),
                "with_logits weight": lambda: F_.binary_cross_entropy_with_logits(x, p,
                                                                                 weight=w),
                "with_logits pos_weight": lambda: F_.binary_cross_entropy_with_logits(
                    x, p, pos_weight=w)}[loss]
        messages.append(_raised(call))
        with m.no_grad():
            call()  # (no gradient asked: fine)
    assert messages[0].split(" Hint:")[0] == messages[1]


def test_div_with_rounding_mode_lists_the_number_in_next_functions():
    graphs = []
    for m in (tg, torch):
        x = m.ones(3, requires_grad=True)
        graphs.append(_names(m.div(x, 2, rounding_mode="floor").grad_fn))
    assert graphs[0] == graphs[1] == ["DivBackward2", "torch::autograd::AccumulateGrad", None]


def test_save_and_load_keep_requires_grad_and_parameters(tmp_path):
    """``torch.save`` keeps a tensor's requires_grad and a Parameter's class (the
    tutorials' checkpoints); tg.load gave plain tensors without gradients."""
    x = tg.ones(2, requires_grad=True)
    saved = {"x": x, "y": x * 2, "p": tg.nn.Parameter(tg.ones(2)),
             "frozen": tg.nn.Parameter(tg.ones(2), requires_grad=False), "c": tg.ones(2)}
    tg.save(saved, tmp_path / "ckpt.safetensors")
    loaded = tg.load(tmp_path / "ckpt.safetensors")
    assert [(type(v).__name__, v.requires_grad, v.is_leaf) for v in loaded.values()] == [
        ("Tensor", True, True), ("Tensor", True, True), ("Parameter", True, True),
        ("Parameter", False, True), ("Tensor", False, True)]


@pytest.mark.parametrize("write", ["mul_", "setitem", "two in-place ops",
                                   "base of a retained view"])
def test_retain_grad_survives_an_inplace_write(write):
    """``y.retain_grad(); y.mul_(3)``: PyTorch keeps retaining y's gradient, now of its new
    value; tinygrad_edu lost it (y.grad None, retains_grad False)."""
    results = []
    for m in (tg, torch):
        x = m.ones(4, requires_grad=True)
        y = x * 2
        kept = y[:2] if write == "base of a retained view" else y
        kept.retain_grad()
        if write == "mul_":
            y.mul_(3)
        elif write == "setitem":
            y[0] = 5.0
        elif write == "two in-place ops":
            y.add_(1)
            y.exp_()
        else:
            y.mul_(3)
        (kept * kept).sum().backward()
        results.append((kept.retains_grad, kept.grad.tolist(), x.grad.tolist()))
    assert results[0][0] is True
    np.testing.assert_allclose(np.array(results[0][1]), np.array(results[1][1]), rtol=1e-6)
    np.testing.assert_allclose(np.array(results[0][2]), np.array(results[1][2]), rtol=1e-6)
