"""Fuzzing: Hypothesis writes random programs — sequences of ops on tensors of random,
mutually broadcastable shapes — and checks each program's gradients against central
finite differences (always) and against PyTorch (when installed).

A program starts from its inputs; each step applies a unary op to a value, or a binary
op to two values (broadcasting them), or a reduction; the values it makes join the pool.
The loss is the sum of the last value. Ops are smooth on the drawn range (no kinks or
poles: division is by 1 + y^2, log by 1 + y^2), so finite differences are exact enough.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays, broadcast_shapes

import tinygrad_edu as tg

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None

UNARY = {
    "tanh": lambda m, x: x.tanh(),
    "sigmoid": lambda m, x: x.sigmoid(),
    "sin": lambda m, x: x.sin(),
    "square": lambda m, x: x * x,
    "exp_half": lambda m, x: (x * 0.5).exp(),
    "log1p_sq": lambda m, x: (1 + x * x).log(),
    "neg_scale": lambda m, x: -2.5 * x + 1,
    "softmax": lambda m, x: x.softmax(-1) if x.ndim else x,
    "log_softmax": lambda m, x: x.log_softmax(-1) if x.ndim else x,
    "transpose": lambda m, x: x.transpose(0, -1) if x.ndim >= 2 else x,
    "flip_view": lambda m, x: x.unsqueeze(0).squeeze(0),
}
BINARY = {
    "add": lambda m, x, y: x + y,
    "sub": lambda m, x, y: x - y,
    "mul": lambda m, x, y: x * y,
    "div": lambda m, x, y: x / (1 + y * y),
    # (the mask comes off a constant far from the drawn "nice" values: no jump for FD)
    "where": lambda m, x, y: m.where(y.detach() > 0.123456789, x, y * 0.5),
}
REDUCE = {
    "sum_last": lambda m, x: x.sum(-1, keepdim=True) if x.ndim else x,
    "mean_first": lambda m, x: x.mean(0) if x.ndim else x,
    "logsumexp": lambda m, x: x.logsumexp(-1, keepdim=True) if x.ndim else x,
}


@st.composite
def programs(draw: Any) -> tuple[list[np.ndarray], list[tuple[str, str, int, int]]]:
    n_inputs = draw(st.integers(1, 3))
    shapes = draw(broadcast_shapes(num_shapes=n_inputs))
    inputs = [draw(arrays(s)) for s in shapes]
    steps = []
    pool = n_inputs
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["unary", "binary", "binary", "reduce"]))
        table = {"unary": UNARY, "binary": BINARY, "reduce": REDUCE}[kind]
        name = draw(st.sampled_from(sorted(table)))
        a = draw(st.integers(0, pool - 1))
        b = draw(st.integers(0, pool - 1))
        steps.append((kind, name, a, b))
        pool += 1
    return inputs, steps


def run(m: Any, tensors: list[Any], steps: list[tuple[str, str, int, int]]) -> Any:
    values = list(tensors)
    for kind, name, a, b in steps:
        if kind == "binary":
            try:
                values.append(BINARY[name](m, values[a], values[b]))
            except RuntimeError:  # a reduction changed a shape: no longer broadcastable
                values.append(values[a] * 1.0)
        else:
            values.append((UNARY if kind == "unary" else REDUCE)[name](m, values[a]))
    return values[-1].sum()


@given(programs())
def test_random_program_gradients_match_finite_differences(program):
    inputs, steps = program
    xs = tuple(tg.tensor(a, requires_grad=True) for a in inputs)
    assert tg.autograd.gradcheck(lambda *t: run(tg, list(t), steps), xs)


@pytest.mark.skipif(torch is None, reason="torch not installed")
@given(programs())
def test_random_program_gradients_match_torch(program):
    inputs, steps = program
    mine = [tg.tensor(a, requires_grad=True) for a in inputs]
    theirs = [torch.tensor(a, requires_grad=True) for a in inputs]
    out_m, out_t = run(tg, mine, steps), run(torch, theirs, steps)
    np.testing.assert_allclose(out_m.item(), out_t.item(), rtol=1e-10, atol=1e-12)
    out_m.backward()
    out_t.backward()
    for k, (a, b) in enumerate(zip(mine, theirs)):
        ga = np.zeros(inputs[k].shape) if a.grad is None else a.grad.numpy()
        gb = np.zeros(inputs[k].shape) if b.grad is None else b.grad.numpy()
        np.testing.assert_allclose(ga, gb, rtol=1e-9, atol=1e-12,
                                   err_msg=f"input {k}, program {steps}")


@given(programs())
def test_random_program_float32_forward_matches_float64(program):
    """The same program in float32 stays close to float64 (no precision blow-ups)."""
    inputs, steps = program
    hi = run(tg, [tg.tensor(a) for a in inputs], steps).item()
    lo = run(tg, [tg.tensor(a, dtype=tg.float32) for a in inputs], steps).item()
    assert abs(hi - lo) <= 1e-3 * (1 + abs(hi))
