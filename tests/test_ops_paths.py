"""Every op behaves the same whichever way it is recorded.

Built-in ops of one or two arguments take a fast dispatch; the others, and learners'
Functions, the general one. Tools that watch ops (``detect_anomaly``) must see every op,
driven here by the whole op table of ``test_ops.py``.
"""

from __future__ import annotations

import warnings
from typing import Any

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
