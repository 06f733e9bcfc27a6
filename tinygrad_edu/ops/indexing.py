"""PyTorch's indexing rule: which elements ``x[index]`` reads and ``x[index] = v`` writes.

Pure functions on shapes and numpy arrays. ``Tensor.__getitem__`` and ``__setitem__`` and
the index ops of ``movement.py`` ask ``plan(index, shape)`` what an index means; nothing
else decides it.

The rule, in two steps (PyTorch's ``applySlicing``, then its ``index`` op)
-------------------------------------------------------------------------
An index is a tuple of *items*; a lone item is a tuple of one. (A list shorter than 32
that holds a slice, ``None``, ``...``, a tensor or another list is read as a tuple too,
with PyTorch's deprecation warning: ``x[[0, [1]]]`` means ``x[0, [1]]``.)

1. **Basic items make a view.** They apply left to right to a growing result, each at a
   position ``dim`` that starts at 0:

   - an int ``i`` (or a 0-d integer tensor) picks element ``i`` of dim ``dim`` and
     removes that dim;
   - a slice ``a:b:c`` (``c > 0``) keeps part of dim ``dim``; ``dim += 1``;
   - ``None`` inserts a dim of size 1 at ``dim``; ``dim += 1``;
   - ``...`` stands for the dims that no item names: ``dim +=`` their number;
   - any other item is *advanced*: a list, an integer tensor (int64 or int32), a bool
     or uint8 mask of k dims, a Python bool. It is set aside for step 2 at position
     ``dim``, which moves on by 1 (by k for a mask). A Python bool (or a 0-d bool tensor)
     first inserts a dim of size 1, which it indexes with ``[0]`` if True, ``[]`` if False.

   Nothing is copied: with basic items only, ``x[0, 1:]`` shares memory with ``x``.

2. **Advanced items gather from the view.** A mask of k dims becomes k index arrays
   (its ``nonzero()``), one per dim it stands for; all index arrays broadcast together
   to one shape ``B``, and element ``j`` of ``B`` picks ``view[..., a1[j], ..., a2[j], ...]``.
   ``B``'s dims go where the advanced items stood when those stand next to each other,
   else in front; the view's other dims follow in order. The result is a copy.

Where PyTorch differs from NumPy: an int is *basic*. NumPy counts an int as one more
advanced index, so in ``x[0, :, [1, 2]]`` it sees two advanced items split by a slice
and puts ``B`` in front; PyTorch takes ``x[0]`` first, then ``[:, [1, 2]]`` of it:

>>> x = np.arange(24).reshape(2, 3, 4)
>>> x[0, :, [1, 2]].shape                                   # NumPy's rule
(2, 3)
>>> p = plan((0, slice(None), [1, 2]), x.shape)              # PyTorch's rule
>>> p
x[0][:, [1, 2]] -> (3, 2)
>>> take(x, p).tolist()
[[1, 2], [5, 6], [9, 10]]

A ``Plan`` is a numpy index for each step: ``x[p.view]`` is the view (ints, slices and
``None``), ``x[p.view][p.rest]`` the result (slices and int arrays only: there NumPy and
PyTorch agree). ``p.rest`` is None when every item is basic; the result is then the view.

>>> plan((slice(None), None, 1), (2, 3))                    # a view: no copy
x[:, None, 1] -> (2, 1)
>>> plan(([True, False], [0, 2]), (2, 3))                   # a mask, a list: broadcast
x[...][[0], [0, 2]] -> (2,)
>>> plan(([0, 1], slice(None), [1, 2]), (2, 3, 4))          # apart: B's dims in front
x[...][[0, 1], :, [1, 2]] -> (2, 3)
>>> plan(([0, 1], 0, [1, 2]), (2, 3, 4))                    # an int does not set apart
x[:, 0][[0, 1], [1, 2]] -> (2,)

Writing, ``x[index] = v``, goes to the elements ``x[index]`` reads. ``v`` (a number, or a
tensor whose leading 1s are dropped) broadcasts to ``x[index]``'s shape: with basic items
only it is copied into the view (any dtype); else PyTorch's ``index_put_`` writes it (same
dtype as x; an index repeated: the last write wins), or ``masked_fill_`` when the index
is one mask and ``v`` one number. ``check_value`` raises PyTorch's errors; ``put`` writes.
"""

