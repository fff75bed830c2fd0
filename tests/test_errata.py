"""Pins the correct statement behind every erratum of docs/notes-errata.md, one test per erratum.

Each test is named in the doc (E1 … ). Oracles: the published constants and formulas typed in
here from the papers, central differences in float64, numerical integration, and PyTorch where
installed; never microgradx's own output alone.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import microgradx as mgx
from microgradx import init

# Klambauer et al. 2017, eq. 14 (typed from the paper, not imported from microgradx).
PAPER_SELU_SCALE = 1.0507009873554804934193349852946  # λ
PAPER_SELU_ALPHA = 1.6732632423543772848170429916717  # α


def _value(fn, x, **kw):
    return fn(mgx.Tensor(np.asarray(x, dtype=float)), **kw).data


def _grad(fn, x, **kw):
    t = mgx.Tensor(np.asarray(x, dtype=float), requires_grad=True)
    fn(t, **kw).sum().backward()
    return t.grad


def _central(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


# ---------------------------------------------------------------------------- activations
def test_e1_selu_constants_and_formula():
    """E1: λ ≈ 1.0507 is the scale, α ≈ 1.6733 the negative-side factor; SELU(x) = λα(eˣ − 1)."""
    assert pytest.approx(PAPER_SELU_SCALE, abs=1e-15) == mgx.SELU_SCALE
    assert pytest.approx(PAPER_SELU_ALPHA, abs=1e-15) == mgx.SELU_ALPHA
    x = np.array([-3.0, -1.0, -0.1, 0.5, 2.0])
    expected = PAPER_SELU_SCALE * np.where(x > 0, x, PAPER_SELU_ALPHA * (np.exp(x) - 1))
    np.testing.assert_allclose(_value(mgx.selu, x), expected, rtol=1e-14)
    # The notes' version, λ·(λeˣ − λ) with their (swapped) λ = 1.673…, is a different function.
    notes_lam = 1.673263242354377
    notes = notes_lam * (notes_lam * np.exp(-1.0) - notes_lam)
    assert abs(_value(mgx.selu, -1.0) - notes) > 0.6


def test_e2_selu_derivative():
    """E2: SELU'(x) = λ for x > 0 and λαeˣ for x < 0 (not λ·λeˣ); at the kink 0: λα."""
    x = np.array([-4.0, -1.0, -0.3, 0.4, 3.0])

    def f(v):
        return PAPER_SELU_SCALE * np.where(v > 0, v, PAPER_SELU_ALPHA * np.expm1(v))

    np.testing.assert_allclose(_grad(mgx.selu, x), _central(f, x), rtol=1e-7)
    np.testing.assert_allclose(
        _grad(mgx.selu, x[:3]), PAPER_SELU_SCALE * PAPER_SELU_ALPHA * np.exp(x[:3]), rtol=1e-13
    )
    assert _grad(mgx.selu, 0.0) == pytest.approx(PAPER_SELU_SCALE * PAPER_SELU_ALPHA)


def test_e3_selu_constants_are_a_fixed_point_not_experimental():
    """E3: λ and α are derived: for z ~ N(0, 1), E[SELU(z)] = 0 and E[SELU(z)²] = 1."""
    z = np.linspace(-40.0, 40.0, 800_001)
    density = np.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    s = _value(mgx.selu, z)
    dz = z[1] - z[0]
    mean = float((s * density).sum() * dz)
    second = float((s * s * density).sum() * dz)
    assert abs(mean) < 1e-6
    assert second == pytest.approx(1.0, abs=1e-6)


def test_e4_elu_formula():
    """E4: ELU(x) = α(eˣ − 1) for x ≤ 0, so ELU(0) = 0 (the notes' α·e^(x−1) jumps to α/e at 0)."""
    for alpha in (0.5, 1.0, 2.0):
        x = np.array([-5.0, -1.0, -1e-9, 0.0, 1e-9, 1.0])
        expected = np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))  # α(eˣ − 1), computed stably
        np.testing.assert_allclose(_value(mgx.elu, x, alpha=alpha), expected, rtol=1e-12)
        notes_at_0 = alpha * math.exp(0.0 - 1.0)
        assert abs(_value(mgx.elu, 0.0, alpha=alpha) - notes_at_0) > 0.18


