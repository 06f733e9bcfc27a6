"""``out=``: write a function's result into a tensor you already have, as PyTorch does.

``tg.add(a, b, out=c)`` computes ``a + b`` as usual, writes it into ``c`` and returns ``c``
(the same object): one in-place write, so ``c``'s version goes up by one and a view ``c``
writes through to its base. If ``c``'s shape differs, ``c`` is resized first — with
PyTorch's deprecation warning unless ``c`` is empty (``c.resize_(0)`` is the way to say
"any shape"). Which dtypes ``c`` may have depends on the function, as in PyTorch:

- elementwise ops, comparisons, most reductions, ``cat``/``stack``: any dtype the result
  can be cast to (not a float into an integer, not a number into a bool);
- functions with a ``dtype`` argument (``sum``, ``cumsum``, ``zeros``, ``arange``,
  ``rand``...): the result is computed in ``c``'s dtype;
- the rest (``matmul``, ``sort``, ``softmax``, ``tg.linalg``...): exactly the result's.

``out=`` takes no part in autograd: if the result would need a gradient (or ``c`` is a
tensor that requires one) it raises, as PyTorch does. Every function of ``tg`` and
``tg.linalg`` whose PyTorch twin takes ``out=`` gets it here, from the one decorator
:func:`accepts_out` (applied by name in ``tinygrad_edu/__init__.py`` and
``tinygrad_edu/linalg/__init__.py``).

Example:
    >>> c = tg.zeros(3)
    >>> tg.add(tg.ones(3), 1, out=c) is c, c
    (True, tensor([2., 2., 2.]))
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from ..core.grad_mode import is_grad_enabled, no_grad
from ..core.tensor import AutogradTensor
from ..dtypes import FLOATING
from .names import CPP_TYPE_NAMES, scalar_type_name
from .numpy_names import ALIASES

__all__ = ["FUNCTIONS_WITH_OUT", "LINALG_WITH_OUT", "accepts_out", "resize_out"]

#: ``tg.*`` functions that take ``out=`` (those whose PyTorch twins do: torch's own
#: signatures, ``torch/_C/_VariableFunctions.pyi``, list them; tests/test_out.py checks it).
FUNCTIONS_WITH_OUT = frozenset("""
    abs acos acosh add addbmm addcdiv addcmul addmm addmv addr all amax amin aminmax any
    arange arccos arccosh arcsin arcsinh arctan arctan2 arctanh argmax argmin argsort asin
    asinh atan atan2 atanh baddbmm bernoulli bitwise_and bitwise_left_shift bitwise_not
    bitwise_or bitwise_right_shift bitwise_xor bmm bucketize cat ceil cholesky clamp clip
    column_stack concat concatenate copysign cos cosh cross cummax cummin cumprod cumsum diag
    diff digamma div dot dstack empty eq erf erfc erfinv exp exp2 expm1 eye fix floor
    floor_divide fmax fmin fmod frac full gather ge ger gt histc histogram hstack hypot
    index_add index_copy index_select inner inverse isneginf isposinf kron kthvalue le lerp
    lgamma linspace log log10 log1p log2 log_softmax logaddexp logaddexp2 logcumsumexp
    logical_and logical_not logical_or logical_xor logit logspace logsumexp lt masked_select
    matmul max maximum mean median min minimum mm mode msort mul multinomial mv nan_to_num
    nanmean nansum ne neg negative nonzero norm normal ones outer polygamma pow prod quantile
    rand randint randn randperm range reciprocal remainder round row_stack rsqrt scatter
    scatter_add scatter_reduce searchsorted sgn sigmoid sign signbit sin sinc sinh slogdet
    softmax sort sqrt square stack std sub sum take take_along_dim tan tanh tensordot topk
    tril triu true_divide trunc var vstack where xlogy zeros
    deg2rad rad2deg float_power frexp gcd lcm heaviside ldexp nextafter chain_matmul
    matrix_power isin nanmedian nanquantile clamp_min clamp_max i0 mvlgamma renorm
    lu_unpack svd qr cholesky_solve cholesky_inverse vdot absolute divide multiply subtract
    greater greater_equal less less_equal not_equal index_reduce narrow_copy slice_scatter
""".split())

#: ``tg.linalg.*`` functions that take ``out=`` (all of them whose PyTorch twins do).
LINALG_WITH_OUT = frozenset("""
    cholesky det eigh eigvalsh inv lstsq matrix_norm matrix_rank norm pinv qr slogdet solve
    svd svdvals vector_norm cholesky_ex cond cross inv_ex matmul matrix_power
    multi_dot solve_ex solve_triangular vecdot lu lu_factor lu_factor_ex lu_solve
    tensorinv tensorsolve