from __future__ import annotations

import operator
import sys
import warnings
from typing import Any, Literal, NamedTuple, overload

import numpy as np

from ..dtypes import FLOATING
from ..parity.names import scalar_type_name, tensor_type_name

_UINT8 = np.dtype(np.uint8)
# dtypes by (kind, itemsize), which is quicker to test than a dtype
_INDEX_DTYPES = {("i", 8), ("i", 4), ("u", 1), ("b", 1)}  # long, int, byte, bool
_MASKS = {("u", 1), ("b", 1)}
_SEQUENCES = (list, tuple, range, str, bytes, np.ndarray)  # Python's sequence protocol
_WHOLE = sys.maxsize  # a slice's stop when it has none (PyTorch unpacks it so)
_ALL = slice(None)  # ``:``
ALL = _ALL  # (in a Plan's view: a ``:`` that leaves its dim whole, which PyTorch skips)

_BAD_ITEM = ("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
             "are valid indices (got {})")
_SEQUENCE_AS_TUPLE = (
    "Using a non-tuple sequence for multidimensional indexing is deprecated and will be "
    "changed in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will "
    "be interpreted as tensor index, x[torch.tensor(seq)], which will result either in an "
    "error or a different result"
)
_UINT8_MASK = ("indexing with dtype torch.uint8 is now deprecated, please use a dtype "
               "torch.bool instead.")
_ZERO_DIM = ("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
             "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")


class Plan(NamedTuple):
    """What ``x[index]`` reads from an ``x`` of a given shape: ``x[view][rest]``.

    >>> p = plan((1, [2, 0]), (3, 4))
    >>> p.view, p.rest, p.shape, p.kind
    ((1, Ellipsis), (array([2, 0]),), (2,), 'index')
    """

    view: tuple[Any, ...]  # a numpy basic index (ints, slices, None), then ...: a view
    rest: tuple[Any, ...] | None  # slices and int arrays on the view; None: all basic
    shape: tuple[int, ...]  # the result's shape
    kind: str  # the op PyTorch records: "select", "slice", "unsqueeze", "alias" or "index"
    view_shape: tuple[int, ...]  # the shape of x[view]
    mask: np.dtype | None = None  # the dtype of the one advanced item, when it is a mask
    uint8: bool = False  # a uint8 mask is among the advanced items (PyTorch warns)

    def __repr__(self) -> str:
        """``x[0][:, [1, 2]] -> (3, 2)``: the two numpy indices and the result's shape
        (what ``tg.viz`` shows for an index op)."""
        view = ", ".join(_format(item) for item in self.view[:-1]) or "..."
        rest = "" if self.rest is None else f"[{', '.join(_format(a) for a in self.rest)}]"
        return f"x[{view}]{rest} -> {self.shape}"


def _format(item: Any) -> str:
    """An index item as it is written in brackets: ``1:3``, ``None``, ``[2, 0]``."""
    if isinstance(item, slice):
        text = ":".join("" if v is None else str(v) for v in (item.start, item.stop))
        return text if item.step in (None, 1) else f"{text}:{item.step}"
    if isinstance(item, np.ndarray):
        return str(item.tolist()) if item.size <= 8 else f"<{item.dtype} array {item.shape}>"
    return "..." if item is Ellipsis else str(item)


def _basic(view: tuple[Any, ...], shape: tuple[int, ...], kind: str) -> Plan:
    """``Plan(view, None, shape, kind, shape)``, a third quicker (NamedTuple's ``__new__``
    is Python code; every basic ``x[index]`` makes one)."""
    return _new_tuple(Plan, (view, None, shape, kind, shape, None, False))


_new_tuple = tuple.__new__


# ---------------------------------------------------------------------------- the plan
@overload
def plan(index: Any, shape: tuple[int, ...], tensor_type: Any = (),
         setitem: Literal[False] = False, before_advanced: Any = None) -> Plan: ...


