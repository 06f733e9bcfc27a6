"""Higher-level derivatives of a whole function, as ``torch.autograd.functional``:
``vjp``, ``jvp``, ``jacobian``, ``hessian``, ``vhp``, ``hvp``.

Each is a few calls of ``tg.autograd.grad``, the only derivative tinygrad_edu computes:

- ``vjp``: ``v^T J`` is one backward pass seeded with ``v``;
- ``jacobian``: one vjp per output element (row ``i`` of J is ``e_i^T J``);
- ``jvp``: ``J v`` by the double-backward trick: ``g(u) = u^T J`` is linear in ``u``, so
  the backward of ``g`` seeded with ``v`` gives ``J v`` (no forward mode needed);
- ``hessian``: the jacobian of the gradient; ``vhp``: ``v^T H``, the backward of the
  gradient; ``hvp``: ``H v``, the double-backward trick again (``H`` is symmetric for
  smooth functions, so it equals ``vhp``, but is computed as PyTorch does).

Inputs and outputs are a Tensor or a tuple of Tensors, and results are shaped as
PyTorch's: a Jacobian of output ``i`` with respect to input ``j`` has shape
``output_i.shape + input_j.shape``, nested as tuples only where a tuple was given.

>>> import tinygrad_edu as tg
>>> from tinygrad_edu.autograd.functional import jacobian
>>> jacobian(lambda x: x ** 2, tg.tensor([1.0, 2.0]))
tensor([[2., 0.],
        [0., 4.]])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core.grad_mode import enable_grad, is_grad_enabled
from ..ops.join import stack
from ..tensor import Tensor
from .differentiate import grad as _grad
from .grad_mode import set_grad_enabled

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


# ---------------------------------------------------------------------------- helpers
def _as_tuple(value: Any, arg_name: str, fn_name: str) -> tuple[bool, tuple[Tensor, ...]]:
    """``value`` as a tuple of Tensors, and whether it was a tuple (results are unpacked
    the same way)."""
    is_tuple = isinstance(value, tuple)
    values = value if is_tuple else (value,)
    for i, el in enumerate(values):
        if not isinstance(el, Tensor):
            where = f"the value at index {i}" if is_tuple else f"the given {arg_name}"
            raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a "
                            f"tuple of Tensors but {where} has type {type(el)}.")
    return is_tuple, values


def _unpack(result: Any, is_tuple: bool) -> Any:
    """A tuple of results back to a single one where the user gave a single Tensor."""
    return result if is_tuple else result[0]


def _unpack2(result: Any, outer_is_tuple: bool, inner_is_tuple: bool) -> Any:
    """Nested results (per output, per input) unpacked at each level as given."""
    if not inner_is_tuple:
        result = tuple(row[0] for row in result)
    return _unpack(result, outer_is_tuple)


def _prepare(inputs: tuple[Tensor, ...], create_graph: bool,
             need_graph: bool) -> tuple[Tensor, ...]:
    """Fresh leaves to differentiate with respect to. With ``create_graph`` an input that
    requires grad is kept in the graph (through a view), so the result can be
    differentiated again with respect to the user's tensors."""
    return tuple(x.view_as(x) if create_graph and x.requires_grad
                 else x.detach().requires_grad_(need_graph) for x in inputs)


def _finish(results: Any, create_graph: bool) -> Any:
    """Results detached from the graph unless ``create_graph`` (nested tuples too)."""
    if isinstance(results[0], Tensor):
        return results if create_graph else tuple(r.detach() for r in results)
    return tuple(_finish(r, create_graph) for r in results)


def _validate_v(v: tuple[Tensor, ...], other: tuple[Tensor, ...], is_tuple: bool) -> None:
    """``v`` has one Tensor of the right shape for each of ``other``."""
    if len(v) != len(other):
        if is_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(other)} but "
                               f"got {len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (el_v, el_other) in enumerate(zip(v, other)):
        if el_v.size() != el_other.size():
            prefix = f"Entry {i} in " if is_tuple else ""
            raise RuntimeError(f"{prefix}v has invalid size: should be {el_other.size()} but "
                               f"got {el_v.size()}.")


def _vector(v: Any, against: tuple[Tensor, ...], is_tuple: bool, fn_name: str,
            create_graph: bool, of_what: str) -> tuple[Tensor, ...] | None:
    """The ``v`` argument as a checked tuple; None (an implicit 1) only for one element."""
    if v is None:
        if len(against) != 1 or against[0].nelement() != 1:
            raise RuntimeError(f"The vector v can only be None if the {of_what} a single "
                               "Tensor with a single element.")
        return None
    _, vs = _as_tuple(v, "v", fn_name)
    vs = _prepare(vs, create_graph, need_graph=False)
    _validate_v(vs, against, is_tuple)
    return vs


