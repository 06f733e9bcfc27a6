"""Run every row of the op table and dump what it built: ``python tests/reference_dump.py
OUT`` (``tests/test_reference_mode.py`` runs it with and without TINYGRAD_EDU_REFERENCE=1
and compares the two dumps).

For each row and a few fixed examples (Hypothesis, derandomized: the same draws in every
process), the dump holds the outputs' values, dtypes and shapes, the graph behind them
(every node's name and its ``next_functions``, depth first), and each input's gradient
after ``backward`` of the outputs' sum -- all as bytes, so that equal means bit-equal.
"""

from __future__ import annotations

import os
import pickle
import sys
import warnings
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from test_ops import OPS, Op, _call, _leaves  # noqa: E402

import tinygrad_edu as tg  # noqa: E402

EXAMPLES = 3


def _graph(node: Any, depth: int = 6) -> Any:
    """A node's name and, ``depth`` levels down, what its next_functions lead to."""
    if node is None:
        return None
    if depth == 0:
        return node.name()
    return node.name(), tuple((_graph(n, depth - 1), k) for n, k in node.next_functions)


def _bits(t: Any) -> Any:
    if t is None:
        return None
    a = t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)
    return (str(a.dtype), a.shape, np.ascontiguousarray(a).tobytes())


def _record(op: Op, sample: Any) -> Any:
    """What one example of a row builds, or the error it raises."""
    xs = _leaves(sample.arrays)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outputs = _call(op, tg, xs, sample)
            floats = [o for o in outputs if isinstance(o, tg.Tensor) and o.requires_grad]
            graphs = [_graph(o.grad_fn) for o in floats]
            if floats:
                sum(o.sum() for o in floats).backward()
    except Exception as e:  # (the same error in both modes is the same behaviour)
        return ("error", type(e).__name__, str(e))
    return ([_bits(o) if isinstance(o, tg.Tensor) else repr(o) for o in outputs], graphs,
            [_bits(x.grad) for x in xs])


def dump() -> dict[str, list[Any]]:
    """Every row's examples."""
    results: dict[str, list[Any]] = {}
    for op in OPS:
        results[op.name] = _examples(op)
    return results


def _examples(op: Op) -> list[Any]:
    seen: list[Any] = []

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        seen.append(_record(op, data.draw(op.inputs)))

    run()
    return seen


if __name__ == "__main__":
    with open(sys.argv[1], "wb") as f:
        pickle.dump(dump(), f)