@overload
def plan(index: Any, shape: tuple[int, ...], tensor_type: Any = (), *,
         setitem: bool, before_advanced: Any = None) -> Plan | None: ...


def plan(index: Any, shape: tuple[int, ...], tensor_type: Any = (),
         setitem: bool = False, before_advanced: Any = None) -> Plan | None:
    """PyTorch's meaning of ``x[index]`` for an ``x`` of ``shape``, as a ``Plan``.

    ``tensor_type``: the class whose instances are tensors (they hold a ``_data`` array);
    ``setitem``: plan ``x[index] = v``, where PyTorch reads a lone ``True`` as a view and
    a lone ``False`` as nothing to write (``None`` is returned). Raises PyTorch's errors:
    ``IndexError`` for an index out of range, too many indices, a mask of the wrong
    shape, index arrays that do not broadcast; ``TypeError``/``ValueError`` for bad items.
    ``before_advanced(view)``, if given, is called with the basic part's numpy index when
    the index has advanced items, before they are checked (``x[index] = v`` raises
    autograd's errors there, as PyTorch's ``index_put_`` does).
    """
    if type(index) is int and shape and -shape[0] <= index < shape[0]:  # x[i], quickly
        return _basic((index, ...), shape[1:], "select")
    if type(index) is not tuple:
        if setitem and index is False:
            return None  # x[False] = v: PyTorch writes nothing and checks nothing
        single = _single_item(index, shape, tensor_type, setitem, before_advanced)
        if single is not None:
            return single
    items = _as_items(index, tensor_type)
    specified = _count_specified(items, tensor_type)
    if specified > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    view, view_shape, slots, kind = _view(items, shape, len(shape) - specified, tensor_type)
    if not slots:
        return _basic(view, view_shape, kind)
    if before_advanced is not None:
        before_advanced(view)
    return _advanced(view, view_shape, slots, setitem)


def _single_item(index: Any, shape: tuple[int, ...], tensor_type: Any,
                 setitem: bool, before_advanced: Any = None) -> Plan | None:
    """PyTorch's shortcuts for a lone slice, int, None, ``...`` and, in setitem, True (a
    lone ``x[:]`` is always a slice op, ``x[True] = v`` writes through ``x.unsqueeze(0)``);
    and ours for a lone index tensor (the general path's answer, sooner). ``None`` when
    the index takes the general path."""
    if isinstance(index, tensor_type) and index._data.ndim and shape:
        data = index._data
        if not _is_mask(data):
            if before_advanced is not None:
                before_advanced((...,))
            return _advanced((...,), shape, {0: data.copy()}, setitem)
    if type(index) is slice:
        start, stop, step = index.indices(shape[0] if shape else 0)  # (Python's errors)
        if step < 0:
            raise ValueError("step must be greater than zero")
        if not shape:
            raise IndexError("slice() cannot be applied to a 0-dim tensor.")
        return _basic((slice(start, stop, step), ...),
                      (len(range(start, stop, step)),) + shape[1:], "slice")
    if isinstance(index, (int, np.integer)) and not isinstance(index, bool):
        if not shape and index == 0:
            raise IndexError(_ZERO_DIM)
        i = _check_int(int(index), shape[0] if shape else 0, 0)
        return _basic((i, ...), shape[1:], "select")
    if index is None or (setitem and index is True):
        return _basic((None, ...), (1,) + shape, "unsqueeze")
    if index is Ellipsis:
        return _basic((...,), shape, "alias")
    return None


def _as_items(index: Any, tensor_type: Any) -> tuple[Any, ...]:
    """The index as a tuple of items: PyTorch's (and old NumPy's) ``treatSequenceAsTuple``."""
    if isinstance(index, tuple):
        return index
    if isinstance(index, (tensor_type, np.ndarray)) or not isinstance(index, _SEQUENCES):
        return (index,)
    if len(index) >= 32:
        return (index,)
    for item in index:
        if (item is None or item is Ellipsis or isinstance(item, (slice, tensor_type))
                or isinstance(item, _SEQUENCES)):
            _warn(_SEQUENCE_AS_TUPLE)
            return tuple(index)
    return (index,)