_USER_INPUT = "input to the user-provided function is"
_USER_OUTPUT = "user-provided function returns"


def _check_requires_grad(tensors: tuple[Any, ...], kind: str, strict: bool) -> None:
    """In strict mode, every tensor must depend on the inputs (PyTorch's messages)."""
    if not strict:
        return
    for i, t in enumerate(tensors):
        if t is None:
            raise RuntimeError(f"The output of the user-provided function is independent of "
                               f"input {i}. This is not allowed in strict mode.")
        if t.requires_grad:
            continue
        if kind == "hessian":
            raise RuntimeError(
                f"The hessian of the user-provided function with respect to input {i} is "
                "independent of the input. This is not allowed in strict mode. You should "
                "ensure that your function is thrice differentiable and that the hessian "
                "depends on the inputs.")
        if kind == "jacobian":
            raise RuntimeError(
                "While computing the hessian, found that the jacobian of the user-provided "
                f"function with respect to input {i} is independent of the input. This is not "
                "allowed in strict mode. You should ensure that your function is twice "
                "differentiable and that the jacobian depends on the inputs (this would be "
                "violated by a linear function for example).")
        if kind == "grad_inputs":
            raise RuntimeError(
                f"The gradient with respect to input {i} is independent of the inputs of the "
                "user-provided function. This is not allowed in strict mode.")
        raise RuntimeError(
            f"Output {i} of the user-provided function does not require gradients. The "
            "outputs must be computed in a differentiable manner from the input when "
            "running in strict mode.")


