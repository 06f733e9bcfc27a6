"""Six passes over a recording before it becomes a program: five classic ones, and one
that picks numpy's faster loop.

A recording is every numpy call one eager step made, in order. Much of it need not run
again: the step computed the loss only to return it, or the gradient's seed ``ones`` is the
same every step. These passes remove that work without changing a bit of what remains.
First, though, each value Python read after the step began writing its state is moved
before that write, with the calls computing it, when they do not depend on what was
written (``_hoist_late_reads``): a replay that finds such a value changed has then
written nothing, and can run the step eagerly instead.

1. **overwritten buffers** -- a copy whose every element is overwritten before anything
   reads it (``seed = loss.copy(); seed.fill(1)``) only needed the buffer: it becomes
   ``np.empty_like``, which reads nothing;
2. **constant folding** -- a value that depends on no input (the ``ones`` of the seed, the
   seed times ``1/n``) is computed once, now, and the program uses the result;
3. **copies left behind** -- ``p.grad = g.copy()`` of a gradient nothing uses afterwards:
   the copy is the buffer itself (made anew at each replay, as the copy was), so the copy
   of the 100,000-element gradient is gone; and an array made of a numpy scalar
   (``np.asarray(x.sum())``) that nothing writes is the scalar's own 0-d array;
4. **dead code** -- a call whose result reaches nothing the step leaves behind (no output,
   no ``.grad``, no parameter update, no value Python read) is dropped: the loss of a step
   that does not return it;
5. **buffers** -- a new array that does not outlive the step is made once and reused: a
   ufunc writes into it (``out=``), a copy becomes ``np.copyto``, ``np.empty_like`` is
   gone. Its memory is then the same at every replay, so the views of it (reshapes,
   slices, transposes) are made once too; and a ``fill`` of such a buffer whose other
   writes always hit the same elements leaves the rest as it was: it runs once. An
   element read out of such a buffer (``buf[-1]``) that nothing overwrites later in the
   step becomes a view of that element, made once. The views of a parameter's array
   (``params[0]``, ``w.T``) are made again only when another array is bound there;
6. **faster equivalents** -- the same numbers computed by a faster numpy loop: a matrix
   product into a buffer turned around (``w @ x.T``, then transposed into the buffer)
   when timing both, now, says that is faster, and the scalar of ``np.maximum(x, 0)``
   made an array of ``x``'s shape once (numpy's loop for two arrays is 3x faster).

The program then replays only what is left (``compiled.explain()`` shows it, and how many
calls each pass removed). Each pass works on *buffers*: a view and the array it views are
one buffer (``Recorder.root``), so a write through a view counts as a write to its base.

Example:
    >>> ops, fixed, once, bound, removed = optimize(rec, {12}, {0, 1})  # doctest: +SKIP
    >>> removed
    {'overwritten': 1, 'folded': 3, 'copies left behind': 1, 'dead': 17, 'made once': 1,
     'scalar copies': 0, 'turned': 0, 'spread': 0}
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from .recorder import Read, Recorder, Ref, Step, results, tids

__all__ = ["optimize", "Unreplayable"]

# what these calls return depends on their first argument's shape and dtype, not values
_SHAPE_ONLY = (np.empty_like, np.zeros_like, np.ones_like, np.full_like)
# ufunc methods that write every element of ``out`` without reading it first
_WRITES_ALL = ("__call__", "reduce", "accumulate", "outer")


def optimize(rec: Recorder, wanted: set[int], inputs: set[int],
             stable: frozenset[int] | set[int] = frozenset(), undo: bool = False) -> tuple[
        list[Step | Read], dict[int, Any], list[Step], list[Step], dict[str, int]]:
    """What a replay runs: the recording's calls and reads, in order, without the work
    that need not be replayed. Also returns the values that are the same array at every
    replay (``{tid: array}``: buffers and their views), the calls that made those views
    once, and how many calls each pass removed. ``wanted`` are the values the step leaves
    behind (outputs and result): they are new arrays at every call, as in eager.
    ``inputs`` are the values the program binds at each call (its captured tensors);
    ``stable`` those likely to be the same array from call to call (a parameter's, not an
    argument's): their views are made only when one of them is bound anew (the fourth
    list returned). ``undo``: the replay can keep a copy of the state to go back to, so a
    value read after a write that depends on it may stay where it is."""
    ops: list[Step | Read] = _hoist_late_reads(_in_order(rec), rec, undo)
    ops, overwritten = _allocate_overwritten(ops, rec, inputs)
    ops, folded = _fold_constants(ops, rec, wanted, inputs)
    ops, wanted, elided = _elide_copies_left_behind(ops, rec, wanted, inputs)
    ops, scalar_copies = _elide_scalar_copies(ops, rec, wanted)
    ops, dead = _drop_dead(ops, rec, wanted, inputs)
    ops, fixed, once = _reuse_buffers(ops, rec, wanted)
    ops = _fill_once(ops, rec, fixed, once)
    ops = _elements_as_views(ops, rec, fixed, once)
    ops, turned = _turn_products(ops, rec, fixed, once)
    ops, spread = _spread_scalars(ops, rec)
    ops, bound = _views_per_binding(ops, rec, fixed, stable)
    return ops, fixed, once, bound, {"overwritten": overwritten, "folded": folded,
                                     "copies left behind": elided, "dead": dead,
                                     "made once": len(once), "scalar copies": scalar_copies,
                                     "turned": turned, "spread": spread}


def _in_order(rec: Recorder) -> list[Step | Read]:
    """Steps and reads interleaved as they happened (a read checks the value it follows)."""
    ops: list[Step | Read] = []
    reads = sorted(rec.reads, key=lambda r: r.step)
    k = 0
    for i, step in enumerate(rec.steps):
        while k < len(reads) and reads[k].step <= i:
            ops.append(reads[k])
            k += 1
        ops.append(step)
    return ops + reads[k:]


class Unreplayable(Exception):
    """The recording cannot become a program (the step must run eagerly): why."""


def _hoist_late_reads(ops: list[Step | Read], rec: Recorder,
                      undo: bool) -> list[Step | Read]:
    """Move each value Python read after the step first wrote its state (``late``: the
    targets' range check of ``cross_entropy`` after a BatchNorm updated its running
    statistics) to before that write, with the calls computing it, when none of them
    depends on what the step wrote: its value is then the same there, and a replay that
    finds it changed has written nothing yet. Otherwise (a GAN's generator step reads
    through the discriminator it just updated), with ``undo`` the reads stay where they
    are and ``rec.undo`` asks the replay to keep a copy of the state to go back to; without,
    :class:`Unreplayable` says why."""
    late = [i for i, op in enumerate(ops) if isinstance(op, Read) and op.late]
    if not late:
        return ops
    try:
        return _hoisted(ops, rec, late)
    except Unreplayable:
        if not undo:
            raise
        rec.undo = True
        return ops


def _hoisted(ops: list[Step | Read], rec: Recorder, late: list[int]) -> list[Step | Read]:
    first = min((i for i, op in enumerate(ops) if isinstance(op, Step)
                 and op.writes is not None and rec.root[op.writes] in rec.inputs), default=None)
    if first is None:
        return ops
    stuck = Unreplayable(rec.late_why or "it reads a value after updating state in place")
    # clean: computed from the state as it was when the step began (a buffer the step made
    # and updates in place from clean values stays clean); dirty: a buffer from the moment
    # it holds anything else
    clean, dirty, clean_calls = set(rec.inputs), dict[int, int](), set()
    made_by: dict[int, int] = {}
    writers: dict[int, list[int]] = {}
    for i, op in enumerate(ops):
        if isinstance(op, Read):
            continue
        for t in results(op):
            made_by[t] = i
        ok = all(t in clean and rec.root[t] not in dirty for t in tids([op.args, op.kwargs]))
        if op.writes is not None:
            root = rec.root[op.writes]
            writers.setdefault(root, []).append(i)
            if not ok or root in rec.inputs:
                dirty.setdefault(root, i)
            elif root not in dirty:
                clean_calls.add(i)
        elif ok:
            clean.update(results(op))
            clean_calls.add(i)
    moved: set[int] = set()
    for i in late:
        tid = ops[i].tid  # type: ignore[union-attr]
        if tid not in clean or dirty.get(rec.root[tid], i) < i:
            raise stuck
        pending, seen = [(tid, i)], set()
        while pending:  # the calls that made each value, or wrote into it, before its use
            t, used_at = pending.pop()
            if (t, used_at) in seen:
                continue
            seen.add((t, used_at))
            root = rec.root[t]
            for k in {made_by.get(t, -1), made_by.get(root, -1),
                      *(w for w in writers.get(root, ()) if w < used_at)}:
                if k > first and k not in moved:
                    if k not in clean_calls:
                        raise stuck
                    moved.add(k)
                    pending += [(u, k) for u in _tids_of(ops[k])]
        moved.add(i)
    for k in moved:  # a call that stays must not see a moved write it came before
        op = ops[k]
        if isinstance(op, Step) and op.writes is not None and any(
                j not in moved and any(rec.root[t] == rec.root[op.writes]
                                       for t in _tids_of(ops[j]))
                for j in range(first, k)):
            raise stuck
    hoisted = [ops[k] for k in sorted(moved)]
    return ops[:first] + hoisted + [op for k, op in enumerate(ops[first:], first)
                                    if k not in moved]


def _tids_of(op: Step | Read) -> list[int]:
    """The values a call's arguments name (a read names none: it only checks)."""
    return tids([op.args, op.kwargs]) if isinstance(op, Step) else []


