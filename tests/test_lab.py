"""Every lab experiment asserts the effect the notes claim (direction and rough size), from its
measured numbers, with small sizes. A regression in the engine shows up here as a failed claim.

The oracles are the mathematics of each claim (a collapsed linear map is checked against the
product of the weight matrices in NumPy; Var(y) and the least-squares line are computed
independently), not the lab's own printout.
"""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest

from microgradx import lab
from microgradx.formatting import fmt, pct
from microgradx.lab.core import best_line_mse, sine_data

Q = {"verbose": False}


def test_registry_lists_every_claim_of_the_issue():
    required = {
        "linear-collapse",
        "sigmoid-vanishing",
        "zero-centred",
        "dying-relu",
        "leaky-fix",
        "zero-init",
        "constant-init",
        "small-init",
        "large-init",
        "xavier-vs-he",
        "selu-self-normalizing",
    }
    assert required <= set(lab.names())
    lines = lab.describe().splitlines()
    assert [ln.split()[0] for ln in lines] == lab.names()
    with pytest.raises(ValueError, match="'nope'"):
        lab.get("nope")


def test_reference_numbers_of_the_sine_data():
    X, y = sine_data(128, 0)
    assert float(y.var()) == pytest.approx(0.45, abs=0.02)
    # least squares line of sin(πx) on [-1, 1]: residual 1/2 − 3/π² ≈ 0.196
    assert best_line_mse(X, y) == pytest.approx(0.5 - 3 / math.pi**2, abs=0.02)


def test_linear_collapse():
    r = lab.linear_collapse(depth=3, width=8, n=64, epochs=150, **Q)
    assert r["max_abs_diff_init"] < 1e-12 and r["max_abs_diff_trained"] < 1e-12
    # trained, the linear net is no better than the best line, and tanh beats both clearly
    assert r["mse_linear_net"] >= r["mse_best_line"] - 1e-9
    assert r["mse_linear_net"] < r["mse_best_line"] * 1.05
    assert r["mse_tanh_net"] < 0.5 * r["mse_best_line"]
    assert "one map" in r.conclusion and fmt(r["mse_best_line"]) in r.conclusion


def test_sigmoid_vanishing():
    r = lab.sigmoid_vanishing(depth=6, width=16, n=64, **Q)
    assert r["ratio_sigmoid"] < 1e-2  # layer 1 gets < 1% of layer 6's gradient
    assert r["ratio_tanh"] > 20 * r["ratio_sigmoid"]
    assert r["ratio_relu"] > 20 * r["ratio_sigmoid"]
    assert r["max_sigmoid_derivative"] <= 0.25
    assert 0.3 < r["last_mean_sigmoid"] < 0.7  # outputs do not go to 0 (erratum)
    assert r.errata


def test_zero_centred():
    r = lab.zero_centred(n=24, epochs=120, checkpoints=3, **Q)
    assert r["same_sign_per_example_sigmoid"] == 1.0  # the notes' claim, per example: exactly
    assert r["same_sign_per_example_tanh"] < 0.05
    assert r["mean_activation_sigmoid"] > 0.3 and abs(r["mean_activation_tanh"]) < 0.15
    assert r["same_sign_batch_sigmoid"] < 1.0  # not for the batch gradient (erratum)
    assert r["mse_tanh"] < r["mse_sigmoid"]


def test_dying_relu():
    r = lab.dying_relu(n=64, width=16, epochs=60, bias_epochs=100, **Q)
    assert r["dead_high_lr"] == 1.0
    assert r["mse_high_lr"] == pytest.approx(r["var_y"], rel=0.01)  # a constant predictor
    assert r["dead_low_lr"] < 0.3
    assert r["dead_negative_bias_init"] == 1.0 and r["dead_negative_bias_after"] == 1.0
    assert r["dead_weight_change"] == 0.0
    assert r["dead_positive_bias_init"] < 0.5
    assert "100% / 100%" in r.conclusion


def test_leaky_fix():
    r = lab.leaky_fix(n=64, width=16, epochs=400, high_epochs=60, **Q)
    assert r["zero_grad_relu"] == 1.0
    assert r["zero_grad_leaky_relu"] == 0.0 and r["zero_grad_elu"] == 0.0
    assert r["weight_change_relu"] == 0.0 and r["weight_change_leaky_relu"] > 0.05
    assert r["mse_relu"] == pytest.approx(r["var_y"], rel=0.02)
    assert r["mse_leaky_relu"] < 0.75 * r["mse_relu"]
    assert r["mse_elu"] < r["mse_leaky_relu"]
    assert r["high_lr_leaky_diverged_at"] is not None
    assert f"relu {pct(1.0)}" in r.conclusion