def _warn(message: str) -> None:
    """PyTorch's UserWarning, shown at the user's line: the first frame of the call stack
    outside tinygrad_edu."""
    frame: Any = sys._getframe(1)
    level = 2
    while frame is not None and frame.f_globals.get("__name__", "").startswith("tinygrad_edu"):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, UserWarning, stacklevel=level)


def _count_specified(items: tuple[Any, ...], tensor_type: Any) -> int:
    """How many dims the items name: a mask tensor names its ndim, None, ``...`` and
    Python bools none, any other item one (PyTorch's ``count_specified_dimensions``)."""
    count = 0
    for item in items:
        if isinstance(item, tensor_type):
            count += item._data.ndim if _is_mask(item._data) else 1
        elif item is not None and item is not Ellipsis and type(item) is not bool:
            count += 1
    return count


def _view(items: tuple[Any, ...], shape: tuple[int, ...], skip: int,
          tensor_type: Any) -> tuple[tuple[Any, ...], tuple[int, ...], dict[int, Any], str]:
    """Step 1, the items left to right: the numpy index of the view, the view's shape, the
    advanced items set aside (position in the view -> index array) and the kind of op
    PyTorch records (named after the last item that changed something).

    ``dim`` is PyTorch's position in the view; every item also adds to the numpy index
    (``:`` for a dim it leaves alone), so that the numpy index has made ``dim`` dims too.
    ``skip``: the dims an Ellipsis stands for."""
    view: list[Any] = []
    view_shape = list(shape)
    slots: dict[int, Any] = {}
    kind = "alias"  # nothing changed: PyTorch records an alias
    dim = 0
    for position, item in enumerate(items):
        cls = type(item)
        if cls is slice:
            if dim >= len(view_shape):
                raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
            if item.start is None and item.stop is None and item.step is None:
                view.append(_ALL)  # (the common ``:``, quickly)
            else:
                part = _in_range(item, view_shape[dim])
                if _keeps_all(item, view_shape[dim]):  # PyTorch skips it: no node
                    view.append(_ALL)
                else:
                    view.append(part)
                    view_shape[dim] = len(range(part.start, part.stop, part.step))
                    kind = "slice"
            dim += 1
        elif cls is int or (isinstance(item, (int, np.integer)) and cls is not bool):
            view.append(_check_int(int(item), _size(view_shape, dim), position))
            del view_shape[dim]
            kind = "select"
        elif item is None:
            view.append(None)
            view_shape.insert(dim, 1)
            dim += 1
            kind = "unsqueeze"
        elif item is Ellipsis:
            view.extend([_ALL] * min(skip, len(view_shape) - dim))
            dim += skip  # (several ``...`` can point past the last dim)
        else:
            dim, selected = _set_aside(item, position, tensor_type, view, view_shape, slots, dim)
            kind = "select" if selected else kind
    while view and view[-1] is _ALL:  # (a trailing ``:`` changes nothing)
        view.pop()
    return tuple(view) + (Ellipsis,), tuple(view_shape), slots, kind


def _set_aside(item: Any, position: int, tensor_type: Any, view: list[Any],
               view_shape: list[int], slots: dict[int, Any], dim: int) -> tuple[int, bool]:
    """An item that is not an int, a slice, None or ``...``, at PyTorch's position
    ``dim`` of the view: a 0-d integer tensor is an int; a Python bool (or a 0-d mask)
    inserts a dim and indexes it; anything else is set aside for step 2, and stands for
    one dim of the view (a mask: as many as it has). Returns the next position, and
    whether the item selected (as an int does)."""
    if type(item) is bool:
        mask = item
    else:
        array = _index_array(item, tensor_type)
        if array.ndim or (array.dtype.kind not in "iu" and not _is_mask(array)):
            named = array.ndim if _is_mask(array) else 1
            slots[dim] = array
            view.extend([_ALL] * min(named, len(view_shape) - dim))
            return dim + named, False
        if not _is_mask(array):
            view.append(_check_int(int(array), _size(view_shape, dim), position))
            del view_shape[dim]
            return dim, True
        mask = bool(array)
    view.append(None)
    view_shape.insert(dim, 1)
    slots[dim] = np.zeros(1 if mask else 0, dtype=np.int64)  # [0] if True, [] if False
    return dim + 1, False


