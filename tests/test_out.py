"""``out=``: every function whose PyTorch twin takes it takes it, and writes, resizes,
casts, refuses and warns as PyTorch does (tinygrad_edu/parity/out_argument.py)."""

from __future__ import annotations

import ast
import inspect
import pathlib
import re
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn.functional  # noqa: F401

torch = pytest.importorskip("torch")


def _torch_functions_with_out() -> set[str]:
    """The names in torch's own signature stubs with an overload that has ``out``."""
    stub = pathlib.Path(torch.__file__).parent / "_C" / "_VariableFunctions.pyi"
    names = set()
    for node in ast.walk(ast.parse(stub.read_text())):
        if isinstance(node, ast.FunctionDef):
            if "out" in [a.arg for a in node.args.args + node.args.kwonlyargs]:
                names.add(node.name)
    return names


def _takes_out(function: Any) -> bool:
    return "out" in inspect.signature(function).parameters


def _public_functions(ours: Any, theirs: Any) -> list[str]:
    return [n for n in sorted(dir(ours)) if not n.startswith("_") and hasattr(theirs, n)
            and callable(getattr(ours, n)) and not isinstance(getattr(ours, n), type)]


def test_every_tg_function_takes_out_where_torch_does() -> None:
    stubbed = _torch_functions_with_out()
    wrong = []
    for name in _public_functions(tg, torch):
        theirs = getattr(torch, name)
        try:
            torch_has = "out" in inspect.signature(theirs).parameters
        except (TypeError, ValueError):  # a builtin: its stub says
            torch_has = name in stubbed
        if torch_has != _takes_out(getattr(tg, name)):
            wrong.append(f"tg.{name}: torch {'takes' if torch_has else 'does not take'} out=")
    assert not wrong, "\n".join(wrong)


def _torch_linalg_takes_out(name: str) -> bool:
    """Whether PyTorch's argument parser knows ``out`` for ``torch.linalg.<name>`` (asked
    with matrices, and ``out=5`` so that it stops at ``out``); where no such call gets that
    far, whether ATen has an overload of it that writes (``Tensor(a!) out``)."""
    function, eye = getattr(torch.linalg, name), torch.eye(2)
    for args in ((eye,), (eye, eye), ([eye, eye],)):
        try:
            function(*args, out=5)
        except TypeError as e:
            message = str(e)
            if "unexpected keyword argument 'out'" in message or \
                    "unrecognized keyword arguments: out" in message:
                return False
            if "out" in message:
                return True
    schemas = torch._C._jit_get_schemas_for_operator(f"aten::linalg_{name}")
    return any("!)" in str(schema) for schema in schemas)


def test_every_tg_special_function_takes_out_as_torch() -> None:
    """Every function of torch.special here takes out= (all of PyTorch's do)."""
    for name in _public_functions(tg.special, torch.special):
        assert _takes_out(getattr(tg.special, name)), name


def test_every_tg_linalg_function_takes_out_where_torch_does() -> None:
    wrong = []
    for name in _public_functions(tg.linalg, torch.linalg):
        torch_has = _torch_linalg_takes_out(name)
        if torch_has != _takes_out(getattr(tg.linalg, name)):
            wrong.append(f"tg.linalg.{name}: torch {'takes' if torch_has else 'does not take'}")
    assert not wrong, "\n".join(wrong)


# ---------------------------------------------------------------- behaviour, against torch

def _empty(lib: Any, *shape: int, dtype: str = "float32") -> Any:
    return lib.empty(*shape, dtype=getattr(lib, dtype))


def _x(lib: Any) -> Any:
    return lib.tensor([[0.5, -1.25, 2.0], [3.5, 0.25, -0.75]])


Call = Callable[[Any], Any]

