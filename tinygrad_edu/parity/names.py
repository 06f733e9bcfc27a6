"""PyTorch's names of the element types, one table each, as its messages print them.

``x.type()`` says ``torch.FloatTensor``; "expected scalar type Float" uses the
``c10::ScalarType`` name; a kernel's range check names the C++ type GCC prints
(``long int``); an overflow message names c10's spelling (``int64_t``). Every message in
the package takes its name from here.

Example:
    >>> scalar_type_name(np.float32), tensor_type_name(np.zeros(2, np.int64))
    ('Float', 'torch.LongTensor')
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["C10_TYPE_NAMES", "CPP_TYPE_NAMES", "SCALAR_TYPE_NAMES", "scalar_type_name",
           "tensor_type_name"]

#: ``c10::ScalarType`` names, keyed by numpy's dtype name: ``Float`` in "expected scalar
#: type Float", ``torch.FloatTensor`` in ``x.type()``.
SCALAR_TYPE_NAMES: dict[str, str] = {
    "float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
    "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
    "bfloat16": "BFloat16",
}  # fmt: skip

#: The element types as GCC names them (``typeid(T).name()`` demangled): "from is out of
#: bounds for long int", "expected scalar type float but found c10::Half".
CPP_TYPE_NAMES: dict[str, str] = {
    "float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
    "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
    "bool": "bool", "bfloat16": "c10::BFloat16",
}  # fmt: skip

#: c10's spelling, in "value cannot be converted to type int64_t without overflow".
C10_TYPE_NAMES: dict[str, str] = {
    "uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t", "int32": "int",
    "int64": "int64_t", "float16": "c10::Half", "float32": "float", "float64": "double",
    "bool": "bool", "bfloat16": "c10::BFloat16",
}  # fmt: skip


def scalar_type_name(dtype: Any) -> str:
    """``Float``, ``Long``, ... for a numpy dtype (or anything ``np.dtype`` takes)."""
    name = np.dtype(dtype).name
    return SCALAR_TYPE_NAMES.get(name, name)


def tensor_type_name(data: np.ndarray, package: str = "torch") -> str:
    """``torch.typename`` of a tensor with this array: ``torch.FloatTensor``
    (``package="tinygrad_edu"``: ``tinygrad_edu.FloatTensor``, this library's own name)."""
    return f"{package}.{scalar_type_name(data.dtype)}Tensor"
