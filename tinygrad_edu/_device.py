"""``tg.device``: where a tensor lives. tinygrad_edu has one device, the CPU.

Scripts written for PyTorch pick a device and move things to it; they run here unchanged
as long as they fall back to the CPU, which the usual line does::

    device = tg.device("cuda" if tg.cuda.is_available() else "cpu")
    model.to(device)
"""

from __future__ import annotations

from typing import Any

from . import dtypes

_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve",
          "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
          "privateuseone")


class device:  # noqa: N801  (torch.device's name)
    """A device, as ``torch.device``: ``device("cpu")``, ``device("cuda", 0)``, ``"cuda:1"``.

    Any of PyTorch's device types can be named; only ``"cpu"`` holds tensors here.
    """

    __module__ = "tinygrad_edu"  # (prints as <class 'tinygrad_edu.device'>, as PyTorch's)
    __slots__ = ("type", "index")

    def __init__(self, type: Any, index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index
        elif isinstance(type, int) and not isinstance(type, bool):
            type, index = "cuda", type  # torch.device(0): a CUDA device by ordinal
        elif not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got "
                            f"({type.__class__.__name__})")
        name, _, ordinal = type.partition(":")
        if name not in _TYPES:
            raise RuntimeError(f"Expected one of {', '.join(_TYPES)} device type at start of "
                               f"device string: {type}")
        if ordinal:
            if index is not None or not ordinal.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}'")
            index = int(ordinal)
        self.type: str = name
        self.index: int | None = index

    def __eq__(self, other: object) -> bool:
        return isinstance(other, device) and (self.type, self.index) == (other.type,
                                                                          other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"


CPU = device("cpu")


def set_default_device(device: Any) -> None:
    """Sets the device new tensors are made on, as ``torch.set_default_device``: ``"cpu"``
    (or None, PyTorch's way to reset it) is accepted; any other device raises PyTorch's
    error for a device this machine does not have (AssertionError for CUDA).

    >>> tg.set_default_device("cpu")
    """
    check(device)


def get_default_device() -> device:
    """The device new tensors are made on: always ``device(type='cpu')`` here.

    >>> tg.get_default_device()
    device(type='cpu')
    """
    return CPU


def check(where: Any) -> None:
    """Nothing if ``where`` (a device, a string, an ordinal or None) is the CPU; else raise.

    As PyTorch built without CUDA: an AssertionError for CUDA, a RuntimeError otherwise.
    """
    if where is None or where is CPU or where == "cpu":
        return
    dev = device(where)
    if dev.type == "cpu":
        return
    if dev.type == "cuda":
        raise AssertionError(
            "Torch not compiled with CUDA enabled: tinygrad_edu runs on the CPU only. Write "
            "device = tg.device('cuda' if tg.cuda.is_available() else 'cpu') to run the "
            "same script everywhere."
        )
    raise RuntimeError(f"tinygrad_edu runs on the CPU only: device '{dev}' is not available")


# ------------------------------------------------------------------ .to(...) arguments

_TO_OVERLOADS = (
    " * (tinygrad_edu.device device = None, tinygrad_edu.dtype dtype = None, "
    "bool non_blocking = False, bool copy = False, *, memory_format memory_format = None)\n"
    " * (tinygrad_edu.dtype dtype, bool non_blocking = False, bool copy = False, *, "
    "memory_format memory_format = None)\n"
    " * (Tensor tensor, bool non_blocking = False, bool copy = False, *, "
    "memory_format memory_format = None)\n"
)
_TO_KEYWORDS = ("device", "dtype", "non_blocking", "copy", "memory_format")


def parse_to(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, Any, bool]:
    """``(dtype or None, tensor or None, copy)`` from the arguments of ``Tensor.to`` /
    ``Module.to``, read as PyTorch reads them (its three overloads: ``to(device=None,
    dtype=None, non_blocking=False, copy=False)``, ``to(dtype, ...)``, ``to(tensor, ...)``);
    the device is checked to be the CPU. Anything else raises PyTorch's TypeError."""
    rest = list(args)
    found: dict[str, Any] = {}
    if rest and hasattr(rest[0], "_data") and hasattr(rest[0], "dtype"):  # to(tensor, ...)
        found["tensor"] = rest.pop(0)
    else:
        if rest and _is_device(rest[0]):
            found["device"] = rest.pop(0)
        if rest and _is_dtype(rest[0]):
            found["dtype"] = rest.pop(0)
    for name in ("non_blocking", "copy"):
        if rest and isinstance(rest[0], bool):
            found[name] = rest.pop(0)
    unknown = [k for k in kwargs if k not in _TO_KEYWORDS or k in found]
    if rest or unknown or ("tensor" in found and {"device", "dtype"} & kwargs.keys()):
        got = [_arg_type(a) for a in args] + [f"{k}={_arg_type(v)}" for k, v in kwargs.items()]
        listed = ", ".join(got) + ("" if args else ", ")  # PyTorch's "(bogus=int, )"
        raise TypeError(
            f"to() received an invalid combination of arguments - got ({listed}), "
            f"but expected one of:\n{_TO_OVERLOADS}"
        )
    found.update(kwargs)
    check(found.get("device"))
    return found.get("dtype"), found.get("tensor"), bool(found.get("copy", False))


def _is_device(value: Any) -> bool:
    return isinstance(value, (str, device)) or (type(value) is int)


def _is_dtype(value: Any) -> bool:
    return isinstance(value, (dtypes.DType, type)) or (
        hasattr(value, "kind") and hasattr(value, "itemsize")  # a numpy dtype
    )


def _arg_type(value: Any) -> str:
    """How PyTorch's argument parser names the type of an argument it refused."""
    if hasattr(value, "_data") and hasattr(value, "dtype"):
        return "Tensor"
    if isinstance(value, device):
        return "tinygrad_edu.device"
    if type(value).__name__ == "DType":
        return "tinygrad_edu.dtype"
    return type(value).__name__
