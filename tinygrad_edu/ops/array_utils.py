"""Building and indexing helpers of ``tg.*`` that PyTorch keeps beside ``meshgrid``:
``block_diag`` (one op, ``BlockDiagBackward0``), ``combinations`` (masked grids, stacked),
the index makers ``tril_indices`` / ``triu_indices`` / ``unravel_index``, and the
membership test ``isin``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtypes
from ..core.function import _wrap
from ..parity.errors import not_implemented
from ..parity.names import scalar_type_name
from ..parity.promotion import result_type
from ..tensor_base import TensorBase
from .dual import _Op
from .join import stack
from .movement import check_int
from .promotion import _operand_as

if TYPE_CHECKING:
    from ..tensor import Tensor


# ---------------------------------------------------------------------------- block_diag
def _as_block(shape: tuple[int, ...]) -> tuple[int, int]:
    """A block's (rows, cols): a number is 1 x 1, a vector of n is 1 x n."""
    return (1, 1) if len(shape) == 0 else (1, shape[0]) if len(shape) == 1 else shape  # type: ignore[return-value]


class BlockDiag(_Op):
    """The blocks on the diagonal of a zero matrix; backward cuts each block's gradient
    back out of the matrix's (and reshapes it to the block's own shape)."""

    _grad_fn_name = "BlockDiagBackward0"
    ctx_fields = ("shapes",)

    @staticmethod
    def forward(ctx: Any, *xs: Any) -> Any:
        ctx.shapes = [x.shape for x in xs]
        blocks = [_as_block(x.shape) for x in xs]
        out = np.zeros((sum(r for r, _ in blocks), sum(c for _, c in blocks)), xs[0].dtype)
        row = col = 0
        for x, (r, c) in zip(xs, blocks):
            out[row:row + r, col:col + c] = x.reshape(r, c)
            row, col = row + r, col + c
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        grads, row, col = [], 0, 0
        for shape in ctx.shapes:
            r, c = _as_block(shape)
            grads.append(grad[row:row + r, col:col + c].reshape(shape))
            row, col = row + r, col + c
        return tuple(grads)


def block_diag(*tensors: Tensor) -> Tensor:
    """A block diagonal matrix of the given tensors (each at most 2-D: a number counts as
    1 x 1, a vector of n as 1 x n), zeros elsewhere, in their promoted dtype (as a binary
    op promotes them). Each block's gradient is its part of the result's.

    >>> tg.block_diag(tg.tensor([[1, 2]]), tg.tensor(3))
    tensor([[1, 2, 0],
            [0, 0, 3]])
    """
    if not tensors:  # PyTorch: an empty (1, 0) float matrix
        return _wrap(np.zeros((1, 0), dtypes.get_default_dtype().np))
    for i, t in enumerate(tensors):
        if not isinstance(t, TensorBase):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
        if t.ndim > 2:
            raise RuntimeError("torch.block_diag: Input tensors must have 2 or fewer "
                               f"dimensions. Input {i} has {t.ndim} dimensions")
    dtype = result_type(*tensors)  # (a 0-d block promotes as a 0-d operand does)
    return BlockDiag.apply(*(_operand_as(t, dtype) for t in tensors))


# ---------------------------------------------------------------------------- combinations
def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:
    """The length-``r`` combinations of the elements of a vector, one per row, in
    ``itertools.combinations`` order (``combinations_with_replacement`` with
    ``with_replacement=True``); (0, r) when there are none, an empty vector for r = 0.
    Differentiable, and built as PyTorch builds it: ``meshgrid``, ``masked_select``,
    ``stack`` (so an element used in several rows adds up their gradients).

    >>> tg.combinations(tg.tensor([1, 2, 3]))
    tensor([[1, 2],
            [1, 3],
            [2, 3]])
    """
    check_int(r, "combinations", "r", 2)
    if input.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return _wrap(np.zeros(0, input._data.dtype))
    from ..functional import meshgrid

    # as PyTorch: r copies of the vector as an n x ... x n grid, the cells whose indices
    # rise (or do not fall, with replacement) selected in row-major order, side by side
    grids = meshgrid(*[input] * r, indexing="ij")
    n = input.shape[0]
    mask = np.ones((n,) * r, bool)
    for d in range(r - 1):
        before = np.arange(n).reshape([n if i == d else 1 for i in range(r)])
        after = np.arange(n).reshape([n if i == d + 1 else 1 for i in range(r)])
        mask &= (before <= after) if with_replacement else (before < after)
    return stack([grid.masked_select(_wrap(mask)) for grid in grids], 1)


