"""``nn.Module`` and the containers: registration by attribute assignment, traversal,
state_dict keys and loading, modes, printing — each compared with PyTorch where it can be.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from typing import Any

import numpy as np
import pytest
from test_nn_layers import needs_torch, torch

import tinygrad_edu as tg
from tinygrad_edu import nn


def issue_model(lib: Any) -> Any:
    """The model of issue 3, written once for both libraries."""

    class ClassificationModel(lib.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            n = lib.nn
            self.model = n.Sequential(
                n.Linear(in_features=1, out_features=512),
                n.ReLU(),
                n.Linear(in_features=512, out_features=256),
                n.ReLU6(),
                n.Linear(in_features=256, out_features=512),
                n.ReLU(),
                n.Linear(in_features=512, out_features=1),
            )

        def forward(self, X: Any) -> Any:
            return self.model(X)

    return ClassificationModel()


def everything_model(lib: Any) -> Any:
    n = lib.nn

    class Net(n.Module):
        def __init__(self) -> None:
            super().__init__()
            self.features = n.Sequential(
                n.Flatten(),
                n.Linear(4, 8),
                n.LeakyReLU(0.2),
                n.Dropout(0.1),
                n.GELU(),
                n.Identity(),
            )
            self.heads = n.ModuleList([n.Linear(8, 2), n.Linear(8, 2), n.Linear(8, 3), n.Tanh()])
            self.blocks = n.ModuleDict({"a": n.Sigmoid(), "b": n.Softmax(dim=1)})
            self.loss = n.CrossEntropyLoss(label_smoothing=0.1)
            self.scale = n.Parameter(lib.ones(1))
            self.register_buffer("running", lib.zeros(3))
            self.register_buffer("scratch", lib.zeros(2), persistent=False)

    return Net()


# ------------------------------------------------------------------------ printing


@needs_torch
@pytest.mark.parametrize("build", [issue_model, everything_model])
def test_repr_reads_like_torch(build: Any) -> None:
    assert repr(build(tg)) == repr(build(torch))


@needs_torch
def test_nested_repr_and_empty_containers_like_torch() -> None:
    def build(lib: Any) -> Any:
        n = lib.nn
        return n.Sequential(
            n.Sequential(n.Linear(1, 2), n.ReLU(inplace=True)),
            n.Sequential(),
            n.ModuleList(),
            n.MSELoss(),
            n.Hardtanh(0.0, 2.0),
            n.BCEWithLogitsLoss(pos_weight=lib.ones(2)),
        )

    assert repr(build(tg)) == repr(build(torch))


def test_parameter_repr() -> None:
    p = nn.Parameter(tg.tensor([1.0, 2.0]))
    assert repr(p) == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    assert (
        repr(nn.Parameter(tg.ones(1), requires_grad=False)) == "Parameter containing:\ntensor([1.])"
    )


# --------------------------------------------------------------------- registration


@needs_torch
@pytest.mark.parametrize("build", [issue_model, everything_model])
def test_names_and_state_dict_keys_match_torch(build: Any) -> None:
    ours, theirs = build(tg), build(torch)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [tuple(p.shape) for p in ours.parameters()] == [
        tuple(p.shape) for p in theirs.parameters()
    ]


def test_parameter_shares_storage_and_is_a_leaf() -> None:
    data = tg.zeros(3)
    p = nn.Parameter(data)
    assert isinstance(p, tg.Tensor) and p.requires_grad and p.is_leaf
    data[0] = 5.0
    assert p[0].item() == 5.0
    with pytest.raises(RuntimeError, match="floating point"):
        nn.Parameter(tg.tensor([1, 2]))


def test_assignment_registers_and_reassignment_moves() -> None:
    m = nn.Module()
    m.w = nn.Parameter(tg.ones(2))
    m.sub = nn.Linear(2, 2)
    m.plain = 3
    assert list(m._parameters) == ["w"] and list(m._modules) == ["sub"]
    assert "plain" in m.__dict__
    m.w = None
    assert m.w is None and "w" in m._parameters
    assert [n for n, _ in m.named_parameters()] == ["sub.weight", "sub.bias"]
    del m.sub
    assert not hasattr(m, "sub")


def test_registration_errors_match_torch() -> None:
    class NoInit(nn.Module):
        def __init__(self) -> None:
            self.w = nn.Parameter(tg.ones(1))

    class NoInitModule(nn.Module):
        def __init__(self) -> None:
            self.l = nn.Linear(1, 1)

    with pytest.raises(
        AttributeError,
        match=r"cannot assign parameters before "
        r"Module.__init__\(\) call",
    ):
        NoInit()
    with pytest.raises(
        AttributeError,
        match=r"cannot assign module before "
        r"Module.__init__\(\) call",
    ):
        NoInitModule()
    layer = nn.Linear(2, 3)
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'foo'"):
        _ = layer.foo
    with pytest.raises(
        TypeError,
        match=r"cannot assign 'torch.FloatTensor' as parameter "
        r"'weight' \(tinygrad_edu.nn.Parameter or None",
    ):
        layer.weight = tg.ones(3, 2)
    with pytest.raises(KeyError, match="attribute 'forward' already exists"):
        layer.register_buffer("forward", tg.ones(1))
    with pytest.raises(KeyError, match=r'contain "\."'):
        layer.register_buffer("a.b", tg.ones(1))
    with pytest.raises(TypeError, match="cannot assign 'int' object to buffer 'b'"):
        layer.register_buffer("b", 3)
    with pytest.raises(ValueError, match="Cannot assign non-leaf Tensor to parameter 'p'"):
        p = nn.Parameter(tg.ones(1))
        p._grad_fn = (p * 2).grad_fn
        layer.register_parameter("p", p)
    with pytest.raises(TypeError, match="is not a Module subclass"):
        layer.add_module("x", 3)
    with pytest.raises(NotImplementedError, match='missing the required "forward" function'):
        nn.Module()(tg.ones(1))
    with pytest.raises(TypeError, match="unexpected keyword argument 'foo'"):
        nn.Module(foo=1)


def test_shared_parameters_are_listed_once() -> None:
    a = nn.Linear(2, 2)
    m = nn.Sequential(a, nn.ReLU(), a)
    assert len(list(m.parameters())) == 2
    assert len(list(m.named_parameters(remove_duplicate=False))) == 4
    assert len(list(m.modules())) == 3


# ------------------------------------------------------------------------- containers


def test_sequential_indexing_len_iteration_slicing() -> None:
    layers = [nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 3)]
    seq = nn.Sequential(*layers)
    assert len(seq) == 3 and list(seq) == layers
    assert seq[0] is layers[0] and seq[-1] is layers[2]
    sliced = seq[1:]
    assert isinstance(sliced, nn.Sequential) and list(sliced) == layers[1:]
    assert list(sliced._modules) == ["1", "2"]
    with pytest.raises(IndexError, match="index 3 is out of range"):
        seq[3]
    seq.append(nn.Tanh())
    assert len(seq) == 4 and isinstance(seq[3], nn.Tanh)
    del seq[1]
    assert list(seq._modules) == ["0", "1", "2"]
    named = nn.Sequential(OrderedDict([("fc", nn.Linear(1, 1)), ("act", nn.ReLU())]))
    assert list(named.state_dict()) == ["fc.weight", "fc.bias"]
    assert named.fc is named[0]
    assert seq(tg.ones(4, 1)).shape == (4, 3)


def test_module_list_and_dict() -> None:
    ml = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    assert len(ml) == 3 and len(list(ml.parameters())) == 6
    ml.append(nn.ReLU())
    ml.extend([nn.Tanh()])
    assert len(ml) == 5 and isinstance(ml[-1], nn.Tanh)
    assert isinstance(ml[1:3], nn.ModuleList)
    with pytest.raises(NotImplementedError):
        ml(tg.ones(1))
    md = nn.ModuleDict({"a": nn.Linear(2, 1)})
    md["b"] = nn.ReLU()
    assert list(md.keys()) == ["a", "b"] and "a" in md and len(md) == 2
    assert list(md.state_dict()) == ["a.weight", "a.bias"]


# ----------------------------------------------------------------------- state dicts


def test_state_dict_shares_storage_and_is_detached() -> None:
    m = nn.Linear(2, 2)
    sd = m.state_dict()
    assert isinstance(sd, OrderedDict)
    assert not sd["weight"].requires_grad
    sd["weight"][0, 0] = 42.0
    assert m.weight[0, 0].item() == 42.0
    assert m.state_dict(keep_vars=True)["weight"] is m.weight


def test_state_dict_round_trip() -> None:
    tg.manual_seed(0)
    a, b = issue_model(tg), issue_model(tg)
    assert not np.array_equal(
        a.model[0].weight.detach().numpy(), b.model[0].weight.detach().numpy()
    )
    result = b.load_state_dict(a.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert repr(result) == "<All keys matched successfully>"
    for (k, v), (k2, v2) in zip(a.state_dict().items(), b.state_dict().items()):
        assert k == k2 and np.array_equal(v.numpy(), v2.numpy())


def test_load_state_dict_reports_every_problem_and_changes_nothing() -> None:
    m = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    before = {k: v.numpy().copy() for k, v in m.state_dict().items()}
    bad = {
        "0.weight": tg.ones(3, 2),
        "0.bias": tg.ones(4),
        "2.weight": tg.ones(1, 3),
        "extra": tg.ones(1),
        "1.foo": tg.ones(1),
    }
    with pytest.raises(RuntimeError) as info:
        m.load_state_dict(bad)
    message = str(info.value)
    assert message.startswith("Error(s) in loading state_dict for Sequential:\n\t")
    assert 'Missing key(s) in state_dict: "2.bias". ' in message
    assert 'Unexpected key(s) in state_dict: "extra", "1.foo". ' in message
    assert (
        "size mismatch for 0.bias: copying a param with shape tinygrad_edu.Size([4]) from "
        "checkpoint, the shape in current model is tinygrad_edu.Size([3])."
    ) in message
    for k, v in m.state_dict().items():  # nothing was copied, not even the good keys
        assert np.array_equal(v.numpy(), before[k]), k
    with pytest.raises(RuntimeError, match="size mismatch for 0.bias"):
        m.load_state_dict(bad, strict=False)  # shapes are checked even when not strict
    ok = {k: v for k, v in bad.items() if k != "0.bias"}
    result = m.load_state_dict(ok, strict=False)
    assert result.missing_keys == ["0.bias", "2.bias"]
    assert result.unexpected_keys == ["extra", "1.foo"]
    assert (m[0].weight.detach().numpy() == 1).all()
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        m.load_state_dict([1, 2])


@needs_torch
def test_torch_and_tinygrad_state_dicts_are_interchangeable() -> None:
    torch.manual_seed(1)
    theirs = issue_model(torch)
    ours = issue_model(tg)
    ours.load_state_dict(theirs.state_dict())  # torch tensors are accepted
    x = np.linspace(0, 1, 7, dtype=np.float32)[:, None]
    np.testing.assert_allclose(
        ours(tg.tensor(x)).detach().numpy(),
        theirs(torch.tensor(x)).detach().numpy(),
        rtol=1e-5,
        atol=1e-6,
    )
    back = issue_model(torch)
    back.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})


def test_buffers_in_state_dict_and_non_persistent_ones_not() -> None:
    m = everything_model(tg)
    keys = list(m.state_dict())
    assert "running" in keys and "scratch" not in keys
    m.running = tg.ones(3)  # assigning to a buffer name keeps it a buffer
    assert "running" in m._buffers and m.state_dict()["running"].tolist() == [1.0] * 3
    m.extra = nn.Buffer(tg.ones(1), persistent=False)
    assert "extra" in m._buffers and "extra" not in m.state_dict()


# ------------------------------------------------------------------- modes and misc


def test_train_eval_propagate_and_dropout_follows() -> None:
    m = everything_model(tg)
    assert m.training and all(mod.training for mod in m.modules())
    assert m.eval() is m
    assert not any(mod.training for mod in m.modules())
    m.train()
    assert all(mod.training for mod in m.modules())
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        m.train("yes")


def test_zero_grad_and_requires_grad() -> None:
    m = nn.Linear(3, 1)
    m(tg.ones(2, 3)).sum().backward()
    assert m.weight.grad is not None
    m.zero_grad(set_to_none=False)
    assert (m.weight.grad.numpy() == 0).all()
    m.zero_grad()
    assert m.weight.grad is None
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())


def test_apply_reinitialises_and_to_casts() -> None:
    m = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))

    def init(mod: nn.Module) -> None:
        if isinstance(mod, nn.Linear):
            nn.init.ones_(mod.weight)

    visited: list[str] = []
    m.apply(lambda mod: visited.append(type(mod).__name__))
    assert visited == ["Linear", "ReLU", "Linear", "Sequential"]
    m.apply(init)
    assert (m[2].weight.detach().numpy() == 1).all()
    weight = m[0].weight
    m.to(tg.float64)
    assert m[0].weight is weight and weight.dtype == tg.float64
    assert m(tg.ones(1, 2, dtype=tg.float64)).dtype == tg.float64
    m.float()
    assert weight.dtype == tg.float32
    assert m.to("cpu") is m
    with pytest.raises(AssertionError, match="CPU only"):  # (as torch built without CUDA)
        m.to("cuda")


def test_forward_hooks() -> None:
    m = nn.Linear(2, 2)
    seen: list[Any] = []
    handle = m.register_forward_hook(lambda mod, args, out: seen.append(out.shape))
    pre = m.register_forward_pre_hook(lambda mod, args: (args[0] * 0,))
    out = m(tg.ones(3, 2))
    assert seen == [(3, 2)]
    np.testing.assert_allclose(
        out.detach().numpy(), np.broadcast_to(m.bias.detach().numpy(), (3, 2))
    )
    handle.remove()
    pre.remove()
    m(tg.ones(1, 2))
    assert len(seen) == 1


def test_deepcopy_keeps_parameters_and_independence() -> None:
    m = issue_model(tg)
    c = copy.deepcopy(m)
    assert isinstance(c.model[0].weight, nn.Parameter)
    c.model[0].weight.data.fill_(0.0)
    assert not (m.model[0].weight.detach().numpy() == 0).all()


def test_get_submodule_and_parameter() -> None:
    m = issue_model(tg)
    assert m.get_submodule("model.2") is m.model[2]
    assert m.get_parameter("model.2.bias") is m.model[2].bias
    with pytest.raises(AttributeError):
        m.get_submodule("model.9")


def test_tensors_are_collected_after_a_training_step() -> None:
    import gc
    import weakref

    m = nn.Linear(3, 2)
    x = tg.ones(4, 3)
    out = m(x)
    ref = weakref.ref(out)
    out.sum().backward()
    del out
    gc.collect()
    assert ref() is None


# ------------------------------------------------------------------------ more of Module's API


def _two_input_model(lib: Any) -> Any:
    class Mix(lib.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lin = lib.nn.Linear(3, 2)

        def forward(self, x: Any, scale: float, y: Any) -> Any:
            h = self.lin(x) * scale
            return h + y, h.tanh()

    lib.manual_seed(0)
    return Mix()


def _run_backward_hooks(lib: Any, inputs_require_grad: bool) -> list[Any]:
    """A record of every backward (pre-)hook call, for one library."""
    seen: list[Any] = []
    model = _two_input_model(lib)
    as_np = lambda gs: [None if g is None else g.detach().numpy().copy() for g in gs]  # noqa: E731

    def pre(module: Any, grad_output: Any) -> Any:
        seen.append(("pre", as_np(grad_output)))
        return (grad_output[0] * 2, grad_output[1])

    def post(module: Any, grad_input: Any, grad_output: Any) -> Any:
        seen.append(("post", as_np(grad_input), as_np(grad_output)))
        if grad_input[0] is None:
            return None
        return (grad_input[0] + 1, None, grad_input[2])

    model.register_full_backward_pre_hook(pre)
    model.register_full_backward_hook(post)
    x = lib.tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]], requires_grad=inputs_require_grad)
    y = lib.tensor([[0.1, 0.2], [0.3, 0.4]], requires_grad=inputs_require_grad)
    a, b = model(x, 3.0, y)
    seen.append(("grad_fn", type(a.grad_fn).__name__))
    (a * lib.tensor([1.0, 2.0]) + b).sum().backward()
    seen.append(("grads", as_np([x.grad, y.grad, model.lin.weight.grad])))
    return seen


@needs_torch
@pytest.mark.parametrize("inputs_require_grad", [True, False])
def test_full_backward_hooks_as_torch(inputs_require_grad: bool) -> None:
    import warnings

    with warnings.catch_warnings(record=True) as ours:
        warnings.simplefilter("always")
        got = _run_backward_hooks(tg, inputs_require_grad)
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter("always")
        want = _run_backward_hooks(torch, inputs_require_grad)
    assert [str(w.message) for w in ours] == [str(w.message) for w in theirs]
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g[0] == w[0]
        if g[0] == "grad_fn":
            assert g == w
            continue
        for gs, ws in zip(g[1:], w[1:]):
            assert len(gs) == len(ws)
            for a, b in zip(gs, ws):
                assert (a is None) == (b is None)
                if a is not None:
                    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_backward_hook_wrong_count_and_removal() -> None:
    model = nn.Linear(2, 2)
    handle = model.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
    x = tg.ones(1, 2, requires_grad=True)
    with pytest.raises(RuntimeError, match="got 2, but expected 1"):
        model(x).sum().backward()
    handle.remove()
    model(x).sum().backward()  # no hook left: no error


def _state_hook_trace(lib: Any) -> list[Any]:
    trace: list[Any] = []

    class Counter(lib.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lin = lib.nn.Linear(2, 1)
            self.count = 0

        def get_extra_state(self) -> Any:
            return {"count": self.count}

        def set_extra_state(self, state: Any) -> None:
            self.count = state["count"]

    lib.manual_seed(0)
    model = lib.nn.Sequential(Counter(), lib.nn.ReLU())
    model.register_state_dict_pre_hook(lambda m, prefix, keep: trace.append(("pre", prefix)))
    model[0].register_state_dict_post_hook(
        lambda m, sd, prefix, meta: trace.append(("post", prefix, sorted(sd))))
    model[0].register_load_state_dict_pre_hook(
        lambda m, sd, prefix, meta, strict, missing, unexpected, errors:
        trace.append(("load_pre", prefix, strict)))

    def post(module: Any, keys: Any) -> None:
        trace.append(("load_post", list(keys.missing_keys), list(keys.unexpected_keys)))
        keys.unexpected_keys.clear()

    model.register_load_state_dict_post_hook(post)
    model[0].count = 7
    state = model.state_dict()
    trace.append(sorted(state))
    model[0].count = 0
    state["extra"] = lib.zeros(1)
    trace.append(repr(model.load_state_dict(state)))
    trace.append(model[0].count)
    return trace


@needs_torch
def test_state_dict_hooks_and_extra_state_as_torch() -> None:
    assert _state_hook_trace(tg) == _state_hook_trace(torch)


@needs_torch
def test_get_buffer_set_submodule_errors_as_torch() -> None:
    def run(lib: Any) -> list[str]:
        out = []
        model = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.BatchNorm1d(2))
        out.append(str(list(model.get_buffer("1.running_mean").shape)))
        calls = [lambda: model.get_buffer("0.weight"), lambda: model.get_buffer("1.nothing"),
                 lambda: model.set_submodule("", lib.nn.ReLU()),
                 lambda: model.set_submodule("0", 3),
                 lambda: model.set_submodule("0.weight", lib.nn.ReLU()),
                 lambda: model.set_submodule("5", lib.nn.ReLU(), strict=True)]
        for call in calls:
            with pytest.raises(Exception) as info:
                call()
            out.append(f"{type(info.value).__name__}: {info.value}")
        model.set_submodule("0", lib.nn.Tanh())
        model.set_submodule("1.extra", lib.nn.ReLU())
        out.append(repr(model).replace("tinygrad_edu", "torch"))
        return out

    assert run(tg) == run(torch)


@needs_torch
def test_casts_and_no_ops_as_torch() -> None:
    def run(lib: Any) -> list[str]:
        model = lib.nn.BatchNorm1d(2)
        out = [str(model.bfloat16().weight.dtype)]
        out.append(str(model.type(lib.float64).running_mean.dtype))
        out.append(str(model.num_batches_tracked.dtype))  # type() casts integer buffers too
        assert model.share_memory() is model
        assert model.to_empty(device="cpu") is model
        assert model.compile() is None
        out.append(str(lib.nn.Module.call_super_init))
        return [s.replace("tinygrad_edu", "torch") for s in out]

    assert run(tg) == run(torch)


@needs_torch
def test_sequential_arithmetic_as_torch() -> None:
    def run(lib: Any) -> list[str]:
        n = lib.nn
        seq = n.Sequential(n.ReLU(), n.Tanh())
        out = [repr(seq + n.Sequential(n.Sigmoid())), repr(seq * 2), repr(2 * seq)]
        seq += n.Sequential(n.Sigmoid())
        seq *= 2
        out.append(repr(seq))
        out.append(repr(seq.pop(slice(1, 3))))
        out.append(repr(seq))
        for bad in (lambda: seq + n.ReLU(), lambda: seq * 1.5, lambda: seq * 0):
            with pytest.raises(Exception) as info:
                bad()
            out.append(f"{type(info.value).__name__}: {info.value}")
        return [s.replace("tinygrad_edu.", "torch.") for s in out]

    assert run(tg) == run(torch)


# Scripts import layers from PyTorch's files (``from torch.nn.modules.loss import _Loss``,
# ``from torch.nn.modules.utils import _pair``): the classes live in the same files here.
@pytest.mark.parametrize("module,names", [
    ("module", ["Module"]), ("linear", ["Linear", "Identity", "Bilinear"]),
    ("conv", ["Conv1d", "Conv2d", "_ConvNd"]), ("loss", ["_Loss", "MSELoss", "CrossEntropyLoss"]),
    ("batchnorm", ["BatchNorm1d", "BatchNorm2d", "_BatchNorm"]),
    ("instancenorm", ["InstanceNorm1d", "InstanceNorm2d"]),
    ("normalization", ["LayerNorm", "GroupNorm"]), ("activation", ["ReLU", "GELU", "Softmax"]),
    ("container", ["Sequential", "ModuleList", "ModuleDict"]), ("dropout", ["Dropout"]),
    ("sparse", ["Embedding"]), ("rnn", ["LSTM", "GRU", "RNN"]), ("pooling", ["MaxPool2d"]),
    ("transformer", ["TransformerEncoderLayer"]), ("flatten", ["Flatten"]),
    ("utils", ["_single", "_pair", "_triple", "_quadruple"]),
])
def test_nn_modules_files_import_as_in_torch(module: str, names: list[str]) -> None:
    import importlib

    ours = importlib.import_module(f"tinygrad_edu.nn.modules.{module}")
    for name in names:
        value = getattr(ours, name)
        if not name.startswith("_"):
            assert value is getattr(tg.nn, name) and value.__module__ == ours.__name__
    if torch is not None:
        theirs = importlib.import_module(f"torch.nn.modules.{module}")
        assert all(hasattr(theirs, name) for name in names)
    if module == "utils":
        assert ours._pair(3) == (3, 3) and ours._triple((1, 2, 3)) == (1, 2, 3)
