"""`tensor_names`: the one naming shared by the picture, the trace and `explain` (issue 10)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from graphs import neuron

import microgradx as mgx


def test_user_names_win_and_unnamed_ops_are_expressions():
    loss, t = neuron()
    names = mgx.tensor_names(loss)
    assert names[loss] == "L" and names[t["z"]] == "z" and names[t["a"]] == "a"
    assert sorted(names.values()) == sorted(["L", "a", "z", "w1", "x1", "b", "w1·x1", "2"])


def test_mlp_gets_the_notes_names():
    net = mgx.nn.MLP(2, [3, 1], activation="tanh", rng=0)
    out = net(mgx.Tensor([[1.0, 2.0]]))
    L = mgx.mse_loss(out, mgx.Tensor([[0.5]]))
    names = mgx.tensor_names(L, model=net)
    assert names[L] == "L" and names[out] == "ŷ"
    assert names[net.layers[0].weight] == "W1" and names[net.layers[1].bias] == "b2"
    assert sorted(names.values()) == ["L", "W1", "W2", "a1", "a1@W2", "b1", "b2", "x", "x@W1", "y", "z1", "ŷ"]
    # The same without model=: layers numbered in order of use.
    assert mgx.tensor_names(L) == names


def test_output_activation_gives_a_and_y_hat():
    net = mgx.nn.MLP(2, [2, 1], activation="relu", output_activation="sigmoid", rng=0)
    L = mgx.binary_cross_entropy(net(np.ones((4, 2))), np.ones((4, 1)))
    values = set(mgx.tensor_names(L, model=net).values())
    assert {"z1", "a1", "z2", "ŷ", "L", "y"} <= values


def test_names_are_unique_and_never_hash_ids():
    h1 = mgx.Tensor(1.0, requires_grad=True, name="h")
    h2 = mgx.Tensor(2.0, requires_grad=True, name="h")
    y = h1 * h2 + h1 * h2
    names = mgx.tensor_names(y)
    assert names[h1] == "h" and names[h2] == "h_2"
    assert len(set(names.values())) == len(names)
    net = mgx.nn.MLP(1, [2, 1], rng=0)
    twice = (net(np.ones((1, 1))) + net(np.zeros((1, 1)))).sum()
    names = mgx.tensor_names(twice, model=net)
    assert len(set(names.values())) == len(names)
    assert not any(re.fullmatch(r"#\d+", n) for n in names.values())


def test_root_must_be_a_tensor():
    with pytest.raises(TypeError, match="root must be a Tensor"):
        mgx.tensor_names([1.0])
