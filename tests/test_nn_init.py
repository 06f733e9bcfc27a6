"""``nn.init``'s structured and truncated initialisers against PyTorch: after the same
``manual_seed`` the same values (bit for bit, orthogonal_ to QR's rounding), the same
random stream consumed (a following ``rand`` agrees), the same errors and warnings.
The basic initialisers are tested in test_nn_layers.py.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn

torch = pytest.importorskip("torch")


def _both(name: str, shape: tuple[int, ...], dtype: str, *args: Any) -> list[np.ndarray]:
    """Run ``nn.init.<name>`` in both libraries from seed 3; the values, then a rand(5)."""
    out = []
    for lib in (tg, torch):
        lib.manual_seed(3)
        t = lib.empty(*shape, dtype=getattr(lib, dtype))
        assert getattr(lib.nn.init, name)(t, *args) is t
        out += [t.numpy(), lib.rand(5).numpy()]
    return out


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    "shape,args",
    [
        ((7, 9), ()),  # wide bounds: normals, redrawn where out of [a, b]
        ((100,), (0.0, 1.0, -0.5, 0.5)),  # narrow: uniform proposals, accepted by pdf
        ((40, 40), (0.0, 0.02, -0.04, 0.04)),
        ((40, 40), (1.0, 1.0, 2.0, 5.0)),  # mean outside [a, b]
        ((3, 4, 5), (0.5, 2.0, 0.0, 0.3)),
    ],
)
def test_trunc_normal_is_bit_identical_to_torch(
    shape: tuple[int, ...], args: tuple[float, ...], dtype: str
) -> None:
    ours, ours_next, theirs, theirs_next = _both("trunc_normal_", shape, dtype, *args)
    assert (ours == theirs).all() and (ours_next == theirs_next).all()
    if args:
        assert ours.min() >= args[2] and ours.max() <= args[3]


def test_trunc_normal_warns_when_mean_is_far_from_the_bounds() -> None:
    with pytest.warns(UserWarning, match="mean is more than 2 std from"):
        nn.init.trunc_normal_(tg.empty(3), mean=10.0)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape,gain", [((3, 5), 1.0), ((20, 5), 1.0), ((4, 3, 2, 2), 2.0)])
def test_orthogonal_matches_torch(shape: tuple[int, ...], gain: float, dtype: str) -> None:
    ours, ours_next, theirs, theirs_next = _both("orthogonal_", shape, dtype, gain)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6)
    assert (ours_next == theirs_next).all()


@pytest.mark.parametrize(
    "name,shape,args",
    [
        ("eye_", (3, 5), ()),
        ("eye_", (4, 2), ()),
        ("dirac_", (4, 2, 3), ()),
        ("dirac_", (6, 4, 3, 3), (3,)),
        ("dirac_", (4, 2, 3, 2, 3), ()),
        ("sparse_", (10, 4), (0.3,)),
        ("sparse_", (7, 3), (0.5, 0.5)),
    ],
)
def test_structured_inits_are_bit_identical_to_torch(
    name: str, shape: tuple[int, ...], args: tuple[Any, ...]
) -> None:
    ours, ours_next, theirs, theirs_next = _both(name, shape, "float32", *args)
    assert (ours == theirs).all() and (ours_next == theirs_next).all()


@pytest.mark.parametrize(
    "name,args",
    [
        ("orthogonal_", ((3,),)),
        ("eye_", ((3,),)),
        ("eye_", ((2, 2, 2),)),
        ("dirac_", ((3, 3),)),
        ("dirac_", ((3, 3, 3), 2)),
        ("sparse_", ((3,), 0.1)),
    ],
)
def test_structured_init_errors_match_torch(name: str, args: tuple[Any, ...]) -> None:
    shape, *rest = args
    with pytest.raises(ValueError) as theirs:
        getattr(torch.nn.init, name)(torch.empty(*shape), *rest)
    with pytest.raises(ValueError) as ours:
        getattr(nn.init, name)(tg.empty(*shape), *rest)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize(
    "old,args",
    [
        ("uniform", ()),
        ("normal", ()),
        ("constant", (0.5,)),
        ("xavier_uniform", ()),
        ("xavier_normal", ()),
        ("kaiming_uniform", ()),
        ("kaiming_normal", ()),
        ("orthogonal", ()),
        ("sparse", (0.5,)),
        ("eye", ()),
    ],
)
def test_deprecated_aliases_warn_and_fill_like_torch(old: str, args: tuple[Any, ...]) -> None:
    results = []
    for lib in (tg, torch):
        lib.manual_seed(0)
        t = lib.empty(4, 3)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            getattr(lib.nn.init, old)(t, *args)
        assert caught[0].category is FutureWarning and caught[0].filename == __file__
        results.append((str(caught[0].message), t.numpy()))
    assert results[0][0] == results[1][0]
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=0, atol=1e-6)
    with pytest.warns(FutureWarning, match=r"`nn.init.dirac` is now deprecated in favor of"):
        nn.init.dirac(tg.empty(2, 2, 3))
