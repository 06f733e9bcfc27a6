"""Differential fuzzing of ``tg.compile``: a compiled step gives the eager step's bits.

The program fuzzer's programs (``test_fuzz_programs.programs``: arithmetic, views and
writes into them, indexing, custom Functions, hooks, grad-mode blocks, threads...), with
convolutions, pools and ``unfold`` among their steps (``WINDOWS``), become
the body of a training step: the leaves are its parameters, and after the program comes a
loss, ``backward()``, and an update: SGD written by hand (in place under ``no_grad``,
then ``grad = None``), or ``optim.SGD`` with momentum, ``Adam`` or ``RAdam`` (whose branch
on its step count flips at step 6). Some steps then pull each parameter towards another
of the same shape, as an EMA model or an RL target network does: in place
(``q.mul_(0.5).add_(p, alpha=0.5)``, which checks that the two do not overlap) or through
``.data`` (``q.data.copy_(...)``); a parameter may be pulled towards itself. Two
twins of that step run side by side, one eager and one under ``tg.compile``, for several
calls (warm-up, record, check, replays), and after every call their parameters, gradients
and returned losses must agree bit for bit -- whether the compiled one replays or gave up
and runs eagerly. A failure prints the step. Every matrix product the compiler can turn
around (``optimize.py``, pass 6) is turned, whatever its size or timing.

``FUZZ_COMPILE_EXAMPLES=2000`` runs more examples (the default is a few seconds' worth).
"""

from __future__ import annotations

import os
import traceback
import warnings
from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings

import tinygrad_edu as tg

torch = pytest.importorskip("torch")

from test_fuzz_programs import (  # noqa: E402  (after torch: it needs torch to render)
    WINDOWS,
    _Both,
    _functions,
    _hooks,
    _in_thread,
    _leaf_line,
    _render,
    programs,
)

_EXAMPLES = int(os.environ.get("FUZZ_COMPILE_EXAMPLES", "0")) or 2 * settings().max_examples
_EXPLORE = bool(os.environ.get("FUZZ_COMPILE_EXAMPLES"))
_CALLS = 8
_UPDATES = ["by hand", "SGD(params, lr=0.125, momentum=0.9)", "Adam(params, lr=0.01)",
            "RAdam(params, lr=0.01)"]
_PULLS = [None, "    with m.no_grad():\n        {q}.mul_(0.5).add_({p}, alpha=0.5)",
          "    {q}.data.copy_(0.5 * {q}.data + 0.5 * {p}.data)"]  # (after the update)


class _Render(_Both):
    """The program fuzzer's two namespaces, without its comparisons (that fuzzer's job):
    a line that raises in either library is left out of the step."""

    def run(self, line: str) -> Any:
        """Run ``line`` in both namespaces; return an error if either raised, else None."""
        self.lines.append(line)
        code = compile(line, "<program>", "exec")
        error = None
        for env in self.envs:
            try:
                exec(code, env)  # noqa: S102  (the program, drawn by the test)
            except Exception as e:  # noqa: BLE001
                error = error or type(e).__name__
        return error