""".split())
# (written in PyTorch from other ops, these cast into ``out`` like an elementwise op)
_LINALG_COMPOSITES = frozenset({"cond", "tensorinv", "tensorsolve"})

# Functions that compute in out's dtype (they have a ``dtype`` argument); those that create
# a tensor also resize ``out`` without a warning.
_CREATE = frozenset("arange empty eye full linspace logspace ones rand randint randn randperm "
                    "range zeros normal".split())
_DTYPE_FROM_OUT = _CREATE | frozenset("sum prod nansum mean nanmean cumsum cumprod".split())

# Functions whose out must have exactly the result's dtype (the others cast to it), with
# the words of PyTorch's check when it has its own.
_EXACTLY = "Expected out tensor to have dtype {result_cpp}, but got {out_cpp} instead"
_FOUND = "Found dtype {out} but expected {result}"
_EXACT: dict[str, str] = {
    **dict.fromkeys("""addmm addmv argmax argmin argsort baddbmm bmm cross diag gather
        index_add index_copy inverse log_softmax matmul mm msort mv norm scatter scatter_add
        chain_matmul matrix_power isin
        scatter_reduce softmax take_along_dim tril triu renorm""".split(), _EXACTLY),
    **dict.fromkeys("abs absolute bitwise_not ceil fix floor frac neg negative round sgn "
                    "sign trunc".split(), _FOUND),
    **dict.fromkeys("amax amin".split(), "Expected the dtype for input and out to match, but "
                    "got {result} for input's dtype and {out} for out's dtype."),
    **dict.fromkeys("inner tensordot".split(), "tensordot: Expected the output tensor to "
                    "have dtype {result}, but got an output tensor with dtype {out}"),
    **dict.fromkeys("histc histogram".split(), "torch.histogram: input tensor and hist tensor "
                    "should have the same dtype, but got input {result_cpp} and hist "
                    "{out_cpp}"),
    **{f"linalg_{name}": _EXACTLY for name in LINALG_WITH_OUT - _LINALG_COMPOSITES},
    **dict.fromkeys(("chain_matmul", "linalg_multi_dot"), "multi_dot(): expected out "
                    "tensor to have dtype {result_cpp} but got {out_cpp}"),
    "linalg_vecdot": "linalg.vecdot: Expected out of dtype{result} but found {out}",
    "take": "take(): self and out expected to have the same dtype, but got self.dtype = "
            "{result} and out.dtype = {out}",
    "logcumsumexp": "expected scalar_type {result} but found {out}",
    "where": "Expected out type to be {result} but got {out}",
    "index_select": "index_select(): self and result must have the same scalar type",
    "masked_select": "masked_select(): self and result must have the same scalar type",
    "nan_to_num": "nan_to_num: dtype of out: {out} should be same as input: {result}",
    **dict.fromkeys(("quantile", "nanquantile"), "quantile() out tensor must be same dtype "
                    "as the input tensor"),
    **dict.fromkeys(("dot", "vdot"), "result dtype {out} does not match input dtype {result}"),
    "nonzero": "nonzero: Expected out tensor to have scalar type Long but got scalar type{out}",
    "float_power": "the output given to float_power has dtype {out} but the operation's "
                   "result requires dtype {result}",
    "heaviside": "heaviside is not yet implemented for tensors with different dtypes.",
}
# Functions whose out= form needs an argument that their plain form can do without:
# ``median(x)`` is the median of all elements, but ``median(x, out=...)`` (even out=None)
# only exists with a ``dim``: name -> (that argument, its position, and the overloads
# PyTorch's parser lists when the call has as many arguments as the form without it
# takes; None where that form takes the input alone).
_SUM_OVERLOAD = "(Tensor input, {} dim, bool keepdim = False, *, torch.dtype dtype = None, " \
                "Tensor out = None)"
_OUT_NEEDS: dict[str, tuple[str, int, tuple[str, ...] | None]] = {
    "median": ("dim", 1, None), "nanmedian": ("dim", 1, None),
    "sum": ("dim", 1, ("(Tensor input, *, torch.dtype dtype = None)",
                       _SUM_OVERLOAD.format("tuple of ints"))),
    "prod": ("dim", 1, ("(Tensor input, *, torch.dtype dtype = None)",
                        _SUM_OVERLOAD.format("int"))),
}
_NOT_GIVEN: Any = object()  # (out=None is refused where out= needs an argument)
# Functions whose out must be a bool tensor.
_BOOL_ONLY: dict[str, str] = {
    "all": "all only supports bool tensor for result, got: {out}",
    "any": "any only supports bool tensor for result, got: {out}",
    **{name: f"{name} does not support non-boolean outputs."
       for name in ("isneginf", "isposinf", "signbit")},
}
# Where a result that cannot be cast to out's dtype gets words of its own.
_CANNOT_CAST: dict[str, tuple[type[Exception], str]] = {
    **dict.fromkeys(("cat", "concat", "concatenate"), (
        TypeError, "torch.cat(): input types can't be cast to the desired output type {out}")),
    "logsumexp": (RuntimeError, "logsumexp(): Expected floating point type for result "
                                "tensor, but got: {out}"),
    "ldexp": (RuntimeError, "ldexp can't be cast to the desired output type {out}"),
    # (PyTorch names the input's dtype and the result's: they differ for integer input)
    **dict.fromkeys(("mvlgamma", "special_multigammaln"), (
        RuntimeError, "mvlgamma: result type {input} can't be cast to the desired output "
                      "type {result}")),
}
# Where a ``dtype=`` that differs from out's gets words of its own.
_DTYPE_ARGUMENT: dict[str, str] = {
    **dict.fromkeys(("nansum", "nanmean"), "nansum: provided dtype must match dtype of "
                    "result. Got {out} and {result}."),
}


def accepts_out(function: Callable[..., Any], name: str | None = None) -> Callable[..., Any]:
    """``function`` with PyTorch's keyword-only ``out=`` argument added (see the module)."""
    name = name or function.__name__
    signature = inspect.signature(function)
    if "out" in signature.parameters:
        return function  # (it has its own: multinomial checks out's dtype before drawing)

    @functools.wraps(function)
    def with_out(*args: Any, out: Any = _NOT_GIVEN, **kwargs: Any) -> Any:
        if out is _NOT_GIVEN:
            return function(*args, **kwargs)
        if name in _OUT_NEEDS:
            _check_needed(name, args, kwargs, out)
        if out is None:
            return function(*args, **kwargs)
        if name in _DTYPE_FROM_OUT and _is_tensor(out):
            _dtype_from_out(name, kwargs, out)
        return write_out(name, function(*args, **kwargs), out, args, kwargs)

    parameters = list(signature.parameters.values())
    at = len(parameters) - (parameters[-1].kind == inspect.Parameter.VAR_KEYWORD
                            if parameters else 0)
    parameters.insert(at, inspect.Parameter("out", inspect.Parameter.KEYWORD_ONLY,
                                            default=None))
    with_out.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    return with_out


