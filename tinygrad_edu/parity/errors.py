"""PyTorch's error texts, each built once: those that more than one place raises, and the
engine's (core/ raises them through these builders, so that it holds no message tables).

A message starts with PyTorch's own words, so a search for torch's error finds ours, and may
end with a hint for the learner.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .names import scalar_type_name, tensor_type_name

__all__ = ["broadcast_error", "forward_error", "not_implemented", "FREED", "version_error",
           "view_write_error", "hook_type_error", "hook_tuple_error", "hook_changed_error",
           "LEAF_ONLY", "NON_LEAF_GRAD", "grad_assignment_error", "invalid_gradient_error"]


def broadcast_error(sa: tuple[int, ...], sb: tuple[int, ...]) -> RuntimeError:
    """PyTorch's error for shapes that do not broadcast, naming the first dimension (from the
    right) where neither size is 1.

    Example:
        >>> str(broadcast_error((2, 3), (4,))).split(". Hint")[0]
        'The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1'
    """
    for i in range(1, min(len(sa), len(sb)) + 1):
        if sa[-i] != sb[-i] and sa[-i] != 1 and sb[-i] != 1:
            dim = max(len(sa), len(sb)) - i
            return RuntimeError(
                f"The size of tensor a ({sa[-i]}) must match the size of tensor b ({sb[-i]}) at "
                f"non-singleton dimension {dim}. Hint: shapes {list(sa)} and {list(sb)} do not "
                "broadcast; reshape or unsqueeze one of them."
            )
    return RuntimeError(f"shapes {list(sa)} and {list(sb)} cannot be broadcast together")


def forward_error(error: ValueError, values: list[Any]) -> Exception:
    """PyTorch's error for the operands of an op that do not broadcast (numpy's
    ``ValueError`` ``error`` itself, when that is not what it says)."""
    shapes = [v.shape for v in values if isinstance(v, np.ndarray)]
    for k in range(1, len(shapes)):
        try:
            np.broadcast_shapes(*shapes[: k + 1])
        except ValueError:
            return broadcast_error(np.broadcast_shapes(*shapes[:k]), shapes[k])
    return error


def not_implemented(kernel: str, dtype: Any) -> NotImplementedError:
    """PyTorch's error for a CPU kernel that has no version for ``dtype``.

    Example:
        >>> import numpy as np
        >>> str(not_implemented("abs_cpu", np.dtype(np.bool_)))
        '"abs_cpu" not implemented for \'Bool\''
    """
    return NotImplementedError(f"\"{kernel}\" not implemented for '{scalar_type_name(dtype)}'")


#: Reading what a node saved after backward freed it.
FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward. Hint: usually a tensor from an earlier step is reused (a running "
    "total, an RNN hidden state): .detach() it, or accumulate loss.item() instead."
)


#: How PyTorch words "this dtype cannot require gradients", by who asked.
_FLOAT_ONLY = {
    "requires_grad_": "only Tensors of floating point dtype can require gradients",
    "setter": "only Tensors of floating point and complex dtype can require gradients",
    "factory": "Only Tensors of floating point and complex dtype can require gradients",
}


def requires_grad_error(dtype: Any, asked_by: str) -> RuntimeError:
    """``requires_grad`` asked of a tensor of integers or bools (``dtype``): by
    ``t.requires_grad_()``, ``t.requires_grad = True`` ("setter") or a factory such as
    ``tg.tensor(..., requires_grad=True)`` ("factory"), each in PyTorch's words."""
    return RuntimeError(
        f"{_FLOAT_ONLY[asked_by]}\nHint: this tensor holds {dtype}; gradients need floats: "
        "call .float() first, or make it with float numbers (1.0, not 1) or "
        "dtype=tinygrad_edu.float32.")


def version_error(type_name: str, shape: tuple[int, ...], which: str, version: int,
                  expected: int) -> RuntimeError:
    """A saved tensor was changed in place after the op saved it: ``type_name`` is
    ``tinygrad_edu.FloatTensor``-style, ``which`` PyTorch's ", which is output 0 of Mul,"
    (or "")."""
    dims = ", ".join(str(n) for n in shape)
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: [{type_name} [{dims}]]{which} is at version {version}; expected "
        f"version {expected} instead. Hint: the tensor was changed in place (x += ..., "
        "x[...] = ..., x.add_(...)) after this op used it; use an out-of-place op "
        "(x = x + ...) or .clone() it first.")


_NO_GRAD_DIRECT = ("A view was created in no_grad mode and is being modified inplace with "
                   "grad mode enabled.")
_NO_GRAD_INDIRECT = ("A view was created in no_grad mode and its base or another view of "
                     "its base has been modified inplace with grad mode enabled.")
