"""Sampling with PyTorch's streams: bernoulli, multinomial, exponential_ and its siblings
(geometric_, cauchy_, log_normal_, random_), the RNG state at the top level, and the order
in which in-place random fills visit a non-contiguous tensor.

The first part needs no torch (values recorded from torch 2.13, x86-64); the rest compares
with torch directly, bit for bit, including how far each call advances the generator (the
state after the call, and draws interleaved between calls).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu import random as R
from tinygrad_edu.parity import rng_floats
from tinygrad_edu.parity import stl_sort as _stl_sort

# ---------------------------------------------------------------------------------------------
# Without torch
# ---------------------------------------------------------------------------------------------


def arr(t: tg.Tensor) -> np.ndarray:
    return np.asarray(t._data)


def test_top_level_bernoulli_and_multinomial_exist() -> None:
    for name in ("bernoulli", "multinomial", "get_rng_state", "set_rng_state", "randint_like"):
        assert callable(getattr(tg, name)), name
    for name in ("bernoulli_", "bernoulli", "multinomial", "exponential_", "geometric_",
                 "cauchy_", "log_normal_", "random_"):
        assert callable(getattr(tg.Tensor, name)), name
    assert tg.default_generator is R.default_generator


def test_known_values_recorded_from_torch() -> None:
    tg.manual_seed(0)
    assert arr(tg.bernoulli(tg.tensor([0.0, 1.0, 0.5]))).tolist() == [0.0, 1.0, 1.0]
    tg.manual_seed(0)
    expect = [3.508326186707642, 1.2303847641796768, 0.6150440938940115]
    assert arr(tg.empty(3, dtype=tg.float64).exponential_()).tolist() == expect
    tg.manual_seed(0)
    assert arr(tg.empty(5).geometric_(0.5)).tolist() == [1.0, 1.0, 2.0, 1.0, 1.0]
    tg.manual_seed(0)
    assert arr(tg.empty(4, dtype=tg.int64).random_(-3, 3)).tolist() == [-1, 0, 2, -3]
    g = tg.Generator().manual_seed(2147483647)
    p = tg.tensor([0.1, 0.6, 0.3])
    assert tg.multinomial(p, 1, replacement=True, generator=g).item() == 1
    tg.manual_seed(0)  # the zero-probability categories come in libstdc++'s topk order
    assert arr(tg.multinomial(tg.tensor([0.0, 0.0, 1.0, 0.0, 0.0]), 5)).tolist() == [2, 4, 0, 3, 1]


def test_multinomial_shapes_and_dtype() -> None:
    tg.manual_seed(1)
    assert tg.multinomial(tg.ones(4), 3).shape == (3,)
    out = tg.ones(2, 5).multinomial(7, replacement=True)
    assert out.shape == (2, 7) and out.dtype is tg.int64
    assert tg.multinomial(tg.ones(0, 3), 2).shape == (0, 2)
    samples = arr(tg.multinomial(tg.ones(50), 50))  # without replacement: a permutation
    assert sorted(samples.tolist()) == list(range(50))


@pytest.mark.parametrize(
    "call, message, kind",
    [
        (lambda: tg.multinomial(tg.tensor(0.5), 1), "prob_dist must be 1 or 2 dim", RuntimeError),
        (lambda: tg.multinomial(tg.ones(2, 2, 2), 1), "1 or 2 dim", RuntimeError),
        (lambda: tg.multinomial(tg.tensor([1, 2]), 1), "got: Long", RuntimeError),
        (lambda: tg.multinomial(tg.ones(3), 0), "n_sample <= 0", RuntimeError),
        (lambda: tg.multinomial(tg.ones(3), 4), "without replacement", RuntimeError),
        (lambda: tg.multinomial(tg.ones(3), 2.0), "must be int, not float", TypeError),
        (lambda: tg.multinomial(tg.ones(3), True), "must be int, not bool", TypeError),
        (lambda: tg.multinomial(tg.ones(3), 1, 1), "must be bool, not int", TypeError),
        (lambda: tg.multinomial(tg.ones(3), 1, generator=3), "torch.Generator", TypeError),
        (lambda: tg.multinomial(tg.tensor([0.2, -0.1]), 1), "element < 0", RuntimeError),
        (lambda: tg.multinomial(tg.tensor([0.2, math.inf]), 1), "`inf`, `nan`", RuntimeError),
        (lambda: tg.multinomial(tg.tensor([0.2, math.nan]), 1), "`inf`, `nan`", RuntimeError),
        (lambda: tg.multinomial(tg.zeros(2), 1), "sum of probabilities <= 0", RuntimeError),
        (lambda: tg.multinomial(tg.tensor([0.2, -0.1]), 2, True), "entry < 0", RuntimeError),
        (lambda: tg.multinomial(tg.tensor([0.2, math.nan]), 2, True), "entry < 0", RuntimeError),
        (lambda: tg.multinomial(tg.tensor([1.0, math.inf]), 2, True), "infinity or NaN",
         RuntimeError),
        (lambda: tg.multinomial(tg.zeros(3, 2), 2, True), "sum of probabilities", RuntimeError),
        (lambda: tg.multinomial(tg.tensor([]), 1, True), "aminmax", RuntimeError),
        (lambda: tg.multinomial([0.5, 0.5], 1), "must be Tensor", TypeError),
    ],
)
def test_multinomial_errors_match_torch(call, message, kind) -> None:
    with pytest.raises(kind, match=message.replace("(", r"\(").replace("`", ".")):
        call()


def test_multinomial_error_after_valid_rows_consumes_their_draws() -> None:
    """torch's with-replacement kernel checks row by row: earlier rows have drawn."""
    g = tg.Generator().manual_seed(0)
    with pytest.raises(RuntimeError, match="entry < 0"):
        tg.multinomial(tg.tensor([[1.0, 1.0], [1.0, 1.0], [0.0, -1.0]]), 3, True, generator=g)
    h = tg.Generator().manual_seed(0)
    R.rand(6, np.float64, generator=h)
    assert arr(g.get_state()).tobytes() == arr(h.get_state()).tobytes()


