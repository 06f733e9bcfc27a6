"""``Tensor``: a numpy ndarray plus what autograd needs to differentiate through it.

Every differentiable method is one call of a ``Function`` in ``ops/``; this file only
checks arguments, applies PyTorch's dtype rules and turns Python values into tensors.
"""

from __future__ import annotations

import builtins
import inspect
import math
import warnings
import weakref
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from . import _device, dtypes
from . import teaching as _teaching
from .core import engine
from .core import function as _function
from .core import views as _views
from .core.grad_mode import _state
from .dtypes import DType
from .ops import dual as _dual
from .ops import elementwise as E
from .ops import indexing as IX
from .ops import inplace as INPLACE
from .ops import matmul as M
from .ops import movement as V
from .ops import reduce as R
from .ops import sorting as SORT

_nd = np.ndarray
# builtins under other names: the methods Tensor.int/float/bool/type hide them in the class
_int = builtins.int
_float = builtins.float
_bool = builtins.bool
_type = builtins.type
_FLOAT_KIND = "f"
_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)
_T_AXES = ((), (0,), (1, 0))  # t()'s permutation, by the number of dims
_scalar_types = (int, float, bool)
_ALL_SLICE = slice(None)  # ``:``
_ALL_DIMS: Any = object()  # squeeze() without a dim (an explicit None is an error, as torch)


def _wrap(data: np.ndarray, requires_grad: _bool = False) -> Tensor:
    """A Tensor around ``data`` (an ndarray), with no copy and no checks (internal)."""
    t = object.__new__(Tensor)
    t._data = data
    t._requires_grad = requires_grad
    t._grad_fn = None
    t._grad = None
    t._vc = _function.UNWRITTEN
    t._base = None
    return t


def _mark_cut(t: Tensor, source: Tensor, how: str) -> None:
    """Remember (weakly) where a detached tensor came from, so tg.viz can draw the cut."""
    node = source._grad_fn
    if source._base is not None:
        try:
            node = source.grad_fn
        except RuntimeError:  # (a view whose history may not be made anew: detach() works)
            pass
    t._cut = (how, weakref.ref(node or source))
    if _teaching.enabled and node is not None:  # see teaching.py
        _teaching.note_cut(node, how)


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
        if isinstance(n, _bool) or not isinstance(n, (_int, np.integer, Tensor)):
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


