"""Activation layers, as in ``torch.nn``: each is a thin Module over ``nn.functional``."""

from __future__ import annotations

import warnings
from typing import Any

from ... import _device
from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .linear import _empty
from .module import Module

__all__ = [
    "ReLU",
    "ReLU6",
    "Hardtanh",
    "LeakyReLU",
    "RReLU",
    "Sigmoid",
    "Tanh",
    "GELU",
    "Softmax",
    "Softmax2d",
    "LogSoftmax",
    "CELU",
    "SELU",
    "Hardsigmoid",
    "Hardswish",
    "Mish",
    "Softsign",
    "Softmin",
    "LogSigmoid",
    "GLU",
    "Threshold",
    "PReLU",
    "Tanhshrink",
    "Softshrink",
    "Hardshrink",
]


class ReLU(Module):
    """ReLU(x) = max(0, x).

    >>> nn.ReLU()(tg.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        """max(0, x) elementwise."""
        return F.relu(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Hardtanh(Module):
    """Hardtanh(x) = clamp(x, min_val, max_val).

    >>> nn.Hardtanh()(tg.tensor([-2.0, 0.5, 2.0]))
    tensor([-1.0000,  0.5000,  1.0000])
    """

    def __init__(
        self,
        min_val: float = -1.0,
        max_val: float = 1.0,
        inplace: bool = False,
        min_value: float | None = None,
        max_value: float | None = None,
    ) -> None:
        super().__init__()
        if min_value is not None:  # PyTorch's old names, still accepted with a warning
            warnings.warn("keyword argument `min_value` is deprecated and renamed to `min_val`",
                          FutureWarning, stacklevel=2)
            min_val = min_value
        if max_value is not None:
            warnings.warn("keyword argument `max_value` is deprecated and renamed to `max_val`",
                          FutureWarning, stacklevel=2)
            max_val = max_value
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace
        if max_val <= min_val:
            raise AssertionError(f"max_val ({max_val}) must be greater than min_val ({min_val})")

    def forward(self, input: Tensor) -> Tensor:
        """clamp(x, min_val, max_val) elementwise (gradient 0 at the bounds)."""
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        inplace = ", inplace=True" if self.inplace else ""
        return f"min_val={self.min_val}, max_val={self.max_val}{inplace}"


class ReLU6(Hardtanh):
    """ReLU6(x) = min(max(0, x), 6).

    >>> nn.ReLU6()(tg.tensor([-1.0, 3.0, 8.0]))
    tensor([0., 3., 6.])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    """LeakyReLU(x) = x if x > 0 else negative_slope * x.

    >>> nn.LeakyReLU(0.1)(tg.tensor([-1.0, 2.0]))
    tensor([-0.1000,  2.0000])
    """

    def __init__(self, negative_slope: float = 1e-2, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        """x or negative_slope * x, elementwise."""
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        inplace = ", inplace=True" if self.inplace else ""
        return f"negative_slope={self.negative_slope}{inplace}"


class RReLU(Module):
    """Randomized leaky ReLU: x if x > 0 else a * x, with ``a`` drawn from U(lower, upper)
    for each element in training mode and (lower + upper) / 2 in eval mode; see
    ``F.rrelu``.

    >>> nn.RReLU(0.1, 0.3).eval()(tg.tensor([-1.0, 2.0]))
    tensor([-0.2000,  2.0000])
    """

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
                 inplace: bool = False) -> None:
        super().__init__()
        self.lower = lower
        self.upper = upper
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        """``F.rrelu`` with this layer's bounds and mode."""
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self) -> str:
        inplace = ", inplace=True" if self.inplace else ""
        return f"lower={self.lower}, upper={self.upper}{inplace}"


