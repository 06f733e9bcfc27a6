"""Parametrizations, as ``torch.nn.utils.parametrize``: ``module.weight`` computed from
other tensors by a small module, every time it is read.

``register_parametrization(layer, "weight", P)`` moves the weight to
``layer.parametrizations.weight.original`` (a ``ParametrizationList``, which holds the
tensor and the chain of parametrizations) and swaps the layer's class for a subclass,
``Parametrized<Layer>``, whose ``weight`` is a property: reading it returns
``P(original)``, so the graph, and the gradient, run through ``P`` to ``original``;
assigning to it stores ``P.right_inverse(value)`` in ``original``. The state dict keys
follow (``parametrizations.weight.original``), as PyTorch's.
"""

from __future__ import annotations

import copy
import copyreg
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from ...core.function import bump_version
from ...core.grad_mode import no_grad
from ...tensor import Tensor
from ..modules.container import ModuleDict, ModuleList
from ..modules.module import Module
from ..parameter import Parameter

__all__ = ["cached", "ParametrizationList", "register_parametrization", "is_parametrized",
           "remove_parametrizations", "type_before_parametrizations",
           "transfer_parametrizations_and_params"]

_cache_enabled = 0
_cache: dict[tuple[int, str], Tensor] = {}


@contextmanager
def cached() -> Iterator[None]:
    """Inside this block each parametrized tensor is computed once, on first read, and
    reused (the cache empties when the outermost block ends): a weight read many times in
    one forward (a recurrent kernel, a shared weight) costs one evaluation.

    >>> layer = P.register_parametrization(nn.Linear(3, 3), "weight", Symmetric())
    >>> with P.cached():
    ...     out = layer(layer(x))  # (Symmetric runs once)
    """
    global _cache_enabled, _cache
    _cache_enabled += 1
    try:
        yield
    finally:
        _cache_enabled -= 1
        if not _cache_enabled:
            _cache = {}


def _register_parameter_or_buffer(module: Module, name: str, x: Tensor) -> None:
    if isinstance(x, Parameter):
        module.register_parameter(name, x)
    else:
        module.register_buffer(name, x)


def _set_(dest: Tensor, src: Tensor) -> None:
    """``dest.set_(src)``: ``dest`` takes ``src``'s values (sharing them) and keeps its
    identity, so that an optimizer holding ``dest`` keeps working."""
    dest.data = src
    bump_version(dest)


