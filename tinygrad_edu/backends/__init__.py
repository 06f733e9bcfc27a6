"""``tg.backends``: the switches scripts set for PyTorch's GPU backends (no-ops here)."""

from . import cuda, cudnn, mps

__all__ = ["cuda", "cudnn", "mps"]