def test_selu_self_normalizing():
    r = lab.selu_self_normalizing(depth=12, width=32, n=128, **Q)
    for s in (0.3, 1.0, 3.0):
        assert r[f"std_last_selu_lecun_normal_{s:g}"] == pytest.approx(1.0, abs=0.2)
        assert abs(r[f"mean_last_selu_lecun_normal_{s:g}"]) < 0.2
        assert r[f"std_last_selu_he_normal_{s:g}"] > 1.8
    # ReLU + He keeps the input's scale instead of normalizing it
    assert r["std_last_relu_he_normal_3"] > 5 * r["std_last_relu_he_normal_0.3"]


@pytest.mark.parametrize("fn", [lab.zero_init, lab.constant_init])
def test_symmetric_init_keeps_units_identical(fn):
    r = fn(n=64, hidden=4, epochs=300, **Q)
    for act in ("relu", "tanh", "sigmoid"):
        assert r[f"{act}_distinct"] == 1
        assert r[f"{act}_mse_random"] < r[f"{act}_mse"]


def test_zero_init_trains_only_the_output_bias_for_relu_and_tanh():
    r = lab.zero_init(n=64, hidden=4, epochs=300, **Q)
    assert r["relu_tanh_only_output_bias"] is True
    for act in ("relu", "tanh"):
        assert r[f"{act}_mse"] == pytest.approx(r["var_y"], rel=1e-3)
    # sigmoid: every parameter trains, and one sigmoid unit is not a linear model
    assert all(v > 0 for v in r["sigmoid_changed"].values())


@pytest.mark.slow
def test_zero_init_sigmoid_beats_a_straight_line():
    r = lab.zero_init(n=128, hidden=4, epochs=1500, **Q)
    assert r["sigmoid_mse"] < 0.8 * r["mse_best_line"]


def test_small_init():
    r = lab.small_init(depth=5, width=32, n=64, train_depth=3, train_width=16, epochs=80, **Q)
    for act in ("relu", "tanh"):
        assert r[f"std_last_{act}_small"] < 1e-5 * r[f"std_first_{act}_small"]
        assert r[f"grad_first_{act}_small"] < 1e-4 * r[f"grad_first_{act}_default"]
    assert r["grad_first_sigmoid_small"] < 1e-6 * r["grad_first_sigmoid_default"]
    assert r["relu_over_tanh_last_std_small"] < 1  # the erratum: ReLU vanishes faster
    assert r["train_loss_end_small"] > 0.9 * r["train_loss_start_small"]  # hardly trains
    assert r["train_loss_end_default"] < 0.5 * r["train_loss_start_default"]


def test_large_init():
    r = lab.large_init(depth=4, width=32, n=64, **Q)
    assert r["z_std_first_tanh_large"] == pytest.approx(math.sqrt(32), rel=0.2)
    assert r["saturated_mean_tanh_large"] > 0.5
    assert r["saturated_mean_sigmoid_large"] > 0.25
    assert r["saturated_mean_tanh_default"] < 0.05
    assert r["std_last_relu_large"] > 100 * r["std_last_relu_default"]
    assert r["tanh_large_near_minus1"] > 0.2 and r["tanh_large_near_plus1"] > 0.2


def test_xavier_vs_he():
    r = lab.xavier_vs_he(depth=8, width=32, n=64, train_depth=8, train_width=16, epochs=150, **Q)
    theory = 0.5 ** ((8 - 1) / 2)  # ReLU + Xavier (= 1/fan_in): std × 0.71 per layer
    assert r["std_ratio_relu_xavier"] < 3 * theory
    assert r["std_ratio_relu_he"] > 5 * r["std_ratio_relu_xavier"]
    assert r["std_ratio_tanh_he"] > r["std_ratio_tanh_xavier"]
    assert r["train_mse_relu_he"] < r["train_mse_relu_xavier"]


def test_result_prints_table_conclusion_and_errata(capsys):
    r = lab.run("linear-collapse", depth=2, width=4, n=16, epochs=5)
    out = capsys.readouterr().out
    assert out.startswith("lab linear-collapse: no activation")
    assert "conclusion: " in out and r.conclusion in out
    assert r.table() in out


@pytest.mark.slow
def test_plots_written(tmp_path):
    pytest.importorskip("matplotlib")
    r = lab.dying_relu(tmp_path, n=32, width=8, epochs=20, bias_epochs=10, **Q)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["dying-relu-loss.png", "dying-relu-z-after-high-lr.png"]
    assert r.files and all(p.stat().st_size > 1000 for p in r.files)


def test_without_matplotlib_prints_one_notice_and_writes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    r = lab.large_init(tmp_path / "plots", depth=2, width=8, n=16, verbose=False)
    out = capsys.readouterr().out
    assert out.count("matplotlib is not installed") == 1
    assert r.files == [] and not (tmp_path / "plots").exists()
    assert r["saturated_mean_tanh_large"] > 0


def test_results_are_reproducible():
    a = lab.linear_collapse(depth=2, width=4, n=16, epochs=5, **Q)
    b = lab.linear_collapse(depth=2, width=4, n=16, epochs=5, **Q)
    assert a.numbers == b.numbers
    assert np.isfinite(a["mse_linear_net"])
