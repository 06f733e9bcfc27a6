"""What a dtype can hold and how dtypes combine: ``tg.finfo``, ``tg.iinfo``,
``tg.promote_types``, ``tg.result_type``, ``tg.can_cast`` (PyTorch's rules, from
``parity/promotion.py``; the limits from numpy's ``finfo``/``iinfo``).

>>> tg.finfo(tg.float32).eps
1.1920928955078125e-07
>>> tg.promote_types(tg.uint8, tg.int8)
tinygrad_edu.int16
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from . import dtypes
from .dtypes import DType
from .parity import promotion

__all__ = ["can_cast", "finfo", "iinfo", "promote_types", "result_type"]


def _dtype_arg(value: Any, fn: str, arg: str) -> DType:
    """A DType argument (the Python types float, int and bool name float64, int64, bool,
    as in PyTorch's ``finfo(float)``); anything else is PyTorch's TypeError."""
    python = {builtins.float: dtypes.float64, builtins.int: dtypes.int64,
              builtins.bool: dtypes.bool}
    if isinstance(value, DType):
        return value
    if value in python:
        return python[value]
    raise TypeError(f"{fn}(): argument '{arg}' (position 1) must be torch.dtype, not "
                    f"{type(value).__name__}")


class finfo:  # noqa: N801  (PyTorch's name)
    """The limits of a floating point dtype (the default one when none is given).

    ``bits``; ``eps`` (the gap between 1 and the next number); ``max``, ``min`` (the
    largest and most negative finite numbers); ``tiny`` = ``smallest_normal`` (the
    smallest positive normal number); ``resolution`` (10 ** -digits); ``dtype`` (its
    name).

    >>> tg.finfo(tg.float16).max
    65504.0
    """

    __module__ = "tinygrad_edu"
    bits: int
    eps: float
    max: float
    min: float
    tiny: float
    smallest_normal: float
    resolution: float
    dtype: str

    def __init__(self, type: Any = None) -> None:
        d = dtypes.get_default_dtype() if type is None else _dtype_arg(type, "finfo", "type")
        if not d.is_floating_point:
            raise TypeError("torch.finfo() requires a floating point input type. Use "
                            "torch.iinfo to handle 'torch.finfo'")
        info = np.finfo(d.np) if d.name != "bfloat16" else _ml_finfo(d.np)
        self.bits = d.itemsize * 8
        self.eps, self.max, self.min = float(info.eps), float(info.max), float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -int(info.precision)  # (numpy's is rounded to the dtype)
        self.dtype = d.name

    def __eq__(self, other: object) -> builtins.bool:
        return isinstance(other, finfo) and other.dtype == self.dtype

    def __hash__(self) -> int:
        return hash(("finfo", self.dtype))

    def __repr__(self) -> str:
        # C++'s default stream format: 6 significant digits (Python's %g)
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
                f"tiny={self.tiny:g}, dtype={self.dtype})")


def _ml_finfo(np_dtype: np.dtype) -> Any:
    import ml_dtypes  # (bfloat16 exists only when ml_dtypes is installed)

    return ml_dtypes.finfo(np_dtype)


class iinfo:  # noqa: N801  (PyTorch's name)
    """The limits of an integer dtype: ``bits``, ``min``, ``max``, ``dtype`` (its name).

    >>> tg.iinfo(tg.uint8).max
    255
    """

    __module__ = "tinygrad_edu"
    bits: int
    min: int
    max: int
    dtype: str

    def __init__(self, type: Any) -> None:
        d = _dtype_arg(type, "iinfo", "type")
        if d is dtypes.bool:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if d.is_floating_point:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo "
                            "to handle 'torch.iinfo'")
        info = np.iinfo(d.np)  # type: ignore[type-var]
        self.bits, self.min, self.max, self.dtype = info.bits, int(info.min), int(info.max), \
            d.name

    def __eq__(self, other: object) -> builtins.bool:
        return isinstance(other, iinfo) and other.dtype == self.dtype

    def __hash__(self) -> int:
        return hash(("iinfo", self.dtype))

    def __repr__(self) -> str:
        return f"iinfo(min={builtins.float(self.min):g}, max={builtins.float(self.max):g}, " \
               f"dtype={self.dtype})"


def promote_types(type1: DType, type2: DType) -> DType:
    """The smallest dtype both ``type1`` and ``type2`` cast to without losing their kind
    (bool < integers < floats).

    >>> tg.promote_types(tg.int32, tg.float16)
    tinygrad_edu.float16
    """
    return promotion.promote_types(_dtype_arg(type1, "promote_types", "type1"),
                                   _dtype_arg(type2, "promote_types", "type2"))


def result_type(tensor1: Any, tensor2: Any) -> DType:
    """The dtype of an arithmetic op on ``tensor1`` and ``tensor2`` (tensors or numbers):
    dimensioned tensors outrank 0-d ones, which outrank numbers, unless a lower one brings
    a higher kind.

    >>> tg.result_type(tg.tensor([1, 2]), 1.0)
    tinygrad_edu.float32
    """
    return promotion.result_type(tensor1, tensor2)


def can_cast(from_: DType, to: DType) -> builtins.bool:
    """Whether PyTorch's type promotion lets a ``from_`` value be written into ``to`` (as
    an in-place op's result): not a float into an integer, nor a number into a bool."""
    a, b = _dtype_arg(from_, "can_cast", "from_"), _dtype_arg(to, "can_cast", "to")
    if a.is_floating_point and not b.is_floating_point:
        return False
    return not (a is not dtypes.bool and b is dtypes.bool)
