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
    assert len(r["seeds"]) >= 5
    d = r["delta_ratio"]
    assert set(d) == {"sigmoid", "tanh", "relu"}
    assert d["sigmoid"] < 1e-2  # theory: σ′ ≤ 1/4 per layer, δ falls geometrically toward the input
    assert d["tanh"] > 20 * d["sigmoid"] and d["relu"] > 20 * d["sigmoid"]
    assert r["max_sigmoid_derivative"] <= 0.25
    assert 0.3 < r["last_mean_sigmoid"] < 0.7  # outputs do not go to 0 (erratum)
    assert r["ratio_sigmoid"] < 1e-2  # ‖∂L/∂W‖ ratio, reported beside δ
    assert "sigmoid: δ vanishes toward the input" in r.conclusion and "‖∂L/∂W" in r.note
    assert r.errata


def test_zero_centred():
    r = lab.zero_centred(n=24, epochs=120, checkpoints=3, **Q)
    assert len(r["seeds"]) >= 5
    assert r["same_sign_per_example_sigmoid"] == 1.0  # the notes' claim, per example: exactly
    assert r["same_sign_per_example_tanh"] < 0.05
    assert r["same_sign_per_example_centred"] < 0.05  # the control: zero-centred, mixed signs
    assert r["mean_activation_sigmoid"] > 0.3 and abs(r["mean_activation_tanh"]) < 0.15
    assert abs(r["mean_activation_centred"]) < 0.15
    assert r["same_sign_batch_sigmoid"] < 1.0  # not for the batch gradient (erratum)
    assert set(r["mse"]) == {"sigmoid", "tanh", "centred", "sigmoid_4lr"}
    assert r["mse_tanh"] < r["mse_sigmoid"]
    for key, (lo, hi) in r["mse_range"].items():
        assert lo <= r["mse"][key] <= hi


def test_dying_relu():
    r = lab.dying_relu(n=64, width=16, epochs=60, **Q)
    k = len(r["seeds"])
    assert k >= 5
    # lr 0.5: every seed either diverges (fit stops) or ends with every unit dead
    assert r["diverged_high_lr"] + sum(e is not None for e in r["all_dead_at_high_lr"]) >= k
    assert r["high_lr_diverged_before_dead"] >= 1
    assert all(e is None or e < 10 for e in r["diverged_at_high_lr"])
    assert r["dead_high_lr"] > 0.5 and r["dead_low_lr"] < 0.3
    assert r["diverged_low_lr"] == 0
    assert r["dead_negative_bias_init"] == 1.0 and r["dead_negative_bias"] == 1.0
    assert r["dead_weight_change"] == 0.0
    assert r["dead_positive_bias_init"] < 0.5
    # the remedy under identical training changes nothing, and does not save lr 0.5
    assert r["bias_remedy_changes_dead"] is False
    assert r["bias_remedy_prevents_high_lr_failure"] is False
    assert r["diverged_positive_bias_high_lr"] >= 1
    assert "the loss diverged before every unit was dead" in r.conclusion
    assert "no difference" in r.conclusion and "does not prevent" in r.conclusion
    assert any("small positive initial bias" in e for e in r.errata)
    # the engine's own diagnosis of the dead units' weights (issue 10 item 4), printed
    assert r["why_verdict"] == "blocked-by-relu"
    assert r.diagnosis.startswith(f"in the bias -3 run (seed {r['seeds'][0]}), `microgradx.why`")
    assert "every path from W1 to L runs through a ReLU whose input is ≤ 0" in r.diagnosis
    assert "∂L/∂W1 = 0 in all 16 entries, exactly" in r.diagnosis
    assert f"\nwhy: {r.diagnosis}\n" in str(r)


