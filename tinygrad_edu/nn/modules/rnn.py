"""Recurrent layers, as ``torch.nn``: ``RNN``, ``LSTM``, ``GRU`` and their one-step cells.

No new Function here: every step is written with existing Tensor ops (``F.linear``,
``sigmoid``, ``tanh``, ``chunk``, ``stack``), so autograd differentiates through time by
itself (backpropagation through time is just backward on the unrolled graph).

The three cell updates, PyTorch's (gates in PyTorch's order inside the stacked weights):

- RNN:  h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)   (or relu)
- LSTM: i, f, g, o = chunk(x W_ih^T + b_ih + h W_hh^T + b_hh, 4)
        c' = sigmoid(f) * c + sigmoid(i) * tanh(g);  h' = sigmoid(o) * tanh(c')
        (with ``proj_size``: h' = (sigmoid(o) * tanh(c')) W_hr^T)
- GRU:  r = sigmoid(x_r + h_r);  z = sigmoid(x_z + h_z);  n = tanh(x_n + r * h_n)
        h' = (h - n) * z + n     (= (1 - z) * n + z * h)
  where x_* / h_* are the three chunks of x W_ih^T + b_ih and h W_hh^T + b_hh.

The layers also take a ``PackedSequence`` (``nn.utils.rnn.pack_padded_sequence``): the
batch sorted longest first, step t runs only the ``batch_sizes[t]`` sequences still going,
so each one stops at its own length. Forward, the state of a sequence that ends is set
aside as its h_n; backward (the reverse direction), a sequence joins, from its initial
state, at its own last step. A padded batch is the special case where every step runs
the whole batch.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

from ... import _device
from ... import creation as _creation
from ...ops.join import cat, stack
from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from .linear import _empty
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}

# ------------------------------------------------------------------- one step of each cell
# ``igates`` is the input's projection x W_ih^T + b_ih, computed by the caller (the layers
# compute it for all time steps at once, as PyTorch does on the CPU).


def _rnn_step(igates: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None, relu: bool) -> Tensor:
    pre = igates + F.linear(h, w_hh, b_hh)
    return pre.relu() if relu else pre.tanh()


def _lstm_step(
    igates: Tensor,
    h: Tensor,
    c: Tensor,
    w_hh: Tensor,
    b_hh: Tensor | None,
    w_hr: Tensor | None = None,
) -> tuple[Tensor, Tensor]:
    i, f, g, o = (F.linear(h, w_hh, b_hh) + igates).chunk(4, 1)
    c_next = f.sigmoid() * c + i.sigmoid() * g.tanh()
    h_next = o.sigmoid() * c_next.tanh()
    if w_hr is not None:  # the projection of LSTM(proj_size=...)
        h_next = F.linear(h_next, w_hr)
    return h_next, c_next


def _gru_step(igates: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None) -> Tensor:
    x_r, x_z, x_n = igates.chunk(3, 1)
    h_r, h_z, h_n = F.linear(h, w_hh, b_hh).chunk(3, 1)
    reset = (h_r + x_r).sigmoid()
    update = (h_z + x_z).sigmoid()
    new = (x_n + h_n * reset).tanh()
    return (h - new) * update + new


# ------------------------------------------------------------------------- the full layers


class RNNBase(Module):
    """What ``RNN``, ``LSTM`` and ``GRU`` share: the parameters (named and initialised as
    PyTorch's), the argument and shape checks, and the loop over layers, directions and
    time steps.

    Parameters, per layer ``k`` and direction (suffix ``_reverse`` for the backward one):
    ``weight_ih_lk`` (G*H, in), ``weight_hh_lk`` (G*H, H), ``bias_ih_lk``, ``bias_hh_lk``
    (G*H,), G the number of gates (1, 4, 3); all drawn from U(-1/sqrt(H), 1/sqrt(H)) in
    that order, so that after ``tg.manual_seed(s)`` they equal PyTorch's.
    """

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        _device.check(device)
        _check_rnn_args(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                        proj_size)
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []
        self._make_parameters(_GATES[mode] * hidden_size, dtype)
        self.reset_parameters()

    def _make_parameters(self, gate_size: int, dtype: Any) -> None:
        directions = 2 if self.bidirectional else 1
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        for layer in range(self.num_layers):
            layer_input = self.input_size if layer == 0 else real_hidden * directions
            for direction in range(directions):
                suffix = "_reverse" if direction == 1 else ""
                shapes: dict[str, tuple[int, ...]] = {"weight_ih": (gate_size, layer_input),
                          "weight_hh": (gate_size, real_hidden)}
                if self.bias:
                    shapes.update(bias_ih=(gate_size,), bias_hh=(gate_size,))
                if self.proj_size > 0:
                    shapes["weight_hr"] = (self.proj_size, self.hidden_size)
                names = []
                for kind, shape in shapes.items():
                    name = f"{kind}_l{layer}{suffix}"
                    setattr(self, name, Parameter(_empty(shape, dtype)))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)

    @property
    def _flat_weights(self) -> list[Tensor]:
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters grouped per layer and direction, as PyTorch's ``all_weights``."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def flatten_parameters(self) -> None:
        """Nothing to do: PyTorch packs the weights for cuDNN here; on the CPU it is a
        no-op there too."""

    def reset_parameters(self) -> None:
        """Every parameter ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), in the order of
        ``parameters()`` (PyTorch's order of random draws)."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    # ---- checks, with PyTorch's messages
    def _check_input(self, input: Tensor, packed: bool = False) -> None:
        weight_dtype = self._flat_weights[0].dtype
        if input.dtype != weight_dtype:
            raise ValueError(
                f"RNN input dtype ({input.dtype}) does not match weight dtype ({weight_dtype}). "
                f"Convert input: input.to({weight_dtype}), or convert model: "
                f"model.to({input.dtype})"
            )
        expected_dim = 2 if packed else 3
        if input.ndim != expected_dim:
            raise RuntimeError(f"input must have {expected_dim} dimensions, got {input.ndim}")
        if self.input_size != input.shape[-1]:
            raise RuntimeError(
                "input.size(-1) must be equal to input_size. "
                f"Expected {self.input_size}, got {input.shape[-1]}"
            )

    def _expected_hidden(self, batch: int, size: int) -> tuple[int, int, int]:
        return (self.num_layers * (2 if self.bidirectional else 1), batch, size)

    @staticmethod
    def _check_hidden(hx: Tensor, expected: tuple[int, int, int], what: str) -> None:
        if tuple(hx.shape) != expected:
            raise RuntimeError(f"Expected {what} size {expected}, got {list(hx.shape)}")

    def _batched(self, input: Tensor, name: str) -> tuple[Tensor, bool, int]:
        """``(input with a batch dim, whether it had one, the batch dim)``."""
        if input.ndim not in (2, 3):
            got = f"{input.ndim}D tensor" if name == "RNN" else f"{input.ndim}D"
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {got} instead")
        batch_dim = 0 if self.batch_first else 1
        if input.ndim == 2:
            return input.unsqueeze(batch_dim), False, batch_dim
        return input, True, batch_dim

    # ---- the loop
    def _run(self, input: Tensor, batch_sizes: list[int] | None, hx: list[Tensor],
             cx: list[Tensor] | None) -> Tensor:
        """Run all layers and directions, starting from the per-(layer, direction) states
        ``hx`` (and ``cx``), which are replaced by the final states. ``input`` is either
        time-major padded (T, B, in) (``batch_sizes`` None) or the packed rows (N, in) of a
        ``PackedSequence``; the last layer's output comes back in the same layout, with
        directions * H features."""
        directions = 2 if self.bidirectional else 1
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                index = layer * directions + direction
                weights = self.all_weights[index]
                igates = F.linear(input, weights[0], weights[2] if self.bias else None)
                # (all time steps at once, as PyTorch on the CPU; then one chunk per step)
                steps = igates.unbind(0) if batch_sizes is None else igates.split(batch_sizes)
                state = (hx[index],) if cx is None else (hx[index], cx[index])
                out, final = self._run_direction(list(steps), weights, state, direction == 1)
                hx[index] = final[0]
                if cx is not None:
                    cx[index] = final[1]
                outputs.append(stack(out, 0) if batch_sizes is None else cat(out, 0))
            input = outputs[0] if directions == 1 else cat(outputs, -1)
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                input = F.dropout(input, self.dropout, True)
        return input

    def _step(self, igates: Tensor, state: tuple[Tensor, ...],
              weights: list[Parameter]) -> tuple[Tensor, ...]:
        """One time step of the cell for the rows of ``igates``: the new state (h,) or
        (h, c)."""
        w_hh, b_hh = weights[1], weights[3] if self.bias else None
        if self.mode == "LSTM":
            w_hr = weights[-1] if self.proj_size > 0 else None
            return _lstm_step(igates, state[0], state[1], w_hh, b_hh, w_hr)
        if self.mode == "GRU":
            return (_gru_step(igates, state[0], w_hh, b_hh),)
        return (_rnn_step(igates, state[0], w_hh, b_hh, self.mode == "RNN_RELU"),)

    def _run_direction(self, steps: list[Tensor], weights: list[Parameter],
                       state: tuple[Tensor, ...],
                       reverse: bool) -> tuple[list[Tensor], tuple[Tensor, ...]]:
        """One layer in one direction: ``steps`` holds each time step's input projections,
        one row per sequence still running (longest first: a step never has more rows
        than the one before). Returns the outputs h of each step, in time order, and the
        final state, (h_n,) or (h_n, c_n), one row per sequence, each at its last step."""
        outputs = []
        if not reverse:
            finished = []  # the states of sequences that ended, shortest first
            for igates in steps:
                running = igates.shape[0]
                if running < state[0].shape[0]:  # the rows from ``running`` on have ended
                    finished.append(tuple(s[running:] for s in state))
                    state = tuple(s[:running] for s in state)
                state = self._step(igates, state, weights)
                outputs.append(state[0])
            if finished:
                pieces = [state] + finished[::-1]
                state = tuple(cat([p[i] for p in pieces], 0) for i in range(len(state)))
            return outputs, state
        # reverse: start at the last step with the sequences that are that long; each
        # shorter sequence joins, from its initial state, at its own last step
        initial, last = state, steps[-1].shape[0] if steps else 0
        if last < initial[0].shape[0]:
            state = tuple(s[:last] for s in initial)
        for igates in reversed(steps):
            running, joining = state[0].shape[0], igates.shape[0]
            if joining > running:
                state = tuple(cat([s, s0[running:joining]], 0) for s, s0 in zip(state, initial))
            state = self._step(igates, state, weights)
            outputs.append(state[0])
        return outputs[::-1], state

    def _forward(self, input: Tensor | PackedSequence, hx: tuple[Tensor, ...] | None,
                 name: str) -> tuple[Any, list[Tensor]]:
        """The forward of all three layers: ``(output, [h_n])`` (LSTM: ``[h_n, c_n]``).
        ``input`` is padded (a batch, or one unbatched sequence) or a ``PackedSequence``,
        whose output is packed alike. ``hx`` is in the caller's batch order: a packed
        batch's rows are put in its sorted order (``sorted_indices``) and the final states
        back (``unsorted_indices``), as PyTorch does."""
        lstm = self.mode == "LSTM"
        sizes = [self.proj_size if lstm and self.proj_size > 0 else self.hidden_size]
        sizes += [self.hidden_size] if lstm else []
        packed = isinstance(input, PackedSequence)
        if isinstance(input, PackedSequence):
            data, batch_sizes, sorted_indices, unsorted_indices = input
            steps: list[int] | None = batch_sizes.tolist()
            batch, batched, batch_dim = steps[0] if steps else 0, True, 1
            if hx is not None and sorted_indices is not None:
                hx = tuple(h.index_select(1, sorted_indices) for h in hx)
        else:
            data, batched, batch_dim = self._batched(input, name)
            steps, batch = None, data.shape[batch_dim]
            if hx is not None:
                hx = self._with_batch_dim(hx, batched)
        self._check_input(data, packed)
        if hx is None:
            hx = tuple(_creation.zeros(*self._expected_hidden(batch, n), dtype=data.dtype)
                       for n in sizes)
        for i, (h, n) in enumerate(zip(hx, sizes)):
            self._check_hidden(h, self._expected_hidden(batch, n),
                               f"hidden[{i}]" if lstm else "hidden")
        states = [list(h.unbind(0)) for h in hx]
        time_major = data.transpose(0, 1) if self.batch_first and not packed else data
        output = self._run(time_major, steps, states[0], states[1] if lstm else None)
        finals = [stack(s, 0) for s in states]
        if isinstance(input, PackedSequence):
            if unsorted_indices is not None:
                finals = [h.index_select(1, unsorted_indices) for h in finals]
            return PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices), finals
        output = output.transpose(0, 1) if self.batch_first else output
        if not batched:
            return output.squeeze(batch_dim), [h.squeeze(1) for h in finals]
        return output, finals

    @staticmethod
    def _with_batch_dim(hx: tuple[Tensor, ...], batched: bool) -> tuple[Tensor, ...]:
        """A padded input's initial states, checked to have its rank; an unbatched input's
        get a batch dim."""
        want = 3 if batched else 2
        if any(h.ndim != want for h in hx):
            kind = "batched 3-D" if batched else "unbatched 2-D"
            if len(hx) == 1:
                raise RuntimeError(f"For {kind} input, hx should also be {want}-D but got "
                                   f"{hx[0].ndim}-D tensor")
            raise RuntimeError(f"For {kind} input, hx and cx should also be {want}-D but got "
                               f"({hx[0].ndim}-D, {hx[1].ndim}-D) tensors")
        return hx if batched else tuple(h.unsqueeze(1) for h in hx)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        for name, default in (("proj_size", 0), ("num_layers", 1), ("bias", True),
                              ("batch_first", False), ("dropout", 0), ("bidirectional", False)):
            value = getattr(self, name)
            if value != default or (isinstance(default, bool) and value is not default):
                s += f", {name}={value}"
        return s


