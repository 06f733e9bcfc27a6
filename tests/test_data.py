"""``tinygrad_edu.utils.data``: every sample exactly once per epoch, batch sizes, collation,
and the shuffled order (and random stream) of PyTorch's DataLoader for the same seed.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_nn_layers import needs_torch, torch

import tinygrad_edu as tg
from tinygrad_edu.utils.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    TensorDataset,
    default_collate,
    get_worker_info,
    random_split,
)


def _dataset(n: int) -> TensorDataset:
    return TensorDataset(tg.arange(n).float().reshape(n, 1), tg.arange(n))


@given(
    n=st.integers(1, 40),
    batch_size=st.integers(1, 12),
    shuffle=st.booleans(),
    drop_last=st.booleans(),
    seed=st.integers(0, 2**31),
)
def test_every_sample_exactly_once_per_epoch(
    n: int, batch_size: int, shuffle: bool, drop_last: bool, seed: int
) -> None:
    tg.manual_seed(seed)
    loader = DataLoader(_dataset(n), batch_size=batch_size, shuffle=shuffle, drop_last=drop_last)
    for _ in range(2):
        batches = [(xb, yb) for xb, yb in loader]
        assert len(batches) == len(loader)
        seen = [i for _, yb in batches for i in yb.tolist()]
        sizes = [len(yb) for _, yb in batches]
        if drop_last:
            assert all(s == batch_size for s in sizes)
            assert len(seen) == n - n % batch_size and len(set(seen)) == len(seen)
        else:
            assert sorted(seen) == list(range(n))
            assert all(s == batch_size for s in sizes[:-1]) and 0 < sizes[-1] <= batch_size
        for xb, yb in batches:
            assert xb.shape == (len(yb), 1) and xb.dtype == tg.float32 and yb.dtype == tg.int64
            assert xb[:, 0].tolist() == [float(i) for i in yb.tolist()]
        if not shuffle:
            assert seen == sorted(seen)


@needs_torch
@pytest.mark.parametrize("use_generator", [False, True])
@pytest.mark.parametrize("batch_size,drop_last", [(1, False), (5, False), (7, True)])
def test_shuffled_order_and_random_stream_match_torch(
    use_generator: bool, batch_size: int, drop_last: bool
) -> None:
    x = np.arange(23, dtype=np.float32).reshape(23, 1)
    runs = []
    for lib in (tg, torch):
        lib.manual_seed(3)
        gen = None
        if use_generator:
            gen = lib.Generator()
            gen.manual_seed(7)
        ds = lib.utils.data.TensorDataset(lib.tensor(x), lib.tensor(np.arange(23)))
        loader = lib.utils.data.DataLoader(
            ds, batch_size=batch_size, shuffle=True, drop_last=drop_last, generator=gen
        )
        order = [yb.tolist() for _ in range(3) for _, yb in loader]
        unshuffled = lib.utils.data.DataLoader(ds, batch_size=4)
        order += [yb.tolist() for _, yb in unshuffled]  # also draws its base seed
        order.append(lib.rand(3).tolist())  # the global stream is where torch leaves it
        runs.append(order)
    assert runs[0] == runs[1]


@needs_torch
@pytest.mark.parametrize("batch_size,drop_last", [(7, False), (7, True), (5, False), (32, False)])
@pytest.mark.parametrize("sampler", [{}, {"num_samples": 33}, {"num_samples": 7},
                                     {"replacement": True, "num_samples": 70}, None])
def test_batch_sampler_draws_when_torch_draws(
    batch_size: int, drop_last: bool, sampler: dict[str, Any] | None
) -> None:
    """A BatchSampler over a RandomSampler batches whole permutations (no Python step per
    index), yet takes the next one from the generator at the moment PyTorch's one-index-
    at-a-time batching does: a draw from the same generator between batches sees it."""
    runs = []
    for lib in (tg, torch):
        lib.manual_seed(3)
        gen = lib.Generator()
        gen.manual_seed(5)
        data = lib.utils.data
        picked = (data.SequentialSampler(range(20)) if sampler is None
                  else data.RandomSampler(range(20), generator=gen, **sampler))
        seen: list[Any] = []
        for batch in data.BatchSampler(picked, batch_size, drop_last):
            seen += [batch, lib.rand(1, generator=gen).item()]
        runs.append(seen + [lib.rand(1).item(), lib.rand(1, generator=gen).item()])
    assert runs[0] == runs[1]


@needs_torch
@pytest.mark.parametrize("lengths", [[0.8, 0.2], [10, 7, 6], [0.5, 0.3, 0.2]])
def test_random_split_matches_torch(lengths: list[float]) -> None:
    splits = []
    for lib in (tg, torch):
        lib.manual_seed(11)
        ds = lib.utils.data.TensorDataset(lib.arange(23))
        splits.append([list(s.indices) for s in lib.utils.data.random_split(ds, lengths)])
        gen = lib.Generator()
        gen.manual_seed(5)
        splits.append(
            [list(s.indices) for s in lib.utils.data.random_split(ds, lengths, generator=gen)]
        )
    assert splits[:2] == splits[2:]


def test_random_split_errors_and_subsets() -> None:
    ds = _dataset(10)
    a, b = random_split(ds, [0.7, 0.3])
    assert len(a) == 7 and len(b) == 3
    assert sorted(list(a.indices) + list(b.indices)) == list(range(10))
    assert a[0][1].item() == a.indices[0]
    with pytest.raises(ValueError, match="Sum of input lengths does not equal the length"):
        random_split(ds, [3, 3])
    with pytest.raises(ValueError, match="Fraction at index 0 is not between 0 and 1"):
        random_split(ds, [1.5, -0.5])


def test_tensor_dataset() -> None:
    ds = _dataset(5)
    x, y = ds[2]
    assert x.tolist() == [2.0] and y.item() == 2 and len(ds) == 5
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(tg.zeros(3), tg.zeros(4))


def test_default_collate_like_torch() -> None:
    Point = namedtuple("Point", "x y")
    out = default_collate([(tg.tensor([1.0]), 0, 0.5, "a"), (tg.tensor([2.0]), 1, 1.5, "b")])
    assert isinstance(out, list) and out[0].shape == (2, 1)
    assert (
        out[1].dtype == tg.int64 and out[2].dtype == tg.float64 and out[3] == ("a", "b")
    )  # as torch
    d = default_collate([{"a": np.ones(2, np.float32)}, {"a": np.zeros(2, np.float32)}])
    assert d["a"].shape == (2, 2) and d["a"].dtype == tg.float32
    p = default_collate([Point(1, 2.0), Point(3, 4.0)])
    assert isinstance(p, Point) and p.x.tolist() == [1, 3]
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        default_collate([[1, 2], [3]])


class Squares(Dataset):
    def __len__(self) -> int:
        return 10

    def __getitem__(self, i: int) -> Any:
        return {"x": np.float32(i), "y": i * i}


def test_custom_dataset_and_collate_fn_and_no_batching() -> None:
    loader = DataLoader(Squares(), batch_size=4)
    batches = list(loader)
    assert [b["y"].tolist() for b in batches] == [[0, 1, 4, 9], [16, 25, 36, 49], [64, 81]]
    assert batches[0]["x"].dtype == tg.float32
    raw = list(DataLoader(Squares(), batch_size=3, collate_fn=lambda b: b))
    assert raw[0][1] == {"x": 1.0, "y": 1}
    single = list(DataLoader(_dataset(3), batch_size=None))
    assert len(single) == 3 and single[1][1].item() == 1
    assert len(ConcatDataset([_dataset(3), _dataset(4)])) == 7
    assert Subset(_dataset(5), [4, 0])[0][1].item() == 4


def test_loader_argument_errors_match_torch() -> None:
    ds = _dataset(4)
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        DataLoader(ds, sampler=SequentialSampler(ds), shuffle=True)
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(ds, batch_sampler=BatchSampler(SequentialSampler(ds), 2, False), batch_size=2)
    with pytest.raises(ValueError, match="batch_size=None option disables auto-batching"):
        DataLoader(ds, batch_size=None, drop_last=True)
    with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
        DataLoader(ds, batch_size=0)
    with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
        RandomSampler([])


def test_samplers() -> None:
    ds = _dataset(6)
    batches = list(DataLoader(ds, batch_sampler=BatchSampler(SequentialSampler(ds), 4, False)))
    assert [b[1].tolist() for b in batches] == [[0, 1, 2, 3], [4, 5]]
    sampler = RandomSampler(ds, replacement=True, num_samples=50)
    drawn = list(sampler)
    assert len(drawn) == 50 and set(drawn) <= set(range(6))


# ------------------------------------------------------------------ iterable-style datasets


def _counting(lib: Any) -> Any:
    """A stream of n samples ``(float tensor, int)``, with a len() if ``sized``."""
    D = lib.utils.data

    class Count(D.IterableDataset):
        def __init__(self, n: int, sized: bool = True) -> None:
            self.n, self.sized = n, sized

        def __iter__(self) -> Any:
            return iter((lib.tensor([float(i)]), i) for i in range(self.n))

        def __len__(self) -> int:
            if not self.sized:
                raise TypeError(f"object of type '{type(self).__name__}' has no len()")
            return self.n

    return Count


def _plain(batch: Any) -> Any:
    """A batch as nested lists (tensors as lists), to compare the two libraries."""
    if isinstance(batch, (list, tuple)):
        return [_plain(b) for b in batch]
    if isinstance(batch, dict):
        return {k: _plain(v) for k, v in batch.items()}
    return batch.tolist() if hasattr(batch, "tolist") else batch


@needs_torch
@pytest.mark.parametrize("n", [0, 1, 5, 8])
@pytest.mark.parametrize("batch_size", [None, 1, 3, 4])
@pytest.mark.parametrize("drop_last", [False, True])
def test_dataloader_over_an_iterable_dataset_matches_torch(
    n: int, batch_size: int | None, drop_last: bool
) -> None:
    if batch_size is None and drop_last:
        return
    results = []
    for lib in (tg, torch):
        lib.manual_seed(0)
        loader = lib.utils.data.DataLoader(
            _counting(lib)(n), batch_size=batch_size, drop_last=drop_last
        )
        results.append((len(loader), [_plain(b) for b in loader], lib.rand(2).tolist()))
    assert results[0] == results[1]


@needs_torch
@pytest.mark.parametrize(
    "kwargs",
    [{"shuffle": True}, {"sampler": [0, 1]}, {"batch_sampler": [[0, 1]]}],
)
def test_iterable_dataset_rejects_shuffle_and_samplers_as_torch(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError) as theirs:
        torch.utils.data.DataLoader(_counting(torch)(3), **kwargs)
    with pytest.raises(ValueError) as ours:
        DataLoader(_counting(tg)(3), **kwargs)
    assert str(ours.value) == str(theirs.value)


def test_iterable_dataset_len_errors_and_abstractness() -> None:
    loader = DataLoader(_counting(tg)(3, sized=False), batch_size=2)
    with pytest.raises(TypeError, match="has no len()"):
        len(loader)
    assert [b[1].tolist() for b in loader] == [[0, 1], [2]]
    with pytest.raises(TypeError, match="Can't instantiate abstract class IterableDataset"):
        IterableDataset()  # type: ignore[abstract]
    assert get_worker_info() is None


@needs_torch
def test_chain_dataset_matches_torch() -> None:
    results = []
    for lib in (tg, torch):
        D, Count = lib.utils.data, _counting(lib)
        chained = Count(2) + Count(3)
        assert type(chained).__name__ == "ChainDataset"
        unsized = D.ChainDataset([Count(1), Count(2, sized=False)])
        with pytest.raises(TypeError, match="has no len()"):
            len(unsized)
        bad = D.ChainDataset([Count(1), D.TensorDataset(lib.ones(2))])
        with pytest.raises(AssertionError, match="ChainDataset only supports IterableDataset"):
            list(bad)
        results.append((len(chained), _plain(list(chained)), len(list(unsized))))
    assert results[0] == results[1]


@needs_torch
@pytest.mark.parametrize("named", [False, True])
def test_stack_dataset_matches_torch(named: bool) -> None:
    results = []
    for lib in (tg, torch):
        D = lib.utils.data
        parts = [D.TensorDataset(lib.arange(5.0)), D.Subset(D.TensorDataset(lib.arange(7)), [6, 5, 4, 3, 2])]
        stacked = D.StackDataset(x=parts[0], y=parts[1]) if named else D.StackDataset(*parts)
        loader = D.DataLoader(stacked, batch_size=2)
        results.append((len(stacked), _plain(stacked[1]), [_plain(b) for b in loader]))
    assert results[0] == results[1]


@needs_torch
@pytest.mark.parametrize(
    "args,kwargs",
    [((), {}), ((3, 4), {}), ((3,), {"a": 4})],
)
def test_stack_dataset_errors_match_torch(args: tuple[int, ...], kwargs: dict[str, int]) -> None:
    def build(lib: Any) -> Any:
        D = lib.utils.data
        return D.StackDataset(
            *(D.TensorDataset(lib.ones(n)) for n in args),
            **{k: D.TensorDataset(lib.ones(n)) for k, n in kwargs.items()},
        )

    with pytest.raises(ValueError) as theirs:
        build(torch)
    with pytest.raises(ValueError) as ours:
        build(tg)
    assert str(ours.value) == str(theirs.value)


# Scripts import from PyTorch's files: karpathy/makemore's
# ``from torch.utils.data.dataloader import DataLoader`` stopped on its first line here.
@pytest.mark.parametrize("module,names", [
    ("dataloader", ["DataLoader", "default_collate", "default_convert", "get_worker_info"]),
    ("dataset", ["Dataset", "TensorDataset", "Subset", "ConcatDataset", "IterableDataset",
                 "ChainDataset", "StackDataset", "random_split"]),
    ("sampler", ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
                 "WeightedRandomSampler", "BatchSampler"]),
])
def test_utils_data_submodules_import_as_in_torch(module: str, names: list[str]) -> None:
    import importlib

    ours = importlib.import_module(f"tinygrad_edu.utils.data.{module}")
    for name in names:
        assert getattr(ours, name) is getattr(tg.utils.data, name), name
    if torch is not None:
        theirs = importlib.import_module(f"torch.utils.data.{module}")
        assert all(hasattr(theirs, name) for name in names)
