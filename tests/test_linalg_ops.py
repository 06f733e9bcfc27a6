"""bmm, addmm, baddbmm, einsum, tril/triu, diag, diagonal, diag_embed, meshgrid, trace:
what the op table (test_ops.py) cannot cover.

- errors: PyTorch's exception class and message, written out here (so they are checked
  without torch too) and compared with torch 2.13's own when it is importable;
- dtypes: einsum's and addmm's rules (no promotion where PyTorch has none, its errors);
- meshgrid's warning and ``indexing="xy"``; einsum's other calling forms;
- views and in-place forms: ``diagonal()`` writes through, ``tril_``/``triu_``;
- gradients worked out by hand for the repeated-letter (diagonal) einsums.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import functional as F

try:
    import torch
except ImportError:  # pragma: no cover - the comparisons with torch are skipped
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")


def _o(L: Any, *shape: int, dtype: str = "float32") -> Any:
    return L.ones(*shape, dtype=getattr(L, dtype))


# ============================================================================ errors
ERRORS: dict[str, tuple[Callable[[Any], Any], type[BaseException], str]] = {
    # ---- bmm
    "bmm of a matrix": (lambda L: L.bmm(_o(L, 3, 4), _o(L, 2, 4, 5)), RuntimeError,
                        "batch1 must be a 3D tensor"),
    "bmm with a matrix": (lambda L: _o(L, 2, 3, 4).bmm(_o(L, 4, 5)), RuntimeError,
                          "batch2 must be a 3D tensor"),
    "bmm inner sizes": (lambda L: L.bmm(_o(L, 2, 2, 3), _o(L, 2, 4, 2)), RuntimeError,
                        "Expected size for first two dimensions of batch2 tensor to be: [2, 3] "
                        "but got: [2, 4]."),
    "bmm batch sizes": (lambda L: L.bmm(_o(L, 2, 3, 4), _o(L, 3, 4, 5)), RuntimeError,
                        "Expected size for first two dimensions of batch2 tensor to be: [2, 4] "
                        "but got: [3, 4]."),
    "bmm batch of one": (lambda L: L.bmm(_o(L, 1, 3, 4), _o(L, 2, 4, 5)), RuntimeError,
                         "Expected size for first two dimensions of batch2 tensor to be: [1, 4] "
                         "but got: [2, 4]."),
    "bmm dtypes": (lambda L: L.bmm(_o(L, 2, 3, 4, dtype="float64"), _o(L, 2, 4, 5)),
                   RuntimeError, "expected scalar type Double but found Float"),
    "bmm of bools": (lambda L: L.bmm(_o(L, 2, 2, 2, dtype="bool"), _o(L, 2, 2, 2, dtype="bool")),
                     NotImplementedError, "\"bmm\" not implemented for 'Bool'"),
    # ---- addmm: dtypes first (input against mat2, then mat1), then ranks, then shapes
    "addmm input dtype": (lambda L: L.addmm(_o(L, 2, 2, dtype="int64"), _o(L, 2, 2),
                                            _o(L, 2, 2)), RuntimeError,
                          "self and mat2 must have the same dtype, but got Long and Float"),
    "addmm mat1 dtype": (lambda L: L.addmm(_o(L, 2, 2), _o(L, 2, 2, dtype="float64"),
                                           _o(L, 2, 2)), RuntimeError,
                         "mat1 and mat2 must have the same dtype, but got Double and Float"),
    "addmm dtype before shape": (lambda L: L.addmm(_o(L, 2, 2), _o(L, 3),
                                                   _o(L, 4, 2, dtype="float64")), RuntimeError,
                                 "self and mat2 must have the same dtype, but got Float and "
                                 "Double"),
    "addmm vector mat1": (lambda L: L.addmm(_o(L, 3, 5), _o(L, 4), _o(L, 4, 5)), RuntimeError,
                          "mat1 must be a matrix, got 1-D tensor"),
    "addmm 3-D mat2": (lambda L: _o(L, 3, 5).addmm(_o(L, 3, 4), _o(L, 2, 4, 5)), RuntimeError,
                       "mat2 must be a matrix, got 3-D tensor"),
    "addmm shapes": (lambda L: L.addmm(_o(L, 5, 5), _o(L, 2, 3), _o(L, 4, 2)), RuntimeError,
                     "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x2)"),
    "addmm input does not broadcast": (
        lambda L: L.addmm(_o(L, 2, 5), _o(L, 3, 4), _o(L, 4, 5)), RuntimeError,
        "The expanded size of the tensor (3) must match the existing size (2) at non-singleton "
        "dimension 0.  Target sizes: [3, 5].  Tensor sizes: [2, 5]"),
    "addmm 3-D input": (
        lambda L: L.addmm(_o(L, 3, 1, 5), _o(L, 3, 4), _o(L, 4, 5)), RuntimeError,
        "expand(torch.FloatTensor{[3, 1, 5]}, size=[3, 5]): the number of sizes provided (2) "
        "must be greater or equal to the number of dimensions in the tensor (3)"),
    "addmm of bools": (lambda L: L.addmm(*[_o(L, 2, 2, dtype="bool")] * 3), NotImplementedError,
                       "\"addmm_impl_cpu_\" not implemented for 'Bool'"),
    "addmm positional beta": (lambda L: L.addmm(_o(L, 2, 2), _o(L, 2, 2), _o(L, 2, 2), 2),
                              TypeError, None),  # keyword-only in both (messages differ)
    # ---- baddbmm
    "baddbmm shapes": (lambda L: L.baddbmm(_o(L, 2, 2, 2), _o(L, 2, 2, 3), _o(L, 2, 4, 2)),
                       RuntimeError, "Expected size for first two dimensions of batch2 tensor "
                                     "to be: [2, 3] but got: [2, 4]."),
    "baddbmm matrix": (lambda L: L.baddbmm(_o(L, 2), _o(L, 2, 3), _o(L, 2, 3, 2)), RuntimeError,
                       "batch1 must be a 3D tensor"),
    "baddbmm input dtype": (lambda L: L.baddbmm(_o(L, 2, dtype="float64"), _o(L, 2, 2, 3),
                                                _o(L, 2, 3, 2)), RuntimeError,
                            "Input dtypes must be the same, got: input double, batch1: float, "
                            "batch2: float"),
    "baddbmm long input": (lambda L: L.baddbmm(_o(L, 2, dtype="int64"), _o(L, 2, 2, 3),
                                               _o(L, 2, 3, 2)), RuntimeError,
                           "Input dtypes must be the same, got: input long int, batch1: float, "
                           "batch2: float"),
    "baddbmm batch2 dtype": (lambda L: L.baddbmm(_o(L, 2), _o(L, 2, 2, 3),
                                                 _o(L, 2, 3, 2, dtype="float64")), RuntimeError,
                             "expected scalar type Float but found Double"),
    "baddbmm input does not broadcast": (
        lambda L: L.baddbmm(_o(L, 3, 1, 1), _o(L, 2, 2, 3), _o(L, 2, 3, 2)), RuntimeError,
        "The expanded size of the tensor (2) must match the existing size (3) at non-singleton "
        "dimension 0.  Target sizes: [2, 2, 2].  Tensor sizes: [3, 1, 1]"),
    # ---- einsum: the equation, then ranks, then the output, then sizes, then dtypes
    "einsum no operand": (lambda L: L.einsum("ij->"), ValueError,
                          "einsum(): must specify the equation string and at least one operand, "
                          "or at least one operand and its subscripts list"),
    "einsum empty list": (lambda L: L.einsum("ij->", []), ValueError,
                          "einsum(): must specify the equation string and at least one operand, "
                          "or at least one operand and its subscripts list"),
    "einsum equation not a str": (lambda L: L.einsum(3, _o(L, 2)), TypeError,
                                  "einsum(): argument 'equation' (position 1) must be str, "
                                  "not int"),
    "einsum operand not a tensor": (lambda L: L.einsum("i,i->", _o(L, 2), [1.0, 2.0]),
                                    TypeError, "expected Tensor as element 1 in argument 1, but "
                                               "got list"),
    "einsum fewer operands": (lambda L: L.einsum("ij,jk->ik", _o(L, 2, 3)), RuntimeError,
                              "einsum(): fewer operands were provided than specified in the "
                              "equation"),
    "einsum more operands": (lambda L: L.einsum("i", _o(L, 3), _o(L, 3)), RuntimeError,
                             "einsum(): more operands were provided than specified in the "
                             "equation"),
    "einsum bad subscript": (lambda L: L.einsum("i1->i", _o(L, 2, 3)), RuntimeError,
                             "einsum(): invalid subscript given at index 1 in the equation "
                             "string, subscripts must be in [a-zA-Z]"),
    "einsum bad output subscript": (lambda L: L.einsum("ij->j->i", _o(L, 3, 3)), RuntimeError,
                                    "einsum(): invalid subscript given at index 5 in the "
                                    "equation string, subscripts must be in [a-zA-Z]"),
    "einsum lone dot": (lambda L: L.einsum("i.j->j", _o(L, 3, 3)), RuntimeError,
                        "einsum(): found '.' for operand 0 that is not part of any ellipsis"),
    "einsum two ellipses": (lambda L: L.einsum("i......->i", _o(L, 3, 3)), RuntimeError,
                            "einsum(): found '.' for operand 0 for which an ellipsis was already "
                            "found"),
    "einsum lone dot in output": (lambda L: L.einsum("ij->j.", _o(L, 3, 3)), RuntimeError,
                                  "einsum(): found '.' for output that is not part of any "
                                  "ellipsis (...)"),
    "einsum two ellipses in output": (lambda L: L.einsum("...->......", _o(L, 3)),
                                      RuntimeError, "einsum(): found '.' for output but an "
                                                    "ellipsis (...) was already found"),
    "einsum too many subscripts": (lambda L: L.einsum("ijk->ij", _o(L, 2, 3)), RuntimeError,
                                   "einsum(): the number of subscripts in the equation (3) does "
                                   "not match the number of dimensions (2) for operand 0 and no "
                                   "ellipsis was given"),
    "einsum too few subscripts": (lambda L: L.einsum("ij,j->i", _o(L, 2, 3), _o(L, 3, 1)),
                                  RuntimeError,
                                  "einsum(): the number of subscripts in the equation (1) does "
                                  "not match the number of dimensions (2) for operand 1 and no "
                                  "ellipsis was given"),
    "einsum subscripts beyond the ellipsis": (lambda L: L.einsum("...ij->...", _o(L, 2)),
                                              RuntimeError, "einsum(): the number of subscripts "
                                              "in the equation (2) is more than the number of "
                                              "dimensions (1) for operand 0"),
    "einsum output letter not in inputs": (lambda L: L.einsum("ij->ik", _o(L, 2, 3)),
                                           RuntimeError, "einsum(): output subscript k does not "
                                           "appear in the equation for any input operand"),
    "einsum output letter twice": (lambda L: L.einsum("ij->ii", _o(L, 2, 3)), RuntimeError,
                                   "einsum(): output subscript i appears more than once in the "
                                   "output"),
    "einsum sizes do not broadcast": (lambda L: L.einsum("ij,jk->ik", _o(L, 2, 3), _o(L, 4, 4)),
                                      RuntimeError, "einsum(): subscript j has size 4 for "
                                      "operand 1 which does not broadcast with previously seen "
                                      "size 3"),
    "einsum diagonal of a non-square": (lambda L: L.einsum("ii->i", _o(L, 2, 3)), RuntimeError,
                                        "einsum(): subscript i is repeated for operand 0 but the "
                                        "sizes don't match, 3 != 2"),
    "einsum ellipses do not broadcast": (
        lambda L: L.einsum("...i,...i->...", _o(L, 2, 2, 3), _o(L, 4, 3)), RuntimeError,
        "einsum(): dimension 0 covered by ellipsis in operand 1has size 4 which does not "
        "broadcast with previously seen ellipsis with size 2 for the respective dimension"),
    "einsum contraction of two dtypes": (
        lambda L: L.einsum("ij,jk->ik", _o(L, 2, 3, dtype="float64"), _o(L, 3, 4)),
        RuntimeError, "expected scalar type Double but found Float"),
    "einsum contraction of long and float": (
        lambda L: L.einsum("i,i->", _o(L, 3, dtype="int64"), _o(L, 3)), RuntimeError,
        "expected scalar type Long but found Float"),
    "einsum third operand's dtype": (
        lambda L: L.einsum("i,i,i->", _o(L, 3), _o(L, 3), _o(L, 3, dtype="float64")),
        RuntimeError, "expected scalar type Float but found Double"),
    "einsum contraction of bools": (
        lambda L: L.einsum("i,i->", _o(L, 3, dtype="bool"), _o(L, 3, dtype="bool")),
        NotImplementedError, "\"bmm\" not implemented for 'Bool'"),
    "einsum sum first, then bmm": (
        lambda L: L.einsum("ij,j->", _o(L, 3, 2, dtype="int32"), _o(L, 2, dtype="bool")),
        RuntimeError, "expected scalar type Long but found Bool"),
    "einsum sublist label out of range": (lambda L: L.einsum(_o(L, 2, 3), [0, 60]), ValueError,
                                          "einsum(): subscript in subscript list is not within "
                                          "the valid range [0, 52)"),
    # ---- tril / triu
    "tril of a vector": (lambda L: L.tril(_o(L, 3)), RuntimeError,
                         "tril: input tensor must have at least 2 dimensions"),
    "triu of a vector": (lambda L: _o(L, 3).triu(), RuntimeError,
                         "triu: input tensor must have at least 2 dimensions"),
    "tril_ of a vector": (lambda L: _o(L, 3).tril_(), RuntimeError,
                          "tril: input tensor must have at least 2 dimensions"),
    "tril float diagonal": (lambda L: _o(L, 2, 2).tril(1.5), TypeError,
                            "tril(): argument 'diagonal' (position 1) must be int, not float"),
    "triu bool diagonal": (lambda L: _o(L, 2, 2).triu(True), TypeError,
                           "triu(): argument 'diagonal' (position 1) must be int, not bool"),
    # ---- diag, diagonal, diag_embed, trace
    "diag of a 3-D tensor": (lambda L: L.diag(_o(L, 2, 2, 2)), RuntimeError,
                             "diag(): Supports 1D or 2D tensors. Got 3D"),
    "diag of a 0-d tensor": (lambda L: L.diag(L.tensor(1.0)), RuntimeError,
                             "diag(): Supports 1D or 2D tensors. Got 0D"),
    "diag float diagonal": (lambda L: _o(L, 2).diag(1.0), TypeError,
                            "diag(): argument 'diagonal' (position 1) must be int, not float"),
    "diagonal same dims": (lambda L: L.diagonal(_o(L, 3, 4), 0, 1, -1), RuntimeError,
                           "diagonal dimensions cannot be identical 1, -1"),
    "diagonal dim out of range": (lambda L: L.diagonal(_o(L, 3, 4), 0, 0, 2), IndexError,
                                  "Dimension out of range (expected to be in range of [-2, 1], "
                                  "but got 2)"),
    "diagonal of a vector": (lambda L: L.diagonal(_o(L, 3)), IndexError,
                             "Dimension out of range (expected to be in range of [-1, 0], but "
                             "got 1)"),
    "diagonal float offset": (lambda L: _o(L, 2, 2).diagonal(1.5), TypeError,
                              "diagonal(): argument 'offset' (position 1) must be int, not "
                              "float"),
    "diag_embed same dims": (lambda L: L.diag_embed(_o(L, 3), 0, 0, 0), RuntimeError,
                             "diagonal dimensions cannot be identical 0, 0"),
    "diag_embed dim out of range": (lambda L: L.diag_embed(_o(L, 3), 0, 0, 2), IndexError,
                                    "Dimension out of range (expected to be in range of [-2, 1], "
                                    "but got 2)"),
    "diag_embed of a 0-d tensor": (lambda L: L.diag_embed(L.tensor(1.0)), IndexError,
                                   "Dimension out of range (expected to be in range of [-1, 0], "
                                   "but got -2)"),
    "trace of a vector": (lambda L: L.trace(_o(L, 3)), RuntimeError,
                          "trace: expected a matrix, but got tensor with dim 1"),
    "trace of a 3-D tensor": (lambda L: _o(L, 2, 2, 2).trace(), RuntimeError,
                              "trace: expected a matrix, but got tensor with dim 3"),
    "trace of bools": (lambda L: _o(L, 2, 2, dtype="bool").trace(), NotImplementedError,
                       "\"trace\" not implemented for 'Bool'"),
    # ---- meshgrid: the list, dtypes, indexing, then ranks
    "meshgrid of nothing": (lambda L: L.meshgrid(indexing="ij"), RuntimeError,
                            "meshgrid expects a non-empty TensorList"),
    "meshgrid of an empty list": (lambda L: L.meshgrid([], indexing="ij"), RuntimeError,
                                  "meshgrid expects a non-empty TensorList"),
    "meshgrid dtypes": (lambda L: L.meshgrid(_o(L, 2), _o(L, 2, dtype="float64"),
                                             indexing="ij"), RuntimeError,
                        "meshgrid expects all tensors to have the same dtype"),
    "meshgrid bad indexing": (lambda L: L.meshgrid(_o(L, 2), _o(L, 3), indexing="foo"),
                              RuntimeError, 'torch.meshgrid: indexing must be one of "xy" or '
                                            '"ij", but received: foo'),
    "meshgrid indexing before rank": (lambda L: L.meshgrid(_o(L, 2, 2), indexing="yx"),
                                      RuntimeError, 'torch.meshgrid: indexing must be one of '
                                                    '"xy" or "ij", but received: yx'),
    "meshgrid of a number": (lambda L: L.meshgrid(_o(L, 2), 1.0, indexing="ij"), TypeError,
                             "expected Tensor as element 1 in argument 0, but got float"),
}


def _raised(make: Callable[[Any], Any], lib: Any) -> BaseException:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            make(lib)
        except Exception as e:  # noqa: BLE001 - we compare whatever was raised
            return e
    raise AssertionError(f"{lib.__name__}: no error")


def _message(e: BaseException) -> str:
    return e.args[0] if e.args else ""


@pytest.mark.parametrize("name", list(ERRORS))
def test_error_like_torch(name: str) -> None:
    """PyTorch's exception class and message, with no numpy error chained to it."""
    make, cls, message = ERRORS[name]
    ours = _raised(make, tg)
    assert type(ours) is cls, f"{type(ours).__name__}: {ours}"
    if message is not None:
        assert _message(ours) == message
    assert ours.__cause__ is None and (ours.__context__ is None or ours.__suppress_context__)
    if torch is not None:
        theirs = _raised(make, torch)
        assert type(theirs) is cls, f"torch raised {type(theirs).__name__}: {theirs}"
        if message is not None:
            assert _message(theirs) == message


