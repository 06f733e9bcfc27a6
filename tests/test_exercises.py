"""The gradient exercises (tinygrad_edu.exercises): every reference solution passes, every
planted bug is caught with a message that says where (the input and the element), a fresh
stub fails with a helpful message until it is filled, and the command line works."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tinygrad_edu import exercises
from tinygrad_edu.exercises import BackwardExercise, ExerciseError
from tinygrad_edu.exercises.__main__ import main

ROOT = Path(__file__).resolve().parents[1]
NAMES = exercises.list()
# "at y[2] (value ...): expected ..., your backward gives ..." / "y[0] ... was used 3 times"
WHERE = re.compile(r"(\w+)\[\d+(, \d+)*\]")


def test_the_exercises_of_the_issue_are_there():
    assert len(NAMES) >= 12
    for name in ("mul", "div", "matmul", "exp_log", "sigmoid", "tanh", "relu", "softmax",
                 "cross_entropy", "sum_dims", "mean_dims", "linear", "layer_norm",
                 "sgd_momentum", "adam"):
        assert name in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_every_solution_passes(name):
    assert exercises.check(name, exercises.solution(name)) is True


@pytest.mark.parametrize("name", NAMES)
def test_every_planted_bug_is_caught_and_located(name):
    with pytest.raises(ExerciseError) as info:
        exercises.check(name, exercises.broken(name))
    message = str(info.value)
    assert message.startswith(f"exercise {name!r}: ")
    assert "case " in message and "expected" in message
    where = WHERE.search(message)
    assert where, message  # the element, by its index
    exercise = exercises.get(name)
    inputs = exercise.inputs() if isinstance(exercise, BackwardExercise) else ["param"]
    assert where.group(1) in inputs  # ... of an input the learner knows by its name
    assert f"hint {name}" in message  # and what to do next


@pytest.mark.parametrize("name", [n for n in NAMES
                                  if isinstance(exercises.get(n), BackwardExercise)])
def test_solutions_agree_with_finite_differences(name):
    """The expected values come from tinygrad_edu's autograd; central differences of the
    forward in float64 agree with the reference solution, case by case."""
    exercise = exercises.get(name)
    for case in exercise.cases(np.random.default_rng(1)):
        grad, _ = exercise.expected(case, seed=3)
        got = exercise.solution(grad, *case.inputs, **case.options)
        got = got if isinstance(got, tuple) else (got,)
        for i, (a, g) in enumerate(zip(case.inputs, got)):
            if g is None:
                continue
            numerical = np.zeros(a.shape)
            for index in np.ndindex(a.shape):
                values = []
                for h in (1e-6, -1e-6):
                    moved = [np.array(v) for v in case.inputs]
                    moved[i][index] += h
                    out = exercise.forward(*map(_tensor, moved), **case.options)
                    values.append(float(np.sum(grad * out.numpy())))
                numerical[index] = (values[0] - values[1]) / 2e-6
            np.testing.assert_allclose(g, numerical, rtol=1e-5, atol=1e-7)


def _tensor(a):
    import tinygrad_edu as tg
    return tg.tensor(a)


def test_sgd_is_checked_bit_for_bit():
    sgd = exercises.get("sgd_momentum")
    assert sgd.rtol == 0 and sgd.atol == 0

    def off_by_an_ulp(param, grad, state, *, lr, momentum):
        return np.nextafter(exercises.solution("sgd_momentum")(
            param, grad, state, lr=lr, momentum=momentum), np.inf)

    with pytest.raises(ExerciseError, match=r"after step 1 of 4\n  at param\[\d, \d\] "
                       r"\(value before the step .*, grad .*\): expected -?\d\.\d{10,}.*"
                       r"\n  the check is bit for bit"):
        exercises.check("sgd_momentum", off_by_an_ulp)


def test_missing_unbroadcast_sum_says_which_element_and_how_to_fix():
    with pytest.raises(ExerciseError) as info:
        exercises.check("mul", exercises.broken("mul"))
    message = str(info.value)
    assert "the gradient for input y has shape (3, 4), but y has shape (4,)" in message
    assert "y[0]" in message and "was used 3 times" in message
    assert "sum your gradient over the axes that broadcasting added" in message


def test_wrong_number_of_gradients():
    with pytest.raises(ExerciseError, match=r"must return one gradient per input, a tuple "
                       r"\(grad_x, grad_w\); it returned a tuple of 1"):
        exercises.check("matmul", lambda grad, x, w: (grad @ w.T,))


def test_an_exception_in_backward_names_the_case():
    with pytest.raises(ExerciseError, match=r"your backward raised IndexError: .*\n  "
                       r"case 1 of 3: x \(2, 3\), w \(3, 3\); grad \(2, 3\)"):
        exercises.check("matmul", lambda grad, x, w: (grad @ w.T, x.T @ grad + w[3]))


def test_a_transposed_gradient_names_the_input_and_the_shapes():
    def backward(grad, x, w):  # right for a square w (case 1); grad_w transposed after
        grad_w = x.T @ grad
        return grad @ w.T, grad_w if w.shape[0] == w.shape[1] else grad_w.T

    with pytest.raises(ExerciseError, match=r"input w has shape \(5, 3\), but w has "
                       r"shape \(3, 5\)\.\n  case 2 of 3: .*\n.* a transposed matmul\?"):
        exercises.check("matmul", backward)


def test_check_takes_a_module_with_the_function():
    class Module:
        backward = staticmethod(exercises.solution("relu"))

    assert exercises.check("relu", Module()) is True
    with pytest.raises(ExerciseError, match="no function `step` found"):
        exercises.check("adam", Module())


def test_unknown_names_and_hint_levels():
    with pytest.raises(ValueError, match=r"no exercise named 'swish'; the exercises are: mul"):
        exercises.check("swish", print)
    assert exercises.hint("softmax").startswith("hint 1 of 3 for softmax: ")
    assert "hint softmax 2" in exercises.hint("softmax")
    with pytest.raises(ValueError, match="has hints 1 to 3, not 4"):
        exercises.hint("softmax", 4)
    for name in NAMES:
        assert len(exercises.get(name).hints) >= 2


@pytest.mark.parametrize("name", NAMES)
def test_start_writes_a_stub_that_fails_until_filled(name, tmp_path):
    path = exercises.start(name, tmp_path)
    assert path == tmp_path / f"{name}.py"
    text = path.read_text()
    entry = exercises.get(name).entry
    assert f"def {entry}(" in text and f"check {name}" in text
    with pytest.raises(ExerciseError, match=rf"{entry} is not written yet .*\n  next: "
                       r"replace the `raise NotImplementedError` line"):
        exercises.check(name, exercises.load(name, path))
    with pytest.raises(FileExistsError, match="already exists: not overwritten"):
        exercises.start(name, tmp_path)
    assert path.read_text() == text
    # filled with the solution's body, under the stub's own def line: it passes
    path.write_text(exercises.get(name).source("solution"))
    assert exercises.check(name, exercises.load(name, path)) is True


def _cli(tmp_path, *args):
    """``python -m tinygrad_edu.exercises ARGS`` in a subprocess, in ``tmp_path``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "tinygrad_edu.exercises", *args],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


