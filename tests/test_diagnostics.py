"""Tests for microgradx.diagnostics: per-layer measures against hand-computed values."""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest

import microgradx as mgx
from microgradx import diagnostics as d
from microgradx import nn


def test_dead_fraction_counts_units_never_positive():
    z = np.array([[-1.0, 2.0, 0.0, -3.0], [-2.0, -1.0, 0.0, 0.5]])
    assert d.dead_fraction(z) == 0.5  # units 0 and 2
    assert d.dead_fraction(mgx.Tensor(z)) == 0.5
    assert d.dead_fraction(np.array([-1.0, 1.0])) == 0.5  # one example


def test_dead_units_of_a_scalar_and_a_vector():
    assert d.dead_units(-1.0).tolist() == [True]
    assert d.dead_units(np.array([0.0, 1e-300, -2.0])).tolist() == [True, False, True]


def test_saturated_means_slope_below_a_tenth_of_its_peak():
    # hand-computed: tanh′ = 1 − a² < 0.1 ⇔ |a| > √0.9 = 0.948683…; σ′/¼ = 4a(1 − a) < 0.1 ⇔
    # a > (1 + √0.9)/2 = 0.974342… or a < 0.025658…
    assert d.SATURATION_LEVEL == 0.1
    tanh_bound, sig_bound = math.sqrt(0.9), (1 + math.sqrt(0.9)) / 2
    eps = 1e-7
    assert d.saturated([tanh_bound + eps, -tanh_bound - eps], "tanh").tolist() == [True, True]
    assert d.saturated([tanh_bound - eps, -tanh_bound + eps], "tanh").tolist() == [False, False]
    assert d.saturated([sig_bound + eps, 1 - sig_bound - eps], "sigmoid").tolist() == [True, True]
    assert d.saturated([sig_bound - eps, 1 - sig_bound + eps], "sigmoid").tolist() == [False, False]
    assert d.saturation_bounds("tanh") == pytest.approx((math.atanh(tanh_bound), tanh_bound))
    assert d.saturation_bounds("sigmoid") == pytest.approx((math.log(sig_bound / (1 - sig_bound)), sig_bound))


def test_saturated_fraction_on_outputs():
    assert d.saturated_fraction(np.array([0.0, 0.96, -0.99, 0.5]), "tanh") == 0.5
    assert d.saturated_fraction(mgx.Tensor([0.5, 0.02, 0.98]), "sigmoid") == 2 / 3
    assert d.saturated_fraction(np.tanh(np.array([0.0, 1.0, 2.0, -3.0, 30.0])), "tanh") == 3 / 5
    assert d.saturated_fraction(np.array([]), "tanh") == 0.0
    with pytest.raises(ValueError, match="'relu'"):
        d.saturated_fraction([0.5], "relu")


def test_relative_slope_is_the_derivative_over_its_peak():
    z = np.linspace(-6, 6, 13)
    s = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(d.relative_slope(s, "sigmoid"), s * (1 - s) / 0.25, rtol=1e-12)
    np.testing.assert_allclose(d.relative_slope(np.tanh(z), "tanh"), 1 / np.cosh(z) ** 2, rtol=1e-9)


def test_distinct_units():
    a = np.array([[0.5, 0.5, 0.1, 0.5], [0.2, 0.2, 0.3, 0.2 + 1e-13]])
    assert d.distinct_units(a) == 2
    assert d.distinct_units(np.eye(3)) == 3
    w = np.full((2, 5), 0.5)
    assert d.distinct_weight_columns(w, np.zeros(5)) == 1
    w[0, 3] = 0.7
    assert d.distinct_weight_columns(w) == 2


def test_histogram_ignores_non_finite():
    counts, edges = d.histogram([0.0, 1.0, np.inf, np.nan, 1.0], bins=2)
    assert counts.tolist() == [1, 2]
    assert edges.tolist() == [0.0, 0.5, 1.0]


