"""The timing harness: interleaved rounds, medians, fair threads, peak RSS in subprocesses.

How a workload is timed (issue 7):

* the implementations (``torch``, ``tg`` = tinygrad_edu, ``tgc`` = the same loop under
  ``tg.compile``, ``numpy`` = the floor) are built once in one process, then run
  **interleaved**: round r runs each of them once, in an order rotated every round, so
  drifts of the machine hit all of them alike;
* a warm-up round first, then ``rounds`` timed rounds; the figure is the **median** µs/step;
* this is done under each thread count in ``threads`` (default 1 and 2) for torch
  (``torch.set_num_threads``) and numpy's BLAS (threadpoolctl) alike, and each
  implementation is credited with its faster count; ``OMP_WAIT_POLICY=PASSIVE`` is set
  before torch is imported, since spinning OpenMP threads make it erratic on 2 cores;
* peak RSS is measured in a fresh subprocess per (workload, implementation), so one
  library's heap or import never counts against another.

An implementation that fails to import, build or run is reported with its error, never
allowed to crash the suite.
"""

from __future__ import annotations

import ctypes
import json
import os
import statistics
import subprocess
import sys
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from types import ModuleType
from typing import Any

from benchmarks.workloads import Runner, Workload

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # must precede the first `import torch`

IMPLS = ("torch", "tg", "tgc", "numpy")
"""The implementations, in table order: PyTorch, tinygrad_edu, tinygrad_edu's step under
``tg.compile``, the handwritten-numpy floor."""

LIB_NAMES = {"torch": "torch", "tg": "tinygrad_edu", "tgc": "tinygrad_edu"}
REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Config:
    """What to run and how: ``quick`` shrinks every workload to a smoke test."""

    quick: bool = False
    rounds: int = 5
    threads: tuple[int, ...] = (1, 2)
    impls: tuple[str, ...] = IMPLS
    rss: bool = True
    verbose: bool = False
    mallopt: bool = False


@dataclass
class Timing:
    """Per-round µs/step of one implementation, at the thread count where it was fastest."""

    rounds: list[float]
    threads: int
    steps: int

    @property
    def median(self) -> float:
        return statistics.median(self.rounds)

    @property
    def spread(self) -> float:
        """Half the range of the rounds, relative to the median (0.03 = +-3 %)."""
        return (max(self.rounds) - min(self.rounds)) / (2 * self.median)


@dataclass
class Rss:
    """Peak resident memory during one round, and its growth over the RSS after setup, in MB.

    ``alone_us`` is that round's µs/step: the workload alone in a fresh interpreter, with
    no other library loaded (a cold first round, so a little slower than the medians).
    """

    peak_mb: float
    growth_mb: float
    alone_us: float


@dataclass
class Row:
    """Everything measured for one workload."""

    workload: Workload
    timings: dict[str, Timing] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    rss: dict[str, Rss] = field(default_factory=dict)
    compile_ms: float | None = None  # tgc: its first three calls (warm-up, record, check)


def short_error(exc: BaseException) -> str:
    """``"AttributeError: module 'x' has no attribute 'nn'"``, on one line, at most 160 chars."""
    text = f"{type(exc).__name__}: {exc}".splitlines()[0]
    return text if len(text) <= 160 else text[:157] + "..."


def load_libs(impls: tuple[str, ...]) -> tuple[dict[str, ModuleType | None], dict[str, str]]:
    """Import torch and tinygrad_edu as asked; a failed import is an error string, not a crash."""
    libs: dict[str, ModuleType | None] = {}
    errors: dict[str, str] = {}
    for impl in impls:
        if impl == "numpy":
            libs[impl] = None
            continue
        try:
            libs[impl] = import_module(LIB_NAMES[impl])
        except Exception as exc:  # noqa: BLE001 - any failure means "n/a", shown with its cause
            errors[impl] = short_error(exc)
    return libs, errors


def build(workload: Workload, impl: str, lib: ModuleType | None, quick: bool) -> Runner:
    """The runner of ``workload`` for ``impl``: the shared loop on ``lib``, or the numpy floor."""
    if impl == "numpy":
        return workload.floor(quick)
    if impl == "tgc":
        if workload.compiled_target is None:
            raise NotImplementedError("no tg.compile version of this workload in the suite")
        return workload.build(lib, quick, compiled=True)
    return workload.build(lib, quick)


@contextmanager
def thread_limit(n: int, torch_mod: ModuleType | None) -> Iterator[None]:
    """Run torch's intra-op pool and numpy's BLAS (threadpoolctl, if installed) on ``n`` threads."""
    previous = torch_mod.get_num_threads() if torch_mod is not None else None
    if torch_mod is not None:
        torch_mod.set_num_threads(n)
    try:
        from threadpoolctl import threadpool_limits

        limiter: Any = threadpool_limits(limits=n)
    except ImportError:
        limiter = nullcontext()
    try:
        with limiter:
            yield
    finally:
        if torch_mod is not None and previous is not None:
            torch_mod.set_num_threads(previous)


def _time_round(run: Runner) -> tuple[float, int]:
    """Run one round; return (µs per step, steps)."""
    start = time.perf_counter()
    steps = run()
    return (time.perf_counter() - start) * 1e6 / steps, steps


