"""Benchmarks of tinygrad_edu against PyTorch and a handwritten-numpy floor (issue 7).

Run ``python -m benchmarks --help``. The pieces:

* ``workloads.py``   W1..W6, each one training loop written against PyTorch's API and run
  on ``torch`` and on ``tinygrad_edu`` alike;
* ``numpy_floor.py`` the same loops by hand in numpy: the floor a numpy engine can reach;
* ``harness.py``     interleaved timing, medians, fair threads, peak RSS per subprocess;
* ``report.py``      the tables; ``plot.py`` step time against width and batch size;
* ``core_step.py``   the two per-step figures of issue 2; ``profile_tg.py`` where tg's time goes.
"""
