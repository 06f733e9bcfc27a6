"""Every differentiable op, tested twice (STYLE.md, Tests):

1. against central finite differences in float64 (``tg.autograd.gradcheck``), and its
   second derivatives too for the smooth ops (``tg.autograd.gradgradcheck``);
2. against PyTorch, when it can be imported: values, dtype, shape, ``grad_fn`` name,
   and each input's gradient ("backward, input 1"), in float64 and in float32.

One table, ``OPS``, drives both. A row is ``Op(name, fn, inputs, ...)``: ``fn(lib, *xs,
**params)`` is the op written once against a library ``lib`` -- ``tinygrad_edu`` or
``torch``, which share the API, so the same line is the tinygrad_edu function and the
torch function (``torch_fn`` overrides it where torch spells it differently). ``inputs``
is a Hypothesis strategy of ``Sample(arrays, params)``: float64 arrays (the tensors),
kept off the op's kinks and poles by a domain from ``strategies.py``, and the op's
other arguments (dims, keepdim, exponents, indices).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
import strategies as S
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_edu as tg


# ============================================================================ the table
@dataclass(frozen=True)
class Sample:
    """One drawn example: the input arrays and the op's other arguments."""

    arrays: tuple[np.ndarray, ...]
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Op:
    """A row of the table (see the module docstring)."""

    name: str
    fn: Callable[..., Any]
    inputs: st.SearchStrategy[Sample]
    torch_fn: Callable[..., Any] | None = None
    gradgrad: bool = True  # check second derivatives (smooth ops)
    grad_fn: bool = True  # torch's grad_fn name is comparable (not an artifact of its kernels)
    eps: float = 1e-6  # finite-difference step
    # a sample on which torch's own gradient is wrong (its gradcheck fails): forward only
    torch_grad_bug: Callable[[Sample], bool] | None = None
    # float32 relative tolerance against torch: LAPACK builds (numpy's, torch's) round
    # differently, and the eigen/singular vectors' 1 / (gap) factors amplify it
    rtol32: float = 1e-5


NoParams = Callable[[tuple[int, ...]], st.SearchStrategy[dict[str, Any]]]


def _no_params(shape: tuple[int, ...]) -> st.SearchStrategy[dict[str, Any]]:
    return st.just({})


def unary(domain: S.Domain | None = None, params: NoParams = _no_params, min_dims: int = 0,
          max_dims: int = S.MAX_DIMS, min_side: int = 1) -> st.SearchStrategy[Sample]:
    """One array of any shape (0-d included) and params drawn for its shape."""

    @st.composite
    def draw_sample(draw: Any) -> Sample:
        shape = draw(S.shapes(min_dims, max_dims, min_side=min_side))
        a = draw(S.arrays(shape, domain=domain))
        return Sample((a,), draw(params(shape)))

    return draw_sample()


def binary(dom_x: S.Domain | None = None, dom_y: S.Domain | None = None,
           num: int = 2) -> st.SearchStrategy[Sample]:
    """``num`` arrays whose shapes broadcast together (different ranks, 0-d)."""

    @st.composite
    def draw_sample(draw: Any) -> Sample:
        shapes = draw(S.broadcast_shapes(num))
        doms = [dom_x, dom_y, None][:num]
        return Sample(tuple(draw(S.arrays(s, domain=d)) for s, d in zip(shapes, doms)))

    return draw_sample()


def params(**kw: Any) -> NoParams:
    """Params as fixed strategies, or functions of the shape returning strategies."""

    def for_shape(shape: tuple[int, ...]) -> st.SearchStrategy[dict[str, Any]]:
        return st.fixed_dictionaries(
            {k: (v(shape) if callable(v) and not isinstance(v, st.SearchStrategy) else v)
             for k, v in kw.items()}
        )

    return for_shape


def _ndim(fn: Callable[[int], Any]) -> Callable[[tuple[int, ...]], Any]:
    return lambda shape: fn(len(shape))


scalar = S.floats(-2, 2)
OFF_JUMPS = S.lattice(0.25)  # at least 0.05 from every integer and half-integer


def DIVISOR(y: np.ndarray) -> np.ndarray:  # noqa: N802  (a domain, named as the others)
    """±0.5, ±1, ±2 or ±4: ``x / y`` of an ``OFF_JUMPS`` x stays 0.0125 off the integers."""
    return np.where(y < 0, -1.0, 1.0) * 2.0 ** np.clip(np.round(y), -1, 2)


scalar_nonzero = S.floats(0.5, 2) | S.floats(-2, -0.5)


def _apart(sample: Sample) -> bool:
    """x and y (broadcast) at least 0.01 apart everywhere."""
    x, y = np.broadcast_arrays(*sample.arrays)
    return bool(np.all(np.abs(x - y) > 0.01))


def _OFF_POWERS_OF_TWO(x: np.ndarray) -> np.ndarray:  # noqa: N802  (a domain)
    """+-2^k m with m in [1.1, 1.9], k in -2..2: frexp's mantissa jumps at powers of 2."""
    k = np.floor(x)
    return np.where(x < 0, -1.0, 1.0) * 2.0 ** k * (1.1 + 0.8 * (x - k))
DIM = _ndim(S.dim)
DIMS = _ndim(S.dims)
DIMS_NOT_NONE = _ndim(lambda n: S.dims(n, allow_none=False))


# ---------------------------------------------------------------------------- matmul
@st.composite
def _matmul(draw: Any, a_dims: int | None, b_dims: int | None) -> Sample:
    """Operands of ``a @ b``; ``None`` ranks draw batch dims that broadcast (rank changes)."""
    n, k, m = (draw(st.integers(1, 3)) for _ in range(3))
    if a_dims is None:
        ba, bb = draw(S.broadcast_shapes(2, max_dims=2, max_side=2))
        sa, sb = ba + (n, k), bb + (k, m)
        sa = draw(st.sampled_from([sa, (k,)])) if not ba else sa
        sb = draw(st.sampled_from([sb, (k,)])) if not bb and len(sa) > 1 else sb
    else:
        sa = {1: (k,), 2: (n, k), 3: (2, n, k)}[a_dims]
        sb = {1: (k,), 2: (k, m), 3: (2, k, m)}[b_dims]
    return Sample((draw(S.arrays(sa)), draw(S.arrays(sb))))


@st.composite
def _addmm(draw: Any, batched: bool = False) -> Sample:
    """``input``, ``mat1``, ``mat2`` of addmm (baddbmm when ``batched``): ``input``
    broadcasts to the product's shape; beta and alpha include 0 and 1."""
    n, k, m = (draw(st.integers(1, 3)) for _ in range(3))
    lead = (2,) if batched else ()
    out = lead + (n, m)
    source = draw(S.expand_source(out))
    arrays = (draw(S.arrays(source)), draw(S.arrays(lead + (n, k))),
              draw(S.arrays(lead + (k, m))))
    return Sample(arrays, {"beta": draw(st.sampled_from([1, 0, 0.5, -2.0])),
                           "alpha": draw(st.sampled_from([1, 0, 2.5, -0.5]))})


@st.composite
def _addc(draw: Any, divide: bool = False) -> Sample:
    """``input``, ``tensor1``, ``tensor2`` of addcmul (addcdiv: ``tensor2`` off zero) that
    broadcast together, and ``value``."""
    shapes = draw(S.broadcast_shapes(3))
    doms = (None, None, S.away_from_zero_far if divide else None)
    return Sample(tuple(draw(S.arrays(s, domain=d)) for s, d in zip(shapes, doms)),
                  {"value": draw(st.sampled_from([1, 0.5, -2.0]))})


@st.composite
def _addmv(draw: Any, outer: bool = False, batched: bool = False) -> Sample:
    """``input`` and the operands of addmv (``outer``: addr; ``batched``: addbmm), input
    broadcasting to the result's shape; beta and alpha include 0 and 1."""
    n, k, m = (draw(st.integers(1, 3)) for _ in range(3))
    if outer:
        out, operands = (n, m), ((n,), (m,))
    elif batched:
        b = draw(st.integers(1, 3))
        out, operands = (n, m), ((b, n, k), (b, k, m))
    else:
        out, operands = (n,), ((n, k), (k,))
    source = draw(S.expand_source(out))
    arrays = (draw(S.arrays(source)), *(draw(S.arrays(s)) for s in operands))
    return Sample(arrays, {"beta": draw(st.sampled_from([1, 0, 0.5, -2.0])),
                           "alpha": draw(st.sampled_from([1, 0, 2.5, -0.5]))})


@st.composite
def _dist(draw: Any) -> Sample:
    """Two arrays that broadcast, off equal elements (the p-norm's kinks), and p."""
    a, b = (draw(S.arrays(s)) for s in draw(S.broadcast_shapes(2)))
    assume(np.all(np.abs(a - b) > 0.05))
    return Sample((a, b), {"p": draw(st.sampled_from([2, 1, 3, 1.5]))})


@st.composite
def _renorm(draw: Any) -> Sample:
    """A tensor of 2+ dims, a dim, p, and a maxnorm that some slices' norms exceed and some
    do not, every norm off it (the kink), and no tie for the max |x| when p = inf."""
    a = draw(S.arrays(draw(S.shapes(2, 3)), domain=S.away_from_zero))
    dim, p = draw(S.dim(a.ndim)), draw(st.sampled_from([1, 2, 3, 1.5, np.inf]))
    slices = np.moveaxis(np.abs(a), dim, 0).reshape(a.shape[dim], -1)
    norms = np.linalg.norm(slices, p, axis=1)
    maxnorm = draw(st.sampled_from(sorted(norms))) * draw(st.sampled_from([0.8, 1.2]))
    assume(np.all(np.abs(norms - maxnorm) > 0.05))
    if p == np.inf and slices.shape[1] > 1:
        top_two = np.sort(slices, axis=1)[:, -2:]
        assume(np.all(top_two[:, 1] - top_two[:, 0] > 0.05))
    return Sample((a,), {"p": p, "dim": dim, "maxnorm": float(maxnorm)})


@st.composite
def _einsum(draw: Any, *terms: str, broadcast: bool = False) -> Sample:
    """Operands for ``einsum`` with these terms: each letter gets one size (1 to 3), each
    ``...`` batch dims that broadcast across operands; ``broadcast``: some of an operand's
    letters size 1 (PyTorch broadcasts them too)."""
    size = {c: draw(st.integers(1, 3)) for c in sorted(set("".join(terms)) - set("."))}
    n_ell = sum("..." in t for t in terms)
    batches = iter(draw(S.broadcast_shapes(n_ell, max_dims=2, max_side=2)) if n_ell else ())
    arrays = []
    for term in terms:
        ones = {c for c in term if broadcast and c != "." and draw(st.booleans())}
        dims = tuple(1 if c in ones else size[c] for c in term.replace("...", ""))
        if "..." in term:
            at = term.index("...")
            dims = dims[:at] + next(batches) + dims[at:]
        arrays.append(draw(S.arrays(dims)))
    return Sample(tuple(arrays))


def _einsum_op(name: str, equation: str, *terms: str, broadcast: bool = False) -> Op:
    """A row for ``einsum(equation)``; torch's grad_fn there names the last op of its
    decomposition (ViewBackward0, SumBackward1, ...): ours is EinsumBackward0."""
    return Op(name, lambda L, *xs: L.einsum(equation, *xs),
              _einsum(*terms, broadcast=broadcast), grad_fn=False)


