"""Signatures of the public API against PyTorch's: a misspelt keyword is a TypeError
(``DataLoader(ds, batchsize=64)`` must not run with batch_size=1), and where PyTorch's
signature can be read (its Python-level classes and functions), every parameter name it
accepts is accepted here, in the same positional order, with the same defaults — or is
listed below as deliberately missing, with the reason.

The walk covers ``tg.*``, ``tg.nn.*``, ``tg.nn.functional.*``, ``tg.nn.init.*``,
``tg.nn.utils.*``, ``tg.optim.*``, ``tg.optim.lr_scheduler.*``, ``tg.utils.data.*``,
``tg.autograd.*``, ``tg.linalg.*``, ``tg.special.*`` and the methods of Tensors, modules,
containers, optimizers, schedulers, datasets and samplers: every public name that also
exists in torch.
"""

from __future__ import annotations

import inspect
import types
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn.functional
import tinygrad_edu.nn.init
import tinygrad_edu.nn.utils
import tinygrad_edu.optim.lr_scheduler
import tinygrad_edu.utils.data  # noqa: F401

torch = pytest.importorskip("torch")

BOGUS = "zz_misspelt_keyword"
P = inspect.Parameter

NAMESPACES: dict[str, Callable[[Any], Any]] = {
    "tg": lambda lib: lib,
    "nn": lambda lib: lib.nn,
    "nn.functional": lambda lib: lib.nn.functional,
    "nn.init": lambda lib: lib.nn.init,
    "nn.utils": lambda lib: lib.nn.utils,
    "optim": lambda lib: lib.optim,
    "optim.lr_scheduler": lambda lib: lib.optim.lr_scheduler,
    "utils.data": lambda lib: lib.utils.data,
    "autograd": lambda lib: lib.autograd,
    "autograd.functional": lambda lib: lib.autograd.functional,
    "linalg": lambda lib: lib.linalg,
    "special": lambda lib: lib.special,
}

# Parameter names of PyTorch's that are not here on purpose: name -> {parameter: reason}.
OUT = "out= is not supported anywhere in tinygrad_edu: every op returns a new tensor"
DELIBERATELY_MISSING: dict[str, dict[str, str]] = {}


def _instances(lib: Any) -> dict[str, Any]:
    """One object of each kind whose methods are walked (built alike in both libraries)."""
    D, nn, sched = lib.utils.data, lib.nn, lib.optim.lr_scheduler
    linear = nn.Linear(2, 2)
    sgd = lib.optim.SGD(linear.parameters(), lr=0.1)
    return {
        "Tensor": lambda: lib.ones(2, 2),
        "Parameter": lambda: nn.Parameter(lib.ones(2, 2)),
        "Module": lambda: nn.Linear(2, 2),
        "Sequential": lambda: nn.Sequential(nn.Linear(2, 2)),
        "ModuleList": lambda: nn.ModuleList([nn.Linear(2, 2)]),
        "ModuleDict": lambda: nn.ModuleDict({"a": nn.Linear(2, 2)}),
        "ParameterList": lambda: nn.ParameterList([nn.Parameter(lib.ones(1))]),
        "ParameterDict": lambda: nn.ParameterDict({"a": nn.Parameter(lib.ones(1))}),
        "BatchNorm1d": lambda: nn.BatchNorm1d(2),
        "Embedding": lambda: nn.Embedding(3, 2),
        "SGD": lambda: lib.optim.SGD(linear.parameters(), lr=0.1),
        "Adam": lambda: lib.optim.Adam(linear.parameters()),
        "StepLR": lambda: sched.StepLR(sgd, 2),
        "LambdaLR": lambda: sched.LambdaLR(sgd, lambda epoch: 1.0),
        "DataLoader": lambda: D.DataLoader(D.TensorDataset(lib.ones(2))),
        "Subset": lambda: D.Subset(D.TensorDataset(lib.ones(2)), [0]),
        "RandomSampler": lambda: D.RandomSampler(range(3)),
        "BatchSampler": lambda: D.BatchSampler(range(3), 2, False),
        "Generator": lambda: lib.Generator(),
        "grad_fn": lambda: (lib.ones(2, requires_grad=True) * 2).grad_fn,
    }


def _is_walked(obj: Any) -> bool:
    if not callable(obj) or isinstance(obj, types.ModuleType):
        return False
    if isinstance(obj, type) and issubclass(obj, BaseException):
        return False
    module = getattr(obj, "__module__", "") or ""
    return module.startswith("tinygrad_edu") or module == "builtins"


