"""``tinygrad_edu.distributions``: probability distributions with sampling, log-densities
and entropy, as ``torch.distributions`` (REINFORCE's ``Categorical``, a VAE's ``Normal``,
SAC's tanh-squashed ``Normal``). Draws equal PyTorch's after the same seed.

>>> from tinygrad_edu.distributions import Categorical
>>> _ = tg.manual_seed(0)
>>> Categorical(logits=tg.zeros(4)).sample((3,)).shape
tinygrad_edu.Size([3])
"""

from . import constraints, transforms
from .bernoulli import Bernoulli
from .beta import Beta
from .binomial import Binomial
from .categorical import Categorical
from .cauchy import Cauchy
from .dirichlet import Dirichlet
from .distribution import Distribution
from .exponential import Exponential
from .gamma import Gamma
from .geometric import Geometric
from .gumbel import Gumbel
from .half_normal import HalfNormal
from .independent import Independent
from .kl import kl_divergence, register_kl
from .laplace import Laplace
from .log_normal import LogNormal
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .one_hot_categorical import OneHotCategorical
from .poisson import Poisson
from .relaxed_bernoulli import LogitRelaxedBernoulli, RelaxedBernoulli
from .relaxed_categorical import ExpRelaxedCategorical, RelaxedOneHotCategorical
from .transformed_distribution import TransformedDistribution
from .transforms import (
    AbsTransform,
    AffineTransform,
    ComposeTransform,
    ExpTransform,
    IndependentTransform,
    SigmoidTransform,
    SoftmaxTransform,
    TanhTransform,
    Transform,
)
from .uniform import Uniform

__all__ = ["AbsTransform", "AffineTransform", "Bernoulli", "Beta", "Binomial", "Categorical",
           "Cauchy", "ComposeTransform", "Dirichlet", "Distribution", "ExpRelaxedCategorical",
           "ExpTransform", "Exponential", "Gamma", "Geometric", "Gumbel", "HalfNormal",
           "Independent", "IndependentTransform", "Laplace", "LogNormal",
           "LogitRelaxedBernoulli", "MultivariateNormal", "Normal", "OneHotCategorical",
           "Poisson", "RelaxedBernoulli", "RelaxedOneHotCategorical", "SigmoidTransform",
           "SoftmaxTransform", "TanhTransform", "Transform", "TransformedDistribution",
           "Uniform", "constraints", "kl_divergence", "register_kl", "transforms"]
