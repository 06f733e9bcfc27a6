"""What a compiled step captures, and the guards on what its recording assumed.

``capture(fn, args, kwargs)`` finds every tensor the step can reach: tensor arguments
(bound afresh each call), then what ``fn`` captured -- its closure cells, the globals
it names, a bound method's object -- looking through modules (parameters, buffers),
optimizers (parameters, state), lists, dicts and the functions they call. Python numbers
found there, modules' ``training`` flags and optimizers' hyperparameters are kept too.

``guards(...)`` turns that into named facts; a recording is replayed only while all of
them still hold:

- grad mode, and the other global modes an op reads: the default dtype, autocast,
  anomaly detection;
- each tensor's identity, shape, dtype, ``requires_grad`` and whether it has a ``.grad``;
- the hooks on each tensor and module (a hook registered or removed between calls);
- each module's ``training`` flag;
- each optimizer's hyperparameters (``lr``... a scheduler changes them) and the Python
  numbers in its state;
- the Python numbers among the arguments and captured variables.

Example:
    >>> cap = capture(step, (), {})
    >>> dict(guards(cap))["grad mode"]
    True
"""

from __future__ import annotations

import collections
import operator
import pickle
import random
import types
from dataclasses import dataclass, field
from functools import partial as functools_partial
from typing import Any

import numpy as np

from ..amp.autocast_mode import _state as _autocast
from ..autograd.anomaly import is_anomaly_enabled
from ..core.grad_mode import is_grad_enabled
from ..core.hooks import tensor_hooks
from ..dtypes import get_default_dtype
from ..nn.modules.module import Module
from ..optim.optimizer import Optimizer
from ..tensor import Tensor

__all__ = ["Captured", "capture", "captured", "stamp", "unchanged", "guards", "Snapshot",
           "RandomStreams"]

_SCALARS = (int, float, bool, complex, str, type(None))
_SEQUENCES = (list, tuple, collections.deque)
_DEPTH = 4  # how deep capture follows functions and containers
_MAX_ITEMS = 256  # longer containers are data, not state
# numpy arrays up to this size are guarded by their values (a 0-d step counter changed in
# place, a schedule of betas); a larger one (a dataset) by its identity only
_MAX_ARRAY_BYTES = 1 << 16


@dataclass(frozen=True)
class _ModuleNames:
    """The data attributes of an imported module that a function names (``config.beta``)."""

    module: types.ModuleType
    names: tuple[str, ...]


def _data(value: Any) -> bool:
    """Whether a module attribute is data a step may read (not a function, class, module)."""
    return isinstance(value, (*_SCALARS, np.generic, np.ndarray, Tensor, dict, *_SEQUENCES))