def _pairs(kind: str) -> Iterator[tuple[str, Callable[[], Any], Callable[[], Any]]]:
    """``(label, get ours, get torch's)`` for every public name of ``kind`` in both."""
    if kind in NAMESPACES:
        ours, theirs = NAMESPACES[kind](tg), NAMESPACES[kind](torch)
        for name in sorted(dir(ours)):
            if name.startswith("_") or not hasattr(theirs, name):
                continue
            if _is_walked(getattr(ours, name)):
                yield (f"{'tg' if kind == 'tg' else 'tg.' + kind}.{name}",
                       lambda n=name: getattr(ours, n), lambda n=name: getattr(theirs, n))
        return
    make_ours, make_theirs = _instances(tg)[kind], _instances(torch)[kind]
    sample = make_ours()
    for name in sorted(dir(sample)):
        # (properties first: torch's ``imag`` of a real tensor raises a RuntimeError)
        if name.startswith("_") or isinstance(getattr(type(sample), name, None), property):
            continue
        if not hasattr(make_theirs(), name):
            continue
        if callable(getattr(sample, name)):
            yield (f"{kind}.{name}", lambda n=name: getattr(make_ours(), n),
                   lambda n=name: getattr(make_theirs(), n))


KINDS = list(NAMESPACES) + list(_instances(tg))


# how PyTorch's C++ functions word the rejection of a keyword they do not know
_REJECTIONS = ("invalid combination of arguments", "takes no keyword arguments")


def _rejects_misspelt_keyword(fn: Callable[..., Any], lib: Any) -> str:
    """Call ``fn`` with a misspelt keyword (and 0..4 tensors positionally, so that required
    arguments are present): "yes" when a TypeError names the keyword (or, for PyTorch's
    C++ functions, reports an invalid combination of arguments)."""
    outcome = "no call"
    for n in range(5):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fn(*[lib.ones(2, 2) for _ in range(n)], **{BOGUS: 1})
        except TypeError as e:
            message = str(e)
            if BOGUS in message or any(kind in message for kind in _REJECTIONS):
                return "yes"
            outcome = f"TypeError: {message[:100]}"
            if "missing" in message or "required" in message or "takes" in message:
                continue
            return outcome
        except Exception as e:  # noqa: BLE001 - reported below
            return f"{type(e).__name__}: {str(e)[:100]}"
        else:
            return "accepted"
    return outcome


@pytest.mark.parametrize("kind", KINDS)
def test_misspelt_keyword_raises_type_error(kind: str) -> None:
    """For every name PyTorch rejects a misspelt keyword for, we reject it too."""
    failures = []
    checked = 0
    for label, get_ours, get_theirs in _pairs(kind):
        if _rejects_misspelt_keyword(get_theirs(), torch) != "yes":
            continue  # PyTorch itself accepts (or cannot be called so): nothing to match
        checked += 1
        outcome = _rejects_misspelt_keyword(get_ours(), tg)
        if outcome != "yes":
            failures.append(f"{label}: {outcome}")
    assert not failures, "\n".join(failures)
    assert checked > 0 or kind in {"Subset", "RandomSampler", "BatchSampler"}  # no methods


def _signature(obj: Any) -> inspect.Signature | None:
    try:
        return inspect.signature(obj)
    except (TypeError, ValueError):
        return None


def _names(signature: inspect.Signature) -> dict[str, Any]:
    return {n: p for n, p in signature.parameters.items() if n != "self"}