# ---------------------------------------------------------------------------- products
@st.composite
def _avg_pool3d(draw: Any) -> Sample:
    """An (N, C, D, H, W) or (C, D, H, W) input and avg_pool3d's arguments (each size at
    least the kernel; padding at most half of it)."""
    k = draw(st.integers(1, 3))
    lead = draw(st.sampled_from([(1, 2), (2,)]))
    shape = lead + tuple(draw(st.integers(k, 4)) for _ in range(3))
    return Sample((draw(S.arrays(shape)),), {
        "kernel_size": k, "stride": draw(st.integers(1, 2)), "padding": draw(st.integers(0, k // 2)),
        "ceil_mode": draw(st.booleans()), "count_include_pad": draw(st.booleans())})


@st.composite
def _adaptive_avg_pool3d(draw: Any) -> Sample:
    """An (N, C, D, H, W) or (C, D, H, W) input and output sizes (None keeps a size)."""
    shape = draw(st.sampled_from([(1, 2), (2,)])) + tuple(draw(st.integers(1, 5)) for _ in range(3))
    size = tuple(draw(st.none() | st.integers(1, 4)) for _ in range(3))
    return Sample((draw(S.arrays(shape)),), {"output_size": size})


@st.composite
def _bilinear(draw: Any, bias: bool) -> Sample:
    """x1 (*, i), x2 (*, j), W (o, i, j) and (with ``bias``) b (o,); * is 0 to 2 dims."""
    lead = draw(S.shapes(0, 2, max_side=3))
    i, j, o = (draw(st.integers(1, 3)) for _ in range(3))
    shapes = [lead + (i,), lead + (j,), (o, i, j)] + ([(o,)] if bias else [])
    return Sample(tuple(draw(S.arrays(s)) for s in shapes))


@st.composite
def _inner(draw: Any) -> Sample:
    """Two arrays (0-d to 2-D) whose last dims match (a 0-d side multiplies)."""
    k = draw(st.integers(1, 3))
    a, b = (draw(S.shapes(0, 2)) for _ in range(2))
    a, b = (s[:-1] + (k,) if s else s for s in (a, b))
    return Sample((draw(S.arrays(a)), draw(S.arrays(b))))


@st.composite
def _tensordot(draw: Any) -> Sample:
    """a and b with ``dims`` an int n (a's last n dims are b's first n), or two lists
    pairing dims in any order; a size-1 dim may meet any size (summed first)."""
    n = draw(st.integers(0, 2))
    shared = tuple(draw(st.integers(1, 3)) for _ in range(n))
    a = draw(S.shapes(0, 2)) + shared
    b = shared + draw(S.shapes(0, 2))
    dims: Any = n
    if n and draw(st.booleans()):  # the same pairs, as lists, b's dims permuted
        perm = draw(st.permutations(range(b.__len__())))
        b = tuple(b[i] for i in perm)
        where = [list(perm).index(i) for i in range(n)]
        dims = (list(range(len(a) - n, len(a))), where)
        if draw(st.booleans()):  # a size-1 dim on b's side: broadcast
            b = tuple(1 if i == where[0] else s for i, s in enumerate(b))
    return Sample((draw(S.arrays(a)), draw(S.arrays(b))), {"dims": dims})


@st.composite
def _cross(draw: Any) -> Sample:
    """Two arrays that broadcast, both of size 3 along ``dim``."""
    sa, sb = draw(S.broadcast_shapes(2, min_dims=1, max_dims=2))
    n = max(len(sa), len(sb))
    sa, sb = (1,) * (n - len(sa)) + sa, (1,) * (n - len(sb)) + sb
    axis = draw(st.integers(0, n - 1))
    sa, sb = (s[:axis] + (3,) + s[axis + 1:] for s in (sa, sb))
    return Sample((draw(S.arrays(sa)), draw(S.arrays(sb))),
                  {"dim": draw(st.sampled_from([axis, axis - n]))})


@st.composite
def _pdist(draw: Any) -> Sample:
    """x (N, M) and a p."""
    shape = (draw(st.integers(1, 4)), draw(st.integers(1, 3)))
    return Sample((draw(S.arrays(shape)),),
                  {"p": draw(st.sampled_from([2.0, 1.0, 3.0, 1.5, 0.5, 0.0, float("inf")]))})


def _pdist_off_kinks(sample: Sample) -> bool:
    """cdist's kinks, of the rows against themselves (the diagonal aside)."""
    (x,) = sample.arrays
    i, j = np.triu_indices(x.shape[0], 1)
    pairs = Sample((x[i][:, None], x[j][:, None]), sample.params)
    return i.size == 0 or _cdist_off_kinks(pairs)


@st.composite
def _cdist(draw: Any) -> Sample:
    """x1 (P, M) and x2 (R, M), maybe with batch dims that broadcast, and a p."""
    m = draw(st.integers(1, 3))
    b1, b2 = draw(S.broadcast_shapes(2, max_dims=1, max_side=2))
    x1 = b1 + (draw(st.integers(1, 3)), m)
    x2 = b2 + (draw(st.integers(1, 3)), m)
    return Sample((draw(S.arrays(x1)), draw(S.arrays(x2))),
                  {"p": draw(st.sampled_from([2.0, 1.0, 3.0, 1.5, 0.5, 0.0, float("inf")]))})


def _cdist_off_kinks(sample: Sample) -> bool:
    """Every coordinate difference away from 0 (|d| and sign(d) are kinks there), and for
    p = inf the largest |d| of each pair ahead of the next (the max's kink)."""
    x1, x2 = sample.arrays
    diff = np.abs(x1[..., :, None, :] - x2[..., None, :, :])
    if diff.min() < 0.05:
        return False
    top = -np.sort(-diff, axis=-1)
    return sample.params["p"] != float("inf") or top.shape[-1] < 2 or \
        bool((top[..., 0] - top[..., 1]).min() > 0.05)


@st.composite
def _cosine(draw: Any) -> Sample:
    """x1 and x2 that broadcast (1-D or more), off zero (a zero vector is the kink), a dim."""
    sa, sb = draw(S.broadcast_shapes(2, min_dims=1))
    n = max(len(sa), len(sb))
    return Sample((draw(S.arrays(sa, domain=S.away_from_zero)),
                   draw(S.arrays(sb, domain=S.away_from_zero))), {"dim": draw(S.dim(n))})


def _blocks(num: int) -> st.SearchStrategy[Sample]:
    """``num`` arrays of 0 to 2 dims (numbers and vectors are blocks too)."""
    return st.tuples(*(S.shapes(0, 2) for _ in range(num))).flatmap(
        lambda shapes: st.tuples(*(S.arrays(s) for s in shapes))).map(Sample)


@st.composite
def _combinations(draw: Any) -> Sample:
    """A vector, r from 1 to 3 (longer than it too: no rows), with or without replacement."""
    return Sample((draw(S.arrays(draw(S.shapes(1, 1)))),),
                  {"r": draw(st.integers(1, 3)), "with_replacement": draw(st.booleans())})


def _vectors(num: int) -> st.SearchStrategy[Sample]:
    """``num`` 1-D arrays of their own lengths."""
    return st.tuples(*(S.shapes(1, 1) for _ in range(num))).flatmap(
        lambda shapes: st.tuples(*(S.arrays(s) for s in shapes))).map(Sample)


# ---------------------------------------------------------------------------- reductions
@st.composite
def _var(draw: Any, min_side: int = 1) -> Sample:
    """var/std arguments: dims, keepdim, and a correction smaller than the count reduced."""
    shape = draw(S.shapes(min_dims=0 if min_side == 1 else 1, min_side=min_side))
    a = draw(S.arrays(shape, domain=S.distinct))
    d = draw(S.dims(len(shape)))
    count = int(np.prod([shape[i] for i in S.axes_of(d, len(shape))]))
    p: dict[str, Any] = {"dim": d, "keepdim": draw(S.keepdim)}
    how = draw(st.sampled_from(["correction", "unbiased", "default"])) if count > 1 else ""
    if how == "unbiased":
        p["unbiased"] = draw(st.booleans())
    elif how != "default":
        p["correction"] = draw(st.integers(0, min(2, count - 1)))
    return Sample((a,), p)


def _empty_dims(sample: Sample) -> bool:
    """torch's var/std backward with ``dim=()`` divides by 1, not by the count reduced
    (its own gradcheck fails there); its forward reduces every dim, as ours does."""
    return sample.params.get("dim") == ()


@st.composite
def _norm(draw: Any) -> Sample:
    """p-norms; torch's "fro" takes no dim, one dim, or two (a matrix norm)."""
    shape = draw(S.shapes())
    p = draw(st.sampled_from(["fro", 2, 1, 3, float("inf")]))
    d = draw(S.dims(len(shape)))
    if p == "fro" and isinstance(d, tuple) and len(d) not in (1, 2):
        d = None
    return Sample((draw(S.arrays(shape, domain=S.distinct_abs)),),
                  {"p": p, "dim": d, "keepdim": draw(S.keepdim)})


# ---------------------------------------------------------------------------- linear algebra
@st.composite
def _square(draw: Any) -> Sample:
    """A batch of n x n matrices, diagonally dominant (well-conditioned, det > 0)."""
    n = draw(st.integers(1, 3))
    a = draw(S.arrays(draw(S.shapes(0, 1, max_side=2)) + (n, n)))
    return Sample((a + 3 * n * np.eye(n),))


def _separated_array(draw: Any, shape: tuple[int, ...]) -> np.ndarray:
    """Small noise plus 1, 2, 3 on the diagonal: singular values (and eigenvalues of
    ``x + x.mT``) stay apart and away from 0, so the vectors have gradients. No element is
    0: LAPACK's QR flips a sign where a column's lower part is exactly 0 (a jump)."""
    m, n = shape[-2:]
    diag = np.zeros((m, n))
    diag[range(min(m, n)), range(min(m, n))] = np.arange(1, min(m, n) + 1)
    noise = draw(S.arrays(shape, -0.1, 0.1))
    return np.where(noise < 0, -0.02, 0.02) + 0.8 * noise + diag


@st.composite
def _separated(draw: Any, square: bool = False, batch: bool = True) -> Sample:
    """A batch of matrices with distinct singular values (see ``_separated_array``)."""
    m = draw(st.integers(1, 3))
    n = m if square else draw(st.integers(1, 3))
    batch = draw(S.shapes(0, 1 if batch else 0, max_side=2))
    return Sample((_separated_array(draw, batch + (m, n)),))


@st.composite
def _solve(draw: Any) -> Sample:
    """A well-conditioned A and a right-hand side B: a matrix or a vector (a batch of
    them), with batch dims that broadcast; ``left`` both ways."""
    n = draw(st.integers(1, 3))
    ba, bb = draw(S.broadcast_shapes(2, max_dims=1, max_side=2))
    left = draw(st.booleans())
    k = draw(st.integers(1, 2))
    vector = left and draw(st.booleans())
    shape_b = bb + ((n, k) if left else (k, n))
    if vector:  # (a vector, or a batch of them of A's batch shape exactly: as torch reads B)
        shape_b = draw(st.sampled_from([(n,), ba + (n,)]))
    if not left and shape_b == ba + (n,):  # (a vector for torch: refused with left=False)
        shape_b = ba + (n + 1, n)
    a = draw(S.arrays(ba + (n, n))) + 3 * n * np.eye(n)
    return Sample((a, draw(S.arrays(shape_b))), {"left": left})


@st.composite
def _lstsq(draw: Any) -> Sample:
    """A full-rank A (tall or square: a unique least-squares solution) and B."""
    m = draw(st.integers(1, 3))
    n = draw(st.integers(1, m))
    a = _separated_array(draw, (m, n))
    shape_b = draw(st.sampled_from([(m,), (m, draw(st.integers(1, 2)))]))
    return Sample((a, draw(S.arrays(shape_b))))


@st.composite
def _matrix_norm(draw: Any) -> Sample:
    """A matrix norm's order, dims and keepdim (separated singular values and column
    sums: no ties for the max)."""
    sample = draw(_separated())
    ord_ = draw(st.sampled_from(["fro", "nuc", 2, -2, 1, -1, float("inf"), -float("inf")]))
    for axis in (-1, -2):  # (the max / min of row or column sums: no ties, a kink)
        sums = np.sort(np.abs(sample.arrays[0]).sum(axis), axis=-1)
        assume(sums.shape[-1] < 2 or np.diff(sums, axis=-1).min() > 1e-3)
    dim = draw(st.sampled_from([(-2, -1), (-1, -2)]))
    return Sample(sample.arrays, {"ord": ord_, "dim": dim, "keepdim": draw(S.keepdim)})


def _sym(L: Any, x: Any) -> Any:
    """A symmetric positive-definite matrix made from any square x."""
    return x @ x.mT + x.shape[-1] * L.eye(x.shape[-1], dtype=x.dtype)


def _eigh_call(L: Any, x: Any, UPLO: str) -> Any:  # noqa: N803
    w, v = L.linalg.eigh(x + x.mT, UPLO=UPLO)
    return w, v * v  # (each eigenvector is defined up to its sign: v * v is not)


def _svd_call(L: Any, x: Any) -> Any:
    u, s, vh = L.linalg.svd(x, full_matrices=False)
    return u * u, s, vh * vh  # (sign-free functions of U and Vh)


def _svd_legacy_call(L: Any, x: Any) -> Any:
    u, s, v = L.svd(x)  # (the deprecated torch.svd: V, not Vh)
    return u * u, s, v * v


@st.composite
def _cov(draw: Any, weighted: bool = False) -> Sample:
    """Variables in rows, at least 3 observations (corrcoef of 2 is exactly +-1, its clip's
    kink), a correction, and optionally positive aweights (a tensor) and fweights."""
    shape = draw(st.sampled_from([(draw(st.integers(3, 4)),), (draw(st.integers(1, 3)),
                                                               draw(st.integers(3, 4)))]))
    arrays = (draw(S.arrays(shape, domain=S.distinct)),)  # (no variable is constant)
    params: dict[str, Any] = {"correction": draw(st.sampled_from([0, 1, 2]))}
    if weighted:
        arrays += (draw(S.arrays(shape[-1:], 0.5, 2.0)),)
        params["fweights"] = draw(st.sampled_from([None, [1, 2, 1, 3][:shape[-1]]]))
        w = arrays[1] * (params["fweights"] or 1)  # the degrees of freedom kept off 0 (NaN)
        assume(abs(w.sum() - params["correction"] * (w * arrays[1]).sum() / w.sum()) > 0.1)
    return Sample(arrays, params)


def _off_corrcoef_clip(sample: Sample) -> bool:
    """No two rows exactly (anti)correlated: corrcoef clips to [-1, 1], a kink at +-1."""
    x = sample.arrays[0]
    return x.ndim < 2 or bool((np.abs(np.corrcoef(x) - np.eye(len(x))) < 1 - 1e-6).all())


def _cov_call(L: Any, x: Any, aweights: Any = None, fweights: Any = None, **p: Any) -> Any:
    fw = None if fweights is None else L.tensor(fweights)
    return L.cov(x, fweights=fw, aweights=aweights, **p)


@st.composite
def _triangular(draw: Any) -> Sample:
    """A well-conditioned A (of which one triangle is read) and B on either side, batch
    dims broadcasting; upper, left and unitriangular both ways."""
    sample = draw(_solve())
    a, b = sample.arrays
    left = sample.params["left"]
    if b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1]):  # (B is a matrix)
        b = b[..., None] if left else b[..., None, :]
    params = {"left": left, "upper": draw(st.booleans()), "unitriangular": draw(st.booleans())}
    return Sample((a, b), params)


@st.composite
def _lu(draw: Any, square: bool = False) -> Sample:
    """A batch of matrices with a clear pivot in every column (``_separated`` with its rows
    shuffled: the pivots, a jump of the factors, stay put under finite differences)."""
    a = draw(_separated(square=square)).arrays[0]
    return Sample((a[..., draw(st.permutations(range(a.shape[-2]))), :],))


@st.composite
def _lu_solve(draw: Any, packed: bool = False) -> Sample:
    """``_lu``'s square A and B on either side, batch dims broadcasting; ``left`` and
    ``adjoint`` both ways. ``packed``: A is read as a packed LU (``_separated``: its
    diagonal, U's, away from 0) with drawn pivots (LAPACK's: row j swapped with a row
    from j on)."""
    a = draw(_separated(square=True) if packed else _lu(square=True)).arrays[0]
    left = draw(st.booleans())
    n, k = a.shape[-1], draw(st.integers(1, 2))
    b = draw(S.arrays(draw(S.shapes(0, 1, max_side=2)) + ((n, k) if left else (k, n))))
    params = {"left": left, "adjoint": draw(st.booleans())}
    if packed:
        params["pivots"] = [draw(st.integers(j + 1, n)) for j in range(n)]
    return Sample((a, b), params)


@st.composite
def _powers(draw: Any) -> Sample:
    """A diagonally dominant matrix with diagonal near 1 (invertible, its powers tame) and
    an exponent from -3 to 6 (every path: inverse, identity, clone, products, squaring)."""
    a = draw(_square()).arrays[0]
    return Sample((a / (3 * a.shape[-1]),), {"n": draw(st.integers(-3, 6))})


@st.composite
def _chain(draw: Any, vectors: bool = True) -> Sample:
    """2 to 5 matrices whose shapes chain (the ends may be vectors): multi_dot's orders."""
    sides = draw(st.lists(st.integers(1, 4), min_size=3, max_size=6))
    shapes = [(sides[i], sides[i + 1]) for i in range(len(sides) - 1)]
    if vectors and draw(st.booleans()):
        shapes[0] = shapes[0][1:]
    if vectors and draw(st.booleans()):
        shapes[-1] = shapes[-1][:1]
    return Sample(tuple(draw(S.arrays(s, -1.0, 1.0)) for s in shapes))


@st.composite
def _small_square(draw: Any) -> Sample:
    """A batch of n x n matrices of any norm up to 2 n (matrix_exp: several squarings)."""
    n = draw(st.integers(1, 3))
    return Sample((draw(S.arrays(draw(S.shapes(0, 1, max_side=2)) + (n, n))),))


# ---------------------------------------------------------------------------- elementwise
@st.composite
def _clamp_tensors(draw: Any) -> Sample:
    """x, and min/max tensors that broadcast to x's shape (torch does not broadcast x),
    on three lattices at least 0.2 apart: x is never at a bound, nor min at max."""
    shape = draw(S.shapes())
    x = draw(S.arrays(shape, domain=S.lattice(0.0, 0.1)))
    lo = draw(S.arrays(draw(S.expand_source(shape)), domain=S.lattice(1 / 3, 0.1)))
    hi = draw(S.arrays(draw(S.expand_source(shape)), domain=S.lattice(2 / 3, 0.1)))
    return Sample((x, lo, hi))


# ---------------------------------------------------------------------------- shape ops
@st.composite
def _flatten(draw: Any) -> Sample:
    shape = draw(S.shapes())
    n = max(len(shape), 1)
    s, e = sorted(draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2)))
    s = draw(st.sampled_from([s, s - n]))
    e = draw(st.sampled_from([e, e - n]))
    return Sample((draw(S.arrays(shape)),), {"start_dim": s, "end_dim": e})


@st.composite
def _expand(draw: Any) -> Sample:
    target = draw(S.shapes())
    source = draw(S.expand_source(target))
    lead = len(target) - len(source)
    sizes = tuple(-1 if i >= lead and draw(st.booleans()) else n for i, n in enumerate(target))
    return Sample((draw(S.arrays(source)),), {"sizes": sizes})


@st.composite
def _repeat(draw: Any) -> Sample:
    shape = draw(S.shapes())
    extra = draw(st.integers(0, 1))
    reps = tuple(draw(st.lists(st.integers(1, 3), min_size=len(shape) + extra,
                               max_size=len(shape) + extra)))
    return Sample((draw(S.arrays(shape)),), {"reps": reps})


@st.composite
def _cat(draw: Any) -> Sample:
    shape = draw(S.shapes(min_dims=1))
    axis = draw(st.integers(0, len(shape) - 1))
    sizes = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    arrays = tuple(draw(S.arrays(shape[:axis] + (s,) + shape[axis + 1:])) for s in sizes)
    return Sample(arrays, {"dim": draw(st.sampled_from([axis, axis - len(shape)]))})


@st.composite
def _stack(draw: Any) -> Sample:
    shape = draw(S.shapes())
    n = draw(st.integers(1, 3))
    arrays = tuple(draw(S.arrays(shape)) for _ in range(n))
    return Sample(arrays, {"dim": draw(S.dim(len(shape) + 1))})


@st.composite
def _split(draw: Any) -> Sample:
    shape = draw(S.shapes(min_dims=1))
    axis = draw(S.dim(len(shape)))
    n = shape[axis]
    sizes = draw(st.integers(1, 3) | st.lists(st.integers(1, 2), min_size=1, max_size=n).map(
        lambda ps: ps if sum(ps) == n else ps + [n - sum(ps)] if sum(ps) < n else [n]))
    return Sample((draw(S.arrays(shape)),), {"split_size": sizes, "dim": axis})


@st.composite
def _roll(draw: Any) -> Sample:
    """shifts (past the length and negative too) with no dims (the flattened tensor), or
    one shift per dim (a dim may repeat)."""
    shape = draw(S.shapes())
    shift = st.integers(-5, 5)
    if not shape or draw(st.booleans()):
        return Sample((draw(S.arrays(shape)),), {"shifts": draw(shift), "dims": None})
    dims = draw(st.lists(S.dim(len(shape)), min_size=1, max_size=3))
    shifts = [draw(shift) for _ in dims]
    return Sample((draw(S.arrays(shape)),), {"shifts": shifts, "dims": dims})


@st.composite
def _rot90(draw: Any) -> Sample:
    """Any k (negative, past 4) in the plane of two distinct dims."""
    shape = draw(S.shapes(min_dims=2))
    a, b = draw(st.permutations(range(len(shape))))[:2]
    return Sample((draw(S.arrays(shape)),), {"k": draw(st.integers(-5, 5)),
                                             "dims": (a - len(shape) * draw(st.integers(0, 1)),
                                                      b)})


@st.composite
def _narrow(draw: Any) -> Sample:
    """A dim, a start (negative too) and a length that fits."""
    shape = draw(S.shapes(min_dims=1))
    dim = draw(S.dim(len(shape)))
    n = shape[dim]
    start = draw(st.integers(-n, n))
    length = draw(st.integers(0, n - start % n if start % n or start < 0 else n - start))
    return Sample((draw(S.arrays(shape)),), {"dim": dim, "start": start, "length": length})


@st.composite
def _tensor_split(draw: Any) -> Sample:
    """A number of sections (more than elements too: empty pieces), or split indices
    (unsorted, negative, past the end)."""
    shape = draw(S.shapes(min_dims=1))
    dim = draw(S.dim(len(shape)))
    split: Any = draw(st.integers(1, 4) | st.lists(st.integers(-3, 4), max_size=3))
    return Sample((draw(S.arrays(shape)),), {"split": split, "dim": dim})


@st.composite
def _unfold(draw: Any) -> Sample:
    """A dim, a window size up to its length, a step (past the size too)."""
    shape = draw(S.shapes())
    dim = draw(S.dim(len(shape)))
    n = shape[dim] if shape else 1
    return Sample((draw(S.arrays(shape)),), {"dim": dim, "size": draw(st.integers(0, n)),
                                             "step": draw(st.integers(1, 3))})


@st.composite
def _chunk(draw: Any) -> Sample:
    shape = draw(S.shapes(min_dims=1))
    return Sample((draw(S.arrays(shape)),), {"chunks": draw(st.integers(1, 4)),
                                             "dim": draw(S.dim(len(shape)))})


@st.composite
def _diagonal(draw: Any) -> Sample:
    """x with 2 or more dims, two different dims (negative too) and an offset that may go
    past the end (an empty diagonal)."""
    shape = draw(S.shapes(min_dims=2))
    d1, d2 = draw(st.lists(S.dim(len(shape)), min_size=2, max_size=2).filter(
        lambda ds: ds[0] % len(shape) != ds[1] % len(shape)))
    return Sample((draw(S.arrays(shape)),), {"offset": draw(st.integers(-3, 3)), "dim1": d1,
                                             "dim2": d2})


@st.composite
def _diag_embed(draw: Any) -> Sample:
    """x with 1 or 2 dims; two different dims of the result, an offset."""
    shape = draw(S.shapes(min_dims=1, max_dims=2))
    n = len(shape) + 1
    d1, d2 = draw(st.lists(S.dim(n), min_size=2, max_size=2).filter(
        lambda ds: ds[0] % n != ds[1] % n))
    return Sample((draw(S.arrays(shape)),), {"offset": draw(st.integers(-2, 2)), "dim1": d1,
                                             "dim2": d2})


@st.composite
def _meshgrid(draw: Any) -> Sample:
    """One to three 0-d or 1-D tensors, and the indexing."""
    shapes = draw(st.lists(S.shapes(0, 1), min_size=1, max_size=3))
    return Sample(tuple(draw(S.arrays(s)) for s in shapes),
                  {"indexing": draw(st.sampled_from(["ij", "xy"]))})


# ---------------------------------------------------------------------------- indexing
@st.composite
def _basic_index(draw: Any) -> Sample:
    """ints (negative too), slices with steps (empty ones too), None and Ellipsis."""
    shape = draw(S.shapes(min_dims=1))
    groups: list[list[Any]] = []  # the index items for each dim, in order
    for n in shape:
        kind = draw(st.sampled_from(["int", "slice", "full", "none"]))
        if kind == "int":
            groups.append([draw(st.integers(-n, n - 1))])
        elif kind == "slice":
            start = draw(st.none() | st.integers(-n - 1, n + 1))
            stop = draw(st.none() | st.integers(-n - 1, n + 1))
            groups.append([slice(start, stop, draw(st.none() | st.integers(1, 3)))])
        elif kind == "full":
            groups.append([slice(None)])
        else:
            groups.append([None, slice(None)])
    if draw(st.booleans()):  # an Ellipsis stands for a run of dims (maybe none)
        i = draw(st.integers(0, len(groups)))
        j = draw(st.integers(i, len(groups)))
        groups[i:j] = [[Ellipsis]]
    else:  # the trailing dims are taken whole
        del groups[draw(st.integers(0, len(groups))):]
    items: list[Any] = [item for g in groups for item in g]
    if draw(st.booleans()):
        items.append(None)
    index = tuple(items) if len(items) != 1 or draw(st.booleans()) else items[0]
    return Sample((draw(S.arrays(shape)),), {"index": index})


