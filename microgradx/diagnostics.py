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

import math
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import numpy as np

from .tensor import Tensor

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

#: |z| beyond which a unit counts as saturated: where the output is within 0.01 of its bound.
SATURATION_THRESHOLDS: dict[str, float] = {
    "tanh": math.atanh(0.99),            # 2.6467: |tanh z| > 0.99, tanh'(z) < 0.0199
    "sigmoid": math.log(0.99 / 0.01),    # 4.5951: σ(z) < 0.01 or > 0.99, σ'(z) < 0.0099
}

#: Printed (once per call site) when a plot is requested but matplotlib is missing.
PLOT_NOTICE = "matplotlib is not installed: plots skipped (pip install microgradx[plot])"


def _array(x: Any) -> np.ndarray:
    if isinstance(x, Tensor):
        return x.data
    return np.asarray(x, dtype=float)


def _units_2d(z: np.ndarray, what: str) -> np.ndarray:
    """View ``z`` as (examples, units): a 1-D array is one example."""
    if z.ndim == 0:
        raise ValueError(f"{what}: expected a (batch, units) array, got a scalar")
    if z.ndim == 1:
        return z.reshape(1, -1)
    return z.reshape(-1, z.shape[-1])


# ---------------------------------------------------------------------------- array measures
def dead_fraction(z: Any) -> float:
    """Fraction of units whose pre-activation is ≤ 0 for every example: dead for ReLU.

    Args:
        z: pre-activations, shape ``(batch, units)`` (an ndarray or a Tensor).

    Such a unit outputs ReLU(z) = 0 on the whole batch and its gradient ∂a/∂z = 0, so
    ∂L/∂w = 0 for all its incoming weights: they stop changing ("forever dead" while its inputs
    stay the same). With leaky ReLU the same units still pass a gradient of 0.01·∂L/∂a.

    Example:
        >>> dead_fraction([[-1.0, 2.0, 0.0], [-3.0, -1.0, 0.0]])   # units 0 and 2 never > 0
        0.6666666666666666
    """
    z2 = _units_2d(_array(z), "dead_fraction")
    return float(np.mean(np.all(z2 <= 0, axis=0)))


negative_fraction = dead_fraction  # the same count, for activations that do not die (leaky ReLU)


def saturated_fraction(z: Any, activation: str, threshold: float | None = None) -> float:
    """Fraction of pre-activation values beyond the saturation threshold of ``activation``.

    Args:
        z: pre-activations (any shape).
        activation: ``"sigmoid"`` or ``"tanh"``.
        threshold: |z| limit; default `SATURATION_THRESHOLDS` (output within 0.01 of its bound).

    Example:
        >>> saturated_fraction([0.0, 1.0, 3.0, -5.0], "tanh")    # 3 and −5 are beyond 2.647
        0.5
    """
    if threshold is None:
        if activation not in SATURATION_THRESHOLDS:
            raise ValueError(f"saturated_fraction: activation must be one of "
                             f"{', '.join(SATURATION_THRESHOLDS)}, got {activation!r}")
        threshold = SATURATION_THRESHOLDS[activation]
    arr = _array(z)
    if arr.size == 0:
        return 0.0
    return float(np.mean(np.abs(arr) > threshold))


def distinct_units(a: Any, tol: float = 1e-9) -> int:
    """How many different units a layer has, judged by their outputs on a batch.

    Two units (columns of ``a``) count as the same when their outputs differ by at most ``tol``
    (relative to the largest output) on every example. After zero or constant initialization
    this is 1, however wide the layer.

    Example:
        >>> distinct_units([[0.5, 0.5, 0.1], [0.2, 0.2, 0.3]])
        2
    """
    a2 = _units_2d(_array(a), "distinct_units")
    return _count_distinct_columns(a2, tol)


def distinct_weight_columns(weight: Any, bias: Any = None, tol: float = 1e-9) -> int:
    """How many units of a layer have different incoming weights (and bias).

    ``weight`` is ``(in_features, out_features)``: column j holds the weights into unit j.
    Units with equal columns compute the same z on every input.
    """
    w = _array(weight)
    if w.ndim != 2:
        raise ValueError(f"distinct_weight_columns: weight must be 2-D (in, out), got shape {w.shape}")
    if bias is not None:
        w = np.vstack([w, _array(bias).reshape(1, -1)])
    return _count_distinct_columns(w, tol)


def _count_distinct_columns(m: np.ndarray, tol: float) -> int:
    """Greedy grouping: take the first unassigned column, assign every column within tol of it."""
    if m.shape[1] == 0:
        return 0
    scale = max(float(np.max(np.abs(m))) if m.size else 0.0, 1.0)
    unassigned = np.ones(m.shape[1], dtype=bool)
    groups = 0
    while unassigned.any():
        j = int(np.argmax(unassigned))
        close = np.max(np.abs(m - m[:, j:j + 1]), axis=0) <= tol * scale
        unassigned &= ~close
        groups += 1
    return groups


