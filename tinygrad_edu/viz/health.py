"""``grad_health``: per-parameter gradient norms, as a table and a bar chart (matplotlib
imported only when ``plot`` runs)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..tensor import Tensor
from ._common import _named


@dataclass
class ParamHealth:
    """One row of ``grad_health``: a parameter's gradient statistics and a verdict.

    >>> [(r.name, r.status) for r in tg.viz.grad_health(model).rows]
    [('weight', 'ok'), ('bias', 'ok')]
    """

    name: str
    shape: tuple[int, ...]
    grad_norm: float | None
    param_norm: float
    grad_max: float | None
    status: str


class GradHealth:
    """Per-parameter gradient norms after backward: ``print()`` it, or ``.plot()`` it.

    >>> report = tg.viz.grad_health(model)
    >>> print(report)
    >>> report.plot()         # a bar chart (needs matplotlib)
    """

    def __init__(self, rows: list[ParamHealth], vanishing: float, exploding: float) -> None:
        self.rows = rows
        self.vanishing, self.exploding = vanishing, exploding

    def __str__(self) -> str:
        head = ("parameter", "shape", "grad norm", "param norm", "grad/param", "max |grad|",
                "status")
        table = [head] + [_row_cells(r) for r in self.rows]
        widths = [max(len(row[k]) for row in table) for k in range(len(head))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in table]
        lines.insert(1, "  ".join("-" * w for w in widths))
        bad = [r for r in self.rows if r.status != "ok"]
        lines.append(f"{len(self.rows) - len(bad)} of {len(self.rows)} parameters ok"
                     + (f"; vanishing below {self.vanishing:g}, exploding above "
                        f"{self.exploding:g}" if bad else ""))
        return "\n".join(lines)

    __repr__ = __str__

    def plot(self, ax: Any = None) -> Any:
        """A horizontal bar chart of gradient norms (log scale), coloured by status.

        >>> ax = tg.viz.grad_health(model).plot()
        >>> ax.figure.savefig("grad_health.png")
        """
        try:
            import matplotlib.pyplot as plt
        except ImportError as e:
            raise ImportError("GradHealth.plot needs matplotlib: pip install matplotlib") from e
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 0.35 * len(self.rows) + 1.2))
        colors = {"ok": "#3B7DDD", "vanishing": "#F08C00", "exploding": "#D62828",
                  "NaN/Inf": "#D62828", "all zero": "#F08C00"}
        norms = [r.grad_norm if r.grad_norm and np.isfinite(r.grad_norm) else np.nan
                 for r in self.rows]
        y = np.arange(len(self.rows))
        ax.barh(y, norms, color=[colors.get(r.status, "#9A9A9A") for r in self.rows])
        ax.set_yticks(y, [f"{r.name}  ({r.status})" if r.status != "ok" else r.name
                          for r in self.rows])
        ax.invert_yaxis()
        ax.set_xscale("log")
        for x, style in ((self.vanishing, ":"), (self.exploding, "--")):
            ax.axvline(x, color="#777777", linestyle=style, linewidth=1)
        ax.set_xlabel("gradient L2 norm (log scale)")
        ax.set_title("gradient health")
        return ax


def _row_cells(r: ParamHealth) -> tuple[str, ...]:
    def num(v: float | None) -> str:
        return "-" if v is None else f"{v:.3e}"

    ratio = None if r.grad_norm is None or r.param_norm == 0 else r.grad_norm / r.param_norm
    return (r.name, str(r.shape), num(r.grad_norm), num(r.param_norm), num(ratio),
            num(r.grad_max), r.status)


def _status(p: Tensor, vanishing: float, exploding: float) -> tuple[str, float | None]:
    if not p.requires_grad:
        return "frozen", None
    if p._grad is None:
        return "no grad", None
    g = p._grad._data.astype(np.float64)
    if not np.all(np.isfinite(g)):
        return "NaN/Inf", float("nan")
    norm = float(np.linalg.norm(g))
    if norm == 0:
        return "all zero", norm
    if norm < vanishing:
        return "vanishing", norm
    return ("exploding" if norm > exploding else "ok"), norm


def grad_health(model: Any, *, vanishing: float = 1e-7, exploding: float = 1e3) -> GradHealth:
    """Gradient norm of every parameter, to spot vanishing or exploding gradients.

    >>> model = tg.nn.Linear(3, 2)
    >>> model(tg.randn(4, 3)).sum().backward()
    >>> print(tg.viz.grad_health(model))        # doctest: +SKIP
    parameter  shape   grad norm  param norm  grad/param  max |grad|  status
    ---------  ------  ---------  ----------  ----------  ----------  ------
    weight     (2, 3)  4.061e+00  8.613e-01   4.715e+00   1.976e+00   ok
    bias       (2,)    5.657e+00  5.513e-01   1.026e+01   4.000e+00   ok
    2 of 2 parameters ok

    ``model``: a Module, a dict ``{name: tensor}``, or an iterable of tensors. Status:
    ``ok``, ``vanishing`` (norm < ``vanishing``), ``exploding`` (> ``exploding``),
    ``all zero``, ``NaN/Inf``, ``no grad`` (not used by the loss, or no backward yet),
    ``frozen`` (requires_grad=False).
    """
    rows = []
    for name, p in _named(model):
        status, norm = _status(p, vanishing, exploding)
        grad_max = None
        if p._grad is not None and p._grad._data.size:
            grad_max = float(np.abs(p._grad._data).max())
        rows.append(ParamHealth(name, tuple(p.shape), norm,
                                float(np.linalg.norm(p._data.astype(np.float64))), grad_max,
                                status))
    return GradHealth(rows, vanishing, exploding)
