"""``tinygrad_edu.autograd.function``, as ``torch.autograd.function``: a learner's own
``Function``, with forward and backward written on Tensors.

It is the engine's ``Function`` (core/function.py) with what PyTorch's custom Functions
add: ``forward`` runs on detached Tensors, unrecorded, and may return several outputs
(each gets its own gradient in backward), mark inputs it changed in place
(``ctx.mark_dirty``) or outputs with no gradient (``ctx.mark_non_differentiable``), and
return an input as it is (a view of it); the newer style splits ``forward`` from
``setup_context``. ``backward`` gets Tensors and returns one gradient per input, checked.
"""

from __future__ import annotations

import heapq
import weakref
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core import engine
from ..core import function as fn
from ..core.function import Node, _state, bump_version, shared_version
from ..core.hooks import hooks_on, tensor_hooks
from ..dtypes import FLOATING
from ..ops.views import CUSTOM_VIEW, FunctionView, move_history, track_view
from ..parity.errors import FREED
from ..parity.nodes import forward_op_name

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["Function", "FunctionCtx"]


class FunctionCtx(Node):
    """The ``ctx`` of a learner's Function (and its node in the graph): it keeps any
    attribute forward sets on it, as in PyTorch."""

    # what forward said of its outputs (set only when it says it)
    _edges: Any = None  # with several outputs: weak references to their Output edges
    _outputs: tuple[Any, ...] = ()  # with several outputs: each one's (shape, dtype)
    # with several outputs that forward saved: each one's (id of its array, its version
    # counter, its version then), to know a saved output and catch a later in-place change
    _outs: tuple[Any, ...] = ()
    _dirty: tuple[Any, ...] = ()
    _non_differentiable: tuple[Any, ...] = ()
    _materialize_grads = True

    def mark_dirty(self, *tensors: Any) -> None:
        """Say that forward changed these inputs in place (and returns them): as in
        PyTorch, each returned one is the input itself, now with this node's history."""
        self._dirty = tensors

    def mark_non_differentiable(self, *values: Any) -> None:
        """Say that these outputs have no gradient (indices, masks): they do not require
        grad, and backward gets zeros for them."""
        self._non_differentiable = values

    def set_materialize_grads(self, value: bool) -> None:
        """With False, backward gets None (not zeros) for the outputs no gradient
        reached."""
        self._materialize_grads = bool(value)

    def _source(self, value: Any) -> int | None:
        """As ``Node._source``; -2 - k for output k of several."""
        if self._outs:
            data = value if isinstance(value, np.ndarray) else getattr(value, "_data", None)
            for k, out in enumerate(self._outs):
                if out is not None and out[0] == id(data):
                    return -2 - k
        return super()._source(value)

    def _counter(self, src: int) -> tuple[list[int], int]:
        if src < -1:
            _, counter, expected = self._outs[-2 - src]
            return counter, expected
        return super()._counter(src)

    def _unpack(self, i: int) -> Any:
        value = self._saved[i]
        src = self._source(value) if isinstance(value, (np.ndarray, fn._Tensor)) else None
        if src is None or src >= -1:
            return super()._unpack(i)
        k = -2 - src  # output k of this node's several
        data = value if isinstance(value, np.ndarray) else value._data
        ref = self._edges[k]
        if ref is None:  # (not differentiable: a constant)
            return fn._wrap(data)
        edge = ref()
        return fn._attached(data, edge if edge is not None else Output(self, k, data))

    def _run_backward(self, grad: Any) -> tuple[Any, ...]:
        """The learner's backward, on Tensors: one gradient per output in, one per input
        out (trailing Nones for omitted optional arguments are fine, as in PyTorch)."""
        if self._released and self._saved:
            raise RuntimeError(FREED)
        create_graph = _state.create_graph
        grads = self._function.backward(self, *self._output_grads(grad))
        grads = grads if isinstance(grads, tuple) else (grads,)
        if not create_graph:
            # copied, so that a returned input can never become (and be mutated as) a .grad
            grads = tuple(np.array(g._data) if isinstance(g, fn._Tensor) else g for g in grads)
        n = len(self.parents)
        if len(grads) > n and all(g is None for g in grads[n:]):
            grads = grads[:n]
        if len(grads) != n:
            raise RuntimeError(f"function {type(self).__name__} returned an incorrect number "
                               f"of gradients (expected {n}, got {len(grads)})")
        return grads

    def _output_grads(self, grad: Any) -> list[Any]:
        """The gradients backward gets, as Tensors: one, or one per output (zeros where
        none arrived, unless ``ctx.set_materialize_grads(False)``: then None)."""
        grads = [grad] if self._edges is None else list(grad)
        if self._edges is not None:
            for k, meta in enumerate(self._outputs):
                if grads[k] is None and meta is not None and self._materialize_grads:
                    grads[k] = np.zeros(meta[0], meta[1])
        return [g if g is None or isinstance(g, fn._Tensor) else fn._wrap(g) for g in grads]

    def _outputs_done(self, walk: Any, grads: list[Any], runs: bool = True) -> list[Any]:
        """The gradients of this node's several outputs are known: each output tensor's
        hooks, retain_grad and autograd.grad, as ``Walk.node_done`` for one output."""
        captures = getattr(walk, "captures", {})
        into_grad = getattr(walk, "into_grad", False)
        for k, ref in enumerate(self._edges):
            edge = ref() if ref is not None else None
            if edge is None or grads[k] is None:
                continue
            captured = captures.get(id(edge), ())
            early = runs and not into_grad  # (before the hooks, or after: node_done)
            if captured and early:
                walk.capture(captured, grads[k])
            entry = hooks_on(edge) if tensor_hooks else None
            if entry is not None:
                grads[k] = entry.run(grads[k], walk.create_graph)
            if captured and not early:
                walk.capture(captured, grads[k])
            if edge._retained is not None and not (captured and into_grad):
                tensor = edge._retained()
                if tensor is not None and tensor._grad_fn is edge:
                    engine.accumulate_leaf(tensor, grads[k], walk.create_graph)
        return grads


