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


# ---------------------------------------------------------------- BCE in float32, small p, logits
def test_bce_clamps_each_log_at_minus_100_in_float32_too():
    for dtype in (np.float32, np.float64):
        p, y = np.array([0.0, 1.0], dtype), np.array([1.0, 0.0], dtype)
        assert mgx.binary_cross_entropy(mgx.Tensor(p), mgx.Tensor(y)).item() == 100.0  # not 87.34


def test_bce_is_accurate_for_tiny_p():
    """−ln(1 − p) ≈ p for tiny p: log1p keeps it; ln(1 − p) loses it entirely in float32."""
    for dtype, rtol in ((np.float32, 1e-6), (np.float64, 1e-14)):
        for p in (1e-7, 1e-10, 1e-20):
            got = mgx.binary_cross_entropy(mgx.Tensor(np.array([p], dtype)), mgx.Tensor(np.zeros(1, dtype)))
            exact = -np.log1p(-np.float64(np.array(p, dtype)))
            np.testing.assert_allclose(got.item(), exact, rtol=rtol)
    # a sigmoid output at z = −40 and target 0: the loss is σ(−40) ≈ 4.2e-18, not −0.0
    z = mgx.Tensor(np.array([-40.0]))
    loss = mgx.binary_cross_entropy(mgx.sigmoid(z), mgx.Tensor(np.zeros(1)))
    np.testing.assert_allclose(loss.item(), 1 / (1 + np.exp(40.0)), rtol=1e-12)


@pytest.mark.parametrize("bad", [-0.5, 1.5, np.nan])
def test_bce_rejects_targets_outside_unit_interval(bad):
    with pytest.raises(ValueError, match=r"targets must lie in \[0, 1\], found"):
        mgx.binary_cross_entropy(mgx.Tensor([0.5]), mgx.Tensor([bad]))
    with pytest.raises(ValueError, match=r"targets must lie in \[0, 1\], found"):
        mgx.binary_cross_entropy_with_logits(mgx.Tensor([0.5]), mgx.Tensor([bad]))


Z_EXTREMES = np.array([-1e3, -40.0, -3.0, 0.0, 2.5, 40.0, 1e3])
T_EXTREMES = np.array([0.0, 1.0, 0.25, 0.5, 1.0, 0.0, 1.0])


def test_bce_with_logits_by_hand_and_against_central_differences():
    from oracles import central_diff

    z = np.array([-2.0, 0.0, 3.0])
    t = np.array([0.0, 1.0, 0.3])
    Z, T = mgx.Tensor(z, requires_grad=True), mgx.Tensor(t, requires_grad=True)
    loss = mgx.binary_cross_entropy_with_logits(Z, T)
    s = 1 / (1 + np.exp(-z))
    by_hand = -np.mean(t * np.log(s) + (1 - t) * np.log(1 - s))
    np.testing.assert_allclose(loss.item(), by_hand, rtol=1e-14)
    loss.backward()
    np.testing.assert_allclose(Z.grad, (s - t) / 3, rtol=1e-13)
    np.testing.assert_allclose(T.grad, -z / 3, rtol=1e-13)

    def f(v):
        return np.mean(np.maximum(v, 0) - v * t + np.log1p(np.exp(-np.abs(v))))

    np.testing.assert_allclose(Z.grad, central_diff(f, [z], 0, np.ones(())), rtol=1e-7, atol=1e-10)


def test_bce_with_logits_is_finite_and_exact_at_the_extremes():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Z = mgx.Tensor(Z_EXTREMES, requires_grad=True)
        loss = mgx.binary_cross_entropy_with_logits(Z, mgx.Tensor(T_EXTREMES))
        loss.backward()
    # z = −1e3 with t = 0 and z = 1e3 with t = 1 cost nothing; −40 with t = 1 costs 40, 40 with t = 0 too
    per = np.maximum(Z_EXTREMES, 0) - Z_EXTREMES * T_EXTREMES + np.log1p(np.exp(-np.abs(Z_EXTREMES)))
    assert per[0] == 0.0 and per[-1] == 0.0 and abs(per[1] - 40.0) < 1e-15
    np.testing.assert_allclose(loss.item(), per.mean(), rtol=1e-15)
    assert np.all(np.isfinite(Z.grad))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_bce_and_bce_with_logits_equal_pytorch(dtype):
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle here (pip install torch)")
    F = torch.nn.functional
    np_dtype = np.dtype(dtype)
    p = np.array([0.0, 1.0, 1e-7, 0.5, 1 - 1e-7, 0.3], np_dtype)
    y = np.array([1.0, 0.0, 0.0, 0.3, 1.0, 1.0], np_dtype)
    P = mgx.Tensor(p, requires_grad=True)
    ours = mgx.binary_cross_entropy(P, mgx.Tensor(y))
    ours.backward()
    tp = torch.tensor(p, requires_grad=True)
    theirs = F.binary_cross_entropy(tp, torch.tensor(y))
    theirs.backward()
    rtol = 1e-6 if dtype == "float32" else 1e-13
    np.testing.assert_allclose(ours.item(), theirs.item(), rtol=rtol)
    np.testing.assert_allclose(P.grad, tp.grad.numpy(), rtol=rtol)

    z, t = Z_EXTREMES.astype(np_dtype), T_EXTREMES.astype(np_dtype)
    Z, T = mgx.Tensor(z, requires_grad=True), mgx.Tensor(t, requires_grad=True)
    ours = mgx.nn.BCEWithLogitsLoss()(Z, T)
    ours.backward()
    tz, tt = torch.tensor(z, requires_grad=True), torch.tensor(t, requires_grad=True)
    theirs = torch.nn.BCEWithLogitsLoss()(tz, tt)
    theirs.backward()
    assert ours.dtype == np_dtype
    np.testing.assert_allclose(ours.item(), theirs.item(), rtol=rtol)
    np.testing.assert_allclose(Z.grad, tz.grad.numpy(), rtol=rtol, atol=1e-30)
    np.testing.assert_allclose(T.grad, tt.grad.numpy(), rtol=rtol)
