"""Stochastic Weight Averaging and EMA (``torch.optim.swa_utils``).

SWA (Izmailov et al., 2018) averages the weights a model visits late in training:
``AveragedModel`` keeps a copy of the model whose parameters are the running average
``avg_n = avg_(n-1) + (w - avg_(n-1)) / n`` (or, with ``get_ema_*``, an exponential moving
average), ``SWALR`` anneals the learning rate to a constant ``swa_lr`` meanwhile, and
``update_bn`` recomputes the BatchNorm statistics of the averaged weights at the end (the
averaged weights never saw data, so their running statistics are stale).

>>> swa_model = tg.optim.swa_utils.AveragedModel(model)
>>> swa_scheduler = tg.optim.swa_utils.SWALR(optimizer, swa_lr=0.05)
>>> for epoch in range(epochs):
...     train_one_epoch(model, optimizer)
...     if epoch > swa_start:
...         swa_model.update_parameters(model)
...         swa_scheduler.step()
>>> tg.optim.swa_utils.update_bn(loader, swa_model)

The arithmetic is PyTorch's CPU path, operation for operation, so the averages have
PyTorch's very bits: the default average is ``avg + (w - avg) / (n + 1)`` per tensor
(PyTorch's fused ``_foreach_lerp_`` runs only on accelerators), the EMA is
``avg.lerp_(w, 1 - decay)``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from copy import deepcopy
from typing import Any, Literal

import numpy as np

from ..core.grad_mode import no_grad
from ..dtypes import FLOATING
from ..nn.modules.batchnorm import _BatchNorm
from ..nn.modules.module import Module
from ..tensor import Tensor, _wrap
from .lr_scheduler.schedules import LRScheduler, _format_param
from .optimizer import Optimizer

__all__ = [
    "AveragedModel",
    "update_bn",
    "SWALR",
    "get_ema_multi_avg_fn",
    "get_swa_multi_avg_fn",
    "get_ema_avg_fn",
    "get_swa_avg_fn",
]

ParamList = Sequence[Tensor]
AvgFn = Callable[[Tensor, Tensor, Any], Tensor]
MultiAvgFn = Callable[[ParamList, ParamList, Any], None]


def _check_decay(decay: float) -> None:
    if decay < 0.0 or decay > 1.0:
        raise ValueError(
            f"Invalid decay value {decay} provided. Please provide a value in [0,1] range."
        )


def _is_float(t: Tensor) -> bool:
    return t._data.dtype in FLOATING or t._data.dtype.kind == "c"


def get_ema_multi_avg_fn(decay: float = 0.999) -> MultiAvgFn:
    """An in-place EMA over lists of tensors (``AveragedModel(multi_avg_fn=...)``):

        ema = decay * ema + (1 - decay) * w       written ema.lerp_(w, 1 - decay)

    (integer tensors, such as BatchNorm's step counter: ``ema * decay + w * (1 - decay)``,
    truncated back to the integer dtype).

    >>> ema = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(0.9))
    """
    _check_decay(decay)

    @no_grad()
    def ema_update(ema_param_list: ParamList, current_param_list: ParamList, _: Any) -> None:
        if _is_float(ema_param_list[0]):
            for p_ema, p_model in zip(ema_param_list, current_param_list):
                p_ema.lerp_(p_model, 1 - decay)
        else:
            for p_ema, p_model in zip(ema_param_list, current_param_list, strict=True):
                p_ema.copy_(p_ema * decay + p_model * (1 - decay))

    return ema_update


def get_swa_multi_avg_fn() -> MultiAvgFn:
    """An in-place equal-weight average over lists of tensors: with n models averaged so
    far, ``avg.lerp_(w, 1 / (n + 1))``.

    >>> swa = AveragedModel(model, multi_avg_fn=get_swa_multi_avg_fn())
    """

    @no_grad()
    def swa_update(averaged_param_list: ParamList, current_param_list: ParamList,
                   num_averaged: Tensor | int) -> None:
        if _is_float(averaged_param_list[0]):
            # a 0-d tensor weight is read as a number (PyTorch's Scalar overload)
            weight = 1 / (num_averaged + 1)
            number = float(weight) if isinstance(weight, Tensor) else weight
            for p_avg, p_model in zip(averaged_param_list, current_param_list):
                p_avg.lerp_(p_model, number)
            return
        for p_avg, p_model in zip(averaged_param_list, current_param_list):
            diff = p_model - p_avg
            if isinstance(num_averaged, Tensor):
                p_avg.addcdiv_(diff, num_averaged + 1)
            else:
                p_avg.add_(diff, alpha=1.0 / (num_averaged + 1))

    return swa_update


def get_ema_avg_fn(decay: float = 0.999) -> AvgFn:
    """The EMA of one tensor, returned as a new tensor (``AveragedModel(avg_fn=...)``):
    ``decay * ema + (1 - decay) * w``.

    >>> get_ema_avg_fn(0.5)(tg.tensor([0.0]), tg.tensor([2.0]), 1)
    tensor([1.])
    """
    _check_decay(decay)

    @no_grad()
    def ema_update(ema_param: Tensor, current_param: Tensor, num_averaged: Any) -> Tensor:
        return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn() -> AvgFn:
    """The running mean of one tensor, returned as a new tensor: with n models averaged so
    far, ``avg + (w - avg) / (n + 1)``.

    >>> get_swa_avg_fn()(tg.tensor([1.0]), tg.tensor([4.0]), 2)
    tensor([2.])
    """

    @no_grad()
    def swa_update(averaged_param: Tensor, current_param: Tensor,
                   num_averaged: Tensor | int) -> Tensor:
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


class AveragedModel(Module):
    """A copy of ``model`` whose parameters are the average of the models passed to
    ``update_parameters`` (SWA), or any other average: ``avg_fn(avg, w, n)`` returns the
    new value of one tensor, ``multi_avg_fn(avgs, ws, n)`` updates lists in place.

    The first call copies the model's parameters; later calls average. ``n_averaged`` (an
    int64 buffer) counts the calls. With ``use_buffers=True`` the buffers are averaged too;
    otherwise they are copied from ``model`` at each call. The state dict holds
    ``n_averaged`` and the copy's entries under ``module.``; ``avg_fn`` is not saved.

    >>> swa_model = tg.optim.swa_utils.AveragedModel(model)
    >>> swa_model.update_parameters(model)          # after each SWA epoch
    >>> list(swa_model.state_dict())[:2]
    ['n_averaged', 'module.0.weight']
    """

    n_averaged: Tensor

    def __init__(self, model: Module, device: Any = None, avg_fn: AvgFn | None = None,
                 multi_avg_fn: MultiAvgFn | None = None, use_buffers: bool = False) -> None:
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", _wrap(np.array(0, dtype=np.int64)))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The averaged copy's forward."""
        return self.module(*args, **kwargs)

    def update_parameters(self, model: Module) -> None:
        """Average ``model``'s current parameters (and buffers, with ``use_buffers``) into
        this copy; ``n_averaged += 1``."""
        if self.use_buffers:
            mine = list(itertools.chain(self.module.parameters(), self.module.buffers()))
            theirs = list(itertools.chain(model.parameters(), model.buffers()))
        else:
            mine, theirs = list(self.parameters()), list(model.parameters())
        pairs = [(a.detach(), b.detach()) for a, b in zip(mine, theirs)]
        n = self.n_averaged
        if int(n) == 0:
            with no_grad():
                for avg, current in pairs:
                    avg.copy_(current)
        else:
            self._average(pairs)
        if not self.use_buffers:  # the buffers follow the model
            with no_grad():
                for b_swa, b_model in zip(self.module.buffers(), model.buffers(), strict=True):
                    b_swa.detach().copy_(b_model.detach())
        with no_grad():
            self.n_averaged += 1

    def _average(self, pairs: list[tuple[Tensor, Tensor]]) -> None:
        """One averaging step on (average, current) pairs, as PyTorch's CPU path: per
        dtype group for ``multi_avg_fn`` and the default, pair by pair for ``avg_fn``."""
        if self.multi_avg_fn is None and self.avg_fn is not None:
            with no_grad():
                for avg, current in pairs:
                    avg.copy_(self.avg_fn(avg, current, self.n_averaged))
            return
        groups: dict[Any, list[tuple[Tensor, Tensor]]] = {}
        for avg, current in pairs:
            groups.setdefault(avg._data.dtype, []).append((avg, current))
        for group in groups.values():
            avgs, currents = [a for a, _ in group], [c for _, c in group]
            if self.multi_avg_fn is not None:
                self.multi_avg_fn(avgs, currents, self.n_averaged)
                continue
            average = get_swa_avg_fn()  # (PyTorch's foreach form is for accelerators)
            with no_grad():
                for avg, current in group:
                    avg.copy_(average(avg, current, self.n_averaged))


