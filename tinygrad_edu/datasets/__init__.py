"""Small datasets shipped with tinygrad_edu, so the examples run offline.

``load_advertising()`` reads the Advertising data of *An Introduction to Statistical
Learning* (James, Witten, Hastie, Tibshirani): sales of a product in 200 markets, with
the TV, radio and newspaper advertising budgets spent there (thousands of dollars for
the budgets, thousands of units for sales).

Example:
    >>> from tinygrad_edu.datasets import load_advertising
    >>> data = load_advertising()
    >>> data["TV"].shape, data["Sales"].dtype
    ((200,), dtype('float64'))
"""

from __future__ import annotations

import csv
import io
from importlib import resources

import numpy as np

__all__ = ["ADVERTISING_COLUMNS", "load_advertising"]

#: The columns of ``Advertising.csv`` in file order (its unnamed row-number column is dropped).
ADVERTISING_COLUMNS: tuple[str, ...] = ("TV", "Radio", "Newspaper", "Sales")


def _read_csv_text(filename: str) -> str:
    """Return the text of a CSV file that ships inside this package."""
    return resources.files(__name__).joinpath(filename).read_text(encoding="utf-8")


def load_advertising() -> dict[str, np.ndarray]:
    """Load the Advertising data set: 200 markets, budgets and sales.

    Returns:
        A dict mapping each of ``"TV"``, ``"Radio"``, ``"Newspaper"`` and ``"Sales"`` to a
        float64 numpy array of shape ``(200,)``, rows in file order.

    Example:
        >>> data = load_advertising()
        >>> float(data["TV"][0]), float(data["Sales"][0])
        (230.1, 22.1)
    """
    reader = csv.reader(io.StringIO(_read_csv_text("Advertising.csv")))
    header = next(reader)
    rows = [row for row in reader if row]
    index = {name: header.index(name) for name in ADVERTISING_COLUMNS}
    return {
        name: np.array([float(row[col]) for row in rows], dtype=np.float64)
        for name, col in index.items()
    }
