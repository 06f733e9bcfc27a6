"""``tg.backends``: the switches scripts set for PyTorch's GPU backends (no-ops here)."""

from . import cudnn, mps

__all__ = ["cudnn", "mps"]
