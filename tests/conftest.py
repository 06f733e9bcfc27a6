"""Hypothesis profiles for the whole test suite.

- ``ci``: deterministic (``derandomize=True``, no example database) and modest, so that
  a CI run is reproducible and fast. Loaded when the ``CI`` environment variable is set.
- ``dev`` (the default): the same budget, but a fresh random seed on every run, so that
  repeated local runs explore new examples (failures are saved and replayed first).
- ``thorough``: many more examples, for a long hunt: ``HYPOTHESIS_PROFILE=thorough pytest``.

No profile has a deadline: the first call of an op pays numpy's and torch's warm-up.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                     HealthCheck.data_too_large])

settings.register_profile("ci", max_examples=12, derandomize=True, database=None,
                          print_blob=True, **_COMMON)
settings.register_profile("dev", max_examples=12, **_COMMON)
settings.register_profile("thorough", max_examples=300, **_COMMON)

settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or
                      ("ci" if os.environ.get("CI") else "dev"))


def _torch_missing() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return True
    return False


def _skip_reason(report) -> str:
    longrepr = report.longrepr
    return longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)


def pytest_terminal_summary(terminalreporter) -> None:
    """Say once how many tests the missing PyTorch skipped, and how to add it (each op's
    parity test compares it with PyTorch, so a run without torch checks much less)."""
    skipped = [r for r in terminalreporter.stats.get("skipped", [])
               if "torch" in _skip_reason(r).lower()]
    if not skipped or not _torch_missing():
        return
    files = sum(1 for r in skipped if r.when == "collect")
    tests = len(skipped) - files
    what = " and ".join(part for part in (
        f"{tests} test{'s' * (tests != 1)}" * bool(tests),
        f"{files} test file{'s' * (files != 1)}" * bool(files)) if part)
    terminalreporter.write_line(
        f"{what} skipped because PyTorch is not installed: they compare tinygrad_edu with "
        'it. Add it with `pip install torch==2.13.0` (or `pip install -e ".[parity]"`), '
        "then run pytest again.", yellow=True, bold=True)
