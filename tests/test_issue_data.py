"""``utils.data`` against PyTorch in the corners: the DataLoader's gather fast path is taken
only when it gives the slow path's batch (a TensorDataset subclass keeps its
``__getitem__``), unknown keywords are refused, and every dataset raises PyTorch's
errors for indices past its end, negative ones and indices of the wrong type.
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
from tinygrad_edu.utils import data as tgdata
from tinygrad_edu.utils.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    SequentialSampler,
    Subset,
    TensorDataset,
    default_collate,
)

LIBS = [tg] if torch is None else [tg, torch]
Point = namedtuple("Point", "flag tail")


def _plain(obj: Any) -> Any:
    """A batch as plain Python, comparable across libraries: each tensor becomes its
    dtype name, shape, values and whether it has a grad_fn."""
    if hasattr(obj, "tolist") and hasattr(obj, "dtype"):
        return ("tensor", str(obj.dtype).split(".")[-1], tuple(obj.shape), obj.tolist(),
                obj.grad_fn is not None)
    if isinstance(obj, dict):
        return ("dict", type(obj).__name__, {k: _plain(v) for k, v in obj.items()})
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [_plain(v) for v in obj])
    return obj


def _classes(lib: Any) -> dict[str, Any]:
    """Dataset subclasses written against ``lib``'s utils.data, as a user writes them."""
    D = lib.utils.data

    class Doubled(D.TensorDataset):  # a per-sample transform
        def __getitem__(self, i: Any) -> Any:
            x, *rest = super().__getitem__(i)
            return (x * 2, *rest)

    class WithIndex(D.TensorDataset):  # another sample structure
        def __getitem__(self, i: Any) -> Any:
            return {"x": self.tensors[0][i], "i": i}

    class Shorter(D.TensorDataset):  # only __len__ overridden
        def __len__(self) -> int:
            return super().__len__() - 1

    class Tail(D.Subset):  # a Subset subclass overriding both, as PyTorch requires
        def __getitem__(self, i: Any) -> Any:
            return super().__getitem__(i)[-1]

        def __getitems__(self, indices: list[int]) -> list[Any]:
            return [self[i] for i in indices]

    class Mixed(D.Dataset):  # not tensors: numpy values, numbers, strings, containers
        def __init__(self, n: int) -> None:
            self.n = n

        def __len__(self) -> int:
            return self.n

        def __getitem__(self, i: int) -> Any:
            return {"a": np.float32(i), "b": [i, float(i), bool(i % 2), i % 2 == 0],
                    "c": (f"s{i}", np.arange(2, dtype=np.int32) + i, b"x"),
                    "d": Point(np.bool_(i % 2), np.arange(3.0) * i)}

    return {"Doubled": Doubled, "WithIndex": WithIndex, "Shorter": Shorter, "Tail": Tail,
            "Mixed": Mixed}


