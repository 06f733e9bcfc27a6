"""Shape ops written with the movement ops (movement.py, rearrange.py, sorting.py), in the
order PyTorch composes them, so a graph shows PyTorch's nodes: ``tile`` is a ``repeat``,
``ravel`` a ``view`` (of a contiguous copy), ``movedim`` a ``permute``, ``select`` an
index, ``sum_to_size`` a ``sum`` keeping dims, ``msort`` a ``sort``, ``diagflat`` a
``diag_embed`` of the flattened tensor, ``hsplit``/``vsplit``/``dsplit`` a
``tensor_split``; and ``Tensor.where``, the method form of ``tg.where``.

No new Function here: each op's forward and backward are those of the op it is made of.

>>> tg.arange(6.0).reshape(2, 3).movedim(0, 1).shape
tinygrad_edu.Size([3, 2])
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..tensor_base import Size, TensorBase, _bool, _int, _norm_axis, _shape_arg, _type
from .arithmetic import where as _where
from .movement import Permute, Select

if TYPE_CHECKING:
    from ..tensor import Tensor


def _dims_arg(dims: Any, ndim: _int) -> list[_int]:
    """``movedim``'s source or destination: an int or a sequence of ints, in range."""
    dims = [dims] if isinstance(dims, (_int, np.integer)) else list(dims)
    return [_norm_axis(d, ndim) for d in dims]


