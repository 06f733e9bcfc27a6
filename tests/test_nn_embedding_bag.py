"""``nn.EmbeddingBag`` and ``F.embedding_bag`` against PyTorch: values and the gradients of
the weight and of ``per_sample_weights`` in every mode, with offsets, ``include_last_offset``,
``padding_idx``, empty bags, 2-D input, ``scale_grad_by_freq`` and ``max_norm``; initial
weights, state dicts, reprs, ``from_pretrained`` and errors; then gradcheck and
gradgradcheck in float64.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F

torch = pytest.importorskip("torch")
torch.set_num_threads(1)
TF = torch.nn.functional

RNG = np.random.default_rng(0)
WEIGHT = RNG.standard_normal((10, 4))
WEIGHT[3, 1] = WEIGHT[7, 1]  # a tie in "max": the first row holding it gets the gradient
INPUT = np.array([1, 2, 4, 5, 4, 3, 2, 9, 7, 3, 0])
PSW = RNG.standard_normal(INPUT.shape)
TOL = {"float32": dict(rtol=1e-5, atol=1e-6), "float64": dict(rtol=1e-12, atol=1e-13)}

CASES = [
    dict(offsets=[0, 3, 5]),
    dict(offsets=[0, 3, 3, 8]),  # an empty bag
    dict(offsets=[0, 2, 5, 11], include_last_offset=True),  # CSR: the last offset is the end
    dict(offsets=[0, 2, 2, 11], include_last_offset=True, padding_idx=4),
    dict(offsets=[0, 4], padding_idx=3),
    dict(offsets=[0, 4, 5], padding_idx=-6),  # (row 4: the bag at 4..5 holds only padding)
    dict(offsets=[0, 5], scale_grad_by_freq=True),
    dict(offsets=[0, 5, 9], scale_grad_by_freq=True, padding_idx=2),
    dict(offsets=[0]),
    dict(shape=(2, 5)),  # 2-D input: fixed-size bags
    dict(shape=(10, 1), padding_idx=4),
]


def _run(lib: Any, fn: Any, mode: str, case: dict[str, Any], dtype: str,
         weighted: bool) -> list[np.ndarray]:
    case = dict(case)
    shape = case.pop("shape", None)
    data = INPUT[:10].reshape(shape) if shape else INPUT
    w = lib.tensor(WEIGHT.astype(dtype), requires_grad=True)
    psw = lib.tensor(PSW[:data.size].reshape(data.shape).astype(dtype), requires_grad=True)
    offsets = case.pop("offsets", None)
    out = fn.embedding_bag(lib.tensor(data), w, None if offsets is None else lib.tensor(offsets),
                           mode=mode, per_sample_weights=psw if weighted else None, **case)
    (out * lib.tensor(np.arange(1, 1 + out.numel()).reshape(out.shape).astype(dtype))
     ).sum().backward()
    assert fn is _FreqReference or type(out.grad_fn).__name__ == "EmbeddingBagBackward0"
    return [out.detach().numpy(), w.grad.numpy()] + ([psw.grad.numpy()] if weighted else [])


class _FreqReference:
    """``embedding_bag(scale_grad_by_freq=True)`` as documented, from torch's
    ``F.embedding(scale_grad_by_freq=True)`` and a sum or mean per bag. (torch's own
    embedding_bag backward divides by the count of the wrong index: the i-th smallest
    index's count for the i-th distinct index, e.g. 2/3 instead of 1 for the row of 5 in
    [5, 2, 5, 2, 2]; tinygrad_edu follows the documented formula.)"""

    @staticmethod
    def embedding_bag(input: Any, weight: Any, offsets: Any, mode: str,
                      per_sample_weights: Any = None, padding_idx: int | None = None,
                      **kwargs: Any) -> Any:
        rows = TF.embedding(input, weight, padding_idx=padding_idx, **kwargs)
        if per_sample_weights is not None:
            rows = rows * per_sample_weights[:, None]
        keep = input != (-1 if padding_idx is None else padding_idx % weight.shape[0])
        ends = offsets.tolist()[1:] + [input.numel()]
        bags = []
        for start, end in zip(offsets.tolist(), ends):
            total = rows[start:end][keep[start:end]].sum(0)
            bags.append(total / max(int(keep[start:end].sum()), 1) if mode == "mean" else total)
        return torch.stack(bags)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("mode,weighted", [("sum", False), ("sum", True), ("mean", False),
                                           ("max", False)])
@pytest.mark.parametrize("case", CASES, ids=str)
def test_embedding_bag_matches_torch(case: dict[str, Any], mode: str, weighted: bool,
                                     dtype: str) -> None:
    if mode == "max" and case.get("scale_grad_by_freq"):
        pytest.skip("max mode does not support scale_grad_by_freq (an error, tested below)")
    mine = _run(tg, F, mode, case, dtype, weighted)
    theirs = _run(torch, _FreqReference if case.get("scale_grad_by_freq") else TF, mode, case,
                  dtype, weighted)
    for i, (a, b) in enumerate(zip(mine, theirs)):
        assert a.dtype == b.dtype
        np.testing.assert_allclose(a, b, err_msg=f"result {i}", **TOL[dtype])


def test_embedding_bag_max_norm_renormalises_like_torch() -> None:
    results = []
    for lib, fn in ((tg, F), (torch, TF)):
        w = lib.tensor(WEIGHT * 3)
        out = fn.embedding_bag(lib.tensor(INPUT), w, lib.tensor([0, 4]), max_norm=2.0)
        results.append([out.numpy(), w.numpy()])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_embedding_bag_gradcheck_and_gradgradcheck() -> None:
    idx, offsets = tg.tensor(INPUT), tg.tensor([0, 3, 3, 8])
    w = tg.tensor(RNG.standard_normal(WEIGHT.shape), requires_grad=True)  # (no ties)
    psw = tg.tensor(PSW, requires_grad=True)
    for mode in ("sum", "mean", "max"):
        def fn(w: Any, mode: str = mode) -> Any:
            return F.embedding_bag(idx, w, offsets, mode=mode, padding_idx=2) ** 2
        assert tg.autograd.gradcheck(fn, (w,))
        assert tg.autograd.gradgradcheck(fn, (w,))
    def weighted(w: Any, p: Any) -> Any:
        return F.embedding_bag(idx, w, offsets, mode="sum", per_sample_weights=p) ** 2
    assert tg.autograd.gradcheck(weighted, (w, psw))
    assert tg.autograd.gradgradcheck(weighted, (w, psw))


@pytest.mark.parametrize("kwargs", [dict(mode="sum"), dict(mode="max", padding_idx=-2),
                                    dict(max_norm=1.0, norm_type=1.5, padding_idx=0)],
                         ids=str)
def test_embedding_bag_module_matches_torch(kwargs: dict[str, Any]) -> None:
    results = []
    for lib in (tg, torch):
        lib.manual_seed(0)
        bag = lib.nn.EmbeddingBag(10, 3, **kwargs)
        init = bag.weight.detach().numpy().copy()
        out = bag(lib.tensor(INPUT), lib.tensor([0, 4, 4]))
        out.sum().backward()
        results.append([init, out.detach().numpy(), bag.weight.grad.numpy(), repr(bag),
                        bag.padding_idx, list(bag.state_dict())])
    for a, b in zip(*results):
        if isinstance(a, np.ndarray):
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
        else:
            assert a == b


def test_embedding_bag_state_dict_and_from_pretrained() -> None:
    theirs = torch.nn.EmbeddingBag(10, 4, mode="max")
    mine = tg.nn.EmbeddingBag(10, 4, mode="max")
    mine.load_state_dict({k: tg.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in mine.state_dict().items()})
    for freeze in (True, False):
        a = tg.nn.EmbeddingBag.from_pretrained(tg.tensor(WEIGHT), freeze=freeze, mode="sum",
                                               include_last_offset=True)
        b = torch.nn.EmbeddingBag.from_pretrained(torch.tensor(WEIGHT), freeze=freeze,
                                                  mode="sum", include_last_offset=True)
        assert a.weight.requires_grad == b.weight.requires_grad == (not freeze)
        np.testing.assert_allclose(a(tg.tensor(INPUT), tg.tensor([0, 2, 11])).detach().numpy(),
                                   b(torch.tensor(INPUT), torch.tensor([0, 2, 11])).detach()
                                   .numpy(), rtol=1e-12)
    assert repr(a) == repr(b)


def _same_error(call: Any) -> None:
    caught = []
    for lib in (tg, torch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(Exception) as info:
                call(lib, F if lib is tg else TF)
        caught.append((type(info.value), str(info.value).replace("torch.Size", "Size")
                       .replace("torch.Tensor", "Tensor").replace("tinygrad_edu.", "")))
    assert caught[0] == caught[1]


def _bag(lib: Any, fn: Any, idx: Any, offsets: Any = (0,), dtype: str = "float64",
         **kwargs: Any) -> Any:
    w = lib.tensor(WEIGHT.astype(dtype))
    return fn.embedding_bag(lib.tensor(idx), w, None if offsets is None else
                            lib.tensor(offsets), **kwargs)


@pytest.mark.parametrize("call", [
    lambda lib, fn: _bag(lib, fn, [1, 10]),
    lambda lib, fn: _bag(lib, fn, [1, -1]),
    lambda lib, fn: _bag(lib, fn, [1, 10], dtype="float32"),
    lambda lib, fn: _bag(lib, fn, [-1, 1], dtype="float32", mode="max"),
    lambda lib, fn: _bag(lib, fn, [1.0, 2.0]),
    lambda lib, fn: _bag(lib, fn, [1, 2], [0.0]),
    lambda lib, fn: _bag(lib, fn, [1, 2], [1, 2]),
    lambda lib, fn: _bag(lib, fn, [1, 2], [0, 3]),
    lambda lib, fn: _bag(lib, fn, [1, 2], mode="max", per_sample_weights=lib.ones(2)),
    lambda lib, fn: _bag(lib, fn, [1, 2], mode="sum", per_sample_weights=lib.ones(3)),
    lambda lib, fn: _bag(lib, fn, [1, 2], mode="sum",
                         per_sample_weights=lib.ones(2, dtype=lib.float32)),
    lambda lib, fn: _bag(lib, fn, [1, 2], mode="foo"),
    lambda lib, fn: _bag(lib, fn, [1, 2], None),
    lambda lib, fn: _bag(lib, fn, [[1, 2]]),
    lambda lib, fn: _bag(lib, fn, [[[1, 2]]], None),
    lambda lib, fn: _bag(lib, fn, [1, 2], [[0]]),
    lambda lib, fn: fn.embedding_bag(lib.tensor([1, 2]), lib.ones(3), lib.tensor([0])),
    lambda lib, fn: _bag(lib, fn, [1, 2], padding_idx=10),
    lambda lib, fn: _bag(lib, fn, [1, 2], padding_idx=-11),
    lambda lib, fn: _bag(lib, fn, [1, 2], mode="max", scale_grad_by_freq=True),
    lambda lib, fn: _bag(lib, fn, [1, 2], [], include_last_offset=True),
    lambda lib, fn: lib.nn.EmbeddingBag(10, 3, padding_idx=10),
    lambda lib, fn: lib.nn.EmbeddingBag(10, 3, padding_idx=-11),
    lambda lib, fn: lib.nn.EmbeddingBag(10, 3, _weight=lib.ones(3, 3)),
    lambda lib, fn: lib.nn.EmbeddingBag.from_pretrained(lib.ones(3)),
])
def test_embedding_bag_errors_match_torch(call: Any) -> None:
    _same_error(call)


def test_embedding_bag_decreasing_offsets_raise() -> None:
    """(PyTorch reads past the bag, or raises, depending on the kernel.)"""
    with pytest.raises(RuntimeError, match="Expected i < index_size to be true"):
        _bag(tg, F, [1, 2, 3], [0, 2, 1], mode="max")


def test_embedding_bag_empty_offsets_and_swapped_arguments_like_torch() -> None:
    for lib, fn in ((tg, F), (torch, TF)):
        # (float32: torch's float64 kernel crashes on empty offsets)
        out = fn.embedding_bag(lib.tensor([1, 2]), lib.tensor(WEIGHT.astype(np.float32)),
                               lib.tensor([], dtype=lib.int64))
        assert tuple(out.shape) == (0, 4)
        with pytest.warns(UserWarning, match="Argument order of nn.functional.embedding_bag"):
            out = fn.embedding_bag(lib.tensor(WEIGHT), lib.tensor([1, 2]), lib.tensor([0]))
        np.testing.assert_allclose(out.numpy(), WEIGHT[[1, 2]].mean(0, keepdims=True))
