"""microgradx.nn: registration and naming, state dicts, Layer/MLP/Neuron against NumPy and HIPS
autograd, the default initializer per activation, and the notes' claims about initialization."""

from __future__ import annotations

import math

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import microgradx as mgx
from microgradx import init, nn, optim

SELU_L = 1.0507009873554804934193349852946
SELU_A = 1.6732632423543772848170429916717

# NumPy references of the activations (typed from the formulas, not taken from microgradx).
REF_ACT = {
    None: lambda z: z,
    "sigmoid": lambda z: 1 / (1 + anp.exp(-z)),
    "tanh": anp.tanh,
    "relu": lambda z: anp.maximum(z, 0.0),
    "leaky_relu": lambda z: anp.where(z > 0, z, 0.01 * z),
    "prelu": lambda z: anp.where(z > 0, z, 0.25 * z),
    "elu": lambda z: anp.where(z > 0, z, anp.exp(anp.minimum(z, 0)) - 1),
    "selu": lambda z: SELU_L * anp.where(z > 0, z, SELU_A * (anp.exp(anp.minimum(z, 0)) - 1)),
}


# ---------------------------------------------------------------------------- registration


def test_mlp_parameter_names_and_order():
    net = nn.MLP(3, [4, 5, 2], rng=0)
    names = [n for n, _ in net.named_parameters()]
    assert names == [
        "layers.0.weight",
        "layers.0.bias",
        "layers.1.weight",
        "layers.1.bias",
        "layers.2.weight",
        "layers.2.bias",
    ]
    shapes = [p.shape for p in net.parameters()]
    assert shapes == [(3, 4), (4,), (4, 5), (5,), (5, 2), (2,)]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in net.parameters())
    assert isinstance(net.layers, list) and all(isinstance(m, nn.Layer) for m in net.layers)
    # hidden layers hold their activation module (relu by default); the output layer none
    assert [n for n, _ in net.named_modules()] == [
        "",
        "layers.0",
        "layers.0.activation",
        "layers.1",
        "layers.1.activation",
        "layers.2",
    ]


def test_prelu_slope_is_a_parameter_of_its_layer():
    net = nn.MLP(2, [3, 1], activation="prelu", rng=0)
    names = [n for n, _ in net.named_parameters()]
    assert names == [
        "layers.0.weight",
        "layers.0.bias",
        "layers.0.activation.weight",
        "layers.1.weight",
        "layers.1.bias",
    ]
    slope = net.layers[0].activation.weight
    assert slope.shape == (1,) and slope.data.tolist() == [0.25]
    mgx.mse_loss(net(np.array([[-1.0, -2.0], [0.5, -0.3]])), np.zeros((2, 1))).backward()
    assert slope.grad is not None and slope.grad.shape == (1,)


def test_custom_module_registration_order_and_sharing():
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = nn.Parameter(2.0)
            self.inner = nn.Layer(2, 2, rng=0)
            self.offset = nn.Parameter([0.0, 0.0])
            self.not_a_param = mgx.Tensor([1.0], requires_grad=True)  # plain tensors: not registered
            self.config = [1, 2, 3]  # plain lists: not registered

        def forward(self, x):
            return self.inner(x) * self.scale + self.offset

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = []
            self.head = nn.Layer(2, 1, bias=False, rng=1)
            self.tied = self.head  # the same module twice: its parameters count once

        def forward(self, x):
            for b in self.blocks:
                x = b(x)
            return self.head(x)

    net = Net()
    net.blocks.append(Block())  # appended after assignment: still found
    net.blocks.append(Block())
    names = [n for n, _ in net.named_parameters()]
    assert names == [
        "blocks.0.scale",
        "blocks.0.offset",
        "blocks.0.inner.weight",
        "blocks.0.inner.bias",
        "blocks.1.scale",
        "blocks.1.offset",
        "blocks.1.inner.weight",
        "blocks.1.inner.bias",
        "head.weight",
    ]
    assert net(np.ones((3, 2))).shape == (3, 1)
    # re-assigning an attribute replaces the registration; None unregisters
    net.head = nn.Layer(2, 1, rng=2)
    net.tied = None
    assert [n for n, _ in net.named_parameters()][-2:] == ["head.weight", "head.bias"]
    del net.head
    assert "head.weight" not in dict(net.named_parameters())


