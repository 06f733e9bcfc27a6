"""cov, corrcoef, matrix_power, matrix_exp, multi_dot / chain_matmul, vecdot, vander and
tg.linalg's other spellings: what the op table (test_ops.py) cannot cover.

- errors: PyTorch's exception class and message, written out here (checked without torch
  too) and compared with torch 2.13's own when it is importable;
- integer inputs (cov and corrcoef divide into floats, matrix_power and vander keep
  int64), weights of two dtypes, cov's warning for no degrees of freedom;
- multi_dot's order of products: torch's (the rounding shows it);
- vander: written in place as PyTorch writes it, so its backward fails as torch's does.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from test_linalg_ops import _raised  # (one helper: the exception a call raises)

import tinygrad_edu as tg

try:
    import torch
except ImportError:  # pragma: no cover - the comparisons with torch are skipped
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")


def _o(L: Any, *shape: int, dtype: str = "float32") -> Any:
    return L.ones(*shape, dtype=getattr(L, dtype))


ERRORS: dict[str, tuple[Callable[[Any], Any], type[BaseException], str]] = {
    "cov of 3-D": (lambda L: L.cov(_o(L, 2, 2, 2)), RuntimeError,
                   "cov(): expected input to have two or fewer dimensions but got an input with "
                   "3 dimensions"),
    "cov of bool": (lambda L: L.cov(_o(L, 3, dtype="bool")), RuntimeError,
                    "cov(): bool dtype is not supported for input"),
    "cov float fweights": (lambda L: L.cov(_o(L, 3, 3), fweights=_o(L, 3)), RuntimeError,
                           "cov(): expected fweights to have integral dtype but got fweights "
                           "with Float dtype"),
    "cov fweights numel": (lambda L: L.cov(_o(L, 3, 3), fweights=_o(L, 2, dtype="int64")),
                           RuntimeError, "cov(): expected fweights to have the same numel as "
                           "there are observations in the input but got 2 != 3"),
    "cov 2-D fweights": (lambda L: L.cov(_o(L, 3, 3), fweights=_o(L, 1, 3, dtype="int64")),
                         RuntimeError, "cov(): expected fweights to have one or fewer "
                         "dimensions but got fweights with 2 dimensions"),
    "cov negative fweights": (lambda L: L.cov(_o(L, 3, 3), fweights=-_o(L, 3, dtype="int64")),
                              RuntimeError, "cov(): fweights cannot be negative"),
    "cov int aweights": (lambda L: L.cov(_o(L, 3, 3), aweights=_o(L, 3, dtype="int64")),
                         RuntimeError, "cov(): expected aweights to have floating point dtype "
                         "but got aweights with Long dtype"),
    "cov negative aweights": (lambda L: L.cov(_o(L, 3, 3), aweights=-_o(L, 3)), RuntimeError,
                              "cov(): aweights cannot be negative"),
    "cov weights sum to 0": (lambda L: L.cov(_o(L, 3, 3), aweights=L.zeros(3)), RuntimeError,
                             "cov(): weights sum to zero, can't be normalized"),
    "cov float correction": (lambda L: L.cov(_o(L, 3, 3), correction=1.5), TypeError,
                             "cov(): argument 'correction' must be int, not float"),
    "corrcoef of 3-D": (lambda L: L.corrcoef(_o(L, 2, 2, 2)), RuntimeError,
                        "corrcoef(): expected input to have two or fewer dimensions but got an "
                        "input with 3 dimensions"),
    "matrix_power not square": (lambda L: L.matrix_power(_o(L, 2, 3), 2), RuntimeError,
                                "linalg.matrix_power: A must be batches of square matrices, "
                                "but they are 2 by 3 matrices"),
    "matrix_power of a vector": (lambda L: _o(L, 3).matrix_power(2), RuntimeError,
                                 "linalg.matrix_power: The input tensor A must have at least 2 "
                                 "dimensions."),
    "matrix_power int, negative": (lambda L: L.matrix_power(_o(L, 2, 2, dtype="int64"), -1),
                                   RuntimeError, "linalg.inv: Expected a floating point or "
                                   "complex tensor as input. Got Long"),
    "matrix_power float n": (lambda L: L.matrix_power(_o(L, 2, 2), 2.0), TypeError,
                             "matrix_power(): argument 'n' (position 2) must be int, not float"),
    "linalg.matrix_power float n": (lambda L: L.linalg.matrix_power(_o(L, 2, 2), 2.0),
                                    TypeError, "linalg_matrix_power(): argument 'n' (position "
                                    "2) must be int, not float"),
    "matrix_exp not square": (lambda L: L.matrix_exp(_o(L, 2, 3)), RuntimeError,
                              "linalg.matrix_exp: A must be batches of square matrices, but "
                              "they are 2 by 3 matrices"),
    "matrix_exp of a vector": (lambda L: L.linalg.matrix_exp(_o(L, 3)), RuntimeError,
                               "linalg.matrix_exp: The input tensor A must have at least 2 "
                               "dimensions."),
    "matrix_exp of int": (lambda L: _o(L, 2, 2, dtype="int64").matrix_exp(), RuntimeError,
                          "linalg.matrix_exp: Expected a floating point or complex tensor as "
                          "input. Got Long"),
    "chain_matmul of none": (lambda L: L.chain_matmul(), RuntimeError,
                             "chain_matmul(): Expected one or more matrices"),
    "chain_matmul of a vector": (lambda L: L.chain_matmul(_o(L, 3, 3), _o(L, 3)), RuntimeError,
                                 "Tensor dimension is 1, expected 2 instead."),
    "chain_matmul shapes": (lambda L: L.chain_matmul(_o(L, 3, 3), _o(L, 2, 3)), RuntimeError,
                            "multi_dot(): tensors 0 and 1 with shapes [3, 3] and [2, 3] cannot "
                            "be multiplied"),
    "multi_dot dtypes": (lambda L: L.linalg.multi_dot([_o(L, 3, 3), _o(L, 3, 3, dtype="int64")]),
                         RuntimeError, "multi_dot(): all tensors must have be the same dtype "
                         "but tensor 0 is float and tensor 1 long int"),
    "multi_dot of one": (lambda L: L.linalg.multi_dot([_o(L, 3, 3)]), RuntimeError,
                         "multi_dot(): expected at least 2 tensors but got 1"),
    "multi_dot first 3-D": (lambda L: L.linalg.multi_dot([_o(L, 2, 3, 3), _o(L, 3, 3)]),
                            RuntimeError, "multi_dot(): the first tensor must be 1D or 2D but "
                            "got 3D"),
    "multi_dot last 0-D": (lambda L: L.linalg.multi_dot([_o(L, 3, 3), L.tensor(1.0)]),
                           RuntimeError, "multi_dot(): the last tensor must be 1D or 2D but "
                           "got 0D"),
    "multi_dot middle 1-D": (lambda L: L.linalg.multi_dot([_o(L, 3), _o(L, 3), _o(L, 3)]),
                             RuntimeError, "multi_dot(): tensor 1 must be 2D but got 1D"),
    "multi_dot shapes": (lambda L: L.linalg.multi_dot([_o(L, 3), _o(L, 3, 3), _o(L, 2, 3)]),
                         RuntimeError, "multi_dot(): tensors 1 and 2 with shapes [3, 3] and "
                         "[2, 3] cannot be multiplied"),
    "vecdot dtypes": (lambda L: L.linalg.vecdot(_o(L, 3), _o(L, 3, dtype="int64")),
                      RuntimeError, "linalg.vecdot: Expected x and y to have the same dtype, "
                      "but found x of type Float and y of type Long instead"),
    "vecdot of ints": (lambda L: L.linalg.vecdot(_o(L, 3, dtype="int64"), _o(L, 3)),
                       RuntimeError, "linalg.vecdot: Expected a floating point or complex "
                       "tensor as input. Got Long"),
    "vecdot dim": (lambda L: L.linalg.vecdot(_o(L, 3, 3), _o(L, 3, 3), dim=5), IndexError,
                   "Dimension out of range (expected to be in range of [-2, 1], but got 5)"),
    "vecdot of two sizes": (lambda L: L.linalg.vecdot(_o(L, 3), _o(L, 1)), RuntimeError,
                            "inconsistent tensor size, expected tensor [3] and src [1] to have "
                            "the same number of elements, but got 3 and 1 elements "
                            "respectively"),
    "linalg.diagonal of a vector": (lambda L: L.linalg.diagonal(_o(L, 3)), IndexError,
                                    "Dimension out of range (expected to be in range of "
                                    "[-1, 0], but got -2)"),
    "linalg.cross ranks": (lambda L: L.linalg.cross(_o(L, 3), _o(L, 2, 3)), RuntimeError,
                           "linalg.cross: inputs must have the same number of dimensions."),
    "linalg.cross length": (lambda L: L.linalg.cross(_o(L, 3, 4), _o(L, 3, 4)), RuntimeError,
                            "linalg.cross: inputs dimension -1 must have length 3. Got 4 and "
                            "4"),
    "linalg.vander N": (lambda L: L.linalg.vander(_o(L, 3), N=1), RuntimeError,
                        "N must be greater than 1."),
    "linalg.vander of a number": (lambda L: L.linalg.vander(L.tensor(1.0)), RuntimeError,
                                  "N must be greater than 1."),
    "linalg.vander of bool": (lambda L: L.linalg.vander(L.tensor([True])), RuntimeError,
                              "linalg.vander supports floating point, complex, and integer "
                              "tensors, but got Bool"),
    "vander of a matrix": (lambda L: L.vander(_o(L, 3, 3)), RuntimeError,
                           "x must be a one-dimensional tensor."),
    "vander negative N": (lambda L: L.vander(_o(L, 3), N=-1), RuntimeError,
                          "N must be non-negative."),
}



@pytest.mark.parametrize("name", list(ERRORS))
def test_error_like_torch(name: str) -> None:
    """PyTorch's exception class and message."""
    make, cls, message = ERRORS[name]
    ours = _raised(make, tg)
    assert type(ours) is cls, f"{type(ours).__name__}: {ours}"
    assert ours.args[0] == message
    if torch is not None:
        theirs = _raised(make, torch)
        assert type(theirs) is cls and theirs.args[0] == message, theirs


