"""The Tensor's indexing: ``x[index]``, ``x[index] = value``, ``index_put_``, ``nonzero``.

What an index means (a ``Plan``) is worked out in ``indexing.py``; the view and index
Functions (forward and backward) are in ``movement.py``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..core.function import _wrap
from ..parity.names import tensor_type_name
from ..tensor_base import TensorBase, _bool, _check_no_overlap, _float, _int, _type
from . import indexing as IX
from . import movement as V
from .movement import _ALL_SLICE
from .promotion import _operand_as

if TYPE_CHECKING:
    from ..tensor import Tensor


def _copy_to(dst: Tensor, value: Any) -> None:
    """``dst[...] = value`` as PyTorch's setitem does it: a tensor of the same shape is
    copied, a 0-d one (or a number) fills, any other has its leading 1s dropped and is
    expanded, then copied."""
    if not isinstance(value, TensorBase):
        value = _wrap(np.asanyarray(value, dtype=dst._data.dtype))
    shape, vshape = dst._data.shape, value._data.shape
    if vshape == shape:
        dst.copy_(value)
        return
    if not vshape:
        dst.fill_(value)
        return
    lead = 0
    while lead < len(vshape) and vshape[lead] == 1:
        lead += 1
    if lead:
        value = value.view(vshape[lead:])
    try:
        np.broadcast_shapes(value._data.shape, shape)
        if len(value._data.shape) > len(shape):
            raise ValueError
    except ValueError:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(vshape)} cannot be "
                           f"broadcast to indexing result of shape {list(shape)}") from None
    dst.copy_(value.expand(shape) if value._data.shape != shape else value)


def _index_view(x: Tensor, plan: IX.Plan) -> Tensor:
    """``x[plan.view]``, the basic items of an index, as PyTorch records them: one view op
    per item that changes something, left to right (``x[0, 1:]`` is ``SliceBackward0`` of
    ``SelectBackward0``; a ``:`` that keeps a whole dim makes none), so that
    ``next_functions`` read as PyTorch's. One item (or none) is the plan's own op."""
    view = plan.view
    # (the plan's ``:`` for a dim left whole changes nothing, and the last item is the
    # Ellipsis that ends every view)
    if len(view) - 1 - view.count(IX.ALL) <= 1 and plan.rest is None:
        return V.basic_index(x, view, plan.kind)  # one op (named by the plan: x[:] slices)
    out, dim = x, 0
    for item in view[:-1]:
        if item is IX.ALL:  # a whole dim: nothing recorded
            dim += 1
        elif item is None:  # a new axis at dim: PyTorch's unsqueeze
            shape = out._data.shape
            out = V.Unsqueeze.apply(out, shape[:dim] + (1,) + shape[dim:])
            dim += 1
        elif _type(item) is slice:
            out = V.Slice.apply(out, (_ALL_SLICE,) * dim + (item, Ellipsis))
            dim += 1
        else:  # an int removes its dim
            out = V.Select.apply(out, (_ALL_SLICE,) * dim + (item, Ellipsis))
    return out if out is not x else V.Alias.apply(x, view)


def _fills(plan: IX.Plan, value: Any) -> _bool:
    """Whether ``x[plan] = value`` is PyTorch's ``masked_fill_`` (one mask, one value)."""
    return plan.mask is not None and (not isinstance(value, TensorBase) or value._data.size == 1)


def _on_view(plan: IX.Plan) -> IX.Plan:
    """The advanced part of ``plan``, applied to the view its basic items make."""
    return IX.Plan((Ellipsis,), plan.rest, plan.shape, "index", plan.view_shape, plan.mask,
                   plan.uint8)


def _check_setitem_value(plan: IX.Plan | None, x: Tensor, value: Any) -> None:
    """PyTorch's errors for the value of ``x[index] = value``: a tensor or a number (a
    Python one, or a numpy int or float64), whose shape fits the indexed part."""
    if isinstance(value, TensorBase):
        if plan is not None:
            IX.check_value(plan, x._data.dtype, value._data.shape, value._data.dtype)
        return
    if not isinstance(value, (_int, _float, np.integer)):  # (bool is an int, np.float64 a float)
        raise TypeError(f"can't assign a {IX.type_name_of(value)} to a "
                        f"{tensor_type_name(x._data)}")
    if plan is not None and plan.rest is not None:  # (a number fits any view)
        IX.check_value(plan, x._data.dtype, None, None)


