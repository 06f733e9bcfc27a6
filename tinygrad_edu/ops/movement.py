"""Movement ops: reshape, permute, expand, indexing, cat/stack, repeat.

Most return numpy views of their input (as PyTorch's views share storage); their
backward moves the gradient back into the input's layout.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..amp.autocast_mode import autocast_op
from ..core import function as _function
from ..core.function import _wrap
from ..dtypes import DType
from ..parity.grad_fn_names import labelled
from ..tensor_base import (
    TensorBase,
    _bool,
    _distinct_axes,
    _int,
    _norm_axes,
    _norm_axis,
    _shape_arg,
    _type,
)
from . import dual, indexing
from .dual import _Op
from .promotion import _data_of

if TYPE_CHECKING:
    from ..tensor import Tensor


class Reshape(_Op):
    _grad_fn_name = "ViewBackward0"
    ctx_fields = ("shape",)
    _view = True

    @staticmethod
    def forward(ctx: Any, x: Any, shape: tuple[int, ...]) -> Any:
        ctx.shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return dual.reshape(grad, ctx.shape), None


# ``reshape`` of a non-contiguous tensor that can still be a view (other strides).
ReshapeAlias = labelled(Reshape, "ReshapeAliasBackward0")


class UnsafeView(Reshape):
    """``reshape`` of a contiguous copy (``reshape`` of a tensor that cannot be viewed in
    the new shape copies first): not a view of the original."""

    _grad_fn_name = "UnsafeViewBackward0"
    _view = False


Squeeze = labelled(Reshape, "SqueezeBackward1")  # squeeze(dim)


SqueezeAll = labelled(Reshape, "SqueezeBackward0")  # squeeze()


SqueezeDims = labelled(Reshape, "SqueezeBackward2")  # squeeze((dim, ...))


Unsqueeze = labelled(Reshape, "UnsqueezeBackward0")


class Permute(_Op):
    _grad_fn_name = "PermuteBackward0"
    ctx_fields = ("axes",)
    _view = True

    @staticmethod
    def forward(ctx: Any, x: Any, axes: tuple[int, ...]) -> Any:
        ctx.axes = axes
        return x.transpose(axes)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        axes = ctx.axes
        inverse = [0] * len(axes)  # where each axis went: the permutation undone
        for i, a in enumerate(axes):
            inverse[a] = i
        return dual.transpose(grad, tuple(inverse)), None


class MatrixT(Permute):
    """``x.t()``: a matrix transposed, a vector or a 0-d tensor as it is. Its own inverse:
    the gradient is transposed back."""

    _grad_fn_name = "TBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, axes: tuple[int, ...]) -> Any:
        return x.T

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return (grad.T if isinstance(grad, np.ndarray) else grad.t()), None


class Transpose(_Op):
    _grad_fn_name = "TransposeBackward0"
    ctx_fields = ("a", "b")
    _view = True

    @staticmethod
    def forward(ctx: Any, x: Any, a: int, b: int) -> Any:
        ctx.a, ctx.b = a, b
        return x.view() if a == b else x.swapaxes(a, b)  # (a 0-d tensor has a == b == 0)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        a, b = ctx.a, ctx.b
        return (grad if a == b else dual.swapaxes(grad, a, b)), None, None


# the in-place view ops (x.squeeze_() ...: ops/views.py's ``change_view``): PyTorch's
# other overloads, the same Functions
SqueezeAllInplace = labelled(Reshape, "SqueezeBackward3")  # squeeze_()
SqueezeInplace = labelled(Reshape, "SqueezeBackward4")  # squeeze_(dim)
SqueezeDimsInplace = labelled(Reshape, "SqueezeBackward5")  # squeeze_((dim, ...))
UnsqueezeInplace = labelled(Reshape, "UnsqueezeBackward1")  # unsqueeze_(dim)
MatrixTInplace = labelled(MatrixT, "TBackward1")  # t_()
TransposeInplace = labelled(Transpose, "TransposeBackward1")  # transpose_(a, b)


class Expand(_Op):
    """A read-only broadcast view; backward is the engine's unbroadcast."""

    _grad_fn_name = "ExpandBackward0"
    _view = True

    @staticmethod
    def forward(ctx: Any, x: Any, shape: tuple[int, ...]) -> Any:
        if shape[len(shape) - x.ndim:] == x.shape and all(n == 1 for n in shape[:-x.ndim or None]):
            return x.reshape(shape)  # only size-1 dims added: a view that may be written
        return np.broadcast_to(x, shape)  # (read-only: elements repeat)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return grad, None


class Index(_Op):
    """``x[index]`` with an advanced item (a list, an index tensor, a mask, a Python bool):
    a copy. ``index`` is a ``Plan`` of indexing.py, PyTorch's rule for what the index
    reads. Each element of the result came from one element of x, so its gradient goes
    back there; an element read twice (repeated indices) gets both gradients, added."""

    _grad_fn_name = "IndexBackward0"
    ctx_fields = ("shape", "index")

    @staticmethod
    def forward(ctx: Any, x: Any, index: Any) -> Any:
        ctx.shape, ctx.index = x.shape, index
        return indexing.take(x, index)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        shape, index = ctx.shape, ctx.index
        return dual_index_add(shape, index, grad, grad), None


