"""Movement ops: reshape, permute, expand, indexing, cat/stack, repeat.

Most return numpy views of their input (as PyTorch's views share storage); their
backward moves the gradient back into the input's layout.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dual, indexing
from .elementwise import _Op


class Reshape(_Op):
    _grad_fn_name = "ViewBackward0"
    _view = True

    @staticmethod
    def forward(ctx: Any, x: Any, shape: tuple[int, ...]) -> Any:
        ctx.meta = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return dual.reshape(grad, ctx.meta), None


class ReshapeAlias(Reshape):
    """``reshape`` of a non-contiguous tensor that can still be a view (other strides)."""

    _grad_fn_name = "ReshapeAliasBackward0"


class UnsafeView(Reshape):
    """``reshape`` of a contiguous copy (``reshape`` of a tensor that cannot be viewed in
    the new shape copies first): not a view of the original."""

    _grad_fn_name = "UnsafeViewBackward0"
    _view = False


class Squeeze(Reshape):
    _grad_fn_name = "SqueezeBackward1"  # squeeze(dim)


class SqueezeAll(Reshape):
    _grad_fn_name = "SqueezeBackward0"  # squeeze()


class SqueezeDims(Reshape):
    _grad_fn_name = "SqueezeBackward2"  # squeeze((dim, ...))


class Unsqueeze(Reshape):
    _grad_fn_name = "UnsqueezeBackward0"


class Permute(_Op):
    _grad_fn_name = "PermuteBackward0"
    _view = True

    @staticmethod
    def forward(ctx: Any, x: Any, axes: tuple[int, ...]) -> Any:
        ctx.meta = axes
        return x.transpose(axes)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        axes = ctx.meta
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
        return (grad.T if type(grad) is np.ndarray else grad.t()), None


class Transpose(_Op):
    _grad_fn_name = "TransposeBackward0"
    _view = True

    @staticmethod
    def forward(ctx: Any, x: Any, a: int, b: int) -> Any:
        ctx.meta = a, b
        return x.view() if a == b else x.swapaxes(a, b)  # (a 0-d tensor has a == b == 0)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        a, b = ctx.meta
        return (grad if a == b else dual.swapaxes(grad, a, b)), None, None


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

    @staticmethod
    def forward(ctx: Any, x: Any, index: Any) -> Any:
        ctx.meta = x.shape, index
        return indexing.take(x, index)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        shape, index = ctx.meta
        return dual.index_add(shape, index, grad, grad), None


class Select(Index):
    """``x[i]``, ``x[a:b]`` and other basic indexing: a view of x. ``index`` is a numpy
    basic index (ints, slices, None): a ``Plan``'s ``view``, or an int."""

    _grad_fn_name = "SelectBackward0"
    _view = True

    @staticmethod
    def forward(ctx: Any, x: Any, index: Any) -> Any:
        ctx.meta = x.shape, index
        if type(index) is int:  # x[i, ...]: a view, even of one element (x[i] would copy)
            return x[index, ...]
        out = x[index]
        if type(out) is not np.ndarray:  # x[i, j] is a numpy scalar, a copy:
            out = x[(index if isinstance(index, tuple) else (index,)) + (Ellipsis,)]  # a 0-d view
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        shape, index = ctx.meta
        if type(grad) is not np.ndarray:
            return dual.index_add(shape, index, grad, grad), None
        out = np.zeros(shape, dtype=grad.dtype)
        out[index] = grad  # basic indexing never repeats an element
        return out, None


class Slice(Select):
    _grad_fn_name = "SliceBackward0"


# The same view under the name PyTorch's node has for it (tg.viz and grad_fn show it)
class Alias(Select):
    _grad_fn_name = "AliasBackward0"  # x[...], x[()]


class UnsqueezeIndex(Select):
    _grad_fn_name = "UnsqueezeBackward0"  # x[..., None]


# The view op of an all-basic index, by the ``kind`` of its Plan: PyTorch names the node
# after the last item that changed something (x[0, 1:] slices last; x[:, :] is an alias)
BASIC_INDEX_OPS: dict[str, type[Select]] = {
    "select": Select, "slice": Slice, "alias": Alias, "unsqueeze": UnsqueezeIndex,
}


class Split(Slice):
    _grad_fn_name = "SplitBackward0"  # split(int), chunk


class SplitWithSizes(Slice):
    _grad_fn_name = "SplitWithSizesBackward0"  # split([sizes])


class Unbind(Select):
    _grad_fn_name = "UnbindBackward0"


class Flip(_Op):
    """``x.flip(dims)``: a copy with the order along ``dims`` reversed (PyTorch's flip
    always copies; numpy's is a view). Flipping twice is the identity, so the gradient is
    the incoming gradient flipped the same way."""

    _grad_fn_name = "FlipBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, index: Any) -> Any:
        ctx.meta = index
        return x[index].copy()

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        index = ctx.meta
        return (grad[index].copy() if dual._is_array(grad) else Flip.apply(grad, index)), None


class IndexAdd(_Op):
    """Zeros of ``shape`` with ``values`` added at ``index`` (a ``Plan`` or a numpy index;
    repeated indices add up): the adjoint of Index, recorded for double backward (PyTorch
    writes it as ``zeros.index_put_(index, grad, accumulate=True)``)."""

    _grad_fn_name = "IndexPutImplBackward0"

    @staticmethod
    def forward(ctx: Any, values: Any, shape: tuple[int, ...], index: Any) -> Any:
        ctx.meta = index
        out = np.zeros(shape, dtype=values.dtype)
        indexing.add_at(out, index, values)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return dual.take(grad, ctx.meta), None, None