@st.composite
def _mask_index(draw: Any) -> Sample:
    """A boolean mask over the leading dims (all of them or some), maybe then a slice."""
    shape = draw(S.shapes(min_dims=1))
    k = draw(st.integers(1, len(shape)))
    mask = draw(S.bool_arrays(shape[:k]))
    return Sample((draw(S.arrays(shape)),), {"mask": mask})


@st.composite
def _int_array_index(draw: Any) -> Sample:
    """Integer arrays (with repeats and negatives, 1-D or 2-D), one or two of them,
    next to each other or split by a slice, or after a slice."""
    shape = draw(S.shapes(min_dims=1))
    ndim = len(shape)

    def ints(n: int, idx_shape: tuple[int, ...]) -> np.ndarray:
        return draw(hnp.arrays(np.int64, idx_shape, elements=st.integers(-n, n - 1)))

    idx_shape = draw(S.shapes(min_dims=1, max_dims=2))
    layout = draw(st.sampled_from(["one", "two", "split", "after"]))
    if layout == "one" or ndim == 1:
        items: tuple[Any, ...] = (ints(shape[0], idx_shape),)
    elif layout == "two":
        items = (ints(shape[0], idx_shape), ints(shape[1], idx_shape[-1:]))
    elif layout == "split" and ndim >= 3:
        items = (ints(shape[0], idx_shape), slice(None), ints(shape[2], idx_shape))
    else:
        items = (slice(None), ints(shape[1], idx_shape))
    as_list = draw(st.booleans()) and len(items) == 1 and len(idx_shape) == 1
    return Sample((draw(S.arrays(shape)),), {"index": items, "as_list": as_list})


@st.composite
def _gather(draw: Any) -> Sample:
    """An int64 index with x's number of dims (0-d and 1-D mix), no larger than x off
    ``dim``, any size along it, with repeats (their gradients accumulate)."""
    shape = draw(S.shapes())
    dim = draw(S.dim(len(shape)))
    axis = dim % max(len(shape), 1)
    n = shape[axis] if shape else 1
    if len(shape) <= 1 and draw(st.booleans()):
        idx_shape: tuple[int, ...] = draw(st.sampled_from([(), (1,), (3,)]))
    else:
        idx_shape = tuple(draw(st.integers(1, 3 if d == axis else side))
                          for d, side in enumerate(shape))
    index = draw(hnp.arrays(np.int64, idx_shape, elements=st.integers(0, n - 1)))
    return Sample((draw(S.arrays(shape)),), {"dim": dim, "index": index})


@st.composite
def _index_select(draw: Any) -> Sample:
    """A 0-d or 1-D int64 index along ``dim``, with repeats (one entry for a 0-d x)."""
    shape = draw(S.shapes())
    dim = draw(S.dim(len(shape)))
    n = shape[dim] if shape else 1
    idx_shape = draw(S.shapes(0, 1) if shape else st.sampled_from([(), (1,)]))
    index = draw(hnp.arrays(np.int64, idx_shape, elements=st.integers(0, n - 1)))
    return Sample((draw(S.arrays(shape)),), {"dim": dim, "index": index})


@st.composite
def _topk(draw: Any) -> Sample:
    """Distinct values (the k chosen are then unique), any k from 0 to the dim's size."""
    shape = draw(S.shapes())
    dim = draw(S.dim(len(shape)))
    n = shape[dim] if shape else 1
    return Sample((draw(S.arrays(shape, domain=S.distinct)),),
                  {"k": draw(st.integers(0, n)), "dim": dim, "largest": draw(st.booleans())})


@st.composite
def _with_zeros(draw: Any) -> Sample:
    """cumprod's input with exact zeros at some places (its gradient must not divide by
    them), and a dim."""
    shape = draw(S.shapes())
    a = draw(S.arrays(shape, domain=S.away_from([0.0], 0.1)))
    a = np.where(draw(S.bool_arrays(shape)), 0.0, a)
    return Sample((a,), {"dim": draw(S.dim(len(shape)))})


@st.composite
def _diff(draw: Any) -> Sample:
    """x (1-D or more), an order n (past the length too), a dim, and tensors to join in
    front and behind (one or two slices along dim; used or not)."""
    shape = draw(S.shapes(min_dims=1))
    dim = draw(S.dim(len(shape)))
    axis = dim % len(shape)

    def joined() -> np.ndarray:
        side = draw(st.integers(1, 2))
        return draw(S.arrays(shape[:axis] + (side,) + shape[axis + 1:]))

    pre, app = draw(st.booleans()), draw(st.booleans())
    arrays = (draw(S.arrays(shape)),) + ((joined(),) if pre else ()) + \
        ((joined(),) if app else ())
    # (n=0 returns a copy, grad_fn CopyBackwards in torch: see test_tensor_more.py)
    return Sample(arrays, {"n": draw(st.integers(1, 4)), "dim": dim, "pre": pre, "app": app})


def _diff_call(L: Any, x: Any, *joined: Any, n: int, dim: int, pre: bool, app: bool) -> Any:
    it = iter(joined)
    return x.diff(n, dim, prepend=next(it) if pre else None, append=next(it) if app else None)


@st.composite
def _repeat_interleave(draw: Any, as_tensor: bool) -> Sample:
    """An int count (or one count per slice along dim, zeros included), dim or None (a
    0-d x takes only None: torch's int path rejects dim 0 there)."""
    shape = draw(S.shapes(min_dims=0 if not as_tensor else 1))
    dim = draw(st.none() | S.dim(len(shape))) if shape else None
    n = int(np.prod(shape)) if dim is None else (shape[dim] if shape else 1)
    repeats: Any = draw(st.integers(0, 3))
    if as_tensor:
        repeats = np.array(draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)))
    return Sample((draw(S.arrays(shape)),), {"repeats": repeats, "dim": dim})


def _repeat_call(L: Any, x: Any, repeats: Any, dim: Any) -> Any:
    reps = L.tensor(repeats) if isinstance(repeats, np.ndarray) else repeats
    return x.repeat_interleave(reps, dim=dim)


@st.composite
def _kthvalue(draw: Any) -> Sample:
    """Distinct values, a dim, k from 1 to its size, keepdim."""
    shape = draw(S.shapes())
    dim = draw(S.dim(len(shape)))
    n = shape[dim] if shape else 1
    return Sample((draw(S.arrays(shape, domain=S.distinct)),),
                  {"k": draw(st.integers(1, n)), "dim": dim, "keepdim": draw(S.keepdim)})


@st.composite
def _quantile(draw: Any) -> Sample:
    """Distinct values (off the kinks of the sort), q a number or a vector in [0, 1],
    dim or None, keepdim, and the interpolation."""
    shape = draw(S.shapes())
    q: Any = draw(S.floats(0, 1))
    if draw(st.booleans()):
        q = np.array(draw(st.lists(S.floats(0, 1), min_size=1, max_size=3)))
    return Sample((draw(S.arrays(shape, domain=S.distinct)),),
                  {"q": q, "dim": draw(st.none() | S.dim(len(shape))),
                   "keepdim": draw(S.keepdim),
                   "interpolation": draw(st.sampled_from(
                       ["linear", "lower", "higher", "midpoint", "nearest"]))})


def _quantile_call(L: Any, x: Any, q: Any, nan: bool = False, **p: Any) -> Any:
    q = L.tensor(q, dtype=x.dtype) if isinstance(q, np.ndarray) else q
    return x.nanquantile(q, **p) if nan else x.quantile(q, **p)


@st.composite
def _scatter(draw: Any, unique: bool) -> Sample:
    """x, src (maybe larger than the index) and an int64 index of x's number of dims, no
    larger than x off ``dim``; ``unique``: no index repeats along dim (scatter's result
    with repeats is left open by PyTorch), else repeats (scatter_add adds them up)."""
    shape = draw(S.shapes())
    dim = draw(S.dim(len(shape)))
    axis = dim % max(len(shape), 1)
    n = shape[axis] if shape else 1
    idx_shape = tuple(draw(st.integers(1, n if unique else 3) if d == axis
                           else st.integers(1, side)) for d, side in enumerate(shape))
    if unique:
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        full = idx_shape[:axis] + (n,) + idx_shape[axis + 1:] if shape else (1,)
        index = np.argsort(rng.random(full), axis=axis if shape else 0)
        index = np.take(index, range(idx_shape[axis] if shape else 1),
                        axis=axis if shape else 0).reshape(idx_shape).astype(np.int64)
    else:
        index = draw(hnp.arrays(np.int64, idx_shape, elements=st.integers(0, n - 1)))
    src_shape = tuple(i + draw(st.integers(0, 1)) for i in idx_shape)
    return Sample((draw(S.arrays(shape)), draw(S.arrays(src_shape))),
                  {"dim": dim, "index": index})


@st.composite
def _take(draw: Any) -> Sample:
    """An int64 index of any shape into the flattened x, negative entries and repeats."""
    shape = draw(S.shapes())
    n = int(np.prod(shape))
    index = draw(hnp.arrays(np.int64, draw(S.shapes(0, 2)), elements=st.integers(-n, n - 1)))
    return Sample((draw(S.arrays(shape)),), {"index": index})


@st.composite
def _take_along_dim(draw: Any) -> Sample:
    """An int64 index with x's number of dims, each dim 1 or x's (they broadcast), any
    size along ``dim``; or no dim (the flattened x)."""
    shape = draw(S.shapes(min_dims=1))
    if draw(st.booleans()):
        n = int(np.prod(shape))
        index = draw(hnp.arrays(np.int64, draw(S.shapes(1, 2)), elements=st.integers(0, n - 1)))
        return Sample((draw(S.arrays(shape)),), {"index": index, "dim": None})
    dim = draw(S.dim(len(shape)))
    idx_shape = tuple(draw(st.integers(1, 3)) if d == dim % len(shape)
                      else draw(st.sampled_from([1, side])) for d, side in enumerate(shape))
    index = draw(hnp.arrays(np.int64, idx_shape, elements=st.integers(0, shape[dim] - 1)))
    return Sample((draw(S.arrays(shape)),), {"index": index, "dim": dim})


@st.composite
def _masked(draw: Any, with_source: bool) -> Sample:
    """x and a bool mask whose shapes broadcast together (and, for masked_scatter, a
    source with at least as many elements as the broadcast mask has Trues)."""
    xs, ms = draw(S.broadcast_shapes(2))
    mask = draw(S.bool_arrays(ms))
    arrays = (draw(S.arrays(xs)),)
    if with_source:
        need = int(np.broadcast_to(mask, np.broadcast_shapes(xs, ms)).sum())
        arrays += (draw(S.arrays((need + draw(st.integers(0, 2)),))),)
    return Sample(arrays, {"mask": mask})


@st.composite
def _index_update(draw: Any, unique: bool) -> Sample:
    """x (1-D or more), a dim, a 0-d or 1-D int64 index along it (``unique``: no repeats,
    for index_copy whose result with repeats PyTorch leaves open) and a source with one
    slice per index."""
    shape = draw(S.shapes(min_dims=1))
    dim = draw(S.dim(len(shape)))
    n = shape[dim]
    if unique:
        index = draw(st.permutations(range(n)))[:draw(st.integers(1, n))]
        index = np.array(index, np.int64)
    else:
        index = draw(hnp.arrays(np.int64, draw(st.sampled_from([(), (1,), (2,), (4,)])),
                                elements=st.integers(0, n - 1)))
    axis = dim % len(shape)
    src_shape = shape[:axis] + (index.size,) + shape[axis + 1:]
    return Sample((draw(S.arrays(shape)), draw(S.arrays(src_shape))),
                  {"dim": dim, "index": index})


@st.composite
def _index_put(draw: Any, unique: bool) -> Sample:
    """x (1-D or more), one or two int64 index vectors into its leading dims (negative
    entries; with ``unique`` no place twice, as the result of repeated writes is left
    open by PyTorch, else repeats, which accumulate adds up) and values of the indexed
    shape, or broadcast to it (a leading 1, a 0-d value)."""
    shape = draw(S.shapes(min_dims=1))
    k = draw(st.integers(1, min(2, len(shape))))
    places = [np.unravel_index(i, shape[:k]) for i in range(int(np.prod(shape[:k])))]
    if unique:
        picked = draw(st.permutations(places))[:draw(st.integers(1, len(places)))]
    else:
        picked = draw(st.lists(st.sampled_from(places), min_size=1, max_size=4))
    index = tuple(np.array([p[d] - shape[d] * draw(st.integers(0, 1)) for p in picked],
                           np.int64) for d in range(k))
    rest = shape[k:]
    v_shape = draw(st.sampled_from([(len(picked),) + rest, (1,) + rest, rest]))
    return Sample((draw(S.arrays(shape)), draw(S.arrays(v_shape))), {"index": index})


def _index_put_call(accumulate: bool, inplace: bool) -> Callable[..., Any]:
    def call(L: Any, x: Any, v: Any, index: tuple[np.ndarray, ...]) -> Any:
        indices = tuple(L.tensor(i) for i in index)
        if inplace:
            return x.clone().index_put_(indices, v, accumulate=accumulate)
        return L.index_put(x, indices, v, accumulate=accumulate)

    return call


def _scatter_reduce(reduce: str) -> st.SearchStrategy[Sample]:
    """``_scatter`` with repeats, a reduction and include_self either way; for amax and
    amin every value of x and src distinct (no ties: the gradient's split is a kink), for
    prod none near 0 (where torch's double backward is not defined)."""
    return _reducing(_scatter(unique=False), reduce)


def _reducing(samples: st.SearchStrategy[Sample], reduce: str) -> st.SearchStrategy[Sample]:
    """Samples (x, src) given ``reduce`` and include_self either way, their values kept
    off ties (amax, amin) and off 0 (prod)."""

    def prepare(sample: Sample, include_self: bool) -> Sample:
        x, src = sample.arrays
        if reduce in ("amax", "amin"):
            both = S.distinct(np.concatenate([x.reshape(-1), src.reshape(-1)]))
            x, src = both[:x.size].reshape(x.shape), both[x.size:].reshape(src.shape)
        elif reduce == "prod":
            x, src = S.away_from_zero(x), S.away_from_zero(src)
        return Sample((x, src), {**sample.params, "reduce": reduce,
                                 "include_self": include_self})

    return st.tuples(samples, st.booleans()).map(lambda a: prepare(*a))


def _scatter_reduce_call(L: Any, x: Any, src: Any, dim: int, index: np.ndarray, reduce: str,
                         include_self: bool) -> Any:
    return x.scatter_reduce(dim, L.tensor(index), src, reduce, include_self=include_self)


def _src_larger(sample: Sample) -> bool:
    """torch's scatter backward fails ("invalid gradient") when src is larger than the
    index; ours pads the src gradient with zeros (checked by gradcheck)."""
    return sample.arrays[1].shape != sample.params["index"].shape


@st.composite
def _lerp(draw: Any) -> Sample:
    """start, end and weight (weights beyond [0, 1] too) that broadcast together."""
    shapes = draw(S.broadcast_shapes(3))
    return Sample(tuple(draw(S.arrays(s)) for s in shapes))


@st.composite
def _stacked(draw: Any, max_dims: int) -> Sample:
    """One to three arrays of one shape (0-d to ``max_dims``) for hstack and the like."""
    shape = draw(S.shapes(0, max_dims))
    return Sample(tuple(draw(S.arrays(shape)) for _ in range(draw(st.integers(1, 3)))))


def _index_with(lib: Any, x: Any, index: tuple[Any, ...], as_list: bool) -> Any:
    if as_list:
        return x[index[0].tolist()]
    items = tuple(lib.tensor(i) if isinstance(i, np.ndarray) else i for i in index)
    return x[items if len(items) > 1 else items[0]]


@st.composite
def _glu(draw: Any) -> Sample:
    """An array with an even side along ``dim`` (GLU halves it)."""
    shape = list(draw(S.shapes(1, S.MAX_DIMS)))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    shape[dim] = 2 * draw(st.integers(1, 2))
    return Sample((draw(S.arrays(tuple(shape))),), {"dim": dim})


@st.composite
def _prelu(draw: Any) -> Sample:
    """x (off the kink at 0) and PReLU's weight: one slope, or one per channel (dim 1)."""
    shape = draw(S.shapes(1, S.MAX_DIMS))
    channels = shape[1] if len(shape) > 1 else 1
    n = draw(st.sampled_from([1, channels]))
    return Sample((draw(S.arrays(shape, domain=S.away_from_zero)), draw(S.arrays((n,)))))


