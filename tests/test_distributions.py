"""``tinygrad_edu.distributions`` against ``torch.distributions``: the same draws after the
same seed, log-probabilities, entropies and their gradients, and the same ValueError for a
bad parameter or value (PyTorch validates by default)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg

torch = pytest.importorskip("torch")


def _run(L: Any) -> list[Any]:
    D = L.distributions
    L.manual_seed(0)
    out: list[Any] = []
    probs = L.tensor([0.1, 0.2, 0.7])
    c = D.Categorical(probs=probs)
    s = c.sample((5,))
    out += [s.tolist(), c.log_prob(s), c.entropy(), tuple(c.batch_shape), repr(c)]
    logits = L.tensor([[0.5, 1.0, -1.0], [0.0, 0.0, 0.0]], requires_grad=True)
    cl = D.Categorical(logits=logits)
    s2 = cl.sample()
    (cl.log_prob(s2).sum() + cl.entropy().sum()).backward()
    out += [s2.tolist(), logits.grad, cl.probs]
    loc = L.tensor([0.0, 1.0], requires_grad=True)
    scale = L.tensor([1.0, 2.0], requires_grad=True)
    n = D.Normal(loc, scale)
    x = n.rsample((3,))
    (x.sum() + n.log_prob(L.tensor([0.5, 0.5])).sum()).backward()
    out += [x, loc.grad, scale.grad, n.sample(), n.entropy(), n.stddev, n.variance, repr(n),
            repr(D.Normal(0.0, 1.0)), tuple(D.Normal(L.zeros(3), 1.0).sample((2,)).shape)]
    b = D.Bernoulli(probs=L.tensor([0.3, 0.9]))
    out += [b.sample((2,)), b.log_prob(L.tensor([1.0, 0.0])), b.entropy(), b.logits,
            D.Bernoulli(logits=L.tensor(0.5)).probs, repr(b)]
    u = D.Uniform(0.0, 2.0)
    out += [u.sample((3,)), u.rsample(), u.log_prob(L.tensor([1.0, 2.0])), u.entropy(),
            u.mean, u.variance, repr(u)]
    return out


def test_draws_densities_and_gradients_as_torch() -> None:
    for k, (mine, theirs) in enumerate(zip(_run(tg), _run(torch))):
        if isinstance(theirs, torch.Tensor):
            assert str(mine.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1], k
            np.testing.assert_allclose(mine.detach().numpy(), theirs.detach().numpy(),
                                       rtol=1e-6, atol=1e-7, err_msg=str(k))
        else:
            assert str(mine).replace("tinygrad_edu.", "") == str(theirs).replace(
                "torch.", ""), k


def test_reinforce_episode_as_torch() -> None:
    """PyTorch's REINFORCE example in small: a policy's Categorical draws actions, and the
    loss is -log_prob * return. The same actions and the same updated weights."""
    results = []
    for L in (tg, torch):
        L.manual_seed(3)
        policy = L.nn.Sequential(L.nn.Linear(4, 8), L.nn.ReLU(), L.nn.Linear(8, 2))
        opt = L.optim.Adam(policy.parameters(), lr=1e-2)
        actions = []
        for step in range(5):
            state = L.tensor(np.linspace(-1, 1, 4, dtype=np.float32) * (step + 1))
            dist = L.distributions.Categorical(logits=policy(state))
            action = dist.sample()
            actions.append(action.item())
            loss = -dist.log_prob(action) * (1.0 + step)
            opt.zero_grad()
            loss.backward()
            opt.step()
        results.append((actions, [p.detach().numpy().copy() for p in policy.parameters()]))
    assert results[0][0] == results[1][0]
    for a, b in zip(results[0][1], results[1][1]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("call", [
    lambda D, L: D.Normal(0.0, -1.0),
    lambda D, L: D.Normal(float("nan"), 1.0),
    lambda D, L: D.Normal(0.0, 1.0).log_prob(L.tensor(float("nan"))),
    lambda D, L: D.Categorical(probs=L.tensor([-0.1, 1.1])),
    lambda D, L: D.Categorical(probs=L.tensor([0.5, 0.5])).log_prob(L.tensor(2)),
    lambda D, L: D.Categorical(probs=L.tensor([0.5, 0.5])).log_prob(L.tensor(0.5)),
    lambda D, L: D.Categorical(logits=L.tensor([float("nan"), 0.0])),
    lambda D, L: D.Categorical(),
    lambda D, L: D.Categorical(L.tensor(0.5)),
    lambda D, L: D.Bernoulli(probs=L.tensor(1.5)),
    lambda D, L: D.Bernoulli(probs=L.tensor(0.5)).log_prob(L.tensor(0.5)),
    lambda D, L: D.Uniform(1.0, 0.0),
    lambda D, L: D.Uniform(0.0, 2.0).log_prob(L.tensor([1.0, 3.0])),
])
def test_bad_parameters_and_values_raise_as_torch(call: Any) -> None:
    got = []
    for L in (tg, torch):
        with pytest.raises(ValueError) as info:
            call(L.distributions, L)
        got.append(str(info.value).replace("torch.", "").replace("tinygrad_edu.", ""))
    assert got[0] == got[1]


def test_validation_can_be_turned_off() -> None:
    assert float(tg.distributions.Normal(0.0, -1.0, validate_args=False).scale) == -1.0


def test_kl_divergence_as_torch() -> None:
    """A VAE's ``kl_divergence(posterior, prior)`` of two Normals, and of Categoricals (inf
    where q has no mass that p has): values and gradients; other pairs raise as torch."""
    results = []
    for L in (tg, torch):
        D = L.distributions
        loc = L.tensor([0.0, 1.0], requires_grad=True)
        kl = D.kl_divergence(D.Normal(loc, L.tensor([1.0, 2.0])), D.Normal(0.5, 1.5))
        kl.sum().backward()
        c1, c2 = D.Categorical(probs=L.tensor([0.2, 0.8, 0.0])), D.Categorical(
            probs=L.tensor([0.5, 0.0, 0.5]))
        c3 = D.Categorical(logits=L.tensor([0.1, 0.2, 0.3]))
        cats = [D.kl_divergence(a, b).item() for a, b in ((c1, c2), (c2, c1), (c1, c3))]
        with pytest.raises(NotImplementedError) as info:
            D.kl_divergence(c1, D.Normal(0.0, 1.0))
        results.append((kl.detach().numpy(), loc.grad.numpy(), cats, str(info.value)))
    ours, theirs = results
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-6)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-6)
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-6)
    assert ours[3] == theirs[3]
