"""The one shared module of Hypothesis strategies for tinygrad_edu's tests.

Everything is drawn as float64 numpy arrays (tests build tensors with ``tg.tensor(a)``
and ``torch.tensor(a)`` from the same array), with bounded values and small shapes so
that finite differences stay cheap. Shapes come from ``hypothesis.extra.numpy``:
``array_shapes`` for one tensor, ``mutually_broadcastable_shapes`` for several, so
rank changes and 0-d tensors are always in play.

Ops with kinks or poles get their inputs moved off them by a *domain*: a function from
an array to an array in the op's smooth region (``positive`` for log and sqrt,
``away_from_zero`` for relu, abs and division, ``distinct`` for max/min, ``lattice`` for
maximum/minimum). A domain never rejects an example, so no draw is wasted.

>>> from hypothesis import given
>>> @given(arrays_and_shapes())
... def test_something(a): ...
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

Domain = Callable[[np.ndarray], np.ndarray]

BOUND = 2.0  # |values| <= BOUND before a domain moves them: exp, pow, prod stay tame
MAX_DIMS = 3
MAX_SIDE = 3  # up to 27 elements: finite differences cost one forward per element


# ---------------------------------------------------------------------------- values
def floats(lo: float = -BOUND, hi: float = BOUND) -> st.SearchStrategy[float]:
    """Finite float64 numbers in [lo, hi], no subnormals."""
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, allow_subnormal=False,
                     width=64)


def arrays(shape: Any, lo: float = -BOUND, hi: float = BOUND,
           domain: Domain | None = None) -> st.SearchStrategy[np.ndarray]:
    """A float64 array of ``shape`` (a tuple or a strategy) with values in [lo, hi],
    then moved into ``domain``."""
    strategy = hnp.arrays(np.float64, shape, elements=floats(lo, hi))
    return strategy if domain is None else strategy.map(domain)


def bool_arrays(shape: Any) -> st.SearchStrategy[np.ndarray]:
    """A boolean array of ``shape`` (masks, ``where`` conditions)."""
    return hnp.arrays(np.bool_, shape)


# ---------------------------------------------------------------------------- shapes
def shapes(min_dims: int = 0, max_dims: int = MAX_DIMS, min_side: int = 1,
           max_side: int = MAX_SIDE) -> st.SearchStrategy[tuple[int, ...]]:
    """One tensor's shape; 0-d included by default."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def broadcast_shapes(num_shapes: int = 2, min_dims: int = 0, max_dims: int = MAX_DIMS,
                     max_side: int = MAX_SIDE) -> st.SearchStrategy[tuple[tuple[int, ...], ...]]:
    """Shapes that broadcast together, of different ranks (0-d included)."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims, min_side=1,
        max_side=max_side,
    ).map(lambda s: s.input_shapes)


def arrays_and_shapes(min_dims: int = 0, max_dims: int = MAX_DIMS,
                      domain: Domain | None = None) -> st.SearchStrategy[np.ndarray]:
    """One float64 array of a drawn shape."""
    return shapes(min_dims, max_dims).flatmap(lambda s: arrays(s, domain=domain))


# ---------------------------------------------------------------------------- dims
def dim(ndim: int) -> st.SearchStrategy[int]:
    """A valid ``dim`` argument, negative ones included (0-d tensors accept 0 and -1)."""
    n = max(ndim, 1)
    return st.integers(-n, n - 1)


def dims(ndim: int, allow_none: bool = True) -> st.SearchStrategy[Any]:
    """``None``, one dim, or a tuple of distinct dims (possibly empty) for reductions."""
    one = dim(ndim)
    several = st.lists(st.integers(0, ndim - 1), unique=True, max_size=ndim).flatmap(
        lambda ds: st.tuples(*[st.sampled_from([d, d - ndim]) for d in ds])
    ) if ndim else st.just((0,))
    options = [one, several]
    if allow_none:
        options.insert(0, st.none())
    return st.one_of(*options)


keepdim = st.booleans()


def axes_of(d: Any, ndim: int) -> tuple[int, ...]:
    """The non-negative axes that ``d`` (None, an int or a tuple) reduces over."""
    if ndim == 0:
        return ()
    if d is None or d == ():
        return tuple(range(ndim))
    items = d if isinstance(d, tuple) else (d,)
    return tuple(sorted(i % ndim for i in items))


# ---------------------------------------------------------------------------- domains
def positive(x: np.ndarray) -> np.ndarray:
    """|x| + 0.1: log, sqrt, the base of a fractional power."""
    return np.abs(x) + 0.1


def above_minus_one(x: np.ndarray) -> np.ndarray:
    """|x| - 0.8 >= -0.8: log1p's domain, down to near its pole."""
    return np.abs(x) - 0.8


