"""``torch.nn.utils.stateless``: ``functional_call``, deprecated in PyTorch 2.0 in favour of
``torch.func.functional_call`` (``tinygrad_edu.func.functional_call``), which it calls.

>>> import warnings
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")
...     functional_call(tg.nn.Linear(1, 1), {"weight": tg.ones(1, 1), "bias": tg.ones(1)},
...                     (tg.ones(1, 1),))
tensor([[2.]])
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from ...func.module_state import call_with_state

if TYPE_CHECKING:
    from ..modules.module import Module

__all__ = ["functional_call"]


def functional_call(module: Module, parameters_and_buffers: dict[str, Any], args: Any = None,
                    kwargs: dict[str, Any] | None = None, *, tie_weights: bool = True,
                    strict: bool = False) -> Any:
    """``module(*args, **kwargs)`` with the tensors of ``parameters_and_buffers`` in place of
    its parameters and buffers (one dict only); as ``tinygrad_edu.func.functional_call``,
    with PyTorch's deprecation warning.
    """
    warnings.warn("`torch.nn.utils.stateless.functional_call` is deprecated as of PyTorch 2.0 "
                  "and will be removed in a future version of PyTorch. Please use "
                  "`torch.func.functional_call` instead which is a drop-in replacement.",
                  FutureWarning, stacklevel=2)
    return call_with_state(module, parameters_and_buffers, args, kwargs,
                           tie_weights=tie_weights, strict=strict)
