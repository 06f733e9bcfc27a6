"""``nn.utils.parametrize`` / ``parametrizations``, the hook-based ``weight_norm`` and
``spectral_norm``, batch-norm fusion, ``skip_init`` and the clip_grad additions, against
torch: values, gradients, state dict keys (both ways), class swapping, errors.

Where the computation is the same elementwise arithmetic the values are bit-equal; norms,
matrix products, matrix_exp, QR and solves sum in another order than PyTorch's kernels,
so those are compared with a tolerance of a few float32 ulps (rtol 1e-5).
"""

from __future__ import annotations

import pickle
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn.utils.parametrize as tgP

torch = pytest.importorskip("torch")
import torch.nn.utils.parametrize as torchP  # noqa: E402

LIBS = [(tg, tgP), (torch, torchP)]
X = np.random.default_rng(0).standard_normal((3, 5)).astype(np.float32)
IMAGES = np.random.default_rng(1).standard_normal((2, 3, 6, 6)).astype(np.float32)


def _np(t: Any) -> np.ndarray:
    return t.detach().numpy().copy()


def _close(a: Any, b: Any, rtol: float = 1e-5, atol: float = 1e-6) -> None:
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def _modules(L: Any) -> tuple[Any, Any]:
    class Symmetric(L.nn.Module):
        def forward(self, X: Any) -> Any:
            return X.triu() + X.triu(1).mT

        def right_inverse(self, A: Any) -> Any:
            return A.triu()

    class Sum(L.nn.Module):  # two originals: right_inverse returns a tuple
        def forward(self, a: Any, b: Any) -> Any:
            return a + b

        def right_inverse(self, w: Any) -> Any:
            return w * 0.5, w * 0.5

    return Symmetric, Sum


def _both(make: Callable[[Any, Any], Any]) -> list[Any]:
    return [make(L, P) for L, P in LIBS]


def _same_repr(a: Any, b: Any) -> None:
    assert repr(a) == repr(b).replace("torch", "tinygrad_edu")


# ------------------------------------------------------------------ parametrize


def test_register_swaps_class_moves_weight_and_gradients_reach_original() -> None:
    def make(L: Any, P: Any) -> Any:
        Symmetric, _ = _modules(L)
        L.manual_seed(0)
        m = P.register_parametrization(L.nn.Linear(5, 5), "weight", Symmetric())
        out = m(L.tensor(X))
        (out * out).sum().backward()
        return (type(m).__name__, P.type_before_parametrizations(m).__name__,
                P.is_parametrized(m), P.is_parametrized(m, "bias"), list(m.state_dict()),
                repr(m), _np(m.weight), _np(out), _np(m.parametrizations.weight.original.grad),
                _np(m.bias.grad), m)
    ours, theirs = _both(make)
    assert ours[:5] == theirs[:5]
    assert ours[1] == "Linear" and ours[0] == "ParametrizedLinear"
    assert ours[4] == ["bias", "parametrizations.weight.original"]
    _same_repr(ours[-1], theirs[-1])
    for a, b in zip(ours[6:10], theirs[6:10]):
        _close(a, b)  # (a linear layer: BLAS sums in its own order)
    assert np.array_equal(ours[6], theirs[6])  # the weight itself: triu + triu.mT, exact


def test_assigning_runs_right_inverse_and_keeps_original_object() -> None:
    def make(L: Any, P: Any) -> Any:
        Symmetric, _ = _modules(L)
        m = P.register_parametrization(L.nn.Linear(3, 3), "weight", Symmetric())
        original = m.parametrizations.weight.original
        m.weight = L.tensor(np.arange(9.0, dtype=np.float32).reshape(3, 3))
        return m.parametrizations.weight.original is original, _np(original), _np(m.weight)
    ours, theirs = _both(make)
    assert ours[0] and theirs[0]
    assert np.array_equal(ours[1], theirs[1]) and np.array_equal(ours[2], theirs[2])


