"""SWA / EMA (``optim.swa_utils``), Adafactor, Muon, the lazy instance norms, NLLLoss2d and
``nn.parallel`` against PyTorch: the same numbers step by step, the same state dicts, the
same errors.

The optimizers are fed the very same gradients in both libraries (set on ``.grad``), so
any difference is the optimizer's own."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg

torch = pytest.importorskip("torch")

LIBS = (tg, torch)


def _model(lib: Any) -> Any:
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4), lib.nn.ReLU(),
                             lib.nn.Linear(4, 2))


def _arrays(module: Any) -> dict[str, np.ndarray]:
    return {k: v.detach().numpy().copy() for k, v in module.state_dict().items()}


def _assert_same_state(ours: Any, theirs: Any) -> None:
    a, b = _arrays(ours), _arrays(theirs)
    assert list(a) == list(b)
    for key in a:
        assert a[key].dtype == b[key].dtype, key
        assert np.array_equal(a[key], b[key]), key


def _perturbed(lib: Any, model: Any, k: int) -> None:
    """Move the model's parameters and buffers to new values (the same in both libraries,
    without relying on both backward passes rounding alike)."""
    rng = np.random.default_rng(k)
    with lib.no_grad():
        for t in [*model.parameters(), *model.buffers()]:
            step = rng.standard_normal(tuple(t.shape)).astype(np.float32)
            if t.dtype == lib.int64:
                t.add_(lib.tensor(int(rng.integers(1, 5))))
            else:
                t.add_(lib.tensor(step).to(t.dtype))


# ---------------------------------------------------------------------------- swa_utils
@pytest.mark.parametrize("use_buffers", [False, True])
@pytest.mark.parametrize("kind", ["swa", "ema_multi", "ema", "swa_multi"])
def test_averaged_model_every_update_bit_equal(kind: str, use_buffers: bool) -> None:
    if kind == "swa_multi" and use_buffers:  # BatchNorm's int64 counter: addcdiv refuses
        for lib in LIBS:
            u = lib.optim.swa_utils
            model = _model(lib)
            averaged = u.AveragedModel(model, multi_avg_fn=u.get_swa_multi_avg_fn(),
                                       use_buffers=True)
            averaged.update_parameters(model)
            with pytest.raises(RuntimeError, match="Integer division with addcdiv is no "):
                averaged.update_parameters(model)
        return
    models = []
    for lib in LIBS:
        u = lib.optim.swa_utils
        fns = {"swa": {}, "ema_multi": {"multi_avg_fn": u.get_ema_multi_avg_fn(0.9)},
               "ema": {"avg_fn": u.get_ema_avg_fn(0.7)},
               "swa_multi": {"multi_avg_fn": u.get_swa_multi_avg_fn()}}
        model = _model(lib)
        averaged = u.AveragedModel(model, use_buffers=use_buffers, **fns[kind])
        states = []
        for k in range(5):
            _perturbed(lib, model, k)
            averaged.update_parameters(model)
            states.append(_arrays(averaged))
        models.append((averaged, states))
    (ours, our_states), (theirs, their_states) = models
    for a, b in zip(our_states, their_states):
        assert list(a) == list(b)
        for key in a:
            assert a[key].dtype == b[key].dtype and np.array_equal(a[key], b[key]), key
    assert list(ours.state_dict())[:2] == ["n_averaged", "module.0.weight"]
    assert int(ours.n_averaged) == 5


def test_averaged_model_state_dict_round_trip_and_forward() -> None:
    model = _model(tg)
    averaged = tg.optim.swa_utils.AveragedModel(model)
    _perturbed(tg, model, 0)
    averaged.update_parameters(model)
    _perturbed(tg, model, 1)
    averaged.update_parameters(model)
    fresh = tg.optim.swa_utils.AveragedModel(_model(tg))
    fresh.load_state_dict(averaged.state_dict())
    _assert_same_state(fresh, averaged)
    x = tg.tensor(np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32))
    averaged.train()  # (batch statistics: the perturbed running_var may be negative)
    assert np.array_equal(averaged(x).detach().numpy(), averaged.module(x).detach().numpy())
    assert averaged.module is not model  # a copy


def test_averaged_model_two_averaging_functions_raise() -> None:
    for lib in LIBS:
        u = lib.optim.swa_utils
        with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn"):
            u.AveragedModel(_model(lib), avg_fn=u.get_swa_avg_fn(),
                            multi_avg_fn=u.get_swa_multi_avg_fn())


@pytest.mark.parametrize("name", ["get_ema_avg_fn", "get_ema_multi_avg_fn"])
def test_ema_decay_out_of_range_raises(name: str) -> None:
    for lib in LIBS:
        with pytest.raises(ValueError, match=r"Invalid decay value 1.5 provided. Please "):
            getattr(lib.optim.swa_utils, name)(1.5)


def _swalr_lrs(lib: Any, **kwargs: Any) -> list[list[float]]:
    model = lib.nn.Linear(2, 1)
    opt = lib.optim.SGD([{"params": [model.weight]}, {"params": [model.bias], "lr": 0.3}],
                        lr=0.1)
    sched = lib.optim.swa_utils.SWALR(opt, **kwargs)
    lrs = [sched.get_last_lr()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (scheduler before optimizer: not the point here)
        for _ in range(12):
            opt.step()
            sched.step()
            lrs.append(sched.get_last_lr())
    return lrs


@pytest.mark.parametrize("kwargs", [
    {"swa_lr": 0.05},
    {"swa_lr": [0.05, 0.01], "anneal_epochs": 4, "anneal_strategy": "linear"},
    {"swa_lr": 0.2, "anneal_epochs": 0},
    {"swa_lr": 0.02, "anneal_epochs": 3, "anneal_strategy": "cos"},
])
def test_swalr_learning_rates_bit_equal(kwargs: dict[str, Any]) -> None:
    assert _swalr_lrs(tg, **kwargs) == _swalr_lrs(torch, **kwargs)


def test_swalr_state_dict_round_trip() -> None:
    opt = tg.optim.SGD(tg.nn.Linear(2, 1).parameters(), lr=0.1)
    sched = tg.optim.swa_utils.SWALR(opt, swa_lr=0.05, anneal_epochs=3)
    opt.step()
    sched.step()
    state = sched.state_dict()
    assert "anneal_func" not in state and "optimizer" not in state
    theirs = torch.optim.swa_utils.SWALR(
        torch.optim.SGD(torch.nn.Linear(2, 1).parameters(), lr=0.1), swa_lr=0.05,
        anneal_epochs=3).state_dict()
    assert set(state) == set(theirs)
    other = tg.optim.swa_utils.SWALR(
        tg.optim.SGD(tg.nn.Linear(2, 1).parameters(), lr=0.1), swa_lr=0.05,
        anneal_strategy="linear")
    other.load_state_dict(state)
    assert other.anneal_func(0.5) == (1 - math.cos(math.pi * 0.5)) / 2  # cos restored
    assert other.get_last_lr() == sched.get_last_lr()


@pytest.mark.parametrize("kwargs,cls,message", [
    ({"swa_lr": 0.1, "anneal_strategy": "exp"}, ValueError,
     "anneal_strategy must be one of 'cos' or 'linear', instead got exp"),
    ({"swa_lr": 0.1, "anneal_epochs": -1}, ValueError,
     "anneal_epochs must be equal or greater than 0, got -1"),
    ({"swa_lr": 0.1, "anneal_epochs": 2.0}, ValueError,
     "anneal_epochs must be equal or greater than 0, got 2.0"),
    ({"swa_lr": [0.1, 0.2]}, ValueError, "swa_lr must have the same length as"),
])
def test_swalr_errors(kwargs: dict[str, Any], cls: type, message: str) -> None:
    for lib in LIBS:
        opt = lib.optim.SGD(lib.nn.Linear(2, 1).parameters(), lr=0.1)
        with pytest.raises(cls) as info:
            lib.optim.swa_utils.SWALR(opt, **kwargs)
        assert str(info.value).startswith(message)


def _swa_tutorial(lib: Any) -> tuple[Any, list[list[float]]]:
    """PyTorch's SWA recipe: train; after swa_start average each epoch and anneal the lr
    with SWALR; finally recompute the BatchNorm statistics with update_bn."""
    u = lib.optim.swa_utils
    model = _model(lib)
    rng = np.random.default_rng(0)
    data = [(lib.tensor(rng.standard_normal((8, 3)).astype(np.float32)),
             lib.tensor(rng.standard_normal((8, 2)).astype(np.float32))) for _ in range(3)]
    opt = lib.optim.SGD(model.parameters(), lr=0.1)
    swa_model = u.AveragedModel(model)
    scheduler = lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=8)
    swa_scheduler = u.SWALR(opt, swa_lr=0.05, anneal_epochs=2)
    lrs = []
    for epoch in range(8):
        for k, _ in enumerate(data):
            opt.zero_grad()
            for p in model.parameters():  # the same gradients in both libraries
                shape = tuple(p.shape)
                p.grad = lib.tensor(np.random.default_rng(100 * epoch + k)
                                    .standard_normal(shape).astype(np.float32))
            opt.step()
        if epoch > 4:
            swa_model.update_parameters(model)
            swa_scheduler.step()
        else:
            scheduler.step()
        lrs.append(scheduler.get_last_lr() + swa_scheduler.get_last_lr())
    u.update_bn([x for x, _ in data], swa_model)
    return swa_model, lrs


def test_swa_tutorial_loop_matches_torch() -> None:
    ours, our_lrs = _swa_tutorial(tg)
    theirs, their_lrs = _swa_tutorial(torch)
    assert our_lrs == their_lrs
    a, b = _arrays(ours), _arrays(theirs)
    assert list(a) == list(b)
    for key in a:
        # SGD adds lr * grad with two roundings where torch fuses them (optimizer.py), and
        # the BatchNorm statistics come from a forward pass: last bits differ. (The
        # averaging itself is bit-equal: test_averaged_model_every_update_bit_equal.)
        np.testing.assert_allclose(a[key], b[key], rtol=1e-5, atol=1e-6, err_msg=key)
    assert ours.training and ours.module[1].momentum == 0.1


def test_update_bn_takes_first_element_and_restores_eval_mode() -> None:
    model = _model(tg)
    model.eval()
    x = tg.tensor(np.random.default_rng(0).standard_normal((6, 3)).astype(np.float32))
    tg.optim.swa_utils.update_bn([(x, None)], model)
    assert not model.training
    assert int(model[1].num_batches_tracked) == 1
    tg.optim.swa_utils.update_bn([x], tg.nn.Linear(2, 2))  # no BatchNorm: nothing to do


# ---------------------------------------------------------------------------- optimizers
SHAPES = [(5, 3), (5,), (7, 9), (4, 3, 6), (33,)]


def _steps(lib: Any, name: str, kwargs: dict[str, Any], shapes: list[tuple[int, ...]],
           steps: int = 6, dtype: Any = np.float32) -> tuple[list[list[np.ndarray]], Any]:
    rng = np.random.default_rng(0)
    start = [rng.standard_normal(s).astype(dtype) for s in shapes]
    params = [lib.tensor(p, requires_grad=True) for p in start]
    opt = getattr(lib.optim, name)(params, **kwargs)
    history = []
    for _ in range(steps):
        for p in params:
            p.grad = lib.tensor(rng.standard_normal(tuple(p.shape)).astype(dtype))
        opt.step()
        history.append([p.detach().numpy().copy() for p in params])
    return history, opt


ADAFACTOR = [{}, {"weight_decay": 0.1}, {"lr": 0.1, "d": 2.0, "maximize": True},
             {"eps": (1e-6, 1e-2), "beta2_decay": -0.5}]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kwargs", ADAFACTOR, ids=str)
def test_adafactor_every_step_matches_torch(kwargs: dict[str, Any], dtype: Any) -> None:
    ours, _ = _steps(tg, "Adafactor", kwargs, SHAPES, dtype=dtype)
    theirs, _ = _steps(torch, "Adafactor", kwargs, SHAPES, dtype=dtype)
    # torch's norm kernel adds the squares in its own order (8 fused lanes), tg's norm
    # in another: RMS(p), RMS(U) and the row/column means differ in the last bit
    tol = {"rtol": 1e-6, "atol": 1e-7} if dtype == np.float32 else {"rtol": 1e-13, "atol": 0}
    for step, (a, b) in enumerate(zip(ours, theirs)):
        for i, (p, q) in enumerate(zip(a, b)):
            np.testing.assert_allclose(p, q, **tol, err_msg=f"step {step}, parameter {i}")


def test_adafactor_state_dict_layout_and_round_trip() -> None:
    _, ours = _steps(tg, "Adafactor", {"weight_decay": 0.1}, SHAPES, steps=2)
    _, theirs = _steps(torch, "Adafactor", {"weight_decay": 0.1}, SHAPES, steps=2)
    a, b = ours.state_dict(), theirs.state_dict()
    assert a["param_groups"] == b["param_groups"]
    for key in b["state"]:
        assert list(a["state"][key]) == list(b["state"][key])
        for field, value in b["state"][key].items():
            assert tuple(a["state"][key][field].shape) == tuple(value.shape)
            assert str(a["state"][key][field].dtype)[-7:] == str(value.dtype)[-7:]
    # resuming from the state dict continues the very same trajectory
    rng = np.random.default_rng(5)
    grads = [[rng.standard_normal(s).astype(np.float32) for s in SHAPES] for _ in range(3)]
    params = [[tg.tensor(p.detach().numpy().copy(), requires_grad=True)
               for p in ours.param_groups[0]["params"]] for _ in range(2)]
    first = tg.optim.Adafactor(params[0], weight_decay=0.1)
    first.load_state_dict(a)
    second = tg.optim.Adafactor(params[1], weight_decay=0.1)
    second.load_state_dict(first.state_dict())
    for gs in grads:
        for opt, ps in ((first, params[0]), (second, params[1])):
            for p, g in zip(ps, gs):
                p.grad = tg.tensor(g)
            opt.step()
    for p, q in zip(*params):
        assert np.array_equal(p.detach().numpy(), q.detach().numpy())


@pytest.mark.parametrize("kwargs,message", [
    ({"lr": -1.0}, "Learning rate should be >= 0 but is: -1.0"),
    ({"beta2_decay": 0.5}, "beta2_decay should be <= 0 but is: 0.5"),
    ({"eps": (-1.0, 1e-3)}, "epsilon1 should be >= 0 but is: -1.0"),
    ({"eps": (None, -1.0)}, "epsilon2 should be >= 0 but is: -1.0"),
    ({"d": 0.5}, "Clipping threshold d should be >= 1 but is: 0.5"),
    ({"weight_decay": -0.1}, "weight_decay should be >= 0 but is: -0.1"),
])
def test_adafactor_argument_errors(kwargs: dict[str, Any], message: str) -> None:
    for lib in LIBS:
        with pytest.raises(ValueError, match=message.replace("(", r"\(")):
            lib.optim.Adafactor([lib.ones(2, requires_grad=True)], **kwargs)


MUON = [{}, {"lr": 0.02, "nesterov": False}, {"lr": 0.02, "adjust_lr_fn": "match_rms_adamw",
        "weight_decay": 0}, {"momentum": 0.3, "ns_steps": 3, "adjust_lr_fn": "original"}]
MUON_SHAPES = [(5, 3), (3, 5), (8, 8), (6, 2)]  # (small: see the next test)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kwargs", MUON, ids=str)
def test_muon_every_step_bit_equal(kwargs: dict[str, Any], dtype: Any) -> None:
    ours, _ = _steps(tg, "Muon", kwargs, MUON_SHAPES, dtype=dtype)
    theirs, _ = _steps(torch, "Muon", kwargs, MUON_SHAPES, dtype=dtype)
    for step, (a, b) in enumerate(zip(ours, theirs)):
        for i, (p, q) in enumerate(zip(a, b)):
            assert p.dtype == q.dtype and np.array_equal(p, q), f"step {step}, param {i}"


def test_muon_large_matrices_match_torch_to_a_bfloat16_rounding() -> None:
    ours, _ = _steps(tg, "Muon", {"lr": 0.02}, [(40, 70), (100, 100)], steps=3)
    theirs, _ = _steps(torch, "Muon", {"lr": 0.02}, [(40, 70), (100, 100)], steps=3)
    # the bfloat16 products add their float32 terms in the BLAS's order, not torch's:
    # now and then one element of a Newton-Schulz step rounds to the neighbouring
    # bfloat16 (2**-8 relative), which moves the update by at most lr * 2**-7 or so
    for a, b in zip(ours, theirs):
        for p, q in zip(a, b):
            np.testing.assert_allclose(p, q, rtol=0, atol=0.02 * 2**-6)


def test_muon_state_dict_layout() -> None:
    _, ours = _steps(tg, "Muon", {}, MUON_SHAPES, steps=1)
    _, theirs = _steps(torch, "Muon", {}, MUON_SHAPES, steps=1)
    a, b = ours.state_dict(), theirs.state_dict()
    assert a["param_groups"] == b["param_groups"]
    assert {k: list(v) for k, v in a["state"].items()} == \
        {k: list(v) for k, v in b["state"].items()}
    for key in b["state"]:
        assert np.array_equal(a["state"][key]["momentum_buffer"].numpy(),
                              b["state"][key]["momentum_buffer"].numpy())


@pytest.mark.parametrize("kwargs,message", [
    ({"lr": -1.0}, "Learning rate should be >= 0 but is: -1.0"),
    ({"momentum": -0.5}, "momentum should be >= 0 but is: -0.5"),
    ({"weight_decay": -0.1}, "weight decay should be >= 0 but is: -0.1"),
    ({"adjust_lr_fn": "spectral"}, "Adjust learning rate function spectral is not supported"),
])
def test_muon_argument_errors(kwargs: dict[str, Any], message: str) -> None:
    for lib in LIBS:
        with pytest.raises(ValueError, match=message):
            lib.optim.Muon([lib.ones(2, 2, requires_grad=True)], **kwargs)


def test_muon_rejects_non_matrix_parameters() -> None:
    for lib in LIBS:
        with pytest.raises(ValueError, match=r"Muon only supports 2D parameters whereas we "
                                             r"found a parameter with size: (torch|tinygrad_edu)"
                                             r"\.Size\(\[3\]\)"):
            lib.optim.Muon([lib.ones(3, requires_grad=True)])
    p = tg.ones(2, 2, requires_grad=True)
    opt = tg.optim.Muon([p], ns_steps=100)
    p.grad = tg.ones(2, 2)
    with pytest.raises(ValueError, match="Number of steps must be less than 100"):
        opt.step()


# ---------------------------------------------------------------------------- nn
@pytest.mark.parametrize("n", [1, 2, 3])
def test_lazy_instance_norm_becomes_instance_norm(n: int) -> None:
    x = np.random.default_rng(n).standard_normal((2, 3) + (4,) * n).astype(np.float32)
    made = []
    for lib in LIBS:
        lazy = getattr(lib.nn, f"LazyInstanceNorm{n}d")()
        assert repr(lazy).startswith(f"LazyInstanceNorm{n}d(0, eps=1e-05")
        out = lazy(lib.tensor(x))
        made.append((lazy, out.detach().numpy()))
    (ours, y), (theirs, z) = made
    assert type(ours).__name__ == type(theirs).__name__ == f"InstanceNorm{n}d"
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    eager = getattr(tg.nn, f"InstanceNorm{n}d")(3, affine=True, track_running_stats=True)
    assert np.array_equal(eager(tg.tensor(x)).detach().numpy(), y)  # exactly the eager layer
    assert np.array_equal(eager.running_var.numpy(), ours.running_var.numpy())
    np.testing.assert_allclose(y, z, rtol=1e-5, atol=1e-6)  # (instance_norm's own rounding)


def test_lazy_instance_norm_unbatched_input_reads_dim_1_as_torch() -> None:
    x = np.ones((3, 5), np.float32)
    for lib in LIBS:
        with pytest.raises(ValueError, match=r"expected input's size at dim=0 to match "
                                             r"num_features \(5\), but got: 3."):
            lib.nn.LazyInstanceNorm1d()(lib.tensor(x))


def test_nll_loss_2d_is_deprecated_nll_loss() -> None:
    x = np.log(np.full((2, 3, 2, 2), 1 / 3, np.float32))
    target = np.zeros((2, 2, 2), np.int64)
    values = []
    for lib in LIBS:
        with pytest.warns(FutureWarning, match="`NLLLoss2d` has been deprecated"):
            loss = lib.nn.NLLLoss2d(reduction="sum")
        values.append(loss(lib.tensor(x), lib.tensor(target)).numpy())
        assert isinstance(loss, lib.nn.NLLLoss) and repr(loss) == "NLLLoss2d()"
    assert np.array_equal(*values)


def test_data_parallel_on_cpu_wraps_the_module() -> None:
    wrapped = []
    for lib in LIBS:
        inner = lib.nn.Linear(2, 3)
        dp = lib.nn.DataParallel(inner, device_ids=[0], output_device=0, dim=1)
        assert dp.module is inner and dp.device_ids == []
        assert list(dp.state_dict()) == ["module.weight", "module.bias"]
        assert tuple(dp(lib.ones(4, 2)).shape) == (4, 3)
        assert tuple(dp(input=lib.ones(1, 2)).shape) == (1, 3)
        dp.eval()
        assert not inner.training
        wrapped.append(repr(dp))
        with pytest.raises(RuntimeError, match="device type could not be determined"):
            lib.nn.parallel.data_parallel(inner, lib.ones(4, 2))
    assert wrapped[0] == wrapped[1]
    assert tg.nn.parallel.DataParallel is tg.nn.DataParallel


def test_distributed_data_parallel_needs_a_process_group() -> None:
    for lib in LIBS:
        with pytest.raises(ValueError, match="Default process group has not been initialized, "
                                             "please make sure to call init_process_group."):
            lib.nn.parallel.DistributedDataParallel(lib.nn.Linear(2, 3))
