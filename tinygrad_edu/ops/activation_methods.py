"""The activations PyTorch has as Tensor methods too, ``x.hardshrink()`` and
``x.prelu(w)``: their Functions and the methods (with PyTorch's checks) side by side.
``F.hardshrink`` and ``F.prelu`` call the methods. (Apart from ``activation.py``, which
loads with ``nn``, so that ``import tinygrad_edu`` stays light.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..amp.autocast_mode import autocast_args
from ..parity.errors import not_implemented
from ..parity.names import scalar_type_name
from ..tensor_base import TensorBase
from . import dual
from .dual import _Op

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["ActivationMethods", "Hardshrink", "PreluKernel", "float_kernel"]


class Hardshrink(_Op):
    """x if |x| > lambd else 0; gradient 1 outside [-lambd, lambd], 0 on it (ends
    included, as PyTorch)."""

    _grad_fn_name = "HardshrinkBackward0"
    ctx_fields = ("dead",)  # -lambd <= x <= lambd

    @staticmethod
    def forward(ctx: Any, x: Any, lambd: float) -> Any:
        lam = x.dtype.type(lambd)
        dead = np.asanyarray((x >= -lam) & (x <= lam))
        ctx.dead = dead
        return np.where(dead, x.dtype.type(0), x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return dual.where(ctx.dead, 0.0, grad), None


class PreluKernel(_Op):
    """x if x > 0 else w x, with w broadcast against x (one slope, or one per channel);
    gradients: grad or w grad for x, 0 or x grad for w (the engine sums it to w's shape).
    At x = 0 the left branch: w grad, and 0 for w."""

    _grad_fn_name = "PreluKernelBackward0"
    ctx_fields = ("positive",)

    @staticmethod
    def forward(ctx: Any, x: Any, w: Any) -> Any:
        ctx.save_for_backward(x, w)
        positive = np.asanyarray(x > 0)
        ctx.positive = positive
        return np.asanyarray(np.where(positive, x, w * x))

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, w = ctx.saved_tensors
        positive, need = ctx.positive, ctx.needs_input_grad
        gx = dual.where(positive, grad, w * grad) if need[0] else None
        gw = dual.where(positive, 0.0, x * grad) if need[1] else None
        return gx, gw


def float_kernel(x: TensorBase, kernel: str) -> None:
    """PyTorch's error where its ``kernel`` has float versions only (ints and bools)."""
    if not x.is_floating_point():
        raise not_implemented(kernel, x._data.dtype)


class ActivationMethods(TensorBase):
    """``hardshrink`` and ``prelu``, the activations PyTorch has as Tensor methods too."""

    __slots__ = ()

    def hardshrink(self, lambd: float = 0.5) -> Tensor:
        """x if |x| > lambd else 0 (``F.hardshrink``).

        >>> tg.tensor([-1.0, 0.2, 2.0]).hardshrink()
        tensor([-1.,  0.,  2.])
        """
        float_kernel(self, "hardshrink_cpu")
        return Hardshrink.apply(self, lambd)

    def prelu(self, weight: Tensor) -> Tensor:
        """x if x > 0 else w x, with the slope ``weight``: one number (shape () or (1,)),
        or one per channel (shape (C,), C = self.shape[1]) (``F.prelu``).

        >>> tg.tensor([[-2.0, 3.0]]).prelu(tg.tensor([0.25]))
        tensor([[-0.5000,  3.0000]])
        """
        x, weight = autocast_args("prelu", self, weight)
        if weight.ndim > 1:
            raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: "
                               f"ndim = {weight.ndim}")
        if weight.numel() != 1:
            channels = x.shape[1] if x.ndim > 1 else 1
            if channels != weight.numel():
                raise RuntimeError(
                    "Mismatch of parameter numbers and input channel size. Found parameter "
                    f"numbers = {weight.numel()} and channel size = {channels}.")
        float_kernel(x, "prelu_cpu")
        if x._data.dtype != weight._data.dtype:
            raise RuntimeError(f"prelu: Type promoting not supported. Got "
                               f"{scalar_type_name(x._data.dtype)} and "
                               f"{scalar_type_name(weight._data.dtype)}")
        if x.ndim != weight.ndim:  # (a view, as PyTorch: it shows as ViewBackward0)
            shape = [1] * x.ndim
            if x.ndim >= 2:
                shape[1] = weight.numel()
            weight = weight.view(*shape)
        return PreluKernel.apply(x, weight)  # type: ignore[no-any-return]
