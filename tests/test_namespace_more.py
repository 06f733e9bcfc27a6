"""Top-level names PyTorch scripts touch, against torch's CPU build: constants,
``tg.accelerator``, ``tg.testing``, ``autograd.Variable`` and the anomaly switches, the
determinism and precision settings, ``tg.backends.*``, ``tg.cuda`` without a GPU,
``tg.special``'s aliases, ``linalg.tensorinv`` / ``tensorsolve``, ``amp.custom_fwd``, the
window functions and the ``torch.*`` forms of ``nn.functional``'s functions."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
X = RNG.standard_normal((2, 3, 8)).astype(np.float32)
TARGET = RNG.random((2, 3, 8)).astype(np.float32)
SIGNS = np.sign(RNG.standard_normal((2, 3, 8))).astype(np.float32)


def _outcome(lib: Any, call: Callable[[Any], Any]) -> tuple[str, str, list[str]]:
    """(exception class or "ok", message or repr of the result, warnings), with torch's
    names read as ours."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            kind, text = "ok", repr(call(lib))
        except Exception as error:  # noqa: BLE001 - compared below
            kind, text = type(error).__name__, str(error)
    said = [f"{w.category.__name__}: {str(w.message).split(' (Triggered internally')[0]}"
            for w in caught]
    return kind, text.replace("torch.", "tinygrad_edu."), said


def _same(call: Callable[[Any], Any]) -> None:
    assert _outcome(tg, call) == _outcome(torch, call)


# ------------------------------------------------------------------ constants, accelerator
def test_constants_are_torchs() -> None:
    for name in ("pi", "e", "inf"):
        assert getattr(tg, name) == getattr(torch, name) and type(getattr(tg, name)) is float
    assert np.isnan(tg.nan) and tg.newaxis is None is torch.newaxis
    assert tg.ones(2)[:, tg.newaxis].shape == (2, 1)


def test_quickstart_device_line_picks_the_cpu() -> None:
    for L in (tg, torch):
        device = (L.accelerator.current_accelerator().type if L.accelerator.is_available()
                  else "cpu")
        assert device == "cpu"


@pytest.mark.parametrize("call", [
    lambda L: L.accelerator.is_available(), lambda L: L.accelerator.current_accelerator(),
    lambda L: L.accelerator.current_accelerator(True), lambda L: L.accelerator.device_count(),
    lambda L: L.accelerator.current_device_index(),
    lambda L: L.accelerator.current_device_idx(), lambda L: L.accelerator.set_device_index(0),
    lambda L: L.accelerator.set_device_index(None),
    lambda L: L.accelerator.set_device_index("cuda"), lambda L: L.accelerator.synchronize(),
    lambda L: L.accelerator.synchronize("cpu"), lambda L: L.accelerator.empty_cache(),
    lambda L: L.accelerator.memory_allocated("cuda"),
    lambda L: L.accelerator.max_memory_allocated(),
    lambda L: L.accelerator.reset_peak_memory_stats(),
    lambda L: L.accelerator.get_memory_info("cuda"),
    lambda L: L.accelerator.device_index(None).__enter__(),
    lambda L: L.accelerator.device_index(0).__enter__(),
])
def test_accelerator_without_one_behaves_as_torch_cpu(call: Callable[[Any], Any]) -> None:
    _same(call)


