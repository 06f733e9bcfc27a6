"""What an op's forward keeps for backward besides saved tensors is on ``ctx`` by name
(``ctx.shape``, ``ctx.axis``), never in a positional ``meta`` tuple. A built-in op declares
its fields in ``ctx_fields``: slots of its node class, which has no ``__dict__``. A
learner's Function keeps any attribute on ctx, as in PyTorch."""

import importlib
import pkgutil
import re
from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.core.function import Function
from tinygrad_edu.ops.dual import _Op

for _mod in pkgutil.walk_packages(tg.__path__, "tinygrad_edu."):
    importlib.import_module(_mod.name)


def _builtin_ops() -> list[type]:
    found, stack = [], [Function]
    while stack:
        for sub in stack.pop().__subclasses__():
            stack.append(sub)
            if sub.__module__.startswith("tinygrad_edu.") and sub._numpy:
                found.append(sub)
    return found


def test_builtin_nodes_have_no_dict():
    ops = _builtin_ops()
    assert len(ops) > 100
    with_dict = [op.__name__ for op in ops if op._node_cls.__dictoffset__]
    assert with_dict == []


def test_fields_are_read_by_name():
    x = tg.ones(3, 4, requires_grad=True)
    node = x.sum(0).grad_fn
    assert (node.shape, node.axis, node.keepdims) == ((3, 4), (0,), False)
    assert x.permute(1, 0).grad_fn.axes == (1, 0)


def test_an_undeclared_field_fails_at_once():
    class Scale(_Op):
        ctx_fields = ("factor",)

        @staticmethod
        def forward(ctx, x, factor):
            ctx.factr = factor  # misspelt
            return x * factor

    with pytest.raises(AttributeError):
        Scale.apply(tg.ones(2, requires_grad=True), 2.0)


def test_fields_add_up_along_the_hierarchy_even_when_repeated():
    class Base(_Op):
        ctx_fields = ("axis",)

        @staticmethod
        def forward(ctx, x, axis):
            ctx.axis, ctx.k = axis, 2
            return x * ctx.k

        @staticmethod
        def backward(ctx, grad):
            return grad * ctx.k, None

    class Sub(Base):
        ctx_fields = ("axis", "k")  # axis again: one slot

    assert Sub._node_cls.__slots__ == ("axis", "k")
    x = tg.ones(2, requires_grad=True)
    Sub.apply(x, 0).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]
    with pytest.raises(AttributeError):
        Base.apply(x, 0)  # k is Sub's field, not Base's


def test_a_learners_function_keeps_any_attribute():
    class Scale(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x, factor):
            ctx.factor = factor
            return x * factor

        @staticmethod
        def backward(ctx, grad):
            return grad * ctx.factor, None

    x = tg.tensor(np.array([1.0, 2.0]), requires_grad=True)
    Scale.apply(x, 3.0).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_no_positional_meta_in_the_package():
    root = Path(tg.__file__).parent
    uses = [f"{p.relative_to(root)}:{k}" for p in root.rglob("*.py")
            for k, line in enumerate(p.read_text().splitlines(), 1)
            if re.search(r"\.meta\b", line)]
    assert uses == []
