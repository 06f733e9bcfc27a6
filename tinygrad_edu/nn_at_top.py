"""``tg.max_pool2d``, ``tg.batch_norm``, ``tg.kl_div``, ...: the ``torch.*`` forms of
``nn.functional``'s functions whose signature differs from ``F``'s, as PyTorch's: pooling
strides default to ``()`` (the kernel size) and return no indices, ``batch_norm`` takes the
weight before the running statistics and all arguments, ``embedding`` the weight first,
losses take ``reduction`` as an int (0 none, 1 mean, 2 sum), dropouts ``train``.

Each calls ``nn.functional``'s function, where the math is. (Loaded on first use: the
names are ``tg.__getattr__``'s.)

>>> tg.max_pool1d(tg.arange(4.0).reshape(1, 1, 4), 2)
tensor([[[1., 3.]]])
"""

from __future__ import annotations

from typing import Any

from .nn import functional as F
from .tensor import Tensor

__all__ = ["adaptive_max_pool1d", "alpha_dropout", "alpha_dropout_", "avg_pool1d",
           "batch_norm", "binary_cross_entropy_with_logits", "constant_pad_nd",
           "cosine_embedding_loss", "dropout", "dropout_", "embedding", "feature_alpha_dropout",
           "feature_alpha_dropout_", "hinge_embedding_loss", "instance_norm", "kl_div",
           "margin_ranking_loss", "max_pool1d", "max_pool2d", "max_pool3d", "poisson_nll_loss",
           "triplet_margin_loss"]


def _reduction(reduction: Any, name: str, position: int) -> str:
    """PyTorch's int reduction as ``F``'s string: 1 mean, 2 sum, anything else none (and
    when it is not given: PyTorch's top-level losses then return the elementwise loss)."""
    if not isinstance(reduction, int) or isinstance(reduction, bool):
        raise TypeError(f"{name}(): argument 'reduction' (position {position}) must be int, "
                        f"not {type(reduction).__name__}")
    return {1: "mean", 2: "sum"}.get(reduction, "none")


def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False) -> Tensor:
    """``F.max_pool1d`` (``stride=()``: the kernel size).

    >>> tg.max_pool1d(tg.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2)
    tensor([[[3., 2.]]])
    """
    return F.max_pool1d(input, kernel_size, _stride(stride), padding, dilation,  # type: ignore[no-any-return]
                        ceil_mode)


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False) -> Tensor:
    """``F.max_pool2d`` (``stride=()``: the kernel size).

    >>> tg.max_pool2d(tg.arange(4.0).reshape(1, 2, 2), 2)
    tensor([[[3.]]])
    """
    return F.max_pool2d(input, kernel_size, _stride(stride), padding, dilation,  # type: ignore[no-any-return]
                        ceil_mode)


def max_pool3d(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False) -> Tensor:
    """``F.max_pool3d`` (``stride=()``: the kernel size).

    >>> tg.max_pool3d(tg.arange(8.0).reshape(1, 2, 2, 2), 2)
    tensor([[[[7.]]]])
    """
    return F.max_pool3d(input, kernel_size, _stride(stride), padding, dilation,  # type: ignore[no-any-return]
                        ceil_mode)


def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """``F.avg_pool1d`` (``stride=()``: the kernel size).

    >>> tg.avg_pool1d(tg.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2)
    tensor([[[2., 1.]]])
    """
    return F.avg_pool1d(input, kernel_size, _stride(stride), padding, ceil_mode,
                        count_include_pad)


def adaptive_max_pool1d(input: Tensor, output_size: Any) -> tuple[Tensor, Tensor]:
    """``(values, indices)`` of ``F.adaptive_max_pool1d`` (PyTorch's always returns both).

    >>> tg.adaptive_max_pool1d(tg.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 1)[1]
    tensor([[[1]]])
    """
    values, indices = F.adaptive_max_pool1d(input, output_size, return_indices=True)
    return values, indices


def embedding(weight: Tensor, indices: Tensor, padding_idx: int = -1,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """``F.embedding(indices, weight, ...)``: the weight comes first; a negative
    ``padding_idx`` means none.

    >>> tg.embedding(tg.eye(3), tg.tensor([2, 0]))
    tensor([[0., 0., 1.],
            [1., 0., 0.]])
    """
    return F.embedding(indices, weight, padding_idx if padding_idx >= 0 else None,
                       scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


def batch_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None,
               running_mean: Tensor | None, running_var: Tensor | None, training: bool,
               momentum: float, eps: float, cudnn_enabled: bool) -> Tensor:
    """``F.batch_norm`` with PyTorch's top-level order: weight and bias first, every
    argument given (``cudnn_enabled`` changes nothing here).

    >>> x = tg.tensor([[1.0], [3.0]])
    >>> tg.batch_norm(x, None, None, None, None, True, 0.1, 1e-5, False)
    tensor([[-1.0000],
            [ 1.0000]])
    """
    return F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum,
                        eps)


def instance_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None,
                  running_mean: Tensor | None, running_var: Tensor | None,
                  use_input_stats: bool, momentum: float, eps: float,
                  cudnn_enabled: bool) -> Tensor:
    """``F.instance_norm`` with PyTorch's top-level order (as ``batch_norm``).

    >>> x = tg.tensor([[[1.0, 3.0]]])
    >>> tg.instance_norm(x, None, None, None, None, True, 0.1, 1e-5, False)
    tensor([[[-1.0000,  1.0000]]])
    """
    return F.instance_norm(input, running_mean, running_var, weight, bias, use_input_stats,
                           momentum, eps)


