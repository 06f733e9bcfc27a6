"""L-BFGS (``torch.optim.LBFGS``): a quasi-Newton method. It steps along an estimate of
``-H^-1 g`` (the Newton direction), with the inverse Hessian ``H^-1`` approximated from the
last few steps and gradient changes, and may pick the step length by a line search.

It works on all parameters as one flat vector, re-evaluates the loss several times per
``step`` (so ``step`` needs a ``closure``), and keeps one global state (registered under
the first parameter, as PyTorch does).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..core.function import bump_version
from ..core.grad_mode import _teaching, enable_grad
from ..parity.torch_sum import sum_all
from ..tensor import Tensor, _wrap
from .optimizer import Optimizer

__all__ = ["LBFGS"]

# Scalars that PyTorch keeps as 0-d tensors are numpy scalars of the parameters' dtype
# here: numpy (NEP 50) and torch then round every scalar operation the same way (a Python
# float meeting a float32 scalar is rounded to float32 first, in both). The dot products
# are numpy's (BLAS) and PyTorch's are MKL's, which add in another order, and PyTorch's
# add(alpha=) rounds once (a fused multiply-add): results agree to rounding, not bit for bit.


class LBFGS(Optimizer):
    """Limited-memory BFGS (Nocedal 1980; PyTorch's port of minFunc). Each iteration:

        y = g - g_prev,  s = t * d_prev                 (gradient change, last step)
        remember (s, y, rho = 1 / y.s) if y.s > 1e-10   (at most ``history_size`` pairs)
        d = -H g  by the two-loop recursion:
            q = -g;  for the pairs newest to oldest: a_i = rho_i s_i.q,  q -= a_i y_i
            r = (y.s / y.y) q                         (H0 = a scaled identity)
            for the pairs oldest to newest: b_i = rho_i y_i.r,  r += (a_i - b_i) s_i
        p = p + t d    (t = lr, or found by ``line_search_fn="strong_wolfe"``)

    The two loops multiply ``-g`` by the BFGS inverse-Hessian estimate built from the stored
    pairs without ever forming the matrix: O(history * n) work instead of O(n^2) memory.
    The first iteration is a gradient step of length ``min(1, 1 / |g|_1) * lr``. It stops
    after ``max_iter`` iterations, ``max_eval`` loss evaluations, or when the gradient,
    the step or the loss change falls below the tolerances.

    >>> opt = tg.optim.LBFGS(model.parameters(), line_search_fn="strong_wolfe")
    >>> def closure():
    ...     opt.zero_grad(); loss = loss_fn(model(X), y); loss.backward(); return loss
    >>> opt.step(closure)
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float | Tensor = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = {
            "lr": lr,
            "max_iter": max_iter,
            "max_eval": max_eval,
            "tolerance_grad": tolerance_grad,
            "tolerance_change": tolerance_change,
            "history_size": history_size,
            "line_search_fn": line_search_fn,
        }
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")

    # ------------------------------------------------------------------ flat vectors
    @property
    def _params(self) -> list[Tensor]:
        return self.param_groups[0]["params"]

    def _flat_grad(self) -> np.ndarray:
        """All gradients as one vector (zeros for a parameter without a gradient)."""
        return np.concatenate([
            np.zeros(p._data.size, p._data.dtype) if p._grad is None else p._grad._data.ravel()
            for p in self._params
        ])

    def _add_to_params(self, t: Any, d: np.ndarray) -> None:
        """p += t * d, d cut into the parameters' shapes."""
        offset = 0
        for p in self._params:
            n = p._data.size
            p._data += d[offset:offset + n].reshape(p._data.shape) * t
            offset += n
            bump_version(p)

    def _set_params(self, arrays: list[np.ndarray]) -> None:
        for p, a in zip(self._params, arrays, strict=True):
            p._data[...] = a
            bump_version(p)

    def _evaluate_along(
        self, closure: Callable[[], Any], x: list[np.ndarray], t: Any, d: np.ndarray
    ) -> tuple[float, np.ndarray]:
        """Loss and flat gradient at x + t d (the parameters are put back to x after)."""
        self._add_to_params(t, d)
        with enable_grad():
            loss = float(closure())
        flat_grad = self._flat_grad()
        self._set_params(x)
        return loss, flat_grad

    # ------------------------------------------------------------------ step
    def step(self, closure: Callable[[], Any]) -> Any:  # type: ignore[override]
        """Run up to ``max_iter`` L-BFGS iterations; ``closure`` zeroes the gradients,
        computes the loss, calls ``backward()`` and returns the loss. Returns the loss of
        the first evaluation."""
        group = self.param_groups[0]
        lr = float(group["lr"]) if isinstance(group["lr"], Tensor) else group["lr"]
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]

        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        with enable_grad():
            orig_loss = closure()
        self._opt_called = True
        if _teaching.hooks is not None:  # tg.set_teaching_mode: see teaching.py
            _teaching.hooks.before_step(self)
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        if np.abs(flat_grad).max() <= tolerance_grad:
            return orig_loss

        d, t = _unpack(state.get("d")), _unpack(state.get("t"))
        old_dirs, old_stps = _unpack(state.get("old_dirs")), _unpack(state.get("old_stps"))
        ro, H_diag = _unpack(state.get("ro")), _unpack(state.get("H_diag"))
        prev_flat_grad, prev_loss = _unpack(state.get("prev_flat_grad")), state.get("prev_loss")
        al = _unpack(state.get("al"))
        one = flat_grad.dtype.type(1.0)
        opt_cond = False

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1

            # the direction d
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro = [], [], []
                H_diag = 1
            else:
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = np.dot(y, s)
                if ys > 1e-10:  # keep only pairs along which the loss curves upwards
                    if len(old_dirs) == history_size:
                        del old_dirs[0], old_stps[0], ro[0]
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(one / ys)
                    H_diag = ys / np.dot(y, y)
                if al is None:
                    al = state["al"] = [None] * history_size  # (packed at the end)
                # the two-loop recursion: d = -H g
                q = -flat_grad
                for i in range(len(old_dirs) - 1, -1, -1):
                    al[i] = np.dot(old_stps[i], q) * ro[i]
                    q += old_dirs[i] * -al[i]
                d = r = q * H_diag
                for i in range(len(old_dirs)):
                    be_i = np.dot(old_dirs[i], r) * ro[i]
                    r += old_stps[i] * (al[i] - be_i)
            prev_flat_grad = flat_grad.copy()
            prev_loss = loss

            # the step length t
            if state["n_iter"] == 1:
                t = min(1.0, one / sum_all(np.abs(flat_grad))[()]) * lr
            else:
                t = lr
            gtd = np.dot(flat_grad, d)  # directional derivative
            if gtd > -tolerance_change:
                break

            ls_func_evals = 0
            if line_search_fn is not None:
                if line_search_fn != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                x_init = [p._data.copy() for p in self._params]

                def along(x: list[np.ndarray], t: Any, d: np.ndarray) -> tuple[float, np.ndarray]:
                    return self._evaluate_along(closure, x, t, d)

                loss, flat_grad, t, ls_func_evals = _strong_wolfe(
                    along, x_init, t, d, loss, flat_grad, gtd, max_ls=max_eval - current_evals
                )
                self._add_to_params(t, d)
                opt_cond = np.abs(flat_grad).max() <= tolerance_grad
            else:
                self._add_to_params(t, d)
                if n_iter != max_iter:  # no evaluation after the last (fixed) step
                    with enable_grad():
                        loss = float(closure())
                    flat_grad = self._flat_grad()
                    opt_cond = np.abs(flat_grad).max() <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals

            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if np.abs(d * t).max() <= tolerance_change:  # lack of progress
                break
            if abs(loss - prev_loss) < tolerance_change:
                break

        state["d"], state["t"] = _pack(d), _pack(t)
        state["old_dirs"], state["old_stps"] = _pack(old_dirs), _pack(old_stps)
        state["ro"], state["H_diag"] = _pack(ro), _pack(H_diag)
        state["prev_flat_grad"], state["prev_loss"] = _pack(prev_flat_grad), prev_loss
        if al is not None:
            state["al"] = _pack(al)
        return orig_loss


