"""Matrix multiply with numpy's ``@`` semantics (1-D, 2-D and batched, broadcasting)."""

from __future__ import annotations

import string
from collections import Counter
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtypes
from ..amp.autocast_mode import autocast_args
from ..core.function import _wrap
from ..dtypes import FLOATING
from ..parity.grad_fn_names import labelled
from ..parity.names import CPP_TYPE_NAMES as _CPP_NAMES
from ..parity.names import scalar_type_name
from ..parity.promotion import checked_scalar, promote_types
from ..tensor_base import TensorBase, _inplace_form, _int, _nd
from . import dual
from .dual import _Op
from .movement import UnsafeView
from .promotion import _as_tensor_like, _broadcast_error, _operand

if TYPE_CHECKING:
    from ..tensor import Tensor


def _t(x: Any) -> Any:
    return dual.swapaxes(x, -1, -2)


class Matmul(_Op):
    _grad_fn_name = "MmBackward0"
    ctx_fields = ("a_vec", "b_vec")  # whether a, b were vectors (not matrices)
    _check_order: tuple[int, ...] | None = (1, 0)  # (PyTorch checks ``mat2``, then ``self``)

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        need_a, need_b = ctx.needs_input_grad
        # each gradient needs the other input only (as PyTorch saves them: a version check
        # fails only for what is needed)
        ctx.save_for_backward(a if need_b else None, b if need_a else None)
        ctx.a_vec, ctx.b_vec = a.ndim == 1, b.ndim == 1
        return _mm(a, b)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        # treat vectors as matrices: a (k,) is (1, k); b (k,) is (k, 1)
        a_vec, b_vec = ctx.a_vec, ctx.b_vec
        if b_vec:  # out (..., n) is (..., n, 1)
            b = dual.reshape(b, (-1, 1)) if b is not None else None
            grad = dual.reshape(grad, grad.shape + (1,))
        if a_vec:  # out (..., m) is (..., 1, m)
            a = dual.reshape(a, (1, -1)) if a is not None else None
            grad = dual.reshape(grad, grad.shape[:-1] + (1,) + grad.shape[-1:])
        # d(AB)/dA = G B^T, d(AB)/dB = A^T G (batch axes are summed by the engine)
        ga = _mm(grad, _t(b)) if need_a else None
        gb = _mm(_t(a), grad) if need_b else None
        if a_vec and ga is not None:
            ga = dual.reshape(ga, ga.shape[:-2] + ga.shape[-1:])
        if b_vec and gb is not None:
            gb = dual.reshape(gb, gb.shape[:-1])
        return ga, gb


Mv = labelled(Matmul, "MvBackward0", _check_order=None)  # (``self`` before ``vec``)


Dot = labelled(Matmul, "DotBackward0", _check_order=None)  # (``self`` before ``tensor``)


Vdot = labelled(Matmul, "VdotBackward0", _check_order=None)  # (dot, conjugating ``self``:
# the same for real numbers)


Bmm = labelled(Matmul, "BmmBackward0")


def matmul_op(a_ndim: int, b_ndim: int) -> type[Matmul]:
    """The one op PyTorch's matmul is for these ranks (matrices and vectors but a vector
    times a matrix: ``_decomposed_matmul``)."""
    if a_ndim == 2 and b_ndim == 2:
        return Matmul
    return Dot if a_ndim == 1 else Mv


def _decomposed_matmul(a: Tensor, b: Tensor) -> Tensor:
    """``a @ b`` where PyTorch's matmul is made of other ops (a vector times a matrix, or an
    operand of 3-D or more): the same ops, so that the graph shows PyTorch's nodes
    (``UnsafeViewBackward0`` over ``BmmBackward0`` over ``ViewBackward0`` and
    ``ExpandBackward0``) and the products are PyTorch's (a batch of matrices times one
    matrix is one product of the batch folded into a matrix)."""
    da, db = a._data.ndim, b._data.ndim
    if da == 1 and db == 2:
        return a.unsqueeze(0).mm(b).squeeze_(0)
    if _should_fold(a, b):
        transpose = db > da  # (then b^T @ a^T, transposed back)
        t1 = b.mT if transpose else a
        t2 = (a.t() if da == 2 else a) if transpose else b
        shape = (*t1.shape[:-1], *t2.shape[1:])
        folded = t1.reshape(-1, t1.shape[-1])
        if t2._data.ndim == 1:
            return UnsafeView.apply(Mv.apply(folded, t2), shape)  # type: ignore[no-any-return]
        out = UnsafeView.apply(Matmul.apply(folded, t2), shape)
        return out.mT.contiguous() if transpose else out  # type: ignore[no-any-return]
    if da == 3 and db == 3 and a.shape[0] != b.shape[0]:  # (a batch of one that requires
        if a.shape[0] == 1 and a.requires_grad:  # grad is squeezed, then folded: no
            return _decomposed_matmul(a.squeeze(0), b)  # expanded gradient in backward)
        if b.shape[0] == 1 and b.requires_grad:
            return _decomposed_matmul(a, b.squeeze(0))
    n, k = (a.shape[-2] if da > 1 else 1), a.shape[-1]
    m, p = (b.shape[-2], b.shape[-1]) if db > 1 else (b.shape[0], 1)
    batch = tuple(np.broadcast_shapes(a.shape[:-2], b.shape[:-2]))
    size = int(np.prod(batch))
    a3 = a.expand(*batch, n, k).reshape(size, n, k)
    if db == 1:
        out = Bmm.apply(a3, b.expand(*batch, m).reshape(size, m).unsqueeze(2)).squeeze(-1)
    else:
        out = Bmm.apply(a3, b.expand(*batch, m, p).reshape(size, m, p))
    shape = batch + ((n,) if da > 1 else ()) + ((p,) if db > 1 else ())
    return UnsafeView.apply(out, shape)  # type: ignore[no-any-return]


