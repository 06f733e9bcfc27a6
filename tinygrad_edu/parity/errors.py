"""PyTorch's error texts that more than one place raises, each built once.

A message starts with PyTorch's own words, so a search for torch's error finds ours, and may
end with a hint for the learner.
"""

from __future__ import annotations

from typing import Any

from .names import scalar_type_name

__all__ = ["broadcast_error", "not_implemented"]


def broadcast_error(sa: tuple[int, ...], sb: tuple[int, ...]) -> RuntimeError:
    """PyTorch's error for shapes that do not broadcast, naming the first dimension (from the
    right) where neither size is 1.

    Example:
        >>> str(broadcast_error((2, 3), (4,))).split(". Hint")[0]
        'The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1'
    """
    for i in range(1, min(len(sa), len(sb)) + 1):
        if sa[-i] != sb[-i] and sa[-i] != 1 and sb[-i] != 1:
            dim = max(len(sa), len(sb)) - i
            return RuntimeError(
                f"The size of tensor a ({sa[-i]}) must match the size of tensor b ({sb[-i]}) at "
                f"non-singleton dimension {dim}. Hint: shapes {list(sa)} and {list(sb)} do not "
                "broadcast; reshape or unsqueeze one of them."
            )
    return RuntimeError(f"shapes {list(sa)} and {list(sb)} cannot be broadcast together")


def not_implemented(kernel: str, dtype: Any) -> NotImplementedError:
    """PyTorch's error for a CPU kernel that has no version for ``dtype``.

    Example:
        >>> import numpy as np
        >>> str(not_implemented("abs_cpu", np.dtype(np.bool_)))
        '"abs_cpu" not implemented for \'Bool\''
    """
    return NotImplementedError(f"\"{kernel}\" not implemented for '{scalar_type_name(dtype)}'")
