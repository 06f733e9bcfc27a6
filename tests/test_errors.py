"""Errors a learner meets: PyTorch's exception class and message first, then our hint.

Each case runs the same mistake through tinygrad_edu and (when it is importable) through
PyTorch, and checks: the same exception class; our message starts with PyTorch's (so a
search for it finds the usual answers), as written here and as torch prints it today;
then one ``Hint:`` sentence of ours that names the cause. No numpy error may leak from
inside: the exception carries no chained numpy traceback.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg

try:
    import torch
except ImportError:  # pragma: no cover - the comparisons with torch are skipped
    torch = None


def _raise(lib: Any, make: Callable[[Any], Any]) -> BaseException:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            make(lib)
        except Exception as e:  # noqa: BLE001 - we compare whatever was raised
            return e
    raise AssertionError(f"{lib.__name__}: no error")


def check(make: Callable[[Any], Any], cls: type[BaseException], torch_message: str,
          hint: str, torch_prefix: str | None = None) -> str:
    """``make(tg)`` raises ``cls`` with ``torch_message`` first and ``hint`` after it.

    ``torch_prefix``: the part of torch's message that ours repeats, when torch's goes on
    with details of its own implementation (default: all of ``torch_message``).
    """
    ours = _raise(tg, make)
    assert type(ours) is cls, f"{type(ours).__name__}: {ours}"
    text = ours.args[0] if isinstance(ours, IndexError | KeyError) else str(ours)
    prefix = torch_message if torch_prefix is None else torch_prefix
    assert text.startswith(prefix), text
    rest = text[len(torch_message):] if torch_prefix is None else text
    assert "Hint: " in rest and hint in rest.split("Hint: ", 1)[1], text
    # nothing of numpy's shows: no chained exception in the traceback
    assert ours.__cause__ is None and (ours.__context__ is None or ours.__suppress_context__)
    if torch is not None:
        theirs = _raise(torch, make)
        assert type(theirs) is cls, f"torch raised {type(theirs).__name__}: {theirs}"
        assert str(theirs).startswith(prefix) and str(theirs).startswith(
            torch_message.split(" Hint:")[0][: len(prefix)]), str(theirs)
    return text


# ------------------------------------------------------------------------------ shapes
def test_matmul_shape_mismatch():
    check(lambda m: m.ones(4, 2) @ m.ones(3, 5), RuntimeError,
          "mat1 and mat2 shapes cannot be multiplied (4x2 and 3x5)",
          "the last dim of a (2, shape [4, 2]) must equal the first dim of b (3")


def test_matmul_matrix_vector_mismatch():
    check(lambda m: m.ones(4, 2) @ m.ones(3), RuntimeError,
          "size mismatch, got input (4), mat (4x2), vec (3)", "must equal the first dim of b")


def test_batched_matmul_mismatch():
    check(lambda m: m.ones(2, 4, 2) @ m.ones(2, 3, 5), RuntimeError,
          "Expected size for first two dimensions of batch2 tensor to be: [2, 2] but got: "
          "[2, 3].", "second-to-last dim of b (3")


def test_matmul_mismatch_names_the_kernel_of_the_folded_batch():
    """Found by the program fuzzer: a vector that requires grad times a batch of matrices
    is folded into one mv of the transposed batch, so PyTorch's error is mv's; a
    non-contiguous batch times a vector is not folded, so it is bmm's; a batch of one that
    requires grad is squeezed, then folded into mm. Each message is the kernel's."""
    check(lambda m: m.ones(1, requires_grad=True) @ m.ones(3, 2, 2), RuntimeError,
          "size mismatch, got input (6), mat (6x2), vec (1)", "second-to-last dim of b (2")
    check(lambda m: m.ones(3, 3, 2).mT @ m.ones(2), RuntimeError,
          "Expected size for first two dimensions of batch2 tensor to be: [3, 3] but got: "
          "[3, 2].", "first dim of b (2")
    check(lambda m: m.ones(3, 2, 3) @ m.ones(1, 2, 4, requires_grad=True), RuntimeError,
          "mat1 and mat2 shapes cannot be multiplied (6x3 and 2x4)", "second-to-last dim")