def _unpack(value: Any) -> Any:
    """A state value as numpy: Tensors to arrays (0-d ones to scalars), lists copied."""
    if isinstance(value, Tensor):
        return value._data[()] if value._data.ndim == 0 else value._data
    if isinstance(value, list):
        return [_unpack(v) for v in value]
    return value


def _pack(value: Any) -> Any:
    """A state value as PyTorch keeps it: arrays and numpy scalars as Tensors."""
    if isinstance(value, (np.ndarray, np.generic)):
        return _wrap(np.array(value))
    if isinstance(value, list):
        return [_pack(v) for v in value]
    return value


def _cubic_interpolate(
    x1: Any, f1: Any, g1: Any, x2: Any, f2: Any, g2: Any, bounds: tuple[Any, Any] | None = None
) -> Any:
    """The minimizer of the cubic through (x1, f1) and (x2, f2) with slopes g1, g2, clamped
    to ``bounds`` (default: between x1 and x2); their midpoint if the cubic has none."""
    if bounds is not None:
        xmin_bound, xmax_bound = bounds
    else:
        xmin_bound, xmax_bound = (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    if d2_square >= 0:
        d2 = np.sqrt(d2_square)
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, xmin_bound), xmax_bound)
    return (xmin_bound + xmax_bound) / 2.0


