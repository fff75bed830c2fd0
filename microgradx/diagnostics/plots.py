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
    finite = [v[np.isfinite(v)] for v in (getattr(rec, which).ravel() for rec in layers)]
    log = any(v.size and float(np.max(np.abs(v))) > LOG_ABOVE for v in finite)  # one scale for all panels
    for i, (ax, rec, values) in enumerate(zip(axes, layers, finite, strict=True)):
        x, label = _readable(values, which, log)
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


def _readable(values: np.ndarray, which: str, log: bool | None = None) -> tuple[np.ndarray, str]:
    """The values to histogram and the axis label: the values themselves, or log₁₀|v| when ``log``
    (default: when they reach beyond `LOG_ABOVE`), with the shares of negative values and of
    zeros (which have no logarithm) in the label."""
    if log is None:
        log = bool(values.size) and float(np.max(np.abs(values))) > LOG_ABOVE
    if not log:
        return values, which
    negative = float(np.mean(values < 0)) if values.size else 0.0
    zero = float(np.mean(values == 0)) if values.size else 0.0
    label = f"log₁₀|{which}|  ({negative:.0%} < 0"
    label += f", {zero:.0%} = 0 not shown)" if zero else ")"
    return np.log10(np.abs(values[values != 0])), label


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
