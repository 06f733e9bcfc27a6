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

from ..tensor import _wrap
from .optimize import optimize
from .recorder import Read, Recorder, Ref, Step, tids

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
    """Straight-line numpy of one recorded call. ``run(tensors)`` runs it again: it puts
    the new arrays where the eager call left them and returns what the call returned.

    ``outputs`` says what the eager call left behind: ``(binding, tid)`` for each array
    it put in a tensor (a new ``.grad``: ``tid`` wrapped in a new Tensor, as eager does),
    ``result`` the structure of its return value with ``Ref`` for each array.
    """

    def __init__(self, rec: Recorder, inputs: dict[int, Binding], outputs: list[Any],
                 result: Any, names: list[str], stable: bool = True,
                 undo: bool = False) -> None:
        self.rec, self.names = rec, names
        self.inputs = sorted(inputs.items())
        self.outputs = outputs
        self.result = result
        self._wanted = sorted({tid for _, tid in outputs if tid is not None}
                              | set(tids(result)))
        settled = {tid for tid, b in self.inputs if stable and not b.grad and not names[
            b.index].startswith(("args[", "kwargs["))}  # (a parameter's array stays put)
        self.ops, self.fixed, self.once, self.bound, self.removed = optimize(
            rec, set(self._wanted), {tid for tid, _ in self.inputs}, settled, undo)
        self.calls = sum(isinstance(op, Step) and op.label != "=" for op in self.ops)
        self.apart = sorted(set(rec.apart))
        self.layouts = sorted(rec.layouts.items())
        used = {t for op in [*self.ops, *self.bound] for t in _tids(op)} | set(self._wanted) | {
            t for pair in self.apart for t in pair} | {t for t, _ in self.layouts}
        self.inputs = [(tid, b) for tid, b in self.inputs if tid in used]
        self._names: dict[str, Any] = {"StaleRead": StaleRead}
        self._named: dict[int, str] = {}
        self.source = self._generate()
        code = compile(self.source, f"<tg.compile program {id(self):x}>", "exec")
        exec(code, self._names)
        self.run = self._names["program"]

    # ------------------------------------------------------------------ code generation
    def _generate(self) -> str:
        """The program as Python source: one line per numpy call, every value a local."""
        lines = ["def program(tensors):"]
        for tid, b in self.inputs:
            lines.append(f"    t{tid} = tensors[{b.index}]{'._grad' if b.grad else ''}._data")
        for one, other in self.apart:  # (before any write: if they overlap, eager runs)
            share = self._name(np.may_share_memory, "f")
            lines.append(f"    if {share}(t{one}, t{other}):")
            lines.append(f"        raise StaleRead('t{one} and t{other} share memory now; they "
                         "did not when recorded')")
        for tid, strides in self.layouts:  # (its views' layout was worked out from these)
            lines.append(f"    if t{tid}.strides != {strides!r}:")
            lines.append(f"        raise StaleRead('t{tid} has other strides than when "
                         "recorded')")
        lines += self._bound_code()
        for op in self.ops:
            lines.append(self._read_code(op) if isinstance(op, Read)
                         else "    " + self._step_code(op))
        wrap = self._name(_wrap, "f")
        for binding, tid in self.outputs:  # where the eager step leaves its arrays
            t = f"tensors[{binding.index}]"
            if not binding.grad:
                lines.append(f"    {t}._data = t{tid}")
            else:
                lines.append(f"    {t}._grad = " + ("None" if tid is None else f"{wrap}(t{tid})"))
        lines.append(f"    return {self._result_code(self.result)}")
        return "\n".join(lines) + "\n"

    def _bound_code(self) -> list[str]:
        """The views of parameters' arrays: kept while each array is the one bound before."""
        if not self.bound:
            return []
        arrays = sorted({t for op in self.bound for t in _tids(op)} & {t for t, _ in self.inputs})
        views = [op.result for op in self.bound]
        keep = self._name([None] * (len(arrays) + len(views)), "k")
        same = " and ".join(f"t{t} is {keep}[{i}]" for i, t in enumerate(arrays))
        lines = [f"    if {same}:"]
        lines += [f"        t{v} = {keep}[{len(arrays) + i}]" for i, v in enumerate(views)]
        lines.append("    else:")
        lines += ["        " + self._step_code(op) for op in self.bound]
        everything = ", ".join(f"t{t}" for t in [*arrays, *views])
        lines.append(f"        {keep}[:] = [{everything}]")
        return lines

    def _result_code(self, obj: Any) -> str:
        """The step's return value as source: a new Tensor for each array it returned."""
        if isinstance(obj, Ref):
            return f"{self._name(_wrap, 'f')}(t{obj.tid})"
        if isinstance(obj, (list, tuple)):
            inner = "".join(f"{self._result_code(o)}, " for o in obj)
            return f"[{inner}]" if isinstance(obj, list) else (
                f"({inner})" if type(obj) is tuple else f"{self._name(type(obj))}(({inner}))")
        if isinstance(obj, dict) and type(obj) is dict:
            return "{" + ", ".join(f"{self._code(k)}: {self._result_code(v)}"
                                   for k, v in obj.items()) + "}"
        return self._name(obj)

    def _name(self, value: Any, prefix: str = "c") -> str:
        name = self._named.get(id(value))
        if name is None:
            name = self._named[id(value)] = f"{prefix}{len(self._names)}"
            self._names[name] = value
        return name

    def _code(self, obj: Any) -> str:
        if isinstance(obj, Ref):
            return self._name(self.fixed[obj.tid], "b") if obj.tid in self.fixed else f"t{obj.tid}"
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
        if step.label == "=":  # a copy left behind is its buffer (compiler/optimize.py)
            return f"t{step.result} = {self._code(step.args[0])}"
        args = [self._code(a) for a in step.args]
        kwargs = dict(step.kwargs)
        scalar = step.result in self.rec.scalars  # numpy gives a scalar: made 0-d again
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
        return f"    {check}({self._code(Ref(read.tid))})"

    def explain(self) -> str:
        """The program, one line per numpy call, with each value's shape and dtype."""
        rec, lines = self.rec, []
        for tid, binding in self.inputs:
            where = self.names[binding.index] + (".grad" if binding.grad else "")
            lines.append(f"t{tid} = {where}  # {_describe(rec.values[tid])}")
        lines += [f"guard t{a} and t{b} share no memory  # an in-place op checked it; "
                  "checked before the program writes" for a, b in self.apart]
        lines += [f"guard t{t}.strides == {strides!r}  # its views were laid out (or compared "
                  "for overlap) by these; checked before the program writes"
                  for t, strides in self.layouts]
        lines += [f"{_step_line(step, rec)}, made once" for step in self.once]
        lines += [f"{_step_line(step, rec)}, made again only when its array is bound anew"
                  for step in self.bound]
        for op in self.ops:
            lines.append(_read_line(op) if isinstance(op, Read) else _step_line(op, rec))
        for binding, tid in self.outputs:
            where = self.names[binding.index] + (".grad" if binding.grad else "")
            lines.append(f"{where} = t{tid}")
        return "\n".join(lines)


def _tids(op: Step | Read) -> list[int]:
    if isinstance(op, Read):
        return [op.tid]
    return tids([op.args, op.kwargs])


def _checker(read: Read) -> Any:
    """A function raising StaleRead unless Python would read the same value now."""
    how, value = _how(read.how), read.value

    def check(array: Any) -> None:
        now = how(np.asarray(array))
        if not _same(now, value):
            raise StaleRead(f"{read.how} of t{read.tid} gave {value!r} when recorded "
                            f"and {now!r} now", read.how == "branch")

    return check


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
    if step.label == "=":
        return f"t{step.result} = {args[0]}  # the buffer itself: its copy is left out"
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
        return f"{call}  # writes t{step.writes}" + (f"; {step.why}" if step.why else "")
    tids = [step.result] if isinstance(step.result, int) else list(step.result)
    names = ", ".join(f"t{t}" for t in tids)
    return f"{names} = {call}  # " + "; ".join(
        [_describe(rec.values[t]) for t in tids] + ([step.why] if step.why else []))


def _read_line(read: Read) -> str:
    return f"guard {read.how} of t{read.tid} == {read.value!r}  # Python read this value"
