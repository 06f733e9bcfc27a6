"""Datasets and the DataLoader, as ``torch.utils.data``.

A *map-style* ``Dataset`` has ``__getitem__(i)`` and ``__len__``. A ``DataLoader``
draws indices from a *sampler* (in order, or a random permutation), groups them into
batches, fetches the samples and *collates* them: a batch of ``(x, y)`` samples becomes
``[X, Y]`` with a new leading batch dimension.

Shuffling uses PyTorch's random stream and draws from it exactly as PyTorch does, so
with the same seed (or ``generator``) the batches come in the same order.
"""

from __future__ import annotations

import bisect
import collections.abc
import copy
import itertools
import math
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Generic, TypeVar

import numpy as np

from .. import dtypes
from .. import random as _random
from ..creation import as_tensor, tensor
from ..functional import stack
from ..tensor import Tensor, _wrap

__all__ = [
    "Dataset",
    "TensorDataset",
    "Subset",
    "ConcatDataset",
    "IterableDataset",
    "ChainDataset",
    "StackDataset",
    "Sampler",
    "SequentialSampler",
    "RandomSampler",
    "SubsetRandomSampler",
    "WeightedRandomSampler",
    "BatchSampler",
    "DataLoader",
    "random_split",
    "default_collate",
    "default_convert",
    "get_worker_info",
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


# ------------------------------------------------------------------------------ samplers


class Sampler(Generic[T_co]):
    """Base class: an iterable over dataset indices (or batches of indices)."""

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError


class SequentialSampler(Sampler[int]):
    """Indices 0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source: Any) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler[int]):
    """A random permutation of the indices each epoch (``torch.randperm``), or
    ``num_samples`` draws with ``replacement``.

    Without a ``generator``, each epoch seeds a fresh one from the global stream, as
    PyTorch does (one 64-bit draw), so the global stream advances identically.
    """

    def __init__(
        self,
        data_source: Any,
        replacement: bool = False,
        num_samples: int | None = None,
        generator: _random.Generator | None = None,
    ) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError(
                f"replacement should be a boolean value, but got replacement={self.replacement}"
            )
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(
                "num_samples should be a positive integer value, but got "
                f"num_samples={self.num_samples}"
            )

    @property
    def num_samples(self) -> int:
        """How many indices one epoch yields (the dataset size by default)."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        n = len(self.data_source)
        generator = self.generator
        if generator is None:
            generator = _random.Generator()
            generator.manual_seed(_random.random_int64())
        if self.replacement:
            for _ in range(self.num_samples // 32):
                yield from _random.randint(0, n, (32,), generator=generator).tolist()
            yield from _random.randint(0, n, (self.num_samples % 32,), generator=generator).tolist()
            return
        for _ in range(self.num_samples // n):
            yield from _random.randperm(n, generator=generator).tolist()
        yield from _random.randperm(n, generator=generator).tolist()[: self.num_samples % n]

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler[int]):
    """The given indices, in a random order each epoch."""

    def __init__(self, indices: Sequence[int], generator: _random.Generator | None = None) -> None:
        self.indices = indices
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        for i in _random.randperm(len(self.indices), generator=self.generator).tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler[int]):
    """``num_samples`` indices of ``weights`` (not necessarily summing to 1), each epoch one
    ``multinomial`` call on them as float64: PyTorch's indices for the same stream."""

    def __init__(
        self,
        weights: Sequence[float],
        num_samples: int,
        replacement: bool = True,
        generator: _random.Generator | None = None,
    ) -> None:
        if isinstance(num_samples, bool) or not isinstance(num_samples, int) or num_samples <= 0:
            raise ValueError(
                f"num_samples should be a positive integer value, but got num_samples={num_samples}"
            )
        if not isinstance(replacement, bool):
            raise ValueError(
                f"replacement should be a boolean value, but got replacement={replacement}"
            )
        data = weights._data if isinstance(weights, Tensor) else weights
        weights_array = np.asarray(data, dtype=np.float64)
        if weights_array.ndim != 1:
            raise ValueError(
                "weights should be a 1d sequence but given weights have shape "
                f"{tuple(weights_array.shape)}"
            )
        self.weights = _wrap(weights_array)
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        samples = _random.multinomial(
            self.weights._data, self.num_samples, self.replacement, self.generator
        )
        yield from samples.tolist()

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler[list[int]]):
    """Groups the indices of ``sampler`` into lists of ``batch_size`` (the last one
    shorter, or dropped with ``drop_last``)."""

    def __init__(self, sampler: Iterable[int], batch_size: int, drop_last: bool) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError(
                f"batch_size should be a positive integer value, but got batch_size={batch_size}"
            )
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:
        it = iter(self.sampler)
        while batch := list(itertools.islice(it, self.batch_size)):
            if self.drop_last and len(batch) < self.batch_size:
                return
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)


