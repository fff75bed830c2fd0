"""Adam, AdamW and parameter groups against torch.optim as the oracle, step for step in float64.

The same MLP (weights copied, transposed: ours are ``(in, out)``, torch's ``Linear.weight`` is
``(out, in)``) is trained 50 steps by each engine with its own optimizer; every step's loss and
the final weights and optimizer state must agree to 1e-10. A second set feeds both optimizers
the very same gradients, so only the update rules are compared.
"""

from __future__ import annotations

import numpy as np
import pytest

import microgradx as mgx
from microgradx import nn, optim

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

STEPS = 50
RTOL = 1e-10
ATOL = 1e-12  # for entries that pass through zero


def _mirror(net: nn.MLP):
    """A torch Sequential equal to a tanh MLP, and the (ours, theirs, transposed?) pairs."""
    modules, pairs = [], []
    for k, layer in enumerate(net.layers):
        lin = torch.nn.Linear(layer.in_features, layer.out_features).double()
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(layer.weight.data.T.copy()))
            lin.bias.copy_(torch.from_numpy(layer.bias.data.copy()))
        modules.append(lin)
        pairs += [(layer.weight, lin.weight, True), (layer.bias, lin.bias, False)]
        if k < len(net.layers) - 1:
            modules.append(torch.nn.Tanh())
    return torch.nn.Sequential(*modules), pairs


def _data(n=32, seed=0):
    gen = np.random.default_rng(seed)
    X = gen.uniform(-2, 2, size=(n, 3))
    y = np.sin(2 * X[:, :1]) * X[:, 1:2] - 0.5 * X[:, 2:3] ** 2
    return X, y


def _as_numpy(value, transpose=False):
    arr = value.detach().numpy()
    return arr.T if transpose else arr


def _run_both(net, tnet, opt, topt, steps):
    X, y = _data()
    Xm, ym, Xt, yt = mgx.Tensor(X), mgx.Tensor(y), torch.from_numpy(X), torch.from_numpy(y)
    ours, theirs = [], []
    for _ in range(steps):
        L = mgx.mse_loss(net(Xm), ym)
        opt.zero_grad()
        L.backward()
        opt.step()
        ours.append(L.item())
        tL = torch.nn.functional.mse_loss(tnet(Xt), yt)
        topt.zero_grad()
        tL.backward()
        topt.step()
        theirs.append(tL.item())
    return np.array(ours), np.array(theirs)


def _train_both(make_ours, make_theirs, steps=STEPS):
    net = nn.MLP(3, [16, 8, 1], activation="tanh", rng=5)
    tnet, pairs = _mirror(net)
    opt, topt = make_ours(net), make_theirs(tnet)
    ours, theirs = _run_both(net, tnet, opt, topt, steps)
    return ours, theirs, pairs, opt, topt


def _assert_same_weights_and_state(pairs, opt, topt):
    tstate = topt.state_dict()["state"]
    ostate = opt.state_dict()["state"]
    assert sorted(ostate) == sorted(tstate)
    for i, (ours, theirs, transpose) in enumerate(pairs):
        np.testing.assert_allclose(ours.data, _as_numpy(theirs, transpose), rtol=RTOL, atol=ATOL)
        assert set(ostate[i]) == set(tstate[i])
        for key, value in tstate[i].items():
            if key == "step":
                assert ostate[i][key] == value.item()
            else:
                np.testing.assert_allclose(ostate[i][key], _as_numpy(value, transpose), rtol=RTOL, atol=ATOL)


ADAM_CONFIGS = [dict(amsgrad=amsgrad, weight_decay=wd) for amsgrad in (False, True) for wd in (0.0, 0.1)]


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
@pytest.mark.parametrize(
    "config", ADAM_CONFIGS, ids=lambda c: f"amsgrad={c['amsgrad']},wd={c['weight_decay']}"
)
def test_50_mlp_steps_match_torch(name, config):
    config = dict(lr=0.02, **config)
    ours, theirs, pairs, opt, topt = _train_both(
        lambda net: getattr(optim, name)(net.parameters(), **config),
        lambda tnet: getattr(torch.optim, name)(tnet.parameters(), **config),
    )
    np.testing.assert_allclose(ours, theirs, rtol=RTOL)
    assert ours[-1] < 0.5 * ours[0]  # it trained: the comparison is not of two idle runs
    _assert_same_weights_and_state(pairs, opt, topt)


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_defaults_match_torch(name):
    ours, theirs, pairs, opt, topt = _train_both(
        lambda net: getattr(optim, name)(net.parameters()),
        lambda tnet: getattr(torch.optim, name)(tnet.parameters()),
    )
    np.testing.assert_allclose(ours, theirs, rtol=RTOL)
    _assert_same_weights_and_state(pairs, opt, topt)
    tgroup = topt.state_dict()["param_groups"][0]
    for key, value in opt.state_dict()["param_groups"][0].items():
        assert tgroup[key] == value, key


def _two_groups(model, layers, **head):
    hidden = [p for layer in layers[:-1] for p in (layer.weight, layer.bias)]
    last = [layers[-1].weight, layers[-1].bias]
    return [{"params": hidden}, {"params": last, **head}]


GROUP_CASES = {
    "adam": ("Adam", dict(lr=0.01, amsgrad=True), dict(lr=0.05, weight_decay=0.1)),
    "adamw": ("AdamW", dict(lr=0.01), dict(lr=0.001, betas=(0.5, 0.9))),
    "sgd": ("SGD", dict(lr=0.05, momentum=0.9), dict(lr=0.2, nesterov=True)),
}


