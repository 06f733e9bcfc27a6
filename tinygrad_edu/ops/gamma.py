"""The gamma family and logit: ``lgamma``, ``digamma``, ``polygamma``, ``mvlgamma`` and
``logit``; their in-place forms and their Functions, forward and backward side by side.

numpy has no gamma functions (and scipy is not a dependency): the kernels here are
PyTorch's own (ATen's ``calc_digamma``, ``calc_trigamma`` and Cephes' Hurwitz ``zeta``),
written on arrays in float64 and rounded once to the input's dtype. Each derivative is the
next function of the family: d lgamma = digamma, d digamma = polygamma(1), d polygamma(n)
= polygamma(n + 1), so every order of gradient is exact.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtypes
from ..dtypes import FLOATING
from ..parity.names import scalar_type_name
from ..parity.torch_sum import torch_sum
from ..tensor_base import TensorBase, _inplace_form
from . import dual
from .dual import _Op
from .movement import check_int

if TYPE_CHECKING:
    from ..tensor import Tensor

def _c_lgamma() -> dict[Any, Any]:
    """C's ``lgamma`` and ``lgammaf`` (glibc's, as PyTorch's CPU kernels call them), by
    dtype; Python's ``math.lgamma`` (its own algorithm: the last bits may differ) where the
    C library cannot be loaded."""
    try:
        libm = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
        double, single = libm.lgamma, libm.lgammaf
    except (OSError, AttributeError):  # pragma: no cover  (no C math library)
        return {np.dtype(np.float64): _py_lgamma, np.dtype(np.float32): _py_lgamma}
    double.restype, double.argtypes = ctypes.c_double, [ctypes.c_double]
    single.restype, single.argtypes = ctypes.c_float, [ctypes.c_float]
    return {np.dtype(np.float64): double, np.dtype(np.float32): single}


def _py_lgamma(v: float) -> float:
    if math.isnan(v):
        return v
    if math.isinf(v) or (v <= 0 and v == math.floor(v)):
        return math.inf  # (the poles, where math.lgamma raises)
    return math.lgamma(v)


_LGAMMA = _c_lgamma()


def lgamma(x: np.ndarray) -> np.ndarray:
    """log |Gamma(x)|, C's ``lgamma`` element by element (float16 in float32): +inf at 0,
    the negative integers and +-inf."""
    work = np.float64 if x.dtype == np.float64 else np.float32
    fn = _LGAMMA[np.dtype(work)]
    with np.errstate(divide="ignore"):  # (the poles: inf)
        return np.asanyarray(np.vectorize(fn, otypes=[work])(x.astype(work)), dtype=x.dtype)


def digamma(x: np.ndarray) -> np.ndarray:
    """psi(x) = d lgamma(x) / dx, as ATen's ``calc_digamma``: reflected below 0, moved up
    past 10 by psi(x) = psi(x + 1) - 1/x, then the asymptotic series; float32 (and
    float16) in float32 arithmetic, as its ``float`` overload."""
    x = x.astype(_work(x))
    neg = x < 0
    reflect = np.zeros_like(x)
    if neg.any():  # psi(x) = psi(1 - x) - pi / tan(pi frac(x))
        with np.errstate(divide="ignore", invalid="ignore"):
            reflect = np.where(neg, math.pi / np.tan(math.pi * np.modf(x)[0]), 0.0)
    z = np.where(neg, 1 - x, x)
    result = np.zeros_like(z)
    with np.errstate(divide="ignore", invalid="ignore"):
        for _ in range(10):
            small = z < 10
            if not small.any():
                break
            result = np.where(small, result - 1 / z, result)
            z = np.where(small, z + 1, z)
        y = 1 / (z * z)
        series = y * np.polyval(np.asanyarray(_DIGAMMA_A, x.dtype), y)
        series = np.where(z < 1e17, series, 0.0)
        psi_10 = np.asanyarray(_PSI_10, x.dtype)
        out = np.where(z == 10, result + psi_10, result + np.log(z) - 0.5 / z - series)
    out = out - reflect
    out = np.where(x == 0, np.copysign(np.inf, -x), out)  # psi(+-0) = -+inf
    return np.where(neg & (x == np.trunc(x)), np.nan, out)  # the poles: NaN


_PSI_10 = 2.25175258906672110764
_DIGAMMA_A = [8.33333333333333333333e-2, -2.10927960927960927961e-2, 7.57575757575757575758e-3,
              -4.16666666666666666667e-3, 3.96825396825396825397e-3, -8.33333333333333333333e-3,
              8.33333333333333333333e-2]


def _work(x: np.ndarray) -> Any:
    """The dtype PyTorch's kernels compute ``x``'s in: float64, or float32."""
    return np.float64 if x.dtype == np.float64 else np.float32


def trigamma(x: np.ndarray) -> np.ndarray:
    """polygamma(1, x), as ATen's ``calc_trigamma``: reflected below 0.5, six terms of
    the recurrence, then the asymptotic series (float32 in float32 arithmetic)."""
    x = x.astype(_work(x))
    low = x < 0.5
    with np.errstate(divide="ignore", invalid="ignore"):
        pi = np.asanyarray(math.pi, x.dtype)
        result = np.where(low, -(pi * pi) / np.sin(pi * x) ** 2, 0.0).astype(x.dtype)
        z = np.where(low, 1 - x, x)
        for _ in range(6):
            result = result + 1 / (z * z)
            z = z + 1
        ixx = 1 / (z * z)
        result = result + (1 + 1 / (2 * z) + ixx * (1 / 6 - ixx * (1 / 30 - ixx * (1 / 42)))) / z
    return np.where(low, -result, result)


def hurwitz_zeta(s: float, q: np.ndarray) -> np.ndarray:
    """zeta(s, q) = sum_k (q + k)^-s for an integer s >= 2, as Cephes' ``zeta`` (which
    PyTorch uses): terms summed until q + k > 9, then the Euler-Maclaurin tail. An element
    stops where its next term no longer changes the sum, as there."""
    eps = 1.11022302462515654042e-16
    q = q.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        total, a, b = q ** -s, q.copy(), np.zeros_like(q)
        done = np.zeros(q.shape, np.bool_)
        i = 0
        while True:
            going = ~done & ((i < 9) | (a <= 9.0)) & (a > -np.inf)  # (-inf: a pole)
            if not going.any():
                break
            i += 1
            a = np.where(going, a + 1, a)
            b = np.where(going, a ** -s, b)
            total = np.where(going, total + b, total)
            done |= going & (np.abs(b) < eps * total)
        w = a
        total = np.where(done, total, total + b * w / (s - 1) - 0.5 * b)
        fact, k = np.ones_like(q), 0.0
        for coefficient in _ZETA_A:
            fact = fact * (s + k)
            b = b / w
            t = fact * b / coefficient
            total = np.where(done, total, total + t)
            done |= np.abs(t / total) < eps
            k += 1
            fact = fact * (s + k)
            b = b / w
            k += 1
        poles = (q <= 0) & (q == np.floor(q))
        return np.where(poles, np.inf, total)


_ZETA_A = [12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9,
           7.47242496e10, -2.950130727918164224e12, 1.1646782814350067249e14,
           -4.5979787224074726105e15, 1.8152105401943546773e17, -7.1661652561756670113e18]


def polygamma(n: int, x: np.ndarray) -> np.ndarray:
    """The n-th derivative of digamma: (-1)^(n+1) n! zeta(n + 1, x) for n >= 2."""
    if n == 0:
        return digamma(x)
    if n == 1:
        return trigamma(x)
    return (1.0 if n % 2 else -1.0) * math.exp(math.lgamma(n + 1.0)) * hurwitz_zeta(n + 1.0, x)


def _polygamma(n: int, x: Any) -> Any:
    """polygamma(n, x) of an array, or the recorded op of a Tensor."""
    if dual._is_array(x):
        return polygamma(n, x).astype(x.dtype)
    return Polygamma.apply(x, n)


class Lgamma(_Op):
    """log |Gamma(x)|; d/dx = digamma(x)."""

    _grad_fn_name = "LgammaBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return lgamma(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad * _polygamma(0, x)


class Digamma(_Op):
    """psi(x) = d lgamma(x)/dx; d/dx = polygamma(1, x)."""

    _grad_fn_name = "DigammaBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return digamma(x).astype(x.dtype)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad * _polygamma(1, x)


class Polygamma(_Op):
    """The n-th derivative of digamma; d/dx = polygamma(n + 1, x). (``polygamma(0, x)``
    records this node too, as PyTorch.)"""

    _grad_fn_name = "PolygammaBackward0"
    ctx_fields = ("n",)

    @staticmethod
    def forward(ctx: Any, x: Any, n: int) -> Any:
        ctx.save_for_backward(x)
        ctx.n = n
        return polygamma(n, x).astype(x.dtype)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad * _polygamma(ctx.n + 1, x), None


def _mvlgamma_points(x: Any, p: int) -> Any:
    """x - i/2 for i = p-1, ..., 0 along a new last axis (PyTorch's ``arange(-p/2 + 1/2,
    1/2, 1/2)`` added to ``x.unsqueeze(-1)``)."""
    steps = np.arange(-p / 2 + 0.5, 0.5, 0.5).astype(dual._arr(x).dtype)
    return dual.expand_dims(x, -1) + dual.constant(steps, x)


class Mvlgamma(_Op):
    """The multivariate log-gamma log Gamma_p(x) = p(p-1)/4 log(pi) + sum_i lgamma(x - i/2)
    (i = 0..p-1); d/dx = sum_i digamma(x - i/2)."""

    _grad_fn_name = "MvlgammaBackward0"
    ctx_fields = ("p",)

    @staticmethod
    def forward(ctx: Any, x: Any, p: int) -> Any:
        ctx.save_for_backward(x)
        ctx.p = p
        total = torch_sum(lgamma(_mvlgamma_points(x, p)), -1, False)
        return np.asarray(total + p * (p - 1) * math.log(math.pi) / 4, dtype=x.dtype)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad * dual.sum(_polygamma(0, _mvlgamma_points(x, ctx.p)), -1), None


class Logit(_Op):
    """log(x / (1 - x)), with x clamped to [eps, 1 - eps] when eps is given; d/dx =
    1 / (x (1 - x)), and 0 outside [eps, 1 - eps] (NaN outside [0, 1] with no eps)."""

    _grad_fn_name = "LogitBackward0"
    ctx_fields = ("eps",)

    @staticmethod
    def forward(ctx: Any, x: Any, eps: Any) -> Any:
        ctx.save_for_backward(x)
        ctx.eps = eps
        z = x if eps is None else np.clip(x, eps, 1 - eps).astype(x.dtype)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(z / (1 - z)).astype(x.dtype)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        eps, data = ctx.eps, dual._arr(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            g = grad / (x * (1 - x))
            if eps is None:
                return dual.where(dual.constant((data < 0) | (data > 1), g), np.nan, g), None
            outside = (data < eps) | (data > 1 - eps)
            return dual._masked_zero(outside, g), None


# ----------------------------------------------------------------------------- methods
class GammaMethods(TensorBase):
    """The Tensor's lgamma, digamma, polygamma and logit, and their in-place forms."""

    __slots__ = ()

    def _as_float(self) -> Tensor:
        """Integers and bools compute in the default float dtype, as PyTorch."""
        if self._data.dtype in FLOATING:
            return self  # type: ignore[return-value]
        return self.to(dtypes.get_default_dtype())

    def lgamma(self) -> Tensor:
        """log |Gamma(self)| (the log of the factorial: lgamma(n + 1) = log n!).

        >>> tg.tensor([1.0, 5.0]).lgamma()
        tensor([0.0000, 3.1781])
        """
        return Lgamma.apply(self._as_float())

    def digamma(self) -> Tensor:
        """psi(self), the derivative of lgamma: -inf at +0, NaN at the negative integers.

        >>> tg.tensor([1.0]).digamma()
        tensor([-0.5772])
        """
        return Digamma.apply(self._as_float())

    def polygamma(self, n: int) -> Tensor:
        """The ``n``-th derivative of digamma at self (``n = 0``: digamma).

        >>> tg.tensor([1.0]).polygamma(1)
        tensor([1.6449])
        """
        if not isinstance(n, int) or isinstance(n, bool):
            raise TypeError(f"polygamma(): argument 'n' (position 1) must be int, not "
                            f"{type(n).__name__}")
        if n < 0:
            raise RuntimeError("polygamma(n, x) does not support negative n.")
        return Polygamma.apply(self._as_float(), n)

    def mvlgamma(self, p: int) -> Tensor:
        """The multivariate log-gamma function of dimension ``p``, elementwise:
        log Gamma_p(x) = p(p-1)/4 log(pi) + sum_{i=1..p} lgamma(x - (i-1)/2) (finite for
        x > (p-1)/2). ``p = 1`` is lgamma.

        >>> tg.tensor([2.5, 3.0]).mvlgamma(2)
        tensor([0.8570, 1.5502])
        """
        check_int(p, "mvlgamma", "p", 1)
        if self._data.dtype == np.bool_:
            raise RuntimeError("The input tensor may not be a boolean tensor.")
        if p < 1:
            raise RuntimeError("p has to be greater than or equal to 1")
        return Mvlgamma.apply(self._as_float(), p)

    def logit(self, eps: Any = None) -> Tensor:
        """log(self / (1 - self)), the inverse of sigmoid; with ``eps``, self is first
        clamped to [eps, 1 - eps] (finite at 0 and 1).

        >>> tg.tensor([0.5, 0.75]).logit()
        tensor([0.0000, 1.0986])
        """
        return Logit.apply(self._as_float(), None if eps is None else float(eps))

    lgamma_ = _inplace_form(lgamma)
    digamma_ = _inplace_form(digamma)
    polygamma_ = _inplace_form(polygamma)
    _mvlgamma_in_place = _inplace_form(mvlgamma)

    def mvlgamma_(self, p: int) -> Tensor:
        """In place: ``self = self.mvlgamma(p)``. An integer tensor cannot hold the
        floating result: PyTorch's error names both dtypes."""
        if self._data.dtype.kind in "iu":
            result = self.mvlgamma(p)  # (its checks of p come first)
            raise RuntimeError(f"mvlgamma: result type {scalar_type_name(self._data.dtype)} "
                               "can't be cast to the desired output type "
                               f"{scalar_type_name(result._data.dtype)}")
        return self._mvlgamma_in_place(p)
    logit_ = _inplace_form(logit)

