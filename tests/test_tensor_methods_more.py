"""Tensor methods PyTorch has that were missing: ``as_strided`` (its layout, memory and
gradient, and convolution written with it), the ``*_scatter`` ops, ``index_reduce``,
``put``, the ``unsafe_*`` splits, ``narrow_copy``, ``resize_``, ``apply_`` / ``map_``,
``hardshrink`` / ``prelu`` and ``register_post_accumulate_grad_hook``, each against
PyTorch. (Values and gradients over random inputs: the rows of tests/test_ops.py.)"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg

torch = pytest.importorskip("torch")


def _pair(a: Any, requires_grad: bool = False) -> tuple[Any, Any]:
    a = np.asarray(a)
    return (tg.tensor(a, requires_grad=requires_grad),
            torch.tensor(a, requires_grad=requires_grad))


def _same(mine: Any, theirs: Any) -> None:
    assert tuple(mine.shape) == tuple(theirs.shape)
    assert np.array_equal(mine.detach().numpy(), theirs.detach().numpy())


def _layout(t: Any) -> tuple[Any, ...]:
    return tuple(t.shape), t.stride(), t.storage_offset(), t.is_contiguous()


def _raises_like_torch(call: Any) -> None:
    """The same exception class and message from both libraries."""
    errors = []
    for lib in (tg, torch):
        with pytest.raises(Exception) as info:  # noqa: PT011 (compared below)
            call(lib)
        errors.append(info.value)
    assert type(errors[0]) is type(errors[1])
    theirs = str(errors[1])  # (a shape prints as tinygrad_edu.Size; type names as torch's)
    assert str(errors[0]) in (theirs, theirs.replace("torch.", "tinygrad_edu."))


# ------------------------------------------------------------------ as_strided
@pytest.mark.parametrize("window", [((3,), (2,), None), ((3,), (2,), 0), ((2, 2), (1, 2), 1),
                                    ((2, 3), (0, 1), 2), ((), (), 5), ((0,), (4,), 3)])
def test_as_strided_layout_like_torch(window: Any) -> None:
    """A window on the storage of a view (offset 2): values, strides, offset, contiguity,
    the base it views, and memory shared with it."""
    results = []
    for lib in (tg, torch):
        base = lib.arange(10.0)
        y = base[2:].as_strided(*window)
        results.append((y, base))
    (mine, mine_base), (theirs, theirs_base) = results
    _same(mine, theirs)
    assert _layout(mine) == _layout(theirs)
    assert mine._base is mine_base and theirs._base is theirs_base
    mine_base.add_(1)
    _same(mine, theirs_base[2:].as_strided(*window) + 1)


def test_as_strided_gradient_goes_to_the_places_read_like_torch() -> None:
    """Places read twice get both gradients; places the input does not show (before a
    view's start) get none; an expanded input shares each place's gradient evenly."""
    grads = []
    for lib in (tg, torch):
        b = lib.arange(10.0, dtype=lib.float64).requires_grad_()
        y = (b * 1)[2:].as_strided((2, 3), (1, 2), 0)
        (y * lib.arange(6.0, dtype=lib.float64).reshape(2, 3)).sum().backward()
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        (a.expand(3, 2).as_strided((2,), (1,)) * lib.tensor([1.0, 10.0])).sum().backward()
        grads.append((b.grad, a.grad))
    for m, t in zip(*grads):
        _same(m, t)


def test_as_strided_inplace_like_torch() -> None:
    outs = []
    for lib in (tg, torch):
        b = lib.arange(8.0, requires_grad=True)
        x = b * 1
        same = x.as_strided_((2, 3), (3, 1), 1) is x
        x.sum().backward()
        outs.append((same, x.grad_fn.name(), _layout(x), x, b.grad))
    assert outs[0][:3] == outs[1][:3]
    _same(outs[0][3], outs[1][3])
    _same(outs[0][4], outs[1][4])


def test_write_into_as_strided_view_reaches_base_like_torch() -> None:
    """An in-place op on the window writes into the base, whose history (CopySlices)
    sends the gradient of the written places through the op."""
    outs = []
    for lib in (tg, torch):
        w = lib.arange(6.0, requires_grad=True)
        base = w * 1
        base.as_strided((2,), (3,), 1).mul_(10)
        base.backward(lib.arange(6.0))
        outs.append((base, base.grad_fn.name(), w.grad))
    _same(outs[0][0], outs[1][0])
    assert outs[0][1] == outs[1][1]
    _same(outs[0][2], outs[1][2])


def test_unfold_storage_offset_of_a_view() -> None:
    """Regression: a view made by numpy's as_strided (unfold's) has a holder object in its
    base chain; storage_offset() must walk through it to the owning array."""
    assert tg.arange(10.0)[1:].unfold(0, 3, 2).storage_offset() == \
        torch.arange(10.0)[1:].unfold(0, 3, 2).storage_offset() == 1


def _conv_by_im2col(lib: Any, img: Any, weight: Any) -> Any:
    """A learner's convolution: patches by as_strided (no copy), then one matmul."""
    n, c, h, w = img.shape
    out_c, _, k, _ = weight.shape
    s = img.stride()
    patches = img.as_strided((n, h - k + 1, w - k + 1, c, k, k),
                             (s[0], s[2], s[3], s[1], s[2], s[3]))
    cols = patches.reshape(n, (h - k + 1) * (w - k + 1), c * k * k)
    out = cols @ weight.reshape(out_c, -1).T
    return out.reshape(n, h - k + 1, w - k + 1, out_c).permute(0, 3, 1, 2)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_convolution_by_as_strided_like_torch(dtype: str) -> None:
    rng = np.random.default_rng(0)
    img_np = rng.standard_normal((2, 3, 6, 5)).astype(dtype)
    w_np = rng.standard_normal((4, 3, 3, 3)).astype(dtype)
    seed = rng.standard_normal((2, 4, 4, 3)).astype(dtype)
    results = []
    for lib in (tg, torch):
        img = lib.tensor(img_np, requires_grad=True)
        weight = lib.tensor(w_np, requires_grad=True)
        out = _conv_by_im2col(lib, img, weight)
        out.backward(lib.tensor(seed))
        results.append((out, img.grad, weight.grad))
    reference = torch.nn.functional.conv2d(torch.tensor(img_np), torch.tensor(w_np))
    # (float32: matmul and the gradient's sums add in other orders than torch's kernels)
    tol = dict(rtol=1e-12, atol=1e-12) if dtype == "float64" else dict(rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(results[0][0].detach().numpy(), reference.numpy(), **tol)
    for mine, theirs in zip(*results):
        assert mine.dtype == getattr(tg, dtype)
        np.testing.assert_allclose(mine.detach().numpy(), theirs.detach().numpy(), **tol)


@pytest.mark.parametrize("call", [
    lambda L: L.arange(10.0).as_strided((3,), (4,), 2),
    lambda L: L.arange(10.0).as_strided((3,), (-1,), 2),
    lambda L: L.arange(10.0).as_strided((-3,), (1,), 2),
    lambda L: L.arange(10.0).as_strided((3,), (1,), -2),
    lambda L: L.arange(10.0).as_strided((3, 2), (1,), 0),
    lambda L: L.arange(10.0).as_strided(3, (1,)),
    lambda L: L.arange(6.0).as_strided_scatter(L.ones(3), (2,), (2,), 1),
    lambda L: L.arange(6.0).as_strided_scatter(L.ones(2), (2,), (2,), 5),
    lambda L: L.arange(6.0).as_strided_scatter(L.ones(2), (2,), (0,), 1),
], ids=["out_of_storage", "negative_stride", "negative_size", "negative_offset",
        "length_mismatch", "size_not_a_tuple", "src_size", "scatter_out_of_storage",
        "scatter_overlap"])
def test_as_strided_errors_like_torch(call: Any) -> None:
    _raises_like_torch(call)


# ------------------------------------------------------------------ views written into a copy
def _scatter_calls(lib: Any) -> list[Any]:
    b = lib.arange(12.0).reshape(3, 4)
    x = b[1:]
    return [x.select_scatter(lib.zeros(4), 0, 1), x.slice_scatter(lib.zeros(2, 2), 1, 0, 2),
            x.diagonal_scatter(lib.zeros(2)), b.t().diagonal_scatter(lib.zeros(3), 1, 1, 0),
            b.expand(2, 3, 4).select_scatter(lib.zeros(3, 4), 0, 0),
            lib.slice_scatter(b, lib.zeros(3, 2), dim=1, step=2),
            lib.as_strided_scatter(x, lib.ones(2), (2,), (2,)),
            lib.as_strided_scatter(x, lib.ones(2), (2,), (2,), 0)]


def test_scatters_keep_the_input_layout_like_torch() -> None:
    """PyTorch's *_scatter copy their input's whole storage and show it as the input did:
    the same values, strides and storage offsets here."""
    for mine, theirs in zip(_scatter_calls(tg), _scatter_calls(torch)):
        _same(mine, theirs)
        assert _layout(mine) == _layout(theirs)


def test_scatter_grad_fn_names_and_gradients_like_torch() -> None:
    outs = []
    for lib in (tg, torch):
        x = lib.arange(12.0, dtype=lib.float64).reshape(3, 4).requires_grad_()
        src = lib.ones(3, dtype=lib.float32, requires_grad=True)  # (cast, as copy_)
        y = lib.diagonal_scatter(x, src, 1)
        y.backward(lib.arange(12.0, dtype=lib.float64).reshape(3, 4) + 1)
        outs.append((y.grad_fn.name(), y, x.grad, src.grad))
    assert outs[0][0] == outs[1][0] == "DiagonalScatterBackward0"
    for m, t in zip(outs[0][1:], outs[1][1:]):
        _same(m, t)
        assert str(m.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]


def test_as_strided_scatter_gradient_is_the_kept_places() -> None:
    """The result's elements not written pass their gradient to x, the written ones to src
    (PyTorch's gradient for x is the reverse, its gradcheck fails: its src gradient is
    the one compared)."""
    x = tg.arange(6.0, dtype=tg.float64, requires_grad=True)
    src = tg.tensor([10.0, 20.0], dtype=tg.float64, requires_grad=True)
    tg.as_strided_scatter(x, src, (2,), (2,), 1).backward(tg.arange(6.0, dtype=tg.float64))
    assert x.grad.tolist() == [0.0, 0.0, 2.0, 0.0, 4.0, 5.0]
    t_x = torch.arange(6.0, dtype=torch.float64, requires_grad=True)
    t_src = torch.tensor([10.0, 20.0], dtype=torch.float64, requires_grad=True)
    torch.as_strided_scatter(t_x, t_src, (2,), (2,), 1).backward(
        torch.arange(6.0, dtype=torch.float64))
    assert src.grad.tolist() == t_src.grad.tolist() == [1.0, 3.0]
    assert tg.autograd.gradcheck(
        lambda a, s: tg.as_strided_scatter(a, s, (2,), (2,), 1), (x, src))


@pytest.mark.parametrize("call", [
    lambda L: L.diagonal_scatter(L.zeros(3, 4), L.zeros(2)),
    lambda L: L.zeros(3, 4).diagonal_scatter(L.zeros(3), 0, 1, 1),
    lambda L: L.zeros(3, 4).select_scatter(L.zeros(3), 0, 1),
    lambda L: L.zeros(3, 4).select_scatter(L.zeros(4), 0, 5),
    lambda L: L.zeros(3, 4).slice_scatter(L.zeros(3, 3), 1, 1, 3),
    lambda L: L.zeros(3, 4).slice_scatter(L.zeros(3, 2), 1, 1, 3, 0),
    lambda L: L.zeros(3, 4).slice_scatter(L.zeros(3, 2), 5),
], ids=["diagonal_size", "diagonal_dims", "select_size", "select_index", "slice_size",
        "slice_step", "slice_dim"])
def test_scatter_errors_like_torch(call: Any) -> None:
    _raises_like_torch(call)


# ------------------------------------------------------------------ index_reduce, put
def test_index_reduce_of_ints_and_repeats_like_torch() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for values, reduce, include_self in [([5, 6, 7], "mean", True), ([-7, 6, 7], "mean", True),
                                             ([2, 6, 7], "prod", False),
                                             ([2, 6, 7], "amin", False)]:
            mine, theirs = (lib.tensor(values).index_reduce(
                0, lib.tensor([0, 0, 2]), lib.tensor([2, 3, -4]), reduce,
                include_self=include_self) for lib in (tg, torch))
            _same(mine, theirs)
            assert mine.dtype == tg.int64


def test_index_reduce_warns_once_as_torch() -> None:
    from tinygrad_edu.ops import indexed

    indexed._INDEX_REDUCE_WARNED[0] = False
    with pytest.warns(UserWarning, match=r"index_reduce\(\) is in beta"):
        tg.zeros(2).index_reduce(0, tg.tensor([0]), tg.ones(1), "amax")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tg.zeros(2).index_reduce(0, tg.tensor([0]), tg.ones(1), "amax")


@pytest.mark.parametrize("call", [
    lambda L: L.zeros(3, 4).index_reduce(1, L.tensor([0, 2]), L.zeros(3, 2), "sum"),
    lambda L: L.zeros(3, 4).index_reduce(1, L.tensor([0.0]), L.zeros(3, 1), "mean"),
    lambda L: L.zeros(3, 4).index_reduce(1, L.tensor([[0, 2]]), L.zeros(3, 2), "mean"),
    lambda L: L.zeros(3, 4).index_reduce(1, L.tensor([0, 9]), L.zeros(3, 2), "mean"),
    lambda L: L.zeros(3, 4).index_reduce(1, L.tensor([0, 1]), L.zeros(3, 2).double(), "amax"),
    lambda L: L.zeros(3, 4).index_reduce(1, L.tensor([0, 1, 2]), L.zeros(3, 2), "amin"),
    lambda L: L.zeros(3, 4).index_reduce(1, L.tensor([0, 1]), L.zeros(2, 2), "amin"),
    lambda L: L.zeros(2, dtype=L.bool).index_reduce(0, L.tensor([0]), L.zeros(1, dtype=L.bool),
                                                   "prod"),
    lambda L: L.zeros(3, 4).put(L.tensor([0, 12]), L.ones(2)),
    lambda L: L.zeros(3, 4).put(L.tensor([0, -13]), L.ones(2)),
    lambda L: L.zeros(3, 4).put(L.tensor([0, 1]), L.ones(3)),
    lambda L: L.zeros(3, 4).put(L.tensor([0, 1], dtype=L.int32), L.ones(2)),
    lambda L: L.zeros(3, 4).put(L.tensor([0, 1]), L.ones(2).double()),
    lambda L: L.zeros(0).put(L.tensor([0]), L.ones(1)),
    lambda L: L.zeros(3, 4).put([0, 1], L.ones(2)),
], ids=["reduce_sum", "index_float", "index_2d", "index_range", "source_dtype", "count",
        "source_shape", "bool", "put_range", "put_negative_range", "put_numel", "put_int32",
        "put_dtype", "put_empty", "put_list"])
def test_index_reduce_and_put_errors_like_torch(call: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _raises_like_torch(call)


def test_put_keeps_layout_and_accumulates_like_torch() -> None:
    for accumulate in (False, True):
        mine, theirs = (lib.zeros(2, 3).t().put(lib.tensor([1, -1, 1] if accumulate else [1, 4]),
                                                lib.tensor([5.0, 6.0, 7.0][:3 if accumulate
                                                                           else 2]),
                                                accumulate) for lib in (tg, torch))
        _same(mine, theirs)
        assert mine.stride() == theirs.stride()
    x, t = tg.zeros(3), torch.zeros(3)
    assert x.put_(tg.tensor([1, 1]), tg.tensor([1.0, 2.0]), True) is x
    t.put_(torch.tensor([1, 1]), torch.tensor([1.0, 2.0]), True)
    _same(x, t)


# ------------------------------------------------------------------ unsafe splits, narrow_copy
def test_unsafe_split_pieces_are_not_views_to_autograd_like_torch() -> None:
    """A write into a piece is allowed (split's pieces forbid it) and reaches the input's
    memory, as PyTorch's: the caller's promise not to use both is what keeps gradients
    right."""
    outs = []
    for lib in (tg, torch):
        x = lib.arange(6.0, requires_grad=True)
        y = x * 1
        pieces = lib.unsafe_split_with_sizes(y, [2, 4])
        names = [p.grad_fn.name() for p in pieces] + [p.grad_fn.name() for p in
                                                       y.unsafe_chunk(3)]
        bases = [p._base for p in y.unsafe_split(4)]
        pieces[1].mul_(2)
        (pieces[0].sum() + pieces[1].sum() * 3).backward()
        outs.append((names, bases, y, x.grad))
    assert outs[0][0] == outs[1][0]
    assert outs[0][1] == outs[1][1] == [None, None]
    _same(outs[0][2], outs[1][2])
    _same(outs[0][3], outs[1][3])
    _raises_like_torch(lambda L: L.ones(4).unsafe_split([2, 2]))
    _raises_like_torch(lambda L: L.ones(()).unsafe_chunk(2))


def test_narrow_copy_copies_like_torch() -> None:
    for lib in (tg, torch):
        x = lib.arange(6.0)
        y = x.narrow_copy(0, -3, 2)
        x.add_(1)
        assert y.tolist() == [3.0, 4.0]
    _raises_like_torch(lambda L: L.ones(6).narrow_copy(1, 1, 1))
    _raises_like_torch(lambda L: L.ones(6).narrow_copy(0, 1, 7))


# ------------------------------------------------------------------ resize_, apply_, map_
def test_resize_like_torch() -> None:
    """Shrinking keeps the storage (a later grow sees the old elements again); the same
    shape keeps the strides; a view resizes over its base's storage from its offset."""
    outs = []
    for lib in (tg, torch):
        t = lib.arange(6.0)
        shrunk = t.resize_(2, 2).clone()
        grown = t.resize_(6).clone()
        s = lib.arange(6.0).reshape(2, 3).t()
        kept = _layout(s.resize_(3, 2))
        restrided = s.resize_(2, 3).clone()
        v = lib.arange(6.0)[2:]
        v.resize_(2)
        outs.append((shrunk, grown, kept, restrided, v, v.storage_offset(),
                     lib.zeros(4).resize_as_(lib.ones(2, 2)).shape))
    for m, t in zip(*outs):
        if isinstance(m, tg.Tensor):
            _same(m, t)
        else:
            assert m == t
    grown = tg.arange(2.0).resize_(4)  # (PyTorch leaves the new elements uninitialized)
    assert grown.tolist()[:2] == [0.0, 1.0]
    _raises_like_torch(lambda L: L.ones(2, requires_grad=True).resize_(3))
    _raises_like_torch(lambda L: L.ones(2).resize_(-1))
    _raises_like_torch(lambda L: L.ones(2).resize_as_([1, 2]))


def test_apply_and_map_like_torch() -> None:
    outs = []
    for lib in (tg, torch):
        x = lib.arange(4.0)
        same = x.apply_(lambda v: v * 2 + 1) is x
        ints = lib.arange(4).apply_(lambda v: v / 3)
        mapped = lib.arange(4.0).map_(lib.tensor([10.0]), lambda a, b: a * b)
        outs.append((same, x, ints, mapped))
    assert outs[0][0] and outs[1][0]
    for m, t in zip(outs[0][1:], outs[1][1:]):
        _same(m, t)
    _raises_like_torch(lambda L: L.ones(2).apply_(lambda v: "a"))
    _raises_like_torch(lambda L: L.ones(2, requires_grad=True).apply_(lambda v: v))
    _raises_like_torch(lambda L: L.ones(2).map_(L.ones(2, requires_grad=True), lambda a, b: a))
    _raises_like_torch(lambda L: L.ones(4).map_(L.ones(3), lambda a, b: a))
    _raises_like_torch(lambda L: L.ones(4).map_(L.ones(4).double(), lambda a, b: a))


# ------------------------------------------------------------------ hardshrink, prelu
def test_hardshrink_and_prelu_methods_like_torch() -> None:
    outs = []
    for lib in (tg, torch):
        x = lib.tensor([[-2.0, 0.2, 3.0], [1.0, -1.0, 0.4]], requires_grad=True)
        w = lib.tensor([0.25, 0.5, 2.0], requires_grad=True)
        y = x.hardshrink(0.3) + x.prelu(w) + lib.prelu(x, w[:1])
        y.sum().backward()
        outs.append((y, x.grad, w.grad))
    for m, t in zip(*outs):
        _same(m, t)
    _raises_like_torch(lambda L: L.tensor([1, 2]).hardshrink())
    _raises_like_torch(lambda L: L.ones(2, 3).prelu(L.ones(2)))
    _raises_like_torch(lambda L: L.ones(2, 3).prelu(L.ones(3).double()))


# ------------------------------------------------------------------ post-accumulate hooks
def _train_with_step_in_backward(lib: Any) -> list[Any]:
    """PyTorch's tutorial "How to save memory by fusing the optimizer step into the
    backward pass": one optimizer per parameter, stepped (and its gradient freed) by a
    post-accumulate-grad hook as soon as that parameter's gradient is ready."""
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 1))
    optimizers = {p: lib.optim.Adam([p], lr=0.1, foreach=False) for p in model.parameters()}

    def optimizer_hook(parameter: Any) -> None:
        optimizers[parameter].step()
        optimizers[parameter].zero_grad()

    for p in model.parameters():
        p.register_post_accumulate_grad_hook(optimizer_hook)
    x = lib.tensor(np.linspace(-1, 1, 15, dtype=np.float32).reshape(5, 3))
    for _ in range(3):
        model(x).pow(2).mean().backward()  # (no optimizer.step(): the hooks stepped)
    return [p.detach() for p in model.parameters()] + [p.grad for p in model.parameters()]


