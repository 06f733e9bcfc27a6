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
