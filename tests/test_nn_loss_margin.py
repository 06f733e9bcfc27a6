"""The losses of issue 14 against PyTorch: KL divergence, Poisson and Gaussian NLL
(``F.kl_div`` ... in ``nn/functional/loss.py``) and the margin and embedding losses
(``nn/functional/loss_margin.py``), each in every reduction, float32 and float64: values,
every input's gradient, the output's grad_fn name; their ``nn`` classes; the kinks (a
hinge exactly at its margin, zero targets of kl_div); PyTorch's errors on bad input.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn

torch = pytest.importorskip("torch")

_R = np.random.default_rng(0)
A, B = _R.standard_normal((4, 5)), _R.standard_normal((4, 5))
C = np.abs(_R.standard_normal((4, 5)))
C[0, 0], C[1, 1] = 0.0, 1e-8  # kl_div's t log t at t = 0; var clamped at eps
SIGN = np.sign(_R.standard_normal((4, 5)))
LABELS = [[0, 1, -1, 0, 0], [3, -1, 0, 0, 0], [4, 2, 1, 0, 3], [-1, 0, 0, 0, 0]]


def _red(red: str) -> str:
    return "sum" if red == "batchmean" else red


# name: fn(lib, x, y, z, reduction) with x, y, z (4, 5) tensors that require grad
CASES: dict[str, Callable[..., Any]] = {
    "kl_div": lambda L, x, y, z, r: L.nn.functional.kl_div(x.log_softmax(1), y.softmax(1),
                                                           reduction=r),
    "kl_div_log_target": lambda L, x, y, z, r: L.nn.functional.kl_div(x, y, reduction=r,
                                                                      log_target=True),
    "kl_div_zero_target": lambda L, x, y, z, r: L.nn.functional.kl_div(x, z, reduction=r),
    "kl_div_module": lambda L, x, y, z, r: L.nn.KLDivLoss(reduction=r)(x, z),
    "poisson": lambda L, x, y, z, r: L.nn.functional.poisson_nll_loss(x, z * 3,
                                                                      reduction=_red(r)),
    "poisson_full": lambda L, x, y, z, r: L.nn.PoissonNLLLoss(
        log_input=False, full=True, reduction=_red(r))(x.exp(), z * 3 + y * 0),
    "gaussian": lambda L, x, y, z, r: L.nn.GaussianNLLLoss(reduction=_red(r))(x, y, z),
    "gaussian_full_float_var": lambda L, x, y, z, r: L.nn.functional.gaussian_nll_loss(
        x, y, 0.5, full=True, reduction=_red(r)),
    "gaussian_shared_var": lambda L, x, y, z, r: L.nn.functional.gaussian_nll_loss(
        x, y, z[:, 0], reduction=_red(r)),
    "gaussian_size_1_var": lambda L, x, y, z, r: L.nn.functional.gaussian_nll_loss(
        x, y, z[:, :1], reduction=_red(r)),
    "margin_ranking": lambda L, x, y, z, r: L.nn.MarginRankingLoss(0.3, reduction=_red(r))(
        x[:, 0], y[:, 0], L.tensor(SIGN[:, 0], dtype=x.dtype)),
    "hinge_embedding": lambda L, x, y, z, r: L.nn.HingeEmbeddingLoss(reduction=_red(r))(
        x, L.tensor(SIGN, dtype=x.dtype)),
    "soft_margin": lambda L, x, y, z, r: L.nn.SoftMarginLoss(reduction=_red(r))(
        x, L.tensor(SIGN, dtype=x.dtype)),
    "multilabel_soft_margin": lambda L, x, y, z, r: L.nn.MultiLabelSoftMarginLoss(
        reduction=_red(r))(x, L.tensor(SIGN > 0, dtype=x.dtype)),
    "multilabel_soft_margin_weight": lambda L, x, y, z, r: L.nn.functional
    .multilabel_soft_margin_loss(x, L.tensor(SIGN > 0, dtype=x.dtype), weight=z[0].detach(),
                                 reduction=_red(r)),
    "multi_margin": lambda L, x, y, z, r: L.nn.MultiMarginLoss(reduction=_red(r))(
        x, L.tensor([0, 4, 2, 2])),
    "multi_margin_p2_weight": lambda L, x, y, z, r: L.nn.functional.multi_margin_loss(
        x, L.tensor([1, 1, 3, 0]), p=2, margin=0.7, weight=z[0].detach(), reduction=_red(r)),
    "multi_margin_1d": lambda L, x, y, z, r: L.nn.MultiMarginLoss(p=2, reduction=_red(r))(
        x[1], L.tensor(3)),
    "multilabel_margin": lambda L, x, y, z, r: L.nn.MultiLabelMarginLoss(reduction=_red(r))(
        x, L.tensor(LABELS)),
    "multilabel_margin_1d": lambda L, x, y, z, r: L.nn.functional.multilabel_margin_loss(
        x[2], L.tensor(LABELS[2]), reduction=_red(r)),
    "cosine_embedding": lambda L, x, y, z, r: L.nn.CosineEmbeddingLoss(-0.2, reduction=_red(r))(
        x, y, L.tensor(SIGN[:, 0], dtype=L.int64)),
    "cosine_embedding_1d": lambda L, x, y, z, r: L.nn.functional.cosine_embedding_loss(
        x[0], y[0], L.tensor(-1.0), reduction=_red(r)),
    "triplet_margin": lambda L, x, y, z, r: L.nn.TripletMarginLoss(reduction=_red(r))(x, y, z),
    "triplet_margin_swap_p1": lambda L, x, y, z, r: L.nn.TripletMarginLoss(
        margin=2.0, p=1, swap=True, reduction=_red(r))(x, y, z),
    "pairwise_distance": lambda L, x, y, z, r: L.nn.functional.pairwise_distance(x, y),
}
# PyTorch ends these in clamp_min_ (ClampMinBackward0), here clamp_min records ClampBackward1;
# pairwise_distance in at::norm (NormBackward1), here in LinalgVectorNormBackward0
OTHER_LAST = {"margin_ranking", "triplet_margin", "triplet_margin_swap_p1"}


def _run(lib: Any, name: str, dtype: str, reduction: str) -> tuple[Any, list[Any], str]:
    ts = [lib.tensor(a.astype(dtype), requires_grad=True) for a in (A, B, C)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # kl_div's 'mean' warning
        out = CASES[name](lib, *ts, reduction)
    seed = np.random.default_rng(1).standard_normal(tuple(out.shape)).astype(dtype)
    out.backward(lib.tensor(seed))
    grads = [None if t.grad is None else t.grad.numpy() for t in ts]
    return out.detach().numpy(), grads, out.grad_fn.name()


@pytest.mark.parametrize(("name", "reduction"), [
    (name, reduction) for name in CASES for reduction in ["mean", "sum", "none", "batchmean"]
    if reduction != "batchmean" or name.startswith("kl_div")])  # (batchmean is kl_div's)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_loss_matches_torch(name: str, reduction: str, dtype: str) -> None:
    mine, theirs = _run(tg, name, dtype, reduction), _run(torch, name, dtype, reduction)
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == "float32" else {"rtol": 1e-10, "atol": 1e-12}
    assert mine[0].shape == theirs[0].shape and mine[0].dtype == theirs[0].dtype
    np.testing.assert_allclose(mine[0], theirs[0], err_msg="forward", equal_nan=True, **tol)
    for i, (m, t) in enumerate(zip(mine[1], theirs[1])):
        assert (m is None) == (t is None), f"backward, input {i}"
        if t is not None:
            np.testing.assert_allclose(m, t, err_msg=f"backward, input {i}", equal_nan=True,
                                       **tol)
    if not (name in OTHER_LAST and reduction == "none"):
        assert mine[2] == theirs[2]


KINKS: dict[str, tuple[Callable[..., Any], list[Any]]] = {
    "margin_ranking at the margin": (
        lambda L, a, b: L.nn.functional.margin_ranking_loss(
            a, b, L.tensor([1.0, -1.0, 1.0], dtype=a.dtype), margin=0.5),
        [[1.0, 2.0, 0.0], [1.5, 1.5, 0.5]]),
    "hinge_embedding at the margin": (
        lambda L, a, b: L.nn.functional.hinge_embedding_loss(a, b.sign()), [[1.0, 0.0, 2.0],
                                                                            [-1.0, -1.0, 1.0]]),
    "triplet at the margin": (
        lambda L, a, b: L.nn.functional.triplet_margin_loss(a, b, a * 0 + 3.0, eps=0.0),
        [[[0.0, 0.0]], [[1.0, 2.0 ** 0.5]]]),
    "cosine_embedding of a zero vector": (
        lambda L, a, b: L.nn.functional.cosine_embedding_loss(a, b, L.tensor([1, -1])),
        [[[0.0, 0.0], [1.0, 0.0]], [[1.0, 2.0], [1.0, 0.0]]]),
    "multi_margin at the margin": (
        lambda L, a, b: L.nn.functional.multi_margin_loss(a * b, L.tensor([0, 2]), p=2),
        [[[1.0, 0.0, 0.5], [0.0, 1.0, 1.0]], [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]]),
    "multilabel_margin at the margin, repeated target": (
        lambda L, a, b: L.nn.functional.multilabel_margin_loss(a * b, L.tensor([[0, 0, -1]])),
        [[[1.0, 0.0, 0.5]], [[1.0, 1.0, 1.0]]]),
    "soft_margin of large values": (
        lambda L, a, b: L.nn.functional.soft_margin_loss(a, b.sign().detach()),
        [[100.0, -100.0, 0.0], [-1.0, -1.0, 1.0]]),
}


@pytest.mark.parametrize("name", list(KINKS))
def test_loss_kinks_match_torch(name: str) -> None:
    fn, values = KINKS[name]
    results = []
    for lib in (tg, torch):
        ts = [lib.tensor(np.array(v, dtype=np.float64), requires_grad=True) for v in values]
        out = fn(lib, *ts)
        out.backward()
        results.append([out.detach().numpy()] + [
            np.zeros(1) if t.grad is None else t.grad.numpy() for t in ts])
    for m, t in zip(*results):
        np.testing.assert_allclose(m, t, rtol=1e-8, atol=1e-12, equal_nan=True)


def test_kl_div_mean_warns_and_batchmean_divides_by_the_batch() -> None:
    x, y = tg.tensor(A).log_softmax(1), tg.tensor(C)
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        mean = tg.nn.functional.kl_div(x, y)
    total = tg.nn.functional.kl_div(x, y, reduction="sum")
    batch = tg.nn.functional.kl_div(x, y, reduction="batchmean")
    assert batch.item() == pytest.approx(total.item() / 4)
    assert mean.item() == pytest.approx(total.item() / 20)


def test_legacy_reduction_flags_as_torch() -> None:
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        loss = nn.SoftMarginLoss(size_average=False)(tg.tensor(A), tg.tensor(SIGN))
    expected = torch.nn.functional.soft_margin_loss(torch.tensor(A), torch.tensor(SIGN),
                                                    reduction="sum")
    assert loss.item() == pytest.approx(expected.item())
    with pytest.warns(UserWarning):
        out = tg.nn.functional.margin_ranking_loss(tg.ones(3), tg.zeros(3), tg.ones(3),
                                                   reduce=False)
    assert out.shape == (3,)


ERRORS: dict[str, Callable[[Any], Any]] = {
    "bad reduction": lambda L: L.nn.functional.soft_margin_loss(L.ones(3), L.ones(3),
                                                                reduction="avg"),
    "poisson bad reduction": lambda L: L.nn.functional.poisson_nll_loss(L.ones(3), L.ones(3),
                                                                        reduction="avg"),
    "gaussian bad reduction": lambda L: L.nn.functional.gaussian_nll_loss(
        L.ones(3), L.ones(3), L.ones(3), reduction="avg"),
    "multilabel_soft_margin bad reduction": lambda L: L.nn.functional
    .multilabel_soft_margin_loss(L.ones(2, 3), L.ones(2, 3), reduction="avg"),
    "gaussian negative var": lambda L: L.nn.functional.gaussian_nll_loss(
        L.ones(3), L.ones(3), -L.ones(3)),
    "gaussian negative float var": lambda L: L.nn.functional.gaussian_nll_loss(
        L.ones(3), L.ones(3), -1.0),
    "gaussian var size": lambda L: L.nn.functional.gaussian_nll_loss(
        L.ones(4, 3), L.ones(4, 3), L.ones(2)),
    "margin_ranking dims": lambda L: L.nn.functional.margin_ranking_loss(
        L.ones(3), L.ones(3, 1), L.ones(3)),
    "margin_ranking sizes": lambda L: L.nn.functional.margin_ranking_loss(
        L.ones(3), L.ones(4), L.ones(3)),
    "hinge sizes": lambda L: L.nn.functional.hinge_embedding_loss(L.ones(3), L.ones(4)),
    "soft_margin sizes": lambda L: L.nn.functional.soft_margin_loss(L.ones(3), L.ones(4)),
    "soft_margin target grad": lambda L: L.nn.functional.soft_margin_loss(
        L.ones(3), L.ones(3, requires_grad=True)),
    "cosine_embedding 2-d target": lambda L: L.nn.functional.cosine_embedding_loss(
        L.ones(3, 2), L.ones(3, 2), L.ones(3, 1)),
    "cosine_embedding 1-d inputs, 1-d target": lambda L: L.nn.functional
    .cosine_embedding_loss(L.ones(3), L.ones(3), L.ones(3)),
    "triplet dims": lambda L: L.nn.functional.triplet_margin_loss(
        L.ones(3), L.ones(3, 2), L.ones(3, 2)),
    "triplet margin": lambda L: L.nn.functional.triplet_margin_loss(
        L.ones(3), L.ones(3), L.ones(3), margin=0),
    "multi_margin target out of range": lambda L: L.nn.functional.multi_margin_loss(
        L.ones(2, 3), L.tensor([0, 3])),
    "multi_margin negative target": lambda L: L.nn.functional.multi_margin_loss(
        L.ones(2, 3), L.tensor([-1, 0])),
    "multi_margin target size": lambda L: L.nn.functional.multi_margin_loss(
        L.ones(2, 3), L.tensor([0, 1, 1])),
    "multi_margin 2-d target": lambda L: L.nn.functional.multi_margin_loss(
        L.ones(2, 3), L.tensor([[0], [1]])),
    "multi_margin float target": lambda L: L.nn.functional.multi_margin_loss(
        L.ones(2, 3), L.tensor([0.0, 1.0])),
    "multi_margin p": lambda L: L.nn.functional.multi_margin_loss(L.ones(2, 3), L.tensor([0, 1]),
                                                                 p=3),
    "multi_margin weight size": lambda L: L.nn.functional.multi_margin_loss(
        L.ones(2, 3), L.tensor([0, 1]), weight=L.ones(2)),
    "multi_margin 2-d weight": lambda L: L.nn.functional.multi_margin_loss(
        L.ones(2, 3), L.tensor([0, 1]), weight=L.ones(3, 1)),
    "multi_margin weight dtype": lambda L: L.nn.functional.multi_margin_loss(
        L.ones(2, 3, dtype=L.float64), L.tensor([0, 1]), weight=L.ones(3)),
    "multi_margin weight grad": lambda L: L.nn.functional.multi_margin_loss(
        L.ones(2, 3), L.tensor([0, 1]), weight=L.ones(3, requires_grad=True)),
    "multi_margin int input": lambda L: L.nn.functional.multi_margin_loss(
        L.ones(2, 3, dtype=L.int64), L.tensor([0, 1])),
    "multi_margin 3-d input": lambda L: L.nn.functional.multi_margin_loss(
        L.ones(1, 2, 3), L.tensor([0, 1])),
    "multi_margin empty classes": lambda L: L.nn.functional.multi_margin_loss(
        L.ones(2, 0), L.tensor([0, 1])),
    "multi_margin bad reduction": lambda L: L.nn.functional.multi_margin_loss(
        L.ones(2, 3), L.tensor([0, 1]), reduction="avg"),
    "MultiMarginLoss p": lambda L: L.nn.MultiMarginLoss(p=3),
    "MultiMarginLoss 2-d weight": lambda L: L.nn.MultiMarginLoss(weight=L.ones(2, 2)),
    "multilabel_margin target out of range": lambda L: L.nn.functional.multilabel_margin_loss(
        L.ones(2, 3), L.tensor([[0, 3, -1], [0, -1, 0]])),
    "multilabel_margin target below -1": lambda L: L.nn.functional.multilabel_margin_loss(
        L.ones(2, 3), L.tensor([[0, -1, -2], [0, -1, 0]])),
    "multilabel_margin target size": lambda L: L.nn.functional.multilabel_margin_loss(
        L.ones(2, 3), L.tensor([[0, 1], [0, -1]])),
    "multilabel_margin 1-d target": lambda L: L.nn.functional.multilabel_margin_loss(
        L.ones(2, 3), L.tensor([0, 1, -1])),
    "multilabel_margin float target": lambda L: L.nn.functional.multilabel_margin_loss(
        L.ones(2, 3), L.zeros(2, 3)),
    "multilabel_margin 3-d input": lambda L: L.nn.functional.multilabel_margin_loss(
        L.ones(1, 2, 3), L.zeros(1, 2, 3, dtype=L.int64)),
    "multilabel_margin bad reduction": lambda L: L.nn.functional.multilabel_margin_loss(
        L.ones(2, 3), L.zeros(2, 3, dtype=L.int64), reduction="avg"),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name: str) -> None:
    with pytest.raises(Exception) as theirs:
        ERRORS[name](torch)
    with pytest.raises(type(theirs.value)) as mine:
        ERRORS[name](tg)
    assert str(theirs.value).replace("torch.Size", "tinygrad_edu.Size") in str(mine.value)


@pytest.mark.parametrize("name", ["KLDivLoss", "PoissonNLLLoss", "GaussianNLLLoss",
                                  "MarginRankingLoss", "HingeEmbeddingLoss", "SoftMarginLoss",
                                  "MultiLabelSoftMarginLoss", "CosineEmbeddingLoss",
                                  "TripletMarginLoss"])
def test_loss_modules_repr_and_state_dict_as_torch(name: str) -> None:
    mine, theirs = getattr(nn, name)(), getattr(torch.nn, name)()
    assert repr(mine) == repr(theirs)
    assert list(mine.state_dict()) == list(theirs.state_dict())
    assert mine.reduction == theirs.reduction == "mean"


# ============================================================================ cosine_similarity, normalize
COSINE: dict[str, Callable[[Any], Any]] = {
    "zero vector": lambda L: L.nn.functional.cosine_similarity(L.zeros(2, 3), L.ones(2, 3)),
    "broadcast": lambda L: L.nn.functional.cosine_similarity(L.tensor(A), L.tensor(B[0])),
    "dim 0, 1-D": lambda L: L.nn.functional.cosine_similarity(L.tensor(A[0]), L.tensor(B[0]),
                                                              dim=0),
    "eps": lambda L: L.nn.functional.cosine_similarity(L.tensor(A) * 1e-5, L.tensor(B),
                                                       eps=1e-3),
    "int and float": lambda L: L.nn.functional.cosine_similarity(
        L.tensor([[1, 2, 3]]), L.tensor([[1.0, 0.5, 2.0]])),
    "ints": lambda L: L.nn.functional.cosine_similarity(L.ones(2, 3, dtype=L.int64),
                                                        L.ones(2, 3, dtype=L.int64)),
    "no broadcast": lambda L: L.nn.functional.cosine_similarity(L.ones(2, 3), L.ones(4, 3)),
    "normalize": lambda L: L.nn.functional.normalize(L.tensor(A)),
    "normalize p=1 dim 0": lambda L: L.nn.functional.normalize(L.tensor(A), p=1, dim=0),
    "normalize zeros": lambda L: L.nn.functional.normalize(L.zeros(2, 3)),
    "normalize ints": lambda L: L.nn.functional.normalize(L.ones(2, 3, dtype=L.int64)),
}


@pytest.mark.parametrize("name", list(COSINE))
def test_cosine_similarity_and_normalize_like_torch(name: str) -> None:
    """Values, and the gradient of their sum (zero vectors: the clamp is outside the graph
    of cosine_similarity, so the gradient flows through the norm's subgradient)."""
    outcomes = []
    for L in (tg, torch):
        try:
            out = COSINE[name](L)
        except RuntimeError as e:
            outcomes.append(str(e).split(". Hint:")[0])
            continue
        outcomes.append((tuple(out.shape), str(out.dtype).rsplit(".", 1)[-1],
                         out.numpy().round(6).tolist()))
    assert outcomes[0] == outcomes[1]


def test_cosine_similarity_gradient_at_a_zero_vector_like_torch() -> None:
    def grads(L: Any) -> Any:
        x1 = L.tensor([[0.0, 0.0], [1.0, 2.0]], dtype=L.float64, requires_grad=True)
        x2 = L.tensor([[1.0, 3.0], [0.5, -1.0]], dtype=L.float64, requires_grad=True)
        L.nn.functional.cosine_similarity(x1, x2).sum().backward()
        return x1.grad.numpy(), x2.grad.numpy()
    for mine, theirs in zip(grads(tg), grads(torch)):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12)


