"""Spectral normalisation (https://arxiv.org/abs/1802.05957) by a forward pre-hook, as
``torch.nn.utils.spectral_norm`` (``nn.utils.parametrizations.spectral_norm`` is the
newer form).

``W_SN = W / sigma(W)``, ``sigma`` the largest singular value of ``W`` seen as a matrix
(``dim`` first, the rest flattened), estimated by power iteration: with ``u`` and ``v``
approximations of the first left and right singular vectors, ``sigma = u . (W v)``. In
training mode each forward first runs ``n_power_iterations`` steps
``v = normalize(W^T u)``, ``u = normalize(W v)``, updating the buffers in place.
The module keeps ``weight_orig`` (the parameter), ``weight_u`` and ``weight_v``
(buffers), and ``weight`` as a plain attribute, as PyTorch does.
"""

from __future__ import annotations

from typing import Any, TypeVar

from ...core.grad_mode import no_grad
from ...tensor import Tensor
from ..functional import normalize
from ..modules.conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from ..modules.module import Module
from ..parameter import Parameter, UninitializedParameter

__all__ = ["SpectralNorm", "SpectralNormLoadStateDictPreHook", "SpectralNormStateDictHook",
           "spectral_norm", "remove_spectral_norm"]

T_module = TypeVar("T_module", bound=Module)


def _default_dim(module: Module) -> int:
    """The output dimension of the weight: 1 for transposed convolutions, else 0."""
    return 1 if isinstance(module, (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)) else 0


def _check_power_iterations(n_power_iterations: int) -> None:
    if n_power_iterations <= 0:
        raise ValueError("Expected n_power_iterations to be positive, but "
                         f"got n_power_iterations={n_power_iterations}")


def _draw_u_v(weight_mat: Tensor, eps: float) -> tuple[Tensor, Tensor]:
    """Random unit vectors ``u`` (height) and ``v`` (width): two standard normal draws,
    ``u``'s first, as PyTorch's ``new_empty(n).normal_(0, 1)``, then normalised."""
    h, w = weight_mat.shape
    u = normalize(weight_mat.new_empty(h).normal_(0, 1), dim=0, eps=eps)
    v = normalize(weight_mat.new_empty(w).normal_(0, 1), dim=0, eps=eps)
    return u, v


class SpectralNorm:
    """The forward pre-hook that ``spectral_norm`` registers: it sets ``module.<name>``
    to ``<name>_orig / sigma`` before each forward (see the module docstring).

    >>> fn = SpectralNorm("weight", n_power_iterations=1, dim=0, eps=1e-12)
    """

    # version 1: the weight is no buffer, v is one, and eval mode uses u @ W_orig @ v
    _version: int = 1
    name: str
    dim: int
    n_power_iterations: int
    eps: float

    def __init__(self, name: str = "weight", n_power_iterations: int = 1, dim: int = 0,
                 eps: float = 1e-12) -> None:
        self.name = name
        self.dim = dim
        _check_power_iterations(n_power_iterations)
        self.n_power_iterations = n_power_iterations
        self.eps = eps

    def reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        """``weight`` as a matrix: dimension ``dim`` first, the others flattened."""
        if self.dim != 0:
            weight = weight.permute(self.dim, *[d for d in range(weight.dim()) if d != self.dim])
        return weight.reshape(weight.shape[0], -1)

    def compute_weight(self, module: Module, do_power_iteration: bool) -> Tensor:
        """``<name>_orig / sigma`` (recorded), after the power iteration when asked."""
        weight = getattr(module, self.name + "_orig")
        u = getattr(module, self.name + "_u")
        v = getattr(module, self.name + "_v")
        weight_mat = self.reshape_weight_to_matrix(weight)
        if do_power_iteration:
            with no_grad():
                for _ in range(self.n_power_iterations):
                    v.copy_(normalize(weight_mat.t().mv(u), dim=0, eps=self.eps))
                    u.copy_(normalize(weight_mat.mv(v), dim=0, eps=self.eps))
                # (copies, so that an earlier graph's saved u and v stay as they were)
                u, v = u.clone(), v.clone()
        sigma = u.dot(weight_mat.mv(v))
        return weight / sigma  # type: ignore[no-any-return]

    def remove(self, module: Module) -> None:
        """Put a plain parameter ``<name>`` back, holding the current normalised weight."""
        with no_grad():
            weight = self.compute_weight(module, do_power_iteration=False)
        for suffix in ("", "_u", "_v", "_orig"):
            delattr(module, self.name + suffix)
        module.register_parameter(self.name, Parameter(weight.detach()))

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name,
                self.compute_weight(module, do_power_iteration=module.training))

    def _solve_v_and_rescale(self, weight_mat: Tensor, u: Tensor, target_sigma: Tensor) -> Tensor:
        """A ``v`` with ``u = normalize(W v)`` and ``u . (W v) = target_sigma`` (least
        squares through the pseudo-inverse, in case ``W^T W`` is singular)."""
        wt = weight_mat.t()
        v = (wt.mm(weight_mat).pinverse() @ wt @ u.unsqueeze(1)).squeeze(1)
        return v * (target_sigma / u.dot(weight_mat.mv(v)))  # type: ignore[no-any-return]

    @staticmethod
    def apply(module: Module, name: str, n_power_iterations: int, dim: int,
              eps: float) -> SpectralNorm:
        """Move ``module.<name>`` to ``<name>_orig``, draw ``u`` and ``v``, register the hooks."""
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, SpectralNorm) and hook.name == name:
                raise RuntimeError(
                    f"Cannot register two spectral_norm hooks on the same parameter {name}")
        fn = SpectralNorm(name, n_power_iterations, dim, eps)
        weight = module._parameters[name]
        if weight is None:
            raise ValueError(f"`SpectralNorm` cannot be applied as parameter `{name}` is None")
        if isinstance(weight, UninitializedParameter):
            raise ValueError(
                "The module passed to `SpectralNorm` can't have uninitialized parameters. Make "
                "sure to run the dummy forward before applying spectral normalization")
        with no_grad():
            u, v = _draw_u_v(fn.reshape_weight_to_matrix(weight), fn.eps)
        delattr(module, fn.name)
        module.register_parameter(fn.name + "_orig", weight)
        # ``weight`` stays readable (initialisers expect it), as a plain attribute
        setattr(module, fn.name, weight.data)
        module.register_buffer(fn.name + "_u", u)
        module.register_buffer(fn.name + "_v", v)
        module.register_forward_pre_hook(fn)
        module.register_state_dict_post_hook(SpectralNormStateDictHook(fn))
        module.register_load_state_dict_pre_hook(SpectralNormLoadStateDictPreHook(fn))
        return fn


