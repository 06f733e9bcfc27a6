"""The modified Bessel functions of the first kind, of order 0 and 1: ``i0`` (also
``tg.special.i0``), and ``tg.special.i0e``, ``i1``, ``i1e`` (each times e^-|x|); their
Functions, forward and backward side by side.

numpy's ``np.i0`` is a different algorithm (and computes in float64 only), so the kernels
are PyTorch's own (ATen's ``calc_i0``, ``calc_i0e``, ``calc_i1``, ``calc_i1e``, from
Cephes): a Chebyshev series of e^-x I(x) on [0, 8] and of e^-x sqrt(x) I(x) past 8, in the
input's precision (float32 with fewer terms for i1, as there; 16-bit floats in float32).

Each derivative is a combination of the family, so every order of gradient is exact:
    d i0/dx = i1,    d i1/dx = i0 - i1/x  (1/2 at 0),
    d i0e/dx = i1e - sgn(x) i0e,    d i1e/dx = i0e - i1e (sgn(x) + 1/x)  (1/2 at 0).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtypes
from ..dtypes import FLOATING, REDUCED
from ..parity.names import scalar_type_name
from ..tensor_base import TensorBase, _inplace_form
from ..type_info import finfo
from . import dual
from .dual import _Op

if TYPE_CHECKING:
    from ..tensor import Tensor

# Chebyshev coefficients (Cephes', highest order first): e^-x I0(x) on [0, 8] ...
_I0E_A = (
    -4.41534164647933937950e-18, 3.33079451882223809783e-17, -2.43127984654795469359e-16,
    1.71539128555513303061e-15, -1.16853328779934516808e-14, 7.67618549860493561688e-14,
    -4.85644678311192946090e-13, 2.95505266312963983461e-12, -1.72682629144155570723e-11,
    9.67580903537323691224e-11, -5.18979560163526290666e-10, 2.65982372468238665035e-9,
    -1.30002500998624804212e-8, 6.04699502254191894932e-8, -2.67079385394061173391e-7,
    1.11738753912010371815e-6, -4.41673835845875056359e-6, 1.64484480707288970893e-5,
    -5.75419501008210370398e-5, 1.88502885095841655729e-4, -5.76375574538582365885e-4,
    1.63947561694133579842e-3, -4.32430999505057594430e-3, 1.05464603945949983183e-2,
    -2.37374148058994688156e-2, 4.93052842396707084878e-2, -9.49010970480476444210e-2,
    1.71620901522208775349e-1, -3.04682672343198398683e-1, 6.76795274409476084995e-1)
# ... e^-x sqrt(x) I0(x) on [8, inf), in 32/x - 2 ...
_I0E_B = (
    -7.23318048787475395456e-18, -4.83050448594418207126e-18, 4.46562142029675999901e-17,
    3.46122286769746109310e-17, -2.82762398051658348494e-16, -3.42548561967721913462e-16,
    1.77256013305652638360e-15, 3.81168066935262242075e-15, -9.55484669882830764870e-15,
    -4.15056934728722208663e-14, 1.54008621752140982691e-14, 3.85277838274214270114e-13,
    7.18012445138366623367e-13, -1.79417853150680611778e-12, -1.32158118404477131188e-11,
    -3.14991652796324136454e-11, 1.18891471078464383424e-11, 4.94060238822496958910e-10,
    3.39623202570838634515e-9, 2.26666899049817806459e-8, 2.04891858946906374183e-7,
    2.89137052083475648297e-6, 6.88975834691682398426e-5, 3.36911647825569408990e-3,
    8.04490411014108831608e-1)
# ... e^-x I1(x) / x on [0, 8] (float32: the last 17 terms) ...
_I1E_A = (
    2.77791411276104639959e-18, -2.11142121435816608115e-17, 1.55363195773620046921e-16,
    -1.10559694773538630805e-15, 7.60068429473540693410e-15, -5.04218550472791168711e-14,
    3.22379336594557470981e-13, -1.98397439776494371520e-12, 1.17361862988909016308e-11,
    -6.66348972350202774223e-11, 3.62559028155211703701e-10, -1.88724975172282928790e-9,
    9.38153738649577178388e-9, -4.44505912879632808065e-8, 2.00329475355213526229e-7,
    -8.56872026469545474066e-7, 3.47025130813767847674e-6, -1.32731636560394358279e-5,
    4.78156510755005422638e-5, -1.61760815825896745588e-4, 5.12285956168575772895e-4,
    -1.51357245063125314899e-3, 4.15642294431288815669e-3, -1.05640848946261981558e-2,
    2.47264490306265168283e-2, -5.29459812080949914269e-2, 1.02643658689847095384e-1,
    -1.76416518357834055153e-1, 2.52587186443633654823e-1)
# ... and e^-x sqrt(x) I1(x) on [8, inf) (float32: the last 7 terms).
_I1E_B = (
    7.51729631084210481353e-18, 4.41434832307170791151e-18, -4.65030536848935832153e-17,
    -3.20952592199342395980e-17, 2.96262899764595013876e-16, 3.30820231092092828324e-16,
    -1.88035477551078244854e-15, -3.81440307243700780478e-15, 1.04202769841288027642e-14,
    4.27244001671195135429e-14, -2.10154184277266431302e-14, -4.08355111109219731823e-13,
    -7.19855177624590851209e-13, 2.03562854414708950722e-12, 1.41258074366137813316e-11,
    3.25260358301548823856e-11, -1.89749581235054123450e-11, -5.58974346219658380687e-10,
    -3.83538038596423702205e-9, -2.63146884688951950684e-8, -2.51223623787020892529e-7,
    -3.88256480887769039346e-6, -1.10588938762623716291e-4, -9.76109749136146840777e-3,
    7.78576235018280120474e-1)


# ----------------------------------------------------------------------------- kernels
def _chbevl(y: np.ndarray, coefficients: tuple[float, ...]) -> np.ndarray:
    """sum_i c_i T_i(y / 2), by Clenshaw's recurrence (Cephes' ``chbevl``), in y's dtype."""
    b0, b1, b2 = np.full_like(y, coefficients[0]), np.zeros_like(y), np.zeros_like(y)
    for c in coefficients[1:]:
        b2, b1 = b1, b0
        b0 = y * b1 - b2 + c
    return 0.5 * (b0 - b2)


