"""The modules PyTorch scripts import names from exist here under the same paths."""

from __future__ import annotations

import importlib

import pytest

import tinygrad_edu as tg

# (module path under torch / tinygrad_edu, a name scripts import from it)
PATHS = [
    ("autograd.function", "Function"),
    ("autograd.grad_mode", "no_grad"),
    ("autograd.grad_mode", "enable_grad"),
    ("autograd.grad_mode", "set_grad_enabled"),
    ("autograd.grad_mode", "inference_mode"),
    ("utils.hooks", "RemovableHandle"),
]


@pytest.mark.parametrize("path,name", PATHS, ids=[f"{p}.{n}" for p, n in PATHS])
def test_torch_module_paths_import(path: str, name: str) -> None:
    mine = getattr(importlib.import_module(f"tinygrad_edu.{path}"), name)
    assert mine is getattr(tg.autograd, name, mine)  # (the same object as the package's)
    pytest.importorskip("torch")
    assert hasattr(importlib.import_module(f"torch.{path}"), name)


def test_function_from_its_torch_path_is_the_one_learners_subclass() -> None:
    from tinygrad_edu.autograd.function import Function

    class Double(Function):
        @staticmethod
        def forward(ctx, x):  # type: ignore[no-untyped-def]
            return x * 2

        @staticmethod
        def backward(ctx, grad):  # type: ignore[no-untyped-def]
            return grad * 2

    x = tg.ones(3, requires_grad=True)
    Double.apply(x).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


def test_register_hook_returns_the_public_removable_handle() -> None:
    from tinygrad_edu.utils.hooks import RemovableHandle

    x = tg.ones(2, requires_grad=True)
    handle = x.register_hook(lambda g: g * 3)
    assert isinstance(handle, RemovableHandle)
    handle.remove()
    (x * 1).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]