class Output:
    """Output ``k`` of a node with several outputs (a learner's Function whose forward
    returns a tuple). A tensor's ``grad_fn`` is the node; what its consumers record as
    their parent is this edge, so that the node gets one gradient per output."""

    __slots__ = ("node", "k", "_out_shape", "_out_dtype", "_retained", "_hooks", "__weakref__")

    def __init__(self, node: Node, k: int, out: np.ndarray) -> None:
        self.node = node
        self.k = k
        self._out_shape = out.shape
        self._out_dtype = out.dtype
        self._retained: Any = None

    def receive(self, walk: Any, grad: Any, queue: list[tuple[int, Any]]) -> None:
        """Sum ``grad`` into the gradient of output ``k`` of the node (the walk keeps one
        slot per output; the node enters the queue with the first)."""
        node = self.node
        slots = walk.grads.get(node)
        if slots is None:
            slots = walk.grads[node] = [None] * len(node._edges)
            heapq.heappush(queue, (node._seq, node))
        prev = slots[self.k]
        slots[self.k] = grad if prev is None else prev + grad


class Function(fn.Function):
    """Base class of a learner's own op: subclass it with ``forward`` and ``backward``
    staticmethods, on Tensors.

    >>> class Square(tg.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x * x
    ...     @staticmethod
    ...     def backward(ctx, grad):
    ...         (x,) = ctx.saved_tensors
    ...         return 2 * x * grad          # chain rule: d(x^2)/dx = 2x
    >>> Square.apply(tg.tensor([3.0], requires_grad=True))
    tensor([9.], grad_fn=<SquareBackward>)

    ``forward`` receives Tensors (not recorded) and returns one Tensor or a tuple;
    ``backward`` receives one gradient per output and returns one gradient per forward
    argument (``None`` for non-tensors). Gradients may have the broadcast shape: the
    engine sums them back to each input's shape.
    """

    _numpy = False
    _ctx_cls = FunctionCtx

    @staticmethod
    def forward(ctx: Any, *args: Any) -> Any:
        """Compute the output from the inputs; save what backward needs on ``ctx``."""
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], output: Any) -> Any:
        """Optional (PyTorch's newer style): when a Function defines it, ``forward`` takes
        no ``ctx`` and this saves what backward needs, given the inputs and the output."""
        raise NotImplementedError("setup_context is not overridden.")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        """Given d(loss)/d(output), return d(loss)/d(input) for each input."""
        raise NotImplementedError("You must implement either the backward or vjp method "
                                  "for your custom autograd.Function to use it with "
                                  "backward mode AD.")

    @classmethod
    def apply(cls, *args: Any) -> Any:
        """Run the op on ``args`` and record it in the graph when gradients are needed: its
        output Tensor (or the tuple forward returned, its Tensors recorded)."""
        return _apply_function(cls, args)


