"""Making tensors: ``tensor``, ``zeros``, ``arange``, ``rand``, ... with PyTorch's dtypes.

Python floats become float32, Python ints int64, bools bool; numpy arrays keep their
dtype (float64 stays float64), as in PyTorch.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from . import _device, dtypes
from .core.function import _wrap
from .dtypes import FLOATING
from .parity import torch_range as _torch_range
from .parity.errors import requires_grad_error
from .parity.names import scalar_type_name
from .parity.out_argument import resize_out, write_out
from .parity.promotion import checked_scalar, overflows, python_scalar, scalar_dtype
from .tensor_base import TensorBase, _shape_arg

if TYPE_CHECKING:
    from .tensor import Tensor


def _np_dtype(dtype: Any, default: Any = None) -> Any:
    if dtype is None:
        return default if default is not None else dtypes.get_default_dtype().np
    return dtypes.to_dtype(dtype).np


def _finish(array: np.ndarray, requires_grad: bool) -> Tensor:
    t = _wrap(array)
    if requires_grad:
        if array.dtype not in FLOATING:
            raise requires_grad_error(t.dtype, "factory")
        t.requires_grad_(True)
    return t


def _infer(data: Any, rounded: bool = True) -> np.ndarray:
    """A fresh array from Python data, with PyTorch's dtype inference.

    ``rounded=False`` keeps Python floats in float64, for a caller that casts to an explicit
    dtype next (``tensor([0.1], dtype=tg.float64)`` must not pass through float32).
    """
    if isinstance(data, (list, tuple)) and any(isinstance(x, TensorBase) for x in _flat(data)):
        if any(isinstance(x, TensorBase) and x.requires_grad for x in _flat(data)):
            warnings.warn(
                "tg.tensor() of a list of tensors that require grad copies their values and "
                "drops the graph: gradients will not flow back. Use tg.stack(tensors) instead.",
                UserWarning, stacklevel=3,
            )
        data = _unwrap(data)
    array = np.array(data)
    if array.dtype in FLOATING and not _has_numpy_float(data) and rounded:
        array = array.astype(_sequence_float_dtype(data))
    elif array.dtype.kind in "iu" and not isinstance(data, np.ndarray | np.generic):
        array = array.astype(np.int64)
    elif array.dtype.kind not in "fiub":
        raise TypeError(f"Could not infer dtype of {type(data).__name__}"
                        if array.dtype == object else
                        f"can't convert data of type {array.dtype} to a tensor")
    return array


def _flat(data: Any) -> list[Any]:
    out, stack = [], [data]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        else:
            out.append(item)
    return out


def _unwrap(data: Any) -> Any:
    if isinstance(data, TensorBase):  # inside a list, a tensor stands for one number (as torch)
        if data._data.size != 1:
            raise ValueError(
                "only one element tensors can be converted to Python scalars. Hint: to join "
                "tensors into one, use tg.stack(tensors) (new dim) or tg.cat(tensors) (existing "
                "dim): both keep the graph."
            )
        return data._data.reshape(())
    if isinstance(data, (list, tuple)):
        return [_unwrap(x) for x in data]
    return data


def _sequence_float_dtype(data: Any) -> np.dtype:
    """The float dtype of a list, as PyTorch infers it: Python floats count as the default
    dtype, numpy floats (scalars or arrays inside the list) as their own."""
    default = dtypes.get_default_dtype().np
    found = [x.dtype if isinstance(x, (np.floating, np.ndarray)) else default
             for x in (_flat(data) if isinstance(data, (list, tuple)) else [data])
             if isinstance(x, (float, np.floating)) or
             isinstance(x, np.ndarray) and x.dtype in FLOATING]
    return np.result_type(*found) if found else default


def _has_numpy_float(data: Any) -> bool:
    """numpy float arrays (and scalars) keep their precision: float64 stays float64."""
    return isinstance(data, (np.ndarray, np.floating))


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (numbers, nested lists, numpy arrays).

    >>> tg.tensor([1, 2]).dtype, tg.tensor([1.0, 2.0]).dtype
    (tinygrad_edu.int64, tinygrad_edu.float32)
    """
    _device.check(device)
    if isinstance(data, TensorBase):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.clone()."
            "detach() or sourceTensor.clone().detach().requires_grad_(True), rather than "
            "tg.tensor(sourceTensor).", UserWarning, stacklevel=2,
        )
        array = data._data.copy()
    else:
        target = None if dtype is None else dtypes.to_dtype(dtype)
        python_data = not isinstance(data, (np.ndarray, TensorBase))
        if python_data:
            data = _check_python_ints(data, target)
        array = _infer(data, rounded=dtype is None)
        if target is not None and python_data and target.category == dtypes._INT:
            _check_fits(array, target)
    if dtype is not None:
        array = array.astype(_np_dtype(dtype), copy=False)
    return _finish(array, requires_grad)


