"""``backward()`` and ``grad()``: start the engine (``core/engine.py``) from some outputs.

They check what PyTorch checks (a scalar output or a ``gradient``, outputs that require
grad, inputs that do), build the gradients the walk starts from, and hand over to
``engine.run_backward``. ``tg.autograd`` exposes them as ``torch.autograd`` does.

With ``inputs`` (``grad``, ``backward(inputs=...)``) the walk is ``InputsWalk``: it runs
only the nodes on the way to the inputs, and keeps the gradients reaching them (before or
after their hooks, as PyTorch's engine does) instead of filling every leaf's ``.grad``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..core import engine
from ..core import function as _fn  # (_fn._Tensor, _fn._wrap: bound by tensor.py at import)
from ..core.function import Node
from ..core.grad_mode import _teaching, is_grad_enabled
from ..core.hooks import hooks_on, tensor_hooks
from ..parity.ready_queue import TorchOrderWalk, run_post_accumulate_hooks

__all__ = ["backward", "grad"]


def _root_grad(out: Any, gradient: Any, create_graph: bool, k: int = 0) -> Any:
    """The gradient that starts backward at ``out`` (1 for a scalar)."""
    if gradient is None:
        if out._data.size != 1:
            raise RuntimeError("grad can be implicitly created only for scalar outputs. Hint: "
                               f"the output has shape {list(out.shape)}; reduce it first "
                               "(e.g. loss.sum() or loss.mean()) or pass gradient=.")
        array = np.ones_like(out._data)  # (made from the output: tg.compile records it)
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
    if inputs is None:  # (with hooks, the leaves' in PyTorch's order: parity/ready_queue.py)
        walk = TorchOrderWalk(create_graph) if tensor_hooks else None
        engine.run_backward(outs, roots, keep, create_graph, walk)
        return
    ins = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    if not ins:
        raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    for t in ins:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    # (each input's gradient goes into its .grad as soon as it is known, once for an input
    # listed twice: see InputsWalk.capture)
    engine.run_backward(outs, roots, keep, create_graph, InputsWalk(create_graph, ins, True))


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, only_inputs: bool = True, allow_unused: bool | None = None,
         is_grads_batched: bool = False, materialize_grads: bool = False) -> tuple[Any, ...]:
    """The gradients of ``outputs`` with respect to ``inputs``, without touching ``.grad``.
    (``only_inputs`` is deprecated and ignored, as in PyTorch; ``is_grads_batched=True``,
    which PyTorch runs under vmap, is not supported: ``tg.func.vmap`` loops.)

    >>> x = tg.tensor(3.0, requires_grad=True)
    >>> (dy,) = tg.autograd.grad(x ** 3, x, create_graph=True)   # 3x^2 = 27
    >>> tg.autograd.grad(dy, x)                                  # 6x = 18
    (tensor(18.),)
    """
    if is_grads_batched:
        raise NotImplementedError("is_grads_batched=True is not supported: call grad once per "
                                  "row of grad_outputs (tg.func.vmap of such a call does)")
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
    walk = InputsWalk(create_graph, ins)
    engine.run_backward(outs, roots, keep, create_graph, walk)
    results = walk.results
    for k, r in enumerate(results):
        if r is None:
            if materialize_grads:
                results[k] = _fn._wrap(np.zeros_like(ins[k]._data))
            elif not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {k} appears to not have "
                                   "been used in the graph. Set allow_unused=True if this is "
                                   "the desired behavior.")
    return tuple(results)


class InputsWalk(engine.Walk):
    """The walk of ``grad(outputs, inputs)`` and ``backward(inputs=...)``: the nodes off
    the way to ``inputs`` are not run (PyTorch's exec_info: no backward, no hooks, no
    retained ``.grad``), and the gradient reaching each input is kept in ``results`` (or,
    with ``into_grad``, added into its ``.grad`` at once)."""

    watching = True

    def __init__(self, create_graph: bool, inputs: Sequence[Any], into_grad: bool = False):
        super().__init__(create_graph)
        self.inputs = inputs
        self.into_grad = into_grad
        self.captures = _capture_table(inputs)
        self.results: list[Any] = [None] * len(inputs)
        self.needed: set[Node] = set()

    def begin(self, starts: list[Node]) -> None:
        self.needed = _needed(starts, self.captures)

    def node_done(self, node: Node, grad: Any) -> Any:
        """As ``Walk.node_done``, and: an input's gradient is captured (before its hooks
        when the walk goes on below it, after them when it stops there, as in PyTorch's
        engine); a node no input lies below is skipped (None)."""
        # (backward(inputs=...) runs an input's own node too, as PyTorch marks it needed:
        # its backward reads what it saved, and a write since raises; autograd.grad does not)
        runs = node in self.needed or (self.into_grad and id(node) in self.captures)
        if type(grad) is list:  # a learner's Function with several outputs
            if not runs:
                if any(r is not None and id(r()) in self.captures for r in node._edges):
                    node._outputs_done(self, grad, runs=False)
                return None
            return node._outputs_done(self, grad)
        captured = self.captures.get(id(node), ())
        if not runs and not captured:
            return None
        early = runs and not self.into_grad  # (backward(inputs=...) fills .grad after them)
        if captured and early:
            self.capture(captured, grad)
        entry = hooks_on(node) if tensor_hooks else None
        if entry is not None:
            grad = entry.run(grad, self.create_graph)
        if captured and not early:
            self.capture(captured, grad)
        if node._retained is not None and not (captured and self.into_grad):
            # (backward(inputs=[y]) puts y's gradient into y.grad itself: once, not twice)
            tensor = node._retained()
            if tensor is not None and tensor._grad_fn is node:
                engine.accumulate_leaf(tensor, grad, self.create_graph)
        return grad if runs else None

    def release_leaves(self) -> None:
        """Each input leaf's total gradient, through its hooks, into the results."""
        leaves, self.leaves = self.leaves, {}
        for leaf, grad in leaves.items():
            captured = self.captures.get(id(leaf), ())
            if not captured or _fn.no_history(leaf):
                continue  # (not among the inputs; or no gradient reaches it)
            entry = hooks_on(leaf) if tensor_hooks else None
            if entry is not None:
                grad = entry.run(grad, self.create_graph)
            self.capture(captured, grad)

    def capture(self, positions: list[int], grad: Any) -> None:
        """The total gradient of the input at ``positions`` (several: an input listed twice,
        tied weights): the result of autograd.grad, or with backward(inputs=...) added into
        its ``.grad`` at once (once for a tensor listed twice), as PyTorch does."""
        if self.into_grad:
            done: set[int] = set()
            for k in positions:
                tensor = self.inputs[k]
                if id(tensor) not in done:
                    done.add(id(tensor))
                    engine.accumulate_leaf(tensor, grad._data if isinstance(
                        grad, _fn._Tensor) and not self.create_graph else grad,
                        self.create_graph)
                    run_post_accumulate_hooks(tensor)
            return
        result = grad if isinstance(grad, _fn._Tensor) else _fn._wrap(np.array(grad))
        for k in positions:  # (one result object for an input listed twice, as PyTorch)
            self.results[k] = result


