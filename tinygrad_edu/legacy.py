"""PyTorch's legacy tensor types: ``tg.FloatTensor([1, 2])``, ``x.type(tg.LongTensor)``.

Old tutorials build tensors with them and test types with ``isinstance(x,
torch.FloatTensor)``; both work here. New code should use ``tg.tensor(data, dtype=...)``.
"""

from __future__ import annotations

from typing import Any

from . import dtypes
from .creation import empty, tensor
from .tensor import Tensor


class TensorType(type):
    """The type of ``FloatTensor``, ``LongTensor``, ...: a dtype that makes tensors."""

    dtype: dtypes.DType

    def __call__(cls, *data: Any) -> Tensor:  # type: ignore[override]
        """``FloatTensor(2, 3)``: a new 2x3 tensor; ``FloatTensor([1, 2])``: from data."""
        if all(isinstance(d, int) and not isinstance(d, bool) for d in data):
            return empty(*data, dtype=cls.dtype) if data else empty(0, dtype=cls.dtype)
        if len(data) != 1:
            raise TypeError(f"new() received an invalid combination of arguments: "
                            f"{cls.__name__}(*sizes) or {cls.__name__}(data)")
        (values,) = data
        if isinstance(values, Tensor):
            return values.to(cls.dtype)
        return tensor(values, dtype=cls.dtype)

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor) and obj.dtype == cls.dtype

    def __repr__(cls) -> str:
        return f"<class 'tinygrad_edu.{cls.__name__}'>"


def _legacy(name: str, dtype: dtypes.DType) -> TensorType:
    return TensorType(name, (), {"dtype": dtype, "__doc__": f"Tensors of {dtype} (legacy)."})


FloatTensor = _legacy("FloatTensor", dtypes.float32)
DoubleTensor = _legacy("DoubleTensor", dtypes.float64)
HalfTensor = _legacy("HalfTensor", dtypes.float16)
LongTensor = _legacy("LongTensor", dtypes.int64)
IntTensor = _legacy("IntTensor", dtypes.int32)
ShortTensor = _legacy("ShortTensor", dtypes.int16)
CharTensor = _legacy("CharTensor", dtypes.int8)
ByteTensor = _legacy("ByteTensor", dtypes.uint8)
BoolTensor = _legacy("BoolTensor", dtypes.bool)

__all__ = ["BoolTensor", "ByteTensor", "CharTensor", "DoubleTensor", "FloatTensor",
           "HalfTensor", "IntTensor", "LongTensor", "ShortTensor", "TensorType"]
