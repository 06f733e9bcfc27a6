"""The program: a recording turned into straight-line numpy, replayed with buffers reused.

The recording becomes the source of one Python function (``Program.source``), one line
per numpy call, each value a local ``t12``: it binds the arrays of the captured tensors,
runs each call in order -- a ufunc writing into the buffer it wrote last time (``out=``)
unless its value leaves the step -- and checks every value Python read while recording.
The caller then puts the new arrays where the eager step left them (``p.grad``,
reassigned ``_data``, the result). No Tensor, no graph node, no Python of the step runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .recorder import Read, Recorder, Ref, Step

__all__ = ["Program", "Binding", "StaleRead"]


class StaleRead(Exception):
    """A value Python read while recording is different now: the step must run eagerly.

    ``branch``: the read was of a symbolic float (``TracedFloat``: a step count's branch),
    so the step can be recorded again for the new value."""

    def __init__(self, message: str, branch: bool = False) -> None:
        super().__init__(message)
        self.branch = branch


@dataclass(frozen=True)
class Binding:
    """Where an array lives between calls: tensor ``index``'s ``_data`` or its ``.grad``."""

    index: int
    grad: bool

    def get(self, tensors: list[Any]) -> np.ndarray:
        """The array bound now."""
        t = tensors[self.index]
        return t._grad._data if self.grad else t._data  # type: ignore[no-any-return]


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and (a == b or (a != a and b != b))  # NaN reads alike


class Program:
    """Straight-line numpy of one recorded call. ``replay(tensors)`` runs it again.

    ``outputs`` says what the eager call left behind: ``(binding, tid)`` for each array
    it put in a tensor (a new ``.grad``: ``tid`` wrapped in a new Tensor, as eager does),
    ``result`` the structure of its return value with ``Ref`` for each array.
    """

    def __init__(self, rec: Recorder, inputs: dict[int, Binding], outputs: list[Any],
                 result: Any, names: list[str]) -> None:
        self.rec, self.names = rec, names
        self.inputs = sorted(inputs.items())
        self.outputs = outputs
        self.result = result
        self._kept = {rec.root[tid] for _, tid in outputs if tid is not None} | {
            rec.root[r.tid] for r in _refs(result)}
        self._wanted = sorted({tid for _, tid in outputs if tid is not None}
                              | {r.tid for r in _refs(result)})
        self._names: dict[str, Any] = {"StaleRead": StaleRead}
        self.source = self._generate()
        code = compile(self.source, f"<tg.compile program {id(self):x}>", "exec")
        exec(code, self._names)
        self._run = self._names["program"]

    def replay(self, tensors: list[Any]) -> dict[int, Any]:
        """Run the program on the tensors' current arrays; returns ``{tid: array}`` of the
        values the call left behind (its outputs and result)."""
        return dict(zip(self._wanted, self._run(tensors)))

    # ------------------------------------------------------------------ code generation
    def _generate(self) -> str:
        """The program as Python source: one line per numpy call, every value a local."""
        lines = ["def program(tensors):"]
        for tid, b in self.inputs:
            lines.append(f"    t{tid} = tensors[{b.index}]{'._grad' if b.grad else ''}._data")
        reads: dict[int, list[Read]] = {}
        for read in self.rec.reads:
            reads.setdefault(read.step, []).append(read)
        for i, step in enumerate(self.rec.steps):
            lines += [self._read_code(r) for r in reads.get(i, [])]
            lines.append("    " + self._step_code(step))
        lines += [self._read_code(r) for r in reads.get(len(self.rec.steps), [])]
        wanted = ", ".join(f"t{t}" for t in self._wanted)
        lines.append(f"    return ({wanted}{',' if len(self._wanted) == 1 else ''})")
        return "\n".join(lines) + "\n"

    def _name(self, value: Any, prefix: str = "c") -> str:
        name = f"{prefix}{len(self._names)}"
        self._names[name] = value
        return name

    def _code(self, obj: Any) -> str:
        if isinstance(obj, Ref):
            return f"t{obj.tid}"
        if isinstance(obj, tuple):
            return "(" + "".join(f"{self._code(o)}, " for o in obj) + ")"
        if isinstance(obj, list):
            return "[" + ", ".join(self._code(o) for o in obj) + "]"
        if isinstance(obj, dict):
            return "{" + ", ".join(f"{k!r}: {self._code(v)}" for k, v in obj.items()) + "}"
        if obj is None or type(obj) in (bool, int, str):
            return repr(obj)
        return self._name(obj)

    def _step_code(self, step: Step) -> str:
        args = [self._code(a) for a in step.args]
        kwargs = dict(step.kwargs)
        value = self.rec.values[step.result] if isinstance(step.result, int) else None
        scalar = step.result in self.rec.scalars  # numpy gives a scalar: made 0-d again
        if (isinstance(step.func, np.ufunc) and "out" not in kwargs
                and isinstance(step.result, int) and value is not None
                and self.rec.root[step.result] not in self._kept
                and len(step.args) == step.func.nin):
            kwargs["out"] = np.empty_like(value)  # a buffer reused by every replay
            scalar = False
        args += [f"{k}={self._code(v)}" for k, v in kwargs.items()]
        call = f"{self._name(step.func, 'f')}({', '.join(args)})"
        if step.result is None:
            return call
        if isinstance(step.result, int):
            return f"t{step.result} = " + (f"{self._name(np.asarray, 'f')}({call})" if scalar
                                           else call)
        return "".join(f"t{t}, " for t in step.result) + f"= {call}"

    def _read_code(self, read: Read) -> str:
        check = self._name(_checker(read), "r")
        return f"    {check}(t{read.tid})"

    def explain(self) -> str:
        """The program, one line per numpy call, with each value's shape and dtype."""
        rec, lines = self.rec, []
        for tid, binding in self.inputs:
            where = self.names[binding.index] + (".grad" if binding.grad else "")
            lines.append(f"t{tid} = {where}  # {_describe(rec.values[tid])}")
        reads: dict[int, list[Read]] = {}
        for read in rec.reads:
            reads.setdefault(read.step, []).append(read)
        for i, step in enumerate(rec.steps):
            lines += [_read_line(r) for r in reads.get(i, [])]
            lines.append(_step_line(step, rec))
        lines += [_read_line(r) for r in reads.get(len(rec.steps), [])]
        for binding, tid in self.outputs:
            where = self.names[binding.index] + (".grad" if binding.grad else "")
            lines.append(f"{where} = t{tid}")
        return "\n".join(lines)


def _checker(read: Read) -> Any:
    """A function raising StaleRead unless Python would read the same value now."""
    how, value = _how(read.how), read.value

    def check(array: Any) -> None:
        now = how(np.asarray(array))
        if not _same(now, value):
            raise StaleRead(f"{read.how} of t{read.tid} gave {value!r} when recorded "
                            f"and {now!r} now", read.how == "branch")

    return check


def _refs(obj: Any) -> list[Ref]:
    if isinstance(obj, Ref):
        return [obj]
    if isinstance(obj, (list, tuple)):
        return [r for o in obj for r in _refs(o)]
    if isinstance(obj, dict):
        return [r for o in obj.values() for r in _refs(o)]
    return []


_READS = {
    "float()": float, "int()": int, "bool()": bool, "repr()": repr, "str()": str,
    ".item()": lambda x: x.item(), ".tolist()": lambda x: x.tolist(),
    "index": lambda x: x.__index__(), "value": lambda x: x.item(), "shape": np.shape,
    "branch": lambda x: x.item(),  # a TracedFloat's comparison, int(), str()...
}


def _how(name: str) -> Any:
    return _READS[name]


def _describe(value: Any) -> str:
    if not isinstance(value, np.ndarray):  # a TracedFloat's step: Python computes it
        return f"python {type(value).__name__}"
    return f"{tuple(np.shape(value))} {np.asarray(value).dtype}"


def _arg(a: Any, rec: Recorder) -> str:
    if isinstance(a, Ref):
        return f"t{a.tid}"
    if isinstance(a, np.ndarray):
        return f"<const {_describe(a)}>" if a.size > 4 else f"array({a.tolist()!r})"
    if isinstance(a, (list, tuple)):
        inner = ", ".join(_arg(x, rec) for x in a)
        return f"[{inner}]" if isinstance(a, list) else f"({inner}{',' if len(a) == 1 else ''})"
    if isinstance(a, np.dtype) or (isinstance(a, type) and issubclass(a, np.generic)):
        return np.dtype(a).name
    return repr(a)


def _step_line(step: Step, rec: Recorder) -> str:
    args = [_arg(a, rec) for a in step.args]
    args += [f"{k}={_arg(v, rec)}" for k, v in step.kwargs.items()]
    if step.label.startswith(".") or step.label in ("[]", "[]="):
        this, rest = args[0], args[1:]
        if step.label == "[]":
            call = f"{this}[{', '.join(rest)}]"
        elif step.label == "[]=":
            call = f"{this}[{', '.join(rest[:-1])}] = {rest[-1] if rest else ''}"
        else:
            call = f"{this}{step.label}({', '.join(rest)})"
    else:
        call = f"{step.label}({', '.join(args)})"
    if step.result is None:
        return f"{call}  # writes t{step.writes}"
    tids = [step.result] if isinstance(step.result, int) else list(step.result)
    names = ", ".join(f"t{t}" for t in tids)
    return f"{names} = {call}  # {'; '.join(_describe(rec.values[t]) for t in tids)}"


def _read_line(read: Read) -> str:
    return f"guard {read.how} of t{read.tid} == {read.value!r}  # Python read this value"
