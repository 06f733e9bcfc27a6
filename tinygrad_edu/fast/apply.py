"""The fast twin of the readable recording path (``_apply`` in core/function.py).

``fast_apply(cls)`` makes a built-in op's ``apply``: the same steps as ``_apply``, unrolled
for the ops of one or two arguments (most of them), without the loops and lists, which
makes an op about a third cheaper. tinygrad_edu/tensor.py binds it (``core.engine.bind``)
unless TINYGRAD_EDU_REFERENCE=1; the test suite runs both ways, and
tests/test_reference_mode.py checks that both build the same graph and gradients for every
row of the op table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core import function as fn
from ..core.function import (
    UNWRITTEN,
    _anomaly,
    _as_array,
    _epoch,
    _holds,
    _new,
    _next_seq,
    _state,
)
from ..dtypes import FLOATING
from ..ops.views import track_view
from ..parity.errors import forward_error

if TYPE_CHECKING:
    from ..core.function import Function
    from ..tensor import Tensor

# needs_input_grad of an op of one or two arguments, shared: _NEEDS1[a], _NEEDS2[a][b]
# (shared constant tuples: each allocation is work for the garbage collector)
_NEEDS1 = ((False,), (True,))
_NEEDS2 = (((False, False), (False, True)), ((True, False), (True, True)))
_UNWRITTEN_PAIR = (0, 0)  # the versions of two inputs never written in place
NO_ARG: Any = object()  # the second argument of an op that takes one


def fast_apply(cls: type[Function]) -> Callable[..., Tensor]:
    """The fast twin of ``_apply`` for the built-in op ``cls``: its ``apply``, ``_apply``
    unrolled for one or two arguments (most ops), which makes an op about a third cheaper."""
    tensor_cls = fn._Tensor  # (bound before any apply is made: see engine.bind)

    def apply(a: Any, b: Any = NO_ARG, *rest: Any) -> Tensor:
        """Run the op and record it in the graph when gradients are needed."""
        if rest:  # (three arguments or more)
            return apply_many(cls, (a, b, *rest))
        ctx = _new(cls._node_cls)
        if isinstance(a, tensor_cls):
            if a._base is not None and a._vc[0] != a._view_version:  # a view, written
                if _state.enabled:  # since its history was made: make it anew (ops/views.py)
                    a._refresh_view()
            x = a._data
            need_a = a._requires_grad
        else:
            x, need_a = a, False
        if isinstance(b, tensor_cls):
            if b._base is not None and b._vc[0] != b._view_version:
                if _state.enabled:
                    b._refresh_view()
            y = b._data
            need_b = b._requires_grad
        else:
            y, need_b = b, False
        record = (need_a or need_b) and _state.enabled
        one = b is NO_ARG
        # (shared constant tuples: each allocation is work for the garbage collector)
        if one:
            ctx.needs_input_grad = _NEEDS1[need_a] if record else _NEEDS1[0]
        else:
            ctx.needs_input_grad = _NEEDS2[need_a][need_b] if record else _NEEDS2[0][0]
        ctx._saved = ()
        try:
            out = cls.forward(ctx, x) if one else cls.forward(ctx, x, y)
        except ValueError as e:  # numpy's broadcasting error -> PyTorch's RuntimeError
            raise forward_error(e, [x] if one else [x, y]) from None
        if not isinstance(out, np.ndarray):  # numpy gives scalars for 0-d results
            out = _as_array(ctx, out)
        result = _new(tensor_cls)
        result._data = out
        result._grad = None
        result._vc = UNWRITTEN
        result._base = None
        if record and out.dtype in FLOATING:  # as in PyTorch, only floats can require grad
            result._requires_grad = True
            result._grad_fn = ctx
            # (each input's edge: its node, or itself for a leaf; `is None`, not `or`: a
            # promoted operand's edge may be the leaf it stands for, see tensor._operand_as)
            # (the slots behind ctx.parents and ctx._args, written directly: no tuples)
            ctx._erest = ctx._arest = ()
            saved = ctx._saved  # (an intermediate input is kept as its array: _kept)
            if one:
                edge = a._grad_fn
                ctx._n = 1
                if edge is None:
                    ctx._e0 = ctx._a0 = a
                else:
                    ctx._e0 = edge
                    ctx._a0 = a if saved and _holds(saved, x) else x
                ctx._e1 = ctx._a1 = None
            else:
                ctx._a0 = a
                ctx._a1 = b
                if need_a:
                    edge = a._grad_fn
                    if edge is None:
                        edge = a
                    elif not saved or not _holds(saved, x):
                        ctx._a0 = x
                else:
                    edge = None
                if need_b:
                    edge_b = b._grad_fn
                    if edge_b is None:
                        edge_b = b
                    elif not saved or not _holds(saved, y):
                        ctx._a1 = y
                else:
                    edge_b = None
                ctx._n = 2
                ctx._e0 = edge
                ctx._e1 = edge_b
            ctx._seq = _next_seq()  # (what _record does, inlined)
            ctx._out_shape = out.shape
            ctx._out_dtype = out.dtype
            ctx._released = False
            ctx._retained = None
            if saved:
                va = a._vc[0] if isinstance(a, tensor_cls) else 0
                vb = b._vc[0] if isinstance(b, tensor_cls) else 0
                ctx._arg_versions = (va, vb) if va or vb else _UNWRITTEN_PAIR
                ctx._epoch = _epoch[0]
                ctx._out_id = id(out)
                if _holds(saved, out):  # a saved output is watched: it needs its own counter
                    counter = result._vc
                    if counter is UNWRITTEN:
                        counter = result._vc = [0]
                    ctx._out_vc = counter
                    ctx._out_version = counter[0]
                else:
                    ctx._out_vc = UNWRITTEN
                    ctx._out_version = 0
        else:
            result._requires_grad = False
            result._grad_fn = None
        if cls._view:  # (track_view, inlined for its common case: a view made in grad mode)
            data = a._data
            base = a._base
            if base is None and out.base is (data if data.base is None else data.base) and \
                    _state.enabled:
                counter = a._vc
                if counter is UNWRITTEN:
                    counter = a._vc = [0]
                result._vc = counter
                result._base = a
                result._view_version = counter[0]
                result._view_kind = None
            else:
                track_view(result, a, out)
        if _anomaly.checks is not None:  # tg.autograd.detect_anomaly: see anomaly.py
            _anomaly.checks.forward_hook(ctx, out, (a,) if one else (a, b))
        return result

    return apply


def apply_many(cls: type[Function], args: tuple[Any, ...]) -> Tensor:
    """The fast twin of ``_apply`` for ops of three arguments or more: the same steps, with
    ``_edge``, ``_set_inputs``, ``_record`` and ``_holds`` inlined."""
    tensor_cls = fn._Tensor
    ctx = _new(cls._node_cls)
    record = False
    needs = []
    values = []
    edges = []
    for a in args:
        if isinstance(a, tensor_cls):
            if a._base is not None and a._vc[0] != a._view_version and _state.enabled:
                a._refresh_view()
            values.append(a._data)
            if a._requires_grad:
                record = True
                needs.append(True)
                edge = a._grad_fn
                edges.append(a if edge is None else edge)
                continue
        else:
            values.append(a)
        needs.append(False)
        edges.append(None)
    record = record and _state.enabled
    ctx.needs_input_grad = tuple(needs) if record else (False,) * len(args)
    ctx._saved = ()
    try:
        out = cls.forward(ctx, *values)
    except ValueError as e:
        raise forward_error(e, values) from None
    if not isinstance(out, np.ndarray):
        out = _as_array(ctx, out)
    if record and out.dtype not in FLOATING:
        record = False
    if _anomaly.checks is not None:
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
        ctx._n = len(args)
        ctx._e0, ctx._e1, *erest = edges
        ctx._a0, ctx._a1, *arest = args  # (_kept: an op of three inputs keeps them all)
        saved = ctx._saved
        ctx._erest = tuple(erest)
        ctx._arest = tuple(arest)
        ctx._seq = _next_seq()
        ctx._out_shape = out.shape
        ctx._out_dtype = out.dtype
        ctx._released = False
        ctx._retained = None
        if saved:
            ctx._epoch = _epoch[0]
            ctx._out_id = id(out)
            for value in saved:
                if value is out:  # a saved output is watched: it needs its own counter
                    counter = result._vc
                    if counter is UNWRITTEN:
                        counter = result._vc = [0]
                    ctx._out_vc = counter
                    ctx._out_version = counter[0]
                    break
            else:
                ctx._out_vc = UNWRITTEN
                ctx._out_version = 0
            ctx._arg_versions = tuple([a._vc[0] if isinstance(a, tensor_cls) else 0
                                       for a in args])
    else:
        result._grad_fn = None
    return result