def test_linear_in_features_mismatch_names_the_layer():
    check(lambda m: m.nn.Linear(3, 5)(m.ones(4, 2)), RuntimeError,
          "mat1 and mat2 shapes cannot be multiplied (4x2 and 3x5)",
          "Linear(in_features=3, out_features=5) got an input with 2 features (shape [4, 2])")


def test_broadcast_failure_names_both_shapes():
    check(lambda m: m.ones(2, 3) + m.ones(4), RuntimeError,
          "The size of tensor a (3) must match the size of tensor b (4) at non-singleton "
          "dimension 1", "shapes [2, 3] and [4] do not broadcast")


@pytest.mark.parametrize("op", ["mul", "sub", "div", "maximum", "eq", "lt", "iadd"])
def test_broadcast_failure_in_every_binary_op(op):
    ops = {"mul": lambda a, b: a * b, "sub": lambda a, b: a - b, "div": lambda a, b: a / b,
           "maximum": lambda a, b: a.maximum(b), "eq": lambda a, b: a == b,
           "lt": lambda a, b: a < b, "iadd": lambda a, b: a.__iadd__(b)}
    check(lambda m: ops[op](m.ones(2, 3, 4), m.ones(5, 4)), RuntimeError,
          "The size of tensor a (3) must match the size of tensor b (5) at non-singleton "
          "dimension 1", "shapes [2, 3, 4] and [5, 4] do not broadcast")


def test_inplace_op_cannot_grow_its_tensor():
    check(lambda m: m.ones(3).add_(m.ones(2, 3)), RuntimeError,
          "output with shape [3] doesn't match the broadcast shape [2, 3]",
          "cannot change the shape")


# ------------------------------------------------------------------------------ backward
def test_backward_on_non_scalar_needs_gradient():
    check(lambda m: (m.ones(3, requires_grad=True) * 2).backward(), RuntimeError,
          "grad can be implicitly created only for scalar outputs", "reduce it first")


def test_backward_twice_raises():
    def twice(m):
        x = m.ones(3, requires_grad=True)
        y = (x * x).sum()
        y.backward()
        y.backward()

    check(twice, RuntimeError,
          "Trying to backward through the graph a second time (or directly access saved "
          "tensors after they have already been freed). Saved intermediate values of the "
          "graph are freed when you call .backward() or autograd.grad(). Specify "
          "retain_graph=True if you need to backward through the graph a second time or if "
          "you need to access saved tensors after calling backward.",
          "a tensor from an earlier step is reused")


ELEMENT_0 = "element 0 of tensors does not require grad and does not have a grad_fn"


def test_backward_of_tensor_never_marked_requires_grad():
    text = check(lambda m: (m.ones(3) * 2).sum().backward(), RuntimeError, ELEMENT_0,
                 "never marked requires_grad=True")
    assert ".detach()" in text and "no_grad" in text  # the other causes are named too


def test_backward_of_detached_tensor():
    check(lambda m: (m.ones(3, requires_grad=True) * 2).detach().sum().backward(),
          RuntimeError, ELEMENT_0, ".data/.detach()/.item()/from_numpy")


def test_backward_under_no_grad_says_grad_mode_is_off():
    def inside(m):
        x = m.ones(3, requires_grad=True)
        with m.no_grad():
            (x * 2).sum().backward()

    check(inside, RuntimeError, ELEMENT_0, "computed with grad mode off")


def test_numpy_of_tensor_that_requires_grad():
    check(lambda m: m.ones(3, requires_grad=True).numpy(), RuntimeError,
          "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
          "instead.", "use .item()")


