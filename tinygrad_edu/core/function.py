"""``Function``: one op's forward and backward side by side, and the graph node it records.

A call ``Mul.apply(x, y)`` runs ``Mul.forward(ctx, ...)`` and, when grad mode is on and
an input requires grad, keeps ``ctx`` as the output's ``grad_fn``: the node the engine
visits in backward. ``ctx`` remembers the inputs' nodes (``parents``), what forward
saved, and the version of every saved tensor, so that an in-place change made before
backward is caught.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from ..parity.errors import FREED, broadcast_error, version_error
from ..parity.names import tensor_type_name as _type_name
from . import grad_mode

if TYPE_CHECKING:
    from ..tensor import Tensor

_state = grad_mode._state  # this thread's grad mode (and whether create_graph is on)
_anomaly = grad_mode._anomaly
_new = object.__new__
# Bumped by every in-place write. A node remembers its value at forward time: while it is
# unchanged at backward, nothing can have been modified and the version checks are skipped.
_epoch = [0]
_next_seq = itertools.count(0, -1).__next__


# The version of every tensor not yet written in place, shared: a tensor gets a counter of
# its own (a one-element list) at its first in-place write, or when a view, a detach or a
# node that saved it must share or watch it. (One object fewer per op for the collector.)
UNWRITTEN: Any = (0,)


def bump_version(t: Any) -> None:
    """Record an in-place write to ``t`` (its version counter, shared with its views)."""
    counter = t._vc
    if counter is UNWRITTEN:
        t._vc = [1]
    else:
        counter[0] += 1
    _epoch[0] += 1


def shared_version(t: Any) -> list[int]:
    """``t``'s own version counter, made first if it has none: to share or to watch it."""
    counter: list[int] = t._vc
    if counter is UNWRITTEN:
        counter = t._vc = [0]
    return counter


_Tensor: type[Tensor] = None  # type: ignore[assignment]  # set by bind(), below


def _wrap(data: np.ndarray, requires_grad: bool = False) -> Tensor:
    """A Tensor around ``data`` (an ndarray), with no copy and no checks (internal)."""
    t = object.__new__(_Tensor)
    t._data = data
    t._requires_grad = requires_grad
    t._grad_fn = None
    t._grad = None
    t._vc = UNWRITTEN
    t._base = None
    return t