def test_sequential_names_and_indexing():
    seq = nn.Sequential(nn.Layer(1, 4, rng=0), nn.Tanh(), nn.Layer(4, 1, rng=1))
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert len(seq) == 3 and isinstance(seq[1], nn.Tanh) and list(seq)[2] is seq[2]
    x = np.linspace(-1, 1, 5).reshape(5, 1)
    expected = np.tanh(x @ seq[0].weight.data + seq[0].bias.data) @ seq[2].weight.data
    np.testing.assert_allclose(seq(x).data, expected, rtol=1e-14)
    with pytest.raises(TypeError, match="argument 1 is a ufunc"):
        nn.Sequential(nn.Layer(1, 1), np.tanh)


def test_forgetting_super_init_is_explained():
    class Broken(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(1.0)

    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Broken()


def test_zero_grad():
    net = nn.MLP(2, [3, 1], rng=0)
    mgx.mse_loss(net(np.ones((4, 2))), np.zeros((4, 1))).backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(np.all(p.grad == 0) for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_module_call_records_module_scope():
    layer = nn.Layer(2, 3, activation="tanh", rng=0)
    out = layer(np.ones((1, 2)))
    # every op of the layer (matmul, add, tanh) records the layer as its module
    node, seen = out, []
    while node._ctx is not None:
        seen.append((node.op, node._ctx.module))
        node = node._ctx.parents[0]
    assert [op for op, _ in seen] == ["tanh", "add", "matmul"]
    assert all(m is layer for _, m in seen)
    net = nn.MLP(1, [2, 1], rng=0)
    out = net(np.ones((1, 1)))
    assert out._ctx.module is net.layers[1]


def test_repr_is_readable():
    text = repr(nn.MLP(1, [2, 1], activation="tanh", rng=0))
    assert (
        text.startswith("MLP(") and "(layers.0): Layer(in_features=1, out_features=2, activation=tanh" in text
    )


# ---------------------------------------------------------------------------- state dicts


def test_state_dict_round_trip(tmp_path):
    net = nn.MLP(2, [5, 1], activation="prelu", rng=0)
    X = np.random.default_rng(0).normal(size=(8, 2))
    opt = optim.SGD(net.parameters(), lr=0.1)
    for _ in range(3):
        opt.zero_grad()
        mgx.mse_loss(net(X), np.ones((8, 1))).backward()
        opt.step()
    state = net.state_dict()
    assert list(state) == [n for n, _ in net.named_parameters()]
    assert all(isinstance(v, np.ndarray) for v in state.values())
    # copies: changing the model does not change the dict
    net.layers[0].weight.data += 1.0
    assert not np.array_equal(state["layers.0.weight"], net.layers[0].weight.data)

    other = nn.MLP(2, [5, 1], activation="prelu", rng=99)
    other.load_state_dict(state)
    net.load_state_dict(state)
    np.testing.assert_array_equal(other(X).data, net(X).data)
    # copies: changing the dict afterwards does not reach the model
    before = other.layers[0].bias.data.copy()
    state["layers.0.bias"][:] = 123.0
    np.testing.assert_array_equal(other.layers[0].bias.data, before)

    # through the lead's save/load (.npz, no pickle)
    path = tmp_path / "model.npz"
    mgx.save(net.state_dict(), path)
    third = nn.MLP(2, [5, 1], activation="prelu", rng=7)
    third.load_state_dict(mgx.load(path))
    np.testing.assert_array_equal(third(X).data, net(X).data)


def test_load_state_dict_casts_dtype_and_keeps_arrays():
    layer = nn.Layer(2, 2, rng=0)
    weight_array = layer.weight.data
    layer.load_state_dict(
        {
            "weight": np.array([[1, 2], [3, 4]], dtype=np.int64),
            "bias": np.array([0.5, 0.25], dtype=np.float32),
        }
    )
    assert layer.weight.data is weight_array  # loaded in place (an optimizer keeps working)
    assert layer.weight.dtype == np.float64 and layer.bias.dtype == np.float64
    assert layer.weight.data.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert layer.bias.data.tolist() == [0.5, 0.25]


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda d: d.pop("layers.1.bias"), "missing key 'layers.1.bias'"),
        (lambda d: d.__setitem__("layers.2.weight", np.zeros((3, 1))), "unexpected key 'layers.2.weight'"),
        (
            lambda d: d.__setitem__("layers.0.weight", np.zeros((3, 2))),
            r"key 'layers.0.weight' has shape \(3, 2\), expected \(2, 3\) \(its parameter's shape\)",
        ),
        (
            lambda d: d.__setitem__("layers.0.bias", np.array(["a", "b", "c"])),
            "key 'layers.0.bias' must hold numbers",
        ),
    ],
)
def test_load_state_dict_is_strict_and_names_the_key(change, match):
    net = nn.MLP(2, [3, 1], rng=0)
    before = {k: v.copy() for k, v in net.state_dict().items()}
    state = nn.MLP(2, [3, 1], rng=1).state_dict()
    change(state)
    with pytest.raises(ValueError, match=match):
        net.load_state_dict(state)
    # nothing was loaded
    for k, v in net.state_dict().items():
        np.testing.assert_array_equal(v, before[k])


