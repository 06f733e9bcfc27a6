"""Kinks and singular points: the values and gradients PyTorch gives there.

The op table of ``test_ops.py`` keeps its inputs off kinks and poles (a gradient there is
a convention, not a limit, so finite differences cannot check it). Here every row of that
table -- and every row added to it later -- is run on a *kink lattice* instead: exact
zeros, ties and duplicates, +-1, small integers and halves (the clamp bounds of the
table), and -inf where the op accepts it. Values, first derivatives and, where PyTorch's
double backward is defined, second derivatives must be PyTorch's, NaN and inf positions
included (``assert_allclose(equal_nan=True)`` after checking the non-finite pattern).

``FUNCTIONAL`` adds the ``nn.functional`` activations and losses with kinks, which the op
table does not hold; the named regression tests pin the cases of the issue.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import strategies as S
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from test_ops import OPS, Op, Sample, _call, _off_corrcoef_clip, _outputs

import tinygrad_edu as tg

torch = pytest.importorskip("torch")

INF = math.inf
LATTICE = (0.0, 0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5)

# rows whose inputs stay finite: -inf makes their results depend on the order in which
# the library adds (matmul, einsum, cov, chain products: inf - inf), or torch rejects it
# (quantile); torch's
# var_mean/std_mean take the mean from their Welford pass, where a -inf turns it into NaN
# depending on its position (torch.mean gives -inf: so does ours); an infinite weight of
# the fused norms meets a zero xhat as torch's kernels order it, x * (rstd w) + (b - mean
# rstd w), or as ours does, xhat * w + b: NaN in one where the other has +-inf
# Weighted interpolation multiplies each input by a weight that may be exactly 0 (a
# source coordinate on a grid point), and 0 * inf is NaN: which outputs of an infinite
# input are NaN depends on each PyTorch kernel's floating point details (a fused
# multiply-add in the 1-d kernel's coordinates; the 2-d and 3-d kernels interpolate a kept
# axis too, with weights 1 and 0, where ours copies it). Finite inputs match.
_INTERPOLATE_WEIGHTED = ("interpolate_linear", "interpolate_bilinear", "interpolate_bicubic",
                         "interpolate_trilinear")
# An infinite grid point of grid_sample has no position (its fraction is inf - inf): which
# of torch's derivatives of its weights are NaN is each kernel's detail.
_GRID_SAMPLE = ("grid_sample_bilinear", "grid_sample_nearest", "grid_sample_bicubic",
                "grid_sample_3d_bilinear", "grid_sample_3d_nearest")
NO_INF = {"quantile", "nanquantile", "std_mean", "var_mean", "group_norm_affine",
          "instance_norm_affine", "instance_norm_eval", *_INTERPOLATE_WEIGHTED, *_GRID_SAMPLE}
NO_INF_PREFIXES = ("matmul", "bmm", "addmm", "baddbmm", "einsum", "trace", "chain_matmul", "cov",
                   "corrcoef")
# a row's own filter that the lattice must keep too: two exactly correlated rows put
# corrcoef on its clip at 1, where which side the quotient rounds to (1 - 1 ulp in torch,
# 1 + 1 ulp here, for rows [-2, -2, 0] and [-2, -2, 1]) decides whether a derivative passes
ON_LATTICE_TOO = {"corrcoef": _off_corrcoef_clip}
# rows whose second derivatives at -inf are NaN arithmetic (-inf - -inf) that torch's
# formula and ours (linear in the upstream gradient, so that gradgradcheck holds at a zero
# gradient) route differently; values and first derivatives there are checked
SECOND_ORDER_FINITE = {"logcumsumexp"}


# linear algebra: singular and non-finite matrices are not kinks but failures, whose
# outcome is LAPACK's (which errors it reports, the inf and NaN patterns of its solves);
# test_linalg.py pins PyTorch's at the singular points that have a defined answer
LINALG = ("linalg_", "inverse", "det", "logdet", "cholesky", "pinverse", "matrix_power",
          "matrix_exp", "svd_legacy", "qr_legacy")


def _allows_inf(op: Op) -> bool:
    return op.name not in NO_INF and not op.name.startswith(NO_INF_PREFIXES)


@st.composite
def on_lattice(draw: Any, op: Op) -> Sample:
    """A sample of ``op`` (shapes and params from its row), its float arrays redrawn from
    the kink lattice."""
    sample = draw(op.inputs, label="sample")
    values = LATTICE + ((-INF,) if _allows_inf(op) else ())
    elements = st.sampled_from(values)
    arrays = tuple(draw(hnp.arrays(np.float64, a.shape, elements=elements), label="lattice")
                   if a.dtype.kind == "f" else a for a in sample.arrays)
    lattice = Sample(arrays, sample.params)
    keep = ON_LATTICE_TOO.get(op.name)
    assume(keep is None or keep(lattice))
    return lattice


def assert_same(mine: Any, theirs: Any, what: str) -> None:
    """Same shape, dtype, NaN and inf positions (signs included) and close values."""
    m, t = np.asarray(mine), np.asarray(theirs)
    assert m.shape == t.shape, f"{what}: shape {m.shape} != torch's {t.shape}"
    assert m.dtype == t.dtype, f"{what}: dtype {m.dtype} != torch's {t.dtype}"
    if m.dtype.kind == "f":
        np.testing.assert_array_equal(np.isnan(m), np.isnan(t), err_msg=f"{what}: NaN at")
        np.testing.assert_array_equal(np.isposinf(m), np.isposinf(t), err_msg=f"{what}: +inf")
        np.testing.assert_array_equal(np.isneginf(m), np.isneginf(t), err_msg=f"{what}: -inf")
    np.testing.assert_allclose(m, t, rtol=1e-7, atol=1e-12, equal_nan=True, err_msg=what)


def _grad_array(t: Any) -> Any:
    if t is None:
        return None
    if isinstance(t, torch.Tensor) and t._is_zerotensor():  # torch's symbolic zeros
        return np.zeros(tuple(t.shape), t.detach().numpy(force=True).dtype)
    return t.detach().numpy()


def compare(fn: Callable[..., Any], arrays: tuple[np.ndarray, ...],
            skip_grad: bool = False, second_order: bool = True) -> None:
    """``fn(lib, *tensors)`` with tinygrad_edu and with torch: outputs, then each input's
    gradient for a fixed random seed gradient, then (where torch defines it) the gradient
    of ``sum(grad * v)``: the second derivatives."""
    mine_in = [tg.tensor(a, requires_grad=True) for a in arrays]
    theirs_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            theirs = _outputs(fn(torch, *theirs_in))
        except (RuntimeError, IndexError, ValueError, TypeError) as e:
            # torch rejects the input: so must we, with the same class
            same = tg.linalg.LinAlgError if isinstance(e, torch.linalg.LinAlgError) else type(e)
            with pytest.raises(same):
                fn(tg, *mine_in)
            return
        mine = _outputs(fn(tg, *mine_in))
        assert len(mine) == len(theirs)
        for k, (m, t) in enumerate(zip(mine, theirs)):
            assert_same(m.detach().numpy(), t.detach().numpy(), f"forward, output {k}")
        pairs = [(m, t) for m, t in zip(mine, theirs) if t.requires_grad]
        if skip_grad or not pairs:
            return
        rng = np.random.default_rng(0)
        seeds = [rng.standard_normal(tuple(t.shape)) for _, t in pairs]
        # twice: a plain backward (numpy formulas), then one that records itself (the
        # formulas on Tensors, which double backward differentiates)
        for create_graph in (False, True):
            t_grads = torch.autograd.grad([t for _, t in pairs], theirs_in,
                                          [torch.tensor(s) for s in seeds], allow_unused=True,
                                          create_graph=create_graph, retain_graph=True)
            m_grads = tg.autograd.grad([m for m, _ in pairs], mine_in,
                                       [tg.tensor(s) for s in seeds], allow_unused=True,
                                       create_graph=create_graph, retain_graph=True)
            how = "backward" + (" (create_graph)" if create_graph else "")
            for i, (mg, tgr) in enumerate(zip(m_grads, t_grads)):
                if tgr is None:  # torch: no gradient at all; ours may be None or zeros
                    assert mg is None or not mg.detach().numpy().any(), f"{how}, input {i}"
                    continue
                assert mg is not None, f"{how}, input {i}: None, torch has {tgr}"
                assert_same(_grad_array(mg), _grad_array(tgr), f"{how}, input {i}")
        if second_order:
            _compare_second_order(mine_in, theirs_in, m_grads, t_grads, rng)


def _compare_second_order(mine_in: list[Any], theirs_in: list[Any], m_grads: Any,
                          t_grads: Any, rng: Any) -> None:
    """The gradient of ``sum_i sum(grad_i * v_i)`` with respect to the inputs."""
    live = [(m, t) for m, t in zip(m_grads, t_grads)
            if t is not None and t.requires_grad and m is not None]
    if not live:
        return
    vs = [rng.standard_normal(tuple(t.shape)) for _, t in live]
    try:
        t_second = torch.autograd.grad([t for _, t in live], theirs_in,
                                       [torch.tensor(v) for v in vs], allow_unused=True)
    except RuntimeError:  # torch's double backward is not defined here
        return
    if not all(m.requires_grad for m, _ in live):
        # torch's gradient depends on the inputs here: ours must too, unless it is zero
        for (m, _), ts in zip(live, t_second):
            assert m.requires_grad or ts is None or not ts.detach().numpy().any(), \
                "second order: our gradient is a constant, torch's is not"
        live = [(m, t) for m, t in live if m.requires_grad]
        if not live:
            return
    m_second = tg.autograd.grad([m for m, _ in live], mine_in,
                                [tg.tensor(v) for v in vs[:len(live)]], allow_unused=True)
    for i, (ms, ts) in enumerate(zip(m_second, t_second)):
        if ts is None or ms is None:
            other = ms if ts is None else ts
            assert other is None or not np.nan_to_num(_grad_array(other)).any(), \
                f"second order, input {i}: {ms} vs torch's {ts}"
            continue
        assert_same(_grad_array(ms), _grad_array(ts), f"second order, input {i}")


def _unstable_sort_ties(op: Op, sample: Sample) -> bool:
    """torch's quantile sorts with ``stable=False``: past 16 elements, tied values come out
    in the order of its introsort, which decides which tie gets the gradient (ours:
    the first, as a stable sort). The values agree; that gradient is left unchecked."""
    if op.name not in ("quantile", "nanquantile") or sample.params.get("dim") is not None:
        return False
    x = sample.arrays[0]
    return x.size > 16 and np.unique(x).size < x.size


# ============================================================================ the op table
@pytest.mark.parametrize("op", OPS, ids=lambda op: op.name)
@settings(max_examples=8)  # (each example runs three backwards against torch's)
@given(data=st.data())
def test_op_table_on_kink_lattice(op: Op, data: st.DataObject) -> None:
    """Every row of the op table, on zeros, ties, +-1, small integers and -inf: values and
    first and second derivatives as PyTorch's, NaN and inf positions included."""
    if op.name.startswith(LINALG):
        pytest.skip("singular matrices: see LINALG")
    sample = data.draw(on_lattice(op), label="sample")
    skip = op.torch_grad_bug is not None and op.torch_grad_bug(sample)
    skip = skip or _unstable_sort_ties(op, sample)

    def fn(lib: Any, *tensors: Any) -> tuple[Any, ...]:
        return _call(op, lib, list(tensors), sample)

    second = op.name not in SECOND_ORDER_FINITE or all(np.isfinite(a).all()
                                                        for a in sample.arrays)
    compare(fn, sample.arrays, skip_grad=skip, second_order=second)


