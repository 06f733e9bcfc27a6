"""Uniform and normal numbers as PyTorch's CPU kernels make them from the mt19937 stream
(see ``rng_state`` for how the stream is read), and the order in which torch fills a
tensor."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import math
import operator
import os
import platform
import subprocess
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import DTypeLike

from ..dtypes import FLOATING, REDUCED
from .errors import not_implemented
from .fma import fma, fma32, fma64
from .names import CPP_TYPE_NAMES, scalar_type_name
from .rng_state import _U64, Generator, default_generator

ShapeLike = int | Sequence[int]
_CHUNK = 2**16  # elements per slice in _by_chunks (a multiple of 16)


# ---------------------------------------------------------------------------------------------
# Helpers for the distributions
# ---------------------------------------------------------------------------------------------


def _gen(generator: Generator | None) -> Generator:
    if generator is None:
        return default_generator
    if not isinstance(generator, Generator):
        raise TypeError(
            f"generator must be a tinygrad_edu Generator, got {type(generator).__name__}"
        )
    return generator


def _shape(shape: ShapeLike) -> tuple[int, ...]:
    dims = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    dims = tuple(operator.index(d) for d in dims)
    if any(d < 0 for d in dims):
        raise RuntimeError(
            f"Trying to create tensor with negative dimension {min(dims)}: {list(dims)}"
        )
    return dims


def _float_dtype(dtype: DTypeLike, kernel: str) -> np.dtype:
    """``dtype`` if it is a float dtype; else torch's NotImplementedError for ``kernel``."""
    dt = np.dtype(dtype)
    if dt not in FLOATING:
        raise not_implemented(kernel, dt)  # ('"normal_kernel_cpu" not implemented for 'Long'')
    return dt


def _by_chunks(fn: Any, x: np.ndarray, *args: Any) -> np.ndarray:
    """``fn(x, *args)`` on slices of the 1-d ``x`` that fit in cache, for elementwise ``fn``.

    The emulated float math makes many temporaries; big ones cost more in page faults and
    cache misses than the arithmetic itself (5x slower for a million elements).
    """
    if x.size <= _CHUNK:
        return fn(x, *args)
    out = np.empty(x.size, x.dtype)
    for start in range(0, x.size, _CHUNK):
        out[start : start + _CHUNK] = fn(x[start : start + _CHUNK], *args)
    return out


def _uniform01(gen: Generator, n: int, dtype: np.dtype) -> np.ndarray:
    """``n`` uniforms in [0, 1): 24 random bits for float32, 53 for float64 (always exact)."""
    if dtype == np.float32:
        bits = gen._random(n) & _U64(2**24 - 1)
        return bits.astype(np.float32) * np.float32(2.0**-24)
    bits = gen._random64(n) & _U64(2**53 - 1)
    return bits.astype(np.float64) * 2.0**-53


#: torch's names of the dtypes: ScalarType (in "not implemented for 'Long'") and the C++
#: type (in "out of bounds for long int"), as its error messages spell them.
_DIGITS = {np.dtype(np.float16): 11, np.dtype(np.float32): 24, np.dtype(np.float64): 53}


def _num(x: float) -> str:
    """A double as C++'s ``ostream`` prints it in torch's messages (``%g``: 0, -1, 1.5, nan)."""
    return f"{x:g}"


