"""Helpers the examples share: the command line, the output folder and saving figures.

Nothing here touches tensors, so each example reads exactly like its PyTorch original.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

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


def subplots(nrows: int = 1, ncols: int = 1, **kwargs: Any) -> tuple[Figure, Any]:
    """``plt.subplots`` without pyplot: a ``Figure`` and its axes, drawn into a PNG by
    ``save_figure``. No backend is chosen for the whole process (a notebook keeps its
    inline plots), and nothing global remembers the figure (no ``plt.close`` needed).
    ``figsize`` and the other ``Figure`` arguments go to the figure, the rest (``sharex``,
    ``width_ratios``, ...) to ``Figure.subplots``."""
    figure_args = {k: kwargs.pop(k) for k in ("figsize", "dpi", "layout") if k in kwargs}
    fig = Figure(**figure_args)
    return fig, fig.subplots(nrows, ncols, **kwargs)


def save_figure(fig: Figure, out: Path, filename: str) -> Path:
    """Save ``fig`` as ``out/filename`` (PNG) and return the path."""
    path = Path(out) / filename
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return path
