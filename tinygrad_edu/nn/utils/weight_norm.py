"""Weight normalisation (https://arxiv.org/abs/1602.07868) by a forward pre-hook, as
``torch.nn.utils.weight_norm`` (deprecated there in favour of
``nn.utils.parametrizations.weight_norm``, which reads the same checkpoints).

``w = g * v / ||v||``: the weight is split into its magnitude ``weight_g`` and its
direction ``weight_v`` (the two parameters the optimizer sees), and recomputed from them
before every forward. The norm is taken over every dimension but ``dim`` (``dim=None``:
over the whole tensor, which PyTorch spells ``dim=-1``).
"""

from __future__ import annotations

import warnings
from typing import Any, TypeVar

from ...tensor import Tensor
from ..modules.module import Module
from ..parameter import Parameter, UninitializedParameter

__all__ = ["WeightNorm", "weight_norm", "remove_weight_norm", "norm_except_dim"]

T_module = TypeVar("T_module", bound=Module)


def norm_except_dim(v: Tensor, pow: float = 2, dim: int = 0) -> Tensor:  # noqa: A002
    """The ``pow``-norm of ``v`` over all dimensions but ``dim``, shaped to broadcast
    against ``v`` (``dim=-1``: of the whole tensor, a 0-d tensor), as
    ``torch.norm_except_dim``.

    >>> norm_except_dim(tg.ones(2, 3), 2, 0)
    tensor([[1.7321],
            [1.7321]])
    """
    if dim == -1:
        return v.norm(pow)
    last = v.dim() - 1
    if dim not in (0, last):
        return norm_except_dim(v.transpose(0, dim), pow, 0).transpose(0, dim)
    shape = [1] * v.dim()
    shape[dim] = v.shape[dim]
    rows = v.reshape(v.shape[0], -1) if dim == 0 else v.reshape(-1, v.shape[last])
    return rows.norm(pow, 1 if dim == 0 else 0).reshape(shape)


def _weight_norm(v: Tensor, g: Tensor, dim: int = 0) -> Tensor:
    """``v * (g / ||v||)``, the norm over every dimension but ``dim`` (``torch._weight_norm``;
    PyTorch fuses it for ``dim`` first or last, with the same formula)."""
    return v * (g / norm_except_dim(v, 2, dim))


class WeightNorm:
    """The forward pre-hook that ``weight_norm`` registers: before each forward, it sets
    ``module.<name>`` to ``g * v / ||v||`` from ``<name>_g`` and ``<name>_v``.

    >>> fn = WeightNorm("weight", 0)
    """

    name: str
    dim: int

    def __init__(self, name: str, dim: int) -> None:
        self.name = name
        self.dim = -1 if dim is None else dim

    def compute_weight(self, module: Module) -> Any:
        """The weight from the module's ``<name>_g`` and ``<name>_v`` (recorded)."""
        g = getattr(module, self.name + "_g")
        v = getattr(module, self.name + "_v")
        return _weight_norm(v, g, self.dim)

    @staticmethod
    def apply(module: Module, name: str, dim: int) -> WeightNorm:
        """Replace ``module.<name>`` by ``<name>_g`` and ``<name>_v`` and register the hook."""
        warnings.warn("`torch.nn.utils.weight_norm` is deprecated in favor of "
                      "`torch.nn.utils.parametrizations.weight_norm`.", FutureWarning,
                      stacklevel=3)
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(
                    f"Cannot register two weight_norm hooks on the same parameter {name}")
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        if isinstance(weight, UninitializedParameter):
            raise ValueError(
                "The module passed to `WeightNorm` can't have uninitialized parameters. Make "
                "sure to run the dummy forward before applying weight normalization")
        del module._parameters[name]
        module.register_parameter(name + "_g", Parameter(norm_except_dim(weight, 2, fn.dim).data))
        module.register_parameter(name + "_v", Parameter(weight.data))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module: Module) -> None:
        """Put a plain parameter ``<name>`` back, holding the current weight."""
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        setattr(module, self.name, Parameter(weight.data))

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module: T_module, name: str = "weight", dim: int = 0) -> T_module:
    """Split ``module.<name>`` into a magnitude ``<name>_g`` (shaped to broadcast: one
    value per slice along ``dim``) and a direction ``<name>_v``, and recompute
    ``w = g * v / ||v||`` before every forward (``dim=None``: one norm for the whole
    tensor). Deprecated (a FutureWarning, as PyTorch): prefer
    ``nn.utils.parametrizations.weight_norm``.

    >>> m = nn.utils.weight_norm(nn.Linear(20, 40), name="weight")
    >>> m.weight_g.shape, m.weight_v.shape
    (tinygrad_edu.Size([40, 1]), tinygrad_edu.Size([40, 20]))
    """
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module: T_module, name: str = "weight") -> T_module:
    """Undo ``weight_norm``: ``module.<name>`` is a plain parameter again (its current value).

    >>> m = nn.utils.remove_weight_norm(nn.utils.weight_norm(nn.Linear(20, 40)))
    """
    for key, hook in module._forward_pre_hooks.items():
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")
