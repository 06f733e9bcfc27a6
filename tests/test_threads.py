"""Grad modes and the engine's state belong to a thread, as in PyTorch.

Each test makes threads meet at fixed points (events and barriers), so the interleaving
that used to go wrong happens every time, not by chance. The fuzzer at the end draws
whole schedules of grad-mode steps for two threads and checks that each thread sees
exactly what it would see running alone.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu import nn


def _run(*targets: Callable[[], Any]) -> list[Any]:
    """Run each target in its own thread; return their results (re-raising errors)."""
    results: list[Any] = [None] * len(targets)
    errors: list[BaseException] = []

    def call(k: int, target: Callable[[], Any]) -> None:
        try:
            results[k] = target()
        except BaseException as e:  # noqa: BLE001 (re-raised in the main thread)
            errors.append(e)

    threads = [threading.Thread(target=call, args=(k, t)) for k, t in enumerate(targets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    if errors:
        raise errors[0]
    return results


def test_no_grad_in_one_thread_leaves_recording_on_in_another():
    inside = threading.Event()
    checked = threading.Event()

    def quiet() -> bool:
        with tg.no_grad():
            inside.set()
            checked.wait(10)
            return tg.is_grad_enabled()

    def busy() -> tuple[bool, bool]:
        inside.wait(10)
        x = tg.ones(2, requires_grad=True)
        y = x * 2
        checked.set()
        return tg.is_grad_enabled(), y.requires_grad

    off, (on, recorded) = _run(quiet, busy)
    assert off is False
    assert on is True and recorded is True


def test_interleaved_no_grad_blocks_restore_each_threads_own_mode():
    # A enters, B enters, A exits, B exits: a process-wide flag ends up off
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()

    def a() -> bool:
        with tg.no_grad():
            a_in.set()
            b_in.wait(10)
        a_out.set()
        return tg.is_grad_enabled()

    def b() -> bool:
        a_in.wait(10)
        with tg.no_grad():
            b_in.set()
            a_out.wait(10)
        return tg.is_grad_enabled()

    assert _run(a, b) == [True, True]
    assert tg.is_grad_enabled()


def test_backward_in_one_thread_does_not_switch_recording_off_in_another():
    in_backward, recorded = threading.Event(), threading.Event()
    seen: dict[str, Any] = {}

    def trainer() -> None:
        x = tg.ones(3, requires_grad=True)
        y = x * 3

        def pause(grad: Any) -> None:  # runs inside the engine, with its mode set
            in_backward.set()
            recorded.wait(10)

        y.register_hook(pause)
        y.sum().backward()

    def other() -> None:
        in_backward.wait(10)
        w = tg.ones(2, requires_grad=True)
        seen["requires_grad"] = (w * 2).requires_grad
        seen["enabled"] = tg.is_grad_enabled()
        recorded.set()

    _run(trainer, other)
    assert seen == {"requires_grad": True, "enabled": True}


def test_create_graph_flag_is_per_thread():
    # a create_graph=True backward in one thread must not make another thread's plain
    # backward build graphs (or see Tensors where it expects arrays)
    in_backward, done = threading.Event(), threading.Event()

    def second_order() -> float:
        x = tg.tensor([2.0], requires_grad=True)
        y = x ** 3

        def pause(grad: Any) -> None:
            in_backward.set()
            done.wait(10)

        y.register_hook(pause)
        (g,) = tg.autograd.grad(y.sum(), x, create_graph=True)
        (gg,) = tg.autograd.grad(g.sum(), x)
        return gg.item()

    def first_order() -> tuple[bool, float]:
        in_backward.wait(10)
        w = tg.tensor([1.5], requires_grad=True)
        (w * w).sum().backward()
        done.set()
        return w.grad.requires_grad, w.grad.item()

    gg, (grad_requires_grad, grad) = _run(second_order, first_order)
    assert gg == 12.0
    assert grad_requires_grad is False and grad == 3.0


def test_new_thread_starts_with_recording_on():
    with tg.no_grad():
        (enabled,) = _run(tg.is_grad_enabled)
    assert enabled is True
    tg.set_grad_enabled(False)
    try:
        (enabled,) = _run(tg.is_grad_enabled)
    finally:
        tg.set_grad_enabled(True)
    assert enabled is True


def test_one_decorated_function_called_from_two_threads_at_once():
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()

    @tg.no_grad()
    def step(first: bool) -> bool:
        if first:
            a_in.set()
            b_in.wait(10)
        else:
            a_in.wait(10)
            b_in.set()
            a_out.wait(10)
        return tg.is_grad_enabled()

    def a() -> tuple[bool, bool]:
        inside = step(True)
        a_out.set()
        return inside, tg.is_grad_enabled()

    def b() -> tuple[bool, bool]:
        return step(False), tg.is_grad_enabled()

    assert _run(a, b) == [(False, True), (False, True)]


def test_inference_mode_is_per_thread():
    inside, checked = threading.Event(), threading.Event()

    def a() -> bool:
        with tg.inference_mode():
            inside.set()
            checked.wait(10)
            return tg.is_inference_mode_enabled()

    def b() -> bool:
        inside.wait(10)
        try:
            return tg.is_inference_mode_enabled()
        finally:
            checked.set()

    assert _run(a, b) == [True, False]


def test_trace_backward_records_only_its_own_threads_backward():
    from tinygrad_edu import viz

    started, other_done = threading.Event(), threading.Event()

    def traced() -> int:
        with viz.trace_backward() as trace:
            started.set()
            other_done.wait(10)
            x = tg.ones(2, requires_grad=True)
            (x * 2).sum().backward()
        return len(trace.steps)

    def other() -> None:
        started.wait(10)
        y = tg.ones(2, requires_grad=True)
        ((y * 3).exp() * 2).sum().backward()
        other_done.set()

    steps, _ = _run(traced, other)
    assert steps == 2  # SumBackward0, MulBackward0: nothing of the other thread's


def _train(seed: int, steps: int, barrier: threading.Barrier | None = None) -> list[float]:
    g = tg.Generator().manual_seed(seed)  # (the global generator is shared by threads)
    x = tg.randn(32, 4, generator=g)
    y = tg.randn(32, 1, generator=g)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1))
    with tg.no_grad():
        for k, p in enumerate(model.parameters()):
            p.copy_(tg.randn(p.shape, generator=g) * 0.5 + k)
    opt = tg.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    losses = []
    for _ in range(steps):
        if barrier is not None:
            barrier.wait(10)  # both threads step together: maximal interleaving
        loss = nn.functional.mse_loss(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        with tg.no_grad():
            losses.append(model(x).sum().item())
        losses.append(loss.item())
    return losses


def test_two_threads_training_their_own_models_reproduce_a_sequential_run():
    expected = [_train(1, 25), _train(2, 25)]
    barrier = threading.Barrier(2)
    got = _run(lambda: _train(1, 25, barrier), lambda: _train(2, 25, barrier))
    assert got == expected


# ------------------------------------------------------------------------------ fuzzer
_STEPS = st.sampled_from(["no_grad", "enable_grad", "set_false", "set_true", "inference",
                          "inference_off", "exit", "op", "backward", "grad", "check"])


def _play(program: list[str], gate: Callable[[], None]) -> list[Any]:
    """Run a program of grad-mode steps; ``gate()`` before each step lets the caller
    interleave two threads. Returns what the thread observed after each step."""
    from contextlib import ExitStack

    seen: list[Any] = []
    x = tg.tensor([1.5, -0.5], requires_grad=True)
    with ExitStack() as stack:
        entered: list[Any] = []
        for step in program:
            gate()
            if step == "exit":
                if entered:
                    entered.pop().close()
            elif step == "op":
                seen.append((x * 2).requires_grad)
            elif step == "backward":
                y = (x * x).sum()
                if y.requires_grad:
                    y.backward()
                seen.append(None if x.grad is None else x.grad.tolist())
            elif step == "grad":
                y = (x ** 3).sum()
                if y.requires_grad:
                    (g,) = tg.autograd.grad(y, x, create_graph=True)
                    seen.append(g.requires_grad)
            elif step != "check":
                inner = ExitStack()
                make = {"no_grad": tg.no_grad, "enable_grad": tg.enable_grad,
                        "set_false": lambda: tg.set_grad_enabled(False),
                        "set_true": lambda: tg.set_grad_enabled(True),
                        "inference": tg.inference_mode,
                        "inference_off": lambda: tg.inference_mode(False)}[step]
                inner.enter_context(make())  # (set_grad_enabled acts when it is made)
                entered.append(inner)
                stack.callback(inner.close)
            seen.append((tg.is_grad_enabled(), tg.is_inference_mode_enabled()))
    seen.append((tg.is_grad_enabled(), tg.is_inference_mode_enabled()))
    return seen


@given(st.lists(_STEPS, max_size=12), st.lists(_STEPS, max_size=12),
       st.lists(st.integers(0, 1), min_size=24, max_size=24))
def test_fuzz_two_threads_see_what_they_would_see_alone(prog_a, prog_b, schedule):
    expected = [_play(prog_a, lambda: None), _play(prog_b, lambda: None)]
    # a turnstile: at each gate the scheduled thread goes, the other waits its turn
    turn = threading.Condition()
    order = list(schedule)
    remaining = [len(prog_a), len(prog_b)]

    def gate_for(me: int) -> Callable[[], None]:
        def gate() -> None:
            with turn:
                while True:
                    other = 1 - me
                    mine = not order or order[0] == me or remaining[other] == 0
                    if mine:
                        if order:
                            order.pop(0)
                        remaining[me] -= 1
                        turn.notify_all()
                        return
                    turn.wait(5)
        return gate

    got = _run(lambda: _play(prog_a, gate_for(0)), lambda: _play(prog_b, gate_for(1)))
    assert got == expected
    assert tg.is_grad_enabled() and not tg.is_inference_mode_enabled()


def test_fuzz_schedules_match_torch_per_thread_semantics():
    torch = pytest.importorskip("torch")
    # the same two-thread interleaving in torch: each thread keeps its own mode
    results = {}
    gate_a, gate_b = threading.Event(), threading.Event()

    def a() -> None:
        with torch.no_grad():
            gate_a.set()
            gate_b.wait(10)
            results["a_inside"] = torch.is_grad_enabled()
        results["a_after"] = torch.is_grad_enabled()

    def b() -> None:
        gate_a.wait(10)
        results["b_inside_other"] = torch.is_grad_enabled()
        gate_b.set()

    _run(a, b)
    assert results == {"a_inside": False, "a_after": True, "b_inside_other": True}
    results_tg = {}
    gate_a.clear()
    gate_b.clear()

    def a_tg() -> None:
        with tg.no_grad():
            gate_a.set()
            gate_b.wait(10)
            results_tg["a_inside"] = tg.is_grad_enabled()
        results_tg["a_after"] = tg.is_grad_enabled()

    def b_tg() -> None:
        gate_a.wait(10)
        results_tg["b_inside_other"] = tg.is_grad_enabled()
        gate_b.set()

    _run(a_tg, b_tg)
    assert results_tg == results


def test_gc_comes_back_after_overlapping_backward_passes():
    import gc

    assert gc.isenabled()
    in_a, b_done = threading.Event(), threading.Event()

    def a() -> None:
        x = tg.ones(2, requires_grad=True)
        y = x * 2

        def pause(grad: Any) -> None:
            in_a.set()
            b_done.wait(10)

        y.register_hook(pause)
        y.sum().backward()

    def b() -> None:
        in_a.wait(10)
        x = tg.ones(2, requires_grad=True)
        (x * 3).sum().backward()
        b_done.set()

    _run(a, b)
    assert gc.isenabled()
