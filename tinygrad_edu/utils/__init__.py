"""``tinygrad_edu.utils``: data loading (``utils.data``), as ``torch.utils``."""

from . import data
from .memory import LiveTensors, live_tensors

__all__ = ["data", "live_tensors", "LiveTensors"]