@dataclass
class Captured:
    """The tensors (with names), modules, optimizers and Python numbers a step can reach."""

    tensors: list[Tensor] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    modules: list[Module] = field(default_factory=list)
    optimizers: list[Optimizer] = field(default_factory=list)
    scalars: list[tuple[str, Any]] = field(default_factory=list)
    arrays: list[tuple[str, np.ndarray]] = field(default_factory=list)  # numpy, small
    nodes: list[Any] = field(default_factory=list)  # what was looked into, in order
    from_args: int = 0  # how many of ``tensors`` are arguments (bound afresh each call)
    part: Captured | None = None  # what the function captured (``captured(fn)``)
    stamped: list[Any] = field(default_factory=list)  # its stamp when captured
    labels: list[str] = field(default_factory=list)  # the guards' names of the modules
    _seen: set[int] = field(default_factory=set)

    def add(self, name: str, obj: Any, depth: int) -> None:
        """Follow ``obj`` (found as ``name``) to the tensors and settings behind it."""
        if isinstance(obj, _SCALARS) or isinstance(obj, np.generic):  # (np.float32(0.1))
            self.scalars.append((name, obj))
            return
        if id(obj) in self._seen or depth > _DEPTH or isinstance(obj, (type, types.ModuleType)):
            return
        self._seen.add(id(obj))
        if not isinstance(obj, Tensor):
            self.nodes.append(obj)
        if isinstance(obj, Tensor):
            self.tensors.append(obj)
            self.names.append(name)
        elif isinstance(obj, np.ndarray):  # changed in place between calls: its values
            if obj.nbytes <= _MAX_ARRAY_BYTES:
                self.arrays.append((name, obj))
        elif isinstance(obj, Module):
            new = [m for m in obj.modules() if m is obj or id(m) not in self._seen]
            self._seen.update(map(id, new))
            self.modules.extend(new)
            self.nodes.extend(new[1:])  # (obj is one already)
            for key, param in obj.named_parameters():
                self.add(f"{name}.{key}", param, depth)
            for key, buffer in obj.named_buffers():
                self.add(f"{name}.{key}", buffer, depth)
            seen = set(map(id, new))
            for path, m in obj.named_modules():  # their plain attributes: self.scale = 2.0
                if id(m) in seen:
                    where = f"{name}.{path}" if path else name
                    for key, value in _attributes(m).items():
                        self.add(f"{where}.{key}", value, depth + 1)
        elif isinstance(obj, Optimizer):
            self.optimizers.append(obj)
            for g, group in enumerate(obj.param_groups):
                for i, p in enumerate(group["params"]):
                    self.add(f"{name}.param_groups[{g}]['params'][{i}]", p, depth)
            for i, state in enumerate(obj.state.values()):
                for key, value in state.items():
                    if isinstance(value, Tensor):
                        self.add(f"{name}.state[{i}][{key!r}]", value, depth)
        elif isinstance(obj, _SEQUENCES) and len(obj) <= _MAX_ITEMS:
            for i, item in enumerate(obj):
                self.add(f"{name}[{i}]", item, depth + 1)
        elif isinstance(obj, dict) and len(obj) <= _MAX_ITEMS:
            for key, item in obj.items():
                self.add(f"{name}[{key!r}]", item, depth + 1)
        elif isinstance(obj, types.MethodType):
            self.add(name, obj.__self__, depth + 1)
            self.add(name, obj.__func__, depth + 1)
        elif isinstance(obj, types.FunctionType):
            self._function(obj, depth)
        elif _plain_object(obj):  # a config object: cfg.scale steers the step too
            for key, value in _fields(obj).items():
                self.add(f"{name}.{key}", value, depth + 1)

    def _function(self, fn: types.FunctionType, depth: int) -> None:
        code, cells = fn.__code__, fn.__closure__ or ()
        for var, cell in zip(code.co_freevars, cells):
            try:
                self.add(var, cell.cell_contents, depth + 1)
            except ValueError:  # an empty cell (a variable not assigned yet)
                pass
        self.add(f"{fn.__name__}.__defaults__", fn.__defaults__, depth + 1)
        self.add(f"{fn.__name__}.__kwdefaults__", fn.__kwdefaults__, depth + 1)
        names = _global_names(code)
        for var in names:
            if var in fn.__globals__:
                value = fn.__globals__[var]
                if isinstance(value, types.ModuleType):  # config.beta: what fn names in it
                    self._module(var, value, names, depth + 1)
                else:
                    self.add(var, value, depth + 1)

    def _module(self, var: str, module: types.ModuleType, names: list[str],
                depth: int) -> None:
        """The values a function can read from an imported module (``config.beta``): its
        attributes named in the function's code that hold data, not code."""
        own = module.__dict__
        found = _ModuleNames(module, tuple(n for n in dict.fromkeys(names)
                                          if n in own and _data(own[n])))
        if found.names:
            self.nodes.append(found)
            for n in found.names:
                self.add(f"{var}.{n}", module.__dict__[n], depth)


