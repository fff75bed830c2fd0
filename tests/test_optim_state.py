"""The `Optimizer` base: parameter groups, ``state``, ``state_dict()`` / ``load_state_dict()`` in
PyTorch's layout, and resuming training bit for bit through `mgx.save` / `mgx.load`."""

from __future__ import annotations

import numpy as np
import pytest

import microgradx as mgx
from microgradx import nn, optim

X = np.random.default_rng(3).uniform(-1, 1, size=(16, 2))
Y = np.sin(X[:, :1] * 2) * X[:, 1:]

OPTIMIZERS = {
    "sgd-momentum": lambda params: optim.SGD(params, lr=0.05, momentum=0.9, weight_decay=0.01),
    "sgd-nesterov": lambda params: optim.SGD(params, lr=0.05, momentum=0.8, nesterov=True),
    "adam": lambda params: optim.Adam(params, lr=0.01, weight_decay=0.1),
    "adam-amsgrad": lambda params: optim.Adam(params, lr=0.01, amsgrad=True),
    "adamw-amsgrad": lambda params: optim.AdamW(params, lr=0.01, weight_decay=0.1, amsgrad=True),
}


def _groups(net, lr_head=0.003):
    """Two parameter groups, the second with its own lr, as PyTorch users write them."""
    return [{"params": net.layers[0].parameters()}, {"params": net.layers[1].parameters(), "lr": lr_head}]


