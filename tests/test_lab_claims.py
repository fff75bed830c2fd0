"""The lab experiments for the notes' claims that had none (microgradx/lab/claim_experiments.py).

Oracles: the theory of each claim (δ shrinks by √½ per ReLU layer under Xavier: 0.71⁹ for 10
layers; He keeps it ≈ 1), the notes' own formulas typed in here (√(6/(fan_in + fan_out)),
√(6/fan_in)), the known slope of each PReLU target, Var(y) computed in NumPy, and δ = ∂L/∂z
computed by hand-written NumPy backpropagation. Every conclusion is computed from the numbers:
each test changes an input (or a number) and sees the conclusion change. Small sizes; timings
are never asserted, only their structure.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

from microgradx import init, lab, nn
from microgradx.lab import claim_experiments as C
from microgradx.lab.core import sine_data

Q = {"verbose": False}
NEW = (
    "relu-converges-faster",
    "activation-cost",
    "prelu-learns-slope",
    "half-dead-still-fits",
    "large-init-training",
    "xavier-he-uniform",
    "nonlinear-classification",
)


def test_every_new_experiment_is_registered_and_listed(capsys):
    from microgradx.cli import main

    assert set(NEW) <= set(lab.names())
    assert main(["lab", "--list"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert set(NEW) <= set(listed)


def test_seed_option_picks_the_first_of_five_seeds(capsys):
    from microgradx.cli import main

    r = lab.run("nonlinear-classification", seed=2, epochs=20, verbose=False)
    assert r["seeds"] == [2, 3, 4, 5, 6]
    assert lab.run("nonlinear-classification", seed=2, seeds=2, epochs=5, verbose=False)["seeds"] == [2, 3]
    assert main(["lab", "nonlinear-classification", "--seed", "1"]) == 0  # the CLI passes --seed
    assert "seeds [1, 2, 3, 4, 5]" in capsys.readouterr().out


def test_seed_ranges_write_inf_as_a_word():
    assert C._text([1.0, math.inf, 2.0]) == "2.0000 [1.0000–never]"
    assert C._text([math.inf, math.inf, 3.0], inf="diverged") == "diverged [3.0000–diverged]"


# ---------------------------------------------------------------------------- relu-converges-faster
def test_relu_converges_faster():
    r = lab.relu_converges_faster(hidden=(8, 8), epochs=600, target=0.02, **Q)
    med = r["epochs_to_target"]
    assert r["seeds"] == [0, 1, 2, 3, 4]
    assert med["relu"] < med["tanh"] < med["sigmoid"]
    assert r["reached"]["relu"] == 5
    lo, hi = r["epochs_range"]["relu"]
    assert lo <= med["relu"] <= hi
    assert "ReLU converges fastest" in r.conclusion
    assert med["relu+xavier_uniform"] < med["sigmoid"]  # the control: not only He's doing


def test_relu_converges_faster_conclusion_follows_the_numbers():
    r = lab.relu_converges_faster(hidden=(4,), epochs=3, target=10.0, **Q)
    # every run starts below MSE 10: all reach it at epoch 1, a tie, and the conclusion says so
    assert set(r["epochs_to_target"].values()) == {1.0}
    assert "tie" in r.conclusion and "ReLU converges fastest" not in r.conclusion
    nb = copy.deepcopy(r.numbers)
    nb["epochs_to_target"].update({"relu": 50.0, "tanh": 20.0, "sigmoid": 90.0})
    assert "tanh, not ReLU, converges fastest" in C._conclude_convergence(nb)
    nb["epochs_to_target"].update({"relu": math.inf, "tanh": math.inf, "sigmoid": math.inf})
    assert "no activation reached" in C._conclude_convergence(nb)


# ---------------------------------------------------------------------------- activation-cost
def test_activation_cost_structure():
    r = lab.activation_cost(size=20_000, repeats=2, **Q)
    ops = {"relu", "leaky_relu", "prelu", "tanh", "sigmoid", "elu", "selu"}
    for key in ("forward_ns", "backward_ns", "total_ns"):
        assert set(r[key]) == ops
        assert all(v > 0 and math.isfinite(v) for v in r[key].values())
    for k in ops:
        assert r["total_ns"][k] == pytest.approx(r["forward_ns"][k] + r["backward_ns"][k])
    assert r["matmul_64_ns"] > 0 and 0 <= abs(r["layer_saving"]) < 1
    assert len(r.rows) == len(ops) + 1
    assert "relu/tanh" in r.conclusion


def test_activation_cost_conclusion_follows_the_numbers():
    r = lab.activation_cost(size=5_000, repeats=1, **Q)
    nb = copy.deepcopy(r.numbers)
    nb["layer_saving"] = 0.05
    assert "not much cheaper" in C._conclude_cost(nb)
    nb["layer_saving"] = 0.6
    assert "markedly cheaper" in C._conclude_cost(nb)


def test_activation_cost_times_the_engines_own_ops():
    """The timed forward/backward are the ops' own code: their results match the definitions."""
    z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    for name, (op, extra) in C._ops().items():
        ctx = op.__new__(op)
        ctx.needs_input_grad = (True,) + (False,) * len(extra)
        out = op.forward(ctx, z, *extra)
        assert out.shape == z.shape, name
        g = op.backward(ctx, np.ones_like(z))
        g = g[0] if isinstance(g, tuple) else g
        assert g.shape == z.shape, name
    ctx = C._ops()["tanh"][0].__new__(C._ops()["tanh"][0])
    np.testing.assert_allclose(C._ops()["tanh"][0].forward(ctx, z), np.tanh(z))


