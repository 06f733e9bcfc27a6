"""Check every op of a recorded graph on its own, and name the first one whose backward is wrong.

``gradcheck`` tests a whole function: when it fails, it cannot say *which* op is to blame.
``gradcheck_graph(output)`` walks the graph that produced ``output`` and, for each op
(inputs first), re-runs that op alone in float64 on copies of the inputs it saw:

- analytical: one backward of ``<v, op(x)>`` for a random ``v`` gives ``g_i`` per input;
- numerical:  ``(<v, op(x_i + eps u)> - <v, op(x_i - eps u)>) / (2 eps)`` along a random
  direction ``u`` must equal ``<g_i, u>``.

Random projections keep it cheap: a few forward calls per op, whatever the tensor sizes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..core import function as _fn  # (_fn._Tensor, _fn._wrap: bound by tensor.py at import)
from ..core.function import Node
from ..core.grad_mode import enable_grad
from ..dtypes import FLOATING
from .differentiate import grad
from .gradcheck import GradcheckError

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["gradcheck_graph"]

_SHOW_FULL = 12  # inputs this small get their whole gradient printed in the error
_LOCATE = 512  # inputs up to this size get the worst element located (2 forwards each)


def forward_order(root: Node) -> list[Node]:
    """Every node below ``root`` (included), each after all of its inputs' nodes.

    An explicit stack instead of recursion: a chain of a million ops is fine.

    >>> x = tg.tensor([1.0], requires_grad=True)
    >>> [n.name() for n in forward_order(((x * 2).exp()).grad_fn)]
    ['MulBackward0', 'ExpBackward0']
    """
    order: list[Node] = []
    seen = {root}
    stack: list[tuple[Node, Any]] = [(root, iter(root.parents))]
    while stack:
        node, pending = stack[-1]
        for parent in pending:
            if isinstance(parent, Node) and parent not in seen:
                seen.add(parent)
                stack.append((parent, iter(parent.parents)))
                break
        else:
            stack.pop()
            order.append(node)
    return order


def gradcheck_graph(output: Tensor, *, eps: float = 1e-6, atol: float = 1e-5,
                    rtol: float = 1e-3, projections: int = 2, seed: int = 0,
                    raise_exception: bool = True, verbose: bool = False) -> bool:
    """Check each op of ``output``'s graph against finite differences of that op alone.

    >>> x = tg.randn(3, requires_grad=True)
    >>> tg.autograd.gradcheck_graph((x * x.sigmoid()).sum())
    True

    Ops are checked in forward order (inputs first), in float64, with ``projections``
    random directions each. The first op whose backward disagrees raises a
    ``GradcheckError`` naming it, with its input shapes and the error (or returns False
    when ``raise_exception=False``). Call it *before* ``backward()`` (which frees the
    graph) or after ``backward(retain_graph=True)``. ``verbose=True`` prints one line per op.
    """
    if output.grad_fn is None:
        return True  # a leaf: no op to check
    nodes = forward_order(output.grad_fn)
    rng = np.random.default_rng(seed)
    for k, node in enumerate(nodes):
        _check_alive(node)
        failure = _check_node(node, rng, eps, atol, rtol, projections)
        if verbose:
            print(f"{'FAIL' if failure else 'ok':>4}  {node.name():<28} {_signature(node)}")
        if failure is not None:
            message = _report(node, k, len(nodes), nodes[:k], failure)
            if raise_exception:
                raise GradcheckError(message)
            return False
    return True


def _check_alive(node: Node) -> None:
    if node._released or getattr(node, "_args", None) is None:
        raise RuntimeError(
            f"gradcheck_graph cannot re-run {node.name()}: backward() already freed the graph. "
            "Call gradcheck_graph(output) before output.backward(), or use "
            "backward(retain_graph=True)."
        )


class _Failure:
    """What went wrong for one input of one op."""

    def __init__(self, index: int, analytical: float, numerical: float, tol: float,
                 detail: str = "") -> None:
        self.index, self.analytical, self.numerical = index, analytical, numerical
        self.tol, self.detail = tol, detail


def _check_node(node: Node, rng: np.random.Generator, eps: float, atol: float, rtol: float,
                projections: int) -> _Failure | None:
    """Compare the op's backward with central differences along random directions."""
    base = [_float64(a) for a in node._args]
    diff = [i for i, p in enumerate(node.parents) if p is not None]
    for _ in range(projections):
        v = rng.standard_normal(node._out_shape)
        grads = _backward(node, base, diff, v)
        for i, g in zip(diff, grads):
            u = rng.standard_normal(np.shape(base[i]))
            ana = float(np.sum(g * u))
            num = _directional(node, base, diff, i, v, u, eps)
            tol = atol + rtol * abs(num)
            if not abs(ana - num) <= tol:  # (also catches NaN)
                return _Failure(i, ana, num, tol, _detail(node, base, diff, i, v, g, eps))
    return None