def test_dying_relu_why_is_the_engines_verdict_not_a_label():
    """`_why_dead` asks `mgx.why` about the net's real gradient: a layer wrongly reported dead
    gets the engine's "ok", a truly dead one "blocked-by-relu" citing its z; no dead layer, None."""
    from microgradx.lab import relu_experiments

    X, y = sine_data(32, 0)
    alive = relu_experiments._dead_run(X, y, width=8, lr=0.05, epochs=5, bias=0.0, seed=0)
    dead = relu_experiments._dead_run(X, y, width=8, lr=0.05, epochs=5, bias=-3.0, seed=0)
    assert dead["dead_layers"][0] == 1.0 and max(alive["dead_layers"]) < 1.0
    assert relu_experiments._why_dead([("alive", alive)], X, y) is None
    d, label = relu_experiments._why_dead([("alive", alive), ("dead", dead)], X, y)
    assert label == "dead" and d.verdict == "blocked-by-relu" and d.wrt is dead["net"].layers[0].weight
    assert any(e.name == "a1" for e in d.evidence)
    assert all(p.grad is None for p in dead["net"].parameters())  # left as zero_grad() leaves them
    lying = {**alive, "dead_layers": [1.0, 1.0]}
    d, _ = relu_experiments._why_dead([("lying", lying)], X, y)
    assert d.verdict == "ok"


def test_dying_relu_bias_remedy_is_trained_exactly_as_its_baseline(monkeypatch):
    """With the bias setting disabled, the bias-0.01 run must equal the bias-0 baseline number for
    number: the only difference between the two runs is the initial bias."""
    from microgradx.lab import relu_experiments

    monkeypatch.setattr(relu_experiments, "_with_bias", lambda net, bias: net)
    r = lab.dying_relu(n=32, width=8, epochs=20, **Q)
    assert r["mse_positive_bias"] == r["mse_low_lr"]
    assert r["dead_positive_bias"] == r["dead_low_lr"]
    assert r["diverged_at_positive_bias_high_lr"] == r["diverged_at_high_lr"]


def test_dying_relu_conclusion_follows_the_numbers(monkeypatch):
    """Flip one input (the bias-0.01 runs' dead fraction and divergence) and the verdict flips."""
    from microgradx.lab import relu_experiments

    real = relu_experiments._dead_run

    def fake(X, y, *, bias, lr, **kw):
        out = real(X, y, bias=bias, lr=lr, **kw)
        if bias == 0.01:
            out = {**out, "dead": 0.0, "diverged_at": None}
        return out

    monkeypatch.setattr(relu_experiments, "_dead_run", fake)
    r = lab.dying_relu(n=32, width=8, epochs=20, **Q)
    assert r["bias_remedy_changes_dead"] is True and r["bias_remedy_prevents_high_lr_failure"] is True
    assert "a difference" in r.conclusion and "it prevents" in r.conclusion
    assert not any("small positive initial bias" in e for e in r.errata)


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


def test_leaky_fix_over_seeds_and_a_flipped_input_flips_the_conclusion():
    kw = {"n": 64, "width": 32, "epochs": 150, "high_epochs": 30, "seed": 3}
    r = lab.leaky_fix(**kw, **Q)
    assert r["seeds"] == [3, 4, 5, 6, 7]
    for key in ("zero_grad_relu", "negative_after_leaky_relu", "mse_relu", "mse_leaky_relu", "mse_elu"):
        lo, hi = r[f"{key}_range"]
        assert lo <= r[key] <= hi
    assert r["mse_relu_over_var_y"] == pytest.approx(1.0, rel=0.02)  # per seed, stuck at Var(y)
    assert "stuck at Var(y)" in r.conclusion and "[" in r.table() and "–" in r.conclusion
    assert r["high_lr_leaky_diverged_seeds"] == 5 and len(r.errata) == 2
    # units alive from the start (bias +0.5) and a learning rate that does not diverge
    flipped = lab.leaky_fix(**{**kw, "bias": 0.5, "high_lr": 0.01}, **Q)
    assert "it trains" in flipped.conclusion and flipped["mse_relu_over_var_y"] < 0.98
    assert flipped["high_lr_leaky_diverged_seeds"] == 0 and len(flipped.errata) == 1
    with pytest.raises(ValueError, match="seeds"):
        lab.leaky_fix(**kw, seeds=0, **Q)


def test_selu_over_seeds():
    r = lab.selu_self_normalizing(depth=6, width=16, n=32, seed=2, **Q)
    assert r["seeds"] == [2, 3, 4, 5, 6]
    for s in (0.3, 1.0, 3.0):
        key = f"std_last_selu_lecun_normal_{s:g}"
        lo, hi = r[f"{key}_range"]
        assert lo <= r[key] <= hi and lo < hi  # the std after the last layer depends on the seed
        assert f"{fmt(r[key])} [{fmt(lo)}–{fmt(hi)}]" in r.conclusion
    assert "[" in r.table() and "–" in r.table()
    with pytest.raises(ValueError, match="seeds"):
        lab.selu_self_normalizing(depth=6, width=16, n=32, seeds=0, **Q)


