"""Optimizers and learning-rate schedulers against PyTorch: the same parameters after
every step for every option, the same state_dict layout, resuming from a state_dict,
argument validation and the scheduler warnings.
"""

from __future__ import annotations

import copy
import warnings
from typing import Any

import numpy as np
import pytest
from test_nn_layers import needs_torch, torch

import tinygrad_edu as tg
from tinygrad_edu import nn, optim

CONFIGS: list[tuple[str, dict[str, Any]]] = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.5, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.05, "maximize": True}),
    ("Adam", {}),
    ("Adam", {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.1, "eps": 1e-6}),
    ("Adam", {"lr": 0.01, "amsgrad": True}),
    ("Adam", {"lr": 0.01, "maximize": True}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True}),
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.001, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.001, "centered": True, "weight_decay": 0.05}),
    ("RMSprop", {"lr": 0.001, "centered": True, "momentum": 0.5, "alpha": 0.9}),
]


def _model(lib: Any) -> Any:
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Linear(3, 5), lib.nn.Tanh(), lib.nn.Linear(5, 2))


def _data(dtype: Any = np.float32) -> tuple[np.ndarray, np.ndarray]:
    r = np.random.default_rng(0)
    return r.standard_normal((16, 3)).astype(dtype), r.standard_normal((16, 2)).astype(dtype)


def _trajectory(
    lib: Any, name: str, kwargs: dict[str, Any], steps: int, dtype: Any = np.float32
) -> list[list[np.ndarray]]:
    model = _model(lib)
    if dtype == np.float64:
        model = model.double()
    opt = getattr(lib.optim, name)(model.parameters(), **kwargs)
    x, y = (lib.tensor(a) for a in _data(dtype))
    history = []
    for _ in range(steps):
        opt.zero_grad()
        lib.nn.functional.mse_loss(model(x), y).backward()
        opt.step()
        history.append([p.detach().numpy().copy() for p in model.parameters()])
    return history


@needs_torch
@pytest.mark.parametrize(
    "name,kwargs", CONFIGS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CONFIGS)]
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_every_step_matches_torch(name: str, kwargs: dict[str, Any], dtype: Any) -> None:
    ours = _trajectory(tg, name, kwargs, 25, dtype)
    theirs = _trajectory(torch, name, kwargs, 25, dtype)
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-13}
    for step, (a, b) in enumerate(zip(ours, theirs)):
        for i, (p, q) in enumerate(zip(a, b)):
            np.testing.assert_allclose(p, q, **tol, err_msg=f"step {step}, parameter {i}")


@needs_torch
@pytest.mark.parametrize("name,kwargs", CONFIGS[1::2], ids=lambda v: str(v))
def test_state_dict_layout_matches_torch(name: str, kwargs: dict[str, Any]) -> None:
    dicts = []
    for lib in (tg, torch):
        model = _model(lib)
        opt = getattr(lib.optim, name)(model.parameters(), **kwargs)
        x, y = (lib.tensor(a) for a in _data())
        lib.nn.functional.mse_loss(model(x), y).backward()
        opt.step()
        dicts.append(opt.state_dict())
    ours, theirs = dicts
    assert ours["param_groups"] == theirs["param_groups"]
    assert list(ours["state"]) == list(theirs["state"])
    for key in ours["state"]:
        assert list(ours["state"][key]) == list(theirs["state"][key])
        for field, value in ours["state"][key].items():
            other = theirs["state"][key][field]
            assert str(value.dtype).split(".")[-1] == str(other.dtype).split(".")[-1]
            np.testing.assert_allclose(value.numpy(), other.numpy(), rtol=1e-5, atol=1e-7)


