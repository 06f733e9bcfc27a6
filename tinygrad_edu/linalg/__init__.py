"""``tinygrad_edu.linalg``, as ``torch.linalg``: norms, inverses and solvers,
determinants, and the Cholesky, QR, eigen- and singular value decompositions, batched
over leading dims, with PyTorch's results, errors and gradients.

The code lives with the op families: square systems in ops/linalg.py, factorizations in
ops/decompositions.py, the LU factorization in ops/lu.py, norms in ops/matrix_norms.py,
the functions of matrices and the products of several in ops/matrix_functions.py,
triangular systems, the condition number and the ``_ex`` forms in ops/linalg_ex.py.

>>> import tinygrad_edu as tg
>>> A = tg.tensor([[4.0, 1.0], [1.0, 3.0]])
>>> tg.linalg.solve(A, tg.tensor([1.0, 2.0]))
tensor([0.0909, 0.6364])
"""

from __future__ import annotations

from ..ops.decompositions import (
    eigh,
    eigvalsh,
    lstsq,
    matrix_rank,
    pinv,
    qr,
    slogdet,
    svd,
    svdvals,
)
from ..ops.linalg import LinAlgError, cholesky, det, inv, solve
from ..ops.linalg_ex import cholesky_ex, cond, inv_ex, solve_ex, solve_triangular
from ..ops.lu import lu, lu_factor, lu_factor_ex, lu_solve
from ..ops.matrix_functions import linalg_cross as cross
from ..ops.matrix_functions import linalg_diagonal as diagonal
from ..ops.matrix_functions import linalg_matmul as matmul
from ..ops.matrix_functions import linalg_matrix_exp as matrix_exp
from ..ops.matrix_functions import linalg_matrix_power as matrix_power
from ..ops.matrix_functions import linalg_vander as vander
from ..ops.matrix_functions import multi_dot, vecdot
from ..ops.matrix_norms import matrix_norm, norm, vector_norm
from ..parity.out_argument import LINALG_WITH_OUT, accepts_out
from .tensor_equations import tensorinv, tensorsolve

__all__ = ["norm", "vector_norm", "matrix_norm", "inv", "det", "slogdet", "solve", "lstsq",
           "cholesky", "qr", "eigh", "eigvalsh", "svd", "svdvals", "pinv", "matrix_rank",
           "LinAlgError", "multi_dot", "matrix_power", "matrix_exp", "vecdot", "matmul",
           "diagonal", "cross", "vander", "solve_triangular", "inv_ex", "cholesky_ex",
           "solve_ex", "cond", "lu_factor", "lu_factor_ex", "lu", "lu_solve", "tensorinv",
           "tensorsolve"]

for _name in LINALG_WITH_OUT:  # tg.linalg.inv(A, out=B)
    globals()[_name] = accepts_out(globals()[_name], f"linalg_{_name}")
