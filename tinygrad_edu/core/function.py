"""``Function``: one op's forward and backward side by side, and the graph node it records.

A call ``Mul.apply(x, y)`` runs ``Mul.forward(ctx, ...)`` on the inputs' numpy arrays and,
when grad mode is on and an input requires grad, keeps ``ctx`` as the output's
``grad_fn``: the node the engine visits in backward. ``ctx`` remembers where the inputs'
gradients go (``parents``), what forward saved, and the version of every saved tensor, so
that an in-place change made before backward is caught.

A learner's own ``tg.autograd.Function`` (forward and backward on Tensors, several
outputs, ``mark_dirty``) builds on this one: autograd/function.py.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from ..dtypes import FLOATING
from ..parity.errors import FREED, forward_error
from ..parity.nodes import TorchNode, stale_saved_error
from . import grad_mode
from .hooks import RemovableHandle, hooks_of

if TYPE_CHECKING:
    from ..tensor import Tensor
    from .tensor import AutogradTensor

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
    t = _new(_Tensor)
    t._data = data
    t._requires_grad = requires_grad
    t._grad_fn = None
    t._grad = None
    t._vc = UNWRITTEN
    t._base = None
    return t


def _attached(data: np.ndarray, edge: Any) -> Tensor:
    """A Tensor around ``data`` whose gradient goes to ``edge`` (double backward)."""
    t = _wrap(data, True)
    t._grad_fn = edge
    return t


# A view made under no_grad of a base that requires grad "requires grad" as its base does
# (PyTorch's rule), but has no history: the ops that use it send it no gradient.
NO_GRAD_VIEW = "made under no_grad"
NO_GRAD_LEAF = "made under no_grad, then made a leaf by requires_grad_()"


def no_history(t: AutogradTensor) -> bool:
    """Whether ``t`` is a view made under no_grad (not made a leaf since, nor given a
    history by a view op made with grad mode on): it takes no gradient."""
    return t._base is not None and t._view_kind == NO_GRAD_VIEW and t._grad_fn is None


class Node(TorchNode):
    """A recorded op (PyTorch's ``grad_fn``); also the ``ctx`` its Function sees.

    ``parents[i]`` is where the gradient of input ``i`` goes: the input's own node, the
    input itself when it is a leaf that requires grad, or ``None``. ``_seq`` counts
    recorded nodes down from 0 (PyTorch's ``sequence_nr``, negated): backward runs the
    smallest, the newest, first. (``name()`` and ``next_functions``, as PyTorch shows a
    node: parity/nodes.py.)
    """

    __slots__ = (
        "_n", "_e0", "_e1", "_erest", "_a0", "_a1", "_arest", "needs_input_grad", "_saved",
        "_arg_versions", "_epoch", "_out_id", "_out_vc", "_out_version", "_out_shape",
        "_out_dtype", "_released", "_retained", "_seq", "_anomaly_frames", "_hooks",
        "__weakref__",
    )  # (and, in each op's node class, the op's ``ctx_fields``; see Function)
    _function: type[Function]
    needs_input_grad: tuple[bool, ...]
    _saved: tuple[Any, ...]  # what forward saved for backward (freed after it)
    _arg_versions: tuple[int, ...]  # each input's version at forward (if forward saved)
    _epoch: int
    _out_id: int  # id of the output array: a saved value that is it is the output
    _out_vc: list[int]  # the output's version counter, and its version at forward
    _out_version: int
    _out_shape: tuple[int, ...]  # the gradient arriving here has this shape and dtype
    _out_dtype: np.dtype
    _released: bool  # backward ran without retain_graph: what forward saved is gone
    _retained: Any  # a weak reference to the tensor whose retain_grad() keeps its .grad
    _seq: int
    _anomaly_frames: list[Any]  # where the op was made: set inside detect_anomaly only

    if TYPE_CHECKING:  # (for mypy: ctx also holds its op's ctx_fields, or a learner's own)
        def __getattr__(self, name: str) -> Any: ...
        def __setattr__(self, name: str, value: Any) -> None: ...
        def _run_backward(self, grad: Any) -> Any: ...  # its Function's backward

    # ``parents`` and ``_args`` (the op's arguments, for tg.viz and gradcheck_graph: after
    # backward only its constants) are kept in slots, the first two inputs' each in its
    # own: a tuple would be one more object per op for the garbage collector to scan.
    _n: int
    _e0: Any
    _e1: Any
    _erest: tuple[Any, ...]
    _a0: Any
    _a1: Any
    _arest: tuple[Any, ...]

    @property
    def parents(self) -> tuple[Any, ...]:
        """Where the gradient of each input goes (see the class docstring)."""
        n = self._n
        if n == 2:
            return (self._e0, self._e1)
        return (self._e0,) if n == 1 else (self._e0, self._e1, *self._erest)[:n]

    @property
    def _args(self) -> tuple[Any, ...]:
        n = self._n
        args = (self._a0, self._a1, *self._arest)[:n]
        return tuple(_attached(a, e) if isinstance(a, np.ndarray) and e is not None else a
                     for a, e in zip(args, self.parents))  # (an input kept as its array)

    def _set_inputs(self, edges: tuple[Any, ...], args: tuple[Any, ...]) -> None:
        """Record ``parents`` (``edges``) and ``_args``: into the slots behind them."""
        args = tuple(_kept(a, e, self._saved, len(args)) for a, e in zip(args, edges))
        n = self._n = len(args)
        self._e0, self._a0 = (edges[0], args[0]) if n else (None, None)
        self._e1, self._a1 = (edges[1], args[1]) if n > 1 else (None, None)
        self._erest = edges[2:]
        self._arest = args[2:]

    def _free(self) -> None:
        """Forget what forward kept, once backward ran (without ``retain_graph``): the
        saved values, and the inputs that are intermediates (constants stay, for tg.viz)."""
        self._saved = ()
        self._released = True
        if self._e0 is not None:
            self._a0 = None
        if self._e1 is not None:
            self._a1 = None
        if self._arest:
            self._arest = tuple([a if e is None else None
                                 for a, e in zip(self._arest, self._erest)])

    def register_prehook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(grad_outputs)`` before this node's backward, with the gradient of its
        output (a 1-tuple of Tensors); it may return a tuple to use instead. Tensor hooks
        on the output run first. Returns a handle: ``handle.remove()`` unregisters it."""
        return hooks_of(self).add(hook, "pre")

    def register_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(grad_inputs, grad_outputs)`` after this node's backward: the
        gradients it made for its inputs (as ``next_functions`` lists them; None for one
        that takes none) and of its output. It may return a tuple to send instead."""
        return hooks_of(self).add(hook, "post")

    def save_for_backward(self, *values: Any) -> None:
        """Keep arrays (or tensors) that backward needs; read them as ``saved_tensors``."""
        self._saved = values

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
        if self._epoch != _epoch[0]:  # something was written in place since forward
            for value in saved:
                if self._changed(value):
                    raise stale_saved_error(self)
        if self._function._numpy and not _state.create_graph:
            return saved
        return tuple(self._unpack(i) for i in range(len(saved)))

    saved_variables = saved_tensors

    def _source(self, value: Any) -> int | None:
        """Where a saved value came from: input ``i``, -1 for the output, None otherwise."""
        data = value if isinstance(value, np.ndarray) else getattr(value, "_data", None)
        if data is None:
            return None
        if id(data) == self._out_id:
            return -1
        for i, a in enumerate(self._args):
            if isinstance(a, _Tensor) and a._data is data:
                return i
        return None

    def _counter(self, src: int) -> tuple[list[int], int]:
        """The version counter of the saved value from ``src``, and its version then."""
        if src == -1:
            return self._out_vc, self._out_version
        arg = self._a0 if src == 0 else self._a1 if src == 1 else self._arest[src - 2]
        return arg._vc, self._arg_versions[src]

    def _changed(self, value: Any) -> bool:
        """Whether a saved value was changed in place since forward (its version moved)."""
        src = self._source(value)
        if src is None:
            return False
        counter, expected = self._counter(src)
        return bool(counter[0] != expected)

    def _unpack(self, i: int) -> Any:
        """Saved value ``i`` as a Tensor connected to the graph where it came from (a
        constant as it is): its backward, run on these, is recorded (double backward)."""
        value = self._saved[i]
        if not isinstance(value, (np.ndarray, _Tensor)):
            return value  # None, a Python number or another constant
        src = self._source(value)
        if src == -1:  # the output of this very node
            return _attached(value if isinstance(value, np.ndarray) else value._data, self)
        if src is not None:
            return self._args[src]  # the input tensor itself, with its history
        return _wrap(value) if isinstance(value, np.ndarray) else value


class _FunctionType(type):
    """The type of Functions: keeps an op's node class in step with its ``backward``.

    A built-in op's node class holds the op's backward as its ``_run_backward`` (what the
    engine calls); assigning ``Op.backward = ...`` later (patching it in a notebook, as a
    test does) updates it there, and in every subclass that inherits it.
    """

    def __setattr__(cls, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if name in ("backward", "_numpy") and "_node_cls" in cls.__dict__:
            _bind_all(cls)


class Function(metaclass=_FunctionType):
    """Base class of every built-in op: ``forward`` and ``backward`` staticmethods on numpy
    arrays, side by side.

    >>> class Mul(Function):
    ...     @staticmethod
    ...     def forward(ctx, x, y):
    ...         ctx.save_for_backward(x, y)
    ...         return x * y
    ...     @staticmethod
    ...     def backward(ctx, grad):
    ...         x, y = ctx.saved_tensors
    ...         return grad * y, grad * x    # d(xy)/dx = y, d(xy)/dy = x
    >>> Mul.apply(tg.tensor([3.0], requires_grad=True), tg.tensor([2.0]))
    tensor([6.], grad_fn=<MulBackward>)

    ``backward`` returns one gradient per forward argument (``None`` for non-tensors), of
    the broadcast shape if it likes: the engine sums it back to each input's shape.
    """

    _numpy = True  # forward and backward on numpy arrays (a learner's Function: False)
    _view = False  # True for ops whose output shares storage with input 0
    _grad_fn_name: str | None = None  # the node's class name, when not <Name>Backward
    # What forward keeps on ``ctx`` for backward besides saved tensors, by name
    # (``ctx.shape``, ``ctx.axis``): its node class has a slot for each (with its
    # parents' fields), and no ``__dict__``.
    ctx_fields: tuple[str, ...] = ()
    _ctx_cls: type[Node] = Node  # the base of its node class
    _node_cls: type[Node]
    if TYPE_CHECKING:  # each op's own, made by _bind
        @staticmethod
        def apply(*args: Any) -> Any: ...

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("_grad_fn_name") or cls.__name__ + "Backward"
        fields = dict.fromkeys(  # (each once, parents' first)
            f for c in reversed(cls.__mro__) for f in c.__dict__.get("ctx_fields", ()))
        # (its module is the public one, as PyTorch's torch.autograd.function.XxBackward)
        cls._node_cls = type(name, (cls._ctx_cls,), {
            "__slots__": tuple(fields), "_function": cls,
            "__module__": "tinygrad_edu.autograd.function"})
        _bind(cls)

    @staticmethod
    def forward(ctx: Node, *args: Any) -> Any:
        """Compute the output from the inputs; save what backward needs on ``ctx``."""
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Node, *grad_outputs: Any) -> Any:
        """Given d(loss)/d(output), return d(loss)/d(input) for each input."""
        raise NotImplementedError


# Every built-in op is recorded by ``_apply`` below: the readable path. The package binds
# a fast twin of it as each op's ``apply`` (tinygrad_edu/fast/apply.py, through ``bind``),
# unless TINYGRAD_EDU_REFERENCE=1; the test suite runs both ways
# (tests/test_reference_mode.py: the same graphs).
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
                a._refresh_view()  # a view, written since its history was made (ops/views.py)
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
        raise forward_error(e, values) from None
    if not isinstance(out, np.ndarray):  # numpy gives scalars for 0-d results
        out = _as_array(ctx, out)
    if record and out.dtype not in FLOATING:
        record = False  # as in PyTorch, only floating point results can require grad
    if _anomaly.checks is not None:  # tg.autograd.detect_anomaly: see anomaly.py
        _anomaly.checks.forward_hook(ctx, out, args)
    result = _new(tensor_cls)
    result._data = out
    result._requires_grad = record
    result._grad = None
    result._vc = UNWRITTEN
    result._base = None
    if cls._view:  # it shares input 0's memory: and its version counter (ops/views.py)
        result._track_view(args[0], out)
    if record:
        result._grad_fn = ctx
        ctx._set_inputs(tuple(parents), args)  # (args: for tg.viz and gradcheck_graph)
        _record(ctx, out, result)
        if ctx._saved:  # (a tuple of ints, not a list: the garbage collector ignores it)
            ctx._arg_versions = tuple(
                a._vc[0] if isinstance(a, tensor_cls) else 0 for a in args
            )
    else:
        result._grad_fn = None
    return result


def _edge(t: Tensor) -> Any:
    """Where the gradient of ``t`` goes: its node, or ``t`` itself for a leaf."""
    edge = t._grad_fn
    return t if edge is None else edge


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


def _holds(saved: tuple[Any, ...], value: Any) -> bool:
    """Whether ``value`` itself (not an equal array) is among ``saved``."""
    for s in saved:
        if s is value:
            return True
    return False


def _kept(arg: Any, edge: Any, saved: tuple[Any, ...], inputs: int) -> Any:
    """What a node of one or two inputs keeps of one input. An intermediate result (an
    input with a node of its own) that forward did not save is kept as its array only: its
    Tensor can then die with the variable that held it, which leaves one object per op for
    the garbage collector to scan in a long chain (W6), not two. ``_args`` makes a Tensor
    of it again when asked. (Ops of three inputs or more keep their Tensors: they are rare
    in long chains, and recording them stays cheaper.)"""
    if edge is None or edge is arg or inputs > 2:  # a constant, or a leaf: kept as it is
        return arg
    data = arg._data
    for s in saved:  # (a saved input's version is watched: that needs its Tensor)
        if s is data or s is arg or getattr(s, "_data", None) is data:
            return arg
    return data


def _as_array(ctx: Node, scalar: Any) -> np.ndarray:
    """A 0-d array for the numpy scalar a forward returned (the saved output follows it)."""
    out = np.asarray(scalar)
    saved = ctx._saved
    if saved and _holds(saved, scalar):  # a saved output must stay the output (double
        ctx._saved = tuple(out if s is scalar else s for s in saved)  # backward)
    return out


def _reference_apply(cls: type[Function]) -> Callable[..., Tensor]:
    """A built-in op's ``apply``: the readable path, ``_apply``."""

    def apply(*args: Any) -> Tensor:
        """Run the op and record it in the graph when gradients are needed."""
        return _apply(cls, args)

    return apply


_make_apply: Callable[[type[Function]], Callable[..., Tensor]] = _reference_apply


def _bind(cls: Any) -> None:
    """Give a built-in op its ``apply`` (made by ``_make_apply``: see ``bind``), and its
    node class the op's backward as ``_run_backward``, the engine's call. (A learner's
    Function keeps its own: autograd/function.py.)"""
    node_cls = cls._node_cls
    if cls._numpy:
        cls.apply = staticmethod(_make_apply(cls))
        node_cls._run_backward = cls.backward
        return
    if isinstance(cls.__dict__.get("apply"), staticmethod):
        delattr(cls, "apply")  # (no longer a numpy op: Function.apply again)
    if "_run_backward" in node_cls.__dict__:
        del node_cls._run_backward


def bind(tensor_cls: type[Tensor],
         make_apply: Callable[[type[Function]], Callable[..., Tensor]] | None) -> None:
    """Part of the one bind (``engine.bind``): the class the engine makes its results of,
    and what makes a built-in op's ``apply`` (the fast twin of ``_apply``; None keeps
    ``_apply``, as TINYGRAD_EDU_REFERENCE=1 does)."""
    global _Tensor, _make_apply
    _Tensor = tensor_cls
    _make_apply = make_apply or _reference_apply
    for cls in Function.__subclasses__():  # (the ops defined so far; later ones bind in
        _bind_all(cls)  # __init_subclass__)


def _bind_all(cls: Any) -> None:
    """``_bind`` ``cls`` and every subclass of it."""
    stack = [cls]
    while stack:
        sub = stack.pop()
        _bind(sub)
        stack.extend(sub.__subclasses__())