def test_meshgrid_rank_error_starts_like_torch() -> None:
    """torch prints the tensor in its C++ format after this; we print its repr."""
    prefix = "torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: "
    for L in [tg] + ([torch] if torch is not None else []):
        with pytest.raises(RuntimeError) as info:
            L.meshgrid(_o(L, 2, 2), _o(L, 3), indexing="ij")
        assert str(info.value).startswith(prefix)


# ============================================================================ values
def _like(mine: Any, theirs: Any) -> None:
    """Same shape, dtype, values and grad_fn name as torch's (floats within 1e-6)."""
    assert tuple(mine.shape) == tuple(theirs.shape)
    assert str(mine.dtype).rsplit(".", 1)[-1] == str(theirs.dtype).rsplit(".", 1)[-1]
    np.testing.assert_allclose(mine.detach().numpy(), theirs.detach().numpy(), rtol=1e-6)


def _both(make: Callable[[Any], Any]) -> tuple[Any, Any]:
    if torch is None:
        pytest.skip("PyTorch is not installed")
    return make(tg), make(torch)


DTYPES = ["float32", "float64", "int64", "int32", "bool"]
# einsum's dtype: products promote; sums make ints int64; contractions (bmm) need one dtype
EINSUM_DTYPE_CASES = [
    ("i,j->ij", (3,), (3,)), ("i,i->i", (3,), (3,)), ("i,i->", (3,), (3,)),
    ("i,j->", (3,), (3,)), ("i,j->i", (3,), (3,)), ("i,i->", (1,), (1,)),
    ("i,i->", (3,), (1,)), ("ij,j->i", (3, 2), (2,)), ("ij,j->", (3, 2), (2,)),
]