def _needed(starts: list[Node], captures: dict[int, list[int]]) -> set[Node]:
    """The nodes below ``starts`` from which one of the inputs (``captures``: the ids of
    their nodes, output edges or leaves) can be reached: what a backward with inputs must
    run. An iterative depth-first walk; a node is judged after all its parents."""
    reaches: dict[Node, bool] = {}
    stack: list[tuple[Node, bool]] = [(node, False) for node in starts]
    while stack:
        node, judged = stack.pop()
        if judged:
            reaches[node] = any(p is not None and (id(p) in captures or reaches.get(
                _node_of(p), False)) for p in node.parents)
            continue
        if node in reaches:
            continue
        reaches[node] = False  # (seen; judged once its parents are)
        stack.append((node, True))
        for p in node.parents:
            target = _node_of(p)
            if isinstance(target, Node) and target not in reaches:
                stack.append((target, False))
    return {node for node, yes in reaches.items() if yes}


def _node_of(parent: Any) -> Any:
    """The node a parent entry leads to (a leaf: itself)."""
    if parent is None or isinstance(parent, (Node, _fn._Tensor)):
        return parent
    return parent.node  # output k of a node with several


def _capture_table(inputs: Sequence[Any]) -> dict[int, list[int]]:
    """id of each input's node (or of the leaf itself) -> its positions in ``inputs``."""
    table: dict[int, list[int]] = {}
    for k, t in enumerate(inputs):
        edge = t._grad_fn if t.grad_fn is not None else t  # (an Output for one of several)
        table.setdefault(id(edge), []).append(k)
    return table
