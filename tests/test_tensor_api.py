"""The Tensor's Python face: conversions, introspection, dtype casts, detach/clone/.data, errors.

``test_same_as_torch`` runs one table of expressions on ``tg`` and on ``torch`` and compares
the results (values, or the exception's class and message); the other tests need no torch.
"""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


# ------------------------------------------------------------------------------ against torch
SAME = [
    # python values
    "m.tensor(3.5).item()",
    "type(m.tensor(3).item()).__name__",
    "m.tensor(True).item()",
    "m.tensor([[1.5]]).item()",
    "m.tensor([[1, 2], [3, 4]]).tolist()",
    "m.tensor(2.5).tolist()",
    "m.tensor([1.0, 2.0], requires_grad=True).tolist()",
    "m.tensor(1.0, requires_grad=True).item()",
    "int(m.tensor(3.7))",
    "int(m.tensor(-3.7))",
    "float(m.tensor([2]))",
    "[10, 20, 30][m.tensor(1)]",
    "hex(m.tensor(255))",
    "f'{m.tensor(3.14159):.2f}'",
    "f'{m.tensor(7):>4}'",
    "str(m.tensor(1.5))",
    "f'{m.tensor([1.0, 2.0])}'",
    "repr(m.tensor([1.0, 2.0], requires_grad=True))",
    # containers
    "len(m.tensor([[1, 2], [3, 4], [5, 6]]))",
    "[t.tolist() for t in m.tensor([[1, 2], [3, 4]])]",
    "bool(m.tensor([0.0]))",
    "bool(m.tensor(2))",
    "m.tensor(2.0) in m.tensor([1.0, 2.0])",
    # numpy
    "np.asarray(m.tensor([1.0, 2.0])).tolist()",
    "np.asarray(m.tensor([1.0, 2.0])).dtype.name",
    "np.asarray(m.tensor([1, 2]), dtype=np.float64).dtype.name",
    "m.tensor(3).numpy().shape",
    "np.array(m.tensor([[1, 2]])).tolist()",
    "m.tensor([1.0], dtype=m.float64).numpy().dtype.name",
    # shape
    "tuple(m.zeros(2, 3).shape)",
    "m.zeros(2, 3).size(1)",
    "m.zeros(2, 3).size(-2)",
    "tuple(m.tensor(5).size())",
    "m.zeros(2, 3, 4).dim()",
    "m.zeros(2, 3, 4).ndim",
    "m.zeros(2, 3).numel()",
    "m.zeros(2, 3).shape == (2, 3)",
    "tuple(m.zeros(2, 3, 4).shape[1:])",
    "m.zeros(2, 3).shape.numel()",
    "str(m.zeros(1).device)",
    "m.zeros(1).device == m.ones(2).device",
    "m.tensor([1.5]).element_size()",
    # dtypes
    "str(m.tensor(1.0).dtype).split('.')[1]",
    "str(m.tensor(1).dtype).split('.')[1]",
    "str(m.tensor(True).dtype).split('.')[1]",
    "str(m.tensor(np.ones(2)).dtype).split('.')[1]",
    "m.tensor([1.7, -1.7]).long().tolist()",
    "m.tensor([1.7, -1.7]).int().tolist()",
    "m.tensor([0.0, 2.0]).bool().tolist()",
    "m.tensor([1, 2]).float().tolist()",
    "str(m.tensor([1]).double().dtype).split('.')[1]",
    "m.tensor([1.5]).type()",
    "m.tensor([1]).type()",
    "str(m.tensor([1.5]).type(m.float64).dtype).split('.')[1]",
    "m.tensor([1.5]).is_floating_point()",
    "m.tensor([1]).is_floating_point()",
    "(lambda x: (x.float() is x, x.to(m.float32) is x, x.double() is x))(m.tensor([1.0]))",
    # autograd attributes
    "m.tensor([1.0]).requires_grad",
    "m.tensor([1.0], requires_grad=True).is_leaf",
    "(m.tensor([1.0], requires_grad=True) * 2).is_leaf",
    "(m.tensor([1.0]) * 2).is_leaf",
    "(m.tensor([1.0], requires_grad=True) * 2).grad_fn.name()",
    "m.tensor([1.0], requires_grad=True).clone().grad_fn.name()",
    "m.tensor([1.0], requires_grad=True).detach().requires_grad",
    "m.tensor([1.0], requires_grad=True).data.requires_grad",
    "(m.tensor([1.0], requires_grad=True) * 2).requires_grad_(True).requires_grad",
    "m.tensor([1.0]).requires_grad_().requires_grad",
    "m.tensor([1.0], requires_grad=True).requires_grad_(False).requires_grad",
    "(m.tensor([1.5], requires_grad=True).long().requires_grad)",
    # errors: same class, same message start
    "m.tensor([1, 2]).item()",
    "m.tensor([1.0], requires_grad=True).numpy()",
    "np.asarray(m.tensor([1.0], requires_grad=True))",
    "len(m.tensor(1.0))",
    "iter(m.tensor(1.0))",
    "bool(m.tensor([1.0, 2.0]))",
    "bool(m.tensor([]))",
    "int(m.tensor([1, 2]))",
    "float(m.tensor([]))",
    "[1, 2][m.tensor(1.0)]",
    "m.zeros(2, 3).size(2)",
    "f'{m.tensor([1.0, 2.0]):.2f}'",
    "(m.tensor([1.0], requires_grad=True) * 2).requires_grad_(False)",
    "m.tensor(1.0).retain_grad()",
]