CALLS: dict[str, Call] = {
    # elementwise: out of any dtype the result casts to; resized when empty
    "add": lambda lib: lib.add(_x(lib), 1, alpha=2, out=_empty(lib, 0)),
    "add_into_float64": lambda lib: lib.add(_x(lib), 1, out=_empty(lib, 0, dtype="float64")),
    "add_into_long": lambda lib: lib.add(_x(lib), 1, out=_empty(lib, 0, dtype="int64")),
    "add_ints_into_float": lambda lib: lib.add(lib.tensor([1, 2]), 3, out=_empty(lib, 2)),
    "eq_into_float": lambda lib: lib.eq(_x(lib), 0.5, out=_empty(lib, 0)),
    "eq_into_long": lambda lib: lib.eq(_x(lib), 0.5, out=_empty(lib, 2, 3, dtype="int64")),
    "exp_into_bool": lambda lib: lib.exp(_x(lib), out=_empty(lib, 0, dtype="bool")),
    "exp_of_long_into_long": lambda lib: lib.exp(lib.tensor([1, 2]),
                                                 out=_empty(lib, 0, dtype="int64")),
    "sin_resized_with_warning": lambda lib: lib.sin(_x(lib), out=_empty(lib, 5)),
    "where": lambda lib: lib.where(_x(lib) > 0, _x(lib), lib.zeros(1),
                                   out=_empty(lib, 0, dtype="float64")),
    "clamp": lambda lib: lib.clamp(_x(lib), -1, 1, out=_empty(lib, 0)),
    "pow": lambda lib: lib.pow(_x(lib), 2, out=_empty(lib, 0)),
    # reductions: those with a dtype argument compute in out's dtype
    "sum_dim_into_float64": lambda lib: (lib.manual_seed(0), lib.sum(
        lib.rand(50, 3), 0, out=_empty(lib, 0, dtype="float64")))[1],
    "sum_dtype_mismatch": lambda lib: lib.sum(_x(lib), 0, dtype=lib.float32,
                                              out=_empty(lib, 0, dtype="float64")),
    "cumsum_into_float64": lambda lib: lib.cumsum(_x(lib), 1,
                                                  out=_empty(lib, 0, dtype="float64")),
    "mean": lambda lib: lib.mean(_x(lib), 1, keepdim=True, out=_empty(lib, 0)),
    "max_all_into_float64": lambda lib: lib.max(_x(lib), out=_empty(lib, 0, dtype="float64")),
    "lerp_into_float64": lambda lib: lib.lerp(_x(lib), _x(lib), 0.5,
                                              out=_empty(lib, 0, dtype="float64")),
    "take_into_float64": lambda lib: lib.take(_x(lib), lib.tensor([1]),
                                              out=_empty(lib, 0, dtype="float64")),
    "tensordot_into_float64": lambda lib: lib.tensordot(_x(lib), _x(lib), dims=2,
                                                        out=_empty(lib, 0, dtype="float64")),
    "cat_into_long": lambda lib: lib.cat([_x(lib)], out=_empty(lib, 0, dtype="int64")),
    "logsumexp_into_long": lambda lib: lib.logsumexp(_x(lib), 0,
                                                     out=_empty(lib, 0, dtype="int64")),
    "nansum_dtype_mismatch": lambda lib: lib.nansum(_x(lib), 0, dtype=lib.float32,
                                                    out=_empty(lib, 0, dtype="float64")),
    "any_into_long": lambda lib: lib.any(_x(lib), out=_empty(lib, 0, dtype="int64")),
    "amax_into_float64": lambda lib: lib.amax(_x(lib), 0, out=_empty(lib, 0, dtype="float64")),
    "all_into_float": lambda lib: lib.all(_x(lib), out=_empty(lib, 0)),
    # several results: a tuple of outs, each of exactly its dtype
    "max_dim": lambda lib: lib.max(_x(lib), 1, out=(_empty(lib, 0),
                                                    _empty(lib, 0, dtype="int64"))),
    "max_dim_list": lambda lib: lib.max(_x(lib), 1, out=[_empty(lib, 0),
                                                         _empty(lib, 0, dtype="int64")]),
    "max_dim_float_indices": lambda lib: lib.max(_x(lib), 1, out=(_empty(lib, 0),
                                                                  _empty(lib, 0))),
    "sort": lambda lib: lib.sort(_x(lib), out=(_empty(lib, 0), _empty(lib, 0, dtype="int64"))),
    "sort_float64_values": lambda lib: lib.sort(_x(lib), out=(
        _empty(lib, 0, dtype="float64"), _empty(lib, 0, dtype="int64"))),
    "sort_one_out": lambda lib: lib.sort(_x(lib), out=(_empty(lib, 0),)),
    "sort_a_tensor_out": lambda lib: lib.sort(_x(lib), out=_empty(lib, 0)),
    "topk": lambda lib: lib.topk(_x(lib), 2, out=(_empty(lib, 0), _empty(lib, 0,
                                                                         dtype="int64"))),
    # exact dtypes
    "matmul_into_float64": lambda lib: lib.matmul(_x(lib), _x(lib).T,
                                                  out=_empty(lib, 0, dtype="float64")),
    "mm": lambda lib: lib.mm(_x(lib), _x(lib).T, out=_empty(lib, 0)),
    "argmax_into_int32": lambda lib: lib.argmax(_x(lib), out=_empty(lib, 0, dtype="int32")),
    "index_select_into_float64": lambda lib: lib.index_select(
        _x(lib), 0, lib.tensor([1]), out=_empty(lib, 0, dtype="float64")),
    "nonzero_into_float": lambda lib: lib.nonzero(_x(lib), out=_empty(lib, 0)),
    "softmax_into_float64": lambda lib: lib.softmax(_x(lib), 0,
                                                    out=_empty(lib, 0, dtype="float64")),
    "floor_into_float64": lambda lib: lib.floor(_x(lib), out=_empty(lib, 0, dtype="float64")),
    # joining
    "cat_into_float64": lambda lib: lib.cat([_x(lib), _x(lib)], out=_empty(lib, 0,
                                                                          dtype="float64")),
    "stack": lambda lib: lib.stack([_x(lib), _x(lib)], 1, out=_empty(lib, 0)),
    # creation: out's dtype, resized without a warning
    "zeros_into_long": lambda lib: lib.zeros(2, 2, out=_empty(lib, 3, dtype="int64")),
    "zeros_dtype_mismatch": lambda lib: lib.zeros(2, dtype=lib.float32,
                                                  out=_empty(lib, 0, dtype="int64")),
    "arange_into_float": lambda lib: lib.arange(4, out=_empty(lib, 0)),
    "full_into_long": lambda lib: lib.full((2,), 1.5, out=_empty(lib, 0, dtype="int64")),
    "linspace": lambda lib: lib.linspace(0, 1, 5, out=_empty(lib, 0, dtype="float64")),
    "eye": lambda lib: lib.eye(3, out=_empty(lib, 0, dtype="int64")),
    "rand_into_float64": lambda lib: (lib.manual_seed(3),
                                      lib.rand(4, out=_empty(lib, 0, dtype="float64")))[1],
    "randn_resized": lambda lib: (lib.manual_seed(3), lib.randn(2, 2, out=_empty(lib, 3)))[1],
    "randint_into_float": lambda lib: (lib.manual_seed(3),
                                       lib.randint(9, (5,), out=_empty(lib, 0)))[1],
    "randperm_into_float": lambda lib: (lib.manual_seed(3), lib.randperm(6, out=_empty(lib, 0)))[1],
    # functions written in Python in torch
    "tensordot": lambda lib: lib.tensordot(_x(lib), _x(lib), dims=([1], [1]),
                                           out=_empty(lib, 0)),
    "norm": lambda lib: lib.norm(_x(lib), out=_empty(lib, 0)),
    "normalize": lambda lib: lib.nn.functional.normalize(_x(lib), out=_empty(lib, 0)),
    # tg.linalg
    "linalg_inv": lambda lib: lib.linalg.inv(lib.eye(2) * 2, out=_empty(lib, 0)),
    "linalg_inv_into_float64": lambda lib: lib.linalg.inv(lib.eye(2),
                                                          out=_empty(lib, 0, dtype="float64")),
    "linalg_slogdet": lambda lib: lib.linalg.slogdet(lib.eye(2) * 3,
                                                     out=(_empty(lib, 0), _empty(lib, 0))),
    "linalg_vector_norm": lambda lib: lib.linalg.vector_norm(_x(lib), out=_empty(lib, 0)),
    "i0": lambda lib: lib.i0(lib.zeros(2, 3), out=_empty(lib, 0, dtype="float64")),
    "i0_into_int": lambda lib: lib.i0(_x(lib), out=_empty(lib, 0, dtype="int64")),
    "special_i1e": lambda lib: lib.special.i1e(lib.zeros(3), out=_empty(lib, 0)),
    "special_i0e_into_int": lambda lib: lib.special.i0e(_x(lib), out=_empty(lib, 0,
                                                                            dtype="int64")),
    "mvlgamma": lambda lib: lib.mvlgamma(lib.ones(3) * 2, 1, out=_empty(lib, 0)),
    "mvlgamma_into_int": lambda lib: lib.mvlgamma(_x(lib) + 3, 2,
                                                  out=_empty(lib, 0, dtype="int64")),
    "mvlgamma_of_int_into_int": lambda lib: lib.mvlgamma(lib.tensor([3, 4]), 2,
                                                         out=_empty(lib, 0, dtype="int64")),
    "mvlgamma_of_int_in_place": lambda lib: lib.tensor([3, 4]).mvlgamma_(2),
    "mvlgamma_of_int8_in_place": lambda lib: lib.tensor([3, 4], dtype=lib.int8).mvlgamma_(2),
    "mvlgamma_of_bool_in_place": lambda lib: lib.tensor([True]).mvlgamma_(2),
    "mvlgamma_of_int_in_place_bad_p": lambda lib: lib.tensor([3, 4]).mvlgamma_(0),
    "special_multigammaln_into_int": lambda lib: lib.special.multigammaln(
        _x(lib).double() + 3, 2, out=_empty(lib, 0, dtype="int64")),
    "lu_unpack": lambda lib: lib.lu_unpack(*lib.linalg.lu_factor(_x(lib)[:, :2]),
                                           out=(_empty(lib, 0), _empty(lib, 0),
                                                _empty(lib, 0))),
    "lu_unpack_into_float64": lambda lib: lib.lu_unpack(
        lib.eye(2), lib.ones(2, dtype=lib.int32), out=(_empty(lib, 2, 2, dtype="float64"),
                                                        _empty(lib, 2, 2), _empty(lib, 2, 2))),
    # without dim, median and nanmedian have no out= form (the median of all elements)
    "median_without_dim": lambda lib: lib.median(_x(lib), out=_empty(lib, 0)),
    "median_without_dim_tuple": lambda lib: lib.median(
        _x(lib), out=(_empty(lib, 0), _empty(lib, 0, dtype="int64"))),
    "nanmedian_without_dim": lambda lib: lib.nanmedian(_x(lib), out=_empty(lib, 0)),
    "median_without_dim_out_none": lambda lib: lib.median(_x(lib), out=None),
    # nor do sum and prod: their parser's words depend on how many arguments are given
    "sum_without_dim": lambda lib: lib.sum(_x(lib), out=_empty(lib, 0)),
    "sum_without_dim_out_none": lambda lib: lib.sum(_x(lib), out=None),
    "sum_without_dim_dtype": lambda lib: lib.sum(_x(lib), dtype=lib.float64,
                                                 out=_empty(lib, 0, dtype="float64")),
    "sum_dim_none": lambda lib: lib.sum(_x(lib), None, out=_empty(lib, 0)),
    "sum_dim_out_none": lambda lib: lib.sum(_x(lib), 0, out=None),
    "prod_without_dim": lambda lib: lib.prod(_x(lib), out=_empty(lib, 0)),
    "prod_without_dim_out_int": lambda lib: lib.prod(_x(lib), out=3),
    "prod_without_dim_dtype": lambda lib: lib.prod(_x(lib), dtype=lib.float64,
                                                   out=_empty(lib, 0, dtype="float64")),
    "median_axis": lambda lib: lib.median(_x(lib), axis=1, out=(
        _empty(lib, 0), _empty(lib, 0, dtype="int64"))),
    "nanmedian_dim_keyword": lambda lib: lib.nanmedian(_x(lib), dim=0, out=(
        _empty(lib, 0), _empty(lib, 0, dtype="int64"))),
    "renorm": lambda lib: lib.renorm(_x(lib), 2, 0, 1.0, out=_empty(lib, 0)),
    "renorm_into_float64": lambda lib: lib.renorm(_x(lib), 2, 0, 1.0,
                                                  out=_empty(lib, 0, dtype="float64")),
    "float_power_into_float": lambda lib: lib.float_power(_x(lib), 2, out=_empty(lib, 0)),
    "gcd_into_float": lambda lib: lib.gcd(lib.tensor([4, 6]), lib.tensor([6, 9]),
                                          out=_empty(lib, 0)),
    "heaviside_into_float64": lambda lib: lib.heaviside(_x(lib), _x(lib),
                                                        out=_empty(lib, 0, dtype="float64")),
    "ldexp_into_long": lambda lib: lib.ldexp(_x(lib), lib.tensor([1, 2, 3]),
                                             out=_empty(lib, 0, dtype="int64")),
    "frexp": lambda lib: lib.frexp(_x(lib), out=(_empty(lib, 0),
                                                 _empty(lib, 0, dtype="int32"))),
    "chain_matmul_into_float64": lambda lib: lib.chain_matmul(
        _x(lib), _x(lib).T, out=_empty(lib, 0, dtype="float64")),
    "linalg_vecdot_into_float64": lambda lib: lib.linalg.vecdot(
        _x(lib), _x(lib), out=_empty(lib, 0, dtype="float64")),
    "linalg_cond_into_float64": lambda lib: lib.linalg.cond(
        lib.eye(2) * 2, out=_empty(lib, 0, dtype="float64")),
    "linalg_multi_dot": lambda lib: lib.linalg.multi_dot([_x(lib), _x(lib).T],
                                                         out=_empty(lib, 0)),
    # wrong kinds of out
    "out_is_a_list": lambda lib: lib.add(_x(lib), 1, out=[_empty(lib, 0)]),
    "out_is_a_number": lambda lib: lib.exp(_x(lib), out=3),
    # autograd does not go through out=
    "input_requires_grad": lambda lib: lib.exp(_x(lib).requires_grad_(),
                                               out=_empty(lib, 0)),
    "out_requires_grad": lambda lib: lib.exp(_x(lib), out=_empty(lib, 2, 3).requires_grad_()),
    "mm_requires_grad": lambda lib: lib.mm(_x(lib).requires_grad_(), _x(lib).T,
                                           out=_empty(lib, 0)),
    "no_grad_input_requires_grad": lambda lib: _under_no_grad(
        lib, lambda: lib.mul(_x(lib).requires_grad_(), 3, out=_empty(lib, 0))),
    "argmax_of_requires_grad": lambda lib: lib.argmax(_x(lib).requires_grad_(), 1,
                                                      out=_empty(lib, 0, dtype="int64")),
}