@st.composite
def _pad(draw: Any, mode: str) -> Sample:
    """x and F.pad amounts: constant pads any number of the last dims, negative amounts
    crop; the other modes pad the last k = 1..3 dims of a (k+1)- or (k+2)-D x (reflect:
    amounts < the size; circular: <= the size)."""
    if mode == "constant":
        shape = draw(S.shapes(1, 4))
        k = draw(st.integers(1, len(shape)))
    else:
        k = draw(st.integers(1, 2))
        shape = draw(S.shapes(k + 1, k + 2, min_side=2))
    amounts: list[int] = []
    for n in shape[::-1][:k]:  # the last dim first, as F.pad reads them
        hi = {"reflect": n - 1, "circular": n}.get(mode, 3)
        lo = draw(st.integers(-(n // 2) + (mode == "reflect"), hi))
        # (circular: a right pad longer than the cropped input makes PyTorch copy a
        # region onto itself: its values are then undefined, its gradcheck fails)
        amounts += [lo, draw(st.integers(0, n + min(lo, 0) if mode == "circular" else hi))]
    return Sample((draw(S.arrays(shape)),), {"pad": tuple(amounts)})


_RESIZE_AXES = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}


@st.composite
def _interpolate(draw: Any, mode: str) -> Sample:
    """A (N, C, *spatial) x and F.interpolate's size, or scale factors (non-integer ones,
    down and up; recomputed or not), and align_corners for the interpolating modes."""
    k = _RESIZE_AXES.get(mode) or draw(st.integers(1, 2 if mode == "area" else 3))
    spatial = tuple(draw(st.integers(1, 4 if k < 3 else 3)) for _ in range(k))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) + spatial
    params: dict[str, Any] = {}
    if draw(st.booleans()):
        params["size"] = tuple(draw(st.integers(1, 6 if k < 3 else 4)) for _ in range(k))
    else:
        factors = tuple(draw(st.sampled_from([0.6, 1.5, 1.7, 2, 2.5])) for _ in range(k))
        assume(all(int(n * f) >= 1 for n, f in zip(spatial, factors)))
        params["scale_factor"] = factors if draw(st.booleans()) else factors[0]
        assume(all(int(n * factors[0]) >= 1 for n in spatial) or
               isinstance(params["scale_factor"], tuple))
        if draw(st.booleans()):
            params["recompute_scale_factor"] = True
    if mode in _RESIZE_AXES:
        params["align_corners"] = draw(st.booleans())
    return Sample((draw(S.arrays(shape)),), params)


def _kept_size_with_a_factor(mode: str) -> Callable[[Sample], bool]:
    """Torch's backward of nearest (3-D, 5-D) and bicubic copies the gradient through an
    axis whose size a scale factor kept (its forward does not): its gradient is wrong."""

    def bug(sample: Sample) -> bool:
        p, spatial = sample.params, sample.arrays[0].shape[2:]
        if "scale_factor" not in p or p.get("recompute_scale_factor"):
            return False
        if mode == "nearest" and len(spatial) == 2:
            return False
        f = p["scale_factor"]
        factors = f if isinstance(f, tuple) else (f,) * len(spatial)
        return any(int(n * f) == n and f != 1 for n, f in zip(spatial, factors))

    return bug


@st.composite
def _shuffle(draw: Any, unshuffle: bool) -> Sample:
    """x of (*, C r^2, H, W) for pixel_shuffle, (*, C, H r, W r) for pixel_unshuffle."""
    r = draw(st.integers(1, 3))
    lead = draw(st.sampled_from([(), (2,), (1, 2)]))
    c, h, w = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    shape = (c, h * r, w * r) if unshuffle else (c * r * r, h, w)
    key = "downscale_factor" if unshuffle else "upscale_factor"
    return Sample((draw(S.arrays(lead + shape)),), {key: r})


@st.composite
def _channel_shuffle(draw: Any) -> Sample:
    """x of (N, C, *) with C = groups * k."""
    g, k = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    rest = draw(S.shapes(1, 2, max_side=3))
    return Sample((draw(S.arrays((draw(st.integers(1, 2)), g * k) + rest)),), {"groups": g})


@st.composite
def _grid_sample(draw: Any, mode: str, dims: int = 2) -> Sample:
    """An (N, C, *spatial) input and a grid of points whose positions in pixels are off
    the integers and half-integers (the kinks of bilinear and bicubic weights, of nearest's
    rounding, of border's clip and reflection's mirrors), some outside the input."""
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    spatial = tuple(draw(st.integers(2, 3 if dims == 3 else 4)) for _ in range(dims))
    out = tuple(draw(st.integers(1, 2 if dims == 3 else 3)) for _ in range(dims))
    align = draw(st.booleans())
    params = {"mode": mode, "padding_mode": draw(st.sampled_from(["zeros", "border",
                                                                  "reflection"])),
              "align_corners": align}
    grid = np.empty((n,) + out + (dims,))
    for a, size in enumerate(spatial[::-1]):  # (component 0 is x, the last axis)
        whole = np.array(draw(st.lists(st.integers(-2, size), min_size=grid[..., a].size,
                                       max_size=grid[..., a].size)))
        frac = np.array(draw(st.lists(st.sampled_from([0.15, 0.3, 0.7, 0.85]),
                                      min_size=whole.size, max_size=whole.size)))
        pixel = (whole + frac).reshape(grid.shape[:-1])
        grid[..., a] = pixel * 2 / (size - 1) - 1 if align else (pixel * 2 + 1) / size - 1
    return Sample((draw(S.arrays((n, c) + spatial)), grid), params)


@st.composite
def _affine_grid(draw: Any) -> Sample:
    """theta (N, d, d + 1) and an output size (N, C, *spatial)."""
    d, n = draw(st.integers(2, 3)), draw(st.integers(1, 2))
    size = (n, 1) + tuple(draw(st.integers(1, 3)) for _ in range(d))
    align = draw(st.booleans()) and min(size[2:]) > 1
    return Sample((draw(S.arrays((n, d, d + 1))),), {"size": size, "align_corners": align})


@st.composite
def _windows(draw: Any, fold: bool) -> Sample:
    """A (batched or not) image and a window geometry for F.unfold; for F.fold, columns
    of the shape that F.unfold of that image gives, and the image's size."""
    kernel = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    geo = {"dilation": draw(st.sampled_from([1, (1, 2)])), "padding": draw(st.integers(0, 1)),
           "stride": draw(st.sampled_from([1, 2, (2, 1)]))}
    size = (draw(st.integers(2, 4)), draw(st.integers(3, 4)))
    lead = draw(st.sampled_from([(), (1,), (2,)]))
    c = draw(st.integers(1, 2))
    if not fold:
        return Sample((draw(S.arrays(lead + (c,) + size)),), {"kernel_size": kernel, **geo})
    cols = tg.nn.functional.unfold(tg.zeros(lead + (c,) + size), kernel, **geo).shape
    return Sample((draw(S.arrays(tuple(cols))),),
                  {"output_size": size, "kernel_size": kernel, **geo})


@st.composite
def _norm_input(draw: Any, affine: bool, groups: bool = False) -> Sample:
    """x (N, C, *) with values 0.3 apart (every group or channel has a variance well off 0,
    where rstd = 1 / sqrt(var + eps) is steep), and per-channel w, b when ``affine``;
    ``groups``: a num_groups dividing C, at least 3 values per group; otherwise at least
    3 positions per channel (instance norm)."""
    n, g, per = draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(1, 2))
    c = g * per if groups else draw(st.integers(1, 3))
    spatial = draw(S.shapes(0 if groups else 1, 2, max_side=3))
    size_per_stat = (per if groups else 1) * int(np.prod(spatial))
    # (two values normalize to -+1 whatever they are: dx is then a float32 cancellation to
    # ~eps / var, noise in both libraries; three or more)
    assume(size_per_stat >= 3)
    arrays = (draw(S.arrays((n, c) + spatial, domain=S.distinct)),)
    if affine:
        arrays += (draw(S.arrays((c,))), draw(S.arrays((c,))))
    return Sample(arrays, {"num_groups": g} if groups else {})


@st.composite
def _rms_input(draw: Any, weight: bool) -> Sample:
    """x of 1 to 3 dims, its last 1 to ndim dims as normalized_shape, and a weight of that
    shape when ``weight``."""
    shape = draw(S.shapes(1, 3, max_side=4))
    k = draw(st.integers(1, len(shape)))
    # (off zero: at x = 0 the default eps, 2e-16 in float64, makes rstd 7e7 and its slope
    # beyond finite differences)
    arrays = (draw(S.arrays(shape, domain=S.away_from_zero)),)
    if weight:
        arrays += (draw(S.arrays(shape[len(shape) - k:])),)
    return Sample(arrays, {"normalized_shape": shape[len(shape) - k:]})


def _instance_norm_eval(L: Any, x: Any, w: Any, b: Any) -> Any:
    """instance_norm with fixed running statistics (use_input_stats=False)."""
    c = x.shape[1]
    mean = L.linspace(-0.5, 0.5, c, dtype=x.dtype)
    var = L.linspace(0.5, 2.0, c, dtype=x.dtype)
    return L.nn.functional.instance_norm(x, mean, var, w, b, use_input_stats=False)


@st.composite
def _lrn(draw: Any) -> Sample:
    """x (N, C, *) with 3 or 4 dims, and local_response_norm's window and constants
    (alpha large enough for the neighbours to matter)."""
    shape = draw(S.shapes(3, 4, max_side=3))
    return Sample((draw(S.arrays(shape)),), {
        "size": draw(st.integers(1, 4)), "alpha": draw(st.sampled_from([1e-4, 0.5, 2.0])),
        "beta": draw(st.sampled_from([0.75, 1.5])), "k": draw(st.sampled_from([1.0, 2.0]))})


@st.composite
def _tile(draw: Any) -> Sample:
    """x and tile's dims: fewer than x's rank (leading 1s), as many, or more."""
    shape = draw(S.shapes())
    n = draw(st.integers(max(len(shape) - 2, 0), len(shape) + 1))
    return Sample((draw(S.arrays(shape)),), {"dims": tuple(draw(
        st.lists(st.integers(1, 3), min_size=n, max_size=n)))})


@st.composite
def _movedim(draw: Any) -> Sample:
    """x (1-D or more) and a source and destination: one dim each, or as many distinct."""
    shape = draw(S.shapes(min_dims=1))
    n = len(shape)
    if draw(st.booleans()):
        return Sample((draw(S.arrays(shape)),), {"source": draw(S.dim(n)),
                                                 "destination": draw(S.dim(n))})
    k = draw(st.integers(1, n))
    source = draw(st.permutations(range(n)))[:k]
    destination = draw(st.permutations(range(n)))[:k]
    return Sample((draw(S.arrays(shape)),), {"source": tuple(source),
                                             "destination": tuple(destination)})


@st.composite
def _select(draw: Any) -> Sample:
    """x (1-D or more), a dim, and an index along it (negative too)."""
    shape = draw(S.shapes(min_dims=1))
    dim = draw(S.dim(len(shape)))
    n = shape[dim]
    return Sample((draw(S.arrays(shape)),), {"dim": dim, "index": draw(st.integers(-n, n - 1))})


@st.composite
def _sum_to_size(draw: Any) -> Sample:
    """x of a shape broadcast from the target size (leading dims and size-1 dims summed)."""
    target = draw(S.shapes())
    source = draw(S.expand_source(target))
    return Sample((draw(S.arrays(target)),), {"size": source})


@st.composite
def _hsplit(draw: Any, dim: int, min_dims: int) -> Sample:
    """x and sections that divide the split dim, or split indices."""
    shape = draw(S.shapes(min_dims=min_dims))
    axis = 0 if dim == 1 and len(shape) == 1 else dim
    n = shape[axis]
    split: Any = draw(st.sampled_from([d for d in range(1, n + 1) if n % d == 0])
                      | st.lists(st.integers(-3, 4), max_size=3))
    return Sample((draw(S.arrays(shape)),), {"split": split})


@st.composite
def _nan_reduce(draw: Any, mean: bool) -> Sample:
    """x with NaNs at some places (not all of a slice for nanmean: 0/0), a dim and
    keepdim."""
    shape = draw(S.shapes())
    a = draw(S.arrays(shape))
    mask = draw(S.bool_arrays(shape))
    if mean:  # NaNs only off index 0 of every dim: each slice keeps a number
        mask = mask & (np.indices(shape).min(0) > 0) if a.ndim else np.False_
    a = np.where(mask, np.nan, a)
    return Sample((a,), draw(params(dim=DIMS, keepdim=S.keepdim)(shape)))


@st.composite
def _aminmax(draw: Any) -> Sample:
    """x of distinct values, no dim (all) or one, keepdim."""
    shape = draw(S.shapes())
    dim = draw(st.none() | S.dim(len(shape)))
    return Sample((draw(S.arrays(shape, domain=S.distinct)),),
                  {"dim": dim, "keepdim": draw(S.keepdim)})


@st.composite
def _trapezoid(draw: Any, with_x: bool) -> Sample:
    """y (1-D or more), a dim, and the sample points x (1-D, increasing) or a spacing."""
    shape = draw(S.shapes(min_dims=1))
    dim = draw(S.dim(len(shape)))
    y = draw(S.arrays(shape))
    if with_x:
        steps = draw(S.arrays((shape[dim],), domain=S.positive))
        return Sample((y, np.cumsum(steps)), {"dim": dim})
    return Sample((y,), {"dim": dim, "dx": draw(st.sampled_from([0.5, 1.0, 2.5]))})


def _aminmax_call(L: Any, x: Any, dim: Any, keepdim: bool) -> Any:
    """Both outputs of ``aminmax`` (as ``min``/``max`` named fields)."""
    r = x.aminmax(dim=dim, keepdim=keepdim)
    return r.min, r.max


# ---------------------------------------------------------------------------- views written
@st.composite
def _view_scatter(draw: Any, kind: str) -> Sample:
    """x, the view of it that ``kind``_scatter writes (a diagonal, a select, a slice with
    a step, empty ones too) and a src of the view's shape."""
    if kind == "diagonal":
        sample = draw(_diagonal())
        p = sample.params
        x = sample.arrays[0]
        region = np.diagonal(x, p["offset"], p["dim1"], p["dim2"]).shape
    elif kind == "select":
        sample = draw(_select())
        x = sample.arrays[0]
        region = np.take(x, sample.params["index"], sample.params["dim"]).shape
    else:
        shape = draw(S.shapes(min_dims=1))
        dim = draw(S.dim(len(shape)))
        n = shape[dim]
        bounds = st.none() | st.integers(-n - 1, n + 1)
        p = {"dim": dim, "start": draw(bounds), "end": draw(bounds), "step": draw(
            st.integers(1, 3))}
        x = draw(S.arrays(shape))
        where = (slice(None),) * (dim % len(shape)) + (slice(p["start"], p["end"], p["step"]),)
        region = x[where].shape
        sample = Sample((x,), p)
    return Sample((x, draw(S.arrays(region))), sample.params)


def _index_reduce(reduce: str) -> st.SearchStrategy[Sample]:
    """``_index_update`` with repeats, the reduction and include_self either way (amax and
    amin: every value distinct, no ties; prod: none near 0), as ``_scatter_reduce``."""
    return _reducing(_index_update(unique=False), reduce)


def _index_reduce_call(L: Any, x: Any, src: Any, dim: int, index: np.ndarray, reduce: str,
                       include_self: bool) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # index_reduce() is in beta
        return x.index_reduce(dim, L.tensor(index), src, reduce, include_self=include_self)


@st.composite
def _put(draw: Any, unique: bool) -> Sample:
    """x (0-d too), an int64 index of any shape into its flat elements (negative entries;
    with ``unique`` no place twice, else repeats, which accumulate adds) and a source of
    the index's shape."""
    shape = draw(S.shapes())
    n = int(np.prod(shape))
    places = draw(st.permutations(range(n)) if unique else st.lists(
        st.integers(0, n - 1), min_size=1, max_size=4))[:draw(st.integers(1, n))]
    flat = np.array([i - n * draw(st.integers(0, 1)) for i in places], np.int64)
    index = flat.reshape(draw(st.sampled_from([(flat.size,), (1, flat.size)])))
    return Sample((draw(S.arrays(shape)), draw(S.arrays(index.shape))), {"index": index})


def _put_call(accumulate: bool, inplace: bool) -> Callable[..., Any]:
    def call(L: Any, x: Any, v: Any, index: np.ndarray) -> Any:
        if inplace:
            return x.clone().put_(L.tensor(index), v, accumulate)
        return x.put(L.tensor(index), v, accumulate=accumulate)

    return call


@st.composite
def _strided(draw: Any, scatter: bool) -> Sample:
    """x (its own storage of n elements) and a window on it: sizes, strides (0 too:
    elements read twice; as_strided_scatter's windows do not overlap) and an offset
    that fits; for as_strided_scatter a src of the window's shape."""
    x = draw(S.arrays(draw(S.shapes(min_dims=1))))
    size = tuple(draw(st.lists(st.integers(1, 3), max_size=3)))
    if scatter:  # a (maybe spread-out, maybe transposed) row-major window: no overlap
        gap = draw(st.integers(1, 2))
        stride = [gap * int(np.prod(size[d + 1:])) for d in range(len(size))]
        stride = stride[::-1] if draw(st.booleans()) and len(size) == 2 and size[0] == size[
            1] else stride
    else:
        stride = [draw(st.integers(0, 3)) for _ in size]
    extent = sum((k - 1) * t for k, t in zip(size, stride))
    assume(extent < x.size)
    offset = draw(st.integers(0, x.size - 1 - extent))
    params = {"size": size, "stride": tuple(stride), "offset": offset}
    return Sample((x, draw(S.arrays(size))) if scatter else (x,), params)



def _F(name: str, **kw: Any) -> Callable[..., Any]:  # noqa: N802  (F.name, as a row's fn)
    """``F.name(x, ...)`` of either library (``**kw`` fixed, drawn params passed on)."""
    return lambda L, *xs, **p: getattr(L.nn.functional, name)(*xs, **kw, **p)


# ---------------------------------------------------------------------------- the rows
_pow_exponents = st.sampled_from([0, 1, 2, 3, -1, -2, 0.5, 1.5, -0.5, 2.5])
_distinct_keep = params(dim=DIM, keepdim=S.keepdim)
_divisors = st.sampled_from([0.5, -0.5, 1, 2.0, -4.0])  # x / c of an OFF_JUMPS x: off integers
_clamp_bounds = st.sampled_from([{"min": -0.5, "max": 0.5}, {"min": -0.5}, {"max": 0.5}])

