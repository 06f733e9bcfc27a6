"""The handwritten-numpy floor of each workload: manual forward and backward, no graph.

This is what a numpy engine *could* reach if it had no overhead at all: the same math as
the PyTorch loop, float32 throughout, every buffer allocated once and reused (ufuncs with
``out=``), masks applied in place, SGD updating the weight arrays in place. Each builder
returns a runner with the same contract as in ``workloads.py``.

Two numpy facts these floors rely on (measured with numpy 2.4 on this machine, 1000x512
float32): ``np.maximum(x, 0)`` with a *scalar* takes ~170 µs while ``np.clip(x, 0, BIG)``
takes ~45 µs, so ReLU is a clip; and ``np.greater`` into a bool buffer followed by
``np.multiply(g, mask, out=g)`` is the fastest masked backward (~110 µs; ``copyto(where=)``
and ``putmask`` are 20x slower).

Example:
    >>> run = w1_linreg(quick=True)
    >>> run()
    20
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from benchmarks import data

Runner = Callable[[], int]
F32 = np.float32
_BIG = F32(np.finfo(F32).max)


def _buffer(
    cache: dict[tuple[int, ...], np.ndarray], shape: tuple[int, ...], dtype: type = F32
) -> np.ndarray:
    """The reusable buffer of ``shape`` in ``cache``, allocated the first time it is asked for."""
    buf = cache.get(shape)
    if buf is None:
        buf = cache[shape] = np.empty(shape, dtype)
    return buf


class _Linear:
    """``y = x @ w.T + b`` with PyTorch's init, its gradients, and SGD with momentum, by hand."""

    def __init__(self, rng: np.random.Generator, n_in: int, n_out: int) -> None:
        bound = 1.0 / math.sqrt(n_in)
        self.w = rng.uniform(-bound, bound, (n_out, n_in)).astype(F32)
        self.b = rng.uniform(-bound, bound, n_out).astype(F32)
        self.gw, self.gb = np.zeros_like(self.w), np.zeros_like(self.b)
        self.vw, self.vb = np.zeros_like(self.w), np.zeros_like(self.b)
        self.x = self.w  # the last input, saved for backward
        self._out: dict[tuple[int, ...], np.ndarray] = {}
        self._dx: dict[tuple[int, ...], np.ndarray] = {}

    def forward(self, x: np.ndarray) -> np.ndarray:
        out = _buffer(self._out, (x.shape[0], self.w.shape[0]))
        np.dot(x, self.w.T, out=out)
        out += self.b
        self.x = x
        return out

    def backward(self, g: np.ndarray, need_dx: bool) -> np.ndarray | None:
        # chain rule: dW = g.T @ x, db = sum of g over the batch, dx = g @ W
        np.dot(g.T, self.x, out=self.gw)
        np.dot(_ones(g.shape[0]), g, out=self.gb)  # a BLAS product: 6x faster than sum
        if not need_dx:
            return None
        return np.dot(g, self.w, out=_buffer(self._dx, (g.shape[0], self.w.shape[1])))

    def sgd(self, lr: float, momentum: float) -> None:
        """PyTorch's SGD: ``v = momentum * v + g; p -= lr * v`` (``v = g`` when momentum is 0)."""
        for p, g, v in ((self.w, self.gw, self.vw), (self.b, self.gb, self.vb)):
            if momentum:
                v *= momentum
                v += g
                np.multiply(v, lr, out=g)  # g is scratch now: it is recomputed next step
            else:
                g *= lr
            p -= g


class _ReLU:
    """``clip(z, 0, cap)`` in place on the Linear's output; backward masks ``g`` in place."""

    def __init__(self, cap: float | None = None) -> None:
        self.cap = _BIG if cap is None else F32(cap)
        self.a = np.empty(0, F32)
        self._mask: dict[tuple[int, ...], np.ndarray] = {}

    def forward(self, z: np.ndarray) -> np.ndarray:
        self.a = np.clip(z, 0, self.cap, out=z)
        return z

    def backward(self, g: np.ndarray) -> np.ndarray:
        mask = _buffer(self._mask, g.shape, np.bool_)
        np.greater(self.a, 0, out=mask)  # relu'(z) = 1 where z > 0
        np.multiply(g, mask, out=g)
        if self.cap != _BIG:
            np.less(self.a, self.cap, out=mask)  # relu6'(z) = 0 where z >= 6
            np.multiply(g, mask, out=g)
        return g


