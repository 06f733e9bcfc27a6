"""Every op behaves the same whichever way it is recorded.

Built-in ops of one or two arguments take a fast dispatch; the others, and learners'
Functions, the general one. Tools that watch ops (``detect_anomaly``) must see every op,
driven here by the whole op table of ``test_ops.py``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_ops import OPS, Op, _call, _leaves, _op_id

import tinygrad_edu as tg


def _nodes(outputs: tuple[Any, ...]) -> list[Any]:
    """Every node of the graphs behind ``outputs``."""
    seen: dict[int, Any] = {}
    stack = [o.grad_fn for o in outputs if getattr(o, "grad_fn", None) is not None]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen[id(node)] = node
        stack.extend(p for p in node.parents if isinstance(p, tg.autograd.Node))
    return list(seen.values())


@pytest.mark.parametrize("op", OPS, ids=_op_id)
@given(data=st.data())
def test_detect_anomaly_records_where_every_op_was_created(op: Op, data: st.DataObject):
    if op.name == "pad_circular":  # (PyTorch's own way: copies into a new tensor's views)
        pytest.skip("a CopySlices of a write into a view records no creation site yet")
    sample = data.draw(op.inputs, label="sample")
    xs = _leaves(sample.arrays)
    with tg.autograd.detect_anomaly(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        outputs = _call(op, tg, xs, sample)  # <- the ops are created here
    nodes = _nodes(outputs)
    for node in nodes:
        frames = getattr(node, "_anomaly_frames", None)
        assert frames, f"{node.name()} of {op.name} has no creation site"
        filename, _, _ = frames[0]
        assert filename.endswith(("test_ops.py", "test_ops_paths.py")), (node.name(), frames)


@pytest.mark.parametrize("expr", ["x / y", "x * y", "x - y", "x + y", "x @ y", "x.sum()",
                                  "x.mean()", "x.T", "x[0]", "x ** 0.5", "-x", "x.exp()",
                                  "2.0 * x", "x.reshape(4)", "x.relu()"])
def test_fast_dispatch_ops_record_their_creation_site(expr: str):
    x = tg.ones(2, 2, requires_grad=True)
    y = tg.ones(2, 2, requires_grad=True)
    with tg.autograd.detect_anomaly():
        out = eval(expr, {"x": x, "y": y})  # <- created here
    frames = [f for f in out.grad_fn._anomaly_frames if f[0] != "<string>"]  # (eval's)
    filename, lineno, _ = frames[0]
    assert filename == __file__
    assert "# <- created here" in open(__file__).read().splitlines()[lineno - 1]


def test_fast_dispatch_backward_nan_names_the_creation_site():
    x = tg.zeros(2, requires_grad=True)
    y = tg.zeros(2, requires_grad=True)
    with tg.autograd.detect_anomaly(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = x / y  # <- 0/0 here
        with pytest.raises(RuntimeError) as info:
            out.sum().backward()
    text = str(info.value)
    assert text.startswith("Function 'DivBackward0' returned nan values")
    assert "created outside detect_anomaly" not in text and "out = x / y" in text


def test_fast_dispatch_forward_nan_warns():
    x = tg.zeros(3, requires_grad=True)
    with tg.autograd.detect_anomaly(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        x / x  # noqa: B018  (0/0 in the fast path)
    assert [str(w.message) for w in caught if "forward output" in str(w.message)] == [
        "Function 'DivBackward0' produced nan values in its forward output."]


# ------------------------------------------------------------ graph structure, as PyTorch's
# Rows whose graphs PyTorch builds from other ops (its einsum and quantile record the
# permutes, views and products they are made of; std_mean/var_mean are one node with two
# outputs there; its tensordot and inner reach a Dot, Mv or Mm node through matmul, by the
# sizes kept): the values and gradients match, the nodes do not. (matmul of batches or of
# a vector by a matrix is made of PyTorch's ops here too: ops/matmul.py _decomposed_matmul.)
KNOWN_STRUCTURE = {name for name in (op.name for op in OPS) if name.startswith("einsum")} | {
    "quantile", "nanquantile", "std_mean", "var_mean", "tensordot", "inner",
    "bilinear", "bilinear_no_bias",  # (torch's: one _trilinear node; ours: matmul, mul, sum)
    "normalize",  # (its clamp_min: ClampMinBackward0 in torch, ClampBackward1 here, unary.py)
    # (negative powers: torch's inverse is column-major, LAPACK's layout, so the reshapes of
    # its matmul are ReshapeAliasBackward0 there; here the inverse is row-major: ViewBackward0)
    "linalg_matrix_power",
    "sgn"}  # (its row runs torch's sign: torch's sgn gradient is an unreadable ZeroTensor;
#           the graph is compared in test_tensor_surface.py)


def _tree(node: Any, depth: int) -> Any:
    """A node's name and, ``depth`` levels down, what its next_functions lead to."""
    if node is None:
        return None
    name = node.name().replace("torch::autograd::", "")
    if depth == 0:
        return name
    return name, tuple((_tree(n, depth - 1), k) for n, k in node.next_functions)


