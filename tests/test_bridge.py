"""The bridge to PyTorch: `to_torch` / `from_torch` against PyTorch itself as the oracle.

A converted network must compute the same outputs (float64, 1e-12) and, after one backward
pass, the same gradients for every parameter and the input; a round trip must give back the
state dict bit for bit, in float32 and float64; unsupported modules raise naming themselves.
Every test but the last needs torch and skips without it; the last one hides torch and checks
the error that says how to install it.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pytest

import microgradx as mgx
from microgradx import nn
from microgradx.bridge import ACTIVATION_MAP

ACTS = ["sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "selu", None]


@pytest.fixture
def torch():
    return pytest.importorskip("torch", reason="PyTorch is not installed: pip install torch")


def _net(act, dtype=np.float64, out_act="sigmoid", seed=0):
    """A 3 -> 5 -> 4 -> 2 MLP; PReLU slopes moved off their 0.25 start so copying them is seen."""
    net = nn.MLP(3, [5, 4, 2], activation=act, output_activation=out_act, rng=seed, dtype=dtype)
    rng = np.random.default_rng(seed + 100)
    for layer in net.layers:
        layer.bias.data[:] = rng.normal(size=layer.bias.shape) * 0.1
        if isinstance(layer.activation, nn.PReLU):
            layer.activation.weight.data[:] = rng.uniform(0.05, 0.6, size=layer.activation.weight.shape)
    return net


def _inputs(dtype=np.float64):
    """Random rows, a row of zeros (every first-layer z is its bias: near the kinks) and |x| = 1e3."""
    rng = np.random.default_rng(7)
    x = rng.normal(size=(6, 3))
    x[1] = 0.0
    x[2] = [1e3, -1e3, 1e3]
    x[3] = [-1e3, -1e3, 1e3]
    return x.astype(dtype)


def _pairs(mgx_model, torch_model):
    """(our parameter, torch parameter) in order: both libraries list a layer's weight, bias,
    then its activation's slope, so the orders agree."""
    ours = list(mgx_model.named_parameters())
    theirs = list(torch_model.named_parameters())
    assert len(ours) == len(theirs), ([n for n, _ in ours], [n for n, _ in theirs])
    return [(p, q) for (_, p), (_, q) in zip(ours, theirs, strict=True)]


def _as_ours(torch_param):
    a = torch_param.detach().numpy()
    return a.T if a.ndim == 2 else a  # torch's Linear weight is (out, in), ours (in, out)


def _same_state(a: dict, b: dict) -> None:
    """Bitwise: same keys in the same order, dtypes, shapes and bytes."""
    assert list(a) == list(b)
    for k in a:
        assert a[k].dtype == b[k].dtype, k
        assert a[k].shape == b[k].shape, k
        assert a[k].tobytes() == b[k].tobytes(), k


