"""Property tests: random broadcast shapes and values (hypothesis) against the HIPS autograd oracle."""

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import away_from_zero, broadcast_pairs, values

import microgradx as mgx

BINARY = {
    "add": (lambda a, b: a + b, lambda a, b: a + b),
    "sub": (lambda a, b: a - b, lambda a, b: a - b),
    "mul": (lambda a, b: a * b, lambda a, b: a * b),
    "div": (lambda a, b: a / b, lambda a, b: a / b),
}


def _oracle_grads(ref, a, b, w):
    f = lambda x, y: anp.sum(w * ref(x, y))  # noqa: E731
    return autograd.grad(f, 0)(a, b), autograd.grad(f, 1)(a, b)


@pytest.mark.parametrize("name", list(BINARY))
@settings(max_examples=40, deadline=None)
@given(data=st.data(), shapes=broadcast_pairs)
def test_binary_ops_on_random_broadcast_shapes(name, data, shapes):
    (sa, sb), out_shape = shapes.input_shapes, shapes.result_shape
    a = data.draw(values(sa))
    b = data.draw(away_from_zero(sb, 0.5, 3.0) if name == "div" else values(sb))
    w = data.draw(values(out_shape))
    ours, ref = BINARY[name]
    A, B = mgx.Tensor(a, requires_grad=True), mgx.Tensor(b, requires_grad=True)
    out = ours(A, B)
    assert out.shape == out_shape
    np.testing.assert_allclose(out.data, ref(a, b), rtol=1e-15)
    out.backward(np.asarray(w))
    ga, gb = _oracle_grads(ref, a, b, w)
    np.testing.assert_allclose(A.grad, ga, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(B.grad, gb, rtol=1e-12, atol=1e-12)
    assert A.grad.shape == sa and B.grad.shape == sb


@settings(max_examples=40, deadline=None)
@given(
    data=st.data(),
    n=st.integers(1, 4),
    k=st.integers(1, 4),
    m=st.integers(1, 4),
    batch=st.sampled_from([(), (2,), (1,), (3, 1)]),
)
def test_matmul_shapes(data, n, k, m, batch):
    a = data.draw(values((*batch, n, k)))
    b = data.draw(values((k, m)))
    A, B = mgx.Tensor(a, requires_grad=True), mgx.Tensor(b, requires_grad=True)
    out = A @ B
    w = data.draw(values(out.shape))
    out.backward(w)
    ga = autograd.grad(lambda x: anp.sum(w * anp.matmul(x, b)))(a)
    gb = autograd.grad(lambda y: anp.sum(w * anp.matmul(a, y)))(b)
    np.testing.assert_allclose(A.grad, ga, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(B.grad, gb, rtol=1e-12, atol=1e-12)


ACT = {
    "sigmoid": (mgx.sigmoid, lambda x: 1 / (1 + anp.exp(-x))),
    "tanh": (mgx.tanh, anp.tanh),
    "relu": (mgx.relu, lambda x: anp.maximum(x, 0.0)),
    "leaky_relu": (mgx.leaky_relu, lambda x: anp.where(x > 0, x, 0.01 * x)),
    "elu": (mgx.elu, lambda x: anp.where(x > 0, x, anp.exp(anp.minimum(x, 0)) - 1)),
}


@pytest.mark.parametrize("name", list(ACT))
@settings(max_examples=30, deadline=None)
@given(data=st.data(), shape=st.sampled_from([(), (3,), (2, 3), (2, 1, 2)]))
def test_activation_chains_against_autograd(name, data, shape):
    """act(x)·x + act(2x): every activation inside a small graph with a repeated input."""
    x = data.draw(away_from_zero(shape, 0.05, 4.0))
    ours, ref = ACT[name]
    X = mgx.Tensor(x, requires_grad=True)
    (ours(X) * X + ours(X * 2)).sum().backward()
    g = autograd.grad(lambda v: anp.sum(ref(v) * v + ref(v * 2)))(x)
    np.testing.assert_allclose(X.grad, g, rtol=1e-12, atol=1e-14)


# ---------------------------------------------------------------- gradient laws
# Laws the notes' derivations rely on, for any x (hypothesis), from the engine's backward pass:
# σ′ and tanh′ are even (σ′(x) = σ(x)σ(−x)), relu′(x) + relu′(−x) = 1 off the kink, and the
# leaky slope on the left is exactly negative_slope.
_finite = st.floats(min_value=-30.0, max_value=30.0, allow_nan=False)


def _grad(fn, x: float) -> float:
    t = mgx.Tensor(x, requires_grad=True)
    fn(t).backward()
    return float(t.grad)


@settings(max_examples=200, deadline=None)
@given(x=_finite)
def test_sigmoid_and_tanh_derivatives_are_even(x):
    # σ′ = σ(1 − σ) and tanh′ = 1 − tanh², as PyTorch computes them from the output: for large
    # |x| the output rounds near ±1, so the derivative carries an absolute error of a few ulps of
    # 1 (2.2e-16), not a relative one. The law holds to that.
    for fn in (mgx.sigmoid, mgx.tanh):
        assert _grad(fn, x) == pytest.approx(_grad(fn, -x), rel=1e-12, abs=1e-15)
    s = 1.0 / (1.0 + np.exp(-x))
    assert _grad(mgx.sigmoid, x) == pytest.approx(s * (1.0 - s), rel=1e-12, abs=1e-15)


@settings(max_examples=200, deadline=None)
@given(x=_finite.filter(lambda v: v != 0.0))
def test_relu_derivative_at_x_and_minus_x_sums_to_one(x):
    assert _grad(mgx.relu, x) + _grad(mgx.relu, -x) == 1.0
    slope = 0.01
    left, right = sorted((x, -x))
    assert _grad(lambda t: mgx.leaky_relu(t, slope), left) == slope
    assert _grad(lambda t: mgx.leaky_relu(t, slope), right) == 1.0