def _size(view_shape: list[int], dim: int) -> int:
    """The size of the view's dim ``dim``: 0 past the last dim, where several ``...`` can
    point (PyTorch reads a 0 there)."""
    return view_shape[dim] if dim < len(view_shape) else 0


def _is_mask(array: np.ndarray) -> bool:
    """A bool or uint8 array: a mask (uint8 for PyTorch's old byte masks)."""
    return (array.dtype.kind, array.dtype.itemsize) in _MASKS


def _check_int(i: int, size: int, position: int) -> int:
    if not -size <= i < size:
        raise IndexError(f"index {i} is out of bounds for dimension {position} with size "
                         f"{size}")
    return i


def _in_range(item: slice, size: int) -> slice:
    """A slice with its bounds in range (Python's errors for a float or a zero step)."""
    start, stop, step = item.indices(size)
    if step < 0:
        raise ValueError("step must be greater than zero")
    return slice(start, stop, step)


def _keeps_all(item: slice, size: int) -> bool:
    """Whether PyTorch sees the slice as keeping the whole dim (and skips it): start 0,
    step 1, a stop of at least ``size``, no stop counting as infinite."""
    start = 0 if item.start is None else operator.index(item.start)
    stop = _WHOLE if item.stop is None else operator.index(item.stop)
    step = 1 if item.step is None else operator.index(item.step)
    return start == 0 and stop >= size and step == 1


# ---------------------------------------------------------------------------- index items
def _index_array(item: Any, tensor_type: Any) -> np.ndarray:
    """A non-basic item as an array: a tensor's array (its dtype checked in step 2); a
    numpy array or a sequence converted as PyTorch converts them (bool and uint8 stay
    masks, the rest become int64, floats truncated). The plan keeps its own copy of an
    int array: the backward that reads it runs later, after the caller may have written
    to the tensor or array it came from. (A mask becomes fresh arrays in step 2.)"""
    if isinstance(item, tensor_type):
        data = item._data
        return data if _is_mask(data) else data.copy()
    if isinstance(item, np.ndarray):
        return item if _is_mask(item) else item.astype(np.int64)
    if isinstance(item, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(item).__name__}'")
    if not isinstance(item, _SEQUENCES):
        raise IndexError(_BAD_ITEM.format(type_name_of(item)))
    array = _sequence_array(item, tensor_type)
    return array if _is_mask(array) else array.astype(np.int64, copy=False)


def _sequence_array(seq: Any, tensor_type: Any) -> np.ndarray:
    """A (nested) sequence as an array, with PyTorch's errors for odd or ragged content."""
    try:
        array = np.array(seq)
    except (ValueError, TypeError):  # ragged
        array = None
    if array is None or array.dtype.kind not in "biuf":
        leaves = [_leaf(item, tensor_type) for item in _flatten(seq)]  # dtype errors first
        sizes = _sizes(seq)
        _check_rectangle(seq, 0, sizes)
        array = np.array(leaves).reshape(sizes)
    if array.size == 0 and array.dtype in FLOATING:
        return array.astype(np.int64)  # [] is a float list to PyTorch, then made long
    return array


def _is_sequence(item: Any) -> bool:
    return isinstance(item, _SEQUENCES) and not isinstance(item, (str, bytes)) and not (
        isinstance(item, np.ndarray) and item.ndim == 0)


def _flatten(seq: Any) -> list[Any]:
    out: list[Any] = []
    for item in seq:
        out.extend(_flatten(item) if _is_sequence(item) else [item])
    return out


def _sizes(seq: Any) -> list[int]:
    """The shape a nested sequence claims: the lengths along its first elements."""
    sizes = []
    while _is_sequence(seq):
        sizes.append(len(seq))
        if not len(seq):
            break
        seq = seq[0]
    return sizes


