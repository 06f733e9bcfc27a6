"""Gradient clipping, as ``torch.nn.utils.clip_grad_norm_`` / ``clip_grad_value_`` /
``clip_grads_with_norm_``.

Both work in place on the ``.grad`` of each parameter, between ``backward()`` and
``optimizer.step()``, and record nothing.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np

from ...core.function import bump_version
from ...tensor import Tensor, _wrap

Parameters = Tensor | Iterable[Tensor]


def _grads(parameters: Parameters) -> list[Tensor]:
    if isinstance(parameters, Tensor):
        return [parameters.grad] if parameters.grad is not None else []
    return [p.grad for p in parameters if p.grad is not None]


def _vector_norm(x: np.ndarray, norm_type: float) -> np.ndarray:
    """The ``norm_type``-norm of all of ``x``'s elements, in ``x``'s dtype."""
    return np.asanyarray(np.linalg.norm(x.reshape(-1).astype(np.float64), norm_type), x.dtype)


def get_total_norm(tensors: Parameters, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: Any = None) -> Tensor:
    """The norm of the norms of ``tensors``: their norm as if they were one long vector."""
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return _wrap(np.zeros((), np.float32))
    norms = [_vector_norm(t._data, norm_type) for t in tensors]
    total = _vector_norm(np.stack(norms), norm_type)  # (stack promotes mixed dtypes)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the "
            "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    return _wrap(total)


def clip_grad_norm_(parameters: Parameters, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: Any = None) -> Tensor:
    """Scale the gradients so that their total norm is at most ``max_norm``.

    Every gradient is multiplied by ``min(1, max_norm / (total_norm + 1e-6))``; returns the
    total norm from before clipping (a 0-d tensor), as PyTorch.

    >>> loss.backward()
    >>> tg.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    >>> optimizer.step()
    """
    if not isinstance(parameters, Tensor):
        is_generator = not isinstance(parameters, (list, tuple))
        parameters = list(parameters)
        if is_generator and not parameters:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will "
                          "occur.", stacklevel=2)
    total = get_total_norm(_grads(parameters), norm_type, error_if_nonfinite)
    clip_grads_with_norm_(parameters, max_norm, total)
    return total


def clip_grads_with_norm_(parameters: Parameters, max_norm: float, total_norm: Tensor,
                          foreach: Any = None) -> None:
    """Scale the gradients by ``min(1, max_norm / (total_norm + 1e-6))``, in place, with a
    total norm computed beforehand (``clip_grad_norm_`` is ``get_total_norm`` then this).

    >>> total = tg.nn.utils.get_total_norm([p.grad for p in model.parameters()])
    >>> tg.nn.utils.clip_grads_with_norm_(model.parameters(), 1.0, total)
    """
    grads = _grads(parameters)
    if not grads:
        return
    t = total_norm._data
    # PyTorch's max_norm / (total + 1e-6) is reciprocal(total + 1e-6) * max_norm
    coef = np.reciprocal(t + t.dtype.type(1e-6)) * t.dtype.type(float(max_norm))
    coef = np.minimum(coef, t.dtype.type(1.0))
    for g in grads:
        np.multiply(g._data, coef.astype(g._data.dtype), out=g._data)
        bump_version(g)


def clip_grad_norm(parameters: Parameters, max_norm: float, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: Any = None) -> Tensor:
    """``clip_grad_norm_``, under its old name: deprecated (a FutureWarning, as PyTorch).

    >>> tg.nn.utils.clip_grad_norm(model.parameters(), 1.0)
    """
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters: Parameters, clip_value: float, foreach: Any = None) -> None:
    """Clamp every gradient element into ``[-clip_value, clip_value]``, in place."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        np.clip(g._data, -clip_value, clip_value, out=g._data)
        bump_version(g)
