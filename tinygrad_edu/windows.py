"""Window functions for spectral analysis: ``tg.hann_window``, ``hamming_window``,
``blackman_window``, ``bartlett_window`` and ``kaiser_window``, computed as PyTorch computes
them (the same steps in the window's dtype), with its defaults: ``periodic=True`` (the
symmetric window of ``window_length + 1`` points without its last one), the default dtype.

>>> tg.hann_window(4)
tensor([0.0000, 0.5000, 1.0000, 0.5000])
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from . import dtypes
from .creation import arange, ones, tensor
from .dtypes import FLOATING
from .tensor import Tensor, where

__all__ = ["bartlett_window", "blackman_window", "hamming_window", "hann_window",
           "kaiser_window"]

# the C++ names PyTorch's message prints for a dtype that is not floating
_CPP_NAMES = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
              "uint8": "unsigned char", "bool": "bool"}


def _window(name: str, window_length: int, periodic: bool, dtype: Any, requires_grad: bool,
            formula: Callable[[Tensor, int], Tensor]) -> Tensor:
    """The checks and cases every window shares; ``formula(n, N)`` makes the symmetric
    window of ``N`` points from ``n = arange(N)``."""
    if not isinstance(window_length, int) or isinstance(window_length, bool):
        raise TypeError(f"{name}(): argument 'window_length' (position 1) must be int, not "
                        f"{type(window_length).__name__}")
    dtype = dtypes.get_default_dtype() if dtype is None else dtype
    if dtype.np not in FLOATING:
        raise RuntimeError(f"{name} expects floating point dtypes, got: TensorOptions(dtype="
                           f"{_CPP_NAMES.get(dtype.np.name, dtype.np.name)}, device=cpu, "
                           "layout=Strided (default), requires_grad=false (default), "
                           "pinned_memory=false, memory_format=(nullopt))")
    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got "
                           f"window_length={window_length}")
    if window_length <= 1:
        window = ones(window_length, dtype=dtype)
    else:
        length = window_length + 1 if periodic else window_length
        window = formula(arange(length, dtype=dtype), length)[:window_length].contiguous()
    return window.requires_grad_(requires_grad)


def hamming_window(window_length: int, periodic: bool = True, alpha: float = 0.54,
                   beta: float = 0.46, *, dtype: Any = None, layout: Any = None,
                   device: Any = None, pin_memory: bool = False,
                   requires_grad: bool = False) -> Tensor:
    """``w[n] = alpha - beta * cos(2 pi n / (N - 1))``.

    >>> tg.hamming_window(4, periodic=False)
    tensor([0.0800, 0.7700, 0.7700, 0.0800])
    """
    def formula(n: Tensor, length: int) -> Tensor:
        return (n * (2 * math.pi / (length - 1))).cos() * -beta + alpha

    return _window("hamming_window", window_length, periodic, dtype, requires_grad, formula)


def hann_window(window_length: int, periodic: bool = True, *, dtype: Any = None,
                layout: Any = None, device: Any = None, pin_memory: bool = False,
                requires_grad: bool = False) -> Tensor:
    """``w[n] = 1/2 - 1/2 cos(2 pi n / (N - 1))`` (``hamming_window`` with alpha = beta =
    1/2, as PyTorch computes it).

    >>> tg.hann_window(3, periodic=False)
    tensor([0., 1., 0.])
    """
    def formula(n: Tensor, length: int) -> Tensor:
        return (n * (2 * math.pi / (length - 1))).cos() * -0.5 + 0.5

    return _window("hann_window", window_length, periodic, dtype, requires_grad, formula)


def blackman_window(window_length: int, periodic: bool = True, *, dtype: Any = None,
                    layout: Any = None, device: Any = None, pin_memory: bool = False,
                    requires_grad: bool = False) -> Tensor:
    """``w[n] = 0.42 - 0.5 cos(2 pi n / (N - 1)) + 0.08 cos(4 pi n / (N - 1))``.

    >>> tg.blackman_window(3, periodic=False)
    tensor([-2.9802e-08,  1.0000e+00, -2.9802e-08])
    """
    def formula(n: Tensor, length: int) -> Tensor:
        x = n * (math.pi / (length - 1))
        return (x * 4).cos() * 0.08 - (x * 2).cos() * 0.5 + 0.42

    return _window("blackman_window", window_length, periodic, dtype, requires_grad, formula)


def bartlett_window(window_length: int, periodic: bool = True, *, dtype: Any = None,
                    layout: Any = None, device: Any = None, pin_memory: bool = False,
                    requires_grad: bool = False) -> Tensor:
    """The triangle ``w[n] = 2n / (N - 1)`` up to the middle, ``2 - 2n / (N - 1)`` after.

    >>> tg.bartlett_window(5, periodic=False)
    tensor([0.0000, 0.5000, 1.0000, 0.5000, 0.0000])
    """
    def formula(n: Tensor, length: int) -> Tensor:
        rising = n * (2 / (length - 1))
        return where(n < ((length - 1) >> 1) + 1, rising, rising * -1 + 2)

    return _window("bartlett_window", window_length, periodic, dtype, requires_grad, formula)


def kaiser_window(window_length: int, periodic: bool = True, beta: float = 12.0, *,
                  dtype: Any = None, layout: Any = None, device: Any = None,
                  pin_memory: bool = False, requires_grad: bool = False) -> Tensor:
    """``w[n] = I0(beta sqrt(1 - ((n - a) / a)^2)) / I0(beta)`` with ``a = (N - 1) / 2``
    (``I0``: ``tg.i0``).

    >>> tg.kaiser_window(3, periodic=False, beta=0.0)
    tensor([1., 1., 1.])
    """
    def formula(n: Tensor, length: int) -> Tensor:
        half = (length - 1) / 2.0
        x = (n - half) / half
        return (((x * x) * -1 + 1).abs().sqrt() * beta).i0() / tensor(beta, dtype=n.dtype).i0()

    return _window("kaiser_window", window_length, periodic, dtype, requires_grad, formula)