def _check_rectangle(seq: Any, depth: int, sizes: list[int]) -> None:
    if depth == len(sizes):
        if _is_sequence(seq):
            raise TypeError(f"'{type(seq).__name__}' object cannot be interpreted as an "
                            "integer")
        return
    if not _is_sequence(seq):
        raise TypeError("not a sequence")
    if len(seq) != sizes[depth]:
        raise ValueError(f"expected sequence of length {sizes[depth]} at dim {depth} (got "
                         f"{len(seq)})")
    for item in seq:
        _check_rectangle(item, depth + 1, sizes)


def _leaf(item: Any, tensor_type: Any) -> Any:
    """One number of a sequence used as an index (a tensor inside counts as its number)."""
    if isinstance(item, tensor_type):
        if item._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return item._data.reshape(())
    if isinstance(item, (bool, int, float, np.generic, np.ndarray)):
        return item
    if isinstance(item, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(item).__name__}'")
    raise RuntimeError(f"Could not infer dtype of {type(item).__name__}")


def type_name_of(item: Any) -> str:
    """The name of ``item``'s type as PyTorch prints it: ``float``, ``numpy.bool``, ``Foo``."""
    cls = type(item)
    if cls.__flags__ & (1 << 9) or cls.__module__ == "builtins":  # (a class of Python code)
        return cls.__name__
    return f"{cls.__module__}.{cls.__name__}"


# ---------------------------------------------------------------------------- step 2
def _advanced(view: tuple[Any, ...], view_shape: tuple[int, ...], slots: dict[int, np.ndarray],
              setitem: bool) -> Plan:
    """Step 2: the plan of an index with advanced items, given the view and the arrays
    set aside (by position in the view)."""
    masks = []
    for array in slots.values():
        dtype = (array.dtype.kind, array.dtype.itemsize)
        if dtype not in _INDEX_DTYPES:
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        if dtype in _MASKS:
            masks.append(array)
    if len(slots) == 1 and not masks:
        return _one_array(view, view_shape, slots, setitem)
    arrays = _expand_masks(view_shape, slots, warn=not setitem) if masks else _in_place(slots)
    dims = [d for d, a in enumerate(arrays) if a is not None]
    indexed = [a for a in arrays if a is not None]
    if dims[-1] >= len(view_shape):
        raise _past_the_end(len(view_shape), dims[-1])
    broadcast = _broadcast(indexed)
    if 0 in view_shape and 0 not in broadcast and 0 in [view_shape[d] for d in dims]:
        raise IndexError("index is out of bounds for dimension with size 0")
    first, last = dims[0], dims[-1]
    if last - first + 1 == len(dims):  # next to each other: B's dims in their place
        shape = view_shape[:first] + broadcast + view_shape[last + 1:]
    else:  # apart: B's dims in front
        shape = broadcast + tuple([n for d, n in enumerate(view_shape) if d not in dims])
    rest = tuple([_ALL if a is None else a for a in arrays])
    mask = masks[0].dtype if masks and len(slots) == 1 else None
    uint8 = any(m.dtype.kind == "u" for m in masks) if masks else False
    result = _new_tuple(Plan, (view, rest, shape, "index", view_shape, mask, uint8))
    if 0 in shape:
        return _numpy_safe(result)
    if not setitem and not all([_in_bounds(a, view_shape[d]) for d, a in zip(dims, indexed)]):
        check_bounds(result)  # (x[index] = v checks the value first)
    return result


def _one_array(view: tuple[Any, ...], view_shape: tuple[int, ...],
               slots: dict[int, np.ndarray], setitem: bool) -> Plan:
    """``_advanced`` for its commonest case, one int index array: its dims replace dim d."""
    ((d, array),) = slots.items()
    if d >= len(view_shape):
        raise _past_the_end(len(view_shape), d)
    if view_shape[d] == 0 and 0 not in array.shape:
        raise IndexError("index is out of bounds for dimension with size 0")
    shape = view_shape[:d] + array.shape + view_shape[d + 1:]
    result = _new_tuple(Plan, (view, (_ALL,) * d + (array,), shape, "index", view_shape, None,
                               False))
    if 0 in shape:
        return _numpy_safe(result)
    if not setitem and not _in_bounds(array, view_shape[d]):
        check_bounds(result)
    return result


