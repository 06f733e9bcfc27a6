"""Devices: tinygrad_edu runs on the CPU, and device-agnostic PyTorch scripts run unchanged."""

from __future__ import annotations

import pytest

import tinygrad_edu as tg


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _device_agnostic_script(m):
    """The usual opening of a PyTorch script, and a training step on the chosen device."""
    m.manual_seed(0)
    m.cuda.manual_seed_all(0)
    m.backends.cudnn.deterministic = True
    m.backends.cudnn.benchmark = False
    device = m.device("cuda" if m.cuda.is_available() else "cpu")
    model = m.nn.Linear(2, 1).to(device)
    x = m.randn(4, 2, device=device)
    y = m.zeros_like(x[:, :1], device=device)
    loss = m.nn.functional.mse_loss(model(x.to(device)), y)
    loss.backward()
    return str(device), x.device == device, round(loss.item(), 6), m.backends.mps.is_available()


def test_device_agnostic_script_runs_like_torch(torch):
    assert _device_agnostic_script(tg) == _device_agnostic_script(torch)


def test_device_objects_like_torch(torch):
    for m in (tg, torch):
        cpu = m.device("cpu")
        assert repr(cpu) == "device(type='cpu')" and str(cpu) == "cpu"
        assert repr(m.device("cuda", 1)) == "device(type='cuda', index=1)"
        assert str(m.device("cuda:1")) == "cuda:1" and m.device("cuda:1").index == 1
        assert m.device(m.device("cpu")) == cpu and m.ones(1).device == cpu
        assert cpu != "cpu"  # as torch: a device equals devices only
        assert len({cpu, m.device("cpu")}) == 1
        assert (m.cuda.is_available(), m.cuda.device_count()) == (False, 0)
        with pytest.raises(RuntimeError, match="Expected one of cpu, cuda"):
            m.device("gpu")


@pytest.mark.parametrize("move", [
    lambda m: m.ones(1).to("cuda"),
    lambda m: m.ones(1).to(m.device("cuda", 0)),
    lambda m: m.ones(1).cuda(),
    lambda m: m.ones(1, device="cuda"),
    lambda m: m.zeros_like(m.ones(1), device="cuda"),
    lambda m: m.nn.Linear(1, 1).to("cuda"),
    lambda m: m.nn.Linear(1, 1).cuda(),
    lambda m: m.nn.Linear(1, 1, device="cuda"),
])
def test_cuda_raises_as_in_torch_without_cuda(torch, move):
    for m in (tg, torch):
        with pytest.raises(AssertionError, match="not compiled with CUDA enabled"):
            move(m)


def test_cpu_moves_are_no_ops():
    x = tg.ones(2)
    assert x.to("cpu") is x and x.cpu() is x and x.to(tg.device("cpu")) is x
    assert x.to("cpu", tg.float64).dtype == tg.float64
    model = tg.nn.Linear(1, 1)
    assert model.to("cpu") is model and model.to(tg.device("cpu"), tg.float64) is model
    assert model.weight.dtype == tg.float64
    with pytest.raises(RuntimeError, match="device 'mps' is not available"):
        x.to("mps")
