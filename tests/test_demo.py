"""`microgradx.demo`: the chain rule of one weight, read off the real model, against central differences."""

from __future__ import annotations

import re

import numpy as np

import microgradx as mgx
from microgradx import data, nn
from microgradx.demo import chain_rule_of_one_weight


def test_chain_rule_of_one_weight_matches_central_differences():
    X, y = data.sine(n=40, noise=0.05, rng=1)
    net = nn.MLP(1, [5, 1], activation="tanh", rng=1)
    i, j = 7, 3
    trace, text = chain_rule_of_one_weight(net, X, y, i=i, j=j)
    assert [s.op for s in trace][:2] == ["mse_loss", "add"]
    assert all(p.grad is None or not np.any(p.grad) for p in net.parameters())  # grads left zeroed

    def loss_at(w: float) -> float:
        W = net.layers[0].weight
        old = W.data[0, j]
        W.data[0, j] = w
        with mgx.no_grad():
            value = float(((net(mgx.Tensor(X[i : i + 1])).data - y[i : i + 1]) ** 2).sum())
        W.data[0, j] = old
        return value

    w0, h = float(net.layers[0].weight.data[0, j]), 1e-6
    numeric = (loss_at(w0 + h) - loss_at(w0 - h)) / (2 * h)
    printed = [float(v) for v in re.findall(r"∂L/∂w = (-?\d+\.\d+)", text)]
    assert len(printed) == 2  # the product of the four factors, and backward()'s value
    for value in printed:
        assert abs(value - numeric) < 5e-5, (printed, numeric)
    assert f"W1[0, {j}]" in text and "layers." not in text  # the names the trace prints
    assert f"on example {i}" in text
