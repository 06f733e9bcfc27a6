"""The engine: what a learner reads to see how autograd works.

- ``function.py``: ``Function`` and its ctx (the node of the graph), and how an op is
  recorded;
- ``engine.py``: the graph walk of ``backward()``;
- ``grad_mode.py``: ``no_grad`` and the other grad modes, and the seams of the learning
  tools (anomaly detection, teaching mode);
- ``hooks.py``: ``Tensor.register_hook``'s table;
- ``views.py``: views and in-place writes into them.

It imports nothing from the ops, ``nn``, ``optim``, ``utils`` or the learning tools
(``tg.viz``, ``detect_anomaly``, teaching mode, gradcheck): they reach it through hooks.
"""
