"""``vmap``: a function of one example, lifted to a batch of them.

PyTorch runs ``func`` once on "batched tensors" that carry the batch dimension through
every op. tinygrad_edu has no batched tensors: ``vmap`` here is the loop you would write
by hand, made honest and reusable. It takes slice ``i`` of each mapped input
(``x.select(in_dim, i)``), calls ``func`` on the slices, and stacks the results along
``out_dims``. The numbers are the loop's; the speed is the loop's too (no vectorisation).

Because select and stack are ordinary differentiable ops, ``vmap`` composes with the
other transforms both ways: ``vmap(grad(f))`` (per-sample gradients) and
``grad(vmap(f))``.

>>> vmap(lambda x: x.sum())(tg.tensor([[1.0, 2.0], [3.0, 4.0]]))
tensor([3., 7.])
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ..ops.join import stack
from ..parity.rng_state import default_generator
from ..tensor import Tensor
from .pytree import broadcast_prefix, tree_flatten, tree_unflatten

__all__ = ["vmap"]


def vmap(func: Callable[..., Any], in_dims: Any = 0, out_dims: Any = 0,
         randomness: str = "error", *, chunk_size: int | None = None) -> Callable[..., Any]:
    """``func`` mapped over a dimension of its inputs: ``vmap(f)(xs)[i] == f(xs[i])``.

    ``in_dims`` says which dim of each input is mapped: an int for all, or a tuple with
    one entry per positional argument, each an int, ``None`` (not mapped: passed whole)
    or a nested structure matching that argument (``{"w": 0, "b": None}``). Keyword
    arguments are never mapped. ``out_dims`` (an int, ``None``, or a structure matching
    the outputs) is where the batch dim goes in each output; ``None`` returns an output
    that is the same for every slice as it is.

    This ``vmap`` loops: ``func`` runs once per slice (``chunk_size`` is accepted and
    changes nothing). ``randomness="error"`` raises if the first call draws from the
    default generator; ``"same"`` replays the same draws for every slice (torch's numbers:
    it draws once); ``"different"`` lets each slice draw its own (not torch's numbers,
    which come from one batched draw).

    >>> x, w = tg.tensor([[1.0, 2.0], [3.0, 4.0]]), tg.tensor([10.0, 100.0])
    >>> vmap(lambda x, w: x @ w, in_dims=(0, None))(x, w)
    tensor([210., 430.])
    >>> vmap(lambda x: x * 2, in_dims=1, out_dims=1)(x)
    tensor([[2., 4.],
            [6., 8.]])
    """
    _check_randomness_arg(randomness)
    if chunk_size is not None and chunk_size <= 0:
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")

    @functools.wraps(func)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return _vmap_call(func, in_dims, out_dims, randomness, args, kwargs)

    return wrapped


def _get_name(func: Any) -> str:
    """How torch's messages name ``func``."""
    if hasattr(func, "__name__"):
        return str(func.__name__)
    if isinstance(func, functools.partial):
        return f"functools.partial({_get_name(func.func)}, ...)"
    return repr(func)


def _check_randomness_arg(randomness: str) -> None:
    if randomness not in ("error", "different", "same"):
        raise RuntimeError("Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")


