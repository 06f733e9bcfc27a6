"""``torch.random``: seeding and saving the default generator.

The generator itself and the samplers emulate PyTorch's CPU generator bit for bit; that
emulation is PyTorch exactness, not autograd, and lives in ``parity/`` (``rng_state``:
mt19937 and its state; ``rng_floats``: uniform and normal; ``rng_sampling``: integers,
permutations and the other distributions). This module is the one entry the Tensor layer
and the user go through: it re-exports them, with the argument checks of the Tensor layer.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np

from .parity.rng_floats import (
    FLOAT32_NORMAL_KERNEL,
    arrange,
    draw_order,
    normal,
    normal_tensor,
    rand,
    randn,
    rrelu_slopes,
    uniform,
)
from .parity.rng_sampling import (
    bernoulli,
    bernoulli_tensor,
    cauchy,
    exponential,
    geometric,
    log_normal,
    multinomial,
    randint,
    random_,
    random_from_to,
    random_int64,
    randperm,
)
from .parity.rng_state import DEFAULT_SEED, Generator, default_generator

__all__ = [
    "DEFAULT_SEED",
    "FLOAT32_NORMAL_KERNEL",
    "Generator",
    "arrange",
    "bernoulli",
    "bernoulli_tensor",
    "cauchy",
    "default_generator",
    "draw_order",
    "exponential",
    "fork_rng",
    "geometric",
    "get_rng_state",
    "initial_seed",
    "log_normal",
    "manual_seed",
    "multinomial",
    "normal",
    "normal_tensor",
    "rand",
    "randint",
    "randn",
    "random_",
    "random_from_to",
    "random_int64",
    "randperm",
    "rrelu_slopes",
    "seed",
    "set_rng_state",
    "uniform",
]


def manual_seed(seed: int) -> Generator:
    """Seed the default generator (``torch.manual_seed``); returns it.

    Like torch, a float seed is truncated with ``int()``.

    Example:
        >>> manual_seed(0) is default_generator
        True
    """
    return default_generator.manual_seed(int(seed))


def seed() -> int:
    """Seed the default generator from the OS's entropy and return the seed (``torch.seed``).

    Example:
        >>> s = seed(); initial_seed() == s
        True
    """
    return default_generator.seed()


def initial_seed() -> int:
    """The seed of the default generator (``torch.initial_seed``).

    Example:
        >>> _ = manual_seed(3); initial_seed()
        3
    """
    return default_generator.initial_seed()


def get_rng_state() -> Any:
    """The default generator's state as a uint8 Tensor of 5056 bytes (``torch.get_rng_state``).

    The bytes are the ones torch gives, so states move between the two libraries.

    Example:
        >>> get_rng_state().dtype
        tinygrad_edu.uint8
    """
    return default_generator.get_state()


def set_rng_state(new_state: Any) -> None:
    """Restore the default generator's state (``torch.set_rng_state``).

    Example:
        >>> s = get_rng_state(); a = rand(2); set_rng_state(s); bool((rand(2) == a).all())
        True
    """
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(
    devices: Any = None,
    enabled: bool = True,
    _caller: str = "fork_rng",
    _devices_kw: str = "devices",
    device_type: str | None = None,
) -> Iterator[None]:
    """``torch.random.fork_rng``: restore the default generator's state when the block ends.

    Only the CPU generator exists here, so ``devices`` and ``device_type`` are accepted and
    ignored (torch's CPU-only behaviour). With ``enabled=False`` it does nothing.

    Example:
        >>> _ = manual_seed(0)
        >>> with fork_rng():
        ...     _ = rand(3)
        >>> rand(1)  # as if the block had not drawn
        array([0.4962566], dtype=float32)
    """
    if not enabled:
        yield
        return
    saved = default_generator._state_bytes()
    try:
        yield
    finally:
        default_generator.set_state(saved)


# ---------------------------------------------------------------------------------------------
# For the Tensor layer: arguments, and the (zero) gradient of random values
# ---------------------------------------------------------------------------------------------


def check_generator(generator: Any, fn: str) -> Generator | None:
    """``generator`` if it is None or a Generator; else torch's TypeError for ``fn``."""
    if generator is not None and not isinstance(generator, Generator):
        raise TypeError(
            f"{fn}(): argument 'generator' must be torch.Generator, not {type(generator).__name__}"
        )
    return generator


def float_arg(value: Any, fn: str, name: str, position: int) -> float:
    """A ``float`` argument as torch's parser takes it: a number or a one-element tensor."""
    if isinstance(value, (bool, int, float, np.number)):
        return float(value)
    data = getattr(value, "_data", None)
    if isinstance(data, np.ndarray) and data.ndim == 0:
        return float(data)
    raise TypeError(
        f"{fn}(): argument '{name}' (position {position}) must be float, not {type(value).__name__}"
    )


def int_arg(value: Any, fn: str, name: str, position: int) -> int:
    """An ``int`` argument as torch's parser takes it: no bool, no float, int64 range."""
    data = getattr(value, "_data", None)
    if isinstance(data, np.ndarray) and data.ndim == 0 and data.dtype.kind in "iu":
        value = int(data)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(
            f"{fn}(): argument '{name}' (position {position}) must be int, not "
            f"{type(value).__name__}"
        )
    if not -(2**63) <= int(value) < 2**63:
        raise RuntimeError("Overflow when unpacking long long")
    return int(value)


def random_bounds(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[int, int | None] | None:
    """The bounds of ``Tensor.random_(...)``: None for ``random_()``, else ``(from, to)``.

    torch's overloads: ``random_()``, ``random_(to)`` meaning [0, to), and
    ``random_(from, to)`` where ``to=None`` means up to the dtype's largest value. Any other
    combination gets torch's argument parser's TypeError.
    """
    if len(args) > 2:
        raise TypeError(f"random_() takes 2 positional arguments but {len(args)} were given")
    if "to" in kwargs and len(args) == 2:
        raise TypeError("random_() got multiple values for argument 'to'")
    unknown = [k for k in kwargs if k not in ("from", "to")]
    given = len(args) + len(kwargs) - len(unknown)
    named = dict(zip(("from", "to") if given == 2 else ("to",), args))
    named.update(kwargs)
    if unknown and given == 2:  # only (from, to) was plausible
        raise TypeError(f"random_() got an unexpected keyword argument '{unknown[0]}'")
    if not named:
        return None
    valid = not unknown and (set(named) == {"to"} or set(named) == {"from", "to"})
    if not valid or not all(_is_int(v) or (k == "to" and v is None and len(named) == 2)
                            for k, v in named.items()):
        raise _random_overload_error(args, kwargs)
    if len(named) == 1:  # random_(to)
        return 0, int_arg(named["to"], "random_", "to", 1)
    low = int_arg(named["from"], "random_", "from", 1)
    return low, None if named["to"] is None else int_arg(named["to"], "random_", "to", 2)


def _is_int(value: Any) -> bool:
    """An int as torch's parser takes one: a Python or numpy int, or an int 0-d tensor."""
    data = getattr(value, "_data", None)
    if isinstance(data, np.ndarray):
        return data.ndim == 0 and data.dtype.kind in "iu"
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _random_overload_error(args: tuple[Any, ...], kwargs: dict[str, Any]) -> TypeError:
    """torch's parser error for ``random_`` arguments that match none of its overloads.

    With two arguments only the (from, to) overload was plausible, and the parser says why
    (printed, as torch prints it, under the first overload).
    """
    def name(v: Any) -> str:
        return "Tensor" if hasattr(v, "_data") else type(v).__name__

    keys = list(kwargs)[::-1]  # (torch lists keywords in reverse order)
    got = [name(a) for a in args] + [f"{k}={name(kwargs[k])}" for k in keys]
    got_text = ", ".join(got) if args else "".join(g + ", " for g in got)
    why = ""
    if len(args) + len(kwargs) == 2:
        why = ("      didn't match because some of the keywords were incorrect: "
               + ", ".join(keys) + "\n") if kwargs else (
            "      didn't match because some of the arguments have invalid types: ("
            + ", ".join(f"!{g}!" for g in got) + ")\n")
    return TypeError(
        f"random_() received an invalid combination of arguments - got ({got_text}), but "
        "expected one of:\n * (*, torch.Generator generator = None)\n" + why +
        " * (int from, int to, *, torch.Generator generator = None)\n"
        " * (int to, *, torch.Generator generator = None)\n"
    )