# ---------------------------------------------------------------------------- dataflow
def _writes_all(step: Step, rec: Recorder) -> bool:
    """Whether the step writes every element of the buffer it writes, reading none first
    (``fill``; a ufunc into ``out=``, when ``out`` is not also an input and covers its
    whole buffer)."""
    w = step.writes
    if w is None:
        return False
    value, whole = rec.values[w], rec.values[rec.root[w]]
    if not (isinstance(value, np.ndarray) and isinstance(whole, np.ndarray)
            and value.size == whole.size and value.dtype == whole.dtype):
        return False
    if step.label == ".fill" or (step.func is np.copyto and "where" not in step.kwargs
                                 and w not in tids(step.args[1:])):
        return True
    ufunc_method = getattr(step.func, "__name__", "") if not isinstance(step.func, np.ufunc) \
        else "__call__"
    is_ufunc = isinstance(step.func, np.ufunc) or isinstance(
        getattr(step.func, "__self__", None), np.ufunc)
    return (is_ufunc and ufunc_method in _WRITES_ALL and "where" not in step.kwargs
            and w not in tids(step.args))


def _reads(step: Step, rec: Recorder) -> list[int]:
    """The values whose *contents* the step uses."""
    if step.func in _SHAPE_ONLY:
        return tids(step.args[1:]) + tids(step.kwargs)
    if step.label == ".fill" or (step.func is np.copyto and _writes_all(step, rec)):
        return tids(step.args[1:]) + tids(step.kwargs)
    kwargs = step.kwargs
    if step.writes is not None and "out" in kwargs and _writes_all(step, rec):
        kwargs = {k: v for k, v in kwargs.items() if k != "out"}
    return tids(step.args) + tids(kwargs)