def _check_rnn_args(
    input_size: Any,
    hidden_size: Any,
    num_layers: int,
    bias: Any,
    batch_first: Any,
    dropout: Any,
    proj_size: int,
) -> None:
    """PyTorch's argument checks of RNNBase, in its order and words."""
    if (not isinstance(dropout, numbers.Number) or isinstance(dropout, bool)
            or not 0 <= dropout <= 1):  # type: ignore[operator]
        raise ValueError(
            "dropout should be a number in range [0, 1] representing the probability of "
            "an element being zeroed"
        )
    if dropout > 0 and num_layers == 1:  # type: ignore[operator]
        warnings.warn(
            "dropout option adds dropout after all but last recurrent layer, so non-zero "
            "dropout expects num_layers greater than 1, but got "
            f"dropout={dropout} and num_layers={num_layers}",
            stacklevel=4,
        )
    for name, value, kind in (("bias", bias, bool), ("batch_first", batch_first, bool),
                              ("input_size", input_size, int)):
        if not isinstance(value, kind):
            raise TypeError(f"{name} should be of type {kind.__name__}, got: "
                            f"{type(value).__name__}")
    if input_size <= 0:
        raise ValueError("input_size must be greater than zero")
    if not isinstance(hidden_size, int):
        raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
    if hidden_size <= 0:
        raise ValueError("hidden_size must be greater than zero")
    if num_layers <= 0:
        raise ValueError("num_layers must be greater than zero")
    if proj_size < 0:
        raise ValueError("proj_size should be a positive integer or zero to disable projections")
    if proj_size >= hidden_size:
        raise ValueError("proj_size has to be smaller than hidden_size")