def _bessel(x: np.ndarray, order: int, scaled: bool) -> np.ndarray:
    """I_order(x), or e^-|x| I_order(x) when ``scaled`` (odd in x for order 1), with
    PyTorch's operations in its order."""
    coef_a: tuple[float, ...]
    coef_b: tuple[float, ...]
    if order == 0:
        coef_a, coef_b = _I0E_A, _I0E_B
    elif x.dtype == np.float32:
        coef_a, coef_b = _I1E_A[-17:], _I1E_B[-7:]
    else:
        coef_a, coef_b = _I1E_A, _I1E_B
    a = np.abs(x)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        near = _chbevl(a / 2 - 2, coef_a)  # |x| <= 8
        far = _chbevl(32 / a - 2, coef_b)  # |x| > 8
        if scaled:
            near = near * a if order else near
            far = far / np.sqrt(a)
        else:
            e = np.exp(a)
            near = e * a * near if order else e * near
            far = e * far / np.sqrt(a)
        out = np.where(a <= 8, near, far)
    return np.asarray(np.where(x < 0, -out, out) if order else out, dtype=x.dtype)


def i0(x: np.ndarray) -> np.ndarray:
    """I0(x), as ATen's ``calc_i0`` (16-bit floats in float32)."""
    return dual.in_float32(_bessel, x, 0, False)


def i0e(x: np.ndarray) -> np.ndarray:
    """e^-|x| I0(x), as ATen's ``calc_i0e``."""
    return dual.in_float32(_bessel, x, 0, True)


def i1(x: np.ndarray) -> np.ndarray:
    """I1(x), as ATen's ``calc_i1``."""
    return dual.in_float32(_bessel, x, 1, False)


def i1e(x: np.ndarray) -> np.ndarray:
    """e^-|x| I1(x), as ATen's ``calc_i1e``."""
    return dual.in_float32(_bessel, x, 1, True)


def _of(op: Any, kernel: Any, x: Any) -> Any:
    """``kernel(x)`` of an array, or the recorded ``op`` of a Tensor (create_graph)."""
    return kernel(x) if dual._is_array(x) else op.apply(x)