def _under_no_grad(lib: Any, f: Callable[[], Any]) -> Any:
    with lib.no_grad():
        return f()


def _said_once(message: str) -> bool:
    """A deprecation both libraries say once per process (which test says it first
    depends on the order the tests run in)."""
    return "deprecated in favor" in message or "is deprecated and will be removed" in message


def _outcome(lib: Any, call: Call) -> tuple[Any, ...]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = call(lib)
        except Exception as e:  # noqa: BLE001  (the class and message are compared)
            outcome: tuple[Any, ...] = ("raises", type(e).__name__, str(e).split("\n")[0])
        else:
            parts = result if isinstance(result, tuple) else (result,)
            outcome = ("returns", type(result).__name__ if isinstance(result, tuple) else "",
                       [(str(r.dtype).split(".")[-1], tuple(r.shape), r.requires_grad,
                         np.asarray(r.detach().numpy()).tolist()) for r in parts])
    messages = [re.sub(r" \(Triggered internally at .*", "", str(w.message))
                for w in caught if not _said_once(str(w.message))]
    return (*outcome, messages)


@pytest.mark.parametrize("case", list(CALLS))
def test_out_behaves_as_torch(case: str) -> None:
    ours, theirs = _outcome(tg, CALLS[case]), _outcome(torch, CALLS[case])
    assert ours[0] == theirs[0], (ours, theirs)
    if ours[0] == "raises":
        assert ours == theirs
        return
    assert ours[2] == theirs[2] and ours[3] == theirs[3], (ours, theirs)


