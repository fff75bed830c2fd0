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

__all__ = ["PLOT_DPI", "PLOT_NOTICE", "get_figure", "plot_gradient_norms", "plot_histograms"]

#: Printed when a plot is requested but matplotlib is missing.
PLOT_NOTICE = "matplotlib is not installed: plots skipped (pip install microgradx[plot])"

#: Resolution of every saved plot (dots per inch): at least 100, so labels stay readable.
PLOT_DPI = 110


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
    fig = Figure(figsize=(min(2.4 * n, 16), 2.8), layout="constrained")
    axes = fig.subplots(1, n, squeeze=False)[0]
    for i, (ax, rec) in enumerate(zip(axes, layers, strict=True)):
        values = getattr(rec, which).ravel()
        values = values[np.isfinite(values)]
        x, label = _readable(values, which)
        ax.hist(x, bins=bins, color="#4477aa")
        ax.set_title(f"{rec.name}\n{rec.activation or 'linear'}", fontsize=8)
        ax.set_xlabel(label, fontsize=7)
        ax.tick_params(labelsize=7)
        if i == 0:
            ax.set_ylabel("count", fontsize=7)
    if title:
        fig.suptitle(title, fontsize=9)
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=PLOT_DPI)
    return path


#: Above this magnitude a histogram shows log₁₀|v| (an axis offset such as "1e25" is unreadable).
LOG_ABOVE = 1e4


def _readable(values: np.ndarray, which: str) -> tuple[np.ndarray, str]:
    """The values to histogram and the axis label: the values themselves, or log₁₀|v| (with the
    share of negative values in the label) when they reach beyond `LOG_ABOVE`."""
    if values.size == 0 or float(np.max(np.abs(values))) <= LOG_ABOVE:
        return values, which
    nonzero = values[values != 0]
    negative = float(np.mean(values < 0))
    return np.log10(np.abs(nonzero)), f"log₁₀|{which}|  ({negative:.0%} of {which} < 0)"


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
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("layer")
    ax.set_ylabel("‖∂L/∂W‖")
    if title:
        ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7)
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=PLOT_DPI)
    return path