def test_e5_elu_differentiable_at_zero_only_when_alpha_is_one():
    """E5: the one-sided slopes of ELU at 0 are 1 (right) and α (left): equal only for α = 1."""
    h = 1e-7
    for alpha in (0.5, 1.0, 1.5):

        def f(v, alpha=alpha):
            return float(np.where(v > 0, v, alpha * np.expm1(min(v, 0.0))))

        right = (f(h) - f(0.0)) / h
        left = (f(0.0) - f(-h)) / h
        assert right == pytest.approx(1.0, abs=1e-6)
        assert left == pytest.approx(alpha, abs=1e-6)
        assert (abs(right - left) < 1e-5) == (alpha == 1.0)
        # microgradx uses the left slope at exactly 0 (as PyTorch): α.
        assert _grad(mgx.elu, 0.0, alpha=alpha) == pytest.approx(alpha)


def test_e6_elu_default_alpha_is_one():
    """E6: the paper's experiments and the libraries use α = 1 (the notes suggest 0.1 to 0.5)."""
    assert _value(mgx.elu, -1.0) == pytest.approx(math.exp(-1.0) - 1.0)
    from microgradx import nn

    assert nn.ELU().alpha == 1.0


@pytest.mark.torch
def test_e6_elu_default_alpha_is_one_in_pytorch_too():
    torch = pytest.importorskip("torch")
    assert torch.nn.ELU().alpha == 1.0
    assert _value(mgx.elu, -1.0) == pytest.approx(torch.nn.functional.elu(torch.tensor(-1.0)).item())


def test_e7_prelu_formula():
    """E7: PReLU(x) = x for x > 0 and a·x otherwise (not a·x for x > 0 and 0 otherwise)."""
    a = 0.25
    x = np.array([-2.0, -0.5, 0.5, 2.0])
    np.testing.assert_allclose(_value(mgx.prelu, x, weight=np.array([a])), np.where(x > 0, x, a * x))
    # and the slope a is what is learned: ∂out/∂a = x for x ≤ 0, 0 for x > 0.
    w = mgx.Tensor([a], requires_grad=True)
    mgx.prelu(mgx.Tensor(x), w).sum().backward()
    assert w.grad[0] == pytest.approx(-2.5)


# ---------------------------------------------------------------------------- initializers
def test_e8_glorot_normal_std():
    """E8: Glorot normal std is √(2/(fan_in + fan_out)), not 2/√(fan_in + fan_out)."""
    fan_in, fan_out = 400, 600
    w = init.xavier_normal((fan_in, fan_out), rng=0)
    paper = math.sqrt(2.0 / (fan_in + fan_out))  # 0.0447
    notes = 2.0 / math.sqrt(fan_in + fan_out)  # 0.0632
    assert w.std() == pytest.approx(paper, rel=0.02)
    assert abs(w.std() - notes) > 0.015
    # uniform variant: limit √(6/(fan_in + fan_out)) has the same variance limit²/3.
    u = init.xavier_uniform((fan_in, fan_out), rng=0)
    assert u.std() == pytest.approx(paper, rel=0.02)


def test_e9_rand_and_random_are_not_symmetric():
    """E9: np.random.rand / random draw from [0, 1): "·0.01" gives [0, 0.01), not (−0.01, 0.01)."""
    gen = np.random.default_rng(0)
    notes_small = gen.random((250, 250)) * 0.01
    assert notes_small.min() >= 0.0 and notes_small.max() < 0.01
    assert notes_small.mean() == pytest.approx(0.005, rel=0.02)
    legacy = np.random.RandomState(0).rand(250, 250)
    assert legacy.min() >= 0.0 and legacy.max() < 1.0
    # microgradx's random_small is the symmetric range the notes meant.
    w = init.random_small((250, 250), rng=0)
    assert w.min() < -0.0099 and w.max() > 0.0099 and abs(w.mean()) < 2e-4


