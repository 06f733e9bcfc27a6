"""The differentiating transforms of ``torch.func``: ``grad``, ``grad_and_value``,
``vjp``, ``jvp``, ``jacrev``, ``jacfwd``, ``hessian``, ``linearize``.

Each takes a function and returns a function; all are built on the one derivative
tinygrad_edu computes, ``tg.autograd.grad`` (through ``autograd.functional``'s helpers):

- ``grad(f)(x)``: one backward pass from the scalar ``f(x)``;
- ``vjp``: a backward pass seeded with the cotangents, as often as you call ``vjp_fn``;
- ``jacrev`` and ``jacfwd``: one vjp per output element (row ``i`` of J is ``e_i^T J``);
  ``jacfwd`` gives the same Jacobian, computed the same way (there is no forward mode);
- ``jvp``: ``J t`` by the double-backward trick: ``u -> u^T J`` is linear in ``u``, so
  its own backward seeded with ``t`` is ``J t``;
- ``hessian(f)``: ``jacfwd(jacrev(f))``, as in PyTorch.

How they nest (PyTorch's "levels"): each call differentiates with respect to fresh
leaves (a detached copy of each input; a view of it when the input already requires grad,
so an enclosing transform still sees the dependence). The backward keeps its graph
(``create_graph``) only when the function's output depends on something from outside
the call: an enclosing transform's variable, or a tensor of yours that requires grad.
So ``grad(grad(f))`` works, and a top-level ``grad(f)(x)`` returns plain tensors, as
PyTorch's does.

>>> grad(lambda x: x ** 3)(tg.tensor(2.0))
tensor(12.)
>>> grad(grad(lambda x: x ** 3))(tg.tensor(2.0))
tensor(12.)
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..autograd.differentiate import _node_of
from ..autograd.functional import _grad_of, _jacobian_rows
from ..core.function import _edge
from ..core.grad_mode import enable_grad, is_grad_enabled
from ..parity.rng_state import default_generator
from ..tensor import Tensor
from .batching import _check_no_draws, _check_randomness_arg
from .pytree import TreeSpec, tree_flatten, tree_map, tree_unflatten, treespec_pprint

__all__ = ["grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian",
           "linearize"]


# ---------------------------------------------------------------------------- levels
def _differentiable(x: Any, inside: set[int]) -> Tensor:
    """What the function sees in place of input ``x``: a fresh leaf (its id goes into
    ``inside``), or a view of ``x`` when ``x`` requires grad (it stays in the outer graph)."""
    if not isinstance(x, Tensor):
        raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")
    if x.requires_grad:
        return x.view_as(x)
    fresh = x.detach().requires_grad_()
    inside.add(id(fresh))
    return fresh


def _reaches_outside(tensors: list[Any], inside: set[int]) -> bool:
    """Whether the graph of ``tensors`` reaches a leaf that requires grad and is not one of
    this call's fresh leaves: whether they depend on something from outside the call."""
    todo = [_edge(t) for t in tensors if isinstance(t, Tensor) and t.requires_grad]
    seen: set[int] = set()
    while todo:
        edge = todo.pop()
        if edge is None or id(edge) in seen:
            continue
        seen.add(id(edge))
        if isinstance(edge, Tensor):  # a leaf
            if id(edge) not in inside:
                return True
            continue
        todo.extend(_node_of(edge).parents)
    return False


def _release(tree: Any, keep: bool, inside: set[int]) -> Any:
    """The results of a call: each tensor detached unless ``keep`` (grad mode was on) and
    it depends on something from outside the call (PyTorch unwraps to the outer level)."""
    def one(t: Any) -> Any:
        if not isinstance(t, Tensor) or not t.requires_grad:
            return t
        return t if keep and _reaches_outside([t], inside) else t.detach()

    return tree_map(one, tree)


def _zeros_for_none(grads: tuple[Any, ...], like: list[Tensor]) -> list[Tensor]:
    """A gradient that is None (the input was not used) is zeros, as in PyTorch."""
    return [x.new_zeros(x.shape) if g is None else g for g, x in zip(grads, like)]


# ---------------------------------------------------------------------------- argnums
def _wrap_argnum(argnum: Any, num_args: int) -> int:
    if not isinstance(argnum, int):
        raise RuntimeError(f"argnum must be int, got: {type(argnum)}")
    if -num_args <= argnum < num_args:
        return argnum % num_args
    raise RuntimeError(f"Got argnum={argnum}, but only {num_args} positional inputs")


