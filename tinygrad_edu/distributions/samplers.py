"""PyTorch's CPU samplers for the gamma, Dirichlet, Poisson and binomial distributions
(``torch._standard_gamma``, ``torch._sample_dirichlet``, ``torch.poisson``,
``torch.binomial``), bit for bit: element by element in memory order, each element
drawing 53-bit uniforms and cached Box-Muller normals from the shared generator until it
accepts, with PyTorch's float constants (``0.0331f`` is a float32 widened to double).

These are rejection samplers: how many numbers an element consumes depends on its value,
so they loop in Python, one element at a time (fine for the sizes RL and VAE code draws).

>>> _ = tg.manual_seed(0)
>>> standard_gamma(tg.tensor([1.0, 2.0], dtype=tg.float64))
tensor([2.8824, 1.3158], dtype=tinygrad_edu.float64)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..creation import from_numpy
from ..ops.gamma import lgamma as _c_lgamma
from ..parity.rng_floats import _gen, _normal_small, _uniform01
from ..parity.rng_state import Generator
from ..tensor import Tensor

__all__ = ["binomial", "poisson", "sample_dirichlet", "standard_gamma"]

_F64 = np.dtype(np.float64)
_THIRD_F = float(np.float32(1.0) / np.float32(3.0))  # 1.0f / 3.0f
_C0331_F = float(np.float32(0.0331))  # 0.0331f


def _uniform(gen: Generator) -> float:
    """``at::uniform_real_distribution<double>(0, 1)``: one 53-bit draw."""
    return float(_uniform01(gen, 1, _F64)[0])


def _normal(gen: Generator) -> float:
    """``at::normal_distribution<double>(0, 1)``: Box-Muller, the second value cached."""
    return float(_normal_small(gen, 1, 0.0, 1.0)[0])


def _gamma_one(alpha: Any, gen: Generator) -> float:
    """``sample_gamma``: Marsaglia and Tsang's rejection method (alpha boosted by one and
    the draw scaled by ``u^(1/alpha)`` below 1); ``alpha`` in its own dtype, the rest in
    double, as PyTorch's C++ computes it."""
    dt = type(alpha)
    scale = 1.0
    if alpha < 1.0:
        if alpha == 0.0:
            return 0.0
        scale *= math.pow(1 - _uniform(gen), float(dt(1.0) / alpha))
        alpha = alpha + dt(1.0)
    d = float(alpha - dt(_THIRD_F))
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        while True:
            x = _normal(gen)
            y = 1.0 + c * x
            if y > 0:
                break
        v = y * y * y
        u = 1 - _uniform(gen)
        xx = x * x
        if u < 1.0 - _C0331_F * xx * xx:
            return scale * d * v
        if math.log(u) < 0.5 * xx + d * (1.0 - v + math.log(v)):
            return scale * d * v


def _gammas(alpha: np.ndarray, out_dtype: Any, gen: Generator) -> np.ndarray:
    """One gamma draw per element of ``alpha`` (C order), floored at the dtype's tiny."""
    tiny = np.finfo(out_dtype).tiny
    flat = np.ascontiguousarray(alpha).ravel()
    out = np.empty(flat.size, out_dtype)
    for i, a in enumerate(flat):
        out[i] = max(tiny, out_dtype.type(_gamma_one(out_dtype.type(a), gen)))
    return out.reshape(alpha.shape)


class _NoImplicitGrad(Function):
    """A draw whose gradient (implicit reparameterization) is not implemented."""

    @staticmethod
    def forward(ctx: Any, concentration: Tensor, draw: Tensor) -> Tensor:  # type: ignore
        return draw

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Any:  # type: ignore[override]
        raise NotImplementedError(
            "the gradient of a gamma or Dirichlet draw with respect to its concentration "
            "(PyTorch's implicit reparameterization, _standard_gamma_grad) is not "
            "implemented in tinygrad_edu")


def _with_grad_guard(concentration: Tensor, draw: Tensor) -> Tensor:
    if concentration.requires_grad:
        return _NoImplicitGrad.apply(concentration, draw)  # type: ignore[no-any-return]
    return draw


def standard_gamma(concentration: Tensor, generator: Any = None) -> Tensor:
    """Gamma(concentration, 1) draws (``torch._standard_gamma``), PyTorch's after the same
    seed. Backward through them raises NotImplementedError.

    >>> _ = tg.manual_seed(0); standard_gamma(tg.tensor([0.5]))
    tensor([0.0008])
    """
    data = concentration.detach().numpy()
    out = _gammas(data, data.dtype, _gen(generator))
    return _with_grad_guard(concentration, from_numpy(out))


def sample_dirichlet(concentration: Tensor, generator: Any = None) -> Tensor:
    """Dirichlet(concentration) draws over the last dim (``torch._sample_dirichlet``): a
    float64 gamma per element, each row divided by its sum (PyTorch's summation order),
    clamped to [tiny, the float below 1].

    >>> _ = tg.manual_seed(0); sample_dirichlet(tg.tensor([1.0, 1.0])).sum()
    tensor(1.)
    """
    data = concentration.detach().numpy()
    gammas = from_numpy(_gammas(data, _F64, _gen(generator)))
    total = gammas.sum(-1, keepdim=True).expand(gammas.shape)
    ratio = (gammas / total).numpy().astype(data.dtype)
    one_below = np.nextafter(data.dtype.type(1.0), data.dtype.type(0.0))
    out = np.minimum(one_below, np.maximum(np.finfo(data.dtype).tiny, ratio))
    return _with_grad_guard(concentration, from_numpy(out))