def away_from(points: Sequence[float], margin: float = 0.1) -> Domain:
    """Push every value at least ``margin`` away from each of ``points`` (kinks and poles),
    keeping the side it was on. The points must be more than ``2 * margin`` apart."""

    def domain(x: np.ndarray) -> np.ndarray:
        x = np.array(x, dtype=np.float64)
        for p in points:
            close = np.abs(x - p) < margin
            side = np.where(x >= p, 1.0, -1.0)
            x = np.where(close, p + side * margin, x)
        return x

    return domain


away_from_zero = away_from([0.0], 0.1)
away_from_zero_far = away_from([0.0], 0.5)  # a denominator: keeps 1/y^2 small


def distinct(x: np.ndarray) -> np.ndarray:
    """Values at least 0.3 apart, in the order of ``x``: no ties for max/min/sort."""
    x = np.asarray(x, dtype=np.float64)
    rank = np.argsort(np.argsort(x.reshape(-1), kind="stable"), kind="stable").reshape(x.shape)
    return (rank - x.size / 2) * 0.5 + 0.1 * np.tanh(x)


def distinct_abs(x: np.ndarray) -> np.ndarray:
    """Nonzero values whose absolute values are at least 0.3 apart (inf-norm)."""
    d = distinct(x)
    d = d - d.min() + 0.3
    return np.where(np.sign(np.sin(7 * x)) < 0, -d, d)


def lattice(offset: float, spread: float = 0.4) -> Domain:
    """Values within ``spread / 2`` of ``k + offset`` for integers k. Two arrays drawn with
    offsets 0 and 0.5 are never within 0.1 of each other: maximum/minimum stay off their
    kink (three with offsets 0, 1/3, 2/3 and spread 0.1: clamp with tensor bounds)."""

    def domain(x: np.ndarray) -> np.ndarray:
        r = np.round(x)
        return r + offset + (x - r) * spread

    return domain


# ---------------------------------------------------------------------------- helpers
def reshapes(shape: tuple[int, ...]) -> st.SearchStrategy[tuple[int, ...]]:
    """A target shape with the same number of elements (maybe with one -1)."""
    n = int(np.prod(shape))
    divisors = [d for d in range(1, n + 1) if n % d == 0]

    def build(parts: list[int], infer: int | None) -> tuple[int, ...]:
        out: list[int] = []
        rest = n
        for p in parts:
            if rest % p == 0:
                out.append(p)
                rest //= p
        out.append(rest)
        if infer is not None:
            out[infer % len(out)] = -1
        return tuple(out)

    return st.builds(build, st.lists(st.sampled_from(divisors), max_size=3),
                     st.none() | st.integers(0, 3))


def expand_source(target: tuple[int, ...]) -> st.SearchStrategy[tuple[int, ...]]:
    """A shape that ``expand`` can broadcast to ``target``: fewer dims, some of size 1."""
    return st.integers(0, len(target)).flatmap(
        lambda k: st.tuples(*[st.sampled_from([1, n]) for n in target[len(target) - k:]])
    )


# ---------------------------------------------------------------------------- indices
@dataclass(frozen=True)
class IndexTensor:
    """A tensor inside a drawn index: ``build_index`` makes it with each library."""

    array: np.ndarray


def build_index(index: Any, lib: Any) -> Any:
    """A drawn index for ``lib`` (tinygrad_edu or torch), its ``IndexTensor``s made
    tensors of that library (same dtype, same values)."""
    if isinstance(index, IndexTensor):
        return lib.tensor(index.array)
    if isinstance(index, tuple):
        return tuple(build_index(item, lib) for item in index)
    if isinstance(index, list):
        return [build_index(item, lib) for item in index]
    return index


_NAMING = {"int": 1, "scalar": 1, "slice": 1, "list": 1, "int64": 1, "int32": 1,
           "mask": None, "uint8": None, "none": 0, "bool": 0}


@st.composite
def torch_indices(draw: Any, shape: tuple[int, ...], errors: bool = True) -> Any:
    """An index for a tensor of ``shape`` that mixes every kind of item PyTorch takes:
    ints (negative too), slices (steps, negative and out-of-range bounds), None, one
    Ellipsis, lists and numpy arrays, int64/int32 tensors (0-d too), bool masks (tensors,
    lists, numpy arrays) and uint8 masks over the dims they stand at (one mask at most),
    Python bools; as a tuple, a lone item or a list read as a tuple. The index arrays
    broadcast together (with a mask: arrays of its count of True, or of 1).
    ``errors``: one time in eight, one defect PyTorch raises for (an index out of range,
    a mask of the wrong shape, one index too many, a float, a negative step)."""
    kinds = _index_kinds(draw, len(shape))
    dims = _index_dims(kinds, len(shape))
    mask = next((draw(bool_arrays(shape[d:d + k])) for kind, d, k in dims
                 if kind in ("mask", "uint8")), None)
    batch = (int(mask.sum()),) if mask is not None else draw(shapes(1, 2, max_side=3))
    items = [_index_item(draw, kind, d, k, shape, mask, batch) for kind, d, k in dims]
    if errors and draw(st.integers(0, 7)) == 7:  # (not 0: Hypothesis favours 0)
        items = _index_defect(draw, items, shape)
    if len(items) == 1 and draw(st.booleans()):
        return items[0]
    as_tuple = any(item is None or item is Ellipsis or isinstance(item, (slice, list, IndexTensor))
                   for item in items)  # (a list of such items reads as a tuple: same index)
    return list(items) if as_tuple and draw(st.integers(0, 3)) == 3 else tuple(items)