# ============================================================================ nn.functional
def _loss_pair(lib: Any, name: str, **kw: Any) -> Callable[..., Any]:
    return lambda L, x, y: getattr(L.nn.functional, name)(x, y, **kw)


FUNCTIONAL: dict[str, tuple[Callable[..., Any], int]] = {
    # name: (fn(lib, *tensors), number of lattice tensors)
    "relu": (lambda L, x: L.nn.functional.relu(x), 1),
    "relu6": (lambda L, x: L.nn.functional.relu6(x * 3), 1),
    "hardtanh": (lambda L, x: L.nn.functional.hardtanh(x), 1),
    "hardtanh_bounds": (lambda L, x: L.nn.functional.hardtanh(x, -0.5, 2.0), 1),
    "leaky_relu": (lambda L, x: L.nn.functional.leaky_relu(x, 0.1), 1),
    "elu": (lambda L, x: L.nn.functional.elu(x), 1),
    "gelu": (lambda L, x: L.nn.functional.gelu(x), 1),
    "gelu_tanh": (lambda L, x: L.nn.functional.gelu(x, approximate="tanh"), 1),
    "silu": (lambda L, x: L.nn.functional.silu(x), 1),
    "softplus": (lambda L, x: L.nn.functional.softplus(x), 1),
    "softplus_threshold": (lambda L, x: L.nn.functional.softplus(x, 2.0, 1.0), 1),
    "hardsigmoid_at_3": (lambda L, x: L.nn.functional.hardsigmoid(x * 1.5), 1),
    "hardswish_at_3": (lambda L, x: L.nn.functional.hardswish(x * 1.5), 1),
    "threshold": (lambda L, x: L.nn.functional.threshold(x, 1.0, 5.0), 1),
    "softshrink_ends": (lambda L, x: L.nn.functional.softshrink(x, 1.0), 1),
    "hardshrink": (lambda L, x: L.nn.functional.hardshrink(x), 1),
    "celu_alpha": (lambda L, x: L.nn.functional.celu(x, 2.0), 1),
    "selu": (lambda L, x: L.nn.functional.selu(x), 1),
    "sigmoid": (lambda L, x: L.nn.functional.sigmoid(x), 1),
    "tanh": (lambda L, x: L.nn.functional.tanh(x), 1),
    "softmax": (lambda L, x: L.nn.functional.softmax(x, dim=-1), 1),
    "log_softmax": (lambda L, x: L.nn.functional.log_softmax(x, dim=-1), 1),
    "mse_loss": (_loss_pair(None, "mse_loss"), 2),
    "l1_loss": (_loss_pair(None, "l1_loss"), 2),
    "l1_loss_none": (_loss_pair(None, "l1_loss", reduction="none"), 2),
    "huber_loss": (_loss_pair(None, "huber_loss"), 2),
    "huber_loss_delta": (_loss_pair(None, "huber_loss", delta=0.5, reduction="sum"), 2),
    "smooth_l1_loss": (_loss_pair(None, "smooth_l1_loss"), 2),
    "smooth_l1_loss_beta": (_loss_pair(None, "smooth_l1_loss", beta=0.5, reduction="none"), 2),
    "smooth_l1_loss_beta0": (_loss_pair(None, "smooth_l1_loss", beta=0.0), 2),
    "layer_norm": (lambda L, x: L.nn.functional.layer_norm(x, x.shape[-1:]), 1),
    "batch_norm": (lambda L, x: L.nn.functional.batch_norm(
        x.reshape(-1, 1), None, None, training=True), 1),
    "cross_entropy": (lambda L, x: L.nn.functional.cross_entropy(
        x.reshape(-1, x.shape[-1]), L.zeros(x.reshape(-1, x.shape[-1]).shape[0],
                                            dtype=L.int64)), 1),
    "nll_loss": (lambda L, x: L.nn.functional.nll_loss(
        x.reshape(-1, x.shape[-1]), L.zeros(x.reshape(-1, x.shape[-1]).shape[0],
                                            dtype=L.int64)), 1),
    "bce_with_logits": (lambda L, x, y: L.nn.functional.binary_cross_entropy_with_logits(
        x, y.abs().clamp(0, 1)), 2),
}