def test_e10_randn_is_standard_normal_not_zero_one():
    """E10: randn draws from N(0, 1): unbounded, half negative, about 32% outside [−1, 1]."""
    w = np.random.RandomState(0).randn(500, 500)
    assert w.std() == pytest.approx(1.0, rel=0.01)
    assert (w < 0).mean() == pytest.approx(0.5, abs=0.01)
    assert (np.abs(w) > 1).mean() == pytest.approx(0.3173, abs=0.01)
    assert init.random_large((500, 500), rng=0).std() == pytest.approx(1.0, rel=0.01)


def test_e11_sum_of_n_terms_grows_like_sqrt_n():
    """E11: with 250 inputs in [−1, 1] and weights in [0, 1), z is not spread over (−250, 250):
    its std is √(250·E[w²]·E[x²]) = √(250/9) ≈ 5.27."""
    gen = np.random.default_rng(0)
    x = gen.uniform(-1, 1, size=(2000, 250))
    w = gen.random((250, 250))
    z = x @ w
    assert z.std() == pytest.approx(math.sqrt(250 / 9), rel=0.03)
    assert np.abs(z).max() < 0.1 * 250  # the worst case ±250 is never approached


def test_e12_ranges():
    """E12: ReLU's range is [0, ∞) (0 itself is an output); sigmoid's (0, 1); tanh's (−1, 1)."""
    assert _value(mgx.relu, -3.0) == 0.0
    x = np.linspace(-30, 30, 61)
    s = _value(mgx.sigmoid, x)
    t = _value(mgx.tanh, np.linspace(-15, 15, 61))
    assert (s > 0).all() and (s < 1).all()
    assert (t > -1).all() and (t < 1).all()


def test_e13_local_derivative_of_z_wrt_a_weight():
    """E13: ∂z31/∂w21 for z31 = a21·w21 + a22·w22 + b31 is a21 (the terms give a21, 0, 0; the
    notes write 1, 0, 1). In the constant-init section, w'21 feeds node 1, so its chain goes
    through a11 and z11 (the notes write a21, z21)."""
    a21, a22 = 0.3, 0.8
    w21 = mgx.Tensor(0.5, requires_grad=True)
    w22 = mgx.Tensor(-0.4, requires_grad=True)
    b31 = mgx.Tensor(0.1, requires_grad=True)
    z31 = a21 * w21 + a22 * w22 + b31
    z31.backward()
    assert float(w21.grad) == pytest.approx(a21)
    assert float(b31.grad) == pytest.approx(1.0)  # ∂z/∂b = 1, but b's term contributes 0 to ∂z/∂w21
    # w'21 (input x2 -> node 1) gets ∂L/∂z11 · x2 and nothing from node 2.
    x1, x2 = 0.7, -1.2
    W = mgx.Tensor([[0.5, 0.5], [0.5, 0.5]], requires_grad=True)  # W[i, j]: input i -> node j
    z = mgx.Tensor([[x1, x2]]) @ W
    a = z.sigmoid()
    v = mgx.Tensor([[2.0], [-1.0]])
    y = (a @ v).sum()
    y.backward()
    dz11 = 2.0 * float(a.data[0, 0] * (1 - a.data[0, 0]))
    assert W.grad[1, 0] == pytest.approx(dz11 * x2)


# ---------------------------------------------------------------------------- measured claims
def test_e14_sigmoid_outputs_do_not_go_to_zero_the_gradient_does():
    """E14: in a deep sigmoid net the last layer's outputs stay near 0.5; ∂L/∂W shrinks toward
    the input (σ' ≤ 1/4 per layer)."""
    from microgradx import lab

    r = lab.sigmoid_vanishing(depth=6, width=16, n=64, verbose=False)
    assert 0.3 < r["last_mean_sigmoid"] < 0.7
    assert r["ratio_sigmoid"] < 1e-2
    z = np.linspace(-10, 10, 2001)
    assert _grad(mgx.sigmoid, z).max() == pytest.approx(0.25)


