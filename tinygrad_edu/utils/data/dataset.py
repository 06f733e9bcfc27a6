"""Datasets, as ``torch.utils.data.dataset``: a *map-style* ``Dataset`` has
``__getitem__(i)`` and ``__len__``; an ``IterableDataset`` is iterated. ``random_split``
draws PyTorch's permutation.
"""

from __future__ import annotations

import bisect
import itertools
import math
import warnings
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Generic, TypeVar

from ... import random as _random
from ...tensor import Tensor

__all__ = [
    "Dataset",
    "TensorDataset",
    "Subset",
    "ConcatDataset",
    "IterableDataset",
    "ChainDataset",
    "StackDataset",
    "random_split",
]

T_co = TypeVar("T_co", covariant=True)


# ------------------------------------------------------------------------------ datasets


class Dataset(Generic[T_co]):
    """Base class of map-style datasets: implement ``__getitem__(index)`` and
    ``__len__``.

    >>> class Squares(Dataset):
    ...     def __len__(self): return 10
    ...     def __getitem__(self, i): return tg.tensor([float(i)]), tg.tensor([float(i * i)])
    """

    def __getitem__(self, index: int) -> T_co:
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other: Dataset[Any]) -> ConcatDataset:
        return ConcatDataset([self, other])


class TensorDataset(Dataset[tuple[Tensor, ...]]):
    """Samples are rows of the given tensors: ``dataset[i] == (t[i] for t in tensors)``.
    All tensors must have the same size in dim 0.

    >>> ds = TensorDataset(tg.zeros(100, 3), tg.zeros(100))
    >>> len(ds), ds[0][0].shape
    (100, tinygrad_edu.Size([3]))
    """

    tensors: tuple[Tensor, ...]

    def __init__(self, *tensors: Tensor) -> None:
        if any(_size0(tensors[0]) != _size0(t) for t in tensors):
            raise AssertionError("Size mismatch between tensors")
        self.tensors = tensors

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return _size0(self.tensors[0])


def _size0(t: Tensor) -> int:
    """``t.size(0)``, with PyTorch's error for a 0-d tensor (which has no dim 0)."""
    if isinstance(t, Tensor) and t.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    return t.size(0)


class Subset(Dataset[T_co]):
    """The samples of ``dataset`` at ``indices`` (what ``random_split`` returns).

    A subclass that overrides ``__getitem__`` must also override ``__getitems__`` (the
    DataLoader fetches a batch through it), as in PyTorch: else NotImplementedError.

    >>> Subset(TensorDataset(tg.arange(10)), [0, 2, 4])[1]
    (tensor(2),)
    """

    dataset: Dataset[T_co]
    indices: Sequence[int]

    def __init__(self, dataset: Dataset[T_co], indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices
        if (
            type(self).__getitem__ is not Subset.__getitem__
            and type(self).__getitems__ is Subset.__getitems__
        ):
            raise NotImplementedError(
                f"{type(self).__name__} overrides __getitem__ but not __getitems__. "
                "When subclassing Subset and overriding __getitem__, you must also override "
                "__getitems__ to ensure DataLoader works correctly with your custom logic. "
                "A simple implementation:\n\n"
                "def __getitems__(self, indices):\n"
                "    return [self.__getitem__(idx) for idx in indices]"
            )

    def __getitem__(self, idx: Any) -> Any:
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]  # type: ignore[index]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices: list[int]) -> list[T_co]:
        """The samples at ``indices`` (one batch), through the wrapped dataset's own
        ``__getitems__`` when it has one."""
        getitems = getattr(self.dataset, "__getitems__", None)
        if callable(getitems):
            return getitems([self.indices[idx] for idx in indices])  # type: ignore[no-any-return]
        return [self.dataset[self.indices[idx]] for idx in indices]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset[T_co]):
    """Several datasets one after the other.

    >>> len(ConcatDataset([TensorDataset(tg.zeros(3)), TensorDataset(tg.zeros(4))]))
    7
    """

    datasets: list[Dataset[T_co]]
    cumulative_sizes: list[int]

    def __init__(self, datasets: Iterable[Dataset[Any]]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise AssertionError("datasets should not be an empty iterable")
        self.cumulative_sizes = list(
            itertools.accumulate(len(d) for d in self.datasets)  # type: ignore[arg-type]
        )

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx: int) -> Any:
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx = len(self) + idx
        # the first dataset whose cumulative size is past idx; idx itself is passed on
        # unchanged to the first dataset (PyTorch's lookup, so a bool index stays a bool)
        which = bisect.bisect_right(self.cumulative_sizes, idx)
        if which == len(self.datasets):
            raise IndexError(
                f"list index out of range. Hint: index {idx} is past the end of a "
                f"ConcatDataset of length {len(self)}"
            )
        sample_idx = idx if which == 0 else idx - self.cumulative_sizes[which - 1]
        return self.datasets[which][sample_idx]