# ---------------------------------------------------------------------------- the loop
def _vmap_call(func: Callable[..., Any], in_dims: Any, out_dims: Any, randomness: str,
               args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    _check_out_dims(out_dims, func)
    batch_size, flat_in_dims, flat_args, args_spec = _batched_inputs(in_dims, args, func)
    if batch_size == 0:
        return _empty_batch(func, out_dims, flat_in_dims, flat_args, args_spec, kwargs)
    results = []
    with _randomness(randomness) as each_slice:
        for i in range(batch_size):
            each_slice(i)
            sliced = [a if d is None else a.select(d, i) for a, d in zip(flat_args, flat_in_dims)]
            results.append(func(*tree_unflatten(sliced, args_spec), **kwargs))
    return _stack_outputs(results, out_dims, func)


def _batched_inputs(in_dims: Any, args: tuple[Any, ...],
                    func: Callable[..., Any]) -> tuple[int, list[Any], list[Any], Any]:
    """The batch size, the flat in_dims (normalised) and inputs, and the inputs' spec,
    with PyTorch's checks and messages."""
    name = _get_name(func)
    if not isinstance(in_dims, (int, tuple)):
        raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): expected `in_dims` "
                         "to be int or a (potentially nested) tuple matching the structure of "
                         f"inputs, got: {type(in_dims)}.")
    if len(args) == 0:
        raise ValueError(f"vmap({name})(<inputs>): got no inputs. Maybe you forgot to add "
                         "inputs, or you are trying to vmap over a function with no inputs. "
                         "The latter is unsupported.")
    flat_args, args_spec = tree_flatten(args)
    flat_in_dims = broadcast_prefix(in_dims, args_spec)
    where = f"vmap({name}, in_dims={in_dims}, ...)(<inputs>)"
    if flat_in_dims is None:
        raise ValueError(f"{where}: in_dims is not compatible with the structure of `inputs`. "
                         f"in_dims has structure {tree_flatten(in_dims)[1]} but inputs has "
                         f"structure {args_spec}.")
    for i, (arg, in_dim) in enumerate(zip(flat_args, flat_in_dims)):
        if not isinstance(in_dim, int) and in_dim is not None:
            raise ValueError(f"{where}: Got in_dim={in_dim} for an input but in_dim must be "
                             "either an integer dimension or None.")
        if isinstance(in_dim, int) and not isinstance(arg, Tensor):
            raise ValueError(f"{where}: Got in_dim={in_dim} for an input but the input is of "
                             f"type {type(arg)}. We cannot vmap over non-Tensor arguments, "
                             "please use None as the respective in_dim")
        if in_dim is not None and not -arg.dim() <= in_dim < arg.dim():
            raise ValueError(f"{where}: Got in_dim={in_dim} for some input, but that input "
                             f"is a Tensor of dimensionality {arg.dim()} so expected in_dim "
                             f"to satisfy -{arg.dim()} <= in_dim < {arg.dim()}.")
        if in_dim is not None and in_dim < 0:
            flat_in_dims[i] = in_dim % arg.dim()
    sizes = [a.size(d) for a, d in zip(flat_args, flat_in_dims) if d is not None]
    if not sizes:
        raise ValueError("vmap: Expected at least one Tensor to vmap over")
    if any(s != sizes[0] for s in sizes):
        raise ValueError("vmap: Expected all tensors to have the same size in the mapped "
                         f"dimension, got sizes {sizes} for the mapped dimension")
    return sizes[0], flat_in_dims, flat_args, args_spec


def _check_out_dims(out_dims: Any, func: Callable[..., Any]) -> None:
    if isinstance(out_dims, int):
        return
    for d in tree_flatten(out_dims)[0]:
        if not isinstance(d, int) and d is not None:
            raise ValueError(f"vmap({_get_name(func)}, ..., out_dims={out_dims}): `out_dims` "
                             "must be an int, None or a python collection of ints representing "
                             "where in the outputs the vmapped dimension should appear.")


def _flat_out_dims(out_dims: Any, output: Any, func: Callable[..., Any]) -> list[Any]:
    """One out_dim per output leaf (a lone Tensor also takes ``out_dims=(d,)``)."""
    spec = tree_flatten(output)[1]
    if isinstance(output, Tensor):
        if isinstance(out_dims, int) or out_dims is None:
            return [out_dims]
        if isinstance(out_dims, tuple) and len(out_dims) == 1:
            return list(out_dims)
        flat = None
    else:
        flat = broadcast_prefix(out_dims, spec)
    if flat is None:
        raise ValueError(f"vmap({_get_name(func)}, ..., out_dims={out_dims})(<inputs>): "
                         "out_dims is not compatible with the structure of `outputs`. "
                         f"out_dims has structure {tree_flatten(out_dims)[1]} but outputs has "
                         f"structure {spec}.")
    return flat


