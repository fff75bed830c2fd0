"""Losses: PyTorch semantics, including BCE's clamp at p = 0 and 1."""

import warnings

import numpy as np
import pytest

import microgradx as mgx


def test_mse_value_and_gradient_by_hand():
    p = mgx.Tensor([1.0, 2.0, 4.0], requires_grad=True)
    y = mgx.Tensor([1.0, 1.0, 1.0], requires_grad=True)
    loss = mgx.mse_loss(p, y)
    assert loss.op == "mse_loss" and loss.item() == pytest.approx((0 + 1 + 9) / 3)
    loss.backward()
    np.testing.assert_allclose(p.grad, [0.0, 2 / 3, 2.0])
    np.testing.assert_allclose(y.grad, [0.0, -2 / 3, -2.0])


def test_bce_by_hand():
    p = mgx.Tensor([0.8, 0.1], requires_grad=True)
    loss = mgx.binary_cross_entropy(p, mgx.Tensor([1.0, 0.0]))
    assert loss.item() == pytest.approx(-(np.log(0.8) + np.log(0.9)) / 2)
    loss.backward()
    np.testing.assert_allclose(p.grad, [-1 / 0.8 / 2, 1 / 0.9 / 2])


@pytest.mark.torch
@pytest.mark.parametrize(
    ("p", "y"),
    [
        ([0.0, 1.0, 0.0, 1.0], [0.0, 1.0, 1.0, 0.0]),
        ([0.0, 1.0, 0.5, 1e-300], [0.3, 0.7, 0.5, 1.0]),
        ([1e-12, 1 - 1e-12, 0.25, 0.75], [1.0, 0.0, 0.0, 1.0]),
    ],
)
def test_bce_equals_pytorch_at_the_edges(p, y):
    torch = pytest.importorskip("torch")
    P = mgx.Tensor(p, requires_grad=True)
    Y = mgx.Tensor(y, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = mgx.binary_cross_entropy(P, Y)
        loss.backward()
    tp = torch.tensor(p, dtype=torch.float64, requires_grad=True)
    ty = torch.tensor(y, dtype=torch.float64, requires_grad=True)
    tl = torch.nn.functional.binary_cross_entropy(tp, ty)
    tl.backward()
    assert np.isfinite(loss.item()) and np.isfinite(P.grad).all()
    np.testing.assert_allclose(loss.item(), tl.item(), rtol=1e-12)
    # gradients up to 2.5e11 at p = 1e-12: agree to 1e-10 relative (rounding order differs)
    np.testing.assert_allclose(P.grad, tp.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(Y.grad, ty.grad.numpy(), rtol=1e-10)


@pytest.mark.torch
def test_mse_equals_pytorch_float32():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    p, y = rng.normal(size=(8, 1)).astype(np.float32), rng.normal(size=(8, 1)).astype(np.float32)
    P = mgx.Tensor(p, requires_grad=True)
    loss = mgx.mse_loss(P, y)
    loss.backward()
    tp = torch.tensor(p, requires_grad=True)
    tl = torch.nn.functional.mse_loss(tp, torch.tensor(y))
    tl.backward()
    assert loss.dtype == np.float32 and P.grad.dtype == np.float32
    np.testing.assert_allclose(loss.item(), tl.item(), rtol=1e-6)
    np.testing.assert_allclose(P.grad, tp.grad.numpy(), rtol=1e-6)


def test_bce_rejects_probabilities_outside_unit_interval():
    with pytest.raises(ValueError, match=r"binary_cross_entropy.*\[0, 1\].*1\.5"):
        mgx.binary_cross_entropy(mgx.Tensor([0.5, 1.5]), mgx.Tensor([0.0, 1.0]))


def test_sigmoid_then_bce_collapses_to_p_minus_y():
    z = mgx.Tensor([-2.0, 0.5, 3.0], requires_grad=True)
    y = np.array([0.0, 1.0, 1.0])
    mgx.binary_cross_entropy(mgx.sigmoid(z), y).backward()
    s = 1 / (1 + np.exp(-z.data))
    np.testing.assert_allclose(z.grad, (s - y) / 3, rtol=1e-12)