def test_right_inverse_returning_a_tuple_registers_original0_original1() -> None:
    def make(L: Any, P: Any) -> Any:
        _, Sum = _modules(L)
        L.manual_seed(0)
        m = P.register_parametrization(L.nn.Linear(5, 2), "weight", Sum())
        m(L.tensor(X)).sum().backward()
        plist = m.parametrizations.weight
        return (list(m.state_dict()), [n for n, _ in m.named_parameters()],
                _np(plist.original0), _np(plist.original0.grad), hasattr(plist, "original"))
    ours, theirs = _both(make)
    assert ours[0] == theirs[0] == ["bias", "parametrizations.weight.original0",
                                    "parametrizations.weight.original1"]
    assert ours[1] == theirs[1] and ours[4] is theirs[4] is False
    assert np.array_equal(ours[2], theirs[2]) and np.array_equal(ours[3], theirs[3])


def test_chained_parametrizations_apply_in_order_and_remove_restores_class() -> None:
    def make(L: Any, P: Any) -> Any:
        Symmetric, _ = _modules(L)

        class Double(L.nn.Module):
            def forward(self, X: Any) -> Any:
                return X * 2

        L.manual_seed(0)
        m = L.nn.Linear(4, 4)
        P.register_parametrization(m, "weight", Symmetric())
        P.register_parametrization(m, "weight", Double())
        chained = (_np(m.weight), len(m.parametrizations.weight), repr(m))
        P.remove_parametrizations(m, "weight")
        return chained, type(m).__name__, list(m.state_dict()), _np(m.weight), \
            hasattr(m, "parametrizations"), type(m.weight).__name__
    ours, theirs = _both(make)
    assert np.array_equal(ours[0][0], theirs[0][0]) and ours[0][1] == 2
    assert ours[0][2] == theirs[0][2].replace("torch", "tinygrad_edu")
    assert ours[1:3] == theirs[1:3] == ("Linear", ["bias", "weight"])  # (re-registered last)
    assert np.array_equal(ours[3], theirs[3])
    assert ours[4:] == theirs[4:] == (False, "Parameter")


def test_remove_leave_parametrized_false_gives_back_the_original() -> None:
    def make(L: Any, P: Any) -> Any:
        Symmetric, _ = _modules(L)
        L.manual_seed(0)
        m = P.register_parametrization(L.nn.Linear(3, 3), "weight", Symmetric())
        P.remove_parametrizations(m, "weight", leave_parametrized=False)
        return _np(m.weight)
    ours, theirs = _both(make)
    assert np.array_equal(ours, theirs)
    assert np.array_equal(ours, np.triu(ours))  # the original right_inverse kept


def test_parametrized_buffer_stays_a_buffer() -> None:
    def make(L: Any, P: Any) -> Any:
        Symmetric, _ = _modules(L)
        bn = L.nn.BatchNorm1d(3)
        m = L.nn.Module()
        m.register_buffer("table", L.ones(3, 3))
        P.register_parametrization(m, "table", Symmetric())
        return list(m.state_dict()), [n for n, _ in m.named_buffers()], _np(m.table), bn
    ours, theirs = _both(make)
    assert ours[:2] == theirs[:2] and np.array_equal(ours[2], theirs[2])


def test_cached_computes_each_parametrization_once() -> None:
    calls = []

    class Counting(tg.nn.Module):
        def forward(self, X: Any) -> Any:
            calls.append(1)
            return X * 1

    m = tgP.register_parametrization(tg.nn.Linear(2, 2), "weight", Counting())
    calls.clear()
    with tgP.cached():
        first = m.weight
        with tgP.cached():
            assert m.weight is first
        assert m.weight is first
    assert len(calls) == 1
    m.weight  # noqa: B018  (outside: computed again)
    assert len(calls) == 2


def test_deepcopy_works_and_pickling_is_refused_as_torch() -> None:
    import copy

    for L, P in LIBS:
        Symmetric, _ = _modules(L)
        m = P.register_parametrization(L.nn.Linear(2, 2), "weight", Symmetric())
        clone = copy.deepcopy(m)
        assert type(clone).__name__ == "ParametrizedLinear"
        assert np.array_equal(_np(clone.weight), _np(m.weight))
        with pytest.raises(RuntimeError, match="Serialization of parametrized modules"):
            pickle.dumps(m)


def test_transfer_parametrizations_and_params() -> None:
    def make(L: Any, P: Any) -> Any:
        Symmetric, _ = _modules(L)
        L.manual_seed(0)
        a = P.register_parametrization(L.nn.Linear(3, 3), "weight", Symmetric())
        b = P.transfer_parametrizations_and_params(a, L.nn.Linear(3, 3))
        return type(b).__name__, _np(b.weight), \
            b.parametrizations.weight.original is a.parametrizations.weight.original
    ours, theirs = _both(make)
    assert ours[0] == theirs[0] and ours[2] == theirs[2]
    assert np.array_equal(ours[1], theirs[1])