@pytest.mark.parametrize("kind", KINDS)
def test_parameter_names_positions_and_defaults_match_torch(kind: str) -> None:
    """Where PyTorch's signature is introspectable: its parameter names are accepted here
    (unless deliberately missing), positional parameters come in its order, and literal
    defaults are equal."""
    failures = []
    for label, get_ours, get_theirs in _pairs(kind):
        ours, theirs = _signature(get_ours()), _signature(get_theirs())
        if ours is None or theirs is None:
            continue
        mine, torchs = _names(ours), _names(theirs)
        if any(p.kind == P.VAR_KEYWORD for p in torchs.values()):
            continue  # PyTorch forwards **kwargs: nothing fixed to compare
        skip = DELIBERATELY_MISSING.get(label, {})
        named = [n for n, p in torchs.items() if p.kind not in (P.VAR_POSITIONAL, P.VAR_KEYWORD)]
        missing = [n for n in named if n not in mine and n not in skip]
        if missing:
            failures.append(f"{label}: missing {missing} (ours {list(mine)})")
        positional = (P.POSITIONAL_ONLY, P.POSITIONAL_OR_KEYWORD)
        mine_pos = [n for n, p in mine.items() if p.kind in positional]
        torch_pos = [n for n, p in torchs.items() if p.kind in positional and n not in skip]
        if mine_pos[: len(torch_pos)] != torch_pos[: len(mine_pos)]:
            failures.append(f"{label}: positional order {mine_pos} vs torch {torch_pos}")
        for name, p in torchs.items():
            if name in mine and isinstance(p.default, (bool, int, float, str, type(None))):
                if p.default is not P.empty and mine[name].default != p.default:
                    failures.append(f"{label}.{name}: default {mine[name].default!r} vs "
                                    f"torch {p.default!r}")
    assert not failures, "\n".join(failures)


def test_deliberately_missing_names_are_still_missing() -> None:
    """The exceptions above are real (a name added later must leave the list)."""
    for label, names in DELIBERATELY_MISSING.items():
        obj: Any = tg
        for part in label.split(".")[1:]:
            obj = getattr(obj, part)
        assert not set(names) & set(inspect.signature(obj).parameters), label


# ------------------------------------------------ the fixes the walk asked for, in detail


@pytest.mark.parametrize("call", [
    lambda lib: lib.utils.data.DataLoader(lib.utils.data.TensorDataset(lib.ones(2)), batchsize=2),
    lambda lib: lib.utils.data.DataLoader(lib.utils.data.TensorDataset(lib.ones(2)), shufle=True),
    lambda lib: lib.nn.Linear(2, 2, bias_=False),
    lambda lib: lib.optim.SGD([lib.nn.Parameter(lib.ones(1))], lr=0.1, momentun=0.9),
    lambda lib: lib.nn.functional.cross_entropy(lib.ones(2, 2), lib.ones(2, 2), reductio="sum"),
    lambda lib: lib.ones(2).cumsum(0, dtyp=lib.float64),
    lambda lib: lib.autograd.gradcheck(lambda t: t, (lib.ones(1),), epss=1e-3),
], ids=["batchsize", "shufle", "bias_", "momentun", "reductio", "dtyp", "epss"])
def test_misspelt_keywords_of_common_calls_match_torch(call: Any) -> None:
    messages = []
    for lib in (tg, torch):
        with pytest.raises(TypeError) as info:
            call(lib)
        messages.append(str(info.value).replace("torch.", "tinygrad_edu."))
    assert "unexpected keyword argument" in messages[0]
    assert messages[0].split("got ")[-1] == messages[1].split("got ")[-1]


def test_to_rejects_unknown_keywords_as_torch() -> None:
    for make in (lambda lib: lib.ones(2), lambda lib: lib.nn.Linear(1, 1)):
        texts = []
        for lib in (tg, torch):
            with pytest.raises(TypeError) as info:
                make(lib).to(bogus=1)
            texts.append(str(info.value).splitlines()[0])
        assert texts[0] == texts[1] == ("to() received an invalid combination of arguments - "
                                        "got (bogus=int, ), but expected one of:")
    x = tg.ones(2, requires_grad=True)
    assert x.to(tg.float32) is x and x.to(tg.float32, copy=True) is not x
    assert x.to(tg.float64, True, True).dtype == tg.float64  # non_blocking, copy
    assert x.to("cpu", tg.float64, non_blocking=False).dtype == tg.float64
    with pytest.raises(RuntimeError, match=r"\.to\(\) does not accept copy argument"):
        tg.nn.Linear(1, 1).to(copy=True)
    with pytest.raises(TypeError, match="only accepts floating point or complex dtypes"):
        tg.nn.Linear(1, 1).to(tg.int64)


