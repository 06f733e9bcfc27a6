"""Exercise: write Swish as a ``tg.autograd.Function`` and let ``gradcheck_graph`` check it.

Swish (also called SiLU) is ``swish(x) = x * sigmoid(x)``. Its derivative needs the
product rule, with ``s = sigmoid(x)`` and ``ds/dx = s * (1 - s)``:

    d swish / dx = s + x * s * (1 - s)

``Swish.backward`` below has a planted bug, the classic one: half of the product rule is
missing. A small network uses it; ``tg.autograd.gradcheck_graph(loss)`` re-checks every op
of the recorded graph on its own against finite differences and names the op whose
backward is wrong, with its shapes and the size of the error. The exercise: fix
``Swish.backward`` until the check passes (``SwishSolution`` shows one answer).

Run:  python -m examples.exercise_swish [--out runs/exercise_swish]
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # so `python examples/x.py` works

import tinygrad_edu as tg
from examples._common import parse_args


class Swish(tg.autograd.Function):
    """``x * sigmoid(x)``, written by a learner (with a planted bug in backward)."""

    @staticmethod
    def forward(ctx: Any, x: tg.Tensor) -> tg.Tensor:
        ctx.save_for_backward(x)
        return x * x.sigmoid()

    @staticmethod
    def backward(ctx: Any, grad: tg.Tensor) -> tg.Tensor:
        (x,) = ctx.saved_tensors
        s = x.sigmoid()
        # BUG (planted): the product rule has two terms, d(x*s) = s + x * ds; one is missing.
        return grad * x * s * (1 - s)


class SwishSolution(tg.autograd.Function):
    """``x * sigmoid(x)`` with the correct backward."""

    @staticmethod
    def forward(ctx: Any, x: tg.Tensor) -> tg.Tensor:
        ctx.save_for_backward(x)
        return x * x.sigmoid()

    @staticmethod
    def backward(ctx: Any, grad: tg.Tensor) -> tg.Tensor:
        (x,) = ctx.saved_tensors
        s = x.sigmoid()
        return grad * (s + x * s * (1 - s))  # product rule: d(x * s) = s + x * ds/dx


def tiny_net_loss(swish: type[tg.autograd.Function]) -> tg.Tensor:
    """A 2-layer network on random data with ``swish`` as its activation: the loss tensor."""
    tg.manual_seed(0)
    layer1, layer2 = tg.nn.Linear(3, 4), tg.nn.Linear(4, 1)
    x, y = tg.randn(6, 3), tg.randn(6, 1)
    hidden = swish.apply(layer1(x))
    return tg.nn.functional.mse_loss(layer2(hidden), y)


def check(swish: type[tg.autograd.Function]) -> str | None:
    """Run gradcheck_graph on the network's graph; the error message, or None if it passes."""
    loss = tiny_net_loss(swish)
    try:
        tg.autograd.gradcheck_graph(loss, verbose=True)
    except tg.autograd.GradcheckError as e:
        return str(e)
    return None


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Check the learner's Swish (finds the planted bug), then the solution (passes)."""
    args = parse_args("exercise_swish", __doc__, argv)
    results: dict[str, Any] = {}
    for name, swish in (("Swish (yours)", Swish), ("SwishSolution", SwishSolution)):
        print(f"== gradcheck_graph on a network using {name}")
        error = check(swish)
        print(error or "all ops passed: the backward agrees with finite differences")
        results[swish.__name__] = error
    graph = _draw(args.out)
    if graph:
        print(f"graph of the network written to {graph}")
    return results


def _draw(out: Path) -> Path | None:
    """Render the network's graph (the solution's) when Graphviz is installed."""
    try:
        loss = tiny_net_loss(SwishSolution)
        loss.backward()
        return Path(tg.viz.draw_graph(loss).render(out / "swish_graph", format="svg",
                                                   cleanup=True))
    except (ImportError, tg.viz.GraphvizNotFoundError):
        return None


if __name__ == "__main__":
    main()
