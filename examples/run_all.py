"""Run every example and write ``runs/index.html`` with their printed output and plots.

Run:  python -m examples [--quick] [--out runs] [--only quadratic losses ...]
      (or: python examples/run_all.py ...)

Each example writes its plots to ``<out>/<example>/``; its printed output is shown on the
terminal as it runs and captured into the index. An example that fails is reported in the
index with its traceback, and the command exits with status 1.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import importlib
import io
import re
import sys
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # so `python examples/x.py` works

from examples import EXAMPLES


@dataclass
class Run:
    """What one example did: its printed output, plots, results and time taken."""

    name: str
    summary: str
    description: list[str] = field(default_factory=list)  # the docstring's other paragraphs
    output: str = ""
    plots: list[Path] = field(default_factory=list)
    results: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    error: str | None = None


class _Tee(io.StringIO):
    """A text stream that keeps what is written and passes it on to ``stream``."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self._stream = stream

    def write(self, s: str) -> int:
        self._stream.write(s)
        return super().write(s)

    def flush(self) -> None:
        self._stream.flush()


def run_example(name: str, out: Path, quick: bool) -> Run:
    """Import ``examples.<name>``, call its ``main`` and capture everything it printed."""
    module = importlib.import_module(f"examples.{name}")
    paragraphs = (module.__doc__ or name).strip().split("\n\n")
    run = Run(name=name, summary=paragraphs[0],
              description=[p for p in paragraphs[1:] if not p.startswith("Run:")])
    argv = ["--out", str(out / name)] + (["--quick"] if quick else [])
    tee = _Tee(sys.stdout)
    start = time.perf_counter()
    with contextlib.redirect_stdout(tee):
        try:
            run.results = module.main(argv)
        except Exception:  # report it in the index and carry on with the next example
            run.error = traceback.format_exc()
            print(run.error)
    run.seconds = time.perf_counter() - start
    run.output = tee.getvalue()
    run.plots = sorted([*(out / name).glob("*.png"), *(out / name).glob("*.svg")])
    return run


def _rendered(text: str) -> str:
    """A docstring's text as HTML: escaped, with its ``code`` and `code` spans as code."""
    text = html.escape(" ".join(text.split()))
    return re.sub(r"``(.+?)``|`(.+?)`", lambda m: f"<code>{m[1] or m[2]}</code>", text)


#: What each figure shows, by its path under the output folder.
CAPTIONS = {
    "classifiers/decision_boundary_blobs.png": "Blobs: the decision regions on the train and "
                                               "test points",
    "classifiers/decision_boundary_circles.png": "Circles: the decision regions on the train "
                                                 "and test points",
    "classifiers/decision_boundary_moons.png": "Moons: the decision regions on the train and "
                                               "test points",
    "classifiers/decision_boundary_spiral.png": "Spiral: the decision regions on the train "
                                                "and test points",
    "classifiers/loss_curves.png": "Training loss per epoch, one curve per dataset",
    "digits_cnn/filters.png": "The first Conv2d layer: its learned filters and the feature "
                              "maps of one digit",
    "exercise_swish/swish_graph.svg": "The graph autograd recorded for the swish network "
                                      "(tg.viz.draw_graph)",
    "gradient_descent/fit.png": "The line found by gradient descent over the data",
    "gradient_descent/loss_curve.png": "Distance to the optimum per step (log scale)",
    "linear_regression/fit.png": "Advertising data: sales against TV budget, with the "
                                 "fitted lines",
    "linear_regression/loss_curve.png": "nn.Linear + optim.SGD: distance to the optimum "
                                        "per epoch",
    "logistic_regression/training.png": "Train and test loss per epoch, and test accuracy "
                                        "against scikit-learn's SGDClassifier",
    "losses/fits.png": "The lines MSE, L1 and Huber losses fit through data with outliers, "
                       "and how each loss penalises one residual",
    "mnist_mlp/confusion_matrix.png": "Confusion matrices on the test digits",
    "mnist_mlp/loss_curves.png": "Training loss per epoch of the narrow and the wider MLP "
                                 "(log scale)",
    "mnist_mlp/predictions.png": "Test digits with the predicted and the true labels",
    "quadratic/predictions.png": "Predictions (red) approaching the data (blue), one panel "
                                 "per step",
    "quadratic/rmse.png": "Root mean squared error per step",
}


def _caption(run: Run, plot: Path) -> str:
    """What a figure shows (from CAPTIONS; else its file name, made readable)."""
    key = f"{run.name}/{plot.name}"
    words = plot.stem.replace("_", " ")
    return CAPTIONS.get(key, f"{words[:1].upper()}{words[1:]}") + f" ({plot.name})"


def _section(run: Run, out: Path) -> str:
    """The HTML of one example: title, time, printed output and plots."""
    status = "FAILED" if run.error else f"{run.seconds:.1f} s"
    images = "\n".join(
        f'<figure><img src="{html.escape(p.relative_to(out).as_posix())}" '
        f'alt="{html.escape(_caption(run, p))}">'
        f"<figcaption>{html.escape(_caption(run, p))}</figcaption></figure>"
        for p in run.plots
    )
    return (
        f'<section id="{run.name}"><h2>{run.name} <small>({status})</small></h2>\n'
        f"<p><strong>{_rendered(run.summary)}</strong><br>"
        f"<code>python -m examples.{run.name}</code></p>\n"
        + "".join(f"<p>{_rendered(p)}</p>\n" for p in run.description) +
        f"<pre>{html.escape(run.output)}</pre>\n{images}\n</section>"
    )


_STYLE = """
body { font-family: sans-serif; max-width: 1200px; margin: 2em auto; padding: 0 1em; }
pre { background: #f6f8fa; padding: 1em; overflow-x: auto; font-size: 0.85em; }
img { max-width: 100%; border: 1px solid #ddd; }
figure { margin: 1em 0; } figcaption { color: #444; font-size: 0.9em; }
small { color: #666; font-weight: normal; }
"""


def write_index(runs: list[Run], out: Path, quick: bool) -> Path:
    """Write ``out/index.html`` with every example's output and plots; return its path."""
    toc = " · ".join(f'<a href="#{r.name}">{r.name}</a>' for r in runs)
    mode = " (quick mode: few epochs)" if quick else ""
    body = "\n".join(_section(run, out) for run in runs)
    page = (
        f"<!doctype html>\n<html><head><meta charset='utf-8'><title>tinygrad_edu examples</title>"
        f"<style>{_STYLE}</style></head><body>\n<h1>tinygrad_edu examples{mode}</h1>\n"
        f"<p>{toc}</p>\n{body}\n</body></html>\n"
    )
    path = out / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line of ``python -m examples``."""
    parser = argparse.ArgumentParser(prog="python -m examples", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("runs"), help="output folder (runs)")
    parser.add_argument("--quick", action="store_true", help="few epochs: everything in seconds")
    parser.add_argument("--only", nargs="+", choices=EXAMPLES, help="run only these examples")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> dict[str, Run]:
    """Run the examples, write the index, and return each example's :class:`Run`."""
    args = _parse(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    runs = {}
    for name in args.only or EXAMPLES:
        print(f"\n=== {name} ===", flush=True)
        runs[name] = run_example(name, args.out, args.quick)
    index = write_index(list(runs.values()), args.out, args.quick)
    failed = [name for name, run in runs.items() if run.error]
    print(f"\nWrote {index}" + (f"; FAILED: {', '.join(failed)}" if failed else ""))
    return runs


if __name__ == "__main__":
    sys.exit(1 if any(run.error for run in main().values()) else 0)
