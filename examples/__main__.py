"""``python -m examples``: run every example and write ``runs/index.html``."""

import sys

from examples.run_all import main

sys.exit(1 if any(run.error for run in main().values()) else 0)
