"""Seeded synthetic data for the benchmark workloads, made with numpy only.

Every implementation of a workload (PyTorch, tinygrad_edu, the handwritten-numpy floor) trains
on the very same arrays: they are made once here and handed to each library with
``from_numpy`` (which shares memory, so no copy is timed or counted twice).

Example:
    >>> x, y = linreg()
    >>> x.shape, y.shape, x.dtype
    ((200, 1), (200, 1), dtype('float32'))
"""

from __future__ import annotations

import numpy as np

F32 = np.float32


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def linreg(n: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """W1: ``y = 3x + 0.5 + noise`` on ``n`` points; both of shape ``(n, 1)``, float32."""
    rng = _rng(1)
    x = rng.uniform(-1.0, 1.0, (n, 1)).astype(F32)
    y = (3.0 * x + 0.5 + 0.1 * rng.standard_normal((n, 1))).astype(F32)
    return x, y


def quadratic(n: int = 20) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """W2 (numpy floor only): ``time``, ``speed`` and 3 initial params, as in the issue-2 loop.

    The tensor versions build theirs with the library's own ``arange/rand/randn`` (that is
    the loop a learner writes); the floor only needs arrays of the same shapes and scale.
    """
    rng = _rng(2021)
    time = np.arange(n, dtype=F32)
    speed = (rng.random(n, dtype=F32) * 5 + 0.8 * (time - 7.5) ** 2 + 1).astype(F32)
    params = rng.standard_normal(3).astype(F32)
    return time, speed, params


def circles(n: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """W3: 2-d points labelled 1.0 inside a circle of radius 0.7; x ``(n, 2)``, y ``(n, 1)``."""
    rng = _rng(3)
    x = rng.uniform(-1.0, 1.0, (n, 2)).astype(F32)
    y = ((x**2).sum(axis=1, keepdims=True) < 0.49).astype(F32)
    return x, y


def blobs(n: int = 1000, classes: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """W4: ``classes`` Gaussian blobs in 2-d; ``x`` is ``(n, 2)`` float32, ``y`` ``(n,)`` int64."""
    rng = _rng(4)
    centers = rng.uniform(-4.0, 4.0, (classes, 2))
    y = rng.integers(0, classes, n)
    x = (centers[y] + rng.standard_normal((n, 2))).astype(F32)
    return x, y.astype(np.int64)


def mnist_like(n: int = 60_000, dim: int = 784, classes: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """W5: MNIST-shaped data, pixels in [0, 1) float32 and labels from a random linear teacher.

    (No data set is downloaded: the shapes and dtypes are what costs time, not the digits.)
    """
    rng = _rng(5)
    x = rng.random((n, dim), dtype=F32)
    teacher = rng.standard_normal((dim, classes)).astype(F32)
    y = np.argmax(x @ teacher, axis=1).astype(np.int64)
    return x, y


def features(n: int, dim: int, classes: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """The scaling plot: ``n`` standard-normal rows of width ``dim`` and int64 class labels."""
    rng = _rng(6)
    x = rng.standard_normal((n, dim), dtype=F32)
    y = rng.integers(0, classes, n).astype(np.int64)
    return x, y