# ------------------------------------------------------------------------------ in place
def test_inplace_on_saved_raises():
    def modify(m):
        x = m.ones(3, requires_grad=True)
        y = x * 2
        z = y * y  # saves y
        y.mul_(2)
        z.sum().backward()

    text = check(modify, RuntimeError, "",
                 ".clone()", torch_prefix="one of the variables needed for gradient "
                 "computation has been modified by an inplace operation: [")
    # PyTorch's message word for word, with this library's type name (not torch.FloatTensor)
    assert "inplace operation: [tinygrad_edu.FloatTensor [3]], which is " in text
    assert "is at version 1; expected version 0 instead." in text


def test_inplace_on_leaf_that_requires_grad():
    check(lambda m: m.ones(3, requires_grad=True).add_(1), RuntimeError,
          "a leaf Variable that requires grad is being used in an in-place operation.",
          "tg.no_grad()")


def test_setitem_on_leaf_that_requires_grad():
    def setitem(m):
        m.ones(3, requires_grad=True)[0] = 2.0

    check(setitem, RuntimeError,
          "a view of a leaf Variable that requires grad is being used in an in-place "
          "operation.", "tg.no_grad()")


# ------------------------------------------------------------------------------ dtypes
def test_matmul_float32_with_float64():
    check(lambda m: m.ones(2, 3) @ m.ones(3, 2, dtype=m.float64), RuntimeError,
          "expected m1 and m2 to have the same dtype, but got: float != double", "x.float()")


def test_linear_with_float64_input_from_numpy():
    check(lambda m: m.nn.Linear(3, 2)(m.tensor(np.ones((4, 3)))), RuntimeError,
          "mat1 and mat2 must have the same dtype, but got Double and Float",
          "the input is float64 but the weights are float32")


# ------------------------------------------------------------------------------ losses
def _ce(m: Any, target: Any) -> Any:
    return m.nn.CrossEntropyLoss()(m.zeros(4, 3), target)


def test_cross_entropy_float_targets_of_the_wrong_shape():
    check(lambda m: _ce(m, m.zeros(4, 2)), RuntimeError,
          "0D or 1D target tensor expected, multi-target not supported",
          "class probabilities must have the input's shape [4, 3]")
    check(lambda m: _ce(m, m.tensor([0.0, 1.0, 2.0, 1.0])), RuntimeError,
          "expected target dtype to be Long or Byte, but got Float", "target.long()")


def test_cross_entropy_target_out_of_range():
    check(lambda m: _ce(m, m.tensor([0, 1, 2, 3])), IndexError,
          "Target 3 is out of bounds.", "class indices must be in [0, 3)")
    check(lambda m: _ce(m, m.tensor([0, 1, -2, 1])), IndexError,
          "Target -2 is out of bounds.", "labels 1-based")


def test_cross_entropy_int32_targets():
    check(lambda m: _ce(m, m.tensor([0, 1, 2, 1], dtype=m.int32)), RuntimeError,
          "expected target dtype to be Long or Byte, but got Int", "use target.long()")


def test_cross_entropy_batch_size_mismatch():
    check(lambda m: _ce(m, m.tensor([0, 1, 2])), ValueError,
          "Expected input batch_size (4) to match target batch_size (3).", "same first dim")


# ------------------------------------------------------------------------------ tg.tensor
def test_tensor_of_tensors_that_require_grad_warns():
    a = tg.tensor(1.0, requires_grad=True)
    b = tg.tensor(2.0, requires_grad=True)
    with pytest.warns(UserWarning, match=r"drops the graph.*Use tg\.stack\(tensors\)"):
        t = tg.tensor([a, b])
    assert not t.requires_grad and t.tolist() == [1.0, 2.0]
    assert tg.stack([a, b]).requires_grad  # the fix keeps the graph


def test_tensor_of_multi_element_tensors():
    check(lambda m: m.tensor([m.ones(2), m.ones(2)]), ValueError,
          "only one element tensors can be converted to Python scalars", "tg.stack(tensors)")
    # one-element tensors become numbers, as in torch
    assert tg.tensor([tg.ones(1), tg.ones(1)]).shape == (2,)