@pytest.mark.parametrize("name", list(FUNCTIONAL))
@given(data=st.data())
def test_functional_on_kink_lattice(name: str, data: st.DataObject) -> None:
    """nn.functional's activations, losses and normalizations on the kink lattice (for the
    losses x - y is 0, +-delta, +-beta; the normalizations get constant rows)."""
    fn, n = FUNCTIONAL[name]
    shape = data.draw(S.shapes(min_dims=1, max_dims=2), label="shape")
    values = st.sampled_from(LATTICE + (-INF,))
    arrays = tuple(data.draw(hnp.arrays(np.float64, shape, elements=values), label="x")
                   for _ in range(n))
    compare(fn, arrays)


# ============================================================================ the cases
def _grads(fn: Callable[..., Any], *values: Any, seed: Any = None) -> tuple[Any, Any]:
    """(ours, torch's) gradients of ``fn`` at ``values`` (float64), as numpy arrays."""
    mine = [tg.tensor(v, dtype=tg.float64, requires_grad=True) for v in values]
    theirs = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in values]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m, t = fn(tg, *mine), fn(torch, *theirs)
        g = None if seed is None else np.asarray(seed, dtype=np.float64)
        m.backward(None if g is None else tg.tensor(g))
        t.backward(None if g is None else torch.tensor(g))
    return [_grad_array(a.grad) for a in mine], [_grad_array(a.grad) for a in theirs]


