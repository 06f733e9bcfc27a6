"""The activations of issue 14 as modules (``nn.CELU``, ``nn.PReLU``, ...), and
``nn.Softmax2d``, ``nn.ChannelShuffle``, ``nn.CosineSimilarity``, ``nn.PairwiseDistance``,
``F.relu_``, ``F.hardtanh_``, against PyTorch:
values and gradients in float32 and float64 with the kinks on the input, grad_fn names,
``inplace=``, PReLU's parameter and state dict, reprs, and PyTorch's errors.

(Their functional forms are rows of the op table, ``test_ops.py``, and of
``test_kinks.py``: finite differences, second derivatives and the kink lattice.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from test_nn_layers import assert_parity, rng_arrays

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn

torch = pytest.importorskip("torch")

MODULES: dict[str, Callable[[Any, Any], Any]] = {
    "celu": lambda L, x: L.nn.CELU()(x),
    "celu_alpha": lambda L, x: L.nn.CELU(alpha=0.5)(x),
    "selu": lambda L, x: L.nn.SELU()(x),
    "hardsigmoid": lambda L, x: L.nn.Hardsigmoid()(x),
    "hardswish": lambda L, x: L.nn.Hardswish()(x),
    "mish": lambda L, x: L.nn.Mish()(x),
    "softsign": lambda L, x: L.nn.Softsign()(x),
    "softmin": lambda L, x: L.nn.Softmin(dim=1)(x),
    "logsigmoid": lambda L, x: L.nn.LogSigmoid()(x),
    "glu": lambda L, x: L.nn.GLU(dim=0)(x),
    "threshold": lambda L, x: L.nn.Threshold(-0.5, 7.0)(x),
    "tanhshrink": lambda L, x: L.nn.Tanhshrink()(x),
    "softshrink": lambda L, x: L.nn.Softshrink(0.5)(x),
    "hardshrink": lambda L, x: L.nn.Hardshrink(3.0)(x),
    "gelu_tanh": lambda L, x: L.nn.functional.gelu(x, approximate="tanh"),
}


@pytest.mark.parametrize("name", sorted(MODULES))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activation_modules_match_torch(name: str, dtype: Any) -> None:
    (x,) = rng_arrays((4, 6), seed=3, dtype=dtype, scale=3.0)
    # the kinks exactly: 0, +-3 (hard*), +-0.5 (shrinks, threshold), a large negative
    x[0] = [0.0, 3.0, -3.0, 0.5, -0.5, -30.0]
    assert_parity(MODULES[name], x, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_activation_grad_fn_names_match_torch(name: str) -> None:
    (x,) = rng_arrays((4, 6), seed=1)
    ours = MODULES[name](tg, tg.tensor(x, requires_grad=True))
    theirs = MODULES[name](torch, torch.tensor(x, requires_grad=True))
    assert ours.grad_fn.name() == theirs.grad_fn.name()


@pytest.mark.parametrize("shape,n", [((4, 3, 5), 3), ((4, 3), 1), ((6,), 1), ((2, 3, 2, 2), 3)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_prelu_module_matches_torch_with_weight_gradient(shape: Any, n: int, dtype: Any) -> None:
    (x,) = rng_arrays(shape, seed=2, dtype=dtype)
    x.reshape(-1)[0] = 0.0  # the kink: the left branch (w grad for x, 0 for w)
    grads = []
    for lib in (tg, torch):
        lib.manual_seed(0)
        m = lib.nn.PReLU(n, init=0.1).to(getattr(lib, np.dtype(dtype).name))
        with lib.no_grad():
            m.weight.copy_(lib.tensor(np.linspace(-0.5, 0.5, n).astype(dtype)))
        t = lib.tensor(x, requires_grad=True)
        y = m(t)
        y.backward(lib.tensor(np.random.default_rng(0).standard_normal(shape).astype(dtype)))
        grads.append((y.detach().numpy(), t.grad.numpy(), m.weight.grad.numpy(),
                      y.grad_fn.name(), [f[0].name() if f[0] else None
                                         for f in y.grad_fn.next_functions]))
    for mine, theirs in zip(grads[0][:3], grads[1][:3]):
        np.testing.assert_allclose(mine, theirs, rtol=1e-5, atol=1e-6)
    assert grads[0][3] == grads[1][3] == "PreluKernelBackward0"
    assert grads[0][4] == grads[1][4]  # (AccumulateGrad, ViewBackward0) where w is viewed


def test_prelu_state_dict_loads_both_ways() -> None:
    mine, theirs = nn.PReLU(3), torch.nn.PReLU(3)
    assert list(mine.state_dict()) == list(theirs.state_dict()) == ["weight"]
    assert mine.weight.dtype == tg.float32 and mine.weight.tolist() == [0.25] * 3
    theirs.weight.data = torch.tensor([0.1, 0.2, 0.3])
    mine.load_state_dict({k: tg.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    np.testing.assert_array_equal(mine.weight.detach().numpy(), theirs.weight.detach().numpy())
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in mine.state_dict().items()})
    assert nn.PReLU(2, dtype=tg.float64).weight.dtype == tg.float64


def test_activation_reprs_match_torch() -> None:
    for build in (lambda L: L.PReLU(), lambda L: L.PReLU(4), lambda L: L.CELU(),
                  lambda L: L.CELU(0.5, True), lambda L: L.SELU(), lambda L: L.SELU(True),
                  lambda L: L.Hardsigmoid(), lambda L: L.Hardswish(inplace=True),
                  lambda L: L.Mish(), lambda L: L.Mish(True), lambda L: L.Hardsigmoid(True), lambda L: L.Softsign(), lambda L: L.Softmin(1),
                  lambda L: L.LogSigmoid(), lambda L: L.GLU(), lambda L: L.Tanhshrink(),
                  lambda L: L.Threshold(0.1, 20), lambda L: L.Threshold(0.1, 20.0, True),
                  lambda L: L.Softshrink(), lambda L: L.Hardshrink(0.25)):
        assert repr(build(nn)) == repr(build(torch.nn))


@pytest.mark.parametrize("name", ["celu", "selu", "hardsigmoid", "hardswish", "mish",
                                  "threshold"])
def test_inplace_writes_the_input(name: str) -> None:
    args = (0.5, -1.0) if name == "threshold" else ()
    a = np.array([-4.0, -1.0, 0.0, 0.7, 4.0], np.float32)
    x = tg.tensor(a)
    out = getattr(F, name)(x, *args, inplace=True)
    expected = getattr(torch.nn.functional, name)(torch.tensor(a), *args)
    assert out is x
    np.testing.assert_allclose(x.numpy(), expected.numpy(), rtol=1e-6)


ERRORS: dict[str, Callable[[Any], Any]] = {
    "glu odd size": lambda L: L.nn.functional.glu(L.ones(3, 5)),
    "glu 0-d": lambda L: L.nn.functional.glu(L.tensor(1.0)),
    "glu dim": lambda L: L.nn.functional.glu(L.ones(3, 4), 2),
    "celu alpha 0": lambda L: L.nn.functional.celu(L.ones(3), 0.0),
    "softshrink negative": lambda L: L.nn.functional.softshrink(L.ones(3), -1.0),
    "softshrink negative float64": lambda L: L.nn.functional.softshrink(
        L.ones(3, dtype=L.float64), -0.25),
    "prelu channels": lambda L: L.nn.functional.prelu(L.ones(4, 5), L.ones(6)),
    "prelu 1-d input": lambda L: L.nn.functional.prelu(L.ones(6), L.ones(6)),
    "prelu 2-d weight": lambda L: L.nn.functional.prelu(L.ones(4, 6), L.ones(2, 3)),
    "prelu dtypes": lambda L: L.nn.functional.prelu(L.ones(4, 6),
                                                    L.ones(6, dtype=L.float64)),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name: str) -> None:
    with pytest.raises(Exception) as theirs:
        ERRORS[name](torch)
    with pytest.raises(type(theirs.value)) as mine:
        ERRORS[name](tg)
    assert str(theirs.value) in str(mine.value)


def test_softmin_without_dim_warns_and_picks_torchs_dim() -> None:
    a = np.array([[1.0, 2.0], [3.0, 5.0]], np.float32)
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmin"):
        out = F.softmin(tg.tensor(a))
    with pytest.warns(UserWarning):
        expected = torch.nn.functional.softmin(torch.tensor(a))
    np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-6)
    out = F.softmin(tg.tensor(a), 0, dtype=tg.float64)
    assert out.dtype == tg.float64


def test_logsigmoid_is_finite_where_log_of_sigmoid_is_not() -> None:
    x = tg.tensor([-200.0, 0.0, 200.0], requires_grad=True)
    y = F.logsigmoid(x)
    y.sum().backward()
    assert y.tolist() == pytest.approx([-200.0, -0.6931472, 0.0])
    assert x.grad.tolist() == pytest.approx([1.0, 0.5, 0.0])


# ------------------------------------- Softmax2d, ChannelShuffle, CosineSimilarity, PairwiseDistance
MORE_MODULES: dict[str, tuple[Callable[..., Any], tuple[tuple[int, ...], ...]]] = {
    "softmax2d_4d": (lambda L, x: L.nn.Softmax2d()(x), ((2, 3, 4, 5),)),
    "softmax2d_3d": (lambda L, x: L.nn.Softmax2d()(x), ((3, 4, 5),)),
    "channel_shuffle": (lambda L, x: L.nn.ChannelShuffle(3)(x), ((2, 6, 2, 2),)),
    "channel_shuffle_3d": (lambda L, x: L.nn.ChannelShuffle(2)(x), ((2, 4, 3),)),
    "cosine_similarity": (lambda L, a, b: L.nn.CosineSimilarity()(a, b), ((4, 5), (4, 5))),
    "cosine_similarity_dim": (lambda L, a, b: L.nn.CosineSimilarity(dim=0, eps=0.5)(a, b),
                              ((3, 4), (1, 4))),
    "pairwise_distance": (lambda L, a, b: L.nn.PairwiseDistance()(a, b), ((4, 5), (4, 5))),
    "pairwise_distance_p1": (lambda L, a, b: L.nn.PairwiseDistance(1.0, 1e-3, True)(a, b),
                             ((4, 5), (5,))),
}


@pytest.mark.parametrize("name", sorted(MORE_MODULES))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_more_modules_match_torch(name: str, dtype: Any) -> None:
    fn, shapes = MORE_MODULES[name]
    arrays = [rng_arrays(s, seed=i, dtype=dtype)[0] for i, s in enumerate(shapes)]
    assert_parity(fn, *arrays, rtol=1e-5, atol=1e-6)
    ours = fn(tg, *(tg.tensor(a, requires_grad=True) for a in arrays))
    theirs = fn(torch, *(torch.tensor(a, requires_grad=True) for a in arrays))
    assert ours.grad_fn.name() == theirs.grad_fn.name()


def test_more_module_reprs_match_torch() -> None:
    for build in (lambda L: L.Softmax2d(), lambda L: L.ChannelShuffle(4),
                  lambda L: L.CosineSimilarity(), lambda L: L.CosineSimilarity(0, 1e-3),
                  lambda L: L.PairwiseDistance(), lambda L: L.PairwiseDistance(1.0, 0.1, True)):
        assert repr(build(nn)) == repr(build(torch.nn))
        assert list(build(nn).state_dict()) == list(build(torch.nn).state_dict()) == []
    assert nn.PairwiseDistance(3.0).norm == torch.nn.PairwiseDistance(3.0).norm == 3.0


def test_channel_shuffle_permutes_channels_as_torch() -> None:
    a = np.arange(2 * 12 * 2, dtype=np.float32).reshape(2, 12, 2)
    for g in (1, 2, 3, 4, 6, 12):
        np.testing.assert_array_equal(
            F.channel_shuffle(tg.tensor(a), g).numpy(),
            torch.nn.functional.channel_shuffle(torch.tensor(a), g).numpy())


@pytest.mark.parametrize("name,args", [("relu_", ()), ("hardtanh_", (-0.5, 0.3)),
                                       ("hardtanh_", (2.0, 1.0))])
def test_inplace_functionals_write_and_record_as_torch(name: str, args: Any) -> None:
    a = np.array([-4.0, -0.4, 0.1, 0.7, 4.0])
    results = []
    for lib in (tg, torch):
        x = lib.tensor(a, requires_grad=True)
        y = x * 2
        out = getattr(lib.nn.functional, name)(y, *args)
        assert out is y
        out.backward(lib.tensor(np.linspace(-1.0, 1.0, 5)))
        results.append((out.detach().numpy(), x.grad.numpy(), out.grad_fn.name()))
    for mine, theirs in zip(*results):
        np.testing.assert_array_equal(mine, theirs)


MORE_ERRORS: dict[str, Callable[[Any], Any]] = {
    "softmax2d 2-d": lambda L: L.nn.Softmax2d()(L.ones(3, 4)),
    "softmax2d 5-d": lambda L: L.nn.Softmax2d()(L.ones(1, 1, 1, 1, 1)),
    "channel_shuffle groups": lambda L: L.nn.functional.channel_shuffle(L.ones(2, 6, 3), 4),
    "channel_shuffle zero": lambda L: L.nn.functional.channel_shuffle(L.ones(2, 6, 3), 0),
    "channel_shuffle 2-d": lambda L: L.nn.ChannelShuffle(2)(L.ones(2, 6)),
    "channel_shuffle float": lambda L: L.nn.functional.channel_shuffle(L.ones(2, 6, 3), 2.0),
}


@pytest.mark.parametrize("name", list(MORE_ERRORS))
def test_more_errors_match_torch(name: str) -> None:
    with pytest.raises(Exception) as theirs:
        MORE_ERRORS[name](torch)
    with pytest.raises(type(theirs.value)) as mine:
        MORE_ERRORS[name](tg)
    assert str(theirs.value) == str(mine.value)


@pytest.mark.parametrize("kw", [{}, {"tau": 0.5}, {"hard": True}, {"hard": True, "dim": 0}])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gumbel_softmax_draws_as_torch(kw: dict[str, Any], dtype: Any) -> None:
    """The same exponential draws after manual_seed (bit for bit); the soft sample then
    within the last bits of torch's (its vectorized log rounds differently from numpy's),
    the hard one-hot exactly; straight-through gradients."""
    a = np.random.default_rng(0).standard_normal((4, 5)).astype(dtype)
    g = np.random.default_rng(1).standard_normal((4, 5)).astype(dtype)
    results = []
    for lib in (tg, torch):
        lib.manual_seed(3)
        x = lib.tensor(a, requires_grad=True)
        y = lib.nn.functional.gumbel_softmax(x, **kw)
        y.backward(lib.tensor(g))
        results.append((y.detach().numpy(), x.grad.numpy(), y.grad_fn.name()))
    (y, gx, name), (ty, tgx, tname) = results
    assert name == tname
    if kw.get("hard"):
        np.testing.assert_array_equal(y, ty)
    np.testing.assert_allclose(y, ty, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(gx, tgx, rtol=1e-5, atol=1e-6)


def test_gumbel_softmax_eps_is_deprecated_as_in_torch() -> None:
    with pytest.warns(UserWarning, match="`eps` parameter is deprecated and has no effect."):
        F.gumbel_softmax(tg.zeros(2, 3), eps=1e-3)