def test_load_state_dict_needs_a_mapping():
    with pytest.raises(TypeError, match="list"):
        nn.Layer(1, 1).load_state_dict([1, 2])


# ---------------------------------------------------------------------------- Layer / MLP / Neuron


@pytest.mark.parametrize("activation", list(REF_ACT))
def test_layer_forward_matches_numpy(activation):
    layer = nn.Layer(3, 4, activation=activation, rng=0)
    assert layer.weight.shape == (3, 4) and layer.bias.shape == (4,)
    assert np.all(layer.bias.data == 0)
    x = np.random.default_rng(1).normal(size=(5, 3)) * 2
    expected = REF_ACT[activation](x @ layer.weight.data + layer.bias.data)
    np.testing.assert_allclose(layer(x).data, expected, rtol=1e-13, atol=1e-15)
    assert layer(x[0]).shape == (4,)  # a single sample


@pytest.mark.parametrize("activation", ["tanh", "relu", "elu", "selu", "sigmoid"])
def test_mlp_gradients_match_hips_autograd(activation):
    net = nn.MLP(2, [4, 3, 1], activation=activation, output_activation="sigmoid", rng=3)
    gen = np.random.default_rng(2)
    X = gen.normal(size=(6, 2))
    y = gen.uniform(size=(6, 1))
    g = REF_ACT[activation]

    def ref_loss(*params):
        h = X
        for k in range(3):
            W, b = params[2 * k], params[2 * k + 1]
            h = h @ W + b
            h = g(h) if k < 2 else 1 / (1 + anp.exp(-h))
        return anp.mean((h - y) ** 2)

    params = [p.data.copy() for p in net.parameters()]
    mgx.mse_loss(net(X), y).backward()
    for i, p in enumerate(net.parameters()):
        np.testing.assert_allclose(p.grad, autograd.grad(ref_loss, i)(*params), rtol=1e-10, atol=1e-14)


def test_layer_without_bias_and_with_callables():
    layer = nn.Layer(2, 3, activation=mgx.relu, bias=False, rng=0)
    assert layer.bias is None and [n for n, _ in layer.named_parameters()] == ["weight"]
    x = np.array([[1.0, -1.0]])
    np.testing.assert_allclose(layer(x).data, np.maximum(x @ layer.weight.data, 0))
    layer = nn.Layer(2, 3, activation=lambda z: z * 2.0, init=lambda shape, rng: np.ones(shape))
    np.testing.assert_allclose(layer(x).data, [[0.0, 0.0, 0.0]])
    layer = nn.Layer(2, 3, activation=nn.LeakyReLU(0.2), init="random_small", rng=0)
    assert np.abs(layer.weight.data).max() <= 0.01


