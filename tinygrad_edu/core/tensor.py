"""``AutogradTensor``: what autograd keeps on a tensor, and what a user asks of it.

A tensor holds its numpy array (``_data``), whether it ``requires_grad``, the node of the
op that made it (``grad_fn``: None for a leaf), the gradient backward accumulated into it
(``grad``, leaves and ``retain_grad()`` tensors), and a version counter that every
in-place write bumps (shared with its views). ``Tensor`` (tinygrad_edu/tensor.py) is this
class plus shapes and dtypes (tensor_base.py) and the op families (ops/).
"""

from __future__ import annotations

import warnings
import weakref
from typing import TYPE_CHECKING, Any

import numpy as np

from ..dtypes import FLOATING
from ..parity.errors import LEAF_ONLY, NON_LEAF_GRAD, grad_assignment_error, requires_grad_error
from . import engine
from . import function as fn
from .function import Node
from .grad_mode import _teaching
from .hooks import RemovableHandle, hooks_of, tensor_hooks

if TYPE_CHECKING:
    from ..tensor import Tensor


class AutogradTensor:
    """A tensor's autograd state and surface: ``requires_grad``, ``grad``, ``grad_fn``,
    ``backward()``, ``detach()``, hooks."""

    __slots__ = ("_data", "_requires_grad", "_grad_fn", "_grad", "_vc", "_base", "_hooks",
                 "__weakref__")  # (_hooks: set only by register_hook, see core/hooks.py)
    _data: np.ndarray
    _requires_grad: bool
    _grad_fn: Any  # the node that made it (None for a leaf); see the grad_fn property
    _grad: Tensor | None
    _vc: list[int]  # the version counter: writes so far, shared with the views of the storage
    _base: Tensor | None  # for a view: the tensor whose storage it views (ops/views.py)

    if TYPE_CHECKING:  # (defined with views and in-place writes: tensor_base.py)
        _view_version: int
        _view_kind: Any
        def _refresh_view(self) -> None: ...
        def _note_cut(self, t: Tensor, how: str) -> None: ...
        def _autograd_backward(self, *args: Any) -> None: ...

    @property
    def requires_grad(self) -> bool:
        """Whether operations on this tensor are recorded for backward (for a view: its
        base's, as in PyTorch)."""
        base = self._base
        return self._requires_grad or (base is not None and base._requires_grad)

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if value and self._data.dtype not in FLOATING:
            raise requires_grad_error(self.dtype, "setter")  # type: ignore[attr-defined]
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place (leaves only) and return self."""
        if not requires_grad and self._grad_fn is not None:  # (as it stands: not made anew)
            raise RuntimeError(LEAF_ONLY)
        if requires_grad and self._data.dtype not in FLOATING:
            raise requires_grad_error(self.dtype, "requires_grad_")  # type: ignore[attr-defined]
        if self._grad_fn is None:
            self._requires_grad = bool(requires_grad)
            if requires_grad and fn.no_history(self):
                self._view_kind = fn.NO_GRAD_LEAF  # a leaf of its own now (.grad)
        return self  # type: ignore[return-value]

    @property
    def grad_fn(self) -> Any:
        """The node of the op that made this tensor (``MulBackward0``): its backward is
        what ``backward()`` runs. None for a leaf (made by the user)."""
        if self._base is not None:
            self._refresh_view()  # (a view of a base written since: its history anew)
        edge = self._grad_fn  # (output k of a Function with several outputs: its node)
        return edge if edge is None or isinstance(edge, Node) else edge.node

    @property
    def is_leaf(self) -> bool:
        """True for tensors not produced by a recorded op (their ``.grad`` is kept)."""
        return self.grad_fn is None

    @property
    def _version(self) -> int:
        """How many times this tensor's storage was written in place (PyTorch's
        ``_version``): backward compares it with what each op saw."""
        return self._vc[0]

    @property
    def grad(self) -> Tensor | None:
        """The accumulated gradient (leaves and ``retain_grad()`` tensors), else None."""
        if self._grad_fn is not None and self._grad is None and not self.retains_grad:
            warnings.warn(NON_LEAF_GRAD, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:  # (it must be a Tensor like this one)
            error = grad_assignment_error(value, self._data, isinstance(value, AutogradTensor))
            if error is not None:
                raise error
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def retains_grad(self) -> bool:
        """True for a non-leaf tensor that called ``retain_grad()``."""
        edge = self._grad_fn  # (a retain_grad moves with a view's history made anew)
        return edge is not None and edge._retained is not None and edge._retained() is self

    def retain_grad(self) -> None:
        """Keep this non-leaf tensor's gradient in ``.grad`` after backward."""
        if self.grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        self._grad_fn._retained = weakref.ref(self)  # (its node, or its Output edge)

    def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        """Accumulate d(self)/d(leaf) into ``.grad`` of every leaf that requires grad.

        A non-scalar tensor needs ``gradient``: the vector in the vector-Jacobian product.
        The graph's saved values are freed unless ``retain_graph=True``.
        """
        if gradient is None and inputs is None and not create_graph and self._data.ndim == 0 \
                and (self._grad_fn is not None or self._base is not None) \
                and _teaching.hooks is None and not tensor_hooks:  # loss.backward(): 1
            root_grad = self._data.copy()  # (a copy of the loss: tg.compile records it)
            root_grad.fill(1)
            engine.run_backward((self,), (root_grad,), bool(retain_graph), False)
        else:  # a gradient, inputs=, create_graph=, hooks: as torch.autograd.backward does
            self._autograd_backward(gradient, retain_graph, create_graph, inputs)

    def detach(self) -> Tensor:
        """A tensor sharing this one's data (and version counter), outside the graph."""
        # (its own ndarray object on the same memory: an op given both x and x.detach()
        # tells them apart when it saves them, Node._source)
        t = fn._wrap(self._data.view())
        t._vc = fn.shared_version(self)
        if self._requires_grad:
            self._note_cut(t, "detach()")  # (for tg.viz: where the graph was cut)
        return t

    def detach_(self) -> Tensor:
        """Detach in place: this tensor becomes a leaf that does not require grad."""
        if self._base is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead. Hint: "
                               "this tensor shares its base's storage (it is a view).")
        self._grad_fn = None
        self._requires_grad = False
        return self  # type: ignore[return-value]

    @property
    def data(self) -> Tensor:
        """A tensor sharing this one's storage, outside the graph: changes to it are not
        recorded, nor seen by the version checks (``p.data -= lr * p.grad`` works)."""
        t = fn._wrap(self._data.view())  # (its own ndarray object: see detach)
        if self._requires_grad:
            self._note_cut(t, ".data")
        return t

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, AutogradTensor):
            raise TypeError(f"data must be a Tensor, got {type(value).__name__}")
        self._data = value._data

    def register_hook(self, hook: Any) -> RemovableHandle:
        """Call ``hook(grad)`` with this tensor's gradient each time backward computes it.

        The hook may return a Tensor to use instead (same shape and dtype), or None. On a
        leaf it sees the total gradient before it is added into ``.grad``. Returns a
        handle: ``handle.remove()`` unregisters the hook.

        >>> h = x * 2
        >>> handle = h.register_hook(lambda g: print("dL/dh =", g))
        """
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        return hooks_of(self._grad_fn if self.grad_fn is not None else self).add(hook)
