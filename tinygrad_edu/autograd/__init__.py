"""Automatic differentiation: ``backward``, ``grad``, ``Function``, grad modes, gradcheck."""

from __future__ import annotations

from ..core.function import Node
from ..core.grad_mode import enable_grad, is_grad_enabled, no_grad
from . import function, functional, grad_mode
from .anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .differentiate import backward, grad
from .function import Function
from .grad_mode import inference_mode, is_inference_mode_enabled, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .gradcheck_graph import gradcheck_graph
from .variable import Variable, is_multithreading_enabled, set_multithreading_enabled

__all__ = [
    "Function", "Node", "backward", "grad", "function", "functional", "grad_mode", "gradcheck",
    "gradgradcheck", "GradcheckError", "gradcheck_graph",
    "no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
    "is_inference_mode_enabled",
    "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled", "Variable",
    "is_multithreading_enabled", "set_multithreading_enabled",
]
