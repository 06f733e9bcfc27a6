"""Every loss of ``tinygrad_edu.nn`` in every reduction mode:

1. against PyTorch (values, dtypes, gradients of input and target), including class
   weights, ``ignore_index``, ``label_smoothing``, probability targets, ``pos_weight``,
   spatial (N, C, d1, ...) inputs and logits of +-1e4;
2. against central finite differences in float64 (Hypothesis draws the shapes), first
   and second derivatives;
3. PyTorch's errors and warnings.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
import strategies as S
from hypothesis import given
from hypothesis import strategies as st
from test_nn_layers import assert_parity, needs_torch, rng_arrays, torch

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn

REDUCTIONS = ["mean", "sum", "none"]

# ------------------------------------------------------------------- regression losses

REGRESSION = {
    "mse": lambda lib, x, y, r: lib.nn.MSELoss(reduction=r)(x, y),
    "l1": lambda lib, x, y, r: lib.nn.L1Loss(reduction=r)(x, y),
    "huber": lambda lib, x, y, r: lib.nn.HuberLoss(reduction=r)(x, y),
    "huber_0.5": lambda lib, x, y, r: lib.nn.HuberLoss(reduction=r, delta=0.5)(x, y),
    "smooth_l1": lambda lib, x, y, r: lib.nn.SmoothL1Loss(reduction=r)(x, y),
    "smooth_l1_0.3": lambda lib, x, y, r: lib.nn.SmoothL1Loss(reduction=r, beta=0.3)(x, y),
    "smooth_l1_0": lambda lib, x, y, r: lib.nn.SmoothL1Loss(reduction=r, beta=0.0)(x, y),
}


@needs_torch
@pytest.mark.parametrize("name", sorted(REGRESSION))
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_regression_loss_matches_torch(name: str, reduction: str, dtype: Any) -> None:
    x, y = rng_arrays((5, 3), (5, 3), seed=1, dtype=dtype, scale=2.0)
    x[0, 0] = y[0, 0]  # d == 0: the kink of l1
    fn = REGRESSION[name]
    assert_parity(lambda lib, a, b: fn(lib, a, b, reduction), x, y)


@needs_torch
@pytest.mark.parametrize("name", sorted(REGRESSION))
def test_regression_loss_broadcast_warns_and_matches_torch(name: str) -> None:
    x, y = rng_arrays((4, 1), (4,), seed=2)
    fn = REGRESSION[name]
    with pytest.warns(
        UserWarning,
        match=r"Using a target size \(tinygrad_edu.Size\(\[4\]\)\) "
        r"that is different to the input size",
    ):
        fn(tg, tg.tensor(x), tg.tensor(y), "mean")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_parity(lambda lib, a, b: fn(lib, a, b, "mean"), x, y)


@needs_torch
@pytest.mark.parametrize("name", ["mse", "l1"])  # torch's huber backward fails on ints
def test_regression_loss_with_int_target_promotes(name: str) -> None:
    (x,) = rng_arrays((6,), seed=3)
    y = np.arange(6) - 3
    assert_parity(
        lambda lib, a, b: REGRESSION[name](lib, a, b, "mean"), x, y, grad_inputs=(True, False)
    )


@needs_torch
@pytest.mark.parametrize("fn", ["mse_loss", "l1_loss", "huber_loss"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_weighted_regression_losses_match_torch(fn: str, reduction: str) -> None:
    x, y = rng_arrays((4, 3), (4, 3), seed=4)
    w = np.abs(rng_arrays((4, 3), seed=5)[0])
    assert_parity(
        lambda lib, a, b, c: getattr(lib.nn.functional, fn)(a, b, reduction=reduction, weight=c),
        x,
        y,
        w,
        grad_inputs=(True, True, False),
    )


def test_regression_loss_errors() -> None:
    with pytest.raises(ValueError, match="avg is not a valid value for reduction"):
        F.mse_loss(tg.ones(2), tg.ones(2), reduction="avg")
    with pytest.raises(
        RuntimeError,
        match=r"The size of tensor a \(2\) must match the size "
        r"of tensor b \(4\) at non-singleton dimension 1",
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            F.l1_loss(tg.ones(3, 2), tg.ones(4))
    with pytest.raises(ValueError, match="Weights and input must have the same size."):
        F.mse_loss(tg.ones(2), tg.ones(2), weight=tg.ones(3))


def test_legacy_size_average_warns() -> None:
    with pytest.warns(UserWarning, match="reduction='sum' instead"):
        out = F.mse_loss(tg.ones(2), tg.zeros(2), size_average=False)
    assert out.item() == 2.0
    with pytest.warns(UserWarning):
        assert nn.L1Loss(reduce=False).reduction == "none"


# ------------------------------------------------------------------------ cross entropy

CE_CASES = {
    "2d": ((6, 4), (6,)),
    "1d": ((5,), ()),
    "3d": ((3, 4, 2), (3, 2)),
    "4d": ((2, 3, 2, 2), (2, 2, 2)),
}


def _targets(
    shape: tuple[int, ...], n_classes: int, seed: int = 0, ignore: bool = False
) -> np.ndarray:
    t = np.random.default_rng(seed).integers(0, n_classes, size=shape)
    if ignore and t.size > 1:
        t.reshape(-1)[::3] = -100
    return t


def _n_classes(shape: tuple[int, ...]) -> int:
    return shape[0] if len(shape) == 1 else shape[1]


@needs_torch
@pytest.mark.parametrize("case", sorted(CE_CASES))
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", ["plain", "weight", "ignore", "smoothing", "all"])
def test_cross_entropy_with_class_indices_matches_torch(
    case: str, reduction: str, options: str
) -> None:
    z_shape, t_shape = CE_CASES[case]
    c = _n_classes(z_shape)
    (z,) = rng_arrays(z_shape, seed=6, scale=3.0)
    t = _targets(t_shape, c, ignore=options in ("ignore", "all") and case != "1d")
    w = np.linspace(0.5, 2.0, c).astype(np.float32)
    kwargs: dict[str, Any] = {"reduction": reduction}
    if options in ("smoothing", "all"):
        kwargs["label_smoothing"] = 0.2
    arrays = [z, t] + ([w] if options in ("weight", "all") else [])

    def fn(lib: Any, z: Any, t: Any, *w: Any) -> Any:
        return lib.nn.CrossEntropyLoss(weight=w[0] if w else None, **kwargs)(z, t)

    assert_parity(fn, *arrays, grad_inputs=(True, False, False))


@needs_torch
@pytest.mark.parametrize("case", ["2d", "1d", "3d"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", ["plain", "weight", "smoothing"])
def test_cross_entropy_with_probabilities_matches_torch(
    case: str, reduction: str, options: str
) -> None:
    z_shape, _ = CE_CASES[case]
    c = _n_classes(z_shape)
    z, raw = rng_arrays(z_shape, z_shape, seed=7, dtype=np.float64)
    probs = np.exp(raw) / np.exp(raw).sum(axis=0 if len(z_shape) == 1 else 1, keepdims=True)
    w = np.linspace(0.5, 2.0, c)
    smoothing = 0.1 if options == "smoothing" else 0.0

    def fn(lib: Any, z: Any, p: Any, *w: Any) -> Any:
        return lib.nn.functional.cross_entropy(
            z, p, weight=w[0] if w else None, reduction=reduction, label_smoothing=smoothing
        )

    arrays = [z, probs] + ([w] if options == "weight" else [])
    assert_parity(fn, *arrays, grad_inputs=(True, True, False), rtol=1e-7, atol=1e-9)


@needs_torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_is_stable_for_huge_logits(reduction: str) -> None:
    z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5e3], [0.0, 0.0, 1e4]], dtype=np.float32)
    t = np.array([1, 1, 2])
    out = F.cross_entropy(tg.tensor(z), tg.tensor(t), reduction=reduction)
    assert np.isfinite(out.numpy()).all()
    assert_parity(
        lambda lib, z, t: lib.nn.functional.cross_entropy(z, t, reduction=reduction),
        z,
        t,
        grad_inputs=(True, False),
        rtol=1e-6,
        atol=1e-3,
    )


@needs_torch
def test_cross_entropy_all_ignored_mean_is_nan_like_torch() -> None:
    z, t = np.zeros((2, 3), np.float32), np.array([-100, -100])
    ours = F.cross_entropy(tg.tensor(z), tg.tensor(t)).item()
    theirs = torch.nn.functional.cross_entropy(torch.tensor(z), torch.tensor(t)).item()
    assert np.isnan(ours) and np.isnan(theirs)


@needs_torch
@pytest.mark.parametrize("case", sorted(CE_CASES))
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", ["plain", "weight", "ignore"])
def test_nll_loss_matches_torch(case: str, reduction: str, options: str) -> None:
    z_shape, t_shape = CE_CASES[case]
    c = _n_classes(z_shape)
    (z,) = rng_arrays(z_shape, seed=8)
    t = _targets(t_shape, c, ignore=options == "ignore" and case != "1d")
    w = np.linspace(0.5, 2.0, c).astype(np.float32)
    dim = 0 if len(z_shape) == 1 else 1

    def fn(lib: Any, z: Any, t: Any, *w: Any) -> Any:
        logp = lib.nn.LogSoftmax(dim=dim)(z)
        return lib.nn.NLLLoss(weight=w[0] if w else None, reduction=reduction)(logp, t)

    arrays = [z, t] + ([w] if options == "weight" else [])
    assert_parity(fn, *arrays, grad_inputs=(True, False, False))


def test_cross_entropy_errors() -> None:
    z = tg.zeros(3, 4)
    with pytest.raises(IndexError, match="Target 5 is out of bounds."):
        F.cross_entropy(z, tg.tensor([0, 1, 5]))
    with pytest.raises(IndexError, match="Target -3 is out of bounds."):
        F.cross_entropy(z, tg.tensor([0, 1, -3]))
    with pytest.raises(
        ValueError,
        match=r"Expected input batch_size \(3\) to match target "
        r"batch_size \(2\).",
    ):
        F.cross_entropy(z, tg.tensor([0, 1]))
    with pytest.raises(
        RuntimeError, match="expected target dtype to be Long or Byte, but got Float"
    ):
        F.cross_entropy(z, tg.tensor([0.0, 1.0, 2.0]))
    with pytest.raises(
        RuntimeError,
        match="Expected floating point type for target with class probabilities, got Long",
    ):
        F.cross_entropy(z, tg.zeros(3, 4, dtype=tg.int64))
    with pytest.raises(RuntimeError, match="ignore_index is not supported for floating point"):
        F.cross_entropy(z, tg.rand(3, 4), ignore_index=1)
    with pytest.raises(RuntimeError, match=r"Expected target size \[2, 4\], got \[2, 5\]"):
        F.cross_entropy(tg.zeros(2, 3, 4), tg.zeros(2, 5, dtype=tg.int64))
    with pytest.raises(
        RuntimeError,
        match="weight tensor should be defined either for all 4 "
        r"classes or no classes but got weight tensor of "
        r"shape: \[3\]",
    ):
        F.cross_entropy(z, tg.tensor([0, 1, 2]), weight=tg.ones(3))
    with pytest.raises(RuntimeError, match="label_smoothing must be between 0.0 and 1.0. Got: 1.5"):
        F.cross_entropy(z, tg.tensor([0, 1, 2]), label_smoothing=1.5)
    with pytest.raises(
        RuntimeError, match="0D or 1D target tensor expected, multi-target not supported"
    ):
        F.nll_loss(z, tg.zeros(3, 2, dtype=tg.int64))
    with pytest.raises(ValueError, match="avg is not a valid value for reduction"):
        F.cross_entropy(z, tg.tensor([0, 1, 2]), reduction="avg")


def test_cross_entropy_grad_fn_and_weight_buffer() -> None:
    z = tg.zeros(2, 3, requires_grad=True)
    assert F.cross_entropy(z, tg.tensor([0, 1])).grad_fn.name() == "NllLossBackward0"
    loss = nn.CrossEntropyLoss(weight=tg.ones(3))
    assert list(loss.state_dict()) == ["weight"]
    assert list(nn.CrossEntropyLoss().state_dict()) == []
    assert repr(loss) == "CrossEntropyLoss()"
    assert list(nn.BCEWithLogitsLoss(pos_weight=tg.ones(2)).state_dict()) == ["pos_weight"]


# --------------------------------------------------------------- binary cross entropy


@needs_torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_bce_matches_torch(reduction: str, weighted: bool) -> None:
    r = np.random.default_rng(9)
    x = r.uniform(0.02, 0.98, (4, 3))
    y = r.uniform(0, 1, (4, 3))
    w = r.uniform(0.5, 2, (3,))

    def fn(lib: Any, x: Any, y: Any, *w: Any) -> Any:
        return lib.nn.BCELoss(weight=w[0] if w else None, reduction=reduction)(x, y)

    arrays = [x, y] + ([w] if weighted else [])
    assert_parity(fn, *arrays, grad_inputs=(True, True, False), rtol=1e-7, atol=1e-9)


@needs_torch
def test_bce_clamps_log_at_minus_100_like_torch() -> None:
    x = np.array([0.0, 1.0, 0.5], np.float32)
    y = np.array([1.0, 0.0, 1.0], np.float32)
    assert_parity(
        lambda lib, x, y: lib.nn.functional.binary_cross_entropy(x, y),
        x,
        y,
        grad_inputs=(True, False),
    )


@needs_torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", ["plain", "weight", "pos_weight", "both"])
def test_bce_with_logits_matches_torch(reduction: str, options: str) -> None:
    r = np.random.default_rng(10)
    x = r.normal(0, 3, (5, 3))
    y = r.uniform(0, 1, (5, 3))
    w = r.uniform(0.5, 2, (5, 1))
    pw = r.uniform(0.5, 3, (3,))
    use_w, use_pw = options in ("weight", "both"), options in ("pos_weight", "both")

    def fn(lib: Any, x: Any, y: Any, w: Any, pw: Any) -> Any:
        return lib.nn.BCEWithLogitsLoss(
            weight=w if use_w else None, reduction=reduction, pos_weight=pw if use_pw else None
        )(x, y)

    assert_parity(fn, x, y, w, pw, grad_inputs=(True, True, False, False), rtol=1e-7, atol=1e-9)


@needs_torch
def test_bce_with_logits_is_stable_for_huge_logits() -> None:
    x = np.array([1e4, -1e4, 50.0, -50.0], np.float32)
    y = np.array([0.0, 1.0, 1.0, 0.0], np.float32)
    pw = np.array([2.0], np.float32)
    out = F.binary_cross_entropy_with_logits(tg.tensor(x), tg.tensor(y), pos_weight=tg.tensor(pw))
    assert np.isfinite(out.item())
    assert_parity(
        lambda lib, x, y, pw: lib.nn.functional.binary_cross_entropy_with_logits(
            x, y, pos_weight=pw, reduction="none"
        ),
        x,
        y,
        pw,
        grad_inputs=(True, True, False),
    )


def test_bce_errors() -> None:
    with pytest.raises(
        ValueError,
        match=r"Using a target size \(tinygrad_edu.Size\(\[3\]\)\) "
        r"that is different to the input size",
    ):
        F.binary_cross_entropy(tg.rand(3, 1), tg.rand(3))
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(tg.tensor([1.5]), tg.tensor([1.0]))
    with pytest.raises(RuntimeError, match="Found dtype Long but expected Float"):
        F.binary_cross_entropy(tg.rand(3), tg.tensor([0, 1, 1]))
    with pytest.raises(
        ValueError,
        match=r"Target size \(tinygrad_edu.Size\(\[3\]\)\) must be "
        r"the same as input size",
    ):
        F.binary_cross_entropy_with_logits(tg.rand(3, 1), tg.rand(3))


# ----------------------------------------------------------------- second derivatives


@needs_torch
@pytest.mark.parametrize(
    "name",
    ["ce", "ce_smooth_weight", "ce_prob", "nll", "bce", "bce_logits", "mse", "huber", "smooth_l1"],
)
def test_loss_second_derivatives_match_torch(name: str) -> None:
    r = np.random.default_rng(12)
    z = r.normal(0, 1.5, (4, 3))
    probs = r.dirichlet(np.ones(3), 4)
    t = np.array([0, 2, 1, 2])
    w = np.array([0.5, 1.0, 2.0])
    fns = {
        "ce": lambda lib, z: lib.nn.functional.cross_entropy(z, lib.tensor(t)),
        "ce_smooth_weight": lambda lib, z: lib.nn.functional.cross_entropy(
            z, lib.tensor(t), weight=lib.tensor(w), label_smoothing=0.2
        ),
        "ce_prob": lambda lib, z: lib.nn.functional.cross_entropy(z, lib.tensor(probs)),
        "nll": lambda lib, z: lib.nn.functional.nll_loss(z.log_softmax(1), lib.tensor(t)),
        "bce": lambda lib, z: lib.nn.functional.binary_cross_entropy(
            z.sigmoid(), lib.tensor(probs)
        ),
        "bce_logits": lambda lib, z: lib.nn.functional.binary_cross_entropy_with_logits(
            z, lib.tensor(probs), pos_weight=lib.tensor(w)
        ),
        "mse": lambda lib, z: lib.nn.functional.mse_loss(z, lib.tensor(probs)),
        "huber": lambda lib, z: lib.nn.functional.huber_loss(z, lib.tensor(probs), delta=0.7),
        "smooth_l1": lambda lib, z: lib.nn.functional.smooth_l1_loss(
            z, lib.tensor(probs), beta=0.7
        ),
    }
    results = []
    for lib in (tg, torch):
        x = lib.tensor(z, requires_grad=True)
        (g,) = lib.autograd.grad(fns[name](lib, x), x, create_graph=True)
        (hv,) = lib.autograd.grad((g * lib.tensor(probs)).sum(), x)  # Hessian-vector product
        results.append((g.detach().numpy(), hv.numpy()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-7, atol=1e-10)


# ------------------------------------------------------- finite differences (Hypothesis)


def _off(points: list[float], margin: float = 0.05) -> S.Domain:
    """Move values within ``margin`` of each point away from it (off the kinks)."""

    def domain(x: np.ndarray) -> np.ndarray:
        for p in points:
            x = np.where(np.abs(x - p) < margin, p + margin * 2 * np.sign(x - p + 1e-12), x)
        return x

    return domain


@st.composite
def pair(draw: Any, kink_points: tuple[float, ...] = ()) -> tuple[np.ndarray, np.ndarray]:
    """input and target of the same shape; input - target kept off the loss's kinks."""
    shape = draw(S.shapes(0, 3))
    y = draw(S.arrays(shape))
    d = draw(S.arrays(shape, domain=_off([0.0, *kink_points], 0.05)))
    d = _off([-p for p in kink_points])(d)
    return y + d, y