class Node:
    """A recorded op (PyTorch's ``grad_fn``); also the ``ctx`` its Function sees.

    ``parents[i]`` is where the gradient of input ``i`` goes: the input's own node, the
    input itself when it is a leaf that requires grad, or ``None``. ``_seq`` counts
    recorded nodes down from 0 (PyTorch's ``sequence_nr``, negated): backward runs the
    smallest, the newest, first.
    """

    __slots__ = (
        "parents", "needs_input_grad", "_saved", "_arg_versions", "_epoch", "_out_id",
        "_out_vc", "_out_version", "_out_shape", "_out_dtype", "_released", "_retained",
        "_args", "_seq", "_anomaly_frames", "__weakref__",
    )  # (and, in each op's node class, the op's ``ctx_fields``; see Function)
    _function: type[Function]
    parents: tuple[Any, ...]
    needs_input_grad: tuple[bool, ...]
    _saved: tuple[Any, ...]
    _args: Any
    _arg_versions: tuple[int, ...]
    _epoch: int
    _out_id: int
    _out_vc: list[int]
    _out_version: int
    _out_shape: tuple[int, ...]
    _out_dtype: np.dtype
    _released: bool
    _retained: Any
    _seq: int
    _anomaly_frames: list[Any]  # where the op was made: set inside detect_anomaly only
    # a learner's Function (see _apply_function): what forward said of its outputs
    _edges: Any = None  # with several outputs: weak references to their Output edges
    _outputs: tuple[Any, ...] = ()  # with several outputs: each one's (shape, dtype)
    # with several outputs that forward saved: each one's (id of its array, its version
    # counter, its version then), to know a saved output and catch a later in-place change
    _outs: tuple[Any, ...] = ()
    _torch_inputs: tuple[int, ...] | None = None  # (its Function's; see there)
    _dirty: tuple[Any, ...] = ()
    _non_differentiable: tuple[Any, ...] = ()
    _materialize_grads = True
    _output_nr = 0  # which output of PyTorch's node this is (k of split's, unbind's views)

    if TYPE_CHECKING:  # (for mypy: ctx also holds its op's ctx_fields, or a learner's own)
        def __getattr__(self, name: str) -> Any: ...
        def __setattr__(self, name: str, value: Any) -> None: ...

    def save_for_backward(self, *values: Any) -> None:
        """Keep arrays (or tensors) that backward needs; read them as ``saved_tensors``."""
        self._saved = values

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

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        """What forward saved, checked against in-place changes made since.

        Built-in ops get numpy arrays, or Tensors connected to the graph while a
        ``create_graph=True`` backward runs (so the backward itself is recorded).
        """
        if self._released:
            raise RuntimeError(FREED)
        saved = self._saved
        if not saved:
            return ()
        if self._epoch != _epoch[0]:
            self._check_versions()
        if self._function._numpy and not _state.create_graph:
            return saved
        return tuple(self._unpack(i) for i in range(len(saved)))

    saved_variables = saved_tensors

    def _source(self, value: Any) -> int | None:
        """Where a saved value came from: input ``i``, -1 for the output (-2 - k for output
        k of several), None otherwise."""
        data = value if isinstance(value, np.ndarray) else getattr(value, "_data", None)
        if data is None:
            return None
        if id(data) == self._out_id:
            return -1
        if self._outs:
            for k, out in enumerate(self._outs):
                if out is not None and out[0] == id(data):
                    return -2 - k
        for i, a in enumerate(self._args):
            if isinstance(a, _Tensor) and a._data is data:
                return i
        return None

    def _check_versions(self) -> None:
        for value in self._saved:
            if self._changed(value):
                self._version_error()

    def _changed(self, value: Any) -> bool:
        """Whether a saved value was changed in place since forward (its version moved)."""
        src = self._source(value)
        if src is None:
            return False
        if src == -1:
            return self._out_vc[0] != self._out_version
        if src < -1:
            _, counter, expected = self._outs[-2 - src]
            return bool(counter[0] != expected)
        return bool(self._args[src]._vc[0] != self._arg_versions[src])

    def _version_error(self) -> None:
        """PyTorch's error for the first changed saved value, in the order PyTorch checks
        them (``_check_order``: when several were changed, it names the same one)."""
        saved, order = self._saved, self._function._check_order
        for value in (saved if order is None else [saved[i] for i in order]):
            if self._changed(value):
                src: Any = self._source(value)
                if src == -1:
                    counter, expected = self._out_vc, self._out_version
                elif src < -1:
                    _, counter, expected = self._outs[-2 - src]
                else:
                    counter, expected = self._args[src]._vc, self._arg_versions[src]
                data = value if isinstance(value, np.ndarray) else value._data
                dtype, which = self._describe(src)
                raise version_error(_type_name(np.empty(0, dtype)), data.shape, which,
                                    counter[0], expected)

    def _describe(self, src: int) -> tuple[np.dtype, str]:
        """A saved value as PyTorch's message names it: its dtype, and ", which is output k
        of Op," for the output of an op: this node's for its own output, else the op that
        last made the input (none for a leaf)."""
        if src < 0:
            k = -2 - src if src < -1 else 0
            dtype = self._outputs[k][1] if src < -1 else self._out_dtype
            return dtype, f", which is output {k} of {op_name(self)},"
        a = self._args[src]
        a = getattr(a, "_stands_for", a)  # (a promoted operand: the tensor it stands for)
        edge = a._grad_fn
        k = 0
        if a._base is not None:
            kind = a._view_kind
            a._refresh_view()  # (a view's history now, as PyTorch's message has it)
            k = kind[1] if isinstance(kind, tuple) and edge is a._grad_fn else 0
            edge = a._grad_fn
        if edge is None:
            return a._data.dtype, ""
        node, k = (edge.node, edge.k) if type(edge) is Output else (edge, k)
        return edge._out_dtype, f", which is output {k} of {op_name(node)},"

    def _unpack(self, i: int) -> Any:
        """Saved value ``i`` as a Tensor connected to the graph where it came from (a
        constant as it is)."""
        value = self._saved[i]
        if not isinstance(value, (np.ndarray, _Tensor)):
            return value  # None, a Python number or another constant
        src = self._source(value)
        data = value if isinstance(value, np.ndarray) else value._data
        if src == -1:  # the output of this very node
            return _attached(data, self)
        if src is not None and src < -1:  # output k of this node's several
            k = -2 - src
            ref = self._edges[k]
            if ref is None:  # (not differentiable: a constant)
                return _wrap(data)
            edge = ref()
            return _attached(data, edge if edge is not None else Output(self, k, data))
        if src is not None:
            return self._args[src]  # the input tensor itself, with its history
        return _wrap(value) if isinstance(value, np.ndarray) else value

    def _run_backward(self, grad: Any) -> Any:
        """This op's backward (a built-in op's class replaces it with its own, directly)."""
        from .engine import _call_backward

        return _call_backward(self, grad, _state.create_graph)

    def name(self) -> str:
        """The node's name, as PyTorch's ``name()`` gives it (``MulBackward0``; the nodes
        PyTorch writes in C++, ``torch::autograd::CopySlices``)."""
        return self._function._torch_name or type(self).__name__

    @property
    def next_functions(self) -> tuple[tuple[Any, int], ...]:
        """Where gradients go next, as PyTorch lists them: one ``(node, output number)``
        pair per tensor input of the op (a leaf as ``AccumulateGrad``, an input that needs
        no gradient as ``None``); dims, shapes and other settings are not inputs."""
        out: list[tuple[Any, int]] = []
        for i in self._listed():
            p = self.parents[i]
            if p is None or isinstance(p, Node):
                out.append((p, 0 if p is None else p._output_nr))
            elif type(p) is Output:
                out.append((p.node, p.k))
            elif no_history(p):
                out.append((None, 0))  # a view made under no_grad: no history, no .grad
            else:
                out.append((AccumulateGrad(p), 0))
        return tuple(out)

    def _listed(self) -> list[int]:
        """The positions of the arguments ``next_functions`` lists: those that need a
        gradient, and of the others the ones PyTorch's op takes as tensors."""
        inputs = self._torch_inputs
        args = self._args
        listed = []
        for i, p in enumerate(self.parents):
            if p is None:
                a = None if args is None else args[i]
                if not (i in inputs if inputs is not None else (
                        isinstance(a, _Tensor) and a._data.dtype.kind == "f")):
                    continue
            listed.append(i)
        return listed

    def __repr__(self) -> str:
        cls = type(self)
        if cls._function._numpy:  # a built-in op: <MulBackward0 object at ...>
            return f"<{cls.__name__} object at {id(self):#x}>"
        # a learner's Function, as PyTorch's Python nodes: <torch.autograd.function.Xx...>
        return f"<{cls.__module__}.{cls.__name__} object at {id(self):#x}>"


