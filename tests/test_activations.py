"""Activations: PyTorch's values and gradients on a grid, exactly at 0 and at |x| = 1e3;
the notes' derivative formulas; algebraic laws (property tests)."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import microgradx as mgx
from microgradx.function import registry

GRID = np.concatenate(
    [np.linspace(-10, 10, 201), [-1e3, -700.0, -50.0, -1e-8, 0.0, 1e-8, 50.0, 700.0, 1e3, -0.0]]
)

# name -> (microgradx call, torch call builder)
ACTS = {
    "sigmoid": (mgx.sigmoid, lambda F, t: t.sigmoid()),
    "tanh": (mgx.tanh, lambda F, t: t.tanh()),
    "relu": (mgx.relu, lambda F, t: t.relu()),
    "leaky_relu": (mgx.leaky_relu, lambda F, t: F.leaky_relu(t)),
    "leaky_relu_0.3": (lambda x: mgx.leaky_relu(x, 0.3), lambda F, t: F.leaky_relu(t, 0.3)),
    "elu": (mgx.elu, lambda F, t: F.elu(t)),
    "elu_alpha_0.7": (lambda x: mgx.elu(x, alpha=0.7), lambda F, t: F.elu(t, alpha=0.7)),
    "selu": (mgx.selu, lambda F, t: F.selu(t)),
    "prelu": (
        lambda x: mgx.prelu(x, mgx.Tensor(np.array([0.25], dtype=x.dtype))),
        lambda F, t: F.prelu(t, t.new_tensor([0.25])),
    ),
}


def _ours(fn, xs, dtype=np.float64):
    x = mgx.Tensor(xs.astype(dtype), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow / divide / invalid warnings, anywhere
        y = fn(x)
        y.backward(np.ones_like(y.data))
    return y.data, x.grad


@pytest.mark.torch
@pytest.mark.parametrize("name", list(ACTS))
def test_values_and_gradients_equal_pytorch_float64(name):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    fn, tfn = ACTS[name]
    value, grad = _ours(fn, GRID)
    t = torch.tensor(GRID, dtype=torch.float64, requires_grad=True)
    ty = tfn(F, t)
    ty.backward(torch.ones_like(ty))
    np.testing.assert_allclose(value, ty.detach().numpy(), rtol=1e-9, atol=0)
    # Near saturation σ' and tanh' are tiny differences of numbers close to 1: one ulp of
    # difference between NumPy's and PyTorch's tanh (2.2e-16) moves 1 − tanh² by up to 4.4e-16
    # absolute, which at x = ±10 is 5e-8 relative. So: 1e-9 relative, or 1e-15 absolute.
    np.testing.assert_allclose(grad, t.grad.numpy(), rtol=1e-9, atol=1e-15)


@pytest.mark.torch
@pytest.mark.parametrize("name", list(ACTS))
def test_float32_close_to_pytorch_and_finite(name):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    fn, tfn = ACTS[name]
    value, grad = _ours(fn, GRID, np.float32)
    assert value.dtype == np.float32 and grad.dtype == np.float32
    assert np.isfinite(value).all() and np.isfinite(grad).all()
    t = torch.tensor(GRID, dtype=torch.float32, requires_grad=True)
    ty = tfn(F, t)
    ty.backward(torch.ones_like(ty))
    # float32: 2e-6 relative, or 3e-7 absolute (2.5 ulp of 1.0: tanh/sigmoid near saturation).
    np.testing.assert_allclose(value, ty.detach().numpy(), rtol=2e-6, atol=3e-7)
    np.testing.assert_allclose(grad, t.grad.numpy(), rtol=2e-6, atol=3e-7)


# The derivative exactly at 0, as API.md fixes it (and PyTorch computes it).
AT_ZERO = {
    "sigmoid": 0.25,
    "tanh": 1.0,
    "relu": 0.0,
    "leaky_relu": 0.01,
    "leaky_relu_0.3": 0.3,
    "elu": 1.0,
    "elu_alpha_0.7": 0.7,
    "selu": 1.0507009873554805 * 1.6732632423543772,
    "prelu": 0.25,
}


@pytest.mark.parametrize("name", list(AT_ZERO))
def test_derivative_exactly_at_zero(name):
    _, grad = _ours(ACTS[name][0], np.array([0.0]))
    assert grad[0] == pytest.approx(AT_ZERO[name], rel=1e-15)


@pytest.mark.parametrize("name", list(ACTS))
def test_extremes_are_finite_and_exact_limits(name):
    value, grad = _ours(ACTS[name][0], np.array([-1e3, 1e3]))
    assert np.isfinite(value).all() and np.isfinite(grad).all()


def test_extreme_values_known_in_closed_form():
    x = np.array([-1e3, 1e3])
    v, g = _ours(mgx.sigmoid, x)
    np.testing.assert_array_equal(v, [0.0, 1.0])
    np.testing.assert_array_equal(g, [0.0, 0.0])
    v, g = _ours(mgx.tanh, x)
    np.testing.assert_array_equal(v, [-1.0, 1.0])
    np.testing.assert_array_equal(g, [0.0, 0.0])
    v, g = _ours(mgx.elu, x)
    np.testing.assert_array_equal(v, [-1.0, 1e3])
    np.testing.assert_array_equal(g, [0.0, 1.0])
    v, g = _ours(mgx.selu, x)
    np.testing.assert_allclose(
        v, [-1.0507009873554805 * 1.6732632423543772, 1.0507009873554805e3], rtol=1e-15
    )
    np.testing.assert_allclose(g, [0.0, 1.0507009873554805], rtol=1e-15)
    # Deep in the tail sigmoid keeps full relative precision: σ(−40) = e⁻⁴⁰/(1 + e⁻⁴⁰).
    v, g = _ours(mgx.sigmoid, np.array([-40.0]))
    assert v[0] == pytest.approx(np.exp(-40) / (1 + np.exp(-40)), rel=1e-14)


def test_notes_derivative_formulas():
    """The backward of each op is the derivative the notes write (given its forward value)."""
    x = np.linspace(-3, 3, 13)
    s, gs = _ours(mgx.sigmoid, x)
    np.testing.assert_allclose(gs, s * (1 - s), rtol=1e-15)  # σ(1−σ)
    t, gt = _ours(mgx.tanh, x)
    np.testing.assert_allclose(gt, 1 - t**2, rtol=1e-13)  # 1 − tanh²
    e, ge = _ours(mgx.elu, x)
    np.testing.assert_allclose(ge, np.where(x > 0, 1.0, e + 1.0), rtol=1e-13)  # ELU(x) + α on x ≤ 0
    _, gr = _ours(mgx.relu, x)
    np.testing.assert_array_equal(gr, (x > 0).astype(float))  # 1 / 0
    _, gl = _ours(mgx.leaky_relu, x)
    np.testing.assert_array_equal(gl, np.where(x > 0, 1.0, 0.01))  # 1 / α


def test_prelu_gradient_of_the_slope():
    x = mgx.Tensor([-2.0, -0.5, 0.0, 3.0], requires_grad=True)
    a = mgx.Tensor([0.25], requires_grad=True)
    mgx.prelu(x, a).sum().backward()
    assert a.grad.shape == (1,)
    assert a.grad[0] == pytest.approx(-2.5)  # Σ min(x, 0)
    np.testing.assert_array_equal(x.grad, [0.25, 0.25, 0.25, 1.0])


def test_prelu_per_channel_shape_error_names_shapes():
    with pytest.raises(ValueError, match=r"prelu.*\(4, 3\).*\(2,\)"):
        mgx.prelu(mgx.Tensor(np.ones((4, 3))), mgx.Tensor([0.1, 0.2]))


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "0.1", None, True])
def test_bad_hyperparameters_raise(bad):
    with pytest.raises(ValueError, match="negative_slope"):
        mgx.leaky_relu(mgx.Tensor([1.0]), bad)
    with pytest.raises(ValueError, match="alpha"):
        mgx.elu(mgx.Tensor([1.0]), alpha=bad)


def test_methods_and_functions_agree():
    x = mgx.Tensor(np.linspace(-2, 2, 5), requires_grad=True)
    w = mgx.Tensor([0.1])
    pairs = [
        (x.sigmoid(), mgx.sigmoid(x)),
        (x.tanh(), mgx.tanh(x)),
        (x.relu(), mgx.relu(x)),
        (x.leaky_relu(0.2), mgx.leaky_relu(x, 0.2)),
        (x.prelu(w), mgx.prelu(x, w)),
        (x.elu(0.5), mgx.elu(x, 0.5)),
        (x.selu(), mgx.selu(x)),
    ]
    for a, b in pairs:
        np.testing.assert_array_equal(a.data, b.data)
        assert a.op == b.op and callable(getattr(mgx.functional, a.op))


def test_every_activation_op_is_documented_with_formula_and_derivative():
    for name in ["sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "selu"]:
        cls = registry()[name]
        doc = cls.__doc__ or ""
        assert "Derivative" in doc and "Chain rule" in doc and "Notes" in doc, name
        assert cls.derivatives, name


floats = arrays(np.float64, st.integers(1, 8), elements=st.floats(-30, 30, allow_nan=False))


@settings(max_examples=60, deadline=None)
@given(floats)
def test_laws(x):
    s = mgx.sigmoid(mgx.Tensor(x)).data
    np.testing.assert_allclose(mgx.sigmoid(mgx.Tensor(-x)).data, 1 - s, atol=1e-15)  # σ(−x) = 1 − σ(x)
    np.testing.assert_allclose(mgx.tanh(mgx.Tensor(-x)).data, -np.tanh(x), atol=0)  # tanh is odd
    r = mgx.relu(mgx.Tensor(x)).data - mgx.relu(mgx.Tensor(-x)).data
    np.testing.assert_allclose(r, x, atol=0)  # relu(x) − relu(−x) = x
    np.testing.assert_allclose(
        mgx.tanh(mgx.Tensor(x)).data, 2 * mgx.sigmoid(mgx.Tensor(2 * x)).data - 1, atol=1e-14
    )
    assert (mgx.elu(mgx.Tensor(x)).data >= -1.0).all()
    assert (mgx.selu(mgx.Tensor(x)).data >= -1.0507009873554805 * 1.6732632423543772 - 1e-12).all()
