"""``tg.compile(module)``: a module whose forward is recorded once and replayed, with a
backward that replays too -- the training loop itself stays eager, as with
``model = torch.compile(model)``.

``OptimizedModule`` (PyTorch's name) wraps the original module (``model._orig_mod``):
its parameters, buffers and ``state_dict`` are the original's (keys prefixed with
``_orig_mod.``, as PyTorch's), ``train()``/``eval()`` reach it, and calling it runs the
forward through a :class:`CompiledForward`.

With grad mode on and a result that requires grad, a forward goes through the stages of
``compiled.py`` -- warm-up, record, check, replay -- with a backward beside it:

- **record**: the forward runs eagerly with the captured arrays traced; its result is
  given a graph node named ``CompiledFunctionBackward``. When ``backward()`` reaches that
  node, the eager backward of the traced forward runs, traced as well, from the gradient
  that arrived (the walk of ``tg.autograd.grad``, to every captured tensor that requires
  grad). The recording is then cut in two: the *forward program* (which also returns
  every forward value the backward reads: its saved values) and the *backward program*
  (seed gradient and saved values in, one gradient per input out);
- **check**: the forward program runs, then the eager forward from the same state; the
  result and every captured array must agree bit for bit. At backward, the backward
  program and the eager backward both run, and their gradients must agree too;
- **replay**: the forward program alone; the node's backward is the backward program.
  The engine then accumulates the gradients into ``.grad``, as for any node.

Under ``tg.no_grad()`` (or with nothing that requires grad) the forward is compiled as
any function is (``compiled.py``): its program alone replays.

Example:
    >>> model = tg.compile(tg.nn.Linear(3, 1))
    >>> loss = model(tg.ones(2, 3)).sum()
    >>> loss.backward()                 # model.weight.grad, model.bias.grad, as eagerly
"""

from __future__ import annotations

import dataclasses
from typing import Any, cast

import numpy as np

from ..autograd.differentiate import InputsWalk
from ..core import engine
from ..core import function as fn
from ..core.function import Function, Node, _state
from ..core.grad_mode import is_grad_enabled
from ..core.hooks import RemovableHandle
from ..nn.modules.module import Module
from ..parity.errors import FREED
from ..tensor import Tensor
from .compiled import _STALE_LIMIT, CompiledFunction, _plain_result, _tid
from .guards import Captured, Snapshot, capture, same_bits
from .optimize import Unreplayable
from .program import Binding, Program, StaleRead
from .recorder import Recorder, Ref, tids

__all__ = ["OptimizedModule", "CompiledForward"]

_DOUBLE_BACKWARD = "torch.compile with aot_autograd does not currently support double backward"