def test_e15_one_sign_holds_per_example_not_for_the_batch():
    """E15: with positive inputs a (sigmoid outputs), one example's gradients a_i·δ share δ's sign;
    a batch sums examples with different δ and can mix signs."""
    A = np.array([[0.9, 0.1], [0.1, 0.9]])  # sigmoid outputs of two examples: all > 0
    delta = np.array([[1.0], [-1.0]])  # ∂L/∂z of the unit, per example
    W = mgx.Tensor(np.zeros((2, 1)), requires_grad=True)
    for i in range(2):  # per example: ∂L/∂W = a_i δ_i, one sign
        W.grad = None
        (mgx.Tensor(A[i : i + 1]) @ W * mgx.Tensor(delta[i : i + 1])).sum().backward()
        g = W.grad[:, 0]
        assert (g > 0).all() or (g < 0).all()
    W.grad = None
    (mgx.Tensor(A) @ W * mgx.Tensor(delta)).sum().backward()
    np.testing.assert_allclose(W.grad[:, 0], [0.8, -0.8])  # the batch gradient mixes signs
    from microgradx import lab

    r = lab.zero_centred(n=24, epochs=120, checkpoints=3, verbose=False)
    assert r["same_sign_per_example_sigmoid"] == 1.0 and r["same_sign_batch_sigmoid"] < 1.0


def test_e16_dead_unit_in_a_deeper_layer_can_revive():
    """E16: a ReLU unit dead on every input gets no gradient, but in a deeper layer its input can
    change (earlier layers keep training), and it comes back to life."""
    from microgradx import optim

    x = np.linspace(0.0, 1.0, 16).reshape(-1, 1)
    y = 10.0 * x
    W1 = mgx.Tensor([[1.0]], requires_grad=True)
    b1 = mgx.Tensor([0.0], requires_grad=True)
    W2 = mgx.Tensor([[1.0, 1.0]], requires_grad=True)
    b2 = mgx.Tensor([0.0, -1.5], requires_grad=True)  # unit 2: z = h − 1.5 < 0 while h ≤ 1
    V = mgx.Tensor([[1.0], [1.0]], requires_grad=True)
    c = mgx.Tensor([0.0], requires_grad=True)
    opt = optim.SGD([W1, b1, W2, b2, V, c], lr=0.1)
    X = mgx.Tensor(x)
    revived_at = None
    for step in range(50):
        h = (X @ W1 + b1).relu()
        z2 = h @ W2 + b2
        if (z2.data[:, 1] > 0).any():
            revived_at = step
            break
        before = (W2.data[0, 1], b2.data[1])
        loss = mgx.mse_loss(z2.relu() @ V + c, mgx.Tensor(y))
        opt.zero_grad()
        loss.backward()
        assert W2.grad[0, 1] == 0 and b2.grad[1] == 0  # dead: no gradient for its weights
        opt.step()
        assert (W2.data[0, 1], b2.data[1]) == before  # … so they do not move
    assert revived_at is not None and revived_at > 0


def test_e17_leaky_relu_keeps_gradients_but_negative_units_are_linear():
    """E17: with every unit negative, leaky ReLU still trains (no zero gradient) but units come
    back slowly (1% of the gradient) and, while negative, the network is linear; it does not fix
    a learning rate that is too high."""
    from microgradx import lab

    r = lab.leaky_fix(n=64, width=16, epochs=400, high_epochs=60, verbose=False)
    assert r["zero_grad_relu"] == 1.0 and r["zero_grad_leaky_relu"] == 0.0
    assert r["weight_change_leaky_relu"] > 0 and r["mse_leaky_relu"] < 0.75 * r["var_y"]
    assert r["negative_after_leaky_relu"] > 0.5  # most units still negative everywhere
    assert r["mse_elu"] < r["mse_leaky_relu"]
    assert r["high_lr_leaky_diverged_at"] is not None
    full = lab.leaky_fix(n=128, width=32, epochs=2000, high_epochs=10, verbose=False)
    assert full["negative_after_leaky_relu_range"] == [1.0, 1.0]  # on every seed
    lo, hi = full["mse_leaky_over_line_range"]  # per seed, MSE / that seed's best-line MSE
    assert 0.99 < lo <= hi < 1.01