@needs_torch
@pytest.mark.parametrize("d2", DTYPES)
@pytest.mark.parametrize("d1", DTYPES)
@pytest.mark.parametrize("case", EINSUM_DTYPE_CASES, ids=lambda c: f"{c[0]}{c[1]}{c[2]}")
def test_einsum_dtypes_like_torch(case: tuple[str, Any, Any], d1: str, d2: str) -> None:
    """Mixed dtypes: the result's dtype and values, or the error, as torch's."""
    equation, s1, s2 = case

    def make(L: Any) -> Any:
        a = L.tensor(np.arange(1, 1 + np.prod(s1)).reshape(s1) % 3).to(getattr(L, d1))
        b = L.tensor(np.arange(2, 2 + np.prod(s2)).reshape(s2) % 2).to(getattr(L, d2))
        return L.einsum(equation, a, b)

    try:
        theirs = make(torch)
    except Exception as e:  # noqa: BLE001 - then ours must raise the same
        ours = _raised(make, tg)
        assert type(ours) is type(e) and _message(ours) == _message(e)
        return
    _like(make(tg), theirs)


@needs_torch
@pytest.mark.parametrize("dtype", ["int64", "int32", "bool", "float32"])
@pytest.mark.parametrize("equation", ["ij->", "ij->ji", "ii->i", "ij->j"])
def test_einsum_one_operand_dtypes_like_torch(equation: str, dtype: str) -> None:
    """One operand: a sum makes ints and bools int64 (even of a size-1 dim), a permutation
    or a diagonal keeps the dtype."""
    for shape in [(2, 2), (2, 1)] if equation != "ii->i" else [(2, 2)]:
        values = np.arange(4)[: np.prod(shape)].reshape(shape) % 3
        mine, theirs = (L.einsum(equation, L.tensor(values).to(getattr(L, dtype)))
                        for L in (tg, torch))
        _like(mine, theirs)


