"""The recorder: an ndarray subclass that writes down every numpy call made on it.

While ``tg.compile`` records a step, the arrays behind the captured tensors (parameters,
their ``.grad``, optimizer state, data, arguments) are swapped for ``TracedArray`` views
of the same memory. The step runs eagerly, for real, but every numpy call that touches a
traced array goes through :meth:`Recorder.call`: it runs the call on plain arrays, gives
each array result a number (``t12``) and appends one :class:`Step` to the log. Results are
traced too, so the whole step -- forward, the backward walk, the optimizer -- is caught.

Values that leave numpy are the danger (a compiler calls them *escapes*):

- ``np.asarray(t)`` gives a plain view of a traced array: passed as it is to a traced
  call, it is found again through ``.base``; but numpy calls on plain arrays alone are
  not seen, so the library keeps the subclass (``np.asanyarray``);
- ``np.array(t)`` gives a plain copy the recorder never saw made. It is *not* guessed
  (two different values can have equal bytes when recorded -- zeros -- and differ
  later): when such an array reaches a traced call, the recording fails and the step
  runs eagerly, with a warning naming the call and its place. The library copies with
  ``arr.copy()`` and makes arrays with ``np.empty_like(traced, ...)``, which are recorded;
  the one kind of plain array it may pass is a *declared constant*: read-only and owning
  its memory (a cached vector of ones), whose value nothing can change;
- a numpy scalar result (``t.sum()``, any 0-d result) is handed back as a 0-d traced
  array instead, so that what is computed from it is recorded too (numpy computes the
  same bits from a 0-d array as from a scalar). Other numpy scalars are constants made
  from Python numbers (``np.float32(0.5)``);
- ``float(t)``, ``t.item()``, ``bool(t)`` are *reads*: Python now holds a number that
  may steer an ``if``. Each read is kept with its value; a replay recomputes it and
  gives up (runs eagerly) if it changed. The shape of a result that depends on the
  values (``nonzero``, ``x[mask]``) is such a read too; ``np.ndim``/``np.shape`` are not
  recorded at all (the guards fix every other shape).

Anything else that escapes is caught by the check ``tg.compile`` makes after recording:
one step replayed and run eagerly from the same state must agree bit for bit.

Example:
    >>> rec = Recorder()
    >>> x = rec.input(np.ones(3, np.float32), "x")
    >>> with rec:
    ...     y = np.add(x, 1)
    >>> rec.steps[0].func is np.add
    True
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Ref", "Step", "Read", "Recorder", "TracedArray", "active", "plain"]


@dataclass(frozen=True)
class Ref:
    """A recorded value in a step's arguments: ``env[tid]`` at replay."""

    tid: int


@dataclass
class Step:
    """One numpy call: ``env[result] = func(*args, **kwargs)`` with each Ref looked up.

    ``result`` is a tid, a tuple of tids (a call returning several arrays) or None
    (an in-place call: ``out=``, ``__setitem__``, ``fill``). ``label`` is how
    ``explain()`` names the call (``np.add``, ``.reshape``).
    """

    func: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    result: int | tuple[int, ...] | None
    label: str
    writes: int | None = None  # the tid written in place, if any


@dataclass
class Read:
    """A value Python read out of the step (``float(loss)``): checked again at replay."""

    step: int  # how many steps had run when it was read
    tid: int
    value: Any
    how: str


_active: Recorder | None = None


def active() -> Recorder | None:
    """The recorder in use (None outside ``with recorder:``)."""
    return _active