KINK_CASES: dict[str, tuple[Callable[..., Any], list[Any]]] = {
    "norm of zeros": (lambda L, x: x.norm(), [[0.0, 0.0]]),
    "norm(dim) of a zero row": (lambda L, x: x.norm(dim=1).sum(), [[[0.0, 0.0], [3.0, 4.0]]]),
    "norm(1) at 0": (lambda L, x: x.norm(1), [[0.0, -2.0]]),
    "norm(inf) with ties": (lambda L, x: x.norm(float("inf")), [[-2.0, 2.0, 1.0]]),
    "norm(0.5) with a zero": (lambda L, x: x.norm(0.5), [[0.0, 1.0]]),
    "norm(3) of zeros": (lambda L, x: x.norm(3), [[0.0, 0.0]]),
    "std of a constant": (lambda L, x: x.std(), [[2.0, 2.0, 2.0]]),
    "std(dim) of a constant row": (lambda L, x: x.std(1).sum(), [[[1.0, 1.0], [1.0, 2.0]]]),
    "var with N <= correction": (lambda L, x: x.var(correction=2), [[1.0, 2.0]]),
    "var(dim) with N < correction": (lambda L, x: x.var(0, correction=3).sum(),
                                     [[[1.0, 2.0], [3.0, 5.0]]]),
    "pow 0 ** 0 (both tensors)": (lambda L, x, y: (x**y).sum(), [[0.0], [0.0]]),
    "pow 0 ** -2 (both tensors)": (lambda L, x, y: (x**y).sum(), [[0.0], [-2.0]]),
    "0.0 ** e": (lambda L, x: (0.0**x).sum(), [[0.0, 1.0, -1.0, 0.5]]),
    "x ** 0 at 0": (lambda L, x: (x**0).sum(), [[0.0, -1.0]]),
    "x ** 0.5 at 0": (lambda L, x: (x**0.5).sum(), [[0.0, -1.0]]),
    "x ** -1 at 0": (lambda L, x: (x**-1).sum(), [[0.0]]),
    "div by zero": (lambda L, x, y: (x / y).sum(), [[1.0, 0.0, -1.0], [0.0, 0.0, 0.0]]),
    "abs of nan": (lambda L, x: x.abs().sum(), [[float("nan"), 0.0]]),
    "relu of nan": (lambda L, x: x.relu().sum(), [[float("nan"), 0.0]]),
    "max() ties split evenly": (lambda L, x: x.max(), [[1.0, 3.0, 3.0, 3.0]]),
    "max() of nan": (lambda L, x: x.max(), [[1.0, float("nan"), float("nan")]]),
    "maximum with nan": (lambda L, x, y: L.maximum(x, y).sum(), [[float("nan"), 1.0],
                                                                   [1.0, 1.0]]),
    "clamp with tensor bounds at the bounds": (
        lambda L, x, lo, hi: L.clamp(x, lo, hi).sum(),
        [[1.0, 2.0, 3.0], [1.0, 3.0, 0.0], [2.0, 2.0, 3.0]]),
    "prod with two zeros": (lambda L, x: x.prod(), [[0.0, 2.0, 0.0]]),
    # an infinite gradient arriving where a masked derivative is 0: 0, not 0 * inf = NaN
    "relu then 1 / x at 0": (lambda L, x: (1.5 / x.relu()).sum(), [[0.0, -1.0, 2.0]]),
    "relu6 then 1 / x at 0": (lambda L, x: (1.5 / L.nn.functional.relu6(x)).sum(),
                              [[0.0, -1.0, 2.0, 7.0]]),
    "hardtanh then 1 / x at 0": (
        lambda L, x: (1.5 / (L.nn.functional.hardtanh(x) - 1)).sum(), [[0.0, 1.0, 2.0]]),
    "relu then 1 / x at 0, backward recorded": (
        lambda L, x: L.autograd.grad((1.5 / x.relu()).sum(), x, create_graph=True)[0].sum(),
        [[0.0, -1.0, 2.0]]),
}