@needs_torch
@pytest.mark.parametrize("kw", [{}, {"beta": 2, "alpha": 3}, {"beta": -1.7, "alpha": 2.9},
                                {"beta": 0.5}, {"beta": 0, "alpha": 0}])
@pytest.mark.parametrize("dtype", ["int64", "int32", "float32", "float64"])
def test_addmm_dtypes_like_torch(dtype: str, kw: dict[str, Any]) -> None:
    """No promotion: one dtype for all three; with ints, beta and alpha are truncated to
    ints (-1.7 -> -1) as PyTorch converts them."""
    def make(L: Any) -> Any:
        i = L.tensor(np.arange(6).reshape(2, 3) - 2).to(getattr(L, dtype))
        a = L.tensor(np.arange(8).reshape(2, 4) % 3).to(getattr(L, dtype))
        b = L.tensor(np.arange(12).reshape(4, 3) % 5 - 1).to(getattr(L, dtype))
        return L.addmm(i, a, b, **kw), i.addmm(a, b, **kw), L.baddbmm(i, a[None], b[None], **kw)

    for m, t in zip(*_both(make)):
        _like(m, t)


def test_addmm_ints_truncate_beta_and_alpha() -> None:
    i, a, b = (tg.tensor([[1]]) for _ in range(3))
    out = tg.addmm(i * 10, a, b * 3, beta=-1.7, alpha=2.9)
    assert out.dtype is tg.int64 and out.item() == -10 + 2 * 3