class TracedArray(np.ndarray):
    """An ndarray whose numpy calls are recorded while its recorder is active.

    ``_tid`` is its number in the recording (None: made by a call the recorder did not
    see, which is an escape the recorder refuses to use).
    """

    _tid: int | None = None

    def __array_finalize__(self, obj: Any) -> None:
        self._tid = None

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        func = ufunc if method == "__call__" else getattr(ufunc, method)
        label = f"np.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
        return _recorder().call(func, inputs, kwargs, label)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        if func in _STATIC:  # fixed by the shape guards (and the checks of masked shapes)
            return func(*plain(tuple(args)), **plain(kwargs))
        return _recorder().call(func, args, kwargs, f"np.{func.__name__}")

    # C-level methods: they never reach the two protocols above, so each is recorded here
    def reshape(self, *a: Any, **k: Any) -> Any:  # type: ignore[override]
        """Recorded ``ndarray.reshape``."""
        return _recorder().method("reshape", self, a, k)

    def transpose(self, *a: Any) -> Any:  # type: ignore[override]
        """Recorded ``ndarray.transpose``."""
        return _recorder().method("transpose", self, a, {})

    @property
    def T(self) -> Any:  # type: ignore[override]
        """Recorded ``ndarray.transpose()``."""
        return _recorder().method("transpose", self, (), {})

    def astype(self, *a: Any, **k: Any) -> Any:  # type: ignore[override]
        """Recorded ``ndarray.astype``."""
        return _recorder().method("astype", self, a, k)

    def copy(self, *a: Any, **k: Any) -> Any:  # type: ignore[override]
        """Recorded ``ndarray.copy``."""
        return _recorder().method("copy", self, a, k)

    def view(self, *a: Any, **k: Any) -> Any:  # type: ignore[override]
        """Recorded ``ndarray.view`` (a view as another dtype stays traced)."""
        if a and isinstance(a[0], type) and issubclass(a[0], np.ndarray):
            _recorder().escape(f".view({a[0].__name__})")
            return np.ndarray.view(_plain(self), *a, **k)
        return _recorder().method("view", self, a, k)

    def ravel(self, *a: Any) -> Any:  # type: ignore[override]
        """Recorded ``ndarray.ravel``."""
        return _recorder().method("ravel", self, a, {})

    def squeeze(self, *a: Any, **k: Any) -> Any:  # type: ignore[override]
        """Recorded ``ndarray.squeeze``."""
        return _recorder().method("squeeze", self, a, k)

    def flatten(self, *a: Any) -> Any:  # type: ignore[override]
        """Recorded ``ndarray.flatten``."""
        return _recorder().method("flatten", self, a, {})

    def swapaxes(self, *a: Any) -> Any:  # type: ignore[override]
        """Recorded ``ndarray.swapaxes``."""
        return _recorder().method("swapaxes", self, a, {})

    def fill(self, value: Any) -> None:
        """Recorded ``ndarray.fill`` (a write)."""
        _recorder().method("fill", self, (value,), {})

    def __getitem__(self, key: Any) -> Any:
        return _recorder().method("__getitem__", self, (key,), {})

    def __setitem__(self, key: Any, value: Any) -> None:
        _recorder().method("__setitem__", self, (key, value), {})

    def __iter__(self) -> Any:
        return (self[i] for i in range(len(self)))

    # reads: Python takes a value out of the step
    def item(self, *a: Any) -> Any:
        """A recorded read."""
        return _recorder().read(self, lambda x: x.item(*a), ".item()")

    def tolist(self) -> Any:
        """A recorded read."""
        return _recorder().read(self, np.ndarray.tolist, ".tolist()")

    def __float__(self) -> float:
        return _recorder().read(self, float, "float()")  # type: ignore[no-any-return]

    def __int__(self) -> int:
        return _recorder().read(self, int, "int()")  # type: ignore[no-any-return]

    def __index__(self) -> int:
        return _recorder().read(self, lambda x: x.__index__(), "index")  # type: ignore[no-any-return]

    def __bool__(self) -> bool:
        return _recorder().read(self, bool, "bool()")  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return _recorder().read(self, repr, "repr()")  # type: ignore[no-any-return]

    def __str__(self) -> str:
        return _recorder().read(self, str, "str()")  # type: ignore[no-any-return]


def _recorded_method(name: str) -> Any:
    def method(self: TracedArray, *a: Any, **k: Any) -> Any:
        return _recorder().method(name, self, a, k)

    method.__name__ = name
    method.__doc__ = f"Recorded ``ndarray.{name}``."
    return method