# ---------------------------------------------------------------------------- pass 1
def _allocate_overwritten(ops: list[Step | Read], rec: Recorder,
                          inputs: set[int]) -> tuple[list[Any], int]:
    """A new buffer whose first use writes all of it: make it with ``np.empty_like``."""
    out, count = list(ops), 0
    for i, op in enumerate(ops):
        if not (isinstance(op, Step) and isinstance(op.result, int)):
            continue
        tid = op.result
        if rec.root[tid] != tid or tid in inputs or not isinstance(
                rec.values[tid], np.ndarray):
            continue
        first = _first_use(ops, i + 1, tid, rec)
        if first is not None and first.writes == tid and _writes_all(first, rec) \
                and tid not in _reads(first, rec):
            out[i] = Step(np.empty_like, (rec.values[tid],), {}, tid, "np.empty_like")
            count += op.func is not np.empty_like
    return out, count


def _first_use(ops: list[Any], start: int, root: int, rec: Recorder) -> Step | None:
    for op in ops[start:]:
        used = [op.tid] if isinstance(op, Read) else tids([op.args, op.kwargs])
        if any(rec.root[t] == root for t in used):
            return op if isinstance(op, Step) else None
    return None


# ---------------------------------------------------------------------------- pass 2
def _fold_constants(ops: list[Step | Read], rec: Recorder, wanted: set[int],
                    inputs: set[int]) -> tuple[list[Any], int]:
    """Run, now, every call on buffers that never hold a value depending on an input;
    the calls left use copies of those values (read-only) as constants."""
    dynamic = _dynamic_buffers(ops, rec, inputs)
    env: dict[int, Any] = {}

    def value(t: int) -> Any:
        return env[t] if t in env else rec.values[t]

    def constant(obj: Any) -> Any:
        if isinstance(obj, Ref):
            if rec.root[obj.tid] in dynamic:
                return obj
            return _frozen(value(obj.tid))
        if isinstance(obj, (list, tuple)):
            return type(obj)(constant(o) for o in obj)
        if isinstance(obj, dict):
            return {k: constant(v) for k, v in obj.items()}
        return obj

    def run(obj: Any) -> Any:
        if isinstance(obj, Ref):
            return value(obj.tid)
        if isinstance(obj, (list, tuple)):
            return type(obj)(run(o) for o in obj)
        if isinstance(obj, dict):
            return {k: run(v) for k, v in obj.items()}
        return obj

    out: list[Any] = []
    folded = 0
    for op in ops:
        if isinstance(op, Read):
            if rec.root[op.tid] in dynamic:
                out.append(op)
            continue
        touched = {rec.root[t] for t in results(op)}
        if op.writes is not None:
            touched.add(rec.root[op.writes])
        if touched and not touched & dynamic:
            result = op.func(*run(op.args), **run(op.kwargs))
            for tid, r in zip(results(op), result if isinstance(op.result, tuple)
                              else [result]):
                env[tid] = np.asarray(r) if tid in rec.scalars else r
            folded += 1
            continue
        if op.func in _SHAPE_ONLY and op.args:  # (its array need not be computed)
            op = Step(op.func, (run(op.args[0]), *op.args[1:]), op.kwargs, op.result,
                      op.label)
        out.append(Step(op.func, constant(op.args), constant(op.kwargs), op.result,
                        op.label, op.writes))
    for tid in sorted(wanted):  # a value left behind is a new array each call, as in eager
        if rec.root[tid] not in dynamic:
            out.append(Step(np.copy, (_frozen(value(tid)),), {}, tid, "np.copy"))
    return out, folded


