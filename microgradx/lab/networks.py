"""Small named networks of the notes, built with fixed numbers, for ``microgradx graph NAME``.

Each builder runs the forward pass and the loss, and returns a `Network`: the loss tensor (its
graph is what gets drawn), the module when there is one, the tensors a student would ask about
(by name), and a one-line description. Nothing is random: the same picture every time.

The 2-2-1 networks also list their two hidden units (``units``: the tensors of each unit, aligned
by role), so the picture and the trace can mark the gradients that come out equal ("same as
w11", `microgradx.viz.symmetry`) — ``221-zero`` and ``221-constant`` are the notes' symmetric
starts, where they all do; in ``221`` none does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import validation
from ..functional import mse_loss, relu, sigmoid
from ..nn import MLP
from ..tensor import Tensor

__all__ = ["NETWORKS", "Network", "build", "describe"]


@dataclass
class Network:
    loss: Tensor
    description: str
    model: Any = None
    tensors: dict[str, Tensor] = field(default_factory=dict)
    draw_options: dict[str, Any] = field(default_factory=dict)
    units: list[list[Tensor]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.units:  # the picture compares the units too (draw_graph's units=)
            self.draw_options.setdefault("units", self.units)


def _named(t: Tensor, name: str) -> Tensor:
    t.name = name
    return t


def neuron() -> Network:
    """a = σ(w1·x1 + w2·x2 + b), L = (a − y)²: the notes' first formula with two inputs."""
    T = Tensor
    x1, x2 = T(2.0, name="x1"), T(-1.0, name="x2")
    w1, w2 = T(0.5, requires_grad=True, name="w1"), T(-0.3, requires_grad=True, name="w2")
    b = T(0.1, requires_grad=True, name="b")
    y = T(1.0, name="y")
    z = _named(w1 * x1 + w2 * x2 + b, "z")
    a = _named(sigmoid(z), "a")
    loss = _named((a - y) ** 2, "L")
    return Network(
        loss,
        "a = σ(w1·x1 + w2·x2 + b), L = (a − y)²; w1 = 0.5, w2 = −0.3, b = 0.1, x = (2, −1), y = 1",
        tensors={"w1": w1, "w2": w2, "b": b},
    )


#: The 2-2-1 network's parameters, in the notes' names.
_PARAMETERS_221 = ("w11", "w21", "w12", "w22", "b11", "b12", "v1", "v2", "c")


def _two_two_one(
    weights: dict[str, float], activation: Callable[[Tensor], Tensor], description: str
) -> Network:
    """The notes' 2-2-1 regression network with scalars; ``weights`` gives every parameter.

    w_ij connects input i to hidden node j: z1j = w1j·x1 + w2j·x2 + b1j, a1j = g(z1j),
    ŷ = v1·a11 + v2·a12 + c, L = (ŷ − y)², with x = (0.5, −1), y = 1.
    """
    T = Tensor
    x1, x2 = T(0.5, name="x1"), T(-1.0, name="x2")
    p = {k: T(v, requires_grad=True, name=k) for k, v in weights.items()}
    y = T(1.0, name="y")
    z11 = _named(p["w11"] * x1 + p["w21"] * x2 + p["b11"], "z11")
    z12 = _named(p["w12"] * x1 + p["w22"] * x2 + p["b12"], "z12")
    a11, a12 = _named(activation(z11), "a11"), _named(activation(z12), "a12")
    y_hat = _named(p["v1"] * a11 + p["v2"] * a12 + p["c"], "ŷ")
    loss = _named((y_hat - y) ** 2, "L")
    units = [
        [p["w11"], p["w21"], p["b11"], z11, a11, p["v1"]],
        [p["w12"], p["w22"], p["b12"], z12, a12, p["v2"]],
    ]
    return Network(loss, description, tensors={**p, "x1": x1}, units=units)


def network_221() -> Network:
    """The notes' 2-2-1 regression network with scalars: w_ij connects input i to hidden node j."""
    return _two_two_one(
        {
            "w11": 0.4,
            "w21": -0.6,
            "w12": 0.3,
            "w22": 0.8,
            "b11": 0.1,
            "b12": -0.2,
            "v1": 0.7,
            "v2": -0.5,
            "c": 0.05,
        },
        sigmoid,
        "2-2-1 network: z1j = w1j·x1 + w2j·x2 + b1j, a1j = σ(z1j), ŷ = v1·a11 + v2·a12 + c, L = (ŷ − y)²",
    )


#: What the two symmetric starts of the 2-2-1 network show (their `Network.description`).
_ZERO_221 = (
    "2-2-1 network, all weights and biases 0: z11 = z12 = 0, a11 = a12 = σ(0) = 0.5, so both hidden "
    "units get the same gradients (here 0: v1 = v2 = 0) and never differ"
)
_CONSTANT_221 = (
    "2-2-1 network, all weights and biases 0.5: z11 = z12, a11 = a12, so w11 and w12 get the same "
    "nonzero gradient (and w21, w22): after every update the units are still equal"
)


