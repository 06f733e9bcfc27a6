"""``Tensor``: a numpy ndarray plus what autograd needs to differentiate through it.

``TensorBase`` (``tensor_base.py``) holds a tensor's state and its autograd surface; each op
family in ``ops/`` adds its public methods, their argument checks and its Functions
(forward and backward) side by side. This file only puts them together.
"""

from __future__ import annotations

from .core import engine as _engine
from .core.function import _wrap
from .fast import REFERENCE as _REFERENCE
from .fast.apply import fast_apply
from .fast.drain import fast_drain
from .ops.activation_methods import ActivationMethods
from .ops.arithmetic import ArithmeticMethods, maximum, where, zeros_like
from .ops.bessel import BesselMethods
from .ops.binary_math import BinaryMathMethods
from .ops.convert import ConversionMethods
from .ops.decompositions import LinalgMethods
from .ops.fused import FusedMethods
from .ops.gamma import GammaMethods
from .ops.indexed import IndexedMethods
from .ops.indexing_methods import IndexingMethods
from .ops.inplace import InplaceMethods
from .ops.inspection import InspectionMethods
from .ops.logic import LogicMethods
from .ops.lu import LuMethods
from .ops.matmul import MatmulMethods
from .ops.matrix_functions import MatrixFunctionMethods
from .ops.movement import MovementMethods
from .ops.number_math import NumberMathMethods
from .ops.products import ProductMethods
from .ops.promotion import _broadcast_error, _operand_as, _promote
from .ops.rearrange import RearrangeMethods
from .ops.reduce import ReduceMethods
from .ops.reduce_extra import ReduceExtraMethods
from .ops.reshaping import ReshapingMethods
from .ops.scan import ScanMethods
from .ops.scatter_reduce import ScatterReduceMethods
from .ops.search import SearchMethods
from .ops.sorting import SortingMethods
from .ops.special import SpecialMethods
from .ops.strided import StridedMethods
from .ops.unary import UnaryMethods
from .parity.numpy_names import accept_numpy_names_in_class
from .parity.ready_queue import PostAccumulateGradHooks
from .tensor_base import Size, TensorBase, _norm_axis, _shape_arg, reset_grads

__all__ = ["Tensor", "Size", "where", "maximum", "zeros_like", "reset_grads", "_wrap",
           "_norm_axis", "_shape_arg", "_promote", "_operand_as", "_broadcast_error"]


@accept_numpy_names_in_class  # t.sum(axis=0, keepdims=True), as PyTorch's argument parser
class Tensor(ArithmeticMethods, LogicMethods, UnaryMethods, SpecialMethods, GammaMethods,
             BesselMethods, BinaryMathMethods, NumberMathMethods, ReduceMethods,
             ReduceExtraMethods, ScanMethods,
             MovementMethods, RearrangeMethods, ReshapingMethods, IndexingMethods, IndexedMethods,
             SortingMethods, ScatterReduceMethods, MatmulMethods, ProductMethods, FusedMethods,
             LinalgMethods, LuMethods, MatrixFunctionMethods, InplaceMethods, ConversionMethods,
             SearchMethods, InspectionMethods, StridedMethods, ActivationMethods,
             PostAccumulateGradHooks, TensorBase):
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
    __slots__ = ()


# the one bind: the engine (core/) makes and recognises Tensors without importing this file,
# and records the built-in ops, and walks the graph, with the fast twins of its readable
# paths (fast/apply.py, fast/drain.py), unless TINYGRAD_EDU_REFERENCE=1
if _REFERENCE:
    _engine.bind(Tensor)
else:
    _engine.bind(Tensor, fast_apply, fast_drain)