# ---------------------------------------------------------------------------- prelu-learns-slope
def test_prelu_learns_the_slope_the_data_needs():
    r = lab.prelu_learns_slope(epochs=300, sine_net=False, **Q)
    assert r["seeds"] == [0, 1, 2, 3, 4]
    assert r["slope"]["|x|"] < -0.8  # true slope −1: the slope went negative
    assert r["slope"]["leaky 0.2"] == pytest.approx(0.2, abs=0.03)
    assert r["slope"]["relu"] == pytest.approx(0.0, abs=0.03)
    lo, hi = r["slope_range"]["|x|"]
    assert lo <= r["slope"]["|x|"] <= hi < 0
    assert "went negative" in r.conclusion and "not monotonic" in r.conclusion


def test_prelu_conclusion_follows_the_targets():
    r = lab.prelu_learns_slope(epochs=100, sine_net=False, targets=("leaky 0.2",), **Q)
    assert r["slope"]["leaky 0.2"] > 0
    assert "no slope went negative" in r.conclusion


# ---------------------------------------------------------------------------- half-dead-still-fits
def test_half_dead_network_still_fits():
    r = lab.half_dead_still_fits(hidden=32, fractions=(0.75, 1.0), epochs=600, **Q)
    _X, y = sine_data(128, 0)
    assert r["dead_after"]["75%"] >= 0.75  # dead first-layer units stay dead
    assert r["mse"]["75%"] < 0.01  # … and the rest fits
    assert r["mse"]["100%"] == pytest.approx(float(np.var(y)), rel=1e-3)  # control: only the output bias
    assert "still fits" in r.conclusion
    assert r.errata and "no 50 % threshold" in r.errata[0]


def test_half_dead_conclusion_follows_the_fraction():
    r = lab.half_dead_still_fits(hidden=8, fractions=(1.0,), epochs=50, **Q)
    assert "no network with more than half of its units dead reached" in r.conclusion
    assert r.errata == []


# ---------------------------------------------------------------------------- large-init-training
def _numpy_deltas(net: nn.MLP, X: np.ndarray, y: np.ndarray, act=np.tanh, dact=lambda a: 1 - a * a):
    """mean |∂L/∂z| of every hidden layer, by hand-written backprop in NumPy (L = mean squared error)."""
    a, acts = X, []
    for layer in net.layers[:-1]:
        a = act(a @ layer.weight.data + layer.bias.data)
        acts.append(a)
    out = a @ net.layers[-1].weight.data + net.layers[-1].bias.data
    delta = 2 * (out - y) / out.size
    deltas = []
    W_next = net.layers[-1].weight.data
    for layer, a in zip(reversed(net.layers[:-1]), reversed(acts), strict=True):
        delta = (delta @ W_next.T) * dact(a)
        deltas.append(float(np.mean(np.abs(delta))))
        W_next = layer.weight.data
    return deltas[::-1]