def test_e18_zero_init_relu_and_tanh_train_only_the_output_bias():
    """E18: with w = b = 0, ReLU and tanh hidden units output 0: every gradient but the output
    bias's is 0, so only that bias trains (to mean(y))."""
    from microgradx import lab

    r = lab.zero_init(n=64, hidden=4, epochs=200, verbose=False)
    assert r["relu_tanh_only_output_bias"] is True
    var_y = [float(lab.core.sine_data(64, s)[1].var()) for s in r["seeds"]]  # each seed's Var(y)
    assert r["tanh_mse"] == pytest.approx(float(np.median(var_y)), rel=1e-3)
    assert r["tanh_mse_range"] == pytest.approx([min(var_y), max(var_y)], rel=1e-3)


def test_e19_symmetric_units_are_one_unit_but_not_a_linear_model():
    """E19: zero init (sigmoid) and constant init keep every hidden unit identical, yet a
    network of one sigmoid or tanh unit beats the best straight line."""
    from microgradx import diagnostics, nn
    from microgradx.lab.core import best_line_mse, sine_data, train

    X, y = sine_data(128, 0)
    line = best_line_mse(X, y)
    for act, value in (("sigmoid", 0.0), ("tanh", 0.5)):
        net = nn.MLP(
            1, [4, 1], activation=act, init=lambda shape, rng, value=value: np.full(shape, value), rng=0
        )
        for layer in net.layers:
            layer.bias.data[:] = value
        run = train(net, X, y, lr=0.1, epochs=2000, momentum=0.9)
        rec, _ = diagnostics.record(net, X)
        assert rec.stats()[0].distinct == 1
        assert run.final < 0.8 * line, (act, run.final, line)


def test_e20_small_init_relu_vanishes_faster_than_tanh():
    """E20: with U(−0.01, 0.01) weights ReLU's signal shrinks faster than tanh's (ReLU zeroes
    half of it), contrary to the notes; sigmoid's first-layer gradient is the smallest."""
    from microgradx import lab

    r = lab.small_init(depth=5, width=32, n=64, train_depth=2, train_width=8, epochs=5, verbose=False)
    assert r["std_last_relu_small"] < r["std_last_tanh_small"]
    assert r["grad_first_relu_small"] < r["grad_first_tanh_small"]
    assert r["grad_first_sigmoid_small"] < r["grad_first_relu_small"]


def test_e21_saturated_tanh_piles_up_at_plus_minus_one_relu_does_not_saturate():
    """E21: large weights push tanh outputs to −1 and +1 (not 0 and 1); ReLU outputs just grow."""
    from microgradx import lab

    r = lab.large_init(depth=4, width=32, n=64, verbose=False)
    assert r["tanh_large_near_minus1"] > 0.2 and r["tanh_large_near_plus1"] > 0.2
    assert r["std_last_relu_large"] > 100
    assert r["saturated_mean_relu_large"] is None


# ---------------------------------------------------------------------------- added with issue 11
def _fit_sgd(net, X, y, lr, epochs, momentum=0.9):
    import warnings

    from microgradx import optim
    from microgradx.train import fit

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a diverging run stops with a warning
        return fit(
            net,
            X,
            y,
            optimizer=optim.SGD(net.parameters(), lr=lr, momentum=momentum),
            epochs=epochs,
            progress=False,
        )


def _hidden_delta_ratio(net, X, y):
    """mean |∂L/∂z| of the first hidden layer over the last, and ‖∂L/∂W₁‖ (diagnostics' δ)."""
    from microgradx import diagnostics

    with diagnostics.Recorder(net) as rec:
        loss = mgx.mse_loss(net(mgx.Tensor(X)), mgx.Tensor(y))
    loss.backward()
    stats = rec.stats()[:-1]
    return stats[0].delta_mean_abs / stats[-1].delta_mean_abs, stats[0].weight_grad_norm


