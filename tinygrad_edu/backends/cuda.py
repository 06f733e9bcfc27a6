"""``tg.backends.cuda``: PyTorch's CUDA switches as settable flags, with PyTorch's defaults.

Scripts set them before training (``tg.backends.cuda.matmul.allow_tf32 = True``); there is
no GPU here, so they are remembered and change nothing: numpy's matmul is plain float32.
"""

from __future__ import annotations

from typing import Any

_SDP = {"flash": True, "mem_efficient": True, "math": True, "cudnn": True}


class cuBLASModule:  # noqa: N801  (torch.backends.cuda's class name)
    """``tg.backends.cuda.matmul``: the cuBLAS flags; an unknown name is refused."""

    _FLAGS = {"allow_tf32": False, "allow_fp16_reduced_precision_reduction": True,
              "allow_bf16_reduced_precision_reduction": True}

    def __init__(self) -> None:
        object.__setattr__(self, "_values", dict(self._FLAGS))

    def __getattr__(self, name: str) -> Any:
        if name in self._FLAGS:
            return self._values[name]
        raise AttributeError(f"Unknown attribute {name}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self._FLAGS:
            raise AttributeError(f"Unknown attribute {name}")
        self._values[name] = value


matmul = cuBLASModule()


def is_built() -> bool:
    """False: tinygrad_edu has no CUDA backend."""
    return False


def flash_sdp_enabled() -> bool:
    """Whether flash attention is enabled for ``scaled_dot_product_attention`` (a flag)."""
    return _SDP["flash"]


def enable_flash_sdp(enabled: bool) -> None:
    """Sets the flash-attention flag (nothing else changes on the CPU)."""
    _SDP["flash"] = enabled


def mem_efficient_sdp_enabled() -> bool:
    """Whether memory-efficient attention is enabled (a flag)."""
    return _SDP["mem_efficient"]


def enable_mem_efficient_sdp(enabled: bool) -> None:
    """Sets the memory-efficient-attention flag."""
    _SDP["mem_efficient"] = enabled


def math_sdp_enabled() -> bool:
    """Whether the math (reference) attention is enabled (a flag)."""
    return _SDP["math"]


def enable_math_sdp(enabled: bool) -> None:
    """Sets the math-attention flag (tinygrad_edu always computes attention this way)."""
    _SDP["math"] = enabled


def cudnn_sdp_enabled() -> bool:
    """Whether cuDNN attention is enabled (a flag)."""
    return _SDP["cudnn"]


def enable_cudnn_sdp(enabled: bool) -> None:
    """Sets the cuDNN-attention flag."""
    _SDP["cudnn"] = enabled


def is_flash_attention_available() -> bool:
    """False: there is no flash attention kernel here."""
    return False
