"""``repr`` of a Tensor, laid out as PyTorch prints it, and ``tg.set_printoptions``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..dtypes import FLOATING

if TYPE_CHECKING:
    from ..tensor import Tensor

_PREFIX = "tensor("


def _width(data: np.ndarray, fmt_one: Any) -> int:
    """PyTorch pads every value to the width of the widest *nonzero finite* one (zeros,
    nan and inf do not count); the widest is among the extremes of each sign."""
    values = data[np.isfinite(data) & (data != 0)].astype(np.float64)
    if values.size == 0:
        return 1
    pos, neg = values[values > 0], values[values < 0]
    extremes = [v for part in (pos, neg) if part.size for v in (part.min(), part.max())]
    return max(len(fmt_one(float(v))) for v in extremes)


def _suffixes(t: Tensor) -> list[str]:
    """What follows the values: ``dtype=`` (when not the default), ``grad_fn=`` or
    ``requires_grad=True``."""
    data = t._data
    suffix = []
    default = {"f": "float32", "i": "int64", "b": "bool"}
    if str(data.dtype) != default.get(data.dtype.kind) or \
            data.size == 0 and data.dtype not in FLOATING:
        suffix.append(f"dtype={t.dtype!r}")
    try:
        node = t.grad_fn
    except RuntimeError:  # a view whose history may not be made anew: PyTorch's word
        suffix.append("grad_fn=<Invalid>")
        return suffix
    if node is not None:
        suffix.append(f"grad_fn=<{type(node).__name__}>")
    elif t.requires_grad:
        suffix.append("requires_grad=True")
    return suffix


# ------------------------------------------------------------- tg.set_printoptions
_PROFILES: dict[str, dict[str, Any]] = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": float("inf"), "edgeitems": 3, "linewidth": 80},
}


class _PrintOptions:
    """What ``set_printoptions`` changed (PyTorch's ``PRINT_OPTS``)."""

    DEFAULT = {**_PROFILES["default"], "sci_mode": None}
    precision: int
    threshold: float
    edgeitems: int
    linewidth: int
    sci_mode: bool | None

    def __init__(self) -> None:
        self.__dict__.update(self.DEFAULT)


PRINT_OPTIONS = _PrintOptions()


def set_printoptions(precision: int | None = None, threshold: float | None = None,
                     edgeitems: int | None = None, linewidth: int | None = None,
                     profile: str | None = None, sci_mode: bool | None = None) -> None:
    """How tensors print, as ``torch.set_printoptions``: ``precision`` decimals of floats,
    summarize (``...``) tensors of more than ``threshold`` elements showing ``edgeitems``
    at each end, wrap lines at ``linewidth``; ``profile`` "default", "short" or "full"
    sets all four first. ``sci_mode`` True/False forces scientific/fixed notation and is
    always set (None: chosen from the values, PyTorch's way).

    >>> tg.set_printoptions(precision=2)
    >>> tg.tensor([1.12345])
    tensor([1.12])
    >>> tg.set_printoptions(profile="default")
    """
    if profile is not None:
        PRINT_OPTIONS.__dict__.update(_PROFILES.get(profile, {}))  # (torch ignores others)
    for name, value in (("precision", precision), ("threshold", threshold),
                        ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None:
            setattr(PRINT_OPTIONS, name, value)
    PRINT_OPTIONS.sci_mode = sci_mode


def _summarized(data: np.ndarray) -> np.ndarray:
    """The elements a summarized print shows (``edgeitems`` at each end of every dim),
    which PyTorch's formatter sizes the numbers by."""
    if data.size <= PRINT_OPTIONS.threshold:
        return data
    e = PRINT_OPTIONS.edgeitems
    for axis, n in enumerate(data.shape):
        if n > 2 * e:
            data = np.take(data, list(range(e)) + list(range(n - e, n)), axis=axis)
    return data


def _float_format(data: np.ndarray) -> str:
    """PyTorch's ``_Formatter`` choice with the print options: integers as ``1.``, else
    ``precision`` decimals, scientific when the magnitudes ask for it or ``sci_mode``."""
    finite = data[np.isfinite(data)].astype(np.float64)
    nonzero = np.abs(finite[finite != 0])
    integral = bool(np.all(finite == np.ceil(finite)))
    sci = PRINT_OPTIONS.sci_mode
    if sci is None and nonzero.size:
        big, small = nonzero.max(), nonzero.min()
        sci = bool(big / small > 1000 or big > 1e8 or (not integral and small < 1e-4))
    if sci:
        return f"{{:.{PRINT_OPTIONS.precision}e}}"
    return "{:.0f}." if integral and finite.size else f"{{:.{PRINT_OPTIONS.precision}f}}"


def tensor_repr(t: Tensor) -> str:
    """``tensor([1., 2.], requires_grad=True)``, laid out as PyTorch's ``_tensor_str``
    does it (under ``set_printoptions``): the values, then the suffixes (dtype=...,
    grad_fn=...), each on a new line when it would pass ``linewidth``."""
    data = t._data
    suffixes = _suffixes(t)
    if data.size == 0:
        body = "[]" if data.ndim == 1 else f"[], size={tuple(data.shape)}"
        return _PREFIX + body + "".join(", " + s for s in suffixes) + ")"
    shown = _summarized(data)
    if data.dtype in FLOATING:
        fmt = _float_format(shown)

        def one(v: Any) -> str:
            if np.isnan(v):
                return "nan"
            return ("inf" if v > 0 else "-inf") if np.isinf(v) else fmt.format(v)

        width = _width(shown, one)
    else:
        def one(v: Any) -> str:
            return str(v)

        width = max(len(one(v)) for v in shown.reshape(-1).tolist())
    text = _PREFIX + _tensor_str(data, len(_PREFIX), one, width,
                                         data.size > PRINT_OPTIONS.threshold)
    line = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        # measured as torch's ("torch.float64"): the lines break where a learner's did
        size = len(suffix.replace("tinygrad_edu.", "torch."))
        if line + size + 2 > PRINT_OPTIONS.linewidth:
            text += ",\n" + " " * len(_PREFIX) + suffix
            line = len(_PREFIX) + size
        else:
            text += ", " + suffix
            line += size + 2
    return text + ")"


def _tensor_str(data: np.ndarray, indent: int, one: Any, width: int, summarize: bool) -> str:
    """PyTorch's nested ``[...]`` layout: as many numbers a line as ``linewidth`` allows,
    ``...`` in place of the middle of a dim longer than 2 * ``edgeitems`` when
    summarizing, a blank line between blocks of 3-D and more."""
    e = PRINT_OPTIONS.edgeitems
    if data.ndim == 0:
        return one(data.item())
    n = data.shape[0]
    cut = summarize and n > 2 * e
    if data.ndim == 1:
        per_line = max(1, (PRINT_OPTIONS.linewidth - indent) // (width + 2))
        shown = data[:e].tolist() + data[n - e:].tolist() if cut else data.tolist()
        values = [one(v).rjust(width) for v in shown]  # (only what is printed)
        items = values[:e] + [" ..."] + values[e:] if cut else values
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows = list(range(e)) + [-1] + list(range(n - e, n)) if cut else list(range(n))
    parts = ["..." if r < 0 else _tensor_str(data[r], indent + 1, one, width, summarize)
             for r in rows]
    return "[" + ("," + "\n" * (data.ndim - 1) + " " * (indent + 1)).join(parts) + "]"