def test_addmm_beta_zero_ignores_nan_in_input_and_alpha_zero_in_matrices() -> None:
    """As BLAS (and PyTorch): a zero factor means the term is not read at all."""
    nan = float("nan")
    out = tg.addmm(tg.full((2, 2), nan), tg.ones(2, 3), tg.ones(3, 2), beta=0)
    assert out.tolist() == [[3.0, 3.0], [3.0, 3.0]]
    out = tg.addmm(tg.ones(2, 2), tg.full((2, 3), nan), tg.ones(3, 2), alpha=0)
    assert out.tolist() == [[1.0, 1.0], [1.0, 1.0]]


def test_trace_sums_ints_to_int64() -> None:
    x = tg.tensor([[1, 2], [3, 4]], dtype=tg.int32)
    assert x.trace().dtype is tg.int64 and x.trace().item() == 5


# ============================================================================ einsum's forms
def test_einsum_operands_as_one_list_or_tuple() -> None:
    a, b = tg.randn(2, 3), tg.randn(3, 4)
    expected = (a @ b).numpy()
    for out in (tg.einsum("ij,jk->ik", [a, b]), tg.einsum("ij,jk->ik", (a, b)),
                tg.einsum("ij,jk", a, b)):
        np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6)


def test_einsum_sublist_form() -> None:
    """``einsum(a, [0, 1], b, [1, 2], [0, 2])``: labels as numbers, output last."""
    a, b = tg.randn(2, 3), tg.randn(3, 4)
    np.testing.assert_allclose(tg.einsum(a, [0, 1], b, [1, 2], [0, 2]).numpy(),
                               (a @ b).numpy(), rtol=1e-6)
    assert tg.einsum(a, [0, 1], b, [1, 2]).shape == (2, 4)  # implicit output
    assert tg.einsum(a, [..., 1], [...]).shape == (2,)  # ellipsis, summed label


