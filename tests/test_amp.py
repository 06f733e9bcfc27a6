"""Device idioms and mixed precision against PyTorch on a CPU-only machine:
``tg.set_default_device`` / ``get_default_device``, ``tg.backends.cuda`` flags,
``tg.amp.GradScaler`` / ``tg.cuda.amp.GradScaler`` (disabled on "cuda", real on "cpu"),
``tg.autocast`` (a warning on "cuda"; on "cpu" PyTorch's dtypes op by op for every op of
its lower-precision, float32 and promote lists that tinygrad_edu has, values within
bfloat16's precision, the recorded casts, gradients back to each leaf in its dtype, and
the cache of a weight's cast)."""

from __future__ import annotations

import threading
import warnings

import numpy as np
import pytest

import tinygrad_edu as tg

torch = pytest.importorskip("torch")


def _raised(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001  (the class and message are what is compared)
        return type(e), str(e)
    return None


def _warned(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn()
    return result, [(w.category, str(w.message)) for w in caught]


# ------------------------------------------------------------------ default device

def test_default_device_is_cpu():
    tg.set_default_device("cpu")
    tg.set_default_device(None)
    assert repr(tg.get_default_device()) == repr(torch.get_default_device())
    assert tg.get_default_device() == tg.device("cpu")


@pytest.mark.parametrize("name", ["cuda"])
def test_default_device_unavailable_raises_as_torch(name):
    def torch_use():  # torch may raise when setting it or at the next tensor it makes
        torch.set_default_device(name)
        torch.zeros(1)

    ours, theirs = _raised(lambda: tg.set_default_device(name)), _raised(torch_use)
    torch.set_default_device(None)
    assert ours[0] is theirs[0]
    if name == "cuda":
        assert ours[1].startswith(theirs[1])


# ------------------------------------------------------------------ backends.cuda

def test_backends_cuda_flags_have_torch_defaults():
    ours, theirs = tg.backends.cuda, torch.backends.cuda
    for flag in ("allow_tf32", "allow_fp16_reduced_precision_reduction",
                 "allow_bf16_reduced_precision_reduction"):
        assert getattr(ours.matmul, flag) == getattr(theirs.matmul, flag), flag
    for name in ("is_built", "flash_sdp_enabled", "mem_efficient_sdp_enabled",
                 "math_sdp_enabled", "cudnn_sdp_enabled", "is_flash_attention_available"):
        assert getattr(ours, name)() == getattr(theirs, name)(), name


def test_backends_cuda_flags_are_settable():
    tg.backends.cuda.matmul.allow_tf32 = True
    assert tg.backends.cuda.matmul.allow_tf32 is True
    tg.backends.cuda.matmul.allow_tf32 = False
    tg.backends.cuda.enable_flash_sdp(False)
    assert tg.backends.cuda.flash_sdp_enabled() is False
    tg.backends.cuda.enable_flash_sdp(True)
    assert _raised(lambda: setattr(tg.backends.cuda.matmul, "foo", 1)) == _raised(
        lambda: setattr(torch.backends.cuda.matmul, "foo", 1))
    assert _raised(lambda: tg.backends.cuda.matmul.foo) == _raised(
        lambda: torch.backends.cuda.matmul.foo)


# ------------------------------------------------------------------ GradScaler, disabled

@pytest.mark.parametrize("make", [
    lambda lib: lib.cuda.amp.GradScaler(),
    lambda lib: lib.cuda.amp.GradScaler(enabled=False),
    lambda lib: lib.amp.GradScaler(),
    lambda lib: lib.amp.GradScaler("cuda", enabled=False),
])
def test_cuda_grad_scaler_warns_and_disables_as_torch(make):
    ours, ours_warnings = _warned(lambda: make(tg))
    theirs, their_warnings = _warned(lambda: make(torch))
    assert ours_warnings == their_warnings
    assert ours.is_enabled() is theirs.is_enabled() is False
    assert ours.get_scale() == theirs.get_scale() == 1.0
    assert ours.state_dict() == theirs.state_dict() == {}
    ours.load_state_dict({})
    loss = tg.tensor(2.0, requires_grad=True)
    assert ours.scale(loss) is loss
    p = tg.nn.Parameter(tg.ones(2))
    opt = tg.optim.SGD([p], lr=0.1)
    p.grad = tg.ones(2)
    ours.unscale_(opt)
    assert ours.step(opt) is None
    ours.update()
    np.testing.assert_allclose(p.detach().numpy(), [0.9, 0.9], rtol=1e-6)


# ------------------------------------------------------------------ GradScaler, on the CPU

def _scaled_training(lib, grads, **kw):
    """Scales, unscales and steps with the given raw gradients; the history of everything."""
    p = lib.nn.Parameter(lib.tensor([1.0, -2.0]))
    opt = lib.optim.SGD([p], lr=0.5)
    scaler = lib.amp.GradScaler("cpu", **kw)
    history = []
    for i, g in enumerate(grads):
        opt.zero_grad()
        loss = (p * lib.tensor(g)).sum()
        scaled = scaler.scale(loss)
        history.append(("scaled", scaled.item(), str(scaled.dtype)[-7:]))
        scaled.backward()
        if i % 2:  # every other step unscales by hand first (to clip, say)
            scaler.unscale_(opt)
            history.append(("grad", p.grad.tolist()))
        scaler.step(opt)
        scaler.update()
        history.append(("step", p.tolist(), scaler.get_scale(), scaler.state_dict()))
    return history


def test_cpu_grad_scaler_step_by_step_as_torch():
    grads = [[1.0, 2.0], [0.5, float("inf")], [3.0, -1.0], [1.0, float("nan")],
             [1e-3, 2.0], [1.0, 1.0], [2.0, 0.25]]
    kw = {"init_scale": 2.0**10, "growth_interval": 2, "backoff_factor": 0.25}
    ours, theirs = _scaled_training(tg, grads, **kw), _scaled_training(torch, grads, **kw)
    assert repr(ours) == repr(theirs)  # (repr: nan == nan)
    assert ours[-1][2] != 2.0**10  # the scale moved both ways


def test_cpu_grad_scaler_state_and_errors_as_torch():
    for make in (lambda lib: lib.amp.GradScaler("cpu"),):
        ours, theirs = make(tg), make(torch)
        assert ours.is_enabled() and theirs.is_enabled()
        assert ours.get_scale() == theirs.get_scale()
        assert ours.state_dict() == theirs.state_dict()
        assert _raised(lambda: ours.load_state_dict({})) == _raised(
            lambda: theirs.load_state_dict({}))
        for method in ("update", "unscale_", "step"):
            args = () if method == "update" else (None,)
            assert _raised(lambda: getattr(ours, method)(*args)) == _raised(
                lambda: getattr(theirs, method)(*args))
        assert _raised(lambda: ours.scale(3.0)) == _raised(lambda: theirs.scale(3.0))
        scaled = ours.scale([tg.tensor(3.0), (tg.tensor(1.0),)])
        assert [scaled[0].item(), scaled[1][0].item()] == [196608.0, 65536.0]
    for kw in ({"growth_factor": 0.5}, {"backoff_factor": 1.5}):
        assert _raised(lambda: tg.amp.GradScaler("cpu", **kw)) == _raised(
            lambda: torch.amp.GradScaler("cpu", **kw))


def test_cpu_grad_scaler_state_dict_round_trip():
    source = tg.amp.GradScaler("cpu", init_scale=8.0, growth_interval=7)
    target = tg.amp.GradScaler("cpu")
    target.load_state_dict(source.state_dict())
    assert target.state_dict() == source.state_dict()
    their_target = torch.amp.GradScaler("cpu")
    their_target.load_state_dict(source.state_dict())
    assert their_target.state_dict() == target.state_dict()


# ------------------------------------------------------------------ autocast

def _bf16_close(ours, theirs, what=""):
    """Same dtype, values within bfloat16's precision (8 bits of mantissa)."""
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1], what
    np.testing.assert_allclose(ours.detach().float().numpy(), theirs.detach().float().numpy(),
                               rtol=2e-2, atol=2e-2, err_msg=what)


@pytest.mark.parametrize("make", [
    lambda lib: lib.autocast("cuda"),
    lambda lib: lib.amp.autocast("cuda", dtype=lib.float16),
    lambda lib: lib.cuda.amp.autocast(),
    lambda lib: lib.cpu.amp.autocast(),
    lambda lib: lib.autocast("cpu", dtype=lib.float64),
    lambda lib: lib.autocast("cpu", dtype=lib.float16),
    lambda lib: lib.autocast("cpu", enabled=False),
])
def test_autocast_warnings_and_state_as_torch(make):
    ours, ours_warnings = _warned(lambda: make(tg))
    theirs, their_warnings = _warned(lambda: make(torch))
    assert ours_warnings == their_warnings
    with ours:
        state = [tg.is_autocast_enabled(), tg.is_autocast_enabled("cpu"),
                 str(tg.get_autocast_dtype("cpu")).split(".")[-1]]
    with theirs:
        expected = [torch.is_autocast_enabled(), torch.is_autocast_enabled("cpu"),
                    str(torch.get_autocast_dtype("cpu")).split(".")[-1]]
    assert state == expected
    assert not tg.is_autocast_enabled("cpu")


def test_autocast_bad_device_type_as_torch():
    assert _raised(lambda: tg.autocast("foo")) == _raised(lambda: torch.autocast("foo"))
    assert _raised(lambda: tg.autocast(3)) == _raised(lambda: torch.autocast(3))  # type: ignore


def _ops_under_autocast(lib, dtype):
    gen = np.random.default_rng(0)
    x, w, bias, m = (lib.tensor(gen.standard_normal(s).astype(np.float32))
                     for s in ((3, 4), (5, 4), (5,), (2, 3, 4)))
    h = lib.tensor(gen.standard_normal((3, 5)).astype(np.float32))
    F = lib.nn.functional
    with lib.autocast("cpu", dtype=dtype):
        return {
            "matmul": x @ w.T, "mm": lib.mm(x, w.T), "bmm": lib.bmm(m, m.transpose(1, 2)),
            "addmm": lib.addmm(bias, x, w.T), "linear": F.linear(x, w, bias),
            "baddbmm": lib.baddbmm(lib.zeros(1), m, m.transpose(1, 2)),
            "addbmm": lib.addbmm(lib.zeros(3, 3), m, m.transpose(1, 2)),
            "conv1d": F.conv1d(m, lib.ones(2, 3, 2)), "prelu": F.prelu(x, lib.tensor([0.25])),
            "conv2d": F.conv2d(m[None], lib.ones(1, 2, 2, 2)),
            "conv_transpose1d": F.conv_transpose1d(m, lib.ones(3, 2, 2)),
            "sdpa": F.scaled_dot_product_attention(m, m, m),
            "dot": x[0].dot(x[1]), "double": x.double() @ w.double().T, "relu": lib.relu(x),
            "mse_loss": F.mse_loss(h.to(dtype), h), "cross_entropy": F.cross_entropy(
                h.to(dtype), lib.tensor([0, 1, 4])), "l1_loss": F.l1_loss(h.to(dtype), h),
        }


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_autocast_cpu_op_dtypes_and_values_as_torch(dtype):
    ours = _ops_under_autocast(tg, getattr(tg, dtype))
    theirs = _ops_under_autocast(torch, getattr(torch, dtype))
    for name in theirs:
        _bf16_close(ours[name], theirs[name], name)
    assert str(ours["matmul"].dtype).endswith(dtype)
    assert str(ours["mse_loss"].dtype).endswith("float32")


def _training_step_under_autocast(lib):
    lib.manual_seed(0)
    nn = lib.nn
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    x = lib.tensor(np.linspace(-1, 1, 20, dtype=np.float32).reshape(5, 4))
    target = lib.tensor([0, 2, 1, 1, 0])
    with lib.autocast("cpu"):
        hidden = model[1](model[0](x))
        logits = model[2](hidden)
        loss = nn.functional.cross_entropy(logits, target)
    loss.backward()
    names = [type(logits.grad_fn).__name__] + [
        type(f).__name__ for f, _ in logits.grad_fn.next_functions if f is not None]
    return hidden, logits, loss, [p.grad for p in model.parameters()], names


def test_autocast_linear_relu_linear_cross_entropy_step_as_torch():
    ours, theirs = _training_step_under_autocast(tg), _training_step_under_autocast(torch)
    for a, b in zip(ours[:3], theirs[:3]):
        _bf16_close(a, b)
    assert str(ours[2].dtype) == "tinygrad_edu.float32"
    for a, b in zip(ours[3], theirs[3]):
        assert str(a.dtype) == "tinygrad_edu.float32"
        _bf16_close(a, b)
    assert ours[4] == theirs[4]


def test_autocast_as_decorator_and_nested():
    @tg.autocast("cpu")
    def product(a, b):
        return a @ b

    x = tg.ones(2, 2)
    assert product(x, x).dtype == tg.bfloat16
    assert (x @ x).dtype == tg.float32
    with tg.autocast("cpu"):
        with tg.autocast("cpu", enabled=False):
            assert (x @ x).dtype == tg.float32
        with tg.autocast("cpu", dtype=tg.float16):
            assert (x @ x).dtype == tg.float16
        assert (x @ x).dtype == tg.bfloat16
    assert not tg.is_autocast_enabled("cpu")


def test_autocast_state_is_per_thread():
    seen = []
    with tg.autocast("cpu"):
        worker = threading.Thread(target=lambda: seen.append(tg.is_autocast_enabled("cpu")))
        worker.start()
        worker.join()
    assert seen == [False]


def test_deprecated_cpu_grad_scaler_warns_as_torch():
    ours, ours_warnings = _warned(lambda: tg.cpu.amp.GradScaler())
    theirs, their_warnings = _warned(lambda: torch.cpu.amp.GradScaler())
    assert ours_warnings == their_warnings
    assert ours.is_enabled() and theirs.is_enabled()


# ------------------------------------------------------------------ autocast's op lists

def _policy_inputs(lib, shape, spd):
    gen = np.random.default_rng(3)
    a = gen.standard_normal(shape).astype(np.float32)
    if spd:
        a = a @ a.swapaxes(-1, -2) + shape[-1] * np.eye(shape[-1], dtype=np.float32)
    b = gen.standard_normal(shape).astype(np.float32)
    return (lib.tensor(a, dtype=lib.bfloat16, requires_grad=True),
            lib.tensor(b, requires_grad=True))


# name -> (shape, symmetric positive definite?, op(lib, F, a bfloat16 leaf, b a float32 leaf))
_POLICY_OPS = {
    # float32 list
    "prod": ((2, 3), False, lambda lib, F, a, b: lib.prod(a)),
    "prod_dim": ((2, 3), False, lambda lib, F, a, b: a.prod(1)),
    "quantile": ((2, 3), False, lambda lib, F, a, b: lib.quantile(a, 0.3)),
    "nanquantile": ((2, 3), False, lambda lib, F, a, b: a.nanquantile(0.3, dim=1)),
    "cdist": ((2, 3), False, lambda lib, F, a, b: lib.cdist(a, a * 2)),
    "trace": ((3, 3), False, lambda lib, F, a, b: lib.trace(a)),
    "inverse": ((3, 3), True, lambda lib, F, a, b: a.inverse()),
    "pinverse": ((3, 3), True, lambda lib, F, a, b: lib.pinverse(a)),
    "lu": ((3, 3), True, lambda lib, F, a, b: lib.lu(a)[0]),
    "cholesky": ((3, 3), True, lambda lib, F, a, b: a.cholesky()),
    "matrix_power": ((3, 3), True, lambda lib, F, a, b: lib.linalg.matrix_power(a, -1)),
    "avg_pool3d": ((1, 2, 4, 4, 4), False, lambda lib, F, a, b: F.avg_pool3d(a, 2)),
    "max_pool3d": ((1, 2, 4, 4, 4), False, lambda lib, F, a, b: F.max_pool3d(a, 2)),
    "max_pool3d_indices": ((1, 2, 4, 4, 4), False,
                           lambda lib, F, a, b: F.max_pool3d(a, 2, return_indices=True)[0]),
    "adaptive_avg_pool3d": ((1, 2, 4, 4, 4), False,
                            lambda lib, F, a, b: F.adaptive_avg_pool3d(a, 2)),
    "adaptive_max_pool3d": ((1, 2, 4, 4, 4), False,
                            lambda lib, F, a, b: F.adaptive_max_pool3d(a, 2)),
    "max_unpool2d": ((1, 2, 4, 4), False, lambda lib, F, a, b: F.max_unpool2d(
        *F.max_pool2d(a, 2, return_indices=True), 2)),
    "max_unpool3d": ((1, 2, 4, 4, 4), False, lambda lib, F, a, b: F.max_unpool3d(
        *F.max_pool3d(a, 2, return_indices=True), 2)),
    "reflect_pad1d": ((2, 5), False, lambda lib, F, a, b: F.pad(a, (1, 2), mode="reflect")),
    "reflect_pad2d": ((1, 4, 4), False, lambda lib, F, a, b: F.pad(a, (1, 1, 2, 0), "reflect")),
    "reflect_pad3d": ((1, 3, 3, 3), False, lambda lib, F, a, b: F.pad(a, (1,) * 6, "reflect")),
    "replicate_pad1d": ((2, 5), False, lambda lib, F, a, b: F.pad(a, (1, 2), "replicate")),
    "replicate_pad2d": ((1, 4, 4), False, lambda lib, F, a, b: F.pad(a, (1,) * 4, "replicate")),
    "replicate_pad3d": ((1, 3, 3, 3), False,
                        lambda lib, F, a, b: F.pad(a, (1,) * 6, "replicate")),
    "circular_pad": ((2, 5), False, lambda lib, F, a, b: F.pad(a, (1, 2), "circular")),
    "grid_sample": ((1, 2, 4, 4), False, lambda lib, F, a, b: F.grid_sample(
        a, b[:, :2, :3, :2].tanh(), align_corners=False)),
    "cosine_embedding_loss": ((2, 3), False, lambda lib, F, a, b: F.cosine_embedding_loss(
        a, b, lib.tensor([1, -1]))),
    "hinge_embedding_loss": ((2, 3), False, lambda lib, F, a, b: F.hinge_embedding_loss(
        a, lib.ones(2, 3))),
    "poisson_nll_loss": ((2, 3), False, lambda lib, F, a, b: F.poisson_nll_loss(a, b.abs())),
    "margin_ranking_loss": ((2, 3), False, lambda lib, F, a, b: F.margin_ranking_loss(
        a, b, lib.ones(2, 3))),
    "soft_margin_loss": ((2, 3), False, lambda lib, F, a, b: F.soft_margin_loss(
        a, lib.ones(2, 3))),
    "triplet_margin_loss": ((2, 3), False, lambda lib, F, a, b: F.triplet_margin_loss(
        a, b, a * 3)),
    "multi_margin_loss": ((2, 3), False, lambda lib, F, a, b: F.multi_margin_loss(
        a, lib.tensor([0, 2]))),
    "multilabel_margin_loss": ((2, 3), False, lambda lib, F, a, b: F.multilabel_margin_loss(
        a, lib.tensor([[0, 2, -1], [1, -1, 0]]))),
    "binary_cross_entropy": ((2, 3), False, lambda lib, F, a, b: F.binary_cross_entropy(
        a.sigmoid(), b.sigmoid())),
    "cond": ((3, 3), True, lambda lib, F, a, b: lib.linalg.cond(a)),
    "cond_fro": ((3, 3), True, lambda lib, F, a, b: lib.linalg.cond(a, "fro")),
    "matrix_rank": ((3, 3), True, lambda lib, F, a, b: lib.linalg.matrix_rank(a)),
    "solve": ((3, 3), True, lambda lib, F, a, b: lib.linalg.solve(a, b)),
    "linalg.cholesky": ((3, 3), True, lambda lib, F, a, b: lib.linalg.cholesky(a)),
    "cholesky_ex": ((3, 3), True, lambda lib, F, a, b: lib.linalg.cholesky_ex(a)[0]),
    "svdvals": ((3, 3), True, lambda lib, F, a, b: lib.linalg.svdvals(a)),
    "eigvalsh": ((3, 3), True, lambda lib, F, a, b: lib.linalg.eigvalsh(a)),
    "inv": ((3, 3), True, lambda lib, F, a, b: lib.linalg.inv(a)),
    "inv_ex": ((3, 3), True, lambda lib, F, a, b: lib.linalg.inv_ex(a)[0]),
    "qr": ((3, 3), True, lambda lib, F, a, b: lib.linalg.qr(a)[1]),
    "svd": ((3, 3), True, lambda lib, F, a, b: lib.linalg.svd(a)[1]),
    "eigh": ((3, 3), True, lambda lib, F, a, b: lib.linalg.eigh(a)[0]),
    "lstsq": ((3, 3), True, lambda lib, F, a, b: lib.linalg.lstsq(a, b)[0]),
    # promote list
    "cat": ((2, 3), False, lambda lib, F, a, b: lib.cat([a, b])),
    "cat_bfloat16": ((2, 3), False, lambda lib, F, a, b: lib.cat([a, a * 2])),
    "stack": ((2, 3), False, lambda lib, F, a, b: lib.stack([b, a], 1)),
    "concat": ((2, 3), False, lambda lib, F, a, b: lib.concat((a, b), 1)),
    "hstack": ((2, 3), False, lambda lib, F, a, b: lib.hstack([a, b])),
    "vstack": ((3,), False, lambda lib, F, a, b: lib.vstack([a, b])),
    "index_copy": ((3, 3), False, lambda lib, F, a, b: lib.index_copy(
        b, 0, lib.tensor([2, 0, 1]), a)),
    "Tensor.index_copy": ((3, 3), False, lambda lib, F, a, b: a.index_copy(
        1, lib.tensor([2, 0, 1]), b)),
    # lower-precision list
    "vecdot": ((2, 3), False, lambda lib, F, a, b: lib.linalg.vecdot(b, b * 2)),
    # einsum: PyTorch's is made of bmm (autocast) where a pair shares a summed label, and
    # of mul and sum (not autocast) elsewhere
    "einsum_mm": ((3, 3), False, lambda lib, F, a, b: lib.einsum("ij,jk->ik", b, b * 2)),
    "einsum_mv_mixed": ((3, 3), False, lambda lib, F, a, b: lib.einsum("ij,j->i", b, a[0])),
    "einsum_dot": ((3,), False, lambda lib, F, a, b: lib.einsum("i,i->", b, b + 1)),
    "einsum_outer": ((3,), False, lambda lib, F, a, b: lib.einsum("i,j->ij", b, b + 1)),
    "einsum_sum": ((2, 3), False, lambda lib, F, a, b: lib.einsum("ij->j", b)),
}


def _graph(out):
    """Every node's name below ``out`` (each node once) and the name of ``out``'s."""
    names, seen, todo = [], set(), [out.grad_fn]
    while todo:
        node = todo.pop()
        key = id(getattr(node, "variable", node))  # (an AccumulateGrad: once per leaf)
        if node is None or key in seen:
            continue
        seen.add(key)
        names.append(type(node).__name__)
        todo.extend(f for f, _ in node.next_functions)
    return sorted(names)


def _run_policy_op(lib, name):
    shape, spd, op = _POLICY_OPS[name]
    a, b = _policy_inputs(lib, shape, spd)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (torch.lu's deprecation)
        with lib.autocast("cpu"):
            out = op(lib, lib.nn.functional, a, b)
    error = None
    if out.requires_grad:  # (cond's backward for p="fro" raises in PyTorch 2.13: so here)
        weights = lib.linspace(0.5, 1.5, out.numel()).reshape(out.shape)
        error = _raised(lambda: (out.float() * weights).sum().backward())
    return out, error, a.grad, b.grad


@pytest.mark.parametrize("name", list(_POLICY_OPS))
def test_autocast_policy_ops_as_torch(name):
    ours, theirs = _run_policy_op(tg, name), _run_policy_op(torch, name)
    _bf16_close(ours[0], theirs[0], name)
    if theirs[0].requires_grad:
        assert _graph(ours[0]).count("ToCopyBackward0") == _graph(theirs[0]).count(
            "ToCopyBackward0"), (_graph(ours[0]), _graph(theirs[0]))
    assert (ours[1] is None) == (theirs[1] is None), (ours[1], theirs[1])
    for our_grad, their_grad in zip(ours[2:], theirs[2:]):
        assert (our_grad is None) == (their_grad is None), name
        if their_grad is not None:
            _bf16_close(our_grad, their_grad, name)


@pytest.mark.parametrize("name", ["prod", "cdist", "inv", "avg_pool3d", "reflect_pad2d",
                                  "cat", "multi_margin_loss"])
def test_autocast_float32_ops_record_one_cast_as_torch(name):
    ours, theirs = _run_policy_op(tg, name), _run_policy_op(torch, name)
    assert _graph(ours[0]) == _graph(theirs[0])
    assert str(ours[0].dtype) == "tinygrad_edu.float32"


def test_autocast_promote_of_float16_and_bfloat16_raises_as_torch():
    def mix(lib):
        with lib.autocast("cpu"):
            return lib.cat([lib.ones(2, dtype=lib.float16), lib.ones(2, dtype=lib.bfloat16)])
    assert _raised(lambda: mix(tg)) == _raised(lambda: mix(torch))


def test_autocast_float32_op_computes_its_inner_products_in_float32():
    # cdist's matmul formula (more than 25 rows) runs with autocast off, as in PyTorch
    def run(lib):
        x = lib.tensor(np.linspace(-1, 1, 90, dtype=np.float32).reshape(30, 3))
        with lib.autocast("cpu"):
            return lib.cdist(x, x * 2)
    ours, theirs = run(tg), run(torch)
    assert str(ours.dtype) == "tinygrad_edu.float32"
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, atol=1e-5)


# ------------------------------------------------------------------ autocast's cast cache

def _weight_used_twice(lib, **kw):
    w = lib.nn.Parameter(lib.tensor(np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)))
    x = lib.tensor(np.linspace(0, 1, 6, dtype=np.float32).reshape(3, 2))
    with lib.autocast("cpu", **kw):
        y1, y2 = lib.mm(w, x), w @ x
        with lib.autocast("cpu", enabled=False):
            pass
        y3 = lib.mm(w, x)
    with lib.autocast("cpu"):
        y4 = lib.mm(w, x)
    casts = [y.grad_fn.next_functions[0][0] for y in (y1, y2, y3, y4)]
    (y1.sum() + y2.sum() + y3.sum() + y4.sum()).backward()
    return [c is casts[0] for c in casts], w.grad


