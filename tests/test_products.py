"""outer, ger, inner, tensordot, kron, cross, cdist, pdist and cartesian_prod against PyTorch:
values, dtypes, grad_fn names and PyTorch's errors (the OPS table of test_ops.py checks
the gradients on drawn inputs), including cdist's switch to its matmul formula.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.ops import products

torch = pytest.importorskip("torch")
rng = np.random.default_rng(0)


def R(*shape: int) -> np.ndarray:  # noqa: N802  (a short name for the table)
    return rng.standard_normal(shape)


def _outcome(L: Any, fn: Callable[[Any], Any]) -> tuple[Any, ...]:
    """What ``fn(L)`` gives: shape, dtype, grad_fn name and values; or the error."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.cross without dim: deprecated
        try:
            out = fn(L)
        except Exception as e:  # noqa: BLE001 - compared with torch's
            return type(e).__name__, str(e).split(". Hint:")[0]
    name = None if out.grad_fn is None else (
        out.grad_fn.name() if L is torch else type(out.grad_fn).__name__)
    return (tuple(out.shape), str(out.dtype).rsplit(".", 1)[-1], name,
            out.detach().numpy().round(5).tolist())


CASES: dict[str, Callable[[Any], Any]] = {
    'outer2d': lambda L,a=R(2,2),b=R(3): L.outer(L.tensor(a,requires_grad=True), L.tensor(b)),
    'outer': lambda L,a=R(2),b=R(3): L.tensor(a,requires_grad=True).outer(L.tensor(b)),
    'ger': lambda L,a=R(2),b=R(3): L.ger(L.tensor(a,requires_grad=True),L.tensor(b)),
    'outer int': lambda L: L.outer(L.tensor([1,2]), L.tensor([1.,2])),
    'outer vec2 2d': lambda L: L.outer(L.tensor([1.,2]), L.ones(2,2)),
    'inner11': lambda L,a=R(3),b=R(3): L.inner(L.tensor(a,requires_grad=True), L.tensor(b)),
    'inner21': lambda L,a=R(2,3),b=R(3): L.inner(L.tensor(a,requires_grad=True), L.tensor(b)),
    'inner22': lambda L,a=R(2,3),b=R(4,3): L.tensor(a,requires_grad=True).inner(L.tensor(b)),
    'inner0': lambda L,a=R(4,3): L.inner(L.tensor(2.,requires_grad=True), L.tensor(a)),
    'inner bad': lambda L: L.inner(L.ones(3), L.ones(4)),
    'inner dtype': lambda L: L.inner(L.tensor([1,2]), L.tensor([1.,2])),
    'td1': lambda L,a=R(2,3),b=R(3,4): L.tensordot(L.tensor(a,requires_grad=True), L.tensor(b), 1),
    'td0': lambda L,a=R(2,3),b=R(3,4): L.tensordot(L.tensor(a,requires_grad=True), L.tensor(b), 0),
    'td-1': lambda L: L.tensordot(L.ones(2,3), L.ones(3,4), -1),
    'td3': lambda L: L.tensordot(L.ones(2,3), L.ones(3,4), 3),
    'tdmis': lambda L: L.tensordot(L.ones(2,3), L.ones(2,4), 1),
    'tdlists': lambda L,a=R(2,3),b=R(4,3,2): L.tensordot(L.tensor(a,requires_grad=True), L.tensor(b), ([1,0],[1,2])),
    'tdints': lambda L: L.tensordot(L.ones(2,3), L.ones(4,3), (1,1)),
    'tdlen': lambda L: L.tensordot(L.ones(2,3), L.ones(4,3,2), ([1,0],[1])),
    'tdbcast': lambda L,a=R(2,1),b=R(4,3): L.tensordot(L.tensor(a,requires_grad=True), L.tensor(b), ([1],[1])),
    'tddtype': lambda L: L.tensordot(L.ones(2,3), L.ones(3,2,dtype=L.float64), 1),
    # bool: PyTorch has no bool kernel, and multiplies a 1x1 result as a dot
    'tdbool all': lambda L: L.tensordot(L.tensor([[True, False]]), L.tensor([[True, True]]), 2),
    'tdbool vec': lambda L: L.tensordot(L.tensor([True, False]), L.tensor([False, True]), 1),
    'tdbool 1x1': lambda L: L.tensordot(L.ones(1, 2, dtype=L.bool), L.ones(2, 1, dtype=L.bool), 1),
    'tdbool mm': lambda L: L.tensordot(L.ones(3, 2, dtype=L.bool), L.ones(2, dtype=L.bool), 1),
    'tdint all': lambda L: L.tensordot(L.tensor([[1, 2]]), L.tensor([[3, 4]]), 2),
    'tddefault': lambda L,a=R(2,3,4),b=R(3,4,5): L.tensordot(L.tensor(a,requires_grad=True), L.tensor(b)),
    'kron': lambda L,a=R(2,3),b=R(4): L.kron(L.tensor(a,requires_grad=True), L.tensor(b)),
    'kron0': lambda L,b=R(4): L.kron(L.tensor(2.,requires_grad=True), L.tensor(b)),
    'kronint': lambda L: L.tensor([1, 2]).kron(L.tensor([1, 10])),
    'cross': lambda L,a=R(2,3),b=R(2,3): L.cross(L.tensor(a,requires_grad=True), L.tensor(b)),
    'cross32': lambda L,a=R(3,2),b=R(3,2): L.cross(L.tensor(a,requires_grad=True), L.tensor(b)),
    'crossb': lambda L,a=R(3,3),b=R(1,3): L.cross(L.tensor(a,requires_grad=True), L.tensor(b), dim=1),
    'cross nodim': lambda L: L.cross(L.ones(2,2), L.ones(2,2)),
    'cross 2': lambda L: L.cross(L.ones(2,2), L.ones(2,2), dim=1),
    'cross -1': lambda L: L.cross(L.ones(2,2), L.ones(2,2), dim=-1),
    'cross bc': lambda L: L.cross(L.ones(2,3), L.ones(3,3), dim=1),
    'cross ndim': lambda L: L.cross(L.ones(2,3), L.ones(3), dim=1),
    'cross dtype': lambda L: L.cross(L.ones(3,dtype=L.int64), L.ones(3)),
    'cross dtype2': lambda L: L.cross(L.ones(3), L.ones(3,dtype=L.int64)),
    'cross int': lambda L: L.cross(L.tensor([1,2,3]), L.tensor([4,5,7])),
    'cross dim5': lambda L: L.cross(L.ones(3), L.ones(3), dim=5),
    'cp': lambda L,a=R(2),b=R(3): L.cartesian_prod(L.tensor(a,requires_grad=True), L.tensor(b)),
    'cp1': lambda L,a=R(2): L.cartesian_prod(L.tensor(a,requires_grad=True)),
    'cp2d': lambda L: L.cartesian_prod(L.ones(2), L.ones(2,2)),
    'cpdtype': lambda L: L.cartesian_prod(L.tensor([1,2]), L.tensor([1.5])),
    'cp0': lambda L: L.cartesian_prod(),
    'cpint3': lambda L: L.cartesian_prod(L.tensor([1,2]), L.tensor([3,4]), L.tensor([5])),
    'cdist': lambda L,a=R(3,2),b=R(4,2): L.cdist(L.tensor(a,requires_grad=True), L.tensor(b)),
    'cdist mm': lambda L,a=R(30,2),b=R(4,2): L.cdist(L.tensor(a,requires_grad=True), L.tensor(b)),
    'cdist mm2': lambda L,a=R(3,2),b=R(4,2): L.cdist(L.tensor(a,requires_grad=True), L.tensor(b), compute_mode='use_mm_for_euclid_dist'),
    'cdist nomm': lambda L,a=R(30,2),b=R(4,2): L.cdist(L.tensor(a,requires_grad=True), L.tensor(b), compute_mode='donot_use_mm_for_euclid_dist'),
    'cdist p1': lambda L,a=R(3,2),b=R(4,2): L.cdist(L.tensor(a,requires_grad=True), L.tensor(b), p=1),
    'cdist p0': lambda L,a=R(3,2),b=R(4,2): L.cdist(L.tensor(a,requires_grad=True), L.tensor(b), p=0),
    'cdist pinf': lambda L,a=R(3,2),b=R(4,2): L.cdist(L.tensor(a,requires_grad=True), L.tensor(b), p=float('inf')),
    'cdist p3': lambda L,a=R(3,2),b=R(4,2): L.cdist(L.tensor(a,requires_grad=True), L.tensor(b), p=3),
    'cdist p.5': lambda L,a=R(3,2),b=R(4,2): L.cdist(L.tensor(a,requires_grad=True), L.tensor(b), p=.5),
    'cdist mode': lambda L: L.cdist(L.ones(3,2), L.ones(4,2), compute_mode='xx'),
    'cdist 1d': lambda L: L.cdist(L.ones(3), L.ones(4,2)),
    'cdist cols': lambda L: L.cdist(L.ones(3,2), L.ones(4,3)),
    'cdist p-1': lambda L: L.cdist(L.ones(3,2), L.ones(4,2), p=-1),
    'cdist long': lambda L: L.cdist(L.ones(3,2,dtype=L.int64), L.ones(4,2,dtype=L.int64)),
    'cdist dt': lambda L: L.cdist(L.ones(3,2), L.ones(4,2,dtype=L.float64)),
    'cdist batch': lambda L,a=R(2,1,3,2),b=R(5,4,2): L.cdist(L.tensor(a,requires_grad=True), L.tensor(b)),
    'cdist empty': lambda L: L.cdist(L.zeros(0,2,requires_grad=True), L.ones(4,2)),
    'pdist': lambda L,a=R(4,3): L.pdist(L.tensor(a,requires_grad=True)),
    'pdist F': lambda L,a=R(4,3): L.nn.functional.pdist(L.tensor(a,requires_grad=True), 1),
    'pdist p0': lambda L,a=R(4,3): L.pdist(L.tensor(a,requires_grad=True), p=0),
    'pdist pinf': lambda L,a=R(4,3): L.pdist(L.tensor(a,requires_grad=True), p=float('inf')),
    'pdist 1 row': lambda L: L.pdist(L.ones(1,3,requires_grad=True)),
    'pdist 0 rows': lambda L: L.pdist(L.ones(0,3,requires_grad=True)),
    'pdist 1d': lambda L: L.pdist(L.ones(3)),
    'pdist 3d': lambda L: L.pdist(L.ones(2,3,4)),
    'pdist p-1': lambda L: L.pdist(L.ones(3,2), -1),
    'pdist long': lambda L: L.pdist(L.ones(3,2,dtype=L.int64)),
    'pdist half': lambda L: L.pdist(L.ones(3,2,dtype=L.float16)),
    'pdist f32': lambda L,a=R(5,2): L.pdist(L.tensor(a,dtype=L.float32,requires_grad=True), 3),
}