class IterableDataset(Dataset[T_co], Iterable[T_co]):
    """Base class of iterable-style datasets: implement ``__iter__`` (a stream of samples,
    e.g. lines read from a file); there is no indexing, so a DataLoader over it takes the
    samples in the stream's order, batch after batch, with no sampler and no shuffle.
    ``__len__`` is optional (``len(loader)`` needs it).

    >>> class Count(IterableDataset):
    ...     def __iter__(self): return iter(range(5))
    >>> [b.tolist() for b in DataLoader(Count(), batch_size=2)]
    [[0, 1], [2, 3], [4]]
    """

    def __add__(self, other: Dataset[Any]) -> ChainDataset:  # type: ignore[override]
        return ChainDataset([self, other])


class ChainDataset(IterableDataset[T_co]):
    """Several iterable datasets one after the other, chained lazily.

    >>> class Count(IterableDataset):
    ...     def __init__(self, n): self.n = n
    ...     def __iter__(self): return iter(range(self.n))
    >>> list(ChainDataset([Count(2), Count(3)]))
    [0, 1, 0, 1, 2]
    """

    def __init__(self, datasets: Iterable[Dataset[Any]]) -> None:
        self.datasets = datasets

    def __iter__(self) -> Iterator[T_co]:
        for d in self.datasets:
            _check_chained(d)
            yield from d  # type: ignore[misc]

    def __len__(self) -> int:
        total = 0
        for d in self.datasets:
            _check_chained(d)
            total += len(d)  # type: ignore[arg-type]
        return total


def _check_chained(dataset: Any) -> None:
    if not isinstance(dataset, IterableDataset):
        raise AssertionError("ChainDataset only supports IterableDataset")


class StackDataset(Dataset[T_co]):
    """Several datasets of the same length side by side: sample i is the tuple of their
    samples i (``StackDataset(a, b)``) or a dict of them (``StackDataset(x=a, y=b)``).

    >>> s = StackDataset(x=TensorDataset(tg.zeros(3)), y=TensorDataset(tg.ones(3)))
    >>> len(s), sorted(s[0])
    (3, ['x', 'y'])
    """

    datasets: tuple[Any, ...] | dict[str, Any]

    def __init__(self, *args: Dataset[T_co], **kwargs: Dataset[T_co]) -> None:
        if args and kwargs:
            raise ValueError(
                "Supported either ``tuple``- (via ``args``) or"
                "``dict``- (via ``kwargs``) like input/output, but both types are given."
            )
        if not args and not kwargs:
            raise ValueError("At least one dataset should be passed")
        parts = list(args or kwargs.values())
        self._length = len(parts[0])  # type: ignore[arg-type]
        if any(self._length != len(dataset) for dataset in parts):  # type: ignore[arg-type]
            raise ValueError("Size mismatch between datasets")
        self.datasets = args or kwargs

    def __getitem__(self, index: Any) -> Any:
        if isinstance(self.datasets, dict):
            return {k: dataset[index] for k, dataset in self.datasets.items()}
        return tuple(dataset[index] for dataset in self.datasets)

    def __getitems__(self, indices: list[int]) -> list[Any]:
        """A batch of samples, each part fetched by its own ``__getitems__`` if it has one."""
        named = isinstance(self.datasets, dict)
        parts = self.datasets.items() if named else enumerate(self.datasets)  # type: ignore[union-attr]
        columns = {}
        for key, dataset in parts:
            getitems = getattr(dataset, "__getitems__", None)
            if callable(getitems):
                items = getitems(indices)
                if len(items) != len(indices):
                    raise ValueError(
                        "Nested dataset's output size mismatch."
                        f" Expected {len(indices)}, got {len(items)}"
                    )
            else:
                items = [dataset[i] for i in indices]
            columns[key] = items
        rows = range(len(indices))
        if named:
            return [{k: items[r] for k, items in columns.items()} for r in rows]
        return [tuple(items[r] for items in columns.values()) for r in rows]

    def __len__(self) -> int:
        return self._length


def random_split(
    dataset: Dataset[T_co], lengths: Sequence[float], generator: _random.Generator | None = None
) -> list[Subset[T_co]]:
    """Split ``dataset`` at random into non-overlapping subsets of the given lengths
    (or fractions summing to 1), as ``torch.utils.data.random_split``: the same
    generator state gives PyTorch's split.

    >>> train, test = random_split(TensorDataset(tg.arange(10)), [0.8, 0.2])
    >>> len(train), len(test)
    (8, 2)
    """
    n = len(dataset)  # type: ignore[arg-type]
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        lengths = _fraction_lengths(lengths, n)
    if sum(lengths) != n:
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    indices = _random.randperm(sum(lengths), generator=generator).tolist()  # type: ignore[arg-type]
    return [
        Subset(dataset, indices[end - length : end])
        for end, length in zip(itertools.accumulate(lengths), lengths)
    ]  # type: ignore


def _fraction_lengths(fractions: Sequence[float], n: int) -> list[int]:
    lengths = []
    for i, frac in enumerate(fractions):
        if frac < 0 or frac > 1:
            raise ValueError(f"Fraction at index {i} is not between 0 and 1")
        lengths.append(math.floor(n * frac))
    for i in range(n - sum(lengths)):  # hand out the remainder round-robin
        lengths[i % len(lengths)] += 1
    for i, length in enumerate(lengths):
        if length == 0:
            warnings.warn(
                f"Length of split at index {i} is 0. This might result in an empty dataset.",
                stacklevel=3,
            )
    return lengths
