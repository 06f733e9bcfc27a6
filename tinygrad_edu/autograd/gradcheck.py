"""Check analytical gradients against central finite differences (in float64).

``gradcheck(fn, inputs)`` compares, for every input that requires grad, the Jacobian
computed by backward with ``(f(x + eps) - f(x - eps)) / (2 eps)`` element by element.
``gradgradcheck`` does the same for the gradient itself (second derivatives).

As ``torch.autograd.gradcheck``: ``fn`` returns a Tensor or a tuple/list of Tensors
(anything else raises); the outputs that require grad are checked, and when none does,
the numerical Jacobian must be zero; a NaN or inf in either Jacobian is a failure (NaN
is never "close" to anything); ``raise_exception=False`` returns False instead of raising.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..core import function as _fn  # (_fn._Tensor, _fn._wrap: bound by tensor.py at import)
from ..creation import randn
from ..dtypes import FLOATING
from .differentiate import grad as autograd_grad


class GradcheckError(RuntimeError):
    """Raised by gradcheck when an analytical and a numerical Jacobian disagree."""


class GradcheckOutputError(AttributeError, TypeError):
    """Raised by gradcheck when the checked function returns something other than a
    Tensor or a tuple/list of Tensors (torch raises an AttributeError there)."""


def _as_tuple(x: Any) -> tuple[Any, ...]:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _all_outputs(result: Any) -> tuple[Any, ...]:
    """``fn``'s result as a tuple of Tensors; anything else raises, naming what it is."""
    items = _as_tuple(result)
    for k, o in enumerate(items):
        if not isinstance(o, _fn._Tensor):
            where = f" (element {k} of the {type(result).__name__} it returned)" \
                if isinstance(result, (tuple, list)) else ""
            raise GradcheckOutputError(
                f"gradcheck: the function must return a Tensor or a tuple/list of Tensors, "
                f"but it returned {type(o).__name__}{where}. Hint: return the tensor itself, "
                "not .item(), .tolist(), a dict or None."
            )
    return items


def _outputs(fn: Callable[..., Any], inputs: Sequence[Any],
             keep: Sequence[int] | None = None) -> tuple[Any, ...]:
    """``fn``'s outputs at ``inputs``: those at positions ``keep`` (all when None)."""
    outs = _all_outputs(fn(*inputs))
    return outs if keep is None else tuple(outs[k] for k in keep)


def numerical_jacobian(fn: Callable[..., Any], inputs: Sequence[Any], i: int, eps: float,
                       keep: Sequence[int] | None = None) -> list[np.ndarray]:
    """d(output k)/d(input i) by central differences: one (out.size, in.size) per output
    (the outputs at positions ``keep``, all when None)."""
    x = inputs[i]._data  # perturbed in place, element by element (row-major order, as
    columns: list[list[np.ndarray]] = []  # the analytical Jacobian; works when x is strided)
    for j in np.ndindex(x.shape):  # (grad mode stays on: fn may itself differentiate)
        orig = x[j]
        x[j] = orig + eps
        plus = [o._data.astype(np.float64).reshape(-1) for o in _outputs(fn, inputs, keep)]
        x[j] = orig - eps
        minus = [o._data.astype(np.float64).reshape(-1) for o in _outputs(fn, inputs, keep)]
        x[j] = orig
        with np.errstate(invalid="ignore", over="ignore"):  # inf - inf: NaN, reported
            columns.append([(p - m) / (2 * eps) for p, m in zip(plus, minus)])
    if columns:
        return [np.stack([c[k] for c in columns], axis=1) for k in range(len(columns[0]))]
    sizes = [o._data.size for o in _outputs(fn, inputs, keep)]
    return [np.zeros((n, 0)) for n in sizes]