@pytest.mark.parametrize("fn", [lab.zero_init, lab.constant_init])
def test_symmetric_init_over_seeds(fn):
    r = fn(n=32, hidden=4, epochs=60, seed=1, **Q)
    assert r["seeds"] == [1, 2, 3, 4, 5]
    for act in ("relu", "tanh", "sigmoid"):
        for key in (f"{act}_mse", f"{act}_mse_random"):
            lo, hi = r[f"{key}_range"]
            assert lo <= r[key] <= hi
        assert r[f"{act}_changed_same_every_seed"] is True  # an identity: no range needed
    assert "median [min–max]" in r.table() and "identities" in r.note
    assert "[" in r.conclusion and "–" in r.conclusion


def test_zero_init_sigmoid_verdict_follows_its_numbers():
    """Trained long, one sigmoid unit beats the line; after 3 epochs it does not: the sign flips."""
    short = lab.zero_init(n=32, hidden=4, epochs=3, **Q)
    assert short["sigmoid_mse"] >= short["mse_best_line"]
    assert "≥ the best straight line's" in short.conclusion


def test_linear_collapse_is_an_identity_on_every_seed():
    """The reason linear-collapse reports one seed: its note says the collapse holds on any seed."""
    for s in (0, 1, 2):
        r = lab.linear_collapse(depth=3, width=8, n=32, epochs=60, seed=s, **Q)
        assert r["max_abs_diff_trained"] < 1e-12
        assert r["mse_linear_net"] >= r["mse_best_line"] - 1e-9
    assert "identity" in r.note and "no seed range" in r.note


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
    assert len(r["seeds"]) >= 5
    for act in ("relu", "tanh"):
        assert r[f"std_last_{act}_small"] < 1e-5 * r[f"std_first_{act}_small"]
        assert r[f"grad_first_{act}_small"] < 1e-4 * r[f"grad_first_{act}_default"]
        assert r["delta_ratio"][act] < 1e-4  # δ vanishes toward the input too
    assert r["grad_first_sigmoid_small"] < 1e-6 * r["grad_first_sigmoid_default"]
    assert r["relu_over_tanh_last_std_small"] < 1  # the erratum: ReLU vanishes faster
    assert r["train_loss_end_small"] > 0.9 * r["train_loss_start_small"]  # hardly trains
    assert r["train_loss_end_default"] < 0.5 * r["train_loss_start_default"]


def test_large_init():
    r = lab.large_init(depth=4, width=32, n=64, **Q)
    assert len(r["seeds"]) >= 5
    assert r["z_std_first_tanh_large"] == pytest.approx(math.sqrt(32), rel=0.2)
    assert r["saturated_mean_tanh_large"] > 0.5
    assert r["saturated_mean_sigmoid_large"] > 0.25
    assert r["saturated_mean_tanh_default"] < 0.05
    assert r["std_last_relu_large"] > 100 * r["std_last_relu_default"]
    assert r["tanh_large_near_minus1"] > 0.2 and r["tanh_large_near_plus1"] > 0.2
    assert set(r["delta_ratio"]) >= {"tanh", "sigmoid"}
    # theory as oracle: N(0, 1) weights multiply δ by ≈ √fan_out = 5.7 per layer, more than
    # saturated tanh′ takes away, so δ grows toward the input; gradients are large, not flat
    assert r["delta_ratio"]["tanh"] > 1
    assert r["grad_first_gain"]["tanh"] > 10 and r["grad_first_gain"]["sigmoid"] > 10
    assert "tanh: δ grows toward the input" in r.conclusion and "not flat" in r.conclusion
    assert any("'vanishing gradient / slow training'" in e for e in r.errata)


def test_large_init_conclusion_follows_the_numbers(monkeypatch):
    """Shrink the first layer's δ of N(0, 1) tanh by 10⁴ and the conclusion must say δ shrinks,
    and the erratum against 'vanishing gradient' must go."""
    from microgradx.lab import core

    real = core.probe_flow

    def fake(act, init, **kw):
        pr = real(act, init, **kw)
        if act == "tanh" and init == "random_large":
            for run in pr.stats:
                run[0].delta_rms *= 1e-4
        return pr

    monkeypatch.setattr(core, "probe_flow", fake)
    r = lab.large_init(depth=3, width=16, n=32, **Q)
    assert r["delta_ratio"]["tanh"] < 1
    assert "tanh: δ shrinks toward the input" in r.conclusion
    assert not any("'vanishing gradient / slow training'" in e for e in r.errata)


