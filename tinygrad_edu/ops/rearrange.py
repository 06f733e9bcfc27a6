"""Elements rearranged: rolled, rotated, flipped left-right or up-down, split at indices,
cut into sliding windows (``unfold``), and a tensor's bytes read as another dtype
(``view(dtype)``).

``roll`` and ``rot90`` copy (as PyTorch's); ``tensor_split``, ``split_with_sizes``,
``narrow`` (movement.py) and ``unfold`` return views of their input, so writing into them
writes into it (ops/views.py keeps the histories right). ``narrow_copy`` copies;
``unsafe_split``, ``unsafe_chunk`` and ``unsafe_split_with_sizes`` share memory with their
input as ``split``'s pieces do, but autograd does not treat them as views: writing into
them is allowed, and it is on you not to write into both them and the input (as PyTorch).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core.function import _wrap
from ..dtypes import to_dtype
from ..parity.grad_fn_names import labelled
from ..parity.names import scalar_type_name
from ..tensor_base import TensorBase, _bool, _int, _norm_axis, _type
from . import dual
from .dual import _Op
from .movement import _ALL_SLICE, Select, Slice, check_int, dual_index_add

if TYPE_CHECKING:
    from ..tensor import Tensor


# ---------------------------------------------------------------------------- the ops
class Roll(_Op):
    """``x.roll(shifts, dims)``: each element moved ``shift`` places along its dim, those
    falling off the end coming back at the start (a copy). Rolling back undoes it: the
    gradient is the incoming gradient rolled by ``-shifts``."""

    _grad_fn_name = "RollBackward0"
    ctx_fields = ("shifts", "axes")

    @staticmethod
    def forward(ctx: Any, x: Any, shifts: tuple[int, ...], axes: tuple[int, ...] | None) -> Any:
        ctx.shifts, ctx.axes = shifts, axes
        return _roll(x, shifts, axes)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        back = tuple(-s for s in ctx.shifts)
        if dual._is_array(grad):
            return _roll(grad, back, ctx.axes), None, None
        return Roll.apply(grad, back, ctx.axes), None, None


def _roll(x: np.ndarray, shifts: tuple[int, ...], axes: tuple[int, ...] | None) -> np.ndarray:
    if axes is None:  # the flattened tensor rolled, then given its shape back
        return np.roll(x.reshape(-1), shifts[0]).reshape(x.shape)
    return np.roll(x, shifts, axes)


class Rot90(_Op):
    """``x.rot90(k, dims)``: turned by ``k`` quarter turns from ``dims[0]`` towards
    ``dims[1]``, computed as PyTorch does (a flip, then a transpose: the result of an odd
    ``k`` is a transposed copy). Turning back undoes it: the gradient is the incoming
    gradient turned by ``-k``."""

    _grad_fn_name = "Rot90Backward0"
    ctx_fields = ("k", "axes")

    @staticmethod
    def forward(ctx: Any, x: Any, k: int, axes: tuple[int, int]) -> Any:
        ctx.k, ctx.axes = k, axes
        return _rot90(x, k, axes)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        if dual._is_array(grad):
            return _rot90(grad, -ctx.k, ctx.axes), None, None
        return Rot90.apply(grad, -ctx.k, ctx.axes), None, None


def _rot90(x: np.ndarray, k: int, axes: tuple[int, int]) -> np.ndarray:
    a, b = axes
    k %= 4
    if k == 1:
        return np.flip(x, b).copy().swapaxes(a, b)
    if k == 2:
        return np.flip(x, axes).copy()
    if k == 3:
        return np.flip(x, a).copy().swapaxes(a, b)
    return x.copy()


class Unfold(_Op):
    """``x.unfold(dim, size, step)``: every window of ``size`` elements along ``dim``,
    ``step`` apart, as a new last dim: a view (windows may overlap, sharing elements).
    Each element of x gets the gradients of every window place it appears in, added."""

    _grad_fn_name = "UnfoldBackward0"
    ctx_fields = ("shape", "axis", "size", "step")
    _view = True

    @staticmethod
    def forward(ctx: Any, x: Any, axis: int, size: int, step: int) -> Any:
        ctx.shape, ctx.axis, ctx.size, ctx.step = x.shape, axis, size, step
        if x.ndim == 0:  # a 0-d tensor is one window of itself (or empty)
            return x.reshape(1)[:size]
        n = x.shape[axis]
        shape = x.shape[:axis] + ((n - size) // step + 1,) + x.shape[axis + 1:] + (size,)
        strides = x.strides[:axis] + (x.strides[axis] * step,) + x.strides[axis + 1:] + (
            x.strides[axis],)
        return np.lib.stride_tricks.as_strided(x, shape, strides)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        shape, axis, size, step = ctx.shape, ctx.axis, ctx.size, ctx.step
        if not shape:
            return dual.sum(grad), None, None, None
        windows = (shape[axis] - size) // step + 1
        # window w, place j came from element w * step + j along the dim
        where = (np.arange(windows)[:, None] * step + np.arange(size)).reshape(-1)
        g = dual.moveaxis(grad, (grad.ndim - 1,), (axis + 1,))
        g = dual.reshape(g, shape[:axis] + (windows * size,) + shape[axis + 1:])
        return dual_index_add(shape, (_ALL_SLICE,) * axis + (where,), g, g), None, None, None


class NarrowCopy(_Op):
    """``x.narrow_copy(dim, start, length)``: the slice ``narrow`` views, copied. Its
    gradient goes back to the elements it copied; the others get zero."""

    _grad_fn_name = "NarrowCopyBackward0"
    ctx_fields = ("shape", "index")

    @staticmethod
    def forward(ctx: Any, x: Any, index: tuple[Any, ...]) -> Any:
        ctx.shape, ctx.index = x.shape, index
        return x[index].copy()

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return dual_index_add(ctx.shape, ctx.index, grad, grad), None


# ``split``'s pieces, not views to autograd (a write into one is not seen by the input's
# history: PyTorch's "unsafe"); ``_output_nr``: which piece, as next_functions show it
UnsafeSplit = labelled(Select, "UnsafeSplitBackward0", ctx_fields=("_output_nr",), _view=False)
UnsafeSplitWithSizes = labelled(Select, "UnsafeSplitWithSizesBackward0",
                                ctx_fields=("_output_nr",), _view=False)


def _numbered(pieces: list[Any]) -> tuple[Any, ...]:
    for k, t in enumerate(pieces):
        if t._grad_fn is not None:
            t._grad_fn._output_nr = k
    return tuple(pieces)


# ---------------------------------------------------------------------------- argument checks
def roll_args(shifts: Any, dims: Any, ndim: int) -> tuple[tuple[int, ...], tuple[int, ...] | None]:
    """``roll``'s shifts and dims as tuples, checked as PyTorch does."""
    def ints(value: Any, name: str, position: int) -> tuple[int, ...]:
        items = tuple(value) if isinstance(value, (tuple, list)) else (value,)
        for v in items:
            if isinstance(v, _bool) or not isinstance(v, (_int, np.integer, TensorBase)):
                raise TypeError(f"roll(): argument '{name}' (position {position}) must be "
                                f"tuple of ints, not {_type(value).__name__}")
        return tuple(_int(v) for v in items)

    shift = ints(shifts, "shifts", 1)
    if not shift:
        raise RuntimeError("`shifts` required")
    if dims is None:
        if len(shift) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shift)}, dims:0")
        return shift, None
    axes = ints(dims, "dims", 2)
    if len(shift) != len(axes):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shift)}, "
                           f"dims:{len(axes)}")
    if ndim == 0:
        raise IndexError(f"Dimension specified as {axes[0]} but tensor has no dimensions")
    return shift, tuple(_norm_axis(d, ndim) for d in axes)


