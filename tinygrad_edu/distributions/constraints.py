"""What a distribution's parameters and values must satisfy (``torch.distributions
.constraints``): each constraint's ``check(value)`` is a bool tensor, and its repr is
PyTorch's, for the error a bad parameter or value raises."""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor

__all__ = ["Constraint", "boolean", "greater_than", "integer_interval", "interval",
           "less_than", "positive", "real", "real_vector", "simplex"]


class Constraint:
    """A set of values: ``check(value)`` says, element by element (or per event), which
    are in it."""

    event_dim = 0

    def check(self, value: Tensor) -> Tensor:
        """True where ``value`` satisfies the constraint."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__[1:]}()"


class _Real(Constraint):
    def check(self, value: Tensor) -> Tensor:
        return value == value  # (not NaN)


class _Boolean(Constraint):
    def check(self, value: Tensor) -> Tensor:
        return (value == 0) | (value == 1)


class _GreaterThan(Constraint):
    def __init__(self, lower_bound: Any) -> None:
        self.lower_bound = lower_bound

    def check(self, value: Tensor) -> Tensor:
        return self.lower_bound < value

    def __repr__(self) -> str:
        return f"GreaterThan(lower_bound={self.lower_bound})"


class _LessThan(Constraint):
    def __init__(self, upper_bound: Any) -> None:
        self.upper_bound = upper_bound

    def check(self, value: Tensor) -> Tensor:
        return value < self.upper_bound

    def __repr__(self) -> str:
        return f"LessThan(upper_bound={self.upper_bound})"


class _Interval(Constraint):
    def __init__(self, lower_bound: Any, upper_bound: Any) -> None:
        self.lower_bound, self.upper_bound = lower_bound, upper_bound

    def check(self, value: Tensor) -> Tensor:
        return (self.lower_bound <= value) & (value <= self.upper_bound)

    def __repr__(self) -> str:
        return f"Interval(lower_bound={self.lower_bound}, upper_bound={self.upper_bound})"


class _IntegerInterval(_Interval):
    def check(self, value: Tensor) -> Tensor:
        return (value % 1 == 0) & super().check(value)

    def __repr__(self) -> str:
        return f"IntegerInterval(lower_bound={self.lower_bound}, upper_bound={self.upper_bound})"


class _Simplex(Constraint):
    event_dim = 1

    def check(self, value: Tensor) -> Tensor:
        return (value >= 0).all(-1) & ((value.sum(-1) - 1).abs() < 1e-6)


class _IndependentReal(Constraint):
    event_dim = 1

    def check(self, value: Tensor) -> Tensor:
        return (value == value).all(-1)

    def __repr__(self) -> str:
        return "IndependentConstraint(Real(), 1)"


real = _Real()
boolean = _Boolean()
positive = _GreaterThan(0.0)
simplex = _Simplex()
real_vector = _IndependentReal()
greater_than, less_than, interval, integer_interval = (_GreaterThan, _LessThan, _Interval,
                                                       _IntegerInterval)
