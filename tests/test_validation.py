"""`microgradx.validation.choice`: every lookup of a name in a table fails the same clear way.

Each public lookup names the bad value and lists every valid name, and a value that cannot even
be hashed (a list) gets that message too, not a TypeError from the dict.
"""

from __future__ import annotations

import pytest

import microgradx as mgx
from microgradx import data, init, lab, nn, validation
from microgradx.lab import catalog, networks
from microgradx.viz import render

LOOKUPS = {
    "network": (networks.build, networks.NETWORKS),
    "experiment": (lab.get, lab.EXPERIMENTS),
    "data set": (lambda name: data.get(name), data.DATASETS),
    "initializer": (init.get, init.INITIALIZERS),
    "activation": (lambda name: catalog.values_and_derivatives(name, [0.0]), catalog.ACTIVATION_INFO),
    "output format": (render.check_format, render.FORMATS),
    "loss": (
        lambda name: mgx.fit(nn.Layer(1, 1, rng=0), [[0.0]], [[0.0]], loss=name, epochs=1),
        mgx.train.LOSSES,
    ),
    "MLP activation": (lambda name: nn.MLP(1, [2, 1], activation=name, rng=0), nn.ACTIVATIONS),
}


# fit's loss and MLP's activation also take callables, Modules (and None): a non-name is another error.
CASES = [
    (what, bad)
    for what in LOOKUPS
    for bad in ("no-such-name", ["a", "list"], None)
    if isinstance(bad, str) or what not in ("loss", "MLP activation")
]


@pytest.mark.parametrize(("what", "bad"), CASES)
def test_an_unknown_name_is_a_value_error_naming_it_and_every_valid_name(what, bad):
    lookup, table = LOOKUPS[what]
    with pytest.raises(ValueError, match="unknown") as err:
        lookup(bad)
    message = str(err.value)
    assert repr(bad) in message
    assert all(str(name) in message for name in table), message


def test_choice_returns_the_entry_or_the_name():
    assert validation.choice("b", {"a": 1, "b": 2}, "thing") == 2
    assert validation.choice("b", ("a", "b"), "thing") == "b"
    with pytest.raises(ValueError, match=r"^f: unknown thing 'c' \(hint\); expected x or one of a, b$"):
        validation.choice("c", ("a", "b"), "thing", "f", note=" (hint)", also="x or ")