OPS: list[Op] = [
    # ---- arithmetic, tensor with tensor (broadcasting, rank changes, 0-d)
    Op("add", lambda L, x, y: x + y, binary()),
    Op("sub", lambda L, x, y: x - y, binary()),
    Op("mul", lambda L, x, y: x * y, binary()),
    Op("div", lambda L, x, y: x / y, binary(None, S.away_from_zero_far)),
    # (y == 0 is a kink of PyTorch's convention: x's gradient is 0 there, see test_kinks.py)
    Op("pow_tensor_tensor", lambda L, x, y: x**y, binary(S.positive, S.away_from_zero)),
    Op("add_alpha", lambda L, x, y: x.add(y, alpha=1.5), binary()),
    # ---- arithmetic with a Python number, both sides
    Op("add_scalar", lambda L, x, c: x + c, unary(params=params(c=scalar))),
    Op("radd_scalar", lambda L, x, c: c + x, unary(params=params(c=scalar))),
    Op("sub_scalar", lambda L, x, c: x - c, unary(params=params(c=scalar))),
    Op("rsub_scalar", lambda L, x, c: c - x, unary(params=params(c=scalar))),
    Op("mul_scalar", lambda L, x, c: x * c, unary(params=params(c=scalar))),
    Op("rmul_scalar", lambda L, x, c: c * x, unary(params=params(c=scalar))),
    Op("div_scalar", lambda L, x, c: x / c, unary(params=params(c=scalar_nonzero))),
    Op("rdiv_scalar", lambda L, x, c: c / x, unary(S.away_from_zero_far, params(c=scalar)),
       grad_fn=False),  # torch computes c / x as c * reciprocal(x): MulBackward0
    Op("pow_scalar", lambda L, x, p: x**p, unary(S.positive, params(p=_pow_exponents))),
    Op("pow_int_any_sign", lambda L, x, p: x**p,
       unary(None, params(p=st.sampled_from([2, 3])))),
    Op("rpow_scalar", lambda L, x, c: c**x,
       unary(None, params(c=st.sampled_from([0.5, 2.0, 3.0, 2])))),
    # ---- matmul: 1-D, 2-D, batched, broadcasting batch dims
    Op("matmul_dot", lambda L, a, b: a @ b, _matmul(1, 1)),
    Op("vdot", lambda L, a, b: L.vdot(a, b), _matmul(1, 1)),
    Op("matmul_mv", lambda L, a, b: a @ b, _matmul(2, 1)),
    Op("matmul_vm", lambda L, a, b: a @ b, _matmul(1, 2)),
    Op("matmul_mm", lambda L, a, b: a @ b, _matmul(2, 2)),
    Op("matmul_batched", lambda L, a, b: a @ b, _matmul(3, 3)),
    Op("matmul_broadcast", lambda L, a, b: L.matmul(a, b), _matmul(None, None)),
    Op("bmm", lambda L, a, b: L.bmm(a, b), _matmul(3, 3)),
    Op("bmm_method", lambda L, a, b: a.bmm(b), _matmul(3, 3)),
    Op("addmm", lambda L, i, a, b, **p: L.addmm(i, a, b, **p), _addmm()),
    Op("addmm_method", lambda L, i, a, b, **p: i.addmm(a, b, **p), _addmm()),
    Op("baddbmm", lambda L, i, a, b, **p: L.baddbmm(i, a, b, **p), _addmm(batched=True)),
    # ---- the gamma family and logit (ops/gamma.py)
    Op("lgamma", lambda L, x: x.lgamma(), unary(S.away_from([-2.0, -1.0, 0.0], 0.2))),
    Op("digamma", lambda L, x: L.digamma(x), unary(S.away_from([-2.0, -1.0, 0.0], 0.2))),
    Op("polygamma", lambda L, x, n: L.polygamma(n, x),
       unary(S.positive, params(n=st.sampled_from([0, 1, 2, 3])))),
    Op("polygamma_method", lambda L, x, n: x.polygamma(n),
       unary(lambda x: np.abs(x) + 0.5, params(n=st.sampled_from([1, 2])))),
    Op("mvlgamma", lambda L, x, p: L.mvlgamma(x, p),
       unary(lambda x: np.abs(x) + 1.6, params(p=st.sampled_from([1, 2, 3, 4])))),
    Op("mvlgamma_method", lambda L, x: x.mvlgamma(2), unary(lambda x: np.abs(x) + 0.6)),
    Op("special_multigammaln", lambda L, x: L.special.multigammaln(x, 3),
       unary(lambda x: np.abs(x) + 1.1)),
    Op("logit", lambda L, x: x.logit(), unary(lambda x: 1 / (1 + np.exp(-np.clip(x, -3, 3))))),
    # ---- the modified Bessel functions (ops/bessel.py): |x| past 8 is the second series
    Op("i0", lambda L, x: x.i0(), unary(lambda x: 5 * x)),
    Op("i0_function", lambda L, x: L.i0(x), unary()),
    Op("special_i0", lambda L, x: L.special.i0(x), unary(lambda x: 5 * x)),
    Op("special_i0e", lambda L, x: L.special.i0e(x), unary(lambda x: 5 * S.away_from_zero(x)),
       rtol32=1e-4),  # (i1e - i0e: float32 cancellation)
    # (off 0: the second derivative of i1 is i1 - i1'/x + i1/x^2 there, which cancels)
    Op("special_i1", lambda L, x: L.special.i1(x), unary(lambda x: 5 * S.away_from_zero(x))),
    Op("special_i1e", lambda L, x: L.special.i1e(x), unary(lambda x: 5 * S.away_from_zero(x)),
       rtol32=1e-4),
    Op("logit_eps", lambda L, x: L.logit(x, eps=0.2),
       unary(S.away_from([0.0, 0.2, 0.8, 1.0], 0.05))),
    # ---- fused products (ops/fused.py)
    Op("addcmul", lambda L, i, a, b, **p: L.addcmul(i, a, b, **p), _addc()),
    Op("addcmul_method", lambda L, i, a, b, **p: (i * 1).addcmul(a, b, **p), _addc()),
    Op("addcdiv", lambda L, i, a, b, **p: L.addcdiv(i, a, b, **p), _addc(divide=True)),
    Op("mv", lambda L, a, v: L.mv(a, v), _matmul(2, 1)),
    Op("mv_method", lambda L, a, v: a.mv(v), _matmul(2, 1)),
    Op("addmv", lambda L, i, a, v, **p: L.addmv(i, a, v, **p), _addmv()),
    Op("addr", lambda L, i, a, v, **p: L.addr(i, a, v, **p), _addmv(outer=True)),
    Op("addbmm", lambda L, i, a, v, **p: L.addbmm(i, a, v, **p), _addmv(batched=True)),
    Op("dist", lambda L, a, b, p: L.dist(a, b, p), _dist()),
    Op("renorm", lambda L, x, **k: x.renorm(**k), _renorm()),
    Op("renorm_function", lambda L, x, **k: L.renorm(x, k["p"], k["dim"], k["maxnorm"]),
       _renorm()),
    # ---- einsum: products, sums, diagonals (repeated letters), ..., implicit output
    _einsum_op("einsum_matmul", "ij,jk->ik", "ij", "jk"),
    _einsum_op("einsum_batch", "bij,bjk->bik", "bij", "bjk"),
    _einsum_op("einsum_outer", "i,j->ij", "i", "j"),
    _einsum_op("einsum_trace", "ii->", "ii"),
    _einsum_op("einsum_diagonal", "ii->i", "ii"),
    _einsum_op("einsum_ellipsis", "...ij,...jk->...ik", "...ij", "...jk"),
    _einsum_op("einsum_implicit", "ij,jk", "ij", "jk"),
    _einsum_op("einsum_sum", "ij->", "ij"),
    _einsum_op("einsum_transpose", "ij->ji", "ij"),
    _einsum_op("einsum_sum_one_side", "ij,j->j", "ij", "j"),
    _einsum_op("einsum_diagonal_contracted", "iij,jk->ik", "iij", "jk"),
    _einsum_op("einsum_diagonal_kept", "bii,i->bi", "bii", "i"),
    _einsum_op("einsum_three", "ab,bc,cd->ad", "ab", "bc", "cd"),
    _einsum_op("einsum_same_twice", "ij,ij,ij->i", "ij", "ij", "ij"),
    _einsum_op("einsum_ellipsis_summed", "i...->i", "i..."),
    _einsum_op("einsum_broadcast_letters", "ij,jk->ik", "ij", "jk", broadcast=True),
    _einsum_op("einsum_broadcast_diagonal", "ii,ij->j", "ii", "ij", broadcast=True),
    Op("trace", lambda L, x: L.trace(x), unary(min_dims=2, max_dims=2)),
    # ---- products: outer, inner, tensordot, kron, cross, cdist, cartesian_prod
    Op("outer", lambda L, a, b: a.outer(b), _vectors(2)),
    Op("ger", lambda L, a, b: L.ger(a, b), _vectors(2)),
    Op("inner", lambda L, a, b: L.inner(a, b), _inner()),
    Op("avg_pool3d", lambda L, x, **p: L.nn.functional.avg_pool3d(x, **p), _avg_pool3d()),
    Op("adaptive_avg_pool3d", lambda L, x, **p: L.nn.functional.adaptive_avg_pool3d(x, **p),
       _adaptive_avg_pool3d()),
    Op("bilinear", lambda L, *xs: L.nn.functional.bilinear(*xs), _bilinear(bias=True)),
    Op("bilinear_no_bias", lambda L, *xs: L.nn.functional.bilinear(*xs), _bilinear(bias=False)),
    Op("tensordot", lambda L, a, b, dims: L.tensordot(a, b, dims), _tensordot()),
    Op("kron", lambda L, a, b: a.kron(b), binary()),
    Op("cross", lambda L, a, b, dim: L.cross(a, b, dim=dim), _cross()),
    # (torch's double backward of cdist is not implemented: ours is checked by gradgradcheck)
    Op("cdist", lambda L, a, b, p: L.cdist(a, b, p=p), _cdist().filter(_cdist_off_kinks)),
    # (torch's double backward of pdist is not implemented: ours is checked by gradgradcheck)
    Op("pdist", lambda L, x, p: L.pdist(x, p=p), _pdist().filter(_pdist_off_kinks)),
    Op("cartesian_prod", lambda L, *xs: L.cartesian_prod(*xs),
       st.integers(1, 3).flatmap(_vectors)),
    Op("block_diag", lambda L, *xs: L.block_diag(*xs), st.integers(1, 3).flatmap(_blocks)),
    Op("combinations", lambda L, x, **p: L.combinations(x, **p), _combinations()),
    # ---- unary math
    Op("neg", lambda L, x: -x, unary()),
    Op("exp", lambda L, x: x.exp(), unary()),
    Op("log", lambda L, x: x.log(), unary(S.positive)),
    Op("log1p", lambda L, x: x.log1p(), unary(S.above_minus_one)),
    Op("sqrt", lambda L, x: x.sqrt(), unary(S.positive)),
    Op("rsqrt", lambda L, x: x.rsqrt(), unary(S.positive)),
    Op("reciprocal", lambda L, x: x.reciprocal(), unary(S.away_from_zero_far)),
    Op("abs", lambda L, x: x.abs(), unary(S.away_from_zero)),
    Op("sin", lambda L, x: x.sin(), unary()),
    Op("cos", lambda L, x: x.cos(), unary()),
    Op("tanh", lambda L, x: x.tanh(), unary()),
    Op("sigmoid", lambda L, x: x.sigmoid(), unary()),
    Op("relu", lambda L, x: x.relu(), unary(S.away_from_zero)),
    # ---- trigonometric, hyperbolic, error function family: kept inside their domains
    Op("tan", lambda L, x: x.tan(), unary(lambda x: np.tanh(x))),  # |x| < 1, off the poles
    Op("asin", lambda L, x: x.asin(), unary(lambda x: 0.9 * np.tanh(x))),  # inside (-1, 1)
    Op("acos", lambda L, x: L.acos(x), unary(lambda x: 0.9 * np.tanh(x))),
    Op("atan", lambda L, x: x.arctan(), unary()),
    Op("sinh", lambda L, x: x.sinh(), unary()),
    Op("cosh", lambda L, x: L.cosh(x), unary()),
    Op("asinh", lambda L, x: x.asinh(), unary()),
    Op("acosh", lambda L, x: x.arccosh(), unary(lambda x: np.abs(x) + 1.1)),  # x > 1
    Op("atanh", lambda L, x: L.atanh(x), unary(lambda x: 0.9 * np.tanh(x))),
    Op("erf", lambda L, x: x.erf(), unary()),
    Op("erfc", lambda L, x: L.erfc(x), unary()),
    Op("erfinv", lambda L, x: x.erfinv(), unary(lambda x: 0.9 * np.tanh(x))),
    Op("exp2", lambda L, x: x.exp2(), unary()),
    Op("expm1", lambda L, x: L.expm1(x), unary()),
    Op("log2", lambda L, x: x.log2(), unary(S.positive)),
    Op("log10", lambda L, x: L.log10(x), unary(S.positive)),
    # (near 0, sinc's gradient cancels to its last digits in float32: kept 0.25 away; the
    # value and the gradient at 0 are in EDGES)
    Op("sinc", lambda L, x: x.sinc(), unary(S.away_from([0.0], 0.25))),
    Op("nan_to_num", lambda L, x: x.nan_to_num(), unary()),
    # ---- nn.functional activations (the hard ones scaled by 2: their kinks at +-3 in range)
    Op("celu", _F("celu"), unary(S.away_from_zero)),
    Op("celu_alpha", _F("celu", alpha=0.5), unary(S.away_from_zero)),
    Op("selu", _F("selu"), unary(S.away_from_zero)),
    Op("hardsigmoid", lambda L, x: L.nn.functional.hardsigmoid(x * 2),
       unary(S.away_from([-1.5, 1.5]))),
    Op("hardswish", lambda L, x: L.nn.functional.hardswish(x * 2),
       unary(S.away_from([-1.5, 1.5]))),
    Op("mish", _F("mish"), unary()),
    Op("softsign", _F("softsign"), unary(S.away_from_zero)),
    Op("tanhshrink", _F("tanhshrink"), unary()),
    Op("logsigmoid", _F("logsigmoid"), unary()),
    Op("softmin", _F("softmin"), unary(params=params(dim=DIM))),
    Op("glu", _F("glu"), _glu()),
    Op("cosine_similarity", _F("cosine_similarity"), _cosine()),
    Op("pad_constant", lambda L, x, pad: L.nn.functional.pad(x, pad, value=0.5),
       _pad("constant")),
    Op("pad_reflect", _F("pad", mode="reflect"), _pad("reflect")),
    Op("pad_replicate", _F("pad", mode="replicate"), _pad("replicate")),
    # (torch's node is "torch::autograd::CopySlices": tested in test_nn_resample.py)
    Op("pad_circular", _F("pad", mode="circular"), _pad("circular"), grad_fn=False),
    # (bicubic in float32: an edge element's 2 clamped taps are summed into one weight
    # here, multiplied one by one in torch: cancelling O(1) terms round differently)
    *(Op(f"interpolate_{mode.replace('-', '_')}", _F("interpolate", mode=mode),
         _interpolate(mode), torch_grad_bug=_kept_size_with_a_factor(mode),
         rtol32=5e-4 if mode == "bicubic" else 1e-5)
      for mode in ("nearest", "nearest-exact", "linear", "bilinear", "bicubic", "trilinear",
                   "area")),
    Op("pixel_shuffle", _F("pixel_shuffle"), _shuffle(unshuffle=False)),
    Op("pixel_unshuffle", _F("pixel_unshuffle"), _shuffle(unshuffle=True)),
    Op("channel_shuffle", _F("channel_shuffle"), _channel_shuffle()),
    # (bicubic in float32: a gradient near 0 is 16 O(1) taps cancelling; they round
    # differently in torch's order, as interpolate's bicubic above)
    *(Op(f"grid_sample_{mode}", _F("grid_sample"), _grid_sample(mode),
         rtol32=5e-4 if mode == "bicubic" else 1e-5)
      for mode in ("bilinear", "nearest", "bicubic")),
    *(Op(f"grid_sample_3d_{mode}", _F("grid_sample"), _grid_sample(mode, dims=3))
      for mode in ("bilinear", "nearest")),
    Op("affine_grid", _F("affine_grid"), _affine_grid()),
    Op("F_unfold", _F("unfold"), _windows(fold=False)),
    Op("F_fold", _F("fold"), _windows(fold=True)),
    # (float32: dx = rstd (g - mean(g) - xhat mean(g xhat)) cancels O(1) terms, which
    # torch's kernels sum in another order: 1e-4)
    Op("group_norm", _F("group_norm"), _norm_input(affine=False, groups=True), rtol32=1e-4),
    Op("group_norm_affine", lambda L, x, w, b, num_groups: L.nn.functional.group_norm(
        x, num_groups, w, b, eps=1e-3), _norm_input(affine=True, groups=True), rtol32=1e-4),
    # (torch's graph: batch norm of x viewed (1, N * C, *), viewed back: ViewBackward0)
    Op("instance_norm", _F("instance_norm"), _norm_input(affine=False), rtol32=1e-4),
    Op("instance_norm_affine", lambda L, x, w, b: L.nn.functional.instance_norm(
        x, weight=w, bias=b), _norm_input(affine=True), rtol32=1e-4),
    # (the weight's gradient sums grad * x_hat over a sample: cancelling terms in float32)
    Op("instance_norm_eval", _instance_norm_eval, _norm_input(affine=True), rtol32=1e-4),
    Op("local_response_norm", _F("local_response_norm"), _lrn()),
    Op("rms_norm", _F("rms_norm"), _rms_input(weight=False)),
    Op("rms_norm_weight", lambda L, x, w, normalized_shape: L.nn.functional.rms_norm(
        x, normalized_shape, w, eps=1e-3), _rms_input(weight=True)),
    Op("normalize", _F("normalize"), unary(S.away_from([0.0], 0.5), params(
        dim=DIM, p=st.sampled_from([2.0, 1.0, 3.0])), min_dims=1)),
    Op("threshold", _F("threshold", threshold=0.5, value=-1.5), unary(S.away_from([0.5]))),
    Op("softshrink", _F("softshrink"), unary(S.away_from([-0.5, 0.5]))),
    Op("hardshrink", _F("hardshrink", lambd=0.3), unary(S.away_from([-0.3, 0.3]))),
    # at x = 0 torch's double backward takes the x >= 0 branch, its backward x > 0: the
    # second derivatives there contradict the first (the kink lattice skips them; see
    # test_nn_activation.py for x = 0)
    Op("prelu", _F("prelu"), _prelu(), torch_grad_bug=lambda s: not s.arrays[0].all()),
    # ---- piecewise constant (zero gradient) and frac: kept off their jumps
    Op("sign", lambda L, x: x.sign(), unary(S.away_from_zero)),
    Op("floor", lambda L, x: x.floor(), unary(OFF_JUMPS)),
    Op("ceil", lambda L, x: x.ceil(), unary(OFF_JUMPS)),
    Op("round", lambda L, x: x.round(), unary(OFF_JUMPS)),
    Op("round_decimals", lambda L, x: x.round(decimals=1), unary(lambda x: OFF_JUMPS(x) / 10)),
    Op("trunc", lambda L, x: x.trunc(), unary(OFF_JUMPS)),
    Op("frac", lambda L, x: x.frac(), unary(OFF_JUMPS)),
    Op("div_floor", lambda L, x, y: x.div(y, rounding_mode="floor"), binary(OFF_JUMPS, DIVISOR)),
    Op("div_trunc", lambda L, x, y: L.div(x, y, rounding_mode="trunc"),
       binary(OFF_JUMPS, DIVISOR)),
    Op("fmod", lambda L, x, y: x.fmod(y), binary(OFF_JUMPS, DIVISOR)),
    Op("fmod_scalar", lambda L, x, c: L.fmod(x, c), unary(OFF_JUMPS, params(c=_divisors))),
    Op("remainder", lambda L, x, y: L.remainder(x, y), binary(OFF_JUMPS, DIVISOR)),
    Op("remainder_scalar", lambda L, x, c: x % c, unary(OFF_JUMPS, params(c=_divisors))),
    # ---- math of two tensors
    # (atan2: y kept off 0, which keeps the point off the origin and off the branch cut)
    Op("atan2", lambda L, y, x: y.atan2(x), binary(S.away_from_zero, None)),
    Op("hypot", lambda L, x, y: L.hypot(x, y), binary(S.away_from_zero, None)),
    Op("fmax", lambda L, x, y: L.fmax(x, y), binary(S.lattice(0.0), S.lattice(0.5))),
    Op("fmin", lambda L, x, y: x.fmin(y), binary(S.lattice(0.0), S.lattice(0.5))),
    Op("logaddexp", lambda L, x, y: L.logaddexp(x, y), binary()),
    Op("logaddexp2", lambda L, x, y: x.logaddexp2(y), binary()),
    Op("xlogy", lambda L, x, y: L.xlogy(x, y), binary(None, S.positive)),
    Op("xlogy_scalar_other", lambda L, x, c: x.xlogy(c), unary(params=params(c=S.floats(0.1, 3)))),
    Op("xlogy_scalar_self", lambda L, y, c: L.xlogy(c, y), unary(S.positive, params(c=scalar))),
    Op("copysign", lambda L, x, y: x.copysign(y), binary(S.away_from_zero, S.away_from_zero)),
    Op("copysign_scalar", lambda L, x, c: L.copysign(x, c),
       unary(S.away_from_zero, params(c=scalar_nonzero))),
    # ---- number math: angles, mantissa and exponent, float64 powers, nextafter
    Op("deg2rad", lambda L, x: x.deg2rad(), unary()),
    Op("rad2deg", lambda L, x: L.rad2deg(x), unary()),
    Op("ldexp", lambda L, x, e: L.ldexp(x, e), binary()),
    Op("frexp", lambda L, x: L.frexp(x), unary(_OFF_POWERS_OF_TWO)),
    Op("float_power_scalar", lambda L, x, c: L.float_power(x, c),
       unary(S.positive, params(c=scalar))),
    Op("float_power_tensor", lambda L, x, y: x.float_power(y),
       binary(S.positive, S.away_from_zero)),
    # (the float next to x: its derivative is PyTorch's convention, 1 for x and 0 for y,
    # and 0 for x where x == y: kept off that here)
    Op("nextafter", lambda L, x, y: L.nextafter(x, y), binary().filter(_apart)),
    Op("clamp", lambda L, x, b: x.clamp(**b),
       unary(S.away_from([-0.5, 0.5]), params(b=_clamp_bounds))),
    Op("clamp_tensor_bounds", lambda L, x, lo, hi: x.clamp(lo, hi), _clamp_tensors()),
    Op("clamp_min", lambda L, x: x.clamp_min(-0.5), unary(S.away_from([-0.5]))),
    Op("clamp_max", lambda L, x: L.clamp_max(x, 0.5), unary(S.away_from([0.5]))),
    Op("clamp_min_tensor", lambda L, x, lo: L.clamp_min(x, lo),
       _clamp_tensors().map(lambda s: Sample(s.arrays[:2]))),
    Op("clamp_max_tensor", lambda L, x, hi: x.clamp_max(hi),
       _clamp_tensors().map(lambda s: Sample(s.arrays[::2]))),
    Op("maximum", lambda L, x, y: L.maximum(x, y), binary(S.lattice(0.0), S.lattice(0.5))),
    Op("minimum", lambda L, x, y: L.minimum(x, y), binary(S.lattice(0.0), S.lattice(0.5))),
    Op("where", lambda L, x, y, cond: L.where(L.tensor(cond), x, y),
       binary(num=3).flatmap(lambda s: S.bool_arrays(s.arrays[2].shape).map(
           lambda c: Sample(s.arrays[:2], {"cond": c})))),
    Op("where_scalar", lambda L, x, cond: L.where(L.tensor(cond), x, 0.5),
       binary(num=2).flatmap(lambda s: S.bool_arrays(s.arrays[1].shape).map(
           lambda c: Sample(s.arrays[:1], {"cond": c})))),
    # ---- reductions
    Op("sum", lambda L, x: x.sum(), unary()),
    Op("sum_dim", lambda L, x, dim, keepdim: x.sum(dim, keepdim=keepdim),
       unary(params=params(dim=DIMS_NOT_NONE, keepdim=S.keepdim))),
    Op("mean", lambda L, x: x.mean(), unary()),
    Op("mean_dim", lambda L, x, dim, keepdim: x.mean(dim, keepdim=keepdim),
       unary(params=params(dim=DIMS_NOT_NONE, keepdim=S.keepdim))),
    Op("max", lambda L, x: x.max(), unary(S.distinct)),
    Op("min", lambda L, x: x.min(), unary(S.distinct)),
    Op("max_dim", lambda L, x, dim, keepdim: x.max(dim, keepdim=keepdim),
       unary(S.distinct, _distinct_keep)),
    Op("min_dim", lambda L, x, dim, keepdim: x.min(dim, keepdim=keepdim),
       unary(S.distinct, _distinct_keep)),
    # |x| in [0.6, 1.1]: a product of up to ~80 of them stays moderate, so the finite
    # differences of its (exactly zero) second derivatives stay below atol
    Op("prod", lambda L, x: x.prod(), unary(lambda x: np.where(x < 0, -1.0, 1.0)
                                             * (0.6 + 0.5 * np.abs(np.tanh(x))))),
    Op("prod_dim", lambda L, x, dim, keepdim: x.prod(dim, keepdim=keepdim),
       unary(S.away_from([0.0], 0.3), _distinct_keep)),
    Op("var", lambda L, x, **p: x.var(**p), _var(), torch_grad_bug=_empty_dims),
    Op("std", lambda L, x, **p: x.std(**p), _var(min_side=2), torch_grad_bug=_empty_dims),
    Op("logsumexp", lambda L, x, dim, keepdim: x.logsumexp(dim, keepdim=keepdim),
       unary(params=params(dim=_ndim(lambda n: S.dims(n, False).filter(lambda d: d != ())),
                           keepdim=S.keepdim))),
    Op("softmax", lambda L, x, dim: x.softmax(dim), unary(params=params(dim=DIM))),
    Op("log_softmax", lambda L, x, dim: x.log_softmax(dim), unary(params=params(dim=DIM))),
    Op("cumsum", lambda L, x, dim: x.cumsum(dim), unary(params=params(dim=DIM))),
    Op("cumprod", lambda L, x, dim: x.cumprod(dim),
       unary(S.away_from([0.0], 0.1), params(dim=DIM))),
    Op("cumprod_with_zeros", lambda L, x, dim: x.cumprod(dim), _with_zeros()),
    Op("cummax", lambda L, x, dim: x.cummax(dim), unary(S.distinct, params(dim=DIM))),
    Op("cummin", lambda L, x, dim: L.cummin(x, dim), unary(S.distinct, params(dim=DIM))),
    Op("logcumsumexp", lambda L, x, dim: x.logcumsumexp(dim), unary(params=params(dim=DIM))),
    Op("median", lambda L, x: x.median(), unary(S.distinct)),
    Op("median_dim", lambda L, x, dim, keepdim: x.median(dim, keepdim),
       unary(S.distinct, _distinct_keep)),
    Op("nanmedian", lambda L, x: L.nanmedian(x), unary(S.distinct)),
    Op("nanmedian_dim", lambda L, x, dim, keepdim: x.nanmedian(dim, keepdim),
       unary(S.distinct, _distinct_keep)),
    Op("kthvalue", lambda L, x, **p: x.kthvalue(**p), _kthvalue()),
    Op("mode", lambda L, x, dim, keepdim: L.mode(x, dim, keepdim),
       unary(S.distinct, _distinct_keep)),
    Op("quantile", _quantile_call, _quantile(),
       grad_fn=False),  # torch ends in a squeeze or a permute of its own; here a view
    Op("nanquantile", lambda L, x, q, **p: _quantile_call(L, x, q, nan=True, **p),
       _quantile(), grad_fn=False),  # (as quantile)
    Op("std_mean", lambda L, x, **p: L.std_mean(x, **p), _var(min_side=2),
       torch_grad_bug=_empty_dims, grad_fn=False),  # torch: one StdMeanBackward0 node
    Op("var_mean", lambda L, x, **p: L.var_mean(x, **p), _var(),
       torch_grad_bug=_empty_dims, grad_fn=False),  # torch: one VarMeanBackward0 node
    Op("norm", lambda L, x, **p: x.norm(**p), _norm()),
    Op("sort", lambda L, x, dim, descending: x.sort(dim, descending),
       unary(S.distinct, params(dim=DIM, descending=st.booleans()))),
    Op("topk", lambda L, x, **p: x.topk(**p), _topk()),
    # ---- shape
    Op("reshape", lambda L, x, shape: x.reshape(shape),
       unary(params=params(shape=S.reshapes))),
    Op("view", lambda L, x, shape: x.view(*shape), unary(params=params(shape=S.reshapes))),
    Op("flatten", lambda L, x, **p: x.flatten(**p), _flatten()),
    Op("squeeze", lambda L, x: x.squeeze(), unary()),
    Op("squeeze_dim", lambda L, x, dim: x.squeeze(dim), unary(params=params(dim=DIMS_NOT_NONE))),
    Op("unsqueeze", lambda L, x, dim: x.unsqueeze(dim),
       unary(params=params(dim=_ndim(lambda n: S.dim(n + 1))))),
    Op("transpose", lambda L, x, d0, d1: x.transpose(d0, d1),
       unary(params=params(d0=DIM, d1=DIM))),
    Op("permute", lambda L, x, dims: x.permute(dims),
       unary(params=params(dims=lambda s: st.permutations(range(len(s))).map(tuple)))),
    Op("T", lambda L, x: x.T, unary(max_dims=2)),
    Op("mT", lambda L, x: x.mT, unary(min_dims=2)),
    Op("expand", lambda L, x, sizes: x.expand(sizes), _expand()),
    Op("repeat", lambda L, x, reps: x.repeat(reps), _repeat()),
    Op("cat", lambda L, *xs, dim: L.cat(list(xs), dim=dim), _cat()),
    Op("stack", lambda L, *xs, dim: L.stack(list(xs), dim=dim), _stack()),
    Op("chunk", lambda L, x, chunks, dim: x.chunk(chunks, dim), _chunk()),
    Op("split", lambda L, x, split_size, dim: x.split(split_size, dim), _split()),
    Op("split_with_sizes", lambda L, x, split_size, dim: x.split_with_sizes(split_size, dim),
       _split().filter(lambda s: isinstance(s.params["split_size"], list))),
    Op("tensor_split", lambda L, x, split, dim: L.tensor_split(x, split, dim), _tensor_split()),
    Op("narrow", lambda L, x, **p: x.narrow(**p), _narrow()),
    Op("unfold", lambda L, x, dim, size, step: x.unfold(dim, size, step), _unfold()),
    Op("roll", lambda L, x, shifts, dims: L.roll(x, shifts, dims), _roll()),
    Op("rot90", lambda L, x, k, dims: x.rot90(k, dims), _rot90()),
    Op("fliplr", lambda L, x: x.fliplr(), unary(min_dims=2)),
    Op("flipud", lambda L, x: L.flipud(x), unary(min_dims=1)),
    Op("diff", _diff_call, _diff()),
    Op("repeat_interleave_int", _repeat_call, _repeat_interleave(False)),
    Op("repeat_interleave_tensor", _repeat_call, _repeat_interleave(True)),
    Op("hstack", lambda L, *xs: L.hstack(xs), _stacked(2)),
    Op("vstack", lambda L, *xs: L.vstack(xs), _stacked(2)),
    Op("dstack", lambda L, *xs: L.dstack(xs), _stacked(3)),
    Op("column_stack", lambda L, *xs: L.column_stack(xs), _stacked(2)),
    Op("tril", lambda L, x, diagonal: x.tril(diagonal),
       unary(min_dims=2, params=params(diagonal=st.integers(-3, 3)))),
    Op("triu", lambda L, x, diagonal: L.triu(x, diagonal=diagonal),
       unary(min_dims=2, params=params(diagonal=st.integers(-3, 3)))),
    Op("diag_vector", lambda L, x, diagonal: L.diag(x, diagonal),
       unary(min_dims=1, max_dims=1, params=params(diagonal=st.integers(-2, 2)))),
    Op("diag_matrix", lambda L, x, diagonal: x.diag(diagonal),
       unary(min_dims=2, max_dims=2, params=params(diagonal=st.integers(-3, 3)))),
    Op("diagonal", lambda L, x, **p: L.diagonal(x, **p), _diagonal()),
    Op("diag_embed", lambda L, x, **p: x.diag_embed(**p), _diag_embed()),
    Op("meshgrid", lambda L, *xs, indexing: L.meshgrid(*xs, indexing=indexing), _meshgrid()),
    # ---- shape, written with the ops above (ops/reshaping.py)
    Op("tile", lambda L, x, dims: x.tile(dims), _tile()),
    Op("tile_function", lambda L, x, dims: L.tile(x, dims), _tile()),
    Op("ravel", lambda L, x: x.ravel(), unary()),
    Op("ravel_transposed", lambda L, x: L.ravel(x.mT), unary(min_dims=2)),
    Op("movedim", lambda L, x, **p: x.movedim(**p), _movedim()),
    Op("moveaxis", lambda L, x, **p: L.moveaxis(x, **p), _movedim()),
    Op("swapdims", lambda L, x, d0, d1: L.swapdims(x, d0, d1),
       unary(params=params(d0=DIM, d1=DIM))),
    Op("select", lambda L, x, dim, index: x.select(dim, index), _select()),
    Op("select_function", lambda L, x, dim, index: L.select(x, dim, index), _select()),
    Op("sum_to_size", lambda L, x, size: x.sum_to_size(size), _sum_to_size()),
    Op("msort", lambda L, x: L.msort(x), unary(S.distinct)),
    Op("diagflat", lambda L, x, offset: L.diagflat(x, offset),
       unary(params=params(offset=st.integers(-2, 2)))),
    Op("hsplit", lambda L, x, split: L.hsplit(x, split), _hsplit(1, 1)),
    Op("vsplit", lambda L, x, split: x.vsplit(split), _hsplit(0, 2)),
    Op("dsplit", lambda L, x, split: L.dsplit(x, split), _hsplit(2, 3)),
    Op("broadcast_to", lambda L, x, sizes: L.broadcast_to(x, sizes), _expand()),
    Op("atleast_1d", lambda L, x: L.atleast_1d(x), unary(max_dims=2)),
    Op("atleast_2d", lambda L, x: L.atleast_2d(x), unary(max_dims=3)),
    Op("atleast_3d", lambda L, *xs: L.atleast_3d(*xs), _stacked(3)),
    Op("row_stack", lambda L, *xs: L.row_stack(xs), _stacked(2)),
    Op("where_method", lambda L, x, y, cond: x.where(L.tensor(cond), y),
       binary(num=2).flatmap(lambda s: S.bool_arrays(s.arrays[0].shape).map(
           lambda c: Sample(s.arrays, {"cond": c})))),
    Op("type_as", lambda L, x: x.type_as(L.ones(1, dtype=L.float32)), unary(), eps=1e-2),
    # (torch's SgnBackward0 returns a ZeroTensor, which cannot be read: sign's values and
    # gradients here, the name in test_tensor_surface.py)
    Op("sgn", lambda L, x: x.sgn(), unary(S.away_from_zero), torch_fn=lambda L, x: x.sign(),
       grad_fn=False),
    Op("positive", lambda L, x: L.positive(x) * 1.0, unary()),
    Op("negative", lambda L, x: L.negative(x), unary()),
    # ---- reductions that skip NaNs, aminmax, integrals (ops/reduce_extra.py)
    Op("nansum", lambda L, x, **p: x.nansum(**p), _nan_reduce(False)),
    Op("nanmean", lambda L, x, **p: L.nanmean(x, **p), _nan_reduce(True)),
    Op("aminmax", _aminmax_call, _aminmax()),
    Op("trapezoid_dx", lambda L, y, **p: L.trapezoid(y, **p), _trapezoid(False)),
    Op("trapezoid_x", lambda L, y, x, **p: L.trapezoid(y, x, **p), _trapezoid(True)),
    Op("trapz", lambda L, y, x, **p: L.trapz(y, x, **p), _trapezoid(True)),
    Op("cumulative_trapezoid_dx", lambda L, y, **p: L.cumulative_trapezoid(y, **p),
       _trapezoid(False)),
    Op("cumulative_trapezoid_x", lambda L, y, x, **p: L.cumulative_trapezoid(y, x, **p),
       _trapezoid(True)),
    # ---- indexing
    Op("getitem_basic", lambda L, x, index: x[index], _basic_index()),
    Op("getitem_bool_mask", lambda L, x, mask: x[L.tensor(mask)], _mask_index()),
    Op("getitem_int_arrays", lambda L, x, index, as_list: _index_with(L, x, index, as_list),
       _int_array_index()),
    Op("gather", lambda L, x, dim, index: x.gather(dim, L.tensor(index)), _gather()),
    Op("index_select", lambda L, x, dim, index: L.index_select(x, dim, L.tensor(index)),
       _index_select()),
    Op("scatter", lambda L, x, src, dim, index: x.scatter(dim, L.tensor(index), src),
       _scatter(unique=True), torch_grad_bug=_src_larger),
    Op("scatter_value", lambda L, x, dim, index: x.scatter(dim, L.tensor(index), 1.5),
       _scatter(unique=True).map(lambda s: Sample(s.arrays[:1], s.params))),
    Op("scatter_add", lambda L, x, src, dim, index: x.scatter_add(dim, L.tensor(index), src),
       _scatter(unique=False), torch_grad_bug=_src_larger),
    Op("scatter_add_inplace",
       lambda L, x, src, dim, index: x.clone().scatter_add_(dim, L.tensor(index), src),
       _scatter(unique=False), torch_grad_bug=_src_larger),
    Op("index_put", _index_put_call(False, False), _index_put(unique=True)),
    Op("index_put_accumulate", _index_put_call(True, False), _index_put(unique=False)),
    Op("index_put_inplace", _index_put_call(False, True), _index_put(unique=True)),
    Op("index_put_accumulate_inplace", _index_put_call(True, True), _index_put(unique=False)),
    *(Op(f"scatter_reduce_{reduce}", _scatter_reduce_call, _scatter_reduce(reduce),
         torch_grad_bug=_src_larger) for reduce in ("sum", "prod", "mean", "amax", "amin")),
    Op("scatter_reduce_inplace",
       lambda L, x, src, dim, index, reduce, include_self: x.clone().scatter_reduce_(
           dim, L.tensor(index), src, reduce, include_self=include_self),
       _scatter_reduce("mean"), torch_grad_bug=_src_larger),
    Op("take", lambda L, x, index: x.take(L.tensor(index)), _take()),
    Op("take_along_dim", lambda L, x, index, dim: L.take_along_dim(x, L.tensor(index), dim),
       _take_along_dim()),
    Op("masked_select", lambda L, x, mask: x.masked_select(L.tensor(mask)), _masked(False)),
    Op("masked_scatter", lambda L, x, src, mask: L.masked_scatter(x, L.tensor(mask), src),
       _masked(True)),
    Op("index_add", lambda L, x, src, dim, index: x.index_add(dim, L.tensor(index), src,
                                                              alpha=-1.5),
       _index_update(unique=False)),
    Op("index_add_inplace",
       lambda L, x, src, dim, index: x.clone().index_add_(dim, L.tensor(index), src),
       _index_update(unique=False)),
    Op("index_copy", lambda L, x, src, dim, index: L.index_copy(x, dim, L.tensor(index), src),
       _index_update(unique=True)),
    Op("index_fill", lambda L, x, dim, index: x.index_fill(dim, L.tensor(index), 0.5),
       _index_update(unique=False).map(lambda s: Sample(s.arrays[:1], s.params))),
    Op("index_fill_tensor",
       lambda L, x, v, dim, index: x.index_fill(dim, L.tensor(index), v),
       _index_update(unique=True).flatmap(lambda s: S.arrays(()).map(
           lambda v: Sample((s.arrays[0], v), s.params)))),
    # ---- interpolation
    Op("lerp", lambda L, a, b, w: L.lerp(a, b, w), _lerp()),
    Op("lerp_scalar", lambda L, a, b, w: a.lerp(b, w), binary().flatmap(
        lambda s: S.floats(-1, 2).map(lambda w: Sample(s.arrays, {"w": w})))),
    # ---- copies and dtype conversions
    Op("clone", lambda L, x: x.clone(), unary()),
    Op("to_float64", lambda L, x: x.to(L.float64), unary()),
    Op("to_float32", lambda L, x: x.to(L.float32), unary(), eps=1e-2),
    Op("double", lambda L, x: x.double() * 1, unary()),
    Op("float", lambda L, x: x.float() * 1, unary(), eps=1e-2),
    # ---- linear algebra (well-conditioned inputs; see _square, _separated)
    Op("linalg_inv", lambda L, x: L.linalg.inv(x), _square()),
    Op("inverse", lambda L, x: x.inverse(), _square()),
    Op("linalg_det", lambda L, x: L.linalg.det(x), _square()),
    Op("det", lambda L, x: L.det(x), _square()),
    Op("linalg_slogdet", lambda L, x: L.linalg.slogdet(x), _square()),
    Op("logdet", lambda L, x: x.logdet(), _square()),
    Op("linalg_solve", lambda L, a, b, left: L.linalg.solve(a, b, left=left), _solve()),
    Op("linalg_cholesky", lambda L, x, upper: L.linalg.cholesky(_sym(L, x), upper=upper),
       _separated(square=True, batch=False).flatmap(  # (batched: torch's x @ x.mT is a
           lambda s: st.booleans().map(lambda u: Sample(s.arrays, {"upper": u})))),  # view)
    Op("cholesky", lambda L, x: _sym(L, x).cholesky(), _separated(square=True, batch=False)),
    Op("linalg_eigh", _eigh_call, _separated(square=True).flatmap(
        lambda s: st.sampled_from("LU").map(lambda u: Sample(s.arrays, {"UPLO": u}))),
       rtol32=1e-3),
    Op("linalg_eigvalsh", lambda L, x: L.linalg.eigvalsh(x + x.mT), _separated(square=True),
       rtol32=1e-3),
    Op("linalg_svd", _svd_call, _separated(), rtol32=1e-3),
    Op("linalg_svdvals", lambda L, x: L.linalg.svdvals(x), _separated(), rtol32=1e-3),
    Op("linalg_qr", lambda L, x: L.linalg.qr(x), _separated(), rtol32=1e-4),
    Op("svd_legacy", _svd_legacy_call, _separated(), rtol32=1e-3),
    Op("qr_legacy", lambda L, x: L.qr(x), _separated(), rtol32=1e-4),
    Op("cholesky_solve", lambda L, x: L.cholesky_solve(x[..., :1] * 2 + 1, L.linalg.cholesky(
        _sym(L, x))), _separated(square=True, batch=False), rtol32=1e-4),
    Op("cholesky_solve_upper", lambda L, x: L.cholesky_solve(x.mT, L.linalg.cholesky(
        _sym(L, x), upper=True), upper=True), _separated(square=True, batch=False),
       rtol32=1e-4),
    Op("cholesky_inverse", lambda L, x: L.cholesky_inverse(L.linalg.cholesky(_sym(L, x))),
       _separated(square=True, batch=False), rtol32=1e-4),
    Op("linalg_pinv", lambda L, x: L.linalg.pinv(x), _separated(), rtol32=1e-4),
    Op("pinverse", lambda L, x: x.pinverse(), _separated(), rtol32=1e-4),
    Op("linalg_lstsq", lambda L, a, b: L.linalg.lstsq(a, b).solution, _lstsq(), rtol32=1e-3),
    Op("linalg_matrix_norm", lambda L, x, **p: L.linalg.matrix_norm(x, **p), _matrix_norm()),
    Op("linalg_vector_norm", lambda L, x, p, **kw: L.linalg.vector_norm(x, p, **kw),
       _norm().filter(lambda s: s.params["p"] != "fro")),
    Op("linalg_norm", lambda L, x, **p: L.linalg.norm(x, **p), _separated(batch=False).flatmap(
        lambda s: st.sampled_from([{}, {"ord": 2}, {"ord": "nuc"}, {"dim": -1},
                                   {"ord": 1, "dim": (-2, -1)}]).map(
            lambda p: Sample(s.arrays, p)))),
    # ---- triangular systems, condition numbers, the _ex forms (ops/linalg_ex.py)
    Op("linalg_solve_triangular", lambda L, a, b, **p: L.linalg.solve_triangular(a, b, **p),
       _triangular()),
    Op("linalg_inv_ex", lambda L, x: L.linalg.inv_ex(x).inverse, _square()),
    Op("linalg_cholesky_ex", lambda L, x: L.linalg.cholesky_ex(_sym(L, x), upper=True).L,
       _separated(square=True, batch=False)),
    Op("linalg_solve_ex", lambda L, a, b, left: L.linalg.solve_ex(a, b, left=left).result,
       _solve()),
    # (p = +-1, +-inf, 'fro': torch's backward raises, see test_linalg_ex.py)
    Op("linalg_cond", lambda L, x, p: L.linalg.cond(x, p), _separated().flatmap(
        lambda s: st.sampled_from([None, 2, -2] + (["nuc"] if s.arrays[0].shape[-1] ==
                                                   s.arrays[0].shape[-2] else [])).map(
            lambda p: Sample(s.arrays, {"p": p}))), rtol32=1e-4),
    # ---- the LU factorization (ops/lu.py)
    Op("linalg_lu_factor", lambda L, x: L.linalg.lu_factor(x).LU, _lu()),
    Op("linalg_lu_factor_ex", lambda L, x: L.linalg.lu_factor_ex(x).LU, _lu()),
    Op("linalg_lu", lambda L, x: L.linalg.lu(x)[1:], _lu()),
    Op("lu", lambda L, x: L.lu(x)[0], _lu()),  # (the deprecated torch.lu: lu_factor_ex)
    Op("lu_method_get_infos", lambda L, x: x.lu(get_infos=True)[0], _lu()),
    Op("lu_unpack", lambda L, x: L.lu_unpack(*L.linalg.lu_factor(x))[1:], _lu()),
    # (a packed LU given as it is: the two triangles' gradients, wide and tall too)
    Op("lu_unpack_packed", lambda L, x: L.lu_unpack(x, L.linalg.lu_factor(x.detach())[1])[1:],
       _lu()),
    Op("linalg_lu_solve", lambda L, a, b, **p: L.linalg.lu_solve(*L.linalg.lu_factor(a), b, **p),
       _lu_solve()),
    # (A itself read as a packed LU: the gradient reaching LU directly)
    Op("linalg_lu_solve_packed", lambda L, a, b, pivots, **p: L.linalg.lu_solve(
        a, L.tensor(pivots, dtype=L.int32).expand(a.shape[:-1]), b, **p), _lu_solve(True)),
    # ---- matrix functions and chains (ops/matrix_functions.py)
    Op("cov", _cov_call, _cov()),
    Op("cov_weighted", _cov_call, _cov(weighted=True)),
    Op("corrcoef", lambda L, x: L.corrcoef(x),
       _cov().map(lambda s: Sample(s.arrays)).filter(_off_corrcoef_clip)),
    Op("matrix_power", lambda L, x, n: x.matrix_power(n), _powers().filter(  # (n = 0: torch
        lambda s: s.arrays[0].ndim == 2 and s.params["n"] != 0)),  # names CopyBackwards oddly)
    Op("linalg_matrix_power", lambda L, x, n: L.linalg.matrix_power(x, n), _powers().filter(
        lambda s: s.params["n"] != 0)),  # (n = 0: as above)
    Op("matrix_exp", lambda L, x: L.matrix_exp(x), _small_square(), rtol32=1e-4),
    Op("linalg_matrix_exp", lambda L, x: L.linalg.matrix_exp(x), _small_square(), rtol32=1e-4),
    Op("linalg_multi_dot", lambda L, *xs: L.linalg.multi_dot(list(xs)), _chain()),
    Op("chain_matmul", lambda L, *xs: L.chain_matmul(*xs), _chain(vectors=False)),
    Op("linalg_vecdot", lambda L, x, y, dim: L.linalg.vecdot(x, y, dim=dim), binary().filter(
        lambda s: np.broadcast_shapes(*(a.shape for a in s.arrays)) != () and not (  # (two
            s.arrays[0].ndim == s.arrays[1].ndim == 1  # vectors: torch's vdot, no broadcast)
            and s.arrays[0].shape != s.arrays[1].shape)).flatmap(
        lambda s: S.dim(len(np.broadcast_shapes(*(a.shape for a in s.arrays)))).map(
            lambda d: Sample(s.arrays, {"dim": d})))),
    Op("linalg_matmul", lambda L, x, y: L.linalg.matmul(x, y), _chain(vectors=False).filter(
        lambda s: len(s.arrays) == 2)),
    Op("linalg_diagonal", lambda L, x, **p: L.linalg.diagonal(x, **p), unary(min_dims=2).flatmap(
        lambda s: st.fixed_dictionaries({"offset": st.integers(-1, 1)}).map(
            lambda p: Sample(s.arrays, p)))),
    Op("linalg_cross", lambda L, x, y: L.linalg.cross(x, y),
       st.sampled_from([((2, 3), (2, 3)), ((2, 1, 3), (2, 2, 3)), ((1, 3), (2, 3))]).flatmap(
           lambda ab: st.tuples(S.arrays(ab[0]), S.arrays(ab[1]))).map(Sample)),
    Op("linalg_vander", lambda L, x, **p: L.linalg.vander(x, **p), unary(
        S.away_from_zero, max_dims=2).flatmap(  # (cumprod through zeros: cumprod_with_zeros)
        lambda s: st.sampled_from([{}, {"N": 2}, {"N": 4}]).map(lambda p: Sample(s.arrays, p))).filter(
        lambda s: s.params.get("N", s.arrays[0].shape[-1] if s.arrays[0].ndim else 1) > 1)),
    # ---- tensor methods PyTorch also has (ops/activation.py, strided.py, indexed.py)
    Op("hardshrink_method", lambda L, x: x.hardshrink(0.3), unary(S.away_from([-0.3, 0.3]))),
    Op("prelu_method", lambda L, x, w: x.prelu(w), _prelu(),
       torch_grad_bug=lambda s: not s.arrays[0].all()),
    Op("diagonal_scatter", lambda L, x, src, **p: L.diagonal_scatter(x, src, **p),
       _view_scatter("diagonal")),
    Op("select_scatter", lambda L, x, src, dim, index: x.select_scatter(src, dim, index),
       _view_scatter("select")),
    Op("slice_scatter", lambda L, x, src, **p: L.slice_scatter(x, src, **p),
       _view_scatter("slice")),
    *(Op(f"index_reduce_{reduce}", _index_reduce_call, _index_reduce(reduce))
      for reduce in ("prod", "mean", "amax", "amin")),
    Op("index_reduce_inplace", lambda L, x, src, dim, index, reduce, include_self: (
        x.clone().index_reduce_(dim, L.tensor(index), src, reduce, include_self=include_self)),
       _index_reduce("mean")),
    Op("put", _put_call(False, False), _put(unique=True)),
    Op("put_accumulate", _put_call(True, False), _put(unique=False)),
    Op("put_inplace", _put_call(False, True), _put(unique=True)),
    Op("as_strided", lambda L, x, size, stride, offset: x.as_strided(size, stride, offset),
       _strided(scatter=False)),
    # (a window on the storage of a view that starts at 1: the offset counts from 0)
    Op("as_strided_of_view", lambda L, x, size, stride, offset: L.as_strided(
        L.cat([x.reshape(-1)[:1], x.reshape(-1)])[1:], size, stride, offset + 1),
       _strided(scatter=False)),
    # (torch's gradient for x is wrong -- the written places' instead of the kept ones':
    # its gradcheck fails; ours passes it, and src's gradient is compared)
    Op("as_strided_scatter", lambda L, x, src, size, stride, offset: L.as_strided_scatter(
        x, src, size, stride, offset), _strided(scatter=True), torch_grad_bug=lambda s: True),
    # (torch's backward drops the gradient for a negative start: its gradcheck fails)
    Op("narrow_copy", lambda L, x, **p: x.narrow_copy(**p), _narrow(),
       torch_grad_bug=lambda s: s.params["start"] < 0),
    Op("unsafe_split", lambda L, x, split_size, dim: x.unsafe_split(split_size, dim),
       _split().filter(lambda s: isinstance(s.params["split_size"], int))),
    Op("unsafe_split_with_sizes", lambda L, x, split_size, dim: L.unsafe_split_with_sizes(
        x, split_size, dim), _split().filter(lambda s: isinstance(s.params["split_size"], list))),
    Op("unsafe_chunk", lambda L, x, chunks, dim: x.unsafe_chunk(chunks, dim), _chunk()),
]
OPS_BY_NAME = {op.name: op for op in OPS}
assert len(OPS_BY_NAME) == len(OPS), "duplicate op names in the table"
SMOOTH = [op for op in OPS if op.gradgrad]


