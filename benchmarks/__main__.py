"""``python -m benchmarks``: time W1..W6 in PyTorch, tinygrad_edu and numpy, print the tables.

Examples::

    python -m benchmarks                  # the full suite (a few minutes)
    python -m benchmarks --quick          # a smoke test of every workload (seconds)
    python -m benchmarks --only W1,W2 -v  # two workloads, with every round's time
    python -m benchmarks --plot scaling.png --no-rss
"""

from __future__ import annotations

import argparse
import json
import sys

# harness sets OMP_WAIT_POLICY=PASSIVE on import, before anything imports torch
from benchmarks import harness, report, workloads


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line; see the module docstring."""
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="tiny sizes, 2 rounds, 1 thread, no RSS")
    p.add_argument("--only", metavar="W1,W2", help="run these workloads (W1m: issue 2's core loop)")
    p.add_argument("--impls", default="torch,tg,tgc,numpy",
                   help="implementations to run (tgc: tg.compile)")
    p.add_argument("--rounds", type=int, help="timed rounds per implementation (default 5)")
    p.add_argument("--threads", help="thread counts to try, e.g. 1,2 (default 1,2; quick: 1)")
    p.add_argument("--no-rss", action="store_true", help="skip the peak-RSS subprocesses")
    p.add_argument("--markdown", action="store_true", help="print Markdown tables")
    p.add_argument("--json", metavar="PATH", help="also write the measurements as JSON")
    p.add_argument(
        "--plot",
        metavar="PNG",
        nargs="?",
        const="benchmarks/scaling.png",
        help="plot step time against width and batch size (needs matplotlib)",
    )
    p.add_argument(
        "--mallopt",
        action="store_true",
        help="raise glibc's mmap/trim thresholds first (no page faults on big temporaries)",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="every round, and tracebacks")
    p.add_argument("--rss-child", metavar="KEY:IMPL", help=argparse.SUPPRESS)  # internal
    return p.parse_args(argv)


def config(args: argparse.Namespace) -> harness.Config:
    """A harness.Config from the parsed arguments (quick mode changes the defaults)."""
    threads = args.threads or ("1" if args.quick else "1,2")
    return harness.Config(
        quick=args.quick,
        rounds=args.rounds or (2 if args.quick else 5),
        threads=tuple(int(n) for n in threads.split(",")),
        impls=tuple(i.strip() for i in args.impls.split(",")),
        rss=not (args.no_rss or args.quick),
        verbose=args.verbose,
        mallopt=args.mallopt,
    )


def main(argv: list[str] | None = None) -> int:
    """Run what the command line asks; return the process exit code."""
    args = parse_args(argv)
    if args.rss_child:
        if args.mallopt:
            harness.raise_mmap_threshold()
        print(json.dumps(harness.rss_child(args.rss_child, args.quick)))
        return 0
    cfg = config(args)
    if args.plot:
        from benchmarks import plot

        plot.main(args.plot, cfg)
        return 0
    rows = harness.run_suite(workloads.select(args.only), cfg)
    print(report.full_report(rows, cfg, markdown=args.markdown))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report.to_json(rows, cfg), f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
