"""``tinygrad_edu.onnx``: what scripts import from ``torch.onnx``, on a library that cannot
export ONNX graphs.

PyTorch's examples ``import torch.onnx`` at the top and export only when asked (a
``--onnx-export`` flag): the import works here, and ``export`` says why it cannot.
"""

from __future__ import annotations

from typing import Any

__all__ = ["export", "is_in_onnx_export"]


def is_in_onnx_export() -> bool:
    """False: no ONNX export is ever running (code checks this to take an export path).

    >>> tg.onnx.is_in_onnx_export()
    False
    """
    return False


def export(model: Any, args: Any = (), f: Any = None, *posargs: Any, **kwargs: Any) -> Any:
    """``torch.onnx.export``: not available. tinygrad_edu records no graph an ONNX
    exporter could translate; export the same model with PyTorch (the state_dict loads
    there: ``tg.save(model.state_dict(), "model.safetensors")``).

    >>> tg.onnx.export(model, x, "model.onnx")
    Traceback (most recent call last):
    NotImplementedError: tinygrad_edu cannot export ONNX models: ...
    """
    raise NotImplementedError(
        "tinygrad_edu cannot export ONNX models: save the weights with "
        "tg.save(model.state_dict(), 'model.safetensors'), load them into the same model "
        "built with PyTorch (safetensors.torch.load_file) and call torch.onnx.export there")