@pytest.mark.parametrize("case", ["shape", "dtype", "missing", "not_parametrized",
                                  "tuple_leave_false", "no_right_inverse", "added_shape"])
def test_parametrize_errors_match_torch(case: str) -> None:
    messages = []
    for L, P in LIBS:
        Symmetric, Sum = _modules(L)

        class Shrink(L.nn.Module):
            def forward(self, X: Any) -> Any:
                return X[:1]

        class ToDouble(L.nn.Module):
            def forward(self, X: Any) -> Any:
                return X.double()

        class NoInverse(L.nn.Module):
            def forward(self, X: Any) -> Any:
                return X

        m = L.nn.Linear(2, 2)
        calls = {
            "shape": lambda: P.register_parametrization(m, "weight", Shrink()),
            "dtype": lambda: P.register_parametrization(m, "weight", ToDouble()),
            "missing": lambda: P.register_parametrization(m, "nope", Symmetric()),
            "not_parametrized": lambda: P.remove_parametrizations(m, "weight"),
            "tuple_leave_false": lambda: P.remove_parametrizations(
                P.register_parametrization(m, "weight", Sum()), "weight", False),
            "no_right_inverse": lambda: setattr(
                P.register_parametrization(m, "weight", NoInverse()), "weight", L.ones(2, 2)),
            "added_shape": lambda: P.register_parametrization(
                P.register_parametrization(m, "weight", NoInverse()), "weight", Shrink()),
        }
        with pytest.raises(Exception) as info:
            calls[case]()
        messages.append((type(info.value), str(info.value)))
    ours, theirs = messages
    assert ours[0] is theirs[0]
    assert ours[1] == theirs[1].replace("torch.", "tinygrad_edu.")


# ------------------------------------------------------------------ parametrizations


@pytest.mark.parametrize("shape,orthogonal_map,trivialization", [
    ((5, 3), None, True), ((3, 5), None, True), ((4, 4), None, True),
    ((4, 4), "cayley", True), ((5, 3), "cayley", True), ((5, 3), "matrix_exp", False),
    ((5, 3), "householder", False), ((3, 5), "householder", False),
    ((4, 4), "householder", True)])
def test_orthogonal_matches_torch(shape: tuple[int, int], orthogonal_map: str | None,
                                  trivialization: bool) -> None:
    def make(L: Any, P: Any) -> Any:
        L.manual_seed(0)
        m = L.nn.Linear(shape[1], shape[0])
        L.nn.utils.parametrizations.orthogonal(m, orthogonal_map=orthogonal_map,
                                               use_trivialization=trivialization)
        out = m(L.tensor(np.ones((2, shape[1]), np.float32)))
        (out * out).sum().backward()
        return (list(m.state_dict()), _np(m.weight), _np(out),
                _np(m.parametrizations.weight.original.grad))
    ours, theirs = _both(make)
    assert ours[0] == theirs[0]
    _close(ours[1], theirs[1])
    _close(ours[2], theirs[2])
    _close(ours[3], theirs[3], atol=1e-5)  # (matrix_exp / QR / solve: LAPACK's order)
    Q = ours[1] if shape[0] >= shape[1] else ours[1].T
    _close(Q.T @ Q, np.eye(min(shape)), atol=1e-6)


def test_orthogonal_assignment_orthogonalises_like_torch() -> None:
    def make(L: Any, P: Any) -> Any:
        L.manual_seed(0)
        m = L.nn.utils.parametrizations.orthogonal(L.nn.Linear(3, 3))
        m.weight = L.tensor(X[:3, :3])
        return _np(m.weight), _np(m.parametrizations.weight[0].base)
    ours, theirs = _both(make)
    _close(ours[0], theirs[0])
    _close(ours[1], theirs[1])