class Tensor:
    """A multi-dimensional array that can record the operations applied to it.

    >>> x = tg.tensor([1.0, 2.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    tensor([2., 4.])

    ``tg.Tensor(data)`` is PyTorch's legacy constructor: it always makes float32.
    Prefer ``tg.tensor(data)``, which infers the dtype.
    """

    __module__ = "tinygrad_edu"  # type(x) prints as PyTorch's <class 'torch.Tensor'>
    __slots__ = ("_data", "_requires_grad", "_grad_fn", "_grad", "_vc", "_cut", "_base",
                 "_view_version", "_view_kind", "_stands_for", "__weakref__")
    __array_priority__ = 1000  # numpy defers to our reflected operators

    _data: np.ndarray
    _requires_grad: _bool
    _grad_fn: Any  # the node that made it (None for a leaf); see the grad_fn property
    _grad: Tensor | None
    _vc: list[_int]  # the version counter: writes so far, shared with the views of the storage
    _cut: Any
    _base: Tensor | None  # for a view: the tensor whose storage it views (core/views.py)
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
            array = np.array(src._data if isinstance(src, Tensor) else src, dtype=np.float32)
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
        return self._data.dtype.kind == _FLOAT_KIND

    def is_contiguous(self) -> _bool:
        """True when the elements are laid out in row-major order."""
        return bool(self._data.flags.c_contiguous)

    def contiguous(self) -> Tensor:
        """This tensor if contiguous, else a contiguous copy (differentiable)."""
        return self if self._data.flags.c_contiguous else self.clone()

    # ------------------------------------------------------------------ autograd
    @property
    def requires_grad(self) -> _bool:
        """Whether operations on this tensor are recorded for backward (for a view: its
        base's, as in PyTorch)."""
        base = self._base
        return self._requires_grad or (base is not None and base._requires_grad)

    @requires_grad.setter
    def requires_grad(self, value: _bool) -> None:
        self.requires_grad_(value)

    @property
    def grad_fn(self) -> Any:
        """The node of the op that made this tensor (``MulBackward0``): its backward is
        what ``backward()`` runs. None for a leaf (made by the user)."""
        if self._base is not None:
            self._refresh_view()
        edge = self._grad_fn  # (output k of a Function with several outputs: its node)
        return edge.node if _type(edge) is _function.Output else edge

    def _refresh_view(self) -> None:
        """A view's history, made anew if its base was written since (core/views.py)."""
        _views.refresh(self)

    @property
    def _version(self) -> _int:
        """How many times this tensor's storage was written in place (PyTorch's
        ``_version``): backward compares it with what each op saw."""
        return self._vc[0]

    def _is_view(self) -> _bool:
        """True for a view of another tensor's storage (its ``_base``), as PyTorch's."""
        return self._base is not None

    def requires_grad_(self, requires_grad: _bool = True) -> Tensor:
        """Set ``requires_grad`` in place (leaves only) and return self."""
        if not requires_grad and self._grad_fn is not None:  # (as it stands: not made anew)
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to "
                "use a computed variable in a subgraph that doesn't require differentiation "
                "use var_no_grad = var.detach()."
            )
        if requires_grad and self._data.dtype.kind != _FLOAT_KIND:
            raise RuntimeError(
                "only Tensors of floating point and complex dtype can require gradients "
                f"(got dtype {self.dtype})"
            )
        if self._grad_fn is None:
            self._requires_grad = bool(requires_grad)
            if requires_grad and self._base is not None and _function.no_history(self):
                self._view_kind = _function.NO_GRAD_LEAF  # a leaf of its own now (.grad)
        return self

    @property
    def is_leaf(self) -> _bool:
        """True for tensors not produced by a recorded op (their ``.grad`` is kept)."""
        return self.grad_fn is None

    @property
    def grad(self) -> Tensor | None:
        """The accumulated gradient (leaves and ``retain_grad()`` tensors), else None."""
        if self._grad_fn is not None and self._grad is None and not self.retains_grad:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. "
                "Its .grad attribute won't be populated during autograd.backward(). If you "
                "indeed want the .grad field to be populated for a non-leaf Tensor, use "
                ".retain_grad() on the non-leaf Tensor.",
                UserWarning,
                stacklevel=2,
            )
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad "
                                f"of type {type(value).__name__}")
            if value.shape != self.shape:
                raise RuntimeError("assigned grad has data of a different size")
            if value.dtype is not self.dtype:
                raise RuntimeError("assigned grad has data of a different type")
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def retains_grad(self) -> _bool:
        """True for a non-leaf tensor that called ``retain_grad()``."""
        edge = self._grad_fn  # (a retain_grad moves with a view's history made anew)
        return edge is not None and edge._retained is not None and edge._retained() is self

    def retain_grad(self) -> None:
        """Keep this non-leaf tensor's gradient in ``.grad`` after backward."""
        if self.grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        _function.retain(self._grad_fn, self)

    def backward(self, gradient: Any = None, retain_graph: _bool | None = None,
                 create_graph: _bool = False, inputs: Any = None) -> None:
        """Accumulate d(self)/d(leaf) into ``.grad`` of every leaf that requires grad.

        A non-scalar tensor needs ``gradient``: the vector in the vector-Jacobian product.
        The graph's saved values are freed unless ``retain_graph=True``.
        """
        if gradient is None and inputs is None and not create_graph and self._data.ndim == 0 \
                and (self._grad_fn is not None or self._base is not None) \
                and not _teaching.enabled:  # loss.backward()
            root_grad = np.array(1, self._data.dtype)
            engine.run_backward((self,), (root_grad,), _bool(retain_graph), False)
            return
        _autograd_backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self) -> Tensor:
        """A tensor sharing this one's data (and version counter), outside the graph."""
        # (its own ndarray object on the same memory: an op given both x and x.detach()
        # tells them apart when it saves them, Node._source)
        t = _wrap(self._data.view())
        t._vc = _function.shared_version(self)
        if self._requires_grad:
            _mark_cut(t, self, "detach()")
        return t

    def detach_(self) -> Tensor:
        """Detach in place: this tensor becomes a leaf that does not require grad."""
        if self._base is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead. Hint: "
                               "this tensor shares its base's storage (it is a view).")
        self._grad_fn = None
        self._requires_grad = False
        return self

    @property
    def data(self) -> Tensor:
        """A tensor sharing this one's storage, outside the graph: changes to it are not
        recorded, nor seen by the version checks (``p.data -= lr * p.grad`` works)."""
        t = _wrap(self._data.view())  # (its own ndarray object: see detach)
        if self._requires_grad:
            _mark_cut(t, self, ".data")
        return t

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, got {type(value).__name__}")
        self._data = value._data

    def register_hook(self, hook: Any) -> Any:
        """Call ``hook(grad)`` with this tensor's gradient each time backward computes it.

        The hook may return a Tensor to use instead (same shape and dtype), or None. On a
        leaf it sees the total gradient before it is added into ``.grad``. Returns a
        handle: ``handle.remove()`` unregisters the hook.

        >>> h = x * 2
        >>> handle = h.register_hook(lambda g: print("dL/dh =", g))
        """
        from .utils.hooks import RemovableHandle

        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        owner = self._grad_fn if self.grad_fn is not None else self
        hooks = _function.hooks_of(owner).hooks
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        return handle

    # ------------------------------------------------------------------ conversion
    def item(self) -> Any:
        """The single value of a one-element tensor, as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return self._data.item() if self._data.ndim == 0 else self._data.reshape(()).item()

    def tolist(self) -> Any:
        """The values as (nested) Python lists of numbers."""
        return self._data.tolist()

    def numpy(self, force: _bool = False) -> np.ndarray:
        """The ndarray behind this tensor (shared memory, not a copy)."""
        if self._requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead. Hint: numpy cannot carry gradients; for a single number (a loss to "
                "print) use .item()."
            )
        return self._data

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        array = self.numpy()
        if dtype is not None and array.dtype != dtype:
            return array.astype(dtype)
        return array.copy() if copy else array

    def __array_wrap__(self, array: np.ndarray, context: Any = None,
                       return_scalar: _bool = False) -> Tensor:
        """numpy's ufuncs applied to tensors give tensors, as with PyTorch (``np.exp(x)``,
        and ``x + ndarray``, which numpy computes with its own promotion); a bool result
        becomes uint8, as PyTorch's ``__array_wrap__`` makes it."""
        if array.dtype == np.bool_:
            array = array.astype(np.uint8)
        dtypes.from_numpy(array.dtype)  # a TypeError for dtypes a tensor cannot hold
        return _wrap(np.asarray(array))

    def __len__(self) -> _int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        n = self._data.shape[0]  # (unbind(0), without its checks: a loop may run it a lot)
        out = [_pair(V.Unbind, self, i) for i in range(n)]
        _several_views(out, "Unbind")
        return iter(out)

    def __bool__(self) -> _bool:
        if self._data.size != 1:
            amount = "no values" if self._data.size == 0 else "more than one value"
            raise RuntimeError(f"Boolean value of Tensor with {amount} is ambiguous")
        return bool(self._data)

    def __float__(self) -> _float:
        self._check_one_element()
        return float(self.item())

    def __int__(self) -> _int:
        self._check_one_element()
        return int(self.item())

    def _check_one_element(self) -> None:
        if self._data.size != 1:  # a ValueError here, as in PyTorch (item() raises RuntimeError)
            raise ValueError("only one element tensors can be converted to Python scalars "
                             f"(this one has shape {list(self._data.shape)})")

    def __index__(self) -> _int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return int(self.item())

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return format(self.item(), spec)
        if spec:  # as in PyTorch: only 0-d tensors take a format spec
            raise TypeError("unsupported format string passed to Tensor.__format__ (only 0-d "
                            "tensors can be formatted; use t.item() or t.tolist())")
        return repr(self)

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        from .parity.repr import tensor_repr

        return tensor_repr(self)

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (_rebuild, (self._data, self._requires_grad))

    def __deepcopy__(self, memo: dict[_int, Any]) -> Tensor:
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment.")
        t = object.__new__(type(self))
        t._data = self._data.copy()
        t._requires_grad = self._requires_grad
        t._grad_fn = None
        t._grad = None if self._grad is None else self._grad.clone()
        t._vc = _function.UNWRITTEN
        t._base = None
        if hasattr(self, "__dict__"):
            import copy

            t.__dict__.update(copy.deepcopy(self.__dict__, memo))
        memo[id(self)] = t
        return t

    # ------------------------------------------------------------------ dtype
    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """Convert dtype: ``to(tg.float64)``, ``to(other)``, ``to(device, dtype)``; with
        ``copy=True`` always a new tensor. PyTorch's overloads, read by ``_device.parse_to``.

        The device must be the CPU (``"cpu"``, ``tg.device("cpu")``); others raise.
        """
        if len(args) == 1 and not kwargs and isinstance(args[0], DType):  # .float(), ...
            dtype, copy = args[0], False
        else:
            dtype, other, copy = _device.parse_to(args, kwargs)
            dtype = other.dtype if other is not None else dtype
        target = self._data.dtype if dtype is None else dtypes.to_dtype(dtype).np
        if target == self._data.dtype and not copy:
            return self
        return E.Cast.apply(self, target)

    def type(self, dtype: Any = None) -> Any:
        """Without an argument, the type name (``torch.FloatTensor``); else ``to(dtype)``."""
        if dtype is None:
            return _function._type_name(self._data)
        if isinstance(dtype, str):
            names = {"Float": dtypes.float32, "Double": dtypes.float64, "Long": dtypes.int64,
                     "Int": dtypes.int32, "Bool": dtypes.bool}
            key = dtype.rsplit(".", 1)[-1].replace("Tensor", "")
            return self.to(names[key])
        return self.to(dtype)

    def float(self) -> Tensor:
        """As float32."""
        return self.to(dtypes.float32)

    def double(self) -> Tensor:
        """As float64."""
        return self.to(dtypes.float64)

    def half(self) -> Tensor:
        """As float16."""
        return self.to(dtypes.float16)

    def long(self) -> Tensor:
        """As int64."""
        return self.to(dtypes.int64)

    def int(self) -> Tensor:
        """As int32."""
        return self.to(dtypes.int32)

    def bool(self) -> Tensor:
        """As bool."""
        return self.to(dtypes.bool)

    def cpu(self) -> Tensor:
        """This tensor (everything lives on the CPU)."""
        return self

    def cuda(self, device: Any = None, non_blocking: _bool = False,
             memory_format: Any = None) -> Tensor:
        """Raises, as PyTorch without CUDA (an AssertionError): there is no GPU backend."""
        _device.check("cuda")
        return self

    # ------------------------------------------------------------------ new_* (same dtype)
    def _new(self, make: Any, shape: tuple[_int, ...], *fill: Any, dtype: Any, device: Any,
             requires_grad: _bool) -> Tensor:
        """``make(shape, *fill, dtype=...)`` (np.zeros, np.full, ...) in this tensor's dtype,
        or ``dtype``, as a new leaf."""
        _device.check(device)
        np_dtype = self._data.dtype if dtype is None else dtypes.to_dtype(dtype).np
        t = _wrap(make(shape, *fill, dtype=np_dtype))
        return t.requires_grad_(True) if requires_grad else t

    def new_zeros(self, *size: Any, dtype: Any = None, device: Any = None,
                  requires_grad: _bool = False) -> Tensor:
        """Zeros of ``size``, with this tensor's dtype (or ``dtype``)."""
        shape = _shape_arg(size, "new_zeros", create=True)
        return self._new(np.zeros, shape, dtype=dtype, device=device, requires_grad=requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, device: Any = None,
                 requires_grad: _bool = False) -> Tensor:
        """Ones of ``size``, with this tensor's dtype (or ``dtype``)."""
        shape = _shape_arg(size, "new_ones", create=True)
        return self._new(np.ones, shape, dtype=dtype, device=device, requires_grad=requires_grad)

    def new_empty(self, *size: Any, dtype: Any = None, device: Any = None,
                  requires_grad: _bool = False) -> Tensor:
        """An uninitialised tensor of ``size`` (here: zeros), with this tensor's dtype."""
        return self.new_zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)

    def new_full(self, size: Any, fill_value: Any, dtype: Any = None, device: Any = None,
                 requires_grad: _bool = False) -> Tensor:
        """``fill_value`` everywhere in ``size``, with this tensor's dtype (or ``dtype``)."""
        shape = _shape_arg((size,), "new_full", create=True)
        return self._new(np.full, shape, fill_value, dtype=dtype, device=device,
                         requires_grad=requires_grad)

    def new_tensor(self, data: Any, dtype: Any = None, device: Any = None,
                   requires_grad: _bool = False) -> Tensor:
        """A copy of ``data`` with this tensor's dtype (or ``dtype``), outside any graph."""
        from .creation import tensor

        values = data.detach()._data if isinstance(data, Tensor) else data
        return tensor(values, dtype=self.dtype if dtype is None else dtype, device=device,
                      requires_grad=requires_grad)

    def clone(self) -> Tensor:
        """A copy with its own storage; gradients flow back to this tensor."""
        return E.Clone.apply(self)

    # ------------------------------------------------------------------ arithmetic
    def _binary(self, op: Any, other: Any, reverse: _bool = False,
                name: str | None = None) -> Any:
        """``self <op> other`` (``other <op> self`` when ``reverse``) in PyTorch's result
        dtype. ``other`` is a Tensor or a number (numpy scalars count as Python numbers);
        anything else makes an operator return NotImplemented (so that Python, or numpy
        for an ndarray, takes over, as with PyTorch) and the method ``name`` raise."""
        kind = _type(other)
        if kind is not _float and kind is not _int and not isinstance(other, Tensor):
            number = dtypes.python_scalar(other)
            if number is None:
                if name is None and not reverse and isinstance(other, _nd):
                    return self._with_array(_ARRAY_UFUNCS[op], op, other)
                if name is None:
                    return NotImplemented
                raise _operand_error(name, other)
            other = number
        elif kind is _int:
            dtypes.check_int_range(other)
        if op in _BOOL_CHECKED:
            _check_bool_kernel(op, self, other)
        a, b = _promote(self, other, op is E.Div)
        if op in _INT_DIVISIONS:
            _check_int_division(b if not reverse else a, a)
        if reverse and (op is E.Add or op is E.Mul) and not isinstance(b, Tensor):
            return op.apply(a, b)  # 2 * x is x * 2, the tensor first (as PyTorch records it)
        return op.apply(b, a) if reverse else op.apply(a, b)

    # The four most common operators check the common case inline: a float tensor with a
    # Python float or a tensor of the very same dtype needs no promotion (anything else
    # takes ``_promote``); the generic path costs a few calls per op on small models.
    def __add__(self, other: Any) -> Tensor:
        dtype = self._data.dtype
        if dtype.kind == _FLOAT_KIND and (type(other) is float or isinstance(other, Tensor)
                                          and other._data.dtype is dtype):
            return _pair(E.Add, self, other)
        return self._binary(E.Add, other)

    def __sub__(self, other: Any) -> Tensor:
        dtype = self._data.dtype
        if dtype.kind == _FLOAT_KIND and (type(other) is float or isinstance(other, Tensor)
                                          and other._data.dtype is dtype):
            return _pair(E.Sub, self, other)
        return self._binary(E.Sub, other)

    def __mul__(self, other: Any) -> Tensor:
        dtype = self._data.dtype
        if dtype.kind == _FLOAT_KIND and (type(other) is float or isinstance(other, Tensor)
                                          and other._data.dtype is dtype):
            return _pair(E.Mul, self, other)
        return self._binary(E.Mul, other)

    def __truediv__(self, other: Any) -> Tensor:
        dtype = self._data.dtype
        if dtype.kind == _FLOAT_KIND and (type(other) is float or isinstance(other, Tensor)
                                          and other._data.dtype is dtype):
            return _pair(E.Div, self, other)
        return self._binary(E.Div, other)

    def _with_array(self, ufunc: Any, op: Any, array: np.ndarray) -> Any:
        """``self <op> ndarray`` as PyTorch does it: numpy computes it, with numpy's dtype
        rules, and the result is wrapped as a tensor (a bool one as uint8). Unlike
        PyTorch (which raises), a tensor that requires grad takes the same dtypes through
        our differentiable op, so gradients flow."""
        if array.dtype not in dtypes._FROM_NUMPY:
            return NotImplemented
        if not (_state.enabled and self._requires_grad):
            return self.__array_wrap__(np.asarray(ufunc(self._data, array)))
        dtype = ufunc(np.zeros(1, self._data.dtype), np.ones(1, array.dtype)).dtype
        x = self if self._data.dtype == dtype else self.to(dtypes.from_numpy(dtype))
        y = _wrap(array.astype(dtype, copy=False))
        _check_broadcast(x, y)
        return op.apply(x, y) if op is not None else _wrap(np.asarray(ufunc(x._data, y._data)))

    def add(self, other: Any, alpha: Any = 1) -> Tensor:
        """``self + alpha * other``."""
        if _scaled_by_op(self, other, alpha):  # one node, as PyTorch's AddBackward0
            _scaled(self, other, alpha, "add")  # (its checks)
            a, b = _promote(self, other)
            return E.AddScaled.apply(a, b, alpha)
        return self._binary(E.Add, _scaled(self, other, alpha, "add"), name="add")

    def sub(self, other: Any, alpha: Any = 1) -> Tensor:
        """``self - alpha * other``."""
        _check_bool_kernel(E.Sub, self, _operand(other, "sub"))
        if _scaled_by_op(self, other, alpha):
            _scaled(self, other, alpha, "sub")
            a, b = _promote(self, other)
            return E.SubScaled.apply(a, b, alpha)
        return self._binary(E.Sub, _scaled(self, other, alpha, "sub"), name="sub")

    def mul(self, other: Any) -> Tensor:
        """Elementwise product (broadcasting)."""
        return self._binary(E.Mul, other, name="mul")

    def div(self, other: Any, rounding_mode: str | None = None) -> Tensor:
        """Elementwise true division; ``rounding_mode="floor"`` or ``"trunc"`` rounds."""
        if rounding_mode is None:
            return self._binary(E.Div, other, name="div")
        if rounding_mode not in ("floor", "trunc"):
            raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or "
                             f"'floor' but found '{rounding_mode}'")
        other = _operand(other, "div")
        _check_bool_kernel(E.FloorDivide if rounding_mode == "floor" else E.DivRounding,
                           self, other)
        a, b = _promote(self, other)
        _check_int_division(b, a)
        return E.DivRounding.apply(a, b, rounding_mode)

    multiply = mul
    subtract = sub
    divide = div
    true_divide = div

    def __radd__(self, other: Any) -> Tensor:
        if type(other) is float and self._data.dtype.kind == _FLOAT_KIND:
            return _pair(E.Add, self, other)  # (x + c is c + x, to the last bit)
        return self._binary(E.Add, other, reverse=True)

    def __rsub__(self, other: Any) -> Tensor:
        if type(other) is float and self._data.dtype.kind == _FLOAT_KIND:
            return _pair(E.RSub, self, other)
        if isinstance(other, Tensor):
            return self._binary(E.Sub, other, reverse=True)
        number = dtypes.python_scalar(other)
        if number is None:
            return NotImplemented
        _check_bool_kernel(E.Sub, self, number)
        a, c = _promote(self, number)
        return E.RSub.apply(a, c)

    def __rmul__(self, other: Any) -> Tensor:
        if type(other) is float and self._data.dtype.kind == _FLOAT_KIND:
            return _pair(E.Mul, self, other)  # (x * c is c * x, to the last bit)
        return self._binary(E.Mul, other, reverse=True)

    def __rtruediv__(self, other: Any) -> Tensor:
        if isinstance(other, Tensor):
            return self._binary(E.Div, other, reverse=True)
        if isinstance(other, _nd) or dtypes.python_scalar(other) is not None:
            return self.reciprocal() * other  # PyTorch's __rdiv__: the same nodes and bits
        return NotImplemented

    def __floordiv__(self, other: Any) -> Tensor:
        return self._binary(E.FloorDivide, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        return self._binary(E.FloorDivide, other, reverse=True)

    def floor_divide(self, other: Any) -> Tensor:
        """``self // other``: the quotient rounded down (as Python's ``//``)."""
        return self._binary(E.FloorDivide, other, name="floor_divide")

    def __mod__(self, other: Any) -> Tensor:
        return self._binary(E.RemainderTensor if isinstance(other, Tensor) else E.Remainder,
                            other)

    def __rmod__(self, other: Any) -> Tensor:
        return self._binary(E.RemainderOfNumber, other, reverse=True)

    def remainder(self, other: Any) -> Tensor:
        """``self % other`` with the sign of ``other`` (as Python's ``%``)."""
        return self._binary(E.RemainderTensor if isinstance(other, Tensor) else E.Remainder,
                            other, name="remainder")

    def __neg__(self) -> Tensor:
        return E.Neg.apply(self)

    neg = negative = __neg__

    def __pos__(self) -> Tensor:
        return self

    def pow(self, exponent: Any) -> Tensor:
        """``self ** exponent`` (a number or a tensor)."""
        if not isinstance(exponent, Tensor):
            return self._pow_number(_operand(exponent, "pow"))
        if self._data.dtype == np.bool_ and exponent._data.dtype == np.bool_:
            raise NotImplementedError("\"pow\" not implemented for 'Bool'")
        a, b = _promote(self, exponent)
        return E.PowTensor.apply(a, b)

    def __pow__(self, exponent: Any) -> Tensor:
        dtype = self._data.dtype
        if (dtype is _F32 or dtype is _F64) and (_type(exponent) is _float or (
                _type(exponent) is _int and -2**31 < exponent < 2**31)):
            return _pair(E.Pow, self, exponent)  # (the usual x ** 2: nothing to check)
        if not isinstance(exponent, Tensor) and dtypes.python_scalar(exponent) is None:
            if isinstance(exponent, _nd):
                return self._with_array(np.power, E.PowTensor, exponent)
            return NotImplemented
        return self.pow(exponent)

    def _pow_number(self, exponent: _bool | _int | _float) -> Tensor:
        """``self ** exponent`` for a number, computed in PyTorch's result dtype (an int
        tensor with a float exponent is float); the exponent must fit that dtype."""
        if isinstance(exponent, _int) and exponent >= 2**63 and (
                self._data.dtype.kind != _FLOAT_KIND or self._data.dtype == np.float16):
            name = "c10::Half" if self._data.dtype == np.float16 else "int64_t"
            raise RuntimeError(f"value cannot be converted to type {name} without overflow")
        dtype = dtypes.result_type(self, exponent)
        if dtype.category == dtypes._INT and isinstance(exponent, _int) and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        exponent = dtypes.checked_scalar(exponent, dtype)
        if dtype is dtypes.bool:  # x ** True is x, x ** False is all True
            return _wrap(self._data.copy() if exponent else np.ones_like(self._data))
        base = self if self._data.dtype == dtype.np else self.to(dtype)
        return _pair(E.Pow, base, exponent)

    def __rpow__(self, other: Any) -> Tensor:
        number = dtypes.python_scalar(other)
        if number is None:
            return NotImplemented
        if self._data.dtype == np.bool_ and isinstance(number, _bool):
            raise NotImplementedError("\"pow\" not implemented for 'Bool'")
        # PyTorch's promotion: 2 ** int_tensor stays int64, 2.0 ** int_tensor is float
        dtype = dtypes.result_type(self, number)
        if dtype.category == dtypes._INT:
            number = dtypes.wrap_int(_int(number), dtype.np)
        return E.RPow.apply(self.to(dtype), number)

    def __matmul__(self, other: Any) -> Tensor:
        if isinstance(other, _nd):  # numpy's dtype rules, as with PyTorch
            return self._with_array(np.matmul, None, other) if not self._requires_grad \
                else self.matmul(_wrap(other))
        return self.matmul(other) if isinstance(other, Tensor) else NotImplemented

    def __rmatmul__(self, other: Any) -> Tensor:
        return NotImplemented if not isinstance(other, Tensor) else other.matmul(self)

    def matmul(self, other: Tensor) -> Tensor:
        """Matrix product with numpy's ``@`` rules (vectors, matrices, batches)."""
        if not isinstance(other, Tensor):
            other = _as_tensor_like(other, self)
        _check_matmul(self, other)
        return _pair(M.matmul_op(self._data.ndim, other._data.ndim), self, other)

    def mm(self, other: Tensor) -> Tensor:
        """Product of two matrices."""
        if self._data.ndim != 2 or other._data.ndim != 2:
            raise RuntimeError("self must be a matrix" if self._data.ndim != 2 else
                               "mat2 must be a matrix")
        return self.matmul(other)

    def dot(self, other: Tensor) -> Tensor:
        """Inner product of two 1-D tensors."""
        if self._data.ndim != 1 or other._data.ndim != 1:
            raise RuntimeError(f"1D tensors expected, but got {self._data.ndim}D and "
                               f"{other._data.ndim}D tensors")
        return self.matmul(other)

    # ------------------------------------------------------------------ comparisons
    def _compare(self, ufunc: Any, other: Any, name: str | None = None) -> Any:
        """``ufunc(self, other)`` (a bool tensor) after PyTorch's promotion of both sides:
        ``uint8_tensor < 300`` compares with 300 wrapped into uint8, as PyTorch does."""
        if _type(other) is _float and self._data.dtype.kind == _FLOAT_KIND:
            return _wrap(ufunc(self._data, other))  # (the common x < 0.5: no promotion)
        if name is None and ufunc in (np.equal, np.not_equal) and isinstance(other, _nd):
            if other.dtype not in dtypes._FROM_NUMPY:  # (== with an ndarray: as a tensor)
                return NotImplemented
            other = _wrap(other)
        other = _logic_operand(other, name)
        if other is NotImplemented:
            return NotImplemented
        a, b = _promote(_wrap(self._data), other)
        try:
            return _wrap(np.asarray(ufunc(a._data, _data_of(b))))
        except ValueError:  # numpy's broadcasting error -> PyTorch's
            _check_broadcast(self, other)
            raise

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(np.equal, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(np.not_equal, other)

    def __lt__(self, other: Any) -> Tensor:
        return self._compare(np.less, other)

    def __le__(self, other: Any) -> Tensor:
        return self._compare(np.less_equal, other)

    def __gt__(self, other: Any) -> Tensor:
        return self._compare(np.greater, other)

    def __ge__(self, other: Any) -> Tensor:
        return self._compare(np.greater_equal, other)

    def eq(self, other: Any) -> Tensor:
        """Elementwise ``self == other`` (a bool tensor)."""
        return self._compare(np.equal, other, "eq")

    def ne(self, other: Any) -> Tensor:
        """Elementwise ``self != other`` (a bool tensor)."""
        return self._compare(np.not_equal, other, "ne")

    def lt(self, other: Any) -> Tensor:
        """Elementwise ``self < other`` (a bool tensor)."""
        return self._compare(np.less, other, "lt")

    def le(self, other: Any) -> Tensor:
        """Elementwise ``self <= other`` (a bool tensor)."""
        return self._compare(np.less_equal, other, "le")

    def gt(self, other: Any) -> Tensor:
        """Elementwise ``self > other`` (a bool tensor)."""
        return self._compare(np.greater, other, "gt")

    def ge(self, other: Any) -> Tensor:
        """Elementwise ``self >= other`` (a bool tensor)."""
        return self._compare(np.greater_equal, other, "ge")

    greater, less, greater_equal, less_equal, not_equal = gt, lt, ge, le, ne

    # ------------------------------------------------------------------ bitwise, logical
    def _bitwise(self, ufunc: Any, other: Any, name: str, method: _bool = False) -> Any:
        """``self & other`` (``|``, ``^``): bitwise in PyTorch's promoted dtype, so
        ``bool_mask & tensor([2, 1])`` is ``tensor([0, 1])``; bools give bools (and, or,
        xor); a float anywhere raises, as PyTorch's integer-only kernels do."""
        if not method and isinstance(other, _nd):
            return self._with_array(ufunc, None, other)
        other = _logic_operand(other, name if method else None)
        if other is NotImplemented:
            return NotImplemented
        a, b = _promote(_wrap(self._data), other)
        if a._data.dtype.kind == _FLOAT_KIND:
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for "
                                      f"'{_function._type_name(a._data)[6:-6]}'")
        try:
            return _wrap(np.asarray(ufunc(a._data, _data_of(b))))
        except ValueError:
            _check_broadcast(self, other)
            raise

    def __and__(self, other: Any) -> Tensor:
        return self._bitwise(np.bitwise_and, other, "bitwise_and")

    def __or__(self, other: Any) -> Tensor:
        return self._bitwise(np.bitwise_or, other, "bitwise_or")

    def __xor__(self, other: Any) -> Tensor:
        return self._bitwise(np.bitwise_xor, other, "bitwise_xor")

    # (all three commute; an ndarray on the left is refused, as PyTorch does)
    def __rand__(self, other: Any) -> Tensor:
        return NotImplemented if isinstance(other, _nd) else self.__and__(other)

    def __ror__(self, other: Any) -> Tensor:
        return NotImplemented if isinstance(other, _nd) else self.__or__(other)

    def __rxor__(self, other: Any) -> Tensor:
        return NotImplemented if isinstance(other, _nd) else self.__xor__(other)

    def __iand__(self, other: Any) -> Tensor:  # type: ignore[misc]
        return self._bitwise_(np.bitwise_and, other, "bitwise_and", method=False)

    def __ior__(self, other: Any) -> Tensor:  # type: ignore[misc]
        return self._bitwise_(np.bitwise_or, other, "bitwise_or", method=False)

    def __ixor__(self, other: Any) -> Tensor:  # type: ignore[misc]
        return self._bitwise_(np.bitwise_xor, other, "bitwise_xor", method=False)

    def _bitwise_(self, ufunc: Any, other: Any, name: str, method: _bool = True) -> Any:
        """In place ``self &= other`` (``|=``, ``^=``): the result dtype must cast to ours."""
        operand = _logic_operand(other, name + "_" if method else None)
        if operand is NotImplemented:
            return NotImplemented
        _check_inplace_broadcast(self, operand)
        _check_result_cast(dtypes.result_type(self, operand).np, self._data.dtype)
        return self._write_logic(self._bitwise(ufunc, operand, name, method=True))

    def bitwise_and(self, other: Any) -> Tensor:
        """Elementwise bitwise and of integers (logical and of bools), promoted."""
        return self._bitwise(np.bitwise_and, other, "bitwise_and", method=True)

    def bitwise_or(self, other: Any) -> Tensor:
        """Elementwise bitwise or of integers (logical or of bools), promoted."""
        return self._bitwise(np.bitwise_or, other, "bitwise_or", method=True)

    def bitwise_xor(self, other: Any) -> Tensor:
        """Elementwise bitwise xor of integers (logical xor of bools), promoted."""
        return self._bitwise(np.bitwise_xor, other, "bitwise_xor", method=True)

    def bitwise_and_(self, other: Any) -> Tensor:
        """In place: ``self &= other``."""
        return self._bitwise_(np.bitwise_and, other, "bitwise_and")

    def bitwise_or_(self, other: Any) -> Tensor:
        """In place: ``self |= other``."""
        return self._bitwise_(np.bitwise_or, other, "bitwise_or")

    def bitwise_xor_(self, other: Any) -> Tensor:
        """In place: ``self ^= other``."""
        return self._bitwise_(np.bitwise_xor, other, "bitwise_xor")

    def __invert__(self) -> Tensor:
        if self._data.dtype.kind == _FLOAT_KIND:
            raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                            f"tensors, got {self.dtype}")
        return _wrap(np.invert(self._data))

    def bitwise_not(self) -> Tensor:
        """Elementwise ``~self``: each bit flipped (not, for bools)."""
        if self._data.dtype.kind == _FLOAT_KIND:
            raise NotImplementedError("\"bitwise_not_cpu\" not implemented for "
                                      f"'{_function._type_name(self._data)[6:-6]}'")
        return _wrap(np.invert(self._data))

    def bitwise_not_(self) -> Tensor:
        """In place: ``self = ~self``."""
        return self._write_logic(self.bitwise_not())

    def _logical(self, ufunc: Any, other: Any, name: str) -> Tensor:
        """``ufunc(self != 0, other != 0)`` as a bool tensor; ``other`` must be a Tensor."""
        if not isinstance(other, Tensor):
            raise _operand_error(name, other, numbers=False)
        try:
            return _wrap(np.asarray(ufunc(self._data, other._data)))
        except ValueError:
            _check_broadcast(self, other)
            raise

    def logical_not(self) -> Tensor:
        """Elementwise not, as bool."""
        return _wrap(np.logical_not(self._data))

    def logical_and(self, other: Tensor) -> Tensor:
        """Elementwise and of ``self != 0`` and ``other != 0``, as bool."""
        return self._logical(np.logical_and, other, "logical_and")

    def logical_or(self, other: Tensor) -> Tensor:
        """Elementwise or of ``self != 0`` and ``other != 0``, as bool."""
        return self._logical(np.logical_or, other, "logical_or")

    def logical_xor(self, other: Tensor) -> Tensor:
        """Elementwise xor of ``self != 0`` and ``other != 0``, as bool."""
        return self._logical(np.logical_xor, other, "logical_xor")

    def logical_not_(self) -> Tensor:
        """In place: ``self = logical_not(self)``, in ``self``'s dtype (1 or 0)."""
        return self._write_logic(self.logical_not())

    def logical_and_(self, other: Tensor) -> Tensor:
        """In place: ``self = logical_and(self, other)``, in ``self``'s dtype (1 or 0)."""
        return self._write_logic(self.logical_and(other))

    def logical_or_(self, other: Tensor) -> Tensor:
        """In place: ``self = logical_or(self, other)``, in ``self``'s dtype (1 or 0)."""
        return self._write_logic(self.logical_or(other))

    def logical_xor_(self, other: Tensor) -> Tensor:
        """In place: ``self = logical_xor(self, other)``, in ``self``'s dtype (1 or 0)."""
        return self._write_logic(self.logical_xor(other))

    def _write_logic(self, result: Any) -> Any:
        """Write a bitwise or logical ``result`` (no graph) into this tensor, as PyTorch's
        in-place forms: the result dtype must cast to ours (no int into a bool tensor)."""
        if result is NotImplemented:
            return NotImplemented
        _check_result_cast(result._data.dtype, self._data.dtype)
        if result._data.shape != self._data.shape:
            _check_inplace_broadcast(self, result)
        self._check_inplace()
        return self._become(result.expand(self.shape) if result._data.shape != self._data.shape
                            else result)

    def isnan(self) -> Tensor:
        """Elementwise: is NaN."""
        return _wrap(np.isnan(self._data))

    def isinf(self) -> Tensor:
        """Elementwise: is +-inf."""
        return _wrap(np.isinf(self._data))

    def isfinite(self) -> Tensor:
        """Elementwise: neither NaN nor inf."""
        return _wrap(np.isfinite(self._data))

    def equal(self, other: Tensor) -> _bool:
        """True when shapes and all values are equal."""
        return self.shape == other.shape and bool(np.array_equal(self._data, other._data))

    def allclose(self, other: Any, rtol: _float = 1e-5, atol: _float = 1e-8,
                 equal_nan: _bool = False) -> _bool:
        """``|self - other| <= atol + rtol * |other|`` everywhere."""
        return bool(np.allclose(self._data, _data_of(other), rtol=rtol, atol=atol,
                                equal_nan=equal_nan))

    def isclose(self, other: Any, rtol: _float = 1e-5, atol: _float = 1e-8,
                equal_nan: _bool = False) -> Tensor:
        """Elementwise ``|self - other| <= atol + rtol * |other|``."""
        return _wrap(np.isclose(self._data, _data_of(other), rtol=rtol, atol=atol,
                                equal_nan=equal_nan))

    # ------------------------------------------------------------------ unary math
    def _float_unary(self, op: Any) -> Tensor:
        x = self if self._data.dtype.kind == _FLOAT_KIND else self.float()
        return op.apply(x)

    def exp(self) -> Tensor:
        """e ** self."""
        return self._float_unary(E.Exp)

    def log(self) -> Tensor:
        """Natural logarithm."""
        return self._float_unary(E.Log)

    def log1p(self) -> Tensor:
        """log(1 + self), accurate for small values."""
        return self._float_unary(E.Log1p)

    def sqrt(self) -> Tensor:
        """Square root."""
        return self._float_unary(E.Sqrt)

    def rsqrt(self) -> Tensor:
        """1 / sqrt(self)."""
        return self._float_unary(E.Rsqrt)

    def reciprocal(self) -> Tensor:
        """1 / self."""
        return self._float_unary(E.Reciprocal)

    def sin(self) -> Tensor:
        """Sine."""
        return self._float_unary(E.Sin)

    def cos(self) -> Tensor:
        """Cosine."""
        return self._float_unary(E.Cos)

    def tanh(self) -> Tensor:
        """Hyperbolic tangent."""
        return self._float_unary(E.Tanh)

    def sigmoid(self) -> Tensor:
        """1 / (1 + e ** -self), computed without overflow."""
        return self._float_unary(E.Sigmoid)

    def relu(self) -> Tensor:
        """max(self, 0)."""
        return E.Relu.apply(self)

    def abs(self) -> Tensor:
        """|self|."""
        return E.Abs.apply(self)

    absolute = abs

    def sign(self) -> Tensor:
        """-1, 0 or 1; its gradient is zero."""
        return _pair(E.Sign, self, _ONE)

    def square(self) -> Tensor:
        """self ** 2."""
        return self.pow(2)

    def floor(self) -> Tensor:
        """Round down; the gradient is zero."""
        return _pair(E.Floor, self, _ONE)

    def ceil(self) -> Tensor:
        """Round up; the gradient is zero."""
        return _pair(E.Ceil, self, _ONE)

    def round(self, decimals: _int = 0) -> Tensor:
        """Round half to even (to ``decimals`` places); the gradient is zero."""
        if decimals:
            return E.RoundDecimals.apply(self, decimals)
        return _pair(E.Round, self, _ONE)

    def trunc(self) -> Tensor:
        """Round toward zero; the gradient is zero."""
        return _pair(E.Trunc, self, _ONE)

    fix = trunc

    def frac(self) -> Tensor:
        """``self - self.trunc()``, the fractional part; the gradient passes unchanged."""
        if self._data.dtype.kind != _FLOAT_KIND:
            raise NotImplementedError(f"frac is not implemented for dtype {self.dtype}: it "
                                      "needs a float tensor (use .float() first)")
        return _pair(E.Frac, self, _ONE)

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:
        """Limit values to [min, max]; the gradient is zero outside."""
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        if isinstance(min, Tensor) or isinstance(max, Tensor):
            return self._clamp_tensors(min, max)
        bounds = [None if b is None else _operand(b, "clamp") for b in (min, max)]
        dtype = dtypes.result_type(self, *[b for b in bounds if b is not None])
        if dtype is dtypes.bool:
            kernel = "clamp" if min is not None and max is not None else (
                "clamp_min" if min is not None else "clamp_max")
            raise NotImplementedError(f"\"{kernel}_scalar_cpu\" not implemented for 'Bool'")
        low, high = (None if b is None else dtypes.checked_scalar(b, dtype) for b in bounds)
        x = self if self._data.dtype == dtype.np else self.to(dtype)
        return E.Clamp.apply(x, low, high)

    clip = clamp

    def _clamp_tensors(self, min: Any, max: Any) -> Tensor:
        """clamp with tensor bounds (one may be None); the three broadcast together."""
        if any(b is not None and not isinstance(b, Tensor) for b in (min, max)):
            raise TypeError("clamp() received an invalid combination of arguments: min and max "
                            "must both be Tensors (or None), or both numbers. Hint: wrap the "
                            "number with tg.tensor(...)")
        x = self
        for bound in (min, max):
            if bound is not None:
                x, _ = _promote(x, bound)
        lo, hi = (b if b is None else _operand_as(b, x.dtype) for b in (min, max))
        return E.ClampTensor.apply(x, lo, hi)

    def clamp_min(self, min: Any) -> Tensor:
        """max(self, min)."""
        return self.clamp(min=min)

    def clamp_max(self, max: Any) -> Tensor:
        """min(self, max)."""
        return self.clamp(max=max)

    def maximum(self, other: Tensor) -> Tensor:
        """Elementwise maximum of two tensors (ties split the gradient)."""
        if not isinstance(other, Tensor):
            raise _operand_error("maximum", other, numbers=False)
        a, b = _promote(self, other)
        return E.Maximum.apply(a, b)

    def minimum(self, other: Tensor) -> Tensor:
        """Elementwise minimum of two tensors (ties split the gradient)."""
        if not isinstance(other, Tensor):
            raise _operand_error("minimum", other, numbers=False)
        a, b = _promote(self, other)
        return E.Minimum.apply(a, b)

    def softmax(self, dim: _int, dtype: Any = None) -> Tensor:
        """exp(self) / sum(exp(self)) along ``dim``, stable for large values (float
        tensors, or ``dtype=`` a float dtype, as PyTorch)."""
        x = self if dtype is None else self.to(dtype)
        axis = _norm_axis(dim, x._data.ndim)
        _need_float_kernel(x, "softmax", axis)
        if x._data.dtype.kind != _FLOAT_KIND:  # empty: nothing to compute, as torch
            return x.clone()
        return R.Softmax.apply(x, axis)

    def log_softmax(self, dim: _int, dtype: Any = None) -> Tensor:
        """log(softmax(self)) along ``dim``, computed without underflow (float tensors, or
        ``dtype=`` a float dtype)."""
        x = self if dtype is None else self.to(dtype)
        axis = _norm_axis(dim, x._data.ndim)
        _need_float_kernel(x, "log_softmax", axis)
        if x._data.dtype.kind != _FLOAT_KIND:  # empty: nothing to compute, as torch
            return x.clone()
        return R.LogSoftmax.apply(x, axis)

    # ------------------------------------------------------------------ reductions
    def sum(self, dim: Any = None, keepdim: _bool = False, dtype: Any = None,
            axis: Any = None, keepdims: _bool | None = None) -> Tensor:
        """Sum over ``dim`` (all when None); ints and bools sum to int64."""
        if dim is None and axis is None and dtype is None and not keepdim and not keepdims \
                and self._data.dtype.kind == _FLOAT_KIND:  # the usual x.sum(), inline
            return _pair(R.SumAll, self, _ONE)
        dim, keepdim = _alias(dim, axis, keepdim, keepdims)
        x = self if dtype is None else _operand_as(self, dtypes.to_dtype(dtype))
        np_dtype = np.int64 if x._data.dtype.kind in "biu" else None
        axes = _norm_axes(dim, x._data.ndim)
        return (R.SumAll if dim is None else R.Sum).apply(x, axes, keepdim, np_dtype)

    def mean(self, dim: Any = None, keepdim: _bool = False, dtype: Any = None,
             axis: Any = None, keepdims: _bool | None = None) -> Tensor:
        """Mean over ``dim`` (all when None); float tensors only, as in PyTorch."""
        if dim is None and axis is None and dtype is None and not keepdim and not keepdims \
                and self._data.dtype.kind == _FLOAT_KIND:  # the usual loss.mean(), inline
            return _pair(R.MeanAll, self, _ONE)
        dim, keepdim = _alias(dim, axis, keepdim, keepdims)
        x = self if dtype is None else _operand_as(self, dtypes.to_dtype(dtype))
        _need_float(x, "mean")
        axes = _norm_axes(dim, x._data.ndim)
        return (R.MeanAll if dim is None else R.Mean).apply(x, axes, keepdim)

    def _extreme(self, dim: Any, keepdim: _bool, smallest: _bool, name: str) -> Any:
        if dim is None:
            if self._data.size == 0:
                raise RuntimeError(f"{name}(): Expected reduction dim to be specified for "
                                   "input.numel() == 0. Specify the reduction dim with the "
                                   "'dim' argument.")
            return (R.MinAll if smallest else R.MaxAll).apply(self, None, False, smallest)
        if isinstance(dim, Tensor):  # torch.max(a, b) is maximum
            return self.minimum(dim) if smallest else self.maximum(dim)
        axis = _norm_axis(dim, self._data.ndim)
        _check_nonempty_dims(self._data, (axis,), name)
        values = (R.MinDim if smallest else R.MaxDim).apply(self, axis, keepdim, smallest)
        if self._data.ndim == 0:
            return _MinMax(values, _wrap(np.asarray(0)), name)
        arg = (np.argmin if smallest else np.argmax)(self._data, axis=axis)
        indices = _wrap(np.expand_dims(arg, axis) if keepdim else np.asarray(arg))
        return _MinMax(values, indices, name)

    def max(self, dim: Any = None, keepdim: _bool = False) -> Any:
        """The largest value; with ``dim``, a ``(values, indices)`` pair along it."""
        return self._extreme(dim, keepdim, False, "max")

    def min(self, dim: Any = None, keepdim: _bool = False) -> Any:
        """The smallest value; with ``dim``, a ``(values, indices)`` pair along it."""
        return self._extreme(dim, keepdim, True, "min")

    def amax(self, dim: Any = (), keepdim: _bool = False) -> Tensor:
        """The largest values over ``dim`` (an int or a tuple; all when empty); ties share
        the gradient evenly."""
        axes = _norm_axes(dim, self._data.ndim)
        _check_nonempty_dims(self._data, axes, "amax")
        return R.Amax.apply(self, axes, keepdim, False)

    def amin(self, dim: Any = (), keepdim: _bool = False) -> Tensor:
        """The smallest values over ``dim`` (an int or a tuple; all when empty); ties share
        the gradient evenly."""
        axes = _norm_axes(dim, self._data.ndim)
        _check_nonempty_dims(self._data, axes, "amin")
        return R.Amin.apply(self, axes, keepdim, True)

    def argmax(self, dim: _int | None = None, keepdim: _bool = False) -> Tensor:
        """Index of the largest value (of the flattened tensor when ``dim`` is None)."""
        return self._arg(np.argmax, dim, keepdim)

    def argmin(self, dim: _int | None = None, keepdim: _bool = False) -> Tensor:
        """Index of the smallest value (of the flattened tensor when ``dim`` is None)."""
        return self._arg(np.argmin, dim, keepdim)

    def _arg(self, fn: Any, dim: Any, keepdim: _bool) -> Tensor:
        name = "argmax" if fn is np.argmax else "argmin"
        if self._data.dtype == np.bool_:
            raise RuntimeError(f"{name}(): does not support bool input")
        axes = None if dim is None else (_norm_axis(dim, self._data.ndim),)
        _check_nonempty_dims(self._data, axes, name, IndexError)
        if dim is None:
            out = np.asarray(fn(self._data), dtype=np.int64)
            return _wrap(out.reshape((1,) * self._data.ndim) if keepdim else out)
        axis = _norm_axis(dim, self._data.ndim)
        if not self._data.ndim:  # a 0-d tensor: index 0, still 0-d with keepdim
            return _wrap(np.zeros((), np.int64))
        out = fn(self._data, axis=axis)
        return _wrap(np.asarray(np.expand_dims(out, axis) if keepdim else out, dtype=np.int64))

    def prod(self, dim: Any = None, keepdim: _bool = False, dtype: Any = None) -> Tensor:
        """Product over ``dim`` (all when None)."""
        x = self if dtype is None else _operand_as(self, dtypes.to_dtype(dtype))
        if x._data.dtype.kind in "biu":
            x = x.long()
        return (R.ProdAll if dim is None else R.Prod).apply(x, _norm_axes(dim, x._data.ndim),
                                                            keepdim)

    def var(self, dim: Any = None, unbiased: _bool | None = None, keepdim: _bool = False, *,
            correction: _float | None = None) -> Tensor:
        """Variance, dividing by N - correction (correction=1 unless ``unbiased=False``)."""
        _need_float(self, "var")
        c = _correction(unbiased, correction)
        return R.Var.apply(self, _norm_axes(dim, self._data.ndim, True), c, keepdim)

    def _std(self, dim: Any, unbiased: _bool | None, keepdim: _bool,
             correction: _float | None) -> Tensor:
        _need_float(self, "std")
        c = _correction(unbiased, correction)
        return R.Std.apply(self, _norm_axes(dim, self._data.ndim, True), c, keepdim)

    def std(self, dim: Any = None, unbiased: _bool | None = None, keepdim: _bool = False, *,
            correction: _float | None = None) -> Tensor:
        """Standard deviation: sqrt of ``var`` with the same arguments."""
        return self._std(dim, unbiased, keepdim, correction)

    def logsumexp(self, dim: Any, keepdim: _bool = False) -> Tensor:
        """log(sum(exp(self))) over ``dim``, stable for large values."""
        x = self if self._data.dtype.kind == _FLOAT_KIND else self.float()
        return R.LogSumExp.apply(x, _norm_axes(dim, x._data.ndim), keepdim)

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: _bool = False,
             dtype: Any = None) -> Tensor:
        """The p-norm over ``dim`` (of all elements by default): ``(sum |x|^p)^(1/p)``,
        p a number (0 counts nonzeros, inf takes the max |x|) or "fro" (p = 2 over one
        dim or a pair of dims), computed in ``dtype`` when given. Its gradient at 0 is 0,
        as PyTorch's subgradient.

        >>> tg.tensor([3.0, -4.0]).norm()
        tensor(5.)
        """
        x = self if dtype is None else _operand_as(self, dtypes.to_dtype(dtype))
        if x._data.dtype.kind != _FLOAT_KIND:
            raise RuntimeError("linalg.vector_norm: Expected a floating point or complex "
                               f"tensor as input. Got {_scalar_name(x)}. Hint: call .float() "
                               "first.")
        if isinstance(p, str):
            if p != "fro":
                raise NotImplementedError(f"norm(p={p!r}) is not supported by tinygrad_edu; "
                                          "use p='fro' or a number")
            if isinstance(dim, (tuple, list)) and len(dim) > 2:
                raise RuntimeError("linalg.matrix_norm: dim must be a 2-tuple. Got "
                                   + " ".join(str(d) for d in dim))
            p = 2
        p = _float(p)
        axes = _norm_axes(dim, x._data.ndim)
        _check_norm_identity(x._data, p, axes)
        return R.Norm.apply(x, p, axes, keepdim)

    def all(self, dim: Any = None, keepdim: _bool = False) -> Tensor:
        """True where every element (along ``dim``) is nonzero (uint8 stays uint8, as
        PyTorch)."""
        out = np.all(self._data, axis=_norm_axes(dim, self.ndim), keepdims=keepdim)
        return _wrap(np.asarray(out, np.uint8 if self._data.dtype == np.uint8 else np.bool_))

    def any(self, dim: Any = None, keepdim: _bool = False) -> Tensor:
        """True where some element (along ``dim``) is nonzero (uint8 stays uint8)."""
        out = np.any(self._data, axis=_norm_axes(dim, self.ndim), keepdims=keepdim)
        return _wrap(np.asarray(out, np.uint8 if self._data.dtype == np.uint8 else np.bool_))

    def count_nonzero(self, dim: Any = None) -> Tensor:
        """The number of nonzero elements (along ``dim``)."""
        return _wrap(np.asarray(np.count_nonzero(self._data, axis=_norm_axes(dim, self.ndim)),
                                dtype=np.int64))

    def unique(self, sorted: _bool = True, return_inverse: _bool = False,
               return_counts: _bool = False, dim: Any = None) -> Any:
        """The distinct values, sorted (optionally with inverse indices and counts)."""
        out = np.unique(self._data, return_inverse=return_inverse,  # type: ignore[call-overload]
                        return_counts=return_counts, axis=dim)
        if not (return_inverse or return_counts):
            return _wrap(out)
        first, *rest = out
        extra = [_wrap(np.asarray(r, dtype=np.int64).reshape(self._data.shape)
                       if return_inverse and i == 0 else np.asarray(r, dtype=np.int64))
                 for i, r in enumerate(rest)]
        return (_wrap(first), *extra)

    def cumsum(self, dim: _int, dtype: Any = None) -> Tensor:
        """Cumulative sum along ``dim`` (differentiable through a reversed cumsum), in
        ``dtype`` when given."""
        x = self if dtype is None else _operand_as(self, dtypes.to_dtype(dtype))
        return _CumSum.apply(x, _norm_axis(dim, x._data.ndim))

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
            return V.Reshape.apply(self, shape)
        if _reshape_is_view(data, shape):
            return V.ReshapeAlias.apply(self, shape)
        return V.UnsafeView.apply(self.clone(), shape)

    def view(self, *shape: Any) -> Tensor:
        """Like reshape, but always a view: fails on a non-contiguous tensor."""
        if len(shape) == 1 and isinstance(shape[0], (DType, np.dtype, type)):
            raise NotImplementedError("view(dtype) is not supported; use .to(dtype)")
        shape = _shape_arg(shape, "view", required=True)
        _check_reshape(self._data, shape)
        if not _reshape_is_view(self._data, shape):
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
            ) from None
        return V.Reshape.apply(self, shape)

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
        return V.Reshape.apply(self, shape[:axis] + tuple(
            n if n != -1 else shape[axis] // known for n in sizes) + shape[axis + 1:])

    def squeeze(self, dim: Any = _ALL_DIMS) -> Tensor:
        """Remove size-1 dimensions (only ``dim`` when given)."""
        shape = self._data.shape
        if dim is None:
            raise TypeError("squeeze(): argument 'dim' must be int or tuple of ints, not "
                            "NoneType")
        if dim is _ALL_DIMS:
            new = tuple(n for n in shape if n != 1)
            op: type[E._Op] = V.SqueezeAll
        else:
            axes = _norm_axes(dim, len(shape), True) or ()
            new = tuple(n for i, n in enumerate(shape) if not (i in axes and n == 1))
            op = V.SqueezeDims if isinstance(dim, (tuple, list)) else V.Squeeze
        return op.apply(self, new)  # a new view even when nothing is removed, as in torch

    def unsqueeze(self, dim: _int) -> Tensor:
        """Insert a size-1 dimension at ``dim``."""
        shape = self._data.shape
        axis = _norm_axis(dim, len(shape) + 1)
        return V.Unsqueeze.apply(self, shape[:axis] + (1,) + shape[axis:])

    def transpose(self, dim0: _int, dim1: _int) -> Tensor:
        """Swap two dimensions."""
        n = self._data.ndim
        return V.Transpose.apply(self, _norm_axis(dim0, n), _norm_axis(dim1, n))

    swapaxes = swapdims = transpose

    def t(self) -> Tensor:
        """Transpose a matrix (a vector stays as it is)."""
        if self._data.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                               f"{self._data.ndim}D")
        return _pair(V.MatrixT, self, _T_AXES[self._data.ndim])

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
        return V.Permute.apply(self, tuple(axes))

    @property
    def T(self) -> Tensor:
        """All dimensions reversed (the transpose of a matrix)."""
        n = self._data.ndim
        return _pair(V.Permute, self, tuple(range(n - 1, -1, -1)))

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
        return V.Expand.apply(self, target)  # a new view even for the same shape, as in torch

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
        return V.Repeat.apply(self, reps)

    def chunk(self, chunks: _int, dim: _int = 0) -> tuple[Tensor, ...]:
        """Split into ``chunks`` nearly equal pieces along ``dim``."""
        if not self._data.ndim:
            raise RuntimeError("chunk expects at least a 1-dimensional tensor")
        if not isinstance(chunks, (_int, np.integer)) or isinstance(chunks, _bool):
            raise TypeError(f"chunk(): argument 'chunks' must be int, not {_type(chunks).__name__}")
        if chunks <= 0:
            raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
        n = self.shape[_norm_axis(dim, self.ndim)]
        size = -(-n // chunks)
        return self.split(size if n else 1, dim)

    def split(self, split_size: Any, dim: _int = 0) -> tuple[Tensor, ...]:
        """Pieces of ``split_size`` (or the listed sizes, which must add up to the length)
        along ``dim``."""
        if not self._data.ndim:
            raise RuntimeError("split expects at least a 1-dimensional tensor")
        if isinstance(split_size, (_int, np.integer)) and split_size < 0:
            _split_sizes(split_size, 0, 0)  # (its error comes before the dim's, as torch)
        axis = _norm_axis(dim, self.ndim)
        n = self._data.shape[axis]
        sizes = _split_sizes(split_size, n, axis)
        lead = (slice(None),) * axis
        op = V.Split if isinstance(split_size, int) else V.SplitWithSizes
        out, start = [], 0
        for s in sizes:
            out.append(op.apply(self, lead + (slice(start, min(start + s, n)),)))
            start += s
        _several_views(out, "Split" if op is V.Split else "SplitWithSizes")
        return tuple(out)

    def narrow(self, dim: _int, start: Any, length: _int) -> Tensor:
        """The view of ``length`` elements from ``start`` along ``dim`` (``x[:, start:
        start + length]`` for dim 1); ``start`` may be negative, or a 0-d tensor.

        >>> tg.arange(5.0).narrow(0, 1, 3)
        tensor([1., 2., 3.])
        """
        if not self._data.ndim:
            raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
        if length < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
        axis = _norm_axis(dim, self._data.ndim)
        n = self._data.shape[axis]
        start = int(start)
        if not -n <= start <= n:
            raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], "
                             f"but got {start})")
        if start < 0:
            start += n
        if start + length > n:
            raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size "
                               f"({n}).")
        return V.Slice.apply(self, (_ALL_SLICE,) * axis + (slice(start, start + length),
                                                          Ellipsis))

    # ------------------------------------------------------------------ sorting, selection
    def sort(self, dim: _int = -1, descending: _bool = False, *,
             stable: _bool | None = False) -> Any:
        """``(values, indices)``: the elements sorted along ``dim`` (ascending unless
        ``descending``) and where each came from. The sort is always stable (equal values
        keep their order, what PyTorch guarantees with ``stable=True``); NaN sorts as the
        largest. The gradient of each value goes back to its element.

        >>> tg.tensor([3.0, 1.0, 2.0]).sort()
        tinygrad_edu.return_types.sort(
        values=tensor([1., 2., 3.]),
        indices=tensor([1, 2, 0]))
        """
        axis = _norm_axis(dim, self._data.ndim)
        idx = SORT.argsort(self._data, axis, descending)
        return _MinMax(SORT.Sort.apply(self, axis, idx), _wrap(idx.copy()), "sort")

    def argsort(self, dim: _int = -1, descending: _bool = False, *,
                stable: _bool = False) -> Tensor:
        """The int64 indices that sort the tensor along ``dim``: ``sort(...).indices``."""
        return _wrap(SORT.argsort(self._data, _norm_axis(dim, self._data.ndim), descending))

    def topk(self, k: _int, dim: _int = -1, largest: _bool = True,
             sorted: _bool = True) -> Any:
        """``(values, indices)`` of the ``k`` largest elements along ``dim`` (the smallest
        when ``largest=False``), in order (also when ``sorted=False``); equal values come
        in the order PyTorch's CPU kernel gives them. The gradient of each value goes back
        to its element.

        >>> tg.tensor([1.0, 5.0, 3.0]).topk(2)
        tinygrad_edu.return_types.topk(
        values=tensor([5., 3.]),
        indices=tensor([1, 2]))
        """
        if isinstance(k, _bool) or not isinstance(k, (_int, np.integer, Tensor)):
            raise TypeError(f"topk(): argument 'k' (position 1) must be int, not "
                            f"{_type(k).__name__}")
        axis = _norm_axis(dim, self._data.ndim)
        SORT.check_topk(self._data, axis, _int(k))
        idx = SORT.topk_index(self._data, axis, _int(k), largest)
        return _MinMax(SORT.TopK.apply(self, axis, idx), _wrap(idx.copy()), "topk")

    def gather(self, dim: _int, index: Tensor, *, sparse_grad: _bool = False) -> Tensor:
        """The elements at ``index`` (an int tensor with as many dims) along ``dim``:
        ``out[i][j] = self[index[i][j]][j]`` for dim 0, ``self[i][index[i][j]]`` for dim 1.
        Backward adds each gradient into the element it came from (repeats accumulate).

        >>> tg.tensor([[1.0, 2.0], [3.0, 4.0]]).gather(1, tg.tensor([[0, 0], [1, 0]]))
        tensor([[1., 1.],
                [4., 3.]])
        """
        if sparse_grad:
            raise NotImplementedError("gather(sparse_grad=True): tinygrad_edu has no sparse "
                                      "tensors")
        idx = SORT.index_array(index, "gather")
        axis = _norm_axis(dim, self._data.ndim)
        SORT.check_gather(self._data.shape, axis, idx)
        return SORT.Gather.apply(self, axis, idx)

    def index_select(self, dim: _int, index: Tensor) -> Tensor:
        """The slices along ``dim`` at ``index`` (an int vector), in its order. Backward
        adds each slice's gradient into the slice it came from (repeats accumulate).

        >>> tg.tensor([[1.0, 2.0], [3.0, 4.0]]).index_select(0, tg.tensor([1, 1]))
        tensor([[3., 4.],
                [3., 4.]])
        """
        axis = _norm_axis(dim, self._data.ndim)
        idx = SORT.index_array(index, "index_select")
        SORT.check_index_select(self._data.shape, axis, idx)
        return SORT.IndexSelect.apply(self, axis, idx.reshape(-1))

    # ------------------------------------------------------------------ linear algebra
    def bmm(self, mat2: Tensor) -> Tensor:
        """Batched matrix product of 3-D tensors: ``out[b] = self[b] @ mat2[b]``. The batch
        sizes must be equal (no broadcasting: ``matmul`` broadcasts), and so the dtypes.

        >>> tg.ones(2, 1, 3).bmm(tg.ones(2, 3, 4)).shape
        tinygrad_edu.Size([2, 1, 4])
        """
        M.check_batches(self._data, mat2._data)
        M.check_same_dtype("bmm", self._data.dtype, mat2._data.dtype)
        return _pair(M.Bmm, self, mat2)

    def addmm(self, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        """``beta * self + alpha * (mat1 @ mat2)`` in one op; ``self`` broadcasts to the
        product's shape and is ignored when ``beta`` is 0 (a nan in it too). No dtype
        promotion, as in PyTorch: one dtype for all three (ints take int beta and alpha).

        >>> tg.zeros(2).addmm(tg.ones(1, 3), tg.ones(3, 2), alpha=2)
        tensor([[6., 6.]])
        """
        M.check_addmm(self._data, mat1._data, mat2._data)
        _wrap(self._data).expand(mat1.shape[0], mat2.shape[1])  # PyTorch's broadcast errors
        b, a = (dtypes.checked_scalar(_operand(v, "addmm"), self.dtype) for v in (beta, alpha))
        return M.Addmm.apply(self, mat1, mat2, b, a)

    def baddbmm(self, batch1: Tensor, batch2: Tensor, *, beta: Any = 1,
                alpha: Any = 1) -> Tensor:
        """``beta * self + alpha * batch1.bmm(batch2)`` in one op (``addmm`` by batches).

        >>> tg.zeros(1).baddbmm(tg.ones(2, 1, 3), tg.ones(2, 3, 1)).shape
        tinygrad_edu.Size([2, 1, 1])
        """
        M.check_baddbmm(self._data, batch1._data, batch2._data)
        _wrap(self._data).expand(batch1.shape[0], batch1.shape[1], batch2.shape[2])
        b, a = (dtypes.checked_scalar(_operand(v, "baddbmm"), self.dtype) for v in (beta, alpha))
        return M.Baddbmm.apply(self, batch1, batch2, b, a)

    def tril(self, diagonal: _int = 0) -> Tensor:
        """The lower triangle of the last two dims: the elements on and below the
        ``diagonal``-th diagonal (0 the main one, > 0 above it, < 0 below), zeros above.

        >>> tg.ones(2, 3).tril()
        tensor([[1., 0., 0.],
                [1., 1., 0.]])
        """
        V.check_triangle(self._data, diagonal, "tril")
        return _pair(V.Tril, self, _int(diagonal))

    def triu(self, diagonal: _int = 0) -> Tensor:
        """The upper triangle of the last two dims: the elements on and above the
        ``diagonal``-th diagonal, zeros below.

        >>> tg.ones(2, 3).triu(1)
        tensor([[0., 1., 1.],
                [0., 0., 1.]])
        """
        V.check_triangle(self._data, diagonal, "triu")
        return _pair(V.Triu, self, _int(diagonal))

    def tril_(self, diagonal: _int = 0) -> Tensor:
        """In place: ``self = self.tril(diagonal)``."""
        V.check_triangle(self._data, diagonal, "tril")
        return self._write(lambda t: t.tril(diagonal))

    def triu_(self, diagonal: _int = 0) -> Tensor:
        """In place: ``self = self.triu(diagonal)``."""
        V.check_triangle(self._data, diagonal, "triu")
        return self._write(lambda t: t.triu(diagonal))

    def diag(self, diagonal: _int = 0) -> Tensor:
        """A vector as the ``diagonal``-th diagonal of a square matrix (zeros elsewhere), or
        a matrix's ``diagonal``-th diagonal as a vector (a copy: ``diagonal()`` is a view).

        >>> tg.tensor([1.0, 2.0]).diag()
        tensor([[1., 0.],
                [0., 2.]])
        """
        V.check_int(diagonal, "diag", "diagonal", 1)
        ndim = self._data.ndim
        if ndim == 1:
            shape = V.diag_embed_shape(self._data.shape, diagonal, 0, 1)
            return V.DiagEmbed.apply(self, shape, _int(diagonal), 0, 1)
        if ndim == 2:
            return V.DiagonalCopy.apply(self, _int(diagonal), 0, 1)
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {ndim}D")

    def diagonal(self, offset: _int = 0, dim1: _int = 0, dim2: _int = 1) -> Tensor:
        """The elements ``self[..., i, ..., i + offset, ...]`` of dims ``dim1`` and ``dim2``,
        as a new last dim: a view (writing to it writes to ``self``).

        >>> tg.tensor([[1.0, 2.0], [3.0, 4.0]]).diagonal()
        tensor([1., 4.])
        """
        for value, name, position in ((offset, "offset", 1), (dim1, "dim1", 2), (dim2, "dim2", 3)):
            V.check_int(value, "diagonal", name, position)
        d1, d2 = V.diagonal_dims(self._data.ndim, dim1, dim2)
        return V.Diagonal.apply(self, _int(offset), d1, d2)

    def diag_embed(self, offset: _int = 0, dim1: _int = -2, dim2: _int = -1) -> Tensor:
        """Each vector along the last dim as the ``offset`` diagonal of dims ``dim1`` and
        ``dim2`` of a new tensor (zeros elsewhere): a batch of ``diag``.

        >>> tg.ones(2, 3).diag_embed().shape
        tinygrad_edu.Size([2, 3, 3])
        """
        for value, name, position in ((offset, "offset", 1), (dim1, "dim1", 2), (dim2, "dim2", 3)):
            V.check_int(value, "diag_embed", name, position)
        d1, d2 = V.diagonal_dims(self._data.ndim + 1, dim1, dim2)
        shape = V.diag_embed_shape(self._data.shape, offset, d1, d2)
        return V.DiagEmbed.apply(self, shape, _int(offset), d1, d2)

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
        return V.Trace.apply(self)

    # ------------------------------------------------------------------ scans, ranks, counts
    def cumprod(self, dim: _int, *, dtype: Any = None) -> Tensor:
        """Cumulative product along ``dim`` (ints give int64). The gradient is exact also
        where the input has zeros (computed without dividing by them)."""
        x = self if dtype is None else _operand_as(self, dtypes.to_dtype(dtype))
        return R.Cumprod.apply(x, _norm_axis(dim, x._data.ndim))

    def diff(self, n: _int = 1, dim: _int = -1, prepend: Tensor | None = None,
             append: Tensor | None = None) -> Tensor:
        """The n-th forward difference ``out[i] = x[i + 1] - x[i]`` along ``dim``, after
        joining ``prepend`` and ``append`` to the tensor along it."""
        if self._data.ndim == 0:
            raise RuntimeError("diff expects input to be at least one-dimensional")
        if n < 0:
            raise RuntimeError(f"order must be non-negative but got {n}")
        if n == 0:  # a copy; prepend and append are not joined (as PyTorch)
            return self.clone()
        from .functional import cat

        axis = _norm_axis(dim, self._data.ndim)
        parts = [p for p in (prepend, self, append) if p is not None]
        x = cat(parts, axis) if len(parts) > 1 else self
        lead = (slice(None),) * axis
        for _ in range(min(n, x.shape[axis])):  # (as PyTorch: n capped at the length)
            after, before = x[lead + (slice(1, None),)], x[lead + (slice(None, -1),)]
            x = after ^ before if x._data.dtype == np.bool_ else after - before  # (bools: !=)
        return x

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
        counts = np.asarray(_data_of(repeats)).reshape(-1)
        if counts.size and counts.min() < 0:
            raise RuntimeError("repeats can not be negative")
        if counts.size != 1 and counts.size != n:
            raise RuntimeError(f"repeats must have the same size as input along dim, but got "
                               f"repeats.size(0) = {counts.size} and input.size({axis}) = {n}")
        index = np.repeat(np.arange(n), np.broadcast_to(counts, (n,)))
        return x.index_select(axis, _wrap(index))

    def _by_rank(self, op: Any, dim: _int, keepdim: _bool, pick: Any, name: str) -> Any:
        axis = _norm_axis(dim, self._data.ndim)
        if self._data.ndim and self._data.shape[axis] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {axis} to have non-zero size.")
        index = pick(self._data, axis) if self._data.ndim else np.zeros((), np.int64)
        values = op.apply(self, axis, index, keepdim)
        return _MinMax(values, _wrap(index.copy() if keepdim or not self._data.ndim
                                     else index.squeeze(axis)), name)

    def median(self, dim: _int | None = None, keepdim: _bool = False) -> Any:
        """The median: for an even count the LOWER of the two middle values (no averaging);
        NaN if there is a NaN. With ``dim``, ``(values, indices)`` along it."""
        if dim is not None:
            if self._data.dtype == np.bool_:
                _check_nonempty_dims(self._data, (_norm_axis(dim, self._data.ndim),), "median")
                raise E.not_implemented("median_out", self._data.dtype)
            return self._by_rank(SORT.MedianDim, dim, keepdim, SORT.lower_median_index,
                                 "median")
        if self._data.size == 0:  # NaN (for ints, NaN cast as C casts it, as torch)
            with np.errstate(invalid="ignore"):
                return _wrap(np.asarray(np.nan).astype(self._data.dtype))
        if self._data.dtype == np.bool_:
            raise E.not_implemented("median_cpu", self._data.dtype)
        flat = SORT.lower_median_index(self._data.reshape(-1), 0)
        return SORT.MedianAll.apply(self, _int(flat[0]))

    def kthvalue(self, k: _int, dim: _int = -1, keepdim: _bool = False) -> Any:
        """``(values, indices)``: the k-th smallest element (k from 1) along ``dim``."""
        axis = _norm_axis(dim, self._data.ndim)
        _check_nonempty_dims(self._data, (axis,), "kthvalue")
        if self._data.dtype == np.bool_ and self._data.ndim:
            raise E.not_implemented("kthvalue_cpu", self._data.dtype)
        n = self._data.shape[axis] if self._data.ndim else 1
        if not 1 <= k <= n:
            raise RuntimeError(f"kthvalue(): selected number k out of range for dimension "
                               f"{axis}")
        return self._by_rank(SORT.KthValue, dim, keepdim,
                             lambda x, a: SORT.kth_index(x, a, k), "kthvalue")

    def mode(self, dim: _int = -1, keepdim: _bool = False) -> Any:
        """``(values, indices)``: the most frequent value along ``dim`` (the smallest one on
        a tie of counts) and its last position."""
        return self._by_rank(SORT.Mode, dim, keepdim, SORT.mode_index, "mode")

    def quantile(self, q: Any, dim: _int | None = None, keepdim: _bool = False, *,
                 interpolation: str = "linear") -> Tensor:
        """The q-th quantiles along ``dim`` (of all elements when None): with the sorted
        values v and rank r = q (n - 1), ``lerp(v[floor r], v[ceil r], r - floor r)`` (or
        the ``lower``/``higher``/``nearest`` value, or the ``midpoint``). A 1-D ``q`` adds a
        leading dim. Differentiable through the sort and the interpolation."""
        qs = self._quantile_q(q, interpolation)
        x = self.reshape(-1) if dim is None else self
        axis = 0 if dim is None else _norm_axis(dim, self._data.ndim)
        if x._data.ndim == 0:
            x, axis = x.reshape(1), 0
        n = x._data.shape[axis]
        nan = np.isnan(x._data).any(axis=axis, keepdims=True)
        shape = [1] * x._data.ndim
        shape[axis] = qs.size
        # in the input's dtype, as PyTorch: "nearest" rounds the same float32 ranks
        rank = np.where(nan, n - 1, qs.astype(x._data.dtype).reshape(shape) * (n - 1))
        if interpolation == "lower":
            rank = np.floor(rank)
        elif interpolation == "higher":
            rank = np.ceil(rank)
        elif interpolation == "nearest":
            rank = np.round(rank)  # half to even, as torch.round
        below, above = np.floor(rank).astype(np.int64), np.ceil(rank).astype(np.int64)
        full = list(x._data.shape)
        full[axis] = qs.size
        below, above = np.broadcast_to(below, full), np.broadcast_to(above, full)
        v = x.sort(axis).values
        out = v.gather(axis, _wrap(below))
        if interpolation in ("linear", "midpoint"):
            weight = np.full(full, 0.5) if interpolation == "midpoint" else rank - below
            out = out.lerp(v.gather(axis, _wrap(above)), _wrap(weight.astype(x._data.dtype)))
        return self._quantile_shape(out, axis, dim, keepdim, np.ndim(_data_of(q)) == 0)

    def _quantile_q(self, q: Any, interpolation: str) -> np.ndarray:
        """quantile's ``q`` as a 1-D array, after PyTorch's checks of its arguments."""
        if self._data.size == 0:
            raise RuntimeError("quantile() input tensor must be non-empty")
        if self._data.dtype not in (np.float32, np.float64):
            raise RuntimeError("quantile() input tensor must be either float or double dtype")
        if interpolation not in ("linear", "lower", "higher", "midpoint", "nearest"):
            raise RuntimeError("quantile() interpolation must be one of linear, lower, higher, "
                               f"midpoint or nearest, but got {interpolation}")
        if isinstance(q, Tensor):
            if q._data.ndim > 1:
                raise RuntimeError("quantile() q must be a scalar or 1D tensor")
            if q._data.dtype != self._data.dtype:
                raise RuntimeError("quantile() q tensor must be same dtype as the input tensor")
            qs = q._data.reshape(-1).astype(np.float64)
            if ((qs < 0) | (qs > 1)).any():
                raise RuntimeError("quantile() q values must be in the range [0, 1]")
            return qs
        if not 0 <= q <= 1:
            raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {q}")
        return np.array([q], np.float64)

    def _quantile_shape(self, out: Tensor, axis: _int, dim: Any, keepdim: _bool,
                        scalar_q: _bool) -> Tensor:
        """quantile's result (q's entries along ``axis``) in PyTorch's shape: q's dim first
        (none for a number), then the input's dims without ``dim`` (size 1 with keepdim)."""
        if dim is None or self._data.ndim == 0:
            rest = (1,) * self._data.ndim if keepdim else ()
            return out.reshape(rest if scalar_q else (-1,) + rest)
        if scalar_q:
            return out if keepdim else out.squeeze(axis)
        out = out.permute(axis, *(d for d in range(out.ndim) if d != axis))
        return out.unsqueeze(axis + 1) if keepdim else out

    def bincount(self, weights: Tensor | None = None, minlength: _int = 0) -> Tensor:
        """How often each value 0, 1, ... occurs in a 1-D tensor of non-negative ints
        (int64), at least ``minlength`` counts; with ``weights``, the sum of the weights of
        each value's elements (float32 for float32 weights, float64 for any other)."""
        data = self._data
        if data.dtype.kind not in "iub" or data.dtype == np.bool_:
            raise NotImplementedError(f"\"bincount_cpu\" not implemented for "
                                      f"'{_function._type_name(data)[6:-6]}'")
        if data.ndim != 1 or (data.size and data.min() < 0):
            raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
        if minlength < 0:
            raise RuntimeError("minlength should be >= 0")
        if weights is None:
            return _wrap(np.bincount(data, minlength=minlength).astype(np.int64))
        w = weights._data
        if w.ndim != 1 or w.shape[0] != data.shape[0]:
            raise RuntimeError("weights should be 1-d and have the same length as input")
        out = np.bincount(data, w.astype(np.float64), minlength=minlength)
        return _wrap(out.astype(np.float32 if w.dtype == np.float32 else np.float64))

    def histc(self, bins: _int = 100, min: Any = 0, max: Any = 0) -> Tensor:
        """A histogram: counts of the elements in ``bins`` equal bins over [min, max] (the
        data's range when min == max), in the tensor's float dtype; elements outside are
        not counted, max itself goes in the last bin."""
        data = self._data
        if data.dtype.kind != "f":
            raise NotImplementedError(f"\"histogram_cpu\" not implemented for "
                                      f"'{_function._type_name(data)[6:-6]}'")
        if bins <= 0:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for "
                               "dimension 0")
        lo, hi = data.dtype.type(min), data.dtype.type(max)
        if lo == hi and data.size:
            lo, hi = data.min(), data.max()
        if lo == hi:
            lo, hi = lo - 1, hi + 1
        if lo > hi:
            raise RuntimeError("torch.histc: max must be larger than min")
        inside = data[(data >= lo) & (data <= hi)]
        pos = ((inside - lo) * bins / (hi - lo)).astype(np.int64)
        pos = np.minimum(pos, bins - 1)  # max itself goes in the last bin
        return _wrap(np.bincount(pos, minlength=bins).astype(data.dtype))

    # ------------------------------------------------------------------ scatter, lerp
    def _scatter(self, name: str, dim: _int, index: Tensor, src: Any, add: _bool) -> Tensor:
        idx = SORT.index_array(index, name)
        axis = _norm_axis(dim, self._data.ndim)
        if isinstance(src, Tensor):
            SORT.check_scatter(name, self._data.shape, axis, idx, src._data.shape)
            if src._data.dtype != self._data.dtype:
                raise RuntimeError(f"{name}(): Expected self.dtype to be equal to src.dtype")
            return (SORT.ScatterAddSrc if add else SORT.ScatterSrc).apply(self, src, axis, idx)
        if add:
            raise TypeError(f"{name}(): argument 'src' (position 3) must be Tensor, not "
                            f"{_type(src).__name__}")
        SORT.check_scatter(name, self._data.shape, axis, idx, None)
        return SORT.ScatterValue.apply(self, src, axis, idx)

    def scatter(self, dim: _int, index: Tensor, src: Any = None, *, value: Any = None,
                reduce: str | None = None) -> Tensor:
        """A copy with ``src`` (a tensor, or a number) written at ``index`` along ``dim``:
        ``out[index[i][j]][j] = src[i][j]`` for dim 0. With repeated indices PyTorch does
        not define which write wins (here: the last)."""
        if reduce is not None:
            raise NotImplementedError("scatter(reduce=...) is not supported: use scatter_add "
                                      "or scatter_reduce")
        return self._scatter("scatter", dim, index, value if src is None else src, False)

    def scatter_(self, dim: _int, index: Tensor, src: Any = None, *, value: Any = None,
                 reduce: str | None = None) -> Tensor:
        """In place: ``self = self.scatter(dim, index, src)``."""
        return self._write(lambda t: t.scatter(dim, index, src, value=value, reduce=reduce),
                           src, overlap="any")

    def scatter_add(self, dim: _int, index: Tensor, src: Tensor) -> Tensor:
        """A copy with ``src`` added at ``index`` along ``dim`` (repeated indices add up):
        the adjoint of ``gather``."""
        return self._scatter("scatter_add", dim, index, src, True)

    def scatter_add_(self, dim: _int, index: Tensor, src: Tensor) -> Tensor:
        """In place: ``self = self.scatter_add(dim, index, src)``."""
        return self._write(lambda t: t.scatter_add(dim, index, src), src, overlap="any")

    def lerp(self, end: Tensor, weight: Any) -> Tensor:
        """Linear interpolation ``self + weight * (end - self)`` (weight a number or a
        tensor; the three broadcast together and share one float dtype)."""
        for what, t in (("end", end), ("weight", weight)):
            if isinstance(t, Tensor) and t._data.dtype != self._data.dtype:
                names = {"float32": "float", "float64": "double", "float16": "c10::Half"}
                mine, theirs = self.dtype.name, t.dtype.name
                raise RuntimeError(f"expected dtype {names.get(mine, mine)} for `{what}` but "
                                   f"got dtype {names.get(theirs, theirs)}")
        if self._data.dtype.kind != _FLOAT_KIND:
            raise NotImplementedError(f"\"lerp_kernel_scalar\" not implemented for "
                                      f"'{_function._type_name(self._data)[6:-6]}'")
        if isinstance(weight, Tensor):
            _check_broadcast(self, end)
            _check_broadcast(self, weight)
            return R.Lerp.apply(self, end, weight)
        _check_broadcast(self, end)
        return R.LerpScalar.apply(self, end, _float(weight))

    def lerp_(self, end: Tensor, weight: Any) -> Tensor:
        """In place: ``self = self.lerp(end, weight)``."""
        return self._write(lambda t: t.lerp(end, weight), end, weight)

    def unbind(self, dim: _int = 0) -> tuple[Tensor, ...]:
        """The slices along ``dim``, with that dimension removed."""
        axis = _norm_axis(dim, self.ndim)
        lead = (slice(None),) * axis
        n = self._data.shape[axis]
        out = [_pair(V.Unbind, self, lead + (i,) if axis else i) for i in range(n)]
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
        return V.Flip.apply(self, tuple(index))

    # ------------------------------------------------------------------ indexing
    def __getitem__(self, index: Any) -> Tensor:
        """``x[index]`` by PyTorch's rule (ops/indexing.py): ints, slices, None and ``...``
        give a view; lists, index tensors, masks and Python bools a copy."""
        if type(index) is int and self._data.ndim:  # x[i], as in `a, b, c = params`
            n = self._data.shape[0]
            if -n <= index < n:
                return _pair(V.Select, self, index)
        plan = IX.plan(index, self._data.shape, Tensor)
        if plan.rest is None:
            if len(plan.view) <= 2:  # x[a:b], x[None], x[...]: one op (see _index_view)
                return _basic_index_op(plan).apply(self, plan.view)
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
        (``index_put_``). Writing into a view is recorded on its base (core/views.py)."""
        _check_setitem_value(None, self, value)  # (its type first, as PyTorch)

        def before_advanced(view: tuple[Any, ...]) -> None:  # (index_put_'s first checks)
            target = self if view == (Ellipsis,) else _index_view(
                self, IX.plan(view, self._data.shape))
            target._check_inplace_autograd((value,))

        plan = IX.plan(index, self._data.shape, Tensor, setitem=True,  # None: x[False] = v
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
            target = _basic_index_op(view_plan).apply(self, plan.view)
        if plan.rest is None:
            _copy_to(target, value)
            return
        on_view = _on_view(plan)
        if isinstance(value, Tensor) and not _fills(on_view, value):
            _check_no_overlap(target._data, value._data)  # (before the value's shape)
        _check_setitem_value(plan, self, value)
        if isinstance(value, Tensor) and value._data.ndim and value._data.shape[0] == 1:
            value = value.view(IX._strip_ones(value._data.shape))  # (as PyTorch's setitem)
        target._index_put(on_view, value)

    def _index_put(self, plan: IX.Plan, value: Any) -> Tensor:
        """In place: ``value`` put at the places ``plan`` names (``index_put_``; with one
        mask and one value, PyTorch's ``masked_fill_``, which reads the value as a
        number)."""
        v = value if isinstance(value, Tensor) else _wrap(
            np.asarray(value, dtype=self._data.dtype))
        return self._write(lambda t: V.IndexPut.apply(t, _operand_as(v, t.dtype), plan), v,
                           overlap="none" if _fills(plan, v) else "any")

    def index_put_(self, indices: Any, values: Any, accumulate: _bool = False) -> Tensor:
        """In place: ``values`` put at ``indices`` (a tuple of index tensors), as
        ``x[indices] = values`` with advanced indices only."""
        if accumulate:
            raise NotImplementedError("index_put_(accumulate=True) is not supported yet")
        if not isinstance(indices, (tuple, list)):
            raise TypeError(f"index_put_(): argument 'indices' must be tuple of Tensors, not "
                            f"{_type(indices).__name__}")
        plan = IX.plan(tuple(indices), self._data.shape, Tensor, setitem=True,
                       before_advanced=lambda view: self._check_inplace_autograd((values,)))
        if plan is None:
            return self
        _check_setitem_value(plan, self, values)
        return self._index_put(plan, values)

    # ------------------------------------------------------------------ in place
    def _write(self, compute: Any, *others: Any, overlap: str = "partial") -> Tensor:
        """Every in-place op: ``compute(t)`` is the op out of place, applied to this tensor
        ``t``; its result is written into this tensor's storage.

        When the write is recorded (grad mode on, and this tensor or one of ``others``
        requires grad), ``compute`` gets a stand-in with this tensor's history and a copy
        of its values (the op may save them for backward: they are about to be
        overwritten), and this tensor takes the result's history. A view hands the write
        on to its base (core/views.py). ``overlap``: what sharing of memory between
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
                if isinstance(o, Tensor):
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
            isinstance(o, Tensor) and o.requires_grad for o in others))
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
            _function.move_history(self, node)
            self._requires_grad = True
            _function.watch_output(node, result, self)
        return self

    def _inplace(self, op: Any, other: Any) -> Tensor:
        data = self._data
        ufunc = _INPLACE_UFUNC.get(op)
        base = self._base  # (a view requires grad when its base does)
        mine = self._requires_grad or (base is not None and base._requires_grad)
        if ufunc is not None and data.dtype.kind == _FLOAT_KIND and not (_state.enabled and (
                mine or isinstance(other, Tensor) and other.requires_grad)):
            # fast path: nothing to record, compute straight into our storage
            if isinstance(other, Tensor):
                _check_no_partial_overlap(data, other._data)
            try:
                ufunc(data, other._data if isinstance(other, Tensor) else other, out=data,
                      casting="same_kind")
            except ValueError:  # read-only storage, or numpy's broadcasting error: PyTorch's
                self._check_inplace()
                _check_inplace_broadcast(self, other)
                raise
            _function.bump_version(self)
            return self
        self._check_inplace_autograd((other,))  # (PyTorch's order: autograd's errors,
        if isinstance(other, Tensor):  # the operands' memory, then their shapes)
            _check_no_partial_overlap(data, other._data)
        _check_inplace_broadcast(self, other)
        return self._write(lambda t: t._binary_into(op, other), other)

    def _binary_into(self, op: Any, other: Any) -> Tensor:
        """``op(self, other)`` for an in-place op: ``other`` is promoted, ``self`` never (an
        op on a wider ``other`` computes in its dtype, and the write casts back), so that
        the op's node has ``self`` itself as its first input."""
        a, b = _promote(self, other, op is E.Div)
        if a is not self:
            _check_result_cast(a._data.dtype, self._data.dtype)
        return op.apply(self, b)

    def _inplace_operand(self, op: Any, other: Any, name: str) -> Any:
        """``other`` of an in-place op, checked as PyTorch does: a Tensor or a number, and
        a result dtype that casts to this tensor's (``int_tensor += 0.5`` raises)."""
        if self._data.dtype.kind == _FLOAT_KIND and (_type(other) is _float or isinstance(
                other, Tensor) and other._data.dtype is self._data.dtype):
            return other  # (the common case, as an optimizer's: nothing to check)
        other = _operand(other, name)
        _check_bool_kernel(op, self, other)
        result = dtypes.result_type(self, other)
        if op is E.Div and result.category != dtypes._FLOAT:
            result = dtypes.get_default_dtype()
        _check_result_cast(result.np, self._data.dtype)
        return other

    def add_(self, other: Any, alpha: Any = 1) -> Tensor:
        """In place: ``self += alpha * other``."""
        if alpha == 1 and self._data.dtype.kind == _FLOAT_KIND and (_type(other) is _float or (
                isinstance(other, Tensor) and other._data.dtype is self._data.dtype)):
            return self._inplace(E.Add, other)  # (an optimizer's update: nothing to check)
        if _scaled_by_op(self, other, alpha) and _state.enabled and (
                self.requires_grad or other.requires_grad):  # recorded: one node
            return self._write(lambda t: t.add(other, alpha=alpha), other)
        if isinstance(other, Tensor):  # (the operand given, not alpha * operand)
            _check_no_partial_overlap(self._data, other._data)
        other = _scaled(self, other, alpha, "add_")
        return self._inplace(E.Add, self._inplace_operand(E.Add, other, "add_"))

    def sub_(self, other: Any, alpha: Any = 1) -> Tensor:
        """In place: ``self -= alpha * other``."""
        if alpha == 1 and self._data.dtype.kind == _FLOAT_KIND and (_type(other) is _float or (
                isinstance(other, Tensor) and other._data.dtype is self._data.dtype)):
            return self._inplace(E.Sub, other)  # (an optimizer's update: nothing to check)
        _check_bool_kernel(E.Sub, self, _operand(other, "sub_"))
        if _scaled_by_op(self, other, alpha) and _state.enabled and (
                self.requires_grad or other.requires_grad):  # recorded: one node
            return self._write(lambda t: t.sub(other, alpha=alpha), other)
        if isinstance(other, Tensor):  # (the operand given, not alpha * operand)
            _check_no_partial_overlap(self._data, other._data)
        other = _scaled(self, other, alpha, "sub_")
        return self._inplace(E.Sub, self._inplace_operand(E.Sub, other, "sub_"))

    def mul_(self, other: Any) -> Tensor:
        """In place: ``self *= other``."""
        return self._inplace(E.Mul, self._inplace_operand(E.Mul, other, "mul_"))

    def div_(self, other: Any) -> Tensor:
        """In place: ``self /= other``."""
        return self._inplace(E.Div, self._inplace_operand(E.Div, other, "div_"))

    # an operand that is no number nor Tensor (an ndarray): NotImplemented, so that Python
    # falls back to ``x = x + other`` (numpy computes it), as with PyTorch
    def __iadd__(self, other: Any) -> Tensor:  # type: ignore[misc]
        return self.add_(other) if _is_operand(other) else NotImplemented

    def __isub__(self, other: Any) -> Tensor:  # type: ignore[misc]
        return self.sub_(other) if _is_operand(other) else NotImplemented

    def __imul__(self, other: Any) -> Tensor:  # type: ignore[misc]
        return self.mul_(other) if _is_operand(other) else NotImplemented

    def __itruediv__(self, other: Any) -> Tensor:  # type: ignore[misc]
        return self.div_(other) if _is_operand(other) else NotImplemented

    def pow_(self, exponent: Any) -> Tensor:
        """In place: ``self **= exponent``."""
        return self._write(lambda t: t.pow(exponent), exponent)

    __ipow__ = pow_

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:
        """In place: limit values to [min, max]."""
        return self._write(lambda t: t.clamp(min, max), min, max)

    clip_ = clamp_

    def zero_(self) -> Tensor:
        """In place: set every element to 0."""
        return self._write(lambda t: INPLACE.Zero.apply(t, 0))

    def fill_(self, value: Any) -> Tensor:
        """In place: set every element to ``value`` (a number or a 0-d tensor)."""
        if isinstance(value, Tensor):
            self._check_inplace_autograd((value,))  # (PyTorch's order: these errors first)
            if value._data.ndim:
                raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got "
                                   f"tensor with {value._data.ndim} dimensions.")
            return self._write(lambda t: INPLACE.FillTensor.apply(t, value), value,
                               overlap="none")
        number = dtypes.checked_scalar(_operand(value, "fill_"), self.dtype)
        return self._write(lambda t: INPLACE.Fill.apply(t, number))

    def copy_(self, src: Tensor, non_blocking: _bool = False) -> Tensor:
        """In place: copy ``src``'s values (broadcast to this shape, cast to this dtype)."""
        src = _as_tensor_like(src, self)
        self._check_inplace_autograd((src,))  # (PyTorch's order: autograd's errors, the
        _check_no_partial_overlap(self._data, src._data)  # operands' memory, the shapes)
        _check_inplace_broadcast(self, src)
        return self._write(lambda t: INPLACE.Copy.apply(t, src), src)

    def masked_fill(self, mask: Tensor, value: Any) -> Tensor:
        """A copy with ``value`` (a number or a 0-d tensor) where ``mask`` is True."""
        m = _data_of(mask)
        if not isinstance(m, np.ndarray) or m.dtype != np.bool_:
            raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with "
                               f"dtype {dtypes.from_numpy(np.asarray(m).dtype)}")
        _check_broadcast(_wrap(m), self)  # (PyTorch's order: the mask is tensor a)
        if isinstance(value, Tensor):
            if value._data.ndim:
                raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, "
                                   f"but got tensor with {value._data.ndim} dimension(s).")
            return INPLACE.MaskedFillTensor.apply(self, m, value)
        number = dtypes.checked_scalar(_operand(value, "masked_fill"), self.dtype)
        return INPLACE.MaskedFill.apply(self, m, number)

    def masked_fill_(self, mask: Tensor, value: Any) -> Tensor:
        """In place: ``value`` where ``mask`` is True."""
        if isinstance(mask, Tensor):  # (PyTorch's order: autograd's errors, then the shapes)
            self._check_inplace_autograd((value,))
            _check_broadcast(self, mask)
        return self._write(lambda t: t.masked_fill(mask, value), value, overlap="none")

    # ------------------------------------------------------------ random (PyTorch's streams)
    # Each draws from tinygrad_edu.random's generator exactly what PyTorch's CPU kernel draws,
    # and fills the tensor in PyTorch's order: its memory order (a transposed view by columns).

    def uniform_(self, a: _float = 0.0, b: _float = 1.0, generator: Any = None) -> Tensor:
        """In place: fill with U(a, b) samples (the same stream as PyTorch's)."""
        from . import random as _random

        return self._fill_random(_random.uniform(self._data.shape, a, b, self._data.dtype,
                                                 generator=generator), "UniformBackward0")

    def normal_(self, mean: _float = 0.0, std: _float = 1.0, generator: Any = None) -> Tensor:
        """In place: fill with N(mean, std**2) samples (the same stream as PyTorch's)."""
        from . import random as _random

        values = _random.normal(self._data.shape, mean, std, self._data.dtype,
                                generator=generator, contiguous=self._data.flags.c_contiguous)
        return self._fill_random(values, "NormalBackward0")

    def bernoulli_(self, p: Any = 0.5, *, generator: Any = None) -> Tensor:
        """In place: 1 with probability ``p`` (a number, or a tensor broadcast to this one's
        shape, one probability per element), else 0; PyTorch's stream. Any dtype.

        >>> _ = tg.manual_seed(0); tg.zeros(5).bernoulli_(0.5)
        tensor([0., 0., 1., 0., 0.])
        """
        from . import random as _random

        _random.check_generator(generator, "bernoulli_")
        if isinstance(p, Tensor):
            self._check_inplace()
            if self._data.size == 0:
                return self
            probs = p.expand(self.shape)._data  # (PyTorch's expand errors)
            values = _random.bernoulli_tensor(_random.draw_order(probs, self._data),
                                              self._data.dtype, generator)
            return self._fill_random(values, "BernoulliBackward1")  # (PyTorch's names)
        if isinstance(p, str) or not isinstance(p, (_int, _float, np.number)):
            raise TypeError(
                f"bernoulli_() received an invalid combination of arguments - got "
                f"({_type(p).__name__}), but expected one of:\n"
                " * (Tensor p, *, torch.Generator generator = None)\n"
                " * (float p = 0.5, *, torch.Generator generator = None)"
            )
        return self._fill_random(_random.bernoulli(self._data.shape, _float(p), self._data.dtype,
                                                   generator), "BernoulliBackward2")

    def bernoulli(self, p: Any = None, *, generator: Any = None) -> Tensor:
        """0/1 samples in this tensor's dtype: ``bernoulli()`` takes each element as its
        probability, ``bernoulli(p)`` uses the number ``p`` for all. PyTorch's stream.

        >>> _ = tg.manual_seed(0); tg.tensor([0.0, 1.0, 0.5]).bernoulli()
        tensor([0., 1., 1.])
        """
        from . import random as _random

        _random.check_generator(generator, "bernoulli")
        if p is None:
            values = _random.bernoulli_tensor(self._data, None, generator)
            op: Any = INPLACE.BernoulliOf
        else:  # PyTorch records this one as not differentiable
            prob = _random.float_arg(p, "bernoulli", "p", 1)
            values = _random.bernoulli(self._data.shape, prob, self._data.dtype, generator)
            op = INPLACE.BernoulliNotDifferentiable
        if self._requires_grad and _state.enabled and values.dtype.kind == _FLOAT_KIND:
            return op.apply(self, values)
        return _wrap(values)

    def exponential_(self, lambd: Any = 1.0, *, generator: Any = None) -> Tensor:
        """In place: Exp(``lambd``) samples, ``-log1p(-u) / lambd`` (PyTorch's stream).

        >>> _ = tg.manual_seed(0); tg.empty(3, dtype=tg.float64).exponential_()
        tensor([3.5083, 1.2304, 0.6150], dtype=tinygrad_edu.float64)
        """
        from . import random as _random

        lam = _random.float_arg(lambd, "exponential_", "lambd", 1)
        values = _random.exponential(self._data.shape, lam, self._data.dtype,
                                     _random.check_generator(generator, "exponential_"))
        return self._fill_random(values, "ExponentialBackward0")

    def geometric_(self, p: Any, *, generator: Any = None) -> Tensor:
        """In place: the number of Bernoulli(``p``) trials to the first success (PyTorch's
        stream); integer dtypes too.

        >>> _ = tg.manual_seed(0); tg.empty(5).geometric_(0.5)
        tensor([1., 1., 2., 1., 1.])
        """
        from . import random as _random

        prob = _random.float_arg(p, "geometric_", "p", 1)
        values = _random.geometric(self._data.shape, prob, self._data.dtype,
                                   _random.check_generator(generator, "geometric_"))
        return self._fill_random(values, "GeometricBackward0")

    def cauchy_(self, median: Any = 0.0, sigma: Any = 1.0, *, generator: Any = None) -> Tensor:
        """In place: Cauchy(``median``, ``sigma``) samples (PyTorch's stream).

        >>> _ = tg.manual_seed(0); tg.empty(2).cauchy_()
        tensor([10.5977,  0.7648])
        """
        from . import random as _random

        m = _random.float_arg(median, "cauchy_", "median", 1)
        s = _random.float_arg(sigma, "cauchy_", "sigma", 2)
        values = _random.cauchy(self._data.shape, m, s, self._data.dtype,
                                _random.check_generator(generator, "cauchy_"))
        return self._fill_random(values, "CauchyBackward0")

    def log_normal_(self, mean: Any = 1.0, std: Any = 2.0, *, generator: Any = None) -> Tensor:
        """In place: ``exp`` of N(``mean``, ``std**2``) samples (PyTorch's stream).

        >>> _ = tg.manual_seed(0); tg.empty(2).log_normal_(0.0, 1.0)
        tensor([4.6692, 0.7457])
        """
        from . import random as _random

        m = _random.float_arg(mean, "log_normal_", "mean", 1)
        s = _random.float_arg(std, "log_normal_", "std", 2)
        values = _random.log_normal(self._data.shape, m, s, self._data.dtype,
                                    _random.check_generator(generator, "log_normal_"))
        return self._fill_random(values, "LogNormalBackward0")

    def random_(self, *args: Any, generator: Any = None, **kwargs: Any) -> Tensor:
        """In place: random integers (PyTorch's stream). ``random_()`` draws from [0, the
        dtype's largest exact integer], ``random_(to)`` from [0, to), ``random_(from, to)``
        from [from, to) and ``random_(from, None)`` from [from, the dtype's largest].

        >>> _ = tg.manual_seed(0); tg.empty(4, dtype=tg.int64).random_(-3, 3)
        tensor([-1,  0,  2, -3])
        """
        from . import random as _random

        bounds = _random.random_bounds(args, kwargs)
        gen = _random.check_generator(generator, "random_")
        if bounds is None:
            values = _random.random_(self._data.shape, self._data.dtype, gen)
            return self._fill_random(values, "RandomBackward2")
        values = _random.random_from_to(self._data.shape, bounds[0], bounds[1],
                                        self._data.dtype, gen)
        one_bound = len(args) + len(kwargs) == 1
        return self._fill_random(values, "RandomBackward1" if one_bound else "RandomBackward0")

    def multinomial(self, num_samples: Any, replacement: _bool = False, *,
                    generator: Any = None) -> Tensor:
        """``num_samples`` category indices (int64) from the weights in this 1-D tensor, or in
        each row of a 2-D one; PyTorch's algorithms and stream, with or without replacement.

        >>> g = tg.Generator().manual_seed(2147483647)
        >>> tg.tensor([0.1, 0.6, 0.3]).multinomial(1, replacement=True, generator=g)
        tensor([1])
        """
        from . import random as _random

        n = _random.int_arg(num_samples, "multinomial", "num_samples", 1)
        if not isinstance(replacement, (_bool, np.bool_)):
            raise TypeError(f"multinomial(): argument 'replacement' must be bool, not "
                            f"{_type(replacement).__name__}")
        gen = _random.check_generator(generator, "multinomial")
        return _wrap(_random.multinomial(self._data, n, _bool(replacement), gen))

    def _fill_random(self, values: np.ndarray, grad_fn: str) -> Tensor:
        """In place: ``values`` (in the order PyTorch draws them) into this tensor's memory.

        On a tensor that requires grad (a non-leaf) the new values have a zero gradient:
        the node is PyTorch's (``UniformBackward0`` ...: ops/inplace.py).
        """
        from . import random as _random

        arranged = _random.arrange(values, self._data)
        op = INPLACE.RANDOM_FILLS[grad_fn]
        return self._write(lambda t: op.apply(t, arranged))


