"""PyTorch's CPU ``topk`` order, ties included: a port of libstdc++'s selection algorithms.

``torch.topk`` on the CPU puts ``(value, index)`` pairs through ``std::partial_sort`` (when
``k * 64 <= n``) or ``std::nth_element`` followed by ``std::sort`` of the first ``k - 1``.
Neither is stable, so which of several equal values comes first depends on the exact steps of
GCC's libstdc++ (introselect, median-of-three pivots, heaps, insertion sorts). With distinct
values any sort gives the same answer; with ties only these very steps do. ``multinomial``
without replacement needs them: its zero-probability categories all tie at 0.

The functions work in place on a Python list, between positions ``first`` and ``last``, with a
strict ordering ``comp(a, b)`` ("a goes before b"), exactly as the C++ templates do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

Comp = Callable[[Any, Any], bool]

__all__ = ["nth_element", "partial_sort", "sort", "topk_indices"]

_THRESHOLD = 16  # libstdc++'s _S_threshold: below this, introsort leaves the rest to insertion


def _lg(n: int) -> int:
    """``std::__lg``: floor(log2(n))."""
    return n.bit_length() - 1


def _swap(v: list[Any], i: int, j: int) -> None:
    v[i], v[j] = v[j], v[i]


def _move_median_to_first(v: list[Any], result: int, a: int, b: int, c: int, comp: Comp) -> None:
    """Swap the median of ``v[a], v[b], v[c]`` into ``v[result]``."""
    if comp(v[a], v[b]):
        if comp(v[b], v[c]):
            _swap(v, result, b)
        elif comp(v[a], v[c]):
            _swap(v, result, c)
        else:
            _swap(v, result, a)
    elif comp(v[a], v[c]):
        _swap(v, result, a)
    elif comp(v[b], v[c]):
        _swap(v, result, c)
    else:
        _swap(v, result, b)


def _unguarded_partition(v: list[Any], first: int, last: int, pivot: int, comp: Comp) -> int:
    """Hoare partition of ``v[first:last]`` around ``v[pivot]``; returns the cut."""
    while True:
        while comp(v[first], v[pivot]):
            first += 1
        last -= 1
        while comp(v[pivot], v[last]):
            last -= 1
        if not first < last:
            return first
        _swap(v, first, last)
        first += 1


def _partition_pivot(v: list[Any], first: int, last: int, comp: Comp) -> int:
    """``std::__unguarded_partition_pivot``: median of three to the front, then partition."""
    mid = first + (last - first) // 2
    _move_median_to_first(v, first, first + 1, mid, last - 1, comp)
    return _unguarded_partition(v, first + 1, last, first, comp)


def _unguarded_linear_insert(v: list[Any], last: int, comp: Comp) -> None:
    value = v[last]
    prev = last - 1
    while comp(value, v[prev]):
        v[last] = v[prev]
        last = prev
        prev -= 1
    v[last] = value


def _insertion_sort(v: list[Any], first: int, last: int, comp: Comp) -> None:
    for i in range(first + 1, last):
        if comp(v[i], v[first]):  # smaller than everything so far: shift the block right
            value = v[i]
            v[first + 1 : i + 1] = v[first:i]
            v[first] = value
        else:
            _unguarded_linear_insert(v, i, comp)


def _push_heap(v: list[Any], first: int, hole: int, top: int, value: Any, comp: Comp) -> None:
    parent = (hole - 1) // 2
    while hole > top and comp(v[first + parent], value):
        v[first + hole] = v[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    v[first + hole] = value


def _adjust_heap(v: list[Any], first: int, hole: int, length: int, value: Any, comp: Comp) -> None:
    """Sift the hole at ``hole`` down to a leaf, then push ``value`` up from there."""
    top = hole
    child = hole
    while child < (length - 1) // 2:
        child = 2 * (child + 1)
        if comp(v[first + child], v[first + child - 1]):
            child -= 1
        v[first + hole] = v[first + child]
        hole = child
    if length % 2 == 0 and child == (length - 2) // 2:
        child = 2 * (child + 1)
        v[first + hole] = v[first + child - 1]
        hole = child - 1
    _push_heap(v, first, hole, top, value, comp)


def _make_heap(v: list[Any], first: int, last: int, comp: Comp) -> None:
    length = last - first
    if length < 2:
        return
    for parent in range((length - 2) // 2, -1, -1):
        _adjust_heap(v, first, parent, length, v[first + parent], comp)


def _pop_heap(v: list[Any], first: int, last: int, result: int, comp: Comp) -> None:
    value = v[result]
    v[result] = v[first]
    _adjust_heap(v, first, 0, last - first, value, comp)


def _heap_select(v: list[Any], first: int, middle: int, last: int, comp: Comp) -> None:
    _make_heap(v, first, middle, comp)
    for i in range(middle, last):
        if comp(v[i], v[first]):
            _pop_heap(v, first, middle, i, comp)


def _sort_heap(v: list[Any], first: int, last: int, comp: Comp) -> None:
    while last - first > 1:
        last -= 1
        _pop_heap(v, first, last, last, comp)


def partial_sort(v: list[Any], first: int, middle: int, last: int, comp: Comp) -> None:
    """``std::partial_sort``: the smallest ``middle - first`` elements, sorted, at the front."""
    _heap_select(v, first, middle, last, comp)
    _sort_heap(v, first, middle, comp)


def _introsort_loop(v: list[Any], first: int, last: int, depth: int, comp: Comp) -> None:
    while last - first > _THRESHOLD:
        if depth == 0:
            partial_sort(v, first, last, last, comp)  # heapsort
            return
        depth -= 1
        cut = _partition_pivot(v, first, last, comp)
        _introsort_loop(v, cut, last, depth, comp)
        last = cut


def sort(v: list[Any], first: int, last: int, comp: Comp) -> None:
    """``std::sort``: introsort, then one insertion sort over the nearly sorted range."""
    if first == last:
        return
    _introsort_loop(v, first, last, _lg(last - first) * 2, comp)
    if last - first > _THRESHOLD:
        _insertion_sort(v, first, first + _THRESHOLD, comp)
        for i in range(first + _THRESHOLD, last):
            _unguarded_linear_insert(v, i, comp)
    else:
        _insertion_sort(v, first, last, comp)


def nth_element(v: list[Any], first: int, nth: int, last: int, comp: Comp) -> None:
    """``std::nth_element``: introselect (partition towards ``nth``; heap select if too deep)."""
    if first == last or nth == last:
        return
    depth = _lg(last - first) * 2
    while last - first > 3:
        if depth == 0:
            _heap_select(v, first, nth + 1, last, comp)
            _swap(v, first, nth)
            return
        depth -= 1
        cut = _partition_pivot(v, first, last, comp)
        if cut <= nth:
            first = cut
        else:
            last = cut
    _insertion_sort(v, first, last, comp)


def _nan_first_greater(a: tuple[float, int], b: tuple[float, int]) -> bool:
    """torch's ``topk(largest=True)`` order: NaN first, then larger values."""
    x, y = a[0], b[0]
    return (x != x and y == y) or x > y


def _nan_last_less(a: tuple[float, int], b: tuple[float, int]) -> bool:
    """torch's ``topk(largest=False)`` order: smaller values first, NaN last."""
    x, y = a[0], b[0]
    return (x == x and y != y) or x < y


def topk_indices(values: Sequence[float], k: int, largest: bool = True) -> list[int]:
    """The indices ``torch.topk(values, k, largest=largest).indices`` gives on the CPU
    (sorted: largest first, or smallest first).

    Example:
        >>> topk_indices([0.0, 0.0, 1.0, 0.0, 0.0], 3)
        [2, 4, 0]
    """
    n = len(values)
    if k == 0:
        return []
    comp = _nan_first_greater if largest else _nan_last_less
    pairs = [(x, i) for i, x in enumerate(values)]
    if k * 64 <= n:
        partial_sort(pairs, 0, k, n, comp)
    else:
        nth_element(pairs, 0, k - 1, n, comp)
        sort(pairs, 0, k - 1, comp)
    return [i for _, i in pairs[:k]]