def _slice_argnums(args: tuple[Any, ...], argnums: Any, as_tuple: bool = True) -> Any:
    """The arguments at ``argnums`` (one, or a tuple of them), with PyTorch's checks."""
    if not isinstance(argnums, (int, tuple)):
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    if isinstance(argnums, int):
        picked = args[_wrap_argnum(argnums, len(args))]
        return (picked,) if as_tuple else picked
    wrapped = tuple(_wrap_argnum(a, len(args)) for a in argnums)
    if len(wrapped) == 0:
        raise RuntimeError("argnums must be non-empty")
    if len(set(wrapped)) != len(wrapped):
        raise RuntimeError(f"argnums elements must be unique, got {wrapped}")
    return tuple(args[i] for i in wrapped)


def _replace_args(args: tuple[Any, ...], new: tuple[Any, ...], argnums: Any) -> tuple[Any, ...]:
    """``args`` with ``new[k]`` at the ``k``-th of ``argnums``."""
    positions = (argnums,) if isinstance(argnums, int) else argnums
    replaced = list(args)
    for k, i in enumerate(positions):
        replaced[i % len(args)] = new[k]
    return tuple(replaced)


# ---------------------------------------------------------------------------- grad
def grad(func: Callable[..., Any], argnums: Any = 0, has_aux: bool = False) -> Callable[..., Any]:
    """The gradient of a scalar-valued ``func`` with respect to its argument(s) ``argnums``
    (an int, or a tuple of ints: a tuple of gradients), each shaped like its argument (a
    dict of tensors gets a dict of gradients). With ``has_aux``, ``func`` returns
    ``(output, aux)`` and so does the gradient function: ``(gradient, aux)``.

    >>> grad(lambda x, y: (x * y).sum(), argnums=(0, 1))(tg.tensor([1.0, 2.0]),
    ...                                                  tg.tensor([3.0, 4.0]))
    (tensor([3., 4.]), tensor([1., 2.]))
    """
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        gradient, value = _grad_and_value(func, argnums, has_aux, args, kwargs)
        return (gradient, value[1]) if has_aux else gradient

    return wrapper


def grad_and_value(func: Callable[..., Any], argnums: Any = 0,
                   has_aux: bool = False) -> Callable[..., Any]:
    """As ``grad``, returning ``(gradient, output)`` (``(gradient, (output, aux))`` with
    ``has_aux``): the value comes free with the backward pass.

    >>> grad_and_value(lambda x: (x ** 2).sum())(tg.tensor([1.0, 2.0]))
    (tensor([2., 4.]), tensor(5.))
    """
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return _grad_and_value(func, argnums, has_aux, args, kwargs)

    return wrapper


def _grad_and_value(func: Callable[..., Any], argnums: Any, has_aux: bool,
                    args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, Any]:
    outer = is_grad_enabled()
    inside: set[int] = set()
    with enable_grad():  # (a transform ignores an enclosing no_grad: it differentiates f)
        diff_args = _slice_argnums(args, argnums, as_tuple=False)
        flat, spec = tree_flatten(diff_args)
        fresh = [_differentiable(x, inside) for x in flat]
        new = tree_unflatten(fresh, spec)
        args = _replace_args(args, new if isinstance(argnums, tuple) else (new,), argnums)
        output = func(*args, **kwargs)
        aux = None
        if has_aux:
            if not (isinstance(output, tuple) and len(output) == 2):
                raise RuntimeError("grad_and_value(f)(*args): output of function f should be "
                                   "a tuple: (output, aux) if has_aux is True")
            output, aux = output
        if not isinstance(output, Tensor):
            raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a "
                               f"Tensor, got {type(output)}")
        if output.dim() != 0:
            raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a scalar "
                               f"Tensor, got tensor with {output.dim()} dims. Maybe you wanted "
                               "to use the vjp or jacrev APIs instead?")
        keep = outer and _reaches_outside([output], inside)
        grads = _zeros_for_none(_grad_of((output,), tuple(fresh), create_graph=keep), fresh)
    gradient = _release(tree_unflatten(grads, spec), outer, inside)
    value = _release(output, outer, inside)
    return gradient, ((value, _release(aux, outer, inside)) if has_aux else value)


