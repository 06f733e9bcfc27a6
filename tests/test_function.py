"""Custom ``tg.autograd.Function``s, written exactly as PyTorch's docs write them.

``_functions(m)`` defines each classic example against a module ``m``: ``tg`` or ``torch``.
The bodies are PyTorch's, with ``torch`` replaced by ``m``; the same code runs on both.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import tinygrad_edu as tg


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _functions(m):
    Function = m.autograd.Function

    class Exp(Function):  # torch.autograd.Function's docstring
        @staticmethod
        def forward(ctx, i):
            result = i.exp()
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def backward(ctx, grad_output):
            (result,) = ctx.saved_tensors
            return grad_output * result

    class MyReLU(Function):  # "Learning PyTorch with Examples"
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return input.clamp(min=0)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            grad_input = grad_output.clone()
            grad_input[input < 0] = 0
            return grad_input

    class LegendrePolynomial3(Function):  # "Learning PyTorch with Examples"
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input**3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input**2 - 1)

    class Swish(Function):
        @staticmethod
        def forward(ctx, i):
            result = i * m.sigmoid(i)
            ctx.save_for_backward(i)
            return result

        @staticmethod
        def backward(ctx, grad_output):
            i = ctx.saved_tensors[0]
            sigmoid_i = m.sigmoid(i)
            return grad_output * (sigmoid_i * (1 + i * (1 - sigmoid_i)))

    class LinearFunction(Function):  # "Extending torch.autograd"
        @staticmethod
        def forward(ctx, input, weight, bias=None):
            ctx.save_for_backward(input, weight, bias)
            output = input.mm(weight.t())
            if bias is not None:
                output += bias.unsqueeze(0).expand_as(output)
            return output

        @staticmethod
        def backward(ctx, grad_output):
            input, weight, bias = ctx.saved_tensors
            grad_input = grad_weight = grad_bias = None
            if ctx.needs_input_grad[0]:
                grad_input = grad_output.mm(weight)
            if ctx.needs_input_grad[1]:
                grad_weight = grad_output.t().mm(input)
            if bias is not None and ctx.needs_input_grad[2]:
                grad_bias = grad_output.sum(0)
            return grad_input, grad_weight, grad_bias

    class LinearFunctionSetupContext(Function):  # the same, in the newer setup_context style
        @staticmethod
        def forward(input, weight, bias):
            output = input.mm(weight.t())
            if bias is not None:
                output += bias.unsqueeze(0).expand_as(output)
            return output

        @staticmethod
        def setup_context(ctx, inputs, output):
            input, weight, bias = inputs
            ctx.save_for_backward(input, weight, bias)

        @staticmethod
        def backward(ctx, grad_output):
            input, weight, bias = ctx.saved_tensors
            grad_input = grad_weight = grad_bias = None
            if ctx.needs_input_grad[0]:
                grad_input = grad_output.mm(weight)
            if ctx.needs_input_grad[1]:
                grad_weight = grad_output.t().mm(input)
            if bias is not None and ctx.needs_input_grad[2]:
                grad_bias = grad_output.sum(0)
            return grad_input, grad_weight, grad_bias

    class MulConstant(Function):  # "Extending torch.autograd": a non-tensor argument
        @staticmethod
        def forward(ctx, tensor, constant):
            ctx.constant = constant
            return tensor * constant

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output * ctx.constant, None

    return {
        f.__name__: f
        for f in (
            Exp,
            MyReLU,
            LegendrePolynomial3,
            Swish,
            LinearFunction,
            LinearFunctionSetupContext,
            MulConstant,
        )
    }


RNG = np.random.default_rng(0)
X = RNG.standard_normal((3, 4))
W = RNG.standard_normal((2, 4))
B = RNG.standard_normal(2)
V = np.array([-1.5, -0.2, 0.3, 2.0])

CALLS = {  # name -> (function name, inputs as arrays, extra non-tensor arguments)
    "Exp": ("Exp", [V], []),
    "MyReLU": ("MyReLU", [V], []),
    "LegendrePolynomial3": ("LegendrePolynomial3", [V], []),
    "Swish": ("Swish", [V], []),
    "LinearFunction": ("LinearFunction", [X, W, B], []),
    "LinearFunction_no_bias": ("LinearFunction", [X, W], []),
    "LinearFunctionSetupContext": ("LinearFunctionSetupContext", [X, W, B], []),
    "MulConstant": ("MulConstant", [V], [2.5]),
}


def _tg_inputs(arrays, dtype=tg.float64):
    return [tg.tensor(a, dtype=dtype, requires_grad=True) for a in arrays]


@pytest.mark.parametrize("name", sorted(CALLS))
def test_docs_function_matches_torch(torch, name):
    fn_name, arrays, extra = CALLS[name]
    results = []
    for m in (tg, torch):
        fn = _functions(m)[fn_name]
        inputs = [m.tensor(a, requires_grad=True) for a in arrays]
        out = fn.apply(*inputs, *extra)
        assert type(out.grad_fn).__name__ == fn_name + "Backward"
        (out * out).sum().backward()
        results.append([out.detach().numpy().copy()] + [t.grad.numpy().copy() for t in inputs])
    for k, (mine, theirs) in enumerate(zip(*results)):
        np.testing.assert_allclose(
            mine,
            theirs,
            rtol=1e-12,
            atol=1e-12,
            err_msg="output" if k == 0 else f"backward, input {k - 1}",
        )


@pytest.mark.parametrize("name", sorted(CALLS))
def test_docs_function_gradcheck(name):
    fn_name, arrays, extra = CALLS[name]
    fn = _functions(tg)[fn_name]
    inputs = _tg_inputs(arrays)
    assert tg.autograd.gradcheck(lambda *a: fn.apply(*a, *extra), inputs)


@pytest.mark.parametrize("name", ["Exp", "LegendrePolynomial3", "Swish", "LinearFunction"])
def test_docs_function_double_backward(torch, name):
    # backward is written with tensor ops, so create_graph=True differentiates it again
    fn_name, arrays, extra = CALLS[name]
    assert tg.autograd.gradgradcheck(_functions(tg)[fn_name].apply, _tg_inputs(arrays))
    results = []
    for m in (tg, torch):
        inputs = [m.tensor(a, requires_grad=True) for a in arrays]
        out = _functions(m)[fn_name].apply(*inputs)
        grads = m.autograd.grad(out.sum(), inputs, create_graph=True)
        # (the bias gradient does not depend on any input: its second derivative is None)
        second = m.autograd.grad(sum((g * g).sum() for g in grads), inputs, allow_unused=True)
        results.append([None if g is None else g.detach().numpy().copy() for g in grads + second])
    for mine, theirs in zip(*results):
        assert (mine is None) == (theirs is None)
        if mine is not None:
            np.testing.assert_allclose(mine, theirs, rtol=1e-10, atol=1e-12)


def test_needs_input_grad():
    seen = []

    class Probe(tg.autograd.Function):
        @staticmethod
        def forward(ctx, a, b, c):
            seen.append(ctx.needs_input_grad)
            return a * b

        @staticmethod
        def backward(ctx, grad):
            return grad, grad, None

    a = tg.tensor([1.0], requires_grad=True)
    b = tg.tensor([2.0])
    Probe.apply(a, b, 3).sum().backward()
    assert seen[-1] == (True, False, False)
    assert a.grad.tolist() == [1.0] and b.grad is None


def test_forward_sees_no_graph():
    class Inspect(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.inside = (x.requires_grad, tg.is_grad_enabled(), (x * 2).requires_grad)
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = Inspect.apply(x)
    assert y.grad_fn.inside == (False, False, False)
    assert y.requires_grad and not y.is_leaf


def test_not_recorded_under_no_grad_or_without_grad_inputs():
    Exp = _functions(tg)["Exp"]
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    with tg.no_grad():
        y = Exp.apply(x)
    assert not y.requires_grad and y.grad_fn is None
    z = Exp.apply(tg.tensor([1.0, 2.0]))
    assert not z.requires_grad and z.grad_fn is None
    np.testing.assert_allclose(z.numpy(), np.exp([1.0, 2.0]), rtol=1e-6)


def test_saved_tensors_freed_and_version_checked():
    Exp = _functions(tg)["Exp"]
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = Exp.apply(x)
    y.sum().backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.grad_fn.saved_tensors
    y = Exp.apply(x)
    y.add_(1)  # Exp saved its output
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_function_errors_like_torch(torch):
    def errors(m):
        class TooFew(m.autograd.Function):
            @staticmethod
            def forward(ctx, x, y):
                return x * y

            @staticmethod
            def backward(ctx, grad):
                return grad

        class BadShape(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, grad):
                return m.ones(5)

        class NoBackward(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

        x = m.tensor([1.0, 2.0], requires_grad=True)
        out = []
        for run in (
            lambda: TooFew.apply(x, x).sum().backward(),
            lambda: BadShape.apply(x).sum().backward(),
            lambda: NoBackward.apply(x).sum().backward(),
        ):
            with pytest.raises((RuntimeError, NotImplementedError)) as info:
                run()
            out.append((info.type.__name__, str(info.value)))
        return out

    assert errors(tg) == errors(torch)


def test_backward_gradient_of_broadcast_shape_is_summed(torch):
    results = []
    for m in (tg, torch):

        class SumAll(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x.sum()

            @staticmethod
            def backward(ctx, grad):
                return grad.expand(2, 3)  # PyTorch sums it back to the input's shape

        w = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
        SumAll.apply(w).backward()
        results.append(w.grad.tolist())
    assert results[0] == results[1] == [2.0, 2.0, 2.0]


def test_backward_returning_an_input_is_not_aliased():
    class Identity(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.clone()

        @staticmethod
        def backward(ctx, grad):
            return grad

    x = tg.tensor([1.0, 2.0], requires_grad=True)
    g = tg.tensor([1.0, 1.0])
    Identity.apply(x).backward(g)
    Identity.apply(x).backward(g)
    assert x.grad.tolist() == [2.0, 2.0] and g.tolist() == [1.0, 1.0]


def test_polynomial_fit_with_custom_function_matches_torch(torch):
    # "Learning PyTorch with Examples": y = a + b * P3(c + d * x), fitted to sin(x)
    def fit(m):
        P3 = _functions(m)["LegendrePolynomial3"].apply
        x = m.linspace(-math.pi, math.pi, 200)
        y = m.sin(x)
        a = m.full((), 0.0, requires_grad=True)
        b = m.full((), -1.0, requires_grad=True)
        c = m.full((), 0.0, requires_grad=True)
        d = m.full((), 0.3, requires_grad=True)
        losses = []
        for _ in range(30):
            y_pred = a + b * P3(c + d * x)
            loss = (y_pred - y).pow(2).sum()
            losses.append(loss.item())
            loss.backward()
            with m.no_grad():
                for p in (a, b, c, d):
                    p -= 5e-5 * p.grad
                    p.grad = None
        return losses, [p.item() for p in (a, b, c, d)]

    mine, theirs = fit(tg), fit(torch)
    np.testing.assert_allclose(mine[0], theirs[0], rtol=1e-4)
    np.testing.assert_allclose(mine[1], theirs[1], rtol=1e-4, atol=1e-6)
    assert mine[0][-1] < mine[0][0]


def test_relu_network_with_custom_function_matches_torch(torch):
    rng = np.random.default_rng(1)
    xs = rng.standard_normal((16, 3)).astype(np.float32)
    ys = rng.standard_normal((16, 1)).astype(np.float32)
    w1 = rng.standard_normal((3, 8)).astype(np.float32)
    w2 = rng.standard_normal((8, 1)).astype(np.float32)

    def train(m):
        relu = _functions(m)["MyReLU"].apply
        p1, p2 = m.tensor(w1, requires_grad=True), m.tensor(w2, requires_grad=True)
        x, y = m.tensor(xs), m.tensor(ys)
        losses = []
        for _ in range(5):
            loss = (relu(x.mm(p1)).mm(p2) - y).pow(2).sum()
            loss.backward()
            losses.append(loss.item())
            with m.no_grad():
                p1 -= 1e-3 * p1.grad
                p2 -= 1e-3 * p2.grad
                p1.grad.zero_()
                p2.grad.zero_()
        return losses

    np.testing.assert_allclose(train(tg), train(torch), rtol=1e-5)


def test_function_with_two_outputs(torch):
    results = []
    for m in (tg, torch):

        class SinCos(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x.sin(), x.cos()

            @staticmethod
            def backward(ctx, gs, gc):
                (x,) = ctx.saved_tensors
                return gs * x.cos() - gc * x.sin()

        x = m.tensor([0.5, 1.0], requires_grad=True)
        s, c = SinCos.apply(x)
        (s * c).sum().backward()
        results.append(x.grad.tolist())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-6)


def _several_outputs_cases(m):
    Function = m.autograd.Function

    class Three(Function):  # a tensor, a number, a tensor
        @staticmethod
        def forward(ctx, x):
            return x * 2, 5, x * 3

        @staticmethod
        def backward(ctx, ga, gn, gb):
            assert gn is None
            return ga * 2 + gb * 3

    class Lazy(Function):  # None for the unused output
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, ga, gb):
            seen.append(gb is None)
            return ga * 2 if gb is None else ga * 2 + gb * 3

    class ArgMax(Function):  # an index output marked non-differentiable
        @staticmethod
        def forward(ctx, x):
            idx = x.argmax().reshape(1)
            ctx.mark_non_differentiable(idx)
            return x * 2, idx

        @staticmethod
        def backward(ctx, g, gi):
            seen.append(gi.tolist())
            return g * 2

    class Double(Function):  # changes its input in place
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2

    seen: list = []
    return Three, Lazy, ArgMax, Double, seen


def test_function_with_several_outputs_number_and_unused_output(torch):
    results = []
    for m in (tg, torch):
        Three, *_ = _several_outputs_cases(m)
        x = m.tensor([1.0, 2.0], requires_grad=True)
        a, n, b = Three.apply(x)
        assert a.grad_fn is b.grad_fn and n == 5
        assert [k for _, k in (a * b).grad_fn.next_functions] == [0, 2]
        a.sum().backward()  # b got no gradient: zeros for it
        results.append(x.grad.tolist())
    assert results[0] == results[1] == [2.0, 2.0]


def test_set_materialize_grads_false_gives_none():
    _, Lazy, _, _, seen = _several_outputs_cases(tg)
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    a, b = Lazy.apply(x)
    a.sum().backward()
    assert seen == [True] and x.grad.tolist() == [2.0, 2.0]


def test_mark_non_differentiable_output_does_not_require_grad(torch):
    for m in (tg, torch):
        _, _, ArgMax, _, seen = _several_outputs_cases(m)
        x = m.tensor([1.0, 3.0], requires_grad=True)
        out, idx = ArgMax.apply(x)
        assert not idx.requires_grad and idx.grad_fn is None and out.requires_grad
        out.sum().backward()
        assert seen == [[0]] and x.grad.tolist() == [2.0, 2.0]


def test_mark_dirty_returns_the_input_with_the_new_history(torch):
    for m in (tg, torch):
        *_, Double, _ = _several_outputs_cases(m)
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = x * 1
        z = Double.apply(y)
        assert z is y and type(y.grad_fn).__name__ == "DoubleBackward"
        z.sum().backward()
        assert x.grad.tolist() == [2.0, 2.0] and y.tolist() == [2.0, 4.0]
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad has been "
                                               "used in an in-place operation"):
            Double.apply(x)


def test_several_outputs_retain_grad_hooks_and_autograd_grad(torch):
    results = []
    for m in (tg, torch):
        Three, *_ = _several_outputs_cases(m)
        x = m.tensor([1.0, 2.0], requires_grad=True)
        a, _, b = Three.apply(x)
        b.retain_grad()
        seen = []
        a.register_hook(lambda g: seen.append(g.tolist()))
        loss = (a * 10 + b * 100).sum()
        grads = m.autograd.grad(loss, [a, b, x], retain_graph=True)
        after_grad = b.grad.tolist()
        loss.backward()
        results.append(([g.tolist() for g in grads], after_grad, b.grad.tolist(),
                        x.grad.tolist(), seen))
    assert results[0] == results[1]
    assert results[0][0] == [[10.0, 10.0], [100.0, 100.0], [320.0, 320.0]]


def test_function_returning_an_input_unchanged_returns_a_view(torch):
    for m in (tg, torch):
        class Same(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x

            @staticmethod
            def backward(ctx, g):
                return g * 3

        y = m.tensor([1.0, 2.0], requires_grad=True) * 1
        z = Same.apply(y)
        assert z is not y and z._base is y and type(z.grad_fn).__name__ == "SameBackward"


def test_several_outputs_double_backward(torch):
    results = []
    for m in (tg, torch):
        class SinCos(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x.sin(), x.cos()

            @staticmethod
            def backward(ctx, gs, gc):
                (x,) = ctx.saved_tensors
                return gs * x.cos() - gc * x.sin()

        x = m.tensor([0.5, 1.0], requires_grad=True)
        s, c = SinCos.apply(x)
        (g,) = m.autograd.grad((s * c).sum(), x, create_graph=True)
        (gg,) = m.autograd.grad(g.sum(), x)
        results.append((g.tolist(), gg.tolist()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-6)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-6)