# ------------------------------------------------------------------------------ to_torch
@pytest.mark.torch
@pytest.mark.parametrize("act", ACTS)
def test_to_torch_computes_the_same_outputs_and_gradients(torch, act):
    net = _net(act)
    tnet = mgx.to_torch(net)
    x = _inputs()
    g = np.random.default_rng(3).normal(size=(6, 2))  # an upstream gradient that is not all ones

    xm = mgx.Tensor(x, requires_grad=True)
    ym = net(xm)
    (ym * g).sum().backward()
    xt = torch.tensor(x, requires_grad=True)
    yt = tnet(xt)
    (yt * torch.from_numpy(g)).sum().backward()

    assert yt.dtype == torch.float64
    np.testing.assert_allclose(yt.detach().numpy(), ym.data, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(xt.grad.numpy(), xm.grad, rtol=1e-12, atol=1e-12)
    pairs = _pairs(net, tnet)
    assert len(pairs) == 6 + (2 if act == "prelu" else 0)  # two hidden PReLUs, one slope each
    for p, q in pairs:
        np.testing.assert_allclose(_as_ours(q.grad), p.grad, rtol=1e-12, atol=1e-12)


@pytest.mark.torch
def test_the_weight_is_transposed_and_copied_exactly(torch):
    layer = nn.Layer(3, 2, rng=0)
    layer.bias.data[:] = [0.5, -1.5]
    lin = mgx.to_torch(layer)
    assert type(lin) is torch.nn.Linear
    assert (lin.in_features, lin.out_features) == (3, 2)
    assert tuple(lin.weight.shape) == (2, 3)  # torch: (out, in); ours (3, 2)
    assert lin.weight.detach().numpy().tobytes() == np.ascontiguousarray(layer.weight.data.T).tobytes()
    assert lin.bias.detach().numpy().tobytes() == layer.bias.data.tobytes()
    x = np.arange(6.0).reshape(2, 3)
    # torch computes x @ weight.T + bias = x @ W + b
    np.testing.assert_allclose(
        lin(torch.from_numpy(x)).detach().numpy(), x @ layer.weight.data + layer.bias.data
    )


@pytest.mark.torch
@pytest.mark.parametrize("shape", [(3, 1), (1, 3), (4, 4)])
def test_the_copies_share_no_memory(torch, shape):
    """For a (n, 1) weight W.T is contiguous: a careless copy would be a view of our array."""
    layer = nn.Layer(*shape, activation="prelu", rng=0)
    tnet = mgx.to_torch(layer)
    before = layer.state_dict()
    with torch.no_grad():
        for q in tnet.parameters():
            q.add_(1.0)
    _same_state(layer.state_dict(), before)
    back = mgx.from_torch(tnet)
    snapshot = {k: v.detach().clone() for k, v in tnet.state_dict().items()}
    for p in back.parameters():
        p.data += 1.0
    for k, v in tnet.state_dict().items():
        assert torch.equal(v, snapshot[k]), k


@pytest.mark.torch
def test_a_layer_maps_to_linear_then_its_activation(torch):
    seq = mgx.to_torch(nn.Layer(2, 3, activation=nn.LeakyReLU(0.2), bias=False, rng=0))
    assert [type(m).__name__ for m in seq] == ["Linear", "LeakyReLU"]
    assert seq[0].bias is None
    assert seq[1].negative_slope == 0.2
    assert mgx.to_torch(nn.ELU(0.5)).alpha == 0.5
    # a Layer's activation given as a function (the documented mgx.relu) or a Tensor method
    for fn, name in [(mgx.relu, "ReLU"), (mgx.Tensor.tanh, "Tanh"), (mgx.functional.elu, "ELU")]:
        assert type(mgx.to_torch(nn.Layer(2, 2, activation=fn, rng=0))[1]).__name__ == name
    assert mgx.to_torch(nn.Layer(2, 2, activation=mgx.leaky_relu, rng=0))[1].negative_slope == 0.01


@pytest.mark.torch
def test_sequential_and_nesting(torch):
    inner = _net("tanh", out_act=None)
    model = nn.Sequential(nn.Layer(4, 3, activation="relu", rng=1), nn.PReLU(3, init=0.1), inner, nn.SELU())
    model[1].weight.data[:] = [0.1, 0.2, 0.3]  # one slope per feature
    tnet = mgx.to_torch(model)
    # the first Layer's Linear and ReLU sit side by side; the MLP stays one nested Sequential
    assert [type(m).__name__ for m in tnet] == ["Linear", "ReLU", "PReLU", "Sequential", "SELU"]
    x = np.random.default_rng(0).normal(size=(5, 4))
    np.testing.assert_allclose(
        tnet(torch.from_numpy(x)).detach().numpy(), model(x).data, rtol=1e-12, atol=1e-12
    )
    # back: the nested Sequential is an MLP again; the outer one holds one module per torch module
    back = mgx.from_torch(tnet)
    assert [type(m).__name__ for m in back] == ["Layer", "ReLU", "PReLU", "MLP", "SELU"]
    _same_state(back[3].state_dict(), inner.state_dict())
    np.testing.assert_allclose(back(x).data, model(x).data, rtol=1e-12, atol=1e-12)


@pytest.mark.torch
def test_float32_stays_float32(torch):
    net = _net("prelu", dtype=np.float32)
    tnet = mgx.to_torch(net)
    assert {q.dtype for q in tnet.parameters()} == {torch.float32}
    x = _inputs(np.float32)[[0, 1, 4, 5]]
    yt = tnet(torch.from_numpy(x))
    ym = net(x)
    assert yt.dtype == torch.float32
    np.testing.assert_allclose(yt.detach().numpy(), ym.data, rtol=1e-5, atol=1e-6)
    yt.sum().backward()
    ym.sum().backward()
    for p, q in _pairs(net, tnet):  # float32 gradients on both sides, equal to float32 rounding
        assert p.grad.dtype == np.float32 and q.grad.dtype == torch.float32
        np.testing.assert_allclose(_as_ours(q.grad), p.grad, rtol=1e-4, atol=1e-5)
    back = mgx.from_torch(tnet)
    assert {p.dtype for p in back.parameters()} == {np.dtype(np.float32)}
    _same_state(back.state_dict(), net.state_dict())
    assert {p.dtype for p in mgx.from_torch(torch.nn.Linear(2, 2).double()).parameters()} == {
        np.dtype(np.float64)
    }


@pytest.mark.torch
def test_to_torch_draws_no_random_numbers(torch):
    state = torch.get_rng_state()
    mgx.to_torch(_net("relu"))
    assert torch.equal(torch.get_rng_state(), state)
    mgx.manual_seed(5)
    expected = mgx.init.normal((3,), 0.0, 1.0)
    mgx.manual_seed(5)
    mgx.from_torch(torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.ReLU(), torch.nn.Linear(2, 1)))
    assert np.array_equal(mgx.init.normal((3,), 0.0, 1.0), expected)