@pytest.mark.parametrize("name", list(KINK_CASES))
def test_kink_gradients_like_torch(name: str) -> None:
    """The cases of the issue: torch's subgradient (0 where its formula is 0/0), its
    infinities, and its NaN positions, exactly."""
    fn, values = KINK_CASES[name]
    mine, theirs = _grads(fn, *values)
    for i, (m, t) in enumerate(zip(mine, theirs)):
        assert_same(m, t, f"{name}: input {i}")


def test_norm_of_zeros_has_zero_gradient() -> None:
    """Regression: ``norm()`` of zeros gave a NaN gradient (torch: 0, a subgradient)."""
    x = tg.zeros(3, requires_grad=True)
    x.norm().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_std_of_constant_has_zero_gradient() -> None:
    """Regression: ``std()`` of a constant input gave NaN gradients (torch: 0)."""
    x = tg.full((4,), 2.5, requires_grad=True)
    x.std().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0, 0.0]


def test_pow_zero_to_the_zero_has_zero_gradient() -> None:
    """Regression: ``x ** y`` at x = y = 0 gave NaN for x's gradient (torch: 0)."""
    x = tg.tensor([0.0], requires_grad=True)
    y = tg.tensor([0.0], requires_grad=True)
    (x**y).sum().backward()
    assert x.grad.tolist() == [0.0] and y.grad.tolist() == [0.0]