@pytest.mark.parametrize(
    "call, message, kind",
    [
        (lambda: tg.zeros(3).bernoulli_(1.5), r"p to be in \[0, 1\], but got p=1.5", RuntimeError),
        (lambda: tg.zeros(3).bernoulli_(math.nan), "but got p=nan", RuntimeError),
        (lambda: tg.bernoulli(tg.tensor([0.5, 1.5])), "p_in >= 0 && p_in <= 1", RuntimeError),
        (lambda: tg.bernoulli(tg.tensor([1, 0])), "not implemented for 'Long'",
         NotImplementedError),
        (lambda: tg.zeros(3).bernoulli_("a"), "invalid combination", TypeError),
        (lambda: tg.zeros(3).bernoulli(tg.ones(3)), "must be float, not Tensor", TypeError),
        (lambda: tg.bernoulli(0.5), "must be Tensor, not float", TypeError),
        (lambda: tg.zeros(3).exponential_(0), "lambda > 0.0, but found lambda=0", RuntimeError),
        (lambda: tg.zeros(3, dtype=tg.int64).exponential_(), "you specified Long", RuntimeError),
        (lambda: tg.zeros(3).geometric_(1), r"p to be in \(0, 1\), but got p=1", RuntimeError),
        (lambda: tg.zeros(3, dtype=tg.bool).geometric_(0.5), "'Bool'", NotImplementedError),
        (lambda: tg.zeros(3).cauchy_(0, -1), "sigma > 0.0, but found sigma=-1", RuntimeError),
        (lambda: tg.zeros(3, dtype=tg.int64).cauchy_(), "specified long int", RuntimeError),
        (lambda: tg.zeros(3).log_normal_(0, 0), "std > 0.0, but found std=0", RuntimeError),
        (lambda: tg.zeros(3, dtype=tg.int8).log_normal_(), "'Char'", NotImplementedError),
        (lambda: tg.zeros(3, dtype=tg.int8).random_(0, 200), "to - 1 is out of bounds for signed "
         "char", RuntimeError),
        (lambda: tg.zeros(3, dtype=tg.uint8).random_(-1, 2), "from is out of bounds for unsigned",
         RuntimeError),
        (lambda: tg.zeros(3, dtype=tg.float16).random_(0, 70000), "c10::Half", RuntimeError),
        (lambda: tg.zeros(3).random_(5, 5), "from=5 >= to=5", RuntimeError),
        (lambda: tg.zeros(3, dtype=tg.int32).random_(-(2**63), None), "handles only int64",
         RuntimeError),
        (lambda: tg.zeros(3).random_(1.5), r"invalid combination of arguments - got \(float\)",
         TypeError),
        (lambda: tg.zeros(3).random_(1, 2, 3), "takes 2 positional arguments", TypeError),
        (lambda: tg.zeros(3).exponential_("a"), "must be float, not str", TypeError),
        (lambda: tg.zeros(3).exponential_(generator=3), "must be torch.Generator", TypeError),
    ],
)
def test_distribution_errors_match_torch(call, message, kind) -> None:
    with pytest.raises(kind, match=message):
        call()


def test_bernoulli_invalid_p_consumes_the_draws_before_it() -> None:
    g = tg.Generator().manual_seed(0)
    with pytest.raises(RuntimeError, match="p_in"):
        tg.zeros(5).bernoulli_(tg.tensor([0.5, 0.5, 2.0, 0.5, 0.5]), generator=g)
    h = tg.Generator().manual_seed(0)
    R.rand(2, generator=h)  # float32 probabilities: one 32-bit draw each
    assert arr(g.get_state()).tobytes() == arr(h.get_state()).tobytes()


def test_empty_tensors_draw_nothing_and_skip_dtype_checks() -> None:
    state = arr(tg.manual_seed(5).get_state()).tobytes()
    tg.empty(0, dtype=tg.int64).exponential_()
    tg.empty(0, dtype=tg.int64).log_normal_()
    tg.empty(0).bernoulli_(tg.tensor([2.0]))
    tg.empty(0, 3).random_(0, 7)
    assert arr(tg.get_rng_state()).tobytes() == state


