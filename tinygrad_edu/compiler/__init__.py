"""``tg.compile``: record a step once, replay it as straight-line numpy, bit-identical.

This package exists for speed. The eager engine spends most of a small model's step in
Python -- making Tensors and graph nodes nobody looks at, step after step. ``tg.compile``
runs the step eagerly once more while recording every numpy call it makes (forward, the
backward walk, the optimizer's in-place updates, ``.grad`` writes), and then replays just
those calls. See ``docs/compile.md``.

    recorder.py   the ndarray subclass that logs each numpy call, and how escapes are found
    optimize.py   the passes: dead code, constant folding, buffers and views made once
    program.py    the recording as straight-line numpy: replay with buffers reused, explain()
    guards.py     what a step captures, and the facts a recording assumed
    compiled.py   warm-up, record, check against eager, replay, or run eagerly and say why
    module.py     tg.compile(module): a forward and its backward behind one graph node

Example:
    >>> step = tg.compile(train_step)     # train_step: zero_grad, forward, backward, step
    >>> for _ in range(1000):
    ...     loss = step()
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..nn.modules.module import Module
from .compiled import CompiledFunction
from .module import OptimizedModule

__all__ = ["compile", "CompiledFunction", "OptimizedModule"]


def compile(
    model: Callable[..., Any] | None = None,
    *,
    fullgraph: bool = False,
    dynamic: bool | None = None,
    backend: str | Callable[..., Any] | None = None,
    mode: str | None = None,
    options: dict[str, str | int | bool | Callable[..., Any]] | None = None,
    name: str | None = None,
    disable: bool = False,
    recompile_limit: int | None = None,
    isolate_recompiles: bool = False,
    shapes_spec: Any = None,
) -> Any:
    """Compile a training step (or any function of tensors), as ``torch.compile``.

    ``tg.compile(fn)`` returns a :class:`CompiledFunction`: its first call runs eagerly,
    the second records every numpy call, the third replays and checks the replay against
    an eager run bit for bit, and later calls replay the recording alone -- as long as its
    guards hold (shapes, dtypes, requires_grad, grad mode, the captured tensors, training
    flags, optimizer settings, Python numbers). A step that reads a value Python could
    branch on (``if loss.item() > 1``), draws random numbers, or does something the
    recorder cannot follow runs eagerly, with a warning saying why.

    ``tg.compile(module)`` returns an :class:`OptimizedModule` (PyTorch's): the module, as
    ``_orig_mod``, with its forward compiled -- with grad on, a recorded forward and a
    recorded backward behind one ``CompiledFunctionBackward`` node, so that the training
    loop around it (loss, ``backward()``, ``opt.step()``) stays eager; see
    ``compiler/module.py``. ``tg.compile`` with no function is a decorator.
    The other keywords are PyTorch's; ``disable=True`` returns ``model`` unchanged and
    ``recompile_limit`` caps how many programs one function records (default 8).

    Example:
        >>> model = tg.nn.Linear(1, 1)
        >>> opt = tg.optim.SGD(model.parameters(), lr=0.1)
        >>> @tg.compile
        ... def step():
        ...     opt.zero_grad()
        ...     loss = ((model(x) - y) ** 2).mean()
        ...     loss.backward()
        ...     opt.step()
        ...     return loss
    """
    limit = 8 if recompile_limit is None else recompile_limit
    if model is None:
        return lambda fn: compile(fn, disable=disable, recompile_limit=limit)
    if disable:
        return model
    if isinstance(model, Module):
        return OptimizedModule(model, limit)
    return CompiledFunction(model, limit)