@pytest.mark.parametrize("name", ["sum", "prod"])
def test_sum_and_prod_out_without_dim_refused_in_torch_words(name: str) -> None:
    def call(lib: Any) -> Any:
        return getattr(lib, name)(lib.ones(2, 2), out=lib.empty(()))
    with pytest.raises(TypeError) as ours:
        call(tg)
    with pytest.raises(TypeError) as theirs:
        call(torch)
    assert str(ours.value) == str(theirs.value)


def test_out_is_returned_and_written_once() -> None:
    out = tg.zeros(3)
    result = tg.add(tg.ones(3), 1, out=out)
    assert result is out and out.tolist() == [2.0, 2.0, 2.0]
    assert out._version == 1
    assert out.grad_fn is None and not out.requires_grad


def test_out_a_view_of_another_shape_is_refused_not_restrided() -> None:
    """PyTorch re-strides such a view over its base's memory; tinygrad_edu says it cannot."""
    base = tg.zeros(2, 3)
    with pytest.raises(NotImplementedError, match="cannot resize a view"):
        tg.mul(tg.ones(2, 3), 2, out=base[:, 0])
    assert base.sum().item() == 0


def test_out_can_be_an_input_of_the_same_call() -> None:
    a = tg.tensor([1.0, 2.0])
    assert tg.mul(a, a, out=a) is a and a.tolist() == [1.0, 4.0]