@pytest.mark.parametrize("kw", [{}, {"cache_enabled": False}])
def test_autocast_caches_the_cast_of_a_weight_as_torch(kw):
    ours, theirs = _weight_used_twice(tg, **kw), _weight_used_twice(torch, **kw)
    assert ours[0] == theirs[0]  # one ToCopyBackward0 inside a region, a new one after it
    assert ours[0] == ([True, True, True, False] if not kw else [True, False, False, False])
    _bf16_close(ours[1], theirs[1])


def test_autocast_cache_only_for_leaves_that_require_grad():
    def run(lib):
        w = lib.ones(2, 2)
        leaf = lib.ones(2, 2, requires_grad=True)
        with lib.autocast("cpu"):
            plain = [lib.mm(w, w), lib.mm(w, w)]
            made = leaf * 2
            nonleaf = [lib.mm(made, w).grad_fn.next_functions[0][0],
                       lib.mm(made, w).grad_fn.next_functions[0][0]]
            with lib.no_grad():
                lib.mm(leaf, w)  # the cast is made with grad on, and kept
            kept = lib.mm(leaf, w).grad_fn.next_functions[0][0]
        return [plain[0].requires_grad, nonleaf[0] is nonleaf[1], type(kept).__name__]
    assert run(tg) == run(torch)