def test_recorder_records_z_and_a_of_every_layer_and_restores_forward():
    net = nn.MLP(2, [4, 3, 1], activation="relu", rng=0)
    X = np.random.default_rng(1).normal(size=(10, 2))
    with d.Recorder(net) as rec:
        out = net(X)
    assert "forward" not in net.layers[0].__dict__  # hooks removed
    assert [r.name for r in rec] == ["layers.0", "layers.1", "layers.2"]
    # oracle: the forward pass redone in NumPy
    h = X
    for r, layer in zip(rec, net.layers, strict=True):
        z = h @ layer.weight.data + layer.bias.data
        np.testing.assert_allclose(r.z, z, rtol=1e-13)
        h = np.maximum(z, 0) if layer.activation is not None else z
        np.testing.assert_allclose(r.a, h, rtol=1e-13)
    np.testing.assert_allclose(out.data, h, rtol=1e-13)
    assert [r.activation for r in rec] == ["relu", "relu", None]


def test_recorder_works_with_sequential_and_no_grad():
    seq = nn.Sequential(nn.Layer(1, 3, rng=0), nn.Tanh(), nn.Layer(3, 1, rng=1))
    X = np.linspace(-1, 1, 5).reshape(-1, 1)
    with mgx.no_grad(), d.Recorder(seq) as rec:
        seq(X)
    assert [r.activation for r in rec] == [None, "tanh", None]
    np.testing.assert_allclose(rec[1].a, np.tanh(rec[1].z))


def test_stats_and_gradient_norms_against_numpy_backprop():
    # one hidden ReLU layer, a unit forced dead by a large negative bias
    net = nn.MLP(1, [3, 1], activation="relu", rng=0)
    net.layers[0].bias.data[:] = [0.0, -100.0, 0.0]
    X = np.linspace(-1, 1, 8).reshape(-1, 1)
    y = X**2
    with d.Recorder(net) as rec:
        loss = mgx.mse_loss(net(X), y)
    loss.backward()
    stats = rec.stats()
    assert stats[0].dead == pytest.approx(1 / 3)
    assert stats[1].dead is None
    assert stats[1].saturated is None
    # NumPy backprop as the oracle for ‖∂L/∂W‖
    W1, b1 = net.layers[0].weight.data, net.layers[0].bias.data
    W2, b2 = net.layers[1].weight.data, net.layers[1].bias.data
    z1 = X @ W1 + b1
    a1 = np.maximum(z1, 0)
    yhat = a1 @ W2 + b2
    g = 2 * (yhat - y) / y.size
    gW2 = a1.T @ g
    gW1 = X.T @ ((g @ W2.T) * (z1 > 0))
    assert stats[1].weight_grad_norm == pytest.approx(np.linalg.norm(gW2))
    assert stats[0].weight_grad_norm == pytest.approx(np.linalg.norm(gW1))
    assert stats[1].output_grad_norm == pytest.approx(np.linalg.norm(g))
    names = [n for n, _ in d.gradient_norms(net)]
    assert names == ["layers.0.weight", "layers.1.weight"]
    table = rec.table()
    assert "33.3%" in table
    assert "layers.0" in table


def test_from_tensors_and_symmetric_layer():
    z = mgx.Tensor(np.zeros((4, 6)))
    rec = d.Recording.from_tensors([("h", z, z.sigmoid(), "sigmoid")])
    s = rec.stats()[0]
    assert s.unit_std == 0.0
    assert s.distinct == 1
    assert s.mean == 0.5
    assert s.saturated == 0.0
    assert len(rec.histograms(bins=3)) == 1


def test_format_table_alignment():
    text = d.format_table(["a", "b"], [["x", "1.5"], ["yy", "10.25"]])
    lines = text.splitlines()
    assert lines[1] == "--  -----"
    assert lines[2] == "x     1.5"