@pytest.mark.parametrize("case", ["vector", "bad_map", "no_tensor", "assign_no_triv"])
def test_orthogonal_errors_match_torch(case: str) -> None:
    messages = []
    for L, _ in LIBS:
        orthogonal = L.nn.utils.parametrizations.orthogonal
        calls = {
            "vector": lambda: orthogonal(L.nn.Linear(2, 2), "bias"),
            "bad_map": lambda: orthogonal(L.nn.Linear(2, 2), orthogonal_map="qr"),
            "no_tensor": lambda: orthogonal(L.nn.ReLU()),
            "assign_no_triv": lambda: setattr(
                orthogonal(L.nn.Linear(2, 2), use_trivialization=False), "weight", L.eye(2)),
        }
        with pytest.raises(Exception) as info:
            calls[case]()
        messages.append((type(info.value), str(info.value)))
    assert messages[0][0] is messages[1][0]
    assert messages[0][1] == messages[1][1]


@pytest.mark.parametrize("make_module,dim", [
    (lambda L: L.nn.Linear(5, 4), 0), (lambda L: L.nn.Linear(5, 4), None),
    (lambda L: L.nn.Conv2d(3, 4, 3), 1), (lambda L: L.nn.Conv2d(3, 4, 3), 0)])
def test_weight_norm_parametrization_matches_torch(make_module: Any, dim: int | None) -> None:
    def make(L: Any, P: Any) -> Any:
        L.manual_seed(0)
        m = L.nn.utils.parametrizations.weight_norm(make_module(L), dim=dim)
        x = L.tensor(IMAGES if isinstance(m, L.nn.Conv2d) else X)
        out = m(x)
        (out * out).sum().backward()
        state = m.state_dict()
        return (list(state), [tuple(v.shape) for v in state.values()], _np(out),
                [_np(p.grad) for p in m.parameters()], repr(m))
    ours, theirs = _both(make)
    assert ours[:2] == theirs[:2]
    assert ours[4] == theirs[4].replace("torch", "tinygrad_edu")
    _close(ours[2], theirs[2])  # (PyTorch fuses the norm into one kernel)
    for a, b in zip(ours[3], theirs[3]):
        _close(a, b, atol=1e-5)


@pytest.mark.parametrize("make_module,kwargs", [
    (lambda L: L.nn.Linear(5, 4), {}),
    (lambda L: L.nn.Conv2d(3, 4, 3), {"n_power_iterations": 3}),
    (lambda L: L.nn.ConvTranspose2d(3, 4, 3), {}),
    (lambda L: L.nn.Linear(5, 4), {"dim": 1, "eps": 1e-6})])
def test_spectral_norm_parametrization_matches_torch(make_module: Any, kwargs: Any) -> None:
    def make(L: Any, P: Any) -> Any:
        L.manual_seed(0)
        m = L.nn.utils.parametrizations.spectral_norm(make_module(L), **kwargs)
        x = L.tensor(IMAGES if not isinstance(m, L.nn.Linear) else X)
        outs = [m(x) for _ in range(2)]  # (two training forwards: two power iterations)
        (outs[0] * outs[1]).sum().backward()
        m.eval()
        evaluated = _np(m.weight)
        return (list(m.state_dict()), _np(outs[1]), [_np(p.grad) for p in m.parameters()],
                [_np(b) for b in m.buffers()], evaluated, _np(m.weight))
    ours, theirs = _both(make)
    assert ours[0] == theirs[0]
    _close(ours[1], theirs[1])
    for a, b in [*zip(ours[2], theirs[2]), *zip(ours[3], theirs[3])]:
        # (power iteration and convolutions: products summed in BLAS's order, and the
        # gradients of a conv sum 100s of those)
        _close(a, b, rtol=1e-4, atol=1e-4)
    _close(ours[4], theirs[4])
    assert np.array_equal(ours[4], ours[5])  # eval mode: no iteration, the same weight


def test_spectral_norm_of_a_vector_is_its_normalisation() -> None:
    def make(L: Any, P: Any) -> Any:
        m = L.nn.utils.parametrizations.spectral_norm(L.nn.Linear(3, 3), "bias")
        return _np(m.bias), list(m.state_dict())
    ours, theirs = _both(make)
    assert ours[1] == theirs[1]
    _close(ours[0], theirs[0])


