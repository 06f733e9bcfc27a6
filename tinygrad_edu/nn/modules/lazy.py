"""Lazy modules, as ``torch.nn``'s: ``LazyLinear(10)`` needs no ``in_features``. Its
parameters start uninitialized (``UninitializedParameter``); the first forward reads the
missing size from its input, makes them (drawing PyTorch's random numbers then, in
PyTorch's order) and the module becomes a plain ``Linear``. d2l's chapters build every
network this way.

>>> layer = nn.LazyLinear(2)
>>> layer.weight
<UninitializedParameter>
>>> layer(tg.ones(3, 4)).shape, type(layer).__name__, layer.weight.shape
(tinygrad_edu.Size([3, 2]), 'Linear', tinygrad_edu.Size([2, 4]))
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...core.grad_mode import no_grad
from ...tensor import _wrap
from ..parameter import UninitializedBuffer, UninitializedParameter
from .batchnorm import BatchNorm1d, BatchNorm2d, BatchNorm3d
from .conv import Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from .instancenorm import InstanceNorm1d, InstanceNorm2d, InstanceNorm3d
from .linear import Linear
from .module import Module

__all__ = ["LazyBatchNorm1d", "LazyBatchNorm2d", "LazyBatchNorm3d", "LazyConv1d", "LazyConv2d",
           "LazyConv3d", "LazyConvTranspose1d", "LazyConvTranspose2d", "LazyConvTranspose3d",
           "LazyInstanceNorm1d", "LazyInstanceNorm2d", "LazyInstanceNorm3d", "LazyLinear",
           "LazyModuleMixin"]


def _uninitialized(value: Any) -> bool:
    return isinstance(value, (UninitializedParameter, UninitializedBuffer))


class LazyModuleMixin:
    """What a lazy module adds: a forward pre-hook that, at the first call, runs
    ``initialize_parameters(*inputs)``, then removes itself and turns the module into
    ``cls_to_become`` (``LazyLinear`` into ``Linear``)."""

    cls_to_become: type[Module] | None = None

    def _make_lazy(self) -> None:
        self._initialize_hook = self.register_forward_pre_hook(  # type: ignore[attr-defined]
            _infer_parameters)
        self._load_hook = self.register_load_state_dict_pre_hook(  # type: ignore[attr-defined]
            _lazy_load_hook)

    def has_uninitialized_params(self) -> bool:
        """Whether a parameter or buffer is still uninitialized."""
        own = self.__dict__
        return any(_uninitialized(v) for d in (own["_parameters"], own["_buffers"])
                   for v in d.values())

    def initialize_parameters(self, *args: Any, **kwargs: Any) -> None:
        """Make the parameters from the first input (each lazy module says how)."""
        raise NotImplementedError(f"initialize_parameters is not implemented for "
                                  f"{type(self).__name__}")


def _infer_parameters(module: Any, args: tuple[Any, ...]) -> None:
    """The pre-hook: initialize from the first input, then become the plain module."""
    module.initialize_parameters(*args)
    if module.has_uninitialized_params():
        raise RuntimeError(f"module {type(module).__name__} has not been fully initialized")
    module._initialize_hook.remove()
    module._load_hook.remove()
    del module._initialize_hook, module._load_hook
    if module.cls_to_become is not None:
        module.__class__ = module.cls_to_become


def _lazy_load_hook(module: Any, state_dict: Any, prefix: str, *args: Any) -> None:
    """A checkpoint loaded before the first forward gives its shapes to what is still
    uninitialized (d2l's ``clone.load_state_dict(torch.load(...))`` of a lazy MLP)."""
    own = module.__dict__
    for name, value in [*own["_parameters"].items(), *own["_buffers"].items()]:
        if _uninitialized(value) and prefix + name in state_dict:
            value.materialize(tuple(state_dict[prefix + name].shape))


class LazyLinear(LazyModuleMixin, Linear):
    """``Linear`` whose ``in_features`` is the last dim of its first input.

    >>> nn.LazyLinear(3)
    LazyLinear(in_features=0, out_features=3, bias=True)
    """

    cls_to_become = Linear

    def __init__(self, out_features: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(0, 0, False, device, dtype)
        self.weight = UninitializedParameter(dtype=dtype)
        self.out_features = out_features
        if bias:
            self.bias = UninitializedParameter(dtype=dtype)
        self._make_lazy()

    def reset_parameters(self) -> None:
        """Linear's draws, once the parameters exist."""
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Any, *args: Any, **kwargs: Any) -> None:
        """``in_features`` from ``input``'s last dim; weight (out, in) and bias (out,).
        (Parameters a checkpoint gave their shapes keep their values.)"""
        if self.has_uninitialized_params():
            with no_grad():
                self.in_features = input.shape[-1]
                self.weight.materialize((self.out_features, self.in_features))
                if self.bias is not None:
                    self.bias.materialize((self.out_features,))
                self.reset_parameters()
        if self.in_features == 0:  # (loaded from a checkpoint)
            if input.shape[-1] != self.weight.shape[-1]:
                raise AssertionError(f"The in_features inferred from input: {input.shape[-1]} "
                                     "is not equal to in_features from self.weight: "
                                     f"{self.weight.shape[-1]}")
            self.in_features = input.shape[-1]


class _LazyConvMixin(LazyModuleMixin):
    """Lazy convolutions: ``in_channels`` is the input's dim 1 (dim 0 when unbatched)."""

    _n: int
    in_channels: int
    out_channels: int
    groups: int
    transposed: bool
    kernel_size: tuple[int, ...]
    weight: Any
    bias: Any

    def _lazy_parameters(self, bias: bool, out_channels: int, dtype: Any) -> None:
        self.weight = UninitializedParameter(dtype=dtype)
        self.out_channels = out_channels
        if bias:
            self.bias = UninitializedParameter(dtype=dtype)
        self._make_lazy()

    def reset_parameters(self) -> None:
        """The convolution's draws, once the parameters exist."""
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()  # type: ignore[misc]

    def initialize_parameters(self, input: Any, *args: Any, **kwargs: Any) -> None:
        """``in_channels`` from ``input``; the weight and bias then have their shapes."""
        if not self.has_uninitialized_params():
            return
        with no_grad():
            self.in_channels = input.shape[1] if input.ndim == self._n + 2 else input.shape[0]
            if self.in_channels % self.groups != 0:
                raise ValueError("in_channels must be divisible by groups")
            channels = (self.in_channels, self.out_channels // self.groups) if \
                self.transposed else (self.out_channels, self.in_channels // self.groups)
            self.weight.materialize(channels + tuple(self.kernel_size))
            if self.bias is not None:
                self.bias.materialize((self.out_channels,))
            self.reset_parameters()


def _lazy_conv(base: type[Module], transposed: bool) -> type[Module]:
    """``LazyConv2d`` and its kin: ``base`` (``Conv2d``) made with no input channels; the
    arguments are ``base``'s but ``in_channels``, in its order."""

    def conv(self: Any, out_channels: int, kernel_size: Any, stride: Any = 1,
             padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
             padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        base.__init__(self, 0, 0, kernel_size, stride, padding, dilation,  # type: ignore[misc]
                      groups, False, padding_mode, device, dtype)
        self._lazy_parameters(bias, out_channels, dtype)

    def conv_transpose(self: Any, out_channels: int, kernel_size: Any, stride: Any = 1,
                       padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                       bias: bool = True, dilation: Any = 1, padding_mode: str = "zeros",
                       device: Any = None, dtype: Any = None) -> None:
        base.__init__(self, 0, 0, kernel_size, stride, padding,  # type: ignore[misc]
                      output_padding, groups, False, dilation, padding_mode, device, dtype)
        self._lazy_parameters(bias, out_channels, dtype)

    __init__ = conv_transpose if transposed else conv
    kind = "ConvTranspose" if transposed else "Conv"
    name = f"Lazy{kind}{base._n}d"  # type: ignore[attr-defined]
    doc = (f"``{base.__name__}`` whose ``in_channels`` is read from its first input "
           f"(``nn.{name}(out_channels, kernel_size, ...)``).")
    return type(name, (_LazyConvMixin, base), {"__init__": __init__, "cls_to_become": base,
                                               "__doc__": doc, "__module__": __name__})


LazyConv1d = _lazy_conv(Conv1d, False)
LazyConv2d = _lazy_conv(Conv2d, False)
LazyConv3d = _lazy_conv(Conv3d, False)
LazyConvTranspose1d = _lazy_conv(ConvTranspose1d, True)
LazyConvTranspose2d = _lazy_conv(ConvTranspose2d, True)
LazyConvTranspose3d = _lazy_conv(ConvTranspose3d, True)


class _LazyNormMixin(LazyModuleMixin):
    """Lazy batch and instance norms: ``num_features`` is the input's dim 1 (also for an
    unbatched instance-norm input, as PyTorch: its check then rejects it)."""

    num_features: int
    affine: bool
    track_running_stats: bool
    weight: Any
    bias: Any
    running_mean: Any
    running_var: Any

    def _lazy_parameters(self, dtype: Any, bias: bool) -> None:
        if self.affine:
            self.weight = UninitializedParameter(dtype=dtype)
            if bias:
                self.bias = UninitializedParameter(dtype=dtype)
            else:
                self.register_parameter("bias", None)  # type: ignore[attr-defined]
        if self.track_running_stats:
            self.running_mean = UninitializedBuffer(dtype=dtype)
            self.running_var = UninitializedBuffer(dtype=dtype)
        self._make_lazy()

    def reset_parameters(self) -> None:
        """The norm's ones and zeros, once the parameters exist."""
        if not self.has_uninitialized_params() and self.num_features != 0:
            super().reset_parameters()  # type: ignore[misc]

    def initialize_parameters(self, input: Any, *args: Any, **kwargs: Any) -> None:
        """``num_features`` from ``input``'s dim 1; weight, bias and statistics (C,)."""
        if not self.has_uninitialized_params():
            return
        with no_grad():
            self.num_features = input.shape[1] if input.ndim > 1 else input.shape[0]
            for name in ("weight", "bias", "running_mean", "running_var"):
                value: Any = getattr(self, name, None)
                if _uninitialized(value):
                    value.materialize((self.num_features,))
            self.reset_parameters()


def _lazy_norm(base: type[Module]) -> type[Module]:
    """``LazyBatchNorm2d``, ``LazyInstanceNorm2d`` and their kin: ``base`` made with no
    features. (The lazy instance norms take the batch norms' defaults, ``affine=True`` and
    ``track_running_stats=True``, as PyTorch's do.)"""

    def __init__(self: Any, eps: float = 1e-5, momentum: Any = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None,
                 dtype: Any = None, *, bias: bool = True) -> None:
        base.__init__(self, 0, eps, momentum, False, False, device=device,  # type: ignore[misc]
                      dtype=dtype)
        self.affine, self.track_running_stats = affine, track_running_stats
        if track_running_stats:
            self.register_buffer("num_batches_tracked", _wrap(np.array(0, dtype=np.int64)))
        self._lazy_parameters(dtype, bias)

    name = f"Lazy{base.__name__}"
    doc = (f"``{base.__name__}`` whose ``num_features`` is read from its first input "
           f"(``nn.{name}()``).")
    return type(name, (_LazyNormMixin, base), {"__init__": __init__, "cls_to_become": base,
                                               "__doc__": doc, "__module__": __name__})


LazyBatchNorm1d = _lazy_norm(BatchNorm1d)
LazyBatchNorm2d = _lazy_norm(BatchNorm2d)
LazyBatchNorm3d = _lazy_norm(BatchNorm3d)
LazyInstanceNorm1d = _lazy_norm(InstanceNorm1d)
LazyInstanceNorm2d = _lazy_norm(InstanceNorm2d)
LazyInstanceNorm3d = _lazy_norm(InstanceNorm3d)