class RNN(RNNBase):
    """An Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu),
    stacked ``num_layers`` deep, optionally in both directions.

    Shapes (L = sequence length, N = batch, D = 2 if bidirectional else 1): input (L, N,
    in) ((N, L, in) with ``batch_first``, (L, in) unbatched); h0 (D * num_layers, N, H)
    -> ``(output, h_n)``: output (L, N, D * H), h_n like h0. ``dropout`` applies to the
    outputs of each layer but the last, in training mode.

    The input may be a ``PackedSequence`` (``nn.utils.rnn.pack_padded_sequence``): then
    each sequence runs for its own length, output is a ``PackedSequence`` of (sum of
    lengths, D * H) rows, and h_n holds each sequence's state at its last real step (the
    reverse direction starts there); h0 and h_n are in the batch order given to the
    packing, whatever the sorting.

    >>> rnn = nn.RNN(3, 4, num_layers=2)
    >>> output, h_n = rnn(tg.randn(5, 2, 3))
    >>> output.shape, h_n.shape
    (tinygrad_edu.Size([5, 2, 4]), tinygrad_edu.Size([2, 2, 4]))
    >>> packed = nn.utils.rnn.pack_padded_sequence(tg.randn(5, 2, 3), [2, 5],
    ...                                            enforce_sorted=False)
    >>> output, h_n = rnn(packed)
    >>> output.data.shape, output.batch_sizes
    (tinygrad_edu.Size([7, 4]), tensor([2, 2, 1, 1, 1]))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(
                f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        super().__init__(mode, input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, 0, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor | PackedSequence,
                hx: Tensor | None = None) -> tuple[Any, Tensor]:
        """``(output, h_n)`` (see the class docstring for the shapes); a ``PackedSequence``
        gives a ``PackedSequence``."""
        output, (h_n,) = self._forward(input, None if hx is None else (hx,), "RNN")
        return output, h_n


class GRU(RNNBase):
    """A gated recurrent unit layer (see the module docstring for the update), stacked
    ``num_layers`` deep, optionally bidirectional; shapes (and a ``PackedSequence`` input)
    as ``nn.RNN``.

    >>> gru = nn.GRU(3, 4, batch_first=True)
    >>> output, h_n = gru(tg.randn(2, 5, 3))
    >>> output.shape, h_n.shape
    (tinygrad_edu.Size([2, 5, 4]), tinygrad_edu.Size([1, 2, 4]))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, 0, device, dtype)

    def forward(self, input: Tensor | PackedSequence,
                hx: Tensor | None = None) -> tuple[Any, Tensor]:
        """``(output, h_n)``, as ``nn.RNN``."""
        output, (h_n,) = self._forward(input, None if hx is None else (hx,), "GRU")
        return output, h_n


