"""Diagnostics: look inside a network, layer by layer: activation statistics, dead and saturated
units, gradient norms, identical (symmetric) units and histograms.

The notes' failure modes all show up in a few numbers per layer:

* **dead ReLU units**: a unit whose pre-activation ``z`` is ≤ 0 for *every* example outputs 0
  everywhere and passes no gradient back (ReLU'(z) = 0 there), so its weights never change.
* **saturated sigmoid/tanh units**: ``|z|`` so large that σ or tanh sit at their flat ends,
  where the derivative is about 0 (vanishing gradients). Thresholds: tanh ``|z| > 2.647``
  (``|tanh z| > 0.99``), sigmoid ``|z| > 4.595`` (``σ(z) < 0.01`` or ``> 0.99``).
* **vanishing / exploding gradients**: the norm of ∂L/∂W shrinks or grows layer after layer.
* **symmetry**: after zero or constant initialization every hidden unit of a layer computes the
  same function, so a layer of 100 units behaves as one.

Use it on a model::

    from microgradx import diagnostics
    with diagnostics.Recorder(model) as rec:     # records every Layer's input, z and output
        loss = mgx.mse_loss(model(X), y)
    loss.backward()                              # optional: adds gradient norms
    print(rec.table())

or on raw arrays/tensors with the functions `dead_fraction`, `saturated_fraction`,
`distinct_units`, `histogram`. Plots need matplotlib (``pip install microgradx[plot]``);
without it `plot_histograms` returns None after a one-line notice.
"""

from __future__ import annotations

from .measures import (
    SATURATION_THRESHOLDS,
    dead_fraction,
    distinct_units,
    distinct_weight_columns,
    gradient_norms,
    histogram,
    negative_fraction,
    saturated_fraction,
)
from .plots import PLOT_NOTICE, get_figure, plot_gradient_norms, plot_histograms
from .recorder import LayerRecord, LayerStats, Recorder, Recording, record
from .tables import format_table

__all__ = [
    "SATURATION_THRESHOLDS",
    "LayerRecord",
    "LayerStats",
    "Recorder",
    "Recording",
    "record",
    "dead_fraction",
    "negative_fraction",
    "saturated_fraction",
    "distinct_units",
    "distinct_weight_columns",
    "histogram",
    "gradient_norms",
    "format_table",
    "get_figure",
    "plot_histograms",
    "plot_gradient_norms",
    "PLOT_NOTICE",
]