def _evaluate(m, expr):
    try:
        return "ok", eval(expr, {"m": m, "np": np})
    except Exception as e:  # compared below: same class, same start of message
        return type(e).__name__, str(e)


def _normalise(value):
    return value.replace("tinygrad_edu", "torch") if isinstance(value, str) else value


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy keyword")
@pytest.mark.parametrize("expr", SAME)
def test_same_as_torch(torch, expr):
    (kind, mine), (their_kind, theirs) = _evaluate(tg, expr), _evaluate(torch, expr)
    assert kind == their_kind, f"tg: {kind}: {mine!r}\ntorch: {their_kind}: {theirs!r}"
    if kind == "ok":
        assert _normalise(mine) == theirs
    else:  # our messages may add a hint at the end
        assert _normalise(mine).startswith(theirs[:40]), f"tg: {mine!r}\ntorch: {theirs!r}"


# ------------------------------------------------------------------------------ conversions
def test_item_and_tolist_give_python_types():
    assert type(tg.tensor(2.5).item()) is float
    assert type(tg.tensor(2).item()) is int
    assert type(tg.tensor(True).item()) is bool
    assert tg.tensor([[1.0]]).item() == 1.0
    nested = tg.tensor([[1, 2], [3, 4]]).tolist()
    assert nested == [[1, 2], [3, 4]] and type(nested[0][0]) is int
    assert tg.tensor(3.0, requires_grad=True).item() == 3.0  # item works on grad tensors
    with pytest.raises(
        RuntimeError, match="a Tensor with 2 elements cannot be converted to Scalar"
    ):
        tg.tensor([1.0, 2.0]).item()


def test_numpy_shares_memory_and_refuses_grad_tensors():
    t = tg.tensor([1.0, 2.0])
    a = t.numpy()
    a[0] = 5.0
    assert t.tolist() == [5.0, 2.0]
    b = np.asarray(t)
    assert np.shares_memory(a, b)
    c = np.array(t)  # a copy, as numpy decides
    c[1] = 0.0
    assert t.tolist() == [5.0, 2.0]
    x = tg.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad"):
        x.numpy()
    with pytest.raises(RuntimeError, match="detach"):
        np.asarray(x)
    assert x.detach().numpy().tolist() == [1.0]
    assert np.asarray(tg.tensor([1, 2]), dtype=np.float32).dtype == np.float32


def test_from_numpy_shares_memory_and_keeps_dtype():
    a = np.array([1.0, 2.0])
    t = tg.from_numpy(a)
    a[0] = 7.0
    t[1] = 8.0
    assert t.tolist() == [7.0, 8.0] and a.tolist() == [7.0, 8.0]
    assert t.dtype == tg.float64
    assert tg.tensor(a).dtype == tg.float64  # numpy float64 stays float64
    assert tg.tensor([0.1, 0.2], dtype=tg.float64).tolist() == [0.1, 0.2]  # not via float32


