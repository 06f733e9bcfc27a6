"""Module-level forms of the Tensor methods: ``tg.exp(x)`` is ``x.exp()``, and so on,
plus the functions that take several tensors (``cat``, ``stack``, ``where``)."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import dtypes
from .amp.autocast_mode import autocast_args
from .ops import matmul as M
from .ops.array_utils import (
    block_diag,
    combinations,
    isin,
    tril_indices,
    triu_indices,
    unravel_index,
)
from .ops.join import cat, stack
from .ops.lu import legacy_lu as lu
from .ops.lu import lu_unpack
from .ops.matrix_functions import chain_matmul, vander
from .ops.products import cdist, pdist, tensordot
from .ops.reduce_extra import cumulative_trapezoid, trapezoid, trapz
from .ops.reshaping import _at_least, atleast_1d, atleast_2d, atleast_3d, broadcast_shapes
from .ops.search import bucketize, searchsorted
from .parity.numpy_names import accept_numpy_names
from .parity.repr import set_printoptions
from .tensor import Tensor, where

_METHODS = (
    "add sub mul div true_divide pow neg exp log log1p sqrt rsqrt reciprocal abs sin cos tanh "
    "sigmoid relu sign square floor ceil round trunc fix frac clamp clamp_min clamp_max clip "
    "maximum minimum "
    "softmax log_softmax "
    "sum mean max min amax amin argmax argmin prod var std logsumexp all any "
    "count_nonzero unique cumsum reshape flatten squeeze unsqueeze transpose permute t "
    "matmul mm dot chunk unbind isnan isinf isfinite allclose isclose equal eq ne lt "
    "le gt ge logical_not logical_and logical_or clone detach masked_fill flip numel "
    "swapaxes sort argsort topk gather index_select bmm addmm baddbmm tril triu diag "
    "diagonal diag_embed trace narrow "
    "cumprod diff nonzero argwhere repeat_interleave median nanmedian kthvalue mode quantile "
    "nanquantile scatter "
    "scatter_add lerp bincount histc logical_xor bitwise_and bitwise_or bitwise_xor "
    "bitwise_not bitwise_left_shift bitwise_right_shift floor_divide "
    "tan asin acos atan sinh cosh asinh acosh atanh arcsin arccos arctan arcsinh arccosh "
    "arctanh erf erfc erfinv exp2 expm1 log2 log10 sinc nan_to_num "
    "atan2 arctan2 hypot logaddexp logaddexp2 copysign fmod "
    "roll rot90 fliplr flipud tensor_split split_with_sizes take take_along_dim masked_select "
    "masked_scatter index_add index_copy index_fill index_put scatter_reduce "
    "inverse det slogdet logdet cholesky pinverse svd qr cholesky_solve cholesky_inverse vdot "
    "absolute divide multiply subtract greater greater_equal less less_equal not_equal "
    "adjoint conj resolve_conj resolve_neg is_conj is_neg "
    "cummax cummin logcumsumexp unique_consecutive histogram outer ger inner kron cross "
    "tile ravel movedim moveaxis swapdims select unflatten msort diagflat hsplit vsplit dsplit "
    "broadcast_to nansum nanmean aminmax isneginf isposinf isreal signbit sgn positive "
    "negative negative_ is_complex is_signed is_nonzero is_same_size is_inference "
    "is_floating_point "
    "addcmul addcdiv mv addmv addr addbmm dist lgamma digamma logit logit_ fmax fmin "
    "deg2rad rad2deg frexp ldexp float_power heaviside gcd lcm nextafter i0 mvlgamma renorm "
    "cov corrcoef matrix_power matrix_exp "
    "as_strided as_strided_ as_strided_scatter diagonal_scatter select_scatter slice_scatter "
    "index_reduce put narrow_copy unsafe_chunk unsafe_split unsafe_split_with_sizes resize_as_ "
    # in place, where PyTorch has the function too
    "abs_ acos_ acosh_ addmv_ arccos_ arccosh_ arcsin_ arcsinh_ arctan_ arctanh_ asin_ asinh_ "
    "atan_ atanh_ ceil_ clamp_ clamp_max_ clamp_min_ clip_ cos_ cosh_ detach_ erf_ erfc_ "
    "exp2_ exp_ expm1_ fill_ fix_ floor_ frac_ index_put_ log10_ log1p_ log2_ log_ "
    "nan_to_num_ neg_ reciprocal_ relu_ round_ rsqrt_ sigmoid_ sin_ sinc_ sinh_ "
    "sqrt_ square_ tan_ tanh_ trunc_ xlogy_ zero_ deg2rad_ rad2deg_ gcd_ lcm_ ldexp_ i0_"
).split()


def _as_function(name: str) -> Callable[..., Any]:
    method = getattr(Tensor, name)

    def function(input: Tensor, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' must be Tensor, not "
                            f"{type(input).__name__}")
        return method(input, *args, **kwargs)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = method.__doc__
    # tg.sum(t, axis=0), tg.sum(x=t): as PyTorch's argument parser
    return accept_numpy_names(function, method)


for _name in _METHODS:
    globals()[_name] = _as_function(_name)


concat = concatenate = cat
_remainder, _xlogy = _as_function("remainder"), _as_function("xlogy")


def real(input: Tensor) -> Tensor:
    """The real part: ``input`` itself, as for any real tensor in PyTorch."""
    return input.real


def imag(input: Tensor) -> Tensor:
    """Raises, as PyTorch for a real tensor (tinygrad_edu has no complex numbers)."""
    return input.imag


def rsub(input: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    """``other - alpha * input`` (the reflected ``sub``, as ``other - input``).

    >>> tg.rsub(tg.tensor([1.0, 2.0]), 5)
    tensor([4., 3.])
    """
    return input.__rsub__(other) if alpha == 1 else (input * alpha).__rsub__(other)


def polygamma(n: int, input: Tensor) -> Tensor:
    """The ``n``-th derivative of digamma at ``input`` (``Tensor.polygamma``; PyTorch puts
    ``n`` first here).

    >>> tg.polygamma(1, tg.tensor([1.0]))
    tensor([1.6449])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"polygamma(): argument 'input' (position 2) must be Tensor, not "
                        f"{type(input).__name__}")
    return input.polygamma(n)


