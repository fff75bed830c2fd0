"""The lab: every claim of the lecture notes as an experiment that measures it.

Each experiment is a function returning a `Result` (its numbers by key, a table, a one-line
conclusion computed from them, and the notes' errors it found); it prints them and, given an
output directory and matplotlib, writes plots. Headline numbers are the median [min–max] over
five seeds (``r["seeds"]``); seeds are fixed, so the numbers are reproducible::

    from microgradx import lab
    r = lab.run("xavier-vs-he")               # prints the table and the conclusion
    r["delta_ratio"]["relu+he_normal"]        # δ layer 1 / δ layer 10, median over r["seeds"]
    lab.dying_relu(out="plots", epochs=50)    # the same function, smaller, with plots

From the shell: ``microgradx lab --list`` and ``microgradx lab NAME --out DIR``.
"""

from __future__ import annotations

from typing import Any

from .. import validation
from .activation_experiments import linear_collapse, selu_self_normalizing, sigmoid_vanishing, zero_centred
from .claim_experiments import (
    activation_cost,
    half_dead_still_fits,
    large_init_training,
    nonlinear_classification,
    prelu_learns_slope,
    relu_converges_faster,
    xavier_he_uniform,
)
from .core import EXPERIMENTS, Experiment, Result
from .init_experiments import constant_init, large_init, small_init, xavier_vs_he, zero_init
from .relu_experiments import dying_relu, leaky_fix

__all__ = [
    "EXPERIMENTS",
    "Experiment",
    "Result",
    "activation_cost",
    "constant_init",
    "describe",
    "dying_relu",
    "get",
    "half_dead_still_fits",
    "large_init",
    "large_init_training",
    "leaky_fix",
    "linear_collapse",
    "names",
    "nonlinear_classification",
    "prelu_learns_slope",
    "relu_converges_faster",
    "run",
    "selu_self_normalizing",
    "sigmoid_vanishing",
    "small_init",
    "xavier_he_uniform",
    "xavier_vs_he",
    "zero_centred",
    "zero_init",
]

#: The order of the notes: activations first, then initialization.
ORDER = (
    "nonlinear-classification",
    "linear-collapse",
    "activation-cost",
    "sigmoid-vanishing",
    "zero-centred",
    "relu-converges-faster",
    "dying-relu",
    "half-dead-still-fits",
    "leaky-fix",
    "prelu-learns-slope",
    "selu-self-normalizing",
    "zero-init",
    "constant-init",
    "small-init",
    "large-init",
    "large-init-training",
    "xavier-vs-he",
    "xavier-he-uniform",
)


def names() -> list[str]:
    """Experiment names, in the order of the notes."""
    return [n for n in ORDER if n in EXPERIMENTS] + [n for n in EXPERIMENTS if n not in ORDER]


def get(name: str) -> Experiment:
    """The experiment called ``name``; a ValueError lists the valid names otherwise."""
    return EXPERIMENTS[validation.choice(name, names(), "experiment")]


def describe() -> str:
    """One line per experiment: its name, then its description."""
    width = max(len(n) for n in names())
    return "\n".join(f"{n.ljust(width)}  {EXPERIMENTS[n].description}" for n in names())


def run(name: str, out: Any = None, **kwargs: Any) -> Result:
    """Run the experiment ``name`` (see `names`); ``out``: a directory for its plots."""
    return get(name)(out, **kwargs)