class _MinMax(tuple):
    """``(values, indices)`` returned by ``max(dim)``, ``min(dim)``, ``sort``, ``topk``,
    ``kthvalue``, ``median(dim)`` and ``mode``; prints as PyTorch's
    ``torch.return_types.max(values=..., indices=...)``, with the op's name."""

    _name: str

    @property
    def values(self) -> Tensor:
        """The extreme values."""
        return self[0]

    @property
    def indices(self) -> Tensor:
        """Where they are along the dimension."""
        return self[1]

    def __new__(cls, values: Tensor, indices: Tensor, name: str) -> _MinMax:
        result = super().__new__(cls, (values, indices))
        result._name = name
        return result

    def __getnewargs__(self) -> tuple[Any, ...]:  # (copy and pickle call __new__ with these)
        return (self[0], self[1], self._name)

    def __repr__(self) -> str:
        return (f"tinygrad_edu.return_types.{self._name}(\nvalues={self[0]!r},\n"
                f"indices={self[1]!r})")


class _CumSum(E._Op):
    _grad_fn_name = "CumsumBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, axis: _int) -> Any:
        ctx.meta = axis
        return R.scan(np.add, x, axis)  # float32 added in float64, as PyTorch's kernel

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        axis = ctx.meta
        if grad.ndim == 0 or grad.shape[axis] == 1:  # the identity (as PyTorch's)
            return grad, None
        # each input adds into every later output: the gradient is a reversed cumsum
        if isinstance(grad, Tensor):
            return grad.flip(axis).cumsum(axis).flip(axis), None
        return np.flip(R.scan(np.add, np.flip(grad, axis), axis), axis), None