def _stack_outputs(results: list[Any], out_dims: Any, func: Callable[..., Any]) -> Any:
    """The per-slice outputs, each leaf stacked along its out_dim."""
    flat_out_dims = _flat_out_dims(out_dims, results[0], func)
    per_slice = [tree_flatten(r)[0] for r in results]
    stacked = [_stack_leaf([flat[k] for flat in per_slice], out_dim, func)
               for k, out_dim in enumerate(flat_out_dims)]
    return tree_unflatten(stacked, tree_flatten(results[0])[1])


def _stack_leaf(leaves: list[Any], out_dim: int | None, func: Callable[..., Any]) -> Any:
    """One output's slices stacked along ``out_dim``; with ``None``, the output that is the
    same in every slice, once. (PyTorch refuses an output that depends on the batch there;
    here, one that differs between slices.)"""
    name, first = _get_name(func), leaves[0]
    if out_dim is None:
        if isinstance(first, Tensor) and not all(_same(first, leaf) for leaf in leaves[1:]):
            raise ValueError(f"vmap({name}, ...): `{name}` can not return a BatchedTensor "
                             "when out_dim is None")
        return first
    if not isinstance(first, Tensor):
        raise ValueError(f"vmap({name}, ...): `{name}` must only return Tensors, got type "
                         f"{type(first)}. Did you mean to set out_dims= to None for output?")
    return stack(leaves, out_dim)


def _same(a: Tensor, b: Any) -> bool:
    return b is a or (isinstance(b, Tensor) and b.shape == a.shape
                      and bool(np.array_equal(b.detach().numpy(), a.detach().numpy())))


def _empty_batch(func: Callable[..., Any], out_dims: Any, flat_in_dims: list[Any],
                 flat_args: list[Any], args_spec: Any, kwargs: dict[str, Any]) -> Any:
    """A batch of size 0: ``func`` runs once on zero slices (for its outputs' shapes), and
    each output gets an empty batch dim."""
    sliced = [a if d is None else a.new_zeros(a.shape[:d] + a.shape[d + 1:])
              for a, d in zip(flat_args, flat_in_dims)]
    output = func(*tree_unflatten(sliced, args_spec), **kwargs)
    leaves, spec = tree_flatten(output)
    empty = []
    for leaf, out_dim in zip(leaves, _flat_out_dims(out_dims, output, func)):
        one = _stack_leaf([leaf], out_dim, func)
        empty.append(one if out_dim is None else one.narrow(out_dim, 0, 0))
    return tree_unflatten(empty, spec)


# ---------------------------------------------------------------------------- randomness
@contextlib.contextmanager
def _randomness(randomness: str) -> Iterator[Callable[[int], None]]:
    """The per-slice hook of ``randomness``: "same" rewinds the default generator before
    each slice; "error" raises (leaving the generator as it was) if slice 0 drew from it."""
    before = default_generator._state_bytes() if randomness != "different" else None
    drew_checked = False

    def each_slice(i: int) -> None:
        nonlocal drew_checked
        if randomness == "same" and i > 0:
            default_generator.set_state(before)
        if randomness == "error" and i == 1 and not drew_checked:
            drew_checked = True
            _check_no_draws(before)

    yield each_slice
    if randomness == "error" and not drew_checked:
        _check_no_draws(before)


def _check_no_draws(before: Any) -> None:
    """Raise PyTorch's error of ``randomness="error"`` if the default generator moved
    since its state was ``before`` (and put it back: torch raises before drawing)."""
    if not np.array_equal(default_generator._state_bytes(), before):
        default_generator.set_state(before)
        raise RuntimeError("vmap: called random operation while in randomness error mode. "
                           "Please either use the 'same' or 'different' randomness flags on "
                           "vmap or perform the randomness operation out of vmap")