# ---------------------------------------------------------------------------- from_torch
@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("act", ACTS)
def test_round_trip_gives_the_state_dict_back_bitwise(torch, act, dtype):
    net = _net(act, dtype=dtype)
    back = mgx.from_torch(mgx.to_torch(net))
    assert type(back) is nn.MLP
    _same_state(back.state_dict(), net.state_dict())
    assert [layer.extra_repr() for layer in back.layers] == [layer.extra_repr() for layer in net.layers]
    x = _inputs(dtype)
    assert back(x).data.tobytes() == net(x).data.tobytes()


@pytest.mark.torch
def test_round_trip_keeps_activation_settings(torch):
    for act in [nn.LeakyReLU(0.2), nn.ELU(0.5), nn.PReLU(5, init=0.3)]:
        net = nn.MLP(2, [5, 5, 1], activation=act, rng=0)  # one module shared by both hidden layers
        back = mgx.from_torch(mgx.to_torch(net))
        for layer in back.layers[:-1]:
            assert type(layer.activation) is type(act)
            assert layer.activation.extra_repr() == act.extra_repr()
            assert getattr(layer.activation, "negative_slope", None) == getattr(act, "negative_slope", None)
            assert getattr(layer.activation, "alpha", None) == getattr(act, "alpha", None)
        # after the round trip the two hidden layers own a slope each, not one shared slope
        if isinstance(act, nn.PReLU):
            assert back.layers[0].activation is not back.layers[1].activation


@pytest.mark.torch
def test_from_torch_then_back_gives_torchs_state_dict(torch):
    torch.manual_seed(0)
    tnet = torch.nn.Sequential(
        torch.nn.Linear(3, 4), torch.nn.PReLU(4, init=0.1), torch.nn.Linear(4, 4), torch.nn.PReLU(4, init=0.2)
    )
    tnet.add_module("4", torch.nn.Linear(4, 1))
    net = mgx.from_torch(tnet)
    assert type(net) is nn.MLP
    again = mgx.to_torch(net)
    a, b = tnet.state_dict(), again.state_dict()
    assert list(a) == list(b)
    for k in a:
        assert a[k].dtype == b[k].dtype and torch.equal(a[k], b[k]), k
    x = _inputs()
    np.testing.assert_allclose(
        tnet.double()(torch.from_numpy(x)).detach().numpy(), net.double()(x).data, rtol=1e-12, atol=1e-12
    )