def test_out_a_view_writes_through_to_its_base() -> None:
    base = tg.zeros(3, 4)
    tg.add(tg.ones(3), 1, out=base[:, 1])
    assert base[:, 1].tolist() == [2.0, 2.0, 2.0] and base.sum().item() == 6.0


def test_out_tuples_are_named_tuples_of_the_outs() -> None:
    values, indices = tg.empty(0), tg.empty(0, dtype=tg.int64)
    result = tg.sort(tg.tensor([3.0, 1.0, 2.0]), out=(values, indices))
    assert result.values is values and result.indices is indices
    assert indices.tolist() == [1, 2, 0]


def test_out_of_rand_draws_what_rand_of_outs_dtype_draws() -> None:
    tg.manual_seed(7)
    expected = tg.rand(5, dtype=tg.float64)
    tg.manual_seed(7)
    out = tg.empty(0, dtype=tg.float64)
    tg.rand(5, out=out)
    assert np.array_equal(out.numpy(), expected.numpy())


def test_out_signature_is_keyword_only() -> None:
    parameter = inspect.signature(tg.linalg.svd).parameters["out"]
    assert parameter.kind is inspect.Parameter.KEYWORD_ONLY and parameter.default is None
    with pytest.raises(TypeError):
        tg.exp(tg.ones(2), tg.empty(2))  # type: ignore[call-arg]