def test_layer_init_by_name_and_callable_with_rng():
    a = nn.Layer(4, 3, init="he_normal", rng=5)
    b = nn.Layer(4, 3, init="he_normal", rng=5)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    calls = []

    def my_init(shape, rng):
        calls.append((shape, rng))
        return rng.uniform(-1, 1, size=shape)

    layer = nn.Layer(4, 3, init=my_init, rng=np.random.default_rng(0))
    assert calls[0][0] == (4, 3) and isinstance(calls[0][1], np.random.Generator)
    assert layer.weight.dtype == np.float64


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(activation="swish"), "'swish'.*sigmoid, tanh, relu, leaky_relu, prelu, elu, selu"),
        (dict(activation=3), "activation must be"),
        (dict(init="glorot"), "'glorot'.*xavier_uniform"),
        (dict(init=5), "init must be"),
        (dict(init=lambda shape, rng: np.zeros((3, 2))), r"init returned shape \(3, 2\), expected \(2, 3\)"),
    ],
)
def test_layer_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        nn.Layer(2, 3, **kwargs)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((0, 3), "in_features must be a positive int, got 0"),
        ((2, 2.5), "out_features.*2.5"),
    ],
)
def test_layer_bad_sizes(args, match):
    with pytest.raises(ValueError, match=match):
        nn.Layer(*args)