def _dynamic_buffers(ops: list[Step | Read], rec: Recorder, inputs: set[int]) -> set[int]:
    """Buffers that at some point hold a value computed from an input."""
    dynamic = {rec.root[t] for t in inputs}
    changed = True
    while changed:  # (a write through a view can make a buffer read earlier dynamic)
        changed = False
        for op in ops:
            if isinstance(op, Read):
                continue
            if not any(rec.root[t] in dynamic for t in _reads(op, rec)):
                continue
            touched = {rec.root[t] for t in results(op)}
            if op.writes is not None:
                touched.add(rec.root[op.writes])
            if not touched <= dynamic:
                dynamic |= touched
                changed = True
    return dynamic


def _frozen(value: Any) -> Any:
    """A read-only copy with the same memory layout (a replay cannot write into it),
    strides included: numpy picks its loops (BLAS or its own) by the strides, and with
    them the order of a sum. A column of im2col's windows with a gap between its elements
    is multiplied in another order than a packed copy of it."""
    if not isinstance(value, np.ndarray):
        return value
    copy = np.copy(value, order="K")
    if copy.strides != value.strides and value.size:
        copy = _strided_like(value)
    copy.flags.writeable = False
    return copy


def _strided_like(value: np.ndarray) -> np.ndarray:
    """A copy of ``value`` in new memory with its very strides (gaps, overlaps, negative
    and zero strides included)."""
    ends = [(n - 1) * s for n, s in zip(value.shape, value.strides)]
    low, high = sum(e for e in ends if e < 0), sum(e for e in ends if e > 0)
    memory = np.zeros(high - low + value.itemsize, np.uint8)
    copy = np.ndarray(value.shape, value.dtype, memory, -low, value.strides)
    np.copyto(copy, value)
    return copy