# a Module's own bookkeeping in its __dict__ (parameters, buffers, submodules and hooks are
# guarded on their own); anything else there is a plain attribute, guarded as it is
_MODULE_INTERNALS = frozenset({
    "training", "_parameters", "_buffers", "_non_persistent_buffers_set", "_modules",
    "_forward_hooks", "_forward_hooks_with_kwargs", "_forward_hooks_always_called",
    "_forward_pre_hooks", "_forward_pre_hooks_with_kwargs", "_backward_hooks",
    "_backward_pre_hooks", "_state_dict_hooks", "_state_dict_pre_hooks",
    "_load_state_dict_pre_hooks", "_load_state_dict_post_hooks", "_is_full_backward_hook",
    "_compiled_call_impl"})


def _attributes(m: Module) -> dict[str, Any]:
    """A module's plain attributes (``in_features``, ``reduction``, ``self.scale``)."""
    return {k: v for k, v in vars(m).items() if k not in _MODULE_INTERNALS}


def _plain_object(obj: Any) -> bool:
    """An instance of a Python class with a ``__dict__`` or ``__slots__`` (a config, a
    helper object)."""
    return ((hasattr(obj, "__dict__") or bool(_slots(type(obj)))) and not isinstance(
            obj, (types.FunctionType, types.BuiltinFunctionType, types.MethodType,
                  functools_partial))
            and type(obj).__module__ not in ("builtins", "numpy", "collections"))


def _slots(kind: type) -> tuple[str, ...]:
    """The ``__slots__`` names of a class and its bases."""
    return tuple(n for k in kind.__mro__ for n in getattr(k, "__slots__", ())
                 if isinstance(n, str) and n not in ("__dict__", "__weakref__"))


def _fields(obj: Any) -> dict[str, Any]:
    """An object's attributes: its ``__dict__``, then the ``__slots__`` that are set
    (read only: the ``__dict__`` itself when there are none)."""
    slots = _slots(type(obj))
    if not slots:
        return vars(obj)
    fields = dict(vars(obj)) if hasattr(obj, "__dict__") else {}
    for n in slots:
        value = getattr(obj, n, _EMPTY)
        if value is not _EMPTY:
            fields[n] = value
    return fields


def _global_names(code: types.CodeType) -> list[str]:
    names = list(code.co_names)
    for const in code.co_consts:  # functions defined inside fn
        if isinstance(const, types.CodeType):
            names += _global_names(const)
    return names


def capture(fn: Any, args: tuple[Any, ...], kwargs: dict[str, Any],
            known: Captured | None = None) -> Captured:
    """Everything ``fn(*args, **kwargs)`` can reach (tensor arguments first).

    What ``fn`` itself captured is walked again only if ``known`` (a previous
    ``captured(fn)``) no longer has the same stamp.
    """
    part = known if known is not None and unchanged(known) else captured(fn)
    if not args and not kwargs:  # (a training step: no arguments)
        return part
    cap = Captured()
    for i, a in enumerate(args):
        cap.add(f"args[{i}]", a, 0)
    for key, a in kwargs.items():
        cap.add(f"kwargs[{key!r}]", a, 0)
    cap.from_args = len(cap.tensors)
    seen = {id(t) for t in cap.tensors}
    for name, t in zip(part.names, part.tensors):
        if id(t) not in seen:
            cap.names.append(name)
            cap.tensors.append(t)
    cap.modules += part.modules
    cap.optimizers += part.optimizers
    cap.scalars += part.scalars
    cap.part = part
    return cap


def captured(fn: Any) -> Captured:
    """What ``fn`` captured (closure, globals, a bound method's object), with its stamp."""
    cap = Captured()
    cap.add(getattr(fn, "__name__", "fn"), fn, 0)
    cap.stamped = stamp(cap)
    cap.part = cap
    return cap


