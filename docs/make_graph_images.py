"""Regenerate the computation-graph pictures and text traces of docs/graphs.md and
docs/backprop-by-hand.md.

Run from the repository root::

    python docs/make_graph_images.py            # writes docs/images/*.svg, prints the traces

Everything is deterministic (fixed values and seeds), so the committed SVGs only change when the
drawing code does. Rendering uses the system Graphviz ``dot`` when it is installed, else
``graphviz-pure`` (see microgradx/viz/render.py); the committed files say which in their first
lines.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

import microgradx as mgx
from microgradx import nn

IMAGES = Path(__file__).resolve().parent / "images"


def neuron():
    """The notes' single neuron: a = σ(w1·x1 + b), L = a²; w1 = 0.5, x1 = 2, b = −0.5."""
    w1 = mgx.Tensor(0.5, requires_grad=True, name="w1")
    x1 = mgx.Tensor(2.0, name="x1")
    b = mgx.Tensor(-0.5, requires_grad=True, name="b")
    z = w1 * x1 + b
    z.name = "z"
    a = mgx.sigmoid(z)
    a.name = "a"
    loss = a**2
    loss.name = "L"
    return loss, w1, b


def network_221_scalars():
    """The notes' 2-2-1 network written with scalars: w_ij connects input i to hidden node j."""
    T = mgx.Tensor
    x1, x2 = T(0.5, name="x1"), T(-1.0, name="x2")
    w11, w21 = T(0.4, requires_grad=True, name="w11"), T(-0.6, requires_grad=True, name="w21")
    w12, w22 = T(0.3, requires_grad=True, name="w12"), T(0.8, requires_grad=True, name="w22")
    b11, b12 = T(0.1, requires_grad=True, name="b11"), T(-0.2, requires_grad=True, name="b12")
    v1, v2 = T(0.7, requires_grad=True, name="v1"), T(-0.5, requires_grad=True, name="v2")
    c = T(0.05, requires_grad=True, name="c")
    y = T(1.0, name="y")
    z11 = w11 * x1 + w21 * x2 + b11
    z11.name = "z11"
    z12 = w12 * x1 + w22 * x2 + b12
    z12.name = "z12"
    a11, a12 = mgx.sigmoid(z11), mgx.sigmoid(z12)
    a11.name, a12.name = "a11", "a12"
    y_hat = v1 * a11 + v2 * a12 + c
    y_hat.name = "ŷ"
    loss = (y_hat - y) ** 2
    loss.name = "L"
    return loss, dict(w11=w11, x1=x1, v1=v1)


def network_221_tensors(constant=None):
    """The 2-2-1 network with matrices, on a batch of three samples: z1 = X@W1 + b1, a1 = σ(z1),
    ŷ = a1@W2 + b2, L = MSE(ŷ, y). W1[i, j] connects input i to hidden node j (the notes' w_ij).
    With ``constant``, every weight and bias starts at that value (the notes' "constant init")."""
    T = mgx.Tensor
    X = T(np.array([[0.5, -1.0], [1.5, 2.0], [0.0, 1.0]]), name="X")
    y = T(np.array([[1.0], [0.0], [1.0]]), name="y")

    def param(value, shape, name):
        data = np.full(shape, constant) if constant is not None else np.array(value)
        return T(data, requires_grad=True, name=name)

    W1 = param([[0.4, 0.3], [-0.6, 0.8]], (2, 2), "W1")
    b1 = param([0.1, -0.2], (2,), "b1")
    W2 = param([[0.7], [-0.5]], (2, 1), "W2")
    b2 = param([0.05], (1,), "b2")
    z1 = X @ W1 + b1
    z1.name = "z1"
    a1 = mgx.sigmoid(z1)
    a1.name = "a1"
    y_hat = a1 @ W2 + b2
    y_hat.name = "ŷ"
    loss = mgx.mse_loss(y_hat, y)
    loss.name = "L"
    return loss, dict(W1=W1, b1=b1, W2=W2, b2=b2)


def network_221_mlp():
    """The same shape as an nn.MLP on a batch of three samples."""
    net = nn.MLP(2, [2, 1], activation="sigmoid", rng=1)
    X = mgx.Tensor(np.array([[0.5, -1.0], [1.5, 2.0], [0.0, 1.0]]), name="X")
    y = mgx.Tensor(np.array([[1.0], [0.0], [1.0]]), name="y")
    loss = mgx.mse_loss(net(X), y)
    loss.name = "L"
    return net, loss