# ---------------------------------------------------------------------------- pass 3
def _elide_copies_left_behind(ops: list[Any], rec: Recorder, wanted: set[int],
                              inputs: set[int]) -> tuple[list[Any], set[int], int]:
    """``x = buf.copy()`` that the step leaves behind (a new ``.grad``), where ``buf`` is
    memory the step allocated (not a view a call returned) and nothing uses after the
    copy: ``x`` is ``buf`` itself. The copy's values and layout are ``buf``'s, and ``buf``
    becomes a value left behind, so it is a new array at every replay (the copy was).
    Returns the ops, the values left behind now, and how many copies went."""
    last_use: dict[int, int] = {}
    for i, op in enumerate(ops):
        used = [op.tid] if isinstance(op, Read) else tids([op.args, op.kwargs]) + results(op)
        for t in used:
            last_use[rec.root[t]] = i
    made = {t for op in ops if isinstance(op, Step) for t in results(op)}
    taken = {rec.root[t] for t in wanted}
    out, wanted = list(ops), set(wanted)
    for i, op in enumerate(ops):
        if not (isinstance(op, Step) and op.label == ".copy" and isinstance(op.result, int)
                and op.result in wanted and op.args and isinstance(op.args[0], Ref)):
            continue
        source, copy = op.args[0].tid, op.result
        buf = rec.root[source]
        if (buf in taken or buf in inputs or buf not in made or buf in rec.scalars
                or last_use.get(buf) != i or not _same_layout(rec.values[source],
                                                              rec.values[copy], rec.values[buf])
                or rec.values[buf].base is not None):  # (memory the step allocated only)
            continue
        out[i] = Step(_alias, (Ref(buf),), {}, copy, "=")
        wanted.add(buf)
        taken.add(buf)
    return out, wanted, sum(a is not b for a, b in zip(out, ops))


def _elide_scalar_copies(ops: list[Any], rec: Recorder, wanted: set[int]) -> tuple[
        list[Any], int]:
    """``a = np.asarray(s)`` of a scalar numpy gave (``s`` is a 0-d array while recorded)
    is a new array in eager, because a scalar cannot be written. When nothing writes ``s``
    or ``a`` afterwards and the step does not leave ``a`` behind, ``a`` is ``s`` itself."""
    out = list(ops)
    written: set[int] = set()
    for i in reversed(range(len(ops))):
        op = ops[i]
        if (isinstance(op, Step) and op.label == "np.array" and len(op.args) == 1
                and not op.kwargs and isinstance(op.args[0], Ref)
                and op.args[0].tid in rec.scalars and isinstance(op.result, int)
                and op.result not in wanted
                and not {rec.root[op.args[0].tid], op.result} & written):
            out[i] = Step(_alias, op.args, {}, op.result, "=")
        if isinstance(op, Step) and op.writes is not None:
            written.add(rec.root[op.writes])
    return out, sum(a is not b for a, b in zip(out, ops))


def _same_layout(source: Any, copy: Any, buf: Any) -> bool:
    """Whether ``source`` is all of ``buf``, laid out as ``buf`` and as ``copy``."""
    arrays = (source, copy, buf)
    return all(isinstance(a, np.ndarray) for a in arrays) and len(
        {(a.shape, a.strides, a.dtype) for a in arrays}) == 1 and (
        source.__array_interface__["data"][0] == buf.__array_interface__["data"][0])


def _alias(array: np.ndarray) -> np.ndarray:
    """The array itself (a copy the compiler elided; the program writes ``t9 = t4``)."""
    return array


# ---------------------------------------------------------------------------- pass 4
def _drop_dead(ops: list[Any], rec: Recorder, wanted: set[int],
               inputs: set[int]) -> tuple[list[Any], int]:
    """Walk back from what the step leaves behind; drop the calls nothing needs.

    A buffer is *live* if a later call reads it or the step leaves it behind (an input's
    memory always is: writing it is the point of the step). A call writing or making a
    live buffer is kept; a view is kept only if a kept call uses that very view.
    """
    reads = [op.tid for op in ops if isinstance(op, Read)]
    needed = set(wanted) | set(reads)
    live = {rec.root[t] for t in needed} | {rec.root[t] for t in inputs}
    kept: list[Any] = []
    for op in reversed(ops):
        if isinstance(op, Step):
            made = results(op)
            if op.writes is not None:
                keep = rec.root[op.writes] in live
            elif made and all(rec.root[t] != t for t in made):  # a view
                keep = any(t in needed for t in made)
            else:
                keep = any(rec.root[t] in live for t in made)
            if not keep:
                continue
            refs = tids(op.args) + tids(op.kwargs)
            needed.update(refs)
            live.update(rec.root[t] for t in refs)
        kept.append(op)
    kept.reverse()
    return kept, sum(isinstance(op, Step) for op in ops) - sum(
        isinstance(op, Step) for op in kept)