def rot90_axes(ndim: int, dims: Any) -> tuple[int, int]:
    """``rot90``'s two dims made non-negative, checked as PyTorch does."""
    dims = tuple(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {ndim}")
    a, b = (_norm_axis(d, ndim) for d in dims)
    if a == b:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {dims[0]} "
                           f"and dim1 = {dims[1]}")
    return a, b


def _split_points(sections_or_indices: Any, n: int) -> list[tuple[int, int]]:
    """``tensor_split``'s pieces as (start, stop) along a dim of length ``n``: ``sections``
    nearly equal ones (the first ``n % sections`` one longer), or the pieces between the
    ``indices`` (read as Python slice bounds: negative ones count from the end)."""
    if isinstance(sections_or_indices, (tuple, list)):
        bounds = [0, *sections_or_indices]
        pieces = [slice(a, b) for a, b in zip(bounds, bounds[1:])] + [slice(bounds[-1], None)]
        return [piece.indices(n)[:2] for piece in pieces]
    sections = sections_or_indices
    if sections <= 0:
        raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
    size, extra = divmod(n, sections)
    points, start = [], 0
    for i in range(sections):
        stop = start + size + (i < extra)
        points.append((start, stop))
        start = stop
    return points


def _tensor_split_arg(value: Any) -> Any:
    """An int (sections) or a list of ints (indices) from ``tensor_split``'s argument: a
    Python int or sequence, or a 0-d (sections) or 1-D (indices) int64 tensor."""
    if isinstance(value, TensorBase):
        data = value._data
        if data.dtype != np.int64:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to have dtype "
                               f"of long, but got {scalar_type_name(data.dtype)}")
        if data.ndim > 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a "
                               "zero-dimensional or one-dimensional tensor, but got a tensor "
                               f"with {data.ndim} dims")
        return _int(data) if data.ndim == 0 else [_int(i) for i in data]
    items = value if isinstance(value, (tuple, list)) else [value]
    if any(isinstance(i, _bool) or not isinstance(i, (_int, np.integer)) for i in items):
        raise TypeError(f"tensor_split() received an invalid combination of arguments - got "
                        f"({_type(value).__name__}), but expected one of:\n"
                        " * (Tensor input, int sections, int dim)\n"
                        " * (Tensor input, tuple of ints indices, int dim)\n"
                        " * (Tensor input, Tensor tensor_indices_or_sections, int dim)\n")
    return [_int(i) for i in value] if isinstance(value, (tuple, list)) else _int(value)