def test_top_level_get_set_rng_state_are_uint8_tensors() -> None:
    state = tg.get_rng_state()
    assert isinstance(state, tg.Tensor) and state.dtype is tg.uint8 and state.shape == (5056,)
    assert isinstance(tg.random.get_rng_state(), tg.Tensor)
    assert isinstance(tg.Generator().get_state(), tg.Tensor)
    first = arr(tg.rand(5))
    tg.set_rng_state(state)
    assert arr(tg.rand(5)).tobytes() == first.tobytes()
    with pytest.raises(TypeError, match="ByteTensor"):
        tg.set_rng_state(state.float())
    with pytest.raises(TypeError, match="ByteTensor"):
        tg.set_rng_state(5)
    with pytest.raises(RuntimeError, match="size 5056"):
        tg.set_rng_state(state[:100])
    with pytest.raises(RuntimeError, match="contiguous"):
        tg.set_rng_state(tg.cat([state, state])[::2])


def test_rng_state_restores_the_cached_normal_sample() -> None:
    g = tg.Generator().manual_seed(3)
    tg.randn(3, generator=g)  # leaves a cached normal sample
    state = g.get_state()
    a = arr(tg.randn(3, generator=g))
    assert arr(tg.Generator().set_state(state).get_state()).tobytes() == arr(state).tobytes()
    assert arr(tg.randn(3, generator=g.set_state(state))).tobytes() == a.tobytes()


def test_fork_rng_restores_the_default_state() -> None:
    tg.manual_seed(0)
    before = arr(tg.get_rng_state()).tobytes()
    with tg.random.fork_rng():
        tg.rand(10)
        tg.randn(3)
    assert arr(tg.get_rng_state()).tobytes() == before
    with tg.random.fork_rng(enabled=False):
        tg.rand(1)
    assert arr(tg.get_rng_state()).tobytes() != before


def test_random_values_have_zero_gradient() -> None:
    a = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x = a * 2
    x.exponential_()
    assert x.grad_fn.name() == "ExponentialBackward0"
    x.sum().backward()
    assert arr(a.grad).tolist() == [0.0, 0.0, 0.0]
    p = tg.tensor([0.5, 0.5], requires_grad=True)
    sample = tg.bernoulli(p)
    assert sample.requires_grad and sample.grad_fn.name() == "BernoulliBackward0"
    sample.sum().backward()
    assert arr(p.grad).tolist() == [0.0, 0.0]
    b = tg.tensor([1.0, 2.0], requires_grad=True)
    y = b * 3
    y.uniform_()  # the old values (and their history) are gone: d(new)/d(b) = 0
    assert y.grad_fn.name() == "UniformBackward0"
    y.sum().backward()
    assert arr(b.grad).tolist() == [0.0, 0.0]
    with pytest.raises(RuntimeError, match="leaf Variable"):
        tg.zeros(2, requires_grad=True).uniform_()
    with pytest.raises(RuntimeError, match="derivative for aten::bernoulli is not implemented"):
        tg.bernoulli(p, 0.5).sum().backward()  # PyTorch records this form as NotImplemented


def test_random_fills_grad_fn_names_match_torch(torch) -> None:
    calls = [("bernoulli_", (0.5,)), ("bernoulli_", "p tensor"), ("random_", ()),
             ("random_", (5,)), ("random_", (1, 5)), ("random_", (1, None)), ("uniform_", ()),
             ("normal_", ()), ("exponential_", ()), ("geometric_", (0.5,)), ("cauchy_", ()),
             ("log_normal_", ())]
    for name, args in calls:
        names = []
        for lib in (tg, torch):
            x = lib.ones(3, requires_grad=True) * 2
            getattr(x, name)(*((lib.full((3,), 0.5),) if args == "p tensor" else args))
            names.append(x.grad_fn.name())
        assert names[0] == names[1], (name, args, names)


def less(x: int, y: int) -> bool:
    return x < y


