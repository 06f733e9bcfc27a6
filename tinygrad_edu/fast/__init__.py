"""Fast twins of readable code: each computes exactly what its readable twin computes,
only faster, and the test suite proves it by running both ways
(``TINYGRAD_EDU_REFERENCE=1`` turns the twins off: ``REFERENCE``).

- ``apply.py``: the fast twin of ``_apply`` (core/function.py), how a built-in op is
  recorded.
- ``drain.py``: the fast twin of ``_drain`` (core/engine.py), the loop of backward.
"""

import os

REFERENCE = os.environ.get("TINYGRAD_EDU_REFERENCE", "") not in ("", "0")
