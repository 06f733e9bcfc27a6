"""tinygrad_edu: a small, fast, honest autograd framework on numpy with PyTorch's API.

>>> import tinygrad_edu as tg
>>> x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> (x ** 2).sum().backward()
>>> x.grad
tensor([2., 4., 6.])
"""

from __future__ import annotations

import builtins
import importlib
import math
import warnings
from typing import Any

from . import _malloc, autograd, dtypes
from . import teaching as teaching  # (turns itself on when TINYGRAD_EDU_TEACHING=1)
from . import tensor as _tensor_module  # noqa: F401  (first: `tensor` is then tg.tensor())
from ._device import device, get_default_device, set_default_device
from .autograd import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .autograd.anomaly import (
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    set_anomaly_enabled,
)
from .creation import (
    arange,
    as_tensor,
    asarray,
    bernoulli,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    get_rng_state,
    initial_seed,
    linspace,
    logspace,
    manual_seed,
    multinomial,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    range,
    scalar_tensor,
    seed,
    set_rng_state,
    tensor,
    zeros,
    zeros_like,
)
from .dtypes import (
    DType,
    bool,
    double,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    set_default_dtype,
    short,
    uint8,
)
from .functional import *  # noqa: F401,F403  (tg.exp, tg.sum, tg.cat, ... )
from .functional import __all__ as _functional_all
from .settings import (
    are_deterministic_algorithms_enabled,
    get_deterministic_debug_mode,
    get_float32_matmul_precision,
    is_deterministic_algorithms_warn_only_enabled,
    is_warn_always_enabled,
    set_deterministic_debug_mode,
    set_float32_matmul_precision,
    set_flush_denormal,
    set_warn_always,
    use_deterministic_algorithms,
)
from .tensor import Size, Tensor
from .threads import (
    get_num_interop_threads,
    get_num_threads,
    set_num_interop_threads,
    set_num_threads,
)
from .type_info import can_cast, finfo, iinfo, promote_types, result_type
from .windows import (
    bartlett_window,
    blackman_window,
    hamming_window,
    hann_window,
    kaiser_window,
)

from .parity.out_argument import FUNCTIONS_WITH_OUT, accepts_out  # isort: skip

for _name in FUNCTIONS_WITH_OUT:  # tg.add(a, b, out=c), as PyTorch's
    globals()[_name] = accepts_out(globals()[_name], _name)

__version__ = "0.1.0"
_malloc.tune()  # reuse freed buffers (see _malloc.py); TINYGRAD_EDU_NO_MALLOPT=1 disables
# numpy's floating-point warnings (log(-1) -> nan, 1/0 -> inf) are not PyTorch's behaviour:
# it returns nan/inf silently. tg.autograd.detect_anomaly() is the tool to find them.
warnings.filterwarnings("ignore", r"(invalid value|divide by zero|overflow|underflow) "
                        r"encountered", RuntimeWarning, r"tinygrad_edu\.")
_pybool = builtins.bool  # the builtins, hidden here by the dtype names bool/int
_pyint = builtins.int
dtype = DType
pi, e, inf, nan = math.pi, math.e, math.inf, math.nan  # torch.pi, ...: Python floats
newaxis = None  # x[:, tg.newaxis], as numpy's

_LAZY = {"nn", "optim", "utils", "viz", "datasets", "random", "cuda", "backends", "linalg",
         "exercises", "special", "amp", "cpu", "distributions", "func", "accelerator", "testing",
         "onnx", "serialization"}