def movedim_order(ndim: _int, source: Any, destination: Any) -> tuple[_int, ...]:
    """The permutation that moves the dims ``source`` to the places ``destination``, the
    other dims keeping their order (numpy's ``moveaxis``), checked as PyTorch does."""
    kinds = [type(d).__name__ if isinstance(d, (_int, np.integer)) else "tuple"
             for d in (source, destination)]
    if kinds[0] != kinds[1]:
        raise TypeError(f"movedim() received an invalid combination of arguments - got "
                        f"({kinds[0]}, {kinds[1]}), but expected one of:\n"
                        " * (int source, int destination)\n"
                        " * (tuple of ints source, tuple of ints destination)\n")
    src, dst = _dims_arg(source, ndim), _dims_arg(destination, ndim)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) "
                           f"should contain the same number of dims as destination ({dst} "
                           "dims)")
    for name, dims in (("source", src), ("destination", dst)):
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({dims})")
    order = [d for d in range(ndim) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return tuple(order)


def split_along(t: Tensor, sections: Any, dim: _int, fn: str) -> tuple[Tensor, ...]:
    """``hsplit``/``vsplit``/``dsplit``: ``tensor_split`` along ``dim``; a number of sections
    must divide the dim (PyTorch's check)."""
    if isinstance(sections, (_int, np.integer)) and not isinstance(sections, _bool):
        n = t._data.shape[dim]
        if sections == 0 or n % sections:
            raise RuntimeError(f"torch.{fn} attempted to split along dimension {dim}, but the "
                               f"size of the dimension {n} is not divisible by the split_size "
                               f"{sections}!")
    return t.tensor_split(sections, dim)  # type: ignore[no-any-return]


def _split_rank(t: Tensor, need: _int, fn: str) -> None:
    if t._data.ndim < need:
        raise RuntimeError(f"torch.{fn} requires a tensor with at least {need} dimension, but "
                           f"got a tensor with {t._data.ndim} dimensions!")


class ReshapingMethods(TensorBase):
    """The Tensor's shape ops made of other shape ops: tile, ravel, movedim, select,
    sum_to_size, msort, diagflat, hsplit/vsplit/dsplit, where."""

    __slots__ = ()

    def tile(self, *dims: Any) -> Tensor:
        """``repeat``, after padding ``dims`` with leading 1s to this tensor's rank (so a
        shorter ``dims`` repeats the last dims).

        >>> tg.tensor([[1, 2]]).tile(2)
        tensor([[1, 2, 1, 2]])
        """
        reps = _shape_arg(dims, "tile")
        return self.repeat((1,) * (self._data.ndim - len(reps)) + reps)  # type: ignore

    def ravel(self) -> Tensor:
        """The elements in one dimension: a view of a contiguous tensor, else of a
        contiguous copy (``contiguous().view(-1)``, PyTorch's)."""
        return self.contiguous().view(-1)  # type: ignore[no-any-return]

    def movedim(self, source: Any, destination: Any) -> Tensor:
        """A view with the dims ``source`` (an int or a sequence) moved to the places
        ``destination``; the other dims keep their order. A ``permute``.

        >>> tg.zeros(2, 3, 4).movedim(0, -1).shape
        tinygrad_edu.Size([3, 4, 2])
        """
        return Permute.apply(self, movedim_order(self._data.ndim, source, destination))

    moveaxis = movedim

    def select(self, dim: _int, index: _int) -> Tensor:
        """The view ``self[..., index, ...]`` with ``index`` at ``dim`` (that dim removed).

        >>> tg.tensor([[1, 2], [3, 4]]).select(1, 0)
        tensor([1, 3])
        """
        if not self._data.ndim:
            raise IndexError("select() cannot be applied to a 0-dim tensor.")
        axis = _norm_axis(dim, self._data.ndim)
        n = self._data.shape[axis]
        if _type(index) is not _int and not isinstance(index, (np.integer, TensorBase)):
            raise TypeError(f"select(): argument 'index' must be int, not {_type(index).__name__}")
        if not -n <= index < n:
            raise IndexError(f"select(): index {index} out of range for tensor of size "
                             f"{list(self._data.shape)} at dimension {axis}")
        i = _int(index) % n
        return Select.apply(self, i if axis == 0 else (slice(None),) * axis + (i,))

    def sum_to_size(self, *size: Any) -> Tensor:
        """Summed down to ``size``, a shape this tensor broadcasts from (the gradient of
        a broadcast): leading dims summed away, dims of size 1 in ``size`` summed with
        keepdim. ``self`` itself when ``size`` is its shape.

        >>> tg.ones(2, 3).sum_to_size(1, 3)
        tensor([[2., 2., 2.]])
        """
        target = _shape_arg(size, "sum_to_size")
        shape = self._data.shape
        lead = len(shape) - len(target)
        if lead < 0 or any(t != 1 and t != n for t, n in zip(target, shape[lead:])):
            raise RuntimeError(f"size {{{list(target)}}} is not expandable to size "
                               f"{{{list(shape)}}}.")
        if not target:  # (PyTorch's sum_to: the sum of all)
            return self.sum()  # type: ignore[no-any-return]
        axes = tuple(range(lead)) + tuple(
            lead + i for i, (t, n) in enumerate(zip(target, shape[lead:])) if t == 1 and n != 1)
        if not axes:
            return self  # type: ignore[return-value]
        out = self.sum(axes, keepdim=True)
        return out.view(target) if lead else out  # type: ignore[no-any-return]

    def msort(self) -> Tensor:
        """Sorted along dim 0 (``sort(dim=0).values``)."""
        return self.sort(dim=0).values  # type: ignore[no-any-return]

    def diagflat(self, offset: _int = 0) -> Tensor:
        """A 2-D tensor with the flattened elements on diagonal ``offset``.

        >>> tg.tensor([[1, 2]]).diagflat()
        tensor([[1, 0],
                [0, 2]])
        """
        return self.contiguous().view(-1).diag(offset)  # type: ignore[no-any-return]

    def hsplit(self, indices_or_sections: Any) -> tuple[Tensor, ...]:
        """Split along dim 1 (dim 0 of a vector): into equal sections, or at indices."""
        _split_rank(self, 1, "hsplit")  # type: ignore[arg-type]
        return split_along(self, indices_or_sections, 0 if self._data.ndim == 1 else 1,  # type: ignore
                           "hsplit")

    def vsplit(self, indices_or_sections: Any) -> tuple[Tensor, ...]:
        """Split along dim 0 of a tensor of 2 dims or more."""
        _split_rank(self, 2, "vsplit")  # type: ignore[arg-type]
        return split_along(self, indices_or_sections, 0, "vsplit")  # type: ignore[arg-type]

    def dsplit(self, indices_or_sections: Any) -> tuple[Tensor, ...]:
        """Split along dim 2 (depth) of a tensor of 3 dims or more."""
        _split_rank(self, 3, "dsplit")  # type: ignore[arg-type]
        return split_along(self, indices_or_sections, 2, "dsplit")  # type: ignore[arg-type]

    def where(self, condition: Tensor, y: Any) -> Tensor:
        """``tg.where(condition, self, y)``: this tensor's elements where ``condition`` is
        True, else ``y``'s."""
        return _where(condition, self, y)


def broadcast_shapes(*shapes: Any) -> Size:
    """The shape that tensors of ``shapes`` broadcast to (an int is a 1-D shape).

    >>> tg.broadcast_shapes((2, 1), (3,))
    tinygrad_edu.Size([2, 3])
    """
    sizes = [(s,) if isinstance(s, (_int, np.integer)) else tuple(s) for s in shapes]
    out = [1] * max((len(s) for s in sizes), default=0)
    for index, shape in enumerate(sizes):
        for i in range(1, len(shape) + 1):
            n = shape[-i]
            if n < 0:
                raise RuntimeError(f"Trying to create tensor with negative dimension {n}: "
                                   f"{list(shape)}")
            if out[-i] in (1, n):
                out[-i] = n
            elif n != 1:
                raise RuntimeError(f"Attempting to broadcast a dimension of length {n} at "
                                   f"-{i}! Mismatching argument at index {index} had {shape}; "
                                   f"but expected shape should be broadcastable to {out}")
    return Size(out)


def _at_least(t: Tensor, ndim: _int) -> Tensor:
    """``t`` with size-1 dims added (numpy's atleast_1d/2d/3d): a 0-d tensor becomes (1,),
    (1, 1) or (1, 1, 1); a vector (n,) becomes (1, n) or (1, n, 1); a matrix (m, n)
    becomes (m, n, 1)."""
    if t.ndim >= ndim:
        return t
    if t.ndim == 0:
        return t.reshape((1,) * ndim)
    if t.ndim == 1 and ndim >= 2:
        t = t.unsqueeze(0)
    return t.unsqueeze(-1) if t.ndim < ndim else t


def _at_least_all(tensors: tuple[Any, ...], ndim: _int) -> Any:
    """One tensor for one tensor; a tuple for several (or for a list or tuple of them)."""
    if len(tensors) == 1 and isinstance(tensors[0], TensorBase):
        return _at_least(tensors[0], ndim)  # type: ignore[arg-type]
    if len(tensors) == 1:
        tensors = tuple(tensors[0])
    return tuple(_at_least(t, ndim) for t in tensors)


def atleast_1d(*tensors: Any) -> Any:
    """Each tensor with at least 1 dim: a number becomes (1,).

    >>> tg.atleast_1d(tg.tensor(1.0))
    tensor([1.])
    """
    return _at_least_all(tensors, 1)


def atleast_2d(*tensors: Any) -> Any:
    """Each tensor with at least 2 dims: a number (1, 1), a vector (n,) a row (1, n)."""
    return _at_least_all(tensors, 2)


def atleast_3d(*tensors: Any) -> Any:
    """Each tensor with at least 3 dims: a number (1, 1, 1), a vector (n,) (1, n, 1), a
    matrix (m, n) (m, n, 1)."""
    return _at_least_all(tensors, 3)

