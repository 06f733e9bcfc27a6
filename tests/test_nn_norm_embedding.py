"""``nn.Embedding``, ``nn.BatchNorm1d/2d``, ``nn.LayerNorm``, ``nn.InstanceNorm1d/2d/3d``,
``nn.GroupNorm``, ``nn.LocalResponseNorm``, ``nn.ParameterList`` and ``nn.ParameterDict``
(and their ``F.`` functions) against
PyTorch: initial weights, values, gradients of inputs and parameters, running statistics
over several training steps, eval mode, state_dict keys and dtypes, reprs and errors; then
first and second derivatives against finite differences in float64.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn

DTYPES = ["float32", "float64"]
TOL = {"float32": dict(rtol=1e-5, atol=1e-6), "float64": dict(rtol=1e-10, atol=1e-12)}


@pytest.fixture
def torch() -> Any:
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    return torch


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def _randn(
    shape: tuple[int, ...], dtype: str, seed: int = 0, scale: float = 1.0, shift: float = 0.0
) -> np.ndarray:
    return (_rng(seed).standard_normal(shape) * scale + shift).astype(dtype)


def _np(t: Any) -> np.ndarray:
    """The values of a tinygrad_edu or torch tensor as an ndarray."""
    return np.asarray(t.detach().numpy())


def _close(ours: Any, theirs: Any, dtype: str, what: str) -> None:
    assert ours is not None, f"{what}: missing"
    np.testing.assert_allclose(_np(ours), _np(theirs), err_msg=what, **TOL[dtype])


def _raises_like(torch: Any, ours: Callable[[], Any], theirs: Callable[[], Any]) -> None:
    """Both calls raise the same exception class with the same message (torch's
    ``torch.Size`` reads ``tinygrad_edu.Size`` here, as everywhere in the package)."""
    with pytest.raises(Exception) as expected:
        theirs()
    with pytest.raises(expected.type) as got:
        ours()
    assert str(got.value).replace("tinygrad_edu.", "torch.") == str(expected.value)


def _copy_state(module: nn.Module, torch_module: Any) -> None:
    """Load torch's state into ours (values only, so that they start equal)."""
    state = {k: v.detach().clone() for k, v in torch_module.state_dict().items()}
    module.load_state_dict(state)