def _apply_function(cls: type[Function], args: tuple[Any, ...]) -> Any:
    """``cls.apply(*args)``: ``forward`` runs on detached Tensors, unrecorded, and returns
    one Tensor or a tuple (Tensors and other values); each floating-point Tensor output
    that was not marked non-differentiable gets this node's history. Inputs marked dirty
    come back as themselves."""
    ctx = fn._new(cls._node_cls)
    needs = []
    for a in args:
        if isinstance(a, fn._Tensor) and a._base is not None and \
                a._vc[0] != a._view_version and _state.enabled:
            a._refresh_view()
        needs.append(isinstance(a, fn._Tensor) and a._requires_grad)
    record = _state.enabled and any(needs)
    ctx.needs_input_grad = tuple(needs) if record else (False,) * len(args)
    ctx._saved = ()
    detached = [_forward_input(a) if isinstance(a, fn._Tensor) else a for a in args]
    out = _run_forward(cls, ctx, detached)
    several = type(out) is tuple
    outs = out if several else (out,)
    if not several and not isinstance(out, fn._Tensor):
        raise TypeError(f"{cls.__name__}.forward must return a Tensor or a tuple, not "
                        f"{type(out).__name__}")
    differentiable = [isinstance(o, fn._Tensor) and o._data.dtype in FLOATING and
                      not any(o is d for d in ctx._non_differentiable) for o in outs]
    if fn._anomaly.checks is not None:
        first = next((o._data for o in outs if isinstance(o, fn._Tensor)), np.zeros(()))
        fn._anomaly.checks.forward_hook(ctx, first, args)
    record = record and any(differentiable)
    if record:
        _record_function(ctx, args, needs, outs, several)
    results = []
    for k, o in enumerate(outs):
        if not isinstance(o, fn._Tensor):
            results.append(o)  # (other values come back as they are)
            continue
        result = _output_tensor(cls, ctx, o, args, detached, record and differentiable[k])
        if result._base is not None and record and differentiable[k] and result._grad_fn is None:
            # an input returned as-is, a view of it with this node's history: as PyTorch,
            # it may not be written in place (that would bypass this Function's backward)
            result._view_kind = (cls.__name__, k) if several else CUSTOM_VIEW
        if record and differentiable[k]:
            move_history(result, Output(ctx, k, o._data) if several else ctx)
            result._requires_grad = True
            if several:
                ctx._edges[k] = weakref.ref(result._grad_fn)
            if result._base is not None and not any(o is d for d in ctx._dirty):
                # a view of an input: PyTorch forbids writing into it (or its base)
                name = forward_op_name(type(ctx).__name__)
                # (with several differentiable outputs, split's kind: (name, k))
                result._view_kind = ((name, k) if sum(differentiable) > 1
                                     else FunctionView(name, k))
        results.append(result)
    if record and several:
        ctx._edges = tuple(ctx._edges)
    if record and ctx._saved:
        _watch_saved(ctx, args, results, several)
    return tuple(results) if several else results[0]


def _forward_input(a: Tensor) -> Tensor:
    """What a learner's forward gets for the input ``a``: ``a`` detached, on the very same
    ndarray (so that what forward saves is matched to ``a``, Node._source)."""
    t = fn._wrap(a._data)
    t._vc = shared_version(a)
    return t