# ---------------------------------------------------------------------------- vjp
@dataclass
class _Trace:
    """One call of ``func`` on fresh leaves, kept for the backward passes that follow."""

    outer: bool  # grad mode at the call: results may stay in an outer graph
    fresh: list[Tensor]  # what func saw in place of the differentiated inputs (flat)
    spec: TreeSpec  # of the differentiated inputs
    outputs: list[Tensor]  # func's outputs (flat)
    out_spec: TreeSpec
    aux: Any = None
    inside: set[int] = field(default_factory=set)

    def keep(self, *others: Any) -> bool:
        """Whether a backward must keep its graph: the outputs (or ``others``, e.g. the
        cotangents) depend on something from outside the call."""
        return self.outer and _reaches_outside(self.outputs + list(others), self.inside)

    def pullback(self, flat_cotangents: list[Any], retain_graph: bool | None,
                 create_graph: bool) -> list[Tensor]:
        """``v^T J`` for each differentiated input (zeros for an unused one)."""
        with enable_grad():
            grads = _grad_of(tuple(self.outputs), tuple(self.fresh), flat_cotangents,
                             retain_graph=retain_graph, create_graph=create_graph)
        return _zeros_for_none(grads, self.fresh)


def _trace(func: Callable[..., Any], args: tuple[Any, ...], argnums: Any, has_aux: bool,
           api: str) -> _Trace:
    """Run ``func`` on fresh leaves for the inputs at ``argnums`` (all when None), with
    PyTorch's checks of its outputs (``api`` names the transform in the messages)."""
    outer = is_grad_enabled()
    inside: set[int] = set()
    with enable_grad():
        diff_args = args if argnums is None else _slice_argnums(args, argnums)
        flat, spec = tree_flatten(diff_args)
        fresh = [_differentiable(x, inside) for x in flat]
        new = tree_unflatten(fresh, spec)
        output = func(*(new if argnums is None else _replace_args(args, new, argnums)))
    aux = None
    if has_aux:
        if not (isinstance(output, tuple) and len(output) == 2):
            raise RuntimeError(f"{api}: output of function f should be a tuple: (output, aux) "
                               "if has_aux is True")
        output, aux = output
    flat_out, out_spec = tree_flatten(output)
    if len(flat_out) == 0 or (len(flat_out) == 1 and flat_out[0] is None):
        raise RuntimeError(f"{api}: Expected f to be a function that has non-empty output (got "
                           f"output = {flat_out})")
    for o in flat_out:
        if not isinstance(o, Tensor):
            raise RuntimeError(f"{api}: expected f(*primals) to return only tensors, got "
                               f"unsupported type {type(o)}")
        if api.startswith("vjp") and not o.is_floating_point():
            raise RuntimeError("vjp(f, ...): All outputs of f must be floating-point or complex "
                               f"Tensors, got Tensor with dtype {o.dtype}")
    return _Trace(outer, fresh, spec, flat_out, out_spec, _release(aux, outer, inside), inside)


def vjp(func: Callable[..., Any], *primals: Any, has_aux: bool = False) -> Any:
    """``(func(*primals), vjp_fn)``: ``vjp_fn(cotangents)`` (shaped as the output) returns
    ``v^T J``, one entry per primal, by a backward pass seeded with the cotangents; call it
    as often as you like. With ``has_aux``: ``(output, vjp_fn, aux)``.

    >>> out, vjp_fn = vjp(lambda x: x ** 2, tg.tensor([1.0, 2.0]))
    >>> vjp_fn(tg.tensor([1.0, 10.0]))
    (tensor([ 2., 40.]),)
    """
    trace = _trace(func, primals, None, has_aux, "vjp(f, *primals)")
    keep = trace.keep()

    def vjp_fn(cotangents: Any, retain_graph: bool = True,
               create_graph: bool | None = None) -> Any:
        if create_graph is None:
            create_graph = is_grad_enabled()
        flat, spec = tree_flatten(cotangents)
        if spec != trace.out_spec:
            raise RuntimeError("Expected pytree structure of cotangents to be the same as "
                               "pytree structure of outputs to the function. cotangents: "
                               f"{treespec_pprint(spec)}, primal output: "
                               f"{treespec_pprint(trace.out_spec)}")
        create_graph = create_graph and (keep or _reaches_outside(flat, trace.inside))
        grads = trace.pullback(flat, retain_graph, create_graph)
        return _release(tree_unflatten(grads, trace.spec), create_graph, trace.inside)

    output = _release(tree_unflatten(trace.outputs, trace.out_spec), trace.outer, trace.inside)
    return (output, vjp_fn, trace.aux) if has_aux else (output, vjp_fn)