@needs_torch
@pytest.mark.parametrize("equation", ["iJ", "Ji", "ba", "...", "i...->...", "ii", "i j -> i",
                                      "->", "ij,jk", "...ij->...ji", "bii->b"])
def test_einsum_spellings_like_torch(equation: str) -> None:
    """Implicit output (letters seen once, A-Z before a-z, after ...), spaces, 0-d."""
    shapes = {"->": [()], "ii": [(3, 3)], "bii->b": [(2, 3, 3)], "ij,jk": [(2, 3), (3, 4)]}
    arrays = [np.random.default_rng(0).standard_normal(s) for s in
              shapes.get(equation, [(2, 3, 4) if "..." in equation else (2, 3)])]
    mine, theirs = (L.einsum(equation, *[L.tensor(a) for a in arrays]) for L in (tg, torch))
    _like(mine, theirs)


def test_einsum_output_is_a_new_tensor() -> None:
    """numpy's einsum returns views for transposes and diagonals: ours owns its values."""
    x = tg.zeros(2, 2)
    for equation in ("ij->ji", "ii->i", "ij->ij"):
        y = tg.einsum(equation, x)
        y += 1
        assert x.sum().item() == 0.0, equation


def test_einsum_grad_fn_name() -> None:
    """PyTorch's einsum records the ops it is made of; ours is one node."""
    a = tg.randn(2, 2, requires_grad=True)
    assert type(tg.einsum("ij,jk->ik", a, a).grad_fn).__name__ == "EinsumBackward0"