def test_optimizer_step_in_backward_like_torch() -> None:
    mine, theirs = _train_with_step_in_backward(tg), _train_with_step_in_backward(torch)
    for m, t in zip(mine, theirs):
        if t is None:
            assert m is None  # (each hook freed its gradient)
            continue
        # (float32 Adam: sqrt and division round as torch's; matmul's sums may not)
        np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=1e-6, atol=1e-7)


def test_post_accumulate_grad_hook_rules_like_torch() -> None:
    """Called with the tensor after its .grad is updated (after its register_hook hooks),
    by backward (and backward(inputs=...)) but not by autograd.grad; leaves only; None
    returned."""
    traces = []
    for lib in (tg, torch):
        trace: list[Any] = []
        x = lib.ones(2, requires_grad=True)
        handle = x.register_post_accumulate_grad_hook(
            lambda t, x=x, trace=trace: trace.append((t is x, t.grad.tolist())))
        x.register_hook(lambda g, trace=trace: trace.append(("hook", g.tolist())))
        (x * 3).sum().backward()
        (x * 3).sum().backward()
        lib.autograd.grad((x * 3).sum(), x)
        y = lib.ones(2, requires_grad=True)
        ((x * 3) * y).sum().backward(inputs=[x])  # (y's gradient is not asked for)
        handle.remove()
        (x * 3).sum().backward()
        traces.append(trace)
    assert traces[0] == traces[1]
    _raises_like_torch(lambda L: (L.ones(2, requires_grad=True) * 2)
                       .register_post_accumulate_grad_hook(lambda t: None))
    _raises_like_torch(lambda L: L.ones(2).register_post_accumulate_grad_hook(lambda t: None))
    x = tg.ones(2, requires_grad=True)
    x.register_post_accumulate_grad_hook(lambda t: 5)
    with pytest.raises(TypeError, match="expected Variable, but hook returned 'int'"):
        (x * 3).sum().backward()