@pytest.mark.parametrize("name", list(CASES))
def test_products_like_torch(name: str) -> None:
    assert _outcome(tg, CASES[name]) == _outcome(torch, CASES[name])


def test_cross_without_dim_warns_once_like_torch() -> None:
    products._CROSS_WARNED[0] = False
    with pytest.warns(UserWarning, match="Using torch.cross without specifying the dim"):
        tg.cross(tg.ones(3), tg.ones(3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tg.cross(tg.ones(3), tg.ones(3))


@pytest.mark.parametrize("p", [2.0, 1.0, 0.5, 3.0, float("inf"), 0.0])
def test_cdist_gradient_where_points_coincide_like_torch(p: float) -> None:
    """At a zero distance (and zero differences) torch's subgradient: 0."""
    def grad(L: Any) -> Any:
        x = L.tensor([[0.0, 1.0], [2.0, 1.0]], dtype=L.float64, requires_grad=True)
        L.cdist(x, L.tensor([[0.0, 1.0], [2.0, 3.0]], dtype=L.float64), p=p).sum().backward()
        return x.grad.numpy()
    np.testing.assert_allclose(grad(tg), grad(torch), rtol=1e-12)


@pytest.mark.parametrize("p", [2.0, 1.0, 0.5, 3.0, float("inf"), 0.0])
def test_pdist_gradient_where_rows_coincide_like_torch(p: float) -> None:
    """Equal rows (a zero distance) and equal coordinates: torch's subgradient, 0."""
    def grad(L: Any) -> Any:
        x = L.tensor([[0.0, 1.0], [0.0, 1.0], [2.0, 1.0]], dtype=L.float64, requires_grad=True)
        L.pdist(x, p=p).backward(L.tensor([1.0, -2.0, 0.5], dtype=L.float64))
        return x.grad.numpy()
    np.testing.assert_allclose(grad(tg), grad(torch), rtol=1e-12)


def test_pdist_inf_keeps_a_nan_difference_as_torch():
    """pdist's kernel (unlike cdist's) lets the NaN of -inf - -inf through its max."""
    inf = float("inf")
    for rows in ([[-inf], [-inf]], [[-inf, 1.0], [-inf, 5.0]], [[float("nan"), 1.0], [0.0, 5.0]]):
        ours = tg.pdist(tg.tensor(rows, dtype=tg.float64), p=inf).numpy()
        theirs = torch.pdist(torch.tensor(rows, dtype=torch.float64), p=inf).numpy()
        assert np.isnan(ours).all() and np.isnan(theirs).all(), rows