def _check_python_ints(data: Any, target: Any) -> Any:
    """PyTorch reads Python ints as int64: one past that range raises (``tensor(2**63)``)
    where the tensor is an int one; for a float or bool dtype they are numbers (doubles)."""
    items = _flat(data) if isinstance(data, (list, tuple)) else [data]
    big = [x for x in items if type(x) is int and not -(2**63) <= x < 2**63]
    if not big:
        return data
    floats = any(isinstance(x, (float, np.floating)) for x in items)
    if (target is None and not floats) or (target is not None and
                                           target.category == dtypes._INT):
        raise ValueError("Overflow when unpacking long long")
    return _as_floats(data)


def _as_floats(data: Any) -> Any:
    if isinstance(data, (list, tuple)):
        return [_as_floats(x) for x in data]
    return float(data) if type(data) is int else data


def _check_fits(array: np.ndarray, target: Any) -> None:
    """Python values given an int dtype must fit it, as PyTorch checks (unsigned types
    take negatives down to -max: they wrap); NaN and inf never fit."""
    if array.size == 0 or array.dtype == np.bool_:
        return
    low, high = array.min(), array.max()
    if array.dtype in FLOATING and not np.isfinite(array).all():
        low = high = np.inf
    if overflows(low.item(), target) or overflows(high.item(), target):
        raise RuntimeError(f"value cannot be converted to type {target.name} without "
                           "overflow")


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """Like ``tensor`` but shares memory with a numpy array (or Tensor) when it can."""
    _device.check(device)
    if isinstance(data, TensorBase):
        return cast("Tensor", data) if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray):
        t = from_numpy(data)
        return t if dtype is None else t.to(dtype)
    return tensor(data, dtype=dtype)


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor that shares memory with ``ndarray``: changing one changes the other."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    dtypes.from_numpy(ndarray.dtype)  # raises for unsupported dtypes
    return _wrap(ndarray)


def _filled(size: Any, fill: Any, dtype: Any, requires_grad: bool) -> Tensor:
    shape = _shape_arg(size, "full", create=True)
    return _finish(np.full(shape, fill, dtype=_np_dtype(dtype)), requires_grad)


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros: ``zeros(2, 3)`` or ``zeros((2, 3))``."""
    _device.check(device)
    shape = _shape_arg(size, "zeros")
    if any(n < 0 for n in shape):
        raise RuntimeError("zeros: Dimension size must be non-negative.")
    return _finish(np.zeros(shape, dtype=_np_dtype(dtype)), requires_grad)


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones."""
    _device.check(device)
    shape = _shape_arg(size, "ones", create=True)
    return _finish(np.ones(shape, dtype=_np_dtype(dtype)), requires_grad)


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor (here: zeros, so that nothing random leaks)."""
    _device.check(device)
    shape = _shape_arg(size, "empty", create=True)
    return zeros(shape, dtype=dtype, requires_grad=requires_grad)


def full(size: Any, fill_value: Any, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor filled with ``fill_value``; the dtype follows the value (1 -> int64)."""
    _device.check(device)
    if isinstance(size, (int, np.integer)):
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not "
                        f"{type(size).__name__}")
    _shape_arg(size, "full", create=True)
    number = python_scalar(_number(fill_value))
    if number is None:
        raise TypeError(f"full(): argument 'fill_value' (position 2) must be Number, not "
                        f"{type(fill_value).__name__}")
    target = scalar_dtype(number) if dtype is None else dtypes.to_dtype(dtype)
    if isinstance(number, int) and number >= 2**63 and target.category == dtypes._FLOAT:
        number = float(number)  # (PyTorch holds such an int as a double)
    value = checked_scalar(number, target)
    return _filled(size, value, target, requires_grad)


def _like(t: Tensor, dtype: Any) -> Any:
    return t._data.dtype if dtype is None else _np_dtype(dtype)


def zeros_like(input: Tensor, dtype: Any = None, requires_grad: bool = False,
               device: Any = None) -> Tensor:
    """Zeros with ``input``'s shape (and dtype)."""
    _device.check(device)
    return _finish(np.zeros(input._data.shape, dtype=_like(input, dtype)), requires_grad)


def ones_like(input: Tensor, dtype: Any = None, requires_grad: bool = False,
              device: Any = None) -> Tensor:
    """Ones with ``input``'s shape (and dtype)."""
    _device.check(device)
    return _finish(np.ones(input._data.shape, dtype=_like(input, dtype)), requires_grad)


