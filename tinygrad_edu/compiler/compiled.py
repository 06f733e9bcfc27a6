"""``CompiledFunction``: when a compiled step runs eagerly, records, checks or replays.

Per set of guards (see ``guards.py``) a compiled step goes through four stages:

1. **warm-up** -- the first call runs eagerly: optimizers make their state, ``.grad``
   appears; what the step does on its first call is not what it does afterwards;
2. **record** -- the next call runs eagerly too, with the captured arrays traced;
3. **check** -- the next call is replayed, then run eagerly from the same state; the two
   must agree bit for bit (this catches anything the recorder missed), and the eager
   result is kept;
4. **replay** -- every later call is the program alone.

When the guards change, a new program is recorded (up to ``recompile_limit``, 8 as in
PyTorch); a step that cannot be replayed runs eagerly, with a warning, once, that says why.
"""

from __future__ import annotations

import functools
import warnings
from typing import Any

import numpy as np

from .. import random as _random
from ..tensor import Tensor
from .guards import (
    Captured,
    RandomStreams,
    Snapshot,
    capture,
    describe,
    fast_check,
    guards,
    same_bits,
)
from .optimize import Unreplayable
from .program import Binding, Program, StaleRead
from .recorder import Recorder, Ref, TracedArray, TracedFloat

__all__ = ["CompiledFunction"]

_STALE_LIMIT = 3  # replays abandoned because a read value changed, before giving up


_NOTED = (("scalar copies", "arrays of numpy scalars that are the scalar"),  # (pass 3)
          ("turned", "matrix products turned around (timed faster)"),  # (pass 6)
          ("spread", "scalars of maximum/minimum made arrays"))


