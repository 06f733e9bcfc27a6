"""Batches of sequences of different lengths, as ``torch.nn.utils.rnn``: ``pad_sequence``
stacks them into one tensor, the short ones padded (a collate function's job), and
``unpad_sequence`` cuts them out again.

A *packed* batch holds no padding at all: the sequences sorted longest first, ``data``
lists the first step of every sequence, then the second step of every sequence that has
one, and so on; ``batch_sizes[t]`` says how many sequences are still running at step t.
``RNN``, ``LSTM`` and ``GRU`` take a ``PackedSequence`` and run each sequence for exactly
its length (so h_n is each sequence's state at its own last step, not after the padding).

    sequences  a b c      data         a x p b y c
               x y        batch_sizes  3 2 1
               p

>>> from tinygrad_edu.nn.utils.rnn import pad_sequence, pack_sequence
>>> pad_sequence([tg.tensor([1, 2, 3]), tg.tensor([4])], batch_first=True)
tensor([[1, 2, 3],
        [4, 0, 0]])
>>> packed = pack_sequence([tg.tensor([1, 2, 3]), tg.tensor([4, 5]), tg.tensor([6])])
>>> packed.data, packed.batch_sizes
(tensor([1, 4, 6, 2, 5, 3]), tensor([3, 2, 1]))
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ... import creation as _creation
from ... import dtypes as _dtypes
from ...ops.dual import _Op
from ...ops.movement import dual_index_add
from ...parity import stl_sort
from ...tensor import Tensor

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence",
           "pad_sequence", "unpad_sequence", "pack_sequence", "unpack_sequence"]


def pad_sequence(sequences: Any, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """The sequences (each (L_i, *), the same ``*``) stacked into one (L, B, *) tensor, or
    (B, L, *) with ``batch_first``, L the longest; the others filled with
    ``padding_value`` after their end (``padding_side="left"``: before their start).
    Each is copied into a slice of the result, so gradients flow back to it.

    >>> pad_sequence([tg.tensor([1, 2, 3]), tg.tensor([4])], batch_first=True)
    tensor([[1, 2, 3],
            [4, 0, 0]])
    """
    if padding_side not in ("left", "right"):
        raise RuntimeError("Expected padding_side to be one of left or right, but got "
                           f"{padding_side}.")
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    longest = max(s.shape[0] for s in sequences)
    trailing = tuple(sequences[0].shape[1:])
    shape = (len(sequences), longest) if batch_first else (longest, len(sequences))
    out = sequences[0].new_full(shape + trailing, padding_value)
    for i, s in enumerate(sequences):
        for d, (a, b) in enumerate(zip(trailing, s.shape[1:]), 1):
            if a != b:
                raise RuntimeError(f"The size of tensor a ({a}) must match the size of tensor "
                                   f"b ({b}) at non-singleton dimension {d}")
        n = s.shape[0]
        rows = slice(longest - n, longest) if padding_side == "left" else slice(0, n)
        if batch_first:
            out[i, rows] = s
        else:
            out[rows, i] = s
    return out


def unpad_sequence(padded_sequences: Tensor, lengths: Any,
                   batch_first: bool = False) -> list[Tensor]:
    """The sequences ``pad_sequence`` stacked (padded on the right), each cut to its
    length: a list of (L_i, *) tensors.

    >>> unpad_sequence(tg.tensor([[1, 2, 3], [4, 0, 0]]), [3, 1], batch_first=True)
    [tensor([1, 2, 3]), tensor([4])]
    """
    batch = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    return [batch[i, :int(n)] for i, n in enumerate(lengths)]


class PackedSequence_(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


class PackedSequence(PackedSequence_):
    """A packed batch (see the module): ``data`` (sum of lengths, *), ``batch_sizes`` (an
    int64 tensor: how many sequences run at each step), and, when the batch was sorted
    by length to pack it, ``sorted_indices`` (the order packed) and ``unsorted_indices``
    (its inverse, to put results back in the caller's order); else both None.

    Made by ``pack_padded_sequence`` and ``pack_sequence``, not by hand; a named tuple, so
    ``data, batch_sizes, sorted_indices, unsorted_indices = packed`` works.

    >>> packed = pack_sequence([tg.tensor([1, 2]), tg.tensor([3, 4, 5])], enforce_sorted=False)
    >>> packed.data, packed.batch_sizes, packed.sorted_indices
    (tensor([3, 1, 4, 2, 5]), tensor([2, 2, 1]), tensor([1, 0]))
    """

    def __new__(cls, data: Any, batch_sizes: Tensor | None = None,
                sorted_indices: Tensor | None = None,
                unsorted_indices: Tensor | None = None) -> PackedSequence:
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:  # PackedSequence((data, batch_sizes), sorted_indices)
            if not (isinstance(data, (list, tuple)) and len(data) == 2):
                raise AssertionError("Expected data to be a list or tuple of length 2")
            data, batch_sizes = data
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """``data.to(*args, **kwargs)`` in a PackedSequence (``self`` when ``data`` is
        unchanged); ``batch_sizes`` stays an int64 tensor."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def cpu(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """``data`` on the CPU: itself here."""
        return self.to(*args, **dict(kwargs, device="cpu"))

    def cuda(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """``data`` on a GPU: raises, as ``Tensor.cuda`` (tinygrad_edu runs on the CPU)."""
        return self.to(*args, **dict(kwargs, device="cuda"))

    def pin_memory(self) -> PackedSequence:
        """Raises, as ``Tensor.pin_memory`` (no accelerator to copy to)."""
        return type(self)(self.data.pin_memory(), self.batch_sizes, self.sorted_indices,
                          self.unsorted_indices)

    def double(self) -> PackedSequence:
        """``data`` as float64."""
        return self.to(dtype=_dtypes.float64)

    def float(self) -> PackedSequence:
        """``data`` as float32."""
        return self.to(dtype=_dtypes.float32)

    def half(self) -> PackedSequence:
        """``data`` as float16."""
        return self.to(dtype=_dtypes.float16)

    def long(self) -> PackedSequence:
        """``data`` as int64."""
        return self.to(dtype=_dtypes.int64)

    def int(self) -> PackedSequence:
        """``data`` as int32."""
        return self.to(dtype=_dtypes.int32)

    def short(self) -> PackedSequence:
        """``data`` as int16."""
        return self.to(dtype=_dtypes.int16)

    def char(self) -> PackedSequence:
        """``data`` as int8."""
        return self.to(dtype=_dtypes.int8)

    def byte(self) -> PackedSequence:
        """``data`` as uint8."""
        return self.to(dtype=_dtypes.uint8)

    @property
    def is_cuda(self) -> bool:
        """False: the data is on the CPU."""
        return bool(self.data.is_cuda)

    def is_pinned(self) -> bool:
        """False: no pinned memory here."""
        return bool(self.data.is_pinned())


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The inverse of a permutation: ``out[permutation[i]] = i`` (None for None); turns
    ``sorted_indices`` into ``unsorted_indices``.

    >>> invert_permutation(tg.tensor([2, 0, 1]))
    tensor([1, 2, 0])
    """
    if permutation is None:
        return None
    out = _creation.empty_like(permutation)
    return out.scatter_(0, permutation, _creation.arange(permutation.numel()))


class PackPaddedSequence(_Op):
    """data = the places (t, b) of the padded input with t < lengths[b], step after step
    (a gather: ``index`` is the pair of numpy index arrays, in the input's layout).

    Backward: each packed row's gradient goes back to the place it came from; the padding,
    never read, gets 0."""

    _grad_fn_name = "PackPaddedSequenceBackward0"
    ctx_fields = ("index", "shape")

    @staticmethod
    def forward(ctx: Any, input: Any, index: tuple[np.ndarray, np.ndarray]) -> Any:
        ctx.index, ctx.shape = index, input.shape
        return input[index]

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return dual_index_add(ctx.shape, ctx.index, grad, grad), None


def _check_lengths(input: Tensor, lengths: list[int], batch_first: bool) -> None:
    """PyTorch's checks of ``_pack_padded_sequence``, in its order and words."""
    input.size(1)  # (a 1-D input: PyTorch's IndexError, which its transpose(0, 1) raises too)
    batch_size = input.shape[0 if batch_first else 1]
    if input.numel() == 0:
        raise RuntimeError("Cannot pack empty tensors.")
    if len(lengths) != batch_size:
        raise RuntimeError("Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{len(lengths)} (batch_size={batch_size})")
    if lengths[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an "
                           "element in 'lengths' that is <= 0")
    if any(a < b for a, b in zip(lengths, lengths[1:])):
        raise RuntimeError("`lengths` array must be sorted in decreasing order when "
                           "`enforce_sorted` is True. You can pass `enforce_sorted=False` to "
                           "pack_padded_sequence and/or pack_sequence to sidestep this "
                           "requirement if you do not need ONNX exportability.")


def pack_padded_sequence(input: Tensor, lengths: Any, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch: ``input`` (T, B, *) ((B, T, *) with ``batch_first``), sequence
    b being the first ``lengths[b]`` steps of column b (``lengths`` a list or a tensor).

    With ``enforce_sorted`` the lengths must be in decreasing order; with
    ``enforce_sorted=False`` the batch is sorted by length first (``sorted_indices``) and
    ``pad_packed_sequence`` and the recurrent layers give results back in the caller's
    order. ``data`` is a gather of ``input``, so gradients flow back to it (0 on the
    padding).

    >>> x = tg.tensor([[1, 2, 0], [3, 0, 0], [4, 5, 6]])
    >>> pack_padded_sequence(x, [2, 1, 3], batch_first=True, enforce_sorted=False).data
    tensor([4, 1, 3, 5, 2, 6])
    """
    if isinstance(lengths, Tensor):
        lengths = lengths.to(dtype=_dtypes.int64)
    else:
        lengths = _creation.as_tensor(lengths, dtype=_dtypes.int64)
    sorted_indices = None
    if not enforce_sorted:
        sorted_indices = _descending_order(lengths.tolist())
        lengths = lengths[sorted_indices]
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    lens = lengths.tolist()
    _check_lengths(input, lens, batch_first)
    steps, lens_np = np.arange(lens[0]), np.array(lens)
    batch_sizes = (lens_np[None, :] > steps[:, None]).sum(1)  # sequences longer than t
    # the places (t, b) that hold a step, in the order the steps run: t-major, b ascending
    longest = input.shape[1 if batch_first else 0]
    t, b = np.nonzero(np.arange(longest)[:, None] < lens_np[None, :])
    data = PackPaddedSequence.apply(input, (b, t) if batch_first else (t, b))
    return PackedSequence(data, _creation.tensor(batch_sizes, dtype=_dtypes.int64),
                          sorted_indices, None)


def _descending_order(lengths: list[int]) -> Tensor:
    """The order of ``torch.sort(lengths, descending=True)``: its CPU kernel runs
    ``std::sort``, which is not stable, so equal lengths (in batches of more than 16) come
    out in the order of libstdc++'s steps; ``sorted_indices`` and the packed rows follow
    it."""
    pairs = [(n, i) for i, n in enumerate(lengths)]
    stl_sort.sort(pairs, 0, len(pairs), lambda a, b: a[0] > b[0])
    return _creation.tensor([i for _, i in pairs], dtype=_dtypes.int64)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple[Tensor, Tensor]:
    """Undo the packing: ``(padded, lengths)``, padded (T, B, *) ((B, T, *) with
    ``batch_first``) filled with ``padding_value`` after each sequence's end, T the longest
    length (or ``total_length``), the batch back in the order given to the packing.
    Each run of steps with the same batch size is copied into a slice of the result, so
    gradients flow back to ``sequence.data``.

    >>> packed = pack_sequence([tg.tensor([1, 2, 3]), tg.tensor([4])])
    >>> pad_packed_sequence(packed, batch_first=True)
    (tensor([[1, 2, 3],
            [4, 0, 0]]), tensor([3, 1]))
    """
    sizes = sequence.batch_sizes.tolist()
    max_seq_length = len(sizes)
    if total_length is not None:
        if total_length < max_seq_length:
            raise ValueError("Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {max_seq_length}")
        max_seq_length = total_length
    data, trailing = sequence.data, tuple(sequence.data.shape[1:])
    padded = data.new_full((max_seq_length, sizes[0]) + trailing, padding_value)
    offset, start = 0, 0
    for i in range(1, len(sizes) + 1):  # steps start..i-1 have the same batch size
        if i == len(sizes) or sizes[i] != sizes[start]:
            n = sizes[start] * (i - start)
            block = data[offset:offset + n].view((i - start, sizes[start]) + trailing)
            padded[start:i, :sizes[start]] = block
            offset, start = offset + n, i
    # sequence b runs as long as it is among the batch_sizes[t] running at step t
    lengths = (np.array(sizes)[:, None] > np.arange(sizes[0])[None, :]).sum(0)
    lengths_t = _creation.tensor(lengths, dtype=_dtypes.int64)
    if batch_first:
        padded = padded.transpose(0, 1)
    if sequence.unsorted_indices is not None:
        batch_dim = 0 if batch_first else 1
        return (padded.index_select(batch_dim, sequence.unsorted_indices),
                lengths_t[sequence.unsorted_indices])
    return padded, lengths_t


def pack_sequence(sequences: Any, enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of (L_i, *) sequences: ``pack_padded_sequence(pad_sequence(sequences),
    their lengths)``; with ``enforce_sorted`` they must come longest first.

    >>> pack_sequence([tg.tensor([1, 2, 3]), tg.tensor([4, 5]), tg.tensor([6])]).data
    tensor([1, 4, 6, 2, 5, 3])
    """
    lengths = _creation.as_tensor([v.size(0) for v in sequences])
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The list of sequences packed, in the order they were given to ``pack_sequence``.

    >>> unpack_sequence(pack_sequence([tg.tensor([1, 2]), tg.tensor([3])]))
    [tensor([1, 2]), tensor([3])]
    """
    padded_sequences, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded_sequences, lengths, batch_first=True)
