"""``tg.device``: where a tensor lives. tinygrad_edu has one device, the CPU.

Scripts written for PyTorch pick a device and move things to it; they run here unchanged
as long as they fall back to the CPU, which the usual line does::

    device = tg.device("cuda" if tg.cuda.is_available() else "cpu")
    model.to(device)
"""

from __future__ import annotations

from typing import Any

_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve",
          "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
          "privateuseone")


class device:  # noqa: N801  (torch.device's name)
    """A device, as ``torch.device``: ``device("cpu")``, ``device("cuda", 0)``, ``"cuda:1"``.

    Any of PyTorch's device types can be named; only ``"cpu"`` holds tensors here.
    """

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