@needs_torch
@pytest.mark.parametrize("name,kwargs", CONFIGS[:1] + CONFIGS[5:6] + CONFIGS[11:12])
def test_repr_matches_torch(name: str, kwargs: dict[str, Any]) -> None:
    ours = getattr(tg.optim, name)(_model(tg).parameters(), **kwargs)
    theirs = getattr(torch.optim, name)(_model(torch).parameters(), **kwargs)
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("name,kwargs", [CONFIGS[2], CONFIGS[7], CONFIGS[14]])
def test_resuming_from_state_dict_continues_the_same_trajectory(
    name: str, kwargs: dict[str, Any]
) -> None:
    x, y = (tg.tensor(a) for a in _data())

    def train(model: Any, opt: Any, steps: int) -> None:
        for _ in range(steps):
            opt.zero_grad()
            nn.functional.mse_loss(model(x), y).backward()
            opt.step()

    model = _model(tg)
    opt = getattr(optim, name)(model.parameters(), **kwargs)
    train(model, opt, 4)
    saved_model, saved_opt = copy.deepcopy(model.state_dict()), copy.deepcopy(opt.state_dict())
    train(model, opt, 4)
    resumed = _model(tg)
    resumed.load_state_dict(saved_model)
    resumed_opt = getattr(optim, name)(resumed.parameters(), lr=123.0)
    resumed_opt.load_state_dict(saved_opt)
    assert resumed_opt.param_groups[0]["lr"] == kwargs["lr"]  # the saved lr, not 123
    train(resumed, resumed_opt, 4)
    for p, q in zip(model.parameters(), resumed.parameters()):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())


def test_parameters_without_grad_are_skipped_and_groups_have_own_options() -> None:
    a, b = nn.Linear(2, 2), nn.Linear(2, 2)
    opt = optim.SGD(
        [{"params": a.parameters()}, {"params": b.parameters(), "lr": 0.5}], lr=0.1, momentum=0.9
    )
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    before = b.weight.detach().numpy().copy()
    a(tg.ones(1, 2)).sum().backward()
    opt.step()
    assert np.array_equal(b.weight.detach().numpy(), before)
    assert set(opt.state) == {a.weight, a.bias}
    opt.zero_grad(set_to_none=False)
    assert (a.weight.grad.numpy() == 0).all()
    opt.zero_grad()
    assert a.weight.grad is None


def test_step_with_closure_returns_the_loss() -> None:
    model = nn.Linear(2, 1)
    opt = optim.SGD(model.parameters(), lr=0.1)

    def closure() -> Any:
        opt.zero_grad()
        loss = model(tg.ones(3, 2)).pow(2).mean()
        loss.backward()
        return loss

    assert opt.step(closure).item() > 0


def test_named_parameters_are_accepted() -> None:
    model = nn.Linear(2, 1)
    opt = optim.Adam(model.named_parameters())
    assert opt.param_groups[0]["param_names"] == ["weight", "bias"]


def test_argument_validation_matches_torch() -> None:
    params = list(nn.Linear(2, 1).parameters())
    with pytest.raises(ValueError, match="Invalid learning rate: -0.1"):
        optim.SGD(params, lr=-0.1)
    with pytest.raises(ValueError, match="Invalid momentum value: -1"):
        optim.SGD(params, momentum=-1)
    with pytest.raises(
        ValueError, match="Nesterov momentum requires a momentum and zero dampening"
    ):
        optim.SGD(params, momentum=0.1, nesterov=True, dampening=0.1)
    with pytest.raises(ValueError, match="Invalid beta parameter at index 0: 1.0"):
        optim.Adam(params, betas=(1.0, 0.9))
    with pytest.raises(ValueError, match="Invalid epsilon value: -1"):
        optim.RMSprop(params, eps=-1)
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(
        TypeError,
        match="params argument given to the optimizer should be an iterable of Tensors or dicts",
    ):
        optim.SGD(params[0], lr=0.1)
    with pytest.raises(
        TypeError, match="optimizer can only optimize Tensors, but one of the params is int"
    ):
        optim.SGD([1], lr=0.1)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        optim.SGD([params[0] * 2], lr=0.1)
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        optim.SGD([{"params": params}, {"params": params[:1]}], lr=0.1)
    opt = optim.SGD(params, lr=0.1)
    with pytest.raises(
        ValueError, match="loaded state dict has a different number of parameter groups"
    ):
        opt.load_state_dict({"state": {}, "param_groups": []})