class _MLP:
    """Linear layers with an activation (``"relu"``, ``"relu6"``) after every hidden one."""

    def __init__(self, sizes: list[int], acts: list[str], seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.layers = [_Linear(rng, i, o) for i, o in zip(sizes[:-1], sizes[1:], strict=True)]
        self.acts = [_ReLU(6.0 if a == "relu6" else None) for a in acts]

    def forward(self, x: np.ndarray) -> np.ndarray:
        for i, layer in enumerate(self.layers):
            x = layer.forward(x)
            if i < len(self.acts):
                x = self.acts[i].forward(x)
        return x

    def backward(self, g: np.ndarray) -> None:
        for i in range(len(self.layers) - 1, -1, -1):
            if i < len(self.acts):
                g = self.acts[i].backward(g)
            out = self.layers[i].backward(g, need_dx=i > 0)  # the data needs no gradient
            if out is not None:
                g = out

    def sgd(self, lr: float, momentum: float = 0.0) -> None:
        for layer in self.layers:
            layer.sgd(lr, momentum)


def _mse(pred: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``mean((pred - y)^2)`` and its gradient ``2 (pred - y) / n`` (in ``pred``'s buffer)."""
    np.subtract(pred, y, out=pred)
    flat = pred.reshape(-1)
    loss = np.dot(flat, flat) / flat.size
    pred *= 2.0 / flat.size
    return loss, pred


def _bce_with_logits(z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``mean(max(z,0) - z y + log1p(exp(-|z|)))`` and its gradient ``(sigmoid(z) - y) / n``."""
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    loss = (np.maximum(z, 0) - z * y + np.log1p(e)).mean()
    sig = np.where(z >= 0, 1.0, e) / (1.0 + e)
    sig -= y
    sig /= z.size
    return loss, sig


def _ones(n: int) -> np.ndarray:
    """A cached float32 vector of ``n`` ones: row and column sums as BLAS products."""
    ones = _ONES.get(n)
    if ones is None:
        ones = _ONES[n] = np.ones(n, F32)
    return ones


_ONES: dict[int, np.ndarray] = {}
_ROWS: dict[int, np.ndarray] = {}


def _row_max(z: np.ndarray) -> np.ndarray:
    """max over axis 1 of (n, c). For few columns numpy's axis-1 reduction walks row by row
    (35 µs for 1000x4); folding the columns with ``np.maximum`` takes 3 µs."""
    if z.shape[1] > 32:
        return z.max(axis=1)
    m = z[:, 0].copy()
    for j in range(1, z.shape[1]):
        np.maximum(m, z[:, j], out=m)
    return m


def _cross_entropy(z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``-mean(log_softmax(z)[i, y_i])`` and its gradient ``(softmax(z) - onehot(y)) / n``.

    Row sums are products with a ones vector, and (row, class) picks go through a flat
    index: ``z[rows, y]`` costs 3.6 µs for 1000 rows, ``z.reshape(-1).take(flat)`` 0.9 µs.
    """
    n, c = z.shape
    rows = _ROWS.get(n)
    if rows is None:
        rows = _ROWS[n] = np.arange(n)
    flat = rows * c + y
    shifted = z - _row_max(z)[:, None]  # log-sum-exp trick
    e = np.exp(shifted)
    total = e @ _ones(c)
    loss = (np.add.reduce(np.log(total)) - np.add.reduce(shifted.reshape(-1).take(flat))) / n
    e /= total[:, None]
    e.reshape(-1)[flat] -= 1.0
    e *= 1.0 / n
    return loss, e


def _full_batch(
    mlp: _MLP, loss_fn: Callable, x: np.ndarray, y: np.ndarray, lr: float, steps: int
) -> Runner:
    """A runner doing ``steps`` full-batch SGD steps of ``mlp``."""

    def run() -> int:
        for _ in range(steps):
            _, g = loss_fn(mlp.forward(x), y)
            mlp.backward(g)
            mlp.sgd(lr)
        return steps

    return run


def w1_linreg(quick: bool = False) -> Runner:
    """W1 floor: Linear(1, 1), MSE, SGD lr 0.1."""
    x, y = data.linreg()
    return _full_batch(_MLP([1, 1], []), _mse, x, y, 0.1, 20 if quick else 1000)


def w2_quadratic(quick: bool = False) -> Runner:
    """W2 floor: ``a t^2 + b t + c`` fitted by MSE, gradients by hand, ``params -= 1e-5 grad``."""
    t, speed, params = data.quadratic()
    t2, pred, r = (np.empty_like(t) for _ in range(3))
    grad = np.empty(3, F32)
    steps = 20 if quick else 1000

    def run() -> int:
        for _ in range(steps):
            _quadratic_step(t, speed, params, (t2, pred, r, grad))
        return steps

    return run


def _quadratic_step(t: np.ndarray, speed: np.ndarray, params: np.ndarray, bufs: tuple) -> None:
    """One W2 step in place: forward, MSE, the three gradients, the update."""
    t2, pred, r, grad = bufs
    a, b, c = params
    np.multiply(t, t, out=t2)
    np.multiply(t2, a, out=pred)
    np.multiply(t, b, out=r)
    pred += r
    pred += c
    np.subtract(pred, speed, out=r)
    _loss = np.dot(r, r) / r.size
    r *= 2.0 / r.size  # d(loss)/d(pred)
    grad[0], grad[1], grad[2] = np.dot(r, t2), np.dot(r, t), r.sum()
    grad *= 1e-5
    params -= grad


def w3_wide_mlp(quick: bool = False) -> Runner:
    """W3 floor: 2-512-256-512-1 with ReLU, ReLU6, ReLU; BCE with logits; SGD lr 0.1."""
    x, y = data.circles()
    mlp = _MLP([2, 512, 256, 512, 1], ["relu", "relu6", "relu"])
    return _full_batch(mlp, _bce_with_logits, x, y, 0.1, 2 if quick else 50)


def w4_blobs_ce(quick: bool = False) -> Runner:
    """W4 floor: 2-8-8-4 with ReLU, cross-entropy, SGD lr 0.1."""
    x, y = data.blobs()
    mlp = _MLP([2, 8, 8, 4], ["relu", "relu"])
    return _full_batch(mlp, _cross_entropy, x, y, 0.1, 20 if quick else 1000)


def w5_mnist_mlp(quick: bool = False) -> Runner:
    """W5 floor: one shuffled epoch in batches of 64 (gathered with ``np.take`` into a buffer)."""
    x, y = data.mnist_like(1024 if quick else 60_000)
    rng = np.random.default_rng(0)
    mlp = _MLP([784, 128, 10], ["relu"])
    xbufs: dict[tuple[int, ...], np.ndarray] = {}

    def run() -> int:
        perm = rng.permutation(x.shape[0])
        steps = 0
        for start in range(0, x.shape[0], 64):
            idx = perm[start : start + 64]
            xb = np.take(x, idx, axis=0, out=_buffer(xbufs, (idx.size, x.shape[1])))
            _, g = _cross_entropy(mlp.forward(xb), y[idx])
            mlp.backward(g)
            mlp.sgd(0.01, momentum=0.9)
            steps += 1
        return steps

    return run


def w6_deep_chain(quick: bool = False) -> Runner:
    """W6 floor: the chain on float32 numpy scalars, a tape of the multipliers, a reverse walk."""
    ops = 2_000 if quick else 100_000

    def run() -> int:
        y = F32(1.0)
        tape = []
        for _ in range(ops // 2):
            tape.append(0.999)  # what mul's backward needs; add's needs nothing
            y = y * 0.999 + 0.001
        g = F32(1.0)
        for a in reversed(tape):
            g = g * a  # chain rule: d(y*a)/dy = a
        return 1

    return run


def mlp_step(width: int, batch: int, steps: int) -> Runner:
    """The scaling plot's floor: 64-width-width-10 ReLU MLP, cross-entropy, SGD lr 0.01."""
    x, y = data.features(batch, 64)
    mlp = _MLP([64, width, width, 10], ["relu", "relu"])
    return _full_batch(mlp, _cross_entropy, x, y, 0.01, steps)