def _dtype_error(what: str, unsafe_hint: str, a: str, a_dtype: Any, b: str,
                 b_dtype: Any) -> ValueError:
    return ValueError(f"{what} may not change the dtype of the tensor, unless {unsafe_hint} "
                      f"enabled.\n{a}: {a_dtype}\n{b}: {b_dtype}")


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor and the tensor(s) they start from, as
    ``module.parametrizations[name]`` (made by ``register_parametrization``, not by hand).

    The tensor is kept as ``original``, or as ``original0``, ``original1``, ... when the
    first parametrization's ``right_inverse`` returns several tensors; calling the list
    computes the parametrized value: ``self[-1](...self[1](self[0](original)))``.

    >>> layer = P.register_parametrization(nn.Linear(3, 3), "weight", Symmetric())
    >>> type(layer.parametrizations.weight).__name__
    'ParametrizationList'
    """

    original: Tensor
    unsafe: bool

    def __init__(self, modules: Sequence[Module], original: Tensor | Parameter,
                 unsafe: bool = False) -> None:
        if len(modules) == 0:
            raise ValueError("ParametrizationList requires one or more modules.")
        super().__init__(modules)
        self.unsafe = unsafe
        original_shape, original_dtype = original.shape, original.dtype
        with no_grad():
            new: Any = original
            for module in reversed(list(self)):  # the first one registered is applied last
                if hasattr(module, "right_inverse"):
                    try:
                        new = module.right_inverse(new)
                    except NotImplementedError:
                        pass  # (then right_inverse is the identity)
        if not isinstance(new, (Tensor, Sequence)):
            raise ValueError("'right_inverse' must return a Tensor or a Sequence of tensors "
                             f"(list, tuple...). Got {type(new).__name__}")
        self.is_tensor = isinstance(new, Tensor)
        self.ntensors = 1 if isinstance(new, Tensor) else len(new)
        if isinstance(new, Tensor):
            self._keep_original(original, new)
        else:
            self._keep_originals(original, new)
        if not self.unsafe:
            self._check_same_dtype_and_shape(original_shape, original_dtype)

    def _keep_original(self, original: Tensor, new: Tensor) -> None:
        if original.dtype != new.dtype:
            raise ValueError("When `right_inverse` outputs one tensor, it may not change the "
                             f"dtype.\noriginal.dtype: {original.dtype}\n"
                             f"right_inverse(original).dtype: {new.dtype}")
        with no_grad():
            _set_(original, new)  # (the optimizer keeps the same tensor object)
        _register_parameter_or_buffer(self, "original", original)

    def _keep_originals(self, original: Tensor, new: Sequence[Any]) -> None:
        for i, original_i in enumerate(new):
            if not isinstance(original_i, Tensor):
                raise ValueError("'right_inverse' must return a Tensor or a Sequence of "
                                 "tensors (list, tuple...). Got element "
                                 f"{i} of the sequence with type {type(original_i).__name__}.")
            # (a new Parameter: the user adds it to the optimizer, as PyTorch documents)
            if isinstance(original, Parameter):
                original_i = Parameter(original_i, original.requires_grad)
            original_i.requires_grad_(original.requires_grad)
            _register_parameter_or_buffer(self, f"original{i}", original_i)

    def _check_same_dtype_and_shape(self, shape: Any, dtype: Any) -> None:
        z = self()
        if not isinstance(z, Tensor):
            raise ValueError(f"A parametrization must return a tensor. Got {type(z).__name__}.")
        if z.dtype != dtype:
            raise _dtype_error("Registering a parametrization", "`unsafe` flag is",
                               "unparametrized dtype", dtype, "parametrized dtype", z.dtype)
        if z.shape != shape:
            raise ValueError("Registering a parametrization may not change the shape of the "
                             "tensor, unless `unsafe` flag is enabled.\n"
                             f"unparametrized shape: {shape}\nparametrized shape: {z.shape}")

    def right_inverse(self, value: Tensor) -> None:
        """Store ``value`` as the parametrized tensor: run each parametrization's
        ``right_inverse`` (last registered first) and put the result in ``original``
        (or ``original0``, ``original1``, ...), outside autograd."""
        with no_grad():
            for module in reversed(list(self)):
                if not hasattr(module, "right_inverse"):
                    raise RuntimeError(f"parametrization {type(module).__name__} does not "
                                       "implement right_inverse.")
                value = module.right_inverse(value)
            if self.is_tensor:
                self._set_original(value)
            else:
                self._set_originals(value)

    def _set_original(self, value: Any) -> None:
        if not isinstance(value, Tensor):
            raise ValueError(f"`right_inverse` should return a tensor. Got {type(value).__name__}")
        if value.dtype != self.original.dtype:
            raise ValueError(f"The tensor returned by `right_inverse` has dtype {value.dtype} "
                             f"while `original` has dtype {self.original.dtype}")
        _set_(self.original, value)

    def _set_originals(self, value: Any) -> None:
        if not isinstance(value, Sequence):
            raise ValueError("'right_inverse' must return a sequence of tensors. "
                             f"Got {type(value).__name__}.")
        if len(value) != self.ntensors:
            raise ValueError("'right_inverse' must return a sequence of tensors of length "
                             f"{self.ntensors}. Got a sequence of length {len(value)}.")
        for i, tensor in enumerate(value):
            original_i = getattr(self, f"original{i}")
            if not isinstance(tensor, Tensor):
                raise ValueError("'right_inverse' must return a sequence of tensors or "
                                 "reference-type opaques. Got element "
                                 f"{i} of type {type(tensor).__name__}.")
            if original_i.dtype != tensor.dtype:
                raise ValueError(f"Tensor {i} returned by `right_inverse` has dtype "
                                 f"{tensor.dtype} while `original{i}` has dtype "
                                 f"{original_i.dtype}")
            _set_(original_i, tensor)

    def forward(self) -> Tensor:  # type: ignore[override]
        """The parametrized tensor: the originals through every parametrization in turn."""
        first, *rest = list(self)
        if self.is_tensor:
            x = first(self.original)
        else:
            x = first(*(getattr(self, f"original{i}") for i in range(self.ntensors)))
        for module in rest:
            x = module(x)
        return x  # type: ignore[no-any-return]


def _default_deepcopy(self: Module, memo: dict[int, Any]) -> Module:
    """``copy.deepcopy`` of a parametrized module (pickling it is refused: see below)."""
    replica = memo.get(id(self))
    if replica is not None:
        return replica  # type: ignore[no-any-return]
    replica = self.__new__(self.__class__)
    memo[id(self)] = replica
    replica.__dict__ = copy.deepcopy(self.__dict__, memo)
    for slot in copyreg._slotnames(self.__class__):  # type: ignore[attr-defined]
        if hasattr(self, slot):
            setattr(replica, slot, copy.deepcopy(getattr(self, slot), memo))
    return replica  # type: ignore[no-any-return]


def _refuse_pickling(self: Module) -> Any:
    raise RuntimeError(
        "Serialization of parametrized modules is only supported through state_dict(). See:\n"
        "https://pytorch.org/tutorials/beginner/saving_loading_models.html"
        "#saving-loading-a-general-checkpoint-for-inference-and-or-resuming-training")


def _inject_new_class(module: Module) -> None:
    """Give ``module`` a class of its own, ``Parametrized<Class>`` (a subclass of its
    class), where the properties of its parametrized tensors can live."""
    cls = module.__class__
    namespace: dict[str, Any] = {"__getstate__": _refuse_pickling}
    if not hasattr(cls, "__deepcopy__"):
        namespace["__deepcopy__"] = _default_deepcopy
    module.__class__ = type(f"Parametrized{cls.__name__}", (cls,), namespace)


def _inject_property(module: Module, tensor_name: str) -> None:
    """Make ``module.<tensor_name>`` a property of its (own) class: reading computes the
    parametrization, assigning runs its ``right_inverse``."""
    if hasattr(module, tensor_name):
        raise AssertionError(f"Module already has an attribute named '{tensor_name}'")

    def get_parametrized(self: Module) -> Tensor:
        parametrization = self.parametrizations[tensor_name]
        if not _cache_enabled:
            return parametrization()  # type: ignore[no-any-return]
        key = (id(module), tensor_name)
        if key not in _cache:
            _cache[key] = parametrization()
        return _cache[key]

    def set_original(self: Module, value: Tensor) -> None:
        self.parametrizations[tensor_name].right_inverse(value)

    setattr(module.__class__, tensor_name, property(get_parametrized, set_original))


def _check_added(module: Module, tensor_name: str, parametrization: Module) -> None:
    """A parametrization added to a parametrized tensor must map its dtype and shape to
    themselves (and so must its ``right_inverse``), unless ``unsafe``."""
    y = getattr(module, tensor_name)
    x = parametrization(y)
    if not isinstance(x, Tensor):
        raise ValueError(f"A parametrization must return a tensor. Got {type(x).__name__}.")
    a, b = f"module.{tensor_name}", f"parametrization(module.{tensor_name})"
    if x.dtype != y.dtype:
        raise _dtype_error("Registering a parametrization", "the `unsafe` flag is",
                           f"{a}.dtype", y.dtype, f"{b}.dtype", x.dtype)
    if x.shape != y.shape:
        raise ValueError("Registering a parametrization may not change the shape of the tensor, "
                         "unless the `unsafe` flag is enabled.\n"
                         f"{a}.shape: {y.shape}\n{b}.shape: {x.shape}")
    if not hasattr(parametrization, "right_inverse"):
        return
    try:
        z = parametrization.right_inverse(x)
    except NotImplementedError:
        return
    what = "The tensor returned by parametrization.right_inverse must have the same"
    if not isinstance(z, Tensor):
        raise ValueError("parametrization.right_inverse must return a tensor. Got: "
                         f"{type(z).__name__}")
    if z.dtype != y.dtype:
        raise ValueError(f"{what} dtype as {a}, unless the `unsafe` flag is enabled.\n"
                         f"{a}.dtype: {y.dtype}\nreturned dtype: {z.dtype}")
    if z.shape != y.shape:
        raise ValueError(f"{what} shape as {a}, unless the `unsafe` flag is enabled.\n"
                         f"{a}.shape: {y.shape}\nreturned shape: {z.shape}")


def register_parametrization(module: Module, tensor_name: str, parametrization: Module, *,
                             unsafe: bool = False) -> Module:
    """Make ``module.<tensor_name>`` the output of ``parametrization`` (a Module) on the
    tensor it replaces, recomputed on every read; gradients flow through it to
    ``module.parametrizations.<tensor_name>.original``.

    If ``parametrization`` has ``right_inverse(X)``, it gives the original from a value
    (at registration, from the current tensor; later, on ``module.weight = X``); it may
    return several tensors (kept as ``original0``, ``original1``, ...). Registering again
    on the same name chains the parametrizations. ``unsafe=True`` allows a change of
    dtype or shape. Returns ``module``.

    >>> class Symmetric(nn.Module):
    ...     def forward(self, X):
    ...         return X.triu() + X.triu(1).mT
    >>> layer = P.register_parametrization(nn.Linear(3, 3), "weight", Symmetric())
    >>> type(layer).__name__, list(layer.state_dict())
    ('ParametrizedLinear', ['bias', 'parametrizations.weight.original'])
    """
    parametrization.train(module.training)
    if is_parametrized(module, tensor_name):
        if not unsafe:
            _check_added(module, tensor_name, parametrization)
        plist = module.parametrizations[tensor_name]
        plist.append(parametrization)
        plist.unsafe |= unsafe  # (once unsafe, always unsafe)
    elif tensor_name in module._buffers or tensor_name in module._parameters:
        original = getattr(module, tensor_name)
        plist = ParametrizationList([parametrization], original, unsafe=unsafe)  # (may raise)
        delattr(module, tensor_name)
        if not is_parametrized(module):
            _inject_new_class(module)
            module.parametrizations = ModuleDict()
        _inject_property(module, tensor_name)
        module.parametrizations[tensor_name] = plist
    else:
        raise ValueError(f"Module '{module}' does not have a parameter, a buffer, or a "
                         f"parametrized element with name '{tensor_name}'")
    return module


def is_parametrized(module: Module, tensor_name: str | None = None) -> bool:
    """Whether ``module`` has a parametrization on ``tensor_name`` (on any tensor when it
    is None).

    >>> P.is_parametrized(nn.Linear(2, 2))
    False
    """
    parametrizations = getattr(module, "parametrizations", None)
    if not isinstance(parametrizations, ModuleDict):
        return False
    if tensor_name is None:
        return len(parametrizations) > 0
    return tensor_name in parametrizations


def remove_parametrizations(module: Module, tensor_name: str,
                            leave_parametrized: bool = True) -> Module:
    """Undo ``register_parametrization`` on ``tensor_name``: the tensor becomes a plain
    parameter (or buffer) again, holding its current parametrized value
    (``leave_parametrized=True``) or the unparametrized ``original``. When no
    parametrization is left, the module gets its class back.

    >>> layer = P.remove_parametrizations(layer, "weight")
    >>> type(layer).__name__
    'Linear'
    """
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"Module {module} does not have a parametrization on {tensor_name}")
    parametrizations = module.parametrizations[tensor_name]
    if parametrizations.is_tensor:
        original = parametrizations.original
        if leave_parametrized:
            with no_grad():
                _set_(original, getattr(module, tensor_name))  # (same object: see _set_)
    elif leave_parametrized:
        t = getattr(module, tensor_name)  # (with grad: whether it requires it is the question)
        original = Parameter(t.detach()) if t.requires_grad else t
    else:
        raise ValueError("Cannot leave unparametrized (`leave_parametrized=False`) a tensor "
                         "that is parametrized in terms of a sequence of tensors.")
    delattr(module.__class__, tensor_name)
    del module.parametrizations[tensor_name]
    _register_parameter_or_buffer(module, tensor_name, original)
    if not is_parametrized(module):
        delattr(module, "parametrizations")
        module.__class__ = module.__class__.__bases__[0]
    return module


def type_before_parametrizations(module: Module) -> type:
    """The class ``module`` had before it was parametrized (its class if it was not).

    >>> P.type_before_parametrizations(layer).__name__
    'Linear'
    """
    if is_parametrized(module):
        return module.__class__.__bases__[0]
    return type(module)


def transfer_parametrizations_and_params(from_module: Module, to_module: Module,
                                         tensor_name: str | None = None) -> Module:
    """Register ``from_module``'s parametrizations (of ``tensor_name``, or all) on
    ``to_module`` too, with the same original tensors (created in ``to_module`` when it
    lacks the tensor). Returns ``to_module``.

    >>> other = P.transfer_parametrizations_and_params(layer, nn.Linear(3, 3))
    """
    if not is_parametrized(from_module):
        return to_module
    names = list(from_module.parametrizations) if tensor_name is None else [tensor_name]
    for name in names:
        if not hasattr(to_module, name):
            setattr(to_module, name, Parameter(getattr(from_module, name)))
        source = from_module.parametrizations[name]
        for parametrization in source:
            register_parametrization(to_module, name, parametrization)
        target = to_module.parametrizations[name]
        if hasattr(source, "original"):
            target.original = source.original
            continue
        i = 0
        while hasattr(source, f"original{i}"):
            setattr(target, f"original{i}", getattr(source, f"original{i}"))
            i += 1
    return to_module