class LSTM(RNNBase):
    """A long short-term memory layer (see the module docstring for the update), stacked
    ``num_layers`` deep, optionally bidirectional, optionally projecting h to
    ``proj_size`` features (``weight_hr_lk``, (proj_size, H)).

    Shapes (and a ``PackedSequence`` input) as ``nn.RNN``, with the state a pair
    ``(h0, c0)``: h0 (D * num_layers, N, proj_size or H), c0 (D * num_layers, N, H) ->
    ``(output, (h_n, c_n))``.

    >>> lstm = nn.LSTM(3, 4)
    >>> output, (h_n, c_n) = lstm(tg.randn(5, 2, 3))
    >>> output.shape, c_n.shape
    (tinygrad_edu.Size([5, 2, 4]), tinygrad_edu.Size([1, 2, 4]))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device, dtype)

    def forward(
        self, input: Tensor | PackedSequence, hx: tuple[Tensor, Tensor] | None = None
    ) -> tuple[Any, tuple[Tensor, Tensor]]:
        """``(output, (h_n, c_n))`` (see the class docstring for the shapes); a
        ``PackedSequence`` gives a ``PackedSequence``."""
        output, (h_n, c_n) = self._forward(input, None if hx is None else tuple(hx), "LSTM")
        return output, (h_n, c_n)


# ------------------------------------------------------------------------------- the cells


class RNNCellBase(Module):
    """What the cells share: ``weight_ih`` (G*H, in), ``weight_hh`` (G*H, H), ``bias_ih``,
    ``bias_hh`` (G*H,), all ~ U(-1/sqrt(H), 1/sqrt(H)) in that order, and the shape checks
    (a 1-D input is one unbatched sample)."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool,
        num_chunks: int,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        _device.check(device)
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(_empty((num_chunks * hidden_size, input_size), dtype))
        self.weight_hh = Parameter(_empty((num_chunks * hidden_size, hidden_size), dtype))
        if bias:
            self.bias_ih = Parameter(_empty((num_chunks * hidden_size,), dtype))
            self.bias_hh = Parameter(_empty((num_chunks * hidden_size,), dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every parameter ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _batched(self, input: Tensor, states: tuple[Tensor | None, ...], name: str,
                 what: str) -> tuple[Tensor, list[Tensor], bool]:
        """Check the ranks; return the input and the states with a batch dim (zeros for
        missing states) and whether the input had one."""
        if input.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.ndim}D instead")
        for i, state in enumerate(states):
            if state is not None and state.ndim not in (1, 2):
                label = what.format(i)
                raise ValueError(
                    f"{name}: Expected {label} to be 1D or 2D, got {state.ndim}D instead"
                )
        batched = input.ndim == 2
        input = input if batched else input.unsqueeze(0)
        out = []
        for state in states:
            if state is None:
                state = _creation.zeros(input.shape[0], self.hidden_size, dtype=input.dtype)
            elif not batched:
                state = state.unsqueeze(0)
            out.append(state)
        return input, out, batched

    def _check_cell(self, input: Tensor, states: list[Tensor]) -> None:
        """PyTorch's ``check_rnn_cell_forward_input`` / ``_hidden``."""
        if input.shape[1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[1]} "
                               f"expected {self.input_size}")
        for i, state in enumerate(states):
            if input.shape[0] != state.shape[0]:
                raise RuntimeError(f"Input batch size {input.shape[0]} doesn't match "
                                   f"hidden{i} batch size {state.shape[0]}")
            if state.shape[1] != self.hidden_size:
                raise RuntimeError(f"hidden{i} has inconsistent hidden_size: got "
                                   f"{state.shape[1]}, expected {self.hidden_size}")


