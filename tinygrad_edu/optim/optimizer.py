"""``Optimizer``: the base class of SGD, Adam, AdamW and RMSprop (``torch.optim.Optimizer``).

An optimizer holds ``param_groups`` — lists of parameters, each group with its own
hyper-parameters (``lr``, ...) filled in from ``defaults`` — and ``state``, a dict from
parameter to whatever the update rule remembers (momentum buffers, moment estimates).
``step()`` updates every parameter's array in place with numpy (no graph, no copies).
"""

from __future__ import annotations

import copy
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from itertools import chain
from typing import Any

import numpy as np

from ..core.function import bump_version
from ..core.grad_mode import _teaching, enable_grad
from ..dtypes import FLOATING
from ..nn.modules.module import _typename
from ..tensor import Tensor, _wrap, reset_grads

__all__ = ["Optimizer", "required"]


class _RequiredParameter:
    """Marks a hyper-parameter that has no default (each group must give it)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required: Any = _RequiredParameter()


class Optimizer:
    """Base class: subclasses set ``defaults`` and implement ``_update(group)``.

    ``params`` is an iterable of Tensors, of ``(name, Tensor)`` pairs, or of dicts
    (parameter groups: ``{'params': [...], 'lr': 0.1}``) whose missing options take
    ``defaults``.

    >>> opt = tg.optim.SGD([{"params": model.hidden.parameters()},
    ...                     {"params": model.out.parameters(), "lr": 0.01}], lr=0.1)
    """

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of "
                f"Tensors or dicts, but got {_typename(params)}"
            )
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        groups = list(params)
        if len(groups) == 0:
            raise ValueError(
                "optimizer got an empty parameter list\nHint: pass the parameters to learn, "
                "e.g. model.parameters() of a model with layers (nn.Linear, ...); "
                "model.parameters() is a generator, used up after one pass: give each "
                "optimizer its own call, or make it a list first.")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own options (e.g. unfrozen layers)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, "
                "but the ordering of tensors in sets will change between runs. "
                "Please use a list instead."
            )
        params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        params = [p[1] if isinstance(p, tuple) else p for p in params]
        if names:
            if len(names) != len(params):
                raise ValueError(
                    "all optimizer params should be with/without names. Some "
                    "param names are missing"
                )
            param_group["param_names"] = names
        param_group["params"] = params
        self._check_params(params)
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(
                    "parameter group didn't specify a value of required "
                    f"optimization parameter {name}"
                )
            param_group.setdefault(name, default)
        if len(params) != len(set(params)):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; "
                "in future, this will cause an error; see "
                "github.com/pytorch/pytorch/issues/40967 for more information",
                stacklevel=3,
            )
        seen: set[Tensor] = set(chain.from_iterable(g["params"] for g in self.param_groups))
        if not seen.isdisjoint(set(params)):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    @staticmethod
    def _check_params(params: list[Any]) -> None:
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(
                    "optimizer can only optimize Tensors, but one of the params is " + _typename(p)
                )
            if not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")

    # ------------------------------------------------------------------ stepping
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's ``.grad``: to ``None`` (default) or to zeros.

        Call it before each ``backward()``: gradients accumulate otherwise.
        """
        reset_grads((p for group in self.param_groups for p in group["params"]), set_to_none)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a ``.grad``, in place, by the rule of this
        optimizer. ``closure`` (optional) re-evaluates the model and returns the loss."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        self._opt_called = True
        if _teaching.hooks is not None:  # tg.set_teaching_mode: see teaching.py
            _teaching.hooks.before_step(self)
        for group in self.param_groups:
            self._update(group)
        return loss

    def _update(self, group: dict[str, Any]) -> None:
        raise NotImplementedError

    @staticmethod
    def _grads(group: dict[str, Any]) -> Iterable[tuple[Tensor, np.ndarray, np.ndarray]]:
        """``(param, param array, gradient array)`` for each parameter with a gradient;
        marks the parameter as modified in place (its version counter)."""
        maximize = group.get("maximize", False)
        for p in group["params"]:
            g = p._grad
            if g is None:
                continue
            bump_version(p)  # backward checks saved tensors against it
            yield p, p._data, (-g._data if maximize else g._data)

    # ------------------------------------------------------------------ state dict
    def state_dict(self) -> dict[str, Any]:
        """``{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}``:
        parameters are replaced by their position, as PyTorch does. Save with ``tg.save``."""
        mapping: dict[int, int] = {}
        start = 0

        def pack(group: dict[str, Any]) -> dict[str, Any]:
            nonlocal start
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                mapping.setdefault(id(p), i)
            packed["params"] = [mapping[id(p)] for p in group["params"]]
            start += len(packed["params"])
            return packed

        groups = [pack(g) for g in self.param_groups]
        state = {(mapping[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyper-parameters and state from ``state_dict()`` of an optimizer built
        the same way (same groups, same numbers of parameters)."""
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(self.param_groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(
            len(g["params"]) != len(s["params"]) for g, s in zip(self.param_groups, saved_groups)
        ):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match "
                "the size of optimizer's group"
            )
        id_map = dict(
            zip(
                chain.from_iterable(g["params"] for g in saved_groups),
                chain.from_iterable(g["params"] for g in self.param_groups),
            )
        )
        state: defaultdict[Any, dict[str, Any]] = defaultdict(dict)
        for key, value in state_dict["state"].items():
            if key in id_map:
                param = id_map[key]
                state[param] = _cast_state(param, value)
            else:
                state[key] = value
        for group, saved in zip(self.param_groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
        self.state = state
        self.param_groups = saved_groups

    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:
        text = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"


def _cast_state(param: Tensor, value: Any, key: str | None = None) -> Any:
    """A copy of a saved state value; tensors (but 'step') take the parameter's dtype."""
    if isinstance(value, Tensor) or isinstance(value, np.ndarray):
        data = value._data if isinstance(value, Tensor) else value
        if key != "step" and data.dtype in FLOATING:
            data = data.astype(param._data.dtype)
        return _wrap(np.array(data))
    if isinstance(value, dict):
        return {k: _cast_state(param, v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast_state(param, v) for v in value)
    return value


def _zeros_like(p: Tensor) -> Tensor:
    return _wrap(np.zeros_like(p._data))


def _get_value(x: Any) -> Any:
    """A number the update rule reads as a Python number (the step count, NAdam's product
    of momenta, ASGD's eta and mu), as ``torch.optim.optimizer._get_value``: the value of
    a 0-d tensor as a Python float (what ``float(x)`` gives), anything else unchanged.

    While ``tg.compile`` records a step (PyTorch: while compiling), the tensor's array is a
    traced one, and this gives a *symbolic* float instead (``TracedFloat``): it follows
    the Python arithmetic done with it, so a replay recomputes the bias corrections from the
    new step count instead of reusing the old ones. (Duck-typed: ``optim`` does not import
    the compiler.) Reading ``float(x)`` directly would be a read, guarded, and stale at the
    next step: the compiled step would run eagerly.

    >>> step = _get_value(state["step"])      # 3.0
    """
    if not isinstance(x, Tensor):
        return x
    symbolic = getattr(x._data, "symbolic_float", None)
    return float(x._data) if symbolic is None else symbolic()


def _step_tensor() -> Tensor:
    """The per-parameter step count: a float32 0-d tensor, as PyTorch keeps it."""
    return _wrap(np.zeros((), dtype=np.float32))


# In-place forms of PyTorch's fused updates, in PyTorch's order of operations, with one
# temporary each (the naive expressions make two: parameters can be MBs). PyTorch's CPU
# kernels round ``x + a * b`` once (a fused multiply-add) in add(alpha=), addcmul and lerp;
# these round the product, then the sum, so an update can differ from PyTorch's in its
# last bit. parity/fma.py emulates the fused rounding exactly, but costs 5-10 times the
# update on a large parameter (SGD on a 1000 x 1000 float32 weight: 0.6 -> 6.3 ms per step),
# which would make the optimizer the slowest part of a training step: not used here.


def _decayed(grad: np.ndarray, param: np.ndarray, weight_decay: float) -> np.ndarray:
    """g.add(p, alpha=weight_decay) = g + weight_decay * p, as a new array."""
    out = np.asanyarray(param * weight_decay)  # (0-d: a scalar otherwise)
    out += grad
    return out


def _add_scaled_(a: np.ndarray, b: np.ndarray, alpha: float) -> None:
    """a.add_(b, alpha=alpha): a = a + alpha * b."""
    a += b * alpha


def _lerp_(a: np.ndarray, b: np.ndarray, weight: float) -> None:
    """a.lerp_(b, weight), by PyTorch's two formulas: a + w (b - a) for |w| < 0.5, else
    b - (b - a) (1 - w)."""
    step = b - a
    if abs(weight) < 0.5:
        step *= weight
        a += step
    else:
        step *= 1 - weight
        np.subtract(b, step, out=a)


def _addcmul_(a: np.ndarray, g: np.ndarray, value: float) -> None:
    """a.addcmul_(g, g, value=value): a = a + (value * g) * g."""
    square = g * value
    square *= g
    a += square


def _addcdiv_(a: np.ndarray, t1: np.ndarray, t2: np.ndarray, value: float) -> None:
    """a.addcdiv_(t1, t2, value=value): a = a + (value * t1) / t2."""
    update = t1 * value
    update /= t2
    a += update