_pair, _ONE = _function.apply_pair, _function.NO_ARG


_INPLACE_UFUNC = {E.Add: np.add, E.Sub: np.subtract, E.Mul: np.multiply, E.Div: np.true_divide}


def _inplace_form(name: str) -> Any:
    """``x.<name>_(...)``: ``x.<name>(...)`` written into ``x``'s storage (recorded, as
    PyTorch's in-place ops, when ``x`` is in a graph)."""
    method = getattr(Tensor, name)
    signature = inspect.signature(method)

    def inplace(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        if kwargs:  # a misspelt keyword raises TypeError before anything else is checked
            signature.bind(self, *args, **kwargs)
        return self._write(lambda t: method(t, *args, **kwargs), *args, *kwargs.values())

    inplace.__name__ = inplace.__qualname__ = name + "_"
    inplace.__doc__ = f"In place: ``self = self.{name}(...)``."
    inplace.__signature__ = signature  # type: ignore[attr-defined]
    return inplace


for _name in ("abs neg exp log log1p sqrt rsqrt reciprocal square sin cos tanh sigmoid relu "
              "sign floor ceil round trunc fix frac clamp_min clamp_max").split():
    setattr(Tensor, _name + "_", _inplace_form(_name))


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


def _several_views(views: list[Tensor], name: str) -> None:
    """Mark the views one op returned together (split, chunk, unbind): as in PyTorch, they
    may not be written in place while grad mode is on (core/views.py)."""
    if not views or views[0]._base is None:
        return  # (numpy copied: not views)
    no_grad = views[0]._view_kind == _function.NO_GRAD_VIEW  # (made under no_grad)
    if not no_grad:
        for k, t in enumerate(views):
            t._view_kind = (name, k)
            if t._grad_fn is not None:  # (PyTorch's one node: next_functions say output k)
                t._grad_fn._output_nr = k


def _copy_to(dst: Tensor, value: Any) -> None:
    """``dst[...] = value`` as PyTorch's setitem does it: a tensor of the same shape is
    copied, a 0-d one (or a number) fills, any other has its leading 1s dropped and is
    expanded, then copied."""
    if not isinstance(value, Tensor):
        value = _wrap(np.asarray(value, dtype=dst._data.dtype))
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


def _rebuild(data: np.ndarray, requires_grad: _bool) -> Tensor:
    return _wrap(data, requires_grad)


# -------------------------------------------------------------------- helpers
def _data_of(x: Any) -> Any:
    """The ndarray of a Tensor; other values as they are."""
    return x._data if isinstance(x, Tensor) else x


def _alias(dim: Any, axis: Any, keepdim: _bool, keepdims: _bool | None) -> tuple[Any, _bool]:
    """Accept numpy's ``axis``/``keepdims`` spellings, as PyTorch does."""
    return (axis if dim is None else dim), (keepdim if keepdims is None else keepdims)


def _correction(unbiased: _bool | None, correction: _float | None) -> _float:
    if correction is not None:
        return correction
    return 0 if unbiased is False else 1


def _scalar_name(x: Tensor) -> str:
    """PyTorch's name of a dtype in messages: Float, Double, Long, Bool, ..."""
    return _function._type_name(x._data)[6:-6]  # torch.FloatTensor -> Float


def _check_nonempty_dims(data: np.ndarray, axes: tuple[_int, ...] | None, name: str,
                         whole: type[Exception] = RuntimeError) -> None:
    """PyTorch's errors for a max-like reduction (no identity) of an empty dim: naming the
    dim (IndexError), or asking for one when reducing everything (``whole``)."""
    if data.size and axes is not None or not data.size and axes is None:
        if axes is None:
            hint = "" if whole is IndexError else (" Specify the reduction dim with the 'dim' "
                                                   "argument.")
            raise whole(f"{name}(): Expected reduction dim to be specified for input.numel() "
                        f"== 0.{hint}")
        return
    for a in axes or ():
        if data.shape[a] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {a} to have non-zero size.")


def _need_float_kernel(x: Tensor, name: str, axis: _int) -> None:
    """softmax/log_softmax have float kernels only (as PyTorch's: pass ``dtype=``); an
    empty tensor runs no kernel."""
    if x._data.dtype.kind != _FLOAT_KIND and x._data.size:
        kernel = f"{name}_lastdim_kernel_impl" if axis == max(x._data.ndim, 1) - 1 else \
            f"{name}_kernel_impl"
        error = E.not_implemented(kernel, x._data.dtype)
        raise NotImplementedError(f"{error} Hint: pass dtype=tinygrad_edu.float32, or call "
                                  ".float() first.")


def _check_norm_identity(data: np.ndarray, p: _float, axes: tuple[_int, ...] | None) -> None:
    """A norm with no identity (p = inf, or p < 0) of an empty slice raises, as PyTorch."""
    if p >= 0 and not math.isinf(p) or data.size:
        return
    shown = str(p) if math.isinf(p) or p != _int(p) else str(_int(p))
    empty = [a for a in (axes or ()) if data.shape[a] == 0]
    if axes is None:
        raise RuntimeError(f"linalg.vector_norm cannot compute the {shown} norm on an empty "
                           "tensor because the operation does not have an identity")
    if empty:
        raise RuntimeError(f"linalg.vector_norm cannot compute the {shown} norm on the "
                           f"dimension {empty[0]}because this dimension is empty and the "
                           "operation does not have an identity")


def _need_float(x: Tensor, name: str) -> None:
    if x._data.dtype.kind != _FLOAT_KIND:
        raise RuntimeError(
            f"{name}(): could not infer output dtype. Input dtype must be either a floating "
            f"point or complex dtype. Got: {x.dtype.name.title().replace('Int64', 'Long')}"
        )


def _as_tensor_like(value: Any, like: Tensor) -> Tensor:
    """``value`` as a Tensor; Python numbers take ``like``'s dtype category rules."""
    if isinstance(value, Tensor):
        return value
    number = dtypes.python_scalar(value)
    if number is not None:
        dtype = dtypes.result_type(like, number)
        return _wrap(np.asarray(dtypes.checked_scalar(number, dtype), dtype=dtype.np))
    from .creation import tensor as make

    return make(value)


def _operand_error(name: str, other: Any, numbers: _bool = True) -> TypeError:
    """PyTorch's TypeError for a method's ``other`` that is neither a Tensor nor a number."""
    kind = _type(other)
    spelled = kind.__name__ if kind.__module__ == "builtins" else \
        f"{kind.__module__}.{kind.__name__}"
    hint = " Hint: convert it first with tg.tensor(...)." if isinstance(
        other, (np.ndarray, list, tuple)) else ""
    return TypeError(f"{name}(): argument 'other' (position 1) must be Tensor"
                     f"{' or Number' if numbers else ''}, not {spelled}.{hint}")


def _is_operand(other: Any) -> _bool:
    """True for a Tensor or a number (numpy scalars included)."""
    return isinstance(other, Tensor) or dtypes.python_scalar(other) is not None


def _operand(other: Any, name: str) -> Any:
    """A method's ``other``: a Tensor, or a number (numpy scalars as Python numbers)."""
    if isinstance(other, Tensor):
        return other
    number = dtypes.python_scalar(other)
    if number is None:
        raise _operand_error(name, other)
    return number


def _logic_operand(other: Any, name: str | None) -> Any:
    """As ``_operand``; for an operator (``name`` None) anything else is NotImplemented."""
    if isinstance(other, Tensor):
        return other.detach()
    number = dtypes.python_scalar(other)
    if number is None:
        if name is None:
            return NotImplemented
        raise _operand_error(name, other)
    return number


def _scaled_by_op(x: Tensor, other: Any, alpha: Any) -> _bool:
    """add/sub of a tensor with a number ``alpha`` other than 1, in floating point: one
    op (``AddScaled``), not a product node and a sum node."""
    return (isinstance(other, Tensor) and _type(alpha) in (_int, _float) and alpha != 1
            and x._data.dtype.kind == _FLOAT_KIND and other._data.dtype.kind == _FLOAT_KIND)


def _scaled(x: Tensor, other: Any, alpha: Any, name: str) -> Any:
    """``alpha * other`` for add/sub(alpha=...), with PyTorch's check of alpha's type."""
    if _type(alpha) is _int and alpha == 1:
        return other
    other = _operand(other, name)
    number = dtypes.python_scalar(alpha)
    if number is None:
        raise TypeError(f"{name}(): argument 'alpha' must be Number, not {_type(alpha).__name__}")
    result = dtypes.result_type(x, other)
    if result.category != dtypes._FLOAT and isinstance(number, _float):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")
    if isinstance(number, _bool) and result is not dtypes.bool:
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if result is dtypes.bool:  # computed in bool: alpha * other is "alpha and other"
        return other if number else other & False
    if isinstance(other, Tensor):  # alpha * other in the result dtype, as PyTorch computes
        return (other if other._data.dtype == result.np else other.to(result)) * number
    if result.category == dtypes._INT:
        return dtypes.wrap_int(_int(other) * _int(number), result.np, check=False)
    return _float(other) * number


_BOOL_KERNELS = {E.FloorDivide: "div_floor_cpu", E.Remainder: "remainder_cpu",
                 E.RemainderTensor: "remainder_cpu", E.RemainderOfNumber: "remainder_cpu",
                 E.DivRounding: "div_trunc_cpu"}
_BOOL_CHECKED = {E.Sub, E.RSub, *_BOOL_KERNELS}


def _check_bool_kernel(op: Any, x: Tensor, other: Any) -> None:
    """PyTorch's refusals for bools: no subtraction with a bool operand, and no floor
    division or remainder of two bools (no integer kernel for them)."""
    x_bool = x._data.dtype == np.bool_
    other_bool = isinstance(other, _bool) or (isinstance(other, Tensor) and
                                              other._data.dtype == np.bool_)
    if op is E.Sub or op is E.RSub:
        if x_bool and other_bool:
            raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                               "supported. Use the `^` or `logical_xor()` operator instead.")
        if x_bool or other_bool:
            raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not "
                               "supported. If you are trying to invert a mask, use the `~` or "
                               "`logical_not()` operator instead.")
    elif op in _BOOL_KERNELS and x_bool and other_bool:
        raise NotImplementedError(f"\"{_BOOL_KERNELS[op]}\" not implemented for 'Bool'")