# ------------------------------------------------------------------------ schedulers

SCHEDULERS: list[tuple[str, dict[str, Any]]] = [
    ("StepLR", {"step_size": 3, "gamma": 0.5}),
    ("ExponentialLR", {"gamma": 0.9}),
    ("MultiStepLR", {"milestones": [2, 5, 5], "gamma": 0.1}),
    ("LambdaLR", {"lr_lambda": lambda epoch: 1.0 / (epoch + 1)}),
]


@needs_torch
@pytest.mark.parametrize("name,kwargs", SCHEDULERS, ids=[n for n, _ in SCHEDULERS])
def test_scheduler_learning_rates_match_torch(name: str, kwargs: dict[str, Any]) -> None:
    lrs = []
    for lib in (tg, torch):
        model = _model(lib)
        opt = lib.optim.SGD(
            [{"params": model[0].parameters()}, {"params": model[2].parameters(), "lr": 0.3}],
            lr=0.1,
        )
        sched = getattr(lib.optim.lr_scheduler, name)(opt, **kwargs)
        seen = []
        for _ in range(8):
            opt.step()
            sched.step()
            seen.append(sched.get_last_lr() + [g["lr"] for g in opt.param_groups])
        lrs.append(seen)
    np.testing.assert_allclose(lrs[0], lrs[1], rtol=1e-15)


@needs_torch
def test_scheduler_closed_form_with_epoch_matches_torch() -> None:
    lrs = []
    for lib in (tg, torch):
        opt = lib.optim.SGD(_model(lib).parameters(), lr=1.0)
        sched = lib.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
        opt.step()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sched.step(epoch=5)
        lrs.append(sched.get_last_lr())
    assert lrs[0] == lrs[1]


def test_scheduler_warns_when_stepped_before_the_optimizer() -> None:
    opt = optim.SGD(nn.Linear(1, 1).parameters(), lr=1.0)
    sched = optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    with pytest.warns(
        UserWarning,
        match=r"Detected call of `lr_scheduler.step\(\)` before "
        r"`optimizer.step\(\)`",
    ):
        sched.step()
    state = sched.state_dict()
    assert "optimizer" not in state and state["last_epoch"] == 1
    with pytest.raises(TypeError, match="int is not an Optimizer"):
        optim.lr_scheduler.StepLR(3, step_size=1)


# ---------------------------------- updates to the last bit (Adagrad ... ASGD, Adam, SGD)

EXACT: list[tuple[str, dict[str, Any]]] = [
    ("Adagrad", {}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.1, "eps": 1e-6}),
    ("Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.5, "maximize": True}),
    ("NAdam", {}),
    ("NAdam", {"weight_decay": 0.1, "momentum_decay": 0.01}),
    ("NAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("RAdam", {}),
    ("RAdam", {"lr": 0.01, "betas": (0.8, 0.9), "weight_decay": 0.1}),
    ("RAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True}),
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.8, "weight_decay": 0.1, "maximize": True}),
    ("Adamax", {}),
    ("Adamax", {"lr": 0.01, "betas": (0.8, 0.9), "weight_decay": 0.1, "eps": 1e-4}),
    ("Rprop", {}),
    ("Rprop", {"lr": 0.1, "etas": (0.3, 1.7), "step_sizes": (1e-3, 0.2), "maximize": True}),
    ("ASGD", {}),
    ("ASGD", {"lr": 0.05, "lambd": 0.01, "alpha": 0.5, "t0": 5, "weight_decay": 0.1}),
    ("Adam", {}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True}),
    ("AdamW", {"lr": 0.01, "betas": (0.8, 0.99)}),
    ("RMSprop", {"momentum": 0.5, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "maximize": True}),
    ("RMSprop", {"centered": True, "momentum": 0.5, "weight_decay": 0.1}),
    ("NAdam", {"lr": 0.01, "weight_decay": 0.1, "momentum_decay": 0.01}),
]


