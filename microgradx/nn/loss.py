"""Loss modules `MSELoss`, `BCELoss`, `BCEWithLogitsLoss` and `CrossEntropyLoss`: ``loss_fn(pred, target) -> scalar Tensor`` (mean reduction).

They wrap the loss ops of ``microgradx.losses`` (formulas and derivatives live there) so a loss
can be passed around like any other module, e.g. ``fit(model, X, y, loss=MSELoss())``.
"""

from __future__ import annotations

from typing import Any

from .. import functional as F
from .. import validation
from ..tensor import Tensor
from .module import Module

__all__ = ["BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "MSELoss"]


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


class CrossEntropyLoss(Module):
    """Cross-entropy of logits against classes, L = −(1/N) Σₙ ln softmax(zₙ)[yₙ] (PyTorch's
    ``CrossEntropyLoss``, mean reduction).

    The model's last layer is linear (its outputs are the logits z, one per class); the loss
    applies a stable log-softmax itself, so never put a `Softmax` in front of it.
    ∂L/∂zₙ = (softmax(zₙ) − one-hot(yₙ))/N: the predicted probabilities minus the true ones,
    divided by the batch (`microgradx.losses.CrossEntropy`).

    Args:
        ignore_index: targets equal to it are left out of the sum and of N (default -100, as
            PyTorch). (PyTorch's ``weight``, ``reduction`` and ``label_smoothing`` are not offered.)

    Shape: ``logits`` ``(N, C)`` (or ``(N, C, d1, …)``, or ``(C,)`` for one sample); ``target``
    either class indices of shape ``(N,)`` (``(N, d1, …)``, ``()``), integers in ``[0, C)``, or
    class probabilities of the logits' shape. Output: a scalar.

    Examples:
        >>> round(CrossEntropyLoss()([[0.0, 0.0]], [1]).item(), 4)    # ln 2
        0.6931
    """

    name = "cross_entropy"

    def __init__(self, ignore_index: int = -100) -> None:
        super().__init__()
        self.ignore_index = validation.integer(ignore_index, "ignore_index", "CrossEntropyLoss")

    def forward(self, logits: Any, target: Any) -> Tensor:
        return F.cross_entropy(logits, target, ignore_index=self.ignore_index)

    def extra_repr(self) -> str:
        return "" if self.ignore_index == -100 else f"ignore_index={self.ignore_index}"