_INT_DIVISIONS = (E.FloorDivide, E.Remainder, E.RemainderTensor, E.RemainderOfNumber)
_ARRAY_UFUNCS = {E.Add: np.add, E.Sub: np.subtract, E.Mul: np.multiply, E.Div: np.true_divide,
                 E.FloorDivide: np.floor_divide, E.Remainder: np.remainder,
                 E.RemainderTensor: np.remainder}


def _check_int_division(divisor: Any, like: Tensor) -> None:
    """Integer division (``//``, ``%``, rounded ``div``) by zero raises, as in PyTorch
    (numpy would give 0 with a warning); float division gives inf or nan."""
    if like._data.dtype.kind in "iub" and not np.all(_data_of(divisor)):
        raise RuntimeError("ZeroDivisionError")


def _check_result_cast(result: np.dtype, out: np.dtype) -> None:
    """An in-place op's result must cast to the tensor's own dtype under PyTorch's rule:
    never a float into an int or bool tensor, nor a number into a bool tensor."""
    if (result.kind == _FLOAT_KIND and out.kind != _FLOAT_KIND) or (
            out == np.bool_ and result != np.bool_):
        names = (_function._type_name(np.empty(0, d))[6:-6] for d in (result, out))
        raise RuntimeError("result type {} can't be cast to the desired output type {}".format(
            *names))