def _fed_trajectory(
    lib: Any, name: str, kwargs: dict[str, Any], steps: int, dtype: Any
) -> list[list[np.ndarray]]:
    """Parameters after each step when the gradients are given (the same arrays for both
    libraries: backward through a model is not bit-identical to PyTorch's, the update is)."""
    r, r0 = np.random.default_rng(1), np.random.default_rng(2)
    params = [
        lib.tensor(r.standard_normal(s).astype(dtype), requires_grad=True) for s in (6, (2, 3))
    ]  # and a 0-d one: numpy's arithmetic on it gives scalars, not arrays
    params.append(lib.tensor(np.asarray(r0.standard_normal(), dtype), requires_grad=True))
    opt = getattr(lib.optim, name)(params, **kwargs)
    history = []
    for _ in range(steps):
        for p in params:
            p.grad = lib.tensor(np.asarray((r if p.ndim else r0).standard_normal(p.shape), dtype))
        opt.step()
        history.append([p.detach().numpy().copy() for p in params])
    return history


@needs_torch
@pytest.mark.parametrize("name,kwargs", EXACT, ids=[f"{n}-{i}" for i, (n, _) in enumerate(EXACT)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_optimizer_updates_follow_torch_to_the_last_bit(
    name: str, kwargs: dict[str, Any], dtype: Any
) -> None:
    # Not ==: PyTorch's CPU kernels round x + a * b once (a fused multiply-add) in
    # add(alpha=), addcmul and lerp, and its sqrt (MKL's vectorized one) is not correctly
    # rounded; the optimizers round as numpy does (parity/fma.py could emulate the fused
    # rounding, at 5-10 times the cost of a step: see optim/optimizer.py).
    ours = _fed_trajectory(tg, name, kwargs, 40, dtype)
    theirs = _fed_trajectory(torch, name, {**kwargs, "foreach": False}, 40, dtype)
    tol = {"rtol": 2e-6, "atol": 1e-7} if dtype == np.float32 else {"rtol": 1e-13, "atol": 1e-15}
    for step, (a, b) in enumerate(zip(ours, theirs)):
        for i, (p, q) in enumerate(zip(a, b)):
            np.testing.assert_allclose(p, q, **tol, err_msg=f"step {step}, parameter {i}")


@needs_torch
@pytest.mark.parametrize("name,kwargs", EXACT[1::3], ids=lambda v: str(v))
def test_new_optimizers_state_dict_round_trips_through_torch(
    name: str, kwargs: dict[str, Any]
) -> None:
    x, y = _data()

    def train(lib: Any, model: Any, opt: Any, steps: int) -> None:
        for _ in range(steps):
            opt.zero_grad()
            lib.nn.functional.mse_loss(model(lib.tensor(x)), lib.tensor(y)).backward()
            opt.step()

    ours, theirs = _model(tg), _model(torch)
    ours_opt = getattr(tg.optim, name)(ours.parameters(), **kwargs)
    theirs_opt = getattr(torch.optim, name)(theirs.parameters(), **kwargs)
    train(tg, ours, ours_opt, 3)
    train(torch, theirs, theirs_opt, 3)
    saved = ours_opt.state_dict()
    assert saved["param_groups"] == theirs_opt.state_dict()["param_groups"]
    # ours -> torch: torch continues from our state as from its own
    resumed = getattr(torch.optim, name)(theirs.parameters(), lr=123.0)
    resumed.load_state_dict(
        {
            "state": {
                k: {f: torch.tensor(v.numpy()) for f, v in s.items()}
                for k, s in saved["state"].items()
            },
            "param_groups": saved["param_groups"],
        }
    )
    # torch -> ours
    back = getattr(tg.optim, name)(ours.parameters(), lr=123.0)
    theirs_state = resumed.state_dict()
    back.load_state_dict(
        {
            "state": {
                k: {f: tg.tensor(v.numpy()) for f, v in s.items()}
                for k, s in theirs_state["state"].items()
            },
            "param_groups": theirs_state["param_groups"],
        }
    )
    train(torch, theirs, resumed, 3)
    train(tg, ours, back, 3)
    for p, q in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_new_optimizers_argument_validation_matches_torch() -> None:
    params = list(nn.Linear(2, 1).parameters())
    with pytest.raises(ValueError, match="Invalid lr_decay value: -1"):
        optim.Adagrad(params, lr_decay=-1)
    with pytest.raises(ValueError, match="Invalid initial_accumulator_value value: -1"):
        optim.Adagrad(params, initial_accumulator_value=-1)
    with pytest.raises(ValueError, match="Invalid momentum_decay value: -1"):
        optim.NAdam(params, momentum_decay=-1)
    with pytest.raises(ValueError, match="Invalid beta parameter at index 1: 1.0"):
        optim.RAdam(params, betas=(0.9, 1.0))


@needs_torch
@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("Adadelta", {"lr": -1}),
        ("Adadelta", {"rho": 1.5}),
        ("Adadelta", {"eps": -1}),
        ("Adadelta", {"weight_decay": -1}),
        ("Adamax", {"betas": (1.0, 0.9)}),
        ("Adamax", {"eps": -1}),
        ("Rprop", {"lr": -1}),
        ("Rprop", {"etas": (1.5, 2.0)}),
        ("Rprop", {"etas": (0.5, 0.9)}),
        ("ASGD", {"lr": -1}),
        ("ASGD", {"weight_decay": -1}),
    ],
)
def test_more_optimizers_reject_bad_arguments_as_torch(name: str, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim, name)(_model(torch).parameters(), **kwargs)
    with pytest.raises(ValueError) as ours:
        getattr(optim, name)(_model(tg).parameters(), **kwargs)
    assert str(ours.value) == str(theirs.value)


