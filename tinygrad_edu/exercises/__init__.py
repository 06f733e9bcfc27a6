"""Gradient exercises with a checker: write a backward (or an optimizer step) by hand.

What you write is always one plain Python function on numpy float64 arrays:

- for an op (mul, softmax, layer_norm, ...)::

      def backward(grad, x, y, *, dim=...):   # grad = d(loss)/d(out), out's shape
          ...
          return grad_x, grad_y                  # one per input, each of its input's shape

  The inputs come in the order forward takes them, options (``dim``, ``keepdim``,
  ``eps``) as keywords. Return ``None`` for an input without a gradient (class targets);
  with one input, return the array itself. Unlike a ``tg.autograd.Function``, nothing
  sums the gradients back for you: undoing broadcasting is part of the exercise.
- for an optimizer (sgd_momentum, adam)::

      def step(param, grad, state, *, lr, ...):  # state: a dict, empty at step 1
          ...
          return new_param

The checker runs your function on several cases (shapes with broadcasting, scalars, a
few dims) in float64 and compares with tinygrad_edu's own autograd (or with
``tinygrad_edu.optim``, step by step). The first difference raises an ``ExerciseError``
naming the case, the input, the element, the expected and the actual value.

From a shell::

    python -m tinygrad_edu.exercises list            # the exercises
    python -m tinygrad_edu.exercises start softmax   # writes ./softmax.py, a stub to fill
    python -m tinygrad_edu.exercises check softmax   # checks ./softmax.py
    python -m tinygrad_edu.exercises hint softmax 2  # hint 2 (of 3)
    python -m tinygrad_edu.exercises solution softmax
    python -m tinygrad_edu.exercises broken softmax  # a planted bug: find it

From Python:

>>> from tinygrad_edu import exercises
>>> exercises.check("relu", exercises.solution("relu"))
True
"""

from __future__ import annotations

import builtins
import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import elementwise, layers, optimizers, reductions
from .exercise import BackwardExercise, Exercise, ExerciseError, StepExercise, file_header

__all__ = ["BackwardExercise", "Exercise", "ExerciseError", "StepExercise", "broken", "check",
           "get", "hint", "list", "load", "solution", "start", "stub"]

_EXERCISES: dict[str, Exercise] = {
    e.name: e for e in (*elementwise.EXERCISES, *layers.EXERCISES[:1],
                        *reductions.EXERCISES, *layers.EXERCISES[1:],
                        *optimizers.EXERCISES)
}


def get(name: str) -> Exercise:
    """The exercise called ``name`` (its cases, hints, solution, planted bug)."""
    try:
        return _EXERCISES[name]
    except KeyError:
        raise ValueError(f"no exercise named {name!r}; the exercises are: "
                         f"{', '.join(_EXERCISES)}") from None


def check(name: str, impl: Callable[..., Any] | Any) -> bool:
    """Check your function for exercise ``name``: True, or an ``ExerciseError`` that says
    where it is wrong (the case, the input, the element, the expected and actual value).

    ``impl`` is your ``backward`` (or ``step``) function, or a module that defines it.

    >>> exercises.check("tanh", lambda grad, x: grad * (1 - np.tanh(x) ** 2))
    True
    """
    exercise = get(name)
    if not callable(impl):
        impl = getattr(impl, exercise.entry, None)
        if impl is None:
            raise ExerciseError(f"exercise {name!r}: no function `{exercise.entry}` found; "
                                f"define `def {exercise.entry}(...)` as in the stub.")
    return exercise.check(impl)


def solution(name: str) -> Callable[..., Any]:
    """A reference solution of exercise ``name``: a function that passes ``check``."""
    return get(name).solution


def broken(name: str) -> Callable[..., Any]:
    """The solution of exercise ``name`` with one realistic mistake planted in it (a
    "find the bug" exercise: ``check`` says where it goes wrong, not why)."""
    return get(name).broken


def hint(name: str, level: int = 1) -> str:
    """Hint number ``level`` (from 1) of exercise ``name``, each more explicit."""
    hints = get(name).hints
    if not 1 <= level <= len(hints):
        raise ValueError(f"exercise {name!r} has hints 1 to {len(hints)}, not {level}")
    more = (f"\n(more: python -m tinygrad_edu.exercises hint {name} {level + 1})"
            if level < len(hints) else "")
    return f"hint {level} of {len(hints)} for {name}: {hints[level - 1]}{more}"


def stub(name: str) -> str:
    """The text of the file ``start`` writes: the task and a function to fill."""
    e = get(name)
    task = "\n".join("    " + line if line else "" for line in e.task.splitlines())
    code = (f"{e.signature()}\n"
            f"    raise NotImplementedError(\"exercise {name}: write {e.entry} here\")\n")
    return (
        f'"""Exercise {name!r}: {e.title}.\n\n'
        f"Write {e.entry} below: a plain function on numpy float64 arrays.\n\n"
        f"{task}\n\n"
        f"Check it:   python -m tinygrad_edu.exercises check {name} {name}.py\n"
        f"Stuck?      python -m tinygrad_edu.exercises hint {name}\n"
        f'"""\n\n'
        f"{file_header(code)}{code}"
    )


def start(name: str, directory: str | Path = ".") -> Path:
    """Write the stub of exercise ``name`` to ``directory/NAME.py`` and return its path.
    An existing file is never overwritten (``FileExistsError``)."""
    path = Path(directory) / f"{name}.py"
    text = stub(name)
    if path.exists():
        raise FileExistsError(f"{path} already exists: not overwritten. Check it with "
                              f"`python -m tinygrad_edu.exercises check {name} {path}`, or "
                              "delete it to start again.")
    path.write_text(text)
    return path


def load(name: str, path: str | Path) -> Callable[..., Any]:
    """The ``backward`` (or ``step``) function defined in the file ``path``."""
    exercise = get(name)
    path = Path(path)
    if not path.exists():
        raise ExerciseError(f"no file {path}: start exercise {name!r} with `python -m "
                            f"tinygrad_edu.exercises start {name}`, which writes {name}.py.")
    spec = importlib.util.spec_from_file_location(f"_exercise_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as e:
        raise ExerciseError(f"{path} could not be run: {type(e).__name__}: {e}\n"
                            f"  next: fix that line (python {path} shows where).") from e
    impl = getattr(module, exercise.entry, None)
    if not callable(impl):
        raise ExerciseError(f"{path} defines no function `{exercise.entry}`: write "
                            f"`def {exercise.entry}(...)` as in the stub.")
    return impl


def list() -> builtins.list[str]:  # (shadows the builtin here: use builtins.list)
    """The names of the exercises, in the order to do them.

    >>> exercises.list()[:3]
    ['mul', 'div', 'exp_log']
    """
    return builtins.list(_EXERCISES)

