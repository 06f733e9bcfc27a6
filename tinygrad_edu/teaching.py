"""Teaching mode: warnings for the classic mistakes of a first training loop.

Off by default; turn it on with ``tg.set_teaching_mode(True)`` or by setting the
environment variable ``TINYGRAD_EDU_TEACHING=1`` before the import. It warns
(``tg.teaching.TeachingWarning``, a ``UserWarning``, shown at *your* line) when:

1. a ``backward()`` adds to gradients left over from an earlier ``backward()``: the
   ``zero_grad()`` of the training loop is missing (or misplaced);
2. the output of softmax goes into ``cross_entropy`` / ``CrossEntropyLoss``, which
   applies log_softmax itself;
3. a model with ``Dropout`` runs under ``no_grad`` (evaluation) in training mode:
   ``model.eval()`` is missing;
4. ``optimizer.step()`` finds parameters without a gradient, and says why: the loss was
   cut from them by ``.detach()`` / ``.data``, their module ran under ``no_grad``, or the
   loss never reached them (a layer that forward does not use).

>>> tg.set_teaching_mode(True)
>>> loss = model(x).sum(); loss.backward(); opt.step()
>>> loss = model(x).sum(); loss.backward()     # TeachingWarning: zero_grad() is missing

When it is off, the framework pays one test at each hook (``Module.__call__``,
``Optimizer.step``, ``backward()``, ``detach()`` / ``.data``, ``F.cross_entropy``); when
it is on, each backward also walks the graph once. The framework never imports this
file: it calls ``core.grad_mode._teaching.hooks``, which ``set_teaching_mode(True)``
points at this module's hooks (``_Hooks``).
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import Any

import numpy as np

from .core.function import Node
from .core.grad_mode import _teaching, is_grad_enabled
from .param_names import registered_name

__all__ = ["TeachingWarning", "set_teaching_mode", "is_teaching_mode"]

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep

class TeachingWarning(UserWarning):
    """A likely mistake in a training loop (only in teaching mode)."""


def set_teaching_mode(mode: bool = True) -> None:
    """Turn teaching-mode warnings on or off (see the module docstring for what they catch).

    >>> tg.set_teaching_mode(True)
    """
    _teaching.hooks = _Hooks if mode else None
    _forget()


def is_teaching_mode() -> bool:
    """True when teaching-mode warnings are on."""
    return _teaching.hooks is not None


# What happened since the last optimizer.step(), keyed by id() of the parameter.
_cut: dict[int, str] = {}  # leaves behind a .detach()/.data on the way to a loss
_no_grad: dict[int, str] = {}  # parameters of modules that ran with grad mode off
_registry: dict[Any, Any] = {}  # warnings: each message once per line of user code


def _forget() -> None:
    for record in (_cut, _no_grad):
        record.clear()


# ------------------------------------------------------------------------------ hooks
def module_called(module: Any) -> None:
    """``Module.__call__``: remember the grad mode each parameter's module ran in.

    A module whose output is random in training mode (``Dropout``) says so by its
    ``_random_in_training`` attribute: teaching mode knows no layer by name."""
    grad_on = is_grad_enabled()
    for p in module._parameters.values():
        if p is not None:
            if not grad_on:
                _no_grad[id(p)] = _short_repr(module)
            else:
                _no_grad.pop(id(p), None)
    if not grad_on and module.training and getattr(module, "_random_in_training", False):
        _warn(f"{_short_repr(module)} ran in training mode with grad mode off: if you are "
              "evaluating the model, call model.eval() first (and model.train() before "
              "training again). In training mode Dropout zeroes random activations, so "
              "evaluation results are noisy and too low.")


def before_backward(roots: list[Any]) -> None:
    """``backward()``, before the engine runs: walk the graph it will differentiate."""
    leaves = _leaves(roots)
    stale = [t for t in leaves if t._grad is not None and bool(np.any(t._grad._data))]
    if stale:
        names = ", ".join(_name(t) for t in stale[:3]) + (", ..." if len(stale) > 3 else "")
        _warn(f"backward() adds to gradients left over from an earlier backward() "
              f"({len(stale)} tensor(s): {names}): .grad accumulates. Call "
              "optimizer.zero_grad() once per step, before loss.backward() (ignore this if "
              "you accumulate gradients over several batches on purpose).")


def before_step(optimizer: Any) -> None:
    """``Optimizer.step()``: parameters without a gradient, and why."""
    params = [p for group in optimizer.param_groups for p in group["params"]
              if p._requires_grad]
    missing = [p for p in params if p._grad is None]
    if missing and len(missing) == len(params):
        _warn("optimizer.step() was called but no parameter has a gradient: call "
              "loss.backward() before optimizer.step().")
    else:
        for p in missing:
            _warn(f"{_name(p)} received no gradient, so optimizer.step() leaves it "
                  f"unchanged: {_why(p)}")
    _forget()


def note_cut(node: Any, how: str) -> None:
    """``.detach()`` / ``.data`` of a computed tensor: the leaves behind it lose the way
    to any loss computed from the result."""
    for leaf in _leaves_below([node]):
        _cut.setdefault(id(leaf), how)


def check_cross_entropy_input(input: Any) -> None:
    """``F.cross_entropy``: was it given probabilities (softmax output) instead of logits?"""
    node = input.grad_fn
    data = input._data
    if node is not None:
        softmax = type(node).__name__.startswith("SoftmaxBackward")
    else:
        axis = 0 if data.ndim == 1 else 1
        softmax = data.ndim >= 1 and data.shape[axis] > 1 and bool(
            (data >= 0).all() and np.allclose(data.sum(axis=axis), 1.0, atol=1e-4))
    if softmax:
        _warn("cross_entropy / CrossEntropyLoss got probabilities (the output of softmax), "
              "but it applies log_softmax itself: softmax is applied twice, gradients shrink "
              "and training stalls. Pass the raw scores (logits): remove the softmax before "
              "the loss.")


class _Hooks:
    """What the framework calls while teaching mode is on (``core.grad_mode._teaching``)."""

    module_called = staticmethod(module_called)
    before_backward = staticmethod(before_backward)
    before_step = staticmethod(before_step)
    note_cut = staticmethod(note_cut)
    check_cross_entropy_input = staticmethod(check_cross_entropy_input)


# ------------------------------------------------------------------------------ helpers
def _leaves(roots: list[Any]) -> list[Any]:
    """The leaves (tensors that require grad and have no grad_fn) below ``roots``."""
    return _leaves_below([r.grad_fn if r.grad_fn is not None else r for r in roots])


def _leaves_below(start: list[Any]) -> list[Any]:
    out, stack, seen = [], list(start), set()
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if not isinstance(item, Node):  # a leaf Tensor
            out.append(item)
        else:
            stack.extend(p for p in item.parents if p is not None)
    return out


def _why(p: Any) -> str:
    if id(p) in _cut:
        return (f"detached: the way from it to the loss goes through {_cut[id(p)]}, which "
                "cuts the graph. Use the tensor itself (no .detach()/.data) in the loss.")
    if id(p) in _no_grad:
        return (f"under no_grad: its module {_no_grad[id(p)]} ran with grad mode off "
                "(tg.no_grad() / inference_mode()), so nothing was recorded for backward.")
    return ("not reached: the loss does not depend on it. Is its layer used in forward(), "
            "and does its output reach the loss?")


def _name(t: Any) -> str:
    """``0.weight``: the name the parameter's Module registered it under."""
    return registered_name(t) or f"a parameter of shape {list(t._data.shape)}"


def _short_repr(module: Any) -> str:
    extra = module.extra_repr() if hasattr(module, "extra_repr") else ""
    return f"{type(module).__name__}({extra})" if "\n" not in extra else type(module).__name__


def _warn(message: str) -> None:
    """Warn at the innermost line of user code (outside tinygrad_edu)."""
    frame: Any = sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(
            _PACKAGE_DIR):
        frame = frame.f_back
    if frame is None:
        warnings.warn(message, TeachingWarning, stacklevel=2)
        return
    filename = frame.f_code.co_filename
    module = os.path.splitext(os.path.basename(filename))[0]
    warnings.warn_explicit(message, TeachingWarning, filename, frame.f_lineno, module=module,
                           registry=_registry)


set_teaching_mode(os.environ.get("TINYGRAD_EDU_TEACHING", "").strip().lower() not in (
    "", "0", "false", "no", "off"))