def _check_needed(name: str, args: tuple[Any, ...], kwargs: dict[str, Any], out: Any) -> None:
    """PyTorch's TypeError for an out= call without the argument its out= form needs: as
    its parser, "invalid combination" when the call could be either overload (by its
    number of arguments), else the argument missing."""
    needed, position, overloads = _OUT_NEEDS[name]
    given = {ALIASES.get(k, k) for k in kwargs}  # (dim= or numpy's axis=)
    if len(args) > position or needed in given:
        return
    if overloads is not None and len(args) == 1 and not kwargs:
        got = ", out=".join("Tensor" if _is_tensor(v) else type(v).__name__
                            for v in (args[0], out))
        raise TypeError(f"{name}() received an invalid combination of arguments - got ({got}), "
                        "but expected one of:\n" + "".join(f" * {o}\n" for o in overloads))
    raise TypeError(f'{name}() missing 1 required positional arguments: "{needed}"')


def _is_tensor(value: Any) -> bool:
    return isinstance(value, AutogradTensor)


def _dtype_from_out(name: str, kwargs: dict[str, Any], out: Any) -> None:
    wanted = kwargs.get("dtype")
    if wanted is None:
        kwargs["dtype"] = out.dtype
    elif wanted != out.dtype:
        if name in _CREATE:
            raise RuntimeError(f"dtype {scalar_type_name(wanted.np)} does not match dtype "
                               f"of out parameter ({scalar_type_name(out._data.dtype)})")
        raise RuntimeError(_message(_DTYPE_ARGUMENT.get(name, _EXACTLY), wanted.np,
                                    out._data.dtype))


