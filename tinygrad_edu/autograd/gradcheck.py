"""Check analytical gradients against central finite differences (in float64).

``gradcheck(fn, inputs)`` compares, for every input that requires grad, the Jacobian
computed by backward with ``(f(x + eps) - f(x - eps)) / (2 eps)`` element by element.
``gradgradcheck`` does the same for the gradient itself (second derivatives).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np


class GradcheckError(RuntimeError):
    """Raised by gradcheck when an analytical and a numerical Jacobian disagree."""


def _as_tuple(x: Any) -> tuple[Any, ...]:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _outputs(fn: Callable[..., Any], inputs: Sequence[Any]) -> tuple[Any, ...]:
    from ..tensor import Tensor

    return tuple(o for o in _as_tuple(fn(*inputs)) if isinstance(o, Tensor))


def numerical_jacobian(fn: Callable[..., Any], inputs: Sequence[Any], i: int,
                       eps: float) -> list[np.ndarray]:
    """d(output k)/d(input i) by central differences: one (out.size, in.size) per output."""
    x = inputs[i]._data  # perturbed in place, element by element (row-major order, as
    columns: list[list[np.ndarray]] = []  # the analytical Jacobian; works when x is strided)
    for j in np.ndindex(x.shape):  # (grad mode stays on: fn may itself differentiate)
        orig = x[j]
        x[j] = orig + eps
        plus = [o._data.astype(np.float64).reshape(-1) for o in _outputs(fn, inputs)]
        x[j] = orig - eps
        minus = [o._data.astype(np.float64).reshape(-1) for o in _outputs(fn, inputs)]
        x[j] = orig
        columns.append([(p - m) / (2 * eps) for p, m in zip(plus, minus)])
    n_out = len(columns[0]) if columns else 0
    return [np.stack([c[k] for c in columns], axis=1) if columns else np.zeros((0, 0))
            for k in range(n_out)]


def analytical_jacobian(outputs: Sequence[Any], inputs: Sequence[Any], i: int) -> list[np.ndarray]:
    """d(output k)/d(input i) by one backward per output element."""
    from ..tensor import _wrap
    from . import grad as autograd_grad

    result = []
    for out in outputs:
        if not out.requires_grad:  # a constant (a zero gradient's gradient): as PyTorch
            result.append(np.zeros((out._data.size, inputs[i]._data.size)))
            continue
        rows = []
        for j in range(out.numel()):
            seed = np.zeros(out._data.size, dtype=out._data.dtype)
            seed[j] = 1
            (g,) = autograd_grad([out], [inputs[i]], [_wrap(seed.reshape(out._data.shape))],
                                 retain_graph=True, allow_unused=True)
            size = inputs[i]._data.size
            rows.append(np.zeros(size) if g is None else g._data.astype(np.float64).reshape(-1))
        result.append(np.stack(rows) if rows else np.zeros((0, inputs[i]._data.size)))
    return result


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

    On a mismatch raises ``GradcheckError`` (a RuntimeError) naming the output, the
    input, the op that produced the output, the worst element, and both values.
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
    for k, t in enumerate(inputs):
        if getattr(t, "requires_grad", False) and t._data.dtype != np.float64:
            warnings.warn(f"Input #{k} requires gradient and is not a double precision "
                          "floating point. gradcheck is only accurate in float64.", UserWarning,
                          stacklevel=2)
    outputs = _outputs(fn, inputs)
    for i, t in enumerate(inputs):
        if not getattr(t, "requires_grad", False):
            continue
        numerical = numerical_jacobian(fn, inputs, i, eps)
        analytical = analytical_jacobian(outputs, inputs, i)
        for k, (num, ana) in enumerate(zip(numerical, analytical)):
            if not np.allclose(ana, num, rtol=rtol, atol=atol, equal_nan=True):
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


def _mismatch(k: int, i: int, out: Any, num: np.ndarray, ana: np.ndarray) -> str:
    bad = np.unravel_index(np.nanargmax(np.abs(ana - num)), num.shape)
    op = type(out.grad_fn).__name__ if out.grad_fn is not None else "a leaf"
    return (
        f"Jacobian mismatch for output {k} with respect to input {i},\n"
        f"numerical:{num}\nanalytical:{ana}\n"
        f"The output comes from {op}; the worst element is d(output[{bad[0]}])/"
        f"d(input[{bad[1]}]): numerical {num[bad]:.6g}, analytical {ana[bad]:.6g}."
    )


def gradgradcheck(func: Callable[..., Any], inputs: Any, grad_outputs: Any = None, *,
                  eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  gen_non_contig_grad_outputs: bool = False, raise_exception: bool = True,
                  nondet_tol: float = 0.0, check_undefined_grad: bool = True,
                  check_grad_dtypes: bool = False, check_batched_grad: bool = False,
                  check_fwd_over_rev: bool = False, check_rev_over_rev: bool = True,
                  fast_mode: bool = False, masked: bool = False) -> bool:
    """Check second derivatives: gradcheck of the gradient of ``func`` (float64).
    PyTorch's signature, its options treated as in ``gradcheck``."""
    if not (check_fwd_over_rev or check_rev_over_rev):
        raise AssertionError("Expected at least one of check_fwd_over_rev or check_rev_over_rev "
                             "to be True")
    _refuse(check_batched_grad=check_batched_grad, check_fwd_over_rev=check_fwd_over_rev)
    fn = func
    from ..creation import randn
    from ..tensor import Tensor
    from . import grad as autograd_grad

    inputs = _as_tuple(inputs)
    outputs = _outputs(fn, inputs)
    if grad_outputs is None:
        grad_outputs = tuple(randn(o.shape, dtype=o.dtype, requires_grad=True) for o in outputs)
    grad_outputs = _as_tuple(grad_outputs)
    n = len(inputs)
    diff = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]

    def first_derivative(*args: Any) -> tuple[Any, ...]:
        outs = _outputs(fn, args[:n])
        grads = autograd_grad(outs, [a for a in args[:n] if isinstance(a, Tensor)
                                     and a.requires_grad], args[n:], create_graph=True,
                              allow_unused=True)
        return tuple(g for g in grads if g is not None)

    if not diff:
        return True
    return gradcheck(first_derivative, inputs + tuple(grad_outputs), eps=eps, atol=atol,
                     rtol=rtol, raise_exception=raise_exception)