def test_cli_start_then_check(tmp_path):
    listed = _cli(tmp_path, "list")
    assert listed.returncode == 0 and listed.stdout.split()[0] == "mul"
    assert len(listed.stdout.splitlines()) == len(NAMES)

    started = _cli(tmp_path, "start", "softmax")
    assert started.returncode == 0 and "wrote softmax.py" in started.stdout
    unfilled = _cli(tmp_path, "check", "softmax")
    assert unfilled.returncode == 1
    assert "backward is not written yet" in unfilled.stderr
    assert "hint softmax" in unfilled.stderr

    (tmp_path / "mine.py").write_text(exercises.get("softmax").source("solution"))
    passed = _cli(tmp_path, "check", "softmax", "mine.py")
    assert passed.returncode == 0 and passed.stdout.startswith("PASS softmax")


def _main(capsys, *args):
    """The same command line, in this process (faster): (status, stdout, stderr)."""
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_commands(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert _main(capsys, "start", "softmax")[0] == 0
    stub = (tmp_path / "softmax.py").read_text()
    status, _, err = _main(capsys, "start", "softmax")
    assert status == 1 and "not overwritten" in err
    assert (tmp_path / "softmax.py").read_text() == stub

    status, out, _ = _main(capsys, "hint", "softmax", "2")
    assert status == 0 and out.startswith("hint 2 of 3 for softmax")
    status, out, _ = _main(capsys, "solution", "softmax")
    assert status == 0 and "def backward(grad" in out

    status, out, _ = _main(capsys, "broken", "softmax")
    assert status == 0 and "find the bug" in out
    (tmp_path / "bug.py").write_text(out)
    status, _, err = _main(capsys, "check", "softmax", "bug.py")
    assert status == 1 and WHERE.search(err)

    status, _, err = _main(capsys, "check", "tanh")
    assert status == 1 and "start tanh" in err
    status, _, err = _main(capsys, "hint", "swish")
    assert status == 1 and "no exercise named 'swish'" in err


def test_import_stays_light():
    code = ("import sys, tinygrad_edu as tg; assert 'tinygrad_edu.exercises' not in "
            "sys.modules; print(tg.exercises.list()[0])")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "mul"
