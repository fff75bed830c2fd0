"""Per-layer measures on plain arrays: dead ReLU units, saturated sigmoid/tanh values, identical
units, histograms, gradient norms. They take ndarrays or Tensors of shape (batch, units).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..tensor import Tensor

__all__ = [
    "SATURATION_THRESHOLDS",
    "dead_fraction",
    "negative_fraction",
    "saturated_fraction",
    "distinct_units",
    "distinct_weight_columns",
    "histogram",
    "gradient_norms",
]

SATURATION_THRESHOLDS: dict[str, float] = {
    "tanh": math.atanh(0.99),  # 2.6467: |tanh z| > 0.99, tanh'(z) < 0.0199
    "sigmoid": math.log(0.99 / 0.01),  # 4.5951: σ(z) < 0.01 or > 0.99, σ'(z) < 0.0099
}


def _array(x: Any) -> np.ndarray:
    if isinstance(x, Tensor):
        return x.data
    return np.asarray(x, dtype=float)


def _units_2d(z: np.ndarray, what: str) -> np.ndarray:
    """View ``z`` as (examples, units): a 1-D array is one example."""
    if z.ndim == 0:
        raise ValueError(f"{what}: expected a (batch, units) array, got a scalar")
    if z.ndim == 1:
        return z.reshape(1, -1)
    return z.reshape(-1, z.shape[-1])


# ---------------------------------------------------------------------------- array measures
def dead_fraction(z: Any) -> float:
    """Fraction of units whose pre-activation is ≤ 0 for every example: dead for ReLU.

    Args:
        z: pre-activations, shape ``(batch, units)`` (an ndarray or a Tensor).

    Such a unit outputs ReLU(z) = 0 on the whole batch and its gradient ∂a/∂z = 0, so
    ∂L/∂w = 0 for all its incoming weights: they stop changing ("forever dead" while its inputs
    stay the same). With leaky ReLU the same units still pass a gradient of 0.01·∂L/∂a.

    Example:
        >>> dead_fraction([[-1.0, 2.0, 0.0], [-3.0, -1.0, 0.0]])   # units 0 and 2 never > 0
        0.6666666666666666
    """
    z2 = _units_2d(_array(z), "dead_fraction")
    return float(np.mean(np.all(z2 <= 0, axis=0)))


negative_fraction = dead_fraction  # the same count, for activations that do not die (leaky ReLU)


def saturated_fraction(z: Any, activation: str, threshold: float | None = None) -> float:
    """Fraction of pre-activation values beyond the saturation threshold of ``activation``.

    Args:
        z: pre-activations (any shape).
        activation: ``"sigmoid"`` or ``"tanh"``.
        threshold: |z| limit; default `SATURATION_THRESHOLDS` (output within 0.01 of its bound).

    Example:
        >>> saturated_fraction([0.0, 1.0, 3.0, -5.0], "tanh")    # 3 and −5 are beyond 2.647
        0.5
    """
    if threshold is None:
        if activation not in SATURATION_THRESHOLDS:
            raise ValueError(
                f"saturated_fraction: activation must be one of "
                f"{', '.join(SATURATION_THRESHOLDS)}, got {activation!r}"
            )
        threshold = SATURATION_THRESHOLDS[activation]
    arr = _array(z)
    if arr.size == 0:
        return 0.0
    return float(np.mean(np.abs(arr) > threshold))


def distinct_units(a: Any, tol: float = 1e-9) -> int:
    """How many different units a layer has, judged by their outputs on a batch.

    Two units (columns of ``a``) count as the same when their outputs differ by at most ``tol``
    (relative to the largest output) on every example. After zero or constant initialization
    this is 1, however wide the layer.

    Example:
        >>> distinct_units([[0.5, 0.5, 0.1], [0.2, 0.2, 0.3]])
        2
    """
    a2 = _units_2d(_array(a), "distinct_units")
    return _count_distinct_columns(a2, tol)


def distinct_weight_columns(weight: Any, bias: Any = None, tol: float = 1e-9) -> int:
    """How many units of a layer have different incoming weights (and bias).

    ``weight`` is ``(in_features, out_features)``: column j holds the weights into unit j.
    Units with equal columns compute the same z on every input.
    """
    w = _array(weight)
    if w.ndim != 2:
        raise ValueError(f"distinct_weight_columns: weight must be 2-D (in, out), got shape {w.shape}")
    if bias is not None:
        w = np.vstack([w, _array(bias).reshape(1, -1)])
    return _count_distinct_columns(w, tol)


def _count_distinct_columns(m: np.ndarray, tol: float) -> int:
    """Greedy grouping: take the first unassigned column, assign every column within tol of it."""
    if m.shape[1] == 0:
        return 0
    scale = max(float(np.max(np.abs(m))) if m.size else 0.0, 1.0)
    unassigned = np.ones(m.shape[1], dtype=bool)
    groups = 0
    while unassigned.any():
        j = int(np.argmax(unassigned))
        close = np.max(np.abs(m - m[:, j : j + 1]), axis=0) <= tol * scale
        unassigned &= ~close
        groups += 1
    return groups


def histogram(values: Any, bins: int = 50, range: tuple[float, float] | None = None):
    """``(counts, edges)`` of all values, as ``numpy.histogram`` (finite values only)."""
    arr = _array(values).ravel()
    arr = arr[np.isfinite(arr)]
    return np.histogram(arr, bins=bins, range=range)


def gradient_norms(model: Any) -> list[tuple[str, float | None]]:
    """``[(parameter name, ‖∂L/∂W‖), …]`` for every weight matrix of ``model`` (after backward).

    The Euclidean (Frobenius) norm of each ``.weight`` gradient; None where no gradient exists.
    Vanishing gradients: the first layers' norms are orders of magnitude below the last ones.
    """
    out = []
    for name, p in model.named_parameters():
        if name == "weight" or name.endswith(".weight"):
            if p.data.ndim == 2:
                out.append((name, None if p.grad is None else float(np.linalg.norm(p.grad))))
    return out