def test_autocast_cache_hands_the_outer_dtype_to_a_nested_region_as_torch():
    def run(lib):
        w, x = lib.ones(3, 3, requires_grad=True), lib.ones(2, 3)
        with lib.autocast("cpu"):
            lib.mm(x, w)
            with lib.autocast("cpu", dtype=lib.float16):
                return lib.mm(x, w)  # x in float16, w's cached bfloat16 copy: refused
    ours, theirs = _raised(lambda: run(tg)), _raised(lambda: run(torch))
    assert (ours[0], ours[1].split(". Hint:")[0]) == theirs


def test_autocast_cache_functions_as_torch():
    def run(lib):
        w, x = lib.ones(2, 2, requires_grad=True), lib.ones(2, 2)
        seen = [lib.is_autocast_cache_enabled()]
        with lib.autocast("cpu"):
            first = lib.mm(x, w).grad_fn.next_functions[1][0]
            lib.clear_autocast_cache()
            seen.append(lib.mm(x, w).grad_fn.next_functions[1][0] is first)
            lib.set_autocast_cache_enabled(False)
            seen.append(lib.is_autocast_cache_enabled())
            again = lib.mm(x, w).grad_fn.next_functions[1][0]
            seen.append(lib.mm(x, w).grad_fn.next_functions[1][0] is again)
        seen.append(lib.is_autocast_cache_enabled())  # (the region puts it back)
        lib.set_autocast_cache_enabled(True)
        return seen
    assert run(tg) == run(torch)
