"""``tinygrad_edu.nn.utils``: gradient clipping and parameter vectors, as ``torch.nn.utils``;
``rnn``: padded batches of sequences; ``parametrize`` / ``parametrizations``: weights
computed from other tensors (orthogonal, weight norm, spectral norm); the older hook-based
``weight_norm`` and ``spectral_norm``; conv/linear + batch-norm fusion; ``skip_init``;
``stateless.functional_call`` (``tg.func.functional_call``)."""

from . import parametrizations, parametrize, rnn, stateless
from .clip_grad import (
    clip_grad_norm,
    clip_grad_norm_,
    clip_grad_value_,
    clip_grads_with_norm_,
    get_total_norm,
)
from .convert_parameters import parameters_to_vector, vector_to_parameters
from .fusion import (
    fuse_conv_bn_eval,
    fuse_conv_bn_weights,
    fuse_linear_bn_eval,
    fuse_linear_bn_weights,
)
from .init import skip_init
from .spectral_norm import remove_spectral_norm, spectral_norm
from .weight_norm import remove_weight_norm, weight_norm

__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grads_with_norm_", "clip_grad_value_",
           "get_total_norm", "parameters_to_vector", "vector_to_parameters",
           "fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval",
           "fuse_linear_bn_weights", "skip_init", "weight_norm", "remove_weight_norm",
           "spectral_norm", "remove_spectral_norm", "parametrizations", "parametrize", "rnn",
           "stateless"]