# ---------------------------------------------------------------------------- index makers
def _triangle_indices(fn: str, row: int, col: int, offset: int, dtype: Any,
                      device: Any) -> Tensor:
    """The (2, N) int coordinates of a row x col matrix's triangle, row by row."""
    from .. import _device

    _device.check(device)
    for position, (name, value) in enumerate((("row", row), ("col", col),
                                              ("offset", offset)), 1):
        check_int(value, fn, name, position)
    for name, value in (("row", row), ("col", col)):
        if value < 0:
            raise RuntimeError(f"{name} must be non-negative, got{value}")
    np_dtype = dtypes.to_dtype(dtype).np
    if np_dtype not in (np.int32, np.int64):
        raise not_implemented(fn, np_dtype)
    pick = np.tril_indices if fn == "tril_indices" else np.triu_indices
    rows, cols = pick(row, offset, col)
    return _wrap(np.stack([rows, cols]).astype(np_dtype).reshape(2, -1))


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = dtypes.long,
                 device: Any = None, layout: Any = None) -> Tensor:
    """The coordinates of the lower triangle of a ``row`` x ``col`` matrix, as a (2, N)
    tensor: first the row indices, then the column indices, row by row. ``offset`` moves
    the diagonal up (> 0) or down (< 0), as ``tril``'s ``diagonal``.

    >>> tg.tril_indices(2, 2)
    tensor([[0, 1, 1],
            [0, 0, 1]])
    """
    return _triangle_indices("tril_indices", row, col, offset, dtype, device)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = dtypes.long,
                 device: Any = None, layout: Any = None) -> Tensor:
    """The coordinates of the upper triangle of a ``row`` x ``col`` matrix, as a (2, N)
    tensor, row by row (``tril_indices``'s mirror).

    >>> tg.triu_indices(2, 2)
    tensor([[0, 0, 1],
            [0, 1, 1]])
    """
    return _triangle_indices("triu_indices", row, col, offset, dtype, device)


def unravel_index(indices: Tensor, shape: int | Sequence[int]) -> tuple[Tensor, ...]:
    """The coordinates in a tensor of ``shape`` of flat (row-major) ``indices``: one int64
    tensor per dim, each of ``indices``' shape. As PyTorch, an index is taken modulo the
    size (-1 is the last element).

    >>> tg.unravel_index(tg.tensor([4, 1]), (3, 2))
    (tensor([2, 0]), tensor([0, 1]))
    """
    data = np.asanyarray(indices._data)
    if data.dtype.kind not in "iu":
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (int(shape),)
    elif not isinstance(shape, Sequence):
        raise TypeError(f"expected 'shape' to be int or sequence of ints, but got "
                        f"{type(shape)}")
    for n in shape:
        if not isinstance(n, (int, np.integer)):
            raise TypeError(f"expected 'shape' sequence to only contain ints, but got "
                            f"{type(n)}")
    shape = tuple(int(n) for n in shape)
    if any(n < 0 for n in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {shape}")
    if 0 in shape and data.size:
        raise RuntimeError("ZeroDivisionError")
    # each coordinate: (index // (product of the sizes after it)) % its size
    strides = np.cumprod((shape[1:] + (1,))[::-1])[::-1].astype(np.int64)
    flat = data.astype(np.int64)[..., None]
    coords = np.floor_divide(flat, strides) % np.array(shape, np.int64) if shape else \
        np.zeros(data.shape + (0,), np.int64)
    return tuple(_wrap(np.array(coords[..., d])) for d in range(len(shape)))


# ---------------------------------------------------------------------------- isin
def isin(elements: Any, test_elements: Any, *, assume_unique: bool = False,
         invert: bool = False) -> Tensor:
    """A bool tensor of ``elements``' shape: whether each element is one of
    ``test_elements`` (compared in their promoted dtype; NaN is in nothing), or is not with
    ``invert=True``. Either side may be a number. ``assume_unique`` is accepted (only a
    speed hint in PyTorch).

    >>> tg.isin(tg.tensor([1, 2, 3]), tg.tensor([2, 5]))
    tensor([False,  True, False])
    """
    if not isinstance(elements, TensorBase) and not isinstance(test_elements, TensorBase):
        raise TypeError(f"isin() received an invalid combination of arguments - got "
                        f"({type(elements).__name__}, {type(test_elements).__name__}), but "
                        "expected one of:\n * (Tensor elements, Tensor test_elements, *, bool "
                        "assume_unique = False, bool invert = False)\n * (Number element, "
                        "Tensor test_elements, *, bool assume_unique = False, bool invert = "
                        "False)\n * (Tensor elements, Number test_element, *, bool "
                        "assume_unique = False, bool invert = False)\n")
    dtype = result_type(elements, test_elements).np  # compared as PyTorch promotes them
    for x in (elements, test_elements):
        kind = x._data.dtype if isinstance(x, TensorBase) else np.asanyarray(x).dtype
        if kind.kind in "bc":
            raise RuntimeError("Unsupported input type encountered for isin(): "
                               f"{scalar_type_name(kind)}")
    a, b = (np.asanyarray(x._data if isinstance(x, TensorBase) else x).astype(dtype)
            for x in (elements, test_elements))
    return _wrap(np.isin(a, b, invert=invert))
