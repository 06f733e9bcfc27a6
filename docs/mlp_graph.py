"""Render docs/mlp_graph.svg and docs/mlp_graph.png, the README's picture, with the code the
README shows next to it (tests/test_readme.py checks that the lines are the same).

Run:  python docs/mlp_graph.py     (needs graphviz: pip install graphviz + the dot program)
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import tinygrad_edu as tg  # noqa: E402
from tinygrad_edu import nn  # noqa: E402

tg.manual_seed(0)
mlp = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 3))
x = tg.randn(5, 2)                # a batch of 5 points
y = tg.tensor([0, 2, 1, 1, 0])    # their classes
loss = nn.functional.cross_entropy(mlp(x), y)

with tg.viz.trace_backward() as trace:   # parameters named as in mlp.named_parameters()
    loss.backward()

graph = tg.viz.draw_graph(loss, names={"x": x, "y": y, "loss": loss}, legend=True)
for fmt in ("svg", "png"):
    graph.render(HERE / "mlp_graph", format=fmt, cleanup=True)
    print(f"wrote {HERE / f'mlp_graph.{fmt}'}")