def _step_source(program: dict[str, Any]) -> tuple[list[str], str] | None:
    """(the leaf lines, the step's source), rendered as the program fuzzer renders it;
    only the lines that ran without an error in both libraries are kept."""
    both = _Render()
    leaves, names, body = [], [], []
    for k, leaf in enumerate(program["leaves"]):
        line = _leaf_line(k, *leaf)
        both.run(line)
        leaves.append(line)
        names.append(f"t{k}")
    for n, step in enumerate(program["steps"]):
        env = both.envs[0]
        floats = [v for v in names if env[v].is_floating_point()]
        ints = [v for v in names if not env[v].is_floating_point()]
        rendered = _render(step, names, floats, ints, env, f"t{len(program['leaves']) + n}")
        if rendered is None:
            continue
        line, touched = rendered
        if both.run(line) is not None:
            continue
        body.append(line)
        names += [v for v in touched if v not in names]
    env = both.envs[0]
    usable = [v for v in names if env[v].is_floating_point()]
    if not usable:
        return None
    terms = sorted({usable[i % len(usable)] for i in program["loss"]} | {usable[-1]})
    loss = " + ".join(f"({v} * {k + 1}).sum()" for k, v in enumerate(terms))
    if both.run(f"loss = {loss}") is not None or not env["loss"].requires_grad:
        return None
    if both.run("loss.backward()") is not None:
        return None
    params = ", ".join(f"t{k}" for k in range(len(leaves)))
    update = _UPDATES[program["picks"][0] % len(_UPDATES)]
    trained = [f"t{k}" for k, leaf in enumerate(program["leaves"]) if leaf[2]]
    lines = ["def step():", *(f"    {b}" for b in "\n".join(body).splitlines()),
             f"    loss = {loss}", "    loss.backward()"]
    if update == "by hand" or not trained:
        lines += ["    with m.no_grad():",
                  f"        for p in [{params}]:",
                  "            if p.grad is not None and p.is_leaf and p.dtype == p.grad.dtype:",
                  "                p.sub_(p.grad * 0.125)",
                  f"    for p in [{params}]:",
                  "        p.grad = None"]
    else:
        params_list = "[" + ", ".join(trained) + "]"
        leaves = [*leaves, "opt = m.optim." + update.replace("params", params_list)]
        lines += ["    opt.step()", "    opt.zero_grad()"]
    pull = _PULLS[program["picks"][-1] % len(_PULLS)]
    if pull is not None and len(program["picks"]) > 1:
        env = both.envs[0]
        floats = [f"t{k}" for k in range(len(program["leaves"])) if env[f"t{k}"].is_leaf
                  and env[f"t{k}"].is_floating_point()]
        for q, p in zip(floats, reversed(floats)):  # (the middle one: towards itself)
            if env[q].shape == env[p].shape and env[q].dtype == env[p].dtype:
                lines += pull.format(q=q, p=p).splitlines()
    lines.append("    return loss")
    return leaves, "\n".join(lines) + "\n"


def _namespace(leaves: list[str]) -> dict[str, Any]:
    seen: list[Any] = []
    env = {"m": tg, "np": np, "F": _functions(tg), "H": _hooks(seen), "_seen": seen,
           "_in_thread": _in_thread}
    for line in leaves:
        exec(line, env)  # noqa: S102  (the program, drawn by the test)
    return env


def _bits(env: dict[str, Any], n: int) -> list[Any]:
    out = []
    for k in range(n):
        t = env[f"t{k}"]
        out.append((t._data.dtype.str, t._data.shape, t._data.tobytes(), t.requires_grad,
                    None if t.grad is None else t.grad._data.tobytes()))
    return out


def run_compiled(program: dict[str, Any]) -> None:
    from tinygrad_edu.compiler import optimize

    with mock.patch.multiple(optimize, _MIN_PRODUCT=0, _MEASURED={},
                             _faster=lambda new, old: True):  # (every product it can turn)
        _run_compiled(program)


def _run_compiled(program: dict[str, Any]) -> None:
    made = _step_source(program)
    if made is None:
        return
    leaves, source = made
    eager, compiled = _namespace(leaves), _namespace(leaves)
    exec(source, eager)  # noqa: S102
    exec(source, compiled)  # noqa: S102
    fast = tg.compile(compiled["step"])
    script = "\n".join(leaves) + "\n" + source
    for call in range(_CALLS):
        errors = []
        results = []
        raised = ""
        for fn in (eager["step"], fast):
            try:
                results.append(fn())
                errors.append(None)
            except Exception as e:  # noqa: BLE001  (both must raise alike)
                results.append(None)
                errors.append(type(e).__name__)
                raised += "".join(traceback.format_exception(e))
        assert errors[0] == errors[1], f"call {call}: {errors}\n{script}\n{raised}"
        if errors[0] is not None:
            return
        n = len(program["leaves"])
        mine, theirs = _bits(compiled, n), _bits(eager, n)
        assert mine == theirs, f"call {call}: the leaves differ\n{script}\n{fast.explanation()}"
        a, b = results
        assert a._data.tobytes() == b._data.tobytes() and a.dtype == b.dtype, (
            f"call {call}: the loss differs\n{script}\n{fast.explanation()}")


@settings(max_examples=_EXAMPLES, derandomize=not _EXPLORE, deadline=None,
          database=None if not _EXPLORE else settings().database)
@given(programs(WINDOWS))
def test_compiled_programs_give_eager_bits(program: dict[str, Any]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run_compiled(program)
