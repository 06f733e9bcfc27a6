"""``tg.testing``: ``assert_close`` (and the deprecated ``assert_allclose``), as
``torch.testing``: the same default tolerances per dtype, the same checks and the same
``AssertionError`` messages.

Tensors compare when ``|actual - expected| <= atol + rtol * |expected|`` elementwise (NaN
equal to NaN only with ``equal_nan``); by default ``rtol, atol`` come from the dtype:

=========  ========  =====
dtype      rtol      atol
=========  ========  =====
float16    1e-3      1e-5
bfloat16   1.6e-2    1e-5
float32    1.3e-6    1e-5
float64    1e-7      1e-7
other      0         0
=========  ========  =====

Sequences and mappings compare item by item, Python numbers as numbers.

>>> tg.testing.assert_close(tg.tensor([1.0, 2.0]), tg.tensor([1.0, 2.000001]))
>>> tg.testing.assert_close(tg.tensor([1.0, 2.0]), tg.tensor([1.0, 2.5]))
Traceback (most recent call last):
AssertionError: Tensor-likes are not close!
<BLANKLINE>
Mismatched elements: 1 / 2 (50.0%)
Greatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)
Greatest relative difference: 0.20000000298023224 at index (1,) (up to 1.3e-06 allowed)
"""

from __future__ import annotations

import cmath
import collections.abc
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from . import dtypes
from .creation import as_tensor, tensor
from .dtypes import FLOATING
from .tensor import Tensor
from .type_info import promote_types

__all__ = ["assert_close", "assert_allclose"]

Msg = str | Callable[[str], str] | None
_NUMBER_DTYPES = {int: "int64", float: "float64", complex: "complex128"}


def _precisions() -> dict[Any, tuple[float, float]]:
    """``{dtype: (rtol, atol)}``: PyTorch's defaults (bfloat16 is looked up lazily)."""
    return {dtypes.float16: (0.001, 1e-5), dtypes._bfloat16(): (0.016, 1e-5),
            dtypes.float32: (1.3e-6, 1e-5), dtypes.float64: (1e-7, 1e-7)}


class _Mismatch(Exception):
    """One failed comparison: the exception class to raise, its message and where (the
    path of indices and keys into nested inputs)."""

    def __init__(self, cls: type[Exception], message: str, where: tuple[Any, ...]) -> None:
        super().__init__(message)
        self.cls, self.message, self.where = cls, message, where

    def to_error(self, msg: Msg = None) -> Exception:
        if isinstance(msg, str):
            return self.cls(msg)
        message = self.message
        if self.where:
            message += "\n\nThe failure occurred for item " + "".join(
                str([item]) for item in self.where)
        return self.cls(msg(message) if callable(msg) else message)


class _Unsupported(Exception):
    """These inputs are not of this kind: try the next."""


def _tolerances(rtol: float | None, atol: float | None, where: tuple[Any, ...],
                *dtype_list: Any) -> tuple[float, float]:
    if (rtol is None) != (atol is None):
        raise _Mismatch(ValueError, "Both 'rtol' and 'atol' must be either specified or "
                        f"omitted, but got no {'rtol' if rtol is None else 'atol'}.", where)
    if rtol is not None and atol is not None:
        return rtol, atol
    table = _precisions()
    pairs = [table.get(d, (0.0, 0.0)) for d in dtype_list]
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


def _mismatch_message(identifier: str, extra: str, abs_diff: Any, abs_at: Any,
                      rel_diff: Any, rel_at: Any, rtol: float, atol: float) -> str:
    """PyTorch's text: the header, ``extra``, then the greatest differences (with the
    tolerances, unless both are 0: then the inputs had to be equal)."""
    equality = rtol == 0 and atol == 0
    lines = [f"{identifier} are not {'equal' if equality else 'close'}!", "", extra.strip()]
    for kind, diff, at, tol in (("absolute", abs_diff, abs_at, atol),
                                ("relative", rel_diff, rel_at, rtol)):
        line = (f"{kind.title()} difference: {diff}" if at is None else
                f"Greatest {kind} difference: {diff} at index {at}")
        lines.append(line + ("" if equality else f" (up to {tol} allowed)"))
    return "\n".join(lines)


def _scalar_message(actual: Any, expected: Any, rtol: float, atol: float) -> str:
    abs_diff = abs(actual - expected)
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    return _mismatch_message("Scalars", f"Expected {expected} but got {actual}.", abs_diff,
                             None, rel_diff, None, rtol, atol)


