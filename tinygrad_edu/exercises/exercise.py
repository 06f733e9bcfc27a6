"""What an exercise is, and how its checker compares a learner's function with the truth.

A ``BackwardExercise`` holds a forward written with tinygrad_edu ops: for each of its cases
(inputs of several shapes, broadcasting included, in float64) the checker draws a random
output gradient ``grad``, gets the expected input gradients from tinygrad_edu's own
autograd, calls the learner's ``backward(grad, *inputs, **options)`` and compares, input by
input. A ``StepExercise`` runs the learner's ``step`` for a few steps beside
``tinygrad_edu.optim`` and compares the parameter after each step. The first difference
raises an ``ExerciseError`` that names the case, the input, the element, the expected and
the actual value, as ``gradcheck_graph`` does.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..autograd import grad as autograd_grad
from ..creation import tensor
from ..dtypes import FLOATING
from ..tensor import Tensor

__all__ = ["BackwardExercise", "Case", "Exercise", "ExerciseError", "StepExercise",
           "file_header", "unbroadcast"]

_SHOW_FULL = 12  # inputs this small get their whole gradient printed in the message
_CLI = "python -m tinygrad_edu.exercises"


class ExerciseError(Exception):
    """Raised by ``check`` when a learner's function is not right yet. The message says
    which case, which input and element, the expected and the actual value, and what to
    try next."""


@dataclass
class Case:
    """One call of the learner's function: its array inputs (float64; class targets are
    int64) and its keyword options (``dim``, ``keepdim``, ``eps``, ``lr``, ...)."""

    inputs: tuple[np.ndarray, ...]
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class Exercise:
    """One exercise: its stub's text, hints, a reference solution and a planted bug.

    ``solution`` and ``broken`` are plain functions with the signature the learner writes
    (the stub copies the solution's ``def`` line); ``bug`` says what is wrong in
    ``broken``. ``helpers`` are module-level functions the solution calls (printed with
    it). Subclasses say how to check.
    """

    name: str
    title: str
    task: str
    hints: tuple[str, ...]
    solution: Callable[..., Any]
    broken: Callable[..., Any]
    bug: str
    helpers: tuple[Callable[..., Any], ...] = ()
    rtol: float = 1e-7
    atol: float = 1e-9

    entry = "backward"  # the name of the function the learner writes
    truth = "tinygrad_edu's autograd"  # where the expected values come from

    def check(self, impl: Callable[..., Any]) -> bool:
        """Run ``impl`` on every case; True, or an ``ExerciseError`` at the first mistake."""
        raise NotImplementedError

    def signature(self) -> str:
        """The ``def`` line(s) of the learner's function, copied from the solution."""
        lines = inspect.getsource(self.solution).splitlines()
        end = next(i for i, line in enumerate(lines) if line.rstrip().endswith(":"))
        return self._rename("\n".join(lines[: end + 1]))

    def source(self, which: str = "solution") -> str:
        """The source of the solution (or of the broken variant), named as in the stub,
        after the helpers it calls."""
        fn = self.solution if which == "solution" else self.broken
        code = "\n\n".join([*(inspect.getsource(h) for h in self.helpers),
                             self._rename(inspect.getsource(fn))])
        return f"{file_header(code)}{code}\n"

    def _rename(self, text: str) -> str:
        """``def mul_solution(`` -> ``def backward(``, continuation lines moved along."""
        lines = text.splitlines()
        for fn in (self.solution, self.broken):
            old = f"def {fn.__name__}("
            k = next((i for i, line in enumerate(lines) if line.startswith(old)), None)
            if k is None:
                continue
            lines[k] = lines[k].replace(old, f"def {self.entry}(", 1)
            shift = len(fn.__name__) - len(self.entry)
            while not lines[k].rstrip().endswith(":"):
                k += 1
                lines[k] = lines[k][min(shift, len(lines[k]) - len(lines[k].lstrip())):]
        return "\n".join(lines)

    def _call(self, impl: Callable[..., Any], args: Sequence[Any], options: dict[str, Any],
              where: str) -> Any:
        """Call the learner's function on copies (it may not change our inputs)."""
        copies = [np.array(a) if isinstance(a, np.ndarray) else a for a in args]
        try:
            return impl(*copies, **options)
        except NotImplementedError:
            raise ExerciseError(
                f"exercise {self.name!r}: {self.entry} is not written yet (it raises "
                f"NotImplementedError).\n"
                f"  next: replace the `raise NotImplementedError` line with your formula, "
                f"then check again; stuck? {_CLI} hint {self.name}") from None
        except Exception as e:
            raise ExerciseError(
                f"exercise {self.name!r}: your {self.entry} raised {type(e).__name__}: {e}\n"
                f"  {where}\n"
                f"  next: call your {self.entry} on arrays of these shapes yourself and "
                f"print the shapes of what it computes") from e

    def _compare(self, name: str, value: np.ndarray, expected: np.ndarray, actual: Any,
                 where: str, what: str = "the gradient for input",
                 extra: np.ndarray | None = None) -> None:
        """Raise an ``ExerciseError`` where ``actual`` and ``expected`` differ."""
        if actual is None:
            raise ExerciseError(f"exercise {self.name!r}: your {self.entry} returned None "
                                f"for {name}, which needs a value.\n  {where}")
        try:
            actual = np.asarray(actual, dtype=np.float64)
        except (TypeError, ValueError) as e:
            raise ExerciseError(f"exercise {self.name!r}: {what} {name} is not an array of "
                                f"numbers ({e}).\n  {where}") from None
        if actual.shape != expected.shape:
            self._shape_error(name, value, expected, actual, where, what)
        bad = ~np.isclose(actual, expected, rtol=self.rtol, atol=self.atol)
        if not bad.any():
            return
        score = np.where(bad, np.nan_to_num(np.abs(actual - expected), nan=np.inf), -1.0)
        at = np.unravel_index(int(np.argmax(score)), expected.shape)
        tol = self.atol + self.rtol * abs(float(expected[at]))
        seen = f"value {_num(value[at], self.rtol)}"
        if extra is not None:  # (an optimizer step: the parameter before it, its gradient)
            seen = (f"value before the step {_num(value[at], self.rtol)}, grad "
                    f"{_num(extra[at], self.rtol)}")
        detail = ""
        if self.rtol == 0 and np.allclose(actual, expected, rtol=1e-12, atol=0):
            detail = ("\n  the check is bit for bit, and yours differs in the last digits: "
                      "compute the update exactly as the task writes it (the order of "
                      "the operations changes the rounding).")
        if expected.size <= _SHOW_FULL:
            detail += (f"\n  expected      {_fmt_array(expected, self.rtol)}"
                      f"\n  yours         {_fmt_array(actual, self.rtol)}")
        raise ExerciseError(
            f"exercise {self.name!r}: {what} {name} is wrong.\n"
            f"  {where}\n"
            f"  at {_element(name, at)} ({seen}): expected "
            f"{_num(expected[at], self.rtol)} ({self.truth}), your {self.entry} gives "
            f"{_num(actual[at], self.rtol)} (difference "
            f"{abs(float(actual[at] - expected[at])):.3g}, tolerance {tol:.3g}); "
            f"{int(bad.sum())} of {bad.size} elements of {name} are wrong.{detail}\n"
            f"  next: work out that element by hand for this case, fix your {self.entry} "
            f"and check again; stuck? {_CLI} hint {self.name}")

    def _shape_error(self, name: str, value: np.ndarray, expected: np.ndarray,
                     actual: np.ndarray, where: str, what: str) -> None:
        head = (f"exercise {self.name!r}: {what} {name} has shape {tuple(actual.shape)}, "
                f"but {name} has shape {tuple(expected.shape)}.\n  {where}\n"
                f"  a gradient always has the shape of its input.")
        try:
            broadcast = np.broadcast_shapes(expected.shape, actual.shape) == actual.shape
        except ValueError:
            broadcast = False
        if not broadcast:
            if actual.ndim == 2 and actual.shape == expected.shape[::-1]:
                head += " It has the transposed shape: a transposed matmul?"
            raise ExerciseError(f"{head}\n  next: print the shapes inside your {self.entry}; "
                                f"stuck? {_CLI} hint {self.name}")
        # the forward broadcast this input: each of its elements was used several times
        summed = unbroadcast(actual, expected.shape)
        at = np.unravel_index(int(np.argmax(np.abs(summed - expected))), expected.shape)
        uses = actual.size // expected.size
        raise ExerciseError(
            f"{head} {name} was broadcast to {tuple(actual.shape)} in forward, so "
            f"{_element(name, at)} (value {_num(value[at], self.rtol)}) was used {uses} "
            f"times: its gradient is the sum over those uses, expected "
            f"{_num(expected[at], self.rtol)} ({self.truth}); the sum of your {uses} "
            f"entries for it is {_num(summed[at], self.rtol)}.\n"
            f"  next: sum your gradient over the axes that broadcasting added or stretched "
            f"(keepdims=True for the size-1 ones); stuck? {_CLI} hint {self.name}")


@dataclass
class BackwardExercise(Exercise):
    """Write ``backward(grad, *inputs, **options)`` for the op ``forward`` (written with
    tinygrad_edu ops): one gradient per input, each with its input's shape (``None`` for
    an input without a gradient, such as class targets)."""

    forward: Callable[..., Tensor] = field(default=lambda *a: a[0])
    cases: Callable[[np.random.Generator], list[Case]] = field(default=lambda rng: [])

    def inputs(self) -> list[str]:
        """The names of the inputs (the solution's positional parameters after ``grad``)."""
        params = inspect.signature(self.solution).parameters.values()
        return [p.name for p in params if p.kind == p.POSITIONAL_OR_KEYWORD][1:]

    def expected(self, case: Case, grad: np.ndarray | None = None,
                 seed: int = 0) -> tuple[np.ndarray, list[np.ndarray | None]]:
        """The output gradient (random unless given) and each input's expected gradient,
        by tinygrad_edu's autograd (None for inputs that are not floating point)."""
        args = [tensor(a, requires_grad=a.dtype in FLOATING) for a in case.inputs]
        out = self.forward(*args, **case.options)
        if grad is None:
            grad = np.random.default_rng(seed).standard_normal(tuple(out.shape))
        diff = [a for a in args if a.requires_grad]
        grads = iter(autograd_grad(out, diff, tensor(grad)))
        return grad, [next(grads).numpy() if a.requires_grad else None for a in args]

    def check(self, impl: Callable[..., Any]) -> bool:
        """Compare ``impl``'s gradients with autograd's on every case, input by input."""
        names = self.inputs()
        cases = self.cases(np.random.default_rng(0))
        for k, case in enumerate(cases):
            grad, expected = self.expected(case, seed=k)
            where = f"case {k + 1} of {len(cases)}: {_describe(names, case, grad)}"
            got = self._call(impl, (grad, *case.inputs), case.options, where)
            if len(names) == 1 and not isinstance(got, (tuple, list)):
                got = (got,)
            if not isinstance(got, (tuple, list)) or len(got) != len(names):
                raise ExerciseError(
                    f"exercise {self.name!r}: backward must return one gradient per input, "
                    f"a tuple ({', '.join('grad_' + n for n in names)}); it returned "
                    f"{_kind(got)}.\n  {where}")
            for name, value, exp, act in zip(names, case.inputs, expected, got):
                if exp is not None:
                    self._compare(name, value, exp, act, where)
        return True


@dataclass
class StepExercise(Exercise):
    """Write ``step(param, grad, state, **hyper)``: one optimizer step, returning the new
    parameter; ``state`` is a dict (empty at the first step) kept between steps. Checked
    step by step against ``optimizer`` (a ``tinygrad_edu.optim`` class)."""

    optimizer: Callable[..., Any] = field(default=lambda params, **h: None)
    cases: tuple[tuple[tuple[int, ...], dict[str, Any]], ...] = ()
    steps: int = 4

    entry = "step"
    truth = "tinygrad_edu.optim"

    def expected(self, param: np.ndarray, grads: list[np.ndarray],
                 hyper: dict[str, Any]) -> list[np.ndarray]:
        """The parameter after each step of the ``tinygrad_edu.optim`` optimizer."""
        p = tensor(param.copy(), requires_grad=True)
        opt = self.optimizer([p], **hyper)
        after = []
        for g in grads:
            p.grad = tensor(g.copy())
            opt.step()
            after.append(p.detach().numpy().copy())
        return after

    def check(self, impl: Callable[..., Any]) -> bool:
        """Run ``impl`` for ``steps`` steps on each case beside the optimizer."""
        rng = np.random.default_rng(0)
        for k, (shape, hyper) in enumerate(self.cases):
            param = rng.standard_normal(shape)
            grads = [rng.standard_normal(shape) for _ in range(self.steps)]
            expected = self.expected(param, grads, hyper)
            state: dict[str, Any] = {}
            options = ", ".join(f"{key}={v}" for key, v in hyper.items())
            for t, (g, exp) in enumerate(zip(grads, expected)):
                where = (f"case {k + 1} of {len(self.cases)}: param {tuple(shape)}, "
                         f"{options}; after step {t + 1} of {self.steps}")
                new = self._call(impl, (param, g, state), hyper, where)
                self._compare("param", param, exp, new, where, "the new value of", g)
                param = np.array(new, dtype=np.float64)
        return True


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``grad`` back to ``shape``: over the leading axes that broadcasting added, then
    over the axes where ``shape`` has size 1 (kept, with size 1)."""
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


def file_header(code: str) -> str:
    """The imports a file holding ``code`` needs (a stub, a printed solution)."""
    typing = "from typing import Any\n\n" if "Any" in code else ""
    return f"from __future__ import annotations\n\n{typing}import numpy as np\n\n\n"


def _describe(names: list[str], case: Case, grad: np.ndarray) -> str:
    """``x (3, 4), y (4,); grad (3, 4); dim=0``: what this case calls backward with."""
    parts = []
    for name, a in zip(names, case.inputs):
        kind = "" if a.dtype in FLOATING else f" {a.dtype}"
        parts.append(f"{name} {tuple(a.shape)}{kind}")
    text = f"{', '.join(parts)}; grad {tuple(grad.shape)}"
    if case.options:
        text += "; " + ", ".join(f"{k}={v!r}" for k, v in case.options.items())
    return text


def _element(name: str, index: tuple[Any, ...]) -> str:
    return f"{name}[{', '.join(str(int(i)) for i in index)}]" if index else f"{name} (0-d)"


def _num(v: Any, rtol: float) -> str:
    """Enough digits to see the difference: all 17 when the check is bit for bit."""
    return f"{float(v):.17g}" if rtol == 0 else f"{float(v):.6g}"


def _fmt_array(a: np.ndarray, rtol: float) -> str:
    return np.array2string(np.asarray(a).reshape(-1) + 0.0, precision=17 if rtol == 0 else 4,
                           separator=", ", max_line_width=10**4)


def _kind(value: Any) -> str:
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)}"
    return "None" if value is None else f"a {type(value).__name__}"