@pytest.mark.parametrize("call", [
    lambda L: L.nn.utils.parametrizations.spectral_norm(L.nn.Linear(2, 2), dim=2),
    lambda L: L.nn.utils.parametrizations.spectral_norm(L.nn.Linear(2, 2),
                                                        n_power_iterations=0),
    lambda L: L.nn.utils.spectral_norm(L.nn.Linear(2, 2), n_power_iterations=0),
    lambda L: L.nn.utils.spectral_norm(L.nn.utils.spectral_norm(L.nn.Linear(2, 2))),
    lambda L: L.nn.utils.spectral_norm(L.nn.Linear(2, 2, bias=False), "bias"),
    lambda L: L.nn.utils.remove_spectral_norm(L.nn.Linear(2, 2)),
    lambda L: L.nn.utils.weight_norm(L.nn.utils.weight_norm(L.nn.Linear(2, 2))),
    lambda L: L.nn.utils.remove_weight_norm(L.nn.Linear(2, 2)),
], ids=["sn_dim", "sn_iters", "old_sn_iters", "old_sn_twice", "old_sn_none",
        "remove_sn_missing", "old_wn_twice", "remove_wn_missing"])
def test_norm_errors_match_torch(call: Any) -> None:
    messages = []
    for L, _ in LIBS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            with pytest.raises(Exception) as info:
                call(L)
        messages.append((type(info.value), str(info.value)))
    assert messages[0][0] is messages[1][0]
    assert messages[0][1] == messages[1][1].replace("torch", "tinygrad_edu")


# ------------------------------------------------------------------ hook-based (old) forms


def test_old_weight_norm_warns_keys_values_grads_and_removal() -> None:
    def make(L: Any, P: Any) -> Any:
        L.manual_seed(0)
        with pytest.warns(FutureWarning) as record:
            m = L.nn.utils.weight_norm(L.nn.Linear(5, 4))
        out = m(L.tensor(X))
        (out * out).sum().backward()
        keys = list(m.state_dict())
        grads = [_np(m.weight_g.grad), _np(m.weight_v.grad)]
        L.nn.utils.remove_weight_norm(m)
        return (str(record[0].message), keys, _np(out), grads, list(m.state_dict()),
                type(m.weight).__name__, _np(m.weight))
    ours, theirs = _both(make)
    assert ours[0] == theirs[0] == ("`torch.nn.utils.weight_norm` is deprecated in favor of "
                                    "`torch.nn.utils.parametrizations.weight_norm`.")
    assert ours[1] == theirs[1] == ["bias", "weight_g", "weight_v"]
    assert ours[4:6] == theirs[4:6] == (["bias", "weight"], "Parameter")
    _close(ours[2], theirs[2])
    for a, b in [*zip(ours[3], theirs[3]), (ours[6], theirs[6])]:
        _close(a, b, atol=1e-5)


def test_old_spectral_norm_draws_torchs_u_and_v_bit_for_bit() -> None:
    def make(L: Any, P: Any) -> Any:
        L.manual_seed(3)
        m = L.nn.utils.spectral_norm(L.nn.Linear(5, 4))
        return _np(m.weight_u), _np(m.weight_v), _np(L.randn(3))
    ours, theirs = _both(make)
    for a, b in zip(ours, theirs):
        assert np.array_equal(a, b)


def test_old_spectral_norm_keys_metadata_training_and_removal() -> None:
    def make(L: Any, P: Any) -> Any:
        L.manual_seed(0)
        m = L.nn.utils.spectral_norm(L.nn.Linear(5, 4))
        out = m(L.tensor(X))
        (out * out).sum().backward()
        state = m.state_dict()
        meta = dict(state._metadata[""])
        grad = _np(m.weight_orig.grad)
        L.nn.utils.remove_spectral_norm(m)
        return (list(state), meta, _np(out), grad, list(m.state_dict()), _np(m.weight),
                dict(m.state_dict()._metadata[""]))
    ours, theirs = _both(make)
    assert ours[0] == theirs[0] == ["bias", "weight_orig", "weight_u", "weight_v"]
    assert ours[1] == theirs[1] == {"version": 1, "spectral_norm": {"weight.version": 1}}
    assert ours[4] == theirs[4] == ["bias", "weight"]
    assert ours[6] == theirs[6] == {"version": 1}  # (the metadata hook left with the norm)
    _close(ours[2], theirs[2])
    _close(ours[3], theirs[3], atol=1e-5)
    _close(ours[5], theirs[5])


