"""``tg.autocast`` / ``tg.amp.autocast``: mixed precision on the CPU, as PyTorch's.

Inside ``with tg.autocast("cpu"):`` each op on PyTorch's CPU autocast lists casts its
floating inputs first, by the op's policy in ``POLICIES`` (PyTorch's own table, in
aten/src/ATen/autocast_mode.cpp, for the ops tinygrad_edu has):

- ``lower_precision_fp`` (matmul, linear, convolutions, ...): to the autocast dtype
  (bfloat16 unless ``dtype=`` says float16), and computes in it;
- ``fp32`` (losses, linear algebra, 3-d pooling, reflection/replication padding, ``prod``,
  ``cdist``, ``trace``, ...): to float32;
- ``promote`` (``cat``, ``stack``, ``index_copy``): to the widest floating dtype among them.

float64 tensors and non-floating ones are never cast. Every other op runs in its inputs'
dtype. The casts are recorded (``ToCopyBackward0``), so gradients flow back to each leaf
in its own dtype. As in PyTorch, the lower-precision cast of a float32 leaf that requires
grad (a weight) is made once per autocast region and reused: the cache empties when the
outermost ``autocast`` exits.

The state is one per thread, as grad mode's is. An op asks at its entry, with one cheap
check when autocast is off: a hot op calls ``autocast_args("matmul", a, b)``, which
returns its tensors unchanged when autocast is off; any other op is wrapped in
``@autocast_op("cdist")``, which also runs the op's body with autocast off, as PyTorch
does (a float32 op's inner matmul stays in float32). A CUDA autocast warns and does
nothing: there is no CUDA here.
"""

from __future__ import annotations

import functools
import inspect
import threading
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _device, dtypes
from ..core import grad_mode
from ..dtypes import FLOATING
from ..parity.decorators import DecoratorContextManager

# the autocast dtype each device type starts with, as PyTorch's
_DEFAULT_DTYPES = {"cpu": "bfloat16", "cuda": "float16", "mps": "float16", "xpu": "float16",
                   "hpu": "bfloat16"}

LOWER, FP32, PROMOTE = "lower_precision_fp", "fp32", "promote"

# PyTorch's CPU autocast table (TORCH_LIBRARY_IMPL(aten, AutocastCPU, m) in
# aten/src/ATen/autocast_mode.cpp), for the ops tinygrad_edu has; the aten name first,
# where tinygrad_edu's op is called otherwise. Each was checked against torch 2.13.
POLICIES: dict[str, str] = {
    # lower precision: compute in the autocast dtype
    "conv1d": LOWER, "conv2d": LOWER, "conv3d": LOWER, "conv_transpose1d": LOWER,
    "conv_transpose2d": LOWER, "conv_transpose3d": LOWER, "bmm": LOWER, "mm": LOWER,
    "linalg_vecdot": LOWER, "baddbmm": LOWER, "addmm": LOWER, "addbmm": LOWER,
    "linear": LOWER, "matmul": LOWER, "prelu": LOWER, "scaled_dot_product_attention": LOWER,
    # float32: reductions and kernels that lose too much in 8 bits of mantissa
    "avg_pool3d": FP32, "binary_cross_entropy": FP32, "grid_sampler": FP32, "prod": FP32,
    "quantile": FP32, "nanquantile": FP32, "cdist": FP32, "trace": FP32,
    "cholesky": FP32,  # (torch.cholesky: not in the table, but torch 2.13 casts it too)
    "pinverse": FP32, "max_pool3d": FP32, "max_unpool2d": FP32, "max_unpool3d": FP32,
    "adaptive_avg_pool3d": FP32, "adaptive_max_pool3d": FP32, "reflection_pad1d": FP32,
    "reflection_pad2d": FP32, "replication_pad1d": FP32, "replication_pad2d": FP32,
    "replication_pad3d": FP32, "mse_loss": FP32, "cosine_embedding_loss": FP32,
    "nll_loss": FP32, "hinge_embedding_loss": FP32, "poisson_nll_loss": FP32,
    "smooth_l1_loss": FP32, "cross_entropy_loss": FP32, "l1_loss": FP32, "huber_loss": FP32,
    "margin_ranking_loss": FP32, "soft_margin_loss": FP32, "triplet_margin_loss": FP32,
    "multi_margin_loss": FP32, "kl_div": FP32, "multilabel_margin_loss": FP32,
    "binary_cross_entropy_with_logits": FP32, "linalg_cond": FP32,
    "linalg_matrix_rank": FP32, "linalg_solve": FP32, "linalg_cholesky": FP32,
    "linalg_cholesky_ex": FP32, "linalg_svdvals": FP32, "linalg_eigvalsh": FP32,
    "linalg_inv": FP32, "linalg_inv_ex": FP32, "_lu_with_info": FP32, "linalg_qr": FP32,
    "linalg_svd": FP32, "linalg_eigh": FP32, "linalg_lstsq": FP32,
    # promote: all to the widest floating dtype among the inputs
    "stack": PROMOTE, "cat": PROMOTE, "index_copy": PROMOTE,
}