_LAZY_ATTRS = {"save": "serialization", "load": "serialization", "Generator": "random",
               "default_generator": "random",
               "set_teaching_mode": "teaching", "autocast": "amp", "is_autocast_enabled": "amp",
               "get_autocast_dtype": "amp", "compile": "compiler", "vmap": "func",
               "poisson": "distributions.samplers", "binomial": "distributions.samplers",
               # torch.conv2d, torch.dropout, ...: nn.functional's, at the top as in PyTorch
               **dict.fromkeys(("conv1d", "conv2d", "conv3d", "conv_transpose1d",
                                "conv_transpose2d", "conv_transpose3d", "celu",
                                "selu", "prelu", "rrelu", "threshold", "hardshrink",
                                "bilinear", "pixel_shuffle", "pixel_unshuffle",
                                "pairwise_distance", "cosine_similarity", "layer_norm",
                                "group_norm", "adaptive_avg_pool1d", "rms_norm",
                                "channel_shuffle", "celu_", "selu_", "rrelu_", "threshold_"),
                                "nn.functional"),
               # ... and those whose torch.* signature differs from F's (batch_norm takes
               # the weight first, losses an int reduction, ...): nn_at_top.py
               **dict.fromkeys(("max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d",
                                "adaptive_max_pool1d", "embedding", "batch_norm",
                                "instance_norm", "constant_pad_nd", "dropout", "dropout_",
                                "alpha_dropout", "alpha_dropout_", "feature_alpha_dropout",
                                "feature_alpha_dropout_", "kl_div",
                                "binary_cross_entropy_with_logits", "margin_ranking_loss",
                                "hinge_embedding_loss", "cosine_embedding_loss",
                                "triplet_margin_loss", "poisson_nll_loss"), "nn_at_top"),
               **dict.fromkeys(("clear_autocast_cache", "is_autocast_cache_enabled",
                                "set_autocast_cache_enabled"), "amp"),
               **{name: "legacy" for name in ("FloatTensor", "DoubleTensor", "HalfTensor",
                                              "LongTensor", "IntTensor", "ShortTensor",
                                              "CharTensor", "ByteTensor", "BoolTensor")}}


def __getattr__(name: str) -> Any:
    """Import submodules (nn, optim, utils, viz, ...) on first use: import stays fast."""
    if name in _LAZY:
        return importlib.import_module(f".{name}", __name__)
    if name == "bfloat16":  # numpy has none: ml_dtypes', imported on first use
        return dtypes._bfloat16()
    if name in _LAZY_ATTRS:
        module = importlib.import_module(f".{_LAZY_ATTRS[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module 'tinygrad_edu' has no attribute '{name}'")


def is_tensor(obj: Any) -> _pybool:
    """True if ``obj`` is a Tensor."""
    return isinstance(obj, Tensor)


def numel(t: Tensor) -> _pyint:
    """The number of elements of ``t``."""
    return t.numel()


def typename(obj: Any) -> str:
    """A tensor's type name (``'torch.FloatTensor'``, as ``t.type()``), else the module
    and name of ``obj`` (of its class, for an instance).

    >>> tg.typename(tg.zeros(1)), tg.typename(1)
    ('torch.FloatTensor', 'int')
    """
    if isinstance(obj, Tensor):
        return obj.type()  # type: ignore[no-any-return]
    if hasattr(obj, "__qualname__") or hasattr(obj, "__name__"):
        module, name = getattr(obj, "__module__", "") or "", getattr(
            obj, "__qualname__", getattr(obj, "__name__", ""))
    else:
        module, name = obj.__class__.__module__ or "", obj.__class__.__qualname__
    return name if module in ("", "builtins") else f"{module}.{name}"


__all__ = [
    "Tensor", "Size", "tensor", "as_tensor", "from_numpy", "zeros", "ones", "full", "empty",
    "eye", "arange", "linspace", "logspace", "zeros_like", "ones_like", "full_like",
    "empty_like", "rand", "randn", "randint", "randperm", "normal", "rand_like",
    "randn_like", "randint_like", "manual_seed", "seed", "initial_seed", "get_rng_state",
    "set_rng_state", "bernoulli", "multinomial", "no_grad", "enable_grad",
    "set_grad_enabled", "inference_mode", "is_grad_enabled", "is_inference_mode_enabled",
    "autograd", "dtypes", "is_tensor", "numel", "typename", "DType", "dtype",
    "asarray", "scalar_tensor", "range", "finfo", "iinfo", "promote_types", "result_type",
    "can_cast", "set_num_threads", "get_num_threads", "set_num_interop_threads",
    "get_num_interop_threads",
    "float16", "half", "float32", "float", "float64", "double",
    "int8", "int16", "short", "int32", "int", "int64", "long", "uint8", "bool",
    "get_default_dtype", "set_default_dtype", "device", "get_default_device",
    "set_default_device", "pi", "e", "inf", "nan", "newaxis", "is_anomaly_enabled",
    "is_anomaly_check_nan_enabled", "set_anomaly_enabled", "use_deterministic_algorithms",
    "are_deterministic_algorithms_enabled", "is_deterministic_algorithms_warn_only_enabled",
    "set_deterministic_debug_mode", "get_deterministic_debug_mode",
    "set_float32_matmul_precision", "get_float32_matmul_precision", "set_flush_denormal",
    "set_warn_always", "is_warn_always_enabled", "hann_window", "hamming_window",
    "blackman_window", "bartlett_window", "kaiser_window", *_functional_all,
]
