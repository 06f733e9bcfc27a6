"""``backward()`` and ``grad()``: start the engine (``core/engine.py``) from some outputs.

They check what PyTorch checks (a scalar output or a ``gradient``, outputs that require
grad, inputs that do), build the gradients the walk starts from, and hand over to
``engine.run_backward``. ``tg.autograd`` exposes them as ``torch.autograd`` does.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..core import engine
from ..core import function as _fn  # (_fn._Tensor, _fn._wrap: bound by tensor.py at import)
from ..core.grad_mode import _teaching, is_grad_enabled

__all__ = ["backward", "grad"]


def _root_grad(out: Any, gradient: Any, create_graph: bool, k: int = 0) -> Any:
    """The gradient that starts backward at ``out`` (1 for a scalar)."""
    if gradient is None:
        if out._data.size != 1:
            raise RuntimeError("grad can be implicitly created only for scalar outputs. Hint: "
                               f"the output has shape {list(out.shape)}; reduce it first "
                               "(e.g. loss.sum() or loss.mean()) or pass gradient=.")
        array = np.ones(out._data.shape, dtype=out._data.dtype) if out._data.ndim else \
            np.array(1, dtype=out._data.dtype)  # (the common scalar loss: the cheap way)
    else:
        array = gradient._data if isinstance(gradient, _fn._Tensor) else np.asarray(gradient)
        if array.shape != out._data.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{k}] has a shape of {gradient.shape!r} and "
                f"output[{k}] has a shape of {out.shape!r}."
            )
        if array.dtype != out._data.dtype:
            array = array.astype(out._data.dtype)
        if create_graph and isinstance(gradient, _fn._Tensor):
            return gradient
    return _fn._wrap(array) if create_graph else array


def _check_differentiable(outputs: Sequence[Any]) -> None:
    for k, out in enumerate(outputs):
        if not out.requires_grad:
            hint = ("it was computed with grad mode off: move the forward pass out of "
                    "tg.no_grad()/tg.inference_mode()" if not is_grad_enabled() else
                    "was it computed under no_grad, from .data/.detach()/.item()/from_numpy, "
                    "or from tensors never marked requires_grad=True?")
            raise RuntimeError(
                f"element {k} of tensors does not require grad and does not have a grad_fn. "
                f"Hint: {hint}"
            )


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False, grad_variables: Any = None,
             inputs: Any = None) -> None:
    """Accumulate gradients of ``tensors`` into the ``.grad`` of the leaves (or, with
    ``inputs``, of those tensors only, leaves or not, as in PyTorch). ``grad_variables``
    is PyTorch's deprecated name of ``grad_tensors``."""
    if grad_variables is not None:
        warnings.warn("`grad_variables` is deprecated. Use `grad_tensors` instead.",
                      FutureWarning, stacklevel=2)
        if grad_tensors is not None:
            raise RuntimeError("`grad_tensors` and `grad_variables` (deprecated) arguments both "
                               "passed to `backward()`. Please only use `grad_tensors`.")
        grad_tensors = grad_variables
    outs = list(tensors) if isinstance(tensors, (list, tuple)) else [tensors]
    grads = (list(grad_tensors) if isinstance(grad_tensors, (list, tuple))
             else [grad_tensors] * len(outs))
    _check_differentiable(outs)
    roots = [_root_grad(o, g, create_graph, k) for k, (o, g) in enumerate(zip(outs, grads))]
    keep = create_graph if retain_graph is None else retain_graph
    if _teaching.hooks is not None:  # tg.set_teaching_mode: see teaching.py
        _teaching.hooks.before_backward(outs)
    if inputs is None:
        engine.run_backward(outs, roots, keep, create_graph)
        return
    ins = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    if not ins:
        raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    for t in ins:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    # (each input's gradient goes into its .grad as soon as it is known, once for an input
    # listed twice: see engine._Walk.capture)
    engine.run_backward(outs, roots, keep, create_graph, inputs=ins, into_grad=True)


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, only_inputs: bool = True, allow_unused: bool | None = None,
         is_grads_batched: bool = False, materialize_grads: bool = False) -> tuple[Any, ...]:
    """The gradients of ``outputs`` with respect to ``inputs``, without touching ``.grad``.
    (``only_inputs`` is deprecated and ignored, as in PyTorch; ``is_grads_batched=True``,
    which needs vmap, is not supported.)

    >>> x = tg.tensor(3.0, requires_grad=True)
    >>> (dy,) = tg.autograd.grad(x ** 3, x, create_graph=True)   # 3x^2 = 27
    >>> tg.autograd.grad(dy, x)                                  # 6x = 18
    (tensor(18.),)
    """
    if is_grads_batched:
        raise NotImplementedError("tinygrad_edu has no vmap: is_grads_batched=True is not "
                                  "supported; call grad once per row of grad_outputs")
    if not only_inputs:
        warnings.warn("only_inputs argument is deprecated and is ignored now (defaults to "
                      "True). To accumulate gradient for other parts of the graph, please use "
                      "torch.autograd.backward.", FutureWarning, stacklevel=2)
    outs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    ins = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    gouts = (list(grad_outputs) if isinstance(grad_outputs, (list, tuple))
             else [grad_outputs] * len(outs))
    for t in ins:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    _check_differentiable(outs)
    roots = [_root_grad(o, g, create_graph, k) for k, (o, g) in enumerate(zip(outs, gouts))]
    keep = create_graph if retain_graph is None else retain_graph
    results = engine.run_backward(outs, roots, keep, create_graph, inputs=ins) or []
    for k, r in enumerate(results):
        if r is None:
            if materialize_grads:
                results[k] = _fn._wrap(np.zeros_like(ins[k]._data))
            elif not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {k} appears to not have "
                                   "been used in the graph. Set allow_unused=True if this is "
                                   "the desired behavior.")
    return tuple(results)
