"""``Module``: the base class of every layer and model, as ``torch.nn.Module``.

A Module keeps three ordered dicts, filled by attribute assignment (``__setattr__``):
``_parameters`` (``Parameter`` s it learns), ``_buffers`` (tensors it keeps, such as
running statistics) and ``_modules`` (sub-modules). Everything else — ``parameters()``,
``state_dict()``, ``train()``, ``print(model)`` — walks these dicts.
"""

from __future__ import annotations

import warnings
from collections import OrderedDict, namedtuple
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

import numpy as np

from ... import _device, dtypes
from ...core.function import bump_version
from ...core.grad_mode import _teaching
from ...dtypes import FLOATING
from ...param_names import note_registered
from ...parity.names import tensor_type_name
from ...tensor import Tensor, _wrap, reset_grads
from ...utils.hooks import RemovableHandle
from ..parameter import Buffer, Parameter
from .module_hooks import BackwardHook, ModuleHooks

__all__ = ["Module"]

T = TypeVar("T", bound="Module")
_EXTRA_STATE_KEY_SUFFIX = "_extra_state"


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns: the keys it did not find and did not expect."""

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _typename(obj: Any) -> str:
    """``torch.typename``: ``torch.FloatTensor`` for tensors, else module.qualname."""
    if isinstance(obj, Tensor):
        return tensor_type_name(obj._data)
    kind = type(obj)
    module = kind.__module__
    return kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"


def _forgot_super_init(module: Any) -> str:
    """The line after PyTorch's message when Module.__init__ never ran on ``module``."""
    name = type(module).__name__
    return (f"\nHint: {name}.__init__ must call super().__init__() first, before it assigns "
            "layers, parameters or buffers to self.")


def _addindent(text: str, spaces: int) -> str:
    """Indent every line but the first (how nested modules print)."""
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    first = lines.pop(0)
    rest = [(" " * spaces) + line if line.strip() else "" for line in lines]
    return first + "\n" + "\n".join(rest)