class OptimizedModule(Module):
    """What ``tg.compile(module)`` returns (PyTorch's ``OptimizedModule``): the original
    module, ``_orig_mod``, with its forward compiled.

    Attributes not its own are read from and written to the original (``model.weight``);
    ``training`` is the original's; ``parameters()`` and ``state_dict()`` list the
    original's, under ``_orig_mod.``, as PyTorch's do.

    >>> model = tg.compile(tg.nn.Linear(2, 1))
    >>> list(model.state_dict())
    ['_orig_mod.weight', '_orig_mod.bias']
    """

    _opt_mod_attributes = {"_orig_mod", "forward", "__dict__", "_super_module_initialized"}

    def __init__(self, mod: Module, recompile_limit: int = 8) -> None:
        object.__setattr__(self, "_orig_mod", mod)  # (read by training, before __init__)
        object.__setattr__(self, "_super_module_initialized", False)
        super().__init__()
        object.__setattr__(self, "_super_module_initialized", True)
        self._orig_mod = mod  # (registered: its parameters are this module's, prefixed)
        # (an attribute of its own, as PyTorch's: Module.__call__ calls it)
        object.__setattr__(self, "forward", CompiledForward(_caller(mod), recompile_limit))

    @property  # type: ignore[override]
    def training(self) -> bool:
        """The original module's training flag."""
        return bool(self._orig_mod.training)

    @training.setter
    def training(self, value: bool) -> None:
        if self._super_module_initialized:
            self._orig_mod.training = value

    def __getattr__(self, name: str) -> Any:
        if name == "_orig_mod":
            return self._modules["_orig_mod"]
        return getattr(self._orig_mod, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if hasattr(type(self), name) or name in OptimizedModule._opt_mod_attributes:
            super().__setattr__(name, value)
        else:
            setattr(self._orig_mod, name, value)

    def __delattr__(self, name: str) -> None:
        if hasattr(type(self), name) or name in OptimizedModule._opt_mod_attributes:
            super().__delattr__(name)
        else:
            delattr(self._orig_mod, name)

    def __len__(self) -> int:
        if hasattr(type(self._orig_mod), "__len__"):
            return len(self._orig_mod)  # type: ignore[arg-type]
        raise TypeError(f"{type(self._orig_mod).__name__} does not support len()")


def _caller(mod: Module) -> Any:
    """``mod(*args)`` as a function whose closure holds ``mod``: what ``capture`` walks.
    (Its uncompiled call: ``mod.compile()`` makes ``mod(*args)`` the compiled one.)"""

    def forward(*args: Any, **kwargs: Any) -> Any:
        return mod._call_impl(*args, **kwargs)

    forward.__name__ = forward.__qualname__ = f"{type(mod).__name__}.forward"
    return forward


class CompiledForward(CompiledFunction):
    """A compiled forward: as :class:`CompiledFunction`, and, when its result requires
    grad, a forward program and a backward program behind one ``CompiledFunctionBackward``
    node (see the module docstring)."""

    def _record(self, cap: Captured, facts: tuple[Any, ...], args: Any, kwargs: Any) -> Any:
        needs = _needing(cap)
        if not (is_grad_enabled() and needs):
            return super()._record(cap, facts, args, kwargs)
        registered = RemovableHandle._next_id
        traced, result = self._traced_call(cap, args, kwargs)
        if traced is None:
            return result
        rec, inputs, outputs, drew = traced
        why = None
        if drew:
            # (under these guards only: in eval, Dropout draws nothing and replays)
            why = f"it draws random numbers from {drew} (replaying would repeat stale ones)"
            self._programs.append((facts, cast(Any, _Eager(why)), [True]))
            self._warn(f"tg.compile: {self._fn.__name__} runs eagerly: {why}")
            return _plain_result(result)
        if rec.problem is not None:
            why = rec.problem
        elif not isinstance(result, Tensor) or not isinstance(result._grad_fn, Node):
            why = ("its result is not one tensor made by the forward (only that is "
                   "compiled with its backward)")
        elif RemovableHandle._next_id != registered:
            why = "its forward registers hooks (a replay would not call them)"
        if why is not None:
            self._give_up(why)
            return _plain_result(result)
        if [id(t) for t in capture(self._fn, args, kwargs).tensors] != [id(t) for t in
                                                                         cap.tensors]:
            return _plain_result(result)  # it made new state: record again next call
        pending = _Pending(self, facts, rec, inputs, outputs, result, needs, cap)
        _plain_result(result)
        return _CompiledFunction.apply(pending, *[cap.tensors[i] for i in needs])

    def _replay(self, program: Any, tensors: list[Any], args: Any, kwargs: Any,
                cap: Captured | None = None) -> Any:
        if isinstance(program, _Eager):
            return self._fn(*args, **kwargs)
        return super()._replay(program, tensors, args, kwargs, cap)

    def _direct(self, program: Any) -> Any:
        return None  # (a forward replays with a backward node: through _replay)

    def _run(self, program: Any, tensors: list[Any]) -> Any:
        if not isinstance(program, _Trained):
            return super()._run(program, tensors)
        out, saved = self._forward(program, tensors)
        return _CompiledFunction.apply(_Replay(program, out, saved),
                                       *[tensors[i] for i in program.needs])

    def _forward(self, program: _Trained, tensors: list[Any]) -> tuple[Any, list[Any]]:
        """The forward program's output and saved values (captured state updated)."""
        values = super()._run(program.forward, tensors)
        return values[0]._data, [v._data for v in values[1:]]

    def _check(self, program: Any, verified: list[bool], cap: Captured, args: Any,
               kwargs: Any) -> Any:
        if not isinstance(program, _Trained):
            return super()._check(program, verified, cap, args, kwargs)
        snapshot = Snapshot(cap)
        try:
            out, saved = self._forward(program, cap.tensors)
        except StaleRead as e:
            self._stale += 1
            if self._stale >= _STALE_LIMIT:
                self._give_up(f"a value Python reads changes from call to call ({e})")
            snapshot.restore()
            return self._fn(*args, **kwargs)
        after_replay = snapshot.state()
        snapshot.restore()
        result = self._fn(*args, **kwargs)
        for name, (d1, g1), (d2, g2) in zip(cap.names, after_replay, snapshot.state()):
            if not (same_bits(d1, d2) and same_bits(g1, g2)):
                self._give_up(f"the recorded program did not reproduce {name} bit for bit "
                              "(something escaped the recorder)")
                return result
        if not (isinstance(result, Tensor) and isinstance(result._grad_fn, Node)
                and same_bits(out, result._data)):
            self._give_up("the recorded program did not reproduce the result bit for bit")
            return result
        check = _Check(program, out, saved, self, verified, result,
                       [cap.tensors[i] for i in program.needs])
        return _CompiledFunction.apply(check, *[cap.tensors[i] for i in program.needs])


def _needing(cap: Captured) -> list[int]:
    """The captured tensors that require grad, as the node lists them: what the forward
    captured (parameters) first, then the arguments (as PyTorch's ``next_functions``)."""
    order = [*range(cap.from_args, len(cap.tensors)), *range(cap.from_args)]
    return [i for i in order if cap.tensors[i]._requires_grad]


@dataclasses.dataclass
class _Eager:
    """Guards under which the forward runs eagerly (it draws random numbers: Dropout in
    train mode), while under others (``eval()``) it still replays."""

    why: str
    rec: Recorder = dataclasses.field(default_factory=Recorder)  # (empty: nothing replays)

    def explain(self) -> str:
        """What ``explain()`` prints for it."""
        return f"runs eagerly under these guards: {self.why}"


@dataclasses.dataclass
class _Trained:
    """A recorded forward and its backward: the two programs, what joins them."""

    forward: Program  # returns [output, *saved]
    backward: Program  # takes [seed gradient, *saved], returns one gradient per input
    needs: list[int]  # the captured tensors the node sends gradients to
    grads: list[int | None]  # the backward's tid of each one's gradient (None: unused)
    layout: tuple[Any, ...]  # the seed's strides and writeability when recorded
    rec: Recorder  # (the whole recording, for explain())
    owner: CompiledForward

    def explain(self) -> str:
        """Both programs, as ``explain()`` prints them."""
        return (f"forward:\n{self.forward.explain()}\n"
                f"backward (CompiledFunctionBackward):\n{self.backward.explain()}")

    def run_backward(self, grad: np.ndarray, saved: tuple[Any, ...]) -> list[Any]:
        """The gradient of each input, from the gradient of the output and the saved values."""
        values = iter(self.backward.run([_Slot(grad), *map(_Slot, saved)]))
        return [None if t is None else next(values)._data for t in self.grads]


class _Slot:
    """An array where a program binds its inputs (``tensors[i]._data``)."""

    __slots__ = ("_data",)

    def __init__(self, data: Any) -> None:
        self._data = data


def _layout(grad: np.ndarray) -> tuple[Any, ...]:
    # (numpy picks its loops by memory layout, and with them the order of a sum)
    return grad.strides, grad.flags.writeable


class _Box:
    """What the node of one call holds: how its backward is computed."""

    saved: tuple[Any, ...] = ()
    out: Any = None

    def __repr__(self) -> str:
        return "<tg.compile forward>"

    def backward(self, grad: np.ndarray, saved: tuple[Any, ...]) -> list[Any]:
        """One gradient per input (parameters, then arguments)."""
        raise NotImplementedError


class _Replay(_Box):
    """A replayed forward: its backward is the backward program."""

    def __init__(self, program: _Trained, out: Any, saved: list[Any]) -> None:
        self.program, self.out, self.saved = program, out, tuple(saved)

    def backward(self, grad: np.ndarray, saved: tuple[Any, ...]) -> list[Any]:
        """The backward program on the arriving gradient."""
        if _layout(grad) != self.program.layout:
            self.program.owner._warn(
                "tg.compile: the gradient reaching CompiledFunctionBackward is laid out in "
                "memory unlike when it was recorded: replayed as it is (its bits may differ "
                "from eager)")
        try:
            return self.program.run_backward(grad, saved)
        except StaleRead as e:
            owner = self.program.owner
            owner._give_up(f"a value its backward reads changed ({e})")
            raise RuntimeError(
                f"tg.compile: the recorded backward of {owner._fn.__name__} read a value that is "
                f"different now ({e}); a backward cannot go back to run eagerly. The next "
                "calls of the module run eagerly.") from None


class _Check(_Replay):
    """The check: the replayed forward's backward program against the eager backward of
    the eager forward run from the same state (``result``). The eager gradients are used."""

    def __init__(self, program: _Trained, out: Any, saved: list[Any], owner: CompiledForward,
                 verified: list[bool], result: Tensor, needs: list[Tensor]) -> None:
        super().__init__(program, out, saved)
        self.owner, self.verified, self.result, self.needs = owner, verified, result, needs

    def backward(self, grad: np.ndarray, saved: tuple[Any, ...]) -> list[Any]:
        """Both backwards; the eager one's gradients."""
        try:
            replayed = self.program.run_backward(grad, saved)
        except StaleRead:
            replayed = [object()] * len(self.needs)  # (compares unequal)
        eager = _eager_grads(self.result, grad, self.needs)
        if _layout(grad) != self.program.layout or not all(
                same_bits(a, b) for a, b in zip(replayed, eager)):
            self.owner._give_up("the recorded backward did not reproduce the gradients bit "
                                "for bit")
        else:
            self.verified[0] = True
        return eager


class _Pending(_Box):
    """A recorded forward whose backward is not recorded yet: it is, at the first backward,
    from the gradient that arrives (its memory layout steers numpy's loops)."""

    def __init__(self, owner: CompiledForward, facts: tuple[Any, ...], rec: Recorder,
                 inputs: dict[int, Binding], outputs: list[Any], result: Tensor,
                 needs: list[int], cap: Captured) -> None:
        self.owner, self.facts, self.inputs = owner, facts, inputs
        self.rec: Recorder | None = rec
        self.outputs, self.result, self.needs, self.names = outputs, result, needs, cap.names
        self.steps, self.values = len(rec.steps), len(rec.values)
        self.out_tid = _tid(rec, result._data)
        self.out = np.asarray(result._data)
        self.tensors = [cap.tensors[i] for i in needs]
        self.program: _Trained | None = None

    def backward(self, grad: np.ndarray, saved: tuple[Any, ...]) -> list[Any]:
        """Record the backward (once), and give the eager gradients it computed."""
        if self.program is not None:  # (a second backward, with retain_graph)
            return self.program.run_backward(grad, self.saved)
        if self.rec is None:
            return _eager_grads(self.result, grad, self.tensors)
        rec, self.rec = self.rec, None
        rec.first_write = None  # (a value read in backward is checked when it replays)
        with rec:
            seed = rec.input(np.asanyarray(grad), "grad_output")
            walk = _Grads(self.tensors)
            engine.run_backward([self.result], [seed], True, False, walk)
            grads = [None if g is None else _tid(rec, g) for g in walk.results]
        eager = [None if g is None else np.asarray(g) for g in walk.results]
        if any(t not in self.inputs for t in [*sum(rec.apart, ()), *rec.layouts]):
            rec.problem = rec.problem or ("its backward depends on the memory layout of an "
                                          "array only the backward binds (the incoming "
                                          "gradient)")
        if rec.problem is not None:
            self.owner._give_up(rec.problem)
            return eager
        try:
            self.program = _split(rec, self, self.out_tid or 0, grads, _layout(grad))
        except Unreplayable as e:
            self.owner._give_up(str(e))
            return eager
        self.saved = tuple(self.program.forward.rec.values[t]
                           for t in tids(self.program.forward.result)[1:])
        self.owner._programs.append((self.facts, cast(Any, self.program), [False]))
        return eager


def _split(rec: Recorder, pending: _Pending, out: int, grads: list[int | None],
           layout: tuple[Any, ...]) -> _Trained:
    """Cut one recording (forward, then backward) into the two programs."""
    k, n = pending.steps, pending.values
    ahead = [r.step <= k and r.tid < n for r in rec.reads]  # (read in the forward)
    forward_rec = dataclasses.replace(rec, steps=rec.steps[:k], reads=[
        r for r, a in zip(rec.reads, ahead) if a])
    backward_rec = dataclasses.replace(rec, steps=rec.steps[k:], apart=[], layouts={}, reads=[
        dataclasses.replace(r, step=r.step - k) for r, a in zip(rec.reads, ahead) if not a])
    saved = sorted({t for s in backward_rec.steps for t in tids((s.args, s.kwargs))
                    if t < n} | {r.tid for r in backward_rec.reads if r.tid < n})
    forward = Program(forward_rec, pending.inputs, pending.outputs,
                      [Ref(out), *map(Ref, saved)], pending.names)
    binds = {n: Binding(0, False), **{t: Binding(i + 1, False) for i, t in enumerate(saved)}}
    names = ["grad_output", *[f"saved t{t}" for t in saved]]
    backward = Program(backward_rec, binds, [], [Ref(g) for g in grads if g is not None],
                       names, stable=False)  # (the gradient and saved values: new each call)
    return _Trained(forward, backward, pending.needs, grads, layout, rec, pending.owner)


class _Grads(InputsWalk):
    """The walk of ``tg.autograd.grad(result, inputs)``, keeping each gradient as the walk
    made it (no copy: the recorder sees it) and running no hooks on the inputs."""

    def __init__(self, inputs: list[Tensor]) -> None:
        super().__init__(False, inputs)

    def capture(self, positions: list[int], grad: Any) -> None:
        """Keep the gradient of the input at ``positions``."""
        for k in positions:
            self.results[k] = grad

    def release_leaves(self) -> None:
        """Each input leaf's total gradient, kept (its hooks run in the outer backward)."""
        leaves, self.leaves = self.leaves, {}
        for leaf, grad in leaves.items():
            captured = self.captures.get(id(leaf), ())
            if captured and not fn.no_history(leaf):
                self.capture(captured, grad)


def _eager_grads(result: Tensor, grad: np.ndarray, inputs: list[Tensor]) -> list[Any]:
    """The eager backward of ``result``'s graph (kept for a second backward)."""
    walk = _Grads(inputs)
    engine.run_backward([result], [grad], True, False, walk)
    return list(walk.results)


class _CompiledNode(Node):
    """The node's class shows its full name, as PyTorch's Python-level nodes do."""

    __slots__ = ()

    def __repr__(self) -> str:
        cls = type(self)
        return f"<{cls.__module__}.{cls.__name__} object at {id(self):#x}>"


class _CompiledFunction(Function):
    """The graph node of a compiled forward: ``forward`` takes the output the forward
    program computed, ``backward`` runs the box's backward (see ``_Box``)."""

    _grad_fn_name = "CompiledFunctionBackward"
    _ctx_cls = _CompiledNode
    ctx_fields = ("box",)

    @staticmethod
    def forward(ctx: Any, box: _Box, *arrays: Any) -> Any:
        """The output, already computed; the forward program's saved values, kept."""
        ctx.box = box
        ctx.save_for_backward(*box.saved)  # (freed by backward: the box must not keep them)
        out, box.out, box.saved = box.out, None, ()
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        """One gradient per input: the box's backward."""
        if ctx._released:
            raise RuntimeError(FREED)
        saved = tuple(s._data if isinstance(s, Tensor) else s for s in ctx.saved_tensors)
        if not _state.create_graph:
            return (None, *ctx.box.backward(grad, saved))
        grads = ctx.box.backward(grad._data, saved)
        inputs = [a for a in ctx._args[1:] if isinstance(a, Tensor)]
        return (None, *[None if g is None else _DoubleBackward.apply(_Value(g), *inputs)
                        for g in grads])


class _Value:
    """An array handed to a node's forward."""

    def __init__(self, value: Any) -> None:
        self.value = value


class _DoubleBackward(Function):
    """A gradient of a compiled forward made with ``create_graph=True``: differentiating
    it again raises, with PyTorch's message (it has no double backward either)."""

    _grad_fn_name = "CompiledFunctionBackwardBackward"
    _ctx_cls = _CompiledNode

    @staticmethod
    def forward(ctx: Any, value: _Value, *arrays: Any) -> Any:
        """The gradient, already computed."""
        return value.value

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        """Not supported, as in PyTorch."""
        raise RuntimeError(_DOUBLE_BACKWARD)