def stamp(cap: Captured) -> list[Any]:
    """What ``capture`` looked at: every object it followed an edge to, in order.

    If each of them is the very object it was (``unchanged``), ``capture`` would find the
    same tensors, modules, optimizers and Python numbers again -- a cheap check on every
    call instead of the walk. The first stamp keeps its objects alive, so an identity is
    never reused; a number rebound to an equal but new object only costs a new walk.
    """
    edges: list[Any] = []
    for node in cap.nodes:
        if isinstance(node, types.FunctionType):
            cells = node.__closure__ or ()
            try:
                edges += [c.cell_contents for c in cells]
            except ValueError:  # an empty cell (a variable not assigned yet)
                edges += [c.cell_contents if _full(c) else _EMPTY for c in cells]
            names = _GLOBALS.get(node.__code__)
            if names is None:
                names = _GLOBALS[node.__code__] = _global_names(node.__code__)
            found = node.__globals__
            edges += [found.get(n, _EMPTY) for n in names]
            edges += (node.__defaults__, node.__kwdefaults__)
        elif isinstance(node, _ModuleNames):
            found = node.module.__dict__
            edges += [found.get(n, _EMPTY) for n in node.names]
        elif isinstance(node, Module):
            edges += node._parameters.values()
            edges += node._buffers.values()
            edges += node._modules.values()
            edges.append(_EMPTY)  # (a separator: which dict an object came from)
            edges += [x for item in _attributes(node).items() for x in item]
            edges.append(_EMPTY)
        elif isinstance(node, Optimizer):
            edges += [p for group in node.param_groups for p in group["params"]]
            edges += [v for state in node.state.values() for v in state.values()]
            edges.append(_EMPTY)
        elif isinstance(node, _SEQUENCES):
            edges += node
            edges.append(_EMPTY)
        elif isinstance(node, dict):
            edges += [x for item in node.items() for x in item]
            edges.append(_EMPTY)
        elif isinstance(node, types.MethodType):
            edges += (node.__self__, node.__func__)
        elif _plain_object(node):
            edges += [x for item in _fields(node).items() for x in item]
            edges.append(_EMPTY)
    return edges


def unchanged(cap: Captured) -> bool:
    """Whether ``stamp(cap)`` is, object for object, the stamp taken when it was captured."""
    now = stamp(cap)
    return len(now) == len(cap.stamped) and all(map(operator.is_, now, cap.stamped))


_EMPTY = object()  # an empty closure cell, a global not defined (yet), a separator
_GLOBALS: dict[types.CodeType, list[str]] = {}


def _full(cell: Any) -> bool:
    try:
        return cell.cell_contents is not _EMPTY
    except ValueError:  # an empty cell (a variable not assigned yet)
        return False


def guards(cap: Captured) -> tuple[tuple[str, Any], ...]:
    """The named facts a recording assumed, in a fixed order (compared with ``==``)."""
    facts: list[tuple[str, Any]] = [("grad mode", is_grad_enabled()),
                                    ("modes", _modes())]
    n = cap.from_args  # arguments come first: any tensor will do, bound afresh
    facts += [(name, (None if i < n else id(t), t._data.shape, t._data.dtype,
                      t._requires_grad, t._grad is None))
              for i, (name, t) in enumerate(zip(cap.names, cap.tensors))]
    if len(cap.labels) != len(cap.modules):
        cap.labels = [f"{type(m).__name__}.training" for m in cap.modules]
    facts += [(label, m.training) for label, m in zip(cap.labels, cap.modules)]
    for o, opt in enumerate(cap.optimizers):
        for g, group in enumerate(opt.param_groups):
            names, values = _settings(tuple(group))
            facts.append((f"optimizer {o} param_groups[{g}]", tuple(zip(names, values(group)))))
        numbers = _state_numbers(opt)
        if numbers:
            facts.append((f"optimizer {o} state numbers", numbers))
    facts += [(name, (type(v).__name__, v)) for name, v in cap.scalars]
    facts += [(name, ("ndarray", a.dtype.str, a.shape, a.tobytes())) for name, a in cap.arrays]
    facts.append(("hooks", _hooks(cap)))
    return tuple(facts)


def _modes() -> tuple[Any, ...]:
    """The global modes ops read besides grad mode: (default dtype, autocast on the CPU
    and its dtype, anomaly detection)."""
    return (get_default_dtype(), _autocast.enabled.get("cpu", False),
            _autocast.dtype.get("cpu"), is_anomaly_enabled())