# ============================================================================ helpers
def _outputs(result: Any) -> tuple[Any, ...]:
    """An op's outputs as a tuple (chunk/split and max(dim) return several)."""
    return tuple(result) if isinstance(result, tuple) else (result,)


def _float_outputs(result: Any) -> tuple[Any, ...]:
    return tuple(o for o in _outputs(result) if o.dtype.is_floating_point)


def _call(op: Op, lib: Any, tensors: list[Any], sample: Sample) -> tuple[Any, ...]:
    fn = op.torch_fn if lib is not tg and op.torch_fn is not None else op.fn
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch: x.T on 3-D tensors is deprecated
        return _outputs(fn(lib, *tensors, **sample.params))


def _leaves(arrays: tuple[np.ndarray, ...], dtype: Any = np.float64) -> list[tg.Tensor]:
    return [tg.tensor(np.array(a, dtype=dtype), requires_grad=True) for a in arrays]


def _dtype_name(dtype: Any) -> str:
    return str(dtype).rsplit(".", 1)[-1]


TOLERANCE = {"float64": dict(rtol=1e-7, atol=1e-10), "float32": dict(rtol=1e-5, atol=1e-6)}


def assert_like_torch(mine: Any, theirs: Any, what: str, dtype: str = "float64",
                      rtol32: float = 1e-5) -> None:
    """Same shape, dtype and values (within the dtype's tolerance) as a torch tensor."""
    assert theirs is not None, f"{what}: torch has no value here, tinygrad_edu has {mine!r}"
    assert mine is not None, f"{what}: tinygrad_edu has no value, torch has {theirs!r}"
    assert tuple(mine.shape) == tuple(theirs.shape), \
        f"{what}: shape {tuple(mine.shape)} != torch's {tuple(theirs.shape)}"
    assert _dtype_name(mine.dtype) == _dtype_name(theirs.dtype), \
        f"{what}: dtype {mine.dtype} != torch's {theirs.dtype}"
    tolerance = dict(TOLERANCE.get(dtype, TOLERANCE["float64"]))
    if dtype == "float32":
        tolerance["rtol"] = rtol32
        # (a looser row's results near 0 come from cancelling terms as large as the
        # largest result, each off by its own rounding: their absolute error scales with
        # rtol32 and with that magnitude, e.g. instance_norm's x - mean near the mean)
        scale = max(1.0, float(np.max(np.abs(theirs.detach().numpy()), initial=0.0)))
        tolerance["atol"] = max(tolerance["atol"], rtol32 / 100 * scale)
    np.testing.assert_allclose(mine.detach().numpy(), theirs.detach().numpy(),
                               err_msg=what, **tolerance)


