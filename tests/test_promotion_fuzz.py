"""Differential fuzzing of PyTorch's type promotion: every binary operator, reflected and
in-place form, and the methods and functions that take a second operand, with every kind
of operand on either side, against torch: the result's dtype, shape and values, or the
exception class where torch raises.

Operand kinds: tensors of every dtype (0-d and 1-d), Python bool/int/float (also ints
that do not fit small int dtypes, and ints past 64 bits), numpy scalars of every dtype,
0-d numpy arrays and 1-d numpy arrays. What PyTorch does with them, in short:

- numpy scalars count as Python numbers ("weak"): ``np.float64(0.5) * x`` stays float32
  (an ``np.bool_`` counts as a float, as torch reads it);
- an ndarray operand is computed by numpy (the tensor's ``__array_wrap__`` makes the result
  a tensor, bool as uint8) when the tensor is on the left; on the right, only ``==`` and
  ``/`` accept it;
- an int that the computation dtype cannot hold wraps (``uint8 + 300``), except in the
  checked ops (``pow``, ``clamp``, ``where``, ``fill_``), which raise.

Deliberate difference: ``tensor != ndarray`` is elementwise here; PyTorch returns the
Python bool True (its ``__ne__`` does not take ndarrays and Python falls back to identity).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_edu as tg

torch = pytest.importorskip("torch")

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
Kind = tuple[Any, ...]


def _values(dtype: str, ndim: int) -> np.ndarray:
    if dtype == "bool":
        return np.array([True, False] if ndim else True)
    if dtype.startswith("float"):
        return np.array([1.5, 3.0] if ndim else 2.5, dtype=dtype)
    return np.array([3, 1] if ndim else 2, dtype=dtype)


KINDS: list[Kind] = [("tensor", d, n) for d in DTYPES for n in (0, 1)]
KINDS += [("python", v) for v in (True, False, 2, -1, 300, 2**63, 2**64, 1.5, float("inf"))]
KINDS += [(k, d) for d in DTYPES for k in ("np scalar", "np 0-d", "np array")]


def make(kind: Kind, lib: Any) -> Any:
    """The operand of ``kind`` for ``lib`` (tinygrad_edu or torch)."""
    what = kind[0]
    if what == "tensor":
        return lib.tensor(_values(kind[1], kind[2]))
    if what == "python":
        return kind[1]
    if what == "np scalar":
        return _values(kind[1], 0)[()]
    return _values(kind[1], 0 if what == "np 0-d" else 1)


def _iop(name: str) -> Callable[[Any, Any], Any]:
    def inplace(a: Any, b: Any) -> Any:
        before = a
        a = {"+=": a.__iadd__, "-=": a.__isub__, "*=": a.__imul__, "/=": a.__itruediv__,
             "&=": a.__iand__, "|=": a.__ior__, "^=": a.__ixor__}[name](b)
        if a is NotImplemented:  # Python then falls back to the binary operator
            a = {"+=": lambda: before + b, "-=": lambda: before - b,
                 "*=": lambda: before * b, "/=": lambda: before / b,
                 "&=": lambda: before & b, "|=": lambda: before | b,
                 "^=": lambda: before ^ b}[name]()
        return a, a is before

    return inplace


BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "/": lambda a, b: a / b, "//": lambda a, b: a // b, "%": lambda a, b: a % b,
    "**": lambda a, b: a ** b, "&": lambda a, b: a & b, "|": lambda a, b: a | b,
    "^": lambda a, b: a ^ b, "==": lambda a, b: a == b, "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}
# the left operand is a tensor
METHODS: dict[str, Callable[[Any, Any], Any]] = {
    **{op: _iop(op) for op in ("+=", "-=", "*=", "/=", "&=", "|=", "^=")},
    **{name: (lambda name: lambda a, b: getattr(a, name)(b))(name) for name in (
        "add sub mul div pow remainder floor_divide eq ne lt le gt ge maximum minimum "
        "logical_and logical_or logical_xor bitwise_and bitwise_or bitwise_xor".split())},
    **{name + "_": (lambda name: lambda a, b: (getattr(a, name + "_")(b), None)[0])(name)
       for name in "add sub mul div bitwise_and logical_or".split()},
    "add alpha=2": lambda a, b: a.add(b, alpha=2),
    "sub alpha=1.5": lambda a, b: a.sub(b, alpha=1.5),
    "div floor": lambda a, b: a.div(b, rounding_mode="floor"),
    "div trunc": lambda a, b: a.div(b, rounding_mode="trunc"),
    "clamp(min)": lambda a, b: a.clamp(b),
    "clamp(max)": lambda a, b: a.clamp(max=b),
    "masked_fill": lambda a, b: a.masked_fill(a == a, b),
    "fill_": lambda a, b: a.clone().fill_(b),
}
# functions of a condition and two operands of any kind
WHERE = {"where": lambda lib, a, b: lib.where(lib.tensor([True, False]), a, b)}


def outcome(fn: Callable[..., Any], *args: Any) -> tuple[Any, ...]:
    """What ``fn(*args)`` did: ("ok", dtype, shape, values, in place?) or ("raised",
    the exception class); anything that is not a tensor is described by its type."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = fn(*args)
    except Exception as e:  # noqa: BLE001 (the class is what is compared)
        return ("raised", type(e).__name__)
    same = None
    if isinstance(result, tuple):
        result, same = result
    if not hasattr(result, "dtype") or not hasattr(result, "shape"):
        return ("not a tensor", type(result).__name__, result)
    values = np.asarray(result.detach().numpy() if hasattr(result, "detach") else result)
    return ("ok", str(result.dtype).rsplit(".", 1)[-1], tuple(result.shape),
            values.astype(np.float64), same)