class _AutocastState(threading.local):
    """Per thread: which device types autocast, and to which dtype."""

    def __init__(self) -> None:
        self.enabled: dict[str, bool] = {}
        self.dtype: dict[str, Any] = {}
        self.nesting = 0  # how many autocast regions are open (the cache empties at 0)
        self.cache_enabled = True
        self.cache: dict[int, tuple[Any, Any]] = {}  # id(leaf) -> (leaf, its cast)


_state = _AutocastState()


def _default_dtype(device_type: str) -> Any:
    name = _DEFAULT_DTYPES.get(device_type, "float16")
    return dtypes._bfloat16() if name == "bfloat16" else dtypes.float16


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """Whether autocast is on for ``device_type`` (CUDA when not given: always False here).

    >>> with tg.autocast("cpu"):
    ...     tg.is_autocast_enabled("cpu")
    True
    """
    device_type = "cuda" if device_type is None else _device.device(device_type).type
    return _state.enabled.get(device_type, False)


def get_autocast_dtype(device_type: str) -> Any:
    """The dtype autocast computes in on ``device_type`` (bfloat16 on the CPU by default).

    >>> tg.get_autocast_dtype("cpu")
    tinygrad_edu.bfloat16
    """
    device_type = _device.device(device_type).type
    return _state.dtype.get(device_type) or _default_dtype(device_type)


def is_autocast_cache_enabled() -> bool:
    """Whether autocast keeps the casts of weights for reuse (True unless turned off by
    ``set_autocast_cache_enabled(False)`` or ``autocast(..., cache_enabled=False)``)."""
    return _state.cache_enabled


def set_autocast_cache_enabled(enabled: bool) -> None:
    """Turn the cache of autocast's casts on or off (in this thread)."""
    _state.cache_enabled = bool(enabled)


def clear_autocast_cache() -> None:
    """Forget the cached casts (the outermost ``autocast`` does this when it exits)."""
    _state.cache.clear()


def _cast(tensor: Any, dtype: Any) -> Any:
    """``tensor`` in ``dtype`` if it is a floating tensor other than float64 (PyTorch's
    "eligible" tensors), a list or tuple of them likewise; anything else unchanged. The
    lower-precision cast of a float32 leaf that requires grad is cached (PyTorch's
    ``cached_cast``): the same weight used twice has one cast, one ``ToCopyBackward0``."""
    if isinstance(tensor, (list, tuple)):
        return type(tensor)(_cast(t, dtype) for t in tensor)
    data = getattr(tensor, "_data", None)
    if data is None or data.dtype not in FLOATING or data.dtype in (np.float64, dtype.np):
        return tensor
    if not (dtype is _state.dtype["cpu"] and data.dtype == np.float32 and tensor.requires_grad
            and tensor.is_leaf and tensor._base is None and _state.cache_enabled
            and not grad_mode._state.inference):
        return tensor.to(dtype)
    cached = _state.cache.get(id(tensor))
    if cached is None or cached[0] is not tensor:  # (the leaf is kept: its id stays its own)
        with grad_mode.enable_grad():  # (recorded under no_grad too: reused outside it)
            cached = _state.cache[id(tensor)] = (tensor, tensor.to(dtype))
    return cached[1]


def _promoted(tensors: tuple[Any, ...]) -> Any:
    """The dtype the ``promote`` policy casts to: float32 if a floating input is float32
    (float64 ones are left out), else the autocast dtype; PyTorch's error for a mix of
    float16 and bfloat16."""
    flat = [t for x in tensors for t in (x if isinstance(x, (list, tuple)) else (x,))]
    target = _state.dtype["cpu"]
    for t in flat:
        data = getattr(t, "_data", None)
        if data is None or data.dtype not in FLOATING or data.dtype == np.float64:
            continue
        if data.dtype == np.float32:
            target = dtypes.float32
        elif target is not dtypes.float32 and data.dtype != target.np:
            raise RuntimeError("Unexpected floating ScalarType in at::autocast::prioritize")
    return target