@pytest.mark.torch
def test_a_sequential_that_is_not_an_mlp_keeps_torchs_keys(torch):
    """Different hidden activations, a bias-free Linear, two activations in a row: a Sequential
    with one module per torch module (so its keys are torch's), computing what torch computes."""
    cases = [
        [
            torch.nn.Linear(3, 4),
            torch.nn.ReLU(),
            torch.nn.Linear(4, 4),
            torch.nn.Tanh(),
            torch.nn.Linear(4, 2),
        ],
        [
            torch.nn.Linear(3, 4),
            torch.nn.LeakyReLU(0.1),
            torch.nn.Linear(4, 4),
            torch.nn.LeakyReLU(0.2),
            torch.nn.Linear(4, 2),
        ],
        [torch.nn.Linear(3, 4, bias=False), torch.nn.ReLU(), torch.nn.Linear(4, 2)],
        [torch.nn.Linear(3, 4), torch.nn.PReLU(), torch.nn.Sigmoid(), torch.nn.Linear(4, 2)],
        [torch.nn.ELU(), torch.nn.Linear(3, 2)],
    ]
    x = _inputs()
    for modules in cases:
        tnet = torch.nn.Sequential(*modules).double()
        net = mgx.from_torch(tnet)
        assert type(net) is nn.Sequential
        assert [type(m).__name__ for m in net] == [
            "Layer" if type(m) is torch.nn.Linear else type(m).__name__ for m in modules
        ]
        assert all(m.activation is None for m in net if isinstance(m, nn.Layer))  # nothing folded twice
        assert list(net.state_dict()) == list(tnet.state_dict())
        np.testing.assert_allclose(
            net(x).data, tnet(torch.from_numpy(x)).detach().numpy(), rtol=1e-12, atol=1e-12
        )
        _same_state(mgx.from_torch(mgx.to_torch(net)).state_dict(), net.state_dict())


@pytest.mark.torch
def test_bare_linear_and_activations(torch):
    lin = torch.nn.Linear(3, 2, bias=False)
    layer = mgx.from_torch(lin)
    assert type(layer) is nn.Layer and layer.bias is None and layer.weight.shape == (3, 2)
    assert layer.weight.data.tobytes() == np.ascontiguousarray(lin.weight.detach().numpy().T).tobytes()
    assert mgx.from_torch(torch.nn.LeakyReLU(0.3)).negative_slope == 0.3
    assert mgx.from_torch(torch.nn.ELU(2.0)).alpha == 2.0
    slope = mgx.from_torch(torch.nn.PReLU(3, init=0.4))
    assert slope.num_parameters == 3 and np.array_equal(slope.weight.data, np.full(3, 0.4, np.float32))
    assert type(mgx.from_torch(torch.nn.Sequential())) is nn.Sequential


# ------------------------------------------------------------------------------- softmax
def _softmax_inputs():
    """Random rows, a row of zeros and |x| = 1e3 (logits far apart: a softmax saturates to one-hot)."""
    x = _inputs()
    x[4] = [1e3, 0.0, -1e3]
    return x


@pytest.mark.torch
@pytest.mark.parametrize("axis", [1, -1, 0])
def test_a_sequential_ending_in_softmax_computes_what_torch_computes(torch, axis):
    """nn.Softmax(axis) -> torch.nn.Softmax(dim=axis): outputs, input and parameter gradients
    through the whole Sequential agree with PyTorch's, for the class axis and for axis 0."""
    model = nn.Sequential(
        nn.Layer(3, 5, activation="tanh", rng=1), nn.Layer(5, 4, rng=2), nn.Softmax(axis=axis)
    )
    tnet = mgx.to_torch(model)
    assert type(tnet[-1]) is torch.nn.Softmax and tnet[-1].dim == axis
    x = _softmax_inputs()
    g = np.random.default_rng(5).normal(size=(6, 4))  # not all ones: sum(softmax) has zero gradient

    xm = mgx.Tensor(x, requires_grad=True)
    ym = model(xm)
    (ym * g).sum().backward()
    xt = torch.tensor(x, requires_grad=True)
    yt = tnet(xt)
    (yt * torch.from_numpy(g)).sum().backward()

    np.testing.assert_allclose(ym.data.sum(axis=axis), 1.0, rtol=1e-12)  # probabilities
    np.testing.assert_allclose(yt.detach().numpy(), ym.data, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(xt.grad.numpy(), xm.grad, rtol=1e-10, atol=1e-12)
    pairs = _pairs(model, tnet)
    assert len(pairs) == 4
    for p, q in pairs:
        assert np.abs(p.grad).max() > 0
        np.testing.assert_allclose(_as_ours(q.grad), p.grad, rtol=1e-10, atol=1e-12)


@pytest.mark.torch
def test_softmax_round_trips_with_its_axis(torch):
    # ours -> torch -> ours: the MLP whose output activation is a Softmax comes back bit for bit
    net = nn.MLP(3, [5, 4], activation="relu", output_activation=nn.Softmax(axis=1), rng=0)
    back = mgx.from_torch(mgx.to_torch(net))
    assert type(back) is nn.MLP and type(back.layers[-1].activation) is nn.Softmax
    assert back.layers[-1].activation.axis == 1
    _same_state(back.state_dict(), net.state_dict())
    # torch -> ours: dim becomes axis, in a bare module, an MLP-shaped and another Sequential
    assert mgx.from_torch(torch.nn.Softmax(dim=0)).axis == 0
    t = torch.nn.Sequential(
        torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2), torch.nn.Softmax(dim=-1)
    )
    ours = mgx.from_torch(t)
    assert type(ours) is nn.MLP and ours.layers[-1].activation.axis == -1
    x = _softmax_inputs()
    np.testing.assert_allclose(
        ours(x).data, t(torch.from_numpy(x).float()).detach().numpy(), rtol=1e-6, atol=1e-7
    )
    seq = mgx.from_torch(torch.nn.Sequential(torch.nn.Softmax(dim=1), torch.nn.Linear(3, 2)))
    assert [type(m).__name__ for m in seq] == ["Softmax", "Layer"] and seq[0].axis == 1
    assert mgx.to_torch(nn.Softmax(axis=0)).dim == 0
    # a Layer whose activation is the function or the method: torch's Softmax on the last axis
    for fn in (mgx.softmax, mgx.Tensor.softmax):
        assert mgx.to_torch(nn.Layer(2, 3, activation=fn, rng=0))[1].dim == -1


