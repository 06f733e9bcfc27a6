"""What the ``nn.functional`` families share: PyTorch's short type names and shape text
in error messages."""

from __future__ import annotations

from typing import Any

from ...parity.names import scalar_type_name
from ...tensor import Tensor


def _type_name(t: Tensor) -> str:
    """PyTorch's short scalar-type name of a tensor's dtype: Float, Long, ..."""
    return scalar_type_name(t._data.dtype)


def _shape_list(shape: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(n) for n in shape) + "]"


def _check_tensor(value: Any, op: str, arg: str, position: int) -> None:
    if not isinstance(value, Tensor):
        raise TypeError(
            f"{op}(): argument '{arg}' (position {position}) must be Tensor, not "
            f"{type(value).__name__}"
        )