def _tensor_message(actual: np.ndarray, expected: np.ndarray, matches: np.ndarray,
                    rtol: float, atol: float) -> str:
    """The count of mismatches and the greatest differences among them (matched elements
    count as 0), computed in the inputs' dtype as PyTorch's (integers in int64, their
    relative difference in the default float dtype)."""
    n = matches.size
    bad = n - int(matches.sum())
    extra = f"Mismatched elements: {bad} / {n} ({bad / n:.1%})"
    a, e = actual.ravel(), expected.ravel()
    floating = a.dtype in FLOATING
    if not floating:
        a, e = a.astype(np.int64), e.astype(np.int64)
    abs_diff = np.abs(a - e)
    abs_diff[matches.ravel()] = 0
    numerator, denominator = abs_diff, np.abs(e)
    if not floating:
        default = dtypes.get_default_dtype().np
        numerator, denominator = numerator.astype(default), denominator.astype(default)
    with np.errstate(divide="ignore", invalid="ignore"):  # (x / 0 is inf, 0 / 0 nan)
        rel_diff = numerator / denominator
    rel_diff[matches.ravel()] = 0
    abs_at, rel_at = int(np.argmax(abs_diff)), int(np.argmax(rel_diff))

    def index(flat: int) -> tuple[int, ...]:
        return tuple(int(i) for i in np.unravel_index(flat, matches.shape))

    return _mismatch_message("Tensor-likes", extra, abs_diff[abs_at].item(), index(abs_at),
                             rel_diff[rel_at].item(), index(rel_at), rtol, atol)


def _is_bool(x: Any) -> bool:
    return isinstance(x, (bool, np.bool_))


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float, complex, np.number)) and not _is_bool(x)


def _compare_none(actual: Any, expected: Any, where: tuple[Any, ...], **_: Any) -> None:
    if not (actual is None and expected is None):
        raise _Mismatch(AssertionError, f"None mismatch: {actual} is not {expected}", where)


def _compare_bools(actual: Any, expected: Any, where: tuple[Any, ...], **_: Any) -> None:
    if bool(actual) is not bool(expected):
        raise _Mismatch(AssertionError, f"Booleans mismatch: {bool(actual)} is not "
                        f"{bool(expected)}", where)


def _compare_numbers(actual: Any, expected: Any, where: tuple[Any, ...], *, rtol: Any,
                     atol: Any, equal_nan: bool, check_dtype: bool, **_: Any) -> None:
    actual, expected = (x.item() if isinstance(x, np.number) else x for x in (actual, expected))
    rtol, atol = _tolerances(rtol, atol, where, *(
        getattr(dtypes, _NUMBER_DTYPES[type(x)], None) for x in (actual, expected)))
    if check_dtype and type(actual) is not type(expected):
        raise _Mismatch(AssertionError, f"The (d)types do not match: {type(actual)} != "
                        f"{type(expected)}.", where)
    if actual == expected or (equal_nan and cmath.isnan(actual) and cmath.isnan(expected)):
        return
    abs_diff = abs(actual - expected)
    if cmath.isfinite(abs_diff) and abs_diff <= atol + rtol * abs(expected):
        return
    raise _Mismatch(AssertionError, _scalar_message(actual, expected, rtol, atol), where)


def _as_tensors(actual: Any, expected: Any, allow_subclasses: bool) -> tuple[Tensor, Tensor]:
    related = isinstance(actual, type(expected)) or isinstance(expected, type(actual))
    if not related or (not allow_subclasses and type(actual) is not type(expected)):
        raise _Unsupported
    try:
        return tuple(x if isinstance(x, Tensor) else as_tensor(x)  # type: ignore[return-value]
                     for x in (actual, expected))
    except Exception as error:  # noqa: BLE001 - not tensor-like: the next kind is tried
        raise _Unsupported from error


def _compare_tensors(actual: Tensor, expected: Tensor, where: tuple[Any, ...], *, rtol: Any,
                     atol: Any, equal_nan: bool, check_dtype: bool, check_device: bool,
                     check_stride: bool = False, **_: Any) -> None:
    def differ(attribute: str, mine: Any, theirs: Any) -> _Mismatch:
        return _Mismatch(AssertionError, f"The values for attribute '{attribute}' do not "
                         f"match: {mine} != {theirs}.", where)

    rtol, atol = _tolerances(rtol, atol, where, actual.dtype, expected.dtype)
    if actual.shape != expected.shape:
        raise differ("shape", actual.shape, expected.shape)
    if check_device and actual.device != expected.device:
        raise differ("device", actual.device, expected.device)
    if check_dtype and actual.dtype != expected.dtype:
        raise differ("dtype", actual.dtype, expected.dtype)
    if check_stride and actual.stride() != expected.stride():
        raise differ("stride()", actual.stride(), expected.stride())
    if actual.dtype != expected.dtype:
        common = promote_types(actual.dtype, expected.dtype)
        actual, expected = actual.to(common), expected.to(common)
    actual, expected = actual.detach(), expected.detach()
    matches = actual.isclose(expected, rtol=rtol, atol=atol, equal_nan=equal_nan).numpy()
    if matches.all():
        return
    if actual.dim() == 0:
        message = _scalar_message(actual.item(), expected.item(), rtol, atol)
    else:
        message = _tensor_message(actual.numpy(), expected.numpy(), matches, rtol, atol)
    raise _Mismatch(AssertionError, message, where)


