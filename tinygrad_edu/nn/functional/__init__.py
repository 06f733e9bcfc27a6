"""``tinygrad_edu.nn.functional``: layers and losses as functions, as ``torch.nn.functional``.

Every function takes and returns Tensors and matches PyTorch's arguments, defaults,
shapes, dtypes and errors. The math lives in the ops (``tinygrad_edu/ops/nn.py``,
``ops/activation.py``, ``ops/conv.py``); the files here check arguments and pick the op,
one file per family:

- ``linear.py``: ``linear``;
- ``activation.py``: ``relu``, ``gelu``, ``prelu``, ``glu``, ``softmax``, ``dropout``, ...;
- ``embedding.py``: ``one_hot``, ``embedding``;
- ``loss.py``: ``mse_loss``, ``l1_loss``, ``cross_entropy``, ``nll_loss``, ``kl_div``, ...;
- ``loss_margin.py``: ``margin_ranking_loss``, ``triplet_margin_loss``, ...;
- ``normalization.py``: ``batch_norm``, ``layer_norm``;
- ``conv.py``: ``conv2d`` and the 2-D pooling functions;
- ``attention.py``: ``scaled_dot_product_attention``, ``multi_head_attention_forward``.
- ``resample.py``: ``pad``, ``unfold``, ``fold``.

>>> import tinygrad_edu.nn.functional as F
>>> F.cross_entropy(tg.tensor([[2.0, 0.5]]), tg.tensor([0]))
tensor(0.2014)
"""

from __future__ import annotations

from .activation import (
    alpha_dropout,
    celu,
    dropout,
    dropout1d,
    dropout2d,
    dropout3d,
    elu,
    feature_alpha_dropout,
    gelu,
    glu,
    hardshrink,
    hardsigmoid,
    hardswish,
    hardtanh,
    leaky_relu,
    log_softmax,
    logsigmoid,
    mish,
    prelu,
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    softmax,
    softmin,
    softplus,
    softshrink,
    softsign,
    tanh,
    tanhshrink,
    threshold,
)
from .attention import multi_head_attention_forward, scaled_dot_product_attention
from .conv import (
    adaptive_avg_pool2d,
    avg_pool1d,
    avg_pool2d,
    avg_pool3d,
    conv1d,
    conv2d,
    conv3d,
    conv_transpose1d,
    conv_transpose2d,
    max_pool1d,
    max_pool2d,
    max_pool3d,
)
from .embedding import embedding, one_hot
from .linear import bilinear, linear
from .loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    gaussian_nll_loss,
    huber_loss,
    kl_div,
    l1_loss,
    mse_loss,
    nll_loss,
    poisson_nll_loss,
    smooth_l1_loss,
)
from .loss_margin import (
    cosine_embedding_loss,
    cosine_similarity,
    hinge_embedding_loss,
    margin_ranking_loss,
    multi_margin_loss,
    multilabel_margin_loss,
    multilabel_soft_margin_loss,
    pairwise_distance,
    soft_margin_loss,
    triplet_margin_loss,
)
from .normalization import batch_norm, layer_norm, normalize
from .resample import fold, pad, unfold

__all__ = [
    "scaled_dot_product_attention",
    "multi_head_attention_forward",
    "linear",
    "bilinear",
    "relu",
    "relu6",
    "hardtanh",
    "leaky_relu",
    "gelu",
    "silu",
    "elu",
    "softplus",
    "sigmoid",
    "tanh",
    "softmax",
    "log_softmax",
    "celu",
    "glu",
    "hardshrink",
    "hardsigmoid",
    "hardswish",
    "logsigmoid",
    "mish",
    "prelu",
    "selu",
    "softmin",
    "softshrink",
    "softsign",
    "tanhshrink",
    "threshold",
    "dropout",
    "dropout1d",
    "dropout2d",
    "dropout3d",
    "alpha_dropout",
    "feature_alpha_dropout",
    "one_hot",
    "mse_loss",
    "l1_loss",
    "huber_loss",
    "smooth_l1_loss",
    "cross_entropy",
    "nll_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "kl_div",
    "poisson_nll_loss",
    "gaussian_nll_loss",
    "margin_ranking_loss",
    "hinge_embedding_loss",
    "soft_margin_loss",
    "multi_margin_loss",
    "multilabel_margin_loss",
    "multilabel_soft_margin_loss",
    "cosine_embedding_loss",
    "triplet_margin_loss",
    "pairwise_distance",
    "cosine_similarity",
    "normalize",
    "embedding",
    "batch_norm",
    "layer_norm",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "adaptive_avg_pool2d",
    "pad",
    "unfold",
    "fold",
]