def _dataset(lib: Any, kind: str, n: int, columns: list[np.ndarray]) -> Any:
    """The dataset ``kind`` over ``columns`` (rows 0..n-1) in ``lib``."""
    D, classes = lib.utils.data, _classes(lib)
    tensors = [lib.tensor(c) for c in columns]
    if kind == "Mixed":
        return classes[kind](n)
    if kind in classes and kind != "Tail":
        return classes[kind](*tensors)
    base = D.TensorDataset(*tensors)
    if kind == "plain":
        return base
    if kind == "requires_grad":
        return D.TensorDataset(lib.tensor(columns[0]).double().requires_grad_(), *tensors[1:])
    if kind == "subset":
        return D.Subset(base, list(range(n - 1, -1, -2)) + [0, -1])
    if kind == "subset_range":
        return D.Subset(D.Subset(base, range(n)), list(range(n // 2)))
    if kind == "subset_of_subclass":
        return D.Subset(classes["Doubled"](*tensors), list(range(n)))
    if kind == "Tail":
        return classes["Tail"](base, list(range(n)))
    if kind == "concat":
        return D.ConcatDataset([base, classes["Doubled"](*tensors), base])
    if kind == "split":
        return D.random_split(base, [n // 2, n - n // 2], generator=lib.Generator().manual_seed(1))[1]
    raise AssertionError(kind)


KINDS = ["Mixed", "plain", "Doubled", "WithIndex", "Shorter", "Tail", "requires_grad", "subset",
         "subset_range", "subset_of_subclass", "concat", "split"]


def _columns(n: int) -> list[np.ndarray]:
    return [
        np.arange(n * 2, dtype=np.float32).reshape(n, 2),
        np.arange(n, dtype=np.int64) * 10,
        (np.arange(n) % 3 == 0),
        np.linspace(0, 1, n),  # float64
    ]


def _epochs(lib: Any, dataset: Any, seed: int, epochs: int = 2, **loader: Any) -> list[Any]:
    """The batches of ``epochs`` epochs, then where the global random stream is left."""
    lib.manual_seed(seed)
    loader_ = lib.utils.data.DataLoader(dataset, **loader)
    out = [_plain(b) for _ in range(epochs) for b in loader_]
    return out + [lib.rand(2).tolist()]


# ------------------------------------------------------------------ item 5: the fast path


def test_tensor_dataset_subclass_getitem_is_not_bypassed_by_the_dataloader() -> None:
    class Doubled(TensorDataset):
        def __getitem__(self, i: Any) -> Any:
            x, y = super().__getitem__(i)
            return x * 2, y

    ds = Doubled(tg.arange(6).float(), tg.arange(6))
    (xb, yb), *_ = DataLoader(ds, batch_size=3)
    assert xb.tolist() == [0.0, 2.0, 4.0] and yb.tolist() == [0, 1, 2]


@pytest.mark.parametrize("kind", KINDS)
def test_dataloader_batches_equal_the_per_sample_path(kind: str) -> None:
    """The default collate (which may gather) against a collate_fn that is not it (so
    every sample is fetched and stacked): the same batches, for every dataset kind."""
    n, seen = 9, []
    for collate in (None, lambda samples: default_collate(samples)):
        ds = _dataset(tg, kind, n, _columns(n))
        seen.append(_epochs(tg, ds, 5, batch_size=4, shuffle=True, collate_fn=collate))
    assert seen[0] == seen[1]


@needs_torch
@pytest.mark.parametrize("kind", KINDS)
def test_dataloader_batches_match_torch_for_every_dataset_kind(kind: str) -> None:
    n = 9
    runs = [_epochs(lib, _dataset(lib, kind, n, _columns(n)), 5, batch_size=4, shuffle=True)
            for lib in LIBS]
    assert runs[0] == runs[1]


@needs_torch
@given(
    kind=st.sampled_from(KINDS),
    n=st.integers(2, 13),
    batch_size=st.one_of(st.none(), st.integers(1, 6)),
    shuffle=st.booleans(),
    drop_last=st.booleans(),
    use_generator=st.booleans(),
    sampler=st.sampled_from(["default", "sequential", "random", "replacement", "subset"]),
    seed=st.integers(0, 2**31),
)
def test_dataloader_matches_torch_fuzz(
    kind: str, n: int, batch_size: int | None, shuffle: bool, drop_last: bool,
    use_generator: bool, sampler: str, seed: int,
) -> None:
    """Batches (values, dtypes, shapes, structure) and the random streams of the
    DataLoader against PyTorch's, over dataset kinds, samplers and loader options."""
    if batch_size is None:
        drop_last = False
    runs = []
    for lib in LIBS:
        D = lib.utils.data
        ds = _dataset(lib, kind, n, _columns(n))
        gen = lib.Generator().manual_seed(seed + 1) if use_generator else None
        opts: dict[str, Any] = dict(batch_size=batch_size, drop_last=drop_last, generator=gen)
        if sampler == "default":
            opts["shuffle"] = shuffle
        else:
            opts["sampler"] = {
                "sequential": lambda: D.SequentialSampler(ds),
                "random": lambda: D.RandomSampler(ds, generator=gen),
                "replacement": lambda: D.RandomSampler(ds, True, 2 * len(ds) + 1, gen),
                "subset": lambda: D.SubsetRandomSampler(list(range(len(ds)))[::-1], gen),
            }[sampler]()
        runs.append(_epochs(lib, ds, seed, **opts))
    assert runs[0] == runs[1]


@needs_torch
@pytest.mark.parametrize(
    "batches",
    [[[0, -1, 3]], [[1, 9]], [[2, -10]], [(0, 1)], [[]], [[True, 1]], [[np.int64(1), 2]]],
    ids=["negative", "past_end", "before_start", "tuple", "empty", "bool", "numpy_int"],
)
def test_dataloader_odd_batch_samplers_match_torch(batches: list[Any]) -> None:
    """Indices a custom batch_sampler may yield: same batch, or same exception, as torch
    (so the gather never runs where sample-by-sample fetching would differ)."""
    outcomes = []
    for lib in LIBS:
        ds = lib.utils.data.TensorDataset(lib.arange(9).float(), lib.arange(9))
        try:
            outcomes.append(_plain(list(lib.utils.data.DataLoader(ds, batch_sampler=batches))))
        except Exception as e:  # noqa: BLE001 - the class is what is compared
            outcomes.append(type(e).__name__)
    assert outcomes[0] == outcomes[1]


def test_dataloader_gather_gives_fresh_arrays_and_respects_instance_getitems() -> None:
    ds = TensorDataset(tg.arange(4).float())
    first = next(iter(DataLoader(ds, batch_size=2)))[0]
    first.add_(100)
    assert ds.tensors[0].tolist() == [0.0, 1.0, 2.0, 3.0]
    ds.__getitems__ = lambda indices: [(tg.tensor(-1.0),) for _ in indices]  # type: ignore
    assert next(iter(DataLoader(ds, batch_size=2)))[0].tolist() == [-1.0, -1.0]


def test_subset_subclass_overriding_only_getitem_is_refused_as_in_torch() -> None:
    class Bad(Subset):
        def __getitem__(self, i: Any) -> Any:
            return 0

    with pytest.raises(NotImplementedError, match="overrides __getitem__ but not __getitems__"):
        Bad(TensorDataset(tg.arange(3)), [0, 1])


def test_dataloader_options_are_frozen_after_init_as_in_torch() -> None:
    loader = DataLoader(TensorDataset(tg.arange(4)), batch_size=2)
    for name in ("batch_size", "sampler", "batch_sampler", "drop_last", "dataset"):
        with pytest.raises(ValueError, match=f"{name} attribute should not be set after "
                                             "DataLoader is initialized"):
            setattr(loader, name, None)
    loader.num_workers = 0  # the others may change, as in torch


# --------------------------------------------------------- item 23: misspelt keywords


@pytest.mark.parametrize("typo", ["batchsize", "shufle", "num_worker", "collate"])
def test_dataloader_misspelt_keyword_raises_type_error(typo: str) -> None:
    ds = TensorDataset(tg.arange(4))
    with pytest.raises(TypeError, match=f"unexpected keyword argument '{typo}'"):
        DataLoader(ds, **{typo: 2})


@needs_torch
def test_dataloader_worker_options_are_checked_as_in_torch() -> None:
    cases = [dict(prefetch_factor=2), dict(persistent_workers=True),
             dict(num_workers=1, prefetch_factor=-1), dict(num_workers=-1), dict(timeout=-1)]
    for kwargs in cases:
        messages = []
        for lib in LIBS:
            with pytest.raises(ValueError) as info:
                lib.utils.data.DataLoader(lib.utils.data.TensorDataset(lib.arange(3)), **kwargs)
            messages.append(str(info.value))
        assert messages[0] == messages[1]
    loader = DataLoader(TensorDataset(tg.arange(3)), in_order=False, pin_memory_device="")
    assert len(loader) == 3


# ----------------------------------------------------- item 24: indices and their errors


def test_concat_dataset_index_past_end_raises_index_error() -> None:
    ds = ConcatDataset([TensorDataset(tg.arange(3)), TensorDataset(tg.arange(2))])
    assert ds[4][0].item() == 1 and ds[-5][0].item() == 0
    with pytest.raises(IndexError, match="list index out of range"):
        ds[5]
    with pytest.raises(ValueError, match="absolute value of index should not exceed"):
        ds[-6]


INDICES = [0, 2, -1, -4, 4, 5, 7, 8, -8, -9, 100, -100, True, False, [0, 1], slice(0, 2),
           np.int64(1), np.int32(-1), np.array([0, 2]), "tensor", None, "a"]


def _index_datasets(lib: Any) -> dict[str, Any]:
    D = lib.utils.data
    a = D.TensorDataset(lib.arange(5), lib.arange(5).float() * 2)
    b = D.TensorDataset(lib.arange(3) + 10, lib.arange(3).float())
    return {
        "tensor": a,
        "subset": D.Subset(a, [4, 0, 2]),
        "subset_range": D.Subset(a, range(1, 4)),
        "concat": D.ConcatDataset([a, b]),
        "concat_add": a + b,
        "concat_with_empty": D.ConcatDataset([D.TensorDataset(lib.zeros(0)), a]),
        "split": D.random_split(a, [3, 2], generator=lib.Generator().manual_seed(0))[0],
        "split_of_concat": D.random_split(a + b, [0.5, 0.5],
                                          generator=lib.Generator().manual_seed(0))[1],
    }


def _outcome(ds: Any, index: Any) -> Any:
    try:
        return "ok", _plain(ds[index])
    except Exception as e:  # noqa: BLE001 - the class is what is compared
        return type(e).__name__


@needs_torch
@pytest.mark.parametrize("name", list(_index_datasets(tg)))
def test_dataset_indexing_matches_torch(name: str) -> None:
    """Every index form on every dataset class: the same sample, or the same exception
    class, as torch."""
    ours, theirs = _index_datasets(tg)[name], _index_datasets(torch)[name]
    assert len(ours) == len(theirs)
    for index in INDICES:
        if isinstance(index, str) and index == "tensor":
            a, b = _outcome(ours, tg.tensor(1)), _outcome(theirs, torch.tensor(1))
        elif name == "tensor" and isinstance(index, str):
            continue  # torch: TypeError from its tensor indexing (tensor.py, not utils.data)
        else:
            a, b = _outcome(ours, index), _outcome(theirs, index)
        assert a == b, (name, index)


@needs_torch
def test_tensor_dataset_construction_errors_match_torch() -> None:
    cases = [lambda L: L.utils.data.TensorDataset(L.tensor(1.0)),
             lambda L: L.utils.data.TensorDataset(np.zeros(3)),
             lambda L: L.utils.data.TensorDataset(L.zeros(3), L.zeros(4)),
             lambda L: L.utils.data.ConcatDataset([]),
             lambda L: len(L.utils.data.TensorDataset()),
             lambda L: L.utils.data.random_split(L.utils.data.TensorDataset(L.zeros(5)),
                                                 [2.0, 3.0])]
    for make in cases:
        outcomes = []
        for lib in LIBS:
            with pytest.raises(Exception) as info:
                make(lib)
            outcomes.append(info.type)
        assert outcomes[0] is outcomes[1]


def test_signature_of_dataloader_matches_torch_names() -> None:
    import inspect

    names = list(inspect.signature(DataLoader).parameters)
    assert names[:13] == [
        "dataset", "batch_size", "shuffle", "sampler", "batch_sampler", "num_workers",
        "collate_fn", "pin_memory", "drop_last", "timeout", "worker_init_fn",
        "multiprocessing_context", "generator"]
    assert tgdata.__all__  # the module's public names are walked by tests/test_signatures.py
    assert len(DataLoader(TensorDataset(tg.arange(3)),
                          batch_sampler=BatchSampler(SequentialSampler(range(3)), 2, True))) == 1