def test_e13_w22_goes_through_node_2():
    """E13: w'22 (input x2 -> node 2) gets ∂L/∂z12 · x2: its chain runs through a12 and z12
    (the notes write a22, z22)."""
    x1, x2 = 0.7, -1.2
    W = mgx.Tensor([[0.5, 0.5], [0.5, 0.5]], requires_grad=True)
    a = (mgx.Tensor([[x1, x2]]) @ W).sigmoid()
    v = np.array([[2.0], [-1.0]])
    (a @ mgx.Tensor(v)).sum().backward()
    a12 = float(a.data[0, 1])
    assert W.grad[1, 1] == pytest.approx(v[1, 0] * a12 * (1 - a12) * x2)
    assert W.grad[1, 1] != pytest.approx(W.grad[1, 0])  # node 1's chain is a different number


def test_e14_delta_shrinks_by_sigma_prime_times_the_weights():
    """E14: δ_l = (δ_{l+1} Wᵀ) ⊙ σ′(z_l): each layer scales the backward signal by σ′ (≤ 1/4)
    *and* by the weights. With Xavier weights δ vanishes toward the input; with N(0, 1) weights
    the same sigmoid network passes δ on undiminished, so "at most 0.25 per layer" is not a
    bound on the signal."""
    from microgradx.lab.core import gaussian_data

    X, y = gaussian_data(128, 32, 0)
    ratios = {}
    for init_name in ("xavier_uniform", "random_large"):
        ratios[init_name] = [
            _hidden_delta_ratio(
                mgx.nn.MLP(32, [32] * 8 + [1], activation="sigmoid", init=init_name, rng=s), X, y
            )[0]
            for s in range(5)
        ]
    assert np.median(ratios["xavier_uniform"]) < 1e-2
    assert np.median(ratios["random_large"]) > 0.25**7 * 100  # far above "σ′ ≤ ¼ per layer", 0.25⁷
    assert np.median(ratios["random_large"]) > 5 * np.median(ratios["xavier_uniform"])


def test_e15_zero_centring_alone_does_not_explain_tanhs_win():
    """E15: under identical training, a zero-centred sigmoid σ(z) − ½ does no better than
    sigmoid; in this setup sigmoid at 4× the learning rate (tanh is 4× steeper at 0:
    tanh(z) = 2σ(2z) − 1) closes most of the gap to tanh."""
    from microgradx.lab.core import sine_data

    X, y = sine_data(128, 0)

    def centred(t):
        return t.sigmoid() - 0.5

    def final(act, lr, seed):
        net = mgx.nn.MLP(1, [16, 1], activation=act, init="xavier_uniform", rng=seed)
        return _fit_sgd(net, X, y, lr=lr, epochs=300)[-1]

    sig = np.median([final("sigmoid", 0.05, s) for s in range(5)])
    cen = np.median([final(centred, 0.05, s) for s in range(5)])
    tanh = np.median([final("tanh", 0.05, s) for s in range(5)])
    fast = np.median([final("sigmoid", 0.2, s) for s in range(5)])
    assert cen > 0.8 * sig  # centring alone: no real gain
    assert tanh < 0.1 * sig
    assert fast < 0.1 * sig  # here a 4× step closes most of the gap


def test_e19_relu_constant_init_is_not_even_linear():
    """E19: the notes' "linear model" is wrong for sigmoid/tanh (one unit is still curved) and
    too kind for ReLU: constant-initialized ReLU units move as one and die together, leaving a
    constant prediction (MSE = Var(y)), worse than the best line."""
    from microgradx import diagnostics
    from microgradx.lab.core import best_line_mse, sine_data

    X, y = sine_data(128, 0)
    net = mgx.nn.MLP(1, [8, 1], activation="relu", init=lambda shape, rng: np.full(shape, 0.5), rng=0)
    for layer in net.layers:
        layer.bias.data[:] = 0.5
    history = _fit_sgd(net, X, y, lr=0.05, epochs=2000)
    rec, _ = diagnostics.record(net, X)
    assert rec.stats()[0].distinct == 1 and rec.stats()[0].negative == 1.0
    assert history[-1] == pytest.approx(float(np.var(y)), rel=1e-6)
    assert history[-1] > best_line_mse(X, y)


