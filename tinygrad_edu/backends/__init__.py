"""``tg.backends``: the switches scripts set for PyTorch's backends (no-ops here), and what
they report (nothing of them is available, as on a CPU-only PyTorch without them)."""

from . import cpu, cuda, cudnn, mkl, mkldnn, mps, openmp, opt_einsum

__all__ = ["cpu", "cuda", "cudnn", "mkl", "mkldnn", "mps", "openmp", "opt_einsum"]