class Select(Index):
    """``x[i]``, ``x[a:b]`` and other basic indexing: a view of x. ``index`` is a numpy
    basic index (ints, slices, None): a ``Plan``'s ``view``, or an int."""

    _grad_fn_name = "SelectBackward0"
    ctx_fields = ("shape", "index")
    _view = True

    @staticmethod
    def forward(ctx: Any, x: Any, index: Any) -> Any:
        ctx.shape, ctx.index = x.shape, index
        if type(index) is int:  # x[i, ...]: a view, even of one element (x[i] would copy)
            return x[index, ...]
        out = x[index]
        if not isinstance(out, np.ndarray):  # x[i, j] is a numpy scalar, a copy:
            out = x[(index if isinstance(index, tuple) else (index,)) + (Ellipsis,)]  # a 0-d view
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        shape, index = ctx.shape, ctx.index
        if not isinstance(grad, np.ndarray):
            return dual_index_add(shape, index, grad, grad), None
        out = dual.zeros(grad, shape)
        out[index] = grad  # basic indexing never repeats an element
        return out, None


Slice = labelled(Select, "SliceBackward0")


# The same view under the name PyTorch's node has for it (tg.viz and grad_fn show it)
Alias = labelled(Select, "AliasBackward0")  # x[...], x[()]


# The view op of an all-basic index, by the ``kind`` of its Plan: PyTorch names the node
# after the last item that changed something (x[0, 1:] slices last; x[:, :] is an alias)
BASIC_INDEX_OPS: dict[str, type[Select]] = {"select": Select, "slice": Slice, "alias": Alias}


def basic_index(x: Tensor, view: tuple[Any, ...], kind: str) -> Tensor:
    """``x[view]`` for an all-basic ``view`` (ints, slices, None, ...), recorded as the view
    op of its ``kind`` (``BASIC_INDEX_OPS``). New axes last (``x[..., None]``) are
    PyTorch's unsqueeze, a reshape (of a select of the other items, ``x[0, None]``)."""
    if kind == "unsqueeze":
        shape = x._data[view].shape
        others = tuple(item for item in view if item is not None)
        if any(item is not indexing.ALL and item is not Ellipsis for item in others):
            x = Select.apply(x, others)
        return Unsqueeze.apply(x, shape)
    return BASIC_INDEX_OPS[kind].apply(x, view)


# split(int) and chunk, split([sizes]), unbind: several views made together, whose nodes
# keep which output each is (PyTorch's one node; _several_views sets it)
Split = labelled(Select, "SplitBackward0", ctx_fields=("_output_nr",))
SplitWithSizes = labelled(Select, "SplitWithSizesBackward0", ctx_fields=("_output_nr",))
Unbind = labelled(Select, "UnbindBackward0", ctx_fields=("_output_nr",))


class Flip(_Op):
    """``x.flip(dims)``: a copy with the order along ``dims`` reversed (PyTorch's flip
    always copies; numpy's is a view). Flipping twice is the identity, so the gradient is
    the incoming gradient flipped the same way."""

    _grad_fn_name = "FlipBackward0"
    ctx_fields = ("index",)

    @staticmethod
    def forward(ctx: Any, x: Any, index: Any) -> Any:
        ctx.index = index
        return x[index].copy()

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        index = ctx.index
        return (grad[index].copy() if dual._is_array(grad) else Flip.apply(grad, index)), None


class IndexAdd(_Op):
    """Zeros of ``shape`` with ``values`` added at ``index`` (a ``Plan`` or a numpy index;
    repeated indices add up): the adjoint of Index, recorded for double backward (PyTorch
    writes it as ``zeros.index_put_(index, grad, accumulate=True)``)."""

    _grad_fn_name = "IndexPutImplBackward0"
    ctx_fields = ("index",)

    @staticmethod
    def forward(ctx: Any, values: Any, shape: tuple[int, ...], index: Any) -> Any:
        ctx.index = index
        out = dual.zeros(values, shape)
        indexing.add_at(out, index, values)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return dual_take(grad, ctx.index), None, None


def dual_take(x: Any, index: Any) -> Any:
    """``x[index]`` on an array or a Tensor (as the helpers of dual.py; here because it
    applies Index) for an index ``Plan`` of indexing.py, or a numpy index (the slices and
    int arrays of the ops' backwards, which PyTorch's rule reads as numpy does)."""
    if dual._is_array(x):
        return indexing.take(x, index)
    if type(index) is not indexing.Plan:
        return x[index]
    if index.rest is None:  # a view, recorded as the view op x[index] records
        return basic_index(x, index.view, index.kind)
    return Index.apply(x, index)


def dual_index_add(shape: tuple[int, ...], index: Any, values: Any, like: Any) -> Any:
    """Zeros of ``shape`` with ``values`` added at ``index`` (a ``Plan`` of indexing.py or
    a numpy index; repeats accumulate), on arrays or Tensors (as the helpers of dual.py;
    here because it applies IndexAdd)."""
    if dual._is_array(values):
        out = dual.zeros(values, shape)
        indexing.add_at(out, index, values)
        return out
    return IndexAdd.apply(values, shape, index)


