"""Data types and PyTorch's type-promotion rules.

numpy's rules differ from PyTorch's (``float32 + int64`` is ``float64`` in numpy and
``float32`` in PyTorch; a 0-d ``float64`` array wins in numpy and loses in PyTorch), so
every binary op asks :func:`result_type` first and computes in that dtype.
"""

from __future__ import annotations

import numpy as np

_BOOL, _INT, _FLOAT = 0, 1, 2
# the builtins, before this module's names float/int/bool (PyTorch's aliases) hide them
_pyfloat, _pyint, _pybool = float, int, bool


class DType:
    """A tensor element type, like ``torch.float32``. ``dtype.np`` is the numpy dtype."""

    __slots__ = ("name", "np", "category", "itemsize", "is_floating_point", "is_signed")

    def __init__(self, name: str, np_dtype: type) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        kind = self.np.kind
        self.category = _BOOL if kind == "b" else _FLOAT if kind == "f" else _INT
        self.itemsize = self.np.itemsize
        self.is_floating_point = kind == "f"
        self.is_signed = kind in "if"

    def __repr__(self) -> str:
        return f"tinygrad_edu.{self.name}"

    def __reduce__(self) -> str:
        return self.name


float16 = half = DType("float16", np.float16)
float32 = float = DType("float32", np.float32)
float64 = double = DType("float64", np.float64)
uint8 = DType("uint8", np.uint8)
int8 = DType("int8", np.int8)
int16 = short = DType("int16", np.int16)
int32 = int = DType("int32", np.int32)
int64 = long = DType("int64", np.int64)
bool = DType("bool", np.bool_)

_ALL = (float16, float32, float64, uint8, int8, int16, int32, int64, bool)
_FROM_NUMPY = {d.np: d for d in _ALL}
_default_float = float32


def from_numpy(np_dtype: np.dtype) -> DType:
    """The DType of a numpy dtype; ``TypeError`` for types tensors cannot hold."""
    try:
        return _FROM_NUMPY[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype)}. The only supported "
            "types are: float64, float32, float16, int64, int32, int16, int8, uint8, and bool."
        ) from None


def to_dtype(dtype: object) -> DType:
    """Accept a DType, a numpy dtype, or a Python type (``float``, ``int``, ``bool``)."""
    if isinstance(dtype, DType):
        return dtype
    if dtype is _pyfloat:
        return _default_float
    if dtype is _pyint:
        return int64
    if dtype is _pybool:
        return bool
    legacy = getattr(dtype, "dtype", None)  # tg.FloatTensor and the other legacy types
    if isinstance(dtype, type) and isinstance(legacy, DType):
        return legacy
    return from_numpy(dtype)  # type: ignore[arg-type]



def get_default_dtype() -> DType:
    """The dtype of tensors made from Python floats (float32 unless changed)."""
    return _default_float


def set_default_dtype(d: DType) -> None:
    """Set the dtype of tensors made from Python floats: float32 or float64."""
    global _default_float
    if d not in (float32, float64):
        raise TypeError("only floating-point types are supported as the default type")
    _default_float = d


def promote_types(a: DType, b: DType) -> DType:
    """The smallest dtype both ``a`` and ``b`` can be cast to (``torch.promote_types``)."""
    if a is b:
        return a
    if a.category != b.category:
        return a if a.category > b.category else b
    return _FROM_NUMPY[np.promote_types(a.np, b.np)]


def _scalar_dtype(x: object) -> DType:
    if isinstance(x, _pybool):
        return bool
    if isinstance(x, _pyint):
        return int64
    return _default_float


def _combine(higher: DType | None, lower: DType | None) -> DType | None:
    # PyTorch's combine_categories: a higher-priority group wins unless a lower group
    # brings a higher category (an int tensor plus a float scalar is a float tensor).
    if higher is None:
        return lower
    if lower is None or higher.category == _FLOAT:
        return higher
    if higher.category == _BOOL or lower.category > higher.category:
        return promote_types(higher, lower)
    return higher


def result_type(*operands: object) -> DType:
    """The dtype of a binary op's result under PyTorch's rules.

    Operands are Tensors (anything with ``_data``) or Python scalars. Tensors with
    dimensions outrank 0-d tensors, which outrank Python scalars; a lower group only
    matters when it brings a higher category (bool < int < float).
    """
    dim = zero = scalar = None
    for x in operands:
        data = getattr(x, "_data", None)
        if data is None:
            d = _scalar_dtype(x)
            scalar = d if scalar is None else promote_types(scalar, d)
        else:
            d = _FROM_NUMPY[data.dtype]
            if data.ndim:
                dim = d if dim is None else promote_types(dim, d)
            else:
                zero = d if zero is None else promote_types(zero, d)
    out = _combine(dim, _combine(zero, scalar))
    assert out is not None
    return out