def test_zero_to_the_power_x_gradient_is_zero_for_positive_x() -> None:
    """Regression: ``0.0 ** x`` gave NaN for x > 0 (0 * log 0); torch: 0 for x >= 0."""
    x = tg.tensor([0.0, 2.0], requires_grad=True)
    (0.0**x).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]


def test_clamp_passes_gradient_at_tensor_bounds() -> None:
    """Regression: clamp with tensor bounds split the gradient at a bound (maximum then
    minimum); torch's clamp passes it whole there, as with number bounds."""
    x = tg.tensor([0.0, 1.0], requires_grad=True)
    x.clamp(tg.tensor([0.0, 0.0]), tg.tensor([1.0, 1.0])).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]


def test_max_all_sends_nothing_off_the_max_for_an_infinite_gradient() -> None:
    """max() distributes over the ties and writes exactly 0 elsewhere (not inf * 0)."""
    mine, theirs = _grads(lambda L, x: x.max(), [1.0, 3.0], seed=float("inf"))
    assert_same(mine[0], theirs[0], "max() with an infinite gradient")


def test_norm_zero_counts_nonzeros_and_has_no_gradient() -> None:
    """Regression: ``norm(0)`` raised ZeroDivisionError; torch counts the nonzero elements
    and gives no gradient."""
    x = tg.tensor([1.0, 0.0, -2.0], requires_grad=True)
    n = x.norm(0)
    assert n.item() == 2.0
    n.backward()
    assert x.grad is None
