"""`trace_backward`: the backward pass recorded step by step. Upstream gradients and the
gradients passed on are checked against PyTorch (``retain_grad`` on every intermediate)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from graphs import neuron

import microgradx as mgx
from microgradx.formatting import matrix_lines
from microgradx.viz.trace import Step, Trace, trace_backward

torch_mark = pytest.mark.torch


def sigmoid(v):
    return 1.0 / (1.0 + math.exp(-v))


def test_neuron_steps_in_execution_order_with_hand_computed_numbers():
    loss, t = neuron()
    steps = trace_backward(loss)
    assert isinstance(steps, Trace) and all(isinstance(s, Step) for s in steps)
    assert [s.op for s in steps] == ["pow", "sigmoid", "add", "mul"]
    assert [s.name for s in steps] == ["L", "a", "z", "w1·x1"]
    assert steps[0].node is loss and steps[1].node is t["a"] and steps[2].node is t["z"]
    a = sigmoid(0.5)
    dL_da, dL_dz = 2 * a, 2 * a * a * (1 - a)
    assert [float(s.upstream) for s in steps] == pytest.approx([1.0, dL_da, dL_dz, dL_dz])
    assert steps[1].rule == "∂a/∂z = σ(z)(1−σ(z))"
    assert steps[2].rule == "∂z/∂(w1·x1) = 1; ∂z/∂b = 1"
    # mul passes only to w1: x1 needs no gradient.
    (p0, g0), (p1, g1) = steps[3].to_parents
    assert p0 is t["w1"] and float(g0) == pytest.approx(dL_dz * 2.0)
    assert p1 is t["x1"] and g1 is None
    assert steps[3].rule == "∂(w1·x1)/∂w1 = x1"
    assert t["w1"].grad == pytest.approx(dL_dz * 2.0) and t["x1"].grad is None


def test_printed_trace_is_a_table():
    loss, _ = neuron()
    steps = trace_backward(loss)
    text = str(steps)
    lines = text.splitlines()
    assert lines[0].split() == [
        "#",
        "op",
        "node",
        "upstream",
        "∂L/∂node",
        "local",
        "derivative",
        "passes",
        "to",
        "parent",
    ]
    assert lines[1].split()[:4] == ["1", "pow", "L", "1.0000"]
    assert "∂a/∂z = σ(z)(1−σ(z)) = 0.2350" in lines[2]
    assert lines[2].endswith("∂L/∂z = ∂L/∂a · ∂a/∂z = (1.2449)·(0.2350) = 0.2926")
    assert "∂z/∂b = 1" in lines[4] and "∂L/∂b = ∂L/∂z · ∂z/∂b = (0.2926)·(1.0000) = 0.2926" in lines[4]
    assert repr(steps) == text
    assert str(steps[1]) == (
        "sigmoid: a (upstream ∂L/∂a = 1.2449); ∂a/∂z = σ(z)(1−σ(z)) = 0.2350; "
        "∂L/∂z = ∂L/∂a · ∂a/∂z = (1.2449)·(0.2350) = 0.2926"
    )


@torch_mark
def test_upstream_and_passed_gradients_match_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    xv, wv, bv = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=(2,))
    tx = torch.tensor(xv, requires_grad=True)
    tw = torch.tensor(wv, requires_grad=True)
    tb = torch.tensor(bv, requires_grad=True)
    t_mm = tx @ tw
    t_z = t_mm + tb
    t_h = torch.tanh(t_z)
    t_loss = (t_h * t_h).mean()
    for t in (t_mm, t_z, t_h):
        t.retain_grad()
    t_loss.backward()

    x = mgx.Tensor(xv, requires_grad=True, name="x")
    w = mgx.Tensor(wv, requires_grad=True, name="W")
    b = mgx.Tensor(bv, requires_grad=True, name="b")
    h = (x @ w + b).tanh()
    h.name = "h"
    loss = (h * h).mean()
    steps = trace_backward(loss)
    assert [s.op for s in steps] == ["mean", "mul", "tanh", "add", "matmul"]
    by_op = {s.op: s for s in steps}
    np.testing.assert_allclose(by_op["tanh"].upstream, t_h.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(by_op["add"].upstream, t_z.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(by_op["matmul"].upstream, t_mm.grad.numpy(), rtol=1e-12)
    # add's bias gradient has been summed back over the broadcast (batch) axis.
    (_, g_mm), (bias, g_b) = by_op["add"].to_parents
    assert bias is b and g_b.shape == (2,)
    np.testing.assert_allclose(g_b, tb.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(g_mm, t_mm.grad.numpy(), rtol=1e-12)
    for ours, ref in [(x, tx), (w, tw), (b, tb)]:
        np.testing.assert_allclose(ours.grad, ref.grad.numpy(), rtol=1e-12)
    # mul uses h twice: two entries for the same parent, summed into h's upstream.
    (p0, g0), (p1, g1) = by_op["mul"].to_parents
    assert p0 is h and p1 is h
    np.testing.assert_allclose(g0 + g1, t_h.grad.numpy(), rtol=1e-12)
    text = str(steps)
    # Matrices up to 4×4 print row by row (the upstream 4×2, W's gradient 3×2).
    lines = text.splitlines()
    for row in matrix_lines(w.grad):
        assert any(line.rstrip().endswith(row) for line in lines), row
    assert any("∂(h·h)/∂h = h" in line for line in lines)  # the rule of mul
    assert any(line.rstrip().endswith("∂mean(h·h)/∂W = xᵀ @ ∂mean(h·h)/∂(x@W) =") for line in lines)


def test_same_effect_on_grad_as_backward_and_accumulates():
    def build():
        x = mgx.Tensor([[0.2, -0.4], [1.0, 0.5]], requires_grad=True)
        w = mgx.Tensor([[0.3], [-0.8]], requires_grad=True)
        z = x @ w
        out = (z.sigmoid() * z).sum()
        return out, [x, w, z]

    out1, ts1 = build()
    out2, ts2 = build()
    trace_backward(out1)
    out2.backward()
    for a, b in zip([*ts1, out1], [*ts2, out2], strict=True):
        np.testing.assert_array_equal(a.grad, b.grad)
    trace_backward(out1)  # gradients accumulate, as with backward
    out2.backward()
    for a, b in zip(ts1, ts2, strict=True):
        np.testing.assert_array_equal(a.grad, b.grad)


@torch_mark
def test_the_notes_2_2_1_network_against_pytorch():
    torch = pytest.importorskip("torch")
    nn = pytest.importorskip("microgradx.nn")
    net = nn.MLP(2, [2, 1], activation="sigmoid", rng=1)
    X = np.array([[0.5, -1.0], [1.5, 2.0], [0.0, 1.0]])
    Y = np.array([[1.0], [0.0], [1.0]])
    loss = mgx.mse_loss(net(mgx.Tensor(X, name="X")), mgx.Tensor(Y, name="y"))
    loss.name = "L"
    steps = trace_backward(loss, model=net)
    assert [s.op for s in steps] == ["mse_loss", "add", "matmul", "sigmoid", "add", "matmul"]
    text = str(steps)
    assert "∂L/∂W1 = Xᵀ @ ∂L/∂(X@W1) =" in text
    assert "∂L/∂b2 = Σ ∂L/∂ŷ ⊙ ∂ŷ/∂b2" in text
    assert "layers." not in text
    # The notes' names: the last layer's output is ŷ, layer 1's pre-activation z1, its output a1.
    assert [s.name for s in steps] == ["L", "ŷ", "a1@W2", "a1", "z1", "X@W1"]

    params = [torch.tensor(p.data, requires_grad=True) for p in net.parameters()]
    w0, b0, w1, b1 = params
    out = torch.sigmoid(torch.tensor(X) @ w0 + b0) @ w1 + b1
    torch.nn.functional.mse_loss(out, torch.tensor(Y)).backward()
    for ours, ref in zip(net.parameters(), params, strict=True):
        np.testing.assert_allclose(ours.grad, ref.grad.numpy(), rtol=1e-10)
    # The gradients each step passed to the parameters are their .grad (single use).
    passed = {id(p): g for s in steps for p, g in s.to_parents if g is not None}
    for ours in net.parameters():
        np.testing.assert_array_equal(passed[id(ours)], ours.grad)


def test_non_scalar_root_takes_a_gradient_like_backward():
    x = mgx.Tensor([1.0, 2.0, 3.0], requires_grad=True, name="x")
    y = x * x
    with pytest.raises(RuntimeError, match="gradient"):
        trace_backward(y)
    steps = trace_backward(y, gradient=np.array([1.0, 0.5, 0.0]))
    np.testing.assert_array_equal(steps[0].upstream, [1.0, 0.5, 0.0])
    np.testing.assert_allclose(x.grad, [2.0, 2.0, 0.0])  # 2x·g
    with pytest.raises(TypeError, match="Tensor"):
        trace_backward([1.0])


def test_leaf_root_gives_an_empty_trace():
    x = mgx.Tensor(2.0, requires_grad=True, name="x")
    steps = trace_backward(x)
    assert steps == [] and x.grad == 1.0
    assert "empty trace" in str(steps)


def test_deep_graph_trace():
    x = mgx.Tensor(0.5, requires_grad=True, name="x")
    y = x
    for _ in range(10_000):
        y = y * 1.0
    steps = trace_backward(y)
    assert len(steps) == 10_000 and x.grad == 1.0
    assert steps[-1].to_parents[0][0] is x


def test_recorded_arrays_do_not_change_when_gradients_accumulate_later():
    x = mgx.Tensor([1.0, 2.0], requires_grad=True, name="x")
    y = (x * 3.0).sum()
    steps = trace_backward(y)
    first = steps[-1].to_parents[0][1].copy()
    trace_backward(y)
    np.testing.assert_array_equal(steps[-1].to_parents[0][1], first)
    np.testing.assert_array_equal(x.grad, 2 * first)