def _from_double(x: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """``static_cast<scalar_t>(double)`` as torch's CPU kernels (GCC, x86-64) compute it.

    float16 goes through float32 (``c10::Half`` is built from a float: two roundings, not
    numpy's one). Integers are truncated with a 32-bit conversion (64-bit for int64) and then
    wrapped to the narrower type; out of range (or nan) the conversion gives the "integer
    indefinite" value, INT32_MIN (INT64_MIN), whose low bits are 0.
    """
    if dtype in FLOATING:
        with np.errstate(over="ignore"):  # too large: inf, as in C
            return x.astype(np.float32).astype(dtype) if dtype in REDUCED else x.astype(dtype)
    if dtype == np.bool_:
        return x != 0
    wide, bound = (np.int64, 2.0**63) if dtype == np.int64 else (np.int32, 2.0**31)
    fits = (x > -bound - 1) & (x < bound)  # (the comparisons are false for nan)
    truncated = np.where(fits, np.trunc(np.where(fits, x, 0.0)), -bound).astype(wide)
    return truncated.astype(dtype)


def _from_int64(x: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """``static_cast<scalar_t>(int64_t)``: wraps for integers; float16 through float32."""
    if dtype in REDUCED:
        with np.errstate(over="ignore"):
            return x.astype(np.float32).astype(dtype)
    return x.astype(dtype)


# ---------------------------------------------------------------------------------------------
# The order in which torch fills a tensor
# ---------------------------------------------------------------------------------------------
# torch's CPU kernels draw one number per element, in the order its TensorIterator visits the
# elements: memory order (dimensions sorted by stride, the largest outermost), which for a
# transposed or sliced view is not the row-major order of its shape. ``empty_like`` keeps the
# same order. The distributions below return values in draw order (as a row-major array of the
# shape); ``arrange`` puts them where torch would, and ``draw_order`` reads an input that way.


def _memory_axes(like: np.ndarray) -> list[int]:
    """The axes of ``like`` from the outermost to the innermost in memory."""
    if like.flags.c_contiguous:
        return list(range(like.ndim))
    return sorted(range(like.ndim), key=lambda axis: -abs(like.strides[axis]))


def arrange(values: np.ndarray, like: np.ndarray) -> np.ndarray:
    """``values`` (in draw order) as an array of ``like``'s shape, each where torch writes it.

    Example:
        >>> arrange(np.arange(6), np.zeros((3, 2)).T)   # a transposed view: filled by columns
        array([[0, 2, 4],
               [1, 3, 5]])
    """
    axes = _memory_axes(like)
    if axes == list(range(like.ndim)):
        return values.reshape(like.shape)
    drawn = values.reshape([like.shape[axis] for axis in axes])
    return drawn.transpose(np.argsort(axes))


def draw_order(x: np.ndarray, like: np.ndarray) -> np.ndarray:
    """``x`` broadcast to ``like``'s shape, flattened in the order torch visits ``like``."""
    full = np.broadcast_to(x, like.shape)
    return full.transpose(_memory_axes(like)).ravel()


# ---------------------------------------------------------------------------------------------
# Uniform
# ---------------------------------------------------------------------------------------------


def uniform(
    shape: ShapeLike,
    low: float = 0.0,
    high: float = 1.0,
    dtype: DTypeLike = np.float32,
    generator: Generator | None = None,
) -> np.ndarray:
    """Samples of U[low, high): ``torch.empty(shape, dtype=dtype).uniform_(low, high)``.

    Each element takes one 32-bit draw (float32) or two (float64):
    ``x = bits * 2**-24`` (or ``2**-53``), then ``fma(x, high - low, low)`` in ``dtype``; a value
    that rounds up to ``high`` is replaced by ``low``. float16 runs the float32 computation and
    rounds its result (then a value equal to ``high`` becomes ``low``). This is what
    ``nn.Linear`` uses to initialise its weights (``kaiming_uniform_``) and bias.

    Example:
        >>> _ = manual_seed(0); uniform((2,), -1.0, 1.0)
        array([-0.00748682,  0.5364436 ], dtype=float32)
    """
    gen, dt = _gen(generator), _float_dtype(dtype, "check_uniform_bounds")
    largest = float(np.finfo(dt).max)
    for value, what in ((low, "from"), (high, "to")):
        if not -largest <= value <= largest:
            raise RuntimeError(f"{what} is out of bounds for {CPP_TYPE_NAMES[dt.name]}")
    if not low <= high:
        raise RuntimeError(
            "uniform_ expects to return a [from, to) range, but found "
            f"from={_num(low)} > to={_num(high)}"
        )
    if not high - low <= largest:
        raise RuntimeError(
            f"uniform_ expects to-from <= std::numeric_limits<{scalar_type_name(dt)}>::max(), but "
            f"found to={_num(high)} and from={_num(low)} which result in to-from to exceed the "
            "limit"
        )
    dims = _shape(shape)
    calc = np.dtype(np.float32) if dt in REDUCED else dt
    lo, hi = calc.type(low), calc.type(high)
    x = _uniform01(gen, math.prod(dims), calc)
    if lo == 0 and hi == 1 and dt == calc:
        return x.reshape(dims)  # fma(x, 1, 0) == x < 1
    out = x if lo == 0 and hi == 1 else _by_chunks(fma, x, hi - lo, lo)  # width rounded first
    if dt != calc:
        out, lo, hi = out.astype(dt), dt.type(lo), dt.type(hi)
    out[out == hi] = lo
    return out.reshape(dims)


def rrelu_slopes(
    n: int, lower: float, upper: float, dtype: DTypeLike, generator: Generator | None = None
) -> np.ndarray:
    """``n`` negative slopes of ``F.rrelu`` in training, as PyTorch's CPU loop draws them:
    one ``uniform_real_distribution<double>(lower, upper)`` per element x <= 0, in order:
    53 random bits u * 2**-53, then ``u * (upper - lower) + lower`` in double, rounded twice
    (no fma in that kernel), with the bounds first rounded to ``dtype`` (float32 for
    float32 inputs); the slope is then rounded to ``dtype``.

    Example:
        >>> _ = manual_seed(0); rrelu_slopes(2, 0.125, 1 / 3, np.float64)
        array([0.32709438, 0.27246247])
    """
    dt = np.dtype(dtype)
    low, high = (float(np.asanyarray(bound, dt)) for bound in (lower, upper))
    u = _uniform01(_gen(generator), n, np.dtype(np.float64))
    return (u * (high - low) + low).astype(dt)


def rand(
    shape: ShapeLike, dtype: DTypeLike = np.float32, generator: Generator | None = None
) -> np.ndarray:
    """Samples of U[0, 1): ``torch.rand(shape, dtype=dtype)``.

    Example:
        >>> _ = manual_seed(0); rand(3)
        array([0.4962566 , 0.7682218 , 0.08847743], dtype=float32)
    """
    return uniform(shape, 0.0, 1.0, dtype, generator)


# ---------------------------------------------------------------------------------------------
# Normal
# ---------------------------------------------------------------------------------------------


def normal(
    shape: ShapeLike,
    mean: float = 0.0,
    std: float = 1.0,
    dtype: DTypeLike = np.float32,
    generator: Generator | None = None,
    contiguous: bool = True,
) -> np.ndarray:
    """Samples of N(mean, std**2): ``torch.empty(shape).normal_(mean, std)``.

    Also ``torch.normal(mean, std, size)`` for float ``mean`` and ``std``. Like torch, it
    takes one of two paths:

    * numel >= 16: draw a uniform per element, then Box-Muller on blocks of 16 (the first 8
      give ``u1``, the next 8 ``u2``); if numel is not a multiple of 16, the last 16 elements
      are drawn again and transformed again. float32 follows ``FLOAT32_NORMAL_KERNEL``.
    * numel < 16, or a tensor that is not ``contiguous`` (``normal_`` on a transposed view):
      one Box-Muller pair in float64 per two elements, ``r * cos`` returned and ``r * sin``
      cached in the generator for the next element, even across calls.

    float16 computes in float32 and rounds; its first path draws uniforms only for the
    complete blocks of 16 before redrawing the last 16.

    Example:
        >>> _ = manual_seed(0); normal(3)
        array([ 1.5409961, -0.2934289, -2.1787894], dtype=float32)
    """
    gen = _gen(generator)
    if not std >= 0.0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_num(std)}")
    dims = _shape(shape)
    n = math.prod(dims)
    if n == 0:
        return np.empty(dims, dtype)
    dt = _float_dtype(dtype, "normal_kernel_cpu")
    if n >= 16 and contiguous:
        out = _normal_fill(gen, n, dt, mean, std)
    else:
        out = _from_double(_normal_small(gen, n, mean, std), dt)
    return out.reshape(dims)


def randn(
    shape: ShapeLike, dtype: DTypeLike = np.float32, generator: Generator | None = None
) -> np.ndarray:
    """Samples of N(0, 1): ``torch.randn(shape, dtype=dtype)``.

    Example:
        >>> _ = manual_seed(0); randn((2, 2))
        array([[ 1.5409961 , -0.2934289 ],
               [-2.1787894 ,  0.56843126]], dtype=float32)
    """
    return normal(shape, 0.0, 1.0, dtype, generator)


def normal_tensor(
    mean: np.ndarray | float, std: np.ndarray | float, generator: Generator | None = None
) -> np.ndarray:
    """``torch.normal(mean, std)`` when ``mean`` and/or ``std`` is an array (a tensor).

    torch draws standard normals of the broadcast shape, in the dtype of ``mean`` if it is a
    tensor (else of ``std``), then applies two separate ops, ``out.mul_(std).add_(mean)``, each
    rounded on its own. With a float ``std`` it draws ``normal_(0, std)`` and adds ``mean``.

    Example:
        >>> _ = manual_seed(0)
        >>> normal_tensor(np.zeros(2, np.float32), np.ones(2, np.float32))
        array([ 1.5409961, -0.2934289], dtype=float32)
    """
    if not isinstance(std, np.ndarray):  # normal(Tensor mean, float std)
        if not isinstance(mean, np.ndarray):
            raise TypeError("normal_tensor needs an array mean or std; use normal() for floats")
        out = normal(mean.shape, 0.0, std, mean.dtype, generator)
        return (out + mean).astype(mean.dtype, copy=False)
    if std.size and not (std >= 0).all():
        raise RuntimeError("normal expects all elements of std >= 0.0")
    dt = mean.dtype if isinstance(mean, np.ndarray) else std.dtype
    out = normal(np.broadcast_shapes(np.shape(mean), std.shape), 0.0, 1.0, dt, generator)
    out = (out * std).astype(dt, copy=False)  # out.mul_(std)
    mean_arr = mean if isinstance(mean, np.ndarray) else dt.type(mean)
    return (out + mean_arr).astype(dt, copy=False)  # out.add_(mean)


def _normal_small(gen: Generator, n: int, mean: float, std: float) -> np.ndarray:
    """torch's ``normal_distribution<double>``, element by element (n < 16)."""
    out = np.empty(n, np.float64)
    for i in range(n):
        if gen.next_double_normal_sample is not None:
            out[i] = gen.next_double_normal_sample
            gen.next_double_normal_sample = None
            continue
        u1, u2 = _uniform01(gen, 2, np.dtype(np.float64)).tolist()
        r = math.sqrt(-2.0 * math.log1p(-u2))  # libm, as in torch
        theta = 2.0 * math.pi * u1
        gen.next_double_normal_sample = r * math.sin(theta)
        out[i] = r * math.cos(theta)
    return fma64(out, std, mean)  # val * std + mean, contracted by the compiler


def _normal_fill(gen: Generator, n: int, dtype: np.dtype, mean: float, std: float) -> np.ndarray:
    """torch's ``normal_fill`` (numel >= 16): uniforms, then Box-Muller per block of 16."""
    if dtype == np.float64:
        box_muller = _box_muller16_f64
    elif FLOAT32_NORMAL_KERNEL == "avx2":
        box_muller = _box_muller16_f32
    else:
        box_muller = _box_muller16_f32_libm
    calc = np.dtype(np.float32) if dtype in REDUCED else dtype
    m, s = calc.type(mean), calc.type(std)
    out = np.empty(n, calc)
    full = n - n % 16
    # float16/bfloat16 compute in float32, and draw uniforms for the full blocks only
    drawn = _uniform01(gen, full if dtype in REDUCED else n, calc)
    out[:full] = _by_chunks(box_muller, drawn[:full], m, s)
    if n % 16:  # recompute the last 16 values from fresh uniforms
        out[n - 16 :] = box_muller(_uniform01(gen, 16, calc), m, s)
    return out if calc == dtype else out.astype(dtype)


def _box_muller16_f64(u: np.ndarray, mean: np.floating, std: np.floating) -> np.ndarray:
    """float64 blocks of 16: ``u1 = 1 - u[:8]``, ``u2 = u[8:]`` with libm's log/cos/sin."""
    blocks = u.reshape(-1, 16)
    u1, u2 = 1.0 - blocks[:, :8], blocks[:, 8:]
    # numpy's float64 log is not glibc's (it differs in the last bit now and then), so
    # call libm through the math module, element by element but in C (map).
    log_u1 = _libm_f64(math.log, u1)
    radius = np.sqrt(-2.0 * log_u1)
    theta = 2.0 * math.pi * u2
    n1, n2 = radius * _libm_f64(math.cos, theta), radius * _libm_f64(math.sin, theta)
    out = np.concatenate([n1, n2], axis=1).ravel()
    return out if (mean, std) == (0.0, 1.0) else fma64(out, std, mean)


def _libm_f64(fn: Any, x: np.ndarray) -> np.ndarray:
    """The C library's float64 ``fn`` (via ``math``) on each element, as torch calls it."""
    return np.fromiter(map(fn, x.ravel().tolist()), np.float64, x.size).reshape(x.shape)


# -- float32: an exact replica of torch's AVX2 kernel (avx_mathfun.h, Cephes polynomials) -----
# GCC contracts `a * b + c` into one FMA in that code; the places it does are marked `fma`.

_F = np.float32
_LOG_P = [_F(c) for c in (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1,
                          -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1,
                          2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1)]  # fmt: skip
_LOG_Q1, _LOG_Q2 = _F(-2.12194440e-4), _F(0.693359375)
_SQRTHF = _F(0.707106781186547524)
_DP = [_F(-0.78515625), _F(-2.4187564849853515625e-4), _F(-3.77489497744594108e-8)]
_SIN_P = [_F(-1.9515295891e-4), _F(8.3321608736e-3), _F(-1.6666654611e-1)]
_COS_P = [_F(2.443315711809948e-005), _F(-1.388731625493765e-003), _F(4.166664568298827e-002)]
_FOPI = _F(1.27323954473516)  # 4 / pi
_TWO_PI_F = _F(2.0 * math.pi)


def _poly(coeffs: list[np.float32], x: np.ndarray) -> np.ndarray:
    """Horner's rule ``((c0 * x + c1) * x + c2) ...`` with an FMA at each step."""
    y = np.full_like(x, coeffs[0])
    for c in coeffs[1:]:
        y = fma32(y, x, c)
    return y


def _log256(x: np.ndarray) -> np.ndarray:
    """``log256_ps`` of avx_mathfun.h for x > 0 (Cephes logf): exponent + polynomial."""
    bits = x.view(np.int32)
    e = ((bits >> 23) - 127).astype(_F) + _F(1)
    m = ((bits & ~0x7F800000) | 0x3F000000).view(_F)  # mantissa, in [0.5, 1)
    small = m < _SQRTHF  # if m < sqrt(1/2): e -= 1, x = 2m - 1 else x = m - 1
    x = (m - _F(1)) + np.where(small, m, _F(0))
    e = e - small.astype(_F)
    z = x * x
    y = fma32(_poly(_LOG_P, x) * x, z, e * _LOG_Q1)  # fma: (y * x) * z + e * q1
    y = y - z * _F(0.5)
    return fma32(e, _LOG_Q2, x + y)  # fma: e * q2 + (x + y)


def _sincos256(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``sincos256_ps`` of avx_mathfun.h for x >= 0 (Cephes sinf/cosf): reduce, 2 polynomials."""
    j = (x * _FOPI).astype(np.int32)  # octant, truncated
    j = (j + 1) & ~1
    y = j.astype(_F)
    for dp in _DP:  # x - y * pi/4 in three pieces ("extended precision modular arithmetic")
        x = fma32(y, dp, x)
    z = x * x
    cos_p = fma32(_poly(_COS_P, z) * z, z, -(z * _F(0.5))) + _F(1)  # fma: y*z*z - z/2
    sin_p = fma32(_poly(_SIN_P, z) * z, x, x)  # fma: y*z*x + x
    use_sin_poly = (j & 2) == 0
    sin = np.where(use_sin_poly, sin_p, cos_p)
    cos = np.where(use_sin_poly, cos_p, sin_p)
    sin = np.where((j & 4) != 0, -sin, sin)
    cos = np.where(((j - 2) & 4) == 0, -cos, cos)
    return sin, cos


def _box_muller16_f32(u: np.ndarray, mean: np.floating, std: np.floating) -> np.ndarray:
    """torch's ``NormalFill16<float>`` (AVX2) on blocks of 16 float32 uniforms."""
    blocks = u.reshape(-1, 16)
    radius = np.sqrt(_F(-2) * _log256(_F(1) - blocks[:, :8]))
    sin, cos = _sincos256(_TWO_PI_F * blocks[:, 8:])
    out = np.concatenate([radius * cos, radius * sin], axis=1).ravel()
    return out if (mean, std) == (0.0, 1.0) else fma32(out, std, mean)  # _mm256_fmadd_ps


# -- float32 on CPUs without AVX2 (ARM, e.g. Apple silicon): torch's scalar NormalFill16 ------


def _box_muller16_f32_libm(u: np.ndarray, mean: np.floating, std: np.floating) -> np.ndarray:
    """torch's scalar ``NormalFill16<float>``: libm's ``logf``, ``cosf``, ``sinf`` and ``fmaf``.

    Note ``theta = 2.0f * pi<double> * u2`` is computed in double and stored as float.
    """
    blocks = u.reshape(-1, 16)
    radius = np.sqrt(_F(-2) * _libm_f32("logf", _F(1) - blocks[:, :8]))
    theta = ((2.0 * math.pi) * blocks[:, 8:].astype(np.float64)).astype(_F)
    n1, n2 = radius * _libm_f32("cosf", theta), radius * _libm_f32("sinf", theta)
    return fma32(np.concatenate([n1, n2], axis=1).ravel(), std, mean)


@functools.cache
def _load_libm() -> Any:
    name = ctypes.util.find_library("m")
    if name is None:
        return None
    lib = ctypes.CDLL(name)
    for fn in ("logf", "cosf", "sinf"):
        getattr(lib, fn).restype = ctypes.c_float
        getattr(lib, fn).argtypes = [ctypes.c_float]
    return lib


def _libm_f32(name: str, x: np.ndarray) -> np.ndarray:
    """The C library's float32 function on each element (what torch calls); numpy if none."""
    lib = _load_libm()
    if lib is None:  # no C math library found: close, but not bit-exact
        return getattr(np, {"logf": "log", "cosf": "cos", "sinf": "sin"}[name])(x)
    values = map(getattr(lib, name), x.ravel().tolist())
    return np.fromiter(values, _F, x.size).reshape(x.shape)


def _cpu_flags() -> set[str]:
    """The x86 CPU feature flags, lower case (empty if unknown)."""
    try:
        if platform.system() == "Linux":
            with open("/proc/cpuinfo") as f:
                for line in f:
                    if line.startswith("flags"):
                        return set(line.split(":", 1)[1].split())
        if platform.system() == "Darwin":
            keys = ["machdep.cpu.features", "machdep.cpu.leaf7_features"]
            out = subprocess.run(["sysctl", "-n", *keys], capture_output=True, text=True).stdout
            return {flag.lower().replace("fma3", "fma") for flag in out.split()}
    except (OSError, subprocess.SubprocessError):
        pass
    return set()


def _detect_float32_normal_kernel() -> str:
    """Which float32 ``normal_`` kernel torch picks here: ``"avx2"`` or ``"scalar"``.

    torch runs its AVX2 kernel on x86-64 CPUs with AVX2 and FMA (also when it runs AVX512
    kernels), unless ``ATEN_CPU_CAPABILITY=default``; elsewhere (ARM) the scalar one.
    """
    if os.environ.get("ATEN_CPU_CAPABILITY", "").lower() == "default":
        return "scalar"
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return "scalar"
    flags = _cpu_flags()
    return "avx2" if not flags or {"avx2", "fma"} <= flags else "scalar"


#: The float32 ``normal_`` kernel (numel >= 16) to reproduce: ``"avx2"`` (x86-64 with AVX2,
#: exact and vectorized) or ``"scalar"`` (other CPUs: calls the C library's logf/cosf/sinf per
#: element, about 20x slower). Detected at import; assign to override.
FLOAT32_NORMAL_KERNEL = _detect_float32_normal_kernel()