def _promote(a: Tensor, b: Any, true_div: _bool = False) -> tuple[Tensor, Any]:
    """Operands cast to the result dtype (PyTorch's rules); numbers stay Python numbers.

    ``b`` is a Tensor or a number; numpy scalars count as Python numbers (weak: a float32
    tensor times ``np.float64(0.5)`` stays float32). An int that the result dtype cannot
    hold wraps, as in PyTorch (``uint8_tensor + 300`` adds 44).
    """
    a_dtype = a._data.dtype
    if isinstance(b, Tensor):
        if b._data.dtype is a_dtype and (a_dtype.kind == _FLOAT_KIND or not true_div):
            return a, b
    else:
        kind = _type(b)
        if kind is not _float and kind is not _int and kind is not _bool:
            number = dtypes.python_scalar(b)
            if number is None:
                raise TypeError(f"unsupported operand type for a Tensor op: "
                                f"'{_type(b).__name__}'")
            b, kind = number, _type(number)
        if kind is _float:
            if a_dtype.kind == _FLOAT_KIND:
                return a, b
        elif kind is _int:
            if a_dtype.kind == _FLOAT_KIND:
                dtypes.check_int_range(b)
                return a, b
            if a_dtype.kind in "iu" and not true_div:
                return a, dtypes.wrap_int(b, a_dtype)
    dtype = dtypes.result_type(a, b)
    if true_div and dtype.category != dtypes._FLOAT:
        dtype = dtypes.get_default_dtype()
    np_dtype = dtype.np
    a = _operand_as(a, dtype)
    if isinstance(b, Tensor):
        b = _operand_as(b, dtype)
    elif np_dtype.kind == _FLOAT_KIND:
        if _type(b) is _int:
            dtypes.check_int_range(b)
        b = float(b)
    elif np_dtype.kind != "b":
        b = dtypes.wrap_int(int(b), np_dtype)
    _check_broadcast(a, b)
    return a, b