class IndexPut(_Op):
    """``x[index] = v`` out of place: x with the indexed part replaced by v, broadcast.
    ``index`` is a ``Plan`` (indexing.py), and ``v`` passed ``indexing.check_value``.

    The replaced elements of x pass no gradient back to x; v gets the gradient of the
    part it was written to, summed over the copies broadcasting made. With repeated
    indices the last write wins, yet v gets the gradient of every place it was written
    to (as PyTorch's ``index_put_``, whose gradient for v is ``grad[index]``)."""

    _grad_fn_name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, v: Any, index: Any) -> Any:
        out = x.copy()
        indexing.put(out, index, v)
        keep = np.ones(x.shape, dtype=bool)
        indexing.put(keep, index, False)
        ctx.meta = keep, index, np.ndim(v)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        keep, index, v_ndim = ctx.meta
        grad_v = None
        if ctx.needs_input_grad[1]:
            grad_v = dual.take(grad, index)
            if v_ndim > grad_v.ndim:  # v's leading 1s were dropped: put them back
                grad_v = dual.reshape(grad_v, (1,) * (v_ndim - grad_v.ndim) + tuple(grad_v.shape))
        return grad * dual.constant(keep, grad), grad_v, None


class Cat(_Op):
    _grad_fn_name = "CatBackward0"

    @staticmethod
    def forward(ctx: Any, axis: int, *xs: Any) -> Any:
        ctx.meta = axis, [x.shape[axis] for x in xs]
        return np.concatenate(xs, axis=axis)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        axis, sizes = ctx.meta
        grads: list[Any] = [None]
        start = 0
        lead = (slice(None),) * axis
        for size in sizes:
            grads.append(grad[lead + (slice(start, start + size),)])
            start += size
        return tuple(grads)


class Stack(_Op):
    _grad_fn_name = "StackBackward0"

    @staticmethod
    def forward(ctx: Any, axis: int, *xs: Any) -> Any:
        ctx.meta = axis, len(xs)
        return np.stack(xs, axis=axis)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        axis, n = ctx.meta
        lead = (slice(None),) * axis
        return (None,) + tuple(grad[lead + (i,)] for i in range(n))


class Repeat(_Op):
    """``x.repeat(*reps)`` (numpy's tile): backward sums the copies."""

    _grad_fn_name = "RepeatBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, reps: tuple[int, ...]) -> Any:
        ctx.meta = x.shape, reps
        return np.tile(x, reps)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        shape, reps = ctx.meta
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
    _keep = staticmethod(np.tril)  # which triangle stays

    @staticmethod
    def forward(ctx: Any, x: Any, k: int) -> Any:
        ctx.meta = k
        return ctx._function._keep(x, k)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        op, k = ctx._function, ctx.meta
        return (op._keep(grad, k) if dual._is_array(grad) else op.apply(grad, k)), None


class Triu(Tril):
    """``x.triu(k)``: the elements on and above the k-th diagonal (``j >= i + k``), zeros
    below; the gradient is ``grad.triu(k)``."""

    _grad_fn_name = "TriuBackward0"
    _keep = staticmethod(np.triu)


def diagonal_dims(ndim: int, dim1: Any, dim2: Any) -> tuple[int, int]:
    """``dim1``, ``dim2`` of a tensor of ``ndim`` dims made non-negative; they must differ."""
    from ..tensor import _norm_axis

    d1, d2 = _norm_axis(dim1, ndim), _norm_axis(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


class Diagonal(_Op):
    """``x.diagonal(offset, dim1, dim2)``: the elements ``x[..., i, ..., i + offset, ...]``
    of dims dim1 and dim2, as a new last dim. A view: writing to it writes to ``x``."""

    _grad_fn_name = "DiagonalBackward0"
    _view = True

    @staticmethod
    def forward(ctx: Any, x: Any, offset: int, dim1: int, dim2: int) -> Any:
        ctx.meta = x.shape, offset, dim1, dim2
        out = np.diagonal(x, offset, dim1, dim2)
        if x.flags.writeable:
            out.setflags(write=True)  # numpy's diagonal is read-only; PyTorch's is not
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        shape, offset, dim1, dim2 = ctx.meta
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
        ctx.meta = x.shape, offset, dim1, dim2
        return np.diagonal(x, offset, dim1, dim2).copy()


class DiagEmbed(_Op):
    """Zeros of ``shape`` with ``x``'s last dim written along the ``offset`` diagonal of
    dims ``dim1`` and ``dim2`` (``tg.diag`` of a vector, ``tg.diag_embed``); the gradient
    of each element is the gradient's element on that diagonal."""

    _grad_fn_name = "DiagEmbedBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, shape: tuple[int, ...], offset: int, dim1: int,
                dim2: int) -> Any:
        ctx.meta = offset, dim1, dim2
        return _on_diagonal(x, shape, offset, dim1, dim2)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        offset, dim1, dim2 = ctx.meta
        if dual._is_array(grad):
            return np.diagonal(grad, offset, dim1, dim2), None, None, None, None
        return Diagonal.apply(grad, offset, dim1, dim2), None, None, None, None


class DiagonalBackward(DiagEmbed):
    """Diagonal's backward, recorded (double backward)."""

    _grad_fn_name = "DiagonalBackwardBackward0"


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

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.meta = x.shape
        if x.dtype.kind in "biu":
            return np.trace(x, dtype=np.int64)
        return np.trace(x, dtype=np.float64).astype(x.dtype)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        shape = ctx.meta
        along = dual.broadcast_to(grad, (min(shape),))  # d(trace)/d(x[i, i]) = 1
        if dual._is_array(grad):
            return _on_diagonal(along, shape, 0, 0, 1)
        return DiagonalBackward.apply(along, shape, 0, 0, 1)
