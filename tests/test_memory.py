"""Scale and memory: deep graphs, long training runs, saved tensors freed with the graph."""

from __future__ import annotations

import gc
import time
import weakref

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn, optim


def _chain_backward_seconds(n: int) -> float:
    """Seconds to differentiate a chain of ``n`` ops (built with the GC paused: a graph
    of a million objects makes every collection walk all of it)."""
    x = tg.tensor(1.0, requires_grad=True)
    gc.disable()
    try:
        y = x
        for _ in range(n):
            y = y * 1.0
        start = time.perf_counter()
        y.backward()
        seconds = time.perf_counter() - start
    finally:
        gc.enable()
    assert x.grad.item() == 1.0
    return seconds


def _assert_linear(small: int, factor: int = 4) -> None:
    t_small = min(_chain_backward_seconds(small) for _ in range(2))
    t_big = _chain_backward_seconds(small * factor)
    # linear: about `factor` times longer; quadratic would be factor**2
    assert t_big < 2.5 * factor * t_small + 0.05, (t_small, t_big)


def test_deep_chain_no_recursion_time_linear():
    _assert_linear(25_000)


@pytest.mark.slow
def test_million_node_backward_time_linear():
    _assert_linear(250_000)  # 250k then 1,000,000 nodes


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20


@pytest.mark.skipif(not __import__("os").path.exists("/proc/self/statm"), reason="Linux only")
def test_10000_training_steps_do_not_grow_memory():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Dropout(0.1), nn.Linear(16, 2))
    opt = optim.Adam(model.parameters(), lr=1e-3)
    x, y = tg.randn(32, 8), tg.randint(0, 2, (32,))
    total = 0.0
    for step in range(10_000):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        total += loss.item()
        if step == 999:
            gc.collect()
            warm = _rss_mb()
    del loss
    gc.collect()
    assert _rss_mb() - warm < 8.0  # MB: no per-step leak (a leak of 1 KB/step is 9 MB)
    assert tg.utils.live_tensors().graph_nodes == 0


def test_saved_tensors_freed_by_backward_and_graph_freed_with_output():
    big = np.ones((256, 256))
    x = tg.tensor(big, requires_grad=True)
    before = tg.utils.live_tensors()
    y = (x * x).exp().sum()  # Mul saves x twice, Exp saves its output
    during = tg.utils.live_tensors()
    assert during.graph_nodes - before.graph_nodes == 3
    assert during.saved_bytes - before.saved_bytes >= 2 * big.nbytes
    node = weakref.ref(y.grad_fn)
    y.backward()
    after = tg.utils.live_tensors()
    assert after.saved_arrays == before.saved_arrays  # backward freed what was saved
    assert node() is not None  # the graph itself lives while y does...
    del y
    gc.collect()
    assert node() is None  # ...and dies with it (no reference cycles)
    assert tg.utils.live_tensors().graph_nodes == before.graph_nodes


def test_live_tensors_shows_why_total_loss_plus_loss_leaks():
    tg.manual_seed(0)
    model = nn.Linear(4, 1)
    x = tg.randn(8, 4)
    base = tg.utils.live_tensors().graph_nodes

    def run(steps: int, as_number: bool) -> int:
        total: object = 0.0
        for _ in range(steps):
            loss = (model(x) ** 2).mean()
            loss.backward()
            total = total + (loss.item() if as_number else loss)  # type: ignore[operator]
        del loss
        n = tg.utils.live_tensors().graph_nodes - base
        del total
        return n

    leaky = run(20, as_number=False)
    assert leaky >= 20 * 3 and run(40, as_number=False) >= 2 * leaky - 2  # grows with steps
    assert run(20, as_number=True) == 0  # loss.item(): every graph dies with its step
    assert "graph nodes alive" in str(tg.utils.live_tensors())


def test_a_recorded_op_leaves_one_object_for_the_garbage_collector() -> None:
    """A long chain of ops (W6) pays for every object the collector must scan: each recorded
    op keeps its node and nothing else the collector tracks. Its parents and arguments live
    in the node's slots, not in tuples, and the next op keeps an intermediate input as its
    array (core/function.py ``_kept``), so the result Tensor dies with its variable."""
    x = tg.tensor(1.0, requires_grad=True)
    y = x * 1.0
    gc.collect()
    before = len(gc.get_objects())
    for _ in range(500):
        y = y * 0.999 + 0.001
    gc.collect()
    per_op = (len(gc.get_objects()) - before) / 1000
    assert per_op <= 1.01, per_op
    y.backward()
    assert x.grad is not None
