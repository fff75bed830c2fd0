"""Training against PyTorch as the oracle: same MLP, same weights, same SGD, step for step in float64.

A microgradx ``MLP`` is mirrored by a ``torch.nn.Sequential`` of ``Linear`` and activation
modules; weights are copied across with a transpose (our weight is ``(in, out)``, torch's
``Linear.weight`` is ``(out, in)``). Both are trained with SGD for 35 steps; every step's loss
and the final weights must agree to 1e-8 relative.
"""

from __future__ import annotations

import numpy as np
import pytest

import microgradx as mgx
from microgradx import nn, optim

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "selu"]
SGD_CONFIGS = {
    "plain": dict(lr=0.1),
    "momentum+weight_decay": dict(lr=0.05, momentum=0.9, weight_decay=0.01),
    "nesterov": dict(lr=0.05, momentum=0.9, nesterov=True),
    "dampening": dict(lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.001),
}
STEPS = 35
RTOL = 1e-8


def _torch_activation(name: str):
    return {
        "sigmoid": torch.nn.Sigmoid,
        "tanh": torch.nn.Tanh,
        "relu": torch.nn.ReLU,
        "leaky_relu": torch.nn.LeakyReLU,
        "prelu": torch.nn.PReLU,
        "elu": torch.nn.ELU,
        "selu": torch.nn.SELU,
    }[name]()


def _mirror(net: nn.MLP, activation: str, output_activation: str | None, dtype=None):
    """A torch.nn.Sequential equal to ``net``, weights copied (transposed), plus a list of
    (our parameter, torch parameter, transpose?) pairs for comparing them later."""
    dtype = dtype or torch.float64
    modules, pairs = [], []
    for k, layer in enumerate(net.layers):
        lin = torch.nn.Linear(layer.in_features, layer.out_features).to(dtype)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(layer.weight.data.T.copy()))
            lin.bias.copy_(torch.from_numpy(layer.bias.data.copy()))
        modules.append(lin)
        pairs += [(layer.weight, lin.weight, True), (layer.bias, lin.bias, False)]
        act = activation if k < len(net.layers) - 1 else output_activation
        if act is not None:
            t_act = _torch_activation(act).to(dtype)
            if act == "prelu":
                with torch.no_grad():
                    t_act.weight.copy_(torch.from_numpy(layer.activation.weight.data.copy()))
                pairs.append((layer.activation.weight, t_act.weight, False))
            modules.append(t_act)
    return torch.nn.Sequential(*modules), pairs


def _data(n=24, seed=0):
    gen = np.random.default_rng(seed)
    X = gen.uniform(-1.5, 1.5, size=(n, 3))
    y = np.sin(2 * X[:, :1]) * X[:, 1:2] - 0.5 * X[:, 2:3] ** 2
    return X, y


def _train_both(net, tnet, X, y, config, loss="mse"):
    opt = optim.SGD(net.parameters(), **config)
    topt = torch.optim.SGD(tnet.parameters(), **config)
    Xm, ym = mgx.Tensor(X), mgx.Tensor(y)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    ours_loss = nn.MSELoss() if loss == "mse" else nn.BCELoss()
    torch_loss = torch.nn.MSELoss() if loss == "mse" else torch.nn.BCELoss()
    ours, theirs = [], []
    for _ in range(STEPS):
        L = ours_loss(net(Xm), ym)
        opt.zero_grad()
        L.backward()
        opt.step()
        ours.append(L.item())

        tL = torch_loss(tnet(Xt), yt)
        topt.zero_grad()
        tL.backward()
        topt.step()
        theirs.append(tL.item())
    return np.array(ours), np.array(theirs)


@pytest.mark.parametrize("config_name", list(SGD_CONFIGS))
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_mlp_sgd_matches_torch_step_for_step(activation, config_name):
    X, y = _data()
    net = nn.MLP(3, [8, 6, 1], activation=activation, rng=11)
    tnet, pairs = _mirror(net, activation, None)
    ours, theirs = _train_both(net, tnet, X, y, SGD_CONFIGS[config_name])

    # the loss must actually move, or the comparison says little
    assert ours[-1] < ours[0]
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=0)
    for p, tp, transpose in pairs:
        expected = tp.detach().numpy()
        np.testing.assert_allclose(p.data, expected.T if transpose else expected, rtol=RTOL, atol=1e-14)


@pytest.mark.parametrize("config_name", ["plain", "nesterov"])
def test_bce_with_sigmoid_output_matches_torch(config_name):
    gen = np.random.default_rng(3)
    X = gen.normal(size=(40, 2))
    y = (X[:, :1] * X[:, 1:2] > 0).astype(np.float64)
    net = nn.MLP(2, [8, 1], activation="tanh", output_activation="sigmoid", rng=5)
    tnet, pairs = _mirror(net, "tanh", "sigmoid")
    ours, theirs = _train_both(net, tnet, X, y, SGD_CONFIGS[config_name], loss="bce")
    assert ours[-1] < ours[0]
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=0)
    for p, tp, transpose in pairs:
        expected = tp.detach().numpy()
        np.testing.assert_allclose(p.data, expected.T if transpose else expected, rtol=RTOL, atol=1e-14)


