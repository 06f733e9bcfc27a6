"""Samplers, as ``torch.utils.data.sampler``: what a ``DataLoader`` draws its indices
from (in order, a random permutation, weighted draws), and ``BatchSampler``, which groups
them. Random ones draw from PyTorch's random stream exactly as PyTorch does.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Generic

import numpy as np

from ... import random as _random
from ...tensor import Tensor, _wrap
from .dataset import T_co

__all__ = [
    "Sampler",
    "SequentialSampler",
    "RandomSampler",
    "SubsetRandomSampler",
    "WeightedRandomSampler",
    "BatchSampler",
]



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

    def _chunks(self) -> Iterator[np.ndarray]:
        yield np.arange(len(self.data_source))

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
        for chunk in self._chunks():
            yield from chunk.tolist()

    def _chunks(self) -> Iterator[np.ndarray]:
        """The epoch's indices as PyTorch draws them: a permutation at a time (or 32
        draws with replacement), each drawn when the one before is used up."""
        n = len(self.data_source)
        generator = self.generator
        if generator is None:
            generator = _random.Generator()
            generator.manual_seed(_random.random_int64())
        if self.replacement:
            for _ in range(self.num_samples // 32):
                yield _random.randint(0, n, (32,), generator=generator)
            yield _random.randint(0, n, (self.num_samples % 32,), generator=generator)
            return
        for _ in range(self.num_samples // n):
            yield _random.randperm(n, generator=generator)
        yield _random.randperm(n, generator=generator)[: self.num_samples % n]

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
        sampler = self.sampler  # (exactly these: a subclass may iterate otherwise)
        if type(sampler) is RandomSampler or type(sampler) is SequentialSampler:
            yield from _batched(sampler._chunks(), self.batch_size, self.drop_last)
            return
        it = iter(self.sampler)
        while batch := list(itertools.islice(it, self.batch_size)):
            if self.drop_last and len(batch) < self.batch_size:
                return
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)


def _batched(chunks: Iterator[np.ndarray], size: int, drop_last: bool) -> Iterator[list[int]]:
    """``BatchSampler``'s batches of the indices in ``chunks`` (arrays), a chunk drawn
    only when the batch being filled needs it, as taking the indices one at a time does:
    the same batches, the random stream advanced at the same moments, without a Python
    step per index."""
    pending = np.empty(0, np.int64)
    for chunk in chunks:
        pending = np.concatenate([pending, chunk]) if pending.size else chunk
        while len(pending) >= size:
            yield pending[:size].tolist()
            pending = pending[size:]
    if len(pending) and not drop_last:
        yield pending.tolist()