class SpectralNormLoadStateDictPreHook:
    """Reads checkpoints saved before version 1 (with ``weight`` and without ``weight_v``):
    ``v`` is solved from ``W_orig v = u`` and scaled so that ``u . (W_orig v) = sigma``,
    with ``sigma = mean(W_orig / W)``.

    >>> hook = SpectralNormLoadStateDictPreHook(fn)
    """

    def __init__(self, fn: SpectralNorm) -> None:
        self.fn = fn

    def __call__(self, module: Module, state_dict: dict[str, Any], prefix: str,
                 local_metadata: dict[str, Any], strict: bool, missing_keys: list[str],
                 unexpected_keys: list[str], error_msgs: list[str]) -> None:
        fn = self.fn
        version = local_metadata.get("spectral_norm", {}).get(fn.name + ".version", None)
        if version is not None and version >= 1:
            return
        weight_key = prefix + fn.name
        if (version is None and weight_key not in state_dict
                and all(weight_key + s in state_dict for s in ("_orig", "_u", "_v"))):
            return  # today's layout without its metadata (a hand-made state dict)
        missing = [weight_key + s for s in ("_orig", "", "_u") if weight_key + s not in state_dict]
        if missing:
            if strict:
                missing_keys.extend(missing)
            return
        with no_grad():
            weight_orig = _tensor(state_dict[weight_key + "_orig"])
            weight = _tensor(state_dict.pop(weight_key))
            sigma = (weight_orig / weight).mean()
            weight_mat = fn.reshape_weight_to_matrix(weight_orig)
            u = _tensor(state_dict[weight_key + "_u"])
            state_dict[weight_key + "_v"] = fn._solve_v_and_rescale(weight_mat, u, sigma)


def _tensor(value: Any) -> Tensor:
    """A checkpoint value as a Tensor (it may be another library's tensor or an array)."""
    if isinstance(value, Tensor):
        return value
    if hasattr(value, "detach"):
        value = value.detach()
    return Tensor(value)


class SpectralNormStateDictHook:
    """Writes the layout's version into the state dict's metadata
    (``_metadata[prefix]['spectral_norm']['weight.version'] = 1``), as PyTorch does.

    >>> hook = SpectralNormStateDictHook(fn)
    """

    def __init__(self, fn: SpectralNorm) -> None:
        self.fn = fn

    def __call__(self, module: Module, state_dict: dict[str, Any], prefix: str,
                 local_metadata: dict[str, Any]) -> None:
        versions = local_metadata.setdefault("spectral_norm", {})
        key = self.fn.name + ".version"
        if key in versions:
            raise RuntimeError(f"Unexpected key in metadata['spectral_norm']: {key}")
        versions[key] = self.fn._version


def spectral_norm(module: T_module, name: str = "weight", n_power_iterations: int = 1,
                  eps: float = 1e-12, dim: int | None = None) -> T_module:
    """Divide ``module.<name>`` by its spectral norm (largest singular value), estimated
    by ``n_power_iterations`` steps of power iteration before each training forward.
    ``dim`` is the output dimension (default 0; 1 for ``ConvTranspose*d``). The random
    start vectors are torch's draws after the same seed.

    >>> m = nn.utils.spectral_norm(nn.Linear(20, 40))
    >>> m.weight_u.shape
    tinygrad_edu.Size([40])
    """
    SpectralNorm.apply(module, name, n_power_iterations,
                       _default_dim(module) if dim is None else dim, eps)
    return module


def remove_spectral_norm(module: T_module, name: str = "weight") -> T_module:
    """Undo ``spectral_norm``: ``module.<name>`` is a plain parameter again, holding the
    normalised weight (without a further power iteration).

    >>> m = nn.utils.remove_spectral_norm(nn.utils.spectral_norm(nn.Linear(40, 10)))
    """
    for key, hook in module._forward_pre_hooks.items():
        if isinstance(hook, SpectralNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            break
    else:
        raise ValueError(f"spectral_norm of '{name}' not found in {module}")
    for table, kind in (("_state_dict_hooks", SpectralNormStateDictHook),
                        ("_load_state_dict_pre_hooks", SpectralNormLoadStateDictPreHook)):
        hooks = module.__dict__.get(table, {})
        for key, hook in list(hooks.items()):
            if isinstance(hook, kind) and hook.fn.name == name:
                del hooks[key]
                break
    return module
