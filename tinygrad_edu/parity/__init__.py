"""PyTorch exactness, and nothing else.

What lives here exists only so that tinygrad_edu gives PyTorch's exact bits, names and
messages: the order in which PyTorch's CPU kernels add (``torch_sum``), its random
number generator (``rng_state``: mt19937 and its saved state; ``rng_floats``: uniform
and normal; ``rng_sampling``: integers, permutations and the other distributions), the
STL algorithms its sort and topk replay (``stl_sort``), how it spaces
``arange``/``linspace`` (``torch_range``), its fused multiply-adds (``fma``:
``x + a * b`` rounded once, as in its CPU kernels' add(alpha=), addcmul, lerp), its names of
the element types (``names``), its type promotion (``promotion``: the dtype of an op's
result, how it reads a Python number), the texts of its errors (``errors``), how it
prints a tensor (``repr``), how it names and lists a node of the graph (``nodes``:
``name()``, ``next_functions``, the message of a failed version check) and which leaves
keep their gradient when backward fails half-way (``backward_failure``).

None of it teaches autograd. The teaching path reaches it through named seams -- "np.sum,
in PyTorch's order" (``torch_sum``), "PyTorch's name for this dtype" (``names``) -- so a
reader can take each seam as the plain numpy call it stands for and skip this folder.
Nothing here imports the op families (``ops``); ``nodes``, ``backward_failure`` and
``rng_state`` read the engine's objects (``core``).
"""
