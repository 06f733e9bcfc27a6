"""``repr`` of a Tensor, formatted as PyTorch prints it (4 decimals, shared width)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .tensor import Tensor

_PREFIX = "tensor("


def _float_formatter(data: np.ndarray) -> str:
    """PyTorch's choice: integers as ``1.``, else 4 decimals, else scientific."""
    finite = data[np.isfinite(data)]
    if finite.size == 0:
        return "{:.4f}"
    nonzero = np.abs(finite[finite != 0])
    if np.all(finite == np.ceil(finite)):
        if nonzero.size and nonzero.max() > 1e8:
            return "{:.4e}"
        return "{:.0f}."
    if nonzero.size and (nonzero.max() / nonzero.min() > 1000 or nonzero.max() > 1e8
                         or nonzero.min() < 1e-4):
        return "{:.4e}"
    return "{:.4f}"


def _format_values(data: np.ndarray) -> str:
    if data.dtype.kind == "f":
        fmt = _float_formatter(data.astype(np.float64))

        def fmt_one(v: float) -> str:
            if np.isnan(v):
                return "nan"
            if np.isinf(v):
                return "inf" if v > 0 else "-inf"
            return fmt.format(v)

        width = _width(data, fmt_one)
        formatter = {"float_kind": lambda v: fmt_one(v).rjust(width)}
    elif data.dtype == np.bool_:
        formatter = {"bool": lambda v: "True" if v else "False"}
        width = 5 if data.size and not data.all() else 4
        formatter = {"bool": lambda v: ("True" if v else "False").rjust(width)}
    else:
        formatter = {}
    text = np.array2string(
        data, separator=", ", prefix=_PREFIX, formatter=formatter,  # type: ignore[arg-type]
        threshold=1000, edgeitems=3, max_line_width=80,
    )
    return text.replace(", ..., ", ",  ..., ")  # PyTorch's summarized row: "2,  ..., 7"


def _width(data: np.ndarray, fmt_one: Any) -> int:
    """PyTorch pads every value to the width of the widest *nonzero finite* one (zeros,
    nan and inf do not count); the widest is among the extremes of each sign."""
    values = data[np.isfinite(data) & (data != 0)].astype(np.float64)
    if values.size == 0:
        return 1
    pos, neg = values[values > 0], values[values < 0]
    extremes = [v for part in (pos, neg) if part.size for v in (part.min(), part.max())]
    return max(len(fmt_one(float(v))) for v in extremes)


def tensor_repr(t: Tensor) -> str:
    """``tensor([1., 2.], requires_grad=True)``, as PyTorch writes it."""
    data = t._data
    if data.size == 0:
        body = "[]" if data.ndim == 1 else f"[], size={tuple(data.shape)}"
    else:
        body = _format_values(data)
    suffix = []
    default = {"f": "float32", "i": "int64", "b": "bool"}
    if str(data.dtype) != default.get(data.dtype.kind) or data.size == 0 and data.dtype.kind != "f":
        suffix.append(f"dtype={t.dtype!r}")
    if t.grad_fn is not None:
        suffix.append(f"grad_fn=<{type(t.grad_fn).__name__}>")
    elif t.requires_grad:
        suffix.append("requires_grad=True")
    return _PREFIX + body + "".join(", " + s for s in suffix) + ")"