# ---------------------------------------------------------------------------- pass 5
def _reuse_buffers(ops: list[Any], rec: Recorder,
                   wanted: set[int]) -> tuple[list[Any], dict[int, Any], list[Step]]:
    """Give each new array that dies with the step one buffer for every replay, and make
    the views of such buffers once. Returns the ops (still naming values by tid), the
    arrays that are the same at every replay (``{tid: array}``) and the views made now."""
    kept = {rec.root[t] for t in wanted}
    fixed: dict[int, Any] = {}

    def now(obj: Any) -> Any:
        if isinstance(obj, Ref):
            return fixed[obj.tid]
        if isinstance(obj, (list, tuple)):
            return type(obj)(now(o) for o in obj)
        if isinstance(obj, dict):
            return {k: now(v) for k, v in obj.items()}
        return obj

    out: list[Any] = []
    once: list[Step] = []
    for step in ops:
        tid = step.result if isinstance(step, Step) and isinstance(step.result, int) else None
        if tid is None:
            out.append(step)
            continue
        value = rec.values[tid]
        new = rec.root[tid] == tid and tid not in kept and isinstance(value, np.ndarray)
        refs = tids([step.args, step.kwargs])
        if new and isinstance(step.func, np.ufunc) and "out" not in step.kwargs \
                and len(step.args) == step.func.nin:
            fixed[tid] = np.empty_like(value)
            out.append(Step(step.func, step.args, {**step.kwargs, "out": Ref(tid)}, None,
                            step.label, tid))
        elif new and step.func is np.empty_like and not refs:
            fixed[tid] = step.func(*step.args, **step.kwargs)
            once.append(step)
        elif new and step.label == ".copy" and len(step.args) <= 2:
            fixed[tid] = np.empty_like(value)
            out.append(Step(np.copyto, (Ref(tid), step.args[0]), {}, None, "np.copyto", tid))
        elif rec.root[tid] != tid and all(t in fixed for t in refs):
            view = step.func(*now(step.args), **now(step.kwargs))  # a buffer's view, made now
            if isinstance(view, np.ndarray) and np.may_share_memory(view, now(step.args[0])):
                fixed[tid] = view
                once.append(step)
            else:
                out.append(step)
        else:
            out.append(step)
    return out, fixed, once


def _fill_once(ops: list[Any], rec: Recorder, fixed: dict[int, Any],
               once: list[Step]) -> list[Any]:
    """``buf.fill(0); buf[2] = x`` on a buffer kept between replays: after the first
    replay the elements the fill sets are still set (only ``buf[2]`` changes), so the
    fill runs once, now. Only when every later write is ``buf[key] = ...`` with the same
    constant key at each replay, and nothing reads the buffer before those writes end."""
    uses: dict[int, list[int]] = {}
    for i, op in enumerate(ops):
        used = [op.tid] if isinstance(op, Read) else tids([op.args, op.kwargs])
        for root in {rec.root[t] for t in used}:
            uses.setdefault(root, []).append(i)
    hoisted: set[int] = set()
    for root, where in uses.items():
        first = ops[where[0]]
        if root not in fixed or not (isinstance(first, Step) and first.label == ".fill"
                                     and first.args[0] == Ref(root)
                                     and not tids(first.args[1:])):
            continue
        later = [ops[i] for i in where[1:]]
        writes = [op for op in later if isinstance(op, Step) and op.writes is not None
                  and rec.root[op.writes] == root]
        if not all(op.label == "[]=" and op.args[0] == Ref(root) and not tids(op.args[1])
                   for op in writes) or any(a is not b for a, b in zip(later, writes)):
            continue
        first.func(fixed[root], *first.args[1:])
        once.append(first)
        hoisted.add(where[0])
    return [op for i, op in enumerate(ops) if i not in hoisted]


def _elements_as_views(ops: list[Any], rec: Recorder, fixed: dict[int, Any],
                       once: list[Step]) -> list[Any]:
    """``x = buf[-1]`` (a numpy scalar, a copy) on a buffer kept between replays, when no
    later call of the step writes ``buf``: the 0-d view ``buf[-1, ...]`` holds the same
    value wherever ``x`` is used, so it is made once."""
    last_write: dict[int, int] = {}
    for i, op in enumerate(ops):
        if isinstance(op, Step) and op.writes is not None:
            last_write[rec.root[op.writes]] = i
    out = []
    for i, op in enumerate(ops):
        if (isinstance(op, Step) and op.label == "[]" and op.result in rec.scalars
                and isinstance(op.args[0], Ref) and op.args[0].tid in fixed
                and not tids(op.args[1:])
                and last_write.get(rec.root[op.args[0].tid], -1) < i):
            key = op.args[1] if isinstance(op.args[1], tuple) else (op.args[1],)
            view = fixed[op.args[0].tid][tuple(key) + (Ellipsis,)]
            if isinstance(view, np.ndarray) and view.ndim == 0:
                fixed[op.result] = view  # type: ignore[index]
                once.append(op)
                continue
        out.append(op)
    return out