def test_len_iter_bool_format():
    t = tg.tensor([[1, 2], [3, 4], [5, 6]])
    assert len(t) == 3
    rows = list(t)
    assert [r.tolist() for r in rows] == [[1, 2], [3, 4], [5, 6]]
    rows[0][0] = 9  # rows are views, as in torch
    assert t[0, 0].item() == 9
    assert bool(tg.tensor([1.0])) and not bool(tg.tensor(0))
    assert f"{tg.tensor(3.14159):.3f}" == "3.142"
    assert f"{tg.tensor(5):03d}" == "005"
    assert f"{tg.tensor([1.0, 2.0])}" == "tensor([1., 2.])"
    with pytest.raises(TypeError):
        len(tg.tensor(1.0))
    with pytest.raises(TypeError):
        iter(tg.tensor(1.0))
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(tg.tensor([1.0, 2.0]))
    with pytest.raises(RuntimeError, match="no values is ambiguous"):
        bool(tg.tensor([]))
    with pytest.raises(TypeError, match="unsupported format string"):
        f"{tg.tensor([1.0, 2.0]):.2f}"


def test_python_scalar_conversions():
    assert float(tg.tensor([2])) == 2.0 and int(tg.tensor(3.9)) == 3
    assert [0, 1, 2][tg.tensor(2)] == 2
    with pytest.raises(ValueError, match="only one element tensors can be converted"):
        float(tg.tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match="only integer tensors of a single element"):
        [0, 1][tg.tensor(1.0)]


# ------------------------------------------------------------------------------ introspection
def test_shape_size_dim_device_dtype():
    t = tg.zeros(2, 3, 4)
    assert t.shape == (2, 3, 4) and isinstance(t.shape, tuple) and isinstance(t.shape, tg.Size)
    assert repr(t.shape) == "tinygrad_edu.Size([2, 3, 4])"
    assert t.shape[1:] == (3, 4) and isinstance(t.shape[1:], tg.Size)
    assert t.size() == t.shape and t.size(0) == 2 and t.size(-1) == 4
    assert t.dim() == t.ndim == 3 and t.numel() == 24 and t.shape.numel() == 24
    assert tg.tensor(1.0).shape == () and tg.tensor(1.0).dim() == 0
    assert tg.tensor(1.0).size() == ()
    assert str(t.device) == "cpu"
    assert t.dtype == tg.float32 and tg.tensor(1).dtype == tg.int64
    assert tg.tensor(True).dtype == tg.bool
    with pytest.raises(IndexError, match="Dimension out of range"):
        t.size(3)


def test_dtype_conversions():
    x = tg.tensor([1.7, -1.7, 0.0])
    assert x.long().tolist() == [1, -1, 0] and x.long().dtype == tg.int64
    assert x.int().dtype == tg.int32 and x.int().tolist() == [1, -1, 0]
    assert x.bool().tolist() == [True, True, False]
    assert x.double().dtype == tg.float64 and x.to(tg.float64).dtype == tg.float64
    assert x.to(dtype=tg.float64).dtype == tg.float64
    assert x.to(tg.tensor([1], dtype=tg.int64)).dtype == tg.int64  # to(other)
    assert tg.tensor([1, 2]).float().dtype == tg.float32
    assert x.float() is x and x.to(tg.float32) is x and x.to("cpu") is x
    assert x.type() == "torch.FloatTensor" and tg.tensor([1]).type() == "torch.LongTensor"
    assert x.type(tg.float64).dtype == tg.float64


def test_dtype_conversion_is_differentiable():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x.double()
    assert y.requires_grad and y.grad_fn.name() == "ToCopyBackward0"
    (y * y).sum().backward()
    assert x.grad.dtype == tg.float32 and x.grad.tolist() == [2.0, 4.0]
    z = x.long()  # integers never require grad
    assert not z.requires_grad and z.is_leaf