def _should_fold(a: Tensor, b: Tensor) -> bool:
    """PyTorch's choice of folding a batch into a matrix (one mm or mv) over a bmm: for a
    3-D-or-more operand with a matrix or vector, when the other operand requires grad or
    the fold needs no copy."""
    larger = a._data.ndim >= b._data.ndim
    t1 = a._data if larger else np.swapaxes(b._data, -1, -2)
    if not (t1.ndim >= 3 and (b if larger else a)._data.ndim in (1, 2)):
        return False
    if (b if larger else a).requires_grad:
        return True
    if a._data.ndim == 2:
        return False  # (a fold would have to copy the transposed product)
    if t1.size == 0:
        return True
    return all(t1.strides[i] == t1.strides[i + 1] * t1.shape[i + 1] for i in range(t1.ndim - 2))


# ---------------------------------------------------------------------------- bmm, addmm
def _scalar_name(dtype: Any) -> str:
    """PyTorch's name of a dtype in its messages: Float, Double, Long, Bool, ..."""
    return scalar_type_name(dtype)


def check_same_dtype(kernel: str, a: Any, b: Any) -> None:
    """The dtype check of PyTorch's CPU kernels: no bools, and ``b`` of ``a``'s dtype."""
    if a == np.bool_:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")
    if a != b:
        raise RuntimeError(f"expected scalar type {_scalar_name(a)} but found {_scalar_name(b)}")


def check_batches(a: np.ndarray, b: np.ndarray) -> None:
    """``bmm``'s shapes: two 3-D tensors, ``b[i]`` of shape ``(a.shape[2], m)`` for every
    ``a[i]`` (the same batch size: no broadcasting)."""
    for x, name in ((a, "batch1"), (b, "batch2")):
        if x.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")
    if b.shape[:2] != (a.shape[0], a.shape[2]):
        raise RuntimeError("Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}].")


def check_addmm(input: np.ndarray, mat1: np.ndarray, mat2: np.ndarray) -> None:
    """``addmm``'s checks in PyTorch's order: dtypes, matrices, shapes (``input``'s
    broadcast is checked by ``Tensor.expand``)."""
    for x, name in ((input, "self"), (mat1, "mat1")):
        if x.dtype != mat2.dtype:
            raise RuntimeError(f"{name} and mat2 must have the same dtype, but got "
                               f"{_scalar_name(x.dtype)} and {_scalar_name(mat2.dtype)}")
    for x, name in ((mat1, "mat1"), (mat2, "mat2")):
        if x.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix, got {x.ndim}-D tensor")
    if mat1.shape[1] != mat2.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({mat1.shape[0]}x"
                           f"{mat1.shape[1]} and {mat2.shape[0]}x{mat2.shape[1]})")
    if mat1.dtype == np.bool_:
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Bool'")


def check_baddbmm(input: np.ndarray, batch1: np.ndarray, batch2: np.ndarray) -> None:
    """``baddbmm``'s checks in PyTorch's order: shapes, then dtypes."""
    check_batches(batch1, batch2)
    if input.dtype != batch1.dtype:
        names = [_CPP_NAMES[str(x.dtype)] for x in (input, batch1, batch2)]
        raise RuntimeError("Input dtypes must be the same, got: input {}, batch1: {}, "
                           "batch2: {}".format(*names))
    check_same_dtype("baddbmm", batch1.dtype, batch2.dtype)


_ONES: dict[tuple[int, np.dtype], np.ndarray] = {}