def _views_per_binding(ops: list[Any], rec: Recorder, fixed: dict[int, Any],
                       stable: frozenset[int] | set[int]) -> tuple[list[Any], list[Step]]:
    """Views of a parameter's array (``params[0]``, ``w.T``): the array is the same at every
    call while nothing rebinds it, so its views are made again only when it changes (the
    program checks ``is``). Only a view no earlier call of the step writes through: made
    at the start, it must be what it was at its place."""
    written: set[int] = set()
    ready = set(stable)
    out: list[Any] = []
    bound: list[Step] = []
    for op in ops:
        if isinstance(op, Step) and op.writes is not None:
            written.add(rec.root[op.writes])
        tid = op.result if isinstance(op, Step) and isinstance(op.result, int) else None
        refs = [] if tid is None else tids([op.args, op.kwargs])
        if (tid is not None and op.writes is None and rec.root[tid] != tid and refs
                and all(t in ready or t in fixed for t in refs) and any(t in ready for t in refs)
                and rec.root[tid] not in written):
            ready.add(tid)
            bound.append(op)
            continue
        out.append(op)
    return out, bound


# ---------------------------------------------------------------------------- pass 6
_MEASURED: dict[tuple[Any, ...], bool] = {}  # (shapes, layouts, dtype) -> turned is faster
_MIN_PRODUCT = 1 << 18  # multiply-adds below which a product is not worth timing


def _turn_products(ops: list[Any], rec: Recorder, fixed: dict[int, Any],
                   once: list[Step]) -> tuple[list[Any], int]:
    """``np.matmul(a, b, out=buf)`` into a buffer may be computed turned around:
    ``np.matmul(b.T, a.T, out=scratch)``, then ``buf`` is ``scratch.T`` copied. BLAS
    gives the same bits (each element is the same sum, in the same order), but packs
    its operands faster one way than the other at some shapes: ``x @ w.T`` for a batch
    of 64 rows into a 784-128 Linear is 10% faster turned on the machine this was
    written on, and a batch of 256 is 16% slower. So both are timed now, on arrays laid
    out as these are, and the faster kept, as compilers that autotune do."""
    out: list[Any] = []
    turned = 0
    for op in ops:
        if not _turnable(op, rec, fixed) or not _turned_is_faster(
                *(rec.values[t] for t in (op.args[0].tid, op.args[1].tid))):
            out.append(op)
            continue
        a, b, buf = op.args[0].tid, op.args[1].tid, op.kwargs["out"].tid
        views = []
        for t in (b, a):  # (the transposes of a buffer's views are made once too)
            view = rec._new(rec.values[t].T, t)
            step = Step(np.ndarray.transpose, (Ref(t),), {}, view, ".transpose")
            if t in fixed:
                fixed[view] = fixed[t].T
                once.append(step)
            else:
                out.append(step)
            views.append(view)
        scratch = rec._new(np.empty_like(rec.values[buf].T, order="C"), None)
        fixed[scratch] = rec.values[scratch]
        back = rec._new(fixed[scratch].T, scratch)
        fixed[back] = rec.values[back]
        out.append(Step(np.matmul, tuple(map(Ref, views)), {"out": Ref(scratch)}, None,
                        "np.matmul", scratch, f"t{a} @ t{b} turned around: timed faster"))
        out.append(Step(np.copyto, (Ref(buf), Ref(back)), {}, None, "np.copyto", buf))
        turned += 1
    return out, turned


def _turnable(op: Any, rec: Recorder, fixed: dict[int, Any]) -> bool:
    """A product of two float matrices, C- or F-ordered, into a C-ordered buffer."""
    if not (isinstance(op, Step) and op.func is np.matmul and len(op.args) == 2
            and set(op.kwargs) == {"out"} and isinstance(op.kwargs["out"], Ref)
            and op.kwargs["out"].tid in fixed and all(isinstance(a, Ref) for a in op.args)):
        return False
    a, b = (rec.values[t.tid] for t in op.args)
    buf = fixed[op.kwargs["out"].tid]
    arrays = (a, b, buf)
    return (all(isinstance(x, np.ndarray) and x.ndim == 2 for x in arrays)
            and a.dtype == b.dtype == buf.dtype and a.dtype in (np.float32, np.float64)
            and buf.flags.c_contiguous and all(_order(x) for x in (a, b))
            and a.shape[0] * a.shape[1] * b.shape[1] >= _MIN_PRODUCT)


