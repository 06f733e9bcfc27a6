"""Every grad_fn name a graph can show is greppable: written literally beside the class whose
code runs, or in parity/grad_fn_names.py next to that class's name; no name is shared by
two classes (PyTorch's generic ``NotImplemented`` node is one class here too:
``NoDerivative``, whose first argument names the op)."""

import importlib
import inspect
import pkgutil
import sys
from collections import defaultdict

import tinygrad_edu
import tinygrad_edu as tg
from tinygrad_edu.core.function import Function
from tinygrad_edu.parity.grad_fn_names import ALIASES

for _mod in pkgutil.walk_packages(tinygrad_edu.__path__, "tinygrad_edu."):
    importlib.import_module(_mod.name)


def _functions() -> list[type]:
    found, stack = [], [Function]
    while stack:
        for sub in stack.pop().__subclasses__():
            stack.append(sub)
            if sub.__module__.startswith("tinygrad_edu."):
                found.append(sub)
    return found


def _code_class(cls: type) -> type:
    """The class whose forward or backward a node of ``cls`` runs."""
    return next(c for c in cls.__mro__ if "forward" in c.__dict__ or "backward" in c.__dict__)


def test_grad_fn_names_are_greppable_and_name_one_class():
    classes = defaultdict(set)
    for cls in _functions():
        name = cls._node_cls.__name__
        code = _code_class(cls)
        if name in ALIASES:
            assert code.__name__ in ALIASES[name], (name, cls)
        elif "_grad_fn_name" in cls.__dict__:
            source = open(sys.modules[cls.__module__].__file__).read()
            assert f'_grad_fn_name = "{name}"' in source, (name, cls)
            assert code is cls or not any(k in cls.__dict__ for k in ("forward", "backward"))
        else:  # no label: PyTorch's rule for a Function, <ClassName>Backward
            assert name == cls.__name__ + "Backward", (name, cls)
            assert f"class {cls.__name__}(" in inspect.getsource(sys.modules[cls.__module__])
        classes[name].add(code.__name__)
    for name, codes in classes.items():
        if name in ALIASES:
            assert codes <= set(ALIASES[name]), (name, codes)
        else:
            assert len(codes) == 1, (name, codes)


def test_every_alias_is_used():
    shown = {cls._node_cls.__name__ for cls in _functions()}
    assert set(ALIASES) <= shown


def test_ops_without_a_derivative_share_torchs_one_node_class():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    nodes = [(x // 2).grad_fn, (2 % x).grad_fn, x.bernoulli(0.5).grad_fn]
    assert {type(n) for n in nodes} == {type(nodes[0])}
    assert type(nodes[0]).__name__ == "NotImplemented"
    assert [n.name() for n in nodes] == ["torch::autograd::NotImplemented"] * 3
    assert [len(n.next_functions) for n in nodes] == [1, 1, 1]


def test_clamp_forms_named_as_torch() -> None:
    """clamp records ClampBackward1 (numbers) or ClampBackward0 (tensors) whichever bound
    it gets; clamp_min / clamp_max are PyTorch's ops of their own: ClampMinBackward0
    (a number), ClampMinBackward1 (a tensor, next_functions: self and min only)."""
    x, t = tg.ones(2, requires_grad=True), tg.ones(2)
    cases = {"ClampBackward1": [x.clamp(min=0.5), x.clamp(max=0.5), x.clip(0.1, 0.5)],
             "ClampBackward0": [x.clamp(min=t), x.clamp(max=t), x.clamp(t, t)],
             "ClampMinBackward0": [x.clamp_min(0.5), tg.clamp_min(x, 0.5),
                                   x.clone().clamp_min_(0.5)],
             "ClampMaxBackward0": [x.clamp_max(0.5), tg.clamp_max(x, 0.5)],
             "ClampMinBackward1": [x.clamp_min(t), tg.clamp_min(x, t)],
             "ClampMaxBackward1": [x.clamp_max(t)]}
    for name, results in cases.items():
        for r in results:
            assert r.grad_fn.name() == name
    assert len(x.clamp_min(t).grad_fn.next_functions) == 2
    assert len(x.clamp(min=t).grad_fn.next_functions) == 3
