"""Datasets and the DataLoader, as ``torch.utils.data``, in PyTorch's files: datasets
(``dataset.py``), samplers (``sampler.py``), and the loader with its collate function
(``dataloader.py``), so that ``from tinygrad_edu.utils.data.dataloader import DataLoader``
works as in PyTorch.

A *map-style* ``Dataset`` has ``__getitem__(i)`` and ``__len__``. A ``DataLoader``
draws indices from a *sampler* (in order, or a random permutation), groups them into
batches, fetches the samples and *collates* them: a batch of ``(x, y)`` samples becomes
``[X, Y]`` with a new leading batch dimension.

Shuffling uses PyTorch's random stream and draws from it exactly as PyTorch does, so
with the same seed (or ``generator``) the batches come in the same order.
"""

from .dataloader import DataLoader, default_collate, default_convert, get_worker_info
from .dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    StackDataset,
    Subset,
    TensorDataset,
    random_split,
)
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

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
