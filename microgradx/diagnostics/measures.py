"""Per-layer measures on plain arrays, one definition each: dead ReLU units, saturated sigmoid/tanh
values, the backward signal δ = ∂L/∂z, the forward signal's per-unit std, identical units,
histograms, weight-gradient norms. They take ndarrays or Tensors of shape (batch, units).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..tensor import Tensor

__all__ = [
    "SATURATING",
    "SATURATION_LEVEL",
    "VANISHED_GRADIENT",
    "backward_signal",
    "dead_fraction",
    "dead_units",
    "delta_size",
    "distinct_units",
    "distinct_weight_columns",
    "gradient_norms",
    "histogram",
    "relative_slope",
    "saturated",
    "saturated_fraction",
    "saturation_bounds",
    "unit_std",
    "vanished",
]

#: The activations that saturate: their slope tends to 0 at both ends.
SATURATING = ("sigmoid", "tanh")

#: A sigmoid or tanh value is **saturated** where its local derivative is below this fraction of
#: the derivative's peak (σ′ peaks at 1/4, tanh′ at 1, both at z = 0). The one definition used by
#: the graph's purple border, `Recording.stats`, the recorder's table and the lab.
SATURATION_LEVEL = 0.1

#: A gradient has **vanished** when it is not zero but no element reaches this magnitude
#: (max |∂L/∂w| < 1e-6): gradient descent will not move ``w`` in any useful number of steps.
#: The one definition used by `microgradx.why`.
VANISHED_GRADIENT = 1e-6


def _array(x: Any) -> np.ndarray:
    if isinstance(x, Tensor):
        return x.data
    return np.asarray(x, dtype=float)


def _units_2d(z: np.ndarray, what: str) -> np.ndarray:
    """View ``z`` as (examples, units): a 1-D array is one example, a scalar one unit."""
    if z.ndim == 0:
        return z.reshape(1, 1)
    if z.ndim == 1:
        return z.reshape(1, -1)
    return z.reshape(-1, z.shape[-1])


def _check_saturating(activation: Any, fn: str) -> str:
    if activation not in SATURATING:
        raise ValueError(f"{fn}: activation must be one of {', '.join(SATURATING)}, got {activation!r}")
    return activation


# ---------------------------------------------------------------------------- saturated
def relative_slope(a: Any, activation: str) -> np.ndarray:
    """The local derivative at each output ``a``, as a fraction of its peak (1 at z = 0).

    Both derivatives are written with the output, as the engine computes them:
    sigmoid: σ′ = a(1 − a), peak 1/4, so the fraction is 4a(1 − a); tanh: tanh′ = 1 − a², peak 1.

    Examples:
        >>> relative_slope([0.5, 0.0, 0.99], "sigmoid").round(4).tolist()
        [1.0, 0.0, 0.0396]
    """
    act = _check_saturating(activation, "relative_slope")
    x = _array(a).astype(np.float64, copy=False)
    with np.errstate(all="ignore"):
        return 4.0 * x * (1.0 - x) if act == "sigmoid" else 1.0 - x * x


def saturated(a: Any, activation: str) -> np.ndarray:
    """Boolean mask of the saturated outputs: local derivative < `SATURATION_LEVEL` × its peak.

    With the level 0.1: sigmoid outputs below 0.0257 or above 0.9743 (|z| > 3.64), tanh outputs
    with |a| > 0.9487 (|z| > 1.82); `saturation_bounds` computes these from the level.
    """
    return relative_slope(a, activation) < SATURATION_LEVEL


def saturated_fraction(a: Any, activation: str) -> float:
    """Fraction of a sigmoid/tanh layer's outputs that are saturated (see `saturated`); 0.0 when empty.

    Args:
        a: outputs of the activation (any shape; an ndarray or a Tensor).
        activation: ``"sigmoid"`` or ``"tanh"``.

    Examples:
        >>> saturated_fraction([0.0, 0.5, 0.96, -0.99], "tanh")    # 0.96 and −0.99 are beyond 0.9487
        0.5
    """
    mask = saturated(a, activation)
    return float(np.mean(mask)) if mask.size else 0.0


def saturation_bounds(activation: str) -> tuple[float, float]:
    """``(z_bound, a_bound)``: where saturation starts, computed from `SATURATION_LEVEL`.

    tanh: saturated for |z| > z_bound, i.e. |a| > a_bound = √(1 − level). sigmoid: saturated for
    |z| > z_bound, i.e. a > a_bound = (1 + √(1 − level)) / 2 or a < 1 − a_bound.
    """
    act = _check_saturating(activation, "saturation_bounds")
    root = math.sqrt(1.0 - SATURATION_LEVEL)
    if act == "tanh":
        return math.atanh(root), root
    high = (1.0 + root) / 2.0
    return math.log(high / (1.0 - high)), high


# ---------------------------------------------------------------------------- dead
def dead_units(z: Any) -> np.ndarray:
    """Boolean mask, one entry per unit: True where the pre-activation is ≤ 0 for every example.

    Args:
        z: pre-activations, shape ``(batch, units)`` (a 1-D array is one example, a scalar one
            unit); an ndarray or a Tensor.

    For ReLU such a unit is **dead** on this batch: it outputs ReLU(z) = 0 everywhere and
    ReLU′(z) = 0, so ∂L/∂w = 0 for every weight into it and gradient descent cannot move them
    (forever, while its inputs stay the same). The same count for leaky ReLU says how many
    units sit on the leaky side everywhere; they still pass 0.01·∂L/∂a back. ReLU(z) = 0 exactly
    when z ≤ 0, so the mask is the same computed from ReLU's outputs.
    """
    z2 = _units_2d(_array(z), "dead_units")
    return np.all(z2 <= 0, axis=0)


def dead_fraction(z: Any) -> float:
    """Fraction of units that are dead (see `dead_units`): z ≤ 0 for every example.

    Examples:
        >>> dead_fraction([[-1.0, 2.0, 0.0], [-3.0, -1.0, 0.0]])   # units 0 and 2 never > 0
        0.6666666666666666
    """
    mask = dead_units(z)
    return float(np.mean(mask)) if mask.size else 0.0


# ---------------------------------------------------------------------------- gradient flow
def vanished(grad: Any) -> bool:
    """True when a gradient is not all zero but every element is below `VANISHED_GRADIENT`.

    Examples:
        >>> vanished([3e-7, -1e-9]), vanished([0.0, 0.0]), vanished([1e-3, 0.0])
        (True, False, False)
    """
    g = np.abs(_array(grad))
    if g.size == 0 or not np.all(np.isfinite(g)):
        return False
    peak = float(g.max())
    return 0.0 < peak < VANISHED_GRADIENT


def backward_signal(activation: Any, z: Any, grad_a: Any) -> np.ndarray:
    """δ = ∂L/∂z of a layer, from its pre-activation ``z`` and the gradient ``grad_a`` = ∂L/∂a.

    Chain rule through the activation: δ = g′(z) ⊙ ∂L/∂a for an elementwise g (a vector-Jacobian
    product in general). Computed with the engine's own backward pass of ``activation`` (a
    Module, a callable on Tensors or None for a linear layer, where δ = ∂L/∂a), run inside
    `microgradx.autograd.isolated_backward`: the gradients and in-place checks of the
    activation's own parameters (PReLU's slope) are left as they were.
    """
    grad = _array(grad_a)
    if activation is None:
        return grad.copy()
    from ..autograd import isolated_backward
    from ..function import enable_grad

    zt = Tensor(_array(z).astype(grad.dtype, copy=True), requires_grad=True)
    with enable_grad():
        out = activation.forward(zt) if hasattr(activation, "forward") else activation(zt)
    with isolated_backward(out):  # PReLU's slope: its .grad and in-place check are put back
        out.backward(gradient=grad)
        delta = zt.grad
    assert delta is not None
    return delta


def delta_size(delta: Any, how: str = "mean_abs") -> float:
    """One number for the size of a layer's backward signal δ = ∂L/∂z (shape (batch, units)).

    ``how="mean_abs"``: mean |δ| over examples and units; ``how="rms"``: √(mean δ²). The ratio
    of these between two layers is what the theory of vanishing/exploding gradients predicts
    (e.g. He et al. 2015: with Xavier weights each ReLU layer scales δ's RMS by √½ ≈ 0.71).
    """
    d = _array(delta)
    if how == "mean_abs":
        return float(np.mean(np.abs(d))) if d.size else 0.0
    if how == "rms":
        return float(np.sqrt(np.mean(d * d))) if d.size else 0.0
    raise ValueError(f"delta_size: how must be 'mean_abs' or 'rms', got {how!r}")


def unit_std(a: Any) -> float:
    """The forward signal's size: each unit's std over the examples, averaged over the units.

    Unlike the std of all values, it does not count differences between units' means (a ReLU
    unit's constant offset) as signal: it measures how much a unit's output varies with the input.
    """
    a2 = _units_2d(_array(a), "unit_std")
    return float(np.mean(a2.std(axis=0))) if a2.size else 0.0


def distinct_units(a: Any, tol: float = 1e-9) -> int:
    """How many different units a layer has, judged by their outputs on a batch.

    Two units (columns of ``a``) count as the same when their outputs differ by at most ``tol``
    (relative to the largest output) on every example. After zero or constant initialization
    this is 1, however wide the layer.

    Examples:
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

    Not a gauge of gradient flow on its own: ∂L/∂W_l = a_{l−1}ᵀ δ_l multiplies the backward
    signal δ_l (see `backward_signal`) by the forward signal a_{l−1} entering the layer. When the
    forward signal shrinks layer by layer (ReLU with Xavier weights), the last layers' ‖∂L/∂W‖
    shrink too and the first layer looks *better* off than it is. Report it beside δ and the
    forward std (`unit_std`), as the lab does.
    """
    out = []
    for name, p in model.named_parameters():
        if (name == "weight" or name.endswith(".weight")) and p.data.ndim == 2:
            out.append((name, None if p.grad is None else float(np.linalg.norm(p.grad))))
    return out
