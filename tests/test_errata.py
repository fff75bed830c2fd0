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
    assert mgx.SELU_SCALE == pytest.approx(PAPER_SELU_SCALE, abs=1e-15)
    assert mgx.SELU_ALPHA == pytest.approx(PAPER_SELU_ALPHA, abs=1e-15)
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
    f = lambda v: PAPER_SELU_SCALE * np.where(v > 0, v, PAPER_SELU_ALPHA * np.expm1(v))
    np.testing.assert_allclose(_grad(mgx.selu, x), _central(f, x), rtol=1e-7)
    np.testing.assert_allclose(_grad(mgx.selu, x[:3]), PAPER_SELU_SCALE * PAPER_SELU_ALPHA * np.exp(x[:3]),
                               rtol=1e-13)
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
        expected = np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))   # α(eˣ − 1), computed stably
        np.testing.assert_allclose(_value(mgx.elu, x, alpha=alpha), expected, rtol=1e-12)
        notes_at_0 = alpha * math.exp(0.0 - 1.0)
        assert abs(_value(mgx.elu, 0.0, alpha=alpha) - notes_at_0) > 0.18


def test_e5_elu_differentiable_at_zero_only_when_alpha_is_one():
    """E5: the one-sided slopes of ELU at 0 are 1 (right) and α (left): equal only for α = 1."""
    h = 1e-7
    for alpha in (0.5, 1.0, 1.5):
        f = lambda v: float(np.where(v > 0, v, alpha * np.expm1(min(v, 0.0))))
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
    torch = pytest.importorskip("torch")
    assert torch.nn.ELU().alpha == 1.0


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
    paper = math.sqrt(2.0 / (fan_in + fan_out))      # 0.0447
    notes = 2.0 / math.sqrt(fan_in + fan_out)        # 0.0632
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
    assert np.abs(z).max() < 0.15 * 250


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
    assert float(b31.grad) == pytest.approx(1.0)   # ∂z/∂b = 1, but b's term contributes 0 to ∂z/∂w21
    # w'21 (input x2 -> node 1) gets ∂L/∂z11 · x2 and nothing from node 2.
    x1, x2 = 0.7, -1.2
    W = mgx.Tensor([[0.5, 0.5], [0.5, 0.5]], requires_grad=True)   # W[i, j]: input i -> node j
    z = mgx.Tensor([[x1, x2]]) @ W
    a = z.sigmoid()
    v = mgx.Tensor([[2.0], [-1.0]])
    y = (a @ v).sum()
    y.backward()
    dz11 = 2.0 * float(a.data[0, 0] * (1 - a.data[0, 0]))
    assert W.grad[1, 0] == pytest.approx(dz11 * x2)
