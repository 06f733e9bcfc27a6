"""More of ``tinygrad_edu.distributions`` against ``torch.distributions``: the same draws
after the same seed (bit for bit, the rejection samplers of Gamma, Dirichlet, Poisson and
Binomial included), log-densities, entropies, moments and their gradients, KL values and
``register_kl``'s dispatch, transforms, and PyTorch's ValueError texts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg

torch = pytest.importorskip("torch")

F64 = "float64"


_LEAVES: list[Any] = []  # (the tensors _t made with requires_grad, for the gradient checks)


def _t(L: Any, x: Any, grad: bool = False, dtype: str = F64) -> Any:
    t = L.tensor(x, dtype=getattr(L, dtype), requires_grad=grad)
    if grad:
        _LEAVES.append(t)
    return t


def _same(mine: Any, theirs: Any, exact: bool, label: str) -> None:
    if isinstance(theirs, torch.Tensor):
        a, b = mine.detach().numpy(), theirs.detach().numpy()
        assert a.shape == b.shape, label
        if exact:
            assert np.array_equal(a, b, equal_nan=True), (label, a, b)
        else:  # (float64 formulas whose rounding order may differ in the last bits)
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12, err_msg=label)
    else:
        assert str(mine).replace("tinygrad_edu.", "") == str(theirs).replace("torch.", ""), \
            (label, mine, theirs)


def _compare(build: Callable[[Any], list[Any]], exact: bool = False) -> None:
    for k, (mine, theirs) in enumerate(zip(build(tg), build(torch), strict=True)):
        _same(mine, theirs, exact, str(k))


# ------------------------------------------------------------------ values and gradients
CASES: dict[str, Callable[[Any], Any]] = {
    "Exponential": lambda L: (L.distributions.Exponential(_t(L, [0.5, 2.0], True)),
                              _t(L, [0.3, 1.7])),
    "Laplace": lambda L: (L.distributions.Laplace(_t(L, [0.0, 1.0], True), _t(L, [1.0, 0.5])),
                          _t(L, [0.3, -1.7])),
    "Cauchy": lambda L: (L.distributions.Cauchy(_t(L, [0.0, 1.0], True), _t(L, [1.0, 0.5])),
                         _t(L, [0.3, -1.7])),
    "Gumbel": lambda L: (L.distributions.Gumbel(_t(L, [0.0, 1.0], True), _t(L, [1.0, 0.5])),
                         _t(L, [0.3, -1.7])),
    "LogNormal": lambda L: (L.distributions.LogNormal(_t(L, [0.0, 1.0], True),
                                                      _t(L, [1.0, 0.5])), _t(L, [0.3, 1.7])),
    "HalfNormal": lambda L: (L.distributions.HalfNormal(_t(L, [1.0, 0.5], True)),
                             _t(L, [0.3, 1.7])),
    "Geometric": lambda L: (L.distributions.Geometric(probs=_t(L, [0.3, 0.8], True)),
                            _t(L, [0.0, 3.0])),
    "Poisson": lambda L: (L.distributions.Poisson(_t(L, [0.5, 4.0], True)),
                          _t(L, [0.0, 3.0])),
    "Binomial": lambda L: (L.distributions.Binomial(_t(L, [5.0, 10.0]),
                                                    logits=_t(L, [0.3, -1.0], True)),
                           _t(L, [2.0, 3.0])),
    "Gamma": lambda L: (L.distributions.Gamma(_t(L, [0.5, 3.0], True), _t(L, [1.0, 2.0])),
                        _t(L, [0.3, 1.7])),
    "Beta": lambda L: (L.distributions.Beta(_t(L, [0.5, 3.0], True), _t(L, [1.5, 2.0])),
                       _t(L, [0.3, 0.9])),
    "Dirichlet": lambda L: (L.distributions.Dirichlet(_t(L, [[0.5, 2.0, 3.0]], True)),
                            _t(L, [[0.2, 0.3, 0.5]])),
    "MultivariateNormal": lambda L: (L.distributions.MultivariateNormal(
        _t(L, [0.5, -1.0], True), covariance_matrix=_t(L, [[2.0, 0.3], [0.3, 1.0]])),
        _t(L, [[0.1, 0.2], [1.0, -2.0]])),
    "OneHotCategorical": lambda L: (L.distributions.OneHotCategorical(
        logits=_t(L, [0.1, 0.5, -1.0], True)), _t(L, [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])),
    "Independent": lambda L: (L.distributions.Independent(
        L.distributions.Normal(_t(L, [[0.0, 1.0]], True), _t(L, [[1.0, 2.0]])), 1),
        _t(L, [[0.5, 0.5]])),
    "RelaxedBernoulli": lambda L: (L.distributions.RelaxedBernoulli(
        _t(L, 0.5), logits=_t(L, [0.3, -1.0], True)), _t(L, [0.2, 0.9])),
    "RelaxedOneHotCategorical": lambda L: (L.distributions.RelaxedOneHotCategorical(
        _t(L, 0.5), logits=_t(L, [0.3, -1.0, 0.2], True)), _t(L, [0.2, 0.7, 0.1])),
    "SAC tanh Normal": lambda L: (L.distributions.TransformedDistribution(
        L.distributions.Normal(_t(L, [0.0, 1.0], True), _t(L, [1.0, 0.5])),
        [L.distributions.transforms.TanhTransform(cache_size=1)]), _t(L, [0.3, -0.7])),
}

MOMENTS = ("mean", "mode", "variance", "stddev")


def _or_error(get: Callable[[], Any]) -> Any:
    """The value, or the name of the exception class it raises (PyTorch raises
    NotImplementedError for some moments and entropies: so must we)."""
    try:
        return get()
    except NotImplementedError:
        return "NotImplementedError"


@pytest.mark.parametrize("name", list(CASES))
def test_values_and_log_prob_gradients_as_torch(name: str) -> None:
    def build(L: Any) -> list[Any]:
        _LEAVES.clear()
        d, x = CASES[name](L)
        leaves = list(_LEAVES)
        out: list[Any] = [tuple(d.batch_shape), tuple(d.event_shape), repr(d.support)]
        lp = d.log_prob(x)
        out.append(lp)
        for attr in MOMENTS:
            out.append(_or_error(lambda: getattr(d, attr)))
        out.append(_or_error(d.entropy))
        grads = L.autograd.grad(lp.sum(), leaves, allow_unused=True)
        return out + [g for g in grads if g is not None]

    _compare(build)


# ------------------------------------------------------------------ draws, bit for bit
DRAWS: dict[str, Callable[[Any, str], Any]] = {
    "Exponential": lambda L, dt: L.distributions.Exponential(_t(L, [0.5, 2.0], dtype=dt)),
    "Laplace": lambda L, dt: L.distributions.Laplace(_t(L, [0.0, 1.0], dtype=dt), 2.0),
    "Cauchy": lambda L, dt: L.distributions.Cauchy(_t(L, [0.0, 1.0], dtype=dt), 2.0),
    "Gumbel": lambda L, dt: L.distributions.Gumbel(_t(L, [0.0, 1.0], dtype=dt),
                                                   _t(L, [1.0, 3.0], dtype=dt)),
    "LogNormal": lambda L, dt: L.distributions.LogNormal(_t(L, [0.0, 1.0], dtype=dt), 0.5),
    "HalfNormal": lambda L, dt: L.distributions.HalfNormal(_t(L, [1.0, 0.5], dtype=dt)),
    "Geometric": lambda L, dt: L.distributions.Geometric(_t(L, [0.3, 0.8], dtype=dt)),
    "Poisson": lambda L, dt: L.distributions.Poisson(_t(L, [0.5, 4.0, 15.0, 80.0], dtype=dt)),
    "Binomial": lambda L, dt: L.distributions.Binomial(
        _t(L, [5.0, 100.0, 30.0, 1000.0], dtype=dt), _t(L, [0.3, 0.5, 0.9, 0.02], dtype=dt)),
    "Gamma": lambda L, dt: L.distributions.Gamma(_t(L, [0.3, 1.0, 2.5, 40.0], dtype=dt), 2.0),
    "Beta": lambda L, dt: L.distributions.Beta(_t(L, [0.5, 3.0], dtype=dt),
                                               _t(L, [1.5, 0.2], dtype=dt)),
    "Dirichlet": lambda L, dt: L.distributions.Dirichlet(_t(L, [[0.5, 2.0, 3.0],
                                                                [1.0, 0.1, 7.0]], dtype=dt)),
    "MultivariateNormal": lambda L, dt: L.distributions.MultivariateNormal(
        _t(L, [0.5, -1.0, 2.0], dtype=dt),
        scale_tril=_t(L, [[1.0, 0.0, 0.0], [0.3, 2.0, 0.0], [-0.5, 0.1, 0.7]], dtype=dt)),
    "OneHotCategorical": lambda L, dt: L.distributions.OneHotCategorical(
        _t(L, [0.2, 0.5, 0.3], dtype=dt)),
    "Independent": lambda L, dt: L.distributions.Independent(
        L.distributions.Normal(_t(L, [[0.0, 1.0]], dtype=dt), 1.0), 1),
    "RelaxedBernoulli": lambda L, dt: L.distributions.RelaxedBernoulli(
        _t(L, 0.5, dtype=dt), probs=_t(L, [0.3, 0.6], dtype=dt)),
    "RelaxedOneHotCategorical": lambda L, dt: L.distributions.RelaxedOneHotCategorical(
        _t(L, 0.5, dtype=dt), probs=_t(L, [0.3, 0.6, 0.1], dtype=dt)),
}


# Draws that pass the raw numbers through log, log1p, exp or a matrix product: the same
# numbers are drawn (the stream ends in the same place, bit for bit), but PyTorch's
# vectorized kernels for those functions round differently from numpy's in the last ulp.
ULP_CLOSE = {"Laplace", "Gumbel", "LogNormal", "MultivariateNormal", "RelaxedBernoulli",
             "RelaxedOneHotCategorical"}


def _draws(L: Any, name: str, dtype: str) -> list[Any]:
    d = DRAWS[name](L, dtype)
    L.manual_seed(7)
    out = [d.sample(), d.sample((3,)), d.sample((20,))]
    if d.has_rsample:
        out.append(d.rsample((2,)))
    return out


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(DRAWS))
def test_draws_equal_after_the_same_seed(name: str, dtype: str) -> None:
    mine, theirs = _draws(tg, name, dtype), _draws(torch, name, dtype)
    for k, (a, b) in enumerate(zip(mine, theirs, strict=True)):
        a, b = a.detach().numpy(), b.detach().numpy()
        assert a.dtype == b.dtype and a.shape == b.shape, k
        if name in ULP_CLOSE:
            tol = 4e-6 if dtype == "float32" else 1e-15
            np.testing.assert_allclose(a, b, rtol=tol, atol=tol, err_msg=str(k))
        else:
            assert np.array_equal(a, b), (k, a, b)
    # the generator consumed exactly as PyTorch's: the next numbers are equal
    assert np.array_equal(tg.rand(3, dtype=tg.float64).numpy(),
                          torch.rand(3, dtype=torch.float64).numpy())


def test_mvn_parameterizations_and_lazy_matrices_as_torch() -> None:
    def build(L: Any) -> list[Any]:
        D = L.distributions
        cov = _t(L, [[2.0, 0.3], [0.3, 1.0]])
        loc = _t(L, [[0.0, 1.0], [1.0, 2.0], [-1.0, 0.5]])
        x = _t(L, [[0.1, 0.2], [1.0, -2.0], [0.0, 0.0]])
        out: list[Any] = []
        for kw in ({"covariance_matrix": cov}, {"precision_matrix": L.linalg.inv(cov)},
                   {"scale_tril": L.linalg.cholesky(cov)}):
            d = D.MultivariateNormal(loc, **kw)
            out += [d.log_prob(x), d.entropy(), d.variance, d.scale_tril, d.covariance_matrix,
                    d.precision_matrix, tuple(d.batch_shape), repr(d)]
            e = d.expand((4, 3))
            out += [tuple(e.batch_shape), e.log_prob(x)]
        return out

    _compare(build)


def test_rsample_gradients_as_torch() -> None:
    def build(L: Any) -> list[Any]:
        D = L.distributions
        L.manual_seed(3)
        loc, scale = _t(L, [0.0, 1.0], True), _t(L, [1.0, 0.5], True)
        rate = _t(L, [0.5, 2.0], True)
        L_ = _t(L, [[1.0, 0.0], [0.3, 2.0]], True)
        temp = _t(L, 0.7, True)
        draws = [D.Laplace(loc, scale).rsample((3,)), D.Cauchy(loc, scale).rsample(),
                 D.Exponential(rate).rsample((2,)), D.LogNormal(loc, scale).rsample(),
                 D.Gumbel(loc, scale).rsample(), D.HalfNormal(scale).rsample(),
                 D.MultivariateNormal(loc, scale_tril=L_).rsample((4,)),
                 D.RelaxedBernoulli(temp, logits=loc).rsample(),
                 D.RelaxedOneHotCategorical(temp, logits=loc).rsample(),
                 D.Gamma(_t(L, [2.0]), rate).rsample()]
        total = sum((d * (k + 1)).sum() for k, d in enumerate(draws))
        return draws + list(L.autograd.grad(total, [loc, scale, rate, L_, temp]))

    _compare(build)


def test_sac_policy_log_prob_with_tanh_cache_as_torch() -> None:
    """SAC's policy: a = tanh(u), u ~ N(mu, std); log_prob(a) uses the cached u (no atanh
    of a value rounded to 1), and its gradient reaches mu and std."""
    def build(L: Any) -> list[Any]:
        D = L.distributions
        L.manual_seed(0)
        mu, log_std = _t(L, [[0.5, 5.0]], True), _t(L, [[-1.0, 0.2]], True)
        pi = D.TransformedDistribution(D.Normal(mu, log_std.exp()),
                                       [D.transforms.TanhTransform(cache_size=1)])
        a = pi.rsample()
        lp = pi.log_prob(a).sum(-1)
        return [a, lp, *L.autograd.grad(lp.sum() + a.sum(), [mu, log_std])]

    _compare(build)


def test_transforms_as_torch() -> None:
    def build(L: Any) -> list[Any]:
        T = L.distributions.transforms
        x = _t(L, [[-0.5, 0.3, 2.0]])
        out: list[Any] = []
        for t in (T.ExpTransform(), T.AffineTransform(1.0, -2.0), T.SigmoidTransform(),
                  T.TanhTransform(), T.AbsTransform(), T.SoftmaxTransform(),
                  T.ComposeTransform([T.ExpTransform(), T.AffineTransform(0.5, 3.0)]),
                  T.AffineTransform(_t(L, [1.0, 2.0, 3.0]), _t(L, [0.5, -1.0, 2.0]), 1),
                  T.ExpTransform().inv):
            y = t(x)
            out += [y, t.inv(y), repr(t), repr(t.domain), repr(t.codomain)]
            if t.bijective:
                out += [t.log_abs_det_jacobian(x, y), t.sign if isinstance(t.sign, int) else 0]
        return out

    _compare(build)


def test_cdf_icdf_as_torch() -> None:
    def build(L: Any) -> list[Any]:
        D = L.distributions
        x, p = _t(L, [0.3, 1.7]), _t(L, [0.1, 0.8])
        out: list[Any] = []
        for d in (D.Normal(_t(L, 0.5), 2.0), D.Uniform(_t(L, 0.0), 2.0),
                  D.Exponential(_t(L, 1.5)), D.Laplace(_t(L, 0.5), 2.0),
                  D.Cauchy(_t(L, 0.5), 2.0), D.HalfNormal(_t(L, 2.0)),
                  D.LogNormal(_t(L, 0.5), 2.0)):
            out += [d.cdf(x), d.icdf(p)]
        return out

    _compare(build)


# ------------------------------------------------------------------ KL
KL_PAIRS: dict[str, Callable[[Any], Any]] = {
    "Bernoulli": lambda D, t: (D.Bernoulli(t([0.3, 0.0])), D.Bernoulli(t([0.6, 0.5]))),
    "Beta": lambda D, t: (D.Beta(t([0.5, 2.0]), t([1.0, 3.0])),
                          D.Beta(t([1.5, 2.0]), t([2.0, 0.3]))),
    "Binomial": lambda D, t: (D.Binomial(t([10.0, 12.0]), t([0.3, 0.5])),
                              D.Binomial(t([10.0, 10.0]), t([0.6, 0.5]))),
    "Cauchy": lambda D, t: (D.Cauchy(t([0.0, 1.0]), 2.0), D.Cauchy(t([1.0, 1.0]), 0.5)),
    "Dirichlet": lambda D, t: (D.Dirichlet(t([0.5, 2.0, 3.0])), D.Dirichlet(t([1.0, 1.0, 2.0]))),
    "Exponential": lambda D, t: (D.Exponential(t([0.5, 2.0])), D.Exponential(t([1.0, 3.0]))),
    "Gamma": lambda D, t: (D.Gamma(t([0.5, 2.0]), 2.0), D.Gamma(t([1.0, 3.0]), 0.5)),
    "Geometric": lambda D, t: (D.Geometric(t([0.3, 0.5])), D.Geometric(t([0.6, 0.5]))),
    "Gumbel": lambda D, t: (D.Gumbel(t([0.0, 1.0]), 2.0), D.Gumbel(t([1.0, 1.0]), 0.5)),
    "HalfNormal": lambda D, t: (D.HalfNormal(t([1.0, 2.0])), D.HalfNormal(t([0.5, 2.0]))),
    "Laplace": lambda D, t: (D.Laplace(t([0.0, 1.0]), 2.0), D.Laplace(t([1.0, 1.0]), 0.5)),
    "LogNormal": lambda D, t: (D.LogNormal(t([0.0, 1.0]), 2.0), D.LogNormal(t([1.0, 1.0]), 0.5)),
    "MultivariateNormal": lambda D, t: (
        D.MultivariateNormal(t([[0.0, 1.0], [2.0, 0.0]]), t([[2.0, 0.3], [0.3, 1.0]])),
        D.MultivariateNormal(t([1.0, 1.0]), scale_tril=t([[1.0, 0.0], [0.5, 0.7]]))),
    "OneHotCategorical": lambda D, t: (D.OneHotCategorical(t([0.2, 0.8])),
                                       D.OneHotCategorical(t([0.5, 0.5]))),
    "Poisson": lambda D, t: (D.Poisson(t([0.5, 2.0])), D.Poisson(t([1.0, 3.0]))),
    "Uniform": lambda D, t: (D.Uniform(t([0.0, 0.0]), t([1.0, 1.0])),
                             D.Uniform(t([-1.0, 0.5]), t([2.0, 3.0]))),
    "Independent": lambda D, t: (D.Independent(D.Normal(t([[0.0, 1.0]]), 1.0), 1),
                                 D.Independent(D.Normal(t([[1.0, 1.0]]), 2.0), 1)),
}


@pytest.mark.parametrize("name", list(KL_PAIRS))
def test_kl_divergence_as_torch(name: str) -> None:
    _compare(lambda L: [L.distributions.kl_divergence(
        *KL_PAIRS[name](L.distributions, lambda x: _t(L, x)))])


def test_register_kl_dispatches_to_the_most_specific_pair() -> None:
    results = []
    for L in (tg, torch):
        D = L.distributions

        class MyNormal(D.Normal):
            pass

        class MyNormal2(MyNormal):
            pass

        @D.register_kl(MyNormal, D.Normal)
        def _mine(p: Any, q: Any) -> Any:
            return p.loc * 0 + 42

        p, q = MyNormal2(L.tensor(0.0), 1.0), D.Normal(L.tensor(1.0), 1.0)
        results.append((D.kl_divergence(p, q).item(), D.kl_divergence(q, p).item()))
        with pytest.raises(NotImplementedError, match="No KL\\(p \\|\\| q\\) is implemented "
                                                      "for p type Normal and q type Cauchy"):
            D.kl_divergence(q, D.Cauchy(0.0, 1.0))
    assert results[0] == results[1] and results[0][0] == 42.0


# ------------------------------------------------------------------ errors, repr, expand
ERRORS: list[Callable[[Any], Any]] = [
    lambda D, L: D.Exponential(L.tensor([-1.0])),
    lambda D, L: D.Gamma(L.tensor([1.0]), L.tensor([0.0])),
    lambda D, L: D.Geometric(probs=L.tensor([0.0, 0.5])),
    lambda D, L: D.Geometric(probs=L.tensor(1.5)),
    lambda D, L: D.Dirichlet(L.tensor(1.0)),
    lambda D, L: D.Dirichlet(L.tensor([1.0, -1.0])),
    lambda D, L: D.MultivariateNormal(L.tensor(0.0), L.eye(2)),
    lambda D, L: D.MultivariateNormal(L.zeros(2)),
    lambda D, L: D.MultivariateNormal(L.zeros(2), scale_tril=L.ones(2)),
    lambda D, L: D.MultivariateNormal(L.zeros(2), covariance_matrix=L.ones(2)),
    lambda D, L: D.MultivariateNormal(L.zeros(2), L.tensor([[1.0, 2.0], [2.0, 1.0]])),
    lambda D, L: D.MultivariateNormal(L.zeros(2), scale_tril=L.tensor([[1.0, 1.0],
                                                                        [0.0, 1.0]])),
    lambda D, L: D.Independent(D.Normal(L.zeros(2), 1.0), 2),
    lambda D, L: D.Binomial(10, probs=L.tensor(0.5), logits=L.tensor(0.0)),
    lambda D, L: D.Poisson(L.tensor([2.0])).log_prob(L.tensor([1.5])),
    lambda D, L: D.Exponential(L.tensor([2.0])).log_prob(L.tensor([-1.0])),
    lambda D, L: D.Binomial(L.tensor(5.0), L.tensor(0.5)).log_prob(L.tensor(6.0)),
    lambda D, L: D.MultivariateNormal(L.zeros(2), L.eye(2)).log_prob(L.zeros(3)),
    lambda D, L: D.Dirichlet(L.ones(3)).log_prob(L.tensor([0.5, 0.6, 0.1])),
    lambda D, L: D.OneHotCategorical(L.tensor([0.5, 0.5])).log_prob(L.tensor([1.0, 1.0])),
    lambda D, L: D.TransformedDistribution(D.Normal(0.0, 1.0), "exp"),
    lambda D, L: D.transforms.ExpTransform(cache_size=2),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_validation_errors_as_torch(k: int) -> None:
    with pytest.raises(Exception) as theirs:
        ERRORS[k](torch.distributions, torch)
    expected = str(theirs.value).replace("torch.", "")
    with pytest.raises(type(theirs.value)) as mine:
        ERRORS[k](tg.distributions, tg)
    assert str(mine.value).replace("tinygrad_edu.", "") == expected


def test_repr_and_expand_as_torch() -> None:
    def build(L: Any) -> list[Any]:
        D = L.distributions
        ds = [D.Exponential(L.tensor([1.0, 2.0])), D.Laplace(0.0, 1.0), D.Cauchy(0.0, 1.0),
              D.Gumbel(0.0, 1.0), D.Gamma(1.0, 2.0), D.Poisson(3.0), D.Geometric(0.5),
              D.Binomial(5, L.tensor(0.3)), D.Dirichlet(L.ones(3)),
              D.Independent(D.Normal(L.zeros(2), 1.0), 1), D.OneHotCategorical(L.ones(3)),
              D.Beta(1.0, 2.0), D.LogNormal(0.0, 1.0), D.HalfNormal(1.0)]
        out: list[Any] = []
        for d in ds:
            e = d.expand((4,) + tuple(d.batch_shape))
            out += [repr(d), tuple(e.batch_shape), tuple(e.event_shape),
                    tuple(e.sample().shape), tuple(e.log_prob(e.sample()).shape)]
        return out

    _compare(build)


def test_gamma_rsample_concentration_gradient_raises_not_silently_zero() -> None:
    a = tg.tensor([2.0], requires_grad=True)
    x = tg.distributions.Gamma(a, 1.0).rsample()
    with pytest.raises(NotImplementedError, match="implicit reparameterization"):
        x.sum().backward()


def test_a_subclass_declares_constraints_as_class_attributes_as_in_torch() -> None:
    """A learner's own distribution written as PyTorch's are: ``arg_constraints`` and
    ``support`` as class attributes. They were not read (validation silently skipped)."""
    for L in (tg, torch):
        D = L.distributions

        class Rate(D.Distribution):
            arg_constraints = {"rate": D.constraints.positive}
            support = D.constraints.nonnegative

            def __init__(self, rate: Any) -> None:
                self.rate = rate
                super().__init__(rate.shape)

            def log_prob(self, value: Any) -> Any:
                self._validate_sample(value)
                return self.rate.log() - self.rate * value

        with pytest.raises(ValueError, match="Expected parameter rate"):
            Rate(L.tensor([-1.0]))
        with pytest.raises(ValueError, match="within the support"):
            Rate(L.tensor([1.0])).log_prob(L.tensor([-2.0]))


def test_mode_mean_and_variance_of_categorical_and_bernoulli_as_torch() -> None:
    """RL code takes ``dist.mode`` for the greedy action: Categorical and Bernoulli had
    none (NotImplementedError)."""
    results = []
    for L in (tg, torch):
        D = L.distributions
        c = D.Categorical(logits=L.tensor([[0.1, 2.0, 0.3], [1.0, 1.0, 0.5]]))
        b = D.Bernoulli(L.tensor([0.2, 0.5, 0.9]))
        results.append((c.mode.tolist(), str(c.mean.tolist()), tuple(c.variance.shape),
                        str(b.mode.tolist()), str(D.Bernoulli(logits=L.tensor([0.0, 1.0]))
                                                  .mode.tolist())))
    assert results[0] == results[1]


def test_register_kl_refuses_what_is_not_a_distribution_class() -> None:
    with pytest.raises(TypeError, match="Expected type_p to be a Distribution subclass"):
        tg.distributions.register_kl(int, tg.distributions.Normal)
    with pytest.raises(TypeError, match="Expected type_q to be a Distribution subclass"):
        tg.distributions.register_kl(tg.distributions.Normal, "Normal")
