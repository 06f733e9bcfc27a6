"""``tg.func`` (``torch.func``) against torch: functional_call, grad, vjp, jvp, jacrev,
jacfwd, hessian, linearize and vmap, alone and composed, with PyTorch's errors; and
PyTorch's two function-transform tutorials ("per-sample gradients"; "Jacobians, Hessians,
hvp, vhp, and more") recreated at a small size.

Each test runs the same code with ``L = tg`` and ``L = torch``. Float64 values are compared
with a 1e-12 tolerance, not bit for bit: PyTorch's jvp/jacfwd use forward-mode AD, ours
the double-backward trick (the same derivative, summed in another order).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.nn.utils import stateless

torch = pytest.importorskip("torch")

LIBS = (tg, torch)
RNG = np.random.default_rng(0)
A = RNG.standard_normal((3, 4))
B = RNG.standard_normal(4)
V = RNG.standard_normal(3)
X3 = RNG.standard_normal((2, 3, 4))
X2 = RNG.standard_normal((5, 4))


def _np(x: Any) -> Any:
    """Tensors as numpy arrays, through tuples, lists and dicts."""
    if isinstance(x, (tuple, list)):
        return type(x)(_np(v) for v in x)
    if isinstance(x, dict):
        return {k: _np(v) for k, v in x.items()}
    return x.detach().numpy() if hasattr(x, "detach") else x


def _close(ours: Any, theirs: Any, rtol: float = 1e-12, atol: float = 1e-12) -> None:
    """Same structure, shapes, dtypes, and values within the tolerance."""
    ours, theirs = _np(ours), _np(theirs)
    assert type(ours) is type(theirs), (type(ours), type(theirs))
    if isinstance(ours, (tuple, list)):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _close(a, b, rtol, atol)
    elif isinstance(ours, dict):
        assert list(ours) == list(theirs)
        for k in ours:
            _close(ours[k], theirs[k], rtol, atol)
    else:
        assert ours.shape == theirs.shape and ours.dtype == theirs.dtype, (ours, theirs)
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)


def _both(make: Callable[[Any], Any]) -> tuple[Any, Any]:
    """``make(tg)`` and ``make(torch)``."""
    return make(tg), make(torch)


def _same_error(make: Callable[[Any], Any]) -> None:
    """``make(L)`` raises the same exception class and message with both libraries."""
    raised = []
    for L in LIBS:
        with pytest.raises(Exception) as info:
            make(L)
        raised.append((type(info.value).__name__, str(info.value)))
    ours, theirs = raised
    assert ours == (theirs[0], theirs[1].replace("torch.", "tinygrad_edu.")), raised


# ---------------------------------------------------------------------------- functional_call
def _linear(L: Any) -> Any:
    m = L.nn.Linear(4, 3).double()
    with L.no_grad():
        m.weight.copy_(L.tensor(A))
        m.bias.zero_()
    return m


def test_functional_call_uses_the_given_tensors_and_grads_reach_them() -> None:
    def run(L: Any) -> Any:
        m = _linear(L)
        w = L.tensor(A * 2, requires_grad=True)
        out = L.func.functional_call(m, {"weight": w}, (L.tensor(B).reshape(1, 4),))
        (out ** 2).sum().backward()
        return out, w.grad, m.weight.grad, m.weight  # (the module's own weight is back)

    ours, theirs = _both(run)
    _close(ours[:2], theirs[:2])
    assert ours[2] is None and theirs[2] is None
    _close(ours[3], theirs[3])


def test_functional_call_restores_the_module_after_an_exception() -> None:
    class Boom(tg.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.w = tg.nn.Parameter(tg.ones(2))

        def forward(self, x: Any) -> Any:
            raise ValueError("boom")

    m = Boom()
    original = m.w
    with pytest.raises(ValueError, match="boom"):
        tg.func.functional_call(m, {"w": tg.zeros(2), "extra": tg.zeros(1)}, tg.ones(2))
    assert m.w is original and dict(m.named_parameters()) == {"w": original}
    assert not hasattr(m, "extra")


def test_functional_call_params_and_buffers_dicts_match_torch() -> None:
    def run(L: Any) -> Any:
        L.manual_seed(0)
        m = L.nn.Sequential(L.nn.Linear(4, 3), L.nn.BatchNorm1d(3)).double().eval()
        params = {k: v.detach() * 2 for k, v in m.named_parameters()}
        buffers = {k: v.detach() + 1 for k, v in m.named_buffers()}
        x = L.tensor(np.stack([B, B * 3]))
        return L.func.functional_call(m, (params, buffers), x), m(x)

    ours, theirs = _both(run)
    _close(ours, theirs)


def test_functional_call_writes_reassigned_state_into_the_dict_not_the_module() -> None:
    def run(L: Any) -> Any:
        class Counter(L.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.register_buffer("count", L.zeros(()))

            def forward(self, x: Any) -> Any:
                self.count = self.count + 1
                return x + self.count

        m = Counter()
        given = {"count": L.ones(())}
        out = L.func.functional_call(m, given, L.zeros(()))
        return out, given["count"], m.count

    ours, theirs = _both(run)
    _close(ours, theirs)


def test_functional_call_tied_weights() -> None:
    def run(L: Any) -> Any:
        class Tied(L.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.foo = L.nn.Parameter(L.ones(()))
                self.bar = self.foo

            def forward(self, x: Any) -> Any:
                return x + self.foo + self.bar

        m = Tied()
        z = L.zeros(())
        return (L.func.functional_call(m, {"foo": z}, z),
                L.func.functional_call(m, {"foo": z}, z, tie_weights=False))

    _close(*_both(run))
    _same_error(lambda L: L.func.functional_call(
        _tied_module(L), {"foo": L.zeros(()), "bar": L.ones(())}, L.zeros(())))


def _tied_module(L: Any) -> Any:
    m = L.nn.Module()
    m.foo = L.nn.Parameter(L.ones(()))
    m.bar = m.foo
    return m


@pytest.mark.parametrize("given", [{"weight": 1}, {"weight": 1, "bias": 1, "zz": 1}])
def test_functional_call_strict_errors_as_torch(given: dict[str, int]) -> None:
    _same_error(lambda L: L.func.functional_call(
        _linear(L), {k: L.zeros(1) for k in given}, L.zeros(1, 4), strict=True))


def test_functional_call_bad_dicts_as_torch() -> None:
    _same_error(lambda L: L.func.functional_call(_linear(L), 3, L.zeros(1, 4)))
    _same_error(lambda L: L.func.functional_call(_linear(L), [{}, 3], L.zeros(1, 4)))
    _same_error(lambda L: L.func.functional_call(
        _linear(L), ({"bias": L.zeros(3)}, {"bias": L.zeros(3)}), L.zeros(1, 4)))


def test_stateless_functional_call_warns_and_delegates() -> None:
    m = _linear(tg)
    with pytest.warns(FutureWarning, match="torch.func.functional_call"):
        out = stateless.functional_call(m, {"bias": tg.ones(3, dtype=tg.float64)},
                                        tg.tensor(B).reshape(1, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = torch.nn.utils.stateless.functional_call(
            _linear(torch), {"bias": torch.ones(3, dtype=torch.float64)},
            torch.tensor(B).reshape(1, 4))
    _close(out, expected)


def test_stack_module_state_as_torch() -> None:
    def run(L: Any) -> Any:
        L.manual_seed(0)
        models = [L.nn.Sequential(L.nn.Linear(3, 2), L.nn.BatchNorm1d(2)) for _ in range(4)]
        params, buffers = L.func.stack_module_state(models)
        return ({k: (tuple(v.shape), v.requires_grad, v.is_leaf) for k, v in params.items()},
                {k: tuple(v.shape) for k, v in buffers.items()}, params["0.weight"])

    ours, theirs = _both(run)
    assert ours[:2] == theirs[:2]
    np.testing.assert_array_equal(_np(ours[2]), _np(theirs[2]))  # (the same seeded draws)
    _same_error(lambda L: L.func.stack_module_state([]))
    _same_error(lambda L: L.func.stack_module_state([L.nn.Linear(1, 1), L.nn.ReLU()]))
    _same_error(lambda L: L.func.stack_module_state([L.nn.Linear(1, 1),
                                                     L.nn.Linear(1, 1).eval()]))


# ---------------------------------------------------------------------------- grad
def _f(L: Any) -> Callable[..., Any]:
    def f(x: Any, y: Any) -> Any:
        return (L.sin(x) * y.exp().sum()).pow(2).sum()
    return f


def test_grad_argnums_and_grad_and_value_as_torch() -> None:
    def run(L: Any) -> Any:
        x, y = L.tensor(V), L.tensor(B)
        return (L.func.grad(_f(L))(x, y), L.func.grad(_f(L), argnums=1)(x, y),
                L.func.grad(_f(L), argnums=(0, 1))(x, y),
                L.func.grad(_f(L), argnums=-1)(x, y),
                L.func.grad_and_value(_f(L), argnums=(1,))(x, y))

    _close(*_both(run))


def test_grad_of_dicts_and_aux_as_torch() -> None:
    def run(L: Any) -> Any:
        def loss(params: dict[str, Any], x: Any) -> Any:
            h = (params["w"] @ x + params["b"]).tanh()
            return h.sum(), {"h": h}

        params = {"w": L.tensor(A), "b": L.tensor(V)}
        g, aux = L.func.grad(loss, has_aux=True)(params, L.tensor(B))
        _, (value, aux2) = L.func.grad_and_value(loss, has_aux=True)(params, L.tensor(B))
        return g, aux, value, aux2, aux["h"].requires_grad

    ours, theirs = _both(run)
    _close(ours[:4], theirs[:4])
    assert ours[4] is theirs[4] is False


def test_grad_of_grad_as_torch() -> None:
    def run(L: Any) -> Any:
        x = L.tensor(1.3, dtype=L.float64)
        f = lambda x: x.sin() * x ** 3  # noqa: E731
        second = L.func.grad(L.func.grad(f))(x)
        third = L.func.grad(L.func.grad(L.func.grad(f)))(x)
        return second, third, second.requires_grad

    ours, theirs = _both(run)
    _close(ours[:2], theirs[:2])
    assert ours[2] is theirs[2] is False


def test_grad_of_inner_grad_closing_over_the_outer_variable() -> None:
    """Perturbation confusion: d/dx [x * d/dy (x * y)] = 2x, not x (the inner derivative
    must not see the outer x as its own variable)."""
    def run(L: Any) -> Any:
        def outer(x: Any) -> Any:
            return x * L.func.grad(lambda y: x * y)(x)
        return L.func.grad(outer)(L.tensor(3.0, dtype=L.float64))

    ours, theirs = _both(run)
    _close(ours, theirs)
    assert ours.item() == 6.0


def test_grad_result_stays_in_the_graph_of_inputs_that_require_grad() -> None:
    def run(L: Any) -> Any:
        x = L.tensor(V, requires_grad=True)
        w = L.tensor(V * 2, requires_grad=True)
        g = L.func.grad(lambda x: (x ** 3 * w).sum())(x)
        g.sum().backward()
        const = L.func.grad(lambda x: (x * 2).sum())(x)
        return g, x.grad, w.grad, g.requires_grad, const.requires_grad

    ours, theirs = _both(run)
    _close(ours[:3], theirs[:3])
    assert ours[3:] == theirs[3:] == (True, False)


def test_grad_unused_input_is_zeros_and_no_grad_outside_is_ignored() -> None:
    def run(L: Any) -> Any:
        with L.no_grad():
            g = L.func.grad(lambda x, y: (x * 2).sum(), argnums=(0, 1))(L.tensor(V), L.tensor(B))
        return g, L.func.grad(lambda x: L.tensor(1.0))(L.tensor(V))

    _close(*_both(run))


@pytest.mark.parametrize("case", ["vector", "not_tensor", "aux", "argnums_range", "argnums_dup",
                                  "argnums_type", "argnums_empty", "input_not_tensor"])
def test_grad_errors_as_torch(case: str) -> None:
    def make(L: Any) -> Any:
        x = L.tensor(V)
        calls = {
            "vector": lambda: L.func.grad(lambda x: x * 2)(x),
            "not_tensor": lambda: L.func.grad(lambda x: 3.0)(x),
            "aux": lambda: L.func.grad(lambda x: x.sum(), has_aux=True)(x),
            "argnums_range": lambda: L.func.grad(lambda x: x.sum(), argnums=3)(x),
            "argnums_dup": lambda: L.func.grad(lambda x, y: x.sum(), argnums=(0, -2))(x, x),
            "argnums_type": lambda: L.func.grad(lambda x: x.sum(), argnums=[0])(x),
            "argnums_empty": lambda: L.func.grad(lambda x: x.sum(), argnums=())(x),
            "input_not_tensor": lambda: L.func.grad(lambda x: L.tensor(1.0))(3.0),
        }
        return calls[case]()

    _same_error(make)


# ---------------------------------------------------------------------------- vjp, jvp
def _g(L: Any) -> Callable[..., Any]:
    def g(x: Any, y: Any) -> Any:
        return (L.tensor(A) @ x.tanh()) * y[:3], {"s": (x * y).sum()}
    return g


def test_vjp_as_torch() -> None:
    def run(L: Any) -> Any:
        x, y = L.tensor(B), L.tensor(B[::-1].copy())
        out, vjp_fn = L.func.vjp(_g(L), x, y)
        ct = (L.tensor(V), {"s": L.tensor(2.0, dtype=L.float64)})
        out2, vjp_fn2, aux = L.func.vjp(lambda x: (x.exp(), x.sum()), x, has_aux=True)
        return out, vjp_fn(ct), vjp_fn(ct), out2, aux, vjp_fn2(L.tensor(V[:1].repeat(4)))

    _close(*_both(run))


def test_vjp_errors_as_torch() -> None:
    def cotangent_structure(L: Any) -> Any:
        _, vjp_fn = L.func.vjp(_g(L), L.tensor(B), L.tensor(B))
        return vjp_fn(L.tensor(V))

    _same_error(cotangent_structure)
    _same_error(lambda L: L.func.vjp(lambda x: 3, L.tensor(B)))
    _same_error(lambda L: L.func.vjp(lambda x: (x > 0).long(), L.tensor(B)))
    _same_error(lambda L: L.func.vjp(lambda x: x, L.tensor(B), has_aux=True))


def test_jvp_as_torch() -> None:
    def run(L: Any) -> Any:
        primals, tangents = (L.tensor(B), L.tensor(B * 0.5)), (L.tensor(V[:1].repeat(4)),
                                                                L.tensor(B))
        out, tangent_out = L.func.jvp(_g(L), primals, tangents)
        aux = L.func.jvp(lambda x: (x.sin(), x.cos()), (L.tensor(B),), (L.tensor(B),),
                         has_aux=True)
        return out, tangent_out, aux

    _close(*_both(run))


def test_jvp_errors_as_torch() -> None:
    _same_error(lambda L: L.func.jvp(lambda x: x, L.tensor(B), (L.tensor(B),)))
    _same_error(lambda L: L.func.jvp(lambda x: x, (L.tensor(B),), [L.tensor(B)]))
    _same_error(lambda L: L.func.jvp(lambda x: x, (), ()))
    _same_error(lambda L: L.func.jvp(lambda x: x, (3.0,), (1.0,)))
    _same_error(lambda L: L.func.jvp(lambda x: x, (L.ones(3),), (L.ones(2),)))
    _same_error(lambda L: L.func.jvp(lambda x: L.ones(2, dtype=L.float64), (L.tensor(B),),
                                     (L.tensor(B),), strict=True))


@pytest.mark.filterwarnings("ignore::UserWarning")  # (torch's tracer in linearize)
def test_linearize_as_torch() -> None:
    def run(L: Any) -> Any:
        out, jvp_fn = L.func.linearize(lambda x, y: (x.sin() * y, x.sum()), L.tensor(B),
                                       L.tensor(B * 2))
        return out, jvp_fn(L.tensor(B), L.tensor(B * 3)), jvp_fn(L.tensor(V[:1].repeat(4)),
                                                                 L.tensor(B))

    _close(*_both(run))


# ---------------------------------------------------------------------------- Jacobians
def test_jacrev_jacfwd_hessian_as_torch() -> None:
    def run(L: Any) -> Any:
        x, y = L.tensor(B), L.tensor(B[::-1].copy())
        F = L.func
        return (F.jacrev(_g(L))(x, y), F.jacrev(_g(L), argnums=(0, 1))(x, y),
                F.jacfwd(_g(L), argnums=1)(x, y),
                F.jacrev(lambda d: d["a"] * d["b"].sum())({"a": x, "b": y}),
                F.jacrev(lambda x: (x.exp(), x.sum()), has_aux=True)(x),
                F.jacfwd(lambda x: (x.exp(), x.sum()), has_aux=True)(x),
                F.hessian(lambda x, y: (x.sin() * y).sum() * x.pow(2).sum(), argnums=(0, 1))(x, y))

    _close(*_both(run))


def test_jacobian_errors_as_torch() -> None:
    _same_error(lambda L: L.func.jacrev(lambda x: x, chunk_size=0))
    _same_error(lambda L: L.func.jacrev(lambda x: 3.0)(L.tensor(B)))
    _same_error(lambda L: L.func.jacfwd(lambda x: x + L.randn(4), randomness="bad")(L.tensor(B)))
    _same_error(lambda L: L.func.jacfwd(lambda x: x + L.randn(4))(L.tensor(B)))


# ---------------------------------------------------------------------------- vmap
def test_vmap_in_dims_and_out_dims_forms_as_torch() -> None:
    def run(L: Any) -> Any:
        X = L.tensor(X3)
        w, v = L.tensor(B), L.tensor(V)
        vm = L.func.vmap
        return (vm(lambda x: x @ w)(X),
                vm(lambda x, w: x @ w, in_dims=(1, None))(X, w),
                vm(lambda x: x.sum(0), in_dims=-1)(X),
                vm(lambda d, s: d["a"].sum() * s + d["b"], in_dims=({"a": 0, "b": None}, None))(
                    {"a": X, "b": v}, 2.0),
                vm(lambda x: (x, {"k": x * 2}), out_dims=(0, {"k": 1}))(X),
                vm(lambda x: [x, x.sum()], out_dims=-1)(X),
                vm(lambda x: x, out_dims=(1,))(X),
                vm(lambda x: (x.sum(), v), out_dims=(0, None))(X),
                vm(lambda x, *, k: x * k)(X, k=w),
                vm(vm(lambda x: x.sum()), in_dims=1)(X),
                vm(lambda x: x * 2)(L.ones(0, 3, dtype=L.float64)))

    _close(*_both(run))
    assert tg.vmap is tg.func.vmap


@pytest.mark.parametrize("case", ["sizes", "in_dims_list", "in_dims_none", "no_inputs",
                                  "structure", "dict_keys", "in_dim_range", "in_dim_type",
                                  "non_tensor_input", "no_batched", "out_structure", "out_type",
                                  "not_tensor_out", "batched_out_none", "out_dim_range",
                                  "chunk_size", "randomness_arg", "random_draw"])
def test_vmap_errors_as_torch(case: str) -> None:
    def make(L: Any) -> Any:
        x, vm = L.ones(2, 3), L.func.vmap

        def ident(x: Any) -> Any:
            return x

        calls = {
            "sizes": lambda: vm(lambda a, b: a + b)(L.ones(2), L.ones(3)),
            "in_dims_list": lambda: vm(ident, in_dims=[0])(x),
            "in_dims_none": lambda: vm(ident, in_dims=None)(x),
            "no_inputs": lambda: vm(lambda: 1)(),
            "structure": lambda: vm(lambda a, b: a, in_dims=(0,))(x, x),
            "dict_keys": lambda: vm(lambda d: d["a"], in_dims=({"a": 0, "c": None},))(
                {"a": x, "b": x}),
            "in_dim_range": lambda: vm(ident, in_dims=(2,))(x),
            "in_dim_type": lambda: vm(ident, in_dims=("a",))(x),
            "non_tensor_input": lambda: vm(lambda a, b: a, in_dims=(0, 0))(x, None),
            "no_batched": lambda: vm(ident, in_dims=(None,))(x),
            "out_structure": lambda: vm(ident, out_dims=(1, 2))(x),
            "out_type": lambda: vm(ident, out_dims="a")(x),
            "not_tensor_out": lambda: vm(lambda x: 3.0)(x),
            "batched_out_none": lambda: vm(ident, out_dims=None)(L.tensor([1.0, 2.0])),
            "out_dim_range": lambda: vm(ident, out_dims=2)(x),
            "chunk_size": lambda: vm(ident, chunk_size=0),
            "randomness_arg": lambda: vm(ident, randomness="bad"),
            "random_draw": lambda: vm(lambda x: x + L.randn(3))(x),
        }
        return calls[case]()

    _same_error(make)


def test_vmap_random_error_leaves_the_generator_untouched() -> None:
    tg.manual_seed(3)
    with pytest.raises(RuntimeError, match="randomness error mode"):
        tg.func.vmap(lambda x: x + tg.randn(3))(tg.ones(2, 3))
    torch.manual_seed(3)
    np.testing.assert_array_equal(tg.randn(5).numpy(), torch.randn(5).numpy())


def test_vmap_randomness_same_draws_torchs_numbers() -> None:
    def run(L: Any) -> Any:
        L.manual_seed(7)
        out = L.func.vmap(lambda x: x + L.randn(3), randomness="same")(L.zeros(4, 3))
        return out, L.rand(2)  # (and the generator moved on as torch's: one draw)

    ours, theirs = _both(run)
    for a, b in zip(_np(ours), _np(theirs)):
        np.testing.assert_array_equal(a, b)


def test_vmap_randomness_different_draws_per_slice() -> None:
    out = tg.func.vmap(lambda x: x + tg.randn(3), randomness="different")(tg.zeros(4, 3))
    assert out.shape == (4, 3) and len({tuple(r) for r in out.tolist()}) == 4


def test_grad_of_vmap_and_vmap_of_grad_as_torch() -> None:
    def run(L: Any) -> Any:
        X, w = L.tensor(X2), L.tensor(B)
        F = L.func

        def loss(w: Any, x: Any) -> Any:
            return (x @ w).tanh() ** 2

        return (F.grad(lambda w: F.vmap(loss, in_dims=(None, 0))(w, X).sum())(w),
                F.vmap(F.grad(loss), in_dims=(None, 0))(w, X),
                F.vmap(F.jacrev(lambda x: x.sin() * w))(X))

    _close(*_both(run))


# ---------------------------------------------------------------------------- tutorials
def _cnn(L: Any) -> Any:
    """The tutorial's SimpleCNN, smaller: 1x10x10 images, 4 and 8 channels."""
    nn, F = L.nn, L.nn.functional

    class SimpleCNN(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(1, 4, 3, 1)
            self.conv2 = nn.Conv2d(4, 8, 3, 1)
            self.fc1 = nn.Linear(72, 16)
            self.fc2 = nn.Linear(16, 10)

        def forward(self, x: Any) -> Any:
            x = F.relu(self.conv2(F.relu(self.conv1(x))))
            x = L.flatten(F.max_pool2d(x, 2), 1)
            return F.log_softmax(self.fc2(F.relu(self.fc1(x))), dim=1)

    return SimpleCNN()


def test_tutorial_per_sample_gradients() -> None:
    """PyTorch's "Per-sample-gradients" tutorial: functional_call + grad + vmap."""
    rng = np.random.default_rng(5)
    data = rng.standard_normal((8, 1, 10, 10)).astype(np.float32)
    targets = rng.integers(0, 10, 8)
    torch_model = _cnn(torch)
    state = {k: v.detach().numpy().copy() for k, v in torch_model.state_dict().items()}

    def run(L: Any) -> Any:
        model = _cnn(L) if L is tg else torch_model
        if L is tg:
            model.load_state_dict({k: tg.tensor(v) for k, v in state.items()})
        F = L.nn.functional
        params = {k: v.detach() for k, v in model.named_parameters()}
        buffers = {k: v.detach() for k, v in model.named_buffers()}

        def compute_loss(params: Any, buffers: Any, sample: Any, target: Any) -> Any:
            predictions = L.func.functional_call(model, (params, buffers),
                                                 (sample.unsqueeze(0),))
            return F.nll_loss(predictions, target.unsqueeze(0))

        per_sample = L.func.vmap(L.func.grad(compute_loss), in_dims=(None, None, 0, 0))(
            params, buffers, L.tensor(data), L.tensor(targets))
        loop = [L.autograd.grad(F.nll_loss(model(L.tensor(data[i:i + 1])),
                                           L.tensor(targets[i:i + 1])),
                                list(model.parameters())) for i in range(8)]
        return per_sample, loop

    (ours, our_loop), (theirs, _) = _both(run)
    _close(ours, theirs, rtol=1e-6, atol=1e-6)  # float32: conv sums in another order
    for k, name in enumerate(ours):  # ... and exactly our own per-sample loop
        for i in range(8):
            np.testing.assert_array_equal(_np(ours[name][i]), _np(our_loop[i][k]))


def test_tutorial_jacobians_hessians_hvp_vhp() -> None:
    """PyTorch's "Jacobians, Hessians, hvp, vhp, and more" tutorial, at D=5."""
    rng = np.random.default_rng(6)
    D, batch, d_in, d_out = 5, 4, 3, 5
    arrays = [rng.standard_normal(s) for s in ((D, D), (D,), (D,), (d_out, d_in), (d_out,),
                                               (batch, d_in), (16,), (16,))]

    def run(L: Any) -> Any:
        weight, bias, x, bweight, bbias, bx, hx, tangent = [L.tensor(a) for a in arrays]
        F = L.func

        def predict(weight: Any, bias: Any, x: Any) -> Any:
            return L.nn.functional.linear(x, weight, bias).tanh()

        def hvp(f: Any, primals: Any, tangents: Any) -> Any:
            return F.jvp(F.grad(f), primals, tangents)[1]

        def hvp_revrev(f: Any, primals: Any, tangents: Any) -> Any:
            _, vjp_fn = F.vjp(F.grad(f), *primals)
            return vjp_fn(*tangents)

        def f(x: Any) -> Any:
            return x.sin().sum()

        summed = lambda w, b, x: predict(w, b, x).sum(0)  # noqa: E731
        return (F.jacrev(predict, argnums=2)(weight, bias, x),
                F.jacrev(predict, argnums=(0, 1))(weight, bias, x),
                F.jacfwd(predict, argnums=2)(weight, bias, x),
                F.hessian(predict, argnums=2)(weight, bias, x),
                F.jacfwd(F.jacfwd(predict, argnums=2), argnums=2)(weight, bias, x),
                F.jacrev(F.jacrev(predict, argnums=2), argnums=2)(weight, bias, x),
                F.vmap(F.jacrev(predict, argnums=2), in_dims=(None, None, 0))(bweight, bbias, bx),
                F.jacrev(summed, argnums=2)(bweight, bbias, bx).movedim(1, 0),
                F.vmap(F.hessian(predict, argnums=2), in_dims=(None, None, 0))(bweight, bbias,
                                                                               bx),
                hvp(f, (hx,), (tangent,)), hvp_revrev(f, (hx,), (tangent,)))

    _close(*_both(run))


# ---------------------------------------------------------------------------- signatures
@pytest.mark.parametrize("name", tg.func.__all__)
def test_signatures_as_torch(name: str) -> None:
    """Parameter names, kinds and defaults of each transform as torch.func's (jacrev's
    private ``_preallocate_and_copy`` aside)."""
    import inspect

    def params(fn: Any) -> list[tuple[str, Any, Any]]:
        return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()
                if not p.name.startswith("_")]

    assert params(getattr(tg.func, name)) == params(getattr(torch.func, name))
    assert params(stateless.functional_call) == params(torch.nn.utils.stateless.functional_call)
    assert params(tg.vmap) == params(torch.vmap)