def _run_forward(cls: type[Function], ctx: Any, detached: list[Any]) -> Any:
    """A learner's forward, with recording off (its ops are not part of the graph)."""
    prev, _state.enabled = _state.enabled, False
    try:
        if cls.setup_context is Function.setup_context:
            return cls.forward(ctx, *detached)
        out = cls.forward(*detached)  # forward(*args) without ctx, then setup_context
        cls.setup_context(ctx, tuple(detached), out)
        return out
    finally:
        _state.enabled = prev


def _record_function(ctx: Any, args: tuple[Any, ...], needs: list[bool],
                     outs: tuple[Any, ...], several: bool) -> None:
    """What the node of a learner's Function needs in the graph."""
    ctx._set_inputs(tuple(fn._edge(a) if need else None for a, need in zip(args, needs)), args)
    ctx._seq = fn._next_seq()
    ctx._released = False
    ctx._retained = None
    first = next(o._data for o in outs if isinstance(o, fn._Tensor))
    ctx._out_shape = first.shape
    ctx._out_dtype = first.dtype
    if several:
        ctx._edges = [None] * len(outs)  # (weak references, made tuple once filled)
        # the shape and dtype of each Tensor output: zeros for the gradients that never come
        ctx._outputs = tuple((o._data.shape, o._data.dtype) if isinstance(o, fn._Tensor)
                             else None for o in outs)


def _output_tensor(cls: type[Function], ctx: Any, o: Tensor, args: tuple[Any, ...],
                   detached: list[Any], differentiable: bool) -> Tensor:
    """The Tensor ``apply`` returns for forward's output ``o``: an input marked dirty is
    that input itself (changed in place), an input returned unchanged a view of it. As in
    PyTorch, an input that requires grad comes back as a detached alias when the output
    gets no history (grad mode off, or marked non-differentiable)."""
    a: Tensor
    for a, d in zip(args, detached):
        if o is not d:
            continue
        dirty = any(o is t for t in ctx._dirty)
        if not differentiable:
            if dirty:
                bump_version(a)
            if a.requires_grad:
                return a.detach()  # (not ``a``: its requires_grad must not change)
            if dirty:
                return a
        elif dirty:
            base = a._base
            if base is not None and _state.enabled and base._requires_grad and \
                    base._grad_fn is None:  # (PyTorch's check comes first)
                raise RuntimeError("a view of a leaf Variable that requires grad is being used "
                                   "in an in-place operation.")
            if base is not None:
                raise NotImplementedError(
                    f"{cls.__name__}: mark_dirty on a view is not supported; clone() the "
                    "view first, or change its base in place instead.")
            if a._requires_grad and a._grad_fn is None and _state.enabled:
                raise RuntimeError("a leaf Variable that requires grad has been used in an "
                                   "in-place operation.")
            bump_version(a)
            return a
        view = fn._wrap(o._data.view())
        track_view(view, a, view._data)
        return view
    result = fn._wrap(o._data)
    for a in args:  # a view of an input (x.view(-1), x[0]) is a view of it, as in PyTorch
        if isinstance(a, fn._Tensor) and o._data.base is not None and \
                np.may_share_memory(o._data, a._data):
            track_view(result, a, o._data)
            break
    return result


def _watch_saved(ctx: Any, args: tuple[Any, ...], results: list[Any], several: bool) -> None:
    """Remember the versions of what forward saved, to catch later in-place changes."""
    ctx._arg_versions = tuple(a._vc[0] if isinstance(a, fn._Tensor) else 0 for a in args)
    ctx._epoch = fn._epoch[0]
    if several:  # each output's own (id, counter, version): see FunctionCtx._source
        ctx._out_id = -1
        ctx._out_vc = [0]
        ctx._out_version = 0
        ctx._outs = tuple((id(r._data), shared_version(r), r._vc[0])
                          if isinstance(r, fn._Tensor) else None for r in results)
        return
    output = results[0]
    ctx._out_id = id(output._data)
    ctx._out_vc = shared_version(output)
    ctx._out_version = ctx._out_vc[0]