def test_stl_sort_matches_python_sort_on_distinct_values() -> None:
    rng = np.random.default_rng(0)
    for n in (0, 1, 2, 3, 5, 16, 17, 40, 300):
        values = rng.permutation(n).tolist()
        for sort in ("sort", "partial", "nth"):
            v = list(values)
            if sort == "sort":
                _stl_sort.sort(v, 0, n, less)
                assert v == sorted(values)
            elif sort == "partial" and n:
                k = max(1, n // 3)
                _stl_sort.partial_sort(v, 0, k, n, less)
                assert v[:k] == sorted(values)[:k]
            elif n:
                k = n // 2
                _stl_sort.nth_element(v, 0, k, n, less)
                assert v[k] == sorted(values)[k]
                assert max(v[:k], default=-1) <= v[k] <= min(v[k + 1 :], default=n)


# ---------------------------------------------------------------------------------------------
# Against torch
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def torch(monkeypatch: pytest.MonkeyPatch):
    """torch, with our float32 normal kernel set to the one torch runs here."""
    torch = pytest.importorskip("torch")
    kernel = "avx2" if torch.backends.cpu.get_cpu_capability() in ("AVX2", "AVX512") else "scalar"
    monkeypatch.setattr(rng_floats, "FLOAT32_NORMAL_KERNEL", kernel)
    return torch


NP_OF = {"float16": np.float16, "float32": np.float32, "float64": np.float64, "int64": np.int64,
         "int32": np.int32, "int16": np.int16, "int8": np.int8, "uint8": np.uint8,
         "bool": np.bool_}
FLOAT_NAMES = ["float32", "float64", "float16"]


def same(ours, theirs) -> bool:
    """Equal shape, dtype and bytes."""
    a = np.asarray(ours._data if isinstance(ours, tg.Tensor) else ours)
    b = theirs.detach().numpy()
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


def same_state(torch, gen=None, tgen=None) -> bool:
    ours = gen.get_state() if gen is not None else tg.get_rng_state()
    theirs = tgen.get_state() if tgen is not None else torch.get_rng_state()
    return arr(ours).tobytes() == theirs.numpy().tobytes()


def outcome(fn):
    """``fn()``'s result, or its exception as (class, first line of the message)."""
    try:
        return fn()
    except Exception as e:  # noqa: BLE001 - compared with torch's
        return (type(e), str(e).split("\n")[0])


def assert_same_outcome(torch, ours, theirs) -> None:
    """Both raise the same error, or give the same bits; the streams end in the same place."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        b = outcome(theirs)
        a = outcome(ours)
    if isinstance(a, tuple) or isinstance(b, tuple):
        assert a == b
    else:
        assert same(a, b), (arr(a).ravel()[:6], b.ravel()[:6])
    assert same_state(torch)


def interleave(torch, which: int) -> None:
    """One draw of another kind on both sides, so that a miscount would show later."""
    if which == 1:
        torch.rand(3), tg.rand(3)
    elif which == 2:
        torch.randn(5, dtype=torch.float64), tg.randn(5, dtype=tg.float64)
    elif which == 3:
        torch.randint(0, 7, (4,)), tg.randint(0, 7, (4,))


def weights(rng: np.random.Generator, shape: tuple[int, ...], kind: str) -> np.ndarray:
    """Unnormalised multinomial weights: plain, with zeros, tied, tiny or huge."""
    w = rng.random(shape)
    if kind == "zeros":
        w = w * (rng.random(shape) < 0.4)
    elif kind == "ties":
        w = np.floor(w * 3)
    elif kind == "tiny":
        w = w * 1e-40
    elif kind == "huge":  # finite, but the sums overflow float32
        w = w * 1e38
    w[..., 0] += 1e38 if kind == "huge" else 1.0
    return w


@given(
    seed=st.integers(0, 2**32 - 1),
    rows=st.sampled_from([None, 1, 3]),
    n=st.sampled_from([1, 2, 5, 27, 70, 200]),
    dtype=st.sampled_from(FLOAT_NAMES),
    kind=st.sampled_from(["plain", "zeros", "ties", "tiny", "huge"]),
    replacement=st.booleans(),
    samples=st.sampled_from(["one", "two", "all", "nonzero", "nonzero+1"]),
    transposed=st.booleans(),
    use_generator=st.booleans(),
    between=st.integers(0, 3),
)
def test_fuzz_multinomial_matches_torch(seed, rows, n, dtype, kind, replacement, samples,
                                        transposed, use_generator, between) -> None:
    torch = pytest.importorskip("torch")
    shape = (n,) if rows is None else (rows, n)
    w = weights(np.random.default_rng(seed), shape, kind)
    if dtype == "float16":
        w = np.minimum(w, 60000.0)
    w = w.astype(NP_OF[dtype])
    nonzero = int((w != 0).sum(-1).min())
    k = {"one": 1, "two": 2, "all": n, "nonzero": nonzero, "nonzero+1": nonzero + 1}[samples]
    if not replacement:
        k = min(k, n)
    ours_p, theirs_p = tg.tensor(w), torch.from_numpy(w.copy())
    if transposed and rows is not None:  # the same values, laid out by columns
        ours_p, theirs_p = tg.tensor(w.T.copy()).t(), torch.from_numpy(w.T.copy()).t()
    torch.manual_seed(seed)
    tg.manual_seed(seed)
    g, tgen = (tg.Generator().manual_seed(seed + 1), torch.Generator().manual_seed(seed + 1))
    for _ in range(2):
        interleave(torch, between)
        if use_generator:
            ours = tg.multinomial(ours_p, k, replacement, generator=g)
            theirs = torch.multinomial(theirs_p, k, replacement, generator=tgen)
            assert same_state(torch, g, tgen)
        else:
            ours = tg.multinomial(ours_p, k, replacement)
            theirs = torch.multinomial(theirs_p, k, replacement)
        assert same(ours, theirs), (arr(ours).ravel()[:8], theirs.ravel()[:8])
        assert same_state(torch)


def test_multinomial_zero_probability_ties_follow_torch_topk(torch) -> None:
    """Without replacement, categories of probability 0 all tie at p / q = 0; which of them
    torch takes once the others are used up is decided by libstdc++'s nth_element / sort."""
    for n in (5, 10, 70, 200, 1000):
        p = np.zeros(n, np.float32)
        p[2] = 1
        for k in (2, 3, n // 2, n):
            torch.manual_seed(n)
            tg.manual_seed(n)
            assert same(tg.multinomial(tg.tensor(p), k), torch.multinomial(torch.tensor(p), k))


def test_topk_port_matches_torch_topk_on_ties(torch) -> None:
    rng = np.random.default_rng(0)
    for _ in range(200):
        n = int(rng.choice([1, 3, 8, 17, 33, 65, 130, 300]))
        values = np.floor(rng.random(n) * rng.choice([2, 3, 50])).astype(np.float32)
        values[rng.random(n) < 0.1] = np.nan
        k = int(rng.integers(1, n + 1)) if rng.random() < 0.7 else max(1, n // 64)
        expect = torch.from_numpy(values).topk(k).indices.tolist()
        assert _stl_sort.topk_indices(values.tolist(), k) == expect


def test_multinomial_makemore_names_match_torch(torch) -> None:
    """makemore, part 1: bigram counts, normalised rows, one name at a time."""
    counts = np.random.default_rng(7).integers(0, 50, (27, 27)).astype(np.int32)
    counts[:, 0] += 3  # every row can end a name
    counts[0, 0] = 0

    def names(lib, N, P_from_rows: bool) -> list[str]:
        g = lib.Generator().manual_seed(2147483647)
        P = (N + 1).float()
        P = P / P.sum(1, keepdims=True)
        out = []
        for _ in range(20):
            ix, name = 0, ""
            while True:
                if P_from_rows:
                    p = P[ix]
                else:
                    p = N[ix].float()
                    p = p / p.sum()
                ix = lib.multinomial(p, num_samples=1, replacement=True, generator=g).item()
                if ix == 0:
                    break
                name += chr(ord("a") + ix - 1)
            out.append(name)
        return out

    for rows in (False, True):
        ours = names(tg, tg.tensor(counts), rows)
        assert ours == names(torch, torch.from_numpy(counts), rows)
    assert len(set(ours)) > 10


def test_multinomial_softmax_probs_match_torch(torch) -> None:
    """makemore's MLP samples from softmax(logits): the same probabilities, the same names."""
    logits = np.random.default_rng(3).standard_normal((8, 27)).astype(np.float32)
    g, tgen = tg.Generator().manual_seed(42), torch.Generator().manual_seed(42)
    ours = tg.multinomial(tg.tensor(logits).softmax(1), 5, generator=g)
    theirs = torch.multinomial(torch.from_numpy(logits).softmax(1), 5, generator=tgen)
    assert same(ours, theirs)
    ours = tg.multinomial(tg.tensor(logits).softmax(1), 5, True, generator=g)
    theirs = torch.multinomial(torch.from_numpy(logits).softmax(1), 5, True, generator=tgen)
    assert same(ours, theirs) and same_state(torch, g, tgen)


@given(
    seed=st.integers(0, 2**32 - 1),
    shape=st.sampled_from([(), (0,), (1,), (7,), (17,), (3, 4), (5, 6), (2, 3, 4)]),
    dtype=st.sampled_from(list(NP_OF)),
    transposed=st.booleans(),
    case=st.sampled_from(["p", "p_tensor", "p_broadcast", "fn", "fn_p", "fn_transposed"]),
    p=st.sampled_from([0.0, 0.3, 0.5, 1.0, 1.5, -0.1, math.nan]),
    p_dtype=st.sampled_from(["float32", "float64", "float16", "int64"]),
    bad_element=st.booleans(),
)
def test_fuzz_bernoulli_matches_torch(seed, shape, dtype, transposed, case, p, p_dtype,
                                      bad_element) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    pshape = shape[-1:] if case == "p_broadcast" else shape
    probs = rng.random(pshape)
    if bad_element and probs.size:
        probs.flat[int(rng.integers(probs.size))] = p if not 0 <= p <= 1 else 1.25
    with np.errstate(invalid="ignore"):
        probs = probs.astype(NP_OF[p_dtype])
    tdtype = getattr(torch, dtype)
    gdtype = getattr(tg, dtype)

    def target(lib, zeros_dtype):
        if transposed and len(shape) == 2:
            return lib.zeros(shape[::-1], dtype=zeros_dtype).t()
        return lib.zeros(shape, dtype=zeros_dtype)

    def run(lib, ldtype, tensor):
        if case == "p":
            return target(lib, ldtype).bernoulli_(p)
        if case in ("p_tensor", "p_broadcast"):
            return target(lib, ldtype).bernoulli_(tensor(probs.copy()))
        if case == "fn":
            return lib.bernoulli(tensor(probs.copy()))
        if case == "fn_p":
            return lib.bernoulli(target(lib, ldtype), p)
        if len(shape) != 2:
            return lib.bernoulli(tensor(probs.copy()))
        return lib.bernoulli(tensor(probs.T.copy()).t())

    torch.manual_seed(seed)
    tg.manual_seed(seed)
    assert_same_outcome(torch, lambda: run(tg, gdtype, tg.tensor),
                        lambda: run(torch, tdtype, torch.from_numpy))
    assert same(tg.rand(3), torch.rand(3))  # and the stream goes on in step


@given(
    seed=st.integers(0, 2**32 - 1),
    shape=st.sampled_from([(), (0,), (1,), (5,), (17,), (3, 4), (6, 5), (2, 3, 4)]),
    dtype=st.sampled_from(list(NP_OF)),
    transposed=st.booleans(),
    method=st.sampled_from(["exponential_", "geometric_", "cauchy_", "log_normal_"]),
    params=st.sampled_from([(), (0.5,), (0.01,), (3.7,), (0.999,), (0.0,), (-1.0,), (math.inf,),
                            (1.5, 0.7), (-3.0, 2.5), (0.0, 0.0), (300.0, 10.0)]),
    between=st.integers(0, 3),
)
def test_fuzz_continuous_distributions_match_torch(seed, shape, dtype, transposed, method,
                                                   params, between) -> None:
    torch = pytest.importorskip("torch")
    if method == "geometric_" and len(params) != 1:
        params = (0.3,)
    if method == "exponential_" and len(params) == 2:
        params = params[1:]

    def run(lib, ldtype):
        t = lib.zeros(shape[::-1], dtype=ldtype).t() if transposed and len(shape) == 2 else \
            lib.zeros(shape, dtype=ldtype)
        return getattr(t, method)(*params)

    torch.manual_seed(seed)
    tg.manual_seed(seed)
    interleave(torch, between)
    assert_same_outcome(torch, lambda: run(tg, getattr(tg, dtype)),
                        lambda: run(torch, getattr(torch, dtype)))


@given(
    seed=st.integers(0, 2**32 - 1),
    shape=st.sampled_from([(), (0,), (1,), (5,), (3, 4), (2, 3, 4)]),
    dtype=st.sampled_from(list(NP_OF)),
    transposed=st.booleans(),
    form=st.sampled_from(["()", "(to)", "(from, to)", "(from, None)", "randint"]),
    low=st.sampled_from([-(2**63), -(2**40), -300, -129, -5, 0, 3, 2**24, 2**53 - 7, 2**62]),
    width=st.sampled_from([1, 2, 100, 255, 2**28 - 1, 2**28, 2**32, 2**53]),
)
def test_fuzz_random_overloads_match_torch(seed, shape, dtype, transposed, form, low,
                                           width) -> None:
    torch = pytest.importorskip("torch")
    high = min(low + width, 2**63 - 1)

    def run(lib, ldtype):
        if form == "randint":
            return lib.randint(low, high, shape, dtype=ldtype)
        t = lib.zeros(shape[::-1], dtype=ldtype).t() if transposed and len(shape) == 2 else \
            lib.zeros(shape, dtype=ldtype)
        args = {"()": (), "(to)": (width,), "(from, to)": (low, high),
                "(from, None)": (low, None)}[form]
        return t.random_(*args)

    torch.manual_seed(seed)
    tg.manual_seed(seed)
    assert_same_outcome(torch, lambda: run(tg, getattr(tg, dtype)),
                        lambda: run(torch, getattr(torch, dtype)))


@pytest.mark.parametrize("shape", [(3, 4), (5, 4), (4, 7)])
def test_inplace_random_on_transposed_view_fills_in_memory_order(torch, shape) -> None:
    """torch fills a view in memory order (a transposed one by columns); normal_ on a
    non-contiguous tensor also switches to its element-by-element float64 kernel."""
    for name, args in [("uniform_", (-1.0, 2.0)), ("normal_", (0.5, 2.0)), ("bernoulli_", (0.3,)),
                       ("exponential_", ()), ("random_", (0, 10))]:
        torch.manual_seed(0)
        tg.manual_seed(0)
        theirs_base = torch.zeros(shape)
        ours_base = tg.zeros(*shape)
        getattr(theirs_base.t(), name)(*args)
        getattr(ours_base.t(), name)(*args)
        assert same(ours_base, theirs_base), name
        assert same_state(torch), name
        theirs_slice, ours_slice = torch.zeros(shape), tg.zeros(*shape)
        getattr(theirs_slice[:, ::2], name)(*args)
        getattr(ours_slice[:, ::2], name)(*args)
        assert same(ours_slice, theirs_slice), name


@pytest.mark.parametrize("name", ["rand_like", "randn_like"])
def test_rand_like_follows_the_input_memory_order(torch, name) -> None:
    for shape in [(3, 4), (4, 5), (8, 3)]:
        torch.manual_seed(1)
        tg.manual_seed(1)
        ours = getattr(tg, name)(tg.ones(*shape).t())
        theirs = getattr(torch, name)(torch.ones(shape).t())
        assert same(ours, theirs) and same_state(torch)
    torch.manual_seed(1)
    tg.manual_seed(1)
    assert same(tg.randint_like(tg.ones(3, 4).t(), 2, 9), torch.randint_like(torch.ones(3, 4).t(),
                                                                             2, 9))


def test_dropout_mask_on_transposed_input_matches_torch(torch) -> None:
    torch.manual_seed(0)
    tg.manual_seed(0)
    theirs = torch.nn.functional.dropout(torch.ones(3, 4).t(), 0.5)
    ours = tg.nn.functional.dropout(tg.ones(3, 4).t(), 0.5)
    assert same(ours, theirs)


def test_randint_float_dtype_moves_bounds_as_torch(torch) -> None:
    """torch.randint(0, 2**28, dtype=float32) narrows 'to' to a float32 value (2**28 - 16),
    and so takes 32-bit draws."""
    for high in (2**28, 2**31, 2**40):
        torch.manual_seed(0)
        tg.manual_seed(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = torch.randint(0, high, (6,), dtype=torch.float32)
            with pytest.warns(UserWarning, match="precision limitations float"):
                ours = tg.randint(0, high, (6,), dtype=tg.float32)
        assert same(ours, theirs) and same_state(torch)


def test_rng_state_interop_with_torch(torch) -> None:
    torch.manual_seed(11)
    torch.randn(3)  # leaves a cached normal sample in the state
    tg.set_rng_state(tg.tensor(torch.get_rng_state().numpy()))
    assert same(tg.randn(5), torch.randn(5))
    torch.set_rng_state(torch.from_numpy(arr(tg.get_rng_state()).copy()))
    assert same(tg.empty(40).log_normal_(), torch.empty(40).log_normal_())
    g, tgen = tg.Generator().manual_seed(5), torch.Generator().manual_seed(5)
    tg.rand(7, generator=g)
    tgen.set_state(torch.from_numpy(arr(g.get_state()).copy()))
    assert same(tg.multinomial(tg.ones(9), 4, generator=g),
                torch.multinomial(torch.ones(9), 4, generator=tgen))
    assert same_state(torch, g, tgen)


def test_multinomial_out_and_bernoulli_out(torch) -> None:
    torch.manual_seed(0)
    tg.manual_seed(0)
    ours, theirs = tg.empty(0, dtype=tg.int64), torch.empty(0, dtype=torch.int64)
    tg.multinomial(tg.ones(5), 3, out=ours)
    torch.multinomial(torch.ones(5), 3, out=theirs)
    assert same(ours, theirs)
    with pytest.raises(RuntimeError, match="Long tensor out, got: Float"):
        tg.multinomial(tg.ones(5), 3, out=tg.empty(3))
    ours, theirs = tg.empty(4, dtype=tg.float64), torch.empty(4, dtype=torch.float64)
    tg.bernoulli(tg.full((4,), 0.5), out=ours)
    torch.bernoulli(torch.full((4,), 0.5), out=theirs)
    assert same(ours, theirs) and same_state(torch)


@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.sampled_from([0, 1, 5, 15, 16, 17, 33, 100]),
    dtype=st.sampled_from(FLOAT_NAMES),
    layout=st.sampled_from(["contiguous", "transposed", "sliced"]),
    op=st.sampled_from(["rand", "randn", "uniform_", "normal_", "rand_like", "randn_like"]),
    bounds=st.sampled_from([(0.0, 1.0), (-1.0, 3.0), (0.1, 0.7), (2.5, 1000.3), (0.0, 1e-5)]),
)
def test_fuzz_uniform_and_normal_in_every_float_dtype_and_layout(seed, n, dtype, layout, op,
                                                                  bounds) -> None:
    """float16 included (torch computes it in float32, and its normal_ draws differently), and
    views, which torch fills in memory order (normal_ then takes its float64 path)."""
    torch = pytest.importorskip("torch")

    def run(lib):
        ldtype = getattr(lib, dtype)
        if op == "rand":
            return lib.rand(n, dtype=ldtype)
        if op == "randn":
            return lib.randn(n, dtype=ldtype)
        rows = n // 4 + 1
        if layout == "transposed":
            t = lib.zeros((4, rows), dtype=ldtype).t()
        elif layout == "sliced":
            t = lib.zeros((rows, 8), dtype=ldtype)[:, ::2]
        else:
            t = lib.zeros((rows, 4), dtype=ldtype)
        if op == "uniform_":
            return t.uniform_(*bounds)
        if op == "normal_":
            return t.normal_(bounds[0], bounds[1])
        return getattr(lib, op)(t)

    torch.manual_seed(seed)
    tg.manual_seed(seed)
    assert_same_outcome(torch, lambda: run(tg), lambda: run(torch))


def test_float16_rand_randn_uniform_normal_match_torch(torch) -> None:
    """torch.rand(dtype=float16) rounds the float32 draw (one that rounds up to 1 becomes 0);
    randn(float16) with numel >= 16 draws uniforms for the complete blocks of 16 only."""
    for n in (5, 16, 17, 1000, 1001):
        for fn in ("rand", "randn"):
            torch.manual_seed(n)
            tg.manual_seed(n)
            ours = getattr(tg, fn)(n, dtype=tg.float16)
            theirs = getattr(torch, fn)(n, dtype=torch.float16)
            assert same(ours, theirs) and same_state(torch), (fn, n)
    torch.manual_seed(0)
    tg.manual_seed(0)
    assert same(tg.empty(2000, dtype=tg.float16).uniform_(-1, 3),
                torch.empty(2000, dtype=torch.float16).uniform_(-1, 3))
    with pytest.raises(RuntimeError, match="numeric_limits<Half>::max()"):
        tg.empty(3, dtype=tg.float16).uniform_(-60000, 60000)
    with pytest.raises(RuntimeError, match="from is out of bounds for float"):
        tg.empty(3).uniform_(-1e39, 1)


def test_weighted_random_sampler_matches_torch(torch) -> None:
    """torch.utils.data.WeightedRandomSampler is one multinomial call per epoch."""
    from torch.utils.data import WeightedRandomSampler as TorchSampler

    from tinygrad_edu.utils import data

    weights = [0.1, 0.9, 0.4, 0.7, 3.0, 0.6]
    for replacement in (True, False):
        torch.manual_seed(3)
        tg.manual_seed(3)
        ours = data.WeightedRandomSampler(weights, 5, replacement)
        theirs = TorchSampler(weights, 5, replacement)
        assert [list(ours), list(ours)] == [list(theirs), list(theirs)]
        g, tgen = tg.Generator().manual_seed(1), torch.Generator().manual_seed(1)
        ours = data.WeightedRandomSampler(tg.tensor(weights), 6, replacement, generator=g)
        theirs = TorchSampler(torch.tensor(weights), 6, replacement, generator=tgen)
        assert list(ours) == list(theirs) and same_state(torch, g, tgen)
    loader = data.DataLoader(data.TensorDataset(tg.arange(6).float()), batch_size=2,
                             sampler=data.WeightedRandomSampler(weights, 6))
    torch_loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.arange(6).float()), batch_size=2,
        sampler=TorchSampler(weights, 6))
    torch.manual_seed(0)
    tg.manual_seed(0)
    assert [arr(b[0]).tolist() for b in loader] == [b[0].tolist() for b in torch_loader]
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        data.WeightedRandomSampler(weights, 0)
    with pytest.raises(ValueError, match="weights should be a 1d sequence"):
        data.WeightedRandomSampler([[1.0, 2.0]], 1)


@pytest.mark.parametrize("method, args", [
    ("exponential_", ()), ("exponential_", (2.5,)), ("geometric_", (0.3,)), ("cauchy_", (1.0, 2.0)),
    ("log_normal_", ()), ("uniform_", (-2.0, 3.0)), ("normal_", (1.0, 2.0)), ("random_", ()),
    ("random_", (10,)), ("random_", (-5, 100)),
])
def test_big_tensors_many_seeds_match_torch(torch, method, args) -> None:
    """Sizes around and far above 16 (where torch's normal_ changes algorithm), every float
    dtype, 20 seeds; a following rand checks where the stream stopped."""
    for seed in range(20):
        for n in (15, 16, 17, 1000, 5000):
            for dtype in FLOAT_NAMES:
                torch.manual_seed(seed)
                tg.manual_seed(seed)
                ours = getattr(tg.empty(n, dtype=getattr(tg, dtype)), method)(*args)
                theirs = getattr(torch.empty(n, dtype=getattr(torch, dtype)), method)(*args)
                assert same(ours, theirs), (seed, n, dtype)
                assert same(tg.rand(3, dtype=tg.float64), torch.rand(3, dtype=torch.float64))


def test_multinomial_big_rows_many_seeds_match_torch(torch) -> None:
    """1-D and 2-D probabilities up to 20000 categories, with and without replacement, one
    and several samples, float32/float64/float16, the default generator and a Generator."""
    for seed in range(12):
        rng = np.random.default_rng(seed)
        for shape in [(17,), (300,), (7, 40), (2, 2000), (20000,)]:
            w = rng.random(shape)
            for dtype, replacement, k in [("float32", False, 1), ("float64", False, 3),
                                          ("float16", False, shape[-1]), ("float32", True, 5),
                                          ("float64", True, 1), ("float16", True, 40)]:
                p = w.astype(NP_OF[dtype])
                torch.manual_seed(seed)
                tg.manual_seed(seed)
                g, tgen = tg.Generator().manual_seed(seed), torch.Generator().manual_seed(seed)
                assert same(tg.tensor(p).multinomial(k, replacement),
                            torch.from_numpy(p).multinomial(k, replacement))
                assert same(tg.multinomial(tg.tensor(p), k, replacement, generator=g),
                            torch.multinomial(torch.from_numpy(p), k, replacement, generator=tgen))
                assert same_state(torch) and same_state(torch, g, tgen)


@pytest.mark.parametrize("args, kwargs", [
    ((2.5,), {}), ((1, 2.5), {}), ((2.5, 1), {}), ((1, True), {}), ((True,), {}), ((None,), {}),
    (("a",), {}), ((None, None), {}), ((1, 2, 3), {}), ((1, 2), {"to": 4}), ((), {"to": 2.5}),
    ((), {"from": 1}), ((), {"from": 1, "to": 2.5}), ((), {"to": 3, "from": 1.5}),
    ((1,), {"to": "x"}), ((), {"to": None}), ((), {"foo": 1}), ((1, 2), {"foo": 1}),
    ((1,), {"to": None}), ((), {"to": 5}), ((), {"from": 1, "to": 5}), ((-3, 5), {}), ((7,), {}),
])
def test_random_overloads_and_their_errors_match_torch(torch, args, kwargs) -> None:
    """random_()'s three overloads, positional or by keyword, and torch's parser errors."""
    def run(lib):
        lib.manual_seed(0)
        return lib.empty(4).random_(*args, **kwargs).tolist()

    ours, theirs = outcome(lambda: run(tg)), outcome(lambda: run(torch))
    if isinstance(theirs, tuple):
        with pytest.raises(theirs[0]) as info:
            run(tg)
        with pytest.raises(theirs[0]) as torch_info:
            run(torch)
        assert str(info.value) == str(torch_info.value)
    else:
        assert ours == theirs
