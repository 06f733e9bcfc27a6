"""``tinygrad_edu.distributions``: probability distributions with sampling, log-densities
and entropy, as ``torch.distributions`` (REINFORCE's ``Categorical``, a VAE's ``Normal``).

>>> from tinygrad_edu.distributions import Categorical
>>> tg.manual_seed(0)
>>> Categorical(logits=tg.zeros(4)).sample((3,)).shape
tinygrad_edu.Size([3])
"""

from .bernoulli import Bernoulli
from .categorical import Categorical
from .distribution import Distribution
from .kl import kl_divergence
from .normal import Normal
from .uniform import Uniform

__all__ = ["Bernoulli", "Categorical", "Distribution", "Normal", "Uniform", "kl_divergence"]