def test_new_keywords_behave_as_torch() -> None:
    x = tg.tensor([1.0, 2.0, 3.0])
    assert x.cumsum(0, dtype=tg.float64).dtype == tg.float64
    assert tg.norm(x, dtype=tg.float64).dtype == tg.float64
    assert [t.tolist() for t in tg.split(x, split_size_or_sections=[1, 2])] == [[1.0], [2.0, 3.0]]
    assert tg.outer(input=x, vec2=x).shape == (3, 3)
    assert tg.zeros_like(input=x).tolist() == [0.0] * 3
    assert tg.from_numpy(ndarray=x.numpy()).tolist() == x.tolist()
    tg.set_default_dtype(d=tg.float32)
    with pytest.warns(FutureWarning, match="min_value` is deprecated"):
        assert tg.nn.Hardtanh(min_value=-2.0).min_val == -2.0
    with pytest.raises(AssertionError, match="must be greater than min_val"):
        tg.nn.Hardtanh(1.0, 0.0)
    model = tg.nn.Sequential()
    model.extend(sequential=[tg.nn.ReLU()])
    assert len(model) == 1 and len(list(tg.nn.Sequential(model, model).modules(False))) == 5


def test_autograd_keywords_behave_as_torch() -> None:
    x = tg.tensor([2.0], requires_grad=True)
    with pytest.warns(FutureWarning, match="grad_variables` is deprecated"):
        tg.autograd.backward(x * 3, grad_variables=tg.ones(1))
    assert x.grad.tolist() == [3.0]
    with pytest.raises(RuntimeError, match="both passed to `backward\\(\\)`"), \
            pytest.warns(FutureWarning):
        tg.autograd.backward(x * 3, tg.ones(1), grad_variables=tg.ones(1))
    with pytest.warns(FutureWarning, match="only_inputs argument is deprecated"):
        (g,) = tg.autograd.grad(x * x, x, only_inputs=False)
    assert g.tolist() == [4.0]
    with pytest.raises(NotImplementedError, match="is_grads_batched"):
        tg.autograd.grad(x * x, x, is_grads_batched=True)
    d = tg.tensor([1.0, 2.0], dtype=tg.float64, requires_grad=True)
    assert tg.autograd.gradcheck(func=lambda t: t * t, inputs=(d,), fast_mode=True,
                                 nondet_tol=0.0, check_undefined_grad=False)
    assert tg.autograd.gradgradcheck(lambda t: t**3, (d,), gen_non_contig_grad_outputs=True)
    with pytest.raises(NotImplementedError, match="check_forward_ad"):
        tg.autograd.gradcheck(lambda t: t * t, (d,), check_forward_ad=True)
    with pytest.raises(AssertionError, match="Expected at least one of"):
        tg.autograd.gradcheck(lambda t: t * t, (d,), check_backward_ad=False)

    @tg.enable_grad(orig_func=None)
    def f() -> bool:
        return tg.is_grad_enabled()

    with tg.no_grad():
        assert f()


def _hook_trace(lib: Any) -> list[Any]:
    """What torch's hook options do (prepend, with_kwargs, always_call), in a trace."""
    trace: list[Any] = []

    class Scale(lib.nn.Module):
        def forward(self, x: Any, scale: float = 1.0, fail: bool = False) -> Any:
            if fail:
                raise ValueError("forward failed")
            return x * scale

    m = Scale()
    m.register_forward_pre_hook(lambda mod, args: trace.append("pre1"))
    m.register_forward_pre_hook(lambda mod, args: trace.append("pre0"), prepend=True)
    m.register_forward_pre_hook(
        lambda mod, args, kwargs: (args, {**kwargs, "scale": 3.0}), with_kwargs=True)
    m.register_forward_hook(lambda mod, args, out: trace.append(("hook", out.tolist())))
    m.register_forward_hook(
        lambda mod, args, kwargs, out: trace.append(("kw", sorted(kwargs))) or out + 1,
        with_kwargs=True, prepend=True)
    handle = m.register_forward_hook(lambda mod, args, out: trace.append("always"),
                                     always_call=True)
    trace.append(m(lib.ones(1), scale=2.0).tolist())
    with pytest.raises(ValueError, match="forward failed"):
        m(lib.ones(1), fail=True)
    handle.remove()
    m.register_forward_pre_hook(lambda mod, args, kwargs: 5, with_kwargs=True)
    with pytest.raises(RuntimeError, match="forward pre-hook must return None or a tuple"):
        m(lib.ones(1))
    return trace


def test_module_hook_options_match_torch() -> None:
    assert _hook_trace(tg) == _hook_trace(torch)


def test_state_dict_positional_arguments_warn_as_torch() -> None:
    from collections import OrderedDict

    model = tg.nn.Linear(1, 1)
    with pytest.warns(FutureWarning, match="Positional args are being deprecated"):
        sd = model.state_dict(OrderedDict(), "m.", True)
    assert list(sd) == ["m.weight", "m.bias"] and sd["m.weight"].requires_grad