@pytest.mark.torch
def test_torchs_legacy_softmax_without_dim_is_refused(torch):
    for module, where in [
        (torch.nn.Softmax(), r"the model \(torch.nn.Softmax\)"),
        (torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Softmax()), r"'1' \(torch.nn.Softmax\)"),
    ]:
        with pytest.raises(ValueError, match=where + r" has dim=None.*torch.nn.Softmax\(dim=-1\)"):
            mgx.from_torch(module)


# -------------------------------------------------------------------------------- errors
def test_every_activation_module_is_bridged():
    assert set(ACTIVATION_MAP) == set(nn.ACTIVATIONS.values())


class _Scale(nn.Module):
    def forward(self, x):
        return x * 2.0


@pytest.mark.torch
@pytest.mark.parametrize(
    ("model", "match"),
    [
        (nn.Neuron(2), r"the model \(Neuron\) has no PyTorch counterpart; supported: Layer, MLP, Sequential"),
        (_Scale(), r"the model \(_Scale\)"),
        (nn.Sequential(nn.Layer(2, 2), nn.MSELoss()), r"'1' \(MSELoss\)"),
        (
            nn.Layer(2, 2, activation=lambda z: z * 2),
            r"'activation' \(the callable <lambda>\).*microgradx.relu",
        ),
        (nn.MLP(2, [2, 1], activation=mgx.abs, rng=0), r"'layers.0.activation' \(the callable abs\)"),
        (np.zeros((2, 2)), r"expected a microgradx nn.Module .*got ndarray"),
    ],
)
def test_to_torch_refuses_what_it_cannot_convert(torch, model, match):
    with pytest.raises(TypeError, match=match):
        mgx.to_torch(model)


@pytest.mark.torch
def test_from_torch_refuses_what_it_cannot_convert(torch):
    class MyLinear(torch.nn.Linear):  # a subclass may compute something else: refused
        pass

    cases = [
        (torch.nn.Conv2d(1, 1, 1), r"the model \(torch.nn.Conv2d\) has no microgradx counterpart"),
        (torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Dropout()), r"'1' \(torch.nn.Dropout\)"),
        (torch.nn.Sequential(torch.nn.Sequential(torch.nn.GELU())), r"'0.0' \(torch.nn.GELU\)"),
        (MyLinear(2, 2), r"MyLinear\) has no microgradx counterpart; supported: torch.nn.Linear"),
        (nn.Layer(2, 2), r"expected a torch.nn.Module .*got Layer"),
    ]
    for module, match in cases:
        with pytest.raises(TypeError, match=match):
            mgx.from_torch(module)
    with pytest.raises(ValueError, match=r"'?0.weight'? has dtype torch.float16.*float32 or float64"):
        mgx.from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2)).half())


def test_without_torch_both_say_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises ImportError
    net = nn.MLP(2, [3, 1], rng=0)
    with pytest.raises(ImportError, match=r"to_torch needs PyTorch.*pip install torch"):
        mgx.to_torch(net)
    with pytest.raises(ImportError, match=r"from_torch needs PyTorch.*pip install torch"):
        mgx.from_torch(object())


