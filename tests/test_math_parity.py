"""The elementwise math of ``special.py``, ``binary_math.py``, ``gamma.py`` and ``bessel.py``
(and ``fmod``/``remainder``, and ``renorm``) against PyTorch, beyond the op table (tests/test_ops.py): every input dtype (bool, ints,
float16/32/64) and Python numbers on either side, for the result's dtype and values, and
PyTorch's errors (class and message) where it refuses a dtype or an operand."""

from __future__ import annotations

import operator
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg

torch = pytest.importorskip("torch")

UNARY = ("tan asin acos atan sinh cosh asinh acosh atanh erf erfc erfinv exp2 expm1 log2 "
         "log10 sinc nan_to_num arcsin arccos arctan arcsinh arccosh arctanh").split()
BINARY = "atan2 arctan2 hypot logaddexp logaddexp2 xlogy copysign fmod remainder".split()
VALUES = {"bool": [True, False, True], "uint8": [3, 7, 0], "int8": [3, -7, 0],
          "int16": [3, -7, 1], "int32": [3, -7, 4], "int64": [3, -7, 0],
          "float16": [0.5, -0.25, 0.0], "float32": [0.5, -2.5, 0.0],
          "float64": [1.5, -0.75, -0.0]}
OTHER = {"bool": [True, True, False], "uint8": [2, 3, 5], "int8": [2, 3, -2],
         "int16": [2, 3, 5], "int32": [2, 3, -2], "int64": [2, -3, 5],
         "float16": [0.75, 2.0, -1.0], "float32": [0.7, 2.0, -1.0],
         "float64": [0.7, -2.0, 2.0]}


def _run(L: Any, fn: Any) -> Any:
    try:
        return fn(L)
    except Exception as e:  # noqa: BLE001  (the error is what is compared)
        return e


