"""Loss modules `MSELoss`, `BCELoss` and `BCEWithLogitsLoss`: ``loss_fn(pred, target) -> scalar Tensor`` (mean reduction).

They wrap the loss ops of ``microgradx.losses`` (formulas and derivatives live there) so a loss
can be passed around like any other module, e.g. ``fit(model, X, y, loss=MSELoss())``.
"""

from __future__ import annotations

from typing import Any

from .. import functional as F
from ..tensor import Tensor
from .module import Module

__all__ = ["BCELoss", "BCEWithLogitsLoss", "MSELoss"]


class MSELoss(Module):
    """Mean squared error, L = (1/n) Σᵢ (ŷᵢ − yᵢ)²; ∂L/∂ŷᵢ = 2(ŷᵢ − yᵢ)/n (PyTorch's ``MSELoss``).

    Shape: ``pred`` and ``target`` of the same shape; output a scalar.

    Examples:
        >>> MSELoss()([1.0, 2.0], [1.0, 4.0]).item()
        2.0
    """

    name = "mse_loss"

    def forward(self, pred: Any, target: Any) -> Tensor:
        return F.mse_loss(pred, target)


class BCELoss(Module):
    """Binary cross-entropy on probabilities, L = −(1/n) Σᵢ [yᵢ ln pᵢ + (1 − yᵢ) ln(1 − pᵢ)].

    ``pred`` must lie in [0, 1] (put a sigmoid in front); each log is clamped at −100, as
    PyTorch's ``BCELoss``, so p = 0 or 1 gives a finite loss.

    Examples:
        >>> round(BCELoss()([0.5], [1.0]).item(), 4)
        0.6931
    """

    name = "binary_cross_entropy"

    def forward(self, pred: Any, target: Any) -> Tensor:
        return F.binary_cross_entropy(pred, target)


class BCEWithLogitsLoss(Module):
    """Binary cross-entropy on logits, L = (1/n) Σᵢ [max(zᵢ, 0) − zᵢyᵢ + ln(1 + e^(−|zᵢ|))].

    The same loss as ``BCELoss()(sigmoid(z), y)`` without forming σ(z), so it stays exact for
    any z (PyTorch's ``BCEWithLogitsLoss``, mean reduction): give the model a linear output and
    use this instead of a sigmoid output with `BCELoss`. ∂L/∂zᵢ = (σ(zᵢ) − yᵢ)/n.

    Examples:
        >>> round(BCEWithLogitsLoss()([0.0], [1.0]).item(), 4)
        0.6931
    """

    name = "binary_cross_entropy_with_logits"

    def forward(self, logits: Any, target: Any) -> Tensor:
        return F.binary_cross_entropy_with_logits(logits, target)