@pytest.mark.parametrize(
    "name,kinks",
    [("mse_loss", ()), ("l1_loss", ()), ("huber_loss", (1.0,)), ("smooth_l1_loss", (1.0,))],
)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(data=st.data())
def test_regression_loss_gradcheck(
    name: str, kinks: tuple[float, ...], reduction: str, data: Any
) -> None:
    x, y = data.draw(pair(kinks))
    xt, yt = tg.tensor(x, requires_grad=True), tg.tensor(y, requires_grad=True)
    fn = getattr(F, name)
    assert tg.autograd.gradcheck(lambda a, b: fn(a, b, reduction=reduction), (xt, yt))
    if name in ("mse_loss", "huber_loss", "smooth_l1_loss"):
        assert tg.autograd.gradgradcheck(lambda a, b: fn(a, b, reduction=reduction), (xt, yt))


@st.composite
def logits_and_classes(draw: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Logits of shape (C,), (N, C) or (N, C, d); targets (some ignored); class weights."""
    c = draw(st.integers(2, 4))
    batch = draw(
        st.sampled_from(
            [(), (draw(st.integers(1, 3)),), (draw(st.integers(1, 2)), draw(st.integers(1, 2)))]
        )
    )
    z_shape = (c,) if not batch else (batch[0], c) + batch[1:]
    z = draw(S.arrays(z_shape, -3, 3))
    t = np.array(
        draw(
            st.lists(
                st.integers(0, c - 1), min_size=int(np.prod(batch)), max_size=int(np.prod(batch))
            )
        )
    ).reshape(batch)
    if t.size > 1 and draw(st.booleans()):
        t.reshape(-1)[0] = -100
    w = draw(S.arrays((c,), 0.2, 2.0))
    return z, t.astype(np.int64), w


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(case=logits_and_classes(), smoothing=st.sampled_from([0.0, 0.3]), weighted=st.booleans())
def test_cross_entropy_gradcheck(
    reduction: str, case: Any, smoothing: float, weighted: bool
) -> None:
    z, t, w = case
    zt = tg.tensor(z, requires_grad=True)
    kwargs = {
        "weight": tg.tensor(w) if weighted else None,
        "reduction": reduction,
        "label_smoothing": smoothing,
    }

    def fn(a: Any) -> Any:
        return F.cross_entropy(a, tg.tensor(t), **kwargs)

    if reduction == "mean" and (t == -100).all():
        return  # 0 / 0: nan, as PyTorch
    assert tg.autograd.gradcheck(fn, (zt,))
    assert tg.autograd.gradgradcheck(fn, (zt,))
    logp = tg.tensor(z, requires_grad=True)
    assert tg.autograd.gradcheck(
        lambda a: F.nll_loss(a, tg.tensor(t), weight=kwargs["weight"], reduction=reduction), (logp,)
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(data=st.data())
def test_cross_entropy_probabilities_gradcheck(reduction: str, data: Any) -> None:
    z, _, w = data.draw(logits_and_classes())
    p = data.draw(S.arrays(z.shape, 0.0, 1.0))
    zt, pt = tg.tensor(z, requires_grad=True), tg.tensor(p, requires_grad=True)
    smoothing = data.draw(st.sampled_from([0.0, 0.25]))

    def fn(a: Any, b: Any) -> Any:
        return F.cross_entropy(
            a, b, weight=tg.tensor(w), reduction=reduction, label_smoothing=smoothing
        )

    assert tg.autograd.gradcheck(fn, (zt, pt))
    assert tg.autograd.gradgradcheck(fn, (zt, pt))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(data=st.data())
def test_binary_cross_entropy_gradcheck(reduction: str, data: Any) -> None:
    shape = data.draw(S.shapes(0, 3))
    x = data.draw(S.arrays(shape, 0.05, 0.95))
    y = data.draw(S.arrays(shape, 0.0, 1.0))
    w = data.draw(S.arrays(shape[-1:] if shape else (), 0.2, 2.0))
    xt, yt = tg.tensor(x, requires_grad=True), tg.tensor(y, requires_grad=True)
    assert tg.autograd.gradcheck(
        lambda a, b: F.binary_cross_entropy(a, b, weight=tg.tensor(w), reduction=reduction),
        (xt, yt),
    )
    logits = tg.tensor(data.draw(S.arrays(shape, -4, 4)), requires_grad=True)

    def with_logits(a: Any, b: Any) -> Any:
        return F.binary_cross_entropy_with_logits(
            a, b, weight=tg.tensor(w), pos_weight=tg.tensor(w * 1.5), reduction=reduction
        )

    assert tg.autograd.gradcheck(with_logits, (logits, yt))
    assert tg.autograd.gradgradcheck(with_logits, (logits, yt))
