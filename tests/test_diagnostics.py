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


def test_saturation_thresholds_are_where_the_output_is_within_001_of_its_bound():
    t = d.SATURATION_THRESHOLDS["tanh"]
    s = d.SATURATION_THRESHOLDS["sigmoid"]
    assert math.tanh(t) == pytest.approx(0.99)
    assert 1 / (1 + math.exp(-s)) == pytest.approx(0.99)
    z = np.array([0.0, 2.0, 2.7, -2.7, 4.0, 5.0, -5.0, 100.0])
    assert d.saturated_fraction(z, "tanh") == 6 / 8
    assert d.saturated_fraction(z, "sigmoid") == 3 / 8
    assert d.saturated_fraction(z, "tanh", threshold=50) == 1 / 8
    with pytest.raises(ValueError, match="'relu'"):
        d.saturated_fraction(z, "relu")


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
    for r, layer in zip(rec, net.layers):
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
    assert stats[1].dead is None and stats[1].saturated is None
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
    assert "33.3%" in table and "layers.0" in table


def test_from_tensors_and_symmetric_layer():
    z = mgx.Tensor(np.zeros((4, 6)))
    rec = d.Recording.from_tensors([("h", z, z.sigmoid(), "sigmoid")])
    s = rec.stats()[0]
    assert s.distinct == 1 and s.mean == 0.5 and s.saturated == 0.0
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
    assert p.exists() and p.stat().st_size > 1000
    q = d.plot_gradient_norms({"x": [1.0, 0.1, 0.0]}, tmp_path / "g.png")
    assert q.exists()


def test_plots_skipped_without_matplotlib(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    rec = d.Recording.from_tensors([("h", np.zeros((2, 2)), np.zeros((2, 2)), None)])
    assert d.plot_histograms(rec, tmp_path / "h.png") is None
    assert capsys.readouterr().out.strip() == d.PLOT_NOTICE
    assert not (tmp_path / "h.png").exists()
