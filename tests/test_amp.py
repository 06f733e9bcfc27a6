"""Device idioms and mixed precision against PyTorch on a CPU-only machine:
``tg.set_default_device`` / ``get_default_device``, ``tg.backends.cuda`` flags,
``tg.amp.GradScaler`` / ``tg.cuda.amp.GradScaler`` (disabled on "cuda", real on "cpu")."""

from __future__ import annotations

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