# ============================================================================ values
CASES: dict[str, Callable[[Any], Any]] = {
    "cov of ints": lambda L: L.cov(L.tensor([[1, 2, 4], [3, 1, 0]])),
    "cov of a vector": lambda L: L.cov(L.tensor([1.0, 2.5, 4.0])),
    "cov of a number (nan)": lambda L: L.cov(L.tensor(2.0)),
    "cov float32 with float64 aweights": lambda L: L.cov(
        L.tensor([[1.0, 2.0, 0.5], [0.0, 1.0, 3.0]]),
        aweights=L.tensor([1.0, 2.0, 0.5], dtype=L.float64)),
    "cov with both weights": lambda L: L.cov(
        L.tensor([[1.0, 2.0, 0.5], [0.0, 1.0, 3.0]]), correction=2,
        fweights=L.tensor([1, 3, 2]), aweights=L.tensor([1.0, 2.0, 0.5])),
    "cov without degrees of freedom": lambda L: L.cov(L.tensor([[1.0], [2.0]])),
    "corrcoef of ints": lambda L: L.corrcoef(L.tensor([[1, 2, 4], [3, 1, 0]])),
    "corrcoef of a vector": lambda L: L.tensor([1.0, 2.5, 4.0]).corrcoef(),
    "matrix_power of ints": lambda L: L.tensor([[1, 1], [0, 1]]).matrix_power(5),
    "matrix_power 0 of ints": lambda L: L.tensor([[1, 1], [0, 1]]).matrix_power(0),
    "matrix_power of an empty batch": lambda L: L.linalg.matrix_power(L.ones(0, 2, 2), 3),
    "matrix_exp of nilpotent": lambda L: L.tensor([[0.0, 1.0], [0.0, 0.0]]).matrix_exp(),
    "matrix_exp of 0 x 0": lambda L: L.linalg.matrix_exp(L.ones(0, 0)),
    "matrix_exp of a large norm": lambda L: L.linalg.matrix_exp(
        L.tensor([[1.0, 5.0], [-3.0, 2.0]], dtype=L.float64) * 4),
    "multi_dot of two vectors": lambda L: L.linalg.multi_dot([L.ones(3), L.ones(3)]),
    "vander of ints": lambda L: L.vander(L.tensor([1, 2, 3], dtype=L.int32)),
    "vander of bools": lambda L: L.vander(L.tensor([True, False])),
    "vander N = 0": lambda L: L.vander(L.tensor([1.0, 2.0]), N=0),
    "vander increasing": lambda L: L.vander(L.tensor([1.0, 2.0]), N=3, increasing=True),
    "linalg.vander of int32": lambda L: L.linalg.vander(L.tensor([1, 2, 3], dtype=L.int32)),
}


