"""``nn.RMSNorm`` and ``F.rms_norm`` against PyTorch: the composite's graph and values
bit for bit (PyTorch composes it too), the default eps of each dtype, gradients of the
input and the weight, state_dict both ways, reprs and errors. (First and second
derivatives against finite differences: the op table, tests/test_ops.py.)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn


@pytest.fixture
def torch() -> Any:
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    return torch


def _raises_like(torch: Any, ours: Any, theirs: Any) -> None:
    with pytest.raises(Exception) as expected:
        theirs()
    with pytest.raises(expected.type) as got:
        ours()
    assert str(got.value) == str(expected.value)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize(
    "shape,normalized_shape", [((4, 6), 6), ((2, 3, 50), (50,)), ((2, 3, 4), [3, 4]), ((5,), 5)]
)
@pytest.mark.parametrize("kwargs", [{}, {"elementwise_affine": False}, {"eps": 1e-2}])
def test_rmsnorm_matches_torch_bitwise(
    torch: Any, dtype: str, shape: tuple[int, ...], normalized_shape: Any, kwargs: dict[str, Any]
) -> None:
    theirs = torch.nn.RMSNorm(normalized_shape, dtype=getattr(torch, dtype), **kwargs)
    ours = nn.RMSNorm(normalized_shape, dtype=getattr(tg, dtype), **kwargs)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    with torch.no_grad():
        for p in theirs.parameters():
            p.copy_(torch.randn(p.shape, generator=torch.Generator().manual_seed(1)))
    ours.load_state_dict({k: v.detach().clone() for k, v in theirs.state_dict().items()})
    rng = np.random.default_rng(0)
    x, g = (rng.standard_normal(shape).astype(dtype) for _ in range(2))
    xo, xt = tg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, t_out = ours(xo), theirs(xt)
    out.backward(tg.tensor(g))
    t_out.backward(torch.tensor(g))
    assert out.dtype.name == dtype and out.grad_fn.name() == t_out.grad_fn.name()
    np.testing.assert_array_equal(out.detach().numpy(), t_out.detach().numpy())
    np.testing.assert_array_equal(xo.grad.numpy(), xt.grad.numpy())
    for (name, p), (t_name, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert name == t_name
        np.testing.assert_array_equal(p.grad.numpy(), tp.grad.numpy())


def test_rmsnorm_state_dict_both_ways_and_init(torch: Any) -> None:
    ours, theirs = nn.RMSNorm([2, 3]), torch.nn.RMSNorm([2, 3])
    np.testing.assert_array_equal(ours.weight.detach().numpy(), theirs.weight.detach().numpy())
    theirs.load_state_dict({"weight": torch.arange(6.0).view(2, 3)})
    ours.load_state_dict({k: tg.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    theirs2 = torch.nn.RMSNorm([2, 3])
    theirs2.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    np.testing.assert_array_equal(theirs2.weight.detach().numpy(), np.arange(6.0).reshape(2, 3))
    assert ours.eps is None and nn.RMSNorm(3, elementwise_affine=False).weight is None


def test_rms_norm_graph_is_torchs_composite(torch: Any) -> None:
    def names(fn: Any) -> list[str]:
        found = []
        while fn is not None:
            found.append(fn.name())
            nexts = [f for f, _ in fn.next_functions if f is not None]
            fn = next((f for f in nexts if "Accumulate" not in f.name()), None)
        return found

    x, w = tg.randn(2, 3, requires_grad=True), tg.randn(3, requires_grad=True)
    tx, tw = torch.randn(2, 3, requires_grad=True), torch.randn(3, requires_grad=True)
    assert names(F.rms_norm(x, (3,), w).grad_fn) == names(
        torch.nn.functional.rms_norm(tx, (3,), tw).grad_fn)
    assert names(F.rms_norm(x.half(), (3,)).grad_fn) == names(
        torch.nn.functional.rms_norm(tx.half(), (3,)).grad_fn)


def test_rms_norm_errors_match_torch(torch: Any) -> None:
    tF = torch.nn.functional
    x, tx = tg.randn(2, 3), torch.randn(2, 3)
    cases = [
        (lambda: F.rms_norm(x, (2, 4)), lambda: tF.rms_norm(tx, (2, 4))),
        (lambda: F.rms_norm(x, ()), lambda: tF.rms_norm(tx, ())),
        (lambda: F.rms_norm(x, 3), lambda: tF.rms_norm(tx, 3)),
        (lambda: F.rms_norm(x, [2.0]), lambda: tF.rms_norm(tx, [2.0])),
        (lambda: F.rms_norm(x, (3,), tg.ones(4)), lambda: tF.rms_norm(tx, (3,), torch.ones(4))),
        (lambda: F.rms_norm(x.long(), (3,)), lambda: tF.rms_norm(tx.long(), (3,))),
        (lambda: nn.RMSNorm(4)(x), lambda: torch.nn.RMSNorm(4)(tx)),
    ]
    for ours, theirs in cases:
        _raises_like(torch, ours, theirs)