def analytical_jacobian(outputs: Sequence[Any], inputs: Sequence[Any], i: int) -> list[np.ndarray]:
    """d(output k)/d(input i) by one backward per output element."""
    result = []
    for out in outputs:
        if not out.requires_grad:  # a constant (a zero gradient's gradient): as PyTorch
            result.append(np.zeros((out._data.size, inputs[i]._data.size)))
            continue
        rows = []
        for j in range(out.numel()):
            seed = np.zeros(out._data.size, dtype=out._data.dtype)
            seed[j] = 1
            (g,) = autograd_grad([out], [inputs[i]], [_fn._wrap(seed.reshape(out._data.shape))],
                                 retain_graph=True, allow_unused=True)
            size = inputs[i]._data.size
            rows.append(np.zeros(size) if g is None else g._data.astype(np.float64).reshape(-1))
        result.append(np.stack(rows) if rows else np.zeros((0, inputs[i]._data.size)))
    return result


def _needs_grad(t: Any) -> bool:
    return bool(getattr(t, "requires_grad", False))


def _check_inputs(inputs: tuple[Any, ...]) -> None:
    if not any(_needs_grad(t) for t in inputs):
        raise ValueError("gradcheck expects at least one input tensor to require gradient, "
                         "but none of them have requires_grad=True.")
    for k, t in enumerate(inputs):
        if _needs_grad(t) and t._data.dtype != np.float64:
            warnings.warn(f"Input #{k} requires gradient and is not a double precision "
                          "floating point. gradcheck is only accurate in float64.", UserWarning,
                          stacklevel=3)


def gradcheck(func: Callable[..., Any], inputs: Any, *, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True, nondet_tol: float = 0.0,
              check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
              check_batched_grad: bool = False, check_batched_forward_grad: bool = False,
              check_forward_ad: bool = False, check_backward_ad: bool = True,
              fast_mode: bool = False, masked: bool | None = None) -> bool:
    """True when backward agrees with finite differences for every input requiring grad.

    >>> x = tg.randn(3, dtype=tg.float64, requires_grad=True)
    >>> tg.autograd.gradcheck(lambda t: (t * t).sum(), (x,))
    True

    ``func`` returns a Tensor or a tuple/list of Tensors; the outputs that require grad
    are checked (integer outputs and detached ones are left out; with none left, the
    function must not change with its inputs at all). On a mismatch, or a NaN or inf in
    either Jacobian, raises ``GradcheckError`` (a RuntimeError) naming the output, the
    input, the op that produced the output, the worst element and both values; or returns
    False with ``raise_exception=False``.

    PyTorch's signature; its options for checks this engine has no use for
    (``nondet_tol``: backward is deterministic; ``fast_mode``: the full Jacobian is always
    compared; ``check_undefined_grad``, ``check_grad_dtypes``, ``masked``) change nothing,
    and the modes it lacks (forward AD, vmap) raise NotImplementedError.
    """
    if not (check_forward_ad or check_backward_ad):
        raise AssertionError("Expected at least one of check_forward_ad or check_backward_ad "
                             "to be True")
    _refuse(check_batched_grad=check_batched_grad, check_forward_ad=check_forward_ad,
            check_batched_forward_grad=check_batched_forward_grad)
    fn = func
    inputs = _as_tuple(inputs)
    _check_inputs(inputs)
    outputs = _all_outputs(fn(*inputs))
    keep = [k for k, o in enumerate(outputs) if o.requires_grad]
    if not keep:
        return _check_constant(fn, inputs, outputs, eps, atol, raise_exception)
    checked = [outputs[k] for k in keep]
    for i, t in enumerate(inputs):
        if not _needs_grad(t):
            continue
        numerical = numerical_jacobian(fn, inputs, i, eps, keep)
        analytical = analytical_jacobian(checked, inputs, i)
        for k, (num, ana) in zip(keep, zip(numerical, analytical)):
            if not np.allclose(ana, num, rtol=rtol, atol=atol):  # NaN: never close
                if not raise_exception:
                    return False
                raise GradcheckError(_mismatch(k, i, outputs[k], num, ana))
    return True


def _refuse(**modes: bool) -> None:
    """NotImplementedError for a check mode that needs forward AD or vmap."""
    for name, wanted in modes.items():
        if wanted:
            raise NotImplementedError(f"gradcheck: {name}=True needs forward-mode AD or vmap, "
                                      "which tinygrad_edu does not have")