def _strong_wolfe(
    obj_func: Callable[[list[np.ndarray], Any, np.ndarray], tuple[float, np.ndarray]],
    x: list[np.ndarray],
    t: Any,
    d: np.ndarray,
    f: float,
    g: np.ndarray,
    gtd: Any,
    c1: float = 1e-4,
    c2: float = 0.9,
    tolerance_change: float = 1e-9,
    max_ls: int = 25,
) -> tuple[float, np.ndarray, Any, int]:
    """A step length t along d meeting the strong Wolfe conditions (Nocedal & Wright,
    algorithms 3.5 and 3.6): enough decrease, f(t) <= f + c1 t gtd, and a flat enough
    slope, |gtd(t)| <= -c2 gtd. First a bracket [lo, hi] that holds such a t is found by
    growing t, then the bracket is shrunk by cubic interpolation ("zoom").
    Returns (loss, flat gradient, t, number of evaluations)."""
    d_norm = np.abs(d).max()
    f_new, g_new = obj_func(x, t, d)
    ls_func_evals = 1
    gtd_new = np.dot(g_new, d)

    # bracketing phase
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    bracket: list[Any] = []
    bracket_f: list[Any] = []
    bracket_g: list[np.ndarray] = []
    bracket_gtd: list[Any] = []
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new], [gtd_prev, gtd_new]
            break
        # still going down: extrapolate, at least 1% further, at most 10 times t
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        tmp = t
        t = _cubic_interpolate(
            t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(min_step, max_step)
        )
        t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new, gtd_new
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = np.dot(g_new, d)
        ls_iter += 1
    if ls_iter == max_ls:
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    # zoom phase
    insuf_progress = False
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:  # bracket too small
            break
        t = _cubic_interpolate(
            bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1]
        )
        # a t too close to an end of the bracket (twice in a row, or outside it) is moved
        # to 10% of the bracket's length away from that end
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                if abs(t - max(bracket)) < abs(t - min(bracket)):
                    t = max(bracket) - eps
                else:
                    t = min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False

        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = np.dot(g_new, d)
        ls_iter += 1

        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            # not enough decrease, or not below the low end: t becomes the high end
            bracket[high_pos], bracket_f[high_pos] = t, f_new
            bracket_g[high_pos], bracket_gtd[high_pos] = g_new, gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                # the slope points away from the high end: the old low end replaces it
                bracket[high_pos], bracket_f[high_pos] = bracket[low_pos], bracket_f[low_pos]
                bracket_g[high_pos] = bracket_g[low_pos]
                bracket_gtd[high_pos] = bracket_gtd[low_pos]
            bracket[low_pos], bracket_f[low_pos] = t, f_new
            bracket_g[low_pos], bracket_gtd[low_pos] = g_new, gtd_new

    return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], ls_func_evals