def _train(net, opt, steps):
    x, y = mgx.Tensor(X), mgx.Tensor(Y)
    losses = []
    for _ in range(steps):
        loss = mgx.mse_loss(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


# ---------------------------------------------------------------- resuming through save/load
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_20_steps_save_load_30_more_equals_50_straight(name, tmp_path):
    make = OPTIMIZERS[name]
    straight = nn.MLP(2, [6, 1], activation="tanh", rng=4)
    straight_losses = _train(straight, make(_groups(straight)), 50)

    first = nn.MLP(2, [6, 1], activation="tanh", rng=4)
    opt = make(_groups(first))
    losses = _train(first, opt, 20)
    mgx.save(first.state_dict(), tmp_path / "model.npz")
    mgx.save(opt.state_dict(), tmp_path / "optim.npz")

    resumed = nn.MLP(2, [6, 1], activation="tanh", rng=99)  # other weights, fresh optimizer
    resumed.load_state_dict(mgx.load(tmp_path / "model.npz"))
    opt2 = make(_groups(resumed, lr_head=0.5))  # its own lr is overwritten by the saved one
    opt2.load_state_dict(mgx.load(tmp_path / "optim.npz"))
    assert opt2.param_groups[1]["lr"] == 0.003
    losses += _train(resumed, opt2, 30)

    assert losses == straight_losses  # bit for bit
    for a, b in zip(resumed.parameters(), straight.parameters(), strict=True):
        np.testing.assert_array_equal(a.data, b.data)


def test_without_the_optimizer_state_the_resumed_run_differs(tmp_path):
    # The control for the test above: reloading only the model (fresh Adam moments) does change
    # the trajectory, so the equality there is the optimizer state's doing.
    straight = nn.MLP(2, [6, 1], activation="tanh", rng=4)
    straight_losses = _train(straight, optim.Adam(straight.parameters(), lr=0.01), 50)
    net = nn.MLP(2, [6, 1], activation="tanh", rng=4)
    losses = _train(net, optim.Adam(net.parameters(), lr=0.01), 20)
    losses += _train(net, optim.Adam(net.parameters(), lr=0.01), 30)
    assert losses[:20] == straight_losses[:20]
    assert losses[20:] != straight_losses[20:]


def test_state_dict_layout_is_pytorchs():
    net = nn.MLP(2, [3, 1], rng=0)
    opt = optim.Adam(_groups(net), lr=0.01, amsgrad=True)
    _train(net, opt, 2)
    sd = opt.state_dict()
    assert list(sd) == ["state", "param_groups"]
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2, 3]]
    assert sd["param_groups"][0] == {
        "lr": 0.01,
        "betas": (0.9, 0.999),
        "eps": 1e-8,
        "weight_decay": 0.0,
        "amsgrad": True,
        "params": [0, 1],
    }
    assert sd["param_groups"][1]["lr"] == 0.003
    assert list(sd["state"]) == [0, 1, 2, 3]
    assert set(sd["state"][0]) == {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
    assert sd["state"][0]["step"] == 2
    assert sd["state"][3]["exp_avg"].shape == net.layers[1].bias.shape


def test_state_dict_holds_copies():
    w = nn.Parameter([1.0, 2.0])
    opt = optim.SGD([w], lr=0.1, momentum=0.9)
    w.grad = np.ones(2)
    opt.step()
    sd = opt.state_dict()
    sd["state"][0]["momentum_buffer"][:] = 123.0
    sd["param_groups"][0]["lr"] = 5.0
    assert opt.state[w]["momentum_buffer"].tolist() == [1.0, 1.0]
    assert opt.param_groups[0]["lr"] == 0.1
    opt.load_state_dict(sd)
    sd["state"][0]["momentum_buffer"][:] = -1.0  # the loaded arrays are copies too
    assert opt.state[w]["momentum_buffer"].tolist() == [123.0, 123.0]


def test_state_only_lists_stepped_parameters_and_sgd_without_momentum_has_none():
    a, b = nn.Parameter([1.0]), nn.Parameter([2.0])
    opt = optim.SGD([a, b], lr=0.1, momentum=0.9)
    a.grad = np.ones(1)
    opt.step()
    assert list(opt.state_dict()["state"]) == [0]
    plain = optim.SGD([a, b], lr=0.1)
    plain.step()
    assert plain.state_dict()["state"] == {}


def test_load_converts_arrays_to_the_parameter_dtype():
    w = nn.Parameter(np.ones(2, dtype=np.float32))
    opt = optim.Adam([w])
    opt.load_state_dict(
        {
            "state": {0: {"step": np.array(3.0), "exp_avg": np.ones(2), "exp_avg_sq": np.ones(2)}},
            "param_groups": [{**opt.defaults, "params": [0]}],
        }
    )
    assert opt.state[w]["step"] == 3 and isinstance(opt.state[w]["step"], int)
    assert opt.state[w]["exp_avg"].dtype == np.float32


# ---------------------------------------------------------------- load errors
def _adam_sd():
    net = nn.MLP(2, [3, 1], rng=0)
    opt = optim.Adam(_groups(net), amsgrad=True)
    _train(net, opt, 1)
    return net, opt, opt.state_dict()


def _broken(edit):
    _, _, sd = _adam_sd()
    edit(sd)
    return sd


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda sd: sd.pop("state"), r"expected the keys 'param_groups' and 'state'; missing 'state'"),
        (lambda sd: sd.update(extra=1), r"unexpected 'extra'"),
        (
            lambda sd: sd["param_groups"].pop(),
            r"the state dict has 1 parameter group\(s\), this optimizer has 2",
        ),
        (
            lambda sd: sd["param_groups"][1]["params"].pop(),
            r"parameter group 1 of the state dict has 1 parameter\(s\), this optimizer's has 2",
        ),
        (
            lambda sd: sd["param_groups"][0].pop("betas"),
            r"parameter group 0 lacks the hyper-parameter\(s\) 'betas'",
        ),
        (
            lambda sd: sd["param_groups"][1].update(lr=-1.0),
            r"parameter group 1: learning rate lr must be >= 0, got -1.0",
        ),
        (lambda sd: sd["param_groups"][0].update(betas=(0.9, 1.0)), r"betas\[1\] must be < 1, got 1.0"),
        (
            lambda sd: sd["param_groups"][0].update(params=[0, 0]),
            r"parameter index 0 is listed more than once",
        ),
        (
            lambda sd: sd["param_groups"][0].update(params=[0, "1"]),
            r"a parameter index must be an int, got '1'",
        ),
        (
            lambda sd: sd["state"].update({7: {}}),
            r"'state' has an entry for parameter 7, which no parameter group",
        ),
        (
            lambda sd: sd["state"][1].update(exp_avg=np.zeros((3, 2))),
            r"state of parameter 1: 'exp_avg' has shape \(3, 2\), expected \(3,\) \(its parameter's shape\)",
        ),
        (lambda sd: sd["state"][2].pop("max_exp_avg_sq"), r"state of parameter 2: missing 'max_exp_avg_sq'"),
        (lambda sd: sd["state"][2].update(momentum_buffer=np.zeros(1)), r"unexpected 'momentum_buffer'"),
        (lambda sd: sd["state"][0].update(step=2.5), r"'step' must be a whole number >= 0, got 2.5"),
        (lambda sd: sd["state"][0].update(step=-1), r"'step' must be a whole number >= 0, got -1"),
        (
            lambda sd: sd["state"][0].update(exp_avg=np.array(["a", "b"])),
            r"'exp_avg' must hold numbers",
        ),
    ],
)
def test_load_errors_name_what_is_wrong_and_change_nothing(edit, match):
    _, opt, _ = _adam_sd()
    before = opt.state_dict()
    with pytest.raises(ValueError, match=match) as err:
        opt.load_state_dict(_broken(edit))
    assert str(err.value).startswith("Adam.load_state_dict: ")
    after = opt.state_dict()
    assert after["param_groups"] == before["param_groups"]
    for i, st in before["state"].items():
        for k, v in st.items():
            np.testing.assert_array_equal(after["state"][i][k], v)