XVH = {"depth": 10, "width": 32, "n": 64, "train_depth": 3, "train_width": 8, "epochs": 20}


def test_xavier_vs_he_theory_as_oracle():
    """He et al. 2015: through 10 ReLU layers δ keeps its size with He (ratio within [0.5, 2]) and
    loses √½ per layer with Xavier (0.71⁹ ≈ 0.045: below 0.2)."""
    r = lab.xavier_vs_he(**XVH, **Q)
    assert len(r["seeds"]) >= 5
    d = r["delta_ratio"]
    assert set(d) == {"relu+he_normal", "relu+xavier_normal", "tanh+xavier_normal", "tanh+he_normal"}
    assert 0.5 <= d["relu+he_normal"] <= 2
    assert d["relu+xavier_normal"] < 0.2
    assert r["theory_relu_xavier"] == pytest.approx(0.5**4.5)
    assert d["tanh+he_normal"] > d["tanh+xavier_normal"]
    for key, (lo, hi) in r["delta_ratio_range"].items():
        assert lo <= d[key] <= hi
    assert r["std_ratio_relu_he"] > 5 * r["std_ratio_relu_xavier"]
    assert "He keeps ReLU's backward signal, Xavier loses it" in r.conclusion


def test_xavier_vs_he_conclusion_follows_the_numbers(monkeypatch):
    """Give 'He' Xavier's weights and the verdict must stop crediting He."""
    from microgradx.lab import core

    real = core.probe_flow

    def fake(act, init, **kw):
        return real(act, "xavier_normal" if init == "he_normal" else init, **kw)

    monkeypatch.setattr(core, "probe_flow", fake)
    r = lab.xavier_vs_he(**XVH, **Q)
    assert r["delta_ratio"]["relu+he_normal"] < 0.2
    assert "He does not keep ReLU's backward signal here" in r.conclusion


def test_sigmoid_vanishing_conclusion_follows_the_numbers(monkeypatch):
    from microgradx.lab import core

    real = core.probe_flow

    def fake(act, init, **kw):
        return real("relu" if act == "sigmoid" else act, init, **kw)

    monkeypatch.setattr(core, "probe_flow", fake)
    r = lab.sigmoid_vanishing(depth=4, width=16, n=32, **Q)
    assert "sigmoid: δ vanishes" not in r.conclusion


def test_zero_centred_conclusion_follows_the_numbers(monkeypatch):
    """Replace the σ(z) − ½ control by tanh: now zero-centring 'helps', and the computed verdict
    and errata must say so."""
    from microgradx import functional as F
    from microgradx.lab import activation_experiments

    r = lab.zero_centred(n=24, epochs=120, checkpoints=2, **Q)
    monkeypatch.setattr(activation_experiments, "centred_sigmoid", F.tanh)
    flipped = lab.zero_centred(n=24, epochs=120, checkpoints=2, **Q)
    assert flipped["centring_effect"] < 0.8 <= r["centring_effect"]
    assert "zero-centring" in flipped.conclusion and flipped.conclusion != r.conclusion
    assert len(flipped.errata) < len(r.errata)