# -------------------------------------------------------------------------- detach / clone / data
def test_detach_shares_storage_and_leaves_the_graph():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    d[0] = 9.0
    assert y.tolist() == [9.0, 4.0]  # same storage
    assert d._vc is y._vc  # same version counter (in-place checks see it)
    (x.detach() * 3).sum()  # no graph: nothing to backward
    assert x.grad is None


def test_detach_in_place():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    assert y.detach_() is y
    assert not y.requires_grad and y.is_leaf and y.grad_fn is None


def test_clone_copies_and_is_differentiable():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    c = x.clone()
    assert c.grad_fn.name() == "CloneBackward0" and not c.is_leaf
    c.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]
    plain = tg.tensor([1.0, 2.0])
    copy = plain.clone()
    copy[0] = 5.0
    assert plain.tolist() == [1.0, 2.0] and copy.is_leaf and copy.grad_fn is None
    fresh = x.clone().detach().requires_grad_(True)  # the recommended copy of a parameter
    assert fresh.is_leaf and fresh.requires_grad and fresh.tolist() == [1.0, 2.0]


def test_data_shares_storage_outside_the_graph():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    d = x.data
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    d[0] = 5.0  # allowed (no leaf error) and visible through x
    assert x.tolist() == [5.0, 2.0] and x.requires_grad
    assert x._version == 0  # .data writes are not counted
    y = x * 2
    assert y.data.tolist() == [10.0, 4.0] and not y.data.requires_grad


def test_requires_grad_flags():
    x = tg.tensor([1.0, 2.0])
    assert x.requires_grad_() is x and x.requires_grad and x.is_leaf
    x.requires_grad = False
    assert not x.requires_grad
    x.requires_grad = True
    y = x * 2
    y.requires_grad_(True)  # a no-op on a non-leaf, as in torch
    with pytest.raises(
        RuntimeError, match="you can only change requires_grad flags of leaf variables"
    ):
        y.requires_grad_(False)
    with pytest.raises(RuntimeError, match="only Tensors of floating point"):
        tg.tensor([1, 2]).requires_grad_()
    with pytest.raises(RuntimeError, match="Only Tensors of floating point and complex dtype"):
        tg.tensor([1, 2], requires_grad=True)
    assert tg.tensor([1.0], requires_grad=True).requires_grad


def test_legacy_constructor():
    assert tg.Tensor([1, 2]).dtype == tg.float32
    assert tg.Tensor(2, 3).shape == (2, 3)
    assert tg.Tensor([1.5], requires_grad=True).requires_grad


def test_tensor_of_tensor_warns_and_copies():
    x = tg.tensor([1.0, 2.0])
    with pytest.warns(UserWarning, match="clone"):
        y = tg.tensor(x)
    y[0] = 5.0
    assert x.tolist() == [1.0, 2.0]


