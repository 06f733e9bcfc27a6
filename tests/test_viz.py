"""tg.viz: the drawn graph's structure (nodes, labels, edges), rendering, the missing-dot
message, the backward trace and the gradient-health table."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
import weakref

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import viz

pytest.importorskip("graphviz")
HAS_DOT = shutil.which("dot") is not None


# ----------------------------------------------------------------------------- helpers
def parse(dot) -> tuple[dict[str, dict[str, str]], list[tuple[str, str, dict[str, str]]]]:
    """(nodes: key -> attrs with a plain-text 'text', edges: (src, dst, attrs)) of a Digraph."""
    nodes, edges = {}, []
    for line in dot.body:
        line = line.strip()
        m = re.match(r"^(\w+) -> (\w+)(?: \[(.*)\])?$", line)
        if m:
            edges.append((m[1], m[2], _attrs(m[3] or "")))
            continue
        m = re.match(r"^(\w+) \[(.*)\]$", line)
        if m:
            attrs = _attrs(m[2])
            attrs["text"] = _plain(attrs.get("label", ""))
            nodes[m[1]] = attrs
    return nodes, edges


def _attrs(text: str) -> dict[str, str]:
    label = re.search(r"label=<(.*)>(?= \w+=|$)", text)
    rest = text.replace(label[0], "") if label else text
    attrs = {k: v.strip('"') for k, v in re.findall(r'(\w+)=("[^"]*"|\S+)', rest)}
    if label:
        attrs["label"] = label[1]
    return attrs


def _plain(label: str) -> str:
    return html.unescape(re.sub(r"<BR/>", " | ", re.sub(r"<(?!BR/)[^>]+>", "", label)))


def key_with(nodes, text: str) -> str:
    found = [k for k, a in nodes.items() if text in a["text"]]
    assert len(found) == 1, f"{text!r} in {[a['text'] for a in nodes.values()]}"
    return found[0]


def ops(nodes) -> list[str]:
    return sorted(a["text"].split(" | ")[0] for k, a in nodes.items() if k.startswith("op"))


def small_graph():
    """loss = ((w * x + b) ** 2).mean(), with x a constant and b broadcast."""
    w = tg.tensor([1.0, -2.0, 3.0], requires_grad=True)
    b = tg.tensor([0.5], requires_grad=True)
    x = tg.tensor([2.0, 1.0, -1.0])
    loss = ((w * x + b) ** 2).mean()
    return w, b, x, loss


def mlp():
    tg.manual_seed(0)
    model = tg.nn.Sequential(tg.nn.Linear(3, 4), tg.nn.ReLU(), tg.nn.Linear(4, 2))
    x, y = tg.randn(5, 3), tg.randint(0, 2, (5,))
    loss = tg.nn.functional.cross_entropy(model(x), y)
    return model, x, y, loss


# ----------------------------------------------------------------------------- laziness
def test_import_does_not_load_graphviz_or_matplotlib():
    code = ("import sys, tinygrad_edu, tinygrad_edu.viz; "
            "print('graphviz' in sys.modules, 'matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.split() == ["False", "False"]


def test_missing_graphviz_package_says_pip_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)
    with pytest.raises(ImportError, match="pip install graphviz"):
        viz.draw_graph(small_graph()[3])


# ----------------------------------------------------------------------------- structure
def test_small_graph_nodes_labels_and_edges():
    w, b, x, loss = small_graph()
    loss.backward()
    nodes, edges = parse(viz.draw_graph(loss, names={"w": w, "b": b, "x": x}))
    assert ops(nodes) == ["AddBackward0", "MeanBackward0", "MulBackward0", "PowBackward0"]
    kw, kb, kx = key_with(nodes, "w |"), key_with(nodes, "b |"), key_with(nodes, "x |")
    assert "(3,) float32" in nodes[kw]["text"] and "[1, -2, 3]" in nodes[kw]["text"]
    assert "grad [" in nodes[kw]["text"] and "grad [" in nodes[kb]["text"]
    assert "grad" not in nodes[kx]["text"]  # a constant gets no gradient
    mul, add = key_with(nodes, "MulBackward0"), key_with(nodes, "AddBackward0")
    pairs = {(s, d) for s, d, _ in edges}
    assert (kw, mul) in pairs and (kx, mul) in pairs and (kb, add) in pairs
    # data flow: Mul -> its output tensor -> Add
    (mul_out,) = [d for s, d in pairs if s == mul]
    assert (mul_out, add) in pairs and "(3,) float32" in nodes[mul_out]["text"]
    out = key_with(nodes, "output")
    assert "scalar float32" in nodes[out]["text"]
    assert "PowBackward0" in nodes[key_with(nodes, "p=2")]["text"]  # the op's scalar args


def test_edges_flow_from_inputs_to_the_output():
    _, _, _, loss = small_graph()
    nodes, edges = parse(viz.draw_graph(loss))
    sinks = set(nodes) - {s for s, _, _ in edges}
    assert sinks == {key_with(nodes, "output")}


def test_styles_for_param_leaf_constant_and_output():
    model, x, y, loss = mlp()
    leaf = tg.tensor(2.0, requires_grad=True)
    loss = loss * leaf
    nodes, edges = parse(viz.draw_graph(loss, params=model, names={"x": x}))
    fill = {k: a.get("fillcolor") for k, a in nodes.items()}
    assert fill[key_with(nodes, "0.weight")] == viz.graph._STYLE["param"]["fillcolor"]
    assert fill[key_with(nodes, "leaf |")] == viz.graph._STYLE["leaf"]["fillcolor"]
    kx = key_with(nodes, "x |")
    assert nodes[kx]["style"] == "filled,dashed" and fill[kx] == viz.graph._STYLE["const"]["fillcolor"]
    assert "int64" in nodes[key_with(nodes, "constant")]["text"]  # the unnamed targets
    assert fill[key_with(nodes, "output")] == viz.graph._STYLE["output"]["fillcolor"]
    const_edges = [a for s, _, a in edges if s == kx]
    assert const_edges and const_edges[0]["style"] == "dashed"


def test_module_parameters_are_named_and_grouped_by_layer():
    model, _, _, loss = mlp()
    dot = viz.draw_graph(loss, params=model)
    nodes, _ = parse(dot)
    for name in ("0.weight", "0.bias", "2.weight", "2.bias"):
        key_with(nodes, name)
    assert ops(nodes) == ["AddmmBackward0", "AddmmBackward0", "LogSoftmaxBackward0",
                          "NllLossBackward0", "ReluBackward0", "TBackward0",
                          "TBackward0"]  # (PyTorch's nodes)
    assert "label=\"0: Linear\"" in dot.source and "label=\"2: Linear\"" in dot.source
    plain = viz.draw_graph(loss, params=dict(model.named_parameters()))
    assert "cluster" not in plain.source and "0.weight" in plain.source


def test_detach_and_data_cuts_are_drawn():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    h = w * 3
    loss = (h * h.detach() + w.data).sum()
    nodes, edges = parse(viz.draw_graph(loss, names={"w": w}))
    cuts = [k for k, a in nodes.items() if "cut by" in a["text"]]
    assert len(cuts) == 2
    texts = " ".join(nodes[k]["text"] for k in cuts)
    assert "cut by detach() of MulBackward0's output" in texts and "cut by .data of w" in texts
    assert all(nodes[k]["color"] == viz.graph._STYLE["cut"]["color"] for k in cuts)
    scissors = [(s, d) for s, d, a in edges if a.get("arrowhead") == "tee"]
    assert len(scissors) == 2 and {d for _, d in scissors} == set(cuts)


def test_nan_inf_and_all_zero_grads_are_highlighted():
    a = tg.tensor([0.0, 1.0], requires_grad=True)
    z = tg.tensor([-1.0, -2.0], requires_grad=True)
    with np.errstate(all="ignore"):
        loss = (a.log() * 0 + z.relu()).sum()  # log(0) = -inf, 0 * -inf = nan; relu(<0) = 0
        loss.backward()
    nodes, _ = parse(viz.draw_graph(loss, names={"a": a, "z": z}))
    ka, kz = key_with(nodes, "a |"), key_with(nodes, "z |")
    assert "NaN" in nodes[ka]["text"] and nodes[ka]["fillcolor"] == viz.graph._BAD["fillcolor"]
    assert "all zero" in nodes[kz]["text"] and nodes[kz]["color"] == viz.graph._ZERO["color"]


def test_highlight_colours_only_the_path_to_the_chosen_tensor():
    u = tg.tensor([1.0], requires_grad=True)
    v = tg.tensor([2.0], requires_grad=True)
    loss = (u.exp() + v.sin()).sum()
    nodes, edges = parse(viz.draw_graph(loss, names={"u": u, "v": v}, highlight=u))
    lit = {k for k, a in nodes.items() if a.get("color") == viz.graph._HIGHLIGHT}
    assert key_with(nodes, "u |") in lit and key_with(nodes, "ExpBackward0") in lit
    assert key_with(nodes, "output") in lit and key_with(nodes, "AddBackward0") in lit
    assert key_with(nodes, "v |") not in lit and key_with(nodes, "SinBackward0") not in lit
    lit_edges = [(s, d) for s, d, a in edges if a.get("color") == viz.graph._HIGHLIGHT]
    assert all(s in lit and d in lit for s, d in lit_edges) and len(lit_edges) == 6  # u > Exp > . > Add > . > Sum > out


def test_highlight_of_a_tensor_outside_the_graph_raises():
    _, _, _, loss = small_graph()
    with pytest.raises(ValueError, match="not in the drawn graph"):
        viz.draw_graph(loss, highlight=tg.tensor([1.0], requires_grad=True))


def test_intermediate_names_and_retained_grads():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    h = w * 2
    h.retain_grad()
    loss = (h * h).sum()
    loss.backward()
    nodes, _ = parse(viz.draw_graph(loss, names={"h": h, "loss": loss}))
    kh = key_with(nodes, "h |")
    assert "[2, 4]" in nodes[kh]["text"] and "grad [4, 8]" in nodes[kh]["text"]
    assert "loss" in nodes[key_with(nodes, "scalar")]["text"]


def test_constants_are_kept_after_backward_but_intermediates_are_freed():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    x = tg.tensor([3.0, 4.0])
    h = w * x
    ref = weakref.ref(h)
    loss = (h * 2).sum()
    del h
    loss.backward()
    assert ref() is None  # backward dropped the graph's hold on the intermediate
    nodes, _ = parse(viz.draw_graph(loss, names={"x": x}))
    assert "[3, 4]" in nodes[key_with(nodes, "x |")]["text"]


def test_leaf_root_is_a_single_node():
    nodes, edges = parse(viz.draw_graph(tg.tensor([1.0], requires_grad=True)))
    assert len(nodes) == 1 and not edges


# ----------------------------------------------------------------------------- large graphs
def test_deep_chain_no_recursion():
    x = tg.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(3000):  # deeper than Python's recursion limit
        y = y + 1
    nodes, _ = parse(viz.draw_graph(y, max_nodes=5000))
    assert len([k for k in nodes if k.startswith("op")]) == 3000
    assert not any(k.startswith("out") for k in nodes if k != f"out{id(y.grad_fn)}")  # compact


def test_node_cap_and_depth_limit_leave_a_note():
    x = tg.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(50):
        y = y * 1.5
    nodes, edges = parse(viz.draw_graph(y, max_nodes=10))
    assert len(ops(nodes)) == 10 and "40 more ops not drawn (max_nodes=10)" in nodes["more"]["text"]
    assert [d for s, d, _ in edges if s == "more"]
    nodes, _ = parse(viz.draw_graph(y, max_depth=3))
    assert len(ops(nodes)) == 4 and "46 more ops not drawn (max_depth=3)" in nodes["more"]["text"]


def test_compact_mode_puts_shapes_on_edges():
    _, _, _, loss = small_graph()
    nodes, edges = parse(viz.draw_graph(loss, compact=True))
    assert [k for k in nodes if k.startswith("out")] == [key_with(nodes, "output")]
    assert any(a.get("label") == "(3,)" for _, _, a in edges)


# ----------------------------------------------------------------------------- rendering
@pytest.mark.skipif(not HAS_DOT, reason="Graphviz's dot program is not installed")
def test_render_svg_and_jupyter_inline(tmp_path):
    model, x, _, loss = mlp()
    loss.backward()
    dot = viz.draw_graph(loss, params=model, legend=True)
    path = dot.render(tmp_path / "mlp", format="svg")
    svg = open(path).read()
    assert path.endswith("mlp.svg") and "<svg" in svg and "AddmmBackward0" in svg
    assert "image/svg+xml" in dot._repr_mimebundle_()
    before_backward = viz.draw_graph(mlp()[3])  # intermediates' values are known: untitled boxes
    assert "<svg" in before_backward.pipe(format="svg", encoding="utf-8")


def test_missing_dot_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` anywhere
    dot = viz.draw_graph(small_graph()[3])
    with pytest.raises(viz.GraphvizNotFoundError) as e:
        dot.render(tmp_path / "g", format="png")
    for hint in ("apt-get install graphviz", "brew install graphviz", "conda install graphviz"):
        assert hint in str(e.value)
    assert "MulBackward0" in dot.source  # the DOT text is still there
    assert "apt-get install graphviz" in dot._repr_mimebundle_()["text/plain"]
    with pytest.raises(RuntimeError):
        dot.pipe(format="svg")


# ----------------------------------------------------------------------------- trace
def test_trace_lists_ops_in_engine_order_with_their_gradients():
    w, b, x, loss = small_graph()
    with viz.trace_backward(params={"w": w, "b": b}) as t:
        loss.backward()
    assert [s.op for s in t.steps] == ["MeanBackward0", "PowBackward0", "AddBackward0",
                                       "MulBackward0"]
    y = w._data * x._data + b._data  # [2.5, -1.5, -2.5]
    dy = 2 * y / 3
    mean, power, add, mul = t.steps
    np.testing.assert_allclose(mean.grad_in, 1.0)
    np.testing.assert_allclose(power.grad_in, np.full(3, 1 / 3), rtol=1e-6)
    np.testing.assert_allclose(add.grad_in, dy, rtol=1e-6)
    to_b = add.inputs[1]
    assert to_b.target == "leaf" and to_b.shape_before == (3,) and to_b.grad.shape == (1,)
    np.testing.assert_allclose(to_b.grad, [dy.sum()], rtol=1e-6)
    assert [i.target for i in mul.inputs] == ["leaf", "constant"]
    np.testing.assert_allclose(mul.inputs[0].grad, dy * x._data, rtol=1e-6)
    text = str(t)
    assert "[3] AddBackward0   output shape (3,)" in text
    assert "input 1 -> leaf b:" in text and "+= into b.grad" in text
    assert "(summed (3,) -> (1,): broadcasting undone)" in text
    assert "input 1: a constant (requires_grad=False), no gradient" in text
    assert "leaves' .grad after backward:" in text


def test_trace_counts_contributions_when_paths_meet():
    x = tg.tensor(2.0, requires_grad=True)
    with viz.trace_backward() as t:
        (x * x + x.exp()).backward()
    text = str(t)
    assert "leaf#1" in text and "(3 contributions)" in text
    assert f"{float(4 + np.exp(2.0)):.4g}" in text


def test_trace_numbers_repeated_ops_and_matches_torch():
    torch = pytest.importorskip("torch")
    w = tg.tensor([0.5, -1.0], requires_grad=True)
    with viz.trace_backward(params={"w": w}, max_values=2) as t:
        ((w * w) * w).sum().backward()
    assert "MulBackward0#1" in str(t) and "MulBackward0#2" in str(t)
    tw = torch.tensor([0.5, -1.0], requires_grad=True)
    ((tw * tw) * tw).sum().backward()
    leaf_total = sum(i.grad for s in t.steps for i in s.inputs if i.target == "leaf")
    np.testing.assert_allclose(leaf_total, tw.grad.numpy(), rtol=1e-6)


def test_trace_restores_the_engine_hook_even_on_error():
    from tinygrad_edu.core import grad_mode

    with pytest.raises(RuntimeError):
        with viz.trace_backward():
            tg.tensor([1.0, 2.0], requires_grad=True).sum().backward()
            raise RuntimeError("boom")
    assert grad_mode._state.tracer is None


def test_nested_traces_both_record():
    x = tg.tensor([1.0], requires_grad=True)
    with viz.trace_backward() as outer:
        with viz.trace_backward() as inner:
            (x * 2).sum().backward()
    assert len(inner.steps) == len(outer.steps) == 2


def test_op_source_names_the_class_and_file_that_ran():
    """From a grad_fn name in a graph to the code: the Function class and its file:line."""
    import inspect

    from tinygrad_edu.ops import arithmetic, matmul

    x = tg.ones(2, 3, requires_grad=True)
    w = tg.ones(4, 3, requires_grad=True)
    b = tg.ones(4, requires_grad=True)
    mul, addmm = (x * x).grad_fn, tg.nn.functional.linear(x, w, b).grad_fn
    line = inspect.getsourcelines(arithmetic.Mul)[1]
    assert viz.op_source(mul) == f"Mul, tinygrad_edu/ops/arithmetic.py:{line}"
    line = inspect.getsourcelines(matmul.Addmm)[1]
    assert viz.op_source(addmm) == f"Addmm, tinygrad_edu/ops/matmul.py:{line}"
    nodes, _ = parse(viz.draw_graph((x * x).sum()))
    tooltip = nodes[key_with(nodes, "MulBackward0")]["tooltip"]
    assert tooltip.startswith("MulBackward0(") and tooltip.endswith(viz.op_source(mul))
    with viz.trace_backward() as t:
        (x * x).sum().backward()
    assert t.steps[1].source == viz.op_source(mul)
    assert f"[2] MulBackward0   output shape (2, 3)   ({viz.op_source(mul)})" in str(t)


def test_trace_with_create_graph():
    x = tg.tensor([3.0], requires_grad=True)
    with viz.trace_backward() as t:
        (g,) = tg.autograd.grad((x**3).sum(), x, create_graph=True)
    np.testing.assert_allclose(t.steps[-1].inputs[0].grad, [27.0])
    assert g.requires_grad


# ----------------------------------------------------------------------------- health
def health_model():
    tg.manual_seed(0)
    model = tg.nn.Sequential(tg.nn.Linear(3, 3), tg.nn.Linear(3, 3), tg.nn.Linear(3, 1))
    model[1].bias.requires_grad_(False)
    return model


def test_grad_health_table_and_statuses():
    model = health_model()
    model(tg.randn(4, 3)).sum().backward()
    model[0].weight.grad = tg.zeros(3, 3)
    model[2].bias.grad = tg.tensor([float("nan")])
    model[2].weight.grad = model[2].weight.grad * 1e6
    model[0].bias.grad = model[0].bias.grad * 1e-12
    report = viz.grad_health(model)
    status = {r.name: r.status for r in report.rows}
    assert status == {"0.weight": "all zero", "0.bias": "vanishing", "1.weight": "ok",
                      "1.bias": "frozen", "2.weight": "exploding", "2.bias": "NaN/Inf"}
    text = str(report)
    assert text.splitlines()[0].split()[:3] == ["parameter", "shape", "grad", ][:3]
    assert "1 of 6 parameters ok" in text
    row = next(r for r in report.rows if r.name == "1.weight")
    assert row.grad_norm == pytest.approx(float(np.linalg.norm(model[1].weight.grad._data)))


def test_grad_health_no_grad_before_backward():
    report = viz.grad_health(dict(health_model().named_parameters()))
    assert {r.status for r in report.rows} == {"no grad", "frozen"}


def test_grad_health_plot():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    model = health_model()
    model(tg.randn(4, 3)).sum().backward()
    ax = viz.grad_health(model).plot()
    assert ax.get_xscale() == "log" and len(ax.patches) == 6
    import matplotlib.pyplot as plt

    plt.close("all")
