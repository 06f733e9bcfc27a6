"""``F.pad``, ``F.interpolate``, ``F.pixel_shuffle``, ``F.unfold``, ``F.fold`` and their
modules against PyTorch: values and gradients over many shapes and scale factors, errors
(class and message), grad_fn names, dtypes, reprs. Every mode is also a row of the op
table (tests/test_ops.py: pad_*, interpolate_*, pixel_*shuffle, F_unfold, F_fold)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg


@pytest.fixture
def torch() -> Any:
    return pytest.importorskip("torch")


def _same(torch: Any, fn: Any, shape: tuple[int, ...], dtype: str = "float64") -> None:
    """fn(lib, x) in both libraries: the same error, or the same values, dtype and node."""
    a = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    results = []
    for lib in (tg, torch):
        try:
            results.append(fn(lib, lib.tensor(a, requires_grad=dtype.startswith("float"))))
        except Exception as e:  # noqa: BLE001  (the error is the result compared)
            results.append(e)
    mine, theirs = results
    if isinstance(theirs, Exception):
        assert type(mine) is type(theirs) and str(mine) == str(theirs), (mine, theirs)
        return
    assert not isinstance(mine, Exception), mine
    np.testing.assert_allclose(mine.detach().numpy(), theirs.detach().numpy(), rtol=1e-6)
    assert str(mine.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    assert (mine.grad_fn and mine.grad_fn.name()) == (theirs.grad_fn and theirs.grad_fn.name())


PAD_CASES = [  # (shape, pad) for every mode
    ((2, 3, 5), (1, 2)), ((3, 5), (2, 0)), ((2, 3, 5), (-1, 2)), ((2, 3, 4, 5), (1, 2, 3, 0)),
    ((3, 4, 5), (-1, 2, 1, -2)), ((1, 2, 3, 4, 5), (1, 2, 2, 1, 1, 0)),
    ((2, 3, 4, 5), (1, 1, 1, 1, 1, 1)), ((2, 3, 5), (5, 1)), ((2, 3, 5), (-3, -2)),
    ((2, 3, 5), (-3, -3)), ((2, 3, 5), (1, 1, 1, 1, 1, 1, 1, 1)), ((2, 3, 5), (1,)),
    ((5,), (1, 1)), ((0, 5), (1, 1)), ((2, 0, 5), (1, 1)), ((2, 3, 5), (6, 1)),
    ((3, 2, 5), (1, 1, 1, 1)), ((3, 4), (4, 2)), ((2, 3, 5), (1, 1, 4, 1)),
    ((2, 3, 4, 5), (-3, -2, 0, 0)), ((2, 3, 4, 5), (-3, -3, -3, -3)),
    ((1, 3, 4, 5, 6), (-3, -3, -3, -3, -2, -2)), ((2, 3, 5), (-6, 2)),
]


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("shape,pad", PAD_CASES)
def test_pad_errors_and_nodes_like_torch(torch: Any, mode: str, shape: Any, pad: Any) -> None:
    if mode == "circular" and pad == (-6, 2):
        pytest.skip("torch crops past the input's end without an error: undefined values")
    _same(torch, lambda L, x: L.nn.functional.pad(x, pad, mode=mode), shape)


@pytest.mark.parametrize("call", [
    lambda L, x: L.nn.functional.pad(x, (1, 2), value=2.5),
    lambda L, x: L.nn.functional.pad(x, (1, 2), mode="reflect", value=2.5),
    lambda L, x: L.nn.functional.pad(x, (1, 2), mode="reflect", value=0),
    lambda L, x: L.nn.functional.pad(x, (1, 2), mode="wrap"),
    lambda L, x: L.nn.functional.pad(x, (1.5, 2)),
    lambda L, x: L.nn.functional.pad(x, 1),
    lambda L, x: L.nn.functional.pad(x, [1, 1], mode="circular").float(),
])
def test_pad_arguments_like_torch(torch: Any, call: Any) -> None:
    _same(torch, call, (2, 3))


@pytest.mark.parametrize("dtype,value", [("int64", -2.7), ("int32", 2.7), ("bool", 0.5)])
def test_pad_value_cast_to_the_dtype_like_torch(torch: Any, dtype: str, value: float) -> None:
    _same(torch, lambda L, x: L.nn.functional.pad(x, (1, 1), value=value), (2, 3), dtype)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_pad_float32_and_ints_like_torch(torch: Any, mode: str) -> None:
    _same(torch, lambda L, x: L.nn.functional.pad(x, (1, 2, 2, 1), mode=mode), (2, 3, 4),
          "float32")
    _same(torch, lambda L, x: L.nn.functional.pad(x, (1, 2), mode=mode), (2, 3), "int64")


def test_pad_double_backward_like_torch(torch: Any) -> None:
    """Reflect's backward is recorded (a scatter, whose own backward is the gather)."""
    a = np.random.default_rng(1).standard_normal((2, 4))
    out = []
    for L in (tg, torch):
        x = L.tensor(a, requires_grad=True)
        y = L.nn.functional.pad(x, (2, 1), mode="reflect")
        (g,) = L.autograd.grad((y * y).sum(), x, create_graph=True)
        (gg,) = L.autograd.grad(g.sum(), x)
        out.append((g.detach().numpy(), gg.numpy()))
    np.testing.assert_allclose(out[0][0], out[1][0])
    np.testing.assert_allclose(out[0][1], out[1][1])