# ---------------------------------------------------------------------------- Jacobians
def jacrev(func: Callable[..., Any], argnums: Any = 0, *, has_aux: bool = False,
           chunk_size: int | None = None) -> Callable[..., Any]:
    """The Jacobian of ``func`` with respect to argument(s) ``argnums``, one vjp per
    output element: for output ``o`` and input ``x``, shape ``o.shape + x.shape``, nested
    as the outputs, then as ``argnums``. (``chunk_size`` is accepted; rows are computed one
    at a time anyway.)

    >>> jacrev(lambda x: x.sin())(tg.tensor([0.0, 0.0]))
    tensor([[1., 0.],
            [0., 1.]])
    """
    if not (chunk_size is None or chunk_size > 0):
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")

    @functools.wraps(func)
    def wrapper(*args: Any) -> Any:
        return _jacobian(func, argnums, has_aux, args, "vjp(f, *primals)", None)

    return wrapper


def jacfwd(func: Callable[..., Any], argnums: Any = 0, has_aux: bool = False, *,
           randomness: str = "error") -> Callable[..., Any]:
    """The Jacobian of ``func``, as ``jacrev`` (the same numbers up to rounding: PyTorch
    computes it with forward-mode AD, one jvp per input element; tinygrad_edu has no forward
    mode and computes it row by row with vjps). ``randomness`` is vmap's: "error" raises if
    ``func`` draws random numbers.

    >>> jacfwd(lambda x: x ** 2)(tg.tensor([1.0, 2.0]))
    tensor([[2., 0.],
            [0., 4.]])
    """
    @functools.wraps(func)
    def wrapper(*args: Any) -> Any:
        _check_randomness_arg(randomness)
        return _jacobian(func, argnums, has_aux, args, "jvp(f, primals, tangents)", randomness)

    return wrapper


def _jacobian(func: Callable[..., Any], argnums: Any, has_aux: bool, args: tuple[Any, ...],
              api: str, randomness: str | None) -> Any:
    """The Jacobians of every output with respect to every input at ``argnums``."""
    before = default_generator._state_bytes() if randomness == "error" else None
    trace = _trace(func, args, argnums, has_aux, api)
    if before is not None:
        _check_no_draws(before)
    keep = trace.keep()
    with enable_grad():
        per_output = [_jacobian_rows(i, out, tuple(trace.fresh), keep, False)
                      for i, out in enumerate(trace.outputs)]
    jac = [tree_unflatten(list(rows), trace.spec) for rows in per_output]
    if isinstance(argnums, int):
        jac = [j[0] for j in jac]
    result = _release(tree_unflatten(jac, trace.out_spec), trace.outer, trace.inside)
    return (result, trace.aux) if has_aux else result


def hessian(func: Callable[..., Any], argnums: Any = 0) -> Callable[..., Any]:
    """The Hessian of a scalar ``func``: ``jacfwd(jacrev(func, argnums), argnums)``, shape
    ``x.shape + x.shape``.

    >>> hessian(lambda x: (x ** 3).sum())(tg.tensor([1.0, 2.0]))
    tensor([[ 6.,  0.],
            [ 0., 12.]])
    """
    return jacfwd(jacrev(func, argnums), argnums)


# ---------------------------------------------------------------------------- forward
def _check_tensors(flat: list[Any], api: str, argname: str) -> None:
    if len(flat) == 0:
        raise RuntimeError(f"{api}: Expected {argname} to contain at least one Tensor.")
    for x in flat:
        if not isinstance(x, Tensor):
            raise RuntimeError(f"{api}: Expected {argname} to only contain Tensors, got "
                               f"{type(x)}")


def _transpose_graph(trace: _Trace) -> tuple[list[Tensor], tuple[Any, ...]]:
    """The recorded ``u -> u^T J`` (``u``: one dummy leaf per output) for the
    double-backward trick; its backward seeded with ``t`` is ``J t``."""
    with enable_grad():
        dummies = [o.new_zeros(o.shape).requires_grad_(o.is_floating_point())
                   for o in trace.outputs]
        trace.inside.update(id(u) for u in dummies)
        u_j = _grad_of(tuple(trace.outputs), tuple(trace.fresh), dummies, create_graph=True)
    return dummies, u_j


def _push_forward(u_j: tuple[Any, ...], dummies: list[Tensor], flat_tangents: list[Any],
                  create_graph: bool) -> tuple[Any, ...]:
    """``J t`` per output (None for an output that does not depend on the inputs)."""
    with enable_grad():
        return _grad_of(u_j, tuple(dummies), flat_tangents, retain_graph=True,
                        create_graph=create_graph)


