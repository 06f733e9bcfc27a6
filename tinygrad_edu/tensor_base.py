"""``TensorBase``: a tensor's own state (its ndarray, ``requires_grad``, ``grad``,
``grad_fn``, version counter) and its autograd surface (``backward``, ``detach``, hooks),
with the machinery every in-place write goes through. ``tensor.py`` adds the op
families (``ops/``) to make ``Tensor``."""

from __future__ import annotations

import builtins
import inspect
import math
import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _device, dtypes
from .autograd.differentiate import backward as _autograd_backward
from .core import function as _function
from .core.function import _wrap
from .core.grad_mode import _state, _teaching
from .core.tensor import AutogradTensor
from .dtypes import FLOATING, DType
from .ops import views as _views
from .parity.names import scalar_type_name

if TYPE_CHECKING:
    from .tensor import Tensor


_nd = np.ndarray
# builtins under other names: the methods Tensor.int/float/bool/type hide them in the class
_int = builtins.int
_float = builtins.float
_bool = builtins.bool
_type = builtins.type


def _mark_cut(t: Tensor, source: Tensor, how: str) -> None:
    """Remember (weakly) where a detached tensor came from, so tg.viz can draw the cut."""
    node = source._grad_fn
    if source._base is not None:
        try:
            node = source.grad_fn
        except RuntimeError:  # (a view whose history may not be made anew: detach() works)
            pass
    t._cut = (how, weakref.ref(node or source))
    if _teaching.hooks is not None and node is not None:  # tg.set_teaching_mode
        _teaching.hooks.note_cut(node, how)


def _shape_arg(size: Sequence[Any], name: str = "size", create: _bool = False,
               required: _bool = False) -> tuple[_int, ...]:
    """``f(2, 3)``, ``f((2, 3))`` and ``f([2, 3])`` all mean shape (2, 3).

    Each size must be an int (a float or a bool raises PyTorch's TypeError); ``create``
    (a new tensor of that shape) also refuses negative sizes; ``required``: an empty
    argument list is a TypeError (``x.view()``), as in PyTorch.
    """
    if len(size) == 1 and isinstance(size[0], (tuple, list, Size)):
        size = size[0]
    elif required and not size:
        raise TypeError(f"{name}() missing 1 required positional arguments: \"size\"")
    for i, n in enumerate(size):
        if isinstance(n, _bool) or not isinstance(n, (_int, np.integer, TensorBase)):
            raise TypeError(f"{name}(): argument 'size' must be tuple of ints, but found "
                            f"element of type {_type(n).__name__} at pos {i}")
    shape = tuple(_int(n) for n in size)
    if create:
        for n in shape:
            if n < 0:
                raise RuntimeError(f"Trying to create tensor with negative dimension {n}: "
                                   f"{list(shape)}")
    return shape


def _norm_axis(dim: Any, ndim: _int) -> _int:
    n = max(ndim, 1)
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"dim must be an int, got {type(dim).__name__}")
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return int(dim) % n


def _norm_axes(dim: Any, ndim: _int, in_order: _bool = False) -> tuple[_int, ...] | None:
    """A reduction's ``dim`` (None, an int, a tuple or list of ints) as sorted-out axes,
    checked as PyTorch does: in range (a 0-d tensor takes 0 and -1), no dim twice."""
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)):
        # (PyTorch's sum family checks every dim's range first, var/std each in turn)
        axes = _distinct_axes(dim if in_order else [_norm_axis(d, ndim) for d in dim], ndim)
        # as torch: an empty list reduces every dim; a 0-d tensor has none to reduce
        return axes if axes and ndim else None
    axis = _norm_axis(dim, ndim)  # (checked on a 0-d tensor too: sum(1) raises)
    return (axis,) if ndim else None


def _distinct_axes(dims: Sequence[Any], ndim: _int) -> tuple[_int, ...]:
    """Each dim of ``dims`` checked and made non-negative; a repeated one raises."""
    axes: list[_int] = []
    for d in dims:  # (in order, as PyTorch: a repeat is found before a later bad dim)
        a = _norm_axis(d, ndim)
        if a in axes:
            raise RuntimeError(f"dim {a} appears multiple times in the list of dims")
        axes.append(a)
    return tuple(axes)


class Size(tuple):
    """A tensor's shape: a tuple that prints as ``tinygrad_edu.Size([2, 3])``."""

    __module__ = "tinygrad_edu"  # type(x.shape) prints as PyTorch's <class 'torch.Size'>

    def __repr__(self) -> str:
        return f"tinygrad_edu.Size({list(self)})"

    def numel(self) -> _int:
        """The number of elements of a tensor of this shape."""
        return math.prod(self)

    def __getitem__(self, key: Any) -> Any:
        item = tuple.__getitem__(self, key)
        return Size(item) if isinstance(key, slice) else item  # x.shape[1:] is a Size too