def _operand_as(t: Tensor, dtype: DType) -> Tensor:
    """``t``'s values in ``dtype``, for an op that computes in a promoted dtype, with no node
    of its own: PyTorch casts inside such ops (``f32 + f64`` is one ``AddBackward0`` whose
    inputs are the two leaves), and the engine casts each gradient back to its input's
    dtype. The copy stands for ``t`` in the graph: it sends its gradient where ``t`` would
    (``t``'s node, or ``t`` itself for a leaf) and shares ``t``'s version counter, so an
    in-place change of ``t`` after the op is caught if the op saved it."""
    if t._data.dtype == dtype.np:
        return t
    if t._base is not None and t._vc[0] != t._view_version and _state.enabled:
        t._refresh_view()  # (a view, written since its history was made: see apply_pair)
    out = _wrap(t._data.astype(dtype.np))
    if t._requires_grad and _state.enabled:
        out._requires_grad = True
        out._grad_fn = t if t._grad_fn is None else t._grad_fn
        out._vc = _function.shared_version(t)
        out._stands_for = t  # (for the message of a failed version check)
    return out


def _check_broadcast(a: Tensor, b: Any) -> None:
    if isinstance(b, Tensor):
        try:
            np.broadcast_shapes(a._data.shape, b._data.shape)
        except ValueError:
            raise _broadcast_error(a._data.shape, b._data.shape) from None