# ------------------------------------------------------------------------------ collate


_STRINGS = re.compile("[SaUO]")  # numpy dtypes of strings and objects: not collated


def default_convert(data: Any) -> Any:
    """What a DataLoader with ``batch_size=None`` does to each sample, as PyTorch's
    ``default_convert``: numpy arrays and scalars become Tensors (sharing memory), tuples
    become lists, other containers are converted element by element.

    >>> default_convert((np.zeros(2), 3))
    [tensor([0., 0.], dtype=tinygrad_edu.float64), 3]
    """
    kind = type(data)
    if isinstance(data, Tensor):
        return data
    if kind.__module__ == "numpy" and kind.__name__ not in ("str_", "string_"):
        if isinstance(data, np.ndarray) and _STRINGS.search(data.dtype.str) is not None:
            return data
        return as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        converted = {key: default_convert(data[key]) for key in data}
        if isinstance(data, collections.abc.MutableMapping):
            clone = copy.copy(data)
            clone.update(converted)
            return clone
        return _rebuilt(kind, converted)
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # namedtuple
        return kind(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        items = [default_convert(d) for d in data]
        if isinstance(data, collections.abc.MutableSequence):
            return _filled_copy(data, items)
        return _rebuilt(kind, items)
    return data


def default_collate(batch: Sequence[Any]) -> Any:
    """Merge a list of samples into a batch, as PyTorch's ``default_collate``:
    Tensors and numpy arrays are stacked along a new dim 0; Python floats become a
    float64 tensor, ints (and bools) ``tg.tensor(batch)``; tuples of fields become a *list*
    of batched fields; dicts and namedtuples are collated per key/field; strings stay a
    list.

    >>> default_collate([(tg.tensor([1.0]), 0), (tg.tensor([2.0]), 1)])
    [tensor([[1.],
            [2.]]), tensor([0, 1])]
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        return stack(list(batch), 0)
    if isinstance(elem, np.ndarray):
        if _STRINGS.search(elem.dtype.str) is not None:
            raise TypeError(_COLLATE_ERROR.format(elem.dtype))
        return default_collate([as_tensor(b) for b in batch])
    if isinstance(elem, (np.bool_, np.number, np.object_)):
        return as_tensor(batch)
    if isinstance(elem, float):
        return tensor(batch, dtype=dtypes.float64)
    if isinstance(elem, int):  # bools too: tg.tensor([True, 2]) is an int64 tensor
        return tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    return _collate_container(elem, batch)


_COLLATE_ERROR = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
    "found {}"
)


def _collate_container(elem: Any, batch: Sequence[Any]) -> Any:
    """Collate a batch of dicts, namedtuples or sequences field by field, keeping the
    container's type where PyTorch keeps it (a tuple becomes a list, as in PyTorch)."""
    if isinstance(elem, collections.abc.Mapping):
        out = {key: default_collate([d[key] for d in batch]) for key in elem}
        if isinstance(elem, collections.abc.MutableMapping):
            clone = copy.copy(elem)
            clone.update(out)
            return clone
        return _rebuilt(type(elem), out)
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(s) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        fields = [default_collate(samples) for samples in zip(*batch)]
        if isinstance(elem, tuple):
            return fields
        if isinstance(elem, collections.abc.MutableSequence):
            return _filled_copy(elem, fields)
        return _rebuilt(type(elem), fields)
    raise TypeError(_COLLATE_ERROR.format(type(elem)))


def _filled_copy(sequence: collections.abc.MutableSequence[Any], items: list[Any]) -> Any:
    """A shallow copy of ``sequence`` (same type) holding ``items``."""
    clone = copy.copy(sequence)
    for i, item in enumerate(items):
        clone[i] = item
    return clone


def _rebuilt(kind: type, content: Any) -> Any:
    """``kind(content)``, or ``content`` itself when ``kind`` cannot be built from it."""
    try:
        return kind(content)
    except TypeError:
        return content


# ------------------------------------------------------------------------------ loader


class DataLoader(Generic[T_co]):
    """Iterate over ``dataset`` in batches.

    ``DataLoader(dataset, batch_size=1, shuffle=False, sampler=None, batch_sampler=None,
    num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
    worker_init_fn=None, multiprocessing_context=None, generator=None, *,
    prefetch_factor=None, persistent_workers=False, pin_memory_device='', in_order=True)``.
    Each epoch (each ``iter(loader)``) yields ``ceil(len(dataset) / batch_size)`` batches
    (``floor`` with ``drop_last``), every sample exactly once. ``shuffle=True`` draws a
    new permutation per epoch from ``generator`` (or the global stream), exactly as
    PyTorch does. Loading always happens in this process (``num_workers`` and the worker
    options are checked as PyTorch checks them, then ignored; results are the same).

    >>> X, y = tg.randn(100, 3), tg.randint(0, 2, (100,))
    >>> loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True)
    >>> [len(yb) for xb, yb in loader]
    [32, 32, 32, 4]
    """

    # set once in __init__, as in PyTorch (changing them would desynchronise the samplers)
    _FROZEN = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
               "persistent_workers")
    _initialized = False

    def __init__(
        self,
        dataset: Dataset[T_co],
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Any = None,
        batch_sampler: Any = None,
        num_workers: int = 0,
        collate_fn: Callable[[Any], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: Any = None,
        generator: _random.Generator | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        prefetch_factor = self._check_workers(
            num_workers, timeout, prefetch_factor, persistent_workers
        )
        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order
        self.generator = generator
        if isinstance(dataset, IterableDataset):
            _check_iterable_options(shuffle, sampler, batch_sampler)
            sampler = _InfiniteConstantSampler()
        batch_size, drop_last, sampler, batch_sampler = self._samplers(
            dataset, batch_size, bool(shuffle), sampler, batch_sampler, drop_last, generator
        )
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.persistent_workers = persistent_workers
        self.collate_fn: Callable[[Any], Any] = (
            collate_fn
            if collate_fn is not None
            else (default_collate if self._auto_collation else default_convert)
        )
        self._initialized = True

    @staticmethod
    def _check_workers(
        num_workers: int, timeout: float, prefetch_factor: int | None, persistent_workers: bool
    ) -> int | None:
        """PyTorch's checks of the worker options; the prefetch_factor it keeps."""
        if num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; use num_workers=0 to "
                "disable multiprocessing."
            )
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in multiprocessing."
                "let num_workers > 0 to enable multiprocessing, otherwise set "
                "prefetch_factor to None."
            )
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        return prefetch_factor

    @staticmethod
    def _samplers(
        dataset: Any,
        batch_size: int | None,
        shuffle: bool,
        sampler: Any,
        batch_sampler: Any,
        drop_last: bool,
        generator: Any,
    ) -> tuple[Any, ...]:
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, "
                    "shuffle, sampler, and drop_last"
                )
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError(
                "batch_size=None option disables auto-batching and is mutually "
                "exclusive with drop_last"
            )
        if sampler is None:
            sampler = (
                RandomSampler(dataset, generator=generator)
                if shuffle
                else SequentialSampler(dataset)
            )
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        return batch_size, drop_last, sampler, batch_sampler

    def __setattr__(self, name: str, value: Any) -> None:
        if self._initialized and name in self._FROZEN:
            raise ValueError(
                f"{name} attribute should not be set after {type(self).__name__} is initialized"
            )
        super().__setattr__(name, value)

    @property
    def _auto_collation(self) -> bool:
        """Whether samples are fetched by batches of indices and collated."""
        return self.batch_sampler is not None

    @property
    def _index_sampler(self) -> Any:
        """What an epoch iterates: the batch sampler, or the sampler without batching."""
        return self.batch_sampler if self._auto_collation else self.sampler

    def __iter__(self) -> Iterator[Any]:
        """One epoch. Like PyTorch, starting an epoch draws one 64-bit number (the
        workers' base seed) from ``generator`` or the global stream."""
        indices = iter(self._index_sampler)
        _random.random_int64(self.generator)
        if isinstance(self.dataset, IterableDataset):
            return self._streamed_batches()
        return self._batches(indices)

    def _streamed_batches(self) -> Iterator[Any]:
        """An IterableDataset's epoch: its samples in stream order, ``batch_size`` at a
        time (the last batch shorter, or dropped with ``drop_last``), or one by one."""
        stream, collate_fn = iter(self.dataset), self.collate_fn
        if self.batch_size is None:
            for sample in stream:
                yield collate_fn(sample)
            return
        while True:
            samples = list(itertools.islice(stream, self.batch_size))
            if not samples or (self.drop_last and len(samples) < self.batch_size):
                return
            yield collate_fn(samples)

    def _batches(self, indices: Iterator[Any]) -> Iterator[Any]:
        dataset, collate_fn = self.dataset, self.collate_fn
        if not self._auto_collation:
            for index in indices:
                yield collate_fn(dataset[index])
            return
        gather = collate_fn is default_collate
        for index in indices:
            batch = _gathered_batch(dataset, index) if gather else None
            if batch is None:
                getitems = getattr(dataset, "__getitems__", None)
                samples = getitems(index) if getitems else [dataset[i] for i in index]
                batch = collate_fn(samples)
            yield batch

    def __len__(self) -> int:
        """Batches per epoch; over an IterableDataset, computed from its ``len()``
        (a TypeError if it has none)."""
        if isinstance(self.dataset, IterableDataset):
            length = len(self.dataset)  # type: ignore[arg-type]
            if self.batch_size is None:
                return length
            if self.drop_last:
                return length // self.batch_size
            return math.ceil(length / self.batch_size)
        return len(self._index_sampler)


