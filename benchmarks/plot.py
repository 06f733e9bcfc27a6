"""Step time against model width and batch size, for torch, tinygrad_edu and the numpy floor.

The model is a 64-width-width-10 ReLU MLP trained with cross-entropy and SGD
(``workloads.mlp_step``). Left: width 64..2048 at batch 64. Right: batch 16..4096 at width
256. Small models show per-op overhead; large ones show matrix-multiply speed, where all
three should meet. Every point is timed by the harness (interleaved, median, best thread
count). matplotlib is imported only here, only when a plot is asked for.

Example:
    python -m benchmarks --plot benchmarks/scaling.png --no-rss
"""

from __future__ import annotations

import sys
from dataclasses import replace

from benchmarks import numpy_floor, workloads
from benchmarks.harness import IMPLS, Config, load_libs, time_workload
from benchmarks.report import fmt_us, header
from benchmarks.workloads import Workload

WIDTHS = (64, 128, 256, 512, 1024, 2048)
BATCHES = (16, 64, 256, 1024, 4096)
FIXED_BATCH, FIXED_WIDTH = 64, 256


def _steps(width: int, batch: int, budget_s: float = 0.1) -> int:
    """Steps per round so a round lasts about ``budget_s`` (assumes ~20 GFLOP/s + 300 µs/step)."""
    flops = 6 * batch * (64 * width + width * width + width * 10)  # forward + 2 backward matmuls
    return max(1, min(200, int(budget_s / (flops / 20e9 + 300e-6))))


def _point(width: int, batch: int, quick: bool) -> Workload:
    """The scaling MLP at one (width, batch) as a harness workload."""
    steps = 2 if quick else _steps(width, batch)

    def build(lib: object, _quick: bool) -> workloads.Runner:
        return workloads.mlp_step(lib, width, batch, steps)  # type: ignore[arg-type]

    def floor(_quick: bool) -> workloads.Runner:
        return numpy_floor.mlp_step(width, batch, steps)

    return Workload(f"w{width}b{batch}", "mlp", None, build, floor)


def sweep(cfg: Config) -> dict[str, dict[str, list[float | None]]]:
    """Median µs/step per implementation along both axes: ``{"width": {impl: [...]}, ...}``."""
    widths, batches = (WIDTHS[:2], BATCHES[:2]) if cfg.quick else (WIDTHS, BATCHES)
    axes = {
        "width": [(w, FIXED_BATCH) for w in widths],
        "batch": [(FIXED_WIDTH, b) for b in batches],
    }
    libs, lib_errors = load_libs(cfg.impls)
    out: dict[str, dict[str, list[float | None]]] = {}
    for axis, points in axes.items():
        out[axis] = {impl: [] for impl in cfg.impls}
        for width, batch in points:
            row = time_workload(_point(width, batch, cfg.quick), libs, cfg, lib_errors)
            for impl in cfg.impls:
                t = row.timings.get(impl)
                out[axis][impl].append(t.median if t else None)
            times = ", ".join(f"{i} {fmt_us(t.median)}" for i, t in row.timings.items())
            print(f"[plot] width {width:5} batch {batch:5}: {times} µs/step", file=sys.stderr)
    return out


def draw(results: dict[str, dict[str, list[float | None]]], path: str, cfg: Config) -> None:
    """Two log-log panels, one line per implementation; saved as a PNG at ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs = {"width": WIDTHS, "batch": BATCHES}
    titles = {
        "width": f"MLP 64-w-w-10, batch {FIXED_BATCH}: step time vs width w",
        "batch": f"MLP 64-{FIXED_WIDTH}-{FIXED_WIDTH}-10: step time vs batch size",
    }
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.6))
    for ax, (axis, by_impl) in zip(axes, results.items(), strict=True):
        for impl in IMPLS:
            pts = [(x, y) for x, y in zip(xs[axis], by_impl.get(impl, [])) if y is not None]
            if pts:
                ax.plot(*zip(*pts, strict=True), marker="o", label=impl)
        ax.set(xscale="log", yscale="log", xlabel=axis, ylabel="µs per training step")
        ax.set_title(titles[axis], fontsize=10)
        ax.set_xticks(xs[axis], [str(x) for x in xs[axis]])
        ax.minorticks_off()
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    fig.suptitle(header(cfg).splitlines()[1], fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"[plot] wrote {path}", file=sys.stderr)


def main(path: str, cfg: Config) -> None:
    """Sweep and draw (three rounds per point unless asked otherwise; no RSS)."""
    cfg = replace(cfg, rounds=min(cfg.rounds, 3), rss=False)
    draw(sweep(cfg), path, cfg)