def _order(x: np.ndarray) -> str:
    """"C" or "F" for a contiguous matrix, "" for any other layout."""
    return "C" if x.flags.c_contiguous else "F" if x.flags.f_contiguous else ""


def _turned_is_faster(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether ``a @ b`` gives the same bits turned around, and is faster, on random
    arrays laid out as ``a`` and ``b``. Measured once per shapes and layouts in a
    process."""
    key = (a.shape, b.shape, _order(a), _order(b), a.dtype.str)
    if key not in _MEASURED:
        rng = np.random.default_rng(0)
        x, y = (np.asarray(rng.standard_normal(m.shape), m.dtype,
                           order="F" if _order(m) == "F" else "C")
                for m in (a, b))
        plain, scratch = np.empty((a.shape[0], b.shape[1]), a.dtype), np.empty(
            (b.shape[1], a.shape[0]), a.dtype)
        turned = np.empty_like(plain)

        def straight() -> None:
            np.matmul(x, y, out=plain)

        def around() -> None:
            np.matmul(y.T, x.T, out=scratch)
            np.copyto(turned, scratch.T)

        straight()
        around()
        _MEASURED[key] = np.array_equal(plain, turned) and _faster(around, straight)
    return _MEASURED[key]


def _faster(new: Any, old: Any) -> bool:
    """Whether ``new()`` takes at most 95% of ``old()``'s time: the best of 7 runs each,
    interleaved (a busy machine slows some runs, not the best)."""
    best = [math.inf, math.inf]
    for _ in range(7):
        for k, run in enumerate((new, old)):
            start = time.perf_counter()
            run()
            best[k] = min(best[k], time.perf_counter() - start)
    return best[0] < 0.95 * best[1]


_SLOW_WITH_A_SCALAR = (np.maximum, np.minimum, np.fmax, np.fmin)
_MAX_SPREAD = 1 << 22  # elements: a constant array up to 16 MB of float32
_NUMPY_FLOATS = (np.float16, np.float32, np.float64)  # (bfloat16 with a scalar: unchecked)


def _spread_scalars(ops: list[Any], rec: Recorder) -> tuple[list[Any], int]:
    """``np.maximum(x, 0)`` (ReLU) runs numpy's loop for a scalar operand, 3x slower in
    numpy 2.4 than its loop for two arrays of one shape (100,000 float32: 38 µs against
    14), and so do ``minimum``, ``fmax`` and ``fmin``. A float array's Python scalar becomes
    an array of ``x``'s shape and dtype holding it, made once: the same comparison of the
    same numbers, element by element."""
    out: list[Any] = []
    spread = 0
    for op in ops:
        scalar = _the_scalar(op, rec)
        if scalar is None:
            out.append(op)
            continue
        k, x = scalar
        const = np.full(x.shape, op.args[k], x.dtype)
        const.flags.writeable = False
        args = tuple(const if i == k else a for i, a in enumerate(op.args))
        out.append(Step(op.func, args, op.kwargs, op.result, op.label, op.writes,
                        f"{op.args[k]!r} as an array made once: numpy's loop for two "
                        "arrays is faster than its loop for a scalar"))
        spread += 1
    return out, spread


def _the_scalar(op: Any, rec: Recorder) -> tuple[int, np.ndarray] | None:
    """``(k, x)`` when ``op`` is ``f(x, scalar)`` or ``f(scalar, x)`` of a slow ufunc, ``x``
    an array of one of numpy's own floats and the scalar a Python number it holds
    exactly; else None."""
    if not (isinstance(op, Step) and op.func in _SLOW_WITH_A_SCALAR and len(op.args) == 2
            and set(op.kwargs) <= {"out"}):
        return None
    for k in (0, 1):
        scalar, ref = op.args[k], op.args[1 - k]
        if type(scalar) not in (int, float) or not isinstance(ref, Ref):
            continue
        x = rec.values[ref.tid]
        if (isinstance(x, np.ndarray) and x.dtype.type in _NUMPY_FLOATS
                and 0 < x.size <= _MAX_SPREAD and float(np.asarray(scalar, x.dtype)) == scalar):
            return k, x
    return None
