"""The fast dispatch is a twin of the readable path: both build the same graph.

``TINYGRAD_EDU_REFERENCE=1`` sends every op through the readable path (``_apply`` in
``core/function.py``) instead of its unrolled twin (``fast_apply`` in ``fast/apply.py``). CI runs the
whole suite both ways; this test runs every row of the op table both ways, each in its
own process, and compares outputs, graphs (names and next_functions) and gradients bit
for bit.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))


def _dump(tmp_path: object, reference: bool) -> dict[str, list[object]]:
    out = os.path.join(str(tmp_path), f"dump-{int(reference)}.pkl")
    env = dict(os.environ, TINYGRAD_EDU_REFERENCE="1" if reference else "0")
    # (the tinygrad_edu beside these tests, not another checkout installed in the venv)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [os.path.dirname(HERE),
                                                      env.get("PYTHONPATH")]))
    subprocess.run([sys.executable, os.path.join(HERE, "reference_dump.py"), out], env=env,
                   check=True, cwd=os.path.dirname(HERE))
    with open(out, "rb") as f:
        return pickle.load(f)


def test_both_modes_build_the_same_graph_and_gradients_for_every_op(tmp_path: object) -> None:
    fast, reference = _dump(tmp_path, False), _dump(tmp_path, True)
    assert fast.keys() == reference.keys()
    differ = [name for name in fast if fast[name] != reference[name]]
    assert not differ, f"the two modes differ on {differ}"
    assert sum(len(v) for v in fast.values()) >= 2 * len(fast)  # (it ran the examples)


def test_reference_mode_uses_the_readable_path() -> None:
    code = ("import tinygrad_edu.fast as f, tinygrad_edu.ops.arithmetic as E; "
            "print(f.REFERENCE, E.Mul.apply.__qualname__.startswith('_reference_apply'))")
    for value, expected in (("1", "True True"), ("0", "False False")):
        env = dict(os.environ, TINYGRAD_EDU_REFERENCE=value)
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, check=True, cwd=os.path.dirname(HERE))
        assert out.stdout.strip() == expected


if not os.path.exists(os.path.join(HERE, "test_ops.py")):  # pragma: no cover
    pytest.skip("needs the op table", allow_module_level=True)
