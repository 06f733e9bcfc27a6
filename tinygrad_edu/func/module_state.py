"""A module as a function of its parameters: ``functional_call`` runs it with other tensors
in their places, ``stack_module_state`` stacks the state of several copies (an ensemble).

This is what lets the transforms differentiate a model: ``grad`` wants a function of
tensors, and ``functional_call(model, params, (x,))`` is one. The swap writes the given
tensors into the modules' ``_parameters`` / ``_buffers`` for the call and puts the
originals back afterwards (also when the call raises), as PyTorch's does.

>>> model = tg.nn.Linear(2, 1)
>>> params = {"weight": tg.ones(1, 2), "bias": tg.zeros(1)}
>>> functional_call(model, params, (tg.tensor([[1.0, 2.0]]),))
tensor([[3.]])
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ..ops.join import stack
from ..tensor import Tensor

if TYPE_CHECKING:  # (not imported: nn.utils.stateless imports this file while nn loads)
    from ..nn.modules.module import Module

__all__ = ["functional_call", "stack_module_state"]

_MISSING: Any = object()  # (an attribute the module did not have before the swap)


def functional_call(module: Module, parameter_and_buffer_dicts: Any, args: Any = None,
                    kwargs: dict[str, Any] | None = None, *, tie_weights: bool = True,
                    strict: bool = False) -> Any:
    """``module(*args, **kwargs)`` with the tensors of ``parameter_and_buffer_dicts`` (a
    dict ``{"layer.weight": tensor, ...}``, or a sequence of such dicts, e.g. ``(params,
    buffers)``) in place of its parameters and buffers; gradients flow to those tensors.

    ``args`` that is not a tuple is one argument. With ``tie_weights`` a tensor given for
    one of several tied names (a shared parameter) is used for all of them; ``strict``
    requires exactly the module's names. In-place reassignments made by the module
    (``self.count = self.count + 1``) land in the given dict, not in the module.

    >>> model = tg.nn.Linear(2, 1)
    >>> w = tg.ones(1, 2, requires_grad=True)
    >>> functional_call(model, {"weight": w}, tg.ones(1, 2)).sum().backward()
    >>> w.grad
    tensor([[1., 1.]])
    """
    if isinstance(parameter_and_buffer_dicts, dict):
        merged = parameter_and_buffer_dicts
    elif isinstance(parameter_and_buffer_dicts, Sequence):
        if not all(isinstance(d, dict) for d in parameter_and_buffer_dicts):
            raise ValueError("Expected all elements of parameter_and_buffer_dicts to be "
                             "dictionaries")
        counts: dict[str, int] = {}
        for d in parameter_and_buffer_dicts:
            for k in d:
                counts[k] = counts.get(k, 0) + 1
        repeated = [k for k, n in counts.items() if n > 1]
        if repeated:
            raise ValueError(f"{repeated} appeared in multiple dictionaries; behavior of "
                             "functional call is ambiguous")
        merged = {k: v for d in parameter_and_buffer_dicts for k, v in d.items()}
    else:
        raise ValueError("Expected parameter_and_buffer_dicts to be a dict, or a list/tuple "
                         f"of dicts, but got {type(parameter_and_buffer_dicts)}")
    return call_with_state(module, merged, args, kwargs, tie_weights=tie_weights,
                           strict=strict)


def call_with_state(module: Module, parameters_and_buffers: dict[str, Any], args: Any,
                    kwargs: dict[str, Any] | None, *, tie_weights: bool,
                    strict: bool) -> Any:
    """The call behind ``functional_call``, given one dict (``nn.utils.stateless``'s too).

    >>> call_with_state(tg.nn.Identity(), {}, (tg.ones(1),), None, tie_weights=True,
    ...                 strict=False)
    tensor([1.])
    """
    args = () if args is None else args if isinstance(args, tuple) else (args,)
    with _reparametrize(module, parameters_and_buffers, tie_weights, strict):
        return module(*args, **(kwargs or {}))


# ---------------------------------------------------------------------------- the swap
@contextlib.contextmanager
def _reparametrize(module: Module, given: dict[str, Any], tie_weights: bool,
                   strict: bool) -> Iterator[None]:
    """The tensors of ``given`` in the module for the block; the originals back after it,
    and into ``given`` what the module reassigned meanwhile."""
    untied = _untie(module, given) if tie_weights else given
    if strict:
        _check_keys(module, untied)
    originals: dict[str, Any] = {}
    try:
        for name, tensor in untied.items():
            originals[name] = _swap(module, name, tensor)
        yield
    finally:
        final = {name: _swap(module, name, orig) for name, orig in originals.items()}
        given.update({k: final[k] for k in given if k in final})


def _submodule(module: Module, path: str) -> Module:
    """The module at the dotted ``path`` (``""``: ``module``), with PyTorch's errors."""
    for attr in path.split(".") if path else ():
        try:
            child = getattr(module, attr)
        except AttributeError as ex:
            raise AttributeError(f"{module._get_name()} has no attribute `{attr}`") from ex
        if not _is_module(child):
            raise TypeError(f"submodule `{path}`: {child} is not an instance of "
                            "tinygrad_edu.nn.Module")
        module = child
    return module


def _is_module(obj: Any) -> bool:
    """A Module is what keeps the registries the swap writes into."""
    return hasattr(obj, "_parameters") and hasattr(obj, "_buffers") and callable(obj)


def _swap(root: Module, name: str, tensor: Any) -> Any:
    """Put ``tensor`` at the dotted ``name`` (straight into ``_parameters`` / ``_buffers``,
    skipping ``__setattr__``'s Parameter check: any tensor may stand in); return what was
    there (``_MISSING`` if nothing; swapping ``_MISSING`` in deletes)."""
    prefix, _, attr = name.rpartition(".")
    module = _submodule(root, prefix)
    if tensor is not _MISSING and tensor is not None and not isinstance(tensor, Tensor):
        raise TypeError(f"{tensor} is not an instance of tinygrad_edu.Tensor")
    for registry in (module._parameters, module._buffers):
        if attr in registry:
            orig = registry[attr]
            if tensor is _MISSING:
                del registry[attr]
            else:
                registry[attr] = tensor
            return orig
    orig = getattr(module, attr, _MISSING)
    if orig is not _MISSING and orig is not None and not isinstance(orig, Tensor):
        raise TypeError(f"attribute `{attr}`: {orig} is not an instance of tinygrad_edu.Tensor")
    if tensor is not _MISSING:
        setattr(module, attr, tensor)
    elif hasattr(module, attr):
        delattr(module, attr)
    return orig


def _named_tensors(module: Module) -> dict[str, Any]:
    """Every parameter and buffer under each of its names (tied ones too)."""
    named: dict[str, Any] = dict(module.named_parameters(remove_duplicate=False))
    named.update(module.named_buffers(remove_duplicate=False))
    return named


def _untie(module: Module, given: dict[str, Any]) -> dict[str, Any]:
    """``given`` with a value for every name tied to a given name (one tensor registered
    under several names), as PyTorch's ``_untie_named_tensors_map``."""
    names_of: dict[int, set[str]] = {}
    for name, tensor in _named_tensors(module).items():
        names_of.setdefault(id(tensor), set()).add(name)
    tied = {name: names for names in names_of.values() if len(names) > 1 for name in names}
    given_tied = [name for name in given if name in tied]
    for name in given_tied:
        values = {id(given[n]) for n in tied[name] if n in given}
        if len(values) > 1:
            raise ValueError(f"functional_call got multiple values for keys "
                             f"{sorted(tied[name])}, which are tied. Consider using "
                             "tie_weights=False")
    untied = dict(given)
    for name in given_tied:
        for other in tied[name]:
            untied[other] = given[name]
    return untied


def _check_keys(module: Module, given: dict[str, Any]) -> None:
    """``strict``: the given names are exactly the module's (PyTorch's message)."""
    valid = set(_named_tensors(module))
    missing, unexpected = sorted(valid - set(given)), sorted(set(given) - valid)
    errors = []
    if unexpected:
        errors.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
    if missing:
        errors.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
    if errors:
        raise RuntimeError("Error(s) in reparametrizing for {}:\n\t{}".format(
            module._get_name(), "\n\t".join(errors)))


# ---------------------------------------------------------------------------- ensembles
def stack_module_state(models: Sequence[Module]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The parameters and buffers of same-class ``models`` stacked along a new first dim:
    ``(params, buffers)``, each ``{name: stacked}``, ready for ``vmap`` over
    ``functional_call`` (model ensembling). Stacked parameters are new leaves that require
    grad (when the models' do).

    >>> params, buffers = stack_module_state([tg.nn.Linear(3, 2) for _ in range(4)])
    >>> params["weight"].shape
    tinygrad_edu.Size([4, 2, 3])
    """
    if len(models) == 0:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if not (all(m.training for m in models) or all(not m.training for m in models)):
        raise RuntimeError("stack_module_state: Expected all models to have the same "
                           "training/eval mode.")
    if not all(type(m) is type(models[0]) for m in models):
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")
    all_params = [dict(m.named_parameters()) for m in models]
    all_buffers = [dict(m.named_buffers()) for m in models]
    params = {k: _stacked_leaf([p[k] for p in all_params], k) for k in all_params[0]}
    buffers = {k: _stacked_leaf([b[k] for b in all_buffers], k) for k in all_buffers[0]}
    return params, buffers


def _stacked_leaf(tensors: list[Tensor], name: str) -> Tensor:
    requires = [t.requires_grad for t in tensors]
    if any(requires) and not all(requires):
        raise RuntimeError(f"Expected {name} from each model to have the same .requires_grad")
    result = stack(tensors)
    return result.detach().requires_grad_() if all(requires) else result