class IndexPut(_Op):
    """``x[index] = v`` out of place: x with the indexed part replaced by v, broadcast
    (with ``accumulate``: v added there, repeated indices adding up, as
    ``index_put_(..., accumulate=True)``). ``index`` is a ``Plan`` (indexing.py), and ``v``
    passed ``indexing.check_value``.

    Replaced elements of x pass no gradient back to x (added to, x gets all of it: d(x +
    v)/dx = 1); v gets the gradient of the part it was written to, summed over the copies
    broadcasting made. With repeated indices the last write wins, yet v gets the gradient
    of every place it was written to (as PyTorch's ``index_put_``, whose gradient for v is
    ``grad[index]``)."""

    _grad_fn_name = "IndexPutBackward0"
    ctx_fields = ("keep", "index", "v_ndim")  # keep: where x stays (None: everywhere)

    @staticmethod
    def forward(ctx: Any, x: Any, v: Any, index: Any, accumulate: bool = False) -> Any:
        out = x.copy()
        indexing.put(out, index, v, accumulate)
        keep = None
        if not accumulate:
            keep = np.ones(x.shape, dtype=bool)
            indexing.put(keep, index, False)
        ctx.keep, ctx.index, ctx.v_ndim = keep, index, np.ndim(v)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        keep, index, v_ndim = ctx.keep, ctx.index, ctx.v_ndim
        grad_v = None
        if ctx.needs_input_grad[1]:
            grad_v = dual_take(grad, index)
            if v_ndim > grad_v.ndim:  # v's leading 1s were dropped: put them back
                grad_v = dual.reshape(grad_v, (1,) * (v_ndim - grad_v.ndim) + tuple(grad_v.shape))
        grad_x = grad if keep is None else grad * dual.constant(keep, grad)
        return grad_x, grad_v, None, None


class Cat(_Op):
    _grad_fn_name = "CatBackward0"
    ctx_fields = ("axis", "sizes")

    @staticmethod
    def forward(ctx: Any, axis: int, *xs: Any) -> Any:
        ctx.axis, ctx.sizes = axis, [x.shape[axis] for x in xs]
        return np.concatenate(xs, axis=axis)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        axis, sizes = ctx.axis, ctx.sizes
        grads: list[Any] = [None]
        start = 0
        lead = (slice(None),) * axis
        for size in sizes:
            grads.append(grad[lead + (slice(start, start + size),)])
            start += size
        return tuple(grads)


class Stack(_Op):
    _grad_fn_name = "StackBackward0"
    ctx_fields = ("axis", "n")

    @staticmethod
    def forward(ctx: Any, axis: int, *xs: Any) -> Any:
        ctx.axis, ctx.n = axis, len(xs)
        return np.stack(xs, axis=axis)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        axis, n = ctx.axis, ctx.n
        lead = (slice(None),) * axis
        return (None,) + tuple(grad[lead + (i,)] for i in range(n))


class Repeat(_Op):
    """``x.repeat(*reps)`` (numpy's tile): backward sums the copies."""

    _grad_fn_name = "RepeatBackward0"
    ctx_fields = ("shape", "reps")

    @staticmethod
    def forward(ctx: Any, x: Any, reps: tuple[int, ...]) -> Any:
        ctx.shape, ctx.reps = x.shape, reps
        return np.tile(x, reps)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        shape, reps = ctx.shape, ctx.reps
        shape = (1,) * (len(reps) - len(shape)) + tuple(shape)
        # view the grad as (r0, s0, r1, s1, ...) and sum over every r axis
        split = tuple(v for pair in zip(reps, shape) for v in pair)
        summed = dual.sum(dual.reshape(grad, split), tuple(range(0, len(split), 2)))
        return summed, None


