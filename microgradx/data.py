"""Built-in toy data sets: regression (`sine`, `polynomial`, `surface`), classification (`moons`,
`circles`, `spirals`), and `get` by name.

A regression set returns ``(X, y)``: float64 arrays shaped ``(n, in_features)`` and ``(n, 1)``,
ready for ``microgradx.train.fit``. Inputs are drawn uniformly from ``[low, high]`` (sorted, for
1-D inputs, so plots draw a line); the target is the clean function plus Gaussian noise of
standard deviation ``noise``. A fit can at best reach a mean squared error of about ``noise**2``.

A classification set returns ``(X, y)``: float64 points ``(n, 2)`` in the plane and int64 class
indices ``(n,)`` in ``0 … classes − 1``, ready for ``cross_entropy`` (the classes are as equal in
size as ``n`` allows; the rows are shuffled). Each point is drawn on its class's curve and moved
by Gaussian noise of standard deviation ``noise`` in each coordinate.

``rng`` (None, an int seed or a ``numpy.random.Generator``) makes every set reproducible.

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

__all__ = [
    "CLASSIFICATION_DATASETS",
    "DATASETS",
    "REGRESSION_DATASETS",
    "circles",
    "get",
    "moons",
    "polynomial",
    "sine",
    "spirals",
    "surface",
]


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


# ---------------------------------------------------------------------------- classification
def _class_sizes(n: int, classes: int) -> np.ndarray:
    """``n`` samples split into ``classes`` sizes differing by at most one (the first ones larger)."""
    return np.full(classes, n // classes) + (np.arange(classes) < n % classes)


def _labelled(
    parts: list[np.ndarray], noise: float, gen: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Stack the clean points of each class (class k = ``parts[k]``), add noise, shuffle the rows."""
    X = np.concatenate(parts).astype(np.float64)
    y = np.concatenate([np.full(len(p), k, dtype=np.int64) for k, p in enumerate(parts)])
    if noise > 0:
        X = X + gen.normal(0.0, noise, size=X.shape)
    order = gen.permutation(len(y))
    return X[order], y[order]


def moons(n: int = 200, noise: float = 0.1, rng=None) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: class 0 on the upper one, class 1 on the lower one.

    Class 0: ``(cos t, sin t)``, class 1: ``(1 − cos t, 0.5 − sin t)``, with ``t`` uniform in
    ``[0, π]`` (the shape of scikit-learn's ``make_moons``, with random rather than evenly spaced
    ``t``, so two draws are two samples). No straight line separates the classes; a small MLP does.

    Args:
        n: number of samples (default 200), split ``n − n // 2`` (class 0) and ``n // 2`` (class 1).
        noise: standard deviation of the Gaussian noise added to each coordinate (default 0.1).
        rng: None, an int seed or a ``numpy.random.Generator``.

    Returns:
        ``X`` of shape ``(n, 2)``, float64, and ``y`` of shape ``(n,)``, int64 in {0, 1}.

    Examples:
        >>> X, y = moons(n=6, noise=0.0, rng=0)
        >>> X.shape, y.dtype.name, sorted(y.tolist())
        ((6, 2), 'int64', [0, 0, 0, 1, 1, 1])
    """
    n = _check_n(n, "moons")
    noise = _check_real(noise, "noise", "moons", nonneg=True)
    gen = get_rng(rng)
    n0, n1 = _class_sizes(n, 2)
    t0, t1 = gen.uniform(0.0, math.pi, size=n0), gen.uniform(0.0, math.pi, size=n1)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])
    return _labelled([upper, lower], noise, gen)


def circles(
    n: int = 200, noise: float = 0.05, factor: float = 0.5, rng=None
) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles: class 0 on the outer one (radius 1), class 1 on the inner one.

    Points ``r·(cos t, sin t)`` with ``t`` uniform in ``[0, 2π)`` and ``r = 1`` or ``factor``
    (scikit-learn's ``make_circles``). No straight line separates them; the boundary a network
    must learn is a closed curve around the origin.

    Args:
        n: number of samples (default 200), split ``n − n // 2`` (outer) and ``n // 2`` (inner).
        noise: standard deviation of the Gaussian noise added to each coordinate (default 0.05).
        factor: radius of the inner circle, ``0 < factor < 1`` (default 0.5).
        rng: None, an int seed or a ``numpy.random.Generator``.

    Returns:
        ``X`` of shape ``(n, 2)``, float64, and ``y`` of shape ``(n,)``, int64 in {0, 1}.

    Examples:
        >>> X, y = circles(n=4, noise=0.0, rng=0)
        >>> np.round(np.hypot(X[:, 0], X[:, 1]), 6).tolist(), y.tolist()
        ([1.0, 0.5, 1.0, 0.5], [0, 1, 0, 1])
    """
    n = _check_n(n, "circles")
    noise = _check_real(noise, "noise", "circles", nonneg=True)
    factor = validation.real(factor, "factor", "data.circles", positive=True, below=1.0)
    gen = get_rng(rng)
    parts = []
    for radius, size in zip((1.0, factor), _class_sizes(n, 2), strict=True):
        t = gen.uniform(0.0, 2 * math.pi, size=size)
        parts.append(radius * np.column_stack([np.cos(t), np.sin(t)]))
    return _labelled(parts, noise, gen)