def test_load_refuses_what_is_not_a_state_dict():
    opt = optim.SGD([nn.Parameter([1.0])], lr=0.1)
    with pytest.raises(
        ValueError, match=r"SGD.load_state_dict: expected a dict from state_dict\(\), got list"
    ):
        opt.load_state_dict([])
    with pytest.raises(ValueError, match=r"'param_groups' must be a list of dicts"):
        opt.load_state_dict({"state": {}, "param_groups": 3})


def test_sgd_state_with_the_wrong_shape_is_refused():
    opt = optim.SGD([nn.Parameter(np.ones((2, 2)))], lr=0.1, momentum=0.9)
    sd = {"state": {0: {"momentum_buffer": np.ones(4)}}, "param_groups": [{**opt.defaults, "params": [0]}]}
    with pytest.raises(ValueError, match=r"'momentum_buffer' has shape \(4,\), expected \(2, 2\)"):
        opt.load_state_dict(sd)


def test_state_that_overflows_a_float32_parameter_is_refused_not_turned_into_inf():
    """A float64 buffer of 1e300 loaded for a float32 parameter would become inf silently."""
    p = nn.Parameter(np.ones(2, dtype=np.float32))
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    sd = {
        "state": {0: {"momentum_buffer": np.array([1.0, 1e300])}},
        "param_groups": [{**opt.defaults, "params": [0]}],
    }
    with pytest.raises(
        ValueError, match=r"'momentum_buffer' holds 1e\+300, which overflows the parameter's dtype float32"
    ):
        opt.load_state_dict(sd)
    assert opt.state == {}


# ---------------------------------------------------------------- parameter groups
def test_groups_inherit_the_constructor_defaults():
    net = nn.MLP(2, [3, 1], rng=0)
    opt = optim.SGD(
        [{"params": net.layers[0].parameters(), "momentum": 0.5}, {"params": net.layers[1].parameters()}],
        lr=0.1,
        momentum=0.9,
    )
    assert [(g["lr"], g["momentum"]) for g in opt.param_groups] == [(0.1, 0.5), (0.1, 0.9)]
    assert opt.params == net.parameters()


def test_each_group_steps_with_its_own_lr():
    a, b = nn.Parameter([1.0]), nn.Parameter([1.0])
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1)  # a bare Tensor is a group of one
    a.grad, b.grad = np.ones(1), np.ones(1)
    opt.step()
    assert (a.data.tolist(), b.data.tolist()) == ([0.9], [0.5])
    opt.param_groups[0]["lr"] = 0.2  # a schedule changes it between steps
    opt.step()
    assert a.data.tolist() == [0.7]


