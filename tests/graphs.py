"""Small graphs shared by the graph, explain and trace tests."""

import microgradx as mgx


def neuron(backward=False):
    """The notes' single neuron: a = σ(w1·x1 + b), L = a²; w1 = 0.5, x1 = 2, b = −0.5.

    Returns ``(L, {"w1", "x1", "b", "z", "a"})``; with ``backward=True`` L.backward() has run.
    """
    w1 = mgx.Tensor(0.5, requires_grad=True, name="w1")
    x1 = mgx.Tensor(2.0, name="x1")
    b = mgx.Tensor(-0.5, requires_grad=True, name="b")
    z = w1 * x1 + b
    z.name = "z"
    a = z.sigmoid()
    a.name = "a"
    loss = a**2
    loss.name = "L"
    if backward:
        loss.backward()
    return loss, dict(w1=w1, x1=x1, b=b, z=z, a=a)