# ---------------------------------------------------------------------------- triangles, diagonals
def check_int(value: Any, fn: str, arg: str, position: int) -> None:
    """PyTorch's TypeError for a non-int argument (a bool is not an int there)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{fn}(): argument '{arg}' (position {position}) must be int, not "
                        f"{type(value).__name__}")


def check_triangle(x: np.ndarray, diagonal: Any, fn: str) -> None:
    """``tril``/``triu`` arguments: an int diagonal, a matrix or a batch of them."""
    check_int(diagonal, fn, "diagonal", 1)
    if x.ndim < 2:
        raise RuntimeError(f"{fn}: input tensor must have at least 2 dimensions")


class Tril(_Op):
    """``x.tril(k)``: the elements on and below the k-th diagonal of the last two dims
    (``j <= i + k``), zeros above. The kept elements pass their gradient, the others none:
    the gradient is ``grad.tril(k)``."""

    _grad_fn_name = "TrilBackward0"
    ctx_fields = ("k",)
    _keep = staticmethod(np.tril)  # which triangle stays

    @staticmethod
    def forward(ctx: Any, x: Any, k: int) -> Any:
        ctx.k = k
        return ctx._function._keep(x, k)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        op, k = ctx._function, ctx.k
        return (op._keep(grad, k) if dual._is_array(grad) else op.apply(grad, k)), None


class Triu(Tril):
    """``x.triu(k)``: the elements on and above the k-th diagonal (``j >= i + k``), zeros
    below; the gradient is ``grad.triu(k)``."""

    _grad_fn_name = "TriuBackward0"
    _keep = staticmethod(np.triu)


def diagonal_dims(ndim: int, dim1: Any, dim2: Any) -> tuple[int, int]:
    """``dim1``, ``dim2`` of a tensor of ``ndim`` dims made non-negative; they must differ."""
    d1, d2 = _norm_axis(dim1, ndim), _norm_axis(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


class Diagonal(_Op):
    """``x.diagonal(offset, dim1, dim2)``: the elements ``x[..., i, ..., i + offset, ...]``
    of dims dim1 and dim2, as a new last dim. A view: writing to it writes to ``x``."""

    _grad_fn_name = "DiagonalBackward0"
    ctx_fields = ("shape", "offset", "dim1", "dim2")
    _view = True

    @staticmethod
    def forward(ctx: Any, x: Any, offset: int, dim1: int, dim2: int) -> Any:
        ctx.shape, ctx.offset, ctx.dim1, ctx.dim2 = x.shape, offset, dim1, dim2
        out = np.diagonal(x, offset, dim1, dim2)
        if x.flags.writeable:
            out.setflags(write=True)  # numpy's diagonal is read-only; PyTorch's is not
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        shape, offset, dim1, dim2 = ctx.shape, ctx.offset, ctx.dim1, ctx.dim2
        # each element of the diagonal came from one element of x; the rest get zero
        if dual._is_array(grad):
            return _on_diagonal(grad, shape, offset, dim1, dim2), None, None, None
        return DiagonalBackward.apply(grad, shape, offset, dim1, dim2), None, None, None


class DiagonalCopy(Diagonal):
    """``tg.diag(matrix, k)``: the k-th diagonal, copied (PyTorch's diag does not view)."""

    _grad_fn_name = "DiagonalBackward0_copy"
    _view = False

    @staticmethod
    def forward(ctx: Any, x: Any, offset: int, dim1: int, dim2: int) -> Any:
        ctx.shape, ctx.offset, ctx.dim1, ctx.dim2 = x.shape, offset, dim1, dim2
        return np.diagonal(x, offset, dim1, dim2).copy()


class DiagEmbed(_Op):
    """Zeros of ``shape`` with ``x``'s last dim written along the ``offset`` diagonal of
    dims ``dim1`` and ``dim2`` (``tg.diag`` of a vector, ``tg.diag_embed``); the gradient
    of each element is the gradient's element on that diagonal."""

    _grad_fn_name = "DiagEmbedBackward0"
    ctx_fields = ("offset", "dim1", "dim2")

    @staticmethod
    def forward(ctx: Any, x: Any, shape: tuple[int, ...], offset: int, dim1: int,
                dim2: int) -> Any:
        ctx.offset, ctx.dim1, ctx.dim2 = offset, dim1, dim2
        return _on_diagonal(x, shape, offset, dim1, dim2)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        offset, dim1, dim2 = ctx.offset, ctx.dim1, ctx.dim2
        if dual._is_array(grad):
            return np.diagonal(grad, offset, dim1, dim2), None, None, None, None
        return Diagonal.apply(grad, offset, dim1, dim2), None, None, None, None


# Diagonal's backward, recorded (double backward).
DiagonalBackward = labelled(DiagEmbed, "DiagonalBackwardBackward0")


def _on_diagonal(x: np.ndarray, shape: tuple[int, ...], offset: int, dim1: int,
                 dim2: int) -> np.ndarray:
    """Zeros of ``shape`` with ``x`` on the ``offset`` diagonal of dims dim1, dim2."""
    out = np.zeros(shape, dtype=x.dtype)
    diagonal = np.diagonal(out, offset, dim1, dim2)
    diagonal.setflags(write=True)
    diagonal[...] = x
    return out


def diag_embed_shape(shape: tuple[int, ...], offset: int, dim1: int,
                     dim2: int) -> tuple[int, ...]:
    """The shape of ``diag_embed``'s result: two dims of ``n + |offset|`` in place of the
    last dim ``n``, at dim1 and dim2 (of the result)."""
    side = (shape[-1] if shape else 1) + abs(offset)
    out = list(shape[:-1])
    for d in sorted((dim1, dim2)):
        out.insert(d, side)
    return tuple(out)


class Trace(_Op):
    """The sum of a matrix's main diagonal (the matrix need not be square); its gradient
    is the identity times the incoming gradient. As PyTorch, it adds in float64 (then
    rounds to the input's float dtype) and ints in int64."""

    _grad_fn_name = "TraceBackward0"
    ctx_fields = ("shape",)

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.shape = x.shape
        if x.dtype.kind in "biu":
            return np.trace(x, dtype=np.int64)
        return np.trace(x, dtype=np.float64).astype(x.dtype)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        shape = ctx.shape
        along = dual.broadcast_to(grad, (min(shape),))  # d(trace)/d(x[i, i]) = 1
        if dual._is_array(grad):
            return _on_diagonal(along, shape, 0, 0, 1)
        return DiagonalBackward.apply(along, shape, 0, 0, 1)


# ------------------------------------------------------------------ the Tensor methods
_T_AXES = ((), (0,), (1, 0))  # t()'s permutation, by the number of dims
_ALL_SLICE = slice(None)  # ``:``
_ALL_DIMS: Any = object()  # squeeze() without a dim (an explicit None is an error, as torch)


def squeezed(shape: tuple[int, ...], dim: Any, name: str) -> tuple[tuple[int, ...], str]:
    """``shape`` without its size-1 dims (only ``dim``'s when given), and which overload
    of squeeze PyTorch records: "all", "dim" or "dims"."""
    if dim is None and name == "squeeze_":  # (the method's overloads, as PyTorch lists them)
        bad = "      didn't match because some of the arguments have invalid types: (!NoneType!)\n"
        raise TypeError("squeeze_() received an invalid combination of arguments - got "
                        "(NoneType), but expected one of:\n * ()\n" + bad + " * (int dim)\n"
                        + bad + " * (tuple of ints dim)\n" + bad)
    if dim is None:
        raise TypeError(f"{name}(): argument 'dim' must be int or tuple of ints, not NoneType")
    if dim is _ALL_DIMS:
        return tuple(n for n in shape if n != 1), "all"
    axes = _norm_axes(dim, len(shape), True) or ()
    new = tuple(n for i, n in enumerate(shape) if not (i in axes and n == 1))
    return new, "dims" if isinstance(dim, (tuple, list)) else "dim"


def _several_views(views: list[Tensor], name: str) -> None:
    """Mark the views one op returned together (split, chunk, unbind): as in PyTorch, they
    may not be written in place while grad mode is on (ops/views.py)."""
    if not views or views[0]._base is None:
        return  # (numpy copied: not views)
    no_grad = views[0]._view_kind == _function.NO_GRAD_VIEW  # (made under no_grad)
    if not no_grad:
        for k, t in enumerate(views):
            t._view_kind = (name, k)
            if t._grad_fn is not None:  # (PyTorch's one node: next_functions say output k)
                t._grad_fn._output_nr = k


def _split_sizes(split_size: Any, n: _int, axis: _int) -> list[_int]:
    """The lengths of ``split``'s pieces along a dim of length ``n``, checked as PyTorch
    does: a size >= 0 (0 only for an empty dim), or sizes >= 0 that add up to ``n``."""
    if isinstance(split_size, (_int, np.integer)) and not isinstance(split_size, _bool):
        if split_size < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got "
                               f"split_size={split_size}")
        if split_size == 0:
            if n:
                raise RuntimeError("split_size can only be 0 if dimension size is 0, but got "
                                   f"dimension size of {n}")
            return [0]
        return [_int(split_size)] * max(-(-n // split_size), 1)
    sizes = list(_shape_arg((split_size,), "split_with_sizes"))
    if any(k < 0 for k in sizes):
        raise RuntimeError("split_with_sizes expects split_sizes have only non-negative "
                           f"entries, but got split_sizes={sizes}")
    if sum(sizes) != n:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} "
                           f"(input tensor's size at dimension {axis}), but got "
                           f"split_sizes={sizes}. Hint: use an int split_size for pieces "
                           "of equal length with a shorter last one.")
    return sizes