def _randomize_affine(torch: Any, torch_module: Any, seed: int = 1) -> None:
    """Weight and bias away from 1 and 0, so that their gradients matter."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in torch_module.parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=p.dtype))


# ------------------------------------------------------------------------------ Embedding


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("padding_idx", [None, 0, 3, -1])
def test_embedding_init_equals_torch_bit_for_bit(torch: Any, dtype: str, padding_idx: Any) -> None:
    tg.manual_seed(7)
    ours = nn.Embedding(20, 5, padding_idx=padding_idx, dtype=getattr(tg, dtype))
    torch.manual_seed(7)
    theirs = torch.nn.Embedding(20, 5, padding_idx=padding_idx, dtype=getattr(torch, dtype))
    assert ours.weight.dtype.name == dtype
    np.testing.assert_array_equal(_np(ours.weight), _np(theirs.weight))
    if padding_idx is not None:
        assert ours.padding_idx == theirs.padding_idx
        assert not _np(ours.weight)[padding_idx].any()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("index_dtype", ["int64", "int32"])
@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"padding_idx": 2},
        {"scale_grad_by_freq": True},
        {"padding_idx": 1, "scale_grad_by_freq": True},
    ],
)
def test_embedding_forward_backward_parity(
    torch: Any, dtype: str, index_dtype: str, kwargs: dict[str, Any]
) -> None:
    weight = _randn((6, 4), dtype)
    idx = np.array([[1, 2, 2, 5], [0, 1, 1, 1], [2, 2, 4, 1]], dtype=index_dtype)
    grad = _randn(idx.shape + (4,), dtype, seed=3)
    results = []
    for lib in (tg, torch):
        w = lib.tensor(weight, requires_grad=True)
        out = lib.nn.functional.embedding(lib.tensor(idx), w, **kwargs)
        out.backward(lib.tensor(grad))
        results.append((out, w.grad))
    (out, gw), (t_out, t_gw) = results
    assert out.dtype.name == dtype and tuple(out.shape) == tuple(t_out.shape)
    assert out.grad_fn.name() == t_out.grad_fn.name() == "EmbeddingBackward0"
    _close(out, t_out, dtype, "forward")
    _close(gw, t_gw, dtype, "backward, weight")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kwargs", [{}, {"padding_idx": 3, "scale_grad_by_freq": True}])
def test_embedding_backward_of_many_indices_matches_torch(
    torch: Any, dtype: str, kwargs: dict[str, Any]
) -> None:
    # >= 256 lookups take the sorted add.reduceat path instead of np.add.at
    weight, idx = _randn((30, 8), dtype), _rng(1).integers(0, 20, size=(40, 25))
    grad = _randn(idx.shape + (8,), dtype, seed=2)
    grads = []
    for lib in (tg, torch):
        w = lib.tensor(weight, requires_grad=True)
        lib.nn.functional.embedding(lib.tensor(idx), w, **kwargs).backward(lib.tensor(grad))
        grads.append(w.grad)
    _close(grads[0], grads[1], dtype, "backward, weight")
    assert not _np(grads[0])[20:].any()  # rows never looked up get nothing


def test_embedding_padding_row_gets_no_gradient() -> None:
    emb = nn.Embedding(4, 3, padding_idx=2)
    emb(tg.tensor([2, 2, 0])).sum().backward()
    assert emb.weight.grad is not None
    np.testing.assert_array_equal(emb.weight.grad.numpy()[2], 0.0)
    np.testing.assert_array_equal(emb.weight.grad.numpy()[0], 1.0)


def test_embedding_zero_dim_and_empty_indices(torch: Any) -> None:
    weight = _randn((5, 3), "float32")
    for idx in (np.array(3), np.zeros((0, 2), np.int64)):
        ours = F.embedding(tg.tensor(idx), tg.tensor(weight))
        theirs = torch.nn.functional.embedding(torch.tensor(idx), torch.tensor(weight))
        assert tuple(ours.shape) == tuple(theirs.shape)
        np.testing.assert_array_equal(_np(ours), _np(theirs))


@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf")])
def test_embedding_max_norm_renormalizes_looked_up_rows_like_torch(
    torch: Any, norm_type: float
) -> None:
    weight = _randn((6, 4), "float32", scale=2.0)
    idx = np.array([[0, 3], [3, 5]])
    ours_w, theirs_w = (
        tg.tensor(weight, requires_grad=True),
        torch.tensor(weight, requires_grad=True),
    )
    ours = F.embedding(tg.tensor(idx), ours_w, max_norm=1.5, norm_type=norm_type)
    theirs = torch.nn.functional.embedding(
        torch.tensor(idx), theirs_w, max_norm=1.5, norm_type=norm_type
    )
    _close(ours_w, theirs_w, "float32", "weight renormalized in place")
    assert not np.allclose(_np(ours_w), weight)  # something was rescaled
    np.testing.assert_array_equal(_np(ours_w)[[1, 2, 4]], weight[[1, 2, 4]])  # not looked up
    _close(ours, theirs, "float32", "forward")
    ours.sum().backward()
    theirs.sum().backward()
    _close(ours_w.grad, theirs_w.grad, "float32", "backward, weight")


def test_embedding_module_parity_after_sgd_steps(torch: Any) -> None:
    torch.manual_seed(0)
    theirs = torch.nn.Embedding(8, 3, padding_idx=0)
    tg.manual_seed(0)
    ours = nn.Embedding(8, 3, padding_idx=0)
    opt, t_opt = (
        tg.optim.SGD(ours.parameters(), lr=0.5),
        torch.optim.SGD(theirs.parameters(), lr=0.5),
    )
    for step in range(3):
        idx = _rng(step).integers(0, 8, size=(4, 5))
        target = _randn((4, 5, 3), "float32", seed=10 + step)
        for model, o, lib in ((ours, opt, tg), (theirs, t_opt, torch)):
            o.zero_grad()
            ((model(lib.tensor(idx)) - lib.tensor(target)) ** 2).mean().backward()
            o.step()
    _close(ours.weight, theirs.weight, "float32", "weight after 3 SGD steps")
    assert not _np(ours.weight)[0].any()


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"padding_idx": 0},
        {"padding_idx": -2},
        {"max_norm": 1.0},
        {"norm_type": 1.0},
        {"scale_grad_by_freq": True},
        {"sparse": True},
        {"padding_idx": 1, "max_norm": 2.5, "norm_type": 3, "scale_grad_by_freq": True},
    ],
)
def test_embedding_repr(torch: Any, kwargs: dict[str, Any]) -> None:
    assert repr(nn.Embedding(10, 4, **kwargs)) == repr(torch.nn.Embedding(10, 4, **kwargs))


def test_embedding_state_dict_and_attributes(torch: Any) -> None:
    ours, theirs = nn.Embedding(5, 2, padding_idx=-1), torch.nn.Embedding(5, 2, padding_idx=-1)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]
    assert ours.state_dict()["weight"].dtype.name == "float32"
    for name in (
        "num_embeddings",
        "embedding_dim",
        "padding_idx",
        "max_norm",
        "norm_type",
        "scale_grad_by_freq",
        "sparse",
    ):
        assert getattr(ours, name) == getattr(theirs, name), name
    assert [n for n, _ in ours.named_parameters()] == ["weight"]


def test_embedding_from_pretrained_frozen_shares_storage_and_trains_unfrozen(torch: Any) -> None:
    table = tg.tensor(_randn((4, 3), "float32"))
    emb = nn.Embedding.from_pretrained(table)
    assert not emb.weight.requires_grad
    assert repr(emb) == repr(torch.nn.Embedding.from_pretrained(torch.zeros(4, 3)))
    table._data[0, 0] = 42.0
    assert emb.weight._data[0, 0] == 42.0  # the same storage, as torch
    np.testing.assert_array_equal(emb(tg.tensor([1])).numpy(), table.numpy()[[1]])
    trainable = nn.Embedding.from_pretrained(table, freeze=False, padding_idx=2)
    assert trainable.weight.requires_grad and trainable.padding_idx == 2
    trainable(tg.tensor([1, 2])).sum().backward()
    assert trainable.weight.grad is not None
    np.testing.assert_array_equal(trainable.weight.grad.numpy()[[1, 2]], [[1] * 3, [0] * 3])


def test_embedding_custom_weight_and_freeze(torch: Any) -> None:
    w = tg.tensor(_randn((3, 2), "float64"))
    emb = nn.Embedding(3, 2, _weight=w, _freeze=True)
    assert not emb.weight.requires_grad and emb.weight.dtype.name == "float64"
    np.testing.assert_array_equal(emb.weight.numpy(), w.numpy())


def test_embedding_errors_match_torch(torch: Any) -> None:
    w, tw = tg.randn(5, 3), torch.randn(5, 3)
    cases: list[tuple[Callable[[], Any], Callable[[], Any]]] = [
        (
            lambda: F.embedding(tg.tensor([1.0]), w),
            lambda: torch.nn.functional.embedding(torch.tensor([1.0]), tw),
        ),
        (
            lambda: F.embedding(tg.tensor([1.0], dtype=tg.float64), w),
            lambda: torch.nn.functional.embedding(torch.tensor([1.0], dtype=torch.float64), tw),
        ),
        (
            lambda: F.embedding(tg.tensor([1], dtype=tg.int16), w),
            lambda: torch.nn.functional.embedding(torch.tensor([1], dtype=torch.int16), tw),
        ),
        (
            lambda: F.embedding(tg.tensor([True]), w),
            lambda: torch.nn.functional.embedding(torch.tensor([True]), tw),
        ),
        (
            lambda: F.embedding(tg.tensor([5]), w),
            lambda: torch.nn.functional.embedding(torch.tensor([5]), tw),
        ),
        (
            lambda: F.embedding(tg.tensor([0, -1]), w),
            lambda: torch.nn.functional.embedding(torch.tensor([0, -1]), tw),
        ),
        (
            lambda: F.embedding(tg.tensor([1]), tg.randn(5)),
            lambda: torch.nn.functional.embedding(torch.tensor([1]), torch.randn(5)),
        ),
        (
            lambda: F.embedding(tg.tensor([1]), w, padding_idx=5),
            lambda: torch.nn.functional.embedding(torch.tensor([1]), tw, padding_idx=5),
        ),
        (
            lambda: F.embedding(tg.tensor([1]), w, padding_idx=-6),
            lambda: torch.nn.functional.embedding(torch.tensor([1]), tw, padding_idx=-6),
        ),
        (
            lambda: F.embedding(tg.tensor([1.0]), w, max_norm=1.0),
            lambda: torch.nn.functional.embedding(torch.tensor([1.0]), tw, max_norm=1.0),
        ),
        (
            lambda: F.embedding(tg.tensor([0, 7]), tg.randn(5, 3), max_norm=1.0),
            lambda: torch.nn.functional.embedding(
                torch.tensor([0, 7]), torch.randn(5, 3), max_norm=1.0
            ),
        ),
        (lambda: F.embedding([1], w), lambda: torch.nn.functional.embedding([1], tw)),
        (
            lambda: F.embedding(tg.tensor([1]), [[1.0]]),
            lambda: torch.nn.functional.embedding(torch.tensor([1]), [[1.0]]),
        ),
        (
            lambda: nn.Embedding(5, 3, padding_idx=5),
            lambda: torch.nn.Embedding(5, 3, padding_idx=5),
        ),
        (
            lambda: nn.Embedding(5, 3, _weight=tg.randn(4, 3)),
            lambda: torch.nn.Embedding(5, 3, _weight=torch.randn(4, 3)),
        ),
        (
            lambda: nn.Embedding.from_pretrained(tg.randn(4)),
            lambda: torch.nn.Embedding.from_pretrained(torch.randn(4)),
        ),
    ]
    for ours, theirs in cases:
        _raises_like(torch, ours, theirs)


def test_embedding_sparse_is_not_implemented() -> None:
    emb = nn.Embedding(5, 3, sparse=True)
    with pytest.raises(NotImplementedError, match="sparse"):
        emb(tg.tensor([1]))


def test_embedding_gradcheck_and_gradgradcheck() -> None:
    idx = tg.tensor([[0, 2, 2], [3, 1, 2]])
    w = tg.tensor(_randn((4, 3), "float64"), requires_grad=True)
    # squared: a second derivative that is not zero
    assert tg.autograd.gradcheck(lambda w: F.embedding(idx, w) ** 2, (w,))
    assert tg.autograd.gradgradcheck(lambda w: F.embedding(idx, w) ** 2, (w,))
    # padding_idx and scale_grad_by_freq change the gradient on purpose (gradcheck would
    # disagree), but its own derivative must still be right
    assert tg.autograd.gradgradcheck(
        lambda w: F.embedding(idx, w, padding_idx=2, scale_grad_by_freq=True) ** 2, (w,)
    )


# ----------------------------------------------------------------------------- BatchNorm


def _bn_pair(torch: Any, cls_name: str, dtype: str, **kwargs: Any) -> tuple[Any, Any]:
    theirs = getattr(torch.nn, cls_name)(3, dtype=getattr(torch, dtype), **kwargs)
    _randomize_affine(torch, theirs)
    ours = getattr(nn, cls_name)(3, dtype=getattr(tg, dtype), **kwargs)
    _copy_state(ours, theirs)
    return ours, theirs


def _step(lib: Any, model: Any, x: np.ndarray, grad: np.ndarray) -> tuple[Any, Any]:
    """Forward and backward of one batch: (output, input tensor with its grad)."""
    xt = lib.tensor(x, requires_grad=True)
    out = model(xt)
    out.backward(lib.tensor(grad))
    return out, xt


def _compare_module(ours: Any, theirs: Any, dtype: str, what: str) -> None:
    for (name, p), (t_name, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert name == t_name
        _close(p.grad, tp.grad, dtype, f"{what}: grad of {name}")
    our_bufs, their_bufs = dict(ours.named_buffers()), dict(theirs.named_buffers())
    assert list(our_bufs) == list(their_bufs)
    for name, buf in their_bufs.items():
        _close(our_bufs[name], buf, dtype, f"{what}: buffer {name}")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "cls_name,shape",
    [("BatchNorm1d", (6, 3)), ("BatchNorm1d", (4, 3, 5)), ("BatchNorm2d", (2, 3, 4, 5))],
)
@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"momentum": None},
        {"momentum": 0.3, "eps": 1e-3},
        {"affine": False},
        {"bias": False},
        {"track_running_stats": False},
    ],
)
def test_batchnorm_training_steps_then_eval_match_torch(
    torch: Any, dtype: str, cls_name: str, shape: tuple[int, ...], kwargs: dict[str, Any]
) -> None:
    ours, theirs = _bn_pair(torch, cls_name, dtype, **kwargs)
    for step in range(4):  # running statistics move a little each step
        x = _randn(shape, dtype, seed=step, scale=1.0 + step, shift=step - 1.5)
        grad = _randn(shape, dtype, seed=100 + step)
        for m in (ours, theirs):
            m.zero_grad()
        (out, x_ours), (t_out, x_theirs) = (_step(tg, ours, x, grad), _step(torch, theirs, x, grad))
        assert out.dtype.name == dtype
        assert out.grad_fn.name() == t_out.grad_fn.name() == "NativeBatchNormBackward0"
        _close(out, t_out, dtype, f"train step {step}: forward")
        _close(x_ours.grad, x_theirs.grad, dtype, f"train step {step}: backward, input")
        _compare_module(ours, theirs, dtype, f"train step {step}")
    ours.eval()
    theirs.eval()
    for m in (ours, theirs):
        m.zero_grad()
    x, grad = _randn(shape, dtype, seed=50, shift=0.5), _randn(shape, dtype, seed=51)
    (out, x_ours), (t_out, x_theirs) = _step(tg, ours, x, grad), _step(torch, theirs, x, grad)
    _close(out, t_out, dtype, "eval: forward")
    _close(x_ours.grad, x_theirs.grad, dtype, "eval: backward, input")
    _compare_module(ours, theirs, dtype, "eval")


def test_batchnorm_running_var_update_uses_unbiased_variance() -> None:
    bn = nn.BatchNorm1d(1, momentum=1.0)
    bn(tg.tensor([[1.0], [3.0]]))
    assert bn.running_mean is not None and bn.running_var is not None
    assert bn.running_mean.item() == 2.0
    assert bn.running_var.item() == 2.0  # unbiased: ((1-2)^2 + (3-2)^2) / (2 - 1)


def test_batchnorm_momentum_none_is_cumulative_average() -> None:
    bn = nn.BatchNorm1d(1, momentum=None)
    for value in (1.0, 2.0, 6.0):
        bn(tg.tensor([[value - 1.0], [value + 1.0]]))
    assert bn.running_mean is not None and bn.num_batches_tracked is not None
    assert bn.running_mean.item() == pytest.approx(3.0)  # mean of the batch means 1, 2, 6
    assert bn.num_batches_tracked.item() == 3


def test_batchnorm_state_dict_keys_dtypes_and_repr(torch: Any) -> None:
    for kwargs in (
        {},
        {"affine": False, "momentum": None},
        {"track_running_stats": False},
        {"bias": False, "eps": 1e-3},
    ):
        for cls_name in ("BatchNorm1d", "BatchNorm2d"):
            ours, theirs = (
                getattr(nn, cls_name)(4, **kwargs),
                getattr(torch.nn, cls_name)(4, **kwargs),
            )
            assert repr(ours) == repr(theirs)
            ours_sd, theirs_sd = ours.state_dict(), theirs.state_dict()
            assert list(ours_sd) == list(theirs_sd)
            for key, value in theirs_sd.items():
                assert ours_sd[key].dtype.name == str(value.dtype).split(".")[1], key
                assert tuple(ours_sd[key].shape) == tuple(value.shape), key
                np.testing.assert_array_equal(_np(ours_sd[key]), _np(value), err_msg=key)
            assert [n for n, _ in ours.named_parameters()] == [
                n for n, _ in theirs.named_parameters()
            ]


def test_batchnorm_buffers_follow_module_dtype_casts() -> None:
    bn = nn.BatchNorm1d(3).double()
    assert bn.running_mean is not None and bn.num_batches_tracked is not None
    assert bn.running_mean.dtype.name == "float64"
    assert bn.num_batches_tracked.dtype.name == "int64"  # integer buffers are not cast
    assert bn(tg.randn(4, 3, dtype=tg.float64)).dtype.name == "float64"


def test_batchnorm_loads_torch_state_dict_and_agrees_in_eval(torch: Any) -> None:
    theirs = torch.nn.BatchNorm2d(3)
    for _ in range(3):
        theirs(torch.randn(4, 3, 2, 2) * 3 + 1)
    ours = nn.BatchNorm2d(3)
    ours.load_state_dict(theirs.state_dict())
    assert ours.num_batches_tracked is not None and ours.num_batches_tracked.item() == 3
    x = _randn((2, 3, 2, 2), "float32")
    _close(ours.eval()(tg.tensor(x)), theirs.eval()(torch.tensor(x)), "float32", "eval")


def test_batchnorm_empty_batch_leaves_running_stats(torch: Any) -> None:
    rm, rv = tg.tensor([1.0, 1.0]), tg.tensor([2.0, 2.0])
    out = F.batch_norm(tg.zeros(0, 2), rm, rv, training=True)
    assert tuple(out.shape) == (0, 2)
    np.testing.assert_array_equal(rm.numpy(), [1.0, 1.0])
    np.testing.assert_array_equal(rv.numpy(), [2.0, 2.0])


def test_batch_norm_functional_updates_given_running_stats_like_torch(torch: Any) -> None:
    x, w, b = _randn((5, 3, 2), "float64"), _randn((3,), "float64", 1), _randn((3,), "float64", 2)
    results = []
    for lib in (tg, torch):
        ts = [lib.tensor(a, requires_grad=True) for a in (x, w, b)]
        rm, rv = lib.tensor(_randn((3,), "float64", 3)), lib.ones(3, dtype=lib.float64)
        out = lib.nn.functional.batch_norm(
            ts[0], rm, rv, ts[1], ts[2], training=True, momentum=0.25
        )
        (out * out * lib.tensor(x)).sum().backward()
        results.append([out, rm, rv] + [t.grad for t in ts])
    for i, (a, c) in enumerate(zip(*results)):
        _close(a, c, "float64", f"output/stats/grad {i}")


def test_batchnorm_errors_match_torch(torch: Any) -> None:
    bn, tbn = nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3)
    tF = torch.nn.functional
    x, tx = tg.randn(4, 3), torch.randn(4, 3)
    ones, t_ones = tg.ones(3), torch.ones(3)
    cases: list[tuple[Callable[[], Any], Callable[[], Any]]] = [
        (lambda: bn(tg.randn(1, 3)), lambda: tbn(torch.randn(1, 3))),
        (lambda: bn(tg.randn(1, 3, 1)), lambda: tbn(torch.randn(1, 3, 1))),
        (lambda: bn(tg.randn(4)), lambda: tbn(torch.randn(4))),
        (lambda: bn(tg.randn(4, 4)), lambda: tbn(torch.randn(4, 4))),
        (
            lambda: bn(tg.randn(4, 3, 2, dtype=tg.float64)),
            lambda: tbn(torch.randn(4, 3, 2, dtype=torch.float64)),
        ),
        (
            lambda: nn.BatchNorm2d(3)(tg.randn(4, 3, 2)),
            lambda: torch.nn.BatchNorm2d(3)(torch.randn(4, 3, 2)),
        ),
        (lambda: F.batch_norm(x, None, None), lambda: tF.batch_norm(tx, None, None)),
        (
            lambda: F.batch_norm(x, tg.zeros(3), None),
            lambda: tF.batch_norm(tx, torch.zeros(3), None),
        ),
        (
            lambda: F.batch_norm(x, tg.zeros(3), None, training=True),
            lambda: tF.batch_norm(tx, torch.zeros(3), None, training=True),
        ),
        (
            lambda: F.batch_norm(x, tg.zeros(4), tg.ones(4), training=True),
            lambda: tF.batch_norm(tx, torch.zeros(4), torch.ones(4), training=True),
        ),
        (
            lambda: F.batch_norm(x, tg.zeros(3), tg.ones(4), training=True),
            lambda: tF.batch_norm(tx, torch.zeros(3), torch.ones(4), training=True),
        ),
        (
            lambda: F.batch_norm(x, None, None, tg.ones(4), training=True),
            lambda: tF.batch_norm(tx, None, None, torch.ones(4), training=True),
        ),
        (
            lambda: F.batch_norm(x, None, None, ones, tg.ones(5), training=True),
            lambda: tF.batch_norm(tx, None, None, t_ones, torch.ones(5), training=True),
        ),
        (
            lambda: F.batch_norm(x, None, None, training=True, eps=0.0),
            lambda: tF.batch_norm(tx, None, None, training=True, eps=0.0),
        ),
        (
            lambda: F.batch_norm(x, ones, ones, eps=-1.0),
            lambda: tF.batch_norm(tx, t_ones, t_ones, eps=-1.0),
        ),
        (
            lambda: F.batch_norm(x.long(), None, None, training=True),
            lambda: tF.batch_norm(tx.long(), None, None, training=True),
        ),
        (
            lambda: F.batch_norm(x, None, None, ones.double(), training=True),
            lambda: tF.batch_norm(tx, None, None, t_ones.double(), training=True),
        ),
        (
            lambda: F.batch_norm(x.double(), ones, ones, training=True),
            lambda: tF.batch_norm(tx.double(), t_ones, t_ones, training=True),
        ),
        (
            lambda: F.batch_norm(tg.randn(4), None, None, training=True),
            lambda: tF.batch_norm(torch.randn(4), None, None, training=True),
        ),
    ]
    for ours, theirs in cases:
        _raises_like(torch, ours, theirs)


def test_batchnorm_batch_of_one_message() -> None:
    with pytest.raises(ValueError) as info:
        nn.BatchNorm1d(3)(tg.randn(1, 3))
    assert str(info.value) == (
        "Expected more than 1 value per channel when training, got input "
        "size tinygrad_edu.Size([1, 3])"
    )
    nn.BatchNorm1d(3).eval()(tg.randn(1, 3))  # fine in eval mode


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_gradcheck_and_gradgradcheck(training: bool) -> None:
    x = tg.tensor(_randn((4, 3, 2), "float64", shift=0.5), requires_grad=True)
    w = tg.tensor(_randn((3,), "float64", 1), requires_grad=True)
    b = tg.tensor(_randn((3,), "float64", 2), requires_grad=True)
    rm, rv = tg.tensor(_randn((3,), "float64", 3)), tg.tensor(_randn((3,), "float64", 4) ** 2)

    def fn(x: tg.Tensor, w: tg.Tensor, b: tg.Tensor) -> tg.Tensor:
        return F.batch_norm(
            x, None if training else rm, None if training else rv, w, b, training=training
        )

    assert tg.autograd.gradcheck(fn, (x, w, b))
    assert tg.autograd.gradgradcheck(fn, (x, w, b))
    assert tg.autograd.gradgradcheck(lambda x: F.batch_norm(x, None, None, training=True), (x,))


def test_batch_norm_second_derivative_matches_torch(torch: Any) -> None:
    x, w = _randn((5, 3), "float64"), _randn((3,), "float64", 1)
    results = []
    for lib in (tg, torch):
        xt, wt = lib.tensor(x, requires_grad=True), lib.tensor(w, requires_grad=True)
        out = lib.nn.functional.batch_norm(xt, None, None, wt, training=True)
        (gx,) = lib.autograd.grad((out**3).sum(), xt, create_graph=True)
        (gx * gx).sum().backward()
        results.append((gx, xt.grad, wt.grad))
    for i, (a, c) in enumerate(zip(*results)):
        _close(a, c, "float64", f"second order, {i}")


# ----------------------------------------------------------------------------- LayerNorm


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "shape,normalized_shape",
    [((4, 6), 6), ((2, 3, 5), (5,)), ((2, 3, 4), [3, 4]), ((5,), 5)],
)
@pytest.mark.parametrize(
    "kwargs",
    [{}, {"elementwise_affine": False}, {"bias": False}, {"eps": 1e-2}],
)
def test_layernorm_matches_torch(
    torch: Any, dtype: str, shape: tuple[int, ...], normalized_shape: Any, kwargs: dict[str, Any]
) -> None:
    theirs = torch.nn.LayerNorm(normalized_shape, dtype=getattr(torch, dtype), **kwargs)
    _randomize_affine(torch, theirs)
    ours = nn.LayerNorm(normalized_shape, dtype=getattr(tg, dtype), **kwargs)
    _copy_state(ours, theirs)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for mode in ("train", "eval"):  # the same in both modes
        getattr(ours, mode)()
        getattr(theirs, mode)()
        ours.zero_grad()
        theirs.zero_grad()
        x, grad = _randn(shape, dtype, scale=3.0, shift=2.0), _randn(shape, dtype, seed=9)
        (out, x_ours), (t_out, x_theirs) = _step(tg, ours, x, grad), _step(torch, theirs, x, grad)
        assert out.dtype.name == dtype
        assert out.grad_fn.name() == t_out.grad_fn.name() == "NativeLayerNormBackward0"
        _close(out, t_out, dtype, f"{mode}: forward")
        _close(x_ours.grad, x_theirs.grad, dtype, f"{mode}: backward, input")
        _compare_module(ours, theirs, dtype, mode)


def test_layernorm_parameters_and_repr(torch: Any) -> None:
    for args, kwargs in (
        ((3,), {}),
        (([2, 3],), {"elementwise_affine": False}),
        (((3,),), {"bias": False, "eps": 1e-3}),
    ):
        ours, theirs = nn.LayerNorm(*args, **kwargs), torch.nn.LayerNorm(*args, **kwargs)
        assert repr(ours) == repr(theirs)
        assert ours.normalized_shape == theirs.normalized_shape
        for key, value in theirs.state_dict().items():
            np.testing.assert_array_equal(_np(ours.state_dict()[key]), _np(value))
        assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]


def test_layernorm_errors_match_torch(torch: Any) -> None:
    tF = torch.nn.functional
    x, tx = tg.randn(2, 3), torch.randn(2, 3)
    cases: list[tuple[Callable[[], Any], Callable[[], Any]]] = [
        (lambda: nn.LayerNorm(3)(tg.randn(2, 4)), lambda: torch.nn.LayerNorm(3)(torch.randn(2, 4))),
        (lambda: nn.LayerNorm(3)(tg.randn(())), lambda: torch.nn.LayerNorm(3)(torch.randn(()))),
        (
            lambda: nn.LayerNorm([2, 3])(tg.randn(4, 3, 2)),
            lambda: torch.nn.LayerNorm([2, 3])(torch.randn(4, 3, 2)),
        ),
        (lambda: F.layer_norm(x, (3,), tg.ones(4)), lambda: tF.layer_norm(tx, (3,), torch.ones(4))),
        (
            lambda: F.layer_norm(x, (3,), None, tg.ones(4)),
            lambda: tF.layer_norm(tx, (3,), None, torch.ones(4)),
        ),
        (
            lambda: F.layer_norm(x, (3,), tg.ones(1, 3)),
            lambda: tF.layer_norm(tx, (3,), torch.ones(1, 3)),
        ),
        (lambda: F.layer_norm([1.0], [1]), lambda: tF.layer_norm([1.0], [1])),
        (lambda: F.layer_norm(x, 3), lambda: tF.layer_norm(tx, 3)),
        (lambda: F.layer_norm(x, (3.0,)), lambda: tF.layer_norm(tx, (3.0,))),
        (lambda: F.layer_norm(x, []), lambda: tF.layer_norm(tx, [])),
        (lambda: F.layer_norm(x.long(), [3]), lambda: tF.layer_norm(tx.long(), [3])),
        (
            lambda: F.layer_norm(x, [3], tg.ones(3).double()),
            lambda: tF.layer_norm(tx, [3], torch.ones(3).double()),
        ),
        (
            lambda: F.layer_norm(x.double(), [3], None, tg.ones(3)),
            lambda: tF.layer_norm(tx.double(), [3], None, torch.ones(3)),
        ),
    ]
    for ours, theirs in cases:
        _raises_like(torch, ours, theirs)


def test_layer_norm_gradcheck_and_gradgradcheck() -> None:
    x = tg.tensor(_randn((3, 2, 4), "float64", shift=1.0), requires_grad=True)
    w = tg.tensor(_randn((2, 4), "float64", 1), requires_grad=True)
    b = tg.tensor(_randn((2, 4), "float64", 2), requires_grad=True)

    def fn(x: tg.Tensor, w: tg.Tensor, b: tg.Tensor) -> tg.Tensor:
        return F.layer_norm(x, (2, 4), w, b)

    assert tg.autograd.gradcheck(fn, (x, w, b))
    assert tg.autograd.gradgradcheck(fn, (x, w, b))
    assert tg.autograd.gradgradcheck(lambda x: F.layer_norm(x, [4], eps=0.1), (x,))


def test_layer_norm_second_derivative_matches_torch(torch: Any) -> None:
    x, w = _randn((4, 5), "float64"), _randn((5,), "float64", 1)
    results = []
    for lib in (tg, torch):
        xt, wt = lib.tensor(x, requires_grad=True), lib.tensor(w, requires_grad=True)
        out = lib.nn.functional.layer_norm(xt, (5,), wt)
        (gx,) = lib.autograd.grad((out**3).sum(), xt, create_graph=True)
        (gx * gx).sum().backward()
        results.append((gx, xt.grad, wt.grad))
    for i, (a, c) in enumerate(zip(*results)):
        _close(a, c, "float64", f"second order, {i}")


def test_layernorm_is_stable_for_a_large_offset() -> None:
    # E[x^2] - E[x]^2 would cancel to garbage here; the two-pass variance does not
    x = tg.tensor([[1e4 + 1.0, 1e4 - 1.0]], dtype=tg.float32)
    np.testing.assert_allclose(F.layer_norm(x, (2,)).numpy(), [[1.0, -1.0]], rtol=1e-4)


# ---------------------------------------------------------- InstanceNorm, GroupNorm, LRN


def _pair(torch: Any, cls_name: str, args: tuple[Any, ...], dtype: str, **kw: Any) -> Any:
    """(ours, torch's) layer with torch's randomized affine parameters copied into ours."""
    theirs = getattr(torch.nn, cls_name)(*args, dtype=getattr(torch, dtype), **kw)
    _randomize_affine(torch, theirs)
    ours = getattr(nn, cls_name)(*args, dtype=getattr(tg, dtype), **kw)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    _copy_state(ours, theirs)
    return ours, theirs


INSTANCE_CASES = [
    ("InstanceNorm1d", (4, 3, 5)),
    ("InstanceNorm1d", (3, 5)),  # unbatched (C, L)
    ("InstanceNorm2d", (2, 3, 4, 5)),
    ("InstanceNorm2d", (3, 2, 4)),  # unbatched
    ("InstanceNorm3d", (2, 3, 2, 3, 2)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("cls_name,shape", INSTANCE_CASES)
@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"affine": True},
        {"affine": True, "bias": False, "eps": 1e-3},
        {"track_running_stats": True},
        {"track_running_stats": True, "affine": True, "momentum": 0.3},
        {"track_running_stats": True, "momentum": None},
    ],
)
def test_instancenorm_training_steps_then_eval_match_torch(
    torch: Any, dtype: str, cls_name: str, shape: tuple[int, ...], kwargs: dict[str, Any]
) -> None:
    """Values, input and parameter grads, running statistics (momentum, unbiased var,
    averaged over the batch) step by step, then eval mode; grad_fn as torch's
    (batch norm of a reshaped input, viewed back)."""
    ours, theirs = _pair(torch, cls_name, (3,), dtype, **kwargs)
    for step in range(3):
        x = _randn(shape, dtype, seed=step, scale=1.0 + step, shift=step - 1.5)
        grad = _randn(shape, dtype, seed=100 + step)
        for m in (ours, theirs):
            m.zero_grad()
        (out, x_ours), (t_out, x_theirs) = (_step(tg, ours, x, grad), _step(torch, theirs, x, grad))
        assert out.grad_fn.name() == t_out.grad_fn.name()
        _close(out, t_out, dtype, f"train step {step}: forward")
        _close(x_ours.grad, x_theirs.grad, dtype, f"train step {step}: backward, input")
        _compare_module(ours, theirs, dtype, f"train step {step}")
    ours.eval()
    theirs.eval()
    for m in (ours, theirs):
        m.zero_grad()
    x, grad = _randn(shape, dtype, seed=50, shift=0.5), _randn(shape, dtype, seed=51)
    (out, x_ours), (t_out, x_theirs) = _step(tg, ours, x, grad), _step(torch, theirs, x, grad)
    assert out.grad_fn.name() == t_out.grad_fn.name()
    _close(out, t_out, dtype, "eval: forward")
    _close(x_ours.grad, x_theirs.grad, dtype, "eval: backward, input")
    _compare_module(ours, theirs, dtype, "eval")
    theirs.load_state_dict({k: torch.tensor(_np(v)) for k, v in ours.state_dict().items()})


def test_instance_norm_graph_is_torchs(torch: Any) -> None:
    """torch's instance_norm is batch norm of x viewed (1, N * C, *) with w and b repeated
    N times: the same nodes here."""

    def names(lib: Any) -> list[Any]:
        x = lib.ones(2, 3, 4, requires_grad=True)
        w, b = lib.ones(3, requires_grad=True), lib.zeros(3, requires_grad=True)
        node = lib.nn.functional.instance_norm(x * 2, weight=w, bias=b).grad_fn
        inner = node.next_functions[0][0]
        return [node.name(), inner.name()] + [
            None if f is None else f.name() for f, _ in inner.next_functions
        ]

    assert names(tg) == names(torch)


def test_instance_norm_functional_running_stats_like_torch(torch: Any) -> None:
    x = _randn((3, 2, 5), "float32", shift=1.0)
    results = []
    for lib in (tg, torch):
        rm, rv = lib.tensor([0.5, -1.0]), lib.tensor([2.0, 0.5])
        out = lib.nn.functional.instance_norm(lib.tensor(x), rm, rv, momentum=0.4)
        frozen = lib.nn.functional.instance_norm(
            lib.tensor(x), rm, rv, use_input_stats=False, eps=0.0
        )
        results.append([_np(t) for t in (out, frozen, rm, rv)])
    for a, c in zip(*results):
        np.testing.assert_allclose(a, c, **TOL["float32"])


def test_instancenorm_unbatched_size_mismatch_warns_like_torch(torch: Any) -> None:
    """A (N, C) batch given to InstanceNorm1d reads as an unbatched (C, L) input: torch
    warns that dim 0 is not num_features (and raises with affine=True)."""
    x = _randn((5, 3), "float32")
    with pytest.warns(UserWarning, match="input's size at dim=0 does not match num_features"):
        out = nn.InstanceNorm1d(3)(tg.tensor(x))
    with pytest.warns(UserWarning):
        expected = torch.nn.InstanceNorm1d(3)(torch.tensor(x))
    _close(out, expected, "float32", "forward")
    _raises_like(
        torch,
        lambda: nn.InstanceNorm1d(3, affine=True)(tg.zeros(5, 3)),
        lambda: torch.nn.InstanceNorm1d(3, affine=True)(torch.zeros(5, 3)),
    )


INSTANCE_ERRORS: dict[str, Callable[[Any], Any]] = {
    "1d given 4-D": lambda L: L.nn.InstanceNorm1d(3)(L.zeros(2, 3, 4, 5)),
    "2d given 2-D": lambda L: L.nn.InstanceNorm2d(3)(L.zeros(3, 4)),
    "3d given 3-D": lambda L: L.nn.InstanceNorm3d(3)(L.zeros(2, 3, 4)),
    "one position": lambda L: L.nn.functional.instance_norm(L.zeros(2, 3, 1)),
    "1-D input": lambda L: L.nn.functional.instance_norm(L.zeros(4)),
    "no running stats in eval": lambda L: L.nn.functional.instance_norm(
        L.zeros(2, 3, 4), use_input_stats=False
    ),
    "one running stat": lambda L: L.nn.functional.instance_norm(L.zeros(2, 3, 4), L.zeros(3)),
    "running_mean size": lambda L: L.nn.functional.instance_norm(
        L.zeros(2, 3, 4), L.zeros(2), L.ones(2)
    ),
    "weight size": lambda L: L.nn.functional.instance_norm(
        L.zeros(2, 3, 4), None, None, L.ones(4)
    ),
    "weight 2-D": lambda L: L.nn.functional.instance_norm(
        L.zeros(2, 3, 4), None, None, L.ones(3, 1)
    ),
    "int input": lambda L: L.nn.functional.instance_norm(L.zeros(2, 3, 4, dtype=L.int64)),
    "mixed dtypes": lambda L: L.nn.functional.instance_norm(
        L.zeros(2, 3, 4), None, None, L.ones(3, dtype=L.float64)
    ),
    "affine channels": lambda L: L.nn.InstanceNorm2d(4, affine=True)(L.zeros(2, 3, 4, 4)),
}


@pytest.mark.parametrize("name", list(INSTANCE_ERRORS))
def test_instancenorm_errors_match_torch(torch: Any, name: str) -> None:
    _raises_like(torch, lambda: INSTANCE_ERRORS[name](tg), lambda: INSTANCE_ERRORS[name](torch))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "args,shape,kwargs",
    [
        ((2, 4), (3, 4, 5), {}),
        ((1, 4), (2, 4), {}),
        ((4, 4), (2, 4, 3, 2), {"eps": 1e-3}),
        ((3, 6), (2, 6, 2, 3, 2), {"affine": False}),
        ((2, 6), (2, 6, 5), {"bias": False}),
    ],
)
def test_groupnorm_matches_torch(
    torch: Any, dtype: str, args: tuple[int, int], shape: tuple[int, ...], kwargs: Any
) -> None:
    ours, theirs = _pair(torch, "GroupNorm", args, dtype, **kwargs)
    for train in (True, False):  # the same statistics (the input's) in both modes
        ours.train(train)
        theirs.train(train)
        for m in (ours, theirs):
            m.zero_grad()
        x, grad = _randn(shape, dtype, shift=0.5, scale=2.0), _randn(shape, dtype, seed=7)
        (out, x_ours), (t_out, x_theirs) = _step(tg, ours, x, grad), _step(torch, theirs, x, grad)
        assert out.grad_fn.name() == t_out.grad_fn.name() == "NativeGroupNormBackward0"
        _close(out, t_out, dtype, "forward")
        _close(x_ours.grad, x_theirs.grad, dtype, "backward, input")
        _compare_module(ours, theirs, dtype, "GroupNorm")
    theirs.load_state_dict({k: torch.tensor(_np(v)) for k, v in ours.state_dict().items()})


def test_group_norm_empty_inputs_like_torch(torch: Any) -> None:
    for shape in ((0, 4, 3), (2, 4, 0)):
        x = tg.zeros(shape, requires_grad=True)
        w = tg.ones(4, requires_grad=True)
        out = F.group_norm(x, 2, w)
        t_out = torch.nn.functional.group_norm(torch.zeros(shape), 2, torch.ones(4))
        assert tuple(out.shape) == tuple(t_out.shape)
        out.sum().backward()
        assert x.grad is not None and w.grad is not None
        np.testing.assert_array_equal(w.grad.numpy(), np.zeros(4, np.float32))


GROUP_ERRORS: dict[str, Callable[[Any], Any]] = {
    "1-D input": lambda L: L.nn.functional.group_norm(L.zeros(4), 2),
    "one value per group": lambda L: L.nn.functional.group_norm(L.zeros(1, 4), 4),
    "channels not divisible": lambda L: L.nn.functional.group_norm(L.zeros(2, 4, 3), 3),
    "negative groups": lambda L: L.nn.functional.group_norm(L.zeros(2, 4, 3), -2),
    "zero groups": lambda L: L.nn.functional.group_norm(L.zeros(2, 4, 3), 0),
    "weight size": lambda L: L.nn.functional.group_norm(L.zeros(2, 4, 3), 2, L.ones(3)),
    "weight 2-D": lambda L: L.nn.functional.group_norm(L.zeros(2, 4, 3), 2, L.ones(2, 2)),
    "bias size, no weight": lambda L: L.nn.functional.group_norm(
        L.zeros(2, 4, 3), 2, None, L.ones(3)
    ),
    "bias size": lambda L: L.nn.functional.group_norm(L.zeros(2, 4, 3), 2, L.ones(4), L.ones(5)),
    "int input": lambda L: L.nn.functional.group_norm(L.zeros(2, 4, 3, dtype=L.int64), 2),
    "mixed dtypes": lambda L: L.nn.functional.group_norm(
        L.zeros(2, 4, 3), 2, L.ones(4, dtype=L.float64)
    ),
    "module channels": lambda L: L.nn.GroupNorm(3, 4),
}


@pytest.mark.parametrize("name", list(GROUP_ERRORS))
def test_groupnorm_errors_match_torch(torch: Any, name: str) -> None:
    _raises_like(torch, lambda: GROUP_ERRORS[name](tg), lambda: GROUP_ERRORS[name](torch))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "shape,args", [((2, 5, 4), (3,)), ((2, 6, 3, 2), (2, 0.1, 0.5, 2.0)), ((1, 4, 2, 2, 3), (5,))]
)
def test_localresponsenorm_matches_torch(
    torch: Any, dtype: str, shape: tuple[int, ...], args: tuple[Any, ...]
) -> None:
    ours, theirs = nn.LocalResponseNorm(*args), torch.nn.LocalResponseNorm(*args)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == []
    x, grad = _randn(shape, dtype, scale=3.0), _randn(shape, dtype, seed=3)
    (out, x_ours), (t_out, x_theirs) = _step(tg, ours, x, grad), _step(torch, theirs, x, grad)
    assert out.grad_fn.name() == t_out.grad_fn.name() == "DivBackward0"
    _close(out, t_out, dtype, "forward")
    _close(x_ours.grad, x_theirs.grad, dtype, "backward, input")


def test_local_response_norm_errors_and_empty_like_torch(torch: Any) -> None:
    _raises_like(
        torch,
        lambda: F.local_response_norm(tg.zeros(2, 3), 2),
        lambda: torch.nn.functional.local_response_norm(torch.zeros(2, 3), 2),
    )
    assert tuple(F.local_response_norm(tg.zeros(0, 3, 4), 2).shape) == (0, 3, 4)


# ---------------------------------------------------------------- ParameterList / Dict


def test_parameter_list_registration_and_list_behaviour(torch: Any) -> None:
    arrays = [_randn((2, 3), "float32"), _randn((3,), "float64", 1)]
    ours = nn.ParameterList([nn.Parameter(tg.tensor(arrays[0])), tg.tensor(arrays[1])])
    theirs = torch.nn.ParameterList(
        [torch.nn.Parameter(torch.tensor(arrays[0])), torch.tensor(arrays[1])]
    )
    assert isinstance(ours[1], nn.Parameter) and ours[1].requires_grad
    ours.append(tg.zeros(4))
    theirs.append(torch.zeros(4))
    ours.extend([tg.ones(1), "not a tensor"])
    theirs.extend([torch.ones(1), "not a tensor"])
    ours += [tg.ones(2)]
    theirs += [torch.ones(2)]
    assert len(ours) == len(theirs) == 6
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["0", "1", "2", "3", "5"]
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert ours[-2] == "not a tensor" and ours[4] == "not a tensor"
    assert ours[-1] is ours[5] and ours[0] is list(ours)[0]
    np.testing.assert_array_equal(_np(ours[1]), arrays[1])
    assert len(ours[1:4]) == 3 and isinstance(ours[1:4], nn.ParameterList)
    assert ours[::2][1] is ours[2]
    ours[0] = tg.ones(2, 2)
    assert isinstance(ours[0], nn.Parameter) and tuple(ours.state_dict()["0"].shape) == (2, 2)
    assert repr(ours).replace("tinygrad_edu.", "torch.") == repr(
        theirs.__setitem__(0, torch.ones(2, 2)) or theirs
    )
    assert repr(nn.ParameterList()) == repr(torch.nn.ParameterList())
    assert repr(nn.ParameterList([tg.ones(2)])).replace("tinygrad_edu.", "torch.") == repr(
        torch.nn.ParameterList([torch.ones(2)])
    )


def test_parameter_list_in_a_model_trains(torch: Any) -> None:
    class Model(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.scales = nn.ParameterList([tg.ones(2) * (i + 1) for i in range(3)])

        def forward(self, x: tg.Tensor) -> tg.Tensor:
            for s in self.scales:
                x = x * s
            return x

    model = Model()
    assert list(model.state_dict()) == ["scales.0", "scales.1", "scales.2"]
    opt = tg.optim.SGD(model.parameters(), lr=0.1)
    model(tg.ones(2)).sum().backward()
    opt.step()
    np.testing.assert_allclose(_np(model.scales[0]), [0.4, 0.4])  # 1 - 0.1 * (2 * 3)


def test_parameter_dict_registration_order_and_dict_behaviour(torch: Any) -> None:
    b, a = _randn((2,), "float32"), _randn((3,), "float64", 1)
    ours = nn.ParameterDict({"b": tg.tensor(b), "a": nn.Parameter(tg.tensor(a))})
    theirs = torch.nn.ParameterDict(
        {"b": torch.tensor(b), "a": torch.nn.Parameter(torch.tensor(a))}
    )
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["a", "b"]  # dict: sorted
    ours.update(OrderedDict([("z", tg.zeros(1)), ("c", tg.zeros(2))]))
    theirs.update(OrderedDict([("z", torch.zeros(1)), ("c", torch.zeros(2))]))
    ours["s"] = "text"
    theirs["s"] = "text"
    assert list(ours.keys()) == list(theirs.keys()) == ["a", "b", "z", "c", "s"]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    assert isinstance(ours["b"], nn.Parameter) and "z" in ours and len(ours) == 5
    assert ours.get("nope", 3) == 3 and ours.setdefault("d", tg.ones(1)) is ours["d"]
    popped = ours.pop("z")
    assert tuple(popped.shape) == (1,) and "z" not in ours and "z" not in ours.state_dict()
    assert ours.popitem()[0] == "d"
    assert list(reversed(ours)) == ["s", "c", "b", "a"]
    merged = ours | nn.ParameterDict(OrderedDict([("y", tg.ones(1))]))
    assert list(merged.keys()) == ["a", "b", "c", "s", "y"] and merged["a"] is ours["a"]
    assert list(ours.copy().keys()) == list(ours.keys())
    assert list(ours.fromkeys(["p", "q"]).keys()) == ["p", "q"]
    ours.clear()
    assert len(ours) == 0 and list(ours.state_dict()) == []
    assert repr(nn.ParameterDict()) == repr(torch.nn.ParameterDict())


def test_parameter_containers_errors_match_torch(torch: Any) -> None:
    pl, tpl = nn.ParameterList([tg.ones(1)]), torch.nn.ParameterList([torch.ones(1)])
    pd, tpd = nn.ParameterDict({"a": tg.ones(1)}), torch.nn.ParameterDict({"a": torch.ones(1)})
    cases: list[tuple[Callable[[], Any], Callable[[], Any]]] = [
        (lambda: pl[1], lambda: tpl[1]),
        (lambda: pl[-2], lambda: tpl[-2]),
        (lambda: pl(1), lambda: tpl(1)),
        (lambda: pl.extend(tg.ones(2)), lambda: tpl.extend(torch.ones(2))),
        (lambda: pl.extend(3), lambda: tpl.extend(3)),
        (lambda: pd[1], lambda: tpd[1]),
        (lambda: pd["zz"], lambda: tpd["zz"]),
        (lambda: pd(1), lambda: tpd(1)),
        (lambda: pd.update(3), lambda: tpd.update(3)),
        (lambda: pd.update([1]), lambda: tpd.update([1])),
        (lambda: pd.update([(1, 2, 3)]), lambda: tpd.update([(1, 2, 3)])),
    ]
    for ours, theirs in cases:
        _raises_like(torch, ours, theirs)


# ------------------------------------------------------------------------------ exports


def test_exported_names() -> None:
    for name in (
        "Embedding",
        "BatchNorm1d",
        "BatchNorm2d",
        "LayerNorm",
        "InstanceNorm1d",
        "InstanceNorm2d",
        "InstanceNorm3d",
        "GroupNorm",
        "LocalResponseNorm",
        "ParameterList",
        "ParameterDict",
    ):
        assert name in nn.__all__ and hasattr(nn, name)
    for name in (
        "embedding",
        "batch_norm",
        "layer_norm",
        "group_norm",
        "instance_norm",
        "local_response_norm",
    ):
        assert name in F.__all__ and callable(getattr(F, name))