class SiLU(Module):
    """SiLU(x) = x * sigmoid(x), also called swish.

    >>> nn.SiLU()(tg.tensor([0.0, 1.0]))
    tensor([0.0000, 0.7311])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        """x * sigmoid(x) elementwise."""
        return F.silu(input, self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class ELU(Module):
    """ELU(x) = x if x > 0 else alpha * (exp(x) - 1).

    >>> nn.ELU()(tg.tensor([-1.0, 2.0]))
    tensor([-0.6321,  2.0000])
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        """x or alpha * (exp(x) - 1), elementwise."""
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class Softplus(Module):
    """Softplus(x) = log(1 + exp(beta * x)) / beta: a smooth ReLU (x where beta x > threshold).

    >>> nn.Softplus()(tg.tensor([0.0]))
    tensor([0.6931])
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input: Tensor) -> Tensor:
        """log(1 + exp(beta x)) / beta elementwise."""
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Sigmoid(Module):
    """Sigmoid(x) = 1 / (1 + exp(-x)).

    >>> nn.Sigmoid()(tg.tensor([0.0]))
    tensor([0.5000])
    """

    def forward(self, input: Tensor) -> Tensor:
        """1 / (1 + exp(-x)) elementwise."""
        return input.sigmoid()


class Tanh(Module):
    """Tanh(x) = (e^x - e^-x) / (e^x + e^-x).

    >>> nn.Tanh()(tg.tensor([0.0]))
    tensor([0.])
    """

    def forward(self, input: Tensor) -> Tensor:
        """tanh(x) elementwise."""
        return input.tanh()


class GELU(Module):
    """GELU(x) = x * Phi(x) (Phi: standard normal CDF); ``approximate='tanh'`` uses
    0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).

    >>> nn.GELU()(tg.tensor([0.0]))
    tensor([0.])
    """

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        """x * Phi(x) elementwise."""
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softmax(Module):
    """Softmax(x)_i = exp(x_i) / sum_j exp(x_j) along ``dim`` (outputs sum to 1).

    Do not put it before ``CrossEntropyLoss``: that loss takes raw logits.

    >>> nn.Softmax(dim=1)(tg.zeros(1, 4))
    tensor([[0.2500, 0.2500, 0.2500, 0.2500]])
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        """softmax along ``dim``."""
        return F.softmax(input, self.dim, _stacklevel=5)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax2d(Module):
    """Softmax over the channels at each location: of (N, C, H, W) or (C, H, W) along
    dim -3, so that each pixel's C values sum to 1.

    >>> nn.Softmax2d()(tg.zeros(2, 1, 1))
    tensor([[[0.5000]],
    <BLANKLINE>
            [[0.5000]]])
    """

    def forward(self, input: Tensor) -> Tensor:
        """softmax along dim -3 of a 3-D or 4-D input."""
        if input.dim() not in (3, 4):
            raise ValueError(
                f"Softmax2d: expected input to be 3D or 4D, got {input.dim()}D instead"
            )
        return F.softmax(input, -3, _stacklevel=5)


class LogSoftmax(Module):
    """LogSoftmax(x)_i = x_i - log(sum_j exp(x_j)) along ``dim`` (pairs with NLLLoss).

    >>> nn.LogSoftmax(dim=1)(tg.zeros(1, 2))
    tensor([[-0.6931, -0.6931]])
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        """log_softmax along ``dim``."""
        return F.log_softmax(input, self.dim, _stacklevel=5)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class _InplaceActivation(Module):
    """An activation whose only option is ``inplace``: ``forward`` calls ``_fn`` (the
    ``F.xxx`` it wraps)."""

    _fn: Any

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        """The activation, elementwise (see the class docstring)."""
        return type(self)._fn(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class CELU(Module):
    """CELU(x) = max(0, x) + min(0, alpha (exp(x / alpha) - 1)).

    >>> nn.CELU(alpha=2.0)(tg.tensor([-1.0, 2.0]))
    tensor([-0.7869,  2.0000])
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        """``F.celu(input, alpha, inplace)``."""
        return F.celu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class SELU(_InplaceActivation):
    """SELU(x) = scale (max(0, x) + min(0, alpha (exp(x) - 1))), alpha = 1.6733,
    scale = 1.0507 (self-normalizing networks).

    >>> nn.SELU()(tg.tensor([-1.0, 2.0]))
    tensor([-1.1113,  2.1014])
    """

    _fn = staticmethod(F.selu)


class Hardsigmoid(_InplaceActivation):
    """Hardsigmoid(x) = relu6(x + 3) / 6: 0 below -3, 1 above 3, linear between.

    >>> nn.Hardsigmoid()(tg.tensor([-4.0, 0.0, 1.5]))
    tensor([0.0000, 0.5000, 0.7500])
    """

    _fn = staticmethod(F.hardsigmoid)

    def extra_repr(self) -> str:
        return ""  # (PyTorch's repr leaves out inplace here)


class Hardswish(_InplaceActivation):
    """Hardswish(x) = x relu6(x + 3) / 6.

    >>> nn.Hardswish()(tg.tensor([-4.0, 1.0, 4.0]))
    tensor([-0.0000,  0.6667,  4.0000])
    """

    _fn = staticmethod(F.hardswish)

    def extra_repr(self) -> str:
        return ""  # (PyTorch's repr leaves out inplace here)