# more methods numpy runs in C without either protocol ("sort" and "put" write in place)
for _name in ("take", "repeat", "compress", "nonzero", "argmax", "argmin", "argsort", "dot",
              "diagonal", "searchsorted", "conj", "sort", "put"):
    setattr(TracedArray, _name, _recorded_method(_name))


def _recorder() -> Recorder:
    # a traced array kept after its recording ended behaves as a plain one
    return _PASSTHROUGH if _active is None else _active


def _plain(a: TracedArray) -> np.ndarray:
    return np.ndarray.view(a, np.ndarray)


@dataclass
class Recorder:
    """The log of one recording: its steps, reads, inputs and the arrays it saw."""

    steps: list[Step] = field(default_factory=list)
    reads: list[Read] = field(default_factory=list)
    inputs: dict[int, str] = field(default_factory=dict)  # tid -> where it is bound from
    values: list[np.ndarray] = field(default_factory=list)  # tid -> eager value
    root: list[int] = field(default_factory=list)  # tid -> tid of the memory it views
    first_write: int | None = None  # index of the first step writing an input's memory
    problem: str | None = None  # why this recording cannot be replayed
    scalars: set[int] = field(default_factory=set)  # tids numpy gave as scalars (0-d now)

    def __enter__(self) -> Recorder:
        global _active
        _active = self
        return self

    def __exit__(self, *exc: object) -> None:
        global _active
        _active = None

    def input(self, array: np.ndarray, where: str) -> TracedArray:
        """A traced view of ``array`` (a captured tensor's memory), bound from ``where``."""
        tid = self._new(array, None)
        self.inputs[tid] = where
        return self.traced(tid)

    def traced(self, tid: int) -> TracedArray:
        """The traced view of value ``tid``."""
        value = self.values[tid]
        assert isinstance(value, np.ndarray)
        t = value.view(TracedArray)
        t._tid = tid
        return t

    def escape(self, how: str) -> None:
        """Note that the step did something a replay cannot reproduce (it runs on, eagerly)."""
        self.problem = self.problem or f"the step used {how}, which the recorder cannot follow"

    def _new(self, value: Any, view_of: int | None) -> int:
        tid = len(self.values)
        self.values.append(value)
        self.root.append(tid if view_of is None else self.root[view_of])
        return tid

    def call(self, func: Callable[..., Any], args: Any, kwargs: dict[str, Any], label: str) -> Any:
        """Run ``func`` on plain arrays, log it as a Step, and return traced results."""
        template, plain = self._unwrap(tuple(args), label)
        ktemplate, kplain = self._unwrap(kwargs, label)
        result = func(*plain, **kplain)
        out = kwargs.get("out")
        writes = None
        if out is not None:  # in place: the result is the out array, written
            target = out[0] if isinstance(out, tuple) else out
            writes = target._tid if isinstance(target, TracedArray) else None
            if writes is None:
                self.escape(f"{label}(out=<an untraced array>)")
                return result
            self._note_write(writes)
            self.steps.append(Step(func, template, ktemplate, None, label, writes))
            return out[0] if isinstance(out, tuple) and len(out) == 1 else out
        if func is np.copyto:  # a write into its first argument (BatchNorm's running stats)
            writes = self._tid_of(args[0]) if isinstance(args[0], TracedArray) else None
            if writes is None:
                self.escape(f"{label}(<an untraced array>, ...)")
            else:
                self._note_write(writes)
                self.steps.append(Step(func, template, ktemplate, None, label, writes))
            return result
        tids, wrapped = self._wrap(result, None)
        self.steps.append(Step(func, template, ktemplate, tids, label))
        if func in _SHAPE_FROM_VALUES and _value_shaped(func, plain):
            self._note_shapes(tids, result)
        return wrapped

    def _note_shapes(self, tids: Any, result: Any) -> None:
        """A result whose shape depends on the values (``nonzero``, a boolean mask): Python
        reads shapes freely (``len(x)``), so the replay checks each one is what it was."""
        pairs = zip(tids, result) if isinstance(tids, tuple) else [(tids, result)]
        for tid, value in pairs:
            if isinstance(value, np.ndarray):
                self._note_read(tid, value.shape, "shape")

    def method(self, name: str, this: TracedArray, args: Any, kwargs: dict[str, Any]) -> Any:
        """Record ``this.name(*args, **kwargs)``, an ndarray method numpy runs in C."""
        func = getattr(np.ndarray, name)
        src = self._tid_of(this)
        label = f".{name}" if name[0] != "_" else {"__getitem__": "[]", "__setitem__": "[]="}[name]
        template, plain = self._unwrap(tuple(args), label)
        ktemplate, kplain = self._unwrap(kwargs, label)
        result = func(_plain(this), *plain, **kplain)
        if name in _WRITES:
            self._note_write(src)
            self.steps.append(Step(func, (Ref(src), *template), ktemplate, None, label, src))
            return None
        view_of = src if isinstance(result, np.ndarray) and result.base is not None else None
        if view_of is not None and not np.shares_memory(result, self.values[src]):
            view_of = None
        tids, wrapped = self._wrap(result, view_of)
        self.steps.append(Step(func, (Ref(src), *template), ktemplate, tids, label))
        repeats = name == "repeat" and bool(args) and np.ndim(args[0]) > 0  # (per element)
        if name in ("nonzero", "compress") or repeats or (name == "__getitem__"
                                                          and _masks(args[0])):
            self._note_shapes(tids, result)
        return wrapped

    def read(self, this: TracedArray, how: Callable[[np.ndarray], Any], name: str) -> Any:
        """Python reads a value: keep it, so that a replay can check it is still the same."""
        tid = self._tid_of(this)
        value = how(_plain(this))
        self._note_read(tid, value, name)
        return value

    def _note_read(self, tid: int, value: Any, name: str) -> None:
        if self.first_write is not None:
            self.problem = self.problem or (
                f"it reads a value ({name}) after updating state in place: Python may "
                "branch on it, and a replay could not undo the update if it changed")
        # a numpy call's own value is checked once the call has run again
        self.reads.append(Read(len(self.steps) + (name == "value"), tid, value, name))

    def _note_write(self, tid: int) -> None:
        if self.root[tid] in self.inputs and self.first_write is None:
            self.first_write = len(self.steps)

    def _tid_of(self, a: TracedArray) -> int:
        if a._tid is None:
            self.escape(f"an array made by a numpy call the recorder did not see, at {_place()}")
            return -1
        return a._tid

    def _wrap(self, result: Any, view_of: int | None) -> tuple[Any, Any]:
        if isinstance(result, tuple):
            pairs = [self._wrap(r, None) for r in result]
            return tuple(p[0] for p in pairs), tuple(p[1] for p in pairs)
        if isinstance(result, np.ndarray):
            tid = self._new(result, view_of)
            return tid, self.traced(tid)
        if isinstance(result, np.generic):  # a 0-d result: kept an array, so still traced
            tid = self._new(np.asarray(result), None)
            self.scalars.add(tid)
            return tid, self.traced(tid)
        if isinstance(result, (bool, int, float)):  # np.shares_memory...: Python reads it
            tid = self._new(np.asarray(result), None)
            self._note_read(tid, result, "value")
            return tid, result
        self.escape(f"a numpy call returning {type(result).__name__}")
        return -1, result

    def _unwrap(self, obj: Any, label: str) -> tuple[Any, Any]:
        """(template with Refs, the same with plain arrays) of a call's arguments."""
        if isinstance(obj, TracedArray):
            tid = self._tid_of(obj)
            return Ref(tid), _plain(obj)
        if isinstance(obj, np.ndarray):
            found = self._found(obj)
            if found is None and not _constant(obj):
                self._unknown(label)
            return (obj, obj) if found is None else (Ref(found), obj)
        if isinstance(obj, (tuple, list)):
            pairs = [self._unwrap(o, label) for o in obj]
            kind = type(obj)
            return kind(p[0] for p in pairs), kind(p[1] for p in pairs)
        if isinstance(obj, dict):
            pairs2 = {k: self._unwrap(v, label) for k, v in obj.items()}
            return {k: p[0] for k, p in pairs2.items()}, {k: p[1] for k, p in pairs2.items()}
        return obj, obj

    def _found(self, a: np.ndarray) -> int | None:
        """The recorded value a plain array is a whole view of (through ``.base``), or None."""
        base: Any = a
        while base is not None:
            if isinstance(base, TracedArray) and base._tid is not None:
                src = base._tid
                value = self.values[src]
                assert isinstance(value, np.ndarray)
                if (a.shape, a.strides, a.dtype) == (value.shape, value.strides, value.dtype) \
                        and a.__array_interface__["data"] == value.__array_interface__["data"]:
                    return src
                return None
            base = base.base
        return None

    def _unknown(self, label: str) -> None:
        """A plain array the recorder cannot account for reached ``label``: never guess."""
        self.escape(f"an array made outside the recording (a copy numpy did not report, or "
                    f"an untraced tensor) in {label} at {_place()}")


