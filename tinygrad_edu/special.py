"""``tinygrad_edu.special``, as ``torch.special``: the modified Bessel functions of the
first kind (``i0``, ``i0e``, ``i1``, ``i1e``) and the multivariate log-gamma function
(``multigammaln``), with PyTorch's values, dtypes and gradients.

The code lives with the op families: the Bessel functions in ops/bessel.py, the gamma
family in ops/gamma.py.

>>> import tinygrad_edu as tg
>>> tg.special.i1(tg.tensor([1.0]))
tensor([0.5652])
"""

from __future__ import annotations

from .ops.bessel import _as_float
from .ops.bessel import special_i0e as i0e
from .ops.bessel import special_i1 as i1
from .ops.bessel import special_i1e as i1e
from .parity.out_argument import SPECIAL_WITH_OUT, accepts_out
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


__all__ = ["i0", "i0e", "i1", "i1e", "multigammaln"]

for _name in SPECIAL_WITH_OUT:  # tg.special.i0(x, out=y), as PyTorch's
    globals()[_name] = accepts_out(globals()[_name], f"special_{_name}")