def empty_like(input: Tensor, dtype: Any = None, requires_grad: bool = False,
               device: Any = None) -> Tensor:
    """An uninitialised tensor with ``input``'s shape (here: zeros)."""
    _device.check(device)
    return zeros_like(input, dtype, requires_grad)


def full_like(input: Tensor, fill_value: Any, dtype: Any = None,
              requires_grad: bool = False, device: Any = None) -> Tensor:
    """``fill_value`` everywhere, with ``input``'s shape (and dtype)."""
    _device.check(device)
    array = np.full(input._data.shape, fill_value, dtype=_like(input, dtype))
    return _finish(array, requires_grad)


def _empty_like_layout(t: Tensor, dtype: Any) -> Tensor:
    """``torch.empty_like(t)``: ``t``'s shape and memory layout (a transposed ``t`` gives a
    transposed result), which decides the order a random fill draws in."""
    return _wrap(np.empty_like(t._data, dtype=_np_dtype(dtype or t.dtype)))


def rand_like(input: Tensor, dtype: Any = None, generator: Any = None,
              requires_grad: bool = False, device: Any = None) -> Tensor:
    """U(0, 1) samples with ``input``'s shape (and dtype), drawn in its memory order."""
    _device.check(device)
    return _finish(_empty_like_layout(input, dtype).uniform_(generator=generator)._data,
                   requires_grad)


def randn_like(input: Tensor, dtype: Any = None, generator: Any = None,
               requires_grad: bool = False, device: Any = None) -> Tensor:
    """N(0, 1) samples with ``input``'s shape (and dtype), drawn in its memory order."""
    _device.check(device)
    return _finish(_empty_like_layout(input, dtype).normal_(generator=generator)._data,
                   requires_grad)