def _cast_for(op: str, tensors: tuple[Any, ...]) -> tuple[Any, ...]:
    policy = POLICIES[op]
    dtype = (_state.dtype["cpu"] if policy == LOWER else dtypes.float32 if policy == FP32
             else _promoted(tensors))
    return tuple(_cast(t, dtype) for t in tensors)


def autocast_args(op: str, *tensors: Any) -> tuple[Any, ...]:
    """The tensors cast by ``op``'s policy in ``POLICIES`` inside ``tg.autocast("cpu")``;
    unchanged outside (one check: the hot ops call this at their entry).

    >>> from tinygrad_edu.amp.autocast_mode import autocast_args
    >>> with tg.autocast("cpu"):
    ...     [t.dtype for t in autocast_args("mm", tg.ones(1), tg.ones(1, dtype=tg.float64))]
    [tinygrad_edu.bfloat16, tinygrad_edu.float64]
    """
    if not _state.enabled.get("cpu"):
        return tensors
    return _cast_for(op, tensors)


def autocast_op(op: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: inside ``tg.autocast("cpu")`` the function's tensor arguments (and lists
    of them) are cast by ``op``'s policy, and its body runs with autocast off, as PyTorch
    runs an op of its lists; outside, the function runs as it is. A call with ``out=``
    is not autocast (PyTorch's lists hold no out= variant)."""
    POLICIES[op]  # (a name missing from the table fails at import)

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            if not _state.enabled.get("cpu") or kwargs.get("out") is not None:
                return fn(*args, **kwargs)
            keys = list(kwargs)
            cast = _cast_for(op, (*args, *kwargs.values()))
            args, kwargs = cast[:len(args)], dict(zip(keys, cast[len(args):]))
            _state.enabled["cpu"] = False
            try:
                return fn(*args, **kwargs)
            finally:
                _state.enabled["cpu"] = True
        run.__signature__ = inspect.signature(fn)  # type: ignore[attr-defined]
        return run
    return decorate


class autocast(DecoratorContextManager):  # noqa: N801  (PyTorch's name)
    """Runs the ops inside in mixed precision on ``device_type``, as ``torch.autocast``:
    a context manager or a decorator.

    ``"cpu"`` autocasts to ``dtype`` (bfloat16 by default; float16 also allowed; any other
    dtype warns and disables it); ``"cuda"`` warns that CUDA is not available and does
    nothing. ``cache_enabled`` (default: as the enclosing region, True at first) keeps the
    lower-precision casts of leaves that require grad for reuse until the outermost
    autocast exits.

    >>> with tg.autocast("cpu"):
    ...     (tg.ones(2, 3) @ tg.ones(3, 2)).dtype
    tinygrad_edu.bfloat16
    """

    def __init__(self, device_type: str, dtype: Any = None, enabled: bool = True,
                 cache_enabled: bool | None = None) -> None:
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        self.device = _device.device(device_type).type  # (PyTorch's error for a bad name)
        self.fast_dtype = get_autocast_dtype(self.device) if dtype is None else dtype
        self._enabled = enabled
        self._cache_enabled = cache_enabled
        self._previous: list[tuple[bool, Any, bool]] = []
        if self.device == "cuda" and enabled:
            warnings.warn("CUDA is not available or torch_xla is imported. Disabling autocast.",
                          UserWarning, stacklevel=2)
            self._enabled = False
        if self.device == "cpu" and enabled and self.fast_dtype not in (
                dtypes._bfloat16(), dtypes.float16):
            warnings.warn("In CPU autocast, but the target dtype is not supported. Disabling "
                          "autocast.\nCPU Autocast only supports dtypes of torch.bfloat16, "
                          "torch.float16 currently.", UserWarning, stacklevel=2)
            self._enabled = False

    def __enter__(self) -> None:
        self._previous.append((is_autocast_enabled(self.device),
                               _state.dtype.get(self.device), _state.cache_enabled))
        _state.enabled[self.device] = self._enabled
        _state.dtype[self.device] = self.fast_dtype
        _state.nesting += 1
        if self._cache_enabled is not None:
            _state.cache_enabled = self._cache_enabled

    def __exit__(self, *exc: object) -> None:
        _state.nesting -= 1
        if _state.nesting == 0:
            clear_autocast_cache()
        (_state.enabled[self.device], _state.dtype[self.device],
         _state.cache_enabled) = self._previous.pop()