@pytest.mark.parametrize("case", list(GROUP_CASES))
def test_param_groups_with_two_lrs_match_torch(case):
    name, defaults, head = GROUP_CASES[case]
    ours, theirs, pairs, opt, topt = _train_both(
        lambda net: getattr(optim, name)(_two_groups(net, net.layers, **head), **defaults),
        lambda tnet: getattr(torch.optim, name)(
            _two_groups(tnet, [m for m in tnet if isinstance(m, torch.nn.Linear)], **head), **defaults
        ),
    )
    np.testing.assert_allclose(ours, theirs, rtol=RTOL)
    _assert_same_weights_and_state(pairs, opt, topt)
    ogroups, tgroups = opt.state_dict()["param_groups"], topt.state_dict()["param_groups"]
    assert [g["params"] for g in ogroups] == [g["params"] for g in tgroups] == [[0, 1, 2, 3], [4, 5]]
    assert [g["lr"] for g in ogroups] == [g["lr"] for g in tgroups]


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
@pytest.mark.parametrize("amsgrad", [False, True])
def test_same_gradients_same_updates_at_every_scale(name, amsgrad):
    """Only the update rule: both optimizers get identical gradients spanning 1e-8 .. 1e3."""
    gen = np.random.default_rng(7)
    start = gen.normal(size=(5, 4))
    w = nn.Parameter(start.copy())
    tw = torch.tensor(start.copy(), requires_grad=True)
    config = dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1, amsgrad=amsgrad)
    opt, topt = getattr(optim, name)([w], **config), getattr(torch.optim, name)([tw], **config)
    for _ in range(STEPS):
        g = gen.normal(size=(5, 4)) * 10.0 ** gen.integers(-8, 4, size=(5, 4))
        g[0, 0] = 0.0  # an entry that never moves by its gradient
        w.grad, tw.grad = g.copy(), torch.from_numpy(g.copy())
        opt.step()
        topt.step()
        np.testing.assert_allclose(w.data, tw.detach().numpy(), rtol=RTOL, atol=ATOL)


def test_a_torch_state_dict_loads_and_training_continues_alike():
    """torch's own state dict (tensors turned into arrays) resumes our optimizer where torch is."""
    net = nn.MLP(3, [16, 8, 1], activation="tanh", rng=5)
    tnet, pairs = _mirror(net)
    config = dict(lr=0.02, amsgrad=True, weight_decay=0.01)
    topt = torch.optim.AdamW(tnet.parameters(), **config)
    _run_both(net, tnet, optim.AdamW(net.parameters(), lr=0.0), topt, 10)  # only torch trains
    with torch.no_grad():  # our weights := torch's, and our optimizer state := torch's
        for ours_p, theirs_p, transpose in pairs:
            ours_p.data[...] = _as_numpy(theirs_p, transpose)
    tsd = topt.state_dict()
    opt = optim.AdamW(net.parameters(), lr=0.5)
    opt.load_state_dict(
        {
            "state": {
                i: {k: _as_numpy(v, pairs[i][2]) for k, v in st.items()} for i, st in tsd["state"].items()
            },
            "param_groups": tsd["param_groups"],  # torch's extra keys (foreach, fused, ...) are kept
        }
    )
    assert opt.param_groups[0]["lr"] == 0.02 and opt.state[net.layers[0].weight]["step"] == 10
    ours, theirs = _run_both(net, tnet, opt, topt, 20)
    np.testing.assert_allclose(ours, theirs, rtol=RTOL)
    _assert_same_weights_and_state(pairs, opt, topt)


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_float32_state_stays_float32_and_matches_torch_float32(name):
    gen = np.random.default_rng(8)
    start = gen.normal(size=(6, 3)).astype(np.float32)
    w = nn.Parameter(start.copy())
    tw = torch.tensor(start.copy(), requires_grad=True)
    config = dict(lr=0.01, weight_decay=0.1, amsgrad=True)
    opt, topt = getattr(optim, name)([w], **config), getattr(torch.optim, name)([tw], **config)
    for _ in range(STEPS):
        g = (gen.normal(size=(6, 3)) * 10.0 ** gen.integers(-3, 3, size=(6, 3))).astype(np.float32)
        w.grad, tw.grad = g.copy(), torch.from_numpy(g.copy())
        opt.step()
        topt.step()
    assert w.data.dtype == np.float32
    assert {v.dtype for k, v in opt.state[w].items() if k != "step"} == {np.dtype(np.float32)}
    np.testing.assert_allclose(w.data, tw.detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    ("name", "torch_name", "flags"),
    [
        ("SGD", "SGD", {"maximize": True}),
        ("Adam", "Adam", {"maximize": True}),
        ("Adam", "Adam", {"decoupled_weight_decay": True}),  # that is AdamW's update
        ("AdamW", "Adam", {}),  # torch's Adam says decoupled_weight_decay=False
    ],
)
def test_a_torch_state_dict_asking_for_another_update_is_refused(name, torch_name, flags):
    """Flags that change torch's update are not ignored: maximize=True would step the wrong way."""
    w = torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))
    tsd = getattr(torch.optim, torch_name)([w], lr=0.1, **flags).state_dict()
    opt = getattr(optim, name)([mgx.nn.Parameter(np.zeros(2))], lr=0.1)
    before = dict(opt.param_groups[0])
    flag = next(iter(flags), "decoupled_weight_decay")
    with pytest.raises(ValueError, match=rf"{flag}=\w+; microgradx's {name} implements only {flag}="):
        opt.load_state_dict(tsd)
    assert opt.param_groups[0] == before


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW"])
def test_torch_state_dicts_of_the_same_optimizer_load(name):
    w = torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))
    tsd = getattr(torch.optim, name)([w], lr=0.1).state_dict()
    opt = getattr(optim, name)([mgx.nn.Parameter(np.zeros(2))], lr=0.5)
    opt.load_state_dict(tsd)
    assert opt.param_groups[0]["lr"] == 0.1