def _ones(n: int, dtype: np.dtype) -> np.ndarray:
    """A cached read-only vector of ones: sums as BLAS products (``ones @ g``) are much
    faster than numpy's axis reductions on narrow arrays."""
    key = (n, dtype)
    ones = _ONES.get(key)
    if ones is None:
        if len(_ONES) > 64:
            _ONES.clear()
        ones = _ONES[key] = np.ones(n, dtype)
        ones.flags.writeable = False
    return ones


_BLOCK_ROWS: dict[tuple[int, int], int] = {}


def _add_bias(out: np.ndarray, bias: np.ndarray) -> None:
    """out += bias, in place, for a fresh C-contiguous (N, n_out) ``out``.

    numpy broadcasts ``bias`` along rows with one short inner loop per row: with few
    outputs that costs ~4.5 µs for (1000, 8). So ``out`` is added as (N / k, k * n_out)
    blocks of k whole rows, against ``bias`` tiled k times (made per call, a few hundred
    floats), for k a divisor of N: ~3 µs there. Wide layers are fast as they are.
    """
    n, n_out = out.shape
    if n_out > 32 or n_out == 1 or n < 128:
        out += bias
        return
    key = (n, n_out)
    k = _BLOCK_ROWS.get(key)
    if k is None:  # the smallest divisor of N giving blocks of >= 256 elements (1: none)
        k = next((d for d in range(-(-256 // n_out), n // 2 + 1) if n % d == 0), 1)
        if len(_BLOCK_ROWS) > 256:
            _BLOCK_ROWS.clear()
        _BLOCK_ROWS[key] = k
    if k == 1 or k * n_out > 4096:
        out += bias
        return
    tiled = np.empty_like(out, shape=(k, n_out))  # (of out: tg.compile's recorder sees it)
    tiled[...] = bias
    blocks = out.reshape(n // k, k * n_out)
    np.add(blocks, tiled.reshape(-1), out=blocks)


class Addmm(_Op):
    """``beta * input + alpha * (mat1 @ mat2)`` as one op, as in PyTorch (BLAS's gemm does
    both at once). ``input`` broadcasts to the product's shape; it is not read when beta
    is 0, nor are the matrices when alpha is 0 (a nan there does not spread)."""

    _grad_fn_name = "AddmmBackward0"
    ctx_fields = ("beta", "alpha", "input_ndim")

    @staticmethod
    def forward(ctx: Any, input: Any, mat1: Any, mat2: Any, beta: Any, alpha: Any) -> Any:
        ctx.save_for_backward(mat1 if ctx.needs_input_grad[2] else None, mat2)
        ctx.beta, ctx.alpha, ctx.input_ndim = beta, alpha, np.ndim(input)
        if alpha:
            # one inner dim (a Linear(1, n)): an outer product, the same numbers, no BLAS call
            out = mat1 * mat2 if mat1.shape[-1] == 1 else mat1 @ mat2
            if alpha != 1:
                out *= alpha
        else:
            out = np.zeros(mat1.shape[:-1] + mat2.shape[-1:], dtype=mat1.dtype)
        if beta == 1 and out.ndim == 2 and input.ndim == 1 and out.flags.c_contiguous:
            _add_bias(out, input)  # (a Linear layer's bias: added in place, row blocks)
        elif beta:
            out += input if beta == 1 else beta * input
        return out if out.dtype == mat1.dtype else out.astype(mat1.dtype)  # (see _mm)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        mat1, mat2 = ctx.saved_tensors
        beta, alpha, input_ndim = ctx.beta, ctx.alpha, ctx.input_ndim
        need_input, need_1, need_2 = ctx.needs_input_grad[:3]
        # d/d(input) = beta (the engine sums it back to input's shape);
        # d/d(mat1) = alpha * G mat2^T, d/d(mat2) = alpha * mat1^T G
        g_input = (grad if beta == 1 else grad * beta) if need_input else None
        if input_ndim == 1 and grad.ndim == 2 and isinstance(g_input, np.ndarray):
            # a Linear layer's bias: the sum over the batch as one BLAS product (fast)
            g_input = _mm(_ones(grad.shape[0], grad.dtype), g_input)
        g1 = _times(_product(grad, _t(mat2), mat1), alpha) if need_1 else None
        g2 = _times(_product(_t(mat1), grad, mat2), alpha) if need_2 else None
        return g_input, g1, g2, None, None


def _product(a: Any, b: Any, like: Any) -> Any:
    """``a @ b``, laid out as ``like`` is (as PyTorch's mm backward does): for a transposed
    matrix (``weight.t()`` of a Linear), ``(b.T @ a.T).T``, whose transpose back is then
    row-major, as the weight and the optimizer's buffers are."""
    if (isinstance(a, np.ndarray) and like is not None and like.ndim == 2 and a.ndim == 2
            and like.flags.f_contiguous and not like.flags.c_contiguous):
        return _mm(b.T, a.T).T
    return _mm(a, b)


def _mm(a: Any, b: Any) -> Any:
    """``a @ b`` in ``a``'s dtype. numpy has no bfloat16 product: it multiplies bfloat16 in
    float32, and the result is rounded once to bfloat16 here, as PyTorch's CPU kernels
    accumulate in float32 and round once."""
    out = a @ b
    if isinstance(out, (np.ndarray, np.generic)) and out.dtype != a.dtype:
        out = out.astype(a.dtype)  # (a vector times a vector: a numpy scalar)
    return out


# ``beta * input + alpha * (batch1 @ batch2)``, batch by batch.
Baddbmm = labelled(Addmm, "BaddbmmBackward0")


def _times(x: Any, c: Any) -> Any:
    return x if c == 1 else x * c


# ---------------------------------------------------------------------------- einsum
_LABELS = string.ascii_uppercase + string.ascii_lowercase  # PyTorch's order of labels


class Einsum(_Op):
    """``einsum`` of an equation in numpy's explicit form, every dim named by a letter
    (``tg.einsum`` spells out ``...`` and the implicit output first).

    The gradient of each operand is another einsum: of the output's gradient with the
    other operands (``_einsum_grad``). PyTorch has no node of this name: its einsum
    records the permutes, products and sums it is made of.
    """

    _grad_fn_name = "EinsumBackward0"
    ctx_fields = ("equation", "dtype")  # dtype: the output's

    @staticmethod
    def forward(ctx: Any, equation: str, *operands: Any) -> Any:
        ctx.save_for_backward(*operands)
        out = _einsum_arrays(equation, *operands)
        if len(operands) == 1 and np.may_share_memory(out, operands[0]):
            out = out.copy()  # numpy's view of the input ('ij->ji', 'ii->i'): ours is new
        ctx.equation, ctx.dtype = equation, np.asanyarray(out).dtype
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        operands = ctx.saved_tensors
        equation, dtype = ctx.equation, ctx.dtype
        lhs, output = equation.split("->")
        inputs = lhs.split(",")
        return (None,) + tuple(
            _einsum_grad(k, inputs, output, operands, grad, dtype) if need else None
            for k, need in enumerate(ctx.needs_input_grad[1:])
        )


def _einsum_grad(k: int, inputs: list[str], output: str, operands: Any, grad: Any,
                 dtype: Any) -> Any:
    """d(loss)/d(operand k) of ``out = einsum(inputs -> output)``: each element of the
    operand gets the sum, over the terms it appears in, of grad * the other factors.

    That is an einsum of ``grad`` with the other operands, giving operand k's labels, plus
    a constant per label einsum cannot place: a label repeated in operand k (``ii``: only
    the diagonal takes part) is given a new letter and an identity matrix linking it to
    the first; a label summed in operand k alone (``ij->i``), or broadcast from size 1
    everywhere else, a vector of ones.
    """
    shape = operands[k].shape
    spare = iter(c for c in _LABELS if c not in "".join(inputs) + output)
    subs = [output] + [s for j, s in enumerate(inputs) if j != k]
    args = [grad] + [x for j, x in enumerate(operands) if j != k]
    present: dict[str, int] = {}  # label -> its largest size among the einsum's operands
    for term, x in zip(subs, args):
        for label, n in zip(term, x.shape):
            present[label] = max(n, present.get(label, 1))
    target = ""
    for pos, label in enumerate(inputs[k]):
        if label in target:  # repeated: d(x[i, i'])/d... is zero off the diagonal i == i'
            new = next(spare)
            subs.append(label + new)
            args.append(dual.constant(np.eye(shape[pos], dtype=dtype), grad))
            target += new
            continue
        if present.get(label, 0) < shape[pos]:  # summed in operand k alone: d(sum)/d(each) = 1
            subs.append(label)
            args.append(dual.constant(np.ones(shape[pos], dtype=dtype), grad))
        target += label
    return _einsum(",".join(subs) + "->" + target, *args)


def _einsum(equation: str, *args: Any) -> Any:
    """numpy's einsum on arrays; the recorded op on Tensors (double backward)."""
    if all(dual._is_array(a) for a in args):
        return _einsum_arrays(equation, *args)
    return Einsum.apply(equation, *args)


def _einsum_arrays(equation: str, *arrays: Any) -> Any:
    """numpy's einsum. It refuses bfloat16 (or multiplies it in float32): that is computed
    in float32 and rounded once, as PyTorch's bfloat16 products accumulate in float32."""
    dtype = arrays[0].dtype
    if dtype.name != "bfloat16":
        return np.einsum(equation, *arrays, optimize=len(arrays) > 1)
    wide = [a.astype(np.float32) for a in arrays]
    return np.asarray(np.einsum(equation, *wide, optimize=len(arrays) > 1)).astype(dtype)


def spell_einsum(equation: str, shapes: list[tuple[int, ...]]) -> str:
    """``equation`` in numpy's explicit form for operands of ``shapes``: the dims ``...``
    covers named by unused letters, the implicit output (``...``, then the labels seen
    once, sorted) written out. Raises PyTorch's errors, in its order."""
    lhs, arrow, rhs = equation.partition("->")
    terms = _einsum_terms(lhs, len(shapes))
    ell_ndim = _einsum_ranks(terms, shapes)
    counts = Counter(label for term in terms for label in term if label != "...")
    ell = "".join(c for c in _LABELS if c not in counts)[:ell_ndim]
    if len(ell) < ell_ndim:
        raise RuntimeError("einsum(): too many dimensions: more than 52 labels in all")
    if arrow:
        output = _einsum_output(rhs, counts, len(lhs), ell)
    else:
        output = ell + "".join(sorted(label for label, n in counts.items() if n == 1))
    _einsum_sizes(terms, shapes, ell_ndim)
    inputs = ["".join(ell[ell_ndim - (len(shape) - len(term) + 1):] if label == "..." else
                      label for label in term) for term, shape in zip(terms, shapes)]
    return ",".join(inputs) + "->" + output


def _einsum_terms(lhs: str, num_ops: int) -> list[list[str]]:
    """Each operand's labels (``...`` as one item); spaces are ignored."""
    terms: list[list[str]] = [[]]
    i = 0
    while i < len(lhs):
        c = lhs[i]
        if c == ".":
            where = f"einsum(): found '.' for operand {len(terms) - 1}"
            if "..." in terms[-1]:
                raise RuntimeError(f"{where} for which an ellipsis was already found")
            if lhs[i:i + 3] != "...":
                raise RuntimeError(f"{where} that is not part of any ellipsis")
            terms[-1].append("...")
            i += 3
            continue
        if c == ",":
            if len(terms) == num_ops:
                raise RuntimeError("einsum(): fewer operands were provided than specified in "
                                   "the equation")
            terms.append([])
        elif c != " ":
            _check_label(c, i)
            terms[-1].append(c)
        i += 1
    if len(terms) != num_ops:
        raise RuntimeError("einsum(): more operands were provided than specified in the "
                           "equation")
    return terms


def _check_label(c: str, index: int) -> None:
    if c not in _LABELS:
        raise RuntimeError(f"einsum(): invalid subscript given at index {index} in the "
                           "equation string, subscripts must be in [a-zA-Z]")


def _einsum_ranks(terms: list[list[str]], shapes: list[tuple[int, ...]]) -> int:
    """Check each operand's number of labels against its rank; return how many dims the
    widest ``...`` covers."""
    ell_ndim = 0
    for i, (term, shape) in enumerate(zip(terms, shapes)):
        has_ell = "..." in term
        n = len(term) - has_ell
        if has_ell and n <= len(shape):
            ell_ndim = max(ell_ndim, len(shape) - n)
        elif has_ell:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({n}) is "
                               f"more than the number of dimensions ({len(shape)}) for "
                               f"operand {i}")
        elif n != len(shape):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({n}) does "
                               f"not match the number of dimensions ({len(shape)}) for operand "
                               f"{i} and no ellipsis was given")
    return ell_ndim


def _einsum_output(rhs: str, counts: Counter[str], lhs_len: int, ell: str) -> str:
    """The explicit output's labels (``...`` as ``ell``), checked."""
    out = ""
    seen_ell = False
    i = 0
    while i < len(rhs):
        c = rhs[i]
        if c == ".":
            if seen_ell:
                raise RuntimeError("einsum(): found '.' for output but an ellipsis (...) was "
                                   "already found")
            if rhs[i:i + 3] != "...":
                raise RuntimeError("einsum(): found '.' for output that is not part of any "
                                   "ellipsis (...)")
            out += ell
            seen_ell = True
            i += 3
            continue
        if c != " ":
            _check_label(c, lhs_len + 2 + i)
            if c in out:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once in "
                                   "the output")
            if not counts[c]:
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the "
                                   "equation for any input operand")
            out += c
        i += 1
    return out


def _einsum_sizes(terms: list[list[str]], shapes: list[tuple[int, ...]], ell_ndim: int) -> None:
    """Sizes of one label (and of one ``...`` dim) broadcast across operands; a label
    repeated in one operand (a diagonal) has one size there."""
    sizes: dict[str, int] = {}
    ell_sizes = [1] * ell_ndim
    for i, (term, shape) in enumerate(zip(terms, shapes)):
        mine: dict[str, int] = {}
        dim = pos = 0  # dim: PyTorch's index, once repeated labels are taken as diagonals
        for label in term:
            if label == "...":
                n = len(shape) - len(term) + 1
                for j in range(ell_ndim - n, ell_ndim):
                    size = shape[pos]
                    if size != 1 and ell_sizes[j] not in (1, size):
                        raise RuntimeError(
                            f"einsum(): dimension {dim} covered by ellipsis in operand {i}has "
                            f"size {size} which does not broadcast with previously seen "
                            f"ellipsis with size {ell_sizes[j]} for the respective dimension")
                    ell_sizes[j] = size if size != 1 else ell_sizes[j]
                    dim, pos = dim + 1, pos + 1
            elif label in mine:
                if shape[pos] != mine[label]:
                    raise RuntimeError(f"einsum(): subscript {label} is repeated for operand {i}"
                                       f" but the sizes don't match, {shape[pos]} != "
                                       f"{mine[label]}")
                pos += 1
            else:
                size = mine[label] = shape[pos]
                if size != 1 and sizes.get(label, 1) not in (1, size):
                    raise RuntimeError(f"einsum(): subscript {label} has size {size} for "
                                       f"operand {i} which does not broadcast with previously "
                                       f"seen size {sizes[label]}")
                sizes[label] = size if size != 1 else sizes.get(label, 1)
                dim, pos = dim + 1, pos + 1


def einsum_dtype(equation: str, shapes: list[tuple[int, ...]], np_dtypes: list[Any]) -> Any:
    """The dtype of PyTorch's result for operands of these dtypes (``equation`` spelled
    out), or its error. PyTorch contracts left to right. A summed label that only one
    side of a pair still has is summed there first (ints and bools sum to int64); a pair
    that shares a summed label goes through bmm (one dtype, no bools); other pairs
    multiply (the dtypes promote). Size-1 dims take part in none of this."""
    lhs, output = equation.split("->")
    if "," not in lhs:
        return _sum_dtype(np_dtypes[0]) if set(lhs) - set(output) else np.dtype(np_dtypes[0])
    dtype = np.dtype(np_dtypes[0])
    for (sum_a, sum_b, shared), b_dtype in zip(einsum_steps(equation, shapes), np_dtypes[1:]):
        dtype = _sum_dtype(dtype) if sum_a else dtype
        b_dtype = _sum_dtype(b_dtype) if sum_b else np.dtype(b_dtype)
        if shared:
            check_same_dtype("bmm", dtype, b_dtype)
        else:
            dtype = np.dtype(promote_types(dtypes.from_numpy(dtype),
                                                  dtypes.from_numpy(b_dtype)).np)
    return dtype


def einsum_steps(equation: str, shapes: list[tuple[int, ...]]) -> list[tuple[bool, bool, bool]]:
    """How PyTorch contracts the operands, left to right: for each pair, whether it sums
    the left side alone, the right side alone, and whether the pair goes through bmm."""
    lhs, output = equation.split("->")
    inputs = lhs.split(",")
    summed = sorted(set(lhs) - set(output) - {","})
    # the labels of each operand along which it has more than one element
    big = [{label for label, n in zip(term, shape) if n != 1}
           for term, shape in zip(inputs, shapes)]
    count = {label: sum(label in b for b in big) for label in summed}
    steps, a = [], big[0]
    for b in big[1:]:
        sum_a, sum_b, shared, done = _einsum_pair(a, b, summed, count)
        steps.append((sum_a, sum_b, shared))
        a = (a | b) - done
    return steps


def _einsum_pair(a: set[str], b: set[str], summed: list[str],
                 count: dict[str, int]) -> tuple[bool, bool, bool, set[str]]:
    """What PyTorch does to the summed labels when it contracts ``a`` with ``b`` (their
    labels of size > 1; ``count``: how many operands left have each): whether it sums
    ``a`` alone, ``b`` alone, the two together (bmm), and the labels gone after it."""
    sum_a = sum_b = shared = False
    done = set()
    for label in summed:
        if label in a and label in b:
            count[label] -= 1
            shared = shared or count[label] == 1
        elif count[label] == 1 and (label in a or label in b):
            sum_a, sum_b = sum_a or label in a, sum_b or label not in a
        else:
            continue
        if count[label] == 1:
            count[label] = 0
            done.add(label)
    return sum_a, sum_b, shared, done


def _sum_dtype(dtype: Any) -> Any:
    return np.dtype(np.int64) if np.dtype(dtype).kind in "biu" else np.dtype(dtype)


# ------------------------------------------------------------------ the Tensor methods
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
                           f"{_scalar_name(da)} and {_scalar_name(db)}{_MATMUL_HINT}")
    _check_matmul_shapes(a, b)
    if da is db and da in FLOATING:
        return  # (the usual case: nothing more to check)
    kernel = ("dot" if len(sa) == len(sb) == 1 else "addmv_impl_cpu" if len(sb) == 1 else
              "addmm_impl_cpu_" if len(sb) == 2 else "bmm")
    if da == np.bool_ and (db == np.bool_ or kernel == "bmm"):  # no bool kernels
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")
    if da != db:
        if kernel == "addmv_impl_cpu":
            names = [_scalar_name(d) for d in (db, da, db)]
            message = "addmv input tensors must have the same dtype, but got {}, {}, and {}"
        elif kernel == "addmm_impl_cpu_":
            names = [_CPP_NAMES.get(str(d), str(d)) for d in (da, db)]
            message = "expected m1 and m2 to have the same dtype, but got: {} != {}"
        else:
            names = [_scalar_name(d) for d in (da, db)]
            message = "expected scalar type {} but found {}"
        raise RuntimeError(message.format(*names) + _MATMUL_HINT)