def reset_grads(params: Any, set_to_none: _bool = True) -> None:
    """``zero_grad`` of a module or an optimizer: each ``.grad`` becomes None, or (with
    ``set_to_none=False``) is detached and zeroed in place, as PyTorch does. Zeroing is a
    write: a graph that saved the old gradient raises at backward instead of reading 0."""
    for p in params:
        grad = p._grad
        if grad is None:
            continue
        if set_to_none:
            p._grad = None
            continue
        if grad.grad_fn is not None:
            grad.detach_()
        else:
            grad._requires_grad = False
        grad._data[...] = 0
        _function.bump_version(grad)


def _check_no_partial_overlap(out: np.ndarray, source: np.ndarray) -> None:
    """PyTorch's error for an in-place op whose operand shares some (not all) of the
    memory it writes: ``x[1:] += x[:-1]`` would read elements it has already changed.
    (Elementwise ops and ``copy_``: an operand that is the very tensor written is fine.)"""
    if out is not source and np.may_share_memory(out, source) and \
            _overlap(out, source) == "partial":
        raise RuntimeError(_OVERLAP)


def _check_no_overlap(out: np.ndarray, source: np.ndarray) -> None:
    """PyTorch's error for an operand of ``index_put_`` or ``scatter_`` that shares any
    memory with the tensor written (even all of it: ``x[i] = x``)."""
    if np.may_share_memory(out, source) and _overlap(out, source) != "none":
        raise RuntimeError(_OVERLAP)


_OVERLAP = ("unsupported operation: some elements of the input tensor and the written-to "
            "tensor refer to a single memory location. Please clone() the tensor before "
            "performing the operation.")


def _overlap(a: np.ndarray, b: np.ndarray) -> str:
    """How two arrays overlap in memory, as PyTorch judges it: "full" (the same elements
    in the same layout), "partial" or "none". PyTorch compares only the spans of tensors
    whose elements fill them without gaps ("dense"); any other pair is too hard to judge,
    and passes as "none" (``x[:, :2].copy_(x[:, 1:])`` is allowed)."""
    if a is b:
        return "full"
    if not a.size or not b.size or not (_dense(a) and _dense(b)):
        return "none"
    start_a, start_b = a.__array_interface__["data"][0], b.__array_interface__["data"][0]
    end_a, end_b = start_a + a.nbytes, start_b + b.nbytes
    if start_a == start_b and end_a == end_b:
        same = a.ndim == b.ndim and all(
            x == y for x, y, n in zip(a.strides, b.strides, a.shape) if n != 1)
        return "full" if same else "partial"
    return "partial" if start_a < end_b and start_b < end_a else "none"


def _dense(a: np.ndarray) -> _bool:
    """Whether ``a``'s elements fill a block of memory without gaps or repeats, in some
    order of its dims (PyTorch's ``is_non_overlapping_and_dense``)."""
    expected = a.itemsize
    for stride, n in sorted((st, n) for st, n in zip(a.strides, a.shape) if n != 1):
        if stride != expected:
            return False
        expected *= n
    return True


def _check_result_cast(result: np.dtype, out: np.dtype) -> None:
    """An in-place op's result must cast to the tensor's own dtype under PyTorch's rule:
    never a float into an int or bool tensor, nor a number into a bool tensor."""
    if (result in FLOATING and out not in FLOATING) or (
            out == np.bool_ and result != np.bool_):
        names = (scalar_type_name(d) for d in (result, out))
        raise RuntimeError("result type {} can't be cast to the desired output type {}".format(
            *names))


def _inplace_form(method: Any) -> Any:
    """``x.<name>_(...)``: ``x.<name>(...)`` written into ``x``'s storage (recorded, as
    PyTorch's in-place ops, when ``x`` is in a graph)."""
    signature = inspect.signature(method)

    def inplace(self: Any, *args: Any, **kwargs: Any) -> Any:
        if kwargs:  # a misspelt keyword raises TypeError before anything else is checked
            signature.bind(self, *args, **kwargs)
        return self._write(lambda t: method(t, *args, **kwargs), *args, *kwargs.values())

    inplace.__name__ = inplace.__qualname__ = method.__name__ + "_"
    inplace.__doc__ = f"In place: ``self = self.{method.__name__}(...)``."
    inplace.__signature__ = signature  # type: ignore[attr-defined]
    return inplace