def _grad_of(outputs: tuple[Any, ...], inputs: tuple[Tensor, ...], grad_outputs: Any = None,
             create_graph: bool = False, retain_graph: bool | None = None) -> tuple[Any, ...]:
    """``tg.autograd.grad`` of the outputs that require grad (None for an input that none
    of them depends on)."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    return _grad([o for o, _ in pairs], list(inputs), [g for _, g in pairs],
                 retain_graph=retain_graph, create_graph=create_graph, allow_unused=True)


_FILL_MESSAGES = {
    "back": "The output of the user-provided function is independent of input {i}. This is "
            "not allowed in strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the "
                  "grad_outputs when using the double backward trick to compute forward mode "
                  "gradients. This is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. "
                   "This is not allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry "
                         "{i} in the grad_jacobian. This is not allowed in strict mode as it "
                         "prevents from using the double backward trick to replace forward "
                         "mode AD.",
}


def _fill_in_zeros(grads: tuple[Any, ...], refs: tuple[Tensor, ...], strict: bool,
                   create_graph: bool, stage: str) -> tuple[Tensor, ...]:
    """A gradient that is None (independent) is zero, or an error in strict mode."""
    result = []
    for i, (g, ref) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                raise RuntimeError(_FILL_MESSAGES[stage].format(i=i))
            g = ref.new_zeros(ref.shape)
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(f"The {what} of the user-provided function is independent of "
                               f"input {i}. This is not allowed in strict mode when "
                               "create_graph=True.")
        result.append(g)
    return tuple(result)


def _call(func: Callable[..., Any], inputs: tuple[Tensor, ...], fn_name: str,
          strict: bool) -> tuple[bool, tuple[Tensor, ...]]:
    """``func(*inputs)`` as a tuple of outputs (and whether it returned a tuple)."""
    is_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function",
                                  fn_name)
    _check_requires_grad(outputs, "outputs", strict)
    return is_tuple, outputs


def _single_output(outputs: tuple[Tensor, ...], is_tuple: bool, fn_name: str) -> None:
    """hessian, vhp and hvp need a function with one scalar output."""
    if is_tuple:
        raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
    if outputs[0].nelement() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn_name} should "
                           "contain a single element")


# ---------------------------------------------------------------------------- the API
def vjp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """``(func(inputs), v^T J)``: the vector-Jacobian product, one backward pass seeded
    with ``v`` (of the outputs' shapes; optional for a single one-element output). An
    input the outputs do not depend on gets zeros (an error when ``strict``).

    >>> vjp(lambda x: x ** 2, tg.tensor([1.0, 2.0]), tg.tensor([1.0, 1.0]))[1]
    tensor([2., 4.])
    """
    with enable_grad():
        inputs_tuple, ins = _as_tuple(inputs, "inputs", "vjp")
        ins = _prepare(ins, create_graph, need_graph=True)
        outputs_tuple, outs = _call(func, ins, "vjp", strict)
        vs = _vector(v, outs, outputs_tuple, "vjp", create_graph, _USER_OUTPUT)
    with set_grad_enabled(create_graph or is_grad_enabled()):
        grads = _grad_of(outs, ins, vs, create_graph=create_graph)
        result = _fill_in_zeros(grads, ins, strict, create_graph, "back")
    return (_unpack(_finish(outs, create_graph), outputs_tuple),
            _unpack(_finish(result, create_graph), inputs_tuple))


def jvp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """``(func(inputs), J v)``: the Jacobian-vector product, by the double-backward trick.
    ``u -> u^T J`` (a backward pass from a dummy ``u``, recorded) is linear in ``u``; its
    own backward seeded with ``v`` is ``J v``.

    >>> jvp(lambda x: x ** 2, tg.tensor([1.0, 2.0]), tg.tensor([1.0, 0.0]))[1]
    tensor([2., 0.])
    """
    with enable_grad():
        inputs_tuple, ins = _as_tuple(inputs, "inputs", "jvp")
        ins = _prepare(ins, create_graph, need_graph=True)
        vs = _vector(v, ins, inputs_tuple, "jvp", create_graph, _USER_INPUT)
        outputs_tuple, outs = _call(func, ins, "jvp", strict)
        dummies = tuple(o.new_zeros(o.shape).requires_grad_(True) for o in outs)
        grad_inputs = _grad_of(outs, ins, dummies, create_graph=True)
        _check_requires_grad(grad_inputs, "grad_inputs", strict)
    with set_grad_enabled(create_graph or is_grad_enabled()):
        grads = _grad_of(grad_inputs, dummies, vs, create_graph=create_graph)
        result = _fill_in_zeros(grads, outs, strict, create_graph, "back_trick")
    return (_unpack(_finish(outs, create_graph), outputs_tuple),
            _unpack(_finish(result, create_graph), outputs_tuple))


def jacobian(func: Callable[..., Any], inputs: Any, create_graph: bool = False,
             strict: bool = False, vectorize: bool = False,
             strategy: str = "reverse-mode") -> Any:
    """The Jacobian of ``func`` at ``inputs``: for output ``i`` and input ``j``, a Tensor
    of shape ``output_i.shape + input_j.shape``, as a tuple of tuples where tuples were
    given. Row by row: one vjp per output element (``vectorize`` is accepted and gives the
    same numbers: there is no vmap to batch the rows). ``strategy="forward-mode"`` is
    computed the same way, as its results are the same (PyTorch needs
    ``vectorize=True`` for it).

    >>> jacobian(lambda x, y: x * y, (tg.tensor([1.0, 2.0]), tg.tensor([3.0, 4.0])))[1]
    tensor([[1., 0.],
            [0., 2.]])
    """
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". '
                             'Hint: If your function has more outputs than inputs, '
                             '"forward-mode" tends to be more performant. Otherwise, prefer '
                             'to use "reverse-mode".')
    if strategy == "forward-mode":
        _check_forward_mode(create_graph, strict, vectorize)
    with enable_grad():
        inputs_tuple, ins = _as_tuple(inputs, "inputs", "jacobian")
        ins = _prepare(ins, create_graph, need_graph=True)
        outputs_tuple, outs = _call(func, ins, "jacobian", strict)
        if vectorize and strict:
            raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and "
                               "`vectorized=True` are not supported together. Please either "
                               "set `strict=False` or `vectorize=False`.")
        rows = tuple(_jacobian_rows(i, out, ins, create_graph, strict)
                     for i, out in enumerate(outs))
    return _unpack2(_finish(rows, create_graph), outputs_tuple, inputs_tuple)


def _check_forward_mode(create_graph: bool, strict: bool, vectorize: bool) -> None:
    """PyTorch's refusals for ``strategy="forward-mode"``, in its order."""
    if create_graph:
        raise NotImplementedError("torch.autograd.functional.jacobian: `create_graph=True` and "
                                  '`strategy="forward-mode"` are not supported together (yet). '
                                  "Please either set `create_graph=False` or "
                                  '`strategy="reverse-mode"`.')
    if strict:
        raise RuntimeError('torch.autograd.functional.jacobian: `strict=True` and `strategy='
                           '"forward-mode"` are not supported together (yet). Please either '
                           'set `strict=False` or `strategy="reverse-mode"`.')
    if not vectorize:
        raise NotImplementedError("Computing Jacobian using forward-AD or forward-over-reverse "
                                  "Hessian isonly implemented for `vectorize=True`.")


def _jacobian_rows(i: int, out: Tensor, ins: tuple[Tensor, ...], create_graph: bool,
                   strict: bool) -> tuple[Tensor, ...]:
    """d(out)/d(each input): the gradient of each element of ``out`` (row ``j`` of the
    Jacobian is ``e_j^T J``), stacked, shaped ``out.shape + input.shape``."""
    rows: list[list[Tensor]] = [[] for _ in ins]
    flat = out.reshape(-1)
    for j in range(out.nelement()):
        grads = _grad_of((flat[j],), ins, retain_graph=True, create_graph=create_graph)
        for k, (g, x) in enumerate(zip(grads, ins)):
            if g is None:
                if strict:
                    raise RuntimeError(f"Output {i} of the user-provided function is "
                                       f"independent of input {k}. This is not allowed in "
                                       "strict mode.")
                g = x.new_zeros(x.shape)
            elif strict and create_graph and not g.requires_grad:
                raise RuntimeError(f"The jacobian of the user-provided function is "
                                   f"independent of input {i}. This is not allowed in strict "
                                   "mode when create_graph=True.")
            rows[k].append(g)
    return tuple(_stack(r, x).view(out.shape + x.shape) for r, x in zip(rows, ins))


def _stack(rows: list[Tensor], like: Tensor) -> Tensor:
    """The rows stacked along a new first dim (none for an output of no elements)."""
    return stack(rows, 0) if rows else like.new_zeros((0,) + tuple(like.shape))


def hessian(func: Callable[..., Any], inputs: Any, create_graph: bool = False,
            strict: bool = False, vectorize: bool = False,
            outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """The Hessian of a scalar ``func`` at ``inputs``: the Jacobian of its gradient. For
    inputs ``i`` and ``j``, a Tensor of shape ``input_i.shape + input_j.shape``, as a tuple
    of tuples when ``inputs`` is a tuple.

    >>> hessian(lambda x: (x ** 3).sum(), tg.tensor([1.0, 2.0]))
    tensor([[ 6.,  0.],
            [ 0., 12.]])
    """
    inputs_tuple, ins = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def scalar_func(*xs: Tensor) -> Tensor:
        out = func(*xs)
        is_tuple, outs = _as_tuple(out, "outputs of the user-provided function", "hessian")
        _check_requires_grad(outs, "outputs", strict)
        if is_tuple or not isinstance(out, Tensor):
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if out.nelement() != 1:
            raise RuntimeError("The Tensor returned by the function given to hessian should "
                               "contain a single element")
        return out.squeeze()

    def gradient(*xs: Tensor) -> Any:
        jac = jacobian(scalar_func, xs, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        return jac

    result = jacobian(gradient, ins, create_graph=create_graph, strict=strict,
                      vectorize=vectorize, strategy=outer_jacobian_strategy)
    return _unpack2(result, inputs_tuple, inputs_tuple)


def vhp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """``(func(inputs), v^T H)`` for a scalar ``func``: the backward of its gradient (kept
    in the graph) seeded with ``v``.

    >>> vhp(lambda x: (x ** 3).sum(), tg.tensor([1.0, 2.0]), tg.tensor([1.0, 1.0]))[1]
    tensor([ 6., 12.])
    """
    with enable_grad():
        inputs_tuple, ins = _as_tuple(inputs, "inputs", "vhp")
        ins = _prepare(ins, create_graph, need_graph=True)
        vs = _vector(v, ins, inputs_tuple, "vhp", create_graph, _USER_INPUT)
        outputs_tuple, outs = _call(func, ins, "vhp", strict)
        _single_output(outs, outputs_tuple, "vhp")
        jac = _grad_of(outs, ins, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
    with set_grad_enabled(create_graph or is_grad_enabled()):
        grads = _grad_of(jac, ins, vs, create_graph=create_graph)
        result = _fill_in_zeros(grads, ins, strict, create_graph, "double_back")
    return (_unpack(_finish(outs, create_graph), outputs_tuple),
            _unpack(_finish(result, create_graph), inputs_tuple))


def hvp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """``(func(inputs), H v)`` for a scalar ``func``, by the double-backward trick on its
    gradient (as ``jvp``); equal to ``vhp`` when ``H`` is symmetric.

    >>> hvp(lambda x: (x ** 3).sum(), tg.tensor([1.0, 2.0]), tg.tensor([1.0, 1.0]))[1]
    tensor([ 6., 12.])
    """
    with enable_grad():
        inputs_tuple, ins = _as_tuple(inputs, "inputs", "hvp")
        ins = _prepare(ins, create_graph, need_graph=True)
        vs = _vector(v, ins, inputs_tuple, "hvp", create_graph, _USER_INPUT)
        outputs_tuple, outs = _call(func, ins, "hvp", strict)
        _single_output(outs, outputs_tuple, "hvp")
        jac = _grad_of(outs, ins, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        dummies = tuple(x.new_zeros(x.shape).requires_grad_(True) for x in ins)
        double_back = _grad_of(jac, ins, dummies, create_graph=True)
        _check_requires_grad(jac, "hessian", strict)
    with set_grad_enabled(create_graph or is_grad_enabled()):
        grads = _grad_of(double_back, dummies, vs, create_graph=create_graph)
        result = _fill_in_zeros(grads, ins, strict, create_graph, "double_back_trick")
    return (_unpack(_finish(outs, create_graph), outputs_tuple),
            _unpack(_finish(result, create_graph), inputs_tuple))
