"""``tinygrad_edu.special``, as ``torch.special``: the modified Bessel functions of the
first kind (``i0``, ``i0e``, ``i1``, ``i1e``), the multivariate log-gamma function
(``multigammaln``), the normal distribution's CDF and its inverse (``ndtr``, ``ndtri``), and
PyTorch's ``special_*`` names of ops the Tensor has (``expit`` is ``sigmoid``, ``gammaln``
``lgamma``, ``psi`` ``digamma``, ...), with PyTorch's values, dtypes and gradients.

The code lives with the op families: the Bessel functions in ops/bessel.py, the gamma
family in ops/gamma.py; the aliases call the Tensor's methods.

>>> import tinygrad_edu as tg
>>> tg.special.i1(tg.tensor([1.0]))
tensor([0.5652])
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .functional import xlogy as _xlogy
from .ops.bessel import _as_float
from .ops.bessel import special_i0e as i0e
from .ops.bessel import special_i1 as i1
from .ops.bessel import special_i1e as i1e
from .parity.out_argument import accepts_out
from .tensor import Tensor


def i0(input: Tensor) -> Tensor:
    """I0(x), the modified Bessel function of the first kind of order 0 (``tg.i0``).

    >>> tg.special.i0(tg.tensor([0.0, 1.0]))
    tensor([1.0000, 1.2661])
    """
    return Tensor.i0(_as_float(input, "special_i0"))


def multigammaln(input: Tensor, p: int) -> Tensor:
    """log Gamma_p(x) = p(p-1)/4 log(pi) + sum_{i=1..p} lgamma(x - (i-1)/2) (``tg.mvlgamma``).

    >>> tg.special.multigammaln(tg.tensor([3.0]), 2)
    tensor([1.5502])
    """
    if not isinstance(input, Tensor):
        raise TypeError("special_multigammaln(): argument 'input' (position 1) must be "
                        f"Tensor, not {type(input).__name__}")
    return Tensor.mvlgamma(input, p)


def _check_input(input: Any, name: str, position: int = 1) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"special_{name}(): argument 'input' (position {position}) must be "
                        f"Tensor, not {type(input).__name__}")


def _alias(name: str, method: str) -> Callable[[Tensor], Tensor]:
    """``tg.special.<name>(input)``: ``input.<method>()`` (PyTorch's ``special_<name>``)."""

    def function(input: Tensor) -> Tensor:
        _check_input(input, name)
        return getattr(Tensor, method)(input)  # type: ignore[no-any-return]

    function.__name__ = function.__qualname__ = name
    function.__doc__ = (f"``input.{method}()``, under PyTorch's ``torch.special`` name.\n\n"
                        f"    >>> tg.special.{name}(tg.tensor([0.5])).shape\n"
                        "    tinygrad_edu.Size([1])\n    ")
    return function


# torch.special's names for the Tensor's unary ops
_ALIASES = {"digamma": "digamma", "psi": "digamma", "gammaln": "lgamma", "expit": "sigmoid",
            "erf": "erf", "erfc": "erfc", "erfinv": "erfinv", "exp2": "exp2",
            "expm1": "expm1", "log1p": "log1p", "sinc": "sinc"}
for _name, _method in _ALIASES.items():
    globals()[_name] = _alias(_name, _method)


def ndtr(input: Tensor) -> Tensor:
    """The standard normal CDF, ``(1 + erf(x / sqrt(2))) / 2``, composed as PyTorch does
    (so its values and grad_fn are PyTorch's).

    >>> tg.special.ndtr(tg.tensor([0.0, 1.0]))
    tensor([0.5000, 0.8413])
    """
    _check_input(input, "ndtr")
    return (1 + (input * math.sqrt(0.5)).erf()) * 0.5


def ndtri(input: Tensor) -> Tensor:
    """The inverse of ``ndtr``: ``sqrt(2) * erfinv(2p - 1)`` (PyTorch has a dedicated kernel,
    with grad_fn ``SpecialNdtriBackward0``; the values agree to float rounding).

    >>> tg.special.ndtri(tg.tensor([0.5, 0.975]))
    tensor([0.0000, 1.9600])
    """
    _check_input(input, "ndtri")
    return (_as_float(input, "special_ndtri") * 2 - 1).erfinv() * math.sqrt(2.0)


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """``log(p / (1 - p))``, with ``p`` clamped to ``[eps, 1 - eps]`` when ``eps`` is given
    (``Tensor.logit``).

    >>> tg.special.logit(tg.tensor([0.5]))
    tensor([0.])
    """
    _check_input(input, "logit")
    return input.logit(eps)


def round(input: Tensor, *, decimals: int = 0) -> Tensor:  # noqa: A001  (PyTorch's name)
    """Round half to even, to ``decimals`` places (``Tensor.round``).

    >>> tg.special.round(tg.tensor([1.25, 2.5]), decimals=1)
    tensor([1.2000, 2.5000])
    """
    _check_input(input, "round")
    return input.round(decimals=decimals)


def softmax(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim`` (``Tensor.softmax``).

    >>> tg.special.softmax(tg.tensor([0.0, 0.0]), 0)
    tensor([0.5000, 0.5000])
    """
    _check_input(input, "softmax")
    return input.softmax(dim, dtype=dtype)


def log_softmax(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """``x - logsumexp(x)`` along ``dim`` (``Tensor.log_softmax``).

    >>> tg.special.log_softmax(tg.tensor([0.0, 0.0]), 0)
    tensor([-0.6931, -0.6931])
    """
    _check_input(input, "log_softmax")
    return input.log_softmax(dim, dtype=dtype)


def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    """``log(sum(exp(x)))`` along ``dim``, computed stably (``Tensor.logsumexp``).

    >>> tg.special.logsumexp(tg.tensor([0.0, 0.0]), 0)
    tensor(0.6931)
    """
    _check_input(input, "logsumexp")
    return input.logsumexp(dim, keepdim)


def polygamma(n: int, input: Tensor) -> Tensor:
    """The ``n``-th derivative of digamma (``Tensor.polygamma``; ``n`` comes first).

    >>> tg.special.polygamma(1, tg.tensor([1.0]))
    tensor([1.6449])
    """
    _check_input(input, "polygamma", position=2)
    return input.polygamma(n)


def xlogy(input: Any, other: Any) -> Tensor:
    """``input * log(other)``, 0 where ``input`` is 0 (``tg.xlogy``).

    >>> tg.special.xlogy(tg.tensor([0.0, 2.0]), tg.tensor([0.0, 3.0]))
    tensor([0.0000, 2.1972])
    """
    return _xlogy(input, other)


__all__ = ["i0", "i0e", "i1", "i1e", "multigammaln", "ndtr", "ndtri", "logit", "round",
           "softmax", "log_softmax", "logsumexp", "polygamma", "xlogy", *_ALIASES]

for _name in __all__:  # tg.special.i0(x, out=y): all of them take out=, as PyTorch's
    globals()[_name] = accepts_out(globals()[_name], f"special_{_name}")
