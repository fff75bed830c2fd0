"""Plots of recorded layers (histograms, gradient norms), only where matplotlib is installed.

Without matplotlib every function prints `PLOT_NOTICE` (once per call) and returns None. The
object-oriented ``matplotlib.figure.Figure`` is used, so no GUI backend is needed and pyplot's
global state is left alone.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from .recorder import Recording

__all__ = ["PLOT_NOTICE", "get_figure", "plot_gradient_norms", "plot_histograms"]

#: Printed when a plot is requested but matplotlib is missing.
PLOT_NOTICE = "matplotlib is not installed: plots skipped (pip install microgradx[plot])"


def get_figure(notice: bool = True):
    """``matplotlib.figure.Figure`` if matplotlib is installed, else None (after `PLOT_NOTICE`).

    The object-oriented ``Figure`` needs no GUI backend and leaves pyplot's state alone.
    """
    try:
        from matplotlib.figure import Figure
    except ImportError:
        if notice:
            print(PLOT_NOTICE, file=sys.stdout)
        return None
    return Figure


def plot_histograms(
    recording: Recording, path: Any, title: str = "", which: str = "a", bins: int = 50, notice: bool = True
):
    """Save one histogram per layer (outputs ``a`` or pre-activations ``z``) side by side, as the
    notes' saturation histograms. Returns the path, or None without matplotlib."""
    Figure = get_figure(notice)
    if Figure is None:
        return None
    import pathlib

    layers = recording.layers
    n = max(len(layers), 1)
    fig = Figure(figsize=(min(2.4 * n, 16), 2.6), layout="constrained")
    axes = fig.subplots(1, n, squeeze=False)[0]
    for ax, rec in zip(axes, layers, strict=True):
        values = getattr(rec, which).ravel()
        values = values[np.isfinite(values)]
        ax.hist(values, bins=bins, color="#4477aa")
        ax.set_title(f"{rec.name}\n{rec.activation or 'linear'}", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.set_yticks([])
    if title:
        fig.suptitle(title, fontsize=9)
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=80)
    return path


def plot_gradient_norms(series: dict[str, Sequence[float]], path: Any, title: str = "", notice: bool = True):
    """Save a log-scale plot of ‖∂L/∂W‖ per layer, one line per entry of ``series``
    (label -> norms in layer order). Returns the path, or None without matplotlib."""
    Figure = get_figure(notice)
    if Figure is None:
        return None
    import pathlib

    fig = Figure(figsize=(4.5, 3.0), layout="constrained")
    ax = fig.subplots()
    for label, norms in series.items():
        vals = [v if v and v > 0 else np.nan for v in norms]
        ax.plot(range(1, len(vals) + 1), vals, marker="o", label=label)
    ax.set_yscale("log")
    ax.set_xlabel("layer")
    ax.set_ylabel("‖∂L/∂W‖")
    if title:
        ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7)
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=80)
    return path