def randint_like(input: Tensor, low: int = 0, high: Any = None, *, generator: Any = None,
                 dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """Random integers in [low, high) with ``input``'s shape and dtype:
    ``randint_like(t, high)`` or ``randint_like(t, low, high)``; PyTorch's stream, in
    ``input``'s memory order."""
    _device.check(device)
    if high is None:
        low, high = 0, low
    out = _empty_like_layout(input, dtype).random_(low, high, generator=generator)
    return _finish(out._data, requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, device: Any = None,
        requires_grad: bool = False) -> Tensor:
    """The identity matrix (n x m)."""
    _device.check(device)
    for name, k in (("n", n), ("m", m)):
        if k is not None and k < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {k}")
    return _finish(np.eye(n, m, dtype=_np_dtype(dtype)), requires_grad)


def arange(start: Any, end: Any = None, step: Any = 1, dtype: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """``start, start+step, ...`` below ``end``; int64 for ints, float32 otherwise."""
    _device.check(device)
    if end is None:
        start, end = 0, start
    values = [python_scalar(_number(v)) for v in (start, end, step)]
    if any(v is None for v in values):
        raise TypeError("arange(): start, end and step must be numbers")
    if dtype is None:
        is_int = all(isinstance(v, int) for v in values)
        dtype = dtypes.int64 if is_int else dtypes.get_default_dtype()
    target = dtypes.to_dtype(dtype)
    if target is dtypes.bool:
        raise NotImplementedError("\"arange_cpu\" not implemented for 'Bool'")
    start, end, step = values
    if any(isinstance(v, int) and v >= 2**63 for v in values):
        raise RuntimeError("value cannot be converted to type int64_t without overflow")
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if not (np.isfinite(start) and np.isfinite(end)):
        raise RuntimeError(f"unsupported range: {start} -> {end}")
    if target.category != dtypes._FLOAT:  # PyTorch counts in the int dtype: truncated
        if not np.isfinite(step):
            raise RuntimeError(f"unsupported range: step {step}")
        if int(step) == 0:
            raise ValueError("step must be nonzero")
        start, end, step = int(start), int(end), int(step)
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    count = max(int(np.ceil((end - start) / step)), 0)
    if target.category == dtypes._FLOAT:  # rounded as PyTorch's kernel rounds
        return _finish(_torch_range.arange(start, step, count, target.np), requires_grad)
    array = (start + np.arange(count, dtype=np.float64) * step).astype(target.np)
    return _finish(array, requires_grad)


def _number(v: Any) -> Any:
    return v.item() if isinstance(v, (TensorBase, np.generic)) else v


def linspace(start: float, end: float, steps: int, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    _device.check(device)
    _check_steps("linspace", steps, dtype)
    array = _torch_range.linspace(_number(start), _number(end), steps, np.dtype(_np_dtype(dtype)))
    return _finish(array, requires_grad)


def logspace(start: float, end: float, steps: int, base: float = 10.0, dtype: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """``base ** linspace(start, end, steps)``."""
    _device.check(device)
    _check_steps("logspace", steps, dtype)
    array = _torch_range.logspace(_number(start), _number(end), steps, base,
                                  np.dtype(_np_dtype(dtype)))
    return _finish(array, requires_grad)


def _check_steps(name: str, steps: Any, dtype: Any) -> None:
    """linspace's and logspace's checks, as PyTorch's: an int count >= 0, no bool dtype."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)):
        raise TypeError(f"{name}(): argument 'steps' must be int, not {type(steps).__name__}")
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    if steps > 1 and dtype is not None and dtypes.to_dtype(dtype) is dtypes.bool:
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for 'Bool'")


# ------------------------------------------------------------------ random
# tinygrad_edu.random (the RNG emulation, parity/rng_*) is imported on first use, for the
# speed of `import tinygrad_edu` (it costs ~15 ms, ctypes included); it imports nothing of
# this file (no cycle).
def manual_seed(seed: int) -> Any:
    """Seed the default generator: the same seed gives PyTorch's random numbers."""
    from . import random as _random

    return _random.manual_seed(seed)


def seed() -> int:
    """Seed the default generator non-deterministically and return the seed."""
    from . import random as _random

    return _random.seed()


def initial_seed() -> int:
    """The seed the default generator was last seeded with."""
    from . import random as _random

    return _random.initial_seed()


def get_rng_state() -> Tensor:
    """The default generator's state: a uint8 tensor of 5056 bytes, PyTorch's very bytes
    (``torch.set_rng_state`` loads ours, ``tg.set_rng_state`` loads PyTorch's).

    >>> s = tg.get_rng_state(); a = tg.rand(2); tg.set_rng_state(s); tg.equal(tg.rand(2), a)
    True
    """
    from . import random as _random

    state: Tensor = _random.get_rng_state()
    return state


def set_rng_state(new_state: Tensor) -> None:
    """Restore the default generator's state from ``get_rng_state()`` (ours or PyTorch's)."""
    from . import random as _random

    _random.set_rng_state(new_state)


def bernoulli(input: Tensor, p: Any = None, *, generator: Any = None,
              out: Tensor | None = None) -> Tensor:
    """0/1 samples, PyTorch's stream: ``bernoulli(probs)`` draws each element with its own
    probability (in ``probs``' dtype), ``bernoulli(input, p)`` with the number ``p`` (in
    ``input``'s shape and dtype).

    >>> _ = tg.manual_seed(0); tg.bernoulli(tg.tensor([0.0, 1.0, 0.5]))
    tensor([0., 1., 1.])
    """
    if not isinstance(input, TensorBase):
        raise TypeError(f"bernoulli(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if out is None:
        return input.bernoulli(p, generator=generator)
    if p is not None:
        raise TypeError("bernoulli() received an invalid combination of arguments - got "
                        "(Tensor, float, out=Tensor): out= goes with bernoulli(input) only")
    resize_out(out, input.shape)
    return out.bernoulli_(input, generator=generator)


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator: Any = None, out: Tensor | None = None) -> Tensor:
    """``num_samples`` category indices (int64) drawn from the weights in ``input`` (1-D, or
    one distribution per row of a 2-D tensor), with or without replacement; PyTorch's
    algorithms and stream. The weights need not sum to 1.

    Sampling names as in makemore gives PyTorch's very names:

    >>> g = tg.Generator().manual_seed(2147483647)
    >>> p = tg.tensor([0.1, 0.6, 0.3])
    >>> tg.multinomial(p, num_samples=1, replacement=True, generator=g).item()
    1
    """
    if not isinstance(input, TensorBase):
        raise TypeError(f"multinomial(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")

    data = input._data
    if out is not None and out._data.dtype != np.int64 and data.ndim in (1, 2) and \
            data.dtype in FLOATING:  # (PyTorch checks the input first, and draws after)
        raise RuntimeError(f"multinomial expects Long tensor out, got: "
                           f"{scalar_type_name(out._data.dtype)}")
    result = input.multinomial(num_samples, replacement, generator=generator)
    return result if out is None else write_out("multinomial", result, out)


def rand(*size: Any, generator: Any = None, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """Samples from U(0, 1) (PyTorch's stream for the same seed)."""
    _device.check(device)
    from . import random as _random

    shape = _shape_arg(size, "rand", create=True)
    array = _random.rand(shape, _np_dtype(dtype), generator=generator)
    return _finish(array, requires_grad)


def randn(*size: Any, generator: Any = None, dtype: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    """Samples from N(0, 1) (PyTorch's stream for the same seed)."""
    _device.check(device)
    from . import random as _random

    shape = _shape_arg(size, "randn", create=True)
    array = _random.randn(shape, _np_dtype(dtype), generator=generator)
    return _finish(array, requires_grad)


def randint(low: int, high: Any = None, size: Any = None, generator: Any = None,
            dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Random integers in [low, high): ``randint(10, (3,))`` or ``randint(2, 10, (3,))``."""
    _device.check(device)
    from . import random as _random

    if size is None:
        low, high, size = 0, low, high
    array = _random.randint(low, high, _shape_arg((size,), "randint", create=True),
                            _np_dtype(dtype, np.int64), generator=generator)
    return _finish(array, requires_grad)


def randperm(n: int, generator: Any = None, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """A random permutation of 0..n-1 (PyTorch's for the same seed)."""
    _device.check(device)
    from . import random as _random

    array = _random.randperm(n, generator=generator)
    return _finish(array.astype(_np_dtype(dtype, np.int64), copy=False), requires_grad)


def normal(mean: Any, std: Any = 1.0, size: Any = None, generator: Any = None,
           dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Samples from N(mean, std**2): numbers with ``size``, or tensors elementwise."""
    from . import random as _random

    _device.check(device)
    if isinstance(mean, TensorBase) or isinstance(std, TensorBase):
        m = mean._data if isinstance(mean, TensorBase) else mean
        s = std._data if isinstance(std, TensorBase) else std
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        ref = mean if isinstance(mean, TensorBase) else std
        z = _random.normal(shape, 0.0, 1.0, ref._data.dtype, generator=generator)
        return _finish((z * s + m).astype(ref._data.dtype), requires_grad)
    array = _random.normal(_shape_arg((size,)), mean, std, _np_dtype(dtype),
                           generator=generator)
    return _finish(array, requires_grad)


def scalar_tensor(s: Any, dtype: Any = None, device: Any = None,
                  requires_grad: bool = False) -> Tensor:
    """A 0-d tensor holding the number ``s``, of the default float dtype unless ``dtype``
    says otherwise (even for an int or a bool, unlike ``tensor``).

    >>> tg.scalar_tensor(1)
    tensor(1.)
    """
    return full((), s, dtype=dtypes.get_default_dtype() if dtype is None else dtype,
                device=device, requires_grad=requires_grad)


def asarray(obj: Any, *, dtype: Any = None, device: Any = None, copy: bool | None = None,
            requires_grad: bool = False) -> Tensor:
    """``obj`` as a tensor, sharing memory with a numpy array or a tensor when it can
    (``as_tensor``); ``copy=True`` always copies, ``copy=False`` raises when it cannot
    share.

    >>> tg.asarray([1, 2])
    tensor([1, 2])
    """
    if copy is False and not isinstance(obj, (np.ndarray, TensorBase)):
        raise ValueError("can't alias arbitrary sequence into a tensor. Consider passing "
                         "copy=True")
    t = as_tensor(obj, dtype=dtype, device=device)
    if copy and (t is obj or isinstance(obj, np.ndarray) and np.shares_memory(t._data, obj)):
        t = _wrap(t._data.copy())
    return t.requires_grad_(True) if requires_grad else t


def range(start: Any = 0, end: Any = None, step: Any = 1, *, dtype: Any = None,  # noqa: A001
          device: Any = None, requires_grad: bool = False) -> Tensor:
    """Deprecated (as in PyTorch): ``start, start + step, ...`` up to and *including*
    ``end``, of the default float dtype. Use ``arange``, whose end is excluded.

    >>> import warnings; warnings.simplefilter("ignore")
    >>> tg.range(1, 3)
    tensor([1., 2., 3.])
    """
    warnings.warn("torch.range is deprecated and will be removed in a future release because "
                  "its behavior is inconsistent with Python's range builtin. Instead, use "
                  "torch.arange, which produces values in [start, end).", UserWarning,
                  stacklevel=2)
    _device.check(device)
    if end is None:
        raise TypeError("range() missing 1 required positional arguments: \"end\"")
    start, end, step = (float(_number(v)) for v in (start, end, step))
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    target = dtypes.get_default_dtype() if dtype is None else dtypes.to_dtype(dtype)
    count = int(np.floor((end - start) / step)) + 1  # PyTorch's kernel, in double
    array = start + np.arange(count, dtype=np.float64) * step
    return _finish(array.astype(target.np), requires_grad)