def assert_same(mine: tuple[Any, ...], theirs: tuple[Any, ...], what: str) -> None:
    """Same outcome kind, exception class, dtype, shape, in-place-ness and values."""
    assert mine[:2] == theirs[:2], f"{what}: tinygrad_edu {mine[:3]}, torch {theirs[:3]}"
    if mine[0] == "ok":
        assert mine[2] == theirs[2], f"{what}: shape {mine[2]}, torch {theirs[2]}"
        assert mine[4] == theirs[4], f"{what}: in place {mine[4]}, torch {theirs[4]}"
        np.testing.assert_allclose(mine[3], theirs[3], rtol=1e-3, equal_nan=True,
                                   err_msg=what)


def check_binary(name: str, left: Kind, right: Kind) -> None:
    fn = BINARY.get(name) or METHODS[name]
    mine = outcome(fn, make(left, tg), make(right, tg))
    theirs = outcome(fn, make(left, torch), make(right, torch))
    assert_same(mine, theirs, f"{left} {name} {right}")


def check_where(left: Kind, right: Kind) -> None:
    mine = outcome(WHERE["where"], tg, make(left, tg), make(right, tg))
    theirs = outcome(WHERE["where"], torch, make(left, torch), make(right, torch))
    assert_same(mine, theirs, f"where(cond, {left}, {right})")


def _is_tensor(kind: Kind) -> bool:
    return kind[0] == "tensor"


kinds = st.sampled_from(KINDS)
tensor_kinds = st.sampled_from([k for k in KINDS if _is_tensor(k)])


@given(op=st.sampled_from(list(BINARY)), left=kinds, right=kinds)
def test_operators_promote_like_torch(op: str, left: Kind, right: Kind) -> None:
    """``left <op> right``, reflected forms included (a tensor on either side)."""
    if not (_is_tensor(left) or _is_tensor(right)):
        left = ("tensor", "float32", 1)
    check_binary(op, left, right)


@given(op=st.sampled_from(list(METHODS)), left=tensor_kinds, right=kinds)
def test_methods_and_inplace_promote_like_torch(op: str, left: Kind, right: Kind) -> None:
    """``tensor.method(other)`` and the in-place operators."""
    if op == "fill_" and right == ("python", 2**63) and left[1] == "float16":
        return  # torch: inf for a 0-d tensor, an overflow error for a 1-d one
    check_binary(op, left, right)


@given(left=kinds, right=kinds)
def test_where_promotes_like_torch(left: Kind, right: Kind) -> None:
    """``where(cond, a, b)`` with tensors, numbers and numpy scalars in both branches."""
    if left[0] in ("np 0-d", "np array") or right[0] in ("np 0-d", "np array"):
        return  # torch.where takes no ndarray (a TypeError in both)
    if ("python", 2**63) in (left, right):
        return  # torch: a uint64 result, or float16 inf where its fill_ raises (no uint64 here)
    check_where(left, right)


# Every pair, for the operators people write most: a sweep of the whole table (about
# a second), so that no kind is left to chance.
@pytest.mark.parametrize("op", ["*", "+", "&", "==", "<", "/", "*=", "|=", "clamp(min)"])
def test_every_operand_pair_promotes_like_torch(op: str) -> None:
    failures = []
    for left in KINDS:
        for right in KINDS:
            if op in METHODS and not _is_tensor(left):
                continue
            if not (_is_tensor(left) or _is_tensor(right)):
                continue
            try:
                check_binary(op, left, right)
            except AssertionError as e:
                failures.append(str(e).splitlines()[0])
    assert not failures, f"{len(failures)} mismatches, e.g.\n" + "\n".join(failures[:10])