def check_narrow(dim: Any, start: Any, length: Any) -> None:
    """PyTorch's TypeError for ``narrow``'s arguments of the wrong types: it has two
    overloads, ``(int dim, Tensor start, int length)`` and ``(int dim, int start, int
    length)``, and its message marks what each of them refused."""
    def kind(v: Any) -> str:
        return "Tensor" if isinstance(v, TensorBase) else _type(v).__name__

    def fits(v: Any, expected: str) -> bool:
        if expected == "Tensor":
            return isinstance(v, TensorBase)
        return isinstance(v, (_int, np.integer)) and not isinstance(v, _bool)

    values = (dim, start, length)
    overloads = (("int", "Tensor", "int"), ("int", "int", "int"))
    if any(all(fits(v, e) for v, e in zip(values, types)) for types in overloads):
        return
    lines = [f"narrow() received an invalid combination of arguments - got "
             f"({', '.join(kind(v) for v in values)}), but expected one of:"]
    for types in overloads:
        marked = ", ".join(kind(v) if fits(v, e) else f"!{kind(v)}!"
                           for v, e in zip(values, types))
        lines += [f" * ({types[0]} dim, {types[1]} start, {types[2]} length)",
                  f"      didn't match because some of the arguments have invalid types: "
                  f"({marked})"]
    raise TypeError("\n".join(lines) + "\n")


