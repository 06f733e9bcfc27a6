"""PyTorch's grad_fn labels for ops whose code is another op's class.

A graph node shows PyTorch's name for the op that made it. Most names are written on their
class, beside its forward and backward (``_grad_fn_name = "MulBackward0"`` in ``class Mul``).
Where PyTorch gives one computation several labels (``x.squeeze()`` and ``x.view(...)`` are
both a reshape here, ``x.sum()`` and ``x.sum(0)`` both a sum), the class is written once and
this table says which class each further label runs: grep a name seen in ``tg.viz`` and its
line here names the class whose forward and backward ran.

    >>> ALIASES["SqueezeBackward0"]
    ('Reshape',)
"""

from __future__ import annotations

from typing import Any, TypeVar

__all__ = ["ALIASES", "labelled"]

# PyTorch's label -> the class whose code runs (its file: ops/...)
ALIASES: dict[str, tuple[str, ...]] = {
    # unary.py: clamp_min / clamp_max, PyTorch's ops of their own
    "ClampMinBackward0": ("Clamp",),
    "ClampMaxBackward0": ("Clamp",),
    "ClampMinBackward1": ("ClampTensor",),
    "ClampMaxBackward1": ("ClampTensor",),
    # arithmetic.py: PyTorch's Scalar overloads (one input listed in next_functions)
    "AddBackward1": ("Add",),
    "SubBackward1": ("Sub",),
    "MulBackward1": ("Mul",),
    "DivBackward1": ("Div",),
    "RemainderBackward1": ("Remainder",),  # x % tensor (remainder.Tensor)
    "FmodBackward1": ("Fmod",),  # x.fmod(tensor) (fmod.Tensor)
    # binary_math.py: the overloads with a number
    "XlogyBackward2": ("Xlogy",),  # x.xlogy(number)
    "CopysignBackward1": ("Copysign",),  # x.copysign(number)
    # inplace.py: fills and the random fills (a refill: no gradient to the old values)
    "ZeroBackward0": ("Fill",),
    "UniformBackward0": ("Fill",),
    "NormalBackward0": ("Fill",),
    "BernoulliBackward0": ("Fill",),
    "BernoulliBackward1": ("Fill",),
    "BernoulliBackward2": ("Fill",),
    "ExponentialBackward0": ("Fill",),
    "GeometricBackward0": ("Fill",),
    "CauchyBackward0": ("Fill",),
    "LogNormalBackward0": ("Fill",),
    "RandomBackward0": ("Fill",),
    "RandomBackward1": ("Fill",),
    "RandomBackward2": ("Fill",),
    # inplace.py: x.eq_(number) ... (0), x.eq_(tensor) ... (1): 0/1 values, a zero gradient
    "EqBackward0": ("Fill",),
    "NeBackward0": ("Fill",),
    "LtBackward0": ("Fill",),
    "LeBackward0": ("Fill",),
    "GtBackward0": ("Fill",),
    "GeBackward0": ("Fill",),
    "NeBackward1": ("FillCompared",),
    "LtBackward1": ("FillCompared",),
    "LeBackward1": ("FillCompared",),
    "GtBackward1": ("FillCompared",),
    "GeBackward1": ("FillCompared",),
    # linalg.py
    "CholeskyBackward0": ("Cholesky",),  # torch.cholesky, Tensor.cholesky (deprecated)
    # reduce.py
    "NormBackward1": ("Norm",),  # at::norm(x, p, dim), as F.pairwise_distance calls it
    # reduce.py

    # matmul.py
    "MvBackward0": ("Matmul",),
    "DotBackward0": ("Matmul",),
    "VdotBackward0": ("Matmul",),  # linalg.vecdot of two vectors (matrix_functions.py)
    "BmmBackward0": ("Matmul",),
    "BaddbmmBackward0": ("Addmm",),
    # movement.py: views that are a reshape, or an index (a select, slice or alias)
    "ReshapeAliasBackward0": ("Reshape",),
    "SqueezeBackward0": ("Reshape",),  # x.squeeze()
    "SqueezeBackward1": ("Reshape",),  # x.squeeze(d)
    "SqueezeBackward2": ("Reshape",),  # x.squeeze((d, e))
    "UnsqueezeBackward0": ("Reshape",),  # x.unsqueeze(d), x[..., None]
    "SqueezeBackward3": ("Reshape",),  # x.squeeze_()
    "SqueezeBackward4": ("Reshape",),  # x.squeeze_(d)
    "SqueezeBackward5": ("Reshape",),  # x.squeeze_((d, e))
    "UnsqueezeBackward1": ("Reshape",),  # x.unsqueeze_(d)
    "TBackward1": ("MatrixT",),  # x.t_()
    "TransposeBackward1": ("Transpose",),  # x.transpose_(a, b), swapdims_, swapaxes_
    "SliceBackward0": ("Select",),
    "AliasBackward0": ("Select",),  # x[...], x[()]
    "SplitBackward0": ("Select",),
    "SplitWithSizesBackward0": ("Select",),
    "UnbindBackward0": ("Select",),
    "DiagonalBackwardBackward0": ("DiagEmbed",),
    # unary.py
    "SgnBackward0": ("Sign",),  # x.sgn()
    # activation.py
    "CeluBackward0": ("Elu",),  # F.celu: elu with input_scale = 1 / alpha
    "RreluWithNoiseBackward1": ("RreluWithNoise",),  # F.rrelu_, rrelu(inplace=True)
    "CeluBackward1": ("EluInplace",),  # F.celu_, celu(inplace=True)
    "ThresholdBackward1": ("Threshold",),  # F.threshold_, threshold(inplace=True)
    # conv.py: pools over 3 spatial dims run the 2-d pools' code (the linear ones: its
    # _Linear base's forward and backward, their _np functions)
    "MaxPool3DWithIndicesBackward0": ("MaxPool2d",),
    "MaxPool3DWithIndicesBackwardBackward0": ("_MaxScatter", "_Linear"),
    "AvgPool3DBackward0": ("AvgPool2d", "_Linear"),
    "AvgPool3DBackwardBackward0": ("_AvgScatter", "_Linear"),
    "AdaptiveAvgPool3DBackward0": ("AdaptiveAvgPool2d", "_Linear"),
    "AdaptiveAvgPool3DBackwardBackward0": ("_AdaptiveScatter", "_Linear"),
    "AdaptiveMaxPool3DBackward0": ("AdaptiveMaxPool2d",),
    "MaxUnpool3DBackward0": ("MaxUnpool2d",),
    "AdaptiveMaxPool3DBackwardBackward0": ("_IndexScatter", "_Linear"),
    # nn.py
    "NllLoss2DBackward0": ("NllLoss",),  # an (N, C, H, W) input
    # reduce.py: the whole tensor (numbered 0) or along dims (1); min is max mirrored
    "SumBackward0": ("Sum",),
    "MeanBackward0": ("Mean",),
    "ProdBackward0": ("Prod",),
    "AminBackward0": ("Amax",),
    "AminmaxBackward0": ("Amax",),  # x.aminmax(): its min and its max, each an amax/amin
    "MinBackward1": ("MaxAll",),
    "MinBackward0": ("MaxDim",),
    # sorting.py
    "KthvalueBackward0": ("MedianDim",),
    "ModeBackward0": ("MedianDim",),
    "NanmedianBackward1": ("MedianDim",),
    "NanmedianBackward0": ("MedianAll",),
    # strided.py: x.as_strided(...), and views.py's TakeAt: a view's history made anew
    # after a write into its base (PyTorch's is an as_strided of the base)
    "AsStridedBackward0": ("AsStrided", "TakeAt"),
    # strided.py: x.as_strided_(...); select_scatter writes into a view, as slice_scatter
    "AsStridedBackward1": ("AsStrided",),
    "SelectScatterBackward0": ("SliceScatter",),
    # indexed.py: index_reduce is a scatter_reduce with the index spread along its dim
    "IndexReduceBackward0": ("ScatterReduce",),
    # movement.py: unsafe_split / unsafe_chunk, split's views with no view tracking
    "UnsafeSplitBackward0": ("Select",),
    "UnsafeSplitWithSizesBackward0": ("Select",),
}

_F = TypeVar("_F", bound=type)


def labelled(cls: _F, label: str, **parity: Any) -> _F:
    """``cls``, whose nodes show PyTorch's ``label`` (one of ``ALIASES``): a subclass with no
    code of its own, so ``tg.viz.op_source`` names ``cls`` and its file. ``parity`` sets what
    PyTorch's graph differs in (``_torch_inputs``: the inputs next_functions lists)."""
    if cls.__name__ not in ALIASES.get(label, ()):
        raise KeyError(f"{label} is not listed for {cls.__name__} in parity/grad_fn_names.py")
    attrs = {"_grad_fn_name": label, "__module__": cls.__module__,
             "__qualname__": cls.__qualname__, "__doc__": cls.__doc__, **parity}
    return type(cls.__name__, (cls,), attrs)  # type: ignore[return-value]