@pytest.mark.parametrize("op", [o for o in OPS if o.name not in KNOWN_STRUCTURE], ids=_op_id)
@given(data=st.data())
def test_next_functions_like_torch(op: Op, data: st.DataObject):
    torch = pytest.importorskip("torch")
    sample = data.draw(op.inputs, label="sample")
    trees = []
    for lib in (tg, torch):
        xs = [lib.tensor(np.array(a), requires_grad=True) for a in sample.arrays]
        outputs = _call(op, lib, xs, sample)
        trees.append([_tree(o.grad_fn, 2) for o in outputs
                      if getattr(o, "grad_fn", None) is not None])
    assert trees[0] == trees[1]


_MODELS = {
    "2 * x": lambda L, x, w, b: 2 * x.sin(),
    "2 - x": lambda L, x, w, b: 2 - x.sin(),
    "2 / x": lambda L, x, w, b: 2 / x.sin(),
    "2 + x": lambda L, x, w, b: 2 + x,
    "x ** 2": lambda L, x, w, b: x.sin() ** 2,
    "2 ** x": lambda L, x, w, b: 2 ** x,
    "add alpha": lambda L, x, w, b: x.add(x.sin(), alpha=2),
    "linear 1-d": lambda L, x, w, b: L.nn.functional.linear(x[0], w, b),
    "linear 2-d": lambda L, x, w, b: L.nn.functional.linear(x, w, b),
    "linear 3-d": lambda L, x, w, b: L.nn.functional.linear(x.expand(2, 4, 3) * 1, w, b),
    "linear no bias": lambda L, x, w, b: L.nn.functional.linear(x, w),
    "mlp + cross_entropy": lambda L, x, w, b: L.nn.functional.cross_entropy(
        L.nn.functional.linear(L.relu(L.nn.functional.linear(x, w, b)), w[:, :2].T * 1),
        L.tensor([0, 1, 1, 0])),
    "mse": lambda L, x, w, b: L.nn.functional.mse_loss(x.sin(), x.cos()),
    "setitem": lambda L, x, w, b: _setitem(L, x),
    "copy_ into a view": lambda L, x, w, b: _copy_into_view(L, x),
}


def _setitem(L: Any, x: Any) -> Any:
    y = x * 1
    y[0] = x[1] * 2
    y[:, 1] = 5.0
    return y


def _copy_into_view(L: Any, x: Any) -> Any:
    buf = L.zeros(4, 3)
    buf[1:3].copy_(x[:2])
    return buf


@pytest.mark.parametrize("name", sorted(_MODELS))
def test_model_graphs_like_torch(name: str):
    torch = pytest.importorskip("torch")
    trees = []
    for lib in (tg, torch):
        x = lib.tensor(np.arange(12.0).reshape(4, 3) / 10, requires_grad=True)
        w = lib.tensor(np.arange(6.0).reshape(2, 3) / 10 - 0.2, requires_grad=True)
        b = lib.tensor(np.array([0.1, -0.1]), requires_grad=True)
        trees.append(_tree(_MODELS[name](lib, x, w, b).grad_fn, 4))
    assert trees[0] == trees[1]
