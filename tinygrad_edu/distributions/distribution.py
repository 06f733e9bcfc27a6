"""``Distribution``: what every distribution shares (``torch.distributions.Distribution``):
its batch and event shapes, ``sample`` (no gradient) and ``rsample`` (reparameterized:
gradients flow to the parameters), ``log_prob``, ``entropy``, and the shape of a draw."""

from __future__ import annotations

import copy
from typing import Any

from .. import creation
from ..core.grad_mode import no_grad
from ..functional import broadcast_shapes
from ..tensor import Size, Tensor
from . import constraints
from .constraints import Constraint

__all__ = ["Distribution", "LocationScale", "broadcast_all"]


class Distribution:
    """A probability distribution whose parameters are tensors (a batch of distributions
    when they have dims): ``sample(shape)`` draws ``shape + batch_shape + event_shape``.

    >>> from tinygrad_edu.distributions import Normal
    >>> Normal(tg.zeros(3), 1.0).sample((2,)).shape
    tinygrad_edu.Size([2, 3])
    """

    has_rsample = False
    _validate_args = True  # (PyTorch's default: on, unless Python runs with -O)

    def __init__(self, batch_shape: Any = (), event_shape: Any = (),
                 validate_args: bool | None = None) -> None:
        self._batch_shape = Size(batch_shape)
        self._event_shape = Size(event_shape)
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            for name, constraint in self.arg_constraints.items():
                value = self.__dict__.get(name)
                if value is not None and not bool(constraint.check(value).all()):
                    raise ValueError(
                        f"Expected parameter {name} ({type(value).__name__} of shape "
                        f"{tuple(value.shape)}) of distribution {self!r} to satisfy the "
                        f"constraint {constraint!r}, but found invalid values:\n{value}")

    @staticmethod
    def set_default_validate_args(value: bool) -> None:
        """Whether new distributions check their parameters and ``log_prob``'s values."""
        Distribution._validate_args = value

    @property
    def arg_constraints(self) -> dict[str, Constraint]:
        """What each parameter must satisfy, by name (a subclass may also set it as a class
        attribute, as in PyTorch)."""
        return {}

    @property
    def support(self) -> Constraint:
        """The set of values a draw can take (a subclass may set it as a class attribute)."""
        raise NotImplementedError

    def _validate_sample(self, value: Tensor) -> None:
        """``log_prob``'s check of its value: a tensor whose right-most dims are the event
        shape, broadcastable with the batch, in the support; else PyTorch's ValueError."""
        if not self._validate_args:
            return
        if not isinstance(value, Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        event_start = len(value.size()) - len(self._event_shape)
        if value.size()[event_start:] != self._event_shape:
            raise ValueError(f"The right-most size of value must match event_shape: "
                             f"{value.size()} vs {self._event_shape}.")
        expected = Size(tuple(self._batch_shape) + tuple(self._event_shape))
        for i, j in zip(reversed(value.size()), reversed(expected)):
            if i != 1 and j != 1 and i != j:
                raise ValueError(f"Value is not broadcastable with batch_shape+event_shape: "
                                 f"{value.size()} vs {expected}.")
        support = self.support
        if not bool(support.check(value).all()):
            raise ValueError(
                f"Expected value argument ({type(value).__name__} of shape "
                f"{tuple(value.shape)}) to be within the support ({support!r}) of the "
                f"distribution {self!r}, but found invalid values:\n{value}")

    @property
    def batch_shape(self) -> Size:
        """The shape of the batch of distributions (the parameters' broadcast shape)."""
        return self._batch_shape

    @property
    def event_shape(self) -> Size:
        """The shape of one draw of one distribution (() for a number)."""
        return self._event_shape

    def expand(self, batch_shape: Any, _instance: Any = None) -> Distribution:
        """The same distribution over a bigger batch: each parameter expanded (a view, no
        copy) to ``batch_shape`` + its own event dims; the new one is not re-validated.

        >>> from tinygrad_edu.distributions import Normal
        >>> Normal(0.0, 1.0).expand((3,)).batch_shape
        tinygrad_edu.Size([3])
        """
        batch_shape = Size(batch_shape)
        new = copy.copy(self) if _instance is None else _instance
        for name in self._params + self._expanded:
            value = self.__dict__.get(name)
            if isinstance(value, Tensor):
                extra = tuple(value.shape[len(self._batch_shape):])
                new.__dict__[name] = value.expand(tuple(batch_shape) + extra)
        new._batch_shape = batch_shape
        return new

    def _extended_shape(self, sample_shape: Any = ()) -> Size:
        return Size(tuple(sample_shape) + tuple(self._batch_shape) + tuple(self._event_shape))

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """A draw of shape ``sample_shape + batch_shape + event_shape``, outside any graph."""
        with no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """A reparameterized draw: a function of the parameters, so gradients reach them."""
        raise NotImplementedError(f"{type(self).__name__} has no rsample: its draws are not "
                                  "a differentiable function of its parameters")

    def log_prob(self, value: Tensor) -> Tensor:
        """The log of the density (or mass) at ``value``."""
        raise NotImplementedError

    def entropy(self) -> Tensor:
        """The entropy of each distribution of the batch."""
        raise NotImplementedError

    def perplexity(self) -> Tensor:
        """``exp(entropy)``."""
        return self.entropy().exp()

    def cdf(self, value: Tensor) -> Tensor:
        """The cumulative distribution function at ``value``."""
        raise NotImplementedError

    def icdf(self, value: Tensor) -> Tensor:
        """The inverse of ``cdf``: the value whose cdf is ``value``."""
        raise NotImplementedError

    @property
    def mean(self) -> Tensor:
        """The mean of each distribution of the batch."""
        raise NotImplementedError(f"{type(self)} does not implement mean")

    @property
    def mode(self) -> Tensor:
        """The most likely value of each distribution of the batch."""
        raise NotImplementedError(f"{type(self)} does not implement mode")

    @property
    def variance(self) -> Tensor:
        """The variance of each distribution of the batch."""
        raise NotImplementedError(f"{type(self)} does not implement variance")

    @property
    def stddev(self) -> Tensor:
        """The standard deviation: the square root of ``variance``."""
        return self.variance.sqrt()

    _params: tuple[str, ...] = ()  # (the parameters repr shows, in PyTorch's order)
    _expanded: tuple[str, ...] = ()  # (other batch-shaped tensors that expand() expands)

    def __repr__(self) -> str:
        shown = [name for name in self._params if name in self.__dict__]
        args = ", ".join(f"{name}: {_short(self.__dict__[name])}" for name in shown)
        return f"{type(self).__name__}({args})"


def _short(t: Tensor) -> Any:
    # (PyTorch formats the tensor: a number when 0-dim, "tensor([...])" for one element)
    if t.numel() != 1:
        return t.size()
    return t.item() if t.dim() == 0 else t


def broadcast_all(*values: Any) -> tuple[Tensor, ...]:
    """The parameters as tensors of one broadcast shape (numbers in the default dtype, or
    in the dtype of the first tensor among them)."""
    like = next((v for v in values if isinstance(v, Tensor)), None)
    dtype = None if like is None else like.dtype
    tensors = [v if isinstance(v, Tensor) else creation.tensor(float(v), dtype=dtype)
               for v in values]
    shape = broadcast_shapes(*[t.shape for t in tensors])
    # (a tensor already of that shape is itself: a leaf stays a leaf, its .grad filled)
    return tuple(t if t.shape == shape else t.expand(shape) for t in tensors)


class LocationScale(Distribution):
    """What a distribution over the reals with a location ``loc`` and a scale ``scale``
    (> 0) shares: its parameters, their checks and its support (``Normal``, ``Laplace``,
    ``Cauchy``; PyTorch writes these lines in each).

    >>> from tinygrad_edu.distributions import Laplace
    >>> Laplace(0.0, 2.0).arg_constraints["scale"]
    GreaterThan(lower_bound=0.0)
    """

    has_rsample = True
    _params = ("loc", "scale")

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(self.loc.shape, validate_args=validate_args)

    @property
    def arg_constraints(self) -> dict[str, Constraint]:
        return {"loc": constraints.real, "scale": constraints.positive}

    @property
    def support(self) -> Constraint:
        return constraints.real
