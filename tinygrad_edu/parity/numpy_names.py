"""numpy's keyword spellings, accepted as PyTorch's argument parser accepts them.

PyTorch's C++-parsed functions and Tensor methods (``python_arg_parser.cpp``,
``numpy_compatibility_arg_names``) take ``axis=`` for ``dim=``, ``keepdims=`` for
``keepdim=``, ``x=``/``a=``/``x1=`` for ``input=`` and ``x2=`` for ``other=``:
``torch.sum(t, axis=0)``, ``t.argmax(axis=1, keepdims=True)``, ``torch.cat(ts, axis=0)``.
Passing a parameter under both names (``t.sum(0, axis=0)``) is PyTorch's TypeError
"sum() got an unexpected keyword argument 'axis'". The functions PyTorch writes in Python
(``Tensor.split``, ``torch.norm``, ...) take no aliases: neither do ours.

``accept_numpy_names`` wraps, once at import, each function whose parameters include a
name with an alias; its wrapper renames the keywords and calls the function. A call
without keywords goes straight through, and ``inspect.signature`` shows the function's own.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

__all__ = ["ALIASES", "PYTHON_LEVEL", "PYTHON_LEVEL_METHODS", "accept_numpy_names",
           "accept_numpy_names_in_class"]

# alias -> PyTorch's parameter name (numpy_compatibility_arg_names)
ALIASES = {"axis": "dim", "keepdims": "keepdim", "x": "input", "a": "input", "x1": "input",
           "x2": "other"}
# written in Python in PyTorch, so not through its argument parser: no aliases there
PYTHON_LEVEL = frozenset({"norm", "split", "unique", "unique_consecutive"})
PYTHON_LEVEL_METHODS = PYTHON_LEVEL | {"unflatten"}  # (torch.unflatten is parsed)


def _parameters(func: Callable[..., Any]) -> tuple[tuple[str, ...], int] | None:
    """The names of ``func``'s parameters and how many can be given by position, read from
    its code (fast: no inspect), or from the ``__signature__`` a wrapper such as an
    in-place form (``tensor_base._inplace_form``) states."""
    signature = getattr(func, "__signature__", None)
    if signature is not None:
        kinds = [(p.name, p.kind) for p in signature.parameters.values()]
        names = tuple(n for n, k in kinds if k not in (k.VAR_POSITIONAL, k.VAR_KEYWORD))
        return names, sum(k in (k.POSITIONAL_ONLY, k.POSITIONAL_OR_KEYWORD) for _, k in kinds)
    code = getattr(func, "__code__", None)
    if code is None:
        return None
    return code.co_varnames[:code.co_argcount + code.co_kwonlyargcount], code.co_argcount


def accept_numpy_names(func: Callable[..., Any],
                       method: Callable[..., Any] | None = None) -> Callable[..., Any]:
    """``func`` taking numpy's keyword spellings too, or ``func`` itself when it has none
    of the parameters they stand for (or PyTorch gives it none). ``method``: the Tensor
    method that a module-level ``func(input, *args, **kwargs)`` forwards to, whose
    parameters (``self`` standing for ``input``) are then func's."""
    found = _parameters(func if method is None else getattr(method, "__wrapped__", method))
    if found is None:
        return func
    params, positional = found
    if method is not None:
        params = ("input", *params[1:])
    python_level = PYTHON_LEVEL_METHODS if params[:1] == ("self",) else PYTHON_LEVEL
    if func.__name__ in python_level:
        return func
    renames = {alias: name for alias, name in ALIASES.items()
               if name in params and alias not in params}
    if not renames:
        return func
    positions = {name: params.index(name) for name in renames.values()
                 if params.index(name) < positional}

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not kwargs:  # the usual call: nothing to rename
            return func(*args)
        for alias in renames.keys() & kwargs.keys():
            name = renames[alias]
            if name in kwargs or positions.get(name, len(args)) < len(args):
                raise TypeError(f"{func.__name__}() got an unexpected keyword argument "
                                f"'{alias}'")
            kwargs[name] = kwargs.pop(alias)
        return func(*args, **kwargs)

    return wrapper


def accept_numpy_names_in_class(cls: type) -> type:
    """Class decorator: every public method of ``cls`` (its bases' included) takes numpy's
    keyword spellings, through ``accept_numpy_names``."""
    for name in dir(cls):
        if name.startswith("_"):
            continue
        method = getattr(cls, name)
        if not callable(method) or isinstance(method, (type, staticmethod, classmethod)):
            continue
        for klass in cls.__mro__:  # the plain function as defined (not a bound classmethod)
            if name in klass.__dict__:
                method = klass.__dict__[name]
                break
        if isinstance(method, (staticmethod, classmethod)) or not hasattr(method, "__code__"):
            continue
        wrapped = accept_numpy_names(method)
        if wrapped is not method:
            setattr(cls, name, wrapped)
    return cls