# ============================================================================ diagonal gradients
def test_einsum_trace_grad_is_the_identity() -> None:
    a = tg.randn(3, 3, requires_grad=True)
    tg.einsum("ii->", a).backward()
    assert a.grad.tolist() == np.eye(3).tolist()


def test_einsum_diagonal_grad_lands_on_the_diagonal() -> None:
    a = tg.randn(3, 3, requires_grad=True)
    tg.einsum("ii->i", a).backward(tg.tensor([1.0, 2.0, 3.0]))
    assert a.grad.tolist() == np.diag([1.0, 2.0, 3.0]).tolist()


def test_einsum_repeated_letter_with_contraction_grad() -> None:
    """``out_k = sum_ij a[i, i, j] b[j, k]``: d/da[i, i', j] = [i == i'] sum_k b[j, k]."""
    tg.manual_seed(0)
    a = tg.randn(2, 2, 3, requires_grad=True)
    b = tg.randn(3, 4, requires_grad=True)
    tg.einsum("iij,jk->k", a, b).sum().backward()
    expected = np.eye(2)[:, :, None] * b.detach().numpy().sum(1)[None, None, :]
    np.testing.assert_allclose(a.grad.numpy(), expected, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(b.grad.numpy(), np.broadcast_to(
        np.einsum("iij->j", a.detach().numpy())[:, None], (3, 4)), rtol=1e-6)


def test_einsum_broadcast_letter_grad_sums_back() -> None:
    """A size-1 operand dim broadcasts against the same letter elsewhere: its gradient is
    summed back (and a size-3 one gets the broadcast gradient)."""
    a = tg.randn(1, 1, requires_grad=True)
    b = tg.randn(3, requires_grad=True)
    tg.einsum("ii,i->i", a, b).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), [[b.detach().numpy().sum()]], rtol=1e-6)
    np.testing.assert_allclose(b.grad.numpy(), np.full(3, a.item()), rtol=1e-6)