def test_e22_large_init_delta_grows_toward_the_input():
    """E22: with N(0, 1) weights tanh saturates, yet δ = ∂L/∂z *grows* toward the input and
    ‖∂L/∂W₁‖ is 100× the default init's: large gradients, not flat ones."""
    from microgradx.lab.core import sine_data

    X, y = sine_data(128, 0)
    big, ref = [], []
    for s in range(5):
        big.append(
            _hidden_delta_ratio(
                mgx.nn.MLP(1, [32, 32, 32, 1], activation="tanh", init="random_large", rng=s), X, y
            )
        )
        ref.append(_hidden_delta_ratio(mgx.nn.MLP(1, [32, 32, 32, 1], activation="tanh", rng=s), X, y))
    assert np.median([r for r, _ in big]) > 5  # δ grows toward the input
    assert min(r for r, _ in big) > 1
    assert np.median([g for _, g in big]) > 30 * np.median([g for _, g in ref])
    # hand-written check of the chain rule for one network: δ_l = (δ_{l+1} Wᵀ) ⊙ (1 − a²)
    net = mgx.nn.MLP(1, [32, 32, 32, 1], activation="tanh", init="random_large", rng=0)
    acts, a = [], X
    for layer in net.layers[:-1]:
        a = np.tanh(a @ layer.weight.data + layer.bias.data)
        acts.append(a)
    out = a @ net.layers[-1].weight.data + net.layers[-1].bias.data
    delta = 2 * (out - y) / out.size
    sizes, W_next = [], net.layers[-1].weight.data
    for layer, a in zip(reversed(net.layers[:-1]), reversed(acts), strict=True):
        delta = (delta @ W_next.T) * (1 - a * a)
        sizes.append(np.mean(np.abs(delta)))
        W_next = layer.weight.data
    assert sizes[-1] / sizes[0] == pytest.approx(big[0][0], rel=1e-9)


def test_e23_zero_init_tanh_the_zero_comes_from_the_output_weight():
    """E23: with zero weights, tanh′(0) = 1, not 0. The hidden weights' gradient is
    ∂L/∂ŷ · v · tanh′(0) · x = 0 because the output weight v is 0; give v a value and the same
    zero-initialized hidden layer gets a gradient at once."""
    assert _grad(mgx.tanh, 0.0) == pytest.approx(1.0)
    X = np.array([[0.5, -1.0], [1.0, 2.0]])
    y = np.array([[1.0], [-0.5]])
    for v, moves in ((0.0, False), (0.7, True)):
        W = mgx.Tensor(np.zeros((2, 2)), requires_grad=True)
        V = mgx.Tensor(np.full((2, 1), v), requires_grad=True)
        pred = (mgx.Tensor(X) @ W).tanh() @ V
        mgx.mse_loss(pred, mgx.Tensor(y)).backward()
        assert bool(np.any(W.grad != 0)) is moves
        if moves:  # ∂L/∂W[i, j] = Σₙ ∂L/∂ŷₙ · v · 1 · xₙᵢ (tanh′(0) = 1)
            dy = 2 * (0.0 - y) / y.size
            np.testing.assert_allclose(W.grad, X.T @ (dy * v) @ np.ones((1, 2)))