class Module(ModuleHooks):
    """Base class of layers and models: subclass it, assign layers and ``Parameter`` s in
    ``__init__`` (after ``super().__init__()``), and compute the output in ``forward``.

    >>> class TwoLayer(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden = nn.Linear(2, 8)
    ...         self.out = nn.Linear(8, 1)
    ...     def forward(self, x):
    ...         return self.out(self.hidden(x).relu())
    >>> model = TwoLayer()
    >>> [name for name, _ in model.named_parameters()]
    ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']
    """

    training: bool
    _parameters: dict[str, Parameter | None]
    _buffers: dict[str, Tensor | None]
    _modules: dict[str, Module | None]
    _version: int = 1
    # a subclass may set it to pass __init__'s arguments on to the next class in its MRO
    call_super_init: bool = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs and not self.call_super_init:
            raise TypeError(
                f"{type(self).__name__}.__init__() got an unexpected keyword "
                f"argument '{next(iter(kwargs))}'"
            )
        if args and not self.call_super_init:
            raise TypeError(
                f"{type(self).__name__}.__init__() takes 1 positional argument "
                f"but {len(args) + 1} were given"
            )
        setattr_ = super().__setattr__
        setattr_("training", True)
        setattr_("_parameters", {})
        setattr_("_buffers", {})
        setattr_("_non_persistent_buffers_set", set())
        setattr_("_modules", {})
        setattr_("_forward_hooks", {})
        setattr_("_forward_hooks_with_kwargs", set())
        setattr_("_forward_hooks_always_called", set())
        setattr_("_forward_pre_hooks", {})
        setattr_("_forward_pre_hooks_with_kwargs", set())
        if self.call_super_init:
            super().__init__(*args, **kwargs)

    # ------------------------------------------------------------------ calling
    def forward(self, *input: Any) -> Any:
        """The computation: override it in every subclass (call the module, not this)."""
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """``module(x)`` runs the forward pre-hooks, ``forward(x)``, then the hooks (after
        ``module.compile()``, it replays them: see ``compile``)."""
        if _teaching.hooks is not None:  # tg.set_teaching_mode: see teaching.py
            _teaching.hooks.module_called(self)
        compiled = self.__dict__.get("_compiled_call_impl")
        if compiled is not None:
            return compiled(*args, **kwargs)
        return self._call_impl(*args, **kwargs)

    def _call_impl(self, *args: Any, **kwargs: Any) -> Any:
        """The call itself: pre-hooks, ``forward``, hooks (what ``compile`` records)."""
        own = self.__dict__
        if not (self._forward_pre_hooks or self._forward_hooks or
                own.get("_backward_hooks") or own.get("_backward_pre_hooks")):
            return self.forward(*args, **kwargs)
        called: set[int] = set()  # forward hooks that ran (for always_call after an error)
        output = None
        try:
            args, kwargs = self._run_pre_hooks(args, kwargs)
            backward_hooks, backward_pre_hooks = self._full_backward_hooks()
            bw_hook = None
            if backward_hooks or backward_pre_hooks:
                bw_hook = BackwardHook(self, backward_hooks, backward_pre_hooks)
                args = bw_hook.setup_input_hook(args)
            output = self.forward(*args, **kwargs)
            for hook_id, hook in list(self._forward_hooks.items()):
                called.add(hook_id)
                result = self._call_forward_hook(hook_id, hook, args, kwargs, output)
                output = output if result is None else result
            self._attach_non_full_backward_hooks(args, output)
            if bw_hook is not None:
                if not isinstance(output, (Tensor, tuple)):
                    warnings.warn("For backward hooks to be called, module output should be a "
                                  f"Tensor or a tuple of Tensors but received {type(output)}",
                                  stacklevel=2)
                output = bw_hook.setup_output_hook(output)
        except Exception:
            self._run_always_called_hooks(called, args, kwargs, output)
            raise
        return output

    def _run_pre_hooks(
        self, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        for hook_id, hook in list(self._forward_pre_hooks.items()):
            if hook_id in self._forward_pre_hooks_with_kwargs:
                result = hook(self, args, kwargs)
                if result is None:
                    continue
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(
                        "forward pre-hook must return None or a tuple of (new_args, "
                        f"new_kwargs), but got {result}."
                    )
                args, kwargs = result
            else:
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        return args, kwargs

    def _call_forward_hook(
        self, hook_id: int, hook: Callable[..., Any], args: Any, kwargs: Any, output: Any
    ) -> Any:
        if hook_id in self._forward_hooks_with_kwargs:
            return hook(self, args, kwargs, output)
        return hook(self, args, output)

    def _run_always_called_hooks(
        self, called: set[int], args: Any, kwargs: Any, output: Any
    ) -> None:
        """After forward (or a hook) raised: the ``always_call`` hooks that did not run yet,
        their own errors turned into warnings (the first error is the one raised)."""
        for hook_id, hook in list(self._forward_hooks.items()):
            if hook_id not in self._forward_hooks_always_called or hook_id in called:
                continue
            try:
                result = self._call_forward_hook(hook_id, hook, args, kwargs, output)
                output = output if result is None else result
            except Exception as e:  # noqa: BLE001 - PyTorch silences it, with a warning
                warnings.warn(
                    "forward hook with ``always_call=True`` raised an exception that was "
                    f"silenced as another error was raised in forward: {e}",
                    stacklevel=3,
                )

    def register_forward_pre_hook(
        self, hook: Callable[..., Any], *, prepend: bool = False, with_kwargs: bool = False
    ) -> RemovableHandle:
        """Call ``hook(module, args)`` before each forward; it may return new args. With
        ``with_kwargs``: ``hook(module, args, kwargs)``, returning ``(args, kwargs)`` or
        None. ``prepend`` runs it before the hooks already registered."""
        handle = RemovableHandle(self._forward_pre_hooks)
        _add_hook(self._forward_pre_hooks, handle.id, hook, prepend)
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs.add(handle.id)
        return handle

    def register_forward_hook(
        self,
        hook: Callable[..., Any],
        *,
        prepend: bool = False,
        with_kwargs: bool = False,
        always_call: bool = False,
    ) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after each forward; it may return a new
        output. Handy to look at activations. With ``with_kwargs``: ``hook(module, args,
        kwargs, output)``; ``always_call``: also when forward raised; ``prepend``: before
        the hooks already registered."""
        handle = RemovableHandle(self._forward_hooks)
        _add_hook(self._forward_hooks, handle.id, hook, prepend)
        if with_kwargs:
            self._forward_hooks_with_kwargs.add(handle.id)
        if always_call:
            self._forward_hooks_always_called.add(handle.id)
        return handle

    # ------------------------------------------------------------------ registration
    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter under ``name`` (``None`` registers a placeholder that is
        skipped by ``parameters()`` and ``state_dict()``)."""
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call"
                                 + _forgot_super_init(self))
        self._check_name(name, "parameter", self._parameters)
        if param is None:
            self._parameters[name] = None
        elif not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{_typename(param)}' object to parameter '{name}' "
                "(tinygrad_edu.nn.Parameter or None required)"
            )
        elif param.grad_fn is not None:
            raise ValueError(
                f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must "
                f"be created explicitly. To express '{name}' as a function of another Tensor, "
                "compute the value in the forward() method."
            )
        else:
            self._parameters[name] = param
            note_registered(param, self, name)  # so that the tools can say "0.weight"

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a tensor the module keeps but does not learn (e.g. running statistics).
        Persistent buffers are part of ``state_dict()``."""
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call"
                                 + _forgot_super_init(self))
        self._check_name(name, "buffer", self._buffers)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{_typename(tensor)}' object to buffer '{name}' "
                "(tinygrad_edu Tensor or None required)"
            )
        if isinstance(tensor, Buffer):
            tensor = tensor.detach()
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a child module under ``name`` (what ``self.name = module`` does)."""
        if not isinstance(module, Module) and module is not None:
            raise TypeError(f"{_typename(module)} is not a Module subclass")
        if not isinstance(name, str):
            raise TypeError(f"module name should be a string. Got {_typename(name)}")
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        if "." in name:
            raise KeyError(f'module name can\'t contain ".", got: {name}')
        if name == "":
            raise KeyError('module name can\'t be empty string ""')
        self._modules[name] = module
        note_registered(module, self, name)

    register_module = add_module

    def _check_name(self, name: Any, kind: str, own: dict[str, Any]) -> None:
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {_typename(name)}")
        if "." in name:
            raise KeyError(f'{kind} name can\'t contain "."')
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string ""')
        if hasattr(self, name) and name not in own:
            raise KeyError(f"attribute '{name}' already exists")

    def __setattr__(self, name: str, value: Any) -> None:
        params = self.__dict__.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call"
                                     + _forgot_super_init(self))
            self._forget(name, self.__dict__, self._buffers, self._modules)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{_typename(value)}' as parameter '{name}' "
                    "(tinygrad_edu.nn.Parameter or None expected)"
                )
            self.register_parameter(name, value)
        else:
            self._set_module_or_buffer(name, value)

    def _set_module_or_buffer(self, name: str, value: Any) -> None:
        modules = self.__dict__.get("_modules")
        if isinstance(value, Module):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call"
                                     + _forgot_super_init(self))
            self._forget(name, self.__dict__, self._parameters, self._buffers)
            modules[name] = value
            note_registered(value, self, name)
        elif modules is not None and name in modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{_typename(value)}' as child module '{name}' "
                    "(tinygrad_edu.nn.Module or None expected)"
                )
            modules[name] = value
        else:
            buffers = self.__dict__.get("_buffers")
            if isinstance(value, Buffer) or (buffers is not None and name in buffers):
                if value is not None and not isinstance(value, Tensor):
                    raise TypeError(
                        f"cannot assign '{_typename(value)}' as buffer '{name}' "
                        "(tinygrad_edu Tensor or None expected)"
                    )
                persistent = (
                    value.persistent
                    if isinstance(value, Buffer)
                    else name not in self._non_persistent_buffers_set
                )
                self.register_buffer(name, value, persistent)
            else:
                object.__setattr__(self, name, value)

    def _forget(self, name: str, *places: dict[str, Any]) -> None:
        for place in places:
            place.pop(name, None)
        self._non_persistent_buffers_set.discard(name)

    def __getattr__(self, name: str) -> Any:
        # only called when normal lookup fails: look in the registries
        d = self.__dict__
        for registry in ("_parameters", "_buffers", "_modules"):
            if registry in d and name in d[registry]:
                return d[registry][name]
        hint = _forgot_super_init(self) if "_parameters" not in d else ""
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'{hint}")

    def __delattr__(self, name: str) -> None:
        if name in self._parameters:
            del self._parameters[name]
        elif name in self._buffers:
            del self._buffers[name]
            self._non_persistent_buffers_set.discard(name)
        elif name in self._modules:
            del self._modules[name]
        else:
            super().__delattr__(name)

    def __dir__(self) -> list[str]:
        keys = list(super().__dir__()) + list(self._parameters) + list(self._modules)
        keys += list(self._buffers)
        return sorted(k for k in set(keys) if not k[0].isdigit())

    # ------------------------------------------------------------------ traversal
    def named_modules(
        self, memo: set[Module] | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """Every module in the tree (this one first, as ``''``) with its dotted name."""
        if memo is None:
            memo = set()
        if self in memo:
            return
        if remove_duplicate:
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            sub = prefix + ("." if prefix else "") + name
            yield from module.named_modules(memo, sub, remove_duplicate)

    def modules(self, remove_duplicate: bool = True) -> Iterator[Module]:
        """Every module in the tree, this one first (a module held twice, once unless
        ``remove_duplicate=False``)."""
        for _, module in self.named_modules(remove_duplicate=remove_duplicate):
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct sub-modules with their names."""
        seen: set[int] = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator[Module]:
        """The direct sub-modules."""
        for _, module in self.named_children():
            yield module

    def _named_members(
        self, kind: str, prefix: str, recurse: bool, remove_duplicate: bool
    ) -> Iterator[tuple[str, Any]]:
        seen: set[int] = set()
        mods = (
            self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
            if recurse
            else [(prefix, self)]
        )
        for mod_prefix, module in mods:
            for name, value in getattr(module, kind).items():
                if value is None or id(value) in seen:
                    continue
                if remove_duplicate:
                    seen.add(id(value))
                yield mod_prefix + ("." if mod_prefix else "") + name, value

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """``(dotted name, Parameter)`` for every parameter, in registration order
        (a parameter shared by two layers is listed once)."""
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter: what you give the optimizer (``optim.SGD(model.parameters())``)."""
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        """``(dotted name, Tensor)`` for every buffer."""
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Every buffer."""
        for _, buf in self.named_buffers(recurse=recurse):
            yield buf

    def get_submodule(self, target: str) -> Module:
        """The sub-module at a dotted path (``model.get_submodule('model.0')``)."""
        module = self
        if target == "":
            return module
        for item in target.split("."):
            if not hasattr(module, item):
                raise AttributeError(f"{module._get_name()} has no attribute `{item}`")
            module = getattr(module, item)
            if not isinstance(module, Module):
                raise AttributeError(f"`{item}` is not an nn.Module")
        return module

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at a dotted path (``model.get_parameter('model.0.weight')``)."""
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if not hasattr(module, name):
            raise AttributeError(f"{module._get_name()} has no attribute `{name}`")
        param = getattr(module, name)
        if not isinstance(param, Parameter):
            raise AttributeError(f"`{name}` is not an nn.Parameter")
        return param

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at a dotted path (``model.get_buffer('bn.running_mean')``)."""
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if not hasattr(module, name):
            raise AttributeError(f"{module._get_name()} has no attribute `{name}`")
        buffer = getattr(module, name)
        if name not in module._buffers:
            raise AttributeError(f"`{name}` is not a buffer")
        return buffer  # type: ignore[no-any-return]

    def set_submodule(self, target: str, module: Module, strict: bool = False) -> None:
        """Put ``module`` at a dotted path, replacing the sub-module there or adding one
        to an existing parent (with ``strict=True``, only replacing)."""
        if target == "":
            raise ValueError("Cannot set the submodule without a target name!")
        if not isinstance(module, Module):
            raise ValueError(f"`module` is not an nn.Module, found {type(module)}")
        parent_path, _, name = target.rpartition(".")
        parent = self.get_submodule(parent_path)
        if strict and not hasattr(parent, name):
            raise AttributeError(f"{parent._get_name()} has no attribute `{name}`")
        if hasattr(parent, name) and not isinstance(getattr(parent, name), Module):
            raise AttributeError(f"`{name}` is not an nn.Module")
        setattr(parent, name, module)

    # ------------------------------------------------------------------ modes
    def train(self: T, mode: bool = True) -> T:
        """Set training mode (Dropout drops) on this module and all sub-modules."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self: T) -> T:
        """Set evaluation mode (Dropout is the identity): ``train(False)``."""
        return self.train(False)

    def requires_grad_(self: T, requires_grad: bool = True) -> T:
        """Set ``requires_grad`` of every parameter (``False`` freezes the module)."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of every parameter: ``None`` (default), or zeros."""
        reset_grads(self.parameters(), set_to_none)

    def apply(self: T, fn: Callable[[Module], None]) -> T:
        """Call ``fn`` on every sub-module (children first), then on this one: the usual
        way to re-initialise weights."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------------ dtype / device
    def _cast(self: T, dtype: Any, floating_only: bool = True) -> T:
        np_dtype = dtypes.to_dtype(dtype).np
        for module in self.modules():
            for t in list(module._parameters.values()) + list(module._buffers.values()):
                if t is None or t._data.dtype == np_dtype or (
                        floating_only and t._data.dtype not in FLOATING):
                    continue
                if t._requires_grad and np_dtype not in FLOATING:
                    raise RuntimeError("data set to a tensor that requires gradients must be "
                                       "floating point or complex dtype")
                t._data = t._data.astype(np_dtype)
                if t._grad is not None:
                    t._grad = _wrap(t._grad._data.astype(np_dtype))
        return self

    def to(self: T, *args: Any, **kwargs: Any) -> T:
        """Cast floating-point parameters and buffers in place: ``to(tg.float64)``,
        ``to(tensor)`` (its dtype), ``to('cpu')`` (nothing to do; other devices raise).
        PyTorch's arguments (``device, dtype, non_blocking``), read as PyTorch reads them."""
        dtype, other, copy = _device.parse_to(args, kwargs)
        if copy:
            raise RuntimeError(".to() does not accept copy argument")
        dtype = other.dtype if other is not None else dtype
        if dtype is None:
            return self
        if not dtypes.to_dtype(dtype).is_floating_point:
            raise TypeError(
                "nn.Module.to only accepts floating point or complex dtypes, but got desired "
                f"dtype={dtypes.to_dtype(dtype)}"
            )
        return self._cast(dtype)

    def float(self: T) -> T:
        """Cast floating-point parameters and buffers to float32."""
        return self._cast(dtypes.float32)

    def double(self: T) -> T:
        """Cast floating-point parameters and buffers to float64."""
        return self._cast(dtypes.float64)

    def half(self: T) -> T:
        """Cast floating-point parameters and buffers to float16."""
        return self._cast(dtypes.float16)

    def bfloat16(self: T) -> T:
        """Cast floating-point parameters and buffers to bfloat16."""
        return self._cast(dtypes._bfloat16())

    def type(self: T, dst_type: Any) -> T:
        """Cast every parameter and buffer, floating-point or not, to ``dst_type`` (a dtype
        or a type name such as ``'torch.DoubleTensor'``), as ``Tensor.type`` does."""
        dtype = Tensor.type(_wrap(np.zeros(0, np.float32)), dst_type).dtype
        return self._cast(dtype, floating_only=False)

    def to_empty(self: T, *, device: Any, recurse: bool = True) -> T:
        """PyTorch moves parameters and buffers to ``device`` without copying their values
        (uninitialised memory): with only the CPU, they keep the values they have."""
        _device.check(device)
        return self

    def share_memory(self: T) -> T:
        """Nothing to do: there are no worker processes to share tensors with."""
        return self

    def compile(self, *args: Any, **kwargs: Any) -> None:
        """Compile this module's calls in place, as ``tg.compile(module)`` compiles them in
        a wrapper (PyTorch's ``Module.compile``): the module stays itself (its state_dict
        keys too), and its calls replay a recorded forward and backward. The arguments
        are ``tg.compile``'s (``disable=True`` leaves it eager)."""
        import tinygrad_edu  # (tg.compile, found when called: the compiler is built on nn)

        wrapper = tinygrad_edu.compile(self, *args, **kwargs)  # (self itself when disabled)
        self._compiled_call_impl = None if wrapper is self else wrapper.forward

    def cpu(self: T) -> T:
        """Nothing to do: everything lives on the CPU."""
        return self

    def cuda(self: T, device: Any = None) -> T:
        """Raises, as PyTorch without CUDA (an AssertionError): there is no GPU here."""
        _device.check("cuda")
        return self

    # ------------------------------------------------------------------ state dict
    def _local_state(self) -> dict[str, Tensor]:
        state: dict[str, Tensor] = {k: p for k, p in self._parameters.items() if p is not None}
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                state[name] = buf
        return state

    def state_dict(
        self, *args: Any, destination: Any = None, prefix: str = "", keep_vars: bool = False
    ) -> OrderedDict[str, Tensor]:
        """Every parameter and persistent buffer by dotted name (``model.0.weight``):
        the keys PyTorch uses. Values share storage with the module (detached unless
        ``keep_vars``); save them with ``tg.save``.

        As in PyTorch, the dict carries ``_metadata``: each module's ``version`` (by
        prefix), which lets ``load_state_dict`` read checkpoints of older layouts."""
        if args:  # PyTorch's deprecated positional form: (destination, prefix, keep_vars)
            warnings.warn(
                "Positional args are being deprecated, use kwargs instead. Refer to "
                "https://pytorch.org/docs/main/generated/torch.nn.Module.html"
                "#torch.nn.Module.state_dict for details.",
                FutureWarning,
                stacklevel=2,
            )
            destination = args[0] if destination is None else destination
            prefix = args[1] if len(args) > 1 and prefix == "" else prefix
            keep_vars = args[2] if len(args) > 2 and keep_vars is False else keep_vars
        if destination is None:
            destination = OrderedDict()
            destination._metadata = OrderedDict()
        local_metadata = {"version": self._version}
        if hasattr(destination, "_metadata"):
            destination._metadata[prefix[:-1]] = local_metadata
        self._run_state_dict_hooks("_state_dict_pre_hooks", prefix, keep_vars)
        for name, t in self._local_state().items():
            destination[prefix + name] = t if keep_vars else t.detach()
        if type(self).get_extra_state is not Module.get_extra_state:
            destination[prefix + _EXTRA_STATE_KEY_SUFFIX] = self.get_extra_state()
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(
                    destination=destination, prefix=prefix + name + ".", keep_vars=keep_vars
                )
        self._run_state_dict_hooks("_state_dict_hooks", destination, prefix, local_metadata)
        return destination  # type: ignore[no-any-return]

    def load_state_dict(
        self, state_dict: Mapping[str, Any], strict: bool = True, assign: bool = False
    ) -> _IncompatibleKeys:
        """Copy values from ``state_dict`` into this module's parameters and buffers.

        With ``strict=True`` (default) missing and unexpected keys are errors; shape
        mismatches always are. All errors are reported together in one RuntimeError,
        and a failed load changes nothing. Returns ``(missing_keys, unexpected_keys)``.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing: list[str] = []
        unexpected: list[str] = []
        errors: list[str] = []
        copies: list[tuple[Module, str, Tensor | None, Any]] = []
        metadata = getattr(state_dict, "_metadata", None)
        state_dict = OrderedDict(state_dict)  # a copy that modules may complete
        for prefix, module in self.named_modules(remove_duplicate=False):
            local_metadata = {} if metadata is None else metadata.get(prefix, {})
            prefix = prefix + "." if prefix else ""
            module._upgrade_state_dict(state_dict, prefix, local_metadata)
            module._run_state_dict_hooks("_load_state_dict_pre_hooks", state_dict, prefix,
                                         local_metadata, strict, missing, unexpected, errors)
            module._plan_load(state_dict, prefix, copies, missing, unexpected, errors, strict)
        incompatible = _IncompatibleKeys(missing, unexpected)
        for module in _post_order(self):
            module._run_state_dict_hooks("_load_state_dict_post_hooks", incompatible)
        if strict:
            if unexpected:
                keys = ", ".join(f'"{k}"' for k in unexpected)
                errors.insert(0, f"Unexpected key(s) in state_dict: {keys}. ")
            if missing:
                keys = ", ".join(f'"{k}"' for k in missing)
                errors.insert(0, f"Missing key(s) in state_dict: {keys}. ")
        if errors:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                + "\n\t".join(errors)
            )
        for module, name, target, value in copies:
            module._load_one(name, target, value, assign)
        return _IncompatibleKeys(missing, unexpected)

    def _upgrade_state_dict(
        self, state_dict: dict[str, Any], prefix: str, local_metadata: Mapping[str, Any]
    ) -> None:
        """Complete ``state_dict`` (a copy) where this module's older layouts lacked keys,
        by the ``version`` saved in its metadata (PyTorch does it in
        ``_load_from_state_dict``). Nothing to do in most modules."""

    def _plan_load(
        self,
        state_dict: Mapping[str, Any],
        prefix: str,
        copies: list[tuple[Module, str, Tensor | None, Any]],
        missing: list[str],
        unexpected: list[str],
        errors: list[str],
        strict: bool = True,
    ) -> None:
        """Check this module's own keys; record the copies to do if all is well (the
        extra state, when the module defines ``set_extra_state``, as a copy to None)."""
        local = self._local_state()
        extra_key = prefix + _EXTRA_STATE_KEY_SUFFIX
        if type(self).set_extra_state is not Module.set_extra_state:
            if extra_key in state_dict:
                copies.append((self, _EXTRA_STATE_KEY_SUFFIX, None, state_dict[extra_key]))
            elif strict:
                missing.append(extra_key)
        elif strict and extra_key in state_dict:
            unexpected.append(extra_key)
        for name, target in local.items():
            key = prefix + name
            if key not in state_dict:
                missing.append(key)
                continue
            value = _as_array(state_dict[key])
            if value is None:
                errors.append(
                    f'While copying the parameter named "{key}", expected '
                    "Tensor or Tensor-like object from checkpoint but received "
                    f"{type(state_dict[key])}"
                )
                continue
            if target._data.ndim == 0 and value.shape == (1,):
                value = value.reshape(())
            if value.shape != target._data.shape:
                errors.append(
                    f"size mismatch for {key}: copying a param with shape "
                    f"{_size_repr(value.shape)} from checkpoint, the shape in current model "
                    f"is {_size_repr(target._data.shape)}."
                )
                continue
            copies.append((self, name, target, value))
        for key in state_dict:
            if not key.startswith(prefix) or key == extra_key:
                continue
            head, dot, _ = key[len(prefix) :].partition(".")
            if (dot and head not in self._modules) or (not dot and head not in local):
                unexpected.append(key)

    def _load_one(self, name: str, target: Tensor | None, value: Any, assign: bool) -> None:
        if target is None:
            self.set_extra_state(value)
            return
        if assign:
            new = (
                Parameter(_wrap(np.array(value)), target._requires_grad)
                if isinstance(target, Parameter)
                else _wrap(np.array(value))
            )
            if name in self._parameters:
                self._parameters[name] = new  # type: ignore[assignment]
                note_registered(new, self, name)
            else:
                self._buffers[name] = new
            return
        np.copyto(target._data, value, casting="unsafe")
        bump_version(target)

    def get_extra_state(self) -> Any:
        """Override it (with ``set_extra_state``) to save more than tensors: ``state_dict``
        stores what it returns under ``<prefix>_extra_state``."""
        raise RuntimeError(
            "Reached a code path in Module.get_extra_state() that should never be called. "
            "Please file an issue at https://github.com/pytorch/pytorch/issues/new?template="
            "bug-report.yml to report this bug.")

    def set_extra_state(self, state: Any) -> None:
        """Override it (with ``get_extra_state``): ``load_state_dict`` gives it what was
        stored under ``<prefix>_extra_state``."""
        raise RuntimeError(
            "Reached a code path in Module.set_extra_state() that should never be called. "
            "Please file an issue at https://github.com/pytorch/pytorch/issues/new?template="
            "bug-report.yml to report this bug.")

    # ------------------------------------------------------------------ printing
    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """The text inside the parentheses of ``repr`` (override it in layers)."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [
            f"({key}): " + _addindent(repr(module), 2) for key, module in self._modules.items()
        ]
        lines = extra_lines + child_lines
        main = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                main += extra_lines[0]
            else:
                main += "\n  " + "\n  ".join(lines) + "\n"
        return main + ")"


def _post_order(module: Module) -> Iterator[Module]:
    """``module``'s sub-modules, each after its own children (as PyTorch's load recurses)."""
    for child in module._modules.values():
        if child is not None:
            yield from _post_order(child)
    yield module


def _add_hook(hooks: dict[int, Any], hook_id: int, hook: Any, prepend: bool) -> None:
    """Register ``hook`` last, or first with ``prepend``."""
    if not prepend:
        hooks[hook_id] = hook
        return
    others = dict(hooks)
    hooks.clear()
    hooks[hook_id] = hook
    hooks.update(others)


def _as_array(value: Any) -> np.ndarray | None:
    """The array behind a checkpoint value: a Tensor, an ndarray, or anything with
    ``__array__`` (a torch tensor); None for anything else."""
    if isinstance(value, Tensor):
        return value._data
    if isinstance(value, np.ndarray):
        return value
    if hasattr(value, "__array__") and not isinstance(value, (list, tuple)):
        if hasattr(value, "detach"):
            value = value.detach()
        return np.asanyarray(value)
    return None


def _size_repr(shape: tuple[int, ...]) -> str:
    return f"tinygrad_edu.Size({list(shape)})"