@pytest.mark.parametrize("shape", [(), (3,), (3, 2)])
@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_bool_index_reduce_runs_or_raises_as_torchs_kernels(shape: tuple[int, ...], reduce: str,
                                                            include_self: bool) -> None:
    """PyTorch's bool index_reduce works on 2-d and up (prod, amax, amin, include_self);
    its 1-d, mean and include_self=False kernels raise, each naming itself."""
    rng = np.random.default_rng(3)
    x = rng.integers(0, 2, shape).astype(bool)
    src = rng.integers(0, 2, (1,) + shape[1:] if shape else ()).astype(bool)

    def call(L: Any) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (index_reduce is in beta)
            return L.tensor(x).index_reduce(0, L.tensor([1 if shape else 0]), L.tensor(src),
                                            reduce, include_self=include_self)

    if len(shape) < 2 or reduce == "mean" or not include_self:
        _raises_like_torch(call)
    else:
        assert call(tg).tolist() == call(torch).tolist()


@pytest.mark.parametrize("method", ["chunk", "unsafe_chunk"])
def test_chunks_of_an_empty_dim_are_that_many_empty_pieces(method: str) -> None:
    """torch.ones(0).chunk(3) is three empty tensors (split_with_sizes([0, 0, 0])); it
    was one."""
    pieces = []
    for L in (tg, torch):
        x = L.ones(2, 0, requires_grad=True)
        out = getattr(x, method)(3, 1)
        pieces.append([(tuple(p.shape), type(p.grad_fn).__name__) for p in out])
    assert pieces[0] == pieces[1] and len(pieces[0]) == 3