def test_e24_more_than_half_dead_still_fits():
    """E24: 75 % of the hidden ReLU units dead (z < 0 on every input) and the network still fits
    sin(πx) to MSE < 0.01; only when all are dead is it stuck at Var(y)."""
    from microgradx import diagnostics
    from microgradx.lab.core import sine_data

    X, y = sine_data(128, 0)
    results = {}
    for frac in (0.75, 1.0):
        mses, dead = [], []
        for s in range(5):
            net = mgx.nn.MLP(1, [32, 1], activation="relu", rng=s)
            kill = np.random.default_rng(s).permutation(32)[: int(frac * 32)]
            layer = net.layers[0]
            layer.bias.data[kill] = -(np.abs(layer.weight.data[0, kill]) + 1.0)  # z < 0 on [−1, 1]
            _fit_sgd(net, X, y, lr=0.05, epochs=800)
            rec, _ = diagnostics.record(net, X)
            dead.append(diagnostics.dead_fraction(rec.layers[0].z))
            mses.append(float(np.mean((rec.layers[-1].a - y) ** 2)))
        results[frac] = (np.median(dead), np.median(mses))
    assert results[0.75][0] >= 0.75 and results[0.75][1] < 0.01
    assert results[1.0][0] == 1.0 and results[1.0][1] == pytest.approx(float(np.var(y)), rel=1e-6)


def test_e25_bias_001_changes_nothing_and_does_not_prevent_death():
    """E25: the same network, the same training, hidden biases 0 vs 0.01. At lr = 0.05 the dead
    fractions are the same to within one unit; at lr = 0.5 (plain SGD) the first hidden layer
    dies completely with either bias."""
    from microgradx import diagnostics
    from microgradx.lab.core import sine_data

    X, y = sine_data(128, 0)

    def run(bias, lr, momentum, epochs, seed):
        net = mgx.nn.MLP(1, [32, 32, 1], activation="relu", rng=seed)
        for layer in net.layers[:-1]:
            layer.bias.data[:] = bias
        history = _fit_sgd(net, X, y, lr=lr, epochs=epochs, momentum=momentum)
        with np.errstate(all="ignore"):
            rec, _ = diagnostics.record(net, X)
        return [s.negative for s in rec.stats()[:-1]], history

    for seed in range(3):
        (d0, h0), (d1, h1) = run(0.0, 0.05, 0.9, 300, seed), run(0.01, 0.05, 0.9, 300, seed)
        assert all(abs(a - b) <= 1 / 32 + 1e-12 for a, b in zip(d0, d1, strict=True)), (seed, d0, d1)
        assert h1[0] == pytest.approx(h0[0], rel=0.05)  # the same start, to within a few %
        for bias in (0.0, 0.01):
            dead, history = run(bias, 0.5, 0.0, 100, seed)
            assert dead[0] == 1.0, (seed, bias, dead)
            assert max(history) > 1e3 * history[0]  # it diverged first (fit stops there)


def test_e26_he_normal_std():
    """E26: He normal, which the notes leave out: N(0, 2/fan_in), std √(2/fan_in) (He et al.
    2015, eq. 10); the notes' He uniform limit √(6/fan_in) has the same variance."""
    fan_in, fan_out = 400, 600
    w = init.he_normal((fan_in, fan_out), rng=0)
    assert w.mean() == pytest.approx(0.0, abs=2e-3)
    assert w.std() == pytest.approx(math.sqrt(2.0 / fan_in), rel=0.02)
    u = init.he_uniform((fan_in, fan_out), rng=0)
    assert np.abs(u).max() <= math.sqrt(6.0 / fan_in)
    assert u.var() == pytest.approx(w.var(), rel=0.03)


def test_e27_variance_one_over_fan_in_is_lecun_initialization():
    """E27: the notes' randn(n_in, n_out)·√(1/n_in) (variance 1/fan_in) is LeCun initialization
    (LeCun et al. 1998), not Xavier, which averages fan_in and fan_out."""
    fan_in, fan_out = 250, 1000
    notes = np.random.default_rng(0).standard_normal((fan_in, fan_out)) * math.sqrt(1 / fan_in)
    lecun = init.lecun_normal((fan_in, fan_out), rng=0)
    assert lecun.std() == pytest.approx(notes.std(), rel=0.03)
    assert lecun.std() == pytest.approx(math.sqrt(1 / fan_in), rel=0.03)
    xavier = init.xavier_normal((fan_in, fan_out), rng=0)
    assert abs(xavier.std() - notes.std()) > 0.2 * notes.std()  # a different rule unless fan_in = fan_out
