"""Where tinygrad_edu's time goes: per-op timings and a cProfile of a workload's tg loop.

For each workload asked for, three views of the same full-size loop:

1. **plain**: µs/step with no instrumentation (the figure the suite reports);
2. **per op**: every built-in ``Function``'s forward and backward wrapped with a timer, so a
   step splits into *op math* (numpy work inside forward/backward, the op's own Python
   included) and *framework overhead* (everything else: Tensor wrapping, ``apply``, the
   graph walk, unbroadcast, gradient accumulation, nn / optim Python);
3. **cProfile**: the functions with most *own* time, and own time grouped by source file.
   cProfile inflates Python-heavy code about 2-3x; read its shares, not its absolute µs.

Example:
    python -m benchmarks.profile_tg W1 W4 --top 15
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from benchmarks.harness import thread_limit
from benchmarks.report import render
from benchmarks.workloads import WORKLOADS, Runner

OpTimes = dict[tuple[str, str], list[float]]  # (op, "fwd"|"bwd") -> [calls, seconds]


def _op_classes(tg: ModuleType) -> list[type]:
    """Every Function subclass that defines its own forward or backward (built-ins included)."""
    for mod in ("arithmetic", "unary", "reduce", "movement", "matmul", "nn"):
        try:
            __import__(f"tinygrad_edu.ops.{mod}")
        except ImportError:
            pass
    found, stack = [], [tg.autograd.Function]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            stack.append(sub)
            if "forward" in sub.__dict__ or "backward" in sub.__dict__:
                found.append(sub)
    return found


def _timed(fn: Callable[..., Any], slot: list[float]) -> Callable[..., Any]:
    perf = time.perf_counter

    def wrapper(*args: Any) -> Any:
        start = perf()
        try:
            return fn(*args)
        finally:
            slot[0] += 1
            slot[1] += perf() - start

    return wrapper


@contextmanager
def op_timer(classes: list[type]) -> Iterator[OpTimes]:
    """Wrap each class's own forward/backward with a timer while the context is open."""
    times: OpTimes = {}
    patched = []
    for cls in classes:
        for attr, tag in (("forward", "fwd"), ("backward", "bwd")):
            if attr in cls.__dict__:
                original = cls.__dict__[attr]
                slot = times.setdefault((cls.__name__, tag), [0.0, 0.0])
                setattr(cls, attr, staticmethod(_timed(getattr(cls, attr), slot)))
                patched.append((cls, attr, original))
    try:
        yield times
    finally:
        for cls, attr, original in patched:
            setattr(cls, attr, original)


def _plain_us(run: Runner, rounds: int = 3) -> tuple[float, int]:
    """Median µs/step of ``rounds`` uninstrumented rounds, and the steps of a round."""
    samples, steps = [], 1
    for _ in range(rounds):
        start = time.perf_counter()
        steps = run()
        samples.append((time.perf_counter() - start) * 1e6 / steps)
    return statistics.median(samples), steps


def op_table(times: OpTimes, steps: int, plain_us: float) -> tuple[str, float]:
    """Rows per op: calls and µs per step, forward and backward; returns (table, op total)."""
    ops: dict[str, dict[str, list[float]]] = {}
    for (op, tag), slot in times.items():
        if slot[0]:
            ops.setdefault(op, {})[tag] = slot
    rows, total = [], 0.0
    for op, tags in ops.items():
        us = {tag: tags[tag][1] * 1e6 / steps if tag in tags else 0.0 for tag in ("fwd", "bwd")}
        calls = tags.get("fwd", tags.get("bwd", [0.0]))[0] / steps
        total += us["fwd"] + us["bwd"]
        rows.append(
            (
                us["fwd"] + us["bwd"],
                [
                    op,
                    f"{calls:.0f}",
                    f"{us['fwd']:.1f}",
                    f"{us['bwd']:.1f}",
                    f"{(us['fwd'] + us['bwd']) / plain_us:.0%}",
                ],
            )
        )  # noqa: E501
    rows.sort(key=lambda r: -r[0])
    table = render(
        ["op", "calls/step", "fwd µs/step", "bwd µs/step", "of step"], [r for _, r in rows]
    )
    return table, total