def test_old_spectral_norm_reads_a_version_0_checkpoint_as_torch() -> None:
    """A checkpoint from before version 1 has ``weight`` and no ``weight_v``: the load
    solves for v (torch's pseudo-inverse route)."""
    torch.manual_seed(0)
    # (5 x 4: W^T W invertible; a wide W makes the solve rounding noise in both libraries)
    source = torch.nn.utils.spectral_norm(torch.nn.Linear(4, 5))
    source(torch.tensor(X[:, :4]))
    state = {k: v.detach().clone() for k, v in source.state_dict().items()}
    state["weight"] = source.weight.detach().clone()
    del state["weight_v"]
    results = []
    for L, _ in LIBS:
        m = L.nn.utils.spectral_norm(L.nn.Linear(4, 5))
        m.load_state_dict({k: L.tensor(v.numpy()) for k, v in state.items()})
        results.append(_np(m.weight_v))
    _close(results[0], results[1], atol=1e-5)


def test_new_weight_norm_loads_old_weight_norm_checkpoints() -> None:
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        old = torch.nn.utils.weight_norm(torch.nn.Linear(5, 4))
    state = {k: v.detach().numpy() for k, v in old.state_dict().items()}
    for L, _ in LIBS:
        m = L.nn.utils.parametrizations.weight_norm(L.nn.Linear(5, 4))
        result = m.load_state_dict({k: L.tensor(v) for k, v in state.items()})
        assert not result.missing_keys and not result.unexpected_keys
        assert np.array_equal(_np(m.parametrizations.weight.original1), state["weight_v"])


@pytest.mark.parametrize("wrap", [
    lambda L: L.nn.utils.parametrizations.weight_norm(L.nn.Linear(5, 4)),
    lambda L: L.nn.utils.parametrizations.spectral_norm(L.nn.Linear(5, 4)),
    lambda L: L.nn.utils.parametrizations.orthogonal(L.nn.Linear(5, 4)),
    lambda L: L.nn.utils.spectral_norm(L.nn.Linear(5, 4)),
], ids=["weight_norm", "spectral_norm", "orthogonal", "old_spectral_norm"])
def test_state_dicts_load_across_libraries_both_ways(wrap: Any) -> None:
    torch.manual_seed(1)
    tg.manual_seed(2)
    theirs, ours = wrap(torch), wrap(tg)
    ours.load_state_dict({k: tg.tensor(v.detach().numpy()) for k, v in
                          theirs.state_dict().items()})
    _close(_np(ours.eval().weight), _np(theirs.eval().weight))
    tg.manual_seed(3)
    ours2 = wrap(tg)
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours2.state_dict().items()})
    _close(_np(theirs.weight), _np(ours2.eval().weight))


def test_sgd_training_through_parametrizations_tracks_torch() -> None:
    def make(L: Any, P: Any) -> Any:
        L.manual_seed(0)
        net = L.nn.Sequential(L.nn.Linear(5, 8), L.nn.Tanh(), L.nn.Linear(8, 2))
        L.nn.utils.parametrizations.weight_norm(net[0])
        L.nn.utils.parametrizations.spectral_norm(net[2])
        opt = L.optim.SGD(net.parameters(), lr=0.1)
        x, losses = L.tensor(X), []
        for _ in range(5):
            opt.zero_grad()
            loss = (net(x) ** 2).mean()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return losses, [_np(p) for p in net.parameters()]
    ours, theirs = _both(make)
    _close(ours[0], theirs[0])
    for a, b in zip(ours[1], theirs[1]):
        _close(a, b, atol=1e-5)


# ------------------------------------------------------------------ fusion