_WRITES = ("__setitem__", "fill", "sort", "put")
_STATIC = {np.ndim, np.shape, np.size}  # what they return depends on shapes alone
# numpy functions whose result's shape depends on the values, not only on the shapes
_SHAPE_FROM_VALUES = {np.nonzero, np.flatnonzero, np.argwhere, np.unique, np.extract,
                      np.compress, np.where, np.repeat, np.bincount, np.histogram,
                      np.trim_zeros, np.setdiff1d, np.intersect1d, np.union1d, np.setxor1d,
                      np.delete}


def _value_shaped(func: Any, args: tuple[Any, ...]) -> bool:
    """Whether this call's result shape depends on values: not ``np.where(c, a, b)`` nor
    ``np.repeat(x, 3)``, whose shapes follow from the arguments' shapes."""
    if func is np.where:
        return len(args) == 1
    if func is np.repeat:
        return len(args) > 1 and np.ndim(args[1]) > 0
    return True


def _masks(key: Any) -> bool:
    """Whether an index holds a boolean array (``x[x > 0]``: as many elements as are true)."""
    keys = key if isinstance(key, tuple) else (key,)
    return any(isinstance(k, np.ndarray) and k.dtype == bool for k in keys)


def _constant(a: np.ndarray) -> bool:
    """A constant the library declared: read-only, owning its memory (a cache's vector of
    ones). Nothing can change its value, so a replay may use the same array."""
    return a.base is None and not a.flags.writeable