def _past_the_end(ndim: int, d: int) -> IndexError:
    """An index array past the view's last dim (a list or numpy mask, which PyTorch counts
    as one dim where it places an Ellipsis, can put the next item there)."""
    return IndexError(f"Dimension out of range (expected to be in range of [{-ndim}, "
                      f"{ndim - 1}], but got {d})")


def _in_place(slots: dict[int, np.ndarray]) -> list[np.ndarray | None]:
    """The index arrays (no masks among them) by their dim of the view, None elsewhere."""
    out: list[np.ndarray | None] = [None] * (max(slots) + 1)
    for d, array in slots.items():
        out[d] = array
    return out


def _expand_masks(view_shape: tuple[int, ...], slots: dict[int, np.ndarray],
                  warn: bool) -> list[np.ndarray | None]:
    """One entry per dim of the view up to the last indexed one: its int index array, or
    None. A mask of k dims at position d becomes k arrays, for dims d to d + k - 1."""
    out: list[np.ndarray | None] = []
    for d, array in sorted(slots.items()):
        out.extend([None] * (d - len(out)))
        if not _is_mask(array):
            out.append(array)
            continue
        if array.dtype == _UINT8 and warn:
            _warn(_UINT8_MASK)
        for j, n in enumerate(array.shape):
            if d + j >= len(view_shape):
                raise IndexError(f"too many indices for tensor of dimension {len(view_shape)}")
            if n != view_shape[d + j]:
                raise IndexError(
                    f"The shape of the mask {list(array.shape)} at index {j} does not match "
                    f"the shape of the indexed tensor {list(view_shape)} at index {d + j}")
        out.extend(np.nonzero(array))
    return out


def _broadcast(arrays: list[np.ndarray]) -> tuple[int, ...]:
    """The shape the index arrays broadcast to, or PyTorch's IndexError."""
    first = arrays[0].shape
    if len(arrays) == 1 or all([a.shape == first for a in arrays]):
        return first
    try:
        return np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError:
        shapes = ", ".join(str(list(a.shape)) for a in arrays)
        raise IndexError("shape mismatch: indexing tensors could not be broadcast together "
                         f"with shapes {shapes}") from None


def check_bounds(p: Plan) -> None:
    """PyTorch's IndexError for the first out-of-range element of the index arrays, in
    the order its kernel reads them (result elements in order, then arrays in order).
    An empty result reads nothing and raises nothing."""
    if p.rest is None or 0 in p.shape:
        return
    arrays = [(a, p.view_shape[d]) for d, a in enumerate(p.rest) if a is not _ALL]
    if all(_in_bounds(a, n) for a, n in arrays):
        return
    shape = np.broadcast_shapes(*(a.shape for a, _ in arrays))
    bad = np.stack([np.broadcast_to((a < -n) | (a >= n), shape).reshape(-1) for a, n in arrays])
    element = int(np.argmax(bad.any(axis=0)))
    which = int(np.argmax(bad[:, element]))
    value = np.broadcast_to(arrays[which][0], shape).reshape(-1)[element]
    raise IndexError(f"index {value} is out of bounds for dimension {which} with size "
                     f"{arrays[which][1]}")


def _in_bounds(a: np.ndarray, n: int) -> bool:
    if a.size <= 16:  # (Python's min and max are quicker than numpy's on a few numbers)
        values = a.ravel().tolist()
        return not values or (min(values) >= -n and max(values) < n)
    return bool(a.min() >= -n and a.max() < n)


def _numpy_safe(p: Plan) -> Plan:
    """An empty result reads no element, so PyTorch never checks its index values; numpy
    does: clip them into range (they select nothing anyway)."""
    if p.rest is None or 0 not in p.shape:
        return p
    rest = tuple(np.clip(a, -n, n - 1) if a is not _ALL and a.size and n else a
                 for a, n in zip(p.rest, p.view_shape))
    return p._replace(rest=rest)


# ---------------------------------------------------------------------------- applying it
def take(x: np.ndarray, index: Any) -> np.ndarray:
    """``x[index]`` for a ``Plan`` (or a plain numpy index, used as numpy reads it)."""
    if type(index) is not Plan:
        return x[index]
    view = x[index.view]
    return view if index.rest is None else view[index.rest]