class RNNCell(RNNCellBase):
    """One step of an Elman RNN: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu).

    Shapes: input (N, in) or (in,), hx (N, H) or (H,) (zeros if omitted) -> h' like hx.

    >>> cell = nn.RNNCell(3, 4)
    >>> cell(tg.randn(2, 3)).shape
    tinygrad_edu.Size([2, 4])
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        """h' (see the class docstring)."""
        input, (h,), batched = self._batched(input, (hx,), "RNNCell", "hidden")
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        self._check_cell(input, [h])
        igates = F.linear(input, self.weight_ih, self.bias_ih)
        out = _rnn_step(igates, h, self.weight_hh, self.bias_hh, self.nonlinearity == "relu")
        return out if batched else out.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step (see the module docstring): ``(h', c')`` from x and ``(h, c)``.

    Shapes: input (N, in) or (in,), h and c (N, H) or (H,) (zeros if hx is omitted).

    >>> h, c = nn.LSTMCell(3, 4)(tg.randn(2, 3))
    >>> h.shape, c.shape
    (tinygrad_edu.Size([2, 4]), tinygrad_edu.Size([2, 4]))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(
        self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None
    ) -> tuple[Tensor, Tensor]:
        """``(h', c')`` (see the class docstring)."""
        states = (None, None) if hx is None else tuple(hx)
        input, (h, c), batched = self._batched(input, states, "LSTMCell", "hx[{}]")
        self._check_cell(input, [h, c])
        igates = F.linear(input, self.weight_ih, self.bias_ih)
        h, c = _lstm_step(igates, h, c, self.weight_hh, self.bias_hh)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step (see the module docstring): h' from x and h.

    Shapes: input (N, in) or (in,), hx (N, H) or (H,) (zeros if omitted) -> h' like hx.

    >>> nn.GRUCell(3, 4)(tg.randn(3)).shape
    tinygrad_edu.Size([4])
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        """h' (see the class docstring)."""
        input, (h,), batched = self._batched(input, (hx,), "GRUCell", "hidden")
        self._check_cell(input, [h])
        igates = F.linear(input, self.weight_ih, self.bias_ih)
        out = _gru_step(igates, h, self.weight_hh, self.bias_hh)
        return out if batched else out.squeeze(0)