# ============================================================================ meshgrid
def test_meshgrid_warns_once_without_indexing_and_defaults_to_ij(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """PyTorch warns (once per process) that indexing will be required; the grids are 'ij'."""
    monkeypatch.setattr(F, "_MESHGRID_WARNED", [False])
    a, b = tg.tensor([1.0, 2.0]), tg.tensor([3.0, 4.0, 5.0])
    with pytest.warns(UserWarning) as record:
        x, y = tg.meshgrid(a, b)
    message = "torch.meshgrid: in an upcoming release, it will be required to pass the " \
              "indexing argument."
    assert [str(w.message) for w in record] == [message]
    assert record[0].filename == __file__  # it points at the caller's line
    assert x.shape == (2, 3) and x.tolist() == [[1.0] * 3, [2.0] * 3]
    assert y.tolist() == [[3.0, 4.0, 5.0]] * 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tg.meshgrid(a, b)  # not twice
        tg.meshgrid(a, b, indexing="ij")


@needs_torch
def test_meshgrid_warning_text_is_torchs() -> None:
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        torch.meshgrid(torch.ones(2), torch.ones(3))  # (warns once per process)
    for w in record:
        assert str(w.message).startswith("torch.meshgrid: in an upcoming release, it will be "
                                         "required to pass the indexing argument.")


def test_meshgrid_xy_is_numpys() -> None:
    """'xy' (numpy's default, matplotlib's): the first two dims swapped."""
    xs = [np.arange(2.0), np.arange(3.0) + 10, np.arange(4.0) + 20]
    for n in (1, 2, 3):
        grids = tg.meshgrid(*[tg.tensor(x) for x in xs[:n]], indexing="xy")
        for g, expected in zip(grids, np.meshgrid(*xs[:n], indexing="xy")):
            assert g.shape == expected.shape and np.array_equal(g.numpy(), expected)
        grids = tg.meshgrid([tg.tensor(x) for x in xs[:n]], indexing="ij")  # as one list
        for g, expected in zip(grids, np.meshgrid(*xs[:n], indexing="ij")):
            assert np.array_equal(g.numpy(), expected)


@needs_torch
def test_meshgrid_grids_are_expanded_views_like_torch() -> None:
    def make(L: Any) -> Any:
        a = L.tensor([1.0, 2.0], requires_grad=True)
        return L.meshgrid(a, L.tensor(3.0, requires_grad=True), indexing="xy")

    for m, t in zip(*_both(make)):
        _like(m, t)
        assert type(m.grad_fn).__name__ == t.grad_fn.name() == "ExpandBackward0"


# ============================================================================ views, in place
@needs_torch
def test_diagonal_is_a_view_one_can_write_through() -> None:
    def make(L: Any) -> Any:
        x = L.zeros(3, 4)
        x.diagonal(1).fill_(1.0)
        d = x.diagonal(-1)
        d += 2.0
        return x

    _like(*_both(make))


def test_diagonal_of_an_expanded_tensor_stays_read_only() -> None:
    # PyTorch writes through it (into every row at once); numpy's broadcast memory is
    # read-only, so we raise (a difference from PyTorch, listed in the docs)
    x = tg.zeros(3).expand(3, 3)
    with pytest.raises(RuntimeError, match="read-only"):
        x.diagonal().fill_(1.0)


@needs_torch
@pytest.mark.parametrize("name", ["tril_", "triu_"])
def test_tril_triu_in_place_like_torch(name: str) -> None:
    values = np.arange(12.0).reshape(3, 4)

    def make(L: Any) -> Any:
        w = L.tensor(values, requires_grad=True)
        x = w * 1
        out = getattr(x, name)(-1 if name == "tril_" else 1)
        assert out is x
        (x * L.tensor(values)).sum().backward()
        return x, w.grad, L.tensor(values).clone().__getattribute__(name)(1)

    mine, theirs = _both(make)
    assert type(mine[0].grad_fn).__name__ == theirs[0].grad_fn.name()
    for m, t in zip(mine, theirs):
        _like(m, t)


@needs_torch
def test_diag_of_a_matrix_copies_and_diagonal_views() -> None:
    """``diag`` (DiagonalBackward0_copy) owns its values; ``diagonal`` shares them."""
    def make(L: Any) -> Any:
        x = L.ones(2, 2)
        d = x.diag()
        d += 1
        v = x.diagonal()
        v += 2
        return x, d

    for m, t in zip(*_both(make)):
        _like(m, t)