def _same(mine: Any, theirs: Any) -> None:
    """Same error class and message, or same dtype, shape and values (NaN and -0.0 kept)."""
    if isinstance(theirs, Exception):
        assert isinstance(mine, Exception), f"torch raises {theirs!r}, we return {mine!r}"
        assert type(mine) is type(theirs), (mine, theirs)
        assert str(mine).startswith(str(theirs).split("\n")[0].rstrip(".")), (mine, theirs)
        return
    assert not isinstance(mine, Exception), f"we raise {mine!r}, torch returns {theirs!r}"
    assert str(mine.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    rtol = 1e-3 if theirs.dtype == torch.float16 else 1e-6
    np.testing.assert_allclose(mine.numpy().astype(float), theirs.numpy().astype(float),
                               rtol=rtol, atol=1e-30)


@pytest.mark.parametrize("dtype", list(VALUES))
@pytest.mark.parametrize("name", UNARY)
def test_unary_dtypes_like_torch(name: str, dtype: str) -> None:
    """ints and bools compute in float32; floats keep their dtype; in place, a float
    result into an int tensor raises."""
    def make(L: Any) -> Any:
        return L.tensor(VALUES[dtype], dtype=getattr(L, dtype))

    _same(_run(tg, lambda L: getattr(make(L), name)()),
          _run(torch, lambda L: getattr(make(L), name)()))
    _same(_run(tg, lambda L: getattr(L, name)(make(L))),
          _run(torch, lambda L: getattr(L, name)(make(L))))
    _same(_run(tg, lambda L: getattr(make(L), name + "_")()),
          _run(torch, lambda L: getattr(make(L), name + "_")()))


@pytest.mark.parametrize("other", list(OTHER))
@pytest.mark.parametrize("dtype", list(VALUES))
@pytest.mark.parametrize("name", BINARY)
def test_binary_promotion_like_torch(name: str, dtype: str, other: str) -> None:
    """Two tensors of any two dtypes: the result dtype, or the error, as PyTorch's."""
    def call(L: Any) -> Any:
        return getattr(L, name)(L.tensor(VALUES[dtype], dtype=getattr(L, dtype)),
                                L.tensor(OTHER[other], dtype=getattr(L, other)))

    _same(_run(tg, call), _run(torch, call))


@pytest.mark.parametrize("number", [2, 2.5, True, -3])
@pytest.mark.parametrize("dtype", list(VALUES))
@pytest.mark.parametrize("name", BINARY)
def test_binary_with_a_number_like_torch(name: str, dtype: str, number: Any) -> None:
    """A Python number as ``other`` (the Tensor-only ops raise TypeError), and as
    ``input`` of the function where PyTorch takes one (xlogy, remainder)."""
    def make(L: Any) -> Any:
        return L.tensor(VALUES[dtype], dtype=getattr(L, dtype))

    _same(_run(tg, lambda L: getattr(make(L), name)(number)),
          _run(torch, lambda L: getattr(make(L), name)(number)))
    if name in ("xlogy", "remainder"):
        _same(_run(tg, lambda L: getattr(L, name)(number, make(L))),
              _run(torch, lambda L: getattr(L, name)(number, make(L))))


@pytest.mark.parametrize("name", ["atan2", "hypot", "xlogy", "copysign", "fmod"])
def test_binary_inplace_like_torch(name: str) -> None:
    """In place: float into float, and a float result into an int tensor raises."""
    for dtype in ("float32", "int64"):
        def call(L: Any) -> Any:
            x = L.tensor(VALUES[dtype], dtype=getattr(L, dtype))
            return getattr(x, name + "_")(L.tensor(OTHER[dtype], dtype=getattr(L, dtype)))

        _same(_run(tg, call), _run(torch, call))


def test_int_fmod_by_zero_raises() -> None:
    """Integer fmod by 0 raises, as PyTorch (numpy would give 0)."""
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        tg.tensor([3, 4]).fmod(tg.tensor([0, 1]))


def test_erfinv_to_the_last_bits() -> None:
    """erfinv, inverted to within a few ulp of PyTorch's (MKL's), in the tails too."""
    rng = np.random.default_rng(0)
    y = np.concatenate([rng.uniform(-1, 1, 2000), 1 - 10.0 ** -rng.uniform(1, 15.9, 300),
                        [0.0, -0.0, 1.0, -1.0, 1.5, np.nan, np.nextafter(1.0, 0.0)]])
    for dtype, ulps in ((np.float64, 8), (np.float32, 1)):
        v = y.astype(dtype)
        mine, theirs = tg.tensor(v).erfinv().numpy(), torch.tensor(v).erfinv().numpy()
        np.testing.assert_array_equal(np.isfinite(mine), np.isfinite(theirs))
        ok = np.isfinite(theirs)
        number = ~np.isnan(theirs)  # (torch's NaN outside [-1, 1] is -nan: no matter)
        np.testing.assert_array_equal(np.signbit(mine[number]), np.signbit(theirs[number]))
        error = np.abs(mine[ok] - theirs[ok]) / np.spacing(np.abs(theirs[ok]))
        assert error.max() <= ulps, (dtype, error.max())


# ============================================================================ bitwise
INTS = ("bool", "uint8", "int8", "int16", "int32", "int64")
BITS = {"bool": [True, False, True], "uint8": [3, 200, 0], "int8": [3, -8, 127],
        "int16": [3, -8, 300], "int32": [3, -8, 70000], "int64": [3, -8, 2**40]}
SHIFTS = {"bool": [True, False, True], "uint8": [1, 7, 9], "int8": [1, -1, 7],
          "int16": [0, 15, 16], "int32": [1, 31, 33], "int64": [2, 63, 64]}
OPERATORS = {
    "and": lambda x, y: x & y, "or": lambda x, y: x | y, "xor": lambda x, y: x ^ y,
    "lshift": lambda x, y: x << y, "rshift": lambda x, y: x >> y,
    "bitwise_and": lambda x, y: x.bitwise_and(y), "bitwise_left_shift":
        lambda x, y: x.bitwise_left_shift(y), "bitwise_right_shift":
        lambda x, y: x.bitwise_right_shift(y),
}


@pytest.mark.parametrize("other", [*INTS, "float32", 2, -1, 70, True, 1.5])
@pytest.mark.parametrize("dtype", [*INTS, "float32"])
@pytest.mark.parametrize("op", list(OPERATORS))
def test_bitwise_like_torch(op: str, dtype: str, other: Any) -> None:
    """& | ^ << >> and their methods over bool and every integer dtype, with tensors of
    each dtype and Python numbers: PyTorch's promoted dtype and values (shifts past the
    bit width included), and its NotImplementedError for floats (and bool shifts)."""
    def call(L: Any) -> Any:
        x = L.tensor(BITS.get(dtype, [1.5, 2.0, 0.0]), dtype=getattr(L, dtype))
        y = other if not isinstance(other, str) else \
            L.tensor(SHIFTS.get(other, [1.0, 2.0, 3.0]), dtype=getattr(L, other))
        return OPERATORS[op](x, y)

    _same(_run(tg, call), _run(torch, call))


@pytest.mark.parametrize("op", ["lshift", "rshift", "and", "xor"])
@pytest.mark.parametrize("dtype", INTS)
def test_bitwise_reflected_and_in_place_like_torch(op: str, dtype: str) -> None:
    """``number << tensor`` (reflected) and ``x <<= y`` (in place: the result must cast to
    x's dtype), as PyTorch."""
    def reflected(L: Any) -> Any:
        return getattr(operator, op + "_")(5, L.tensor(SHIFTS[dtype], dtype=getattr(L, dtype))) \
            if op in ("and", "xor") else \
            getattr(operator, op)(5, L.tensor(SHIFTS[dtype], dtype=getattr(L, dtype)))

    def in_place(L: Any) -> Any:
        x = L.tensor(BITS[dtype], dtype=getattr(L, dtype))
        return getattr(operator, "i" + op)(x, L.tensor(SHIFTS["int8"], dtype=L.int8))

    _same(_run(tg, reflected), _run(torch, reflected))
    _same(_run(tg, in_place), _run(torch, in_place))


@pytest.mark.parametrize("dtype", [*INTS, "float32"])
def test_bitwise_not_and_functions_like_torch(dtype: str) -> None:
    """~x and the tg.bitwise_* functions (floats raise)."""
    def make(L: Any) -> Any:
        return L.tensor(BITS.get(dtype, [1.5, 2.0, 0.0]), dtype=getattr(L, dtype))

    for fn in (lambda L: ~make(L), lambda L: L.bitwise_not(make(L)),
               lambda L: L.bitwise_left_shift(make(L), 3),
               lambda L: L.bitwise_right_shift(make(L), make(L)),
               lambda L: L.bitwise_xor(make(L), make(L))):
        _same(_run(tg, fn), _run(torch, fn))


@pytest.mark.parametrize("method", ["byte", "char", "short", "int", "long"])
def test_integer_conversions_like_torch(method: str) -> None:
    """.byte() .char() .short(): uint8, int8, int16 (floats truncated toward zero)."""
    def call(L: Any) -> Any:
        return getattr(L.tensor([1.7, -2.7, 100.0]), method)()

    _same(_run(tg, call), _run(torch, call))


GAMMA_POINTS = [0.0, -0.0, -1.0, -2.0, 1.0, 2.0, 10.0, 0.5, -0.5, -2.75, 1e-8, 1e-300, 1e17,
                1e20, 30.7, -20.3, float("inf"), float("-inf"), float("nan")]


@pytest.mark.parametrize("name", ["lgamma", "digamma", "polygamma1", "polygamma2",
                                  "polygamma5"])
def test_gamma_family_to_a_few_ulps(name: str) -> None:
    """lgamma, digamma and polygamma at their poles, signed zeros, infinities and across a
    wide range, within a few float64 ulps of PyTorch's (its own kernels: the same algorithm)."""
    x = np.concatenate([np.linspace(-20.3, 30.7, 2001), GAMMA_POINTS])

    def run(lib: Any) -> np.ndarray:
        t = lib.tensor(x, dtype=lib.float64)
        if name.startswith("polygamma"):
            return lib.polygamma(int(name[-1]), t).numpy()
        return getattr(t, name)().numpy()

    mine, theirs = run(tg), run(torch)
    assert np.array_equal(np.isnan(mine), np.isnan(theirs))
    finite = np.isfinite(theirs)
    assert np.array_equal(mine[~finite & ~np.isnan(theirs)], theirs[~finite & ~np.isnan(theirs)])
    np.testing.assert_array_max_ulp(mine[finite], theirs[finite], maxulp=32)


@pytest.mark.parametrize("dtype", list(VALUES))
def test_gamma_family_and_logit_dtypes_like_torch(dtype: str) -> None:
    """Integers and bools compute in the default float dtype; float16 stays float16."""
    for fn in (lambda m, t: t.lgamma(), lambda m, t: m.digamma(t), lambda m, t: t.logit(),
               lambda m, t: t.logit(0.25), lambda m, t: m.polygamma(2, t)):
        out = [fn(m, m.tensor(VALUES[dtype], dtype=getattr(m, dtype))) for m in (tg, torch)]
        assert str(out[0].dtype).split(".")[-1] == str(out[1].dtype).split(".")[-1]
        np.testing.assert_allclose(out[0].double().numpy(), out[1].double().numpy(),
                                   rtol=2e-3 if dtype == "float16" else 1e-5)


def test_polygamma_errors_like_torch() -> None:
    for m in (tg, torch):
        with pytest.raises(RuntimeError, match="polygamma\\(n, x\\) does not support negative n"):
            m.polygamma(-1, m.ones(2))


# ---- number math (ops/number_math.py): deg2rad, rad2deg, frexp, ldexp, float_power,
# heaviside, gcd, lcm, nextafter -- dtypes, in-place forms, errors; the differentiable
# ones are rows of the op table too
NUMBER_BINARY = "ldexp float_power heaviside gcd lcm nextafter".split()


@pytest.mark.parametrize("dtype", list(VALUES))
@pytest.mark.parametrize("name", ["deg2rad", "rad2deg"])
def test_angle_units_dtypes_like_torch(name: str, dtype: str) -> None:
    def make(L: Any) -> Any:
        return L.tensor(VALUES[dtype], dtype=getattr(L, dtype))

    for call in (lambda L: getattr(make(L), name)(), lambda L: getattr(L, name)(make(L)),
                 lambda L: getattr(make(L), name + "_")(),
                 lambda L: getattr(L, name + "_")(make(L))):
        _same(_run(tg, call), _run(torch, call))


@pytest.mark.parametrize("dtype", list(VALUES))
def test_frexp_like_torch(dtype: str) -> None:
    """(mantissa, exponent int32); 0, inf, NaN and subnormals as PyTorch; floats only."""
    values = VALUES[dtype] + ([float("inf"), float("nan"), 1e-40] if dtype == "float32" else [])

    def call(L: Any) -> Any:
        return L.frexp(L.tensor(values, dtype=getattr(L, dtype)))

    mine, theirs = _run(tg, call), _run(torch, call)
    if isinstance(theirs, Exception):
        return _same(mine, theirs)
    _same(mine.mantissa, theirs.mantissa)
    _same(mine.exponent, theirs.exponent)
    assert repr(mine).startswith("tinygrad_edu.return_types.frexp(\nmantissa=")


@pytest.mark.parametrize("other", list(OTHER))
@pytest.mark.parametrize("dtype", list(VALUES))
@pytest.mark.parametrize("name", NUMBER_BINARY)
def test_number_math_dtypes_like_torch(name: str, dtype: str, other: str) -> None:
    """Two tensors of any two dtypes: the result dtype and values, or the error; and the
    in-place form (its cast check first, as PyTorch)."""
    def call(L: Any, suffix: str = "") -> Any:
        x = L.tensor(VALUES[dtype], dtype=getattr(L, dtype))
        return getattr(x, name + suffix)(L.tensor(OTHER[other], dtype=getattr(L, other)))

    if name == "ldexp" and other == "float16" and dtype in ("float32", "float64"):
        # PyTorch rounds 2 ** other to float16 before the product: not emulated (ours
        # rounds once, in the result's dtype)
        return
    _same(_run(tg, call), _run(torch, call))
    _same(_run(tg, lambda L: call(L, "_")), _run(torch, lambda L: call(L, "_")))


@pytest.mark.parametrize("name", NUMBER_BINARY)
def test_number_math_with_a_number_like_torch(name: str) -> None:
    """float_power takes a number exponent; the others want a Tensor (TypeError)."""
    def call(L: Any) -> Any:
        return getattr(L.tensor([1.5, -2.0]), name)(2)

    _same(_run(tg, call), _run(torch, call))


def test_heaviside_has_no_derivative_like_torch() -> None:
    """Recorded as PyTorch's NotImplemented node; backward through it raises."""
    for L in (tg, torch):
        x = L.tensor([-1.0, 0.0, 2.0], requires_grad=True)
        y = L.heaviside(x, L.tensor([0.5]))
        assert y.grad_fn.name() == "torch::autograd::NotImplemented"
        with pytest.raises(RuntimeError, match="derivative for aten::heaviside is not "
                                               "implemented"):
            y.sum().backward()


def test_nextafter_gradient_is_zero_where_no_step_like_torch() -> None:
    grads = []
    for L in (tg, torch):
        x = L.tensor([1.5, 0.0, 0.7], dtype=L.float64, requires_grad=True)
        y = L.tensor([0.0, 0.0, 0.7], dtype=L.float64, requires_grad=True)
        L.nextafter(x, y).backward(L.tensor([1.0, 2.0, 3.0], dtype=L.float64))
        grads.append((x.grad.tolist(), y.grad.tolist()))
    assert grads[0] == grads[1]


def test_gcd_lcm_of_negatives_and_zeros_like_torch() -> None:
    a, b = [-4, 6, 0, 0, 9], [6, -4, 3, 0, -6]
    for name in ("gcd", "lcm"):
        mine = getattr(tg, name)(tg.tensor(a), tg.tensor(b)).tolist()
        assert mine == getattr(torch, name)(torch.tensor(a), torch.tensor(b)).tolist()


# ---- the modified Bessel functions (ops/bessel.py), mvlgamma (ops/gamma.py), renorm
BESSEL = ["i0", "i0e", "i1", "i1e"]
BESSEL_POINTS = [0.0, -0.0, 1e-300, 1e-8, 7.99, 8.0, 8.01, -8.0, 700.0, 709.0, 710.0,
                 -710.0, float("inf"), float("-inf"), float("nan")]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", BESSEL)
def test_bessel_to_a_few_ulps(name: str, dtype: str) -> None:
    """tg.special.i0/i0e/i1/i1e over a wide range (both series, negative x, overflow, inf,
    NaN) within a few ulps of PyTorch's (its own Cephes kernels: the same algorithm; its
    compiler fuses the Clenshaw steps' multiply-adds, which numpy cannot: up to ~10 ulps
    apart near |x| = 8, where the recurrence amplifies rounding)."""
    x = np.concatenate([np.linspace(-90.3, 90.7, 3001), BESSEL_POINTS])

    def run(lib: Any) -> np.ndarray:
        return getattr(lib.special, name)(lib.tensor(x, dtype=getattr(lib, dtype))).numpy()

    mine, theirs = run(tg), run(torch)
    assert np.array_equal(np.isnan(mine), np.isnan(theirs))
    assert np.array_equal(np.isinf(mine), np.isinf(theirs))
    finite = np.isfinite(theirs)
    np.testing.assert_array_max_ulp(mine[finite], theirs[finite],
                                    maxulp=16)


@pytest.mark.parametrize("dtype", list(VALUES))
@pytest.mark.parametrize("name", BESSEL + ["mvlgamma"])
def test_bessel_and_mvlgamma_dtypes_like_torch(name: str, dtype: str) -> None:
    """Integers compute in the default float dtype, floats keep theirs; tg.i0 and
    Tensor.i0 (and i0_), tg.mvlgamma and Tensor.mvlgamma (and mvlgamma_, bool refused)."""
    values = [3, 4, 5] if name == "mvlgamma" else VALUES[dtype]

    def make(L: Any) -> Any:
        return L.tensor(values, dtype=getattr(L, dtype))

    calls = [lambda L: getattr(L.special, name)(make(L))]
    if name == "i0":
        calls += [lambda L: L.i0(make(L)), lambda L: make(L).i0(), lambda L: make(L).i0_()]
    if name == "mvlgamma":
        calls = [lambda L: L.mvlgamma(make(L), 2), lambda L: make(L).mvlgamma(3),
                 lambda L: L.special.multigammaln(make(L), 1)]
        if dtype in ("float16", "float32", "float64"):  # (ints: PyTorch's odd words)
            calls.append(lambda L: make(L).mvlgamma_(2))
    for call in calls:
        _same(_run(tg, call), _run(torch, call))


def test_mvlgamma_values_and_errors_like_torch() -> None:
    """No domain check (PyTorch gives lgamma's values: inf at its poles); p must be an int
    >= 1."""
    x = [0.5, 0.3, 1.0, 2.5, 10.0, -3.0, -2.5]
    for p in (1, 2, 3, 5):
        _same(tg.mvlgamma(tg.tensor(x, dtype=tg.float64), p),
              torch.mvlgamma(torch.tensor(x, dtype=torch.float64), p))
    for call in (lambda L: L.mvlgamma(L.ones(2), 0), lambda L: L.ones(2).mvlgamma(-1),
                 lambda L: L.ones(2).mvlgamma(2.0)):
        _same(_run(tg, call), _run(torch, call))


def test_special_functions_refuse_a_list() -> None:
    for name in BESSEL + ["multigammaln"]:
        args = (3,) if name == "multigammaln" else ()
        _same(_run(tg, lambda L: getattr(L.special, name)([1.0], *args)),
              _run(torch, lambda L: getattr(L.special, name)([1.0], *args)))


RENORM = [(2, 0, 1.0), (1, 1, 0.5), (3, -1, 2.0), (float("inf"), 0, 0.7), (0.5, 1, 3.0),
          (2, 0, 0)]


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("args", RENORM)
def test_renorm_like_torch(args: tuple[Any, ...], dtype: str) -> None:
    """tg.renorm, Tensor.renorm and renorm_ (in place), 3-d too; a slice of zeros and
    one exactly at maxnorm unchanged."""
    data = np.array([[3.0, 4.0, 0.0], [0.0, 0.0, 0.0], [0.6, 0.8, 0.0], [-1.0, 2.0, -2.0]])

    def make(L: Any) -> Any:
        return L.tensor(data, dtype=getattr(L, dtype))

    for call in (lambda L: L.renorm(make(L), *args), lambda L: make(L).renorm(*args),
                 lambda L: make(L).renorm_(*args),
                 lambda L: make(L).reshape(2, 2, 3).renorm(*args)):
        _same(_run(tg, call), _run(torch, call))


@pytest.mark.parametrize("call", [
    lambda L, x: x.renorm(0, 0, 1.0), lambda L, x: x.renorm(-1, 0, 1.0),
    lambda L, x: x.renorm(2, 0, -1.5), lambda L, x: x.renorm(2, 2, 1.0),
    lambda L, x: x.renorm(2, 0.0, 1.0), lambda L, x: x.renorm(1j, 0, 1.0),
    lambda L, x: x.renorm(2, 0, 1j), lambda L, x: x[0].renorm(2, 0, 1.0),
    lambda L, x: x.sum().renorm(2, 0, 1.0), lambda L, x: x.long().renorm(2, 0, 1.0),
    lambda L, x: x.long().renorm_(2, 0, 1.0), lambda L, x: x[:0].renorm(2, 1, 1.0),
    lambda L, x: L.renorm(x, 2, 0, 1, out=L.empty(0, dtype=L.int64)),
])
def test_renorm_errors_like_torch(call: Any) -> None:
    _same(_run(tg, lambda L: call(L, L.ones(3, 4))), _run(torch, lambda L: call(L, L.ones(3, 4))))


@pytest.mark.parametrize("dtype", ["float16", "float32"])
@pytest.mark.parametrize("name", BESSEL)
def test_bessel_16_bit_gradients_like_torch(name: str, dtype: str) -> None:
    """i0 and i0e differentiate in float16; PyTorch has no i1/i1e backward there (the
    error, raised by backward); at 0, d i1/dx and d i1e/dx are 1/2."""
    def call(L: Any) -> Any:
        x = L.tensor([0.0, 0.5, -2.0, 9.0], dtype=getattr(L, dtype), requires_grad=True)
        getattr(L.special, name)(x).sum().backward()
        return x.grad

    _same(_run(tg, call), _run(torch, call))