def _hook_ids(obj: Any) -> tuple[Any, ...] | None:
    """The ids of the hooks on a tensor (on its node if it has one) or a module; None if
    it has none. An id is new at each registration, so any change shows."""
    if isinstance(obj, Module):
        own = obj.__dict__
        ids = tuple(tuple(own.get(kind) or ()) for kind in _MODULE_HOOKS)
    else:
        entry = getattr(obj._grad_fn if obj._grad_fn is not None else obj, "_hooks", None)
        ids = () if entry is None else (tuple(entry.hooks), tuple(entry.pre),
                                        tuple(entry.post))
    return ids if any(ids) else None


_MODULE_HOOKS = ("_forward_pre_hooks", "_forward_hooks", "_backward_pre_hooks",
                 "_backward_hooks")


def _module_hooked(m: Module) -> bool:
    own = m.__dict__
    return bool(own.get("_forward_pre_hooks") or own.get("_forward_hooks")
                or own.get("_backward_pre_hooks") or own.get("_backward_hooks"))


def _hooks(cap: Captured) -> tuple[Any, ...]:
    """(name, hook ids) of every captured tensor and module that has hooks."""
    found = [(name, _hook_ids(t)) for name, t in zip(cap.names, cap.tensors)]
    found += [(type(m).__name__, _hook_ids(m)) for m in cap.modules]
    return tuple((name, ids) for name, ids in found if ids is not None)


_SETTINGS: dict[tuple[str, ...], tuple[tuple[str, ...], Any]] = {}


def _settings(keys: tuple[str, ...]) -> tuple[tuple[str, ...], Any]:
    """A param group's setting names (all but "params") and a function giving their values
    (``operator.itemgetter``: in C, as guards run on every call)."""
    known = _SETTINGS.get(keys)
    if known is None:
        names = tuple(k for k in keys if k != "params")
        getter = operator.itemgetter(*names) if len(names) > 1 else (
            lambda group: tuple(group[k] for k in names))
        known = _SETTINGS[keys] = (names, getter)
    return known


def describe(fact: tuple[str, Any]) -> str:
    """One guard as ``explain()`` prints it."""
    name, value = fact
    if isinstance(value, tuple) and len(value) == 5 and isinstance(value[1], tuple):
        _, shape, dtype, rg, no_grad = value
        return (f"{name}: same tensor, shape {shape}, dtype {np.dtype(dtype).name}, "
                f"requires_grad={rg}, .grad {'None' if no_grad else 'set'}")
    if isinstance(value, tuple) and len(value) == 4 and value[0] == "ndarray":
        return (f"{name}: numpy array, shape {value[2]}, dtype {np.dtype(value[1]).name}, "
                "the same values")
    return f"{name} == {value!r}"


class Snapshot:
    """Copies of the captured tensors' arrays and ``.grad`` (and optimizer state),
    to run one call twice from the same state: the check after recording."""

    def __init__(self, cap: Captured) -> None:
        self.cap = cap
        self.saved = [(t._data, t._data.copy(), t._grad,
                       None if t._grad is None else t._grad._data.copy()) for t in cap.tensors]
        self.states = [{p: dict(s) for p, s in opt.state.items()} for opt in cap.optimizers]

    def restore(self) -> None:
        """Put every array, ``.grad`` and optimizer state back as it was."""
        for t, (data, copy, grad, grad_copy) in zip(self.cap.tensors, self.saved):
            np.copyto(data, copy)
            t._data = data
            t._grad = grad
            if grad is not None and grad_copy is not None:
                np.copyto(grad._data, grad_copy)
        for opt, states in zip(self.cap.optimizers, self.states):
            opt.state.clear()
            opt.state.update({p: dict(s) for p, s in states.items()})

    def state(self) -> list[tuple[Any, Any]]:
        """The arrays now in the captured tensors, copied (to compare two runs)."""
        return [(t._data.copy(), None if t._grad is None else t._grad._data.copy())
                for t in self.cap.tensors]