def test_hidden_deltas_match_numpy_backprop():
    X, y = sine_data(32, 0)
    net = nn.MLP(1, [8, 8, 8, 1], activation="tanh", init="random_large", rng=0)
    ours, _g = C._hidden_deltas(net, X, y)
    np.testing.assert_allclose(ours, _numpy_deltas(net, X, y), rtol=1e-10)


def test_large_init_training():
    r = lab.large_init_training(hidden=(16, 16, 16), epochs=100, activations=("tanh", "relu"), **Q)
    assert r["seeds"] == [0, 1, 2, 3, 4]
    assert r["delta_ratio"]["tanh"] > 1  # δ grows toward the input under N(0, 1) (the oracle)
    assert r["delta_ratio_default"]["tanh"] < r["delta_ratio"]["tanh"]
    assert r["grad_w1_ratio"]["tanh"] > 10  # large gradients, not flat ones
    assert r["grad_w1_ratio"]["relu"] > 10
    # ReLU from N(0, 1) trains worse (or blows up) at the lr that suits its default init
    assert r["mse_final"]["relu+random_large"] > r["mse_final"]["relu+default"]
    lo, hi = r["delta_ratio_range"]["tanh"]
    assert lo <= r["delta_ratio"]["tanh"] <= hi
    assert "gradients are large, not flat" in r.conclusion


def test_large_init_training_conclusion_follows_the_numbers():
    r = lab.large_init_training(hidden=(8, 8), epochs=5, activations=("tanh",), **Q)
    nb = copy.deepcopy(r.numbers)
    nb["delta_ratio"]["tanh"] = 0.5
    assert "large, not flat" not in C._conclude_large_training(nb)
    nb["mse_final"]["tanh+random_large"], nb["mse_final"]["tanh+default"] = 0.5, 0.1
    assert "worse than the default init" in C._conclude_large_training(nb)
    nb["mse_final"]["tanh+random_large"] = 0.01
    assert "better than the default init" in C._conclude_large_training(nb)


# ---------------------------------------------------------------------------- xavier-he-uniform
def test_the_initializers_are_the_notes_uniform_formulas():
    fan_in, fan_out = 64, 32
    xavier = init.xavier_uniform((fan_in, fan_out), rng=0)
    he = init.he_uniform((fan_in, fan_out), rng=0)
    for w, limit in ((xavier, math.sqrt(6 / (fan_in + fan_out))), (he, math.sqrt(6 / fan_in))):
        assert np.abs(w).max() <= limit
        assert np.abs(w).max() > 0.99 * limit
        assert w.std() == pytest.approx(limit / math.sqrt(3), rel=0.05)  # U(−l, l): std l/√3


def test_xavier_he_uniform_against_theory():
    r = lab.xavier_he_uniform(depth=10, width=32, n=64, **Q)
    d = r["delta_ratio"]
    theory = 0.5 ** (9 / 2)  # ≈ 0.044: ReLU with Var(w) = 1/fan_in loses √½ per layer
    assert 0.5 <= d["relu+he_uniform"] <= 2.0
    assert d["relu+xavier_uniform"] < 0.2
    assert theory / 3 < d["relu+xavier_uniform"] < 3 * theory
    for k, (lo, hi) in r["delta_ratio_range"].items():
        assert lo <= d[k] <= hi
    assert len(r["std_per_layer"]["relu+he_uniform"]) == 10
    assert r["std_per_layer"]["relu+xavier_uniform"][-1] < 0.1 * r["std_per_layer"]["relu+he_uniform"][-1]
    assert "relu+he_uniform" in r.conclusion.split("kept within [0.5, 2] by:")[1]
    assert "relu+xavier_uniform" not in r.conclusion.split("kept within [0.5, 2] by:")[1]


