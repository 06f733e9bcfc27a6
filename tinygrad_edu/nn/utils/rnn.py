"""Batches of sequences of different lengths, as ``torch.nn.utils.rnn``: ``pad_sequence``
stacks them into one tensor, the short ones padded (a collate function's job), and
``unpad_sequence`` cuts them out again.

PyTorch's packed sequences (``pack_padded_sequence`` and its kin) are not here: the
recurrent layers take padded batches only. Those names exist so that a script importing
them runs until it packs, and then says what to do instead.

>>> from tinygrad_edu.nn.utils.rnn import pad_sequence
>>> pad_sequence([tg.tensor([1, 2, 3]), tg.tensor([4])], batch_first=True)
tensor([[1, 2, 3],
        [4, 0, 0]])
"""

from __future__ import annotations

from typing import Any

from ...tensor import Tensor

__all__ = ["PackedSequence", "pack_padded_sequence", "pack_sequence", "pad_packed_sequence",
           "pad_sequence", "unpack_sequence", "unpad_sequence"]


def pad_sequence(sequences: Any, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """The sequences (each (L_i, *), the same ``*``) stacked into one (L, B, *) tensor, or
    (B, L, *) with ``batch_first``, L the longest; the others filled with
    ``padding_value`` after their end (``padding_side="left"``: before their start).
    Each is copied into a slice of the result, so gradients flow back to it."""
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
    length: a list of (L_i, *) tensors."""
    batch = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    return [batch[i, :int(n)] for i, n in enumerate(lengths)]


_NO_PACKING = ("packed sequences are not supported by tinygrad_edu. Hint: give the recurrent "
               "layer the padded batch (pad_sequence) and read each sequence's output at its "
               "last step, or mask the padding")


class PackedSequence:
    """PyTorch's packed batch of sequences: not supported here (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(_NO_PACKING)


def pack_padded_sequence(input: Tensor, lengths: Any, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Not supported: raises, and says what to do instead (see the module)."""
    raise NotImplementedError(_NO_PACKING)


def pad_packed_sequence(sequence: Any, batch_first: bool = False, padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple[Tensor, Tensor]:
    """Not supported: raises, and says what to do instead (see the module)."""
    raise NotImplementedError(_NO_PACKING)


def pack_sequence(sequences: Any, enforce_sorted: bool = True) -> PackedSequence:
    """Not supported: raises, and says what to do instead (see the module)."""
    raise NotImplementedError(_NO_PACKING)


def unpack_sequence(packed_sequences: Any) -> list[Tensor]:
    """Not supported: raises, and says what to do instead (see the module)."""
    raise NotImplementedError(_NO_PACKING)
