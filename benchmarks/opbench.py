"""Per-op overhead: one small op in torch, tinygrad_edu and bare numpy, in µs per call.

On the small models learners train, a step is a few dozen ops on tiny arrays, so what an op
costs *besides* its arithmetic decides the step time: PyTorch pays several µs in its
dispatcher and autograd, numpy about one. This prints that cost op by op, with and without
a graph being recorded, and for a tiny backward.

Example:
    python -m benchmarks.opbench
"""

from __future__ import annotations

import argparse
import statistics
import sys
import timeit
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from benchmarks.harness import load_libs, thread_limit
from benchmarks.report import render

Case = Callable[[], Any]


def _cases(lib: ModuleType) -> dict[str, Case]:
    """Small-op snippets written against PyTorch's API, for ``lib``."""
    v = lib.from_numpy(np.linspace(0.0, 1.0, 20, dtype=np.float32))
    w = lib.from_numpy(np.linspace(1.0, 2.0, 20, dtype=np.float32))
    g = lib.from_numpy(np.linspace(0.0, 1.0, 20, dtype=np.float32)).requires_grad_()
    x = lib.from_numpy(np.ones((200, 1), np.float32))
    m = lib.from_numpy(np.full((1, 1), 0.5, np.float32)).requires_grad_()

    def tiny_backward() -> None:
        (g * g).sum().backward()
        g.grad = None

    return {
        "a + b (20,), no grad": lambda: v + w,
        "a * 2.0 (20,), no grad": lambda: v * 2.0,
        "a * b (20,), records graph": lambda: g * w,
        "x @ W.T (200x1 @ 1x1), graph": lambda: x @ m.T,
        "a.sum(), records graph": lambda: g.sum(),
        "a.mean(), records graph": lambda: g.mean(),
        "relu(a), records graph": lambda: g.relu(),
        "a[1], records graph": lambda: g[1],
        "tensor(1.0)": lambda: lib.tensor(1.0),
        "(a * a).sum().backward()": tiny_backward,
    }


def _numpy_cases() -> dict[str, Case]:
    """The same arithmetic on bare ndarrays: no graph, so the graph columns are the floor."""
    v = np.linspace(0.0, 1.0, 20, dtype=np.float32)
    w = np.linspace(1.0, 2.0, 20, dtype=np.float32)
    x, m = np.ones((200, 1), np.float32), np.full((1, 1), 0.5, np.float32)
    return {
        "a + b (20,), no grad": lambda: v + w,
        "a * 2.0 (20,), no grad": lambda: v * 2.0,
        "a * b (20,), records graph": lambda: v * w,
        "x @ W.T (200x1 @ 1x1), graph": lambda: x @ m.T,
        "a.sum(), records graph": lambda: v.sum(),
        "a.mean(), records graph": lambda: v.mean(),
        "relu(a), records graph": lambda: np.maximum(v, 0),
        "a[1], records graph": lambda: v[1],
        "tensor(1.0)": lambda: np.array(1.0, np.float32),
        "(a * a).sum().backward()": lambda: (v * v).sum() and 2 * v,
    }


def time_us(case: Case, number: int, repeat: int = 5) -> float:
    """Median over ``repeat`` of the mean µs per call of ``case`` over ``number`` calls."""
    return statistics.median(
        t / number * 1e6 for t in timeit.repeat(case, number=number, repeat=repeat)
    )


def table(number: int) -> str:
    """One row per op: µs per call in torch, tg and numpy, and tg / torch."""
    libs, errors = load_libs(("torch", "tg"))
    columns: dict[str, dict[str, Case]] = {"numpy": _numpy_cases()}
    for impl, lib in libs.items():
        try:
            columns[impl] = _cases(lib)  # type: ignore[arg-type]
        except Exception as exc:  # noqa: BLE001 - shown as n/a
            errors[impl] = f"{type(exc).__name__}: {exc}"
    rows = []
    for name in columns["numpy"]:
        us = {impl: _safe_time(cases[name], number) for impl, cases in columns.items()}
        tg_us, torch_us = us.get("tg"), us.get("torch")
        ratio = tg_us / torch_us if tg_us and torch_us else None
        cells = [f"{x:.2f}" if (x := us.get(i)) else "n/a" for i in ("torch", "tg", "numpy")]
        rows.append([name, *cells, f"{ratio:.2f}" if ratio else "n/a"])
    notes = "".join(f"\n  {impl}: {err}" for impl, err in errors.items())
    headers = ["op (µs per call)", "torch", "tg", "numpy", "tg/torch"]
    return render(headers, rows) + (f"\nn/a because:{notes}" if notes else "")


def _safe_time(case: Case, number: int) -> float | None:
    try:
        return time_us(case, number)
    except Exception:  # noqa: BLE001 - an op tg lacks yet is n/a, not a crash
        return None


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.opbench [--number N]``, on one thread."""
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.opbench", description=__doc__.splitlines()[0]
    )
    p.add_argument("--number", type=int, default=2000, help="calls per timing")
    args = p.parse_args(argv)
    with thread_limit(1, sys.modules.get("torch")):
        print(table(args.number))
    return 0


if __name__ == "__main__":
    sys.exit(main())