_MATMUL_HINT = (". Hint: convert one side, e.g. x.float() (float32) or x.double() "
                "(float64).")


def _check_matmul_shapes(a: Tensor, b: Tensor) -> None:
    sa, sb = a._data.shape, b._data.shape
    k_a = sa[-1]
    k_b = sb[0] if len(sb) == 1 else sb[-2]
    if len(sa) > 2 or len(sb) > 2:
        try:
            np.broadcast_shapes(sa[:-2], sb[:-2])
        except ValueError:
            raise _broadcast_error(sa[:-2], sb[:-2]) from None
    if k_a != k_b:
        if len(sa) == len(sb) == 3 and sa[0] != sb[0]:  # (a batch of one that requires grad
            if sa[0] == 1 and a.requires_grad:  # is squeezed first: see _decomposed_matmul)
                a = a.squeeze(0)
            elif sb[0] == 1 and b.requires_grad:
                b = b.squeeze(0)
        fold = (a.ndim > 2 or b.ndim > 2) and _should_fold(a, b)
        raise _matmul_shape_error(tuple(sa), tuple(sb), tuple(a.shape), tuple(b.shape), fold)


def _matmul_shape_error(shape_a: tuple[_int, ...], shape_b: tuple[_int, ...],
                        sa: tuple[_int, ...], sb: tuple[_int, ...], fold: bool) -> RuntimeError:
    """PyTorch's message for the shapes of ``a @ b`` that do not fit, and a hint: the
    message of the kernel the product goes to (dot, mv, mm; bmm unless a batch is folded
    into a matrix -- for ``b`` the larger, PyTorch multiplies ``b^T @ a^T``). ``sa``, ``sb``
    are the shapes that reach it (a batch of one may have been squeezed)."""
    k_a, k_b = sa[-1], (sb[0] if len(sb) == 1 else sb[-2])
    if (len(sa) > 2 or len(sb) > 2) and not fold:
        batch = int(np.prod(np.broadcast_shapes(sa[:-2], sb[:-2])))
        message = (f"Expected size for first two dimensions of batch2 tensor to be: "
                   f"[{batch}, {k_a}] but got: [{batch}, {k_b}].")
    elif fold and len(sb) > len(sa):
        rows = int(np.prod(sb[:-2])) * sb[-1]
        if len(sa) == 1:
            message = f"size mismatch, got input ({rows}), mat ({rows}x{k_b}), vec ({k_a})"
        else:
            message = (f"mat1 and mat2 shapes cannot be multiplied ({rows}x{k_b} and "
                       f"{sa[1]}x{sa[0]})")
    elif len(sa) == 1 and len(sb) == 1:
        message = (f"inconsistent tensor size, expected tensor [{sa[0]}] and src [{sb[0]}] to "
                   f"have the same number of elements, but got {sa[0]} and {sb[0]} elements "
                   "respectively")
    elif len(sb) == 1:
        rows = int(np.prod(sa[:-1]))
        message = f"size mismatch, got input ({rows}), mat ({rows}x{k_a}), vec ({sb[0]})"
    else:
        ma = "x".join(map(str, sa if len(sa) == 2 else (int(np.prod(sa[:-1])), sa[-1])))
        mb = "x".join(map(str, sb if len(sb) == 2 else (sb[0], 1)))
        message = f"mat1 and mat2 shapes cannot be multiplied ({ma} and {mb})"
    where = "first" if len(shape_b) <= 2 else "second-to-last"
    return RuntimeError(
        f"{message.rstrip('.')}. Hint: in a @ b, the last dim of a ({k_a}, shape "
        f"{list(shape_a)}) must equal the {where} dim of b ({k_b}, shape {list(shape_b)}); "
        "fix a shape or use b.T."
    )