def _place() -> str:
    """file:line of the innermost caller outside numpy and this package."""
    frame = sys._getframe(1)
    while frame is not None and (frame.f_code.co_filename.startswith(_SKIP)):
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:
        return "an unknown place"
    path = frame.f_code.co_filename
    short = path[path.rfind("tinygrad_edu"):] if "tinygrad_edu" in path else os.path.basename(path)
    return f"{short}:{frame.f_lineno}"


_SKIP = (os.path.dirname(__file__), os.path.dirname(np.__file__))


class _Passthrough(Recorder):
    """What a traced array uses when no recording is running: plain numpy, nothing logged."""

    def call(self, func: Callable[..., Any], args: Any, kwargs: dict[str, Any], label: str) -> Any:
        """Run the call on plain arrays."""
        return func(*plain(tuple(args)), **plain(kwargs))

    def method(self, name: str, this: TracedArray, args: Any, kwargs: dict[str, Any]) -> Any:
        """Run the method on a plain view."""
        return getattr(np.ndarray, name)(_plain(this), *plain(tuple(args)), **plain(kwargs))

    def read(self, this: TracedArray, how: Callable[[np.ndarray], Any], name: str) -> Any:
        """Read the value."""
        return how(_plain(this))


_PASSTHROUGH = _Passthrough()


def plain(obj: Any) -> Any:
    """``obj`` with every traced array in it replaced by a plain view of its memory."""
    if isinstance(obj, TracedArray):
        return _plain(obj)
    if isinstance(obj, (tuple, list)):
        return type(obj)(plain(o) for o in obj)
    if isinstance(obj, dict):
        return {k: plain(v) for k, v in obj.items()}
    return obj