def constant_pad_nd(input: Tensor, pad: Any, value: float = 0) -> Tensor:
    """``F.pad(input, pad, "constant", value)``: negative pads crop.

    >>> tg.constant_pad_nd(tg.ones(1, 2), (1, 0), 5.0)
    tensor([[5., 1., 1.]])
    """
    return F.pad(input, pad, "constant", value)


def dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """``F.dropout(input, p, training=train)`` (every argument given, as PyTorch's).

    >>> tg.dropout(tg.ones(2), 0.5, False)
    tensor([1., 1.])
    """
    return F.dropout(input, p, train)


def dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """``dropout`` in place.

    >>> tg.dropout_(tg.ones(2), 0.5, False)
    tensor([1., 1.])
    """
    return F.dropout(input, p, train, inplace=True)


def alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """``F.alpha_dropout(input, p, training=train)``.

    >>> tg.alpha_dropout(tg.ones(2), 0.5, False)
    tensor([1., 1.])
    """
    return F.alpha_dropout(input, p, train)


def alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """``alpha_dropout`` in place.

    >>> tg.alpha_dropout_(tg.ones(2), 0.5, False)
    tensor([1., 1.])
    """
    return F.alpha_dropout(input, p, train, inplace=True)


def feature_alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """``F.feature_alpha_dropout(input, p, training=train)``.

    >>> tg.feature_alpha_dropout(tg.ones(1, 2), 0.5, False)
    tensor([[1., 1.]])
    """
    return F.feature_alpha_dropout(input, p, train)


def feature_alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """``feature_alpha_dropout`` in place.

    >>> tg.feature_alpha_dropout_(tg.ones(1, 2), 0.5, False)
    tensor([[1., 1.]])
    """
    return F.feature_alpha_dropout(input, p, train, inplace=True)


def kl_div(input: Tensor, target: Tensor, reduction: int = 0, *,
           log_target: bool = False) -> Tensor:
    """``F.kl_div`` with the int reduction (1: the mean over all elements; not given: none).

    >>> tg.kl_div(tg.zeros(2), tg.ones(2), 2)
    tensor(0.)
    """
    how = _reduction(reduction, "kl_div", 3)
    # (F's "mean" warns that it will become "batchmean"; PyTorch's kl_div(..., 1) does not)
    loss = F.kl_div(input, target, reduction="none" if how == "mean" else how,
                    log_target=log_target)
    return loss.mean() if how == "mean" else loss


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
                                     weight: Tensor | None = None,
                                     pos_weight: Tensor | None = None,
                                     reduction: int = 0) -> Tensor:
    """``F.binary_cross_entropy_with_logits`` with the int reduction.

    >>> tg.binary_cross_entropy_with_logits(tg.zeros(2), tg.ones(2), reduction=1)
    tensor(0.6931)
    """
    return F.binary_cross_entropy_with_logits(
        input, target, weight, reduction=_reduction(
            reduction, "binary_cross_entropy_with_logits", 5), pos_weight=pos_weight)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                        reduction: int = 0) -> Tensor:
    """``F.margin_ranking_loss`` with the int reduction.

    >>> tg.margin_ranking_loss(tg.ones(2), tg.zeros(2), -tg.ones(2), 0.0, 1)
    tensor(1.)
    """
    return F.margin_ranking_loss(input1, input2, target, margin,
                                 reduction=_reduction(reduction, "margin_ranking_loss", 5))


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0,
                         reduction: int = 0) -> Tensor:
    """``F.hinge_embedding_loss`` with the int reduction.

    >>> tg.hinge_embedding_loss(tg.zeros(2), -tg.ones(2), 1.0, 1)
    tensor(1.)
    """
    return F.hinge_embedding_loss(input, target, margin,
                                  reduction=_reduction(reduction, "hinge_embedding_loss", 4))


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor,
                          margin: float = 0.0, reduction: int = 0) -> Tensor:
    """``F.cosine_embedding_loss`` with the int reduction.

    >>> tg.cosine_embedding_loss(tg.ones(1, 2), tg.ones(1, 2), tg.ones(1), 0.0, 1)
    tensor(0.)
    """
    return F.cosine_embedding_loss(input1, input2, target, margin,
                                   reduction=_reduction(reduction, "cosine_embedding_loss", 5))


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor,
                        margin: float = 1.0, p: float = 2, eps: float = 1e-06,
                        swap: bool = False, reduction: int = 0) -> Tensor:
    """``F.triplet_margin_loss`` with the int reduction.

    >>> tg.triplet_margin_loss(tg.zeros(1, 2), tg.zeros(1, 2), tg.zeros(1, 2), reduction=1)
    tensor(1.)
    """
    return F.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                 reduction=_reduction(reduction, "triplet_margin_loss", 8))


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool, full: bool, eps: float,
                     reduction: int) -> Tensor:
    """``F.poisson_nll_loss`` with every argument given and the int reduction.

    >>> tg.poisson_nll_loss(tg.zeros(2), tg.zeros(2), True, False, 1e-8, 1)
    tensor(1.)
    """
    return F.poisson_nll_loss(input, target, log_input, full, eps=eps,
                              reduction=_reduction(reduction, "poisson_nll_loss", 6))


def _stride(stride: Any) -> Any:
    """PyTorch's ``stride=()`` (the default) means the kernel size; 0 stays an error."""
    return None if isinstance(stride, (tuple, list)) and len(stride) == 0 else stride
