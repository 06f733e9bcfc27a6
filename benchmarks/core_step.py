"""The two per-step figures of issue 2 (core engine), tinygrad_edu against PyTorch.

* the quadratic fit of issue 2, one step: forward, ``backward()``, ``params.data -= ...``
  (workload W2);
* ``x @ w.T + b`` (Linear(1, 1)) + MSE + manual SGD through ``.data`` on 200 samples,
  one step (workload W1m) — the core engine only, no nn / optim.

Issue 2 asks that each cost no more than in PyTorch 2.13 eager on the same machine. Both
are timed by the suite's harness (interleaved, median, best of 1 and 2 threads), with the
numpy floor alongside.

Example:
    python -m benchmarks.core_step            # about 10 s
"""

from __future__ import annotations

import argparse
import sys

# harness sets OMP_WAIT_POLICY=PASSIVE on import, before anything imports torch
from benchmarks import harness, report
from benchmarks.workloads import WORKLOADS


def verdicts(rows: list) -> str:
    """One line per workload: tg and torch µs/step and whether issue 2's bound holds."""
    lines = []
    for row in rows:
        tg, torch = row.timings.get("tg"), row.timings.get("torch")
        if not (tg and torch):
            lines.append(f"{row.workload.label}: n/a ({row.errors})")
            continue
        ratio = tg.median / torch.median
        verdict = "meets" if ratio <= 1.0 else "MISSES"
        lines.append(
            f"{row.workload.label}: tg {tg.median:.1f} µs vs torch {torch.median:.1f} µs "
            f"per step = {ratio:.2f}x ({verdict} issue 2: no more than PyTorch)"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Time W2 and W1m and print the table and the verdicts."""
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.core_step", description=__doc__.splitlines()[0]
    )
    p.add_argument("--quick", action="store_true", help="20 steps, 2 rounds (a smoke test)")
    p.add_argument("--rounds", type=int, default=7)
    args = p.parse_args(argv)
    cfg = harness.Config(
        quick=args.quick,
        rounds=2 if args.quick else args.rounds,
        threads=(1,) if args.quick else (1, 2),
        rss=False,
    )
    rows = harness.run_suite([WORKLOADS["W2"], WORKLOADS["W1m"]], cfg)
    print(report.header(cfg), report.time_table(rows), sep="\n\n")
    print("\n" + verdicts(rows))
    if notes := report.error_notes(rows):
        print("n/a because:\n" + notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