def remainder(input: Any, other: Any) -> Tensor:
    """``input % other`` with the sign of ``other`` (Python's ``%``); ``input`` may be a
    number when ``other`` is a tensor, as in PyTorch."""
    if not isinstance(input, Tensor) and isinstance(other, Tensor):
        return other.__rmod__(input)  # type: ignore[no-any-return]
    return _remainder(input, other)  # type: ignore[no-any-return]


def xlogy(input: Any, other: Any) -> Tensor:
    """``input * log(other)``, and 0 where ``input`` is 0 (``Tensor.xlogy``); ``input``
    may be a number when ``other`` is a tensor, as in PyTorch.

    >>> tg.xlogy(2, tg.tensor([1.0, 3.0]))
    tensor([0.0000, 2.1972])
    """
    if not isinstance(input, Tensor) and isinstance(other, Tensor):
        return other._rxlogy(input)  # type: ignore[no-any-return]
    return _xlogy(input, other)  # type: ignore[no-any-return]


def hstack(tensors: Sequence[Tensor]) -> Tensor:
    """Concatenate along dim 1 (dim 0 for vectors and numbers)."""
    tensors = [_at_least(t, 1) for t in tensors]
    return cat(tensors, 0 if tensors and tensors[0].ndim == 1 else 1)


def vstack(tensors: Sequence[Tensor]) -> Tensor:
    """Concatenate along dim 0, vectors (and numbers) as rows."""
    return cat([_at_least(t, 2) for t in tensors], 0)


row_stack = vstack


def dstack(tensors: Sequence[Tensor]) -> Tensor:
    """Concatenate along dim 2 (depth), after making every tensor at least 3-D: (n,) as
    (1, n, 1), (m, n) as (m, n, 1)."""
    return cat([_at_least(t, 3) for t in tensors], 2)


def column_stack(tensors: Sequence[Tensor]) -> Tensor:
    """Side by side as columns: numbers and vectors (n,) become columns (n, 1), then
    ``hstack``."""
    return hstack([t.reshape(t.numel(), 1) if t.ndim <= 1 else t for t in tensors])


