"""Helpers the examples share: the command line, the output folder and saving figures.

Nothing here touches tensors, so each example reads exactly like its PyTorch original.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display needed: every figure is written to a PNG file

import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)
from matplotlib.figure import Figure  # noqa: E402

RUNS_DIR = Path("runs")


def parse_args(
    name: str,
    description: str | None,
    argv: Sequence[str] | None = None,
    add_arguments: Callable[[argparse.ArgumentParser], None] | None = None,
) -> argparse.Namespace:
    """Parse the options every example takes (``--out``, ``--quick``) plus its own.

    Creates the output folder. ``add_arguments(parser)`` may add example-specific options.
    """
    parser = argparse.ArgumentParser(
        prog=f"python -m examples.{name}",
        description=description.strip().splitlines()[0] if description else None,
    )
    parser.add_argument(
        "--out", type=Path, default=RUNS_DIR / name, help=f"folder for plots (runs/{name})"
    )
    parser.add_argument(
        "--quick", action="store_true", help="train only briefly: a smoke test in seconds"
    )
    if add_arguments is not None:
        add_arguments(parser)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    return args


def save_figure(fig: Figure, out: Path, filename: str) -> Path:
    """Save ``fig`` as ``out/filename`` (PNG), close it, and return the path."""
    path = Path(out) / filename
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
