"""Views and in-place writes keep PyTorch's histories (ops/views.py).

Regression tests named after the bugs they prevent, then two differential fuzzers
against PyTorch: which ops return views (share storage) and which copy, and random
programs of views and in-place writes (values, gradients, node names, errors).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu as tg

torch_or_none: Any
try:
    import torch as torch_or_none
except ImportError:  # pragma: no cover
    torch_or_none = None

needs_torch = pytest.mark.skipif(torch_or_none is None, reason="needs torch")


# ------------------------------------------------------------------ regression tests
def test_view_of_a_base_written_in_place_sees_the_new_history():
    x = tg.ones(3, requires_grad=True)
    y = x * 1
    v = y[:2]
    y.mul_(3)
    v.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0, 0.0]
    assert v.grad_fn.name() == "AsStridedBackward0"


def _first_words(error: BaseException) -> str:
    """The message up to its first full stop (a tensor's type is named after its package
    on purpose, [tinygrad_edu.FloatTensor [3]]: compared as torch's)."""
    return str(error).replace("tinygrad_edu.", "torch.").split(".")[0]


def test_view_of_a_view_of_a_written_base():
    x = tg.ones(2, 3, requires_grad=True)
    y = x * 1
    v = y[0][1:].unsqueeze(0)
    y.mul_(2)
    (v * tg.tensor([[1.0, 10.0]])).sum().backward()
    assert x.grad.tolist() == [[0.0, 2.0, 20.0], [0.0, 0.0, 0.0]]


def test_copy_into_view_of_a_plain_buffer_reaches_the_source():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    buf = tg.zeros(4)
    buf[:2].copy_(w)
    assert buf.requires_grad and buf.grad_fn.name() == "torch::autograd::CopySlices"
    (buf * tg.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    assert w.grad.tolist() == [1.0, 2.0]


def test_setitem_of_a_column_with_a_tensor_requiring_grad():
    h = tg.tensor([1.0, 2.0], requires_grad=True)
    out = tg.zeros(2, 3)
    out[:, 1] = h
    (out * tg.arange(6.0).reshape(2, 3)).sum().backward()
    assert h.grad.tolist() == [1.0, 4.0]


def test_setitem_through_a_chain_of_views():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    out = tg.zeros(2, 3)
    out[0][1:] = w
    (out * tg.arange(6.0).reshape(2, 3)).sum().backward()
    assert w.grad.tolist() == [1.0, 2.0]
    assert out.tolist() == [[0.0, 1.0, 2.0], [0.0, 0.0, 0.0]]


def test_rnn_style_loop_writing_each_step_into_a_buffer():
    w = tg.tensor([0.5, -1.0], requires_grad=True)
    out = tg.zeros(3, 2)
    h = tg.ones(2)
    for t in range(3):
        h = (h * w).tanh()
        out[t] = h
    out.sum().backward()
    ref = tg.tensor([0.5, -1.0], requires_grad=True)
    h = tg.ones(2)
    total = tg.zeros(())
    for _ in range(3):
        h = (h * ref).tanh()
        total = total + h.sum()
    total.backward()
    np.testing.assert_allclose(w.grad.numpy(), ref.grad.numpy(), rtol=1e-6)


def test_in_place_on_a_view_wraps_the_ops_node_in_copyslices():
    x = tg.ones(3, requires_grad=True)
    y = x * 1
    y[:2].mul_(2)
    nexts = [(None if f is None else f.name()) for f, _ in y.grad_fn.next_functions]
    assert y.grad_fn.name() == "torch::autograd::CopySlices"
    assert nexts == ["MulBackward0", None]


def test_flip_returns_a_copy():
    x = tg.arange(3.0)
    y = x.flip(0)
    y.add_(100)
    assert x.tolist() == [0.0, 1.0, 2.0]
    assert not np.shares_memory(x._data, y._data)


def test_reshape_of_a_non_contiguous_tensor_is_a_copy_that_may_be_written():
    x = tg.ones(2, 3, requires_grad=True)
    y = (x * 1).t().reshape(-1)
    assert not y._is_view()
    y.add_(1)  # not a view: no error, no CopySlices
    assert y.grad_fn.name() == "AddBackward0"
    (y * tg.arange(6.0)).sum().backward()
    assert x.grad.tolist() == [[0.0, 2.0, 4.0], [1.0, 3.0, 5.0]]


def test_flatten_of_a_non_contiguous_tensor_is_a_copy():
    x = tg.arange(6.0).reshape(2, 3).t()
    y = x.flatten()
    y[0] = 100.0
    assert x[0, 0].item() == 0.0


def test_view_made_under_no_grad_may_not_be_written_with_grad_on():
    y = tg.ones(3, requires_grad=True) * 1
    with tg.no_grad():
        v = y[:2]
    with pytest.raises(RuntimeError, match="A view was created in no_grad mode and is being "
                                           "modified inplace with grad mode enabled"):
        v.mul_(2)
    with tg.no_grad():
        v.mul_(2)  # both under no_grad: fine
    assert y.tolist() == [2.0, 2.0, 1.0]


def test_view_made_under_no_grad_of_a_base_written_since_raises_on_use():
    y = tg.ones(3, requires_grad=True) * 1
    with tg.no_grad():
        v = y[:2]
    y.add_(1)
    with pytest.raises(RuntimeError, match="its base or another view of its base has been "
                                           "modified inplace"):
        _ = v.grad_fn


def test_split_outputs_may_not_be_written_in_place():
    y = tg.ones(4, requires_grad=True) * 1
    a, b = y.split(2)
    with pytest.raises(RuntimeError, match="Output 1 of Split is a view and is being "
                                           "modified inplace"):
        b.add_(1)
    first, *_ = y.unbind()
    with pytest.raises(RuntimeError, match="Output 0 of Unbind is a view"):
        first.mul_(2)
    c, d, e, f = y
    with pytest.raises(RuntimeError, match="Output 2 of Unbind is a view"):
        e.mul_(2)
    with tg.no_grad():
        a.add_(1)  # unrecorded: fine
    assert y.tolist() == [2.0, 2.0, 1.0, 1.0]


def test_view_of_a_leaf_may_not_be_written_with_grad_on():
    x = tg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        x[:2].mul_(2)


def test_second_backward_through_copyslices_raises():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    y = tg.ones(3, requires_grad=True) * 1
    y[:2].mul_(w)  # MulBackward0 saved the old values and w
    y.sum().backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.sum().backward()


def test_saved_view_values_raise_after_a_write_into_the_base():
    x = tg.ones(3, requires_grad=True)
    y = x * 1
    z = y[:2].exp()  # saves its output
    y.mul_(2)
    z.sum().backward()  # exp saved its own output, not y: fine, as in PyTorch
    w = y[:2] * tg.ones(2, requires_grad=True)  # saves the view
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        w.sum().backward()


def test_double_backward_through_a_write_into_a_view():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    y[1:].mul_(y[1:].detach() * 0 + x[1:])  # y = [x0, x1^2, x2^2]
    (g,) = tg.autograd.grad(y.sum(), x, create_graph=True)
    assert g.tolist() == [1.0, 4.0, 6.0]
    (gg,) = tg.autograd.grad(g.sum(), x)
    assert gg.tolist() == [0.0, 2.0, 2.0]


def test_expand_adding_only_size_one_dims_may_be_written():
    g = tg.ones(()).expand(1)
    g.mul_(3)
    assert g.tolist() == [3.0]
    with pytest.raises(RuntimeError, match="single memory location"):
        tg.ones(1).expand(3).mul_(2)


def test_setitem_refuses_lists_and_arrays_as_pytorch():
    x = tg.zeros(3)
    for value in ([1.0, 2.0], np.array([1.0, 2.0]), (1, 2)):
        with pytest.raises(TypeError, match="can't assign a"):
            x[:2] = value
    x[:2] = np.float64(2.0)
    x[2] = True
    assert x.tolist() == [2.0, 2.0, 1.0]


# ------------------------------------------------------------------ view or copy, as torch
_VIEW_OPS: dict[str, Any] = {
    "reshape": lambda x: x.reshape(-1),
    "reshape_same": lambda x: x.reshape(x.shape),
    "view": lambda x: x.view(x.shape),
    "flatten": lambda x: x.flatten(),
    "flatten_1": lambda x: x.flatten(1),
    "unflatten": lambda x: x.unflatten(-1, (x.shape[-1], 1)),
    "squeeze": lambda x: x.squeeze(),
    "unsqueeze": lambda x: x.unsqueeze(0),
    "transpose": lambda x: x.transpose(0, 1),
    "t": lambda x: x[0].t(),
    "T": lambda x: x[0].T,
    "mT": lambda x: x.mT,
    "permute": lambda x: x.permute(2, 0, 1),
    "expand": lambda x: x[:1].expand(3, -1, -1),
    "expand_as": lambda x: x[:1].expand_as(x),
    "getitem_int": lambda x: x[1],
    "getitem_slice": lambda x: x[:, 1:],
    "getitem_ellipsis": lambda x: x[..., 0],
    "getitem_none": lambda x: x[None],
    "getitem_list": lambda x: x[[0, 1]],
    "getitem_mask": lambda x: x[x > 0],
    "diagonal": lambda x: x.diagonal(),
    "split": lambda x: x.split(1)[0],
    "chunk": lambda x: x.chunk(2)[0],
    "unbind": lambda x: x.unbind(1)[0],
    "flip": lambda x: x.flip(0),
    "clone": lambda x: x.clone(),
    "contiguous": lambda x: x.contiguous(),
    "detach": lambda x: x.detach(),
    "repeat": lambda x: x.repeat(1, 1, 1),
    "tril": lambda x: x.tril(),
    "cat1": lambda x: tg.cat([x]) if isinstance(x, tg.Tensor) else torch_or_none.cat([x]),
    "view_as": lambda x: x.view_as(x),
    "reshape_as": lambda x: x.reshape_as(x),
    "to_same": lambda x: x.to(x.dtype),
    "float_same": lambda x: x.float(),
    "abs": lambda x: x.abs(),
    "sum_dim": lambda x: x.sum(0),
    "squeeze_dim": lambda x: x.squeeze(0),
    "movedim_like": lambda x: x.swapaxes(0, 2),
}


def _shares(out: Any, x: Any) -> bool:
    if isinstance(out, tg.Tensor):
        return bool(np.shares_memory(out._data, x._data))
    return out.untyped_storage().data_ptr() == x.untyped_storage().data_ptr()


@needs_torch
@pytest.mark.parametrize("layout", ["contiguous", "transposed", "sliced"])
@pytest.mark.parametrize("name", sorted(_VIEW_OPS))
def test_view_or_copy_like_torch(name: str, layout: str):
    values = np.arange(24.0, dtype=np.float32).reshape(2, 3, 4) - 11.5
    mine: list[bool] = []
    for m in (tg, torch_or_none):
        x = m.tensor(values)
        if layout == "transposed":
            x = x.transpose(0, 2).contiguous().transpose(0, 2)  # same shape, strides reversed
        elif layout == "sliced":
            x = m.tensor(np.concatenate([values, values], axis=2))[:, :, ::2]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                out = _VIEW_OPS[name](x)
            except RuntimeError:
                mine.append(None)  # e.g. view() of a non-contiguous tensor: both must raise
                continue
        mine.append(_shares(out, x))
    assert mine[0] == mine[1], f"{name} on a {layout} tensor: shares storage " \
                               f"{mine[0]}, torch {mine[1]}"


# ------------------------------------------------------------------ program fuzzer
_VIEWS = {
    "slice": lambda t: t[1:] if t.ndim else t[None],
    "select": lambda t: t[0] if t.ndim else t[None],
    "narrow_cols": lambda t: t[..., :2] if t.ndim else t,
    "transpose": lambda t: t.transpose(0, -1) if t.ndim >= 2 else t[None],
    "unsqueeze": lambda t: t.unsqueeze(0),
    "reshape": lambda t: t.reshape(-1),
    "diagonal": lambda t: t.diagonal() if t.ndim >= 2 else t[None],
    "expand1": lambda t: t.expand(1, *t.shape),
    "permute": lambda t: t.permute(*reversed(range(t.ndim))),
    "squeeze": lambda t: t.unsqueeze(0).squeeze(0),
    "split0": lambda t: t.split(1)[0] if t.ndim else t[None],
    "unbind0": lambda t: t.unbind(0)[0] if t.ndim else t[None],
    "t": lambda t: t.t() if t.ndim <= 2 else t[0],
    "flatten": lambda t: t.flatten(),
}

_WRITES = ["mul_scalar", "add_w", "mul_w", "copy_w", "fill", "zero", "clamp", "exp",
           "setitem_scalar", "setitem_w", "masked_fill", "div_w", "relu", "sigmoid", "pow",
           "lerp_w", "fill_w", "sub_alpha", "addcmul"]


def _apply_write(m: Any, t: Any, write: str, w: Any) -> None:
    shape = tuple(t.shape)
    wv = w[: int(np.prod(shape))].reshape(shape) if shape else w[0]
    if write == "mul_scalar":
        t.mul_(1.5)
    elif write == "add_w":
        t.add_(wv)
    elif write == "mul_w":
        t.mul_(wv)
    elif write == "div_w":
        t.div_(wv + 3)
    elif write == "copy_w":
        t.copy_(wv)
    elif write == "fill":
        t.fill_(0.25)
    elif write == "zero":
        t.zero_()
    elif write == "clamp":
        t.clamp_(-1.0, 0.5)
    elif write == "exp":
        t.exp_()
    elif write == "relu":
        t.relu_()
    elif write == "sigmoid":
        t.sigmoid_()
    elif write == "pow":
        t.pow_(2)
    elif write == "lerp_w":
        t.lerp_(wv, 0.25)
    elif write == "fill_w":
        t.fill_(w[1])
    elif write == "sub_alpha":
        t.sub_(wv, alpha=2)
    elif write == "addcmul":
        t += wv * wv
    elif write == "masked_fill":
        t.masked_fill_(t > 0, 2.0)
    elif write == "setitem_scalar":
        if shape:
            t[0] = 7.0
        else:
            t[...] = 7.0
    elif write == "setitem_w":
        if shape:
            t[0] = wv[0]
        else:
            t[...] = wv


def _run_program(m: Any, program: list[Any], seed: int) -> Any:
    rng = np.random.default_rng(seed)
    xv = rng.standard_normal((2, 3)).round(2)
    wv = rng.standard_normal(6).round(2)
    x = m.tensor(xv, requires_grad=True)
    w = m.tensor(wv, requires_grad=True)
    base = x * 1 if program[0] == "graph" else m.zeros(2, 3)
    tensors = [base]
    events: list[Any] = []
    for step in program[1:]:
        kind, which, what = step
        t = tensors[which % len(tensors)]
        try:
            if kind == "view":
                tensors.append(_VIEWS[what](t))
                events.append("view")
            elif kind == "nograd_view":
                with m.no_grad():
                    tensors.append(_VIEWS[what](t))
                events.append("view")
            elif kind == "write":
                _apply_write(m, t, what, w)
                events.append("write")
            else:  # read: a value computed from t now (uses its history as it is now)
                tensors.append(t * 2)
                events.append("read")
        except RuntimeError as e:
            events.append(("error", type(e).__name__, _first_words(e)))
            break
        except (IndexError, TypeError) as e:  # (the messages differ in wording)
            events.append(("error", type(e).__name__))
            break
    loss = 0
    for k, t in enumerate(tensors):
        try:
            loss = loss + (t * (k + 1)).sum()
        except RuntimeError as e:
            events.append(("error-in-loss", _first_words(e)))
            return events, None, None, None
    values = [t.detach().numpy().copy() for t in tensors]
    grads = None
    if getattr(loss, "requires_grad", False):
        try:
            loss.backward()
            grads = (None if x.grad is None else x.grad.numpy().copy(),
                     None if w.grad is None else w.grad.numpy().copy())
        except RuntimeError as e:
            events.append(("error-in-backward", _first_words(e)))
    names = [None if t.grad_fn is None else t.grad_fn.name() for t in tensors]
    return events, values, grads, names


_STEP = st.tuples(st.sampled_from(["view", "view", "write", "write", "read", "nograd_view"]),
                  st.integers(0, 8), st.sampled_from(sorted(_VIEWS) + _WRITES))


@needs_torch
@settings(max_examples=int(__import__("os").environ.get("VIEWS_FUZZ_EXAMPLES", "60")))
@given(st.sampled_from(["graph", "buffer"]), st.lists(_STEP, min_size=1, max_size=7),
       st.integers(0, 2**16))
def test_fuzz_views_and_writes_like_torch(start: str, steps: list[Any], seed: int):
    program: list[Any] = [start]
    for kind, which, what in steps:
        if kind in ("view", "nograd_view") and what not in _VIEWS:
            what = sorted(_VIEWS)[which % len(_VIEWS)]
        if kind == "write" and what not in _WRITES:
            what = _WRITES[which % len(_WRITES)]
        program.append((kind, which, what))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mine = _run_program(tg, program, seed)
        theirs = _run_program(torch_or_none, program, seed)
    assert mine[0] == theirs[0], (program, mine[0], theirs[0])
    if theirs[1] is None:
        return
    for a, b in zip(mine[1], theirs[1]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6, err_msg=str(program))
    assert (mine[2] is None) == (theirs[2] is None), program
    if theirs[2] is not None:
        for a, b in zip(mine[2], theirs[2]):
            assert (a is None) == (b is None), program
            if a is not None:
                np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6, err_msg=str(program))
    assert mine[3] == theirs[3], program


_OVERLAPS = {
    "setitem": lambda m, x: x.__setitem__(slice(0, 2), x[1:3]),
    "copy_": lambda m, x: x[0:2].copy_(x[1:3]),
    "add_ shifted": lambda m, x: x[1:].add_(x[:-1]),
    "add_ itself": lambda m, x: x.add_(x),
    "mul_ itself, a view": lambda m, x: x[:3].mul_(x[:3]),
    "index_put": lambda m, x: x.__setitem__([0, 1], x[1:3]),
    "matrix += its transpose": lambda m, x: x[:4].view(2, 2).add_(x[:4].view(2, 2).t()),
    "disjoint halves": lambda m, x: x[:3].sub_(x[3:]),
}


@needs_torch
@pytest.mark.parametrize("grad", [False, True])
@pytest.mark.parametrize("name", sorted(_OVERLAPS))
def test_in_place_with_an_operand_overlapping_the_output_like_torch(name: str, grad: bool):
    results = []
    for m in (tg, torch_or_none):
        leaf = m.arange(6.0, requires_grad=grad)
        x = leaf * 1 if grad else leaf
        try:
            _OVERLAPS[name](m, x)
            results.append(("ok", x.tolist()))
        except RuntimeError as e:
            results.append(("raised", _first_words(e)))
    assert results[0] == results[1]


def test_write_into_a_view_of_a_base_with_any_memory_layout():
    # the positions of a view in its base come from memory addresses: a Fortran-ordered
    # base (from numpy) takes the general path
    from tinygrad_edu.ops.views import positions

    base = np.asfortranarray(np.arange(12.0).reshape(3, 4))
    assert positions(base, base[1:, 2]).tolist() == [6, 10]
    assert positions(base, base.T[::2]).tolist() == [[0, 4, 8], [2, 6, 10]]
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    buf = tg.from_numpy(np.asfortranarray(np.zeros((3, 4))))
    buf[1:, 2].copy_(w * 10)
    (buf * tg.arange(12.0, dtype=tg.float64).reshape(3, 4)).sum().backward()
    assert buf[1:, 2].tolist() == [10.0, 20.0] and w.grad.tolist() == [60.0, 100.0]