# ------------------------------------------------------------------- the docs page's tables
PAGE = Path(__file__).resolve().parents[1] / "docs" / "moving-to-pytorch.md"
CELL_CODE = re.compile(r"`([^`]+)`")


def _checked_rows(kind: str) -> list[tuple[str, str]]:
    """(microgradx expression, PyTorch expression) of every row of the table after the page's
    ``<!-- checked: KIND -->`` marker."""
    text = PAGE.read_text(encoding="utf-8")
    table = text.split(f"<!-- checked: {kind} -->", 1)[1].split("\n\n", 2)[1]
    rows = []
    for line in table.splitlines()[2:]:  # after the header and the |---| line
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        rows.append((CELL_CODE.findall(cells[0])[0], CELL_CODE.findall(cells[1])[0]))
    return rows


def _namespaces(torch):
    rng = np.random.default_rng(0)
    arrays = {
        "t": rng.uniform(0.2, 3.0, size=(3, 4)),
        "u": rng.uniform(0.2, 3.0, size=(3, 4)),
        "p": rng.uniform(0.05, 0.95, size=(3, 4)),
        "y": rng.integers(0, 2, size=(3, 4)).astype(np.float64),
        "a": np.array([0.3]),
    }
    ours = {name: mgx.Tensor(v) for name, v in arrays.items()}
    theirs = {name: torch.tensor(v) for name, v in arrays.items()}
    ours.update(mgx=mgx, np=np, data=arrays["t"].tolist(), k=np.array([0, 3, 1]))
    theirs.update(torch=torch, data=arrays["t"].tolist(), k=torch.tensor([0, 3, 1]))
    return ours, theirs


def _values(x) -> np.ndarray:
    if isinstance(x, mgx.Tensor):
        return x.data
    if hasattr(x, "detach"):
        return x.detach().numpy()
    return np.asarray(x)


@pytest.mark.torch
@pytest.mark.parametrize("kind", ["ops", "losses"])
def test_the_pages_name_table_gives_the_same_numbers(torch, kind):
    rows = _checked_rows(kind)
    assert len(rows) >= {"ops": 30, "losses": 7}[kind]
    for ours_src, theirs_src in rows:
        ours, theirs = _namespaces(torch)
        a, b = _values(eval(ours_src, ours)), _values(eval(theirs_src, theirs))
        assert a.shape == b.shape, (ours_src, theirs_src, a.shape, b.shape)
        assert a.dtype == b.dtype or a.dtype.kind == b.dtype.kind == "f", (ours_src, a.dtype, b.dtype)
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12, err_msg=f"{ours_src} vs {theirs_src}")


@pytest.mark.torch
def test_the_pages_initializer_table_gives_the_same_distributions(torch):
    """Same fans, same distribution: the 1st, 50th and 99th percentiles and the std agree to a
    few % (120,000 draws), and a uniform's bound (the largest |w|) to 0.1 %."""
    fan_in, fan_out = 400, 300
    rows = _checked_rows("init")
    assert len(rows) >= 15
    torch.manual_seed(0)
    for ours_src, theirs_src in rows:
        a = np.asarray(eval(ours_src, {"mgx": mgx, "shape": (fan_in, fan_out)}), dtype=np.float64)
        w = torch.empty(fan_out, fan_in, dtype=torch.float64)
        b = _values(eval(theirs_src, {"torch": torch, "w": w}))
        assert a.shape == tuple(reversed(b.shape)), (ours_src, a.shape, b.shape)
        scale = float(np.std(b)) + 1e-12
        np.testing.assert_allclose(
            np.quantile(a, [0.01, 0.5, 0.99]),
            np.quantile(b, [0.01, 0.5, 0.99]),
            atol=0.05 * scale,
            err_msg=f"{ours_src} vs {theirs_src}",
        )
        np.testing.assert_allclose(np.std(a), np.std(b), rtol=0.02, atol=1e-12, err_msg=ours_src)
        if "uniform" in theirs_src:
            np.testing.assert_allclose(np.abs(a).max(), np.abs(b).max(), rtol=1e-3, err_msg=ours_src)


@pytest.mark.torch
def test_docstring_examples(torch):
    import doctest

    import microgradx.bridge

    result = doctest.testmod(microgradx.bridge, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 6 and result.failed == 0
