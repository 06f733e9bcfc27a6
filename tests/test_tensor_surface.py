"""The shape, inspection, dtype-information and utility names learners' scripts call
(ops/reshaping.py, ops/inspection.py, ops/reduce_extra.py, type_info.py, threads.py,
creation.py's ``range``/``scalar_tensor``/``asarray``): each expression of ``SAME`` runs on
``tg`` and on ``torch`` and must give the same result, or the same exception class and
message. Their gradients are rows of the op table (test_ops.py).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg


@pytest.fixture
def torch() -> Any:
    return pytest.importorskip("torch")


X = "m.arange(6.0).reshape(2, 3)"
SAME = [
    # what a dense, real tensor on the CPU answers (scripts check these; each was missing)
    f"{X}.is_sparse", f"{X}.is_quantized", f"{X}.is_meta", f"{X}.get_device()",
    f"{X}.is_pinned()", f"{X}.pin_memory()", f"{X}.share_memory_()", f"{X}.conj()",
    f"{X}.resolve_conj()", f"{X}.resolve_neg()", f"{X}.is_conj()", f"{X}.is_neg()",
    f"{X}.real", f"{X}.imag", f"{X}.mH", f"{X}.H", f"{X}.adjoint()", f"{X}.reshape(6).mH",
    f"{X}.reshape(6).H", f"{X}.reshape(1, 2, 3).H", f"{X}.reshape(6).adjoint()",
    f"{X}.new(2, 3).shape", f"{X}.new([1, 2])", f"{X}.new()", f"{X}.new((1, 2))",
    "m.zeros(3, 4).fill_diagonal_(5)", "m.zeros(7, 3).fill_diagonal_(5, wrap=True)",
    "m.zeros(4, 3).fill_diagonal_(5, wrap=True)", "m.zeros(3, 7).fill_diagonal_(5, wrap=True)",
    "m.zeros(2, 2, 2).fill_diagonal_(1)", "m.zeros(2, 3, 2).fill_diagonal_(1)",
    "m.zeros(3).fill_diagonal_(1)",
    # torch's top-level names for Tensor methods and nn.functional
    f"m.absolute(-{X})", f"m.divide({X}, 4, rounding_mode='floor')", f"m.multiply({X}, 3)",
    f"m.subtract({X}, 1, alpha=2)", f"m.greater({X}, 2)", f"m.greater_equal({X}, 2)",
    f"m.less({X}, 2)", f"m.less_equal({X}, 2)", f"m.not_equal({X}, 2)",
    f"m.rsub({X}, 3)", f"m.rsub({X}, 3, alpha=2)", f"m.real({X})", f"m.imag({X})",
    f"m.conj({X})", f"m.adjoint({X})", f"m.is_conj({X})", f"m.resolve_neg({X})",
    f"m.conv1d({X}.reshape(1, 1, 6), m.ones(1, 1, 3))",
    f"m.conv2d({X}.reshape(1, 1, 2, 3), m.ones(2, 1, 1, 2), padding=1)",
    f"m.celu({X})", f"m.selu({X})", f"m.threshold({X}, 2.5, -1.0)",
    f"m.hardshrink({X} - 2, 0.5)", f"m.prelu(-{X}, m.tensor([0.25]))",
    f"m.dropout({X}, 0.0, True)", f"m.group_norm({X}.reshape(1, 2, 3), 1)",
    f"m.layer_norm({X}, (3,))", "m.pixel_shuffle(m.ones(1, 4, 1, 1), 2)",
    f"m.cosine_similarity({X}, {X} + 1)", f"m.pairwise_distance({X}, {X} * 2)",
    # layout: torch's strides and offsets, views share
    f"{X}.stride()",
    f"{X}.stride(1)",
    f"{X}.stride(-3)",
    f"{X}.t().stride()",
    f"{X}.expand(4, 2, 3).stride()",
    "m.tensor(1.0).stride()",
    f"{X}[1].storage_offset()",
    f"{X}[1:, 1:].storage_offset()",
    f"{X}.t().storage_offset()",
    f"{X}.storage_offset()",
    "m.zeros(1).new_empty_strided((2, 3), (1, 2)).stride()",
    "m.zeros(1).new_empty_strided((2, 3), (1, 2)).shape",
    "m.zeros(1).new_empty_strided((2, 3), (1,))",
    # kinds and predicates
    f"{X}.is_signed()", "m.tensor([1], dtype=m.uint8).is_signed()",
    "m.tensor(True).is_signed()", f"m.is_signed({X})",
    f"{X}.is_complex()", f"m.is_complex({X})", f"m.is_floating_point({X})",
    "m.tensor([2]).is_nonzero()", "m.tensor([0.0]).is_nonzero()", "m.is_nonzero(m.tensor(1))",
    "m.tensor([]).is_nonzero()", "m.ones(2).is_nonzero()",
    f"{X}.is_same_size(m.ones(2, 3))", f"m.is_same_size({X}, m.ones(3, 2))",
    f"{X}.is_inference()", f"{X}.is_cpu", f"{X}.ndimension()",
    f"m.typename({X})", "m.typename(m.tensor([1]))", "m.typename(1)", "m.typename(np.ones(1))",
    # dtype information
    "repr(m.finfo(m.float32))", "repr(m.finfo(m.float16))", "repr(m.finfo(m.float64))",
    "repr(m.finfo())", "repr(m.finfo(float))",
    "[m.finfo(m.float32).bits, m.finfo(m.float32).eps, m.finfo(m.float32).max, "
    "m.finfo(m.float32).min, m.finfo(m.float32).tiny, m.finfo(m.float32).smallest_normal, "
    "m.finfo(m.float32).resolution, m.finfo(m.float32).dtype]",
    "type(m.finfo(m.float16).max).__name__",
    "m.finfo(m.float32) == m.finfo(m.float32)",
    "m.finfo(m.int32)", "m.iinfo(m.float32)", "m.iinfo(m.bool)",
    "repr(m.iinfo(m.int32))", "repr(m.iinfo(m.uint8))", "repr(m.iinfo(m.int64))",
    "[m.iinfo(m.int8).bits, m.iinfo(m.int8).min, m.iinfo(m.int8).max, m.iinfo(m.int8).dtype]",
    "str(m.promote_types(m.uint8, m.int8))", "str(m.promote_types(m.bool, m.float16))",
    "str(m.promote_types(m.int64, m.float32))",
    "str(m.result_type(m.tensor([1, 2], dtype=m.int32), 1.0))",
    "str(m.result_type(1, m.ones(1)))", "str(m.result_type(m.tensor(1.0, dtype=m.float64), "
    "m.ones(1)))",
    "m.can_cast(m.float32, m.int32)", "m.can_cast(m.int32, m.bool)",
    "m.can_cast(m.bool, m.uint8)", "m.can_cast(m.float64, m.float16)",
    "m.can_cast(m.int64, m.int8)", "m.can_cast(1, m.int32)",
    # creation
    "m.scalar_tensor(1)", "m.scalar_tensor(True)", "m.scalar_tensor(2, dtype=m.int64)",
    "m.range(1, 4)", "m.range(0, 1, 0.1).tolist()", "m.range(5, 1, -1)",
    "m.range(0.0, 2.0, dtype=m.float64)", "m.range(1, 0)", "m.range(1, 4, 0)",
    "m.asarray([1, 2])", "str(m.asarray(np.ones(2)).dtype)", "m.asarray(1.5)",
    "m.asarray([1.5], dtype=m.float64)",
    # shape ops: values and errors
    f"{X}.tile(2)", f"m.tile({X}, (2, 1, 1)).shape", f"{X}.tile(())",
    f"{X}.ravel()", f"{X}.t().ravel()", f"m.ravel({X}.t())",
    f"{X}.movedim(0, 1)", "m.moveaxis(m.zeros(2, 3, 4), (0, 1), (2, 0)).shape",
    f"{X}.movedim((0, 1), (0,))", f"{X}.movedim((0, 0), (0, 1))", f"{X}.movedim(0, 5)",
    f"{X}.movedim(1, (0, 0))",
    f"m.swapdims({X}, 0, 1)",
    f"{X}.select(1, -1)", f"m.select({X}, 0, 1)", f"{X}.select(1, 5)", f"{X}.select(2, 0)",
    "m.tensor(1.0).select(0, 0)",
    f"{X}.sum_to_size(3)", f"{X}.sum_to_size(2, 1)", f"{X}.sum_to_size((1, 1))",
    f"{X}.sum_to_size(())", f"{X}.sum_to_size(4)", f"{X}.sum_to_size(1, 2, 3)",
    f"m.msort({X}.flip(0))", f"{X}.msort()", f"m.diagflat({X}, 1)", "m.diagflat(m.tensor(2))",
    f"[t.shape for t in m.hsplit({X}, 3)]", f"m.hsplit({X}, 2)", f"m.hsplit({X}, [1])",
    f"m.vsplit({X}, 2)", f"m.vsplit({X}[0], 2)", f"m.dsplit({X}, 2)", f"{X}.hsplit(0)",
    "m.dsplit(m.zeros(1, 2, 4), [1, 3])", "m.hsplit(m.tensor(1.0), 1)",
    f"m.broadcast_to({X}[0], (2, 2, 3))", f"m.broadcast_to({X}, (3, 3))",
    "m.broadcast_shapes((2, 1), (3,))", "m.broadcast_shapes(2, (3, 1))", "m.broadcast_shapes()",
    "m.broadcast_shapes((2, 1), (3, 2))",
    "m.atleast_1d(m.tensor(1.0))", f"m.atleast_2d({X}[0]).shape", f"m.atleast_3d({X}).shape",
    f"m.atleast_3d({X}[0]).shape", "m.atleast_3d(m.tensor(1.0)).shape",
    f"[t.shape for t in m.atleast_2d({X}, m.tensor(1.0))]",
    f"[t.shape for t in m.atleast_1d([{X}, m.tensor(1.0)])]",
    f"m.row_stack([{X}[0], {X}[1]])",
    f"{X}.where({X} > 2, 0.0)", f"{X}.where({X} > 2, -{X})",
    f"str({X}.type_as(m.tensor([1])).dtype)", f"m.tensor([1]).type_as({X})",
    # elementwise
    "m.tensor([-1.5, 0.0, 2.0]).sgn()", "m.sgn(m.tensor([True, False]))",
    "m.tensor([-2, 0, 3]).sgn()",
    "m.positive(m.tensor([1, -2]))", "m.tensor([True]).positive()",
    "m.negative(m.tensor([1.5]))", "m.negative_(m.tensor([1.5]))", "m.tensor([2]).negative_()",
    "m.isposinf(m.tensor([1.0, float('inf'), -float('inf'), float('nan')]))",
    "m.tensor([1.0, float('inf'), -float('inf')]).isneginf()", "m.isneginf(m.tensor([1]))",
    "m.isreal(m.tensor([1.0, 2.0]))",
    "m.signbit(m.tensor([-0.0, 0.0, -1.0, float('-inf')]))", "m.tensor([-1, 2]).signbit()",
    "m.tensor([True]).signbit()",
    # reductions
    "m.tensor([[1.0, float('nan'), 3.0], [4.0, 5.0, 6.0]]).nansum()",
    "m.nansum(m.tensor([[1.0, float('nan')], [4.0, 5.0]]), 1, keepdim=True)",
    "m.nansum(m.tensor([1.0, float('nan')]), dtype=m.float64)",
    "m.tensor([1, 2]).nansum()", "m.tensor([True, True]).nansum()",
    "m.tensor([[1.0, float('nan')], [4.0, 5.0]]).nansum(axis=(0, 1))",
    "m.tensor([[1.0, float('nan')], [4.0, 5.0]]).nanmean(1)",
    "m.nanmean(m.tensor([float('nan'), float('nan')]))",
    "m.tensor([1, 2]).nanmean()",
    "m.tensor([[3.0, 1.0], [2.0, 5.0]]).aminmax()",
    "tuple(m.tensor([[3.0, 1.0], [2.0, 5.0]]).aminmax(dim=1, keepdim=True))",
    "m.aminmax(m.tensor([[3, 1], [2, 5]]), dim=0).max",
    "m.tensor([[3.0, 1.0], [2.0, 5.0]]).aminmax(keepdim=True).min",
    "m.tensor([1.0, 2.0]).aminmax(dim=(0,))", "m.ones(0).aminmax()",
    "m.ones(2, 0).aminmax(dim=1)", "m.tensor(2.0).aminmax(dim=0).min",
    "m.trapezoid(m.tensor([1.0, 2.0, 4.0]))", "m.trapezoid(m.tensor([[1.0, 2.0, 4.0]]), dx=0.5)",
    "m.trapezoid(m.tensor([1.0, 2.0, 4.0]), m.tensor([0.0, 1.0, 3.0]))",
    "m.trapz(m.tensor([1.0, 2.0]), m.tensor([0.0, 2.0]))",
    "m.trapezoid(m.ones(2, 0))", "m.trapezoid(m.tensor([True]))",
    "m.trapezoid(m.tensor([1.0, 2.0]), m.tensor([0.0, 1.0, 2.0]))",
    "m.cumulative_trapezoid(m.tensor([1.0, 2.0, 4.0]))",
    "m.cumulative_trapezoid(m.tensor([[1.0, 2.0], [4.0, 8.0]]), dx=2.0, dim=0)",
    "m.cumulative_trapezoid(m.tensor([1.0, 2.0, 4.0]), m.tensor([0.0, 1.0, 3.0]))",
    # threads
    "m.set_num_threads(0)", "m.set_num_interop_threads(0)",
]


def _evaluate(m: Any, expr: str) -> tuple[str, Any]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = eval(expr, {"m": m, "np": np})
    except Exception as e:  # compared below: same class, same start of message
        return type(e).__name__, str(e).replace("torch.", "").replace("tinygrad_edu.", "")
    return "ok", _comparable(value)


def _comparable(value: Any) -> Any:
    """Tensors as (values, dtype name, shape); sequences item by item; the rest as is."""
    if hasattr(value, "detach") and hasattr(value, "shape"):
        data = np.asarray(value.detach().numpy())
        return data.tolist(), str(value.dtype).split(".")[-1], tuple(value.shape)
    if isinstance(value, (tuple, list)):
        return [_comparable(v) for v in value]
    if isinstance(value, str):
        return value.replace("torch.", "").replace("tinygrad_edu.", "")
    return value


def _same(a: Any, b: Any) -> bool:
    """Equal, with NaNs equal to each other (in nested lists too)."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (a != a and b != b)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return bool(a == b)