def std_mean(input: Tensor, dim: Any = None, unbiased: bool | None = None,
             keepdim: bool = False, *, correction: float | None = None) -> tuple[Tensor, Tensor]:
    """``(input.std(...), input.mean(dim, keepdim))`` with std's arguments (Bessel's
    correction of 1 unless ``unbiased=False`` or ``correction`` says otherwise)."""
    std = input.std(dim, unbiased, keepdim, correction=correction)
    return std, _mean(input, dim, keepdim)


def var_mean(input: Tensor, dim: Any = None, unbiased: bool | None = None,
             keepdim: bool = False, *, correction: float | None = None) -> tuple[Tensor, Tensor]:
    """``(input.var(...), input.mean(dim, keepdim))`` with var's arguments."""
    var = input.var(dim, unbiased, keepdim, correction=correction)
    return var, _mean(input, dim, keepdim)


def _mean(input: Tensor, dim: Any, keepdim: bool) -> Tensor:
    if dim is None:  # every dim reduced, kept as size 1 with keepdim
        mean = input.mean()
        return mean.reshape((1,) * input.ndim) if keepdim else mean
    return input.mean(dim, keepdim=keepdim)


def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    """Expand every tensor to their common broadcast shape."""
    shape = np.broadcast_shapes(*(t.shape for t in tensors))
    return tuple(t.expand(shape) for t in tensors)


def split(tensor: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Pieces of ``tensor`` along ``dim``: of ``split_size_or_sections`` each (the last
    may be shorter), or of the listed sizes."""
    return tensor.split(split_size_or_sections, dim)


def norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False, *,
         dtype: Any = None) -> Tensor:
    """The p-norm of ``input`` over ``dim`` (all elements by default), in ``dtype`` when
    given (``Tensor.norm``). PyTorch's ``out=`` is not supported."""
    return input.norm(p, dim, keepdim, dtype)


def einsum(*args: Any) -> Tensor:
    """Einstein summation: ``einsum("ij,jk->ik", a, b)`` is ``a @ b``. Each operand's dims
    are named by letters; a letter in several operands pairs their dims, one missing after
    ``->`` is summed over, one repeated in an operand takes its diagonal (``"ii->i"``), and
    ``...`` stands for the remaining dims (broadcast across operands). Without ``->`` the
    output is ``...`` then the letters seen once, in order. The operands may be given as
    one list, or interleaved with lists of label numbers (``einsum(a, [0, 1], b, [1, 2])``).

    >>> tg.einsum("ii->", tg.tensor([[1.0, 2.0], [3.0, 4.0]]))
    tensor(5.)
    """
    equation, operands = _einsum_args(args)
    shapes = [t._data.shape for t in operands]
    spelled = M.spell_einsum(equation, shapes)
    steps = M.einsum_steps(spelled, shapes) if len(operands) > 1 else []
    if steps and steps[-1][2]:  # PyTorch's last step is a bmm: autocast casts for it
        operands = list(autocast_args("bmm", *operands))
    dtype = M.einsum_dtype(spelled, shapes, [t._data.dtype for t in operands])
    operands = [t if t._data.dtype == dtype else t.to(dtypes.from_numpy(dtype))
                for t in operands]
    return M.Einsum.apply(spelled, *operands)


def _einsum_args(args: tuple[Any, ...]) -> tuple[str, list[Tensor]]:
    """``(equation, operands)`` from einsum's three ways of being called."""
    if len(args) < 2:
        raise ValueError("einsum(): must specify the equation string and at least one "
                         "operand, or at least one operand and its subscripts list")
    if isinstance(args[0], Tensor):  # einsum(a, [0, 1], b, [1, 2], [0, 2])
        equation = ",".join(_sublist_term(sub) for sub in args[1::2])
        if len(args) % 2:  # the output's labels come last
            equation += "->" + _sublist_term(args[-1])
        operands = list(args[0:len(args) - len(args) % 2:2])
    else:
        equation, operands = args[0], list(args[1:])
        if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
            operands = list(operands[0])  # einsum("ij,jk", [a, b])
    if not operands:
        raise ValueError("einsum(): must specify the equation string and at least one "
                         "operand, or at least one operand and its subscripts list")
    if not isinstance(equation, str):
        raise TypeError("einsum(): argument 'equation' (position 1) must be str, not "
                        f"{type(equation).__name__}")
    for i, t in enumerate(operands):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 1, but got "
                            f"{type(t).__name__}")
    return equation, operands


