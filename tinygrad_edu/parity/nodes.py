"""How PyTorch shows a node of the graph: ``name()``, ``next_functions`` (with
``AccumulateGrad`` standing for a leaf), the op names its messages use, and the message of a
failed version check (which saved tensor, "which is output 0 of Mul").

The engine needs none of it to differentiate; it is what a script that inspects
``y.grad_fn`` sees in PyTorch. ``core.function.Node`` inherits ``TorchNode``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..core import function as fn
from ..dtypes import FLOATING
from .errors import version_error
from .names import tensor_type_name

__all__ = ["TorchNode", "AccumulateGrad", "op_name", "forward_op_name", "stale_saved_error"]


class TorchNode:
    """``name()``, ``next_functions`` and the repr of a node, as PyTorch's."""

    __slots__ = ()
    _output_nr = 0  # which output of PyTorch's node this is (k of split's, unbind's views)
    _torch_inputs: tuple[int, ...] | None = None  # (its Function's; see _listed)
    _function: Any
    if TYPE_CHECKING:  # (Node's)
        @property
        def parents(self) -> tuple[Any, ...]: ...
        @property
        def _args(self) -> tuple[Any, ...]: ...
        _a0: Any
        _a1: Any
        _arest: tuple[Any, ...]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        function = cls.__dict__.get("_function")
        if function is not None and "_torch_inputs" not in cls.__dict__.get("__slots__", ()):
            cls._torch_inputs = getattr(function, "_torch_inputs", None)

    def name(self) -> str:
        """The node's name, as PyTorch's ``name()`` gives it (``MulBackward0``; the nodes
        PyTorch writes in C++, ``torch::autograd::CopySlices``)."""
        return getattr(self._function, "_torch_name", None) or type(self).__name__

    @property
    def next_functions(self) -> tuple[tuple[Any, int], ...]:
        """Where gradients go next, as PyTorch lists them: one ``(node, output number)``
        pair per tensor input of the op (a leaf as ``AccumulateGrad``, an input that needs
        no gradient as ``None``); dims, shapes and other settings are not inputs."""
        out: list[tuple[Any, int]] = []
        for i in self._listed():
            p = self.parents[i]
            if p is None or isinstance(p, TorchNode):
                out.append((p, 0 if p is None else p._output_nr))
            elif not isinstance(p, fn._Tensor):  # output k of a node with several outputs
                out.append((p.node, p.k))
            elif fn.no_history(p):
                out.append((None, 0))  # a view made under no_grad: no history, no .grad
            else:
                out.append((AccumulateGrad(p), 0))
        return tuple(out)

    def _listed(self) -> list[int]:
        """The positions of the arguments ``next_functions`` lists: those that need a
        gradient, and of the others the ones PyTorch's op takes as tensors (``Function.
        _torch_inputs``: a number there is made one; else its floating-point Tensors)."""
        inputs = self._torch_inputs
        # (the slots, not ``_args``: only inputs that take no gradient are read here, and
        # those are kept as they are, so no Tensor needs rebuilding)
        args = (self._a0, self._a1, *self._arest)
        listed = []
        for i, p in enumerate(self.parents):
            if p is None:
                a = args[i]
                if not (i in inputs if inputs is not None else (
                        isinstance(a, fn._Tensor) and a._data.dtype in FLOATING)):
                    continue
            listed.append(i)
        return listed

    def __repr__(self) -> str:
        cls = type(self)
        if self._function._numpy:  # a built-in op: <MulBackward0 object at ...>
            return f"<{cls.__name__} object at {id(self):#x}>"
        # a learner's Function, as PyTorch's Python nodes: <torch.autograd.function.Xx...>
        return f"<{cls.__module__}.{cls.__name__} object at {id(self):#x}>"


class AccumulateGrad:
    """Stands for a leaf in ``next_functions``: its gradient accumulates into ``.grad``."""

    __slots__ = ("variable",)

    def __init__(self, variable: Any) -> None:
        self.variable = variable

    def name(self) -> str:
        """``torch::autograd::AccumulateGrad``, as PyTorch's ``name()``."""
        return "torch::autograd::AccumulateGrad"

    next_functions = ()

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {id(self):#x}>"


def op_name(node: Any) -> str:
    """The op's name as PyTorch's messages give it: ``SelectBackward0`` -> ``Select``,
    ``SqueezeBackward1`` -> ``Squeeze1``, a learner's ``TwoBackward`` -> ``Two``; the nodes
    PyTorch writes in C++ whole (``torch::autograd::CopyBackwards``)."""
    name: str = node.name()
    op, backward, number = name.rpartition("Backward")
    if not backward or not (number.isdigit() or number == ""):  # (CopyBackwards: as it is)
        return name
    return op if number in ("0", "") else op + number  # (a learner's TwoBackward: Two)


def forward_op_name(name: str) -> str:
    """PyTorch's ``Node::forward_op_name``: a node's name without ``Backward`` and its
    number (``ExpBackward0`` -> ``Exp``, ``AddBackward1`` -> ``Add1``, a Function's
    ``SinhBackward`` -> ``Sinh``); other names stay (``torch::autograd::CopySlices``)."""
    head, sep, tail = name.rpartition("Backward")
    if not sep or not tail.isdigit() and tail:
        return name
    return head if tail in ("", "0") else head + tail


def stale_saved_error(node: Any) -> RuntimeError:
    """PyTorch's error for the first saved value of ``node`` that was changed in place
    since forward, in the order PyTorch checks them (``Function._check_order``: when
    several were changed, it names the same one)."""
    saved = node._saved
    order = getattr(node._function, "_check_order", None)
    for value in (saved if order is None else [saved[i] for i in order]):
        if node._changed(value):
            src = node._source(value)
            counter, expected = node._counter(src)
            data = value if isinstance(value, np.ndarray) else value._data
            dtype, which = _describe(node, src)
            # (PyTorch names the type torch.FloatTensor; a learner here sees this library's)
            name = tensor_type_name(np.empty(0, dtype), "tinygrad_edu")
            return version_error(name, data.shape, which, counter[0], expected)
    raise AssertionError("no saved value was changed")  # (called only when one was)


def _describe(node: Any, src: int) -> tuple[np.dtype, str]:
    """A saved value as PyTorch's message names it: its dtype, and ", which is output k of
    Op," for the output of an op: this node's for its own output, else the op that last
    made the input (none for a leaf)."""
    if src < 0:
        k = -2 - src if src < -1 else 0
        dtype = node._outputs[k][1] if src < -1 else node._out_dtype
        return dtype, f", which is output {k} of {op_name(node)},"
    a = node._args[src]
    a = getattr(a, "_stands_for", a)  # (a promoted operand: the tensor it stands for)
    edge = a._grad_fn
    k = 0
    if a._base is not None:
        kind = a._view_kind
        a._refresh_view()  # (a view's history now, as PyTorch's message has it)
        k = kind[1] if isinstance(kind, tuple) and edge is a._grad_fn else 0
        edge = a._grad_fn
    if edge is None:
        return a._data.dtype, ""
    owner, k = (edge, k) if isinstance(edge, TorchNode) else (edge.node, edge.k)
    return edge._out_dtype, f", which is output {k} of {op_name(owner)},"