@needs_torch
@pytest.mark.parametrize("name", list(CASES))
def test_values_like_torch(name: str) -> None:
    """Values, dtypes and shapes (and warnings) as PyTorch's."""
    with warnings.catch_warnings(record=True) as ours_w:
        warnings.simplefilter("always")
        ours = CASES[name](tg)
    with warnings.catch_warnings(record=True) as theirs_w:
        warnings.simplefilter("always")
        theirs = CASES[name](torch)
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, equal_nan=True)
    assert _user_warnings(ours_w) == _user_warnings(theirs_w)


def _user_warnings(caught: list[Any]) -> list[str]:
    """The messages of the UserWarnings (not numpy's 0/0 RuntimeWarning), without torch's
    "(Triggered internally at ...)"."""
    return [str(w.message).split(" (Triggered")[0] for w in caught
            if issubclass(w.category, UserWarning)]


@needs_torch
@pytest.mark.parametrize("shapes", [[(30, 7), (7, 50), (50, 2)], [(2, 50), (50, 7), (7, 30)]])
def test_multi_dot_multiplies_in_torchs_order(shapes: list[tuple[int, int]]) -> None:
    """The cheapest parenthesisation, PyTorch's: torch's result is bitwise one of its two
    orders, and ours is bitwise our product in that same order."""
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    a, b, c = (torch.tensor(x) for x in arrays)
    theirs = torch.linalg.multi_dot([a, b, c])
    right_first = bool(torch.equal(theirs, a @ (b @ c)))
    assert right_first or torch.equal(theirs, (a @ b) @ c)
    x, y, z = (tg.tensor(v) for v in arrays)
    expected = x.mm(y.mm(z)) if right_first else x.mm(y).mm(z)
    np.testing.assert_array_equal(tg.linalg.multi_dot([x, y, z]).numpy(), expected.numpy())


