"""Activation modules (`Sigmoid`, `Tanh`, `ReLU`, `LeakyReLU`, `PReLU`, `ELU`, `SELU`, `Softmax`) and the name table.

Each module wraps one activation op of ``microgradx.activations`` (where the formulas and
derivatives live) so it can sit in a `Sequential` or be a `Layer`'s ``activation``. Only `PReLU`
has a parameter (its trainable negative slope). `ACTIVATIONS` maps the names ``Layer`` accepts
to the seven element-wise ones; `default_init` gives the initializer the notes recommend for each.
`Softmax` acts on a whole axis, not element by element, so it is not in that table: it turns a
classifier's logits into probabilities for reading, while training uses the logits directly
(`CrossEntropyLoss`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import validation
from ..tensor import Tensor, _as_tensor
from .module import Module, Parameter

__all__ = [
    "ACTIVATIONS",
    "DEFAULT_INIT",
    "ELU",
    "SELU",
    "LeakyReLU",
    "PReLU",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "default_init",
]


class Sigmoid(Module):
    """σ(z) = 1 / (1 + e⁻ᶻ), element-wise; σ'(z) = σ(z)(1 − σ(z)).

    Shape: any input shape; the output has the same shape.

    Examples:
        >>> Sigmoid()(0.0).item()
        0.5
    """

    name = "sigmoid"

    def forward(self, x: Any) -> Tensor:
        return _as_tensor(x).sigmoid()


class Tanh(Module):
    """tanh(z), element-wise; tanh'(z) = 1 − tanh²(z).

    Examples:
        >>> Tanh()(0.0).item()
        0.0
    """

    name = "tanh"

    def forward(self, x: Any) -> Tensor:
        return _as_tensor(x).tanh()


class ReLU(Module):
    """max(0, z), element-wise; derivative 1 for z > 0, 0 otherwise (0 at z = 0, as PyTorch).

    Examples:
        >>> ReLU()([-1.0, 2.0]).data.tolist()
        [0.0, 2.0]
    """

    name = "relu"

    def forward(self, x: Any) -> Tensor:
        return _as_tensor(x).relu()


class LeakyReLU(Module):
    """z for z > 0, ``negative_slope``·z otherwise (the notes' max(0.01z, z)).

    Args:
        negative_slope: the slope for z ≤ 0 (default 0.01).

    Examples:
        >>> LeakyReLU(0.1)([-1.0, 2.0]).data.tolist()
        [-0.1, 2.0]
    """

    name = "leaky_relu"

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = validation.real(negative_slope, "negative_slope", "LeakyReLU")

    def forward(self, x: Any) -> Tensor:
        return _as_tensor(x).leaky_relu(self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class PReLU(Module):
    """z for z > 0, a·z otherwise, with a *trainable* slope a (He et al. 2015).

    The notes: "Parametric ReLU is exactly same → Leaky relu", except that the 0.01 is learned.

    Args:
        num_parameters: 1 (one slope shared by all units, default) or the number of features
            (one slope per feature: axis 1 of the input, as PyTorch).
        init: the initial slope (default 0.25, as PyTorch).
        dtype: the slope's dtype, float64 (default) or float32.

    Attributes:
        weight: the slopes, a `Parameter` of shape ``(num_parameters,)``.

    Examples:
        >>> act = PReLU()
        >>> act([-2.0, 2.0]).data.tolist()
        [-0.5, 2.0]
    """

    name = "prelu"

    def __init__(self, num_parameters: int = 1, init: float = 0.25, dtype: Any = np.float64) -> None:
        super().__init__()
        self.num_parameters = validation.integer(num_parameters, "num_parameters", "PReLU", minimum=1)
        dt = validation.float_dtype(dtype, "PReLU")
        self.weight = Parameter([validation.real(init, "init", "PReLU")] * self.num_parameters, dtype=dt)

    def forward(self, x: Any) -> Tensor:
        return _as_tensor(x).prelu(self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class ELU(Module):
    """z for z > 0, α(eᶻ − 1) otherwise; derivative 1, or ELU(z) + α for z ≤ 0.

    Args:
        alpha: the value ELU approaches for z → −∞ is −alpha (default 1.0); α > 0, as Clevert
            et al. define it (α ≤ 0 would make ELU non-monotonic or flat for z < 0).

    Examples:
        >>> round(ELU()([-1.0]).item(), 4)
        -0.6321
    """

    name = "elu"

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = validation.real(alpha, "alpha", "ELU", positive=True)

    def forward(self, x: Any) -> Tensor:
        return _as_tensor(x).elu(self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class SELU(Module):
    """λ·z for z > 0, λα(eᶻ − 1) otherwise, λ ≈ 1.0507, α ≈ 1.6733 (self-normalizing).

    Pair it with ``lecun_normal`` weights (the `Layer` default for ``"selu"``).

    Examples:
        >>> round(SELU()([1.0]).item(), 4)
        1.0507
    """

    name = "selu"

    def forward(self, x: Any) -> Tensor:
        return _as_tensor(x).selu()


class Softmax(Module):
    """softmax(z)ᵢ = e^(zᵢ) / Σⱼ e^(zⱼ) along ``axis``: probabilities, positive and summing to 1.

    Jacobian ∂sᵢ/∂zⱼ = sᵢ(δᵢⱼ − sⱼ); chain rule ∂L/∂zⱼ = sⱼ·(∂L/∂sⱼ − Σᵢ ∂L/∂sᵢ·sᵢ). Computed
    stably, as e^(zᵢ − max z)/Σⱼ e^(zⱼ − max z) (`microgradx.activations.Softmax`). PyTorch's
    ``nn.Softmax(dim)``, with ``axis`` for ``dim`` and a default of the last axis.

    For training, do not put it in front of a loss: `CrossEntropyLoss` takes the logits and
    applies a log-softmax itself (exact, and its gradient is simply (s − one-hot)/N).

    Args:
        axis: the axis that holds the classes (default -1, the last); checked against the input
            when it is called.

    Shape: any input shape; the output has the same shape.

    Examples:
        >>> Softmax()([0.0, 0.0]).data.tolist()
        [0.5, 0.5]
    """

    name = "softmax"

    def __init__(self, axis: int = -1) -> None:
        super().__init__()
        self.axis = validation.integer(axis, "axis", "Softmax")

    def forward(self, x: Any) -> Tensor:
        return _as_tensor(x).softmax(self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


#: Activation names accepted by ``Layer(activation=...)`` and ``MLP``.
ACTIVATIONS: dict[str, type[Module]] = {
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "prelu": PReLU,
    "elu": ELU,
    "selu": SELU,
}

#: The notes' advice, by activation name (None = no activation, a linear layer).
DEFAULT_INIT: dict[str | None, str] = {
    "relu": "he_uniform",
    "leaky_relu": "he_uniform",
    "prelu": "he_uniform",
    "elu": "he_uniform",
    "sigmoid": "xavier_uniform",
    "tanh": "xavier_uniform",
    None: "xavier_uniform",
    "selu": "lecun_normal",
}


def default_init(activation: Any) -> str:
    """The initializer name ``Layer(init=None)`` uses for ``activation``.

    ``activation`` may be a name, None, one of the modules above (by its ``name``) or a
    function such as ``microgradx.relu`` (by its ``__name__``). Anything unknown is treated
    as linear: ``xavier_uniform``.

    Examples:
        >>> default_init("relu"), default_init("tanh"), default_init("selu"), default_init(None)
        ('he_uniform', 'xavier_uniform', 'lecun_normal', 'xavier_uniform')
    """
    if activation is None or isinstance(activation, str):
        key = activation
    else:
        key = getattr(activation, "name", None) or getattr(activation, "__name__", None)
    return DEFAULT_INIT.get(key, "xavier_uniform")
