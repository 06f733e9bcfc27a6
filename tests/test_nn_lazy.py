"""Lazy modules (``nn.LazyLinear``, ``LazyConv2d``, ``LazyBatchNorm2d``, ...) against torch:
d2l builds its networks with them. Before the first forward the parameters are
``UninitializedParameter``; the forward reads the missing size, draws the values in
PyTorch's order (the same bits after the same seed) and the module becomes the plain one.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg

torch = pytest.importorskip("torch")

X = np.random.default_rng(0).standard_normal((4, 6)).astype(np.float32)
IMAGES = np.random.default_rng(1).standard_normal((2, 3, 8, 8)).astype(np.float32)


def _mlp(L: Any) -> Any:
    L.manual_seed(0)
    return L.nn.Sequential(L.nn.LazyLinear(8), L.nn.ReLU(), L.nn.LazyLinear(2))


def test_lazy_linear_draws_torchs_bits_and_becomes_linear() -> None:
    runs = []
    for L in (tg, torch):
        net = _mlp(L)
        before = (repr(net[0].weight), repr(net).replace("torch", "tinygrad_edu"))
        opt = L.optim.SGD(net.parameters(), lr=0.1)  # (made before the parameters exist)
        out = net(L.tensor(X))
        drawn = [p.detach().numpy().tobytes() for p in net.parameters()]
        out.sum().backward()
        opt.step()
        runs.append((before, type(net[0]).__name__, type(net[0].weight).__name__,
                     repr(net), list(net.state_dict()), drawn,
                     [p.detach().numpy().copy() for p in net.parameters()]))
    ours, theirs = runs
    assert ours[0] == theirs[0] == ("<UninitializedParameter>", ours[0][1])
    assert ours[1:6] == theirs[1:6]  # ... and the same draws, bit for bit
    for a, b in zip(ours[6], theirs[6]):  # the optimizer stepped the parameters it was given
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_lazy_cnn_shapes_state_dict_and_values_as_torch() -> None:
    results = []
    for L in (tg, torch):
        L.manual_seed(1)
        net = L.nn.Sequential(L.nn.LazyConv2d(4, 3, padding=1), L.nn.LazyBatchNorm2d(),
                              L.nn.ReLU(), L.nn.Flatten(), L.nn.LazyLinear(3))
        lazy_repr = repr(net)
        y = net(L.tensor(IMAGES))
        state = net.state_dict()
        results.append((lazy_repr, repr(net), [(k, tuple(v.shape)) for k, v in state.items()],
                        y.detach().numpy(), int(net[1].num_batches_tracked)))
    ours, theirs = results
    assert ours[0] == theirs[0] and ours[1] == theirs[1] and ours[2] == theirs[2]
    np.testing.assert_allclose(ours[3], theirs[3], rtol=1e-5, atol=1e-6)
    assert ours[4] == theirs[4] == 1


@pytest.mark.parametrize("make, shape", [
    (lambda L: L.nn.LazyConv1d(2, 3, 1, 0, 1, 1, False), (3, 7)),  # (unbatched, no bias)
    (lambda L: L.nn.LazyConv3d(2, 2, groups=1), (1, 2, 4, 4, 4)),
    (lambda L: L.nn.LazyConvTranspose1d(2, 3, stride=2), (1, 4, 5)),
    (lambda L: L.nn.LazyConvTranspose2d(2, 3, stride=2, output_padding=1), (1, 4, 5, 5)),
    (lambda L: L.nn.LazyConvTranspose3d(2, 2), (1, 2, 3, 3, 3)),
    (lambda L: L.nn.LazyBatchNorm1d(), (4, 5)),
    (lambda L: L.nn.LazyBatchNorm3d(momentum=0.5), (2, 3, 2, 2, 2)),
    (lambda L: L.nn.LazyBatchNorm1d(affine=False, track_running_stats=False), (4, 5)),
])
def test_every_lazy_module_as_torch(make: Any, shape: tuple[int, ...]) -> None:
    data = np.linspace(-1, 1, int(np.prod(shape)), dtype=np.float32).reshape(shape)
    results = []
    for L in (tg, torch):
        L.manual_seed(2)
        m = make(L)
        y = m(L.tensor(data))
        results.append((repr(m), [(k, tuple(v.shape)) for k, v in m.state_dict().items()],
                        y.detach().numpy()))
    assert results[0][:2] == results[1][:2]
    np.testing.assert_allclose(results[0][2], results[1][2], rtol=1e-5, atol=1e-6)


def test_checkpoint_loads_into_a_lazy_clone() -> None:
    """d2l's file I/O chapter: ``clone = MLP(); clone.load_state_dict(torch.load(...))``
    with an MLP of LazyLinear layers, before the clone ever ran."""
    for L in (tg, torch):
        net = _mlp(L)
        y = net(L.tensor(X))
        buffer = io.BytesIO()
        L.save(net.state_dict(), buffer)
        buffer.seek(0)
        clone = L.nn.Sequential(L.nn.LazyLinear(8), L.nn.ReLU(), L.nn.LazyLinear(2))
        clone.load_state_dict(L.load(buffer))
        assert bool((clone(L.tensor(X)) == y).all())
        assert "in_features=6" in repr(clone)


def test_init_applied_after_the_first_forward() -> None:
    """d2l's ``net(X); net.apply(init_normal)``: the applied init replaces the lazy draws."""
    for L in (tg, torch):
        net = _mlp(L)
        net(L.tensor(X))

        def init_constant(m: Any, L: Any = L) -> None:
            if type(m) is L.nn.Linear:
                L.nn.init.constant_(m.weight, 1)
                L.nn.init.zeros_(m.bias)

        net.apply(init_constant)
        assert net[0].weight.sum().item() == 48 and net[2].bias.sum().item() == 0


def test_uninitialized_tensors_materialize_in_place() -> None:
    p = tg.nn.UninitializedParameter()
    b = tg.nn.UninitializedBuffer(dtype=tg.float64)
    assert repr(p) == "<UninitializedParameter>" and repr(b) == "<UninitializedBuffer>"
    p.materialize((2, 3))
    b.materialize(4)
    assert type(p) is tg.nn.Parameter and p.shape == (2, 3) and p.requires_grad
    assert type(b) is tg.Tensor and b.shape == (4,) and b.dtype == tg.float64