def _check_constant(fn: Callable[..., Any], inputs: tuple[Any, ...], outputs: tuple[Any, ...],
                    eps: float, atol: float, raise_exception: bool) -> bool:
    """No output requires grad: then none may change with an input that requires grad."""
    floats = [k for k, o in enumerate(outputs) if o._data.dtype in FLOATING]
    for i, t in enumerate(inputs):
        if not _needs_grad(t) or not floats:
            continue
        for num in numerical_jacobian(fn, inputs, i, eps, floats):
            if not np.all(np.abs(num) <= atol):
                if not raise_exception:
                    return False
                raise GradcheckError(
                    "Numerical gradient for function expected to be zero. Hint: no output "
                    "requires grad (was it detached, or computed under no_grad?), yet it "
                    f"changes with input {i}."
                )
    return True


def _mismatch(k: int, i: int, out: Any, num: np.ndarray, ana: np.ndarray) -> str:
    """The error message: both Jacobians, the op, and the worst element (a NaN or inf
    first), which must not fail even when every entry is NaN."""
    with np.errstate(invalid="ignore"):
        gap = np.abs(ana - num)
    gap = np.where(np.isfinite(gap), gap, np.inf)  # NaN or inf anywhere: the worst
    bad = np.unravel_index(int(np.argmax(gap)), num.shape) if gap.size else (0, 0)
    op = type(out.grad_fn).__name__ if out.grad_fn is not None else "a leaf"
    hint = ""
    if not (np.isfinite(num).all() and np.isfinite(ana).all()):
        which = [name for name, jac in (("numerical", num), ("analytical", ana))
                 if not np.isfinite(jac).all()]
        subject = "Both Jacobians have" if len(which) == 2 else f"The {which[0]} Jacobian has"
        hint = (f" {subject} NaN or inf entries: the function is not differentiable there "
                "(a kink, a pole, or a NaN input).")
    worst = (f" The output comes from {op}; the worst element is d(output[{bad[0]}])/"
             f"d(input[{bad[1]}]): numerical {num[bad]:.6g}, analytical {ana[bad]:.6g}."
             if gap.size else f" The output comes from {op}.")
    return (
        f"Jacobian mismatch for output {k} with respect to input {i},\n"
        f"numerical:{num}\nanalytical:{ana}\n" + worst.lstrip() + hint
    )


def gradgradcheck(func: Callable[..., Any], inputs: Any, grad_outputs: Any = None, *,
                  eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  gen_non_contig_grad_outputs: bool = False, raise_exception: bool = True,
                  nondet_tol: float = 0.0, check_undefined_grad: bool = True,
                  check_grad_dtypes: bool = False, check_batched_grad: bool = False,
                  check_fwd_over_rev: bool = False, check_rev_over_rev: bool = True,
                  fast_mode: bool = False, masked: bool = False) -> bool:
    """Check second derivatives: gradcheck of the gradient of ``func`` (float64).

    The gradient of the outputs that require grad, with respect to the inputs that
    require grad, for ``grad_outputs`` (random ones by default, which are themselves
    checked as inputs); the same rules and errors as ``gradcheck``, and PyTorch's
    signature, its options treated as there.
    """
    if not (check_fwd_over_rev or check_rev_over_rev):
        raise AssertionError("Expected at least one of check_fwd_over_rev or check_rev_over_rev "
                             "to be True")
    _refuse(check_batched_grad=check_batched_grad, check_fwd_over_rev=check_fwd_over_rev)
    fn = func
    inputs = _as_tuple(inputs)
    _check_inputs(inputs)
    outputs = _all_outputs(fn(*inputs))
    keep = [k for k, o in enumerate(outputs) if o.requires_grad]
    if grad_outputs is None:
        grad_outputs = tuple(randn(outputs[k].shape, dtype=outputs[k].dtype,
                                   requires_grad=True) for k in keep)
    grad_outputs = _as_tuple(grad_outputs)
    n = len(inputs)

    def first_derivative(*args: Any) -> tuple[Any, ...]:
        outs = _outputs(fn, args[:n], keep)
        wrt = [a for a in args[:n] if isinstance(a, _fn._Tensor) and a.requires_grad]
        grads = autograd_grad(outs, wrt, args[n:], create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivative, inputs + tuple(grad_outputs), eps=eps, atol=atol,
                     rtol=rtol, raise_exception=raise_exception)
