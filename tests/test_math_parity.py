"""The elementwise math of ``special.py`` and ``binary_math.py`` (and ``fmod``/``remainder``)
against PyTorch, beyond the op table (tests/test_ops.py): every input dtype (bool, ints,
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