class TensorBase(AutogradTensor):
    """A tensor's shape, dtype and in-place machinery (its autograd state and surface:
    core/tensor.py); ``tensor.Tensor`` adds the op families."""

    if TYPE_CHECKING:  # (a family's methods call other families' methods: only Tensor has all)
        def __getattr__(self, name: str) -> Any: ...

    __slots__ = ("_cut", "_view_version", "_view_kind", "_stands_for")
    __array_priority__ = 1000  # numpy defers to our reflected operators

    _cut: Any
    _view_version: _int  # the version at which a view's history was last made
    _view_kind: Any  # None, or why the view may not be written in place (views.py)
    _stands_for: Tensor  # set on a promoted operand only: the tensor it is (_operand_as)

    def __init__(self, *data: Any, requires_grad: _bool = False) -> None:
        if not data:  # Tensor(): an empty 1-D tensor, as torch.Tensor()
            array = np.empty((0,), dtype=np.float32)
        elif all(isinstance(d, (int, np.integer)) and not isinstance(d, bool) for d in data):
            array = np.empty(data, dtype=np.float32)  # Tensor(2, 3): an uninitialised 2x3
        elif len(data) == 1:
            src = data[0]
            array = np.array(src._data if isinstance(src, TensorBase) else src, dtype=np.float32)
        else:
            raise TypeError(f"Tensor() takes sizes or one data argument, got {data!r}")
        self._data = array
        self._requires_grad = False
        self._grad_fn = None
        self._grad = None
        self._vc = _function.UNWRITTEN
        self._base = None
        if requires_grad:
            self.requires_grad_(True)

    # ------------------------------------------------------------------ attributes
    @property
    def shape(self) -> Size:
        """The size of each dimension, as a ``Size`` (a tuple)."""
        return Size(self._data.shape)

    def size(self, dim: _int | None = None) -> Any:
        """The shape, or the size of dimension ``dim``."""
        if dim is None:
            return Size(self._data.shape)
        if not self._data.ndim and isinstance(dim, (_int, np.integer)) and not isinstance(
                dim, _bool):
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        return self._data.shape[_norm_axis(dim, self._data.ndim)]

    @property
    def ndim(self) -> _int:
        """The number of dimensions."""
        return self._data.ndim

    def dim(self) -> _int:
        """The number of dimensions."""
        return self._data.ndim

    def numel(self) -> _int:
        """The number of elements."""
        return self._data.size

    nelement = numel

    @property
    def dtype(self) -> DType:
        """The element type, e.g. ``tg.float32``."""
        return dtypes._FROM_NUMPY[self._data.dtype]

    @property
    def device(self) -> _device.device:
        """Always ``device(type='cpu')``: tinygrad_edu computes with numpy."""
        return _device.CPU

    @property
    def is_cuda(self) -> _bool:
        """Always False."""
        return False

    def element_size(self) -> _int:
        """Bytes per element."""
        return self._data.itemsize

    @property
    def itemsize(self) -> _int:
        """Bytes per element."""
        return self._data.itemsize

    @property
    def nbytes(self) -> _int:
        """Bytes of all elements."""
        return self._data.nbytes

    def is_floating_point(self) -> _bool:
        """True for float16/32/64 tensors."""
        return self._data.dtype in FLOATING

    def is_contiguous(self) -> _bool:
        """True when the elements are laid out in row-major order."""
        return bool(self._data.flags.c_contiguous)

    def contiguous(self) -> Tensor:
        """This tensor if contiguous, else a contiguous copy (differentiable)."""
        return self if self._data.flags.c_contiguous else self.clone()

    # ------------------------------------------------------------------ seams of the core
    def _refresh_view(self) -> None:
        """A view's history, made anew if its base was written since (ops/views.py)."""
        _views.refresh(self)

    def _track_view(self, source: Tensor, out: np.ndarray) -> None:
        """This tensor, the output ``out`` of a view op on ``source``: a view of it when
        numpy gave one (ops/views.py)."""
        _views.track_view(self, source, out)  # type: ignore[arg-type]

    def _note_cut(self, t: Tensor, how: str) -> None:
        """``t`` is this tensor cut from the graph (``detach()``, ``.data``): for tg.viz."""
        _mark_cut(t, self, how)  # type: ignore[arg-type]

    def _autograd_backward(self, gradient: Any, retain_graph: _bool | None,
                           create_graph: _bool, inputs: Any) -> None:
        """``backward()`` with arguments: torch.autograd.backward's checks."""
        _autograd_backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def _is_view(self) -> _bool:
        """True for a view of another tensor's storage (its ``_base``), as PyTorch's."""
        return self._base is not None

    # ------------------------------------------------------------------ in place
    def _write(self, compute: Any, *others: Any, overlap: str = "partial") -> Tensor:
        """Every in-place op: ``compute(t)`` is the op out of place, applied to this tensor
        ``t``; its result is written into this tensor's storage.

        When the write is recorded (grad mode on, and this tensor or one of ``others``
        requires grad), ``compute`` gets a stand-in with this tensor's history and a copy
        of its values (the op may save them for backward: they are about to be
        overwritten), and this tensor takes the result's history. A view hands the write
        on to its base (ops/views.py). ``overlap``: what sharing of memory between
        ``others`` and this tensor PyTorch's op refuses (see ``_check_inplace``).
        """
        if not self._check_inplace(others, overlap):
            return self._become(compute(self))
        if self._base is not None:
            _views.write(self, compute)
            return self
        return self._become(compute(self._before_inplace()))

    def _check_inplace(self, others: tuple[Any, ...] = (), overlap: str = "partial") -> _bool:
        """PyTorch's errors for an in-place write into this tensor; True when the write is
        recorded (grad mode on, and this tensor or one of ``others`` requires grad).

        ``overlap`` says which operands may share memory with this tensor: "partial" (an
        elementwise op or ``copy_``: only all of it, in the same layout), "any" (none may:
        ``index_put_``, ``scatter_``) or "none" (no check: ``fill_`` and ``masked_fill_``
        read a 0-d tensor as a number).
        """
        recorded = self._check_inplace_autograd(others)
        if overlap != "none":
            check = _check_no_partial_overlap if overlap == "partial" else _check_no_overlap
            for o in others:
                if isinstance(o, TensorBase):
                    check(self._data, o._data)
        if not self._data.flags.writeable:
            data = self._data
            if any(st == 0 and n > 1 for st, n in zip(data.strides, data.shape)):
                raise RuntimeError(
                    "unsupported operation: more than one element of the written-to tensor "
                    "refers to a single memory location. Please clone() the tensor before "
                    "performing the operation. Hint: it is an expanded view (expand, "
                    "broadcast_to).")
            raise RuntimeError("unsupported operation: the written-to tensor's memory is "
                               "read-only (a view of an expanded tensor, or of a read-only "
                               "numpy array). Please clone() the tensor before performing "
                               "the operation.")
        return recorded

    def _check_inplace_autograd(self, others: tuple[Any, ...] = ()) -> _bool:
        """Autograd's errors for an in-place write into this tensor (a leaf that requires
        grad, a view of one, a view made under no_grad, an output of split...), which
        PyTorch raises before the op checks its arguments; True when the write is
        recorded."""
        base = self._base  # (a view requires grad when its base does)
        mine = self._requires_grad or (base is not None and base._requires_grad)
        recorded = _state.enabled and (mine or any(
            isinstance(o, TensorBase) and o.requires_grad for o in others))
        if recorded:
            if base is not None:
                error = _views.forbidden(self, direct=True)
                if error is not None:
                    raise error
                if mine and base._grad_fn is None:
                    raise RuntimeError(
                        "a view of a leaf Variable that requires grad is being used in an "
                        "in-place operation. Hint: change parameters under "
                        "`with tg.no_grad():`, or compute a new tensor instead.")
                # (as PyTorch, the view's history as it stands: a view of a buffer that
                # began to require grad, not used since, still counts as a leaf)
                leaf = mine and self._grad_fn is None
                self._refresh_view()
            else:
                leaf = mine and self._grad_fn is None
            if leaf:
                raise RuntimeError(
                    "a leaf Variable that requires grad is being used in an in-place "
                    "operation. Hint: update parameters under `with tg.no_grad():`, or "
                    "through `.data`.")
        return recorded

    def _before_inplace(self) -> Tensor:
        """This tensor's value and history, apart from the storage an in-place op overwrites.

        A recorded in-place op computes its result from this stand-in, then ``_become``s it:
        the op saves the old values (as PyTorch does: ``y.mul_(x)`` still has d/dx = old y),
        and its node refers to the stand-in, not back to ``self`` (no reference cycle).
        """
        old = _wrap(self._data.copy(), self._requires_grad)
        old._grad_fn = self._grad_fn
        return old

    def _become(self, result: Tensor) -> Tensor:
        """Write ``result``'s values into this tensor's storage and take its history."""
        out = result._data
        if out.shape != self._data.shape:
            raise RuntimeError(
                f"output with shape {list(self._data.shape)} doesn't match the broadcast shape "
                f"{list(out.shape)}"
            )
        _check_result_cast(out.dtype, self._data.dtype)
        np.copyto(self._data, out, casting="unsafe")
        _function.bump_version(self)
        node = result._grad_fn
        if node is not None:
            _views.move_history(self, node)
            self._requires_grad = True
            _views.watch_output(node, result, self)
        return self