# ------------------------------------------------------------------------------ testing
ASSERT_CLOSE_CASES = {
    "close": lambda L: L.testing.assert_close(L.tensor([1.0, 2.0, 3.0]),
                                              L.tensor([1.0, 2.5, 3.1])),
    "within_defaults": lambda L: L.testing.assert_close(L.tensor([1.0]), L.tensor([1.000001])),
    "dtype": lambda L: L.testing.assert_close(L.ones(2), L.ones(2, dtype=L.float64)),
    "promoted": lambda L: L.testing.assert_close(L.ones(2), L.tensor([1.0, 1.5], dtype=L.float64),
                                                 check_dtype=False),
    "int": lambda L: L.testing.assert_close(L.tensor([1, 2, 5]), L.tensor([1, 0, 3])),
    "shape": lambda L: L.testing.assert_close(L.ones(3), L.ones(2)),
    "zero_dim": lambda L: L.testing.assert_close(L.tensor(1.0), L.tensor(2.0)),
    "python_floats": lambda L: L.testing.assert_close(1.0, 1.1),
    "python_types": lambda L: L.testing.assert_close(1, 1.0),
    "nan": lambda L: L.testing.assert_close(L.tensor([float("nan")]), L.tensor([float("nan")])),
    "equal_nan": lambda L: L.testing.assert_close(L.tensor([float("nan")]),
                                                  L.tensor([float("nan")]), equal_nan=True),
    "rtol_alone": lambda L: L.testing.assert_close(L.ones(1), L.ones(1), rtol=1e-3),
    "msg": lambda L: L.testing.assert_close(L.ones(1), L.zeros(1), msg="boom"),
    "msg_callable": lambda L: L.testing.assert_close(L.ones(1), L.zeros(1),
                                                     msg=lambda m: m + "\nFooter"),
    "nested": lambda L: L.testing.assert_close([L.ones(2), {"a": L.ones(2)}],
                                               [L.ones(2), {"a": L.zeros(2)}]),
    "lengths": lambda L: L.testing.assert_close([L.ones(2)], [L.ones(2), L.ones(2)], msg="x"),
    "keys": lambda L: L.testing.assert_close({"a": 1}, {"b": 1}),
    "none": lambda L: L.testing.assert_close(None, L.ones(1)),
    "bools": lambda L: L.testing.assert_close(True, False),
    "numpy": lambda L: L.testing.assert_close(np.ones(2), np.zeros(2)),
    "tensor_and_numpy": lambda L: L.testing.assert_close(L.ones(2), np.ones(2)),
    "tolerances": lambda L: L.testing.assert_close(L.tensor([1.0, 2.0]), L.tensor([1.1, 2.0]),
                                                   rtol=0.0, atol=0.2),
    "float64": lambda L: L.testing.assert_close(L.tensor([1.0], dtype=L.float64),
                                                L.tensor([1.0000001], dtype=L.float64)),
    "float16": lambda L: L.testing.assert_close(L.tensor([1.0], dtype=L.float16),
                                                L.tensor([1.001], dtype=L.float16)),
    "bfloat16": lambda L: L.testing.assert_close(L.tensor([1.0, 2.0], dtype=L.bfloat16),
                                                 L.tensor([1.0, 2.5], dtype=L.bfloat16)),
    "two_dims": lambda L: L.testing.assert_close(L.arange(6.0).reshape(2, 3),
                                                 L.arange(6.0).reshape(2, 3) * 1.5),
    "inf": lambda L: L.testing.assert_close(L.tensor([1.0, float("inf")]), L.tensor([1.0, 0.0])),
    "bool_tensors": lambda L: L.testing.assert_close(L.tensor([True]), L.tensor([False])),
    "allclose_deprecated": lambda L: L.testing.assert_allclose(L.tensor([1.0, 2.0]),
                                                               [1.00001, 2.1]),
    "allclose_nan": lambda L: L.testing.assert_allclose(L.tensor([float("nan")]),
                                                        [float("nan")]),
}


@pytest.mark.parametrize("name", list(ASSERT_CLOSE_CASES))
def test_assert_close_messages_and_tolerances_are_torchs(name: str) -> None:
    _same(ASSERT_CLOSE_CASES[name])


def test_assert_close_message_format() -> None:
    with pytest.raises(AssertionError, match=r"^Tensor-likes are not close!\n\nMismatched "
                       r"elements: 2 / 3 \(66\.7%\)\nGreatest absolute difference: 0\.5 at "
                       r"index \(1,\) \(up to 1e-05 allowed\)"):
        tg.testing.assert_close(tg.tensor([1.0, 2.0, 3.0]), tg.tensor([1.0, 2.5, 3.1]))