def _pairs(actual: Any, expected: Any, where: tuple[Any, ...],
           allow_subclasses: bool) -> list[tuple[Callable[..., None], Any, Any, tuple[Any, ...]]]:
    """``(compare, actual, expected, where)`` for each leaf of the nested inputs, in
    PyTorch's order; a length, key or type mismatch raises at once."""
    sequence = collections.abc.Sequence
    if isinstance(actual, sequence) and isinstance(expected, sequence) \
            and not isinstance(actual, str) and not isinstance(expected, str):
        if len(actual) != len(expected):
            raise _Mismatch(AssertionError, "The length of the sequences mismatch: "
                            f"{len(actual)} != {len(expected)}", where)
        return [p for i in range(len(actual))
                for p in _pairs(actual[i], expected[i], (*where, i), allow_subclasses)]
    if isinstance(actual, collections.abc.Mapping) and \
            isinstance(expected, collections.abc.Mapping):
        mine, theirs = set(actual), set(expected)
        if mine != theirs:
            raise _Mismatch(AssertionError, "The keys of the mappings do not match:\n"
                            f"Missing keys in the actual mapping: {sorted(theirs - mine)}\n"
                            f"Additional keys in the actual mapping: {sorted(mine - theirs)}",
                            where)
        try:
            keys = sorted(mine)
        except TypeError:
            keys = list(mine)
        return [p for k in keys
                for p in _pairs(actual[k], expected[k], (*where, k), allow_subclasses)]
    if actual is None or expected is None:
        return [(_compare_none, actual, expected, where)]
    if _is_bool(actual) and _is_bool(expected):
        return [(_compare_bools, actual, expected, where)]
    if _is_number(actual) and _is_number(expected):
        return [(_compare_numbers, actual, expected, where)]
    try:
        return [(_compare_tensors, *_as_tensors(actual, expected, allow_subclasses), where)]
    except _Unsupported:
        raise _Mismatch(TypeError, "No comparison pair was able to handle inputs of type "
                        f"{type(actual)} and {type(expected)}.", where) from None


def assert_close(actual: Any, expected: Any, *, allow_subclasses: bool = True,
                 rtol: float | None = None, atol: float | None = None, equal_nan: bool = False,
                 check_device: bool = True, check_dtype: bool = True, check_layout: bool = True,
                 check_stride: bool = False, msg: Msg = None) -> None:
    """Raise ``AssertionError`` unless ``actual`` and ``expected`` are close: same shape,
    device and dtype (unless ``check_device`` / ``check_dtype`` is False: then they are
    promoted to a common dtype) and ``|actual - expected| <= atol + rtol * |expected|``
    elementwise, with the tolerances of the module docstring when not given (give both or
    neither). ``msg``: the message to raise instead, or a function of the generated one.
    ``check_stride``: the strides must be equal too. ``check_layout`` is accepted
    (every tensor here is dense).

    >>> tg.testing.assert_close(tg.tensor(1.0), tg.tensor(1.5), rtol=0.0, atol=0.5)
    """
    __tracebackhide__ = True  # (pytest: show the caller's line)
    try:
        pairs = _pairs(actual, expected, (), allow_subclasses)
    except _Mismatch as mismatch:
        raise mismatch.to_error() from None
    for compare, mine, theirs, where in pairs:
        try:
            compare(mine, theirs, where, rtol=rtol, atol=atol, equal_nan=equal_nan,
                    check_dtype=check_dtype, check_device=check_device,
                    check_stride=check_stride)
        except _Mismatch as mismatch:
            raise mismatch.to_error(msg) from None


_ALLCLOSE_PRECISIONS = {"float16": (1e-3, 1e-3), "float32": (1e-4, 1e-5),
                        "float64": (1e-5, 1e-8)}


def assert_allclose(actual: Any, expected: Any, rtol: float | None = None,
                    atol: float | None = None, equal_nan: bool = True, msg: str = "") -> None:
    """Deprecated (as in PyTorch since 1.12): ``assert_close`` with looser default
    tolerances, NaN equal to NaN and dtypes promoted instead of checked.

    >>> tg.testing.assert_allclose(tg.tensor([1.0]), [1.00001])  # doctest: +SKIP
    """
    warnings.warn("`torch.testing.assert_allclose()` is deprecated since 1.12 and will be "
                  "removed in a future release. Please use `torch.testing.assert_close()` "
                  "instead. You can find detailed upgrade instructions in "
                  "https://github.com/pytorch/pytorch/issues/61844.", FutureWarning,
                  stacklevel=2)
    if not isinstance(actual, Tensor):
        actual = tensor(actual)
    if not isinstance(expected, Tensor):
        expected = tensor(expected, dtype=actual.dtype)
    if rtol is None and atol is None:
        found = [_ALLCLOSE_PRECISIONS.get(str(t.dtype).split(".")[-1], (0.0, 0.0))
                 for t in (actual, expected)]
        rtol, atol = max(f[0] for f in found), max(f[1] for f in found)
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan,
                 check_device=True, check_dtype=False, check_stride=False, msg=msg or None)