def _op_id(op: Op) -> str:
    return op.name


# ============================================================================ the tests
@pytest.mark.parametrize("op", OPS, ids=_op_id)
@given(data=st.data())
def test_gradcheck(op: Op, data: st.DataObject) -> None:
    """The analytical gradient matches central finite differences (float64)."""
    sample = data.draw(op.inputs, label="sample")
    xs = _leaves(sample.arrays)

    def fn(*ts: Any) -> tuple[Any, ...]:
        return _float_outputs(_call(op, tg, list(ts), sample))

    assert tg.autograd.gradcheck(fn, xs, eps=op.eps)


@pytest.mark.parametrize("op", SMOOTH, ids=_op_id)
@given(data=st.data())
def test_gradgradcheck(op: Op, data: st.DataObject) -> None:
    """Second derivatives (backward of backward, create_graph=True) match finite
    differences of the first derivative (float64)."""
    sample = data.draw(op.inputs, label="sample")
    xs = _leaves(sample.arrays)
    outs = _float_outputs(_call(op, tg, xs, sample))
    seeds = [tg.tensor(data.draw(S.arrays(tuple(o.shape)), label="grad_output"),
                       requires_grad=True) for o in outs]

    def fn(*ts: Any) -> tuple[Any, ...]:
        return _float_outputs(_call(op, tg, list(ts), sample))

    assert tg.autograd.gradgradcheck(fn, xs, seeds, eps=op.eps)


@pytest.fixture(scope="module")
def torch() -> Any:
    return pytest.importorskip("torch")


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("op", OPS, ids=_op_id)
@given(data=st.data())
def test_torch_parity(torch: Any, op: Op, dtype: str, data: st.DataObject) -> None:
    """Values, shapes, dtypes, grad_fn names and every input's gradient match PyTorch."""
    sample = data.draw(op.inputs, label="sample")
    arrays = [np.array(a, dtype=dtype) for a in sample.arrays]
    mine_in = [tg.tensor(a, requires_grad=True) for a in arrays]
    theirs_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    mine, theirs = _call(op, tg, mine_in, sample), _call(op, torch, theirs_in, sample)
    assert len(mine) == len(theirs), f"{len(mine)} outputs, torch has {len(theirs)}"
    for k, (m, t) in enumerate(zip(mine, theirs)):
        assert_like_torch(m, t, f"forward, output {k}", dtype, op.rtol32)
        if op.grad_fn:
            theirs_name = None if t.grad_fn is None else t.grad_fn.name()
            mine_name = None if m.grad_fn is None else type(m.grad_fn).__name__
            assert mine_name == theirs_name, f"output {k}: grad_fn {mine_name} != {theirs_name}"
    rng = np.random.default_rng(len(op.name))
    pairs = [(m, t) for m, t in zip(mine, theirs) if t.requires_grad]
    seeds = [rng.standard_normal(tuple(t.shape)).astype(dtype) for _, t in pairs]
    if not pairs:
        return
    if op.torch_grad_bug is not None and op.torch_grad_bug(sample):
        return
    tg.autograd.backward([m for m, _ in pairs], [tg.tensor(s) for s in seeds])
    torch.autograd.backward([t for _, t in pairs], [torch.tensor(s) for s in seeds])
    for i, (m, t) in enumerate(zip(mine_in, theirs_in)):
        assert_like_torch(m.grad, t.grad, f"backward, input {i}", dtype, op.rtol32)