# -------------------------------------------------------------------- autograd, anomaly
def test_variable_returns_a_new_leaf_tensor_as_torch() -> None:
    from tinygrad_edu.autograd import Variable

    x = tg.ones(2, requires_grad=True)
    v = Variable(x * 2, requires_grad=True)
    assert type(v) is tg.Tensor and v.is_leaf and v.requires_grad and v is not x
    assert not Variable(x).requires_grad and isinstance(tg.zeros(1), Variable)
    assert not isinstance(1, Variable) and Variable().shape == (0,)
    (v * 3).sum().backward()
    assert v.grad.tolist() == [3.0, 3.0] and x.grad is None
    with pytest.raises(TypeError, match="Variable data has to be a tensor, but got list"):
        Variable([1.0])
    with pytest.warns(UserWarning, match="volatile was removed"):
        Variable(x, volatile=True)


def test_multithreading_switch_as_torch() -> None:
    for L in (tg, torch):
        assert L.autograd.is_multithreading_enabled()
        with L.autograd.set_multithreading_enabled(False):
            assert not L.autograd.is_multithreading_enabled()
        assert L.autograd.is_multithreading_enabled()


def _anomaly_trace(L: Any) -> list[Any]:
    state = lambda: (L.is_anomaly_enabled(), L.is_anomaly_check_nan_enabled())  # noqa: E731
    trace = [state()]
    L.set_anomaly_enabled(True)
    trace.append(state())
    L.set_anomaly_enabled(True, False)
    trace.append(state())
    L.set_anomaly_enabled(False)
    trace.append(state())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with L.autograd.detect_anomaly(check_nan=False):
            trace.append(state())
    with L.autograd.set_detect_anomaly(True, check_nan=False):
        trace.append(state())
    trace.append(state())
    trace.append(_outcome(L, lambda L: L.set_anomaly_enabled(1)))
    return trace


def test_anomaly_switches_match_torch() -> None:
    assert _anomaly_trace(tg) == _anomaly_trace(torch)


