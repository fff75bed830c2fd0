"""Diagnostics: look inside a network, layer by layer: activation statistics, dead and saturated
units, gradient norms, identical (symmetric) units and histograms.

The notes' failure modes all show up in a few numbers per layer:

* **dead ReLU units**: a unit whose pre-activation ``z`` is ≤ 0 for *every* example outputs 0
  everywhere and passes no gradient back (ReLU'(z) = 0 there), so its weights never change.
* **saturated sigmoid/tanh outputs**: σ or tanh sit at their flat ends, where the local
  derivative is below `SATURATION_LEVEL` (10 %) of its peak: tanh ``|a| > 0.9487``
  (``|z| > 1.82``), sigmoid ``a < 0.0257`` or ``a > 0.9743`` (``|z| > 3.64``).
* **vanishing / exploding gradients**: the backward signal δ_l = ∂L/∂z_l (`backward_signal`,
  `LayerRecord.delta`, sized by `delta_size`; `record_backward` records a forward and
  backward pass in one call) shrinks or grows layer after layer; the forward
  signal's per-unit std (`unit_std`) beside it. ‖∂L/∂W‖ (`gradient_norms`) mixes the two.
* **symmetry**: after zero or constant initialization every hidden unit of a layer computes the
  same function, so a layer of 100 units behaves as one.

Use it on a model::

    from microgradx import diagnostics
    with diagnostics.Recorder(model) as rec:     # records every Layer's input, z and output
        loss = mgx.mse_loss(model(X), y)
    loss.backward()                              # optional: adds gradient norms
    print(rec.table())

or on raw arrays/tensors with the functions `dead_fraction`, `saturated_fraction`,
`backward_signal`, `delta_size`, `unit_std`, `distinct_units`, `histogram`. Plots need matplotlib (``pip install microgradx[plot]``);
without it `plot_histograms` returns None after a one-line notice.
"""

from __future__ import annotations

from . import measures
from .measures import *  # noqa: F403  (every name of measures.__all__: one list, kept there)
from .plots import PLOT_DPI, PLOT_NOTICE, get_figure, plot_gradient_norms, plot_histograms
from .recorder import LayerRecord, LayerStats, Recorder, Recording, record, record_backward
from .tables import format_table

__all__ = [
    "PLOT_DPI",
    "PLOT_NOTICE",
    "LayerRecord",
    "LayerStats",
    "Recorder",
    "Recording",
    "format_table",
    "get_figure",
    "plot_gradient_norms",
    "plot_histograms",
    "record",
    "record_backward",
]
__all__ += measures.__all__