def test_table_covers_the_api() -> None:
    """Every differentiable op of API.md has a row (renaming one must keep it tested)."""
    expected = {
        "add", "sub", "mul", "div", "pow_scalar", "rpow_scalar", "pow_tensor_tensor",
        "matmul_dot", "matmul_mm", "matmul_batched", "matmul_broadcast", "neg", "exp", "log",
        "log1p", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "relu", "clamp", "maximum",
        "minimum", "where", "sum", "sum_dim", "mean", "mean_dim", "max", "min", "max_dim",
        "min_dim", "prod", "prod_dim", "var", "std", "logsumexp", "softmax", "log_softmax",
        "cumsum", "norm", "reshape", "view", "flatten", "squeeze", "unsqueeze", "transpose",
        "permute", "T", "expand", "repeat", "cat", "stack", "chunk", "split", "getitem_basic",
        "getitem_bool_mask", "getitem_int_arrays", "clone", "to_float64", "to_float32",
        "sign", "floor", "ceil", "round", "trunc", "frac", "div_floor", "div_trunc", "rsqrt",
        "reciprocal",
        "sort", "topk", "gather", "index_select",
        "cumprod", "cumprod_with_zeros", "diff", "repeat_interleave_int",
        "repeat_interleave_tensor", "median", "median_dim", "kthvalue", "mode", "quantile",
        "scatter", "scatter_value", "scatter_add", "scatter_add_inplace", "lerp",
        "lerp_scalar", "std_mean", "var_mean", "hstack", "vstack", "dstack", "column_stack",
        "bmm", "addmm", "baddbmm", "einsum_matmul", "einsum_batch", "einsum_outer",
        "einsum_trace", "einsum_diagonal", "einsum_ellipsis", "einsum_implicit", "einsum_sum",
        "tril", "triu", "diag_vector", "diag_matrix", "diagonal", "diag_embed", "meshgrid",
        "trace", "split_with_sizes", "tensor_split", "narrow", "unfold", "roll", "rot90",
        "fliplr", "flipud", "take", "take_along_dim", "masked_select", "masked_scatter",
        "index_add", "index_copy", "index_fill", "index_fill_tensor", "index_put",
        "index_put_accumulate", "index_put_inplace", "index_put_accumulate_inplace",
        "scatter_reduce_sum", "scatter_reduce_prod", "scatter_reduce_mean",
        "scatter_reduce_amax", "scatter_reduce_amin", "scatter_reduce_inplace",
        "cummax", "cummin", "logcumsumexp", "outer", "ger", "inner", "tensordot",
        "kron", "cross", "cdist", "pdist", "cartesian_prod", "deg2rad", "rad2deg", "ldexp",
        "frexp", "float_power_scalar", "float_power_tensor", "nextafter", "cosine_similarity", "normalize",
        "pad_constant", "pad_reflect", "pad_replicate", "pad_circular", "F_unfold", "F_fold",
        "interpolate_nearest", "interpolate_nearest_exact", "interpolate_linear",
        "interpolate_bilinear", "interpolate_bicubic", "interpolate_trilinear",
        "interpolate_area", "pixel_shuffle", "pixel_unshuffle", "channel_shuffle",
        "grid_sample_bilinear", "grid_sample_nearest", "grid_sample_bicubic",
        "grid_sample_3d_bilinear", "grid_sample_3d_nearest", "affine_grid",
        "group_norm", "group_norm_affine", "instance_norm", "instance_norm_affine",
        "instance_norm_eval", "local_response_norm", "rms_norm", "rms_norm_weight",
        "i0", "special_i0", "special_i0e", "special_i1", "special_i1e", "mvlgamma",
        "special_multigammaln", "renorm", "lu", "lu_unpack",
    }
    assert expected <= set(OPS_BY_NAME), expected - set(OPS_BY_NAME)


# ============================================================================ dtype promotion
def _t(L: Any, values: Any, dtype: str) -> Any:
    return L.tensor(values, dtype=getattr(L, dtype))


PROMOTION: dict[str, Callable[[Any], Any]] = {
    "float32 + int64": lambda L: _t(L, [1.5, 2], "float32") + _t(L, [1, 2], "int64"),
    "int64 + float32": lambda L: _t(L, [1, 2], "int64") + _t(L, [1.5, 2], "float32"),
    "float32 + float64": lambda L: _t(L, [1.5], "float32") * _t(L, [2.25], "float64"),
    "int32 + int64": lambda L: _t(L, [1, 2], "int32") + _t(L, [3, 4], "int64"),
    "int64 + int64": lambda L: _t(L, [1, 2], "int64") - _t(L, [3, 4], "int64"),
    "int / int": lambda L: _t(L, [1, 7], "int64") / _t(L, [2, 2], "int64"),
    "int // int": lambda L: _t(L, [7, -7], "int64") // _t(L, [2, 2], "int64"),
    "int / python int": lambda L: _t(L, [1, 7], "int64") / 2,
    "int * python int": lambda L: _t(L, [1, 7], "int32") * 3,
    "int + python float": lambda L: _t(L, [1, 7], "int64") + 0.5,
    "int32 + python float": lambda L: _t(L, [1, 7], "int32") * 0.5,
    "float32 + python float": lambda L: _t(L, [1.0], "float32") + 1e-3,
    "float32 + python int": lambda L: _t(L, [1.0], "float32") + 3,
    "float64 + python float": lambda L: _t(L, [1.0], "float64") + 0.1,
    "python float - int": lambda L: 2.5 - _t(L, [1, 2], "int64"),
    "python float / int": lambda L: 1.0 / _t(L, [1, 2], "int64"),
    "bool + bool": lambda L: _t(L, [True, False], "bool") + _t(L, [True, True], "bool"),
    "bool * bool": lambda L: _t(L, [True, False], "bool") * _t(L, [True, True], "bool"),
    "bool + python int": lambda L: _t(L, [True, False], "bool") + 2,
    "bool * python float": lambda L: _t(L, [True, False], "bool") * 2.5,
    "bool + int32": lambda L: _t(L, [True, False], "bool") + _t(L, [1, 2], "int32"),
    "bool + float32": lambda L: _t(L, [True, False], "bool") + _t(L, [0.5, 2], "float32"),
    "0-d float64 + float32": lambda L: _t(L, 2.5, "float64") + _t(L, [1.0, 2.0], "float32"),
    "0-d float64 + int64": lambda L: _t(L, 2.5, "float64") + _t(L, [1, 2], "int64"),
    "0-d int64 + int32": lambda L: _t(L, 3, "int64") + _t(L, [1, 2], "int32"),
    "0-d float32 + 0-d float64": lambda L: _t(L, 1.5, "float32") + _t(L, 2.5, "float64"),
    "0-d int64 + 0-d float32": lambda L: _t(L, 3, "int64") * _t(L, 2.5, "float32"),
    "int ** float": lambda L: _t(L, [1, 2], "int64") ** 2.0,
    "int ** int": lambda L: _t(L, [1, 2], "int64") ** 2,
    "int ** 0-d float64": lambda L: _t(L, [1, 2], "int64") ** _t(L, 0.5, "float64"),
    "python int ** int": lambda L: 2 ** _t(L, [1, 2], "int64"),
    "python float ** int": lambda L: 2.0 ** _t(L, [1, 2], "int64"),
    "float32 ** float64": lambda L: _t(L, [1.5, 2], "float32") ** _t(L, [2.0, 0.5], "float64"),
    "int matmul int": lambda L: _t(L, [[1, 2]], "int64") @ _t(L, [[3], [4]], "int64"),
    "exp of int": lambda L: _t(L, [0, 1], "int64").exp(),
    "sqrt of bool": lambda L: _t(L, [True, False], "bool").sqrt(),
    "sum of int32": lambda L: _t(L, [1, 2], "int32").sum(),
    "sum of bool": lambda L: _t(L, [True, True, False], "bool").sum(),
    "prod of int32": lambda L: _t(L, [3, 2], "int32").prod(),
    "cumsum of int32": lambda L: _t(L, [3, 2], "int32").cumsum(0),
    "max of int": lambda L: _t(L, [3, 2], "int64").max(),
    "softmax of int, dtype=float64": lambda L: _t(L, [3, 2], "int64").softmax(0, L.float64),
    "where int, python float": lambda L: L.where(_t(L, [True, False], "bool"),
                                                 _t(L, [1, 2], "int64"), 0.5),
    "where float32, float64": lambda L: L.where(_t(L, [True, False], "bool"),
                                                _t(L, [1, 2], "float32"),
                                                _t(L, [3, 4], "float64")),
    "cat int, float32": lambda L: L.cat([_t(L, [1], "int64"), _t(L, [2.5], "float32")]),
    "stack float32, float64": lambda L: L.stack([_t(L, [1.0], "float32"),
                                                 _t(L, [2.5], "float64")]),
    "maximum int, float32": lambda L: L.maximum(_t(L, [1, 5], "int64"), _t(L, [2.5, 2],
                                                                          "float32")),
    "clamp int with float": lambda L: _t(L, [1, 5], "int64").clamp(0.5, 2.5),
    "clamp int with int": lambda L: _t(L, [1, 5], "int64").clamp(0, 2),
    "neg of int32": lambda L: -_t(L, [1, 5], "int32"),
    "abs of int": lambda L: _t(L, [-1, 5], "int64").abs(),
    "float32 < int64": lambda L: _t(L, [1.5, 2], "float32") < _t(L, [2, 2], "int64"),
    "int == python float": lambda L: _t(L, [1, 2], "int64") == 2.0,
    "float64 >= python int": lambda L: _t(L, [1.0, 2], "float64") >= 2,
    "bool != bool": lambda L: _t(L, [True, False], "bool") != _t(L, [True, True], "bool"),
    "0-d <= 1-d": lambda L: _t(L, 1.5, "float64") <= _t(L, [1, 2], "int32"),
    "to float64": lambda L: _t(L, [1, 2], "int64").to(L.float64),
    "float() of int": lambda L: _t(L, [1, 2], "int64").float(),
    "long() of float": lambda L: _t(L, [1.7, -2.7], "float32").long(),
    "bool() of float": lambda L: _t(L, [0.0, -2.7], "float32").bool(),
}


@pytest.mark.parametrize("name", list(PROMOTION))
def test_dtype_promotion_like_torch(torch: Any, name: str) -> None:
    """PyTorch's type promotion, not numpy's: categories bool < int < float, dimensioned
    tensors over 0-d tensors over Python numbers (which are "weak"), int / int is float."""
    mine, theirs = PROMOTION[name](tg), PROMOTION[name](torch)
    assert_like_torch(mine, theirs, name)


# ============================================================================ edge cases
EDGES: dict[str, tuple[Callable[..., Any], list[Any]]] = {
    # ties: full max/min and amax split the gradient evenly, max(dim) picks one index
    "max with ties": (lambda L, x: x.max(), [[1.0, 3.0, 3.0, 2.0]]),
    "min with ties": (lambda L, x: x.min(), [[[1.0, 1.0], [1.0, 2.0]]]),
    "amax with ties, tuple dim": (lambda L, x: x.amax((0, 1)), [[[3.0, 3.0], [1.0, 3.0]]]),
    "amin with ties, one dim": (lambda L, x: x.amin(1, keepdim=True), [[[1.0, 1.0, 2.0]]]),
    "max(dim) with ties": (lambda L, x: x.max(1), [[[3.0, 3.0, 1.0], [2.0, 0.0, 2.0]]]),
    "min(dim) with ties": (lambda L, x: x.min(0), [[[1.0, 3.0], [1.0, 0.0]]]),
    "maximum tie": (lambda L, x, y: L.maximum(x, y), [[1.0, 2.0], [1.0, 3.0]]),
    "minimum tie": (lambda L, x, y: L.minimum(x, y), [[1.0, 2.0], [1.0, 3.0]]),
    "clamp at the bounds": (lambda L, x: x.clamp(0.0, 1.0), [[0.0, 0.5, 1.0, 2.0]]),
    "relu at 0": (lambda L, x: x.relu(), [[-1.0, 0.0, 1.0]]),
    "abs at 0": (lambda L, x: x.abs(), [[-1.0, 0.0, 1.0]]),
    "sqrt at 0": (lambda L, x: x.sqrt(), [[0.0, 4.0]]),
    "pow 0 ** 2": (lambda L, x: x**2, [[0.0, 2.0]]),
    "pow 0 ** 0.5": (lambda L, x: x**0.5, [[0.0, 2.0]]),
    "pow 0 ** 0": (lambda L, x: x**0, [[0.0, 2.0]]),
    "pow tensor 0 ** y": (lambda L, x, y: x**y, [[0.0, 2.0], [2.0, 3.0]]),
    # prod with one zero (gradient is the product of the others) and with two (zero)
    "prod with a zero": (lambda L, x: x.prod(), [[2.0, 0.0, 3.0]]),
    "prod with two zeros": (lambda L, x: x.prod(), [[2.0, 0.0, 0.0]]),
    "prod(dim) with zeros": (lambda L, x: x.prod(1), [[[2.0, 0.0, 3.0], [0.0, 0.0, 1.0]]]),
    # scatter_reduce: a product over one zero or several (x's or src's), ties for amax
    # and amin shared with x even when include_self=False (as torch's formula)
    "scatter_reduce prod with zeros": (
        lambda L, x, s: x.scatter_reduce(0, L.tensor([0, 1, 1, 2, 2, 3]), s, "prod"),
        [[2.0, 0.0, 3.0, 0.0], [0.0, 4.0, 0.0, 0.0, 5.0, 2.0]]),
    "scatter_reduce prod with zeros, not self": (
        lambda L, x, s: x.scatter_reduce(0, L.tensor([0, 1, 1, 2, 2, 3]), s, "prod",
                                         include_self=False),
        [[2.0, 0.0, 3.0, 0.0], [0.0, 4.0, 0.0, 0.0, 5.0, 2.0]]),
    "scatter_reduce amax with ties": (
        lambda L, x, s: x.scatter_reduce(0, L.tensor([0, 0, 1, 2]), s, "amax"),
        [[3.0, 1.0, 5.0], [3.0, 3.0, 2.0, 1.0]]),
    "scatter_reduce amin with ties, not self": (
        lambda L, x, s: x.scatter_reduce(0, L.tensor([0, 0, 1, 2]), s, "amin",
                                         include_self=False),
        [[3.0, 1.0, 5.0], [3.0, 3.0, 2.0, 1.0]]),
    # no degrees of freedom left: nan and inf, as torch
    "var of one element": (lambda L, x: x.var(), [[1.5]]),
    "std(dim) of one element": (lambda L, x: x.std(0), [[[1.5, 2.0]]]),
    "var with correction > n": (lambda L, x: x.var(correction=3), [[1.0, 2.0]]),
    # stability: large inputs neither overflow nor give nan
    "sigmoid of large values": (lambda L, x: x.sigmoid(), [[-1000.0, 0.0, 1000.0]]),
    "tanh of large values": (lambda L, x: x.tanh(), [[-1000.0, 1000.0]]),
    "softmax of large values": (lambda L, x: x.softmax(0), [[1000.0, 0.0, -1000.0]]),
    "log_softmax of large values": (lambda L, x: x.log_softmax(-1), [[1000.0, 0.0]]),
    "logsumexp of large values": (lambda L, x: x.logsumexp(0), [[1000.0, 1000.0]]),
    "logsumexp of -inf": (lambda L, x: x.logsumexp(0), [[-float("inf"), 0.0]]),
    # empty tensors
    "sum of empty": (lambda L, x: x.sum(), [np.zeros((0, 3))]),
    "sum(dim) of empty": (lambda L, x: x.sum(0), [np.zeros((0, 3))]),
    "mean(dim) of empty": (lambda L, x: x.mean(1), [np.zeros((0, 3))]),
    "prod of empty": (lambda L, x: x.prod(), [np.zeros((0,))]),
    "cat with an empty": (lambda L, x, y: L.cat([x, y]), [np.zeros((0, 2)), [[1.0, 2.0]]]),
    "empty slice": (lambda L, x: x[2:1] * 2, [[1.0, 2.0, 3.0]]),
    "matmul of empty": (lambda L, x, y: x @ y, [np.zeros((2, 0)), np.zeros((0, 3))]),
    "exp of empty": (lambda L, x: x.exp(), [np.zeros((0,))]),
    # special functions at their limits: sinc at 0, erfinv at +-1, nan_to_num's places
    "sinc at 0": (lambda L, x: x.sinc(), [[0.0, 1.0, -0.5]]),
    "erfinv at the ends": (lambda L, x: x.erfinv(), [[-1.0, 0.0, 1.0, 0.999999]]),
    "nan_to_num of nan and inf": (lambda L, x: L.nan_to_num(x, posinf=5.0),
                                  [[float("nan"), float("inf"), -float("inf"), 2.0]]),
    "atanh at 1": (lambda L, x: x.atanh(), [[1.0, -1.0, 0.5]]),
    "xlogy at 0": (lambda L, x, y: x.xlogy(y), [[0.0, 0.0, 0.0, 1.0], [0.0, -1.0, 2.0, 2.0]]),
    "copysign of zeros": (lambda L, x, y: x.copysign(y), [[0.0, -0.0, 1.0], [-1.0, 1.0, -0.0]]),
    "atan2 at the origin": (lambda L, y, x: L.atan2(y, x), [[0.0, 0.0, 1.0], [0.0, -1.0, 0.0]]),
    "hypot of large values": (lambda L, x, y: x.hypot(y), [[1e200, 3.0], [1e200, 4.0]]),
    "logaddexp of large values": (lambda L, x, y: x.logaddexp(y), [[1000.0, -1000.0],
                                                                    [1000.0, 0.0]]),
    # a gradient flowing into a reused input (diamond) and a broadcast one
    "reused input": (lambda L, x: x * x.exp() + x.sin() * x, [[0.5, -1.0]]),
    "broadcast both ways": (lambda L, x, y: (x * y) / (x + 3), [[[1.0], [2.0]], [1.0, 2.0]]),
}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", list(EDGES))
def test_edge_cases_like_torch(torch: Any, name: str, dtype: str) -> None:
    """Kinks, ties, zeros, overflow, nan/inf and empty tensors: the values and gradients
    PyTorch gives (these are what the property tests keep away from)."""
    fn, values = EDGES[name]
    arrays = [np.array(v, dtype=dtype) for v in values]
    mine_in = [tg.tensor(a, requires_grad=True) for a in arrays]
    theirs_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # var(): degrees of freedom is <= 0
        mine, theirs = _outputs(fn(tg, *mine_in)), _outputs(fn(torch, *theirs_in))
        for k, (m, t) in enumerate(zip(mine, theirs)):
            assert_like_torch(m, t, f"forward, output {k}", dtype)
        pairs = [(m, t) for m, t in zip(mine, theirs) if t.requires_grad]
        seeds = [np.ones(tuple(t.shape), dtype=dtype) for _, t in pairs]
        tg.autograd.backward([m for m, _ in pairs], [tg.tensor(s) for s in seeds])
        torch.autograd.backward([t for _, t in pairs], [torch.tensor(s) for s in seeds])
    for i, (m, t) in enumerate(zip(mine_in, theirs_in)):
        assert_like_torch(m.grad, t.grad, f"backward, input {i}", dtype)