def add_at(out: np.ndarray, index: Any, values: Any) -> None:
    """``out[index] += values``, in place, where repeated indices add up (the adjoint of
    ``take``: how a gradient flows back to the elements an index read)."""
    if type(index) is not Plan:
        np.add.at(out, index, values)
    elif index.rest is None:
        out[index.view] += values  # a view: each element once
    else:
        np.add.at(out[index.view], index.rest, values)


def put(x: np.ndarray, p: Plan, value: Any, accumulate: bool = False) -> None:
    """``x[index] = value``, in place, once ``check_value`` passed: the value's leading
    size-1 dims dropped, then broadcast; with repeated indices the last write wins (with
    ``accumulate``: ``x[index] += value``, where repeated indices add up)."""
    if isinstance(value, np.ndarray) and value.ndim:
        if p.mask is not None and value.size == 1:
            value = value.reshape(())
        else:
            value = value.reshape(_strip_ones(value.shape))
    if accumulate:
        add_at(x, p, value)
    elif p.rest is None:
        x[p.view] = value
    else:
        x[p.view][p.rest] = value  # (x[p.view] is a view: this writes into x)


def _strip_ones(shape: tuple[int, ...]) -> tuple[int, ...]:
    """A shape without its leading 1s (PyTorch's ``slicePrefix1sSize``)."""
    k = 0
    while k < len(shape) and shape[k] == 1:
        k += 1
    return shape[k:]


def check_value(p: Plan, dtype: np.dtype, shape: tuple[int, ...] | None,
                value_dtype: np.dtype | None) -> None:
    """PyTorch's errors for ``x[index] = value`` before anything is written: the value
    (``shape`` and ``value_dtype`` of a tensor, None for a Python number) must broadcast
    to the indexed part; with advanced items it must also have x's ``dtype``."""
    if p.rest is None:
        if shape is not None:  # (a number always fits)
            _check_copy(p.shape, shape, value_dtype)
        return
    numel = 1 if shape is None else int(np.prod(shape))
    if p.mask is not None and numel == 1:  # PyTorch writes it with masked_fill_
        if p.mask == _UINT8:
            raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with "
                               "dtype unsigned char")
        return
    if p.uint8:
        _warn(_UINT8_MASK)
    source = _strip_ones(shape or ())
    if not _broadcasts(source, p.shape):
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(source)} cannot be "
                           f"broadcast to indexing result of shape {list(p.shape)}")
    if value_dtype is not None and value_dtype != dtype:
        raise RuntimeError(
            f"Index put requires the source and destination dtypes match, got {_name(dtype)} "
            f"for the destination and {_name(value_dtype)} for the source.")
    check_bounds(p)


def _check_copy(target: tuple[int, ...], shape: tuple[int, ...] | None,
                value_dtype: np.dtype | None) -> None:
    """A value copied into a view (PyTorch's ``copy_to``): equal shapes, a 0-d value, or
    one that expands to the view after its leading 1s are dropped."""
    if shape is None or not shape or shape == target:
        return
    source = _strip_ones(shape)
    if len(source) > len(target):
        raise RuntimeError(
            f"expand({tensor_type_name(np.empty(0, value_dtype))}{{{list(source)}}}, "
            f"size={list(target)}): the number of sizes provided ({len(target)}) must be "
            f"greater or equal to the number of dimensions in the tensor ({len(source)})")
    for d in range(len(target) - 1, -1, -1):
        j = d - (len(target) - len(source))
        if j >= 0 and source[j] not in (1, target[d]):
            raise RuntimeError(
                f"The expanded size of the tensor ({target[d]}) must match the existing size "
                f"({source[j]}) at non-singleton dimension {d}.  Target sizes: "
                f"{list(target)}.  Tensor sizes: {list(source)}")


def _broadcasts(source: tuple[int, ...], target: tuple[int, ...]) -> bool:
    if len(source) > len(target):
        return False
    return all(s in (1, t) for s, t in zip(source[::-1], target[::-1]))


def _name(dtype: np.dtype) -> str:
    return scalar_type_name(dtype)
