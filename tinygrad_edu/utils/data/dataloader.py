"""The ``DataLoader``, as ``torch.utils.data.dataloader``: it draws indices from a
sampler, groups them into batches, fetches the samples and *collates* them (a batch of
``(x, y)`` samples becomes ``[X, Y]`` with a new leading batch dimension:
``default_collate``).

Shuffling uses PyTorch's random stream and draws from it exactly as PyTorch does, so
with the same seed (or ``generator``) the batches come in the same order.
"""

from __future__ import annotations

import collections.abc
import copy
import itertools
import math
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic

import numpy as np

from ... import dtypes
from ... import random as _random
from ...creation import as_tensor, tensor
from ...functional import stack
from ...tensor import Tensor, _wrap
from .dataset import Dataset, IterableDataset, Subset, T_co, TensorDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = [
    "DataLoader",
    "default_collate",
    "default_convert",
    "get_worker_info",
]



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