def test_add_param_group():
    a, b = nn.Parameter([1.0]), nn.Parameter([2.0])
    opt = optim.Adam([a], lr=0.01)
    opt.add_param_group({"params": [b], "lr": 0.1, "name": "head"})
    assert opt.param_groups[1]["lr"] == 0.1 and opt.param_groups[1]["betas"] == (0.9, 0.999)
    assert opt.param_groups[1]["name"] == "head"  # extra keys are kept, as in PyTorch
    with pytest.raises(
        ValueError, match=r"Adam parameter group 2: parameter 0 is already in parameter group 0"
    ):
        opt.add_param_group({"params": [a]})
    with pytest.raises(ValueError, match=r"Adam parameter group 2: eps must be >= 0, got -1"):
        opt.add_param_group({"params": [nn.Parameter([0.0])], "eps": -1})
    assert len(opt.param_groups) == 2


@pytest.mark.parametrize(
    ("params", "match"),
    [
        (
            lambda a, b: [{"params": [a]}, {"params": [b, a]}],
            r"parameter group 1: parameter 1 is already in parameter group 0",
        ),
        (lambda a, b: [{"params": [a, b]}, {"params": [b]}], r"parameter 0 is already in parameter group 0"),
        (lambda a, b: [{"params": [a, a]}], r"parameter 1 appears more than once"),
        (lambda a, b: [{"params": [a]}, b], r"mixes Tensors and parameter-group dicts"),
        (lambda a, b: [{"lr": 0.1}], r"the group has no 'params' key \(its keys: \['lr'\]\)"),
        (lambda a, b: [{"params": {a, b}}], r"ordered iterable of Tensors, not a set"),
        (
            lambda a, b: [{"params": [a]}, {"params": [b], "lr": -0.5}],
            r"SGD parameter group 1: learning rate lr must be >= 0",
        ),
        (
            lambda a, b: [{"params": [a], "nesterov": True}],
            r"^SGD parameter group 0: nesterov=True requires momentum > 0",
        ),
        (
            lambda a, b: [{"params": [a], "lr": -1}],
            r"^SGD parameter group 0: learning rate lr must be >= 0, got -1",
        ),
        (lambda a, b: {"params": [a]}, r"params must be an iterable of Tensors .* or of dicts"),
    ],
)
def test_bad_groups_are_refused(params, match):
    a, b = nn.Parameter([1.0]), nn.Parameter([2.0])
    with pytest.raises(ValueError, match=match):
        optim.SGD(params(a, b), lr=0.1)


def test_zero_grad_covers_every_group():
    a, b = nn.Parameter([1.0]), nn.Parameter([2.0])
    opt = optim.AdamW([{"params": [a]}, {"params": [b]}])
    a.grad, b.grad = np.ones(1), np.ones(1)
    opt.zero_grad(set_to_none=False)
    assert a.grad.tolist() == b.grad.tolist() == [0.0]
    opt.zero_grad()
    assert a.grad is None and b.grad is None


def test_repr_lists_each_group():
    opt = optim.SGD([{"params": [nn.Parameter([1.0])]}, {"params": [nn.Parameter([1.0])], "lr": 0.5}], lr=0.1)
    text = repr(opt)
    assert text.startswith("SGD (\nParameter Group 0 (1 parameters)\n")
    assert "    lr: 0.5" in text and text.endswith(")")


def test_amsgrad_state_that_outlived_amsgrad_still_loads():
    w = nn.Parameter([1.0, 2.0])
    opt = optim.Adam([w], amsgrad=True)
    w.grad = np.ones(2)
    opt.step()
    opt.param_groups[0]["amsgrad"] = False  # PyTorch keeps max_exp_avg_sq in the state too
    fresh = optim.Adam([nn.Parameter([0.0, 0.0])])
    fresh.load_state_dict(opt.state_dict())
    assert set(next(iter(fresh.state.values()))) == {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
