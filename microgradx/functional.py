"""Every activation and loss as a plain function: ``mgx.functional.sigmoid(t)`` and friends.

These are thin wrappers over the op classes in ``activations.py`` and ``losses.py``; read
those for the formulas, derivatives and chain-rule steps.
"""

from __future__ import annotations

from typing import Any

from .activations import ELU, SELU, LeakyReLU, PReLU, ReLU, Sigmoid, Tanh
from .losses import BinaryCrossEntropy, MSELoss
from .tensor import Tensor, _check_real

__all__ = [
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "prelu",
    "elu",
    "selu",
    "mse_loss",
    "binary_cross_entropy",
    "ACTIVATIONS",
]


def _t(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def sigmoid(x: Any) -> Tensor:
    """σ(x) = 1/(1 + e⁻ˣ);  σ'(x) = σ(x)(1 − σ(x)).  See `microgradx.activations.Sigmoid`."""
    return Sigmoid.apply(_t(x))


def tanh(x: Any) -> Tensor:
    """tanh(x);  tanh'(x) = 1 − tanh²(x).  See `microgradx.activations.Tanh`."""
    return Tanh.apply(_t(x))


def relu(x: Any) -> Tensor:
    """max(0, x);  derivative 1 for x > 0, 0 for x ≤ 0.  See `microgradx.activations.ReLU`."""
    return ReLU.apply(_t(x))


def leaky_relu(x: Any, negative_slope: float = 0.01) -> Tensor:
    """x for x > 0, negative_slope·x otherwise;  derivative 1 or negative_slope (at 0: negative_slope)."""
    return LeakyReLU.apply(_t(x), negative_slope=_check_real("leaky_relu", "negative_slope", negative_slope))


def prelu(x: Any, weight: Any) -> Tensor:
    """x for x > 0, weight·x otherwise, ``weight`` trainable;  see `microgradx.activations.PReLU`."""
    x = _t(x)
    return PReLU.apply(x, x._lift(weight))


def elu(x: Any, alpha: float = 1.0) -> Tensor:
    """x for x > 0, α(eˣ − 1) otherwise;  derivative 1 or ELU(x) + α (at 0: α)."""
    return ELU.apply(_t(x), alpha=_check_real("elu", "alpha", alpha))


def selu(x: Any) -> Tensor:
    """λx for x > 0, λα(eˣ − 1) otherwise (λ ≈ 1.0507, α ≈ 1.6733);  derivative λ or SELU(x) + λα."""
    return SELU.apply(_t(x))


def mse_loss(pred: Any, target: Any) -> Tensor:
    """Mean squared error (1/n) Σ (ŷ − y)²;  ∂L/∂ŷ = 2(ŷ − y)/n.  Shapes must match."""
    pred = _t(pred)
    return MSELoss.apply(pred, pred._lift(target))


def binary_cross_entropy(pred: Any, target: Any) -> Tensor:
    """−mean(y·ln p + (1 − y)·ln(1 − p)), logs clamped at −100 as PyTorch;  p must be in [0, 1]."""
    pred = _t(pred)
    return BinaryCrossEntropy.apply(pred, pred._lift(target))


#: Activation functions by name (the names `nn.Layer(activation=...)` accepts).
ACTIVATIONS = {
    "sigmoid": sigmoid,
    "tanh": tanh,
    "relu": relu,
    "leaky_relu": leaky_relu,
    "elu": elu,
    "selu": selu,
}
