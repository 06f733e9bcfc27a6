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
  recorded at all (the guards fix every other shape);
- a step count an optimizer reads as a Python number (``float(state["step"])``) changes
  every call: read, it would make every replay stale. The optimizer asks for it with
  ``_get_value`` instead (PyTorch's name), which gives a :class:`TracedFloat` while
  recording: a symbolic float whose arithmetic is recorded as Python operator steps
  (``t7 = operator.pow(0.999, t6)``), so a replay recomputes the same floats; turning it
  into anything else (``bool``, ``<``, ``int()``, ``str``) is a read, guarded like the ones
  above (RAdam's ``if rho_t > 5``: the branch taken).

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

import math
import operator
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeGuard

import numpy as np

__all__ = ["Ref", "Step", "Read", "Recorder", "TracedArray", "TracedFloat", "active", "plain",
           "tids", "results"]


@dataclass(frozen=True)
class Ref:
    """A recorded value in a step's arguments: ``env[tid]`` at replay."""

    tid: int


def tids(obj: Any) -> list[int]:
    """The tids of the Refs in a call's arguments (nested in tuples, lists and dicts)."""
    if isinstance(obj, Ref):
        return [obj.tid]
    if isinstance(obj, (list, tuple)):
        return [t for o in obj for t in tids(o)]
    if isinstance(obj, dict):
        return [t for o in obj.values() for t in tids(o)]
    return []


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
    why: str = ""  # what a pass changed here, for explain()


@dataclass
class Read:
    """A value Python read out of the step (``float(loss)``): checked again at replay."""

    step: int  # how many steps had run when it was read
    tid: int
    value: Any
    how: str
    late: bool = False  # read after the step first wrote its state (see optimize.py)


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

    def setflags(self, *a: Any, **k: Any) -> None:
        """Recorded ``ndarray.setflags``: numpy's diagonal is read-only, the library makes
        it writable, and so must the replay (kept as a write, so that it is not dropped)."""
        np.ndarray.setflags(self, *a, **k)  # (flags belong to each array object)
        _recorder().method("setflags", self, a, k)

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

    def symbolic_float(self) -> float:
        """This 0-d array's value as a Python float that the recording follows (a
        :class:`TracedFloat`): what ``optim``'s ``_get_value`` asks for. A plain float
        when no recording is running."""
        return _recorder().symbolic_float(self)


class TracedFloat(float):
    """A symbolic Python float: its value, and the number (tid) of the recorded step that
    made it. PyTorch's compiler keeps an optimizer's step count symbolic the same way
    (``torch.optim.optimizer._get_value``).

    Made only on request (``TracedArray.symbolic_float``, for ``optim``'s ``_get_value``):
    ``float(t)`` and ``t.item()`` stay reads, so that a step whose Python does something
    with a value (``losses.append(loss.item())``) is never replayed without it.

    - ``+ - * / // % ** divmod``, unary ``- + abs`` with Python numbers or other
      TracedFloats are recorded as steps of the plain operator function on plain floats
      (``t7 = operator.pow(0.999, t6)``) and give TracedFloats: a replay redoes the very
      same float operations, so it gets the same bits;
    - whatever turns it into something else is a read, checked at every replay:
      ``bool``, comparisons, ``int()``, ``round``, ``math.floor/ceil/trunc``,
      ``is_integer()`` guard their result (an ``if rho_t > 5`` guards the branch taken);
      ``float()``, ``str``, ``repr``, ``format``, ``hash`` and the rest guard the value;
    - passed to a traced numpy call, it is given to numpy as a plain float (numpy's rules
      for Python scalars are the eager ones) and recorded as a Ref.

    Outside its recording it is a plain float. C code that takes a float's value without
    asking it (``math.sqrt``, ``struct.pack``, ``"%f" %``) cannot be seen by any float
    subclass: it would use the recorded value as a constant. The library does not do that;
    the check against eager after recording catches it when the value changes.
    """

    __slots__ = ("_tid", "_rec")
    _tid: int
    _rec: Recorder

    @staticmethod
    def _make(value: float, tid: int, rec: Recorder) -> TracedFloat:
        t = float.__new__(TracedFloat, value)
        t._tid, t._rec = tid, rec
        return t

    @property
    def real(self) -> float:  # type: ignore[override]
        """The float itself."""
        return self

    def conjugate(self) -> float:
        """The float itself."""
        return self

    def __divmod__(self, other: Any) -> Any:
        return self // other, self % other  # (what CPython's float divmod computes)

    def __rdivmod__(self, other: Any) -> Any:
        return other // self, other % self


def _live(args: tuple[Any, ...]) -> Recorder | None:
    """The recording running, if one of ``args`` is a TracedFloat it made."""
    for a in args:
        if isinstance(a, TracedFloat) and a._rec is _active:
            return _active
    return None


def _pyfloat(a: Any) -> Any:
    return float.__float__(a) if isinstance(a, TracedFloat) else a


def _symbolic(func: Callable[..., Any], reflected: bool = False) -> Any:
    """A TracedFloat operator (unary or binary), recorded as a step of ``func``."""

    def op(self: TracedFloat, *other: Any) -> Any:
        if other and (not isinstance(other[0], (int, float)) or isinstance(other[0], np.generic)):
            return NotImplemented  # an array, a numpy scalar: theirs to handle
        args = (other[0], self) if reflected else (self, *other)
        rec = _live(args)
        if rec is None:
            return func(*map(_pyfloat, args))
        return rec.python(func, args, read=False)

    op.__name__ = func.__name__
    return op


def _reading(func: Callable[..., Any], result: bool) -> Any:
    """A TracedFloat conversion: a read of its result (``result``) or of the value."""

    def op(self: TracedFloat, *more: Any) -> Any:
        args = (self, *more)
        rec = _live(args)
        if rec is None:
            return func(*map(_pyfloat, args))
        if result:
            return rec.python(func, args, read=True)
        rec.python(float, (self,), read=True)  # guards the value itself
        return func(*map(_pyfloat, args))

    op.__name__ = func.__name__
    return op


_ARITHMETIC: tuple[tuple[str, Any], ...] = (
    ("add", operator.add), ("sub", operator.sub), ("mul", operator.mul),
    ("truediv", operator.truediv), ("floordiv", operator.floordiv), ("mod", operator.mod),
    ("pow", operator.pow))
_UNARY: tuple[tuple[str, Any], ...] = (
    ("neg", operator.neg), ("pos", operator.pos), ("abs", operator.abs))
_GUARD_RESULT: tuple[tuple[str, Any], ...] = (  # a branch: the result is what Python uses
    ("bool", operator.truth), ("eq", operator.eq), ("ne", operator.ne), ("lt", operator.lt),
    ("le", operator.le), ("gt", operator.gt), ("ge", operator.ge), ("int", int),
    ("round", round), ("floor", math.floor), ("ceil", math.ceil), ("trunc", math.trunc))
_GUARD_VALUE = ("__float__", "__str__", "__repr__", "__format__", "__hash__", "__getnewargs__",
                "__getstate__", "__reduce__", "__reduce_ex__", "as_integer_ratio", "hex")
for _name, _func in _ARITHMETIC:
    setattr(TracedFloat, f"__{_name}__", _symbolic(_func))
    setattr(TracedFloat, f"__r{_name}__", _symbolic(_func, reflected=True))
for _name, _func in _UNARY:
    setattr(TracedFloat, f"__{_name}__", _symbolic(_func))
for _name, _func in _GUARD_RESULT:
    setattr(TracedFloat, f"__{_name}__", _reading(_func, result=True))
TracedFloat.is_integer = _reading(float.is_integer, result=True)  # type: ignore[method-assign]
for _name in _GUARD_VALUE:
    setattr(TracedFloat, _name, _reading(getattr(float, _name), result=False))


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


def _augmented(name: str) -> Any:
    """``a += b`` writes into an array, but rebinds ``a`` to a new value when ``a`` is a
    numpy scalar (immutable) -- and a scalar numpy gave is a 0-d array here."""
    inplace, binary = getattr(np.ndarray, f"__i{name}__"), getattr(operator, f"__{name}__")

    def method(self: TracedArray, other: Any) -> Any:
        return binary(self, other) if _recorder().is_scalar(self) else inplace(self, other)

    method.__name__ = f"__i{name}__"
    return method


for _name in ("add", "sub", "mul", "matmul", "truediv", "floordiv", "mod", "pow", "lshift",
              "rshift", "and", "xor", "or"):
    setattr(TracedArray, f"__i{_name}__", _augmented(_name))


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
    values: list[Any] = field(default_factory=list)  # tid -> eager value (array, Python float)
    root: list[int] = field(default_factory=list)  # tid -> tid of the memory it views
    first_write: int | None = None  # index of the first step writing an input's memory
    problem: str | None = None  # why this recording cannot be replayed
    late_why: str | None = None  # why a value read after a write stops a replay, if it must
    scalars: set[int] = field(default_factory=set)  # tids numpy gave as scalars (0-d now)
    undo: bool = False  # a TracedFloat read after a write: a replay must be able to undo
    # pairs of inputs whose memory was apart when an op checked it (np.may_share_memory in
    # an in-place op's overlap check): the replay checks them before it writes anything
    apart: list[tuple[int, int]] = field(default_factory=list)
    # inputs whose strides a view's layout or an overlap check was worked out from: the
    # answer holds while the array bound there has these strides (checked before the
    # replay writes, as ``apart``)
    layouts: dict[int, tuple[int, ...]] = field(default_factory=dict)

    def __enter__(self) -> Recorder:
        global _active
        _active = self
        self._makers = {name: getattr(np, name) for name in _MAKERS}
        for name, make in self._makers.items():
            setattr(np, name, self._maker(make))
        self._tricks = {name: getattr(np.lib.stride_tricks, name) for name in _STRIDE_TRICKS}
        for name, trick in self._tricks.items():
            setattr(np.lib.stride_tricks, name, self._stride_trick(trick))
        return self

    def __exit__(self, *exc: object) -> None:
        global _active
        _active = None
        for name, make in self._makers.items():
            setattr(np, name, make)
        for name, trick in self._tricks.items():
            setattr(np.lib.stride_tricks, name, trick)

    def _maker(self, make: Callable[..., Any]) -> Callable[..., Any]:
        """``np.zeros`` (``np.arange``, ``np.array`` of a list...) as the recording sees
        it: an array made from Python values alone is a recorded constant; a new array
        made from recorded ones (``np.array(x, dtype=...)``, a copy numpy does not report
        to the subclass) is a recorded call, and so is a new array numpy made as the
        subclass (``np.asanyarray(x, np.float32)`` converts a traced ``x``: a TracedArray
        that no recorded call made). ``np.asarray(x)`` of a traced ``x`` as it is gives
        ``x`` itself, as it does for a plain ndarray (numpy would give an untraced view of
        the subclass), unless ``x`` is a scalar numpy gave: that makes a new array. Any
        other view is left as it is: the recorder finds it through ``.base``."""
        def recorded(*args: Any, **kwargs: Any) -> Any:
            array = make(*args, **kwargs)
            if _active is not self or not isinstance(array, np.ndarray):
                return array
            source = args[0] if args else None
            if isinstance(source, TracedArray) and source._tid is not None and _same_view(
                    array, source):
                if self.is_scalar(source):  # (of a numpy scalar: a new array, as in eager)
                    copy = self._makers["array"]
                    return self._made(copy, (source,), {}, copy(_plain(source)))
                return source
            if isinstance(array, TracedArray):
                if array._tid is not None or array.base is not None:
                    return array
                return self._made(make, args, kwargs, _plain(array))
            if not _holds_array((args, kwargs)):
                return self.created(array)
            if array.base is not None or not _holds_traced((args, kwargs)):
                return array
            return self._made(make, args, kwargs, array)

        recorded.__wrapped__ = make  # type: ignore[attr-defined]
        return recorded

    def _made(self, make: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
              array: np.ndarray) -> TracedArray:
        """Log ``array = make(*args, **kwargs)``, new memory made from recorded arrays."""
        label = f"np.{make.__name__}"
        template, _ = self._unwrap(tuple(args), label)
        ktemplate, _ = self._unwrap(kwargs, label)
        tid = self._new(array, None)
        self.steps.append(Step(make, template, ktemplate, tid, label))
        return self.traced(tid)

    def _stride_trick(self, trick: Callable[..., Any]) -> Callable[..., Any]:
        """``np.lib.stride_tricks.as_strided`` as the recording sees it. numpy runs it in
        Python without ``__array_function__``, through a holder object whose ``base`` is a
        plain view, so its result was an array no recorded call made (a convolution's
        im2col windows). On a traced array it is a recorded call, its result a view of
        its argument (a write through it is a write to that buffer). Its strides are
        bytes, worked out from the argument's strides when recorded: the replay must bind
        arrays laid out as they were then (``_pin_strides``)."""
        label = f"np.lib.stride_tricks.{trick.__name__}"

        def recorded(x: Any, *args: Any, **kwargs: Any) -> Any:
            if _active is not self or not _holds_traced((x, args, kwargs)):
                return trick(x, *args, **kwargs)
            view = self.call(trick, (x, *args), kwargs, label)
            if isinstance(x, TracedArray) and x._tid is not None:
                self._pin_strides(x._tid)
            return view

        recorded.__wrapped__ = trick  # type: ignore[attr-defined]
        return recorded

    def _pin_strides(self, tid: int) -> None:
        """Guard the strides of every input that value ``tid``'s strides follow from: the
        calls that made it, back to the inputs (numpy lays a result out after its
        arguments). The program checks them before it writes anything, as ``layouts``;
        a new array that is C-contiguous whatever its arguments (``.copy()``) ends the
        walk, and so does a constant."""
        made = {t: step for step in self.steps for t in results(step)}
        todo, seen = [tid], set()
        while todo:
            t = todo.pop()
            if t in seen:
                continue
            seen.add(t)
            if t in self.inputs:
                self.layouts[t] = self.values[t].strides
            step = made.get(t)
            if step is not None and not _c_ordered(step):
                todo += tids((step.args, step.kwargs))

    def created(self, array: np.ndarray) -> TracedArray:
        """An array the step made from Python values alone (``tg.zeros(3)``, ``tg.arange(n)``,
        ``tg.tensor([1.0, 2.0])``, the library's ``np.arange(num_classes)``): a replay makes
        it again, from a read-only copy (``np.copy``: a new array each time, which the step
        may write). Shapes are guarded; the values came from Python numbers."""
        const = array.copy()
        const.flags.writeable = False
        tid = self._new(array, None)
        self.steps.append(Step(np.copy, (const,), {}, tid, "np.copy"))
        return self.traced(tid)

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
        out = kwargs.get("out")
        writes_first = func in _WRITE_FIRST or (  # (np.add.at(x, idx, v) writes into x)
            getattr(func, "__name__", "") == "at" and isinstance(getattr(func, "__self__", None),
                                                                 np.ufunc))
        if writes_first and args:  # np.copyto(dst, src): a write into dst
            out = args[0]
        target = out[0] if isinstance(out, tuple) and out else out
        if self.is_scalar(target):  # (numpy's own error for a scalar)
            raise TypeError("return arrays must be of ArrayType" if not writes_first else
                            f"{getattr(func, '__name__', label)}() argument 1 must be a "
                            f"numpy.ndarray, not numpy.{target.dtype}")
        template, plain = self._unwrap(tuple(args), label)
        ktemplate, kplain = self._unwrap(kwargs, label)
        result = func(*plain, **kplain)
        if func in _LAYOUT and not result and self._private(template[:2]):
            return result  # (memory the step made overlaps nothing it was given: a constant)
        if func in _LAYOUT and not result and self._apart(template[:2]):
            return result  # (two inputs' memory: a guard before the replay writes)
        if func in _LAYOUT and self._same_input(template[:2]):
            return result  # (two views of one input: a guard on its strides, likewise)
        if out is not None:  # in place: the result is the out array, written
            writes = target._tid if isinstance(target, TracedArray) else None
            if writes is None:
                self.escape(f"{label}(out=<an untraced array>)")
                return result
            self._note_write(writes)
            self.steps.append(Step(func, template, ktemplate, None, label, writes))
            if writes_first:
                return result
            return out[0] if isinstance(out, tuple) and len(out) == 1 else out
        tids, wrapped = self._wrap(result, lambda r: _viewed((template, ktemplate),
                                                             (plain, kplain), r))
        self.steps.append(Step(func, template, ktemplate, tids, label))
        if func in _SHAPE_FROM_VALUES and _value_shaped(func, plain):
            self._note_shapes(tids, result)
        return wrapped

    def _private(self, pair: tuple[Any, ...]) -> bool:
        """Whether two arrays are in different memory, one of them made by the step (or
        a constant): ``np.may_share_memory`` of such a pair is False at every replay."""
        roots = [self.root[a.tid] if isinstance(a, Ref) else None for a in pair]
        return len(roots) == 2 and roots[0] != roots[1] and any(
            r is None or r not in self.inputs for r in roots)

    def _apart(self, pair: tuple[Any, ...]) -> bool:
        """Whether two arrays view two inputs whose whole memory is apart (the EMA update
        ``ema_p.mul_(0.9).add_(p, alpha=0.1)`` after ``opt.step()`` checks that ``ema_p`` and
        ``p`` do not overlap). Then no view of one overlaps a view of the other while the
        inputs bound at a replay are apart too: the program checks that before it runs,
        so the answer needs no read in the middle of the step."""
        if len(pair) != 2 or not all(isinstance(a, Ref) for a in pair):
            return False
        first, second = (self.root[a.tid] for a in pair)
        if first == second or first not in self.inputs or second not in self.inputs or \
                np.may_share_memory(self.values[first], self.values[second]):
            return False
        self.apart.append((first, second))
        return True

    def _same_input(self, pair: tuple[Any, ...]) -> bool:
        """Whether two arrays are views of one input (a view and its base, compared when
        the base was written: ``views.refresh``). Where two views of an array lie follows
        from the calls that made them and the array's strides alone, so the answer holds
        while an array with those strides is bound there."""
        if len(pair) != 2 or not all(isinstance(a, Ref) for a in pair):
            return False
        first, second = (self.root[a.tid] for a in pair)
        if first != second or first not in self.inputs:
            return False
        self.layouts[first] = self.values[first].strides
        return True

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
        if name in ("__setitem__", "fill", "put", "setflags") and self.is_scalar(this):
            if name == "__setitem__":  # (what numpy does to a scalar)
                raise TypeError(f"'numpy.{this.dtype}' object does not support item assignment")
            return None  # (a numpy scalar's fill, put and setflags change nothing)
        src = self._tid_of(this)
        label = f".{name}" if name[0] != "_" else {"__getitem__": "[]", "__setitem__": "[]="}[name]
        template, plain = self._unwrap(tuple(args), label)
        ktemplate, kplain = self._unwrap(kwargs, label)
        result = func(_plain(this), *plain, **kplain)
        if name in _WRITES:
            if name != "setflags":  # (a flag, not a value: nothing to undo)
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

    def symbolic_float(self, this: TracedArray) -> float:
        """``float(this)`` as a :class:`TracedFloat`: recorded as a step, not read."""
        return self.python(float, (this,), read=False)

    def python(self, func: Callable[..., Any], args: tuple[Any, ...], read: bool) -> Any:
        """Record ``func(*args)`` on Python numbers, TracedFloats and 0-d traced arrays as a
        step whose value is a Python object. A float result is a TracedFloat again; with
        ``read`` (or any other result) Python holds the value: a replay checks it (a
        branch). Reads after a write are fine here -- the replay keeps a copy to undo."""
        label = _python_label(func)
        template, plain = self._unwrap(args, label)
        value = func(*plain)
        tid = self._new(value, None)
        self.steps.append(Step(func, template, {}, tid, label))
        if type(value) is float and not read:
            return TracedFloat._make(value, tid, self)
        self.reads.append(Read(len(self.steps), tid, value, "branch"))
        self.undo = self.undo or self.first_write is not None
        return value

    def _note_read(self, tid: int, value: Any, name: str) -> None:
        late = self.first_write is not None
        if late:  # (unless the program can check it before that write: optimize.py)
            self.late_why = self.late_why or (
                f"it reads a value ({name}) after updating state in place: Python may "
                "branch on it, and a replay could not undo the update if it changed")
        # a numpy call's own value is checked once the call has run again
        self.reads.append(Read(len(self.steps) + (name == "value"), tid, value, name, late))

    def _note_write(self, tid: int) -> None:
        if self.root[tid] in self.inputs and self.first_write is None:
            self.first_write = len(self.steps)

    def is_scalar(self, a: Any) -> TypeGuard[TracedArray]:
        """Whether ``a`` is a value numpy gave as a scalar (a 0-d array here)."""
        return isinstance(a, TracedArray) and a._tid is not None and a._tid in self.scalars

    def _tid_of(self, a: TracedArray) -> int:
        if a._tid is None:
            self.escape(f"an array made by a numpy call the recorder did not see, at {_place()}")
            return -1
        return a._tid

    def _wrap(self, result: Any, view_of: int | None | Callable[[Any], int | None]
              ) -> tuple[Any, Any]:
        """Log a call's result: a new value, a view of ``view_of`` (a tid, or a function
        giving it for each array of a tuple of results)."""
        if isinstance(result, tuple):
            pairs = [self._wrap(r, view_of if callable(view_of) else None) for r in result]
            return tuple(p[0] for p in pairs), tuple(p[1] for p in pairs)
        if isinstance(result, np.ndarray):
            tid = self._new(result, view_of(result) if callable(view_of) else view_of)
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
        if isinstance(obj, TracedFloat):  # numpy gets a plain float: its weak-scalar rules
            plain_float = float.__float__(obj)
            return (Ref(obj._tid), plain_float) if obj._rec is self else (plain_float,
                                                                          plain_float)
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


def _python_label(func: Callable[..., Any]) -> str:
    """How explain() names a Python function: ``operator.pow``, ``math.floor``, ``float``."""
    module = getattr(func, "__module__", None) or ""
    module = {"_operator": "operator.", "math": "math."}.get(module, "")
    return module + func.__qualname__


def results(step: Step) -> list[int]:
    """The tids a step made (none for an in-place call)."""
    if step.result is None:
        return []
    return [step.result] if isinstance(step.result, int) else list(step.result)


def _c_ordered(step: Step) -> bool:
    """Whether the step makes a C-contiguous array whatever its arguments' layout
    (``x.copy()``; not ``np.matmul``, whose batch axes follow its arguments')."""
    return step.label == ".copy" and len(step.args) == 1 and not step.kwargs


_WRITES = ("__setitem__", "fill", "sort", "put", "setflags")
# numpy's stride tricks that take strides in bytes, run without __array_function__
_STRIDE_TRICKS = ("as_strided",)
_LAYOUT = {np.may_share_memory, np.shares_memory}  # what they return depends on memory alone
# numpy's array makers: what they make from Python values alone is recorded as a constant
_MAKERS = ("array", "asarray", "asanyarray", "arange", "zeros", "ones", "full", "empty",
           "eye", "identity", "linspace", "tri")


def _same_view(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether ``a`` is ``b`` or a view of exactly its elements, laid out alike."""
    return a is b or ((a.dtype, a.shape, a.strides) == (b.dtype, b.shape, b.strides) and
                      a.__array_interface__["data"][0] == b.__array_interface__["data"][0])


def _holds_array(obj: Any) -> bool:
    """Whether an array is among a call's arguments (what is made from it is no constant),
    or a symbolic float (a step count: a new value at each call)."""
    if isinstance(obj, (np.ndarray, TracedFloat)):
        return True
    if isinstance(obj, (list, tuple)):
        return any(_holds_array(o) for o in obj)
    if isinstance(obj, dict):
        return any(_holds_array(o) for o in obj.values())
    return not isinstance(obj, type) and (hasattr(obj, "__array__")  # (a Tensor...)
                                          or hasattr(obj, "__array_interface__"))
def _viewed(template: Any, plain: Any, result: Any) -> int | None:
    """The recorded argument whose memory a call's result views (``np.squeeze(x)``,
    ``np.broadcast_to(x, ...)``), or None for new memory: a write through the view is a
    write to that argument's buffer."""
    if not isinstance(result, np.ndarray) or result.base is None:
        return None
    if isinstance(template, Ref):
        return template.tid if np.may_share_memory(result, plain) else None
    if isinstance(template, (tuple, list)):
        pairs: Any = zip(template, plain)
    elif isinstance(template, dict):
        pairs = ((template[k], plain[k]) for k in template)
    else:
        return None
    for t, p in pairs:
        found = _viewed(t, p, result)
        if found is not None:
            return found
    return None


def _holds_traced(obj: Any) -> bool:
    """Whether a traced array or a symbolic float is among a call's arguments."""
    if isinstance(obj, (TracedArray, TracedFloat)):
        return True
    if isinstance(obj, (list, tuple)):
        return any(_holds_traced(o) for o in obj)
    if isinstance(obj, dict):
        return any(_holds_traced(o) for o in obj.values())
    return False


_WRITE_FIRST = {np.copyto, np.putmask, np.place, np.put}  # functions writing their first argument
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

    def symbolic_float(self, this: TracedArray) -> float:
        """A plain float."""
        return float(_plain(this))


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