def _sublist_term(labels: Sequence[Any]) -> str:
    """An operand's labels given as numbers (0-25: A-Z, 26-51: a-z) or Ellipsis."""
    term = ""
    for n in labels:
        if n is Ellipsis:
            term += "..."
        elif 0 <= n < 52:
            term += chr(ord("A") + n) if n < 26 else chr(ord("a") + n - 26)
        else:
            raise ValueError("einsum(): subscript in subscript list is not within the valid "
                             "range [0, 52)")
    return term


_MESHGRID_WARNED = [False]  # PyTorch warns once per process (TORCH_WARN_ONCE)


def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple[Tensor, ...]:
    """Coordinate grids: for 1-D ``x`` (n) and ``y`` (m), ``X[i, j] = x[i]``, ``Y[i, j] =
    y[j]``, both of shape (n, m) with ``indexing="ij"`` (the default, with a warning when
    not given, as PyTorch); ``"xy"`` swaps the first two dims: (m, n), as numpy and
    matplotlib. Each grid is an expanded view of its input (the gradient sums back).

    >>> X, Y = tg.meshgrid(tg.tensor([1, 2]), tg.tensor([3, 4, 5]), indexing="ij")
    >>> X.shape
    tinygrad_edu.Size([2, 3])
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
    if indexing is None:
        if not _MESHGRID_WARNED[0]:
            _MESHGRID_WARNED[0] = True
            warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass "
                          "the indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    _check_meshgrid(tensors, indexing)
    shape = [t.numel() for t in tensors]
    where = list(range(len(tensors)))  # the dim of the grid each input runs along
    if indexing == "xy" and len(tensors) > 1:
        shape[0], shape[1] = shape[1], shape[0]
        where[0], where[1] = 1, 0
    grids = []
    for t, dim in zip(tensors, where):
        view = [1] * len(shape)
        view[dim] = -1
        grids.append(t.reshape(view).expand(shape))
    return tuple(grids)


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """Every combination of one element from each 1-D tensor, as rows: for ``a`` (n) and
    ``b`` (m), an (n * m, 2) tensor in ``itertools.product``'s order; a single tensor is
    returned as it is. As PyTorch: the ``meshgrid`` (ij) grids, flattened and stacked.

    >>> tg.cartesian_prod(tg.tensor([1, 2]), tg.tensor([3, 4]))
    tensor([[1, 3],
            [1, 4],
            [2, 3],
            [2, 4]])
    """
    for t in tensors:
        if isinstance(t, Tensor) and t.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    return stack([grid.flatten() for grid in meshgrid(*tensors, indexing="ij")], 1)


def _check_meshgrid(tensors: Sequence[Tensor], indexing: str) -> None:
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t.dtype is not tensors[0].dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    if indexing not in ("ij", "xy"):
        raise RuntimeError('torch.meshgrid: indexing must be one of "xy" or "ij", but '
                           f"received: {indexing}")
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError("torch.meshgrid: Expected 0D or 1D tensor in the tensor list "
                               f"but got: {t}")


__all__ = [*_METHODS, "cat", "concat", "concatenate", "stack", "hstack", "vstack", "where",
           "broadcast_tensors", "einsum", "meshgrid", "dstack", "column_stack",
           "std_mean", "var_mean", "set_printoptions", "split", "norm", "remainder", "xlogy",
           "searchsorted", "bucketize", "tensordot", "cdist", "pdist", "cartesian_prod",
           "row_stack", "broadcast_shapes", "atleast_1d", "atleast_2d", "atleast_3d",
           "trapezoid", "trapz", "cumulative_trapezoid", "polygamma", "chain_matmul", "vander",
           "real", "imag", "rsub",
           "block_diag", "combinations", "tril_indices", "triu_indices", "unravel_index",
           "isin", "lu", "lu_unpack"]

# tg.cat(ts, axis=0), tg.std_mean(t, axis=0): as PyTorch's argument parser
for _name in set(__all__) - set(_METHODS):
    globals()[_name] = accept_numpy_names(globals()[_name])