def _node_names(t: Any) -> list[str]:
    out, seen, todo = [], set(), [t.grad_fn]
    while todo:
        node = todo.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        out.append(node.name())
        todo += [f for f, _ in node.next_functions]
    return sorted(name for name in out if "AccumulateGrad" not in name)


def test_margin_losses_record_pytorchs_nodes() -> None:
    """PyTorch's C++ losses write ``margin - x`` as ``empty_like(x).fill_(margin).sub_(x)``
    (SubBackward0) and ``x + margin`` with the Scalar overload (AddBackward1); the Python
    ``triplet_margin_with_distance_loss`` makes the number a tensor (AddBackward0).
    tinygrad_edu recorded RsubBackward1 and AddBackward0 in the C++ ones."""
    graphs = []
    for m in (torch, tg):
        F = m.nn.functional
        x = m.tensor([[0.5, 2.0, 1.0]], requires_grad=True)
        x2 = m.tensor([[1.5, 0.0, 1.0]], requires_grad=True)
        y = m.tensor([-1.0])
        losses = [F.cosine_embedding_loss(x, x2, y, margin=0.1),
                  F.cosine_embedding_loss(x, x2, -y),
                  F.triplet_margin_loss(x, x2, x * 2, margin=0.1),
                  F.triplet_margin_with_distance_loss(x, x2, x * 2, margin=0.1),
                  F.hinge_embedding_loss(x, m.tensor([[1.0, -1.0, -1.0]])),
                  F.margin_ranking_loss(x[0], x2[0], m.tensor([1.0, -1.0, 1.0]), margin=0.2)]
        graphs.append([(_node_names(t), t.detach().numpy().tobytes()) for t in losses])
    assert graphs[1] == graphs[0]