class MatmulMethods(TensorBase):
    """The Tensor's matrix products: ``@``, mm, bmm, dot, addmm, baddbmm."""

    __slots__ = ()

    def __matmul__(self, other: Any) -> Tensor:
        if isinstance(other, _nd):  # numpy's dtype rules, as with PyTorch
            return self._with_array(np.matmul, None, other) if not self._requires_grad \
                else self.matmul(_wrap(other))
        return self.matmul(other) if isinstance(other, TensorBase) else NotImplemented

    def __rmatmul__(self, other: Any) -> Tensor:
        return NotImplemented if not isinstance(other, TensorBase) else other.matmul(self)

    def matmul(self, other: Tensor) -> Tensor:
        """Matrix product with numpy's ``@`` rules (vectors, matrices, batches)."""
        if not isinstance(other, TensorBase):
            other = _as_tensor_like(other, self)
        a, b = autocast_args("matmul", self, other)  # inside tg.autocast("cpu"): bfloat16
        return a._product(b)

    def _product(self, other: Tensor) -> Tensor:
        """``matmul`` in the inputs' dtype (``dot`` too: autocast leaves it in float32)."""
        _check_matmul(self, other)
        da, db = self._data.ndim, other._data.ndim
        if da > 2 or db > 2 or (da, db) == (1, 2):
            return _decomposed_matmul(self, other)
        return matmul_op(da, db).apply(self, other)

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
        return self._product(other)

    def vdot(self, other: Tensor) -> Tensor:
        """Inner product of two 1-D tensors, the first conjugated: ``dot`` for real ones.

        >>> tg.tensor([1.0, 2.0]).vdot(tg.tensor([3.0, 4.0]))
        tensor(11.)
        """
        if self._data.ndim != 1 or other._data.ndim != 1:
            raise RuntimeError(f"1D tensors expected, but got {self._data.ndim}D and "
                               f"{other._data.ndim}D tensors")
        _check_matmul(self, other)
        return Vdot.apply(self, other)  # type: ignore[no-any-return]

    # ------------------------------------------------------------------ linear algebra
    def bmm(self, mat2: Tensor) -> Tensor:
        """Batched matrix product of 3-D tensors: ``out[b] = self[b] @ mat2[b]``. The batch
        sizes must be equal (no broadcasting: ``matmul`` broadcasts), and so the dtypes.

        >>> tg.ones(2, 1, 3).bmm(tg.ones(2, 3, 4)).shape
        tinygrad_edu.Size([2, 1, 4])
        """
        self, mat2 = autocast_args("bmm", self, mat2)
        check_batches(self._data, mat2._data)
        check_same_dtype("bmm", self._data.dtype, mat2._data.dtype)
        return Bmm.apply(self, mat2)

    def addmm(self, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        """``beta * self + alpha * (mat1 @ mat2)`` in one op; ``self`` broadcasts to the
        product's shape and is ignored when ``beta`` is 0 (a nan in it too). No dtype
        promotion, as in PyTorch: one dtype for all three (ints take int beta and alpha).

        >>> tg.zeros(2).addmm(tg.ones(1, 3), tg.ones(3, 2), alpha=2)
        tensor([[6., 6.]])
        """
        self, mat1, mat2 = autocast_args("addmm", self, mat1, mat2)
        check_addmm(self._data, mat1._data, mat2._data)
        _wrap(self._data).expand(mat1.shape[0], mat2.shape[1])  # PyTorch's broadcast errors
        b, a = (checked_scalar(_operand(v, "addmm"), self.dtype) for v in (beta, alpha))
        return Addmm.apply(self, mat1, mat2, b, a)

    def baddbmm(self, batch1: Tensor, batch2: Tensor, *, beta: Any = 1,
                alpha: Any = 1) -> Tensor:
        """``beta * self + alpha * batch1.bmm(batch2)`` in one op (``addmm`` by batches).

        >>> tg.zeros(1).baddbmm(tg.ones(2, 1, 3), tg.ones(2, 3, 1)).shape
        tinygrad_edu.Size([2, 1, 1])
        """
        self, batch1, batch2 = autocast_args("baddbmm", self, batch1, batch2)
        check_baddbmm(self._data, batch1._data, batch2._data)
        _wrap(self._data).expand(batch1.shape[0], batch1.shape[1], batch2.shape[2])
        b, a = (checked_scalar(_operand(v, "baddbmm"), self.dtype) for v in (beta, alpha))
        return Baddbmm.apply(self, batch1, batch2, b, a)

    addmm_ = _inplace_form(addmm)
    baddbmm_ = _inplace_form(baddbmm)