def op_name(node: Any) -> str:
    """The op's name as PyTorch's messages give it: ``SelectBackward0`` -> ``Select``,
    ``SqueezeBackward1`` -> ``Squeeze1``."""
    name: str = node.name()
    return name[:-len("Backward0")] if name.endswith("Backward0") else name.replace(
        "Backward", "")


class AccumulateGrad:
    """Stands for a leaf in ``next_functions``: its gradient accumulates into ``.grad``."""

    __slots__ = ("variable",)

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable

    def name(self) -> str:
        """``torch::autograd::AccumulateGrad``, as PyTorch's ``name()``."""
        return "torch::autograd::AccumulateGrad"

    next_functions = ()

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {id(self):#x}>"


def forward_op_name(name: str) -> str:
    """PyTorch's ``Node::forward_op_name``: a node's name without ``Backward`` and its
    number (``ExpBackward0`` -> ``Exp``, ``AddBackward1`` -> ``Add1``, a Function's
    ``SinhBackward`` -> ``Sinh``); other names stay (``torch::autograd::CopySlices``)."""
    head, sep, tail = name.rpartition("Backward")
    if not sep or not tail.isdigit() and tail:
        return name
    return head if tail in ("", "0") else head + tail


def _attached(data: np.ndarray, edge: Any) -> Tensor:
    t = _wrap(data, True)
    t._grad_fn = edge
    return t


class _FunctionType(type):
    """The type of Functions: keeps an op's node class in step with its ``backward``.

    A built-in op's node class holds the op's backward as its ``_run_backward`` (the
    engine's fast call); assigning ``Op.backward = ...`` later (patching it in a notebook,
    as a test does) updates it there, and in every subclass that inherits it.
    """

    def __setattr__(cls, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if name in ("backward", "_numpy") and "_node_cls" in cls.__dict__:
            stack: list[Any] = [cls]
            while stack:
                sub = stack.pop()
                _bind_backward(sub)
                _bind_apply(sub)
                stack.extend(sub.__subclasses__())


def _bind_backward(cls: Any) -> None:
    """``node._run_backward(grad)`` is ``cls.backward(node, grad)`` for numpy ops."""
    node_cls = cls._node_cls
    if cls._numpy:
        node_cls._run_backward = cls.backward
    elif "_run_backward" in node_cls.__dict__:
        del node_cls._run_backward  # back to Node._run_backward: the checked, Tensor path


class Function(metaclass=_FunctionType):
    """Base class of every op: subclass it with ``forward`` and ``backward`` staticmethods.

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

    ``forward`` receives Tensors (not recorded) and returns one Tensor; ``backward``
    receives the gradient of the output and returns one gradient per forward argument
    (``None`` for non-tensors). Gradients may have the broadcast shape: the engine sums
    them back to each input's shape. Built-in ops set ``_numpy = True`` and work on
    numpy arrays directly, which is faster.
    """

    _numpy = False
    _view = False  # True for ops whose output shares storage with input 0
    _grad_fn_name: str | None = None
    _torch_name: str | None = None  # what name() says, when not the class name
    # the positions of the arguments that PyTorch's op takes as tensors (a number there is
    # made one), for next_functions; None: the floating-point Tensors among them
    _torch_inputs: tuple[int, ...] | None = None
    # the order in which PyTorch checks what forward saved (its generated code keeps them
    # sorted by argument name: ``other`` before ``self``), so that a failed version check
    # names the same tensor when several were changed; None: the order they were saved in
    _check_order: tuple[int, ...] | None = None
    # What a built-in op's forward keeps on ``ctx`` for backward besides saved tensors,
    # by name (``ctx.shape``, ``ctx.axis``): its node class has a slot for each (with its
    # parents' fields), and no ``__dict__``. A learner's Function keeps any attribute on
    # ``ctx``, as in PyTorch: its nodes have a ``__dict__``.
    ctx_fields: tuple[str, ...] = ()
    _node_cls: type[Node]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("_grad_fn_name") or cls.__name__ + "Backward"
        fields = dict.fromkeys(  # (each once, parents' first)
            f for c in reversed(cls.__mro__) for f in c.__dict__.get("ctx_fields", ()))
        if not cls._numpy:
            fields["__dict__"] = None
        # (its module is the public one, as PyTorch's torch.autograd.function.XxBackward)
        body = {"__slots__": tuple(fields), "_function": cls,
                "__module__": "tinygrad_edu.autograd.function"}
        if "_torch_inputs" not in fields:  # (a field of the ops that set it per node)
            body["_torch_inputs"] = cls._torch_inputs
        cls._node_cls = type(name, (Node,), body)
        _bind_backward(cls)
        _bind_apply(cls)

    @staticmethod
    def forward(ctx: Node, *args: Any) -> Any:
        """Compute the output from the inputs; save what backward needs on ``ctx``."""
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def setup_context(ctx: Node, inputs: tuple[Any, ...], output: Any) -> Any:
        """Optional (PyTorch's newer style): when a Function defines it, ``forward`` takes
        no ``ctx`` and this saves what backward needs, given the inputs and the output."""
        raise NotImplementedError("setup_context is not overridden.")

    @staticmethod
    def backward(ctx: Node, *grad_outputs: Any) -> Any:
        """Given d(loss)/d(output), return d(loss)/d(input) for each input."""
        raise NotImplementedError("You must implement either the backward or vjp method "
                                  "for your custom autograd.Function to use it with "
                                  "backward mode AD.")

    @classmethod
    def apply(cls, *args: Any) -> Any:
        """Run the op on ``args`` and record it in the graph when gradients are needed: its
        output Tensor (or the tuple forward returned, its Tensors recorded).

        This is a learner's Function's; a built-in op (``_numpy = True``) has its own
        ``apply``, made for it by ``_bind_apply``: the same thing, on numpy arrays."""
        return _apply_function(cls, args)


# Every op is recorded by ``_apply`` below: the readable path. A built-in op's ``apply``
# is made for its class by ``_bind_apply``; the package binds a fast twin of ``_apply``
# for it (tinygrad_edu/fast/apply.py, through ``bind``), unless TINYGRAD_EDU_REFERENCE=1.
# The test suite runs both ways (tests/test_reference_mode.py: the same graphs).
NO_ARG: Any = object()  # the fast apply's second argument of an op that takes one


def _holds(saved: tuple[Any, ...], value: Any) -> bool:
    """Whether ``value`` itself (not an equal array) is among ``saved``."""
    for s in saved:
        if s is value:
            return True
    return False


def _apply(cls: type[Function], args: tuple[Any, ...]) -> Tensor:
    """``cls.apply(*args)`` for a built-in op of any number of arguments."""
    ctx = _new(cls._node_cls)
    record = False
    needs = []
    values = []
    parents = []
    tensor_cls = _Tensor
    for a in args:
        if isinstance(a, tensor_cls):
            if a._base is not None and a._vc[0] != a._view_version and _state.enabled:
                a._refresh_view()  # a view, written since its history was made (views.py)
            values.append(a._data)
            if a._requires_grad:
                record = True
                needs.append(True)
                parents.append(_edge(a))
                continue
        else:
            values.append(a)
        needs.append(False)
        parents.append(None)
    record = record and _state.enabled
    ctx.needs_input_grad = tuple(needs) if record else (False,) * len(args)
    ctx._saved = ()
    try:
        out = cls.forward(ctx, *values)
    except ValueError as e:  # numpy's broadcasting error -> PyTorch's RuntimeError
        raise _forward_error(e, values) from None
    if type(out) is not np.ndarray:  # numpy gives scalars for 0-d results
        out = _as_array(ctx, out)
    if record and out.dtype.kind != "f":
        record = False  # as in PyTorch, only floating point results can require grad
    if _anomaly.checks is not None:  # tg.autograd.detect_anomaly: see anomaly.py
        _anomaly.checks.forward_hook(ctx, out, args)
    result = _new(tensor_cls)
    result._data = out
    result._requires_grad = record
    result._grad = None
    result._vc = UNWRITTEN
    result._base = None
    if cls._view:
        track_view(result, args[0], out)
    if record:
        result._grad_fn = ctx
        ctx.parents = tuple(parents)
        ctx._args = args  # for tg.viz / gradcheck_graph; backward keeps only constants
        _record(ctx, out, result)
        if ctx._saved:  # (a tuple of ints, not a list: the garbage collector ignores it)
            ctx._arg_versions = tuple(
                a._vc[0] if isinstance(a, tensor_cls) else 0 for a in args
            )
    else:
        result._grad_fn = None
    return result


def _reference_apply(cls: type[Function]) -> Callable[..., Tensor]:
    """A built-in op's ``apply``: the readable path, ``_apply``."""

    def apply(*args: Any) -> Tensor:
        """Run the op and record it in the graph when gradients are needed."""
        return _apply(cls, args)

    return apply


_make_apply: Callable[[type[Function]], Callable[..., Tensor]] = _reference_apply


def _bind_apply(cls: Any) -> None:
    """Give a built-in op its ``apply`` (made by ``_make_apply``: see ``bind``)."""
    if cls._numpy:
        cls.apply = staticmethod(_make_apply(cls))
    elif "apply" in cls.__dict__ and isinstance(cls.__dict__["apply"], staticmethod):
        delattr(cls, "apply")  # (no longer a numpy op: Function.apply again)


def bind(tensor_cls: type[Tensor],
         make_apply: Callable[[type[Function]], Callable[..., Tensor]] | None) -> None:
    """The one bind, done by tinygrad_edu/tensor.py once ``Tensor`` exists: the class the
    engine makes its results of, and what makes a built-in op's ``apply`` (the fast twin of
    ``_apply``; None keeps ``_apply``, as TINYGRAD_EDU_REFERENCE=1 does)."""
    global _Tensor, _make_apply
    _Tensor = tensor_cls
    _make_apply = make_apply or _reference_apply
    stack: list[Any] = [Function]
    while stack:  # (the ops defined so far; later ones bind in __init_subclass__)
        cls = stack.pop()
        _bind_apply(cls)
        stack.extend(cls.__subclasses__())


# How a view was made, when that limits writing into it with grad mode on (views.py); the
# outputs of split, chunk and unbind have (op name, output number) instead
NO_GRAD_VIEW = "made under no_grad"
NO_GRAD_DERIVED = "a view of a view made under no_grad"
NO_GRAD_LEAF = "made under no_grad, then made a leaf by requires_grad_()"
NO_GRAD_KINDS = (NO_GRAD_VIEW, NO_GRAD_DERIVED, NO_GRAD_LEAF)  # (none may be written)


def no_history(t: Tensor) -> bool:
    """A view made under no_grad (and not made a leaf since): it requires grad, as its base
    does, but has no history and no ``.grad``; the ops that use it send it no gradient.
    (A view of it made with grad mode on has a history: its view op's node.)"""
    return t._base is not None and t._view_kind == NO_GRAD_VIEW and t._grad_fn is None
MULTI_DERIVED = "a view of an output of split, chunk or unbind"
CUSTOM_VIEW = "an input a learner's Function returned as-is"
CUSTOM_DERIVED = "a view of an input a learner's Function returned as-is"


class FunctionView(NamedTuple):
    """The kind of a view a learner's Function returned (an input as it is, or a view of
    one): writing into it, or into its base, would bypass the Function's own backward,
    so PyTorch forbids it. ``name`` is the Function's, ``k`` the output's number."""

    name: str
    k: int


def track_view(result: Tensor, source: Tensor, out: np.ndarray) -> None:
    """``result`` of a view op on ``source``: when numpy really gave a view (``out`` shares
    ``source``'s memory), it shares ``source``'s version counter and remembers the base
    it views, so that in-place writes can keep both histories right (views.py)."""
    data = source._data
    if out.base is not (data if data.base is None else data.base):
        return  # numpy copied (a reshape of a non-contiguous tensor): not a view
    counter = source._vc
    if counter is UNWRITTEN:
        counter = source._vc = [0]
    base = result._base = source if source._base is None else source._base
    result._vc = counter
    result._view_version = counter[0]
    if not _state.enabled:  # as PyTorch: it "requires grad" like its base, but has no
        result._view_kind = NO_GRAD_VIEW  # history to send a gradient to
        result._requires_grad = base._requires_grad
    elif source._base is not None and source._view_kind is not None:
        # a view of a view made under no_grad, of split's outputs or of a Function's
        # output: the same limits
        kind = source._view_kind
        result._view_kind = NO_GRAD_DERIVED if kind in NO_GRAD_KINDS else CUSTOM_DERIVED if \
            kind in (CUSTOM_VIEW, CUSTOM_DERIVED) else kind if type(kind) is FunctionView \
            else MULTI_DERIVED
    else:
        result._view_kind = None


def _edge(t: Tensor) -> Any:
    """Where the gradient of ``t`` goes: its node, or ``t`` itself for a leaf (a promoted
    operand, tensor._operand_as, has the edge of the tensor it stands for)."""
    edge = t._grad_fn
    return t if edge is None else edge


def make_node(cls: type[Function], args: tuple[Any, ...], out: np.ndarray) -> Node:
    """A node of ``cls`` for inputs ``args`` and an output like ``out``, made without
    running a forward (its caller sets its ``ctx_fields``): for the node of a write into a
    view (views.py)."""
    ctx = _new(cls._node_cls)
    needs = tuple(isinstance(a, _Tensor) and a._requires_grad for a in args)
    ctx.needs_input_grad = needs
    ctx.parents = tuple(_edge(a) if need else None for a, need in zip(args, needs))
    ctx._args = args
    ctx._saved = ()
    ctx._seq = _next_seq()
    ctx._out_shape = out.shape
    ctx._out_dtype = out.dtype
    ctx._released = False
    ctx._retained = None
    return ctx


def watch_output(node: Node, result: Tensor, into: Tensor) -> None:
    """``result`` of ``node`` was written into ``into`` (an in-place op): if the node saved
    its output (``exp_`` does), it is ``into``'s values now, so a later write into
    ``into`` must fail its version check at backward, as in PyTorch."""
    if node._saved and node._out_vc is result._vc:
        node._out_vc = shared_version(into)
        node._out_version = into._vc[0]


def _record(ctx: Node, out: np.ndarray, result: Tensor) -> None:
    """Fill in what a node of the graph needs besides its parents and arguments."""
    ctx._seq = _next_seq()
    ctx._out_shape = out.shape
    ctx._out_dtype = out.dtype
    ctx._released = False
    ctx._retained = None
    if ctx._saved:  # for the in-place checks and double backward
        ctx._epoch = _epoch[0]
        ctx._out_id = id(out)
        # the output's own version is watched only when forward saved the output
        ctx._out_vc = shared_version(result) if _holds(ctx._saved, out) else UNWRITTEN
        ctx._out_version = ctx._out_vc[0]


def _as_array(ctx: Node, scalar: Any) -> np.ndarray:
    """A 0-d array for the numpy scalar a forward returned (the saved output follows it)."""
    out = np.asarray(scalar)
    if ctx._saved:  # a saved output must stay the output (double backward)
        ctx._saved = tuple(out if s is scalar else s for s in ctx._saved)
    return out


def _forward_error(error: ValueError, values: list[Any]) -> Exception:
    """PyTorch's error for operands that do not broadcast (``error`` itself otherwise)."""
    shapes = [v.shape for v in values if isinstance(v, np.ndarray)]
    for k in range(1, len(shapes)):
        try:
            np.broadcast_shapes(*shapes[: k + 1])
        except ValueError:
            return broadcast_error(np.broadcast_shapes(*shapes[:k]), shapes[k])
    return error


class Output:
    """Output ``k`` of a node with several outputs (a learner's Function whose forward
    returns a tuple). A tensor's ``grad_fn`` is the node; what its consumers record as
    their parent is this edge, so that the node gets one gradient per output."""

    __slots__ = ("node", "k", "_out_shape", "_out_dtype", "_retained", "__weakref__")

    def __init__(self, node: Node, k: int, out: np.ndarray) -> None:
        self.node = node
        self.k = k
        self._out_shape = out.shape
        self._out_dtype = out.dtype
        self._retained: Any = None


def _apply_function(cls: type[Function], args: tuple[Any, ...]) -> Any:
    """``cls.apply(*args)`` for a learner's Function: ``forward`` runs on detached Tensors,
    unrecorded, and returns one Tensor or a tuple (Tensors and other values); each
    floating-point Tensor output that was not marked non-differentiable gets this node's
    history. Inputs marked dirty come back as themselves."""
    ctx = _new(cls._node_cls)
    needs = []
    for a in args:
        if isinstance(a, _Tensor) and a._base is not None and a._vc[0] != a._view_version \
                and _state.enabled:
            a._refresh_view()
        needs.append(isinstance(a, _Tensor) and a._requires_grad)
    record = _state.enabled and any(needs)
    ctx.needs_input_grad = tuple(needs) if record else (False,) * len(args)
    ctx._saved = ()
    detached = [_forward_input(a) if isinstance(a, _Tensor) else a for a in args]
    out = _run_forward(cls, ctx, detached)
    several = type(out) is tuple
    outs = out if several else (out,)
    if not several and not isinstance(out, _Tensor):
        raise TypeError(f"{cls.__name__}.forward must return a Tensor or a tuple, not "
                        f"{type(out).__name__}")
    differentiable = [isinstance(o, _Tensor) and o._data.dtype.kind == "f" and
                      not any(o is d for d in ctx._non_differentiable) for o in outs]
    if _anomaly.checks is not None:
        first = next((o._data for o in outs if isinstance(o, _Tensor)), np.zeros(()))
        _anomaly.checks.forward_hook(ctx, first, args)
    record = record and any(differentiable)
    if record:
        _record_function(ctx, args, needs, outs, several)
    results = []
    for k, o in enumerate(outs):
        if not isinstance(o, _Tensor):
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
                edges = ctx._edges
                edges[k] = weakref.ref(result._grad_fn)
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
    t = _wrap(a._data)
    t._vc = shared_version(a)
    return t


def _run_forward(cls: type[Function], ctx: Node, detached: list[Any]) -> Any:
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


def _record_function(ctx: Node, args: tuple[Any, ...], needs: list[bool], outs: tuple[Any, ...],
                     several: bool) -> None:
    """What the node of a learner's Function needs in the graph."""
    ctx.parents = tuple(_edge(a) if need else None for a, need in zip(args, needs))
    ctx._args = args
    ctx._seq = _next_seq()
    ctx._released = False
    ctx._retained = None
    first = next(o._data for o in outs if isinstance(o, _Tensor))
    ctx._out_shape = first.shape
    ctx._out_dtype = first.dtype
    if several:
        ctx._edges = [None] * len(outs)  # (weak references, made tuple once filled)
        # the shape and dtype of each Tensor output: zeros for the gradients that never come
        ctx._outputs = tuple((o._data.shape, o._data.dtype) if isinstance(o, _Tensor) else None
                             for o in outs)


def _output_tensor(cls: type[Function], ctx: Node, o: Tensor, args: tuple[Any, ...],
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
        view = _wrap(o._data.view())
        track_view(view, a, view._data)
        return view
    result = _wrap(o._data)
    for a in args:  # a view of an input (x.view(-1), x[0]) is a view of it, as in PyTorch
        if isinstance(a, _Tensor) and o._data.base is not None and \
                np.may_share_memory(o._data, a._data):
            track_view(result, a, o._data)
            break
    return result


def _watch_saved(ctx: Node, args: tuple[Any, ...], results: list[Any], several: bool) -> None:
    """Remember the versions of what forward saved, to catch later in-place changes."""
    ctx._arg_versions = tuple(a._vc[0] if isinstance(a, _Tensor) else 0 for a in args)
    ctx._epoch = _epoch[0]
    if several:  # each output's own (id, counter, version): see Node._source
        ctx._out_id = -1
        ctx._out_vc = [0]
        ctx._out_version = 0
        ctx._outs = tuple((id(r._data), shared_version(r), r._vc[0])
                          if isinstance(r, _Tensor) else None for r in results)
        return
    output = results[0]
    ctx._out_id = id(output._data)
    ctx._out_vc = shared_version(output)
    ctx._out_version = ctx._out_vc[0]


def move_history(t: Tensor, edge: Any) -> None:
    """Give ``t`` a new history ``edge`` (an in-place write, a view's history made anew). A
    ``retain_grad()`` moves with the tensor, as PyTorch's; hooks stay on the old node (they
    see the gradient of the old value)."""
    old = t._grad_fn
    if old is not None and old._retained is not None and old._retained() is t:
        edge._retained, old._retained = old._retained, None
    t._grad_fn = edge


def retain(edge: Node | Output, tensor: Tensor) -> None:
    """Make backward store the gradient reaching ``edge`` (the tensor's node, or its output
    of a node with several) on ``tensor.grad``."""
    edge._retained = weakref.ref(tensor)