def histogram(values: Any, bins: int = 50, range: tuple[float, float] | None = None):
    """``(counts, edges)`` of all values, as ``numpy.histogram`` (finite values only)."""
    arr = _array(values).ravel()
    arr = arr[np.isfinite(arr)]
    return np.histogram(arr, bins=bins, range=range)


def gradient_norms(model: Any) -> list[tuple[str, float | None]]:
    """``[(parameter name, ‖∂L/∂W‖), …]`` for every weight matrix of ``model`` (after backward).

    The Euclidean (Frobenius) norm of each ``.weight`` gradient; None where no gradient exists.
    Vanishing gradients: the first layers' norms are orders of magnitude below the last ones.
    """
    out = []
    for name, p in model.named_parameters():
        if name == "weight" or name.endswith(".weight"):
            if p.data.ndim == 2:
                out.append((name, None if p.grad is None else float(np.linalg.norm(p.grad))))
    return out


# ---------------------------------------------------------------------------- recording a model
@dataclass
class LayerRecord:
    """What one layer did in one forward pass.

    Attributes:
        name: the module's dotted name (``"layers.0"``).
        activation: activation name (``"relu"``, ``"tanh"``, …) or None for a linear layer.
        z: pre-activation values ``(batch, units)`` (ndarray).
        a: outputs ``(batch, units)`` (ndarray).
        output: the output Tensor; after ``loss.backward()`` its ``.grad`` is ∂L/∂a.
        module: the module itself.
    """

    name: str
    activation: str | None
    z: np.ndarray
    a: np.ndarray
    output: Any = None
    module: Any = None


@dataclass
class LayerStats:
    """Per-layer numbers (see `Recording.stats`). Fractions are in [0, 1]; None = not applicable."""

    name: str
    activation: str | None
    units: int
    mean: float
    std: float
    dead: float | None = None          # ReLU: fraction of units with z ≤ 0 on every example
    negative: float = 0.0              # any activation: fraction of units with z ≤ 0 everywhere
    saturated: float | None = None     # sigmoid/tanh: fraction of values beyond the threshold
    distinct: int = 0                  # number of different units (outputs) on this batch
    weight_grad_norm: float | None = None
    output_grad_norm: float | None = None
    extra: dict = field(default_factory=dict)


def _activation_name(act: Any) -> str | None:
    if act is None:
        return None
    return getattr(act, "name", None) or getattr(act, "__name__", None) or type(act).__name__


def _recordable(model: Any) -> list[tuple[str, Any, str | None]]:
    """``(name, module, kind)`` of the modules to watch: every Layer, and activation modules that
    stand alone (in a Sequential), in forward order."""
    from .nn import ACTIVATIONS, Layer

    act_classes = tuple(ACTIVATIONS.values())
    owned = set()
    found = []
    for name, m in model.named_modules():
        if isinstance(m, Layer):
            found.append((name or type(m).__name__, m, "layer"))
            if m.activation is not None:
                owned.add(id(m.activation))
        elif isinstance(m, act_classes) and id(m) not in owned:
            found.append((name or type(m).__name__, m, "activation"))
    return found


class Recording:
    """The per-layer records of one forward pass (see `Recorder`), with summaries."""

    def __init__(self, layers: Sequence[LayerRecord] = (), model: Any = None) -> None:
        self.layers: list[LayerRecord] = list(layers)
        self.model = model

    @classmethod
    def from_tensors(cls, items: Iterable[tuple]) -> Recording:
        """Build a recording by hand: ``items`` of ``(name, z, a, activation)`` (Tensors or arrays).

        Example:
            >>> import microgradx as mgx
            >>> z = mgx.Tensor([[-1.0, 2.0], [-0.5, 1.0]]); a = z.relu()
            >>> Recording.from_tensors([("hidden", z, a, "relu")]).stats()[0].dead
            0.5
        """
        records = []
        for name, z, a, act in items:
            records.append(LayerRecord(name, act, _units_2d(_array(z), "Recording"),
                                       _units_2d(_array(a), "Recording"),
                                       a if isinstance(a, Tensor) else None))
        return cls(records)

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self):
        return iter(self.layers)

    def __getitem__(self, i: int) -> LayerRecord:
        return self.layers[i]

    def stats(self) -> list[LayerStats]:
        """One `LayerStats` per recorded layer, in forward order."""
        out = []
        for rec in self.layers:
            act = rec.activation
            s = LayerStats(
                name=rec.name, activation=act, units=rec.a.shape[-1],
                mean=float(rec.a.mean()), std=float(rec.a.std()),
                negative=dead_fraction(rec.z), distinct=distinct_units(rec.a),
            )
            if act == "relu":
                s.dead = s.negative
            if act in SATURATION_THRESHOLDS:
                s.saturated = saturated_fraction(rec.z, act)
            w = getattr(rec.module, "weight", None)
            if isinstance(w, Tensor) and w.grad is not None and w.data.ndim == 2:
                s.weight_grad_norm = float(np.linalg.norm(w.grad))
            g = getattr(rec.output, "grad", None)
            if g is not None:
                s.output_grad_norm = float(np.linalg.norm(g))
            out.append(s)
        return out

    def table(self) -> str:
        """The stats as a text table (one row per layer)."""
        rows = []
        for s in self.stats():
            rows.append([
                s.name, s.activation or "-", s.units, _num(s.mean, "+.4f"), _num(s.std, ".4f"),
                _pct(s.dead), _pct(s.saturated), f"{s.distinct}/{s.units}",
                _sci(s.weight_grad_norm),
            ])
        return format_table(["layer", "act", "units", "mean", "std", "dead", "saturated",
                             "distinct", "|dL/dW|"], rows)

    def histograms(self, bins: int = 50, which: str = "a") -> list[tuple[str, np.ndarray, np.ndarray]]:
        """``[(layer name, counts, edges)]`` of every layer's outputs (``which="a"``) or
        pre-activations (``which="z"``)."""
        if which not in ("a", "z"):
            raise ValueError(f"histograms: which must be 'a' or 'z', got {which!r}")
        return [(r.name, *histogram(getattr(r, which), bins=bins)) for r in self.layers]


