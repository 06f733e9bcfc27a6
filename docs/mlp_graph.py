"""Render docs/mlp_graph.svg and docs/mlp_graph.png: a small MLP's graph after backward.

Run:  python docs/mlp_graph.py     (needs graphviz: pip install graphviz + the dot program)
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import tinygrad_edu as tg  # noqa: E402

tg.manual_seed(0)
model = tg.nn.Sequential(tg.nn.Linear(2, 4), tg.nn.ReLU(), tg.nn.Linear(4, 3))
x = tg.randn(5, 2)                # a batch of 5 points
y = tg.tensor([0, 2, 1, 1, 0])    # their classes
loss = tg.nn.functional.cross_entropy(model(x), y)
loss.backward()

graph = tg.viz.draw_graph(loss, params=model, names={"x": x, "y": y, "loss": loss}, legend=True)
for fmt in ("svg", "png"):
    graph.render(HERE / "mlp_graph", format=fmt, cleanup=True)
    print(f"wrote {HERE / f'mlp_graph.{fmt}'}")