@pytest.mark.parametrize("kind", ["conv", "conv_transpose", "linear", "conv_no_bias"])
def test_fusion_matches_torch_and_the_unfused_layers(kind: str) -> None:
    def make(L: Any, P: Any) -> Any:
        L.manual_seed(0)
        if kind == "linear":
            layer, bn, x = L.nn.Linear(5, 4), L.nn.BatchNorm1d(4), L.tensor(X)
        elif kind == "conv_transpose":
            layer, bn, x = L.nn.ConvTranspose2d(3, 4, 3), L.nn.BatchNorm2d(4), L.tensor(IMAGES)
        else:
            layer, bn = L.nn.Conv2d(3, 4, 3, bias=kind == "conv"), L.nn.BatchNorm2d(4)
            x = L.tensor(IMAGES)
        stats = np.random.default_rng(2).uniform(0.5, 1.5, (3, 4)).astype(np.float32)
        with L.no_grad():  # (running statistics and an affine part that are not trivial)
            bn.running_mean.copy_(L.tensor(stats[0] - 1))
            bn.running_var.copy_(L.tensor(stats[1]))
            bn.weight.copy_(L.tensor(stats[2]))
            bn.bias.fill_(0.25)
        layer.eval(), bn.eval()
        u = L.nn.utils
        fused = u.fuse_linear_bn_eval(layer, bn) if kind == "linear" else \
            u.fuse_conv_bn_eval(layer, bn, transpose=kind == "conv_transpose")
        return (_np(fused.weight), _np(fused.bias), _np(fused(x)), _np(bn(layer(x))),
                type(fused.weight).__name__, fused is layer)
    ours, theirs = _both(make)
    assert np.array_equal(ours[0], theirs[0]) and np.array_equal(ours[1], theirs[1])
    assert ours[4:] == theirs[4:] == ("Parameter", False)
    _close(ours[2], theirs[2])
    _close(ours[2], ours[3], atol=1e-5)  # fused == bn(layer(x))


def test_fuse_weights_keep_requires_grad_and_fusion_needs_eval() -> None:
    for L, _ in LIBS:
        w, b = L.nn.utils.fuse_linear_bn_weights(
            L.ones(2, 3, requires_grad=False), None, L.zeros(2), L.ones(2), 1e-5, L.ones(2),
            L.zeros(2))
        assert (w.requires_grad, b.requires_grad) == (False, False)
        with pytest.raises(AssertionError, match="^Fusion only for eval!$"):
            L.nn.utils.fuse_conv_bn_eval(L.nn.Conv2d(1, 2, 1), L.nn.BatchNorm2d(2))
        with pytest.raises(AssertionError, match="linear.out_features=3 and bn.num_features=2"):
            L.nn.utils.fuse_linear_bn_eval(L.nn.Linear(2, 3).eval(), L.nn.BatchNorm1d(2).eval())


# ------------------------------------------------------------------ skip_init, clip_grad


def test_skip_init_leaves_the_random_stream_as_torch_does() -> None:
    draws = []
    for L, _ in LIBS:
        L.manual_seed(0)
        layer = L.nn.utils.skip_init(L.nn.Linear, 5, 3, bias=False)
        draws.append((type(layer).__name__, tuple(layer.weight.shape), layer.bias,
                      _np(L.randn(4))))
    assert draws[0][:3] == draws[1][:3] == ("Linear", (3, 5), None)
    assert np.array_equal(draws[0][3], draws[1][3])


def test_skip_init_errors_match_torch() -> None:
    class NoDevice(tg.nn.Module):
        pass

    class TorchNoDevice(torch.nn.Module):
        pass

    for L, cls in ((tg, NoDevice), (torch, TorchNoDevice)):
        with pytest.raises(RuntimeError, match="^Module must support a 'device' arg to skip "):
            L.nn.utils.skip_init(cls)
        with pytest.raises(RuntimeError, match="^Expected a Module; got <class 'int'>$"):
            L.nn.utils.skip_init(int)


def test_clip_grads_with_norm_and_deprecated_clip_grad_norm_match_torch() -> None:
    def make(L: Any, P: Any) -> Any:
        L.manual_seed(0)
        m = L.nn.Linear(5, 4)
        m(L.tensor(X)).pow(2).sum().backward()
        total = L.nn.utils.get_total_norm([p.grad for p in m.parameters()])
        L.nn.utils.clip_grads_with_norm_(m.parameters(), 0.5, total)
        clipped = [_np(p.grad) for p in m.parameters()]
        with pytest.warns(FutureWarning) as record:
            again = L.nn.utils.clip_grad_norm(m.parameters(), 0.1)
        return clipped, str(record[0].message), _np(again), [_np(p.grad) for p in m.parameters()]
    ours, theirs = _both(make)
    assert ours[1] == theirs[1] == ("`torch.nn.utils.clip_grad_norm` is now deprecated in "
                                    "favor of `torch.nn.utils.clip_grad_norm_`.")
    for a, b in [*zip(ours[0], theirs[0]), (ours[2], theirs[2]), *zip(ours[3], theirs[3])]:
        _close(a, b)  # (the gradients come from a BLAS matmul)
