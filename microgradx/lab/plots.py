"""The lab's plots: loss curves, fits, per-layer lines; every function is a no-op without matplotlib.

Each function takes the output directory ``out`` (None: plot nothing), a file name and the data,
and returns the written path or None. Without matplotlib the first call of a run prints one
notice (`microgradx.diagnostics.PLOT_NOTICE`) and nothing is written.
"""

from __future__ import annotations

import pathlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .. import diagnostics

__all__ = ["Plotter"]


def _integer_ticks(ax: Any) -> None:
    """Layers are counted: whole-number ticks on the x axis only."""
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


class Plotter:
    """Writes an experiment's plots into ``out``; silent (apart from one notice) without matplotlib.

    Args:
        out: the output directory (created on the first plot), or None to plot nothing.
        prefix: file-name prefix, usually the experiment's name ("" for plain names).
    """

    def __init__(self, out: Any, prefix: str) -> None:
        self.out = None if out is None else pathlib.Path(out)
        self.prefix = prefix
        self.files: list[pathlib.Path] = []
        self._figure_cls: Any = None
        self._checked = False

    def _available(self) -> bool:
        """True when plots are wanted (an ``out`` directory) and matplotlib is there (asked once)."""
        if self.out is None:
            return False
        if not self._checked:
            self._figure_cls = diagnostics.get_figure(notice=True)
            self._checked = True
        return self._figure_cls is not None

    def _figure(self, **kwargs: Any):
        if not self._available():
            return None
        return self._figure_cls(layout="constrained", **kwargs)

    def _save(self, fig: Any, name: str) -> pathlib.Path:
        assert self.out is not None
        self.out.mkdir(parents=True, exist_ok=True)
        path = self.out / self._filename(name)
        fig.savefig(path, dpi=diagnostics.PLOT_DPI)
        self.files.append(path)
        return path

    def _filename(self, name: str) -> str:
        return f"{self.prefix}-{name}.png" if self.prefix else f"{name}.png"

    def curves(
        self,
        name: str,
        series: Mapping[str, Sequence[float]],
        title: str,
        xlabel: str = "epoch",
        ylabel: str = "MSE loss",
        log: bool = True,
    ):
        """Lines, one per entry of ``series`` (label -> values); log y axis by default."""
        fig = self._figure(figsize=(4.8, 3.2))
        if fig is None:
            return None
        ax = fig.subplots()
        for label, values in series.items():
            vals = np.asarray(values, dtype=float)
            if log:
                vals = np.where(vals > 0, vals, np.nan)
            ax.plot(np.arange(len(vals)), vals, label=label)
        if log:
            ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(title, fontsize=9)
        ax.legend(fontsize=7)
        return self._save(fig, name)

    def backward_signal(self, series: Mapping[str, Sequence[float]], depth: int, width: int, seeds: int):
        """``<prefix>-delta.png``: the backward signal, RMS of δ = ∂L/∂z per layer (median of ``seeds``)."""
        title = f"backward signal δ, {depth} layers of {width} (median of {seeds} seeds)"
        return self.per_layer("delta", series, title, "RMS of δ = ∂L/∂z")

    def forward_signal(self, series: Mapping[str, Sequence[float]], depth: int, width: int, seeds: int):
        """``<prefix>-std.png``: the forward signal, each layer's per-unit std (median of ``seeds``)."""
        title = f"forward signal, {depth} layers of {width} (median of {seeds} seeds)"
        return self.per_layer("std", series, title, "per-unit std")

    def per_layer(
        self, name: str, series: Mapping[str, Sequence[float]], title: str, ylabel: str, log: bool = True
    ):
        """One line per entry, x = layer 1 … L (e.g. gradient norms or activation std)."""
        many = len(series) > 4  # then the legend goes beside the axes
        fig = self._figure(figsize=(7.2 if many else 4.8, 3.2))
        if fig is None:
            return None
        ax = fig.subplots()
        for label, values in series.items():
            vals = np.asarray([np.nan if v is None else v for v in values], dtype=float)
            if log:
                vals = np.where(vals > 0, vals, np.nan)
            ax.plot(np.arange(1, len(vals) + 1), vals, marker="o", label=label)
        if log:
            ax.set_yscale("log")
        _integer_ticks(ax)
        ax.set_xlabel("layer")
        ax.set_ylabel(ylabel)
        ax.set_title(title, fontsize=9)
        if many:
            ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0))
        else:
            ax.legend(fontsize=7)
        return self._save(fig, name)

    def fits(
        self,
        name: str,
        X: np.ndarray,
        y: np.ndarray,
        predictions: dict[str, np.ndarray],
        title: str,
        grid: np.ndarray | None = None,
    ):
        """The data as dots and each model's prediction as a line (1-D inputs); predictions are
        at the points ``X``, or at ``grid`` when given."""
        fig = self._figure(figsize=(4.8, 3.2))
        if fig is None:
            return None
        ax = fig.subplots()
        ax.scatter(X[:, 0], y[:, 0], s=6, color="#999999", label="data")
        x = (X if grid is None else grid)[:, 0]
        order = np.argsort(x)
        for label, pred in predictions.items():
            ax.plot(x[order], np.asarray(pred)[order, 0], label=label)
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        ax.set_title(title, fontsize=9)
        ax.legend(fontsize=7)
        return self._save(fig, name)

    def histograms(self, name: str, recording: diagnostics.Recording, title: str, which: str = "a"):
        """Per-layer histograms of a recorded forward pass (the notes' saturation histograms)."""
        if not self._available() or self.out is None:
            return None
        path = diagnostics.plot_histograms(
            recording, self.out / self._filename(name), title=title, which=which, notice=False
        )
        if path is not None:
            self.files.append(path)
        return path