@pytest.mark.parametrize("expr", SAME)
def test_same_as_torch(torch: Any, expr: str) -> None:
    (kind, mine), (their_kind, theirs) = _evaluate(tg, expr), _evaluate(torch, expr)
    assert kind == their_kind, f"tg: {kind}: {mine!r}\ntorch: {their_kind}: {theirs!r}"
    if kind == "ok":
        assert _same(mine, theirs), f"tg: {mine!r}\ntorch: {theirs!r}"
    else:  # our messages may add a hint at the end
        assert mine.startswith(theirs[:40]), f"tg: {mine!r}\ntorch: {theirs!r}"


def test_views_share_storage_and_data_ptr() -> None:
    x = tg.zeros(2, 3)
    assert x[0].data_ptr() == x.data_ptr()
    assert x[1].data_ptr() == x.data_ptr() + 3 * x.element_size()
    assert x.clone().data_ptr() != x.data_ptr()
    assert x.t().stride() == (1, 3) and x.t().contiguous().stride() == (2, 1)


def test_grad_fn_names_of_the_compositions(torch: Any) -> None:
    """The nodes PyTorch records, with the inputs next_functions lists."""
    def graph(m: Any, fn: Any) -> Any:
        x = m.arange(6.0).reshape(2, 3).requires_grad_(True)
        out = fn(m, x)
        out = out[0] if isinstance(out, tuple) else out
        node = out.grad_fn
        return node.name(), [n[0] and n[0].name() for n in node.next_functions]

    for fn in (lambda m, x: x.sgn(), lambda m, x: x.ravel(), lambda m, x: x.t().ravel(),
               lambda m, x: x.tile(1, 1), lambda m, x: x.movedim(0, 0),
               lambda m, x: x.select(1, 0), lambda m, x: x.sum_to_size(3),
               lambda m, x: m.diagflat(x), lambda m, x: x.nanmean(),
               lambda m, x: x.aminmax(), lambda m, x: m.trapezoid(x),
               lambda m, x: m.cumulative_trapezoid(x, dim=0), lambda m, x: m.atleast_3d(x),
               lambda m, x: m.hsplit(x, 3), lambda m, x: x.where(x > 1, 0.0)):
        assert graph(tg, fn) == graph(torch, fn)


def test_aminmax_fields_and_repr() -> None:
    r = tg.tensor([3, 1, 2]).aminmax()
    assert r.min.item() == 1 and r.max.item() == 3 and r == (r[0], r[1])
    assert repr(r).startswith("tinygrad_edu.return_types.aminmax(\nmin=tensor(1)")


def test_thread_counts_are_stored_and_given_back() -> None:
    before, interop = tg.get_num_threads(), tg.get_num_interop_threads()
    try:
        tg.set_num_threads(1)
        tg.set_num_interop_threads(3)
        assert tg.get_num_threads() == 1 and tg.get_num_interop_threads() == 3
    finally:
        tg.set_num_threads(before)
        tg.set_num_interop_threads(interop)


def test_range_warns_as_torch() -> None:
    with pytest.warns(UserWarning, match="torch.range is deprecated"):
        assert tg.range(1, 3).tolist() == [1.0, 2.0, 3.0]


def test_asarray_shares_or_copies() -> None:
    a = np.ones(2)
    assert np.shares_memory(tg.asarray(a).numpy(), a)
    assert not np.shares_memory(tg.asarray(a, copy=True).numpy(), a)
    with pytest.raises(ValueError):
        tg.asarray([1, 2], copy=False)