class RandomStreams:
    """The state of every random stream a step can draw from: tinygrad_edu's, Python's
    ``random``, numpy's global one, and the generators it captured (``np.random.default_rng``,
    ``RandomState``, ``random.Random``). A replay draws nothing, so a recording that drew
    from any of them would repeat stale numbers (a random flip, a branch on
    ``random.random()``): ``changed()`` names the first stream that moved."""

    def __init__(self, cap: Captured) -> None:
        self.generators = [n for n in cap.nodes if isinstance(
            n, (np.random.Generator, np.random.RandomState, random.Random))]
        self.before = self._states()

    def _states(self) -> list[tuple[str, bytes]]:
        from .. import random as _random

        states = [("tinygrad_edu's random stream", _random.get_rng_state()._data.tobytes()),
                  ("Python's random module", pickle.dumps(random.getstate())),
                  ("numpy's global random stream", pickle.dumps(np.random.get_state()))]
        for g in self.generators:
            state = g.bit_generator.state if isinstance(g, np.random.Generator) else (
                g.get_state() if isinstance(g, np.random.RandomState) else g.getstate())
            states.append((f"a captured {type(g).__name__}", pickle.dumps(state)))
        return states

    def changed(self) -> str | None:
        """The stream that moved since this was made, or None."""
        return next((name for (name, a), (_, b) in zip(self.before, self._states()) if a != b),
                    None)


def same_bits(a: Any, b: Any) -> bool:
    """Whether two arrays (or None) are equal bit for bit, with shape and dtype."""
    if a is None or b is None:
        return a is b
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