def jvp(func: Callable[..., Any], primals: Any, tangents: Any, *, strict: bool = False,
        has_aux: bool = False) -> Any:
    """``(func(*primals), J t)``: the Jacobian-vector product with ``tangents`` (shaped as
    ``primals``), by the double-backward trick (PyTorch uses forward-mode AD; the numbers
    agree up to rounding). With ``has_aux``: ``(output, jvp_out, aux)``.

    >>> jvp(lambda x: x ** 2, (tg.tensor([1.0, 2.0]),), (tg.tensor([1.0, 0.0]),))
    (tensor([1., 4.]), tensor([2., 0.]))
    """
    api = "jvp(f, primals, tangents)"
    if not isinstance(primals, tuple):
        raise RuntimeError(f"{api}: Expected primals to be a tuple. E.g. it should be valid to "
                           "call f(*primals).")
    flat_p, p_spec = tree_flatten(primals)
    flat_t, t_spec = tree_flatten(tangents)
    if p_spec != t_spec:
        raise RuntimeError(f"{api}: Expected primals and tangents to have the same python "
                           "structure. For example, if primals is a tuple of 3 tensors, "
                           f"tangents also must be. Got primals with structure {p_spec} and "
                           f"tangents with structure {t_spec}")
    _check_tensors(flat_p, api, "primals")
    _check_tensors(flat_t, api, "tangents")
    for p, t in zip(flat_p, flat_t):
        if p.shape != t.shape:
            raise RuntimeError("Trying to set a forward gradient that has a different size than "
                               "that of the original Tensor, this is not supported. Tensor is of "
                               f"size {list(p.shape)} while the given forward gradient is of size "
                               f"{list(t.shape)}.")
    trace = _trace(func, primals, None, has_aux, api)
    keep = trace.keep(*flat_t)
    dummies, u_j = _transpose_graph(trace)
    pushed = _push_forward(u_j, dummies, flat_t, keep)
    if strict and any(p is None for p in pushed):
        raise RuntimeError("jvp(f, primals, tangents, strict=True): The output of f is "
                           "independent of the inputs. This is not allowed with strict=True.")
    out = _release(tree_unflatten(trace.outputs, trace.out_spec), trace.outer, trace.inside)
    tangent_out = _release(tree_unflatten(_zeros_for_none(pushed, trace.outputs),
                                          trace.out_spec), keep, trace.inside)
    return (out, tangent_out, trace.aux) if has_aux else (out, tangent_out)


def linearize(func: Callable[..., Any], *primals: Any) -> tuple[Any, Callable[..., Any]]:
    """``(func(*primals), jvp_fn)``: ``jvp_fn(*tangents)`` is ``J t`` at ``primals``,
    from a graph recorded once (``u -> u^T J``; see ``jvp``) and reused by every call.

    >>> out, jvp_fn = linearize(lambda x: x.sin(), tg.tensor([0.0, 0.0]))
    >>> jvp_fn(tg.tensor([1.0, 2.0]))
    tensor([1., 2.])
    """
    trace = _trace(func, primals, None, False, "linearize")
    dummies, u_j = _transpose_graph(trace)
    shapes = [x.shape for x in trace.fresh]
    dtypes = [x.dtype for x in trace.fresh]

    def jvp_fn(*tangents: Any) -> Any:
        flat, spec = tree_flatten(tangents)
        if spec != trace.spec:
            raise RuntimeError(f"Expected the tangents {spec} to have the same argspec as the "
                               f"primals {trace.spec}")
        for idx, t in enumerate(flat):
            what = ("shape", t.shape, shapes[idx]) if t.shape != shapes[idx] else \
                ("dtype", t.dtype, dtypes[idx]) if t.dtype != dtypes[idx] else None
            if what is not None:
                raise RuntimeError(f"tangent:{idx} with {what[0]} {what[1]} in flattened "
                                   f"pytree doesn't match the {what[0]} {what[2]} of the "
                                   "corresponding primal.")
        keep = trace.keep(*flat)
        pushed = _zeros_for_none(_push_forward(u_j, dummies, flat, keep), trace.outputs)
        return _release(tree_unflatten(pushed, trace.out_spec), keep, trace.inside)

    output = _release(tree_unflatten(trace.outputs, trace.out_spec), trace.outer, trace.inside)
    return output, jvp_fn