def _check_inplace_broadcast(out: Tensor, other: Any) -> None:
    """An in-place op needs ``other`` to broadcast to ``out``'s own shape."""
    if isinstance(other, Tensor):
        _check_broadcast(out, other)
        shape = np.broadcast_shapes(out._data.shape, other._data.shape)
        if shape != out._data.shape:
            raise RuntimeError(
                f"output with shape {list(out._data.shape)} doesn't match the broadcast shape "
                f"{list(shape)}. Hint: an in-place op cannot change the shape of its tensor; "
                "use the out-of-place form (x = x + y)."
            ) from None  # (raised while numpy's ValueError is handled: hide it)


def _broadcast_error(sa: tuple[_int, ...], sb: tuple[_int, ...]) -> RuntimeError:
    for i in range(1, min(len(sa), len(sb)) + 1):
        if sa[-i] != sb[-i] and sa[-i] != 1 and sb[-i] != 1:
            dim = max(len(sa), len(sb)) - i
            return RuntimeError(
                f"The size of tensor a ({sa[-i]}) must match the size of tensor b ({sb[-i]}) at "
                f"non-singleton dimension {dim}. Hint: shapes {list(sa)} and {list(sb)} do not "
                "broadcast; reshape or unsqueeze one of them."
            )
    return RuntimeError(f"shapes {list(sa)} and {list(sb)} cannot be broadcast together")


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


def _check_matmul(a: Tensor, b: Tensor) -> None:
    """PyTorch's errors for ``a @ b``, in its order: ranks, a dot's dtypes, shapes, then
    the dtypes, in the words of the kernel the ranks lead to (mv, mm or bmm)."""
    sa, sb = a._data.shape, b._data.shape
    da, db = a._data.dtype, b._data.dtype
    if not sa or not sb:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{len(sa)}D and {len(sb)}D")
    if len(sa) == len(sb) == 1 and da != db:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{M._scalar_name(da)} and {M._scalar_name(db)}{_MATMUL_HINT}")
    _check_matmul_shapes(sa, sb)
    if da is db and da.kind == _FLOAT_KIND:
        return  # (the usual case: nothing more to check)
    kernel = ("dot" if len(sa) == len(sb) == 1 else "addmv_impl_cpu" if len(sb) == 1 else
              "addmm_impl_cpu_" if len(sb) == 2 else "bmm")
    if da == np.bool_ and (db == np.bool_ or kernel == "bmm"):  # no bool kernels
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")
    if da != db:
        if kernel == "addmv_impl_cpu":
            names = [M._scalar_name(d) for d in (db, da, db)]
            message = "addmv input tensors must have the same dtype, but got {}, {}, and {}"
        elif kernel == "addmm_impl_cpu_":
            names = [M._CPP_NAMES.get(str(d), str(d)) for d in (da, db)]
            message = "expected m1 and m2 to have the same dtype, but got: {} != {}"
        else:
            names = [M._scalar_name(d) for d in (da, db)]
            message = "expected scalar type {} but found {}"
        raise RuntimeError(message.format(*names) + _MATMUL_HINT)


_MATMUL_HINT = (". Hint: convert one side, e.g. x.float() (float32) or x.double() "
                "(float64).")


def _check_matmul_shapes(sa: tuple[_int, ...], sb: tuple[_int, ...]) -> None:
    k_a = sa[-1]
    k_b = sb[0] if len(sb) == 1 else sb[-2]
    if len(sa) > 2 or len(sb) > 2:
        try:
            np.broadcast_shapes(sa[:-2], sb[:-2])
        except ValueError:
            raise _broadcast_error(sa[:-2], sb[:-2]) from None
    if k_a != k_b:
        raise _matmul_shape_error(sa, sb)


def _matmul_shape_error(sa: tuple[_int, ...], sb: tuple[_int, ...]) -> RuntimeError:
    """PyTorch's message for the shapes of ``a @ b`` that do not fit, and a hint."""
    k_a, k_b = sa[-1], (sb[0] if len(sb) == 1 else sb[-2])
    if len(sa) == 1 and len(sb) == 1:
        message = (f"inconsistent tensor size, expected tensor [{sa[0]}] and src [{sb[0]}] to "
                   f"have the same number of elements, but got {sa[0]} and {sb[0]} elements "
                   "respectively")
    elif len(sb) == 1:
        rows = int(np.prod(sa[:-1]))
        message = f"size mismatch, got input ({rows}), mat ({rows}x{k_a}), vec ({sb[0]})"
    elif len(sb) > 2:
        batch = int(np.prod(np.broadcast_shapes(sa[:-2], sb[:-2])))
        message = (f"Expected size for first two dimensions of batch2 tensor to be: "
                   f"[{batch}, {k_a}] but got: [{batch}, {k_b}].")
    else:
        ma = "x".join(map(str, sa if len(sa) == 2 else (int(np.prod(sa[:-1])), sa[-1])))
        mb = "x".join(map(str, sb if len(sb) == 2 else (sb[0], 1)))
        message = f"mat1 and mat2 shapes cannot be multiplied ({ma} and {mb})"
    where = "first" if len(sb) <= 2 else "second-to-last"
    return RuntimeError(
        f"{message.rstrip('.')}. Hint: in a @ b, the last dim of a ({k_a}, shape {list(sa)}) "
        f"must equal the {where} dim of b ({k_b}, shape {list(sb)}); fix a shape or use b.T."
    )


def _basic_index_op(plan: IX.Plan) -> type[V.Select]:
    """The view op of an all-basic index, named as PyTorch's node for it."""
    return V.BASIC_INDEX_OPS[plan.kind]


def _index_view(x: Tensor, plan: IX.Plan) -> Tensor:
    """``x[plan.view]``, the basic items of an index, as PyTorch records them: one view op
    per item that changes something, left to right (``x[0, 1:]`` is ``SliceBackward0`` of
    ``SelectBackward0``; a ``:`` that keeps a whole dim makes none), so that
    ``next_functions`` read as PyTorch's. One item (or none) is the plan's own op."""
    view = plan.view
    # (the plan's ``:`` for a dim left whole changes nothing, and the last item is the
    # Ellipsis that ends every view)
    if len(view) - 1 - view.count(IX.ALL) <= 1 and plan.rest is None:
        return _basic_index_op(plan).apply(x, view)  # one op (named by the plan: x[:] slices)
    out, dim = x, 0
    for item in view[:-1]:
        if item is None:
            op: type[V.Select] = V.UnsqueezeIndex
        elif _type(item) is slice:
            if item is IX.ALL:
                dim += 1
                continue
            op = V.Slice
        else:
            out = V.Select.apply(out, (_ALL_SLICE,) * dim + (item, Ellipsis))
            continue  # (an int removes its dim)
        out = op.apply(out, (_ALL_SLICE,) * dim + (item, Ellipsis))
        dim += 1
    return out if out is not x else V.Alias.apply(x, view)


def _fills(plan: IX.Plan, value: Any) -> _bool:
    """Whether ``x[plan] = value`` is PyTorch's ``masked_fill_`` (one mask, one value)."""
    return plan.mask is not None and (not isinstance(value, Tensor) or value._data.size == 1)


def _on_view(plan: IX.Plan) -> IX.Plan:
    """The advanced part of ``plan``, applied to the view its basic items make."""
    return IX.Plan((Ellipsis,), plan.rest, plan.shape, "index", plan.view_shape, plan.mask,
                   plan.uint8)


def _check_setitem_value(plan: IX.Plan | None, x: Tensor, value: Any) -> None:
    """PyTorch's errors for the value of ``x[index] = value``: a tensor or a number (a
    Python one, or a numpy int or float64), whose shape fits the indexed part."""
    if isinstance(value, Tensor):
        if plan is not None:
            IX.check_value(plan, x._data.dtype, value._data.shape, value._data.dtype)
        return
    if not isinstance(value, (_int, _float, np.integer)):  # (bool is an int, np.float64 a float)
        raise TypeError(f"can't assign a {IX.type_name_of(value)} to a "
                        f"{_function._type_name(x._data)}")
    if plan is not None and plan.rest is not None:  # (a number fits any view)
        IX.check_value(plan, x._data.dtype, None, None)


def where(condition: Tensor, input: Any, other: Any) -> Tensor:
    """``input`` where ``condition`` is True, else ``other`` (broadcasting)."""
    cond = _data_of(condition)
    if isinstance(cond, (np.bool_, bool)):  # a comparison of 0-d arrays gives a numpy bool
        cond = np.asarray(cond)
    if not isinstance(cond, np.ndarray) or cond.dtype != np.bool_:
        raise RuntimeError("where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {getattr(condition, 'dtype', type(condition).__name__)}")
    x, y = _operand(input, "where"), _operand(other, "where")
    dtype = dtypes.result_type(x, y)  # numbers (numpy scalars too) are weak, as in PyTorch
    x, y = (_operand_as(v, dtype) if isinstance(v, Tensor) else
            _wrap(np.asarray(dtypes.checked_scalar(v, dtype), dtype=dtype.np)) for v in (x, y))
    for t in (x, y):
        _check_broadcast(_wrap(cond), t)
    _check_broadcast(x, y)
    return E.Where.apply(cond, x, y)


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise maximum (for the dual ops: one side may be a number)."""
    if not isinstance(a, Tensor):
        a, b = b, a
    return a.maximum(_as_tensor_like(b, a))


def zeros_like(t: Tensor) -> Tensor:
    """Zeros with ``t``'s shape and dtype."""
    return _wrap(np.zeros_like(t._data))


_function._Tensor = Tensor
from .autograd import backward as _autograd_backward  # noqa: E402  (autograd needs Tensor)

_dual._Tensor = Tensor
engine._Tensor = Tensor
_function._wrap = _wrap
_ = engine  # the engine module is imported for its side effect of being ready
