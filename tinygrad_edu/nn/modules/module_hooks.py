"""A Module's backward hooks and state-dict hooks (``torch.nn.Module``'s ``register_*_hook``).

Backward hooks are built, as PyTorch builds them (``torch.utils.hooks.BackwardHook``), from
the public autograd API only: the module's tensor inputs, and its tensor outputs, each pass
through one identity ``Function`` (``BackwardHookFunction``). Backward reaches the
outputs' identity first, with every ``grad_output`` at once: the backward pre-hooks run
there (and may replace them). It reaches the inputs' identity last, with every
``grad_input``: the backward hooks run there with ``(module, grad_input, grad_output)``,
and what they return replaces ``grad_input``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from ...autograd.function import Function
from ...core.grad_mode import is_grad_enabled
from ...tensor import Tensor
from ...utils.hooks import RemovableHandle

__all__ = ["BackwardHook", "BackwardHookFunction", "ModuleHooks"]


class BackwardHookFunction(Function):
    """The identity, on several tensors at once: its backward is where a module's backward
    hooks see all the gradients of its inputs (or outputs) together."""

    @staticmethod
    def forward(ctx: Any, requires_grad: tuple[bool, ...], *args: Any) -> Any:
        # (forward sees its inputs detached: which of them require grad comes as an argument)
        ctx.mark_non_differentiable(*[a for a, r in zip(args, requires_grad) if not r])
        ctx.set_materialize_grads(False)
        return args

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> Any:
        return (None, *ctx.on_backward(grads))


class BackwardHook:
    """One call's backward hooks (PyTorch's ``torch.utils.hooks.BackwardHook``): made by
    ``Module.__call__`` when the module has any, it wraps the inputs, then the outputs."""

    def __init__(self, module: Any, user_hooks: list[Any], user_pre_hooks: list[Any]) -> None:
        self.module = module
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.grad_outputs: tuple[Any, ...] | None = None
        self.n_inputs = 0
        self.input_index: list[int] | None = None
        self.n_outputs = 0
        self.output_index: list[int] | None = None

    @staticmethod
    def _pack(index: list[int], values: Any, size: int) -> tuple[Any, ...]:
        """A tuple of ``size``: ``values`` at positions ``index``, None elsewhere."""
        res = [None] * size
        for i, v in zip(index, values):
            res[i] = v
        return tuple(res)

    def _apply_on_tensors(self, on_backward: Callable[[Any], Any], args: tuple[Any, ...]
                          ) -> tuple[tuple[Any, ...], list[int] | None]:
        """Pass the Tensors of ``args`` through one identity whose backward calls
        ``on_backward`` (when one of them requires grad and grad mode is on)."""
        index = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        if not (any(args[i].requires_grad for i in index) and is_grad_enabled()):
            return args, None
        tensors = [args[i] for i in index]
        new = BackwardHookFunction.apply(tuple(t.requires_grad for t in tensors), *tensors)
        next(t.grad_fn for t in new if t.grad_fn is not None).on_backward = on_backward
        out = list(args)
        for i, t in zip(index, new):
            out[i] = t
        return tuple(out), index

    def setup_input_hook(self, args: tuple[Any, ...]) -> tuple[Any, ...]:
        """Wrap the module's inputs: their identity's backward runs the backward hooks."""
        res, self.input_index = self._apply_on_tensors(self._input_backward, args)
        self.n_inputs = len(args)
        return res

    def _input_backward(self, grads: tuple[Any, ...]) -> tuple[Any, ...]:
        if self.grad_outputs is None:  # the gradient did not come through the outputs
            return grads
        assert self.input_index is not None
        res = self._pack(self.input_index, grads, self.n_inputs)
        for hook in self.user_hooks:
            out = hook(self.module, res, self.grad_outputs)
            if out is None:
                continue
            if len(out) != len(res):
                raise RuntimeError("Backward hook returned an invalid number of grad_input, "
                                   f"got {len(out)}, but expected {len(res)}")
            res = out
        self.grad_outputs = None
        return tuple(res[i] for i in self.input_index)

    def setup_output_hook(self, result: Any) -> Any:
        """Wrap the module's outputs: their identity's backward runs the pre-hooks."""
        is_tuple = isinstance(result, tuple)
        args = result if is_tuple else (result,)
        res, self.output_index = self._apply_on_tensors(self._output_backward, args)
        self.n_outputs = len(args)
        return res if is_tuple else res[0]

    def _output_backward(self, grads: tuple[Any, ...]) -> tuple[Any, ...]:
        assert self.output_index is not None
        self.grad_outputs = self._pack(self.output_index, grads, self.n_outputs)
        for pre_hook in self.user_pre_hooks:
            new = pre_hook(self.module, self.grad_outputs)
            if new is None:
                continue
            if len(new) != len(self.grad_outputs):
                raise RuntimeError("Backward pre hook returned an invalid number of "
                                   f"grad_output, got {len(new)}, but expected "
                                   f"{len(self.grad_outputs)}")
            self.grad_outputs = new
        grad_outputs = self.grad_outputs
        if self.input_index is None:  # no input requires grad: the hooks run here
            warnings.warn("Full backward hook is firing when gradients are computed with "
                          "respect to module outputs since no inputs require gradients. See "
                          "https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html"
                          "#torch.nn.Module.register_full_backward_hook for more details.",
                          stacklevel=2)
            grad_inputs = (None,) * self.n_inputs
            for hook in self.user_hooks:
                res = hook(self.module, grad_inputs, self.grad_outputs)
                if res is not None and not (isinstance(res, tuple) and
                                            all(el is None for el in res)):
                    raise RuntimeError("Backward hook for Modules where no input requires "
                                       "gradient should always return None or None for "
                                       "all gradients.")
            self.grad_outputs = None
        return tuple(grad_outputs[i] for i in self.output_index)


class ModuleHooks:
    """The hook registrations of ``Module`` beyond forward hooks (a mixin of Module)."""

    _backward_hooks: dict[int, Any]
    _backward_pre_hooks: dict[int, Any]
    _state_dict_pre_hooks: dict[int, Any]
    _state_dict_hooks: dict[int, Any]
    _load_state_dict_pre_hooks: dict[int, Any]
    _load_state_dict_post_hooks: dict[int, Any]

    def _hook_table(self, name: str) -> dict[int, Any]:
        """The hook dict ``name``, made on first use (``__init__`` stays as it was)."""
        table = self.__dict__.get(name)
        if table is None:
            table = {}
            object.__setattr__(self, name, table)
        return table  # type: ignore[no-any-return]

    def _full_backward_hooks(self) -> tuple[list[Any], list[Any]]:
        """The backward hooks and backward pre-hooks to run for this call."""
        hooks = self.__dict__.get("_backward_hooks")
        if self.__dict__.get("_is_full_backward_hook") is False:
            hooks = None  # (register_backward_hook's: _attach_non_full_backward_hooks)
        pre = self.__dict__.get("_backward_pre_hooks")
        return list(hooks.values()) if hooks else [], list(pre.values()) if pre else []

    def _backward_hook_kind(self, full: bool) -> None:
        """Note which kind of backward hook this module has: never both, as in PyTorch."""
        if self.__dict__.get("_is_full_backward_hook", full) is not full:
            raise RuntimeError("Cannot use both regular backward hooks and full backward hooks "
                               "on a single Module. Please use only one of them.")
        object.__setattr__(self, "_is_full_backward_hook", full)

    def register_backward_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Deprecated (use ``register_full_backward_hook``): call ``hook(module, grad_input,
        grad_output)`` after the backward of the node that made the module's output: its
        ``grad_fn.register_hook``. That is the last op of ``forward`` only, so for a module
        of several ops ``grad_input`` is that op's (PyTorch warns, as here)."""
        self._backward_hook_kind(False)
        return _register(self._hook_table("_backward_hooks"), hook, False)

    def _attach_non_full_backward_hooks(self, args: tuple[Any, ...], result: Any) -> None:
        """Put ``register_backward_hook``'s hooks on the node of this call's output (its
        first tensor), and warn where PyTorch warns that they will miss gradients."""
        hooks = self.__dict__.get("_backward_hooks")
        if not hooks or self.__dict__.get("_is_full_backward_hook") is not False:
            return
        var = result
        while not isinstance(var, Tensor):
            var = next(v for v in var.values() if isinstance(v, Tensor)) \
                if isinstance(var, dict) else var[0]
        grad_fn = var.grad_fn
        if grad_fn is None:
            return
        for hook in hooks.values():
            grad_fn.register_hook(_ModuleHook(hook, self))
        why = _non_full_hook_problem(args, result, grad_fn)
        if why is not None:
            warnings.warn(f"Using {why} is deprecated and will be removed in future versions. "
                          "This hook will be missing some grad_input. Please use "
                          "register_full_backward_hook to get the documented behavior.",
                          FutureWarning, stacklevel=3)

    def register_full_backward_pre_hook(self, hook: Callable[..., Any],
                                        prepend: bool = False) -> RemovableHandle:
        """Call ``hook(module, grad_output)`` when the gradients of the module's outputs are
        known, before those of its inputs are computed; it may return a new
        ``grad_output`` (a tuple of the same length). Returns a handle to remove it."""
        return _register(self._hook_table("_backward_pre_hooks"), hook, prepend)

    def register_full_backward_hook(self, hook: Callable[..., Any],
                                    prepend: bool = False) -> RemovableHandle:
        """Call ``hook(module, grad_input, grad_output)`` when the gradients of the module's
        inputs are computed (tuples, one entry per positional argument or output, None
        for non-Tensors); it may return a new ``grad_input``. Returns a handle."""
        self._backward_hook_kind(True)
        return _register(self._hook_table("_backward_hooks"), hook, prepend)

    def register_state_dict_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(module, prefix, keep_vars)`` before ``state_dict`` saves this
        module's entries."""
        return _register(self._hook_table("_state_dict_pre_hooks"), hook, False)

    def register_state_dict_post_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(module, state_dict, prefix, local_metadata)`` after ``state_dict``
        saved this module's entries (and its children's); it may change ``state_dict``
        in place and must return None."""
        return _register(self._hook_table("_state_dict_hooks"), hook, False)

    def register_load_state_dict_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(module, state_dict, prefix, local_metadata, strict, missing_keys,
        unexpected_keys, error_msgs)`` before ``load_state_dict`` reads this module's
        entries (it may change ``state_dict``, a copy, in place)."""
        return _register(self._hook_table("_load_state_dict_pre_hooks"), hook, False)

    def register_load_state_dict_post_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(module, incompatible_keys)`` once ``load_state_dict`` knows the
        missing and unexpected keys (before its strict check: the hook may edit both
        lists in place). Unlike PyTorch, values are copied only after that check (a failed
        load changes nothing), so the hook sees the module before the copy."""
        return _register(self._hook_table("_load_state_dict_post_hooks"), hook, False)

    def _run_state_dict_hooks(self, name: str, *args: Any) -> None:
        """Run the state-dict hooks ``name`` (PyTorch's public ones must return None)."""
        hooks = self.__dict__.get(name)
        for hook in list(hooks.values()) if hooks else ():
            result = hook(self, *args)
            if result is not None and name == "_state_dict_hooks":
                raise RuntimeError("state_dict post-hook must return None")
            if result is not None and name == "_load_state_dict_post_hooks":
                raise AssertionError(
                    "Hooks registered with ``register_load_state_dict_post_hook`` are not"
                    "expected to return new values, if incompatible_keys need to be "
                    "modified,it should be done inplace.")


class _ModuleHook:
    """``hook(module, grad_input, grad_output)`` as a node's hook ``(grad_input,
    grad_output)``: what ``register_backward_hook`` puts on the output's node."""

    def __init__(self, hook: Callable[..., Any], module: Any) -> None:
        self.hook, self.module = hook, module
        self.__name__ = getattr(hook, "__name__", type(hook).__name__)

    def __call__(self, grad_input: Any, grad_output: Any) -> Any:
        return self.hook(self.module, grad_input, grad_output)


def _non_full_hook_problem(inputs: tuple[Any, ...], result: Any, grad_fn: Any) -> str | None:
    """Why ``register_backward_hook``'s hook will not see every gradient (PyTorch's
    checks, in its words), or None when it will."""
    outputs = (result,) if isinstance(result, Tensor) else result
    if not (isinstance(outputs, tuple) and all(isinstance(r, Tensor) for r in outputs)):
        return "non-full backward hooks on a Module that does not return a single Tensor " \
            "or a tuple of Tensors"
    if not all(isinstance(i, Tensor) for i in inputs):
        return "non-full backward hooks on a Module that does not take as input a single " \
            "Tensor or a tuple of Tensors"
    out_nodes = {r.grad_fn for r in outputs if r.grad_fn is not None}
    if not out_nodes or (len(out_nodes) == 1 and grad_fn not in out_nodes):
        return "a non-full backward hook when outputs are nested in python data structure"
    if len(out_nodes) > 1:
        return "a non-full backward hook when outputs are generated by different autograd " \
            "Nodes"
    input_nodes = {i.grad_fn for i in inputs if i.grad_fn is not None}
    if input_nodes != {f for f, _ in grad_fn.next_functions}:
        return "a non-full backward hook when the forward contains multiple autograd Nodes"
    return None


def _register(hooks: dict[int, Any], hook: Any, prepend: bool) -> RemovableHandle:
    handle = RemovableHandle(hooks)
    if prepend:
        others = dict(hooks)
        hooks.clear()
        hooks[handle.id] = hook
        hooks.update(others)
    else:
        hooks[handle.id] = hook
    return handle