_NO_GRAD_TAIL = (" Given that this use case is ambiguous and error-prone, it is forbidden. "
                 "You can clarify your code by moving both the view and the inplace either "
                 "both inside the no_grad block (if you don't want the inplace to be tracked) "
                 "or both outside (if you want the inplace to be tracked).")
_MULTI_TAIL = (" This view is the output of a function that returns multiple views. Such "
               "functions do not allow the output views to be modified inplace. You should "
               "replace the inplace operation by an out-of-place one.")
_CUSTOM_TAIL = (" This view was created inside a custom Function (or because an input was "
                "returned as-is) and the autograd logic to handle view+inplace would override "
                "the custom backward associated with the custom Function, leading to "
                "incorrect gradients. This behavior is forbidden. You can fix this by cloning "
                "the output of the custom Function.")


def view_write_error(why: str, direct: bool, op: str | None = None,
                     k: int = 0) -> RuntimeError:
    """PyTorch's error for writing with grad mode on into a view it forbids writing into
    (``direct``), or into its base or a sibling view. ``why``: "no_grad" (a view made under
    no_grad; ``op`` names the view op when it is a view of such a view), "buffer" (a view
    of a buffer), "multi" (output ``k`` of ``op``, which returns several views) or "custom"
    (returned by a learner's Function ``op``)."""
    if why == "no_grad":
        if op is not None:
            what = ("is being modified inplace with grad mode enabled." if direct else
                    "its base or another view of its base has been modified inplace with "
                    "grad mode enabled.")
            head = (f"Output 0 of {op} is a view of a view which was created in no_grad mode "
                    f"and {what}")
        else:
            head = _NO_GRAD_DIRECT if direct else _NO_GRAD_INDIRECT
        return RuntimeError(head + _NO_GRAD_TAIL)
    if why == "buffer":
        return RuntimeError((_NO_GRAD_DIRECT if direct else _NO_GRAD_INDIRECT) + _MULTI_TAIL)
    what = ("is being modified inplace." if direct else
            "its base or another view of its base has been modified inplace.")
    tail = _CUSTOM_TAIL if why == "custom" else _MULTI_TAIL
    return RuntimeError(f"Output {k} of {op} is a view and {what}" + tail)


def hook_type_error(expected: str, result: Any) -> TypeError:
    """A hook returned neither None nor what it must: a Tensor ("Variable") for a tensor's
    hook, a tuple for a node's."""
    what = "a Tensor (the new gradient)" if expected == "Variable" else \
        "a tuple with one Tensor (or None) per gradient it was given"
    return TypeError(f"expected {expected}, but hook returned '{type(result).__name__}'. "
                     f"Hint: a hook returns {what}, or None.")


def hook_tuple_error(hook: str, result: Any, expected: int) -> Exception:
    """A node's hook returned something else than a tuple of ``expected`` values."""
    if not isinstance(result, tuple):
        return hook_type_error("tuple", result)
    return RuntimeError(f"hook '{hook}' has returned an incorrect number of values (got "
                        f"{len(result)}, but expected {expected})")


def hook_changed_error(hook: str, was: np.ndarray, got: np.ndarray) -> RuntimeError:
    """A hook returned a gradient of another shape or dtype than the one it was given."""
    if got.shape != was.shape:
        return RuntimeError(f"hook '{hook}' has changed the size of value. Hint: it was "
                            f"{list(was.shape)}, the hook returned {list(got.shape)}.")
    return RuntimeError(f"hook '{hook}' has changed the type of value (was "
                        f"{tensor_type_name(was)} got {tensor_type_name(got)})")


LEAF_ONLY = ("you can only change requires_grad flags of leaf variables. If you want to use a "
             "computed variable in a subgraph that doesn't require differentiation use "
             "var_no_grad = var.detach().")

NON_LEAF_GRAD = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor.")


def grad_assignment_error(value: Any, data: np.ndarray, is_tensor: bool) -> Exception | None:
    """What ``t.grad = value`` raises when ``value`` is not a Tensor of ``t``'s shape and
    dtype (``data``: ``t``'s array); None when it may be assigned."""
    if not is_tensor:
        return TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                         f"{type(value).__name__}")
    if value._data.shape != data.shape:
        return RuntimeError("assigned grad has data of a different size")
    if value._data.dtype != data.dtype:
        return RuntimeError("assigned grad has data of a different type")
    return None


def invalid_gradient_error(node: str, i: int, got: tuple[int, ...], shape: tuple[int, ...]
                           ) -> RuntimeError:
    """A backward returned a gradient that cannot be summed to its input's shape."""
    return RuntimeError(f"Function {node} returned an invalid gradient at index {i} - got "
                        f"{list(got)} but expected shape compatible with {list(shape)}")
