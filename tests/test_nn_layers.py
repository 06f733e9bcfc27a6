"""Layers of ``tinygrad_edu.nn`` against PyTorch: initial weights bit for bit, values and
gradients (first and second order) of every layer, the errors a learner meets.

``assert_parity(fn, *arrays)`` runs ``fn(lib, *tensors)`` with ``lib`` = tinygrad_edu and
``lib`` = torch on the same arrays, backpropagates the same random output gradient, and
compares values, dtypes and each input's gradient. test_nn_loss.py reuses it.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn

try:
    import torch

    torch.set_num_threads(1)  # tiny ops: OpenMP threads only spin on a busy CI machine
except ImportError:  # the finite-difference tests still run
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")


def _dtype_name(t: Any) -> str:
    return str(t.dtype).split(".")[-1]


def run(
    lib: Any,
    fn: Callable[..., Any],
    arrays: tuple[np.ndarray, ...],
    grad_inputs: tuple[bool, ...],
    seed: int = 0,
) -> tuple[Any, list[Any]]:
    """Forward ``fn`` in ``lib``, backward a fixed random gradient; (output, grads)."""
    tensors = [lib.tensor(a, requires_grad=bool(g)) for a, g in zip(arrays, grad_inputs)]
    out = fn(lib, *tensors)
    if any(grad_inputs):
        seed_grad = np.random.default_rng(seed).standard_normal(tuple(out.shape))
        out.backward(lib.tensor(seed_grad.astype(out.detach().numpy().dtype)))
    return out, [t.grad for t in tensors]


def assert_parity(
    fn: Callable[..., Any],
    *arrays: np.ndarray,
    grad_inputs: Any = None,
    rtol: float = 1e-5,
    atol: float = 1e-6,
) -> None:
    """Same value, dtype and gradients in tinygrad_edu and torch."""
    if grad_inputs is None:
        grad_inputs = tuple(a.dtype.kind == "f" for a in arrays)
    ours, our_grads = run(tg, fn, arrays, grad_inputs)
    theirs, their_grads = run(torch, fn, arrays, grad_inputs)
    assert tuple(ours.shape) == tuple(theirs.shape), "forward: shape"
    assert _dtype_name(ours) == _dtype_name(theirs), "forward: dtype"
    np.testing.assert_allclose(
        ours.detach().numpy(), theirs.detach().numpy(), rtol=rtol, atol=atol, err_msg="forward"
    )
    for i, (g, h) in enumerate(zip(our_grads, their_grads)):
        if h is None:
            continue
        assert g is not None, f"backward, input {i}: no gradient"
        np.testing.assert_allclose(
            g.numpy(), h.numpy(), rtol=rtol, atol=atol, err_msg=f"backward, input {i}"
        )


def rng_arrays(
    *shapes: tuple[int, ...], seed: int = 0, dtype: Any = np.float32, scale: float = 1.0
) -> list[np.ndarray]:
    r = np.random.default_rng(seed)
    return [(r.standard_normal(s) * scale).astype(dtype) for s in shapes]


# ----------------------------------------------------------------------------- Linear


@needs_torch
@pytest.mark.parametrize("seed,shape", [(0, (1, 512)), (42, (512, 256)), (7, (3, 5)), (1, (4, 1))])
def test_linear_init_is_bit_identical_to_torch(seed: int, shape: tuple[int, int]) -> None:
    tg.manual_seed(seed)
    torch.manual_seed(seed)
    ours, theirs = nn.Linear(*shape), torch.nn.Linear(*shape)
    assert np.array_equal(ours.weight.detach().numpy(), theirs.weight.detach().numpy())
    assert np.array_equal(ours.bias.detach().numpy(), theirs.bias.detach().numpy())
    # the stream continues identically after the init
    assert np.array_equal(tg.rand(3).numpy(), torch.rand(3).numpy())


@needs_torch
def test_issue_model_init_matches_torch_state_dict() -> None:
    def build(lib: Any) -> Any:
        lib.manual_seed(42)
        n = lib.nn
        return n.Sequential(
            n.Linear(1, 512),
            n.ReLU(),
            n.Linear(512, 256),
            n.ReLU6(),
            n.Linear(256, 512),
            n.ReLU(),
            n.Linear(512, 1),
        )

    ours, theirs = build(tg).state_dict(), build(torch).state_dict()
    assert list(ours) == list(theirs)
    for key in ours:
        assert np.array_equal(ours[key].numpy(), theirs[key].numpy()), key


def _linear(lib: Any, x: Any, w: Any, b: Any) -> Any:
    return lib.nn.functional.linear(x, w, b)


@needs_torch
@pytest.mark.parametrize("x_shape", [(4, 3), (3,), (2, 5, 3), (6, 1, 3)])
def test_linear_values_and_grads(x_shape: tuple[int, ...]) -> None:
    x, w, b = rng_arrays(x_shape, (2, 3), (2,))
    assert_parity(_linear, x, w, b)


@needs_torch
@pytest.mark.parametrize("in_features", [1, 2])
def test_linear_narrow_inputs(in_features: int) -> None:
    x, w, b = rng_arrays((7, in_features), (5, in_features), (5,), seed=3)
    assert_parity(_linear, x, w, b)
    assert_parity(_linear, x, w, b, grad_inputs=(False, True, True))


@needs_torch
def test_linear_without_bias_and_float64() -> None:
    x, w = rng_arrays((4, 3), (2, 3), dtype=np.float64)
    assert_parity(lambda lib, x, w: lib.nn.functional.linear(x, w), x, w)


def test_linear_module_shapes_and_repr() -> None:
    layer = nn.Linear(3, 2, bias=False)
    assert layer.bias is None
    assert repr(layer) == "Linear(in_features=3, out_features=2, bias=False)"
    assert layer(tg.ones(4, 3)).shape == (4, 2)
    assert [n for n, _ in nn.Linear(3, 2).named_parameters()] == ["weight", "bias"]
    assert nn.Linear(3, 2, dtype=tg.float64).weight.dtype == tg.float64


def test_linear_shape_error_names_both_shapes() -> None:
    with pytest.raises(
        RuntimeError,
        match=r"mat1 and mat2 shapes cannot be multiplied "
        r"\(4x2 and 3x5\)",
    ):
        nn.Linear(3, 5)(tg.ones(4, 2))
    with pytest.raises(RuntimeError, match=r"\(8x2 and 3x5\)"):
        nn.Linear(3, 5)(tg.ones(2, 4, 2))


def test_linear_dtype_error() -> None:
    with pytest.raises(
        RuntimeError, match="mat1 and mat2 must have the same dtype, but got Double and Float"
    ):
        nn.Linear(3, 5)(tg.ones(4, 3, dtype=tg.float64))


def test_linear_grad_fn_name() -> None:
    out = nn.Linear(3, 2)(tg.ones(4, 3))
    assert out.grad_fn.name() == "AddmmBackward0"


def test_linear_gradcheck_and_gradgradcheck() -> None:
    x, w, b = (
        tg.tensor(a, requires_grad=True)
        for a in rng_arrays((2, 4, 3), (2, 3), (2,), dtype=np.float64)
    )
    assert tg.autograd.gradcheck(F.linear, (x, w, b))
    assert tg.autograd.gradgradcheck(lambda x, w, b: F.linear(x, w, b).tanh(), (x, w, b))


# ------------------------------------------------------------------------ activations

ACTIVATIONS: dict[str, Callable[[Any, Any], Any]] = {
    "relu": lambda lib, x: lib.nn.ReLU()(x),
    "relu6": lambda lib, x: lib.nn.ReLU6()(x),
    "hardtanh": lambda lib, x: lib.nn.Hardtanh(-0.5, 2.0)(x),
    "leaky_relu": lambda lib, x: lib.nn.LeakyReLU(0.2)(x),
    "leaky_relu_default": lambda lib, x: lib.nn.functional.leaky_relu(x),
    "sigmoid": lambda lib, x: lib.nn.Sigmoid()(x),
    "tanh": lambda lib, x: lib.nn.Tanh()(x),
    "gelu": lambda lib, x: lib.nn.GELU()(x),
    "gelu_tanh": lambda lib, x: lib.nn.GELU(approximate="tanh")(x),
    "silu": lambda lib, x: lib.nn.SiLU()(x),
    "elu": lambda lib, x: lib.nn.ELU()(x),
    "elu_alpha": lambda lib, x: lib.nn.functional.elu(x, alpha=0.3),
    "softplus": lambda lib, x: lib.nn.Softplus()(x),
    "softplus_threshold": lambda lib, x: lib.nn.Softplus(beta=5.0, threshold=2.0)(x),
    "softmax0": lambda lib, x: lib.nn.Softmax(dim=0)(x),
    "softmax1": lambda lib, x: lib.nn.Softmax(dim=-1)(x),
    "log_softmax": lambda lib, x: lib.nn.LogSoftmax(dim=1)(x),
    "identity": lambda lib, x: lib.nn.Identity(3, foo=1)(x),
    "flatten": lambda lib, x: lib.nn.Flatten()(x.reshape(2, 3, 2)),
    "flatten0": lambda lib, x: lib.nn.Flatten(0, -1)(x),
}


@needs_torch
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activation_values_and_grads(name: str, dtype: Any) -> None:
    (x,) = rng_arrays((4, 3), seed=11, dtype=dtype, scale=3.0)
    # kinks and bounds exactly: PyTorch's gradient there is part of the contract
    x[0, :3] = [0.0, 6.0, -0.5]
    assert_parity(ACTIVATIONS[name], x, rtol=1e-5, atol=1e-6)


@needs_torch
@pytest.mark.parametrize(
    "name",
    ["gelu", "gelu_tanh", "sigmoid", "tanh", "softmax1", "log_softmax", "leaky_relu", "relu6",
     "silu", "elu", "elu_alpha", "softplus", "softplus_threshold"],
)
def test_activation_second_derivatives_match_torch(name: str) -> None:
    (a,) = rng_arrays((3, 4), seed=5, dtype=np.float64, scale=2.0)
    results = []
    for lib in (tg, torch):
        x = lib.tensor(a, requires_grad=True)
        y = ACTIVATIONS[name](lib, x)
        (g,) = lib.autograd.grad((y * y).sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x)
        results.append((g.detach().numpy(), gg.numpy()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize("name", ["gelu", "gelu_tanh", "leaky_relu", "relu6", "hardtanh", "silu",
                                  "elu", "elu_alpha", "softplus"])
def test_activation_gradcheck(name: str) -> None:
    (a,) = rng_arrays((3, 4), seed=2, dtype=np.float64, scale=2.0)
    a = np.where(np.abs(a) < 0.05, 0.3, a)  # off the kinks
    a = np.where(np.abs(a + 0.5) < 0.05, 0.3, a)
    x = tg.tensor(a, requires_grad=True)
    fn = ACTIVATIONS[name]
    assert tg.autograd.gradcheck(lambda t: fn(tg, t), (x,))
    assert tg.autograd.gradgradcheck(lambda t: fn(tg, t), (x,))


def test_relu6_and_hardtanh_have_zero_gradient_at_the_bounds() -> None:
    x = tg.tensor([0.0, 6.0, 3.0, -1.0, 7.0], requires_grad=True)
    F.relu6(x).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 1.0, 0.0, 0.0]


def test_activation_reprs_match_torch_style() -> None:
    assert repr(nn.ReLU()) == "ReLU()"
    assert repr(nn.ReLU(inplace=True)) == "ReLU(inplace=True)"
    assert repr(nn.ReLU6()) == "ReLU6()"
    assert repr(nn.LeakyReLU()) == "LeakyReLU(negative_slope=0.01)"
    assert repr(nn.GELU("tanh")) == "GELU(approximate='tanh')"
    assert repr(nn.SiLU()) == "SiLU()" and repr(nn.SiLU(True)) == "SiLU(inplace=True)"
    assert repr(nn.ELU(0.5, inplace=True)) == "ELU(alpha=0.5, inplace=True)"
    assert repr(nn.Softplus()) == "Softplus(beta=1.0, threshold=20.0)"
    assert repr(nn.Softmax(dim=1)) == "Softmax(dim=1)"
    assert repr(nn.LogSoftmax()) == "LogSoftmax(dim=None)"
    assert repr(nn.Dropout()) == "Dropout(p=0.5, inplace=False)"
    assert repr(nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"
    assert repr(nn.Hardtanh()) == "Hardtanh(min_val=-1.0, max_val=1.0)"


def test_gelu_rejects_unknown_approximation() -> None:
    with pytest.raises(RuntimeError, match="approximate argument must be either none or tanh"):
        F.gelu(tg.ones(2), approximate="fast")


def test_softmax_without_dim_warns_and_picks_torchs_dim() -> None:
    x = tg.tensor([[1.0, 2.0], [3.0, 5.0]])
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        out = F.softmax(x)
    np.testing.assert_allclose(out.sum(dim=1).numpy(), [1.0, 1.0], rtol=1e-6)


# ------------------------------------------------------------------------------ dropout


@needs_torch
@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_dropout_drops_the_same_elements_as_torch(p: float) -> None:
    outs, grads = [], []
    for lib in (tg, torch):
        lib.manual_seed(123)
        x = lib.ones(5, 40, requires_grad=True)
        y = lib.nn.Dropout(p)(x)
        y.sum().backward()
        outs.append(y.detach().numpy())
        grads.append(x.grad.numpy())
        outs.append(lib.rand(2).numpy())  # the stream advanced identically
    np.testing.assert_array_equal(outs[0], outs[2])
    np.testing.assert_array_equal(outs[1], outs[3])
    np.testing.assert_array_equal(grads[0], grads[1])


def test_dropout_is_identity_in_eval_and_keeps_expectation() -> None:
    drop = nn.Dropout(0.3)
    x = tg.ones(1000)
    assert drop.eval()(x) is x
    tg.manual_seed(0)
    y = drop.train()(x).numpy()
    assert set(np.unique(y)) <= {0.0, np.float32(1 / 0.7)}
    assert abs(y.mean() - 1.0) < 0.1
    assert (F.dropout(x, p=1.0).numpy() == 0).all()
    with pytest.raises(
        ValueError, match="dropout probability has to be between 0 and 1, but got 1.5"
    ):
        nn.Dropout(1.5)


FEATURE_DROPOUTS = [  # (module, input shape): batched, unbatched, and torch's odd ranks
    ("Dropout1d", (2, 3, 5)), ("Dropout1d", (3, 5)), ("Dropout2d", (2, 3, 4, 4)),
    ("Dropout2d", (4, 6, 3)), ("Dropout3d", (2, 3, 2, 2, 2)), ("Dropout3d", (3, 2, 2, 2)),
    ("AlphaDropout", (4, 50)), ("FeatureAlphaDropout", (4, 5, 3)),
    ("FeatureAlphaDropout", (6, 7)),
]


@needs_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("p", [0.2, 0.5, 1.0])
@pytest.mark.parametrize("name,shape", FEATURE_DROPOUTS, ids=str)
def test_channel_and_alpha_dropout_match_torch_bit_for_bit(
        name: str, shape: tuple[int, ...], p: float, dtype: Any) -> None:
    x = rng_arrays(shape, dtype=dtype)[0]
    outs, grads, names = [], [], []
    for lib in (tg, torch):
        lib.manual_seed(5)
        t = lib.tensor(x, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # dropout2d on 3-D input warns (checked below)
            y = getattr(lib.nn, name)(p)(t)
        (y * lib.tensor(np.arange(y.numel(), dtype=dtype).reshape(shape))).sum().backward()
        outs += [y.detach().numpy(), lib.rand(2).numpy()]  # the stream advanced identically
        grads.append(t.grad.numpy())
        names.append(type(y.grad_fn).__name__)
    np.testing.assert_array_equal(outs[0], outs[2])
    np.testing.assert_array_equal(outs[1], outs[3])
    np.testing.assert_array_equal(grads[0], grads[1])
    assert names[0] == names[1]


@needs_torch
@pytest.mark.parametrize("name,shape", [
    ("dropout2d", (3, 4, 5)), ("dropout2d", (5,)), ("dropout3d", (2, 3, 4)),
    ("dropout3d", (2, 3)), ("dropout1d", (5,)), ("dropout1d", (2, 2, 2, 2)),
    ("feature_alpha_dropout", (5,)), ("dropout2d", ()),
], ids=str)
def test_channel_dropout_warnings_and_errors_match_torch(name: str,
                                                         shape: tuple[int, ...]) -> None:
    results = []
    for lib in (tg, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                out = getattr(lib.nn.functional, name)(lib.ones(shape), 0.5, True)
                result: Any = tuple(out.shape)
            except Exception as e:  # noqa: BLE001  (the class and message are compared)
                result = (type(e).__name__, str(e))
        results.append((result, [(w.category, str(w.message)) for w in caught]))
    assert results[0] == results[1]


@pytest.mark.filterwarnings("ignore:dropout2d")
def test_channel_and_alpha_dropout_in_eval_mode_and_bad_p() -> None:
    x = tg.ones(2, 3, 4)
    for module in (nn.Dropout1d, nn.Dropout2d, nn.AlphaDropout, nn.FeatureAlphaDropout):
        assert module(0.5).eval()(x) is x
        assert repr(module(0.25)) == f"{module.__name__}(p=0.25, inplace=False)"
    assert F.alpha_dropout(x, 0.5) is x  # training defaults to False, as in torch
    for fn in (F.dropout1d, F.dropout2d, F.dropout3d, F.alpha_dropout,
               F.feature_alpha_dropout):
        with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
            fn(x, -0.1)
    tg.manual_seed(0)
    y = F.alpha_dropout(tg.randn(20000), 0.3, training=True).numpy()
    assert abs(y.mean()) < 0.05 and abs(y.std() - 1) < 0.05  # SELU's fixed point is kept


# ----------------------------------------------------------------------------- Bilinear


@needs_torch
@pytest.mark.parametrize("seed,bias", [(0, True), (3, False)])
def test_bilinear_init_state_dict_and_parity_match_torch(seed: int, bias: bool) -> None:
    tg.manual_seed(seed)
    torch.manual_seed(seed)
    ours, theirs = nn.Bilinear(3, 4, 5, bias=bias), torch.nn.Bilinear(3, 4, 5, bias=bias)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for key, value in theirs.state_dict().items():
        assert np.array_equal(ours.state_dict()[key].numpy(), value.numpy()), key
    assert np.array_equal(tg.rand(3).numpy(), torch.rand(3).numpy())
    x1, x2 = rng_arrays((2, 6, 3), (2, 6, 4), seed=seed)
    outs = []
    for lib, layer in ((tg, ours), (torch, theirs)):
        a, b = lib.tensor(x1, requires_grad=True), lib.tensor(x2, requires_grad=True)
        y = layer(a, b)
        y.backward(lib.ones_like(y))
        outs.append([y.detach().numpy(), a.grad.numpy(), b.grad.numpy(),
                     layer.weight.grad.numpy(), type(y.grad_fn).__name__])
    for mine, their in zip(outs[0][:4], outs[1][:4]):
        np.testing.assert_allclose(mine, their, rtol=1e-5, atol=1e-5)
    assert outs[0][4] == outs[1][4]
    theirs.load_state_dict(torch.nn.Bilinear(3, 4, 5, bias=bias).state_dict())
    ours.load_state_dict({k: tg.tensor(v.numpy()) for k, v in theirs.state_dict().items()})


@needs_torch
@pytest.mark.parametrize("shapes", [
    ((3, 3), (2, 4), (5, 3, 4), None), ((2, 3), (2, 5), (5, 3, 4), None),
    ((2, 3), (2, 4), (5, 3, 4), (4,)), ((2, 3), (3, 4), (5, 3, 4), None),
    ((2, 2), (2, 4), (5, 3, 4), None), ((2, 1, 3), (2, 4), (5, 3, 4), None),
], ids=str)
def test_bilinear_errors_match_torch(shapes: Any) -> None:
    errors = []
    for lib in (tg, torch):
        args = [lib.ones(s) for s in shapes[:3]] + [lib.ones(shapes[3]) if shapes[3] else None]
        with pytest.raises(RuntimeError) as info:
            lib.nn.functional.bilinear(*args)
        errors.append(str(info.value))
    assert errors[0] == errors[1]


# ------------------------------------------------------------------------------- one_hot


def test_one_hot() -> None:
    out = F.one_hot(tg.tensor([0, 2, 1]))
    assert out.dtype == tg.int64
    assert out.tolist() == [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
    assert F.one_hot(tg.tensor([[1]]), num_classes=3).shape == (1, 1, 3)
    with pytest.raises(RuntimeError, match="Class values must be smaller than num_classes."):
        F.one_hot(tg.tensor([0, 3]), 3)
    with pytest.raises(RuntimeError, match="Class values must be non-negative."):
        F.one_hot(tg.tensor([0, -1]))
    with pytest.raises(RuntimeError, match="one_hot is only applicable to index tensor"):
        F.one_hot(tg.tensor([0.0, 1.0]))


# ---------------------------------------------------------------------------------- init


@needs_torch
@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("uniform_", {"a": -2.0, "b": 3.0}),
        ("normal_", {"mean": 1.0, "std": 0.5}),
        ("xavier_uniform_", {"gain": 2.0}),
        ("xavier_normal_", {}),
        ("kaiming_uniform_", {"a": math.sqrt(5)}),
        ("kaiming_uniform_", {"nonlinearity": "relu"}),
        ("kaiming_normal_", {"mode": "fan_out", "nonlinearity": "relu"}),
        ("constant_", {"val": 0.25}),
        ("ones_", {}),
        ("zeros_", {}),
    ],
)
@pytest.mark.parametrize("shape", [(5, 7), (20, 3), (4, 3, 2)])
def test_init_matches_torch(name: str, kwargs: dict[str, Any], shape: tuple[int, ...]) -> None:
    values = []
    for lib in (tg, torch):
        lib.manual_seed(9)
        t = lib.empty(*shape)
        getattr(lib.nn.init, name)(t, **kwargs)
        values.append(t.numpy())
    np.testing.assert_allclose(values[0], values[1], rtol=1e-6, atol=1e-7)


def test_init_gain_and_fan_rules() -> None:
    assert nn.init.calculate_gain("relu") == math.sqrt(2.0)
    assert nn.init.calculate_gain("tanh") == 5.0 / 3
    assert nn.init.calculate_gain("leaky_relu", 0.2) == math.sqrt(2.0 / (1 + 0.04))
    with pytest.raises(ValueError, match="Unsupported nonlinearity foo"):
        nn.init.calculate_gain("foo")
    with pytest.raises(ValueError, match="Fan in and fan out can not be computed"):
        nn.init.xavier_uniform_(tg.empty(3))
    with pytest.raises(ValueError, match="Mode fan_both not supported"):
        nn.init.kaiming_uniform_(tg.empty(3, 2), mode="fan_both")
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        nn.init.kaiming_uniform_(tg.empty(0, 3))
    assert "zero-element" in str(w[0].message)


def test_init_works_on_parameters_that_require_grad() -> None:
    layer = nn.Linear(4, 3)
    nn.init.zeros_(layer.weight)
    assert (layer.weight.detach().numpy() == 0).all()
    assert layer.weight.requires_grad


@needs_torch
def test_inplace_activations_and_dropout_match_torch() -> None:
    results = []
    for lib in (tg, torch):
        lib.manual_seed(0)
        n = lib.nn
        model = n.Sequential(
            n.Linear(2, 3),
            n.ReLU(inplace=True),
            n.Linear(3, 3),
            n.LeakyReLU(inplace=True),
            n.Linear(3, 3),
            n.ReLU6(inplace=True),
            n.Dropout(0.5, inplace=True),
            n.Linear(3, 1),
        )
        out = model(lib.randn(4, 2))
        out.sum().backward()
        results.append([out.detach().numpy()] + [p.grad.numpy() for p in model.parameters()])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    x = tg.tensor([-1.0, 2.0])
    assert F.relu(x, inplace=True) is x and x.tolist() == [0.0, 2.0]
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        F.relu(tg.ones(2, requires_grad=True), inplace=True)