def test_mlp_activations_and_validation():
    net = nn.MLP(2, [3, 3, 1], activation="tanh", output_activation="sigmoid", rng=0)
    kinds = [type(layer.activation).__name__ for layer in net.layers]
    assert kinds == ["Tanh", "Tanh", "Sigmoid"]
    assert nn.MLP(2, [1], rng=0).layers[0].activation is None
    a, b = nn.MLP(2, [3, 1], rng=4), nn.MLP(2, [3, 1], rng=4)
    assert all(np.array_equal(p.data, q.data) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    # one generator feeds all layers: two equal-shaped layers get different weights
    c = nn.MLP(3, [3, 3], rng=4)
    assert not np.array_equal(c.layers[0].weight.data, c.layers[1].weight.data)
    with pytest.raises(ValueError, match="must not be empty"):
        nn.MLP(2, [])
    with pytest.raises(ValueError, match=r"layer_sizes.*got 0"):
        nn.MLP(2, [3, 0])
    with pytest.raises(ValueError, match="list of positive ints, got 5"):
        nn.MLP(2, 5)


def test_neuron_is_the_notes_first_formula():
    n = nn.Neuron(3, activation="sigmoid", rng=0)
    assert [name for name, _ in n.named_parameters()] == ["bias", "weights.0", "weights.1", "weights.2"]
    assert [p.name for p in n.weights] == ["w1", "w2", "w3"] and n.bias.name == "b"
    w = np.array([p.item() for p in n.weights])
    x = [0.5, -1.0, 2.0]
    a = n(x)
    assert a.shape == () and a.name == "a" and a._ctx.parents[0].name == "z"  # names for traces
    expected = 1 / (1 + math.exp(-(w @ np.array(x) + 0.0)))
    assert a.item() == pytest.approx(expected, rel=1e-14)
    a.backward()
    # ∂a/∂w_i = σ'(z)·x_i, ∂a/∂b = σ'(z)
    assert [p.grad.item() for p in n.weights] == pytest.approx(list(expected * (1 - expected) * np.array(x)))
    assert n.bias.grad.item() == pytest.approx(expected * (1 - expected))
    # a batch through the last axis, and scalar Tensors as inputs
    batch = np.array([x, [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(n(batch).data, [expected, 0.5])
    assert n([mgx.Tensor(v) for v in x]).item() == pytest.approx(expected)
    with pytest.raises(ValueError, match="expected 3 inputs, got 2"):
        n([1.0, 2.0])


# ---------------------------------------------------------------------------- default initializers

# The documented defaults, as (kind, spread) for a (400, 600) layer, from the formulas.
FAN_IN, FAN_OUT = 400, 600
HE_U = ("uniform", math.sqrt(6 / FAN_IN))
XAVIER_U = ("uniform", math.sqrt(6 / (FAN_IN + FAN_OUT)))
LECUN_N = ("normal", math.sqrt(1 / FAN_IN))
DEFAULTS = {
    "relu": HE_U,
    "leaky_relu": HE_U,
    "prelu": HE_U,
    "elu": HE_U,
    "sigmoid": XAVIER_U,
    "tanh": XAVIER_U,
    None: XAVIER_U,
    "selu": LECUN_N,
}


_DEFAULT_CASES = [
    (a, how)
    for a in DEFAULTS
    for how in ("name", "module", "function")
    if not (how == "function" and a in (None, "prelu"))
]  # prelu needs a weight


@pytest.mark.parametrize(("activation", "how"), _DEFAULT_CASES, ids=str)
def test_default_init_per_activation(activation, how):
    if how == "module":
        act = None if activation is None else nn.ACTIVATIONS[activation]()
    elif how == "function":
        act = getattr(mgx, activation)  # e.g. mgx.relu, found by its __name__
    else:
        act = activation
    w = nn.Layer(FAN_IN, FAN_OUT, activation=act, rng=0).weight.data
    kind, spread = DEFAULTS[activation]
    if kind == "uniform":
        assert np.abs(w).max() <= spread and np.abs(w).max() > 0.999 * spread
        assert w.std() == pytest.approx(spread / math.sqrt(3), rel=0.03)
    else:
        assert np.abs(w).max() > 3 * spread  # a normal, not a uniform
        assert w.std() == pytest.approx(spread, rel=0.03)


def test_layer_docstring_documents_the_defaults():
    doc = nn.Layer.__doc__
    for line in [
        "relu, leaky_relu, prelu, elu   ``he_uniform``",
        "sigmoid, tanh, None (linear)   ``xavier_uniform``",
        "selu                           ``lecun_normal``",
    ]:
        assert line in doc
    assert "(out_features, in_features)" in doc  # the PyTorch layout remark


# ---------------------------------------------------------------------------- the notes' claims


def _train(net, X, y, steps=200, lr=0.1):
    opt = optim.SGD(net.parameters(), lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        mgx.mse_loss(net(X), y).backward()
        opt.step()


def _toy(n=64, seed=0):
    gen = np.random.default_rng(seed)
    X = gen.uniform(-1, 1, size=(n, 2))
    return X, X[:, :1] * 2 - X[:, 1:] ** 2 + 0.3


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_zero_init_never_updates_the_first_layer(activation):
    # Notes, Case 1: w = b = 0 -> a11 = a12 = 0 -> ∂L/∂w' = 0 -> "No change or update".
    X, y = _toy()
    net = nn.MLP(2, [4, 1], activation=activation, init="zeros")
    _train(net, X, y)
    first = net.layers[0]
    assert np.all(first.weight.data == 0) and np.all(first.bias.data == 0)
    assert np.all(first.weight.grad == 0)
    # only the output bias learned something: the network predicts the mean of y
    assert np.all(net.layers[1].weight.data == 0)
    assert net.layers[1].bias.item() == pytest.approx(y.mean(), rel=1e-3)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("value", [0.0, 0.5])
def test_constant_init_keeps_hidden_units_identical(activation, value):
    # Notes, Case 2: any constant -> every hidden unit gets the same update -> "act as a single Node".
    X, y = _toy()
    const = lambda shape, rng: init.constant(shape, value)  # noqa: E731
    net = nn.MLP(2, [5, 5, 1], activation=activation, init=const)
    _train(net, X, y, steps=100)
    for layer in net.layers[:2]:
        W = layer.weight.data
        np.testing.assert_allclose(W, W[:, :1].repeat(W.shape[1], axis=1), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(layer.bias.data, layer.bias.data[0], rtol=1e-12, atol=1e-15)
    # and the units really are the same function of the input
    h = net.layers[0](X).data
    np.testing.assert_allclose(h, h[:, :1].repeat(5, axis=1), rtol=1e-12, atol=1e-15)
    if activation == "sigmoid" and value == 0.0:
        assert not np.all(net.layers[0].weight.data == 0)  # it trains, but as one unit


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_random_init_breaks_the_symmetry(activation):
    X, y = _toy()
    net = nn.MLP(2, [5, 5, 1], activation=activation, rng=0)
    _train(net, X, y, steps=100)
    for layer in net.layers[:2]:
        W = layer.weight.data
        spread = np.abs(W - W[:, :1]).max(axis=0)[1:]  # each unit vs unit 0
        assert np.all(spread > 1e-3)


# ---------------------------------------------------------------- hyper-parameters at construction
@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: nn.ELU(alpha=float("nan")), r"ELU: alpha must be a finite real number, got nan"),
        (lambda: nn.ELU(alpha=0.0), r"ELU: alpha must be > 0, got 0.0"),
        (lambda: nn.ELU(alpha=-1.0), r"ELU: alpha must be > 0, got -1.0"),
        (
            lambda: nn.LeakyReLU(float("inf")),
            r"LeakyReLU: negative_slope must be a finite real number, got inf",
        ),
        (lambda: nn.LeakyReLU(True), r"LeakyReLU: negative_slope must be a finite real number, got True"),
        (lambda: nn.PReLU(init=float("nan")), r"PReLU: init must be a finite real number, got nan"),
        (lambda: nn.PReLU(num_parameters=0), r"PReLU: num_parameters must be a positive int, got 0"),
    ],
)
def test_activation_modules_check_their_hyper_parameters_when_built(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_the_function_and_the_module_agree_on_elus_alpha():
    for bad in (0.0, -0.5, float("nan")):
        with pytest.raises(ValueError, match=r"elu: alpha must be"):
            mgx.elu(mgx.Tensor([1.0]), alpha=bad)
        with pytest.raises(ValueError, match=r"elu: alpha must be"):
            mgx.Tensor([1.0]).elu(bad)
        with pytest.raises(ValueError, match=r"ELU: alpha must be"):
            nn.ELU(alpha=bad)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "0.2", True])
def test_calculate_gain_refuses_a_non_finite_slope(bad):
    with pytest.raises(
        ValueError, match=r"calculate_gain: negative_slope for leaky_relu must be a finite real number"
    ):
        mgx.init.calculate_gain("leaky_relu", bad)


# ---------------------------------------------------------------- float32 models
def test_dtype_argument_on_every_parameterised_module():
    f32 = np.dtype(np.float32)
    assert {p.dtype for p in nn.Layer(3, 2, rng=0, dtype=np.float32).parameters()} == {f32}
    assert {p.dtype for p in nn.MLP(2, [4, 1], rng=0, dtype="float32").parameters()} == {f32}
    assert {p.dtype for p in nn.Neuron(3, rng=0, dtype=np.float32).parameters()} == {f32}
    assert nn.PReLU(dtype=np.float32).weight.dtype == f32
    seq = nn.Sequential(nn.Layer(1, 4, rng=0, dtype=np.float32), nn.PReLU(dtype=np.float32))
    assert {p.dtype for p in seq.parameters()} == {f32}
    out = seq(np.ones((2, 1), dtype=np.float32))
    assert out.dtype == f32
    # the same starting numbers, rounded: float32 is float64's weights cast
    w64 = nn.Layer(3, 2, rng=5).weight.data
    np.testing.assert_array_equal(nn.Layer(3, 2, rng=5, dtype=np.float32).weight.data, w64.astype(np.float32))


@pytest.mark.parametrize("bad", [np.int64, "float16", np.complex128, "bogus", None])
def test_dtype_must_be_float32_or_float64(bad):
    with pytest.raises(ValueError, match=r"Layer: dtype must be float32 or float64, got"):
        nn.Layer(2, 2, dtype=bad)
    with pytest.raises(ValueError, match=r"MLP.to: dtype must be float32 or float64"):
        nn.MLP(2, [2], rng=0).to(bad)


def test_to_float_and_double_convert_in_place_and_the_optimizer_follows():
    net = nn.MLP(2, [4, 1], activation="tanh", rng=0)
    params = net.parameters()
    opt = mgx.optim.SGD(params, lr=0.05, momentum=0.9)
    X, y = np.random.default_rng(0).normal(size=(16, 2)), np.zeros((16, 1))
    for _ in range(3):
        loss = mgx.mse_loss(net(X), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert net.float() is net
    assert net.parameters() == params  # the same Parameter objects
    assert all(p.dtype == np.float32 for p in params)
    for _ in range(3):
        loss = mgx.mse_loss(net(X.astype(np.float32)), y.astype(np.float32))
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.dtype == np.float32
    assert all(p.dtype == np.float32 for p in params)
    assert all(b is None or b.dtype == np.float32 for b in opt.momentum_buffers)
    net.double()
    assert all(p.dtype == np.float64 for p in params)