class CompiledFunction:
    """A function compiled by ``tg.compile``: call it as the function itself.

    >>> step = tg.compile(train_step)
    >>> for _ in range(100):
    ...     loss = step()
    >>> step.explain()            # the recorded numpy program and its guards
    """

    def __init__(self, fn: Any, recompile_limit: int = 8) -> None:
        self._fn = fn
        self._limit = recompile_limit
        self._programs: list[tuple[tuple[Any, ...], Program, list[bool]]] = []
        self._warmed: list[tuple[Any, ...]] = []
        self._eager: str | None = None  # why it runs eagerly for good
        self._stale = 0
        self._branches = 0  # programs dropped because a symbolic float's branch flipped
        self._warned: set[str] = set()
        self._part: Captured | None = None  # what fn captured, walked once while unchanged
        self._fast: tuple[Any, Program, Any] | None = None  # the last replay's guards as code
        # id(program) -> (program, what was captured, its guards as code)
        self._checks: dict[int, tuple[Any, Any, Any]] = {}
        functools.update_wrapper(self, fn)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._fast is not None:
            check, program, run = self._fast
            tensors = check(args, kwargs)
            if tensors is not None:
                if run is None:
                    return self._replay(program, tensors, args, kwargs)
                try:  # (the program alone: no frame between this call and its numpy)
                    return run(tensors)
                except StaleRead as e:
                    self._stale_read(program, e)
                    return self._fn(*args, **kwargs)
        if self._eager is not None:
            return self._fn(*args, **kwargs)
        cap = capture(self._fn, args, kwargs, self._part)
        self._part = cap.part
        facts = guards(cap)
        for known, program, verified in self._programs:
            if known == facts:
                if verified[0]:
                    known_program, part, check = self._checks.get(id(program), (None,) * 3)
                    if known_program is not program or part is not cap.part:
                        check = None if program.rec.undo else fast_check(cap, facts)
                        self._checks[id(program)] = (program, cap.part, check)
                    self._fast = None if check is None else (check, program,
                                                             self._direct(program))
                    return self._replay(program, cap.tensors, args, kwargs, cap)
                return self._check(program, verified, cap, args, kwargs)
        if facts not in self._warmed:
            self._note_new_guards(facts)
            self._warmed.append(facts)
            if len(self._warmed) > self._limit:  # (a learning rate set at every call...)
                self._give_up(f"its guards changed more than recompile_limit={self._limit} "
                              f"times ({_changed(self._warmed[-2], facts)})")
                self._warmed.clear()
            return self._fn(*args, **kwargs)
        if len(self._programs) >= self._limit:
            self._give_up(f"its guards changed more than recompile_limit={self._limit} times")
            return self._fn(*args, **kwargs)
        return self._record(cap, facts, args, kwargs)

    def explain(self) -> None:
        """Print each recorded program (one line per numpy call) and the guards it needs."""
        print(self.explanation())

    def explanation(self) -> str:
        """What ``explain()`` prints."""
        name = getattr(self._fn, "__name__", "fn")
        lines = [f"tg.compile({name}): {len(self._programs)} program(s)"]
        if self._eager is not None:
            lines.append(f"runs eagerly: {self._eager}")
        for k, (facts, program, verified) in enumerate(self._programs):
            state = "checked against eager" if verified[0] else "not checked yet"
            if isinstance(program, Program):
                r = program.removed
                lines.append(f"\nprogram {k} ({state}): {program.calls} numpy calls replayed "
                             f"of the {len(program.rec.steps)} recorded: {r['dead']} dead, "
                             f"{r['folded']} folded into constants, {r['made once']} made "
                             f"once (buffers, their views, fills), {len(program.bound)} views "
                             f"of parameters made when bound anew, {r['overwritten']} copies "
                             f"overwritten before use, {r['copies left behind']} copies left "
                             "behind that are their buffer" + "".join(
                                 f", {r[key]} {what}" for key, what in _NOTED if r[key]))
                if program.rec.undo:
                    lines.append("it keeps a copy of the state at each replay, to undo its "
                                 "writes if a value read after them changed")
            else:  # (a compiled module's forward and backward: see module.py)
                lines.append(f"\nprogram {k} ({len(program.rec.steps)} numpy calls, {state})")
            lines.append("guards:")
            lines += [f"  {describe(f)}" for f in facts]
            lines.append("program:")
            lines += [f"  {line}" for line in program.explain().splitlines()]
        if not self._programs and self._eager is None:
            lines.append("nothing recorded yet: call 1 runs eagerly, call 2 records, "
                         "call 3 checks, later calls replay")
        return "\n".join(lines)

    # ------------------------------------------------------------------ stages
    def _traced_call(self, cap: Captured, args: Any, kwargs: Any) -> tuple[Any, Any]:
        """One call of fn under a recorder, the captured tensors traced:
        ``((rec, inputs, outputs, drew), result)``, ``drew`` the random stream it drew
        numbers from, or None. If the recorder broke the call, all is undone, fn gives up and runs
        eagerly: ``(None, result)``."""
        rec = Recorder()
        rng_state = _random.get_rng_state()
        streams = RandomStreams(cap)
        snapshot = Snapshot(cap)
        inputs, before = self._trace_inputs(rec, cap)
        try:
            with rec:
                result = self._fn(*args, **kwargs)
        except Exception as e:  # the recorder broke the step: undo it, run it eagerly
            self._untrace(rec, cap, before)
            snapshot.restore()
            _random.set_rng_state(rng_state)
            self._give_up(f"recording failed ({type(e).__name__}: {e})")
            return None, self._fn(*args, **kwargs)
        outputs = self._untrace(rec, cap, before)
        drew = streams.changed()
        return (rec, inputs, outputs, drew), result

    def _record(self, cap: Captured, facts: tuple[Any, ...], args: Any, kwargs: Any) -> Any:
        traced, result = self._traced_call(cap, args, kwargs)
        if traced is None:
            return result
        rec, inputs, outputs, drew = traced
        out = _structure(rec, result)
        if drew:
            self._give_up(f"it draws random numbers from {drew} (replaying would repeat "
                          "stale ones)")
        elif rec.problem is not None:
            self._give_up(rec.problem)
        elif [id(t) for t in capture(self._fn, args, kwargs).tensors] != [id(t) for t in
                                                                         cap.tensors]:
            pass  # it made new state (optimizer buffers...): record again next call
        else:
            try:
                program = Program(rec, inputs, outputs, out, cap.names, undo=True)
            except Unreplayable as e:
                self._give_up(str(e))
                return _plain_result(result)
            self._programs.append((facts, program, [False]))
        return _plain_result(result)

    def _trace_inputs(self, rec: Recorder, cap: Captured) -> tuple[dict[int, Binding], Any]:
        inputs: dict[int, Binding] = {}
        before = []
        for i, t in enumerate(cap.tensors):
            grad = t._grad
            traced = rec.input(t._data, cap.names[i])
            inputs[traced._tid or 0] = Binding(i, False)
            traced_grad = None
            if grad is not None:
                traced_grad = rec.input(grad._data, cap.names[i] + ".grad")
                inputs[traced_grad._tid or 0] = Binding(i, True)
            before.append((t._data, grad, None if grad is None else grad._data, traced,
                           traced_grad))
            t._data = traced
            if grad is not None and traced_grad is not None:
                grad._data = traced_grad
        return inputs, before

    def _untrace(self, rec: Recorder, cap: Captured, before: list[Any]) -> list[Any]:
        """Give the tensors plain arrays again; return what the call left in them."""
        outputs: list[tuple[Binding, int | None]] = []
        tensors: list[Any] = cap.tensors  # ._grad is a Tensor or None, as the step left it
        for i, (t, (data, grad, grad_data, traced, traced_grad)) in enumerate(
                zip(tensors, before)):
            if t._data is traced or _same_memory(t._data, data):
                t._data = data  # (x.data -= ...: a new view of the same memory; keep the array)
            else:
                outputs.append((Binding(i, False), _tid(rec, t._data)))
                t._data = np.asarray(t._data)
            if grad is not None and t._grad is grad and grad._data is traced_grad:
                grad._data = grad_data
            elif t._grad is None:
                if grad is not None:
                    outputs.append((Binding(i, True), None))
            else:
                new_grad: Any = t._grad
                outputs.append((Binding(i, True), _tid(rec, new_grad._data)))
                new_grad._data = np.asarray(new_grad._data)
        return outputs

    def _replay(self, program: Program, tensors: list[Any], args: Any, kwargs: Any,
                cap: Captured | None = None) -> Any:
        # a branch read after a write (RAdam's rho_t > 5): keep a copy to undo the writes
        snapshot = Snapshot(cap) if program.rec.undo and cap is not None else None
        try:
            return self._run(program, tensors)
        except StaleRead as e:
            if snapshot is not None:
                snapshot.restore()
            self._stale_read(program, e)
            return self._fn(*args, **kwargs)

    def _stale_read(self, program: Program, e: StaleRead) -> None:
        """A read changed: a symbolic float's branch is recorded again (up to
        ``recompile_limit`` times); other values give up after ``_STALE_LIMIT`` calls."""
        if not e.branch:
            self._stale += 1
            if self._stale >= _STALE_LIMIT:
                self._give_up(f"a value Python reads changes from call to call ({e})")
            return
        self._programs = [p for p in self._programs if p[1] is not program]
        self._fast = None
        self._checks.pop(id(program), None)
        self._branches += 1
        if self._branches > self._limit:
            self._give_up(f"a branch on a step count changed more than recompile_limit="
                          f"{self._limit} times ({e})")
        else:
            self._warn(f"tg.compile: {getattr(self._fn, '__name__', 'fn')} is recorded again: "
                       f"a branch on a Python float changed ({e})")

    def _run(self, program: Program, tensors: list[Any]) -> Any:
        """The program's replay: its arrays put where the eager step leaves them."""
        return program.run(tensors)

    def _direct(self, program: Program) -> Any:
        """What a replay calls when it is the program's run alone (None: ``_replay``)."""
        return program.run

    def _check(self, program: Program, verified: list[bool], cap: Captured, args: Any,
               kwargs: Any) -> Any:
        snapshot = Snapshot(cap)
        stale = False
        try:
            replayed = self._run(program, cap.tensors)
        except StaleRead as e:
            stale = True
            self._stale_read(program, e)
        after_replay = snapshot.state()
        snapshot.restore()
        result = self._fn(*args, **kwargs)
        if stale:
            return result
        after_eager = snapshot.state()
        for name, (d1, g1), (d2, g2) in zip(cap.names, after_replay, after_eager):
            if not (same_bits(d1, d2) and same_bits(g1, g2)):
                self._give_up(f"the recorded program did not reproduce {name} bit for bit "
                              "(something escaped the recorder)")
                return result
        if not _same_result(replayed, result):
            self._give_up("the recorded program did not reproduce the result bit for bit")
            return result
        verified[0] = True
        return result

    # ------------------------------------------------------------------ warnings
    def _give_up(self, why: str) -> None:
        self._eager = why
        self._fast = None
        self._warn(f"tg.compile: {getattr(self._fn, '__name__', 'fn')} runs eagerly: {why}")

    def _note_new_guards(self, facts: tuple[Any, ...]) -> None:
        if not self._programs:
            return
        self._warn(f"tg.compile: {getattr(self._fn, '__name__', 'fn')} is recorded again: "
                   f"a guard changed: {_changed(self._programs[-1][0], facts)}")

    def _warn(self, message: str) -> None:
        if message not in self._warned:
            self._warned.add(message)
            warnings.warn(message, UserWarning, stacklevel=4)


