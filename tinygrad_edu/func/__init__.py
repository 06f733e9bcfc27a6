"""``tinygrad_edu.func``: PyTorch's function transforms (``torch.func``, once functorch).

A transform takes a function of tensors and returns a new function: ``grad(f)`` computes
the gradient of ``f``, ``vmap(f)`` maps ``f`` over a batch, and they compose
(``vmap(grad(f))``: per-sample gradients). ``functional_call`` turns a module into such a
function of its parameters.

All of it rests on tinygrad_edu's reverse-mode autograd (``tg.autograd.grad``): forward-mode
results (``jvp``, ``jacfwd``) come from the double-backward trick, and ``vmap`` is a loop
over the batch (see ``batching.py``).

>>> from tinygrad_edu.func import grad, vmap
>>> xs = tg.tensor([[1.0, 2.0], [3.0, 4.0]])
>>> vmap(grad(lambda x: (x ** 2).sum()))(xs)   # the gradient of each row
tensor([[2., 4.],
        [6., 8.]])
"""

from .autodiff import grad, grad_and_value, hessian, jacfwd, jacrev, jvp, linearize, vjp
from .batching import vmap
from .module_state import functional_call, stack_module_state

__all__ = ["functional_call", "grad", "grad_and_value", "hessian", "jacfwd", "jacrev", "jvp",
           "linearize", "stack_module_state", "vjp", "vmap"]
