"""Questions about a tensor that compute nothing: its memory layout (``stride``,
``storage_offset``, ``data_ptr``), its dtype's kind (``is_signed``, ``is_complex``) and
its shape (``is_same_size``, ``ndimension``); and what a dense, real tensor on the CPU
answers: not sparse, device -1, its own conjugate and real part (``conj``, ``real``), its
transposes for conjugate transposes (``mH``, ``H``, ``adjoint``).

The layout is numpy's, which PyTorch's matches: numpy counts strides in bytes, PyTorch in
elements, so ``stride()`` is numpy's ``strides`` divided by the element size. A fresh
tensor is contiguous (row-major) in both; a view shares its base's memory, and its strides
and offset say where its elements are in it.

>>> x = tg.zeros(2, 3)
>>> x.stride(), x.t().stride(), x[1].storage_offset()
((3, 1), (1, 3), 3)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..tensor_base import TensorBase, _bool, _int, _norm_axis

if TYPE_CHECKING:
    from ..tensor import Tensor


def _storage_root(data: np.ndarray) -> np.ndarray:
    """The array that owns ``data``'s memory (numpy's ``base`` chain, to its end; a view
    made by numpy's ``as_strided`` has a holder object in the chain, whose ``base`` it is)."""
    while True:
        base = data.base
        if not isinstance(base, np.ndarray):
            base = getattr(base, "base", None)  # (as_strided's holder, or not an array)
            if not isinstance(base, np.ndarray):
                return data
        data = base


class InspectionMethods(TensorBase):
    """The Tensor's layout and kind: stride, storage_offset, data_ptr, is_signed,
    is_complex, is_nonzero, is_same_size, is_inference, is_cpu, ndimension; and the
    answers of a dense, real tensor on the CPU (is_sparse, get_device, conj, real, ...)."""

    __slots__ = ()

    def stride(self, dim: _int | None = None) -> Any:
        """The step, in elements, from one element to the next along each dim (a tuple),
        or along ``dim``. 0 along an expanded dim.

        >>> tg.zeros(2, 3).stride()
        (3, 1)
        """
        data = self._data
        strides = tuple(s // data.itemsize for s in data.strides)
        return strides if dim is None else strides[_norm_axis(dim, data.ndim)]

    def storage_offset(self) -> _int:
        """Where this tensor's first element is in the memory it shares with its base
        (in elements; 0 for a tensor that owns its memory)."""
        data = self._data
        root = _storage_root(data)
        start = data.__array_interface__["data"][0] - root.__array_interface__["data"][0]
        return start // data.itemsize

    def data_ptr(self) -> _int:
        """The address of the first element in memory (equal for tensors that share it)."""
        return self._data.__array_interface__["data"][0]  # type: ignore[no-any-return]

    def is_signed(self) -> _bool:
        """True unless the dtype is unsigned (``uint8``) or ``bool``."""
        return self._data.dtype.kind not in "ub"

    def is_complex(self) -> _bool:
        """Always False: tinygrad_edu has no complex dtypes."""
        return False

    def is_nonzero(self) -> _bool:
        """Whether the one element of this tensor is not zero (PyTorch's error for more
        or fewer elements)."""
        n = self._data.size
        if n != 1:
            raise RuntimeError("Boolean value of Tensor with " + (
                "no values" if n == 0 else "more than one value") + " is ambiguous")
        return bool(self._data.reshape(()) != 0)

    def is_same_size(self, other: Tensor) -> _bool:
        """True when ``other`` has this tensor's shape."""
        return self._data.shape == other._data.shape  # type: ignore[no-any-return]

    def is_inference(self) -> _bool:
        """Always False: ``tg.inference_mode()`` turns recording off (as ``no_grad``) and
        makes no tensors of a separate kind."""
        return False

    @property
    def is_cpu(self) -> _bool:
        """Always True: tinygrad_edu computes with numpy, on the CPU."""
        return True

    def ndimension(self) -> _int:
        """The number of dimensions (``dim()``)."""
        return self._data.ndim

    # ------------------------------------------- what a CPU-only, dense, real library has
    @property
    def is_sparse(self) -> _bool:
        """Always False: tinygrad_edu's tensors are dense (an optimizer's ``if
        p.grad.is_sparse: raise`` passes)."""
        return False

    @property
    def is_quantized(self) -> _bool:
        """Always False: there are no quantized tensors."""
        return False

    @property
    def is_meta(self) -> _bool:
        """Always False: every tensor holds its data."""
        return False

    def get_device(self) -> _int:
        """-1, PyTorch's answer for a tensor on the CPU (a GPU's index otherwise)."""
        return -1

    def is_pinned(self) -> _bool:
        """Always False: pinned memory is for copies to a GPU."""
        return False

    def pin_memory(self) -> Tensor:
        """Raises, as PyTorch without a GPU: pinned memory only speeds up copies to one."""
        raise RuntimeError("Cannot access accelerator device when none is available. Hint: "
                           "pin_memory() only speeds up copies to a GPU; on the CPU, drop it")

    def share_memory_(self) -> Tensor:
        """``self``: its memory is already where this process's threads share it (no
        process pool to share it with here)."""
        return self  # type: ignore[return-value]

    def conj(self) -> Tensor:
        """The complex conjugate: ``self`` itself, as for any real tensor in PyTorch."""
        return self  # type: ignore[return-value]

    def resolve_conj(self) -> Tensor:
        """``self``: a real tensor has no lazy conjugation to resolve."""
        return self  # type: ignore[return-value]

    def resolve_neg(self) -> Tensor:
        """``self``: no lazy negation to resolve."""
        return self  # type: ignore[return-value]

    def is_conj(self) -> _bool:
        """Always False (a real tensor)."""
        return False

    def is_neg(self) -> _bool:
        """Always False."""
        return False

    @property
    def real(self) -> Tensor:
        """The real part: ``self`` itself, as for any real tensor in PyTorch."""
        return self  # type: ignore[return-value]

    @property
    def imag(self) -> Tensor:
        """Raises, as PyTorch for a real tensor (tinygrad_edu has no complex numbers)."""
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")

    @property
    def mH(self) -> Tensor:
        """The conjugate transpose of each matrix: ``mT`` for real numbers."""
        if self._data.ndim < 2:
            raise RuntimeError("tensor.mH is only supported on matrices or batches of "
                               f"matrices. Got {self._data.ndim}-D tensor.")
        return self.transpose(-2, -1)  # type: ignore[attr-defined]

    def adjoint(self) -> Tensor:
        """The conjugate transpose of each matrix (``mH``)."""
        if self._data.ndim < 2:
            raise RuntimeError("tensor.adjoint() is only supported on matrices or batches of "
                               f"matrices. Got {self._data.ndim}-D tensor.")
        return self.transpose(-2, -1)  # type: ignore[attr-defined]

    @property
    def H(self) -> Tensor:
        """The conjugate transpose of a matrix: ``T`` for a real one."""
        n = self._data.ndim
        if n != 2:
            raise RuntimeError("tensor.H is only supported on matrices (2-D tensors). Got "
                               f"{n}-D tensor." + (" For batches of matrices, consider using "
                                                   "tensor.mH" if n > 2 else ""))
        return self.transpose(0, 1)  # type: ignore[attr-defined]