def _float64(a: Any) -> Any:
    """A float64 array copy of a float tensor argument; other arguments unchanged."""
    if isinstance(a, _fn._Tensor) and a._data.dtype in FLOATING:
        return a._data.astype(np.float64)
    return a


def _run(node: Node, values: list[Any], diff: list[int]) -> tuple[Tensor, list[Any]]:
    """Apply the node's Function alone to fresh copies of ``values``."""
    args = [_fn._wrap(np.array(v), i in diff) if isinstance(v, np.ndarray) else v
            for i, v in enumerate(values)]
    with enable_grad():
        try:
            out = node._function.apply(*args)
        except Exception as e:
            raise RuntimeError(f"gradcheck_graph could not re-run {node.name()} on its "
                               f"inputs in float64: {e}") from e
    return out, args


def _backward(node: Node, base: list[Any], diff: list[int], v: np.ndarray) -> list[np.ndarray]:
    """The op's gradient of <v, op(x)> for each differentiable input (zeros when None)."""
    out, args = _run(node, base, diff)
    if not out.requires_grad:
        return [np.zeros(np.shape(base[i])) for i in diff]
    grads = grad(out, [args[i] for i in diff], _fn._wrap(v.astype(out._data.dtype)),
                 allow_unused=True)
    return [np.zeros(np.shape(base[i])) if g is None else g._data.astype(np.float64)
            for i, g in zip(diff, grads)]


def _directional(node: Node, base: list[Any], diff: list[int], i: int, v: np.ndarray,
                 u: np.ndarray, eps: float) -> float:
    """d/dt <v, op(x_i + t u)> at t = 0, by central differences."""

    def f(t: float) -> float:
        values = list(base)
        values[i] = base[i] + t * u
        out = _run(node, values, diff)[0]
        return float(np.sum(v * out._data.astype(np.float64)))

    return (f(eps) - f(-eps)) / (2 * eps)


def _detail(node: Node, base: list[Any], diff: list[int], i: int, v: np.ndarray,
            g: np.ndarray, eps: float) -> str:
    """For inputs that are not too big: where backward and finite differences disagree."""
    shape = np.shape(base[i])
    size = int(np.prod(shape))
    if size > _LOCATE:
        return ""
    numerical = np.zeros(size)
    for j in range(size):
        e = np.zeros(size)
        e[j] = 1.0
        numerical[j] = _directional(node, base, diff, i, v, e.reshape(shape), eps)
    numerical = numerical.reshape(shape)
    if size <= _SHOW_FULL:
        return (f"\n  with the output gradient v = {_fmt_array(v)}:"
                f"\n    backward gives          {_fmt_array(g)}"
                f"\n    finite differences give {_fmt_array(numerical)}")
    worst = np.unravel_index(int(np.nanargmax(np.abs(g - numerical))), shape)
    where = f"[{', '.join(str(int(k)) for k in worst)}]"
    return (f"\n  largest difference at input {i}{where} (value {float(base[i][worst]):.4g}): "
            f"backward gives {g[worst]:.4g}, finite differences give {numerical[worst]:.4g}")


def _fmt_array(a: np.ndarray) -> str:
    return np.array2string(np.asarray(a).reshape(-1), precision=4, separator=", ",
                           max_line_width=10**4)


def _signature(node: Node) -> str:
    """``(3, 4) float32, (4,) float32 -> (3, 4) float32``: what the op saw and made."""
    ins = [f"{tuple(a.shape)} {a._data.dtype}" for a in node._args if isinstance(a, _fn._Tensor)]
    return f"{', '.join(ins)} -> {tuple(node._out_shape)} {node._out_dtype}"


def _report(node: Node, k: int, n: int, passed: list[Node], f: _Failure) -> str:
    names = [p.name() for p in passed]
    before = ", ".join(names[:8]) + (f", ... ({len(names) - 8} more)" if len(names) > 8 else "")
    return (
        f"gradcheck_graph: the backward of {node.name()} (op {k + 1} of {n}, in forward "
        f"order) is wrong for input {f.index}.\n"
        f"  the op: {_signature(node)}\n"
        f"  along a random direction, d<v, output>/d(input {f.index}) is "
        f"{f.analytical:.6g} by backward but {f.numerical:.6g} by finite differences "
        f"(error {abs(f.analytical - f.numerical):.3g}, tolerance {f.tol:.3g}){f.detail}\n"
        f"  ops checked before it, all correct: {before or 'none'}"
    )