def _changed(before: tuple[Any, ...], now: tuple[Any, ...]) -> str:
    """The first guard of ``now`` that ``before`` did not hold, as explain() prints it."""
    old = dict(before)
    changed = [describe(f) for f in now if old.get(f[0], object()) != f[1]]
    return changed[0] if changed else "the captured tensors"


def _same_memory(a: Any, b: np.ndarray) -> bool:
    """Whether ``a`` is ``b`` seen anew: the same memory, shape, strides and dtype."""
    return (isinstance(a, np.ndarray) and a.shape == b.shape and a.strides == b.strides
            and a.dtype == b.dtype and a.__array_interface__["data"][0]
            == b.__array_interface__["data"][0])


def _tid(rec: Recorder, a: Any) -> int | None:
    if isinstance(a, TracedArray) and a._tid is not None:
        return a._tid
    found = rec._found(np.asarray(a)) if isinstance(a, np.ndarray) else None
    if found is None:
        rec.escape("a tensor given an array made outside the recording")
    return found


def _structure(rec: Recorder, obj: Any) -> Any:
    """The result with each tensor's array replaced by a Ref (an untraced one escapes)."""
    if isinstance(obj, Tensor):
        node = obj._grad_fn
        if obj._requires_grad and not (node is not None and getattr(node, "_released", False)):
            # (a loss whose backward ran in the step is returned detached: nothing is lost)
            rec.escape("a result that requires grad (a replay makes no graph to call backward "
                       "on: compile the whole training step, or run it under tg.no_grad())")
        tid = _tid(rec, obj._data)
        return obj if tid is None else Ref(tid)
    if isinstance(obj, TracedFloat):  # (a replay would hand back the recorded number)
        rec.escape("a result that is a symbolic float (return a tensor instead)")
    if isinstance(obj, (list, tuple)):
        return type(obj)(_structure(rec, o) for o in obj)
    if isinstance(obj, dict):
        return {k: _structure(rec, v) for k, v in obj.items()}
    return obj


def _plain_result(obj: Any) -> Any:
    if isinstance(obj, Tensor) and isinstance(obj._data, TracedArray):
        obj._data = np.asarray(obj._data)
    elif isinstance(obj, (list, tuple)):
        for o in obj:
            _plain_result(o)
    elif isinstance(obj, dict):
        for o in obj.values():
            _plain_result(o)
    return obj


def _same_result(a: Any, b: Any) -> bool:
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        return same_bits(a._data, b._data)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same_result(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_result(a[k], b[k]) for k in a)
    return type(a) is type(b) and (a is b or a == b)