def write_out(name: str, result: Any, out: Any, args: tuple[Any, ...] = (),
              kwargs: dict[str, Any] | None = None) -> Any:
    """Write ``result`` (a Tensor or a tuple of them) into ``out`` and return ``out``
    (``args`` and ``kwargs``, the call's, only name what it was given in an error)."""
    if isinstance(result, tuple):
        outs = _check_out_tuple(name, out, len(result), args, kwargs or {})
        results = result
    else:
        if not _is_tensor(out):
            raise TypeError(f"{name}(): argument 'out' must be Tensor, not "
                            f"{type(out).__name__}")
        outs, results = (out,), (result,)
    if is_grad_enabled() and any(t.requires_grad for t in (*results, *outs)):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support "
                           f"automatic differentiation, but one of the arguments requires "
                           f"grad.")
    source = getattr(args[0], "_data", None) if args else None  # (the input, named in words)
    for r, o in zip(results, outs):
        _check_dtype(name, r._data.dtype, o._data.dtype, exact=len(outs) > 1,
                     source=None if source is None else source.dtype)
    for r, o in zip(results, outs):
        resize_out(o, r._data.shape, warn=name not in _CREATE)
        with no_grad():
            o.copy_(r)
    if type(result) is tuple:
        return outs
    if isinstance(result, tuple):  # a named result: (values, indices), (U, S, Vh)...
        made_from = result.__getnewargs__()  # type: ignore[attr-defined]
        if len(made_from) == 1 and made_from[0] == tuple(result):  # from one iterable
            return type(result)(outs)
        return type(result)(*outs, *made_from[len(outs):])  # (fields, then what it keeps)
    return out


def _check_out_tuple(name: str, out: Any, n: int, args: tuple[Any, ...],
                     kwargs: dict[str, Any]) -> tuple[Any, ...]:
    if _is_tensor(out):
        got = ", ".join([*(_type_name(a) for a in args),
                         *(f"{k}={_type_name(v)}" for k, v in kwargs.items()), "out=Tensor"])
        raise TypeError(f"{name}() received an invalid combination of arguments - got "
                        f"({got}), but expected one of:\n (out= takes a tuple of {n} "
                        f"tensors here, one for each result)")
    if not isinstance(out, (tuple, list)):
        raise TypeError(f"{name}(): argument 'out' must be tuple of Tensors, not "
                        f"{type(out).__name__}")
    if len(out) != n:
        raise TypeError(f"expected tuple of {n} elements but got {len(out)}")
    for o in out:
        if not _is_tensor(o):
            raise TypeError(f"{name}(): argument 'out' must be tuple of Tensors, not "
                            f"{type(o).__name__}")
    return tuple(out)


def _type_name(value: Any) -> str:
    return "Tensor" if _is_tensor(value) else type(value).__name__


def _check_dtype(name: str, result: np.dtype, out: np.dtype, exact: bool,
                 source: np.dtype | None = None) -> None:
    if name in _BOOL_ONLY and out != np.bool_:
        raise RuntimeError(_message(_BOOL_ONLY[name], result, out))
    if result == out:
        return
    if exact or name in _EXACT:
        raise RuntimeError(_message(_EXACT.get(name, _EXACTLY), result, out))
    if not _can_cast(result, out):
        error, words = _CANNOT_CAST.get(name, (RuntimeError, "result type {result} can't be "
                                               "cast to the desired output type {out}"))
        raise error(_message(words, result, out, source))


def _message(words: str, result: Any, out: Any, source: Any = None) -> str:
    result, out = np.dtype(result), np.dtype(out)
    source = result if source is None else np.dtype(source)
    return words.format(result=scalar_type_name(result), out=scalar_type_name(out),
                        input=scalar_type_name(source),
                        result_cpp=CPP_TYPE_NAMES.get(result.name, result.name),
                        out_cpp=CPP_TYPE_NAMES.get(out.name, out.name))


def _can_cast(result: np.dtype, out: np.dtype) -> bool:
    """PyTorch's ``canCast``: not a float into an integer or bool, nor a number into bool."""
    if result in FLOATING and out not in FLOATING:
        return False
    return not (result != np.bool_ and out == np.bool_)


def resize_out(out: Any, shape: tuple[int, ...], warn: bool = True) -> None:
    """Give ``out`` the ``shape`` of the result it is about to receive (new memory), with
    PyTorch's deprecation warning if it had elements; a view cannot be resized here."""
    shape = tuple(shape)
    if tuple(out._data.shape) == shape:
        return
    if out._base is not None:
        raise NotImplementedError(
            f"out= with a view of shape {list(out._data.shape)} for a result of shape "
            f"{list(shape)}: tinygrad_edu cannot resize a view (PyTorch would re-stride it "
            f"over its base). Pass an out of the result's shape, or none.")
    if warn and out._data.size:
        warnings.warn(
            f"An output with one or more elements was resized since it had shape "
            f"{list(out._data.shape)}, which does not match the required output shape "
            f"{list(shape)}. This behavior is deprecated, and in a future PyTorch release "
            f"outputs will not be resized unless they have zero elements. You can explicitly "
            f"reuse an out tensor t by resizing it, inplace, to zero elements with "
            f"t.resize_(0).", UserWarning, stacklevel=4)
    out._data = np.empty(shape, out._data.dtype)