class IndexingMethods(TensorBase):
    """The Tensor's indexing: ``x[index]``, ``x[index] = value``, ``index_put_``,
    ``nonzero``."""

    __slots__ = ()

    def nonzero(self, *, as_tuple: _bool = False) -> Any:
        """The int64 indices of the nonzero elements: a (count, ndim) tensor, or with
        ``as_tuple`` one index vector per dim (a 0-d tensor counts as 1-D there)."""
        if as_tuple:
            data = self._data.reshape(self._data.shape or (1,))
            return tuple(_wrap(i.astype(np.int64)) for i in np.nonzero(data))
        return _wrap(np.argwhere(self._data).astype(np.int64))

    def argwhere(self) -> Tensor:
        """``nonzero()``: the (count, ndim) int64 indices of the nonzero elements."""
        return self.nonzero()

    # ------------------------------------------------------------------ indexing
    def __getitem__(self, index: Any) -> Tensor:
        """``x[index]`` by PyTorch's rule (ops/indexing.py): ints, slices, None and ``...``
        give a view; lists, index tensors, masks and Python bools a copy."""
        if type(index) is int and self._data.ndim:  # x[i], as in `a, b, c = params`
            n = self._data.shape[0]
            if -n <= index < n:
                return V.Select.apply(self, index)
        plan = IX.plan(index, self._data.shape, TensorBase)
        if plan.rest is None:
            if len(plan.view) <= 2:  # x[a:b], x[None], x[...]: one op (see _index_view)
                return V.basic_index(self, plan.view, plan.kind)
            return _index_view(self, plan)
        if plan.view == (Ellipsis,):
            return V.Index.apply(self, plan)
        # the basic items first (a view), then the advanced ones on it, as PyTorch records
        # them: x[0, [1, 2]] is IndexBackward0 of SelectBackward0
        return V.Index.apply(_index_view(self, plan), _on_view(plan))

    def __setitem__(self, index: Any, value: Any) -> None:
        """``x[index] = value``, as PyTorch: the elements ``x[index]`` reads (by PyTorch's
        rule, ops/indexing.py) get ``value``, a number or a tensor that broadcasts to them.
        The basic part of the index (ints, slices, None, ...) picks a view, then ``value``
        is copied into it, or put at the places the lists and tensors of the index say
        (``index_put_``). Writing into a view is recorded on its base (ops/views.py)."""
        _check_setitem_value(None, self, value)  # (its type first, as PyTorch)

        def before_advanced(view: tuple[Any, ...]) -> None:  # (index_put_'s first checks)
            target = self if view == (Ellipsis,) else _index_view(
                self, IX.plan(view, self._data.shape))
            target._check_inplace_autograd((value,))

        plan = IX.plan(index, self._data.shape, TensorBase, setitem=True,  # None: x[False] = v
                       before_advanced=before_advanced)
        if plan is None:
            return  # x[False] = v: PyTorch writes nothing
        if plan.rest is None:
            _check_setitem_value(plan, self, value)
        whole = plan.view_shape == self._data.shape and not any(
            item is None or isinstance(item, (_int, np.integer)) for item in plan.view)
        if whole:
            target = self
        else:  # (the view's own plan names its op: select, slice, ...)
            view_plan = plan if plan.rest is None else IX.plan(plan.view, self._data.shape)
            target = V.basic_index(self, plan.view, view_plan.kind)
        if plan.rest is None:
            _copy_to(target, value)
            return
        on_view = _on_view(plan)
        if isinstance(value, TensorBase) and not _fills(on_view, value):
            _check_no_overlap(target._data, value._data)  # (before the value's shape)
        _check_setitem_value(plan, self, value)
        if isinstance(value, TensorBase) and value._data.ndim and value._data.shape[0] == 1:
            value = value.view(IX._strip_ones(value._data.shape))  # (as PyTorch's setitem)
        target._index_put(on_view, value)

    def _index_put(self, plan: IX.Plan, value: Any, accumulate: _bool = False) -> Tensor:
        """In place: ``value`` put at the places ``plan`` names (``index_put_``; with one
        mask and one value, PyTorch's ``masked_fill_``, which reads the value as a
        number), or added there with ``accumulate``."""
        v = value if isinstance(value, TensorBase) else _wrap(
            np.asanyarray(value, dtype=self._data.dtype))
        fills = _fills(plan, v) and not accumulate
        return self._write(
            lambda t: V.IndexPut.apply(t, _operand_as(v, t.dtype), plan, accumulate), v,
            overlap="none" if fills else "any")

    def _index_put_plan(self, name: str, indices: Any, values: Any,
                        inplace: _bool) -> IX.Plan | None:
        """The plan of ``index_put(indices, values)`` after PyTorch's checks of its
        arguments (None: nothing to write)."""
        if not isinstance(indices, (tuple, list)):
            raise TypeError(f"{name}(): argument 'indices' (position 1) must be tuple of "
                            f"Tensors, not {_type(indices).__name__}")
        if not isinstance(values, TensorBase):
            raise TypeError(f"{name}(): argument 'values' (position 2) must be Tensor, not "
                            f"{_type(values).__name__}")
        if inplace:
            before: Any = lambda view: self._check_inplace_autograd((values,))  # noqa: E731
        else:
            before = None
        plan = IX.plan(tuple(indices), self._data.shape, TensorBase, setitem=True,
                       before_advanced=before)
        if plan is not None:
            _check_setitem_value(plan, self, values)
        return plan

    def index_put_(self, indices: Any, values: Any, accumulate: _bool = False) -> Tensor:
        """In place: ``values`` put at ``indices`` (a tuple of index tensors), as
        ``x[indices] = values`` with advanced indices only; with ``accumulate``,
        ``x[indices] += values`` where repeated indices add up.

        >>> x = tg.zeros(3)
        >>> x.index_put_((tg.tensor([0, 0, 2]),), tg.tensor([1.0, 2.0, 3.0]), accumulate=True)
        tensor([3., 0., 3.])
        """
        plan = self._index_put_plan("index_put_", indices, values, True)
        if plan is None:
            return self
        return self._index_put(plan, values, accumulate)

    def index_put(self, indices: Any, values: Any, accumulate: _bool = False) -> Tensor:
        """Out of place ``index_put_``: a copy of ``self`` with ``values`` put (or with
        ``accumulate``, added) at ``indices``, a tuple of index tensors.

        >>> tg.zeros(3).index_put((tg.tensor([0, 0]),), tg.tensor(1.0), accumulate=True)
        tensor([2., 0., 0.])
        """
        plan = self._index_put_plan("index_put", indices, values, False)
        if plan is None:
            return self.clone()
        return V.IndexPut.apply(self, values, plan, accumulate)
