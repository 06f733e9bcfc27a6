"""``tg.amp.GradScaler``: loss scaling for mixed precision, as ``torch.amp.GradScaler``.

Small float16 gradients underflow to 0; multiplying the loss by a large ``scale`` keeps
them representable. Before the optimizer steps, the gradients are divided back
(``unscale_``); if any is inf or nan the step is skipped and the scale shrinks
(``scale *= backoff_factor``); after ``growth_interval`` clean steps in a row it grows
(``scale *= growth_factor``).

A ``"cuda"`` scaler (the default) disables itself with PyTorch's warning, as on a machine
without CUDA; ``GradScaler("cpu")`` really scales.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtypes
from ..core.grad_mode import no_grad
from ..creation import full
from ..tensor_base import TensorBase

if TYPE_CHECKING:
    from ..tensor import Tensor

_FIX = ("This may indicate your script did not use scaler.scale(loss or outputs) earlier "
        "in the iteration.")


class GradScaler:
    """Scales the loss and unscales the gradients, skipping steps with inf/nan gradients.

    >>> scaler = tg.amp.GradScaler("cpu")
    >>> scaler.scale(loss).backward(); scaler.step(optimizer); scaler.update()
    """

    def __init__(self, device: str = "cuda", init_scale: float = 2.0**16,
                 growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True) -> None:
        self._device = device
        self._enabled = enabled
        if device == "cuda" and enabled:
            warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not available. "
                          " Disabling.", UserWarning, stacklevel=2)
            self._enabled = False
        if self._enabled:
            if growth_factor <= 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
            self._init_scale = init_scale
            self._scale: Tensor | None = None
            self._growth_factor = growth_factor
            self._backoff_factor = backoff_factor
            self._growth_interval = growth_interval
            self._init_growth_tracker = 0
            self._growth_tracker = 0
            # per optimizer: "unscaled"/"stepped" and whether its grads held an inf/nan
            self._per_optimizer_states: dict[int, dict[str, Any]] = {}

    def _check_scale(self, funcname: str) -> Tensor:
        if self._scale is None:
            raise AssertionError(f"Attempted {funcname} but _scale is None.  " + _FIX)
        return self._scale

    def scale(self, outputs: Any) -> Any:
        """``outputs * scale`` (a tensor, or each tensor of a list/tuple); unchanged when
        disabled. The scale is a float32 scalar tensor, ``init_scale`` at first."""
        if not self._enabled:
            return outputs
        if isinstance(outputs, TensorBase):
            if self._scale is None:
                self._scale = full((), self._init_scale, dtype=dtypes.float32)
            return outputs * self._scale
        if isinstance(outputs, Iterable):
            scaled = map(self.scale, outputs)
            return type(outputs)(scaled) if isinstance(outputs, (list, tuple)) else scaled
        raise ValueError("outputs must be a Tensor or an iterable of Tensors")

    def _state(self, optimizer: Any) -> dict[str, Any]:
        return self._per_optimizer_states.setdefault(id(optimizer), {"stage": "ready"})

    def unscale_(self, optimizer: Any) -> None:
        """Divides each gradient of ``optimizer``'s parameters by the scale, in place
        (multiplies by ``float32(1 / scale)``), and records whether any is inf or nan."""
        if not self._enabled:
            return
        scale = self._check_scale("unscale_")
        state = self._state(optimizer)
        if state["stage"] == "unscaled":
            raise RuntimeError("unscale_() has already been called on this optimizer since "
                               "the last update().")
        if state["stage"] == "stepped":
            raise RuntimeError("unscale_() is being called after step().")
        inv_scale = np.float32(1.0 / float(scale.item()))
        found_inf = False
        with no_grad():
            for group in optimizer.param_groups:
                for param in group["params"]:
                    if param.grad is None:
                        continue
                    if param.grad.dtype == dtypes.float16:
                        raise ValueError("Attempting to unscale FP16 gradients.")
                    found_inf |= not bool(param.grad.isfinite().all().item())
                    param.grad.mul_(float(inv_scale))
        state["found_inf"], state["stage"] = found_inf, "unscaled"

    def step(self, optimizer: Any, *args: Any, **kwargs: Any) -> Any:
        """Unscales (if ``unscale_`` was not called) and calls ``optimizer.step()`` unless a
        gradient was inf or nan; just ``optimizer.step()`` when disabled."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is "
                               "enabled.")
        self._check_scale("step")
        state = self._state(optimizer)
        if state["stage"] == "stepped":
            raise RuntimeError("step() has already been called since the last update().")
        if state["stage"] == "ready":
            self.unscale_(optimizer)
        retval = None if state["found_inf"] else optimizer.step(*args, **kwargs)
        state["stage"] = "stepped"
        return retval

    def update(self, new_scale: float | Tensor | None = None) -> None:
        """Adjusts the scale for the next iteration: ``* backoff_factor`` if a step saw an
        inf/nan (the tracker restarts), else ``* growth_factor`` after ``growth_interval``
        clean steps in a row; or sets it to ``new_scale``."""
        if not self._enabled:
            return
        scale = self._check_scale("update")
        if new_scale is not None:
            value = new_scale if isinstance(new_scale, float) else new_scale.item()
            self._scale = full((), value, dtype=dtypes.float32)
        else:
            states = [s for s in self._per_optimizer_states.values() if "found_inf" in s]
            if not states:
                raise AssertionError("No inf checks were recorded prior to update.")
            self._scale = full((), self._updated(scale.item(), any(s["found_inf"]
                                                                  for s in states)),
                               dtype=dtypes.float32)
        self._per_optimizer_states = {}

    def _updated(self, scale: float, found_inf: bool) -> float:
        """PyTorch's ``_amp_update_scale_``, in float32."""
        if found_inf:
            self._growth_tracker = 0
            return float(np.float32(scale) * np.float32(self._backoff_factor))
        self._growth_tracker += 1
        if self._growth_tracker == self._growth_interval:
            self._growth_tracker = 0
            grown = np.float32(scale) * np.float32(self._growth_factor)
            return float(grown) if np.isfinite(grown) else scale
        return scale

    def get_scale(self) -> float:
        """The current scale (``init_scale`` before the first ``scale``); 1.0 if disabled."""
        if not self._enabled:
            return 1.0
        return self._init_scale if self._scale is None else float(self._scale.item())

    def get_growth_factor(self) -> float:
        """The factor the scale grows by."""
        return self._growth_factor

    def set_growth_factor(self, new_factor: float) -> None:
        """Sets the factor the scale grows by."""
        self._growth_factor = new_factor

    def get_backoff_factor(self) -> float:
        """The factor the scale shrinks by after an inf/nan."""
        return self._backoff_factor

    def set_backoff_factor(self, new_factor: float) -> None:
        """Sets the factor the scale shrinks by."""
        self._backoff_factor = new_factor

    def get_growth_interval(self) -> int:
        """How many clean steps in a row make the scale grow."""
        return self._growth_interval

    def set_growth_interval(self, new_interval: int) -> None:
        """Sets how many clean steps in a row make the scale grow."""
        self._growth_interval = new_interval

    def is_enabled(self) -> bool:
        """Whether this scaler scales (False for a CUDA scaler here)."""
        return self._enabled

    def state_dict(self) -> dict[str, Any]:
        """``scale``, the factors, the interval and ``_growth_tracker``; ``{}`` if disabled."""
        if not self._enabled:
            return {}
        return {"scale": self.get_scale(), "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor,
                "growth_interval": self._growth_interval,
                "_growth_tracker": self._growth_tracker}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restores what ``state_dict`` saved (nothing when disabled)."""
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved "
                               "from a disabled instance of GradScaler.")
        self._init_scale = state_dict["scale"]
        if self._scale is not None:
            self._scale = full((), state_dict["scale"], dtype=dtypes.float32)
        self._growth_factor = state_dict["growth_factor"]
        self._backoff_factor = state_dict["backoff_factor"]
        self._growth_interval = state_dict["growth_interval"]
        self._growth_tracker = state_dict["_growth_tracker"]