def _reshape_is_view(data: np.ndarray, shape: tuple[_int, ...]) -> _bool:
    """True when ``data`` can take ``shape`` without a copy (a view)."""
    if data.flags.c_contiguous:
        return True
    owner = data if data.base is None else data.base
    return data.reshape(shape).base is owner


def _check_reshape(data: np.ndarray, shape: tuple[_int, ...]) -> None:
    known = 1
    infer = 0
    for s in shape:
        if s == -1:
            infer += 1
        elif s < 0:
            raise RuntimeError(f"invalid shape dimension {s}")
        else:
            known *= s
    if infer > 1:
        raise RuntimeError("only one dimension can be inferred")
    if (infer and (known == 0 or data.size % known)) or (not infer and known != data.size):
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {data.size}")


class MovementMethods(TensorBase):
    """The Tensor's shape and movement methods: view, reshape, permute, expand, split,
    flip, the triangles and diagonals."""

    __slots__ = ()

    # ------------------------------------------------------------------ shape
    def reshape(self, *shape: Any) -> Tensor:
        """The same elements in a new shape (a view when possible; -1 is inferred)."""
        shape = _shape_arg(shape, "reshape", required=True)
        _check_reshape(self._data, shape)
        return self._reshape(shape)

    def _reshape(self, shape: tuple[_int, ...]) -> Tensor:
        """``reshape`` as PyTorch records it: a view of a contiguous tensor
        (``ViewBackward0``), a view with other strides when one exists
        (``ReshapeAliasBackward0``), else a contiguous copy reshaped
        (``CloneBackward0``, then ``UnsafeViewBackward0``)."""
        data = self._data
        if data.flags.c_contiguous:
            return Reshape.apply(self, shape)
        if _reshape_is_view(data, shape):
            return ReshapeAlias.apply(self, shape)
        return UnsafeView.apply(self.clone(), shape)

    def view(self, *shape: Any, dtype: Any = None) -> Tensor:
        """Like reshape, but always a view: fails on a non-contiguous tensor. With a dtype
        (``view(tg.int32)``), the same bytes read as that dtype (ops/rearrange.py)."""
        if dtype is not None or (len(shape) == 1 and isinstance(shape[0], (DType, np.dtype,
                                                                           type))):
            return self._view_dtype(shape[0] if dtype is None else dtype)  # type: ignore
        shape = _shape_arg(shape, "view", required=True)
        _check_reshape(self._data, shape)
        if not _reshape_is_view(self._data, shape):
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
            ) from None
        return Reshape.apply(self, shape)

    def view_as(self, other: Tensor) -> Tensor:
        """``view(other.shape)``."""
        return self.view(other.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        """``reshape(other.shape)``."""
        return self.reshape(other.shape)

    def flatten(self, start_dim: _int = 0, end_dim: _int = -1) -> Tensor:
        """Merge dimensions ``start_dim..end_dim`` into one."""
        shape = self._data.shape
        s, e = _norm_axis(start_dim, len(shape)), _norm_axis(end_dim, len(shape))
        if not shape:
            return self.reshape(1)
        if s > e:
            raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
        new = shape[:s] + (int(np.prod(shape[s:e + 1])),) + shape[e + 1:]
        return self if new == shape else self._reshape(new)

    def unflatten(self, dim: _int, sizes: Sequence[_int]) -> Tensor:
        """Split dimension ``dim`` into ``sizes`` (one of them may be -1, inferred)."""
        sizes = _shape_arg((sizes,), "unflatten")
        if not sizes:
            raise RuntimeError("unflatten: sizes must be non-empty")
        if not self._data.ndim:
            _norm_axis(dim, 0)
            raise RuntimeError("unflatten: Dimension specified as 0 but tensor has no "
                               "dimensions")
        axis = _norm_axis(dim, self._data.ndim)
        n = self._data.shape[axis]
        known = math.prod(k for k in sizes if k != -1)
        if sizes.count(-1) > 1 or any(k < -1 for k in sizes):
            raise RuntimeError(f"unflatten: invalid sizes {list(sizes)}: only one dimension "
                               "can be inferred (-1), the others must be non-negative")
        if (-1 in sizes and (known == 0 or n % known)) or (-1 not in sizes and known != n):
            raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to "
                               f"the size of dim {axis} ({n}) in the input tensor")
        shape = self._data.shape
        # a view whatever the strides (one dim split in several): PyTorch's view
        return Reshape.apply(self, shape[:axis] + tuple(
            n if n != -1 else shape[axis] // known for n in sizes) + shape[axis + 1:])

    def squeeze(self, dim: Any = _ALL_DIMS) -> Tensor:
        """Remove size-1 dimensions (only ``dim`` when given)."""
        new, kind = squeezed(self._data.shape, dim, "squeeze")
        op = {"all": SqueezeAll, "dims": SqueezeDims, "dim": Squeeze}[kind]
        return op.apply(self, new)  # a new view even when nothing is removed, as in torch

    def unsqueeze(self, dim: _int) -> Tensor:
        """Insert a size-1 dimension at ``dim``."""
        shape = self._data.shape
        axis = _norm_axis(dim, len(shape) + 1)
        return Unsqueeze.apply(self, shape[:axis] + (1,) + shape[axis:])

    def transpose(self, dim0: _int, dim1: _int) -> Tensor:
        """Swap two dimensions."""
        n = self._data.ndim
        return Transpose.apply(self, _norm_axis(dim0, n), _norm_axis(dim1, n))

    swapaxes = swapdims = transpose

    def t(self) -> Tensor:
        """Transpose a matrix (a vector stays as it is)."""
        if self._data.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                               f"{self._data.ndim}D")
        return MatrixT.apply(self, _T_AXES[self._data.ndim])

    def permute(self, *dims: Any) -> Tensor:
        """Reorder the dimensions."""
        n = self._data.ndim
        if not dims:
            raise TypeError('permute() missing 1 required positional arguments: "dims"')
        dims = _shape_arg(dims, "permute")
        if len(dims) != n:
            raise RuntimeError(
                f"permute(sparse_coo): number of dimensions in the tensor input does not match "
                f"the length of the desired ordering of dimensions i.e. input.dim() = {n} is "
                f"not equal to len(dims) = {len(dims)}"
            )
        axes: list[_int] = []
        for d in dims:
            axes.append(_norm_axis(d, n))
            if axes[-1] in axes[:-1]:
                raise RuntimeError("permute(): duplicate dims are not allowed.")
        return Permute.apply(self, tuple(axes))

    @property
    def T(self) -> Tensor:
        """All dimensions reversed (the transpose of a matrix)."""
        n = self._data.ndim
        return Permute.apply(self, tuple(range(n - 1, -1, -1)))

    @property
    def mT(self) -> Tensor:
        """The last two dimensions swapped."""
        return self.transpose(-2, -1)

    def expand(self, *sizes: Any) -> Tensor:
        """Broadcast to ``sizes`` without copying (-1 keeps a size)."""
        sizes = _shape_arg(sizes, "expand", required=True)
        shape = self._data.shape
        if len(sizes) < len(shape):
            raise RuntimeError(
                f"expand(torch.FloatTensor{{{list(shape)}}}, size={list(sizes)}): the number of "
                f"sizes provided ({len(sizes)}) must be greater or equal to the number of "
                f"dimensions in the tensor ({len(shape)})"
            )
        for i in range(len(sizes) - len(shape)):
            if sizes[i] < 0:
                raise RuntimeError(f"The expanded size of the tensor ({sizes[i]}) isn't allowed "
                                   f"in a leading, non-existing dimension {i}")
        padded = (1,) * (len(sizes) - len(shape)) + shape
        target = tuple(p if s == -1 else s for s, p in zip(sizes, padded))
        for i, (p, s) in enumerate(zip(padded, target)):
            if (p != s and p != 1) or s < 0:
                raise RuntimeError(
                    f"The expanded size of the tensor ({s}) must match the existing size ({p}) "
                    f"at non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor "
                    f"sizes: {list(shape)}"
                )
        return Expand.apply(self, target)  # a new view even for the same shape, as in torch

    def expand_as(self, other: Tensor) -> Tensor:
        """``expand(other.shape)``."""
        return self.expand(other.shape)

    def broadcast_to(self, size: Sequence[_int]) -> Tensor:
        """``expand(size)``."""
        return self.expand(size)

    def repeat(self, *reps: Any) -> Tensor:
        """Tile the tensor ``reps[i]`` times along each dimension."""
        reps = _shape_arg(reps, "repeat", required=True)
        if len(reps) < self._data.ndim:
            raise RuntimeError("Number of dimensions of repeat dims can not be smaller than "
                               "number of dimensions of tensor")
        shape = (1,) * (len(reps) - self._data.ndim) + self._data.shape
        _shape_arg(tuple(n * r for n, r in zip(shape, reps)), "repeat", create=True)
        return Repeat.apply(self, reps)

    def chunk(self, chunks: _int, dim: _int = 0) -> tuple[Tensor, ...]:
        """Split into ``chunks`` nearly equal pieces along ``dim``."""
        return self.split(self._chunk_size(chunks, dim), dim)

    def _chunk_size(self, chunks: _int, dim: _int) -> Any:
        """The length of ``chunk``'s pieces (the last may be shorter); along an empty dim,
        ``chunks`` empty pieces (PyTorch's ``split_with_sizes([0] * chunks)``)."""
        if not self._data.ndim:
            raise RuntimeError("chunk expects at least a 1-dimensional tensor")
        if not isinstance(chunks, (_int, np.integer)) or isinstance(chunks, _bool):
            raise TypeError(f"chunk(): argument 'chunks' must be int, not {_type(chunks).__name__}")
        if chunks <= 0:
            raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
        n = self.shape[_norm_axis(dim, self.ndim)]
        return -(-n // chunks) if n else [0] * chunks

    def split(self, split_size: Any, dim: _int = 0) -> tuple[Tensor, ...]:
        """Pieces of ``split_size`` (or the listed sizes, which must add up to the length)
        along ``dim``."""
        op = Split if isinstance(split_size, int) else SplitWithSizes
        out = self._pieces(split_size, dim, op)
        _several_views(out, "Split" if op is Split else "SplitWithSizes")
        return tuple(out)

    def _pieces(self, split_size: Any, dim: _int, op: Any) -> list[Tensor]:
        """``split``'s pieces, each made by ``op`` (a view op of a basic index)."""
        if not self._data.ndim:
            raise RuntimeError("split expects at least a 1-dimensional tensor")
        if isinstance(split_size, (_int, np.integer)) and split_size < 0:
            _split_sizes(split_size, 0, 0)  # (its error comes before the dim's, as torch)
        axis = _norm_axis(dim, self.ndim)
        n = self._data.shape[axis]
        sizes = _split_sizes(split_size, n, axis)
        lead = (slice(None),) * axis
        out, start = [], 0
        for s in sizes:
            out.append(op.apply(self, lead + (slice(start, min(start + s, n)),)))
            start += s
        return out

    def tril(self, diagonal: _int = 0) -> Tensor:
        """The lower triangle of the last two dims: the elements on and below the
        ``diagonal``-th diagonal (0 the main one, > 0 above it, < 0 below), zeros above.

        >>> tg.ones(2, 3).tril()
        tensor([[1., 0., 0.],
                [1., 1., 0.]])
        """
        check_triangle(self._data, diagonal, "tril")
        return Tril.apply(self, _int(diagonal))

    def triu(self, diagonal: _int = 0) -> Tensor:
        """The upper triangle of the last two dims: the elements on and above the
        ``diagonal``-th diagonal, zeros below.

        >>> tg.ones(2, 3).triu(1)
        tensor([[0., 1., 1.],
                [0., 0., 1.]])
        """
        check_triangle(self._data, diagonal, "triu")
        return Triu.apply(self, _int(diagonal))

    def tril_(self, diagonal: _int = 0) -> Tensor:
        """In place: ``self = self.tril(diagonal)``."""
        check_triangle(self._data, diagonal, "tril")
        return self._write(lambda t: t.tril(diagonal))

    def triu_(self, diagonal: _int = 0) -> Tensor:
        """In place: ``self = self.triu(diagonal)``."""
        check_triangle(self._data, diagonal, "triu")
        return self._write(lambda t: t.triu(diagonal))

    def diag(self, diagonal: _int = 0) -> Tensor:
        """A vector as the ``diagonal``-th diagonal of a square matrix (zeros elsewhere), or
        a matrix's ``diagonal``-th diagonal as a vector (a copy: ``diagonal()`` is a view).

        >>> tg.tensor([1.0, 2.0]).diag()
        tensor([[1., 0.],
                [0., 2.]])
        """
        check_int(diagonal, "diag", "diagonal", 1)
        ndim = self._data.ndim
        if ndim == 1:
            shape = diag_embed_shape(self._data.shape, diagonal, 0, 1)
            return DiagEmbed.apply(self, shape, _int(diagonal), 0, 1)
        if ndim == 2:
            return DiagonalCopy.apply(self, _int(diagonal), 0, 1)
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {ndim}D")

    def diagonal(self, offset: _int = 0, dim1: _int = 0, dim2: _int = 1) -> Tensor:
        """The elements ``self[..., i, ..., i + offset, ...]`` of dims ``dim1`` and ``dim2``,
        as a new last dim: a view (writing to it writes to ``self``).

        >>> tg.tensor([[1.0, 2.0], [3.0, 4.0]]).diagonal()
        tensor([1., 4.])
        """
        for value, name, position in ((offset, "offset", 1), (dim1, "dim1", 2), (dim2, "dim2", 3)):
            check_int(value, "diagonal", name, position)
        d1, d2 = diagonal_dims(self._data.ndim, dim1, dim2)
        return Diagonal.apply(self, _int(offset), d1, d2)

    def diag_embed(self, offset: _int = 0, dim1: _int = -2, dim2: _int = -1) -> Tensor:
        """Each vector along the last dim as the ``offset`` diagonal of dims ``dim1`` and
        ``dim2`` of a new tensor (zeros elsewhere): a batch of ``diag``.

        >>> tg.ones(2, 3).diag_embed().shape
        tinygrad_edu.Size([2, 3, 3])
        """
        for value, name, position in ((offset, "offset", 1), (dim1, "dim1", 2), (dim2, "dim2", 3)):
            check_int(value, "diag_embed", name, position)
        d1, d2 = diagonal_dims(self._data.ndim + 1, dim1, dim2)
        shape = diag_embed_shape(self._data.shape, offset, d1, d2)
        return DiagEmbed.apply(self, shape, _int(offset), d1, d2)

    @autocast_op("trace")
    def trace(self) -> Tensor:
        """The sum of a matrix's main diagonal (ints sum to int64).

        >>> tg.tensor([[1.0, 2.0], [3.0, 4.0]]).trace()
        tensor(5.)
        """
        if self._data.ndim != 2:
            raise RuntimeError(f"trace: expected a matrix, but got tensor with dim "
                               f"{self._data.ndim}")
        if self._data.dtype == np.bool_:
            raise NotImplementedError("\"trace\" not implemented for 'Bool'")
        return Trace.apply(self)

    def repeat_interleave(self, repeats: Any = None, dim: _int | None = None, *,
                          output_size: _int | None = None) -> Tensor:
        """Each element (each slice along ``dim``; of the flattened tensor when ``dim`` is
        None) repeated ``repeats`` times: an int, or one count per slice."""
        if repeats is None:  # tg.repeat_interleave(counts): arange(n) repeated by counts
            return _wrap(np.repeat(np.arange(self._data.size), self._data.reshape(-1)))
        x = self.flatten() if dim is None else self  # (a 1-D tensor stays itself)
        if isinstance(repeats, (_int, np.integer)):  # a copy of each slice next to it
            if repeats < 0:
                raise RuntimeError("Repeats must be non-negative")
            axis = _norm_axis(0 if dim is None else dim, x._data.ndim)
            after = x.unsqueeze(axis + 1)
            shape = list(after.shape)
            shape[axis + 1] = _int(repeats)
            merged = shape[:axis] + [shape[axis] * shape[axis + 1]] + shape[axis + 2:]
            return after.expand(shape).clone().reshape(merged)  # (as PyTorch records it)
        axis = _norm_axis(0 if dim is None else dim, x._data.ndim)
        n = x._data.shape[axis] if x._data.ndim else 1
        counts = np.asanyarray(_data_of(repeats)).reshape(-1)
        if counts.size and counts.min() < 0:
            raise RuntimeError("repeats can not be negative")
        if counts.size != 1 and counts.size != n:
            raise RuntimeError(f"repeats must have the same size as input along dim, but got "
                               f"repeats.size(0) = {counts.size} and input.size({axis}) = {n}")
        index = np.repeat(np.arange(n), np.broadcast_to(counts, (n,)))
        return x.index_select(axis, _wrap(index))

    def unbind(self, dim: _int = 0) -> tuple[Tensor, ...]:
        """The slices along ``dim``, with that dimension removed."""
        axis = _norm_axis(dim, self.ndim)
        lead = (slice(None),) * axis
        n = self._data.shape[axis]
        out = [Unbind.apply(self, lead + (i,) if axis else i) for i in range(n)]
        _several_views(out, "Unbind")
        return tuple(out)

    def flip(self, dims: Any) -> Tensor:
        """Reverse the order of elements along ``dims``: a copy, as PyTorch's (numpy's
        flip is a view)."""
        axes = _distinct_axes((dims,) if isinstance(dims, (_int, np.integer)) else dims,
                              self._data.ndim)
        index = [slice(None)] * self.ndim
        for a in axes if self._data.ndim else ():  # (a 0-d tensor has nothing to reverse)
            index[a] = slice(None, None, -1)
        return Flip.apply(self, tuple(index))