@no_grad()
def update_bn(loader: Iterable[Any], model: Module, device: Any = None) -> None:
    """Recompute the running statistics of every BatchNorm layer in ``model`` with one
    pass over ``loader``: the statistics are reset, and each layer averages the batches
    equally (``momentum=None`` during the pass). A batch is a tensor or a list/tuple whose
    first element is the input.

    >>> tg.optim.swa_utils.update_bn(loader, swa_model)
    """
    momenta: dict[Module, Any] = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    for input in loader:
        if isinstance(input, (list, tuple)):
            input = input[0]
        if device is not None:
            input = input.to(device)
        model(input)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    """Anneal each group's lr from its current value to ``swa_lr`` over ``anneal_epochs``
    epochs, then hold it there. With t = min(1, epoch / anneal_epochs) and
    alpha = (1 - cos(pi t)) / 2 (``"cos"``) or t (``"linear"``):

        lr = swa_lr * alpha + lr_start * (1 - alpha)

    (chainable: ``lr_start`` is recovered from the current lr and the previous alpha).

    >>> swa_scheduler = tg.optim.swa_utils.SWALR(opt, swa_lr=0.05, anneal_epochs=5)
    """

    def __init__(self, optimizer: Optimizer, swa_lr: float, anneal_epochs: int = 10,
                 anneal_strategy: Literal["cos", "linear"] = "cos",
                 last_epoch: int = -1) -> None:
        swa_lrs = _format_param("swa_lr", optimizer, swa_lr)
        for lr, group in zip(swa_lrs, optimizer.param_groups, strict=True):
            group["swa_lr"] = lr
        if anneal_strategy not in ["cos", "linear"]:
            raise ValueError("anneal_strategy must be one of 'cos' or 'linear', "
                             f"instead got {anneal_strategy}")
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t: float) -> float:
        return t

    @staticmethod
    def _cosine_anneal(t: float) -> float:
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr: float, swa_lr: float, alpha: float) -> float:
        # undo the last step: lr = swa_lr * alpha + lr_start * (1 - alpha)
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self) -> list[float]:
        """The next lr of each group (use ``get_last_lr()`` to read the current one)."""
        self._warn_if_outside_step()
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_t = max(0, min(1, (step - 1) / max(1, self.anneal_epochs)))
        prev_alpha = self.anneal_func(prev_t)
        groups = self.optimizer.param_groups
        prev_lrs = [self._get_initial_lr(g["lr"], g["swa_lr"], prev_alpha) for g in groups]
        t = max(0, min(1, step / max(1, self.anneal_epochs)))
        alpha = self.anneal_func(t)
        return [g["swa_lr"] * alpha + lr * (1 - alpha)
                for g, lr in zip(groups, prev_lrs, strict=True)]

    def _set_anneal_func(self, anneal_strategy: Literal["cos", "linear"]) -> None:
        self._anneal_strategy = anneal_strategy
        self.anneal_func: Callable[[float], float] = (
            self._cosine_anneal if anneal_strategy == "cos" else self._linear_anneal)

    def state_dict(self) -> dict[str, Any]:
        """Everything but the optimizer and the annealing function."""
        return {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "anneal_func")}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore from ``state_dict()``."""
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)