def test_gradient_flow_matches_backprop_written_in_numpy():
    """Oracle for the δ the lab reports: the chain rule δ_l = relu′(z_l) ⊙ (δ_{l+1} W_{l+1}ᵀ),
    from ∂L/∂ŷ = 2(ŷ − y)/n, written out in NumPy (not the engine)."""
    from microgradx import nn
    from microgradx.lab.core import gaussian_data, gradient_flow

    X, y = gaussian_data(16, 4, 3)
    net = nn.MLP(4, [5, 5, 1], activation="relu", rng=3)
    stats, _ = gradient_flow(net, X, y)
    Ws = [layer.weight.data for layer in net.layers]
    bs = [layer.bias.data for layer in net.layers]
    a, zs, acts = X, [], [X]
    for i, (W, b) in enumerate(zip(Ws, bs, strict=True)):
        z = a @ W + b
        zs.append(z)
        a = np.maximum(z, 0) if i < 2 else z
        acts.append(a)
    delta = 2 * (a - y) / y.size
    deltas = [delta]
    for i in (1, 0):
        delta = (delta @ Ws[i + 1].T) * (zs[i] > 0)
        deltas.insert(0, delta)
    for i in (0, 1):
        assert stats[i].delta_rms == pytest.approx(float(np.sqrt(np.mean(deltas[i] ** 2))), rel=1e-12)
        expected = float(np.linalg.norm(acts[i].T @ deltas[i]))
        assert stats[i].weight_grad_norm == pytest.approx(expected, rel=1e-12)
    assert all(p.grad is None or not p.grad.any() for p in net.parameters())  # zeroed afterwards


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("sigmoid-vanishing", {"depth": 3, "width": 8, "n": 16}),
        ("large-init", {"depth": 2, "width": 8, "n": 16}),
        ("xavier-vs-he", {"depth": 3, "width": 8, "n": 16, "train_depth": 2, "train_width": 4, "epochs": 3}),
        ("small-init", {"depth": 2, "width": 8, "n": 16, "train_depth": 1, "train_width": 4, "epochs": 3}),
    ],
)
def test_headline_ratios_are_medians_over_seeds_with_ranges(name, kwargs):
    r = lab.run(name, verbose=False, seed=7, **kwargs)
    assert r["seeds"] == [7, 8, 9, 10, 11]
    for key, median in r["delta_ratio"].items():
        lo, hi = r["delta_ratio_range"][key]
        assert lo <= median <= hi
    assert "[" in r.table() and "–" in r.table()  # printed as median [min–max]
    for config, deltas in r["delta_per_layer"].items():  # δ and the forward std, layer by layer
        assert len(deltas) == kwargs["depth"] == len(r["unit_std_per_layer"][config])
        assert all(d > 0 for d in deltas)
    with pytest.raises(ValueError, match="seeds"):
        lab.run(name, verbose=False, seeds=0, **kwargs)


def test_the_lab_trains_with_fit(monkeypatch):
    """No training loop of its own: `lab.core.train` goes through the library's `fit`, and the lab
    has no `mse` of its own."""
    from microgradx.lab import core

    calls = []
    real = core.fit

    def spy(*args, **kwargs):
        calls.append(kwargs.get("epochs"))
        return real(*args, **kwargs)

    monkeypatch.setattr(core, "fit", spy)
    lab.linear_collapse(depth=2, width=4, n=16, epochs=5, **Q)
    assert calls == [5, 5]
    assert not hasattr(core, "mse")


def test_train_reports_fits_divergence_without_warning():
    from microgradx import nn
    from microgradx.lab.core import train

    X, y = sine_data(32, 0)
    run = train(nn.MLP(1, [16, 16, 1], activation="relu", rng=0), X, y, lr=5.0, epochs=50)
    assert run.diverged_at is not None and run.diverged_at == len(run.losses) - 1
    peak, epoch = run.peak
    assert peak == max(run.losses) and run.losses[epoch] == peak


def test_seed_ranges_print_as_median_min_max():
    from microgradx.formatting import spread_text
    from microgradx.lab.core import seed_list, spread

    sp = spread([0.56, 1.29, 0.78, 0.7, 0.9])
    assert sp == {"median": 0.78, "min": 0.56, "max": 1.29}
    assert spread_text(sp["median"], sp["min"], sp["max"]) == "0.7800 [0.5600–1.2900]"
    assert seed_list(3, 5) == [3, 4, 5, 6, 7]


def test_gauge_note_is_printed_under_the_table(capsys):
    r = lab.run("sigmoid-vanishing", depth=2, width=4, n=8)
    out = capsys.readouterr().out
    assert f"note: {r.note}" in out and "a_{l−1}ᵀ δ_l" in r.note
    assert out.index(r.table()) < out.index("note: ") < out.index("conclusion: ")


def test_result_prints_table_conclusion_and_errata(capsys):
    r = lab.run("linear-collapse", depth=2, width=4, n=16, epochs=5)
    out = capsys.readouterr().out
    assert out.startswith("lab linear-collapse: no activation")
    assert "conclusion: " in out and r.conclusion in out
    assert r.table() in out


@pytest.mark.slow
def test_plots_written(tmp_path):
    pytest.importorskip("matplotlib")
    r = lab.dying_relu(tmp_path, n=32, width=8, epochs=20, **Q)
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
