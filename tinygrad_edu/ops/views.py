"""Views and in-place writes: how two tensors that share memory keep their histories right.

A *view* (``y[:2]``, ``y.T``, ``y.reshape(...)`` when no copy is needed) shares its
*base*'s memory, so writing into one changes the other. PyTorch keeps the gradients
right through such writes, and so do we, the same way:

* **Writing into a view** (``v = y[:2]; v.mul_(3)``, ``out[:, t] = h``,
  ``buf[:2].copy_(w)``) changes the base: the base's new history is a ``CopySlices``
  node. Its backward sends the gradient of the untouched elements to the base's old
  history, and the gradient of the written region through the in-place op's own
  backward (``MulBackward0``: to the old values, and to ``w``). A base that did not
  require grad (a buffer of zeros) requires grad once a tensor that does is written
  into it.
* **A view of a base that was written since** (``v = y[:2]; y.mul_(3)``) has a stale
  history: it was made from the old ``y``. Its version counter (shared with the base)
  tells: when it is next used, its history is made anew as ``AsStridedBackward0`` of
  the base's current history: "the elements at these positions of the base".

Positions are found from memory addresses, so any chain of views (``y[0][1:].T``)
works. Some views may not be written with grad mode on, as in PyTorch: views made under
``no_grad`` (is the write meant to be recorded or not?) and the outputs of ``split``,
``chunk``, ``unbind`` (several views of one base from one node).

>>> y = tg.ones(3, requires_grad=True) * 1
>>> v = y[:2]
>>> _ = v.mul_(3)
>>> y.grad_fn.name(), v.grad_fn.name()
('torch::autograd::CopySlices', 'AsStridedBackward0')
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from ..core import engine
from ..core import function as fn
from ..core.function import NO_GRAD_LEAF, NO_GRAD_VIEW, UNWRITTEN, Function, Node, shared_version
from ..core.grad_mode import _state
from ..parity.errors import FREED, view_write_error
from ..parity.nodes import op_name

if TYPE_CHECKING:
    from ..tensor import Tensor


def _is_tensor(x: Any) -> bool:
    return isinstance(x, fn._Tensor)


# ------------------------------------------------------------------ what a view is
# How a view was made, when that limits writing into it with grad mode on; the outputs of
# split, chunk and unbind have (op name, output number) instead (``multi_output``)
NO_GRAD_DERIVED = "a view of a view made under no_grad"
NO_GRAD_KINDS = (NO_GRAD_VIEW, NO_GRAD_DERIVED, NO_GRAD_LEAF)  # (none may be written)
MULTI_DERIVED = "a view of an output of split, chunk or unbind"
CUSTOM_VIEW = "an input a learner's Function returned as-is"
CUSTOM_DERIVED = "a view of an input a learner's Function returned as-is"


class FunctionView(NamedTuple):
    """The kind of a view a learner's Function returned (an input as it is, or a view of
    one): writing into it, or into its base, would bypass the Function's own backward,
    so PyTorch forbids it. ``name`` is the Function's, ``k`` the output's number."""

    name: str
    k: int


def _owner(a: Any) -> Any:
    """The object owning the memory of ``a``, an array: ``a`` itself, or the end of the
    chain of numpy's ``.base`` (which, for a view made with strides of its own by
    ``as_strided``, ``unfold``'s, passes through a holder object)."""
    while a.base is not None:
        held = a.base if isinstance(a.base, np.ndarray) else getattr(a.base, "base", None)
        if not isinstance(held, np.ndarray):
            return a.base
        a = held
    return a


def track_view(result: Tensor, source: Tensor, out: np.ndarray) -> None:
    """``result`` of a view op on ``source``: when numpy really gave a view (``out`` shares
    ``source``'s memory), it shares ``source``'s version counter and remembers the base
    it views, so that in-place writes can keep both histories right."""
    data = source._data
    if out.base is not (data if data.base is None else data.base) and \
            _owner(out) is not _owner(data):  # (the first test settles most views)
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


def move_history(t: Tensor, edge: Any) -> None:
    """Give ``t`` a new history ``edge`` (an in-place write, a view's history made anew). A
    ``retain_grad()`` moves with the tensor, as PyTorch's; hooks stay on the old node (they
    see the gradient of the old value)."""
    old = t._grad_fn
    if old is not None and old._retained is not None and old._retained() is t:
        edge._retained, old._retained = old._retained, None
    t._grad_fn = edge


