"""microgradx.init: every initializer samples what its docstring and the API say, reproducibly.

The expected spreads come from the published formulas, written out here by hand (the oracle),
and from the ``Formula:`` line of each docstring (so documentation and code cannot drift apart,
the failure PyTorch's ``nn.Linear`` had for years). PyTorch comparisons live in
``test_torch_training.py``.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import microgradx as mgx
from microgradx import init

SHAPE = (400, 600)
FAN_IN, FAN_OUT = SHAPE

# name -> (kind, expected limit or std, kwargs): the formulas of API.md / the papers.
EXPECTED = {
    "xavier_uniform": ("uniform", math.sqrt(6 / (FAN_IN + FAN_OUT)), {}),
    "xavier_normal": ("normal", math.sqrt(2 / (FAN_IN + FAN_OUT)), {}),
    "he_uniform": ("uniform", math.sqrt(6 / FAN_IN), {}),
    "he_normal": ("normal", math.sqrt(2 / FAN_IN), {}),
    "lecun_uniform": ("uniform", math.sqrt(3 / FAN_IN), {}),
    "lecun_normal": ("normal", math.sqrt(1 / FAN_IN), {}),
    "random_small": ("uniform", 0.01, {}),
    "random_large": ("normal", 1.0, {}),
    # with explicit hyper-parameters
    "xavier_uniform(gain=5/3)": ("uniform", 5 / 3 * math.sqrt(6 / (FAN_IN + FAN_OUT)), {"gain": 5 / 3}),
    "xavier_normal(gain=2)": ("normal", 2 * math.sqrt(2 / (FAN_IN + FAN_OUT)), {"gain": 2.0}),
    "he_uniform(mode=fan_out)": ("uniform", math.sqrt(6 / FAN_OUT), {"mode": "fan_out"}),
    "he_normal(leaky_relu 0.2)": (
        "normal",
        math.sqrt(2 / (1 + 0.2**2)) / math.sqrt(FAN_IN),
        {"nonlinearity": "leaky_relu", "param": 0.2},
    ),
    "he_normal(tanh)": ("normal", 5 / 3 / math.sqrt(FAN_IN), {"nonlinearity": "tanh"}),
    "lecun_normal(gain=0.5)": ("normal", 0.5 / math.sqrt(FAN_IN), {"gain": 0.5}),
    "random_small(scale=0.5)": ("uniform", 0.5, {"scale": 0.5}),
    "random_large(scale=3)": ("normal", 3.0, {"scale": 3.0}),
}


def _fn(key):
    return getattr(init, key.split("(")[0])


@pytest.mark.parametrize("key", list(EXPECTED))
def test_initializer_statistics(key):
    kind, spread, kw = EXPECTED[key]
    w = _fn(key)(SHAPE, rng=1, **kw)
    assert w.shape == SHAPE and w.dtype == np.float64
    assert abs(w.mean()) < 0.05 * spread  # centred (SE of the mean is spread/490)
    if kind == "uniform":
        limit = spread
        assert np.all(w >= -limit) and np.all(w <= limit)
        assert w.max() > 0.999 * limit and w.min() < -0.999 * limit  # the whole range is used
        std = limit / math.sqrt(3)
    else:
        std = spread
        assert np.abs(w).max() > 3 * std  # a plain normal: nothing truncated at 2 std
    assert w.std() == pytest.approx(std, rel=0.03)


def test_plain_uniform_and_normal():
    w = init.uniform(SHAPE, -2.0, 3.0, rng=0)
    assert w.min() >= -2.0 and w.max() < 3.0
    assert w.mean() == pytest.approx(0.5, abs=0.02)
    assert w.std() == pytest.approx(5 / math.sqrt(12), rel=0.03)
    v = init.normal(SHAPE, 1.5, 0.2, rng=0)
    assert v.mean() == pytest.approx(1.5, abs=0.002)
    assert v.std() == pytest.approx(0.2, rel=0.03)
    d = init.uniform((1000,), rng=0)  # PyTorch's default U(0, 1)
    assert d.min() >= 0 and d.max() < 1


def test_zeros_and_constant():
    assert np.array_equal(init.zeros((3, 4)), np.zeros((3, 4)))
    assert init.zeros(5).shape == (5,)
    c = init.constant((2, 3, 4), 0.5)
    assert c.shape == (2, 3, 4) and np.all(c == 0.5) and c.dtype == np.float64


def test_aliases_are_the_same_functions():
    assert init.glorot_uniform is init.xavier_uniform
    assert init.glorot_normal is init.xavier_normal
    assert init.kaiming_uniform is init.he_uniform
    assert init.kaiming_normal is init.he_normal


# ---------------------------------------------------------------------------- documented formulas

_FORMULA = re.compile(r"Formula: ``(limit|std) = ([^`]+)``")
_DOCUMENTED = [
    "xavier_uniform",
    "xavier_normal",
    "he_uniform",
    "he_normal",
    "lecun_uniform",
    "lecun_normal",
    "random_small",
    "random_large",
]


@pytest.mark.parametrize("name", _DOCUMENTED)
def test_docstring_formula_is_what_the_code_samples(name):
    fn = getattr(init, name)
    match = _FORMULA.search(fn.__doc__)
    assert match, f"{name}: docstring has no 'Formula: ``limit|std = ...``' line"
    kind, expr = match.groups()
    # Evaluate the documented formula with every function's default hyper-parameters.
    env = {
        "sqrt": math.sqrt,
        "fan_in": FAN_IN,
        "fan_out": FAN_OUT,
        "fan": FAN_IN,
        "gain": math.sqrt(2) if name.startswith("he_") else 1.0,
        "scale": 1.0,
    }
    if name == "random_small":
        env["scale"] = 0.01
    documented = eval(expr, {"__builtins__": {}}, env)
    w = fn(SHAPE, rng=7)
    if kind == "limit":
        assert np.abs(w).max() <= documented
        assert np.abs(w).max() == pytest.approx(documented, rel=1e-3)
        assert w.std() == pytest.approx(documented / math.sqrt(3), rel=0.03)
    else:
        assert w.std() == pytest.approx(documented, rel=0.03)
    # and that agrees with the hand-written table above
    assert documented == pytest.approx(EXPECTED[name][1], rel=1e-12)


# ---------------------------------------------------------------------------- reproducibility

ALL_RANDOM = [
    "uniform",
    "normal",
    "random_small",
    "random_large",
    "xavier_uniform",
    "xavier_normal",
    "he_uniform",
    "he_normal",
    "lecun_uniform",
    "lecun_normal",
]


@pytest.mark.parametrize("name", ALL_RANDOM)
def test_reproducible_with_int_and_generator(name):
    fn = getattr(init, name)
    a, b = fn((30, 20), rng=42), fn((30, 20), rng=42)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, fn((30, 20), rng=43))
    g1, g2 = np.random.default_rng(5), np.random.default_rng(5)
    first, again = fn((30, 20), rng=g1), fn((30, 20), rng=g2)
    assert np.array_equal(first, again)
    # a Generator is advanced: the next draw differs, and matches the twin generator's next draw
    second = fn((30, 20), rng=g1)
    assert not np.array_equal(first, second)
    assert np.array_equal(second, fn((30, 20), rng=g2))


def test_manual_seed_drives_rng_none():
    mgx.manual_seed(123)
    a = init.he_normal((10, 10))
    mgx.manual_seed(123)
    b = init.he_normal((10, 10))
    assert np.array_equal(a, b)


def test_bad_rng_is_rejected():
    with pytest.raises(TypeError, match="rng"):
        init.xavier_uniform((3, 3), rng="seed")
    with pytest.raises(TypeError, match="rng"):
        init.zeros((3, 3), rng=1.5)


# ---------------------------------------------------------------------------- fans and errors


def test_fans_follow_in_out_layout():
    assert init.fan_in_and_fan_out((3, 7)) == (3, 7)
    # a (3, 700) weight: fan_in 3 -> He std sqrt(2/3), not sqrt(2/700)
    w = init.he_normal((3, 700), rng=0)
    assert w.std() == pytest.approx(math.sqrt(2 / 3), rel=0.05)


FAN_BASED = [
    "xavier_uniform",
    "xavier_normal",
    "he_uniform",
    "he_normal",
    "lecun_uniform",
    "lecun_normal",
    "glorot_uniform",
    "kaiming_normal",
]


@pytest.mark.parametrize("name", FAN_BASED)
@pytest.mark.parametrize("shape", [(5,), (2, 3, 4), (), (0, 4)])
def test_fan_based_need_a_2d_shape(name, shape):
    with pytest.raises(ValueError, match=re.escape(str(shape))):
        getattr(init, name)(shape, rng=0)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: init.uniform((2, 2), 1.0, 1.0), "low < high"),
        (lambda: init.normal((2, 2), 0.0, -1.0), "std"),
        (lambda: init.random_small((2, 2), scale=0.0), "scale"),
        (lambda: init.constant((2, 2), "a"), "value"),
        (lambda: init.xavier_uniform((2, 2), gain=-1.0), "gain"),
        (lambda: init.he_uniform((2, 2), mode="fan_avg"), "fan_avg"),
        (lambda: init.he_normal((2, 2), nonlinearity="swish"), "swish"),
        (lambda: init.zeros((2, -1)), r"\(2, -1\)"),
        (lambda: init.zeros((2.5, 1)), r"2\.5"),
    ],
)
def test_bad_arguments_name_the_value(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ---------------------------------------------------------------------------- calculate_gain


@pytest.mark.parametrize(
    ("name", "param", "gain"),
    [
        ("linear", None, 1.0),
        ("conv1d", None, 1.0),
        ("conv2d", None, 1.0),
        ("conv3d", None, 1.0),
        ("conv_transpose1d", None, 1.0),
        ("conv_transpose2d", None, 1.0),
        ("conv_transpose3d", None, 1.0),
        ("sigmoid", None, 1.0),
        ("tanh", None, 5 / 3),
        ("relu", None, math.sqrt(2)),
        ("selu", None, 0.75),
        ("leaky_relu", None, math.sqrt(2 / (1 + 0.01**2))),
        ("leaky_relu", 0.2, math.sqrt(2 / (1 + 0.04))),
        ("leaky_relu", 1, 1.0),
    ],
)
def test_calculate_gain_table(name, param, gain):
    assert init.calculate_gain(name, param) == pytest.approx(gain, rel=1e-15)


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match=r"'softplus'.*relu"):
        init.calculate_gain("softplus")
    with pytest.raises(ValueError, match="True"):
        init.calculate_gain("leaky_relu", True)


def test_get_by_name():
    assert init.get("he_uniform") is init.he_uniform
    with pytest.raises(ValueError, match=r"'hee_uniform'.*xavier_uniform"):
        init.get("hee_uniform")
    with pytest.raises(ValueError, match=r"constant.*needs a value"):
        init.get("constant")