def test_xavier_he_uniform_conclusion_follows_the_depth():
    r = lab.xavier_he_uniform(depth=1, width=16, n=32, **Q)
    # one hidden layer: δ ratio first/last is 1 for every configuration
    assert all(v == pytest.approx(1.0) for v in r["delta_ratio"].values())
    assert "relu+xavier_uniform" in r.conclusion.split("kept within [0.5, 2] by:")[1]


# ---------------------------------------------------------------------------- nonlinear-classification
def test_xor_is_not_linearly_separable_but_one_hidden_layer_is_enough():
    r = lab.nonlinear_classification(epochs=300, **Q)
    assert r["seeds"] == [0, 1, 2, 3, 4]
    assert r["accuracy"]["linear"] < 0.75
    assert r["accuracy"]["hidden"] > 0.9
    assert "cannot separate it" in r.conclusion


def test_nonlinear_classification_control_linearly_separable():
    r = lab.nonlinear_classification(epochs=200, kind="linear", **Q)
    assert r["accuracy"]["linear"] > 0.9
    assert "linearly separable, so a linear model is enough" in r.conclusion
    with pytest.raises(ValueError, match="'circles'"):
        lab.nonlinear_classification(kind="circles", **Q)


def test_xor_labels():
    X, y = C.xor_data(100, np.random.default_rng(0))
    np.testing.assert_array_equal(y[:, 0] == 1, X[:, 0] * X[:, 1] > 0)


# ---------------------------------------------------------------------------- the docs' claims and plots
def test_prelu_is_monotonic_for_any_nonnegative_slope_and_not_for_a_negative_one():
    """docs/activations/prelu.md: a slope above 1 keeps PReLU monotonic; a negative one does not."""
    import microgradx as mgx

    x = np.linspace(-3, 3, 601)
    for a, monotonic in ((0.0, True), (0.25, True), (1.5, True), (3.0, True), (-0.5, False), (-1.0, False)):
        y = mgx.prelu(mgx.Tensor(x), np.array([a])).data
        assert bool(np.all(np.diff(y) >= 0)) is monotonic, a
    np.testing.assert_allclose(mgx.prelu(mgx.Tensor(x), np.array([-1.0])).data, np.abs(x))


def test_histograms_of_huge_values_show_log10_and_plots_are_readable(tmp_path):
    pytest.importorskip("matplotlib")
    from matplotlib.image import imread

    from microgradx import diagnostics
    from microgradx.diagnostics.plots import _readable
    from microgradx.lab import catalog

    z = np.array([-1e25, -3e7, -2.0, -0.5])
    values, label = _readable(z, "z")
    np.testing.assert_allclose(values, np.log10(np.abs(z)))
    assert label.startswith("log₁₀|z|") and "100% < 0" in label
    relu_out = np.array([0.0, 0.0, 2.0, 3e6])
    values, label = _readable(relu_out, "a")
    np.testing.assert_allclose(values, np.log10([2.0, 3e6]))
    assert "0% < 0, 50% = 0 not shown" in label
    small = np.array([-2.0, 0.5, 3.0])
    assert _readable(small, "a")[0] is small and _readable(small, "a")[1] == "a"
    rec = diagnostics.Recording.from_tensors(
        [("hidden", z.reshape(2, 2), np.maximum(z, 0).reshape(2, 2), "relu")]
    )
    path = diagnostics.plot_histograms(rec, tmp_path / "h.png", which="z", notice=False)
    assert path is not None and imread(path).shape[0] >= 2.8 * 100  # ≥ 100 dpi
    leaky = catalog.plot_activation("leaky_relu", tmp_path / "leaky.png", notice=False)
    relu = catalog.plot_activation("relu", tmp_path / "relu.png", notice=False)
    # leaky ReLU gets a second, zoomed panel (its 0.01 slope); ReLU (exactly 0 for x < 0) does not
    assert imread(leaky).shape[1] > 1.4 * imread(relu).shape[1]
    assert imread(relu).shape[0] >= 2.8 * 100