WINDOW_CASES = [
    lambda L, x: L.nn.functional.unfold(x, 2),
    lambda L, x: L.nn.functional.unfold(x, (2, 3), stride=2, padding=1, dilation=(1, 2)),
    lambda L, x: L.nn.functional.unfold(x[0], 3),
    lambda L, x: L.nn.functional.unfold(x, 7),
    lambda L, x: L.nn.functional.unfold(x[:, :0], 2),
    lambda L, x: L.nn.functional.unfold(x, 0),
    lambda L, x: L.nn.functional.unfold(x, 2, stride=0),
    lambda L, x: L.nn.functional.unfold(x, 2, padding=-1),
    lambda L, x: L.nn.functional.unfold(x, 2, dilation=0),
    lambda L, x: L.nn.functional.unfold(x[0, 0], 2),
    lambda L, x: L.nn.functional.fold(x.reshape(2, 12, 15), (4, 7), 2),
    lambda L, x: L.nn.functional.fold(x.reshape(12, 30), (6, 6), 2),
    lambda L, x: L.nn.functional.fold(x.reshape(2, 12, 15), (4, 6), 2),
    lambda L, x: L.nn.functional.fold(x.reshape(2, 10, 18), (4, 7), 2),
    lambda L, x: L.nn.functional.fold(x.reshape(2, 12, 15), (0, 7), 2),
    lambda L, x: L.nn.functional.fold(x, (4, 7), 2),
]


@pytest.mark.parametrize("k", range(len(WINDOW_CASES)))
def test_unfold_fold_errors_and_nodes_like_torch(torch: Any, k: int) -> None:
    _same(torch, WINDOW_CASES[k], (2, 3, 6, 5))