def _safe(x: Any, name: str) -> tuple[np.ndarray, Any]:
    """PyTorch's guard of d(i1)/dx at 0 (where i1(x)/x is 0/0): the mask |x| <= eps, and
    x with eps there. (PyTorch has no such backward for 16-bit floats.)"""
    data = dual._arr(x)
    if data.dtype in REDUCED:
        raise NotImplementedError(f'"{name}" not implemented for '
                                  f"'{scalar_type_name(data.dtype)}'")
    eps = np.asarray(finfo(dtypes.from_numpy(data.dtype)).eps, dtype=data.dtype)
    tiny = np.abs(data) <= eps
    return tiny, dual.where(tiny, dual.constant(eps, x), x)


# ----------------------------------------------------------------------------- Functions
class I0(_Op):
    """I0(x); d/dx = I1(x)."""

    _grad_fn_name = "I0Backward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return i0(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad * _of(SpecialI1, i1, x)


class SpecialI0E(_Op):
    """e^-|x| I0(x); d/dx = i1e(x) - sgn(x) i0e(x)."""

    _grad_fn_name = "SpecialI0EBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return i0e(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        sgn = dual.constant(dual.sign(dual._arr(x)).astype(dual._arr(x).dtype), x)
        return grad * (_of(SpecialI1E, i1e, x) - sgn * _of(SpecialI0E, i0e, x))


class SpecialI1(_Op):
    """I1(x); d/dx = I0(x) - I1(x) / x, and 1/2 where |x| <= eps (0/0 there)."""

    _grad_fn_name = "SpecialI1Backward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return i1(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        tiny, safe = _safe(x, "i1_backward")
        gradx = _of(I0, i0, safe) - _of(SpecialI1, i1, x) * (1 / safe)
        return grad * dual.where(tiny, 0.5, gradx)


class SpecialI1E(_Op):
    """e^-|x| I1(x); d/dx = i0e(x) - i1e(x) (sgn(x) + 1/x), and 1/2 where |x| <= eps."""

    _grad_fn_name = "SpecialI1EBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return i1e(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        tiny, safe = _safe(x, "i1e_backward")
        sgn = dual.constant(dual.sign(dual._arr(safe)).astype(dual._arr(x).dtype), x)
        gradx = _of(SpecialI0E, i0e, safe) - _of(SpecialI1E, i1e, x) * (sgn + 1 / safe)
        return grad * dual.where(tiny, 0.5, gradx)


# ----------------------------------------------------------------------------- methods
def _as_float(x: Any, name: str = "i0") -> Any:
    """``x`` (PyTorch's TypeError if it is no Tensor); integers and bools compute in the
    default float dtype, as PyTorch."""
    if not isinstance(x, TensorBase):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(x).__name__}")
    return x if x._data.dtype in FLOATING else x.to(dtypes.get_default_dtype())


class BesselMethods(TensorBase):
    """The Tensor's i0 and its in-place form (PyTorch's Tensor has no i0e, i1, i1e)."""

    __slots__ = ()

    def i0(self) -> Tensor:
        """I0(self) = sum_k ((self/2)^k / k!)^2, the modified Bessel function of the first
        kind of order 0 (even; grows as e^|x| / sqrt(2 pi |x|)).

        >>> tg.tensor([0.0, 1.0, -2.0]).i0()
        tensor([1.0000, 1.2661, 2.2796])
        """
        return I0.apply(_as_float(self))

    i0_ = _inplace_form(i0)


def special_i0e(input: Tensor) -> Tensor:
    """e^-|x| I0(x), the exponentially scaled modified Bessel function of order 0 (finite
    where I0 overflows).

    >>> tg.special.i0e(tg.tensor([0.0, 1.0, 100.0]))
    tensor([1.0000, 0.4658, 0.0399])
    """
    return SpecialI0E.apply(_as_float(input, "special_i0e"))


def special_i1(input: Tensor) -> Tensor:
    """I1(x) = (x/2) sum_k (x/2)^(2k) / (k! (k+1)!), the modified Bessel function of the
    first kind of order 1 (odd).

    >>> tg.special.i1(tg.tensor([0.0, 1.0, -2.0]))
    tensor([ 0.0000,  0.5652, -1.5906])
    """
    return SpecialI1.apply(_as_float(input, "special_i1"))


def special_i1e(input: Tensor) -> Tensor:
    """e^-|x| I1(x), the exponentially scaled modified Bessel function of order 1.

    >>> tg.special.i1e(tg.tensor([0.0, 1.0, -100.0]))
    tensor([ 0.0000,  0.2079, -0.0397])
    """
    return SpecialI1E.apply(_as_float(input, "special_i1e"))