@needs_torch
@pytest.mark.parametrize("name", ["Adadelta", "Adamax", "Rprop", "ASGD"])
def test_more_optimizers_defaults_repr_and_state_dict_match_torch(name: str) -> None:
    dicts, reprs = [], []
    for lib in (tg, torch):
        model = _model(lib)
        opt = getattr(lib.optim, name)(model.parameters())
        x, y = (lib.tensor(a) for a in _data())
        lib.nn.functional.mse_loss(model(x), y).backward()
        opt.step()
        dicts.append(opt.state_dict())
        reprs.append(repr(opt))
    ours, theirs = dicts
    assert reprs[0] == reprs[1]
    assert ours["param_groups"] == theirs["param_groups"]
    for key in theirs["state"]:
        assert list(ours["state"][key]) == list(theirs["state"][key])
        for field, value in ours["state"][key].items():
            other = theirs["state"][key][field]
            assert str(value.dtype).split(".")[-1] == str(other.dtype).split(".")[-1]
            assert value.shape == other.shape
            np.testing.assert_allclose(value.numpy(), other.numpy(), rtol=1e-5, atol=1e-7)


@needs_torch
@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta",
                                  "Adamax", "ASGD", "NAdam", "RAdam", "Rprop", "Adafactor"])
@pytest.mark.parametrize("maximize", [False, True])
def test_an_optimizer_steps_a_0d_parameter_as_torch(name: str, maximize: bool) -> None:
    """A learnable scalar (a temperature, a loss weight): numpy's arithmetic on a 0-d array
    gives a numpy scalar, which ``out=`` and item assignment reject. RAdam (from its 6th
    step, the rectified one), NAdam and Rprop raised TypeError."""
    kwargs = {"maximize": True} if maximize else {}
    ours = _fed_trajectory(tg, name, kwargs, 10, np.float32)
    theirs = _fed_trajectory(torch, name, kwargs, 10, np.float32)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a[-1], b[-1], rtol=1e-5, atol=1e-7)
