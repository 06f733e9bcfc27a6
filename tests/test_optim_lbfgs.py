"""``optim.LBFGS`` against ``torch.optim.LBFGS``: the same model and closure from the same
weights, with and without the strong Wolfe line search, on a quadratic, Rosenbrock and a
small MLP; the state_dict round trip both ways; the argument errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from test_nn_layers import needs_torch, torch

import tinygrad_edu as tg
from tinygrad_edu import optim

# Losses and gradients computed with numpy, the same arrays for both libraries: backward
# through a model is not bit-identical to PyTorch's, and L-BFGS near a minimum magnifies
# the last bits of a gradient (test_lbfgs_with_autograd_closure uses the real backward).


def _quadratic(dtype: Any) -> tuple[list[np.ndarray], Any]:
    r = np.random.default_rng(0)
    a = r.standard_normal((6, 6)).astype(dtype)
    A, b = a @ a.T + np.eye(6, dtype=dtype), r.standard_normal(6).astype(dtype)

    def f(x: np.ndarray) -> tuple[Any, list[np.ndarray]]:
        Ax = A @ x
        return 0.5 * (x @ Ax) - b @ x, [Ax - b]

    return [r.standard_normal(6).astype(dtype)], f


def _rosenbrock(dtype: Any) -> tuple[list[np.ndarray], Any]:
    def f(x: np.ndarray) -> tuple[Any, list[np.ndarray]]:
        u, v = x[1:] - x[:-1] ** 2, 1 - x[:-1]
        g = np.zeros_like(x)
        g[:-1] = -400 * x[:-1] * u - 2 * v
        g[1:] += 200 * u
        return (100 * u**2 + v**2).sum(), [g]

    return [np.array([-1.2, 1.0, 0.5, -0.3, 1.5], dtype=dtype)], f


def _mlp(dtype: Any) -> tuple[list[np.ndarray], Any]:
    r = np.random.default_rng(1)
    params = [0.5 * r.standard_normal(s).astype(dtype) for s in [(8, 3), (8,), (1, 8), (1,)]]
    X = r.standard_normal((32, 3)).astype(dtype)
    y = np.sin(r.standard_normal((32, 1))).astype(dtype)

    def f(w1: np.ndarray, b1: np.ndarray, w2: np.ndarray, b2: np.ndarray) -> Any:
        h = np.tanh(X @ w1.T + b1)
        e = h @ w2.T + b2 - y
        de = 2 * e / e.size
        dh = (de @ w2) * (1 - h * h)
        return (e * e).mean(), [dh.T @ X, dh.sum(0), de.T @ h, de.sum(0)]

    return params, f


PROBLEMS = {"quadratic": _quadratic, "rosenbrock": _rosenbrock, "mlp": _mlp}


def _run(lib: Any, problem: str, dtype: Any, steps: int, **kwargs: Any) -> tuple[Any, Any, list]:
    arrays, f = PROBLEMS[problem](dtype)
    params = [lib.tensor(a, requires_grad=True) for a in arrays]
    opt = lib.optim.LBFGS(params, **kwargs)

    def closure() -> Any:
        loss, grads = f(*(p.detach().numpy() for p in params))
        for p, g in zip(params, grads):
            p.grad = lib.tensor(np.asarray(g, dtype))
        return lib.tensor(np.asarray(loss, dtype))

    history = []
    for _ in range(steps):
        loss = opt.step(closure)
        history.append((loss.item(), [p.detach().numpy().copy() for p in params]))
    return opt, closure, history


def _compare(ours: list, theirs: list, dtype: Any) -> None:
    tol = {"rtol": 1e-10, "atol": 1e-12} if dtype == np.float64 else {"rtol": 1e-3, "atol": 5e-4}
    for step, ((la, pa), (lb, pb)) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(la, lb, **tol, err_msg=f"loss, step {step}")
        for i, (p, q) in enumerate(zip(pa, pb)):
            np.testing.assert_allclose(p, q, **tol, err_msg=f"step {step}, parameter {i}")


# Short runs: PyTorch's dot products (MKL's ddot/sdot) add in another order than numpy's,
# and a long L-BFGS run amplifies those last bits (float64 still agrees to ~1e-13 here).
CASES = [
    {"max_iter": 5},
    {"max_iter": 5, "line_search_fn": "strong_wolfe"},
    {"lr": 0.5, "max_iter": 5, "history_size": 3},
    {"lr": 0.8, "max_iter": 6, "max_eval": 7, "history_size": 4, "line_search_fn": "strong_wolfe"},
]


@needs_torch
@pytest.mark.parametrize("problem", list(PROBLEMS))
@pytest.mark.parametrize("kwargs", CASES, ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_lbfgs_follows_torch(problem: str, kwargs: dict[str, Any], dtype: Any) -> None:
    ours_opt, _, ours = _run(tg, problem, dtype, 3, **kwargs)
    theirs_opt, _, theirs = _run(torch, problem, dtype, 3, **kwargs)
    _compare(ours, theirs, dtype)
    if dtype == np.float64:
        a, b = ours_opt.state_dict(), theirs_opt.state_dict()
        assert a["param_groups"] == b["param_groups"]
        assert list(a["state"][0]) == list(b["state"][0])
        for key in ("func_evals", "n_iter"):
            assert a["state"][0][key] == b["state"][0][key]
        np.testing.assert_allclose(
            a["state"][0]["d"].numpy(), b["state"][0]["d"].numpy(), rtol=1e-8, atol=1e-10
        )


@needs_torch
@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_with_autograd_closure(line_search_fn: str | None) -> None:
    """The usual closure: zero_grad, forward, backward through an nn model."""
    r = np.random.default_rng(2)
    X, y = r.standard_normal((16, 3)), r.standard_normal((16, 1))
    results = []
    for lib in (tg, torch):
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Linear(3, 6), lib.nn.Tanh(), lib.nn.Linear(6, 1)).double()
        opt = lib.optim.LBFGS(model.parameters(), max_iter=4, line_search_fn=line_search_fn)

        def closure() -> Any:
            opt.zero_grad()
            loss = lib.nn.functional.mse_loss(model(lib.tensor(X)), lib.tensor(y))
            loss.backward()
            return loss

        losses = [opt.step(closure).item() for _ in range(3)]
        results.append((losses, [p.detach().numpy().copy() for p in model.parameters()]))
    (la, pa), (lb, pb) = results
    np.testing.assert_allclose(la, lb, rtol=1e-9)
    for p, q in zip(pa, pb):
        np.testing.assert_allclose(p, q, rtol=1e-8, atol=1e-9)


def _to_torch(value: Any) -> Any:
    if isinstance(value, tg.Tensor):
        return torch.tensor(value.numpy())
    if isinstance(value, list):
        return [_to_torch(v) for v in value]
    return value


def _to_ours(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return tg.tensor(value.numpy())
    if isinstance(value, list):
        return [_to_ours(v) for v in value]
    return value


def _convert(saved: dict[str, Any], convert: Any) -> dict[str, Any]:
    return {
        "state": {k: {f: convert(v) for f, v in s.items()} for k, s in saved["state"].items()},
        "param_groups": saved["param_groups"],
    }


@needs_torch
@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_state_dict_round_trips_through_torch(line_search_fn: str | None) -> None:
    kwargs: dict[str, Any] = {"max_iter": 5, "history_size": 3, "line_search_fn": line_search_fn}
    ours_opt, ours_closure, _ = _run(tg, "mlp", np.float64, 2, **kwargs)
    theirs_opt, theirs_closure, _ = _run(torch, "mlp", np.float64, 2, **kwargs)
    saved = ours_opt.state_dict()
    types = {k: type(v).__name__ for k, v in saved["state"][0].items()}
    assert types == {
        k: type(v).__name__ for k, v in theirs_opt.state_dict()["state"][0].items()
    }
    # ours -> torch and torch -> ours, each continuing on the other's parameters
    theirs_opt.load_state_dict(_convert(saved, _to_torch))
    ours_opt.load_state_dict(_convert(theirs_opt.state_dict(), _to_ours))
    for _ in range(2):
        a, b = ours_opt.step(ours_closure), theirs_opt.step(theirs_closure)
        np.testing.assert_allclose(a.item(), b.item(), rtol=1e-10)
    for p, q in zip(ours_opt.param_groups[0]["params"], theirs_opt.param_groups[0]["params"]):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-9, atol=1e-12)
    assert ours_opt.state_dict()["state"][0]["func_evals"] == (
        theirs_opt.state_dict()["state"][0]["func_evals"]
    )


@needs_torch
@pytest.mark.parametrize(
    "make",
    [
        lambda lib, ps: lib.optim.LBFGS([{"params": ps[:1]}, {"params": ps[1:]}]),
        lambda lib, ps: lib.optim.LBFGS(ps, lr=-0.5),
        lambda lib, ps: lib.optim.LBFGS(ps, lr=lib.tensor([1.0, 2.0])),
    ],
)
def test_lbfgs_errors_match_torch(make: Any) -> None:
    errors = []
    for lib in (tg, torch):
        params = [lib.zeros(2, requires_grad=True), lib.zeros(3, requires_grad=True)]
        with pytest.raises(Exception) as info:
            make(lib, params)
        errors.append((type(info.value), str(info.value)))
    assert errors[0] == errors[1]


@needs_torch
def test_lbfgs_needs_a_closure_and_a_known_line_search() -> None:
    for lib in (tg, torch):
        x = lib.ones(3, requires_grad=True)
        opt = lib.optim.LBFGS([x], line_search_fn="armijo")
        with pytest.raises(TypeError, match="missing 1 required positional argument: 'closure'"):
            opt.step()  # type: ignore[call-arg]

        def closure() -> Any:
            opt.zero_grad()
            loss = (x * x).sum()
            loss.backward()
            return loss

        with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
            opt.step(closure)


def test_lbfgs_defaults_and_repr() -> None:
    opt = optim.LBFGS([tg.zeros(2, requires_grad=True)])
    group = opt.param_groups[0]
    assert (group["lr"], group["max_iter"], group["max_eval"], group["history_size"]) == (
        1, 20, 25, 100)
    assert (group["tolerance_grad"], group["tolerance_change"]) == (1e-7, 1e-9)
    assert group["line_search_fn"] is None
    assert "LBFGS (" in repr(opt)
