"""Grad modes: no_grad, enable_grad, set_grad_enabled, inference_mode, as in PyTorch.

Each as a context manager and as a decorator (with and without parentheses); nothing is
recorded under them; they nest and are restored after exceptions.
"""

from __future__ import annotations

import pytest

import tinygrad_edu as tg


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def _grad_mode_restored():
    assert tg.is_grad_enabled()
    yield
    assert tg.is_grad_enabled(), "a test left grad mode off"
    tg.set_grad_enabled(True)


def _record_something():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * 2).exp().sum()
    return y


def _assert_not_recorded(y):
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf


def _assert_recorded(y):
    assert y.requires_grad and y.grad_fn is not None


# ------------------------------------------------------------------------------ context managers
@pytest.mark.parametrize(
    "mode",
    [
        lambda: tg.no_grad(),
        lambda: tg.set_grad_enabled(False),
        lambda: tg.inference_mode(),
        lambda: tg.inference_mode(True),
        lambda: tg.autograd.no_grad(),
    ],
    ids=[
        "no_grad",
        "set_grad_enabled(False)",
        "inference_mode",
        "inference_mode(True)",
        "autograd.no_grad",
    ],
)
def test_nothing_recorded_under_mode(mode):
    with mode():
        assert not tg.is_grad_enabled()
        y = _record_something()
        x = tg.tensor([1.0], requires_grad=True)
        z = x.clone()
        w = x[0] * 3 + x.sum()
    _assert_not_recorded(y)
    _assert_not_recorded(z)
    _assert_not_recorded(w)
    assert x.requires_grad  # leaves keep their flag
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()


def test_no_grad_results_can_join_a_graph_later():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    with tg.no_grad():
        c = x * 10  # a constant
    y = (c * x).sum()
    y.backward()
    assert x.grad.tolist() == [10.0, 20.0]  # c contributed no gradient path of its own


def test_enable_grad_inside_no_grad():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    with tg.no_grad():
        with tg.enable_grad():
            assert tg.is_grad_enabled()
            y = (x * x).sum()
        assert not tg.is_grad_enabled()
        z = x * 2
    _assert_recorded(y)
    _assert_not_recorded(z)
    y.backward()
    assert x.grad.tolist() == [2.0, 4.0]


@pytest.mark.parametrize("flag", [True, False])
def test_set_grad_enabled(flag):
    x = tg.tensor([1.0], requires_grad=True)
    with tg.set_grad_enabled(flag):
        assert tg.is_grad_enabled() is flag
        y = x * 2
    assert y.requires_grad is flag
    assert tg.is_grad_enabled()


def test_set_grad_enabled_as_a_statement():
    tg.set_grad_enabled(False)  # acts immediately, as in PyTorch
    try:
        assert not tg.is_grad_enabled()
        _assert_not_recorded(_record_something())
    finally:
        tg.set_grad_enabled(True)
    _assert_recorded(_record_something())


def test_inference_mode_false_enables_grad():
    with tg.no_grad():
        with tg.inference_mode(False):  # as in PyTorch: grad mode on
            assert tg.is_grad_enabled()
            _assert_recorded(_record_something())
        assert not tg.is_grad_enabled()


def test_nesting_restores_each_level():
    states = []
    with tg.no_grad():
        states.append(tg.is_grad_enabled())
        with tg.enable_grad():
            states.append(tg.is_grad_enabled())
            with tg.set_grad_enabled(False):
                states.append(tg.is_grad_enabled())
                with tg.inference_mode():
                    states.append(tg.is_grad_enabled())
                states.append(tg.is_grad_enabled())
            states.append(tg.is_grad_enabled())
        states.append(tg.is_grad_enabled())
    states.append(tg.is_grad_enabled())
    assert states == [False, True, False, False, False, True, False, True]


def test_same_instance_reentered():
    mode = tg.no_grad()
    with mode:
        with tg.enable_grad():
            with mode:
                assert not tg.is_grad_enabled()
            assert tg.is_grad_enabled()
        assert not tg.is_grad_enabled()
    assert tg.is_grad_enabled()


