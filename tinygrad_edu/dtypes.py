"""Data types: ``tg.float32`` and the others, each with its numpy dtype, and the default
float dtype. PyTorch's rules for the dtype of an op's result are in
``parity/promotion.py`` (``result_type``).
"""

from __future__ import annotations

import numpy as np

_BOOL, _INT, _FLOAT = 0, 1, 2
# the builtins, before this module's names float/int/bool (PyTorch's aliases) hide them
_pyfloat, _pyint, _pybool = float, int, bool


class DType:
    """A tensor element type, like ``torch.float32``. ``dtype.np`` is the numpy dtype."""

    # type(tg.float32) prints <class 'tinygrad_edu.dtype'>, as PyTorch's <class 'torch.dtype'>
    __module__ = "tinygrad_edu"
    __qualname__ = "dtype"
    __slots__ = ("name", "np", "category", "itemsize", "is_floating_point", "is_signed")

    def __init__(self, name: str, np_dtype: type) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        kind = "f" if name == "bfloat16" else self.np.kind  # (ml_dtypes' bfloat16: "V")
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
# The numpy dtypes of floating point tensors: ``array.dtype in FLOATING`` is the one test
# for "a float" (not ``dtype.kind == "f"``: ml_dtypes' bfloat16 has kind "V"). bfloat16
# joins on first use; a set lookup is also quicker than reading ``.kind``.
FLOATING: set[np.dtype] = {float16.np, float32.np, float64.np}
# The 16-bit floats PyTorch's CPU kernels compute in float32 and round once (float16, and
# bfloat16 from its first use): ``array.dtype in REDUCED``.
REDUCED: set[np.dtype] = {float16.np}
_default_float = float32


_bf16: DType | None = None


def _bfloat16() -> DType:
    """``bfloat16``, made on first use: numpy has none, the ``ml_dtypes`` package supplies it
    (imported only then, so ``import tinygrad_edu`` stays light)."""
    global _bf16
    if _bf16 is None:
        try:
            import ml_dtypes  # only code that uses bfloat16 pays for this import
        except ImportError:
            raise ImportError("tinygrad_edu.bfloat16 needs the ml_dtypes package (numpy has no "
                              "bfloat16): pip install 'ml_dtypes>=0.4'") from None
        _bf16 = DType("bfloat16", ml_dtypes.bfloat16)
        _FROM_NUMPY[_bf16.np] = _bf16
        FLOATING.add(_bf16.np)
        REDUCED.add(_bf16.np)
    return _bf16


def __getattr__(name: str) -> DType:
    """``dtypes.bfloat16``, made on first use."""
    if name == "bfloat16":
        return _bfloat16()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def from_numpy(np_dtype: np.dtype) -> DType:
    """The DType of a numpy dtype; ``TypeError`` for types tensors cannot hold."""
    try:
        return _FROM_NUMPY[np.dtype(np_dtype)]
    except KeyError:
        if np.dtype(np_dtype).name == "bfloat16":  # an ml_dtypes array
            return _bfloat16()
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