def test_detect_anomaly_without_check_nan_does_not_raise_on_nan() -> None:
    x = tg.tensor([-1.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (numpy's sqrt of -1)
        with tg.autograd.detect_anomaly(check_nan=False):
            (x.sqrt() * 0).sum().backward()  # would raise with check_nan=True
    assert np.isnan(x.grad.numpy()).all()


# ------------------------------------------------------------------------------ settings
def _settings_trace(L: Any) -> list[Any]:
    trace: list[Any] = []
    state = lambda: (L.are_deterministic_algorithms_enabled(),  # noqa: E731
                     L.is_deterministic_algorithms_warn_only_enabled(),
                     L.get_deterministic_debug_mode())
    for mode, warn_only in ((True, False), (True, True), (False, True), (False, False)):
        L.use_deterministic_algorithms(mode, warn_only=warn_only)
        trace.append(state())
    for bad in (lambda L: L.use_deterministic_algorithms(1),
                lambda L: L.use_deterministic_algorithms(True, warn_only=1)):
        trace.append(_outcome(L, bad))
    for level in ("default", "warn", "error", 0, 1, 2, 3, "bad", 1.0, True, None):
        trace.append(_outcome(L, lambda L: L.set_deterministic_debug_mode(level)))
        trace.append(state())
    L.set_deterministic_debug_mode(0)
    for precision in ("high", "medium", "highest", "low", 1, None):
        trace.append(_outcome(L, lambda L: L.set_float32_matmul_precision(precision)))
        trace.append(L.get_float32_matmul_precision())
    L.set_float32_matmul_precision("highest")
    trace.append(_outcome(L, lambda L: L.set_flush_denormal(1)))
    trace.append(L.is_warn_always_enabled())
    trace.append(_outcome(L, lambda L: L.set_warn_always(1)))
    L.set_warn_always(True)
    trace.append(L.is_warn_always_enabled())
    L.set_warn_always(False)
    return trace


def test_determinism_and_precision_settings_match_torch() -> None:
    assert _settings_trace(tg) == _settings_trace(torch)


def test_flush_denormal_is_not_supported() -> None:
    assert tg.set_flush_denormal(True) is False and tg.set_flush_denormal(False) is False


def test_backends_report_as_torch() -> None:
    assert tg.backends.cpu.get_cpu_capability() == torch.backends.cpu.get_cpu_capability()
    assert tg.backends.opt_einsum.is_available() == torch.backends.opt_einsum.is_available()
    assert tg.backends.opt_einsum.enabled == torch.backends.opt_einsum.enabled
    assert tg.backends.opt_einsum.strategy == torch.backends.opt_einsum.strategy
    assert tg.backends.mkldnn.enabled and not tg.backends.mkldnn.deterministic
    # (tinygrad_edu uses none of them, unlike PyTorch's x86 build)
    assert not (tg.backends.mkl.is_available() or tg.backends.mkldnn.is_available()
                or tg.backends.openmp.is_available())


# ---------------------------------------------------------------------------------- cuda
@pytest.mark.parametrize("name,args", [
    ("empty_cache", ()), ("synchronize", ()), ("current_device", ()), ("device_count", ()),
    ("get_device_name", ()), ("get_device_name", (0,)), ("memory_allocated", ()),
    ("memory_allocated", ("cpu",)), ("max_memory_allocated", ()), ("memory_reserved", ()),
    ("max_memory_reserved", ()), ("reset_peak_memory_stats", ()),
    ("reset_peak_memory_stats", ("cpu",)), ("reset_max_memory_allocated", ()),
    ("manual_seed", (1,)), ("manual_seed", ("x",)), ("manual_seed_all", (1,)), ("seed", ()),
    ("seed_all", ()), ("get_rng_state", ()), ("get_rng_state_all", ()),
    ("set_rng_state", (1,)), ("is_bf16_supported", ()), ("ipc_collect", ()),
    ("set_device", (0,)), ("set_device", (-1,)), ("set_device", ("cpu",)),
    ("set_device", ("cuda",)), ("set_device", ("cuda:1",)), ("set_device", (None,)),
    ("is_initialized", ()), ("init", ()), ("get_device_properties", (0,)),
    ("get_device_capability", ()), ("memory_stats", ()), ("mem_get_info", ()),
])
def test_cuda_without_gpu_behaves_as_torch_cpu_build(name: str, args: tuple[Any, ...]) -> None:
    _same(lambda L: getattr(L.cuda, name)(*args))


# ------------------------------------------------------------------------------- special
SPECIAL_ALIASES = ["digamma", "psi", "gammaln", "expit", "erf", "erfc", "exp2", "expm1",
                   "log1p", "sinc", "ndtr", "logit", "round"]


@pytest.mark.parametrize("name", SPECIAL_ALIASES)
def test_special_aliases_are_the_tensor_ops(name: str) -> None:
    x = tg.tensor([-0.7, 0.3, 0.5, 2.0], requires_grad=True)
    method = {"psi": "digamma", "gammaln": "lgamma", "expit": "sigmoid"}.get(name, name)
    expected = getattr(x.detach(), method)() if name != "ndtr" else None
    y = getattr(tg.special, name)(x)
    if expected is not None:  # the alias is the method: the same bits
        assert np.array_equal(y.detach().numpy(), expected.numpy(), equal_nan=True)
    t = torch.tensor(x.detach().numpy(), requires_grad=True)
    z = getattr(torch.special, name)(t)
    y.sum().backward()
    z.sum().backward()
    # (some of the Tensor's own ops round differently from torch's in the last bit)
    np.testing.assert_allclose(y.detach().numpy(), z.detach().numpy(), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-6, atol=1e-7)


def test_special_ndtr_is_torchs_composition_bit_for_bit() -> None:
    x = np.linspace(-6, 6, 101, dtype=np.float32)
    assert np.array_equal(tg.special.ndtr(tg.tensor(x)).numpy(),
                          torch.special.ndtr(torch.tensor(x)).numpy())
    assert tg.special.ndtr(tg.tensor([1, 2])).dtype == tg.float32


def test_special_ndtri_inverts_ndtr_as_torch() -> None:
    p = np.array([0.01, 0.1, 0.5, 0.9, 0.975], dtype=np.float32)
    a, b = tg.tensor(p, requires_grad=True), torch.tensor(p, requires_grad=True)
    tg.special.ndtri(a).sum().backward()
    torch.special.ndtri(b).sum().backward()
    # (torch has a dedicated kernel; sqrt(2) * erfinv(2p - 1) agrees to a few ulp)
    np.testing.assert_allclose(tg.special.ndtri(a).detach().numpy(),
                               torch.special.ndtri(b).detach().numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-5)


def test_special_reductions_and_out_as_torch() -> None:
    x = np.arange(6, dtype=np.float32).reshape(2, 3) / 4
    for name, args in (("softmax", (1,)), ("log_softmax", (0,)), ("logsumexp", (1,))):
        mine = getattr(tg.special, name)(tg.tensor(x), *args).numpy()
        np.testing.assert_allclose(mine, getattr(torch.special, name)(torch.tensor(x), *args),
                                   rtol=1e-6)
    assert tg.special.polygamma(1, tg.tensor([1.0])).tolist() == \
        torch.special.polygamma(1, torch.tensor([1.0])).tolist()
    out = tg.empty(2)
    tg.special.expit(tg.tensor([0.0, 0.0]), out=out)
    assert out.tolist() == [0.5, 0.5]
    for call in (lambda L: L.special.expit([1.0]), lambda L: L.special.polygamma(1, [1.0]),
                 lambda L: L.special.softmax([1.0], 0)):
        _same(call)


# -------------------------------------------------------------------------------- linalg
@pytest.mark.parametrize("call", [
    lambda L: L.linalg.tensorinv(L.eye(6).reshape(6, 2, 3), ind=1).shape,
    lambda L: L.linalg.tensorinv(L.eye(4).reshape(2, 2, 2, 2)).shape,
    lambda L: L.linalg.tensorinv(L.eye(4).reshape(2, 2, 2, 2), ind=0),
    lambda L: L.linalg.tensorinv(L.ones(2, 3, 4), ind=1),
    lambda L: L.linalg.tensorinv(L.zeros(2, 2, 2, 2)),
    lambda L: L.linalg.tensorsolve(L.eye(6).reshape(2, 3, 6), L.ones(2, 3)).shape,
    lambda L: L.linalg.tensorsolve(L.ones(2, 3, 4), L.ones(2, 3)),
    lambda L: L.linalg.tensorsolve(L.zeros(2, 3, 6), L.ones(2, 3)),
    lambda L: L.linalg.tensorsolve(L.eye(6).reshape(2, 3, 6), L.ones(2, 3), dims=(-1,)).shape,
])
def test_tensorinv_tensorsolve_shapes_and_errors_as_torch(call: Callable[[Any], Any]) -> None:
    mine, theirs = _outcome(tg, call), _outcome(torch, call)
    assert mine[0].lstrip("_") == theirs[0].lstrip("_") and mine[1:] == theirs[1:]


def test_tensorinv_tensorsolve_values_and_grads() -> None:
    rng = np.random.default_rng(1)
    a = rng.standard_normal((2, 2, 2, 2)) + 3 * np.eye(4).reshape(2, 2, 2, 2)
    b = rng.standard_normal((2, 2))
    results = []
    for L in (tg, torch):
        A = L.tensor(a, requires_grad=True)
        X = L.linalg.tensorsolve(A, L.tensor(b))
        Y = L.linalg.tensorinv(A, ind=2)
        (X.sum() + Y.sum()).backward()
        results.append([X.detach().numpy(), Y.detach().numpy(), A.grad.numpy()])
    for mine, theirs in zip(*results):
        np.testing.assert_allclose(mine, theirs, rtol=1e-10, atol=1e-12)  # (LAPACK vs numpy)


# ----------------------------------------------------------------------------------- amp
def _custom_function_trace(L: Any) -> list[Any]:
    trace: list[Any] = []

    class Cast(L.autograd.Function):
        @staticmethod
        @L.amp.custom_fwd(device_type="cpu", cast_inputs=L.float64)
        def forward(ctx: Any, x: Any) -> Any:
            trace.append(("fwd", str(x.dtype), L.is_autocast_enabled("cpu")))
            return x * 2

        @staticmethod
        @L.amp.custom_bwd(device_type="cpu")
        def backward(ctx: Any, g: Any) -> Any:
            trace.append(("bwd", str(g.dtype), L.is_autocast_enabled("cpu")))
            return g * 2

    class Keep(L.autograd.Function):
        @staticmethod
        @L.amp.custom_fwd(device_type="cpu")
        def forward(ctx: Any, x: Any) -> Any:
            trace.append(("fwd", str(x.dtype), L.is_autocast_enabled("cpu")))
            return x @ x.T

        @staticmethod
        @L.amp.custom_bwd(device_type="cpu")
        def backward(ctx: Any, g: Any) -> Any:
            trace.append(("bwd", str(g.dtype), L.is_autocast_enabled("cpu")))
            return g

    x = L.ones(2, 2, requires_grad=True)
    with L.autocast("cpu", dtype=L.bfloat16):
        y, z = Cast.apply(x), Keep.apply(x)
    trace.append((str(y.dtype), str(z.dtype)))
    (y.sum() + z.float().sum()).backward()
    trace.append(str(Cast.apply(x).dtype))
    return [str(t).replace("torch.", "tinygrad_edu.") for t in trace]


def test_custom_fwd_bwd_follow_autocast_as_torch() -> None:
    assert _custom_function_trace(tg) == _custom_function_trace(torch)


@pytest.mark.parametrize("call", [
    lambda L: L.amp.is_autocast_available("cpu"), lambda L: L.amp.is_autocast_available("cuda"),
    lambda L: L.amp.is_autocast_available("meta"), lambda L: L.amp.is_autocast_available("foo"),
    lambda L: L.amp.is_autocast_available(1), lambda L: L.amp.custom_fwd(lambda c, x: x),
    lambda L: L.amp.custom_bwd(device_type=1), lambda L: L.amp.custom_fwd(device_type=None),
])
def test_amp_helpers_check_as_torch(call: Callable[[Any], Any]) -> None:
    _same(call)


# ------------------------------------------------------------------------------- windows
WINDOWS = ["hann_window", "hamming_window", "blackman_window", "bartlett_window",
           "kaiser_window"]


@pytest.mark.parametrize("name", WINDOWS)
def test_windows_match_torch(name: str) -> None:
    for length in (0, 1, 2, 3, 8, 17, 64):
        for periodic in (True, False):
            for dtype in ("float32", "float64"):
                mine = getattr(tg, name)(length, periodic, dtype=getattr(tg, dtype)).numpy()
                theirs = getattr(torch, name)(length, periodic,
                                              dtype=getattr(torch, dtype)).numpy()
                assert mine.dtype == theirs.dtype and mine.shape == theirs.shape
                if dtype == "float64" and name != "kaiser_window":
                    assert np.array_equal(mine, theirs)
                else:  # (numpy's float32 cos and our i0 round apart from torch's in the
                    np.testing.assert_allclose(mine, theirs, rtol=0, atol=5e-7)  # last bit)
    assert getattr(tg, name)(5).numpy().shape == (5,)
    assert getattr(tg, name)(3, requires_grad=True).requires_grad


@pytest.mark.parametrize("call", [
    lambda L: L.hann_window(-1), lambda L: L.hann_window(4, dtype=L.int64),
    lambda L: L.kaiser_window(-2), lambda L: L.bartlett_window(2.0),
    lambda L: L.hamming_window(5, False, 0.5).tolist(), lambda L: L.hann_window(0).tolist(),
])
def test_window_arguments_and_errors_as_torch(call: Callable[[Any], Any]) -> None:
    _same(call)


# -------------------------------------------------------------- torch.* forms of F's ones
def _top_level_cases(L: Any) -> dict[str, Callable[[], Any]]:
    T = lambda a: L.tensor(a.copy())  # noqa: E731
    w = np.array([0.5, -1.0, 2.0], dtype=np.float32)
    return {
        "max_pool1d": lambda: L.max_pool1d(T(X), 2),
        "max_pool1d_args": lambda: L.max_pool1d(T(X), 3, 2, 1),
        "max_pool2d": lambda: L.max_pool2d(T(X), 2),
        "max_pool3d": lambda: L.max_pool3d(T(X[None]), 2),
        "avg_pool1d": lambda: L.avg_pool1d(T(X), 2),
        "adaptive_avg_pool1d": lambda: L.adaptive_avg_pool1d(T(X), 3),
        "adaptive_max_pool1d": lambda: L.adaptive_max_pool1d(T(X), 3),
        "embedding": lambda: L.embedding(T(X[0]), L.tensor([0, 2, 1])),
        "embedding_padding": lambda: L.embedding(T(X[0]), L.tensor([0, 2]), -2),
        "batch_norm_eval": lambda: L.batch_norm(T(X), None, None, L.zeros(3), L.ones(3), False,
                                                0.1, 1e-5, False),
        "rms_norm": lambda: L.rms_norm(T(X), [8]),
        "channel_shuffle": lambda: L.channel_shuffle(T(X[:, :2]), 2),
        "constant_pad_nd": lambda: L.constant_pad_nd(T(X), (1, -1), 3.0),
        "threshold_": lambda: L.threshold_(T(X), 0.1, 20.0),
        "rrelu_": lambda: L.rrelu_(T(X)),
        "dropout_": lambda: L.dropout_(T(X), 0.5, False),
        "dropout": lambda: L.dropout(T(X), p=0.5, train=False),
        "alpha_dropout_": lambda: L.alpha_dropout_(T(X), 0.5, False),
        "feature_alpha_dropout_": lambda: L.feature_alpha_dropout_(T(X), 0.5, False),
        "kl_div_default": lambda: L.kl_div(T(X), T(TARGET)),  # (elementwise, as torch's)
        "kl_div_mean": lambda: L.kl_div(T(X), T(TARGET), 1),
        "kl_div_sum": lambda: L.kl_div(T(X), T(TARGET), 2, log_target=True),
        "bce_default": lambda: L.binary_cross_entropy_with_logits(T(X), T(TARGET)),
        "margin_ranking": lambda: L.margin_ranking_loss(T(X), T(TARGET), T(SIGNS), 0.1, 1),
        "hinge_embedding": lambda: L.hinge_embedding_loss(T(X), T(SIGNS), 1.0, 0),
        "cosine_embedding": lambda: L.cosine_embedding_loss(T(X[0]), T(TARGET[0]),
                                                            T(SIGNS[0, :, 0]), 0.0, 1),
        "triplet_default": lambda: L.triplet_margin_loss(T(X[0]), T(TARGET[0]), T(X[1])),
        "triplet_mean": lambda: L.triplet_margin_loss(T(X[0]), T(TARGET[0]), T(X[1]), 1.0, 2,
                                                      1e-6, False, 1),
        "poisson_nll": lambda: L.poisson_nll_loss(T(X), T(TARGET), True, False, 1e-8, 1),
        "batch_norm_train": lambda: L.batch_norm(T(X), T(w), T(w), L.zeros(3), L.ones(3), True,
                                                 0.1, 1e-5, False),
        "instance_norm": lambda: L.instance_norm(T(X), T(w), None, None, None, True, 0.1, 1e-5,
                                                 False),
    }


# F's own float32 rounding differs from torch's by an ulp here (its sums, log1p, exp):
# these aliases only pass arguments on, so they are compared to a tolerance
ULP_APART = {"kl_div_default", "kl_div_sum", "bce_default", "poisson_nll", "batch_norm_train",
             "instance_norm"}


@pytest.mark.parametrize("name", list(_top_level_cases(tg)))
def test_top_level_forms_of_functional_match_torch(name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (no warning where torch gives none)
        mine = _top_level_cases(tg)[name]()
    theirs = _top_level_cases(torch)[name]()
    pairs = zip(mine, theirs) if isinstance(theirs, tuple) else [(mine, theirs)]
    assert isinstance(mine, tuple) == isinstance(theirs, tuple)
    for a, b in pairs:
        a, b = a.detach().numpy(), b.detach().numpy()
        assert a.dtype == b.dtype
        if name in ULP_APART:
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=3e-7)
        else:
            assert np.array_equal(a, b)


@pytest.mark.parametrize("call", [
    lambda L: L.kl_div(L.ones(2), L.ones(2), "mean"),
    lambda L: L.max_pool1d(L.ones(1, 1, 4), 2, return_indices=True),
    lambda L: L.dropout(L.ones(2)),
    lambda L: L.batch_norm(L.ones(2, 3), None, None, None, None, False, 0.1, 1e-5, False),
])
def test_top_level_forms_refuse_as_torch(call: Callable[[Any], Any]) -> None:
    kind, message, _ = _outcome(tg, call)
    theirs = _outcome(torch, call)
    assert kind == theirs[0]
    if kind == "RuntimeError":
        assert message == theirs[1]


def test_torch_onnx_imports_and_export_says_why_it_cannot() -> None:
    """PyTorch's word_language_model example does `import torch.onnx` at the top."""
    import tinygrad_edu.onnx

    assert tinygrad_edu.onnx.is_in_onnx_export() is torch.onnx.is_in_onnx_export() is False
    with pytest.raises(NotImplementedError, match="cannot export ONNX"):
        tg.onnx.export(tg.nn.Linear(2, 2), tg.ones(1, 2), "model.onnx")


def test_top_level_poisson_and_binomial_draw_torchs_numbers() -> None:
    rates, counts, probs = [0.5, 3.0, 40.0], [10.0, 3.0, 0.0], [0.5, 0.2, 0.7]
    draws = []
    for L in (tg, torch):
        L.manual_seed(1)
        draws.append((L.poisson(L.tensor(rates)).tolist(),
                      L.binomial(L.tensor(counts), L.tensor(probs)).tolist()))
    assert draws[0] == draws[1]


def test_assert_close_checks_strides_when_asked() -> None:
    for L in (tg, torch):
        L.testing.assert_close(L.ones(2, 2).t(), L.ones(2, 2))
        with pytest.raises(AssertionError, match=r"'stride\(\)' do not match: \(1, 2\) != "
                                                 r"\(2, 1\)"):
            L.testing.assert_close(L.ones(2, 2).t(), L.ones(2, 2), check_stride=True)


@pytest.mark.parametrize("pool, shape", [("max_pool1d", (1, 1, 4)), ("max_pool2d", (1, 1, 4, 4)),
                                         ("max_pool3d", (1, 1, 4, 4, 4)),
                                         ("avg_pool1d", (1, 1, 4))])
def test_top_level_pools_refuse_a_zero_stride_as_torch(pool: str, shape: tuple[int, ...]) -> None:
    """stride=() means the kernel size; stride=0 was taken for it too (``stride or None``),
    and F.max_pool1d divided by it (ZeroDivisionError)."""
    messages = []
    for L in (tg, torch):
        for fn in (getattr(L, pool), getattr(L.nn.functional, pool)):
            with pytest.raises(RuntimeError) as info:
                fn(L.ones(*shape), 2, 0)
            messages.append(str(info.value))
        assert tuple(getattr(L, pool)(L.ones(*shape), 2).shape)[-1] == 2
    assert messages[:2] == messages[2:]


@pytest.mark.parametrize("args", [(0, 1, 1), (2, -1, 1), (2, 1, 0)])
def test_max_pool1d_refuses_non_positive_sizes_as_torch(args: tuple[int, int, int]) -> None:
    k, s, d = args
    messages = []
    for L in (tg, torch):
        with pytest.raises(RuntimeError) as info:
            L.nn.functional.max_pool1d(L.ones(1, 1, 4), k, s, dilation=d)
        messages.append(str(info.value))
    assert messages[0] == messages[1]


@pytest.mark.parametrize("name", ["tensorinv", "tensorsolve"])
def test_tensor_equations_cast_into_out_as_torch(name: str) -> None:
    """Written from other ops in PyTorch, they cast their result into a wider ``out`` and
    refuse a narrower one (not the exact-dtype rule of LAPACK's functions; the wording of
    the refusal is the elementwise ops', not PyTorch's "safely castable")."""
    results = []
    for L in (tg, torch):
        args = (L.eye(4).reshape(2, 2, 2, 2) * 2,) + ((L.ones(2, 2),) if name == "tensorsolve"
                                                      else ())
        out = L.empty(0, dtype=L.float64)
        getattr(L.linalg, name)(*args, out=out)
        with pytest.raises(RuntimeError) as info:
            getattr(L.linalg, name)(*args, out=L.empty(0, dtype=L.int64))
        results.append((str(out.dtype).split(".")[1], out.tolist()))
        assert "Long" in str(info.value)
    assert results[0] == results[1]