def network_221_zero() -> Network:
    """The 2-2-1 network with every weight and bias 0 (the notes' zero initialisation, sigmoid)."""
    return _two_two_one(dict.fromkeys(_PARAMETERS_221, 0.0), sigmoid, _ZERO_221)


def network_221_constant() -> Network:
    """The 2-2-1 network with every weight and bias 0.5 (the notes' constant initialisation, ReLU)."""
    return _two_two_one(dict.fromkeys(_PARAMETERS_221, 0.5), relu, _CONSTANT_221)


def mlp() -> Network:
    """The same 2-2-1 shape as an ``nn.MLP`` on a batch of three samples (matrices)."""
    net = MLP(2, [2, 1], activation="sigmoid", rng=1)
    X = Tensor(np.array([[0.5, -1.0], [1.5, 2.0], [0.0, 1.0]]), name="X")
    y = Tensor(np.array([[1.0], [0.0], [1.0]]), name="y")
    loss = _named(mse_loss(net(X), y), "L")
    return Network(
        loss,
        "nn.MLP(2, [2, 1], activation='sigmoid') on a batch of 3, MSE loss",
        model=net,
        tensors={"layers.0.weight": net.layers[0].weight},
    )


def linear() -> Network:
    """Two layers without activation, A2 = w2(w1·A0 + b1) + b2: the notes' linear collapse."""
    T = Tensor
    a0 = T(1.5, name="A0")
    w1, b1 = T(0.8, requires_grad=True, name="w1"), T(0.2, requires_grad=True, name="b1")
    w2, b2 = T(-1.5, requires_grad=True, name="w2"), T(0.3, requires_grad=True, name="b2")
    a1 = _named(w1 * a0 + b1, "A1")
    a2 = _named(w2 * a1 + b2, "A2")
    y = T(0.0, name="y")
    loss = _named((a2 - y) ** 2, "L")
    return Network(
        loss, "A1 = w1·A0 + b1, A2 = w2·A1 + b2 (no activation), L = (A2 − y)²", tensors={"w1": w1, "w2": w2}
    )


def dead_relu() -> Network:
    """A ReLU unit with a large negative bias: z < 0, so a = 0 and every gradient into it is 0."""
    T = Tensor
    x1, x2 = T(1.0, name="x1"), T(2.0, name="x2")
    w1, w2 = T(0.5, requires_grad=True, name="w1"), T(0.3, requires_grad=True, name="w2")
    b = T(-5.0, requires_grad=True, name="b1")
    v = T(1.2, requires_grad=True, name="v")
    z = _named(w1 * x1 + w2 * x2 + b, "z1")
    a = _named(relu(z), "a1")
    y_hat = _named(v * a, "ŷ")
    loss = _named((y_hat - T(1.0, name="y")) ** 2, "L")
    return Network(
        loss,
        "a1 = max(0, w1·x1 + w2·x2 + b1) with b1 = −5: a dead ReLU, ∂L/∂w1 = ∂L/∂w2 = 0",
        tensors={"w1": w1, "w2": w2, "b1": b},
    )


def deep_sigmoid() -> Network:
    """A deep, narrow sigmoid MLP; the drawing shades tensors by |grad|: it fades toward the input."""
    net = MLP(2, [4, 4, 4, 4, 4, 1], activation="sigmoid", init="xavier_uniform", rng=3)
    X = Tensor(np.random.default_rng(0).normal(size=(8, 2)), name="X")
    y = Tensor(np.random.default_rng(1).normal(size=(8, 1)), name="y")
    loss = _named(mse_loss(net(X), y), "L")
    return Network(
        loss,
        "nn.MLP(2, [4]×5 + [1], sigmoid): vanishing gradients, shaded by |grad|",
        model=net,
        draw_options={"shade_grad": True, "show_data": False},
    )


def reuse() -> Network:
    """A tensor used twice, e = b + 3b with b = a + a: the order of the backward pass matters."""
    a = Tensor(1.0, requires_grad=True, name="a")
    b = _named(a + a, "b")
    d = _named(3 * b, "d")
    e = _named(b + d, "e")
    return Network(
        e,
        "a = 1, b = a + a, d = 3·b, e = b + d: ∂e/∂a = 8; b must wait for d's gradient before it passes "
        "its own on (microgradx step reuse --order naive shows what happens if it does not)",
        tensors={"a": a, "b": b},
    )


NETWORKS: dict[str, Callable[[], Network]] = {
    "neuron": neuron,
    "221": network_221,
    "221-zero": network_221_zero,
    "221-constant": network_221_constant,
    "mlp": mlp,
    "linear": linear,
    "dead-relu": dead_relu,
    "deep-sigmoid": deep_sigmoid,
    "reuse": reuse,
}


def build(name: str) -> Network:
    """Build the network ``name`` (forward pass and loss, no backward yet)."""
    return validation.choice(name, NETWORKS, "network")()


def describe() -> str:
    """One line per network: its name, then what it is."""
    width = max(len(n) for n in NETWORKS)
    lines = []
    for n, fn in NETWORKS.items():
        first = (fn.__doc__ or "").strip().splitlines()[0].replace("``", "")
        lines.append(f"{n.ljust(width)}  {first}")
    return "\n".join(lines)