def _index_kinds(draw: Any, ndim: int) -> list[Any]:
    """Item kinds (and the dims each names) whose named dims fit in ``ndim``."""
    kinds: list[Any] = []
    left = ndim
    for _ in range(draw(st.integers(0, ndim + 2))):
        masked = any(kind in ("mask", "uint8") for kind, _ in kinds)  # (one mask at most)
        named = [k for k, n in _NAMING.items()
                 if (n is None and not masked) or (n is not None and n <= left)]
        kind = draw(st.sampled_from(named if left else ["none", "bool"]))
        k = _NAMING[kind]
        if k is None:
            k = draw(st.integers(1, min(2, left))) if left else 0
            if not k:
                continue
        kinds.append((kind, k))
        left -= k
    if draw(st.booleans()):
        kinds.insert(draw(st.integers(0, len(kinds))), ("ellipsis", left))
    return kinds


def _index_dims(kinds: list[Any], ndim: int) -> list[tuple[str, int, int]]:
    """Each item with the first dim it stands at: counted from the front before an
    Ellipsis, from the back after it (as PyTorch places them)."""
    at = next((i for i, (kind, _) in enumerate(kinds) if kind == "ellipsis"), len(kinds))
    after = sum(k for _, k in kinds[at + 1:])  # the dims named after the Ellipsis
    out, dim = [], 0
    for kind, k in kinds:
        if kind == "ellipsis":
            dim = ndim - after
        out.append((kind, dim, k))
        dim += k
    return out


def _index_item(draw: Any, kind: str, d: int, k: int, shape: tuple[int, ...],
                mask: np.ndarray | None, batch: tuple[int, ...]) -> Any:
    """The item of ``kind`` at dim ``d`` (``k`` dims for a mask); index arrays take a
    shape that broadcasts to ``batch``."""
    n = shape[d] if d < len(shape) else 1
    ints = st.integers(-n, n - 1) if n else st.just(0)  # (a size-0 dim: out of range)
    if kind == "ellipsis":
        return Ellipsis
    if kind == "none":
        return None
    if kind == "bool":
        return draw(st.booleans())
    if kind == "int":
        return draw(ints)
    if kind == "scalar":
        return IndexTensor(np.array(draw(ints), dtype=draw(st.sampled_from(["int64", "int32"]))))
    if kind == "slice":
        bound = st.none() | st.integers(-n - 1, n + 1)
        return slice(draw(bound), draw(bound), draw(st.none() | st.integers(1, 3)))
    if kind in ("mask", "uint8"):
        assert mask is not None
        if kind == "uint8":
            return IndexTensor(mask.astype(np.uint8))
        # (a list or numpy mask counts as one dim where PyTorch places an Ellipsis, a
        # tensor as all of its dims: past the last dim PyTorch's answers are accidents)
        form = draw(st.sampled_from(["tensor", "tensor", "list", "numpy"] if k == 1 else
                                    ["tensor"]))
        return {"tensor": IndexTensor(mask), "list": mask.tolist(), "numpy": mask}[form]
    sub = batch[draw(st.integers(0, len(batch) - 1)):]
    arr_shape = tuple(b if draw(st.booleans()) else 1 for b in sub)
    array = draw(hnp.arrays(np.int64, arr_shape, elements=ints))
    if kind == "list":
        return array.tolist() if draw(st.integers(0, 3)) else array  # (or a numpy array)
    return IndexTensor(array.astype(np.int32) if kind == "int32" else array)


def _index_defect(draw: Any, items: list[Any], shape: tuple[int, ...]) -> list[Any]:
    """One thing PyTorch raises for, in place of an item or added."""
    defect = draw(st.sampled_from(["range", "extra", "float", "step", "mask", "tensor"]))
    at = draw(st.integers(0, len(items)))
    n = shape[0] if shape else 1
    bad: Any = {"range": n + draw(st.integers(0, 2)), "extra": 0, "float": 1.5,
                "step": slice(None, None, -1), "mask": IndexTensor(np.ones(n + 1, bool)),
                "tensor": IndexTensor(np.array([0.0]))}[defect]
    if defect == "extra":
        return items + [0] * (len(shape) + 1)
    return items[:at] + [bad] + items[at + 1:]