class Recorder:
    """Context manager recording every layer's input, pre-activation z and output during forward.

    Args:
        model: an ``nn.Module`` (an MLP, a Sequential, a Layer …). Every `nn.Layer` inside is
            watched, and activation modules that stand alone in a Sequential.

    Works inside ``no_grad()`` too (then there are no gradient norms). Several forward passes
    inside one ``with`` block append their records; `Recorder.recording` holds them.

    Example:
        >>> import numpy as np, microgradx as mgx
        >>> from microgradx import diagnostics, nn
        >>> net = nn.MLP(1, [8, 8, 1], activation="relu", rng=0)
        >>> with diagnostics.Recorder(net) as rec:
        ...     out = net(np.linspace(-1, 1, 20).reshape(-1, 1))
        >>> [s.name for s in rec.stats()]
        ['layers.0', 'layers.1', 'layers.2']
    """

    def __init__(self, model: Any) -> None:
        self.model = model
        self.recording = Recording(model=model)
        self._patched: list[Any] = []

    def __enter__(self) -> Recording:
        for name, module, kind in _recordable(self.model):
            module.forward = self._wrap(name, module, kind)  # an instance attribute shadows the method
            self._patched.append(module)
        return self.recording

    def __exit__(self, *exc: Any) -> None:
        for module in self._patched:
            del module.forward
        self._patched.clear()

    def _wrap(self, name: str, module: Any, kind: str):
        original = type(module).forward
        records = self.recording.layers

        def forward(*args: Any, **kwargs: Any) -> Any:
            out = original(module, *args, **kwargs)
            x = _array(args[0])
            if kind == "layer":
                act = module.activation
                if act is None:
                    z = _array(out)
                else:  # recompute z = x W + b in NumPy: the same arithmetic, no graph needed
                    z = x @ module.weight.data
                    if module.bias is not None:
                        z = z + module.bias.data
                act_name = _activation_name(act)
            else:
                z, act_name = x, _activation_name(module)
            records.append(LayerRecord(name, act_name, _units_2d(np.asarray(z), name),
                                       _units_2d(_array(out), name), out, module))
            return out

        return forward


def record(model: Any, x: Any) -> tuple[Recording, Any]:
    """Run ``model(x)`` once, recording every layer. Returns ``(recording, output)``."""
    with Recorder(model) as rec:
        out = model(x)
    return rec, out


# ---------------------------------------------------------------------------- text tables
def _num(x: float, fmt: str) -> str:
    """Format without a confusing "-0.0000" (round first, then add 0.0 to drop the sign of zero)."""
    return format(round(x, 4) + 0.0, fmt)


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def _sci(x: float | None) -> str:
    return "-" if x is None else f"{x:.3e}"


# a number, a percentage, a fraction "3/8", or several of them joined by " / "
_NUMERIC = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?%?(/\d+)?( / [+-]?(\d+\.?\d*)(e[+-]?\d+)?%?)*$")


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table: columns padded, numbers right-aligned, a rule under the header.

    Example:
        >>> print(format_table(["layer", "std"], [["layers.0", "0.5000"]]))
        layer     std
        --------  ------
        layers.0  0.5000
    """
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def is_num(s: str) -> bool:
        return bool(_NUMERIC.match(s))

    lines = []
    for k, r in enumerate(cells):
        parts = [c.rjust(w) if k and is_num(c) else c.ljust(w) for c, w in zip(r, widths)]
        lines.append("  ".join(parts).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


# ---------------------------------------------------------------------------- plots (optional)
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


def plot_histograms(recording: Recording, path: Any, title: str = "", which: str = "a",
                    bins: int = 50, notice: bool = True):
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
    for ax, rec in zip(axes, layers):
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


def plot_gradient_norms(series: dict[str, Sequence[float]], path: Any, title: str = "",
                        notice: bool = True):
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