class Mish(_InplaceActivation):
    """Mish(x) = x tanh(softplus(x)).

    >>> nn.Mish()(tg.tensor([0.0, 1.0]))
    tensor([0.0000, 0.8651])
    """

    _fn = staticmethod(F.mish)


class Softsign(Module):
    """Softsign(x) = x / (1 + |x|).

    >>> nn.Softsign()(tg.tensor([-1.0, 3.0]))
    tensor([-0.5000,  0.7500])
    """

    def forward(self, input: Tensor) -> Tensor:
        """``F.softsign(input)``."""
        return F.softsign(input)


class Tanhshrink(Module):
    """Tanhshrink(x) = x - tanh(x).

    >>> nn.Tanhshrink()(tg.tensor([0.0, 1.0]))
    tensor([0.0000, 0.2384])
    """

    def forward(self, input: Tensor) -> Tensor:
        """``F.tanhshrink(input)``."""
        return F.tanhshrink(input)


class LogSigmoid(Module):
    """LogSigmoid(x) = log(1 / (1 + exp(-x))), stable for any x.

    >>> nn.LogSigmoid()(tg.tensor([0.0]))
    tensor([-0.6931])
    """

    def forward(self, input: Tensor) -> Tensor:
        """``F.logsigmoid(input)``."""
        return F.logsigmoid(input)


class Softmin(Module):
    """Softmin(x)_i = exp(-x_i) / sum_j exp(-x_j) along ``dim``: softmax of -x.

    >>> nn.Softmin(dim=1)(tg.zeros(1, 2))
    tensor([[0.5000, 0.5000]])
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        """softmin along ``dim``."""
        return F.softmin(input, self.dim, _stacklevel=5)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class GLU(Module):
    """GLU(a, b) = a * sigmoid(b), a and b the halves of the input along ``dim``.

    Shapes: input (*, 2N, *), output (*, N, *).

    >>> nn.GLU()(tg.tensor([1.0, 2.0, 0.0, 0.0]))
    tensor([0.5000, 1.0000])
    """

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        """``F.glu(input, dim)``."""
        return F.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Threshold(Module):
    """Threshold(x) = x if x > threshold else value.

    >>> nn.Threshold(0.1, 20.0)(tg.tensor([0.05, 0.5]))
    tensor([20.0000,  0.5000])
    """

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        """``F.threshold(input, threshold, value, inplace)``."""
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        inplace = ", inplace=True" if self.inplace else ""
        return f"threshold={self.threshold}, value={self.value}{inplace}"


class Softshrink(Module):
    """Softshrink(x) = x - lambd if x > lambd, x + lambd if x < -lambd, else 0.

    >>> nn.Softshrink()(tg.tensor([-1.0, 0.2, 2.0]))
    tensor([-0.5000,  0.0000,  1.5000])
    """

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Tensor) -> Tensor:
        """``F.softshrink(input, lambd)``."""
        return F.softshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return str(self.lambd)


class Hardshrink(Softshrink):
    """Hardshrink(x) = x if |x| > lambd else 0.

    >>> nn.Hardshrink()(tg.tensor([-1.0, 0.2, 2.0]))
    tensor([-1.,  0.,  2.])
    """

    def forward(self, input: Tensor) -> Tensor:
        """``F.hardshrink(input, lambd)``."""
        return F.hardshrink(input, self.lambd)


class PReLU(Module):
    """PReLU(x) = x if x > 0 else a x, with a learned slope ``weight`` a: one shared by
    every channel (``num_parameters=1``) or one per channel (dim 1 of the input), each
    starting at ``init``.

    >>> nn.PReLU()(tg.tensor([-2.0, 3.0]))
    tensor([-0.5000,  3.0000], grad_fn=<PreluKernelBackward0>)
    """

    def __init__(
        self, num_parameters: int = 1, init: float = 0.25, device: Any = None, dtype: Any = None
    ) -> None:
        _device.check(device)
        super().__init__()
        self.num_parameters = num_parameters
        self.init = init
        self.weight = Parameter(_empty((num_parameters,), dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Set every slope to ``init``."""
        init.constant_(self.weight, self.init)

    def forward(self, input: Tensor) -> Tensor:
        """``F.prelu(input, weight)``."""
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"
