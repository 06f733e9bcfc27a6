"""The engine: what a learner reads to see how autograd works (under 800 lines of code).

- ``tensor.py``: what autograd keeps on a tensor (``requires_grad``, ``grad``,
  ``grad_fn``, its version) and ``backward()``, ``detach()``, ``register_hook``;
- ``function.py``: ``Function`` and its ctx (the node of the graph), and how an op is
  recorded;
- ``engine.py``: the graph walk of ``backward()``;
- ``grad_mode.py``: ``no_grad`` and the other grad modes, and the seams of the learning
  tools (anomaly detection, teaching mode);
- ``hooks.py``: ``Tensor.register_hook``'s table.

It imports nothing from the ops, ``nn``, ``optim``, ``utils`` or the learning tools
(``tg.viz``, ``detect_anomaly``, teaching mode, gradcheck): they reach it through hooks.
What only PyTorch's exactness needs (how it names and lists a node, its messages, the
order of its sums) is in ``parity/``; a learner's own ``tg.autograd.Function`` and
``tg.autograd.grad`` build on the engine in ``autograd/``; views and writes into them are
in ``ops/views.py``.
"""