def _rounds(
    runners: dict[str, Runner], cfg: Config, row: Row
) -> dict[str, tuple[list[float], int]]:
    """A warm-up round each, then ``cfg.rounds`` interleaved timed rounds in rotating order.

    Returns, per implementation that did not fail, its µs/step of each round and its steps.
    """
    times: dict[str, list[float]] = {impl: [] for impl in runners}
    steps: dict[str, int] = {}
    order = list(runners)
    for r in range(-1, cfg.rounds):
        for impl in order[r % len(order) :] + order[: r % len(order)]:
            if impl in row.errors:
                continue
            try:
                us, steps[impl] = _time_round(runners[impl])
            except Exception as exc:  # noqa: BLE001 - report, keep timing the others
                row.errors[impl] = short_error(exc)
                _log_traceback(cfg, row.workload.key, impl)
                continue
            if r >= 0:
                times[impl].append(us)
    return {impl: (t, steps[impl]) for impl, t in times.items() if impl not in row.errors}


def _log_traceback(cfg: Config, key: str, impl: str) -> None:
    if cfg.verbose:
        print(f"--- {key} {impl} failed:", file=sys.stderr)
        traceback.print_exc()


def _build_all(
    workload: Workload, libs: dict[str, ModuleType | None], cfg: Config, row: Row
) -> dict[str, Runner]:
    """Build each implementation's runner; failures go to ``row.errors``."""
    runners: dict[str, Runner] = {}
    for impl in cfg.impls:
        if impl in row.errors:
            continue
        try:
            runners[impl] = build(workload, impl, libs.get(impl), cfg.quick)
            if impl == "tgc":
                row.compile_ms = getattr(runners[impl], "compile_ms", None)
        except Exception as exc:  # noqa: BLE001
            row.errors[impl] = short_error(exc)
            _log_traceback(cfg, workload.key, impl)
    return runners


def time_workload(
    workload: Workload, libs: dict[str, ModuleType | None], cfg: Config, lib_errors: dict[str, str]
) -> Row:
    """Time every implementation of ``workload`` under each thread count; keep each one's best."""
    row = Row(workload, errors=dict(lib_errors))
    runners = _build_all(workload, libs, cfg, row)
    best: dict[str, Timing] = {}
    for n in cfg.threads:
        with thread_limit(n, libs.get("torch")):
            for impl, (rounds, steps) in _rounds(runners, cfg, row).items():
                if rounds and (impl not in best or statistics.median(rounds) < best[impl].median):
                    best[impl] = Timing(rounds, n, steps)
    row.timings = {impl: t for impl, t in best.items() if impl not in row.errors}
    return row


def raise_mmap_threshold() -> bool:
    """glibc only: keep freed large blocks in the heap instead of handing them back to the OS.

    By default glibc serves a large ``malloc`` (a 1000x512 float32 array is 2 MB) with a
    fresh ``mmap`` and gives it back on ``free``, so every temporary of that size is
    page-faulted in anew, and a shrinking heap is trimmed back to the OS likewise. Raising
    ``M_MMAP_THRESHOLD`` and ``M_TRIM_THRESHOLD`` keeps the pages. Returns False where this
    is not glibc. (``--mallopt``: what an engine would gain from doing it, or reusing buffers.)
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3  # from <malloc.h>
    ok = libc.mallopt(m_mmap_threshold, 256 << 20) and libc.mallopt(m_trim_threshold, 1 << 30)
    return bool(ok)


def measure_rss(workload: Workload, impl: str, cfg: Config) -> Rss | str:
    """Peak RSS of one round of ``workload`` in a fresh interpreter (see ``rss_child``)."""
    cmd = [sys.executable, "-m", "benchmarks", "--rss-child", f"{workload.key}:{impl}"]
    cmd += ["--quick"] * cfg.quick + ["--mallopt"] * cfg.mallopt
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")])
    )
    try:
        proc = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            env=env,
            timeout=900,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return "timed out"
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        return (proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"])[-1]
    result = json.loads(lines[-1])
    return Rss(**result) if "peak_mb" in result else str(result.get("error"))


def _status_kb(key: str) -> int:
    """A ``VmRSS``/``VmHWM`` line of /proc/self/status, in kB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{key} not in /proc/self/status (is this Linux?)")


def rss_child(spec: str, quick: bool) -> dict[str, Any]:
    """In a fresh process: set up ``"W3:tg"``, reset the peak, run one round, report the peak.

    The peak is the kernel's high-water mark ``VmHWM``, reset after setup by writing 5 to
    /proc/self/clear_refs, so imports and data are in the baseline and the growth is the
    loop's own: graph, temporaries, gradient and optimizer buffers.
    """
    from benchmarks.workloads import WORKLOADS

    key, impl = spec.split(":")
    libs, errors = load_libs((impl,))
    if errors:
        return {"error": errors[impl]}
    try:
        with thread_limit(1, libs.get("torch")):
            run = build(WORKLOADS[key], impl, libs[impl], quick)
            base = _status_kb("VmRSS")
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
            us, _ = _time_round(run)
            peak = _status_kb("VmHWM")
    except Exception as exc:  # noqa: BLE001
        return {"error": short_error(exc)}
    return {"peak_mb": peak / 1024, "growth_mb": (peak - base) / 1024, "alone_us": us}


def run_suite(workloads: list[Workload], cfg: Config) -> list[Row]:
    """Time (and, if asked, measure the RSS of) every workload; print progress to stderr."""
    if cfg.mallopt and not raise_mmap_threshold():
        print("[bench] --mallopt: not glibc, ignored", file=sys.stderr)
    libs, lib_errors = load_libs(cfg.impls)
    rows = []
    for w in workloads:
        print(f"[bench] {w.label} ...", file=sys.stderr, flush=True)
        row = time_workload(w, libs, cfg, lib_errors)
        if cfg.rss:
            for impl in cfg.impls:
                if impl in row.timings:
                    result = measure_rss(w, impl, cfg)
                    if isinstance(result, Rss):
                        row.rss[impl] = result
        rows.append(row)
    return rows