def test_fold_of_unfold_counts_the_overlaps() -> None:
    x = tg.ones(1, 1, 3, 3)
    y = tg.nn.functional.fold(tg.nn.functional.unfold(x, 2), (3, 3), 2)
    assert y.tolist() == [[[[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]]]


MODULES = [
    ("ZeroPad1d", (2,)), ("ZeroPad2d", ((1, 2, 0, 1),)), ("ZeroPad3d", (1,)),
    ("ConstantPad1d", ((1, 2), 0.5)), ("ConstantPad2d", (1, -1.0)), ("ConstantPad3d", (1, 2.0)),
    ("ReflectionPad1d", (2,)), ("ReflectionPad2d", ((1, 2, 0, 1),)), ("ReflectionPad3d", (1,)),
    ("ReplicationPad1d", (2,)), ("ReplicationPad2d", (1,)), ("ReplicationPad3d", (1,)),
    ("CircularPad1d", (2,)), ("CircularPad2d", ((1, 2, 0, 1),)), ("CircularPad3d", (1,)),
    ("Unfold", (2,)), ("Unfold", ((2, 3), 1, 1, 2)), ("Fold", ((4, 5), 2)),
]


@pytest.mark.parametrize("name,args", MODULES)
@pytest.mark.parametrize("shape", [(2, 3, 4), (2, 2, 3, 4), (1, 2, 3, 3, 4), (4,)])
def test_modules_like_torch(torch: Any, name: str, args: Any, shape: Any) -> None:
    mine, theirs = getattr(tg.nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(mine) == repr(theirs)
    if name == "Fold":
        shape = (2, 12, 12) if len(shape) == 3 else (12, 12)
    _same(torch, lambda L, x: (mine if L is tg else theirs)(x), shape)



# ------------------------------------------------------------------------- interpolate
_SPATIAL = {1: [(5,), (1,), (8,)], 2: [(5, 7), (1, 3), (4, 4)], 3: [(3, 4, 2), (2, 1, 3)]}
_MODES = {1: ["nearest", "nearest-exact", "linear", "area"],
          2: ["nearest", "nearest-exact", "bilinear", "bicubic", "area"],
          3: ["nearest", "nearest-exact", "trilinear"]}
_RESIZES = [{"scale_factor": 2}, {"scale_factor": 1.7}, {"scale_factor": 0.6},
            {"scale_factor": 0.6, "recompute_scale_factor": True}, {"scale_factor": 3.3},
            {"scale_factor": 2.5, "recompute_scale_factor": True}, {"size": 3}, {"size": 9},
            {"size": 1}, {"scale_factor": 1.3}]
_INTERP_CASES = [(k, mode, spatial, kw, ac) for k in _MODES for mode in _MODES[k]
                 for spatial in _SPATIAL[k] for kw in _RESIZES
                 for ac in ([None] if mode in ("nearest", "nearest-exact", "area")
                            else [False, True])]


def _torch_kept_size_bug(mode: str, spatial: tuple[int, ...], kw: dict[str, Any]) -> bool:
    """torch's backward of nearest (3-D, 5-D) and bicubic copies the gradient through an
    axis whose size a scale factor kept, its forward does not (its gradcheck fails)."""
    if "scale_factor" not in kw or kw.get("recompute_scale_factor"):
        return False
    if mode not in ("nearest", "bicubic") or (mode == "nearest" and len(spatial) == 2):
        return False
    return any(int(n * kw["scale_factor"]) == n for n in spatial)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("k,mode,spatial,kw,ac", _INTERP_CASES)
def test_interpolate_values_and_gradients_like_torch(torch: Any, k: int, mode: str,
                                                     spatial: Any, kw: Any, ac: Any,
                                                     dtype: str) -> None:
    """Up and down, integer and non-integer factors (1 / factor is the source step unless
    recomputed), sizes, align_corners both ways: the same values, gradients and node."""
    rng = np.random.default_rng(k)
    a = rng.standard_normal((2, 3) + spatial).astype(dtype)
    results = []
    for lib in (tg, torch):
        x = lib.tensor(a, requires_grad=True)
        try:
            y = lib.nn.functional.interpolate(x, mode=mode, align_corners=ac, **kw)
        except Exception as e:  # noqa: BLE001  (the error is the result compared)
            results.append(e)
            continue
        seed = np.linspace(-1, 1, y.numel()).reshape(tuple(y.shape)).astype(dtype)
        grad = None
        if y.numel() and not _torch_kept_size_bug(mode, spatial, kw):
            y.backward(lib.tensor(seed))
            grad = x.grad.numpy()
        results.append((y.detach().numpy(), grad, y.grad_fn.name()))
    mine, theirs = results
    if isinstance(theirs, Exception):
        assert type(mine) is type(theirs) and str(mine) == str(theirs), (mine, theirs)
        return
    assert not isinstance(mine, Exception), mine
    tol = {"rtol": 1e-5, "atol": 5e-6} if dtype == "float32" else {"rtol": 1e-12, "atol": 1e-13}
    np.testing.assert_allclose(mine[0], theirs[0], **tol)
    if theirs[1] is not None:
        np.testing.assert_allclose(mine[1], theirs[1], **tol)
    assert mine[2] == theirs[2]


INTERP_ERRORS = [
    lambda L, x: L.nn.functional.interpolate(x, size=3, scale_factor=2),
    lambda L, x: L.nn.functional.interpolate(x),
    lambda L, x: L.nn.functional.interpolate(x, size=3, align_corners=True),
    lambda L, x: L.nn.functional.interpolate(x, size=3, mode="area", align_corners=False),
    lambda L, x: L.nn.functional.interpolate(x, size=(3, 3, 3)),
    lambda L, x: L.nn.functional.interpolate(x, size=(3.0, 3)),
    lambda L, x: L.nn.functional.interpolate(x, size=(None, 3)),
    lambda L, x: L.nn.functional.interpolate(x, size=(-3, 3)),
    lambda L, x: L.nn.functional.interpolate(x, size=(0, 3), mode="bilinear"),
    lambda L, x: L.nn.functional.interpolate(x, scale_factor=(2, 2, 2)),
    lambda L, x: L.nn.functional.interpolate(x, scale_factor=-2),
    lambda L, x: L.nn.functional.interpolate(x, scale_factor=0.1),
    lambda L, x: L.nn.functional.interpolate(x[0], scale_factor=0.1),
    lambda L, x: L.nn.functional.interpolate(x[None], scale_factor=0.1),
    lambda L, x: L.nn.functional.interpolate(x, size=3, recompute_scale_factor=True),
    lambda L, x: L.nn.functional.interpolate(x, size=3, recompute_scale_factor=False),
    lambda L, x: L.nn.functional.interpolate(x, size=3, antialias=True),
    lambda L, x: L.nn.functional.interpolate(x, size=3, mode="foo"),
    lambda L, x: L.nn.functional.interpolate(x[0, 0], size=3),
    lambda L, x: L.nn.functional.interpolate(x[0, 0], size=[3]),
    lambda L, x: L.nn.functional.interpolate(x[None, None], size=3),
    lambda L, x: L.nn.functional.interpolate(x[:0], size=3, mode="bilinear"),
    lambda L, x: L.nn.functional.interpolate(x[:, :0], size=3),
    lambda L, x: L.nn.functional.interpolate(x[:, :, :0], size=3, mode="bicubic"),
    lambda L, x: L.nn.functional.interpolate(x[0], size=3, mode="bilinear"),
    lambda L, x: L.nn.functional.interpolate(x[0], size=3, mode="trilinear"),
    lambda L, x: L.nn.functional.interpolate(x, size=3, mode="linear"),
    lambda L, x: L.nn.functional.interpolate(x, size=3, mode="trilinear"),
    lambda L, x: L.nn.functional.interpolate(x[None], size=3, mode="linear"),
    lambda L, x: L.nn.functional.interpolate(x[None], size=3, mode="bilinear"),
    lambda L, x: L.nn.functional.interpolate(x[0], size=3, mode="bicubic"),
    lambda L, x: L.nn.functional.interpolate(x, size=(2, 3), mode="area"),
    lambda L, x: L.nn.functional.interpolate(x[0], scale_factor=0.5, mode="area"),
    lambda L, x: L.nn.functional.interpolate(x, size=1, mode="area"),
    lambda L, x: L.nn.functional.interpolate(x, size=5, mode="bilinear"),
    lambda L, x: L.nn.functional.interpolate(x, scale_factor=(2, 1.5)),
    lambda L, x: L.nn.functional.interpolate(x, scale_factor=[0.5, 1.5], mode="bicubic",
                                             align_corners=True),
    lambda L, x: L.nn.functional.interpolate(x, size=[2, 3], mode="nearest-exact"),
]


@pytest.mark.parametrize("k", range(len(INTERP_ERRORS)))
def test_interpolate_errors_and_nodes_like_torch(torch: Any, k: int) -> None:
    _same(torch, INTERP_ERRORS[k], (1, 2, 5, 4))


@pytest.mark.parametrize("dtype", ["int64", "int32", "bool", "uint8"])
@pytest.mark.parametrize("shape,mode", [
    ((1, 2, 5), "nearest"), ((1, 2, 5), "nearest-exact"), ((1, 2, 5), "linear"),
    ((1, 2, 5, 4), "nearest"), ((1, 2, 5, 4), "nearest-exact"), ((1, 2, 5, 4), "bilinear"),
    ((1, 2, 5, 4), "bicubic"), ((1, 2, 3, 5, 4), "nearest"), ((1, 2, 3, 5, 4), "trilinear"),
])
def test_interpolate_integer_inputs_like_torch(torch: Any, dtype: str, shape: Any,
                                               mode: str) -> None:
    """Integer and bool inputs: PyTorch's NotImplementedError, or (uint8, nearest) a copy."""
    if dtype == "uint8" and mode in ("bilinear", "bicubic"):
        pytest.skip("PyTorch's rounding uint8 kernel: not implemented (docs/differences)")
    _same(torch, lambda L, x: L.nn.functional.interpolate(x, size=3, mode=mode), shape, dtype)


def test_interpolate_keeps_the_corners_with_align_corners() -> None:
    x = tg.tensor([[[0.0, 1.0, 4.0]]])
    y = tg.nn.functional.interpolate(x, size=5, mode="linear", align_corners=True)
    assert y.tolist() == [[[0.0, 0.5, 1.0, 2.5, 4.0]]]


def test_interpolate_double_backward_like_torch(torch: Any) -> None:
    """The backward of a resize is recorded (its adjoint), so second derivatives flow."""
    a = np.random.default_rng(2).standard_normal((1, 2, 3, 4))
    out = []
    for L in (tg, torch):
        x = L.tensor(a, requires_grad=True)
        y = L.nn.functional.interpolate(x, scale_factor=1.5, mode="bicubic")
        (g,) = L.autograd.grad((y * y).sum(), x, create_graph=True)
        (gg,) = L.autograd.grad((g * g).sum(), x)
        out.append((g.detach().numpy(), gg.numpy()))
    np.testing.assert_allclose(out[0][0], out[1][0])
    np.testing.assert_allclose(out[0][1], out[1][1])


@pytest.mark.parametrize("name,kw", [
    ("upsample", {"scale_factor": 2}), ("upsample", {"size": 3, "mode": "bilinear"}),
    ("upsample_nearest", {"scale_factor": 2}), ("upsample_bilinear", {"size": (3, 5)}),
])
def test_deprecated_upsample_warns_like_torch(torch: Any, name: str, kw: Any) -> None:
    for L in (tg, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            getattr(L.nn.functional, name)(L.ones(1, 1, 2, 2), **kw)
        assert [str(w.message) for w in caught] == [
            f"`nn.functional.{name}` is deprecated. Use `nn.functional.interpolate` instead."]
        assert caught[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _same(torch, lambda L, x: getattr(L.nn.functional, name)(x, **kw), (1, 2, 3, 2))


# -------------------------------------------------------------- pixel (un)shuffle
SHUFFLE_CASES = [
    lambda L, x: L.nn.functional.pixel_shuffle(x, 2),
    lambda L, x: L.nn.functional.pixel_shuffle(x, 1),
    lambda L, x: L.nn.functional.pixel_shuffle(x, 3),
    lambda L, x: L.nn.functional.pixel_shuffle(x, 0),
    lambda L, x: L.nn.functional.pixel_shuffle(x, -1),
    lambda L, x: L.nn.functional.pixel_shuffle(x, 2.0),
    lambda L, x: L.nn.functional.pixel_shuffle(x[0, 0], 2),
    lambda L, x: L.nn.functional.pixel_shuffle(x[0], 2),
    lambda L, x: L.nn.functional.pixel_shuffle(x[None], 2),
    lambda L, x: L.nn.functional.pixel_shuffle(x[:, :0], 2),
    lambda L, x: L.nn.functional.pixel_shuffle(x.transpose(-1, -2), 2),
    lambda L, x: L.nn.functional.pixel_unshuffle(x, 2),
    lambda L, x: L.nn.functional.pixel_unshuffle(x, 3),
    lambda L, x: L.nn.functional.pixel_unshuffle(x, 1),
    lambda L, x: L.nn.functional.pixel_unshuffle(x, 0),
    lambda L, x: L.nn.functional.pixel_unshuffle(x[..., :3], 2),
    lambda L, x: L.nn.functional.pixel_unshuffle(x[..., :5, :], 2),
    lambda L, x: L.nn.functional.pixel_unshuffle(x[0, 0], 2),
    lambda L, x: L.nn.functional.pixel_unshuffle(x[None], 2),
    lambda L, x: L.nn.functional.pixel_unshuffle(L.nn.functional.pixel_shuffle(x, 2), 2),
]


@pytest.mark.parametrize("k", range(len(SHUFFLE_CASES)))
@pytest.mark.parametrize("dtype", ["float64", "float32", "int64"])
def test_pixel_shuffle_like_torch(torch: Any, k: int, dtype: str) -> None:
    _same(torch, SHUFFLE_CASES[k], (2, 8, 6, 4), dtype)


def test_pixel_shuffle_gradient_is_unshuffle(torch: Any) -> None:
    a = np.random.default_rng(3).standard_normal((2, 8, 3, 2))
    grads = []
    for L in (tg, torch):
        x = L.tensor(a, requires_grad=True)
        y = L.nn.functional.pixel_shuffle(x, 2)
        y.backward(L.tensor(np.arange(y.numel(), dtype=np.float64).reshape(tuple(y.shape))))
        grads.append(x.grad.numpy())
    np.testing.assert_array_equal(*grads)


RESIZE_MODULES = [
    ("Upsample", {"scale_factor": 2}), ("Upsample", {"size": 3, "mode": "bilinear"}),
    ("Upsample", {"size": (3, 4), "mode": "bilinear", "align_corners": True}),
    ("Upsample", {"scale_factor": (2.0, 1.5), "mode": "bicubic",
                  "recompute_scale_factor": True}),
    ("Upsample", {"scale_factor": 2.5}), ("Upsample", {}),
    ("Upsample", {"scale_factor": 2, "align_corners": False}),
    ("Upsample", {"scale_factor": 1.7, "mode": "nearest-exact"}),
    ("UpsamplingNearest2d", {"scale_factor": 2}), ("UpsamplingNearest2d", {"size": (3, 5)}),
    ("UpsamplingBilinear2d", {"size": 3}), ("UpsamplingBilinear2d", {"scale_factor": (2, 3)}),
    ("PixelShuffle", {"upscale_factor": 2}), ("PixelUnshuffle", {"downscale_factor": 2}),
]


@pytest.mark.parametrize("name,kw", RESIZE_MODULES)
@pytest.mark.parametrize("shape", [(2, 4, 4, 6), (2, 4, 6), (1, 4, 2, 4, 6)])
def test_resize_modules_like_torch(torch: Any, name: str, kw: Any, shape: Any) -> None:
    mine, theirs = getattr(tg.nn, name)(**kw), getattr(torch.nn, name)(**kw)
    assert repr(mine) == repr(theirs)
    assert mine.scale_factor == theirs.scale_factor if hasattr(theirs, "scale_factor") else True
    _same(torch, lambda L, x: (mine if L is tg else theirs)(x), shape)


# ---------------------------------------------------------------- grid_sample, affine_grid
# (values and gradients of every mode, padding and align_corners: rows grid_sample_* and
# affine_grid of the op table)
GRID_CALLS = [
    lambda L, x, g: L.nn.functional.grid_sample(x, g, mode="foo", align_corners=False),
    lambda L, x, g: L.nn.functional.grid_sample(x, g, padding_mode="foo", align_corners=False),
    lambda L, x, g: L.nn.functional.grid_sample(x[0], g, align_corners=False),
    lambda L, x, g: L.nn.functional.grid_sample(x, g[0], align_corners=False),
    lambda L, x, g: L.nn.functional.grid_sample(x, L.zeros(1, 2, 2, 3), align_corners=False),
    lambda L, x, g: L.nn.functional.grid_sample(x, L.zeros(2, 2, 2, 2), align_corners=False),
    lambda L, x, g: L.nn.functional.grid_sample(x, g.double(), align_corners=False),
    lambda L, x, g: L.nn.functional.grid_sample(x, L.zeros(1, 2, 2, 2, 2), align_corners=False),
    lambda L, x, g: L.nn.functional.grid_sample(x[0, 0], L.zeros(3, 2, 2, 0),
                                                align_corners=False),
    lambda L, x, g: L.nn.functional.grid_sample(x.unsqueeze(2), L.zeros(1, 2, 2, 2, 3),
                                                mode="bicubic", align_corners=False),
    lambda L, x, g: L.nn.functional.grid_sample(x.long(), g, align_corners=False),
    lambda L, x, g: L.nn.functional.grid_sample(x.unsqueeze(2).long(),
                                                L.zeros(1, 2, 2, 2, 3).long(),
                                                align_corners=False),
    lambda L, x, g: L.nn.functional.grid_sample(x, g.long(), align_corners=False),
    lambda L, x, g: L.nn.functional.grid_sample(L.zeros(1, 1, 0, 3), g, align_corners=False),
    lambda L, x, g: L.nn.functional.affine_grid(L.zeros(1, 2, 3), (1, 1, 4, 4, 4),
                                                align_corners=False),
    lambda L, x, g: L.nn.functional.affine_grid(L.zeros(1, 3, 3), [1, 1, 4, 4],
                                                align_corners=False),
    lambda L, x, g: L.nn.functional.affine_grid(L.zeros(2, 2, 3), (1, 1, 4, 4),
                                                align_corners=False),
    lambda L, x, g: L.nn.functional.affine_grid(L.zeros(1, 2, 3), (1, 1, 4),
                                                align_corners=False),
    lambda L, x, g: L.nn.functional.affine_grid(L.zeros(1, 2, 3), (1, 1, 0, 4),
                                                align_corners=False),
    lambda L, x, g: L.nn.functional.affine_grid(L.zeros(1, 2, 3).long(), (1, 1, 2, 4),
                                                align_corners=False),
]


@pytest.mark.parametrize("call", GRID_CALLS)
def test_grid_sample_and_affine_grid_errors_like_torch(torch: Any, call: Any) -> None:
    results = []
    for L in (tg, torch):
        try:
            results.append(call(L, L.ones(1, 1, 3, 3), L.zeros(1, 2, 2, 2)))
        except Exception as e:  # noqa: BLE001  (the error is the result compared)
            results.append(e)
    mine, theirs = results
    assert type(mine) is type(theirs), (mine, theirs)
    assert str(mine) == str(theirs).replace("torch.", "tinygrad_edu.")


def test_grid_sample_default_align_corners_warns_like_torch(torch: Any) -> None:
    for L in (tg, torch):
        with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
            L.nn.functional.grid_sample(L.ones(1, 1, 2, 2), L.zeros(1, 1, 1, 2))
        with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
            L.nn.functional.affine_grid(L.zeros(1, 2, 3), (1, 1, 2, 2))
        with pytest.warns(UserWarning, match="unit-size grids"):
            L.nn.functional.affine_grid(L.zeros(1, 2, 3), (1, 1, 1, 2), align_corners=True)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_grid_sample_of_affine_grid_like_torch(torch: Any, dtype: str) -> None:
    """The spatial-transformer idiom: a rotation's grid sampled, gradients to theta and x."""
    rng = np.random.default_rng(3)
    x0 = rng.standard_normal((2, 3, 5, 6)).astype(dtype)
    th0 = (np.array([[[0.8, -0.6, 0.1], [0.6, 0.8, -0.2]]] * 2) * 1.1).astype(dtype)
    out = []
    for L in (tg, torch):
        x, th = L.tensor(x0, requires_grad=True), L.tensor(th0, requires_grad=True)
        grid = L.nn.functional.affine_grid(th, (2, 3, 4, 7), align_corners=False)
        y = L.nn.functional.grid_sample(x, grid, padding_mode="border", align_corners=False)
        (y * y).sum().backward()
        out.append([y.detach().numpy(), x.grad.numpy(), th.grad.numpy()])
    for mine, theirs in zip(*out):
        np.testing.assert_allclose(mine, theirs, rtol=1e-5 if dtype == "float32" else 1e-10,
                                   atol=1e-5 if dtype == "float32" else 1e-12)


def test_grid_sample_nearest_rounds_half_to_even_like_torch(torch: Any) -> None:
    x = np.arange(5.0).reshape(1, 1, 1, 5)
    g = np.zeros((1, 1, 5, 2))
    g[0, 0, :, 0] = [-0.5, 0.0, 0.5, -0.25, 0.25]  # pixel 1.0, 2.0, 3.0, 1.5, 2.5
    mine, theirs = (L.nn.functional.grid_sample(L.tensor(x), L.tensor(g), mode="nearest",
                                                align_corners=True) for L in (tg, torch))
    assert mine.tolist() == theirs.tolist()