def make_node(cls: type[Function], args: tuple[Any, ...], out: np.ndarray) -> Node:
    """A node of ``cls`` for inputs ``args`` and an output like ``out``, made without
    running a forward (its caller sets its ``ctx_fields``): for the node of a write into a
    view."""
    ctx = fn._new(cls._node_cls)
    needs = tuple(isinstance(a, fn._Tensor) and a._requires_grad for a in args)
    ctx.needs_input_grad = needs
    ctx._saved = ()
    ctx._set_inputs(tuple(fn._edge(a) if need else None for a, need in zip(args, needs)), args)
    ctx._seq = fn._next_seq()
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


# ------------------------------------------------------------------ where a view lies
def positions(base: np.ndarray, view: np.ndarray) -> np.ndarray:
    """For each element of ``view``, its index in ``base`` flattened in row-major order
    (an int64 array of the view's shape). ``view`` must lie in ``base``'s memory."""
    if view.size == 0:
        return np.zeros(view.shape, np.int64)
    item = base.itemsize
    start = view.__array_interface__["data"][0] - base.__array_interface__["data"][0]
    if base.flags.c_contiguous and start % item == 0 and all(s % item == 0
                                                             for s in view.strides):
        # the element at byte offset b of a contiguous base has index b // itemsize
        index = np.arange(base.size, dtype=np.int64)
        at: np.ndarray = np.lib.stride_tricks.as_strided(
            index[start // item:], view.shape, [s // item * 8 for s in view.strides],
            writeable=False)
        copied: np.ndarray = at.copy()
        return copied
    # any layout: match the address of every element of the view to one of the base's
    base_addr = _addresses(base).reshape(-1)
    order = np.argsort(base_addr, kind="stable")
    found = np.searchsorted(base_addr[order], _addresses(view) + start)
    positions: np.ndarray = order[np.minimum(found, base.size - 1)].astype(np.int64)
    return positions


def _addresses(a: np.ndarray) -> np.ndarray:
    """The byte offset of each element of ``a`` from its first element."""
    out = np.zeros(a.shape, np.int64)
    for axis, (n, stride) in enumerate(zip(a.shape, a.strides)):
        shape = [1] * a.ndim
        shape[axis] = n
        out = out + (np.arange(n, dtype=np.int64) * stride).reshape(shape)
    return out


# ------------------------------------------------------------------ the ops of views
class TakeAt(Function):
    """``x`` flattened, read at ``positions``: a view's values from its base, as a node.
    PyTorch names it ``AsStridedBackward0`` (a view described by sizes and strides)."""

    _numpy = True
    _grad_fn_name = "AsStridedBackward0"
    ctx_fields = ("shape", "at")

    @staticmethod
    def forward(ctx: Node, x: np.ndarray, at: np.ndarray) -> np.ndarray:
        ctx.shape, ctx.at = x.shape, at
        out: np.ndarray = np.ascontiguousarray(x).reshape(-1)[at]
        return out

    @staticmethod
    def backward(ctx: Node, grad: Any) -> Any:
        shape, at = ctx.shape, ctx.at
        if _is_tensor(grad):
            return AddAt.apply(grad, shape, at), None
        return _add_at(shape, at, grad), None


class AddAt(Function):
    """Zeros of ``shape`` with ``v`` added at ``positions`` (repeats add up): the adjoint
    of ``TakeAt``, recorded when backward itself is (``create_graph=True``)."""

    _numpy = True
    _grad_fn_name = "AsStridedBackwardBackward0"
    ctx_fields = ("at",)

    @staticmethod
    def forward(ctx: Node, v: np.ndarray, shape: tuple[int, ...], at: np.ndarray) -> Any:
        ctx.at = at
        return _add_at(shape, at, v)

    @staticmethod
    def backward(ctx: Node, grad: Any) -> Any:
        at = ctx.at
        return (TakeAt.apply(grad, at) if _is_tensor(grad) else
                np.ascontiguousarray(grad).reshape(-1)[at]), None, None


def _add_at(shape: tuple[int, ...], at: np.ndarray, v: np.ndarray) -> np.ndarray:
    out = np.zeros(int(np.prod(shape)), dtype=v.dtype)
    np.add.at(out, at.reshape(-1), np.broadcast_to(v, at.shape).reshape(-1))
    return out.reshape(shape)


def _take(grad: Any, at: np.ndarray) -> Any:
    """``grad`` flattened, read at ``at`` (recorded for a Tensor)."""
    if _is_tensor(grad):
        return TakeAt.apply(grad, at)
    return np.ascontiguousarray(grad).reshape(-1)[at]


def _put(grad: Any, values: Any, at: np.ndarray) -> Any:
    """A copy of ``grad`` with ``values`` (zeros for None) at ``at`` (recorded for a
    Tensor)."""
    if _is_tensor(grad):
        if values is None:
            values = fn._wrap(np.zeros(at.shape, grad._data.dtype))
        return CopySlices.apply(grad, values, at)
    out = np.array(grad, order="C")
    out.reshape(-1)[at.reshape(-1)] = 0 if values is None else values.reshape(-1)
    return out


class CopySlices(Function):
    """A write into a view of a base, as the base's history (PyTorch's ``CopySlices``).

    Made by ``write`` around the in-place op's own node ``op`` (``MulBackward0`` of
    ``v.mul_(w)``), whose input ``j`` was the view's old value: its inputs are the base's
    old history and the op's other inputs, so ``next_functions`` read as PyTorch's. Run as
    an op (``CopySlices.apply(x, v, at)``, no ``op``) it is "``x`` with the elements at
    ``at`` replaced by ``v``": a write of several ops, and the gradients of writes when
    backward is recorded.
    """

    _numpy = True
    _grad_fn_name = "CopySlices"
    _torch_name = "torch::autograd::CopySlices"
    # the op's node, the position of the view's old value among its inputs, the view's
    # positions in the base; and the inputs next_functions lists (set by ``write``)
    ctx_fields = ("op", "j", "at", "_torch_inputs")

    @staticmethod
    def forward(ctx: Node, x: np.ndarray, v: np.ndarray, at: np.ndarray) -> np.ndarray:
        ctx.op, ctx.j, ctx.at, ctx._torch_inputs = None, None, at, None
        out = np.array(x, order="C")
        out.reshape(-1)[at.reshape(-1)] = np.broadcast_to(v, at.shape).reshape(-1)
        return out

    @staticmethod
    def backward(ctx: Node, grad: Any) -> Any:
        op, j, at = ctx.op, ctx.j, ctx.at
        if op is None:  # x with v at ``at``: x's replaced elements had no effect
            return _put(grad, None, at), _take(grad, at), None
        if ctx._released and op._saved:
            raise RuntimeError(FREED)
        region = _take(grad, at)
        grads = op._run_backward(region)  # the in-place op's backward, on its region
        if type(grads) is not tuple:
            grads = (grads,)
        g_view = grads[j]
        if g_view is not None and (g_view.shape != at.shape or
                                   g_view.dtype != grad.dtype):
            g_view = engine._unbroadcast(g_view, at.shape, grad.dtype, op, j)
        others = grads[:j] + grads[j + 1:]
        return (_put(grad, g_view, at), *others)


# ------------------------------------------------------------------ rules of writing
def multi_output(name: str, k: int) -> tuple[str, int]:
    """The kind of view ``split``/``chunk``/``unbind`` return: output ``k`` of ``name``."""
    return name, k


def forbidden(view: Tensor, direct: bool) -> RuntimeError | None:
    """PyTorch's error for writing into ``view`` (``direct``) or into its base or a
    sibling view (not ``direct``) with grad mode on, if it is one it forbids."""
    kind = view._view_kind
    if kind is None:
        return None
    node = view._grad_fn
    if kind in NO_GRAD_KINDS:  # made under no_grad (or a view of one, with a history)
        derived = kind == NO_GRAD_DERIVED and node is not None
        return view_write_error("no_grad", direct, op_name(node) if derived else None)
    if node is None:  # (a view of a buffer: made as if in no_grad)
        return view_write_error("buffer", direct)
    name, k = kind if isinstance(kind, tuple) else (op_name(node), 0)
    custom = type(kind) is FunctionView or kind in (CUSTOM_VIEW, CUSTOM_DERIVED)
    return view_write_error("custom" if custom else "multi", direct, name, k)


# ------------------------------------------------------------------ a view made anew
def refresh(view: Tensor) -> None:
    """Bring ``view``'s history up to date after a write into its base (or into another
    view of it): ``AsStridedBackward0`` of the base's current history."""
    counter = view._vc
    if counter[0] == view._view_version:
        return  # nothing written since its history was made
    base: Any = view._base
    if view._data.size and not np.may_share_memory(base._data, view._data):
        view._view_version = counter[0]  # (base.data = ... gave the base new storage)
        return
    if not base._requires_grad:
        view._view_version = counter[0]
        if view._grad_fn is not None:  # (a history from a base that no longer requires
            view._grad_fn = None  # grad; a view made a leaf by requires_grad_() stays one)
            view._requires_grad = False
        return
    error = forbidden(view, direct=False)
    if error is not None:
        raise error
    before = _state.enabled
    _state.enabled = True  # (a history is made even when grad mode is off now)
    try:
        remade = TakeAt.apply(base, positions(base._data, view._data))
    finally:
        _state.enabled = before
    move_history(view, remade._grad_fn)
    view._requires_grad = True
    view._view_version = counter[0]


# ------------------------------------------------------------------ in-place view ops
def change_view(t: Tensor, op: Any, *args: Any) -> Tensor:
    """``t.squeeze_()``, ``t.t_()`` ...: ``t`` becomes ``op``'s view of itself -- the same
    memory with a new shape or strides -- and takes its history (``op``'s node on ``t``'s
    old history), its version bumped as by any in-place op. A view stays a view of its
    base, with its new history current (no ``AsStridedBackward0``)."""
    t._check_inplace_autograd()
    out = op.apply(t, *args)
    t._data = out._data
    fn.bump_version(t)
    if t._base is not None:
        t._view_version = t._vc[0]
    if out._grad_fn is not None:
        move_history(t, out._grad_fn)
        t._requires_grad = True
    return t


# ------------------------------------------------------------------ a write into a view
def write(view: Tensor, compute: Callable[[Tensor], Tensor]) -> None:
    """Record an in-place op on ``view`` (grad mode on, something requires grad) as
    PyTorch does: ``compute(old)`` gives the view's new value from a stand-in for its
    old value; the base takes the new values and a ``CopySlices`` history."""
    base: Any = view._base
    at = positions(base._data, view._data)
    old_base = fn._wrap(base._data, base._requires_grad)  # the base's history so far
    old_base._grad_fn = base._grad_fn
    old = TakeAt.apply(old_base, at)  # the view's old value, read from that history
    new = compute(old)
    if new._data.shape != view._data.shape:
        raise RuntimeError(f"output with shape {list(view._data.shape)} doesn't match the "
                           f"broadcast shape {list(new._data.shape)}")
    op = new._grad_fn
    j = _input_index(op, old)
    if j is not None:  # one op, as every PyTorch in-place op: wrap it (next_functions)
        args = op._args
        node = make_node(CopySlices, (old_base, *args[:j], *args[j + 1:]), base._data)
        node.op, node.j, node.at = op, j, at
        # next_functions: the base's, then what the op lists besides the view's (PyTorch's)
        node._torch_inputs = (0, *(k + (k < j) for k in op._listed() if k != j))
        np.copyto(view._data, new._data, casting="unsafe")
        fn.bump_version(base)
        watch_output(op, new, base)
        move_history(base, node)
        base._requires_grad = True
    else:  # several ops (or none recorded): the base is "old base with the region replaced"
        value = new.to(base.dtype) if new.dtype != base.dtype else new
        base._become(CopySlices.apply(old_base, value, at))
    refresh(view)  # the view's own history, at once: AsStridedBackward0 of the new base


def _input_index(op: Any, old: Tensor) -> int | None:
    """Where ``old`` is the one direct input of ``op`` (else None: wrap nothing)."""
    if not isinstance(op, Node) or op._args is None:
        return None
    # (by array: the node may keep an intermediate input as its array, see core _kept)
    found = [i for i, a in enumerate(op._args) if _is_tensor(a) and a._data is old._data]
    if len(found) != 1:
        return None
    j = found[0]
    if old._grad_fn is not None and op.parents[j] is not old._grad_fn:
        return None
    return j
