"""``nn.LPPool1d/2d/3d`` (``F.lp_pool1d/2d/3d``), ``nn.TripletMarginWithDistanceLoss``
(``F.triplet_margin_with_distance_loss``) and ``nn.RReLU`` (``F.rrelu``, ``F.rrelu_``)
against PyTorch: values, gradients, grad_fn names, reprs and errors; RReLU's training-mode
slopes bit for bit after the same ``manual_seed``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional
RNG = np.random.default_rng(0)
TOL = {"float32": dict(rtol=1e-5, atol=1e-6), "float64": dict(rtol=1e-11, atol=1e-12)}


def _both(fn: Any, arrays: list[np.ndarray], dtype: str, names: bool = True) -> None:
    """``fn(lib, *tensors)`` in both libraries: the values, grad_fn names and gradients
    (of a weighted sum) are equal."""
    results = []
    for lib in (tg, torch):
        tensors = [lib.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
        out = fn(lib, *tensors)
        weights = lib.tensor(np.linspace(-1, 2, out.numel()).reshape(out.shape).astype(dtype))
        (out * weights).sum().backward()
        results.append([type(out.grad_fn).__name__, out.detach().numpy()]
                       + [t.grad.numpy() for t in tensors])
    assert results[0][0] == results[1][0] or not names
    for i, (a, b) in enumerate(zip(results[0][1:], results[1][1:])):
        assert a.dtype == b.dtype
        np.testing.assert_allclose(a, b, err_msg=f"result {i}", **TOL[dtype])


def _same_error(call: Any) -> None:
    caught = []
    for lib in (tg, torch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(Exception) as info:
                call(lib, F if lib is tg else TF)
        caught.append((type(info.value), str(info.value)))
    assert caught[0] == caught[1]


# ------------------------------------------------------------------------------- LPPool

LP_CASES = [
    (1, (2, 3, 9), dict(norm_type=2, kernel_size=3)),
    (1, (3, 8), dict(norm_type=1.5, kernel_size=2, stride=3, ceil_mode=True)),
    (1, (2, 3, 9), dict(norm_type=float("inf"), kernel_size=3, stride=2)),
    (2, (2, 2, 6, 7), dict(norm_type=3, kernel_size=(2, 3))),
    (2, (2, 5, 5), dict(norm_type=1, kernel_size=2, stride=1, ceil_mode=True)),
    (2, (2, 2, 6, 7), dict(norm_type=-float("inf"), kernel_size=2)),
    (3, (1, 2, 4, 5, 6), dict(norm_type=2, kernel_size=(2, 2, 3), stride=(1, 2, 2))),
    (3, (2, 4, 4, 4), dict(norm_type=4.0, kernel_size=2)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("n,shape,kwargs", LP_CASES, ids=str)
def test_lp_pool_matches_torch(n: int, shape: tuple[int, ...], kwargs: dict[str, Any],
                               dtype: str) -> None:
    x = np.abs(RNG.standard_normal(shape)) + 0.1  # (x^p of a negative x is NaN for p = 1.5)
    x[..., 0] = 0.0  # a window of zeros in some cases: PyTorch's zero gradient there
    _both(lambda lib, t: getattr(lib.nn, f"LPPool{n}d")(**kwargs)(t), [x], dtype)
    _both(lambda lib, t: getattr(TF if lib is torch else F, f"lp_pool{n}d")(t, **kwargs),
          [x - 0.5 if kwargs["norm_type"] in (1, 2, 4.0) else x], dtype)


def test_lp_pool_repr_and_errors_match_torch() -> None:
    assert repr(tg.nn.LPPool2d(2, (3, 2), stride=1)) == repr(torch.nn.LPPool2d(2, (3, 2),
                                                                                stride=1))
    assert repr(tg.nn.LPPool1d(1.5, 3)) == repr(torch.nn.LPPool1d(1.5, 3))
    for call in (lambda lib, fn: fn.lp_pool2d(lib.ones(1, 2, 3, 3), 2, 4),
                 lambda lib, fn: fn.lp_pool1d(lib.ones(2, 2, 2, 5), 2, 2),
                 lambda lib, fn: fn.lp_pool3d(lib.ones(1, 4, 4, 4), 2, (2, 2))):
        _same_error(call)


# ------------------------------------------------------------ TripletMarginWithDistanceLoss


def _cosine_distance(lib: Any) -> Any:
    fn = F if lib is tg else TF
    return lambda x, y: 1.0 - fn.cosine_similarity(x, y)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("options", [dict(), dict(swap=True, margin=0.5), dict(cosine=True),
                                     dict(cosine=True, swap=True, margin=2.0), dict(l1=True)],
                         ids=str)
def test_triplet_margin_with_distance_loss_matches_torch(options: dict[str, Any],
                                                         reduction: str, dtype: str) -> None:
    arrays = [RNG.standard_normal((6, 4)) for _ in range(3)]

    def distance(lib: Any) -> Any:
        if options.get("cosine"):
            return _cosine_distance(lib)
        if options.get("l1"):
            return lib.nn.PairwiseDistance(p=1)
        return None

    kwargs = {k: v for k, v in options.items() if k in ("swap", "margin")}
    # (names not compared: x.clamp_min(0) shows ClampBackward1 here, ClampMinBackward0 in
    # PyTorch, for triplet_margin_loss too)
    names = reduction != "none"
    _both(lambda lib, a, p, n: lib.nn.TripletMarginWithDistanceLoss(
        distance_function=distance(lib), reduction=reduction, **kwargs)(a, p, n), arrays, dtype,
        names)
    _both(lambda lib, a, p, n: (F if lib is tg else TF).triplet_margin_with_distance_loss(
        a, p, n, distance_function=distance(lib), reduction=reduction, **kwargs), arrays, dtype,
        names)


def test_triplet_margin_with_distance_loss_module_and_errors_match_torch() -> None:
    assert repr(tg.nn.TripletMarginWithDistanceLoss()) == \
        repr(torch.nn.TripletMarginWithDistanceLoss())
    assert [n for n, _ in tg.nn.TripletMarginWithDistanceLoss().named_modules()] == \
        [n for n, _ in torch.nn.TripletMarginWithDistanceLoss().named_modules()]
    with pytest.raises(TypeError):
        tg.nn.TripletMarginWithDistanceLoss(None)  # keyword-only, as PyTorch's
    for call in (
        lambda lib, fn: lib.nn.TripletMarginWithDistanceLoss(margin=0.0),
        lambda lib, fn: fn.triplet_margin_with_distance_loss(
            lib.ones(2, 3), lib.ones(2, 3), lib.ones(2, 3), margin=-1.0),
        lambda lib, fn: fn.triplet_margin_with_distance_loss(
            lib.ones(2, 3), lib.ones(2, 3), lib.ones(2, 3), reduction="avg"),
        lambda lib, fn: fn.triplet_margin_with_distance_loss(
            lib.ones(2, 3), lib.ones(3), lib.ones(2, 3)),
    ):
        _same_error(call)


# -------------------------------------------------------------------------------- RReLU


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("bounds", [(1 / 8, 1 / 3), (0.1, 0.3), (0.5, 0.5), (-0.2, 1.7)],
                         ids=str)
def test_rrelu_matches_torch_bit_for_bit(bounds: tuple[float, float], training: bool,
                                         dtype: str) -> None:
    x = RNG.standard_normal((7, 13))
    x[0, :3] = 0.0  # x <= 0 draws a slope too
    results = []
    for lib in (tg, torch):
        fn = F if lib is tg else TF
        t = lib.tensor(x.astype(dtype), requires_grad=True)
        lib.manual_seed(11)
        out = fn.rrelu(t, *bounds, training=training)
        out2 = fn.rrelu(t, *bounds, training=training)  # (the stream goes on)
        (out * lib.tensor(x.astype(dtype))).sum().backward()
        results.append([type(out.grad_fn).__name__, out.detach().numpy(),
                        out2.detach().numpy(), t.grad.numpy(), lib.rand(2).numpy()])
    assert results[0][0] == results[1][0] == "RreluWithNoiseBackward0"
    for a, b in zip(results[0][1:], results[1][1:]):
        np.testing.assert_array_equal(a, b)


def test_rrelu_module_and_inplace_match_torch() -> None:
    x = RNG.standard_normal((4, 5))
    results = []
    for lib in (tg, torch):
        fn = F if lib is tg else TF
        leaf = lib.tensor(x, requires_grad=True)
        lib.manual_seed(3)
        module = lib.nn.RReLU(0.2, 0.4, inplace=True)
        y = leaf * 1.0
        out = module(y)
        assert out is y
        names = [type(out.grad_fn).__name__]
        z = leaf * 2.0
        fn.rrelu_(z, training=True)
        names.append(type(z.grad_fn).__name__)
        (out.sum() + z.sum()).backward()
        module.eval()
        ev = module(lib.tensor(x))
        results.append([names, repr(module), repr(lib.nn.RReLU()), out.detach().numpy(),
                        z.detach().numpy(), leaf.grad.numpy(), ev.numpy()])
    assert results[0][0] == results[1][0] == ["RreluWithNoiseBackward1"] * 2
    assert results[0][1:3] == results[1][1:3]
    for a, b in zip(results[0][3:], results[1][3:]):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("call", [
    lambda lib, fn: fn.rrelu(lib.ones(3), 0.5, 0.1),
    lambda lib, fn: fn.rrelu(lib.ones(3), 0.5, 0.1, training=True),
    lambda lib, fn: fn.rrelu(lib.tensor([-1, 2])),
    lambda lib, fn: fn.rrelu(lib.tensor([-1, 2]), training=True),
    lambda lib, fn: fn.rrelu(lib.tensor([-1.0, 2.0], dtype=lib.float16), training=True),
    lambda lib, fn: fn.rrelu_(lib.tensor([True])),
])
def test_rrelu_errors_match_torch(call: Any) -> None:
    _same_error(call)


def test_rrelu_gradgradcheck() -> None:
    x = tg.tensor(RNG.standard_normal((3, 4)), requires_grad=True)
    for training in (False, True):
        noise_seed = 5

        def fn(t: Any, training: bool = training) -> Any:
            tg.manual_seed(noise_seed)  # the same slopes at every evaluation
            return F.rrelu(t, training=training) ** 2
        assert tg.autograd.gradcheck(fn, (x,))
        assert tg.autograd.gradgradcheck(fn, (x,))