@needs_torch
def test_multi_dot_of_five_like_torch() -> None:
    """Five matrices: the dynamic programme's order (values as torch's, to rounding)."""
    rng = np.random.default_rng(1)
    shapes = [(30, 7), (7, 50), (50, 2), (2, 40), (40, 9)]
    arrays = [rng.standard_normal(s) for s in shapes]
    ours = tg.linalg.multi_dot([tg.tensor(a) for a in arrays]).numpy()
    theirs = torch.linalg.multi_dot([torch.tensor(a) for a in arrays]).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_vander_backward_fails_as_torch() -> None:
    """torch.vander writes its running product in place: its backward raises (torch 2.13),
    and so does this one, which is written the same way."""
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        tg.vander(x).sum().backward()
    if torch is not None:
        xt = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            torch.vander(xt).sum().backward()


def test_matrix_exp_gradient_is_the_block_exponential_corner() -> None:
    """d/dA <G, exp(A)> is the upper-right block of exp([[A^T, G], [0, A^T]])."""
    a = tg.tensor([[0.3, -1.2], [0.7, 0.1]], dtype=tg.float64, requires_grad=True)
    g = tg.tensor([[1.0, 2.0], [-0.5, 0.25]], dtype=tg.float64)
    (a.matrix_exp() * g).sum().backward()
    block = tg.cat([tg.cat([a.detach().mT, g], 1), tg.cat([tg.zeros(2, 2, dtype=tg.float64),
                                                           a.detach().mT], 1)], 0)
    np.testing.assert_allclose(a.grad.numpy(), block.matrix_exp()[:2, 2:].numpy(), rtol=1e-12)