def _check_iterable_options(shuffle: Any, sampler: Any, batch_sampler: Any) -> None:
    """An IterableDataset has no indices: no shuffling, no sampler (PyTorch's errors)."""
    prefix = "DataLoader with IterableDataset: expected unspecified"
    if shuffle not in {False, None}:
        raise ValueError(f"{prefix} shuffle option, but got shuffle={shuffle}")
    if sampler is not None:
        raise ValueError(f"{prefix} sampler option, but got sampler={sampler}")
    if batch_sampler is not None:
        raise ValueError(f"{prefix} batch_sampler option, but got batch_sampler={batch_sampler}")


class _InfiniteConstantSampler(Sampler[None]):
    """An IterableDataset's sampler: None forever (the stream decides where an epoch
    ends), as PyTorch's."""

    def __iter__(self) -> Iterator[None]:
        return itertools.repeat(None)


def get_worker_info() -> Any:
    """Information about the DataLoader worker process this code runs in; None in the
    main process, which is where tinygrad_edu always loads data.

    >>> get_worker_info() is None
    True
    """
    return None


# ------------------------------------------------------------------------------ fast path


def _gathered_batch(dataset: Any, index: Any) -> list[Tensor] | None:
    """``default_collate([dataset[i] for i in index])`` by one gather per tensor, when
    ``dataset`` is a TensorDataset (or Subsets of one) and that gives the same batch; else
    None, and the DataLoader fetches sample by sample.

    "The same" is checked, not assumed: exact types (a subclass may override
    ``__getitem__``, e.g. to transform each sample), plain Tensors that do not require
    grad (stacking them would record a graph), a non-empty list of Python ints all in
    range (anything else, such as an index that raises, takes the per-sample path and
    its error). The rows are gathered by numpy's ``take``, which copies as ``stack``
    does, so each batch is a fresh array the caller may keep or modify.
    """
    if type(index) is not list or not index or not _all_ints(index):
        return None
    rows = index
    while type(dataset) is Subset and "__getitems__" not in vars(dataset):
        indices = dataset.indices
        if type(indices) not in (list, range):
            return None
        try:
            rows = [indices[i] for i in rows]
        except IndexError:
            return None
        if type(indices) is list and not _all_ints(rows):
            return None
        dataset = dataset.dataset
    if type(dataset) is not TensorDataset or "__getitems__" in vars(dataset):
        return None
    tensors = dataset.tensors
    if type(tensors) is not tuple:
        return None
    for t in tensors:
        if type(t) is not Tensor or t._requires_grad or t._data.ndim == 0:
            return None
    idx = np.asarray(rows, dtype=np.int64)
    try:  # take: ~20% faster than t._data[idx] on rows scattered over a large array
        return [_wrap(t._data.take(idx, axis=0)) for t in tensors]
    except IndexError:  # out of range (negative indices count from the end, as t[i])
        return None


def _all_ints(values: list[Any]) -> bool:
    """Whether every value is a Python int (not a bool, not a numpy integer)."""
    return set(map(type, values)) == {int}