def spirals(n: int = 300, classes: int = 3, noise: float = 0.05, rng=None) -> tuple[np.ndarray, np.ndarray]:
    """``classes`` spiral arms around the origin, one per class (the CS231n spiral).

    Arm k holds the points ``r·(cos θ, sin θ)`` with ``r`` uniform in ``[0, 1]`` and
    ``θ = 2πk/classes + 4r``: each arm turns through 4 radians from the centre outwards, so the
    arms wind around each other and no straight line separates any two classes.

    Args:
        n: number of samples (default 300), ``n // classes`` per class (the first ``n % classes``
            classes get one more); at least ``classes``.
        classes: number of arms and classes, at least 2 (default 3).
        noise: standard deviation of the Gaussian noise added to each coordinate (default 0.05).
        rng: None, an int seed or a ``numpy.random.Generator``.

    Returns:
        ``X`` of shape ``(n, 2)``, float64, and ``y`` of shape ``(n,)``, int64 in
        ``0 … classes − 1``.

    Examples:
        >>> X, y = spirals(n=7, classes=3, noise=0.0, rng=0)
        >>> X.shape, np.bincount(y).tolist()
        ((7, 2), [3, 2, 2])
    """
    n = _check_n(n, "spirals")
    classes = validation.integer(classes, "classes", "data.spirals", minimum=2)
    if n < classes:
        raise ValueError(
            f"data.spirals: n must be at least classes={classes} (one sample per class), got {n!r}"
        )
    noise = _check_real(noise, "noise", "spirals", nonneg=True)
    gen = get_rng(rng)
    parts = []
    for k, size in enumerate(_class_sizes(n, classes)):
        r = gen.uniform(0.0, 1.0, size=size)
        theta = 2 * math.pi * k / classes + 4.0 * r
        parts.append(r[:, None] * np.column_stack([np.cos(theta), np.sin(theta)]))
    return _labelled(parts, noise, gen)


#: The regression data sets by name: ``y`` of shape ``(n, 1)``, float64.
REGRESSION_DATASETS: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    "sine": sine,
    "polynomial": polynomial,
    "surface": surface,
}

#: The classification data sets by name: ``X`` of shape ``(n, 2)``, ``y`` int64 class indices ``(n,)``.
CLASSIFICATION_DATASETS: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    "moons": moons,
    "circles": circles,
    "spirals": spirals,
}

#: Every data set `get` knows, by name: the regression ones, then the classification ones.
DATASETS: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    **REGRESSION_DATASETS,
    **CLASSIFICATION_DATASETS,
}


def get(name: str, **kwargs) -> tuple[np.ndarray, np.ndarray]:
    """Build the data set called ``name`` with keyword arguments ``kwargs``.

    Args:
        name: one of ``"sine"``, ``"polynomial"``, ``"surface"`` (regression), ``"moons"``,
            ``"circles"``, ``"spirals"`` (classification).
        **kwargs: passed to that function (``n``, ``noise``, ``rng``, …).

    Raises:
        ValueError: for an unknown name; the message lists the valid names.

    Examples:
        >>> X, y = get("surface", n=10, rng=0)
        >>> X.shape
        (10, 2)
        >>> X, y = get("moons", n=10, rng=0)
        >>> X.shape, y.shape
        ((10, 2), (10,))
    """
    return validation.choice(name, DATASETS, "data set", "data.get")(**kwargs)
