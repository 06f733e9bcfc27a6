"""Learning-rate schedulers against PyTorch: the same learning rates (and momentums) to
the last bit (==) over 100 steps, for two parameter groups; the closed form of
``step(epoch)``; state_dict round trips; the combinators; the errors and warnings."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from test_nn_layers import needs_torch, torch

import tinygrad_edu as tg
from tinygrad_edu import nn, optim


def _opt(lib: Any, name: str = "SGD", **kwargs: Any) -> Any:
    lib.manual_seed(0)
    a, b = lib.nn.Linear(2, 2), lib.nn.Linear(2, 1)
    groups = [{"params": a.parameters()}, {"params": b.parameters(), "lr": 0.3}]
    return getattr(lib.optim, name)(groups, lr=0.1, **kwargs)


S = "optim.lr_scheduler"
# (optimizer, optimizer kwargs, builder of the scheduler from (lib, optimizer), metric?)
CASES: dict[str, tuple[str, dict[str, Any], Any]] = {
    "CosineAnnealingLR": ("SGD", {}, lambda L, o: L.CosineAnnealingLR(o, T_max=10)),
    "CosineAnnealingLR-eta": (
        "SGD",
        {},
        lambda L, o: L.CosineAnnealingLR(o, T_max=7, eta_min=0.01),
    ),
    "OneCycleLR": ("SGD", {"momentum": 0.9}, lambda L, o: L.OneCycleLR(o, 1.0, 100)),
    "OneCycleLR-linear-3phase-adam": (
        "Adam",
        {},
        lambda L, o: L.OneCycleLR(
            o,
            [0.5, 1.0],
            epochs=10,
            steps_per_epoch=10,
            anneal_strategy="linear",
            three_phase=True,
            pct_start=0.25,
        ),
    ),
    "LinearLR": ("SGD", {}, lambda L, o: L.LinearLR(o, start_factor=0.1, total_iters=30)),
    "LinearLR-down": (
        "SGD",
        {},
        lambda L, o: L.LinearLR(o, start_factor=1.0, end_factor=0.05, total_iters=17),
    ),
    "ConstantLR": ("SGD", {}, lambda L, o: L.ConstantLR(o, factor=0.3, total_iters=7)),
    "PolynomialLR": ("SGD", {}, lambda L, o: L.PolynomialLR(o, total_iters=60, power=1.7)),
    "MultiplicativeLR": ("SGD", {}, lambda L, o: L.MultiplicativeLR(o, lambda e: 0.97)),
    "CosineAnnealingWarmRestarts": (
        "SGD",
        {},
        lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=2, eta_min=0.001),
    ),
    "CyclicLR": (
        "SGD",
        {"momentum": 0.9},
        lambda L, o: L.CyclicLR(o, 0.01, 0.1, step_size_up=7, step_size_down=4),
    ),
    "CyclicLR-triangular2-adam": (
        "Adam",
        {},
        lambda L, o: L.CyclicLR(o, [0.01, 0.02], 0.1, step_size_up=5, mode="triangular2"),
    ),
    "CyclicLR-exp_range": (
        "SGD",
        {},
        lambda L, o: L.CyclicLR(
            o, 0.01, 0.1, step_size_up=6, mode="exp_range", gamma=0.99, cycle_momentum=False
        ),
    ),
    "SequentialLR": (
        "SGD",
        {},
        lambda L, o: L.SequentialLR(
            o,
            [L.LinearLR(o, start_factor=0.1, total_iters=10), L.CosineAnnealingLR(o, T_max=90)],
            milestones=[10],
        ),
    ),
    "ChainedScheduler": (
        "SGD",
        {},
        lambda L, o: L.ChainedScheduler(
            [L.ConstantLR(o, factor=0.5, total_iters=8), L.ExponentialLR(o, gamma=0.98)]
        ),
    ),
}


def _run(lib: Any, case: str, steps: int = 100) -> list[list[Any]]:
    opt_name, kwargs, build = CASES[case]
    opt = _opt(lib, opt_name, **kwargs)
    sched = build(lib.optim.lr_scheduler, opt)
    seen = [sched.get_last_lr()]
    for _ in range(steps):
        opt.step()
        sched.step()
        seen.append(
            sched.get_last_lr()
            + [g["lr"] for g in opt.param_groups]
            + [g.get("momentum", g.get("betas")) for g in opt.param_groups]
        )
    return seen


@needs_torch
@pytest.mark.parametrize("case", list(CASES))
def test_learning_rates_are_torch_bit_for_bit(case: str) -> None:
    assert _run(tg, case) == _run(torch, case)


@needs_torch
@pytest.mark.parametrize(
    "case", ["CosineAnnealingLR", "LinearLR", "ConstantLR", "PolynomialLR", "OneCycleLR"]
)
def test_step_with_epoch_uses_torch_closed_form(case: str) -> None:
    results = []
    for lib in (tg, torch):
        opt_name, kwargs, build = CASES[case]
        opt = _opt(lib, opt_name, **kwargs)
        sched = build(lib.optim.lr_scheduler, opt)
        opt.step()
        seen = []
        with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step"):
            for epoch in (3, 9, 4, 20):
                sched.step(epoch)
                seen.append(sched.get_last_lr())
        results.append(seen)
    assert results[0] == results[1]


@needs_torch
def test_warm_restarts_with_fractional_epochs_match_torch() -> None:
    results = []
    for lib in (tg, torch):
        opt = _opt(lib)
        sched = lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2)
        opt.step()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for i in range(40):
                sched.step(i * 0.37)
                results.append(sched.get_last_lr() + [sched.T_i, sched.T_cur])
    assert results[:40] == results[40:]


@needs_torch
@pytest.mark.parametrize("mode,threshold_mode", [("min", "rel"), ("max", "abs")])
def test_reduce_on_plateau_matches_torch(mode: str, threshold_mode: str) -> None:
    metrics = [1.0, 0.9, 0.95, 0.91, 0.92, 0.93, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1] * 4
    results = []
    for lib in (tg, torch):
        opt = _opt(lib)
        sched = lib.optim.lr_scheduler.ReduceLROnPlateau(
            opt,
            mode=mode,
            factor=0.5,
            patience=2,
            threshold=0.05,
            threshold_mode=threshold_mode,
            cooldown=1,
            min_lr=[0.001, 0.01],
        )
        for m in metrics:
            opt.step()
            sched.step(m)
            results.append(
                sched.get_last_lr() + [sched.best, sched.num_bad_epochs, sched.cooldown_counter]
            )
    n = len(metrics)
    assert results[:n] == results[n:]


@needs_torch
@pytest.mark.parametrize("case", ["CosineAnnealingLR", "OneCycleLR", "SequentialLR", "CyclicLR"])
def test_state_dict_keys_match_torch_and_resuming_continues(case: str) -> None:
    states = []
    for lib in (tg, torch):
        opt_name, kwargs, build = CASES[case]
        opt = _opt(lib, opt_name, **kwargs)
        sched = build(lib.optim.lr_scheduler, opt)
        for _ in range(13):
            opt.step()
            sched.step()
        states.append(sched.state_dict())
    ours, theirs = states
    assert sorted(ours) == sorted(theirs)
    for key in ours:
        if key != "_schedulers":
            assert ours[key] == theirs[key], key
    # a fresh scheduler loaded from the saved state continues the same schedule
    full = _run(tg, case, 20)
    opt_name, kwargs, build = CASES[case]
    opt = _opt(tg, opt_name, **kwargs)
    sched = build(optim.lr_scheduler, opt)
    for _ in range(13):
        opt.step()
        sched.step()
    saved, saved_opt = sched.state_dict(), opt.state_dict()
    opt2 = _opt(tg, opt_name, **kwargs)
    sched2 = build(optim.lr_scheduler, opt2)
    opt2.load_state_dict(saved_opt)
    sched2.load_state_dict(saved)
    for step in range(14, 21):
        opt2.step()
        sched2.step()
        assert sched2.get_last_lr() == full[step][:2]


def test_errors_match_torch() -> None:
    L = optim.lr_scheduler
    opt = optim.SGD(nn.Linear(1, 1).parameters(), lr=1.0)
    with pytest.raises(ValueError, match="Starting multiplicative factor expected to be"):
        L.LinearLR(opt, start_factor=0)
    with pytest.raises(ValueError, match="Factor should be < 1.0."):
        L.ReduceLROnPlateau(opt, factor=1.0)
    with pytest.raises(ValueError, match="mode maxx is unknown!"):
        L.ReduceLROnPlateau(opt, mode="maxx")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"You must define either total_steps OR \(epochs"):
        L.OneCycleLR(opt, max_lr=1.0)
    with pytest.raises(ValueError, match="Expected positive integer T_0, but got 0"):
        L.CosineAnnealingWarmRestarts(opt, T_0=0)
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
        L.CyclicLR(optim.Adagrad(nn.Linear(1, 1).parameters()), 0.1, 1.0)
    sched = L.OneCycleLR(opt, max_lr=1.0, total_steps=2)
    opt.step()
    sched.step()
    sched.step()
    with pytest.raises(ValueError, match="Tried to step 3 times. The specified number"):
        sched.step()
    plateau = L.ReduceLROnPlateau(opt)
    with pytest.raises(ValueError, match="SequentialLR does not support `ReduceLROnPlateau`"):
        L.SequentialLR(opt, [plateau], milestones=[])
    with pytest.raises(ValueError, match="Sequential Schedulers expects number of schedulers"):
        L.SequentialLR(opt, [L.ConstantLR(opt)], milestones=[3])


def test_warns_when_stepped_before_the_optimizer() -> None:
    opt = optim.SGD(nn.Linear(1, 1).parameters(), lr=1.0)
    sched = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=4)
    with pytest.warns(UserWarning, match=r"Detected call of `lr_scheduler.step\(\)` before"):
        sched.step()
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        sched.get_lr()