def test_repr_like_torch():
    assert repr(tg.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(tg.tensor([1.0, 2.0], requires_grad=True)) == "tensor([1., 2.], requires_grad=True)"
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    assert repr(x * 2) == "tensor([2., 4.], grad_fn=<MulBackward0>)"
    assert repr(x.sum()) == "tensor(3., grad_fn=<SumBackward0>)"
    assert repr(tg.tensor([1, 2])) == "tensor([1, 2])"


def test_hash_is_identity_and_eq_is_elementwise():
    a, b = tg.tensor([1.0]), tg.tensor([1.0])
    assert hash(a) != hash(b) or a is b
    assert len({a, b}) == 2
    assert (a == b).tolist() == [True]


def test_floor_divide_is_recorded_but_not_differentiable_like_torch(torch):
    # torch records x // y and raises in backward; x.div(y, rounding_mode="floor") has a
    # zero gradient. Integer division keeps ints and rounds toward -inf, as Python's //.
    for m in (tg, torch):
        x = m.tensor([3.5, -2.25], requires_grad=True)
        y = x // 2
        assert y.requires_grad and y.tolist() == [1.0, -2.0]
        with pytest.raises(RuntimeError, match="derivative for aten::floor_divide"):
            y.sum().backward()
        assert (7 // x).requires_grad  # the reflected form is recorded the same way
        x.div(2, rounding_mode="floor").sum().backward()
        assert x.grad.tolist() == [0.0, 0.0]
        i = m.tensor([7, -7])
        assert (i // 2).tolist() == [3, -4] and (i // 2).dtype == m.int64
        assert i.div(2, rounding_mode="trunc").tolist() == [3, -3]
        with pytest.raises(RuntimeError, match="rounding_mode"):
            x.div(2, rounding_mode="round")
        with pytest.raises(NotImplementedError):
            i.frac()


def test_rounding_keeps_integer_dtypes_like_torch(torch):
    for name in ("floor", "ceil", "round", "trunc", "sign"):
        mine = getattr(tg.tensor([7, -7, 0]), name)()
        theirs = getattr(torch.tensor([7, -7, 0]), name)()
        assert mine.tolist() == theirs.tolist(), name
        assert str(mine.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1], name


NEW_METHODS = {
    "new_zeros int": lambda m: m.tensor([1, 2]).new_zeros(2, 3),
    "new_zeros tuple, dtype": lambda m: m.ones(2, dtype=m.float64).new_zeros((2,), dtype=m.float32),
    "new_ones": lambda m: m.ones(2).new_ones([3]),
    "new_full": lambda m: m.tensor([1, 2]).new_full((2, 2), 7),
    "new_full float fill into int": lambda m: m.tensor([1, 2]).new_full((2,), 2.9),
    "new_empty shape": lambda m: m.ones(1).new_empty(4).shape,
    "new_tensor keeps self's dtype": lambda m: m.tensor([1, 2]).new_tensor([1.7, -2.2]),
    "new_tensor float": lambda m: m.ones(1, dtype=m.float64).new_tensor([1, 2]),
    "new_tensor requires_grad": lambda m: m.ones(1).new_tensor([1.0], requires_grad=True),
    "new_zeros requires_grad": lambda m: m.ones(1).new_zeros(2, requires_grad=True),
}


@pytest.mark.parametrize("name", list(NEW_METHODS))
def test_new_methods_like_torch(torch, name):
    mine, theirs = NEW_METHODS[name](tg), NEW_METHODS[name](torch)
    if isinstance(mine, tuple):
        assert mine == tuple(theirs)
        return
    assert mine.tolist() == theirs.tolist() and mine.requires_grad == theirs.requires_grad
    assert str(mine.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]


def _repr_cases():
    rng = np.random.default_rng(1)
    return {
        "arange(1500.) (scientific, summarized)": np.arange(1500.0),
        "wide row (wraps at 80)": rng.standard_normal(30),
        "3-d": rng.standard_normal((2, 3, 4)),
        "tiny and one": np.array([1e-5, 1.0]),
        "huge integral": np.array([1e9, 1.0]),
        "nan and inf": np.array([1.5, np.nan, np.inf]),
        "0-d": np.array(-2.5),
        "empty 2-d": np.zeros((0, 3)),
        "summarized 2-d": rng.standard_normal((1200, 3)),
        "ints": rng.integers(-1000, 1000, 50),
        "bools": np.array([True, False]),
        "big ratio": np.array([1e-3, 1.1e3]),
    }


REPR_PARAMS = [
    (name, dtype, requires_grad)
    for name, array in _repr_cases().items()
    for dtype in (("float32", "float64") if array.dtype.kind == "f" else (None,))
    for requires_grad in ((False, True) if array.dtype.kind == "f" else (False,))
]


@pytest.mark.parametrize(("name", "dtype", "requires_grad"), REPR_PARAMS)
def test_repr_is_torchs(torch, name, dtype, requires_grad):
    array = _repr_cases()[name]
    if dtype is not None:
        array = array.astype(dtype)
    mine = tg.tensor(array, requires_grad=requires_grad)
    theirs = torch.tensor(array, requires_grad=requires_grad)
    assert repr(mine) == repr(theirs).replace("torch.", "tinygrad_edu.")
    if requires_grad:  # the grad_fn suffix, on its own line when the values are wide
        assert repr(mine * 2) == repr(theirs * 2).replace("torch.", "tinygrad_edu.")