def _where(key: tuple[str, int, str]) -> str:
    """``tensor.py:120(__mul__)`` for Python code, the builtin's name for C functions."""
    path, line, name = key
    if path == "~":
        return name
    short = (
        path.split("tinygrad_edu" + os.sep, 1)[-1]
        if "tinygrad_edu" in path
        else os.path.basename(path)
    )
    return f"{short}:{line}({name})"


def _group(key: tuple[str, int, str]) -> str:
    path, _, name = key
    if path == "~":
        return "numpy C functions" if "numpy" in name else "Python builtins"
    if "tinygrad_edu" in path:
        return "tinygrad_edu/" + path.split("tinygrad_edu" + os.sep, 1)[-1]
    if "numpy" in path:
        return "numpy (Python parts)"
    return "other (" + os.path.basename(path) + ")"


def _function_row(key: Any, v: Any, steps: int, total: float) -> list[str]:
    """One row of the top-functions table: calls, own and cumulative µs per step, own %."""
    calls, own, cum = v[1] / steps, v[2] * 1e6 / steps, v[3] * 1e6 / steps
    return [_where(key), f"{calls:.1f}", f"{own:.1f}", f"{cum:.1f}", f"{v[2] / total:.0%}"]


def cprofile_tables(run: Runner, top: int) -> str:
    """Top functions by own time, and own time by file, per step, under cProfile."""
    prof = cProfile.Profile()
    prof.enable()
    steps = run()
    prof.disable()
    stats: dict[Any, Any] = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in stats.values())
    by_own = sorted(stats.items(), key=lambda kv: -kv[1][2])[:top]
    rows = [_function_row(k, v, steps, total) for k, v in by_own]
    funcs = render(["function", "calls/step", "own µs/step", "cum µs/step", "own %"], rows)
    groups: dict[str, float] = {}
    for k, v in stats.items():
        groups[_group(k)] = groups.get(_group(k), 0.0) + v[2]
    files = render(
        ["where (own time)", "µs/step", "%"],
        [
            [g, f"{t * 1e6 / steps:.1f}", f"{t / total:.0%}"]
            for g, t in sorted(groups.items(), key=lambda kv: -kv[1])
        ],
    )
    return f"cProfile: {total * 1e6 / steps:.1f} µs/step profiled\n{funcs}\n\n{files}"


def profile_workload(key: str, top: int, quick: bool = False) -> str:
    """All three views of the tg loop of workload ``key``, as text."""
    import tinygrad_edu as tg

    workload = WORKLOADS[key]
    run = workload.build(tg, quick)
    run()  # warm-up: lazy imports, first allocations
    plain, steps = _plain_us(run)
    with op_timer(_op_classes(tg)) as times:
        run()
    table, in_ops = op_table(times, steps, plain)
    lines = [
        f"=== {workload.label}: {steps} steps, {plain:.1f} µs/step plain",
        f"inside op forward/backward: {in_ops:.1f} µs/step ({in_ops / plain:.0%}, timers "
        f"included); framework overhead outside ops: {plain - in_ops:.1f} µs/step",
        table,
        "",
        cprofile_tables(run, top),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.profile_tg W1 W2 W4 W3 [--top N] [--threads 1]``."""
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.profile_tg", description=__doc__.splitlines()[0]
    )
    p.add_argument("workloads", nargs="*", default=["W1", "W2", "W4", "W3"])
    p.add_argument("--top", type=int, default=20, help="functions listed by own time")
    p.add_argument("--threads", type=int, default=1, help="BLAS threads")
    p.add_argument("--quick", action="store_true", help="tiny sizes (a smoke test)")
    args = p.parse_args(argv)
    with thread_limit(args.threads, None):
        for key in args.workloads:
            print(
                profile_workload(
                    key.upper() if key.lower() != "w1m" else "W1m", args.top, args.quick
                )
            )
            print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
