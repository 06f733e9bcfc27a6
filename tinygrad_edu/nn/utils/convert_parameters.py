"""Parameters as one flat vector and back, as ``torch.nn.utils.parameters_to_vector``."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ...functional import cat
from ...tensor import Tensor


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All ``parameters`` flattened and joined into one 1-d tensor (differentiable)."""
    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive pieces of the 1-d ``vec`` into ``parameters``' data.

    As PyTorch's (which assigns ``param.data``), the writes are not recorded and not seen
    by the version checks.
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    offset = 0
    for p in parameters:
        n = p.numel()
        np.copyto(p._data, vec._data[offset:offset + n].reshape(p._data.shape))
        offset += n