def deep_sigmoid_step():
    """A deep, narrow sigmoid MLP: the gradient fades layer by layer (vanishing gradients)."""
    net = nn.MLP(2, [4, 4, 4, 4, 4, 1], activation="sigmoid", init="xavier_uniform", rng=3)
    X = mgx.Tensor(np.random.default_rng(0).normal(size=(8, 2)), name="X")
    y = mgx.Tensor(np.random.default_rng(1).normal(size=(8, 1)), name="y")
    loss = mgx.mse_loss(net(X), y)
    loss.name = "L"
    loss.backward()
    return net, loss


def dead_relu_step():
    """A ReLU layer whose large negative bias kills every unit (the notes' dying ReLU)."""
    net = nn.MLP(2, [3, 1], activation="relu", rng=0)
    net.layers[0].bias.data[:] = -10.0
    X = mgx.Tensor(np.random.default_rng(0).normal(size=(5, 2)), name="X")
    y = mgx.Tensor(np.ones((5, 1)), name="y")
    loss = mgx.mse_loss(net(X), y)
    loss.name = "L"
    loss.backward()
    return net, loss


def texts() -> str:
    """Every trace and explanation the two pages quote, in page order (no pictures drawn).

    tests/test_notation.py checks that each ```text block of docs/graphs.md and
    docs/backprop-by-hand.md is made of lines of this output.
    """
    from microgradx.lab import networks

    out: list[str] = []

    def show(title: str, value: object) -> None:
        out.append(f"## {title}\n{value}\n")

    loss, w1, b = neuron()
    show("neuron: explain(L, w1, compact=True)", mgx.explain(loss, w1, compact=True))
    show("neuron: explain(L, w1)", mgx.explain(loss, w1))
    show("neuron: explain(L, b, compact=True)", mgx.explain(loss, b, compact=True))
    show("neuron: trace_backward(L)", mgx.trace_backward(loss))

    w_big = mgx.Tensor(5.0, requires_grad=True, name="w1")
    z = w_big * mgx.Tensor(2.0, name="x1") + mgx.Tensor(-0.5, requires_grad=True, name="b")
    z.name = "z"
    a = mgx.sigmoid(z)
    a.name = "a"
    big = a**2
    big.name = "L"
    show("neuron, w1 = 5: explain(L, w1, compact=True)", mgx.explain(big, w_big, compact=True))

    loss, t = network_221_scalars()
    show("2-2-1 scalars: explain(L, v1, compact=True)", mgx.explain(loss, t["v1"], compact=True))
    show("2-2-1 scalars: explain(L, w11, compact=True)", mgx.explain(loss, t["w11"], compact=True))
    show("2-2-1 scalars: explain(L, x1, compact=True)", mgx.explain(loss, t["x1"], compact=True))

    loss, _ = network_221_tensors()
    show("2-2-1 matrices: trace_backward(L)", mgx.trace_backward(loss))

    net = networks.build("221-constant")
    show("microgradx graph 221-constant", mgx.trace_backward(net.loss, units=net.units))
    loss, _ = network_221_tensors(constant=0.5)
    show("2-2-1 matrices, constant 0.5: trace_backward(L)", mgx.trace_backward(loss))

    net, loss = network_221_mlp()
    show("nn.MLP: trace_backward(L, model=net)", mgx.trace_backward(loss, model=net))
    return "\n".join(out)


def main() -> int:
    from microgradx.lab import networks

    IMAGES.mkdir(parents=True, exist_ok=True)
    written = []
    print(texts())

    loss, _, _ = neuron()
    loss.backward()
    written.append(mgx.render_graph(loss, IMAGES / "neuron.svg"))

    loss, _ = network_221_scalars()
    loss.backward()
    written.append(mgx.render_graph(loss, IMAGES / "network-221-scalars.svg"))

    loss, _ = network_221_tensors()
    loss.backward()
    written.append(mgx.render_graph(loss, IMAGES / "network-221-tensors.svg"))

    net = networks.build("221-constant")
    net.loss.backward()
    written.append(mgx.render_graph(net.loss, IMAGES / "network-221-constant.svg", **net.draw_options))

    net, loss = network_221_mlp()
    loss.backward()
    written.append(mgx.render_graph(loss, IMAGES / "network-221-mlp.svg", model=net))

    net, loss = deep_sigmoid_step()
    written.append(
        mgx.render_graph(loss, IMAGES / "vanishing-sigmoid.svg", model=net, shade_grad=True, show_data=False)
    )
    net, loss = dead_relu_step()
    written.append(mgx.render_graph(loss, IMAGES / "dead-relu.svg", model=net))

    for path in written:
        print("wrote", path.relative_to(IMAGES.parent.parent), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