def test_sgd_skips_params_without_grad_like_torch():
    # Two parameters, only one used in the loss: torch leaves the other untouched (grad None),
    # even with weight decay and momentum.
    a, b = nn.Parameter([1.0, 2.0]), nn.Parameter([3.0])
    ta = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    tb = torch.tensor([3.0], dtype=torch.float64, requires_grad=True)
    cfg = dict(lr=0.1, momentum=0.9, weight_decay=0.1)
    opt, topt = optim.SGD([a, b], **cfg), torch.optim.SGD([ta, tb], **cfg)
    for _ in range(3):
        opt.zero_grad()
        (a * a).sum().backward()
        opt.step()
        topt.zero_grad()
        (ta * ta).sum().backward()
        topt.step()
    np.testing.assert_allclose(a.data, ta.detach().numpy(), rtol=1e-12)
    assert b.data.tolist() == tb.detach().numpy().tolist() == [3.0]


def test_prelu_module_matches_torch_default():
    ours = nn.PReLU()
    theirs = torch.nn.PReLU().double()
    assert ours.weight.shape == tuple(theirs.weight.shape)
    np.testing.assert_array_equal(ours.weight.data, theirs.weight.detach().numpy())
    x = np.array([[-2.0, 0.0, 3.0]])
    np.testing.assert_allclose(ours(x).data, theirs(torch.from_numpy(x)).detach().numpy())


@pytest.mark.parametrize(
    ("nonlinearity", "param"),
    [
        ("linear", None),
        ("conv1d", None),
        ("conv2d", None),
        ("conv3d", None),
        ("conv_transpose1d", None),
        ("conv_transpose2d", None),
        ("conv_transpose3d", None),
        ("sigmoid", None),
        ("tanh", None),
        ("relu", None),
        ("leaky_relu", None),
        ("leaky_relu", 0.2),
        ("leaky_relu", 3),
        ("selu", None),
    ],
)
def test_calculate_gain_matches_torch(nonlinearity, param):
    assert mgx.init.calculate_gain(nonlinearity, param) == pytest.approx(
        torch.nn.init.calculate_gain(nonlinearity, param), rel=1e-15
    )


@pytest.mark.parametrize(
    ("ours", "theirs", "kw"),
    [
        ("xavier_uniform", "xavier_uniform_", {}),
        ("xavier_normal", "xavier_normal_", {}),
        ("he_uniform", "kaiming_uniform_", {"nonlinearity": "relu"}),
        ("he_normal", "kaiming_normal_", {"nonlinearity": "relu"}),
    ],
)
def test_initializer_spread_matches_torch(ours, theirs, kw):
    # Same distribution as torch's initializer on the transposed (out, in) shape.
    shape = (300, 500)
    w = getattr(mgx.init, ours)(shape, rng=0)
    t = torch.empty(shape[1], shape[0], dtype=torch.float64)
    torch.manual_seed(0)
    getattr(torch.nn.init, theirs)(t, **kw)
    tw = t.numpy()
    assert w.std() == pytest.approx(tw.std(), rel=0.02)
    if ours.endswith("uniform"):
        assert abs(w).max() == pytest.approx(abs(tw).max(), rel=0.01)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_float32_mlp_matches_torch_float32(activation):
    """dtype=float32 end to end: 50 steps of SGD with momentum agree with torch float32 to ~1e-6."""
    X, y = (a.astype(np.float32) for a in _data())
    net = nn.MLP(3, [8, 6, 1], activation=activation, rng=11, dtype=np.float32)
    assert {p.dtype for p in net.parameters()} == {np.dtype(np.float32)}
    tnet, pairs = _mirror(net, activation, None, dtype=torch.float32)
    config = SGD_CONFIGS["momentum+weight_decay"]
    opt = optim.SGD(net.parameters(), **config)
    topt = torch.optim.SGD(tnet.parameters(), **config)
    Xm, ym, Xt, yt = mgx.Tensor(X), mgx.Tensor(y), torch.from_numpy(X), torch.from_numpy(y)
    for _ in range(50):
        L = mgx.mse_loss(net(Xm), ym)
        opt.zero_grad()
        L.backward()
        opt.step()
        tL = torch.nn.functional.mse_loss(tnet(Xt), yt)
        topt.zero_grad()
        tL.backward()
        topt.step()
        assert L.dtype == np.float32
        np.testing.assert_allclose(L.item(), tL.item(), rtol=2e-5)
    for p, tp, transpose in pairs:
        expected = tp.detach().numpy()
        assert p.dtype == np.float32
        np.testing.assert_allclose(p.data, expected.T if transpose else expected, rtol=1e-4, atol=2e-6)
