"""Context managers that are decorators too, as PyTorch's grad modes are
(``torch.autograd.grad_mode._DecoratorContextManager``): ``@tg.no_grad()`` and the bare
``@tg.no_grad`` on a function, or on a generator function, where the mode is applied
around each step (not only around the call, which merely creates the generator).

``core/grad_mode.py``'s modes get this from ``DecoratorContextManager`` and
``BareDecorator``; the engine itself never uses them as decorators.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

_Func = Callable[..., Any]

__all__ = ["BareDecorator", "DecoratorContextManager"]


class DecoratorContextManager:
    """A context manager that can also decorate a function: it then runs in the context."""

    def __enter__(self) -> None:
        raise NotImplementedError

    def __exit__(self, *exc: object) -> None:
        raise NotImplementedError

    def __call__(self, func: _Func) -> _Func:
        """Use as a decorator: ``func`` runs under this mode."""
        if inspect.isgeneratorfunction(func):
            return self._wrap_generator(func)

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)

        return wrapper

    def _wrap_generator(self, func: _Func) -> _Func:
        """A generator runs in steps: apply the mode around each step, as PyTorch does."""

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            gen = func(*args, **kwargs)
            sent = None
            while True:
                with self:
                    try:
                        item = gen.send(sent)
                    except StopIteration as stop:
                        return stop.value
                sent = yield item

        return wrapper


class BareDecorator(DecoratorContextManager):
    """Lets ``@no_grad`` be written without parentheses, as PyTorch allows."""

    def __new__(cls, orig_func: _Func | None = None) -> Any:
        self = super().__new__(cls)
        if orig_func is None:
            return self
        self.__init__()  # type: ignore[misc]
        return self(orig_func)