def test_messages_are_single_hint():
    """Each message above carries exactly one hint."""
    for make in (lambda m: m.ones(4, 2) @ m.ones(3, 5), lambda m: m.ones(2, 3) + m.ones(4)):
        assert len(re.findall("Hint:", str(_raise(tg, make)))) == 1


# ------------------------------------------------------------------------------ the first hour
def test_bce_with_logits_int_target_says_use_float():
    for make in (lambda m: m.nn.BCEWithLogitsLoss()(m.zeros(3), m.tensor([0, 1, 1])),
                 lambda m: m.nn.functional.binary_cross_entropy_with_logits(
                     m.zeros(3), m.tensor([0, 1, 1]))):
        check(make, RuntimeError,
              "result type Float can't be cast to the desired output type Long",
              "pass target.float()")
    check(lambda m: m.nn.BCELoss()(m.full((3,), 0.5), m.tensor([0, 1, 1])), RuntimeError,
          "Found dtype Long but expected Float", "pass target.float()")


def _module_forgetting_super_init(m: Any, assign: Callable[[Any, Any], None]) -> Any:
    class Net(m.nn.Module):
        def __init__(self):
            assign(self, m)  # the mistake: no super().__init__() first

        def forward(self, x):
            return x

    return Net()


@pytest.mark.parametrize("what, assign", [
    ("module", lambda self, m: setattr(self, "fc", m.nn.Linear(2, 2))),
    ("parameters", lambda self, m: setattr(self, "w", m.nn.Parameter(m.zeros(2)))),
    ("buffer", lambda self, m: self.register_buffer("b", m.zeros(2))),
    ("parameter", lambda self, m: self.register_parameter("w", m.nn.Parameter(m.zeros(2)))),
])
def test_module_without_super_init_says_call_it_first(what, assign):
    check(lambda m: _module_forgetting_super_init(m, assign), AttributeError,
          f"cannot assign {what} before Module.__init__() call",
          "Net.__init__ must call super().__init__() first")


def test_calling_module_without_super_init_says_call_it_first():
    text = check(lambda m: _module_forgetting_super_init(m, lambda s, m: None)(m.zeros(1)),
                 AttributeError, "", "Net.__init__ must call super().__init__() first",
                 torch_prefix="'Net' object has no attribute '_")
    assert "\nHint: " in text


def test_optimizer_without_parameters_says_what_to_pass():
    for make in (lambda m: m.optim.SGD([], lr=0.1),
                 lambda m: m.optim.Adam(m.nn.ReLU().parameters())):
        check(make, ValueError, "optimizer got an empty parameter list",
              "model.parameters() is a generator")
    def used_twice(m):  # the classic: one generator for two optimizers
        params = m.nn.Linear(2, 2).parameters()
        m.optim.SGD(params, lr=0.1)
        m.optim.SGD(params, lr=0.1)
    check(used_twice, ValueError, "optimizer got an empty parameter list", "make it a list")


@pytest.mark.parametrize("make", [
    lambda m: m.tensor([1, 2], requires_grad=True),
    lambda m: m.zeros(2, dtype=m.long, requires_grad=True),
    lambda m: m.full((2,), 3, requires_grad=True),
])
def test_requires_grad_on_int_tensor_says_use_floats(make):
    check(make, RuntimeError,
          "Only Tensors of floating point and complex dtype can require gradients",
          "(1.0, not 1)")


@pytest.mark.parametrize("make, words", [
    (lambda m: m.tensor([1, 2]).requires_grad_(),
     "only Tensors of floating point dtype can require gradients"),
    (lambda m: setattr(m.tensor([1, 2]), "requires_grad", True),
     "only Tensors of floating point and complex dtype can require gradients"),
], ids=["requires_grad_", "setter"])
def test_requires_grad_later_on_int_tensor_says_use_floats(make, words):
    """PyTorch words the method and the setter differently; both get the hint."""
    check(make, RuntimeError, words, "call .float() first")
