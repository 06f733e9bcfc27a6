"""tg.compile's passes over a recording (``compiler/optimize.py``) and its guards as code:
each removes work from the replay, and none changes a bit of what the step leaves behind."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg
from benchmarks import data


def _linreg(returns_loss: bool) -> tuple[Any, Any, Any]:
    tg.manual_seed(0)
    model = tg.nn.Linear(1, 1)
    x, y = (tg.from_numpy(a.copy()) for a in data.linreg())
    opt = tg.optim.SGD(model.parameters(), lr=0.1)

    def step() -> Any:
        opt.zero_grad()
        loss = tg.nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        return loss if returns_loss else None

    return step, model, opt


def _quadratic() -> tuple[Any, Any]:
    tg.manual_seed(2021)
    time = tg.arange(0, 20).float()
    speed = tg.rand(20) * 5 + 0.8 * (time - 7.5) ** 2 + 1
    params = tg.randn(3).requires_grad_()

    def step() -> None:
        a, b, c = params
        loss = ((a * (time**2) + (b * time) + c - speed) ** 2).mean()
        loss.backward()
        params.data -= 1e-5 * params.grad.data
        params.grad = None

    return step, params


def _program(compiled: Any) -> Any:
    (_, program, verified), = compiled._programs
    assert verified[0], compiled.explanation()
    return program


def _twins(build: Any, calls: int = 12) -> tuple[Any, list[Any], list[Any]]:
    """Run ``build()``'s step eagerly and compiled, ``calls`` times; the compiled step,
    and what each returned."""
    eager, *eager_state = build()
    step, *state = build()
    compiled = tg.compile(step)
    out_e, out_c = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (no fallback, no new recording)
        for _ in range(calls):
            out_e.append(eager())
            out_c.append(compiled())
            for a, b in zip(eager_state, state):
                for p, q in zip(a.parameters(), b.parameters()) if hasattr(a, "parameters") \
                        else [(a, b)]:
                    assert p._data.tobytes() == q._data.tobytes()
    return compiled, out_e, out_c


def test_a_loss_the_step_does_not_return_is_dead_code() -> None:
    compiled, _, _ = _twins(lambda: _linreg(False)[:2])
    program = _program(compiled)
    assert program.removed["dead"] >= 10  # the mean of 200 numbers in PyTorch's order
    assert program.calls < len(program.rec.steps) // 2
    assert "dead" in compiled.explanation()


def test_a_loss_is_dead_code_while_a_hook_exists_elsewhere() -> None:
    """Found by the full suite's order: with a hook on any tensor, backward seeds the
    gradient with ``np.ones_like(loss)``, which read only the loss's shape but counted as
    reading its values, so the loss was never dead."""
    other = tg.ones(1, requires_grad=True)
    with other.register_hook(lambda g: g):
        compiled, _, _ = _twins(lambda: _linreg(False)[:2])
    assert _program(compiled).removed["dead"] >= 10


def test_a_returned_loss_is_computed_and_exact() -> None:
    compiled, out_e, out_c = _twins(lambda: _linreg(True)[:2])
    for a, b in zip(out_e, out_c):
        assert a._data.tobytes() == b._data.tobytes() and a.dtype == b.dtype
    assert _program(compiled).removed["dead"] < 10


def test_the_gradient_seed_is_folded_into_a_constant() -> None:
    compiled, _, _ = _twins(lambda: _linreg(False)[:2])
    program = _program(compiled)
    assert program.removed["folded"] >= 2  # the seed's ones, and them times 2/n


def test_a_copy_overwritten_before_use_reads_nothing() -> None:
    """``seed = loss.copy(); seed.fill(1)``: the copy only made the buffer. It becomes
    ``np.empty_like``, the fill a constant, and the loss (not returned) dead code."""
    from tinygrad_edu.compiler.optimize import optimize
    from tinygrad_edu.compiler.recorder import Recorder

    rec = Recorder()
    x = rec.input(np.arange(4.0, dtype=np.float32), "x")
    with rec:
        loss = np.square(x).sum()
        seed = loss.copy()
        seed.fill(1)
        np.multiply(x, seed * 0.5, out=x)
    ops, _, _, _, removed = optimize(rec, wanted=set(), inputs={x._tid})
    assert removed == {"overwritten": 1, "folded": 3, "copies left behind": 0, "dead": 2,
                       "made once": 0, "scalar copies": 0, "turned": 0, "spread": 0}
    assert [op.label for op in ops] == ["np.multiply"]


def test_a_gradient_copy_is_its_buffer() -> None:
    """``p.grad = g.copy()`` of a gradient the step made and then drops: the copy is the
    buffer itself, made anew at each replay (the linear model's weight and bias)."""
    compiled, _, _ = _twins(lambda: _linreg(False)[:2])
    program = _program(compiled)
    assert program.removed["copies left behind"] == 2
    assert ".copy" not in [getattr(op, "label", None) for op in program.ops]
    assert "the buffer itself: its copy is left out" in program.explain()


def _copy_kept(body: Any) -> dict[str, int]:
    """What the passes remove from a recording of ``body(x)``, which returns the array
    the step leaves behind."""
    from tinygrad_edu.compiler.optimize import optimize
    from tinygrad_edu.compiler.recorder import Recorder

    rec = Recorder()
    x = rec.input(np.arange(12.0, dtype=np.float32).reshape(3, 4), "x")
    with rec:
        kept = body(x)
    return optimize(rec, wanted={kept._tid}, inputs={x._tid})[4]


def test_a_copy_is_kept_when_its_buffer_is_used_after_it_or_laid_out_otherwise() -> None:
    def used_after(x: Any) -> Any:
        g = np.multiply(x, 2.0)
        kept = g.copy()
        np.add(x, g, out=x)  # the buffer is read after the copy
        return kept

    assert _copy_kept(lambda x: np.multiply(x, 2.0).copy())["copies left behind"] == 1
    assert _copy_kept(used_after)["copies left behind"] == 0
    assert _copy_kept(lambda x: np.multiply(x, 2.0).T.copy())["copies left behind"] == 0
    assert _copy_kept(lambda x: np.multiply(x, 2.0)[1:].copy())["copies left behind"] == 0
    # np.squeeze returns a view of the input, logged as a value of its own: its memory is
    # the input's, so the copy is what keeps the two apart
    assert _copy_kept(lambda x: np.squeeze(x).copy())["copies left behind"] == 0


def test_results_and_grads_are_new_arrays_at_every_call() -> None:
    """Buffers are reused between replays only for values that die with the step: what
    the step leaves behind is a new array each call, as in eager."""
    step, model, _ = _linreg(True)
    compiled = tg.compile(step)
    losses, grads = [], []
    for _ in range(8):
        losses.append(compiled())
        grads.append(model.weight.grad)
    kept = [(x._data.copy(), g._data.copy()) for x, g in zip(losses, grads)]
    compiled()
    for (x, g), loss, grad in zip(kept, losses, grads):
        assert np.array_equal(x, loss._data) and np.array_equal(g, grad._data)
    assert len({id(g._data) for g in grads}) == len(grads)
    assert len({id(x._data) for x in losses}) == len(losses)


def test_views_of_buffers_and_fills_are_made_once() -> None:
    """The quadratic fit: its sums' slices are views of buffers kept between replays, made
    once; ``zeros.fill(0); zeros[2] = g`` (the backward of ``a, b, c = params``) fills once."""
    compiled, _, _ = _twins(lambda: _quadratic(), calls=30)
    program = _program(compiled)
    labels = [step.label for step in program.once]
    assert labels.count(".fill") == 3 and labels.count("[]") >= 9, labels
    assert ".fill" not in [getattr(op, "label", None) for op in program.ops]
    assert "made once" in program.explain()
    assert len(program.bound) == 4  # params[0], [1], [2] and params.data's view


def test_views_of_a_parameter_follow_a_new_array() -> None:
    """``a, b, c = params`` are views of the parameter's array, made again only when the
    program finds another array bound (``params.data = ...`` between calls)."""
    eager, p1 = _quadratic()
    step, p2 = _quadratic()
    compiled = tg.compile(step)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for i in range(12):
            if i == 6:
                for p in (p1, p2):
                    p.data = p.data * 0.5  # a new array, same shape and dtype
            eager()
            compiled()
            assert p1._data.tobytes() == p2._data.tobytes(), i
    assert _program(compiled).bound


def test_guards_run_as_generated_code() -> None:
    """After the check against eager, a replay's guards are one generated function; a
    changed guard (a new learning rate) falls back to the full walk and records again."""
    step, _, opt = _linreg(False)
    eager, _, eager_opt = _linreg(False)
    compiled = tg.compile(step)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for i in range(10):
            if i == 6:
                assert compiled._fast is not None
                assert "g['lr'] != 0.1" in compiled._fast[0].source
                opt.param_groups[0]["lr"] = eager_opt.param_groups[0]["lr"] = 0.05
            eager()
            compiled()
            assert [p._data.tobytes() for p in opt.param_groups[0]["params"]] == [
                p._data.tobytes() for p in eager_opt.param_groups[0]["params"]]
    assert any("recorded again" in str(w.message) for w in caught)


def test_draw_program_shows_the_replayed_calls() -> None:
    """``tg.viz.draw_program``: one box per replayed numpy call, the bound tensors and
    what the step leaves behind (a graph description; rendering needs ``dot``)."""
    step, _, _ = _linreg(False)
    compiled = tg.compile(step)
    for _ in range(4):  # (.grad is None at the first call: a warm-up for each)
        compiled()
    source = tg.viz.draw_program(compiled).source
    program = _program(compiled)
    assert source.count("shape=box style=rounded") == program.calls
    assert "model.weight" in source and "model.weight.grad" in source
    assert "np.matmul" in source and "dead" in source
    with pytest.raises(TypeError, match="compiled by tg.compile"):
        tg.viz.draw_program(step)
    with pytest.raises(IndexError, match="1 recorded"):
        tg.viz.draw_program(compiled, program=1)


def test_tensors_made_in_the_step_replay() -> None:
    """Found by the compile fuzzer's counts: ``tg.zeros(...)`` in a step (an RNN's first
    hidden state, a causal mask from ``tg.ones``, positions from ``tg.arange``) made the
    whole step run eagerly, as an array the recorder never saw made. Creation from
    Python values is now recorded: the replay makes the tensor again."""
    def build() -> tuple[Any, Any]:
        tg.manual_seed(0)
        model = tg.nn.Linear(3, 3)
        x = tg.ones(4, 3)
        opt = tg.optim.SGD(model.parameters(), lr=0.1)

        def step() -> Any:
            opt.zero_grad()
            h = tg.zeros(4, 3)
            h += tg.arange(3).float()  # (written in place: a new array each replay)
            mask = tg.tril(tg.ones(3, 3)) + tg.eye(3) + tg.tensor([1.0, 2.0, 3.0])
            loss = ((model(x) + h) @ mask).pow(2).mean()
            loss.backward()
            opt.step()
            return loss

        return step, model

    compiled, out_e, out_c = _twins(build)
    assert all(a._data.tobytes() == b._data.tobytes() for a, b in zip(out_e, out_c))
    assert "np.copy" in compiled.explanation() or _program(compiled).removed["folded"]


def test_a_diagonal_written_in_place_replays() -> None:
    """Found by the compile fuzzer: numpy's diagonal is read-only and the library makes it
    writable (``setflags``), which the recorder did not see: the replay raised
    "assignment destination is read-only" where eager ran."""
    t0 = tg.tensor([[0.13, -0.13, 0.64]])
    t1 = tg.tensor(0.13, requires_grad=True)

    def step() -> Any:
        d = t0.diagonal()
        d[d < 0] = t0.sum()
        loss = (t1 * 1).sum() + ((t0 + d) * 2).sum()
        loss.backward()
        return loss.detach()

    compiled = tg.compile(step)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(6):
            assert compiled().item() == pytest.approx(2.19)
    assert ".setflags(write=True)" in compiled.explanation()


def test_makemore_bigram_step_replays() -> None:
    """The first neural net of the makemore lecture: ``F.one_hot`` (which makes
    ``np.arange(num_classes)``), fancy indexing by ``tg.arange(n)`` and by ``range(n)``
    (its backward adds with ``np.add.at``), ``W.data += -lr * W.grad``. Each of those made
    the step run eagerly; numpy's array makers and ``ufunc.at`` are recorded now."""
    F = tg.nn.functional

    def build() -> tuple[Any, Any]:
        tg.manual_seed(0)
        W = tg.randn(27, 27, requires_grad=True)
        xs, ys = tg.randint(0, 27, (100,)), tg.randint(0, 27, (100,))

        def step() -> Any:
            logits = F.one_hot(xs, num_classes=27).float() @ W
            counts = logits.exp()
            probs = counts / counts.sum(1, keepdims=True)
            loss = -probs[tg.arange(100), ys].log().mean() + 0.01 * (W**2).mean()
            loss = loss - 0.001 * logits.log_softmax(1)[range(100), ys].mean()
            W.grad = None
            loss.backward()
            W.data += -50 * W.grad
            return loss

        return step, W

    compiled, out_e, out_c = _twins(build, calls=10)
    assert all(a._data.tobytes() == b._data.tobytes() for a, b in zip(out_e, out_c))
    assert "np.add.at" in compiled.explanation()


def test_manual_sgd_on_two_parameters_replays() -> None:
    """``w.data -= lr * w.grad.data`` then the same for ``b``: the in-place op's overlap
    check (``np.may_share_memory``, read by Python) came after ``w`` was written, so the
    step ran eagerly. An array the step made overlaps nothing it was given: that check is
    a constant now, and the step replays."""
    def build() -> tuple[Any, Any, Any]:
        x, y = (tg.from_numpy(a.copy()) for a in data.linreg())
        tg.manual_seed(0)
        w, b = tg.randn(1, 1).requires_grad_(), tg.zeros(1).requires_grad_()

        def step() -> Any:
            loss = ((x @ w.T + b - y) ** 2).mean()
            loss.backward()
            w.data -= 0.1 * w.grad.data
            b.data -= 0.1 * b.grad.data
            w.grad = None
            b.grad = None
            return loss

        return step, w, b

    compiled, out_e, out_c = _twins(build)
    assert all(a._data.tobytes() == b._data.tobytes() for a, b in zip(out_e, out_c))
    _program(compiled)


def _late_read(body: Any) -> list[str]:
    """The labels of what a replay runs for a recording of ``body(x, y)`` (two inputs),
    reads included as "read"; Unreplayable propagates."""
    from tinygrad_edu.compiler.optimize import optimize
    from tinygrad_edu.compiler.recorder import Read, Recorder

    rec = Recorder()
    x = rec.input(np.arange(4.0, dtype=np.float32), "x")
    y = rec.input(np.arange(4.0, dtype=np.float32) + 1, "y")
    with rec:
        body(x, y)
    ops = optimize(rec, wanted=set(), inputs={x._tid, y._tid})[0]
    return ["read" if isinstance(op, Read) else op.label for op in ops]


def test_a_late_read_moves_before_the_first_write_with_what_computes_it() -> None:
    def body(x: Any, y: Any) -> None:
        np.add(x, 1.0, out=x)  # the step writes its state
        if bool((y * 2.0).sum() > 0):  # then reads a value of y alone
            np.add(x, 1.0, out=x)

    labels = _late_read(body)
    assert labels.index("read") < labels.index("np.add")  # checked before any write


def test_a_late_read_of_written_state_cannot_be_replayed() -> None:
    from tinygrad_edu.compiler.optimize import Unreplayable

    def body(x: Any, y: Any) -> None:
        np.add(x, 1.0, out=x)
        bool(x.sum() > 0)  # a value of what was written

    with pytest.raises(Unreplayable, match="after updating state in place"):
        _late_read(body)


def test_a_late_read_is_not_moved_past_a_call_that_saw_its_buffer_before() -> None:
    """``b = y * 2``, then ``z = b + x`` (stays: x was written), then ``b *= 3`` and a read
    of b: moving ``b *= 3`` before the first write would change what z saw."""
    from tinygrad_edu.compiler.optimize import Unreplayable

    def body(x: Any, y: Any) -> None:
        np.add(x, 1.0, out=x)
        b = y * 2.0
        np.add(b, x, out=x)
        np.multiply(b, 3.0, out=b)
        bool(b.sum() > 0)

    with pytest.raises(Unreplayable):
        _late_read(body)


def test_a_late_read_moves_without_a_later_write_into_its_inputs() -> None:
    """Found by review: the calls moved with a late read included every write into a
    buffer it read before the read, even one made after the buffer was used, from state
    the step had written (here ``u += x``): moved before the first write, it read x early."""
    from tinygrad_edu.compiler.optimize import optimize
    from tinygrad_edu.compiler.recorder import Read, Recorder

    rec = Recorder()
    x = rec.input(np.arange(4.0, dtype=np.float32), "x")
    y = rec.input(np.arange(4.0, dtype=np.float32) + 1, "y")
    with rec:
        np.add(x, 1.0, out=x)  # the first write
        u = y * 2.0
        t = u + 1.0
        np.add(u, x, out=u)  # u from what was written, after t was made from u
        bool(t.sum() > 0)  # a late read of t, which does not depend on the write
    ops = optimize(rec, wanted={u._tid}, inputs={x._tid, y._tid})[0]
    writes = [k for k, op in enumerate(ops) if not isinstance(op, Read) and op.writes in
              (x._tid, u._tid)]
    read = next(k for k, op in enumerate(ops) if isinstance(op, Read))
    assert read < writes[0] and [ops[k].writes for k in writes] == [x._tid, u._tid]


def _mlp() -> tuple[Any, Any]:
    """A 256-64-10 ReLU MLP's training step on a batch of 32: its first product,
    ``x @ w.T``, has 2^19 multiply-adds."""
    tg.manual_seed(0)
    model = tg.nn.Sequential(tg.nn.Linear(256, 64), tg.nn.ReLU(), tg.nn.Linear(64, 10))
    x, y = tg.randn(32, 256), tg.randint(0, 10, (32,))
    opt = tg.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

    def step() -> Any:
        opt.zero_grad()
        loss = tg.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step, model


@pytest.mark.parametrize("faster", [True, False])
def test_a_product_turned_around_gives_the_same_bits(monkeypatch: Any, faster: bool) -> None:
    """``x @ w.T`` into a buffer is computed as ``w @ x.T``, then transposed into it,
    when timing says that is faster (decided here): eager's bits either way."""
    from tinygrad_edu.compiler import optimize

    monkeypatch.setattr(optimize, "_MEASURED", {})
    monkeypatch.setattr(optimize, "_faster", lambda new, old: faster)
    compiled, out_e, out_c = _twins(_mlp, calls=6)
    assert [a._data.tobytes() for a in out_e] == [c._data.tobytes() for c in out_c]
    program = _program(compiled)
    assert program.removed["turned"] == faster
    assert ("turned around: timed faster" in program.explain()) == faster
    assert list(optimize._MEASURED.values()) == [faster]  # (32x256 @ 256x64 alone is timed)


def test_a_product_is_timed_once_per_shapes_and_layouts(monkeypatch: Any) -> None:
    from tinygrad_edu.compiler import optimize

    timed = []
    monkeypatch.setattr(optimize, "_MEASURED", {})
    monkeypatch.setattr(optimize, "_faster", lambda new, old: timed.append(1) or True)
    a, w = np.ones((64, 128), np.float32), np.ones((96, 128), np.float32)
    assert optimize._turned_is_faster(a, w.T) and optimize._turned_is_faster(a, w.T)
    assert optimize._turned_is_faster(a, np.ones((128, 96), np.float32))  # (C, not F)
    assert len(timed) == 2


def test_the_scalar_of_maximum_becomes_an_array_with_the_same_bits() -> None:
    """``np.maximum(x, 0)`` (ReLU), ``clamp`` and ``logsigmoid``'s ``np.minimum(x, 0)``
    compare ``x`` with an array of the scalar, made once: -0.0, NaN and infinities
    come out as eager's."""
    special = [-0.0, 0.0, np.nan, -np.inf, np.inf, -1.5, 0.25, 1e-45, -1e-45, 3.0]

    def f(x: Any) -> Any:
        return tg.stack([x.relu(), x.clamp(-0.5, 0.5), tg.nn.functional.logsigmoid(x)])

    compiled = tg.compile(f)
    rng = np.random.default_rng(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(5):
            x = tg.from_numpy(rng.choice(np.array(special, np.float32), (4, 25)))
            assert compiled(x)._data.tobytes() == f(x)._data.tobytes()
    program = _program(compiled)
    assert program.removed["spread"] >= 2
    assert "as an array made once" in program.explain()


def test_an_array_made_of_a_scalar_that_nothing_writes_is_the_scalar() -> None:
    """``np.asarray(x.sum())`` is a new array in eager (numpy gave a scalar, which cannot
    be written): the program leaves that copy out unless something writes it afterwards
    (``+=`` on an array is in place). The sum of 20 numbers in PyTorch's order makes
    three such arrays a step in W2."""
    from tinygrad_edu.compiler.optimize import optimize
    from tinygrad_edu.compiler.recorder import Recorder

    rec = Recorder()
    x = rec.input(np.arange(4.0, dtype=np.float32), "x")
    with rec:
        kept = np.asarray(x.sum())
        written = np.asarray(x.max())
        written += 1
        np.multiply(x, kept + written, out=x)
    ops, _, _, _, removed = optimize(rec, wanted=set(), inputs={x._tid})
    assert removed["scalar copies"] == 1
    assert [op.label for op in ops].count("np.array") == 1