# ---------------------------------------------------------------------------- fast check
def fast_check(cap: Captured, facts: tuple[tuple[str, Any], ...]) -> Any:
    """The guards of one recording as generated code: ``check(args, kwargs)`` returns the
    tensors to replay on when ``capture`` would find these very objects and ``guards``
    these facts, else None (then the full walk decides). What a compiler's guards are:
    straight-line checks instead of a walk, run before every replay.

    Returns None (no fast check) when the arguments are not all tensors and numbers.
    """
    part = cap.part
    if part is None or not part.stamped:
        return None
    n = cap.from_args
    names: dict[str, Any] = {"_same": _same, "_E": _EMPTY, "grad_on": is_grad_enabled,
                             "Tensor": Tensor, "modes": _modes, "hook_ids": _hook_ids,
                             "module_hooked": _module_hooked,
                             "tensor_hooks": tensor_hooks}
    lines = ["def check(args, kwargs):", "    try:"]

    def const(value: Any) -> str:
        name = f"k{len(names)}"
        names[name] = value
        return name

    body: list[str] = []
    if cap is part:
        body.append("if args or kwargs: return None")
    else:
        kinds = [a for name, a in zip(cap.names, cap.tensors) if name.startswith("args[")]
        scalars = [(name, v) for name, v in cap.scalars if name.startswith("args[")]
        if len(kinds) != n or any(name.startswith("kwargs[") for name in cap.names) or any(
                not name[5:-1].isdigit() for name, _ in scalars):
            return None
        count = n + len(scalars)
        body.append(f"if kwargs or len(args) != {count}: return None")
        for i in range(n):
            if cap.names[i] != f"args[{i}]":
                return None
            body.append(f"if type(args[{i}]) is not Tensor: return None")
        for name, v in scalars:
            i = int(name[5:-1])
            body.append(f"a = args[{i}]")
            body.append(f"if type(a) is not {const(type(v))} or a != {const(v)}: return None")
        if n > 1:  # the same tensor passed twice is one tensor to capture
            body.append(f"if len({{id(a) for a in args[:{n}]}}) != {n}: return None")
        captured_ids = const(frozenset(map(id, part.tensors)))
        for i in range(n):  # an argument that is also a captured tensor: the full walk
            body.append(f"if id(args[{i}]) in {captured_ids}: return None")
    edges = iter(part.stamped)
    walked: set[int] = set()  # the modules whose flag and hooks the walk checked
    for node in part.nodes:
        k = const(node)
        if isinstance(node, types.FunctionType):
            cells = node.__closure__ or ()
            names_ = _GLOBALS.get(node.__code__) or _global_names(node.__code__)
            cell_edges = [next(edges) for _ in cells]
            glob_edges = [next(edges) for _ in names_]
            if cells:
                body.append(f"c = {k}.__closure__")
                body += [f"if c[{j}].cell_contents is not {const(e)}: return None"
                         for j, e in enumerate(cell_edges)]
            if names_:
                body.append(f"g = {k}.__globals__")
                body += [f"if g.get({var!r}, _E) is not {const(e)}: return None"
                         for var, e in zip(names_, glob_edges)]
            defaults, kwdefaults = next(edges), next(edges)
            body.append(f"if {k}.__defaults__ is not {const(defaults)} or "
                        f"{k}.__kwdefaults__ is not {const(kwdefaults)}: return None")
        elif isinstance(node, _ModuleNames):
            body.append(f"g = {k}.module.__dict__")
            body += [f"if g.get({var!r}, _E) is not {const(next(edges))}: return None"
                     for var in node.names]
        elif isinstance(node, Module):
            for attr in ("_parameters", "_buffers", "_modules"):
                items = getattr(node, attr)
                for _ in items:
                    next(edges)
                body += _dict_checks(f"{k}.{attr}", items, const)
            next(edges)
            attributes = _attributes(node)
            for _ in range(2 * len(attributes) + 1):
                next(edges)
            body.append(f"d = {k}.__dict__")
            body.append(f"if len(d) != {len(vars(node))}: return None")
            body += [f"if d[{key!r}] is not {const(v)}: return None"
                     for key, v in attributes.items()]
            # (its training flag and its hooks, read here where the dict is at hand)
            flag = node.training
            body.append(f"if d['training'] is not {flag!r}: return None" if type(flag) is bool
                        else f"if d['training'] != {const(flag)}: return None")
            hooks = [f"d[{kind!r}]" for kind in _MODULE_HOOKS if kind in vars(node)]
            if hooks:  # (a hook dict made later changes len(d))
                body.append(f"if {' or '.join(hooks)}: return None")
            walked.add(id(node))
        elif isinstance(node, Optimizer):
            groups, state = node.param_groups, node.state
            for _ in [p for g in groups for p in g["params"]] + [
                    v for st in state.values() for v in st.values()]:
                next(edges)
            next(edges)
            body.append(f"gs = {k}.param_groups")
            body.append(f"if len(gs) != {len(groups)}: return None")
            for g, group in enumerate(groups):
                body.append(f"ps = gs[{g}]['params']")
                body.append(f"if len(ps) != {len(group['params'])}: return None")
                body += [f"if ps[{i}] is not {const(p)}: return None"
                         for i, p in enumerate(group["params"])]
            body.append(f"st = {k}.state")
            body.append(f"if len(st) != {len(state)}: return None")
            for p, entry in state.items():
                body += _dict_checks(f"st[{const(p)}]", entry, const)
        elif isinstance(node, (*_SEQUENCES, dict)):
            got = [x for item in node.items() for x in item] if isinstance(node, dict) \
                else list(node)
            for _ in got:
                next(edges)
            next(edges)
            view = f"[x for item in {k}.items() for x in item]" if isinstance(node, dict) \
                else k
            body.append(f"if not _same({view}, {const(got)}): return None")
        elif isinstance(node, types.MethodType):
            next(edges), next(edges)  # (a bound method is immutable)
        elif _plain_object(node):
            fields = _fields(node)
            for _ in range(2 * len(fields) + 1):
                next(edges)
            if not _slots(type(node)):
                body += _dict_checks(f"{k}.__dict__", fields, const)
            else:
                body += [f"if getattr({k}, {key!r}, _E) is not {const(v)}: return None"
                         for key, v in fields.items()]
                if hasattr(node, "__dict__"):
                    body.append(f"if len({k}.__dict__) != {len(vars(node))}: return None")
        elif isinstance(node, np.ndarray):  # (small: its values, below)
            pass
        else:
            return None
    known = dict(facts)
    for name, a in cap.arrays:  # (in place between calls: the values themselves)
        _, dtype, shape, values = known[name]
        body.append(f"a = {const(a)}")
        body.append(f"if a.shape != {shape!r} or a.tobytes() != {const(values)}: return None")
    body.append(f"if grad_on() is not {known['grad mode']}: return None")
    body.append(f"if modes() != {const(known['modes'])}: return None")
    if known["hooks"]:  # (hooks: the full walk checks them at every call)
        return None
    captured = const(tuple(cap.tensors[n:]))
    body.append(f"if tensor_hooks and (any(map(hook_ids, {captured})) or "
                f"any(map(hook_ids, args[:{n}]))): return None")
    others = tuple(m for m in cap.modules if id(m) not in walked)
    if others:
        body.append(f"if any(map(module_hooked, {const(others)})): return None")
    for i, (name, t) in enumerate(zip(cap.names, cap.tensors)):
        _, shape, dtype, rg, no_grad = known[name]
        ref = f"args[{i}]" if i < n else const(t)
        body.append(f"t = {ref}; d = t._data")
        layout = f"d.shape != {shape!r} or d.dtype is not {const(dtype)}"
        if i >= n:  # (a captured tensor keeps its array, updated in place: no need to look)
            layout = f"d is not {const(t._data)} and ({layout})"
        body.append(f"if {layout} or t._requires_grad is not {rg} or "
                    f"(t._grad is None) is not {no_grad}: return None")
    for label, m in zip(cap.labels, cap.modules):
        if id(m) not in walked:
            body.append(f"if {const(m)}.training != {known[label]!r}: return None")
    for o, opt in enumerate(cap.optimizers):
        body.append(f"if len({const(opt)}.param_groups) != {len(opt.param_groups)}: return None")
        for g in range(len(opt.param_groups)):
            settings = known[f"optimizer {o} param_groups[{g}]"]
            body.append(f"g = {const(opt)}.param_groups[{g}]")
            body.append(f"if len(g) != {len(settings) + 1}: return None")
            body += [f"if g[{key!r}] != {_literal(value, const)}: return None"
                     for key, value in settings]
        # (the Python numbers in the state: checked above, by identity)
    tensors = const(list(part.tensors))
    body.append(f"return {tensors}" if cap is part else
                f"return [*args[:{n}], *{const([t for t in cap.tensors[n:]])}]")
    lines += ["        " + line for line in body]
    lines += ["    except Exception:  # (a cell emptied, a key removed: the full walk decides)",
              "        return None"]
    source = "\n".join(lines) + "\n"
    exec(compile(source, "<tg.compile guards>", "exec"), names)
    check = names["check"]
    check.source = source
    return check


def _same(a: Any, b: list[Any]) -> bool:
    return len(a) == len(b) and all(map(operator.is_, a, b))


def _dict_checks(where: str, items: dict[Any, Any], const: Any) -> list[str]:
    """Lines checking that the dict ``where`` holds these very objects."""
    if not items:
        return [f"if {where}: return None"]
    lines = [f"d = {where}", f"if len(d) != {len(items)}: return None"]
    return lines + [f"if d[{key!r}] is not {const(v)}: return None" if isinstance(key, str)
                    else f"if d[{const(key)}] is not {const(v)}: return None"
                    for key, v in items.items()]


def _literal(value: Any, const: Any) -> str:
    """``value`` as source: a literal for plain numbers (faster to compare), else a name."""
    if value is None or type(value) in (bool, int, str) or (
            type(value) is float and value == value and abs(value) != float("inf")):
        return repr(value)
    return const(value)


def _state_numbers(opt: Optimizer) -> Any:
    numbers = tuple((k, v) for s in opt.state.values() for k, v in s.items()
                    if not isinstance(v, Tensor))
    return numbers or None