def _poisson_one(lam: float, gen: Generator) -> float:
    """``sample_poisson``: Hoermann's transformed rejection (PTRS) from rate 10, else the
    product of uniforms until it falls below ``exp(-rate)``."""
    if lam >= 10:
        slam, loglam = math.sqrt(lam), math.log(lam)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2)
        while True:
            U = _uniform(gen) - 0.5
            V = _uniform(gen)
            us = 0.5 - abs(U)
            k = math.floor((2 * a / us + b) * U + lam + 0.43)
            if us >= 0.07 and V <= vr:
                return k
            if k < 0 or (us < 0.013 and V > us):
                continue
            lhs = math.log(V) + math.log(invalpha) - math.log(a / (us * us) + b)
            rhs = -lam + k * loglam - float(_c_lgamma(np.array(k + 1.0)))
            if lhs <= rhs:
                return k
    if lam == 0:
        return 0
    enlam, X, prod = math.exp(-lam), 0, 1.0
    while True:
        prod *= _uniform(gen)
        if prod > enlam:
            X += 1
        else:
            return X


def poisson(input: Tensor, generator: Any = None) -> Tensor:
    """Poisson(rate) draws, one per element of ``input`` (``torch.poisson``), PyTorch's
    after the same seed.

    >>> _ = tg.manual_seed(0); poisson(tg.tensor([4.0]))
    tensor([7.])
    """
    data = input.detach().numpy()
    if not bool((data >= 0).all()):
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    gen = _gen(generator)
    flat = np.ascontiguousarray(data).ravel()
    out = np.array([_poisson_one(float(v), gen) for v in flat], data.dtype)
    return from_numpy(out.reshape(data.shape))


def _binomial_inversion(count: Any, prob: Any, gen: Generator) -> Any:
    # (count, prob in their dtype: log1p of a float32 is float32's, as in C++)
    geom_sum, num_geom = 0.0, type(count)(0)
    logprob = float(np.log1p(-prob))
    while True:
        geom = math.ceil(math.log(_uniform(gen)) / logprob)
        geom_sum += geom
        if geom_sum > float(count):
            return num_geom
        num_geom = num_geom + type(count)(1)


_TAIL = (0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509,
         0.0166446911898211, 0.0138761288230707, 0.0118967099458917, 0.0104112652619720,
         0.00925546218271273, 0.00833056343336287)


def _stirling_tail(k: float) -> float:
    if k < len(_TAIL):
        return _TAIL[int(k)]
    kp1sq = (k + 1) * (k + 1)
    return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1)


def _btrs(count: Any, prob: Any, gen: Generator) -> Any:
    """Hoermann's BTRS transformed rejection, as PyTorch adapts it from TensorFlow: what
    C++ computes in the dtype of count and prob stays in it (``one``-typed), the rest is
    double."""
    one = type(count)(1)
    stddev = float(np.sqrt(count * prob * (one - prob)))
    b = 1.15 + 2.53 * stddev
    a = -0.0873 + 0.0248 * b + 0.01 * float(prob)
    c = float(count * prob) + 0.5
    v_r = 0.92 - 4.2 / b
    r = float(prob / (one - prob))
    alpha = (2.83 + 5.1 / b) * stddev
    m = float(math.floor(float((count + one) * prob)))
    n = float(count)
    while True:
        U = _uniform(gen) - 0.5
        V = _uniform(gen)
        us = 0.5 - abs(U)
        k = type(count)(math.floor((2 * a / us + b) * U + c))
        if k < 0 or k > count:
            continue
        if us >= 0.07 and V <= v_r:
            return k
        V = math.log(V * alpha / (a / (us * us) + b))
        n_k1, kf = float(count - k + one), float(k)
        upperbound = ((m + 0.5) * math.log((m + 1) / (r * (n - m + 1)))
                      + float(count + one) * math.log((n - m + 1) / n_k1)
                      + (kf + 0.5) * math.log(r * n_k1 / float(k + one))
                      + _stirling_tail(m) + _stirling_tail(n - m)
                      - _stirling_tail(kf) - _stirling_tail(float(count - k)))
        if V <= upperbound:
            return k


def _binomial_one(count: Any, prob: Any, gen: Generator) -> Any:
    if count <= 0.0 or prob <= 0.0:
        return 0.0
    if prob >= 1.0:
        return count
    if prob <= 0.5:
        if float(count * prob) >= 10.0:
            return _btrs(count, prob, gen)
        return _binomial_inversion(count, prob, gen)
    if prob > 0.5:
        q = type(prob)(1.0 - float(prob))
        if float(count * q) >= 10.0:
            return count - _btrs(count, q, gen)
        return count - _binomial_inversion(count, q, gen)
    return math.nan


def binomial(count: Tensor, prob: Tensor, generator: Any = None) -> Tensor:
    """Binomial(count, prob) draws, element by element (``torch.binomial``).

    >>> _ = tg.manual_seed(0); binomial(tg.tensor([10.0]), tg.tensor([0.5]))
    tensor([7.])
    """
    counts, probs = np.broadcast_arrays(count.detach().numpy(), prob.detach().numpy())
    gen = _gen(generator)
    out = [_binomial_one(n, p, gen) for n, p in zip(counts.ravel(), probs.ravel())]
    return from_numpy(np.array(out, counts.dtype).reshape(counts.shape))
