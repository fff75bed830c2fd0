"""Random number generation: one default generator, seeded by `manual_seed`, and `rng=` everywhere.

Everything random in microgradx (initializers, layers, toy data, lab experiments) takes an
``rng`` argument that is either ``None`` (use the default generator), an ``int`` seed (a fresh
``numpy.random.Generator`` seeded with it, so the same seed gives the same numbers), or a
``numpy.random.Generator`` (used as is, and advanced).
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["get_rng", "manual_seed"]

_default = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Seed the default generator used wherever ``rng=None``; returns that generator.

    Args:
        seed: a non-negative integer.

    Examples:
        >>> import microgradx as mgx
        >>> _ = mgx.manual_seed(0); a = mgx.init.normal((2,), 0.0, 1.0)
        >>> _ = mgx.manual_seed(0); b = mgx.init.normal((2,), 0.0, 1.0)
        >>> bool((a == b).all())
        True
    """
    global _default
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"manual_seed: seed must be a non-negative int, got {seed!r}")
    _default = np.random.default_rng(int(seed))
    return _default


def get_rng(rng: int | np.random.Generator | None = None) -> np.random.Generator:
    """Resolve an ``rng=`` argument to a ``numpy.random.Generator``.

    ``None`` -> the default generator; an ``int`` -> ``numpy.random.default_rng(int)``;
    a ``Generator`` -> itself. Anything else raises ``TypeError`` naming the value.
    """
    if rng is None:
        return _default
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"rng: an integer seed must be non-negative, got {rng!r}")
        return np.random.default_rng(int(rng))
    raise TypeError(f"rng: expected None, a non-negative int seed or a numpy.random.Generator, got {rng!r}")
