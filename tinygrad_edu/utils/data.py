"""Datasets and the DataLoader, as ``torch.utils.data``.

A *map-style* ``Dataset`` has ``__getitem__(i)`` and ``__len__``. A ``DataLoader``
draws indices from a *sampler* (in order, or a random permutation), groups them into
batches, fetches the samples and *collates* them: a batch of ``(x, y)`` samples becomes
``[X, Y]`` with a new leading batch dimension.

Shuffling uses PyTorch's random stream and draws from it exactly as PyTorch does, so
with the same seed (or ``generator``) the batches come in the same order.
"""

from __future__ import annotations

import collections.abc
import copy
import itertools
import math
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Generic, TypeVar

import numpy as np

from .. import random as _random
from ..tensor import Tensor, _wrap

__all__ = [
    "Dataset",
    "TensorDataset",
    "Subset",
    "ConcatDataset",
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
        if any(tensors[0].shape[0] != t.shape[0] for t in tensors):
            raise AssertionError("Size mismatch between tensors")
        self.tensors = tensors

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]

    def _batch(self, indices: list[int]) -> list[Tensor] | None:
        """The collated batch, by one fancy-indexing per tensor (what stacking the samples
        would give), when no tensor requires grad; else None."""
        if any(t.requires_grad for t in self.tensors):
            return None
        idx = np.asarray(indices, dtype=np.int64)
        # take: ~20% faster than t._data[idx] on rows scattered over a large array. Each
        # batch is a fresh array, as PyTorch's: the caller may keep or modify it
        return [_wrap(t._data.take(idx, axis=0)) for t in self.tensors]


class Subset(Dataset[T_co]):
    """The samples of ``dataset`` at ``indices`` (what ``random_split`` returns).

    >>> Subset(TensorDataset(tg.arange(10)), [0, 2, 4])[1]
    (tensor(2),)
    """

    def __init__(self, dataset: Dataset[T_co], indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx: Any) -> Any:
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]  # type: ignore[index]
        return self.dataset[self.indices[idx]]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset[T_co]):
    """Several datasets one after the other.

    >>> len(ConcatDataset([TensorDataset(tg.zeros(3)), TensorDataset(tg.zeros(4))]))
    7
    """

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
        which = next(i for i, size in enumerate(self.cumulative_sizes) if idx < size)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][idx - start]


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
    indices = _random.randperm(int(sum(lengths)), generator=generator).tolist()
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


def default_convert(data: Any) -> Any:
    """What a DataLoader with ``batch_size=None`` does to each sample: numpy arrays become
    Tensors, containers are converted element by element."""
    if isinstance(data, np.ndarray) and data.dtype.kind not in "OSU":
        return _wrap(data)
    if isinstance(data, collections.abc.Mapping):
        return {k: default_convert(v) for k, v in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, (list, tuple)):
        return (
            type(data)(default_convert(d) for d in data)
            if isinstance(data, tuple)
            else [default_convert(d) for d in data]
        )
    return data


def default_collate(batch: Sequence[Any]) -> Any:
    """Merge a list of samples into a batch, as PyTorch's ``default_collate``:
    Tensors and numpy arrays are stacked along a new dim 0; Python floats become a
    float64 tensor, ints an int64 tensor; tuples of fields become a *list* of batched
    fields; dicts and namedtuples are collated per key/field; strings stay a list.

    >>> default_collate([(tg.tensor([1.0]), 0), (tg.tensor([2.0]), 1)])
    [tensor([[1.],
            [2.]]), tensor([0, 1])]
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        from ..functional import stack

        return stack(list(batch), 0)
    if isinstance(elem, np.ndarray):
        if elem.dtype.kind in "OSU":
            raise TypeError(
                f"default_collate: batch must contain tensors, numpy arrays, "
                f"numbers, dicts or lists; found {elem.dtype}"
            )
        return _wrap(np.stack(batch))
    if isinstance(elem, np.generic):
        return _wrap(np.asarray(batch))
    if isinstance(elem, float):
        return _wrap(np.asarray(batch, dtype=np.float64))
    if isinstance(elem, bool) or isinstance(elem, int):
        return _wrap(np.asarray(batch, dtype=np.bool_ if isinstance(elem, bool) else np.int64))
    if isinstance(elem, (str, bytes)):
        return batch
    return _collate_container(elem, batch)


def _collate_container(elem: Any, batch: Sequence[Any]) -> Any:
    if isinstance(elem, collections.abc.Mapping):
        out = {key: default_collate([d[key] for d in batch]) for key in elem}
        if isinstance(elem, collections.abc.MutableMapping):
            clone = copy.copy(elem)
            clone.update(out)
            return clone
        return out
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(s) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return [default_collate(samples) for samples in zip(*batch)]
    raise TypeError(
        "default_collate: batch must contain tensors, numpy arrays, numbers, "
        f"dicts or lists; found {type(elem)}"
    )


# ------------------------------------------------------------------------------ loader


class DataLoader(Generic[T_co]):
    """Iterate over ``dataset`` in batches.

    ``DataLoader(dataset, batch_size=1, shuffle=False, sampler=None, batch_sampler=None,
    num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
    worker_init_fn=None, multiprocessing_context=None, generator=None, ...)``.
    Each epoch (each ``iter(loader)``) yields ``ceil(len(dataset) / batch_size)`` batches
    (``floor`` with ``drop_last``), every sample exactly once. ``shuffle=True`` draws a
    new permutation per epoch from ``generator`` (or the global stream), exactly as
    PyTorch does. Loading always happens in this process (``num_workers`` is accepted
    for compatibility; results are the same).

    >>> X, y = tg.randn(100, 3), tg.randint(0, 2, (100,))
    >>> loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True)
    >>> [len(yb) for xb, yb in loader]
    [32, 32, 32, 4]
    """

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
        **kwargs: Any,
    ) -> None:
        if num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; use num_workers=0 to "
                "disable multiprocessing."
            )
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        self.dataset = dataset
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.generator = generator
        batch_size, drop_last, sampler, batch_sampler = self._samplers(
            dataset, batch_size, bool(shuffle), sampler, batch_sampler, drop_last, generator
        )
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self._auto_collation = batch_sampler is not None
        self.collate_fn: Callable[[Any], Any] = (
            collate_fn
            if collate_fn is not None
            else (default_collate if self._auto_collation else default_convert)
        )

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

    def __iter__(self) -> Iterator[Any]:
        """One epoch. Like PyTorch, starting an epoch draws one 64-bit number (the
        workers' base seed) from ``generator`` or the global stream."""
        indices = iter(self.batch_sampler if self._auto_collation else self.sampler)
        _random.random_int64(self.generator)
        return self._batches(indices)

    def _batches(self, indices: Iterator[Any]) -> Iterator[Any]:
        fast = self.collate_fn is default_collate and isinstance(self.dataset, TensorDataset)
        for index in indices:
            if not self._auto_collation:
                yield self.collate_fn(self.dataset[index])
                continue
            batch = self.dataset._batch(index) if fast else None  # type: ignore[attr-defined]
            if batch is None:
                getitems = getattr(self.dataset, "__getitems__", None)
                samples = getitems(index) if getitems else [self.dataset[i] for i in index]
                batch = self.collate_fn(samples)
            yield batch

    def __len__(self) -> int:
        source = self.batch_sampler if self._auto_collation else self.sampler
        return len(source)
