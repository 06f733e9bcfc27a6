"""The program: a recording turned into straight-line numpy, replayed with buffers reused.

A replay binds the arrays of the captured tensors (``env[tid]``), runs each recorded call
in order -- a ufunc writing into the buffer it wrote last time (``out=``) unless its value
leaves the step -- checks every value Python read during recording, then puts the new
arrays where the eager step left them (``p.grad``, reassigned ``_data``, the result).
No Tensor, no graph node, no Python of the step itself runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .recorder import Read, Recorder, Ref, Step

__all__ = ["Program", "Binding", "StaleRead"]


class StaleRead(Exception):
    """A value Python read while recording is different now: the step must run eagerly."""


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
        kept = {rec.root[tid] for _, tid in outputs} | {rec.root[r.tid] for r in _refs(result)}
        self._reads: dict[int, list[Read]] = {}
        for read in rec.reads:
            self._reads.setdefault(read.step, []).append(read)
        self._ops = [self._compile(i, s, kept) for i, s in enumerate(rec.steps)]
        self._env: list[Any] = [None] * len(rec.values)

    def _compile(self, index: int, step: Step, kept: set[int]) -> tuple[Any, ...]:
        args = list(step.args)
        refs = [(i, a.tid) for i, a in enumerate(args) if isinstance(a, Ref)]
        nested = any(isinstance(a, (list, tuple, dict)) for a in args) or any(
            isinstance(v, (Ref, list, tuple)) for v in step.kwargs.values())
        kwargs = dict(step.kwargs)
        value = self.rec.values[step.result] if isinstance(step.result, int) else None
        scalar = step.result in self.rec.scalars  # numpy gives a scalar: made 0-d again
        if (isinstance(step.func, np.ufunc) and "out" not in kwargs and not nested
                and isinstance(value, np.ndarray) and step.result not in kept
                and len(args) == step.func.nin):
            kwargs["out"] = np.empty_like(value)  # reused every replay (and 0-d stays 0-d)
            scalar = False
        return step.func, args, refs, kwargs, step.result, nested, scalar, step

    def replay(self, tensors: list[Any]) -> Any:
        """Run the program on the tensors' current arrays; returns the call's result."""
        env = self._env
        for tid, binding in self.inputs:
            env[tid] = binding.get(tensors)
        reads = self._reads
        for i, (func, args, refs, kwargs, result, nested, scalar, step) in enumerate(self._ops):
            if i in reads:
                self._check(reads[i], env)
            if nested:
                value = func(*_resolve(step.args, env), **_resolve(step.kwargs, env))
            else:
                for pos, tid in refs:
                    args[pos] = env[tid]
                value = func(*args, **kwargs)
            if result is None:
                continue
            if type(result) is int:
                env[result] = np.asarray(value) if scalar else value
            else:
                for tid, v in zip(result, value):
                    env[tid] = v
        if len(self._ops) in reads:
            self._check(reads[len(self._ops)], env)
        return env

    def _check(self, reads: list[Read], env: list[Any]) -> None:
        for read in reads:
            now = _how(read.how)(np.asarray(env[read.tid]))
            if not _same(now, read.value):
                raise StaleRead(f"{read.how} of t{read.tid} gave {read.value!r} when recorded "
                                f"and {now!r} now")

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


def _refs(obj: Any) -> list[Ref]:
    if isinstance(obj, Ref):
        return [obj]
    if isinstance(obj, (list, tuple)):
        return [r for o in obj for r in _refs(o)]
    if isinstance(obj, dict):
        return [r for o in obj.values() for r in _refs(o)]
    return []


def _resolve(obj: Any, env: list[Any]) -> Any:
    if isinstance(obj, Ref):
        return env[obj.tid]
    if isinstance(obj, (list, tuple)):
        return type(obj)(_resolve(o, env) for o in obj)
    if isinstance(obj, dict):
        return {k: _resolve(v, env) for k, v in obj.items()}
    return obj


_READS = {
    "float()": float, "int()": int, "bool()": bool, "repr()": repr, "str()": str,
    ".item()": lambda x: x.item(), ".tolist()": lambda x: x.tolist(),
    "index": lambda x: x.__index__(), "value": lambda x: x.item(),
}


def _how(name: str) -> Any:
    return _READS[name]


def _describe(value: Any) -> str:
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
