"""Built-in toy regression data sets: `sine`, `polynomial`, `surface`, and `get` by name.

Each returns ``(X, y)``: float64 arrays shaped ``(n, in_features)`` and ``(n, 1)``, ready for
``microgradx.train.fit``. Inputs are drawn uniformly from ``[low, high]`` (sorted, for 1-D
inputs, so plots draw a line); the target is the clean function plus Gaussian noise of standard
deviation ``noise``. ``rng`` (None, an int seed or a ``numpy.random.Generator``) makes both
reproducible. A fit can at best reach a mean squared error of about ``noise**2``.

Examples:
    >>> from microgradx import data
    >>> X, y = data.sine(n=100, noise=0.0, rng=0)
    >>> X.shape, y.shape
    ((100, 1), (100, 1))
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from . import validation
from .random import get_rng

__all__ = ["DATASETS", "get", "polynomial", "sine", "surface"]


def _check_n(n, fn: str) -> int:
    return validation.integer(n, "n", f"data.{fn}", minimum=1)


def _check_real(value, what: str, fn: str, nonneg: bool = False) -> float:
    return validation.real(value, what, f"data.{fn}", nonneg=nonneg)


def _check_range(low, high, fn: str) -> tuple[float, float]:
    low = _check_real(low, "low", fn)
    high = _check_real(high, "high", fn)
    if not low < high:
        raise ValueError(f"data.{fn}: need low < high, got low={low!r}, high={high!r}")
    return low, high


def _add_noise(y: np.ndarray, noise: float, gen: np.random.Generator) -> np.ndarray:
    if noise > 0:
        y = y + gen.normal(0.0, noise, size=y.shape)
    return y


def sine(
    n: int = 200,
    noise: float = 0.05,
    low: float = -1.0,
    high: float = 1.0,
    frequency: float = math.pi,
    rng=None,
) -> tuple[np.ndarray, np.ndarray]:
    """``y = sin(frequency · x) + noise``, with ``x`` uniform in ``[low, high]`` (one input).

    The classic first regression problem: a straight line cannot fit it, a small MLP can.
    The default, ``sin(πx)`` on ``[-1, 1]``, is one full period with inputs in ``[-1, 1]``
    (the notes' "x_i lies between -1 and 1"): the scale the default initializers assume. On
    ``[-π, π]`` an MLP with He-initialised ReLU layers and ``SGD(lr=0.05, momentum=0.9)``
    diverges; scale inputs first.

    Args:
        n: number of samples (default 200).
        noise: standard deviation of the Gaussian noise added to ``y`` (default 0.05; 0 for
            the clean curve).
        low: smallest ``x`` (default -1).
        high: largest ``x`` (default 1).
        frequency: angular frequency (default π: one full period on ``[-1, 1]``).
        rng: None, an int seed or a ``numpy.random.Generator``.

    Returns:
        ``X`` of shape ``(n, 1)`` (sorted) and ``y`` of shape ``(n, 1)``, float64.

    Examples:
        >>> X, y = sine(n=50, noise=0.0, rng=1)
        >>> bool(abs(y - np.sin(np.pi * X)).max() == 0)
        True
    """
    n = _check_n(n, "sine")
    noise = _check_real(noise, "noise", "sine", nonneg=True)
    low, high = _check_range(low, high, "sine")
    frequency = _check_real(frequency, "frequency", "sine")
    gen = get_rng(rng)
    X = np.sort(gen.uniform(low, high, size=n)).reshape(n, 1)
    y = _add_noise(np.sin(frequency * X), noise, gen)
    return X, y


def polynomial(
    n: int = 200,
    coefficients=(0.0, -1.0, 0.0, 1.0),
    noise: float = 0.05,
    low: float = -1.5,
    high: float = 1.5,
    rng=None,
) -> tuple[np.ndarray, np.ndarray]:
    """``y = c0 + c1·x + c2·x² + … + noise``, with ``x`` uniform in ``[low, high]`` (one input).

    Coefficients are listed lowest degree first, as in ``numpy.polynomial``. The default is
    the cubic ``x³ − x``, which has two bends in ``[-1.5, 1.5]``.

    Args:
        n: number of samples (default 200).
        coefficients: a non-empty sequence of real numbers (default ``(0, -1, 0, 1)``).
        noise: standard deviation of the Gaussian noise (default 0.05).
        low: smallest ``x`` (default -1.5).
        high: largest ``x`` (default 1.5).
        rng: None, an int seed or a ``numpy.random.Generator``.

    Returns:
        ``X`` of shape ``(n, 1)`` (sorted) and ``y`` of shape ``(n, 1)``, float64.

    Examples:
        >>> X, y = polynomial(n=3, coefficients=(1.0, 2.0), noise=0.0, rng=0)
        >>> bool(np.allclose(y, 1 + 2 * X))
        True
    """
    n = _check_n(n, "polynomial")
    try:
        coefs = [_check_real(c, "each coefficient", "polynomial") for c in coefficients]
    except TypeError:
        raise ValueError(
            f"data.polynomial: coefficients must be a sequence of numbers, got {coefficients!r}"
        ) from None
    if not coefs:
        raise ValueError("data.polynomial: coefficients must not be empty")
    noise = _check_real(noise, "noise", "polynomial", nonneg=True)
    low, high = _check_range(low, high, "polynomial")
    gen = get_rng(rng)
    X = np.sort(gen.uniform(low, high, size=n)).reshape(n, 1)
    y = np.polynomial.polynomial.polyval(X, coefs)
    return X, _add_noise(y, noise, gen)


def surface(
    n: int = 400, noise: float = 0.05, low: float = -1.0, high: float = 1.0, rng=None
) -> tuple[np.ndarray, np.ndarray]:
    """``y = x1 · x2 + noise``, with ``(x1, x2)`` uniform in the square ``[low, high]²`` (two inputs).

    A saddle: no single input predicts ``y``, a model must combine both (a linear model gets
    nothing right, a small MLP learns it).

    Args:
        n: number of samples (default 400).
        noise: standard deviation of the Gaussian noise (default 0.05).
        low: smallest coordinate (default -1).
        high: largest coordinate (default 1).
        rng: None, an int seed or a ``numpy.random.Generator``.

    Returns:
        ``X`` of shape ``(n, 2)`` and ``y`` of shape ``(n, 1)``, float64.

    Examples:
        >>> X, y = surface(n=5, noise=0.0, rng=0)
        >>> X.shape, bool(np.allclose(y[:, 0], X[:, 0] * X[:, 1]))
        ((5, 2), True)
    """
    n = _check_n(n, "surface")
    noise = _check_real(noise, "noise", "surface", nonneg=True)
    low, high = _check_range(low, high, "surface")
    gen = get_rng(rng)
    X = gen.uniform(low, high, size=(n, 2))
    y = (X[:, 0] * X[:, 1]).reshape(n, 1)
    return X, _add_noise(y, noise, gen)


#: The data sets `get` knows, by name.
DATASETS: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    "sine": sine,
    "polynomial": polynomial,
    "surface": surface,
}


def get(name: str, **kwargs) -> tuple[np.ndarray, np.ndarray]:
    """Build the data set called ``name`` with keyword arguments ``kwargs``.

    Args:
        name: one of ``"sine"``, ``"polynomial"``, ``"surface"``.
        **kwargs: passed to that function (``n``, ``noise``, ``rng``, …).

    Raises:
        ValueError: for an unknown name; the message lists the valid names.

    Examples:
        >>> X, y = get("surface", n=10, rng=0)
        >>> X.shape
        (10, 2)
    """
    fn = DATASETS.get(name) if isinstance(name, str) else None
    if fn is None:
        raise ValueError(f"data.get: unknown data set {name!r}; expected one of {', '.join(DATASETS)}")
    return fn(**kwargs)