def check_view_dtype(data: np.ndarray, new: np.dtype) -> None:
    """PyTorch's errors for ``x.view(dtype)`` to a dtype of another element size: the
    last dim must be contiguous, and, to a larger element, its size, the offset into the
    storage and the other strides must be multiples of the ratio (in PyTorch's order)."""
    old_size, new_size = data.dtype.itemsize, new.itemsize
    if old_size == new_size:
        return
    what = (f"to view {scalar_type_name(data.dtype)} as {scalar_type_name(new)} (different "
            f"element sizes)")
    if data.ndim == 0:
        raise RuntimeError(f"self.dim() cannot be 0 {what}")
    strides = [s // old_size for s in data.strides]
    if not data.size:  # (numpy's strides of an empty array are not PyTorch's contiguous ones)
        strides = [math.prod(max(n, 1) for n in data.shape[i + 1:]) for i in range(data.ndim)]
    if old_size > new_size:  # each element becomes several
        if strides[-1] != 1:
            raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got {strides[-1]}")
        return
    ratio = new_size // old_size  # several elements become one
    root = data if data.base is None else data.base
    offset = (data.__array_interface__["data"][0]
              - np.asanyarray(root).__array_interface__["data"][0]) // old_size
    if data.shape[-1] % ratio:
        raise RuntimeError(f"self.size(-1) must be divisible by {ratio} {what}, but got "
                           f"{data.shape[-1]}")
    if offset % ratio:
        raise RuntimeError(f"self.storage_offset() must be divisible by {ratio} {what}, but "
                           f"got {offset}")
    if strides[-1] != 1:
        raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got {strides[-1]}")
    for i, s in enumerate(strides[:-1]):
        if s % ratio:
            raise RuntimeError(f"self.stride({i}) must be divisible by {ratio} {what}, but "
                               f"got {s}")


# ------------------------------------------------------------------ the Tensor methods
class RearrangeMethods(TensorBase):
    """``narrow``, ``roll``, ``rot90``, ``fliplr``, ``flipud``, ``tensor_split``,
    ``split_with_sizes``, ``unfold`` and ``view(dtype)``'s reinterpretation."""

    __slots__ = ()

    def narrow(self, dim: _int, start: Any, length: _int) -> Tensor:
        """The view of ``length`` elements from ``start`` along ``dim`` (``x[:, start:
        start + length]`` for dim 1); ``start`` may be negative, or a 0-d tensor.

        >>> tg.arange(5.0).narrow(0, 1, 3)
        tensor([1., 2., 3.])
        """
        check_narrow(dim, start, length)
        if not self._data.ndim:
            raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
        if length < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
        axis = _norm_axis(dim, self._data.ndim)
        n = self._data.shape[axis]
        if isinstance(start, TensorBase):
            if start._data.ndim or start._data.dtype.kind not in "iu":
                raise RuntimeError("start must be an 0-dim integral Tensor.")
        start = int(start)
        if not -n <= start <= n:
            raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], "
                             f"but got {start})")
        if start < 0:
            start += n
        if start + length > n:
            raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size "
                               f"({n}).")
        return Slice.apply(self, (_ALL_SLICE,) * axis + (slice(start, start + length),
                                                          Ellipsis))

    def narrow_copy(self, dim: _int, start: _int, length: _int) -> Tensor:
        """A copy of ``narrow(dim, start, length)``: its own memory.

        >>> tg.arange(5.0).narrow_copy(0, 1, 3)
        tensor([1., 2., 3.])
        """
        if isinstance(dim, (_int, np.integer)) and self._data.ndim and dim >= self._data.ndim:
            raise RuntimeError("Expected dim < static_cast<int64_t>(self_sizes.size()) to be "
                               "true, but got false.  (Could this error message be improved?  "
                               "If so, please report an enhancement request to PyTorch.)")
        self.detach().narrow(dim, start, length)  # (narrow's checks)
        axis = _norm_axis(dim, self._data.ndim)
        first = _int(start) + (self._data.shape[axis] if start < 0 else 0)
        index = (_ALL_SLICE,) * axis + (slice(first, first + _int(length)), Ellipsis)
        return NarrowCopy.apply(self, index)

    def unsafe_split(self, split_size: _int, dim: _int = 0) -> tuple[Tensor, ...]:
        """``split(split_size, dim)``'s pieces, which autograd does not treat as views of
        this tensor (see the module's docstring).

        >>> [t.tolist() for t in tg.arange(3.0).unsafe_split(2)]
        [[0.0, 1.0], [2.0]]
        """
        if not isinstance(split_size, (_int, np.integer)) or isinstance(split_size, _bool):
            raise TypeError(f"unsafe_split(): argument 'split_size' (position 1) must be int, "
                            f"not {_type(split_size).__name__}")
        return _numbered(self._pieces(split_size, dim, UnsafeSplit))

    def unsafe_chunk(self, chunks: _int, dim: _int = 0) -> tuple[Tensor, ...]:
        """``chunk(chunks, dim)``'s pieces, which autograd does not treat as views.

        >>> [t.tolist() for t in tg.arange(4.0).unsafe_chunk(2)]
        [[0.0, 1.0], [2.0, 3.0]]
        """
        size = self._chunk_size(chunks, dim)
        op = UnsafeSplit if isinstance(size, int) else UnsafeSplitWithSizes
        return _numbered(self._pieces(size, dim, op))

    def unsafe_split_with_sizes(self, split_sizes: Sequence[_int],
                                dim: _int = 0) -> tuple[Tensor, ...]:
        """``split_with_sizes(split_sizes, dim)``'s pieces, which autograd does not treat
        as views.

        >>> [t.tolist() for t in tg.arange(3.0).unsafe_split_with_sizes([1, 2])]
        [[0.0], [1.0, 2.0]]
        """
        if not isinstance(split_sizes, (tuple, list)):
            raise TypeError(f"unsafe_split_with_sizes(): argument 'split_sizes' (position 1) "
                            f"must be tuple of ints, not {_type(split_sizes).__name__}")
        return _numbered(self._pieces(list(split_sizes), dim, UnsafeSplitWithSizes))

    def roll(self, shifts: Any, dims: Any = None) -> Tensor:
        """Each element moved ``shifts`` places along ``dims`` (one shift per dim), those
        pushed off the end coming back at the start; without ``dims``, along the
        flattened tensor (its shape kept). A copy.

        >>> tg.tensor([1.0, 2.0, 3.0]).roll(1)
        tensor([3., 1., 2.])
        """
        shift, axes = roll_args(shifts, dims, self._data.ndim)
        return Roll.apply(self, shift, axes)

    def rot90(self, k: _int = 1, dims: Sequence[_int] = (0, 1)) -> Tensor:
        """Turned by ``k`` quarter turns in the plane of ``dims``, from the first dim
        towards the second (``k < 0`` turns the other way). A copy.

        >>> tg.tensor([[1.0, 2.0], [3.0, 4.0]]).rot90()
        tensor([[2., 4.],
                [1., 3.]])
        """
        check_int(k, "rot90", "k", 1)
        return Rot90.apply(self, _int(k), rot90_axes(self._data.ndim, dims))

    def fliplr(self) -> Tensor:
        """The columns in reverse order (``flip(1)``): left becomes right. A copy.

        >>> tg.tensor([[1.0, 2.0]]).fliplr()
        tensor([[2., 1.]])
        """
        if self._data.ndim < 2:
            raise RuntimeError("Input must be >= 2-d.")
        return self.flip(1)

    def flipud(self) -> Tensor:
        """The rows in reverse order (``flip(0)``): up becomes down. A copy.

        >>> tg.tensor([1.0, 2.0]).flipud()
        tensor([2., 1.])
        """
        if self._data.ndim < 1:
            raise RuntimeError("Input must be >= 1-d.")
        return self.flip(0)

    def tensor_split(self, indices_or_sections: Any = None, dim: _int = 0, *,
                     sections: Any = None, indices: Any = None) -> tuple[Tensor, ...]:
        """Views of ``self`` split along ``dim``: into ``sections`` nearly equal pieces
        (the first ``n % sections`` one element longer; pieces may be empty), or at the
        ``indices`` (a list, or a 1-D int64 tensor; a 0-d one is a number of sections).

        >>> [t.tolist() for t in tg.arange(5.0).tensor_split(2)]
        [[0.0, 1.0, 2.0], [3.0, 4.0]]
        """
        value = next((v for v in (indices_or_sections, sections, indices) if v is not None),
                     None)
        if value is None:
            raise TypeError("tensor_split() missing 1 required positional arguments: "
                            "\"indices_or_sections\"")
        split = _tensor_split_arg(value)
        if not self._data.ndim:
            raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got "
                               "a tensor with 0 dims")
        axis = _norm_axis(dim, self._data.ndim)
        lead = (_ALL_SLICE,) * axis
        return tuple(Slice.apply(self, lead + (slice(a, b), Ellipsis))
                     for a, b in _split_points(split, self._data.shape[axis]))

    def split_with_sizes(self, split_sizes: Sequence[_int], dim: _int = 0) -> tuple[Tensor, ...]:
        """Views of ``self``, pieces of the listed lengths along ``dim`` (they must add up
        to its length): ``split(list(split_sizes), dim)``.

        >>> [t.tolist() for t in tg.arange(3.0).split_with_sizes([1, 2])]
        [[0.0], [1.0, 2.0]]
        """
        if not isinstance(split_sizes, (tuple, list)):
            raise TypeError(f"split_with_sizes(): argument 'split_sizes' (position 1) must be "
                            f"tuple of ints, not {_type(split_sizes).__name__}")
        return self.split(list(split_sizes), dim)  # type: ignore[no-any-return]

    def unfold(self, dimension: _int, size: _int, step: _int) -> Tensor:
        """Every window of ``size`` elements along ``dimension``, ``step`` apart, as a
        new last dim: a view (overlapping windows share elements).

        >>> tg.arange(4.0).unfold(0, 2, 1)
        tensor([[0., 1.],
                [1., 2.],
                [2., 3.]])
        """
        for value, name, position in ((dimension, "dimension", 1), (size, "size", 2),
                                      (step, "step", 3)):
            check_int(value, "unfold", name, position)
        axis = _norm_axis(dimension, self._data.ndim)
        n = self._data.shape[axis] if self._data.ndim else 1
        if size > n:
            raise RuntimeError(f"maximum size for tensor at dimension {axis} is {n} but size "
                               f"is {size}")
        if size < 0:
            raise RuntimeError(f"size is {size} but must be >= 0")
        if step <= 0:
            raise RuntimeError(f"step is {step} but must be > 0")
        return Unfold.apply(self, axis, _int(size), _int(step))

    def _view_dtype(self, dtype: Any) -> Tensor:
        """``view(dtype)``: the same bytes read as ``dtype`` (PyTorch's bit
        reinterpretation). The last dim grows or shrinks by the ratio of the element
        sizes. It shares ``self``'s memory, yet, as in PyTorch, it is not recorded: no
        gradient flows through it, and it is not a view autograd tracks (``_base`` is
        None)."""
        new = to_dtype(dtype).np
        data = self._data
        check_view_dtype(data, np.dtype(new))
        if data.dtype.itemsize == np.dtype(new).itemsize or data.size or not data.ndim:
            return _wrap(data.view(new))
        # (numpy cannot view an empty array whose last dim is not contiguous)
        ratio = data.dtype.itemsize / np.dtype(new).itemsize
        return _wrap(np.empty(data.shape[:-1] + (math.floor(data.shape[-1] * ratio),), new))