@pytest.mark.parametrize(
    "mode",
    [
        lambda: tg.no_grad(),
        lambda: tg.enable_grad(),
        lambda: tg.set_grad_enabled(False),
        lambda: tg.inference_mode(),
    ],
    ids=["no_grad", "enable_grad", "set_grad_enabled", "inference_mode"],
)
def test_restored_after_exception(mode):
    with pytest.raises(ValueError):
        with mode():
            raise ValueError("boom")
    assert tg.is_grad_enabled()
    with tg.no_grad():
        with pytest.raises(KeyError):
            with tg.enable_grad():
                raise KeyError("boom")
        assert not tg.is_grad_enabled()


# ------------------------------------------------------------------------------ decorators
def test_decorators_with_and_without_parentheses():
    @tg.no_grad
    def bare():
        return tg.is_grad_enabled(), _record_something()

    @tg.no_grad()
    def called():
        return tg.is_grad_enabled(), _record_something()

    @tg.inference_mode
    def inference_bare():
        return tg.is_grad_enabled(), _record_something()

    @tg.inference_mode()
    def inference_called():
        return tg.is_grad_enabled(), _record_something()

    @tg.set_grad_enabled(False)
    def disabled():
        return tg.is_grad_enabled(), _record_something()

    assert tg.is_grad_enabled()  # decorating with set_grad_enabled(False) did not switch
    for fn in (bare, called, inference_bare, inference_called, disabled):
        enabled, y = fn()
        assert enabled is False, fn.__name__
        _assert_not_recorded(y)
        assert tg.is_grad_enabled()
    assert bare.__name__ == "bare" and called.__name__ == "called"


def test_enable_grad_decorator_inside_no_grad():
    @tg.enable_grad
    def bare():
        return _record_something()

    @tg.enable_grad()
    def called():
        return _record_something()

    with tg.no_grad():
        _assert_recorded(bare())
        _assert_recorded(called())
        assert not tg.is_grad_enabled()


def test_decorator_restores_after_exception_and_passes_arguments():
    @tg.no_grad()
    def fails(a, *, b):
        assert (a, b) == (1, 2)
        raise RuntimeError("inside")

    with pytest.raises(RuntimeError, match="inside"):
        fails(1, b=2)
    assert tg.is_grad_enabled()


def test_decorated_function_called_recursively():
    @tg.no_grad()
    def depth(n):
        assert not tg.is_grad_enabled()
        return 0 if n == 0 else 1 + depth(n - 1)

    assert depth(5) == 5 and tg.is_grad_enabled()


def test_decorated_generator_runs_each_step_under_the_mode():
    @tg.no_grad()
    def gen():
        for _ in range(2):
            yield tg.is_grad_enabled()
        return "done"

    it = gen()
    assert next(it) is False
    assert tg.is_grad_enabled()  # between steps the caller's mode holds
    assert next(it) is False
    with pytest.raises(StopIteration) as stop:
        next(it)
    assert stop.value.value == "done"


# ------------------------------------------------------------------------------ against torch
def test_grad_modes_match_torch(torch):
    def trace(m):
        out = []

        @m.no_grad
        def bare():
            return m.is_grad_enabled()

        @m.inference_mode()
        def inf():
            return m.is_grad_enabled()

        @m.set_grad_enabled(False)
        def sge():
            return m.is_grad_enabled()

        @m.no_grad()
        def gen():
            yield m.is_grad_enabled()

        out.append((bare(), inf(), sge(), next(gen()), m.is_grad_enabled()))
        with m.no_grad():
            with m.enable_grad():
                out.append(m.is_grad_enabled())
            with m.inference_mode(False):
                out.append(m.is_grad_enabled())
            out.append(m.is_grad_enabled())
            x = m.tensor([1.0], requires_grad=True)
            y = x * 2
            out.append((y.requires_grad, y.grad_fn is None))
        m.set_grad_enabled(False)
        out.append(m.is_grad_enabled())
        m.set_grad_enabled(True)
        try:
            with m.no_grad():
                raise ValueError
        except ValueError:
            out.append(m.is_grad_enabled())
        return out

    assert trace(tg) == trace(torch)