def test_plots_written(tmp_path):
    pytest.importorskip("matplotlib")
    net = nn.MLP(1, [4, 4, 1], activation="tanh", rng=0)
    rec, _ = d.record(net, np.linspace(-1, 1, 9).reshape(-1, 1))
    p = d.plot_histograms(rec, tmp_path / "h.png", title="t")
    assert p.exists()
    assert p.stat().st_size > 1000
    q = d.plot_gradient_norms({"x": [1.0, 0.1, 0.0]}, tmp_path / "g.png")
    assert q.exists()


def test_plots_skipped_without_matplotlib(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    rec = d.Recording.from_tensors([("h", np.zeros((2, 2)), np.zeros((2, 2)), None)])
    assert d.plot_histograms(rec, tmp_path / "h.png") is None
    assert capsys.readouterr().out.strip() == d.PLOT_NOTICE
    assert not (tmp_path / "h.png").exists()


def _numpy_deltas(net, X, y):
    """δ_l = ∂L/∂z_l of every layer by backpropagation written out in NumPy (the oracle)."""
    hs, zs = [X], []
    for layer in net.layers:
        z = hs[-1] @ layer.weight.data + layer.bias.data
        zs.append(z)
        name = getattr(layer.activation, "name", None)
        hs.append({None: z, "tanh": np.tanh(z), "relu": np.maximum(z, 0)}[name])
    g = 2 * (hs[-1] - y) / y.size  # ∂L/∂ŷ of the mean squared error
    deltas = [None] * len(zs)
    for k in reversed(range(len(zs))):
        name = getattr(net.layers[k].activation, "name", None)
        slope = {None: 1.0, "tanh": 1 - np.tanh(zs[k]) ** 2, "relu": (zs[k] > 0) * 1.0}[name]
        deltas[k] = g * slope
        g = deltas[k] @ net.layers[k].weight.data.T
    return deltas, hs


@pytest.mark.parametrize("act", ["tanh", "relu"])
def test_backward_signal_delta_against_numpy_backprop(act):
    net = nn.MLP(3, [5, 4, 1], activation=act, rng=2)
    X = np.random.default_rng(3).normal(size=(7, 3))
    y = np.random.default_rng(4).normal(size=(7, 1))
    with d.Recorder(net) as rec:
        loss = mgx.mse_loss(net(X), y)
    assert all(r.delta is None for r in rec)  # no backward yet
    loss.backward()
    expected, hs = _numpy_deltas(net, X, y)
    for r, want in zip(rec, expected, strict=True):
        np.testing.assert_allclose(r.delta, want, rtol=1e-12, atol=1e-300)
    stats = rec.stats()
    for s, want, h in zip(stats, expected, hs[1:], strict=True):
        assert s.delta_mean_abs == pytest.approx(np.mean(np.abs(want)), rel=1e-12)
        assert s.delta_rms == pytest.approx(np.sqrt(np.mean(want**2)), rel=1e-12)
        assert s.unit_std == pytest.approx(np.mean(h.std(axis=0)), rel=1e-12)
    assert "mean|dL/dz|" in rec.table()


def test_backward_signal_leaves_prelu_slope_gradient_alone():
    act = nn.PReLU(init=0.25)
    z = np.array([[-2.0, 1.0], [3.0, -0.5]])
    act.weight.grad = np.array([7.0])
    delta = d.backward_signal(act, z, np.ones_like(z))
    np.testing.assert_array_equal(delta, [[0.25, 1.0], [1.0, 0.25]])
    assert act.weight.grad.tolist() == [7.0]
    np.testing.assert_array_equal(d.backward_signal(None, z, 2 * z), 2 * z)


def test_delta_size_and_unit_std():
    delta = np.array([[3.0, -4.0], [0.0, 0.0]])
    assert d.delta_size(delta) == 7 / 4
    assert d.delta_size(delta, "rms") == pytest.approx(math.sqrt(25 / 4))
    with pytest.raises(ValueError, match="'max'"):
        d.delta_size(delta, "max")
    # a unit that is constant over the examples carries no signal, however large its value
    a = np.array([[5.0, 1.0], [5.0, 3.0]])
    assert d.unit_std(a) == 0.5  # (0 + 1) / 2; the std of all four values would be 1.66
