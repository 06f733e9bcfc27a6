"""In-place activations against PyTorch: ``F.elu_``, ``F.celu_``, ``F.selu_``,
``F.leaky_relu_``, ``F.threshold_``, ``F.rrelu_`` and ``inplace=True`` on every activation
function and module (and the dropouts). The written tensor is the one returned, its node
is PyTorch's in-place node (EluBackward1, whose backward reads the result; ReluBackward0
for relu, not a copy), and the gradients are PyTorch's, second derivatives included.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional
X = np.random.default_rng(0).standard_normal((3, 5))
X[0, :2] = 0.0  # the kink
TOL = {"float32": dict(rtol=2e-6, atol=1e-6), "float64": dict(rtol=1e-12, atol=1e-13)}

FUNCTIONS = [
    ("elu", {}), ("elu", dict(alpha=0.5)), ("celu", dict(alpha=2.0)), ("selu", {}),
    ("leaky_relu", dict(negative_slope=0.2)), ("leaky_relu", dict(negative_slope=0.0)),
    ("threshold", dict(threshold=0.1, value=5.0)), ("relu", {}), ("relu6", {}),
    ("hardtanh", dict(min_val=-0.5, max_val=0.7)), ("silu", {}), ("hardsigmoid", {}),
    ("hardswish", {}), ("mish", {}), ("rrelu", dict(training=True)), ("rrelu", {}),
]


def _run(lib: Any, call: Any, dtype: str) -> list[Any]:
    leaf = lib.tensor(X.astype(dtype), requires_grad=True)
    y = leaf * 1.5
    lib.manual_seed(0)
    out = call(lib, y)
    assert out is y  # written in place
    (out * out).sum().backward()
    return [type(out.grad_fn).__name__, out.detach().numpy(), leaf.grad.numpy()]


def _compare(call: Any, dtype: str, tol: dict[str, float] | None = None) -> None:
    mine, theirs = _run(tg, call, dtype), _run(torch, call, dtype)
    assert mine[0] == theirs[0]
    for i, (a, b) in enumerate(zip(mine[1:], theirs[1:])):
        np.testing.assert_allclose(a, b, err_msg=f"result {i}", **(tol or TOL[dtype]))


# (hardsigmoid's float64 gradient: PyTorch's kernel rounds 1/6 to float32 in places)
LOOSE = {"hardsigmoid": dict(rtol=1e-7, atol=1e-8), "Hardsigmoid": dict(rtol=1e-7, atol=1e-8)}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,kwargs", FUNCTIONS, ids=str)
def test_inplace_functions_match_torch(name: str, kwargs: dict[str, Any], dtype: str) -> None:
    _compare(lambda lib, y: getattr(F if lib is tg else TF, name)(y, inplace=True, **kwargs),
             dtype, LOOSE.get(name) if dtype == "float64" else None)
    if name in ("elu", "celu", "selu", "leaky_relu", "threshold", "rrelu", "relu",
                "hardtanh"):  # and the underscore forms
        _compare(lambda lib, y: getattr(F if lib is tg else TF, name + "_")(y, **kwargs)
                 if name != "rrelu" else (F if lib is tg else TF).rrelu_(y, **kwargs), dtype)


MODULES = ["ELU", "CELU", "SELU", "LeakyReLU", "ReLU", "ReLU6", "Hardtanh", "SiLU",
           "Hardsigmoid", "Hardswish", "Mish", "RReLU", "Dropout", "Dropout1d", "Dropout2d",
           "Dropout3d", "AlphaDropout"]
# (Dropout1d on an unbatched input: unsqueeze_, in-place dropout, squeeze_, as PyTorch:
# SqueezeBackward4 over MulBackward0 over UnsqueezeBackward1)


@pytest.mark.parametrize("name", MODULES)
def test_inplace_modules_match_torch(name: str) -> None:
    def call(lib: Any, y: Any) -> Any:
        module = getattr(lib.nn, name)(inplace=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (Dropout2d on a 2-d input)
            out = module(y)
        return y if name == "AlphaDropout" else out  # (PyTorch's returns a new tensor)
    _compare(call, "float64", LOOSE.get(name))
    _compare(lambda lib, y: lib.nn.Threshold(0.2, -1.0, inplace=True)(y), "float64")


def test_inplace_negative_slope_backward_raises_like_torch() -> None:
    for call in (lambda fn, y: fn.leaky_relu_(y, -0.5), lambda fn, y: fn.elu_(y, -0.5),
                 lambda fn, y: fn.celu(y, -0.5, inplace=True)):
        caught = []
        for lib, fn in ((tg, F), (torch, TF)):
            y = lib.tensor(X, requires_grad=True) * 1.0
            call(fn, y)
            with pytest.raises(RuntimeError) as info:
                y.sum().backward()
            caught.append(str(info.value))
        assert caught[0] == caught[1]


def test_inplace_on_a_leaf_raises_like_torch() -> None:
    caught = []
    for lib, fn in ((tg, F), (torch, TF)):
        with pytest.raises(RuntimeError) as info:
            fn.elu_(lib.tensor(X, requires_grad=True))
        caught.append(str(info.value))
    assert caught[0].startswith(caught[1])  # (tinygrad_edu adds a hint)


def test_inplace_without_grad_writes_the_values() -> None:
    for name in ("elu_", "celu_", "selu_", "leaky_relu_"):
        t, u = tg.tensor(X), torch.tensor(X)
        getattr(F, name)(t)
        getattr(TF, name)(u)
        np.testing.assert_allclose(t.numpy(), u.numpy(), rtol=1e-12)
        assert t.grad_fn is None


@pytest.mark.parametrize("name,kwargs", [("elu_", {}), ("celu_", dict(alpha=0.7)),
                                         ("selu_", {}), ("leaky_relu_", {}),
                                         ("threshold_", dict(threshold=0.1, value=-2.0))])
def test_inplace_gradcheck_and_gradgradcheck(name: str, kwargs: dict[str, Any]) -> None:
    """The backward that reads the result is itself differentiable (through the result)."""
    x = tg.tensor(X + 0.05, requires_grad=True)  # (off the kink)

    def fn(t: Any) -> Any:
        y = t * 1.0
        getattr(F, name)(y, **kwargs)
        return y * y
    assert tg.autograd.gradcheck(fn, (x,))
    assert tg.autograd.gradgradcheck(fn, (x,))
